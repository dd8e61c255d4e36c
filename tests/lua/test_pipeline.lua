-- test_pipeline.lua — lab.transform.*, lab.pipeline, lab.kfold,
-- lab.cross_validate and lab.metrics.report: agreement with scikit-learn
-- (tests/fixtures/sklearn_transform.lua, written by
-- tests/fixtures/make_sklearn_fixtures.py), pipeline files, and bad input.
local T = require "harness"
local lab = require "lab"
local ref = dofile(T.path("tests/fixtures/sklearn_transform.lua"))

local wine = lab.read_csv(T.path("data/wine.csv"))
local features = {}
for _, n in ipairs(wine:names()) do if n ~= "cultivar" then features[#features + 1] = n end end
local tmp = T.tmpdir()

local function same(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

-- a frame from a list of rows (nan -> NA) and column names
local function frame_of(rows, names)
  local cols = {}
  for j, name in ipairs(names) do
    local c = {}
    for i, r in ipairs(rows) do
      local v = r[j]
      if v ~= v or v == "NA" then v = lab.NA end
      c[i] = v
    end
    cols[name] = c
  end
  local f = lab.frame(cols)
  return f:select(names)
end

T.test("standardize agrees with StandardScaler (population std)", function()
  local s = lab.transform.standardize()
  local out = s:fit_transform(wine)
  T.eq(out:names()[14], "cultivar", "the string target passes through")
  local r = ref.standardize_wine
  for k, row in ipairs(r.rows) do
    for j, name in ipairs(features) do
      T.near(out[name][row], r.out[k][j], 1e-12, name .. " row " .. row)
    end
  end
  T.ok(tostring(s):find("standardize", 1, true), "tostring names the kind")
end)

T.test("minmax agrees with MinMaxScaler(feature_range=(-1, 2))", function()
  local out = lab.transform.minmax{min = -1, max = 2}:fit_transform(wine)
  local r = ref.minmax_wine
  for k, row in ipairs(r.rows) do
    for j, name in ipairs(features) do
      T.near(out[name][row], r.out[k][j], 1e-12, name .. " row " .. row)
    end
  end
end)

T.test("onehot agrees with OneHotEncoder(handle_unknown='ignore')", function()
  local r = ref.onehot
  local t = lab.transform.onehot{"color", "size"}
  t:fit(frame_of(r.train, {"color", "size"}))
  local out = t:transform(frame_of(r.test, {"color", "size"}))
  T.eq(out:ncol(), #r.names)
  for j, name in ipairs(r.names) do
    local ours = name:gsub("_", "=", 1)
    T.eq(out:names()[j], ours, "column names say the level")
    for i = 1, #r.test do T.eq(out[ours][i], r.out[i][j], ours .. " row " .. i) end
  end
end)

T.test("onehot: a generated name that is already taken is an error naming both columns", function()
  -- "color=red" exists already: encoding color would silently replace it
  local df = lab.frame({color = {"red", "blue", "red"}, ["color=red"] = {7, 8, 9}, y = {1, 2, 3}},
                       {order = {"color", "color=red", "y"}})
  T.err(function() lab.transform.onehot{"color"}:fit(df) end,
        "onehot: column 'color' (level 'red') would make a column 'color=red', but the frame already has a column of that name")
  -- the same through a pipeline's fit, and for the target's name
  local p = lab.pipeline{lab.transform.onehot{"color"}, lab.model.linear()}
  T.err(function() p:fit(df, {target = "y"}) end, "step 1 (onehot): onehot: column 'color' (level 'red')")
  local t = lab.frame{a = {"x", "y", "x"}, ["a=y"] = {1, 2, 3}}
  T.err(function() lab.pipeline{lab.transform.onehot{"a"}, lab.model.linear()}:fit(t, {target = "a=y"}) end,
        "would make a column 'a=y'")
  -- two encoded columns making the same name
  local two = lab.frame({a = {"b=c", "d"}, ["a=b"] = {"c", "e"}}, {order = {"a", "a=b"}})
  T.err(function() lab.transform.onehot():fit(two) end, "onehot: columns 'a' and 'a=b' would both make a column 'a=b=c'")
  -- fitted on a frame without the clash, then applied to one with it: an error, not a replaced column
  local ok = lab.transform.onehot{"color"}:fit(df:drop("color=red"))
  T.eq(ok:transform(df:drop("color=red")):names()[2], "color=red")
  T.err(function() ok:transform(df) end, "would make a column 'color=red'")
  -- a column whose name only looks alike passes through untouched
  local near = lab.frame({color = {"red", "blue"}, ["color=green"] = {5, 6}}, {order = {"color", "color=green"}})
  local out = lab.transform.onehot{"color"}:fit_transform(near)
  T.eq(table.concat(out:names(), ","), "color=blue,color=red,color=green")
  T.eq(out["color=green"][2], 6)
end)

T.test("impute agrees with SimpleImputer", function()
  local r = ref.impute
  local df = frame_of(r.data, {"a", "b"})
  for _, strategy in ipairs{"mean", "median", "most_frequent", "constant"} do
    local t = lab.transform.impute{strategy = strategy, value = strategy == "constant" and -1 or nil}
    local out = t:fit_transform(df)
    for i = 1, #r.data do
      T.near(out.a[i], r[strategy][i][1], 1e-12, strategy .. " a " .. i)
      T.near(out.b[i], r[strategy][i][2], 1e-12, strategy .. " b " .. i)
    end
  end
  local s = frame_of({}, {})
  s = lab.frame{s = (function() local c = {} for i, v in ipairs(ref.impute_strings) do c[i] = v == "NA" and lab.NA or v end return c end)()}
  local mf = lab.transform.impute{strategy = "most_frequent"}:fit_transform(s)
  local ct = lab.transform.impute{strategy = "constant", value = "?"}:fit_transform(s)
  for i = 1, s:nrow() do
    T.eq(mf.s[i], r.strings_most_frequent[i], "most_frequent string " .. i)
    T.eq(ct.s[i], r.strings_constant[i], "constant string " .. i)
  end
end)

T.test("label_encode: sorted categories to 0..K-1, unseen values an error", function()
  local t = lab.transform.label_encode()
  local out = t:fit_transform(lab.frame{c = {"b", "a", "c", "a"}, x = {1, 2, 3, 4}})
  T.eq(out.c[1], 1); T.eq(out.c[2], 0); T.eq(out.c[3], 2)
  T.eq(out.x[1], 1, "numbers pass through")
  T.err(function() t:transform(lab.frame{c = {"d"}}) end, "column 'c' has the value 'd'")
end)

T.test("transforms: bad input names the column or option", function()
  T.err(function() lab.transform.standardize{"nope"}:fit(wine) end, "no column 'nope'")
  T.err(function() lab.transform.standardize{"cultivar"}:fit(wine) end, "column 'cultivar' is a string column")
  T.err(function() lab.transform.impute{strategy = "mode"} end, "strategy")
  T.err(function() lab.transform.impute{strategy = "mean", value = 3} end, "value")
  T.err(function() lab.transform.minmax{scale = 2} end, "scale")
  T.err(function() lab.transform.minmax{min = 1, max = 0}:fit(wine) end, "min must be below max")
  local s = lab.transform.standardize():fit(wine)
  T.err(function() s:transform(wine:drop("alcohol")) end, "no column 'alcohol'")
  T.err(function() lab.transform.onehot():transform(wine) end, "not fitted")
  T.err(function() lab.transform.impute():fit(lab.frame{a = {lab.NA, lab.NA}}) end, "column 'a' has no values")
end)

-- a frame with strings and NA that a linear model cannot take raw
local messy = lab.frame{
  size = {1.5, 2.0, lab.NA, 3.5, 4.0, 5.5, 6.0, lab.NA, 8.0, 9.5},
  color = {"red", "blue", "red", lab.NA, "green", "blue", "red", "green", "blue", "red"},
  y = {3.1, 4.2, 4.9, 8.0, 9.1, 12.2, 12.8, 14.9, 17.1, 20.2},
}

T.test("pipeline: onehot + impute make a string/NA frame fittable", function()
  T.err(function() lab.model.linear():fit(messy, {target = "y"}) end, "column 'color' is a string column")
  local p = lab.pipeline{lab.transform.impute{strategy = "median"},
                         lab.transform.impute{strategy = "constant", value = "none", cols = {"color"}},
                         lab.transform.onehot(), lab.model.linear()}
  p:fit(messy, {target = "y"})
  local pred = p:predict(messy)
  T.eq(#pred, 10)
  local r2 = lab.metrics.r2(messy.y, pred)
  T.ok(r2 > 0.5, "fits, r2 " .. r2)
  T.eq(p:features()[1], "color=blue", "one-hot features")
  -- unknown categories at predict time: all zeros, no crash
  local new = lab.frame{size = {2.0, 3.0}, color = {"purple", lab.NA}}
  local q = p:predict(new)
  T.eq(#q, 2)
  T.ok(tostring(p):find("pipeline: impute", 1, true), "tostring shows the steps")
end)

T.test("pipeline: the report callback gets every step's hyper-parameters, then the model's", function()
  local p = lab.pipeline{lab.transform.impute{strategy = "median"},
                         lab.transform.impute{strategy = "constant", value = "none", cols = {"color"}},
                         lab.transform.onehot(), lab.model.linear{ridge = 0.5}}
  local params, order = {}, {}
  p:fit(messy, {target = "y", report = function(what, key, value)
    if what == "param" then
      T.eq(params[key], nil, "reported once: " .. key)
      params[key] = value
      order[#order + 1] = key
    end
  end})
  -- two impute steps are numbered, the single onehot is not, the model's keep their names
  T.eq(params["impute-1.strategy"], "median")
  T.eq(params["impute-2.strategy"], "constant")
  T.eq(params["impute-2.fill_string"], "none")
  T.eq(params["impute-2.cols"], "color")
  T.eq(params["onehot.cols"], "")
  T.eq(params.ridge, 0.5)
  T.eq(params.intercept, true)
  T.eq(params["impute.strategy"], nil, "no unnumbered key when the kind repeats")
  T.eq(order[1], "impute-1.cols", "steps first, in order")
  T.eq(order[#order], "intercept", "the model's last")
  -- a single step of a kind keeps the plain kind name
  local seen = {}
  lab.pipeline{lab.transform.standardize{"alcohol"}, lab.model.logistic{C = 2}}:fit(wine, {target = "cultivar",
    report = function(what, key, value) if what == "param" then seen[key] = value end end})
  T.eq(seen["standardize.cols"], "alcohol")
  T.eq(seen.C, 2)
  -- an error in the callback at a step's parameter stops the fit before anything is fitted
  local q = lab.pipeline{lab.transform.standardize(), lab.model.logistic()}
  T.err(function()
    q:fit(wine, {target = "cultivar", report = function(what, key) if key == "standardize.cols" then error("no thanks") end end})
  end, "no thanks")
  T.eq(q:fitted(), false)
end)

T.test("pipeline: save and load predict identically, files stay plain", function()
  local p = lab.pipeline{lab.transform.standardize(), lab.model.logistic()}
  p:fit(wine, {target = "cultivar"})
  local path = tmp .. "/wine.model"
  p:save(path)
  local q = lab.load(path)
  T.eq(q:hash(), p:hash())
  T.ok(same(q:predict(wine), p:predict(wine)), "same labels")
  local a, b = p:predict_proba(wine), q:predict_proba(wine)
  T.ok(a:equals(b), "same probabilities")
  -- a plain model still saves and loads as before
  local m = lab.model.linear():fit(messy:dropna(), {target = "y", features = {"size"}})
  m:save(tmp .. "/plain.model")
  T.eq(lab.load(tmp .. "/plain.model"):hash(), m:hash())
  -- an altered step is caught: an unknown step kind, a changed column name
  local db = assert(io.open(path, "rb")):read("a")
  T.ok(db:find("standardize", 1, true), "the step kind is in the file")
  local function write(name, bytes)
    local fh = assert(io.open(tmp .. "/" .. name, "wb"))
    fh:write(bytes)
    fh:close()
    return tmp .. "/" .. name
  end
  T.err(function() lab.load(write("kind.model", (db:gsub("standardize", "xtandardize")))) end, "pipeline step 1")
  T.err(function() lab.load(write("name.model", (db:gsub("alcohol", "alcoxol")))) end, "altered")
  T.err(function() lab.load(write("cut.model", db:sub(1, #db // 2))) end, "truncated")
end)

T.test("pipeline: bad input", function()
  T.err(function() lab.pipeline{} end, "lists its transforms")
  T.err(function() lab.pipeline{lab.transform.standardize()} end, "last item must be a model")
  T.err(function() lab.pipeline{lab.model.linear(), lab.model.linear()} end, "item 1 must be a transform")
  local p = lab.pipeline{lab.transform.standardize(), lab.model.logistic()}
  T.err(function() p:predict(wine) end, "not fitted")
  p:fit(wine, {target = "cultivar"})
  T.err(function() p:predict(wine:drop("proline")) end, "no column 'proline'")
end)

T.test("kfold: sizes, stratification, seeds", function()
  local f = lab.kfold(10, {k = 3, seed = 7})
  local counts = {0, 0, 0}
  for i = 1, 10 do counts[f[i]] = counts[f[i]] + 1 end
  T.eq(counts[1], 4); T.eq(counts[2], 3); T.eq(counts[3], 3)
  T.ok(same(f, lab.kfold(10, {k = 3, seed = 7})), "same seed, same folds")
  local plain = lab.kfold(6, {k = 3, shuffle = false})
  T.eq(plain[1], 1); T.eq(plain[3], 2); T.eq(plain[6], 3)
  local s = lab.kfold(wine:nrow(), {k = 5, seed = 1, stratify = wine.cultivar})
  for k = 1, 5 do
    local n0 = 0
    for i = 1, wine:nrow() do if s[i] == k and wine.cultivar[i] == "class_0" then n0 = n0 + 1 end end
    T.ok(n0 == 11 or n0 == 12, "class_0 spread evenly, fold " .. k .. " has " .. n0)
  end
  T.err(function() lab.kfold(3, {k = 5}) end, "need at least 5 rows")
  T.err(function() lab.kfold(10, {k = 1}) end, "at least 2")
  T.err(function() lab.kfold(10, {folds = 3}) end, "folds")
end)

T.test("cross_validate: a wine pipeline within 2 points of scikit-learn", function()
  local p = lab.pipeline{lab.transform.standardize(), lab.model.logistic()}
  local folds, summary = lab.cross_validate(p, wine, {k = 5, target = "cultivar", metrics = {"accuracy", "f1_macro"}, seed = 0})
  T.eq(folds:nrow(), 5)
  T.eq(summary:nrow(), 2)
  T.eq(summary.metric[1], "accuracy")
  T.ok(math.abs(summary.mean[1] - ref.cv_wine_pipeline.mean) <= 0.02,
       string.format("accuracy %.4f vs scikit-learn %.4f", summary.mean[1], ref.cv_wine_pipeline.mean))
  local total = 0
  for i = 1, 5 do total = total + folds.n_test[i] end
  T.eq(total, wine:nrow(), "every row tested once")
  T.ok(not p:fitted(), "the model passed in is not changed")
  -- regressors: default metrics rmse, mae, r2
  local d = lab.read_csv(T.path("data/diabetes.csv"))
  local _, s = lab.cross_validate(lab.model.linear(), d, {target = "progression", seed = 3})
  T.eq(s.metric[3], "r2")
  T.ok(s.mean[3] > 0.4 and s.mean[3] < 0.55, "diabetes r2 about 0.48, got " .. s.mean[3])
end)

T.test("cross_validate: features= picks the columns each fold fits on", function()
  -- a string column no model takes: without features= every fold's fit fails on it
  local noisy = wine:select(wine:names())
  local note = {}
  for i = 1, noisy:nrow() do note[i] = "row " .. i end
  noisy.note = note
  local p = lab.pipeline{lab.transform.standardize(), lab.model.logistic()}
  T.err(function() lab.cross_validate(p, noisy, {target = "cultivar", seed = 0}) end, "'note' is a string column")
  local folds = lab.cross_validate(p, noisy, {target = "cultivar", features = features, seed = 0, metrics = {"accuracy", "log_loss"}})
  -- the same folds and scores as on a frame that holds only those columns
  local plain = lab.cross_validate(p, wine, {target = "cultivar", seed = 0, metrics = {"accuracy", "log_loss"}})
  for i = 1, 5 do
    T.eq(folds.accuracy[i], plain.accuracy[i], "fold " .. i .. " accuracy")
    T.eq(folds.log_loss[i], plain.log_loss[i], "fold " .. i .. " log loss")
  end
  -- one feature: a different (worse) model, and a single name works as well as a list
  local _, one = lab.cross_validate(lab.model.logistic(), wine, {target = "cultivar", features = "proline", seed = 0})
  local _, all = lab.cross_validate(lab.model.logistic(), wine, {target = "cultivar", seed = 0})
  T.ok(one.mean[1] < all.mean[1] - 0.1, string.format("proline alone %.3f, every feature %.3f", one.mean[1], all.mean[1]))
  T.err(function() lab.cross_validate(p, wine, {target = "cultivar", features = {"alcohol", "prolin"}}) end,
        "cross_validate: features: no column 'prolin'")
  T.err(function() lab.cross_validate(p, wine, {target = "cultivar", features = {"alcohol", "cultivar"}}) end,
        "column 'cultivar' is the target")
  T.err(function() lab.cross_validate(p, wine, {target = "cultivar", features = {"alcohol", "alcohol"}}) end,
        "'alcohol' is listed twice")
  T.err(function() lab.cross_validate(p, wine, {target = "cultivar", features = {"alcohol", 3}}) end,
        "field 'features': item 2 must be a column name, got number")
  T.err(function() lab.cross_validate(p, wine, {target = "cultivar", features = {}}) end, "at least one column")
end)

T.test("cross_validate: bad input", function()
  local m = lab.model.logistic()
  T.err(function() lab.cross_validate(m, wine, {}) end, "target")
  T.err(function() lab.cross_validate(m, wine, {target = "nope"}) end, "no column 'nope'")
  T.err(function() lab.cross_validate(m, wine, {target = "cultivar", metrics = {"auc"}}) end, "unknown metric 'auc'")
  T.err(function() lab.cross_validate(m, wine, {target = "cultivar", metrics = {"rmse"}}) end, "metric 'rmse' is for regressors")
  T.err(function() lab.cross_validate(m, wine, {target = "cultivar", k = 1}) end, "'k' must be at least 2")
  T.err(function() lab.cross_validate(m, wine, {target = "cultivar", folds = 3}) end, "folds")
  T.err(function() lab.cross_validate(wine, wine, {target = "cultivar"}) end, "model or pipeline")
  T.err(function() lab.cross_validate(lab.model.linear(), messy, {target = "y", k = 2}) end, "fold 1")
end)

T.test("metrics.report agrees with classification_report", function()
  local r = ref.report
  local rep = lab.metrics.report(r.y_true, r.y_pred)
  T.eq(rep:nrow(), 6)
  for i = 1, rep:nrow() do
    local want = r.rows[rep.class[i]]
    T.ok(want, "row " .. rep.class[i])
    T.near(rep.f1[i], want.f1, 1e-12, rep.class[i] .. " f1")
    if want.precision then
      T.near(rep.precision[i], want.precision, 1e-12, rep.class[i] .. " precision")
      T.near(rep.recall[i], want.recall, 1e-12, rep.class[i] .. " recall")
      T.eq(rep.support[i], want.support, rep.class[i] .. " support")
    end
  end
  T.err(function() lab.metrics.report({1, 2}, {"a", "b"}) end, "y_")
end)

T.test("confusion matrix plots as a heatmap", function()
  local cm = lab.metrics.confusion(wine.cultivar, wine.cultivar)
  local p = lab.plot.heatmap(cm, {file = tmp .. "/cm.png"})
  T.ok(p, "heatmap of the confusion frame")
  local q = lab.plot.confusion({1, 2, 2, 3}, {1, 2, 3, 3}, {file = tmp .. "/cm2.png"})
  T.ok(q, "lab.plot.confusion with number labels")
  T.err(function() lab.plot.confusion({1, 2}, {1}) end, "y_pred")
end)

T.done()
