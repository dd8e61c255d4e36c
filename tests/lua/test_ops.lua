-- test_ops.lua — df:sort, df:join, lab.concat / df:concat, df:unique,
-- df:dropna, df:fillna, df:sample, df:split and df:rename from Lua.
--
-- Frames are compared through dump(), which writes a frame as
-- "k:integer=2,2,1 | v:string=a,a,b" so that every expectation reads like
-- the table it describes.
local T = require "harness"
local lab = require "lab"

local function cell(v)
  if v == nil then return "NA" end
  if v ~= v then return "nan" end
  if math.type(v) == "float" then return string.format("%.14g", v) end
  return tostring(v)
end

local function dump(df)
  local parts = {}
  local names, types = df:names(), df:types()
  for j, name in ipairs(names) do
    local c = df:col(name)
    local cells = {}
    for i = 1, df:nrow() do cells[i] = cell(c[i]) end
    parts[j] = name .. ":" .. types[j] .. "=" .. table.concat(cells, ",")
  end
  return table.concat(parts, " | ")
end

local function frame(cols, order) return lab.frame(cols, {order = order}) end

local function ids(df)
  local out = {}
  local c = df:col("id")
  for i = 1, df:nrow() do out[i] = c[i] end
  return table.concat(out, ",")
end

-- ---- sort ------------------------------------------------------------------

T.test("sort by one column, NA last, stable", function()
  local df = frame({x = {3, nil, 1, 0/0, 2, 1}, id = {1, 2, 3, 4, 5, 6}}, {"x", "id"})
  T.eq(dump(df:sort("x")), "x:number=1,1,2,3,NA,nan | id:integer=3,6,5,1,2,4")
  T.eq(dump(df:sort("x", {desc = true})), "x:number=3,2,1,1,NA,nan | id:integer=1,5,3,6,2,4")
  T.eq(dump(df:sort({"x"}, {desc = {false}})), "x:number=1,1,2,3,NA,nan | id:integer=3,6,5,1,2,4")
  T.eq(dump(df), "x:number=3,NA,1,nan,2,1 | id:integer=1,2,3,4,5,6", "the input is unchanged")
end)

T.test("sort by several columns, strings by bytes", function()
  local df = frame({g = {"b", "a", "b", "a", nil, "B"}, x = {1, 2, 3, nil, 5, 6}, id = {1, 2, 3, 4, 5, 6}},
                   {"g", "x", "id"})
  T.eq(ids(df:sort({"g", "x"}, {desc = {false, true}})), "6,2,4,3,1,5")
  T.eq(ids(df:sort({"g", "x"}, {desc = true})), "3,1,2,4,6,5")
  T.eq(ids(df:sort("g")), "6,2,4,1,3,5")
end)

T.test("sort of iris by species then petal_length descending", function()
  local iris = lab.read_csv(T.path("data/iris.csv"))
  local s = iris:sort({"species", "petal_length"}, {desc = {false, true}})
  T.eq(s:nrow(), 150)
  local sp, pl = s:col("species"), s:col("petal_length")
  for i = 2, 150 do
    T.ok(sp[i - 1] < sp[i] or (sp[i - 1] == sp[i] and pl[i - 1] >= pl[i]), "row " .. i .. " in order")
  end
  T.eq(sp[1], "setosa")
  T.eq(pl[1], 1.9)
  T.eq(sp[150], "virginica")
  T.eq(pl[150], 4.5)
end)

T.test("sort of an empty frame", function()
  local df = frame({x = {}}, {"x"})
  T.eq(df:sort("x"):nrow(), 0)
end)

T.test("sort errors name the argument or the column", function()
  local df = frame({width = {1, 2}}, {"width"})
  T.err(function() df:sort("widht") end, "sort: no column 'widht' (did you mean 'width'?)")
  T.err(function() df:sort(3) end, "bad argument #1 to 'sort' (expected a column name or a list of names, got number)")
  T.err(function() df:sort({}) end, "expected at least one column name")
  T.err(function() df:sort({"width", 2}) end, "item 2 must be a column name, got number")
  T.err(function() df:sort("width", {dsc = true}) end, "unknown option 'dsc'")
  T.err(function() df:sort("width", {desc = "yes"}) end, "field 'desc' must be a boolean or a list of booleans, got string")
  T.err(function() df:sort("width", {desc = {true, false}}) end, "field 'desc' lists 2 flags for 1 columns")
  T.err(function() df:sort("width", {desc = {1}}) end, "field 'desc' item 1 must be a boolean, got number")
  T.err(function() df.sort(42, "width") end, "bad argument #1 to 'sort'")
end)

-- ---- join ------------------------------------------------------------------

-- left  = pd.DataFrame({"k": [2, 1, 2, 3], "v": list("abcd"), "w": [10., 20., 30., 40.]})
-- right = pd.DataFrame({"k": [2, 1, 2, 4], "w": [.5, 1.5, 2.5, 3.5], "z": list("pqrs")})
-- pd.merge(left, right, on="k") (pandas >= 2.2: inner joins keep the left order):
--    k  v   w_x  w_y  z
--    2  a  10.0  0.5  p
--    2  a  10.0  2.5  r
--    1  b  20.0  1.5  q
--    2  c  30.0  0.5  p
--    2  c  30.0  2.5  r
-- how="left" also keeps   3  d  40.0  NaN  NaN   after them.
local left = frame({k = {2, 1, 2, 3}, v = {"a", "b", "c", "d"}, w = {10.5, 20, 30, 40}}, {"k", "v", "w"})
local right = frame({k = {2, 1, 2, 4}, w = {0.5, 1.5, 2.5, 3.5}, z = {"p", "q", "r", "s"}}, {"k", "w", "z"})

T.test("inner join row by row as pandas merge", function()
  local j = left:join(right, "k")
  T.eq(dump(j), "k:integer=2,2,1,2,2 | v:string=a,a,b,c,c | w_x:number=10.5,10.5,20,30,30 | "
             .. "w_y:number=0.5,2.5,1.5,0.5,2.5 | z:string=p,r,q,p,r")
  T.eq(dump(left:join(right, {"k"}, {how = "inner"})), dump(j))
end)

T.test("left join row by row as pandas merge", function()
  T.eq(dump(left:join(right, "k", {how = "left"})),
       "k:integer=2,2,1,2,2,3 | v:string=a,a,b,c,c,d | w_x:number=10.5,10.5,20,30,30,40 | "
       .. "w_y:number=0.5,2.5,1.5,0.5,2.5,NA | z:string=p,r,q,p,r,NA")
end)

T.test("join suffixes, several keys, integer against number keys", function()
  local j = left:join(right, "k", {suffix = {"_left", "_right"}})
  T.eq(table.concat(j:names(), ","), "k,v,w_left,w_right,z")
  local a = frame({id = {1, 2, 3}, g = {"x", "y", "x"}, n = {1, 2, 3}}, {"id", "g", "n"})
  local b = frame({g = {"x", "x", "y"}, id = {3.0, 1.0, 2.5}, m = {true, false, true}}, {"g", "id", "m"})
  T.eq(dump(a:join(b, {"id", "g"}, {how = "left"})),
       "id:integer=1,2,3 | g:string=x,y,x | n:integer=1,2,3 | m:boolean=false,NA,true")
end)

T.test("join: NA keys never match; empty frames", function()
  local a = frame({k = {"a", nil, "b"}, x = {1, 2, 3}}, {"k", "x"})
  local b = frame({k = {nil, "a"}, y = {10, 20}}, {"k", "y"})
  T.eq(dump(a:join(b, "k", {how = "left"})), "k:string=a,NA,b | x:integer=1,2,3 | y:integer=20,NA,NA")
  T.eq(dump(a:join(b, "k")), "k:string=a | x:integer=1 | y:integer=20")
  local e = frame({k = {}, y = {}}, {"k", "y"})
  local n = frame({k = {1, 2}}, {"k"})
  T.eq(dump(n:join(e, "k", {how = "left"})), "k:integer=1,2 | y:number=NA,NA")
  T.eq(n:join(e, "k"):nrow(), 0)
end)

T.test("join errors", function()
  local s = frame({k = {"2"}, q = {1}}, {"k", "q"})
  T.err(function() left:join(s, "k") end, "join: key 'k' is integer in the left frame but string in the right frame")
  T.err(function() left:join(right, "kk") end, "join: no column 'kk' (did you mean 'k'?) in the left frame")
  T.err(function() left:join(right, "v") end, "join: no column 'v'")
  T.err(function() left:join(right, "v") end, "in the right frame")
  T.err(function() left:join(right, "k", {how = "outer"}) end, "field 'how' must be \"inner\" or \"left\", got \"outer\"")
  T.err(function() left:join(right, "k", {suffix = "_r"}) end, "field 'suffix' must be a list of two strings, got string")
  T.err(function() left:join(right, "k", {suffix = {"_a"}}) end, "field 'suffix' must be a list of two strings")
  T.err(function() left:join(right, "k", {suffix = {"", ""}}) end, "join: output column 'w' would appear twice")
  T.err(function() left:join(right, "k", {hwo = "left"}) end, "unknown option 'hwo'")
  T.err(function() left:join({}, "k") end, "bad argument #1 to 'join' (lab.Frame expected, got table)")
  T.err(function() left:join(right) end, "bad argument #2 to 'join' (expected a column name or a list of names, got nil)")
end)

-- ---- concat ----------------------------------------------------------------

T.test("concat follows the first frame's column order and widens integers", function()
  -- (A list's trailing nil is lost by Lua's length operator: NAs go first.)
  local a = frame({x = {nil, 1}, s = {"a", "b"}}, {"x", "s"})
  local b = frame({s = {nil, "c"}, x = {2.5, 3}}, {"s", "x"})
  T.eq(dump(lab.concat{a, b}), "x:number=NA,1,2.5,3 | s:string=a,b,NA,c")
  T.eq(dump(a:concat(b, a)), "x:number=NA,1,2.5,3,NA,1 | s:string=a,b,NA,c,a,b")
  T.eq(dump(lab.concat{a}), dump(a))
  T.eq(dump(lab.concat{a, frame({x = {}, s = {}}, {"x", "s"})}), "x:integer=NA,1 | s:string=a,b",
       "an empty frame does not change the types")
end)

T.test("concat of iris with itself", function()
  local iris = lab.read_csv(T.path("data/iris.csv"))
  local both = lab.concat{iris, iris:sort("sepal_length")}
  T.eq(both:nrow(), 300)
  T.eq(both:col("species")[151], iris:sort("sepal_length"):col("species")[1])
end)

T.test("concat errors name the frame and the column", function()
  local a = frame({x = {1}, s = {"a"}}, {"x", "s"})
  T.err(function() lab.concat{a, frame({x = {1}}, {"x"})} end, "concat: frame 2 has no column 's'")
  T.err(function() lab.concat{a, frame({x = {1}, s = {"a"}, t = {1}}, {"x", "s", "t"})} end,
        "concat: frame 2 has column 't' that frame 1 lacks")
  T.err(function() lab.concat{a, frame({x = {true}, s = {"a"}}, {"x", "s"})} end,
        "concat: column 'x' is integer in frame 1 but boolean in frame 2")
  T.err(function() lab.concat{a, 3} end, "item 2 must be a frame, got number")
  T.err(function() lab.concat{} end, "expected a list of at least one frame")
  T.err(function() lab.concat(a) end, "bad argument #1 to 'concat' (table expected, got lab.Frame)")
  T.err(function() a:concat() end, "expected a frame to append")
  T.err(function() a:concat("b") end, "bad argument #1 to 'concat' (lab.Frame expected, got string)")
end)

-- ---- unique, dropna, fillna ------------------------------------------------

local holes = frame({a = {1, nil, 2, nil, 1}, b = {"x", nil, "y", nil, "x"}, c = {1.5, 3, 0/0, 4, 1.5}},
                    {"a", "b", "c"})

T.test("unique rows, first occurrence kept", function()
  T.eq(dump(holes:unique()), "a:integer=1,NA,2,NA | b:string=x,NA,y,NA | c:number=1.5,3,nan,4")
  T.eq(dump(holes:unique("a")), "a:integer=1,NA,2 | b:string=x,NA,y | c:number=1.5,3,nan")
  T.eq(dump(holes:unique({"b", "a"})), "a:integer=1,NA,2 | b:string=x,NA,y | c:number=1.5,3,nan")
  local iris = lab.read_csv(T.path("data/iris.csv"))
  T.eq(iris:unique("species"):nrow(), 3)
  T.eq(iris:unique():nrow(), 149) -- pandas: iris.drop_duplicates() has 149 rows
  T.err(function() holes:unique("z") end, "unique: no column 'z'")
  T.err(function() holes:unique(1) end, "bad argument #1 to 'unique'")
end)

T.test("dropna", function()
  T.eq(dump(holes:dropna()), "a:integer=1,1 | b:string=x,x | c:number=1.5,1.5")
  T.eq(dump(holes:dropna("c")), "a:integer=1,NA,NA,1 | b:string=x,NA,NA,x | c:number=1.5,3,4,1.5")
  T.eq(holes:dropna({"a", "b"}):nrow(), 3)
  local co2 = lab.read_csv(T.path("data/co2.csv"))
  T.eq(co2:dropna():nrow(), 2225) -- 59 of 2284 co2 readings are missing
  T.eq(co2:dropna("date"):nrow(), 2284)
  T.err(function() holes:dropna({"a", "zz"}) end, "dropna: no column 'zz'")
end)

T.test("fillna with one value or per column", function()
  T.eq(dump(holes:fillna(0)), "a:integer=1,0,2,0,1 | b:string=x,NA,y,NA,x | c:number=1.5,3,0,4,1.5")
  T.eq(dump(holes:fillna(0.5)), "a:integer=1,NA,2,NA,1 | b:string=x,NA,y,NA,x | c:number=1.5,3,0.5,4,1.5")
  T.eq(dump(holes:fillna("?")), "a:integer=1,NA,2,NA,1 | b:string=x,?,y,?,x | c:number=1.5,3,nan,4,1.5")
  T.eq(dump(holes:fillna{a = -1, b = "none", c = 2}),
       "a:integer=1,-1,2,-1,1 | b:string=x,none,y,none,x | c:number=1.5,3,2,4,1.5")
  T.eq(dump(holes:fillna{a = 7.0}), "a:integer=1,7,2,7,1 | b:string=x,NA,y,NA,x | c:number=1.5,3,nan,4,1.5")
  T.eq(dump(holes), "a:integer=1,NA,2,NA,1 | b:string=x,NA,y,NA,x | c:number=1.5,3,nan,4,1.5", "input unchanged")
  local flags = frame({f = {nil, true}}, {"f"})
  T.eq(dump(flags:fillna(false)), "f:boolean=false,true")
  local co2 = lab.read_csv(T.path("data/co2.csv"))
  local filled = co2:fillna{co2 = 0}
  T.eq(filled:dropna():nrow(), 2284)
  T.eq(filled:col("co2")[7], 0.0)
end)

T.test("fillna errors name the column", function()
  T.err(function() holes:fillna{a = 0.5} end, "fillna: column 'a' is integer and cannot hold the number 0.5")
  T.err(function() holes:fillna{b = 1} end, "fillna: column 'b' is string and cannot hold the integer 1")
  T.err(function() holes:fillna{c = true} end, "fillna: column 'c' is number and cannot hold the boolean true")
  T.err(function() holes:fillna{cc = 1} end, "fillna: no column 'cc' (did you mean 'c'?)")
  T.err(function() holes:fillna() end, "expected a value or a table of column = value")
  T.err(function() holes:fillna{a = {}} end, "the value for 'a' must be a number, boolean or string, got table")
  T.err(function() holes:fillna{[1] = 0} end, "keys must be column names, got number")
  T.err(function() holes:fillna(print) end, "the value must be a number, boolean or string, got function")
end)

-- ---- sample and split ------------------------------------------------------

local hundred = {}
for i = 1, 100 do hundred[i] = i end
local numbered = frame({id = hundred}, {"id"})

T.test("sample is seeded and draws distinct rows", function()
  local a, b = numbered:sample(10), numbered:sample(10, {seed = 1})
  T.eq(ids(a), ids(b), "the default seed is 1")
  T.ok(ids(numbered:sample(10, {seed = 2})) ~= ids(a), "another seed draws other rows")
  local seen = {}
  for v in ids(numbered:sample(100, {seed = 5})):gmatch("%d+") do
    T.ok(not seen[v], "row " .. v .. " drawn once")
    seen[v] = true
  end
  T.eq(numbered:sample(250, {seed = 3, replace = true}):nrow(), 250)
  T.eq(numbered:sample(0):nrow(), 0)
  T.eq(ids(numbered:sample(5, {seed = -7})), ids(numbered:sample(5, {seed = -7})))
end)

T.test("sample errors", function()
  T.err(function() numbered:sample(101) end, "sample: n = 101 is more than the frame's 100 rows (use replace=true)")
  T.err(function() numbered:sample(-1) end, "row count must not be negative")
  T.err(function() numbered:sample() end, "bad argument #1 to 'sample' (number expected, got no value)")
  T.err(function() numbered:sample(2, {seed = 1.5}) end, "field 'seed' must be an integer, got number")
  T.err(function() numbered:sample(2, {replace = 1}) end, "field 'replace' must be a boolean")
  T.err(function() numbered:sample(2, {sed = 1}) end, "unknown option 'sed'")
  T.err(function() frame({id = {}}, {"id"}):sample(1, {replace = true}) end, "cannot draw n = 1 rows from an empty frame")
end)

T.test("split keeps the original order in both parts", function()
  local train, test = numbered:split{test = 0.2, seed = 42}
  T.eq(train:nrow(), 80)
  T.eq(test:nrow(), 20)
  local seen, last = {}, 0
  for v in ids(test):gmatch("%d+") do
    v = tonumber(v)
    T.ok(v > last, "test rows in order")
    last = v
    seen[v] = true
  end
  last = 0
  for v in ids(train):gmatch("%d+") do
    v = tonumber(v)
    T.ok(v > last and not seen[v], "train rows in order and not in test")
    last = v
  end
  local train2, test2 = numbered:split{test = 0.2, seed = 42}
  T.eq(ids(test2), ids(test))
  T.eq(ids(train2), ids(train))
  local _, other = numbered:split{test = 0.2, seed = 43}
  T.ok(ids(other) ~= ids(test), "another seed splits otherwise")
  local tr3, te3 = numbered:split()
  T.eq(te3:nrow(), 20, "default test fraction 0.2")
  T.eq(tr3:nrow(), 80)
end)

T.test("stratified split keeps class proportions", function()
  local iris = lab.read_csv(T.path("data/iris.csv"))
  local train, test = iris:split{test = 0.2, seed = 42, stratify = "species"}
  T.eq(test:nrow(), 30)
  T.eq(train:nrow(), 120)
  local counts = {}
  local sp = test:col("species")
  for i = 1, test:nrow() do counts[sp[i]] = (counts[sp[i]] or 0) + 1 end
  T.eq(counts.setosa, 10)
  T.eq(counts.versicolor, 10)
  T.eq(counts.virginica, 10)
  -- Two rows of a rare class: one on each side.
  local y = {}
  for i = 1, 100 do y[i] = i <= 98 and "common" or "rare" end
  local df = frame({id = hundred, y = y}, {"id", "y"})
  local tr, te = df:split{test = 0.1, seed = 7, stratify = "y"}
  T.eq(te:nrow(), 10)
  local rare = 0
  for i = 1, te:nrow() do if te:col("y")[i] == "rare" then rare = rare + 1 end end
  T.eq(rare, 1, "rare rows in test")
  T.eq(tr:nrow(), 90)
end)

T.test("split errors", function()
  T.err(function() numbered:split{test = 1.5} end, "field 'test' must be a fraction between 0 and 1 (exclusive)")
  T.err(function() numbered:split{test = 0} end, "field 'test' must be a fraction between 0 and 1")
  T.err(function() numbered:split{test = "a"} end, "field 'test' must be a number, got string")
  T.err(function() numbered:split{stratify = "idd"} end, "split: stratify: no column 'idd' (did you mean 'id'?)")
  T.err(function() numbered:split{stratify = 1} end, "field 'stratify' must be a string")
  T.err(function() numbered:split{tset = 0.2} end, "unknown option 'tset'")
  T.err(function() numbered:split(0.2) end, "bad argument #1 to 'split' (table expected, got number)")
end)

-- ---- rename ----------------------------------------------------------------

T.test("rename", function()
  local df = frame({a = {1}, b = {"x"}, sepal_length = {1.5}}, {"a", "b", "sepal_length"})
  T.eq(dump(df:rename{a = "alpha"}), "alpha:integer=1 | b:string=x | sepal_length:number=1.5")
  T.eq(dump(df:rename{a = "b", b = "a"}), "b:integer=1 | a:string=x | sepal_length:number=1.5")
  T.eq(dump(df:rename("b", "beta")), "a:integer=1 | beta:string=x | sepal_length:number=1.5")
  T.eq(dump(df:rename{}), dump(df))
  T.eq(table.concat(df:names(), ","), "a,b,sepal_length", "the input keeps its names")
end)

T.test("rename errors", function()
  local df = frame({a = {1}, b = {"x"}, sepal_length = {1.5}}, {"a", "b", "sepal_length"})
  T.err(function() df:rename{sepal_lenght = "x"} end, "rename: no column 'sepal_lenght' (did you mean 'sepal_length'?)")
  T.err(function() df:rename{a = "b"} end, "rename: new name 'b' of column 'a' clashes with an existing column")
  T.err(function() df:rename{a = "z", b = "z"} end, "rename: columns 'a' and 'b' would both be called 'z'")
  T.err(function() df:rename{a = ""} end, "rename: the new name of column 'a' is empty")
  T.err(function() df:rename{a = 1} end, "the new name for 'a' must be a string, got number")
  T.err(function() df:rename{"x"} end, "keys must be column names, got number")
  T.err(function() df:rename("a") end, "bad argument #2 to 'rename' (string expected, got nil)")
  T.err(function() df:rename(1) end, "bad argument #1 to 'rename' (table expected, got number)")
end)

T.done()
