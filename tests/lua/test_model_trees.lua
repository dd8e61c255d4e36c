-- test_model_trees.lua — lab.model.tree / forest / gbm (and their _regressor
-- kinds): 5-fold accuracy on wine and digits against scikit-learn on the very
-- same folds (tests/fixtures/sklearn_trees.lua, written by
-- tests/fixtures/make_sklearn_fixtures.py), importances, the out-of-bag score,
-- the fit callback, save and load, determinism, and bad hyper-parameters.
local T = require "harness"
local lab = require "lab"
local ref = dofile(T.path("tests/fixtures/sklearn_trees.lua"))

local wine = lab.read_csv(T.path("data/wine.csv"))
local digits = lab.read_csv(T.path("data/digits.csv"))
local diabetes = lab.read_csv(T.path("data/diabetes.csv"))
local tmp = T.tmpdir()

-- mean accuracy of make() over the fixture's folds
local function cv_accuracy(df, target, fold, make)
  local accs = {}
  for k = 1, 5 do
    local tr, te = {}, {}
    for i = 1, #fold do
      if fold[i] == k then te[#te + 1] = i else tr[#tr + 1] = i end
    end
    local train, test = df:take(tr), df:take(te)
    local m = make():fit(train, {target = target})
    accs[k] = lab.metrics.accuracy(test[target], m:predict(test))
  end
  local s = 0
  for _, a in ipairs(accs) do s = s + a end
  return s / 5
end

local cases = {
  {"wine", wine, "cultivar"},
  {"digits", digits, "digit"},
}
local makers = {
  tree = function() return lab.model.tree{seed = 0} end,
  forest = function() return lab.model.forest{trees = 100, seed = 0} end,
}

for _, c in ipairs(cases) do
  local name, df, target = c[1], c[2], c[3]
  local r = ref[name]
  for _, kind in ipairs{"tree", "forest", "gbm"} do
    T.test(kind .. " 5-fold accuracy on " .. name .. " within 2 points of scikit-learn's", function()
      local make = makers[kind] or function() return lab.model.gbm{max_iter = r.gbm_max_iter} end
      local got, want = cv_accuracy(df, target, r.fold, make), r.mean[kind]
      if os.getenv("TREES_VERBOSE") then print(kind, name, got, want) end
      T.ok(math.abs(got - want) <= 0.02 or got > want,
           string.format("lab %.4f, scikit-learn %.4f", got, want))
    end)
  end
end

T.test("tree: fits its training rows; importances are a frame summing to 1", function()
  local m = lab.model.tree():fit(wine, {target = "cultivar"})
  T.eq(lab.metrics.accuracy(wine.cultivar, m:predict(wine)), 1)
  local imp = m:feature_importances()
  T.eq(imp:names()[1], "feature")
  T.eq(imp:names()[2], "importance")
  T.eq(#imp.importance, 13)
  T.near(imp.importance:sum(), 1, 1e-12)
  local P = m:predict_proba(wine)
  T.eq(P:names()[1], "class_0")
  T.near(P.class_0[1] + P.class_1[1] + P.class_2[1], 1, 1e-12)
end)

T.test("tree: max_depth, min_samples_leaf and entropy shape the tree", function()
  local m = lab.model.tree{max_depth = 2}:fit(wine, {target = "cultivar"})
  T.ok(m:figures().leaves <= 4, "leaves " .. m:figures().leaves)
  local m2 = lab.model.tree{min_samples_leaf = 30}:fit(wine, {target = "cultivar"})
  T.ok(m2:figures().leaves <= 178 // 30, "leaves " .. m2:figures().leaves)
  local m3 = lab.model.tree{criterion = "entropy"}:fit(wine, {target = "cultivar"})
  T.eq(lab.metrics.accuracy(wine.cultivar, m3:predict(wine)), 1)
  T.ok(tostring(m3):find("criterion=\"entropy\"", 1, true), tostring(m3))
end)

T.test("regressors: tree, forest and gbm on diabetes", function()
  local t = lab.model.tree_regressor():fit(diabetes, {target = "progression"})
  T.near(lab.metrics.r2(diabetes.progression, t:predict(diabetes)), 1, 1e-12)
  local f = lab.model.forest_regressor{trees = 50, seed = 1}:fit(diabetes, {target = "progression"})
  local oob = f:oob_score()
  T.ok(oob > 0.3 and oob < 0.6, "forest oob R2 " .. oob)
  local g = lab.model.gbm_regressor():fit(diabetes, {target = "progression"})
  T.ok(lab.metrics.r2(diabetes.progression, g:predict(diabetes)) > 0.8, "gbm training R2")
end)

T.test("forest: out-of-bag score, same forest for the same seed", function()
  local a = lab.model.forest{trees = 30, seed = 3}:fit(wine, {target = "cultivar"})
  local b = lab.model.forest{trees = 30, seed = 3}:fit(wine, {target = "cultivar"})
  local c = lab.model.forest{trees = 30, seed = 4}:fit(wine, {target = "cultivar"})
  T.ok(a:oob_score() > 0.9, "oob " .. a:oob_score())
  T.eq(a:hash(), b:hash())
  T.ok(a:hash() ~= c:hash(), "another seed gives another forest")
  T.err(function() lab.model.forest{bootstrap = false}:fit(wine, {target = "cultivar"}):oob_score() end,
        "no out-of-bag score")
  T.err(function() lab.model.tree():oob_score() end, "not fitted")
end)

T.test("gbm: per-round loss through the callback, decreasing; early stopping", function()
  local losses = {}
  local m = lab.model.gbm{max_iter = 20}:fit(wine, {target = "cultivar", report = function(what, key, v, step)
    if what == "figure" and key == "loss" and step then losses[step] = v end
  end})
  T.eq(#losses, 20)
  T.ok(losses[20] < losses[1], "loss fell")
  T.eq(m:figures().n_iter, 20)
  local s = lab.model.gbm{early_stopping = "on", n_iter_no_change = 3, max_iter = 500, learning_rate = 0.5}
  s:fit(wine, {target = "cultivar"})
  T.ok(s:figures().n_iter < 500, "stopped after " .. s:figures().n_iter)
  T.ok(s:figures().val_loss >= 0, "val_loss")
end)

T.test("save then load predicts identically (tree, forest, gbm, regressors)", function()
  local ms = {
    lab.model.tree():fit(wine, {target = "cultivar"}),
    lab.model.forest{trees = 10}:fit(wine, {target = "cultivar"}),
    lab.model.gbm{max_iter = 10}:fit(wine, {target = "cultivar"}),
    lab.model.gbm_regressor{max_iter = 10}:fit(diabetes, {target = "progression"}),
  }
  for i, m in ipairs(ms) do
    local path = tmp .. "/tree" .. i .. ".model"
    m:save(path)
    local back = lab.load(path)
    local df = i == 4 and diabetes or wine
    local p, q = m:predict(df), back:predict(df)
    for r = 1, #p do T.eq(q[r], p[r], "row " .. r) end
    T.eq(back:hash(), m:hash())
    T.eq(back:feature_importances().importance[1], m:feature_importances().importance[1])
  end
end)

T.test("bad input: hyper-parameters and features are named", function()
  T.err(function() lab.model.tree{criterion = "gain"} end, "criterion")
  T.err(function() lab.model.forest{trees = 0} end, "trees")
  T.err(function() lab.model.gbm{learning_rate = -1} end, "learning_rate")
  T.err(function() lab.model.gbm{max_leaf_nodes = 1}:fit(wine, {target = "cultivar"}) end, "max_leaf_nodes")
  T.err(function() lab.model.tree{depth = 3} end, "unknown hyper-parameter 'depth'")
  T.err(function() lab.model.tree_regressor():fit(wine, {target = "cultivar"}) end, "cultivar")
  local m = lab.model.tree():fit(wine, {target = "cultivar"})
  T.err(function() m:predict(diabetes) end, "alcohol")
end)

T.done()
