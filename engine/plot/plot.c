/* plot.c — building plots from frames: checking the columns, reducing the
 * data to what is drawn (points, bin counts, box summaries, matrices), and
 * choosing the axes' windows and default labels.
 *
 * The trade-off: a plot copies its points as doubles (16 bytes a point for a
 * scatter) instead of referencing the frame's columns. It costs memory for a
 * million points, but every kind of column (integer, boolean, with NA) is then
 * drawn by one path, and a plot outlives the frame it came from. */
#include "plot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../data/stats.h"
#include "plot_int.h"

/* ---- small helpers ---------------------------------------------------------- */

static const char *kind_names[] = {"scatter", "line", "hist", "bar", "box", "heatmap", "corr", "pairs"};

const char *plot_kind_name(plot_kind k) { return kind_names[k]; }
plot_kind plot_get_kind(const plot *p) { return p->kind; }
const char *plot_summary(const plot *p) { return p->summary; }
const char *plot_title(const plot *p) { return p->title ? p->title : ""; }

static plot *plot_new(plot_kind k) {
    plot *p = xcalloc(1, sizeof *p);
    p->kind = k;
    return p;
}

static void free_strs(char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

void plot_free(plot *p) {
    if (!p) return;
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p->summary);
    free_strs(p->x.cats, p->x.ncat);
    free_strs(p->y.cats, p->y.ncat);
    free_strs(p->gnames, p->ngroups);
    free(p->group);
    free_strs(p->snames, p->nser);
    free(p->xv);
    if (p->yv)
        for (int s = 0; s < p->nser; s++) free(p->yv[s]);
    free(p->yv);
    free(p->edges);
    free(p->counts);
    free(p->heights);
    if (p->boxes)
        for (int i = 0; i < p->x.ncat; i++) free(p->boxes[i].out);
    free(p->boxes);
    free(p->m);
    free(p);
}

size_t plot_bytes(const plot *p) {
    size_t b = sizeof *p;
    if (p->xv) b += p->n * sizeof(double);
    if (p->yv) b += (size_t)p->nser * p->n * sizeof(double);
    if (p->group) b += p->n * sizeof(int);
    if (p->m) b += (size_t)p->nr * (size_t)p->nc * sizeof(double);
    return b;
}

static char *fmt_dup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_dup(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return xstrdup(buf);
}

static char *opt_or(const char *given, const char *def) { return xstrdup(given ? given : def ? def : ""); }

/* The column called name, or NULL with "KIND: no column 'x' (did you mean 'y'?)". */
static const column *lookup(const frame *f, plot_kind k, const char *name, lab_err *e) {
    if (!name) {
        lab_fail(e, "%s: a column name is needed", kind_names[k]);
        return NULL;
    }
    lab_err le;
    int j = frame_lookup(f, name, &le);
    if (j < 0) {
        lab_fail(e, "%s: %s", kind_names[k], le.msg);
        return NULL;
    }
    return f->cols[j];
}

static const column *lookup_num(const frame *f, plot_kind k, const char *name, lab_err *e) {
    const column *c = lookup(f, k, name, e);
    if (c && stats_check_numeric(c, kind_names[k], name, e) < 0) return NULL;
    return c;
}

static int check_rows(const frame *f, plot_kind k, lab_err *e) {
    if (f->nrow == 0) return lab_fail(e, "%s: the frame has no rows", kind_names[k]);
    return 0;
}

/* Values of a number, integer or boolean column as doubles, NaN for NA. */
static double *to_doubles(const column *c) {
    /* huge pages: a million-row copy otherwise costs thousands of page faults */
    double *v = xmalloc_big((c->n ? c->n : 1) * sizeof *v);
    if (c->type == COL_NUMBER && !c->valid) memcpy(v, c->f64, c->n * sizeof *v);
    else
        for (size_t i = 0; i < c->n; i++) v[i] = col_as_double(c, i);
    return v;
}

/* Range of the finite values of v[0..n) whose group is kept; 0 when none. */
static int finite_range(const double *v, size_t n, const int *group, double *lo, double *hi) {
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (group && group[i] < 0) continue;
        double x = v[i];
        if (x < a) a = x;
        if (x > b) b = x;
    }
    if (!(a <= b) || !isfinite(a) || !isfinite(b)) return 0;
    *lo = a;
    *hi = b;
    return 1;
}

/* A window around [lo, hi] with a margin of frac of the span on each side. */
static void pad(plot_axis *a, double lo, double hi, double frac) {
    if (hi <= lo) {
        double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 0.5;
        lo -= d;
        hi += d;
    }
    double m = (hi - lo) * frac;
    a->lo = lo - m;
    a->hi = hi + m;
}

/* Groups from column name: group[i] for every row (-1 for NA), names in order
 * of first appearance. */
static int make_groups(plot *p, const frame *f, const char *name, lab_err *e) {
    const column *c = lookup(f, p->kind, name, e);
    if (!c) return -1;
    size_t n = f->nrow;
    int *g = xmalloc((n ? n : 1) * sizeof *g);
    char **names = xcalloc(PLOT_MAX_GROUPS + 1, sizeof *names);
    int ng = 0;
    if (c->type == COL_STRING) {
        int *map = xmalloc((c->dict->n ? c->dict->n : 1) * sizeof *map);
        for (uint32_t k = 0; k < c->dict->n; k++) map[k] = -1;
        for (size_t i = 0; i < n; i++) {
            if (col_is_na(c, i)) {
                g[i] = -1;
                continue;
            }
            uint32_t code = c->code[i];
            if (map[code] < 0) {
                if (ng == PLOT_MAX_GROUPS) {
                    free(map);
                    goto too_many;
                }
                names[ng] = xstrdup(c->dict->str[code]);
                map[code] = ng++;
            }
            g[i] = map[code];
        }
        free(map);
    } else {
        double vals[PLOT_MAX_GROUPS];
        for (size_t i = 0; i < n; i++) {
            double v = col_as_double(c, i);
            if (isnan(v)) {
                g[i] = -1;
                continue;
            }
            int k = 0;
            while (k < ng && vals[k] != v) k++;
            if (k == ng) {
                if (ng == PLOT_MAX_GROUPS) goto too_many;
                char buf[64];
                col_format(c, i, buf, sizeof buf);
                vals[ng] = v;
                names[ng++] = xstrdup(buf);
            }
            g[i] = k;
        }
    }
    p->group = g;
    p->gnames = names;
    p->ngroups = ng;
    return 0;
too_many:
    free(g);
    free_strs(names, ng);
    return lab_fail(e, "%s: colour column '%s' has more than %d distinct values; colour by a column of categories",
                    kind_names[p->kind], name, PLOT_MAX_GROUPS);
}

static void set_labels(plot *p, const plot_opts *o, const char *title, const char *xl, const char *yl) {
    p->title = opt_or(o->title, title);
    p->xlabel = opt_or(o->xlabel, xl);
    p->ylabel = opt_or(o->ylabel, yl);
}

static const plot_opts no_opts;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n) by linear interpolation (R type 7). */
static double quantile_sorted(const double *v, size_t n, double q) {
    double h = q * (double)(n - 1);
    size_t i = (size_t)floor(h);
    if (i + 1 >= n) return v[n - 1];
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/* ---- scatter and line --------------------------------------------------------- */

plot *plot_scatter(const frame *f, const char *x, const char *y, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    const column *cx = lookup_num(f, PLOT_SCATTER, x, e);
    if (!cx) return NULL;
    const column *cy = lookup_num(f, PLOT_SCATTER, y, e);
    if (!cy) return NULL;
    if (check_rows(f, PLOT_SCATTER, e) < 0) return NULL;
    plot *p = plot_new(PLOT_SCATTER);
    if (o->color && make_groups(p, f, o->color, e) < 0) goto fail;
    p->n = f->nrow;
    p->xv = to_doubles(cx);
    p->nser = 1;
    p->yv = xcalloc(1, sizeof *p->yv);
    p->snames = xcalloc(1, sizeof *p->snames);
    p->snames[0] = xstrdup(y);
    p->yv[0] = to_doubles(cy);
    size_t shown = 0;
    for (size_t i = 0; i < p->n; i++)
        if (isfinite(p->xv[i]) && isfinite(p->yv[0][i]) && (!p->group || p->group[i] >= 0)) shown++;
    if (!shown) {
        lab_fail(e, "scatter: no row has both '%s' and '%s' present", x, y);
        goto fail;
    }
    double lo, hi;
    finite_range(p->xv, p->n, p->group, &lo, &hi);
    pad(&p->x, lo, hi, 0.04);
    finite_range(p->yv[0], p->n, p->group, &lo, &hi);
    pad(&p->y, lo, hi, 0.04);
    char *t = fmt_dup("%s by %s", y, x);
    set_labels(p, o, t, x, y);
    free(t);
    if (p->ngroups)
        p->summary = fmt_dup("scatter: %s by %s, %zu points, %d groups", y, x, shown, p->ngroups);
    else
        p->summary = fmt_dup("scatter: %s by %s, %zu points", y, x, shown);
    return p;
fail:
    plot_free(p);
    return NULL;
}

/* Lines join points in x order, as seaborn's lineplot does: rows are sorted
 * by x (stably, NaN last) unless they already are. */
static const double *sort_keys;
static int cmp_by_x(const void *a, const void *b) {
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = sort_keys[i], y = sort_keys[j];
    int xn = isnan(x), yn = isnan(y);
    if (xn != yn) return xn - yn;
    if (!xn && x != y) return x < y ? -1 : 1;
    return i < j ? -1 : i > j;
}

static void sort_by_x(plot *p) {
    size_t n = p->n, k;
    for (k = 1; k < n; k++)
        if (!(p->xv[k - 1] <= p->xv[k])) break;
    if (k >= n) return;
    size_t *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_keys = p->xv;
    qsort(idx, n, sizeof *idx, cmp_by_x);
    double *tmp = xmalloc(n * sizeof *tmp);
    for (int s = -1; s < p->nser; s++) {
        double *v = s < 0 ? p->xv : p->yv[s];
        for (size_t i = 0; i < n; i++) tmp[i] = v[idx[i]];
        memcpy(v, tmp, n * sizeof *tmp);
    }
    free(tmp);
    if (p->group) {
        int *g = xmalloc(n * sizeof *g);
        for (size_t i = 0; i < n; i++) g[i] = p->group[idx[i]];
        memcpy(p->group, g, n * sizeof *g);
        free(g);
    }
    free(idx);
}

plot *plot_line(const frame *f, const char *x, const char *const *ys, int ny, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    if (ny < 1) {
        lab_fail(e, "line: no y column given");
        return NULL;
    }
    if (ny > PLOT_MAX_GROUPS) {
        lab_fail(e, "line: %d series; at most %d", ny, PLOT_MAX_GROUPS);
        return NULL;
    }
    const column *cx = lookup_num(f, PLOT_LINE, x, e);
    if (!cx) return NULL;
    for (int s = 0; s < ny; s++)
        if (!lookup_num(f, PLOT_LINE, ys[s], e)) return NULL;
    if (check_rows(f, PLOT_LINE, e) < 0) return NULL;
    if (o->color && ny > 1) {
        lab_fail(e, "line: colour by '%s' takes one y column, got %d", o->color, ny);
        return NULL;
    }
    plot *p = plot_new(PLOT_LINE);
    if (o->color && make_groups(p, f, o->color, e) < 0) goto fail;
    p->n = f->nrow;
    p->xv = to_doubles(cx);
    p->nser = ny;
    p->yv = xcalloc((size_t)ny, sizeof *p->yv);
    p->snames = xcalloc((size_t)ny, sizeof *p->snames);
    double ylo = INFINITY, yhi = -INFINITY;
    for (int s = 0; s < ny; s++) {
        p->snames[s] = xstrdup(ys[s]);
        p->yv[s] = to_doubles(lookup(f, PLOT_LINE, ys[s], e));
        double lo, hi;
        if (finite_range(p->yv[s], p->n, p->group, &lo, &hi)) {
            if (lo < ylo) ylo = lo;
            if (hi > yhi) yhi = hi;
        }
    }
    sort_by_x(p);
    double lo, hi;
    if (!finite_range(p->xv, p->n, p->group, &lo, &hi) || !(ylo <= yhi)) {
        lab_fail(e, "line: no row has both '%s' and '%s' present", x, ys[0]);
        goto fail;
    }
    pad(&p->x, lo, hi, 0.02);
    pad(&p->y, ylo, yhi, 0.04);
    strbuf names = {0};
    for (int s = 0; s < ny; s++) {
        if (s) strbuf_adds(&names, ", ");
        strbuf_adds(&names, ys[s]);
    }
    char *t = fmt_dup("%s by %s", names.s, x);
    set_labels(p, o, t, x, ny == 1 ? ys[0] : "");
    free(t);
    if (p->ngroups)
        p->summary = fmt_dup("line: %s by %s, %zu points, %d groups", names.s, x, p->n, p->ngroups);
    else if (ny > 1)
        p->summary = fmt_dup("line: %s by %s, %zu points, %d series", names.s, x, p->n, ny);
    else
        p->summary = fmt_dup("line: %s by %s, %zu points", names.s, x, p->n);
    free(names.s);
    return p;
fail:
    plot_free(p);
    return NULL;
}

/* ---- hist ----------------------------------------------------------------------- */

/* Bins by numpy's "auto": the larger of Freedman–Diaconis and Sturges (FD
 * alone when the IQR is 0 gives nothing, so Sturges then), at most 200. The
 * IQR of more than a million values comes from an even sample of a million:
 * sorting ten million doubles to choose a bin width is not worth it. */
static int auto_bins(const double *v, size_t n, double lo, double hi) {
    size_t step = n > 1000000 ? n / 1000000 + 1 : 1;
    size_t m = 0;
    double *s = xmalloc((n / step + 1) * sizeof *s);
    for (size_t i = 0; i < n; i += step)
        if (isfinite(v[i])) s[m++] = v[i];
    int sturges = (int)ceil(log2((double)n)) + 1;
    int bins = sturges;
    if (m >= 4) {
        qsort(s, m, sizeof *s, cmp_double);
        double iqr = quantile_sorted(s, m, 0.75) - quantile_sorted(s, m, 0.25);
        if (iqr > 0) {
            double h = 2 * iqr / cbrt((double)n);
            double fd = ceil((hi - lo) / h);
            if (fd > bins) bins = fd > 200 ? 200 : (int)fd;
        }
    }
    free(s);
    return bins < 1 ? 1 : bins > 200 ? 200 : bins;
}

plot *plot_hist(const frame *f, const char *col, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    const column *c = lookup_num(f, PLOT_HIST, col, e);
    if (!c) return NULL;
    if (check_rows(f, PLOT_HIST, e) < 0) return NULL;
    if (o->bins < 0 || o->bins > 10000) {
        lab_fail(e, "hist: bins must be from 1 to 10000, got %d", o->bins);
        return NULL;
    }
    plot *p = plot_new(PLOT_HIST);
    double *copy = NULL;
    if (o->color && make_groups(p, f, o->color, e) < 0) goto fail;
    /* a number column without NA is read in place: copying ten million
     * values would cost more than counting them */
    const double *v = c->type == COL_NUMBER && !c->valid ? c->f64 : (copy = to_doubles(c));
    size_t n = f->nrow;
    double lo, hi;
    if (!finite_range(v, n, p->group, &lo, &hi)) {
        lab_fail(e, "hist: column '%s' has no values", col);
        goto fail;
    }
    if (hi <= lo) {
        lo -= 0.5;
        hi += 0.5;
    }
    int nb = o->bins ? o->bins : auto_bins(v, n, lo, hi);
    int ng = p->ngroups ? p->ngroups : 1;
    p->nbins = nb;
    p->edges = xmalloc((size_t)(nb + 1) * sizeof *p->edges);
    for (int b = 0; b <= nb; b++) p->edges[b] = lo + (hi - lo) * b / nb;
    p->counts = xcalloc((size_t)ng * (size_t)nb, sizeof *p->counts);
    /* integer counts first: adding 1.0 to doubles is slower and the counts of
     * ten million values are exact in either */
    size_t *cnt = xcalloc((size_t)ng * (size_t)nb, sizeof *cnt);
    double scale = nb / (hi - lo);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!(x >= lo && x <= hi)) continue;
        int g = p->group ? p->group[i] : 0;
        if (g < 0) continue;
        long b = (long)((x - lo) * scale);
        if (b >= nb) b = nb - 1;
        cnt[(size_t)g * nb + b]++;
        used++;
    }
    double top = 0;
    for (int g = 0; g < ng; g++)
        for (int b = 0; b < nb; b++) {
            double k = (double)cnt[(size_t)g * nb + b];
            p->counts[(size_t)g * nb + b] = k;
            if (k > top) top = k;
        }
    free(cnt);
    p->nvalues = used;
    p->x.lo = lo;
    p->x.hi = hi;
    p->y.lo = 0;
    p->y.hi = top > 0 ? top * 1.05 : 1;
    /* the per-row groups are no longer needed: the counts hold them */
    free(p->group);
    p->group = NULL;
    set_labels(p, o, col, col, "count");
    if (p->ngroups)
        p->summary = fmt_dup("hist: %s, %zu values, %d bins, %d groups", col, used, nb, p->ngroups);
    else
        p->summary = fmt_dup("hist: %s, %zu values, %d bins", col, used, nb);
    free(copy);
    return p;
fail:
    free(copy);
    plot_free(p);
    return NULL;
}

/* ---- bar ------------------------------------------------------------------------ */

#define BAR_MAX 60

typedef struct bar_item {
    double key;
    size_t row;
} bar_item;

static int cmp_bar(const void *a, const void *b) {
    const bar_item *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

plot *plot_bar(const frame *f, const char *col, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    const column *c = lookup(f, PLOT_BAR, col, e);
    if (!c) return NULL;
    const column *cy = NULL;
    if (o->y && !(cy = lookup_num(f, PLOT_BAR, o->y, e))) return NULL;
    if (check_rows(f, PLOT_BAR, e) < 0) return NULL;
    plot *p = plot_new(PLOT_BAR);
    char buf[256];
    size_t total = 0;
    if (cy) {
        if (f->nrow > BAR_MAX) {
            lab_fail(e, "bar: %zu rows give %zu bars; at most %d (aggregate first, or bar of value counts without y)",
                     f->nrow, f->nrow, BAR_MAX);
            goto fail;
        }
        int k = (int)f->nrow;
        p->x.ncat = k;
        p->x.cats = xcalloc((size_t)k, sizeof *p->x.cats);
        p->heights = xcalloc((size_t)k, sizeof *p->heights);
        for (int i = 0; i < k; i++) {
            col_format(c, (size_t)i, buf, sizeof buf);
            p->x.cats[i] = xstrdup(buf);
            double h = col_as_double(cy, (size_t)i);
            p->heights[i] = isfinite(h) ? h : 0;
        }
        set_labels(p, o, o->y, col, o->y);
        p->summary = fmt_dup("bar: %s by %s, %d bars", o->y, col, k);
    } else {
        frame *vc = stats_value_counts(c);
        size_t k = vc->nrow;
        if (k == 0) {
            frame_free(vc);
            lab_fail(e, "bar: column '%s' has no values", col);
            goto fail;
        }
        bar_item *items = xmalloc(k * sizeof *items);
        for (size_t i = 0; i < k; i++) {
            items[i].row = i;
            items[i].key = c->type == COL_STRING ? (double)i : col_as_double(vc->cols[0], i);
        }
        if (c->type != COL_STRING) qsort(items, k, sizeof *items, cmp_bar);
        size_t shown = k > BAR_MAX ? BAR_MAX : k;
        p->x.ncat = (int)shown;
        p->x.cats = xcalloc(shown, sizeof *p->x.cats);
        p->heights = xcalloc(shown, sizeof *p->heights);
        for (size_t i = 0; i < k; i++) total += (size_t)vc->cols[1]->i64[i];
        for (size_t i = 0; i < shown; i++) {
            col_format(vc->cols[0], items[i].row, buf, sizeof buf);
            p->x.cats[i] = xstrdup(buf);
            p->heights[i] = (double)vc->cols[1]->i64[items[i].row];
        }
        free(items);
        frame_free(vc);
        set_labels(p, o, col, col, "count");
        if (k > shown)
            p->summary = fmt_dup("bar: %s, %zu values, %zu of %zu categories", col, total, shown, k);
        else
            p->summary = fmt_dup("bar: %s, %zu values, %zu categories", col, total, k);
    }
    double lo = 0, hi = 0;
    for (int i = 0; i < p->x.ncat; i++) {
        if (p->heights[i] < lo) lo = p->heights[i];
        if (p->heights[i] > hi) hi = p->heights[i];
    }
    if (hi == lo) hi = lo + 1;
    p->x.lo = 0.4;
    p->x.hi = p->x.ncat + 0.6;
    p->y.lo = lo < 0 ? lo - (hi - lo) * 0.05 : 0;
    p->y.hi = hi > 0 ? hi + (hi - lo) * 0.05 : 0;
    return p;
fail:
    plot_free(p);
    return NULL;
}

/* ---- box ------------------------------------------------------------------------ */

static void box_stats(plot_box_stats *b, double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    b->n = n;
    b->q1 = quantile_sorted(v, n, 0.25);
    b->med = quantile_sorted(v, n, 0.5);
    b->q3 = quantile_sorted(v, n, 0.75);
    double iqr = b->q3 - b->q1;
    double flo = b->q1 - 1.5 * iqr, fhi = b->q3 + 1.5 * iqr;
    b->lo = b->q1;
    b->hi = b->q3;
    size_t nout = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < flo || v[i] > fhi) nout++;
        else {
            if (v[i] < b->lo) b->lo = v[i];
            if (v[i] > b->hi) b->hi = v[i];
        }
    }
    b->out = xmalloc((nout ? nout : 1) * sizeof *b->out);
    for (size_t i = 0; i < n; i++)
        if (v[i] < flo || v[i] > fhi) b->out[b->nout++] = v[i];
}

plot *plot_box(const frame *f, const char *col, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    const column *c = lookup_num(f, PLOT_BOX, col, e);
    if (!c) return NULL;
    if (check_rows(f, PLOT_BOX, e) < 0) return NULL;
    plot *p = plot_new(PLOT_BOX);
    double *v = NULL, *buf = NULL;
    if (o->color && make_groups(p, f, o->color, e) < 0) goto fail;
    v = to_doubles(c);
    size_t n = f->nrow;
    int k = p->ngroups ? p->ngroups : 1;
    p->x.ncat = k;
    p->x.cats = xcalloc((size_t)k, sizeof *p->x.cats);
    p->boxes = xcalloc((size_t)k, sizeof *p->boxes);
    buf = xmalloc(n * sizeof *buf);
    double lo = INFINITY, hi = -INFINITY;
    for (int g = 0; g < k; g++) {
        p->x.cats[g] = xstrdup(p->ngroups ? p->gnames[g] : col);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(v[i]) && (!p->group || p->group[i] == g)) buf[m++] = v[i];
        if (!m) {
            p->boxes[g].out = xmalloc(sizeof(double));
            p->boxes[g].lo = p->boxes[g].hi = p->boxes[g].q1 = p->boxes[g].q3 = p->boxes[g].med = NAN;
            continue;
        }
        box_stats(&p->boxes[g], buf, m);
        if (buf[0] < lo) lo = buf[0];
        if (buf[m - 1] > hi) hi = buf[m - 1];
    }
    if (!(lo <= hi)) {
        lab_fail(e, "box: column '%s' has no values", col);
        goto fail;
    }
    free(p->group);
    p->group = NULL;
    p->x.lo = 0.4;
    p->x.hi = k + 0.6;
    pad(&p->y, lo, hi, 0.05);
    if (o->color) {
        char *t = fmt_dup("%s by %s", col, o->color);
        set_labels(p, o, t, o->color, col);
        free(t);
        p->summary = fmt_dup("box: %s by %s, %zu values, %d groups", col, o->color, n, k);
    } else {
        set_labels(p, o, col, "", col);
        p->summary = fmt_dup("box: %s, %zu values", col, n);
    }
    free(v);
    free(buf);
    return p;
fail:
    free(v);
    free(buf);
    plot_free(p);
    return NULL;
}

/* ---- heatmap and corr --------------------------------------------------------- */

#define HEAT_MAX 400

static char **label_list(const char *const *given, int n) {
    char **out = xcalloc((size_t)(n ? n : 1), sizeof *out);
    for (int i = 0; i < n; i++) out[i] = given && given[i] ? xstrdup(given[i]) : fmt_dup("%d", i + 1);
    return out;
}

/* Decimals that show the matrix's values: the fewest (up to 3) that write
 * every value exactly, else three significant digits of the largest. */
static int choose_decimals(const double *m, size_t n) {
    double top = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(m[i]) && fabs(m[i]) > top) top = fabs(m[i]);
    for (int d = 0; d <= 3; d++) {
        double s = pow(10, d);
        int exact = 1;
        for (size_t i = 0; i < n && exact; i++)
            if (isfinite(m[i]) && fabs(m[i] * s - round(m[i] * s)) > 1e-6 * (1 + fabs(m[i] * s))) exact = 0;
        if (exact) return d;
    }
    int d = top > 0 ? 2 - (int)floor(log10(top)) : 2;
    return d < 0 ? 0 : d > 4 ? 4 : d;
}

static void matrix_range(plot *p) {
    double lo = INFINITY, hi = -INFINITY;
    size_t n = (size_t)p->nr * (size_t)p->nc;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p->m[i])) {
            if (p->m[i] < lo) lo = p->m[i];
            if (p->m[i] > hi) hi = p->m[i];
        }
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi == lo) hi = lo + 1;
    p->vmin = lo;
    p->vmax = hi;
    p->decimals = choose_decimals(p->m, n);
}

static void matrix_axes(plot *p) {
    p->x.lo = 0.5;
    p->x.hi = p->nc + 0.5;
    p->y.lo = 0.5;
    p->y.hi = p->nr + 0.5;
}

plot *plot_heatmap_matrix(const double *m, int nr, int nc, const char *const *rlabels, const char *const *clabels,
                          const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    if (nr < 1 || nc < 1) {
        lab_fail(e, "heatmap: the matrix is empty (%d x %d)", nr, nc);
        return NULL;
    }
    if (nr > HEAT_MAX || nc > HEAT_MAX) {
        lab_fail(e, "heatmap: the matrix is %d x %d; at most %d x %d", nr, nc, HEAT_MAX, HEAT_MAX);
        return NULL;
    }
    plot *p = plot_new(PLOT_HEATMAP);
    p->nr = nr;
    p->nc = nc;
    p->m = xmalloc((size_t)nr * (size_t)nc * sizeof *p->m);
    memcpy(p->m, m, (size_t)nr * (size_t)nc * sizeof *p->m);
    p->y.ncat = nr;
    p->y.cats = label_list(rlabels, nr);
    p->x.ncat = nc;
    p->x.cats = label_list(clabels, nc);
    matrix_range(p);
    matrix_axes(p);
    set_labels(p, o, "heatmap", "", "");
    p->summary = fmt_dup("heatmap: %d x %d", nr, nc);
    return p;
}

/* The columns named by o->columns, or every number column except skip; at
 * most max. Fills idx and returns the count, or -1 with e filled. */
static int number_columns(const frame *f, plot_kind k, const plot_opts *o, const char *skip, int *idx, int max,
                          lab_err *e) {
    int n = 0;
    if (o->columns && o->ncolumns > 0) {
        if (o->ncolumns > max) return lab_fail(e, "%s: %d columns; at most %d", kind_names[k], o->ncolumns, max);
        for (int i = 0; i < o->ncolumns; i++) {
            const column *c = lookup_num(f, k, o->columns[i], e);
            if (!c) return -1;
            idx[n++] = frame_find(f, o->columns[i]);
        }
        return n;
    }
    for (int j = 0; j < f->ncol && n < max; j++) {
        col_type t = f->cols[j]->type;
        if ((t == COL_NUMBER || t == COL_INTEGER) && !(skip && strcmp(f->names[j], skip) == 0)) idx[n++] = j;
    }
    if (!n) return lab_fail(e, "%s: the frame has no number columns", kind_names[k]);
    return n;
}

plot *plot_heatmap(const frame *f, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    const column *lab = NULL;
    if (o->labels && !(lab = lookup(f, PLOT_HEATMAP, o->labels, e))) return NULL;
    int *idx = xmalloc((size_t)(f->ncol + 1) * sizeof *idx);
    int nc = number_columns(f, PLOT_HEATMAP, o, NULL, idx, HEAT_MAX, e);
    plot *p = NULL;
    if (nc < 0) goto done;
    if (check_rows(f, PLOT_HEATMAP, e) < 0) goto done;
    if (f->nrow > HEAT_MAX) {
        lab_fail(e, "heatmap: the frame has %zu rows; at most %d", f->nrow, HEAT_MAX);
        goto done;
    }
    if (!lab)
        for (int j = 0; j < f->ncol; j++)
            if (f->cols[j]->type == COL_STRING) {
                lab = f->cols[j];
                break;
            }
    int nr = (int)f->nrow;
    double *m = xmalloc((size_t)nr * (size_t)nc * sizeof *m);
    char **rl = xcalloc((size_t)nr, sizeof *rl), **cl = xcalloc((size_t)nc, sizeof *cl);
    char buf[256];
    for (int i = 0; i < nr; i++) {
        if (lab) col_format(lab, (size_t)i, buf, sizeof buf);
        else snprintf(buf, sizeof buf, "%d", i + 1);
        rl[i] = xstrdup(buf);
        for (int j = 0; j < nc; j++) m[(size_t)i * nc + j] = col_as_double(f->cols[idx[j]], (size_t)i);
    }
    for (int j = 0; j < nc; j++) cl[j] = f->names[idx[j]];
    p = plot_heatmap_matrix(m, nr, nc, (const char *const *)rl, (const char *const *)cl, o, e);
    free(m);
    free_strs(rl, nr);
    free(cl);
done:
    free(idx);
    return p;
}

plot *plot_corr(const frame *f, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    int *idx = xmalloc((size_t)(f->ncol + 1) * sizeof *idx);
    plot *p = NULL;
    frame *sub = NULL, *cf = NULL;
    int k = number_columns(f, PLOT_CORR, o, NULL, idx, HEAT_MAX, e);
    if (k < 0) goto done;
    if (check_rows(f, PLOT_CORR, e) < 0) goto done;
    sub = frame_new();
    for (int j = 0; j < k; j++) frame_set_column(sub, f->names[idx[j]], col_ref(f->cols[idx[j]]), NULL);
    sub->nrow = f->nrow;
    lab_err ce;
    cf = stats_corr(sub, &ce);
    if (!cf) {
        lab_fail(e, "corr: %s", ce.msg);
        goto done;
    }
    double *m = xmalloc((size_t)k * (size_t)k * sizeof *m);
    const char **names = xcalloc((size_t)k, sizeof *names);
    for (int i = 0; i < k; i++) {
        names[i] = sub->names[i];
        for (int j = 0; j < k; j++) m[(size_t)i * k + j] = col_as_double(cf->cols[j + 1], (size_t)i);
    }
    p = plot_heatmap_matrix(m, k, k, names, names, &no_opts, e);
    free(m);
    free(names);
    if (!p) goto done;
    p->kind = PLOT_CORR;
    p->vmin = -1;
    p->vmax = 1;
    p->diverging = 1;
    p->decimals = 2;
    free(p->title);
    free(p->summary);
    p->title = opt_or(o->title, "correlation");
    p->summary = fmt_dup("corr: %d columns, %zu rows", k, f->nrow);
done:
    frame_free(sub);
    frame_free(cf);
    free(idx);
    return p;
}

/* ---- pairs ---------------------------------------------------------------------- */

plot *plot_pairs(const frame *f, const plot_opts *o, lab_err *e) {
    if (!o) o = &no_opts;
    if (o->color && !lookup(f, PLOT_PAIRS, o->color, e)) return NULL;
    int idx[PLOT_MAX_PAIRS];
    int k = number_columns(f, PLOT_PAIRS, o, o->color, idx, PLOT_MAX_PAIRS, e);
    if (k < 0) return NULL;
    if (check_rows(f, PLOT_PAIRS, e) < 0) return NULL;
    plot *p = plot_new(PLOT_PAIRS);
    if (o->color && make_groups(p, f, o->color, e) < 0) goto fail;
    p->n = f->nrow;
    p->nser = k;
    p->yv = xcalloc((size_t)k, sizeof *p->yv);
    p->snames = xcalloc((size_t)k, sizeof *p->snames);
    for (int j = 0; j < k; j++) {
        p->snames[j] = xstrdup(f->names[idx[j]]);
        p->yv[j] = to_doubles(f->cols[idx[j]]);
        double lo, hi;
        if (!finite_range(p->yv[j], p->n, p->group, &lo, &hi)) {
            lab_fail(e, "pairs: column '%s' has no values", p->snames[j]);
            goto fail;
        }
    }
    set_labels(p, o, "pairs", "", "");
    if (p->ngroups)
        p->summary = fmt_dup("pairs: %d columns, %zu rows, %d groups", k, p->n, p->ngroups);
    else
        p->summary = fmt_dup("pairs: %d columns, %zu rows", k, p->n);
    return p;
fail:
    plot_free(p);
    return NULL;
}

/* ---- colours, ticks, numbers ------------------------------------------------------- */

/* Ten colours that stay apart for the colour-blind too (Tableau's). */
static const uint32_t palette[10] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                     0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};

uint32_t plot_group_rgb(int g) { return palette[(g < 0 ? 0 : g) % 10]; }

static uint32_t mix(uint32_t a, uint32_t b, double t) {
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    uint32_t out = 0;
    for (int s = 0; s <= 16; s += 8) {
        double x = ((a >> s) & 255) * (1 - t) + ((b >> s) & 255) * t;
        out |= (uint32_t)(x + 0.5) << s;
    }
    return out;
}

/* Sequential: a ramp through five stops of viridis; diverging: blue, white,
 * red (a correlation of 0 shows as white). */
uint32_t plot_scale_rgb(const plot *p, double v) {
    if (!isfinite(v)) return 0xdddddd;
    double t = (v - p->vmin) / (p->vmax - p->vmin);
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    if (p->diverging) return t < 0.5 ? mix(0x2166ac, 0xf7f7f7, t * 2) : mix(0xf7f7f7, 0xb2182b, t * 2 - 1);
    static const uint32_t stops[5] = {0x440154, 0x3b528b, 0x21918c, 0x5ec962, 0xfde725};
    double s = t * 4;
    int i = (int)s;
    if (i >= 4) return stops[4];
    return mix(stops[i], stops[i + 1], s - i);
}

int plot_ticks(double lo, double hi, int max, double *ticks, double *step) {
    if (max < 2) max = 2;
    double span = hi - lo;
    if (!(span > 0)) {
        ticks[0] = lo;
        *step = 1;
        return 1;
    }
    double raw = span / max;
    double mag = pow(10, floor(log10(raw)));
    double st = mag;
    const double mult[] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++) {
        st = mult[i] * mag;
        if (span / st <= max) break;
    }
    int n = 0;
    double first = ceil(lo / st - 1e-9) * st;
    for (double v = first; v <= hi + st * 1e-9 && n < max + 1; v += st) {
        ticks[n++] = fabs(v) < st * 1e-9 ? 0 : v;
    }
    *step = st;
    return n;
}

void plot_fmt_tick(char *buf, size_t cap, double v, double step) {
    if (fabs(v) < fabs(step) * 1e-6) v = 0;
    double a = fabs(v) > fabs(step) ? fabs(v) : fabs(step);
    if (a >= 1e6 || (a > 0 && a < 1e-4)) {
        snprintf(buf, cap, "%.3g", v);
        return;
    }
    int d = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (step < 1 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6) d++;
    snprintf(buf, cap, "%.*f", d, v);
}

void plot_fmt_value(const plot *p, char *buf, size_t cap, double v) {
    if (!isfinite(v)) snprintf(buf, cap, "NA");
    else if (fabs(v) >= 1e6) snprintf(buf, cap, "%.3g", v);
    else snprintf(buf, cap, "%.*f", p->decimals, v);
}

size_t plot_text_width(const char *s) {
    size_t w = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if ((*c & 0xc0) != 0x80) w++;
    return w;
}
