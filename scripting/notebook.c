/* notebook.c — the notebook runner: a percent-format Lua file run cell by
 * cell in one Lua state, each cell's output, result and plots kept apart.
 *
 * The cells are not compiled one by one: the whole file becomes one chunk in
 * which every marker line (a comment) is replaced by a call that tells the
 * runner a new cell starts. So a `local` of one cell is seen by the next, and
 * a notebook means exactly what `lua FILE` makes of it; line numbers are the
 * file's own, since nothing is inserted but on marker lines. The price is that
 * a syntax error anywhere stops the file from compiling: the runner then runs
 * the cells before the faulty one on their own and reports the error there,
 * as Jupyter would. A cell's result is found as lua.c's REPL finds one: the
 * last statement is tried as `return <expr>` (compiled on its own, with the
 * code before it compiling on its own too) and, when it is an expression,
 * wrapped in a call that records its values. */
#include "notebook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pretty.h"

#ifndef LAB_PLOT_SINK
#define LAB_PLOT_SINK "lab.plot_sink"
#endif

/* registry keys (their addresses) */
static const char key_fn = 'f';    /* the notebook's function, to find its frame */
static const char key_sunk = 's';  /* the last plot handed to the sink */
static const char key_saved = 'o'; /* what the runner replaced, to put it back */

typedef struct runner {
    notebook *nb;
    const nb_run_opts *o;
    int cur;         /* current cell, -1 before the first */
    int exec;        /* code cells started */
    int err_line;    /* line of the notebook's frame when an error was raised; 0 unknown */
    char *err_trace; /* the traceback of that error */
    char err_src[LUA_IDSIZE];
} runner;

static runner *getrunner(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static void emit(runner *r, nb_out_kind kind, const char *text, size_t len) {
    if (r->cur < 0) return;
    nb_cell *c = &r->nb->cells[r->cur];
    notebook_add_output(c, kind, text, len, NULL, NULL);
    if (r->o->on_event) {
        nb_output o = {.kind = kind, .text = (char *)text, .len = len};
        r->o->on_event(r->o->ud, r->nb, (size_t)r->cur, &o);
    }
}

/* ---- what the chunk calls ------------------------------------------------- */

/* __lab_cell(k): cell k (1-based) starts. */
static int nb_cell_start(lua_State *L) {
    runner *r = getrunner(L);
    lua_Integer k = luaL_checkinteger(L, 1);
    if (k - 1 <= r->cur || k > (lua_Integer)r->nb->ncell) return 0;
    r->cur = (int)(k - 1);
    nb_cell *c = &r->nb->cells[r->cur];
    if (c->kind == NB_CELL_CODE) c->exec_count = ++r->exec;
    if (r->o->on_event) r->o->on_event(r->o->ud, r->nb, (size_t)r->cur, NULL);
    return 0;
}

/* __lab_value(show, ...): the values of the cell's last expression, shown
 * unless a trailing ';' hid them. */
static int nb_value(lua_State *L) {
    runner *r = getrunner(L);
    int n = lua_gettop(L) - 1;
    if (n <= 0 || !lua_toboolean(L, 1)) return 0;
    if (n == 1) {
        /* a plot already shown as an image is not shown twice, and the file
         * io.write returns for chaining is no result */
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_sunk);
        int same = lua_rawequal(L, 2, -1);
        lua_pop(L, 1);
        if (same || luaL_testudata(L, 2, LUA_FILEHANDLE)) return 0;
    }
    int top = lua_gettop(L);
    for (int i = 2; i <= top; i++) {
        lab_pretty(L, i, NULL);
        if (i < top) lua_pushliteral(L, "\t");
    }
    lua_concat(L, 2 * n - 1);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    emit(r, NB_OUT_RESULT, s, len);
    return 0;
}

/* print(...), as Lua's own but into the cell. */
static int nb_print(lua_State *L) {
    runner *r = getrunner(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        if (i < n) lua_pushliteral(L, "\t");
    }
    lua_pushliteral(L, "\n");
    lua_concat(L, n > 0 ? 2 * n : 1);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    emit(r, NB_OUT_STREAM, s, len);
    return 0;
}

/* file:write(...) for every file: stdout's text goes into the cell, other
 * files to the original method. Upvalues: runner, original write, io.stdout,
 * original io.output. */
static int nb_file_write(lua_State *L) {
    runner *r = getrunner(L);
    if (!lua_rawequal(L, 1, lua_upvalueindex(3))) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_insert(L, 1);
        lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
        return lua_gettop(L);
    }
    int n = lua_gettop(L);
    for (int i = 2; i <= n; i++) {
        if (lua_type(L, i) == LUA_TNUMBER) {
            char buf[64];
            if (lua_isinteger(L, i))
                snprintf(buf, sizeof buf, LUA_INTEGER_FMT, lua_tointeger(L, i));
            else
                snprintf(buf, sizeof buf, LUA_NUMBER_FMT, lua_tonumber(L, i));
            lua_pushstring(L, buf);
        } else {
            luaL_checkstring(L, i);
            lua_pushvalue(L, i);
        }
    }
    if (n > 1) {
        lua_concat(L, n - 1);
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        emit(r, NB_OUT_STREAM, s, len);
        lua_pop(L, 1);
    }
    lua_pushvalue(L, 1);
    return 1;
}

/* io.write(...): write to the default output file. */
static int nb_io_write(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(4));
    lua_call(L, 0, 1);
    lua_insert(L, 1);
    return nb_file_write(L);
}

/* The plot sink: a plot made without a file becomes an image of the cell. */
static int nb_plot_sink(lua_State *L) {
    runner *r = getrunner(L);
    luaL_checkany(L, 1);
    lua_getfield(L, 1, "png");
    if (lua_type(L, -1) != LUA_TFUNCTION) return luaL_argerror(L, 1, "a plot (with a png method) expected");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    size_t len;
    const char *png = lua_tolstring(L, -1, &len);
    if (!png || lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "plot:png() did not return the PNG bytes");
    lua_pushvalue(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_sunk);
    emit(r, NB_OUT_IMAGE, png, len);
    return 0;
}

/* Message handler: the message (with the innermost Lua position when it has
 * none, as lab run always did), and on the side the notebook line where the
 * error struck and a traceback for the report. */
static int nb_msghandler(lua_State *L) {
    runner *r = getrunner(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    } else {
        lua_Debug ar;
        for (int level = 1; lua_getstack(L, level, &ar); level++) {
            lua_getinfo(L, "Sl", &ar);
            if (ar.currentline > 0) {
                char where[LUA_IDSIZE + 32];
                snprintf(where, sizeof where, "%s:%d:", ar.short_src, ar.currentline);
                if (strncmp(msg, where, strlen(where)) != 0) msg = lua_pushfstring(L, "%s %s", where, msg);
                break;
            }
        }
    }
    int top = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_fn);
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "fSl", &ar);
        int same = lua_rawequal(L, -1, top + 1);
        lua_pop(L, 1);
        if (same) {
            r->err_line = ar.currentline;
            snprintf(r->err_src, sizeof r->err_src, "%s", ar.short_src);
            break;
        }
    }
    luaL_traceback(L, L, NULL, 1);
    free(r->err_trace);
    r->err_trace = xstrdup(lua_tostring(L, -1));
    lua_settop(L, top);
    lua_pushstring(L, msg);
    return 1;
}

/* ---- finding a cell's result ----------------------------------------------- */

static int compiles(lua_State *L, const char *s, size_t len) {
    int ok = luaL_loadbufferx(L, s, len, "=cell", "t") == LUA_OK;
    lua_pop(L, 1);
    return ok;
}

/* The code of a line before a "--" comment, right-trimmed (strings honoured). */
static size_t code_len(const char *s, size_t len) {
    char q = 0;
    size_t end = len;
    for (size_t i = 0; i < len; i++) {
        if (q) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'')
            q = s[i];
        else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
            end = i;
            break;
        }
    }
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t')) end--;
    return end;
}

/* The line (0-based, within the cell) where the cell's last statement starts
 * when that statement is an expression; -1 otherwise. *semi is the offset in
 * the cell of a trailing ';' that hides the value, or -1. */
static int result_line(lua_State *L, const nb_cell *c, long *semi) {
    *semi = -1;
    if (c->kind != NB_CELL_CODE || c->nlines == 0) return -1;
    size_t *off = xmalloc(((size_t)c->nlines + 1) * sizeof *off);
    int n = 0;
    off[n++] = 0;
    for (size_t i = 0; i < c->len; i++)
        if (c->src[i] == '\n' && n < c->nlines) off[n++] = i + 1;
    off[n] = c->len + 1;
    int found = -1, last_code = -1, whole = -1;
    strbuf t = {0};
    for (int j = n - 1; j >= 0 && j >= n - 200; j--) {
        const char *s = c->src + off[j];
        size_t len = off[j + 1] - 1 - off[j], a = 0;
        while (a < len && (s[a] == ' ' || s[a] == '\t')) a++;
        if (a == len || (len - a >= 2 && s[a] == '-' && s[a + 1] == '-')) continue; /* blank or comment */
        if (last_code < 0) {
            last_code = j;
            size_t cl = code_len(s, len);
            if (cl > 0 && s[cl - 1] == ';') *semi = (long)(off[j] + cl - 1);
        }
        t.n = 0;
        strbuf_adds(&t, "return ");
        strbuf_add(&t, s, c->len - off[j]);
        strbuf_adds(&t, "\n");
        if (!compiles(L, t.s, t.n)) continue;
        /* "f\n(x)" and "x = 1\n-y" read as one statement in Lua: when the
         * cell compiles as it is, such a line continues the one before */
        if (j > 0 && strchr("({\"'[-~.:", s[a])) {
            if (whole < 0) whole = compiles(L, c->src, c->len);
            if (whole) continue;
        }
        if (j > 0 && !compiles(L, c->src, off[j])) continue;
        found = j;
        break;
    }
    int line = found;
    if (found < 0) *semi = -1;
    free(t.s);
    free(off);
    return line;
}

/* ---- the chunk ------------------------------------------------------------- */

typedef struct chunk {
    strbuf b;
    int line;    /* the line being written */
    int closing; /* a result call waits for its ")" */
} chunk;

static void chunk_goto(chunk *k, int line) {
    while (k->line < line) {
        strbuf_adds(&k->b, "\n");
        k->line++;
        if (k->closing) {
            strbuf_adds(&k->b, ");");
            k->closing = 0;
        }
    }
}

typedef struct result {
    int line;  /* result_line() */
    long semi; /* its ';' */
} result;

/* The chunk of cells [0, upto); res[i] is cell i's result (res may be NULL:
 * no results). Loading it gives a function that takes the two
 * runner functions and returns the notebook's function. */
static void build_chunk(const notebook *nb, size_t upto, const result *res, strbuf *out) {
    chunk k = {.line = 1};
    strbuf_adds(&k.b, "local __lab_cell, __lab_value = ...; return function(...)");
    char buf[64];
    for (size_t i = 0; i < upto; i++) {
        const nb_cell *c = &nb->cells[i];
        int start = c->marker_line ? c->marker_line : 1;
        chunk_goto(&k, start);
        snprintf(buf, sizeof buf, " __lab_cell(%zu); ", i + 1);
        strbuf_adds(&k.b, buf);
        if (c->kind != NB_CELL_CODE || c->nlines == 0) continue;
        chunk_goto(&k, c->first_line);
        int r = res ? res[i].line : -1;
        if (r < 0)
            strbuf_add(&k.b, c->src, c->len);
        else {
            size_t at = 0;
            for (int line = 0; line < r; at++)
                if (c->src[at] == '\n') line++;
            strbuf_add(&k.b, c->src, at);
            strbuf_adds(&k.b, res[i].semi >= 0 ? "__lab_value(false, " : "__lab_value(true, ");
            size_t semi = res[i].semi >= 0 ? (size_t)res[i].semi : c->len;
            if (semi < at) semi = c->len;
            strbuf_add(&k.b, c->src + at, semi - at);
            if (semi < c->len) {
                strbuf_adds(&k.b, " "); /* the ';' would end the call's arguments */
                strbuf_add(&k.b, c->src + semi + 1, c->len - semi - 1);
            }
            k.closing = 1;
        }
        k.line = c->first_line + c->nlines - 1;
    }
    if (k.closing) strbuf_adds(&k.b, "\n);");
    strbuf_adds(&k.b, "\nend\n");
    *out = k.b;
}

/* Load the chunk of cells [0, upto) with results, or without when that is
 * what compiles; on failure leaves the error message (of the plain chunk). */
static int load_cells(lua_State *L, const notebook *nb, size_t upto, const result *res, const char *chunkname) {
    strbuf b;
    build_chunk(nb, upto, res, &b);
    int st = luaL_loadbufferx(L, b.s, b.n, chunkname, "t");
    free(b.s);
    if (st == LUA_OK) return st;
    lua_pop(L, 1);
    build_chunk(nb, upto, NULL, &b);
    st = luaL_loadbufferx(L, b.s, b.n, chunkname, "t");
    free(b.s);
    return st;
}

/* ---- setting up and putting back -------------------------------------------- */

static void push_param_value(lua_State *L, const char *v) {
    if (strcmp(v, "true") == 0)
        lua_pushboolean(L, 1);
    else if (strcmp(v, "false") == 0)
        lua_pushboolean(L, 0);
    else if (*v == '\0' || lua_stringtonumber(L, v) == 0)
        lua_pushstring(L, v);
}

static void install(lua_State *L, runner *r) {
    const nb_run_opts *o = r->o;
    lua_newtable(L); /* saved */
    int saved = lua_gettop(L);
    strbuf ps = {0};
    lua_newtable(L);
    for (int i = 0; i < o->nparams; i++) {
        const char *eq = strchr(o->params[i], '=');
        if (!eq) continue;
        lua_pushlstring(L, o->params[i], (size_t)(eq - o->params[i]));
        push_param_value(L, eq + 1);
        lua_rawset(L, -3);
        if (i) strbuf_adds(&ps, ", ");
        strbuf_adds(&ps, o->params[i]);
    }
    lua_setglobal(L, "params");
    free(r->nb->params);
    r->nb->params = ps.s;
    lua_createtable(L, o->nargs, 1);
    lua_pushstring(L, r->nb->name);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < o->nargs; i++) {
        lua_pushstring(L, o->args[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setglobal(L, "arg");

    lua_getglobal(L, "print");
    lua_setfield(L, -2, "print");
    lua_pushlightuserdata(L, r);
    lua_pushcclosure(L, nb_print, 1);
    lua_setglobal(L, "print");

    lua_getfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    lua_setfield(L, -2, "sink");
    lua_pushlightuserdata(L, r);
    lua_pushcclosure(L, nb_plot_sink, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);

    /* io.write and the write method of files (io.stdout:write) */
    if (lua_getglobal(L, "io") == LUA_TTABLE && luaL_getmetatable(L, LUA_FILEHANDLE) == LUA_TTABLE &&
        lua_getfield(L, -1, "__index") == LUA_TTABLE) {
        int io = lua_absindex(L, -3), methods = lua_absindex(L, -1);
        lua_getfield(L, io, "write");
        lua_setfield(L, saved, "io_write");
        lua_getfield(L, methods, "write");
        lua_setfield(L, saved, "file_write");
        for (int k = 0; k < 2; k++) {
            lua_pushlightuserdata(L, r);
            lua_getfield(L, methods, "write");
            lua_getfield(L, io, "stdout");
            lua_getfield(L, io, "output");
            lua_pushcclosure(L, k == 0 ? nb_io_write : nb_file_write, 4);
            lua_setfield(L, k == 0 ? io : methods, "write");
        }
    }
    lua_settop(L, saved);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_saved);
}

static void uninstall(lua_State *L) {
    int top = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_saved);
    lua_getfield(L, -1, "print");
    lua_setglobal(L, "print");
    lua_getfield(L, -1, "sink");
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    if (lua_getglobal(L, "io") == LUA_TTABLE && luaL_getmetatable(L, LUA_FILEHANDLE) == LUA_TTABLE &&
        lua_getfield(L, -1, "__index") == LUA_TTABLE) {
        if (lua_getfield(L, -4, "io_write") != LUA_TNIL)
            lua_setfield(L, -4, "write");
        else
            lua_pop(L, 1);
        if (lua_getfield(L, -4, "file_write") != LUA_TNIL)
            lua_setfield(L, -2, "write");
        else
            lua_pop(L, 1);
    }
    lua_settop(L, top);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_saved);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_sunk);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_fn);
}

/* ---- running ---------------------------------------------------------------- */

/* Record the failure of cell ci at notebook line `line` (0: unknown): the
 * error output, nshow, and the one-line message in e. */
static void fail_cell(runner *r, int ci, int line, const char *ename, const char *msg, const char *src, lab_err *e) {
    notebook *nb = r->nb;
    if (ci < 0 || (size_t)ci >= nb->ncell) ci = nb->ncell ? (int)nb->ncell - 1 : 0;
    char where[LUA_IDSIZE + 32];
    snprintf(where, sizeof where, "%s:%d: ", src, line);
    if (line > 0 && strncmp(msg, where, strlen(where)) == 0) msg += strlen(where);
    strbuf text = {0};
    if (line > 0) {
        snprintf(where, sizeof where, ":%d: ", line);
        strbuf_adds(&text, nb->name);
        strbuf_adds(&text, where);
    }
    strbuf_adds(&text, msg);
    if (nb->ncell) {
        nb_cell *c = &nb->cells[ci];
        notebook_add_output(c, NB_OUT_ERROR, text.s, text.n, ename, r->err_trace);
        nb->nshow = (size_t)ci + 1;
        if (nb->has_markers) {
            char num[32];
            snprintf(num, sizeof num, " (cell %d", ci + 1);
            strbuf_adds(&text, num);
            if (c->title[0]) {
                strbuf_adds(&text, " \"");
                strbuf_adds(&text, c->title);
                strbuf_adds(&text, "\"");
            }
            strbuf_adds(&text, ")");
        }
    }
    lab_fail(e, "%s", text.s);
    free(text.s);
}

/* Run the loaded chunk (on top of the stack) with the runner's functions. */
static int run_chunk(lua_State *L, runner *r) {
    lua_pushlightuserdata(L, r);
    lua_pushcclosure(L, nb_msghandler, 1);
    lua_insert(L, -2);
    int base = lua_gettop(L) - 1; /* the handler */
    lua_pushlightuserdata(L, r);
    lua_pushcclosure(L, nb_cell_start, 1);
    lua_pushlightuserdata(L, r);
    lua_pushcclosure(L, nb_value, 1);
    int st = lua_pcall(L, 2, 1, base);
    if (st == LUA_OK) {
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &key_fn);
        for (int i = 0; i < r->o->nargs; i++) lua_pushstring(L, r->o->args[i]);
        st = lua_pcall(L, r->o->nargs, 0, base);
    }
    return st;
}

int lab_notebook_run(lua_State *L, notebook *nb, const nb_run_opts *o, lab_err *e) {
    nb_run_opts none = {0};
    runner r = {.nb = nb, .o = o ? o : &none, .cur = -1};
    int top = lua_gettop(L);
    install(L, &r);
    char *chunkname = xmalloc(strlen(nb->name) + 2);
    chunkname[0] = '@';
    strcpy(chunkname + 1, nb->name);
    result *res = xmalloc((nb->ncell + 1) * sizeof *res);
    for (size_t i = 0; i < nb->ncell; i++) res[i].line = result_line(L, &nb->cells[i], &res[i].semi);
    int status = 0;
    if (load_cells(L, nb, nb->ncell, res, chunkname) == LUA_OK) {
        if (run_chunk(L, &r) != LUA_OK) {
            int ci = r.err_line > 0 ? notebook_cell_at(nb, r.err_line) : r.cur;
            fail_cell(&r, ci, r.err_line, "Error", lua_tostring(L, -1), r.err_src, e);
            status = -1;
        }
    } else {
        /* a syntax error: run the cells before it, then report it */
        char *msg = xstrdup(lua_tostring(L, -1));
        lua_settop(L, top);
        int line = 0;
        const char *p = msg;
        while ((p = strchr(p, ':')) != NULL) {
            char *end;
            long v = strtol(p + 1, &end, 10);
            if (end > p + 1 && *end == ':' && p[1] >= '0' && p[1] <= '9') {
                line = v > 0 && v < 1 << 30 ? (int)v : 0;
                break;
            }
            p++;
        }
        int ci = notebook_cell_at(nb, line);
        if (ci < 0) ci = 0;
        status = -1;
        if (ci > 0 && load_cells(L, nb, (size_t)ci, res, chunkname) == LUA_OK && run_chunk(L, &r) != LUA_OK) {
            int cj = r.err_line > 0 ? notebook_cell_at(nb, r.err_line) : r.cur;
            fail_cell(&r, cj, r.err_line, "Error", lua_tostring(L, -1), r.err_src, e);
        } else {
            /* the message's "src:line: " prefix is the notebook's short name */
            const char *rest = msg;
            char where[32];
            snprintf(where, sizeof where, ":%d: ", line);
            const char *at = line > 0 ? strstr(msg, where) : NULL;
            if (at) rest = at + strlen(where);
            free(r.err_trace);
            r.err_trace = NULL;
            fail_cell(&r, ci, line, "SyntaxError", rest, "", e);
        }
        free(msg);
    }
    lua_settop(L, top);
    uninstall(L);
    free(res);
    free(chunkname);
    free(r.err_trace);
    return status;
}
