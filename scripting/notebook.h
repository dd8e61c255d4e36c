/* notebook.h — running a notebook (engine/notebook/) cell by cell in a Lua
 * state, and collecting each cell's output, result and plots. */
#ifndef LAB_SCRIPTING_NOTEBOOK_H
#define LAB_SCRIPTING_NOTEBOOK_H

#include "lab_lua.h"
#include "notebook/notebook.h"

/* Called as the run goes: o == NULL when cell `cell` starts, else an output
 * just attached to it (a stream output carries only the text just written).
 * The host prints what it wants; the runner itself never writes. */
typedef void (*nb_event_fn)(void *ud, const notebook *nb, size_t cell, const nb_output *o);

typedef struct nb_run_opts {
    const char *const *params; /* "key=value" strings, checked by the caller (a '=' after a non-empty key) */
    int nparams;
    const char *const *args; /* script arguments: arg[1..] and the chunk's `...` */
    int nargs;
    nb_event_fn on_event; /* may be NULL */
    void *ud;
} nb_run_opts;

/* Run nb's code cells in L (a state from lab_newstate()) as one Lua chunk, so
 * that locals of one cell are seen by the next, exactly as `lua FILE` would
 * run the file; between cells the runner takes note of where output goes.
 * Before the first cell the global `params` holds the params (numbers as
 * numbers, true/false as booleans, other values as strings) and `arg` the
 * arguments. print, io.write and io.stdout:write are captured per cell (and
 * reported through on_event), a cell's last expression is its result (as
 * lua.c's REPL finds it: the last statement tried as `return <expr>`; a
 * trailing ';' hides it), and plots made without a file (the LAB_PLOT_SINK
 * function) are attached as PNG images. Everything it changed in L is put
 * back before it returns.
 *
 * Returns 0 when every cell ran. On a failure (a runtime or syntax error)
 * returns -1: e holds one line, "FILE:LINE: message", LINE a line of the
 * notebook file, followed by ' (cell N "title")' when the file has cell
 * markers; the error is the failing cell's last output and nb->nshow stops
 * after that cell. The cells before a syntax error still run. */
int lab_notebook_run(lua_State *L, notebook *nb, const nb_run_opts *o, lab_err *e);

/* `lab run` (argv[0] is "run"): parse the arguments, run the notebook with
 * its output echoed to stdout, write the report; returns the exit status. */
int lab_run_main(int argc, char **argv);

/* Run a notebook's text (file names it in messages) in a fresh Lua state,
 * echoing cells to stdout, writing the report when not NULL, and recording
 * a run as track says (NULL: not tracked); run_id (33 bytes, may be NULL)
 * gets the run's id. Returns the exit status of `lab run`. lab reproduce
 * uses it too. */
struct lab_track_opts;
/* `lab reproduce` (argv[0] is "reproduce"), in reproduce.c. */
int lab_reproduce_main(int argc, char **argv);
int lab_run_notebook(const char *file, const char *text, size_t len, const char *const *params, int nparams,
                     const char *const *args, int nargs, const char *report, const struct lab_track_opts *track,
                     char *run_id);

#endif
