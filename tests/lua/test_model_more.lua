-- test_model_more.lua — lab.model.kmeans, pca, knn, knn_regressor and
-- naive_bayes: agreement with scikit-learn (tests/fixtures/sklearn_model_more.lua,
-- written by model_more() in tests/fixtures/make_sklearn_fixtures.py), save
-- and load, and bad input. The 5-fold accuracies use the fixture's fold of
-- every row, so both sides score the very same splits.
local T = require "harness"
local lab = require "lab"
local ref = dofile(T.path("tests/fixtures/sklearn_model_more.lua"))

local iris = lab.read_csv(T.path("data/iris.csv"))
local wine = lab.read_csv(T.path("data/wine.csv"))
local digits = lab.read_csv(T.path("data/digits.csv"))
local diabetes = lab.read_csv(T.path("data/diabetes.csv"))
local tmp = T.tmpdir()
local IRIS = {"sepal_length", "sepal_width", "petal_length", "petal_width"}

local function range(a, b)
  local t = {}
  for i = a, b do t[#t + 1] = i end
  return t
end

local function same_column(a, b, what)
  T.eq(#a, #b, what .. ": length")
  for i = 1, #a do
    if a[i] ~= b[i] then T.eq(b[i], a[i], what .. ": row " .. i) end
  end
end

local function save_load(m, name)
  local path = tmp .. "/" .. name .. ".model"
  m:save(path)
  return lab.load(path)
end

-- ---- kmeans ------------------------------------------------------------------------------

T.test("kmeans on iris reaches scikit-learn's best inertia within 0.01%", function()
  local m = lab.model.kmeans{k = 3, n_init = 10, seed = 1}:fit(iris, {features = IRIS})
  local want = ref.kmeans_iris.inertia
  T.ok(m:inertia() <= want * (1 + 1e-4), string.format("inertia %.10g against scikit-learn's %.10g", m:inertia(), want))
  T.near(m:figures().inertia, m:inertia(), 0, "the figure is the inertia")
  local c = m:centers()
  T.eq(c:nrow(), 3, "one row per centre")
  T.eq(c:names()[1], "sepal_length")
end)

T.test("kmeans predicts cluster numbers from 1, each row its nearest centre", function()
  local m = lab.model.kmeans{k = 3}:fit(iris, {features = IRIS})
  local p = m:predict(iris)
  T.eq(p:type(), "integer")
  local seen = {}
  for i = 1, #p do
    T.ok(p[i] >= 1 and p[i] <= 3, "cluster number in 1..3, got " .. tostring(p[i]))
    seen[p[i]] = true
  end
  T.ok(seen[1] and seen[2] and seen[3], "every cluster used")
  -- the inertia is the sum of squared distances to the predicted centres
  local c, s = m:centers(), 0
  for i = 1, iris:nrow() do
    for _, f in ipairs(IRIS) do s = s + (iris[f][i] - c[f][p[i]]) ^ 2 end
  end
  T.near(s, m:inertia(), 1e-10, "inertia from the predictions")
end)

T.test("kmeans is fixed by its seed", function()
  local a = lab.model.kmeans{k = 4, n_init = 2, seed = 7}:fit(iris, {features = IRIS})
  local b = lab.model.kmeans{k = 4, n_init = 2, seed = 7}:fit(iris, {features = IRIS})
  T.eq(a:hash(), b:hash(), "same seed, same model")
  same_column(a:predict(iris), b:predict(iris), "same clusters")
end)

T.test("kmeans saves and loads, and predicts identically", function()
  local m = lab.model.kmeans{k = 3}:fit(iris, {features = IRIS})
  local back = save_load(m, "kmeans")
  T.eq(back:kind(), "kmeans")
  T.eq(back:inertia(), m:inertia())
  T.eq(back:hash(), m:hash())
  same_column(m:predict(iris), back:predict(iris), "loaded kmeans")
  T.ok(tostring(back):find("centre 1", 1, true), "printing shows the centres")
end)

T.test("kmeans bad input names the option or the column", function()
  T.err(function() lab.model.kmeans{k = 0} end, "'k'")
  T.err(function() lab.model.kmeans{n_init = 1.5} end, "'n_init'")
  T.err(function() lab.model.kmeans{k = 200}:fit(iris, {features = IRIS}) end, "k=200 is more than the 150 rows")
  T.err(function() lab.model.kmeans():fit(iris, {target = "species"}) end, "drop target='species'")
  T.err(function() lab.model.kmeans():fit(iris) end, "'species' is a string column")
  local m = lab.model.kmeans():fit(iris, {features = IRIS})
  T.err(function() m:predict(iris:drop{"petal_width"}) end, "no column 'petal_width'")
  T.err(function() m:predict_proba(iris) end, "not a classifier")
  T.err(function() lab.model.kmeans():inertia() end, "not fitted")
end)

-- ---- pca ---------------------------------------------------------------------------------

T.test("pca explained variance ratios on iris agree with scikit-learn to 1e-8", function()
  local m = lab.model.pca{n = 4}:fit(iris, {features = IRIS})
  local r = m:explained_variance_ratio()
  T.eq(#r, 4)
  for c = 1, 4 do T.near(r[c], ref.pca_iris.ratio[c], 1e-8, "ratio " .. c) end
end)

T.test("pca transform and components agree with scikit-learn up to the sign of each", function()
  local m = lab.model.pca{n = 2}:fit(iris, {features = IRIS})
  local t = m:transform(iris)
  T.eq(t:ncol(), 2)
  T.eq(t:names()[1], "PC1")
  T.eq(t:names()[2], "PC2")
  local comp = m:components()
  for c = 1, 2 do
    local name = "PC" .. c
    local want = ref.pca_iris.components[c]
    local sign = (comp[name][1] * want[1] >= 0) and 1 or -1
    for j = 1, 4 do T.near(sign * comp[name][j], want[j], 1e-8, name .. " component " .. j) end
    for i = 1, iris:nrow() do T.near(sign * t[name][i], ref.pca_iris.transform[i][c], 1e-8, name .. " row " .. i) end
  end
  T.near(m:figures().explained, ref.pca_iris.ratio[1] + ref.pca_iris.ratio[2], 1e-8, "explained")
end)

T.test("pca saves and loads, and transforms identically", function()
  local m = lab.model.pca{n = 3}:fit(iris, {features = IRIS})
  local back = save_load(m, "pca")
  local a, b = m:transform(iris), back:transform(iris)
  for c = 1, 3 do same_column(a["PC" .. c], b["PC" .. c], "PC" .. c) end
  T.eq(#back:explained_variance_ratio(), 3)
end)

T.test("pca bad input names the option or the column", function()
  T.err(function() lab.model.pca{n = 5}:fit(iris, {features = IRIS}) end, "hyper-parameter 'n' is 5")
  T.err(function() lab.model.pca{n = 0} end, "'n'")
  local m = lab.model.pca():fit(iris, {features = IRIS})
  T.err(function() m:predict(iris) end, "use transform")
  T.err(function() m:transform(iris:drop{"sepal_width"}) end, "no column 'sepal_width'")
  T.err(function() m:inertia() end, "no centers")
end)

-- ---- knn and naive Bayes: 5-fold accuracy against scikit-learn ------------------------------

local function cv_accuracy(df, target, fold, make)
  local accs, sum = {}, 0
  for f = 1, 5 do
    local tr, te = {}, {}
    for i = 1, df:nrow() do
      if fold[i] == f then te[#te + 1] = i else tr[#tr + 1] = i end
    end
    local train, test = df:take(tr), df:take(te)
    local m = make():fit(train, {target = target})
    accs[f] = lab.metrics.accuracy(test[target], m:predict(test))
    sum = sum + accs[f]
  end
  return sum / 5, accs
end

local cases = {
  {"knn", function() return lab.model.knn{k = 5} end},
  {"knn_distance", function() return lab.model.knn{k = 5, weights = "distance"} end},
  {"naive_bayes", function() return lab.model.naive_bayes() end},
}
for _, data in ipairs{{"wine", wine, "cultivar"}, {"digits", digits, "digit"}} do
  for _, case in ipairs(cases) do
    T.test(case[1] .. " 5-fold accuracy on " .. data[1] .. " within 2 points of scikit-learn", function()
      local r = ref["cv_" .. data[1]]
      local mean = cv_accuracy(data[2], data[3], r.fold, case[2])
      local want = r[case[1]].mean
      T.ok(math.abs(mean - want) <= 0.02, string.format("accuracy %.4f against scikit-learn's %.4f", mean, want))
    end)
  end
end

-- ---- knn ------------------------------------------------------------------------------------

T.test("knn predict_proba on wine equals scikit-learn's", function()
  local odd, even = {}, {}
  for i = 1, wine:nrow(), 2 do odd[#odd + 1], even[#even + 1] = i, i + 1 end
  local m = lab.model.knn{k = 5}:fit(wine:take(odd), {target = "cultivar"})
  local p = m:predict_proba(wine:take(even))
  T.eq(p:names()[1], "class_0")
  for i, want in ipairs(ref.knn_wine_proba) do
    for c = 1, 3 do T.near(p["class_" .. (c - 1)][i], want[c], 1e-12, "row " .. i .. " class " .. c) end
  end
end)

T.test("knn_regressor on diabetes predicts as scikit-learn's KNeighborsRegressor", function()
  for _, w in ipairs{"uniform", "distance"} do
    local m = lab.model.knn_regressor{k = 5, weights = w}:fit(diabetes:slice(1, 342), {target = "progression"})
    local p = m:predict(diabetes:slice(343, 442))
    T.eq(p:type(), "number")
    for i, want in ipairs(ref.knn_regressor_diabetes[w]) do T.near(p[i], want, 1e-9, w .. " row " .. i) end
  end
end)

T.test("knn on the training rows: distance weights give back every label", function()
  -- wine has no duplicated rows: each row's own label, at distance 0, is the only one that counts
  local m = lab.model.knn{k = 5, weights = "distance"}:fit(wine, {target = "cultivar"})
  T.eq(lab.metrics.accuracy(wine.cultivar, m:predict(wine)), 1)
end)

T.test("knn and knn_regressor save and load, and predict identically", function()
  local c = lab.model.knn{k = 3}:fit(iris, {target = "species"})
  local back = save_load(c, "knn")
  same_column(c:predict(iris), back:predict(iris), "loaded knn")
  local p1, p2 = c:predict_proba(iris), back:predict_proba(iris)
  same_column(p1.virginica, p2.virginica, "loaded knn proba")
  local r = lab.model.knn_regressor{weights = "distance"}:fit(diabetes, {target = "progression"})
  same_column(r:predict(diabetes), save_load(r, "knnr"):predict(diabetes), "loaded knn_regressor")
end)

T.test("knn bad input names the option or the column", function()
  T.err(function() lab.model.knn{weights = "inverse"} end, "'weights' must be one of uniform|distance")
  T.err(function() lab.model.knn{k = 0} end, "'k'")
  T.err(function() lab.model.knn{k = 200}:fit(iris, {target = "species"}) end, "k=200 is more than the 150 training rows")
  T.err(function() lab.model.knn():fit(iris, {target = "nope"}) end, "nope")
  T.err(function() lab.model.knn_regressor():fit(iris, {target = "species"}) end, "target column 'species' is a string column")
  local m = lab.model.knn():fit(iris, {target = "species"})
  T.err(function() m:predict(iris:drop{"sepal_length"}) end, "no column 'sepal_length'")
end)

-- ---- naive Bayes ----------------------------------------------------------------------------

T.test("naive_bayes predict_proba on iris equals scikit-learn's GaussianNB", function()
  local m = lab.model.naive_bayes():fit(iris, {target = "species"})
  local p = m:predict_proba(iris:take(ref.nb_iris.rows))
  local names = {"setosa", "versicolor", "virginica"}
  for i, want in ipairs(ref.nb_iris.proba) do
    for c = 1, 3 do
      local got = p[names[c]][i]
      T.ok(math.abs(got - want[c]) <= 1e-9 * math.max(want[c], 1e-12) + 1e-15,
        string.format("row %d class %s: expected %.17g, got %.17g", i, names[c], want[c], got))
    end
  end
end)

T.test("naive_bayes saves and loads, and predicts identically", function()
  local m = lab.model.naive_bayes{var_smoothing = 1e-6}:fit(digits, {target = "digit"})
  local back = save_load(m, "nb")
  same_column(m:predict(digits), back:predict(digits), "loaded naive_bayes")
  T.eq(back:params().var_smoothing, 1e-6)
  T.ok(tostring(back):find("priors:", 1, true), "printing shows the priors")
end)

T.test("naive_bayes bad input names the option or the column", function()
  T.err(function() lab.model.naive_bayes{var_smoothing = -1} end, "'var_smoothing'")
  T.err(function() lab.model.naive_bayes{alpha = 1} end, "unknown hyper-parameter 'alpha'")
  T.err(function() lab.model.naive_bayes():fit(iris) end, "needs a target")
  local bad = iris:take{1, 2, 3, 51, 52}
  bad.sepal_length = lab.column{5.1, lab.NA, 4.7, 7.0, 6.4}
  T.err(function() lab.model.naive_bayes():fit(bad, {target = "species"}) end,
    "'sepal_length' has a missing value at row 2")
end)

os.execute("rm -rf '" .. tmp .. "'")
T.done()
