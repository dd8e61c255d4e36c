#!/usr/bin/python3
"""logistic_torch.py DATA.csv — PyTorch's side of the logistic regression
benchmark: full-batch L-BFGS (torch.optim.LBFGS, strong Wolfe line search) on
scikit-learn's objective, C * sum(log loss) + |w|^2 / 2 with the intercept
unpenalised, C=1, stopping when the largest gradient entry is below 1e-4 or
after 100 iterations; float64 (as lab and scikit-learn) and float32 (PyTorch's
usual type). Three fits each, the best time, and the training accuracy."""
import sys
import time

import pandas as pd
import torch

torch.set_num_threads(2)
df = pd.read_csv(sys.argv[1])
X_all = torch.tensor(df.drop(columns=["y"]).to_numpy(dtype=float))
y_all = torch.tensor(df["y"].to_numpy(dtype=float))


def fit(dtype):
    X = X_all.to(dtype)
    y = y_all.to(dtype)
    w = torch.zeros(X.shape[1], dtype=dtype, requires_grad=True)
    b = torch.zeros(1, dtype=dtype, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1, max_iter=100, tolerance_grad=1e-4, tolerance_change=0,
                            history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = X @ w + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum") + 0.5 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        acc = (((X @ w + b) > 0).to(dtype) == y).to(torch.float64).mean().item()
    return acc


for dtype, name in ((torch.float64, "fit64"), (torch.float32, "fit32")):
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        acc = fit(dtype)
        best = min(best, time.perf_counter() - t)
    print("RESULT %s %.4f" % (name, best))
    print("RESULT accuracy_%s %.6f" % (name, acc))
print("RESULT version %s" % torch.__version__)
