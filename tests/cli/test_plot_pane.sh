#!/bin/sh
# test_plot_pane.sh — the workbench's plot view (tmux): a plot made at the
# REPL without a file shows in the pane with its title, tick labels and
# legend; the pane re-fits when the window grows from 80x24 to 140x45 and
# shrinks back; earlier plots are reachable ("Plot 1 of 2"); the save key
# writes a PNG (checked by its signature) and an SVG, and a bad path gives a
# one-line error; without UTF-8 the plot is drawn in ASCII. Every check reads
# the screen or the written file. Prints "N passed, N failed".
. tests/cli/tmux_lib.sh

# start LOCALE [ENV...]: lab in a fresh tmux server of its own, 80x24
start() {
    loc=$1
    shift
    tmux_start 80 24 "env LANG=$loc LC_ALL=$loc LAB_HOME='$home/$n' $* $LAB; sleep 30"
    wait_for 'F10' || true
}

# the bytes of the x axis line (└───┬──): grows with the pane's width
axis_len() { screen | grep '└' | head -n 1 | sed 's/ *$//' | wc -c; }
# wait_axis CMP N: up to 5 s for axis_len CMP N (-gt, -eq)
wait_axis() {
    i=0
    while [ $i -lt 50 ]; do
        [ "$(axis_len)" "$1" "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

start C.UTF-8
expect "the plot pane is there before any plot" "F10Quit"
line 'df = lab.read_csv("data/iris.csv")'
line 'lab.plot.scatter(df, "sepal_length", "sepal_width", {color = "species"});'
expect "a plot without a file lands in the plot pane" "Plot 1 of 1"
expect "the plot's title is drawn" "sepal_width by sepal_length"
expect_re "the x tick labels are drawn under the axis" '^ +5 +6 +7 +8 *$'
expect_re "the y tick labels are drawn beside the axis" '^4┤'
expect "the legend names the groups" "■ setosa  ■ versicolor  ■ virginica"
expect "the x axis label is drawn" "sepal_length"
expect_re "typing goes on at the REPL after a plot" 'REPL \*'

w80=$(axis_len)
$T resize-window -x 140 -y 45
if wait_axis -gt $((w80 + 100)); then ok; else bad "at 140x45 the plot uses more columns (axis $(axis_len) bytes, was $w80)"; fi
expect "at 140x45 the x axis gets finer ticks" "7.5"
expect_re "at 140x45 the y axis gets finer ticks" '^3┤'
$T resize-window -x 80 -y 24
if wait_axis -eq "$w80"; then ok; else bad "back at 80x24 the plot fits again (axis $(axis_len) bytes, expected $w80)"; fi
expect_not "back at 80x24 the finer ticks are gone" "7.5"

line 'h = lab.plot.hist(df, "petal_length")'
expect "a second plot is shown and counted" "Plot 2 of 2"
expect "the second plot is a histogram" "hist: petal_length"
keys F4
expect "F4 gives the keys to the plot pane: the bar shows them" "pPrev nNext sSave"
keys p
expect "p shows the previous plot" "Plot 1 of 2"
expect "the previous plot is the scatter again" "■ setosa"
keys n
expect "n shows the next plot" "Plot 2 of 2"
keys Home
expect "Home shows the first plot" "Plot 1 of 2"

keys s
expect "s asks where to save, offering a name from the title" "sepal_width_by_sepal_length.png"
keys C-u
$T send-keys -l "$home/scatter.png"
keys Enter
expect "saving says where it went" "saved plot to $home/scatter.png"
sig=$(head -c 8 "$home/scatter.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
if [ "$sig" = "89504e470d0a1a0a" ]; then ok; else bad "the saved file is a PNG (signature '$sig')"; fi
keys s
wait_for "Save plot to" || true
keys C-u
$T send-keys -l "$home/scatter.svg"
keys Enter
expect "an .svg path saves SVG" "saved plot to $home/scatter.svg"
if grep -q '<svg' "$home/scatter.svg" 2>/dev/null; then ok; else bad "the .svg file holds an <svg> element"; fi
keys s
wait_for "Save plot to" || true
keys C-u
$T send-keys -l "$home/no/such/dir/x.png"
keys Enter
expect "a path that cannot be written gives a one-line error" "cannot write '$home/no/such/dir/x.png'"
keys s
wait_for "Save plot to" || true
keys C-u
$T send-keys -l "$home/x.jpg"
keys Enter
expect "an unknown extension is refused" "unknown file extension '.jpg'"

# no UTF-8, no colour: ASCII drawing
start C NO_COLOR=1
line 'df = lab.read_csv("data/iris.csv")'
line 'lab.plot.scatter(df, "sepal_length", "sepal_width", {color = "species"});'
expect "without UTF-8 the header uses ASCII" "Plot 1 of 1 - scatter"
expect_re "without UTF-8 the axes are ASCII" '^4\+'
expect "without UTF-8 the legend is ASCII" "# setosa  # versicolor  # virginica"
braille=$(printf '\342[\240-\243]')
if screen | LC_ALL=C grep -q "$braille"; then bad "without UTF-8 no braille is drawn"; else ok; fi

finish
