/* test_transform.c — engine/learn/transform.c and pipeline.c: the transforms
 * on hand-computed data (missing values, unknown categories, ties), a
 * pipeline fitted on strings and NA, its model file (round trip, and tables
 * tampered with through SQLite: a step table missing, a step parameter
 * changed, a step tensor of the wrong size), k-fold assignment and
 * cross-validation (scores, bad metrics, interruption). Agreement with
 * scikit-learn is checked from Lua (tests/lua/test_pipeline.lua). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "data/frame.h"
#include "learn/model.h"
#include "learn/pipeline.h"
#include "learn/transform.h"
#include "util/rng.h"

/* ---- helpers ------------------------------------------------------------------- */

static column *nums(const double *v, size_t n) {
    column *c = col_new(COL_NUMBER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) col_set_na(c, i);
        else c->f64[i] = v[i];
    }
    return c;
}

static column *strs(const char *const *v, size_t n) {
    column *c = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) col_set_na(c, i);
        else c->code[i] = strdict_intern(c->dict, v[i], strlen(v[i]));
    }
    return c;
}

static void add(frame *f, const char *name, column *c) {
    if (f->ncol == 0) f->nrow = c->n;
    assert_int_equal(frame_set_column(f, name, c, NULL), 0);
}

/* y = 2 x + 3 [color = red] - 1 [color = blue] (+ noise), with NA in x and color */
static frame *messy(size_t n) {
    rng r;
    rng_seed(&r, 11);
    static const char *const colors[] = {"red", "blue", "green"};
    frame *f = frame_new();
    column *x = col_new(COL_NUMBER, n, NULL), *c = col_new(COL_STRING, n, NULL), *y = col_new(COL_NUMBER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        double xv = rng_uniform(&r) * 10;
        int k = (int)rng_below(&r, 3);
        x->f64[i] = xv;
        c->code[i] = strdict_intern(c->dict, colors[k], strlen(colors[k]));
        y->f64[i] = 2 * xv + (k == 0 ? 3 : k == 1 ? -1 : 0) + 0.01 * (rng_uniform(&r) - 0.5);
        if (i % 17 == 3) col_set_na(c, i);
    }
    add(f, "x", x);
    add(f, "color", c);
    add(f, "y", y);
    return f;
}

static double num_at(const frame *f, const char *name, size_t i) {
    int j = frame_find(f, name);
    assert_true(j >= 0);
    return col_as_double(f->cols[j], i);
}

/* ---- transforms -------------------------------------------------------------------- */

static void test_standardize_minmax(void **state) {
    (void)state;
    double a[] = {1, 2, NAN, 5};
    frame *f = frame_new();
    add(f, "a", nums(a, 4));
    const char *s[] = {"u", "v", "u", "w"};
    add(f, "s", strs(s, 4));
    lab_err e;
    model *t = transform_new("standardize", &e);
    assert_non_null(t);
    assert_int_equal(transform_fit(t, f, NULL, &e), 0);
    assert_int_equal(t->nfeat, 1); /* the string column is not a default column */
    frame *g = transform_apply(t, f, &e);
    assert_non_null(g);
    /* mean 8/3, population std sqrt(26/9) */
    double mu = 8.0 / 3, sd = sqrt(((1 - mu) * (1 - mu) + (2 - mu) * (2 - mu) + (5 - mu) * (5 - mu)) / 3);
    assert_true(fabs(num_at(g, "a", 0) - (1 - mu) / sd) < 1e-14);
    assert_true(col_is_na(g->cols[0], 2));
    assert_int_equal(g->cols[1]->type, COL_STRING);
    frame_free(g);
    model_free(t);
    t = transform_new("minmax", &e);
    assert_int_equal(transform_fit(t, f, NULL, &e), 0);
    g = transform_apply(t, f, &e);
    assert_true(fabs(num_at(g, "a", 1) - 0.25) < 1e-15);
    assert_true(fabs(num_at(g, "a", 3) - 1) < 1e-15);
    frame_free(g);
    /* the string column asked for by name: an error naming it */
    const char *cols[] = {"s"};
    transform_set_cols(t, cols, 1);
    assert_int_equal(transform_fit(t, f, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "column 's' is a string column"));
    model_free(t);
    assert_null(transform_new("scale", &e));
    assert_non_null(strstr(e.msg, "unknown kind 'scale'"));
    frame_free(f);
}

static void test_onehot_label(void **state) {
    (void)state;
    const char *s[] = {"b", "a", NULL, "b"};
    frame *f = frame_new();
    add(f, "s", strs(s, 4));
    lab_err e;
    model *t = transform_new("onehot", &e);
    assert_int_equal(transform_fit(t, f, NULL, &e), 0);
    assert_int_equal(t->feat[0].nlevels, 2);
    const char *s2[] = {"a", "zzz", NULL};
    frame *g = frame_new();
    add(g, "s", strs(s2, 3));
    frame *h = transform_apply(t, g, &e);
    assert_non_null(h);
    assert_int_equal(h->ncol, 2);
    assert_string_equal(h->names[0], "s=a");
    assert_string_equal(h->names[1], "s=b");
    assert_true(num_at(h, "s=a", 0) == 1 && num_at(h, "s=b", 0) == 0);
    assert_true(num_at(h, "s=a", 1) == 0 && num_at(h, "s=b", 1) == 0); /* unknown: all zeros */
    assert_true(num_at(h, "s=a", 2) == 0 && num_at(h, "s=b", 2) == 0); /* missing: all zeros */
    frame_free(h);
    model_free(t);
    t = transform_new("label_encode", &e);
    assert_int_equal(transform_fit(t, f, NULL, &e), 0);
    assert_null(transform_apply(t, g, &e));
    assert_non_null(strstr(e.msg, "'zzz'"));
    h = transform_apply(t, f, &e);
    assert_int_equal(h->cols[0]->type, COL_INTEGER);
    assert_int_equal(h->cols[0]->i64[0], 1);
    assert_true(col_is_na(h->cols[0], 2));
    frame_free(h);
    model_free(t);
    frame_free(g);
    frame_free(f);
}

static void test_impute(void **state) {
    (void)state;
    double a[] = {4, NAN, 1, 1, 10};
    const char *s[] = {"y", "x", NULL, "y", "x"};
    frame *f = frame_new();
    add(f, "a", nums(a, 5));
    add(f, "s", strs(s, 5));
    lab_err e;
    model *t = transform_new("impute", &e);
    assert_int_equal(model_set_string(t, "strategy", "median", &e), 0);
    assert_int_equal(transform_fit(t, f, NULL, &e), 0);
    frame *g = transform_apply(t, f, &e);
    assert_true(num_at(g, "a", 1) == 2.5);
    assert_true(col_is_na(g->cols[1], 2)); /* median leaves strings alone */
    frame_free(g);
    assert_int_equal(model_set_string(t, "strategy", "most_frequent", &e), 0);
    assert_int_equal(transform_fit(t, f, NULL, &e), 0);
    g = transform_apply(t, f, &e);
    assert_true(num_at(g, "a", 1) == 1);
    assert_string_equal(col_str(g->cols[1], 2), "x"); /* a tie: the smallest */
    frame_free(g);
    const char *cols[] = {"s"};
    transform_set_cols(t, cols, 1);
    assert_int_equal(model_set_string(t, "strategy", "mean", &e), 0);
    assert_int_equal(transform_fit(t, f, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "column 's'"));
    model_free(t);
    frame_free(f);
}

/* ---- pipelines and their files ----------------------------------------------------------- */

static model *make_pipeline(void) {
    lab_err e;
    model *m = model_new("linear", &e);
    model *imp = transform_new("impute", &e);
    model_set_string(imp, "strategy", "most_frequent", &e);
    pipeline_add_step(m, imp);
    pipeline_add_step(m, transform_new("onehot", &e));
    return m;
}

static void test_pipeline_fit_predict(void **state) {
    (void)state;
    frame *f = messy(200);
    lab_err e;
    model *plain = model_new("linear", &e);
    assert_int_equal(model_fit(plain, f, "y", NULL, 0, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "'color'"));
    model_free(plain);
    model *m = make_pipeline();
    assert_int_equal(model_fit(m, f, "y", NULL, 0, NULL, &e), 0);
    assert_int_equal(m->nfeat, 4); /* x, color=blue, color=green, color=red */
    column *p = model_predict(m, f, &e);
    assert_non_null(p);
    /* the rows whose colour was imputed pull the fit a little: close, not exact */
    double sum = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < f->nrow; i++)
        if (!col_is_na(f->cols[1], i)) {
            sum += fabs(p->f64[i] - f->cols[2]->f64[i]);
            cnt++;
        }
    if (!(sum / (double)cnt < 0.5)) fail_msg("mean absolute error %g on the complete rows", sum / (double)cnt);
    col_free(p);
    char *d = model_describe(m);
    assert_non_null(strstr(d, "pipeline: impute (2 columns) -> onehot (1 columns) -> linear"));
    free(d);
    /* a fitted pipeline's unfitted copy keeps the steps */
    model *c = model_clone_unfitted(m);
    assert_int_equal(c->nstep, 2);
    assert_false(c->fitted);
    model_free(c);
    model_free(m);
    frame_free(f);
}

static char path[256];

static void sql(const char *q) {
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, q, NULL, NULL, &err);
    if (rc != SQLITE_OK) fprintf(stderr, "sql: %s\n", err);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

static void test_pipeline_file(void **state) {
    (void)state;
    snprintf(path, sizeof path, "/tmp/lab_test_transform_%ld.model", (long)getpid());
    frame *f = messy(100);
    lab_err e;
    model *m = make_pipeline();
    assert_int_equal(model_fit(m, f, "y", NULL, 0, NULL, &e), 0);
    char h1[65], h2[65];
    model_hash(m, h1);
    const char *tampering[][2] = {
        {"DROP TABLE step_tensors", "pipeline table 'step_tensors' missing"},
        {"UPDATE step_params SET str = 'median' WHERE key = 'strategy'", "altered"},
        {"UPDATE step_tensors SET data = x'00' WHERE step = 0", "tensor 'fill' holds 1 bytes"},
        {"UPDATE steps SET kind = 'scale' WHERE pos = 1", "unknown kind 'scale'"},
        {"DELETE FROM steps", "a pipeline without steps"},
        {"UPDATE step_levels SET level = 'pink' WHERE step = 1 AND pos = 0", "altered"},
    };
    for (size_t k = 0; k < sizeof tampering / sizeof tampering[0]; k++) {
        assert_int_equal(model_save(m, path, &e), 0);
        model *l = model_load(path, &e);
        assert_non_null(l);
        model_hash(l, h2);
        assert_string_equal(h1, h2);
        column *a = model_predict(m, f, &e), *b = model_predict(l, f, &e);
        assert_true(col_equal(a, b));
        col_free(a);
        col_free(b);
        model_free(l);
        sql(tampering[k][0]);
        assert_null(model_load(path, &e));
        if (!strstr(e.msg, tampering[k][1])) fail_msg("%s: got '%s', expected '%s'", tampering[k][0], e.msg, tampering[k][1]);
    }
    /* a plain model's file has no step tables and hashes as before */
    model *plain = model_new("linear", &e);
    frame *g = frame_new();
    add(g, "x", col_ref(f->cols[0]));
    add(g, "y", col_ref(f->cols[2]));
    assert_int_equal(model_fit(plain, g, "y", NULL, 0, NULL, &e), 0);
    assert_int_equal(model_save(plain, path, &e), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'step%'", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    model *l = model_load(path, &e);
    assert_non_null(l);
    assert_int_equal(l->nstep, 0);
    model_free(l);
    model_free(plain);
    frame_free(g);
    unlink(path);
    model_free(m);
    frame_free(f);
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static void test_kfold(void **state) {
    (void)state;
    int fold[11], strata[11], cnt[3] = {0};
    lab_err e;
    assert_int_equal(kfold_assign(11, 3, 5, 1, NULL, fold, &e), 0);
    for (int i = 0; i < 11; i++) cnt[fold[i]]++;
    assert_int_equal(cnt[0], 4);
    assert_int_equal(cnt[1], 4);
    assert_int_equal(cnt[2], 3);
    for (int i = 0; i < 11; i++) strata[i] = i < 6 ? 0 : 1;
    assert_int_equal(kfold_assign(11, 2, 5, 1, strata, fold, &e), 0);
    int in0 = 0;
    for (int i = 0; i < 6; i++) in0 += fold[i] == 0;
    assert_int_equal(in0, 3);
    assert_int_equal(kfold_assign(3, 4, 5, 1, NULL, fold, &e), -1);
    assert_non_null(strstr(e.msg, "at least 4 rows"));
    assert_int_equal(kfold_assign(3, 1, 5, 1, NULL, fold, &e), -1);
}

static void test_cross_validate(void **state) {
    (void)state;
    frame *f = messy(120);
    lab_err e;
    model *m = make_pipeline();
    const char *metrics[] = {"rmse", "r2"};
    double scores[10];
    size_t ntest[5];
    assert_int_equal(cross_validate(m, f, "y", NULL, 0, metrics, 2, 5, 1, 1, 1, scores, ntest, &e), 0);
    assert_false(m->fitted);
    size_t total = 0;
    for (int q = 0; q < 5; q++) {
        total += ntest[q];
        assert_true(scores[q * 2 + 1] > 0.9);
    }
    assert_int_equal(total, 120);
    const char *bad[] = {"accuracy"};
    assert_int_equal(cross_validate(m, f, "y", NULL, 0, bad, 1, 5, 1, 1, 1, scores, ntest, &e), -1);
    assert_non_null(strstr(e.msg, "metric 'accuracy' is for classifiers"));
    const char *unknown[] = {"auc"};
    assert_int_equal(cross_validate(m, f, "y", NULL, 0, unknown, 1, 5, 1, 1, 1, scores, ntest, &e), -1);
    assert_non_null(strstr(e.msg, "unknown metric 'auc'"));
    assert_int_equal(cross_validate(m, f, "nope", NULL, 0, metrics, 2, 5, 1, 1, 1, scores, ntest, &e), -1);
    assert_non_null(strstr(e.msg, "no column 'nope'"));
    lab_interrupt = 1;
    assert_int_equal(cross_validate(m, f, "y", NULL, 0, metrics, 2, 5, 1, 1, 1, scores, ntest, &e), -1);
    lab_interrupt = 0;
    assert_non_null(strstr(e.msg, "interrupted"));
    model_free(m);
    frame_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standardize_minmax), cmocka_unit_test(test_onehot_label),
        cmocka_unit_test(test_impute),             cmocka_unit_test(test_pipeline_fit_predict),
        cmocka_unit_test(test_pipeline_file),      cmocka_unit_test(test_kfold),
        cmocka_unit_test(test_cross_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
