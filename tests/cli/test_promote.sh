#!/bin/sh
# test_promote.sh — promoting an interactive session (`lab repl` in a real
# terminal, through tmux) into a tracked run: the session's successful chunks
# become the run's notebook (the failed chunk and the promote call left out),
# what the session logged and fitted is copied to the run, promoting twice
# makes two runs, and `lab reproduce` re-runs the promoted notebook to the same
# metrics. Also: the session's own run ends finished on a clean quit.
# Prints "N passed, N failed".
LAB=${LAB:-$(pwd)/lab}
case "$LAB" in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
. tests/cli/tmux_lib.sh

cp data/iris.csv "$home/iris.csv"
start() {
    tmux_start 100 30 "cd '$home' && LAB_HOME='$home/store' NO_COLOR=1 exec $LAB repl"
}
q() { # q LUA: run LUA untracked against the test's store, print its output
    printf '%s\n' "$1" >"$home/q.lua"
    (cd "$home" && LAB_HOME="$home/store" $LAB run --no-track q.lua 2>&1)
}

start
expect "the REPL starts" "help() for help"
line 'df = lab.read_csv("iris.csv")'
line 'error("a mistake")'
line 'm = lab.model.logistic{C = 2}:fit(df, {target = "species"})'
line 'acc = lab.metrics.accuracy(df.species, m:predict(df))'
line 'lab.log("accuracy", acc)'
line 'id = lab.promote{name = "iris-session"}'
line 'print("promoted " .. id)'
expect_re "promote returns the run id" "promoted [0-9a-f]{32}"
id=$(screen | sed -n 's/.*promoted \([0-9a-f]\{32\}\).*/\1/p' | head -n 1)
line 'v = lab.register(id, "iris")'
line 'lab.alias("iris", v, "production")'
line 'id2 = lab.promote()'
line 'print("second " .. id2)'
expect_re "promoting again makes another run" "second [0-9a-f]{32}"
id2=$(screen | sed -n 's/.*second \([0-9a-f]\{32\}\).*/\1/p' | head -n 1)
if [ -n "$id" ] && [ "$id" != "$id2" ]; then ok; else bad "two promotions, two ids ($id, $id2)"; fi
keys C-d
sleep 0.5

nb=$(sqlite3 "$home/store/lab.db" "select text from notebooks n join runs r on r.rid = n.run where r.id = '$id'" 2>&1)
case "$nb" in *'lab.read_csv("iris.csv")'*'lab.model.logistic{C = 2}'*'lab.log("accuracy", acc)'*) ok ;;
*) bad "the notebook holds the successful chunks in order: $nb" ;; esac
case "$nb" in *'a mistake'*) bad "the failed chunk is left out" ;; *) ok ;; esac
case "$nb" in *'id = lab.promote'*) bad "the promotion's own call is not in its notebook: $nb" ;; *) ok ;; esac
case "$nb" in *"Written by lab.promote"*) ok ;; *) bad "the header says the promotion wrote it: $nb" ;; esac
nb2=$(sqlite3 "$home/store/lab.db" "select text from notebooks n join runs r on r.rid = n.run where r.id = '$id2'" 2>&1)
case "$nb2" in *'id = lab.promote{name = "iris-session"}'*'v = lab.register(id, "iris")'*) ok ;;
*) bad "the second run keeps the calls later chunks use (id, v): $nb2" ;; esac
cells=$(printf '%s\n' "$nb" | grep -c '^-- %%$\|^-- %% ')
if [ "$cells" -ge 4 ]; then ok; else bad "one cell per chunk (got $cells markers)"; fi

out=$(q "local r = lab.runs(); for i = 1, r:nrow() do print(r.name[i], r.status[i], r['metrics.accuracy'][i], r['params.logistic.C'][i]) end")
case "$out" in *"iris-session	finished	0.9"*"	2"*) ok ;; *) bad "the promoted run has the session's metric and fit params: $out" ;; esac
case "$out" in *"session "*"	finished"*) ok ;; *) bad "the session's own run ended finished on quit: $out" ;; esac
n=$(printf '%s\n' "$out" | grep -c .)
if [ "$n" -eq 3 ]; then ok; else bad "three runs: the session's and two promoted ($n): $out"; fi
if [ -f "$home/store/artifacts/$id/models/logistic.labm" ]; then ok; else bad "the session's model is copied to the promoted run"; fi
ds=$(sqlite3 "$home/store/lab.db" "select count(*) from datasets d join runs r on r.rid = d.run where r.id = '$id'" 2>&1)
if [ "$ds" = "1" ]; then ok; else bad "the data the session read is recorded with the run ($ds)"; fi

# the promoted notebooks reproduce, from another directory too, and leave the registry alone
out=$(cd "$home" && LAB_HOME="$home/store" $LAB reproduce "$id" 2>&1)
case "$out" in *"every metric matches"*) ok ;; *) bad "lab reproduce of a promoted run: $out" ;; esac
out=$(cd / && LAB_HOME="$home/store" $LAB reproduce "$id2" 2>&1)
case "$out" in *"every metric matches"*) ok ;; *) bad "lab reproduce of the second promotion, from /: $out" ;; esac
out=$(LAB_HOME="$home/store" $LAB models show iris 2>&1)
n=$(printf '%s\n' "$out" | grep -c '^ *[0-9]')
if [ "$n" -eq 1 ]; then ok; else bad "reproductions registered no new version: $out"; fi

finish
