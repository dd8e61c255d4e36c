/* promote.c — moving and copying what runs recorded, for promotion (a
 * session's run copied into the promoted run) and for lab.experiment (a
 * notebook's run moved into another experiment).
 *
 * The copy is SQL over the store's own tables (INSERT ... SELECT in one
 * transaction), after the artifact files were copied through
 * store_add_artifact, so a failure half way leaves rows only for files that
 * are there. */
#include "store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The internal row id of the run with id `run`, or -1 with e. */
static sqlite3_int64 run_rowid(sqlite3 *db, const char *path, const char *run, lab_err *e) {
    sqlite3_stmt *st = NULL;
    sqlite3_int64 rid = -1;
    if (sqlite3_prepare_v2(db, "SELECT rid FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
        lab_fail(e, "store %s: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) rid = sqlite3_column_int64(st, 0);
    else lab_fail(e, "store %s: no run %.8s", path, run);
    sqlite3_finalize(st);
    return rid;
}

int store_run_set_experiment(store *s, const char *run, int64_t exp, lab_err *e) {
    if (store_flush(s, e) != 0) return -1;
    sqlite3 *db = store_db(s);
    sqlite3_int64 rid = run_rowid(db, store_path(s), run, e);
    if (rid < 0) return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "UPDATE runs SET experiment = ?1 WHERE rid = ?2", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, exp);
        sqlite3_bind_int64(st, 2, rid);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return lab_fail(e, "store %s: moving run %.8s: %s", store_path(s), run, sqlite3_errmsg(db));
    return 0;
}

static const char COPY_SQL[] =
    "INSERT INTO params(run, key, value) SELECT ?2, key, value FROM params WHERE run = ?1;"
    "INSERT INTO metrics(run, step, key, seq, value, ts_ms) SELECT ?2, step, key, seq, value, ts_ms FROM metrics"
    " WHERE run = ?1;"
    "INSERT INTO metric_last(run, key, step, ts_ms, value, min, max, count)"
    " SELECT ?2, key, step, ts_ms, value, min, max, count FROM metric_last WHERE run = ?1;"
    "INSERT OR REPLACE INTO tags(run, key, value) SELECT ?2, key, value FROM tags WHERE run = ?1"
    " AND key NOT LIKE 'lab.%';"
    "INSERT OR IGNORE INTO datasets(run, path, sha256, rows, cols, schema, query)"
    " SELECT ?2, path, sha256, rows, cols, schema, query FROM datasets WHERE run = ?1;"
    "UPDATE runs SET note = (SELECT note FROM runs WHERE rid = ?1) WHERE rid = ?2 AND note IS NULL;";

int store_run_copy(store *s, const char *from, const char *to, lab_err *e) {
    if (store_flush(s, e) != 0) return -1;
    sqlite3 *db = store_db(s);
    const char *path = store_path(s);
    sqlite3_int64 rf = run_rowid(db, path, from, e), rt = rf < 0 ? -1 : run_rowid(db, path, to, e);
    if (rf < 0 || rt < 0) return -1;
    /* the files first: each is in place before its row commits */
    store_run *r = store_run_get(s, from, e);
    if (!r) return -1;
    for (size_t i = 0; i < r->nartifacts; i++) {
        char *src = store_artifact_path(s, from, r->artifacts[i].name, e);
        int rc = src ? store_add_artifact(s, to, r->artifacts[i].name, src, e) : -1;
        free(src);
        if (rc != 0) {
            store_runs_free(r, 1);
            return -1;
        }
    }
    store_runs_free(r, 1);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return lab_fail(e, "store %s: %s", path, sqlite3_errmsg(db));
    const char *sql = COPY_SQL;
    while (*sql) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
        if (rc == SQLITE_OK && st) {
            sqlite3_bind_int64(st, 1, rf);
            sqlite3_bind_int64(st, 2, rt);
            rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_OK) {
            lab_fail(e, "store %s: copying run %.8s to %.8s: %s", path, from, to, sqlite3_errmsg(db));
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        sql = tail;
        while (*sql == ' ' || *sql == '\n') sql++;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        lab_fail(e, "store %s: %s", path, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
