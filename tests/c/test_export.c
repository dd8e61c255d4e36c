/* test_export.c — the MLflow file-store export (engine/track/export.c) against
 * ../shared/design/mlflow-export.md: the folder layout, every meta.yaml's keys
 * in alphabetical order with MLflow's values (quoted ids, status numbers,
 * file URIs of the final folder), params and tags as bare values without a
 * newline, one "<ms> <value> <step>" line per metric point (nan and inf
 * included), system tags, artifacts copied byte for byte, and the registry
 * (models/<name>/meta.yaml, version-<N>/meta.yaml, aliases/<alias>). Also
 * what the target folder may be: new, empty, or an earlier export (replaced
 * whole); anything else is refused and left untouched. The YAML is parsed
 * with PyYAML, when it is installed, in tests/cli/test_mlflow_export.sh. */
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
    check(store_export_mlflow(s, out, &st, &e), &e);
    store_close(s);
    assert_int_equal(st.runs, 3);
    assert_int_equal(st.experiments, 3);
    assert_int_equal(st.points, 9);
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
    check(store_export_mlflow(s, dir, NULL, &e), &e);
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
    assert_int_equal(store_export_mlflow(s, busy, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "busy: not empty and not an earlier lab export"));
    assert_file(at("%s/mine.txt", busy), "keep");
    assert_false(exists(at("%s/0", busy)));

    /* a file is refused */
    assert_int_equal(store_export_mlflow(s, at("%s/mine.txt", busy), NULL, &e), -1);
    assert_non_null(strstr(e.msg, "is not a folder"));

    /* a missing parent is named */
    assert_int_equal(store_export_mlflow(s, at("%s/no/such/dir", tmp), NULL, &e), -1);
    assert_non_null(strstr(e.msg, "/no/such"));

    /* an empty folder is fine */
    snprintf(pe.s, sizeof pe.s, "%s/empty", tmp);
    const char *empty = pe.s;
    assert_int_equal(mkdir(empty, 0777), 0);
    check(store_export_mlflow(s, empty, NULL, &e), &e);
    assert_true(is_dir(at("%s/0", empty)));

    /* an earlier export is replaced whole: a file left in it is gone */
    f = fopen(at("%s/0/stale", empty), "w");
    fclose(f);
    check(store_export_mlflow(s, at("%s/", empty), NULL, &e), &e);
    assert_false(exists(at("%s/0/stale", empty)));
    assert_true(is_dir(at("%s/0/%s", empty, run_b)));
    assert_false(exists(at("%s.lab-export-old-%ld", empty, (long)getpid())));
    store_close(s);
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
