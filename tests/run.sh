#!/bin/sh
# run.sh — every test suite of lab, summed into one closing line "N passed, N failed".
#
# Suites: C unit tests (cmocka binaries in $B/tests), Lua tests (tests/lua/test_*.lua
# run by stock lua5.4 against ./lab.so), command-line tests (tests/cli/test_*.sh),
# and the notebooks (notebooks/*.lua through ./lab run). Each suite prints its own
# count; a suite that crashes or prints no count counts as one failure.
B=${B:-build/rel}
LAB_ROOT=$(pwd)
export LAB_ROOT
export LUA_CPATH="$LAB_ROOT/?.so;;"
export LUA_PATH="$LAB_ROOT/tests/lua/?.lua;;"
# fontconfig and libltdl (under PLplot) keep caches until exit: not lab's leaks
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LAB_ROOT/tests/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS
# A sanitized lab.so needs the sanitizer runtimes loaded first into the stock,
# uninstrumented lua5.4 that loads it.
LUA_PRELOAD=""
case "$B" in
*asan*) LUA_PRELOAD="$(${CC:-cc} -print-file-name=libasan.so):$(${CC:-cc} -print-file-name=libubsan.so)" ;;
esac
passed=0
failed=0
out=$(mktemp)
# a test that does not pick its own store records into this one, never into
# the checkout's .lab
LAB_HOME=$(mktemp -d)
export LAB_HOME
trap 'rm -f "$out"; rm -rf "$LAB_HOME"' EXIT

add() { # add NAME STATUS: read counts from $out
    p=$(grep -Eo '([0-9]+) passed, ([0-9]+) failed' "$out" | tail -n 1)
    if [ -z "$p" ]; then
        # cmocka: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
        cp=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
        cf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
        if [ -n "$cp" ]; then p="$cp passed, ${cf:-0} failed"; fi
    fi
    if [ -z "$p" ]; then
        echo "  $1: no test count (exit $2)"
        sed 's/^/    /' "$out" | tail -n 20
        failed=$((failed + 1))
        return
    fi
    np=${p%% passed*}
    nf=${p#*passed, }
    nf=${nf%% failed*}
    if [ "$2" -ne 0 ] && [ "$nf" -eq 0 ]; then nf=1; fi
    passed=$((passed + np))
    failed=$((failed + nf))
    if [ "$nf" -ne 0 ]; then
        echo "  $1: $np passed, $nf failed"
        grep -E 'FAIL|ERROR|error|Error' "$out" | head -n 30 | sed 's/^/    /'
    else
        echo "  $1: $np passed"
    fi
}

echo "C unit tests"
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$out" 2>&1
    add "$(basename "$t")" $?
done

echo "Lua tests"
for t in tests/lua/test_*.lua; do
    [ -f "$t" ] || continue
    LD_PRELOAD="$LUA_PRELOAD" lua5.4 "$t" >"$out" 2>&1
    add "$t" $?
done

echo "Command-line tests"
for t in tests/cli/test_*.sh; do
    [ -f "$t" ] || continue
    LUA_PRELOAD="$LUA_PRELOAD" sh "$t" >"$out" 2>&1
    add "$t" $?
done

echo "Notebooks"
np=0
nf=0
for nb in notebooks/*.lua; do
    [ -f "$nb" ] || continue
    dir=$(mktemp -d)
    if LAB_HOME="$dir" ./lab run "$nb" >"$out" 2>&1; then
        np=$((np + 1))
    else
        nf=$((nf + 1))
        echo "  FAIL $nb"
        tail -n 15 "$out" | sed 's/^/    /'
    fi
    rm -rf "$dir"
done
echo "  notebooks: $np passed, $nf failed"
passed=$((passed + np))
failed=$((failed + nf))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
