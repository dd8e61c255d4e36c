/* test_learn_trees.c — the tree machinery of engine/learn (tree.h) and the
 * tree, forest and gbm kinds through the model interface: binning, a tree
 * that must find a known split, a forest that does not depend on threads,
 * gbm's per-round loss through the hooks, interruption, and a model file
 * with a tampered node refused. Agreement with scikit-learn is checked from
 * Lua (tests/lua/test_model_trees.lua). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "data/frame.h"
#include "learn/model.h"
#include "learn/tree.h"
#include "util/rng.h"

/* x1 uniform in [0, 1), x2 noise; cls = "a" when x1 <= 0.3 else "b"; y = 10 [x1 > 0.3] */
static frame *make_frame(size_t n) {
    rng r;
    rng_seed(&r, 11);
    frame *f = frame_new();
    column *x1 = col_new(COL_NUMBER, n, NULL), *x2 = col_new(COL_NUMBER, n, NULL);
    column *y = col_new(COL_NUMBER, n, NULL), *cls = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) {
        x1->f64[i] = rng_uniform(&r);
        x2->f64[i] = rng_uniform(&r);
        y->f64[i] = x1->f64[i] > 0.3 ? 10 : 0;
        const char *s = x1->f64[i] > 0.3 ? "b" : "a";
        cls->code[i] = strdict_intern(cls->dict, s, 1);
    }
    frame_set_column(f, "x1", x1, NULL);
    frame_set_column(f, "x2", x2, NULL);
    frame_set_column(f, "y", y, NULL);
    frame_set_column(f, "cls", cls, NULL);
    return f;
}

static model *fit(const char *kind, const frame *f, const char *target, const model_hooks *h) {
    lab_err e;
    model *m = model_new(kind, &e);
    assert_non_null(m);
    const char *feats[] = {"x1", "x2"};
    if (model_fit(m, f, target, feats, 2, h, &e) < 0) fail_msg("fit %s: %s", kind, e.msg);
    return m;
}

static void test_bins(void **state) {
    (void)state;
    double x[] = {3, 1, 2, 2, 1, 3, 5};
    model_matrix X = {7, 1, x, NULL};
    tree_bins b;
    tree_bins_fit(&b, &X, 255);
    assert_int_equal(b.nbins[0], 4); /* 1, 2, 3, 5 */
    assert_true(b.thr[0] == 1.5 && b.thr[1] == 2.5 && b.thr[2] == 4 && isinf(b.thr[3]));
    uint8_t *c = tree_bins_apply(&b, &X);
    uint8_t want[] = {2, 0, 1, 1, 0, 2, 3};
    assert_memory_equal(c, want, 7);
    free(c);
    tree_bins_free(&b);
    /* more distinct values than bins: quantile edges, increasing */
    size_t n = 1000;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (double)((i * 7919) % n);
    model_matrix Y = {n, 1, v, NULL};
    tree_bins_fit(&b, &Y, 10);
    assert_true(b.nbins[0] <= 10 && b.nbins[0] >= 9);
    for (int q = 1; q < b.nbins[0]; q++) assert_true(b.thr[q] > b.thr[q - 1]);
    tree_bins_free(&b);
    free(v);
}

static void test_tree_finds_split(void **state) {
    (void)state;
    frame *f = make_frame(500);
    model *m = fit("tree", f, "cls", NULL);
    const model_tensor *nd = model_tensor_get(m, "nodes");
    assert_non_null(nd);
    assert_int_equal(nd->rows, 3); /* one split, two pure leaves */
    assert_true(nd->data[0] == 0);
    assert_true(fabs(nd->data[nd->rows] - 0.3) < 0.01);
    assert_true(model_tensor_get(m, "importance")->data[0] == 1);
    model *r = fit("tree_regressor", f, "y", NULL);
    assert_int_equal(model_tensor_get(r, "nodes")->rows, 3);
    lab_err e;
    column *p = model_predict(r, f, &e);
    for (size_t i = 0; i < p->n; i++) assert_true(p->f64[i] == f->cols[2]->f64[i]);
    col_free(p);
    model_free(m);
    model_free(r);
    frame_free(f);
}

static void test_forest_deterministic(void **state) {
    (void)state;
    frame *f = make_frame(3000); /* large enough for two threads */
    model *a = fit("forest", f, "cls", NULL), *b = fit("forest", f, "cls", NULL);
    char ha[65], hb[65];
    model_hash(a, ha);
    model_hash(b, hb);
    assert_string_equal(ha, hb);
    assert_true(model_figure_get(a, "oob_score") > 0.97);
    model_free(a);
    model_free(b);
    frame_free(f);
}

typedef struct seen {
    int rounds;
    double first, last;
} seen;

static int on_figure(void *ud, const char *key, double v, long step) {
    seen *s = ud;
    if (step > 0 && strcmp(key, "loss") == 0) {
        if (s->rounds == 0) s->first = v;
        s->last = v;
        s->rounds++;
    }
    return 0;
}

static void test_gbm_rounds(void **state) {
    (void)state;
    frame *f = make_frame(400);
    seen s = {0};
    model_hooks h = {NULL, on_figure, &s};
    lab_err e;
    model *m = model_new("gbm", &e);
    assert_int_equal(model_set_number(m, "max_iter", 15, &e), 0);
    const char *feats[] = {"x1", "x2"};
    assert_int_equal(model_fit(m, f, "cls", feats, 2, &h, &e), 0);
    assert_int_equal(s.rounds, 15);
    assert_true(s.last < s.first);
    assert_int_equal(model_tensor_get(m, "roots")->rows, 15);
    /* interrupted: a clean failure, the model unfitted */
    lab_interrupt = 1;
    assert_int_equal(model_fit(m, f, "cls", feats, 2, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "interrupted"));
    assert_false(m->fitted);
    model *fo = model_new("forest", &e);
    assert_int_equal(model_fit(fo, f, "cls", feats, 2, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "interrupted"));
    lab_interrupt = 0;
    model_free(fo);
    model_free(m);
    frame_free(f);
}

static void test_tampered_node(void **state) {
    (void)state;
    frame *f = make_frame(200);
    model *m = fit("tree", f, "cls", NULL);
    /* a child pointing back at its parent would loop: the check refuses it */
    model_tensor *nd = (model_tensor *)model_tensor_get(m, "nodes");
    nd->data[2 * nd->rows] = 0;
    lab_err e;
    assert_int_equal(m->kind->check(m, &e), -1);
    assert_non_null(strstr(e.msg, "children"));
    nd->data[2 * nd->rows] = 1;
    nd->data[0] = 7; /* a feature the model does not have */
    assert_int_equal(m->kind->check(m, &e), -1);
    assert_non_null(strstr(e.msg, "feature"));
    model_free(m);
    frame_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bins),
        cmocka_unit_test(test_tree_finds_split),
        cmocka_unit_test(test_forest_deterministic),
        cmocka_unit_test(test_gbm_rounds),
        cmocka_unit_test(test_tampered_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
