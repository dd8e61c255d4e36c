/* notebook.h — notebooks in the percent format, and the reports made from them.
 *
 * A notebook is a plain Lua file in the percent format that Jupytext uses for
 * scripts: a line "-- %%" starts a code cell, "-- %% Title" gives it a title,
 * "-- %% [markdown]" starts a markdown cell whose lines are "-- " comments. The
 * parser only cuts the text into cells and remembers where each came from (file
 * lines), so that a runner can execute them and errors can name file lines. The
 * runner (scripting/notebook.c) attaches outputs to cells; the report writers
 * turn the cells and their outputs into HTML, Markdown or an nbformat 4 .ipynb.
 *
 * Text is kept as bytes with lengths (a notebook may hold NUL bytes or invalid
 * UTF-8); the writers escape what their format needs and replace invalid UTF-8
 * with U+FFFD. */
#ifndef LAB_NOTEBOOK_H
#define LAB_NOTEBOOK_H

#include <stddef.h>

#include "util/util.h"

typedef enum nb_cell_kind { NB_CELL_CODE, NB_CELL_MARKDOWN } nb_cell_kind;

typedef enum nb_out_kind {
    NB_OUT_STREAM, /* printed text (stdout) */
    NB_OUT_RESULT, /* the value of the cell's last expression, as text */
    NB_OUT_IMAGE,  /* PNG bytes */
    NB_OUT_ERROR   /* name: the kind of error; text: the one-line message;
                      trace: the traceback or NULL */
} nb_out_kind;

typedef struct nb_output {
    nb_out_kind kind;
    char *text; /* bytes (PNG for images), NUL-terminated for convenience */
    size_t len;
    char *name;  /* NB_OUT_ERROR only */
    char *trace; /* NB_OUT_ERROR only; may be NULL */
} nb_output;

typedef struct nb_cell {
    nb_cell_kind kind;
    char *title;     /* "" when the marker has none */
    int marker_line; /* 1-based line of the "-- %%" marker; 0 for a cell without one */
    int first_line;  /* 1-based file line of src's first line (its line when empty) */
    int nlines;      /* lines in src (0 when empty) */
    char *src;       /* code as written, or markdown with the "-- " taken off; lines
                        joined by "\n", blank lines at both ends dropped */
    size_t len;
    int exec_count; /* 1, 2, ... in the order code cells ran; 0 when it did not run */
    nb_output *outs;
    size_t nout, capout;
} nb_cell;

typedef struct notebook {
    char *name;      /* as given to notebook_parse (a path, for titles and messages) */
    int has_markers; /* 0: a plain script (one code cell) */
    int nlines;      /* lines in the file */
    nb_cell *cells;
    size_t ncell;
    size_t nshow; /* cells a report shows: all, or those up to a failed one */
    char *params; /* "key=value, ..." for the report's header, or NULL */
} notebook;

/* Cut text (len bytes, any bytes) into cells. A first line starting with '#'
 * (a shebang) and a UTF-8 byte order mark are skipped, as Lua does. Lines end
 * at "\n", "\r\n" or "\r", counted the way Lua counts them. A file without
 * markers is one code cell; text before the first marker that is not blank is
 * a code cell of its own. Returns a notebook the caller frees with
 * notebook_free(); never fails (any text is a notebook). */
notebook *notebook_parse(const char *text, size_t len, const char *name);
void notebook_free(notebook *nb);

/* The index of the cell holding file line `line` (a marker line belongs to
 * the cell it starts), or -1 when no cell does. */
int notebook_cell_at(const notebook *nb, int line);

/* Append an output to cell c, copying len bytes of text (and name, trace for
 * errors; both may be NULL). Consecutive stream outputs are merged into one. */
void notebook_add_output(nb_cell *c, nb_out_kind kind, const char *text, size_t len, const char *name,
                         const char *trace);

typedef enum nb_format { NB_FORMAT_NONE = -1, NB_FORMAT_HTML, NB_FORMAT_MARKDOWN, NB_FORMAT_IPYNB } nb_format;

/* The report format a path asks for by its extension (.html/.htm, .md, .ipynb;
 * case-insensitive), or NB_FORMAT_NONE. */
nb_format notebook_format_of(const char *path);

/* Render the first nb->nshow cells as a report into out (appended).
 * files_prefix is where Markdown image links point ("report_files"); images
 * are named <files_prefix>/cell<N>-<K>.png, N the cell's number, K the image's
 * number in that cell. HTML and ipynb embed images and ignore files_prefix. */
void notebook_render(const notebook *nb, nb_format fmt, const char *files_prefix, strbuf *out);

/* Write the report to path, in the format its extension names. Markdown images
 * go to a folder beside it, "<path without extension>_files/". The report is
 * written to a temporary file and renamed over path, so a failed write leaves
 * no half report. Returns 0, or -1 with e naming the path and the reason. */
int notebook_write_report(const notebook *nb, const char *path, lab_err *e);

#endif
