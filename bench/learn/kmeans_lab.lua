-- kmeans_lab.lua DATA.csv — lab's side of the k-means benchmark: read the
-- file, then fit lab.model.kmeans{k=8, n_init=1} (k-means++, Lloyd, both
-- cores) three times and print the best fit time, the inertia and the
-- iterations of the last fit.
local path = arg and arg[1] or assert(os.getenv("DATA"), "give the data file")
local df = lab.read_csv(path)
local best, m = math.huge, nil
for _ = 1, 3 do
  local t = lab.clock()
  m = lab.model.kmeans{k = 8, n_init = 1, max_iter = 300, tol = 1e-4, seed = 1}:fit(df)
  best = math.min(best, lab.clock() - t)
end
print(string.format("RESULT fit %.4f", best))
print(string.format("RESULT inertia %.6e", m:inertia()))
print(string.format("RESULT n_iter %d", m:figures().n_iter))
