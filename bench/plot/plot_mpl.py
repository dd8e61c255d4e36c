# plot_mpl.py DIR — matplotlib's side of the plot benchmark (Agg backend):
# best of 3 of each plot written to PNG (800x600 at 100 dpi), timed around the
# plot call only. Prints "RESULT name seconds".
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

d = sys.argv[1]
t0 = time.perf_counter()
s = pd.read_csv(d + "/scatter.csv")
h = pd.read_csv(d + "/hist.csv")
print("RESULT read %.4f" % (time.perf_counter() - t0))
x, y, v = s["x"].to_numpy(), s["y"].to_numpy(), h["v"].to_numpy()


def best(fn):
    b = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        fn()
        b = min(b, time.perf_counter() - t)
    return b


def scatter():
    fig, ax = plt.subplots(figsize=(8, 6), dpi=100)
    ax.scatter(x, y, s=2)
    ax.set_title("y by x")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    fig.savefig(d + "/scatter_mpl.png")
    plt.close(fig)


def hist():
    fig, ax = plt.subplots(figsize=(8, 6), dpi=100)
    ax.hist(v, bins=100)
    ax.set_title("v")
    ax.set_xlabel("v")
    ax.set_ylabel("count")
    fig.savefig(d + "/hist_mpl.png")
    plt.close(fig)


print("RESULT scatter %.4f" % best(scatter))
print("RESULT hist %.4f" % best(hist))
