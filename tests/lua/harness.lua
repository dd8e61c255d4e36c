-- harness.lua — the smallest test runner that says what it expected.
--
--   local T = require "harness"
--   T.test("reads iris", function() T.eq(df:nrow(), 150) end)
--   T.done()   -- prints "N passed, N failed" and exits 1 on any failure
--
-- A failing check raises; the test stops there and its message (with the
-- caller's line) is printed. T.err(fn, pattern) expects fn to raise an error
-- whose message contains pattern (plain text, not a Lua pattern).
local T = {passed = 0, failed = 0}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

local function fail(msg, level)
  error(msg, (level or 1) + 2)
end

function T.eq(got, want, what)
  if got ~= want then
    fail(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", show(want), show(got)))
  end
end

function T.ok(cond, what)
  if not cond then fail("expected true: " .. (what or "condition")) end
end

-- |got - want| <= tol * max(1, |want|); NaN equals NaN.
function T.near(got, want, tol, what)
  tol = tol or 1e-12
  if type(got) ~= "number" then
    fail(string.format("%sexpected a number near %s, got %s", what and (what .. ": ") or "", show(want), show(got)))
  end
  if got ~= got and want ~= want then return end
  local scale = math.max(1, math.abs(want))
  if not (math.abs(got - want) <= tol * scale) then
    fail(string.format("%sexpected %.17g (tol %g), got %.17g", what and (what .. ": ") or "", want, tol, got))
  end
end

function T.err(fn, pattern, what)
  local ok, msg = pcall(fn)
  if ok then fail(string.format("%sexpected an error containing %q, got none", what and (what .. ": ") or "", pattern)) end
  msg = tostring(msg)
  if not msg:find(pattern, 1, true) then
    fail(string.format("%sexpected an error containing %q, got %q", what and (what .. ": ") or "", pattern, msg))
  end
  return msg
end

function T.test(name, fn)
  local ok, msg = xpcall(fn, debug.traceback)
  if ok then
    T.passed = T.passed + 1
  else
    T.failed = T.failed + 1
    io.stdout:write(string.format("FAIL %s: %s\n", name, msg))
  end
end

function T.done()
  io.stdout:write(string.format("%d passed, %d failed\n", T.passed, T.failed))
  os.exit(T.failed == 0 and 0 or 1)
end

-- Path of a file in the repository, whatever the current directory is.
T.root = os.getenv("LAB_ROOT") or "."
function T.path(p) return T.root .. "/" .. p end

-- A fresh scratch directory for the test file.
function T.tmpdir()
  local p = os.tmpname()
  os.remove(p)
  assert(os.execute("mkdir -p '" .. p .. "'"))
  return p
end

return T
