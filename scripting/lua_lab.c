/* lua_lab.c — the `lab` module's entry point and the helpers its parts share:
 * userdata for frames and columns, option tables, and errors.
 *
 * Frame and Column userdata each hold one engine reference. __gc is
 * idempotent (the pointer is cleared), so a closed or collected object is
 * never freed twice. */
#include "lab_lua.h"

#include <lualib.h>

#include "lua_track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct lframe {
    frame *f;
} lframe;

typedef struct lcolumn {
    column *c;
    char *name; /* the name it was taken under, for printing */
} lcolumn;

/* Tell the collector about memory it cannot see (engine arrays). */
static void report_bytes(lua_State *L, size_t bytes) {
    if (bytes >= 64 * 1024) lua_gc(L, LUA_GCSTEP, (int)(bytes / 1024 > 1 << 30 ? 1 << 30 : bytes / 1024));
}

frame *lab_testframe(lua_State *L, int i) {
    lframe *u = luaL_testudata(L, i, LAB_FRAME);
    return u ? u->f : NULL;
}

frame *lab_checkframe(lua_State *L, int i) {
    lframe *u = luaL_checkudata(L, i, LAB_FRAME);
    if (!u->f) luaL_argerror(L, i, "frame has been freed");
    return u->f;
}

void lab_pushframe(lua_State *L, frame *f) {
    lframe *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->f = NULL;
    luaL_setmetatable(L, LAB_FRAME);
    u->f = f;
    report_bytes(L, frame_bytes(f));
}

column *lab_testcolumn(lua_State *L, int i) {
    lcolumn *u = luaL_testudata(L, i, LAB_COLUMN);
    return u ? u->c : NULL;
}

column *lab_checkcolumn(lua_State *L, int i) {
    lcolumn *u = luaL_checkudata(L, i, LAB_COLUMN);
    if (!u->c) luaL_argerror(L, i, "column has been freed");
    return u->c;
}

const char *lab_columnname(lua_State *L, int i) {
    lcolumn *u = luaL_checkudata(L, i, LAB_COLUMN);
    return u->name ? u->name : "";
}

void lab_pushcolumn(lua_State *L, column *c, const char *name) {
    lcolumn *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->c = NULL;
    u->name = NULL;
    luaL_setmetatable(L, LAB_COLUMN);
    u->c = c;
    u->name = name ? xstrdup(name) : NULL;
    report_bytes(L, col_bytes(c));
}

static int frame_gc(lua_State *L) {
    lframe *u = luaL_checkudata(L, 1, LAB_FRAME);
    frame_free(u->f);
    u->f = NULL;
    return 0;
}

static int column_gc(lua_State *L) {
    lcolumn *u = luaL_checkudata(L, 1, LAB_COLUMN);
    col_free(u->c);
    free(u->name);
    u->c = NULL;
    u->name = NULL;
    return 0;
}

int lab_raise(lua_State *L, const lab_err *e) { return luaL_error(L, "%s", e->msg); }

column *lab_checkcolref(lua_State *L, const frame *f, int i, int *j_out) {
    const char *name = luaL_checkstring(L, i);
    lab_err e;
    int j = frame_lookup(f, name, &e);
    if (j < 0) luaL_argerror(L, i, e.msg);
    if (j_out) *j_out = j;
    return f->cols[j];
}

void lab_add_methods(lua_State *L, const char *tname, const luaL_Reg *fns) {
    luaL_getmetatable(L, tname);
    lua_getfield(L, -1, "__methods");
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 2);
}

/* ---- option tables ------------------------------------------------------ */

static int field(lua_State *L, int t, const char *k) {
    if (lua_isnoneornil(L, t)) return 0;
    luaL_checktype(L, t, LUA_TTABLE);
    if (lua_getfield(L, t, k) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

static int field_error(lua_State *L, int t, const char *k, const char *want) {
    const char *msg = lua_pushfstring(L, "field '%s' must be %s, got %s", k, want, luaL_typename(L, -1));
    return luaL_argerror(L, t, msg);
}

int lab_optint_field(lua_State *L, int t, const char *k, int def) {
    if (!field(L, t, k)) return def;
    int isint;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (!isint) field_error(L, t, k, "an integer");
    lua_pop(L, 1);
    return (int)v;
}

double lab_optnum_field(lua_State *L, int t, const char *k, double def) {
    if (!field(L, t, k)) return def;
    int isnum;
    double v = lua_tonumberx(L, -1, &isnum);
    if (!isnum) field_error(L, t, k, "a number");
    lua_pop(L, 1);
    return v;
}

int lab_optbool_field(lua_State *L, int t, const char *k, int def) {
    if (!field(L, t, k)) return def;
    if (!lua_isboolean(L, -1)) field_error(L, t, k, "a boolean");
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* The returned string stays valid while the options table holds it. */
const char *lab_optstr_field(lua_State *L, int t, const char *k, const char *def) {
    if (!field(L, t, k)) return def;
    if (lua_type(L, -1) != LUA_TSTRING) field_error(L, t, k, "a string");
    const char *v = lua_tostring(L, -1);
    lua_pop(L, 1);
    return v;
}

void lab_check_options(lua_State *L, int t, const char *const *known) {
    if (lua_isnoneornil(L, t)) return;
    luaL_checktype(L, t, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) continue;
        const char *k = lua_tostring(L, -1);
        int ok = 0;
        for (int i = 0; known[i]; i++)
            if (strcmp(k, known[i]) == 0) ok = 1;
        if (!ok) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            luaL_addstring(&b, "unknown option '");
            luaL_addstring(&b, k);
            luaL_addstring(&b, "' (known: ");
            for (int i = 0; known[i]; i++) {
                if (i) luaL_addstring(&b, ", ");
                luaL_addstring(&b, known[i]);
            }
            luaL_addstring(&b, ")");
            luaL_pushresult(&b);
            luaL_argerror(L, t, lua_tostring(L, -1));
        }
    }
}

int lab_checkcolnames(lua_State *L, const frame *f, int i, int *idx, int max) {
    if (lua_type(L, i) == LUA_TSTRING) {
        lab_checkcolref(L, f, i, &idx[0]);
        return 1;
    }
    luaL_checktype(L, i, LUA_TTABLE);
    int n = (int)luaL_len(L, i);
    if (n > max) luaL_argerror(L, i, "too many column names");
    for (int k = 1; k <= n; k++) {
        lua_geti(L, i, k);
        if (lua_type(L, -1) != LUA_TSTRING) {
            const char *msg = lua_pushfstring(L, "item %d must be a column name, got %s", k, luaL_typename(L, -2));
            luaL_argerror(L, i, msg);
        }
        lab_err e;
        int j = frame_lookup(f, lua_tostring(L, -1), &e);
        if (j < 0) luaL_argerror(L, i, e.msg);
        idx[k - 1] = j;
        lua_pop(L, 1);
    }
    return n;
}

/* ---- Lua values <-> cells ----------------------------------------------- */

void lab_pushcell(lua_State *L, const column *c, size_t i) {
    if (col_is_na(c, i)) {
        lua_pushnil(L);
        return;
    }
    switch (c->type) {
    case COL_NUMBER: lua_pushnumber(L, c->f64[i]); break;
    case COL_INTEGER: lua_pushinteger(L, c->i64[i]); break;
    case COL_BOOLEAN: lua_pushboolean(L, c->b[i]); break;
    case COL_STRING: lua_pushlstring(L, c->dict->str[c->code[i]], c->dict->len[c->code[i]]); break;
    }
}

int lab_isna(lua_State *L, int i) {
    return lua_isnil(L, i) || (lua_type(L, i) == LUA_TUSERDATA && luaL_testudata(L, i, LAB_NA));
}

/* Raise a conversion error about argument i, or about `what`. */
static int tocolumn_error(lua_State *L, int i, const char *what, const char *msg) {
    if (what) return luaL_error(L, "%s: %s", what, msg);
    return luaL_argerror(L, i, msg);
}

/* Type of a list: the widest of its values (integers and floats make number). */
static col_type list_type(lua_State *L, int t, size_t n, const char *what) {
    int have = 0;
    col_type type = COL_NUMBER;
    for (size_t k = 1; k <= n; k++) {
        int lt = lua_geti(L, t, (lua_Integer)k);
        col_type vt;
        if (lab_isna(L, -1)) {
            lua_pop(L, 1);
            continue;
        } else if (lt == LUA_TBOOLEAN) vt = COL_BOOLEAN;
        else if (lt == LUA_TNUMBER) vt = lua_isinteger(L, -1) ? COL_INTEGER : COL_NUMBER;
        else if (lt == LUA_TSTRING) vt = COL_STRING;
        else {
            tocolumn_error(L, t, what, lua_pushfstring(L, "item %d is a %s; a column holds numbers, booleans or strings",
                                                       (int)k, luaL_typename(L, -1)));
            vt = COL_STRING;
        }
        lua_pop(L, 1);
        if (!have) type = vt;
        else if (type != vt) {
            if ((type == COL_INTEGER && vt == COL_NUMBER) || (type == COL_NUMBER && vt == COL_INTEGER))
                type = COL_NUMBER;
            else
                tocolumn_error(L, t, what, lua_pushfstring(L, "item %d is a %s but earlier items are %ss", (int)k,
                                                           col_type_name(vt), col_type_name(type)));
        }
        have = 1;
    }
    return type;
}

static void set_cell(lua_State *L, column *c, size_t i, int vi) {
    switch (c->type) {
    case COL_NUMBER: c->f64[i] = lua_tonumber(L, vi); break;
    case COL_INTEGER: c->i64[i] = lua_tointeger(L, vi); break;
    case COL_BOOLEAN: c->b[i] = (uint8_t)lua_toboolean(L, vi); break;
    case COL_STRING: {
        size_t len;
        const char *s = lua_tolstring(L, vi, &len);
        c->code[i] = strdict_intern(c->dict, s, len);
        break;
    }
    }
}

column *lab_tocolumn_named(lua_State *L, int i, size_t nrow, const char *what) {
    i = lua_absindex(L, i);
    column *src = lab_testcolumn(L, i);
    if (src) {
        if (src->n != nrow && nrow != (size_t)-1)
            tocolumn_error(L, i, what, lua_pushfstring(L, "column has %d rows, the frame has %d", (int)src->n, (int)nrow));
        return col_ref(src);
    }
    if (lua_type(L, i) == LUA_TTABLE) {
        size_t n = (size_t)luaL_len(L, i);
        if (n != nrow && nrow != (size_t)-1)
            tocolumn_error(L, i, what, lua_pushfstring(L, "list has %d items, the frame has %d rows", (int)n, (int)nrow));
        col_type t = list_type(L, i, n, what);
        /* no error can happen past this point, so nothing leaks */
        column *c = col_new(t, n, NULL);
        for (size_t k = 0; k < n; k++) {
            lua_geti(L, i, (lua_Integer)k + 1);
            if (lab_isna(L, -1)) col_set_na(c, k);
            else set_cell(L, c, k, -1);
            lua_pop(L, 1);
        }
        return c;
    }
    if (nrow == (size_t)-1) tocolumn_error(L, i, what, "expected a column or a list");
    col_type t = COL_NUMBER;
    int na = lab_isna(L, i);
    switch (lua_type(L, i)) {
    case LUA_TNUMBER: t = lua_isinteger(L, i) ? COL_INTEGER : COL_NUMBER; break;
    case LUA_TBOOLEAN: t = COL_BOOLEAN; break;
    case LUA_TSTRING: t = COL_STRING; break;
    default:
        if (!na)
            tocolumn_error(L, i, what, lua_pushfstring(L, "expected a column, a list or a scalar, got %s", luaL_typename(L, i)));
    }
    column *c = col_new(t, nrow, NULL);
    for (size_t k = 0; k < nrow; k++) {
        if (na) col_set_na(c, k);
        else set_cell(L, c, k, i);
    }
    return c;
}

column *lab_tocolumn(lua_State *L, int i, size_t nrow) { return lab_tocolumn_named(L, i, nrow, NULL); }

/* Outside the workbench (which replaces them): lab.view prints the frame,
 * lab.progress does nothing, lab.bind says where it works. */
static int l_view_plain(lua_State *L) {
    lab_checkframe(L, 1);
    luaL_tolstring(L, 1, NULL);
    lua_getglobal(L, "print");
    lua_insert(L, -2);
    lua_call(L, 1, 0);
    return 0;
}

static int l_progress_plain(lua_State *L) {
    luaL_checknumber(L, 1);
    luaL_checknumber(L, 2);
    luaL_optstring(L, 3, NULL);
    return 0;
}

static int l_bind_plain(lua_State *L) {
    return luaL_error(L, "lab.bind changes the workbench's keys: it works in the workbench (lab on a terminal)");
}

/* lab.clock() — wall-clock seconds from a monotonic clock, for timing. */
static int l_clock(lua_State *L) {
    lua_pushnumber(L, lab_now());
    return 1;
}

static int na_tostring(lua_State *L) {
    lua_pushliteral(L, "NA");
    return 1;
}

/* ---- the module --------------------------------------------------------- */

static void new_type(lua_State *L, const char *tname, lua_CFunction gc) {
    luaL_newmetatable(L, tname);
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");
    lua_newtable(L);
    lua_setfield(L, -2, "__methods");
    lua_pop(L, 1);
}

int luaopen_lab(lua_State *L) {
    new_type(L, LAB_FRAME, frame_gc);
    new_type(L, LAB_COLUMN, column_gc);
    lua_newtable(L);
    /* lab.NA: a missing value that, unlike nil, can stand at the end of a list */
    lua_newuserdatauv(L, 0, 0);
    if (luaL_newmetatable(L, LAB_NA)) {
        lua_pushcfunction(L, na_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, "NA");
    lua_pushstring(L, LAB_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushcfunction(L, l_clock);
    lua_setfield(L, -2, "clock");
    lua_pushcfunction(L, l_view_plain);
    lua_setfield(L, -2, "view");
    lua_pushcfunction(L, l_progress_plain);
    lua_setfield(L, -2, "progress");
    lua_pushcfunction(L, l_bind_plain);
    lua_setfield(L, -2, "bind");
    lab_open_frame(L);
    lab_open_column(L);
    lab_open_io(L);
    lab_open_stats(L);
    lab_open_sql(L);
    lab_open_ops(L);
    lab_open_pretty(L);
    lab_open_help(L);
    lab_open_plot(L);
    lab_open_journal(L);
    lab_open_model(L);
    lab_open_transform(L);
    lab_open_track(L);
    return 1;
}

lua_State *lab_newstate(void) {
    lua_State *L = luaL_newstate();
    if (!L) return NULL;
    luaL_openlibs(L);
    luaL_requiref(L, "lab", luaopen_lab, 1);
    lua_getfield(L, -1, "help");
    lua_setglobal(L, "help");
    lua_pop(L, 1);
    return L;
}
