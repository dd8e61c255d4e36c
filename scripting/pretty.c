/* pretty.c — one printer for results, shared by the REPL and notebooks.
 *
 * Frames print as tables and columns as vectors (their __tostring); other lab
 * objects (models, plots, ...) as their __tostring summary; plain Lua tables
 * recursively, keys sorted, with a depth and an item limit so that a huge or
 * cyclic table prints in a few lines. Colour (ANSI) only when asked for.
 * Printing reads tables with rawget/rawnext and calls no user code except
 * __tostring of objects that define it. */
#include "pretty.h"

#include <stdio.h>
#include <string.h>

#define C_STR "\033[32m"
#define C_NUM "\033[36m"
#define C_KEY "\033[33m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

typedef struct pctx {
    lua_State *L;
    luaL_Buffer *b;
    int color;
    int depth;
    int items;
    int seen; /* index of a table used as a set of the tables being printed */
} pctx;

static void put(pctx *p, const char *s) { luaL_addstring(p->b, s); }

static void put_color(pctx *p, const char *color, const char *s) {
    if (p->color) put(p, color);
    put(p, s);
    if (p->color) put(p, C_OFF);
}

static int is_identifier(const char *s, size_t len) {
    static const char *const keywords[] = {"and", "break", "do", "else", "elseif", "end", "false", "for",
                                           "function", "goto", "if", "in", "local", "nil", "not", "or",
                                           "repeat", "return", "then", "true", "until", "while", NULL};
    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return 0;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    for (int k = 0; keywords[k]; k++)
        if (strcmp(s, keywords[k]) == 0) return 0;
    return 1;
}

/* A string as a Lua literal: "..." with escapes, shortened when long. */
static void put_quoted(pctx *p, int idx, size_t max) {
    size_t len;
    const char *s = lua_tolstring(p->L, idx, &len);
    if (p->color) put(p, C_STR);
    luaL_addchar(p->b, '"');
    size_t n = len > max ? max : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            luaL_addchar(p->b, '\\');
            luaL_addchar(p->b, (char)c);
        } else if (c == '\n') put(p, "\\n");
        else if (c == '\t') put(p, "\\t");
        else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\%d", c);
            put(p, esc);
        } else luaL_addchar(p->b, (char)c);
    }
    luaL_addchar(p->b, '"');
    if (len > max) put(p, "…");
    if (p->color) put(p, C_OFF);
}

static void put_number(pctx *p, int idx) {
    char buf[64];
    if (lua_isinteger(p->L, idx)) snprintf(buf, sizeof buf, LUA_INTEGER_FMT, lua_tointeger(p->L, idx));
    else {
        double v = lua_tonumber(p->L, idx);
        snprintf(buf, sizeof buf, "%.14g", v);
        /* keep floats recognisable as floats, as Lua prints them */
        if (strspn(buf, "-0123456789") == strlen(buf)) strcat(buf, ".0");
    }
    put_color(p, C_NUM, buf);
}

static void value(pctx *p, int idx, int level);

/* The value's own __tostring, if it has one (lab objects do). */
static int put_tostring_meta(pctx *p, int idx) {
    if (!luaL_getmetafield(p->L, idx, "__tostring")) return 0;
    lua_pushvalue(p->L, idx);
    if (lua_pcall(p->L, 1, 1, 0) != LUA_OK || !lua_isstring(p->L, -1)) {
        lua_pop(p->L, 1);
        return 0;
    }
    luaL_addvalue(p->b);
    return 1;
}

static int key_cmp_sort(lua_State *L) {
    /* sort keys: numbers first (by value), then strings, then the rest by type */
    int ta = lua_type(L, 1), tb = lua_type(L, 2);
    if (ta != tb) {
        lua_pushboolean(L, ta == LUA_TNUMBER || (ta == LUA_TSTRING && tb != LUA_TNUMBER));
        return 1;
    }
    if (ta == LUA_TNUMBER || ta == LUA_TSTRING) lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    else lua_pushboolean(L, 0);
    return 1;
}

static void table(pctx *p, int idx, int level) {
    lua_State *L = p->L;
    idx = lua_absindex(L, idx);
    if (lua_rawgetp(L, p->seen, lua_topointer(L, idx)) != LUA_TNIL) {
        lua_pop(L, 1);
        put_color(p, C_DIM, "{…cycle}");
        return;
    }
    lua_pop(L, 1);
    if (level >= p->depth) {
        put_color(p, C_DIM, "{…}");
        return;
    }
    lua_pushboolean(L, 1);
    lua_rawsetp(L, p->seen, lua_topointer(L, idx));
    /* the array part first, in order, then the other keys sorted */
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_newtable(L);
    int keys = lua_gettop(L);
    int nk = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= n) continue;
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++nk);
    }
    lua_getglobal(L, "table");
    if (lua_istable(L, -1) && lua_getfield(L, -1, "sort") == LUA_TFUNCTION) {
        lua_pushvalue(L, keys);
        lua_pushcfunction(L, key_cmp_sort);
        if (lua_pcall(L, 2, 0, 0) != LUA_OK) lua_pop(L, 1);
    } else lua_pop(L, 1);
    lua_pop(L, 1);
    put(p, "{");
    int shown = 0, total = (int)n + nk;
    for (lua_Integer i = 1; i <= n && shown < p->items; i++, shown++) {
        if (shown) put(p, ", ");
        lua_rawgeti(L, idx, i);
        value(p, -1, level + 1);
        lua_pop(L, 1);
    }
    for (int k = 1; k <= nk && shown < p->items; k++, shown++) {
        if (shown) put(p, ", ");
        lua_rawgeti(L, keys, k);
        size_t len = 0;
        const char *ks = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (ks && is_identifier(ks, len)) {
            put_color(p, C_KEY, lua_tostring(L, -1));
        } else {
            put(p, "[");
            value(p, -1, level + 1);
            put(p, "]");
        }
        put(p, " = ");
        lua_rawget(L, idx); /* pops the key */
        value(p, -1, level + 1);
        lua_pop(L, 1);
    }
    if (shown < total) {
        char more[48];
        snprintf(more, sizeof more, "%s… %d more", shown ? ", " : "", total - shown);
        put_color(p, C_DIM, more);
    }
    put(p, "}");
    lua_pop(L, 1); /* keys */
    lua_pushnil(L);
    lua_rawsetp(L, p->seen, lua_topointer(L, idx));
}

static void value(pctx *p, int idx, int level) {
    lua_State *L = p->L;
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "value too deep to print");
    switch (lua_type(L, idx)) {
    case LUA_TNIL: put_color(p, C_DIM, "nil"); break;
    case LUA_TBOOLEAN: put_color(p, C_NUM, lua_toboolean(L, idx) ? "true" : "false"); break;
    case LUA_TNUMBER: put_number(p, idx); break;
    case LUA_TSTRING:
        if (level == 0) {
            lua_pushvalue(L, idx);
            luaL_addvalue(p->b);
        } else put_quoted(p, idx, 200);
        break;
    case LUA_TTABLE:
        if (!put_tostring_meta(p, idx)) table(p, idx, level);
        break;
    default:
        if (!put_tostring_meta(p, idx)) {
            char buf[64];
            snprintf(buf, sizeof buf, "%s: %p", luaL_typename(L, idx), lua_topointer(L, idx));
            put_color(p, C_DIM, buf);
        }
        break;
    }
}

void lab_pretty(lua_State *L, int idx, const pretty_opts *o) {
    idx = lua_absindex(L, idx);
    pctx p = {L, NULL, o ? o->color : 0, o && o->depth > 0 ? o->depth : 4, o && o->items > 0 ? o->items : 40, 0};
    lua_newtable(L);
    p.seen = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    p.b = &b;
    value(&p, idx, 0);
    luaL_pushresult(&b);
    lua_remove(L, p.seen);
}

/* lab.pretty(value [, {color = false, depth = 4, items = 40}]) -> string */
static int l_pretty(lua_State *L) {
    luaL_checkany(L, 1);
    static const char *const known[] = {"color", "depth", "items", NULL};
    lab_check_options(L, 2, known);
    pretty_opts o = {lab_optbool_field(L, 2, "color", 0), lab_optint_field(L, 2, "depth", 4),
                     lab_optint_field(L, 2, "items", 40)};
    lua_settop(L, 1);
    lab_pretty(L, 1, &o);
    return 1;
}

void lab_open_pretty(lua_State *L) {
    lua_pushcfunction(L, l_pretty);
    lua_setfield(L, -2, "pretty");
}
