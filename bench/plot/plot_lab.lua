-- plot_lab.lua DIR — lab's side of the plot benchmark: best of 3 of each plot
-- written to PNG (800x600), timed around the plot call only (the CSV reads
-- are timed apart). Prints "RESULT name seconds".
local dir = arg[1]
local function best(fn)
  local b = math.huge
  for _ = 1, 3 do
    local t0 = lab.clock()
    fn()
    b = math.min(b, lab.clock() - t0)
  end
  return b
end
local t0 = lab.clock()
local s = lab.read_csv(dir .. "/scatter.csv")
local h = lab.read_csv(dir .. "/hist.csv")
print(string.format("RESULT read %.4f", lab.clock() - t0))
print(string.format("RESULT scatter %.4f", best(function()
  lab.plot.scatter(s, "x", "y", {file = dir .. "/scatter_lab.png", width = 800, height = 600})
end)))
print(string.format("RESULT hist %.4f", best(function()
  lab.plot.hist(h, "v", {bins = 100, file = dir .. "/hist_lab.png", width = 800, height = 600})
end)))
