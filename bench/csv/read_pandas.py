"""read_pandas.py — time pandas.read_csv on the benchmark file.

usage: /usr/bin/python3 bench/csv/read_pandas.py FILE.csv OUTDIR [exact]
Prints "RESULT pandas <best> <t1> <t2> <t3>" (wall seconds around the read
call only), "DESCRIBE pandas <best>" (describe() of x1..x8, best of 3) and
writes OUTDIR/describe_pandas.csv.
With "exact": no timing; one read with float_precision="round_trip" (pandas'
correctly rounded parser; its default one may be an ulp off) into
OUTDIR/describe_pandas_exact.csv. Run with Debian's python3 (python3-pandas),
not a pyenv one."""
import gc
import sys
import time

import pandas as pd

path, outdir = sys.argv[1], sys.argv[2]
COLS = ["x%d" % k for k in range(1, 9)]
if len(sys.argv) > 3 and sys.argv[3] == "exact":
    d = pd.read_csv(path, float_precision="round_trip")[COLS].describe()
    d.to_csv(outdir + "/describe_pandas_exact.csv", index_label="stat", float_format="%.17g")
    sys.exit(0)
times = []
df = None
for _ in range(3):
    df = None
    gc.collect()
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    times.append(time.perf_counter() - t0)
print("RESULT pandas %.4f %.4f %.4f %.4f" % (min(times), *times))
print("version pandas", pd.__version__)
print("shape %d x %d" % df.shape)
print("types " + ",".join(str(t) for t in df.dtypes))
sel = df[COLS]
dt = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    d = sel.describe()
    dt = min(dt, time.perf_counter() - t0)
print("DESCRIBE pandas %.4f" % dt)
print(d.to_string())
d.to_csv(outdir + "/describe_pandas.csv", index_label="stat", float_format="%.17g")
