/* tui.c — the workbench's loop, layout, bars and terminal hygiene.
 *
 * One thread owns curses and the Lua state. Output written by the session to
 * stdout or stderr (print, io.write, C libraries) goes into a 1 MiB pipe that
 * this thread drains into the REPL's scrollback, before every result and on
 * every tick, so output and results keep their order. While a chunk runs, a
 * Lua count hook gives the loop a turn: output moves at once; a resize,
 * progress and the live plot are drawn every ~100 ms; Ctrl-C (SIGINT, which
 * cbreak mode keeps) stops the chunk.
 *
 * Signal handlers only set flags. Fatal signals restore the terminal before
 * the process dies; Ctrl-Z is left to curses, which restores the terminal and
 * redraws on resume. */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "keys.h"
#include "lua_journal.h"
#include "track/journal.h"
#include "tui_int.h"

/* ---- the global actions (any pane) ------------------------------------------ */

static int act_help(tui *t, pane *p) { (void)p; tui_show(t, PANE_HELP); return 1; }
static int act_repl(tui *t, pane *p) { (void)p; tui_focus(t, PANE_REPL); return 1; }
static int act_data(tui *t, pane *p) { (void)p; tui_show(t, PANE_DATA); return 1; }
static int act_plot(tui *t, pane *p) { (void)p; tui_show(t, PANE_PLOT); return 1; }
static int act_vars(tui *t, pane *p) { (void)p; tui_show(t, PANE_VARS); return 1; }
static int act_notebook(tui *t, pane *p) { (void)p; tui_show(t, PANE_NOTEBOOK); return 1; }
static int act_runs(tui *t, pane *p) { (void)p; tui_show(t, PANE_RUNS); return 1; }
static int act_promote(tui *t, pane *p) { (void)p; runs_pane_promote(t); return 1; }
static int act_quit(tui *t, pane *p) { (void)p; t->quit = 1; return 1; }

static int act_zoom(tui *t, pane *p) {
    (void)p;
    t->zoom = !t->zoom;
    t->layout_changed = 1;
    return 1;
}

static int act_hide(tui *t, pane *p) {
    (void)p;
    t->top = -1;
    t->focus = PANE_REPL;
    t->layout_changed = 1;
    return 1;
}

static int act_grow(tui *t, pane *p) {
    (void)p;
    if (t->split < 85) t->split += 5;
    t->layout_changed = 1;
    return 1;
}

static int act_shrink(tui *t, pane *p) {
    (void)p;
    if (t->split > 20) t->split -= 5;
    t->layout_changed = 1;
    return 1;
}

/* Save the session's successful chunks as a notebook. */
static int act_save(tui *t, pane *p) {
    (void)p;
    journal *j = lab_journal_of(t->L);
    if (!j) {
        tui_message(t, "this session keeps no journal: nothing to save");
        return 1;
    }
    char *path = tui_prompt(t, "save the session as notebook:", "session.lua");
    if (!path) return 1;
    lab_err e;
    if (journal_write_notebook(journal_path(j), path, &e) != 0) tui_message(t, "%s", e.msg);
    else tui_message(t, "saved the session's chunks to %s (run it with lab run %s)", path, path);
    free(path);
    return 1;
}

static int act_other(tui *t, pane *p) {
    (void)p;
    if (t->focus == PANE_REPL && t->top >= 0) tui_focus(t, t->top);
    else tui_focus(t, PANE_REPL);
    return 1;
}

const pane_action tui_global_actions[] = {
    {"help", "Help", "show every key of every pane", act_help},
    {"repl", "REPL", "type Lua at the REPL", act_repl},
    {"data", "Data", "the data viewer", act_data},
    {"plot", "Plot", "the plot view", act_plot},
    {"runs", "Runs", "the tracked runs of the current experiment", act_runs},
    {"vars", "Vars", "the session's variables", act_vars},
    {"notebook", "Notebook", "the notebook opened with lab FILE.lua: run its cells", act_notebook},
    {"promote", "Promote", "promote the session into a tracked run (lab.promote) and show it", act_promote},
    {"save", "Save", "save the session's successful chunks as a notebook", act_save},
    {"other", NULL, "switch the keys between the REPL and the pane above it", act_other},
    {"zoom", NULL, "the focused pane takes the whole screen, or gives it back", act_zoom},
    {"hide", NULL, "hide the pane above the REPL", act_hide},
    {"grow", NULL, "give the pane above the REPL more rows", act_grow},
    {"shrink", NULL, "give the pane above the REPL fewer rows", act_shrink},
    {"quit", "Quit", "leave lab (the session's journal is kept)", act_quit},
    {NULL, NULL, NULL, NULL}};

static const pane_binding global_defaults[] = {
    {"F1", "help"},   {"F2", "repl"},   {"F3", "data"},   {"F4", "plot"},   {"F5", "runs"},  {"F7", "vars"},
    {"F8", "notebook"}, {"F9", "promote"}, {"F10", "quit"}, {"^S", "save"},  {"M-o", "other"}, {"M-z", "zoom"},
    {"M-h", "hide"},  {"M-k", "grow"},  {"M-j", "shrink"}, {NULL, NULL}};

/* ---- small helpers ------------------------------------------------------------ */

lua_State *tui_lua(tui *t) { return t->L; }
pane *tui_pane(tui *t, int id) { return id >= 0 && id < PANE_COUNT ? t->panes[id] : NULL; }
int tui_has_color(tui *t) { return t->color; }
int tui_utf8(tui *t) { return t->utf8; }

void tui_dirty(tui *t, int id) {
    if (id >= 0 && id < PANE_COUNT && t->panes[id]) t->panes[id]->dirty = 1;
}

attr_t tui_attr(tui *t, int pair) {
    if (t->color) {
        attr_t a = COLOR_PAIR(pair);
        if (pair == TUI_C_TITLE || pair == TUI_C_BAR_KEY) a |= A_BOLD;
        return a;
    }
    switch (pair) {
    case TUI_C_TITLE: return A_BOLD;
    case TUI_C_BAR: return A_REVERSE;
    case TUI_C_BAR_KEY: return A_BOLD;
    case TUI_C_CURSOR: return A_REVERSE;
    case TUI_C_SELECT: return A_REVERSE;
    case TUI_C_DIM: return A_DIM;
    case TUI_C_NA: return A_DIM;
    case TUI_C_ERROR: return A_BOLD;
    default: return A_NORMAL;
    }
}

int tui_color_pair(tui *t, int xterm256) {
    if (!t->color || xterm256 < 0 || xterm256 > 255) return 0;
    if (t->pair_of[xterm256]) return t->pair_of[xterm256];
    if (t->next_pair >= COLOR_PAIRS || t->next_pair > 32000) return 0;
    int fg = COLORS >= 256 ? xterm256 : (xterm256 < 16 ? xterm256 % 8 : COLOR_WHITE);
    if (init_pair((short)t->next_pair, (short)fg, -1) == ERR) return 0;
    t->pair_of[xterm256] = (short)t->next_pair;
    return t->next_pair++;
}

int tui_puts(WINDOW *w, int y, int x, const char *s, int width) {
    /* count cells as code points; stop at width */
    int cells = 0;
    const char *p = s, *stop = s;
    while (*p && cells < width) {
        const char *q = p + 1;
        while (*q && ((unsigned char)*q & 0xc0) == 0x80) q++;
        if ((unsigned char)*p >= 0x20 || ((unsigned char)*p & 0x80)) cells++;
        p = q;
        stop = p;
    }
    if (stop > s) mvwaddnstr(w, y, x, s, (int)(stop - s));
    return cells;
}

/* ---- output capture ------------------------------------------------------------ */

/* Move captured output into the REPL's scrollback. Reads are non-blocking
 * and happen on this thread only, so output and results keep their order. */
void tui_drain_output(tui *t) {
    if (t->out_read < 0) return;
    fflush(stdout);
    fflush(stderr);
    char buf[8192];
    for (;;) {
        ssize_t n = read(t->out_read, buf, sizeof buf - 1);
        if (n <= 0) break;
        buf[n] = '\0';
        repl_pane_output(t, buf, REPL_LINE_OUT);
    }
}

static int start_capture(tui *t, lab_err *e) {
    int out[2];
    if (pipe(out) < 0) return lab_fail(e, "cannot make a pipe: %s", strerror(errno));
    /* a big pipe, so a chunk that prints a lot between two ticks does not
     * fill it (a full pipe would block the session's own write) */
    fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(out[0], F_SETFD, FD_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    t->saved_stdout = dup(1);
    t->saved_stderr = dup(2);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    t->out_read = out[0];
    return 0;
}

static void stop_capture(tui *t) {
    if (t->saved_stdout < 0) return;
    tui_drain_output(t);
    dup2(t->saved_stdout, 1);
    dup2(t->saved_stderr, 2);
    close(t->saved_stdout);
    close(t->saved_stderr);
    t->saved_stdout = t->saved_stderr = -1;
    close(t->out_read);
    t->out_read = -1;
}

/* ---- layout and drawing ------------------------------------------------------ */

static void place(pane *p, int y, int x, int rows, int cols) {
    if (rows < 1 || cols < 1) {
        if (p->win) delwin(p->win);
        p->win = NULL;
        p->rows = p->cols = 0;
        return;
    }
    if (p->win && p->rows == rows && p->cols == cols) {
        mvwin(p->win, y, x);
    } else {
        if (p->win) delwin(p->win);
        /* a new window has keypad off already; keypad(win, FALSE) would also
         * take the terminal out of keypad mode, and the next arrow key would
         * come in the other mode's code (ESC [ C) and be lost */
        p->win = newwin(rows, cols, y, x);
        p->rows = rows;
        p->cols = cols;
    }
    p->dirty = 1;
}

static void layout(tui *t) {
    getmaxyx(stdscr, t->rows, t->cols);
    if (t->status) delwin(t->status);
    if (t->bar) delwin(t->bar);
    if (t->sep) delwin(t->sep);
    t->status = newwin(1, t->cols, 0, 0);
    t->bar = newwin(1, t->cols, t->rows - 1, 0);
    int body = t->rows - 2;
    for (int i = 0; i < PANE_COUNT; i++)
        if (t->panes[i] && i != t->top && i != PANE_REPL) place(t->panes[i], 0, 0, 0, 0);
    pane *repl = t->panes[PANE_REPL];
    if (t->top < 0) {
        t->sep = NULL;
        place(repl, 1, 0, body, t->cols);
    } else if (t->zoom) {
        t->sep = NULL;
        if (t->focus == PANE_REPL) {
            place(t->panes[t->top], 0, 0, 0, 0);
            place(repl, 1, 0, body, t->cols);
        } else {
            place(t->panes[t->top], 1, 0, body, t->cols);
            place(repl, 0, 0, 0, 0);
        }
    } else {
        int top_rows = body * t->split / 100;
        if (top_rows < 3) top_rows = body > 6 ? 3 : body / 2;
        int repl_rows = body - top_rows - 1;
        if (repl_rows < 2) {
            repl_rows = 2;
            top_rows = body - 3;
        }
        place(t->panes[t->top], 1, 0, top_rows, t->cols);
        t->sep = newwin(1, t->cols, 1 + top_rows, 0);
        place(repl, 2 + top_rows, 0, repl_rows, t->cols);
    }
    for (int i = 0; i < PANE_COUNT; i++)
        if (t->panes[i] && t->panes[i]->win && t->panes[i]->resized) t->panes[i]->resized(t, t->panes[i]);
    clearok(curscr, TRUE);
    t->layout_changed = 0;
    t->bars_dirty = 1;
}

static void draw_status(tui *t) {
    WINDOW *w = t->status;
    werase(w);
    wbkgdset(w, ' ' | tui_attr(t, TUI_C_BAR));
    wattrset(w, tui_attr(t, TUI_C_BAR));
    for (int x = 0; x < t->cols; x++) mvwaddch(w, 0, x, ' ');
    char left[512];
    char cwd[256];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "?");
    const char *home = getenv("HOME");
    char shown[256];
    if (home && *home && strncmp(cwd, home, strlen(home)) == 0)
        snprintf(shown, sizeof shown, "~%s", cwd + strlen(home));
    else snprintf(shown, sizeof shown, "%s", cwd);
    snprintf(left, sizeof left, " lab %s %s %s %.200s session %s", t->utf8 ? "─" : "-", shown, t->utf8 ? "─" : "-",
             t->store, t->session_id);
    tui_puts(w, 0, 0, left, t->cols);
    /* the right side: what runs, its progress */
    char right[256] = "";
    if (t->running) {
        double el = lab_now() - t->run_start;
        if (t->prog_total > 0) {
            double f = t->prog_done / t->prog_total;
            if (f < 0) f = 0;
            if (f > 1) f = 1;
            int width = 12;
            char barbuf[64] = "";
            int full = (int)(f * width);
            size_t k = 0;
            for (int i = 0; i < width; i++) {
                const char *c = i < full ? (t->utf8 ? "█" : "#") : (t->utf8 ? "·" : ".");
                size_t cl = strlen(c);
                memcpy(barbuf + k, c, cl);
                k += cl;
            }
            barbuf[k] = '\0';
            double left_s = f > 0.001 ? el * (1 - f) / f : 0;
            snprintf(right, sizeof right, "%s %s %3.0f%% %.1fs, %.0fs left ", t->prog_label[0] ? t->prog_label : "running",
                     barbuf, f * 100, el, left_s);
        } else snprintf(right, sizeof right, "%s %.1fs ", t->prog_label[0] ? t->prog_label : "running", el);
    } else if (t->note[0])
        snprintf(right, sizeof right, "%s ", t->note);
    int rw = (int)text_width(right, strlen(right));
    if (rw && rw < t->cols) tui_puts(w, 0, t->cols - rw, right, rw);
    wnoutrefresh(w);
}

/* Cells one bar item takes: the key name, the label, a space. */
static int item_width(const keymap *m, const pane_action *acts, int i, char *kn, size_t cap) {
    if (!acts[i].label) return 0;
    int code = keymap_key_of(m, i);
    if (code < 0) return 0;
    keyname_of(code, kn, cap);
    return (int)strlen(kn) + (int)text_width(acts[i].label, strlen(acts[i].label)) + 1;
}

static int draw_item(tui *t, WINDOW *w, int x, const char *kn, const char *label) {
    wattrset(w, tui_attr(t, TUI_C_BAR_KEY));
    x += tui_puts(w, 0, x, kn, t->cols - x);
    wattrset(w, tui_attr(t, TUI_C_BAR));
    x += tui_puts(w, 0, x, label, t->cols - x);
    wattrset(w, A_NORMAL);
    if (x < t->cols) mvwaddch(w, 0, x++, ' ');
    return x;
}

/* The global actions a narrow bar leaves out first, to give the focused
 * pane's keys room; help, promote and quit always show. */
static const char *const bar_drop_order[] = {"save", "notebook", "vars", "repl", "plot", "data", "runs", NULL};

/* The bottom bar: the focused pane's labelled actions from the left, the
 * global ones (help, panes, quit) kept at the right, so Quit always shows.
 * When both do not fit, global items are left out (bar_drop_order) until the
 * pane's keys get what they need or close to half the bar. */
static void draw_bar(tui *t) {
    WINDOW *w = t->bar;
    werase(w);
    char kn[32];
    int nglobal = 0;
    while (tui_global_actions[nglobal].name) nglobal++;
    char shown[64];
    int global_w = 0;
    for (int i = 0; i < nglobal && i < 64; i++) {
        int need = item_width(&t->global_map, tui_global_actions, i, kn, sizeof kn);
        shown[i] = need > 0;
        global_w += need;
    }
    pane *p = t->panes[t->focus];
    int pane_w = 0;
    for (int i = 0; p->actions && p->actions[i].name; i++)
        pane_w += item_width(&t->maps[t->focus], p->actions, i, kn, sizeof kn);
    int want = pane_w < t->cols * 45 / 100 ? pane_w : t->cols * 45 / 100;
    for (int d = 0; bar_drop_order[d] && t->cols - global_w < want; d++)
        for (int i = 0; i < nglobal && i < 64; i++)
            if (shown[i] && strcmp(tui_global_actions[i].name, bar_drop_order[d]) == 0) {
                global_w -= item_width(&t->global_map, tui_global_actions, i, kn, sizeof kn);
                shown[i] = 0;
            }
    if (global_w > t->cols) global_w = t->cols;
    int x = 0;
    for (int i = 0; p->actions && p->actions[i].name; i++) {
        int need = item_width(&t->maps[t->focus], p->actions, i, kn, sizeof kn);
        if (!need) continue;
        if (x + need > t->cols - global_w) break;
        x = draw_item(t, w, x, kn, p->actions[i].label);
    }
    x = t->cols - global_w > x ? t->cols - global_w : x;
    for (int i = 0; i < nglobal && i < 64; i++) {
        if (!shown[i]) continue;
        int need = item_width(&t->global_map, tui_global_actions, i, kn, sizeof kn);
        if (x + need - 1 > t->cols) continue;
        x = draw_item(t, w, x, kn, tui_global_actions[i].label);
    }
    wnoutrefresh(w);
}

static void draw_sep(tui *t) {
    if (!t->sep) return;
    WINDOW *w = t->sep;
    werase(w);
    wattrset(w, tui_attr(t, TUI_C_DIM));
    for (int x = 0; x < t->cols; x++) mvwaddstr(w, 0, x, t->utf8 ? "─" : "-");
    char title[128];
    snprintf(title, sizeof title, " REPL%s ", t->focus == PANE_REPL ? " *" : "");
    wattrset(w, tui_attr(t, t->focus == PANE_REPL ? TUI_C_TITLE : TUI_C_DIM));
    tui_puts(w, 0, t->cols / 2 - 4, title, 12);
    wnoutrefresh(w);
}

/* Redraw what is dirty, then put the cursor where the REPL wants it. */
void tui_redraw(tui *t) {
    t->draw_begin = lab_now();
    if (t->layout_changed) layout(t);
    draw_status(t);
    if (t->bars_dirty) {
        draw_bar(t);
        draw_sep(t);
        t->bars_dirty = 0;
    }
    for (int i = 0; i < PANE_COUNT; i++) {
        pane *p = t->panes[i];
        if (p && p->win && p->dirty) {
            p->draw(t, p);
            wnoutrefresh(p->win);
            p->dirty = 0;
        }
    }
    pane *repl = t->panes[PANE_REPL];
    if (t->focus == PANE_REPL && repl->win && !t->running) {
        int cy, cx;
        repl_pane_cursor(t, &cy, &cx);
        wmove(repl->win, cy, cx);
        wnoutrefresh(repl->win);
        curs_set(1);
    } else curs_set(0);
    doupdate();
    double now = lab_now();
    if (t->draw_log) {
        if (!t->first_drawn) fprintf(t->draw_log, "first_screen %.3f\n", (now - t->started) * 1000);
        else fprintf(t->draw_log, "redraw %.3f\n", (now - t->draw_begin) * 1000);
        fflush(t->draw_log);
    }
    t->first_drawn = 1;
    t->last_draw = now;
}

void tui_show(tui *t, int id) {
    if (id < 0 || id >= PANE_COUNT || !t->panes[id]) return;
    if (id == PANE_REPL) {
        tui_focus(t, PANE_REPL);
        return;
    }
    if (t->top != id) t->layout_changed = 1;
    t->top = id;
    tui_focus(t, id);
}

void tui_focus(tui *t, int id) {
    if (id != PANE_REPL && id != t->top) {
        tui_show(t, id);
        return;
    }
    if (t->focus != id && t->zoom) t->layout_changed = 1;
    t->focus = id;
    t->bars_dirty = 1;
    tui_dirty(t, id);
}

void tui_note(tui *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->note, sizeof t->note, fmt, ap);
    va_end(ap);
}

void tui_message(tui *t, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    repl_pane_output(t, buf, REPL_LINE_INFO);
    repl_pane_output(t, "\n", REPL_LINE_INFO);
}

/* ---- signals and terminal hygiene --------------------------------------------- */

static volatile sig_atomic_t got_winch;
static tui *the_tui;

static void on_winch(int sig) {
    (void)sig;
    got_winch = 1;
}

static void restore_terminal(void) {
    if (the_tui && !isendwin()) endwin();
}

static void on_fatal(int sig) {
    /* not async-signal-safe, as htop's crash handler is not: the terminal is
     * worth the risk, and the process dies right after */
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_oom(void) { restore_terminal(); }

#ifdef __SANITIZE_ADDRESS__
/* In a SANITIZE build a report must not vanish into the captured stderr, and
 * the sanitizer's exit must restore the terminal like any other death. */
#include <sanitizer/common_interface_defs.h>
static void on_sanitizer_death(void) { restore_terminal(); }
#endif

/* ---- keys ------------------------------------------------------------------------- */

static int find_action(const pane_action *acts, const char *name) {
    for (int i = 0; acts && acts[i].name; i++)
        if (strcmp(acts[i].name, name) == 0) return i;
    return -1;
}

static void load_bindings(tui *t) {
    keymap_init(&t->global_map);
    for (int k = 0; global_defaults[k].key; k++) {
        int code = keyname_parse(global_defaults[k].key);
        int a = find_action(tui_global_actions, global_defaults[k].action);
        if (code >= 0 && a >= 0) keymap_set(&t->global_map, code, a);
    }
    /* M-Up / M-Down come as ESC then the arrow */
    for (int i = 0; i < PANE_COUNT; i++) {
        keymap_init(&t->maps[i]);
        pane *p = t->panes[i];
        for (int k = 0; p && p->defaults && p->defaults[k].key; k++) {
            int code = keyname_parse(p->defaults[k].key);
            int a = find_action(p->actions, p->defaults[k].action);
            if (code >= 0 && a >= 0) keymap_set(&t->maps[i], code, a);
        }
    }
}

/* lab.bind(pane, key, action): change a key from Lua. pane is a pane name or
 * "global"; action one of that pane's actions (or a global one). */
static int l_bind(lua_State *L) {
    tui *t = the_tui;
    const char *pname = luaL_checkstring(L, 1);
    const char *kname = luaL_checkstring(L, 2);
    const char *aname = luaL_checkstring(L, 3);
    if (!t) return luaL_error(L, "lab.bind works in the workbench");
    int code = keyname_parse(kname);
    if (code < 0) return luaL_argerror(L, 2, lua_pushfstring(L, "'%s' is not a key name (try F5, ^S, M-x, s, PgDn)", kname));
    if (strcmp(pname, "global") == 0) {
        int a = find_action(tui_global_actions, aname);
        if (a < 0) return luaL_argerror(L, 3, lua_pushfstring(L, "no global action '%s'", aname));
        keymap_set(&t->global_map, code, a);
        t->bars_dirty = 1;
        return 0;
    }
    for (int i = 0; i < PANE_COUNT; i++) {
        pane *p = t->panes[i];
        if (!p || strcmp(p->name, pname) != 0) continue;
        int a = find_action(p->actions, aname);
        if (a < 0) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            lua_pushfstring(L, "pane '%s' has no action '%s' (it has:", pname, aname);
            luaL_addvalue(&b);
            for (int k = 0; p->actions && p->actions[k].name; k++) {
                luaL_addchar(&b, ' ');
                luaL_addstring(&b, p->actions[k].name);
            }
            luaL_addchar(&b, ')');
            luaL_pushresult(&b);
            return luaL_argerror(L, 3, lua_tostring(L, -1));
        }
        keymap_set(&t->maps[i], code, a);
        t->bars_dirty = 1;
        return 0;
    }
    return luaL_argerror(L, 1, lua_pushfstring(L, "no pane '%s' (panes: global, repl, data, plot, vars, help, notebook, runs)", pname));
}

/* Dispatch one key: global bindings, then the focused pane's, then the pane
 * itself (typing). */
static void handle_key(tui *t, int ch) {
    if (ch == '\r' || ch == KEY_ENTER) ch = '\n'; /* nonl(): Enter comes as CR */
    int a = keymap_lookup(&t->global_map, ch);
    if (a >= 0) {
        tui_global_actions[a].fn(t, t->panes[t->focus]);
        t->bars_dirty = 1;
        return;
    }
    pane *p = t->panes[t->focus];
    a = keymap_lookup(&t->maps[t->focus], ch);
    if (a >= 0) {
        if (p->actions[a].fn(t, p)) p->dirty = 1;
        return;
    }
    if (p->key) p->key(t, p, ch);
}

/* Read what the terminal has: keys (Alt folded into one code). */
static void read_keys(tui *t) {
    int ch;
    while ((ch = wgetch(t->input)) != ERR) {
        if (ch == KEY_RESIZE) {
            got_winch = 1;
            continue;
        }
        if (ch == 27) {
            int next = wgetch(t->input);
            if (next != ERR && next != 27) {
                handle_key(t, KEY_META(next));
                continue;
            }
            if (next == 27) ungetch(27);
        }
        handle_key(t, ch);
        if (t->quit) return;
    }
}

static void check_resize(tui *t) {
    if (!got_winch) return;
    got_winch = 0;
    endwin();
    refresh();
    t->layout_changed = 1;
}

/* ---- while a chunk runs --------------------------------------------------------- */

/* While a chunk runs: output moves on every call; resize, progress and the
 * screen every ~100 ms. */
void tui_tick(tui *t) {
    tui_drain_output(t);
    if (lab_now() - t->last_draw < 0.1) return;
    check_resize(t);
    tui_redraw(t);
}

static void tick_hook(lua_State *L, lua_Debug *ar) {
    (void)L;
    (void)ar;
    if (the_tui) tui_tick(the_tui);
}

void tui_run_begin(tui *t, const char *what) {
    t->running = 1;
    t->note[0] = '\0';
    t->run_start = lab_now();
    t->prog_total = 0;
    snprintf(t->prog_label, sizeof t->prog_label, "%s", what ? what : "");
    lua_sethook(t->L, tick_hook, LUA_MASKCOUNT, 20000);
    tui_redraw(t);
}

void tui_run_end(tui *t) {
    lua_sethook(t->L, NULL, 0, 0);
    t->running = 0;
    t->prog_total = 0;
    t->prog_label[0] = '\0';
    tui_drain_output(t);
}

/* Engine progress (lab_progress) on the status line. */
static void on_engine_progress(const char *what, double done, double total) {
    tui *t = the_tui;
    if (!t || !t->running) return;
    t->prog_done = done;
    t->prog_total = total;
    snprintf(t->prog_label, sizeof t->prog_label, "%s", what ? what : "");
    tui_tick(t);
}

/* lab.progress(done, total [, label]) in the workbench */
static int l_progress(lua_State *L) {
    double done = luaL_checknumber(L, 1), total = luaL_checknumber(L, 2);
    const char *label = luaL_optstring(L, 3, NULL);
    tui *t = the_tui;
    if (!t) return 0;
    t->prog_done = done;
    t->prog_total = total;
    if (label) snprintf(t->prog_label, sizeof t->prog_label, "%s", label);
    tui_tick(t);
    return 0;
}

/* lab.view(frame [, name]) in the workbench: the data viewer */
static int l_view(lua_State *L) {
    lab_checkframe(L, 1);
    tui *t = the_tui;
    const char *name = luaL_optstring(L, 2, "");
    if (!t) return 0;
    data_pane_open(t, L, 1, name);
    tui_show(t, PANE_DATA);
    return 0;
}

/* ---- prompts --------------------------------------------------------------------- */

char *tui_prompt(tui *t, const char *question, const char *initial) {
    strbuf line = {0};
    if (initial) strbuf_adds(&line, initial);
    if (!line.s) strbuf_add(&line, "", 0);
    WINDOW *w = t->bar;
    keypad(w, TRUE); /* as the input window has it: the terminal stays in keypad mode */
    curs_set(1);
    for (;;) {
        werase(w);
        wattrset(w, tui_attr(t, TUI_C_BAR_KEY));
        int x = tui_puts(w, 0, 0, question, t->cols);
        wattrset(w, A_NORMAL);
        mvwaddch(w, 0, x++, ' ');
        int room = t->cols - x - 1;
        const char *shown = line.s;
        int len = (int)text_width(line.s, line.n);
        while (len > room && *shown) {
            shown++;
            while (*shown && ((unsigned char)*shown & 0xc0) == 0x80) shown++;
            len--;
        }
        tui_puts(w, 0, x, shown, room);
        wmove(w, 0, x + len);
        wrefresh(w);
        int ch = wgetch(w);
        if (ch == ERR || ch == KEY_RESIZE) {
            if (got_winch) {
                check_resize(t);
                tui_redraw(t);
                w = t->bar; /* the layout made a new bar */
                keypad(w, TRUE);
            }
            continue;
        }
        if (ch == 27) {
            nodelay(w, TRUE);
            int next = wgetch(w);
            nodelay(w, FALSE);
            if (next == ERR) {
                free(line.s);
                t->bars_dirty = 1;
                return NULL;
            }
            continue;
        }
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) break;
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            while (line.n > 0) {
                line.n--;
                if (((unsigned char)line.s[line.n] & 0xc0) != 0x80) break;
            }
            line.s[line.n] = '\0';
        } else if (ch == 21) { /* ^U */
            line.n = 0;
            line.s[0] = '\0';
        } else if (ch >= 32 && ch < 256) {
            char c = (char)ch;
            strbuf_add(&line, &c, 1);
        }
    }
    t->bars_dirty = 1;
    return line.s;
}

/* ---- start and stop --------------------------------------------------------------- */

static void init_colors(tui *t) {
    const char *nc = getenv("NO_COLOR");
    t->color = has_colors() && !(nc && *nc);
    if (!t->color) return;
    start_color();
    use_default_colors();
    init_pair(TUI_C_NORMAL, -1, -1);
    init_pair(TUI_C_TITLE, COLOR_CYAN, -1);
    init_pair(TUI_C_BAR, COLOR_BLACK, COLOR_CYAN);
    init_pair(TUI_C_BAR_KEY, COLOR_WHITE, -1);
    init_pair(TUI_C_CURSOR, COLOR_BLACK, COLOR_YELLOW);
    init_pair(TUI_C_DIM, COLORS >= 256 ? 244 : COLOR_BLUE, -1);
    init_pair(TUI_C_ERROR, COLOR_RED, -1);
    init_pair(TUI_C_NUMBER, COLOR_CYAN, -1);
    init_pair(TUI_C_STRING, COLOR_GREEN, -1);
    init_pair(TUI_C_NA, COLORS >= 256 ? 240 : COLOR_MAGENTA, -1);
    init_pair(TUI_C_SELECT, COLOR_BLACK, COLOR_CYAN);
    t->next_pair = TUI_C_PLOT0;
}

static int on_restored(void *ud, int i, int n, const char *chunk, int failed, const char *err, double s) {
    tui *t = ud;
    (void)s;
    tui_message(t, "[%d/%d] %.*s", i, n, (int)strcspn(chunk, "\n"), chunk);
    if (failed) tui_message(t, "%s", err);
    tui_drain_output(t);
    tui_redraw(t);
    return 0;
}

static void make_session_id(tui *t) {
    unsigned v = (unsigned)(lab_now() * 1e6) ^ (unsigned)getpid() * 2654435761u;
    snprintf(t->session_id, sizeof t->session_id, "%06x", v & 0xffffff);
}

int tui_main(int argc, char **argv) {
    double started = lab_now();
    setlocale(LC_ALL, "");
    tui T;
    memset(&T, 0, sizeof T);
    tui *t = &T;
    t->started = started;
    /* LAB_DRAW_LOG=FILE: the time to the first screen and of every redraw
     * (bench/tui reads it) */
    const char *dlog = getenv("LAB_DRAW_LOG");
    if (dlog && *dlog) t->draw_log = fopen(dlog, "a");
    t->saved_stdout = t->saved_stderr = -1;
    t->out_read = -1;
    t->top = -1;
    t->focus = PANE_REPL;
    t->split = 55;
    t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    const char *home = getenv("LAB_HOME");
    snprintf(t->store, sizeof t->store, "%s", home && *home ? home : ".lab");
    make_session_id(t);
    t->L = lab_newstate();
    if (!t->L) {
        fprintf(stderr, "lab: cannot create a Lua state\n");
        return 1;
    }
    the_tui = t;
    /* curses writes to the terminal through its own stream, so that the
     * session's stdout and stderr can go into the capture pipe */
    int tty_fd = dup(1);
    t->term = fdopen(tty_fd, "w");
    t->screen = newterm(NULL, t->term, stdin);
    if (!t->screen) {
        fprintf(stderr, "lab: cannot start the terminal (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
        lua_close(t->L);
        return 1;
    }
    set_term(t->screen);
    lab_set_oom_handler(on_oom);
    lab_set_progress_hook(on_engine_progress);
    signal(SIGSEGV, on_fatal);
    signal(SIGBUS, on_fatal);
    signal(SIGFPE, on_fatal);
    signal(SIGABRT, on_fatal);
    signal(SIGILL, on_fatal);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, NULL);
    cbreak();
    noecho();
    nonl();
    /* ^S and ^Q are keys here, not flow control */
    struct termios tio;
    if (tcgetattr(0, &tio) == 0) {
        tio.c_iflag &= (tcflag_t)~(IXON | IXOFF);
        tcsetattr(0, TCSANOW, &tio);
        def_prog_mode();
    }
    set_escdelay(25);
    init_colors(t);
    t->input = newwin(1, 1, 0, 0);
    keypad(t->input, TRUE);
    nodelay(t->input, TRUE);
    /* the first read sends the terminal into keypad mode; do it now, or the
     * first arrow key arrives in the other mode's code and is lost */
    wgetch(t->input);
    /* the panes */
    t->panes[PANE_REPL] = repl_pane_new(t);
    t->panes[PANE_DATA] = data_pane_new(t);
    t->panes[PANE_PLOT] = plot_pane_new(t);
    t->panes[PANE_VARS] = vars_pane_new(t);
    t->panes[PANE_HELP] = help_pane_new(t);
    t->panes[PANE_NOTEBOOK] = notebook_pane_new(t);
    t->panes[PANE_RUNS] = runs_pane_new(t);
    load_bindings(t);
    /* the Lua face of the workbench */
    lua_getglobal(t->L, "lab");
    lua_pushcfunction(t->L, l_bind);
    lua_setfield(t->L, -2, "bind");
    lua_pushcfunction(t->L, l_view);
    lua_setfield(t->L, -2, "view");
    lua_pushcfunction(t->L, l_progress);
    lua_setfield(t->L, -2, "progress");
    lua_pop(t->L, 1);
    lua_pushcfunction(t->L, plot_pane_sink);
    lua_setfield(t->L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    lab_err e;
    if (start_capture(t, &e) < 0) {
        endwin();
        fprintf(stderr, "lab: %s\n", e.msg);
        return 1;
    }
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_set_report_fd((void *)(intptr_t)t->saved_stderr);
    __sanitizer_set_death_callback(on_sanitizer_death);
#endif
    t->layout_changed = 1;
    repl_pane_start(t);
    /* the journal: a session that died is offered back first */
    char *old = journal_find_unfinished(t->store);
    if (lab_journal_start(t->L, t->store, &e) != 0)
        tui_message(t, "%s (this session keeps no journal)", e.msg);
    else snprintf(t->session_id, sizeof t->session_id, "%s", journal_id(lab_journal_of(t->L)));
    if (old) {
        char *q = journal_describe(old);
        tui_redraw(t);
        char *a = tui_prompt(t, q ? q : old, "");
        if (a && (a[0] == 'y' || a[0] == 'Y')) {
            tui_run_begin(t, "restoring");
            int nf = journal_replay(t->L, old, on_restored, t, &e);
            tui_run_end(t);
            if (nf < 0) tui_message(t, "%s", e.msg);
            else if (nf) tui_message(t, "restored; %d chunk(s) failed this time", nf);
            else tui_message(t, "restored");
            for (int i = 0; i < PANE_COUNT; i++) tui_dirty(t, i);
        } else if (a) journal_mark_closed(old, "not restored", &e);
        free(a);
        free(q);
        free(old);
    }
    /* the user's own settings (key bindings, helpers) */
    char init[sizeof t->store + 16];
    snprintf(init, sizeof init, "%.500s/init.lua", t->store);
    if (access(init, R_OK) == 0) {
        if (luaL_dofile(t->L, init) != LUA_OK) {
            tui_message(t, "%s", lua_tostring(t->L, -1));
            lua_pop(t->L, 1);
        } else tui_message(t, "read %s", init);
    }
    /* `lab data.csv`: the file in the data viewer as df */
    if (argc > 1) {
        const char *arg = argv[1];
        size_t len = strlen(arg);
        if (len > 4 && strcmp(arg + len - 4, ".csv") == 0) {
            lua_getglobal(t->L, "lab");
            lua_getfield(t->L, -1, "read_csv");
            lua_pushstring(t->L, arg);
            if (lua_pcall(t->L, 1, 1, 0) == LUA_OK) {
                lua_pushvalue(t->L, -1);
                lua_setglobal(t->L, "df");
                data_pane_open(t, t->L, lua_gettop(t->L), "df");
                tui_show(t, PANE_DATA);
                tui_message(t, "df = lab.read_csv(\"%s\")", arg);
            } else tui_message(t, "%s", lua_tostring(t->L, -1));
            lua_pop(t->L, 2);
        } else if (len > 4 && strcmp(arg + len - 4, ".lua") == 0) {
            /* `lab notebook.lua`: the notebook's cells in the notebook pane */
            if (notebook_pane_open(t, arg, &e) != 0) tui_message(t, "%s", e.msg);
        }
    }
    tui_redraw(t);
    while (!t->quit) {
        struct pollfd fds[2] = {{0, POLLIN, 0}, {t->out_read, POLLIN, 0}};
        int r = poll(fds, 2, 1000);
        if (r < 0 && errno != EINTR) break;
        if (session_take_sigint()) repl_pane_interrupt(t);
        check_resize(t);
        tui_drain_output(t);
        if (r > 0 && (fds[0].revents & POLLIN)) read_keys(t);
        if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR))) {
            t->hung_up = 1;
            break;
        }
        if (t->quit) break;
        runs_pane_poll(t);
        tui_redraw(t);
    }
    repl_pane_stop(t);
    stop_capture(t);
    endwin();
    /* panes hold Lua references: free them before the state, and their
     * windows before the screen that owns them */
    for (int i = 0; i < PANE_COUNT; i++)
        if (t->panes[i]) {
            if (t->panes[i]->free) t->panes[i]->free(t->panes[i]);
            if (t->panes[i]->win) delwin(t->panes[i]->win);
            free(t->panes[i]);
        }
    WINDOW *own[] = {t->status, t->bar, t->sep, t->input};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (own[i]) delwin(own[i]);
    delscreen(t->screen);
    fclose(t->term);
    if (t->draw_log) fclose(t->draw_log);
    lab_journal_stop(t->L, !t->hung_up);
    lua_close(t->L);
    the_tui = NULL;
    return 0;
}
