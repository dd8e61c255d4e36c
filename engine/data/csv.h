/* csv.h — reading and writing CSV text (RFC 4180) as frames.
 *
 * The reader infers each column's type over the whole file (integer, number,
 * boolean, string, promoting as values demand), parses large files on several
 * threads, and fails with file:line:column on malformed input. The writer
 * writes numbers with the shortest text that reads back to the same double, so
 * write-then-read gives back the same frame. */
#ifndef LAB_CSV_H
#define LAB_CSV_H

#include "frame.h"

typedef struct csv_opts {
    char sep;                  /* field separator, default ',' */
    int header;                /* first row holds the names (default 1) */
    const char *const *na;     /* NA tokens for unquoted fields; NULL: {"", "NA"} */
    int nna;
    /* Per-column type overrides, by name (or by 1-based position "#3"). */
    const char *const *type_cols;
    const col_type *type_vals;
    int ntypes;
    /* When set, every column not named above has type all_type (no inference). */
    int force_all;
    col_type all_type;
    int threads;               /* 0: as many as the machine has (at most 8) */
    /* Called now and then with bytes done and total; may be NULL. */
    void (*progress)(void *ud, size_t done, size_t total);
    void *progress_ud;
    /* When non-NULL and set non-zero (from a signal handler, say), the read
     * stops and fails with "interrupted". */
    volatile sig_atomic_t *interrupt;
} csv_opts;

void csv_opts_init(csv_opts *o);

/* Read the CSV file at path. Returns a new frame the caller owns, or NULL with
 * e filled: "path: reason" for I/O, "path:line:col: what is wrong" for bad
 * content. */
frame *csv_read_file(const char *path, const csv_opts *o, lab_err *e);

/* The same on len bytes in memory; name is used in error messages. */
frame *csv_read_buffer(const char *buf, size_t len, const char *name, const csv_opts *o, lab_err *e);

/* Write f to path (through a temporary file and a rename, so a failed write
 * leaves any old file whole). NA is written as an empty field; strings are
 * quoted when they hold the separator, a quote, a line break, are empty or
 * look like an NA token. Returns 0, or -1 with e naming the path. */
int csv_write_file(const frame *f, const char *path, char sep, lab_err *e);

#endif
