/* test_learn_unsup.c — kmeans, pca, knn, knn_regressor and naive_bayes on data
 * whose answer is known by construction: blobs that k-means must separate
 * (on one thread and on two), a line that PCA must find, neighbours at equal
 * distances (the earlier training row wins, the first class wins a tied
 * vote), the per-class means and variances of naive Bayes; the per-iteration
 * figures, a stop by the callback, interruption, and model files. The
 * agreement with scikit-learn is checked from Lua (tests/lua/test_model_more.lua). */
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

#include "data/frame.h"
#include "learn/model.h"
#include "util/rng.h"

/* ---- helpers ------------------------------------------------------------------- */

/* n rows of p features around `nb` centres (centre c at 10 c in every
 * feature, noise uniform in [-1, 1]); "blob" holds the centre's number. */
static frame *blobs(size_t n, int p, int nb, uint64_t seed) {
    rng r;
    rng_seed(&r, seed);
    frame *f = frame_new();
    column *cols[16];
    for (int j = 0; j < p; j++) cols[j] = col_new(COL_NUMBER, n, NULL);
    column *b = col_new(COL_INTEGER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        int c = (int)(i % (size_t)nb);
        b->i64[i] = c;
        for (int j = 0; j < p; j++) cols[j]->f64[i] = 10.0 * c + 2 * rng_uniform(&r) - 1;
    }
    for (int j = 0; j < p; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", j);
        frame_set_column(f, name, cols[j], NULL);
    }
    frame_set_column(f, "blob", b, NULL);
    return f;
}

static frame *numbers(size_t n, const char *name1, const double *a, const char *name2, const double *b) {
    frame *f = frame_new();
    column *x = col_new(COL_NUMBER, n, NULL);
    memcpy(x->f64, a, n * sizeof *a);
    frame_set_column(f, name1, x, NULL);
    if (name2) {
        column *y = col_new(COL_NUMBER, n, NULL);
        memcpy(y->f64, b, n * sizeof *b);
        frame_set_column(f, name2, y, NULL);
    }
    return f;
}

static void add_labels(frame *f, const char *name, const char *const *labels, size_t n) {
    column *c = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) c->code[i] = strdict_intern(c->dict, labels[i], strlen(labels[i]));
    frame_set_column(f, name, c, NULL);
}

static model *fit_or_fail(const char *kind, const frame *f, const char *target, const char *const *feats, int nfeat) {
    lab_err e;
    model *m = model_new(kind, &e);
    assert_non_null(m);
    if (model_fit(m, f, target, feats, nfeat, NULL, &e) < 0) fail_msg("fit %s: %s", kind, e.msg);
    return m;
}

/* Every blob maps to one cluster and every cluster to one blob. */
static void check_blobs_found(const model *m, const frame *f, int nb) {
    lab_err e;
    column *c = model_predict(m, f, &e);
    assert_non_null(c);
    const column *b = f->cols[frame_find(f, "blob")];
    int64_t map[16];
    for (int k = 0; k < nb; k++) map[k] = -1;
    for (size_t i = 0; i < c->n; i++) {
        assert_true(c->i64[i] >= 1 && c->i64[i] <= nb);
        int64_t *slot = &map[b->i64[i]];
        if (*slot < 0) *slot = c->i64[i];
        assert_int_equal(*slot, c->i64[i]);
    }
    for (int a = 0; a < nb; a++)
        for (int q = a + 1; q < nb; q++) assert_true(map[a] != map[q]);
    col_free(c);
}

/* ---- kmeans --------------------------------------------------------------------- */

static void test_kmeans_blobs(void **state) {
    (void)state;
    const char *feats[] = {"x0", "x1", "x2"};
    /* small: one thread; large (n p k over the threshold): two halves */
    size_t sizes[] = {300, 40000};
    for (int s = 0; s < 2; s++) {
        frame *f = blobs(sizes[s], 3, 4, 11);
        lab_err e;
        model *m = model_new("kmeans", &e);
        assert_int_equal(model_set_number(m, "k", 4, &e), 0);
        assert_int_equal(model_set_number(m, "n_init", 3, &e), 0);
        assert_int_equal(model_fit(m, f, NULL, feats, 3, NULL, &e), 0);
        check_blobs_found(m, f, 4);
        /* uniform noise in [-1, 1]: mean squared distance per feature about 1/3 */
        double per = model_figure_get(m, "inertia") / (double)sizes[s] / 3;
        assert_true(per > 0.3 && per < 0.37);
        /* the same seed gives the same model */
        model *again = model_new("kmeans", &e);
        model_set_number(again, "k", 4, &e);
        model_set_number(again, "n_init", 3, &e);
        assert_int_equal(model_fit(again, f, NULL, feats, 3, NULL, &e), 0);
        char h1[65], h2[65];
        model_hash(m, h1);
        model_hash(again, h2);
        assert_string_equal(h1, h2);
        model_free(again);
        model_free(m);
        frame_free(f);
    }
}

typedef struct seen {
    int steps;
    double last;
    int rose;
    int stop_at;
} seen;

static int on_figure(void *ud, const char *key, double value, long step) {
    seen *s = ud;
    if (step > 0 && strcmp(key, "inertia") == 0) {
        s->steps++;
        s->last = value;
    }
    return s->stop_at && s->steps >= s->stop_at;
}

static void test_kmeans_hooks(void **state) {
    (void)state;
    frame *f = blobs(500, 2, 3, 5);
    const char *feats[] = {"x0", "x1"};
    lab_err e;
    model *m = model_new("kmeans", &e);
    model_set_number(m, "n_init", 1, &e);
    seen s = {0, 0, 0, 0};
    model_hooks h = {NULL, on_figure, &s};
    assert_int_equal(model_fit(m, f, NULL, feats, 2, &h, &e), 0);
    assert_true(s.steps >= 1);
    assert_int_equal(s.steps, (int)model_figure_get(m, "n_iter"));
    s = (seen){0, 0, 0, 1};
    assert_int_equal(model_fit(m, f, NULL, feats, 2, &h, &e), -1);
    assert_non_null(strstr(e.msg, "stopped by the callback"));
    assert_false(m->fitted);
    lab_interrupt = 1;
    assert_int_equal(model_fit(m, f, NULL, feats, 2, NULL, &e), -1);
    lab_interrupt = 0;
    assert_non_null(strstr(e.msg, "interrupted"));
    /* more clusters than rows */
    assert_int_equal(model_set_number(m, "k", 600, &e), 0);
    assert_int_equal(model_fit(m, f, NULL, feats, 2, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "k=600"));
    model_free(m);
    frame_free(f);
}

/* ---- pca ------------------------------------------------------------------------ */

static void test_pca_line(void **state) {
    (void)state;
    double a[6] = {1, 2, 3, 4, 5, 6}, b[6];
    for (int i = 0; i < 6; i++) b[i] = 2 * a[i] + 1;
    frame *f = numbers(6, "a", a, "b", b);
    const char *feats[] = {"a", "b"};
    lab_err e;
    model *m = model_new("pca", &e);
    model_set_number(m, "n", 2, &e);
    assert_int_equal(model_fit(m, f, NULL, feats, 2, NULL, &e), 0);
    const model_tensor *r = model_tensor_get(m, "explained_variance_ratio");
    assert_float_equal(r->data[0], 1, 1e-12);
    assert_float_equal(r->data[1], 0, 1e-12);
    const model_tensor *W = model_tensor_get(m, "components");
    assert_float_equal(fabs(W->data[0]), 1 / sqrt(5), 1e-12);
    assert_float_equal(fabs(W->data[1]), 2 / sqrt(5), 1e-12);
    /* transform: PC1 is the signed distance along the line from the mean; PC2 is 0 */
    frame *t = model_transform(m, f, &e);
    assert_non_null(t);
    assert_int_equal(t->nrow, 6);
    const column *pc1 = t->cols[frame_find(t, "PC1")], *pc2 = t->cols[frame_find(t, "PC2")];
    for (int i = 0; i < 6; i++) {
        assert_float_equal(fabs(pc1->f64[i]), fabs(a[i] - 3.5) * sqrt(5), 1e-12);
        assert_float_equal(pc2->f64[i], 0, 1e-12);
    }
    frame_free(t);
    model_set_number(m, "n", 3, &e);
    assert_int_equal(model_fit(m, f, NULL, feats, 2, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "'n'"));
    model_free(m);
    frame_free(f);
}

/* ---- knn ------------------------------------------------------------------------ */

static void test_knn_ties(void **state) {
    (void)state;
    /* training x: -1 (label b), 1 (label a), 3 (label a); query 0 is 1 from the first two */
    double x[3] = {-1, 1, 3}, q[1] = {0};
    const char *lab[] = {"b", "a", "a"};
    frame *f = numbers(3, "x", x, NULL, NULL);
    add_labels(f, "y", lab, 3);
    frame *fq = numbers(1, "x", q, NULL, NULL);
    const char *feats[] = {"x"};
    lab_err e;
    model *m = model_new("knn", &e);
    model_set_number(m, "k", 1, &e);
    assert_int_equal(model_fit(m, f, "y", feats, 1, NULL, &e), 0);
    column *p = model_predict(m, fq, &e);
    assert_string_equal(col_str(p, 0), "b"); /* the earlier training row of the two at distance 1 */
    col_free(p);
    model_set_number(m, "k", 2, &e);
    assert_int_equal(model_fit(m, f, "y", feats, 1, NULL, &e), 0);
    frame *pr = model_predict_proba(m, fq, &e);
    assert_float_equal(pr->cols[0]->f64[0], 0.5, 0);
    p = model_predict(m, fq, &e);
    assert_string_equal(col_str(p, 0), "a"); /* a tied vote: the first class */
    col_free(p);
    frame_free(pr);
    model_free(m);
    /* regressor with distance weights: an exact match counts alone */
    double y[3] = {10, 20, 30}, q2[2] = {1, 2};
    frame *fr = numbers(3, "x", x, "t", y), *fq2 = numbers(2, "x", q2, NULL, NULL);
    m = model_new("knn_regressor", &e);
    model_set_number(m, "k", 3, &e);
    model_set_string(m, "weights", "distance", &e);
    assert_int_equal(model_fit(m, fr, "t", feats, 1, NULL, &e), 0);
    p = model_predict(m, fq2, &e);
    assert_float_equal(p->f64[0], 20, 0);
    /* x=2: distances 3, 1, 1 -> weights 1/3, 1, 1 */
    assert_float_equal(p->f64[1], (10.0 / 3 + 20 + 30) / (1.0 / 3 + 2), 1e-12);
    col_free(p);
    model_free(m);
    frame_free(fr);
    frame_free(fq2);
    frame_free(f);
    frame_free(fq);
}

/* ---- naive Bayes ------------------------------------------------------------------ */

static void test_naive_bayes(void **state) {
    (void)state;
    double x[6] = {0, 1, 2, 10, 12, 14};
    const char *lab[] = {"lo", "lo", "lo", "hi", "hi", "hi"};
    frame *f = numbers(6, "x", x, NULL, NULL);
    add_labels(f, "y", lab, 6);
    const char *feats[] = {"x"};
    model *m = fit_or_fail("naive_bayes", f, "y", feats, 1);
    /* classes sorted: hi, lo */
    const model_tensor *th = model_tensor_get(m, "theta"), *vr = model_tensor_get(m, "var");
    double eps = model_figure_get(m, "epsilon");
    double mean = 39.0 / 6, var = 0;
    for (int i = 0; i < 6; i++) var += (x[i] - mean) * (x[i] - mean) / 6;
    assert_float_equal(eps, 1e-9 * var, 1e-20);
    assert_float_equal(th->data[0], 12, 1e-12);
    assert_float_equal(th->data[1], 1, 1e-12);
    assert_float_equal(vr->data[0], 8.0 / 3 + eps, 1e-12);
    assert_float_equal(vr->data[1], 2.0 / 3 + eps, 1e-12);
    lab_err e;
    frame *pr = model_predict_proba(m, f, &e);
    for (size_t i = 0; i < 6; i++) {
        double s = pr->cols[0]->f64[i] + pr->cols[1]->f64[i];
        assert_float_equal(s, 1, 1e-12);
    }
    assert_true(pr->cols[1]->f64[0] > 0.99);
    frame_free(pr);
    model_free(m);
    frame_free(f);
}

/* ---- model files ------------------------------------------------------------------- */

static void test_files(void **state) {
    (void)state;
    frame *f = blobs(200, 2, 2, 3);
    const char *feats[] = {"x0", "x1"};
    const char *kinds[] = {"kmeans", "pca", "knn", "knn_regressor", "naive_bayes"};
    const char *targets[] = {NULL, NULL, "blob", "x1", "blob"};
    char path[256];
    snprintf(path, sizeof path, "/tmp/test_learn_unsup_%ld.model", (long)getpid());
    for (int k = 0; k < 5; k++) {
        int nf = targets[k] && strcmp(targets[k], "x1") == 0 ? 1 : 2;
        model *m = fit_or_fail(kinds[k], f, targets[k], feats, nf);
        lab_err e;
        assert_int_equal(model_save(m, path, &e), 0);
        model *back = model_load(path, &e);
        if (!back) fail_msg("load %s: %s", kinds[k], e.msg);
        char h1[65], h2[65];
        model_hash(m, h1);
        model_hash(back, h2);
        assert_string_equal(h1, h2);
        if (k == 1) {
            frame *a = model_transform(m, f, &e), *b = model_transform(back, f, &e);
            assert_memory_equal(a->cols[0]->f64, b->cols[0]->f64, 200 * sizeof(double));
            frame_free(a);
            frame_free(b);
        } else {
            column *a = model_predict(m, f, &e), *b = model_predict(back, f, &e);
            assert_non_null(a);
            assert_non_null(b);
            for (size_t i = 0; i < 200; i++) assert_true(col_as_double(a, i) == col_as_double(b, i));
            col_free(a);
            col_free(b);
        }
        char *s = model_describe(back);
        assert_non_null(strstr(s, kinds[k]));
        free(s);
        model_free(m);
        model_free(back);
    }
    unlink(path);
    frame_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kmeans_blobs), cmocka_unit_test(test_kmeans_hooks), cmocka_unit_test(test_pca_line),
        cmocka_unit_test(test_knn_ties),     cmocka_unit_test(test_naive_bayes),  cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
