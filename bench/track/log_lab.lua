-- log_lab.lua — log N metric points from Lua the way a training loop does: one
-- lab.log call per point, K metrics per step, committed one step at a time
-- (the crash guarantee of docs/lua/track.md). Prints RESULT lines.
--   ./lab run bench/track/log_lab.lua STORE [N] [K]
local dir, N, K = arg[1], tonumber(arg[2] or 1000000), tonumber(arg[3] or 5)
lab.store(dir)
local names = {}
for k = 1, K do names[k] = "metric_" .. k end
local steps = N // K
local t0 = lab.clock()
for step = 1, steps do
  for k = 1, K do lab.log(names[k], step * 0.001 + k, step) end
end
lab.end_run()
local dt = lab.clock() - t0
print(string.format("RESULT points %d", steps * K))
print(string.format("RESULT seconds %.3f", dt))
print(string.format("RESULT rate %.0f", steps * K / dt))
