#!/bin/sh
# test_workbench.sh — `lab` on a terminal (tmux): the screen, evaluation,
# completion, multi-line chunks, Ctrl-C out of a long loop, resizing while code
# runs, help generated from the key tables, lab.bind, NO_COLOR, and the
# terminal restored on quit. Every check reads the screen. "N passed, N failed".
. tests/cli/tmux_lib.sh

# start [ENV...]: lab in a fresh tmux server, 100x30, with a LAB_HOME of its
# own; after lab exits, the terminal's settings are printed, so a test can see
# them restored
start() {
    tmux_start 100 30 "env LAB_HOME='$home/$n' $* $LAB; echo LAB-EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -E '^-?(icanon|echo)\$'; sleep 30"
    wait_for 'F10' || true
}

start
expect "the status line names the session" "session "
expect "the key bar is generated from the key table" "F10Quit"
line 'df = lab.read_csv("data/iris.csv")'
line 'df:describe()'
expect "a result prints as a table in the REPL" "frame 8 rows × 5 columns"
expect "every command shows its time" "[0.0"
line 'print("from print")'
expect "output of print is captured into the REPL" "from print"
line 'for i = 1, 2 do'
line 'x = (x or 0) + i'
line 'end'
line 'x'
expect "a multi-line chunk runs" "3"
keys 'df:desc' Tab
expect "Tab completes a method" "df:describe("
keys C-u
keys 'lab.read_' Tab Tab
expect "ambiguous completions are listed in a window" "lab.read_sql("
keys C-u
line 'while true do end'
sleep 0.3
expect "the status line shows what runs" "running"
$T resize-window -x 200 -y 60
sleep 0.4
expect "resizing while code runs redraws at the new size" "F10Quit"
if [ "$(screen | wc -l)" -ge 59 ]; then ok; else bad "resize: expected 60 lines, got $(screen | wc -l)"; fi
$T resize-window -x 80 -y 24
sleep 0.3
keys C-c
expect "Ctrl-C stops the loop" "interrupted"
line 'df:nrow() + 1'
expect "the session survives Ctrl-C" "151"
keys F1
expect "F1 shows help generated from the key tables" "M-o            other"
keys q
line 'lab.bind("global", "F12", "help")'
keys F12
expect "lab.bind rebinds a key" "Help: every key"
keys q
line 'lab.bind("data", "s", "no_such_action")'
expect "a bad binding is a clear error" "has no action 'no_such_action'"
keys F10
expect "F10 quits" "LAB-EXIT=0"
expect "the terminal is restored (canonical mode)" "icanon"
expect_not "the terminal is restored (no -icanon)" "-icanon"

start NO_COLOR=1
line '6 * 7'
expect "NO_COLOR still works" "42"
if $T capture-pane -p -e | grep -Eq "$(printf '\033')\[([0-9;]*;)?(3[0-7]|38;5|38;2)[;m]"; then
    bad "NO_COLOR: colour escapes on the screen"
else ok; fi
keys C-d
expect "Ctrl-D on an empty line quits" "LAB-EXIT=0"

# .lab/init.lua (here $LAB_HOME/init.lua) runs at start: its bindings hold
mkdir -p "$home/$n"
printf 'lab.bind("global", "F11", "vars")\ngreeting = "from init.lua"\n' >"$home/$n/init.lua"
start
expect "init.lua is read at start" "read $home/"
line 'greeting'
expect "init.lua ran in the session" "from init.lua"
keys F11
expect "a key bound in init.lua works" "Variables"
keys F10

# a crash (SIGSEGV) restores the terminal before the process dies
start
line '1 + 1'
expect "the workbench is up before the crash" "[0.0"
pid=$(pgrep -P "$($T display -p '#{pane_pid}')" -x lab | head -n 1)
kill -SEGV "$pid"
expect "a crash ends lab with the signal's status" "LAB-EXIT=139"
expect "the terminal is restored after a crash" "icanon"
expect_not "no raw mode left after a crash" "-icanon"

# kill -9 of the workbench, then the next start offers the session back
kh="$home/killed"
mkdir -p "$kh"
tmux_start 100 30 "LAB_HOME='$kh' exec $LAB"
wait_for 'F10' || true
line 'kept = 40 + 2'
line 'error("a failing chunk")'
line 'kept2 = kept * 2'
expect "chunks ran before the kill" "[0.0"
sleep 0.3
kill -9 "$($T display -p '#{pane_pid}')"
sleep 0.3
tmux_start 100 30 "LAB_HOME='$kh' $LAB; sleep 30"
expect "the next start offers the killed session back" "Restore?"
line 'y'
expect "the restore re-runs the chunks" "restored"
line 'print(kept, kept2)'
expect "the variables are back after kill -9" "42      84"
keys F10

finish
