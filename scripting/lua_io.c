/* lua_io.c — lab.read_csv and df:write_csv.
 *
 * Options are checked before anything is read: a misspelt option or a bad
 * type name fails at once and names itself. */
#include "lab_lua.h"
#include "lua_track.h"

#include <stdio.h>
#include <string.h>

#include "data/csv.h"

static char check_sep(lua_State *L, int t) {
    const char *sep = lab_optstr_field(L, t, "sep", ",");
    if (strlen(sep) != 1)
        luaL_argerror(L, t, lua_pushfstring(L, "field 'sep' must be one character, got \"%s\"", sep));
    return sep[0];
}

static void report_progress(void *ud, size_t done, size_t total) {
    char what[160];
    snprintf(what, sizeof what, "reading %s", (const char *)ud);
    lab_progress(what, (double)done, (double)total);
}

/* lab.read_csv(path [, {sep=",", header=true, na={"", "NA"}, types={col="string"}, threads=0}]) */
static int l_read_csv(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    static const char *const known[] = {"sep", "header", "na", "types", "threads", NULL};
    lab_check_options(L, 2, known);
    csv_opts o;
    csv_opts_init(&o);
    o.sep = check_sep(L, 2);
    o.header = lab_optbool_field(L, 2, "header", 1);
    o.threads = lab_optint_field(L, 2, "threads", 0);
    o.interrupt = &lab_interrupt;
    o.progress = report_progress;
    o.progress_ud = (void *)path;
    /* NA tokens and type overrides live in userdata so an error frees them */
    if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "na") != LUA_TNIL) {
        int t = lua_gettop(L);
        if (lua_type(L, t) == LUA_TSTRING) {
            const char **na = lua_newuserdatauv(L, sizeof *na, 1);
            lua_pushvalue(L, t);
            lua_setiuservalue(L, -2, 1);
            na[0] = lua_tostring(L, t);
            o.na = na;
            o.nna = 1;
        } else {
            if (!lua_istable(L, t)) return luaL_argerror(L, 2, "field 'na' must be a string or a list of strings");
            int n = (int)luaL_len(L, t);
            const char **na = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *na, 0);
            for (int k = 0; k < n; k++) {
                lua_geti(L, t, k + 1);
                if (lua_type(L, -1) != LUA_TSTRING)
                    return luaL_argerror(L, 2, lua_pushfstring(L, "field 'na' item %d must be a string", k + 1));
                na[k] = lua_tostring(L, -1); /* anchored by the options table */
                lua_pop(L, 1);
            }
            o.na = na;
            o.nna = n;
        }
    }
    if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "types") != LUA_TNIL) {
        int t = lua_gettop(L);
        if (lua_type(L, t) == LUA_TSTRING) {
            if (col_type_parse(lua_tostring(L, t), &o.all_type) < 0)
                return luaL_argerror(L, 2, "field 'types' must be \"number\", \"integer\", \"boolean\", "
                                           "\"string\" or a table {column = type}");
            o.force_all = 1;
        } else if (!lua_istable(L, t))
            return luaL_argerror(L, 2, "field 'types' must be a type name or a table {column = \"type\"}");
        else {
        int n = 0;
        lua_pushnil(L);
        while (lua_next(L, t)) {
            n++;
            lua_pop(L, 1);
        }
        const char **cols = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *cols, 0);
        col_type *vals = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *vals, 0);
        int k = 0;
        lua_pushnil(L);
        while (lua_next(L, t)) {
            if (lua_type(L, -1) != LUA_TSTRING || col_type_parse(lua_tostring(L, -1), &vals[k]) < 0)
                return luaL_argerror(L, 2, lua_pushfstring(L, "field 'types': type of %s must be \"number\", "
                                                              "\"integer\", \"boolean\" or \"string\"",
                                                           lua_tostring(L, -2) ? lua_tostring(L, -2) : "?"));
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_argerror(L, 2, "field 'types': keys must be column names");
            cols[k] = lua_tostring(L, -2); /* anchored by the options table */
            k++;
            lua_pop(L, 1);
        }
        o.type_cols = cols;
        o.type_vals = vals;
        o.ntypes = n;
        }
    }
    lab_err e;
    frame *f = csv_read_file(path, &o, &e);
    if (!f) return lab_raise(L, &e);
    lab_track_dataset(L, path, f, NULL);
    lab_pushframe(L, f);
    return 1;
}

/* df:write_csv(path [, {sep=","}]) */
static int f_write_csv(lua_State *L) {
    frame *f = lab_checkframe(L, 1);
    const char *path = luaL_checkstring(L, 2);
    static const char *const known[] = {"sep", NULL};
    lab_check_options(L, 3, known);
    char sep = check_sep(L, 3);
    lab_err e;
    if (csv_write_file(f, path, sep, &e) < 0) return lab_raise(L, &e);
    lua_pushvalue(L, 1);
    return 1;
}

static const luaL_Reg frame_methods[] = {{"write_csv", f_write_csv}, {NULL, NULL}};

void lab_open_io(lua_State *L) {
    lab_add_methods(L, LAB_FRAME, frame_methods);
    lua_pushcfunction(L, l_read_csv);
    lua_setfield(L, -2, "read_csv");
}
