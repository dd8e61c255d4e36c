#!/bin/sh
# test_notebook.sh — `lab run NOTEBOOK.lua` as a user meets it: cells, their
# output and results, locals shared between cells, params, a failing cell (exit
# 1, one line naming file, line and cell), syntax errors, the three report
# formats (the .ipynb validated by Debian's python3-nbformat), plots in reports,
# and bad arguments. Run from the repository root; prints "N passed, N failed".
LAB=${LAB:-./lab}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the runs these notebooks record go to a store of the test's own when run alone
LAB_HOME=${LAB_HOME:-$tmp/store}
export LAB_HOME
# run by hand against a sanitized ./lab: the same suppressions as tests/run.sh
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $1"
    shift
    for f in "$@"; do sed 's/^/    /' "$f" | head -n 15; done
    fail=$((fail + 1))
}

# run NAME WANT_STATUS ARGS...: run lab, keep stdout and stderr in $tmp/out, $tmp/err
run() {
    name=$1 want=$2
    shift 2
    $LAB "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$name: expected exit $want, got $got" "$tmp/out" "$tmp/err"
        return 1
    fi
    ok
}

# has NAME FILE TEXT: FILE contains TEXT (fixed string)
has() {
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: expected $2 to contain: $3" "$2"; fi
}
hasnt() {
    if grep -qF -- "$3" "$2"; then bad "$1: expected $2 not to contain: $3" "$2"; else ok; fi
}

# the stderr is exactly this one line
err_is() {
    want=$2
    n=$(wc -l <"$tmp/err")
    got=$(cat "$tmp/err")
    if [ "$n" -eq 1 ] && [ "$got" = "$want" ]; then ok; else
        echo "FAIL $1: expected one line on stderr: $want"
        sed 's/^/    got: /' "$tmp/err"
        fail=$((fail + 1))
    fi
}

# ---- cells, outputs, results ------------------------------------------------
cat >"$tmp/nb.lua" <<'LUA'
#!/usr/bin/env lab
-- %% [markdown]
-- # A test notebook
-- With *markdown* and `code`.

-- %% Setup
local n = params.n or 3
local greeting = params.greeting or "hello"
io.write("no newline")

-- %% Print
print(greeting, n, math.type(n), params.flag)
io.stdout:write("written ", 42, " ", 1.5, "\n")

-- %% Result
local t = {}
for i = 1, n do t[i] = i * i end
#t + 100

-- %% Multi-line result
string.format("%s-%s",
  "left",
  "right")

-- %% Hidden result
string.rep("x", 3);

-- %% Frame result
lab.read_csv("data/iris.csv"):head(2)
LUA

run "a notebook runs" 0 run "$tmp/nb.lua" || cat "$tmp/err"
has "cell headers with titles" "$tmp/out" "-- [2] Setup"
has "print goes to its cell" "$tmp/out" "hello	3	integer	nil"
has "io.stdout:write is captured" "$tmp/out" "written 42 1.5"
if grep -qx 'no newline' "$tmp/out"; then ok; else bad "a cell after io.write starts on a new line" "$tmp/out"; fi
has "the last expression is the result" "$tmp/out" "103"
has "a multi-line expression is a result" "$tmp/out" "left-right"
hasnt "a trailing ';' hides the result" "$tmp/out" "xxx"
has "a frame result prints as a table" "$tmp/out" "frame 2 rows × 5 columns"
hasnt "markdown cells are not echoed" "$tmp/out" "A test notebook"
hasnt "the file io.write returns is no result" "$tmp/out" "file ("

# ---- params ------------------------------------------------------------------
run "params" 0 run "$tmp/nb.lua" --param n=5 --param greeting=hi --param flag=true
has "a number param is a number" "$tmp/out" "hi	5	integer	true"
has "the result uses the param" "$tmp/out" "105"
run "a float param and a string that looks like no number" 0 run "$tmp/nb.lua" --param=n=2.5 --param greeting=3x
has "float param" "$tmp/out" "3x	2.5	float	nil"

# ---- reports -----------------------------------------------------------------
run "html report" 0 run "$tmp/nb.lua" --report "$tmp/r.html"
has "html: a page" "$tmp/r.html" "<!DOCTYPE html>"
has "html: markdown rendered" "$tmp/r.html" "<h1>A test notebook</h1>"
has "html: code escaped" "$tmp/r.html" "string.format(&quot;%s-%s&quot;,"
has "html: output" "$tmp/r.html" "<pre class=\"out\">hello	3	integer	nil"
has "html: result" "$tmp/r.html" "<pre class=\"result\">103</pre>"

run "markdown report" 0 run "$tmp/nb.lua" --report "$tmp/r.md"
has "md: markdown as is" "$tmp/r.md" "With *markdown* and \`code\`."
has "md: fenced code" "$tmp/r.md" '```lua'
has "md: result block" "$tmp/r.md" "left-right"

run "ipynb report" 0 run "$tmp/nb.lua" --report "$tmp/r.ipynb"
validate() { # validate NAME FILE: nbformat 4 says the file is valid
    if ! /usr/bin/python3 -c 'import nbformat' 2>/dev/null; then
        bad "$1: python3-nbformat is not installed (make deps)"
        return
    fi
    if /usr/bin/python3 -c 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))' "$2" \
        >"$tmp/val" 2>&1; then ok; else bad "$1: nbformat says the notebook is invalid" "$tmp/val"; fi
}
validate "ipynb is valid nbformat 4" "$tmp/r.ipynb"
has "ipynb: execute_result" "$tmp/r.ipynb" '"output_type": "execute_result"'
has "ipynb: stream" "$tmp/r.ipynb" '"text": ["hello\t3\tinteger\tnil\n", "written 42 1.5\n"]'
has "ipynb: lua kernelspec" "$tmp/r.ipynb" '"language": "lua"'

# ---- plots in reports --------------------------------------------------------
cat >"$tmp/plots.lua" <<'LUA'
-- %% Data
local iris = lab.read_csv("data/iris.csv")
-- %% Scatter
lab.plot.scatter(iris, "petal_length", "petal_width", {color = "species"})
-- %% Two plots and text
lab.plot.hist(iris, "sepal_length");
print("between")
lab.plot.bar(iris, "species");
LUA
run "plots without a file go to the cell" 0 run "$tmp/plots.lua" --report "$tmp/p.html"
has "plots are announced on stdout" "$tmp/out" "[plot 1 of cell 2: "
has "two plots in one cell" "$tmp/out" "[plot 2 of cell 3: "
has "html: embedded image" "$tmp/p.html" '<img class="plot" alt="plot 1 of cell 2" src="data:image/png;base64,iVBORw0KGgo'
hasnt "a plot as the result is not also text" "$tmp/p.html" '<pre class="result">'
mkdir "$tmp/md"
run "markdown report with plots" 0 run "$tmp/plots.lua" --report "$tmp/md/plots.md"
links=$(grep -o '](plots_files/[^)]*)' "$tmp/md/plots.md" | sed 's/^](//; s/)$//')
nlinks=$(printf '%s\n' "$links" | grep -c png)
if [ "$nlinks" -eq 3 ]; then ok; else bad "md: expected 3 image links, got $nlinks" "$tmp/md/plots.md"; fi
for l in $links; do
    if [ "$(head -c 4 "$tmp/md/$l" 2>/dev/null | od -An -c | tr -d ' ')" = "211PNG" ]; then ok; else
        bad "md: link $l does not resolve to a PNG beside the report"
    fi
done
run "ipynb report with plots" 0 run "$tmp/plots.lua" --report "$tmp/p.ipynb"
validate "ipynb with images is valid" "$tmp/p.ipynb"
has "ipynb: display_data image/png" "$tmp/p.ipynb" '"image/png": "iVBORw0KGgo'

# ---- a failing cell ------------------------------------------------------------
cat >"$tmp/fails.lua" <<'LUA'
-- %% Fine
local function check(v)
  if not v then error("value missing") end
  return v
end
print("cell one ran")

-- %% Breaks here
print("cell two starts")
local cfg = nil
print(cfg.size)

-- %% Never runs
print("never")
LUA
run "a failing cell exits 1" 1 run "$tmp/fails.lua" --report "$tmp/f.html"
err_is "the error names file, notebook line and cell" \
    "lab: $tmp/fails.lua:11: attempt to index a nil value (local 'cfg') (cell 2 \"Breaks here\")"
has "cells before the error ran" "$tmp/out" "cell two starts"
hasnt "cells after the error did not" "$tmp/out" "never"
has "the report has the error" "$tmp/f.html" "<pre class=\"error\">Error: $tmp/fails.lua:11: attempt to index a nil value"
has "the report has the cells so far" "$tmp/f.html" "cell two starts"
hasnt "the report stops at the failed cell" "$tmp/f.html" "Never runs"
run "the ipynb of a failed run" 1 run "$tmp/fails.lua" --report "$tmp/f.ipynb"
validate "ipynb with an error is valid" "$tmp/f.ipynb"
has "ipynb: error output" "$tmp/f.ipynb" '"output_type": "error"'

cat >"$tmp/deep.lua" <<'LUA'
-- %% Helpers
local function check(v)
  if not v then error("value missing") end
end
-- %% Uses them
local x = 1
check(nil)
LUA
run "an error inside a function of an earlier cell" 1 run "$tmp/deep.lua"
err_is "names the call's notebook line and the raising line" \
    "lab: $tmp/deep.lua:7: $tmp/deep.lua:3: value missing (cell 2 \"Uses them\")"

printf -- '-- %%%% A\r\nprint("crlf")\r\n-- %%%% B\r\n\r\nerror("at four")\r\n' >"$tmp/crlf.lua"
run "CRLF notebook" 1 run "$tmp/crlf.lua"
has "CRLF cells run" "$tmp/out" "crlf"
err_is "CRLF line numbers are the file's" "lab: $tmp/crlf.lua:5: at four (cell 2 \"B\")"

# ---- syntax errors ------------------------------------------------------------
cat >"$tmp/syntax.lua" <<'LUA'
-- %% Good
print("good ran")
-- %% Bad
local x = = 2
-- %% After
print("after")
LUA
run "a syntax error exits 1" 1 run "$tmp/syntax.lua" --report "$tmp/s.ipynb"
err_is "a syntax error names line and cell" "lab: $tmp/syntax.lua:4: unexpected symbol near '=' (cell 2 \"Bad\")"
has "cells before a syntax error still run" "$tmp/out" "good ran"
hasnt "cells after it do not" "$tmp/out" "after"
validate "ipynb with a syntax error is valid" "$tmp/s.ipynb"
has "ipynb: SyntaxError" "$tmp/s.ipynb" '"ename": "SyntaxError"'

# ---- plain scripts (no markers) ---------------------------------------------
printf 'local a = 1\nprint("plain", a)\nerror("boom")\n' >"$tmp/plain.lua"
run "a plain script is one cell" 1 run "$tmp/plain.lua"
has "no cell header for a plain script" "$tmp/out" "plain	1"
hasnt "no header" "$tmp/out" "-- ["
err_is "a plain script's error has no cell" "lab: $tmp/plain.lua:3: boom"

# ---- bad input ----------------------------------------------------------------
run "a missing notebook" 1 run "$tmp/nope.lua"
err_is "missing notebook message" "lab: $tmp/nope.lua: No such file or directory"
run "a bad --param" 2 run "$tmp/nb.lua" --param novalue
err_is "bad --param message" "lab run: bad --param 'novalue' (expected key=value)"
run "an empty --param key" 2 run "$tmp/nb.lua" --param =3
run "--param without a value" 2 run "$tmp/nb.lua" --param
run "an unknown report extension" 2 run "$tmp/nb.lua" --report "$tmp/r.txt"
err_is "unknown extension message" "lab run: unknown report format '$tmp/r.txt' (the name must end in .html, .md or .ipynb)"
run "an unwritable report path" 1 run "$tmp/nb.lua" --report "$tmp/no/such/dir/r.html"
err_is "unwritable report message" "lab: cannot write report $tmp/no/such/dir/r.html: No such file or directory"
hasnt "nothing ran before the report path was checked" "$tmp/out" "hello"
mkdir "$tmp/dir.html"
run "a report path that is a folder" 1 run "$tmp/nb.lua" --report "$tmp/dir.html"
err_is "folder report message" "lab: cannot write report $tmp/dir.html: Is a directory"
run "a notebook that is a folder" 1 run "$tmp/dir.html"
err_is "folder notebook message" "lab: $tmp/dir.html: Is a directory"
run "an unknown option" 2 run --frobnicate "$tmp/nb.lua"
run "run --help" 0 run --help
has "help names the options" "$tmp/out" "--report FILE"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
