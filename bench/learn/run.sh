#!/bin/sh
# run.sh — the learning benchmark: logistic regression on 100,000 x 50
# generated rows (bench/learn/gen_data.py), fitted by lab and by
# scikit-learn on the same file in the same run, each in its own process,
# timing the fit only (best of 3), then the training accuracy of each.
# Run from the repository root (make bench does).
#   N=20000 P=20 sh bench/learn/run.sh     smaller data
#   PARTS="logistic gbm" sh bench/learn/run.sh
#                                          some parts only (of logistic, kmeans, trees; gbm is the trees without the forest)
set -e
PARTS=${PARTS:-logistic kmeans trees}
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# the comparison tools run without this machine's OpenBLAS tuning variables
# (they slow a current numpy); lab keeps the environment it is given, and runs
# with --no-track: recording every fit in the tracking store (params, figures,
# the model file) would add its own time to the fits timed here
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3"
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
get() { sed -n "s/^RESULT $2 //p" "$OUT/log_$1"; }
if part logistic; then
./lab run --no-track bench/learn/logistic_lab.lua "$DATA" >"$OUT/log_lab" 2>&1 || { cat "$OUT/log_lab" >&2; exit 1; }
$PY bench/learn/logistic_sklearn.py "$DATA" >"$OUT/log_sklearn" 2>&1 || { cat "$OUT/log_sklearn" >&2; exit 1; }
printf '\n%-40s %10s %12s %8s\n' "logistic regression, fit (best of 3)" "lab s" "sklearn s" "ratio"
printf '%-40s %10s %12s %7.1fx\n' "$N x $P, C=1, tol=1e-4" "$(get lab fit)" "$(get sklearn fit)" \
    "$(echo "$(get sklearn fit) / $(get lab fit)" | bc -l)"
printf '%-40s %10s %12s\n' "training accuracy" "$(get lab accuracy)" "$(get sklearn accuracy)"
printf '%-40s %10s %12s\n' "iterations" "$(get lab n_iter)" "$(get sklearn n_iter)"
printf '%-40s %10s %12s\n' "objective (mean log loss + penalty)" "$(get lab objective)" "$(get sklearn objective)"
# PyTorch's full-batch L-BFGS on the same objective and tolerance, when python3-torch is there
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    $PY bench/learn/logistic_torch.py "$DATA" >"$OUT/log_torch" 2>&1 || { cat "$OUT/log_torch" >&2; exit 1; }
    for t in 64 32; do
        printf '%-40s %10s %12s %7.1fx   accuracy %s, %s iterations, objective %s\n' \
            "  PyTorch L-BFGS, float$t (torch s)" "$(get lab fit)" "$(get torch fit$t)" \
            "$(echo "$(get torch fit$t) / $(get lab fit)" | bc -l)" "$(get torch accuracy_fit$t)" \
            "$(get torch n_iter_fit$t)" "$(get torch objective_fit$t)"
    done
else
    echo "  PyTorch: not installed (python3-torch), not compared"
fi
fi

# ---- k-means: k=8 on KN x KP (default 1,000,000 x 8) generated rows
# (bench/learn/gen_kmeans.py: 8 Gaussian blobs), k-means++ and one init on
# both sides, fit only, best of 3.   KN=100000 sh bench/learn/run.sh
if part kmeans; then
KN=${KN:-1000000}
KP=${KP:-8}
KDATA="$OUT/kmeans_${KN}_$KP.csv"
if [ ! -f "$KDATA" ] || [ bench/learn/gen_kmeans.py -nt "$KDATA" ]; then
    echo "generating $KN x $KP rows for k-means"
    /usr/bin/python3 bench/learn/gen_kmeans.py "$KN" "$KP" "$KDATA.tmp" && mv "$KDATA.tmp" "$KDATA"
fi
./lab run --no-track bench/learn/kmeans_lab.lua "$KDATA" >"$OUT/log_kmeans_lab" 2>&1 || { cat "$OUT/log_kmeans_lab" >&2; exit 1; }
$PY bench/learn/kmeans_sklearn.py "$KDATA" >"$OUT/log_kmeans_sklearn" 2>&1 ||
    { cat "$OUT/log_kmeans_sklearn" >&2; exit 1; }
printf '\n%-40s %10s %12s %8s\n' "k-means, fit (best of 3)" "lab s" "sklearn s" "ratio"
printf '%-40s %10s %12s %7.1fx\n' "$KN x $KP, k=8, k-means++, n_init=1" "$(get kmeans_lab fit)" "$(get kmeans_sklearn fit)" \
    "$(echo "$(get kmeans_sklearn fit) / $(get kmeans_lab fit)" | bc -l)"
printf '%-40s %10s %12s\n' "inertia (last fit)" "$(get kmeans_lab inertia)" "$(get kmeans_sklearn inertia)"
printf '%-40s %10s %12s\n' "iterations (last fit)" "$(get kmeans_lab n_iter)" "$(get kmeans_sklearn n_iter)"
fi

# ---- trees: a random forest of 100 trees and a gbm of 100 rounds on the logistic data
# (first 80% of the rows to fit, the rest to score; bench/learn/trees_*.{lua,py})
if part trees || part gbm; then
part trees || TREES=gbm
export TREES
./lab run --no-track bench/learn/trees_lab.lua "$DATA" >"$OUT/log_trees_lab" 2>&1 || { cat "$OUT/log_trees_lab" >&2; exit 1; }
$PY bench/learn/trees_sklearn.py "$DATA" >"$OUT/log_trees_sklearn" 2>&1 ||
    { cat "$OUT/log_trees_sklearn" >&2; exit 1; }
printf '\n%-40s %10s %12s %8s\n' "trees, fit on 80% of $N x $P" "lab s" "sklearn s" "ratio"
if [ "$TREES" != gbm ]; then
printf '%-40s %10s %12s %7.1fx\n' "forest, 100 trees (sklearn n_jobs=2)" "$(get trees_lab forest_fit)" \
    "$(get trees_sklearn forest_fit)" "$(echo "$(get trees_sklearn forest_fit) / $(get trees_lab forest_fit)" | bc -l)"
printf '%-40s %10s %12s\n' "forest, test accuracy" "$(get trees_lab forest_accuracy)" "$(get trees_sklearn forest_accuracy)"
fi
printf '%-40s %10s %12s %7.1fx\n' "gbm, 100 rounds (HistGradientBoosting)" "$(get trees_lab gbm_fit)" \
    "$(get trees_sklearn gbm_fit)" "$(echo "$(get trees_sklearn gbm_fit) / $(get trees_lab gbm_fit)" | bc -l)"
printf '%-40s %10s %12s\n' "gbm, test accuracy" "$(get trees_lab gbm_accuracy)" "$(get trees_sklearn gbm_accuracy)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
