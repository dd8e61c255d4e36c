/* lua_stats.c — statistics from Lua: column summaries (c:mean(), c:quantile(q),
 * c:value_counts() ...), df:describe(), df:corr() and df:group_by(keys) with
 * its GroupBy object (gb:agg{...}, gb:mean(), gb:size() ...).
 *
 * Everything is computed by engine/data/stats.c; this file only checks
 * arguments and converts. Every argument is checked before anything is
 * allocated outside Lua's heap; the scratch arrays an argument list needs are
 * Lua userdata, so a Lua error never leaks them. A GroupBy holds the grouped
 * rows (one id per row) so that several aggregations of the same grouping do
 * not hash the keys again. */
#include "lab_lua.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/stats.h"

#define LAB_GROUPBY "lab.GroupBy"

/* ---- columns ---------------------------------------------------------------- */

/* The column at 1, which must be number, integer or boolean for op. */
static column *check_numeric(lua_State *L, const char *op) {
    column *c = lab_checkcolumn(L, 1);
    lab_err e;
    if (stats_check_numeric(c, op, lab_columnname(L, 1), &e) < 0) lab_raise(L, &e);
    return c;
}

static int c_count(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)stats_count(lab_checkcolumn(L, 1)));
    return 1;
}

static int c_na_count(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    lua_pushinteger(L, (lua_Integer)(c->n - stats_count(c)));
    return 1;
}

static int c_nunique(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)stats_nunique(lab_checkcolumn(L, 1)));
    return 1;
}

/* Sum: an integer for integer and boolean columns (exact), unless it
 * overflows 64 bits; then, and for number columns, a float. */
static int c_sum(lua_State *L) {
    column *c = check_numeric(L, "sum");
    int64_t s;
    if (c->type != COL_NUMBER && stats_sum_int(c, &s) == 0) lua_pushinteger(L, (lua_Integer)s);
    else lua_pushnumber(L, stats_sum(c));
    return 1;
}

static int c_mean(lua_State *L) {
    lua_pushnumber(L, stats_mean(check_numeric(L, "mean")));
    return 1;
}

static int check_ddof(lua_State *L, int i) {
    lua_Integer ddof = luaL_optinteger(L, i, 1);
    luaL_argcheck(L, ddof >= 0 && ddof < 1000000, i, "ddof must be a small integer >= 0");
    return (int)ddof;
}

static int c_var(lua_State *L) {
    column *c = check_numeric(L, "var");
    lua_pushnumber(L, stats_var(c, check_ddof(L, 2)));
    return 1;
}

static int c_std(lua_State *L) {
    column *c = check_numeric(L, "std");
    lua_pushnumber(L, stats_std(c, check_ddof(L, 2)));
    return 1;
}

static int c_median(lua_State *L) {
    lua_pushnumber(L, stats_median(check_numeric(L, "median")));
    return 1;
}

/* min/max: the value in the column's own type (strings by bytes); nil when
 * the column has no value. */
static int c_min(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    size_t i = stats_argmin(c);
    if (i == SIZE_MAX) lua_pushnil(L);
    else lab_pushcell(L, c, i);
    return 1;
}

static int c_max(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    size_t i = stats_argmax(c);
    if (i == SIZE_MAX) lua_pushnil(L);
    else lab_pushcell(L, c, i);
    return 1;
}

/* c:quantile(q): q a number gives a number; a list of numbers gives a list. */
static int c_quantile(lua_State *L) {
    column *c = check_numeric(L, "quantile");
    int list = lua_type(L, 2) == LUA_TTABLE;
    size_t nq = list ? (size_t)luaL_len(L, 2) : 1;
    double *q = lua_newuserdatauv(L, (nq ? nq : 1) * 2 * sizeof *q, 0);
    double *out = q + nq;
    if (!list) {
        q[0] = luaL_checknumber(L, 2);
        luaL_argcheck(L, q[0] >= 0 && q[0] <= 1, 2, "q must be in [0, 1]");
    } else {
        for (size_t k = 0; k < nq; k++) {
            lua_geti(L, 2, (lua_Integer)k + 1);
            int isnum;
            q[k] = lua_tonumberx(L, -1, &isnum);
            if (!isnum || !(q[k] >= 0 && q[k] <= 1))
                return luaL_argerror(L, 2, lua_pushfstring(L, "item %d must be a number in [0, 1]", (int)k + 1));
            lua_pop(L, 1);
        }
    }
    lab_err e;
    if (stats_quantiles(c, q, nq, out, &e) < 0) return lab_raise(L, &e);
    if (!list) {
        lua_pushnumber(L, out[0]);
        return 1;
    }
    lua_createtable(L, (int)nq, 0);
    for (size_t k = 0; k < nq; k++) {
        lua_pushnumber(L, out[k]);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

static int c_value_counts(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    const char *name = lab_columnname(L, 1);
    frame *f = stats_value_counts(c);
    /* as pandas: the values under the column's own name, then "count" */
    if (*name && strcmp(name, "count") != 0) {
        free(f->names[0]);
        f->names[0] = xstrdup(name);
    }
    lab_pushframe(L, f);
    return 1;
}

static int c_unique(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    const char *name = lab_columnname(L, 1);
    lab_pushcolumn(L, stats_unique(c), *name ? name : NULL);
    return 1;
}

/* ---- frames ------------------------------------------------------------------ */

static int f_describe(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lab_err e;
    frame *d = stats_describe(f, &e);
    if (!d) return lab_raise(L, &e);
    lab_pushframe(L, d);
    return 1;
}

static int f_corr(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    lab_err e;
    frame *r = stats_corr(f, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

/* ---- GroupBy ----------------------------------------------------------------- */

typedef struct lgroupby {
    stats_groups *g;
} lgroupby;

static stats_groups *check_groupby(lua_State *L, int i) {
    lgroupby *u = luaL_checkudata(L, i, LAB_GROUPBY);
    if (!u->g) luaL_argerror(L, i, "group-by has been freed");
    return u->g;
}

static int gb_gc(lua_State *L) {
    lgroupby *u = luaL_checkudata(L, 1, LAB_GROUPBY);
    stats_groups_free(u->g);
    u->g = NULL;
    return 0;
}

/* One key given as a Column: its name, or "keyK" when it has none or the
 * frame already has a column of that name. Pushes the name. */
static const char *column_key_name(lua_State *L, const frame *f, int vi, int k) {
    const char *name = lab_columnname(L, vi);
    if (*name && frame_find(f, name) < 0) return lua_pushstring(L, name);
    return lua_pushfstring(L, "key%d", k);
}

/* df:group_by(key) / df:group_by{key, key, ...}: a key is a column name or a
 * Column of the frame's length (grouped as if it were a column of the frame). */
static int f_group_by(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    int list = lua_type(L, 2) == LUA_TTABLE;
    if (!list && lua_type(L, 2) != LUA_TSTRING && !lab_testcolumn(L, 2))
        return luaL_argerror(L, 2, "expected a column name, a Column or a list of them");
    int nk = list ? (int)luaL_len(L, 2) : 1;
    luaL_argcheck(L, nk >= 1, 2, "no key column given");
    luaL_argcheck(L, nk <= 64, 2, "too many key columns (at most 64)");
    int *keys = lua_newuserdatauv(L, (size_t)nk * sizeof *keys, 0);
    int scratch = lua_gettop(L);
    int ncolkeys = 0;
    for (int k = 0; k < nk; k++) {
        int vi = 2;
        if (list) {
            lua_geti(L, 2, k + 1);
            vi = lua_gettop(L);
        }
        column *c = lab_testcolumn(L, vi);
        if (c) {
            if (c->n != f->nrow)
                return luaL_argerror(L, 2, lua_pushfstring(L, "key %d is a column of %d rows, the frame has %d",
                                                           k + 1, (int)c->n, (int)f->nrow));
            keys[k] = -1 - k; /* filled in below */
            ncolkeys++;
        } else if (lua_type(L, vi) == LUA_TSTRING) {
            lab_err e;
            int j = frame_lookup(f, lua_tostring(L, vi), &e);
            if (j < 0) return luaL_argerror(L, 2, e.msg);
            keys[k] = j;
        } else {
            return luaL_argerror(L, 2, lua_pushfstring(L, "key %d must be a column name or a Column, got %s", k + 1,
                                                       luaL_typename(L, vi)));
        }
        if (list) lua_settop(L, scratch);
    }
    lgroupby *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->g = NULL;
    luaL_setmetatable(L, LAB_GROUPBY);
    int ui = lua_gettop(L);
    /* Column keys: name them now (Lua strings, anchored on the stack), then
     * build the frame they join without any Lua call in between. */
    const char **cnames = NULL;
    if (ncolkeys) {
        cnames = lua_newuserdatauv(L, (size_t)nk * sizeof *cnames, 0);
        for (int k = 0; k < nk; k++) {
            cnames[k] = NULL;
            if (keys[k] >= 0) continue;
            if (list) lua_geti(L, 2, k + 1);
            else lua_pushvalue(L, 2);
            cnames[k] = column_key_name(L, f, lua_gettop(L), k + 1);
            /* leave the Column and its name on the stack: they anchor both */
        }
        for (int k = 0; k < nk; k++)
            for (int m = 0; m < k; m++)
                if (cnames[k] && cnames[m] && strcmp(cnames[k], cnames[m]) == 0)
                    return luaL_argerror(L, 2, lua_pushfstring(L, "two key columns are called '%s'", cnames[k]));
    }
    lab_err e;
    if (!ncolkeys) {
        u->g = stats_groups_new(f, keys, nk, &e);
    } else {
        frame *g = frame_copy(f);
        int slot = ui + 2; /* the first (Column, name) pair after cnames */
        for (int k = 0; k < nk; k++) {
            if (keys[k] >= 0) continue;
            column *c = lab_testcolumn(L, slot);
            frame_set_column(g, cnames[k], col_ref(c), NULL);
            keys[k] = g->ncol - 1;
            slot += 2;
        }
        u->g = stats_groups_new(g, keys, nk, &e);
        frame_free(g);
    }
    if (!u->g) return lab_raise(L, &e);
    lua_settop(L, ui);
    /* The group ids live outside Lua's heap: let the collector know. */
    size_t kb = stats_groups_bytes(u->g) / 1024;
    if (kb >= 64) lua_gc(L, LUA_GCSTEP, kb > (1 << 30) ? 1 << 30 : (int)kb);
    return 1;
}

/* Output names of the hash part, sorted, collected into a userdata array. */
static int cmp_cstr(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The aggregate named at stack index vi, or an error naming argument 2 and
 * the output. */
static stats_agg check_agg(lua_State *L, int vi, const char *out) {
    stats_agg a;
    const char *name = lua_tostring(L, vi);
    if (!name || stats_agg_parse(name, &a) < 0) {
        luaL_argerror(L, 2, lua_pushfstring(L, "output '%s': unknown aggregate '%s' (known: %s)", out,
                                            name ? name : luaL_typename(L, vi), stats_agg_list()));
    }
    return a;
}

/* Fill spec from {col, fn} (or {fn} for size) at index vi. */
static void check_spec(lua_State *L, const frame *f, int vi, const char *out, int colpos, stats_agg_spec *spec) {
    if (lua_type(L, vi) != LUA_TTABLE)
        luaL_argerror(L, 2, lua_pushfstring(L, "output '%s' must be a table {column, aggregate}, got %s", out,
                                            luaL_typename(L, vi)));
    int top = lua_gettop(L);
    int n = (int)luaL_len(L, vi);
    spec->out = out;
    spec->col = -1;
    if (n == colpos) { /* no column: only "size" can do without */
        lua_geti(L, vi, colpos);
        spec->fn = check_agg(L, lua_gettop(L), out);
        if (spec->fn != STATS_AGG_SIZE)
            luaL_argerror(L, 2, lua_pushfstring(L, "output '%s': %s needs a column: {column, \"%s\"}", out,
                                                stats_agg_name(spec->fn), stats_agg_name(spec->fn)));
        lua_settop(L, top);
        return;
    }
    if (n != colpos + 1)
        luaL_argerror(L, 2, lua_pushfstring(L, "output '%s' must be {column, aggregate}", out));
    lua_geti(L, vi, colpos + 1);
    spec->fn = check_agg(L, lua_gettop(L), out);
    lua_geti(L, vi, colpos);
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_argerror(L, 2, lua_pushfstring(L, "output '%s': the column must be a name, got %s", out,
                                            luaL_typename(L, -1)));
    lab_err e;
    int j = frame_lookup(f, lua_tostring(L, -1), &e);
    if (j < 0) luaL_argerror(L, 2, lua_pushfstring(L, "output '%s': %s", out, e.msg));
    spec->col = j;
    lua_settop(L, top);
}

/* gb:agg{out = {col, fn}, ...} (outputs in name order) or
 * gb:agg{{out, col, fn}, ...} (in list order); both parts may be mixed, the
 * list first. */
static int gb_agg(lua_State *L) {
    stats_groups *g = check_groupby(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const frame *f = stats_groups_frame(g);
    int nlist = (int)luaL_len(L, 2), nhash = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) nhash++;
        else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > nlist)
            return luaL_argerror(L, 2, "keys must be output names or list positions");
    }
    int n = nlist + nhash;
    luaL_argcheck(L, n > 0, 2, "no output given");
    stats_agg_spec *specs = lua_newuserdatauv(L, (size_t)n * sizeof *specs, 0);
    const char **names = lua_newuserdatauv(L, (size_t)(nhash ? nhash : 1) * sizeof *names, 0);
    for (int k = 0; k < nlist; k++) {
        lua_geti(L, 2, k + 1);
        int vi = lua_gettop(L);
        if (lua_type(L, vi) != LUA_TTABLE)
            return luaL_argerror(L, 2, lua_pushfstring(L, "item %d must be {out, column, aggregate}", k + 1));
        lua_geti(L, vi, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_argerror(L, 2, lua_pushfstring(L, "item %d must start with an output name", k + 1));
        const char *out = lua_tostring(L, -1); /* anchored by the item, itself in argument 2 */
        lua_pop(L, 1);
        check_spec(L, f, vi, out, 2, &specs[k]);
        lua_pop(L, 1);
    }
    int m = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) names[m++] = lua_tostring(L, -1);
    }
    qsort(names, (size_t)nhash, sizeof *names, cmp_cstr);
    for (int k = 0; k < nhash; k++) {
        lua_getfield(L, 2, names[k]);
        check_spec(L, f, lua_gettop(L), names[k], 1, &specs[nlist + k]);
        lua_pop(L, 1);
    }
    lab_err e;
    frame *r = stats_groups_agg(g, specs, n, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

static int is_key(stats_groups *g, int j) {
    const int *keys = stats_groups_keys(g);
    for (int k = 0; k < stats_groups_nkeys(g); k++)
        if (keys[k] == j) return 1;
    return 0;
}

/* gb:FN([cols]): FN of every non-key column it applies to (or of the named
 * columns), each output named after its column. */
static int gb_shortcut(lua_State *L, stats_agg fn) {
    stats_groups *g = check_groupby(L, 1);
    const frame *f = stats_groups_frame(g);
    lua_settop(L, 2);
    stats_agg_spec *specs = lua_newuserdatauv(L, (size_t)(f->ncol ? f->ncol : 1) * sizeof *specs, 0);
    int n = 0;
    if (!lua_isnoneornil(L, 2)) {
        int *idx = lua_newuserdatauv(L, (size_t)(f->ncol ? f->ncol : 1) * sizeof *idx, 0);
        int m = lab_checkcolnames(L, f, 2, idx, f->ncol);
        for (int k = 0; k < m; k++) {
            const column *c = f->cols[idx[k]];
            if (!stats_agg_accepts(fn, c->type))
                return luaL_argerror(L, 2, lua_pushfstring(L, "%s of column '%s': it is a %s column", stats_agg_name(fn),
                                                           f->names[idx[k]], col_type_name(c->type)));
            specs[n++] = (stats_agg_spec){f->names[idx[k]], idx[k], fn};
        }
    } else {
        for (int j = 0; j < f->ncol; j++)
            if (!is_key(g, j) && stats_agg_accepts(fn, f->cols[j]->type))
                specs[n++] = (stats_agg_spec){f->names[j], j, fn};
    }
    lab_err e;
    frame *r = stats_groups_agg(g, specs, n, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

static int gb_count(lua_State *L) { return gb_shortcut(L, STATS_AGG_COUNT); }
static int gb_sum(lua_State *L) { return gb_shortcut(L, STATS_AGG_SUM); }
static int gb_mean(lua_State *L) { return gb_shortcut(L, STATS_AGG_MEAN); }
static int gb_std(lua_State *L) { return gb_shortcut(L, STATS_AGG_STD); }
static int gb_var(lua_State *L) { return gb_shortcut(L, STATS_AGG_VAR); }
static int gb_min(lua_State *L) { return gb_shortcut(L, STATS_AGG_MIN); }
static int gb_max(lua_State *L) { return gb_shortcut(L, STATS_AGG_MAX); }
static int gb_median(lua_State *L) { return gb_shortcut(L, STATS_AGG_MEDIAN); }
static int gb_first(lua_State *L) { return gb_shortcut(L, STATS_AGG_FIRST); }
static int gb_last(lua_State *L) { return gb_shortcut(L, STATS_AGG_LAST); }
static int gb_nunique(lua_State *L) { return gb_shortcut(L, STATS_AGG_NUNIQUE); }

/* gb:size(): the keys and a column "size". */
static int gb_size(lua_State *L) {
    stats_groups *g = check_groupby(L, 1);
    stats_agg_spec spec = {"size", -1, STATS_AGG_SIZE};
    lab_err e;
    frame *r = stats_groups_agg(g, &spec, 1, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

/* gb:keys(): the distinct keys, one row per group, sorted. */
static int gb_keys(lua_State *L) {
    stats_groups *g = check_groupby(L, 1);
    lab_err e;
    frame *r = stats_groups_agg(g, NULL, 0, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

static int gb_ngroups(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)stats_groups_count(check_groupby(L, 1)));
    return 1;
}

static int gb_tostring(lua_State *L) {
    lgroupby *u = luaL_checkudata(L, 1, LAB_GROUPBY);
    if (!u->g) {
        lua_pushliteral(L, "GroupBy (freed)");
        return 1;
    }
    const frame *f = stats_groups_frame(u->g);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "GroupBy(");
    for (int k = 0; k < stats_groups_nkeys(u->g); k++) {
        if (k) luaL_addstring(&b, ", ");
        luaL_addstring(&b, f->names[stats_groups_keys(u->g)[k]]);
    }
    lua_pushfstring(L, ": %d groups of %d rows)", (int)stats_groups_count(u->g), (int)f->nrow);
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    return 1;
}

static const luaL_Reg groupby_methods[] = {
    {"agg", gb_agg},       {"size", gb_size},     {"count", gb_count},     {"sum", gb_sum},
    {"mean", gb_mean},     {"std", gb_std},       {"var", gb_var},         {"min", gb_min},
    {"max", gb_max},       {"median", gb_median}, {"first", gb_first},     {"last", gb_last},
    {"nunique", gb_nunique}, {"keys", gb_keys},   {"ngroups", gb_ngroups}, {NULL, NULL}};

static const luaL_Reg groupby_meta[] = {
    {"__gc", gb_gc}, {"__close", gb_gc}, {"__tostring", gb_tostring}, {NULL, NULL}};

static const luaL_Reg column_methods[] = {
    {"count", c_count},   {"na_count", c_na_count}, {"nunique", c_nunique}, {"sum", c_sum},
    {"mean", c_mean},     {"var", c_var},           {"std", c_std},         {"median", c_median},
    {"min", c_min},       {"max", c_max},           {"quantile", c_quantile}, {"value_counts", c_value_counts},
    {"unique", c_unique}, {NULL, NULL}};

static const luaL_Reg frame_methods[] = {
    {"describe", f_describe}, {"corr", f_corr}, {"group_by", f_group_by}, {NULL, NULL}};

void lab_open_stats(lua_State *L) {
    luaL_newmetatable(L, LAB_GROUPBY);
    luaL_setfuncs(L, groupby_meta, 0);
    luaL_newlib(L, groupby_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lab_add_methods(L, LAB_COLUMN, column_methods);
    lab_add_methods(L, LAB_FRAME, frame_methods);
}
