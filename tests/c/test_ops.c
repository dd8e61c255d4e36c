/* test_ops.c — frame operations (engine/data/ops.c) and the generator
 * (engine/util/rng.c) against hand-made frames with known answers.
 *
 * Frames are written as text so that every expectation reads like the table
 * it describes: C(COL_INTEGER, "1,2,NA") is a column, frame_text() prints a
 * frame as "a:integer=1,2,NA | b:string=x,y,z". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "data/frame.h"
#include "data/ops.h"
#include "util/rng.h"

/* ---- helpers ------------------------------------------------------------- */

/* A column from comma-separated text; "NA" is missing, "nan" a NaN. */
static column *C(col_type t, const char *text) {
    size_t n = 0;
    if (*text) {
        n = 1;
        for (const char *p = text; *p; p++) n += *p == ',';
    }
    column *c = col_new(t, n, NULL);
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", (int)len, p);
        if (strcmp(buf, "NA") == 0) col_set_na(c, i);
        else if (t == COL_NUMBER) c->f64[i] = strtod(buf, NULL);
        else if (t == COL_INTEGER) c->i64[i] = strtoll(buf, NULL, 10);
        else if (t == COL_BOOLEAN) c->b[i] = strcmp(buf, "true") == 0;
        else c->code[i] = strdict_intern(c->dict, buf, len);
        p = end ? end + 1 : p + len;
    }
    return c;
}

/* A frame from (name, column) pairs, ended by NULL. */
static frame *F(const char *name, ...) {
    frame *f = frame_new();
    va_list ap;
    va_start(ap, name);
    for (const char *nm = name; nm; nm = va_arg(ap, const char *)) {
        column *c = va_arg(ap, column *);
        assert_int_equal(frame_set_column(f, nm, c, NULL), 0);
    }
    va_end(ap);
    return f;
}

static char text_buf[8192];

static const char *frame_text(const frame *f) {
    size_t at = 0;
    text_buf[0] = '\0';
    for (int j = 0; j < f->ncol; j++) {
        at += (size_t)snprintf(text_buf + at, sizeof text_buf - at, "%s%s:%s=", j ? " | " : "",
                               f->names[j], col_type_name(f->cols[j]->type));
        for (size_t i = 0; i < f->nrow; i++) {
            char cell[128];
            col_format(f->cols[j], i, cell, sizeof cell);
            at += (size_t)snprintf(text_buf + at, sizeof text_buf - at, "%s%s", i ? "," : "", cell);
        }
    }
    return text_buf;
}

#define assert_frame(f, want) assert_string_equal(frame_text(f), want)

static void assert_err(const lab_err *e, const char *part) {
    if (!strstr(e->msg, part)) fail_msg("expected an error containing \"%s\", got \"%s\"", part, e->msg);
}

/* ---- rng ----------------------------------------------------------------- */

static void test_rng_known_values(void **state) {
    (void)state;
    /* Reference values from an independent Python transcription of
     * splitmix64 + xoshiro256**. */
    rng r;
    rng_seed(&r, 0);
    assert_true(rng_next(&r) == 0x99ec5f36cb75f2b4ULL);
    assert_true(rng_next(&r) == 0xbf6e1f784956452aULL);
    assert_true(rng_next(&r) == 0x1a5f849d4933e6e0ULL);
    rng_seed(&r, 42);
    assert_true(rng_next(&r) == 0x15780b2e0c2ec716ULL);
    assert_true(rng_next(&r) == 0x6104d9866d113a7eULL);
    assert_true(rng_next(&r) == 0xae17533239e499a1ULL);
}

static void test_rng_ranges(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 7);
    size_t counts[6] = {0};
    for (int i = 0; i < 60000; i++) {
        double u = rng_uniform(&r);
        assert_true(u >= 0 && u < 1);
        uint64_t k = rng_below(&r, 6);
        assert_true(k < 6);
        counts[k]++;
    }
    for (int k = 0; k < 6; k++) /* 10000 expected, sd ~91 */
        if (counts[k] < 9500 || counts[k] > 10500) fail_msg("rng_below(6): value %d drawn %zu times of 60000", k, counts[k]);
    assert_true(rng_below(&r, 0) == 0);
    assert_true(rng_below(&r, 1) == 0);
    /* A bound just above 2^63 rejects about half the draws: still in range. */
    for (int i = 0; i < 100; i++) assert_true(rng_below(&r, (1ULL << 63) + 1) <= (1ULL << 63));
}

static void test_rng_shuffle(void **state) {
    (void)state;
    size_t a[50], b[50];
    rng r1, r2;
    rng_seed(&r1, 3);
    rng_seed(&r2, 3);
    for (size_t i = 0; i < 50; i++) a[i] = b[i] = i;
    rng_shuffle(&r1, a, 50);
    rng_shuffle(&r2, b, 50);
    assert_memory_equal(a, b, sizeof a);
    int seen[50] = {0}, moved = 0;
    for (size_t i = 0; i < 50; i++) {
        seen[a[i]]++;
        moved += a[i] != i;
    }
    for (int i = 0; i < 50; i++) assert_int_equal(seen[i], 1);
    assert_true(moved > 30);
    rng_shuffle(&r1, a, 0); /* empty and single are no-ops */
    rng_shuffle(&r1, a, 1);
}

/* ---- sort ---------------------------------------------------------------- */

static void test_sort_number_na_last(void **state) {
    (void)state;
    frame *f = F("x", C(COL_NUMBER, "3,NA,1,nan,2,1,-0,0"), "id", C(COL_INTEGER, "0,1,2,3,4,5,6,7"), NULL);
    lab_err e;
    const char *by[] = {"x"};
    frame *g = ops_sort(f, by, NULL, 1, &e);
    assert_non_null(g);
    /* Ties keep their order (1 at rows 2 and 5; -0 and 0 at rows 6 and 7);
     * NA and NaN go last in their original order. */
    assert_frame(g, "x:number=-0,0,1,1,2,3,NA,nan | id:integer=6,7,2,5,4,0,1,3");
    frame_free(g);
    int desc[] = {1};
    g = ops_sort(f, by, desc, 1, &e);
    assert_non_null(g);
    assert_frame(g, "x:number=3,2,1,1,-0,0,NA,nan | id:integer=0,4,2,5,6,7,1,3");
    frame_free(g);
    frame_free(f);
}

static void test_sort_integer_boolean_string(void **state) {
    (void)state;
    frame *f = F("i", C(COL_INTEGER, "5,-9223372036854775807,9223372036854775807,0,-1,NA"),
                 "b", C(COL_BOOLEAN, "true,false,NA,true,false,false"),
                 "s", C(COL_STRING, "b,B,,ab,a,NA"), NULL);
    lab_err e;
    const char *bi[] = {"i"}, *bb[] = {"b"}, *bs[] = {"s"};
    frame *g = ops_sort(f, bi, NULL, 1, &e);
    assert_frame(g, "i:integer=-9223372036854775807,-1,0,5,9223372036854775807,NA | "
                    "b:boolean=false,false,true,true,NA,false | s:string=B,a,ab,b,,NA");
    frame_free(g);
    g = ops_sort(f, bb, NULL, 1, &e);
    assert_frame(g, "i:integer=-9223372036854775807,-1,NA,5,0,9223372036854775807 | "
                    "b:boolean=false,false,false,true,true,NA | s:string=B,a,NA,b,ab,");
    frame_free(g);
    /* Byte order: "" < "B" < "a" < "ab" < "b". */
    g = ops_sort(f, bs, NULL, 1, &e);
    assert_frame(g, "i:integer=9223372036854775807,-9223372036854775807,-1,0,5,NA | "
                    "b:boolean=NA,false,false,true,true,false | s:string=,B,a,ab,b,NA");
    frame_free(g);
    frame_free(f);
}

static void test_sort_multi_key(void **state) {
    (void)state;
    frame *f = F("g", C(COL_STRING, "b,a,b,a,NA,a"), "x", C(COL_NUMBER, "1,2,3,NA,5,2"),
                 "id", C(COL_INTEGER, "0,1,2,3,4,5"), NULL);
    lab_err e;
    const char *by[] = {"g", "x"};
    int desc[] = {0, 1};
    frame *g = ops_sort(f, by, desc, 2, &e);
    assert_non_null(g);
    assert_frame(g, "g:string=a,a,a,b,b,NA | x:number=2,2,NA,3,1,5 | id:integer=1,5,3,2,0,4");
    frame_free(g);
    frame_free(f);
}

static void test_sort_empty_and_errors(void **state) {
    (void)state;
    frame *f = F("x", C(COL_NUMBER, ""), NULL);
    lab_err e;
    const char *by[] = {"x"};
    frame *g = ops_sort(f, by, NULL, 1, &e);
    assert_non_null(g);
    assert_int_equal(g->nrow, 0);
    frame_free(g);
    const char *bad[] = {"y"};
    assert_null(ops_sort(f, bad, NULL, 1, &e));
    assert_err(&e, "sort: no column 'y'");
    assert_null(ops_sort(f, by, NULL, 0, &e));
    assert_err(&e, "sort: no column to sort by");
    frame_free(f);
    f = F("width", C(COL_NUMBER, "1"), NULL);
    const char *typo[] = {"widht"};
    assert_null(ops_sort(f, typo, NULL, 1, &e));
    assert_err(&e, "did you mean 'width'");
    frame_free(f);
}

/* The plain reference: a stable insertion sort with a comparator. */
static const frame *ref_f;
static const int *ref_cols, *ref_desc;
static int ref_k;

static int ref_cmp(size_t a, size_t b) {
    for (int c = 0; c < ref_k; c++) {
        const column *col = ref_f->cols[ref_cols[c]];
        int ma = col_is_na(col, a) || (col->type == COL_NUMBER && isnan(col->f64[a]));
        int mb = col_is_na(col, b) || (col->type == COL_NUMBER && isnan(col->f64[b]));
        if (ma || mb) {
            if (ma != mb) return ma ? 1 : -1;
            continue;
        }
        int r = 0;
        if (col->type == COL_NUMBER) r = (col->f64[a] > col->f64[b]) - (col->f64[a] < col->f64[b]);
        else if (col->type == COL_INTEGER) r = (col->i64[a] > col->i64[b]) - (col->i64[a] < col->i64[b]);
        else if (col->type == COL_STRING) r = strcmp(col_str(col, a), col_str(col, b));
        if (r) return ref_desc[c] ? -r : r;
    }
    return 0;
}

static void test_sort_matches_reference(void **state) {
    (void)state;
    size_t n = 3000;
    rng r;
    rng_seed(&r, 11);
    column *a = col_new(COL_INTEGER, n, NULL), *b = col_new(COL_NUMBER, n, NULL);
    column *s = col_new(COL_STRING, n, NULL);
    const char *words[] = {"pear", "apple", "fig", "Fig", "apples", "", "kiwi"};
    for (size_t i = 0; i < n; i++) {
        a->i64[i] = (int64_t)rng_below(&r, 7) - 3;
        b->f64[i] = (double)rng_below(&r, 50) / 4 - 5;
        const char *w = words[rng_below(&r, 7)];
        s->code[i] = strdict_intern(s->dict, w, strlen(w));
        if (rng_below(&r, 10) == 0) col_set_na(a, i);
        if (rng_below(&r, 10) == 0) col_set_na(b, i);
        if (rng_below(&r, 20) == 0) b->f64[i] = NAN;
        if (rng_below(&r, 10) == 0) col_set_na(s, i);
    }
    frame *f = F("a", a, "b", b, "s", s, NULL);
    const char *names[] = {"a", "b", "s"};
    int cols_sets[4][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}, {2, 1, 0}};
    int desc_sets[4][3] = {{0, 0, 0}, {1, 0, 1}, {0, 1, 0}, {1, 1, 1}};
    size_t *got = malloc(n * sizeof *got), *want = malloc(n * sizeof *want);
    for (int t = 0; t < 4; t++) {
        const char *by[3];
        for (int c = 0; c < 3; c++) by[c] = names[cols_sets[t][c]];
        for (int k = 1; k <= 3; k++) {
            lab_err e;
            assert_int_equal(ops_sort_index(f, by, desc_sets[t], k, got, &e), 0);
            ref_f = f;
            ref_cols = cols_sets[t];
            ref_desc = desc_sets[t];
            ref_k = k;
            for (size_t i = 0; i < n; i++) {
                size_t j = i;
                while (j > 0 && ref_cmp(want[j - 1], i) > 0) {
                    want[j] = want[j - 1];
                    j--;
                }
                want[j] = i;
            }
            for (size_t i = 0; i < n; i++)
                if (got[i] != want[i])
                    fail_msg("sort set %d with %d keys: position %zu has row %zu, the reference has %zu", t, k, i,
                             got[i], want[i]);
        }
    }
    free(got);
    free(want);
    frame_free(f);
}

static void test_sort_million_rows_fast(void **state) {
    (void)state;
    size_t n = 1000000;
    column *x = col_new(COL_NUMBER, n, NULL);
    rng r;
    rng_seed(&r, 5);
    for (size_t i = 0; i < n; i++) x->f64[i] = rng_uniform(&r) * 2e6 - 1e6;
    frame *f = F("x", x, NULL);
    const char *by[] = {"x"};
    lab_err e;
    double t0 = lab_now();
    frame *g = ops_sort(f, by, NULL, 1, &e);
    double dt = lab_now() - t0;
    assert_non_null(g);
    for (size_t i = 1; i < n; i++)
        if (g->cols[0]->f64[i - 1] > g->cols[0]->f64[i]) fail_msg("row %zu out of order", i);
    /* Generous for sanitizer builds; a release build takes about 0.05 s. */
    if (dt > 3.0) fail_msg("sorting 1e6 numbers took %.2f s, expected well under a second", dt);
    print_message("sort of 1,000,000 numbers: %.3f s\n", dt);
    frame_free(g);
    frame_free(f);
}

/* ---- join ---------------------------------------------------------------- */

/* left  = pd.DataFrame({"k": [2, 1, 2, 3], "v": list("abcd"), "w": [10., 20., 30., 40.]})
 * right = pd.DataFrame({"k": [2, 1, 2, 4], "w": [.5, 1.5, 2.5, 3.5], "z": list("pqrs")})
 * pd.merge(left, right, on="k") (pandas >= 2.2 keeps the left order for inner joins):
 *      k  v  w_x  w_y  z
 *   0  2  a  10.0  0.5  p
 *   1  2  a  10.0  2.5  r
 *   2  1  b  20.0  1.5  q
 *   3  2  c  30.0  0.5  p
 *   4  2  c  30.0  2.5  r
 * how="left" adds, in its place:  3  d  40.0  NaN  NaN */
static frame *join_left(void) {
    return F("k", C(COL_INTEGER, "2,1,2,3"), "v", C(COL_STRING, "a,b,c,d"), "w", C(COL_NUMBER, "10,20,30,40"), NULL);
}
static frame *join_right(void) {
    return F("k", C(COL_INTEGER, "2,1,2,4"), "w", C(COL_NUMBER, "0.5,1.5,2.5,3.5"), "z", C(COL_STRING, "p,q,r,s"), NULL);
}

static void test_join_inner_as_pandas(void **state) {
    (void)state;
    frame *l = join_left(), *r = join_right();
    const char *on[] = {"k"};
    lab_err e;
    frame *g = ops_join(l, r, on, 1, OPS_INNER, NULL, NULL, &e);
    assert_non_null(g);
    assert_frame(g, "k:integer=2,2,1,2,2 | v:string=a,a,b,c,c | w_x:number=10,10,20,30,30 | "
                    "w_y:number=0.5,2.5,1.5,0.5,2.5 | z:string=p,r,q,p,r");
    frame_free(g);
    g = ops_join(l, r, on, 1, OPS_LEFT, NULL, NULL, &e);
    assert_non_null(g);
    assert_frame(g, "k:integer=2,2,1,2,2,3 | v:string=a,a,b,c,c,d | w_x:number=10,10,20,30,30,40 | "
                    "w_y:number=0.5,2.5,1.5,0.5,2.5,NA | z:string=p,r,q,p,r,NA");
    frame_free(g);
    g = ops_join(l, r, on, 1, OPS_LEFT, "_l", "", &e);
    assert_non_null(g);
    assert_string_equal(g->names[2], "w_l");
    assert_string_equal(g->names[3], "w");
    frame_free(g);
    frame_free(l);
    frame_free(r);
}

static void test_join_multi_key_and_mixed_types(void **state) {
    (void)state;
    /* Two keys; integer on the left against number on the right (1 == 1.0,
     * 2.5 matches nothing); strings in different dictionaries match by text. */
    frame *l = F("a", C(COL_INTEGER, "1,1,2,NA,3"), "b", C(COL_STRING, "x,y,x,x,z"), "v", C(COL_INTEGER, "1,2,3,4,5"), NULL);
    frame *r = F("b", C(COL_STRING, "q,x,y,x,z"), "a", C(COL_NUMBER, "1,1,1,2.5,3"), "u", C(COL_BOOLEAN, "true,false,true,NA,false"), NULL);
    const char *on[] = {"a", "b"};
    lab_err e;
    frame *g = ops_join(l, r, on, 2, OPS_LEFT, NULL, NULL, &e);
    assert_non_null(g);
    assert_frame(g, "a:integer=1,1,2,NA,3 | b:string=x,y,x,x,z | v:integer=1,2,3,4,5 | u:boolean=false,true,NA,NA,false");
    frame_free(g);
    g = ops_join(l, r, on, 2, OPS_INNER, NULL, NULL, &e);
    assert_frame(g, "a:integer=1,1,3 | b:string=x,y,z | v:integer=1,2,5 | u:boolean=false,true,false");
    frame_free(g);
    /* Number on the left: 2.5 only matches number keys, never integers. */
    frame *l2 = F("a", C(COL_NUMBER, "2.5,1,nan,-0"), NULL);
    frame *r2 = F("a", C(COL_INTEGER, "0,1,2,3"), "t", C(COL_STRING, "zero,one,two,three"), NULL);
    const char *on1[] = {"a"};
    g = ops_join(l2, r2, on1, 1, OPS_LEFT, NULL, NULL, &e);
    assert_frame(g, "a:number=2.5,1,nan,-0 | t:string=NA,one,NA,zero");
    frame_free(g);
    frame_free(l2);
    frame_free(r2);
    frame_free(l);
    frame_free(r);
}

static void test_join_na_keys_never_match(void **state) {
    (void)state;
    /* pandas would match NaN with NaN; lab, like SQL and dplyr's
     * na_matches = "never", does not. */
    frame *l = F("k", C(COL_STRING, "NA,a,NA"), "x", C(COL_INTEGER, "1,2,3"), NULL);
    frame *r = F("k", C(COL_STRING, "a,NA"), "y", C(COL_INTEGER, "10,20"), NULL);
    const char *on[] = {"k"};
    lab_err e;
    frame *g = ops_join(l, r, on, 1, OPS_LEFT, NULL, NULL, &e);
    assert_frame(g, "k:string=NA,a,NA | x:integer=1,2,3 | y:integer=NA,10,NA");
    frame_free(g);
    g = ops_join(l, r, on, 1, OPS_INNER, NULL, NULL, &e);
    assert_frame(g, "k:string=a | x:integer=2 | y:integer=10");
    frame_free(g);
    frame_free(l);
    frame_free(r);
}

static void test_join_empty(void **state) {
    (void)state;
    frame *l = F("k", C(COL_INTEGER, "1,2"), NULL);
    frame *r = F("k", C(COL_INTEGER, ""), "y", C(COL_NUMBER, ""), NULL);
    const char *on[] = {"k"};
    lab_err e;
    frame *g = ops_join(l, r, on, 1, OPS_LEFT, NULL, NULL, &e);
    assert_frame(g, "k:integer=1,2 | y:number=NA,NA");
    frame_free(g);
    g = ops_join(l, r, on, 1, OPS_INNER, NULL, NULL, &e);
    assert_int_equal(g->nrow, 0);
    assert_int_equal(g->ncol, 2);
    frame_free(g);
    g = ops_join(r, l, on, 1, OPS_LEFT, NULL, NULL, &e);
    assert_int_equal(g->nrow, 0);
    frame_free(g);
    frame_free(l);
    frame_free(r);
}

static void test_join_errors(void **state) {
    (void)state;
    frame *l = F("k", C(COL_INTEGER, "1"), "s", C(COL_STRING, "a"), "w", C(COL_NUMBER, "1"), "w_x", C(COL_NUMBER, "1"), NULL);
    frame *r = F("k", C(COL_STRING, "1"), "s", C(COL_STRING, "a"), "w", C(COL_NUMBER, "1"), "b", C(COL_BOOLEAN, "true"), NULL);
    lab_err e;
    const char *on_k[] = {"k"}, *on_s[] = {"s"}, *on_x[] = {"kk"}, *on_b[] = {"w_x"}, *on_ss[] = {"s", "s"};
    assert_null(ops_join(l, r, on_k, 1, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "join: key 'k' is integer in the left frame but string in the right frame");
    assert_null(ops_join(l, r, on_x, 1, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "join: no column 'kk' (did you mean 'k'?) in the left frame");
    assert_null(ops_join(l, r, on_b, 1, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "in the right frame");
    assert_null(ops_join(l, r, on_ss, 2, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "join: key 's' is given twice");
    /* w clashes: w -> w_x, which the left frame already has. */
    assert_null(ops_join(l, r, on_s, 1, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "join: output column 'w_x' would appear twice");
    assert_null(ops_join(l, r, on_s, 1, OPS_INNER, "", "", &e));
    assert_err(&e, "output column 'k' would appear twice");
    frame *g = ops_join(l, r, on_s, 1, OPS_INNER, "_left", "_right", &e);
    assert_non_null(g);
    assert_frame(g, "k_left:integer=1 | s:string=a | w_left:number=1 | w_x:number=1 | k_right:string=1 | "
                    "w_right:number=1 | b:boolean=true");
    frame_free(g);
    assert_null(ops_join(l, r, on_s, 0, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "join: no key column");
    frame *bl = F("b", C(COL_BOOLEAN, "true"), NULL), *ni = F("b", C(COL_INTEGER, "1"), NULL);
    const char *on_bb[] = {"b"};
    assert_null(ops_join(bl, ni, on_bb, 1, OPS_INNER, NULL, NULL, &e));
    assert_err(&e, "key 'b' is boolean in the left frame but integer");
    frame_free(bl);
    frame_free(ni);
    frame_free(l);
    frame_free(r);
}

static void test_join_many_rows(void **state) {
    (void)state;
    /* 20000 x 20000 rows, keys 0..999: every left row meets 20 right rows. */
    size_t n = 20000;
    column *lk = col_new(COL_INTEGER, n, NULL), *rk = col_new(COL_INTEGER, n, NULL);
    column *lv = col_new(COL_INTEGER, n, NULL), *rv = col_new(COL_INTEGER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        lk->i64[i] = (int64_t)((i * 7) % 1000);
        rk->i64[i] = (int64_t)(i % 1000);
        lv->i64[i] = (int64_t)i;
        rv->i64[i] = (int64_t)i;
    }
    frame *l = F("k", lk, "lv", lv, NULL), *r = F("k", rk, "rv", rv, NULL);
    const char *on[] = {"k"};
    lab_err e;
    frame *g = ops_join(l, r, on, 1, OPS_INNER, NULL, NULL, &e);
    assert_int_equal(g->nrow, n * 20);
    for (size_t i = 0; i < g->nrow; i++) {
        int64_t li = g->cols[1]->i64[i], ri = g->cols[2]->i64[i];
        assert_true(g->cols[0]->i64[i] == ri % 1000);
        assert_true(li == (int64_t)(i / 20));                  /* left order */
        assert_true(ri == g->cols[0]->i64[i] + (int64_t)(i % 20) * 1000); /* right order */
    }
    frame_free(g);
    frame_free(l);
    frame_free(r);
}

/* ---- concat -------------------------------------------------------------- */

static void test_concat(void **state) {
    (void)state;
    frame *a = F("x", C(COL_INTEGER, "1,NA"), "s", C(COL_STRING, "a,b"), "b", C(COL_BOOLEAN, "true,NA"), NULL);
    frame *b = F("s", C(COL_STRING, "c,NA,a"), "b", C(COL_BOOLEAN, "false,false,true"), "x", C(COL_NUMBER, "2.5,nan,3"), NULL);
    frame *c = F("b", C(COL_BOOLEAN, ""), "x", C(COL_INTEGER, ""), "s", C(COL_STRING, ""), NULL);
    const frame *fs[] = {a, b, c};
    lab_err e;
    frame *g = ops_concat(fs, 3, &e);
    assert_non_null(g);
    assert_frame(g, "x:number=1,NA,2.5,nan,3 | s:string=a,b,c,NA,a | b:boolean=true,NA,false,false,true");
    /* One merged dictionary: equal text, equal code. */
    assert_int_equal(g->cols[1]->code[0], g->cols[1]->code[4]);
    frame_free(g);
    const frame *one[] = {a};
    g = ops_concat(one, 1, &e);
    assert_true(frame_equal(g, a));
    frame_free(g);
    const frame *same[] = {a, a};
    g = ops_concat(same, 2, &e);
    assert_frame(g, "x:integer=1,NA,1,NA | s:string=a,b,a,b | b:boolean=true,NA,true,NA");
    assert_ptr_equal(g->cols[1]->dict, a->cols[1]->dict);
    frame_free(g);
    frame_free(a);
    frame_free(b);
    frame_free(c);
}

static void test_concat_errors(void **state) {
    (void)state;
    frame *a = F("x", C(COL_INTEGER, "1"), "s", C(COL_STRING, "a"), NULL);
    frame *missing = F("x", C(COL_INTEGER, "1"), "t", C(COL_STRING, "a"), NULL);
    frame *extra = F("x", C(COL_INTEGER, "1"), "s", C(COL_STRING, "a"), "y", C(COL_INTEGER, "1"), NULL);
    frame *clash = F("x", C(COL_INTEGER, "1"), "s", C(COL_NUMBER, "1"), NULL);
    frame *boolx = F("x", C(COL_BOOLEAN, "true"), "s", C(COL_STRING, "a"), NULL);
    lab_err e;
    const frame *t1[] = {a, a, missing};
    assert_null(ops_concat(t1, 3, &e));
    assert_err(&e, "concat: frame 3 has no column 's'");
    const frame *t2[] = {a, extra};
    assert_null(ops_concat(t2, 2, &e));
    assert_err(&e, "concat: frame 2 has column 'y' that frame 1 lacks");
    const frame *t3[] = {a, clash};
    assert_null(ops_concat(t3, 2, &e));
    assert_err(&e, "concat: column 's' is string in frame 1 but number in frame 2");
    const frame *t4[] = {a, boolx};
    assert_null(ops_concat(t4, 2, &e));
    assert_err(&e, "concat: column 'x' is integer in frame 1 but boolean in frame 2");
    assert_null(ops_concat(t4, 0, &e));
    assert_err(&e, "concat: no frames");
    /* A frame without rows does not count: its types hold no values. */
    frame *empty = F("s", C(COL_NUMBER, ""), "x", C(COL_BOOLEAN, ""), NULL);
    const frame *t5[] = {empty, a, empty};
    frame *g = ops_concat(t5, 3, &e);
    assert_non_null(g);
    assert_frame(g, "s:string=a | x:integer=1");
    frame_free(g);
    const frame *t6[] = {empty, a, clash};
    assert_null(ops_concat(t6, 3, &e));
    assert_err(&e, "concat: column 's' is string in frame 2 but number in frame 3");
    frame_free(empty);
    frame_free(a);
    frame_free(missing);
    frame_free(extra);
    frame_free(clash);
    frame_free(boolx);
}

/* ---- unique, dropna, fillna ---------------------------------------------- */

static void test_unique(void **state) {
    (void)state;
    frame *f = F("a", C(COL_INTEGER, "1,2,1,NA,NA,2"), "b", C(COL_NUMBER, "nan,1,NA,3,3,1"),
                 "s", C(COL_STRING, "x,y,x,NA,NA,z"), NULL);
    lab_err e;
    frame *g = ops_unique(f, NULL, 0, &e);
    /* nan and NA are both missing: rows 0 and 2 are the same row. */
    assert_frame(g, "a:integer=1,2,NA,2 | b:number=nan,1,3,1 | s:string=x,y,NA,z");
    frame_free(g);
    const char *by[] = {"a"};
    g = ops_unique(f, by, 1, &e);
    assert_frame(g, "a:integer=1,2,NA | b:number=nan,1,3 | s:string=x,y,NA");
    frame_free(g);
    const char *by2[] = {"b", "a"};
    g = ops_unique(f, by2, 2, &e);
    assert_frame(g, "a:integer=1,2,NA | b:number=nan,1,3 | s:string=x,y,NA");
    frame_free(g);
    const char *bad[] = {"q"};
    assert_null(ops_unique(f, bad, 1, &e));
    assert_err(&e, "unique: no column 'q'");
    frame_free(f);
    f = F("a", C(COL_INTEGER, ""), NULL);
    g = ops_unique(f, NULL, 0, &e);
    assert_int_equal(g->nrow, 0);
    frame_free(g);
    frame_free(f);
}

static void test_dropna(void **state) {
    (void)state;
    frame *f = F("a", C(COL_INTEGER, "1,NA,3,4"), "b", C(COL_NUMBER, "1,2,nan,4"), "s", C(COL_STRING, "x,y,z,NA"), NULL);
    lab_err e;
    frame *g = ops_dropna(f, NULL, 0, &e);
    assert_frame(g, "a:integer=1 | b:number=1 | s:string=x");
    frame_free(g);
    const char *by[] = {"a"};
    g = ops_dropna(f, by, 1, &e);
    assert_frame(g, "a:integer=1,3,4 | b:number=1,nan,4 | s:string=x,z,NA");
    frame_free(g);
    frame *full = F("a", C(COL_INTEGER, "1,2"), NULL);
    g = ops_dropna(full, NULL, 0, &e);
    assert_ptr_equal(g->cols[0], full->cols[0]); /* nothing dropped: shared */
    frame_free(g);
    const char *bad[] = {"s", "zz"};
    assert_null(ops_dropna(f, bad, 2, &e));
    assert_err(&e, "dropna: no column 'zz'");
    frame *allna = F("a", C(COL_INTEGER, "NA,NA"), NULL);
    g = ops_dropna(allna, NULL, 0, &e);
    assert_int_equal(g->nrow, 0);
    assert_int_equal(g->ncol, 1);
    frame_free(g);
    frame_free(allna);
    frame_free(full);
    frame_free(f);
}

static void test_fillna_one_value(void **state) {
    (void)state;
    frame *f = F("i", C(COL_INTEGER, "1,NA"), "x", C(COL_NUMBER, "NA,nan"), "s", C(COL_STRING, "a,NA"),
                 "b", C(COL_BOOLEAN, "NA,true"), NULL);
    lab_err e;
    ops_value zero = {.type = COL_INTEGER, .i64 = 0};
    frame *g = ops_fillna(f, NULL, &zero, 1, &e);
    assert_frame(g, "i:integer=1,0 | x:number=0,0 | s:string=a,NA | b:boolean=NA,true");
    assert_ptr_equal(g->cols[2], f->cols[2]);
    frame_free(g);
    ops_value half = {.type = COL_NUMBER, .f64 = 0.5};
    g = ops_fillna(f, NULL, &half, 1, &e);
    assert_frame(g, "i:integer=1,NA | x:number=0.5,0.5 | s:string=a,NA | b:boolean=NA,true");
    frame_free(g);
    ops_value two = {.type = COL_NUMBER, .f64 = 2.0};
    g = ops_fillna(f, NULL, &two, 1, &e);
    assert_frame(g, "i:integer=1,2 | x:number=2,2 | s:string=a,NA | b:boolean=NA,true");
    frame_free(g);
    ops_value str = {.type = COL_STRING, .str = "missing"};
    g = ops_fillna(f, NULL, &str, 1, &e);
    assert_frame(g, "i:integer=1,NA | x:number=NA,nan | s:string=a,missing | b:boolean=NA,true");
    /* The new text went into a new dictionary, not the shared one. */
    assert_int_equal(f->cols[2]->dict->n, 1);
    frame_free(g);
    ops_value no = {.type = COL_BOOLEAN, .b = 0};
    g = ops_fillna(f, NULL, &no, 1, &e);
    assert_frame(g, "i:integer=1,NA | x:number=NA,nan | s:string=a,NA | b:boolean=false,true");
    frame_free(g);
    ops_value a = {.type = COL_STRING, .str = "a"};
    g = ops_fillna(f, NULL, &a, 1, &e);
    assert_frame(g, "i:integer=1,NA | x:number=NA,nan | s:string=a,a | b:boolean=NA,true");
    assert_ptr_equal(g->cols[2]->dict, f->cols[2]->dict);
    frame_free(g);
    frame_free(f);
}

static void test_fillna_per_column_and_errors(void **state) {
    (void)state;
    frame *f = F("i", C(COL_INTEGER, "1,NA"), "x", C(COL_NUMBER, "NA,2"), "s", C(COL_STRING, "a,NA"), NULL);
    lab_err e;
    const char *cols[] = {"x", "s"};
    ops_value vals[] = {{.type = COL_INTEGER, .i64 = -1}, {.type = COL_STRING, .str = "z"}};
    frame *g = ops_fillna(f, cols, vals, 2, &e);
    assert_frame(g, "i:integer=1,NA | x:number=-1,2 | s:string=a,z");
    frame_free(g);
    const char *ci[] = {"i"};
    ops_value half = {.type = COL_NUMBER, .f64 = 0.5};
    assert_null(ops_fillna(f, ci, &half, 1, &e));
    assert_err(&e, "fillna: column 'i' is integer and cannot hold the number 0.5");
    const char *cs[] = {"s"};
    ops_value one = {.type = COL_INTEGER, .i64 = 1};
    assert_null(ops_fillna(f, cs, &one, 1, &e));
    assert_err(&e, "fillna: column 's' is string and cannot hold the integer 1");
    const char *cx[] = {"x"};
    ops_value t = {.type = COL_BOOLEAN, .b = 1};
    assert_null(ops_fillna(f, cx, &t, 1, &e));
    assert_err(&e, "fillna: column 'x' is number and cannot hold the boolean true");
    ops_value sv = {.type = COL_STRING, .str = "zz"};
    assert_null(ops_fillna(f, cx, &sv, 1, &e));
    assert_err(&e, "cannot hold the string 'zz'");
    const char *cq[] = {"xx"};
    assert_null(ops_fillna(f, cq, &one, 1, &e));
    assert_err(&e, "fillna: no column 'xx' (did you mean 'x'?)");
    frame_free(f);
}

/* ---- sample and split ---------------------------------------------------- */

static frame *numbered(size_t n) {
    column *c = col_new(COL_INTEGER, n, NULL);
    for (size_t i = 0; i < n; i++) c->i64[i] = (int64_t)i;
    return F("id", c, NULL);
}

static void test_sample(void **state) {
    (void)state;
    frame *f = numbered(100);
    lab_err e;
    frame *a = ops_sample(f, 10, 1, 0, &e), *b = ops_sample(f, 10, 1, 0, &e), *c = ops_sample(f, 10, 2, 0, &e);
    assert_true(frame_equal(a, b));
    assert_false(frame_equal(a, c));
    int seen[100] = {0};
    for (size_t i = 0; i < 10; i++) assert_int_equal(seen[a->cols[0]->i64[i]]++, 0);
    frame_free(a);
    frame_free(b);
    frame_free(c);
    a = ops_sample(f, 100, 9, 0, &e); /* a permutation */
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < 100; i++) seen[a->cols[0]->i64[i]]++;
    for (int i = 0; i < 100; i++) assert_int_equal(seen[i], 1);
    frame_free(a);
    a = ops_sample(f, 300, 9, 1, &e);
    assert_int_equal(a->nrow, 300);
    frame_free(a);
    assert_null(ops_sample(f, 101, 1, 0, &e));
    assert_err(&e, "sample: n = 101 is more than the frame's 100 rows");
    frame *empty = numbered(0);
    a = ops_sample(empty, 0, 1, 0, &e);
    assert_int_equal(a->nrow, 0);
    frame_free(a);
    assert_null(ops_sample(empty, 2, 1, 1, &e));
    assert_err(&e, "sample: cannot draw n = 2 rows from an empty frame");
    frame_free(empty);
    frame_free(f);
}

static void check_split_parts(const frame *f, const frame *train, const frame *test) {
    assert_int_equal(train->nrow + test->nrow, f->nrow);
    int *seen = calloc(f->nrow + 1, sizeof *seen);
    const frame *parts[] = {train, test};
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < parts[p]->nrow; i++) {
            int64_t id = parts[p]->cols[0]->i64[i];
            if (i) assert_true(parts[p]->cols[0]->i64[i - 1] < id); /* original order */
            seen[id]++;
        }
    for (size_t i = 0; i < f->nrow; i++) assert_int_equal(seen[i], 1);
    free(seen);
}

static void test_split(void **state) {
    (void)state;
    frame *f = numbered(10), *train, *test, *train2, *test2;
    lab_err e;
    assert_int_equal(ops_split(f, 0.2, 42, NULL, &train, &test, &e), 0);
    assert_int_equal(test->nrow, 2);
    check_split_parts(f, train, test);
    assert_int_equal(ops_split(f, 0.2, 42, NULL, &train2, &test2, &e), 0);
    assert_true(frame_equal(test, test2));
    frame_free(train);
    frame_free(test);
    frame_free(train2);
    frame_free(test2);
    /* ceil(0.7 * 10) is 7, not 8, despite 0.7 * 10 = 7.000000000000001. */
    assert_int_equal(ops_split(f, 0.7, 1, NULL, &train, &test, &e), 0);
    assert_int_equal(test->nrow, 7);
    frame_free(train);
    frame_free(test);
    assert_int_equal(ops_split(f, 0.25, 1, NULL, &train, &test, &e), 0);
    assert_int_equal(test->nrow, 3);
    frame_free(train);
    frame_free(test);
    assert_int_equal(ops_split(f, 0, 1, NULL, &train, &test, &e), -1);
    assert_null(train);
    assert_err(&e, "split: test must be a fraction between 0 and 1");
    assert_int_equal(ops_split(f, 1, 1, NULL, &train, &test, &e), -1);
    assert_int_equal(ops_split(f, NAN, 1, NULL, &train, &test, &e), -1);
    assert_int_equal(ops_split(f, 0.5, 1, "idd", &train, &test, &e), -1);
    assert_err(&e, "split: stratify: no column 'idd' (did you mean 'id'?)");
    frame_free(f);
    f = numbered(0);
    assert_int_equal(ops_split(f, 0.5, 1, NULL, &train, &test, &e), 0);
    assert_int_equal(train->nrow + test->nrow, 0);
    frame_free(train);
    frame_free(test);
    frame_free(f);
}

static void test_split_stratified(void **state) {
    (void)state;
    /* Classes a: 50 rows, b: 30, c: 18, d: 2, plus NA: 10 rows. */
    size_t n = 110;
    frame *f = numbered(n);
    column *y = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) {
        size_t m = (i * 37) % n; /* interleave the classes */
        const char *s = m < 50 ? "a" : m < 80 ? "b" : m < 98 ? "c" : m < 100 ? "d" : NULL;
        if (s) y->code[i] = strdict_intern(y->dict, s, 1);
        else col_set_na(y, i);
    }
    assert_int_equal(frame_set_column(f, "y", y, NULL), 0);
    frame *train, *test;
    lab_err e;
    assert_int_equal(ops_split(f, 0.2, 42, "y", &train, &test, &e), 0);
    check_split_parts(f, train, test);
    assert_int_equal(test->nrow, 22);
    size_t counts[5] = {0};
    for (size_t i = 0; i < test->nrow; i++) {
        const char *s = col_str(test->cols[1], i);
        counts[s ? s[0] - 'a' : 4]++;
    }
    /* Exact shares 10, 6, 3.6, 0.4, 2: largest remainders give c its fourth
     * row; d keeps one row on each side. */
    assert_int_equal(counts[0], 10);
    assert_int_equal(counts[1], 6);
    assert_int_equal(counts[2], 3);
    assert_int_equal(counts[3], 1);
    assert_int_equal(counts[4], 2);
    frame_free(train);
    frame_free(test);
    frame_free(f);
}

/* ---- rename -------------------------------------------------------------- */

static void test_rename(void **state) {
    (void)state;
    frame *f = F("a", C(COL_INTEGER, "1"), "b", C(COL_INTEGER, "2"), "sepal_length", C(COL_NUMBER, "3"), NULL);
    lab_err e;
    const char *from[] = {"a", "b"}, *to[] = {"b", "a"};
    frame *g = ops_rename(f, from, to, 2, &e); /* a swap is fine */
    assert_frame(g, "b:integer=1 | a:integer=2 | sepal_length:number=3");
    assert_ptr_equal(g->cols[0], f->cols[0]);
    frame_free(g);
    const char *f1[] = {"sepal_lenght"}, *t1[] = {"x"};
    assert_null(ops_rename(f, f1, t1, 1, &e));
    assert_err(&e, "rename: no column 'sepal_lenght' (did you mean 'sepal_length'?)");
    const char *f2[] = {"a"}, *t2[] = {"b"};
    assert_null(ops_rename(f, f2, t2, 1, &e));
    assert_err(&e, "rename: new name 'b' of column 'a' clashes with an existing column");
    const char *f3[] = {"a", "b"}, *t3[] = {"z", "z"};
    assert_null(ops_rename(f, f3, t3, 2, &e));
    assert_err(&e, "rename: columns 'a' and 'b' would both be called 'z'");
    const char *f4[] = {"a", "a"}, *t4[] = {"y", "z"};
    assert_null(ops_rename(f, f4, t4, 2, &e));
    assert_err(&e, "rename: column 'a' is renamed twice");
    const char *t5[] = {""};
    assert_null(ops_rename(f, f2, t5, 1, &e));
    assert_err(&e, "rename: the new name of column 'a' is empty");
    g = ops_rename(f, f2, f2, 1, &e); /* to itself */
    assert_frame(g, "a:integer=1 | b:integer=2 | sepal_length:number=3");
    frame_free(g);
    frame_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_known_values),
        cmocka_unit_test(test_rng_ranges),
        cmocka_unit_test(test_rng_shuffle),
        cmocka_unit_test(test_sort_number_na_last),
        cmocka_unit_test(test_sort_integer_boolean_string),
        cmocka_unit_test(test_sort_multi_key),
        cmocka_unit_test(test_sort_empty_and_errors),
        cmocka_unit_test(test_sort_matches_reference),
        cmocka_unit_test(test_sort_million_rows_fast),
        cmocka_unit_test(test_join_inner_as_pandas),
        cmocka_unit_test(test_join_multi_key_and_mixed_types),
        cmocka_unit_test(test_join_na_keys_never_match),
        cmocka_unit_test(test_join_empty),
        cmocka_unit_test(test_join_errors),
        cmocka_unit_test(test_join_many_rows),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_concat_errors),
        cmocka_unit_test(test_unique),
        cmocka_unit_test(test_dropna),
        cmocka_unit_test(test_fillna_one_value),
        cmocka_unit_test(test_fillna_per_column_and_errors),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_stratified),
        cmocka_unit_test(test_rename),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
