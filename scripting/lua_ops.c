/* lua_ops.c — the frame operations of engine/data/ops.h in Lua: df:sort,
 * df:join, lab.concat / df:concat, df:unique, df:dropna, df:fillna,
 * df:sample, df:split and df:rename.
 *
 * Every argument is checked before the engine is called, and scratch arrays
 * (column names, flags, values) live in Lua userdata, so a Lua error raised
 * half-way leaks nothing; the engine allocates only the result frame, which
 * is pushed at once. Column names are checked by the engine, whose message
 * names the operation and the closest existing names. */
#include "lab_lua.h"

#include <stdlib.h>
#include <string.h>

#include "data/ops.h"

/* Scratch memory that Lua's collector frees (pushed on the stack). */
static void *scratch(lua_State *L, size_t n) { return lua_newuserdatauv(L, n ? n : 1, 0); }

/* Column names at index i: one string or a list of strings (not empty).
 * Pushes the array (and keeps the strings alive through the argument). */
static const char **check_names(lua_State *L, int i, int *count) {
    if (lua_type(L, i) == LUA_TSTRING) {
        const char **names = scratch(L, sizeof *names);
        names[0] = lua_tostring(L, i);
        *count = 1;
        return names;
    }
    if (lua_type(L, i) != LUA_TTABLE)
        luaL_argerror(L, i, lua_pushfstring(L, "expected a column name or a list of names, got %s", luaL_typename(L, i)));
    lua_Integer n = luaL_len(L, i);
    if (n < 1) luaL_argerror(L, i, "expected at least one column name");
    if (n > 100000) luaL_argerror(L, i, "too many column names");
    const char **names = scratch(L, (size_t)n * sizeof *names);
    for (lua_Integer k = 1; k <= n; k++) {
        if (lua_geti(L, i, k) != LUA_TSTRING)
            luaL_argerror(L, i, lua_pushfstring(L, "item %d must be a column name, got %s", (int)k, luaL_typename(L, -1)));
        names[k - 1] = lua_tostring(L, -1); /* the list holds it */
        lua_pop(L, 1);
    }
    *count = (int)n;
    return names;
}

/* Optional column names at i: none / nil gives all columns (count 0). */
static const char **opt_names(lua_State *L, int i, int *count) {
    if (lua_isnoneornil(L, i)) {
        *count = 0;
        return NULL;
    }
    return check_names(L, i, count);
}

/* An integer seed field of the options table t (64 bits, any sign). */
static uint64_t opt_seed(lua_State *L, int t, lua_Integer def) {
    if (lua_isnoneornil(L, t)) return (uint64_t)def;
    if (lua_getfield(L, t, "seed") == LUA_TNIL) {
        lua_pop(L, 1);
        return (uint64_t)def;
    }
    int isint;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (!isint)
        luaL_argerror(L, t, lua_pushfstring(L, "field 'seed' must be an integer, got %s", luaL_typename(L, -1)));
    lua_pop(L, 1);
    return (uint64_t)v;
}

static int push_result(lua_State *L, frame *g, const lab_err *e) {
    if (!g) return lab_raise(L, e);
    lab_pushframe(L, g);
    return 1;
}

/* df:sort(col_or_list [, {desc = true | {true, false, ...}}]) */
static int o_sort(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_settop(L, 3); /* scratch goes above the arguments */
    static const char *const known[] = {"desc", NULL};
    lab_check_options(L, 3, known);
    int k;
    const char **cols = check_names(L, 2, &k);
    int *desc = scratch(L, (size_t)k * sizeof *desc);
    memset(desc, 0, (size_t)k * sizeof *desc);
    if (!lua_isnoneornil(L, 3)) {
        int t = lua_getfield(L, 3, "desc");
        if (t == LUA_TBOOLEAN) {
            for (int c = 0; c < k; c++) desc[c] = lua_toboolean(L, -1);
        } else if (t == LUA_TTABLE) {
            if (luaL_len(L, -1) != k)
                luaL_argerror(L, 3, lua_pushfstring(L, "field 'desc' lists %d flags for %d columns",
                                                    (int)luaL_len(L, -1), k));
            for (int c = 0; c < k; c++) {
                if (lua_geti(L, -1, c + 1) != LUA_TBOOLEAN)
                    luaL_argerror(L, 3, lua_pushfstring(L, "field 'desc' item %d must be a boolean, got %s", c + 1,
                                                        luaL_typename(L, -1)));
                desc[c] = lua_toboolean(L, -1);
                lua_pop(L, 1);
            }
        } else if (t != LUA_TNIL) {
            luaL_argerror(L, 3, lua_pushfstring(L, "field 'desc' must be a boolean or a list of booleans, got %s",
                                                luaL_typename(L, -1)));
        }
        lua_pop(L, 1);
    }
    lab_err e;
    return push_result(L, ops_sort(f, cols, desc, k, &e), &e);
}

/* df:join(other, on_or_list [, {how = "inner" | "left", suffix = {"_x", "_y"}}]) */
static int o_join(lua_State *L) {
    frame *left = lab_checkframe(L, 1);
    frame *right = lab_checkframe(L, 2);
    lua_settop(L, 4);
    static const char *const known[] = {"how", "suffix", NULL};
    lab_check_options(L, 4, known);
    int k;
    const char **on = check_names(L, 3, &k);
    const char *how_s = lab_optstr_field(L, 4, "how", "inner");
    ops_how how;
    if (strcmp(how_s, "inner") == 0) how = OPS_INNER;
    else if (strcmp(how_s, "left") == 0) how = OPS_LEFT;
    else return luaL_argerror(L, 4, lua_pushfstring(L, "field 'how' must be \"inner\" or \"left\", got \"%s\"", how_s));
    const char *sx = "_x", *sy = "_y";
    if (!lua_isnoneornil(L, 4)) {
        int t = lua_getfield(L, 4, "suffix");
        if (t == LUA_TTABLE) {
            int ok = luaL_len(L, -1) == 2;
            if (ok && lua_geti(L, -1, 1) == LUA_TSTRING) sx = lua_tostring(L, -1);
            else ok = 0;
            if (ok && lua_geti(L, -2, 2) == LUA_TSTRING) sy = lua_tostring(L, -1);
            else ok = 0;
            if (!ok) luaL_argerror(L, 4, "field 'suffix' must be a list of two strings");
            /* The suffix table stays referenced by the options table. */
        } else if (t != LUA_TNIL) {
            luaL_argerror(L, 4, lua_pushfstring(L, "field 'suffix' must be a list of two strings, got %s",
                                                luaL_typename(L, -1)));
        }
    }
    lab_err e;
    return push_result(L, ops_join(left, right, on, k, how, sx, sy, &e), &e);
}

static int concat_list(lua_State *L, const frame **fs, int n) {
    lab_err e;
    return push_result(L, ops_concat(fs, n, &e), &e);
}

/* lab.concat{df1, df2, ...} */
static int l_concat(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_Integer n = luaL_len(L, 1);
    if (n < 1) return luaL_argerror(L, 1, "expected a list of at least one frame");
    if (n > 1000000) return luaL_argerror(L, 1, "too many frames");
    const frame **fs = scratch(L, (size_t)n * sizeof *fs);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, 1, k);
        fs[k - 1] = lab_testframe(L, -1);
        if (!fs[k - 1])
            return luaL_argerror(L, 1, lua_pushfstring(L, "item %d must be a frame, got %s", (int)k, luaL_typename(L, -1)));
        lua_pop(L, 1); /* the list keeps the frame alive */
    }
    return concat_list(L, fs, (int)n);
}

/* df:concat(other, ...) */
static int o_concat(lua_State *L) {
    int n = lua_gettop(L);
    const frame **fs = scratch(L, (size_t)n * sizeof *fs);
    for (int i = 1; i <= n; i++) fs[i - 1] = lab_checkframe(L, i);
    if (n < 2) return luaL_argerror(L, 2, "expected a frame to append");
    return concat_list(L, fs, n);
}

/* df:unique([cols]) */
static int o_unique(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_settop(L, 2);
    int k;
    const char **cols = opt_names(L, 2, &k);
    lab_err e;
    return push_result(L, ops_unique(f, cols, k, &e), &e);
}

/* df:dropna([cols]) */
static int o_dropna(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_settop(L, 2);
    int k;
    const char **cols = opt_names(L, 2, &k);
    lab_err e;
    return push_result(L, ops_dropna(f, cols, k, &e), &e);
}

/* The Lua value at i as a fill value; what names it in errors. */
static void check_value(lua_State *L, int i, int arg, const char *what, ops_value *v) {
    memset(v, 0, sizeof *v);
    switch (lua_type(L, i)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, i)) {
            v->type = COL_INTEGER;
            v->i64 = (int64_t)lua_tointeger(L, i);
        } else {
            v->type = COL_NUMBER;
            v->f64 = lua_tonumber(L, i);
        }
        break;
    case LUA_TBOOLEAN:
        v->type = COL_BOOLEAN;
        v->b = lua_toboolean(L, i);
        break;
    case LUA_TSTRING:
        v->type = COL_STRING;
        v->str = lua_tostring(L, i);
        if (strlen(v->str) != lua_rawlen(L, i))
            luaL_argerror(L, arg, lua_pushfstring(L, "%s contains a NUL byte", what));
        break;
    default:
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must be a number, boolean or string, got %s", what,
                                              luaL_typename(L, i)));
    }
}

typedef struct name_value {
    const char *name;
    ops_value v;
} name_value;

static int cmp_name_value(const void *a, const void *b) {
    return strcmp(((const name_value *)a)->name, ((const name_value *)b)->name);
}

/* df:fillna(value) or df:fillna{col = value, ...} */
static int o_fillna(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_settop(L, 2);
    lab_err e;
    if (lua_type(L, 2) != LUA_TTABLE) {
        if (lua_isnoneornil(L, 2)) return luaL_argerror(L, 2, "expected a value or a table of column = value");
        ops_value v;
        check_value(L, 2, 2, "the value", &v);
        return push_result(L, ops_fillna(f, NULL, &v, 1, &e), &e);
    }
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        lua_pop(L, 1);
        n++;
    }
    name_value *nv = scratch(L, (size_t)n * sizeof *nv);
    const char **cols = scratch(L, (size_t)n * sizeof *cols);
    ops_value *vals = scratch(L, (size_t)n * sizeof *vals);
    int k = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_argerror(L, 2, lua_pushfstring(L, "keys must be column names, got %s", luaL_typename(L, -2)));
        nv[k].name = lua_tostring(L, -2); /* the table keeps its keys */
        int vi = lua_gettop(L);
        const char *what = lua_pushfstring(L, "the value for '%s'", nv[k].name);
        check_value(L, vi, 2, what, &nv[k].v);
        lua_pop(L, 2); /* what, the value; the key stays for lua_next */
        k++;
    }
    /* A string value stays valid: the table holds it. Sorted by name so that
     * the first error reported does not depend on the table's order. */
    qsort(nv, (size_t)k, sizeof *nv, cmp_name_value);
    for (int i = 0; i < k; i++) {
        cols[i] = nv[i].name;
        vals[i] = nv[i].v;
    }
    return push_result(L, ops_fillna(f, cols, vals, k, &e), &e);
}

/* df:sample(n [, {seed = 1, replace = false}]) */
static int o_sample(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 0, 2, "row count must not be negative");
    static const char *const known[] = {"seed", "replace", NULL};
    lab_check_options(L, 3, known);
    uint64_t seed = opt_seed(L, 3, 1);
    int replace = lab_optbool_field(L, 3, "replace", 0);
    lab_err e;
    return push_result(L, ops_sample(f, (size_t)n, seed, replace, &e), &e);
}

/* df:split{test = 0.2, seed = 1, stratify = col} -> train, test */
static int o_split(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    static const char *const known[] = {"test", "seed", "stratify", NULL};
    lab_check_options(L, 2, known);
    double test = lab_optnum_field(L, 2, "test", 0.2);
    if (!(test > 0 && test < 1))
        return luaL_argerror(L, 2, lua_pushfstring(L, "field 'test' must be a fraction between 0 and 1 (exclusive), got %f", test));
    uint64_t seed = opt_seed(L, 2, 1);
    const char *stratify = lab_optstr_field(L, 2, "stratify", NULL);
    frame *train, *test_f;
    lab_err e;
    if (ops_split(f, test, seed, stratify, &train, &test_f, &e) < 0) return lab_raise(L, &e);
    lab_pushframe(L, train);
    lab_pushframe(L, test_f);
    return 2;
}

/* df:rename{old = "new", ...} or df:rename(old, new) */
static int o_rename(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_settop(L, 3);
    lab_err e;
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *from = lua_tostring(L, 2), *to = luaL_checkstring(L, 3);
        return push_result(L, ops_rename(f, &from, &to, 1, &e), &e);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_argerror(L, 2, lua_pushfstring(L, "keys must be column names, got %s", luaL_typename(L, -2)));
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, 2, lua_pushfstring(L, "the new name for '%s' must be a string, got %s",
                                                lua_tostring(L, -2), luaL_typename(L, -1)));
        lua_pop(L, 1);
        n++;
    }
    name_value *nv = scratch(L, (size_t)n * sizeof *nv);
    const char **from = scratch(L, (size_t)n * sizeof *from);
    const char **to = scratch(L, (size_t)n * sizeof *to);
    int k = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        nv[k].name = lua_tostring(L, -2);
        nv[k].v.str = lua_tostring(L, -1);
        k++;
        lua_pop(L, 1);
    }
    qsort(nv, (size_t)k, sizeof *nv, cmp_name_value);
    for (int i = 0; i < k; i++) {
        from[i] = nv[i].name;
        to[i] = nv[i].v.str;
    }
    return push_result(L, ops_rename(f, from, to, k, &e), &e);
}

static const luaL_Reg ops_methods[] = {
    {"sort", o_sort},     {"join", o_join},     {"concat", o_concat}, {"unique", o_unique},
    {"dropna", o_dropna}, {"fillna", o_fillna}, {"sample", o_sample}, {"split", o_split},
    {"rename", o_rename}, {NULL, NULL}};

void lab_open_ops(lua_State *L) {
    lab_add_methods(L, LAB_FRAME, ops_methods);
    lua_pushcfunction(L, l_concat);
    lua_setfield(L, -2, "concat");
}
