#!/usr/bin/python3
"""gen_data.py N P OUT.csv — the logistic regression benchmark's data.

N rows of P standard normal features x0..x{P-1} and a 0/1 label y drawn from
a logistic model with fixed random weights (numpy seed 42), so both sides of
the benchmark fit the very same rows (they read this one CSV file).
"""
import sys

import numpy as np

n, p, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(42)
X = rng.standard_normal((n, p))
w = rng.standard_normal(p) * 0.3
z = X @ w + 0.3
y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
with open(out, "w") as f:
    f.write(",".join("x%d" % j for j in range(p)) + ",y\n")
    np.savetxt(f, np.column_stack([X, y]), fmt=["%.9g"] * p + ["%d"], delimiter=",")
