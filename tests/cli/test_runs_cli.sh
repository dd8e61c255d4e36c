#!/bin/sh
# test_runs_cli.sh — `lab runs` and `lab models` as a user meets them: a store
# filled by `lab run` notebooks (params, metrics, a note, a fitted model,
# the registry), then list with its filters, sorting and metric columns,
# show, compare with --diff, models list/show (versions newest first, in JSON
# too), --json parsed by python3 (when there is one), bad usage (exit 2, one
# line: --limit 0 among it), a --sort metric no run has (exit 1, "did you
# mean"), registry references that lab.load sends to the registry (iris:0,
# iris@), and a missing or empty store (a friendly line, exit 0 for
# listings; listing creates nothing). Run from the repository root; prints
# "N passed, N failed".
LAB=${LAB:-./lab}
LAB=$(cd "$(dirname "$LAB")" && pwd)/$(basename "$LAB")
ROOT=$(pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HAVE_PY=0
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then HAVE_PY=1; fi

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $1"
    shift
    for f in "$@"; do sed 's/^/    /' "$f" | head -n 20; done
    fail=$((fail + 1))
}

# check NAME WANT_STATUS WANT_TEXT CMD...: CMD's exit status and output
check() {
    name=$1 want=$2 text=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$name: expected exit $want, got $got" "$tmp/out" "$tmp/err"
        return
    fi
    if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out" "$tmp/err"; then
        bad "$name: expected output containing: $text" "$tmp/out" "$tmp/err"
        return
    fi
    ok
}

# lacks NAME TEXT: the last command's output does not contain TEXT
lacks() {
    if grep -qF -- "$2" "$tmp/out"; then bad "$1: did not expect: $2" "$tmp/out"; else ok; fi
}

# one_line_err NAME: the last command's stderr is one line
one_line_err() {
    n=$(wc -l <"$tmp/err")
    if [ "$n" -eq 1 ]; then ok; else bad "$1: expected a one-line error, got $n lines" "$tmp/err"; fi
}

# py NAME SCRIPT: run python on the last command's stdout (as `d`, parsed
# JSON); the script asserts
py() {
    if [ $HAVE_PY -eq 0 ]; then
        echo "skip $1 (no python3)"
        return
    fi
    if python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
$2" "$tmp/out" 2>"$tmp/pyerr"; then ok; else bad "$1" "$tmp/pyerr" "$tmp/out"; fi
}

# ---- no store yet ----------------------------------------------------------------
export LAB_HOME="$tmp/none"
mkdir -p "$LAB_HOME"
check "runs without a store: a friendly line, exit 0" 0 "no runs yet in $tmp/none (lab.db does not exist)" $LAB runs
check "runs list --json without a store: []" 0 "[]" $LAB runs list --json
check "runs show without a store: exit 1" 1 "no runs yet in $tmp/none (lab.db does not exist)" $LAB runs show abcd
one_line_err "runs show without a store"
check "models without a store: exit 0" 0 "no models yet in $tmp/none (lab.db does not exist)" $LAB models
lacks "models without a store: one plain line" "no runs yet"
check "models show without a store: exit 1" 1 "no models yet in $tmp/none (lab.db does not exist)" $LAB models show x
if [ -e "$LAB_HOME/lab.db" ]; then bad "listing created a store"; else ok; fi

# ---- an empty lab.db (a store not yet begun): listings as without one -----------------
export LAB_HOME="$tmp/empty"
mkdir -p "$LAB_HOME"
: >"$LAB_HOME/lab.db"
check "runs with an empty lab.db: exit 0" 0 "no runs yet in $tmp/empty (lab.db is empty)" $LAB runs
check "runs list --json with an empty lab.db: []" 0 "[]" $LAB runs list --json
check "models with an empty lab.db: exit 0" 0 "no models yet in $tmp/empty (lab.db is empty)" $LAB models
check "models --json with an empty lab.db: []" 0 "[]" $LAB models --json
check "runs show with an empty lab.db: exit 1" 1 "no runs yet in $tmp/empty (lab.db is empty)" $LAB runs show abcd
one_line_err "runs show with an empty lab.db"
check "runs compare with an empty lab.db: exit 1" 1 "lab.db is empty" $LAB runs compare abcd abce
check "runs export with an empty lab.db: exit 1" 1 "lab.db is empty" $LAB runs export --mlflow "$tmp/exp-empty"
check "models show with an empty lab.db: exit 1" 1 "no models yet in $tmp/empty (lab.db is empty)" $LAB models show x
[ ! -s "$LAB_HOME/lab.db" ] && [ ! -e "$tmp/exp-empty" ] && ok || bad "an empty lab.db: nothing written"
export LAB_HOME="$tmp/none"

# ---- help and bad usage ---------------------------------------------------------------
check "runs --help" 0 "usage: lab runs [list]" $LAB runs --help
check "runs show --help" 0 "lab runs show RUN" $LAB runs show --help
check "models --help" 0 "usage: lab models [list]" $LAB models --help
check "lab --help lists runs and models" 0 "models [list|show NAME]" $LAB --help
check "unknown runs option" 2 "lab runs: unknown option '--frob' (try lab runs --help)" $LAB runs --frob
one_line_err "unknown runs option"
check "unknown runs subcommand" 2 "unknown subcommand 'frob'" $LAB runs frob
one_line_err "unknown runs subcommand"
check "compare needs two runs" 2 "compare needs at least two runs" $LAB runs compare abcd
check "bad --where" 2 "--where 'acc ~ 3': expected METRIC OP VALUE" $LAB runs --where 'acc ~ 3'
one_line_err "bad --where"
check "bad --status" 2 "unknown status 'done'" $LAB runs --status done
check "bad --limit" 2 "--limit 'x'" $LAB runs --limit x
for l in 0 -1 00 1.5 ''; do
    check "--limit '$l' is bad usage" 2 "--limit '$l': expected a whole number from 1" $LAB runs --limit "$l"
    one_line_err "--limit '$l'"
done
check "an option without its value" 2 "--sort needs a value" $LAB runs --sort
check "show needs a run" 2 "show needs a run id" $LAB runs show
check "export needs --mlflow" 2 "export needs --mlflow DIR" $LAB runs export
check "unknown models subcommand" 2 "lab models: unknown subcommand 'frob'" $LAB models frob
check "models show needs a name" 2 "show needs a model name" $LAB models show

# ---- a store filled by notebooks -------------------------------------------------------
export LAB_HOME="$tmp/store"
cat >"$tmp/train.lua" <<'LUA'
-- %%
lab.experiment("iris")
local lr = params.lr
lab.param("opt", "adam")
for i = 0, 4 do lab.log("loss", 1 / (i + 1) / lr, i) end
lab.log("acc", lr * 4)
lab.note("lr sweep\nsecond line")
lab.tag("team", "ml")
LUA
cat >"$tmp/fit.lua" <<LUA
-- %%
lab.experiment("iris")
local df = lab.read_csv("$ROOT/data/iris.csv")
local m = lab.model.linear{}
m:fit(df, {target = "petal_width", features = {"petal_length"}})
lab.log("acc", 0.5)
local v = lab.register(lab.current_run(), "iris-lin")
lab.alias("iris-lin", v, "production")
LUA
cat >"$tmp/other.lua" <<'LUA'
lab.log("rmse", 3.5)
lab.tag("odd", "tab\there \"q\" \1 \255 é")
LUA
for lr in 0.1 0.2 0.4; do
    $LAB run "$tmp/train.lua" --param lr=$lr >"$tmp/runlog" 2>&1 || bad "lab run train.lua lr=$lr" "$tmp/runlog"
    sleep 0.01
done
$LAB run "$tmp/fit.lua" >"$tmp/runlog" 2>&1 || bad "lab run fit.lua" "$tmp/runlog"
$LAB run "$tmp/other.lua" >"$tmp/runlog" 2>&1 || bad "lab run other.lua" "$tmp/runlog"

# ids by what they did: the runs sorted by acc
$LAB runs list --experiment iris --sort acc --metrics acc >"$tmp/byacc"
id_lr4=$(sed -n 2p "$tmp/byacc" | cut -c1-8) # acc 1.6
id_lr2=$(sed -n 3p "$tmp/byacc" | cut -c1-8) # acc 0.8
id_fit=$(sed -n 4p "$tmp/byacc" | cut -c1-8) # acc 0.5
id_lr1=$(sed -n 5p "$tmp/byacc" | cut -c1-8) # acc 0.4

# ---- list --------------------------------------------------------------------------------
check "list shows the head" 0 "id        experiment  name" $LAB runs
head -n 1 "$tmp/out" | grep -qE '^id +experiment +name +status +start +duration +' && ok ||
    bad "list head: id, experiment, name, status, start, duration" "$tmp/out"
n=$(($(wc -l <"$tmp/out") - 1))
if [ "$n" -eq 5 ]; then ok; else bad "list: expected 5 runs, got $n" "$tmp/out"; fi
sed -n 2p "$tmp/out" | grep -q "other.lua" && ok || bad "list: newest first (other.lua on top)" "$tmp/out"
head -n 1 "$tmp/out" | grep -q "acc" && ok || bad "list: default metric columns include acc" "$tmp/out"
head -n 1 "$tmp/out" | grep -q "loss" && ok || bad "list: default metric columns include loss" "$tmp/out"
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$tmp/out")
if [ "$w" -le 100 ]; then ok; else bad "list: fits 100 columns (widest line $w)" "$tmp/out"; fi

check "--asc without --sort: oldest first" 0 "train.lua" $LAB runs --asc
sed -n 2p "$tmp/out" | grep -q "train.lua" && ok || bad "--asc: oldest on top" "$tmp/out"

check "--experiment" 0 "iris" $LAB runs list --experiment iris
lacks "--experiment leaves other experiments out" "other.lua"
check "--experiment with a typo" 1 "no experiment 'irs' (did you mean 'iris'?)" $LAB runs --experiment irs
one_line_err "--experiment with a typo"
check "--status" 0 "finished" $LAB runs --status finished
check "--status with no match" 0 "no runs match" $LAB runs --status running

check "--sort acc: largest first" 0 "" $LAB runs --sort acc --metrics acc
sed -n 2p "$tmp/out" | grep -q "1.6" && ok || bad "--sort acc: 1.6 on top" "$tmp/out"
check "--sort acc --asc: smallest first" 0 "" $LAB runs --sort acc --asc --metrics acc
sed -n 2p "$tmp/out" | grep -q "0.4" && ok || bad "--sort acc --asc: 0.4 on top" "$tmp/out"
tail -n 1 "$tmp/out" | grep -q "other.lua" && ok || bad "--sort --asc: a run without the metric last" "$tmp/out"

check "--where" 0 "" $LAB runs --where 'acc >= 0.8' --metrics acc
n=$(($(wc -l <"$tmp/out") - 1))
if [ "$n" -eq 2 ]; then ok; else bad "--where 'acc >= 0.8': expected 2 runs, got $n" "$tmp/out"; fi
check "--where without spaces" 0 "" $LAB runs --where 'acc<0.5' --metrics acc
n=$(($(wc -l <"$tmp/out") - 1))
if [ "$n" -eq 1 ]; then ok; else bad "--where 'acc<0.5': expected 1 run, got $n" "$tmp/out"; fi

check "--limit" 0 "" $LAB runs --limit 2
n=$(($(wc -l <"$tmp/out") - 1))
if [ "$n" -eq 2 ]; then ok; else bad "--limit 2: expected 2 runs, got $n" "$tmp/out"; fi
check "--limit=1" 0 "" $LAB runs --limit=1
n=$(($(wc -l <"$tmp/out") - 1))
if [ "$n" -eq 1 ]; then ok; else bad "--limit=1: expected 1 run, got $n" "$tmp/out"; fi

# a --sort metric that no listed run has is an error, not an unsorted listing
check "--sort by a misspelt metric" 1 "lab: --sort accc: no run has that metric (did you mean 'acc'?)" \
    $LAB runs --sort accc
one_line_err "--sort by a misspelt metric"
[ ! -s "$tmp/out" ] && ok || bad "--sort by a misspelt metric: no table" "$tmp/out"
check "--sort by an unknown metric names the store's metrics" 1 "no run has that metric (metrics: " \
    $LAB runs --sort nosuch --json
grep -q "acc" "$tmp/err" && grep -q "rmse" "$tmp/err" && ok || bad "--sort nosuch: lists the metric keys" "$tmp/err"
one_line_err "--sort by an unknown metric"
check "--sort by a metric of other experiments' runs" 1 "no listed run has that metric" \
    $LAB runs --sort rmse --experiment iris
check "--sort by a metric only some runs have" 0 "other.lua" $LAB runs --sort rmse

check "--metrics chooses the columns" 0 "rmse" $LAB runs --metrics rmse,loss
head -n 1 "$tmp/out" | grep -qE 'rmse +loss$' && ok || bad "--metrics rmse,loss: those columns in order" "$tmp/out"
lacks "--metrics leaves acc out" "acc"
check "metric columns left out are counted on stderr" 0 "more metrics not shown: choose with --metrics" $LAB runs

check "list --json" 0 "" $LAB runs list --json
py "list --json: every run, with exact metrics" '
assert len(d) == 5, len(d)
assert d[0]["name"] == "other.lua", d[0]
for k in ("id", "experiment", "name", "status", "start_ms", "end_ms", "duration_ms", "metrics"):
    assert k in d[0], k
assert len(d[0]["id"]) == 32
accs = sorted(r["metrics"]["acc"] for r in d if "acc" in r["metrics"])
assert accs == [0.4, 0.5, 0.8, 1.6], accs
assert all(r["status"] == "finished" for r in d)'
check "list --json with filters" 0 "" $LAB runs --json --experiment iris --sort acc --limit 1
py "list --json --sort --limit" 'assert len(d) == 1 and d[0]["metrics"]["acc"] == 1.6, d'

# ---- show --------------------------------------------------------------------------------
check "show by prefix" 0 "experiment  iris" $LAB runs show "$id_lr1"
grep -q "^run  *$id_lr1" "$tmp/out" && ok || bad "show: the full id in the head" "$tmp/out"
grep -qE '^opt +adam$' "$tmp/out" && ok || bad "show: params" "$tmp/out"
grep -qE '^lr +0.1$' "$tmp/out" && ok || bad "show: --param is a param" "$tmp/out"
grep -qE '^loss +2 +4 +2 +10 +5$' "$tmp/out" && ok || bad "show: loss last 2, step 4, min 2, max 10, 5 steps" "$tmp/out"
grep -qE '^team +ml$' "$tmp/out" && ok || bad "show: tags" "$tmp/out"
grep -q "^  lr sweep" "$tmp/out" && ok || bad "show: the note" "$tmp/out"
grep -q "^notebook (sha256 " "$tmp/out" && ok || bad "show: the notebook at the end" "$tmp/out"
tail -n 1 "$tmp/out" | grep -q 'lab.tag("team", "ml")' && ok || bad "show: ends with the notebook text" "$tmp/out"

check "show a run with a model and data" 0 "models/linear.labm" $LAB runs show "$id_fit"
grep -qE "iris.csv +150 x 5 +[0-9a-f]{12}" "$tmp/out" && ok || bad "show: the data set read (rows x cols, sha)" "$tmp/out"
grep -qE "models/linear.labm +[0-9.]+ (B|KiB) +[0-9a-f]{12}" "$tmp/out" && ok || bad "show: artifact size and sha" "$tmp/out"

check "show --json" 0 "" $LAB runs show "$id_lr1" --json
py "show --json: params, metric summary, note, notebook" '
assert d["params"]["lr"] == "0.1" and d["params"]["opt"] == "adam", d["params"]
m = d["metrics"]["loss"]
assert (m["last"], m["min"], m["max"], m["count"], m["step"]) == (2, 2, 10, 5, 4), m
assert d["note"] == "lr sweep\nsecond line"
assert d["notebook"].startswith("-- %%")
assert d["experiment"] == "iris" and len(d["id"]) == 32'
check "show --json escapes text and repairs bad UTF-8" 0 "" \
    $LAB runs show "$($LAB runs --limit 1 | sed -n 2p | cut -c1-8)" --json
py "show --json: control characters escaped, a stray byte is U+FFFD" '
assert d["name"] == "other.lua", d["name"]
assert d["tags"]["odd"] == "tab\there \"q\" \x01 \ufffd \u00e9", repr(d["tags"]["odd"])'
check "show an unknown run" 1 "no run ffff" $LAB runs show ffff
one_line_err "show an unknown run"
check "show takes one run" 2 "show takes one run" $LAB runs show "$id_lr1" "$id_lr2"

# ---- compare -------------------------------------------------------------------------------
check "compare" 0 "params.lr" $LAB runs compare "$id_lr1" "$id_lr2"
head -n 1 "$tmp/out" | grep -qE "^run +$id_lr1 +$id_lr2$" && ok || bad "compare: one column per run" "$tmp/out"
grep -qE '^params.lr +0.1 +0.2$' "$tmp/out" && ok || bad "compare: params side by side" "$tmp/out"
grep -qE '^params.opt +adam +adam$' "$tmp/out" && ok || bad "compare: equal params shown" "$tmp/out"
grep -qE '^metrics.acc +0.4 +0.8$' "$tmp/out" && ok || bad "compare: last metrics, exact" "$tmp/out"
check "compare --diff" 0 "params.lr" $LAB runs compare "$id_lr1" "$id_lr2" --diff
lacks "compare --diff hides equal rows" "params.opt"
check "compare with a run lacking a param" 0 "" $LAB runs compare "$id_lr1" "$id_fit" --diff
grep -qE '^params.opt +adam +-$' "$tmp/out" && ok || bad "compare: a missing value is -" "$tmp/out"
check "compare --json" 0 "" $LAB runs compare "$id_lr1" "$id_lr2" "$id_lr4" --json --diff
py "compare --json --diff" '
assert [r["id"][:8] for r in d["runs"]] == ["'"$id_lr1"'", "'"$id_lr2"'", "'"$id_lr4"'"], d["runs"]
assert d["params"]["lr"] == ["0.1", "0.2", "0.4"], d["params"]
assert "opt" not in d["params"]
assert d["metrics"]["acc"] == [0.4, 0.8, 1.6]'
check "compare an unknown run" 1 "no run ffff" $LAB runs compare "$id_lr1" ffff

# ---- models --------------------------------------------------------------------------------
check "models list" 0 "iris-lin" $LAB models
grep -qE '^iris-lin +1 +1 +production=1 ' "$tmp/out" && ok || bad "models list: versions, latest, aliases" "$tmp/out"
check "models show" 0 "model iris-lin: 1 version" $LAB models show iris-lin
grep -qE "^ +1 +production +$id_fit +linear +[0-9-]+ [0-9:]+ +[0-9a-f]{12} +petal_length" "$tmp/out" && ok ||
    bad "models show: version, alias, run, kind, created, sha, schema" "$tmp/out"
check "models show --json" 0 "" $LAB models show iris-lin --json
py "models show --json" '
v = d["versions"][0]
assert d["name"] == "iris-lin" and v["version"] == 1 and v["aliases"] == ["production"], d
assert v["kind"] == "linear" and len(v["sha256"]) == 64 and v["run"].startswith("'"$id_fit"'")'
check "models list --json" 0 "" $LAB models list --json
py "models list --json" 'assert [m["name"] for m in d] == ["iris-lin"], d'
check "models show a missing model" 1 "no model 'iris-ln' (did you mean 'iris-lin'?)" $LAB models show iris-ln
one_line_err "models show a missing model"

# lab.load of a registry reference: NAME:REST and NAME@REST get registry errors
ref_err() { # ref_err REF WANT: a notebook loading REF fails with WANT
    printf 'local ok, err = pcall(lab.load, "%s")\nassert(not ok)\nprint("ERR " .. err)\n' "$1" >"$tmp/load.lua"
    check "lab.load('$1')" 0 "$2" $LAB run "$tmp/load.lua"
    lacks "lab.load('$1') is not a file error" "cannot open"
}
ref_err "iris-lin:0" "iris-lin:0: versions start at 1"
ref_err "iris-lin:-1" "iris-lin:-1: versions start at 1"
ref_err "iris-lin:abc" "iris-lin:abc: a version is a whole number"
ref_err "iris-lin@" "iris-lin@: an alias is [A-Za-z0-9_-]+"
ref_err "iris-lin:9" "model iris-lin has no version 9"
ref_err "iris-ln" "no model 'iris-ln' (did you mean 'iris-lin'?)"
ref_err "iris-ln@production" "no model 'iris-ln' (did you mean 'iris-lin'?)"

# a second version: show --json lists versions newest first, as the table does
$LAB run "$tmp/fit.lua" >"$tmp/runlog" 2>&1 || bad "lab run fit.lua (a second version)" "$tmp/runlog"
check "models show with two versions" 0 "model iris-lin: 2 versions" $LAB models show iris-lin
sed -n 4p "$tmp/out" | grep -qE '^ +2 +production ' && ok || bad "models show: newest version first" "$tmp/out"
check "models show --json with two versions" 0 "" $LAB models show iris-lin --json
py "models show --json: versions newest first" '
assert [v["version"] for v in d["versions"]] == [2, 1], d["versions"]
assert d["versions"][0]["aliases"] == ["production"] and d["versions"][1]["aliases"] == []'
check "models list --json with two versions" 0 "" $LAB models list --json
py "models list --json: versions newest first" 'assert [v["version"] for v in d[0]["versions"]] == [2, 1], d'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
