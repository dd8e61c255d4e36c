-- read_lab.lua — time lab.read_csv on the benchmark file (run by ./lab run).
--
-- usage: lab run bench/csv/read_lab.lua FILE.csv OUTDIR [THREADS]
-- Prints "RESULT lab <best> <t1> <t2> <t3>" (wall seconds around the read call
-- only), the frame's shape and types, and writes OUTDIR/describe_lab.csv when
-- df:describe() exists, then "DESCRIBE lab <best>": describe() of the 8 number
-- columns, best of 3. The clock is lab.clock() (monotonic wall seconds).
local path, outdir, threads = arg[1], arg[2], tonumber(arg[3] or "0")
assert(path and outdir, "usage: lab run read_lab.lua FILE.csv OUTDIR [THREADS]")

local now = lab.clock
local times, df = {}, nil
for k = 1, 3 do
  df = nil
  collectgarbage("collect")
  local t0 = now()
  df = lab.read_csv(path, {threads = threads})
  local t1 = now()
  times[k] = t1 - t0
end
local best = math.min(times[1], times[2], times[3])
print(string.format("RESULT lab %.4f %.4f %.4f %.4f", best, times[1], times[2], times[3]))
print(string.format("shape %d x %d", df:nrow(), df:ncol()))
print("types " .. table.concat(df:types(), ","))

local cols = {"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"}
local has = pcall(function() return df.describe end)
if not has then
  print("describe: not available")
else
  local sel, d = df:select(cols), nil
  local dt = math.huge
  for _ = 1, 3 do
    local t0 = now()
    d = sel:describe()
    dt = math.min(dt, now() - t0)
  end
  print(string.format("DESCRIBE lab %.4f", dt))
  print(d)
  d:write_csv(outdir .. "/describe_lab.csv")
end
