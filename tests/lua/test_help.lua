-- test_help.lua — every public function of lab has documentation that help()
-- shows: the lab table, its sub-tables, and the methods of frames, columns and
-- the other lab types. The docs in docs/lua/ are the one source.
local T = require "harness"
local lab = require "lab"

local function public_functions()
  local list = {}
  local function add(fn, where)
    if type(fn) == "function" then list[#list + 1] = {fn = fn, where = where} end
  end
  for k, v in pairs(lab) do
    add(v, "lab." .. k)
    if type(v) == "table" then
      for k2, v2 in pairs(v) do add(v2, "lab." .. k .. "." .. k2) end
    end
  end
  for _, meta in ipairs{"lab.Frame", "lab.Column", "lab.GroupBy", "lab.Plot", "lab.Model", "lab.Transform"} do
    local mt = debug.getregistry()[meta]
    if mt then
      local methods = rawget(mt, "__methods") or (type(rawget(mt, "__index")) == "table" and rawget(mt, "__index"))
      for k, v in pairs(methods or {}) do add(v, meta .. ":" .. k) end
    end
  end
  table.sort(list, function(a, b) return a.where < b.where end)
  return list
end

local fns = public_functions()
T.test("there are public functions to check", function()
  T.ok(#fns > 80, "found " .. #fns)
end)

for _, f in ipairs(fns) do
  T.test("help for " .. f.where, function()
    local text = lab.doc(f.fn)
    T.ok(not text:find("^no help for") and not text:find("^%(a function lab does not document%)"),
         f.where .. " has no documentation: " .. text)
  end)
end

T.test("help by name, by short name, and a miss with suggestions", function()
  T.ok(lab.doc("lab.read_csv"):find("RFC 4180", 1, true), "lab.read_csv")
  T.ok(lab.doc("read_csv"):find("RFC 4180", 1, true), "read_csv")
  T.ok(lab.doc(lab.read_csv):find("docs/lua/frame.md", 1, true), "names its page")
  T.eq(lab.doc_name(lab.read_csv), "lab.read_csv")
  local df = lab.frame{x = {1, 2}}
  T.eq(lab.doc_name(df.head), "df:head")
  T.ok(lab.doc(df):find("df:head", 1, true), "help(df) lists frame methods")
  T.ok(lab.doc("read_cvs"):find("did you mean lab.read_csv", 1, true), lab.doc("read_cvs"))
  T.ok(lab.doc():find("help(lab.read_csv)", 1, true), "overview")
end)

T.done()
