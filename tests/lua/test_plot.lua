-- test_plot.lua — lab.plot from Lua: every kind returns a Plot, writes files
-- by extension, gives PNG bytes and terminal text, reaches the plot sink, and
-- answers bad input with a one-line error naming it.
local T = require "harness"
local lab = require "lab"

local df = lab.read_csv(T.path("data/iris.csv"))
local dir = T.tmpdir()

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function be32(s, i)
  local a, b, c, d = s:byte(i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local function check_png(s, w, h)
  T.eq(s:sub(1, 8), "\137PNG\r\n\26\n", "PNG signature")
  T.eq(s:sub(13, 16), "IHDR", "first chunk")
  T.eq(be32(s, 17), w, "PNG width")
  T.eq(be32(s, 21), h, "PNG height")
end

local kinds = {
  scatter = function(o) return lab.plot.scatter(df, "sepal_length", "sepal_width", o) end,
  line = function(o) return lab.plot.line(df, "petal_width", {"sepal_length", "petal_length"}, o) end,
  hist = function(o) return lab.plot.hist(df, "petal_length", o) end,
  bar = function(o) return lab.plot.bar(df, "species", o) end,
  box = function(o) return lab.plot.box(df, "petal_length", o) end,
  heatmap = function(o) return lab.plot.heatmap(df:head(6), o) end,
  corr = function(o) return lab.plot.corr(df, o) end,
  pairs = function(o) return lab.plot.pairs(df, o) end,
}

for name, make in pairs(kinds) do
  T.test(name .. " writes png, svg and pdf", function()
    local p = make{file = dir .. "/" .. name .. ".png", width = 500, height = 400, title = "T " .. name}
    T.eq(getmetatable(p).__name, "lab.Plot")
    T.eq(p:kind(), name)
    check_png(read(dir .. "/" .. name .. ".png"), 500, 400)
    p:save(dir .. "/" .. name .. ".svg")
    T.ok(read(dir .. "/" .. name .. ".svg"):find("<title>T " .. name .. "</title>", 1, true), "SVG title")
    p:save(dir .. "/" .. name .. ".pdf", {width = 300, height = 200})
    T.eq(read(dir .. "/" .. name .. ".pdf"):sub(1, 4), "%PDF")
    check_png(p:png{width = 320, height = 240}, 320, 240)
  end)

  T.test(name .. " as terminal text", function()
    local p = make()
    local t = p:text{width = 80, height = 24, color = "none"}
    local n = 0
    for line in t:gmatch("([^\n]*)\n") do
      n = n + 1
      T.eq(utf8.len(line), 80, "line " .. n .. " width")
    end
    T.eq(n, 24, "lines")
    T.ok(not t:find("\27", 1, true), "no escapes with color none")
    T.ok(t:find(p:title(), 1, true), "title shown")
    T.ok(p:text{width = 100, height = 30, color = "truecolor"}:find("\27[38;2;", 1, true), "true colour")
  end)
end

T.test("tostring is a one-line summary", function()
  local p = lab.plot.scatter(df, "sepal_length", "sepal_width", {color = "species"})
  T.eq(tostring(p), "scatter: sepal_width by sepal_length, 150 points, 3 groups")
  T.eq(tostring(lab.plot.hist(df, "sepal_width", {bins = 12})), "hist: sepal_width, 150 values, 12 bins")
  T.eq(tostring(lab.plot.box(df, "sepal_width", {by = "species"})), "box: sepal_width by species, 150 values, 3 groups")
end)

T.test("heatmap of a matrix", function()
  local p = lab.plot.heatmap({{1, 2, 3}, {4, 5, 6}}, {title = "m"})
  T.eq(tostring(p), "heatmap: 2 x 3")
  T.ok(p:text{width = 60, height = 12, color = "none"}:find("5", 1, true), "value in a cell")
end)

T.test("the plot sink receives plots without a file", function()
  local got
  debug.getregistry()["lab.plot_sink"] = function(p) got = p end
  local p = lab.plot.bar(df, "species")
  debug.getregistry()["lab.plot_sink"] = nil
  T.eq(got, p)
  got = nil
  debug.getregistry()["lab.plot_sink"] = function(q) got = q end
  lab.plot.bar(df, "species", {file = dir .. "/sink.png"})
  debug.getregistry()["lab.plot_sink"] = nil
  T.eq(got, nil, "a plot written to a file is not sent to the sink")
end)

T.test("bad input is a one-line error naming it", function()
  T.err(function() lab.plot.scatter(df, "sepal_lenght", "sepal_width") end,
        "scatter: no column 'sepal_lenght' (did you mean 'sepal_length'")
  T.err(function() lab.plot.hist(df, "species") end, "hist: column 'species' is a string column")
  T.err(function() lab.plot.scatter(df:head(0), "sepal_length", "sepal_width") end, "scatter: the frame has no rows")
  T.err(function() lab.plot.corr(df:select{"species"}) end, "corr: the frame has no number columns")
  T.err(function() lab.plot.bar(df, "species", {file = "/nonexistent-dir/b.png"}) end,
        "cannot write '/nonexistent-dir/b.png'")
  T.err(function() lab.plot.bar(df, "species", {file = dir .. "/b.jpg"}) end, "unknown file extension '.jpg'")
  T.err(function() lab.plot.hist(df, "sepal_width", {bins = "ten"}) end, "field 'bins' must be an integer")
  T.err(function() lab.plot.hist(df, "sepal_width", {colour = "species"}) end, "unknown option 'colour'")
  T.err(function() lab.plot.heatmap({{1, 2}, {3}}) end, "row 2 must be a list of 2 numbers")
  local p = lab.plot.bar(df, "species")
  T.err(function() p:text{color = "lots"} end, "field 'color' must be")
  T.err(function() p:save(dir .. "/x.gif") end, "unknown file extension '.gif'")
  local msg = T.err(function() lab.plot.line(df, "sepal_length", {"nope"}) end, "line: no column 'nope'")
  T.ok(not msg:find("\n"), "one line")
end)

os.execute("rm -rf '" .. dir .. "'")
T.done()
