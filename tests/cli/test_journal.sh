#!/bin/sh
# test_journal.sh — the session is never lost: `lab repl` in a real terminal
# (tmux) journals every chunk; after kill -9 the next start offers to restore
# the session and re-runs its successful chunks (not the failed one); a clean
# quit or a "no" is not offered again; a piped stdin is never asked;
# lab.save_notebook writes a notebook that `lab run` runs. Prints
# "N passed, N failed".
SCREEN_HISTORY=1
. tests/cli/tmux_lib.sh

# start: a fresh tmux server (its own socket) with lab repl as the pane's
# process (exec), so that the pane's pid is lab's
start() {
    tmux_start 80 24 "LAB_HOME='$home' NO_COLOR=1 exec $LAB repl"
}

# kill_lab: kill -9 the lab process of the pane and wait until it is gone;
# quit_lab: Ctrl-D, and the same wait
kill_lab() {
    pid=$($T list-panes -F '#{pane_pid}')
    kill -9 "$pid"
    wait_gone
}
quit_lab() {
    pid=$($T list-panes -F '#{pane_pid}')
    keys C-d
    wait_gone
}
wait_gone() {
    i=0
    # gone, or a zombie its parent has not reaped yet (its files are closed)
    while [ $i -lt 50 ]; do
        case "$(ps -o stat= -p "$pid" 2>/dev/null)" in "" | Z*) break ;; esac
        sleep 0.1
        i=$((i + 1))
    done
}

# ---- a session, then kill -9 -------------------------------------------------
start
expect "first start shows the banner" "help() for help"
expect_not "a fresh store offers nothing" "Restore?"
line 'x = 10'
line 't = {1, 2, 3}'
line 'error("boom")'
line 'function sq(n)'
line '  return n * n'
line 'end'
line 'y = sq(x) + #t'
line 'print("y is " .. y)'
expect "the chunks ran" "y is 103"
journal=$(ls "$home"/sessions/*.lua 2>/dev/null | head -n 1)
if [ -n "$journal" ] && grep -q '^-- error("boom")$' "$journal" && grep -q '^y = sq(x) + #t$' "$journal"; then ok; else
    bad "the journal holds every chunk as it runs, the failed one commented out"; fi
kill_lab

# ---- restore -----------------------------------------------------------------
start
expect "the next start offers to restore the dead session" "did not end cleanly (5 chunks"
expect "with a question" "Restore? [y/N]"
keys y Enter
expect "the chunks are re-run" "[5/5] print("
expect "and the restore says so" "lab: restored"
expect "then the prompt" "help() for help"
expect "what the chunks print shows again" "y is 103"
expect_not "the failed chunk is not re-run" "boom"
line 'print(x .. "/" .. y .. "/" .. sq(3))'
expect "the variables and functions are back" "10/103/9"
line "n = lab.save_notebook('$home/saved.lua')"
line 'print("cells " .. n)'
expect "save_notebook returns the number of cells" "cells 6"
if out=$($LAB run "$home/saved.lua" 2>&1) && echo "$out" | grep -q '10/103/9'; then ok; else
    bad "lab run runs the saved notebook: $out"; fi
if out=$($LAB run "$journal" 2>&1) && echo "$out" | grep -q 'y is 103'; then ok; else
    bad "the journal itself runs with lab run (the failed chunk commented out): $out"; fi
if grep -q 'boom' "$home/saved.lua"; then bad "the saved notebook leaves the failed chunk out"; else ok; fi
line "lab.save_notebook('$home/no/such/dir/x.lua')"
expect "a save that fails names the path" "$home/no/such/dir/x.lua: cannot write the notebook"
quit_lab

# ---- a clean quit is not offered; a "no" is not offered again ---------------------
start
expect "after a clean quit the prompt comes" "help() for help"
expect_not "after a clean quit nothing is offered" "Restore?"
line 'z = 1'
expect "a chunk runs" "[0.0"
kill_lab
start
expect "a second kill is offered again" "did not end cleanly (1 chunk,"
keys n Enter
expect "no: the prompt comes" "help() for help"
line 'print(z)'
expect "no: nothing was restored" "nil"
quit_lab
start
expect "after no, the prompt comes" "help() for help"
expect_not "after no, the session is not offered again" "Restore?"
line 'w = 5'
expect "a chunk runs" "[0.0"
kill_lab
$T kill-server 2>/dev/null

# ---- stdin not a terminal: never asked, no journal ----------------------------------
out=$(printf 'print("piped " .. tostring(w))\nlab.save_notebook("x.lua")\n' | LAB_HOME="$home" $LAB repl 2>&1)
if echo "$out" | grep -q 'Restore?'; then bad "a piped stdin is asked: $out"; else ok; fi
if echo "$out" | grep -q 'piped nil'; then ok; else bad "a piped stdin runs its lines: $out"; fi
if echo "$out" | grep -q 'keeps no journal'; then ok; else bad "save_notebook without a journal explains: $out"; fi
start
expect "the dead session is still offered after a piped run" "did not end cleanly (1 chunk,"

finish
