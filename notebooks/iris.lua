-- %% [markdown]
-- # Exploring iris
-- Fisher's iris data: 150 flowers, four measurements each, three species.
-- Run it with `./lab run notebooks/iris.lua` from the repository root.

-- %% Load
local iris = lab.read_csv("data/iris.csv")
print(iris)

-- %% [markdown]
-- ## Summary statistics
-- `describe` gives count, mean, standard deviation (n-1), min, quartiles and max
-- of every numeric column, the same numbers pandas gives.

-- %% Describe
print(iris:describe())

-- %% Classes are balanced
print(iris.species:value_counts())

-- %% Per species
local by = iris:group_by("species"):agg{
  n = {"petal_length", "count"},
  petal_length = {"petal_length", "mean"},
  petal_width = {"petal_width", "mean"},
  sepal_length = {"sepal_length", "median"},
}
print(by)

-- %% [markdown]
-- ## Correlation
-- Petal length and width move together almost perfectly; sepal width barely
-- relates to the rest.

-- %% Correlation matrix
print(iris:corr())
lab.plot.corr(iris)

-- %% [markdown]
-- ## Pictures
-- Petal measurements separate setosa completely; versicolor and virginica
-- overlap a little.

-- %% Petals, coloured by species
lab.plot.scatter(iris, "petal_length", "petal_width", {color = "species"})

-- %% Every pair of measurements
lab.plot.pairs(iris, {color = "species"})

-- %% Petal length by species
lab.plot.box(iris, "petal_length", {by = "species"})

-- %% A derived column and a filter
iris.petal_area = iris.petal_length * iris.petal_width
local big = iris:filter(iris.petal_area:gt(10)):sort("petal_area", {desc = true})
print(string.format("%d flowers have a petal area over 10 cm², all %s",
                    big:nrow(), table.concat(big.species:unique():totable(), ", ")))
print(big:head(5))

-- %% Train and test split, stratified by species
local train, test = iris:split{test = 0.2, seed = 42, stratify = "species"}
print(string.format("train %d rows, test %d rows", train:nrow(), test:nrow()))
print(test.species:value_counts())
