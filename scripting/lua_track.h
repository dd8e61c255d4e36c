/* lua_track.h — tracking seen from a Lua state: the run a session or a
 * notebook records into, lab.experiment / lab.param / lab.log / lab.artifact
 * / lab.promote / lab.register / lab.alias, and what other parts of the
 * module report automatically (fits, data sets read, plot files written).
 *
 * The tracker belongs to the state (a userdata in the registry). A run is
 * opened on the first thing to record, in the current experiment, and ended
 * by the host with the status of how the session or notebook ended. Hosts:
 *
 *     lab_track_opts o = {.name = "iris.lua", .source = "notebook iris.lua", ...};
 *     lab_track_enable(L, &o, &e);        // autolog on, origin of the run
 *     ... run the notebook or the session ...
 *     lab_track_finish(L, RUN_FINISHED, 1, &e); // end the run (open one first)
 *
 * Without a host (stock Lua with require "lab"), the explicit calls still
 * work: the store is opened on first use in $LAB_HOME or .lab. What is
 * recorded automatically is recorded only into a run that is open. */
#ifndef LAB_LUA_TRACK_H
#define LAB_LUA_TRACK_H

#include "lab_lua.h"
#include "track/store.h"

typedef struct lab_track_opts {
    const char *store_dir;  /* NULL: journal_store_dir() */
    const char *name;       /* the run's name (NULL: "session <id>" or "run-<id8>") */
    const char *source;     /* "notebook PATH", "session 7f3a2c" */
    const char *session;    /* the session journal's id */
    const char *notebook;   /* the notebook text the run records */
    const char *reproduces; /* the run id a reproduction reproduces */
    const char *experiment; /* the experiment to start in (NULL: "Default") */
    const char *const *params; /* "key=value" (lab run --param): logged as params */
    int nparams;
    const char *const *args; /* lab run's other arguments (arg[1..]): the tag lab.cli_args */
    int nargs;
    int reproducing; /* lab reproduce: lab.promote, lab.register and lab.alias change nothing */
} lab_track_opts;

/* Turn tracking on for L: fits, data reads and plot files are recorded into
 * the run, opened now or at the first record (open_now). Returns 0, or -1
 * with e (the store cannot be opened: a host may go on without tracking). */
int lab_track_enable(lua_State *L, const lab_track_opts *o, int open_now, lab_err *e);

/* End L's run with status st (commit everything first). open_if_none: a host
 * that must leave a run behind (lab run) opens one if nothing was recorded.
 * *id_out (33 bytes, may be NULL) gets the run's id ("" when none). Returns
 * 0, or -1 with e. */
int lab_track_finish(lua_State *L, run_status st, int open_if_none, char *id_out, lab_err *e);

/* Turn tracking off for L (lab run --no-track): lab.param, lab.log,
 * lab.artifact ... do nothing (they still check their arguments), nothing is
 * recorded automatically. Reading runs and the registry still work. */
void lab_track_disable(lua_State *L);

/* The open run's id, or NULL. */
const char *lab_track_run(lua_State *L);

/* The store L records into, opened on first use; NULL with e. */
store *lab_track_store(lua_State *L, lab_err *e);

/* Commit buffered metric points (a host calls it after each chunk or cell). */
void lab_track_flush(lua_State *L);

/* ---- what other parts of the module report ----------------------------------------- */

/* A data set was read (lua_io.c, lua_sql.c): path, the frame and the query
 * for SQL sources (NULL for files). Never raises; a failure is a warning. */
void lab_track_dataset(lua_State *L, const char *path, const frame *f, const char *query);

/* The sha256 (hex) of a frame's content: names, types and every value in a
 * fixed text form. What a SQL source is fingerprinted by. */
void lab_frame_sha256(const frame *f, char hex[65]);

/* A plot file was written (lua_plot.c). Never raises. */
void lab_track_plot_file(lua_State *L, const char *path);

/* The Plot at index i was shown (in the workbench's plot pane or the
 * terminal) rather than written: kept (the last 50) so that a promotion
 * attaches it as a PNG. Never raises. */
void lab_track_plot_shown(lua_State *L, int i);

/* Autolog of one fit (lua_model.c). begin returns NULL when nothing is to be
 * recorded; param and figure take what the fit's hooks report; end saves the
 * fitted model as an artifact and logs the params (ok: the fit succeeded).
 * None of them raises. */
typedef struct track_fit track_fit;
track_fit *lab_track_fit_begin(lua_State *L, const char *kind);
void lab_track_fit_param(track_fit *t, const char *key, const char *value);
void lab_track_fit_figure(track_fit *t, const char *key, double value, long step);
struct model;
void lab_track_fit_end(track_fit *t, const struct model *m, int ok);

/* lab.experiment, lab.param(s), lab.log, lab.artifact, lab.tag, lab.note,
 * lab.promote, lab.register, lab.alias, lab.current_run, lab.end_run. */
void lab_open_track(lua_State *L);

#endif
