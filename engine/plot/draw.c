/* draw.c — drawing plots with PLplot on cairo surfaces that lab creates:
 * PNG (an image surface written with cairo's PNG writer), SVG and PDF
 * (cairo's vector surfaces), and raw RGBA rasters of the data area for the
 * terminal renderer.
 *
 * PLplot draws through its "extcairo" driver (the cairo driver family that
 * draws on a context the caller made) rather than pngcairo/svgcairo/pdfcairo,
 * for two reasons. Speed: PLplot strokes each point marker as its own path
 * (four seconds for a million points), so point clouds are stamped straight
 * into the image's pixels (or added to one cairo path per colour for vector
 * files), 50 times faster. Safety: the file drivers open the output file
 * themselves and PLplot exits the process when that fails; here lab opens
 * the file and reports an error it can name.
 *
 * PLplot keeps global state: one plot is drawn at a time, on the calling
 * thread, between plinit and plend. Nothing of PLplot runs before the first
 * drawing, so loading lab costs nothing. */
#include "plot.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plot_int.h"

#define DEFAULT_W 800
#define DEFAULT_H 600

enum { CI_BG = 0, CI_INK = 1, CI_GRID = 2, CI_DRAW = 15 };

typedef struct canvas {
    cairo_t *cr;
    cairo_surface_t *surface;
    int W, H;
    int raster; /* the terminal's raster: no text, no antialiasing */
    int image;  /* pixels can be stamped directly */
    /* the current panel: pixel rectangle and world window */
    double px, py, pw, ph;
    double wx0, wx1, wy0, wy1;
} canvas;

/* ---- PLplot session ------------------------------------------------------------ */

static char pl_abort_msg[256];

static void on_abort(PLCHAR_VECTOR msg) {
    if (!pl_abort_msg[0]) snprintf(pl_abort_msg, sizeof pl_abort_msg, "%s", msg);
}

static void set_rgb(uint32_t rgb, double alpha) {
    plscol0a(CI_DRAW, (int)(rgb >> 16) & 255, (int)(rgb >> 8) & 255, (int)rgb & 255, alpha);
    plcol0(CI_DRAW);
}

static void pl_begin(canvas *c) {
    pl_abort_msg[0] = 0;
    plsabort(on_abort);
    plsdev("extcairo");
    plspage(72, 72, c->W, c->H, 0, 0);
    plscmap0n(16);
    plscolbg(255, 255, 255);
    plinit();
    pl_cmd(PLESC_DEVINIT, c->cr);
    if (c->raster) cairo_set_antialias(c->cr, CAIRO_ANTIALIAS_NONE);
    pladv(0);
    plscol0(CI_INK, 0x22, 0x22, 0x22);
    plscol0(CI_GRID, 0xe4, 0xe4, 0xe4);
    plschr(0, c->W < 500 ? 0.8 : 1.0);
    plwidth(1);
}

static int pl_end(lab_err *e) {
    plend();
    if (pl_abort_msg[0]) return lab_fail(e, "plot: PLplot: %s", pl_abort_msg);
    return 0;
}

/* Make the pixel rectangle (x, y, w, h), from the top left, the current
 * viewport with world window [wx0, wx1] x [wy0, wy1]. */
static void set_panel(canvas *c, double x, double y, double w, double h, double wx0, double wx1, double wy0,
                      double wy1) {
    c->px = x, c->py = y, c->pw = w, c->ph = h;
    c->wx0 = wx0, c->wx1 = wx1, c->wy0 = wy0, c->wy1 = wy1;
    plvpor(x / c->W, (x + w) / c->W, 1 - (y + h) / c->H, 1 - y / c->H);
    plwind(wx0, wx1, wy0, wy1);
}

static double to_px(const canvas *c, double x) { return c->px + (x - c->wx0) / (c->wx1 - c->wx0) * c->pw; }
static double to_py(const canvas *c, double y) { return c->py + (c->wy1 - y) / (c->wy1 - c->wy0) * c->ph; }

static void fill_rect(double x0, double x1, double y0, double y1) {
    PLFLT xs[4] = {x0, x1, x1, x0}, ys[4] = {y0, y0, y1, y1};
    plfill(4, xs, ys);
}

static void stroke_rect(double x0, double x1, double y0, double y1) {
    PLFLT xs[5] = {x0, x1, x1, x0, x0}, ys[5] = {y0, y0, y1, y1, y0};
    plline(5, xs, ys);
}

static void seg(double x0, double y0, double x1, double y1) { pljoin(x0, y0, x1, y1); }

/* ---- points ---------------------------------------------------------------------- */

/* Points (x[i], y[i]) whose group (when group is given) is g, or every point
 * when g < 0; radius r pixels, opacity alpha. */
static void draw_points(canvas *c, const double *x, const double *y, size_t n, const int *group, int g, uint32_t rgb,
                        double r, double alpha) {
    if (c->image) {
        plflush();
        cairo_surface_flush(c->surface);
        uint8_t *data = cairo_image_surface_get_data(c->surface);
        int stride = cairo_image_surface_get_stride(c->surface);
        /* a disc of radius r as a list of (dx, dy, coverage 0..256), antialiased
         * at its edge; pixels it does not touch are left out of the list */
        int R = c->raster ? 0 : (int)ceil(r);
        int mdx[81], mdy[81], ma[81], nm = 0;
        for (int dy = -R; dy <= R; dy++)
            for (int dx = -R; dx <= R; dx++) {
                double cov = r + 0.5 - sqrt((double)(dx * dx + dy * dy));
                cov = c->raster ? 1 : (cov < 0 ? 0 : cov > 1 ? 1 : cov) * alpha;
                int a = (int)(cov * 256 + 0.5);
                if (a <= 0) continue;
                mdx[nm] = dx, mdy[nm] = dy, ma[nm++] = a;
            }
        int x0 = (int)floor(c->px), x1 = (int)ceil(c->px + c->pw), y0 = (int)floor(c->py),
            y1 = (int)ceil(c->py + c->ph);
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 > c->W) x1 = c->W;
        if (y1 > c->H) y1 = c->H;
        double sx = c->pw / (c->wx1 - c->wx0), sy = c->ph / (c->wy1 - c->wy0);
        uint32_t sr = (rgb >> 16) & 255, sg = (rgb >> 8) & 255, sb = rgb & 255;
        for (size_t i = 0; i < n; i++) {
            if (group && (g >= 0 ? group[i] != g : group[i] < 0)) continue;
            double fx = c->px + (x[i] - c->wx0) * sx, fy = c->py + (c->wy1 - y[i]) * sy;
            if (!(fx >= x0 && fx < x1 && fy >= y0 && fy < y1)) continue;
            int cx = (int)fx, cy = (int)fy;
            for (int k = 0; k < nm; k++) {
                int xx = cx + mdx[k], yy = cy + mdy[k];
                if (xx < x0 || xx >= x1 || yy < y0 || yy >= y1) continue;
                uint32_t *px = (uint32_t *)(data + (size_t)yy * stride) + xx;
                int a = ma[k];
                if (a >= 256) {
                    *px = 0xff000000u | rgb;
                    continue;
                }
                uint32_t d = *px, ia = 256 - (uint32_t)a;
                uint32_t rr = (sr * a + ((d >> 16) & 255) * ia) >> 8;
                uint32_t gg = (sg * a + ((d >> 8) & 255) * ia) >> 8;
                uint32_t bb = (sb * a + (d & 255) * ia) >> 8;
                *px = 0xff000000u | rr << 16 | gg << 8 | bb;
            }
        }
        cairo_surface_mark_dirty(c->surface);
        return;
    }
    plflush();
    cairo_t *cr = c->cr;
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_rectangle(cr, c->px, c->py, c->pw, c->ph);
    cairo_clip(cr);
    cairo_new_path(cr);
    for (size_t i = 0; i < n; i++) {
        if (group && (g >= 0 ? group[i] != g : group[i] < 0)) continue;
        if (!isfinite(x[i]) || !isfinite(y[i])) continue;
        double fx = to_px(c, x[i]), fy = to_py(c, y[i]);
        cairo_new_sub_path(cr);
        cairo_arc(cr, fx, fy, r, 0, 2 * M_PI);
    }
    cairo_set_source_rgba(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0, alpha);
    cairo_fill(cr);
    cairo_restore(cr);
}

static double point_radius(const canvas *c, size_t n) {
    if (c->raster) return 0;
    return n <= 1000 ? 3 : n <= 20000 ? 2 : 1.2;
}

static double point_alpha(size_t n) { return n <= 2000 ? 0.9 : n <= 50000 ? 0.6 : 0.35; }

/* ---- the data of each kind --------------------------------------------------------- */

static void draw_scatter_xy(canvas *c, const plot *p, const double *x, const double *y) {
    double r = point_radius(c, p->n), a = point_alpha(p->n);
    if (p->ngroups)
        for (int g = 0; g < p->ngroups; g++) draw_points(c, x, y, p->n, p->group, g, plot_group_rgb(g), r, a);
    else
        draw_points(c, x, y, p->n, NULL, -1, plot_group_rgb(0), r, a);
}

static void draw_line(canvas *c, const plot *p) {
    plwidth(c->raster ? 1 : 2);
    PLFLT *xs = xmalloc((p->n ? p->n : 1) * sizeof *xs), *ys = xmalloc((p->n ? p->n : 1) * sizeof *ys);
    int nlines = p->ngroups ? p->ngroups : p->nser;
    for (int s = 0; s < nlines; s++) {
        const double *y = p->yv[p->ngroups ? 0 : s];
        set_rgb(plot_group_rgb(s), 1);
        size_t k = 0;
        for (size_t i = 0; i <= p->n; i++) {
            int keep = i < p->n && (!p->ngroups || p->group[i] == s);
            if (keep && isfinite(p->xv[i]) && isfinite(y[i])) {
                xs[k] = p->xv[i];
                ys[k++] = y[i];
            } else if (i == p->n || keep) {
                /* a missing value breaks the line; rows of other groups do not */
                if (k == 1) plpoin(1, xs, ys, 1);
                if (k > 1) plline((PLINT)k, xs, ys);
                k = 0;
            }
        }
    }
    free(xs);
    free(ys);
    plwidth(1);
}

static void draw_hist_bins(canvas *c, const plot *p, const double *edges, const double *counts, int nb, int ng) {
    double alpha = ng > 1 && !c->raster ? 0.55 : 1;
    for (int g = 0; g < ng; g++) {
        const double *k = counts + (size_t)g * nb;
        for (int b = 0; b < nb; b++) {
            if (k[b] <= 0) continue;
            set_rgb(plot_group_rgb(g), alpha);
            fill_rect(edges[b], edges[b + 1], 0, k[b]);
            if (!c->raster && nb <= 120 && p) {
                set_rgb(0xffffff, 1);
                plwidth(0.6);
                stroke_rect(edges[b], edges[b + 1], 0, k[b]);
                plwidth(1);
            }
        }
    }
}

static void draw_bar(canvas *c, const plot *p) {
    for (int i = 0; i < p->x.ncat; i++) {
        set_rgb(plot_group_rgb(0), 1);
        double h = p->heights[i];
        fill_rect(i + 1 - 0.4, i + 1 + 0.4, h < 0 ? h : 0, h < 0 ? 0 : h);
    }
    if (!c->raster && p->y.lo < 0) {
        plcol0(CI_INK);
        seg(p->x.lo, 0, p->x.hi, 0);
    }
}

static void draw_box(canvas *c, const plot *p) {
    for (int i = 0; i < p->x.ncat; i++) {
        const plot_box_stats *b = &p->boxes[i];
        if (!b->n) continue;
        double x = i + 1, w = 0.3;
        uint32_t rgb = plot_group_rgb(p->x.ncat > 1 ? i : 0);
        set_rgb(rgb, c->raster ? 1 : 0.75);
        fill_rect(x - w, x + w, b->q1, b->q3);
        plwidth(c->raster ? 1 : 1.5);
        set_rgb(c->raster ? rgb : 0x333333, 1);
        stroke_rect(x - w, x + w, b->q1, b->q3);
        seg(x, b->q3, x, b->hi);
        seg(x, b->q1, x, b->lo);
        seg(x - w / 2, b->hi, x + w / 2, b->hi);
        seg(x - w / 2, b->lo, x + w / 2, b->lo);
        plwidth(c->raster ? 1 : 2.5);
        set_rgb(c->raster ? 0xffffff : 0x222222, 1);
        seg(x - w, b->med, x + w, b->med);
        plwidth(1);
        if (b->nout) {
            double *xs = xmalloc(b->nout * sizeof *xs);
            for (size_t k = 0; k < b->nout; k++) xs[k] = x;
            draw_points(c, xs, b->out, b->nout, NULL, -1, c->raster ? rgb : 0x333333, c->raster ? 0 : 2.5, 0.8);
            free(xs);
        }
    }
}

static void draw_heat(canvas *c, const plot *p) {
    double cw = c->pw / p->nc, ch = c->ph / p->nr;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", p->decimals, -fabs(p->vmax) - fabs(p->vmin));
    int show = !c->raster && cw >= 7.5 * (double)strlen(buf) + 4 && ch >= 14;
    for (int i = 0; i < p->nr; i++)
        for (int j = 0; j < p->nc; j++) {
            double v = p->m[(size_t)i * p->nc + j];
            uint32_t rgb = plot_scale_rgb(p, v);
            set_rgb(rgb, 1);
            double y = p->nr - i;
            fill_rect(j + 0.5, j + 1.5, y - 0.5, y + 0.5);
            if (show) {
                double lum = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
                set_rgb(lum < 140 ? 0xffffff : 0x111111, 1);
                plot_fmt_value(p, buf, sizeof buf, v);
                plptex(j + 1, y, 1, 0, 0.5, buf);
            }
        }
}

/* Bins of column s of a pairs plot for its diagonal, per group. */
static double *pairs_hist(const plot *p, int s, double lo, double hi, int nb, double *top) {
    int ng = p->ngroups ? p->ngroups : 1;
    double *k = xcalloc((size_t)ng * nb, sizeof *k);
    const double *v = p->yv[s];
    *top = 0;
    for (size_t i = 0; i < p->n; i++) {
        int g = p->group ? p->group[i] : 0;
        if (g < 0 || !(v[i] >= lo && v[i] <= hi)) continue;
        int b = (int)((v[i] - lo) / (hi - lo) * nb);
        if (b >= nb) b = nb - 1;
        double *cell = &k[(size_t)g * nb + b];
        if (++*cell > *top) *top = *cell;
    }
    return k;
}

static void col_range(const plot *p, int s, double *lo, double *hi) {
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < p->n; i++) {
        double v = p->yv[s][i];
        if (p->group && p->group[i] < 0) continue;
        if (v < a) a = v;
        if (v > b) b = v;
    }
    if (!(a < b)) a -= 0.5, b += 0.5;
    double m = (b - a) * 0.05;
    *lo = a - m;
    *hi = b + m;
}

/* ---- axes, labels, legends (files only) ------------------------------------------- */

static double label_step[2];

static void label_fn(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data) {
    (void)data;
    plot_fmt_tick(label, (size_t)length, value, label_step[axis == PL_Y_AXIS]);
}

/* Grid (under the data) or frame, ticks and numbers (over it) of the current
 * panel; numbers on the sides asked for. */
static void axes(const canvas *c, const plot *p, int grid, int numx, int numy) {
    double t[64], xs = 0, ys = 0;
    int catx = p->x.ncat > 0, caty = p->y.ncat > 0;
    if (!catx) plot_ticks(c->wx0, c->wx1, (int)(c->pw / 90) + 2, t, &xs);
    if (!caty) plot_ticks(c->wy0, c->wy1, (int)(c->ph / 60) + 2, t, &ys);
    label_step[0] = xs;
    label_step[1] = ys;
    plslabelfunc(label_fn, NULL);
    if (grid) {
        plcol0(CI_GRID);
        plbox(catx ? "" : "g", xs, 0, caty ? "" : "g", ys, 0);
        return;
    }
    plcol0(CI_INK);
    char xo[16], yo[16];
    snprintf(xo, sizeof xo, "bc%s", catx ? "" : numx ? "nsto" : "st");
    snprintf(yo, sizeof yo, "bc%s", caty ? "" : numy ? "nstvo" : "st");
    plbox(xo, xs, catx ? 0 : 1, yo, ys, caty ? 0 : 1);
    plslabelfunc(NULL, NULL);
    /* categories: every one when they fit, else every k-th */
    if (catx) {
        int every = 1;
        while (p->x.ncat / every * 60.0 > c->pw * 1.2 && every < p->x.ncat) every++;
        size_t longest = 0;
        for (int i = 0; i < p->x.ncat; i += every) {
            size_t w = plot_text_width(p->x.cats[i]);
            if (w > longest) longest = w;
        }
        int vertical = longest * 10.0 > c->pw / p->x.ncat * every;
        for (int i = 0; i < p->x.ncat; i += every) {
            double pos = (i + 1 - c->wx0) / (c->wx1 - c->wx0);
            plmtex(vertical ? "bv" : "b", vertical ? 0.7 : 1.5, pos, vertical ? 1 : 0.5, p->x.cats[i]);
        }
    }
    if (caty) {
        int every = 1;
        while (p->y.ncat / every * 16.0 > c->ph && every < p->y.ncat) every++;
        for (int i = 0; i < p->y.ncat; i += every) {
            double y = p->y.ncat - i;
            double pos = (y - c->wy0) / (c->wy1 - c->wy0);
            plmtex("lv", 0.7, pos, 1, p->y.cats[i]);
        }
    }
}

static double text_px(const char *s) { return plot_text_width(s) * 10.0; }

/* Legend entries: groups, or the series of a line plot. */
static int legend_entries(const plot *p, const char *const **names) {
    if (p->ngroups && (p->kind == PLOT_SCATTER || p->kind == PLOT_LINE || p->kind == PLOT_HIST || p->kind == PLOT_PAIRS)) {
        *names = (const char *const *)p->gnames;
        return p->ngroups;
    }
    if (p->kind == PLOT_LINE && p->nser > 1) {
        *names = (const char *const *)p->snames;
        return p->nser;
    }
    return 0;
}

static double legend_width(const plot *p) {
    const char *const *names;
    int n = legend_entries(p, &names);
    double w = 0;
    for (int i = 0; i < n; i++)
        if (text_px(names[i]) > w) w = text_px(names[i]);
    return n ? w + 45 : 0;
}

static void draw_legend(canvas *c, const plot *p, double x, double y) {
    const char *const *names;
    int n = legend_entries(p, &names);
    if (!n) return;
    double lw = legend_width(p) - 10, lh = 20 * n + 8;
    set_panel(c, x, y, lw, lh, 0, lw, lh, 0);
    set_rgb(0xffffff, 0.9);
    fill_rect(0, lw, 0, lh);
    plcol0(CI_GRID);
    stroke_rect(0, lw, 0, lh);
    for (int i = 0; i < n; i++) {
        double cy = 14 + 20 * i;
        set_rgb(plot_group_rgb(i), 1);
        if (p->kind == PLOT_LINE) {
            plwidth(2.5);
            seg(6, cy, 26, cy);
            plwidth(1);
        } else
            fill_rect(9, 23, cy - 6, cy + 6);
        plcol0(CI_INK);
        plptex(32, cy + 4, 1, 0, 0, names[i]);
    }
}

static void draw_colorbar(canvas *c, const plot *p, double x, double y, double w, double h) {
    set_panel(c, x, y, w, h, 0, 1, p->vmin, p->vmax);
    int steps = 64;
    for (int k = 0; k < steps; k++) {
        double a = p->vmin + (p->vmax - p->vmin) * k / steps, b = p->vmin + (p->vmax - p->vmin) * (k + 1) / steps;
        set_rgb(plot_scale_rgb(p, (a + b) / 2), 1);
        fill_rect(0, 1, a, b);
    }
    double t[64], st;
    plot_ticks(p->vmin, p->vmax, (int)(h / 50) + 2, t, &st);
    label_step[1] = st;
    plslabelfunc(label_fn, NULL);
    plcol0(CI_INK);
    plbox("bc", 0, 0, "bcmstvo", st, 1);
    plslabelfunc(NULL, NULL);
}

/* ---- whole pages ------------------------------------------------------------------ */

static void draw_single_data(canvas *c, const plot *p) {
    switch (p->kind) {
    case PLOT_SCATTER: draw_scatter_xy(c, p, p->xv, p->yv[0]); break;
    case PLOT_LINE: draw_line(c, p); break;
    case PLOT_HIST: draw_hist_bins(c, p, p->edges, p->counts, p->nbins, p->ngroups ? p->ngroups : 1); break;
    case PLOT_BAR: draw_bar(c, p); break;
    case PLOT_BOX: draw_box(c, p); break;
    case PLOT_HEATMAP:
    case PLOT_CORR: draw_heat(c, p); break;
    case PLOT_PAIRS: break;
    }
}

static void draw_pairs_panel(canvas *c, const plot *p, int i, int j) {
    double xlo, xhi, ylo, yhi;
    col_range(p, j, &xlo, &xhi);
    if (i == j) {
        int nb = c->raster ? (int)(c->pw / 2) : 20;
        if (nb < 4) nb = 4;
        if (nb > 30) nb = 30;
        double top;
        double *k = pairs_hist(p, j, xlo, xhi, nb, &top);
        double *edges = xmalloc((size_t)(nb + 1) * sizeof *edges);
        for (int b = 0; b <= nb; b++) edges[b] = xlo + (xhi - xlo) * b / nb;
        plwind(xlo, xhi, 0, top > 0 ? top * 1.08 : 1);
        c->wx0 = xlo, c->wx1 = xhi, c->wy0 = 0, c->wy1 = top > 0 ? top * 1.08 : 1;
        draw_hist_bins(c, NULL, edges, k, nb, p->ngroups ? p->ngroups : 1);
        free(edges);
        free(k);
        return;
    }
    col_range(p, i, &ylo, &yhi);
    c->wx0 = xlo, c->wx1 = xhi, c->wy0 = ylo, c->wy1 = yhi;
    plwind(xlo, xhi, ylo, yhi);
    draw_scatter_xy(c, p, p->yv[j], p->yv[i]);
}

static void draw_page(canvas *c, const plot *p) {
    int W = c->W, H = c->H;
    double top = p->title && *p->title ? 44 : 16;
    if (p->kind == PLOT_PAIRS) {
        int k = p->nser;
        double lw = legend_width(p);
        double left = 62, bottom = 52, right = 12 + lw, gap = 6;
        double pw = (W - left - right - gap * (k - 1)) / k, ph = (H - top - bottom - gap * (k - 1)) / k;
        plschr(0, k > 4 ? 0.7 : 0.85);
        plot_axis none = {0};
        plot q = *p;
        q.x = none;
        q.y = none;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                double x = left + j * (pw + gap), y = top + i * (ph + gap);
                set_panel(c, x, y, pw, ph, 0, 1, 0, 1);
                plcol0(CI_INK);
                draw_pairs_panel(c, p, i, j);
                axes(c, &q, 0, i == k - 1, j == 0 && i != j);
                if (i == k - 1) plmtex("b", 3.0, 0.5, 0.5, p->snames[j]);
                if (j == 0) plmtex("l", 4.2, 0.5, 0.5, p->snames[i]);
            }
        plschr(0, 1.0);
        set_panel(c, 0, 0, W, H, 0, 1, 0, 1);
        plcol0(CI_INK);
        plmtex("t", -1.8, 0.5, 0.5, p->title);
        draw_legend(c, p, W - lw - 2, top);
        return;
    }
    int heat = p->kind == PLOT_HEATMAP || p->kind == PLOT_CORR;
    double left = 80, bottom = 58, right = 22 + legend_width(p);
    if (heat) {
        double lw = 0, bw = 0;
        for (int i = 0; i < p->y.ncat; i++)
            if (text_px(p->y.cats[i]) > lw) lw = text_px(p->y.cats[i]);
        for (int j = 0; j < p->x.ncat; j++)
            if (text_px(p->x.cats[j]) > bw) bw = text_px(p->x.cats[j]);
        left = 24 + (lw > 220 ? 220 : lw);
        double cellw = (W - left - 90) / p->nc;
        bottom = 24 + (bw > cellw - 6 ? (bw > 160 ? 160 : bw) : 18);
        right = 90;
    }
    double ytw = 0; /* the widest y tick label, in pixels */
    if (!heat && !p->y.ncat) {
        double t[64], st;
        int n = plot_ticks(p->y.lo, p->y.hi, (int)((H - top - bottom) / 60) + 2, t, &st);
        for (int i = 0; i < n; i++) {
            char buf[64];
            plot_fmt_tick(buf, sizeof buf, t[i], st);
            if (strlen(buf) * 12.0 > ytw) ytw = strlen(buf) * 12.0;
        }
        left = 44 + ytw;
    }
    double pw = W - left - right, ph = H - top - bottom;
    if (pw < 20) pw = 20;
    if (ph < 20) ph = 20;
    set_panel(c, left, top, pw, ph, p->x.lo, p->x.hi, p->y.lo, p->y.hi);
    if (!heat) axes(c, p, 1, 0, 0);
    draw_single_data(c, p);
    axes(c, p, 0, 1, 1);
    plcol0(CI_INK);
    plmtex("b", p->x.ncat ? 3.4 : 3.0, 0.5, 0.5, p->xlabel);
    set_panel(c, 0, 0, W, H, 0, W, H, 0);
    plcol0(CI_INK);
    /* the y label at a pixel position: left of the widest tick label */
    if (!heat) plptex(left - ytw - 24, top + ph / 2, 0, -1, 0.5, p->ylabel);
    set_panel(c, 0, 0, W, H, 0, 1, 0, 1);
    plcol0(CI_INK);
    plschr(0, 1.25);
    plmtex("t", -1.6, 0.5, 0.5, p->title);
    plschr(0, 1.0);
    if (heat) draw_colorbar(c, p, left + pw + 18, top, 16, ph);
    else draw_legend(c, p, left + pw + 12, top);
}

/* ---- surfaces -------------------------------------------------------------------- */

static cairo_status_t write_file(void *closure, const unsigned char *data, unsigned int length) {
    return fwrite(data, 1, length, (FILE *)closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length) {
    strbuf_add((strbuf *)closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void check_size(int *w, int *h) {
    if (*w <= 0) *w = DEFAULT_W;
    if (*h <= 0) *h = DEFAULT_H;
    if (*w < 200) *w = 200;
    if (*h < 150) *h = 150;
    if (*w > 8000) *w = 8000;
    if (*h > 8000) *h = 8000;
}

static int draw_on(const plot *p, cairo_surface_t *s, int W, int H, int image, lab_err *e) {
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return lab_fail(e, "plot: cannot make a %dx%d surface: %s", W, H, cairo_status_to_string(cairo_surface_status(s)));
    canvas c = {.surface = s, .W = W, .H = H, .image = image};
    c.cr = cairo_create(s);
    cairo_set_source_rgb(c.cr, 1, 1, 1);
    cairo_paint(c.cr);
    pl_begin(&c);
    draw_page(&c, p);
    int rc = pl_end(e);
    cairo_surface_flush(s);
    cairo_destroy(c.cr);
    return rc;
}

int plot_png(const plot *p, int width, int height, strbuf *out, lab_err *e) {
    check_size(&width, &height);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    int rc = draw_on(p, s, width, height, 1, e);
    if (rc == 0 && cairo_surface_write_to_png_stream(s, write_buf, out) != CAIRO_STATUS_SUCCESS)
        rc = lab_fail(e, "plot: cannot encode the PNG");
    cairo_surface_destroy(s);
    return rc;
}

int plot_save(const plot *p, const char *path, int width, int height, lab_err *e) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (slash && dot && dot < slash) dot = NULL;
    enum { PNG, SVG, PDF } fmt;
    if (dot && strcasecmp(dot, ".png") == 0) fmt = PNG;
    else if (dot && strcasecmp(dot, ".svg") == 0) fmt = SVG;
    else if (dot && strcasecmp(dot, ".pdf") == 0) fmt = PDF;
    else if (dot)
        return lab_fail(e, "save: unknown file extension '%s' in '%s' (use .png, .svg or .pdf)", dot, path);
    else return lab_fail(e, "save: '%s' has no file extension (use .png, .svg or .pdf)", path);
    check_size(&width, &height);
    FILE *fp = fopen(path, "wb");
    if (!fp) return lab_fail(e, "save: cannot write '%s': %s", path, strerror(errno));
    int rc;
    if (fmt == PNG) {
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
        rc = draw_on(p, s, width, height, 1, e);
        if (rc == 0 && cairo_surface_write_to_png_stream(s, write_file, fp) != CAIRO_STATUS_SUCCESS)
            rc = lab_fail(e, "save: cannot write '%s': %s", path, strerror(errno));
        cairo_surface_destroy(s);
    } else if (fmt == PDF) {
        cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_file, fp, width, height);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, plot_title(p));
        rc = draw_on(p, s, width, height, 0, e);
        cairo_surface_finish(s);
        if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
            rc = lab_fail(e, "save: cannot write '%s': %s", path, cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
    } else {
        /* cairo writes text as glyph outlines; a <title> element gives the
         * file its title as text (what viewers and screen readers show) */
        strbuf svg = {0};
        cairo_surface_t *s = cairo_svg_surface_create_for_stream(write_buf, &svg, width, height);
        rc = draw_on(p, s, width, height, 0, e);
        cairo_surface_finish(s);
        if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
            rc = lab_fail(e, "save: cannot write '%s': %s", path, cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        if (rc == 0 && svg.s) {
            const char *open = strstr(svg.s, "<svg");
            const char *end = open ? strchr(open, '>') : NULL;
            size_t head = end ? (size_t)(end - svg.s) + 1 : 0;
            strbuf t = {0};
            strbuf_adds(&t, "\n<title>");
            for (const char *c = plot_title(p); *c; c++) {
                if (*c == '<') strbuf_adds(&t, "&lt;");
                else if (*c == '>') strbuf_adds(&t, "&gt;");
                else if (*c == '&') strbuf_adds(&t, "&amp;");
                else strbuf_add(&t, c, 1);
            }
            strbuf_adds(&t, "</title>");
            if (fwrite(svg.s, 1, head, fp) != head || (t.s && fwrite(t.s, 1, t.n, fp) != t.n) ||
                fwrite(svg.s + head, 1, svg.n - head, fp) != svg.n - head)
                rc = lab_fail(e, "save: cannot write '%s': %s", path, strerror(errno));
            free(t.s);
        }
        free(svg.s);
    }
    if (fclose(fp) != 0 && rc == 0) rc = lab_fail(e, "save: cannot write '%s': %s", path, strerror(errno));
    if (rc != 0) remove(path);
    return rc;
}

/* ---- rasters for the terminal ---------------------------------------------------------- */

uint8_t *plot_raster(const plot *p, int W, int H, const int *rects, lab_err *e) {
    if (W < 1 || H < 1 || W > 10000 || H > 10000) {
        lab_fail(e, "plot: raster size %dx%d out of range", W, H);
        return NULL;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        lab_fail(e, "plot: cannot make a %dx%d raster", W, H);
        cairo_surface_destroy(s);
        return NULL;
    }
    canvas c = {.surface = s, .W = W, .H = H, .image = 1, .raster = 1};
    c.cr = cairo_create(s);
    cairo_set_source_rgb(c.cr, 1, 1, 1);
    cairo_paint(c.cr);
    pl_begin(&c);
    if (p->kind == PLOT_PAIRS) {
        int k = p->nser, gap = 2;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                int r[4];
                if (rects) memcpy(r, rects + 4 * (i * k + j), sizeof r);
                else {
                    int pw = (W - gap * (k - 1)) / k, ph = (H - gap * (k - 1)) / k;
                    r[0] = j * (pw + gap), r[1] = i * (ph + gap), r[2] = pw, r[3] = ph;
                }
                set_panel(&c, r[0], r[1], r[2], r[3], 0, 1, 0, 1);
                draw_pairs_panel(&c, p, i, j);
            }
    } else {
        int r[4] = {0, 0, W, H};
        if (rects) memcpy(r, rects, sizeof r);
        set_panel(&c, r[0], r[1], r[2], r[3], p->x.lo, p->x.hi, p->y.lo, p->y.hi);
        draw_single_data(&c, p);
    }
    int rc = pl_end(e);
    cairo_surface_flush(s);
    cairo_destroy(c.cr);
    uint8_t *out = NULL;
    if (rc == 0) {
        out = xmalloc((size_t)W * H * 4);
        const uint8_t *d = cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s);
        for (int y = 0; y < H; y++) {
            const uint32_t *row = (const uint32_t *)(d + (size_t)y * stride);
            for (int x = 0; x < W; x++) {
                uint8_t *o = out + ((size_t)y * W + x) * 4;
                o[0] = (uint8_t)(row[x] >> 16);
                o[1] = (uint8_t)(row[x] >> 8);
                o[2] = (uint8_t)row[x];
                o[3] = 255;
            }
        }
    }
    cairo_surface_destroy(s);
    return out;
}

uint8_t *plot_render_rgba(const plot *p, int width, int height, lab_err *e) {
    return plot_raster(p, width, height, NULL, e);
}
