/* session.c — lua.c's evaluation rules, shared by `lab repl` and the
 * workbench (see session.h).
 *
 * Ctrl-C while code runs only sets a count hook and lab_interrupt, both plain
 * stores that are safe in a signal handler (lua.c's laction); the hook raises
 * "interrupted" at the next instruction, so no longjmp leaves a signal
 * handler and every variable survives. */
#include "session.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pretty.h"

static lua_State *running;          /* the state a chunk runs in, for the handler */
static volatile sig_atomic_t got_sigint;
static int was_interrupted;

static void lstop(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted");
}

static void on_sigint_running(int sig) {
    (void)sig;
    got_sigint = 1;
    lab_interrupt = 1;
    if (running) lua_sethook(running, lstop, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void session_on_sigint_idle(int sig) {
    (void)sig;
    got_sigint = 1;
}

int session_take_sigint(void) {
    int g = got_sigint;
    got_sigint = 0;
    return g;
}

int session_interrupted(void) { return was_interrupted; }

void session_set_sigint(void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a waiting poll() returns EINTR */
}

static int msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Run the function on top of the stack; leaves its results (or the error). */
static int docall(lua_State *L) {
    int base = lua_gettop(L);
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    struct sigaction old;
    sigaction(SIGINT, NULL, &old);
    got_sigint = 0;
    lab_interrupt = 0;
    running = L;
    session_set_sigint(on_sigint_running);
    int status = lua_pcall(L, 0, LUA_MULTRET, base);
    sigaction(SIGINT, &old, NULL);
    running = NULL;
    lua_sethook(L, NULL, 0, 0);
    was_interrupted = got_sigint;
    got_sigint = 0;
    lab_interrupt = 0;
    lua_remove(L, base);
    return status;
}

static int incomplete(lua_State *L, int status) {
    if (status != LUA_ERRSYNTAX) return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    return len >= 5 && strcmp(msg + len - 5, "<eof>") == 0;
}

/* Compile `return <chunk>`; leaves the function on success. */
static int try_return(lua_State *L, const char *chunk, size_t len) {
    const char *ret = lua_pushfstring(L, "return %s;", chunk);
    (void)len;
    int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
    lua_remove(L, -2);
    if (status != LUA_OK) lua_pop(L, 1);
    return status;
}

static void results(lua_State *L, int base, int n, const session_out *out) {
    if (n == 0) return;
    pretty_opts o = {out->color, 4, 40};
    lua_pushvalue(L, base);
    lua_setglobal(L, "_");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < n; i++) {
        lab_pretty(L, base + i, &o);
        luaL_addvalue(&b);
        if (i + 1 < n) luaL_addchar(&b, '\t');
    }
    luaL_pushresult(&b);
    if (out->result) out->result(out->ud, lua_tostring(L, -1));
    lua_pop(L, 1);
}

session_status session_eval(lua_State *L, const char *chunk, int final, const session_out *out) {
    size_t len = strlen(chunk);
    while (len && (chunk[len - 1] == ' ' || chunk[len - 1] == '\t' || chunk[len - 1] == '\n')) len--;
    int quiet = len > 0 && chunk[len - 1] == ';';
    int top = lua_gettop(L);
    was_interrupted = 0;
    int status;
    if (quiet) { /* "expr;" : evaluate expr, show nothing */
        char *bare = xstrndup(chunk, len - 1);
        status = try_return(L, bare, len - 1);
        free(bare);
    } else status = try_return(L, chunk, len);
    if (status != LUA_OK) {
        status = luaL_loadbuffer(L, chunk, strlen(chunk), "=stdin");
        if (status != LUA_OK) {
            if (!final && incomplete(L, status)) {
                lua_settop(L, top);
                return SESSION_INCOMPLETE;
            }
            if (out->error) out->error(out->ud, lua_tostring(L, -1));
            if (out->ran) out->ran(out->ud, chunk, 1, 0);
            lua_settop(L, top);
            return SESSION_DONE;
        }
    }
    double t0 = lab_now();
    status = docall(L);
    double dt = lab_now() - t0;
    if (status != LUA_OK) {
        if (out->error) out->error(out->ud, lua_tostring(L, -1));
    } else {
        int n = lua_gettop(L) - top;
        if (quiet) {
            if (n > 0) {
                lua_pushvalue(L, top + 1);
                lua_setglobal(L, "_");
            }
        } else results(L, top + 1, n, out);
    }
    lua_settop(L, top);
    if (out->timing) out->timing(out->ud, dt);
    if (out->ran) out->ran(out->ud, chunk, status != LUA_OK, dt);
    return SESSION_DONE;
}
