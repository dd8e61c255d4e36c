/* test_plot.c — every kind of plot on iris: written as PNG (signature and
 * IHDR size), SVG (its title) and PDF (%PDF), not blank (the RGBA buffer of
 * the data area has marks), and as terminal text at 80x24 (24 lines, none
 * wider than 80 cells, the title, tick labels and legend present, no escapes
 * without colour). Then the bad inputs: each a one-line error naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv.h"
#include "plot/plot.h"

static frame *iris;
static char dir[256];

static int setup(void **state) {
    (void)state;
    const char *root = getenv("LAB_ROOT") ? getenv("LAB_ROOT") : ".";
    char path[512];
    snprintf(path, sizeof path, "%s/data/iris.csv", root);
    lab_err e;
    iris = csv_read_file(path, NULL, &e);
    if (!iris) {
        fprintf(stderr, "cannot read iris: %s\n", e.msg);
        return -1;
    }
    snprintf(dir, sizeof dir, "/tmp/lab-test-plot-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    frame_free(iris);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Plot number k (0..7) of iris, one per kind. */
static plot *make(int k, lab_err *e) {
    plot_opts o = {0}, oc = {.color = "species"};
    const char *ys[] = {"sepal_length", "petal_length"};
    switch (k) {
    case 0: return plot_scatter(iris, "sepal_length", "sepal_width", &oc, e);
    case 1: return plot_line(iris, "petal_width", ys, 2, &o, e);
    case 2: return plot_hist(iris, "petal_length", &oc, e);
    case 3: return plot_bar(iris, "species", &o, e);
    case 4: return plot_box(iris, "petal_length", &oc, e);
    case 5: {
        frame *h = frame_slice(iris, 0, 8);
        plot *p = plot_heatmap(h, &o, e);
        frame_free(h);
        return p;
    }
    case 6: return plot_corr(iris, &o, e);
    default: return plot_pairs(iris, &oc, e);
    }
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    *n = fread(s, 1, (size_t)len, f);
    s[*n] = 0;
    fclose(f);
    return s;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const char *s, size_t n, uint32_t w, uint32_t h) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_true(n > 33);
    assert_memory_equal(s, sig, 8);
    assert_memory_equal(s + 12, "IHDR", 4);
    assert_int_equal(be32((const unsigned char *)s + 16), w);
    assert_int_equal(be32((const unsigned char *)s + 20), h);
}

static void test_files(void **state) {
    (void)state;
    for (int k = 0; k < 8; k++) {
        lab_err e;
        plot *p = make(k, &e);
        if (!p) fail_msg("kind %d: %s", k, e.msg);
        const char *name = plot_kind_name(plot_get_kind(p));
        char path[400];
        size_t n;
        char *s;

        snprintf(path, sizeof path, "%s/%s.png", dir, name);
        if (plot_save(p, path, 640, 480, &e) != 0) fail_msg("%s png: %s", name, e.msg);
        s = slurp(path, &n);
        assert_non_null(s);
        check_png(s, n, 640, 480);
        free(s);

        snprintf(path, sizeof path, "%s/%s.svg", dir, name);
        if (plot_save(p, path, 0, 0, &e) != 0) fail_msg("%s svg: %s", name, e.msg);
        s = slurp(path, &n);
        assert_non_null(s);
        char want[300];
        snprintf(want, sizeof want, "<title>%s</title>", plot_title(p));
        if (!strstr(s, want)) fail_msg("%s: the SVG lacks %s", name, want);
        assert_non_null(strstr(s, "<svg"));
        free(s);

        snprintf(path, sizeof path, "%s/%s.pdf", dir, name);
        if (plot_save(p, path, 0, 0, &e) != 0) fail_msg("%s pdf: %s", name, e.msg);
        s = slurp(path, &n);
        assert_non_null(s);
        assert_true(n > 500);
        assert_memory_equal(s, "%PDF", 4);
        free(s);

        strbuf b = {0};
        if (plot_png(p, 300, 200, &b, &e) != 0) fail_msg("%s png bytes: %s", name, e.msg);
        check_png(b.s, b.n, 300, 200);
        free(b.s);
        plot_free(p);
    }
}

static void test_not_blank(void **state) {
    (void)state;
    for (int k = 0; k < 8; k++) {
        lab_err e;
        plot *p = make(k, &e);
        assert_non_null(p);
        uint8_t *px = plot_render_rgba(p, 160, 120, &e);
        if (!px) fail_msg("%s: %s", plot_summary(p), e.msg);
        size_t marks = 0;
        for (size_t i = 0; i < 160 * 120; i++)
            if (px[4 * i] + px[4 * i + 1] + px[4 * i + 2] < 3 * 255 - 40) marks++;
        if (marks < 60) fail_msg("%s: only %zu marked pixels of %d", plot_summary(p), marks, 160 * 120);
        free(px);
        plot_free(p);
    }
}

/* The lines of s: count, and the widest in cells. */
static int lines(const char *s, size_t *widest) {
    int n = 0;
    *widest = 0;
    char line[8192];
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (len >= sizeof line) len = sizeof line - 1;
        memcpy(line, s, len);
        line[len] = 0;
        size_t w = plot_text_width(line);
        if (w > *widest) *widest = w;
        n++;
        s += len + (nl ? 1 : 0);
    }
    return n;
}

static void test_terminal(void **state) {
    (void)state;
    /* what each kind must show: a tick label and a legend or axis word */
    const char *want[8][3] = {{"sepal_width by sepal_length", "3.0", "versicolor"},
                              {"petal_width", "1.0", "petal_length"},
                              {"petal_length", "count", "virginica"},
                              {"species", "50", "setosa"},
                              {"petal_length by species", "virginica", "4"},
                              {"heatmap", "sepal_length", "5.1"},
                              {"correlation", "0.87", "petal_width"},
                              {"pairs", "sepal_length", "setosa"}};
    for (int k = 0; k < 8; k++) {
        lab_err e;
        plot *p = make(k, &e);
        assert_non_null(p);
        char *t = plot_text(p, 80, 24, PLOT_COLOR_NONE, &e);
        if (!t) fail_msg("%s: %s", plot_summary(p), e.msg);
        size_t widest;
        int n = lines(t, &widest);
        if (n != 24 || widest != 80) fail_msg("%s: %d lines, widest %zu; expected 24 lines of 80", plot_summary(p), n, widest);
        if (strchr(t, '\x1b')) fail_msg("%s: escapes under NO_COLOR", plot_summary(p));
        for (int w = 0; w < 3; w++)
            if (!strstr(t, want[k][w])) fail_msg("%s: expected '%s' in\n%s", plot_summary(p), want[k][w], t);
        free(t);
        t = plot_text(p, 120, 40, PLOT_COLOR_256, &e);
        assert_non_null(t);
        n = lines(t, &widest);
        assert_int_equal(n, 40);
        assert_non_null(strstr(t, "\x1b[38;5;"));
        free(t);
        t = plot_text(p, 100, 30, PLOT_COLOR_TRUE, &e);
        assert_non_null(strstr(t, "\x1b[38;2;"));
        free(t);
        plot_free(p);
    }
}

static void test_hist_bins(void **state) {
    (void)state;
    lab_err e;
    plot_opts o = {.bins = 10};
    plot *p = plot_hist(iris, "sepal_width", &o, &e);
    assert_non_null(p);
    assert_non_null(strstr(plot_summary(p), "150 values, 10 bins"));
    plot_free(p);
    /* 150 values: Sturges gives 9; Freedman–Diaconis (IQR 0.5, width
     * 2 * 0.5 / 150^(1/3) = 0.188 over 2.0 .. 4.4) gives 13; the larger wins */
    p = plot_hist(iris, "sepal_width", NULL, &e);
    assert_non_null(p);
    if (!strstr(plot_summary(p), "13 bins")) fail_msg("expected 13 bins: %s", plot_summary(p));
    plot_free(p);
}

static void test_summary(void **state) {
    (void)state;
    lab_err e;
    plot_opts oc = {.color = "species"};
    plot *p = plot_scatter(iris, "sepal_length", "sepal_width", &oc, &e);
    assert_string_equal(plot_summary(p), "scatter: sepal_width by sepal_length, 150 points, 3 groups");
    plot_free(p);
}

static void expect_error(plot *p, const lab_err *e, const char *want) {
    if (p) fail_msg("expected an error containing \"%s\", got a plot", want);
    if (!strstr(e->msg, want)) fail_msg("expected an error containing \"%s\", got \"%s\"", want, e->msg);
    assert_null(strchr(e->msg, '\n'));
}

static void test_bad_input(void **state) {
    (void)state;
    lab_err e;
    plot_opts o = {0};
    expect_error(plot_scatter(iris, "sepal_lenght", "sepal_width", &o, &e), &e,
                 "scatter: no column 'sepal_lenght' (did you mean 'sepal_length'");
    expect_error(plot_hist(iris, "species", &o, &e), &e, "hist: column 'species' is a string column");
    expect_error(plot_box(iris, "petal_length", &(plot_opts){.color = "specie"}, &e), &e, "did you mean 'species'");
    frame *empty = frame_slice(iris, 0, 0);
    expect_error(plot_scatter(empty, "sepal_length", "sepal_width", &o, &e), &e, "the frame has no rows");
    expect_error(plot_pairs(empty, &o, &e), &e, "pairs: the frame has no rows");
    expect_error(plot_bar(empty, "species", &o, &e), &e, "bar: the frame has no rows");
    frame_free(empty);
    frame *strings = frame_new();
    frame_set_column(strings, "species", col_ref(iris->cols[4]), NULL);
    strings->nrow = iris->nrow;
    expect_error(plot_corr(strings, &o, &e), &e, "corr: the frame has no number columns");
    frame_free(strings);
    expect_error(plot_heatmap_matrix(NULL, 0, 3, NULL, NULL, &o, &e), &e, "heatmap: the matrix is empty");
    plot_opts many = {.color = "sepal_length"};
    expect_error(plot_scatter(iris, "sepal_length", "sepal_width", &many, &e), &e, "more than 20 distinct values");

    plot *p = plot_bar(iris, "species", &o, &e);
    assert_non_null(p);
    assert_int_equal(plot_save(p, "/nonexistent-dir/x.png", 0, 0, &e), -1);
    assert_non_null(strstr(e.msg, "cannot write '/nonexistent-dir/x.png'"));
    assert_int_equal(plot_save(p, "out.jpg", 0, 0, &e), -1);
    assert_non_null(strstr(e.msg, "unknown file extension '.jpg' in 'out.jpg'"));
    assert_int_equal(plot_save(p, "noext", 0, 0, &e), -1);
    assert_non_null(strstr(e.msg, "no file extension"));
    assert_null(plot_text(p, 10, 5, PLOT_COLOR_NONE, &e));
    assert_non_null(strstr(e.msg, "out of range"));
    plot_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),    cmocka_unit_test(test_not_blank), cmocka_unit_test(test_terminal),
        cmocka_unit_test(test_hist_bins), cmocka_unit_test(test_summary),  cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("plot", tests, setup, teardown);
}
