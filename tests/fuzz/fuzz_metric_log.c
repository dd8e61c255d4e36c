/* fuzz_metric_log.c — libFuzzer entry point for the recovery of metric side
 * logs (engine/track/store.c): a log left by a dead process is read back by
 * the next open, and its bytes may be cut short or damaged anywhere.
 *
 * One store with one run is made once. Every input is written as a side log
 * in <store>/logs/ and the store opened, which recovers it. The open must
 * succeed (a bad log is never a reason to refuse the store), the log must be
 * gone afterwards, the file must pass PRAGMA integrity_check, and the
 * metrics' summary must agree with the points. A failed invariant aborts, so
 * libFuzzer keeps the input. Seeds: tests/fuzz/corpus/metric_log (made by
 * killing a logging process). */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "track/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void fail(const char *what, const char *msg) {
    fprintf(stderr, "fuzz_metric_log: %s: %s\n", what, msg);
    abort();
}

static long long one(const char *sql) {
    char path[128];
    snprintf(path, sizeof path, "%s/lab.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_TEXT ? strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0
                                                      : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lab_err e;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz-metric-log-%ld", (long)getpid());
        store *s = store_open(dir, &e);
        char id[33];
        if (!s || store_run_start(s, 0, NULL, id, &e) != 0) fail("setup", e.msg);
        store_close(s);
        char logs[96];
        snprintf(logs, sizeof logs, "%s/logs", dir);
        if (mkdir(logs, 0777) != 0) fail("setup", logs);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/logs/1-fuzz.log", dir);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) fail("write", path);
    store *s = store_open(dir, &e);
    if (!s) fail("open", e.msg);
    store_close(s);
    if (access(path, F_OK) == 0) fail("recover", "the log is still there");
    if (one("PRAGMA integrity_check") != 1) fail("integrity", "integrity_check is not ok");
    if (one("SELECT (SELECT count(*) FROM metrics) = (SELECT coalesce(sum(count), 0) FROM metric_last)") != 1)
        fail("summary", "metric_last disagrees with the points");
    return 0;
}
