#!/bin/sh
# run.sh — the workbench benchmark (issue 4): how long `lab` takes from start
# to its first complete screen, and how long the data viewer takes to redraw
# one page while scrolling through a frame of 10,000,000 rows (median).
# Goals: first screen under 100 ms; a page under 5 ms.
#
# Timing comes from inside lab: LAB_DRAW_LOG=FILE makes the data viewer
# append "data_draw MS ..." for each of its draws (the pane's own drawing, all
# of its cells formatted and put into its curses window), and, where the
# workbench writes them, "first_screen MS" (process start to the first
# doupdate) and "redraw MS" (one loop turn's drawing and doupdate). Where the
# workbench does not log first_screen, the first screen is timed from outside:
# the wall time from starting lab in tmux to the key bar appearing in
# capture-pane, polled every few milliseconds (an upper bound: it includes
# tmux's latency and the polling, but not tmux's own start). Run from the repository root: sh bench/tui/run.sh
#   PAGES=500 RUNS=9 sh bench/tui/run.sh
set -e
PAGES=${PAGES:-300}
RUNS=${RUNS:-7}
LAB=${LAB:-./lab}
OUT=bench/out/tui
mkdir -p "$OUT"
[ -x "$LAB" ] || { echo "run.sh: $LAB is missing: run make first" >&2; exit 1; }
command -v tmux >/dev/null || { echo "run.sh: tmux is missing: make deps" >&2; exit 1; }
T="tmux -L lab-bench-$$"
home=$(mktemp -d)
trap '$T kill-server 2>/dev/null; rm -rf "$home"' EXIT
now_ms() { date +%s%N | awk '{ printf "%.3f", $1 / 1e6 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
wait_for() { # wait_for TEXT [TRIES]: poll the screen, 2 ms apart
    i=0
    while [ $i -lt "${2:-5000}" ]; do
        $T capture-pane -p 2>/dev/null | grep -qF -- "$1" && return 0
        i=$((i + 1))
    done
    return 1
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$OUT/big.csv" ]; then
    { echo x; seq 1 10000000; } >"$OUT/big.csv"
fi

# 1. start to first complete screen
: >"$OUT/first_outside"
: >"$OUT/first_inside"
r=0
while [ $r -lt "$RUNS" ]; do
    log="$OUT/log_start_$r"
    rm -f "$log"
    # tmux and the shell start first; lab starts when the shell reads a line
    $T new-session -d -x 100 -y 30 "echo ready; read go; LAB_DRAW_LOG='$log' LAB_HOME='$home' exec $LAB"
    wait_for "ready"
    t0=$(now_ms)
    $T send-keys Enter
    wait_for "F1Help" || { echo "run.sh: the workbench did not start" >&2; exit 1; }
    t1=$(now_ms)
    echo "$t1 $t0" | awk '{ printf "%.3f\n", $1 - $2 }' >>"$OUT/first_outside"
    grep '^first_screen ' "$log" 2>/dev/null | head -n 1 | awk '{ print $2 }' >>"$OUT/first_inside" || true
    $T kill-server 2>/dev/null || true
    sleep 0.2
    r=$((r + 1))
done

# 2. a page of the data viewer while scrolling through 10,000,000 rows
log="$OUT/log_scroll"
rm -f "$log"
$T new-session -d -x 100 -y 30 "LAB_DRAW_LOG='$log' LAB_HOME='$home' $LAB; sleep 30"
wait_for "F1Help"
$T send-keys -l "big = lab.read_csv('$OUT/big.csv'); big.y = big.x * 0.5; big.half = big.x:gt(5000000)"
$T send-keys Enter
$T send-keys -l "lab.view(big)"
$T send-keys Enter
wait_for "Data: big" 
$T send-keys j
wait_for "row 2/10000000"
# start in the middle, then page down PAGES times
$T send-keys :
sleep 0.3
$T send-keys -l 5000000
$T send-keys Enter
wait_for "row 5000000/10000000"
: >"$log"
p=0
while [ $p -lt "$PAGES" ]; do
    $T send-keys PgDn
    p=$((p + 1))
done
# wait until the viewer has drawn every page
i=0
while [ $i -lt 3000 ] && [ "$(grep -c '^data_draw' "$log")" -lt "$PAGES" ]; do sleep 0.01; i=$((i + 1)); done
grep '^data_draw' "$log" | awk '{ print $2 }' >"$OUT/pages"
grep '^redraw ' "$log" | awk '{ print $2 }' >"$OUT/redraws" || true
$T kill-server 2>/dev/null || true

first_in=$(median <"$OUT/first_inside")
first_out=$(median <"$OUT/first_outside")
page=$(median <"$OUT/pages")
page_max=$(sort -n "$OUT/pages" | tail -n 1)
redraw=$(median <"$OUT/redraws")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measure | median | goal |"
echo "| --- | ---: | ---: |"
echo "| start to first complete screen, inside lab (first_screen) | $first_in ms | < 100 ms |"
echo "| start to first complete screen, seen from tmux ($RUNS runs) | $first_out ms | < 100 ms |"
echo "| data viewer: draw one page of a 10,000,000-row frame ($(wc -l <"$OUT/pages") pages, max $page_max ms) | $page ms | < 5 ms |"
echo "| one loop turn's redraw with doupdate (redraw) | $redraw ms | < 5 ms |"
