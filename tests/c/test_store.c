/* test_store.c — the tracking store (engine/track/store.c): every function
 * and its error paths. Opening and refusing (a newer schema, a foreign SQLite
 * file, a damaged or truncated file: each with its own message and the file's
 * bytes unchanged), the migration of a schema-1 store keeping its data,
 * experiments and runs, prefixes, immutable params, the rule for keys (paths
 * of non-empty parts, as MLflow has it), the metric buffer as another
 * connection sees it (a step is committed when the next one starts), tags and
 * notes, artifacts and data sets, the registry (versions, aliases, references
 * and their errors, a registered file changed behind the store's back),
 * listing with filters and sorting, a run whose process died read as killed,
 * kill -9 during logging losing at most the step not yet committed, and two
 * writer processes with a reader at once. Each test works in its own folder
 * under /tmp, removed at the end. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "data/frame.h"
#include "learn/model.h"
#include "track/store.h"

static char root[128]; /* this test's folder */
static char dir[256];  /* its store */

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/lab-store-test-XXXXXX");
    if (!mkdtemp(root)) return -1;
    snprintf(dir, sizeof dir, "%s/deep/store", root); /* missing folders are made */
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ----------------------------------------------------------------------- */

static store *open_s(void) {
    lab_err e = {{0}};
    store *s = store_open(dir, &e);
    if (!s) fail_msg("store_open: %s", e.msg);
    return s;
}

static void start(store *s, const char *name, char id[33]) {
    lab_err e = {{0}};
    run_origin o = {0};
    o.name = name;
    if (store_run_start(s, 0, &o, id, &e) != 0) fail_msg("store_run_start: %s", e.msg);
}

static void logm(store *s, const char *run, const char *key, double v, int64_t step) {
    lab_err e = {{0}};
    if (store_log_metric(s, run, key, v, step, 0, &e) != 0) fail_msg("store_log_metric: %s", e.msg);
}

/* An error message contains want. */
static void expect_err(const lab_err *e, const char *want) {
    if (!strstr(e->msg, want)) fail_msg("error '%s' does not contain '%s'", e->msg, want);
}

/* One integer from sql run on path through a separate connection. */
static int64_t sql_int(const char *path, const char *sql) {
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *path, const char *sql) {
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

static char *slurp(const char *path, size_t *len) {
    lab_err e;
    char *s = lab_read_file(path, len, &e);
    if (!s) fail_msg("%s", e.msg);
    return s;
}

static void write_file(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void fresh_dir(const char *sub) { snprintf(dir, sizeof dir, "%s/%s", root, sub); }

static const char *db_path(void) {
    static char p[300];
    snprintf(p, sizeof p, "%s/lab.db", dir);
    return p;
}

/* ---- opening ------------------------------------------------------------------------ */

static void test_open_creates_the_store(void **state) {
    (void)state;
    fresh_dir("deep/new/store");
    store *s = open_s();
    char want[300];
    snprintf(want, sizeof want, "%s/lab.db", dir);
    assert_string_equal(store_path(s), want);
    assert_string_equal(store_dir(s), dir);
    store_close(s);
    assert_int_equal(sql_int(want, "PRAGMA application_id"), 0x6c616231);
    assert_int_equal(sql_int(want, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(sql_int(want, "SELECT count(*) FROM sqlite_master WHERE name IN ('runs', 'metrics', "
                                   "'models', 'model_versions', 'aliases', 'datasets', 'artifacts', 'tags')"),
                     8);
    assert_int_equal(sql_int(want, "SELECT id FROM experiments WHERE name = 'Default'"), 0);
    /* WAL is the file's own mode; foreign keys are the connection's (checked below) */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(want, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* opening again is fine and keeps the data */
    s = open_s();
    lab_err e;
    assert_int_equal(store_experiment(s, "iris", &e), 1);
    store_close(s);
    s = open_s();
    assert_int_equal(store_experiment(s, "iris", &e), 1);
    store_close(s);
    store_close(NULL);
}

static void test_open_readonly(void **state) {
    (void)state;
    fresh_dir("ro");
    lab_err e = {{0}};
    assert_null(store_open_readonly(dir, &e));
    expect_err(&e, "no runs yet");
    expect_err(&e, "lab.db does not exist");
    struct stat sb;
    assert_int_not_equal(stat(dir, &sb), 0); /* nothing was created */
    store *s = open_s();
    char id[33];
    start(s, "a", id);
    logm(s, id, "loss", 1, 0);
    store_close(s);
    s = store_open_readonly(dir, &e);
    assert_non_null(s);
    store_run *r = store_run_get(s, id, &e);
    assert_non_null(r);
    assert_int_equal(r->nmetrics, 1);
    store_runs_free(r, 1);
    /* every write is refused */
    char id2[33];
    assert_int_equal(store_run_start(s, 0, NULL, id2, &e), -1);
    expect_err(&e, "read-only");
    assert_int_equal(store_log_metric(s, id, "loss", 2, 1, 0, &e), -1);
    expect_err(&e, "read-only");
    assert_int_equal(store_log_param(s, id, "k", "v", &e), -1);
    expect_err(&e, "read-only");
    assert_int_equal(store_experiment(s, "nope", &e), -1);
    expect_err(&e, "no experiment 'nope'");
    assert_int_equal(store_experiment(s, "Default", &e), 0);
    store_close(s);
}

/* The store's file as bytes, for before/after comparisons. */
static char *file_bytes(size_t *len) { return slurp(db_path(), len); }

static void assert_unchanged(const char *before, size_t blen) {
    size_t alen;
    char *after = file_bytes(&alen);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    free(after);
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", db_path());
    struct stat sb;
    /* no WAL with content appeared beside it */
    assert_true(stat(wal, &sb) != 0 || sb.st_size == 0);
}

static void test_newer_schema_refused(void **state) {
    (void)state;
    fresh_dir("newer");
    store_close(open_s());
    sql_exec(db_path(), "PRAGMA user_version = 7");
    size_t blen;
    char *before = file_bytes(&blen);
    lab_err e = {{0}};
    assert_null(store_open(dir, &e));
    expect_err(&e, "from a newer lab (schema 7; this lab reads up to 3)");
    expect_err(&e, db_path());
    assert_null(store_open_readonly(dir, &e));
    expect_err(&e, "from a newer lab (schema 7");
    assert_unchanged(before, blen);
    free(before);
}

static void test_foreign_sqlite_refused(void **state) {
    (void)state;
    fresh_dir("foreign");
    assert_int_equal(mkdir(dir, 0777), 0);
    sql_exec(db_path(), "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    size_t blen;
    char *before = file_bytes(&blen);
    lab_err e = {{0}};
    assert_null(store_open(dir, &e));
    expect_err(&e, "is not a lab store");
    assert_null(store_open_readonly(dir, &e));
    expect_err(&e, "is not a lab store");
    assert_unchanged(before, blen);
    free(before);
    /* another application's id, even without tables */
    unlink(db_path());
    sql_exec(db_path(), "PRAGMA application_id = 1234; PRAGMA user_version = 1;");
    before = file_bytes(&blen);
    assert_null(store_open(dir, &e));
    expect_err(&e, "is not a lab store (application id 0x000004d2)");
    assert_unchanged(before, blen);
    free(before);
    /* our id but no tables: a damaged store, not a new one */
    unlink(db_path());
    sql_exec(db_path(), "PRAGMA application_id = 1818321457; PRAGMA user_version = 2; CREATE TABLE x(y);");
    assert_null(store_open(dir, &e));
    expect_err(&e, "is damaged");
}

static void test_damaged_file_refused(void **state) {
    (void)state;
    fresh_dir("damaged");
    assert_int_equal(mkdir(dir, 0777), 0);
    /* garbage bytes */
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)(i * 131 + 7);
    write_file(db_path(), junk, sizeof junk);
    lab_err e = {{0}};
    assert_null(store_open(dir, &e));
    expect_err(&e, "is damaged");
    assert_null(store_open_readonly(dir, &e));
    expect_err(&e, "is damaged");
    size_t len;
    char *after = file_bytes(&len);
    assert_int_equal(len, sizeof junk);
    assert_memory_equal(after, junk, sizeof junk);
    free(after);
    /* a real store cut in half */
    unlink(db_path());
    store *s = open_s();
    char id[33];
    start(s, "big", id);
    for (int i = 0; i < 2000; i++) logm(s, id, "loss", i, i);
    store_close(s);
    size_t full;
    char *bytes = file_bytes(&full);
    assert_true(full > 4 * 4096);
    size_t cut = full / 2 + 100;
    write_file(db_path(), bytes, cut);
    free(bytes);
    size_t blen;
    char *before = file_bytes(&blen);
    assert_null(store_open(dir, &e));
    expect_err(&e, "is damaged (truncated");
    assert_unchanged(before, blen);
    /* cut at a page boundary: the header's size gives it away */
    write_file(db_path(), before, 4 * 4096);
    assert_null(store_open(dir, &e));
    expect_err(&e, "is damaged (truncated");
    free(before);
    /* too short for a header */
    write_file(db_path(), "SQLite", 6);
    assert_null(store_open(dir, &e));
    expect_err(&e, "is damaged");
}

static void test_migration_keeps_v1_data(void **state) {
    (void)state;
    fresh_dir("v1");
    lab_err e = {{0}};
    assert_int_equal(store_create_at_version(dir, 1, &e), 0);
    assert_int_equal(sql_int(db_path(), "PRAGMA user_version"), 1);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM sqlite_master WHERE name = 'models'"), 0);
    /* creating over an existing store, or an unknown version, is refused */
    assert_int_equal(store_create_at_version(dir, 1, &e), -1);
    expect_err(&e, "already exists");
    assert_int_equal(store_create_at_version(dir, 3, &e), -1);
    assert_int_equal(store_create_at_version(dir, 0, &e), -1);
    /* data as a schema-1 lab wrote it */
    sql_exec(db_path(), "INSERT INTO experiments(id, name, created_ms) VALUES(1, 'old', 1);"
                        "INSERT INTO runs(rid, id, experiment, name, status, start_ms, end_ms, host, pid)"
                        " VALUES(1, 'aaaa0000bbbb1111cccc2222dddd3333', 1, 'first', 'finished', 1000, 2000, 'h', 1);"
                        "INSERT INTO params VALUES(1, 'lr', '0.1');"
                        "INSERT INTO metrics VALUES(1, 0, 'loss', 0, 0.5, 1500);"
                        "INSERT INTO metric_last VALUES(1, 'loss', 0, 1500, 0.5, 0.5, 0.5, 1);");
    /* read-only: read as it is, registry empty, file still schema 1 */
    store *s = store_open_readonly(dir, &e);
    assert_non_null(s);
    size_t n;
    store_run *runs = store_runs_list(s, NULL, &n, &e);
    assert_non_null(runs);
    assert_int_equal(n, 1);
    store_runs_free(runs, n);
    store_model *models = store_models_list(s, NULL, &n, &e);
    assert_non_null(models);
    assert_int_equal(n, 0);
    store_models_free(models, n);
    assert_null(store_model_resolve(s, "iris", NULL, &e));
    expect_err(&e, "no model iris");
    store_close(s);
    assert_int_equal(sql_int(db_path(), "PRAGMA user_version"), 1);
    /* a writable open upgrades in place */
    s = open_s();
    assert_int_equal(sql_int(db_path(), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM sqlite_master WHERE name = 'aliases'"), 1);
    store_run *r = store_run_get(s, "aaaa0000", &e);
    assert_non_null(r);
    assert_string_equal(r->name, "first");
    assert_string_equal(r->experiment, "old");
    assert_int_equal(r->status, RUN_FINISHED);
    assert_int_equal(r->nparams, 1);
    assert_string_equal(r->param_values[0], "0.1");
    assert_int_equal(r->nmetrics, 1);
    assert_true(r->metrics[0].value == 0.5);
    store_runs_free(r, 1);
    char *p = store_get_param(s, "aaaa0000bbbb1111cccc2222dddd3333", "lr");
    assert_string_equal(p, "0.1");
    free(p);
    models = store_models_list(s, NULL, &n, &e);
    assert_non_null(models);
    assert_int_equal(n, 0);
    store_models_free(models, n);
    store_close(s);
}

/* ---- experiments and runs ------------------------------------------------------------ */

static void test_experiments(void **state) {
    (void)state;
    fresh_dir("exp");
    store *s = open_s();
    lab_err e = {{0}};
    assert_int_equal(store_experiment(s, "Default", &e), 0);
    int64_t a = store_experiment(s, "iris", &e);
    int64_t b = store_experiment(s, "wine quality", &e);
    assert_true(a > 0 && b > a);
    assert_int_equal(store_experiment(s, "iris", &e), a);
    assert_int_equal(store_experiment(s, "", &e), -1);
    expect_err(&e, "experiment name is empty");
    char longname[260];
    memset(longname, 'x', 201);
    longname[201] = '\0';
    assert_int_equal(store_experiment(s, longname, &e), -1);
    expect_err(&e, "at most 200");
    longname[200] = '\0';
    assert_true(store_experiment(s, longname, &e) > 0);
    assert_int_equal(store_experiment(s, "a\nb", &e), -1);
    expect_err(&e, "control character");
    size_t n;
    char **names = store_experiments(s, &n, &e);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "Default");
    assert_string_equal(names[1], "iris");
    assert_string_equal(names[2], "wine quality");
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    char id[33];
    assert_int_equal(store_run_start(s, 99, NULL, id, &e), -1);
    expect_err(&e, "no experiment with id 99");
    store_close(s);
}

static void test_run_start_end_and_origin(void **state) {
    (void)state;
    fresh_dir("runs");
    store *s = open_s();
    lab_err e = {{0}};
    int64_t exp = store_experiment(s, "iris", &e);
    char id[33], id2[33];
    run_origin o = {
        .name = "train.lua", .source = "notebook train.lua", .session = "7f3a2c", .notebook = "-- %%\nx = 1\n"};
    assert_int_equal(store_run_start(s, exp, &o, id, &e), 0);
    assert_int_equal(strlen(id), 32);
    assert_int_equal(strspn(id, "0123456789abcdef"), 32);
    /* the second run reproduces the first; its default name is run-<id8> */
    run_origin o2 = {.reproduces = id, .source = "reproduce"};
    assert_int_equal(store_run_start(s, 0, &o2, id2, &e), 0);
    assert_string_not_equal(id, id2);
    store_run *r = store_run_get(s, id, &e);
    assert_non_null(r);
    assert_string_equal(r->id, id);
    assert_string_equal(r->experiment, "iris");
    assert_string_equal(r->name, "train.lua");
    assert_int_equal(r->status, RUN_RUNNING);
    assert_string_equal(r->source, "notebook train.lua");
    assert_string_equal(r->session, "7f3a2c");
    assert_string_equal(r->notebook, "-- %%\nx = 1\n");
    assert_string_equal(r->notebook_sha256, "04fff3126120aef155330bc695b224ac92f1b3237d6e5082dcba3e682f222119");
    assert_non_null(r->host);
    assert_string_equal(r->lab_version, LAB_VERSION);
    assert_true(r->start_ms > 1600000000000LL);
    assert_int_equal(r->end_ms, 0);
    assert_null(r->reproduces);
    /* tests run from the repository root: a git checkout */
    if (r->git_commit) {
        assert_int_equal(strlen(r->git_commit), 40);
        assert_true(r->git_dirty == 0 || r->git_dirty == 1);
    }
    store_runs_free(r, 1);
    r = store_run_get(s, id2, &e);
    assert_non_null(r);
    char name[16];
    snprintf(name, sizeof name, "run-%.8s", id2);
    assert_string_equal(r->name, name);
    assert_string_equal(r->reproduces, id);
    assert_string_equal(r->experiment, "Default");
    assert_null(r->notebook);
    store_runs_free(r, 1);
    /* the notebook set later, and its hash: sha256("abc") */
    assert_int_equal(store_run_set_notebook(s, id2, "abc", &e), 0);
    r = store_run_get(s, id2, &e);
    assert_string_equal(r->notebook, "abc");
    assert_string_equal(r->notebook_sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    store_runs_free(r, 1);
    /* ending */
    assert_int_equal(store_run_end(s, id, RUN_FINISHED, &e), 0);
    assert_int_equal(store_run_end(s, id2, RUN_FAILED, &e), 0);
    assert_int_equal(store_run_end(s, id2, RUN_RUNNING, &e), -1);
    expect_err(&e, "not running");
    r = store_run_get(s, id, &e);
    assert_int_equal(r->status, RUN_FINISHED);
    assert_true(r->end_ms >= r->start_ms);
    store_runs_free(r, 1);
    /* a reproduction of a run that is not there */
    run_origin o3 = {.reproduces = "ffffffff"};
    assert_int_equal(store_run_start(s, 0, &o3, id2, &e), -1);
    expect_err(&e, "no run ffffffff");
    o3.name = "bad\tname";
    o3.reproduces = NULL;
    assert_int_equal(store_run_start(s, 0, &o3, id2, &e), -1);
    expect_err(&e, "control character");
    store_close(s);

    /* outside a git checkout: no commit, dirty unknown */
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(root), 0);
    s = open_s();
    start(s, NULL, id);
    r = store_run_get(s, id, &e);
    assert_int_equal(chdir(cwd), 0);
    assert_non_null(r);
    assert_null(r->git_commit);
    assert_int_equal(r->git_dirty, -1);
    store_runs_free(r, 1);
    store_close(s);
}

static void test_status_names(void **state) {
    (void)state;
    assert_string_equal(run_status_name(RUN_RUNNING), "running");
    assert_string_equal(run_status_name(RUN_FINISHED), "finished");
    assert_string_equal(run_status_name(RUN_FAILED), "failed");
    assert_string_equal(run_status_name(RUN_KILLED), "killed");
    assert_int_equal(run_status_parse("killed"), RUN_KILLED);
    assert_int_equal(run_status_parse("finished"), RUN_FINISHED);
    assert_int_equal(run_status_parse("done"), -1);
    assert_int_equal(run_status_parse(NULL), -1);
}

static void test_run_resolve(void **state) {
    (void)state;
    fresh_dir("resolve");
    store *s = open_s();
    store_close(s);
    sql_exec(db_path(), "INSERT INTO runs(id, experiment, name, status, start_ms) VALUES"
                        " ('abcd1111000000000000000000000000', 0, 'a', 'finished', 1),"
                        " ('abcd2222000000000000000000000000', 0, 'b', 'finished', 2),"
                        " ('abce3333000000000000000000000000', 0, 'c', 'finished', 3);");
    s = open_s();
    lab_err e = {{0}};
    char id[33];
    assert_int_equal(store_run_resolve(s, "abcd1", id, &e), 0);
    assert_string_equal(id, "abcd1111000000000000000000000000");
    assert_int_equal(store_run_resolve(s, "ABCE", id, &e), 0); /* case does not matter */
    assert_string_equal(id, "abce3333000000000000000000000000");
    assert_int_equal(store_run_resolve(s, "abcd2222000000000000000000000000", id, &e), 0);
    assert_string_equal(id, "abcd2222000000000000000000000000");
    assert_int_equal(store_run_resolve(s, "abcd", id, &e), -1);
    expect_err(&e, "run prefix abcd is ambiguous (abcd1111..., abcd2222...)");
    assert_int_equal(store_run_resolve(s, "abc", id, &e), -1);
    expect_err(&e, "too short");
    assert_int_equal(store_run_resolve(s, "ffff", id, &e), -1);
    expect_err(&e, "no run ffff");
    expect_err(&e, "lab.db");
    assert_int_equal(store_run_resolve(s, "xyz!", id, &e), -1);
    expect_err(&e, "no run xyz!");
    assert_int_equal(store_run_resolve(s, "", id, &e), -1);
    /* the other functions take prefixes too, and name unknown runs */
    store_run *r = store_run_get(s, "abce", &e);
    assert_non_null(r);
    assert_string_equal(r->name, "c");
    store_runs_free(r, 1);
    assert_null(store_run_get(s, "abcd", &e));
    expect_err(&e, "ambiguous");
    assert_int_equal(store_log_param(s, "0123abcd", "k", "v", &e), -1);
    expect_err(&e, "no run 0123abcd");
    assert_int_equal(store_log_metric(s, "0123abcd", "k", 1, 0, 0, &e), -1);
    expect_err(&e, "no run 0123abcd");
    assert_int_equal(store_set_tag(s, "0123abcd", "k", "v", &e), -1);
    assert_int_equal(store_set_note(s, "0123abcd", "n", &e), -1);
    assert_int_equal(store_run_end(s, "0123abcd", RUN_FINISHED, &e), -1);
    assert_int_equal(store_run_set_notebook(s, "0123abcd", "x", &e), -1);
    assert_null(store_get_param(s, "0123abcd", "k"));
    assert_int_equal(store_metric_count(s, "0123abcd", "k"), 0);
    store_close(s);
}

/* ---- params, tags, notes --------------------------------------------------------------- */

static void test_params_are_immutable(void **state) {
    (void)state;
    fresh_dir("params");
    store *s = open_s();
    char id[33];
    start(s, "p", id);
    lab_err e = {{0}};
    assert_int_equal(store_log_param(s, id, "lr", "0.1", &e), 0);
    assert_int_equal(store_log_param(s, id, "lr", "0.1", &e), 0); /* same value: fine */
    assert_int_equal(store_log_param(s, id, "lr", "0.2", &e), -1);
    expect_err(&e, "param lr is already 0.1; cannot log 0.2 (params are immutable)");
    expect_err(&e, "lab.db");
    char *v = store_get_param(s, id, "lr");
    assert_string_equal(v, "0.1");
    free(v);
    assert_null(store_get_param(s, id, "missing"));
    assert_int_equal(store_log_param(s, id, "", "x", &e), -1);
    expect_err(&e, "param key is empty");
    char big[7000];
    memset(big, 'k', 251);
    big[251] = '\0';
    assert_int_equal(store_log_param(s, id, big, "x", &e), -1);
    expect_err(&e, "at most 250");
    memset(big, 'v', 6001);
    big[6001] = '\0';
    assert_int_equal(store_log_param(s, id, "long", big, &e), -1);
    expect_err(&e, "at most 6000");
    big[6000] = '\0';
    assert_int_equal(store_log_param(s, id, "long", big, &e), 0);
    assert_int_equal(store_log_param(s, id, "none", NULL, &e), -1);
    expect_err(&e, "no value");
    assert_int_equal(store_log_param(s, id, "depth", "3", &e), 0);
    store_run *r = store_run_get(s, id, &e);
    assert_int_equal(r->nparams, 3);
    assert_string_equal(r->param_keys[0], "depth"); /* by key */
    assert_string_equal(r->param_keys[2], "lr");
    store_runs_free(r, 1);
    store_close(s);
}

static void test_tags_and_note(void **state) {
    (void)state;
    fresh_dir("tags");
    store *s = open_s();
    char id[33];
    start(s, "t", id);
    lab_err e = {{0}};
    assert_int_equal(store_set_tag(s, id, "team", "a", &e), 0);
    assert_int_equal(store_set_tag(s, id, "team", "b", &e), 0); /* tags are mutable */
    assert_int_equal(store_set_tag(s, id, "empty", NULL, &e), 0);
    assert_int_equal(store_set_tag(s, id, "", "x", &e), -1);
    expect_err(&e, "tag key is empty");
    char big[8100];
    memset(big, 'v', 8001);
    big[8001] = '\0';
    assert_int_equal(store_set_tag(s, id, "big", big, &e), -1);
    expect_err(&e, "at most 8000");
    assert_int_equal(store_set_note(s, id, "first try\nwith two lines", &e), 0);
    store_run *r = store_run_get(s, id, &e);
    assert_int_equal(r->ntags, 2);
    assert_string_equal(r->tag_keys[1], "team");
    assert_string_equal(r->tag_values[1], "b");
    assert_string_equal(r->tag_values[0], "");
    assert_string_equal(r->note, "first try\nwith two lines");
    store_runs_free(r, 1);
    assert_int_equal(store_set_note(s, id, NULL, &e), 0);
    r = store_run_get(s, id, &e);
    assert_null(r->note);
    store_runs_free(r, 1);
    store_close(s);
}

/* Keys are paths of non-empty parts (they become files and folders in an
 * MLflow export): a key that would climb out of the run's folder, or name no
 * file, is refused for params, metrics and tags alike, saying which rule. */
static void test_key_rules(void **state) {
    (void)state;
    fresh_dir("keys");
    store *s = open_s();
    char id[33];
    start(s, "k", id);
    lab_err e = {{0}};
    static const char *const bad[][2] = {
        {"../../evil", "has a '..' part"}, {"/abs", "starts with '/'"}, {"a//b", "has an empty part ('//')"},
        {"a/./b", "has a '.' part"},       {"a/", "ends with '/'"},     {".", "has a '.' part"},
        {"..", "has a '..' part"},         {"x/..", "has a '..' part"}, {"/", "starts with '/'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *key = bad[i][0];
        assert_int_equal(store_log_metric(s, id, key, 1.0, 0, 0, &e), -1);
        expect_err(&e, "metric key");
        expect_err(&e, key);
        expect_err(&e, bad[i][1]);
        expect_err(&e, "a key is a path of non-empty parts separated by '/', none of them '.' or '..'");
        assert_null(strchr(e.msg, '\n'));
        assert_int_equal(store_log_param(s, id, key, "1", &e), -1);
        expect_err(&e, "param key");
        expect_err(&e, bad[i][1]);
        assert_int_equal(store_set_tag(s, id, key, "x", &e), -1);
        expect_err(&e, "tag key");
        expect_err(&e, bad[i][1]);
    }
    /* what MLflow accepts is fine: folders, dots inside a part */
    assert_int_equal(store_log_metric(s, id, "val/acc", 1.0, 0, 0, &e), 0);
    assert_int_equal(store_log_metric(s, id, "a.b/..c/d..", 1.0, 0, 0, &e), 0);
    assert_int_equal(store_log_param(s, id, "opt/name", "adam", &e), 0);
    assert_int_equal(store_set_tag(s, id, "mlflow.note.content", "x", &e), 0);
    assert_int_equal(store_set_tag(s, id, ".hidden", "x", &e), 0);
    assert_int_equal(store_flush(s, &e), 0);
    store_run *r = store_run_get(s, id, &e);
    assert_non_null(r);
    assert_int_equal(r->nmetrics, 2);
    assert_int_equal(r->nparams, 1);
    assert_int_equal(r->ntags, 2);
    store_runs_free(r, 1);
    store_close(s);
}

/* ---- metrics --------------------------------------------------------------------------------- */

static int64_t committed_points(void) { return sql_int(db_path(), "SELECT count(*) FROM metrics"); }

static void test_metric_buffering(void **state) {
    (void)state;
    fresh_dir("buffer");
    store *s = open_s();
    char id[33];
    start(s, "m", id);
    /* step 0: three metrics, buffered; another connection sees none */
    logm(s, id, "loss", 0.9, 0);
    logm(s, id, "acc", 0.5, 0);
    logm(s, id, "lr", 0.1, 0);
    assert_int_equal(committed_points(), 0);
    assert_int_equal(store_metric_count(s, id, "loss"), 1); /* counted while buffered */
    lab_err e = {{0}};
    assert_int_equal(store_flush(s, &e), 0);
    assert_int_equal(committed_points(), 3);
    assert_int_equal(sql_int(db_path(), "SELECT count FROM metric_last WHERE key = 'loss'"), 1);
    assert_int_equal(store_flush(s, &e), 0); /* nothing buffered: nothing to do */
    assert_int_equal(committed_points(), 3);
    /* sealed steps (in SQLite or the side log, depending on time) and the
     * buffered one: another write commits them all first */
    logm(s, id, "loss", 0.7, 1);
    logm(s, id, "acc", 0.6, 1);
    logm(s, id, "loss", 0.5, 2);
    assert_int_equal(store_metric_count(s, id, "loss"), 3);
    assert_int_equal(store_metric_count(s, id, "lr"), 1);
    assert_int_equal(store_metric_count(s, id, "nothing"), 0);
    assert_int_equal(store_set_tag(s, id, "k", "v", &e), 0);
    assert_int_equal(committed_points(), 6);
    assert_int_equal(sql_int(db_path(), "SELECT count FROM metric_last WHERE key = 'loss'"), 3);
    assert_int_equal(sql_int(db_path(), "SELECT step FROM metric_last WHERE key = 'loss'"), 2);
    /* a point of another run seals the step too; close commits the rest */
    char id2[33];
    start(s, "other", id2);
    logm(s, id2, "loss", 5, 3);
    logm(s, id, "loss", 0.4, 3);
    store_close(s);
    assert_int_equal(committed_points(), 8);
    /* a clean close leaves no side log behind */
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM metric_logs"), 0);
    /* a loop logging at one step forever seals every 256 points */
    s = open_s();
    for (int i = 0; i < 300; i++) logm(s, id, "fixed", i, 0);
    assert_int_equal(store_metric_count(s, id, "fixed"), 300);
    store_close(s);
    assert_int_equal(committed_points(), 8 + 300);
    assert_int_equal(sql_int(db_path(), "SELECT max(seq) FROM metrics WHERE key = 'fixed'"), 299);
    assert_int_equal(sql_int(db_path(), "SELECT count FROM metric_last WHERE key = 'fixed'"), 300);
}

/* A process that dies without closing: every sealed step is recovered from
 * its side log by the next open (whatever was imported already is not
 * imported twice), the unsealed step is lost, and the log is removed. */
static void test_metric_recovery(void **state) {
    (void)state;
    fresh_dir("recover");
    store_close(open_s());
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        lab_err ce;
        store *cs = store_open(dir, &ce);
        char cid[33];
        if (!cs || store_run_start(cs, 0, NULL, cid, &ce) < 0) _exit(2);
        for (int64_t st = 0; st < 2000; st++)
            for (int k = 0; k < 3; k++) {
                const char *keys[] = {"a", "b", "c"};
                if (store_log_metric(cs, cid, keys[k], (double)st, st, 0, &ce) < 0) _exit(3);
            }
        if (store_log_metric(cs, cid, "a", 1, 2000, 0, &ce) < 0) _exit(3); /* seals step 1999 */
        if (write(fd[1], cid, 33) != 33) _exit(4);
        _exit(0); /* no close: as a crash */
    }
    close(fd[1]);
    char id[33];
    assert_int_equal(read(fd[0], id, 33), 33);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(committed_points() <= 6000);
    char logs[600];
    snprintf(logs, sizeof logs, "%s/logs", dir);
    /* a read-only open recovers too (the file is writable) */
    lab_err e = {{0}};
    store *s = store_open_readonly(dir, &e);
    assert_non_null(s);
    store_close(s);
    assert_int_equal(committed_points(), 6000);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM metrics WHERE step = 2000"), 0);
    assert_int_equal(sql_int(db_path(), "SELECT sum(count) FROM metric_last"), 6000);
    assert_int_equal(sql_int(db_path(), "SELECT count(DISTINCT step) FROM metrics"), 2000);
    DIR *d = opendir(logs);
    int left = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (strstr(de->d_name, ".log")) left++;
    if (d) closedir(d);
    assert_int_equal(left, 0);
    /* opening again imports nothing twice */
    store_close(open_s());
    assert_int_equal(committed_points(), 6000);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM metric_logs"), 0);
}

/* A damaged side log: a good batch, one for a run the store does not have
 * (its checksum right), then garbage. The good points are imported, the
 * others dropped, and the log is removed either way. */
static uint32_t fnv(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static size_t batch(unsigned char *out, int64_t rid, int64_t step, const char *key, double v) {
    unsigned char pay[256];
    size_t n = 0;
    uint32_t np = 1;
    int64_t ts = 1000;
    uint16_t kl = (uint16_t)strlen(key);
    memcpy(pay + n, &rid, 8), n += 8;
    memcpy(pay + n, &step, 8), n += 8;
    memcpy(pay + n, &np, 4), n += 4;
    memcpy(pay + n, &ts, 8), n += 8;
    memcpy(pay + n, &v, 8), n += 8;
    memcpy(pay + n, &kl, 2), n += 2;
    memcpy(pay + n, key, kl), n += kl;
    uint32_t magic = 0x314d424cu, len = (uint32_t)n, sum = fnv(pay, n);
    memcpy(out, &magic, 4);
    memcpy(out + 4, &len, 4);
    memcpy(out + 8, &sum, 4);
    memcpy(out + 12, pay, n);
    return 12 + n;
}

static void test_damaged_metric_log(void **state) {
    (void)state;
    fresh_dir("damaged-log");
    store *s = open_s();
    char id[33];
    start(s, "m", id);
    store_close(s);
    int64_t rid = sql_int(db_path(), "SELECT rid FROM runs");
    unsigned char buf[1024];
    size_t n = batch(buf, rid, 1, "loss", 0.5);
    n += batch(buf + n, rid + 1000, 1, "loss", 0.7); /* no such run */
    memcpy(buf + n, "garbage!", 8), n += 8;
    char logs[600], path[700];
    snprintf(logs, sizeof logs, "%s/logs", dir);
    mkdir(logs, 0777);
    snprintf(path, sizeof path, "%s/9-damaged.log", logs);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    store_close(open_s());
    assert_int_equal(committed_points(), 1);
    assert_int_equal(sql_int(db_path(), "SELECT count FROM metric_last WHERE key = 'loss'"), 1);
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_metric_values_and_history(void **state) {
    (void)state;
    fresh_dir("history");
    store *s = open_s();
    char id[33];
    start(s, "h", id);
    lab_err e = {{0}};
    /* out of order, a repeated step, a NaN and an infinity */
    assert_int_equal(store_log_metric(s, id, "loss", 3.0, 0, 1000, &e), 0);
    assert_int_equal(store_log_metric(s, id, "loss", 2.0, 1, 2000, &e), 0);
    assert_int_equal(store_log_metric(s, id, "loss", 9.0, 5, 3000, &e), 0);
    assert_int_equal(store_log_metric(s, id, "loss", 1.0, 2, 4000, &e), 0); /* later in time, earlier step */
    assert_int_equal(store_log_metric(s, id, "loss", NAN, 3, 5000, &e), 0);
    assert_int_equal(store_log_metric(s, id, "loss", 0.5, 2, 6000, &e), 0);  /* step 2 again */
    assert_int_equal(store_log_metric(s, id, "loss", 0.25, 2, 6000, &e), 0); /* and again, same time */
    assert_int_equal(store_log_metric(s, id, "big", INFINITY, 0, 1000, &e), 0);
    assert_int_equal(store_log_metric(s, id, "", 1, 0, 0, &e), -1);
    expect_err(&e, "metric key is empty");
    assert_int_equal(store_log_metric(s, id, "a\tb", 1, 0, 0, &e), -1);
    expect_err(&e, "control character");
    assert_int_equal(store_metric_count(s, id, "loss"), 7);
    int64_t *steps, *ts;
    double *values;
    long n = store_metric_history(s, id, "loss", &steps, &values, &ts, &e);
    assert_int_equal(n, 7);
    int64_t want_steps[] = {0, 1, 2, 2, 2, 3, 5};
    int64_t want_ts[] = {1000, 2000, 4000, 6000, 6000, 5000, 3000};
    for (long i = 0; i < n; i++) {
        assert_int_equal(steps[i], want_steps[i]);
        assert_int_equal(ts[i], want_ts[i]);
    }
    assert_true(values[0] == 3.0 && values[2] == 1.0 && values[3] == 0.5 && values[4] == 0.25);
    assert_true(isnan(values[5]));
    free(steps);
    free(values);
    free(ts);
    /* without timestamps; an unknown key is an empty history */
    n = store_metric_history(s, id, "big", &steps, &values, NULL, &e);
    assert_int_equal(n, 1);
    assert_true(isinf(values[0]));
    free(steps);
    free(values);
    n = store_metric_history(s, id, "none", &steps, &values, NULL, &e);
    assert_int_equal(n, 0);
    free(steps);
    free(values);
    assert_int_equal(store_metric_history(s, "ffffffff", "loss", &steps, &values, NULL, &e), -1);
    expect_err(&e, "no run ffffffff");
    /* the summary: latest by (step, ts, value), min and max without NaN */
    store_run *r = store_run_get(s, id, &e);
    assert_int_equal(r->nmetrics, 2);
    assert_string_equal(r->metrics[0].key, "big");
    assert_true(isinf(r->metrics[0].value));
    const store_metric_last *m = &r->metrics[1];
    assert_string_equal(m->key, "loss");
    assert_true(m->value == 9.0);
    assert_int_equal(m->step, 5);
    assert_true(m->min == 0.25);
    assert_true(m->max == 9.0);
    assert_int_equal(m->count, 7);
    store_runs_free(r, 1);
    /* a NaN as the latest point */
    assert_int_equal(store_log_metric(s, id, "nan", NAN, 0, 0, &e), 0);
    r = store_run_get(s, id, &e);
    assert_string_equal(r->metrics[2].key, "nan");
    assert_true(isnan(r->metrics[2].value) && isnan(r->metrics[2].min) && isnan(r->metrics[2].max));
    store_runs_free(r, 1);
    store_close(s);
}

/* ---- artifacts and data sets ------------------------------------------------------------------ */

static void test_file_sha256(void **state) {
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/abc.txt", root);
    write_file(path, "abc", 3);
    char hex[65];
    lab_err e = {{0}};
    assert_int_equal(store_file_sha256(path, hex, &e), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    write_file(path, "", 0);
    assert_int_equal(store_file_sha256(path, hex, &e), 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    snprintf(path, sizeof path, "%s/missing", root);
    assert_int_equal(store_file_sha256(path, hex, &e), -1);
    expect_err(&e, "missing");
}

static void test_artifacts(void **state) {
    (void)state;
    fresh_dir("artifacts");
    store *s = open_s();
    char id[33];
    start(s, "a", id);
    char src[300];
    snprintf(src, sizeof src, "%s/plot.png", root);
    write_file(src, "abc", 3);
    lab_err e = {{0}};
    assert_int_equal(store_add_artifact(s, id, "plots/fit.png", src, &e), 0);
    char *p = store_artifact_path(s, id, "plots/fit.png", &e);
    assert_non_null(p);
    char want[400];
    snprintf(want, sizeof want, "%s/artifacts/%s/plots/fit.png", dir, id);
    assert_string_equal(p, want);
    size_t len;
    char *bytes = slurp(p, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(bytes, "abc", 3);
    free(bytes);
    /* no temporary file is left beside it */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s/artifacts/%s/plots' | wc -l) -eq 1", dir, id);
    assert_int_equal(system(cmd), 0);
    /* replaced: new bytes, new row */
    write_file(src, "abcd", 4);
    assert_int_equal(store_add_artifact(s, id, "plots/fit.png", src, &e), 0);
    bytes = slurp(p, &len);
    assert_int_equal(len, 4);
    free(bytes);
    free(p);
    store_run *r = store_run_get(s, id, &e);
    assert_int_equal(r->nartifacts, 1);
    assert_string_equal(r->artifacts[0].name, "plots/fit.png");
    assert_int_equal(r->artifacts[0].size, 4);
    assert_string_equal(r->artifacts[0].sha256, "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
    store_runs_free(r, 1);
    /* names */
    const char *bad[] = {"", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a/", ".", ".tmp-1", "a\nb"};
    char id8[9];
    snprintf(id8, sizeof id8, "%.8s", id);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(store_add_artifact(s, id, bad[i], src, &e), -1);
        expect_err(&e, id8);
    }
    assert_int_equal(store_add_artifact(s, id, "../x", src, &e), -1);
    expect_err(&e, "'..'");
    assert_int_equal(store_add_artifact(s, id, "/abs", src, &e), -1);
    expect_err(&e, "relative");
    /* a source that is not there, or a folder */
    assert_int_equal(store_add_artifact(s, id, "x.txt", "/nonexistent/file", &e), -1);
    expect_err(&e, "/nonexistent/file");
    assert_int_equal(store_add_artifact(s, id, "x.txt", root, &e), -1);
    expect_err(&e, "not a regular file");
    assert_null(store_artifact_path(s, id, "x.txt", &e));
    expect_err(&e, "has no artifact 'x.txt'");
    assert_int_equal(store_add_artifact(s, "ffffffff", "x.txt", src, &e), -1);
    expect_err(&e, "no run ffffffff");
    store_close(s);
}

static void test_datasets(void **state) {
    (void)state;
    fresh_dir("datasets");
    store *s = open_s();
    char id[33];
    start(s, "d", id);
    lab_err e = {{0}};
    store_dataset d = {.path = "data/iris.csv",
                       .sha256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                       .rows = 150,
                       .cols = 5,
                       .schema = "sepal_length:number,species:string"};
    assert_int_equal(store_add_dataset(s, id, &d, &e), 0);
    assert_int_equal(store_add_dataset(s, id, &d, &e), 0); /* same path and hash: one row */
    store_dataset q = {.path = "db.sqlite",
                       .sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                       .rows = 3,
                       .cols = 2,
                       .query = "SELECT a, b FROM t"};
    assert_int_equal(store_add_dataset(s, id, &q, &e), 0);
    store_dataset bad = d;
    bad.sha256 = "abc";
    assert_int_equal(store_add_dataset(s, id, &bad, &e), -1);
    expect_err(&e, "64 hex digits");
    bad = d;
    bad.path = "";
    assert_int_equal(store_add_dataset(s, id, &bad, &e), -1);
    expect_err(&e, "needs a path");
    assert_int_equal(store_add_dataset(s, id, NULL, &e), -1);
    store_run *r = store_run_get(s, id, &e);
    assert_int_equal(r->ndatasets, 2);
    assert_string_equal(r->datasets[0].path, "data/iris.csv");
    assert_string_equal(r->datasets[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(r->datasets[0].rows, 150);
    assert_int_equal(r->datasets[0].cols, 5);
    assert_string_equal(r->datasets[0].schema, "sepal_length:number,species:string");
    assert_null(r->datasets[0].query);
    assert_string_equal(r->datasets[1].query, "SELECT a, b FROM t");
    store_runs_free(r, 1);
    store_close(s);
}

/* ---- the registry ------------------------------------------------------------------------------- */

/* A fitted linear model on x1 (number) and x2 (integer), saved at path. */
static void save_model(const char *path, double slope) {
    frame *f = frame_new();
    column *x1 = col_new(COL_NUMBER, 20, NULL), *x2 = col_new(COL_INTEGER, 20, NULL),
           *y = col_new(COL_NUMBER, 20, NULL);
    for (size_t i = 0; i < 20; i++) {
        x1->f64[i] = (double)i;
        x2->i64[i] = (int64_t)(i % 3);
        y->f64[i] = slope * (double)i + (double)(i % 3) + 0.01 * (double)(i % 2);
    }
    frame_set_column(f, "x1", x1, NULL);
    frame_set_column(f, "x2", x2, NULL);
    frame_set_column(f, "y", y, NULL);
    lab_err e;
    model *m = model_new("linear", &e);
    assert_non_null(m);
    const char *feats[] = {"x1", "x2"};
    if (model_fit(m, f, "y", feats, 2, NULL, &e) != 0) fail_msg("fit: %s", e.msg);
    if (model_save(m, path, &e) != 0) fail_msg("save: %s", e.msg);
    model_free(m);
    frame_free(f);
}

static void test_registry(void **state) {
    (void)state;
    fresh_dir("registry");
    store *s = open_s();
    char id[33], id2[33];
    start(s, "r", id);
    start(s, "r2", id2);
    lab_err e = {{0}};
    char mpath[300], junk[300];
    snprintf(mpath, sizeof mpath, "%s/m.labm", root);
    snprintf(junk, sizeof junk, "%s/junk.labm", root);
    save_model(mpath, 2);
    write_file(junk, "not a model", 11);

    /* a run without a model artifact */
    assert_int_equal(store_register(s, id, "iris", NULL, &e), -1);
    expect_err(&e, "has no model artifact");
    assert_int_equal(store_add_artifact(s, id, "models/m.labm", mpath, &e), 0);
    assert_int_equal(store_register(s, id, "iris", NULL, &e), 1);
    assert_int_equal(store_register(s, id, "iris", "models/m.labm", &e), 2);
    char want[400];
    snprintf(want, sizeof want, "%s/models/iris/2.labm", dir);
    struct stat sb;
    assert_int_equal(stat(want, &sb), 0);
    /* two model artifacts: name one */
    assert_int_equal(store_add_artifact(s, id, "junk.labm", junk, &e), 0);
    assert_int_equal(store_register(s, id, "iris", NULL, &e), -1);
    expect_err(&e, "has 2 model artifacts (junk.labm, models/m.labm)");
    /* not a model file */
    assert_int_equal(store_register(s, id, "iris", "junk.labm", &e), -1);
    expect_err(&e, "artifact junk.labm is not a model file");
    /* no such artifact, bad names, unknown run */
    assert_int_equal(store_register(s, id, "iris", "other.labm", &e), -1);
    expect_err(&e, "has no artifact 'other.labm'");
    assert_int_equal(store_register(s, id, "bad name", NULL, &e), -1);
    expect_err(&e, "model name 'bad name'");
    assert_int_equal(store_register(s, id, "..", NULL, &e), -1);
    assert_int_equal(store_register(s, id, "a/b", NULL, &e), -1);
    assert_int_equal(store_register(s, "ffffffff", "iris", NULL, &e), -1);
    expect_err(&e, "no run ffffffff");
    /* an artifact changed after it was stored */
    char *apath = store_artifact_path(s, id, "models/m.labm", &e);
    save_model(apath, 3);
    assert_int_equal(store_register(s, id, "iris", "models/m.labm", &e), -1);
    expect_err(&e, "was changed after it was stored");
    free(apath);
    /* the second run's model: version 3 of iris, and another model */
    save_model(mpath, 5);
    assert_int_equal(store_add_artifact(s, id2, "model.labm", mpath, &e), 0);
    assert_int_equal(store_register(s, id2, "iris", NULL, &e), 3);
    assert_int_equal(store_register(s, id2, "wine.v2", NULL, &e), 1);
    /* no temporary files left in the model folder */
    char cmd[500];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s/models/iris' | wc -l) -eq 3", dir);
    assert_int_equal(system(cmd), 0);

    /* aliases */
    assert_int_equal(store_set_alias(s, "iris", 1, "production", &e), 0);
    assert_int_equal(store_set_alias(s, "iris", 2, "staging", &e), 0);
    assert_int_equal(store_set_alias(s, "iris", 2, "production", &e), 0); /* moved */
    assert_int_equal(store_set_alias(s, "iris", 9, "x", &e), -1);
    expect_err(&e, "model iris has no version 9");
    expect_err(&e, "versions 1-3");
    assert_int_equal(store_set_alias(s, "nope", 1, "x", &e), -1);
    expect_err(&e, "no model nope");
    assert_int_equal(store_set_alias(s, "iris", 1, "bad alias", &e), -1);
    expect_err(&e, "alias 'bad alias'");
    assert_int_equal(store_set_alias(s, "iris", 1, "a.b", &e), -1);

    /* references */
    int v = 0;
    char *p = store_model_resolve(s, "iris", &v, &e);
    assert_non_null(p);
    assert_int_equal(v, 3);
    snprintf(want, sizeof want, "%s/models/iris/3.labm", dir);
    assert_string_equal(p, want);
    free(p);
    p = store_model_resolve(s, "iris@production", &v, &e);
    assert_non_null(p);
    assert_int_equal(v, 2);
    free(p);
    p = store_model_resolve(s, "iris:1", NULL, &e);
    assert_non_null(p);
    model *m = model_load(p, &e); /* the registered copy loads */
    assert_non_null(m);
    model_free(m);
    free(p);
    assert_null(store_model_resolve(s, "iris@canary", &v, &e));
    expect_err(&e, "model iris has no alias canary");
    expect_err(&e, "production, staging");
    assert_null(store_model_resolve(s, "iris:7", &v, &e));
    expect_err(&e, "model iris has no version 7");
    assert_null(store_model_resolve(s, "rose", &v, &e));
    expect_err(&e, "no model 'rose' in ");
    /* a misspelt name gets a suggestion */
    assert_null(store_model_resolve(s, "iri", &v, &e));
    assert_string_equal(e.msg, "no model 'iri' (did you mean 'iris'?)");
    assert_null(store_model_resolve(s, "irsi@production", &v, &e));
    assert_string_equal(e.msg, "no model 'irsi' (did you mean 'iris'?)");
    assert_null(store_model_resolve(s, "a/b.labm", &v, &e));
    expect_err(&e, "not a model reference");
    /* NAME:REST and NAME@REST are registry references: registry errors */
    assert_null(store_model_resolve(s, "iris:0", &v, &e));
    assert_string_equal(e.msg, "iris:0: versions start at 1");
    assert_null(store_model_resolve(s, "iris:-1", &v, &e));
    assert_string_equal(e.msg, "iris:-1: versions start at 1");
    assert_null(store_model_resolve(s, "iris:abc", &v, &e));
    assert_string_equal(e.msg, "iris:abc: a version is a whole number (NAME:1, NAME:2, ...)");
    assert_null(store_model_resolve(s, "iris:", &v, &e));
    expect_err(&e, "a version is a whole number");
    assert_null(store_model_resolve(s, "iris@", &v, &e));
    assert_string_equal(e.msg, "iris@: an alias is [A-Za-z0-9_-]+");
    assert_null(store_model_resolve(s, "iris@a.b", &v, &e));
    assert_string_equal(e.msg, "iris@a.b: an alias is [A-Za-z0-9_-]+");
    assert_null(store_model_resolve(s, "iris:99999999999999999999", &v, &e));
    expect_err(&e, "model iris has no version 99999999999999999999");
    expect_err(&e, "versions 1-3");
    /* a registered file changed behind the store's back */
    snprintf(want, sizeof want, "%s/models/iris/1.labm", dir);
    save_model(want, 7);
    assert_null(store_model_resolve(s, "iris:1", &v, &e));
    expect_err(&e, "was changed after it was registered");
    expect_err(&e, want);
    unlink(want);
    assert_null(store_model_resolve(s, "iris:1", &v, &e));
    expect_err(&e, "is missing");

    /* listing */
    size_t n;
    store_model *ms = store_models_list(s, NULL, &n, &e);
    assert_non_null(ms);
    assert_int_equal(n, 2);
    assert_string_equal(ms[0].name, "iris");
    assert_int_equal(ms[0].nversions, 3);
    assert_int_equal(ms[0].versions[0].version, 1);
    assert_string_equal(ms[0].versions[0].run, id);
    assert_string_equal(ms[0].versions[2].run, id2);
    assert_string_equal(ms[0].versions[0].kind, "linear");
    assert_string_equal(ms[0].versions[0].schema, "x1:number,x2:integer");
    assert_int_equal(strlen(ms[0].versions[0].sha256), 64);
    assert_string_equal(ms[0].versions[0].path, want);
    assert_true(ms[0].versions[0].created_ms > 0 && ms[0].created_ms > 0);
    assert_int_equal(ms[0].versions[0].naliases, 0);
    assert_int_equal(ms[0].versions[1].naliases, 2);
    assert_string_equal(ms[0].versions[1].aliases[0], "production");
    assert_string_equal(ms[0].versions[1].aliases[1], "staging");
    assert_string_equal(ms[1].name, "wine.v2");
    store_models_free(ms, n);
    ms = store_models_list(s, "wine.v2", &n, &e);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].nversions, 1);
    store_models_free(ms, n);
    assert_null(store_models_list(s, "nope", &n, &e));
    expect_err(&e, "no model nope");
    store_close(s);
}

static void test_is_model_ref(void **state) {
    (void)state;
    assert_true(store_is_model_ref("iris"));
    assert_true(store_is_model_ref("iris@production"));
    assert_true(store_is_model_ref("iris:12"));
    assert_true(store_is_model_ref("wine.v2-final_3"));
    assert_false(store_is_model_ref("models/iris.labm"));
    assert_false(store_is_model_ref("iris.labm"));
    assert_false(store_is_model_ref("old.lab"));
    assert_false(store_is_model_ref("store.db"));
    /* NAME:REST and NAME@REST go to the registry, which says what is wrong
     * with REST (rather than a file loader's "cannot open") */
    assert_true(store_is_model_ref("iris:"));
    assert_true(store_is_model_ref("iris:x"));
    assert_true(store_is_model_ref("iris:0"));
    assert_true(store_is_model_ref("iris:-1"));
    assert_true(store_is_model_ref("iris@"));
    assert_true(store_is_model_ref("iris@a.b"));
    assert_false(store_is_model_ref("iris@x/y"));
    assert_false(store_is_model_ref("iris:1.labm"));
    assert_false(store_is_model_ref("@prod"));
    assert_false(store_is_model_ref(":1"));
    assert_false(store_is_model_ref("a b"));
    assert_false(store_is_model_ref("a b:1"));
    assert_false(store_is_model_ref(""));
    assert_false(store_is_model_ref(".."));
    assert_false(store_is_model_ref(NULL));
}

/* ---- listing --------------------------------------------------------------------------------- */

static void test_runs_list(void **state) {
    (void)state;
    fresh_dir("list");
    store *s = open_s();
    lab_err e = {{0}};
    int64_t iris = store_experiment(s, "iris", &e);
    char ids[5][33];
    double acc[5] = {0.8, 0.95, 0.9, -1, 0.7}; /* run 3 has no accuracy */
    for (int i = 0; i < 5; i++) {
        run_origin o = {0};
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        o.name = name;
        assert_int_equal(store_run_start(s, i < 3 ? iris : 0, &o, ids[i], &e), 0);
        if (acc[i] >= 0) {
            logm(s, ids[i], "accuracy", acc[i] - 0.1, 0);
            logm(s, ids[i], "accuracy", acc[i], 1);
        }
        logm(s, ids[i], "loss", 1 - i * 0.1, 0);
        if (i != 4) assert_int_equal(store_run_end(s, ids[i], i == 2 ? RUN_FAILED : RUN_FINISHED, &e), 0);
        /* distinct start times */
        struct timespec ts = {0, 3 * 1000000};
        nanosleep(&ts, NULL);
    }
    size_t n;
    /* everything, newest first, with last metrics */
    store_run *r = store_runs_list(s, NULL, &n, &e);
    assert_int_equal(n, 5);
    assert_string_equal(r[0].name, "r4");
    assert_string_equal(r[4].name, "r0");
    assert_int_equal(r[0].status, RUN_RUNNING);
    assert_int_equal(r[4].nmetrics, 2);
    assert_string_equal(r[4].metrics[0].key, "accuracy");
    assert_true(r[4].metrics[0].value == 0.8);
    assert_int_equal(r[4].metrics[0].count, 2);
    assert_null(r[4].notebook);
    assert_int_equal(r[4].nparams, 0);
    store_runs_free(r, n);
    /* by experiment */
    store_run_filter f = {.status = -1, .experiment = "iris"};
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 3);
    store_runs_free(r, n);
    f.experiment = "no such";
    r = store_runs_list(s, &f, &n, &e);
    assert_non_null(r); /* an empty list, not an error */
    assert_int_equal(n, 0);
    store_runs_free(r, n);
    /* by status */
    f = (store_run_filter){.status = RUN_FAILED};
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "r2");
    store_runs_free(r, n);
    f.status = RUN_RUNNING;
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "r4");
    store_runs_free(r, n);
    f.status = RUN_KILLED;
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 0);
    store_runs_free(r, n);
    /* a metric condition */
    f = (store_run_filter){.status = -1, .metric = "accuracy", .op = ">=", .value = 0.8};
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 3);
    store_runs_free(r, n);
    f.op = "<";
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "r4");
    store_runs_free(r, n);
    f.op = "!=";
    f.value = 0.9;
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 3);
    store_runs_free(r, n);
    f.op = "~";
    assert_null(store_runs_list(s, &f, &n, &e));
    expect_err(&e, "one of < <= > >= = !=");
    f.op = NULL;
    assert_null(store_runs_list(s, &f, &n, &e));
    /* sorted by a metric: runs without it last */
    f = (store_run_filter){.status = -1, .sort_metric = "accuracy", .descending = 1};
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 5);
    const char *desc[] = {"r1", "r2", "r0", "r4", "r3"};
    for (size_t i = 0; i < n; i++) assert_string_equal(r[i].name, desc[i]);
    store_runs_free(r, n);
    f.descending = 0;
    f.limit = 2;
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].name, "r4");
    assert_string_equal(r[1].name, "r0");
    store_runs_free(r, n);
    /* limit with a status that is decided after reading */
    f = (store_run_filter){.status = RUN_RUNNING, .limit = 1};
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 1);
    store_runs_free(r, n);
    f.status = 9;
    assert_null(store_runs_list(s, &f, &n, &e));
    store_close(s);
}

/* More runs than the per-run lookup handles: the one-pass path. */
static void test_runs_list_many(void **state) {
    (void)state;
    fresh_dir("many");
    store *s = open_s();
    char ids[150][33];
    for (int i = 0; i < 150; i++) {
        start(s, NULL, ids[i]);
        logm(s, ids[i], "m", i, 0);
        if (i % 2) logm(s, ids[i], "odd", i, 0);
    }
    lab_err e = {{0}};
    size_t n;
    store_run *r = store_runs_list(s, NULL, &n, &e);
    assert_int_equal(n, 150);
    for (size_t i = 0; i < n; i++) {
        int k = -1;
        for (int j = 0; j < 150; j++)
            if (strcmp(ids[j], r[i].id) == 0) k = j;
        assert_true(k >= 0);
        assert_int_equal(r[i].nmetrics, k % 2 ? 2 : 1);
        assert_true(r[i].metrics[0].value == k);
    }
    store_runs_free(r, n);
    store_close(s);
}

/* ---- processes ---------------------------------------------------------------------------------- */

static void test_dead_run_reads_as_killed(void **state) {
    (void)state;
    fresh_dir("dead");
    store_close(open_s());
    /* a child starts a run, logs, and dies without ending it */
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        lab_err ce;
        store *cs = store_open(dir, &ce);
        char cid[33];
        if (!cs || store_run_start(cs, 0, NULL, cid, &ce) < 0) _exit(2);
        if (store_log_metric(cs, cid, "loss", 1, 0, 5000000000000LL, &ce) < 0 || store_flush(cs, &ce) < 0) _exit(3);
        if (write(fd[1], cid, 33) != 33) _exit(4);
        _exit(0); /* no end, no close */
    }
    close(fd[1]);
    char id[33] = "";
    assert_int_equal(read(fd[0], id, 33), 33);
    close(fd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
    /* read-only: read as killed, ended at its last metric; the row stays */
    lab_err e = {{0}};
    store *s = store_open_readonly(dir, &e);
    assert_non_null(s);
    store_run *r = store_run_get(s, id, &e);
    assert_int_equal(r->status, RUN_KILLED);
    assert_int_equal(r->end_ms, 5000000000000LL);
    store_runs_free(r, 1);
    store_run_filter f = {.status = RUN_KILLED};
    size_t n;
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].end_ms, 5000000000000LL);
    store_runs_free(r, n);
    f.status = RUN_RUNNING;
    r = store_runs_list(s, &f, &n, &e);
    assert_int_equal(n, 0);
    store_runs_free(r, n);
    store_close(s);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
    /* a writable open records it */
    s = open_s();
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM runs WHERE status = 'killed'"), 1);
    assert_int_equal(sql_int(db_path(), "SELECT end_ms FROM runs"), 5000000000000LL);
    /* this process's own running run is alive */
    char mine[33];
    start(s, "mine", mine);
    r = store_run_get(s, mine, &e);
    assert_int_equal(r->status, RUN_RUNNING);
    store_runs_free(r, 1);
    /* a live pid that another process had when the run started (pid reuse):
     * the recorded process start tells them apart */
    char sql[400];
    snprintf(sql, sizeof sql, "UPDATE runs SET proc_start = proc_start + 1 WHERE id = '%s'", mine);
    sql_exec(db_path(), sql);
    r = store_run_get(s, mine, &e);
    assert_int_equal(r->status, RUN_KILLED);
    store_runs_free(r, 1);
    /* another host's running run is left alone */
    snprintf(sql, sizeof sql, "UPDATE runs SET host = 'elsewhere.example' WHERE id = '%s'", mine);
    sql_exec(db_path(), sql);
    r = store_run_get(s, mine, &e);
    assert_int_equal(r->status, RUN_RUNNING);
    store_runs_free(r, 1);
    store_close(s);
}

/* A child logging as fast as it can reports each step once the next one
 * started (so the step is committed); after kill -9 every reported step
 * is in the store and the file checks out. */
static void test_kill9_loses_at_most_one_step(void **state) {
    (void)state;
    fresh_dir("kill");
    store_close(open_s());
    unsigned seed = (unsigned)time(NULL);
    for (int round = 0; round < 8; round++) {
        int fd[2];
        assert_int_equal(pipe(fd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fd[0]);
            lab_err ce;
            store *cs = store_open(dir, &ce);
            char cid[33];
            if (!cs || store_run_start(cs, 0, NULL, cid, &ce) < 0) _exit(2);
            if (write(fd[1], cid, 33) != 33) _exit(4);
            for (int64_t st = 0;; st++) {
                for (int k = 0; k < 3; k++) {
                    const char *keys[] = {"a", "b", "c"};
                    if (store_log_metric(cs, cid, keys[k], (double)st, st, 0, &ce) < 0) _exit(3);
                    /* the first point of step st committed step st - 1 */
                    if (k == 0 && st > 0 && write(fd[1], &st, sizeof st) != sizeof st) _exit(5);
                }
            }
        }
        close(fd[1]);
        char id[33];
        assert_int_equal(read(fd[0], id, 33), 33);
        struct timespec ts = {0, (long)(rand_r(&seed) % 150 + 5) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        int64_t acked = 0, v;
        while (read(fd[0], &v, sizeof v) == sizeof v) acked = v; /* steps < acked are committed */
        close(fd[0]);
        char sql[300];
        assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
                         1);
        /* the next open imports what the dead process's side log holds */
        store_close(open_s());
        assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
                         1);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM metrics m JOIN runs r ON r.rid = m.run WHERE r.id = '%s' AND m.step < %lld", id,
                 (long long)acked);
        assert_int_equal(sql_int(db_path(), sql), 3 * acked);
        /* and the summary agrees with the points */
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM metrics m JOIN runs r ON r.rid = m.run WHERE r.id = '%s') ="
                 " (SELECT coalesce(sum(count), 0) FROM metric_last l JOIN runs r ON r.rid = l.run WHERE r.id = '%s')",
                 id, id);
        assert_int_equal(sql_int(db_path(), sql), 1);
    }
    /* the next open records the dead runs as killed */
    store_close(open_s());
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM runs WHERE status = 'killed'"), 8);
}

/* Two processes write their own runs while this one lists: nobody fails
 * on a busy store, and every point is there. */
static void test_two_writers_and_a_reader(void **state) {
    (void)state;
    fresh_dir("concurrent");
    store_close(open_s());
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            lab_err ce;
            store *cs = store_open(dir, &ce);
            char cid[33];
            if (!cs || store_run_start(cs, 0, NULL, cid, &ce) < 0) _exit(2);
            for (int64_t st = 0; st < 400; st++) {
                if (store_log_metric(cs, cid, "loss", 1.0 / (double)(st + 1), st, 0, &ce) < 0) _exit(3);
                if (store_log_metric(cs, cid, "acc", (double)st, st, 0, &ce) < 0) _exit(3);
                if (st % 50 == 0 && store_log_param(cs, cid, k ? "p1" : "p0", "x", &ce) < 0) _exit(4);
            }
            if (store_run_end(cs, cid, RUN_FINISHED, &ce) < 0) _exit(5);
            store_close(cs);
            _exit(0);
        }
    }
    lab_err e = {{0}};
    store *s = store_open_readonly(dir, &e);
    assert_non_null(s);
    int alive = 2, lists = 0;
    while (alive) {
        size_t n;
        store_run *r = store_runs_list(s, NULL, &n, &e);
        if (!r) fail_msg("list while writing: %s", e.msg);
        store_runs_free(r, n);
        lists++;
        int status;
        pid_t done = waitpid(-1, &status, WNOHANG);
        if (done > 0) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail_msg("a writer failed (status %d)", status);
            alive--;
        }
    }
    assert_true(lists > 0);
    size_t n;
    store_run *r = store_runs_list(s, NULL, &n, &e);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].status, RUN_FINISHED);
        assert_int_equal(r[i].nmetrics, 2);
        assert_int_equal(r[i].metrics[0].count, 400);
        assert_int_equal(r[i].metrics[0].step, 399);
    }
    store_runs_free(r, n);
    store_close(s);
    assert_int_equal(sql_int(db_path(), "SELECT count(*) FROM metrics"), 1600);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_the_store),
        cmocka_unit_test(test_open_readonly),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_foreign_sqlite_refused),
        cmocka_unit_test(test_damaged_file_refused),
        cmocka_unit_test(test_migration_keeps_v1_data),
        cmocka_unit_test(test_experiments),
        cmocka_unit_test(test_run_start_end_and_origin),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_run_resolve),
        cmocka_unit_test(test_params_are_immutable),
        cmocka_unit_test(test_tags_and_note),
        cmocka_unit_test(test_key_rules),
        cmocka_unit_test(test_metric_buffering),
        cmocka_unit_test(test_metric_recovery),
        cmocka_unit_test(test_damaged_metric_log),
        cmocka_unit_test(test_metric_values_and_history),
        cmocka_unit_test(test_file_sha256),
        cmocka_unit_test(test_artifacts),
        cmocka_unit_test(test_datasets),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_is_model_ref),
        cmocka_unit_test(test_runs_list),
        cmocka_unit_test(test_runs_list_many),
        cmocka_unit_test(test_dead_run_reads_as_killed),
        cmocka_unit_test(test_kill9_loses_at_most_one_step),
        cmocka_unit_test(test_two_writers_and_a_reader),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
