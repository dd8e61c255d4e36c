/* tui.h — the workbench: one curses screen around the Lua session.
 *
 * The screen is a stack of panes: a top pane (data viewer, plot, variables,
 * help, notebook, runs) above the REPL, a status line at the very top and the bar
 * of the focused pane's keys at the bottom. One loop (tui.c) polls the
 * terminal, the captured output of the session and timers; handlers only mark
 * panes dirty, and the loop redraws dirty panes once per turn
 * (wnoutrefresh, then one doupdate), as tmux and htop do.
 *
 * Keys are data: each pane lists its actions (name, bar label, help line,
 * function) and its default bindings; lab.bind(pane, key, action) changes a
 * binding from Lua (for example in .lab/init.lua), and the bottom bar and the
 * help pane are generated from the same tables, so they never lie.
 *
 * Panes draw only into their own WINDOW and never call refresh: the loop
 * does. A pane that changes what it shows calls tui_dirty(). */
#ifndef LAB_TUI_H
#define LAB_TUI_H

#include <curses.h>

#include "lab_lua.h"

enum {
    PANE_REPL,
    PANE_DATA,
    PANE_PLOT,
    PANE_VARS,
    PANE_HELP,
    PANE_NOTEBOOK,
    PANE_RUNS,
    PANE_COUNT
};

typedef struct tui tui;
typedef struct pane pane;

/* What a key does in a pane. Returns 1 when the screen changed. */
typedef int (*pane_action_fn)(tui *t, pane *p);

typedef struct pane_action {
    const char *name;  /* what users bind keys to: "sort_asc" */
    const char *label; /* the bottom bar's word ("Sort↑"), NULL to leave it out */
    const char *help;  /* one line for the help pane */
    pane_action_fn fn;
} pane_action;

typedef struct pane_binding {
    const char *key;    /* "F3", "s", "S", "^S", "M-x", "Enter", "Up", "PgDn", "/" */
    const char *action; /* a name from the pane's actions or the global ones */
} pane_binding;

struct pane {
    int id;
    const char *name;   /* "data": the name lab.bind and the help pane use */
    const char *title;  /* shown in the pane's top border */
    WINDOW *win;        /* where it draws; NULL while not on screen */
    int rows, cols;     /* the window's size */
    int dirty;
    const pane_action *actions;   /* {NULL}-terminated */
    const pane_binding *defaults; /* {NULL}-terminated */
    /* Draw the whole pane into win (werase first); no refresh. */
    void (*draw)(tui *t, pane *p);
    /* A key no binding took (typing, for the REPL); 1 when used. */
    int (*key)(tui *t, pane *p, int ch);
    /* The window changed size (win is already resized). May be NULL. */
    void (*resized)(tui *t, pane *p);
    /* Free p->state and whatever it holds (Lua references included). The
     * loop then deletes p->win and frees p itself. May be NULL. */
    void (*free)(pane *p);
    void *state;
};

/* ---- what panes may call ---- */

/* The session's Lua state. */
lua_State *tui_lua(tui *t);

/* Mark a pane for redrawing at the end of this loop turn. */
void tui_dirty(tui *t, int pane_id);

/* Show pane_id in the top area and give it the keys. */
void tui_show(tui *t, int pane_id);

/* Give the keys to pane_id (the REPL or the top pane). */
void tui_focus(tui *t, int pane_id);

/* The pane object. */
pane *tui_pane(tui *t, int pane_id);

/* A line for the user in the REPL's scrollback ("saved plot to x.png"). */
void tui_message(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ask a one-line question at the bottom of the screen (a filter expression,
 * a row number, a file name); returns a new string the caller frees, or NULL
 * when the user pressed Esc. Runs its own small loop; the screen stays alive. */
char *tui_prompt(tui *t, const char *question, const char *initial);

/* Colour pairs panes use (all fall back to attributes under NO_COLOR). */
enum {
    TUI_C_NORMAL = 1,
    TUI_C_TITLE,     /* pane titles, header rows */
    TUI_C_BAR,       /* status line and key bar */
    TUI_C_BAR_KEY,   /* the key names in the bar */
    TUI_C_CURSOR,    /* the data viewer's cell cursor */
    TUI_C_DIM,       /* types, row numbers, timings */
    TUI_C_ERROR,
    TUI_C_NUMBER,
    TUI_C_STRING,
    TUI_C_NA,
    TUI_C_SELECT,    /* a selected list row */
    TUI_C_PLOT0      /* first of the plot colours: TUI_C_PLOT0 + i, i < tui_plot_colors() */
};
/* The attribute for a colour pair, or a plain attribute under NO_COLOR. */
attr_t tui_attr(tui *t, int pair);
int tui_has_color(tui *t);
/* 1 when the terminal takes UTF-8 (else draw with ASCII). */
int tui_utf8(tui *t);
/* The colour pair for an xterm-256 colour index (for plots), allocated on
 * first use; 0 when colours are off or pairs ran out. */
int tui_color_pair(tui *t, int xterm256);

/* Draw text clipped to width cells at (y, x); returns cells drawn. */
int tui_puts(WINDOW *w, int y, int x, const char *s, int width);

/* ---- the panes (one file each) ---- */
pane *repl_pane_new(tui *t);  /* tui/repl_pane.c */
pane *data_pane_new(tui *t);  /* tui/data_pane.c */
pane *plot_pane_new(tui *t);  /* tui/plot_pane.c */
pane *vars_pane_new(tui *t);  /* tui/vars_pane.c */
pane *help_pane_new(tui *t);  /* tui/help_pane.c */
pane *notebook_pane_new(tui *t); /* tui/notebook_pane.c */
pane *runs_pane_new(tui *t);  /* tui/runs_pane.c */

/* Open a frame (the Frame userdata at index idx of L) in the data viewer,
 * under a name ("df", or "" when it has none). */
void data_pane_open(tui *t, lua_State *L, int idx, const char *name);
/* Show the Plot userdata at index idx in the plot pane (kept in its history). */
void plot_pane_push(tui *t, lua_State *L, int idx);

/* Open the percent-format notebook at path in the notebook pane (F8) and show
 * it; the same path again reads the file again, keeping the states of the
 * cells that did not change. Returns 0, or -1 with e when the file cannot be
 * read. */
int notebook_pane_open(tui *t, const char *path, lab_err *e);

/* The workbench: `lab` on a terminal. Returns the exit status. */
int tui_main(int argc, char **argv);

#endif
