/* ops.h — the frame operations users of pandas or dplyr reach for first:
 * sort, join, concat, unique, dropna, fillna, sample, split, rename.
 *
 * Every operation returns a new frame and leaves its inputs alone. Row
 * operations compute an index of rows and build the result with frame_take /
 * col_take, so the cost is one pass of gathering per column; operations that
 * keep every row (rename, fillna of columns without NA) share the columns by
 * reference instead of copying them.
 *
 * Missing values follow pandas: NA, and NaN in a number column, are missing
 * for sort (always last), dropna and fillna; unique treats all missing values
 * of a column as equal to each other; join never matches a missing key.
 *
 * Errors: functions return NULL (or -1) and fill e with one line that starts
 * with the operation's name and names the column or argument at fault. */
#ifndef LAB_OPS_H
#define LAB_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* ---- sort ---- */

/* The row order that sorts f by the columns cols[0..k) (cols[0] first), each
 * ascending unless desc[i] is non-zero (desc may be NULL: all ascending).
 * Stable: equal rows keep their order. Missing values go last whatever the
 * direction; strings compare by bytes (memcmp order); booleans false < true.
 * Fills idx[0..f->nrow) (the caller allocates it). Returns 0, or -1 with e
 * naming an unknown column (k == 0 is also an error). */
int ops_sort_index(const frame *f, const char *const *cols, const int *desc, int k, size_t *idx,
                   lab_err *e);

/* f sorted as ops_sort_index orders it: a new frame the caller owns, or NULL
 * with e filled. */
frame *ops_sort(const frame *f, const char *const *cols, const int *desc, int k, lab_err *e);

/* ---- join ---- */

typedef enum ops_how {
    OPS_INNER, /* only left rows with a match */
    OPS_LEFT   /* every left row; right columns NA where nothing matched */
} ops_how;

/* Hash join of left and right on the key columns on[0..k) (the same names in
 * both frames), as pandas merge: rows in left order, each left row followed
 * by its matches in right order. The keys appear once (taken from the left);
 * then the other left columns and the other right columns, in their frames'
 * order. A non-key name present on both sides gets suffix_x on the left and
 * suffix_y on the right (NULL: "_x" and "_y").
 *
 * Keys of the same type match by value; an integer key matches a number key
 * of equal value; strings match by text whatever their dictionaries. Missing
 * keys (NA, NaN) never match. Returns a new frame the caller owns, or NULL
 * with e naming the unknown key, the key whose types differ, or the output
 * name that would appear twice. */
frame *ops_join(const frame *left, const frame *right, const char *const *on, int k, ops_how how,
                const char *suffix_x, const char *suffix_y, lab_err *e);

/* ---- concat ---- */

/* The rows of fs[0..n) one after the other. Every frame must have the same
 * column names (in any order: the result follows fs[0]); integer and number
 * columns combine into number, string columns into one merged dictionary;
 * other mixes of types are errors. Frames without rows do not take part in
 * the choice of types (all empty: fs[0]'s types). Returns a new frame the caller owns, or
 * NULL with e naming the frame (1-based) and the column missing, extra or of
 * a clashing type. n == 0 is an error. */
frame *ops_concat(const frame *const *fs, int n, lab_err *e);

/* ---- distinct rows, missing values ---- */

/* The first occurrence of each distinct row, in their order. Rows are
 * compared on cols[0..k) (cols NULL or k == 0: every column). Missing values
 * of a column equal each other. Returns a new frame the caller owns (all
 * columns), or NULL with e naming an unknown column. */
frame *ops_unique(const frame *f, const char *const *cols, int k, lab_err *e);

/* The rows with no missing value among cols[0..k) (cols NULL or k == 0:
 * every column). Returns a new frame the caller owns, or NULL with e naming
 * an unknown column. */
frame *ops_dropna(const frame *f, const char *const *cols, int k, lab_err *e);

/* A typed value for fillna. str is borrowed for the call. */
typedef struct ops_value {
    col_type type;
    double f64;
    int64_t i64;
    int b;
    const char *str;
} ops_value;

/* f with missing values replaced.
 * cols == NULL: vals[0] goes into every column that can hold it (a number
 * column takes numbers and integers; an integer column takes integers and
 * numbers with an integer value; booleans and strings take their own type);
 * the other columns are kept as they are. k must be 1.
 * cols != NULL: vals[i] goes into column cols[i]; a value the column cannot
 * hold is an error naming the column, and so is an unknown column.
 * Columns without missing values are shared, not copied. Returns a new frame
 * the caller owns, or NULL with e filled. */
frame *ops_fillna(const frame *f, const char *const *cols, const ops_value *vals, int k,
                  lab_err *e);

/* ---- random rows ---- */

/* n rows drawn at random (seeded), in the order drawn, as pandas sample:
 * without replacement n may not exceed the rows of f. Returns a new frame the
 * caller owns, or NULL with e naming n. */
frame *ops_sample(const frame *f, size_t n, uint64_t seed, int replace, lab_err *e);

/* Split f into a train and a test part: ceil(test * nrow) rows go to test
 * (0 < test < 1), chosen at random (seeded); the rows keep their original
 * order within each part. With stratify (a column name, or NULL), each class
 * of that column (missing values are a class of their own) is split in the
 * same proportion, and a class with at least two rows has at least one row in
 * each part. On success returns 0 and sets *train and *test to new frames the
 * caller owns; on failure returns -1, sets both to NULL and fills e. */
int ops_split(const frame *f, double test, uint64_t seed, const char *stratify, frame **train,
              frame **test_out, lab_err *e);

/* ---- names ---- */

/* f with column from[i] renamed to[i] (columns shared, order kept). An
 * unknown old name is an error naming the closest names; a name renamed
 * twice, or a new name that clashes with another column of the result, is an
 * error naming it. Returns a new frame the caller owns, or NULL. */
frame *ops_rename(const frame *f, const char *const *from, const char *const *to, int k,
                  lab_err *e);

#endif
