/* lab.c — the `lab` command: one binary, subcommands.
 *
 * Each subcommand is a function from argv to an exit status: 0 success, 1 a
 * failure of the work (bad input, a failed script), 2 bad usage. Errors go to
 * stderr as one line naming the file and place at fault. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_lua.h"
#include "repl.h"

static const char usage[] =
    "usage: lab <command> [arguments]\n"
    "\n"
    "lab is a terminal workbench for machine-learning experiments: data frames,\n"
    "statistics and models from Lua.\n"
    "\n"
    "commands:\n"
    "  repl                     the Lua REPL with lab loaded (also `lab` with no command)\n"
    "  run FILE.lua [ARG ...]   run a Lua script with the lab module loaded (global `lab`)\n"
    "  --help                   this help; `lab CMD --help` for one command\n"
    "  --version                the version\n"
    "\n"
    "The Lua API is described in docs/lua-api.md. From stock Lua: require \"lab\".\n";

static const char run_usage[] =
    "usage: lab run FILE.lua [ARG ...]\n"
    "\n"
    "Run FILE.lua with the lab module loaded as the global `lab`. The script's\n"
    "arguments are in the global table `arg` (arg[0] is the file, as in lua).\n"
    "Exit status: 0 when the script ran, 1 when it raised an error (printed as\n"
    "one line: file:line: message), 2 for bad usage.\n";

/* Message handler: the error text, prefixed with the innermost Lua position
 * when the message does not carry one (errors raised inside lab's C functions
 * are about the Lua line that called them). */
static int msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0) {
            char where[256];
            snprintf(where, sizeof where, "%s:%d:", ar.short_src, ar.currentline);
            if (strncmp(msg, where, strlen(where)) != 0) msg = lua_pushfstring(L, "%s %s", where, msg);
            break;
        }
    }
    if (getenv("LAB_TRACEBACK")) luaL_traceback(L, L, msg, 1);
    else lua_pushstring(L, msg);
    return 1;
}

/* A Lua state with the standard libraries and lab as a global. */
static lua_State *new_state(void) {
    lua_State *L = lab_newstate();
    if (!L) {
        fprintf(stderr, "lab: cannot create a Lua state (out of memory)\n");
        exit(1);
    }
    return L;
}

static int cmd_run(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(run_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *file = argv[1];
    lua_State *L = new_state();
    lua_createtable(L, argc - 2, 1);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    int status = 0;
    lua_pushcfunction(L, msghandler);
    if (luaL_loadfile(L, file) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        /* "cannot open x.lua" is Lua's wording; say it as lab does elsewhere */
        fprintf(stderr, "lab: %s\n", msg ? msg : "cannot load the script");
        status = 1;
    } else {
        for (int i = 2; i < argc; i++) lua_pushstring(L, argv[i]);
        if (lua_pcall(L, argc - 2, 0, -(argc - 2) - 2) != LUA_OK) {
            fprintf(stderr, "lab: %s\n", lua_tostring(L, -1));
            status = 1;
        }
    }
    fflush(stdout);
    lua_close(L);
    return status;
}

int main(int argc, char **argv) {
    /* the workbench comes here; until then `lab` alone is the REPL */
    if (argc < 2) return lab_repl_main(1, (char *[]){"repl", NULL});
    if (strcmp(argv[1], "repl") == 0) return lab_repl_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("lab %s (%s, SQLite and the lab engine)\n", LAB_VERSION, LUA_RELEASE);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
    fprintf(stderr, "lab: unknown command '%s' (try lab --help)\n", argv[1]);
    return 2;
}
