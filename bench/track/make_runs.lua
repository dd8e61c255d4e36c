-- make_runs.lua — fill a store with R finished runs, each with 3 params and 4
-- metrics of 10 steps, across 3 experiments, for timing `lab runs list`.
--   ./lab run bench/track/make_runs.lua STORE [R]
local dir, R = arg[1], tonumber(arg[2] or 10000)
lab.store(dir)
for r = 1, R do
  lab.experiment("exp" .. (r % 3))
  lab.params{lr = 0.001 * r, depth = r % 7, model = "gbm"}
  for step = 1, 10 do lab.log({loss = 1 / (step + r), acc = (r % 100) / 100, f1 = 0.5, auc = 0.7}, step) end
  lab.end_run()
end
print("RESULT runs " .. R)
