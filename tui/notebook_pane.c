/* notebook_pane.c — F8: a percent-format notebook (`lab NOTEBOOK.lua`) in the
 * workbench. The pane lists the cells with their state (not run, ok with its
 * time, failed, stale); keys run the cell under the cursor, every cell, or the
 * cells from the top through the cursor's; e opens the file in $EDITOR and
 * reads it again when the editor exits.
 *
 * A cell runs as one REPL chunk (session_eval), so its output, its result and
 * its errors land in the REPL's scrollback and the session's journal exactly
 * as if it had been typed there, and what it defines stays in the session for
 * the REPL, the variables pane and the next cell. Trade-off: `lab run` runs a
 * notebook as one chunk so that a top-level `local` of one cell is seen by the
 * next; cells run one at a time cannot share locals, so before a cell runs
 * its top-level `local NAME = ...`, `local NAME` and `local function NAME`
 * become assignments to globals (a small Lua lexer finds them: locals inside
 * functions and blocks are left alone). A notebook thus behaves as it does
 * under `lab run` unless it relies on a top-level local shadowing a global of
 * the same name. Lines are kept where they were, so errors name the
 * notebook's own file lines. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lua_journal.h"
#include "notebook/notebook.h"
#include "tui_int.h"

enum { CELL_NOT_RUN, CELL_RUNNING, CELL_OK, CELL_FAILED, CELL_STALE };

typedef struct cell_info {
    int state;
    double secs; /* the last run's wall time */
    time_t when; /* when it last ran */
    char *err;   /* the first line of its error, when it failed */
} cell_info;

typedef struct nb_state {
    char *path; /* NULL until a notebook is open */
    notebook *nb;
    cell_info *info; /* one per cell */
    int cur, top;    /* the cursor's cell, the first cell shown */
    struct stat st;  /* the file as last read, to notice changes */
    char msg[300];   /* the last action's message (the pane's last line) */
    int msg_error;
    int took;        /* a pane a cell showed (a plot, lab.view) while the notebook was on show, or -1 */
} nb_state;

static nb_state *state_of(pane *p) { return p->state; }

static void set_msg(nb_state *s, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(nb_state *s, int error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->msg_error = error;
}

static int is_code(const nb_state *s, int i) { return s->nb->cells[i].kind == NB_CELL_CODE; }

static int has_run(int state) { return state == CELL_OK || state == CELL_FAILED || state == CELL_STALE; }

/* ---- top-level locals become globals ----------------------------------------- */

enum { TK_EOF, TK_NAME, TK_STRING, TK_NUMBER, TK_OTHER };

typedef struct token {
    int kind;
    size_t a, b; /* [a, b) in the text */
} token;

typedef struct lexer {
    const char *s;
    size_t n, i;
} lexer;

/* At '[': the level + 1 of a long bracket "[==[" starting there, else 0. */
static size_t long_open(const char *s, size_t n, size_t i) {
    size_t j = i + 1, lvl = 0;
    while (j < n && s[j] == '=') j++, lvl++;
    return j < n && s[j] == '[' ? lvl + 1 : 0;
}

/* The offset after the "]==]" of level lvl that closes a long bracket whose
 * text starts at i (or n when it never closes). */
static size_t long_close(const char *s, size_t n, size_t i, size_t lvl) {
    for (; i < n; i++) {
        if (s[i] != ']') continue;
        size_t j = i + 1, k = 0;
        while (j < n && s[j] == '=') j++, k++;
        if (k == lvl && j < n && s[j] == ']') return j + 1;
    }
    return n;
}

/* The next token, comments skipped. Enough of Lua's lexer to tell names
 * (and keywords) from what is inside strings and comments. */
static token lex(lexer *x) {
    const char *s = x->s;
    size_t n = x->n;
    for (;;) {
        while (x->i < n && isspace((unsigned char)s[x->i])) x->i++;
        if (x->i + 1 < n && s[x->i] == '-' && s[x->i + 1] == '-') {
            x->i += 2;
            size_t lv = x->i < n && s[x->i] == '[' ? long_open(s, n, x->i) : 0;
            if (lv) x->i = long_close(s, n, x->i + lv + 1, lv - 1);
            else
                while (x->i < n && s[x->i] != '\n') x->i++;
            continue;
        }
        break;
    }
    token t = {TK_EOF, n, n};
    if (x->i >= n) return t;
    size_t a = x->i, i = a;
    unsigned char c = (unsigned char)s[a];
    size_t lv;
    if (c == '"' || c == '\'') {
        i++;
        while (i < n && s[i] != (char)c && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
        i = i < n ? i + 1 : n;
        t.kind = TK_STRING;
    } else if (c == '[' && (lv = long_open(s, n, a)) != 0) {
        i = long_close(s, n, a + lv + 1, lv - 1);
        t.kind = TK_STRING;
    } else if (isalpha(c) || c == '_' || c >= 0x80) {
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80)) i++;
        t.kind = TK_NAME;
    } else if (isdigit(c) || (c == '.' && a + 1 < n && isdigit((unsigned char)s[a + 1]))) {
        while (i < n) {
            char d = s[i];
            if ((d == '+' || d == '-') && strchr("eEpP", s[i - 1])) i++;
            else if (isalnum((unsigned char)d) || d == '.' || d == '_') i++;
            else break;
        }
        t.kind = TK_NUMBER;
    } else {
        i++;
        t.kind = TK_OTHER;
    }
    if (i > n) i = n;
    x->i = i;
    t.a = a;
    t.b = i;
    return t;
}

static int tok_is(const lexer *x, token t, const char *word) {
    size_t l = strlen(word);
    return t.b - t.a == l && memcmp(x->s + t.a, word, l) == 0;
}

/* The cell's code with its top-level locals turned into assignments to
 * globals: `local a, b = f()` -> `a, b = f()`, `local x` -> `x = nil`,
 * `local function f` -> `function f`, `<const>` dropped. A `<close>` local is
 * left as it is (a global cannot be closed). Newlines are kept, so line
 * numbers do not move. Returns a new string. */
static char *globalize_locals(const char *src, size_t len) {
    strbuf out = {0};
    size_t copied = 0;
    int depth = 0;
    lexer x = {src, len, 0};
    for (token t = lex(&x); t.kind != TK_EOF; t = lex(&x)) {
        if (t.kind != TK_NAME) continue;
        if (tok_is(&x, t, "function") || tok_is(&x, t, "do") || tok_is(&x, t, "if") || tok_is(&x, t, "repeat")) {
            depth++;
            continue;
        }
        if (tok_is(&x, t, "end") || tok_is(&x, t, "until")) {
            if (depth > 0) depth--;
            continue;
        }
        if (depth != 0 || !tok_is(&x, t, "local")) continue;
        lexer y = x;
        token nx = lex(&y);
        if (nx.kind == TK_NAME && tok_is(&y, nx, "function")) {
            strbuf_add(&out, src + copied, t.a - copied);
            copied = nx.a;
            continue;
        }
        size_t first = nx.a, last_end = nx.b;
        size_t drop[16][2];
        int ndrop = 0, ok = 1;
        for (;;) {
            if (nx.kind != TK_NAME) {
                ok = 0;
                break;
            }
            last_end = nx.b;
            nx = lex(&y);
            if (nx.kind == TK_OTHER && src[nx.a] == '<') {
                token an = lex(&y), gt = lex(&y);
                if (an.kind != TK_NAME || gt.kind != TK_OTHER || src[gt.a] != '>' || tok_is(&y, an, "close") ||
                    ndrop == 16) {
                    ok = 0;
                    break;
                }
                drop[ndrop][0] = nx.a;
                drop[ndrop][1] = gt.b;
                ndrop++;
                last_end = gt.b;
                nx = lex(&y);
            }
            if (nx.kind == TK_OTHER && src[nx.a] == ',') {
                nx = lex(&y);
                continue;
            }
            break;
        }
        if (!ok) continue;
        strbuf_add(&out, src + copied, t.a - copied);
        copied = first;
        for (int k = 0; k < ndrop; k++) {
            strbuf_add(&out, src + copied, drop[k][0] - copied);
            copied = drop[k][1];
        }
        int assigns = nx.kind == TK_OTHER && src[nx.a] == '=' && !(nx.a + 1 < len && src[nx.a + 1] == '=');
        if (!assigns) {
            strbuf_add(&out, src + copied, last_end - copied);
            strbuf_adds(&out, " = nil");
            copied = last_end;
        }
    }
    strbuf_add(&out, src + copied, len - copied);
    if (!out.s) strbuf_add(&out, "", 0);
    return out.s;
}

/* ---- the cell's result: its last statement, when an expression --------------- */

static int compiles(lua_State *L, const char *s, size_t len) {
    int ok = luaL_loadbufferx(L, s, len, "=cell", "t") == LUA_OK;
    lua_pop(L, 1);
    return ok;
}

/* code with "return " put before its last statement when that statement is
 * an expression (as lua.c's REPL and `lab run` find a result), so that the
 * REPL shows its value; NULL when it is not. The statement is found from the
 * last line up: the first line from which "return <rest>" compiles while the
 * lines before compile on their own. */
static char *with_result(lua_State *L, const char *code) {
    size_t len = strlen(code);
    int nl = 1;
    for (size_t i = 0; i < len; i++) nl += code[i] == '\n';
    size_t *off = xmalloc(((size_t)nl + 1) * sizeof *off);
    int n = 0;
    off[n++] = 0;
    for (size_t i = 0; i < len; i++)
        if (code[i] == '\n') off[n++] = i + 1;
    off[n] = len + 1;
    char *found = NULL;
    int whole = -1, tries = 0;
    strbuf b = {0};
    for (int j = n - 1; j >= 0 && tries < 200; j--) {
        const char *s = code + off[j];
        size_t l = off[j + 1] - 1 - off[j], a = 0;
        while (a < l && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) a++;
        if (a == l || (l - a >= 2 && s[a] == '-' && s[a + 1] == '-')) continue;
        tries++;
        b.n = 0;
        strbuf_add(&b, code, off[j]);
        strbuf_adds(&b, "return ");
        strbuf_add(&b, s, len - off[j]);
        if (!compiles(L, b.s, b.n)) continue;
        /* "f\n(x)" is one statement in Lua: such a line continues the one
         * before when the code compiles as it is */
        if (j > 0 && strchr("({\"'[-~.:", s[a])) {
            if (whole < 0) whole = compiles(L, code, len);
            if (whole) continue;
        }
        if (j > 0 && !compiles(L, code, off[j])) continue;
        found = xstrndup(b.s, b.n);
        break;
    }
    free(b.s);
    free(off);
    return found;
}

/* ---- reading the file ------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len, struct stat *st, lab_err *e) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        lab_fail(e, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), st) == 0 && S_ISDIR(st->st_mode)) {
        fclose(f);
        lab_fail(e, "cannot open %s: %s", path, strerror(EISDIR));
        return NULL;
    }
    strbuf b = {0};
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) strbuf_add(&b, buf, k);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b.s);
        lab_fail(e, "cannot read %s", path);
        return NULL;
    }
    if (!b.s) strbuf_add(&b, "", 0);
    *len = b.n;
    return b.s;
}

static int same_cell(const nb_cell *a, const nb_cell *b) {
    return a->kind == b->kind && a->len == b->len && memcmp(a->src, b->src, a->len) == 0;
}

static void free_info(cell_info *info, size_t n) {
    for (size_t i = 0; info && i < n; i++) free(info[i].err);
    free(info);
}

/* Take a freshly parsed notebook in place of the shown one. Unchanged cells
 * keep their state; from the first cell that changed on, every cell that had
 * run is stale (a changed cell too). Cells are matched from both ends, so an
 * edit in the middle keeps the cells after it known. Returns the number of
 * cells that changed, were added or were removed; *stale the cells marked. */
static int adopt(nb_state *s, notebook *nb, int *stale) {
    notebook *old = s->nb;
    size_t no = old ? old->ncell : 0, nn = nb->ncell;
    cell_info *info = xcalloc(nn + 1, sizeof *info);
    size_t pre = 0;
    while (pre < no && pre < nn && same_cell(&old->cells[pre], &nb->cells[pre])) pre++;
    size_t suf = 0;
    while (suf < no - pre && suf < nn - pre && same_cell(&old->cells[no - 1 - suf], &nb->cells[nn - 1 - suf])) suf++;
    *stale = 0;
    for (size_t j = 0; j < nn; j++) {
        const cell_info *from = NULL;
        if (j < pre) from = &s->info[j];
        else if (j >= nn - suf) from = &s->info[no - (nn - j)];
        else if (j - pre < no - pre - suf) from = &s->info[j];
        if (!from) continue;
        info[j] = *from;
        info[j].err = from->err ? xstrdup(from->err) : NULL;
        if (j >= pre && has_run(info[j].state)) {
            if (info[j].state != CELL_STALE) (*stale)++;
            info[j].state = CELL_STALE;
        }
    }
    int changed = (int)(nn - pre - suf > no - pre - suf ? nn - pre - suf : no - pre - suf);
    if (pre == no && pre == nn) changed = 0;
    free_info(s->info, no);
    if (old) notebook_free(old);
    s->nb = nb;
    s->info = info;
    if (s->cur >= (int)nn) s->cur = nn ? (int)nn - 1 : 0;
    if (s->cur < 0) s->cur = 0;
    return changed;
}

/* Read the file again. Returns 0, or -1 with e (the shown cells stay). */
static int reload(tui *t, nb_state *s, int *changed, int *stale, lab_err *e) {
    size_t len;
    struct stat st;
    char *text = read_file(s->path, &len, &st, e);
    if (!text) return -1;
    notebook *nb = notebook_parse(text, len, s->path);
    free(text);
    *changed = adopt(s, nb, stale);
    s->st = st;
    tui_dirty(t, PANE_NOTEBOOK);
    return 0;
}

static int file_changed(const nb_state *s) {
    struct stat st;
    if (!s->path || stat(s->path, &st) != 0) return 0;
    return st.st_mtim.tv_sec != s->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != s->st.st_mtim.tv_nsec ||
           st.st_size != s->st.st_size || st.st_ino != s->st.st_ino;
}

static void report_reload(tui *t, nb_state *s, const char *why, int changed, int stale) {
    if (!changed) set_msg(s, 0, "%s: no code changed", why);
    else
        set_msg(s, 0, "%s: %d cell%s changed, %d marked stale", why, changed, changed == 1 ? "" : "s", stale);
    tui_message(t, "%s %s", s->path, s->msg);
}

/* Before running: a file changed on disk is read again first, so what runs is
 * what the file says. */
static void catch_up(tui *t, nb_state *s) {
    if (!file_changed(s)) return;
    int changed, stale;
    lab_err e;
    if (reload(t, s, &changed, &stale, &e) != 0) tui_message(t, "%s", e.msg);
    else report_reload(t, s, "changed on disk, read again", changed, stale);
}

/* ---- running cells ------------------------------------------------------------------ */

typedef struct run_ctx {
    tui *t;
    nb_state *s;
    int cell;
    int failed;
    const char *journal_text;
} run_ctx;

/* Errors name the notebook's file ("notebooks/iris.lua:7:") instead of the
 * REPL's chunk name. */
static char *name_file(const char *msg, const char *path) {
    strbuf b = {0};
    const char *p = msg;
    for (;;) {
        const char *q = strstr(p, "stdin:");
        if (!q || !isdigit((unsigned char)q[6])) {
            if (!q) break;
            strbuf_add(&b, p, (size_t)(q + 6 - p));
            p = q + 6;
            continue;
        }
        strbuf_add(&b, p, (size_t)(q - p));
        strbuf_adds(&b, path);
        strbuf_adds(&b, ":");
        p = q + 6;
    }
    strbuf_adds(&b, p);
    if (!b.s) strbuf_add(&b, "", 0);
    return b.s;
}

static void on_result(void *ud, const char *text) {
    run_ctx *r = ud;
    tui_drain_output(r->t);
    repl_pane_output(r->t, text, REPL_LINE_RESULT);
    repl_pane_output(r->t, "\n", REPL_LINE_RESULT);
}

static void on_error(void *ud, const char *msg) {
    run_ctx *r = ud;
    tui_drain_output(r->t);
    char *m = name_file(msg, r->s->path);
    repl_pane_output(r->t, m, REPL_LINE_ERROR);
    repl_pane_output(r->t, "\n", REPL_LINE_ERROR);
    cell_info *c = &r->s->info[r->cell];
    free(c->err);
    c->err = xstrndup(m, strcspn(m, "\n"));
    free(m);
}

static void on_timing(void *ud, double dt) {
    run_ctx *r = ud;
    tui_drain_output(r->t);
    char buf[48];
    snprintf(buf, sizeof buf, "[%.3fs]\n", dt);
    repl_pane_output(r->t, buf, REPL_LINE_TIME);
}

/* The journal gets the cell as it ran (locals made global), under a comment
 * naming the notebook and the cell, so that a restore replays it faithfully. */
static void on_ran(void *ud, const char *chunk, int failed, double seconds) {
    run_ctx *r = ud;
    (void)chunk;
    r->failed = failed;
    r->s->info[r->cell].secs = seconds;
    lab_err e;
    static int warned;
    if (lab_journal_record(tui_lua(r->t), r->journal_text, failed, seconds, &e) != 0 && !warned) {
        warned = 1;
        tui_message(r->t, "%s", e.msg);
    }
}

/* The cell's name for messages: "cell 4 \"Describe\"". */
static void cell_name(const nb_state *s, int i, char *buf, size_t cap) {
    const nb_cell *c = &s->nb->cells[i];
    if (c->title[0]) snprintf(buf, cap, "cell %d \"%s\"", i + 1, c->title);
    else snprintf(buf, cap, "cell %d", i + 1);
}

/* Show the cell in the scrollback as the REPL shows typed code. */
static void echo_cell(tui *t, const nb_state *s, int i) {
    const nb_cell *c = &s->nb->cells[i];
    char head[512];
    snprintf(head, sizeof head, "-- [%d]%s%s  (%s:%d)\n", i + 1, c->title[0] ? " " : "", c->title, s->path,
             c->first_line);
    repl_pane_output(t, "\n", REPL_LINE_OUT);
    repl_pane_output(t, head, REPL_LINE_INFO);
    const char *p = c->src;
    int shown = 0;
    while (*p && shown < 12) {
        size_t l = strcspn(p, "\n");
        strbuf line = {0};
        strbuf_adds(&line, shown ? ">> " : "> ");
        strbuf_add(&line, p, l);
        strbuf_adds(&line, "\n");
        repl_pane_output(t, line.s, REPL_LINE_INPUT);
        free(line.s);
        shown++;
        p += l;
        if (*p) p++;
    }
    if (shown == 12 && c->nlines > 12) {
        char more[64];
        snprintf(more, sizeof more, ">> ... (%d more line%s)\n", c->nlines - 12, c->nlines - 12 == 1 ? "" : "s");
        repl_pane_output(t, more, REPL_LINE_INPUT);
    }
}

/* Run code cell i as a REPL chunk. Returns 0 when it ran, 1 when it failed, 2
 * when Ctrl-C stopped it. Cells below that had run become stale. */
static int run_cell(tui *t, nb_state *s, int i) {
    lua_State *L = tui_lua(t);
    const nb_cell *c = &s->nb->cells[i];
    cell_info *ci = &s->info[i];
    char *code = globalize_locals(c->src, c->len);
    char *ret = with_result(L, code);
    strbuf chunk = {0};
    for (int k = 1; k < c->first_line; k++) strbuf_add(&chunk, "\n", 1);
    strbuf_adds(&chunk, ret ? ret : code);
    strbuf jt = {0};
    char name[256];
    cell_name(s, i, name, sizeof name);
    strbuf_adds(&jt, "-- ");
    strbuf_adds(&jt, s->path);
    strbuf_adds(&jt, " ");
    strbuf_adds(&jt, name);
    strbuf_adds(&jt, "\n");
    strbuf_adds(&jt, code);
    echo_cell(t, s, i);
    run_ctx r = {t, s, i, 1, jt.s};
    session_out out = {on_result, on_error, on_timing, on_ran, &r, 0};
    free(ci->err);
    ci->err = NULL;
    ci->state = CELL_RUNNING;
    s->cur = i;
    set_msg(s, 0, "running %s", name);
    tui_dirty(t, PANE_NOTEBOOK);
    int before = t->top;
    tui_run_begin(t, name);
    session_eval(L, chunk.s, 1, &out);
    tui_run_end(t);
    /* a plot or lab.view took the top of the screen: the notebook keeps it,
     * so that its keys go on working; the message says where to look */
    if (before == PANE_NOTEBOOK && t->top != PANE_NOTEBOOK && t->top >= 0) {
        s->took = t->top;
        tui_show(t, PANE_NOTEBOOK);
    }
    int interrupted = session_interrupted();
    ci->state = r.failed ? CELL_FAILED : CELL_OK;
    ci->when = time(NULL);
    for (size_t j = (size_t)i + 1; j < s->nb->ncell; j++)
        if (has_run(s->info[j].state)) s->info[j].state = CELL_STALE;
    free(code);
    free(ret);
    free(chunk.s);
    free(jt.s);
    /* a frame or a plot made by the cell may be on show */
    for (int k = 0; k < PANE_COUNT; k++) tui_dirty(t, k);
    return interrupted ? 2 : r.failed ? 1 : 0;
}

static void fmt_secs(char *buf, size_t cap, double secs) {
    if (secs < 0.001) snprintf(buf, cap, "<1ms");
    else if (secs < 1) snprintf(buf, cap, "%.0fms", secs * 1000);
    else if (secs < 60) snprintf(buf, cap, "%.2fs", secs);
    else snprintf(buf, cap, "%dm%02ds", (int)(secs / 60), (int)secs % 60);
}

/* Add to the message where to see what a cell showed. */
static void add_hint(nb_state *s) {
    const char *hint = s->took == PANE_PLOT ? "; F4 shows the plot" : s->took == PANE_DATA ? "; F3 shows the data" : "";
    size_t l = strlen(s->msg);
    snprintf(s->msg + l, sizeof s->msg - l, "%s", hint);
    s->took = -1;
}

/* Run the code cells from..to (inclusive) in order, stopping at a failure. */
static void run_range(tui *t, nb_state *s, int from, int to, const char *what) {
    int ran = 0, st = 0, at = -1;
    double t0 = lab_now();
    for (int i = from; i <= to && i < (int)s->nb->ncell; i++) {
        if (!is_code(s, i)) continue;
        at = i;
        st = run_cell(t, s, i);
        ran++;
        if (st) break;
        tui_redraw(t);
    }
    char secs[32];
    fmt_secs(secs, sizeof secs, lab_now() - t0);
    char name[256] = "";
    if (at >= 0) cell_name(s, at, name, sizeof name);
    if (!ran) set_msg(s, 0, "%s: no code cell to run", what);
    else if (st == 2) set_msg(s, 1, "%s: stopped by Ctrl-C in %s", what, name);
    else if (st == 1) set_msg(s, 1, "%s: stopped at %s, which failed: %s", what, name, s->info[at].err ? s->info[at].err : "");
    else set_msg(s, 0, "%s: %d code cell%s ran in %s", what, ran, ran == 1 ? "" : "s", secs);
    if (at >= 0) s->cur = at;
    tui_message(t, "%s", s->msg);
    add_hint(s);
}

/* ---- actions ------------------------------------------------------------------------- */

static int need_open(tui *t, nb_state *s) {
    if (s->path) return 1;
    (void)t;
    set_msg(s, 1, "no notebook open: o opens one (or start lab with a .lua file)");
    return 0;
}

static int next_code(const nb_state *s, int from) {
    for (int i = from; i < (int)s->nb->ncell; i++)
        if (is_code(s, i)) return i;
    return -1;
}

static int run_here(tui *t, pane *p, int advance) {
    nb_state *s = state_of(p);
    if (!need_open(t, s)) return 1;
    catch_up(t, s);
    if (!s->nb->ncell) return 1;
    int i = s->cur;
    if (!is_code(s, i)) {
        int k = next_code(s, i);
        set_msg(s, 0, "cell %d is markdown: nothing to run", i + 1);
        if (advance && k >= 0) s->cur = k;
        return 1;
    }
    int st = run_cell(t, s, i);
    char name[256], secs[32];
    cell_name(s, i, name, sizeof name);
    fmt_secs(secs, sizeof secs, s->info[i].secs);
    if (st == 2) set_msg(s, 1, "%s stopped by Ctrl-C", name);
    else if (st == 1) set_msg(s, 1, "%s failed: %s", name, s->info[i].err ? s->info[i].err : "");
    else {
        int stale = 0;
        for (size_t j = (size_t)i + 1; j < s->nb->ncell; j++) stale += s->info[j].state == CELL_STALE;
        if (stale) set_msg(s, 0, "%s ran in %s; %d cell%s below %s stale", name, secs, stale, stale == 1 ? "" : "s", stale == 1 ? "is" : "are");
        else set_msg(s, 0, "%s ran in %s", name, secs);
        int k = next_code(s, i + 1);
        if (advance && k >= 0) s->cur = k;
    }
    add_hint(s);
    return 1;
}

static int act_run_next(tui *t, pane *p) { return run_here(t, p, 1); }
static int act_run(tui *t, pane *p) { return run_here(t, p, 0); }

static int act_run_all(tui *t, pane *p) {
    nb_state *s = state_of(p);
    if (!need_open(t, s)) return 1;
    catch_up(t, s);
    run_range(t, s, 0, (int)s->nb->ncell - 1, "run all");
    return 1;
}

static int act_run_to(tui *t, pane *p) {
    nb_state *s = state_of(p);
    if (!need_open(t, s)) return 1;
    catch_up(t, s);
    char what[64];
    snprintf(what, sizeof what, "run to cell %d", s->cur + 1);
    run_range(t, s, 0, s->cur, what);
    return 1;
}

static int act_reload(tui *t, pane *p) {
    nb_state *s = state_of(p);
    if (!need_open(t, s)) return 1;
    int changed, stale;
    lab_err e;
    if (reload(t, s, &changed, &stale, &e) != 0) set_msg(s, 1, "%s", e.msg);
    else report_reload(t, s, "read again", changed, stale);
    return 1;
}

/* The editors known to take "+LINE FILE" to open the file at a line. */
static int takes_line(const char *editor) {
    static const char *known[] = {"vi", "vim", "nvim", "view", "nano", "emacs", "emacsclient", "micro",
                                  "kak", "joe", "mg", "hx", "helix", "ne", "jed", NULL};
    size_t l = strcspn(editor, " \t");
    const char *base = editor;
    for (size_t i = 0; i < l; i++)
        if (editor[i] == '/') base = editor + i + 1;
    size_t bl = (size_t)(editor + l - base);
    for (int i = 0; known[i]; i++)
        if (strlen(known[i]) == bl && memcmp(known[i], base, bl) == 0) return 1;
    return 0;
}

/* Leave curses, run $EDITOR on the file (through sh, as git does, so that
 * EDITOR may hold arguments), come back and read the file again. */
static int act_edit(tui *t, pane *p) {
    nb_state *s = state_of(p);
    if (!need_open(t, s)) return 1;
    const char *ed = getenv("EDITOR");
    if (!ed || !*ed) ed = "vi";
    int line = 1;
    if (s->nb->ncell) {
        const nb_cell *c = &s->nb->cells[s->cur];
        line = c->marker_line ? c->marker_line : c->first_line;
    }
    char plus[32];
    snprintf(plus, sizeof plus, "+%d", line);
    strbuf cmd = {0};
    strbuf_adds(&cmd, "exec ");
    strbuf_adds(&cmd, ed);
    strbuf_adds(&cmd, " \"$@\"");
    fflush(stdout);
    fflush(stderr);
    tui_drain_output(t);
    def_prog_mode();
    endwin();
    struct sigaction ign, old_int, old_quit;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    pid_t pid = fork();
    if (pid == 0) {
        /* the terminal, not the workbench's capture pipe */
        if (t->saved_stdout >= 0) dup2(t->saved_stdout, 1);
        if (t->saved_stderr >= 0) dup2(t->saved_stderr, 2);
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGTSTP, SIG_DFL);
        signal(SIGWINCH, SIG_DFL);
        if (takes_line(ed)) execl("/bin/sh", "sh", "-c", cmd.s, "sh", plus, s->path, (char *)NULL);
        else execl("/bin/sh", "sh", "-c", cmd.s, "sh", s->path, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    free(cmd.s);
    reset_prog_mode();
    t->layout_changed = 1;
    for (int i = 0; i < PANE_COUNT; i++) tui_dirty(t, i);
    if (pid < 0) {
        set_msg(s, 1, "cannot start the editor: %s", strerror(errno));
        return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        set_msg(s, 1, "cannot run the editor '%s' (set EDITOR)", ed);
        tui_message(t, "%s", s->msg);
        return 1;
    }
    int changed, stale;
    lab_err e;
    if (reload(t, s, &changed, &stale, &e) != 0) set_msg(s, 1, "%s", e.msg);
    else report_reload(t, s, "edited", changed, stale);
    return 1;
}

static int act_open(tui *t, pane *p) {
    nb_state *s = state_of(p);
    char *path = tui_prompt(t, "open notebook:", s->path ? s->path : "");
    if (!path) return 1;
    lab_err e;
    if (notebook_pane_open(t, path, &e) != 0) set_msg(s, 1, "%s", e.msg);
    free(path);
    return 1;
}

static void keep_visible(pane *p) {
    nb_state *s = state_of(p);
    int n = s->nb ? (int)s->nb->ncell : 0;
    if (s->cur >= n) s->cur = n - 1;
    if (s->cur < 0) s->cur = 0;
    if (s->cur < s->top) s->top = s->cur;
    if (p->rows < 4) return; /* not on screen yet: the draw keeps the cursor in view */
    int list = p->rows - 3;
    if (s->cur >= s->top + list) s->top = s->cur - list + 1;
    if (s->top > n - list) s->top = n - list;
    if (s->top < 0) s->top = 0;
}

static int cursor_move(pane *p, int d) {
    nb_state *s = state_of(p);
    s->cur += d;
    s->msg[0] = '\0';
    keep_visible(p);
    return 1;
}

static int act_down(tui *t, pane *p) { (void)t; return cursor_move(p, 1); }
static int act_up(tui *t, pane *p) { (void)t; return cursor_move(p, -1); }
static int act_pgdn(tui *t, pane *p) { (void)t; return cursor_move(p, p->rows - 4 > 1 ? p->rows - 4 : 1); }
static int act_pgup(tui *t, pane *p) { (void)t; return cursor_move(p, -(p->rows - 4 > 1 ? p->rows - 4 : 1)); }
static int act_first(tui *t, pane *p) { (void)t; return cursor_move(p, -(1 << 28)); }
static int act_last(tui *t, pane *p) { (void)t; return cursor_move(p, 1 << 28); }

static int act_close(tui *t, pane *p) {
    (void)p;
    t->top = -1;
    t->focus = PANE_REPL;
    t->layout_changed = 1;
    return 1;
}

static const pane_action nb_actions[] = {
    {"run_next", "Run", "run the cell under the cursor, then move to the next code cell", act_run_next},
    {"run_all", "RunAll", "run every code cell from the top, stopping at a failure", act_run_all},
    {"run_to", "RunTo", "run the code cells from the top through the cursor's", act_run_to},
    {"edit", "Edit", "edit the notebook in $EDITOR (vi) at the cursor's cell, read it again after", act_edit},
    {"reload", "Reload", "read the file again (changed cells and those below go stale)", act_reload},
    {"run", NULL, "run the cell under the cursor and stay on it", act_run},
    {"open", NULL, "open another notebook file", act_open},
    {"down", NULL, "the next cell", act_down},
    {"up", NULL, "the cell before", act_up},
    {"page_down", NULL, "a page down", act_pgdn},
    {"page_up", NULL, "a page up", act_pgup},
    {"first", NULL, "the first cell", act_first},
    {"last", NULL, "the last cell", act_last},
    {"close", NULL, "hide the notebook (F8 shows it again)", act_close},
    {NULL, NULL, NULL, NULL}};

static const pane_binding nb_defaults[] = {
    {"Enter", "run_next"}, {"a", "run_all"}, {"u", "run_to"},  {"e", "edit"},     {"R", "reload"},
    {"r", "run"},          {"o", "open"},    {"Down", "down"}, {"j", "down"},     {"Up", "up"},
    {"k", "up"},           {"PgDn", "page_down"}, {"PgUp", "page_up"}, {"Home", "first"}, {"g", "first"},
    {"End", "last"},       {"G", "last"},    {"q", "close"},   {NULL, NULL}};

/* ---- drawing ------------------------------------------------------------------------- */

/* What the list shows for a cell: its title, else its first line that is not
 * blank (for markdown, the text). */
static void cell_label(const nb_cell *c, char *buf, size_t cap) {
    if (c->title[0]) {
        snprintf(buf, cap, "%s", c->title);
        return;
    }
    const char *p = c->src;
    while (*p) {
        size_t l = strcspn(p, "\n");
        size_t a = 0;
        while (a < l && (p[a] == ' ' || p[a] == '\t')) a++;
        if (a < l) {
            snprintf(buf, cap, "%.*s", (int)(l - a), p + a);
            for (char *q = buf; *q; q++)
                if (*q == '\t' || *q == '\r') *q = ' ';
            return;
        }
        p += l;
        if (*p) p++;
    }
    snprintf(buf, cap, "(empty)");
}

static void state_text(tui *t, const cell_info *ci, const nb_cell *c, char *buf, size_t cap, attr_t *a) {
    char secs[32];
    *a = A_NORMAL;
    if (c->kind != NB_CELL_CODE) {
        buf[0] = '\0';
        return;
    }
    switch (ci->state) {
    case CELL_RUNNING:
        snprintf(buf, cap, "running");
        *a = tui_attr(t, TUI_C_TITLE);
        break;
    case CELL_OK:
        fmt_secs(secs, sizeof secs, ci->secs);
        snprintf(buf, cap, "ok %s", secs);
        *a = tui_attr(t, TUI_C_STRING);
        break;
    case CELL_FAILED:
        snprintf(buf, cap, "failed");
        *a = tui_attr(t, TUI_C_ERROR);
        break;
    case CELL_STALE:
        snprintf(buf, cap, "stale");
        /* amber where there are colours: a warning, not a failure */
        int pair = tui_color_pair(t, COLORS >= 256 ? 214 : 3);
        *a = pair ? (attr_t)COLOR_PAIR(pair) | A_BOLD : A_BOLD;
        break;
    default:
        snprintf(buf, cap, "not run");
        *a = tui_attr(t, TUI_C_DIM);
    }
}

static void nb_draw(tui *t, pane *p) {
    nb_state *s = state_of(p);
    WINDOW *w = p->win;
    werase(w);
    int cols = p->cols;
    char line[1024];
    wattrset(w, tui_attr(t, TUI_C_BAR));
    mvwhline(w, 0, 0, ' ', cols);
    if (!s->path) {
        tui_puts(w, 0, 1, "Notebook", cols - 1);
        wattrset(w, A_NORMAL);
        if (p->rows > 2) tui_puts(w, 2, 1, "No notebook open. `lab FILE.lua` opens one; o asks for a file.", cols - 1);
        if (p->rows > 3 && s->msg[0]) {
            wattrset(w, tui_attr(t, s->msg_error ? TUI_C_ERROR : TUI_C_DIM));
            tui_puts(w, 3, 1, s->msg, cols - 1);
            wattrset(w, A_NORMAL);
        }
        return;
    }
    const notebook *nb = s->nb;
    int ncode = 0, nok = 0, nfail = 0, nstale = 0;
    for (size_t i = 0; i < nb->ncell; i++) {
        if (nb->cells[i].kind != NB_CELL_CODE) continue;
        ncode++;
        nok += s->info[i].state == CELL_OK;
        nfail += s->info[i].state == CELL_FAILED;
        nstale += s->info[i].state == CELL_STALE;
    }
    const char *dot = tui_utf8(t) ? "·" : "-";
    /* counts that are not zero; the file's base name when the path is too long */
    char counts[160];
    int n = snprintf(counts, sizeof counts, "%d code cell%s", ncode, ncode == 1 ? "" : "s");
    const char *sep = ": ";
    if (nok) n += snprintf(counts + n, sizeof counts - (size_t)n, "%s%d ok", sep, nok), sep = ", ";
    if (nfail) n += snprintf(counts + n, sizeof counts - (size_t)n, "%s%d failed", sep, nfail), sep = ", ";
    if (nstale) n += snprintf(counts + n, sizeof counts - (size_t)n, "%s%d stale", sep, nstale), sep = ", ";
    if (!nok && !nfail && !nstale && ncode) snprintf(counts + n, sizeof counts - (size_t)n, ", none run");
    const char *shown = s->path;
    const char *changed = file_changed(s) ? " (changed on disk: R reads it)" : "";
    snprintf(line, sizeof line, " Notebook: %s %s %s%s", shown, dot, counts, changed);
    if ((int)text_width(line, strlen(line)) > cols && strrchr(s->path, '/')) {
        shown = strrchr(s->path, '/') + 1;
        snprintf(line, sizeof line, " Notebook: %s %s %s%s", shown, dot, counts, changed);
    }
    tui_puts(w, 0, 0, line, cols);
    wattrset(w, A_NORMAL);
    int foot = p->rows >= 5 ? 1 : 0;
    int head = p->rows >= 4 ? 1 : 0;
    int first_row = 1 + head;
    int list = p->rows - first_row - foot;
    if (list < 1) return;
    if (head) {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        snprintf(line, sizeof line, " %3s  %-10s %-4s  %s", "#", "state", "kind", "cell");
        tui_puts(w, 1, 0, line, cols);
        wattrset(w, A_NORMAL);
    }
    /* keep the cursor on screen (the pane may have shrunk) */
    if (s->cur < s->top) s->top = s->cur;
    if (s->cur >= s->top + list) s->top = s->cur - list + 1;
    if (s->top < 0) s->top = 0;
    for (int r = 0; r < list; r++) {
        int i = s->top + r;
        if (i >= (int)nb->ncell) break;
        const nb_cell *c = &nb->cells[i];
        int y = first_row + r;
        char st[48], label[512];
        attr_t sa;
        state_text(t, &s->info[i], c, st, sizeof st, &sa);
        cell_label(c, label, sizeof label);
        int sel = i == s->cur;
        attr_t base = sel ? tui_attr(t, TUI_C_SELECT) : A_NORMAL;
        wattrset(w, base);
        if (sel) mvwhline(w, y, 0, ' ', cols);
        snprintf(line, sizeof line, " %3d  ", i + 1);
        int x = tui_puts(w, y, 0, line, cols);
        if (!sel) wattrset(w, sa);
        snprintf(line, sizeof line, "%-10s ", st);
        x += tui_puts(w, y, x, line, cols - x);
        wattrset(w, sel ? base : (c->kind == NB_CELL_CODE ? A_NORMAL : tui_attr(t, TUI_C_DIM)));
        snprintf(line, sizeof line, "%-4s  ", c->kind == NB_CELL_CODE ? "code" : "md");
        x += tui_puts(w, y, x, line, cols - x);
        if (!sel && c->kind == NB_CELL_CODE && c->title[0]) wattrset(w, tui_attr(t, TUI_C_TITLE));
        if (x < cols) tui_puts(w, y, x, label, cols - x);
        wattrset(w, A_NORMAL);
    }
    if (!foot || !nb->ncell) return;
    /* the last line: the last action's message, or the cursor's cell */
    const nb_cell *c = &nb->cells[s->cur];
    const cell_info *ci = &s->info[s->cur];
    int y = p->rows - 1;
    if (s->msg[0]) {
        wattrset(w, tui_attr(t, s->msg_error ? TUI_C_ERROR : TUI_C_DIM));
        snprintf(line, sizeof line, " %s", s->msg);
    } else if (c->kind == NB_CELL_CODE && ci->state == CELL_FAILED && ci->err) {
        wattrset(w, tui_attr(t, TUI_C_ERROR));
        snprintf(line, sizeof line, " cell %d failed: %s", s->cur + 1, ci->err);
    } else {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        int last = c->first_line + (c->nlines ? c->nlines - 1 : 0);
        int k = snprintf(line, sizeof line, " cell %d of %zu %s lines %d-%d", s->cur + 1, nb->ncell, dot,
                         c->marker_line ? c->marker_line : c->first_line, last);
        if (c->kind == NB_CELL_CODE && has_run(ci->state) && k > 0 && (size_t)k < sizeof line) {
            struct tm tm;
            char when[16] = "";
            localtime_r(&ci->when, &tm);
            strftime(when, sizeof when, "%H:%M:%S", &tm);
            char secs[32];
            fmt_secs(secs, sizeof secs, ci->secs);
            snprintf(line + k, sizeof line - (size_t)k, " %s ran at %s in %s%s", dot, when, secs,
                     ci->state == CELL_STALE ? " (stale: a cell above ran or changed since)" : "");
        }
    }
    tui_puts(w, y, 0, line, cols);
    wattrset(w, A_NORMAL);
}

static void nb_resized(tui *t, pane *p) {
    (void)t;
    if (state_of(p)->nb) keep_visible(p);
}

static void nb_free(pane *p) {
    nb_state *s = state_of(p);
    if (s->nb) {
        free_info(s->info, s->nb->ncell);
        notebook_free(s->nb);
    }
    free(s->path);
    free(s);
}

pane *notebook_pane_new(tui *t) {
    (void)t;
    pane *p = xcalloc(1, sizeof *p);
    p->id = PANE_NOTEBOOK;
    p->name = "notebook";
    p->title = "Notebook";
    p->actions = nb_actions;
    p->defaults = nb_defaults;
    p->draw = nb_draw;
    p->resized = nb_resized;
    p->free = nb_free;
    nb_state *s = xcalloc(1, sizeof *s);
    s->took = -1;
    p->state = s;
    return p;
}

int notebook_pane_open(tui *t, const char *path, lab_err *e) {
    pane *p = tui_pane(t, PANE_NOTEBOOK);
    nb_state *s = state_of(p);
    size_t len;
    struct stat st;
    char *text = read_file(path, &len, &st, e);
    if (!text) return -1;
    notebook *nb = notebook_parse(text, len, path);
    free(text);
    int same = s->path && strcmp(s->path, path) == 0;
    if (!same && s->nb) {
        free_info(s->info, s->nb->ncell);
        notebook_free(s->nb);
        s->nb = NULL;
        s->info = NULL;
        s->cur = s->top = 0;
    }
    int stale = 0;
    int changed = adopt(s, nb, &stale);
    if (!same) {
        free(s->path);
        s->path = xstrdup(path);
        int k = next_code(s, 0);
        s->cur = k >= 0 ? k : 0;
    }
    s->st = st;
    /* what `lab run` gives a notebook before its first cell */
    lua_State *L = tui_lua(t);
    if (lua_getglobal(L, "params") == LUA_TNIL) {
        lua_newtable(L);
        lua_setglobal(L, "params");
    }
    lua_pop(L, 1);
    if (lua_getglobal(L, "arg") == LUA_TNIL) {
        lua_newtable(L);
        lua_pushstring(L, path);
        lua_rawseti(L, -2, 0);
        lua_setglobal(L, "arg");
    }
    lua_pop(L, 1);
    int ncode = 0;
    for (size_t i = 0; i < nb->ncell; i++) ncode += nb->cells[i].kind == NB_CELL_CODE;
    if (same) report_reload(t, s, "read again", changed, stale);
    else {
        set_msg(s, 0, "Enter runs the cell, a runs all, u runs up to the cursor, e edits (F1: every key)");
        tui_message(t, "opened notebook %s: %zu cells, %d code (F8 shows it)", path, nb->ncell, ncode);
    }
    keep_visible(p);
    tui_show(t, PANE_NOTEBOOK);
    tui_dirty(t, PANE_NOTEBOOK);
    return 0;
}
