/* print.h — frames and columns as text tables, for printing and reports.
 *
 * Formatting lives in the engine (it prints nothing itself) so that the REPL,
 * notebooks' reports and the workbench all show a frame the same way. */
#ifndef LAB_PRINT_H
#define LAB_PRINT_H

#include "frame.h"

typedef struct print_opts {
    size_t max_rows;  /* show all rows up to this many, else head and tail (default 20) */
    size_t edge_rows; /* rows shown at each end of a long frame (default 5) */
    int width;        /* characters; columns that do not fit are counted, not shown (default 100) */
    int max_cell;     /* longest cell text in characters (default 30) */
} print_opts;

void print_opts_init(print_opts *o);

/* The frame as an aligned table: names and types as a two-line header, row
 * numbers from 1, numbers right-aligned, NA shown as NA, the middle of long
 * frames elided with "… N more rows". Returns a new string the caller frees. */
char *frame_format(const frame *f, const print_opts *o);

/* A column as a compact one-line vector: "number[150] name: 5.1 4.9 … 5.9".
 * Returns a new string the caller frees. */
char *col_format_vector(const column *c, const char *name, int width);

/* Display width of UTF-8 text (code points; combining marks not special). */
size_t text_width(const char *s, size_t n);

#endif
