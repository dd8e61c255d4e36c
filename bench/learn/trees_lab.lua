-- trees_lab.lua DATA.csv — lab's side of the tree benchmarks: a random forest
-- of 100 trees and a gbm of 100 rounds (early stopping off), each fitted on
-- the first 80% of the rows and scored on the rest: the forest best of REPEAT
-- (default 1: it takes seconds), the gbm best of 3 at least (one fit is noisy).
-- TREES=gbm leaves the forest out.
local path = arg and arg[1] or assert(os.getenv("DATA"), "give the data file")
local repeats = tonumber(os.getenv("REPEAT") or "1")
local df = lab.read_csv(path)
local n = #df.y
local ntr = math.floor(n * 0.8)
local train, test = df:slice(1, ntr), df:slice(ntr + 1, n)
local function run(name, make, reps)
  local best, m = math.huge, nil
  for _ = 1, reps or repeats do
    local t = lab.clock()
    m = make():fit(train, {target = "y"})
    best = math.min(best, lab.clock() - t)
  end
  print(string.format("RESULT %s_fit %.4f", name, best))
  print(string.format("RESULT %s_accuracy %.6f", name, lab.metrics.accuracy(test.y, m:predict(test))))
end
if os.getenv("TREES") ~= "gbm" then run("forest", function() return lab.model.forest{trees = 100, seed = 0} end) end
run("gbm", function() return lab.model.gbm{max_iter = 100, early_stopping = "off"} end, math.max(3, repeats))
