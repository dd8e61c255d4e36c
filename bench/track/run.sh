#!/bin/sh
# run.sh — the tracking benchmark: metric points logged per second from Lua
# (lab) against SQLite through Python's sqlite3 with the same commit-per-step
# guarantee, and the time `lab runs list` takes over 10,000 runs.
# Run from the repository root (make bench does).
#   N=200000 R=1000 sh bench/track/run.sh     smaller
set -e
N=${N:-1000000}
K=${K:-5}
R=${R:-10000}
OUT=bench/out/track
rm -rf "$OUT"
mkdir -p "$OUT"
# the bench notebooks' own runs go here, not into the checkout's .lab
LAB_HOME="$OUT/home"
export LAB_HOME
[ -x ./lab ] || { echo "run.sh: ./lab is missing: run make first" >&2; exit 1; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
./lab run bench/track/log_lab.lua "$OUT/lab" "$N" "$K" >"$OUT/log_lab" 2>&1 || { cat "$OUT/log_lab" >&2; exit 1; }
python3 bench/track/log_sqlite.py "$OUT/py.db" "$N" "$K" >"$OUT/log_py" 2>&1 || { cat "$OUT/log_py" >&2; exit 1; }
get() { sed -n "s/^RESULT $2 //p" "$OUT/log_$1"; }
printf '\n%-44s %12s %12s %8s\n' "log $N points, $K metrics per step" "lab pts/s" "python pts/s" "ratio"
printf '%-44s %12s %12s %7.1fx\n' "one call per point, each step kill-safe" "$(get lab rate)" "$(get py rate)" \
    "$(echo "$(get lab rate) / $(get py rate)" | bc -l)"
./lab run bench/track/make_runs.lua "$OUT/runs" "$R" >"$OUT/log_make" 2>&1 || { cat "$OUT/log_make" >&2; exit 1; }
# best of 5 of the whole command, as a user runs it
best=$(python3 - "$OUT/runs" <<'PY'
import os, subprocess, sys, time
env = dict(os.environ, LAB_HOME=sys.argv[1])
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(["./lab", "runs", "list"], env=env, stdout=subprocess.DEVNULL, check=True)
    best = min(best, time.perf_counter() - t)
print("%.4f" % best)
PY
)
lines=$(LAB_HOME="$OUT/runs" ./lab runs list | wc -l)
printf '%-44s %12s  (%s lines)\n' "lab runs list, $R runs (best of 5)" "${best}s" "$lines"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
