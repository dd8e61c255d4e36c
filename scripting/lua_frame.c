/* lua_frame.c — the Frame type in Lua: shape, columns, row selection and
 * printing. Column access is df.name or df[name] (methods win over columns of
 * the same name: use df:col(name) then); df[i] is row i as a table.
 *
 * Frames are values: every method returns a new frame that shares columns with
 * its input. The one mutation is assignment, df.name = value, which adds or
 * replaces a column of this frame only (other frames sharing the old column
 * keep it). */
#include "lab_lua.h"

#include <stdlib.h>
#include <string.h>

#include "data/print.h"

static int f_nrow(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lab_checkframe(L, 1)->nrow);
    return 1;
}

static int f_ncol(lua_State *L) {
    lua_pushinteger(L, lab_checkframe(L, 1)->ncol);
    return 1;
}

static int f_shape(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_pushinteger(L, (lua_Integer)f->nrow);
    lua_pushinteger(L, f->ncol);
    return 2;
}

static int f_names(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_createtable(L, f->ncol, 0);
    for (int j = 0; j < f->ncol; j++) {
        lua_pushstring(L, f->names[j]);
        lua_rawseti(L, -2, j + 1);
    }
    return 1;
}

static int f_types(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_createtable(L, f->ncol, 0);
    for (int j = 0; j < f->ncol; j++) {
        lua_pushstring(L, col_type_name(f->cols[j]->type));
        lua_rawseti(L, -2, j + 1);
    }
    return 1;
}

static size_t check_count(lua_State *L, int i, lua_Integer def) {
    lua_Integer n = luaL_optinteger(L, i, def);
    luaL_argcheck(L, n >= 0, i, "row count must not be negative");
    return (size_t)n;
}

static int f_head(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    size_t n = check_count(L, 2, 5);
    lab_pushframe(L, frame_slice(f, 0, n));
    return 1;
}

static int f_tail(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    size_t n = check_count(L, 2, 5);
    if (n > f->nrow) n = f->nrow;
    lab_pushframe(L, frame_slice(f, f->nrow - n, n));
    return 1;
}

/* Rows [from, to] (1-based, inclusive, negative counts from the end). */
static int f_slice(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_Integer n = (lua_Integer)f->nrow;
    lua_Integer a = luaL_checkinteger(L, 2);
    lua_Integer b = luaL_optinteger(L, 3, n);
    if (a < 0) a += n + 1;
    if (b < 0) b += n + 1;
    if (a < 1) a = 1;
    if (b > n) b = n;
    lab_pushframe(L, frame_slice(f, (size_t)(a - 1), b >= a ? (size_t)(b - a + 1) : 0));
    return 1;
}

/* Column names from a list or from the remaining string arguments. */
static int names_arg(lua_State *L, frame *f, int **out) {
    int top = lua_gettop(L);
    int max = f->ncol + 64;
    int *idx = lua_newuserdatauv(L, (size_t)max * sizeof(int), 0);
    int n = 0;
    if (lua_type(L, 2) == LUA_TTABLE) n = lab_checkcolnames(L, f, 2, idx, max);
    else {
        luaL_checkstring(L, 2);
        for (int i = 2; i <= top && n < max; i++) lab_checkcolref(L, f, i, &idx[n++]);
    }
    *out = idx;
    return n;
}

static int f_select(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    int *idx;
    int n = names_arg(L, f, &idx);
    frame *g = frame_new();
    for (int k = 0; k < n; k++) frame_set_column(g, f->names[idx[k]], col_ref(f->cols[idx[k]]), NULL);
    g->nrow = f->nrow;
    lab_pushframe(L, g);
    return 1;
}

static int f_drop(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    int *idx;
    int n = names_arg(L, f, &idx);
    frame *g = frame_new();
    for (int j = 0; j < f->ncol; j++) {
        int gone = 0;
        for (int k = 0; k < n; k++) gone |= idx[k] == j;
        if (!gone) frame_set_column(g, f->names[j], col_ref(f->cols[j]), NULL);
    }
    g->nrow = f->nrow;
    lab_pushframe(L, g);
    return 1;
}

/* Push row i (0-based) as a table {name = value}. */
static void push_row(lua_State *L, const frame *f, size_t i) {
    lua_createtable(L, 0, f->ncol);
    for (int j = 0; j < f->ncol; j++) {
        lab_pushcell(L, f->cols[j], i);
        lua_setfield(L, -2, f->names[j]);
    }
}

static int f_row(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 0) i += (lua_Integer)f->nrow + 1;
    if (i < 1 || (size_t)i > f->nrow) {
        lua_pushnil(L);
        return 1;
    }
    push_row(L, f, (size_t)i - 1);
    return 1;
}

static int rows_next(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2);
    if ((size_t)i >= f->nrow) return 0;
    lua_pushinteger(L, i + 1);
    push_row(L, f, (size_t)i);
    return 2;
}

/* for i, row in df:rows() do ... end */
static int f_rows(lua_State *L) {
    lab_checkframe(L, 1);
    lua_pushcfunction(L, rows_next);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

/* Indices of the rows a mask (boolean column or list) or a predicate keeps. */
static int f_filter(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    size_t n = f->nrow;
    size_t *keep = lua_newuserdatauv(L, (n ? n : 1) * sizeof *keep, 0);
    size_t k = 0;
    column *m = lab_testcolumn(L, 2);
    if (m) {
        if (m->type != COL_BOOLEAN)
            return luaL_argerror(L, 2, lua_pushfstring(L, "mask must be a boolean column, got %s", col_type_name(m->type)));
        if (m->n != n)
            return luaL_argerror(L, 2, lua_pushfstring(L, "mask has %d rows, the frame has %d", (int)m->n, (int)n));
        for (size_t i = 0; i < n; i++)
            if (!col_is_na(m, i) && m->b[i]) keep[k++] = i;
    } else if (lua_isfunction(L, 2)) {
        for (size_t i = 0; i < n; i++) {
            lua_pushvalue(L, 2);
            push_row(L, f, i);
            lua_call(L, 1, 1);
            if (lua_toboolean(L, -1)) keep[k++] = i;
            lua_pop(L, 1);
        }
    } else if (lua_istable(L, 2)) {
        if ((size_t)luaL_len(L, 2) != n)
            return luaL_argerror(L, 2, lua_pushfstring(L, "mask has %d items, the frame has %d rows", (int)luaL_len(L, 2), (int)n));
        for (size_t i = 0; i < n; i++) {
            lua_geti(L, 2, (lua_Integer)i + 1);
            if (lua_toboolean(L, -1)) keep[k++] = i;
            lua_pop(L, 1);
        }
    } else
        return luaL_typeerror(L, 2, "boolean column, list of booleans or function(row)");
    lab_pushframe(L, frame_take(f, keep, k));
    return 1;
}

/* Rows by position: df:take{3, 1, 2} (1-based). */
static int f_take(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, 2);
    size_t *idx = lua_newuserdatauv(L, (n ? n : 1) * sizeof *idx, 0);
    for (size_t k = 0; k < n; k++) {
        lua_geti(L, 2, (lua_Integer)k + 1);
        int ok;
        lua_Integer i = lua_tointegerx(L, -1, &ok);
        if (!ok || i < 1 || (size_t)i > f->nrow)
            return luaL_argerror(L, 2, lua_pushfstring(L, "item %d is not a row number from 1 to %d", (int)k + 1, (int)f->nrow));
        idx[k] = (size_t)i - 1;
        lua_pop(L, 1);
    }
    lab_pushframe(L, frame_take(f, idx, n));
    return 1;
}

static int f_col(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    int j;
    column *c = lab_checkcolref(L, f, 2, &j);
    lab_pushcolumn(L, col_ref(c), f->names[j]);
    return 1;
}

/* A column for f from a value: a function of the row, or what lab_tocolumn
 * takes (a Column, a list, a scalar). */
static column *value_column(lua_State *L, frame *f, int vi, const char *name) {
    lua_pushfstring(L, "column '%s'", name);
    const char *what = lua_tostring(L, -1);
    if (!lua_isfunction(L, vi)) {
        column *c = lab_tocolumn_named(L, vi, f->nrow, what);
        lua_pop(L, 1);
        return c;
    }
    lua_createtable(L, (int)f->nrow, 0);
    int t = lua_gettop(L);
    for (size_t i = 0; i < f->nrow; i++) {
        lua_pushvalue(L, vi);
        push_row(L, f, i);
        lua_call(L, 1, 1);
        lua_rawseti(L, t, (lua_Integer)i + 1);
    }
    column *c = lab_tocolumn_named(L, t, f->nrow, what);
    lua_pop(L, 2);
    return c;
}

static int f_newindex(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *name = luaL_checkstring(L, 2);
    if (lua_isnil(L, 3)) {
        int j = frame_find(f, name);
        if (j < 0) return 0;
        frame *g = frame_new();
        for (int k = 0; k < f->ncol; k++)
            if (k != j) frame_set_column(g, f->names[k], col_ref(f->cols[k]), NULL);
        g->nrow = f->nrow;
        /* swap contents so the userdata keeps its identity */
        frame tmp = *f;
        *f = *g;
        *g = tmp;
        frame_free(g);
        return 0;
    }
    if (f->ncol == 0 && !lab_testcolumn(L, 3) && !lua_istable(L, 3))
        return luaL_argerror(L, 3, "the first column of an empty frame must be a column or a list");
    column *c = f->ncol == 0 ? lab_tocolumn(L, 3, (size_t)-1) : value_column(L, f, 3, name);
    lab_err e;
    if (frame_set_column(f, name, c, &e) < 0) return lab_raise(L, &e);
    return 0;
}

/* Push a list of the string keys of the table at t, sorted, so that columns
 * made from a Lua table come in a deterministic order; returns the count. */
static int push_sorted_keys(lua_State *L, int t) {
    lua_newtable(L);
    int keys = lua_gettop(L);
    int nk = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) return luaL_argerror(L, t, "column names must be strings");
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++nk);
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, keys);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    return nk;
}

/* df:mutate{name = value, ...} — a new frame with columns added or replaced;
 * new columns in name order. */
static int f_mutate(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int nk = push_sorted_keys(L, 2);
    int keys = lua_gettop(L);
    frame *g = frame_copy(f);
    lab_pushframe(L, g);
    int gi = lua_gettop(L);
    for (int k = 1; k <= nk; k++) {
        lua_rawgeti(L, keys, k);
        const char *name = lua_tostring(L, -1);
        lua_getfield(L, 2, name);
        column *c = value_column(L, f, lua_gettop(L), name);
        lab_err e;
        if (frame_set_column(g, name, c, &e) < 0) return lab_raise(L, &e);
        lua_pop(L, 2);
    }
    lua_pushvalue(L, gi);
    return 1;
}

static int f_copy(lua_State *L) {
    lab_pushframe(L, frame_copy(lab_checkframe(L, 1)));
    return 1;
}

/* df:totable() — a list of row tables (for small frames). */
static int f_totable(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lua_createtable(L, (int)f->nrow, 0);
    for (size_t i = 0; i < f->nrow; i++) {
        push_row(L, f, i);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int f_equals(lua_State *L) {
    frame *a = lab_checkframe(L, 1);
    frame *b = lab_checkframe(L, 2);
    lua_pushboolean(L, frame_equal(a, b));
    return 1;
}

static int f_tostring(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    print_opts o;
    print_opts_init(&o);
    char *s = frame_format(f, &o);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

/* df:show(n) — the text table with up to n rows at each end. */
static int f_show(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    print_opts o;
    print_opts_init(&o);
    lua_Integer n = luaL_optinteger(L, 2, 10);
    luaL_argcheck(L, n >= 0, 2, "row count must not be negative");
    o.edge_rows = (size_t)n;
    o.max_rows = (size_t)n * 2;
    o.width = (int)luaL_optinteger(L, 3, 200);
    char *s = frame_format(f, &o);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

static int f_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lab_checkframe(L, 1)->nrow);
    return 1;
}

static int f_index(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_getmetatable(L, 1);
        lua_getfield(L, -1, "__methods");
        lua_pushvalue(L, 2);
        if (lua_rawget(L, -2) != LUA_TNIL) return 1;
        const char *name = lua_tostring(L, 2);
        int j = frame_find(f, name);
        if (j < 0) {
            lab_err e;
            frame_lookup(f, name, &e);
            return luaL_error(L, "%s", e.msg);
        }
        lab_pushcolumn(L, col_ref(f->cols[j]), f->names[j]);
        return 1;
    }
    if (lua_isinteger(L, 2)) return f_row(L);
    return luaL_argerror(L, 2, "index a frame by column name or row number");
}

static const luaL_Reg frame_methods[] = {
    {"nrow", f_nrow},   {"ncol", f_ncol},       {"shape", f_shape},     {"names", f_names},
    {"types", f_types}, {"head", f_head},       {"tail", f_tail},       {"slice", f_slice},
    {"select", f_select}, {"drop", f_drop},     {"filter", f_filter},   {"take", f_take},
    {"row", f_row},     {"rows", f_rows},       {"col", f_col},         {"mutate", f_mutate},
    {"copy", f_copy},   {"totable", f_totable}, {"equals", f_equals},   {"show", f_show},
    {NULL, NULL}};

/* lab.frame{x = {...}, y = {...}} or lab.frame({...}, {order = {"y", "x"}}) */
static int l_frame(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const known[] = {"order", NULL};
    lab_check_options(L, 2, known);
    int keys, nk = 0;
    if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "order") != LUA_TNIL) {
        int t = lua_gettop(L);
        if (!lua_istable(L, t)) return luaL_argerror(L, 2, "field 'order' must be a list of column names");
        lua_newtable(L);
        keys = lua_gettop(L);
        for (lua_Integer k = 1; k <= luaL_len(L, t); k++) {
            lua_geti(L, t, k);
            lua_rawseti(L, keys, ++nk);
        }
    } else {
        nk = push_sorted_keys(L, 1);
        keys = lua_gettop(L);
    }
    frame *f = frame_new();
    lab_pushframe(L, f);
    int fi = lua_gettop(L);
    for (int k = 1; k <= nk; k++) {
        lua_rawgeti(L, keys, k);
        const char *name = lua_tostring(L, -1);
        if (!name) return luaL_argerror(L, 2, "order must list column names");
        lua_getfield(L, 1, name);
        if (lua_isnil(L, -1)) return luaL_argerror(L, 2, lua_pushfstring(L, "order names '%s', which is not given", name));
        lua_pushfstring(L, "column '%s'", name);
        column *c = lab_tocolumn_named(L, -2, k == 1 ? (size_t)-1 : f->nrow, lua_tostring(L, -1));
        lua_pop(L, 1);
        lab_err e;
        if (frame_set_column(f, name, c, &e) < 0) return lab_raise(L, &e);
        lua_pop(L, 2);
    }
    lua_pushvalue(L, fi);
    return 1;
}

/* lab.isframe(v) */
static int l_isframe(lua_State *L) {
    lua_pushboolean(L, lab_testframe(L, 1) != NULL);
    return 1;
}

void lab_open_frame(lua_State *L) {
    luaL_getmetatable(L, LAB_FRAME);
    lua_pushcfunction(L, f_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, f_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, f_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, f_len);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);
    lab_add_methods(L, LAB_FRAME, frame_methods);
    lua_pushcfunction(L, l_frame);
    lua_setfield(L, -2, "frame");
    lua_pushcfunction(L, l_isframe);
    lua_setfield(L, -2, "isframe");
}
