#!/usr/bin/python3
"""logistic_sklearn.py DATA.csv — scikit-learn's side of the logistic
regression benchmark: LogisticRegression(C=1, max_iter=100, tol=1e-4, lbfgs)
fitted three times on the same file; the best fit time, the training
accuracy, the iterations and the objective lab reports (scikit-learn's
divided by C n: mean log loss + |w|^2 / (2 C n))."""
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

warnings.simplefilter("ignore", ConvergenceWarning)
df = pd.read_csv(sys.argv[1])
X = df.drop(columns=["y"]).to_numpy(dtype=float)
y = df["y"].to_numpy()
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    m = LogisticRegression(C=1.0, max_iter=100, tol=1e-4).fit(X, y)
    best = min(best, time.perf_counter() - t)
print("RESULT fit %.4f" % best)
print("RESULT accuracy %.6f" % (m.predict(X) == y).mean())
print("RESULT n_iter %d" % m.n_iter_[0])
z = X @ m.coef_[0] + m.intercept_[0]
obj = np.mean(np.logaddexp(0, z) - (y == m.classes_[1]) * z) + m.coef_[0] @ m.coef_[0] / (2 * 1.0 * len(y))
print("RESULT objective %.10f" % obj)
