/* tui_int.h — the workbench's own state, shared by tui.c and the REPL pane. */
#ifndef LAB_TUI_INT_H
#define LAB_TUI_INT_H

#include <stdio.h>

#include "data/print.h"
#include "keys.h"
#include "session.h"
#include "tui.h"

struct tui {
    lua_State *L;
    pane *panes[PANE_COUNT];
    int top;          /* the pane above the REPL, -1 for none */
    int focus;        /* the pane that gets keys */
    int zoom;         /* the focused pane has the whole body */
    int split;        /* percent of the body for the top pane */
    int rows, cols;
    int color, utf8;
    int quit;
    int layout_changed, bars_dirty;
    WINDOW *status, *bar, *sep, *input;
    SCREEN *screen;
    FILE *term;       /* the terminal, for curses */
    keymap global_map;
    keymap maps[PANE_COUNT];
    short pair_of[256];
    int next_pair;
    char store[512];
    FILE *draw_log;   /* LAB_DRAW_LOG */
    double started, draw_begin;
    int first_drawn;
    int hung_up;      /* the terminal went away: keep the journal restorable */
    char session_id[16];
    /* what runs */
    int running;
    double run_start, last_draw;
    double prog_done, prog_total;
    char prog_label[96];
    /* a note on the status line ("promoted to run 1a2b3c4d"), until the next chunk */
    char note[160];
    /* output capture: the session's stdout and stderr */
    int saved_stdout, saved_stderr;
    int out_read;
};

extern const pane_action tui_global_actions[];

/* Redraw dirty panes and bars now. */
void tui_redraw(tui *t);
/* A chunk starts / ends running: the tick hook, the status line. */
void tui_run_begin(tui *t, const char *what);
void tui_run_end(tui *t);
void tui_tick(tui *t);
/* Move the session's captured output into the scrollback now. */
void tui_drain_output(tui *t);

/* REPL pane (repl_pane.c) */
enum { REPL_LINE_OUT, REPL_LINE_INPUT, REPL_LINE_ERROR, REPL_LINE_TIME, REPL_LINE_INFO, REPL_LINE_RESULT };
void repl_pane_output(tui *t, const char *text, int style);
void repl_pane_cursor(tui *t, int *y, int *x);
void repl_pane_start(tui *t);
void repl_pane_stop(tui *t);
void repl_pane_interrupt(tui *t);

/* A note on the right of the status line while nothing runs; the next chunk
 * clears it. */
void tui_note(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs pane (runs_pane.c): F9 promotes the session (lab.promote) and shows
 * the new run selected; poll notices a store changed by anyone (cheap: two
 * stat calls), for the loop to call every turn. */
void runs_pane_promote(tui *t);
void runs_pane_poll(tui *t);

/* Plot pane (plot_pane.c): the plot sink the workbench installs. */
int plot_pane_sink(lua_State *L);

/* repl.c: the REPL's Tab completion, shared with the workbench. */
void repl_setup_completion(lua_State *L);

#endif
