"""compare_describe.py — lab's describe() of x1..x8 beside pandas' describe().

usage: /usr/bin/python3 bench/csv/compare_describe.py OUTDIR
Reads OUTDIR/describe_lab.csv and OUTDIR/describe_pandas.csv and prints lab's
table (stat x column), then per statistic the largest relative difference
from pandas over the columns, and where it occurs; the same against
OUTDIR/describe_pandas_exact.csv (pandas with its correctly rounded float
parser) when that file exists."""
import csv
import math
import sys

outdir = sys.argv[1]
STATS = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]


def load(path):
    with open(path, newline="") as fp:
        rows = list(csv.reader(fp))
    return rows[0][1:], {r[0]: [float(v) if v not in ("", "NA") else math.nan for v in r[1:]] for r in rows[1:]}


try:
    lcols, lab = load(outdir + "/describe_lab.csv")
except FileNotFoundError:
    print("describe: not available")
    sys.exit(0)


def compare(title, pan):
    print()
    print("%-8s %14s  %s" % ("stat", "max rel.diff", "(column: lab | " + title + ")"))
    worst_all = 0.0
    for stat in STATS:
        if stat not in lab or stat not in pan:
            print("%-8s missing in %s" % (stat, "lab" if stat not in lab else title))
            worst_all = math.inf
            continue
        worst, at = 0.0, 0
        for k in range(len(lcols)):
            a, b = lab[stat][k], pan[stat][k]
            rel = 0.0 if a == b else abs(a - b) / max(abs(b), 1e-300)
            if rel > worst or math.isnan(rel):
                worst, at = rel, k
        print("%-8s %14.2e  (%s: %.17g | %.17g)" % (stat, worst, lcols[at], lab[stat][at], pan[stat][at]))
        worst_all = max(worst_all, worst)
    print("describe: largest relative difference lab vs %s: %.2e" % (title, worst_all))


pcols, pan = load(outdir + "/describe_pandas.csv")
if lcols != pcols:
    print("describe: columns differ: lab %s, pandas %s" % (lcols, pcols))
    sys.exit(1)
print("lab:    " + "".join("%13s" % c for c in lcols))
for stat in STATS:
    if stat in lab:
        print("%-8s" % stat + "".join("%13.6g" % v for v in lab[stat]))
compare("pandas", pan)
try:
    _, exact = load(outdir + "/describe_pandas_exact.csv")
    compare("pandas round_trip", exact)
except FileNotFoundError:
    pass
