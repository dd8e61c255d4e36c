/* frame.h — typed columns and the frames made of them.
 *
 * A column is one typed array plus a validity bitmap: number (double), integer
 * (int64, exact beyond 2^53), boolean, and string (dictionary-encoded: uint32
 * codes into a shared string dictionary, so a categorical column costs four
 * bytes a row). Missing values (NA) exist in every type through the bitmap.
 *
 * Columns are immutable once built and reference-counted, so selecting,
 * renaming or adding a column shares the data instead of copying it; a frame is
 * an ordered list of (name, column) with one row count. Operations return new
 * frames and never change their inputs, except the explicit frame_set_column.
 *
 * Ownership: *_new returns one reference the caller owns; *_free drops one.
 * Functions that take a column into a frame take over the caller's reference. */
#ifndef LAB_FRAME_H
#define LAB_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

typedef enum col_type {
    COL_NUMBER,  /* double */
    COL_INTEGER, /* int64_t */
    COL_BOOLEAN, /* uint8_t, 0 or 1 */
    COL_STRING   /* uint32_t code into a strdict */
} col_type;

/* An interned set of strings: code -> text and text -> code. Shared between
 * the columns that derive from one another (a filtered column keeps its
 * parent's dictionary), so codes compare equal across them. */
typedef struct strdict {
    int refs;
    uint32_t n, cap;
    char **str;       /* str[code], NUL-terminated, owned */
    uint32_t *len;    /* len[code] */
    uint32_t *slots;  /* open-addressing index: code + 1, 0 = empty */
    uint32_t nslots;  /* power of two */
} strdict;

typedef struct column {
    int refs;
    col_type type;
    size_t n;        /* rows */
    uint8_t *valid;  /* bit i set: row i has a value; NULL: no NA at all */
    union {
        double *f64;
        int64_t *i64;
        uint8_t *b;
        uint32_t *code;
        void *data;
    };
    strdict *dict;   /* COL_STRING only, shared */
} column;

typedef struct frame {
    size_t nrow;
    int ncol, cap;
    char **names;    /* owned */
    column **cols;   /* one reference each */
} frame;

/* ---- string dictionaries ---- */
strdict *strdict_new(void);
strdict *strdict_ref(strdict *d);
void strdict_free(strdict *d);
/* Code of s (len bytes), adding it when new. */
uint32_t strdict_intern(strdict *d, const char *s, size_t len);
/* Code of s, or UINT32_MAX when absent. */
uint32_t strdict_find(const strdict *d, const char *s, size_t len);

/* ---- columns ---- */
const char *col_type_name(col_type t);
/* Parse "number", "integer", "boolean", "string" (also "double", "int",
 * "bool", "str"); returns -1 when unknown. */
int col_type_parse(const char *name, col_type *out);
size_t col_type_width(col_type t);

/* A column of n rows, data zeroed, every row valid. A string column gets a
 * fresh dictionary unless dict is given (then it takes a reference to it). */
column *col_new(col_type t, size_t n, strdict *dict);
/* A column around arrays the caller made: takes ownership of data (n values
 * of the type's width) and valid (a bitmap, or NULL for no NA); takes a
 * reference to dict (string columns). */
column *col_wrap(col_type t, size_t n, void *data, uint8_t *valid, strdict *dict);
column *col_ref(column *c);
void col_free(column *c);

static inline int col_is_na(const column *c, size_t i) {
    return c->valid && !((c->valid[i >> 3] >> (i & 7)) & 1);
}
/* Mark row i as NA (allocating the bitmap on first use) or as present. */
void col_set_na(column *c, size_t i);
void col_set_valid(column *c, size_t i);
size_t col_na_count(const column *c);
/* The first row that is NA, or NaN in a number column; SIZE_MAX when none
 * is (a scan of the bitmap's bytes and of the numbers in blocks: fast on the
 * complete columns that models take). */
size_t col_first_missing(const column *c);
/* The value as a double (number, integer, boolean); NAN for NA and strings. */
double col_as_double(const column *c, size_t i);
/* The text of row i of a string column, NULL for NA. */
const char *col_str(const column *c, size_t i);
/* Bytes held by the column's own arrays (not the shared dictionary). */
size_t col_bytes(const column *c);

/* Rows idx[0..n) of c, in that order; idx[k] == SIZE_MAX gives an NA. */
column *col_take(const column *c, const size_t *idx, size_t n);
/* A number column with the values of a number, integer or boolean column. */
column *col_to_number(const column *c);
/* Build a column from the text of every row: for printing and the CSV writer.
 * Writes into buf (size cap) and returns the length; NA gives "NA". */
int col_format(const column *c, size_t i, char *buf, size_t cap);
/* 1 when the two columns hold the same type and the same values (NA equal NA,
 * NaN equal NaN), compared by text for strings. */
int col_equal(const column *a, const column *b);

/* ---- frames ---- */
frame *frame_new(void);
void frame_free(frame *f);
/* A new frame sharing f's columns. */
frame *frame_copy(const frame *f);
/* Add column c under name, or replace the column of that name; takes over the
 * caller's reference to c. Fails (and drops the reference) when the length
 * does not match the frame's rows. */
int frame_set_column(frame *f, const char *name, column *c, lab_err *e);
/* Index of the column called name, or -1. */
int frame_find(const frame *f, const char *name);
/* Like frame_find, but fills e with "no column 'x' (did you mean 'y'?)". */
int frame_lookup(const frame *f, const char *name, lab_err *e);
/* Rows idx[0..n) of every column. */
frame *frame_take(const frame *f, const size_t *idx, size_t n);
/* Rows [start, start+n). */
frame *frame_slice(const frame *f, size_t start, size_t n);
/* Total bytes of the frame's arrays, for memory accounting. */
size_t frame_bytes(const frame *f);
/* 1 when the frames have the same names, types and values. */
int frame_equal(const frame *a, const frame *b);

#endif
