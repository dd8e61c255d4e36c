#!/bin/sh
# test_runs_pane.sh — the workbench's runs pane (tmux): runs recorded from
# the REPL are listed with their metrics; sorting by a metric changes the
# order; marking and `c` compare two runs side by side, `d` keeps only the
# differences; `p` overlays a metric's curves in the plot view; Enter shows a
# run in full; F9 promotes the session and the new run appears selected; `r`
# registers its model with an alias, and a run without a model says so; a
# run written by another process appears by itself; `e` switches experiments;
# 80x24 works. Every check reads the screen. Prints "N passed, N failed".
. tests/cli/tmux_lib.sh

start() {
    tmux_start "$1" "$2" "env LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1 LAB_HOME='$home/store' $LAB; echo LAB-EXIT=\$?; sleep 30"
    wait_for 'F10' || true
}

# the data rows of the list: "[mark] id8 name ..." (the id is 8 hex digits)
rows() { screen | grep -E '^(●|\*| ) [0-9a-f]{8}  '; }
first_row() { rows | head -n 1; }

start 100 30
line 'lab.params{C = 1}; lab.log("acc", 0.5); for i = 1, 5 do lab.log("loss", 1 / i) end; lab.end_run()'
line 'lab.params{C = 2}; lab.log("acc", 0.9); for i = 1, 5 do lab.log("loss", 2 / i) end; lab.end_run()'
keys F5
expect "F5 opens the runs pane on the session's experiment" "Runs: experiment Default (the session's)"
expect "the title counts the runs" "2 runs"
expect_re "the columns: id, name, status, start, duration, then the metrics" '^  id +name +status +start +duration +acc +loss'
expect_re "a run's row: id8, name, status and its metrics' latest values" '^  [0-9a-f]{8}  session [0-9a-f]{6} +finished +[0-9]{2}-[0-9]{2} [0-9:]{5} +[0-9.]+s +0.9 +0.4$'
expect_re "the other run's row" '^  [0-9a-f]{8}  session [0-9a-f]{6} +finished .* 0.5 +0.2$'
expect "the bar shows the pane's keys" "SpaceMark cCompare pPlot rRegister"
expect "the bar shows F9 Promote" "F9Promote"

# sort by acc: the column cursor moves right to it
keys Right Right Right Right
expect "the last line shows the cell under the cursor" "acc = 0.9 (step 0; min 0.9, max 0.9, 1 point)"
keys ']'
expect "] sorts by the metric under the cursor, descending" "sorted by acc ↓"
case "$(first_row)" in *" 0.9 "*) ok ;; *) bad "descending: the run with acc 0.9 first (got '$(first_row)')" ;; esac
keys '['
expect "[ sorts ascending" "sorted by acc ↑"
case "$(first_row)" in *" 0.5 "*) ok ;; *) bad "ascending: the run with acc 0.5 first (got '$(first_row)')" ;; esac

# mark both, compare, only the differences
keys Home Space Space
expect "Space marks runs" "2 marked"
if [ "$(rows | grep -c '^●')" = 2 ]; then ok; else bad "both rows carry the mark"; fi
keys c
expect "c compares the marked runs" "Compare 2 runs"
expect_re "a column per run" '^ +[0-9a-f]{8} session [0-9a-f]{6} +[0-9a-f]{8} session'
expect_re "the params side by side" '^  C +1 +2 *$'
expect_re "the last metrics side by side" '^  acc +0.5 +0.9 *$'
expect_re "fields that agree are shown too" '^  experiment +Default +Default'
keys d
expect "d keeps only the differences" "only the differences"
expect_no_re "d: rows that agree are left out" '^  experiment '
expect_re "d: rows that differ stay" '^  C +1 +2 *$'
keys d
expect_re "d again: every row" '^  experiment +Default +Default'
keys d G p
expect "p on a metric row plots its curves in the plot view" "loss of 2 runs"
expect_re "the plot's legend names the runs" '[0-9a-f]{8} session'
keys F5
expect "F5 comes back to the comparison" "Compare 2 runs"
keys q
expect "q goes back to the list" "Runs: experiment Default"

# one run in full
keys Home Enter
expect_re "Enter shows the run" '^Run [0-9a-f]{8} · session'
expect "its params" "Params (1)"
keys PgDn
expect_re "its metrics with last, min, max, points" '^ +loss +0.2 +0.2 +1 +5$'
keys q

# a run without a model cannot be registered
keys r
expect "r on a run without a model says so" "has no model artifact to register"

# F9 promotes the session from any pane; the new run is selected
keys F2
line 'df = lab.read_csv("data/iris.csv"); m = lab.model.logistic{C = 1}:fit(df, {target = "species"})'
line 'lab.log("acc", lab.metrics.accuracy(df.species, m:predict(df)))'
keys F9
expect_re "F9 says so on the status line" 'promoted to run [0-9a-f]{8}'
id8=$(screen | sed -n 's/.*promoted to run \([0-9a-f]\{8\}\).*/\1/p' | head -n 1)
expect "F9 opens the runs pane" "Runs: experiment Default"
keys Left Left Left Left Left Left
# the last line names the selected run's full id
expect_re "the promoted run $id8 is selected" "^name = session [0-9a-f]{6}  \(id $id8[0-9a-f]{24}\)"
if rows | grep -qE "^(●|\*| ) $id8  session .* finished"; then ok; else bad "the promoted run is listed, finished"; fi

# register its model, with an alias
keys r
expect "r asks the model name, offering one from the run's name" "register the model of run $id8 as (Enter: session-"
keys -l iris
keys Enter
expect "then an alias" "alias for the new version"
keys -l production
keys Enter
expect "the version registered, and its alias" "registered iris version 1 (iris@production) from run $id8"
keys F2
line 'print(lab.load("iris@production"))'
expect "the registered model loads by its alias" "logistic"

# a bad model name is one line, nothing crashes
keys F5 r
keys -l 'bad name!'
keys Enter Enter
expect_re "a bad name is one line" 'lab.register: .*bad name!'

# a run recorded by another process shows up by itself
printf 'lab.log("acc", 0.7)\n' >"$home/other.lua"
(LAB_HOME="$home/store" $LAB run "$home/other.lua" >/dev/null 2>&1)
expect "a run written by another process appears" "other.lua"

# experiments: e cycles; the title says which
keys e
expect "e shows all experiments" "Runs: all experiments"
expect_re "with an experiment column" '^  id +name +experiment +status'
keys e
expect "e again: the session's experiment" "Runs: experiment Default (the session's)"

# 80x24 and resizing
$T resize-window -x 80 -y 24
sleep 0.4
expect "80x24: the bar keeps F9 Promote" "F9Promote"
expect "80x24: and the pane's first keys" "SpaceMark cCompare"
expect_re "80x24: the list is drawn" '^  id +name +status'
$T resize-window -x 120 -y 40
sleep 0.4
expect "a larger window: the bar is drawn again, with more keys" "F7Vars"
keys F1
wait_for "Help: every key" || true
keys PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn
expect "F1 lists the pane's actions from its key table" "read the store again"
expect_re "with their keys" '^  R +refresh '
keys q F10
expect "lab quits cleanly" "LAB-EXIT=0"

# an empty store: a friendly line, not an error
rm -rf "$home/store"
start 80 24
keys F5
expect "no runs yet: the pane says how to make one" "No runs yet"
keys F9
expect "F9 promotes a fresh session too" "promoted to run"
keys F10

finish
