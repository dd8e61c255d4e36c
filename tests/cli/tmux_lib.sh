# tmux_lib.sh — what the terminal tests share: a tmux server of their own per
# start, reading the screen, bounded waits, checks that say what they expected,
# and the closing "N passed, N failed". Sourced (". tests/cli/tmux_lib.sh")
# by tests/cli/test_*.sh; never run alone.
#
#   tmux_start COLS ROWS COMMAND   a new server (the previous one is killed)
#   screen                         the visible screen (SCREEN_HISTORY=1: with 200 lines of history)
#   wait_for TEXT / wait_re REGEX  up to 5 s for it to show
#   expect NAME TEXT, expect_re NAME REGEX, expect_not NAME TEXT, expect_no_re NAME REGEX
#   ok, bad MESSAGE                count a check by hand
#   keys KEY...  line TEXT         tmux send-keys; TEXT typed literally, then Enter
#   finish                         print the count and exit 0 only when nothing failed
LAB=${LAB:-./lab}
pass=0
fail=0
home=$(mktemp -d)
n=0
T=true
trap '$T kill-server 2>/dev/null; rm -rf "$home"' EXIT

tmux_start() {
    $T kill-server 2>/dev/null
    n=$((n + 1))
    T="tmux -L lab-test-$$-$n"
    $T new-session -d -x "$1" -y "$2" "cd '$(pwd)' && $3"
}

screen() {
    if [ "${SCREEN_HISTORY:-0}" = 1 ]; then $T capture-pane -p -S -200 2>/dev/null
    else $T capture-pane -p 2>/dev/null; fi
}

wait_for() {
    i=0
    while [ $i -lt 50 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

wait_re() {
    i=0
    while [ $i -lt 50 ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

ok() { pass=$((pass + 1)); }

bad() {
    echo "FAIL $1"
    screen | grep -v '^ *$' | tail -n 12 | sed 's/^/    /'
    fail=$((fail + 1))
}

expect() { if wait_for "$2"; then ok; else bad "$1: expected the screen to show: $2"; fi; }
expect_re() { if wait_re "$2"; then ok; else bad "$1: expected a line matching: $2"; fi; }
expect_not() {
    sleep 0.3
    if screen | grep -qF -- "$2"; then bad "$1: expected the screen not to show: $2"; else ok; fi
}
expect_no_re() {
    sleep 0.3
    if screen | grep -qE -- "$2"; then bad "$1: expected no line matching: $2"; else ok; fi
}

keys() { $T send-keys "$@"; }
line() { $T send-keys -l "$1"; $T send-keys Enter; }

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
