/* test_plot_cells.c — plot_cells, the terminal renderer's cells for a curses
 * host: for every kind of plot on iris the glyphs are exactly the text that
 * plot_text writes at the same size (one layout, two outputs); colour indices
 * appear only when asked for and are xterm-256 indices; the ASCII option
 * leaves no byte above 127; sizes outside the limits fail with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"
#include "plot/plot.h"

static frame *iris;

static int setup(void **state) {
    (void)state;
    const char *root = getenv("LAB_ROOT") ? getenv("LAB_ROOT") : ".";
    char path[512];
    snprintf(path, sizeof path, "%s/data/iris.csv", root);
    lab_err e;
    iris = csv_read_file(path, NULL, &e);
    if (!iris) fprintf(stderr, "cannot read iris: %s\n", e.msg);
    return iris ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    frame_free(iris);
    return 0;
}

static plot *make(int k, lab_err *e) {
    plot_opts o = {0}, oc = {.color = "species"};
    const char *ys[] = {"sepal_length", "petal_length"};
    switch (k) {
    case 0: return plot_scatter(iris, "sepal_length", "sepal_width", &oc, e);
    case 1: return plot_line(iris, "petal_width", ys, 2, &o, e);
    case 2: return plot_hist(iris, "petal_length", &oc, e);
    case 3: return plot_bar(iris, "species", &o, e);
    case 4: return plot_box(iris, "petal_length", &oc, e);
    case 5: return plot_corr(iris, &o, e);
    default: return plot_pairs(iris, &oc, e);
    }
}

/* The cells' glyphs as text, one line per row. */
static char *join(const plot_cell *c, int cols, int rows) {
    size_t cap = (size_t)cols * rows * 4 + rows + 1, n = 0;
    char *s = malloc(cap);
    for (int r = 0; r < rows; r++) {
        for (int k = 0; k < cols; k++) {
            size_t len = strlen(c[(size_t)r * cols + k].ch);
            memcpy(s + n, c[(size_t)r * cols + k].ch, len);
            n += len;
        }
        s[n++] = '\n';
    }
    s[n] = 0;
    return s;
}

static void test_same_as_text(void **state) {
    (void)state;
    for (int k = 0; k < 7; k++) {
        lab_err e;
        plot *p = make(k, &e);
        assert_non_null(p);
        int sizes[][2] = {{80, 24}, {137, 41}, {30, 10}};
        for (int s = 0; s < 3; s++) {
            int cols = sizes[s][0], rows = sizes[s][1];
            char *t = plot_text(p, cols, rows, PLOT_COLOR_NONE, &e);
            plot_cell *c;
            if (plot_cells(p, cols, rows, 0, &c, &e) < 0) {
                /* a plot too big for the size fails in both, with the same message */
                assert_null(t);
                continue;
            }
            assert_non_null(t);
            char *j = join(c, cols, rows);
            if (strcmp(j, t) != 0) fail_msg("%s at %dx%d: cells differ from text:\n%s\n---\n%s", plot_summary(p), cols, rows, j, t);
            for (int i = 0; i < cols * rows; i++)
                if (c[i].fg != -1 || c[i].bg != -1) fail_msg("%s: colour without PLOT_CELLS_COLOR", plot_summary(p));
            free(j);
            free(t);
            free(c);
        }
        plot_free(p);
    }
}

static void test_color(void **state) {
    (void)state;
    lab_err e;
    plot *p = make(0, &e);
    plot_cell *c;
    assert_int_equal(plot_cells(p, 80, 24, PLOT_CELLS_COLOR, &c, &e), 0);
    int fgs[256] = {0}, distinct = 0, bold = 0;
    for (int i = 0; i < 80 * 24; i++) {
        assert_true(c[i].fg >= -1 && c[i].fg < 256);
        if (c[i].fg >= 0 && !fgs[c[i].fg]++) distinct++;
        bold += c[i].bold;
    }
    free(c);
    plot_free(p);
    if (distinct < 3) fail_msg("scatter coloured by species: %d colours, expected 3 or more", distinct);
    assert_true(bold > 0); /* the title */
    p = make(5, &e); /* corr: coloured backgrounds */
    assert_int_equal(plot_cells(p, 80, 24, PLOT_CELLS_COLOR, &c, &e), 0);
    int bgs = 0;
    for (int i = 0; i < 80 * 24; i++) bgs += c[i].bg >= 16;
    free(c);
    plot_free(p);
    assert_true(bgs > 100);
}

static void test_ascii(void **state) {
    (void)state;
    for (int k = 0; k < 7; k++) {
        lab_err e;
        plot *p = make(k, &e);
        plot_cell *c;
        assert_int_equal(plot_cells(p, 100, 30, PLOT_CELLS_ASCII, &c, &e), 0);
        char *j = join(c, 100, 30);
        for (const unsigned char *u = (const unsigned char *)j; *u; u++)
            if (*u > 127) fail_msg("%s: byte 0x%02x under ASCII:\n%s", plot_summary(p), *u, j);
        if (k == 0 && (!strstr(j, "setosa") || !strstr(j, "sepal_width by sepal_length") || !strchr(j, '.')))
            fail_msg("scatter under ASCII lost its text or points:\n%s", j);
        free(j);
        free(c);
        plot_free(p);
    }
}

static void test_bad_size(void **state) {
    (void)state;
    lab_err e;
    plot *p = make(0, &e);
    plot_cell *c = (plot_cell *)1;
    assert_int_equal(plot_cells(p, 29, 24, 0, &c, &e), -1);
    assert_null(c);
    assert_non_null(strstr(e.msg, "29x24"));
    assert_int_equal(plot_cells(p, 80, 9, 0, &c, &e), -1);
    plot_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_same_as_text), cmocka_unit_test(test_color),
                                       cmocka_unit_test(test_ascii), cmocka_unit_test(test_bad_size)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
