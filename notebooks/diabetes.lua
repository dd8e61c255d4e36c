-- %% [markdown]
-- # Regressing diabetes progression
-- 442 patients, ten baseline measurements, and a measure of disease
-- progression one year later. Ordinary least squares, then ridge, scored on a
-- held-out fifth of the patients, and a look at the residuals.
-- Run it with `./lab run notebooks/diabetes.lua` from the repository root.

-- %% Load
local diabetes = lab.read_csv("data/diabetes.csv")
print(diabetes:head(5))
print(diabetes:describe())

-- %% Train and test split
local train, test = diabetes:split{test = 0.2, seed = 42}
print(string.format("train %d rows, test %d rows", train:nrow(), test:nrow()))

-- %% [markdown]
-- ## Linear regression
-- Every column but `progression` predicts it.

-- %% Least squares
local ols = lab.model.linear():fit(train, {target = "progression"})
print(ols)
print(ols:coef())

-- %% Scores on the test set
local function scores(name, m)
  local pred = m:predict(test)
  local row = {
    model = name,
    rmse = lab.metrics.rmse(test.progression, pred),
    mae = lab.metrics.mae(test.progression, pred),
    r2 = lab.metrics.r2(test.progression, pred),
  }
  print(string.format("%-22s RMSE %.2f  MAE %.2f  R² %.3f", name, row.rmse, row.mae, row.r2))
  return pred, row
end
local pred_ols = scores("linear", ols)

-- %% [markdown]
-- ## Ridge
-- An L2 penalty shrinks the coefficients; the features are standardized
-- first (in a pipeline) so the penalty treats them alike.

-- %% Ridge, standardized
for _, alpha in ipairs{0.1, 1, 10} do
  local ridge = lab.pipeline{lab.transform.standardize(), lab.model.linear{ridge = alpha}}
  ridge:fit(train, {target = "progression"})
  scores(string.format("ridge (alpha %g)", alpha), ridge)
end

-- %% Cross-validated, for a steadier figure
local _, summary = lab.cross_validate(lab.model.linear(), diabetes, {k = 5, target = "progression", seed = 1})
print(summary)

-- %% [markdown]
-- ## Residuals
-- Residuals (truth minus prediction) against the prediction should scatter
-- evenly around zero; a funnel or a curve would say the linear model misses
-- something.

-- %% Residual plot
local resid = lab.frame{predicted = pred_ols, residual = test.progression - pred_ols}
print(resid:describe())
lab.plot.scatter(resid, "predicted", "residual", {title = "diabetes: residuals of least squares (test set)"})
