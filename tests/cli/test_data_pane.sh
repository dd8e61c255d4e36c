#!/bin/sh
# test_data_pane.sh — the workbench's data viewer in a real terminal (tmux):
# lab.view(df) shows the header with types and the first rows; sorting,
# filtering (per-row expression, column mask, and an error that keeps the
# viewer), search, jump to a row, a column's summary and frequency table,
# naming a view as a global, and a 10,000,000-row frame scrolled to its end.
# Every check reads the screen. Prints "N passed, N failed".
. tests/cli/tmux_lib.sh
tmp=$home

# check NAME COND: a shell condition about the screen
check() { if eval "$2"; then ok; else bad "$1: $2"; fi; }
# answer TEXT: type TEXT at a prompt of the viewer and Enter
answer() { sleep 0.2; line "$1"; }

# a frame of ten million rows, read from a generated CSV
{ echo x; seq 1 10000000; } >"$tmp/big.csv"

tmux_start 100 30 "LAB_HOME='$tmp/home' NO_COLOR=1 $LAB; sleep 30"
wait_for 'F1 help' || true
line 'df = lab.read_csv("data/iris.csv")'
line 'lab.view(df)'
expect_re "the title names the frame and its shape" '^Data: df +150 rows × 5 cols'
expect_re "the header shows the names" 'sepal_length +sepal_width +petal_length +petal_width +species'
expect_re "the header shows the types" '^# +number +number +number +number +string'
expect_re "the first row is on screen" '^ +1 +5\.1 +3\.5 +1\.4 +0\.2 +setosa'
expect_re "the status line shows the cell under the cursor" '^sepal_length = 5\.1 .*row 1/150 +col 1/5'

# move right twice (l, then the arrow), sort descending: the first row holds
# the maximum 6.9
keys l
expect_re "the cursor moves right" 'col 2/5'
keys Right
expect_re "the cursor moves right again" 'col 3/5'
keys ']'
expect_re "sorting makes a new view named by how it was made" '^Data: df \| sorted by petal_length ↓ +150 rows'
expect_re "sorted descending, the first row has the largest petal_length" '^ +1 +7\.7 +2\.6 +6\.9 +2\.3 +virginica'
keys '['
expect_re "sorted ascending, the first row has the smallest" '^ +1 +4\.6 +3\.6 +1 +0\.2 +setosa'
keys q
keys q
expect_re "q goes back to the frame itself" '^Data: df +150 rows × 5 cols *$'

# filter with a per-row Lua expression
keys '|'
answer 'petal_length > 5 and species ~= "setosa"'
expect_re "a filter shows the new row count in the title" '^Data: df \| filter petal_length > 5 and species ~= "setosa" +42 rows'
expect_re "the status line says how many rows were kept" '42 of 150 rows kept'
keys q
# the same as a mask over columns
keys '|'
answer 'petal_length:gt(5) & species:ne("setosa")'
expect_re "a mask expression filters too" '^Data: df \| filter petal_length:gt.* +42 rows'
keys q
# an error is one line and the viewer stays
keys '|'
answer 'nosuch > 1'
expect_re "a failing filter gives a one-line message" '^filter: row 1: filter:1: attempt to compare (nil with number|number with nil)'
expect_re "and the viewer keeps its frame" '^Data: df +150 rows × 5 cols'

# frequency table of species: 50 three times, with bars
keys '$'
expect_re "\$ goes to the last column" 'col 5/5'
keys F
expect_re "the frequency table has its title" '^Data: df \| frequency of species +3 rows'
check "species has 50 rows of each of its three values" \
    '[ "$(screen | grep -cE "^[0-9] +(setosa|versicolor|virginica) +50 +33\.3333 +█+")" -eq 3 ]'
keys Enter
expect_re "Enter on a frequency row opens the rows with that value" '^Data: df \| species == setosa +50 rows'
keys q
keys q

# describe a numeric column
keys Left
keys Left
expect_re "the cursor is on petal_length" 'col 3/5'
keys I
expect_re "describe shows the mean" '^ *3 +mean +3\.758'
expect_re "describe shows the median" '^ *7 +50% +4\.35'
keys q

# search and jump
keys '$'
keys /
answer virginica
expect_re "search finds the first virginica" 'row 101/150'
keys :
answer 77
expect_re "jump to row 77" 'row 77/150'

# keep a view as a global
keys ']'
keys =
answer top
expect_re "a named view takes its name" '^Data: top +150 rows × 5 cols +df \| sorted by species ↓'
keys F2
line 'top[1].species, top:nrow()'
expect_re "the global holds the sorted frame" 'virginica +150|"virginica".*150'

# ten million rows: to the end at once
line 'big = lab.read_csv("'"$tmp"'/big.csv")'
line 'lab.view(big)'
expect_re "the big frame opens" '^Data: big +10000000 rows × 1 cols'
keys G
expect_re "G shows the last row number" '^10000000 +10000000 *$'
expect_re "the status line is on the last row" 'row 10000000/10000000'
keys PgUp
expect_re "a page up scrolls back" '^ 99999[0-9][0-9] '
keys g
expect_re "g goes back to the first row" 'row 1/10000000'

keys F10
finish
