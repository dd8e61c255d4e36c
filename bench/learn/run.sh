#!/bin/sh
# run.sh — the learning benchmark: logistic regression on 100,000 x 50
# generated rows (bench/learn/gen_data.py), fitted by lab and by
# scikit-learn on the same file in the same run, each in its own process,
# timing the fit only (best of 3), then the training accuracy of each.
# Run from the repository root (make bench does).
#   N=20000 P=20 sh bench/learn/run.sh     smaller data
set -e
N=${N:-100000}
P=${P:-50}
OUT=bench/out/learn
mkdir -p "$OUT"
[ -x ./lab ] || { echo "run.sh: ./lab is missing: run make first" >&2; exit 1; }
/usr/bin/python3 -c 'import sklearn, pandas' 2>/dev/null ||
    { echo "run.sh: python3-sklearn is missing: make deps-bench" >&2; exit 1; }
DATA="$OUT/logistic_${N}_$P.csv"
if [ ! -f "$DATA" ] || [ bench/learn/gen_data.py -nt "$DATA" ]; then
    echo "generating $N x $P rows"
    /usr/bin/python3 bench/learn/gen_data.py "$N" "$P" "$DATA.tmp" && mv "$DATA.tmp" "$DATA"
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
./lab run bench/learn/logistic_lab.lua "$DATA" >"$OUT/log_lab" 2>&1 || { cat "$OUT/log_lab" >&2; exit 1; }
/usr/bin/python3 bench/learn/logistic_sklearn.py "$DATA" >"$OUT/log_sklearn" 2>&1 || { cat "$OUT/log_sklearn" >&2; exit 1; }
get() { sed -n "s/^RESULT $2 //p" "$OUT/log_$1"; }
printf '\n%-40s %10s %12s %8s\n' "logistic regression, fit (best of 3)" "lab s" "sklearn s" "ratio"
printf '%-40s %10s %12s %7.1fx\n' "$N x $P, C=1, tol=1e-4" "$(get lab fit)" "$(get sklearn fit)" \
    "$(echo "$(get sklearn fit) / $(get lab fit)" | bc -l)"
printf '%-40s %10s %12s\n' "training accuracy" "$(get lab accuracy)" "$(get sklearn accuracy)"
printf '%-40s %10s %12s\n' "iterations" "$(get lab n_iter)" "$(get sklearn n_iter)"
