#!/bin/sh
# test_vars_pane.sh — the workbench's variables pane (tmux): a frame, a
# column, plain tables, a plot and a GroupBy each get a row with the right
# type, shape and memory, sorted by name, with the standard libraries and lab
# left out; the list follows the session; Enter opens a frame and a column in
# the data viewer, a plot in the plot view and prints a table at the REPL.
# Every check reads the screen. Prints "N passed, N failed".
. tests/cli/tmux_lib.sh

start() {
    tmux_start 100 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 LAB_HOME='$home/$n' $* $LAB; sleep 30"
    wait_for 'F10' || true
}


start
line 'df = lab.read_csv("data/iris.csv")'
line 'sl = df.sepal_length; tbl = {a = 1, b = {2, 3}, c = "x"}; items = {10, 20}'
line 'gb = df:group_by("species"); sc = lab.plot.scatter(df, "sepal_length", "sepal_width", {file = "'"$home"'/s.png"})'
keys F7
expect "F7 opens the variables pane, counting what it lists" "Variables: 6"
expect_re "the columns are headed" '^ name +type +shape +memory +details'
expect_re "a frame: rows × cols and its memory" '^ df +frame +150 × 5 +[0-9.]+ KiB +sepal_length, sepal_width'
expect_re "a GroupBy: its groups" '^ gb +GroupBy +3 groups +— +GroupBy\(species'
expect_re "a list table: its length, no memory" '^ items +table +2 items +— *$'
expect_re "a plot: its kind and memory" '^ sc +plot +scatter +[0-9.]+ (B|KiB) +scatter: sepal_width by sepal_length'
expect_re "a column: its length and memory" '^ sl +column +150 +[0-9.]+ KiB +number, from sepal_length'
expect_re "a table with keys: its key count" '^ tbl +table +3 keys +—'
rows=$(screen | grep -E '^ (df|gb|items|sc|sl|tbl) ' | awk '{print $1}' | tr '\n' ' ')
if [ "$rows" = "df gb items sc sl tbl " ]; then ok; else bad "the rows are sorted by name (got '$rows')"; fi
expect_no_re "standard libraries, lab and functions are left out" '^ (string|math|table|io|os|lab|_G|package|help|utf8|debug|coroutine) +(table|function) '
expect "the bar shows the pane's keys" "EnterOpen"

keys F2
line 'zz = {}; items = nil'
expect_re "the list on show follows the session as chunks run" '^ zz +table +0 keys'
keys F7
expect_re "the list follows the session: a new variable" '^ zz +table +0 keys'
expect_no_re "the list follows the session: a removed variable" '^ items '

keys Enter
expect "Enter on the frame opens the data viewer" "Data: df"
expect "the data viewer shows the frame" "sepal_width"
keys F7
keys j j j
expect_re "j moves the selection (shown by name in the list)" '^ sl +column'
keys Enter
expect "Enter on a column opens it in the data viewer as a frame" "Data: sl"
expect_re "a column opens as one column" '150 rows × 1 col'
keys F7
keys k
keys Enter
expect "Enter on a plot shows it in the plot view" "scatter: sepal_width by sepal_length"
expect "the plot view draws it" "sepal_width by sepal_length"
keys F7
keys G
keys Enter
expect "Enter on a table prints it at the REPL" 'zz = {}'
keys k
keys Enter
expect "a table prints pretty, keys sorted" 'a = 1'

finish
