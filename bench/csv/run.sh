#!/bin/sh
# run.sh — the CSV benchmark: lab.read_csv against pandas.read_csv and
# data.table::fread on one generated 1,000,000 x 12 file.
#
# Generates bench/out/csv_<ROWS>.csv once (bench/csv/gen_csv.c, deterministic),
# then runs each reader in its own process: best of 3 wall times measured
# inside the process around the read call only, and the process's peak
# resident memory (/usr/bin/time -f %M). Then describe() of the 8 number
# columns, lab beside pandas. Run from the repository root (make bench does).
#   ROWS=100000 sh bench/csv/run.sh     a smaller file
#   SKIP=fread sh bench/csv/run.sh      leave a reader out (lab, lab1, pandas, fread)
set -e
ROWS=${ROWS:-1000000}
OUT=bench/out
CSV=$OUT/csv_$ROWS.csv
mkdir -p "$OUT"
[ -x ./lab ] || { echo "run.sh: ./lab is missing: run make first" >&2; exit 1; }
for t in /usr/bin/time /usr/bin/python3 Rscript; do
    command -v "$t" >/dev/null || { echo "run.sh: $t is missing: make deps-bench" >&2; exit 1; }
done

cc -O2 -std=c11 -Wall -Wextra -o "$OUT/gen_csv" bench/csv/gen_csv.c -lm
if [ ! -s "$CSV" ] || [ bench/csv/gen_csv.c -nt "$CSV" ]; then
    echo "generating $CSV ($ROWS rows)"
    "$OUT/gen_csv" "$ROWS" "$CSV.part" && mv "$CSV.part" "$CSV"
fi
echo "file: $CSV, $(wc -c <"$CSV") bytes, $(($(wc -l <"$CSV") - 1)) rows"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$OUT/describe_lab.csv" "$OUT/describe_pandas.csv" "$OUT/describe_pandas_exact.csv"

skip() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }
# run NAME OUTFILE CMD...: the command under /usr/bin/time, peak KB into $OUT/mem_NAME
run() {
    name=$1
    shift
    if ! /usr/bin/time -f %M -o "$OUT/mem_$name" "$@" >"$OUT/log_$name" 2>&1; then
        echo "run.sh: $name failed:" >&2
        tail -n 5 "$OUT/log_$name" >&2
        echo "RESULT $name failed" >"$OUT/log_$name"
    fi
    grep '^RESULT' "$OUT/log_$name" | sed "s/^RESULT [a-z0-9]*/RESULT $name/" >"$OUT/res_$name"
}
skip lab || run lab ./lab run bench/csv/read_lab.lua "$CSV" "$OUT" 0
skip lab1 || run lab1 ./lab run bench/csv/read_lab.lua "$CSV" "$OUT" 1
# pandas: Debian's python3; the OpenBLAS tuning variables of this machine are
# dropped for it only
skip pandas || run pandas env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/csv/read_pandas.py "$CSV" "$OUT"
skip fread || run fread Rscript bench/csv/read_fread.R "$CSV"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# the table: best of 3 seconds, peak MB, and each reader against lab
echo
for n in lab lab1 pandas fread; do
    [ -s "$OUT/res_$n" ] || continue
    printf '%s %s\n' "$(cat "$OUT/res_$n")" "$(tail -n 1 "$OUT/mem_$n")"
done | awk '
    { name[NR] = $2; sec[NR] = $3; t[NR] = $4 " " $5 " " $6; mb[NR] = $NF / 1024
      if ($2 == "lab") { ls = $3; lm = $NF / 1024 } }
    END {
        label["lab"] = "lab.read_csv (all cores)"; label["lab1"] = "lab.read_csv (1 thread)"
        label["pandas"] = "pandas.read_csv"; label["fread"] = "data.table::fread (all cores)"
        printf "%-30s %9s %9s %12s %12s   %s\n", "reader", "seconds", "peak MB", "time / lab", "mem / lab", "(3 runs, s)"
        for (i = 1; i <= NR; i++) {
            if (sec[i] == "failed") { printf "%-30s failed\n", label[name[i]]; continue }
            rt = ls > 0 ? sprintf("%.2fx", sec[i] / ls) : "-"
            rm = lm > 0 ? sprintf("%.2fx", mb[i] / lm) : "-"
            printf "%-30s %9.3f %9.0f %12s %12s   %s\n", label[name[i]], sec[i], mb[i], rt, rm, t[i]
        }
        print ""
        print "time / lab > 1: lab is faster; mem / lab > 1: lab uses less memory."
    }'
echo
grep -h '^version\|^shape\|^types\|^clock' "$OUT"/log_lab "$OUT"/log_pandas "$OUT"/log_fread 2>/dev/null | sed 's/^/  /'
echo
dl=$(sed -n 's/^DESCRIBE lab //p' "$OUT/log_lab" 2>/dev/null)
dp=$(sed -n 's/^DESCRIBE pandas //p' "$OUT/log_pandas" 2>/dev/null)
if [ -n "$dl" ] && [ -n "$dp" ]; then
    awk -v l="$dl" -v p="$dp" 'BEGIN { printf "describe() of x1..x8 (best of 3): lab %.4f s, pandas %.4f s, pandas / lab %.2fx\n", l, p, p / l }'
    echo
fi
echo "describe() of x1..x8, lab beside pandas"
if grep -q '^describe: not available' "$OUT/log_lab" 2>/dev/null; then
    echo "describe: not available"
else
    # pandas' correctly rounded parser too (untimed), to tell parse error from statistics error
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/csv/read_pandas.py "$CSV" "$OUT" exact
    /usr/bin/python3 bench/csv/compare_describe.py "$OUT"
fi
