/* store.h — the tracking store: experiments, runs, their params, metrics,
 * tags, artifacts and datasets, and the model registry, in one SQLite file
 * (<store>/lab.db, the store being $LAB_HOME or .lab; see journal_store_dir).
 *
 * The file is opened in WAL mode with foreign keys on and a busy timeout, so
 * the workbench, a headless notebook and a server can share it: every write
 * is a short transaction. The schema carries a version (PRAGMA user_version)
 * and an application id; opening upgrades an older store in place, one
 * migration per version inside one transaction, and refuses a store from a
 * newer lab, a SQLite file that is not a lab store, or a damaged file, with
 * an error that says which and leaves the file as it was.
 *
 * Metrics are the hot path (a training loop logs one point per call, several
 * metrics per step). store_log_metric buffers the points of the current step
 * of a run; when a point of another step arrives (or the step holds 256
 * points) the step is sealed: written with one write(2) to this store
 * object's side log (<store>/logs/<pid>-<random>.log, locked while it lives),
 * from which a kill -9 cannot take it. Sealed steps are imported into SQLite
 * in one transaction every 0.1 s (or 65536 points), and at once when the
 * previous import was longer ago than that (a slow loop commits each step
 * straight away), on store_flush, on any other write and on close. An open
 * (read-write, or read-only where the file is writable) imports what the
 * logs of dead processes hold beyond the offsets recorded with each import,
 * so nothing is imported twice. A kill -9 at any moment therefore loses at
 * most the step not yet sealed; the SQLite file stays consistent (WAL,
 * synchronous=NORMAL: a power cut may lose the last commits, never
 * consistency). Other processes see a fast loop's points with a delay of at
 * most about 0.1 s.
 *
 * Runs are named by a 32-hex-digit id (as MLflow does); commands accept any
 * unique prefix of it (store_run_resolve), and show the first 8 digits.
 *
 * Errors: functions return -1 or NULL and fill e with one line that names the
 * store file, the run, and the key at fault. */
#ifndef LAB_STORE_H
#define LAB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* The schema version this lab writes; store_open migrates older stores. */
#define STORE_SCHEMA_VERSION 3

typedef struct store store;

/* Open (creating the folder and the file as needed) the store in dir (NULL:
 * journal_store_dir()). Returns the store (free with store_close), or NULL
 * with e saying why: "store .lab/lab.db: from a newer lab (schema 7; this lab
 * reads up to 2)", "... is not a lab store", "... is damaged (...)". */
store *store_open(const char *dir, lab_err *e);

/* Open read-only, without creating anything: for listing and showing.
 * NULL with e when there is no store in dir yet ("no runs yet: .lab/lab.db
 * does not exist"). A store of an older schema is read as it is. */
store *store_open_readonly(const char *dir, lab_err *e);

/* Commit what is buffered and close. NULL is fine. */
void store_close(store *s);

/* The store's folder and its database path; owned by s. */
const char *store_dir(const store *s);
const char *store_path(const store *s);

/* Commit the buffered metric points now. Returns 0 or -1 with e. */
int store_flush(store *s, lab_err *e);

/* For tests of migrations: create a store of an older schema version (1..)
 * in dir, as that lab would have. Returns 0 or -1 with e. */
int store_create_at_version(const char *dir, int version, lab_err *e);

/* ---- experiments ----------------------------------------------------------- */

/* The id of the experiment called name, created on first use. The default
 * experiment is "Default" (id 0, as in MLflow). Names are 1-200 characters
 * without control characters. Returns the id, or -1 with e. */
int64_t store_experiment(store *s, const char *name, lab_err *e);

/* ---- runs --------------------------------------------------------------------- */

typedef enum run_status {
    RUN_RUNNING,
    RUN_FINISHED,
    RUN_FAILED,
    RUN_KILLED
} run_status;

/* "running", "finished", "failed", "killed". */
const char *run_status_name(run_status st);
/* The status for a name, or -1. */
int run_status_parse(const char *name);

/* What a run records about where it came from; any field may be NULL/0.
 * store_run_start fills user, host, lab version, pid itself, and the git
 * commit and dirty flag when the working directory is in a git checkout. */
typedef struct run_origin {
    const char *name;         /* the run's name (a notebook's file name; NULL: "run-<id8>") */
    const char *source;       /* "notebook PATH", "session 7f3a2c", "reproduce <id>" */
    const char *session;      /* the session journal's id */
    const char *notebook;     /* the run's notebook text (may be set later) */
    const char *reproduces;   /* the id of the run this one reproduces */
} run_origin;

/* Start a run in experiment exp (store_experiment) with status running.
 * id_out (33 bytes) receives its id. Returns 0 or -1 with e. */
int store_run_start(store *s, int64_t exp, const run_origin *o, char id_out[33], lab_err *e);

/* Set the run's notebook text (and its sha256) — promotion fills it at the end. */
int store_run_set_notebook(store *s, const char *run, const char *text, lab_err *e);

/* End a run: status and end time. Buffered points are committed first. */
int store_run_end(store *s, const char *run, run_status st, lab_err *e);

/* The full id of the run whose id starts with prefix (at least 4 hex digits),
 * into id_out. Returns 0, or -1 with e: "no run abc1" or "run prefix abc1 is
 * ambiguous (abc1f0..., abc17e...)". */
int store_run_resolve(store *s, const char *prefix, char id_out[33], lab_err *e);

/* ---- params, metrics, tags ------------------------------------------------------ */

/* Log a param as text (numbers formatted by the caller with lab_fmt_double).
 * Params are immutable: logging the same key again with the same value is
 * fine, with another value an error naming both values. Keys are 1-250
 * characters, values at most 6000 (MLflow's limits). Keys of params, metrics
 * and tags alike are paths of non-empty parts separated by '/', none "." or
 * ".." (MLflow's rule: they become files in an export); others are refused. */
int store_log_param(store *s, const char *run, const char *key, const char *value, lab_err *e);

/* The value of a param, or NULL (caller frees). */
char *store_get_param(store *s, const char *run, const char *key);

/* Log one metric point (buffered; see the top of this file). ts_ms 0: now. */
int store_log_metric(store *s, const char *run, const char *key, double value, int64_t step,
                     int64_t ts_ms, lab_err *e);

/* The number of points of key logged to run so far (committed or buffered):
 * the step a point without an explicit step gets. */
int64_t store_metric_count(store *s, const char *run, const char *key);

/* Tags are mutable key/value text; the note is the run's free text. */
int store_set_tag(store *s, const char *run, const char *key, const char *value, lab_err *e);
int store_set_note(store *s, const char *run, const char *text, lab_err *e);

/* ---- artifacts and datasets ---------------------------------------------------- */

/* Store the bytes at src as the run's artifact name (a relative path such as
 * "models/m.labm" or "plots/fit.png"; no "..", no leading "/"): copied to
 * <store>/artifacts/<run>/<name> through a temporary file, fsync and rename,
 * then its row (sha256, size) committed. An existing artifact of that name is
 * replaced. Returns 0 or -1 with e. */
int store_add_artifact(store *s, const char *run, const char *name, const char *src, lab_err *e);

/* The path of the run's artifact (caller frees), or NULL with e. */
char *store_artifact_path(store *s, const char *run, const char *name, lab_err *e);

/* A data set a run read: its path (as given), sha256 of the file's bytes,
 * rows, columns and schema ("name:type,name:type"). Recording the same path
 * and hash twice is one row. */
typedef struct store_dataset {
    const char *path;
    const char *sha256; /* 64 hex digits */
    int64_t rows, cols;
    const char *schema;
    const char *query; /* SQL sources: the query; NULL for files */
} store_dataset;
int store_add_dataset(store *s, const char *run, const store_dataset *d, lab_err *e);

/* sha256 of the file at path into hex (65 bytes). Returns 0 or -1 with e. */
int store_file_sha256(const char *path, char hex[65], lab_err *e);

/* ---- the registry ---------------------------------------------------------------- */

/* Register the run's artifact (NULL: its only model artifact, one whose name
 * ends in ".labm") as the next version of model name: the file is copied to
 * <store>/models/<name>/<version>.labm and its sha256, kind and feature
 * schema recorded with the source run. Names are [A-Za-z0-9_.-]+. Returns the
 * version (1, 2, ...) or -1 with e. */
int store_register(store *s, const char *run, const char *name, const char *artifact, lab_err *e);

/* Point alias ([A-Za-z0-9_-]+, e.g. "production") of model name at version.
 * Moving an alias is allowed. Returns 0 or -1 with e. */
int store_set_alias(store *s, const char *name, int version, const char *alias, lab_err *e);

/* Resolve "name", "name@alias" or "name:N" (plain name: the latest version)
 * to the registered file's path (caller frees) after checking that the file's
 * sha256 still matches the registry's; *version_out gets the version when not
 * NULL. NULL with e when there is no such model ("no model 'iri' (did you
 * mean 'iris'?)"), alias or version, the file was changed, or the part after
 * ':' or '@' is no version or alias ("iris:0: versions start at 1"). */
char *store_model_resolve(store *s, const char *ref, int *version_out, lab_err *e);

/* 1 when ref looks like a registry reference rather than a file path: no
 * "/", not ending in ".labm"/".lab"/".db", and a model name alone or followed
 * by ':' or '@' and anything (which store_model_resolve then judges). The
 * caller checks first that no file of that name exists. */
int store_is_model_ref(const char *ref);

/* ---- reading: what lab runs / lab models and the workbench show ------------------- */

typedef struct store_metric_last {
    char *key;
    double value; /* the latest point: largest (step, ts, value), as MLflow */
    int64_t step;
    double min, max;
    int64_t count;
} store_metric_last;

typedef struct store_run {
    char id[33];
    char *experiment;
    char *name;
    run_status status; /* a running run whose process is gone reads as killed */
    int64_t start_ms, end_ms; /* end 0 while running */
    char *source, *session, *user, *host, *lab_version, *git_commit;
    int git_dirty; /* -1 unknown (not a git checkout) */
    char *reproduces; /* id or NULL */
    char *note;
    /* filled by store_run_get only (store_runs_list leaves them NULL/0
     * except metrics): */
    char *notebook, *notebook_sha256;
    char **param_keys, **param_values;
    size_t nparams;
    store_metric_last *metrics;
    size_t nmetrics;
    char **tag_keys, **tag_values;
    size_t ntags;
    struct store_artifact_row { char *name, *sha256; int64_t size; } *artifacts;
    size_t nartifacts;
    struct store_dataset_row { char *path, *sha256, *schema, *query; int64_t rows, cols; } *datasets;
    size_t ndatasets;
    void *strings; /* private (store.c): the block a listing's strings live in */
} store_run;

/* A filter for store_runs_list; zero-initialise, set what applies. */
typedef struct store_run_filter {
    const char *experiment; /* by name */
    int status;             /* -1 any (set it: 0 is RUN_RUNNING) */
    const char *metric;     /* with op and value: "accuracy > 0.9" */
    const char *op;         /* "<", "<=", ">", ">=", "=", "!=" */
    double value;
    const char *sort_metric; /* NULL: newest first */
    int descending;
    size_t limit; /* 0: all */
} store_run_filter;

/* The runs that pass f, each with its last metrics. *n gets the count; free
 * with store_runs_free. NULL with e on a failure (an empty list is not one). */
store_run *store_runs_list(store *s, const store_run_filter *f, size_t *n, lab_err *e);
/* Everything about one run (prefix accepted). Free with store_runs_free(r, 1). */
store_run *store_run_get(store *s, const char *run, lab_err *e);
void store_runs_free(store_run *runs, size_t n);

/* The whole history of one metric of a run, in (step, ts) order: steps[i],
 * values[i] (arrays the caller frees). Returns the count or -1 with e. */
long store_metric_history(store *s, const char *run, const char *key, int64_t **steps,
                          double **values, int64_t **ts_ms, lab_err *e);

/* The experiments' names (caller frees each and the array). */
char **store_experiments(store *s, size_t *n, lab_err *e);

typedef struct store_model_version {
    int version;
    char run[33];
    char *path, *sha256, *kind, *schema;
    int64_t created_ms;
    char **aliases; /* the aliases pointing at this version */
    size_t naliases;
} store_model_version;

typedef struct store_model {
    char *name;
    int64_t created_ms;
    store_model_version *versions; /* oldest first */
    size_t nversions;
} store_model;

/* Registered models (NULL name: all), each with its versions. Free with
 * store_models_free. */
store_model *store_models_list(store *s, const char *name, size_t *n, lab_err *e);
void store_models_free(store_model *m, size_t n);

/* ---- for engine/track's own files (promote.c) --------------------------------------- */

/* The store's SQLite connection, for the other files of engine/track. Commit
 * buffered points (store_flush) before writing through it. */
struct sqlite3;
struct sqlite3 *store_db(store *s);

/* Move run (its id) into experiment exp. Returns 0 or -1 with e. (promote.c) */
int store_run_set_experiment(store *s, const char *run, int64_t exp, lab_err *e);

/* Copy into run `to` everything run `from` recorded: params, metrics with their
 * history, tags (not lab.* ones), artifacts (files copied into to's folder)
 * and datasets. Returns 0 or -1 with e. (promote.c) */
int store_run_copy(store *s, const char *from, const char *to, lab_err *e);

#endif
