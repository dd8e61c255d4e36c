/* stats.h — summary statistics of columns and frames, value counts,
 * correlation and group-by aggregation, agreeing with pandas.
 *
 * Statistics work on number, integer and boolean columns (a boolean counts as
 * 0 or 1). Missing values — NA, and NaN in a number column, as pandas treats
 * it — are skipped and counted. Sums and means use compensated (Neumaier)
 * summation and the variance is two-pass with a compensated correction term,
 * so results match pandas to about 1e-15 relative; quantiles interpolate
 * linearly between order statistics (R type 7, the numpy/pandas default).
 *
 * A result that is undefined (the mean of no values, the std of one value)
 * is NaN from the scalar functions and NA in the frames they return.
 *
 * Errors: functions return NULL or -1 and fill e with one line that starts
 * with the operation's name and names the column at fault. */
#ifndef LAB_STATS_H
#define LAB_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* ---- one column ---- */

/* 0 when c is a number, integer or boolean column; otherwise -1 with e saying
 * "OP: column 'NAME' is a string column ...". op and name are for the message
 * (name may be NULL or ""). */
int stats_check_numeric(const column *c, const char *op, const char *name, lab_err *e);

/* Values that are present (not NA, not NaN): any column type. */
size_t stats_count(const column *c);

/* Compensated sum of a number, integer or boolean column as a double; 0 when
 * there is no value. */
double stats_sum(const column *c);

/* Exact sum of an integer or boolean column into *out. Returns 0, or -1 when
 * the sum overflows int64 (then use stats_sum). */
int stats_sum_int(const column *c, int64_t *out);

/* Mean; NaN when there is no value. */
double stats_mean(const column *c);

/* Variance with divisor count - ddof (ddof 1: the sample variance, as pandas);
 * NaN when count <= ddof. stats_std is its square root. */
double stats_var(const column *c, int ddof);
double stats_std(const column *c, int ddof);

/* Row of the smallest / largest present value, SIZE_MAX when there is none.
 * Works on every type (strings compare by bytes, false < true); the first
 * such row wins ties. */
size_t stats_argmin(const column *c);
size_t stats_argmax(const column *c);

/* Quantiles q[0..nq) (each in [0, 1]) of a number, integer or boolean column
 * into out[0..nq), by linear interpolation between order statistics; NaN when
 * there is no value. Returns 0, or -1 with e naming the bad q. */
int stats_quantiles(const column *c, const double *q, size_t nq, double *out, lab_err *e);

/* The median (quantile 0.5); NaN when there is no value. */
double stats_median(const column *c);

/* Distinct present values. */
size_t stats_nunique(const column *c);

/* The distinct values of c in order of first appearance, as a new column of
 * c's type that the caller owns; all missing values count as one, kept (as
 * NA) at the place of the first, as pandas' unique does. Never fails. */
column *stats_unique(const column *c);

/* A frame {value, count} of the distinct present values of c (any type),
 * most frequent first, ties in order of first appearance; "value" has c's
 * type, "count" is integer. The caller owns it. Never fails. */
frame *stats_value_counts(const column *c);

/* ---- frames ---- */

/* pandas' describe(): a frame whose first column "stat" holds count, mean,
 * std, min, 25%, 50%, 75%, max, then one number column per number or integer
 * column of f (booleans and strings are left out). The caller owns it;
 * NULL with e filled when f has no number or integer column. */
frame *stats_describe(const frame *f, lab_err *e);

/* Pearson correlation matrix of the number and integer columns of f, each
 * pair over the rows where both are present (pandas' pairwise complete
 * observations): a first string column "column" with the names, then one
 * number column per input column; NA where a pair has fewer than two rows or
 * no variance. The caller owns it; NULL with e filled when f has no number or
 * integer column. */
frame *stats_corr(const frame *f, lab_err *e);

/* ---- group-by ---- */

typedef enum stats_agg {
    STATS_AGG_COUNT,  /* present values (integer) */
    STATS_AGG_SUM,    /* integer for integer and boolean columns, else number; 0 for no value */
    STATS_AGG_MEAN,
    STATS_AGG_STD,    /* ddof 1 */
    STATS_AGG_VAR,    /* ddof 1 */
    STATS_AGG_MIN,    /* the column's type; strings too */
    STATS_AGG_MAX,
    STATS_AGG_MEDIAN,
    STATS_AGG_FIRST,  /* first present value, the column's type */
    STATS_AGG_LAST,
    STATS_AGG_SIZE,   /* rows, missing values included (integer; needs no column) */
    STATS_AGG_NUNIQUE /* distinct present values (integer) */
} stats_agg;

/* The aggregate called name; -1 when unknown. */
int stats_agg_parse(const char *name, stats_agg *out);
const char *stats_agg_name(stats_agg a);
/* "count, sum, mean, std, var, min, max, median, first, last, size, nunique" */
const char *stats_agg_list(void);
/* 1 when aggregate a applies to a column of type t. */
int stats_agg_accepts(stats_agg a, col_type t);

/* The groups of a frame: opaque; holds a reference to the frame's columns. */
typedef struct stats_groups stats_groups;

/* Group the rows of f by the key columns keys[0..nkeys) (column indices, any
 * type). Rows with a missing key are dropped (pandas' dropna=True); groups
 * are sorted by key (strings by bytes, false < true). Hash grouping: one pass
 * per key column. Returns a new object the caller frees with
 * stats_groups_free, or NULL with e filled (bad index, nkeys < 1). */
stats_groups *stats_groups_new(const frame *f, const int *keys, int nkeys, lab_err *e);
void stats_groups_free(stats_groups *g);
size_t stats_groups_count(const stats_groups *g);
/* The frame grouped (borrowed) and its key columns. */
const frame *stats_groups_frame(const stats_groups *g);
int stats_groups_nkeys(const stats_groups *g);
const int *stats_groups_keys(const stats_groups *g);
/* Bytes held, for the collector of a host language. */
size_t stats_groups_bytes(const stats_groups *g);

/* One output column of an aggregation: aggregate fn of column col (an index
 * into the grouped frame; ignored for STATS_AGG_SIZE) under the name out. */
typedef struct stats_agg_spec {
    const char *out;
    int col;
    stats_agg fn;
} stats_agg_spec;

/* A frame with one row per group: the key columns first (values of each
 * group's first row), then one column per spec in order. Returns a new frame
 * the caller owns, or NULL with e naming the column whose type the aggregate
 * does not accept, or an output name that appears twice. */
frame *stats_groups_agg(const stats_groups *g, const stats_agg_spec *specs, int n, lab_err *e);

#endif
