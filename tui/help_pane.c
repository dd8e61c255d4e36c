/* help_pane.c — F1: every key of every pane, generated from the same action
 * tables and key maps the loop dispatches with, so it never lies. */
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

typedef struct help_state {
    int top; /* first line shown */
    int nlines;
} help_state;

/* One section: a pane's actions with the keys bound to them. */
static int section(tui *t, WINDOW *w, int y, int skip, int rows, const char *title, const pane_action *acts,
                   const keymap *m, int cols) {
    int line = 0;
#define EMIT(draw)                                                                                                    \
    do {                                                                                                              \
        if (line >= skip && y + line - skip < rows) {                                                                 \
            draw;                                                                                                     \
        }                                                                                                             \
        line++;                                                                                                       \
    } while (0)
    EMIT((wattrset(w, tui_attr(t, TUI_C_TITLE)), tui_puts(w, y + line - skip, 1, title, cols - 1),
          wattrset(w, A_NORMAL)));
    for (int i = 0; acts && acts[i].name; i++) {
        char keys[96] = "";
        size_t used = 0;
        for (int k = 0; k < m->n; k++)
            if (m->action[k] == i) {
                char kn[32];
                keyname_of(m->code[k], kn, sizeof kn);
                int wrote = snprintf(keys + used, sizeof keys - used, "%s%s", used ? " " : "", kn);
                if (wrote > 0 && (size_t)wrote < sizeof keys - used) used += (size_t)wrote;
            }
        char row[512];
        snprintf(row, sizeof row, "  %-14s %-18s %s", used ? keys : "(no key)", acts[i].name,
                 acts[i].help ? acts[i].help : "");
        EMIT(tui_puts(w, y + line - skip, 0, row, cols));
    }
    EMIT((void)0);
#undef EMIT
    return line;
}

static void help_draw(tui *t, pane *p) {
    help_state *s = p->state;
    WINDOW *w = p->win;
    werase(w);
    wattrset(w, tui_attr(t, TUI_C_BAR));
    mvwhline(w, 0, 0, ' ', p->cols);
    tui_puts(w, 0, 1, "Help: every key (lab.bind(pane, key, action) changes one)", p->cols - 1);
    wattrset(w, A_NORMAL);
    int y = 1, rows = p->rows, total = 0;
    int skip = s->top;
    int n = section(t, w, y, skip, rows, "Everywhere", tui_global_actions, &t->global_map, p->cols);
    total += n;
    static const char *titles[PANE_COUNT] = {"REPL (typing goes to readline: Tab completes, Up/Down history)",
                                             "Data viewer", "Plot view", "Variables", "Help",
                                             "Notebook", "Runs"};
    for (int i = 0; i < PANE_COUNT; i++) {
        pane *q = t->panes[i];
        if (!q) continue;
        int before = total;
        int sk = skip > before ? skip - before : 0;
        int yy = y + (before - skip > 0 ? before - skip : 0);
        total += section(t, w, yy, sk, rows, titles[i], q->actions, &t->maps[i], p->cols);
    }
    s->nlines = total;
}

static int help_move(pane *p, int d) {
    help_state *s = p->state;
    s->top += d;
    if (s->top > s->nlines - (p->rows - 1)) s->top = s->nlines - (p->rows - 1);
    if (s->top < 0) s->top = 0;
    return 1;
}

static int act_down(tui *t, pane *p) { (void)t; return help_move(p, 1); }
static int act_up(tui *t, pane *p) { (void)t; return help_move(p, -1); }
static int act_pgdn(tui *t, pane *p) { (void)t; return help_move(p, p->rows - 2); }
static int act_pgup(tui *t, pane *p) { (void)t; return help_move(p, -(p->rows - 2)); }
static int act_close(tui *t, pane *p) {
    (void)p;
    t->top = -1;
    t->focus = PANE_REPL;
    t->layout_changed = 1;
    return 1;
}

static const pane_action help_actions[] = {
    {"down", NULL, "scroll down", act_down},     {"up", NULL, "scroll up", act_up},
    {"page_down", NULL, "next page", act_pgdn}, {"page_up", NULL, "previous page", act_pgup},
    {"close", "Close", "close help", act_close}, {NULL, NULL, NULL, NULL}};

static const pane_binding help_defaults[] = {{"Down", "down"}, {"j", "down"},     {"Up", "up"},
                                              {"k", "up"},     {"PgDn", "page_down"}, {"Space", "page_down"},
                                              {"PgUp", "page_up"}, {"q", "close"}, {"Esc", "close"},
                                              {NULL, NULL}};

static void help_free(pane *p) { free(p->state); }

pane *help_pane_new(tui *t) {
    (void)t;
    pane *p = xcalloc(1, sizeof *p);
    p->id = PANE_HELP;
    p->name = "help";
    p->title = "Help";
    p->actions = help_actions;
    p->defaults = help_defaults;
    p->draw = help_draw;
    p->free = help_free;
    p->state = xcalloc(1, sizeof(help_state));
    return p;
}
