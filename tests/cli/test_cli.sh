#!/bin/sh
# test_cli.sh — the `lab` command as a user meets it: help, version, `lab run`,
# exit codes (0 ok, 1 failed work, 2 bad usage) and one-line errors that name
# the file and place. Run from the repository root; prints "N passed, N failed".
LAB=${LAB:-./lab}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the runs these notebooks record go to a store of the test's own when run alone
LAB_HOME=${LAB_HOME:-$tmp/store}
export LAB_HOME

# check NAME WANT_STATUS WANT_TEXT CMD...: CMD's exit status and combined output
check() {
    name=$1 want=$2 text=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: expected exit $want, got $got"
        sed 's/^/    /' "$tmp/out" "$tmp/err" | head -n 10
        fail=$((fail + 1))
        return
    fi
    if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out" "$tmp/err"; then
        echo "FAIL $name: expected output containing: $text"
        sed 's/^/    /' "$tmp/out" "$tmp/err" | head -n 10
        fail=$((fail + 1))
        return
    fi
    pass=$((pass + 1))
}

# the error is one line on stderr
one_line_err() {
    n=$(wc -l <"$tmp/err")
    if [ "$n" -ne 1 ]; then
        echo "FAIL $1: expected a one-line error, got $n lines"
        sed 's/^/    /' "$tmp/err"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

check "version" 0 "lab 0.1.0" $LAB --version
check "help" 0 "run NOTEBOOK.lua" $LAB --help
check "no command starts the REPL (stdin not a terminal: no prompt)" 0 "[0." sh -c "echo 'print(6*7)' | $LAB"
check "repl evaluates expressions" 0 "42" sh -c "echo '6*7' | $LAB repl"
check "repl --help" 0 "usage: lab repl" $LAB repl --help
check "repl rejects unknown arguments" 2 "unknown argument '--frob'" $LAB repl --frob
check "unknown command" 2 "lab: unknown command 'frobnicate'" $LAB frobnicate
check "run without a file" 2 "usage: lab run FILE.lua" $LAB run
check "run --help" 0 "usage: lab run FILE.lua" $LAB run --help

cat >"$tmp/ok.lua" <<'LUA'
local df = lab.read_csv("data/iris.csv")
print(df:nrow(), arg[1], arg[2], ...)
LUA
check "run a script with arguments" 0 "150	x	y	x	y" $LAB run "$tmp/ok.lua" x y

check "run a missing script" 1 "nope.lua" $LAB run "$tmp/nope.lua"
one_line_err "missing script"

printf 'local x = 1\nerror("boom")\n' >"$tmp/boom.lua"
check "a failing script exits 1 naming file and line" 1 "boom.lua:2: boom" $LAB run "$tmp/boom.lua"
one_line_err "failing script"

printf 'local x = \n' >"$tmp/syntax.lua"
check "a syntax error names file and line" 1 "syntax.lua:2:" $LAB run "$tmp/syntax.lua"

printf 'a,b,c,d\n1,2,3,4\n1,2,3,4,5\n' >"$tmp/bad.csv"
printf 'local df = lab.read_csv(arg[1])\n' >"$tmp/read.lua"
check "a malformed CSV names script line and file:line:col" 1 \
    "read.lua:1: $tmp/bad.csv:3:9: row has 5 fields, the header has 4" $LAB run "$tmp/read.lua" "$tmp/bad.csv"
one_line_err "malformed CSV"

printf 'local df = lab.read_csv("data/iris.csv")\nprint(df.specie)\n' >"$tmp/col.lua"
check "an unknown column names the closest" 1 "col.lua:2: no column 'specie' (did you mean 'species'?)" \
    $LAB run "$tmp/col.lua"

check "lab NOTEBOOK.lua without a terminal runs it headless" 0 "150" $LAB "$tmp/ok.lua" x y
check "lab FILE.csv without a terminal says it needs one" 2 "the workbench needs a terminal" $LAB data/iris.csv
check "stock lua5.4 loads the module" 0 "150" \
    env LD_PRELOAD="${LUA_PRELOAD:-}" LUA_CPATH="./?.so;;" lua5.4 -e 'local lab = require "lab"; print(lab.read_csv("data/iris.csv"):nrow())'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
