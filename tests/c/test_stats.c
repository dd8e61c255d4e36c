/* test_stats.c — statistics, value counts, correlation and group-by on small
 * frames built by hand, checked against values worked out on paper (or by a
 * plain reference: a full sort for quantiles). The agreement with pandas on
 * the bundled data sets is tested from Lua (tests/lua/test_stats.lua). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/stats.h"

/* ---- builders ------------------------------------------------------------- */

/* A number column from values; NAN marks NA (use nan_value for a NaN that is a value). */
static column *num(size_t n, const double *v) {
    column *c = col_new(COL_NUMBER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) col_set_na(c, i);
        else c->f64[i] = v[i];
    }
    return c;
}

static column *ints(size_t n, const int64_t *v, const int *na) {
    column *c = col_new(COL_INTEGER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        c->i64[i] = v[i];
        if (na && na[i]) col_set_na(c, i);
    }
    return c;
}

/* A string column; NULL items are NA. */
static column *strs(size_t n, const char *const *v) {
    column *c = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) col_set_na(c, i);
        else c->code[i] = strdict_intern(c->dict, v[i], strlen(v[i]));
    }
    return c;
}

static void near(double got, double want, double tol) {
    if (isnan(want)) {
        if (!isnan(got)) fail_msg("expected NaN, got %.17g", got);
        return;
    }
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    if (!(fabs(got - want) <= tol * scale)) fail_msg("expected %.17g, got %.17g", want, got);
}

static double cell(const frame *f, const char *col, size_t row) {
    int j = frame_find(f, col);
    if (j < 0) fail_msg("expected a column '%s'", col);
    return col_as_double(f->cols[j], row);
}

static void expect_str(const frame *f, const char *col, size_t row, const char *want) {
    int j = frame_find(f, col);
    if (j < 0) fail_msg("expected a column '%s'", col);
    const char *got = col_str(f->cols[j], row);
    if (!want) {
        if (got) fail_msg("row %zu of '%s': expected NA, got '%s'", row, col, got);
        return;
    }
    if (!got || strcmp(got, want) != 0) fail_msg("row %zu of '%s': expected '%s', got '%s'", row, col, want, got ? got : "NA");
}

/* ---- one column ------------------------------------------------------------ */

static void test_moments_skip_na(void **state) {
    (void)state;
    double v[] = {1, NAN, 2, 3, NAN, 4};
    column *c = num(6, v);
    assert_int_equal(stats_count(c), 4);
    near(stats_sum(c), 10, 0);
    near(stats_mean(c), 2.5, 0);
    near(stats_var(c, 1), 5.0 / 3.0, 1e-15);
    near(stats_std(c, 1), sqrt(5.0 / 3.0), 1e-15);
    near(stats_var(c, 0), 1.25, 1e-15);
    near(stats_median(c), 2.5, 0);
    assert_int_equal(stats_argmin(c), 0);
    assert_int_equal(stats_argmax(c), 5);
    col_free(c);
}

static void test_nan_is_missing(void **state) {
    (void)state;
    column *c = col_new(COL_NUMBER, 3, NULL);
    c->f64[0] = 1;
    c->f64[1] = NAN; /* a NaN value, not an NA */
    c->f64[2] = 3;
    assert_int_equal(stats_count(c), 2);
    near(stats_mean(c), 2, 0);
    assert_int_equal(stats_argmax(c), 2);
    col_free(c);
}

static void test_all_na_and_single(void **state) {
    (void)state;
    double v[] = {NAN, NAN};
    column *c = num(2, v);
    assert_int_equal(stats_count(c), 0);
    near(stats_sum(c), 0, 0); /* pandas: the sum of nothing is 0 */
    assert_true(isnan(stats_mean(c)));
    assert_true(isnan(stats_std(c, 1)));
    assert_true(isnan(stats_median(c)));
    assert_int_equal(stats_argmin(c), SIZE_MAX);
    col_free(c);
    double one[] = {7};
    c = num(1, one);
    near(stats_mean(c), 7, 0);
    assert_true(isnan(stats_std(c, 1))); /* pandas gives NaN for one value */
    near(stats_std(c, 0), 0, 0);
    col_free(c);
}

static void test_integer_sum_exact(void **state) {
    (void)state;
    /* 2^53 + 1 is not a double; the integer sum must keep it. */
    int64_t v[] = {INT64_C(9007199254740992), 1, 0};
    int na[] = {0, 0, 1};
    column *c = ints(3, v, na);
    int64_t s = 0;
    assert_int_equal(stats_sum_int(c, &s), 0);
    assert_true(s == INT64_C(9007199254740993));
    col_free(c);
    int64_t big[] = {INT64_MAX, 1};
    c = ints(2, big, NULL);
    assert_int_equal(stats_sum_int(c, &s), -1); /* overflow is reported */
    near(stats_sum(c), 9223372036854775808.0, 1e-15);
    col_free(c);
}

static void test_compensated_accuracy(void **state) {
    (void)state;
    /* Large offset, small spread: a naive one-pass variance loses everything. */
    size_t n = 1000;
    column *c = col_new(COL_NUMBER, n, NULL);
    for (size_t i = 0; i < n; i++) c->f64[i] = 1e9 + (double)(i % 10) * 0.1;
    /* values 1e9 + {0, .1, ..., .9} each 100 times: mean 1e9 + 0.45 */
    near(stats_mean(c), 1e9 + 0.45, 1e-15);
    double exact = 0;
    for (int k = 0; k < 10; k++) exact += 100 * (k * 0.1 - 0.45) * (k * 0.1 - 0.45);
    exact /= (double)(n - 1);
    near(stats_var(c, 1), exact, 1e-6); /* the inputs themselves are rounded near 1e9 */
    col_free(c);
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reference quantile: full sort, R type 7. */
static double ref_quantile(const double *sorted, size_t n, double q) {
    double h = q * (double)(n - 1);
    size_t j = (size_t)floor(h);
    if (j >= n - 1) return sorted[n - 1];
    return sorted[j] + (h - (double)j) * (sorted[j + 1] - sorted[j]);
}

static void test_quantiles(void **state) {
    (void)state;
    double v[] = {7, 1, NAN, 3, 5};
    column *c = num(5, v);
    double q[] = {0, 0.1, 0.25, 0.5, 0.9, 1};
    double out[6];
    assert_int_equal(stats_quantiles(c, q, 6, out, NULL), 0);
    /* sorted 1 3 5 7, h = q * 3 */
    near(out[0], 1, 0);
    near(out[1], 1.6, 1e-15);
    near(out[2], 2.5, 1e-15);
    near(out[3], 4, 0);
    near(out[4], 6.4, 1e-15);
    near(out[5], 7, 0);
    lab_err e;
    double bad = 1.5;
    assert_int_equal(stats_quantiles(c, &bad, 1, out, &e), -1);
    assert_non_null(strstr(e.msg, "1.5"));
    col_free(c);

    /* Random inputs, many duplicates and not: quickselect against a sort. */
    uint64_t seed = 42;
    for (int round = 0; round < 20; round++) {
        size_t n = 1 + (size_t)(round * 97 % 1000);
        column *r = col_new(COL_NUMBER, n, NULL);
        double *s = malloc(n * sizeof *s);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            double x = (double)(seed >> 11) / 9007199254740992.0;
            if (round % 3 == 0) x = floor(x * 5); /* heavy ties */
            r->f64[i] = s[i] = x;
        }
        qsort(s, n, sizeof *s, cmp_d);
        double qs[] = {0, 0.01, 0.25, 0.333, 0.5, 0.75, 0.99, 1};
        double got[8];
        assert_int_equal(stats_quantiles(r, qs, 8, got, NULL), 0);
        for (int k = 0; k < 8; k++) near(got[k], ref_quantile(s, n, qs[k]), 1e-15);
        free(s);
        col_free(r);
    }
}

static void test_string_rejected(void **state) {
    (void)state;
    const char *v[] = {"a", "b"};
    column *c = strs(2, v);
    lab_err e;
    assert_int_equal(stats_check_numeric(c, "mean", "species", &e), -1);
    assert_non_null(strstr(e.msg, "'species'"));
    assert_non_null(strstr(e.msg, "string"));
    double q = 0.5, out;
    assert_int_equal(stats_quantiles(c, &q, 1, &out, &e), -1);
    /* min/max work on strings: bytes order */
    assert_int_equal(stats_argmin(c), 0);
    assert_int_equal(stats_argmax(c), 1);
    col_free(c);
}

static void test_value_counts(void **state) {
    (void)state;
    const char *v[] = {"b", "a", NULL, "c", "a", "b", "d", NULL, "c"};
    column *c = strs(9, v);
    frame *f = stats_value_counts(c);
    /* a, b, c twice each: ties keep first appearance (b, a, c); then d */
    assert_int_equal(f->nrow, 4);
    expect_str(f, "value", 0, "b");
    expect_str(f, "value", 1, "a");
    expect_str(f, "value", 2, "c");
    expect_str(f, "value", 3, "d");
    near(cell(f, "count", 0), 2, 0);
    near(cell(f, "count", 3), 1, 0);
    assert_int_equal(f->cols[1]->type, COL_INTEGER);
    frame_free(f);
    assert_int_equal(stats_nunique(c), 4);
    column *u = stats_unique(c);
    assert_int_equal(u->n, 5); /* b a NA c d */
    assert_string_equal(col_str(u, 0), "b");
    assert_string_equal(col_str(u, 1), "a");
    assert_true(col_is_na(u, 2));
    assert_string_equal(col_str(u, 3), "c");
    assert_string_equal(col_str(u, 4), "d");
    col_free(u);
    col_free(c);

    double x[] = {0.5, -0.0, 0.0, 0.5, 0.5, NAN};
    c = num(6, x);
    f = stats_value_counts(c);
    assert_int_equal(f->nrow, 2);
    near(cell(f, "value", 0), 0.5, 0);
    near(cell(f, "count", 0), 3, 0);
    near(cell(f, "count", 1), 2, 0); /* -0 and 0 are one value */
    frame_free(f);
    col_free(c);
}

/* ---- frames ----------------------------------------------------------------- */

static frame *small_frame(void) {
    double x[] = {1, 2, 3, 4, NAN, 6};
    double y[] = {2, 4, 6, 8, 10, NAN};
    int64_t k[] = {3, 1, 3, 1, 2, 2};
    const char *s[] = {"p", "q", "p", NULL, "q", "q"};
    frame *f = frame_new();
    frame_set_column(f, "x", num(6, x), NULL);
    frame_set_column(f, "y", num(6, y), NULL);
    frame_set_column(f, "k", ints(6, k, NULL), NULL);
    frame_set_column(f, "s", strs(6, s), NULL);
    column *b = col_new(COL_BOOLEAN, 6, NULL);
    for (size_t i = 0; i < 6; i++) b->b[i] = i % 2;
    frame_set_column(f, "b", b, NULL);
    return f;
}

static void test_describe(void **state) {
    (void)state;
    frame *f = small_frame();
    lab_err e;
    frame *d = stats_describe(f, &e);
    assert_non_null(d);
    assert_int_equal(d->ncol, 4); /* stat, x, y, k: no string, no boolean */
    assert_string_equal(d->names[0], "stat");
    expect_str(d, "stat", 4, "25%");
    near(cell(d, "x", 0), 5, 0);
    near(cell(d, "x", 1), 16.0 / 5, 1e-15);
    near(cell(d, "x", 3), 1, 0);
    near(cell(d, "x", 5), 3, 0);
    near(cell(d, "x", 7), 6, 0);
    near(cell(d, "k", 4), 1.25, 1e-15);
    frame_free(d);
    frame_free(f);

    f = frame_new();
    const char *s[] = {"a"};
    frame_set_column(f, "name", strs(1, s), NULL);
    assert_null(stats_describe(f, &e));
    assert_non_null(strstr(e.msg, "describe"));
    frame_free(f);
}

static void test_corr(void **state) {
    (void)state;
    frame *f = small_frame();
    lab_err e;
    frame *r = stats_corr(f, &e);
    assert_non_null(r);
    assert_int_equal(r->nrow, 3);
    expect_str(r, "column", 0, "x");
    near(cell(r, "x", 1), 1, 1e-15); /* y = 2x where both are present */
    near(cell(r, "y", 0), 1, 1e-15);
    near(cell(r, "x", 0), 1, 1e-15);
    /* x vs k over rows 0..3 and 5: x = 1 2 3 4 6, k = 3 1 3 1 2 */
    double xs[] = {1, 2, 3, 4, 6}, ks[] = {3, 1, 3, 1, 2};
    double mx = 16.0 / 5, mk = 2, sxy = 0, sxx = 0, skk = 0;
    for (int i = 0; i < 5; i++) {
        sxy += (xs[i] - mx) * (ks[i] - mk);
        sxx += (xs[i] - mx) * (xs[i] - mx);
        skk += (ks[i] - mk) * (ks[i] - mk);
    }
    near(cell(r, "k", 0), sxy / sqrt(sxx * skk), 1e-14);
    frame_free(r);
    frame_free(f);

    /* A constant column has no correlation: NA. */
    double c1[] = {1, 1, 1}, c2[] = {1, 2, 3};
    f = frame_new();
    frame_set_column(f, "c", num(3, c1), NULL);
    frame_set_column(f, "d", num(3, c2), NULL);
    r = stats_corr(f, &e);
    assert_true(col_is_na(r->cols[2], 0));
    near(cell(r, "d", 1), 1, 1e-15);
    frame_free(r);
    frame_free(f);
}

static void test_group_by_one_key(void **state) {
    (void)state;
    frame *f = small_frame();
    lab_err e;
    int key = frame_find(f, "k");
    stats_groups *g = stats_groups_new(f, &key, 1, &e);
    assert_non_null(g);
    assert_int_equal(stats_groups_count(g), 3);
    stats_agg_spec specs[] = {
        {"n", 0, STATS_AGG_SIZE},      {"cx", 0, STATS_AGG_COUNT},   {"sx", 0, STATS_AGG_SUM},
        {"mx", 0, STATS_AGG_MEAN},     {"sdy", 1, STATS_AGG_STD},    {"minx", 0, STATS_AGG_MIN},
        {"maxs", 3, STATS_AGG_MAX},    {"medy", 1, STATS_AGG_MEDIAN}, {"fs", 3, STATS_AGG_FIRST},
        {"ly", 1, STATS_AGG_LAST},     {"sk", 2, STATS_AGG_SUM},     {"nus", 3, STATS_AGG_NUNIQUE},
    };
    frame *r = stats_groups_agg(g, specs, 12, &e);
    assert_non_null(r);
    assert_string_equal(r->names[0], "k");
    /* groups sorted: k = 1 (rows 1, 3), 2 (rows 4, 5), 3 (rows 0, 2) */
    near(cell(r, "k", 0), 1, 0);
    near(cell(r, "k", 2), 3, 0);
    near(cell(r, "n", 1), 2, 0);
    near(cell(r, "cx", 1), 1, 0);   /* x is NA in row 4 */
    near(cell(r, "sx", 0), 6, 0);
    near(cell(r, "mx", 2), 2, 0);
    near(cell(r, "sdy", 0), sqrt(8), 1e-15);
    assert_true(col_is_na(r->cols[frame_find(r, "sdy")], 1)); /* one value: NA */
    near(cell(r, "minx", 1), 6, 0);
    expect_str(r, "maxs", 0, "q");
    expect_str(r, "fs", 0, "q");    /* row 3 is NA: skipped */
    near(cell(r, "medy", 2), 4, 0);
    near(cell(r, "ly", 1), 10, 0);  /* row 5 is NA: the last present is row 4 */
    assert_int_equal(r->cols[frame_find(r, "sk")]->type, COL_INTEGER);
    near(cell(r, "sk", 2), 6, 0);
    near(cell(r, "nus", 2), 1, 0);
    frame_free(r);

    /* bad specs */
    stats_agg_spec dup[] = {{"a", 0, STATS_AGG_SUM}, {"a", 1, STATS_AGG_SUM}};
    assert_null(stats_groups_agg(g, dup, 2, &e));
    assert_non_null(strstr(e.msg, "'a' appears twice"));
    stats_agg_spec str[] = {{"m", 3, STATS_AGG_MEAN}};
    assert_null(stats_groups_agg(g, str, 1, &e));
    assert_non_null(strstr(e.msg, "'s'"));
    assert_non_null(strstr(e.msg, "string"));
    stats_groups_free(g);
    frame_free(f);
}

static void test_group_by_two_keys(void **state) {
    (void)state;
    frame *f = small_frame();
    lab_err e;
    int keys[] = {frame_find(f, "s"), frame_find(f, "b")};
    stats_groups *g = stats_groups_new(f, keys, 2, &e);
    assert_non_null(g);
    /* rows: (p,F) (q,T) (p,F) NA (q,F) (q,T) -> (p,F) x2, (q,F), (q,T) x2 */
    assert_int_equal(stats_groups_count(g), 3);
    stats_agg_spec specs[] = {{"n", 0, STATS_AGG_SIZE}, {"y", 1, STATS_AGG_SUM}};
    frame *r = stats_groups_agg(g, specs, 2, &e);
    expect_str(r, "s", 0, "p");
    expect_str(r, "s", 1, "q");
    expect_str(r, "s", 2, "q");
    near(cell(r, "b", 1), 0, 0);
    near(cell(r, "b", 2), 1, 0);
    near(cell(r, "n", 0), 2, 0);
    near(cell(r, "y", 0), 8, 0);
    near(cell(r, "y", 1), 10, 0);
    near(cell(r, "y", 2), 4, 0); /* the NA in row 5 counts as nothing */
    frame_free(r);
    stats_groups_free(g);

    /* String keys sort by bytes, not by first appearance. */
    const char *s[] = {"pear", "apple", "fig", "apple"};
    frame *h = frame_new();
    frame_set_column(h, "fruit", strs(4, s), NULL);
    int k0 = 0;
    g = stats_groups_new(h, &k0, 1, &e);
    stats_agg_spec sz[] = {{"n", 0, STATS_AGG_SIZE}};
    r = stats_groups_agg(g, sz, 1, &e);
    expect_str(r, "fruit", 0, "apple");
    expect_str(r, "fruit", 1, "fig");
    expect_str(r, "fruit", 2, "pear");
    near(cell(r, "n", 0), 2, 0);
    frame_free(r);
    stats_groups_free(g);
    frame_free(h);

    int bad = 9;
    assert_null(stats_groups_new(f, &bad, 1, &e));
    frame_free(f);
}

/* Hash grouping against a plain reference: for every (a, b) key pair, scan
 * all rows. Random keys with NAs, random values with NAs. */
static void test_group_by_random(void **state) {
    (void)state;
    size_t n = 3000;
    frame *f = frame_new();
    column *a = col_new(COL_INTEGER, n, NULL), *b = col_new(COL_BOOLEAN, n, NULL), *x = col_new(COL_NUMBER, n, NULL);
    uint64_t seed = 7;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = seed >> 20;
        a->i64[i] = (int64_t)(r % 13) - 6;
        b->b[i] = (r >> 8) & 1;
        x->f64[i] = (double)((r >> 10) % 1000) / 7.0;
        if ((r >> 30) % 17 == 0) col_set_na(a, i);
        if ((r >> 35) % 11 == 0) col_set_na(x, i);
    }
    frame_set_column(f, "a", a, NULL);
    frame_set_column(f, "b", b, NULL);
    frame_set_column(f, "x", x, NULL);
    lab_err e;
    int keys[] = {0, 1};
    stats_groups *g = stats_groups_new(f, keys, 2, &e);
    stats_agg_spec specs[] = {{"n", 0, STATS_AGG_SIZE}, {"c", 2, STATS_AGG_COUNT}, {"s", 2, STATS_AGG_SUM},
                              {"m", 2, STATS_AGG_MEDIAN}, {"v", 2, STATS_AGG_VAR}};
    frame *r = stats_groups_agg(g, specs, 5, &e);
    assert_non_null(r);
    assert_int_equal(r->nrow, 26); /* 13 x 2 pairs, all present in 3000 rows */
    double *vals = malloc(n * sizeof *vals);
    size_t row = 0;
    for (int64_t ka = -6; ka <= 6; ka++)
        for (int kb = 0; kb <= 1; kb++, row++) {
            near(cell(r, "a", row), (double)ka, 0);
            near(cell(r, "b", row), kb, 0);
            size_t size = 0, m = 0;
            double sum = 0;
            for (size_t i = 0; i < n; i++) {
                if (col_is_na(a, i) || a->i64[i] != ka || b->b[i] != kb) continue;
                size++;
                if (col_is_na(x, i)) continue;
                vals[m++] = x->f64[i];
                sum += x->f64[i];
            }
            qsort(vals, m, sizeof *vals, cmp_d);
            double mean = sum / (double)m, ss = 0;
            for (size_t k = 0; k < m; k++) ss += (vals[k] - mean) * (vals[k] - mean);
            near(cell(r, "n", row), (double)size, 0);
            near(cell(r, "c", row), (double)m, 0);
            near(cell(r, "s", row), sum, 1e-12);
            near(cell(r, "m", row), ref_quantile(vals, m, 0.5), 0);
            near(cell(r, "v", row), ss / (double)(m - 1), 1e-12);
        }
    free(vals);
    frame_free(r);
    stats_groups_free(g);
    frame_free(f);
}

static void test_agg_names(void **state) {
    (void)state;
    stats_agg a;
    assert_int_equal(stats_agg_parse("median", &a), 0);
    assert_int_equal(a, STATS_AGG_MEDIAN);
    assert_int_equal(stats_agg_parse("avg", &a), -1);
    assert_non_null(strstr(stats_agg_list(), "first"));
    assert_string_equal(stats_agg_name(STATS_AGG_LAST), "last");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_skip_na),   cmocka_unit_test(test_nan_is_missing),
        cmocka_unit_test(test_all_na_and_single), cmocka_unit_test(test_integer_sum_exact),
        cmocka_unit_test(test_compensated_accuracy), cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_string_rejected),   cmocka_unit_test(test_value_counts),
        cmocka_unit_test(test_describe),          cmocka_unit_test(test_corr),
        cmocka_unit_test(test_group_by_one_key),  cmocka_unit_test(test_group_by_two_keys),
        cmocka_unit_test(test_group_by_random),   cmocka_unit_test(test_agg_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
