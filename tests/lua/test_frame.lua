-- test_frame.lua — the Frame and Column API from stock Lua (require "lab"):
-- reading, shape, selection, printing, column arithmetic and masks, and the
-- errors a user meets.
local T = require "harness"
local lab = require "lab"

local iris = lab.read_csv(T.path("data/iris.csv"))

T.test("require gives the module with a version", function()
  T.eq(type(lab.version), "string")
  T.ok(lab.version:match("^%d+%.%d+%.%d+"), "version looks like x.y.z")
end)

T.test("iris shape, names and types", function()
  T.eq(iris:nrow(), 150)
  T.eq(iris:ncol(), 5)
  T.eq(#iris, 150)
  T.eq(table.concat(iris:names(), ","), "sepal_length,sepal_width,petal_length,petal_width,species")
  T.eq(table.concat(iris:types(), ","), "number,number,number,number,string")
end)

T.test("every bundled data set reads with the right shape", function()
  local want = {
    iris = {150, 5}, wine = {178, 14}, breast_cancer = {569, 31},
    diabetes = {442, 11}, digits = {1797, 65}, co2 = {2284, 2},
  }
  for name, shape in pairs(want) do
    local df = lab.read_csv(T.path("data/" .. name .. ".csv"))
    T.eq(df:nrow(), shape[1], name .. " rows")
    T.eq(df:ncol(), shape[2], name .. " columns")
  end
end)

T.test("co2 has 59 missing values, shown as NA and read as nil", function()
  local co2 = lab.read_csv(T.path("data/co2.csv"))
  local na = 0
  for i = 1, #co2 do if co2.co2[i] == nil then na = na + 1 end end
  T.eq(na, 59)
  T.eq(co2:types()[1], "integer")
  local missing = co2:filter(co2.co2:isna())
  T.eq(missing:nrow(), 59)
  T.ok(tostring(missing):find("NA", 1, true), "NA visible in the printed frame")
end)

T.test("columns: #c, c[i], negative index, out of range", function()
  local c = iris.sepal_length
  T.eq(#c, 150)
  T.eq(c[1], 5.1)
  T.eq(c[-1], 5.9)
  T.eq(c[151], nil)
  T.eq(iris["species"][150], "virginica")
  T.eq(c:type(), "number")
  T.eq(c:name(), "sepal_length")
end)

T.test("rows as tables", function()
  local r = iris[1]
  T.eq(r.species, "setosa")
  T.eq(r.petal_length, 1.4)
  local n = 0
  for i, row in iris:head(3):rows() do n = n + i; T.eq(row.species, "setosa") end
  T.eq(n, 6)
end)

T.test("head, tail, slice, select, drop", function()
  T.eq(iris:head(3):nrow(), 3)
  T.eq(iris:head():nrow(), 5)
  T.eq(iris:tail(2).species[2], "virginica")
  T.eq(iris:tail(1000):nrow(), 150)
  T.eq(iris:slice(11, 20):nrow(), 10)
  T.eq(iris:slice(11, 20).sepal_length[1], iris.sepal_length[11])
  local s = iris:select{"species", "petal_width"}
  T.eq(table.concat(s:names(), ","), "species,petal_width")
  T.eq(iris:select("species"):ncol(), 1)
  T.eq(table.concat(iris:drop{"species"}:names(), ","), "sepal_length,sepal_width,petal_length,petal_width")
  T.eq(iris:ncol(), 5, "inputs unchanged")
end)

T.test("filter by mask, by function, by list", function()
  local big = iris:filter(iris.petal_length:gt(5))
  T.eq(big:nrow(), 42)
  local byfn = iris:filter(function(r) return r.petal_length > 5 end)
  T.ok(big:equals(byfn), "mask and predicate agree")
  local mask = {}
  for i = 1, 150 do mask[i] = i <= 10 end
  T.eq(iris:filter(mask):nrow(), 10)
  local both = iris:filter(iris.species:eq("setosa") & iris.sepal_width:ge(3.5))
  T.eq(both:nrow(), 22) -- pandas: ((species == "setosa") & (sepal_width >= 3.5)).sum()
  local either = iris:filter(iris.species:eq("setosa") | iris.species:eq("virginica"))
  T.eq(either:nrow(), 100)
  T.eq(iris:filter(~iris.species:eq("setosa")):nrow(), 100)
  T.eq(iris:filter(iris.species:isin{"setosa", "versicolor"}):nrow(), 100)
end)

T.test("column arithmetic keeps NA and types", function()
  local df = lab.frame{a = {1, 2, nil, 4}, b = {0.5, 0.5, 0.5, 0.5}}
  T.eq(df.a:type(), "integer")
  local s = df.a + df.b
  T.eq(s:type(), "number")
  T.eq(s[1], 1.5)
  T.eq(s[3], nil)
  T.eq((df.a * 2):type(), "integer")
  T.eq((df.a * 2)[4], 8)
  T.eq((df.a / 2):type(), "number")
  T.eq((df.a // 0)[1], nil, "integer division by zero gives NA")
  T.eq((-df.a)[2], -2)
  T.eq((2 ^ df.a)[4], 16.0)
  T.eq((df.a % 3)[4], 1)
  T.eq((df.a:gt(1))[3], nil, "comparison with NA is NA")
end)

T.test("assigning columns: df.x = column, scalar, list, function", function()
  local df = iris:head(4)
  df.ratio = df.sepal_length / df.sepal_width
  T.eq(df:ncol(), 6)
  T.near(df.ratio[1], 5.1 / 3.5)
  df.one = 1
  T.eq(df.one[4], 1)
  df.tag = {"a", "b", "c", "d"}
  T.eq(df.tag[3], "c")
  df.area = function(r) return r.petal_length * r.petal_width end
  T.near(df.area[1], 1.4 * 0.2)
  df.one = nil
  T.eq(df:ncol(), 8)
  T.eq(iris:ncol(), 5, "the frame it came from is unchanged")
  local m = iris:head(2):mutate{double = iris:head(2).sepal_length * 2, k = 7}
  T.eq(table.concat(m:names(), ","), "sepal_length,sepal_width,petal_length,petal_width,species,double,k")
end)

T.test("lab.frame and lab.column", function()
  local df = lab.frame({y = {"a", "b"}, x = {1.5, 2}}, {order = {"y", "x"}})
  T.eq(table.concat(df:names(), ","), "y,x")
  T.eq(df.x:type(), "number")
  T.eq(lab.column{true, false, nil}:type(), "boolean")
  T.err(function() lab.frame{a = {1, 2}, b = {1}} end, "column 'b': list has 1 items, the frame has 2 rows")
  T.err(function() lab.frame{a = {1, "x"}} end, "item 2 is a string but earlier items are integers")
end)

T.test("astype and map", function()
  local c = lab.column{"1", "2", nil}
  local n = c:astype("integer")
  T.eq(n:type(), "integer")
  T.eq(n[2], 2)
  T.eq(n[3], nil)
  T.err(function() lab.column{"1", "x"}:astype("number") end, "row 2: 'x' is not a number")
  T.eq(iris.species:map(function(s) return #s end)[1], 6)
  T.eq(lab.column{1.5, 2}:astype("string")[1], "1.5")
end)

T.test("printing a frame: header with types, NA, elided middle", function()
  local s = tostring(iris)
  T.ok(s:find("frame 150 rows × 5 columns", 1, true), "title")
  T.ok(s:find("sepal_length", 1, true) and s:find("number", 1, true) and s:find("string", 1, true), "names and types")
  T.ok(s:find("… 140 more rows", 1, true), "elision line: " .. s)
  T.ok(s:find("\n150 ", 1, true), "last row numbered 150")
  local small = tostring(lab.frame{x = {1.5, nil, 3}})
  T.ok(small:find(" NA\n", 1, true) or small:find(" NA$"), "NA shown: " .. small)
  -- numbers right-aligned: every data line of the x column ends at the same column
  local widths = {}
  for line in small:gmatch("[^\n]+") do widths[#widths + 1] = #line end
  T.eq(widths[2], widths[3])
  T.eq(widths[3], widths[5])
end)

T.test("printing a column: a compact vector", function()
  local s = tostring(iris.sepal_length)
  T.ok(s:match("^number%[150%] sepal_length: 5%.1 4%.9"), s)
  T.ok(s:find("…", 1, true) and s:find("5.9$"), s)
  local na = tostring(lab.column{1, nil, 3})
  T.ok(na:find("(1 NA)", 1, true), na)
end)

T.test("errors: unknown column names the closest names", function()
  T.err(function() return iris.sepal_lenght end, "no column 'sepal_lenght' (did you mean 'sepal_length' or 'petal_length'?)")
  T.err(function() return iris:select{"specis"} end, "did you mean 'species'?")
  T.err(function() return iris:select{"zzz"} end, "no column 'zzz' (columns: 'sepal_length'")
  T.err(function() return iris:drop{"nope"} end, "no column 'nope'")
end)

T.test("errors: wrong argument types name the argument", function()
  T.err(function() lab.read_csv() end, "bad argument #1 to 'read_csv' (string expected, got no value)")
  T.err(function() lab.read_csv(T.path("data/iris.csv"), {sepp = ";"}) end, "unknown option 'sepp'")
  T.err(function() lab.read_csv(T.path("data/iris.csv"), {sep = ";;"}) end, "field 'sep' must be one character")
  T.err(function() lab.read_csv(T.path("data/iris.csv"), {header = "yes"}) end, "field 'header' must be a boolean")
  T.err(function() lab.read_csv(T.path("data/iris.csv"), {types = {species = "text"}}) end, "type of species must be")
  T.err(function() iris:head(-1) end, "row count must not be negative")
  T.err(function() iris:filter(42) end, "bad argument #1 to 'filter'")
  T.err(function() iris:filter(iris.sepal_length) end, "mask must be a boolean column, got number")
  T.err(function() return iris.species + 1 end, "cannot add a string column")
  T.err(function() return iris.sepal_length:gt("x") end, "cannot compare a number column with string")
  T.err(function() return iris.sepal_length + iris:head(3).sepal_length end, "cannot add columns of 150 and 3 rows")
end)

T.test("errors: missing and malformed files name the path and place", function()
  T.err(function() lab.read_csv("no/such/file.csv") end, "no/such/file.csv: No such file or directory")
  local dir = T.tmpdir()
  local p = dir .. "/bad.csv"
  local fh = io.open(p, "w"); fh:write("a,b,c,d\n1,2,3,4\n1,2,3,4,5\n"); fh:close()
  T.err(function() lab.read_csv(p) end, p .. ":3:9: row has 5 fields, the header has 4")
  fh = io.open(p, "w"); fh:write("a,b\n1,\"open\n"); fh:close()
  T.err(function() lab.read_csv(p) end, p .. ":2:3: unterminated quoted field")
  os.remove(p)
  os.remove(dir)
end)

T.test("a failed read leaves other frames intact", function()
  local before = tostring(iris:head(3))
  pcall(lab.read_csv, "no/such/file.csv")
  T.eq(tostring(iris:head(3)), before)
  T.eq(iris:nrow(), 150)
end)

T.test("read_csv options: sep, header, na, types", function()
  local dir = T.tmpdir()
  local p = dir .. "/semi.csv"
  local fh = io.open(p, "w"); fh:write("zip;v\n08123;-\n00501;2\n"); fh:close()
  local df = lab.read_csv(p, {sep = ";", na = {"-"}, types = {zip = "string"}})
  T.eq(df.zip[1], "08123")
  T.eq(df.v[1], nil)
  T.eq(df.v:type(), "integer")
  local all = lab.read_csv(p, {sep = ";", types = "string"})
  T.eq(all.v[1], "-")
  local nohead = lab.read_csv(p, {sep = ";", header = false})
  T.eq(nohead:nrow(), 3)
  T.eq(nohead.V1[1], "zip")
  os.remove(p)
  os.remove(dir)
end)

T.test("write_csv then read_csv gives back the same frame", function()
  local dir = T.tmpdir()
  for _, name in ipairs{"iris", "wine", "breast_cancer", "diabetes", "digits", "co2"} do
    local df = lab.read_csv(T.path("data/" .. name .. ".csv"))
    local p = dir .. "/" .. name .. ".csv"
    df:write_csv(p)
    T.ok(lab.read_csv(p):equals(df), name .. " round trip")
  end
  local tricky = lab.frame({s = {"a,b", "say \"hi\"", "two\nlines", "", "NA", lab.NA},
                            x = {0.1, 1 / 3, 1e300, -2.5e-300, lab.NA, 2.0},
                            b = {true, false, lab.NA, true, true, false}},
                           {order = {"s", "x", "b"}})
  local p = dir .. "/tricky.csv"
  tricky:write_csv(p)
  local back = lab.read_csv(p)
  T.ok(back:equals(tricky), "tricky round trip:\n" .. tostring(back))
  T.eq(back.s[4], "")
  T.eq(back.s[5], "NA")
  T.eq(back.s[6], nil)
  T.err(function() tricky:write_csv(dir .. "/no/such/dir/x.csv") end, "No such file or directory")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.done()
