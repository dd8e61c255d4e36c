#!/bin/sh
# run.sh — the plot benchmark: a 1,000,000-point scatter and a 100-bin
# histogram of 10,000,000 values, each written to an 800x600 PNG, by lab and
# by matplotlib (Agg) on the same generated data in the same run. Each side
# runs in its own process and times the plot call only (best of 3); the CSV
# reads are reported apart. Then lab's start-up: `lab run` of an empty script,
# and a check that PLplot is not loaded before the first plot.
# Run from the repository root (make bench does).
#   N=100000 M=1000000 sh bench/plot/run.sh     smaller data
set -e
N=${N:-1000000}
M=${M:-10000000}
OUT=bench/out/plot
mkdir -p "$OUT"
[ -x ./lab ] || { echo "run.sh: ./lab is missing: run make first" >&2; exit 1; }
/usr/bin/python3 -c 'import matplotlib, pandas' 2>/dev/null ||
    { echo "run.sh: python3-matplotlib is missing: make deps-bench" >&2; exit 1; }

cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$OUT/gen_plot" bench/plot/gen_plot.c -lm
stamp="$OUT/data_${N}_$M"
if [ ! -f "$stamp" ] || [ bench/plot/gen_plot.c -nt "$stamp" ]; then
    echo "generating $N scatter points and $M histogram values"
    "$OUT/gen_plot" "$N" "$M" "$OUT"
    touch "$stamp"
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

./lab run bench/plot/plot_lab.lua "$OUT" >"$OUT/log_lab" 2>&1 || { cat "$OUT/log_lab" >&2; exit 1; }
/usr/bin/python3 bench/plot/plot_mpl.py "$OUT" >"$OUT/log_mpl" 2>&1 || { cat "$OUT/log_mpl" >&2; exit 1; }

get() { sed -n "s/^RESULT $2 //p" "$OUT/log_$1"; }
printf '\n%-34s %10s %12s %8s\n' "plot (to PNG, best of 3)" "lab s" "matplotlib s" "ratio"
for t in scatter hist; do
    l=$(get lab $t)
    m=$(get mpl $t)
    case $t in
    scatter) what="scatter, $N points" ;;
    hist) what="hist, $M values, 100 bins" ;;
    esac
    printf '%-34s %10s %12s %7.1fx\n' "$what" "$l" "$m" "$(echo "$m / $l" | bc -l)"
done
printf '%-34s %10s %12s\n' "(reading the CSVs, not compared)" "$(get lab read)" "$(get mpl read)"

# start-up: best of 5 wall times of an empty script
empty="$OUT/empty.lua"
: >"$empty"
best=999
for _ in 1 2 3 4 5; do
    t=$( { /usr/bin/time -f %e ./lab run "$empty" >/dev/null; } 2>&1)
    best=$(echo "if ($t < $best) $t else $best" | bc -l)
done
echo
echo "lab run of an empty script: ${best}s (best of 5; goal under 0.05 s)"
cat >"$OUT/lazy.lua" <<'LUA'
local function driver()
  local f = io.open("/proc/self/maps"); local s = f:read("a"); f:close()
  return s:find("plplot", 1, true) and s:find("drivers/cairo.so", 1, true) and "loaded" or "not loaded"
end
print("PLplot's cairo driver before the first plot: " .. driver())
local df = lab.read_csv("data/iris.csv")
local t0 = lab.clock()
lab.plot.hist(df, "sepal_width", {file = arg[1] .. "/lazy.png"})
local first = lab.clock() - t0
t0 = lab.clock()
lab.plot.hist(df, "sepal_width", {file = arg[1] .. "/lazy.png"})
print(string.format("after it: %s; first plot %.3f s, second %.3f s", driver(), first, lab.clock() - t0))
LUA
./lab run "$OUT/lazy.lua" "$OUT"
