/* plot_int.h — the inside of a plot, shared by plot.c (building a plot from
 * a frame), draw.c (PLplot and cairo: files and RGBA buffers) and term.c (the
 * terminal renderer). Not for use outside engine/plot.
 *
 * A plot holds what it draws, already reduced: scatter, line and pairs keep
 * their points as doubles (NA became NaN), hist keeps bin counts, bar its
 * heights, box its five-number summaries, heatmap and corr their matrix. So a
 * plot no longer depends on the frame it came from, and drawing it twice (a
 * file, then the terminal) computes nothing twice. */
#ifndef LAB_PLOT_INT_H
#define LAB_PLOT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "plot.h"

#define PLOT_MAX_GROUPS 20
#define PLOT_MAX_PAIRS 8

/* One axis: its window [lo, hi], its ticks, and for a categorical axis the
 * names of the categories (category i sits at i + 1). */
typedef struct plot_axis {
    double lo, hi;
    int ncat;
    char **cats;
} plot_axis;

/* One box of a box plot: whiskers at the furthest values within 1.5 IQR of
 * the quartiles (Tukey), outliers beyond them. */
typedef struct plot_box_stats {
    double lo, q1, med, q3, hi;
    size_t n, nout;
    double *out;
} plot_box_stats;

struct plot {
    plot_kind kind;
    char *title, *xlabel, *ylabel;
    char *summary;
    plot_axis x, y;

    /* groups (colour): row -> group, -1 when the row is left out */
    int ngroups;
    char **gnames;
    int *group;

    /* scatter, line, pairs: n rows; nser series y[s] against x (line: one x
     * for every series; pairs: the columns are in y[0..nser), no x) */
    size_t n;
    int nser;
    char **snames;
    double *xv;
    double **yv;

    /* hist: nbins bins from edges[0] to edges[nbins]; counts[g * nbins + b]
     * (one row of counts per group, or one when there are no groups) */
    int nbins;
    double *edges;
    double *counts;
    size_t nvalues;

    /* bar: heights[i] for category x.cats[i] */
    double *heights;

    /* box: one per category of x */
    plot_box_stats *boxes;

    /* heatmap, corr: nr x nc values, row-major; labels from y.cats (rows,
     * top to bottom) and x.cats (columns); colours span [vmin, vmax]
     * (diverging around 0 for corr) */
    int nr, nc;
    double *m;
    double vmin, vmax;
    int diverging;
    int decimals;
};

/* The colour of group g (cycles through 10 colours), as 0xRRGGBB. */
uint32_t plot_group_rgb(int g);
/* The colour of value v on the plot's colour scale (heatmap, corr). */
uint32_t plot_scale_rgb(const plot *p, double v);

/* Ticks: up to max values, multiples of a 1-2-5 step inside [lo, hi]; returns
 * the count and the step through *step. */
int plot_ticks(double lo, double hi, int max, double *ticks, double *step);
/* The text of tick value v for a step (enough decimals to tell ticks apart). */
void plot_fmt_tick(char *buf, size_t cap, double v, double step);
/* The text of a heatmap value with the plot's decimals. */
void plot_fmt_value(const plot *p, char *buf, size_t cap, double v);

/* The data area of p as W x H RGBA pixels for the terminal (draw.c): no
 * antialiasing, one-pixel points and lines, no transparency. rects holds the
 * pixel rectangle {x, y, w, h} of each panel (pairs: k * k panels row by
 * row; otherwise one), or is NULL for the default layout. */
uint8_t *plot_raster(const plot *p, int W, int H, const int *rects, lab_err *e);

#endif
