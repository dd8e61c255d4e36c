/* repl_pane.c — the REPL inside the workbench: readline through its callback
 * interface, fed byte by byte from the curses loop, drawn by us.
 *
 * Readline never touches the terminal here: its terminal preparation is a
 * no-op, its output goes to /dev/null, and its redisplay only marks the pane
 * dirty; the pane draws the prompt and rl_line_buffer itself, below a
 * scrollback of the session's output, results, errors and timings. Keys come
 * as curses codes and are turned back into the byte sequences readline's
 * default bindings know (arrows, Home, End, Delete). Completions that need a
 * list are drawn in a box above the input line. */
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "lua_journal.h"
#include "tui_int.h"

#define SCROLLBACK 5000
#define PROMPT1 "> "
#define PROMPT2 ">> "

typedef struct sline {
    char *text;
    int style;
} sline;

typedef struct repl_state {
    sline *lines;
    int n, cap;
    int open;            /* the last line has no newline yet */
    int scroll;          /* lines scrolled back from the bottom */
    strbuf pending;      /* an unfinished chunk */
    const char *prompt;
    unsigned char in[64];
    int in_n, in_pos;
    char *line_done;     /* a line readline accepted */
    int line_ready;
    char **matches;      /* completion candidates to show */
    int nmatches;
    int cur_y, cur_x;
    FILE *devnull;
} repl_state;

static tui *T; /* readline's callbacks take no argument */

static repl_state *state_of(tui *t) { return t->panes[PANE_REPL]->state; }

/* ---- scrollback ------------------------------------------------------------------ */

static void push_line(repl_state *s, const char *text, size_t len, int style) {
    if (s->n == s->cap) {
        if (s->cap >= SCROLLBACK) {
            free(s->lines[0].text);
            memmove(s->lines, s->lines + 1, (size_t)(s->n - 1) * sizeof *s->lines);
            s->n--;
        } else {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->lines = xrealloc(s->lines, (size_t)s->cap * sizeof *s->lines);
        }
    }
    s->lines[s->n].text = xstrndup(text, len);
    s->lines[s->n].style = style;
    s->n++;
}

void repl_pane_output(tui *t, const char *text, int style) {
    repl_state *s = state_of(t);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        /* tabs to spaces, other control characters dropped */
        char *clean = xmalloc(len * 8 + 1);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c == '\t') {
                do clean[k++] = ' ';
                while (k % 8);
            } else if (c == '\r' || c == 27 || (c < 0x20)) continue;
            else clean[k++] = (char)c;
        }
        clean[k] = '\0';
        if (s->open && s->n > 0) {
            sline *last = &s->lines[s->n - 1];
            size_t old = strlen(last->text);
            last->text = xrealloc(last->text, old + k + 1);
            memcpy(last->text + old, clean, k + 1);
        } else push_line(s, clean, k, style);
        free(clean);
        s->open = nl == NULL;
        if (!nl) break;
        p = nl + 1;
    }
    s->scroll = 0;
    tui_dirty(t, PANE_REPL);
}

/* ---- readline plumbing ----------------------------------------------------------- */

static int rl_getc_fed(FILE *f) {
    (void)f;
    repl_state *s = state_of(T);
    if (s->in_pos < s->in_n) return s->in[s->in_pos++];
    return EOF;
}

static int rl_input_waiting(void) {
    repl_state *s = state_of(T);
    return s->in_pos < s->in_n;
}

static void rl_redisplay_pane(void) { tui_dirty(T, PANE_REPL); }
static void rl_prep_noop(int meta) { (void)meta; }
static void rl_deprep_noop(void) {}

static void on_line(char *line) {
    repl_state *s = state_of(T);
    s->line_done = line;
    s->line_ready = 1;
}

static void show_matches(char **matches, int n, int maxlen) {
    (void)maxlen;
    repl_state *s = state_of(T);
    for (int i = 0; i < s->nmatches; i++) free(s->matches[i]);
    free(s->matches);
    s->matches = xcalloc((size_t)n, sizeof *s->matches);
    s->nmatches = n;
    for (int i = 0; i < n; i++) s->matches[i] = xstrdup(matches[i + 1]);
    tui_dirty(T, PANE_REPL);
}

static void clear_matches(repl_state *s) {
    for (int i = 0; i < s->nmatches; i++) free(s->matches[i]);
    free(s->matches);
    s->matches = NULL;
    s->nmatches = 0;
}

static void install(repl_state *s, const char *prompt) {
    s->prompt = prompt;
    rl_callback_handler_install(prompt, on_line);
}

/* ---- evaluation --------------------------------------------------------------- */

static void out_result(void *ud, const char *text) {
    tui *t = ud;
    tui_drain_output(t);
    repl_pane_output(t, text, REPL_LINE_RESULT);
    repl_pane_output(t, "\n", REPL_LINE_RESULT);
}

static void out_error(void *ud, const char *msg) {
    tui *t = ud;
    tui_drain_output(t);
    repl_state *s = state_of(t);
    if (s->open) repl_pane_output(t, "\n", REPL_LINE_OUT);
    repl_pane_output(t, msg, REPL_LINE_ERROR);
    repl_pane_output(t, "\n", REPL_LINE_ERROR);
}

static void out_timing(void *ud, double dt) {
    tui *t = ud;
    tui_drain_output(t);
    repl_state *s = state_of(t);
    if (s->open) repl_pane_output(t, "\n", REPL_LINE_OUT);
    char buf[48];
    snprintf(buf, sizeof buf, "[%.3fs]\n", dt);
    repl_pane_output(t, buf, REPL_LINE_TIME);
}

/* Every chunk that ran goes to the session's journal as it runs. */
static void out_ran(void *ud, const char *chunk, int failed, double seconds) {
    tui *t = ud;
    lab_err e;
    static int warned;
    if (lab_journal_record(tui_lua(t), chunk, failed, seconds, &e) != 0 && !warned) {
        warned = 1;
        tui_message(t, "%s", e.msg);
    }
}

static void run_line(tui *t, char *line) {
    repl_state *s = state_of(t);
    char shown[4096];
    snprintf(shown, sizeof shown, "%s%s\n", s->prompt, line);
    repl_pane_output(t, shown, REPL_LINE_INPUT);
    if (s->pending.n) strbuf_add(&s->pending, "\n", 1);
    strbuf_adds(&s->pending, line);
    if (!s->pending.s) strbuf_add(&s->pending, "", 0);
    const char *q = s->pending.s;
    while (*q == ' ') q++;
    if (s->pending.n && *q == '?' && !strchr(s->pending.s, '\n')) {
        lua_State *L = t->L;
        lua_getglobal(L, "lab");
        lua_getfield(L, -1, "doc");
        lua_pushstring(L, q + 1);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK) repl_pane_output(t, lua_tostring(L, -1), REPL_LINE_OUT);
        lua_pop(L, 2);
        s->pending.n = 0;
        s->pending.s[0] = '\0';
        install(s, PROMPT1);
        return;
    }
    if (s->pending.n == 0) {
        install(s, PROMPT1);
        return;
    }
    session_out out = {out_result, out_error, out_timing, out_ran, t, 0};
    char label[64];
    snprintf(label, sizeof label, "running");
    tui_run_begin(t, label);
    session_status st = session_eval(t->L, s->pending.s, 0, &out);
    tui_run_end(t);
    if (st == SESSION_INCOMPLETE) {
        install(s, PROMPT2);
        return;
    }
    add_history(s->pending.s);
    char path[1024];
    snprintf(path, sizeof path, "%s/history", t->store);
    if (append_history(1, path) != 0) write_history(path);
    s->pending.n = 0;
    s->pending.s[0] = '\0';
    install(s, PROMPT1);
    /* a frame or plot made by the chunk may be on show */
    for (int i = 0; i < PANE_COUNT; i++) tui_dirty(t, i);
}

/* Give readline the bytes of one key; it may take several per call (an
 * escape sequence). A line it accepts runs before the rest is fed. */
static void feed_bytes(tui *t, const char *bytes, int n) {
    repl_state *s = state_of(t);
    if (n > (int)sizeof s->in) n = (int)sizeof s->in;
    memcpy(s->in, bytes, (size_t)n);
    s->in_n = n;
    s->in_pos = 0;
    while (s->in_pos < s->in_n) {
        rl_callback_read_char();
        if (!s->line_ready) continue;
        s->line_ready = 0;
        char *line = s->line_done;
        s->line_done = NULL;
        clear_matches(s);
        if (!line) { /* Ctrl-D on an empty line */
            t->quit = 1;
            return;
        }
        rl_callback_handler_remove();
        run_line(t, line);
        free(line);
    }
}

static int repl_key(tui *t, pane *p, int ch) {
    (void)p;
    repl_state *s = state_of(t);
    const char *seq = NULL;
    char one[4];
    switch (ch) {
    case KEY_UP: seq = "\033[A"; break;
    case KEY_DOWN: seq = "\033[B"; break;
    case KEY_RIGHT: seq = "\033[C"; break;
    case KEY_LEFT: seq = "\033[D"; break;
    case KEY_HOME: seq = "\033[H"; break;
    case KEY_END: seq = "\033[F"; break;
    case KEY_DC: seq = "\033[3~"; break;
    case KEY_BACKSPACE: seq = "\177"; break;
    case KEY_ENTER: seq = "\r"; break;
    case KEY_PPAGE:
        s->scroll += p->rows / 2;
        if (s->scroll > s->n) s->scroll = s->n;
        tui_dirty(t, PANE_REPL);
        return 1;
    case KEY_NPAGE:
        s->scroll -= p->rows / 2;
        if (s->scroll < 0) s->scroll = 0;
        tui_dirty(t, PANE_REPL);
        return 1;
    default:
        if (ch >= KEY_META(0) && ch < KEY_META(256)) {
            one[0] = 27;
            one[1] = (char)(ch - KEY_META(0));
            one[2] = '\0';
            feed_bytes(t, one, 2);
            return 1;
        }
        if (ch < 0 || ch > 255 || ch == 27) return 0; /* a lone Esc would leave readline waiting */
        one[0] = (char)ch;
        one[1] = '\0';
        if (ch != '\t') clear_matches(s);
        feed_bytes(t, one, 1);
        return 1;
    }
    clear_matches(s);
    feed_bytes(t, seq, (int)strlen(seq));
    return 1;
}

void repl_pane_interrupt(tui *t) {
    repl_state *s = state_of(t);
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_point = 0;
    s->pending.n = 0;
    if (s->pending.s) s->pending.s[0] = '\0';
    clear_matches(s);
    repl_pane_output(t, "^C\n", REPL_LINE_INFO);
    rl_callback_handler_remove();
    install(s, PROMPT1);
}

/* ---- drawing -------------------------------------------------------------------- */

static int style_attr(tui *t, int style) {
    switch (style) {
    case REPL_LINE_INPUT: return (int)tui_attr(t, TUI_C_TITLE);
    case REPL_LINE_ERROR: return (int)tui_attr(t, TUI_C_ERROR);
    case REPL_LINE_TIME: return (int)tui_attr(t, TUI_C_DIM);
    case REPL_LINE_INFO: return (int)tui_attr(t, TUI_C_DIM);
    default: return A_NORMAL;
    }
}

/* Rows a text takes when wrapped at width cells. */
static int wrapped_rows(const char *text, int width) {
    int w = (int)text_width(text, strlen(text));
    return w == 0 ? 1 : (w + width - 1) / width;
}

/* Draw text wrapped from row y; returns rows used. */
static int draw_wrapped(WINDOW *win, int y, int width, const char *text, int max_rows) {
    int rows = 0;
    const char *p = text;
    do {
        if (rows >= max_rows) break;
        int used = 0;
        const char *q = p;
        while (*q && used < width) {
            q++;
            while (*q && ((unsigned char)*q & 0xc0) == 0x80) q++;
            used++;
        }
        mvwaddnstr(win, y + rows, 0, p, (int)(q - p));
        rows++;
        p = q;
    } while (*p);
    return rows;
}

static void repl_draw(tui *t, pane *p) {
    repl_state *s = p->state;
    WINDOW *w = p->win;
    werase(w);
    int width = p->cols;
    /* the input: prompt and line, wrapped */
    char input[8192];
    snprintf(input, sizeof input, "%s%s", s->prompt ? s->prompt : PROMPT1, rl_line_buffer ? rl_line_buffer : "");
    int in_rows = t->running ? 0 : wrapped_rows(input, width);
    if (in_rows > p->rows) in_rows = p->rows;
    /* completion candidates, in columns, above the input */
    int match_rows = 0, colw = 0, ncols = 1;
    if (s->nmatches && !t->running) {
        for (int i = 0; i < s->nmatches; i++) {
            int l = (int)text_width(s->matches[i], strlen(s->matches[i]));
            if (l > colw) colw = l;
        }
        colw += 2;
        ncols = width / colw > 0 ? width / colw : 1;
        match_rows = (s->nmatches + ncols - 1) / ncols;
        if (match_rows > p->rows / 2) match_rows = p->rows / 2;
    }
    int avail = p->rows - in_rows - match_rows;
    /* scrollback, from the bottom up */
    int y = avail;
    int skip = s->scroll;
    for (int i = s->n - 1; i >= 0 && y > 0; i--) {
        if (skip > 0) {
            skip--;
            continue;
        }
        int rows = wrapped_rows(s->lines[i].text, width);
        int top = y - rows;
        wattrset(w, style_attr(t, s->lines[i].style));
        if (top >= 0) draw_wrapped(w, top, width, s->lines[i].text, rows);
        else {
            /* only the tail of a long line fits: draw it from the top */
            int hidden = -top;
            const char *q = s->lines[i].text;
            int cells = hidden * width;
            while (*q && cells > 0) {
                q++;
                while (*q && ((unsigned char)*q & 0xc0) == 0x80) q++;
                cells--;
            }
            draw_wrapped(w, 0, width, q, rows - hidden);
        }
        y = top;
    }
    wattrset(w, A_NORMAL);
    if (match_rows) {
        wattrset(w, tui_attr(t, TUI_C_SELECT));
        for (int r = 0; r < match_rows; r++)
            for (int c = 0; c < ncols; c++) {
                int i = c * match_rows + r;
                if (i >= s->nmatches) continue;
                mvwhline(w, avail + r, c * colw, ' ', colw);
                tui_puts(w, avail + r, c * colw + 1, s->matches[i], colw - 1);
            }
        wattrset(w, A_NORMAL);
    }
    if (in_rows) {
        int base = p->rows - in_rows;
        draw_wrapped(w, base, width, input, in_rows);
        /* cursor: the cell of rl_point */
        size_t plen = strlen(s->prompt ? s->prompt : PROMPT1);
        int cells = (int)text_width(input, plen + (size_t)(rl_point > 0 ? rl_point : 0));
        s->cur_y = base + cells / width;
        s->cur_x = cells % width;
        if (s->cur_y >= p->rows) s->cur_y = p->rows - 1;
    }
    if (s->scroll) {
        char buf[48];
        snprintf(buf, sizeof buf, " scrolled back %d ", s->scroll);
        wattrset(w, tui_attr(t, TUI_C_BAR));
        tui_puts(w, 0, width - (int)strlen(buf), buf, (int)strlen(buf));
        wattrset(w, A_NORMAL);
    }
}

void repl_pane_cursor(tui *t, int *y, int *x) {
    repl_state *s = state_of(t);
    *y = s->cur_y;
    *x = s->cur_x;
}

/* ---- the pane ------------------------------------------------------------------------ */

static int act_scroll_up(tui *t, pane *p) { return repl_key(t, p, KEY_PPAGE); }
static int act_scroll_down(tui *t, pane *p) { return repl_key(t, p, KEY_NPAGE); }

static int act_clear(tui *t, pane *p) {
    (void)t;
    repl_state *s = p->state;
    for (int i = 0; i < s->n; i++) free(s->lines[i].text);
    s->n = 0;
    s->open = 0;
    s->scroll = 0;
    return 1;
}

static const pane_action repl_actions[] = {
    {"scroll_up", "Back", "scroll the output back half a screen", act_scroll_up},
    {"scroll_down", "Fwd", "scroll the output forward half a screen", act_scroll_down},
    {"clear", "Clear", "clear the output", act_clear},
    {NULL, NULL, NULL, NULL}};

static const pane_binding repl_defaults[] = {
    {"PgUp", "scroll_up"}, {"PgDn", "scroll_down"}, {"^L", "clear"}, {NULL, NULL}};

static void repl_free(pane *p) {
    repl_state *s = p->state;
    for (int i = 0; i < s->n; i++) free(s->lines[i].text);
    free(s->lines);
    free(s->pending.s);
    clear_matches(s);
    if (s->devnull) fclose(s->devnull);
    free(s);
}

pane *repl_pane_new(tui *t) {
    pane *p = xcalloc(1, sizeof *p);
    p->id = PANE_REPL;
    p->name = "repl";
    p->title = "REPL";
    p->actions = repl_actions;
    p->defaults = repl_defaults;
    p->draw = repl_draw;
    p->key = repl_key;
    p->free = repl_free;
    repl_state *s = xcalloc(1, sizeof *s);
    s->prompt = PROMPT1;
    p->state = s;
    T = t;
    return p;
}

void repl_pane_start(tui *t) {
    repl_state *s = state_of(t);
    s->devnull = fopen("/dev/null", "w");
    rl_readline_name = "lab";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_getc_function = rl_getc_fed;
    rl_input_available_hook = rl_input_waiting;
    rl_redisplay_function = rl_redisplay_pane;
    rl_prep_term_function = rl_prep_noop;
    rl_deprep_term_function = rl_deprep_noop;
    rl_outstream = s->devnull;
    rl_completion_display_matches_hook = show_matches;
    repl_setup_completion(t->L);
    using_history();
    char path[1024];
    snprintf(path, sizeof path, "%s/history", t->store);
    read_history(path);
    char banner[160];
    snprintf(banner, sizeof banner, "lab %s %s %s. F1 help, F10 quit; help() for the Lua API.\n", LAB_VERSION,
             tui_utf8(t) ? "—" : "-", LUA_RELEASE);
    repl_pane_output(t, banner, REPL_LINE_INFO);
    install(s, PROMPT1);
}

void repl_pane_stop(tui *t) {
    (void)t;
    rl_callback_handler_remove();
}
