/* run.c — `lab run`: the headless host of the notebook runner.
 *
 * It reads the notebook, runs it through lab_notebook_run() with an event
 * function that echoes every cell's output to stdout as it comes (a short
 * header line per cell, so the output can be read against the file), and
 * writes the report. Everything that can be checked before a long run is:
 * the arguments, the report's format and whether its folder is writable. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lua_track.h"
#include "notebook.h"

static const char run_usage[] =
    "usage: lab run FILE.lua [--param key=value ...] [--report FILE.html|FILE.md|FILE.ipynb]\n"
    "               [--no-track] [ARG ...]\n"
    "\n"
    "Run a notebook (any Lua script) headless with lab loaded as the global\n"
    "`lab`. A notebook is a Lua file in the percent format: a line `-- %%` starts\n"
    "a code cell (`-- %% Title` names it), `-- %% [markdown]` a markdown cell of\n"
    "`-- ` comments. Cells share one Lua state; each cell's printed output, the\n"
    "value of its last expression and its plots belong to it.\n"
    "\n"
    "  --param key=value   set params.key before the first cell (numbers as\n"
    "                      numbers, true/false as booleans, else strings)\n"
    "  --report FILE       write a report: .html (one file, images embedded),\n"
    "                      .md (images in FILE_files/), .ipynb (Jupyter)\n"
    "  --no-track          do not record the run in the tracking store\n"
    "\n"
    "The run is recorded in the tracking store ($LAB_HOME or .lab/lab.db): the\n"
    "notebook's text, the --params, what it logs, every model it fits, the data\n"
    "it reads with their sha256, its plot files and the report; `lab runs show`\n"
    "shows it and `lab reproduce` re-runs it.\n"
    "\n"
    "Other arguments after the notebook are in `arg` (arg[0] is the file) and `...`.\n"
    "Exit status: 0 when every cell ran, 1 when a cell failed (one line on stderr:\n"
    "file:line: message (cell N \"title\")) or a file could not be read or\n"
    "written, 2 for bad usage, 130 when Ctrl-C stopped it (the report is still\n"
    "written and the run recorded as killed).\n";

typedef struct echo {
    int started;  /* a cell header was printed */
    int mid_line; /* the last output did not end in a newline */
} echo;

static void png_size(const nb_output *o, unsigned *w, unsigned *h) {
    const unsigned char *p = (const unsigned char *)o->text;
    *w = *h = 0;
    if (o->len >= 24 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(p + 12, "IHDR", 4) == 0) {
        *w = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 | (unsigned)p[18] << 8 | p[19];
        *h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 | (unsigned)p[22] << 8 | p[23];
    }
}

static void on_event(void *ud, const notebook *nb, size_t cell, const nb_output *o) {
    echo *ec = ud;
    const nb_cell *c = &nb->cells[cell];
    if (!o) {
        if (c->kind != NB_CELL_CODE || !nb->has_markers) return;
        if (ec->mid_line) fputc('\n', stdout);
        if (ec->started) fputc('\n', stdout);
        printf("-- [%zu]%s%s\n", cell + 1, c->title[0] ? " " : "", c->title);
        ec->started = 1;
        ec->mid_line = 0;
        fflush(stdout);
        return;
    }
    switch (o->kind) {
    case NB_OUT_STREAM:
        fwrite(o->text, 1, o->len, stdout);
        if (o->len) ec->mid_line = o->text[o->len - 1] != '\n';
        break;
    case NB_OUT_RESULT:
        if (ec->mid_line) fputc('\n', stdout);
        fwrite(o->text, 1, o->len, stdout);
        fputc('\n', stdout);
        ec->mid_line = 0;
        fflush(stdout);
        break;
    case NB_OUT_IMAGE: {
        unsigned w, h;
        png_size(o, &w, &h);
        int n = 0;
        for (size_t k = 0; k < c->nout; k++) n += c->outs[k].kind == NB_OUT_IMAGE;
        if (ec->mid_line) fputc('\n', stdout);
        printf("[plot %d of cell %zu: %ux%u PNG]\n", n, cell + 1, w, h);
        ec->mid_line = 0;
        break;
    }
    case NB_OUT_ERROR: break;
    }
}

/* The folder of path exists and we may write in it. */
static int check_writable(const char *path, lab_err *e) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int ok = access(dir, W_OK | X_OK) == 0;
    int err = errno;
    free(dir);
    if (!ok) return lab_fail(e, "cannot write report %s: %s", path, strerror(err));
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lab_fail(e, "cannot write report %s: %s", path, strerror(EISDIR));
    if (access(path, F_OK) == 0 && access(path, W_OK) != 0)
        return lab_fail(e, "cannot write report %s: %s", path, strerror(errno));
    return 0;
}


/* Ctrl-C while a notebook runs: the first stops the Lua code at its next
 * instruction (a count hook, as lua.c does) and long engine loops (through
 * lab_interrupt), so the cell fails with "interrupted", the report is still
 * written and the run is recorded as killed; a second one kills lab. Only
 * plain stores happen in the handler. */
static lua_State *volatile running;

static void stop_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted");
}

static void on_sigint(int sig) {
    signal(sig, SIG_DFL); /* the next one is the default: lab dies */
    lab_interrupt = 1;
    if (running) lua_sethook(running, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Run the notebook text in a fresh state with tracking as `track` says (NULL:
 * no tracking) and write the report; returns the exit status. run_id (33
 * bytes, may be NULL) gets the recorded run's id. Shared with lab reproduce. */
int lab_run_notebook(const char *file, const char *text, size_t len, const char *const *params, int nparams,
                     const char *const *args, int nargs, const char *report, const lab_track_opts *track,
                     char *run_id) {
    lab_err e;
    int status = 1;
    if (run_id) run_id[0] = '\0';
    notebook *nb = notebook_parse(text, len, file);
    lua_State *L = lab_newstate();
    if (!L) {
        fprintf(stderr, "lab: cannot create a Lua state (out of memory)\n");
        goto done;
    }
    int tracking = 0;
    if (!track) lab_track_disable(L);
    if (track) {
        if (lab_track_enable(L, track, 1, &e) != 0) {
            fprintf(stderr, "lab: %s (running without tracking; --no-track turns this off)\n", e.msg);
            lab_track_disable(L);
        } else
            tracking = 1;
    }
    echo ec = {0};
    nb_run_opts o = {
        .params = params, .nparams = nparams, .args = args, .nargs = nargs, .on_event = on_event, .ud = &ec};
    lab_interrupt = 0;
    running = L;
    void (*old_sigint)(int) = signal(SIGINT, on_sigint);
    int failed = lab_notebook_run(L, nb, &o, &e) != 0;
    signal(SIGINT, old_sigint == SIG_ERR ? SIG_DFL : old_sigint);
    running = NULL;
    int interrupted = lab_interrupt != 0;
    if (ec.mid_line) fputc('\n', stdout);
    fflush(stdout);
    if (failed) {
        fprintf(stderr, "lab: %s\n", e.msg);
        const nb_cell *c = nb->nshow ? &nb->cells[nb->nshow - 1] : NULL;
        if (getenv("LAB_TRACEBACK") && c && c->nout && c->outs[c->nout - 1].trace)
            fprintf(stderr, "%s\n", c->outs[c->nout - 1].trace);
    }
    status = interrupted ? 130 : failed;
    lab_err re;
    if (report && notebook_write_report(nb, report, &re) != 0) {
        fprintf(stderr, "lab: %s\n", re.msg);
        status = 1;
    } else if (report && tracking && lab_track_run(L)) {
        const char *base = strrchr(report, '/');
        lua_getglobal(L, "lab");
        lua_getfield(L, -1, "artifact");
        lua_pushfstring(L, "reports/%s", base ? base + 1 : report);
        lua_pushstring(L, report);
        if (lua_pcall(L, 2, 0, 0) != LUA_OK) fprintf(stderr, "lab: tracking the report: %s\n", lua_tostring(L, -1));
        lua_settop(L, 0);
    }
    if (tracking) {
        run_status st = !failed ? RUN_FINISHED : interrupted ? RUN_KILLED : RUN_FAILED;
        if (lab_track_finish(L, st, 1, run_id, &e) != 0) {
            fprintf(stderr, "lab: tracking: %s\n", e.msg);
            if (!status) status = 1;
        }
    }
done:
    if (L) lua_close(L);
    notebook_free(nb);
    return status;
}

int lab_run_main(int argc, char **argv) {
    const char *file = NULL, *report = NULL;
    int track = 1;
    const char **params = xcalloc((size_t)argc + 1, sizeof *params);
    const char **args = xcalloc((size_t)argc + 1, sizeof *args);
    int nparams = 0, nargs = 0, status = 2, options = 1;
    char *text = NULL;
    lab_err e;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = 0;
        } else if (options && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(run_usage, stdout);
            status = 0;
            goto done;
        } else if (options && (strcmp(a, "--param") == 0 || strncmp(a, "--param=", 8) == 0)) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                fprintf(stderr, "lab run: --param needs key=value\n");
                goto done;
            }
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr, "lab run: bad --param '%s' (expected key=value)\n", v);
                goto done;
            }
            params[nparams++] = v;
        } else if (options && (strcmp(a, "--report") == 0 || strncmp(a, "--report=", 9) == 0)) {
            const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !*v) {
                fprintf(stderr, "lab run: --report needs a file name\n");
                goto done;
            }
            if (notebook_format_of(v) == NB_FORMAT_NONE) {
                fprintf(stderr, "lab run: unknown report format '%s' (the name must end in .html, .md or .ipynb)\n", v);
                goto done;
            }
            report = v;
        } else if (options && strcmp(a, "--no-track") == 0) {
            track = 0;
        } else if (!file && options && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lab run: unknown option '%s' (try lab run --help)\n", a);
            goto done;
        } else if (!file) {
            file = a;
        } else {
            args[nargs++] = a;
        }
    }
    if (!file) {
        fputs(run_usage, stderr);
        goto done;
    }
    status = 1;
    if (report && check_writable(report, &e) != 0) {
        fprintf(stderr, "lab: %s\n", e.msg);
        goto done;
    }
    size_t len;
    text = lab_read_file(file, &len, &e);
    if (!text) {
        fprintf(stderr, "lab: %s\n", e.msg);
        goto done;
    }
    {
        const char *base = strrchr(file, '/');
        char source[4200];
        snprintf(source, sizeof source, "notebook %s", file);
        lab_track_opts to = {.name = base ? base + 1 : file, .source = source, .notebook = text,
                             .params = params, .nparams = nparams, .args = args, .nargs = nargs};
        status = lab_run_notebook(file, text, len, params, nparams, args, nargs, report, track ? &to : NULL, NULL);
    }
done:
    free(text);
    free(params);
    free(args);
    return status;
}
