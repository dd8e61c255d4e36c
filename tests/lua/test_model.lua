-- test_model.lua — lab.model.linear / logistic, model files, lab.metrics:
-- agreement with scikit-learn (tests/fixtures/sklearn_learn.lua, written by
-- tests/fixtures/make_sklearn_fixtures.py), save and load, and bad input.
local T = require "harness"
local lab = require "lab"
local ref = dofile(T.path("tests/fixtures/sklearn_learn.lua"))

local diabetes = lab.read_csv(T.path("data/diabetes.csv"))
local iris = lab.read_csv(T.path("data/iris.csv"))
local cancer = lab.read_csv(T.path("data/breast_cancer.csv"))
local tmp = T.tmpdir()

-- every feature (all but target) standardized by its mean and population std
local function standardize(df, target)
  local cols, order = {}, {}
  for _, name in ipairs(df:names()) do
    local c = df[name]
    if name ~= target then c = (c - c:mean()) / c:std(0) end
    cols[name] = c
    order[#order + 1] = name
  end
  return lab.frame(cols, {order = order})
end

local function rel(got, want) return math.abs(got - want) / math.max(math.abs(want), 1e-300) end

local function read_bytes(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write_bytes(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- ---- linear ----------------------------------------------------------------

T.test("linear regression on diabetes agrees with scikit-learn to 1e-8", function()
  local m = lab.model.linear():fit(diabetes, {target = "progression"})
  local p = m:predict(diabetes)
  T.eq(#p, 442)
  local worst = 0
  for i = 1, #p do worst = math.max(worst, rel(p[i], ref.linear.ols.predict[i])) end
  T.ok(worst < 1e-8, "worst relative difference " .. worst)
  local coef = m:coef()
  T.eq(coef:names()[1], "feature")
  for i = 1, 10 do T.near(coef.coef[i], ref.linear.ols.coef[i], 1e-8, "coef " .. i) end
  T.near(m:intercept(), ref.linear.ols.intercept, 1e-8, "intercept")
  T.eq(m:figures().rank, 10)
end)

T.test("ridge=1 agrees with scikit-learn's Ridge(alpha=1) to 1e-8", function()
  local m = lab.model.linear{ridge = 1}:fit(diabetes, {target = "progression"})
  local p = m:predict(diabetes)
  for i = 1, #p do T.near(p[i], ref.linear.ridge1.predict[i], 1e-8, "row " .. i) end
  T.near(m:intercept(), ref.linear.ridge1.intercept, 1e-8, "intercept")
end)

T.test("linear: features subset, intercept=false, tostring", function()
  local m = lab.model.linear{intercept = false}:fit(diabetes, {target = "progression", features = {"bmi", "s5"}})
  T.eq(m:intercept(), 0)
  T.eq(#m:features(), 2)
  T.eq(m:coef():nrow(), 2)
  local s = tostring(m)
  T.ok(s:find("model linear{ridge=0, intercept=false}", 1, true), s)
  T.ok(s:find("target: progression", 1, true), s)
  T.ok(tostring(lab.model.linear()):find("not fitted", 1, true), "unfitted")
  T.eq(lab.model.linear():fitted(), false)
end)

-- ---- logistic ---------------------------------------------------------------

local function check_logistic(df, target, want, what)
  local m = lab.model.logistic{C = 1, max_iter = 100}:fit(df, {target = target})
  local proba = m:predict_proba(df)
  local acc = lab.metrics.accuracy(df[target], m:predict(df))
  local ll = lab.metrics.log_loss(df[target], proba)
  T.ok(math.abs(acc - want.accuracy) <= 0.005, string.format("%s accuracy %.4f, scikit-learn %.4f", what, acc, want.accuracy))
  T.ok(rel(ll, want.log_loss) <= 0.01, string.format("%s log loss %.6f, scikit-learn %.6f", what, ll, want.log_loss))
  T.eq(proba:ncol(), #want.classes)
  for k, name in ipairs(want.classes) do T.eq(proba:names()[k], name, "class column " .. k) end
  for i = 1, 5 do
    local s = 0
    for k, name in ipairs(want.classes) do
      s = s + proba[name][i]
      T.near(proba[name][i], want.proba_head[i][k], 0.02, "probability row " .. i)
    end
    T.near(s, 1, 1e-12, "row sum")
  end
  return m
end

T.test("binary logistic on standardized breast_cancer agrees with scikit-learn", function()
  local m = check_logistic(standardize(cancer, "diagnosis"), "diagnosis", ref.logistic_breast_cancer, "breast_cancer")
  T.eq(m:coef():ncol(), 2)
  T.eq(type(m:intercept()), "number")
  T.eq(m:figures().converged, 1)
end)

T.test("multinomial logistic on standardized iris agrees with scikit-learn", function()
  local m = check_logistic(standardize(iris, "species"), "species", ref.logistic_iris, "iris")
  T.eq(m:coef():ncol(), 4) -- feature + one column per class
  T.eq(type(m:intercept().setosa), "number")
end)

T.test("a string target comes back as strings, an integer one as integers", function()
  local m = lab.model.logistic():fit(standardize(iris, "species"), {target = "species"})
  local p = m:predict(standardize(iris, "species"))
  T.eq(p[1], "setosa")
  T.eq(m:classes()[3], "virginica")
  local df = lab.frame({x = {1, 2, 3, 4, 5, 6}, y = {0, 0, 1, 0, 1, 1}}, {order = {"x", "y"}})
  local q = lab.model.logistic():fit(df, {target = "y"}):predict(df)
  T.eq(math.type(q[1]), "integer")
  local b = lab.frame({x = {1, 2, 3, 4, 5, 6}, y = {false, false, true, false, true, true}}, {order = {"x", "y"}})
  T.eq(type(lab.model.logistic():fit(b, {target = "y"}):predict(b)[6]), "boolean")
end)

T.test("the report callback sees hyper-parameters, per-iteration loss and final figures", function()
  local params, losses, finals = {}, 0, {}
  local last = math.huge
  lab.model.logistic{C = 0.5}:fit(standardize(cancer, "diagnosis"), {target = "diagnosis", report = function(what, key, value, step)
    if what == "param" then params[key] = value
    elseif step then
      T.eq(key, "loss")
      T.ok(value <= last + 1e-12, "loss never rises")
      last = value
      losses = losses + 1
    else finals[key] = value end
  end})
  T.eq(params.C, 0.5)
  T.eq(params.max_iter, 100)
  T.ok(losses >= 3, "iterations reported: " .. losses)
  T.ok(finals.n_iter == losses, "n_iter " .. tostring(finals.n_iter))
  T.err(function()
    lab.model.linear():fit(diabetes, {target = "progression", report = function() error("stop here") end})
  end, "stop here")
end)

-- ---- model files ----------------------------------------------------------------

T.test("save then load predicts identically", function()
  local m = lab.model.linear{ridge = 0.5}:fit(diabetes, {target = "progression"})
  local path = tmp .. "/lin.model"
  m:save(path)
  local m2 = lab.load(path)
  T.eq(m2:kind(), "linear")
  T.eq(m2:params().ridge, 0.5)
  T.eq(m2:hash(), m:hash())
  T.eq(tostring(m2), tostring(m))
  local a, b = m:predict(diabetes), m2:predict(diabetes)
  for i = 1, #a do T.eq(a[i], b[i]) end
  local df = standardize(iris, "species")
  local c = lab.model.logistic{C = 2}:fit(df, {target = "species"})
  c:save(tmp .. "/log.model")
  local c2 = lab.load(tmp .. "/log.model")
  local pa, pb = c:predict_proba(df), c2:predict_proba(df)
  for _, name in ipairs(pa:names()) do
    for i = 1, 150 do T.eq(pa[name][i], pb[name][i]) end
  end
  T.eq(c2:predict(df)[150], c:predict(df)[150])
  T.eq(c2:classes()[2], "versicolor")
  -- saving again replaces the file atomically: no temporary file is left
  c:save(tmp .. "/log.model")
  local p = io.popen("ls '" .. tmp .. "'")
  local listing = p:read("a")
  p:close()
  T.ok(not listing:find("tmp", 1, true), listing)
end)

T.test("a truncated, corrupted or altered model file is refused with a clear error", function()
  local m = lab.model.linear():fit(diabetes, {target = "progression"})
  local good = tmp .. "/good.model"
  m:save(good)
  local bytes = read_bytes(good)
  write_bytes(tmp .. "/cut.model", bytes:sub(1, #bytes // 2))
  T.err(function() lab.load(tmp .. "/cut.model") end, "is truncated")
  write_bytes(tmp .. "/tiny.model", bytes:sub(1, 40))
  T.err(function() lab.load(tmp .. "/tiny.model") end, "is truncated")
  -- the first page's b-tree header overwritten
  write_bytes(tmp .. "/bad.model", bytes:sub(1, 100) .. string.rep("\255", 12) .. bytes:sub(113))
  T.err(function() lab.load(tmp .. "/bad.model") end, "is corrupted")
  -- one coefficient changed in place: SQLite still reads it, the hash catches it
  local coef = m:coef().coef[3]
  local from, to = string.pack("<d", coef), string.pack("<d", coef * 1.5)
  local at = bytes:find(from, 1, true)
  T.ok(at, "the coefficient's bytes are in the file")
  write_bytes(tmp .. "/altered.model", bytes:sub(1, at - 1) .. to .. bytes:sub(at + 8))
  T.err(function() lab.load(tmp .. "/altered.model") end, "was altered after it was saved")
  T.err(function() lab.load(T.path("data/iris.csv")) end, "is not a model file")
  T.err(function() lab.load(tmp .. "/none.model") end, "cannot open")
  -- an SQLite database that is not a model
  lab.frame{x = {1, 2}}:write_sql(tmp .. "/other.db", "t")
  T.err(function() lab.load(tmp .. "/other.db") end, "not a lab model file")
  T.err(function() lab.model.linear():save(tmp .. "/x.model") end, "not fitted")
  T.err(function() m:save(tmp .. "/no/such/dir/x.model") end, "cannot write")
end)

-- ---- bad input -----------------------------------------------------------------

T.test("fitting errors name the column", function()
  T.err(function() lab.model.linear():fit(diabetes, {target = "progresion"}) end, "no column 'progresion'")
  T.err(function() lab.model.linear():fit(iris, {target = "sepal_length"}) end, "feature column 'species' is a string column")
  local na = lab.frame({x = {1, lab.NA, 3}, y = {1, 2, 3}}, {order = {"x", "y"}})
  T.err(function() lab.model.linear():fit(na, {target = "y"}) end, "feature column 'x' has a missing value at row 2")
  T.err(function() lab.model.linear():fit(na, {target = "x"}) end, "target column 'x' has a missing value at row 2")
  T.err(function() lab.model.linear():fit(iris, {target = "species"}) end, "target column 'species' is a string column")
  T.err(function() lab.model.linear():fit(diabetes, {target = "progression", features = {"bmi", "bmi"}}) end, "listed twice")
  T.err(function() lab.model.linear():fit(diabetes, {target = "progression", features = {"progression"}}) end, "is the target")
  T.err(function() lab.model.linear():fit(diabetes, {target = "progression", features = {"bmx"}}) end, "no column 'bmx'")
  T.err(function() lab.model.linear():fit(diabetes, {targt = "progression"}) end, "unknown option 'targt'")
  T.err(function() lab.model.linear():fit(diabetes) end, "needs a target column")
  local one = lab.frame({x = {1, 2, 3}, y = {"a", "a", "a"}}, {order = {"x", "y"}})
  T.err(function() lab.model.logistic():fit(one, {target = "y"}) end, "only one class")
end)

T.test("predicting on a frame whose columns or types differ names the column", function()
  local m = lab.model.linear():fit(diabetes, {target = "progression", features = {"bmi", "bp"}})
  T.err(function() m:predict(iris) end, "the frame has no column 'bmi'")
  local wrong = lab.frame({bmi = {"a", "b"}, bp = {1, 2}}, {order = {"bmi", "bp"}})
  T.err(function() m:predict(wrong) end, "column 'bmi' is a string column; the model was trained on a number column")
  local na = lab.frame({bmi = {1, lab.NA}, bp = {1, 2}}, {order = {"bmi", "bp"}})
  T.err(function() m:predict(na) end, "column 'bmi' has a missing value at row 2")
  -- integer data for a number column is fine; extra columns are ignored
  local ok = lab.frame({bp = {80, 90}, bmi = {20, 30}, other = {"x", "y"}}, {order = {"bp", "bmi", "other"}})
  T.eq(#m:predict(ok), 2)
  T.err(function() lab.model.linear():predict(diabetes) end, "not fitted")
  T.err(function() m:predict_proba(diabetes) end, "linear is not a classifier")
end)

T.test("hyper-parameter errors name the parameter", function()
  T.err(function() lab.model.linear{alpha = 1} end, "unknown hyper-parameter 'alpha' (known: ridge, intercept)")
  T.err(function() lab.model.linear{ridge = -1} end, "'ridge' must be in [0, inf]")
  T.err(function() lab.model.logistic{C = 0} end, "'C' must be in (0, inf]")
  T.err(function() lab.model.logistic{max_iter = 1.5} end, "'max_iter' must be an integer")
  T.err(function() lab.model.logistic{C = "big"} end, "'C' must be a number")
  T.err(function() lab.model.logistic{intercept = 2} end, "'intercept' must be a boolean")
  T.eq(lab.model.logistic{C = 3}:params().C, 3)
end)

-- ---- metrics -------------------------------------------------------------------

local M = ref.metrics

T.test("binary metrics agree with scikit-learn", function()
  local b = M.binary
  T.near(lab.metrics.accuracy(b.y_true, b.y_pred), b.accuracy, 1e-12)
  for _, avg in ipairs{"binary", "macro", "micro", "weighted"} do
    T.near(lab.metrics.precision(b.y_true, b.y_pred, {average = avg}), b["precision_" .. avg], 1e-12, "precision " .. avg)
    T.near(lab.metrics.recall(b.y_true, b.y_pred, {average = avg}), b["recall_" .. avg], 1e-12, "recall " .. avg)
    T.near(lab.metrics.f1(b.y_true, b.y_pred, {average = avg}), b["f1_" .. avg], 1e-12, "f1 " .. avg)
  end
  T.near(lab.metrics.roc_auc(b.y_true, b.score), b.roc_auc, 1e-12, "roc_auc")
  T.near(lab.metrics.log_loss(b.y_true, b.score), b.log_loss, 1e-12, "log_loss")
  local cm = lab.metrics.confusion(b.y_true, b.y_pred)
  T.eq(cm:names()[1], "true")
  T.eq(cm["0"][1], b.confusion[1][1])
  T.eq(cm["1"][1], b.confusion[1][2])
  T.eq(cm["0"][2], b.confusion[2][1])
  T.eq(cm["1"][2], b.confusion[2][2])
end)

T.test("multi-class metrics on string labels agree with scikit-learn", function()
  local m = M.multi
  local yt, yp = lab.frame{y = m.y_true}.y, lab.frame{y = m.y_pred}.y
  T.near(lab.metrics.accuracy(yt, yp), m.accuracy, 1e-12)
  for _, avg in ipairs{"macro", "micro", "weighted"} do
    T.near(lab.metrics.precision(yt, yp, {average = avg}), m["precision_" .. avg], 1e-12, "precision " .. avg)
    T.near(lab.metrics.recall(yt, yp, {average = avg}), m["recall_" .. avg], 1e-12, "recall " .. avg)
    T.near(lab.metrics.f1(yt, yp, {average = avg}), m["f1_" .. avg], 1e-12, "f1 " .. avg)
  end
  local cols = {}
  for k, name in ipairs(m.labels) do
    cols[name] = {}
    for i = 1, #m.proba do cols[name][i] = m.proba[i][k] end
  end
  T.near(lab.metrics.log_loss(yt, lab.frame(cols)), m.log_loss, 1e-12, "log_loss")
  local cm = lab.metrics.confusion(yt, yp)
  for a = 1, #m.labels do
    T.eq(cm["true"][a], m.labels[a])
    for b = 1, #m.labels do T.eq(cm[m.labels[b]][a], m.confusion[a][b], "confusion " .. a .. "," .. b) end
  end
  T.ok(tostring(cm):find("bird", 1, true), "the confusion frame prints")
end)

T.test("regression metrics agree with scikit-learn", function()
  local r = M.regression
  T.near(lab.metrics.rmse(r.y_true, r.y_pred), r.rmse, 1e-12)
  T.near(lab.metrics.mae(r.y_true, r.y_pred), r.mae, 1e-12)
  T.near(lab.metrics.r2(r.y_true, r.y_pred), r.r2, 1e-12)
  T.eq(lab.metrics.r2({1, 1}, {1, 1}), 1)
end)

T.test("metric errors name the argument", function()
  T.err(function() lab.metrics.accuracy({1, 2}, {1}) end, "y_true has 2 values but y_pred has 1")
  T.err(function() lab.metrics.accuracy({1, 2}, {"a", "b"}) end, "labels must be of one kind")
  T.err(function() lab.metrics.precision({"a", "b"}, {"a", "a"}) end, "pos_label")
  T.near(lab.metrics.precision({"a", "b", "b"}, {"a", "b", "a"}, {pos_label = "b"}), 1, 1e-15)
  T.err(function() lab.metrics.f1({1, 2, 3}, {1, 2, 3}) end, "average='binary' needs two")
  T.err(function() lab.metrics.f1({1, 0}, {1, 0}, {average = "mean"}) end, "average must be binary, macro, micro or weighted")
  T.err(function() lab.metrics.roc_auc({1, 1}, {0.2, 0.3}) end, "only one class")
  T.err(function() lab.metrics.rmse({1, lab.NA}, {1, 2}) end, "y_true has a missing value at position 2")
  T.err(function() lab.metrics.accuracy(5, {1}) end, "expected a Column or a list")
  local m = M.multi
  local isdog_t, isdog_p = {}, {}
  for i = 1, #m.y_true do isdog_t[i], isdog_p[i] = m.y_true[i] == "dog", m.y_pred[i] == "dog" end
  T.near(lab.metrics.precision(isdog_t, isdog_p), m.precision_dog, 1e-12, "booleans: true is positive")
  T.err(function() lab.metrics.precision(m.y_true, m.y_pred, {pos_label = "dog"}) end, "3 labels")
end)

-- ---- documentation --------------------------------------------------------------

T.test("every model method is documented", function()
  local methods = debug.getregistry()["lab.Model"].__index
  local n = 0
  for name in pairs(methods) do
    local text = lab.doc("m:" .. name)
    T.ok(not text:find("^no help for"), "m:" .. name .. " has no documentation")
    n = n + 1
  end
  T.ok(n >= 10, "methods found: " .. n)
end)

os.execute("rm -rf '" .. tmp .. "'")
T.done()
