/* test_learn.c — the model interface, model files and the numeric pieces of
 * engine/learn: SHA-256 against FIPS 180-4's examples, L-BFGS on a known
 * minimum, the fit hooks and interruption, and a model file tampered with in
 * every way a test can make through SQLite itself (format version, views,
 * triggers, unknown kind, bad parameter, wrong tensor size), each refused
 * with its own message. The agreement with scikit-learn is checked from Lua
 * (tests/lua/test_model.lua). */
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
#include "learn/hash.h"
#include "learn/lbfgs.h"
#include "learn/metrics.h"
#include "learn/model.h"
#include "util/rng.h"

/* ---- helpers ------------------------------------------------------------------- */

/* y = 1 + 2 x1 - 3 x2 (+ noise), and a label y > 1 as a string column "cls". */
static frame *make_frame(size_t n, double noise) {
    rng r;
    rng_seed(&r, 7);
    frame *f = frame_new();
    column *x1 = col_new(COL_NUMBER, n, NULL), *x2 = col_new(COL_INTEGER, n, NULL);
    column *y = col_new(COL_NUMBER, n, NULL), *cls = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) {
        x1->f64[i] = rng_uniform(&r) * 4 - 2;
        x2->i64[i] = (int64_t)rng_below(&r, 5);
        y->f64[i] = 1 + 2 * x1->f64[i] - 3 * (double)x2->i64[i] + noise * (rng_uniform(&r) - 0.5);
        const char *s = y->f64[i] + noise * (rng_uniform(&r) - 0.5) > -4 ? "high" : "low";
        cls->code[i] = strdict_intern(cls->dict, s, strlen(s));
    }
    frame_set_column(f, "x1", x1, NULL);
    frame_set_column(f, "x2", x2, NULL);
    frame_set_column(f, "y", y, NULL);
    frame_set_column(f, "cls", cls, NULL);
    return f;
}

static model *fitted(const char *kind, const char *target) {
    frame *f = make_frame(200, 0.5);
    lab_err e;
    model *m = model_new(kind, &e);
    assert_non_null(m);
    const char *feats[] = {"x1", "x2"};
    assert_int_equal(model_fit(m, f, target, feats, 2, NULL, &e), 0);
    frame_free(f);
    return m;
}

static char tmp_path[256];

static const char *tmpfile_name(const char *name) {
    snprintf(tmp_path, sizeof tmp_path, "/tmp/test_learn_%ld_%s", (long)getpid(), name);
    return tmp_path;
}

/* Save m, run sql on the file, and return the load error ("" when it loads). */
static void tamper(const model *m, const char *sql, char *msg, size_t cap) {
    const char *path = tmpfile_name("tamper.model");
    lab_err e;
    assert_int_equal(model_save(m, path, &e), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) fail_msg("sql failed: %s", err);
    sqlite3_close(db);
    model *back = model_load(path, &e);
    snprintf(msg, cap, "%s", back ? "" : e.msg);
    model_free(back);
    unlink(path);
}

#define assert_has(hay, needle)                                                        \
    do {                                                                               \
        if (!strstr((hay), (needle))) fail_msg("expected \"%s\" in \"%s\"", (needle), (hay)); \
    } while (0)

/* ---- SHA-256 ---------------------------------------------------------------------- */

static void test_sha256(void **state) {
    (void)state;
    static const struct { const char *in, *hex; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sha256_ctx c;
        uint8_t d[32];
        char hex[65];
        sha256_init(&c);
        /* fed in uneven pieces, which must not matter */
        size_t n = strlen(v[i].in);
        for (size_t k = 0; k < n; k += 7) sha256_update(&c, v[i].in + k, n - k < 7 ? n - k : 7);
        sha256_final(&c, d);
        sha256_hex(d, hex);
        assert_string_equal(hex, v[i].hex);
    }
    /* a million 'a' (the standard's long example) */
    sha256_ctx c;
    uint8_t d[32];
    char hex[65], block[1000];
    memset(block, 'a', sizeof block);
    sha256_init(&c);
    for (int k = 0; k < 1000; k++) sha256_update(&c, block, sizeof block);
    sha256_final(&c, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- L-BFGS ------------------------------------------------------------------------ */

/* Rosenbrock in 4 dimensions: minimum 0 at (1, 1, 1, 1). */
static double rosen(void *ud, const double *w, double *g) {
    (void)ud;
    double f = 0;
    memset(g, 0, 4 * sizeof *g);
    for (int i = 0; i < 3; i++) {
        double a = w[i + 1] - w[i] * w[i], b = 1 - w[i];
        f += 100 * a * a + b * b;
        g[i] += -400 * a * w[i] - 2 * b;
        g[i + 1] += 200 * a;
    }
    return f;
}

static void test_lbfgs(void **state) {
    (void)state;
    double w[4] = {-1.2, 1, -1.2, 1};
    lbfgs_opts o = {10, 1000, 1e-8, 0, 20, NULL};
    lbfgs_result r;
    lab_err e;
    assert_int_equal(lbfgs_minimize(4, w, rosen, NULL, &o, NULL, &r, &e), 0);
    assert_true(r.converged);
    for (int i = 0; i < 4; i++) assert_true(fabs(w[i] - 1) < 1e-6);
    /* interrupted */
    double w2[4] = {-1.2, 1, -1.2, 1};
    lab_interrupt = 1;
    assert_int_equal(lbfgs_minimize(4, w2, rosen, NULL, &o, NULL, &r, &e), -1);
    lab_interrupt = 0;
    assert_has(e.msg, "interrupted");
}

/* ---- fitting ------------------------------------------------------------------------ */

/* Binary logistic regression's own loops against a plain reference: at the
 * fitted weights, the objective recomputed here row by row equals the one
 * the fit reports, and its gradient recomputed here is zero to the
 * tolerance. Shapes that reach every path: a column count that is not a
 * multiple of four or two, a row count that is not a multiple of the lane
 * width or of the block, and enough rows x columns for two threads. */
static void check_logistic_reference(size_t n, int p) {
    rng r;
    rng_seed(&r, 11 + n);
    frame *f = frame_new();
    double *w_true = xmalloc((size_t)p * sizeof *w_true);
    for (int j = 0; j < p; j++) w_true[j] = rng_uniform(&r) * 2 - 1;
    column *y = col_new(COL_INTEGER, n, NULL);
    double *z = xcalloc(n, sizeof *z);
    for (int j = 0; j < p; j++) {
        column *x = col_new(COL_NUMBER, n, NULL);
        for (size_t i = 0; i < n; i++) {
            x->f64[i] = rng_uniform(&r) * 4 - 2;
            z[i] += w_true[j] * x->f64[i];
        }
        char name[16];
        snprintf(name, sizeof name, "x%d", j);
        frame_set_column(f, name, x, NULL);
    }
    for (size_t i = 0; i < n; i++) y->i64[i] = rng_uniform(&r) < 1 / (1 + exp(-z[i] - 0.3));
    frame_set_column(f, "y", y, NULL);
    lab_err e;
    model *m = model_new("logistic", &e);
    assert_int_equal(model_set_number(m, "tol", 1e-9, &e), 0);
    assert_int_equal(model_set_number(m, "C", 0.5, &e), 0);
    if (model_fit(m, f, "y", NULL, 0, NULL, &e) < 0) fail_msg("%s", e.msg);
    const double *w = model_tensor_get(m, "coef")->data, b = model_tensor_get(m, "intercept")->data[0];
    double lam = 1 / (0.5 * (double)n), loss = 0, reg = 0, gb = 0;
    double *g = xcalloc((size_t)p, sizeof *g);
    for (size_t i = 0; i < n; i++) {
        double zi = b;
        for (int j = 0; j < p; j++) zi += w[j] * f->cols[j]->f64[i];
        double t = (double)y->i64[i], pr = 1 / (1 + exp(-zi));
        loss += (zi > 0 ? zi + log1p(exp(-zi)) : log1p(exp(zi))) - t * zi;
        for (int j = 0; j < p; j++) g[j] += (pr - t) * f->cols[j]->f64[i];
        gb += pr - t;
    }
    double gmax = fabs(gb / (double)n);
    for (int j = 0; j < p; j++) {
        reg += w[j] * w[j];
        gmax = fmax(gmax, fabs(g[j] / (double)n + lam * w[j]));
    }
    double obj = loss / (double)n + 0.5 * lam * reg;
    if (fabs(obj - model_figure_get(m, "objective")) > 1e-12 * obj)
        fail_msg("n %zu p %d: objective %.17g, the fit reports %.17g", n, p, obj, model_figure_get(m, "objective"));
    if (!(gmax <= 1e-8)) fail_msg("n %zu p %d: max |gradient| %g at the fitted weights", n, p, gmax);
    free(g);
    free(z);
    free(w_true);
    model_free(m);
    frame_free(f);
}

static void test_logistic_reference(void **state) {
    (void)state;
    check_logistic_reference(5, 3);      /* fewer rows than one lane group */
    check_logistic_reference(5003, 7);   /* five blocks, the last 907 rows; 4 + 3 and 2 + 2 + 2 + 1 columns */
    check_logistic_reference(40003, 53); /* two threads (n p > 2,000,000) */
}

static void test_linear_exact(void **state) {
    (void)state;
    frame *f = make_frame(50, 0);
    lab_err e;
    model *m = model_new("linear", &e);
    assert_int_equal(model_fit(m, f, "y", (const char *[]){"x1", "x2"}, 2, NULL, &e), 0);
    const model_tensor *w = model_tensor_get(m, "coef");
    assert_true(fabs(w->data[0] - 2) < 1e-12 && fabs(w->data[1] + 3) < 1e-12);
    assert_true(fabs(model_tensor_get(m, "intercept")->data[0] - 1) < 1e-12);
    column *p = model_predict(m, f, &e);
    assert_non_null(p);
    assert_int_equal(p->type, COL_NUMBER);
    for (size_t i = 0; i < p->n; i++) assert_true(fabs(p->f64[i] - f->cols[2]->f64[i]) < 1e-10);
    col_free(p);
    /* the default features: every column but the target — "cls" is a string */
    assert_int_equal(model_fit(m, f, "y", NULL, 0, NULL, &e), -1);
    assert_has(e.msg, "feature column 'cls' is a string column");
    assert_int_equal(m->fitted, 0);
    model_free(m);
    frame_free(f);
}

typedef struct seen {
    int params, steps, finals, stop_at;
} seen;

static int on_param(void *ud, const model_param *p) {
    seen *s = ud;
    (void)p;
    s->params++;
    return 0;
}

static int on_figure(void *ud, const char *key, double value, long step) {
    seen *s = ud;
    (void)value;
    if (step > 0) {
        assert_string_equal(key, "loss");
        s->steps++;
        return s->stop_at && s->steps >= s->stop_at;
    }
    s->finals++;
    return 0;
}

static void test_hooks(void **state) {
    (void)state;
    frame *f = make_frame(300, 4);
    lab_err e;
    model *m = model_new("logistic", &e);
    seen s = {0};
    model_hooks h = {on_param, on_figure, &s};
    const char *feats[] = {"x1", "x2"};
    assert_int_equal(model_fit(m, f, "cls", feats, 2, &h, &e), 0);
    assert_int_equal(s.params, 4);
    assert_true(s.steps >= 2);
    assert_int_equal(s.finals, m->nfigure);
    assert_int_equal((int)model_figure_get(m, "n_iter"), s.steps);
    column *p = model_predict(m, f, &e);
    assert_int_equal(p->type, COL_STRING);
    col_free(p);
    /* a hook that asks to stop */
    seen s2 = {0, 0, 0, 2};
    model_hooks h2 = {on_param, on_figure, &s2};
    assert_int_equal(model_fit(m, f, "cls", feats, 2, &h2, &e), -1);
    assert_has(e.msg, "stopped by the callback");
    assert_int_equal(m->fitted, 0);
    /* Ctrl-C */
    lab_interrupt = 1;
    assert_int_equal(model_fit(m, f, "cls", feats, 2, NULL, &e), -1);
    lab_interrupt = 0;
    assert_has(e.msg, "interrupted");
    model_free(m);
    frame_free(f);
}

static void test_params(void **state) {
    (void)state;
    lab_err e;
    assert_null(model_new("forest2", &e));
    assert_has(e.msg, "unknown kind 'forest2' (known: linear, logistic, ");
    model *m = model_new("logistic", &e);
    assert_int_equal(model_set_number(m, "C", 0.25, &e), 0);
    assert_true(model_param_num(m, "C") == 0.25);
    assert_int_equal(model_set_number(m, "C", -1, &e), -1);
    assert_has(e.msg, "logistic: hyper-parameter 'C' must be in (0, inf], got -1");
    assert_int_equal(model_set_string(m, "tol", "x", &e), -1);
    assert_has(e.msg, "'tol' must be a number, got a string");
    assert_int_equal(model_set_number(m, "gamma", 1, &e), -1);
    assert_has(e.msg, "unknown hyper-parameter 'gamma' (known: C, max_iter, tol, intercept)");
    model_free(m);
}

/* ---- model files ----------------------------------------------------------------------- */

static void test_file_round_trip(void **state) {
    (void)state;
    model *m = fitted("logistic", "cls");
    /* category levels survive the file too (no kind uses them yet) */
    m->feat[1].nlevels = 2;
    m->feat[1].levels = xmalloc(2 * sizeof(char *));
    m->feat[1].levels[0] = xstrdup("a");
    m->feat[1].levels[1] = xstrdup("b");
    const char *path = tmpfile_name("rt.model");
    lab_err e;
    assert_int_equal(model_save(m, path, &e), 0);
    model *back = model_load(path, &e);
    if (!back) fail_msg("%s", e.msg);
    char h1[65], h2[65];
    model_hash(m, h1);
    model_hash(back, h2);
    assert_string_equal(h1, h2);
    assert_int_equal(back->feat[1].nlevels, 2);
    assert_string_equal(back->feat[1].levels[1], "b");
    assert_int_equal(back->classes->type, COL_STRING);
    assert_string_equal(col_str(back->classes, 1), "low");
    char *d1 = model_describe(m), *d2 = model_describe(back);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    model_free(back);
    unlink(path);
    model_free(m);
}

static void test_file_tampering(void **state) {
    (void)state;
    model *m = fitted("linear", "y");
    char msg[600];
    tamper(m, "SELECT 1", msg, sizeof msg);
    assert_string_equal(msg, "");
    tamper(m, "UPDATE lab_model SET value = '2' WHERE key = 'format_version'", msg, sizeof msg);
    assert_has(msg, "has model file format 2; this lab");
    assert_has(msg, "written by a newer lab");
    tamper(m, "CREATE VIEW v AS SELECT * FROM params", msg, sizeof msg);
    assert_has(msg, "holds a view 'v'");
    tamper(m, "CREATE TRIGGER t AFTER INSERT ON params BEGIN DELETE FROM params; END", msg, sizeof msg);
    assert_has(msg, "holds a trigger 't'");
    tamper(m, "CREATE TABLE extra(x)", msg, sizeof msg);
    assert_has(msg, "unknown table 'extra'");
    tamper(m, "DROP TABLE figures", msg, sizeof msg);
    assert_has(msg, "no table 'figures'");
    tamper(m, "UPDATE lab_model SET value = 'evil' WHERE key = 'kind'", msg, sizeof msg);
    assert_has(msg, "unknown kind 'evil'");
    tamper(m, "UPDATE params SET num = -1 WHERE key = 'ridge'", msg, sizeof msg);
    assert_has(msg, "'ridge' must be in [0, inf], got -1");
    tamper(m, "UPDATE tensors SET rows = 3 WHERE name = 'coef'", msg, sizeof msg);
    assert_has(msg, "tensor 'coef' holds 16 bytes, its shape 3 x 1 needs 24");
    tamper(m, "UPDATE figures SET value = 0.5 WHERE key = 'train_r2'", msg, sizeof msg);
    assert_has(msg, "was altered after it was saved");
    /* a consistent forgery (its hash matches: written by model_save itself)
     * still meets the kind's shape check */
    model_tensor_new(m, "coef", 1, 1);
    const char *path = tmpfile_name("forged.model");
    lab_err e;
    assert_int_equal(model_save(m, path, &e), 0);
    model *back = model_load(path, &e);
    assert_null(back);
    assert_has(e.msg, "linear: tensor 'coef' is missing or is not 2 x 1");
    unlink(path);
    model_free(m);
}

/* ---- metrics ----------------------------------------------------------------------------- */

static void test_metrics(void **state) {
    (void)state;
    int t[] = {0, 0, 1, 1}, p[] = {0, 1, 1, 1};
    assert_true(metrics_accuracy(t, p, 4) == 0.75);
    int64_t M[4];
    metrics_confusion(t, p, 4, 2, M);
    assert_true(M[0] == 1 && M[1] == 1 && M[2] == 0 && M[3] == 2);
    double pr, rc, f1;
    metrics_prf(M, 2, METRICS_BINARY, 1, &pr, &rc, &f1);
    assert_true(fabs(pr - 2.0 / 3) < 1e-15 && rc == 1 && fabs(f1 - 0.8) < 1e-15);
    double s[] = {0.1, 0.4, 0.35, 0.8}, auc;
    lab_err e;
    assert_int_equal(metrics_roc_auc(t, s, 4, &auc, &e), 0);
    assert_true(auc == 0.75);
    double tr[] = {1, 2, 3}, pp[] = {1, 2, 4};
    assert_true(fabs(metrics_rmse(tr, pp, 3) - sqrt(1.0 / 3)) < 1e-15);
    assert_true(fabs(metrics_r2(tr, pp, 3) - 0.5) < 1e-15);
}

/* metrics_labels against a plain reference (the distinct values by a sort of
 * their own, each row's index by search), for every column type, with few
 * distinct values (its one-pass path) and many (its sort of every row). */
static int cmp_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void check_labels(col_type type, size_t n, int distinct, rng *r) {
    column *y = col_new(type, n, NULL);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        int v = (int)rng_below(r, (uint64_t)distinct) - distinct / 2;
        switch (type) {
        case COL_NUMBER: y->f64[i] = v == 0 && rng_below(r, 2) ? -0.0 : v * 0.5; break;
        case COL_INTEGER: y->i64[i] = v; break;
        case COL_BOOLEAN: y->b[i] = (uint8_t)(v & 1); break;
        case COL_STRING:
            snprintf(buf, sizeof buf, "s%d", v);
            y->code[i] = strdict_intern(y->dict, buf, strlen(buf));
            break;
        }
    }
    int *cls = xmalloc(n * sizeof *cls);
    column *labels = metrics_labels(y, cls);
    /* the reference: texts for strings, values for the others */
    char **text = xmalloc(n * sizeof *text);
    double *val = xmalloc(n * sizeof *val);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char t[64];
        col_format(y, i, t, sizeof t);
        if (type == COL_NUMBER && y->f64[i] == 0) strcpy(t, "0");
        size_t q = 0;
        while (q < k && strcmp(text[q], t) != 0) q++;
        if (q == k) {
            text[k] = xstrdup(t);
            val[k++] = col_as_double(y, i);
        }
    }
    if (type == COL_STRING) qsort(text, k, sizeof *text, cmp_text);
    else {
        for (size_t a = 1; a < k; a++) /* insertion sort of values, texts alongside */
            for (size_t b = a; b > 0 && val[b - 1] > val[b]; b--) {
                double tv = val[b];
                val[b] = val[b - 1];
                val[b - 1] = tv;
                char *tt = text[b];
                text[b] = text[b - 1];
                text[b - 1] = tt;
            }
    }
    if (labels->n != k) fail_msg("type %d, %d values: %zu labels, the reference has %zu", type, distinct, labels->n, k);
    for (size_t q = 0; q < k; q++) {
        char t[64];
        col_format(labels, q, t, sizeof t);
        if (type == COL_NUMBER && labels->f64[q] == 0) strcpy(t, "0");
        if (strcmp(t, text[q]) != 0) fail_msg("type %d: label %zu is %s, the reference %s", type, q, t, text[q]);
    }
    for (size_t i = 0; i < n; i++) {
        char t[64];
        col_format(y, i, t, sizeof t);
        if (type == COL_NUMBER && y->f64[i] == 0) strcpy(t, "0");
        if (strcmp(text[cls[i]], t) != 0)
            fail_msg("type %d: row %zu has index %d (%s), its value is %s", type, i, cls[i], text[cls[i]], t);
    }
    for (size_t q = 0; q < k; q++) free(text[q]);
    free(text);
    free(val);
    free(cls);
    col_free(labels);
    col_free(y);
}

static void test_labels(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 5);
    col_type types[] = {COL_NUMBER, COL_INTEGER, COL_BOOLEAN, COL_STRING};
    int distinct[] = {1, 2, 7, 64, 65, 300};
    for (int t = 0; t < 4; t++)
        for (int d = 0; d < 6; d++) check_labels(types[t], 3000, distinct[d], &r);
    /* a NaN (not a missing value here) falls back to the sort, and stays a label */
    column *y = col_new(COL_NUMBER, 4, NULL);
    y->f64[0] = 1;
    y->f64[1] = NAN;
    y->f64[2] = 1;
    y->f64[3] = 0;
    column *labels = metrics_labels(y, NULL);
    int nan_label = 0;
    for (size_t q = 0; q < labels->n; q++) nan_label |= isnan(labels->f64[q]);
    assert_true(nan_label);
    col_free(labels);
    col_free(y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),          cmocka_unit_test(test_lbfgs),
        cmocka_unit_test(test_linear_exact),    cmocka_unit_test(test_logistic_reference),
        cmocka_unit_test(test_hooks),           cmocka_unit_test(test_params),
        cmocka_unit_test(test_file_round_trip), cmocka_unit_test(test_file_tampering),
        cmocka_unit_test(test_metrics),         cmocka_unit_test(test_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
