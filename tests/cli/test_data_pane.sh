#!/bin/sh
# test_data_pane.sh — the workbench's data viewer in a real terminal (tmux):
# lab.view(df) shows the header with types and the first rows; sorting,
# filtering (per-row expression, column mask, and an error that keeps the
# viewer), search, jump to a row, a column's summary and frequency table,
# naming a view as a global, and a 10,000,000-row frame scrolled to its end.
# Every check reads the screen. Prints "N passed, N failed".
LAB=${LAB:-./lab}
pass=0
fail=0
tmp=$(mktemp -d)
T="tmux -L lab-data-$$"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

screen() { $T capture-pane -p 2>/dev/null; }
# wait_for REGEX: up to 10 s for an extended regex to match a line of the screen
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# expect NAME REGEX: the screen shows a line matching REGEX
expect() {
    if wait_for "$2"; then
        pass=$((pass + 1))
    else
        echo "FAIL $1: expected the screen to match: $2"
        screen | grep -v '^ *$' | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}
# check NAME COND: a shell condition about the screen
check() {
    if eval "$2"; then
        pass=$((pass + 1))
    else
        echo "FAIL $1: $2"
        screen | grep -v '^ *$' | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}
keys() { $T send-keys "$@"; }
# line TEXT: type TEXT literally and Enter
line() { $T send-keys -l "$1"; $T send-keys Enter; }
# answer TEXT: type TEXT at a prompt of the viewer and Enter
answer() { sleep 0.2; line "$1"; }

# a frame of ten million rows, read from a generated CSV
{ echo x; seq 1 10000000; } >"$tmp/big.csv"

$T new-session -d -x 100 -y 30 "cd '$(pwd)' && LAB_HOME='$tmp/home' NO_COLOR=1 $LAB; sleep 30"
wait_for 'F1 help' || true
line 'df = lab.read_csv("data/iris.csv")'
line 'lab.view(df)'
expect "the title names the frame and its shape" '^Data: df +150 rows × 5 cols'
expect "the header shows the names" 'sepal_length +sepal_width +petal_length +petal_width +species'
expect "the header shows the types" '^# +number +number +number +number +string'
expect "the first row is on screen" '^ +1 +5\.1 +3\.5 +1\.4 +0\.2 +setosa'
expect "the status line shows the cell under the cursor" '^sepal_length = 5\.1 .*row 1/150 +col 1/5'

# move right twice (l, then the arrow), sort descending: the first row holds
# the maximum 6.9
keys l
expect "the cursor moves right" 'col 2/5'
keys Right
expect "the cursor moves right again" 'col 3/5'
keys ']'
expect "sorting makes a new view named by how it was made" '^Data: df \| sorted by petal_length ↓ +150 rows'
expect "sorted descending, the first row has the largest petal_length" '^ +1 +7\.7 +2\.6 +6\.9 +2\.3 +virginica'
keys '['
expect "sorted ascending, the first row has the smallest" '^ +1 +4\.6 +3\.6 +1 +0\.2 +setosa'
keys q
keys q
expect "q goes back to the frame itself" '^Data: df +150 rows × 5 cols *$'

# filter with a per-row Lua expression
keys '|'
answer 'petal_length > 5 and species ~= "setosa"'
expect "a filter shows the new row count in the title" '^Data: df \| filter petal_length > 5 and species ~= "setosa" +42 rows'
expect "the status line says how many rows were kept" '42 of 150 rows kept'
keys q
# the same as a mask over columns
keys '|'
answer 'petal_length:gt(5) & species:ne("setosa")'
expect "a mask expression filters too" '^Data: df \| filter petal_length:gt.* +42 rows'
keys q
# an error is one line and the viewer stays
keys '|'
answer 'nosuch > 1'
expect "a failing filter gives a one-line message" '^filter: row 1: filter:1: attempt to compare (nil with number|number with nil)'
expect "and the viewer keeps its frame" '^Data: df +150 rows × 5 cols'

# frequency table of species: 50 three times, with bars
keys '$'
expect "\$ goes to the last column" 'col 5/5'
keys F
expect "the frequency table has its title" '^Data: df \| frequency of species +3 rows'
check "species has 50 rows of each of its three values" \
    '[ "$(screen | grep -cE "^[0-9] +(setosa|versicolor|virginica) +50 +33\.3333 +█+")" -eq 3 ]'
keys Enter
expect "Enter on a frequency row opens the rows with that value" '^Data: df \| species == setosa +50 rows'
keys q
keys q

# describe a numeric column
keys Left
keys Left
expect "the cursor is on petal_length" 'col 3/5'
keys I
expect "describe shows the mean" '^ *3 +mean +3\.758'
expect "describe shows the median" '^ *7 +50% +4\.35'
keys q

# search and jump
keys '$'
keys /
answer virginica
expect "search finds the first virginica" 'row 101/150'
keys :
answer 77
expect "jump to row 77" 'row 77/150'

# keep a view as a global
keys ']'
keys =
answer top
expect "a named view takes its name" '^Data: top +150 rows × 5 cols +df \| sorted by species ↓'
keys F2
line 'top[1].species, top:nrow()'
expect "the global holds the sorted frame" 'virginica +150|"virginica".*150'

# ten million rows: to the end at once
line 'big = lab.read_csv("'"$tmp"'/big.csv")'
line 'lab.view(big)'
expect "the big frame opens" '^Data: big +10000000 rows × 1 cols'
keys G
expect "G shows the last row number" '^10000000 +10000000 *$'
expect "the status line is on the last row" 'row 10000000/10000000'
keys PgUp
expect "a page up scrolls back" '^ 99999[0-9][0-9] '
keys g
expect "g goes back to the first row" 'row 1/10000000'

keys F10
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
