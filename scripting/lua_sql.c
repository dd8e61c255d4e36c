/* lua_sql.c — lab.read_sql and df:write_sql, the Lua face of engine/data/sql.
 *
 * Query parameters come from a Lua table: list items bind ?, ?1, ?2 ...; string
 * keys bind :name, @name or $name. Every argument is checked before the engine
 * runs; the parameter array lives in a userdata, so a Lua error raised while
 * reading the table leaks nothing. Strings are borrowed from the table, which
 * stays on the stack for the whole call. */
#include "lab_lua.h"
#include "lua_track.h"

#include <limits.h>
#include <string.h>

#include "data/sql.h"

/* A string argument without NUL bytes (SQLite would silently cut it there). */
static const char *check_text(lua_State *L, int i, const char *what) {
    size_t len;
    const char *s = luaL_checklstring(L, i, &len);
    if (strlen(s) != len) luaL_argerror(L, i, lua_pushfstring(L, "%s holds a NUL byte", what));
    return s;
}

/* The key at the top-1 of the stack, for messages: params[2] or params.id. */
static const char *key_label(lua_State *L, int key) {
    if (lua_type(L, key) == LUA_TSTRING) return lua_pushfstring(L, "params.%s", lua_tostring(L, key));
    if (lua_type(L, key) == LUA_TNUMBER) return lua_pushfstring(L, "params[%s]", lua_tostring(L, key));
    return lua_pushfstring(L, "a params key of type %s", luaL_typename(L, key));
}

/* Fill p from the key/value pair at -2/-1 of the table at argument t. */
static void check_param(lua_State *L, int t, sql_param *p) {
    int key = lua_gettop(L) - 1, val = key + 1;
    memset(p, 0, sizeof *p);
    if (lua_type(L, key) == LUA_TNUMBER) {
        int isint;
        lua_Integer idx = lua_tointegerx(L, key, &isint);
        if (!isint || idx < 1 || idx > INT_MAX) {
            lua_pushvalue(L, key); /* lua_tostring must not convert the key lua_next walks */
            luaL_argerror(L, t, lua_pushfstring(L, "%s: a position must be a whole number from 1",
                                                key_label(L, lua_gettop(L))));
        }
        p->index = (int)idx;
    } else if (lua_type(L, key) == LUA_TSTRING) {
        size_t len;
        p->name = lua_tolstring(L, key, &len);
        if (len == 0 || strlen(p->name) != len)
            luaL_argerror(L, t, "params: a parameter name must be non-empty text without NUL bytes");
    } else {
        luaL_argerror(L, t, lua_pushfstring(L, "params: keys are positions (1, 2, ...) or names, got a %s",
                                            luaL_typename(L, key)));
    }
    switch (lua_type(L, val)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, val)) {
            p->type = SQL_VALUE_INTEGER;
            p->i = (int64_t)lua_tointeger(L, val);
        } else {
            p->type = SQL_VALUE_NUMBER;
            p->d = (double)lua_tonumber(L, val);
        }
        break;
    case LUA_TBOOLEAN:
        p->type = SQL_VALUE_BOOLEAN;
        p->i = lua_toboolean(L, val);
        break;
    case LUA_TSTRING:
        p->type = SQL_VALUE_STRING;
        p->s = lua_tolstring(L, val, &p->len);
        break;
    default: {
        lua_pushvalue(L, key);
        const char *label = key_label(L, lua_gettop(L));
        luaL_argerror(L, t, lua_pushfstring(L, "%s is a %s; a parameter is a number, string or boolean",
                                            label, luaL_typename(L, val)));
    }
    }
}

/* lab.read_sql(db_path, query [, params]) -> frame */
static int l_read_sql(lua_State *L) {
    const char *path = check_text(L, 1, "the database path");
    const char *query = check_text(L, 2, "the query");
    sql_param *params = NULL;
    size_t np = 0;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_settop(L, 3);
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            lua_pop(L, 1);
            np++;
        }
        params = lua_newuserdatauv(L, (np ? np : 1) * sizeof *params, 0);
        size_t k = 0;
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            check_param(L, 3, &params[k++]);
            lua_settop(L, 5); /* keep the key for lua_next */
        }
    }
    lab_err e;
    frame *f = sql_read_params(path, query, params, np, &e);
    if (!f) return lab_raise(L, &e);
    lab_track_dataset(L, path, f, query);
    lab_pushframe(L, f);
    return 1;
}

/* df:write_sql(db_path, table [, {if_exists = "fail" | "replace" | "append"}]) -> rows written */
static int l_write_sql(lua_State *L) {
    static const char *const known[] = {"if_exists", NULL};
    frame *f = lab_checkframe(L, 1);
    const char *path = check_text(L, 2, "the database path");
    const char *table = check_text(L, 3, "the table name");
    if (!table[0]) luaL_argerror(L, 3, "the table name is empty");
    lab_check_options(L, 4, known);
    const char *how = lab_optstr_field(L, 4, "if_exists", "fail");
    sql_mode mode;
    if (sql_mode_parse(how, &mode) < 0)
        luaL_argerror(L, 4, lua_pushfstring(L, "field 'if_exists' must be \"fail\", \"replace\" or "
                                               "\"append\", got \"%s\"", how));
    lab_err e;
    if (sql_write(f, path, table, mode, &e) < 0) return lab_raise(L, &e);
    lua_pushinteger(L, (lua_Integer)f->nrow);
    return 1;
}

void lab_open_sql(lua_State *L) {
    lua_pushcfunction(L, l_read_sql);
    lua_setfield(L, -2, "read_sql");
    static const luaL_Reg methods[] = {{"write_sql", l_write_sql}, {NULL, NULL}};
    lab_add_methods(L, LAB_FRAME, methods);
}
