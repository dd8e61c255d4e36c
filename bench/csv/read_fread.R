# read_fread.R — time data.table::fread on the benchmark file.
#
# usage: Rscript bench/csv/read_fread.R FILE.csv
# Prints "RESULT fread <best> <t1> <t2> <t3>" (wall seconds around the read
# call only). fread runs on all cores (setDTthreads(0)), as lab does by default.
suppressMessages(library(data.table))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
setDTthreads(0)
times <- numeric(3)
dt <- NULL
for (k in 1:3) {
  dt <- NULL
  invisible(gc())
  # n1 needs 64 bits: fread makes it integer64 and warns when bit64 is missing
  times[k] <- system.time(dt <- suppressWarnings(fread(path, showProgress = FALSE)))[["elapsed"]]
}
cat(sprintf("RESULT fread %.4f %.4f %.4f %.4f\n", min(times), times[1], times[2], times[3]))
cat(sprintf("version data.table %s, threads %d\n", as.character(packageVersion("data.table")), getDTthreads()))
cat(sprintf("shape %d x %d\n", nrow(dt), ncol(dt)))
cat("types", paste(sapply(dt, function(c) class(c)[1]), collapse = ","), "\n")
