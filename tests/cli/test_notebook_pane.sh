#!/bin/sh
# test_notebook_pane.sh — `lab NOTEBOOK.lua` (tmux): the notebook pane lists
# the cells of notebooks/iris.lua; run all shows describe's table at the
# REPL; a later cell run alone sees the top-level locals of earlier cells
# (and so does the REPL); re-running an earlier cell marks the cells below
# stale; run up to the cursor; an error names the notebook's file line; e
# runs $EDITOR (a script that edits the file) and the list shows the change,
# unchanged cells above keeping their state; R reads a file changed on disk.
# Every check reads the screen. Prints "N passed, N failed".
. tests/cli/tmux_lib.sh

start() { # start FILE [ENV...]
    file=$1
    shift
    tmux_start 100 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 LAB_HOME='$home/$n' $* $LAB $file; sleep 30"
    wait_for 'F10' || true
}
# scroll the REPL back (it has the keys) until a line matches, at most 30 pages
scroll_to() {
    k=0
    while [ $k -lt 30 ]; do
        screen | grep -qE -- "$1" && return 0
        keys PgUp
        sleep 0.05
        k=$((k + 1))
    done
    screen | grep -qE -- "$1"
}

# ---- the cell list ----
start notebooks/iris.lua
expect "lab NOTEBOOK.lua opens the notebook pane" "Notebook: notebooks/iris.lua"
expect "the title counts the code cells" "10 code cells, none run"
expect_re "the list is headed" '^ +# +state +kind +cell'
expect_re "a markdown cell: its first line, no state" '^ +1 +md +# Exploring iris'
expect_re "a code cell: its title, not run" '^ +2 +not run +code +Load'
expect_re "every cell is listed, in file order" '^ +6 +not run +code +Per species'
expect "the REPL says what was opened" "opened notebook notebooks/iris.lua: 14 cells, 10 code"
expect_re "the bar shows the notebook's keys" 'EnterRun +aRunAll +uRunTo +eEdit'

# ---- run all ----
keys a
expect "a runs every code cell" "run all: 10 code cells ran"
expect "the title counts them ok" "10 code cells: 10 ok"
expect_re "the last cell is ok, with its time" '^ +14 +ok [0-9<]+m?s +code +Train and test split'
keys F2
if scroll_to '^2  mean +5\.84333 +3\.05733 +3\.758 +1\.19933'; then ok; else bad "run all: the REPL shows describe's table"; fi
if scroll_to '^-- \[4\] Describe  \(notebooks/iris.lua:16\)$'; then ok; else bad "each cell is announced in the REPL with its file line"; fi
expect "the cell's code is echoed as typed" "> print(iris:describe())"

# ---- one cell alone: the locals of earlier cells ----
keys F8
keys k
keys r
expect "r runs the cell under the cursor alone" 'cell 13 "A derived column and a filter" ran in'
expect "a local of cell 2 (iris) is seen by cell 13 run alone" "33 flowers have a petal area over 10 cm², all virginica"
expect_re "the cell is ok" '^ +13 +ok [0-9<]+m?s +code +A derived column'
expect_re "the cell below it is stale" '^ +14 +stale +code +Train and test'
keys F2
line 'train:nrow() + test:nrow(), big:nrow()'
expect_re "the top-level locals of cells are the session's globals at the REPL" '^150 +33$'

# ---- re-running an earlier cell: the cells below go stale ----
keys F8 g j Enter
expect 'Enter runs the cell' 'cell 2 "Load" ran in'
expect "the message counts the stale cells below" "9 cells below are stale"
expect_re "a cell below is stale" '^ +4 +stale +code +Describe'
expect_re "another cell below is stale" '^ +8 +stale +code +Correlation matrix'
expect_re "the re-run cell is ok" '^ +2 +ok [0-9<]+m?s +code +Load'
expect "the title counts them" "1 ok, 9 stale"

# ---- run up to the cursor ----
keys j
keys u
expect "u runs the cells from the top through the cursor's" "run to cell 5: 3 code cells ran"
expect_re "cells above the cursor are ok again" '^ +4 +ok [0-9<]+m?s +code +Describe'
expect_re "the cursor's cell is ok" '^ +5 +ok [0-9<]+m?s +code +Classes are balanced'
expect_re "cells below stay stale" '^ +6 +stale +code +Per species'
keys F10

# ---- a failing cell names the notebook's file line ----
d="$home/nb"
mkdir -p "$d"
cat >"$d/fail.lua" <<'EOF'
-- %% Setup
local x = 41
x + 1

-- %% Boom
local q = nil
print(q.field)

-- %% After
print("after", x)
EOF
start "$d/fail.lua"
keys a
expect "run all stops at the failing cell" 'run all: stopped at cell 2 "Boom", which failed'
expect "the error names the file and line" "fail.lua:7: attempt to index a nil value"
expect_re "the failing cell is marked" '^ +2 +failed +code +Boom'
expect_re "the cell after it did not run" '^ +3 +not run +code +After'
keys F2
if scroll_to '^42$'; then ok; else bad "a cell's last expression is its result, as at the REPL"; fi
keys F8
keys j
keys r
expect "a cell after a failed one runs alone, with the earlier cell's local" "after   41"
keys F10

# ---- $EDITOR, and a file changed on disk ----
cp notebooks/iris.lua "$d/iris.lua"
cat >"$d/ed.sh" <<'EOF'
#!/bin/sh
for f; do :; done
sed -i -e 's/^-- %% Describe$/-- %% Describe every column/' \
    -e 's/^print(iris:describe())$/print(iris:describe()) -- edited/' "$f"
EOF
chmod +x "$d/ed.sh"
start "$d/iris.lua" "EDITOR='$d/ed.sh'"
keys a
expect "the copy runs" "run all: 10 code cells ran"
keys g j j j
keys e
expect "e runs the editor and reads the file again" "edited: 1 cell changed, 9 marked stale"
expect_re "the list shows the edited title" '^ +4 +stale +code +Describe every column'
expect_re "a cell above the edit keeps its state" '^ +2 +ok [0-9<]+m?s +code +Load'
expect_re "a cell below the edit is stale" '^ +5 +stale +code +Classes are balanced'
expect "the screen is whole again after the editor" "F10Quit"
sed -i 's/^-- %% Classes are balanced$/-- %% Classes/' "$d/iris.lua"
keys R
expect_re "R reads a file changed on disk" '^ +5 +stale +code +Classes$'
expect "R says what changed" "read again: no code changed"
keys Enter
expect_re "Enter runs the edited cell" '^ +4 +ok [0-9<]+m?s +code +Describe every column'
keys F10

finish
