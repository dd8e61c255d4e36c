/* lab_lua.h — what the files of the `lab` Lua module share.
 *
 * The module is split by concern (lua_frame.c, lua_column.c, lua_stats.c,
 * lua_sql.c, lua_ops.c ...). Each file adds its functions to the `lab` table
 * and its methods to the Frame and Column method tables through the helpers
 * below, from one lab_open_<part>() function that luaopen_lab calls.
 *
 * Frames and columns are userdata holding one reference to an engine object;
 * the engine's arrays live outside Lua's heap, so every push reports their size
 * to the collector (a GC step of that many kilobytes): a loop that makes big
 * frames does not balloon. */
#ifndef LAB_LUA_H
#define LAB_LUA_H

#include <lauxlib.h>
#include <lua.h>

#include "data/frame.h"

#define LAB_FRAME "lab.Frame"
#define LAB_COLUMN "lab.Column"

/* The frame at index i, or a Lua error naming argument i. */
frame *lab_checkframe(lua_State *L, int i);
frame *lab_testframe(lua_State *L, int i);
/* Push f as a Frame; takes over the caller's reference. */
void lab_pushframe(lua_State *L, frame *f);

column *lab_checkcolumn(lua_State *L, int i);
column *lab_testcolumn(lua_State *L, int i);
/* Push c as a Column; takes over the caller's reference. name may be NULL. */
void lab_pushcolumn(lua_State *L, column *c, const char *name);
/* The name a Column was taken under ("" when it has none). */
const char *lab_columnname(lua_State *L, int i);

/* The column named by argument i of frame f (a string), or a Lua error that
 * names the argument and the closest existing names. */
column *lab_checkcolref(lua_State *L, const frame *f, int i, int *j_out);

/* Raise e as a Lua error (does not return). */
int lab_raise(lua_State *L, const lab_err *e);

/* Add fns to the method table of the metatable called tname. */
void lab_add_methods(lua_State *L, const char *tname, const luaL_Reg *fns);

/* Options tables: field k of the table at index t (absent: the default).
 * A field of the wrong type raises an error naming "argument N field k". */
int lab_optint_field(lua_State *L, int t, const char *k, int def);
double lab_optnum_field(lua_State *L, int t, const char *k, double def);
int lab_optbool_field(lua_State *L, int t, const char *k, int def);
const char *lab_optstr_field(lua_State *L, int t, const char *k, const char *def);
/* Fail when the table at t has a string key not in `known` (NULL-terminated):
 * a misspelt option is an error, not a silently ignored setting. */
void lab_check_options(lua_State *L, int t, const char *const *known);

/* Column names given as one string or a list of strings, at index i; returns
 * the count and fills idx (size f->ncol at most; duplicates allowed). */
int lab_checkcolnames(lua_State *L, const frame *f, int i, int *idx, int max);

/* A column from a Lua value for a frame of nrow rows: a Column, a Lua list of
 * numbers / integers / booleans / strings (lab.NA or a nil hole for NA), or a
 * scalar repeated. nrow (size_t)-1 takes any length. Errors name argument i,
 * or `what` (such as "column 'x'") when it is not NULL. */
column *lab_tocolumn(lua_State *L, int i, size_t nrow);
column *lab_tocolumn_named(lua_State *L, int i, size_t nrow, const char *what);

/* 1 when the value at i is NA: nil or lab.NA. */
int lab_isna(lua_State *L, int i);
#define LAB_NA "lab.NA"

/* Push row i of column c as a Lua value (nil for NA). */
void lab_pushcell(lua_State *L, const column *c, size_t i);

/* One part of the module each. */
void lab_open_frame(lua_State *L);  /* lua_frame.c */
void lab_open_column(lua_State *L); /* lua_column.c */
void lab_open_io(lua_State *L);     /* lua_io.c: read_csv, write_csv */
void lab_open_stats(lua_State *L);  /* lua_stats.c */
void lab_open_sql(lua_State *L);    /* lua_sql.c */
void lab_open_ops(lua_State *L);    /* lua_ops.c */
void lab_open_pretty(lua_State *L); /* pretty.c: lab.pretty */
void lab_open_plot(lua_State *L);   /* lua_plot.c: lab.plot */

/* Plots: userdata "lab.Plot". A plot made without a `file` option is passed
 * to the function stored in the registry under LAB_PLOT_SINK when there is
 * one (the notebook runner and the REPL install it); otherwise it is shown
 * when stdout is a terminal. */
#define LAB_PLOT "lab.Plot"
#define LAB_PLOT_SINK "lab.plot_sink"
/* The engine plot of the Plot at index i, or NULL when the value there is not
 * a Plot or its plot was freed (closed). Never raises. The plot belongs to
 * the userdata: keep the value alive while using it. */
struct plot;
struct plot *lab_testplot(lua_State *L, int i);
void lab_open_help(lua_State *L);   /* help.c: lab.doc, lab.help */
void lab_open_journal(lua_State *L); /* lua_journal.c: lab.save_notebook */
void lab_open_model(lua_State *L);   /* lua_model.c: lab.model, lab.load, lab.metrics */
void lab_open_transform(lua_State *L); /* lua_transform.c: lab.transform, lab.pipeline, lab.kfold, lab.cross_validate */

/* Models (lua_model.c): push engine model m as a lab.Model (the userdata
 * takes ownership); the model of the lab.Model at index i, or NULL. */
struct model;
void lab_pushmodel(lua_State *L, struct model *m);
struct model *lab_testmodel(lua_State *L, int i);

int luaopen_lab(lua_State *L);

/* A Lua state for a host (lab run, lab repl): the standard libraries, lab
 * as a global and as package.loaded.lab, and help() as a global. */
lua_State *lab_newstate(void);

#endif
