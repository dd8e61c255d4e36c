/* plot.h — exploratory plots of frames: build a plot from columns, then draw
 * it to a file (PNG, SVG, PDF), to PNG bytes, to an RGBA buffer of its data
 * area, or to terminal text.
 *
 * Building checks everything the drawing needs (columns exist and hold
 * numbers, the frame has rows) and reduces the data to what is drawn, so
 * drawing fails only on output (a path that cannot be written, an unknown
 * extension). Drawing goes through PLplot (axes, ticks, text, legends) on a
 * cairo surface that lab creates itself, with point clouds stamped straight
 * into the surface: PLplot draws one marker at a time, which costs seconds for
 * a million points. PLplot keeps global state: draw from one thread only.
 * Nothing of PLplot runs until the first drawing. */
#ifndef LAB_PLOT_H
#define LAB_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "../data/frame.h"
#include "../util/util.h"

typedef enum plot_kind {
    PLOT_SCATTER,
    PLOT_LINE,
    PLOT_HIST,
    PLOT_BAR,
    PLOT_BOX,
    PLOT_HEATMAP,
    PLOT_CORR,
    PLOT_PAIRS
} plot_kind;

typedef struct plot plot;

/* Options of every kind; zero-initialise and set what is wanted. Strings are
 * borrowed for the call. Titles and labels default from the column names. */
typedef struct plot_opts {
    const char *title, *xlabel, *ylabel;
    const char *color; /* a column whose values colour the marks, with a legend */
    int bins;          /* hist; 0: the Freedman–Diaconis rule (Sturges when the IQR is 0) */
    const char *y;     /* bar: heights from this column, one bar per row */
    const char *labels; /* heatmap: the column naming the rows */
    const char *const *columns; /* heatmap, corr, pairs: the columns (default: the number columns) */
    int ncolumns;
} plot_opts;

/* Each builder returns a new plot the caller frees with plot_free, or NULL
 * with e naming the kind and the column at fault ("scatter: column 'species'
 * is a string column ...", "hist: no column 'x' (did you mean 'y'?)", "bar:
 * the frame has no rows"). */
plot *plot_scatter(const frame *f, const char *x, const char *y, const plot_opts *o, lab_err *e);
/* Several series ys[0..ny) against x; with o->color, one line per group of the
 * single series. */
plot *plot_line(const frame *f, const char *x, const char *const *ys, int ny, const plot_opts *o, lab_err *e);
plot *plot_hist(const frame *f, const char *col, const plot_opts *o, lab_err *e);
/* Value counts of col (most frequent first; numbers in order of value), or
 * with o->y one bar per row: label from col, height from o->y. */
plot *plot_bar(const frame *f, const char *col, const plot_opts *o, lab_err *e);
/* One box per group of o->color (or one box without it). */
plot *plot_box(const frame *f, const char *col, const plot_opts *o, lab_err *e);
/* The number columns of f as a matrix: one row per row of f (named by
 * o->labels, or by its first string column), one column per number column. */
plot *plot_heatmap(const frame *f, const plot_opts *o, lab_err *e);
/* A matrix given as nr x nc row-major values with row and column labels
 * (either may be NULL: numbered from 1). */
plot *plot_heatmap_matrix(const double *m, int nr, int nc, const char *const *rlabels,
                          const char *const *clabels, const plot_opts *o, lab_err *e);
/* The Pearson correlation of the number columns (stats_corr), values in cells. */
plot *plot_corr(const frame *f, const plot_opts *o, lab_err *e);
/* Scatter matrix of the number columns (at most 8), histograms on the
 * diagonal, coloured by o->color. */
plot *plot_pairs(const frame *f, const plot_opts *o, lab_err *e);

void plot_free(plot *p);
plot_kind plot_get_kind(const plot *p);
const char *plot_kind_name(plot_kind k);
/* One line: "scatter: sepal_width by sepal_length, 150 points, 3 groups". */
const char *plot_summary(const plot *p);
const char *plot_title(const plot *p);
/* Bytes the plot holds, for a host language's collector. */
size_t plot_bytes(const plot *p);

/* Write p to path, the format chosen by its extension (.png, .svg, .pdf),
 * width x height pixels (points for SVG and PDF; 0 for 800 x 600). Returns 0,
 * or -1 with e naming the path ("cannot write 'x/y.png': No such file or
 * directory", "unknown file extension '.jpg' in 'a.jpg' ..."). */
int plot_save(const plot *p, const char *path, int width, int height, lab_err *e);

/* The PNG bytes of p appended to out. Returns 0, or -1 with e filled. */
int plot_png(const plot *p, int width, int height, strbuf *out, lab_err *e);

/* The data area of p (no axes, no text) as width x height RGBA pixels, row
 * by row from the top, on a white background; lines one pixel wide without
 * antialiasing and points one pixel each, for the terminal. Returns a buffer
 * of width * height * 4 bytes the caller frees, or NULL with e filled. */
uint8_t *plot_render_rgba(const plot *p, int width, int height, lab_err *e);

typedef enum plot_color {
    PLOT_COLOR_NONE, /* no escapes at all (NO_COLOR) */
    PLOT_COLOR_256,  /* xterm 256 colours */
    PLOT_COLOR_TRUE  /* 24-bit colour (COLORTERM=truecolor) */
} plot_color;

/* p as terminal text of exactly rows lines of cols cells (lines end in \n;
 * braille dots for the data, text for the title, ticks, labels and legend),
 * with ANSI colour escapes as asked. cols >= 30 and rows >= 10. Returns a
 * string the caller frees, or NULL with e filled. */
char *plot_text(const plot *p, int cols, int rows, plot_color color, lab_err *e);

/* One cell of a plot for a host that draws cells itself (curses): a UTF-8
 * glyph (NUL-terminated, " " when blank), bold for the title, and xterm-256
 * colour indices (-1: the terminal's default). */
typedef struct plot_cell {
    char ch[5];
    uint8_t bold;
    int16_t fg, bg;
} plot_cell;

enum {
    PLOT_CELLS_COLOR = 1, /* colour indices (else fg and bg stay -1, heatmaps shade) */
    PLOT_CELLS_ASCII = 2  /* ASCII glyphs only: braille dots become . : #, lines - | + */
};

/* p laid out exactly as plot_text lays it out, as rows x cols cells, row by
 * row from the top; flags from PLOT_CELLS_*. Same limits as plot_text.
 * Returns 0 and sets *cells to an array of cols * rows cells the caller
 * frees, or -1 with *cells NULL and e filled. */
int plot_cells(const plot *p, int cols, int rows, int flags, plot_cell **cells, lab_err *e);

/* Display width in cells of a UTF-8 string without escapes. */
size_t plot_text_width(const char *s);

#endif
