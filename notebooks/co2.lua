-- %% [markdown]
-- # Mauna Loa CO2
-- Weekly CO2 concentration (ppm) from 1958 to 2001, with 59 missing weeks.
-- A time series with gaps: count them, draw them, summarise by year.

-- %% Load
local co2 = lab.read_csv("data/co2.csv")
print(co2)
print(string.format("%d weeks, %d missing", co2:nrow(), co2.co2:na_count()))

-- %% The missing weeks
local missing = co2:filter(co2.co2:isna())
print(missing:head(10))

-- %% [markdown]
-- ## Yearly means
-- The date is an integer yyyymmdd, so the year is `date // 10000`. Means skip
-- the missing weeks; `count` says how many weeks each year has data for.

-- %% The series, gaps and all
-- The date is yyyymmdd; as a fraction of a year it makes a time axis.
co2.time = co2.date // 10000 + ((co2.date // 100) % 100 - 1) / 12 + (co2.date % 100 - 1) / 365
lab.plot.line(co2, "time", "co2", {title = "Mauna Loa CO2 (ppm), weekly", xlabel = "year"})

-- %% By year (from params.from, 1958 unless --param from=YEAR says otherwise)
co2.year = co2.date // 10000
co2 = co2:filter(co2.year:ge(params.from or 1958))
local yearly = co2:group_by("year"):agg{mean = {"co2", "mean"}, weeks = {"co2", "count"},
                                        lo = {"co2", "min"}, hi = {"co2", "max"}}
print(yearly)

-- %% The yearly means
lab.plot.line(yearly, "year", "mean", {title = "Yearly mean CO2 (ppm)"})

-- %% The rise
local first, last = yearly.mean[1], yearly.mean[#yearly]
print(string.format("from %.1f ppm in %d to %.1f ppm in %d: +%.1f ppm (%.2f ppm a year)",
                    first, yearly.year[1], last, yearly.year[#yearly], last - first,
                    (last - first) / (yearly.year[#yearly] - yearly.year[1])))

-- %% Drop the missing weeks
local complete = co2:dropna()
print(string.format("%d complete weeks; describe of the series:", complete:nrow()))
print(complete:select{"co2"}:describe())
