/* test_csv.c — the CSV reader and writer: the csv-spectrum conformance suite,
 * type inference, options, errors with their positions, the threaded path
 * against the single-threaded one, and write-then-read. */
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

static frame *read_text(const char *text, const csv_opts *o, lab_err *e) {
    return csv_read_buffer(text, strlen(text), "t.csv", o, e);
}

static frame *must_read(const char *text, const csv_opts *o) {
    lab_err e = {{0}};
    frame *f = read_text(text, o, &e);
    if (!f) fail_msg("read failed: %s", e.msg);
    return f;
}

static void expect_error(const char *text, const csv_opts *o, const char *want) {
    lab_err e = {{0}};
    frame *f = read_text(text, o, &e);
    if (f) {
        frame_free(f);
        fail_msg("expected an error containing \"%s\", the read succeeded", want);
    }
    if (!strstr(e.msg, want)) fail_msg("expected an error containing \"%s\", got \"%s\"", want, e.msg);
}

/* ---- csv-spectrum ---------------------------------------------------------- */

static char *slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n) fail_msg("cannot read %s", path);
    buf[n] = '\0';
    fclose(fp);
    if (len) *len = (size_t)n;
    return buf;
}

/* The expected files are arrays of flat objects of strings: a tiny parser. */
static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

static const char *json_string(const char *p, char *out, size_t cap) {
    assert_int_equal(*p, '"');
    p++;
    size_t n = 0;
    while (*p != '"') {
        char ch = *p++;
        if (ch == '\\') {
            ch = *p++;
            switch (ch) {
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            default: break; /* \" \\ \/ */
            }
        }
        assert_true(n + 1 < cap);
        out[n++] = ch;
    }
    out[n] = '\0';
    return p + 1;
}

static void check_spectrum_case(const char *name) {
    char path[512];
    const char *root = getenv("LAB_ROOT") ? getenv("LAB_ROOT") : ".";
    snprintf(path, sizeof path, "%s/tests/conformance/csv-spectrum/csvs/%s.csv", root, name);
    size_t len;
    char *csv = slurp(path, &len);
    csv_opts o;
    csv_opts_init(&o);
    o.force_all = 1;
    o.all_type = COL_STRING;
    lab_err e = {{0}};
    frame *f = csv_read_buffer(csv, len, path, &o, &e);
    if (!f) fail_msg("%s: %s", name, e.msg);
    snprintf(path, sizeof path, "%s/tests/conformance/csv-spectrum/json/%s.json", root, name);
    char *json = slurp(path, NULL);
    const char *p = skip_ws(json);
    assert_int_equal(*p, '[');
    p = skip_ws(p + 1);
    size_t row = 0;
    char key[256], val[256];
    while (*p == '{') {
        p = skip_ws(p + 1);
        int field = 0;
        while (*p == '"') {
            p = json_string(p, key, sizeof key);
            p = skip_ws(p);
            assert_int_equal(*p, ':');
            p = json_string(skip_ws(p + 1), val, sizeof val);
            p = skip_ws(p);
            if (*p == ',') p = skip_ws(p + 1);
            if (field >= f->ncol) fail_msg("%s: row %zu has more fields than the frame", name, row + 1);
            if (strcmp(f->names[field], key) != 0)
                fail_msg("%s: column %d: expected name \"%s\", got \"%s\"", name, field + 1, key, f->names[field]);
            if (row >= f->nrow) fail_msg("%s: expected at least %zu rows, got %zu", name, row + 1, f->nrow);
            const char *got = col_str(f->cols[field], row);
            if (!got) fail_msg("%s: row %zu column %s: expected \"%s\", got NA", name, row + 1, key, val);
            if (strcmp(got, val) != 0)
                fail_msg("%s: row %zu column %s: expected \"%s\", got \"%s\"", name, row + 1, key, val, got);
            field++;
        }
        assert_int_equal(field, f->ncol);
        assert_int_equal(*p, '}');
        p = skip_ws(p + 1);
        if (*p == ',') p = skip_ws(p + 1);
        row++;
    }
    assert_int_equal(*p, ']');
    if (row != f->nrow) fail_msg("%s: expected %zu rows, got %zu", name, row, f->nrow);
    frame_free(f);
    free(csv);
    free(json);
}

#define SPECTRUM(name) \
    static void spectrum_##name(void **state) { \
        (void)state; \
        check_spectrum_case(#name); \
    }
SPECTRUM(comma_in_quotes)
SPECTRUM(empty)
SPECTRUM(empty_crlf)
SPECTRUM(escaped_quotes)
SPECTRUM(json)
SPECTRUM(newlines)
SPECTRUM(newlines_crlf)
SPECTRUM(quotes_and_newlines)
SPECTRUM(simple)
SPECTRUM(simple_crlf)
SPECTRUM(utf8)

/* ---- inference --------------------------------------------------------------- */

static void infers_types(void **state) {
    (void)state;
    frame *f = must_read("i,n,s,b,big,na\n1,1,a,true,9223372036854775807,\n2,3.5,b,FALSE,9223372036854775808,NA\n"
                         "-3,-2,7,True,1,\n",
                         NULL);
    assert_int_equal(f->nrow, 3);
    assert_int_equal(f->cols[0]->type, COL_INTEGER);
    assert_int_equal(f->cols[1]->type, COL_NUMBER); /* integers and one 3.5 */
    assert_int_equal(f->cols[2]->type, COL_STRING); /* any text makes a string column */
    assert_int_equal(f->cols[3]->type, COL_BOOLEAN);
    assert_int_equal(f->cols[4]->type, COL_NUMBER); /* beyond int64 */
    assert_int_equal(f->cols[5]->type, COL_NUMBER); /* all NA */
    assert_int_equal(f->cols[0]->i64[2], -3);
    assert_true(f->cols[1]->f64[1] == 3.5);
    assert_true(f->cols[1]->f64[0] == 1.0);
    assert_string_equal(col_str(f->cols[2], 2), "7");
    assert_int_equal(f->cols[3]->b[1], 0);
    assert_int_equal(f->cols[3]->b[2], 1);
    assert_true(f->cols[4]->f64[1] == 9223372036854775808.0);
    assert_int_equal(col_na_count(f->cols[5]), 3);
    frame_free(f);
}

static void integers_exact_beyond_2_53(void **state) {
    (void)state;
    frame *f = must_read("x\n9007199254740993\n-9223372036854775808\n", NULL);
    assert_int_equal(f->cols[0]->type, COL_INTEGER);
    assert_true(f->cols[0]->i64[0] == 9007199254740993LL);
    assert_true(f->cols[0]->i64[1] == INT64_MIN);
    frame_free(f);
}

static void numbers_correctly_rounded(void **state) {
    (void)state;
    const char *texts[] = {"0.1", "1e-300", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
                           "0.30000000000000004", "123456789012345678901234567890", "1e23", "-0.0",
                           "3.14159265358979323846264338327950288", ".5", "5.", "1E+2", "  7.25 "};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        char buf[128];
        snprintf(buf, sizeof buf, "x\n%s\n1.5\n", texts[k]);
        frame *f = must_read(buf, NULL);
        assert_int_equal(f->cols[0]->type, COL_NUMBER);
        double want = strtod(texts[k], NULL);
        if (f->cols[0]->f64[0] != want) fail_msg("%s: expected %.17g, got %.17g", texts[k], want, f->cols[0]->f64[0]);
        frame_free(f);
    }
}

/* The fast paths (exact doubles, then x87 long double with a midpoint check)
 * against strtod on many random decimals of 1 to 19 digits and exponents
 * around the fast range. */
static void random_numbers_match_strtod(void **state) {
    (void)state;
    uint64_t seed = 88172645463325252ULL;
    char *text = malloc(64 * 20001 + 8);
    size_t n = (size_t)sprintf(text, "x\n");
    char (*vals)[64] = malloc(20000 * sizeof *vals);
    for (int k = 0; k < 20000; k++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        int digits = 1 + (int)(seed % 19), point = (int)((seed >> 8) % (uint64_t)(digits + 1));
        int exp = (int)((seed >> 16) % 61) - 30;
        char *v = vals[k];
        int len = 0;
        if ((seed >> 24) & 1) v[len++] = '-';
        uint64_t r = seed >> 28;
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0) v[len++] = '.';
            v[len++] = (char)('0' + (d == 0 ? 1 + r % 9 : r % 10));
            r = r / 10 ? r / 10 : seed * 2654435761u + (uint64_t)d;
        }
        len += sprintf(v + len, "e%d", exp);
        n += (size_t)sprintf(text + n, "%s\n", v);
    }
    lab_err e;
    frame *f = csv_read_buffer(text, n, "rand", NULL, &e);
    if (!f) fail_msg("%s", e.msg);
    assert_int_equal(f->cols[0]->type, COL_NUMBER);
    for (int k = 0; k < 20000; k++) {
        double want = strtod(vals[k], NULL);
        if (f->cols[0]->f64[k] != want)
            fail_msg("%s: expected %.17g, got %.17g", vals[k], want, f->cols[0]->f64[k]);
    }
    frame_free(f);
    free(vals);
    free(text);
}

static void na_tokens_and_quotes(void **state) {
    (void)state;
    /* unquoted NA tokens are missing; a quoted "NA" or "" is text */
    frame *f = must_read("a,b\nNA,x\n\"NA\",\"\"\n,y\n", NULL);
    assert_int_equal(f->cols[0]->type, COL_STRING);
    assert_true(col_is_na(f->cols[0], 0));
    assert_string_equal(col_str(f->cols[0], 1), "NA");
    assert_true(col_is_na(f->cols[0], 2));
    assert_string_equal(col_str(f->cols[1], 1), "");
    frame_free(f);

    /* quoted numbers are numbers, as in pandas */
    f = must_read("a\n\"1\"\n\"2\"\n", NULL);
    assert_int_equal(f->cols[0]->type, COL_INTEGER);
    frame_free(f);

    /* custom NA tokens replace the defaults */
    const char *na[] = {"-", "null"};
    csv_opts o;
    csv_opts_init(&o);
    o.na = na;
    o.nna = 2;
    f = must_read("a,b\n1,-\nnull,2\nNA,3\n", &o);
    assert_int_equal(f->cols[0]->type, COL_STRING); /* "NA" is text now */
    assert_true(col_is_na(f->cols[0], 1));
    assert_int_equal(f->cols[1]->type, COL_INTEGER);
    assert_true(col_is_na(f->cols[1], 0));
    frame_free(f);
}

static void separators_bom_header(void **state) {
    (void)state;
    csv_opts o;
    csv_opts_init(&o);
    o.sep = ';';
    frame *f = must_read("\xEF\xBB\xBF" "a;b\n1,5;x\n", &o);
    assert_string_equal(f->names[0], "a"); /* BOM gone */
    assert_string_equal(col_str(f->cols[0], 0), "1,5");
    frame_free(f);

    o.sep = '\t';
    f = must_read("a\tb\r\n1\t2\r\n", &o);
    assert_int_equal(f->ncol, 2);
    assert_int_equal(f->cols[1]->i64[0], 2);
    frame_free(f);

    csv_opts_init(&o);
    o.header = 0;
    f = must_read("1,x\n2,y\n", &o);
    assert_int_equal(f->nrow, 2);
    assert_string_equal(f->names[0], "V1");
    assert_string_equal(f->names[1], "V2");
    frame_free(f);

    /* empty and repeated names are made unique */
    f = must_read("a,,a\n1,2,3\n", NULL);
    assert_string_equal(f->names[1], "V2");
    assert_string_equal(f->names[2], "a.1");
    frame_free(f);

    /* blank lines are skipped; a last line without a newline counts */
    f = must_read("a\n1\n\n2\r\n\r\n3", NULL);
    assert_int_equal(f->nrow, 3);
    assert_int_equal(f->cols[0]->i64[2], 3);
    frame_free(f);

    /* header only */
    f = must_read("a,b\n", NULL);
    assert_int_equal(f->nrow, 0);
    assert_int_equal(f->ncol, 2);
    frame_free(f);
}

static void type_overrides(void **state) {
    (void)state;
    const char *cols[] = {"zip", "n"};
    col_type types[] = {COL_STRING, COL_NUMBER};
    csv_opts o;
    csv_opts_init(&o);
    o.type_cols = cols;
    o.type_vals = types;
    o.ntypes = 2;
    frame *f = must_read("zip,n\n08123,1\n", &o);
    assert_int_equal(f->cols[0]->type, COL_STRING);
    assert_string_equal(col_str(f->cols[0], 0), "08123");
    assert_int_equal(f->cols[1]->type, COL_NUMBER);
    frame_free(f);

    const char *bad[] = {"zp"};
    o.type_cols = bad;
    o.ntypes = 1;
    expect_error("zip,n\n1,2\n", &o, "no column 'zp' (did you mean 'zip'?)");

    const char *icol[] = {"n"};
    col_type itype[] = {COL_INTEGER};
    o.type_cols = icol;
    o.type_vals = itype;
    expect_error("zip,n\n1,2\n3,4.5\n", &o, "t.csv:3:3: column 'n' is integer but the value is '4.5'");
}

/* ---- errors ------------------------------------------------------------------ */

static void malformed_input_names_the_place(void **state) {
    (void)state;
    expect_error("a,b,c,d\n1,2,3,4\n1,2,3,4,5\n", NULL, "t.csv:3:9: row has 5 fields, the header has 4");
    expect_error("a,b,c\n1,2\n", NULL, "t.csv:2:4: row has 2 fields, the header has 3");
    expect_error("a,b\n1,\"oops\n2,3\n", NULL, "t.csv:2:3: unterminated quoted field");
    expect_error("a,b\n1,\"x\"y\n", NULL, "t.csv:2:6: unexpected 'y' after a closing quote");
    lab_err e;
    frame *f = csv_read_buffer("a,b\n1,2\0\n", 9, "nul.csv", NULL, &e);
    assert_null(f);
    assert_string_equal(e.msg, "nul.csv:2:4: NUL byte in the text (is this a binary file?)");
    expect_error("name\nok\nbad\xff\n", NULL, "t.csv:3:4: invalid UTF-8 in column 'name'");
    expect_error("", NULL, "t.csv: empty file: no header row");
}

static void missing_file(void **state) {
    (void)state;
    lab_err e;
    assert_null(csv_read_file("/nonexistent/x.csv", NULL, &e));
    assert_string_equal(e.msg, "/nonexistent/x.csv: No such file or directory");
    assert_null(csv_read_file("/tmp", NULL, &e));
    assert_string_equal(e.msg, "/tmp: is a directory");
}

/* ---- threads ------------------------------------------------------------------ */

/* A body of several MiB with quoted separators and line breaks, a column that
 * turns to text only near the end, and one that turns to number midway. */
static char *big_text(size_t rows, size_t *len) {
    size_t cap = rows * 64 + 64, n = 0;
    char *buf = malloc(cap);
    n += (size_t)sprintf(buf, "id,x,label,late,mid\n");
    for (size_t i = 0; i < rows; i++) {
        const char *label = i % 7 == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : (i % 3 ? "plain" : "other");
        char late[32], mid[32];
        if (i == rows - 2) snprintf(late, sizeof late, "text!");
        else snprintf(late, sizeof late, "%zu", i);
        if (i > rows / 2 && i % 5 == 0) snprintf(mid, sizeof mid, "%zu.5", i);
        else if (i % 11 == 0) mid[0] = '\0';
        else snprintf(mid, sizeof mid, "%zu", i);
        n += (size_t)snprintf(buf + n, cap - n, "%zu,%.3f,%s,%s,%s\n", i, (double)i * 0.001, label, late, mid);
    }
    *len = n;
    return buf;
}

static void threaded_read_matches_single(void **state) {
    (void)state;
    size_t len;
    char *text = big_text(200000, &len);
    assert_true(len > 4u << 20);
    csv_opts o1, o2;
    csv_opts_init(&o1);
    csv_opts_init(&o2);
    o1.threads = 1;
    o2.threads = 2;
    lab_err e;
    frame *a = csv_read_buffer(text, len, "big", &o1, &e);
    assert_non_null(a);
    frame *b = csv_read_buffer(text, len, "big", &o2, &e);
    assert_non_null(b);
    assert_int_equal(a->nrow, 200000);
    assert_true(frame_equal(a, b));
    assert_int_equal(a->cols[3]->type, COL_STRING);
    assert_int_equal(a->cols[4]->type, COL_NUMBER);
    assert_string_equal(col_str(a->cols[2], 0), "multi\nline, \"quoted\"");
    assert_string_equal(col_str(a->cols[3], 5), "5");
    assert_true(col_is_na(a->cols[4], 0));
    frame_free(a);
    frame_free(b);

    /* a stray quote in an unquoted field makes the quote-parity cut wrong;
     * the reader must notice and still give the right answer */
    text[len / 2 - 40] = '"';
    o1.threads = 1;
    a = csv_read_buffer(text, len, "big", &o1, &e);
    char msg1[512];
    snprintf(msg1, sizeof msg1, "%s", a ? "" : e.msg);
    b = csv_read_buffer(text, len, "big", &o2, &e);
    if (a && b) assert_true(frame_equal(a, b));
    else {
        assert_true(!a && !b);
        assert_string_equal(msg1, e.msg);
    }
    frame_free(a);
    frame_free(b);
    free(text);
}

/* ---- writing ------------------------------------------------------------------ */

static void write_then_read_gives_back_the_frame(void **state) {
    (void)state;
    frame *f = must_read("n,i,b,s\n0.1,9007199254740993,true,\"a, \"\"quoted\"\"\nline\"\n"
                         "1e-300,-5,,\"\"\n,7,false,\"NA\"\n0.30000000000000004,,true,plain\n"
                         "2,0,false,\n",
                         NULL);
    f->cols[0]->f64[4] = 1.0 / 3.0;
    char path[] = "/tmp/lab-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lab_err e;
    assert_int_equal(csv_write_file(f, path, ',', &e), 0);
    frame *g = csv_read_file(path, NULL, &e);
    if (!g) fail_msg("%s", e.msg);
    assert_true(frame_equal(f, g));
    assert_true(g->cols[0]->f64[4] == 1.0 / 3.0);
    frame_free(g);

    /* an integral number column stays a number column */
    frame *h = must_read("x\n1.5\n2\n", NULL);
    h->cols[0]->f64[0] = 3.0;
    assert_int_equal(csv_write_file(h, path, ';', &e), 0);
    csv_opts o;
    csv_opts_init(&o);
    o.sep = ';';
    g = csv_read_file(path, &o, &e);
    assert_non_null(g);
    assert_int_equal(g->cols[0]->type, COL_NUMBER);
    assert_true(frame_equal(h, g));
    frame_free(g);
    frame_free(h);
    unlink(path);

    /* an unwritable path names itself and leaves nothing behind */
    assert_int_equal(csv_write_file(f, "/nonexistent/dir/out.csv", ',', &e), -1);
    assert_string_equal(e.msg, "/nonexistent/dir/out.csv: No such file or directory");
    frame_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spectrum_comma_in_quotes),
        cmocka_unit_test(spectrum_empty),
        cmocka_unit_test(spectrum_empty_crlf),
        cmocka_unit_test(spectrum_escaped_quotes),
        cmocka_unit_test(spectrum_json),
        cmocka_unit_test(spectrum_newlines),
        cmocka_unit_test(spectrum_newlines_crlf),
        cmocka_unit_test(spectrum_quotes_and_newlines),
        cmocka_unit_test(spectrum_simple),
        cmocka_unit_test(spectrum_simple_crlf),
        cmocka_unit_test(spectrum_utf8),
        cmocka_unit_test(infers_types),
        cmocka_unit_test(integers_exact_beyond_2_53),
        cmocka_unit_test(numbers_correctly_rounded),
        cmocka_unit_test(random_numbers_match_strtod),
        cmocka_unit_test(na_tokens_and_quotes),
        cmocka_unit_test(separators_bom_header),
        cmocka_unit_test(type_overrides),
        cmocka_unit_test(malformed_input_names_the_place),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(threaded_read_matches_single),
        cmocka_unit_test(write_then_read_gives_back_the_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
