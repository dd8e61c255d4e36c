#!/bin/sh
# test_repl.sh — `lab repl` in a real terminal (tmux): results and timing,
# multi-line chunks, completion of globals, methods, columns and file names,
# Ctrl-C out of an endless loop with the session intact, help, and history
# kept across sessions. Prints "N passed, N failed".
SCREEN_HISTORY=1
. tests/cli/tmux_lib.sh

# start: lab repl in a fresh tmux server
start() {
    tmux_start 100 40 "LAB_HOME='$home' NO_COLOR=1 $LAB repl; sleep 30"
    wait_for 'help() for help' || true
}

start
expect "banner" "help() for help, Ctrl-D to quit."
keys '6 * 7' Enter
expect "an expression prints its value" "42"
expect "every command shows its wall time" "[0.0"
line 'x = 10'
line 'x + 1;'
line '_ + 100'
expect "a trailing ; hides the result and _ holds it" "111"
keys 'function sq(n)' Enter
expect "an unfinished chunk continues on a second prompt" ">>"
line 'return n * n'
line 'end'
line 'sq(12)'
expect "the multi-line function works" "144"
keys 'error("boom")' Enter
expect "errors print with a traceback" "stack traceback:"
keys 'df = lab.read_csv("data/ir' Tab
expect "a file name completes inside a string" 'lab.read_csv("data/iris.csv"'
keys ')' Enter
keys 'df:desc' Tab
expect "a method completes" "df:describe("
keys ')' Enter
expect "describe prints as a table" "frame 8 rows × 5 columns"
keys 'df.spe' Tab
expect "a column name completes" "df.species"
keys C-u 'lab.read_' Tab Tab
expect "ambiguous completions are listed" "lab.read_sql("
keys C-u 'while true do end' Enter
sleep 0.5
keys C-c
expect "Ctrl-C stops an endless loop" "interrupted"
keys 'print(x .. "/" .. df:nrow())' Enter
expect "the session survives Ctrl-C" "10/150"
keys '?read_csv' Enter
expect "?name shows help" "lab.read_csv(path [, options]) -> frame"
keys 'help(df.head)' Enter
expect "help(fn) finds a method" "df:head([n])"
keys 'lab.read_csv("nope.csv")' Enter
expect "a bad file is one clear line" "nope.csv: No such file or directory"
keys C-d
i=0
while [ $i -lt 50 ] && ! grep -qF 'nope.csv' "$home/history" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done

# history survives into the next session
if grep -qF 'sq(12)' "$home/history" 2>/dev/null; then ok; else bad "history: expected $home/history to hold sq(12)"; fi
start
keys Up
expect "history is recalled with Up" 'lab.read_csv("nope.csv")'

finish
