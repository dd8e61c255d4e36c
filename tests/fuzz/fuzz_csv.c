/* fuzz_csv.c — libFuzzer entry point for the CSV reader and writer.
 *
 * Each input is one option byte and CSV text (see csv_check.h for the layout
 * and the invariants). A failed invariant aborts, so libFuzzer saves the input
 * as a crash; regression copies live in tests/fuzz/regress/csv/ and are
 * replayed by tests/c/test_csv_regress.c without libFuzzer.
 *
 * FUZZ_CSV_TOLERATE (environment, a comma list of kinds such as
 * "roundtrip,message") lets a run go past gaps already reported, so that it
 * can find the next one; by default every invariant is enforced.
 * FUZZ_CSV_LARGE=0 turns the large (two-thread) mode off: one large case
 * takes about a second under the instrumentation, so a long run is best split
 * into a run without it and a short run with it on the large seeds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned tolerated(void) {
    static int done;
    static unsigned mask;
    if (done) return mask;
    done = 1;
    const char *env = getenv("FUZZ_CSV_TOLERATE");
    if (!env) return mask;
    for (unsigned k = 1; k < sizeof chk_kind_name / sizeof chk_kind_name[0]; k++) {
        const char *p = strstr(env, chk_kind_name[k]);
        size_t n = strlen(chk_kind_name[k]);
        /* "roundtrip" must not match inside "roundtrip-typed" */
        while (p && ((p != env && p[-1] != ',') || (p[n] != '\0' && p[n] != ','))) p = strstr(p + 1, chk_kind_name[k]);
        if (p) mask |= 1u << k;
    }
    return mask;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int large = -1;
    if (large < 0) large = !getenv("FUZZ_CSV_LARGE") || strcmp(getenv("FUZZ_CSV_LARGE"), "0") != 0;
    char why[1024];
    if (csv_check_input(data, size, tolerated(), large, why, sizeof why) != CHK_OK) {
        fprintf(stderr, "fuzz_csv: invariant failed: %s\n", why);
        abort();
    }
    return 0;
}
