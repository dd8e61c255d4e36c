-- test_sql.lua — lab.read_sql and df:write_sql from Lua: every bundled data set
-- and hand-built frames survive a write and a read; modes, parameters, and
-- errors that name the argument, path, table or column.
local T = require "harness"
local lab = require "lab"

local dir = T.tmpdir()
local function db(name) return dir .. "/" .. name end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- Same names, types and values (NA included), with a message that says where.
local function same(got, want, what)
  T.eq(table.concat(got:names(), ","), table.concat(want:names(), ","), what .. " names")
  T.eq(table.concat(got:types(), ","), table.concat(want:types(), ","), what .. " types")
  T.eq(got:nrow(), want:nrow(), what .. " rows")
  T.ok(got:equals(want), what .. ": values equal after the round trip")
end

for _, name in ipairs{"iris", "wine", "breast_cancer", "diabetes", "digits", "co2"} do
  T.test("round trip of data/" .. name .. ".csv", function()
    local df = lab.read_csv(T.path("data/" .. name .. ".csv"))
    local path = db("datasets.db")
    T.eq(df:write_sql(path, name), df:nrow(), "write_sql returns the row count")
    local back = lab.read_sql(path, "select * from " .. name)
    same(back, df, name)
  end)
end

T.test("co2 keeps its NAs", function()
  local back = lab.read_sql(db("datasets.db"), "select co2 from co2 where co2 is null")
  T.eq(back:nrow(), 59, "NULL rows in co2")
end)

-- Every type with an NA, integers beyond 2^53, unicode, quotes in names.
local function mixed()
  return lab.frame({
    ["big int"] = {math.maxinteger, math.mininteger, 9007199254740993, nil, -42},
    ['x "q"'] = {1.5, nil, 1e300, -0.1, 5e-324},
    ["it's"] = {true, false, nil, true, false},
    ["café"] = {"héllo", "日本語", "", nil, 'it\'s "quoted"'},
  }, {order = {"big int", 'x "q"', "it's", "café"}})
end

T.test("round trip of NA in every type, big integers, unicode, odd names", function()
  local df = mixed()
  T.eq(table.concat(df:types(), ","), "integer,number,boolean,string", "the frame built")
  T.eq(df:write_sql(db("mixed.db"), 'my "table"'), 5)
  local back = lab.read_sql(db("mixed.db"), 'select * from "my ""table"""')
  same(back, df, "mixed")
  T.eq(back["big int"][1], math.maxinteger, "int64 max exact")
  T.eq(back["big int"][3], 9007199254740993, "2^53 + 1 exact")
  T.eq(back["big int"][4], nil, "NA integer")
  T.eq(back["café"][2], "日本語")
  T.eq(back["it's"][3], nil, "NA boolean")
end)

T.test("round trip of an empty frame keeps names and types", function()
  local df = mixed():head(0)
  T.eq(df:nrow(), 0)
  T.eq(df:write_sql(db("empty.db"), "empty"), 0)
  local back = lab.read_sql(db("empty.db"), "select * from empty")
  same(back, df, "empty")
end)

T.test("if_exists: fail, replace, append", function()
  local path = db("modes.db")
  local df = lab.frame{a = {1, 2, 3}}
  df:write_sql(path, "t")
  local msg = T.err(function() df:write_sql(path, "t") end, "table 't' already exists")
  T.ok(msg:find(path, 1, true), "the error names the path: " .. msg)
  T.err(function() df:write_sql(path, "t", {if_exists = "fail"}) end, "already exists")
  T.eq(df:write_sql(path, "t", {if_exists = "append"}), 3)
  T.eq(lab.read_sql(path, "select * from t"):nrow(), 6, "rows after append")
  local other = lab.frame{b = {"x"}}
  T.eq(other:write_sql(path, "t", {if_exists = "replace"}), 1)
  same(lab.read_sql(path, "select * from t"), other, "replaced")
  T.err(function() df:write_sql(path, "t", {if_exists = "append"}) end,
        "cannot append to table 't': it has no column 'a' (its columns: b)")
  T.err(function() lab.frame{b = {1}}:write_sql(path, "t", {if_exists = "append"}) end,
        "column 'b' is integer but the table declares it TEXT")
end)

T.test("write_sql checks its arguments", function()
  local df = lab.frame{a = {1}}
  T.err(function() df:write_sql() end, "bad argument #1 to 'write_sql'")
  T.err(function() df:write_sql(db("x.db")) end, "bad argument #2 to 'write_sql'")
  T.err(function() df:write_sql(db("x.db"), "") end, "table name is empty")
  T.err(function() df:write_sql(db("x.db"), "t", {if_exists = "overwrite"}) end,
        "field 'if_exists' must be \"fail\", \"replace\" or \"append\", got \"overwrite\"")
  T.err(function() df:write_sql(db("x.db"), "t", {if_exist = "replace"}) end, "unknown option 'if_exist'")
  T.err(function() df:write_sql(db("x.db"), "t\0x") end, "NUL byte")
  T.err(function() df.write_sql({}, db("x.db"), "t") end, "lab.Frame expected")
  local missing = dir .. "/no/such/folder/x.db"
  T.err(function() df:write_sql(missing, "t") end, missing)
end)

T.test("read_sql with parameters", function()
  local path = db("params.db")
  lab.frame({id = {1, 2, 3, 4}, name = {"a", "b", "c", "b"}}, {order = {"id", "name"}}):write_sql(path, "t")
  local r = lab.read_sql(path, "select id from t where id >= ? and name = ?", {2, "b"})
  T.eq(r:nrow(), 2)
  T.eq(r.id[2], 4)
  r = lab.read_sql(path, "select id from t where id > :lo and name = $name", {lo = 1.5, name = "b"})
  T.eq(r:nrow(), 2)
  r = lab.read_sql(path, "select ?1 as a, ?1 + 1 as b, ? as c", {10, [2] = true})
  T.eq(r.a[1], 10)
  T.eq(r.b[1], 11)
  T.eq(r.c[1], 1, "true binds as 1")
  T.err(function() lab.read_sql(path, "select ? as a", {{}}) end,
        "bad argument #3 to 'read_sql' (params[1] is a table; a parameter is a number, string or boolean)")
  T.err(function() lab.read_sql(path, "select ? as a", {[0.5] = 1}) end, "a position must be a whole number")
  T.err(function() lab.read_sql(path, "select ? as a", {1, 2}) end,
        "the query has 1 parameter, got a value for parameter 2")
  T.err(function() lab.read_sql(path, "select :x as a", {y = 1}) end, "the query has no parameter named 'y'")
  T.err(function() lab.read_sql(path, "select :x as a") end, "no value for query parameter :x")
  T.err(function() lab.read_sql(path, "select 1", "oops") end, "bad argument #3 to 'read_sql' (table expected")
end)

T.test("read_sql errors name the path, the query and the place", function()
  local path = db("errors.db")
  lab.frame{a = {1}}:write_sql(path, "t")
  local keep = lab.read_sql(path, "select * from t")
  local missing = db("missing.db")
  T.err(function() lab.read_sql(missing, "select 1") end, missing .. ": no such file")
  T.ok(not exists(missing), "reading must not create the database")
  T.err(function() lab.read_sql(path, "select * frm t") end,
        'near "frm": syntax error in query "select * frm t" at line 1, column 10 (offset 9)')
  T.err(function() lab.read_sql(path, "select b from t") end, "no such column: b")
  T.err(function() lab.read_sql(path, "select * from nope") end, "no such table: nope")
  T.err(function() lab.read_sql(path, "delete from t returning a") end, "readonly")
  T.err(function() lab.read_sql(path, "select x'00' as blob") end, "column 'blob' row 1 holds a BLOB")
  T.err(function() lab.read_sql(nil, "select 1") end, "bad argument #1 to 'read_sql' (string expected, got nil)")
  T.err(function() lab.read_sql(path) end, "bad argument #2 to 'read_sql' (string expected, got no value)")
  T.err(function() lab.read_sql(T.path("data/iris.csv"), "select 1 from t") end, "file is not a database")
  same(keep, lab.frame{a = {1}}, "a frame read before the failures")
end)

T.test("types decided from declarations and values", function()
  local path = db("types.db")
  lab.frame{a = {1}}:write_sql(path, "t")
  local r = lab.read_sql(path, "select 1 as i, 2.5 as n, 'x' as s, null as na, a = 1 as cmp from t")
  T.eq(table.concat(r:types(), ","), "integer,number,string,number,integer")
  T.eq(r.na[1], nil, "NULL is NA")
  r = lab.read_sql(path, "select 1 as v union all select 2.5")
  T.eq(r:types()[1], "number")
  r = lab.read_sql(path, "select 1 as v union all select 'one'")
  T.eq(r:types()[1], "string")
  T.eq(r.v[1], "1")
  r = lab.read_sql(path, "select a, a from t")
  T.eq(table.concat(r:names(), ","), "a,a_2", "a repeated name gets a suffix")
end)

T.done()
