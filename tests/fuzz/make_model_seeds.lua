-- make_model_seeds.lua — the seed corpus tests/fuzz/corpus/model/ for
-- fuzz_model_file: small model files of each shape (a regressor, a
-- classifier with string labels, a pipeline with every transform).
-- Run from the repository root: ./lab run tests/fuzz/make_model_seeds.lua
local out = "tests/fuzz/corpus/model/"
local df = lab.frame{
  x = {1.5, 2, 3.5, 4, 5.5, 6, 7.5, 8},
  n = {1, 2, 1, 2, 1, 2, 1, 2},
  c = {"r", "g", "b", "r", "g", "b", "r", "g"},
  y = {3, 4, 7, 8, 11, 12, 15, 16},
  k = {"lo", "lo", "lo", "lo", "hi", "hi", "hi", "hi"},
}
lab.model.linear():fit(df, {target = "y", features = {"x", "n"}}):save(out .. "linear.model")
lab.model.logistic():fit(df, {target = "k", features = {"x"}}):save(out .. "logistic.model")
lab.pipeline{lab.transform.impute{strategy = "most_frequent"}, lab.transform.onehot{"c"},
             lab.transform.label_encode{"k"}, lab.transform.minmax{"n"}, lab.transform.standardize{"x"},
             lab.model.linear{ridge = 1}}:fit(df, {target = "y"}):save(out .. "pipeline.model")
