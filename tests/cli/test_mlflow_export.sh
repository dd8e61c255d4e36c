#!/bin/sh
# test_mlflow_export.sh — `lab runs export --mlflow DIR` from the command line:
# a store filled by `lab run` notebooks is written as an MLflow file store;
# every meta.yaml parses (with PyYAML, when python3 has it) with its keys in
# alphabetical order, ids that match their folders and MLflow's types; every
# metric line is "<ms> <value> <step>"; the registry's files are there; a
# second export replaces the first; a folder that is neither empty nor an
# earlier export is refused and left alone, and so is the current folder (or
# one holding it). Keys that cannot be file names are refused when logged,
# and in an older store that holds them, skipped with a warning each while
# the export goes on. The byte-level layout is checked in
# tests/c/test_export.c. Prints "N passed, N failed".
LAB=${LAB:-./lab}
LAB=$(cd "$(dirname "$LAB")" && pwd)/$(basename "$LAB")
ROOT=$(pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LAB_HOME="$tmp/store"

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $1"
    shift
    for f in "$@"; do sed 's/^/    /' "$f" | head -n 20; done
    fail=$((fail + 1))
}

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

check "export without a store" 1 "no runs yet in $tmp/store" $LAB runs export --mlflow "$tmp/x"
if [ -e "$tmp/x" ]; then bad "export without a store wrote something"; else ok; fi

cat >"$tmp/train.lua" <<LUA
-- %%
lab.experiment("iris sweep")
local df = lab.read_csv("$ROOT/data/iris.csv")
local m = lab.model.linear{}
m:fit(df, {target = "petal_width", features = {"petal_length"}})
for i = 0, 9 do lab.log("loss", 1 / (i + 1), i) end
lab.log("val/acc", 0.75)
lab.param("opt", "adam")
lab.note("a note")
local v = lab.register(lab.current_run(), "iris-lin")
lab.alias("iris-lin", v, "production")
LUA
$LAB run "$tmp/train.lua" >"$tmp/log" 2>&1 || bad "lab run train.lua" "$tmp/log"
$LAB run "$tmp/train.lua" >"$tmp/log" 2>&1 || bad "lab run train.lua (2)" "$tmp/log"
printf 'lab.log("rmse", 0/0)\nlab.log("rmse", 1/0)\n' >"$tmp/other.lua"
$LAB run "$tmp/other.lua" >"$tmp/log" 2>&1 || bad "lab run other.lua" "$tmp/log"

out="$tmp/mlruns"
check "export" 0 "exported 2 experiments, 3 runs" $LAB runs export --mlflow "$out"
grep -qF "and 1 model (2 versions) to $out" "$tmp/out" && ok || bad "export: the summary names models and folder" "$tmp/out"
[ -f "$out/.lab-export" ] && [ -d "$out/.trash" ] && [ -d "$out/models/iris-lin/version-2" ] && ok ||
    bad "export: marker, .trash, registry folders"
[ "$(cat "$out/models/iris-lin/aliases/production")" = "2" ] && ok || bad "export: the alias file holds the version"

# every metric line of every run
n=$(find "$out" -path '*/metrics/*' -type f | wc -l)
if [ "$n" -ge 4 ]; then ok; else bad "export: metric files ($n)"; fi
badlines=$(find "$out" -path '*/metrics/*' -type f -exec cat {} + | grep -cvE '^[0-9]+ (-?[0-9.e+-]+|nan|inf|-inf) -?[0-9]+$')
if [ "$badlines" -eq 0 ]; then ok; else bad "export: $badlines metric lines not '<ms> <value> <step>'"; fi
f=$(find "$out" -path '*/metrics/loss' | head -n 1)
if [ "$(wc -l <"$f")" -eq 10 ]; then ok; else bad "export: loss has every point (10)" "$f"; fi
f=$(find "$out" -path '*/metrics/val/acc' | head -n 1)
[ -n "$f" ] && ok || bad "export: a key with / becomes a folder"
f=$(find "$out" -path '*/metrics/rmse' | head -n 1)
cut -d' ' -f2 "$f" | tr '\n' ' ' | grep -q "^nan inf $" && ok || bad "export: nan and inf values" "$f"
f=$(find "$out" -path '*/params/opt' | head -n 1)
[ "$(cat "$f"; echo x)" = "adamx" ] && ok || bad "export: a param is its bare value, no newline" "$f"
f=$(find "$out" -path '*/tags/mlflow.runName' | head -n 1)
[ "$(cat "$f")" = "train.lua" ] || [ "$(cat "$f")" = "other.lua" ] && ok || bad "export: mlflow.runName" "$f"
n=$(find "$out" -path '*/artifacts/models/linear.labm' | wc -l)
if [ "$n" -eq 2 ]; then ok; else bad "export: the model artifacts copied ($n)"; fi

if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
    if python3 - "$out" >"$tmp/py" 2>&1 <<'PY'; then ok; else bad "export: YAML read back with PyYAML" "$tmp/py"; fi
import os, re, sys, yaml
root = sys.argv[1]

def load(path):
    text = open(path).read()
    d = yaml.safe_load(text)
    keys = [l.split(":")[0] for l in text.splitlines() if l and l[0] not in " -"]
    assert keys == sorted(keys), (path, keys)
    assert list(d) == keys, (path, list(d), keys)
    return d

exps = [e for e in os.listdir(root) if e not in (".trash", "models") and os.path.isdir(os.path.join(root, e))]
assert sorted(exps)[0] == "0", exps
runs = 0
for e in exps:
    m = load(os.path.join(root, e, "meta.yaml"))
    assert m["experiment_id"] == e and isinstance(m["experiment_id"], str), m
    assert m["lifecycle_stage"] == "active" and m["artifact_location"] == "file://" + os.path.join(root, e), m
    assert isinstance(m["creation_time"], int) and isinstance(m["last_update_time"], int), m
    assert re.match(r"^[a-zA-Z0-9][\w\-]{0,63}$", e)
    for r in os.listdir(os.path.join(root, e)):
        d = os.path.join(root, e, r)
        if not os.path.isdir(d) or r == "tags":
            continue
        runs += 1
        m = load(os.path.join(d, "meta.yaml"))
        assert m["run_id"] == r == m["run_uuid"] and re.match(r"^[0-9a-f]{32}$", r), m
        assert m["experiment_id"] == e, m
        assert m["status"] == 3 and m["source_type"] == 4 and m["tags"] == [], m
        assert m["entry_point_name"] == "" and m["source_name"] == "" and m["source_version"] == "", m
        assert isinstance(m["start_time"], int) and m["end_time"] >= m["start_time"], m
        assert m["artifact_uri"] == "file://" + os.path.join(d, "artifacts"), m
        assert m["run_name"] == open(os.path.join(d, "tags", "mlflow.runName")).read(), m
        for sub in ("params", "metrics", "tags", "artifacts"):
            assert os.path.isdir(os.path.join(d, sub)), (d, sub)
assert runs == 3, runs
mdir = os.path.join(root, "models", "iris-lin")
m = load(os.path.join(mdir, "meta.yaml"))
assert m["name"] == "iris-lin" and m["aliases"] == {"production": "2"} and m["description"] is None, m
for v in (1, 2):
    mv = load(os.path.join(mdir, "version-%d" % v, "meta.yaml"))
    assert mv["version"] == v and mv["name"] == "iris-lin" and mv["current_stage"] == "None", mv
    assert mv["status"] == "READY" and mv["source"] == mv["storage_location"], mv
    src = mv["source"]
    assert src.startswith("file://" + root + "/") and os.path.isfile(src[len("file://"):]), src
    assert re.match(r"^[0-9a-f]{32}$", mv["run_id"]) and ("/" + mv["run_id"] + "/artifacts/") in src, mv
    assert mv["aliases"] == (["production"] if v == 2 else []), mv
print("ok")
PY
else
    echo "skip: PyYAML is not installed; the YAML is checked line by line in tests/c/test_export.c"
fi

# an earlier export is replaced; anything else is refused and left alone
touch "$out/stale"
check "export again replaces the earlier export" 0 "exported" $LAB runs export --mlflow "$out"
[ ! -e "$out/stale" ] && ok || bad "export again: the earlier export's files are gone"
mkdir "$tmp/mine"
echo keep >"$tmp/mine/notes.txt"
check "export into a folder with other files" 1 "not empty and not an earlier lab export" \
    $LAB runs export --mlflow "$tmp/mine"
[ "$(cat "$tmp/mine/notes.txt")" = "keep" ] && [ "$(ls "$tmp/mine")" = "notes.txt" ] && ok ||
    bad "a refused export leaves the folder alone"
n=$(wc -l <"$tmp/err")
if [ "$n" -eq 1 ]; then ok; else bad "a refused export: one line on stderr" "$tmp/err"; fi
check "export --mlflow=DIR" 0 "exported" $LAB runs export --mlflow="$tmp/eq"

# the current folder, or one holding it, is refused (the export is renamed
# into place, which would pull the folder from under the shell)
mkdir -p "$tmp/here/sub"
(cd "$tmp/here/sub" && $LAB runs export --mlflow .) >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -qF "lab: .: is the current folder" "$tmp/err" && ok ||
    bad "export --mlflow . (the current folder): exit 1 ($rc)" "$tmp/err"
n=$(wc -l <"$tmp/err")
if [ "$n" -eq 1 ]; then ok; else bad "export into the current folder: one line on stderr" "$tmp/err"; fi
(cd "$tmp/here/sub" && $LAB runs export --mlflow ../../here) >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -qF "contains the current folder" "$tmp/err" && ok ||
    bad "export into a folder holding the current one: exit 1 ($rc)" "$tmp/err"
[ -d "$tmp/here/sub" ] && [ -z "$(ls -A "$tmp/here/sub")" ] && ok || bad "a refused export leaves the current folder"
(cd "$tmp/here/sub" && $LAB runs export --mlflow mlruns) >"$tmp/out" 2>"$tmp/err" && [ -f "$tmp/here/sub/mlruns/.lab-export" ] &&
    ok || bad "export into a new folder inside the current one" "$tmp/err"

# keys that cannot be file names: refused when logged ...
printf 'lab.log("../../evil", 1)\n' >"$tmp/evil.lua"
check "lab.log with a key that climbs out" 1 "metric key '../../evil' has a '..' part" $LAB run "$tmp/evil.lua"
for k in /abs a//b a/./b a/; do
    printf 'lab.param("%s", 1)\n' "$k" >"$tmp/evil.lua"
    check "lab.param('$k') is refused" 1 "param key '$k'" $LAB run "$tmp/evil.lua"
done
printf 'lab.tag("../t", "x")\n' >"$tmp/evil.lua"
check "lab.tag('../t') is refused" 1 "tag key '../t' has a '..' part" $LAB run "$tmp/evil.lua"
check "export after the refused keys" 0 "exported" $LAB runs export --mlflow "$tmp/after"
grep -q "skipped" "$tmp/out" && bad "export after the refused keys: nothing skipped" "$tmp/out" || ok

# ... and, in a store from before that rule, left out of an export with a warning each
if command -v sqlite3 >/dev/null 2>&1; then
    rid=$(sqlite3 "$LAB_HOME/lab.db" "SELECT rid FROM runs ORDER BY rid LIMIT 1")
    id8=$(sqlite3 "$LAB_HOME/lab.db" "SELECT substr(id, 1, 8) FROM runs WHERE rid = $rid")
    sqlite3 "$LAB_HOME/lab.db" "INSERT INTO params(run, key, value) VALUES($rid, '../../evil', 'x');
        INSERT INTO tags(run, key, value) VALUES($rid, '../t', 'x');
        INSERT INTO metrics(run, step, key, seq, value, ts_ms) VALUES($rid, 0, 'a//b', 0, 1, 1700000000000);
        INSERT INTO metric_last(run, key, step, ts_ms, value, min, max, count)
            VALUES($rid, 'a//b', 0, 1700000000000, 1, 1, 1, 1);"
    check "export of an older store with bad keys: exit 0" 0 "skipped 3 keys (named above)" \
        $LAB runs export --mlflow "$out"
    grep -qE "^exported 2 experiments, 9 runs " "$tmp/out" && ok || bad "export with bad keys: the runs are exported" "$tmp/out"
    n=$(grep -c "^lab: warning: run $id8: .* key '.*' skipped: " "$tmp/err")
    if [ "$n" -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 3 ]; then ok; else bad "export: one warning per bad key ($n)" "$tmp/err"; fi
    grep -qF "param key '../../evil' skipped" "$tmp/err" && grep -qF "tag key '../t' skipped" "$tmp/err" &&
        grep -qF "metric key 'a//b' skipped" "$tmp/err" && ok || bad "export: the warnings name the keys" "$tmp/err"
    [ ! -e "$tmp/evil" ] && [ ! -e "$out/evil" ] && ! find "$out" -name evil | grep -q . && ok ||
        bad "export: nothing written outside the run's folder"
else
    echo "skip: no sqlite3 shell to make an older store"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
