/* test_export.c — the MLflow file-store export (engine/track/export.c) against
 * ../shared/design/mlflow-export.md: the folder layout, every meta.yaml's keys
 * in alphabetical order with MLflow's values (quoted ids, status numbers,
 * file URIs of the final folder), params and tags as bare values without a
 * newline, one "<ms> <value> <step>" line per metric point (nan, inf and
 * subnormals in their shortest text included), system tags, artifacts copied
 * byte for byte, and the registry (models/<name>/meta.yaml,
 * version-<N>/meta.yaml, aliases/<alias>). Also what the target folder may
 * be: new, empty, or an earlier export (replaced whole); anything else, and
 * the current folder or one holding it, is refused and left untouched. Keys
 * an older store holds that cannot be file names are skipped, each reported,
 * and the export goes on. The YAML is parsed with PyYAML, when it is
 * installed, in tests/cli/test_mlflow_export.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "data/frame.h"
#include "learn/model.h"
#include "track/export.h"
#include "track/store.h"

static char tmp[256];  /* the test's folder */
static char sdir[300]; /* the store */
static char out[300];  /* the export (its absolute path) */
static char run_a[33], run_b[33];
static int64_t exp_iris, exp_on;
static char model_file[300];

/* ---- helpers ---------------------------------------------------------------------- */

/* A path kept for the whole test (at() reuses its buffers). */
typedef struct {
    char s[1024];
} path_t;

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static const char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *at(const char *fmt, ...) {
    static char path[8][1024];
    static int k;
    k = (k + 1) % 8;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path[k], sizeof path[k], fmt, ap);
    va_end(ap);
    return path[k];
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0;
}

static void assert_file(const char *path, const char *want) {
    char *got = slurp(path);
    if (strcmp(got, want) != 0) fail_msg("%s: expected [%s], got [%s]", path, want, got);
}

/* The top-level keys of a block YAML file, in order, joined by ",". */
static const char *yaml_keys(const char *path) {
    static char keys[1024];
    keys[0] = '\0';
    char *text = slurp(path);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == ' ' || line[0] == '-') continue;
        char *colon = strchr(line, ':');
        if (!colon) fail_msg("%s: line without a key: %s", path, line);
        if (keys[0]) strcat(keys, ",");
        strncat(keys, line, (size_t)(colon - line));
    }
    return keys;
}

/* The value text of key in a block YAML file ("" for a nested block). */
static const char *yaml_value(const char *path, const char *key) {
    static char val[1024];
    char *text = slurp(path);
    size_t n = strlen(key);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            snprintf(val, sizeof val, "%s", line[n + 1] == ' ' ? line + n + 2 : line + n + 1);
            return val;
        }
    }
    fail_msg("%s: no key %s", path, key);
    return NULL;
}

static void check(int rc, const lab_err *e) {
    if (rc != 0) fail_msg("%s", e->msg);
}

/* A small fitted model file to register. */
static void make_model(const char *path) {
    frame *f = frame_new();
    column *x = col_new(COL_NUMBER, 20, NULL), *y = col_new(COL_NUMBER, 20, NULL);
    for (size_t i = 0; i < 20; i++) {
        x->f64[i] = (double)i;
        y->f64[i] = 2.0 * (double)i + 1.0;
    }
    frame_set_column(f, "x", x, NULL);
    frame_set_column(f, "y", y, NULL);
    lab_err e;
    model *m = model_new("linear", &e);
    assert_non_null(m);
    const char *feats[] = {"x"};
    check(model_fit(m, f, "y", feats, 1, NULL, &e), &e);
    check(model_save(m, path, &e), &e);
    model_free(m);
    frame_free(f);
}

/* ---- the store every test reads ------------------------------------------------------ */

static int setup(void **state) {
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/lab-export-test-XXXXXX");
    if (!mkdtemp(tmp)) return -1;
    snprintf(sdir, sizeof sdir, "%s/store", tmp);
    snprintf(out, sizeof out, "%s/mlruns", tmp);
    snprintf(model_file, sizeof model_file, "%s/m.labm", tmp);
    make_model(model_file);

    lab_err e;
    store *s = store_open(sdir, &e);
    if (!s) fail_msg("%s", e.msg);
    exp_iris = store_experiment(s, "iris", &e);
    exp_on = store_experiment(s, "on", &e); /* a name YAML would read as a boolean */
    assert_true(exp_iris > 0 && exp_on > 0);

    run_origin oa = {.name = "it's: fine", .source = "notebook iris.lua", .notebook = "-- %%\nprint(1)\n"};
    check(store_run_start(s, exp_iris, &oa, run_a, &e), &e);
    check(store_log_param(s, run_a, "lr", "0.1", &e), &e);
    check(store_log_param(s, run_a, "opt/name", "adam", &e), &e);
    for (int k = 0; k < 5; k++)
        check(store_log_metric(s, run_a, "loss", 1.0 / (k + 1), k, 1700000000000 + k * 1000, &e), &e);
    check(store_log_metric(s, run_a, "acc", 0.5, 0, 1700000000500, &e), &e);
    check(store_log_metric(s, run_a, "acc", NAN, 1, 1700000001500, &e), &e);
    check(store_log_metric(s, run_a, "acc", INFINITY, 2, 1700000002500, &e), &e);
    check(store_set_tag(s, run_a, "team", "ml", &e), &e);
    check(store_set_note(s, run_a, "first try\nsecond line", &e), &e);
    check(store_add_artifact(s, run_a, "models/m.labm", model_file, &e), &e);
    check(store_run_end(s, run_a, RUN_FINISHED, &e), &e);

    int64_t def = store_experiment(s, "Default", &e);
    assert_int_equal(def, 0);
    run_origin ob = {.name = "again", .source = "reproduce", .reproduces = run_a};
    check(store_run_start(s, def, &ob, run_b, &e), &e);
    check(store_log_metric(s, run_b, "loss", 0.25, 0, 1700000009000, &e), &e);
    /* subnormals: the shortest text that reads back, not 15 digits */
    check(store_log_metric(s, run_b, "tiny", 4.9406564584124654e-324, 0, 1700000009000, &e), &e);
    check(store_log_metric(s, run_b, "tiny", -2.5e-320, 1, 1700000009001, &e), &e);
    check(store_run_end(s, run_b, RUN_FAILED, &e), &e);

    char r3[33];
    run_origin oc = {.name = "yes"};
    check(store_run_start(s, exp_on, &oc, r3, &e), &e);
    check(store_run_end(s, r3, RUN_KILLED, &e), &e);

    assert_int_equal(store_register(s, run_a, "iris-model", NULL, &e), 1);
    assert_int_equal(store_register(s, run_a, "iris-model", "models/m.labm", &e), 2);
    check(store_set_alias(s, "iris-model", 1, "production", &e), &e);
    check(store_set_alias(s, "iris-model", 2, "staging", &e), &e);
    store_close(s);

    /* the export every test reads, through a read-only store as the CLI does */
    s = store_open_readonly(sdir, &e);
    if (!s) fail_msg("%s", e.msg);
    store_export_stats st;
    check(store_export_mlflow(s, out, NULL, NULL, &st, &e), &e);
    store_close(s);
    assert_int_equal(st.runs, 3);
    assert_int_equal(st.experiments, 3);
    assert_int_equal(st.points, 11);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.artifacts, 1);
    assert_int_equal(st.models, 1);
    assert_int_equal(st.versions, 2);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_layout(void **state) {
    (void)state;
    assert_true(is_dir(at("%s/.trash", out)));
    assert_true(is_dir(at("%s/models", out)));
    assert_true(exists(at("%s/%s", out, STORE_EXPORT_MARKER)));
    assert_true(is_dir(at("%s/0/%s", out, run_b)));
    assert_true(is_dir(at("%s/%lld/%s/artifacts", out, (long long)exp_iris, run_a)));
    /* nothing left beside the export */
    assert_false(exists(at("%s.lab-export-tmp-%ld", out, (long)getpid())));
}

static void test_experiment_meta(void **state) {
    (void)state;
    path_t p;
    snprintf(p.s, sizeof p.s, "%s/%lld/meta.yaml", out, (long long)exp_iris);
    const char *meta = p.s;
    assert_string_equal(yaml_keys(meta),
                        "artifact_location,creation_time,experiment_id,last_update_time,lifecycle_stage,name");
    assert_string_equal(yaml_value(meta, "artifact_location"), at("file://%s/%lld", out, (long long)exp_iris));
    assert_string_equal(yaml_value(meta, "experiment_id"), at("'%lld'", (long long)exp_iris));
    assert_string_equal(yaml_value(meta, "lifecycle_stage"), "active");
    assert_string_equal(yaml_value(meta, "name"), "iris");
    long long created = atoll(yaml_value(meta, "creation_time"));
    long long updated = atoll(yaml_value(meta, "last_update_time"));
    assert_true(created > 0);
    assert_true(updated >= created);
    assert_string_equal(yaml_value(at("%s/0/meta.yaml", out), "experiment_id"), "'0'");
    assert_string_equal(yaml_value(at("%s/0/meta.yaml", out), "name"), "Default");
    /* a name PyYAML would read as a boolean is quoted */
    assert_string_equal(yaml_value(at("%s/%lld/meta.yaml", out, (long long)exp_on), "name"), "'on'");
}

static void test_run_meta(void **state) {
    (void)state;
    path_t p;
    snprintf(p.s, sizeof p.s, "%s/%lld/%s/meta.yaml", out, (long long)exp_iris, run_a);
    const char *meta = p.s;
    assert_string_equal(yaml_keys(meta), "artifact_uri,end_time,entry_point_name,experiment_id,lifecycle_stage,"
                                         "run_id,run_name,run_uuid,source_name,source_type,source_version,"
                                         "start_time,status,tags,user_id");
    assert_string_equal(yaml_value(meta, "artifact_uri"),
                        at("file://%s/%lld/%s/artifacts", out, (long long)exp_iris, run_a));
    assert_string_equal(yaml_value(meta, "experiment_id"), at("'%lld'", (long long)exp_iris));
    assert_string_equal(yaml_value(meta, "entry_point_name"), "''");
    assert_string_equal(yaml_value(meta, "source_name"), "''");
    assert_string_equal(yaml_value(meta, "source_version"), "''");
    assert_string_equal(yaml_value(meta, "source_type"), "4");
    assert_string_equal(yaml_value(meta, "lifecycle_stage"), "active");
    assert_string_equal(yaml_value(meta, "status"), "3");
    assert_string_equal(yaml_value(meta, "tags"), "[]");
    assert_string_equal(yaml_value(meta, "run_name"), "'it''s: fine'");
    /* a hex id made only of digits would read as a number: quoted then */
    char id[64];
    snprintf(id, sizeof id, "%s", yaml_value(meta, "run_id"));
    if (id[0] == '\'')
        assert_string_equal(id, at("'%s'", run_a));
    else
        assert_string_equal(id, run_a);
    assert_string_equal(yaml_value(meta, "run_uuid"), id);
    long long start = atoll(yaml_value(meta, "start_time"));
    long long end = atoll(yaml_value(meta, "end_time"));
    assert_true(start > 0 && end >= start);
    assert_true(strlen(yaml_value(meta, "user_id")) > 0);

    snprintf(p.s, sizeof p.s, "%s/0/%s/meta.yaml", out, run_b);
    const char *mb = p.s;
    assert_string_equal(yaml_value(mb, "status"), "4");
    assert_string_equal(yaml_value(mb, "experiment_id"), "'0'");
}

static void test_params_metrics_tags(void **state) {
    (void)state;
    path_t p;
    snprintf(p.s, sizeof p.s, "%s/%lld/%s", out, (long long)exp_iris, run_a);
    const char *run = p.s;
    assert_file(at("%s/params/lr", run), "0.1");
    assert_file(at("%s/params/opt/name", run), "adam");
    assert_file(at("%s/metrics/loss", run), "1700000000000 1 0\n"
                                            "1700000001000 0.5 1\n"
                                            "1700000002000 0.3333333333333333 2\n"
                                            "1700000003000 0.25 3\n"
                                            "1700000004000 0.2 4\n");
    assert_file(at("%s/metrics/acc", run), "1700000000500 0.5 0\n"
                                           "1700000001500 nan 1\n"
                                           "1700000002500 inf 2\n");
    assert_file(at("%s/tags/mlflow.runName", run), "it's: fine");
    assert_file(at("%s/tags/mlflow.source.name", run), "notebook iris.lua");
    assert_file(at("%s/tags/mlflow.source.type", run), "LOCAL");
    assert_file(at("%s/tags/mlflow.note.content", run), "first try\nsecond line");
    assert_file(at("%s/tags/team", run), "ml");
    assert_true(exists(at("%s/tags/mlflow.user", run)));
    assert_file(at("%s/0/%s/tags/mlflow.parentRunId", out, run_b), run_a);
    assert_file(at("%s/0/%s/metrics/tiny", out, run_b), "1700000009000 5e-324 0\n"
                                                        "1700000009001 -2.5e-320 1\n");
    assert_false(exists(at("%s/tags/mlflow.parentRunId", run)));
}

static void test_artifacts(void **state) {
    (void)state;
    path_t p;
    snprintf(p.s, sizeof p.s, "%s/%lld/%s", out, (long long)exp_iris, run_a);
    const char *run = p.s;
    size_t n1, n2;
    lab_err e;
    char *a = lab_read_file(model_file, &n1, &e), *b = lab_read_file(at("%s/artifacts/models/m.labm", run), &n2, &e);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
    assert_file(at("%s/artifacts/notebook.lua", run), "-- %%\nprint(1)\n");
}

static void test_registry(void **state) {
    (void)state;
    path_t p, pm, pv;
    snprintf(p.s, sizeof p.s, "%s/models/iris-model", out);
    const char *dir = p.s;
    snprintf(pm.s, sizeof pm.s, "%s/models/iris-model/meta.yaml", out);
    const char *meta = pm.s;
    assert_string_equal(yaml_keys(meta), "aliases,creation_timestamp,description,last_updated_timestamp,name");
    assert_string_equal(yaml_value(meta, "name"), "iris-model");
    assert_string_equal(yaml_value(meta, "description"), "null");
    assert_non_null(strstr(slurp(meta), "aliases:\n  production: '1'\n  staging: '2'\n"));

    snprintf(pv.s, sizeof pv.s, "%s/models/iris-model/version-1/meta.yaml", out);
    const char *v1 = pv.s;
    assert_string_equal(yaml_keys(v1), "aliases,creation_timestamp,current_stage,description,"
                                       "last_updated_timestamp,name,run_id,run_link,source,status,"
                                       "status_message,storage_location,user_id,version");
    assert_non_null(strstr(slurp(v1), "aliases:\n- production\n"));
    assert_string_equal(yaml_value(v1, "current_stage"), "None");
    assert_string_equal(yaml_value(v1, "status"), "READY");
    assert_string_equal(yaml_value(v1, "version"), "1");
    assert_string_equal(yaml_value(v1, "name"), "iris-model");
    path_t ps;
    snprintf(ps.s, sizeof ps.s, "file://%s/%lld/%s/artifacts/models/m.labm", out, (long long)exp_iris, run_a);
    const char *src = ps.s;
    assert_string_equal(yaml_value(v1, "source"), src);
    assert_string_equal(yaml_value(v1, "storage_location"), src);
    const char *rid = yaml_value(v1, "run_id");
    assert_non_null(strstr(rid, run_a));
    assert_file(at("%s/aliases/production", dir), "1");
    assert_file(at("%s/aliases/staging", dir), "2");
    assert_file(at("%s/version-2/tags/lab.kind", dir), "linear");
    assert_true(exists(at("%s/version-2/tags/lab.sha256", dir)));
}

static void test_uri_is_percent_encoded(void **state) {
    (void)state;
    lab_err e;
    store *s = store_open_readonly(sdir, &e);
    assert_non_null(s);
    path_t p;
    snprintf(p.s, sizeof p.s, "%s/with space%%", tmp);
    const char *dir = p.s;
    check(store_export_mlflow(s, dir, NULL, NULL, NULL, &e), &e);
    store_close(s);
    assert_string_equal(yaml_value(at("%s/0/meta.yaml", dir), "artifact_location"),
                        at("file://%s/with%%20space%%25/0", tmp));
}

static void test_target_rules(void **state) {
    (void)state;
    lab_err e;
    store *s = store_open_readonly(sdir, &e);
    assert_non_null(s);

    /* a folder with other files is refused and left as it was */
    path_t pb, pe;
    snprintf(pb.s, sizeof pb.s, "%s/busy", tmp);
    const char *busy = pb.s;
    assert_int_equal(mkdir(busy, 0777), 0);
    FILE *f = fopen(at("%s/mine.txt", busy), "w");
    fputs("keep", f);
    fclose(f);
    assert_int_equal(store_export_mlflow(s, busy, NULL, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "busy: not empty and not an earlier lab export"));
    assert_file(at("%s/mine.txt", busy), "keep");
    assert_false(exists(at("%s/0", busy)));

    /* a file is refused */
    assert_int_equal(store_export_mlflow(s, at("%s/mine.txt", busy), NULL, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "is not a folder"));

    /* a missing parent is named */
    assert_int_equal(store_export_mlflow(s, at("%s/no/such/dir", tmp), NULL, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "/no/such"));

    /* an empty folder is fine */
    snprintf(pe.s, sizeof pe.s, "%s/empty", tmp);
    const char *empty = pe.s;
    assert_int_equal(mkdir(empty, 0777), 0);
    check(store_export_mlflow(s, empty, NULL, NULL, NULL, &e), &e);
    assert_true(is_dir(at("%s/0", empty)));

    /* an earlier export is replaced whole: a file left in it is gone */
    f = fopen(at("%s/0/stale", empty), "w");
    fclose(f);
    check(store_export_mlflow(s, at("%s/", empty), NULL, NULL, NULL, &e), &e);
    assert_false(exists(at("%s/0/stale", empty)));
    assert_true(is_dir(at("%s/0/%s", empty, run_b)));
    assert_false(exists(at("%s.lab-export-old-%ld", empty, (long)getpid())));
    store_close(s);
}

/* ---- keys that cannot be files, and the current folder ------------------------------- */

static void sql(const char *db_path, const char *text) {
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", text, msg);
    sqlite3_close(db);
}

typedef struct warnings {
    char text[8][640];
    size_t n;
} warnings;

static void collect(void *ctx, const char *msg) {
    warnings *w = ctx;
    if (w->n < 8) snprintf(w->text[w->n], sizeof w->text[0], "%s", msg);
    w->n++;
}

/* 1 when one of the warnings contains both a and b. */
static int warned(const warnings *w, const char *a, const char *b) {
    for (size_t i = 0; i < w->n && i < 8; i++)
        if (strstr(w->text[i], a) && strstr(w->text[i], b)) return 1;
    return 0;
}

/* A store from before the key rules holds "../../evil" and friends; the
 * export leaves those keys out, says so per key, and writes the rest. So
 * does it for two keys that want one name as a file and as a folder. */
static void test_unwritable_keys_are_skipped(void **state) {
    (void)state;
    char odir[400], db[420], dst[400];
    snprintf(odir, sizeof odir, "%s/old-store", tmp);
    snprintf(db, sizeof db, "%s/lab.db", odir);
    snprintf(dst, sizeof dst, "%s/deep/er/mlruns", tmp);
    lab_err e;
    store *s = store_open(odir, &e);
    if (!s) fail_msg("%s", e.msg);
    char run[33];
    run_origin o = {.name = "old"};
    check(store_run_start(s, 0, &o, run, &e), &e);
    check(store_log_param(s, run, "ok", "1", &e), &e);
    check(store_log_metric(s, run, "m", 1.0, 0, 1700000000000, &e), &e);
    check(store_log_metric(s, run, "m/x", 2.0, 0, 1700000000000, &e), &e); /* "m" a file and a folder */
    check(store_set_tag(s, run, "team", "ml", &e), &e);
    check(store_run_end(s, run, RUN_FINISHED, &e), &e);
    store_close(s);
    /* what an older lab let through, written behind the store's back */
    sql(db, "INSERT INTO params(run, key, value) VALUES(1, '../../evil', 'x');"
            "INSERT INTO params(run, key, value) VALUES(1, '/abs', 'x');"
            "INSERT INTO tags(run, key, value) VALUES(1, '../t', 'x');"
            "INSERT INTO metrics(run, step, key, seq, value, ts_ms) VALUES(1, 0, 'a//b', 0, 1.5, 1700000000000);"
            "INSERT INTO metric_last(run, key, step, ts_ms, value, min, max, count)"
            " VALUES(1, 'a//b', 0, 1700000000000, 1.5, 1.5, 1.5, 1);"
            "INSERT INTO metrics(run, step, key, seq, value, ts_ms) VALUES(1, 0, 'a/', 0, 1.5, 1700000000000);"
            "INSERT INTO metric_last(run, key, step, ts_ms, value, min, max, count)"
            " VALUES(1, 'a/', 0, 1700000000000, 1.5, 1.5, 1.5, 1);");
    assert_int_equal(mkdir(at("%s/deep", tmp), 0777), 0);
    assert_int_equal(mkdir(at("%s/deep/er", tmp), 0777), 0);
    s = store_open_readonly(odir, &e);
    if (!s) fail_msg("%s", e.msg);
    store_export_stats st;
    warnings w = {0};
    check(store_export_mlflow(s, dst, collect, &w, &st, &e), &e);
    store_close(s);
    assert_int_equal(st.runs, 1);
    assert_int_equal(st.skipped, 6);
    assert_int_equal(w.n, 6);
    char id8[9];
    snprintf(id8, sizeof id8, "%.8s", run);
    for (size_t i = 0; i < w.n; i++) {
        assert_non_null(strstr(w.text[i], id8));
        assert_null(strchr(w.text[i], '\n'));
    }
    assert_true(warned(&w, "param key '../../evil' skipped", "'..'"));
    assert_true(warned(&w, "param key '/abs' skipped", "'/'"));
    assert_true(warned(&w, "tag key '../t' skipped", "'..'"));
    assert_true(warned(&w, "metric key 'a//b' skipped", "empty part"));
    assert_true(warned(&w, "metric key 'a/' skipped", "'/'"));
    assert_true(warned(&w, "metric key 'm/x' skipped", "key 'm' is a file there"));
    /* the rest is there, and nothing climbed out of the run's folder */
    const char *rdir = at("%s/0/%s", dst, run);
    path_t pr;
    snprintf(pr.s, sizeof pr.s, "%s", rdir);
    assert_file(at("%s/params/ok", pr.s), "1");
    assert_file(at("%s/metrics/m", pr.s), "1700000000000 1 0\n");
    assert_file(at("%s/tags/team", pr.s), "ml");
    assert_false(exists(at("%s/0/evil", dst)));
    assert_false(exists(at("%s/evil", dst)));
    assert_false(exists(at("%s/deep/evil", tmp)));
    assert_false(exists(at("%s/0/%s/t", dst, run)));
    assert_false(exists(at("%s/metrics/a", pr.s)));
}

/* The current folder, or one holding it, is refused: the export is renamed
 * into place, which would pull the folder away from under the shell. */
static void test_current_folder_refused(void **state) {
    (void)state;
    char here[1024];
    assert_non_null(getcwd(here, sizeof here));
    path_t pc, pi;
    snprintf(pc.s, sizeof pc.s, "%s/cwd-empty", tmp);
    snprintf(pi.s, sizeof pi.s, "%s/cwd-empty/inner", tmp);
    assert_int_equal(mkdir(pc.s, 0777), 0);
    lab_err e;
    store *s = store_open_readonly(sdir, &e);
    assert_non_null(s);
    assert_int_equal(chdir(pc.s), 0);
    e.msg[0] = '\0';
    int rc_dot = store_export_mlflow(s, ".", NULL, NULL, NULL, &e);
    lab_err e_dot = e;
    int rc_abs = store_export_mlflow(s, pc.s, NULL, NULL, NULL, &e);
    lab_err e_abs = e;
    assert_int_equal(mkdir("inner", 0777), 0);
    assert_int_equal(chdir("inner"), 0);
    int rc_up = store_export_mlflow(s, "..", NULL, NULL, NULL, &e);
    lab_err e_up = e;
    int rc_sib = store_export_mlflow(s, "../x", NULL, NULL, NULL, &e); /* beside: fine */
    lab_err e_sib = e;
    assert_int_equal(chdir(here), 0);
    store_close(s);
    assert_int_equal(rc_dot, -1);
    assert_string_equal(e_dot.msg, ".: is the current folder; export into a new folder (such as ./mlruns)");
    assert_int_equal(rc_abs, -1);
    assert_non_null(strstr(e_abs.msg, "is the current folder"));
    assert_int_equal(rc_up, -1);
    assert_non_null(strstr(e_up.msg, "..: contains the current folder"));
    assert_non_null(strstr(e_up.msg, pi.s));
    if (rc_sib != 0) fail_msg("%s", e_sib.msg);
    /* the folders are still there, and nothing was written into them */
    assert_true(is_dir(pi.s));
    assert_false(exists(at("%s/%s", pc.s, STORE_EXPORT_MARKER)));
    assert_true(exists(at("%s/x/%s", pc.s, STORE_EXPORT_MARKER)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_experiment_meta),
        cmocka_unit_test(test_run_meta),
        cmocka_unit_test(test_params_metrics_tags),
        cmocka_unit_test(test_artifacts),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_uri_is_percent_encoded),
        cmocka_unit_test(test_target_rules),
        cmocka_unit_test(test_unwritable_keys_are_skipped),
        cmocka_unit_test(test_current_folder_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
