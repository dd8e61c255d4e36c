-- %% [markdown]
-- # Classifying wine
-- 178 wines from three cultivars, 13 chemical measurements each. A pipeline
-- standardizes the measurements and fits a logistic regression; five-fold
-- cross-validation says how well that generalises, a held-out split gives a
-- classification report and a confusion matrix.
-- Run it with `./lab run notebooks/wine.lua` from the repository root.

-- %% Load
local wine = lab.read_csv("data/wine.csv")
print(wine:head(5))
print(wine.cultivar:value_counts())

-- %% [markdown]
-- ## A pipeline: standardize, then logistic regression
-- The measurements live on very different scales (proline is in the
-- hundreds, hue around 1), so each is standardized with the mean and
-- standard deviation of the training rows only. The pipeline keeps those
-- statistics: new rows are scaled exactly the same way.

-- %% The pipeline
local pipe = lab.pipeline{lab.transform.standardize(), lab.model.logistic{C = 1}}
print(pipe)

-- %% Five-fold cross-validation (stratified by cultivar)
local folds, summary = lab.cross_validate(pipe, wine, {
  k = 5, target = "cultivar", metrics = {"accuracy", "f1_macro", "log_loss"}, seed = 7,
})
print(folds)
print(summary)
for i = 1, summary:nrow() do
  print(string.format("%-10s %.3f ± %.3f", summary.metric[i], summary.mean[i], summary.std[i]))
end

-- %% [markdown]
-- ## Held-out test set
-- Fit on 75% of the wines (stratified by cultivar), then predict the
-- rest from their raw measurements.

-- %% Fit and predict
local train, test = wine:split{test = 0.25, seed = 7, stratify = "cultivar"}
pipe:fit(train, {target = "cultivar"})
print(pipe)
local predicted = pipe:predict(test)
print(string.format("test accuracy %.3f on %d wines", lab.metrics.accuracy(test.cultivar, predicted), test:nrow()))

-- %% Classification report
print(lab.metrics.report(test.cultivar, predicted))

-- %% Confusion matrix
print(lab.metrics.confusion(test.cultivar, predicted))
lab.plot.confusion(test.cultivar, predicted, {title = "wine test set: true cultivar (rows) by predicted (columns)"})

-- %% [markdown]
-- ## Saved as one file
-- The model file holds the scaler's statistics and the weights; loading it
-- gives a model that predicts from raw rows.

-- %% Save and load
local path = os.tmpname()
pipe:save(path)
local again = lab.load(path)
os.remove(path)
local same = again:predict(test)
local agree = 0
for i = 1, #same do if same[i] == predicted[i] then agree = agree + 1 end end
print(string.format("the loaded pipeline agrees on %d of %d wines", agree, #same))
