#!/usr/bin/python3
"""kmeans_sklearn.py DATA.csv — scikit-learn's side of the k-means benchmark:
KMeans(n_clusters=8, init="k-means++", n_init=1, max_iter=300, tol=1e-4,
algorithm="lloyd") fitted three times on the same file; the best fit time,
the inertia and the iterations of the last fit."""
import sys
import time

import pandas as pd
from sklearn.cluster import KMeans

X = pd.read_csv(sys.argv[1]).to_numpy(dtype=float)
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    m = KMeans(n_clusters=8, init="k-means++", n_init=1, max_iter=300, tol=1e-4, algorithm="lloyd",
               random_state=0).fit(X)
    best = min(best, time.perf_counter() - t)
print("RESULT fit %.4f" % best)
print("RESULT inertia %.6e" % m.inertia_)
print("RESULT n_iter %d" % m.n_iter_)
