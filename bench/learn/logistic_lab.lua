-- logistic_lab.lua DATA.csv — lab's side of the logistic regression benchmark:
-- read the file, then fit lab.model.logistic{C=1, max_iter=100, tol=1e-4}
-- three times and print the best fit time, the training accuracy, the
-- iterations and the objective (mean log loss + |w|^2 / (2 C n)).
local path = arg and arg[1] or assert(os.getenv("DATA"), "give the data file")
local df = lab.read_csv(path)
local best, m = math.huge, nil
for _ = 1, 3 do
  local t = lab.clock()
  m = lab.model.logistic{C = 1, max_iter = 100, tol = 1e-4}:fit(df, {target = "y"})
  best = math.min(best, lab.clock() - t)
end
local acc = lab.metrics.accuracy(df.y, m:predict(df))
print(string.format("RESULT fit %.4f", best))
print(string.format("RESULT accuracy %.6f", acc))
print(string.format("RESULT n_iter %d", m:figures().n_iter))
print(string.format("RESULT objective %.10f", m:figures().objective))
