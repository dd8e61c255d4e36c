/* term.c — plots as terminal text: the title, tick labels, axis labels and
 * legend are written as characters, and only the data area comes from a
 * raster that PLplot draws (draw.c's plot_raster), two by four pixels a cell,
 * turned into braille dots. Heatmaps are the exception: their cells are
 * written directly as coloured blocks with their values in them, since values
 * are text and text must never be rasterised at terminal resolution.
 *
 * Trade-off: one raster path serves every kind (lines, bars, boxes, points
 * drawn once, by the same code as the files), at the price of a PLplot
 * session per rendering (about 20 ms) and of one colour per cell: where two
 * groups meet in one cell, the one with more dots wins.
 *
 * One layout, two outputs: render() fills a grid of cells, which plot_text
 * emits as text with ANSI escapes and plot_cells hands to a host that draws
 * cells itself (the workbench's curses plot pane), so the two never drift. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

enum { F_FG = 1, F_BG = 2, F_BOLD = 4 };

typedef struct tcell {
    char ch[5];
    uint8_t flags;
    uint32_t fg, bg;
} tcell;

typedef struct grid {
    int W, H;
    tcell *c;
} grid;

static tcell *at(grid *g, int r, int c) { return &g->c[(size_t)r * g->W + c]; }

/* Write UTF-8 text from (r, col), one character a cell, cut at max cells. */
static int put(grid *g, int r, int col, const char *s, int max, uint8_t flags, uint32_t fg) {
    int n = 0;
    if (r < 0 || r >= g->H) return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < max) {
        int len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;
        int k = 0;
        while (k < len && p[k]) k++;
        if (col + n >= 0 && col + n < g->W) {
            tcell *t = at(g, r, col + n);
            memcpy(t->ch, p, (size_t)k);
            t->ch[k] = 0;
            t->flags = (uint8_t)((t->flags & F_BG) | flags);
            t->fg = fg;
        }
        p += k;
        n++;
    }
    return n;
}

/* Text cut to at most max cells, with "…" where it was cut. */
static void cut(char *out, size_t cap, const char *s, int max) {
    int w = (int)plot_text_width(s);
    if (w <= max || max < 2) {
        snprintf(out, cap, "%s", s);
        if (max < 2 && w > max) out[max > 0 ? 1 : 0] = 0;
        return;
    }
    size_t i = 0;
    int n = 0;
    while (s[i] && n < max - 1) {
        i++;
        while ((s[i] & 0xc0) == 0x80) i++;
        n++;
    }
    snprintf(out, cap, "%.*s…", (int)i, s);
}

/* ---- colours ----------------------------------------------------------------- */

static int cube(int v) { return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40; }

static int xterm256(uint32_t rgb) {
    int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
    return 16 + 36 * cube(r) + 6 * cube(g) + cube(b);
}

static void add_color(strbuf *b, int bg, uint32_t rgb, plot_color mode) {
    char buf[32];
    if (mode == PLOT_COLOR_TRUE)
        snprintf(buf, sizeof buf, "\x1b[%d;2;%u;%u;%um", bg ? 48 : 38, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
    else snprintf(buf, sizeof buf, "\x1b[%d;5;%dm", bg ? 48 : 38, xterm256(rgb));
    strbuf_adds(b, buf);
}

static char *emit(grid *g, plot_color mode) {
    strbuf b = {0};
    for (int r = 0; r < g->H; r++) {
        const tcell *prev = NULL;
        for (int c = 0; c < g->W; c++) {
            tcell *t = at(g, r, c);
            if (mode != PLOT_COLOR_NONE) {
                int same = prev && prev->flags == t->flags && (!(t->flags & F_FG) || prev->fg == t->fg) &&
                           (!(t->flags & F_BG) || prev->bg == t->bg);
                if (!same && (t->flags || (prev && prev->flags))) {
                    if (prev && prev->flags) strbuf_adds(&b, "\x1b[0m");
                    if (t->flags & F_BOLD) strbuf_adds(&b, "\x1b[1m");
                    if (t->flags & F_FG) add_color(&b, 0, t->fg, mode);
                    if (t->flags & F_BG) add_color(&b, 1, t->bg, mode);
                }
                prev = t;
            }
            strbuf_adds(&b, t->ch[0] ? t->ch : " ");
        }
        if (mode != PLOT_COLOR_NONE && prev && prev->flags) strbuf_adds(&b, "\x1b[0m");
        strbuf_adds(&b, "\n");
    }
    return b.s;
}

/* ---- pieces ------------------------------------------------------------------- */

static const char *const *legend_names(const plot *p, int *n) {
    *n = 0;
    if (p->ngroups && p->kind != PLOT_BOX) {
        *n = p->ngroups;
        return (const char *const *)p->gnames;
    }
    if (p->kind == PLOT_LINE && p->nser > 1) {
        *n = p->nser;
        return (const char *const *)p->snames;
    }
    return NULL;
}

/* The legend, right-aligned on row r from column `from`. */
static void draw_legend(grid *g, const plot *p, int r, int from, uint8_t colored) {
    int n;
    const char *const *names = legend_names(p, &n);
    if (!names) return;
    int w = 0;
    for (int i = 0; i < n; i++) w += 2 + (int)plot_text_width(names[i]) + (i ? 2 : 0);
    int c = g->W - w;
    if (c < from) c = from;
    for (int i = 0; i < n && c < g->W; i++) {
        if (i) c += 2;
        put(g, r, c, p->kind == PLOT_LINE ? "─" : "■", 1, colored ? F_FG : 0, plot_group_rgb(i));
        c += 2;
        c += put(g, r, c, names[i], g->W - c, 0, 0);
    }
}

/* The heatmap colour scale on row r: "min ▇▇▇▇ max", right-aligned. */
static void draw_scale(grid *g, const plot *p, int r, int from, plot_color mode) {
    char lo[32], hi[32];
    plot_fmt_value(p, lo, sizeof lo, p->vmin);
    plot_fmt_value(p, hi, sizeof hi, p->vmax);
    int steps = 12;
    int w = (int)strlen(lo) + (int)strlen(hi) + steps + 2;
    int c = g->W - w;
    if (c < from) return;
    c += put(g, r, c, lo, 32, 0, 0) + 1;
    static const char *shade[] = {" ", "░", "▒", "▓", "█"};
    for (int k = 0; k < steps; k++) {
        double v = p->vmin + (p->vmax - p->vmin) * (k + 0.5) / steps;
        if (mode == PLOT_COLOR_NONE) put(g, r, c++, shade[k * 5 / steps], 1, 0, 0);
        else put(g, r, c++, "█", 1, F_FG, plot_scale_rgb(p, v));
    }
    put(g, r, c + 1, hi, 32, 0, 0);
}

/* Braille from the raster: pixel (x, y) of the raster is dot (x % 2, y % 4)
 * of cell (x / 2, y / 4); a cell takes the colour most of its dots have. */
static void braille(grid *g, const uint8_t *rgba, int pw, int ph, int r0, int c0, int colored) {
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    int W = pw * 2;
    for (int cr = 0; cr < ph; cr++)
        for (int cc = 0; cc < pw; cc++) {
            uint8_t bits = 0;
            uint32_t cols[8];
            int ncol = 0;
            for (int dy = 0; dy < 4; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    const uint8_t *px = rgba + ((size_t)(cr * 4 + dy) * W + (cc * 2 + dx)) * 4;
                    if (px[0] + px[1] + px[2] >= 3 * 255 - 40) continue;
                    bits |= bit[dy][dx];
                    cols[ncol++] = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
                }
            if (!bits) continue;
            uint32_t best = cols[0];
            int bestn = 0;
            for (int i = 0; i < ncol; i++) {
                int k = 0;
                for (int j = 0; j < ncol; j++) k += cols[j] == cols[i];
                if (k > bestn) bestn = k, best = cols[i];
            }
            char ch[4] = {(char)0xe2, (char)(0xa0 | (bits >> 6)), (char)(0x80 | (bits & 0x3f)), 0};
            put(g, r0 + cr, c0 + cc, ch, 1, colored ? F_FG : 0, best);
        }
}

static int fits(const int *used, int W, int c, int w) {
    if (c < 0 || c + w > W) return 0;
    for (int i = c > 0 ? c - 1 : 0; i < c + w + 1 && i < W; i++)
        if (used[i]) return 0;
    return 1;
}

/* ---- the whole text ------------------------------------------------------------- */

/* Lay p out on g (cols x rows cells, zeroed). Returns 0, or -1 with e filled. */
static int render(const plot *p, const grid *dst, int colored, lab_err *e) {
    grid g = *dst; /* the same cells: a shorter name */
    int cols = g.W, rows = g.H;
    plot_color mode = colored ? PLOT_COLOR_256 : PLOT_COLOR_NONE;
    int rc = -1;
    int heat = p->kind == PLOT_HEATMAP || p->kind == PLOT_CORR;
    int pairs = p->kind == PLOT_PAIRS;
    char buf[256];
    uint8_t *rgba = NULL;

    /* title, then the y label and the legend (or colour scale) */
    cut(buf, sizeof buf, plot_title(p), cols);
    put(&g, 0, (cols - (int)plot_text_width(buf)) / 2, buf, cols, F_BOLD, 0);
    int yl = 0;
    if (!heat && !pairs && *p->ylabel) {
        cut(buf, sizeof buf, p->ylabel, cols / 2);
        yl = put(&g, 1, 0, buf, cols, 0, 0);
    }
    if (heat) draw_scale(&g, p, 1, yl + 2, mode);
    else draw_legend(&g, p, 1, yl + 2, (uint8_t)colored);

    int top = 2, axis_row = rows - 3, ph = axis_row - top;
    if (*p->xlabel && !pairs) {
        cut(buf, sizeof buf, p->xlabel, cols);
        put(&g, rows - 1, (cols - (int)plot_text_width(buf)) / 2, buf, cols, 0, 0);
    } else if (!pairs) {
        axis_row = rows - 2;
        ph = axis_row - top;
    }

    /* y ticks and the left gutter */
    double yt[64], xt[64], ys = 1, xs = 1;
    int nyt = 0, nxt = 0, gw = 0;
    if (pairs) {
        for (int s = 0; s < p->nser; s++) {
            int w = (int)plot_text_width(p->snames[s]);
            if (w > gw) gw = w;
        }
        if (gw > 12) gw = 12;
    } else if (p->y.ncat) {
        for (int i = 0; i < p->y.ncat; i++) {
            int w = (int)plot_text_width(p->y.cats[i]);
            if (w > gw) gw = w;
        }
        if (gw > 14) gw = 14;
    } else {
        nyt = plot_ticks(p->y.lo, p->y.hi, ph / 3 > 2 ? ph / 3 : 2, yt, &ys);
        for (int i = 0; i < nyt; i++) {
            plot_fmt_tick(buf, sizeof buf, yt[i], ys);
            int w = (int)strlen(buf);
            if (w > gw) gw = w;
        }
    }
    int c0 = gw + 1, pw = cols - c0;
    if (pw < 8 || ph < 3) {
        lab_fail(e, "text: %dx%d is too small for this plot", cols, rows);
        goto done;
    }

    /* the axes: a frame line on the left and at the bottom */
    if (!pairs) {
        for (int r = top; r < axis_row; r++) put(&g, r, gw, "│", 1, 0, 0);
        put(&g, axis_row, gw, "└", 1, 0, 0);
        for (int c = c0; c < cols; c++) put(&g, axis_row, c, "─", 1, 0, 0);
    }

    if (heat) {
        /* cells written directly: colour blocks with their values */
        for (int i = 0; i < p->nr; i++) {
            int r1 = top + i * ph / p->nr, r2 = top + (i + 1) * ph / p->nr;
            if (r2 == r1) continue;
            cut(buf, sizeof buf, p->y.cats[i], gw);
            put(&g, (r1 + r2 - 1) / 2, gw - (int)plot_text_width(buf), buf, gw, 0, 0);
            for (int j = 0; j < p->nc; j++) {
                int a = c0 + j * pw / p->nc, b = c0 + (j + 1) * pw / p->nc;
                double v = p->m[(size_t)i * p->nc + j];
                uint32_t rgb = plot_scale_rgb(p, v);
                double t = isfinite(v) ? (v - p->vmin) / (p->vmax - p->vmin) : 0;
                for (int r = r1; r < r2; r++)
                    for (int c = a; c < b; c++) {
                        tcell *cell = at(&g, r, c);
                        if (colored) {
                            cell->flags = F_BG;
                            cell->bg = rgb;
                        }
                    }
                char val[64];
                plot_fmt_value(p, val, sizeof val, v);
                int w = (int)strlen(val);
                double lum = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
                if (w <= b - a - 1 || (w <= b - a && p->nc == 1))
                    put(&g, (r1 + r2 - 1) / 2, a + (b - a - w) / 2, val, w, colored ? F_FG : 0,
                        lum < 140 ? 0xffffff : 0x111111);
                else if (!colored) {
                    static const char *shade[] = {"·", "░", "▒", "▓", "█"};
                    int k = (int)(t * 4.999);
                    for (int r = r1; r < r2; r++)
                        for (int c = a; c < b; c++) put(&g, r, c, shade[k < 0 ? 0 : k], 1, 0, 0);
                }
            }
        }
        /* column labels under the axis, each inside its column */
        for (int j = 0; j < p->nc; j++) {
            int a = c0 + j * pw / p->nc, b = c0 + (j + 1) * pw / p->nc;
            cut(buf, sizeof buf, p->x.cats[j], b - a - 1 > 1 ? b - a - 1 : 1);
            int w = (int)plot_text_width(buf);
            put(&g, axis_row + 1, a + (b - a - w) / 2, buf, w, 0, 0);
        }
        rc = 0;
        goto done;
    }

    if (pairs) {
        int k = p->nser, gap = 1;
        int pcw = (pw - gap * (k - 1)) / k, pch = (ph + 1 - gap * (k - 1)) / k;
        if (pcw < 3 || pch < 2) {
            lab_fail(e, "text: %dx%d is too small for %d x %d panels", cols, rows, k, k);
            goto done;
        }
        int *rects = xmalloc((size_t)k * k * 4 * sizeof *rects);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                int *r = rects + 4 * (i * k + j);
                r[0] = j * (pcw + gap) * 2, r[1] = i * (pch + gap) * 4, r[2] = pcw * 2, r[3] = pch * 4;
            }
        rgba = plot_raster(p, pw * 2, ph * 4, rects, e);
        free(rects);
        if (!rgba) goto done;
        /* faint panel backgrounds so the panels read as a grid */
        braille(&g, rgba, pw, ph, top, c0, colored);
        for (int i = 0; i < k; i++) {
            cut(buf, sizeof buf, p->snames[i], gw);
            put(&g, top + i * (pch + gap) + pch / 2, gw - (int)plot_text_width(buf), buf, gw, 0, 0);
            cut(buf, sizeof buf, p->snames[i], pcw);
            put(&g, axis_row, c0 + i * (pcw + gap) + (pcw - (int)plot_text_width(buf)) / 2, buf, pcw, 0, 0);
            for (int j = 0; j < k; j++)
                for (int r = 0; r < pch; r++)
                    for (int c = 0; c < pcw; c++) {
                        tcell *t = at(&g, top + i * (pch + gap) + r, c0 + j * (pcw + gap) + c);
                        if (!t->ch[0]) {
                            strcpy(t->ch, "⠀");
                            if (colored) t->flags |= F_BG, t->bg = 0x262626;
                        } else if (colored) t->flags |= F_BG, t->bg = 0x262626;
                    }
        }
        rc = 0;
        goto done;
    }

    /* y tick labels and marks */
    for (int i = 0; i < nyt; i++) {
        double fy = (p->y.hi - yt[i]) / (p->y.hi - p->y.lo) * ph;
        int r = top + (int)fy;
        if (r >= axis_row) r = axis_row - 1;
        if (r < top) r = top;
        plot_fmt_tick(buf, sizeof buf, yt[i], ys);
        put(&g, r, gw - (int)strlen(buf), buf, gw, 0, 0);
        put(&g, r, gw, "┤", 1, 0, 0);
    }

    /* x tick labels: numbers, or the categories */
    int *used = xcalloc((size_t)cols, sizeof *used);
    if (p->x.ncat) {
        for (int i = 0; i < p->x.ncat; i++) {
            double fx = (i + 1 - p->x.lo) / (p->x.hi - p->x.lo) * pw;
            int c = c0 + (int)fx;
            int room = pw / p->x.ncat - 1;
            cut(buf, sizeof buf, p->x.cats[i], room > 1 ? room : 1);
            int w = (int)plot_text_width(buf);
            put(&g, axis_row, c, "┬", 1, 0, 0);
            if (fits(used, cols, c - w / 2, w)) {
                put(&g, axis_row + 1, c - w / 2, buf, w, 0, 0);
                for (int k = c - w / 2; k < c - w / 2 + w; k++) used[k] = 1;
            }
        }
    } else {
        nxt = plot_ticks(p->x.lo, p->x.hi, pw / 10 > 2 ? pw / 10 : 2, xt, &xs);
        for (int i = 0; i < nxt; i++) {
            double fx = (xt[i] - p->x.lo) / (p->x.hi - p->x.lo) * pw;
            int c = c0 + (int)fx;
            if (c >= cols) c = cols - 1;
            plot_fmt_tick(buf, sizeof buf, xt[i], xs);
            int w = (int)strlen(buf);
            int start = c - w / 2;
            if (start + w > cols) start = cols - w;
            put(&g, axis_row, c, "┬", 1, 0, 0);
            if (fits(used, cols, start, w)) {
                put(&g, axis_row + 1, start, buf, w, 0, 0);
                for (int k = start; k < start + w; k++) used[k] = 1;
            }
        }
    }
    free(used);

    rgba = plot_raster(p, pw * 2, ph * 4, NULL, e);
    if (!rgba) goto done;
    braille(&g, rgba, pw, ph, top, c0, colored);
    rc = 0;
done:
    free(rgba);
    return rc;
}

static int check_size(int cols, int rows, lab_err *e) {
    if (cols < 30 || rows < 10 || cols > 2000 || rows > 1000)
        return lab_fail(e, "text: size %dx%d out of range (at least 30 columns and 10 rows)", cols, rows);
    return 0;
}

char *plot_text(const plot *p, int cols, int rows, plot_color mode, lab_err *e) {
    if (check_size(cols, rows, e) < 0) return NULL;
    grid g = {cols, rows, xcalloc((size_t)cols * rows, sizeof(tcell))};
    char *out = render(p, &g, mode != PLOT_COLOR_NONE, e) < 0 ? NULL : emit(&g, mode);
    free(g.c);
    return out;
}

/* ---- cells for a curses host ------------------------------------------------------ */

/* The ASCII stand-in for a glyph the renderer writes: braille by how many
 * dots it has, lines and blocks by their shape; other text is left alone. */
static void to_ascii(char *ch) {
    const unsigned char *u = (const unsigned char *)ch;
    static const struct { const char *from, *to; } map[] = {
        {"│", "|"}, {"─", "-"}, {"└", "+"}, {"┤", "+"}, {"┬", "+"}, {"■", "#"}, {"█", "#"},
        {"░", "."}, {"▒", ":"}, {"▓", "%"}, {"·", "."}, {"…", "~"}, {NULL, NULL}};
    if (u[0] < 0x80) return;
    if (u[0] == 0xe2 && (u[1] & 0xfc) == 0xa0) { /* braille U+2800..U+28FF */
        int bits = (u[1] & 3) << 6 | (u[2] & 0x3f), n = 0;
        for (; bits; bits &= bits - 1) n++;
        strcpy(ch, n == 0 ? " " : n <= 2 ? "." : n <= 5 ? ":" : "#");
        return;
    }
    for (int i = 0; map[i].from; i++)
        if (strcmp(ch, map[i].from) == 0) {
            strcpy(ch, map[i].to);
            return;
        }
    strcpy(ch, "?");
}

int plot_cells(const plot *p, int cols, int rows, int flags, plot_cell **out, lab_err *e) {
    *out = NULL;
    if (check_size(cols, rows, e) < 0) return -1;
    size_t n = (size_t)cols * rows;
    grid g = {cols, rows, xcalloc(n, sizeof(tcell))};
    int colored = (flags & PLOT_CELLS_COLOR) != 0;
    if (render(p, &g, colored, e) < 0) {
        free(g.c);
        return -1;
    }
    plot_cell *c = xcalloc(n, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        const tcell *t = &g.c[i];
        if (t->ch[0]) memcpy(c[i].ch, t->ch, sizeof c[i].ch);
        else strcpy(c[i].ch, " ");
        if (flags & PLOT_CELLS_ASCII) to_ascii(c[i].ch);
        c[i].bold = (t->flags & F_BOLD) != 0;
        c[i].fg = colored && (t->flags & F_FG) ? (int16_t)xterm256(t->fg) : -1;
        c[i].bg = colored && (t->flags & F_BG) ? (int16_t)xterm256(t->bg) : -1;
    }
    free(g.c);
    *out = c;
    return 0;
}
