/* vars_pane.c — the variables pane: the session's globals that hold lab
 * objects (frames, columns, plots, GroupBy, and any later "lab.*" type) or
 * plain tables, one row each with name, type, shape and memory, sorted by
 * name; Enter opens the right viewer.
 *
 * The list is rebuilt from _G every time the pane is drawn, so it is never
 * stale and needs no hooks into assignment. Reading must never run user
 * code: globals are walked with lua_next, tables counted with lua_next,
 * types found by metatable identity (luaL_testudata) or the metatable's raw
 * __name, and the only functions called are lab's own C functions (a
 * GroupBy's ngroups and __tostring). Trade-off: a rebuild walks every global
 * and counts every table (cut off at TABLE_COUNT_MAX entries), which is cheap
 * next to drawing, but the pane's idea of a table's size stops there. */
#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/print.h"
#include "plot/plot.h"
#include "pretty.h"
#include "tui_int.h"

#define TABLE_COUNT_MAX 1000000

typedef struct var {
    char *name;
    char type[24];
    char shape[48];
    char mem[24];
    char *detail; /* what else fits: column names, a plot's summary */
} var;

typedef struct vars_state {
    var *v;
    int n, cap;
    int sel, top;   /* selected row, first row shown */
    char *sel_name; /* the selection by name, kept across rebuilds */
} vars_state;

static vars_state *state_of(pane *p) { return p->state; }

static void forget_vars(vars_state *s) {
    for (int i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].detail);
    }
    s->n = 0;
}

static void human_bytes(char *out, size_t cap, size_t b) {
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) snprintf(out, cap, "%zu B", b);
    else snprintf(out, cap, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* Call the C function f (lab's own) on the value at idx; leaves its first
 * result or nil on the stack. Anything else than a C function is not called. */
static void call_own(lua_State *L, int idx, lua_CFunction f) {
    idx = lua_absindex(L, idx);
    if (!f) {
        lua_pushnil(L);
        return;
    }
    lua_pushcfunction(L, f);
    lua_pushvalue(L, idx);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
}

/* The C function in field k of the metatable of the value at idx (or of its
 * __index table), read raw; NULL when it is absent or not a C function. */
static lua_CFunction meta_cfunction(lua_State *L, int idx, const char *k, int in_index) {
    lua_CFunction f = NULL;
    if (!lua_getmetatable(L, idx)) return NULL;
    if (in_index) {
        lua_pushliteral(L, "__index");
        lua_rawget(L, -2);
        if (!lua_istable(L, -1)) {
            lua_pop(L, 2);
            return NULL;
        }
        lua_remove(L, -2);
    }
    lua_pushstring(L, k);
    lua_rawget(L, -2);
    if (lua_iscfunction(L, -1)) f = lua_tocfunction(L, -1);
    lua_pop(L, 2);
    return f;
}

/* Fill v from the value at idx; 0 when the value is not one the pane lists. */
static int describe(lua_State *L, int idx, var *v, int utf8) {
    const char *times = utf8 ? "×" : "x";
    const char *none = utf8 ? "—" : "-";
    frame *f;
    column *c;
    idx = lua_absindex(L, idx);
    v->detail = NULL;
    snprintf(v->mem, sizeof v->mem, "%s", none);
    if ((f = lab_testframe(L, idx)) != NULL) {
        snprintf(v->type, sizeof v->type, "frame");
        snprintf(v->shape, sizeof v->shape, "%zu %s %d", f->nrow, times, f->ncol);
        human_bytes(v->mem, sizeof v->mem, frame_bytes(f));
        strbuf b = {0};
        for (int j = 0; j < f->ncol && b.n < 400; j++) {
            if (j) strbuf_adds(&b, ", ");
            strbuf_adds(&b, f->names[j]);
        }
        v->detail = b.s;
        return 1;
    }
    if ((c = lab_testcolumn(L, idx)) != NULL) {
        snprintf(v->type, sizeof v->type, "column");
        snprintf(v->shape, sizeof v->shape, "%zu", c->n);
        human_bytes(v->mem, sizeof v->mem, col_bytes(c));
        const char *cname = lab_columnname(L, idx);
        char d[256];
        snprintf(d, sizeof d, "%s%s%s", col_type_name(c->type), *cname ? ", from " : "", cname);
        v->detail = xstrdup(d);
        return 1;
    }
    if (luaL_testudata(L, idx, LAB_PLOT)) {
        plot *p = lab_testplot(L, idx);
        snprintf(v->type, sizeof v->type, "plot");
        snprintf(v->shape, sizeof v->shape, "%s", p ? plot_kind_name(plot_get_kind(p)) : "(freed)");
        if (p) {
            human_bytes(v->mem, sizeof v->mem, plot_bytes(p));
            v->detail = xstrdup(plot_summary(p));
        }
        return 1;
    }
    if (lua_type(L, idx) == LUA_TUSERDATA) {
        int ty = luaL_getmetafield(L, idx, "__name"); /* raw: no user code */
        if (ty != LUA_TSTRING) {
            if (ty != LUA_TNIL) lua_pop(L, 1);
            return 0;
        }
        const char *tn = lua_tostring(L, -1);
        int ours = strncmp(tn, "lab.", 4) == 0 && strcmp(tn, LAB_NA) != 0;
        if (ours) snprintf(v->type, sizeof v->type, "%s", tn + 4);
        lua_pop(L, 1);
        if (!ours) return 0;
        snprintf(v->shape, sizeof v->shape, "%s", none);
        if (strcmp(v->type, "GroupBy") == 0) {
            call_own(L, idx, meta_cfunction(L, idx, "ngroups", 1));
            if (lua_isinteger(L, -1)) snprintf(v->shape, sizeof v->shape, "%d groups", (int)lua_tointeger(L, -1));
            lua_pop(L, 1);
        }
        call_own(L, idx, meta_cfunction(L, idx, "__tostring", 0));
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *s = lua_tostring(L, -1);
            v->detail = xstrdup(s);
            char *nl = strchr(v->detail, '\n');
            if (nl) *nl = '\0';
        }
        lua_pop(L, 1);
        return 1;
    }
    if (lua_type(L, idx) == LUA_TTABLE) {
        size_t n = 0, len = lua_rawlen(L, idx);
        lua_pushnil(L);
        while (n < TABLE_COUNT_MAX && lua_next(L, idx)) {
            lua_pop(L, 1);
            n++;
        }
        if (n == TABLE_COUNT_MAX) lua_pop(L, 1); /* the key lua_next left */
        snprintf(v->type, sizeof v->type, "table");
        const char *more = n == TABLE_COUNT_MAX ? "+" : "";
        if (n == len && n > 0) snprintf(v->shape, sizeof v->shape, "%zu%s item%s", n, more, n == 1 ? "" : "s");
        else snprintf(v->shape, sizeof v->shape, "%zu%s key%s", n, more, n == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const var *)a)->name, ((const var *)b)->name);
}

/* Rebuild the list from _G, leaving out what the standard libraries and
 * lab put there (every value package.loaded holds, and arg). */
static void rebuild(tui *t, vars_state *s) {
    lua_State *L = tui_lua(t);
    int top = lua_gettop(L);
    forget_vars(s);
    lua_newtable(L); /* the set of library values */
    int libs = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_istable(L, -1)) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (!lua_isnil(L, -1)) {
                lua_pushboolean(L, 1);
                lua_rawset(L, libs);
            } else lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    int g = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, g)) {
        if (lua_type(L, -2) == LUA_TSTRING && (lua_type(L, -1) == LUA_TTABLE || lua_type(L, -1) == LUA_TUSERDATA)) {
            const char *name = lua_tostring(L, -2);
            lua_pushvalue(L, -1);
            int lib = lua_rawget(L, libs) != LUA_TNIL;
            lua_pop(L, 1);
            var v;
            if (!lib && strcmp(name, "arg") != 0 && describe(L, -1, &v, tui_utf8(t))) {
                if (s->n == s->cap) {
                    s->cap = s->cap ? s->cap * 2 : 16;
                    s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
                }
                v.name = xstrdup(name);
                s->v[s->n++] = v;
            }
        }
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    if (s->n > 1) qsort(s->v, (size_t)s->n, sizeof *s->v, by_name);
    /* keep the selection on the same name when it still exists */
    if (s->sel_name)
        for (int i = 0; i < s->n; i++)
            if (strcmp(s->v[i].name, s->sel_name) == 0) s->sel = i;
    if (s->sel >= s->n) s->sel = s->n - 1;
    if (s->sel < 0) s->sel = 0;
}

static void remember(vars_state *s) {
    free(s->sel_name);
    s->sel_name = s->n ? xstrdup(s->v[s->sel].name) : NULL;
}

/* ---- drawing ---------------------------------------------------------------------- */

/* Text at (y, x) padded or cut to width cells; right-aligned when right. */
static void cell(WINDOW *w, int y, int x, const char *s, int width, int right) {
    if (width <= 0) return;
    int tw = (int)text_width(s, strlen(s));
    int pad = right && tw < width ? width - tw : 0;
    tui_puts(w, y, x + pad, s, width - pad);
}

static void draw(tui *t, pane *p) {
    vars_state *s = state_of(p);
    WINDOW *w = p->win;
    werase(w);
    rebuild(t, s);
    int focused = t->focus == PANE_VARS;
    char head[128];
    snprintf(head, sizeof head, " Variables: %d", s->n);
    wattrset(w, tui_attr(t, TUI_C_TITLE));
    tui_puts(w, 0, 0, head, p->cols);
    if (s->n == 0) {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        tui_puts(w, 2, 1, "No frames, columns, plots or tables yet: try df = lab.read_csv(\"data/iris.csv\")",
                 p->cols - 2);
        wattrset(w, A_NORMAL);
        return;
    }
    /* columns: name, type, shape, memory, then the details in what is left */
    int wn = 4;
    for (int i = 0; i < s->n; i++) {
        int k = (int)text_width(s->v[i].name, strlen(s->v[i].name));
        if (k > wn) wn = k;
    }
    if (wn > 24) wn = 24;
    int wt = 7, ws = 13, wm = 9;
    int xn = 1, xt = xn + wn + 2, xs = xt + wt + 2, xm = xs + ws + 1, xd = xm + wm + 2;
    int wd = p->cols - xd - 1;
    if (xm + wm > p->cols) { /* narrow: leave memory out before shape */
        wm = 0;
        xm = p->cols;
        wd = 0;
    }
    if (xs + ws > p->cols) ws = p->cols - xs;
    wattrset(w, tui_attr(t, TUI_C_DIM));
    cell(w, 1, xn, "name", wn, 0);
    cell(w, 1, xt, "type", wt, 0);
    cell(w, 1, xs, "shape", ws, 0);
    if (wm) cell(w, 1, xm, "memory", wm, 1);
    if (wd > 6) cell(w, 1, xd, "details", wd, 0);
    int list_rows = p->rows - 2;
    if (list_rows < 1) {
        wattrset(w, A_NORMAL);
        return;
    }
    if (s->sel < s->top) s->top = s->sel;
    if (s->sel >= s->top + list_rows) s->top = s->sel - list_rows + 1;
    if (s->top > s->n - list_rows) s->top = s->n - list_rows;
    if (s->top < 0) s->top = 0;
    for (int r = 0; r < list_rows && s->top + r < s->n; r++) {
        const var *v = &s->v[s->top + r];
        int y = 2 + r, sel = s->top + r == s->sel;
        attr_t base = sel ? tui_attr(t, focused ? TUI_C_SELECT : TUI_C_CURSOR) : A_NORMAL;
        if (sel && !focused && !tui_has_color(t)) base = A_UNDERLINE;
        wattrset(w, base);
        if (sel)
            for (int x = 0; x < p->cols; x++) mvwaddch(w, y, x, ' ');
        wattrset(w, base | (sel ? 0 : A_BOLD));
        cell(w, y, xn, v->name, wn, 0);
        wattrset(w, sel ? base : tui_attr(t, TUI_C_STRING));
        cell(w, y, xt, v->type, wt, 0);
        wattrset(w, sel ? base : tui_attr(t, TUI_C_NUMBER));
        cell(w, y, xs, v->shape, ws, 0);
        wattrset(w, base);
        if (wm) cell(w, y, xm, v->mem, wm, 1);
        wattrset(w, sel ? base : tui_attr(t, TUI_C_DIM));
        if (wd > 6 && v->detail) cell(w, y, xd, v->detail, wd, 0);
    }
    wattrset(w, A_NORMAL);
}

/* ---- actions ---------------------------------------------------------------------- */

static int move_to(pane *p, int to) {
    vars_state *s = state_of(p);
    if (to >= s->n) to = s->n - 1;
    if (to < 0) to = 0;
    if (to == s->sel) return 0;
    s->sel = to;
    remember(s);
    return 1;
}

/* The list as it is now: keys can come before the pane's first draw. */
static vars_state *fresh(tui *t, pane *p) {
    rebuild(t, state_of(p));
    return state_of(p);
}

static int page(pane *p) { return p->rows > 3 ? p->rows - 3 : 1; }
static int act_up(tui *t, pane *p) { return move_to(p, fresh(t, p)->sel - 1); }
static int act_down(tui *t, pane *p) { return move_to(p, fresh(t, p)->sel + 1); }
static int act_pgup(tui *t, pane *p) { return move_to(p, fresh(t, p)->sel - page(p)); }
static int act_pgdn(tui *t, pane *p) { return move_to(p, fresh(t, p)->sel + page(p)); }
static int act_home(tui *t, pane *p) {
    fresh(t, p);
    return move_to(p, 0);
}
static int act_end(tui *t, pane *p) { return move_to(p, fresh(t, p)->n - 1); }

/* Print a table (or another value) into the REPL's scrollback, line by line. */
static void print_value(tui *t, lua_State *L, int idx, const char *name) {
    lab_pretty(L, idx, NULL);
    const char *text = lua_tostring(L, -1);
    const char *line = text;
    int first = 1;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        if (first) tui_message(t, "%s = %.*s", name, len, line);
        else tui_message(t, "%.*s", len, line);
        first = 0;
        line = nl ? nl + 1 : NULL;
    }
    lua_pop(L, 1);
    /* when the REPL is hidden behind a zoomed pane, go where the text is */
    if (t->zoom) tui_focus(t, PANE_REPL);
}

static int act_open(tui *t, pane *p) {
    vars_state *s = fresh(t, p);
    if (!s->n) return 0;
    lua_State *L = tui_lua(t);
    int top = lua_gettop(L);
    const char *name = s->v[s->sel].name;
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pushstring(L, name);
    lua_rawget(L, -2);
    int v = lua_gettop(L);
    frame *f;
    column *c;
    if ((f = lab_testframe(L, v)) != NULL) {
        data_pane_open(t, L, v, name);
        tui_show(t, PANE_DATA);
    } else if ((c = lab_testcolumn(L, v)) != NULL) {
        /* a column opens as a frame of one column, under the column's own name */
        const char *cname = lab_columnname(L, v);
        frame *one = frame_new();
        lab_err e;
        if (frame_set_column(one, *cname ? cname : name, col_ref(c), &e) < 0) {
            frame_free(one);
            tui_message(t, "%s: %s", name, e.msg);
        } else {
            lab_pushframe(L, one);
            data_pane_open(t, L, lua_gettop(L), name);
            tui_show(t, PANE_DATA);
        }
    } else if (lab_testplot(L, v)) {
        plot_pane_push(t, L, v);
        tui_show(t, PANE_PLOT);
    } else if (!lua_isnil(L, v)) {
        print_value(t, L, v, name);
    }
    lua_settop(L, top);
    tui_dirty(t, PANE_VARS);
    return 1;
}

static const pane_action actions[] = {
    {"open", "Open", "open the selected variable: a frame or column in the data viewer, a plot in "
                     "the plot view, a table printed at the REPL", act_open},
    {"up", NULL, "select the variable above", act_up},
    {"down", NULL, "select the variable below", act_down},
    {"page_up", NULL, "a page up", act_pgup},
    {"page_down", NULL, "a page down", act_pgdn},
    {"first", NULL, "select the first variable", act_home},
    {"last", NULL, "select the last variable", act_end},
    {NULL, NULL, NULL, NULL}};

static const pane_binding defaults[] = {
    {"Enter", "open"},    {"Up", "up"},   {"Down", "down"}, {"k", "up"},     {"j", "down"},
    {"PgUp", "page_up"}, {"PgDn", "page_down"}, {"Home", "first"}, {"End", "last"},
    {"g", "first"},       {"G", "last"},  {NULL, NULL}};

/* Enter arrives as '\r' under nonl(): the "Enter" binding is '\n'. */
static int key(tui *t, pane *p, int ch) {
    if (ch == '\r' || ch == KEY_ENTER) return act_open(t, p);
    return 0;
}

static void pane_free(pane *p) {
    vars_state *s = state_of(p);
    if (!s) return;
    forget_vars(s);
    free(s->v);
    free(s->sel_name);
    free(s);
    p->state = NULL;
}

pane *vars_pane_new(tui *t) {
    (void)t;
    pane *p = xcalloc(1, sizeof *p);
    p->id = PANE_VARS;
    p->name = "vars";
    p->title = "Variables";
    p->actions = actions;
    p->defaults = defaults;
    p->draw = draw;
    p->key = key;
    p->free = pane_free;
    p->state = xcalloc(1, sizeof(vars_state));
    return p;
}
