/* store.c — the tracking store (store.h): experiments, runs, params,
 * metrics, tags, artifacts, datasets and the model registry in one SQLite
 * file in WAL mode.
 *
 * The hot path is store_log_metric: points of one (run, step) wait in memory
 * and are committed together, one short BEGIN IMMEDIATE ... COMMIT per step,
 * through cached statements. What a commit costs is the pages it dirties
 * (each is a WAL frame written and checksummed), so the layout is chosen for
 * it: the points table is clustered by (run, step, key, seq), which puts a
 * step's points side by side in one leaf, and the per-key summary that
 * listings show (last value, min, max, count) lives in metric_last, keyed by
 * (run, key), whose rows for one run share a leaf too: two leaves a step
 * instead of one per key that an index on (run, key, step) would dirty. The
 * price is that one key's history reads all of its run's points and keeps
 * those of the key (store_metric_history; a plot or an export, not a loop).
 * Listings never read the points at all.
 *
 * Opening never writes before it knows the file: the header is checked by
 * hand first (a truncated or non-SQLite file is "damaged" before SQLite sees
 * it), then the application id, schema version and tables; a refused file is
 * closed without the checkpoint SQLite does on close, so its bytes stay as
 * they were. Migrations run in one transaction that re-reads the version
 * under the write lock, so two processes opening an old store at once
 * migrate it once.
 *
 * Runs carry the host, pid and process start (clock ticks after boot, so a
 * reused pid is told apart) of the process that started them: a run still
 * "running" whose process is gone on this host reads as killed, and a
 * writable open records it so (end time: its last metric's).
 *
 * A store object belongs to one thread at a time (its connection is opened
 * without SQLite's mutexes, and the step buffer is its own). */
#include "track/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "learn/hash.h"
#include "learn/model.h"
#include "track/journal.h"

#ifndef LAB_VERSION
#define LAB_VERSION "unknown"
#endif

#define APPLICATION_ID 0x6c616231 /* "lab1" */
#define BUSY_TIMEOUT_MS 5000
/* A step's buffer is committed when it holds this many points, even if
 * the step goes on (a loop that logs every point at step 0). */
#define MAX_STEP_POINTS 256

/* ---- the schema, one migration per version -------------------------------------- */

/* Version 1: everything but the registry. metric_last is the per-key
 * summary kept in step with metrics by every commit; notebooks are apart
 * from runs so that a listing's scan of runs never reads notebook text. */
static const char MIGRATION_1[] =
    "CREATE TABLE experiments(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL);"
    "INSERT INTO experiments(id, name, created_ms) VALUES(0, 'Default', CAST((julianday('now') - 2440587.5) * 86400000 "
    "AS INTEGER));"
    "CREATE TABLE runs(rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE CHECK(length(id) = 32),"
    " experiment INTEGER NOT NULL REFERENCES experiments(id), name TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK(status IN ('running', 'finished', 'failed', 'killed')),"
    " start_ms INTEGER NOT NULL, end_ms INTEGER, source TEXT, session TEXT, user TEXT, host TEXT,"
    " lab_version TEXT, pid INTEGER, proc_start INTEGER, git_commit TEXT, git_dirty INTEGER, reproduces TEXT,"
    " note TEXT);"
    "CREATE INDEX runs_by_start ON runs(start_ms);"
    "CREATE INDEX runs_by_experiment ON runs(experiment, start_ms);"
    "CREATE INDEX runs_running ON runs(host) WHERE status = 'running';"
    "CREATE TABLE notebooks(run INTEGER PRIMARY KEY REFERENCES runs(rid), text TEXT NOT NULL,"
    " sha256 TEXT NOT NULL);"
    "CREATE TABLE params(run INTEGER NOT NULL REFERENCES runs(rid), key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(run, key)) WITHOUT ROWID;"
    "CREATE TABLE metrics(run INTEGER NOT NULL REFERENCES runs(rid), step INTEGER NOT NULL, key TEXT NOT NULL,"
    " seq INTEGER NOT NULL, value REAL, ts_ms INTEGER NOT NULL, PRIMARY KEY(run, step, key, seq)) WITHOUT ROWID;"
    "CREATE TABLE metric_last(run INTEGER NOT NULL REFERENCES runs(rid), key TEXT NOT NULL,"
    " step INTEGER NOT NULL, ts_ms INTEGER NOT NULL, value REAL, min REAL, max REAL, count INTEGER NOT NULL,"
    " PRIMARY KEY(run, key)) WITHOUT ROWID;"
    "CREATE TABLE tags(run INTEGER NOT NULL REFERENCES runs(rid), key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(run, key)) WITHOUT ROWID;"
    "CREATE TABLE artifacts(run INTEGER NOT NULL REFERENCES runs(rid), name TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY(run, name)) WITHOUT ROWID;"
    "CREATE TABLE datasets(id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(rid),"
    " path TEXT NOT NULL, sha256 TEXT NOT NULL, rows INTEGER, cols INTEGER, schema TEXT, query TEXT,"
    " UNIQUE(run, path, sha256));";

/* Version 2: the model registry. */
static const char MIGRATION_2[] =
    "CREATE TABLE models(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL);"
    "CREATE TABLE model_versions(model INTEGER NOT NULL REFERENCES models(id), version INTEGER NOT NULL,"
    " run INTEGER NOT NULL REFERENCES runs(rid), path TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,"
    " schema TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(model, version));"
    "CREATE TABLE aliases(model INTEGER NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL,"
    " PRIMARY KEY(model, alias), FOREIGN KEY(model, version) REFERENCES model_versions(model, version));";

/* Version 3: the side logs of metric points (the metrics section below). */
static const char MIGRATION_3[] =
    "CREATE TABLE metric_logs(name TEXT PRIMARY KEY, offset INTEGER NOT NULL) WITHOUT ROWID;";

static const char *const MIGRATIONS[STORE_SCHEMA_VERSION] = {MIGRATION_1, MIGRATION_2, MIGRATION_3};

/* ---- cached statements ------------------------------------------------------------- */

enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_METRIC_INSERT,
    Q_METRIC_LAST,
    Q_METRIC_COUNT,
    Q_RUN_RESOLVE,
    Q_RUN_INSERT,
    Q_RUN_END,
    Q_RUN_NOTE,
    Q_NOTEBOOK_SET,
    Q_EXP_FIND,
    Q_EXP_INSERT,
    Q_EXP_EXISTS,
    Q_PARAM_INSERT,
    Q_PARAM_GET,
    Q_TAG_SET,
    Q_ARTIFACT_SET,
    Q_ARTIFACT_GET,
    Q_DATASET_ADD,
    Q_RUN_METRICS,
    Q_RUN_LAST_TS,
    NQ
};

/* The new point is later than the row's when its (step, ts, value) is
 * larger, which is how MLflow picks a metric's latest value (a NaN, stored
 * as NULL, is the smallest value). */
#define LATER                                                                                                          \
    "(excluded.step > step OR (excluded.step = step AND (excluded.ts_ms > ts_ms OR"                                    \
    " (excluded.ts_ms = ts_ms AND (value IS NULL OR excluded.value > value)))))"

static const char *const SQL[NQ] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    /* ?1 run, ?2 step, ?3 key, ?4 value, ?5 ts. seq tells apart points of
     * one key at one step: 0, then 1... (a seek to the end of the (run,
     * step, key) range, in the leaf the row goes to anyway) */
    [Q_METRIC_INSERT] = "INSERT INTO metrics(run, step, key, seq, value, ts_ms)"
                        " SELECT ?1, ?2, ?3, coalesce(max(seq) + 1, 0), ?4, ?5 FROM metrics"
                        " WHERE run = ?1 AND step = ?2 AND key = ?3",
    /* ?3..?5: the latest of the step's points of the key; ?6 ?7 their min
     * and max (NULL: only NaN), ?8 their count. */
    [Q_METRIC_LAST] =
        "INSERT INTO metric_last(run, key, step, ts_ms, value, min, max, count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT(run, key) DO UPDATE SET"
        " step = CASE WHEN " LATER " THEN excluded.step ELSE step END,"
        " ts_ms = CASE WHEN " LATER " THEN excluded.ts_ms ELSE ts_ms END,"
        " value = CASE WHEN " LATER " THEN excluded.value ELSE value END,"
        " min = CASE WHEN min IS NULL THEN excluded.min WHEN excluded.min IS NULL THEN min"
        " ELSE min(min, excluded.min) END,"
        " max = CASE WHEN max IS NULL THEN excluded.max WHEN excluded.max IS NULL THEN max"
        " ELSE max(max, excluded.max) END,"
        " count = count + excluded.count",
    [Q_METRIC_COUNT] = "SELECT count FROM metric_last WHERE run = ?1 AND key = ?2",
    [Q_RUN_RESOLVE] = "SELECT rid, id FROM runs WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 4",
    [Q_RUN_INSERT] = "INSERT INTO runs(id, experiment, name, status, start_ms, source, session, user, host,"
                     " lab_version, pid, git_commit, git_dirty, reproduces, proc_start)"
                     " VALUES(?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [Q_RUN_END] = "UPDATE runs SET status = ?2, end_ms = ?3 WHERE rid = ?1",
    [Q_RUN_NOTE] = "UPDATE runs SET note = ?2 WHERE rid = ?1",
    [Q_NOTEBOOK_SET] = "INSERT INTO notebooks(run, text, sha256) VALUES(?1, ?2, ?3)"
                       " ON CONFLICT(run) DO UPDATE SET text = excluded.text, sha256 = excluded.sha256",
    [Q_EXP_FIND] = "SELECT id FROM experiments WHERE name = ?1",
    [Q_EXP_INSERT] = "INSERT INTO experiments(name, created_ms) VALUES(?1, ?2) ON CONFLICT(name) DO NOTHING",
    [Q_EXP_EXISTS] = "SELECT name FROM experiments WHERE id = ?1",
    [Q_PARAM_INSERT] = "INSERT INTO params(run, key, value) VALUES(?1, ?2, ?3) ON CONFLICT(run, key) DO NOTHING",
    [Q_PARAM_GET] = "SELECT value FROM params WHERE run = ?1 AND key = ?2",
    [Q_TAG_SET] = "INSERT INTO tags(run, key, value) VALUES(?1, ?2, ?3)"
                  " ON CONFLICT(run, key) DO UPDATE SET value = excluded.value",
    [Q_ARTIFACT_SET] = "INSERT INTO artifacts(run, name, sha256, size) VALUES(?1, ?2, ?3, ?4)"
                       " ON CONFLICT(run, name) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size",
    [Q_ARTIFACT_GET] = "SELECT sha256 FROM artifacts WHERE run = ?1 AND name = ?2",
    [Q_DATASET_ADD] = "INSERT INTO datasets(run, path, sha256, rows, cols, schema, query)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(run, path, sha256) DO NOTHING",
    [Q_RUN_METRICS] = "SELECT key, value, step, min, max, count FROM metric_last WHERE run = ?1 ORDER BY key",
    [Q_RUN_LAST_TS] = "SELECT max(ts_ms) FROM metric_last WHERE run = ?1",
};

/* ---- the store object ----------------------------------------------------------------- */

/* One buffered point of the current step. */
typedef struct pending {
    size_t key; /* offset into keys */
    double value;
    int64_t ts_ms;
} pending;

/* What store_metric_count knows: points of (run, key) committed or buffered. */
typedef struct count_entry {
    int64_t rid;
    char *key;
    int64_t count;
} count_entry;

struct store {
    sqlite3 *db;
    char *dir, *path;
    int readonly;
    int schema; /* the file's user_version */
    sqlite3_stmt *q[NQ];
    char host[256];

    /* the last run named by a caller, so that a loop's calls do not resolve it */
    char *ref;
    int64_t ref_rid;
    char ref_id[33];

    /* the buffered step: points of run buf_rid at step buf_step */
    int64_t buf_rid;
    char buf_id[33];
    int64_t buf_step;
    pending *buf;
    size_t nbuf, capbuf;
    strbuf keys;

    count_entry *counts;
    size_t ncounts, capcounts;

    /* sealed steps waiting for the next import (they are in the side log) */
    struct staged_pt *staged;
    size_t nstaged, capstaged;
    char **skey; /* their keys, interned */
    size_t nskey, capskey;
    double last_import; /* lab_now() of the last import */
    /* the side log (metrics section): -1 until the first sealed step */
    int logfd;
    char *logpath, *logname;
    int64_t log_written; /* its size */
};

typedef struct run_ref {
    int64_t rid;
    char id[33];
} run_ref;

/* ---- small helpers ------------------------------------------------------------------------- */

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The text of column i, or NULL. */
static const char *col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static char *col_dup(sqlite3_stmt *st, int i) {
    const char *t = col_text(st, i);
    return t ? xstrdup(t) : NULL;
}

/* A REAL column that may hold NULL (SQLite's NaN). */
static double col_real(sqlite3_stmt *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v) {
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *t) {
    if (t)
        sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int has_control(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

static int is_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* Fill e from the connection's last error, naming the store and what was
 * being done; a damaged file and a busy store get their own words. */
static int db_fail(const store *s, lab_err *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int db_fail(const store *s, lab_err *e, const char *fmt, ...) {
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int code = sqlite3_errcode(s->db) & 0xff;
    const char *msg = sqlite3_errmsg(s->db);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return lab_fail(e, "store %s is damaged (%s: %s)", s->path, what, msg);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return lab_fail(e, "store %s: %s: another process kept the store locked for more than %d s", s->path, what,
                        BUSY_TIMEOUT_MS / 1000);
    if (code == SQLITE_READONLY) return lab_fail(e, "store %s: %s: the store is read-only (%s)", s->path, what, msg);
    return lab_fail(e, "store %s: %s: %s", s->path, what, msg);
}

/* The cached statement which, reset and unbound; NULL with e when it cannot
 * be prepared (a table missing from an older schema, a damaged file). */
static sqlite3_stmt *q(store *s, int which, lab_err *e) {
    sqlite3_stmt *st = s->q[which];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, SQL[which], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "preparing a query");
        return NULL;
    }
    s->q[which] = st;
    return st;
}

/* Run one cached statement that returns no rows. */
static int exec_q(store *s, int which, lab_err *e, const char *what) {
    sqlite3_stmt *st = q(s, which, e);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        db_fail(s, e, "%s", what);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    return 0;
}

static int tx_begin(store *s, lab_err *e) { return exec_q(s, Q_BEGIN, e, "starting a transaction"); }

static int tx_commit(store *s, lab_err *e) { return exec_q(s, Q_COMMIT, e, "committing"); }

static void tx_rollback(store *s) {
    if (!sqlite3_get_autocommit(s->db)) exec_q(s, Q_ROLLBACK, NULL, "rolling back");
}

static int writable(const store *s, lab_err *e) {
    if (s->readonly) return lab_fail(e, "store %s is open read-only", s->path);
    return 0;
}

static void sync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

static char *path_join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* ---- opening ------------------------------------------------------------------------------------- */

/* Check what SQLite would otherwise discover late or not at all: that the
 * file is SQLite, and not shorter than its header says. Returns 0, 1 when
 * the file is empty (a new store), or -1 with e. */
static int check_header(const char *path, lab_err *e) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return lab_fail(e, "store %s: cannot open: %s", path, strerror(errno));
    uint8_t h[100];
    ssize_t got = read(fd, h, sizeof h);
    struct stat sb;
    int st = fstat(fd, &sb);
    close(fd);
    if (st != 0 || got < 0) return lab_fail(e, "store %s: cannot read: %s", path, strerror(errno));
    if (sb.st_size == 0) return 1;
    if (got < 100 || memcmp(h, "SQLite format 3", 16) != 0)
        return lab_fail(e, "store %s is damaged (not a SQLite database: %s)", path,
                        got < 100 ? "shorter than a header" : "no SQLite header");
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1) page = 65536;
    if (page < 512 || (page & (page - 1)) != 0)
        return lab_fail(e, "store %s is damaged (a header with page size %u)", path, (unsigned)page);
    /* With a WAL beside it the file may be legitimately short: a checkpoint
     * writes page 1 (and its page count) before the pages that extend the
     * file, and a crash in between is repaired from the WAL. Without one,
     * the page count in the header counts when it was written by the same
     * change as the header's counter (every SQLite since 3.7.0). */
    size_t plen = strlen(path);
    char *wal = xmalloc(plen + 5);
    memcpy(wal, path, plen);
    memcpy(wal + plen, "-wal", 5);
    struct stat wb;
    int has_wal = stat(wal, &wb) == 0 && wb.st_size > 0;
    free(wal);
    if (has_wal) return 0;
    uint32_t counter = (uint32_t)h[24] << 24 | (uint32_t)h[25] << 16 | (uint32_t)h[26] << 8 | h[27];
    uint32_t valid_for = (uint32_t)h[92] << 24 | (uint32_t)h[93] << 16 | (uint32_t)h[94] << 8 | h[95];
    uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    if ((uint64_t)sb.st_size % page != 0)
        return lab_fail(e, "store %s is damaged (truncated: %lld bytes, not a whole number of %u-byte pages)", path,
                        (long long)sb.st_size, (unsigned)page);
    if (counter == valid_for && (uint64_t)sb.st_size < (uint64_t)pages * page)
        return lab_fail(e, "store %s is damaged (truncated: %lld bytes of the %llu its header gives)", path,
                        (long long)sb.st_size, (unsigned long long)pages * page);
    return 0;
}

/* One integer from a PRAGMA or a query into *out. Returns 0 or -1 with e. */
static int query_int(store *s, const char *sql, int64_t *out, lab_err *e) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return db_fail(s, e, "reading the schema");
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_fail(s, e, "reading the schema");
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* What the file is: 0 empty (a new store to create), 1..n a lab store of
 * that schema version; -1 with e for anything to refuse. */
static int identify(store *s, lab_err *e) {
    int64_t app, version, objects;
    if (query_int(s, "PRAGMA application_id", &app, e) < 0 || query_int(s, "PRAGMA user_version", &version, e) < 0 ||
        query_int(s, "SELECT count(*) FROM sqlite_master", &objects, e) < 0)
        return -1;
    if (app == 0) {
        if (objects == 0 && version == 0) return 0;
        if (objects == 0)
            return lab_fail(e, "store %s is not a lab store (a SQLite database of user version %lld)", s->path,
                            (long long)version);
        return lab_fail(e,
                        "store %s is not a lab store (a SQLite database with %lld tables and indexes of another "
                        "program)",
                        s->path, (long long)objects);
    }
    if ((uint32_t)app != APPLICATION_ID)
        return lab_fail(e, "store %s is not a lab store (application id 0x%08x)", s->path, (unsigned)(uint32_t)app);
    if (version > STORE_SCHEMA_VERSION)
        return lab_fail(e, "store %s: from a newer lab (schema %lld; this lab reads up to %d)", s->path,
                        (long long)version, STORE_SCHEMA_VERSION);
    if (version < 1) return lab_fail(e, "store %s is damaged (a lab store without a schema version)", s->path);
    int64_t core;
    if (query_int(s,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                  " ('experiments', 'runs', 'params', 'metrics', 'metric_last')",
                  &core, e) < 0)
        return -1;
    if (core != 5)
        return lab_fail(e, "store %s is damaged (tables of schema %lld missing)", s->path, (long long)version);
    return (int)version;
}

/* Bring the store to `target` inside one transaction: re-read what the file
 * is under the write lock (another process may have done it meanwhile). */
static int migrate(store *s, int target, lab_err *e) {
    if (tx_begin(s, e) < 0) return -1;
    int v = identify(s, e);
    if (v < 0) goto fail;
    for (int k = v; k < target; k++) {
        char *msg = NULL;
        if (sqlite3_exec(s->db, MIGRATIONS[k], NULL, NULL, &msg) != SQLITE_OK) {
            db_fail(s, e, "migrating to schema %d", k + 1);
            sqlite3_free(msg);
            goto fail;
        }
    }
    if (v < target) {
        char pragmas[96];
        snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;", APPLICATION_ID,
                 target);
        if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
            db_fail(s, e, "setting the schema version");
            goto fail;
        }
    }
    if (tx_commit(s, e) < 0) goto fail;
    s->schema = v > target ? v : target;
    return 0;
fail:
    tx_rollback(s);
    return -1;
}

static void fix_dead_runs(store *s);

static void close_db(store *s, int untouched) {
    for (int i = 0; i < NQ; i++) sqlite3_finalize(s->q[i]);
    memset(s->q, 0, sizeof s->q);
    if (s->db) {
        /* a refused file: no checkpoint of its WAL on close, so its bytes stay */
        if (untouched) sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_close(s->db);
    }
    s->db = NULL;
}

static void free_store(store *s) {
    free(s->staged);
    for (size_t i = 0; i < s->nskey; i++) free(s->skey[i]);
    free(s->skey);
    free(s->logpath);
    free(s->logname);
    free(s->dir);
    free(s->path);
    free(s->buf);
    free(s->keys.s);
    free(s->ref);
    for (size_t i = 0; i < s->ncounts; i++) free(s->counts[i].key);
    free(s->counts);
    free(s);
}

/* Open the store in dir; mode 0 read-write (creating), 1 read-only, or
 * 2 + version: create a new store at that schema version (tests). */
static void recover_logs(store *s);
static int has_dead_logs(const char *sdir);
static void log_close(store *s, int remove);

static store *open_store(const char *dir, int mode, lab_err *e) {
    store *s = xcalloc(1, sizeof *s);
    s->logfd = -1;
    s->dir = xstrdup(dir && *dir ? dir : journal_store_dir());
    s->path = path_join(s->dir, "lab.db");
    s->readonly = mode == 1;
    if (gethostname(s->host, sizeof s->host - 1) != 0) snprintf(s->host, sizeof s->host, "?");
    int target = mode >= 2 ? mode - 2 : STORE_SCHEMA_VERSION;
    struct stat sb;
    if (stat(s->path, &sb) != 0) {
        if (errno != ENOENT) {
            lab_fail(e, "store %s: %s", s->path, strerror(errno));
            goto fail;
        }
        if (s->readonly) {
            lab_fail(e, "no runs yet: %s does not exist", s->path);
            goto fail;
        }
        if (lab_make_dirs(s->dir, e) < 0) goto fail;
    } else {
        int h = check_header(s->path, e);
        if (h < 0) goto fail;
        if (h == 1 && s->readonly) {
            lab_fail(e, "no runs yet: %s is empty", s->path);
            goto fail;
        }
        if (mode >= 2 && h == 0) {
            lab_fail(e, "store %s already exists", s->path);
            goto fail;
        }
    }
    /* points a dead process left in its side log: a read-write open
     * imports them, so a listing right after a crash shows them */
    if (s->readonly && has_dead_logs(s->dir) && access(s->path, W_OK) == 0) {
        lab_err ignored;
        store_close(open_store(s->dir, 0, &ignored));
    }
    int flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        lab_fail(e, "store %s: cannot open: %s", s->path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    int v = identify(s, e);
    if (v < 0) goto refuse;
    if (s->readonly) {
        if (v == 0) {
            lab_fail(e, "no runs yet: %s is empty", s->path);
            goto refuse;
        }
        s->schema = v;
        return s;
    }
    if (mode >= 2 && v != 0) {
        lab_fail(e, "store %s already exists", s->path);
        goto refuse;
    }
    /* a known file from here on: WAL (persistent in the file), then the
     * per-connection settings */
    char *msg = NULL;
    if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL, NULL, &msg) != SQLITE_OK) {
        db_fail(s, e, "setting WAL mode");
        sqlite3_free(msg);
        goto fail_close;
    }
    if (v < target || v == 0) {
        if (migrate(s, target, e) < 0) goto fail_close;
    } else
        s->schema = v;
    if (s->schema >= 3) recover_logs(s);
    fix_dead_runs(s);
    return s;
refuse:
    close_db(s, 1);
    free_store(s);
    return NULL;
fail_close:
    close_db(s, 0);
fail:
    free_store(s);
    return NULL;
}

store *store_open(const char *dir, lab_err *e) { return open_store(dir, 0, e); }

store *store_open_readonly(const char *dir, lab_err *e) { return open_store(dir, 1, e); }

int store_create_at_version(const char *dir, int version, lab_err *e) {
    if (version < 1 || version > STORE_SCHEMA_VERSION)
        return lab_fail(e, "store: no schema version %d (this lab knows 1 to %d)", version, STORE_SCHEMA_VERSION);
    store *s = open_store(dir, 2 + version, e);
    if (!s) return -1;
    store_close(s);
    return 0;
}

const char *store_dir(const store *s) { return s->dir; }
const char *store_path(const store *s) { return s->path; }

/* ---- processes: is a running run's process still there? ------------------------------------ */

/* When process pid started, in clock ticks after boot (field 22 of
 * /proc/<pid>/stat), or -1 when that cannot be read. With the pid it names
 * one process: a pid reused by a later process has another start. */
static int64_t process_start(int64_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the name in field 2 may hold spaces: count from its closing parenthesis */
    const char *p = strrchr(buf, ')');
    if (!p) return -1;
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ') field++;
    long long ticks;
    if (field != 22 || sscanf(p, "%lld", &ticks) != 1) return -1;
    return ticks;
}

/* 0 when the process that started a run (pid, and its start when known) is
 * gone; 1 while it lives, or when that cannot be told. */
static int pid_alive(int64_t pid, int have_start, int64_t started) {
    if (pid <= 0 || pid > 0x7fffffff) return 1;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 0;
    if (!have_start) return 1;
    int64_t now = process_start(pid);
    return now < 0 || now == started;
}

/* 1 when a run read with this status, host and process is one whose
 * process died. */
static int run_is_dead(const store *s, const char *status, const char *host, int64_t pid, int have_start,
                       int64_t started) {
    return status && strcmp(status, "running") == 0 && host && strcmp(host, s->host) == 0 &&
           !pid_alive(pid, have_start, started);
}

/* The time of the run's last metric point, or its start. */
static int64_t last_activity(store *s, int64_t rid, int64_t start_ms) {
    sqlite3_stmt *st = q(s, Q_RUN_LAST_TS, NULL);
    if (!st) return start_ms;
    sqlite3_bind_int64(st, 1, rid);
    int64_t t = start_ms;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) t = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return t > start_ms ? t : start_ms;
}

/* Record as killed the runs of this host left running by a process that is
 * gone. Best effort: a busy store keeps them for the next open. */
static void fix_dead_runs(store *s) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT rid, pid, start_ms, proc_start FROM runs WHERE status = 'running' AND host = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, s->host, -1, SQLITE_STATIC);
    int64_t *dead = NULL, *start = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t pid = sqlite3_column_int64(st, 1), t0 = sqlite3_column_int64(st, 2);
        int have_start = sqlite3_column_type(st, 3) != SQLITE_NULL;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL || pid_alive(pid, have_start, sqlite3_column_int64(st, 3)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            dead = xrealloc(dead, cap * sizeof *dead);
            start = xrealloc(start, cap * sizeof *start);
        }
        dead[n] = sqlite3_column_int64(st, 0);
        start[n++] = t0;
    }
    sqlite3_finalize(st);
    if (n && tx_begin(s, NULL) == 0) {
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            int64_t end = last_activity(s, dead[i], start[i]);
            sqlite3_stmt *u = q(s, Q_RUN_END, NULL);
            if (!u) break;
            sqlite3_bind_int64(u, 1, dead[i]);
            sqlite3_bind_text(u, 2, "killed", -1, SQLITE_STATIC);
            sqlite3_bind_int64(u, 3, end);
            ok = sqlite3_step(u) == SQLITE_DONE;
            sqlite3_reset(u);
        }
        if (!ok || tx_commit(s, NULL) < 0) tx_rollback(s);
    }
    free(dead);
    free(start);
}

/* ---- runs ------------------------------------------------------------------------------------------ */

static const char *const STATUS_NAMES[] = {"running", "finished", "failed", "killed"};

const char *run_status_name(run_status st) {
    return (unsigned)st < sizeof STATUS_NAMES / sizeof *STATUS_NAMES ? STATUS_NAMES[st] : "unknown";
}

int run_status_parse(const char *name) {
    for (int i = 0; name && i < (int)(sizeof STATUS_NAMES / sizeof *STATUS_NAMES); i++)
        if (strcmp(name, STATUS_NAMES[i]) == 0) return i;
    return -1;
}

/* Resolve a run id or prefix to its row; a loop naming the same run again
 * costs a string compare. Returns 0 or -1 with e. */
static int run_find(store *s, const char *run, run_ref *out, lab_err *e) {
    if (!run || !*run) return lab_fail(e, "store %s: no run given", s->path);
    if (s->ref && strcmp(run, s->ref) == 0) {
        out->rid = s->ref_rid;
        memcpy(out->id, s->ref_id, 33);
        return 0;
    }
    size_t n = strlen(run);
    if (n > 32 || !is_hex(run, n)) return lab_fail(e, "no run %s in %s (a run id is hex digits)", run, s->path);
    if (n < 4) return lab_fail(e, "run prefix %s is too short: give at least 4 hex digits", run);
    char lo[33], hi[34];
    for (size_t i = 0; i <= n; i++) lo[i] = (char)tolower((unsigned char)run[i]);
    snprintf(hi, sizeof hi, "%sg", lo); /* every id with the prefix sorts below prefix + "g" */
    sqlite3_stmt *st = q(s, Q_RUN_RESOLVE, e);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    char ids[4][33];
    int64_t rid = 0;
    int found = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (found == 0) rid = sqlite3_column_int64(st, 0);
        const char *id = col_text(st, 1);
        snprintf(ids[found++], 33, "%s", id ? id : "");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "looking up run %s", run);
    if (found == 0) return lab_fail(e, "no run %s in %s", run, s->path);
    if (found > 1) {
        char list[160] = "";
        size_t len = 0;
        for (int i = 0; i < found && i < 3; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%.8s...", i ? ", " : "", ids[i]);
        if (found > 3) snprintf(list + len, sizeof list - len, ", ...");
        return lab_fail(e, "run prefix %s is ambiguous (%s)", run, list);
    }
    out->rid = rid;
    memcpy(out->id, ids[0], 33);
    if (n == 32) { /* only whole ids: a prefix may match a newer run later */
        free(s->ref);
        s->ref = xstrdup(run);
        s->ref_rid = rid;
        memcpy(s->ref_id, ids[0], 33);
    }
    return 0;
}

int store_run_resolve(store *s, const char *prefix, char id_out[33], lab_err *e) {
    run_ref r;
    if (run_find(s, prefix, &r, e) < 0) return -1;
    memcpy(id_out, r.id, 33);
    return 0;
}

static int check_name(const store *s, const char *what, const char *name, size_t max, lab_err *e) {
    if (!name || !*name) return lab_fail(e, "store %s: %s is empty", s->path, what);
    size_t n = strlen(name);
    if (n > max)
        return lab_fail(e, "store %s: %s '%.40s...' is %zu characters (at most %zu)", s->path, what, name, n, max);
    if (has_control(name)) return lab_fail(e, "store %s: %s '%.60s' holds a control character", s->path, what, name);
    return 0;
}

/* A param, metric or tag key is a path of non-empty parts, none "." or "..",
 * as MLflow has it: a "/" in a key makes folders in an MLflow export, so a
 * key like "../x" or "a//b" could not be written there (or would leave the
 * run's folder). Checked after check_name. */
static int check_key(const store *s, const char *what, const char *key, lab_err *e) {
    const char *why = NULL;
    if (key[0] == '/')
        why = "starts with '/'";
    else if (key[strlen(key) - 1] == '/')
        why = "ends with '/'";
    for (const char *p = key; !why && *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0)
            why = "has an empty part ('//')";
        else if (n == 1 && p[0] == '.')
            why = "has a '.' part";
        else if (n == 2 && p[0] == '.' && p[1] == '.')
            why = "has a '..' part";
        p += n;
        if (*p) p++;
    }
    if (why)
        return lab_fail(e,
                        "store %s: %s '%.100s' %s (a key is a path of non-empty parts separated by '/', none of "
                        "them '.' or '..')",
                        s->path, what, key, why);
    return 0;
}

/* ---- experiments ---------------------------------------------------------------------------------- */

int64_t store_experiment(store *s, const char *name, lab_err *e) {
    if (check_name(s, "experiment name", name, 200, e) < 0) return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        sqlite3_stmt *st = q(s, Q_EXP_FIND, e);
        if (!st) return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_reset(st);
        if (rc == SQLITE_ROW) return id;
        if (rc != SQLITE_DONE) return db_fail(s, e, "looking up experiment '%s'", name);
        if (attempt || s->readonly) break;
        if (store_flush(s, e) < 0) return -1;
        st = q(s, Q_EXP_INSERT, e);
        if (!st) return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now_ms());
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) return db_fail(s, e, "creating experiment '%s'", name);
    }
    return lab_fail(e, "store %s: no experiment '%s'", s->path, name);
}

char **store_experiments(store *s, size_t *n, lab_err *e) {
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM experiments ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "listing experiments");
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[(*n)++] = col_dup(st, 0);
    }
    if (rc != SQLITE_DONE) {
        db_fail(s, e, "listing experiments");
        sqlite3_finalize(st);
        for (size_t i = 0; i < *n; i++) free(names[i]);
        free(names);
        *n = 0;
        return NULL;
    }
    sqlite3_finalize(st);
    return names ? names : xcalloc(1, sizeof *names);
}

/* ---- starting and ending runs --------------------------------------------------------------------- */

/* The first line that cmd prints, or NULL; *status its exit status. */
static char *command_output(const char *cmd, int *status, int *printed) {
    FILE *p = popen(cmd, "r");
    if (!p) {
        *status = -1;
        return NULL;
    }
    char line[256];
    char *first = NULL;
    *printed = 0;
    while (fgets(line, sizeof line, p)) {
        if (!first) {
            line[strcspn(line, "\r\n")] = '\0';
            first = xstrdup(line);
        }
        *printed = 1;
    }
    *status = pclose(p);
    return first;
}

/* The git commit and dirty flag of the working directory, when a .git is
 * found in it or above it (git is only run then). */
static void git_probe(char **commit, int *dirty) {
    *commit = NULL;
    *dirty = -1;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd - 8)) return;
    int found = 0;
    for (;;) {
        size_t len = strlen(cwd);
        char probe[4104];
        snprintf(probe, sizeof probe, "%s/.git", len == 1 ? "" : cwd);
        if (access(probe, F_OK) == 0) {
            found = 1;
            break;
        }
        char *slash = strrchr(cwd, '/');
        if (!slash || slash == cwd) {
            if (len > 1) {
                cwd[1] = '\0';
                continue;
            }
            break;
        }
        *slash = '\0';
    }
    if (!found) return;
    int status, printed;
    char *head = command_output("git rev-parse HEAD 2>/dev/null", &status, &printed);
    if (!head || strlen(head) != 40 || !is_hex(head, 40)) {
        free(head);
        return;
    }
    *commit = head;
    /* no optional locks: a status must not hold the index lock against the
     * user's own git commands */
    char *changes = command_output("git --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null",
                                   &status, &printed);
    free(changes);
    if (printed)
        *dirty = 1;
    else if (status == 0)
        *dirty = 0;
}

/* git_probe, remembered for two seconds per working directory: a process
 * starting many runs (a sweep, the tests) runs git once, not twice a run. */
static void git_state(char **commit, int *dirty) {
    static char last_cwd[4096], last_commit[41];
    static int last_dirty = -1, have;
    static double last_time;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
    double now = lab_now();
    if (have && now - last_time < 2.0 && strcmp(cwd, last_cwd) == 0) {
        *commit = last_commit[0] ? xstrdup(last_commit) : NULL;
        *dirty = last_dirty;
        return;
    }
    git_probe(commit, dirty);
    snprintf(last_cwd, sizeof last_cwd, "%s", cwd);
    snprintf(last_commit, sizeof last_commit, "%s", *commit ? *commit : "");
    last_dirty = *dirty;
    last_time = now;
    have = 1;
}

static void new_run_id(char id[33]) {
    uint8_t r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        /* no entropy source: time, pid and a counter still make ids unique here */
        static uint64_t counter;
        uint64_t a = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 40), b = ++counter * 0x9e3779b97f4a7c15ull;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        b ^= (uint64_t)ts.tv_nsec;
        memcpy(r, &a, 8);
        memcpy(r + 8, &b, 8);
    }
    for (int i = 0; i < 16; i++) snprintf(id + 2 * i, 3, "%02x", r[i]);
}

static const char *user_name(void) {
    const char *u = getenv("USER");
    if (u && *u) return u;
    u = getenv("LOGNAME");
    if (u && *u) return u;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name ? pw->pw_name : NULL;
}

int store_run_start(store *s, int64_t exp, const run_origin *o, char id_out[33], lab_err *e) {
    run_origin none = {0};
    if (!o) o = &none;
    if (writable(s, e) < 0) return -1;
    if (o->name && check_name(s, "run name", o->name, 500, e) < 0) return -1;
    run_ref orig = {0};
    if (o->reproduces && run_find(s, o->reproduces, &orig, e) < 0) return -1;
    if (store_flush(s, e) < 0) return -1;
    {
        sqlite3_stmt *st = q(s, Q_EXP_EXISTS, e);
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, exp);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) return lab_fail(e, "store %s: no experiment with id %lld", s->path, (long long)exp);
        if (rc != SQLITE_ROW) return db_fail(s, e, "looking up experiment %lld", (long long)exp);
    }
    char id[33], name[16];
    new_run_id(id);
    snprintf(name, sizeof name, "run-%.8s", id);
    char *commit;
    int dirty;
    git_state(&commit, &dirty);
    sqlite3_stmt *st = q(s, Q_RUN_INSERT, e);
    if (!st) {
        free(commit);
        return -1;
    }
    sqlite3_bind_text(st, 1, id, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, exp);
    bind_text(st, 3, o->name ? o->name : name);
    sqlite3_bind_int64(st, 4, now_ms());
    bind_text(st, 5, o->source);
    bind_text(st, 6, o->session);
    bind_text(st, 7, user_name());
    bind_text(st, 8, s->host);
    bind_text(st, 9, LAB_VERSION);
    sqlite3_bind_int64(st, 10, (int64_t)getpid());
    bind_text(st, 11, commit);
    if (dirty < 0)
        sqlite3_bind_null(st, 12);
    else
        sqlite3_bind_int(st, 12, dirty);
    bind_text(st, 13, o->reproduces ? orig.id : NULL);
    int64_t me = process_start((int64_t)getpid());
    if (me < 0)
        sqlite3_bind_null(st, 14);
    else
        sqlite3_bind_int64(st, 14, me);
    free(commit);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "starting a run");
    memcpy(id_out, id, 33);
    if (o->notebook && store_run_set_notebook(s, id, o->notebook, e) < 0) return -1;
    return 0;
}

/* sha256 of a string as hex. */
static void text_sha256(const char *text, size_t n, char hex[65]) {
    sha256_ctx c;
    uint8_t d[32];
    sha256_init(&c);
    sha256_update(&c, text, n);
    sha256_final(&c, d);
    sha256_hex(d, hex);
}

int store_run_set_notebook(store *s, const char *run, const char *text, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0 || store_flush(s, e) < 0) return -1;
    if (!text) text = "";
    char hex[65];
    text_sha256(text, strlen(text), hex);
    sqlite3_stmt *st = q(s, Q_NOTEBOOK_SET, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hex, 64, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "run %.8s: saving its notebook", r.id);
    return 0;
}

int store_run_end(store *s, const char *run, run_status status, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (status == RUN_RUNNING || (unsigned)status > RUN_KILLED)
        return lab_fail(e, "store %s: run %.8s: a run ends finished, failed or killed, not %s", s->path, r.id,
                        run_status_name(status));
    if (store_flush(s, e) < 0) return -1;
    sqlite3_stmt *st = q(s, Q_RUN_END, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, run_status_name(status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms());
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "run %.8s: ending it", r.id);
    return 0;
}

int store_set_note(store *s, const char *run, const char *text, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0 || store_flush(s, e) < 0) return -1;
    sqlite3_stmt *st = q(s, Q_RUN_NOTE, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, r.rid);
    bind_text(st, 2, text && *text ? text : NULL);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "run %.8s: saving its note", r.id);
    return 0;
}

/* ---- params and tags ------------------------------------------------------------------------------- */

int store_log_param(store *s, const char *run, const char *key, const char *value, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (check_name(s, "param key", key, 250, e) < 0 || check_key(s, "param key", key, e) < 0) return -1;
    if (!value) return lab_fail(e, "store %s: run %.8s: param %s has no value", s->path, r.id, key);
    if (strlen(value) > 6000)
        return lab_fail(e, "store %s: run %.8s: param %s: the value is %zu characters (at most 6000)", s->path, r.id,
                        key, strlen(value));
    if (store_flush(s, e) < 0 || tx_begin(s, e) < 0) return -1;
    sqlite3_stmt *st = q(s, Q_PARAM_INSERT, e);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_fail(s, e, "run %.8s: logging param %s", r.id, key);
        goto fail;
    }
    if (sqlite3_changes(s->db) == 0) {
        /* already there: the same value is fine, another is an error */
        st = q(s, Q_PARAM_GET, e);
        if (!st) goto fail;
        sqlite3_bind_int64(st, 1, r.rid);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            db_fail(s, e, "run %.8s: reading param %s", r.id, key);
            sqlite3_reset(st);
            goto fail;
        }
        const char *old = col_text(st, 0);
        if (!old || strcmp(old, value) != 0) {
            lab_fail(e, "store %s: run %.8s: param %s is already %.200s; cannot log %.200s (params are immutable)",
                     s->path, r.id, key, old ? old : "", value);
            sqlite3_reset(st);
            goto fail;
        }
        sqlite3_reset(st);
    }
    if (tx_commit(s, e) < 0) goto fail;
    return 0;
fail:
    tx_rollback(s);
    return -1;
}

char *store_get_param(store *s, const char *run, const char *key) {
    run_ref r;
    if (!key || run_find(s, run, &r, NULL) < 0) return NULL;
    store_flush(s, NULL);
    sqlite3_stmt *st = q(s, Q_PARAM_GET, NULL);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    char *v = sqlite3_step(st) == SQLITE_ROW ? col_dup(st, 0) : NULL;
    sqlite3_reset(st);
    return v;
}

int store_set_tag(store *s, const char *run, const char *key, const char *value, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (check_name(s, "tag key", key, 250, e) < 0 || check_key(s, "tag key", key, e) < 0) return -1;
    if (!value) value = "";
    if (strlen(value) > 8000)
        return lab_fail(e, "store %s: run %.8s: tag %s: the value is %zu characters (at most 8000)", s->path, r.id, key,
                        strlen(value));
    if (store_flush(s, e) < 0) return -1;
    sqlite3_stmt *st = q(s, Q_TAG_SET, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "run %.8s: setting tag %s", r.id, key);
    return 0;
}

/* ---- metrics: the buffered step, the side log, the import ------------------------------------------ */

/* A point of a sealed step: written to the side log, waiting for the next
 * import into SQLite. Keys are interned in s->skey (few distinct keys). */
typedef struct staged_pt {
    int64_t rid, step, ts_ms;
    uint32_t key;
    double value;
} staged_pt;

/* The side log: one file per store object in <store>/logs/, locked (flock)
 * while the object lives. It holds sealed steps as batches:
 *
 *     u32 magic "LBM1"  u32 payload bytes  u32 FNV-1a of the payload
 *     payload: i64 rid  i64 step  u32 points, then per point
 *              i64 ts_ms  f64 value  u16 key bytes  key
 *
 * in the machine's byte order (a store is read back on the machine that
 * wrote it). metric_logs(name, offset) says how many bytes of each log are
 * in SQLite; it is written in the transaction of each import, so a recovery
 * never imports a batch twice. */
#define LOG_MAGIC 0x314d424cu /* "LBM1" */
#define LOG_ROTATE_BYTES (16u << 20)
#define IMPORT_SECONDS 0.1
#define IMPORT_POINTS 65536

static count_entry *count_find(store *s, int64_t rid, const char *key) {
    for (size_t i = 0; i < s->ncounts; i++)
        if (s->counts[i].rid == rid && strcmp(s->counts[i].key, key) == 0) return &s->counts[i];
    return NULL;
}

static uint32_t fnv1a(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t skey_intern(store *s, const char *key) {
    for (size_t i = s->nskey; i-- > 0;)
        if (strcmp(s->skey[i], key) == 0) return (uint32_t)i;
    if (s->nskey == s->capskey) {
        s->capskey = s->capskey ? s->capskey * 2 : 16;
        s->skey = xrealloc(s->skey, s->capskey * sizeof *s->skey);
    }
    s->skey[s->nskey] = xstrdup(key);
    return (uint32_t)s->nskey++;
}

static void stage(store *s, int64_t rid, int64_t step, const char *key, double value, int64_t ts) {
    if (s->nstaged == s->capstaged) {
        s->capstaged = s->capstaged ? s->capstaged * 2 : 256;
        s->staged = xrealloc(s->staged, s->capstaged * sizeof *s->staged);
    }
    s->staged[s->nstaged++] = (staged_pt){rid, step, ts, skey_intern(s, key), value};
}

/* Is (step, ts, value) of a later than of b, as MLflow orders points? */
static int later_pt(const staged_pt *a, const staged_pt *b) {
    if (a->step != b->step) return a->step > b->step;
    if (a->ts_ms != b->ts_ms) return a->ts_ms > b->ts_ms;
    if (isnan(b->value)) return !isnan(a->value);
    return a->value > b->value;
}

static int put_log_offset(store *s, const char *name, int64_t offset, lab_err *e) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO metric_logs(name, offset) VALUES(?1, ?2)"
                           " ON CONFLICT(name) DO UPDATE SET offset = excluded.offset",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, e, "recording the metric log %s", name);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, offset);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "recording the metric log %s", name);
    return 0;
}

/* Insert pts[0..n) (any runs and steps) and their summaries, inside the
 * caller's transaction. Summaries are one upsert per (run, key). */
static int insert_points(store *s, const staged_pt *pts, size_t n, lab_err *e) {
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *ins = q(s, Q_METRIC_INSERT, e);
        if (!ins) return -1;
        sqlite3_bind_int64(ins, 1, pts[i].rid);
        sqlite3_bind_int64(ins, 2, pts[i].step);
        sqlite3_bind_text(ins, 3, s->skey[pts[i].key], -1, SQLITE_STATIC);
        bind_real(ins, 4, pts[i].value);
        sqlite3_bind_int64(ins, 5, pts[i].ts_ms);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE)
            return db_fail(s, e, "logging metric %s at step %lld", s->skey[pts[i].key], (long long)pts[i].step);
    }
    /* the summaries: groups of (run, key), found by a linear scan of a
     * small list (a batch has few runs and keys) */
    typedef struct group {
        int64_t rid;
        uint32_t key;
        size_t last, count;
        double lo, hi;
    } group;
    group *g = NULL;
    size_t ng = 0, capg = 0, hint = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = hint < ng && g[hint].rid == pts[i].rid && g[hint].key == pts[i].key ? hint : ng;
        if (k == ng)
            for (k = 0; k < ng; k++)
                if (g[k].rid == pts[i].rid && g[k].key == pts[i].key) break;
        if (k == ng) {
            if (ng == capg) {
                capg = capg ? capg * 2 : 16;
                g = xrealloc(g, capg * sizeof *g);
            }
            g[ng++] = (group){pts[i].rid, pts[i].key, i, 0, NAN, NAN};
        }
        group *x = &g[k];
        hint = (k + 1) % (ng ? ng : 1);
        x->count++;
        if (later_pt(&pts[i], &pts[x->last])) x->last = i;
        double v = pts[i].value;
        if (!isnan(v)) {
            if (isnan(x->lo) || v < x->lo) x->lo = v;
            if (isnan(x->hi) || v > x->hi) x->hi = v;
        }
    }
    int rc = 0;
    for (size_t k = 0; k < ng && rc == 0; k++) {
        const staged_pt *p = &pts[g[k].last];
        sqlite3_stmt *st = q(s, Q_METRIC_LAST, e);
        if (!st) {
            rc = -1;
            break;
        }
        sqlite3_bind_int64(st, 1, g[k].rid);
        sqlite3_bind_text(st, 2, s->skey[g[k].key], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, p->step);
        sqlite3_bind_int64(st, 4, p->ts_ms);
        bind_real(st, 5, p->value);
        bind_real(st, 6, g[k].lo);
        bind_real(st, 7, g[k].hi);
        sqlite3_bind_int64(st, 8, (int64_t)g[k].count);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) rc = db_fail(s, e, "logging metric %s", s->skey[g[k].key]);
    }
    free(g);
    return rc;
}

/* Move the current step's buffer to the staged points. */
static void stage_buffer(store *s) {
    for (size_t i = 0; i < s->nbuf; i++)
        stage(s, s->buf_rid, s->buf_step, s->keys.s + s->buf[i].key, s->buf[i].value, s->buf[i].ts_ms);
    s->nbuf = 0;
    s->keys.n = 0;
}

static void log_close(store *s, int remove) {
    if (s->logfd < 0) return;
    if (remove && s->logpath) unlink(s->logpath);
    close(s->logfd); /* drops the flock */
    s->logfd = -1;
    free(s->logpath);
    free(s->logname);
    s->logpath = s->logname = NULL;
    s->log_written = 0;
}

/* Open a new side log: <store>/logs/<pid>-<random>.log, locked. */
static int log_open(store *s, lab_err *e) {
    char *dir = path_join(s->dir, "logs");
    if (lab_make_dirs(dir, e) < 0) {
        free(dir);
        return -1;
    }
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) rnd = (uint32_t)now_ms();
    char name[64];
    snprintf(name, sizeof name, "%ld-%08x.log", (long)getpid(), rnd);
    char *path = path_join(dir, name);
    free(dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
        lab_fail(e, "%s: cannot create the metric log: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        free(path);
        return -1;
    }
    s->logfd = fd;
    s->logpath = path;
    s->logname = xstrdup(name);
    s->log_written = 0;
    return 0;
}

/* Write the current step's buffer to the side log with one write(2): from
 * then on a kill -9 cannot lose it. Then stage its points. */
static int log_step(store *s, lab_err *e) {
    if (s->logfd < 0 && log_open(s, e) < 0) return -1;
    strbuf b = {0};
    unsigned char head[12] = {0};
    strbuf_add(&b, (const char *)head, sizeof head);
    uint32_t np = (uint32_t)s->nbuf;
    strbuf_add(&b, (const char *)&s->buf_rid, 8);
    strbuf_add(&b, (const char *)&s->buf_step, 8);
    strbuf_add(&b, (const char *)&np, 4);
    for (size_t i = 0; i < s->nbuf; i++) {
        const char *key = s->keys.s + s->buf[i].key;
        uint16_t kl = (uint16_t)strlen(key);
        strbuf_add(&b, (const char *)&s->buf[i].ts_ms, 8);
        strbuf_add(&b, (const char *)&s->buf[i].value, 8);
        strbuf_add(&b, (const char *)&kl, 2);
        strbuf_add(&b, key, kl);
    }
    uint32_t magic = LOG_MAGIC, len = (uint32_t)(b.n - sizeof head);
    uint32_t sum = fnv1a((const unsigned char *)b.s + sizeof head, len);
    memcpy(b.s, &magic, 4);
    memcpy(b.s + 4, &len, 4);
    memcpy(b.s + 8, &sum, 4);
    size_t done = 0;
    while (done < b.n) {
        ssize_t w = write(s->logfd, b.s + done, b.n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            lab_fail(e, "%s: writing the metric log: %s", s->logpath, w < 0 ? strerror(errno) : "no space");
            free(b.s);
            return -1;
        }
        done += (size_t)w;
    }
    s->log_written += (int64_t)b.n;
    free(b.s);
    stage_buffer(s);
    return 0;
}

/* Import the staged points (and the current step's buffer, when
 * with_buffer) into SQLite in one transaction that also records how much of
 * the side log is in. */
static int import_points(store *s, int with_buffer, lab_err *e) {
    if (with_buffer) stage_buffer(s);
    s->last_import = lab_now();
    if (s->nstaged == 0) return 0;
    if (tx_begin(s, e) < 0) return -1;
    if (insert_points(s, s->staged, s->nstaged, e) < 0) goto fail;
    if (s->logname && put_log_offset(s, s->logname, s->log_written, e) < 0) goto fail;
    if (tx_commit(s, e) < 0) goto fail;
    s->nstaged = 0;
    if (s->nskey > 4096) { /* a bound for long-lived hosts */
        for (size_t i = 0; i < s->nskey; i++) free(s->skey[i]);
        s->nskey = 0;
    }
    /* a big log starts over in a new file; its row (offset = its size) is
     * purged by a later recovery once the file is gone */
    if (s->log_written > (int64_t)LOG_ROTATE_BYTES) {
        char *name = xstrdup(s->logname);
        log_close(s, 1);
        sqlite3_stmt *st = NULL; /* the file is gone: its row can go (else a recovery purges it) */
        if (sqlite3_prepare_v2(s->db, "DELETE FROM metric_logs WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            sqlite3_step(st);
        }
        sqlite3_finalize(st);
        free(name);
    }
    return 0;
fail:
    tx_rollback(s);
    /* the points stay staged (and in the log): a later import retries */
    return -1;
}

int store_flush(store *s, lab_err *e) {
    if (s->nbuf == 0 && s->nstaged == 0) return 0;
    return import_points(s, 1, e);
}

/* The current step is complete: make it durable. A slow loop (the last
 * import was a while ago) commits it straight to SQLite; a fast one appends
 * it to the side log and imports every IMPORT_SECONDS. */
static int seal_step(store *s, lab_err *e) {
    double now = lab_now();
    if (s->nstaged == 0 && now - s->last_import >= IMPORT_SECONDS) return import_points(s, 1, e);
    if (log_step(s, e) < 0) return -1;
    if (s->nstaged >= IMPORT_POINTS || now - s->last_import >= IMPORT_SECONDS) return import_points(s, 0, e);
    return 0;
}

int store_log_metric(store *s, const char *run, const char *key, double value, int64_t step, int64_t ts_ms,
                     lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (check_name(s, "metric key", key, 250, e) < 0 || check_key(s, "metric key", key, e) < 0) return -1;
    size_t klen = strlen(key);
    if (s->nbuf && (s->buf_rid != r.rid || s->buf_step != step) && seal_step(s, e) < 0) return -1;
    if (s->nbuf == 0) {
        s->buf_rid = r.rid;
        memcpy(s->buf_id, r.id, 33);
        s->buf_step = step;
    }
    if (s->nbuf == s->capbuf) {
        s->capbuf = s->capbuf ? s->capbuf * 2 : 16;
        s->buf = xrealloc(s->buf, s->capbuf * sizeof *s->buf);
    }
    /* a key the step already has is stored once */
    size_t off = s->keys.n;
    for (size_t i = 0; i < s->nbuf; i++)
        if (strcmp(s->keys.s + s->buf[i].key, key) == 0) {
            off = s->buf[i].key;
            break;
        }
    if (off == s->keys.n) strbuf_add(&s->keys, key, klen + 1);
    s->buf[s->nbuf++] = (pending){off, value, ts_ms ? ts_ms : now_ms()};
    count_entry *c = count_find(s, r.rid, key);
    if (c) c->count++;
    /* a loop that logs at one step forever still seals now and then */
    if (s->nbuf >= MAX_STEP_POINTS) return seal_step(s, e);
    return 0;
}

int64_t store_metric_count(store *s, const char *run, const char *key) {
    run_ref r;
    if (!key || run_find(s, run, &r, NULL) < 0) return 0;
    count_entry *c = count_find(s, r.rid, key);
    if (c) return c->count;
    sqlite3_stmt *st = q(s, Q_METRIC_COUNT, NULL);
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (s->nbuf && s->buf_rid == r.rid)
        for (size_t i = 0; i < s->nbuf; i++)
            if (strcmp(s->keys.s + s->buf[i].key, key) == 0) n++;
    for (size_t i = 0; i < s->nstaged; i++)
        if (s->staged[i].rid == r.rid && strcmp(s->skey[s->staged[i].key], key) == 0) n++;
    if (s->ncounts >= 1024) { /* a bound for long-lived hosts: start over */
        for (size_t i = 0; i < s->ncounts; i++) free(s->counts[i].key);
        s->ncounts = 0;
    }
    if (s->ncounts == s->capcounts) {
        s->capcounts = s->capcounts ? s->capcounts * 2 : 16;
        s->counts = xrealloc(s->counts, s->capcounts * sizeof *s->counts);
    }
    s->counts[s->ncounts++] = (count_entry){r.rid, xstrdup(key), n};
    return n;
}

/* ---- recovery: side logs of processes that died ------------------------------------------------------ */

/* The offset recorded for log name, 0 when none. */
static int64_t log_offset(store *s, const char *name) {
    sqlite3_stmt *st = NULL;
    int64_t off = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT offset FROM metric_logs WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) off = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return off;
}

/* Parse the batches of buf[from..n) into staged points; stops at the first
 * incomplete or damaged batch (the write a kill cut short). Returns the
 * offset after the last good batch. */
static size_t parse_log(store *s, const unsigned char *buf, size_t n, size_t from) {
    size_t p = from;
    char key[256];
    while (n - p >= 12) {
        uint32_t magic, len, sum;
        memcpy(&magic, buf + p, 4);
        memcpy(&len, buf + p + 4, 4);
        memcpy(&sum, buf + p + 8, 4);
        if (magic != LOG_MAGIC || len > n - p - 12 || len < 20 || fnv1a(buf + p + 12, len) != sum) break;
        const unsigned char *q0 = buf + p + 12, *end = q0 + len;
        int64_t rid, step;
        uint32_t np;
        memcpy(&rid, q0, 8);
        memcpy(&step, q0 + 8, 8);
        memcpy(&np, q0 + 16, 4);
        const unsigned char *c = q0 + 20;
        size_t before = s->nstaged;
        int ok = 1;
        for (uint32_t i = 0; i < np && ok; i++) {
            int64_t ts;
            double v;
            uint16_t kl;
            if (end - c < 18) {
                ok = 0;
                break;
            }
            memcpy(&ts, c, 8);
            memcpy(&v, c + 8, 8);
            memcpy(&kl, c + 16, 2);
            c += 18;
            if (kl == 0 || kl >= sizeof key || end - c < kl) {
                ok = 0;
                break;
            }
            memcpy(key, c, kl);
            key[kl] = '\0';
            c += kl;
            stage(s, rid, step, key, v, ts);
        }
        if (!ok || c != end) {
            s->nstaged = before;
            break;
        }
        p += 12 + len;
    }
    return p;
}

/* Import what the side logs of dead processes hold beyond their recorded
 * offsets, then remove the logs. A log whose lock is held belongs to a live
 * process and is left alone. Failures leave the logs for the next open. */
static void recover_logs(store *s) {
    char *dir = path_join(s->dir, "logs");
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".log") != 0) continue;
        char *path = path_join(dir, de->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) { /* alive (or gone) */
            if (fd >= 0) close(fd);
            free(path);
            continue;
        }
        size_t len = 0;
        lab_err e;
        unsigned char *buf = (unsigned char *)lab_read_file(path, &len, &e);
        int64_t off = log_offset(s, de->d_name);
        int ok = buf != NULL;
        if (ok && off >= 0 && (size_t)off < len) {
            size_t saved = s->nstaged; /* nothing staged at open; kept for safety */
            size_t end = parse_log(s, buf, len, (size_t)off);
            /* points of runs the store does not have (a damaged log) are dropped */
            size_t keep = saved;
            int64_t known = -1, unknown = -1;
            for (size_t i = saved; i < s->nstaged; i++) {
                int64_t rid = s->staged[i].rid;
                if (rid != known && rid != unknown) {
                    char sql[64];
                    int64_t one = 0;
                    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE rid = %lld", (long long)rid);
                    if (query_int(s, sql, &one, NULL) == 0 && one == 1) known = rid;
                    else unknown = rid;
                }
                if (rid == known) s->staged[keep++] = s->staged[i];
            }
            s->nstaged = keep;
            ok = tx_begin(s, &e) == 0 && insert_points(s, s->staged + saved, s->nstaged - saved, &e) == 0 &&
                 put_log_offset(s, de->d_name, (int64_t)end, &e) == 0 && tx_commit(s, &e) == 0;
            if (!ok) tx_rollback(s);
            s->nstaged = saved;
        }
        free(buf);
        if (ok) unlink(path);
        else if (buf) { /* it cannot be imported: set it aside (".bad") rather than retry it at every open */
            char *bad = xmalloc(strlen(path) + 5);
            sprintf(bad, "%s.bad", path);
            rename(path, bad);
            free(bad);
        }
        close(fd);
        free(path);
    }
    closedir(d);
    free(dir);
    /* rows of logs that are gone */
    sqlite3_stmt *st = NULL;
    char **names = NULL;
    size_t n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM metric_logs", -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) {
            char *p = path_join(s->dir, "logs");
            char *full = path_join(p, col_text(st, 0));
            free(p);
            if (access(full, F_OK) != 0) {
                names = xrealloc(names, (n + 1) * sizeof *names);
                names[n++] = col_dup(st, 0);
            }
            free(full);
        }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        if (sqlite3_prepare_v2(s->db, "DELETE FROM metric_logs WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
            sqlite3_step(st);
        }
        sqlite3_finalize(st);
        free(names[i]);
    }
    free(names);
}

/* 1 when dir/logs holds a log no live process holds: a read-only open then
 * lets a read-write one recover it first, so listings show every point. */
static int has_dead_logs(const char *sdir) {
    char *dir = path_join(sdir, "logs");
    DIR *d = opendir(dir);
    int found = 0;
    struct dirent *de;
    while (d && !found && (de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".log") != 0) continue;
        char *path = path_join(dir, de->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) == 0) found = 1;
        if (fd >= 0) close(fd);
        free(path);
    }
    if (d) closedir(d);
    free(dir);
    return found;
}

/* ---- files: hashing and copying ------------------------------------------------------------------- */

int store_file_sha256(const char *path, char hex[65], lab_err *e) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return lab_fail(e, "%s: cannot read: %s", path, strerror(errno));
    sha256_ctx c;
    sha256_init(&c);
    static const size_t CHUNK = 1 << 16;
    uint8_t *buf = xmalloc(CHUNK);
    ssize_t got;
    while ((got = read(fd, buf, CHUNK)) != 0) {
        if (got < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            free(buf);
            close(fd);
            return lab_fail(e, "%s: cannot read: %s", path, strerror(err));
        }
        sha256_update(&c, buf, (size_t)got);
    }
    free(buf);
    close(fd);
    uint8_t d[32];
    sha256_final(&c, d);
    sha256_hex(d, hex);
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copy src into a new temporary file in folder dir, hashing the bytes and
 * syncing the copy; returns the temporary path (the caller renames or
 * unlinks it, and frees it), or NULL with e naming src or the folder. */
static char *copy_to_temp(const char *src, const char *dir, char hex[65], int64_t *size, lab_err *e) {
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        lab_fail(e, "%s: cannot read: %s", src, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        lab_fail(e, "%s: not a regular file", src);
        close(in);
        return NULL;
    }
    size_t n = strlen(dir) + 48;
    char *tmp = xmalloc(n);
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) r = (uint32_t)now_ms();
    snprintf(tmp, n, "%s/.tmp-%ld-%08x", dir, (long)getpid(), (unsigned)r);
    int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        lab_fail(e, "%s: cannot write in the folder: %s", dir, strerror(errno));
        close(in);
        free(tmp);
        return NULL;
    }
    sha256_ctx c;
    sha256_init(&c);
    static const size_t CHUNK = 1 << 16;
    uint8_t *buf = xmalloc(CHUNK);
    int64_t total = 0;
    const char *fail = NULL;
    int err = 0;
    for (;;) {
        ssize_t got = read(in, buf, CHUNK);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            fail = src, err = errno;
            break;
        }
        sha256_update(&c, buf, (size_t)got);
        if (write_all(out, buf, (size_t)got) != 0) {
            fail = tmp, err = errno;
            break;
        }
        total += got;
    }
    free(buf);
    close(in);
    if (!fail && fsync(out) != 0) fail = tmp, err = errno;
    if (close(out) != 0 && !fail) fail = tmp, err = errno;
    if (fail) {
        lab_fail(e, "%s: cannot %s: %s", fail == src ? src : dir, fail == src ? "read" : "write a copy there",
                 strerror(err));
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    uint8_t d[32];
    sha256_final(&c, d);
    sha256_hex(d, hex);
    *size = total;
    return tmp;
}

/* ---- artifacts and datasets ------------------------------------------------------------------------ */

/* A relative path of plain components: no "", ".", ".." and no leading "/". */
static int check_artifact_name(const store *s, const char *run, const char *name, lab_err *e) {
    if (!name || !*name) return lab_fail(e, "store %s: run %.8s: an artifact needs a name", s->path, run);
    if (strlen(name) > 1000 || has_control(name))
        return lab_fail(e, "store %s: run %.8s: artifact name '%.60s' is too long or holds a control character",
                        s->path, run, name);
    if (name[0] == '/')
        return lab_fail(e, "store %s: run %.8s: artifact name '%s' must be relative (no leading '/')", s->path, run,
                        name);
    for (const char *p = name;;) {
        size_t len = strcspn(p, "/");
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return lab_fail(e, "store %s: run %.8s: artifact name '%s' has an empty, '.' or '..' part", s->path, run,
                            name);
        if (len >= 5 && strncmp(p, ".tmp-", 5) == 0)
            return lab_fail(e, "store %s: run %.8s: artifact name '%s': names starting '.tmp-' are the store's",
                            s->path, run, name);
        p += len;
        if (!*p) break;
        p++;
    }
    return 0;
}

int store_add_artifact(store *s, const char *run, const char *name, const char *src, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (check_artifact_name(s, r.id, name, e) < 0) return -1;
    if (!src) return lab_fail(e, "store %s: run %.8s: artifact %s: no file given", s->path, r.id, name);
    if (store_flush(s, e) < 0) return -1;
    size_t n = strlen(s->dir) + strlen(name) + 64;
    char *target = xmalloc(n);
    snprintf(target, n, "%s/artifacts/%s/%s", s->dir, r.id, name);
    char *folder = xstrdup(target);
    *strrchr(folder, '/') = '\0';
    char hex[65], *tmp = NULL;
    int64_t size = 0;
    int rc = -1;
    lab_err fe;
    if (lab_make_dirs(folder, &fe) < 0) {
        lab_fail(e, "store %s: run %.8s: artifact %s: %s", s->path, r.id, name, fe.msg);
        goto done;
    }
    tmp = copy_to_temp(src, folder, hex, &size, &fe);
    if (!tmp) {
        lab_fail(e, "store %s: run %.8s: artifact %s: %s", s->path, r.id, name, fe.msg);
        goto done;
    }
    if (rename(tmp, target) != 0) {
        lab_fail(e, "store %s: run %.8s: artifact %s: cannot rename into %s: %s", s->path, r.id, name, target,
                 strerror(errno));
        unlink(tmp);
        goto done;
    }
    sync_dir(folder);
    sqlite3_stmt *st = q(s, Q_ARTIFACT_SET, e);
    if (!st) goto done;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hex, 64, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, size);
    int sr = sqlite3_step(st);
    sqlite3_reset(st);
    if (sr != SQLITE_DONE) {
        db_fail(s, e, "run %.8s: recording artifact %s", r.id, name);
        goto done;
    }
    rc = 0;
done:
    free(tmp);
    free(folder);
    free(target);
    return rc;
}

/* The recorded sha256 of the run's artifact into hex; 0, or -1 with e. */
static int artifact_row(store *s, const run_ref *r, const char *name, char hex[65], lab_err *e) {
    sqlite3_stmt *st = q(s, Q_ARTIFACT_GET, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, r->rid);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) snprintf(hex, 65, "%s", col_text(st, 0) ? col_text(st, 0) : "");
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return lab_fail(e, "store %s: run %.8s has no artifact '%s'", s->path, r->id, name);
    if (rc != SQLITE_ROW) return db_fail(s, e, "run %.8s: looking up artifact %s", r->id, name);
    return 0;
}

char *store_artifact_path(store *s, const char *run, const char *name, lab_err *e) {
    run_ref r;
    char hex[65];
    if (run_find(s, run, &r, e) < 0 || !name || store_flush(s, e) < 0 || artifact_row(s, &r, name, hex, e) < 0) {
        if (!name) lab_fail(e, "store %s: no artifact name given", s->path);
        return NULL;
    }
    size_t n = strlen(s->dir) + strlen(name) + 64;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/artifacts/%s/%s", s->dir, r.id, name);
    return p;
}

int store_add_dataset(store *s, const char *run, const store_dataset *d, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (!d || !d->path || !*d->path) return lab_fail(e, "store %s: run %.8s: a data set needs a path", s->path, r.id);
    if (!d->sha256 || strlen(d->sha256) != 64 || !is_hex(d->sha256, 64))
        return lab_fail(e, "store %s: run %.8s: data set %s: the sha256 must be 64 hex digits", s->path, r.id, d->path);
    if (store_flush(s, e) < 0) return -1;
    char hex[65];
    for (int i = 0; i < 65; i++) hex[i] = (char)tolower((unsigned char)d->sha256[i]);
    sqlite3_stmt *st = q(s, Q_DATASET_ADD, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, d->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hex, 64, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, d->rows);
    sqlite3_bind_int64(st, 5, d->cols);
    bind_text(st, 6, d->schema);
    bind_text(st, 7, d->query);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "run %.8s: recording data set %s", r.id, d->path);
    return 0;
}

/* ---- the registry ------------------------------------------------------------------------------------ */

static int valid_chars(const char *s, const char *extra) {
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s)) return 0;
    return 1;
}

static int check_model_name(const store *s, const char *name, lab_err *e) {
    if (!valid_chars(name, "_.-") || strlen(name) > 200 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return lab_fail(e, "store %s: model name '%.60s' must be 1-200 of A-Z a-z 0-9 _ . - (and not . or ..)", s->path,
                        name ? name : "");
    return 0;
}

static int check_alias(const store *s, const char *alias, lab_err *e) {
    if (!valid_chars(alias, "_-") || strlen(alias) > 200)
        return lab_fail(e, "store %s: alias '%.60s' must be 1-200 of A-Z a-z 0-9 _ -", s->path, alias ? alias : "");
    return 0;
}

static int has_registry(const store *s, const char *name, lab_err *e) {
    if (s->schema >= 2) return 1;
    lab_fail(e, "no model %s in %s (no models registered)", name, s->path);
    return 0;
}

/* The run's only artifact ending in ".labm" into *out (caller frees). */
static int only_model_artifact(store *s, const run_ref *r, char **out, lab_err *e) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM artifacts WHERE run = ?1 AND name LIKE '%.labm' ORDER BY name", -1,
                           &st, NULL) != SQLITE_OK)
        return db_fail(s, e, "run %.8s: listing its artifacts", r->id);
    sqlite3_bind_int64(st, 1, r->rid);
    strbuf names = {0};
    int n = 0, rc;
    *out = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0);
        if (!name) continue;
        if (n == 0) *out = xstrdup(name);
        if (n < 4) {
            if (n) strbuf_adds(&names, ", ");
            strbuf_adds(&names, name);
        }
        n++;
    }
    if (rc != SQLITE_DONE)
        db_fail(s, e, "run %.8s: listing its artifacts", r->id);
    else if (n == 0)
        lab_fail(e, "store %s: run %.8s has no model artifact (a name ending in .labm)", s->path, r->id);
    else if (n > 1)
        lab_fail(e, "store %s: run %.8s has %d model artifacts (%s%s); name the one to register", s->path, r->id, n,
                 names.s, n > 4 ? ", ..." : "");
    sqlite3_finalize(st);
    free(names.s);
    if (rc != SQLITE_DONE || n != 1) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* "sepal_length:number,species:string": a model's features. */
static char *feature_schema(const model *m) {
    strbuf b = {0};
    for (int i = 0; i < m->nfeat; i++) {
        if (i) strbuf_adds(&b, ",");
        strbuf_adds(&b, m->feat[i].name);
        strbuf_adds(&b, ":");
        strbuf_adds(&b, col_type_name(m->feat[i].type));
    }
    return b.s ? b.s : xstrdup("");
}

int store_register(store *s, const char *run, const char *name, const char *artifact, lab_err *e) {
    run_ref r;
    if (writable(s, e) < 0 || check_model_name(s, name, e) < 0 || run_find(s, run, &r, e) < 0) return -1;
    if (s->schema < 2) return lab_fail(e, "store %s: schema %d has no registry", s->path, s->schema);
    if (store_flush(s, e) < 0) return -1;
    char *art = NULL, *src = NULL, *folder = NULL, *tmp = NULL, *target = NULL, *schema = NULL;
    model *m = NULL;
    int version = -1, renamed = 0;
    char want[65], hex[65];
    int64_t size;
    lab_err fe;
    if (artifact) {
        if (check_artifact_name(s, r.id, artifact, e) < 0) goto done;
        art = xstrdup(artifact);
    } else if (only_model_artifact(s, &r, &art, e) < 0)
        goto done;
    if (artifact_row(s, &r, art, want, e) < 0) goto done;
    src = store_artifact_path(s, r.id, art, e);
    if (!src) goto done;
    size_t n = strlen(s->dir) + strlen(name) + 16;
    folder = xmalloc(n);
    snprintf(folder, n, "%s/models/%s", s->dir, name);
    if (lab_make_dirs(folder, &fe) < 0) {
        lab_fail(e, "store %s: registering %s: %s", s->path, name, fe.msg);
        goto done;
    }
    /* copy first, then check the copy: what gets registered is what was checked */
    tmp = copy_to_temp(src, folder, hex, &size, &fe);
    if (!tmp) {
        lab_fail(e, "store %s: registering %s from run %.8s: %s", s->path, name, r.id, fe.msg);
        goto done;
    }
    if (strcmp(hex, want) != 0) {
        lab_fail(e, "store %s: run %.8s: artifact %s (%s) was changed after it was stored; its sha256 differs", s->path,
                 r.id, art, src);
        goto done;
    }
    m = model_load(tmp, &fe);
    if (!m) {
        lab_fail(e, "store %s: run %.8s: artifact %s is not a model file that loads: %s", s->path, r.id, art, fe.msg);
        goto done;
    }
    schema = feature_schema(m);
    if (tx_begin(s, e) < 0) goto done;
    int64_t model_id, next;
    {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db,
                               "INSERT INTO models(name, created_ms) VALUES(?1, ?2) ON CONFLICT(name) DO NOTHING", -1,
                               &st, NULL) != SQLITE_OK) {
            db_fail(s, e, "registering %s", name);
            goto rollback;
        }
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now_ms());
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            db_fail(s, e, "registering %s", name);
            goto rollback;
        }
        if (sqlite3_prepare_v2(
                s->db,
                "SELECT m.id, coalesce((SELECT max(version) FROM model_versions WHERE model = m.id), 0) + 1"
                " FROM models m WHERE m.name = ?1",
                -1, &st, NULL) != SQLITE_OK) {
            db_fail(s, e, "registering %s", name);
            goto rollback;
        }
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        model_id = sqlite3_column_int64(st, 0);
        next = sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) {
            db_fail(s, e, "registering %s", name);
            goto rollback;
        }
    }
    char rel[300];
    snprintf(rel, sizeof rel, "models/%s/%lld.labm", name, (long long)next);
    target = path_join(s->dir, rel);
    if (rename(tmp, target) != 0) {
        lab_fail(e, "store %s: registering %s: cannot rename into %s: %s", s->path, name, target, strerror(errno));
        goto rollback;
    }
    renamed = 1;
    sync_dir(folder);
    {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db,
                               "INSERT INTO model_versions(model, version, run, path, sha256, kind, schema, created_ms)"
                               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                               -1, &st, NULL) != SQLITE_OK) {
            db_fail(s, e, "registering %s", name);
            goto rollback;
        }
        sqlite3_bind_int64(st, 1, model_id);
        sqlite3_bind_int64(st, 2, next);
        sqlite3_bind_int64(st, 3, r.rid);
        sqlite3_bind_text(st, 4, rel, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, hex, 64, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, m->kind->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, schema, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 8, now_ms());
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            db_fail(s, e, "registering %s version %lld", name, (long long)next);
            goto rollback;
        }
    }
    if (tx_commit(s, e) < 0) goto rollback;
    version = (int)next;
    goto done;
rollback:
    tx_rollback(s);
    if (renamed) unlink(target);
done:
    if (tmp && !renamed) unlink(tmp);
    model_free(m);
    free(schema);
    free(target);
    free(tmp);
    free(folder);
    free(src);
    free(art);
    return version;
}

/* The id of model name into *id; 0, or -1 with e ("no model"). */
static int model_id(store *s, const char *name, int64_t *id, lab_err *e) {
    if (!has_registry(s, name, e)) return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM models WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, e, "looking up model %s", name);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return lab_fail(e, "no model %s in %s", name, s->path);
    if (rc != SQLITE_ROW) return db_fail(s, e, "looking up model %s", name);
    return 0;
}

/* "versions 1-3" or "no versions", for messages. */
static void version_range(store *s, int64_t id, char *buf, size_t cap) {
    sqlite3_stmt *st;
    snprintf(buf, cap, "no versions");
    if (sqlite3_prepare_v2(s->db, "SELECT min(version), max(version) FROM model_versions WHERE model = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        long long lo = sqlite3_column_int64(st, 0), hi = sqlite3_column_int64(st, 1);
        if (lo == hi)
            snprintf(buf, cap, "version %lld", lo);
        else
            snprintf(buf, cap, "versions %lld-%lld", lo, hi);
    }
    sqlite3_finalize(st);
}

/* 1 when version exists for model id. */
static int version_exists(store *s, int64_t id, int64_t version) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM model_versions WHERE model = ?1 AND version = ?2", -1, &st, NULL) !=
        SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, version);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int store_set_alias(store *s, const char *name, int version, const char *alias, lab_err *e) {
    if (writable(s, e) < 0 || check_model_name(s, name, e) < 0 || check_alias(s, alias, e) < 0) return -1;
    int64_t id;
    if (store_flush(s, e) < 0 || model_id(s, name, &id, e) < 0) return -1;
    if (!version_exists(s, id, version)) {
        char range[64];
        version_range(s, id, range, sizeof range);
        return lab_fail(e, "model %s has no version %d in %s (%s)", name, version, s->path, range);
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO aliases(model, alias, version) VALUES(?1, ?2, ?3)"
                           " ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, e, "setting alias %s of model %s", alias, name);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, version);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) db_fail(s, e, "setting alias %s of model %s", alias, name);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Split a reference "name", "name@alias" or "name:N" into name_out (at
 * least 201 bytes), *alias and *version (0: none). Returns 0 for a good
 * reference; 1 for one of the form NAME:REST or NAME@REST (NAME a model
 * name) whose REST is not a version or an alias, with *why saying what is
 * wrong; -1 when ref is not of these forms at all. */
static int parse_ref(const char *ref, char *name_out, const char **alias, int64_t *version, const char **why) {
    *alias = NULL;
    *version = 0;
    *why = NULL;
    size_t n = strcspn(ref, "@:");
    if (n == 0 || n > 200) return -1;
    memcpy(name_out, ref, n);
    name_out[n] = '\0';
    if (!valid_chars(name_out, "_.-") || strcmp(name_out, ".") == 0 || strcmp(name_out, "..") == 0) return -1;
    const char *rest = ref[n] ? ref + n + 1 : NULL;
    if (ref[n] == '@') {
        if (!valid_chars(rest, "_-"))
            *why = "an alias is [A-Za-z0-9_-]+";
        else if (strlen(rest) > 200)
            *why = "an alias is at most 200 characters";
        else
            *alias = rest;
    } else if (ref[n] == ':') {
        const char *d = rest + (*rest == '-');
        if (!*d || strspn(d, "0123456789") != strlen(d))
            *why = "a version is a whole number (NAME:1, NAME:2, ...)";
        else if (*rest == '-' || strspn(d, "0") == strlen(d))
            *why = "versions start at 1";
        else if (strlen(d + strspn(d, "0")) > 18)
            *version = INT64_MAX; /* no such version; the lookup says which there are */
        else
            *version = strtoll(d, NULL, 10);
    }
    return *why ? 1 : 0;
}

static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

int store_is_model_ref(const char *ref) {
    if (!ref || strchr(ref, '/') || ends_with(ref, ".labm") || ends_with(ref, ".lab") || ends_with(ref, ".db"))
        return 0;
    char name[201];
    const char *alias, *why;
    int64_t version;
    return parse_ref(ref, name, &alias, &version, &why) >= 0;
}

/* "no model 'iri' (did you mean 'iris'?)", or "no model 'x' in <store>". */
static void no_model(store *s, const char *name, lab_err *e) {
    sqlite3_stmt *st;
    char *best = NULL;
    size_t bestd = (size_t)-1;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM models ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *m = col_text(st, 0);
            size_t d = m ? lab_edit_distance(m, name) : (size_t)-1;
            if (d < bestd) {
                bestd = d;
                free(best);
                best = xstrdup(m);
            }
        }
        sqlite3_finalize(st);
    }
    if (best && bestd <= 1 + strlen(name) / 4)
        lab_fail(e, "no model '%s' (did you mean '%s'?)", name, best);
    else
        lab_fail(e, "no model '%s' in %s%s", name, s->path, best ? "" : " (no models registered)");
    free(best);
}

char *store_model_resolve(store *s, const char *ref, int *version_out, lab_err *e) {
    char name[201];
    const char *alias, *why;
    int64_t version;
    int pr = ref ? parse_ref(ref, name, &alias, &version, &why) : -1;
    if (pr < 0) {
        lab_fail(e, "store %s: '%.80s' is not a model reference (name, name@alias or name:N)", s->path, ref ? ref : "");
        return NULL;
    }
    if (pr > 0) {
        lab_fail(e, "%.220s: %s", ref, why);
        return NULL;
    }
    if (store_flush(s, e) < 0 || !has_registry(s, name, e)) return NULL;
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM models WHERE name = ?1", -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "looking up model %s", name);
        return NULL;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        no_model(s, name, e);
        return NULL;
    }
    if (rc != SQLITE_ROW) {
        db_fail(s, e, "looking up model %s", name);
        return NULL;
    }
    const char *sql = alias     ? "SELECT v.version, v.path, v.sha256 FROM aliases a JOIN model_versions v"
                                  " ON v.model = a.model AND v.version = a.version WHERE a.model = ?1 AND a.alias = ?2"
                      : version ? "SELECT version, path, sha256 FROM model_versions WHERE model = ?1 AND version = ?3"
                                : "SELECT version, path, sha256 FROM model_versions WHERE model = ?1"
                                  " ORDER BY version DESC LIMIT 1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "resolving %s", ref);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, id);
    if (alias) sqlite3_bind_text(st, 2, alias, -1, SQLITE_TRANSIENT);
    if (version) sqlite3_bind_int64(st, 3, version);
    rc = sqlite3_step(st);
    int found_version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    char *rel = rc == SQLITE_ROW ? col_dup(st, 1) : NULL;
    char *want = rc == SQLITE_ROW ? col_dup(st, 2) : NULL;
    sqlite3_finalize(st);
    char *path = NULL;
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            db_fail(s, e, "resolving %s", ref);
        else if (alias) {
            /* name the aliases there are */
            strbuf have = {0};
            if (sqlite3_prepare_v2(s->db, "SELECT alias FROM aliases WHERE model = ?1 ORDER BY alias", -1, &st, NULL) ==
                SQLITE_OK) {
                sqlite3_bind_int64(st, 1, id);
                while (sqlite3_step(st) == SQLITE_ROW && have.n < 200) {
                    if (have.n) strbuf_adds(&have, ", ");
                    strbuf_adds(&have, col_text(st, 0) ? col_text(st, 0) : "");
                }
                sqlite3_finalize(st);
            }
            lab_fail(e, "model %s has no alias %s in %s (%s%s)", name, alias, s->path,
                     have.s ? "aliases: " : "none set", have.s ? have.s : "");
            free(have.s);
        } else {
            char range[64];
            version_range(s, id, range, sizeof range);
            if (version)
                lab_fail(e, "model %s has no version %.40s in %s (%s)", name, ref + strlen(name) + 1, s->path, range);
            else
                lab_fail(e, "model %s has no versions in %s", name, s->path);
        }
        goto done;
    }
    path = path_join(s->dir, rel ? rel : "");
    char hex[65];
    lab_err fe;
    if (store_file_sha256(path, hex, &fe) < 0) {
        if (access(path, F_OK) != 0)
            lab_fail(e, "model %s:%d: its file %s is missing", name, found_version, path);
        else
            lab_fail(e, "model %s:%d: %s", name, found_version, fe.msg);
        free(path);
        path = NULL;
        goto done;
    }
    if (!want || strcmp(hex, want) != 0) {
        lab_fail(e, "model %s:%d: %s was changed after it was registered (its sha256 differs)", name, found_version,
                 path);
        free(path);
        path = NULL;
        goto done;
    }
    if (version_out) *version_out = found_version;
done:
    free(rel);
    free(want);
    return path;
}

struct sqlite3 *store_db(store *s) {
    return s->db;
}

/* ---- reading runs ---------------------------------------------------------------------------------- */

#define RUN_COLUMNS                                                                                                    \
    "r.rid, r.id, e.name, r.name, r.status, r.start_ms, r.end_ms, r.source, r.session, r.user, r.host,"                \
    " r.lab_version, r.pid, r.git_commit, r.git_dirty, r.reproduces, r.note, r.proc_start"

/* The strings of a listing of many runs live in one arena of 64 KiB chunks
 * freed at once: 10,000 runs are some 200,000 strings, and allocating and
 * freeing each was a third of `lab runs list`'s time. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char data[];
} arena_chunk;

typedef struct arena {
    arena_chunk *head;
} arena;

static void *arena_alloc(arena *a, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->cap - a->head->used < n) {
        /* chunks double from 64 KiB to 4 MiB: few for a big listing */
        size_t cap = a->head ? a->head->cap * 2 : 65536;
        if (cap > (4u << 20)) cap = 4u << 20;
        if (cap < n) cap = n;
        arena_chunk *c = xmalloc(sizeof *c + cap);
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(arena *a) {
    if (!a) return;
    for (arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

/* Column i as a new string: in the arena when there is one. */
static char *adup(arena *a, sqlite3_stmt *st, int i) {
    if (!a) return col_dup(st, i);
    const char *t = col_text(st, i);
    if (!t) return NULL;
    size_t n = (size_t)sqlite3_column_bytes(st, i) + 1;
    char *p = arena_alloc(a, n);
    memcpy(p, t, n);
    return p;
}

/* Fill r from a row of RUN_COLUMNS; returns the row's rid. A running run
 * whose process is gone reads as killed, ended at its last activity. Its
 * strings go to a when it is not NULL. */
static int64_t read_run(store *s, sqlite3_stmt *st, store_run *r, arena *a) {
    memset(r, 0, sizeof *r);
    r->strings = a;
    int64_t rid = sqlite3_column_int64(st, 0);
    snprintf(r->id, sizeof r->id, "%s", col_text(st, 1) ? col_text(st, 1) : "");
    r->experiment = adup(a, st, 2);
    r->name = adup(a, st, 3);
    const char *status = col_text(st, 4);
    int sv = run_status_parse(status);
    r->status = sv < 0 ? RUN_FAILED : (run_status)sv;
    r->start_ms = sqlite3_column_int64(st, 5);
    r->end_ms = sqlite3_column_int64(st, 6);
    r->source = adup(a, st, 7);
    r->session = adup(a, st, 8);
    r->user = adup(a, st, 9);
    r->host = adup(a, st, 10);
    r->lab_version = adup(a, st, 11);
    int64_t pid = sqlite3_column_int64(st, 12);
    r->git_commit = adup(a, st, 13);
    r->git_dirty = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 14);
    r->reproduces = adup(a, st, 15);
    r->note = adup(a, st, 16);
    if (r->status == RUN_RUNNING && sqlite3_column_type(st, 12) != SQLITE_NULL &&
        run_is_dead(s, status, r->host, pid, sqlite3_column_type(st, 17) != SQLITE_NULL,
                    sqlite3_column_int64(st, 17))) {
        r->status = RUN_KILLED;
        r->end_ms = -1; /* filled by the caller once the statement is done */
    }
    return rid;
}

static void free_run(store_run *r) {
    if (r->strings) return; /* a listing's run: its strings and metrics are in the arena */
    free(r->experiment);
    free(r->name);
    free(r->source);
    free(r->session);
    free(r->user);
    free(r->host);
    free(r->lab_version);
    free(r->git_commit);
    free(r->reproduces);
    free(r->note);
    free(r->notebook);
    free(r->notebook_sha256);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->param_keys[i]);
        free(r->param_values[i]);
    }
    free(r->param_keys);
    free(r->param_values);
    for (size_t i = 0; i < r->nmetrics; i++) free(r->metrics[i].key);
    free(r->metrics);
    for (size_t i = 0; i < r->ntags; i++) {
        free(r->tag_keys[i]);
        free(r->tag_values[i]);
    }
    free(r->tag_keys);
    free(r->tag_values);
    for (size_t i = 0; i < r->nartifacts; i++) {
        free(r->artifacts[i].name);
        free(r->artifacts[i].sha256);
    }
    free(r->artifacts);
    for (size_t i = 0; i < r->ndatasets; i++) {
        free(r->datasets[i].path);
        free(r->datasets[i].sha256);
        free(r->datasets[i].schema);
        free(r->datasets[i].query);
    }
    free(r->datasets);
}

void store_runs_free(store_run *runs, size_t n) {
    if (!runs) return;
    for (size_t i = 0; i < n; i++) free_run(&runs[i]);
    if (n && runs[0].strings) arena_free(runs[0].strings);
    free(runs);
}

/* Append a metric_last row (key, value, step, min, max, count) to r. */
static void add_metric(store_run *r, sqlite3_stmt *st, int first_col, size_t *cap) {
    arena *a = r->strings;
    if (r->nmetrics == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        if (a) {
            store_metric_last *grown = arena_alloc(a, *cap * sizeof *grown);
            if (r->nmetrics) memcpy(grown, r->metrics, r->nmetrics * sizeof *grown);
            r->metrics = grown;
        } else
            r->metrics = xrealloc(r->metrics, *cap * sizeof *r->metrics);
    }
    store_metric_last *m = &r->metrics[r->nmetrics++];
    m->key = adup(a, st, first_col);
    if (!m->key) m->key = a ? memcpy(arena_alloc(a, 1), "", 1) : xstrdup("");
    m->value = col_real(st, first_col + 1);
    m->step = sqlite3_column_int64(st, first_col + 2);
    m->min = col_real(st, first_col + 3);
    m->max = col_real(st, first_col + 4);
    m->count = sqlite3_column_int64(st, first_col + 5);
}

/* The metrics of one run, from metric_last. */
static int run_metrics(store *s, int64_t rid, store_run *r, lab_err *e) {
    sqlite3_stmt *st = q(s, Q_RUN_METRICS, e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rid);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) add_metric(r, st, 0, &cap);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "run %.8s: reading its metrics", r->id);
    return 0;
}

typedef struct rid_index {
    int64_t rid;
    size_t i;
} rid_index;

static int cmp_rid(const void *a, const void *b) {
    int64_t x = ((const rid_index *)a)->rid, y = ((const rid_index *)b)->rid;
    return x < y ? -1 : x > y;
}

/* The metrics of many runs: one pass over metric_last in key order,
 * matched to the runs by a binary search. */
static int many_run_metrics(store *s, store_run *runs, const int64_t *rids, size_t n, lab_err *e) {
    rid_index *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = (rid_index){rids[i], i};
    qsort(idx, n, sizeof *idx, cmp_rid);
    size_t *caps = xcalloc(n, sizeof *caps);
    sqlite3_stmt *st;
    int out = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT run, key, value, step, min, max, count FROM metric_last ORDER BY run, key",
                           -1, &st, NULL) != SQLITE_OK) {
        out = db_fail(s, e, "reading metrics");
        goto done;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rid_index key = {sqlite3_column_int64(st, 0), 0};
        rid_index *hit = bsearch(&key, idx, n, sizeof *idx, cmp_rid);
        if (hit) add_metric(&runs[hit->i], st, 1, &caps[hit->i]);
    }
    if (rc != SQLITE_DONE) out = db_fail(s, e, "reading metrics");
    sqlite3_finalize(st);
done:
    free(caps);
    free(idx);
    return out;
}

static const char *const OPS[] = {"<", "<=", ">", ">=", "=", "!="};

store_run *store_runs_list(store *s, const store_run_filter *f, size_t *n, lab_err *e) {
    store_run_filter none = {0};
    none.status = -1;
    if (!f) f = &none;
    *n = 0;
    if (f->status < -1 || f->status > RUN_KILLED) {
        lab_fail(e, "store %s: no run status %d", s->path, f->status);
        return NULL;
    }
    const char *op = NULL;
    if (f->metric) {
        for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
            if (f->op && strcmp(f->op, OPS[i]) == 0) op = OPS[i];
        if (!op) {
            lab_fail(e, "store %s: a metric filter needs one of < <= > >= = != (not '%s')", s->path,
                     f->op ? f->op : "");
            return NULL;
        }
    }
    if (store_flush(s, e) < 0) return NULL;
    /* A running run may read as killed and a killed one may be a running row
     * whose process died: those two filters (and the limit with them) are
     * applied here, after reading; the others in SQL. */
    int in_c = f->status == RUN_RUNNING || f->status == RUN_KILLED;
    strbuf sql = {0};
    strbuf_adds(&sql, "SELECT " RUN_COLUMNS " FROM runs r JOIN experiments e ON e.id = r.experiment");
    if (f->metric) {
        strbuf_adds(&sql, " JOIN metric_last fm ON fm.run = r.rid AND fm.key = ?1 AND fm.value ");
        strbuf_adds(&sql, op);
        strbuf_adds(&sql, " ?2");
    }
    if (f->sort_metric) strbuf_adds(&sql, " LEFT JOIN metric_last sm ON sm.run = r.rid AND sm.key = ?3");
    strbuf_adds(&sql, " WHERE 1");
    if (f->experiment) strbuf_adds(&sql, " AND e.name = ?4");
    if (f->status == RUN_KILLED)
        strbuf_adds(&sql, " AND r.status IN ('killed', 'running')");
    else if (f->status >= 0)
        strbuf_adds(&sql, " AND r.status = ?5");
    strbuf_adds(&sql, " ORDER BY ");
    if (f->sort_metric)
        strbuf_adds(&sql, f->descending ? "sm.value IS NULL, sm.value DESC, " : "sm.value IS NULL, sm.value, ");
    strbuf_adds(&sql, "r.start_ms DESC, r.rid DESC");
    if (f->limit && !in_c) {
        char lim[32];
        snprintf(lim, sizeof lim, " LIMIT %zu", f->limit);
        strbuf_adds(&sql, lim);
    }
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql.s, -1, &st, NULL);
    free(sql.s);
    if (rc != SQLITE_OK) {
        db_fail(s, e, "listing runs");
        return NULL;
    }
    if (f->metric) {
        sqlite3_bind_text(st, 1, f->metric, -1, SQLITE_TRANSIENT);
        bind_real(st, 2, f->value);
    }
    if (f->sort_metric) sqlite3_bind_text(st, 3, f->sort_metric, -1, SQLITE_TRANSIENT);
    if (f->experiment) sqlite3_bind_text(st, 4, f->experiment, -1, SQLITE_TRANSIENT);
    if (f->status >= 0 && f->status != RUN_KILLED)
        sqlite3_bind_text(st, 5, run_status_name((run_status)f->status), -1, SQLITE_STATIC);
    store_run *runs = NULL;
    int64_t *rids = NULL;
    size_t cap = 0, count = 0;
    arena *strings = xcalloc(1, sizeof *strings);
    /* sized once for every run in the file: growing (and copying) 10,000
     * runs' structs showed in the profile */
    int64_t total = 0;
    if (query_int(s, "SELECT count(*) FROM runs", &total, NULL) == 0 && total > 0) {
        cap = (size_t)total + 1;
        runs = xmalloc(cap * sizeof *runs);
        rids = xmalloc(cap * sizeof *rids);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            runs = xrealloc(runs, cap * sizeof *runs);
            rids = xrealloc(rids, cap * sizeof *rids);
        }
        rids[count] = read_run(s, st, &runs[count], strings);
        if (in_c && (int)runs[count].status != f->status) {
            free_run(&runs[count]);
            continue;
        }
        count++;
        if (in_c && f->limit && count == f->limit) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE) db_fail(s, e, "listing runs");
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) goto fail;
    for (size_t i = 0; i < count; i++)
        if (runs[i].end_ms < 0) runs[i].end_ms = last_activity(s, rids[i], runs[i].start_ms);
    /* a few runs: their rows by key; many: one pass over every summary row */
    if (count > 64) {
        if (many_run_metrics(s, runs, rids, count, e) < 0) goto fail;
    } else
        for (size_t i = 0; i < count; i++)
            if (run_metrics(s, rids[i], &runs[i], e) < 0) goto fail;
    free(rids);
    *n = count;
    if (!count) arena_free(strings);
    return runs ? runs : xcalloc(1, sizeof *runs);
fail:
    free(rids);
    store_runs_free(runs, count);
    if (!count) arena_free(strings);
    return NULL;
}

/* Run one query over the run's rows (?1 = rid), calling row for each. */
static int each_row(store *s, const char *sql, int64_t rid, const char *what, store_run *r,
                    void (*row)(store_run *r, sqlite3_stmt *st, size_t *cap), lab_err *e) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, e, "run %.8s: reading its %s", r->id, what);
    sqlite3_bind_int64(st, 1, rid);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(r, st, &cap);
    if (rc != SQLITE_DONE) db_fail(s, e, "run %.8s: reading its %s", r->id, what);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void row_param(store_run *r, sqlite3_stmt *st, size_t *cap) {
    if (r->nparams == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->param_keys = xrealloc(r->param_keys, *cap * sizeof *r->param_keys);
        r->param_values = xrealloc(r->param_values, *cap * sizeof *r->param_values);
    }
    r->param_keys[r->nparams] = col_dup(st, 0);
    r->param_values[r->nparams++] = col_dup(st, 1);
}

static void row_tag(store_run *r, sqlite3_stmt *st, size_t *cap) {
    if (r->ntags == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->tag_keys = xrealloc(r->tag_keys, *cap * sizeof *r->tag_keys);
        r->tag_values = xrealloc(r->tag_values, *cap * sizeof *r->tag_values);
    }
    r->tag_keys[r->ntags] = col_dup(st, 0);
    r->tag_values[r->ntags++] = col_dup(st, 1);
}

static void row_artifact(store_run *r, sqlite3_stmt *st, size_t *cap) {
    if (r->nartifacts == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->artifacts = xrealloc(r->artifacts, *cap * sizeof *r->artifacts);
    }
    struct store_artifact_row *a = &r->artifacts[r->nartifacts++];
    a->name = col_dup(st, 0);
    a->sha256 = col_dup(st, 1);
    a->size = sqlite3_column_int64(st, 2);
}

static void row_dataset(store_run *r, sqlite3_stmt *st, size_t *cap) {
    if (r->ndatasets == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->datasets = xrealloc(r->datasets, *cap * sizeof *r->datasets);
    }
    struct store_dataset_row *d = &r->datasets[r->ndatasets++];
    d->path = col_dup(st, 0);
    d->sha256 = col_dup(st, 1);
    d->rows = sqlite3_column_int64(st, 2);
    d->cols = sqlite3_column_int64(st, 3);
    d->schema = col_dup(st, 4);
    d->query = col_dup(st, 5);
}

static void row_notebook(store_run *r, sqlite3_stmt *st, size_t *cap) {
    (void)cap;
    r->notebook = col_dup(st, 0);
    r->notebook_sha256 = col_dup(st, 1);
}

store_run *store_run_get(store *s, const char *run, lab_err *e) {
    run_ref ref;
    if (run_find(s, run, &ref, e) < 0 || store_flush(s, e) < 0) return NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db, "SELECT " RUN_COLUMNS " FROM runs r JOIN experiments e ON e.id = r.experiment WHERE r.rid = ?1", -1,
            &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "reading run %.8s", ref.id);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, ref.rid);
    store_run *r = xcalloc(1, sizeof *r);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_run(s, st, r, NULL);
    else if (rc == SQLITE_DONE)
        lab_fail(e, "no run %s in %s", run, s->path);
    else
        db_fail(s, e, "reading run %.8s", ref.id);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        free(r);
        return NULL;
    }
    if (r->end_ms < 0) r->end_ms = last_activity(s, ref.rid, r->start_ms);
    if (run_metrics(s, ref.rid, r, e) < 0 ||
        each_row(s, "SELECT key, value FROM params WHERE run = ?1 ORDER BY key", ref.rid, "params", r, row_param, e) <
            0 ||
        each_row(s, "SELECT key, value FROM tags WHERE run = ?1 ORDER BY key", ref.rid, "tags", r, row_tag, e) < 0 ||
        each_row(s, "SELECT name, sha256, size FROM artifacts WHERE run = ?1 ORDER BY name", ref.rid, "artifacts", r,
                 row_artifact, e) < 0 ||
        each_row(s, "SELECT path, sha256, rows, cols, schema, query FROM datasets WHERE run = ?1 ORDER BY id", ref.rid,
                 "data sets", r, row_dataset, e) < 0 ||
        each_row(s, "SELECT text, sha256 FROM notebooks WHERE run = ?1", ref.rid, "notebook", r, row_notebook, e) < 0) {
        store_runs_free(r, 1);
        return NULL;
    }
    return r;
}

long store_metric_history(store *s, const char *run, const char *key, int64_t **steps, double **values, int64_t **ts_ms,
                          lab_err *e) {
    *steps = NULL;
    *values = NULL;
    if (ts_ms) *ts_ms = NULL;
    run_ref r;
    if (run_find(s, run, &r, e) < 0 || store_flush(s, e) < 0) return -1;
    if (!key) return lab_fail(e, "store %s: run %.8s: no metric key given", s->path, r.id);
    sqlite3_stmt *st;
    /* the points are clustered by (run, step): this reads the run's points
     * and keeps the key's; the sort is over those only */
    if (sqlite3_prepare_v2(
            s->db, "SELECT step, value, ts_ms FROM metrics WHERE run = ?1 AND key = ?2 ORDER BY step, ts_ms, seq", -1,
            &st, NULL) != SQLITE_OK)
        return db_fail(s, e, "run %.8s: reading metric %s", r.id, key);
    sqlite3_bind_int64(st, 1, r.rid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    size_t n = 0, cap = 0;
    int64_t *sv = NULL, *tv = NULL;
    double *vv = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            sv = xrealloc(sv, cap * sizeof *sv);
            vv = xrealloc(vv, cap * sizeof *vv);
            tv = xrealloc(tv, cap * sizeof *tv);
        }
        sv[n] = sqlite3_column_int64(st, 0);
        vv[n] = col_real(st, 1);
        tv[n++] = sqlite3_column_int64(st, 2);
    }
    if (rc != SQLITE_DONE) db_fail(s, e, "run %.8s: reading metric %s", r.id, key);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(sv);
        free(vv);
        free(tv);
        return -1;
    }
    *steps = sv ? sv : xcalloc(1, sizeof *sv);
    *values = vv ? vv : xcalloc(1, sizeof *vv);
    if (ts_ms)
        *ts_ms = tv ? tv : xcalloc(1, sizeof *tv);
    else
        free(tv);
    return (long)n;
}

/* ---- reading the registry ---------------------------------------------------------------------------- */

void store_models_free(store_model *m, size_t n) {
    if (!m) return;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < m[i].nversions; j++) {
            store_model_version *v = &m[i].versions[j];
            free(v->path);
            free(v->sha256);
            free(v->kind);
            free(v->schema);
            for (size_t k = 0; k < v->naliases; k++) free(v->aliases[k]);
            free(v->aliases);
        }
        free(m[i].versions);
        free(m[i].name);
    }
    free(m);
}

store_model *store_models_list(store *s, const char *name, size_t *n, lab_err *e) {
    *n = 0;
    if (name) {
        int64_t id;
        if (model_id(s, name, &id, e) < 0) return NULL;
    }
    if (s->schema < 2) return xcalloc(1, sizeof(store_model));
    if (store_flush(s, e) < 0) return NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT m.id, m.name, m.created_ms, v.version, r.id, v.path, v.sha256, v.kind, v.schema,"
            " v.created_ms, (SELECT group_concat(alias, char(10)) FROM (SELECT alias FROM aliases a"
            " WHERE a.model = m.id AND a.version = v.version ORDER BY alias))"
            " FROM models m LEFT JOIN model_versions v ON v.model = m.id LEFT JOIN runs r ON r.rid = v.run"
            " WHERE ?1 IS NULL OR m.name = ?1 ORDER BY m.name, v.version",
            -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "listing models");
        return NULL;
    }
    bind_text(st, 1, name);
    store_model *out = NULL;
    size_t cap = 0, vcap = 0;
    int64_t last_id = -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id != last_id) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                out = xrealloc(out, cap * sizeof *out);
            }
            store_model *m = &out[(*n)++];
            memset(m, 0, sizeof *m);
            m->name = col_dup(st, 1);
            m->created_ms = sqlite3_column_int64(st, 2);
            last_id = id;
            vcap = 0;
        }
        if (sqlite3_column_type(st, 3) == SQLITE_NULL) continue;
        store_model *m = &out[*n - 1];
        if (m->nversions == vcap) {
            vcap = vcap ? vcap * 2 : 4;
            m->versions = xrealloc(m->versions, vcap * sizeof *m->versions);
        }
        store_model_version *v = &m->versions[m->nversions++];
        memset(v, 0, sizeof *v);
        v->version = sqlite3_column_int(st, 3);
        snprintf(v->run, sizeof v->run, "%s", col_text(st, 4) ? col_text(st, 4) : "");
        const char *rel = col_text(st, 5);
        v->path = path_join(s->dir, rel ? rel : "");
        v->sha256 = col_dup(st, 6);
        v->kind = col_dup(st, 7);
        v->schema = col_dup(st, 8);
        v->created_ms = sqlite3_column_int64(st, 9);
        const char *aliases = col_text(st, 10);
        for (const char *p = aliases; p && *p;) {
            size_t len = strcspn(p, "\n");
            v->aliases = xrealloc(v->aliases, (v->naliases + 1) * sizeof *v->aliases);
            v->aliases[v->naliases++] = xstrndup(p, len);
            p += len;
            if (*p) p++;
        }
    }
    if (rc != SQLITE_DONE) db_fail(s, e, "listing models");
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_models_free(out, *n);
        *n = 0;
        return NULL;
    }
    return out ? out : xcalloc(1, sizeof *out);
}

/* ---- closing ------------------------------------------------------------------------------------------- */

void store_close(store *s) {
    if (!s) return;
    if (!s->readonly && store_flush(s, NULL) == 0 && s->logfd >= 0) {
        /* everything is in: the side log and its row go */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "DELETE FROM metric_logs WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, s->logname, -1, SQLITE_STATIC);
            sqlite3_step(st);
        }
        sqlite3_finalize(st);
        log_close(s, 1);
    }
    log_close(s, 0); /* a failed import keeps the log for the next open to recover */
    close_db(s, 0);
    free_store(s);
}
