/* plot_pane.c — the plot view: the session's plots, one at a time, drawn to
 * fit the pane by the engine's terminal renderer (plot_cells: braille dots
 * for the data, text for the title, ticks and legend), with earlier plots a
 * key away and a key that saves the shown plot to a file.
 *
 * The plots are Lua values: the history is a Lua table in the registry that
 * holds the Plot userdata in order, so the collector never frees a plot the
 * pane can still show, and dropping the oldest beyond PLOT_HISTORY_MAX lets
 * it go. Trade-off: a rendering starts a PLplot session (about 20 ms), so the
 * cells of the last rendering are kept and reused until the plot, the size
 * or the colour mode changes; a resize costs one rendering, a redraw none. */
#include "tui.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot.h"
#include "tui_int.h"

#define PLOT_HISTORY_MAX 100

typedef struct plot_state {
    int hist;     /* registry reference of the history table (Plot userdata 1..n) */
    int n, cur;   /* plots kept; the one shown (1-based, 0 when there is none) */
    /* the last rendering, reused while plot, size and flags stay the same */
    const plot *shown;
    int rcols, rrows, rflags;
    plot_cell *cells;
    char rerr[512]; /* why the shown plot could not be rendered at this size */
    char note[512]; /* one line under the plot: the last save, or its error */
    int note_error;
} plot_state;

/* The workbench that plot_pane_sink serves: one per process. */
static tui *sink_tui;

static plot_state *state_of(pane *p) { return p->state; }

static void forget_rendering(plot_state *s) {
    free(s->cells);
    s->cells = NULL;
    s->shown = NULL;
    s->rerr[0] = '\0';
}

/* Push history item i (a Plot, or nil) and return its plot or NULL. */
static plot *get_plot(lua_State *L, plot_state *s, int i) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->hist);
    lua_rawgeti(L, -1, i);
    lua_remove(L, -2);
    return lab_testplot(L, -1);
}

void plot_pane_push(tui *t, lua_State *L, int idx) {
    pane *p = tui_pane(t, PANE_PLOT);
    if (!p || !lab_testplot(L, idx)) return;
    plot_state *s = state_of(p);
    idx = lua_absindex(L, idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->hist);
    int h = lua_gettop(L);
    /* a plot already kept (opened again from the variables) is shown where it is */
    for (int i = 1; i <= s->n; i++) {
        lua_rawgeti(L, h, i);
        int same = lua_rawequal(L, -1, idx);
        lua_pop(L, 1);
        if (same) {
            s->cur = i;
            goto done;
        }
    }
    if (s->n == PLOT_HISTORY_MAX) {
        for (int i = 1; i < s->n; i++) {
            lua_rawgeti(L, h, i + 1);
            lua_rawseti(L, h, i);
        }
        s->n--;
    }
    lua_pushvalue(L, idx);
    lua_rawseti(L, h, ++s->n);
    s->cur = s->n;
done:
    lua_pop(L, 1);
    s->note[0] = '\0';
    forget_rendering(s);
    tui_dirty(t, PANE_PLOT);
}

int plot_pane_sink(lua_State *L) {
    tui *t = sink_tui;
    if (!t || !lab_testplot(L, 1)) return 0;
    plot_pane_push(t, L, 1);
    /* typing at the REPL goes on at the REPL: the plot shows above it */
    int was = t->focus;
    tui_show(t, PANE_PLOT);
    if (was == PANE_REPL) tui_focus(t, PANE_REPL);
    return 0;
}

/* ---- drawing ------------------------------------------------------------------ */

static void draw_cells(tui *t, WINDOW *w, const plot_cell *c, int y0, int cols, int rows) {
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < cols; k++) {
            const plot_cell *cell = &c[(size_t)r * cols + k];
            if (cell->ch[0] == ' ' && !cell->ch[1] && cell->bg < 0) continue;
            attr_t a = cell->bold ? A_BOLD : A_NORMAL;
            if (cell->bg >= 0) /* pairs have the default background: reverse a pair for a block */
                a |= A_REVERSE | COLOR_PAIR(tui_color_pair(t, cell->bg));
            else if (cell->fg >= 0)
                a |= COLOR_PAIR(tui_color_pair(t, cell->fg));
            wattrset(w, a);
            mvwaddstr(w, y0 + r, k, cell->ch);
        }
    wattrset(w, A_NORMAL);
}

/* Lines of text from row y, each cut to the pane's width. */
static void draw_lines(tui *t, pane *p, int y, const char *const *lines, int n) {
    for (int i = 0; i < n && y + i < p->rows; i++) {
        wattrset(p->win, tui_attr(t, i == 0 ? TUI_C_NORMAL : TUI_C_DIM));
        tui_puts(p->win, y + i, 1, lines[i], p->cols - 2);
    }
    wattrset(p->win, A_NORMAL);
}

static void draw(tui *t, pane *p) {
    plot_state *s = state_of(p);
    lua_State *L = tui_lua(t);
    WINDOW *w = p->win;
    werase(w);
    plot *pl = s->cur ? get_plot(L, s, s->cur) : NULL;
    if (s->cur) lua_pop(L, 1); /* the history still holds it */

    char head[512];
    if (!s->cur) snprintf(head, sizeof head, " Plot view: no plots yet");
    else
        snprintf(head, sizeof head, " Plot %d of %d %s %s", s->cur, s->n, tui_utf8(t) ? "·" : "-",
                 pl ? plot_summary(pl) : "(freed)");
    wattrset(w, tui_attr(t, TUI_C_TITLE));
    tui_puts(w, 0, 0, head, p->cols);
    wattrset(w, A_NORMAL);

    int note = s->note[0] != '\0';
    int prow = p->rows - 1 - note, pcol = p->cols;
    if (!s->cur) {
        const char *lines[] = {"Plots made without a file show here, for example:",
                               "lab.plot.scatter(df, \"sepal_length\", \"sepal_width\", {color = \"species\"})"};
        draw_lines(t, p, 2, lines, 2);
    } else if (!pl) {
        const char *lines[] = {"This plot was closed (freed) and cannot be drawn."};
        draw_lines(t, p, 2, lines, 1);
    } else if (prow < 10 || pcol < 30) {
        char msg[160];
        snprintf(msg, sizeof msg, "The pane is %dx%d; a plot needs 30x10 (M-z gives the pane the screen).", pcol,
                 prow < 0 ? 0 : prow);
        const char *lines[] = {msg};
        draw_lines(t, p, 1, lines, 1);
    } else {
        int flags = (tui_has_color(t) ? PLOT_CELLS_COLOR : 0) | (tui_utf8(t) ? 0 : PLOT_CELLS_ASCII);
        if (s->shown != pl || s->rcols != pcol || s->rrows != prow || s->rflags != flags) {
            forget_rendering(s);
            lab_err e;
            if (plot_cells(pl, pcol, prow, flags, &s->cells, &e) < 0) snprintf(s->rerr, sizeof s->rerr, "%s", e.msg);
            s->shown = pl;
            s->rcols = pcol;
            s->rrows = prow;
            s->rflags = flags;
        }
        if (s->cells) draw_cells(t, w, s->cells, 1, pcol, prow);
        else {
            wattrset(w, tui_attr(t, TUI_C_ERROR));
            tui_puts(w, 1, 1, s->rerr, p->cols - 2);
            wattrset(w, A_NORMAL);
        }
    }
    if (note) {
        wattrset(w, tui_attr(t, s->note_error ? TUI_C_ERROR : TUI_C_DIM));
        tui_puts(w, p->rows - 1, 1, s->note, p->cols - 2);
        wattrset(w, A_NORMAL);
    }
}

static void resized(tui *t, pane *p) {
    (void)t;
    p->dirty = 1; /* the next draw renders at the new size */
}

/* ---- actions ------------------------------------------------------------------ */

static int go(tui *t, pane *p, int to) {
    plot_state *s = state_of(p);
    if (!s->n) return 0;
    if (to < 1) to = 1;
    if (to > s->n) to = s->n;
    if (to == s->cur) return 0;
    s->cur = to;
    s->note[0] = '\0';
    tui_dirty(t, PANE_PLOT);
    return 1;
}

static int act_prev(tui *t, pane *p) { return go(t, p, state_of(p)->cur - 1); }
static int act_next(tui *t, pane *p) { return go(t, p, state_of(p)->cur + 1); }
static int act_first(tui *t, pane *p) { return go(t, p, 1); }
static int act_last(tui *t, pane *p) { return go(t, p, state_of(p)->n); }

/* A file name from the plot's title: "sepal_width by sepal_length" gives
 * "sepal_width_by_sepal_length.png". */
static void default_path(const plot *pl, char *out, size_t cap) {
    const char *title = plot_title(pl);
    size_t n = 0;
    int gap = 0;
    for (const unsigned char *c = (const unsigned char *)title; *c && n + 5 < cap && n < 60; c++) {
        if (isalnum(*c) || *c == '-' || *c == '.') {
            if (gap && n) out[n++] = '_';
            out[n++] = (char)*c;
            gap = 0;
        } else gap = 1;
    }
    if (!n) n = (size_t)snprintf(out, cap, "plot");
    snprintf(out + n, cap - n, ".png");
}

static int act_save(tui *t, pane *p) {
    plot_state *s = state_of(p);
    lua_State *L = tui_lua(t);
    if (!s->cur) {
        snprintf(s->note, sizeof s->note, "No plot to save yet.");
        s->note_error = 1;
        return 1;
    }
    plot *pl = get_plot(L, s, s->cur);
    int top = lua_gettop(L); /* the Plot stays on the stack while the prompt runs */
    if (!pl) {
        snprintf(s->note, sizeof s->note, "This plot was closed (freed) and cannot be saved.");
        s->note_error = 1;
        lua_settop(L, top - 1);
        return 1;
    }
    char def[128];
    default_path(pl, def, sizeof def);
    char *path = tui_prompt(t, "Save plot to (.png .svg .pdf):", def);
    if (path && *path) {
        lab_err e;
        if (plot_save(pl, path, 0, 0, &e) < 0) {
            snprintf(s->note, sizeof s->note, "%s", e.msg);
            s->note_error = 1;
            tui_message(t, "plot not saved: %s", e.msg);
        } else {
            snprintf(s->note, sizeof s->note, "Saved to %s", path);
            s->note_error = 0;
            tui_message(t, "saved plot to %s", path);
        }
    }
    free(path);
    lua_settop(L, top - 1);
    tui_dirty(t, PANE_PLOT);
    return 1;
}

static const pane_action actions[] = {
    {"prev", "Prev", "show the plot before this one", act_prev},
    {"next", "Next", "show the plot after this one", act_next},
    {"first", NULL, "show the session's first plot", act_first},
    {"last", NULL, "show the latest plot", act_last},
    {"save", "Save", "save the shown plot to a file (.png, .svg or .pdf by its extension)", act_save},
    {NULL, NULL, NULL, NULL}};

static const pane_binding defaults[] = {
    {"p", "prev"},    {"n", "next"},     {"Left", "prev"}, {"Right", "next"}, {"PgUp", "prev"},
    {"PgDn", "next"}, {"Home", "first"}, {"End", "last"},  {"s", "save"},     {NULL, NULL}};

static void pane_free(pane *p) {
    plot_state *s = state_of(p);
    if (!s) return;
    forget_rendering(s);
    /* the history table goes with the Lua state, which the workbench closes */
    free(s);
    p->state = NULL;
    sink_tui = NULL;
}

pane *plot_pane_new(tui *t) {
    pane *p = xcalloc(1, sizeof *p);
    plot_state *s = xcalloc(1, sizeof *s);
    lua_State *L = tui_lua(t);
    lua_newtable(L);
    s->hist = luaL_ref(L, LUA_REGISTRYINDEX);
    p->id = PANE_PLOT;
    p->name = "plot";
    p->title = "Plot";
    p->actions = actions;
    p->defaults = defaults;
    p->draw = draw;
    p->resized = resized;
    p->free = pane_free;
    p->state = s;
    sink_tui = t;
    return p;
}
