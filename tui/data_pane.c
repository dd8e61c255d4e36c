/* data_pane.c — the data viewer: any frame of the session as a table that
 * scrolls, sorts, filters and summarises, in the manner of VisiData.
 *
 * The pane keeps a stack of views. Each view is a frame held alive by a Lua
 * reference (luaL_ref in the registry), so the session's collector cannot
 * free it while it is shown; sorting, filtering, a column's summary and its
 * frequency table each push a new view on the stack ("q" goes back), and any
 * view can be named into a global of the session. Drawing touches only the
 * rows on screen: column widths come from the visible cells, so a frame of
 * ten million rows draws as fast as one of ten. The price is that widths
 * change a little as the user scrolls, which VisiData accepts too.
 *
 * Filters are Lua expressions. The expression is first evaluated once with
 * each column bound to its Column (so `petal_length:gt(5)` gives a mask at
 * engine speed); when that does not give a boolean column of the frame's
 * length, it is evaluated once per row with the row's values bound to the
 * column names (`petal_length > 5 and species ~= "setosa"`). A row whose
 * expression fails while one of its values is NA is dropped, as SQL drops
 * NULL comparisons; any other failure stops the filter with a one-line
 * message and the viewer stays as it was.
 *
 * LAB_DRAW_LOG=FILE appends one line per draw of this pane with its time in
 * milliseconds ("data_draw 0.215 ms top=123"), for bench/tui. */
#include "tui.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/ops.h"
#include "data/print.h"
#include "data/stats.h"

#define MAX_VIEWS 32
#define CELL_MAX 256 /* bytes of one cell's text */
#define GAP 2        /* cells between columns */

typedef enum view_kind {
    VIEW_FRAME,   /* a frame of the session, or one derived from it */
    VIEW_FREQ,    /* value counts of a column, drawn with bars */
    VIEW_SUMMARY  /* describe of a column */
} view_kind;

typedef struct view {
    view_kind kind;
    int ref;         /* registry reference to the Frame userdata */
    char name[64];   /* a global that holds it, "" when it has none */
    char desc[256];  /* how it was made: "df | filter x > 1 | sorted by y ↓" */
    size_t top, row; /* first row on screen, cursor row */
    int left, col;   /* first column on screen, cursor column */
    char src_col[128]; /* VIEW_FREQ: the column counted */
} view;

typedef struct data_state {
    tui *t;
    view views[MAX_VIEWS];
    int depth;
    char title[400];
    char msg[256];   /* a one-line message on the status line */
    int msg_error;
    char *last_filter, *last_search;
    int search_back; /* direction of the last search */
    FILE *log;       /* LAB_DRAW_LOG */
} data_state;

/* ---- views and frames ---------------------------------------------------- */

static data_state *state_of(pane *p) { return p->state; }

static view *cur(data_state *s) { return s->depth ? &s->views[s->depth - 1] : NULL; }

/* The frame of view v (borrowed from its userdata; re-read every time,
 * because Lua may replace the frame inside the userdata). */
static frame *view_frame(lua_State *L, const view *v) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref);
    frame *f = lab_testframe(L, -1);
    lua_pop(L, 1);
    return f;
}

static void set_msg(data_state *s, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(data_state *s, int error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    /* one line: Lua messages may carry a traceback */
    char *nl = strchr(s->msg, '\n');
    if (nl) *nl = '\0';
    s->msg_error = error;
}

static void drop_view(lua_State *L, view *v) {
    luaL_unref(L, LUA_REGISTRYINDEX, v->ref);
    v->ref = LUA_NOREF;
}

/* Push a view for the Frame on top of the Lua stack (popped). The stack of
 * views drops its oldest view when full. Returns the new view. */
static view *push_view(data_state *s, lua_State *L, view_kind kind, const char *name,
                       const char *desc) {
    if (s->depth == MAX_VIEWS) {
        drop_view(L, &s->views[0]);
        memmove(&s->views[0], &s->views[1], (MAX_VIEWS - 1) * sizeof s->views[0]);
        s->depth--;
    }
    view *v = &s->views[s->depth++];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    snprintf(v->name, sizeof v->name, "%s", name ? name : "");
    snprintf(v->desc, sizeof v->desc, "%s", desc ? desc : "");
    return v;
}

/* The description a view derived from v starts with. */
static void derived_desc(const view *v, const char *what, char *out, size_t cap) {
    const char *base = v->name[0] ? v->name : v->desc;
    if (base[0]) snprintf(out, cap, "%.100s | %.150s", base, what);
    else snprintf(out, cap, "%s", what);
}

static void update_title(pane *p) {
    data_state *s = state_of(p);
    view *v = cur(s);
    if (!v) {
        snprintf(s->title, sizeof s->title, "Data");
        p->title = s->title;
        return;
    }
    frame *f = view_frame(tui_lua(s->t), v);
    const char *times = tui_utf8(s->t) ? "×" : "x";
    char shape[64] = "";
    if (f) snprintf(shape, sizeof shape, "%zu rows %s %d cols", f->nrow, times, f->ncol);
    const char *name = v->name[0] ? v->name : "(unnamed)";
    if (v->desc[0] && !v->name[0]) snprintf(s->title, sizeof s->title, "Data: %s  %s", v->desc, shape);
    else if (v->desc[0]) snprintf(s->title, sizeof s->title, "Data: %s  %s  (%s)", name, shape, v->desc);
    else snprintf(s->title, sizeof s->title, "Data: %s  %s", name, shape);
    p->title = s->title;
}

/* ---- cell text --------------------------------------------------------------- */

/* Byte length of the first `width` code points of s. */
static size_t prefix_bytes(const char *s, size_t width) {
    size_t w = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (w == width) break;
            w++;
        }
    return i;
}

/* A finite number for reading in a table: whole numbers in full, others
 * with six significant digits but never in exponent form between 1e-4 and
 * 1e15 (%.6g would show 4999995.5 as 5e+06). */
static void fmt_number(double x, char *buf, size_t cap) {
    double a = fabs(x);
    if (a != 0 && (a < 1e-4 || a >= 1e15)) {
        snprintf(buf, cap, "%.6g", x);
        return;
    }
    if (x == floor(x)) {
        snprintf(buf, cap, "%.0f", x);
        return;
    }
    int before = a < 1 ? 1 : (int)floor(log10(a)) + 1;
    int prec = 6 - before;
    if (a < 1) prec = 6 - (int)floor(log10(a)) - 1;
    if (prec < 1) prec = 1;
    snprintf(buf, cap, "%.*f", prec, x);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0') *--e = '\0';
        if (e == dot + 1) *dot = '\0';
    }
}

/* The display text of row i of c into buf: NA, numbers as fmt_number shows
 * them, control characters as spaces. */
static void cell_text(const column *c, size_t i, char *buf, size_t cap) {
    if (col_is_na(c, i)) {
        snprintf(buf, cap, "NA");
        return;
    }
    switch (c->type) {
    case COL_NUMBER: {
        double x = c->f64[i];
        if (isnan(x)) snprintf(buf, cap, "NaN");
        else if (isinf(x)) snprintf(buf, cap, x > 0 ? "inf" : "-inf");
        else fmt_number(x, buf, cap);
        break;
    }
    case COL_INTEGER: snprintf(buf, cap, "%lld", (long long)c->i64[i]); break;
    case COL_BOOLEAN: snprintf(buf, cap, "%s", c->b[i] ? "true" : "false"); break;
    case COL_STRING: {
        uint32_t k = c->code[i];
        size_t len = c->dict->len[k] < cap - 1 ? c->dict->len[k] : cap - 1;
        /* never cut a UTF-8 sequence in two */
        while (len > 0 && len < c->dict->len[k] && ((unsigned char)c->dict->str[k][len] & 0xc0) == 0x80) len--;
        memcpy(buf, c->dict->str[k], len);
        buf[len] = '\0';
        for (char *q = buf; *q; q++)
            if ((unsigned char)*q < 0x20) *q = ' ';
        break;
    }
    }
}

static int is_numeric(const column *c) { return c->type == COL_NUMBER || c->type == COL_INTEGER; }

static int width_of(const char *s) { return (int)text_width(s, strlen(s)); }

/* Draw s in width cells at (y, x): elided with … when longer, right-aligned
 * when right is set. */
static void put_cell(tui *t, WINDOW *w, int y, int x, const char *s, int width, int right, attr_t a,
                     int maxx) {
    if (width <= 0 || x >= maxx) return;
    int sw = width_of(s);
    char buf[CELL_MAX + 8];
    if (sw > width) {
        size_t keep = prefix_bytes(s, (size_t)(width - 1));
        snprintf(buf, sizeof buf, "%.*s%s", (int)keep, s, tui_utf8(t) ? "…" : "~");
        s = buf;
        sw = width;
    }
    int pad = right ? width - sw : 0;
    wattrset(w, a);
    for (int k = 0; k < width && x + k < maxx; k++) mvwaddch(w, y, x + k, ' ');
    if (x + pad < maxx) tui_puts(w, y, x + pad, s, maxx - x - pad < sw ? maxx - x - pad : sw);
    wattrset(w, A_NORMAL);
}

/* ---- drawing ----------------------------------------------------------------- */

static int digits(size_t n) {
    int d = 1;
    while (n >= 10) n /= 10, d++;
    return d;
}

/* Width of column j over rows [r0, r1), header included, capped. */
static int col_width(const frame *f, int j, size_t r0, size_t r1, int cap) {
    const column *c = f->cols[j];
    int w = width_of(f->names[j]);
    int tw = (int)strlen(col_type_name(c->type));
    if (tw > w) w = tw;
    char buf[CELL_MAX];
    for (size_t i = r0; i < r1 && w < cap; i++) {
        cell_text(c, i, buf, sizeof buf);
        int cw = width_of(buf);
        if (cw > w) w = cw;
    }
    return w < cap ? w : cap;
}

/* Keep the cursor inside the frame and on screen; body is the rows of data. */
static void clamp_cursor(view *v, const frame *f, int body) {
    if (f->nrow == 0) v->row = v->top = 0;
    else if (v->row >= f->nrow) v->row = f->nrow - 1;
    if (v->col >= f->ncol) v->col = f->ncol - 1;
    if (v->col < 0) v->col = 0;
    if (body < 1) body = 1;
    if (v->row < v->top) v->top = v->row;
    if (v->row >= v->top + (size_t)body) v->top = v->row - (size_t)body + 1;
    if (v->left > v->col) v->left = v->col;
    if (v->left < 0) v->left = 0;
}

static void draw_empty(tui *t, pane *p) {
    WINDOW *w = p->win;
    const char *l1 = "No frame in the viewer.";
    const char *l2 = "Type lab.view(df) in the REPL to look at a frame here.";
    int y = p->rows / 2 - 1;
    if (y < 0) y = 0;
    wattrset(w, tui_attr(t, TUI_C_DIM));
    tui_puts(w, y, (p->cols - width_of(l1)) / 2 > 0 ? (p->cols - width_of(l1)) / 2 : 0, l1, p->cols);
    if (y + 1 < p->rows)
        tui_puts(w, y + 1, (p->cols - width_of(l2)) / 2 > 0 ? (p->cols - width_of(l2)) / 2 : 0, l2, p->cols);
    wattrset(w, A_NORMAL);
}

/* The bar of a frequency row: count / max of width cells, with eighth blocks
 * in UTF-8. */
static void draw_bar(tui *t, WINDOW *w, int y, int x, double frac, int width, int maxx) {
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    int units = (int)(frac * width * 8 + 0.5);
    wattrset(w, tui_attr(t, TUI_C_NUMBER));
    int k = 0;
    for (; k < units / 8 && x + k < maxx; k++) tui_puts(w, y, x + k, tui_utf8(t) ? "█" : "#", 1);
    if (units % 8 && x + k < maxx && tui_utf8(t)) tui_puts(w, y, x + k, eighths[units % 8], 1);
    wattrset(w, A_NORMAL);
}

static void draw_status(tui *t, pane *p, view *v, const frame *f) {
    WINDOW *w = p->win;
    int y = p->rows - 1;
    data_state *s = state_of(p);
    char right[96];
    snprintf(right, sizeof right, "  row %zu/%zu  col %d/%d", f->nrow ? v->row + 1 : 0, f->nrow,
             f->ncol ? v->col + 1 : 0, f->ncol);
    int rw = width_of(right);
    int lw = p->cols - rw;
    if (lw < 0) lw = 0;
    char left[CELL_MAX + 160];
    attr_t a = tui_attr(t, TUI_C_DIM);
    if (s->msg[0]) {
        snprintf(left, sizeof left, "%s", s->msg);
        a = s->msg_error ? tui_attr(t, TUI_C_ERROR) : A_NORMAL;
    } else if (f->nrow && f->ncol) {
        char cell[CELL_MAX];
        const column *c = f->cols[v->col];
        /* the cell in full: numbers to the last digit */
        if (c->type == COL_NUMBER && !col_is_na(c, v->row)) lab_fmt_double(cell, c->f64[v->row]);
        else cell_text(c, v->row, cell, sizeof cell);
        snprintf(left, sizeof left, "%s = %s", f->names[v->col], cell);
    } else left[0] = '\0';
    wattrset(w, a);
    tui_puts(w, y, 0, left, lw);
    wattrset(w, tui_attr(t, TUI_C_DIM));
    if (p->cols - rw >= 0) tui_puts(w, y, p->cols - rw, right, rw);
    wattrset(w, A_NORMAL);
}

/* The first line: the frame's name and shape, then how it was made. */
static void draw_title(tui *t, pane *p, const view *v, const frame *f) {
    WINDOW *w = p->win;
    char shape[96];
    snprintf(shape, sizeof shape, "  %zu rows %s %d cols", f->nrow, tui_utf8(t) ? "×" : "x", f->ncol);
    /* an unnamed view is named by how it was made */
    const char *name = v->name[0] ? v->name : v->desc[0] ? v->desc : "(unnamed)";
    int x = 0;
    wattrset(w, tui_attr(t, TUI_C_TITLE) | A_BOLD);
    x += tui_puts(w, 0, x, "Data: ", p->cols - x);
    /* the shape stays on screen: the name gives way first */
    int room = p->cols - x - width_of(shape);
    int nw = width_of(name);
    if (nw > room && room > 1) {
        char buf[300];
        size_t keep = prefix_bytes(name, (size_t)(room - 1));
        snprintf(buf, sizeof buf, "%.*s%s", (int)keep, name, tui_utf8(t) ? "…" : "~");
        x += tui_puts(w, 0, x, buf, p->cols - x);
    } else
        x += tui_puts(w, 0, x, name, p->cols - x);
    wattrset(w, tui_attr(t, TUI_C_TITLE));
    x += tui_puts(w, 0, x, shape, p->cols - x);
    if (v->desc[0] && v->name[0] && x + 4 < p->cols) {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        x += tui_puts(w, 0, x, "   ", p->cols - x);
        tui_puts(w, 0, x, v->desc, p->cols - x);
    }
    wattrset(w, A_NORMAL);
}

static void draw_frame(tui *t, pane *p, view *v, const frame *f) {
    WINDOW *w = p->win;
    int R = p->rows, C = p->cols;
    int body = R - 4; /* title, names, types, status line */
    if (body < 1) body = 1;
    clamp_cursor(v, f, body);
    if (f->nrow > (size_t)body && v->top > f->nrow - (size_t)body) v->top = f->nrow - (size_t)body;
    size_t r0 = v->top, r1 = v->top + (size_t)body;
    if (r1 > f->nrow) r1 = f->nrow;

    int gw = digits(f->nrow);
    int x0 = gw + GAP;
    int cap = C - x0 - 1;
    if (cap > 32) cap = 32;
    if (cap < 4) cap = 4;
    /* bars of a frequency table take what is left, at least 10 cells */
    int count_j = v->kind == VIEW_FREQ ? frame_find(f, "count") : -1;
    int bar_min = count_j >= 0 ? 10 + GAP : 0;

    /* widths of the columns from `left` as far as the screen goes, scrolling
     * right until the cursor's column fits */
    int widths[512];
    int ncomp = 0;
    for (;;) {
        int x = x0, last = v->left - 1;
        int nw = f->ncol - v->left < 512 ? f->ncol - v->left : 512;
        ncomp = 0;
        for (int k = 0; k < nw && x < C; k++) {
            widths[k] = col_width(f, v->left + k, r0, r1, cap);
            ncomp = k + 1;
            if (x + widths[k] <= C) last = v->left + k;
            x += widths[k] + GAP;
        }
        if (v->col <= last || v->left >= v->col) break;
        v->left++;
    }
    int avail_bar = 0;

    /* header: names, then types */
    attr_t title = tui_attr(t, TUI_C_TITLE) | A_BOLD, dim = tui_attr(t, TUI_C_DIM);
    wattrset(w, dim);
    tui_puts(w, 2, 0, "#", gw);
    int x = x0;
    int k = 0;
    for (; k < ncomp && x < C; k++) {
        int j = v->left + k;
        const column *c = f->cols[j];
        attr_t a = j == v->col ? tui_attr(t, TUI_C_CURSOR) | A_BOLD : title;
        put_cell(t, w, 1, x, f->names[j], widths[k], is_numeric(c), a, C);
        put_cell(t, w, 2, x, col_type_name(c->type), widths[k], is_numeric(c), dim, C);
        x += widths[k] + GAP;
    }
    int ncols_drawn = k;
    if (count_j >= 0) {
        avail_bar = C - x;
        if (avail_bar > 40) avail_bar = 40;
        if (avail_bar >= bar_min - GAP) put_cell(t, w, 1, x, "", avail_bar, 0, title, C);
        else avail_bar = 0;
    }

    /* the largest count, for the bars: the first row of a frequency table */
    double maxcount = 0;
    if (count_j >= 0 && f->nrow) maxcount = col_as_double(f->cols[count_j], 0);

    char buf[CELL_MAX];
    for (size_t i = r0; i < r1; i++) {
        int y = 3 + (int)(i - r0);
        int on_row = i == v->row;
        char num[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        put_cell(t, w, y, 0, num, gw, 1, on_row ? tui_attr(t, TUI_C_SELECT) : dim, C);
        x = x0;
        for (k = 0; k < ncols_drawn; k++) {
            int j = v->left + k;
            const column *c = f->cols[j];
            cell_text(c, i, buf, sizeof buf);
            attr_t a = A_NORMAL;
            if (col_is_na(c, i)) a = tui_attr(t, TUI_C_NA) | A_DIM;
            else if (is_numeric(c)) a = tui_attr(t, TUI_C_NUMBER);
            else if (c->type == COL_STRING) a = tui_attr(t, TUI_C_STRING);
            if (on_row && j == v->col) a = tui_attr(t, TUI_C_CURSOR) | A_BOLD;
            int right = is_numeric(c) || col_is_na(c, i);
            put_cell(t, w, y, x, buf, widths[k], right, a, C);
            x += widths[k] + GAP;
        }
        if (avail_bar > 0 && maxcount > 0)
            draw_bar(t, w, y, x, col_as_double(f->cols[count_j], i) / maxcount, avail_bar, C);
    }
    if (f->nrow == 0 && R > 3) {
        wattrset(w, dim);
        tui_puts(w, 3, x0, "(no rows)", C - x0);
        wattrset(w, A_NORMAL);
    }
    draw_title(t, p, v, f);
    draw_status(t, p, v, f);
}

static void data_draw(tui *t, pane *p) {
    data_state *s = state_of(p);
    double t0 = s->log ? lab_now() : 0;
    werase(p->win);
    view *v = cur(s);
    frame *f = v ? view_frame(tui_lua(t), v) : NULL;
    if (!f) draw_empty(t, p);
    else draw_frame(t, p, v, f);
    if (s->log) {
        fprintf(s->log, "data_draw %.3f ms top=%zu rows=%zu\n", (lab_now() - t0) * 1e3, v ? v->top : 0,
                f ? f->nrow : 0);
        fflush(s->log);
    }
}

/* ---- moving ------------------------------------------------------------------- */

/* Body rows on screen (as draw_frame counts them). */
static int page_rows(pane *p) {
    int body = p->rows - 4;
    return body < 1 ? 1 : body;
}

/* The current view and its frame, or NULL (and nothing to do). */
static frame *current(tui *t, pane *p, view **vp) {
    data_state *s = state_of(p);
    view *v = cur(s);
    if (!v) return NULL;
    frame *f = view_frame(tui_lua(t), v);
    if (!f) return NULL;
    *vp = v;
    s->msg[0] = '\0';
    return f;
}

static void move_rows(tui *t, pane *p, long long d) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->nrow) return;
    long long r = (long long)v->row + d;
    if (r < 0) r = 0;
    if (r >= (long long)f->nrow) r = (long long)f->nrow - 1;
    if (d == (long long)page_rows(p) || d == -(long long)page_rows(p)) {
        /* a page moves the window with the cursor, as less does */
        long long top = (long long)v->top + d;
        if (top > (long long)f->nrow - page_rows(p)) top = (long long)f->nrow - page_rows(p);
        if (top < 0) top = 0;
        v->top = (size_t)top;
    }
    v->row = (size_t)r;
    tui_dirty(t, p->id);
}

static void move_cols(tui *t, pane *p, int d) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->ncol) return;
    int c = v->col + d;
    if (c < 0) c = 0;
    if (c >= f->ncol) c = f->ncol - 1;
    v->col = c;
    tui_dirty(t, p->id);
}

static int a_up(tui *t, pane *p) { move_rows(t, p, -1); return 1; }
static int a_down(tui *t, pane *p) { move_rows(t, p, 1); return 1; }
static int a_left(tui *t, pane *p) { move_cols(t, p, -1); return 1; }
static int a_right(tui *t, pane *p) { move_cols(t, p, 1); return 1; }
static int a_pgup(tui *t, pane *p) { move_rows(t, p, -(long long)page_rows(p)); return 1; }
static int a_pgdn(tui *t, pane *p) { move_rows(t, p, page_rows(p)); return 1; }
static int a_top(tui *t, pane *p) { move_rows(t, p, -(1LL << 62)); return 1; }
static int a_bottom(tui *t, pane *p) { move_rows(t, p, 1LL << 62); return 1; }
static int a_first_col(tui *t, pane *p) { move_cols(t, p, -(1 << 30)); return 1; }
static int a_last_col(tui *t, pane *p) { move_cols(t, p, 1 << 30); return 1; }

static int a_goto(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f) return 0;
    char q[64];
    snprintf(q, sizeof q, "Go to row (1-%zu):", f->nrow);
    char *ans = tui_prompt(t, q, NULL);
    if (!ans) return 1;
    char *end;
    long long r = strtoll(ans, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    data_state *s = state_of(p);
    if (end == ans || *end || r < 1 || (unsigned long long)r > f->nrow)
        set_msg(s, 1, "go to row: '%s' is not a row number from 1 to %zu", ans, f->nrow);
    else {
        v->row = (size_t)r - 1;
        if (v->row < v->top || v->row >= v->top + (size_t)page_rows(p)) v->top = v->row;
    }
    free(ans);
    tui_dirty(t, p->id);
    return 1;
}

/* ---- sort, filter, search -------------------------------------------------------- */

/* Push a new frame view made from the current one: g (owned) becomes a Frame. */
static void push_derived(tui *t, pane *p, frame *g, view_kind kind, const char *what, int keep_col) {
    data_state *s = state_of(p);
    lua_State *L = tui_lua(t);
    view *v = cur(s);
    char desc[256];
    derived_desc(v, what, desc, sizeof desc);
    int col = v->col, left = v->left;
    lab_pushframe(L, g);
    view *n = push_view(s, L, kind, "", desc);
    if (keep_col) n->col = col, n->left = left;
    update_title(p);
    tui_dirty(t, p->id);
}

static int sort_by(tui *t, pane *p, int desc) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->ncol) return 0;
    data_state *s = state_of(p);
    const char *name = f->names[v->col];
    size_t *idx = xmalloc((f->nrow ? f->nrow : 1) * sizeof *idx);
    lab_err e;
    if (ops_sort_index(f, &name, &desc, 1, idx, &e) < 0) {
        set_msg(s, 1, "%s", e.msg);
        free(idx);
        tui_dirty(t, p->id);
        return 1;
    }
    frame *g = frame_take(f, idx, f->nrow);
    free(idx);
    char what[200];
    snprintf(what, sizeof what, "sorted by %s %s", name,
             tui_utf8(t) ? (desc ? "↓" : "↑") : (desc ? "desc" : "asc"));
    push_derived(t, p, g, VIEW_FRAME, what, 1);
    return 1;
}

static int a_sort_asc(tui *t, pane *p) { return sort_by(t, p, 0); }
static int a_sort_desc(tui *t, pane *p) { return sort_by(t, p, 1); }

static int is_name(const char *s, size_t n) {
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
    static const char *const kw[] = {"and", "break", "do", "else", "elseif", "end", "false", "for",
                                     "function", "goto", "if", "in", "local", "nil", "not", "or",
                                     "repeat", "return", "then", "true", "until", "while", NULL};
    for (int k = 0; kw[k]; k++)
        if (strlen(kw[k]) == n && memcmp(kw[k], s, n) == 0) return 0;
    return 1;
}

/* 1 when the identifier name occurs in the Lua expression e as a variable
 * (not inside a string, not after . or :). */
static int mentions(const char *e, const char *name) {
    size_t n = strlen(name);
    for (const char *q = e; *q;) {
        if (*q == '"' || *q == '\'') {
            char quote = *q++;
            while (*q && *q != quote) q += (*q == '\\' && q[1]) ? 2 : 1;
            if (*q) q++;
        } else if (q[0] == '[' && q[1] == '[') {
            const char *end = strstr(q + 2, "]]");
            q = end ? end + 2 : q + strlen(q);
        } else if (q[0] == '-' && q[1] == '-') {
            break;
        } else if (isalpha((unsigned char)*q) || *q == '_') {
            const char *b = q;
            while (isalnum((unsigned char)*q) || *q == '_') q++;
            const char *before = b;
            while (before > e && isspace((unsigned char)before[-1])) before--;
            int field = before > e && (before[-1] == '.' || before[-1] == ':') &&
                        !(before - 1 > e && before[-2] == '.');
            if (!field && (size_t)(q - b) == n && memcmp(b, name, n) == 0) return 1;
        } else if (isdigit((unsigned char)*q)) {
            while (isalnum((unsigned char)*q) || *q == '.') q++;
        } else
            q++;
    }
    return 0;
}

/* __index of the per-row environment: a column's name that is NA in this
 * row reads nil (not a global of the same name); anything else is global. */
static int row_env_index(lua_State *L) {
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return lua_pushnil(L), 1;
    lua_pop(L, 1);
    lua_pushvalue(L, 2);
    lua_gettable(L, lua_upvalueindex(2));
    return 1;
}

/* Compile "return (expr)" with _ENV set to the table at index env. Returns 0
 * with the function on the stack, or -1 with the message on the stack. */
static int compile_expr(lua_State *L, const char *expr, int env) {
    lua_pushfstring(L, "return (%s\n)", expr);
    const char *code = lua_tostring(L, -1);
    int rc = luaL_loadbufferx(L, code, strlen(code), "=filter", "t");
    lua_remove(L, -2);
    if (rc != LUA_OK) return -1;
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1);
    return 0;
}

/* Rows of f that expr keeps, into keep (nrow entries); the count, or -1 with
 * the message in s. The Lua stack is left as it was. */
static long long filter_rows(data_state *s, lua_State *L, const frame *f, const char *expr, size_t *keep) {
    int base = lua_gettop(L);
    long long k = -1;
    luaL_checkstack(L, f->ncol + 20, "filter");

    /* 1. the expression over whole columns: a mask at engine speed */
    lua_createtable(L, 0, f->ncol);
    int env = lua_gettop(L);
    for (int j = 0; j < f->ncol; j++)
        if (is_name(f->names[j], strlen(f->names[j]))) {
            lab_pushcolumn(L, col_ref(f->cols[j]), f->names[j]);
            lua_setfield(L, env, f->names[j]);
        }
    lua_createtable(L, 0, 1);
    lua_pushglobaltable(L);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, env);
    if (compile_expr(L, expr, env) < 0) {
        set_msg(s, 1, "%s", lua_tostring(L, -1));
        goto done;
    }
    if (lua_pcall(L, 0, 1, 0) == LUA_OK) {
        column *m = lab_testcolumn(L, -1);
        if (m && m->type == COL_BOOLEAN && m->n == f->nrow) {
            k = 0;
            for (size_t i = 0; i < f->nrow; i++)
                if (!col_is_na(m, i) && m->b[i]) keep[k++] = i;
            goto done;
        }
    }
    lua_settop(L, base);

    /* 2. once per row, the row's values bound to the column names */
    int used[512], nused = 0;
    for (int j = 0; j < f->ncol && nused < 512; j++)
        if (is_name(f->names[j], strlen(f->names[j])) && mentions(expr, f->names[j])) used[nused++] = j;
    int want_row = frame_find(f, "row") < 0 && mentions(expr, "row");
    lua_createtable(L, 0, nused + 1);
    env = lua_gettop(L);
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, nused);
    for (int u = 0; u < nused; u++) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, f->names[used[u]]);
    }
    lua_pushglobaltable(L);
    lua_pushcclosure(L, row_env_index, 2);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, env);
    if (compile_expr(L, expr, env) < 0) {
        set_msg(s, 1, "%s", lua_tostring(L, -1));
        goto done;
    }
    int fn = lua_gettop(L);
    k = 0;
    for (size_t i = 0; i < f->nrow; i++) {
        int has_na = 0;
        for (int u = 0; u < nused; u++) {
            const column *c = f->cols[used[u]];
            has_na |= col_is_na(c, i);
            lab_pushcell(L, c, i);
            lua_setfield(L, env, f->names[used[u]]);
        }
        if (want_row) {
            lua_createtable(L, 0, f->ncol);
            for (int j = 0; j < f->ncol; j++) {
                has_na |= col_is_na(f->cols[j], i);
                lab_pushcell(L, f->cols[j], i);
                lua_setfield(L, -2, f->names[j]);
            }
            lua_setfield(L, env, "row");
        }
        lua_pushvalue(L, fn);
        if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
            if (has_na) {
                lua_pop(L, 1);
                continue;
            }
            set_msg(s, 1, "filter: row %zu: %s", i + 1, lua_tostring(L, -1));
            k = -1;
            goto done;
        }
        if (lua_toboolean(L, -1)) keep[k++] = i;
        lua_pop(L, 1);
    }
done:
    lua_settop(L, base);
    return k;
}

static int a_filter(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f) return 0;
    data_state *s = state_of(p);
    char *expr = tui_prompt(t, "Filter rows where (Lua):", NULL);
    if (!expr) return 1;
    if (!expr[0]) {
        free(expr);
        return 1;
    }
    free(s->last_filter);
    s->last_filter = xstrdup(expr);
    lua_State *L = tui_lua(t);
    size_t *keep = xmalloc((f->nrow ? f->nrow : 1) * sizeof *keep);
    int ref = v->ref;
    long long k = filter_rows(s, L, f, expr, keep);
    /* the expression may have run any code, lab.view included */
    f = cur(s) == v && v->ref == ref ? view_frame(L, v) : NULL;
    if (k >= 0 && f) {
        char what[200];
        snprintf(what, sizeof what, "filter %s", expr);
        push_derived(t, p, frame_take(f, keep, (size_t)k), VIEW_FRAME, what, 1);
        set_msg(s, 0, "%lld of %zu rows kept", k, f->nrow);
    }
    free(keep);
    free(expr);
    tui_dirty(t, p->id);
    return 1;
}

/* Does row i of c match the search text q? Strings: q is a substring;
 * numbers: equal to q read as a number, else the shown text contains q. */
typedef struct matcher {
    const char *q;
    int numeric;
    double x;
    uint8_t *codes; /* string columns: codes whose text contains q */
} matcher;

static void matcher_init(matcher *m, const column *c, const char *q) {
    memset(m, 0, sizeof *m);
    m->q = q;
    char *end;
    m->x = strtod(q, &end);
    m->numeric = end != q && !*end && c->type != COL_STRING;
    if (c->type == COL_STRING) {
        m->codes = xcalloc(c->dict->n ? c->dict->n : 1, 1);
        for (uint32_t k = 0; k < c->dict->n; k++) m->codes[k] = strstr(c->dict->str[k], q) != NULL;
    }
}

static int matches(const matcher *m, const column *c, size_t i) {
    if (col_is_na(c, i)) return strcmp(m->q, "NA") == 0;
    if (c->type == COL_STRING) return c->code[i] < c->dict->n && m->codes[c->code[i]];
    if (m->numeric) return col_as_double(c, i) == m->x;
    char buf[CELL_MAX];
    cell_text(c, i, buf, sizeof buf);
    return strstr(buf, m->q) != NULL;
}

static void search_next(tui *t, pane *p, int back) {
    view *v;
    frame *f = current(t, p, &v);
    data_state *s = state_of(p);
    if (!f || !f->nrow || !f->ncol || !s->last_search) return;
    const column *c = f->cols[v->col];
    matcher m;
    matcher_init(&m, c, s->last_search);
    size_t n = f->nrow, found = SIZE_MAX;
    for (size_t k = 1; k <= n; k++) {
        size_t i = back ? (v->row + n - k % n) % n : (v->row + k) % n;
        if (matches(&m, c, i)) {
            found = i;
            break;
        }
    }
    free(m.codes);
    if (found == SIZE_MAX) set_msg(s, 1, "no '%s' in column %s", s->last_search, f->names[v->col]);
    else {
        if ((back && found > v->row) || (!back && found < v->row)) set_msg(s, 0, "search wrapped around");
        v->row = found;
        if (v->row < v->top || v->row >= v->top + (size_t)page_rows(p)) v->top = v->row;
    }
    tui_dirty(t, p->id);
}

static int a_search(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->ncol) return 0;
    data_state *s = state_of(p);
    char q[200];
    snprintf(q, sizeof q, "Search %s for:", f->names[v->col]);
    char *ans = tui_prompt(t, q, NULL);
    if (!ans) return 1;
    if (ans[0]) {
        free(s->last_search);
        s->last_search = ans;
        s->search_back = 0;
        search_next(t, p, 0);
    } else
        free(ans);
    return 1;
}

static int a_next(tui *t, pane *p) { search_next(t, p, state_of(p)->search_back); return 1; }
static int a_prev(tui *t, pane *p) { search_next(t, p, !state_of(p)->search_back); return 1; }

/* ---- the current column: summary, frequencies, plot --------------------------- */

/* Append one row (stat, value) to the summary columns. */
typedef struct summary {
    strdict *d;
    uint32_t codes[16];
    double vals[16];
    char *texts[16];
    int n;
} summary;

static void sum_num(summary *sm, const char *stat, double x) {
    sm->codes[sm->n] = strdict_intern(sm->d, stat, strlen(stat));
    sm->vals[sm->n] = x;
    sm->texts[sm->n] = NULL;
    sm->n++;
}

static void sum_text(summary *sm, const char *stat, const char *text) {
    sm->codes[sm->n] = strdict_intern(sm->d, stat, strlen(stat));
    sm->texts[sm->n] = xstrdup(text ? text : "NA");
    sm->n++;
}

static int a_describe(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->ncol) return 0;
    data_state *s = state_of(p);
    const column *c = f->cols[v->col];
    summary sm = {.d = strdict_new()};
    int numeric = c->type != COL_STRING;
    size_t count = stats_count(c);
    if (numeric) {
        static const double q[3] = {0.25, 0.5, 0.75};
        double qs[3];
        lab_err e;
        if (stats_quantiles(c, q, 3, qs, &e) < 0) qs[0] = qs[1] = qs[2] = NAN;
        size_t lo = stats_argmin(c), hi = stats_argmax(c);
        sum_num(&sm, "count", (double)count);
        sum_num(&sm, "NA", (double)(c->n - count));
        sum_num(&sm, "mean", stats_mean(c));
        sum_num(&sm, "std", stats_std(c, 1));
        sum_num(&sm, "min", lo == SIZE_MAX ? NAN : col_as_double(c, lo));
        sum_num(&sm, "25%", qs[0]);
        sum_num(&sm, "50%", qs[1]);
        sum_num(&sm, "75%", qs[2]);
        sum_num(&sm, "max", hi == SIZE_MAX ? NAN : col_as_double(c, hi));
        sum_num(&sm, "unique", (double)stats_nunique(c));
    } else {
        char buf[CELL_MAX];
        snprintf(buf, sizeof buf, "%zu", count);
        sum_text(&sm, "count", buf);
        snprintf(buf, sizeof buf, "%zu", c->n - count);
        sum_text(&sm, "NA", buf);
        snprintf(buf, sizeof buf, "%zu", stats_nunique(c));
        sum_text(&sm, "unique", buf);
        frame *vc = stats_value_counts(c);
        if (vc->nrow) {
            sum_text(&sm, "top", col_str(vc->cols[0], 0));
            snprintf(buf, sizeof buf, "%lld", (long long)vc->cols[1]->i64[0]);
            sum_text(&sm, "freq", buf);
        }
        size_t lo = stats_argmin(c), hi = stats_argmax(c);
        if (lo != SIZE_MAX) sum_text(&sm, "min", col_str(c, lo));
        if (hi != SIZE_MAX) sum_text(&sm, "max", col_str(c, hi));
        frame_free(vc);
    }
    column *stat = col_new(COL_STRING, (size_t)sm.n, sm.d);
    memcpy(stat->code, sm.codes, (size_t)sm.n * sizeof sm.codes[0]);
    strdict_free(sm.d);
    column *val;
    if (numeric) {
        val = col_new(COL_NUMBER, (size_t)sm.n, NULL);
        for (int k = 0; k < sm.n; k++) {
            val->f64[k] = sm.vals[k];
            if (isnan(sm.vals[k])) col_set_na(val, (size_t)k);
        }
    } else {
        val = col_new(COL_STRING, (size_t)sm.n, NULL);
        for (int k = 0; k < sm.n; k++) {
            val->code[k] = strdict_intern(val->dict, sm.texts[k], strlen(sm.texts[k]));
            free(sm.texts[k]);
        }
    }
    frame *g = frame_new();
    frame_set_column(g, "stat", stat, NULL);
    frame_set_column(g, f->names[v->col], val, NULL);
    char what[200];
    snprintf(what, sizeof what, "describe %s", f->names[v->col]);
    push_derived(t, p, g, VIEW_SUMMARY, what, 0);
    s->msg[0] = '\0';
    return 1;
}

static int a_freq(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->ncol) return 0;
    data_state *s = state_of(p);
    const column *c = f->cols[v->col];
    char src[128];
    snprintf(src, sizeof src, "%s", f->names[v->col]);
    frame *vc = stats_value_counts(c);
    /* value, count, percent of all rows (NA rows count in the whole) */
    column *pct = col_new(COL_NUMBER, vc->nrow, NULL);
    for (size_t i = 0; i < vc->nrow; i++)
        pct->f64[i] = f->nrow ? 100.0 * (double)vc->cols[1]->i64[i] / (double)f->nrow : 0;
    frame_set_column(vc, "percent", pct, NULL);
    /* name the value column after the column counted */
    if (frame_find(vc, src) < 0) {
        free(vc->names[0]);
        vc->names[0] = xstrdup(src);
    }
    size_t na = col_na_count(c);
    char what[200];
    if (na) snprintf(what, sizeof what, "frequency of %s (%zu NA)", src, na);
    else snprintf(what, sizeof what, "frequency of %s", src);
    push_derived(t, p, vc, VIEW_FREQ, what, 0);
    snprintf(cur(s)->src_col, sizeof cur(s)->src_col, "%s", src);
    cur(s)->col = 0;
    return 1;
}

/* Enter on a frequency row: the rows of the counted frame with that value. */
static int a_open(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    data_state *s = state_of(p);
    if (!f || v->kind != VIEW_FREQ || s->depth < 2 || !f->nrow) return 0;
    view *pv = &s->views[s->depth - 2];
    lua_State *L = tui_lua(t);
    frame *pf = view_frame(L, pv);
    int j = pf ? frame_find(pf, v->src_col) : -1;
    if (j < 0) return 0;
    const column *c = pf->cols[j], *vals = f->cols[0];
    size_t r = v->row;
    size_t *keep = xmalloc((pf->nrow ? pf->nrow : 1) * sizeof *keep), k = 0;
    if (c->type == COL_STRING) {
        const char *want = col_str(vals, r);
        uint32_t code = want ? strdict_find(c->dict, want, strlen(want)) : UINT32_MAX;
        for (size_t i = 0; i < pf->nrow; i++)
            if (!col_is_na(c, i) && c->code[i] == code) keep[k++] = i;
    } else if (c->type == COL_INTEGER) {
        for (size_t i = 0; i < pf->nrow; i++)
            if (!col_is_na(c, i) && c->i64[i] == vals->i64[r]) keep[k++] = i;
    } else {
        double want = col_as_double(vals, r);
        for (size_t i = 0; i < pf->nrow; i++)
            if (!col_is_na(c, i) && col_as_double(c, i) == want) keep[k++] = i;
    }
    char cell[CELL_MAX], what[700];
    cell_text(vals, r, cell, sizeof cell);
    frame *g = frame_take(pf, keep, k);
    free(keep);
    /* the new view derives from the counted frame, not from the table */
    const char *base = pv->name[0] ? pv->name : pv->desc;
    if (base[0]) snprintf(what, sizeof what, "%s | %s == %s", base, v->src_col, cell);
    else snprintf(what, sizeof what, "%s == %s", v->src_col, cell);
    lab_pushframe(L, g);
    view *n = push_view(s, L, VIEW_FRAME, "", what);
    n->col = j;
    update_title(p);
    tui_dirty(t, p->id);
    return 1;
}

/* A sink for plots that keeps them from being shown twice: the viewer hands
 * the plot to the plot pane itself. */
static int quiet_sink(lua_State *L) {
    (void)L;
    return 0;
}

static int a_plot(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f || !f->ncol) return 0;
    data_state *s = state_of(p);
    lua_State *L = tui_lua(t);
    int base = lua_gettop(L);
    const column *c = f->cols[v->col];
    const char *fn = is_numeric(c) ? "hist" : "bar";
    lua_getfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    int saved = lua_gettop(L);
    lua_pushcfunction(L, quiet_sink);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getfield(L, -1, "lab");
    int ok = 0;
    if (lua_istable(L, -1) && lua_getfield(L, -1, "plot") == LUA_TTABLE && lua_getfield(L, -1, fn) == LUA_TFUNCTION) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref);
        lua_pushstring(L, f->names[v->col]);
        if (lua_pcall(L, 2, 1, 0) == LUA_OK) ok = 1;
        else set_msg(s, 1, "%s", lua_tostring(L, -1));
    } else
        set_msg(s, 1, "plot: lab.plot.%s is not available", fn);
    int res = lua_gettop(L);
    lua_pushvalue(L, saved);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    if (ok) {
        char col[128];
        snprintf(col, sizeof col, "%s", f->names[v->col]);
        plot_pane_push(t, L, res);
        tui_show(t, PANE_PLOT);
        set_msg(s, 0, "plotted %s (%s) in the plot pane", col, fn);
    }
    lua_settop(L, base);
    tui_dirty(t, p->id);
    return 1;
}

/* ---- naming and going back ----------------------------------------------------- */

static int a_name(tui *t, pane *p) {
    view *v;
    frame *f = current(t, p, &v);
    if (!f) return 0;
    data_state *s = state_of(p);
    char *ans = tui_prompt(t, "Keep this frame as the global:", NULL);
    if (!ans) return 1;
    char *b = ans, *e = ans + strlen(ans);
    while (isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    *e = '\0';
    if (!is_name(b, strlen(b)) || strlen(b) >= sizeof v->name)
        set_msg(s, 1, "name: '%s' is not a Lua name", b);
    else {
        lua_State *L = tui_lua(t);
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref);
        lua_setglobal(L, b);
        snprintf(v->name, sizeof v->name, "%s", b);
        set_msg(s, 0, "%s = this frame (%zu rows)", b, f->nrow);
        tui_message(t, "%s = %s (%zu rows, from the data viewer)", b, v->desc[0] ? v->desc : "frame", f->nrow);
        update_title(p);
    }
    free(ans);
    tui_dirty(t, p->id);
    return 1;
}

static int a_back(tui *t, pane *p) {
    data_state *s = state_of(p);
    if (s->depth <= 1) {
        tui_focus(t, PANE_REPL);
        return 1;
    }
    drop_view(tui_lua(t), &s->views[--s->depth]);
    s->msg[0] = '\0';
    update_title(p);
    tui_dirty(t, p->id);
    return 1;
}

/* ---- the pane ------------------------------------------------------------------ */

static const pane_action data_actions[] = {
    {"up", NULL, "move the cursor up a row", a_up},
    {"down", NULL, "move the cursor down a row", a_down},
    {"left", NULL, "move the cursor to the column on the left", a_left},
    {"right", NULL, "move the cursor to the column on the right", a_right},
    {"page_up", NULL, "up a page", a_pgup},
    {"page_down", NULL, "down a page", a_pgdn},
    {"top", NULL, "to the first row", a_top},
    {"bottom", NULL, "to the last row", a_bottom},
    {"first_col", NULL, "to the first column", a_first_col},
    {"last_col", NULL, "to the last column", a_last_col},
    {"sort_asc", "Asc", "sort by the current column, ascending (a new view)", a_sort_asc},
    {"sort_desc", "Desc", "sort by the current column, descending (a new view)", a_sort_desc},
    {"filter", "Filter", "keep the rows where a Lua expression holds: x > 5 and s ~= \"a\"", a_filter},
    {"search", "Search", "find a value in the current column", a_search},
    {"next", "Next", "the next match of the search", a_next},
    {"prev", NULL, "the previous match of the search", a_prev},
    {"goto", "Row", "jump to a row number", a_goto},
    {"freq", "Freq", "frequency table of the current column, with bars", a_freq},
    {"describe", "Describe", "summary statistics of the current column", a_describe},
    {"plot", "Plot", "plot the current column (histogram or bar of counts) in the plot pane", a_plot},
    {"name", "Name", "keep the frame shown as a global of the session", a_name},
    {"open", NULL, "on a frequency row: the rows with that value", a_open},
    {"back", "Back", "back to the previous view (the REPL from the first)", a_back},
    {NULL, NULL, NULL, NULL}};

static const pane_binding data_defaults[] = {
    {"Up", "up"},          {"Down", "down"},         {"Left", "left"},     {"Right", "right"},
    {"k", "up"},           {"j", "down"},            {"h", "left"},        {"l", "right"},
    {"PgUp", "page_up"},   {"PgDn", "page_down"},    {"Home", "top"},      {"End", "bottom"},
    {"g", "top"},          {"G", "bottom"},          {"0", "first_col"},   {"$", "last_col"},
    {"[", "sort_asc"},     {"]", "sort_desc"},       {"|", "filter"},      {"/", "search"},
    {"n", "next"},         {"N", "prev"},            {":", "goto"},        {"F", "freq"},
    {"I", "describe"},     {"p", "plot"},            {"=", "name"},        {"Enter", "open"},
    {"q", "back"},         {"Backspace", "back"},    {NULL, NULL}};

/* Keys no binding took. Under nonl() curses gives Enter as '\r', which the
 * "Enter" binding ('\n') misses: treat it as Enter. */
static int data_key(tui *t, pane *p, int ch) {
    if (ch == '\r' || ch == KEY_ENTER) {
        if (a_open(t, p)) p->dirty = 1;
        return 1;
    }
    return 0;
}

static void data_free(pane *p) {
    data_state *s = state_of(p);
    /* the workbench frees panes before the Lua state, and frees p itself */
    lua_State *L = tui_lua(s->t);
    while (s->depth > 0) drop_view(L, &s->views[--s->depth]);
    free(s->last_filter);
    free(s->last_search);
    if (s->log) fclose(s->log);
    free(s);
    p->state = NULL;
}

pane *data_pane_new(tui *t) {
    pane *p = xcalloc(1, sizeof *p);
    data_state *s = xcalloc(1, sizeof *s);
    s->t = t;
    const char *log = getenv("LAB_DRAW_LOG");
    if (log && *log) s->log = fopen(log, "a");
    p->id = PANE_DATA;
    p->name = "data";
    p->actions = data_actions;
    p->defaults = data_defaults;
    p->draw = data_draw;
    p->key = data_key;
    p->free = data_free;
    p->state = s;
    update_title(p);
    return p;
}

void data_pane_open(tui *t, lua_State *L, int idx, const char *name) {
    pane *p = tui_pane(t, PANE_DATA);
    if (!p || !lab_testframe(L, idx)) return;
    data_state *s = state_of(p);
    while (s->depth > 0) drop_view(L, &s->views[--s->depth]);
    char found[64] = "";
    if (!name || !name[0]) {
        /* lab.view(df) gives no name: the global that holds the frame */
        int at = lua_absindex(L, idx);
        lua_pushglobaltable(L);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, at) && !found[0])
                snprintf(found, sizeof found, "%s", lua_tostring(L, -2));
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        name = found;
    }
    lua_pushvalue(L, idx);
    push_view(s, L, VIEW_FRAME, name, "");
    s->msg[0] = '\0';
    update_title(p);
    tui_show(t, PANE_DATA);
    tui_dirty(t, PANE_DATA);
}
