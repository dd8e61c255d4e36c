/* cli_int.h — what runs.c and models.c share: aligned text tables, a JSON
 * writer, the formats of times, durations, sizes and metric values, and the
 * opening of the store for reading. Private to cli/. */
#ifndef LAB_CLI_INT_H
#define LAB_CLI_INT_H

#include <stdint.h>
#include <stdio.h>

#include "track/store.h"
#include "util/util.h"

/* ---- text tables (table.c) ------------------------------------------------- */

/* A table built column by column: each column keeps its cells' text in one
 * buffer and, per cell, its offset and width, so 10,000 rows cost a few
 * allocations, no cell is measured twice, and a column can be measured
 * before it is kept (table_pop drops the last one). */
typedef struct table_cell {
    uint32_t off; /* into text */
    uint32_t w;   /* width in characters */
} table_cell;

typedef struct table_col {
    char *head;
    int right;        /* right-aligned (numbers) */
    size_t maxw;      /* longest cell shown, in characters; longer ones end in "…" (0: no limit) */
    strbuf text;      /* the cells' text, each NUL-terminated */
    table_cell *cell; /* n cells so far, room for cap */
    size_t n, cap;
    size_t width;  /* the widest cell or head, after maxw */
    size_t maxlen; /* the longest cell in bytes */
} table_col;

typedef struct table {
    table_col *cols;
    size_t ncol, cap;
    size_t rows; /* a hint: the rows to come (0: unknown), so cells are allocated once */
} table;

/* Add a column; returns its index. head is copied. */
size_t table_add_col(table *t, const char *head, int right, size_t maxw);
/* Append the next cell of column c (NULL: empty); putn takes len bytes of text. */
void table_put(table *t, size_t c, const char *text);
void table_putn(table *t, size_t c, const char *text, size_t len);
void table_putf(table *t, size_t c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The width of the table's first ncol columns with two spaces between them. */
size_t table_width(const table *t, size_t ncol);
/* Drop the last column. */
void table_pop(table *t);
/* Print the head line and the rows, each line indented by indent spaces,
 * without trailing spaces: gathered in one buffer, written with few fwrites. */
void table_print(const table *t, FILE *f, int indent);
void table_free(table *t);

/* ---- JSON (json.c) ---------------------------------------------------------- */

/* A streaming JSON writer (RFC 8259): indented two spaces, commas placed by
 * the writer. Strings are escaped and made valid UTF-8 (a stray byte becomes
 * U+FFFD); numbers are the shortest text that reads back the same double;
 * NaN and infinities, which JSON lacks, are written as null. */
typedef struct jw {
    FILE *f;
    int depth;
    int first[64]; /* no member written yet at this depth */
    int after_key;
} jw;

void jw_init(jw *w, FILE *f);
void jw_obj(jw *w);     /* { */
void jw_obj_end(jw *w); /* } */
void jw_arr(jw *w);     /* [ */
void jw_arr_end(jw *w); /* ] */
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *s); /* NULL: null */
void jw_num(jw *w, double v);
void jw_int(jw *w, int64_t v);
void jw_bool(jw *w, int v);
void jw_null(jw *w);
/* A member: key and value in one call. */
void jw_field_str(jw *w, const char *key, const char *s);
void jw_field_int(jw *w, const char *key, int64_t v);
void jw_field_num(jw *w, const char *key, double v);
/* Finish the document with a newline. */
void jw_end(jw *w);

/* ---- formats (fmt.c) -------------------------------------------------------- */

/* "2026-11-26 20:41" in local time; "-" for 0. buf holds 32 bytes. */
const char *fmt_time(char *buf, int64_t ms);
/* The same with seconds: "2026-11-26 20:41:07". */
const char *fmt_time_sec(char *buf, int64_t ms);
/* "0.4s", "12s", "3m05s", "2h07m", "3d04h". buf holds 32 bytes. */
const char *fmt_duration(char *buf, int64_t ms);
/* "812 B", "12.3 KiB", "4.5 MiB", "1.2 GiB". buf holds 32 bytes. */
const char *fmt_size(char *buf, int64_t bytes);
/* A metric value for tables: 6 significant digits ("0.966667", "1.2e+06"). */
const char *fmt_metric(char *buf, double v);
/* A run's duration: end - start, or now - start while it runs. */
int64_t run_duration_ms(const store_run *r);

/* ---- the store (fmt.c) ------------------------------------------------------- */

/* Open the store ($LAB_HOME or .lab) read-only. When there is none yet
 * (lab.db does not exist, or is an empty file), returns NULL with *missing
 * set and e = "no WHAT yet in .lab (lab.db does not exist)" or "(lab.db is
 * empty)", what being "runs" or "models"; other failures leave *missing 0. */
store *cli_open_store(const char *what, int *missing, lab_err *e);

/* Parse a whole decimal number >= 1 into *out; 0 or -1. */
int cli_parse_count(const char *s, size_t *out);

#endif
