-- test_stats.lua — statistics from Lua: agreement with pandas on every bundled
-- data set (tests/fixtures/pandas_stats.lua, written by
-- tests/fixtures/make_pandas_fixtures.py), small cases worked out by hand, and
-- the errors.
local T = require "harness"
local lab = require "lab"

local fx = dofile(T.path("tests/fixtures/pandas_stats.lua"))

-- |got - want| <= tol * scale, scale = |want| (relative) unless given; NaN and
-- NA (nil) stand for each other, as pandas' NaN is our NA.
local TOL = 1e-12
local function close(got, want, scale)
  if want ~= want then return got == nil or got ~= got end
  if type(got) ~= "number" then return false end
  scale = scale or math.abs(want)
  return got == want or math.abs(got - want) <= TOL * scale
end

-- Check a list of pairs; fail with the first few mismatches and their count.
local function check_all(what, pairs_)
  local bad, msgs = 0, {}
  for _, p in ipairs(pairs_) do
    if not close(p[2], p[3], p[4]) then
      bad = bad + 1
      if #msgs < 5 then
        msgs[#msgs + 1] = string.format("%s: expected %.17g, got %s", p[1], p[3],
          type(p[2]) == "number" and string.format("%.17g", p[2]) or tostring(p[2]))
      end
    end
  end
  if bad > 0 then
    error(string.format("%s: %d of %d values differ from pandas by more than %g relative:\n  %s", what, bad,
      #pairs_, TOL, table.concat(msgs, "\n  ")), 2)
  end
  return #pairs_
end

local function load(name)
  local d = fx[name]
  return lab.read_csv(T.path(d.path)), d
end

T.test("the fixture file names its maker", function()
  local f = assert(io.open(T.path("tests/fixtures/pandas_stats.lua")))
  local head = f:read("l") .. f:read("l")
  f:close()
  T.ok(head:find("make_pandas_fixtures.py", 1, true), "header names the script")
  T.ok(head:find("pandas " .. fx.pandas_version, 1, true), "header names the pandas version")
  T.eq(#fx.datasets, 6, "data sets")
end)

local STATS = {"count", "mean", "std", "min", "25%", "50%", "75%", "max"}

for _, name in ipairs(fx.datasets) do
  local ok, df, d = pcall(load, name)
  if not ok then
    T.test(name .. ": read", function() error(df) end)
  else
    T.test(name .. ": describe agrees with pandas", function()
      local desc = df:describe()
      T.eq(desc:ncol(), #d.columns + 1, "describe columns")
      T.eq(desc:names()[1], "stat")
      local checks = {}
      for r, s in ipairs(STATS) do T.eq(desc.stat[r], s, "stat row " .. r) end
      for _, col in ipairs(d.columns) do
        local c = desc[col]
        for r, s in ipairs(STATS) do
          checks[#checks + 1] = {col .. " " .. s, c[r], d.describe[col][r]}
        end
      end
      check_all(name .. " describe", checks)
    end)

    T.test(name .. ": std, var, median, quantiles agree with pandas", function()
      local checks = {}
      for _, col in ipairs(d.columns) do
        local c = df[col]
        checks[#checks + 1] = {col .. " std", c:std(), d.std[col]}
        checks[#checks + 1] = {col .. " var", c:var(), d.var[col]}
        checks[#checks + 1] = {col .. " median", c:median(), d.median[col]}
        local qs = c:quantile(d.quantile_q)
        for k, q in ipairs(d.quantile_q) do
          checks[#checks + 1] = {col .. " quantile " .. q, qs[k], d.quantiles[col][k]}
          if k == 3 then checks[#checks + 1] = {col .. " quantile(q) " .. q, c:quantile(q), d.quantiles[col][k]} end
        end
        checks[#checks + 1] = {col .. " count", c:count(), d.describe[col][1]}
        checks[#checks + 1] = {col .. " mean", c:mean(), d.describe[col][2]}
        checks[#checks + 1] = {col .. " min", c:min(), d.describe[col][4]}
        checks[#checks + 1] = {col .. " max", c:max(), d.describe[col][8]}
      end
      check_all(name .. " column statistics", checks)
    end)

    if d.value_counts then
      T.test(name .. ": value counts agree with pandas", function()
        local vc = df[d.label]:value_counts()
        T.eq(vc:nrow(), #d.value_counts, "distinct values")
        local want = {}
        for _, p in ipairs(d.value_counts) do want[p[1]] = p[2] end
        local prev = math.huge
        for i = 1, vc:nrow() do
          local v, n = vc[d.label][i], vc.count[i]
          T.eq(n, want[v], "count of " .. tostring(v))
          T.ok(n <= prev, "counts descend")
          prev = n
        end
        T.eq(df[d.label]:nunique(), #d.value_counts, "nunique")
      end)
    end

    T.test(name .. ": correlation agrees with pandas", function()
      local r = df:corr()
      T.eq(r:nrow(), #d.columns, "rows")
      local checks = {}
      for i, a in ipairs(d.columns) do
        T.eq(r.column[i], a, "row name " .. i)
        local c = r[a]
        for k, b in ipairs(d.columns) do
          -- a correlation lies in [-1, 1]: relative to that range
          checks[#checks + 1] = {a .. " ~ " .. b, c[k], d.corr[a][k], 1}
        end
      end
      check_all(name .. " corr", checks)
    end)

    T.test(name .. ": group-by agrees with pandas", function()
      -- co2 has no label: its groups are years, date // 10000
      if d.group_key == "year" then df = df:mutate{year = df.date // 10000} end
      local gb = df:group_by(d.group_key)
      T.eq(gb:ngroups(), #d.group_keys, "groups")
      local sizes = gb:size()
      for i, k in ipairs(d.group_keys) do
        T.eq(sizes[d.group_key][i], k, "key of group " .. i)
        T.eq(sizes.size[i], d.group_size[i], "size of group " .. i)
      end
      local checks = {}
      for fn, cols in pairs(d.groups) do
        local r = gb[fn](gb)
        T.eq(r:names()[1], d.group_key, fn .. ": key first")
        for _, col in ipairs(d.group_columns) do
          local c = r[col]
          for i, want in ipairs(cols[col]) do
            checks[#checks + 1] = {fn .. " " .. col .. " group " .. i, c[i], want}
          end
        end
      end
      -- agg{} gives the same as the shortcuts, in name order
      local col = d.group_columns[#d.group_columns]
      local a = gb:agg{z_mean = {col, "mean"}, a_std = {col, "std"}, n = {"size"}}
      local names = a:names()
      T.eq(table.concat(names, ","), d.group_key .. ",a_std,n,z_mean", "outputs in name order")
      for i = 1, #d.group_keys do
        checks[#checks + 1] = {"agg mean " .. i, a.z_mean[i], d.groups.mean[col][i]}
        checks[#checks + 1] = {"agg std " .. i, a.a_std[i], d.groups.std[col][i]}
      end
      check_all(name .. " group-by", checks)
    end)
  end
end

-- ---- small cases by hand ------------------------------------------------------

local dir = T.tmpdir()
local function csv(text)
  local p = dir .. "/t" .. tostring(math.random(1, 1e9)) .. ".csv"
  local f = assert(io.open(p, "w"))
  f:write(text)
  f:close()
  return lab.read_csv(p)
end

local small = csv("x,k,s,b,none\n1,3,p,true,\n2,1,q,false,\nNA,3,p,true,\n4,1,,false,\n6,2,q,true,\n")

T.test("NA is skipped and counted", function()
  local x = small.x
  T.eq(x:count(), 4)
  T.eq(x:na_count(), 1)
  T.eq(x:sum(), 13.0)
  T.near(x:mean(), 13 / 4)
  T.near(x:var(), (2.25 ^ 2 + 1.25 ^ 2 + 0.75 ^ 2 + 2.75 ^ 2) / 3, 1e-15)
  T.near(x:std(0), math.sqrt((2.25 ^ 2 + 1.25 ^ 2 + 0.75 ^ 2 + 2.75 ^ 2) / 4), 1e-15)
  T.eq(x:median(), 3.0)
  T.eq(x:min(), 1.0)
  T.eq(x:max(), 6.0)
  local q = x:quantile{0, 0.25, 1}
  T.eq(#q, 3)
  T.near(q[2], 1.75, 1e-15)
  T.eq(small.s:count(), 4)
  T.eq(small.s:na_count(), 1)
end)

T.test("an all-NA column", function()
  local c = small.none
  T.eq(c:count(), 0)
  T.eq(c:na_count(), 5)
  T.eq(c:sum(), 0.0)
  T.ok(c:mean() ~= c:mean(), "mean is NaN")
  T.ok(c:median() ~= c:median(), "median is NaN")
  T.eq(c:min(), nil, "min of nothing")
  T.eq(c:value_counts():nrow(), 0)
end)

T.test("one value: std is NaN, as pandas", function()
  local one = csv("v\n5\n")
  T.ok(one.v:std() ~= one.v:std(), "std of one value is NaN")
  T.eq(one.v:std(0), 0.0)
  local d = one:describe()
  T.eq(d.v[3], nil, "describe std is NA")
  T.eq(d.v[1], 1.0)
end)

T.test("integer sums are exact beyond 2^53", function()
  local big = csv("v\n9007199254740992\n1\n1\n")
  T.eq(big.v:type(), "integer")
  T.eq(big.v:sum(), 9007199254740994, "exact integer sum")
  T.eq(math.type(big.v:sum()), "integer")
  T.eq(big.v:max(), 9007199254740992)
  T.eq(math.type(big.v:min()), "integer")
  local g = big:mutate{k = 1}:group_by("k"):sum()
  T.eq(g.v[1], 9007199254740994, "exact group sum")
end)

T.test("booleans count as 0 and 1 but describe leaves them out", function()
  T.eq(small.b:sum(), 3)
  T.near(small.b:mean(), 0.6)
  local d = small:describe()
  T.eq(table.concat(d:names(), ","), "stat,x,k,none", "all-NA 'none' reads as a number column")
end)

T.test("value_counts: ties in order of first appearance", function()
  local f = csv("v\nb\na\nc\na\nb\nd\nNA\nc\n")
  local vc = f.v:value_counts()
  T.eq(vc:nrow(), 4)
  T.eq(vc.v[1], "b")
  T.eq(vc.v[2], "a")
  T.eq(vc.v[3], "c")
  T.eq(vc.v[4], "d")
  T.eq(vc.count[1], 2)
  T.eq(vc:types()[2], "integer")
  local u = f.v:unique()
  T.eq(#u, 5, "unique keeps one NA")
  T.eq(u[1], "b")
  T.eq(u[5], nil)
  T.eq(f.v:nunique(), 4)
end)

T.test("group_by: several keys, NA keys dropped, keys sorted", function()
  local g = small:group_by{"s", "k"}:agg{{"n", "size"}, {"sx", "x", "sum"}, {"fx", "x", "first"},
                                          {"lx", "x", "last"}, {"mx", "x", "median"}}
  -- rows: (p,3) (q,1) (p,3) (NA,1) (q,2)
  T.eq(g:nrow(), 3)
  T.eq(table.concat(g:names(), ","), "s,k,n,sx,fx,lx,mx")
  T.eq(g.s[1], "p"); T.eq(g.k[1], 3)
  T.eq(g.s[2], "q"); T.eq(g.k[2], 1)
  T.eq(g.s[3], "q"); T.eq(g.k[3], 2)
  T.eq(g.n[1], 2)
  T.eq(g.sx[1], 1.0, "NA skipped in sum")
  T.eq(g.fx[1], 1.0)
  T.eq(g.lx[1], 1.0, "last skips NA")
  T.eq(g.mx[3], 6.0)
  local by_col = small:group_by(small.k // 2):count()
  T.eq(by_col:nrow(), 2)
end)

T.test("group_by shortcuts skip string columns where they make no sense", function()
  local m = small:group_by("k"):mean()
  T.eq(table.concat(m:names(), ","), "k,x,b,none")
  local c = small:group_by("k"):count()
  T.eq(table.concat(c:names(), ","), "k,x,s,b,none")
  local mn = small:group_by("k"):min{"s"}
  T.eq(mn.s[1], "q")
end)

-- ---- errors ------------------------------------------------------------------

T.test("statistics of a string column name the column and its type", function()
  T.err(function() return small.s:mean() end, "column 's' is a string column")
  T.err(function() return small.s:std() end, "std")
  T.err(function() return small.s:quantile(0.5) end, "string column")
  T.err(function() return small.s:sum() end, "sum")
end)

T.test("bad arguments are named", function()
  T.err(function() return small.x:quantile(1.5) end, "q must be in [0, 1]")
  T.err(function() return small.x:quantile{0.5, "a"} end, "item 2")
  T.err(function() return small:group_by("kk") end, "no column 'kk'")
  T.err(function() return small:group_by(42) end, "column name")
  T.err(function() return small:group_by{} end, "no key column")
  local gb = small:group_by("k")
  T.err(function() return gb:agg{m = {"x", "avg"}} end, "unknown aggregate 'avg' (known: count, sum, mean")
  T.err(function() return gb:agg{m = {"xx", "mean"}} end, "output 'm': no column 'xx'")
  T.err(function() return gb:agg{m = {"s", "mean"}} end, "column 's'")
  T.err(function() return gb:agg{k = {"x", "mean"}} end, "name of a key column")
  T.err(function() return gb:agg{m = "x"} end, "output 'm' must be a table")
  T.err(function() return gb:agg{m = {"mean"}} end, "mean needs a column")
  T.err(function() return gb:agg{{"a", "x", "sum"}, {"a", "x", "mean"}} end, "'a' appears twice")
  T.err(function() return gb:mean{"s"} end, "string column")
  T.err(function() return csv("s\na\n"):describe() end, "no number or integer column")
  T.err(function() return csv("s\na\n"):corr() end, "corr")
end)

T.test("GroupBy prints its keys", function()
  local s = tostring(small:group_by{"s", "k"})
  T.ok(s:find("GroupBy(s, k", 1, true), "got " .. s)
end)

os.execute("rm -rf '" .. dir .. "'")
T.done()
