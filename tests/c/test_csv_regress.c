/* test_csv_regress.c — replays every CSV fuzz regression case without libFuzzer.
 *
 * Each file in tests/fuzz/regress/csv/ is an input that once crashed the
 * reader or broke one of its invariants under tests/fuzz/fuzz_csv.c: one
 * option byte, then CSV text (layout in tests/fuzz/csv_check.h). Every file
 * becomes one cmocka test that runs the fuzz target's own checks, large
 * (two-thread) mode included, with nothing tolerated; a failure names the
 * file and the invariant. Runs from the repository root, or from $LAB_ROOT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/csv_check.h"

typedef struct regress_case {
    char *path;
    char *name;
} regress_case;

static int read_all(const char *path, uint8_t **out, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) buf = xrealloc(buf, cap *= 2);
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static void test_case(void **state) {
    const regress_case *c = *state;
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_all(c->path, &data, &len) < 0) {
        fail_msg("%s: cannot read it", c->path);
        return;
    }
    char why[1024];
    int rc = csv_check_input(data, len, 0, 1, why, sizeof why);
    free(data);
    if (rc != CHK_OK) fail_msg("%s: expected every invariant to hold, but %s", c->path, why);
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const regress_case *)a)->name, ((const regress_case *)b)->name);
}

int main(void) {
    const char *root = getenv("LAB_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regress/csv", root && root[0] ? root : ".");
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "test_csv_regress: cannot open %s (run from the repository root)\n", dir);
        return 1;
    }
    size_t n = 0, cap = 16;
    regress_case *cases = xmalloc(cap * sizeof *cases);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".csv") != 0) continue;
        if (n == cap) cases = xrealloc(cases, (cap *= 2) * sizeof *cases);
        size_t pl = strlen(dir) + nl + 2;
        cases[n].path = xmalloc(pl);
        snprintf(cases[n].path, pl, "%s/%s", dir, de->d_name);
        cases[n].name = xstrdup(de->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "test_csv_regress: no .csv cases in %s\n", dir);
        free(cases);
        return 1;
    }
    qsort(cases, n, sizeof *cases, by_name);
    struct CMUnitTest *tests = xcalloc(n, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = test_case;
        tests[i].initial_state = &cases[i];
    }
    int failed = _cmocka_run_group_tests("csv_regress", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].path);
        free(cases[i].name);
    }
    free(tests);
    free(cases);
    return failed;
}
