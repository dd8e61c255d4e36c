#!/bin/sh
# test_track.sh — tracking as a user meets it from the command line: `lab run`
# records a run (notebook text, --params, autologged fits, data hashes, model
# and plot artifacts, status), --no-track records nothing, `lab reproduce`
# re-runs a run and compares its metrics (and refuses changed data), the
# registry's name@alias / name:N references load models, and bad calls get
# one-line errors. What the store holds is read back through lab.runs() and
# lab.metric_history() in a notebook run with --no-track.
# Run from the repository root; prints "N passed, N failed".
LAB=${LAB:-$(pwd)/lab}
case "$LAB" in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
ROOT=$(pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LAB_HOME=$tmp/store
export LAB_HOME
cd "$tmp" || exit 1
cp "$ROOT/data/iris.csv" iris.csv

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $1"
    [ -f out ] && sed 's/^/    /' out | head -n 20
    [ -f err ] && sed 's/^/    /' err | head -n 20
    fail=$((fail + 1))
}
# expect NAME STATUS TEXT CMD...: exit status and a line of the combined output
expect() {
    name=$1 want=$2 text=$3
    shift 3
    "$@" >out 2>err
    got=$?
    if [ "$got" -ne "$want" ]; then bad "$name: expected exit $want, got $got"; return; fi
    if [ -n "$text" ] && ! grep -qF -- "$text" out err; then bad "$name: expected output containing: $text"; return; fi
    ok
}
# query NAME TEXT LUA: run LUA untracked and look for TEXT in what it prints
query() {
    printf '%s\n' "$3" >q.lua
    expect "$1" 0 "$2" "$LAB" run --no-track q.lua
}

cat >train.lua <<'EOF'
-- %% [markdown]
-- # Train iris
-- %%
local df = lab.read_csv("iris.csv")
local train, test = df:split{test = 0.3, seed = 7, stratify = "species"}
-- %%
lab.param("split_seed", 7)
local m = lab.model.logistic{C = params.C or 1}:fit(train, {target = "species"})
local acc = lab.metrics.accuracy(test.species, m:predict(test))
lab.log("accuracy", acc)
for epoch = 1, 5 do lab.log({loss = 1 / epoch, lr = 0.1}, epoch) end
lab.plot.scatter(df, "sepal_length", "petal_length", {file = "scatter.png"})
print(string.format("accuracy %.4f", acc))
EOF

# ---- lab run records a run ------------------------------------------------------------
expect "lab run tracked" 0 "accuracy" "$LAB" run train.lua --param C=0.5
query "one finished run named after the notebook" "1 finished train.lua Default" \
    'local r = lab.runs(); print(r:nrow() .. " " .. r.status[1] .. " " .. r.name[1] .. " " .. r.experiment[1])'
query "--param recorded as a param" "C=0.5 seed=7" \
    'local r = lab.runs(); print("C=" .. r["params.C"][1] .. " seed=" .. r["params.split_seed"][1])'
query "autolog: hyper-parameters as <kind>.<name>" "logistic.C=0.5 max_iter=100" \
    'local r = lab.runs(); print("logistic.C=" .. r["params.logistic.C"][1] .. " max_iter=" .. r["params.logistic.max_iter"][1])'
query "autolog: training figures as metrics" "has n_iter" \
    'local r = lab.runs(); if r["metrics.logistic.n_iter"][1] > 0 then print("has n_iter") end'
query "metric history, one point per step" "5 1 0.2" \
    'local h = lab.metric_history(lab.runs().id[1], "loss"); print(h:nrow() .. " " .. h.step[1] .. " " .. h.value[5])'
id=$("$LAB" run --no-track q.lua >/dev/null 2>&1; printf 'print(lab.runs().id[1])\n' >q.lua; "$LAB" run --no-track q.lua)
case "$id" in
[0-9a-f]*) ok ;;
*) bad "run id readable: got '$id'" ;;
esac
if [ -f "$LAB_HOME/artifacts/$id/models/logistic.labm" ]; then ok; else bad "the fitted model is an artifact"; fi
if [ -f "$LAB_HOME/artifacts/$id/plots/scatter.png" ]; then ok; else bad "the plot file is an artifact"; fi
sum=$(sha256sum iris.csv | cut -c1-64)
if sqlite3 "$LAB_HOME/lab.db" "select sha256 from datasets" 2>/dev/null | grep -q "$sum"; then ok
else bad "the data set's sha256 is recorded ($sum)"; fi
if sqlite3 "$LAB_HOME/lab.db" "select text from notebooks" 2>/dev/null | grep -q "Train iris"; then ok
else bad "the notebook text is recorded"; fi

# ---- --no-track, failures ---------------------------------------------------------------
expect "--no-track" 0 "" "$LAB" run --no-track train.lua
query "--no-track recorded nothing, not even what the notebook logs" "runs 1" 'print("runs " .. lab.runs():nrow())'
printf 'lab.log("x", 1)\nerror("boom")\n' >broken.lua
expect "a failing notebook" 1 "boom" "$LAB" run broken.lua
query "its run is failed" "failed broken.lua" 'local r = lab.runs(); print(r.status[1] .. " " .. r.name[1])'

# ---- Ctrl-C: the cell stops, the report is written, the run is killed --------------------
printf 'lab.log("x", 1)\nprint("ready")\nio.stdout:flush()\nwhile true do end\n' >loop.lua
st=$(python3 - "$LAB" <<'PY'
import signal, subprocess, sys
p = subprocess.Popen([sys.argv[1], "run", "loop.lua", "--report", "loop.html"], restore_signals=True,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
for line in p.stdout:  # the loop is running once it said so
    if "ready" in line:
        break
p.send_signal(signal.SIGINT)
print(p.wait(timeout=20))
PY
)
if [ "$st" = "130" ]; then ok; else bad "Ctrl-C ends lab run with status 130 (got $st)"; fi
if [ -s loop.html ]; then ok; else bad "the report is written after Ctrl-C"; fi
query "an interrupted run is killed" "killed loop.lua" 'local r = lab.runs(); print(r.status[1] .. " " .. r.name[1])'

# ---- params are immutable; bad values --------------------------------------------------
printf 'lab.param("a", 1)\nlab.param("a", 1)\nlab.param("a", 2)\n' >imm.lua
expect "a param cannot change" 1 "lab.param" "$LAB" run imm.lua
if grep -q "'1'" err && grep -q "'2'" err || grep -q '1.*2' err; then ok; else bad "the error names both values"; fi
printf 'lab.log("x", "high")\n' >badlog.lua
expect "lab.log of a string" 1 "must be a number" "$LAB" run badlog.lua
printf 'lab.log("x", 1, -3)\n' >badstep.lua
expect "a negative step" 1 "the step must be 0 or more" "$LAB" run badstep.lua
printf 'lab.log("../x", 1)\n' >badkey.lua
expect "a key with a '..' part names the key" 1 "'../x'" "$LAB" run badkey.lua
printf 'lab.alias("iris", 0, "production")\n' >badver.lua
expect "version 0" 1 "a version is a number from 1" "$LAB" run --no-track badver.lua
printf 'lab.store("")\n' >badstore.lua
expect "an empty store folder" 1 "store folder name is empty" "$LAB" run --no-track badstore.lua

# ---- a second fit with other hyper-parameters -------------------------------------------
cat >two.lua <<'EOF'
local df = lab.read_csv("iris.csv")
lab.model.logistic{C = 1}:fit(df, {target = "species"})
lab.model.logistic{C = 10}:fit(df, {target = "species"})
lab.model.logistic{C = 1}:fit(df, {target = "species"})
EOF
expect "two fits" 0 "" "$LAB" run two.lua
query "the second configuration records as logistic_2" "1 10 none" \
    'local r = lab.runs(); local has3 = false; for _, n in ipairs(r:names()) do if n == "params.logistic_3.C" then has3 = true end end; print(r["params.logistic.C"][1] .. " " .. r["params.logistic_2.C"][1] .. " " .. (has3 and "three" or "none"))'

# ---- lab.experiment moves the notebook's run --------------------------------------------
printf 'lab.experiment("iris-study")\nlab.log("x", 1)\n' >exp.lua
expect "experiment" 0 "" "$LAB" run exp.lua
query "the run is in the experiment" "iris-study 1" \
    'local r = lab.runs{experiment = "iris-study"}; print(r.experiment[1] .. " " .. r:nrow())'

# ---- reproduce ----------------------------------------------------------------------------
expect "reproduce a run" 0 "every metric matches" "$LAB" reproduce "$id"
if grep -q "accuracy" out && grep -q "logistic.n_iter" out; then ok; else bad "the table lists the metrics"; fi
query "the reproduction is a new run with the same params" "train.lua 0.5" \
    'local r = lab.runs(); print(r.name[1] .. " " .. r["params.C"][1])'
if sqlite3 "$LAB_HOME/lab.db" "select count(*) from runs where reproduces is not null" 2>/dev/null | grep -qx 1; then ok
else bad "the new run is linked to the original"; fi
short=$(printf '%s' "$id" | cut -c1-8)
expect "reproduce by prefix" 0 "every metric matches" "$LAB" reproduce "$short"
printf 'lab.log("t", os.clock() + os.time())\n' >clock.lua
expect "a run with a changing metric" 0 "" "$LAB" run clock.lua
cid=$(printf 'print(lab.runs().id[1])\n' >q.lua; "$LAB" run --no-track q.lua)
expect "reproduce notices a changed metric" 1 "DIFFERS" "$LAB" reproduce "$cid"
expect "--tol accepts a close one" 0 "every metric matches" "$LAB" reproduce "$cid" --tol 0.5
expect "reproduce of no such run" 1 "no run" "$LAB" reproduce ffffffff
expect "reproduce without a run" 2 "usage" "$LAB" reproduce
expect "reproduce --tol bad" 2 "--tol" "$LAB" reproduce "$id" --tol -1
echo "5.0,3.0,1.0,0.1,setosa" >>iris.csv
expect "reproduce refuses changed data" 1 "iris.csv changed" "$LAB" reproduce "$id"
if [ "$(grep -c . err)" -ge 1 ] && ! grep -q "every metric" out; then ok; else bad "nothing ran on changed data"; fi
cp "$ROOT/data/iris.csv" iris.csv

# ---- reproduce: arguments, another directory, SQL sources ---------------------------------
printf 'lab.log("n", tonumber(arg[1] or 0))\nlab.log("rows", lab.read_csv("iris.csv"):nrow())\n' >args.lua
expect "a run with an argument" 0 "" "$LAB" run args.lua 42
aid=$(printf 'print(lab.runs().id[1])\n' >q.lua; "$LAB" run --no-track q.lua)
expect "reproduce passes the arguments again" 0 "every metric matches" "$LAB" reproduce "$aid"
expect "reproduce from another directory runs where the run ran" 0 "every metric matches" \
    sh -c "cd / && '$LAB' reproduce '$aid'"
cat >sql.lua <<'EOF'
lab.read_csv("iris.csv"):write_sql("d.db", "iris", {if_exists = "replace"})
local df = lab.read_sql("d.db", "select species, count(*) as n from iris group by species")
df:write_sql("d.db", "summary", {if_exists = "replace"})
lab.log("groups", df:nrow())
EOF
expect "a notebook that writes to its SQL source" 0 "" "$LAB" run sql.lua
sid=$(printf 'print(lab.runs().id[1])\n' >q.lua; "$LAB" run --no-track q.lua)
expect "it reproduces (the query's result is what counts)" 0 "every metric matches" "$LAB" reproduce "$sid"
cat >sql2.lua <<'EOF'
local df = lab.read_sql("d.db", "select * from summary")
lab.log("rows", df:nrow())
EOF
expect "a notebook reading a table" 0 "" "$LAB" run sql2.lua
sid2=$(printf 'print(lab.runs().id[1])\n' >q.lua; "$LAB" run --no-track q.lua)
sqlite3 d.db "insert into summary values ('new', 1)"
expect "reproduce names a SQL source that gives other rows" 1 "d.db gave other rows" "$LAB" reproduce "$sid2"

# ---- endings: os.exit, lab.end_run -----------------------------------------------------------
printf 'for s = 1, 50 do lab.log({a = s, b = -s}, s) end\nos.exit(0)\n' >exit.lua
expect "os.exit in a notebook" 0 "" "$LAB" run exit.lua
query "os.exit keeps the last step and ends the run finished" "finished 50 50" \
    'local r = lab.runs(); print(r.status[1] .. " " .. string.format("%d", r["metrics.a"][1]) .. " " .. lab.metric_history(r.id[1], "a"):nrow())'
printf 'lab.log("x", 1)\nlab.end_run()\n' >ended.lua
expect "a notebook that ends its run" 0 "" "$LAB" run ended.lua
query "no empty run after lab.end_run" "ended.lua 1" \
    'local r = lab.runs(); local n = 0; for i = 1, r:nrow() do if r.name[i] == "ended.lua" then n = n + 1 end end; print("ended.lua " .. n)'

# ---- artifacts and reading back ------------------------------------------------------------------
cat >art.lua <<'EOF'
local df = lab.read_csv("iris.csv")
print(lab.artifact("plots/fit", lab.plot.scatter(df, "sepal_length", "petal_length")))
print(lab.artifact("data", df))
EOF
expect "lab.artifact of a plot and a frame" 0 "data.csv" "$LAB" run art.lua
rid=$(printf 'print(lab.runs().id[1])\n' >q.lua; "$LAB" run --no-track q.lua)
n=$(ls "$LAB_HOME/artifacts/$rid/plots" | wc -l)
if [ "$n" -eq 1 ] && [ -f "$LAB_HOME/artifacts/$rid/plots/fit.png" ]; then ok; else
    bad "one plot artifact, plots/fit.png (got: $(ls "$LAB_HOME/artifacts/$rid/plots"))"; fi
printf 'lab.metric_history(lab.runs().id[1], "acuracy")\n' >q.lua
expect "an unknown metric is an error with a suggestion" 1 "no metric 'acuracy'" "$LAB" run --no-track q.lua
printf 'lab.runs{experiment = "iris-studi"}\n' >q.lua
expect "an unknown experiment is an error with a suggestion" 1 "did you mean 'iris-study'" "$LAB" run --no-track q.lua
printf 'lab.log("x", 1)\nlab.log("y", 2)\n' >q.lua
expect "--no-track says once that nothing is recorded" 0 "tracking is off" "$LAB" run --no-track q.lua
if [ "$(grep -c 'tracking is off' err)" -eq 1 ]; then ok; else bad "said once"; fi

# ---- the registry ---------------------------------------------------------------------------
cat >reg.lua <<EOF
local v = lab.register("$short", "iris")
lab.alias("iris", v, "production")
print("version " .. v)
local m = lab.load("iris@production")
print("predicts " .. m:predict(lab.read_csv("iris.csv"))[1])
print("by number " .. lab.load("iris:1"):kind())
EOF
expect "register, alias, load by reference" 0 "predicts setosa" "$LAB" run --no-track reg.lua
if grep -q "version 1" out && grep -q "by number logistic" out; then ok; else bad "version 1, iris:1 loads"; fi
printf 'lab.load("iris@staging")\n' >noalias.lua
expect "an unknown alias" 1 "staging" "$LAB" run --no-track noalias.lua
printf 'lab.register("%s", "bad name!")\n' "$short" >badname.lua
expect "a bad model name" 1 "bad name!" "$LAB" run --no-track badname.lua
for f in "$LAB_HOME"/models/iris/*; do printf 'x' >>"$f"; done
printf 'lab.load("iris@production")\n' >changed.lua
expect "a changed registered file is refused" 1 "iris" "$LAB" run --no-track changed.lua

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
