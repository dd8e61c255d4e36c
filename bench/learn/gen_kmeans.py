#!/usr/bin/python3
"""gen_kmeans.py N P OUT.csv — the k-means benchmark's data.

N rows of P features x0..x{P-1}: 8 Gaussian blobs (standard deviation 2)
around centres drawn uniformly in [-10, 10]^P (numpy seed 42), rows
assigned to blobs at random. Both sides of the benchmark read this file.
"""
import sys

import numpy as np

n, p, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(42)
centres = rng.uniform(-10, 10, size=(8, p))
X = centres[rng.integers(0, 8, size=n)] + 2 * rng.standard_normal((n, p))
with open(out, "w") as f:
    f.write(",".join("x%d" % j for j in range(p)) + "\n")
    np.savetxt(f, X, fmt="%.9g", delimiter=",")
