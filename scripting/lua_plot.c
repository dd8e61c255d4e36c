/* lua_plot.c — lab.plot: scatter, line, hist, bar, box, heatmap, corr and
 * pairs, each returning a Plot (userdata "lab.Plot") that saves itself to
 * files, gives its PNG bytes, or renders as terminal text.
 *
 * Registering lab.plot costs a table of C functions and nothing more: PLplot
 * runs only when a plot is first drawn, so `lab` and the REPL start as fast
 * as before. Where a plot goes when no file is given is the host's business:
 * a function stored in the registry under LAB_PLOT_SINK (the notebook runner,
 * the REPL, the workbench), else the terminal when stdout is one. */
#include "lab_lua.h"
#include "lua_track.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "plot/plot.h"
#include "learn/metrics.h"

typedef struct lplot {
    plot *p;
} lplot;

static plot *check_plot(lua_State *L, int i) {
    lplot *u = luaL_checkudata(L, i, LAB_PLOT);
    if (!u->p) luaL_argerror(L, i, "plot has been freed");
    return u->p;
}

plot *lab_testplot(lua_State *L, int i) {
    lplot *u = luaL_testudata(L, i, LAB_PLOT);
    return u ? u->p : NULL;
}

static int plot_gc(lua_State *L) {
    lplot *u = luaL_checkudata(L, 1, LAB_PLOT);
    plot_free(u->p);
    u->p = NULL;
    return 0;
}

/* ---- options ------------------------------------------------------------------ */

static const char *const common[] = {"color", "title", "xlabel", "ylabel", "file", "width", "height", NULL};

/* Check the options table at t against the common options plus extra ones. */
static void check_opts(lua_State *L, int t, const char *const *extra) {
    const char *known[24];
    int n = 0;
    for (int i = 0; common[i]; i++) known[n++] = common[i];
    for (int i = 0; extra && extra[i]; i++) known[n++] = extra[i];
    known[n] = NULL;
    lab_check_options(L, t, known);
}

static void read_opts(lua_State *L, int t, plot_opts *o) {
    memset(o, 0, sizeof *o);
    o->color = lab_optstr_field(L, t, "color", NULL);
    o->title = lab_optstr_field(L, t, "title", NULL);
    o->xlabel = lab_optstr_field(L, t, "xlabel", NULL);
    o->ylabel = lab_optstr_field(L, t, "ylabel", NULL);
}

/* A list of column names (field k of the table at t) as a userdata array of
 * borrowed strings, kept alive by the options table. */
static const char **str_list(lua_State *L, int t, const char *k, int *n) {
    *n = 0;
    if (lua_isnoneornil(L, t) || lua_getfield(L, t, k) == LUA_TNIL) {
        if (!lua_isnoneornil(L, t)) lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1)) luaL_argerror(L, t, lua_pushfstring(L, "field '%s' must be a list of column names", k));
    int len = (int)luaL_len(L, -1);
    const char **v = lua_newuserdatauv(L, (size_t)(len ? len : 1) * sizeof *v, 0);
    for (int i = 1; i <= len; i++) {
        if (lua_geti(L, -2, i) != LUA_TSTRING)
            luaL_argerror(L, t, lua_pushfstring(L, "field '%s' item %d must be a column name", k, i));
        v[i - 1] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    /* the userdata stays on the stack; the list itself is held by the options table */
    lua_remove(L, -2);
    *n = len;
    return v;
}

static int size_field(lua_State *L, int t, const char *k) {
    int v = lab_optint_field(L, t, k, 0);
    if (v < 0 || v > 8000) luaL_argerror(L, t, lua_pushfstring(L, "field '%s' must be from 1 to 8000", k));
    return v;
}

/* ---- terminal ------------------------------------------------------------------ */

static plot_color env_color(void) {
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return PLOT_COLOR_NONE;
    const char *ct = getenv("COLORTERM");
    if (ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0)) return PLOT_COLOR_TRUE;
    return PLOT_COLOR_256;
}

static void term_size(int *cols, int *rows) {
    struct winsize ws;
    *cols = 80;
    *rows = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}

/* p:text([{width=cols, height=rows, color="none"|"256"|"truecolor"}]) */
static int l_text(lua_State *L) {
    plot *p = check_plot(L, 1);
    static const char *const known[] = {"width", "height", "color", NULL};
    lab_check_options(L, 2, known);
    int cols, rows;
    term_size(&cols, &rows);
    if (!isatty(STDOUT_FILENO)) cols = 80, rows = 24;
    cols = lab_optint_field(L, 2, "width", cols);
    rows = lab_optint_field(L, 2, "height", rows);
    const char *cs = lab_optstr_field(L, 2, "color", NULL);
    plot_color mode = env_color();
    if (cs) {
        if (strcmp(cs, "none") == 0) mode = PLOT_COLOR_NONE;
        else if (strcmp(cs, "256") == 0) mode = PLOT_COLOR_256;
        else if (strcmp(cs, "truecolor") == 0) mode = PLOT_COLOR_TRUE;
        else luaL_argerror(L, 2, lua_pushfstring(L, "field 'color' must be \"none\", \"256\" or \"truecolor\", got \"%s\"", cs));
    }
    lab_err e;
    char *s = plot_text(p, cols, rows, mode, &e);
    if (!s) return lab_raise(L, &e);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

static int show(lua_State *L, plot *p) {
    int cols, rows;
    term_size(&cols, &rows);
    if (rows > 2) rows -= 1; /* leave the prompt's line */
    if (cols < 30) cols = 30;
    if (rows < 10) rows = 10;
    lab_err e;
    char *s = plot_text(p, cols, rows, env_color(), &e);
    if (!s) return lab_raise(L, &e);
    fputs(s, stdout);
    fflush(stdout);
    free(s);
    return 0;
}

static int l_show(lua_State *L) {
    show(L, check_plot(L, 1));
    return 0;
}

/* p:save(path [, {width=, height=}]) -> p */
static int l_save(lua_State *L) {
    plot *p = check_plot(L, 1);
    const char *path = luaL_checkstring(L, 2);
    static const char *const known[] = {"width", "height", NULL};
    lab_check_options(L, 3, known);
    int w = size_field(L, 3, "width"), h = size_field(L, 3, "height");
    lab_err e;
    if (plot_save(p, path, w, h, &e) < 0) return lab_raise(L, &e);
    lab_track_plot_file(L, path);
    lua_settop(L, 1);
    return 1;
}

/* p:png([{width=, height=}]) -> string of PNG bytes */
static int l_png(lua_State *L) {
    plot *p = check_plot(L, 1);
    static const char *const known[] = {"width", "height", NULL};
    lab_check_options(L, 2, known);
    int w = size_field(L, 2, "width"), h = size_field(L, 2, "height");
    strbuf b = {0};
    lab_err e;
    if (plot_png(p, w, h, &b, &e) < 0) {
        free(b.s);
        return lab_raise(L, &e);
    }
    lua_pushlstring(L, b.s ? b.s : "", b.n);
    free(b.s);
    return 1;
}

static int l_tostring(lua_State *L) {
    lplot *u = luaL_checkudata(L, 1, LAB_PLOT);
    lua_pushstring(L, u->p ? plot_summary(u->p) : "plot (freed)");
    return 1;
}

static int l_kind(lua_State *L) {
    lua_pushstring(L, plot_kind_name(plot_get_kind(check_plot(L, 1))));
    return 1;
}

static int l_title(lua_State *L) {
    lua_pushstring(L, plot_title(check_plot(L, 1)));
    return 1;
}

/* ---- making plots ------------------------------------------------------------------ */

/* A new empty Plot userdata on the stack (filled by finish). */
static lplot *new_plot(lua_State *L) {
    lplot *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->p = NULL;
    luaL_setmetatable(L, LAB_PLOT);
    return u;
}

/* Take p (or raise e), write the file or hand the plot to the sink or the
 * terminal; leave the Plot on the stack and return 1. t is the options
 * table's index (0 when there is none). */
static int finish(lua_State *L, lplot *u, plot *p, const lab_err *e, int t) {
    if (!p) return lab_raise(L, e);
    int ud = lua_gettop(L);
    u->p = p;
    const char *file = t ? lab_optstr_field(L, t, "file", NULL) : NULL;
    if (file) {
        int w = size_field(L, t, "width"), h = size_field(L, t, "height");
        lab_err se;
        if (plot_save(p, file, w, h, &se) < 0) return lab_raise(L, &se);
        lab_track_plot_file(L, file);
    } else if (lua_getfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK) == LUA_TFUNCTION) {
        lab_track_plot_shown(L, ud);
        lua_pushvalue(L, ud);
        lua_call(L, 1, 0);
    } else {
        lua_pop(L, 1);
        if (isatty(STDOUT_FILENO)) {
            lab_track_plot_shown(L, ud);
            show(L, p);
        }
    }
    lua_pushvalue(L, ud);
    return 1;
}

/* lab.plot.scatter(df, x, y [, opts]) */
static int l_scatter(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *x = luaL_checkstring(L, 2), *y = luaL_checkstring(L, 3);
    check_opts(L, 4, NULL);
    plot_opts o;
    read_opts(L, 4, &o);
    size_field(L, 4, "width");
    size_field(L, 4, "height");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_scatter(f, x, y, &o, &e), &e, lua_istable(L, 4) ? 4 : 0);
}

/* lab.plot.line(df, x, y_or_list [, opts]) */
static int l_line(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *x = luaL_checkstring(L, 2);
    check_opts(L, 4, NULL);
    plot_opts o;
    read_opts(L, 4, &o);
    size_field(L, 4, "width");
    size_field(L, 4, "height");
    const char *ys[32];
    int ny = 0;
    if (lua_type(L, 3) == LUA_TSTRING) ys[ny++] = lua_tostring(L, 3);
    else if (lua_istable(L, 3)) {
        int n = (int)luaL_len(L, 3);
        if (n < 1 || n > 20) return luaL_argerror(L, 3, "a list of 1 to 20 column names");
        for (int i = 1; i <= n; i++) {
            if (lua_geti(L, 3, i) != LUA_TSTRING)
                return luaL_argerror(L, 3, lua_pushfstring(L, "item %d must be a column name", i));
            ys[ny++] = lua_tostring(L, -1);
            lua_pop(L, 1); /* the string stays alive in the list */
        }
    } else
        return luaL_typeerror(L, 3, "column name or list of column names");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_line(f, x, ys, ny, &o, &e), &e, lua_istable(L, 4) ? 4 : 0);
}

/* lab.plot.hist(df, col [, {bins=}]) */
static int l_hist(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *col = luaL_checkstring(L, 2);
    static const char *const extra[] = {"bins", NULL};
    check_opts(L, 3, extra);
    plot_opts o;
    read_opts(L, 3, &o);
    o.bins = lab_optint_field(L, 3, "bins", 0);
    if (o.bins < 0 || o.bins > 10000) return luaL_argerror(L, 3, "field 'bins' must be from 1 to 10000");
    size_field(L, 3, "width");
    size_field(L, 3, "height");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_hist(f, col, &o, &e), &e, lua_istable(L, 3) ? 3 : 0);
}

/* lab.plot.bar(df, col [, {y=}]) */
static int l_bar(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *col = luaL_checkstring(L, 2);
    static const char *const extra[] = {"y", NULL};
    check_opts(L, 3, extra);
    plot_opts o;
    read_opts(L, 3, &o);
    o.y = lab_optstr_field(L, 3, "y", NULL);
    if (o.color) return luaL_argerror(L, 3, "bar takes no 'color' option");
    size_field(L, 3, "width");
    size_field(L, 3, "height");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_bar(f, col, &o, &e), &e, lua_istable(L, 3) ? 3 : 0);
}

/* lab.plot.box(df, col [, {by=}]) */
static int l_box(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *col = luaL_checkstring(L, 2);
    static const char *const extra[] = {"by", NULL};
    check_opts(L, 3, extra);
    plot_opts o;
    read_opts(L, 3, &o);
    const char *by = lab_optstr_field(L, 3, "by", NULL);
    if (by) o.color = by;
    size_field(L, 3, "width");
    size_field(L, 3, "height");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_box(f, col, &o, &e), &e, lua_istable(L, 3) ? 3 : 0);
}

/* A matrix from a Lua list of rows of numbers, checked before anything is
 * allocated outside Lua. */
static double *lua_matrix(lua_State *L, int i, int *nr, int *nc) {
    int r = (int)luaL_len(L, i);
    if (r < 1) luaL_argerror(L, i, "the matrix has no rows");
    lua_geti(L, i, 1);
    if (!lua_istable(L, -1)) luaL_argerror(L, i, "a frame or a list of rows of numbers");
    int c = (int)luaL_len(L, -1);
    lua_pop(L, 1);
    if (c < 1) luaL_argerror(L, i, "the matrix has no columns");
    if (r > 400 || c > 400) luaL_argerror(L, i, "the matrix is larger than 400 x 400");
    double *m = lua_newuserdatauv(L, (size_t)r * c * sizeof *m, 0);
    for (int a = 1; a <= r; a++) {
        lua_geti(L, i, a);
        if (!lua_istable(L, -1) || (int)luaL_len(L, -1) != c)
            luaL_argerror(L, i, lua_pushfstring(L, "row %d must be a list of %d numbers", a, c));
        for (int b = 1; b <= c; b++) {
            lua_geti(L, -1, b);
            int ok;
            double v = lua_tonumberx(L, -1, &ok);
            if (!ok) luaL_argerror(L, i, lua_pushfstring(L, "row %d item %d is not a number", a, b));
            m[(size_t)(a - 1) * c + (b - 1)] = v;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    *nr = r;
    *nc = c;
    return m;
}

/* lab.plot.heatmap(df_or_matrix [, {labels=, columns=}]) */
static int l_heatmap(lua_State *L) {
    static const char *const extra[] = {"labels", "columns", NULL};
    check_opts(L, 2, extra);
    plot_opts o;
    read_opts(L, 2, &o);
    o.labels = lab_optstr_field(L, 2, "labels", NULL);
    o.columns = str_list(L, 2, "columns", &o.ncolumns);
    size_field(L, 2, "width");
    size_field(L, 2, "height");
    frame *f = lab_testframe(L, 1);
    lab_err e;
    if (f) {
        lplot *u = new_plot(L);
        return finish(L, u, plot_heatmap(f, &o, &e), &e, lua_istable(L, 2) ? 2 : 0);
    }
    luaL_argexpected(L, lua_istable(L, 1), 1, "frame or list of rows");
    int nr, nc;
    double *m = lua_matrix(L, 1, &nr, &nc);
    lplot *u = new_plot(L);
    return finish(L, u, plot_heatmap_matrix(m, nr, nc, NULL, NULL, &o, &e), &e, lua_istable(L, 2) ? 2 : 0);
}

/* lab.plot.corr(df [, {columns=}]) */
static int l_corr(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    static const char *const extra[] = {"columns", NULL};
    check_opts(L, 2, extra);
    plot_opts o;
    read_opts(L, 2, &o);
    o.columns = str_list(L, 2, "columns", &o.ncolumns);
    size_field(L, 2, "width");
    size_field(L, 2, "height");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_corr(f, &o, &e), &e, lua_istable(L, 2) ? 2 : 0);
}

/* lab.plot.pairs(df [, {color=, columns=}]) */
static int l_pairs(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    static const char *const extra[] = {"columns", NULL};
    check_opts(L, 2, extra);
    plot_opts o;
    read_opts(L, 2, &o);
    o.columns = str_list(L, 2, "columns", &o.ncolumns);
    size_field(L, 2, "width");
    size_field(L, 2, "height");
    lplot *u = new_plot(L);
    lab_err e;
    return finish(L, u, plot_pairs(f, &o, &e), &e, lua_istable(L, 2) ? 2 : 0);
}

/* An argument of lab.plot.confusion as a Column (a Column or a list). */
static column *label_arg(lua_State *L, int i) {
    column *c = lab_testcolumn(L, i);
    if (c) return c;
    luaL_argexpected(L, lua_istable(L, i), i, "Column or list of labels");
    c = lab_tocolumn(L, i, (size_t)-1);
    lab_pushcolumn(L, c, NULL);
    lua_replace(L, i);
    return c;
}

/* lab.plot.confusion(y_true, y_pred [, opts]): the confusion matrix as a
 * heatmap, true labels down, predicted labels across. */
static int l_confusion(lua_State *L) {
    lua_settop(L, 3);
    column *a = label_arg(L, 1), *b = label_arg(L, 2);
    check_opts(L, 3, NULL);
    plot_opts o;
    read_opts(L, 3, &o);
    if (!o.title) o.title = "confusion matrix: true (rows) by predicted (columns)";
    size_field(L, 3, "width");
    size_field(L, 3, "height");
    int *ia = lua_newuserdatauv(L, (a->n ? a->n : 1) * sizeof *ia, 0);
    int *ib = lua_newuserdatauv(L, (b->n > a->n ? b->n : a->n ? a->n : 1) * sizeof *ib, 0);
    column *lab;
    lab_err e;
    if (metrics_encode(a, b, "y_true", "y_pred", ia, ib, &lab, &e) < 0) return luaL_error(L, "confusion: %s", e.msg);
    lab_pushcolumn(L, lab, NULL);
    int K = (int)lab->n;
    if (a->n == 0 || K > 64) return luaL_error(L, "confusion: %s", a->n ? "more than 64 labels" : "y_true is empty");
    int64_t *M = lua_newuserdatauv(L, (size_t)K * (size_t)K * sizeof *M, 0);
    double *m = lua_newuserdatauv(L, (size_t)K * (size_t)K * sizeof *m, 0);
    char **names = lua_newuserdatauv(L, (size_t)K * sizeof *names, 0);
    metrics_confusion(ia, ib, a->n, K, M);
    for (int k = 0; k < K * K; k++) m[k] = (double)M[k];
    for (int k = 0; k < K; k++) {
        char buf[256];
        col_format(lab, (size_t)k, buf, sizeof buf);
        lua_pushstring(L, buf); /* kept on the stack: names point into it */
        names[k] = (char *)lua_tostring(L, -1);
    }
    lplot *u = new_plot(L);
    return finish(L, u, plot_heatmap_matrix(m, K, K, (const char *const *)names, (const char *const *)names, &o, &e), &e,
                  lua_istable(L, 3) ? 3 : 0);
}

static const luaL_Reg plot_fns[] = {
    {"scatter", l_scatter}, {"line", l_line}, {"hist", l_hist},   {"bar", l_bar},
    {"box", l_box},         {"heatmap", l_heatmap}, {"corr", l_corr}, {"pairs", l_pairs},
    {"confusion", l_confusion},
    {NULL, NULL}};

static const luaL_Reg plot_methods[] = {{"save", l_save}, {"png", l_png},     {"text", l_text},
                                        {"show", l_show}, {"kind", l_kind},   {"title", l_title},
                                        {NULL, NULL}};

void lab_open_plot(lua_State *L) {
    luaL_newmetatable(L, LAB_PLOT);
    lua_pushcfunction(L, plot_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, plot_gc);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    luaL_newlib(L, plot_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, plot_fns);
    lua_setfield(L, -2, "plot");
}
