/* repl.c — `lab repl`: the Lua read-eval-print loop with readline.
 *
 * It follows lua.c: a line is first tried as `return <line>`, then as a
 * statement; a chunk whose syntax error ends at <eof> is incomplete and
 * continues on a second prompt; errors print with a traceback and the session
 * goes on. Ctrl-C while code runs only sets a flag and a count hook (lua.c's
 * laction): the running chunk stops at its next instruction with an
 * "interrupted" error, long engine loops see the same flag, and every variable
 * survives. Ctrl-C at the prompt clears the line; Ctrl-D exits.
 *
 * Readline is driven through its callback interface from a poll loop, which
 * is what lets a signal at the prompt be handled without longjmp, and what the
 * curses workbench will reuse. When stdin is not a terminal the loop reads
 * plain lines with no prompt and no line editing.
 *
 * Completion reads tables with rawget and metatables with lua_getmetatable, so
 * pressing Tab never runs user code. */
#include "repl.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "help.h"
#include "lua_journal.h"
#include "pretty.h"
#include "session.h"

#define PROMPT1 "> "
#define PROMPT2 ">> "

static lua_State *globalL; /* the session, for completion */
static int use_color;

/* ---- output ------------------------------------------------------------------ */

static void out_result(void *ud, const char *text) {
    (void)ud;
    fputs(text, stdout);
    fputc('\n', stdout);
}

static void out_error(void *ud, const char *msg) {
    (void)ud;
    if (session_interrupted()) fputc('\n', stdout); /* after the terminal's ^C */
    fflush(stdout);
    if (use_color) fprintf(stderr, "\033[31m%s\033[0m\n", msg);
    else fprintf(stderr, "%s\n", msg);
    fflush(stderr);
}

static void out_timing(void *ud, double dt) {
    (void)ud;
    if (use_color) printf("\033[2m[%.3fs]\033[0m\n", dt);
    else printf("[%.3fs]\n", dt);
    fflush(stdout);
}

/* Every chunk that ran goes to the session's journal (when it has one). */
static void out_ran(void *ud, const char *chunk, int failed, double seconds) {
    (void)ud;
    static int warned;
    lab_err e;
    if (lab_journal_record(globalL, chunk, failed, seconds, &e) != 0 && !warned) {
        warned = 1; /* once: a full disk should not drown the session */
        fprintf(stderr, "lab: %s\n", e.msg);
    }
}

/* Evaluate one chunk; 1 when it is incomplete (the caller reads more). */
static int eval_chunk(lua_State *L, const char *chunk, int final) {
    session_out out = {out_result, out_error, out_timing, out_ran, NULL, use_color};
    return session_eval(L, chunk, final, &out) == SESSION_INCOMPLETE;
}

/* ---- completion ----------------------------------------------------------------- */

static char **cands;
static int ncands, capcands;

static void add_cand(const char *prefix, size_t plen, const char *name, const char *suffix) {
    for (int i = 0; i < ncands; i++) /* keys can come from several tables */
        if (strncmp(cands[i], prefix, plen) == 0 && strcmp(cands[i] + plen, name) == 0) return;
    if (ncands == capcands) {
        capcands = capcands ? capcands * 2 : 64;
        cands = xrealloc(cands, (size_t)capcands * sizeof *cands);
    }
    size_t n = plen + strlen(name) + strlen(suffix) + 1;
    char *s = xmalloc(n);
    memcpy(s, prefix, plen);
    strcpy(s + plen, name);
    strcat(s, suffix);
    cands[ncands++] = s;
}

static int is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Add the string keys of the table on top that start with part. */
static void keys_of(lua_State *L, const char *prefix, size_t plen, const char *part, int methods_only) {
    size_t n = strlen(part);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            int ok = strncmp(k, part, n) == 0 && is_ident_char(k[0]) && strncmp(k, "__", 2) != 0;
            if (ok && (!methods_only || lua_isfunction(L, -1)))
                add_cand(prefix, plen, k, lua_isfunction(L, -1) ? "(" : "");
        }
        lua_pop(L, 1);
    }
}

/* Fields a value offers through its metatable: a __methods table (lab
 * objects) or an __index table; never an __index function. */
static void meta_keys(lua_State *L, int idx, const char *prefix, size_t plen, const char *part, int methods_only) {
    idx = lua_absindex(L, idx);
    if (!lua_getmetatable(L, idx)) return;
    lua_pushliteral(L, "__methods");
    if (lua_rawget(L, -2) == LUA_TTABLE) keys_of(L, prefix, plen, part, methods_only);
    lua_pop(L, 1);
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) == LUA_TTABLE) keys_of(L, prefix, plen, part, methods_only);
    lua_pop(L, 2);
}

/* Complete a Lua path "a.b:c" against the session's globals. */
static void complete_path(lua_State *L, const char *text) {
    const char *sep = NULL;
    for (const char *p = text; *p; p++)
        if (*p == '.' || *p == ':') sep = p;
        else if (!is_ident_char(*p)) return;
    int top = lua_gettop(L);
    lua_pushglobaltable(L);
    if (!sep) {
        keys_of(L, "", 0, text, 0);
        static const char *const words[] = {"and", "break", "do", "else", "elseif", "end", "false", "for",
                                            "function", "goto", "if", "in", "local", "nil", "not", "or",
                                            "repeat", "return", "then", "true", "until", "while", NULL};
        for (int i = 0; words[i]; i++)
            if (strncmp(words[i], text, strlen(text)) == 0) add_cand("", 0, words[i], "");
        lua_settop(L, top);
        return;
    }
    /* walk a.b.c with rawget */
    const char *p = text;
    while (p < sep) {
        const char *q = p;
        while (q < sep && *q != '.' && *q != ':') q++;
        if (!lua_istable(L, -1)) goto done;
        lua_pushlstring(L, p, (size_t)(q - p));
        lua_rawget(L, -2);
        lua_remove(L, -2);
        p = q + 1;
    }
    size_t plen = (size_t)(sep - text) + 1;
    const char *part = sep + 1;
    int method = *sep == ':';
    if (lua_istable(L, -1) && !method) keys_of(L, text, plen, part, 0);
    frame *f = lab_testframe(L, -1);
    if (f && !method) /* df.<Tab>: the frame's columns */
        for (int j = 0; j < f->ncol; j++)
            if (strncmp(f->names[j], part, strlen(part)) == 0) add_cand(text, plen, f->names[j], "");
    meta_keys(L, -1, text, plen, part, method);
done:
    lua_settop(L, top);
}

static char *cand_generator(const char *text, int state) {
    static int next;
    (void)text;
    if (state == 0) next = 0;
    if (next < ncands) {
        char *s = cands[next];
        cands[next++] = NULL;
        return s;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Inside an unclosed string literal? Then complete a file name. */
static int in_string(int start) {
    char q = 0;
    for (int i = 0; i < start && rl_line_buffer[i]; i++) {
        char c = rl_line_buffer[i];
        if (q) {
            if (c == '\\') i++;
            else if (c == q) q = 0;
        } else if (c == '"' || c == '\'') q = c;
        else if (c == '-' && rl_line_buffer[i + 1] == '-') break; /* comment */
    }
    return q != 0;
}

static char **complete(const char *text, int start, int end) {
    (void)end;
    rl_attempted_completion_over = 1;
    if (in_string(start)) {
        rl_completion_append_character = '\0';
        rl_attempted_completion_over = 0;
        return rl_completion_matches(text, rl_filename_completion_function);
    }
    for (int i = 0; i < ncands; i++) free(cands[i]);
    ncands = 0;
    complete_path(globalL, text);
    if (ncands == 0) return NULL;
    qsort(cands, (size_t)ncands, sizeof *cands, cmp_str);
    rl_completion_append_character = '\0';
    return rl_completion_matches(text, cand_generator);
}

void repl_setup_completion(lua_State *L) {
    globalL = L;
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(,+*%^#[]~";
    rl_completer_quote_characters = "\"'";
}

/* ---- the loop ---------------------------------------------------------------------- */

static strbuf pending;     /* an incomplete chunk waiting for more lines */
static int line_ready;
static char *line_read;
static int eof_seen;

static void on_line(char *line) {
    line_read = line;
    line_ready = 1;
    if (!line) eof_seen = 1;
}

static void history_path(char *buf, size_t cap) {
    const char *home = getenv("LAB_HOME");
    if (home && *home) snprintf(buf, cap, "%s/history", home);
    else snprintf(buf, cap, ".lab/history");
}

static void ensure_dir_of(const char *path) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = '\0';
    mkdir(dir, 0777);
}

/* `?name` is help("name"). Returns 1 when the line was a help request. */
static int help_line(lua_State *L, const char *line) {
    while (*line == ' ') line++;
    if (*line != '?') return 0;
    line++;
    while (*line == ' ') line++;
    char *text = lab_help_text(L, line);
    fputs(text, stdout);
    if (!*text || text[strlen(text) - 1] != '\n') fputc('\n', stdout);
    free(text);
    return 1;
}

/* Feed one line; returns the prompt to show next. */
static const char *feed(lua_State *L, const char *line, int tty) {
    if (pending.n == 0 && help_line(L, line)) return PROMPT1;
    if (pending.n) strbuf_add(&pending, "\n", 1);
    strbuf_adds(&pending, line);
    if (pending.n == 0) return PROMPT1;
    if (eval_chunk(L, pending.s, 0)) return PROMPT2;
    if (tty && *pending.s) {
        add_history(pending.s);
        char path[1024];
        history_path(path, sizeof path);
        if (append_history(1, path) != 0) {
            ensure_dir_of(path);
            write_history(path);
        }
    }
    pending.n = 0;
    pending.s[0] = '\0';
    return PROMPT1;
}

/* ---- the journal and restoring a session that died ---------------------------------- */

/* Read a y/n answer from the terminal byte by byte (no stdio buffer, so
 * nothing typed ahead is kept from readline). 1 yes, 0 no, -1 Ctrl-C. */
static int read_answer(void) {
    char c, first = 0;
    for (;;) {
        ssize_t r = read(0, &c, 1);
        if (r < 0 && errno == EINTR) return session_take_sigint() ? -1 : 0;
        if (r <= 0) {
            putchar('\n');
            return 0;
        }
        if (c == '\n') break;
        if (!first && c != ' ') first = c;
    }
    return first == 'y' || first == 'Y';
}

static int on_restored(void *ud, int index, int total, const char *chunk, int failed, const char *error,
                       double seconds) {
    (void)ud;
    (void)seconds;
    int len = (int)strcspn(chunk, "\n");
    const char *more = chunk[len] ? " ..." : "";
    if (len > 60) len = 57, more = "...";
    printf("  [%d/%d] %.*s%s\n", index, total, len, chunk, more);
    fflush(stdout);
    if (failed) out_error(NULL, error ? error : "failed");
    return 0;
}

/* Start this session's journal; when the last session here died, offer to
 * re-run its successful chunks. */
static void start_journal(lua_State *L) {
    lab_err e;
    char *old = journal_find_unfinished(NULL);
    if (lab_journal_start(L, NULL, &e) != 0) fprintf(stderr, "lab: %s (this session keeps no journal)\n", e.msg);
    if (!old) return;
    char *question = journal_describe(old);
    printf("%s [y/N] ", question ? question : old);
    fflush(stdout);
    free(question);
    int yes = read_answer();
    if (yes < 0) { /* Ctrl-C: undecided, so it is asked again next time */
        printf("^C\n");
    } else if (yes == 0) {
        if (journal_mark_closed(old, "not restored", &e) != 0) fprintf(stderr, "lab: %s\n", e.msg);
    } else {
        int failures = journal_replay(L, old, on_restored, NULL, &e);
        if (failures < 0)
            fprintf(stderr, "lab: %s\n", e.msg);
        else if (session_interrupted())
            printf("lab: restore stopped by Ctrl-C\n");
        else if (failures > 0)
            printf("lab: restored, but %d chunk%s failed this time\n", failures, failures == 1 ? "" : "s");
        else
            printf("lab: restored\n");
    }
    free(old);
}

static void banner(void) {
    printf("lab %s — %s. help() for help, Ctrl-D to quit.\n", LAB_VERSION, LUA_RELEASE);
}

static int loop_plain(lua_State *L) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    session_set_sigint(session_on_sigint_idle);
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        if (n && line[n - 1] == '\n') line[--n] = '\0';
        feed(L, line, 0);
    }
    free(line);
    if (pending.n) eval_chunk(L, pending.s, 1); /* report what never finished */
    return 0;
}

static int loop_tty(lua_State *L) {
    char path[1024];
    history_path(path, sizeof path);
    using_history();
    read_history(path);
    history_truncate_file(path, 1000);
    rl_readline_name = "lab";
    rl_catch_signals = 0;
    rl_change_environment = 0;
    repl_setup_completion(L);
    session_set_sigint(session_on_sigint_idle);
    banner();
    const char *prompt = PROMPT1;
    rl_callback_handler_install(prompt, on_line);
    while (!eof_seen) {
        struct pollfd pfd = {0, POLLIN, 0};
        int r = poll(&pfd, 1, -1);
        if (r < 0 && errno == EINTR) {
            if (session_take_sigint()) {
                /* drop the line being typed and any unfinished chunk */
                rl_free_line_state();
                rl_callback_sigcleanup();
                rl_replace_line("", 0);
                pending.n = 0;
                if (pending.s) pending.s[0] = '\0';
                printf("^C\n");
                prompt = PROMPT1;
                rl_callback_handler_remove();
                rl_callback_handler_install(prompt, on_line);
            }
            continue;
        }
        if (r < 0) break;
        rl_callback_read_char();
        if (line_ready) {
            line_ready = 0;
            if (!line_read) break;
            rl_callback_handler_remove();
            prompt = feed(L, line_read, 1);
            free(line_read);
            line_read = NULL;
            rl_callback_handler_install(prompt, on_line);
        }
    }
    rl_callback_handler_remove();
    printf("\n");
    return 0;
}

int lab_repl_main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs("usage: lab repl\n"
                  "\n"
                  "The Lua REPL with lab loaded: a line is evaluated as an expression, else as\n"
                  "statements; unfinished chunks continue on a '>>' prompt; results print with\n"
                  "their wall time; a trailing ';' hides the result and _ holds the last one.\n"
                  "Tab completes globals, fields, methods, columns and file names in strings.\n"
                  "help(fn) or ?name shows documentation. Ctrl-C stops running code (the session\n"
                  "stays), Ctrl-D quits. History is kept in .lab/history (or $LAB_HOME/history).\n"
                  "When stdin is not a terminal, lines are read from it without prompts.\n"
                  "On a terminal every chunk is journaled in .lab/sessions/<id>.lua; after a\n"
                  "crash or kill, the next `lab repl` here offers to re-run the session's\n"
                  "successful chunks. lab.save_notebook(path) saves them as a notebook.\n",
                  stdout);
            return 0;
        }
        fprintf(stderr, "lab repl: unknown argument '%s' (try lab repl --help)\n", argv[i]);
        return 2;
    }
    lua_State *L = lab_newstate();
    globalL = L;
    int tty = isatty(0) && isatty(1);
    const char *term = getenv("TERM");
    use_color = tty && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
    if (tty) {
        session_set_sigint(session_on_sigint_idle);
        start_journal(L);
    }
    int status = tty ? loop_tty(L) : loop_plain(L);
    lab_journal_stop(L, 1);
    free(pending.s);
    for (int i = 0; i < ncands; i++) free(cands[i]);
    free(cands);
    lua_close(L);
    return status;
}
