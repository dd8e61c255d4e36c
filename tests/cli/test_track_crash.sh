#!/bin/sh
# test_track_crash.sh — "nothing is lost" for the tracking store.
#
# 1. A process logging metrics as a training loop does (several metrics per
#    step) is killed with SIGKILL 50 times at random moments. After each kill
#    the store passes PRAGMA integrity_check, and every step the process had
#    acknowledged (printed after the step's points were handed to lab.log and
#    the next step began, which seals the one before) is there, once lab has
#    opened the store again, with all of its points and their values.
# 2. Two writers and a reader use one store at the same time: both writers'
#    points all arrive, and the reader never fails.
# Run from the repository root; prints "N passed, N failed".
LAB=${LAB:-$(pwd)/lab}
case "$LAB" in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LAB_HOME=$tmp/store
export LAB_HOME
cd "$tmp" || exit 1

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# The logger: prints its run id, then "ack S" once step S is sealed (that is,
# after the first point of step S+1 went in: the step is then in SQLite or in
# the process's side log, docs/store.md).
cat >logger.lua <<'EOF'
local run
for step = 1, 10000000 do
  lab.log("loss", 1 / step, step)
  lab.log("acc", step % 1000 / 1000, step)
  lab.log("lr", 0.5, step)
  if not run then run = lab.current_run(); io.stdout:write("run ", run, "\n") end
  if step > 1 then io.stdout:write("ack ", step - 1, "\n"); io.stdout:flush() end
end
EOF

i=0
lost=0
corrupt=0
while [ $i -lt 50 ]; do
    i=$((i + 1))
    "$LAB" run logger.lua >log.$i 2>&1 &
    pid=$!
    # a random moment: 0 to 120 ms after it started logging (however long
    # lab took to start: a sanitizer build is slow)
    w=0
    while [ $w -lt 200 ] && ! grep -q '^run ' log.$i 2>/dev/null; do
        sleep 0.05
        w=$((w + 1))
    done
    ms=$(awk -v s="$i" 'BEGIN { srand(s * 7919); printf "%d", rand() * 120 }')
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    run=$(sed -n 's/^run \([0-9a-f]*\)$/\1/p' log.$i | head -n 1)
    acked=$(sed -n 's/^ack \([0-9]*\)$/\1/p' log.$i | tail -n 1)
    check=$(sqlite3 "$LAB_HOME/lab.db" "PRAGMA integrity_check" 2>&1)
    if [ "$check" != "ok" ]; then
        corrupt=$((corrupt + 1))
        echo "kill $i: integrity_check: $check"
        continue
    fi
    # what the user does next: look at the runs (this imports the steps the
    # dead process left in its side log), and the file is still sound
    "$LAB" runs list >/dev/null 2>&1
    check=$(sqlite3 "$LAB_HOME/lab.db" "PRAGMA integrity_check" 2>&1)
    if [ "$check" != "ok" ]; then
        corrupt=$((corrupt + 1))
        echo "kill $i: integrity_check after recovery: $check"
        continue
    fi
    [ -n "$run" ] && [ -n "$acked" ] || continue # killed before the first step was sealed: nothing acknowledged
    # every acknowledged step: 3 points, and loss = 1/step
    have=$(sqlite3 "$LAB_HOME/lab.db" "select count(*) from metrics m join runs r on r.rid = m.run
        where r.id = '$run' and m.step <= $acked" 2>&1)
    good=$(sqlite3 "$LAB_HOME/lab.db" "select count(*) from metrics m join runs r on r.rid = m.run
        where r.id = '$run' and m.key = 'loss' and m.step <= $acked and abs(m.value * m.step - 1) < 1e-12" 2>&1)
    if [ "$have" != "$((acked * 3))" ] || [ "$good" != "$acked" ]; then
        lost=$((lost + 1))
        echo "kill $i: run $run acknowledged $acked steps; the store has $have points ($good good loss values)"
    fi
done
if [ $corrupt -eq 0 ]; then ok; else bad "integrity_check failed after $corrupt of 50 kills"; fi
if [ $lost -eq 0 ]; then ok; else bad "acknowledged steps missing after $lost of 50 kills"; fi
# the runs were not all empty: the kills fell during logging
n=$(sqlite3 "$LAB_HOME/lab.db" "select count(distinct run) from metrics" 2>&1)
if [ "${n:-0}" -ge 40 ]; then ok; else bad "at least 40 of the 50 killed runs had logged points (got $n)"; fi
# a killed run reads as killed
printf 'local r = lab.runs(); local k, n = 0, 0\nfor i = 1, r:nrow() do if r.name[i] == "logger.lua" then n = n + 1; if r.status[i] == "killed" then k = k + 1 end end end\nprint("killed " .. k .. " of " .. n)\n' >q.lua
out=$("$LAB" run --no-track q.lua 2>&1)
k=$(echo "$out" | sed -n 's/^killed \([0-9]*\) of \([0-9]*\)$/\1 \2/p')
set -- $k
if [ -n "$k" ] && [ "$1" = "$2" ] && [ "$1" -ge 40 ]; then ok; else bad "every killed run reads as killed: $out"; fi

# ---- two writers and a reader -----------------------------------------------------------------
cat >writer.lua <<'EOF'
lab.experiment("together")
for step = 1, 3000 do lab.log({a = step, b = -step}, step) end
EOF
cat >reader.lua <<'EOF'
local n = 0
for k = 1, 40 do n = n + lab.runs():nrow() end
print("reader ok")
EOF
"$LAB" run writer.lua >w1 2>&1 &
p1=$!
"$LAB" run writer.lua >w2 2>&1 &
p2=$!
"$LAB" run --no-track reader.lua >r1 2>&1 &
p3=$!
wait $p1; s1=$?
wait $p2; s2=$?
wait $p3; s3=$?
if [ $s1 -eq 0 ] && [ $s2 -eq 0 ]; then ok; else bad "both writers finish ($s1, $s2): $(cat w1 w2)"; fi
if [ $s3 -eq 0 ] && grep -q "reader ok" r1; then ok; else bad "the reader never fails: $(cat r1)"; fi
pts=$(sqlite3 "$LAB_HOME/lab.db" "select count(*) from metrics m join runs r on r.rid = m.run
    join experiments e on e.id = r.experiment where e.name = 'together'" 2>&1)
if [ "$pts" = "12000" ]; then ok; else bad "every point of both writers arrived (12000, got $pts)"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
