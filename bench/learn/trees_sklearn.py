#!/usr/bin/python3
"""trees_sklearn.py DATA.csv — scikit-learn's side of the tree benchmarks:
RandomForestClassifier(n_estimators=100, n_jobs=2) and
HistGradientBoostingClassifier(max_iter=100, early_stopping=False), each
fitted on the first 80% of the rows and scored on the rest, as
bench/learn/trees_lab.lua does: the forest best of REPEAT (default 1), the gbm
best of 3 at least. TREES=gbm leaves the forest out."""
import os
import sys
import time

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

df = pd.read_csv(sys.argv[1])
X, y = df.drop(columns=["y"]).to_numpy(dtype=float), df["y"].to_numpy()
ntr = int(len(y) * 0.8)
repeats = int(os.environ.get("REPEAT", "1"))


def run(name, make, reps=None):
    best, m = float("inf"), None
    for _ in range(reps or repeats):
        t = time.perf_counter()
        m = make().fit(X[:ntr], y[:ntr])
        best = min(best, time.perf_counter() - t)
    print("RESULT %s_fit %.4f" % (name, best))
    print("RESULT %s_accuracy %.6f" % (name, (m.predict(X[ntr:]) == y[ntr:]).mean()))


if os.environ.get("TREES") != "gbm":
    run("forest", lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0))
run("gbm", lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
    max(3, repeats))
