"""log_sqlite.py — the baseline a Python user would write without a tracking
server: SQLite through Python's sqlite3 module, one call per point, the same
schema shape (run, key, step, value, timestamp) and the same crash guarantee
(WAL, synchronous=NORMAL, one commit per step). MLflow itself cannot be
installed here (not in Debian; PyPI is not reachable), see bench/RESULTS.md.
    python3 bench/track/log_sqlite.py DB [N] [K]"""
import sqlite3, sys, time

db, n, k = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000000, int(sys.argv[3]) if len(sys.argv) > 3 else 5
con = sqlite3.connect(db, isolation_level=None)
con.execute("pragma journal_mode=wal")
con.execute("pragma synchronous=normal")
con.execute("create table if not exists metrics(run integer, key text, step integer, value real, ts integer)")
con.execute("create index if not exists metrics_run on metrics(run, key, step)")
names = ["metric_%d" % i for i in range(1, k + 1)]
steps = n // k
t0 = time.perf_counter()
pending = []
def log(key, value, step):
    global pending
    if pending and pending[-1][2] != step:
        con.execute("begin")
        con.executemany("insert into metrics values(?,?,?,?,?)", pending)
        con.execute("commit")
        pending = []
    pending.append((1, key, step, value, int(time.time() * 1000)))
for step in range(1, steps + 1):
    for i in range(k):
        log(names[i], step * 0.001 + i + 1, step)
if pending:
    con.execute("begin"); con.executemany("insert into metrics values(?,?,?,?,?)", pending); con.execute("commit")
dt = time.perf_counter() - t0
print("RESULT points %d" % (steps * k))
print("RESULT seconds %.3f" % dt)
print("RESULT rate %.0f" % (steps * k / dt))
