/* test_sql.c — frames to and from SQLite: round trips in every type with NA,
 * type decisions for declared and undeclared columns, the three write modes,
 * parameters, and the errors (each must name the path, table, column or query). */
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

#include <sqlite3.h>

#include "data/csv.h"
#include "data/frame.h"
#include "data/sql.h"

static char tmpdir[256];

/* A path in the scratch directory (four rotating buffers). */
static const char *tpath(const char *name) {
    static char bufs[4][512];
    static int k;
    char *b = bufs[k++ & 3];
    snprintf(b, sizeof bufs[0], "%s/%s", tmpdir, name);
    return b;
}

static void run_sql(const char *db_path, const char *sql) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("setup SQL failed: %s: %s", sql, msg);
    sqlite3_close(db);
}

static void assert_contains(const char *msg, const char *want) {
    if (!strstr(msg, want)) fail_msg("expected the message to contain \"%s\", got \"%s\"", want, msg);
}

static column *int_col(size_t n, const int64_t *v, const int *na) {
    column *c = col_new(COL_INTEGER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (na && na[i]) col_set_na(c, i);
        else c->i64[i] = v[i];
    }
    return c;
}

static column *num_col(size_t n, const double *v, const int *na) {
    column *c = col_new(COL_NUMBER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (na && na[i]) col_set_na(c, i);
        else c->f64[i] = v[i];
    }
    return c;
}

static column *bool_col(size_t n, const int *v, const int *na) {
    column *c = col_new(COL_BOOLEAN, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (na && na[i]) col_set_na(c, i);
        else c->b[i] = (uint8_t)(v[i] != 0);
    }
    return c;
}

/* NULL entries are NA. */
static column *str_col(size_t n, const char *const *v) {
    column *c = col_new(COL_STRING, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) col_set_na(c, i);
        else c->code[i] = strdict_intern(c->dict, v[i], strlen(v[i]));
    }
    return c;
}

static void add(frame *f, const char *name, column *c) {
    lab_err e;
    if (frame_set_column(f, name, c, &e) < 0) fail_msg("frame_set_column: %s", e.msg);
}

static frame *read_ok(const char *db, const char *query) {
    lab_err e = {{0}};
    frame *f = sql_read(db, query, &e);
    if (!f) fail_msg("sql_read(%s, %s) failed: %s", db, query, e.msg);
    return f;
}

static void write_ok(const frame *f, const char *db, const char *table, sql_mode mode) {
    lab_err e = {{0}};
    if (sql_write(f, db, table, mode, &e) < 0) fail_msg("sql_write(%s, %s) failed: %s", db, table, e.msg);
}

static void assert_frames_equal(const frame *got, const frame *want) {
    assert_int_equal(got->ncol, want->ncol);
    assert_int_equal(got->nrow, want->nrow);
    for (int j = 0; j < want->ncol; j++) {
        assert_string_equal(got->names[j], want->names[j]);
        if (got->cols[j]->type != want->cols[j]->type)
            fail_msg("column '%s': expected type %s, got %s", want->names[j],
                     col_type_name(want->cols[j]->type), col_type_name(got->cols[j]->type));
        for (size_t i = 0; i < want->nrow; i++) {
            char a[128], b[128];
            col_format(got->cols[j], i, a, sizeof a);
            col_format(want->cols[j], i, b, sizeof b);
            if (col_is_na(got->cols[j], i) != col_is_na(want->cols[j], i) || strcmp(a, b) != 0)
                fail_msg("column '%s' row %zu: expected %s, got %s", want->names[j], i + 1, b, a);
        }
    }
    assert_true(frame_equal(got, want));
}

/* Every type, NA in each, int64 beyond 2^53, unicode, quotes in every name. */
static frame *make_mixed(void) {
    enum { N = 6 };
    static const int64_t iv[N] = {INT64_MAX, INT64_MIN, 9007199254740993LL, 0, -42, 7};
    static const int ina[N] = {0, 0, 0, 1, 0, 0};
    static const double nv[N] = {1.5, -0.1, 1e300, 0, 5e-324, 3.141592653589793};
    static const int nna[N] = {0, 0, 0, 0, 0, 1};
    static const int bv[N] = {1, 0, 0, 1, 1, 0};
    static const int bna[N] = {0, 0, 1, 0, 0, 0};
    static const char *const sv[N] = {"h\xc3\xa9llo", "\xe6\x97\xa5\xe6\x9c\xac", "", NULL,
                                      "it's \"quoted\"", "line\nbreak"};
    frame *f = frame_new();
    add(f, "big int", int_col(N, iv, ina));
    add(f, "x \"quoted\"", num_col(N, nv, nna));
    add(f, "it's", bool_col(N, bv, bna));
    add(f, "caf\xc3\xa9", str_col(N, sv));
    return f;
}

static void test_roundtrip_mixed(void **state) {
    (void)state;
    const char *db = tpath("mixed.db");
    frame *f = make_mixed();
    write_ok(f, db, "my \"table\" 1", SQL_MODE_FAIL);
    frame *g = read_ok(db, "SELECT * FROM \"my \"\"table\"\" 1\"");
    assert_frames_equal(g, f);
    frame_free(g);
    frame_free(f);
}

static void test_roundtrip_infinity(void **state) {
    (void)state;
    const char *db = tpath("inf.db");
    double v[3] = {INFINITY, -INFINITY, -0.5};
    frame *f = frame_new();
    add(f, "v", num_col(3, v, NULL));
    write_ok(f, db, "t", SQL_MODE_FAIL);
    frame *g = read_ok(db, "select v from t");
    assert_frames_equal(g, f);
    frame_free(g);
    frame_free(f);
}

static void test_roundtrip_empty(void **state) {
    (void)state;
    const char *db = tpath("empty.db");
    frame *f = frame_new();
    add(f, "i", int_col(0, NULL, NULL));
    add(f, "n", num_col(0, NULL, NULL));
    add(f, "b", bool_col(0, NULL, NULL));
    add(f, "s", str_col(0, NULL));
    write_ok(f, db, "empty", SQL_MODE_FAIL);
    frame *g = read_ok(db, "select * from empty");
    assert_int_equal(g->nrow, 0);
    assert_frames_equal(g, f);
    frame_free(g);
    frame_free(f);
}

static void test_roundtrip_all_na(void **state) {
    (void)state;
    const char *db = tpath("allna.db");
    int na[3] = {1, 1, 1};
    const char *sv[3] = {NULL, NULL, NULL};
    frame *f = frame_new();
    add(f, "i", int_col(3, NULL, na));
    add(f, "n", num_col(3, NULL, na));
    add(f, "b", bool_col(3, NULL, na));
    add(f, "s", str_col(3, sv));
    write_ok(f, db, "t", SQL_MODE_FAIL);
    frame *g = read_ok(db, "select * from t");
    assert_frames_equal(g, f);
    frame_free(g);
    frame_free(f);
}

static void test_mode_fail_replace_append(void **state) {
    (void)state;
    const char *db = tpath("modes.db");
    lab_err e = {{0}};
    int64_t v[2] = {1, 2};
    frame *f = frame_new();
    add(f, "a", int_col(2, v, NULL));
    write_ok(f, db, "T", SQL_MODE_FAIL);

    assert_int_equal(sql_write(f, db, "T", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "table 'T' already exists");
    assert_contains(e.msg, db);
    /* SQLite's names are case-insensitive: "t" is the same table. */
    assert_int_equal(sql_write(f, db, "t", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "already exists");

    write_ok(f, db, "T", SQL_MODE_APPEND);
    frame *g = read_ok(db, "select count(*) as n, sum(a) as s from T");
    assert_int_equal(g->cols[0]->i64[0], 4);
    assert_int_equal(g->cols[1]->i64[0], 6);
    frame_free(g);

    const char *sv[2] = {"x", "y"};
    frame *h = frame_new();
    add(h, "other", str_col(2, sv));
    write_ok(h, db, "T", SQL_MODE_REPLACE);
    g = read_ok(db, "select * from T");
    assert_frames_equal(g, h);
    frame_free(g);

    /* Append to a missing table creates it. */
    write_ok(f, db, "fresh", SQL_MODE_APPEND);
    g = read_ok(db, "select * from fresh");
    assert_frames_equal(g, f);
    frame_free(g);

    frame_free(h);
    frame_free(f);
}

static void test_append_checks_columns(void **state) {
    (void)state;
    const char *db = tpath("append.db");
    lab_err e = {{0}};
    int64_t v[2] = {1, 2};
    double d[2] = {0.5, 1.5};
    frame *f = frame_new();
    add(f, "a", int_col(2, v, NULL));
    add(f, "b", num_col(2, d, NULL));
    write_ok(f, db, "t", SQL_MODE_FAIL);

    /* Same columns in another order: fine, matched by name. */
    frame *r = frame_new();
    add(r, "b", num_col(2, d, NULL));
    add(r, "a", int_col(2, v, NULL));
    write_ok(r, db, "t", SQL_MODE_APPEND);

    frame *extra = frame_copy(f);
    add(extra, "c", int_col(2, v, NULL));
    assert_int_equal(sql_write(extra, db, "t", SQL_MODE_APPEND, &e), -1);
    assert_contains(e.msg, "no column 'c'");
    assert_contains(e.msg, "table 't'");

    frame *fewer = frame_new();
    add(fewer, "a", int_col(2, v, NULL));
    assert_int_equal(sql_write(fewer, db, "t", SQL_MODE_APPEND, &e), -1);
    assert_contains(e.msg, "the frame has no column 'b'");

    const char *sv[2] = {"p", "q"};
    frame *wrong = frame_new();
    add(wrong, "a", str_col(2, sv));
    add(wrong, "b", num_col(2, d, NULL));
    assert_int_equal(sql_write(wrong, db, "t", SQL_MODE_APPEND, &e), -1);
    assert_contains(e.msg, "column 'a' is string but the table declares it INTEGER");

    /* Integers fit a REAL column. */
    frame *widen = frame_new();
    add(widen, "a", int_col(2, v, NULL));
    add(widen, "b", int_col(2, v, NULL));
    write_ok(widen, db, "t", SQL_MODE_APPEND);

    frame *g = read_ok(db, "select * from t");
    assert_int_equal(g->nrow, 6);
    assert_int_equal(g->cols[1]->type, COL_NUMBER);
    frame_free(g);
    frame_free(widen);
    frame_free(wrong);
    frame_free(fewer);
    frame_free(extra);
    frame_free(r);
    frame_free(f);
}

/* A row that breaks a constraint fails the write and leaves nothing behind. */
static void test_write_rolls_back(void **state) {
    (void)state;
    const char *db = tpath("rollback.db");
    lab_err e = {{0}};
    run_sql(db, "create table t (a INTEGER NOT NULL)");
    int64_t v[3] = {1, 2, 3};
    int na[3] = {0, 1, 0};
    frame *f = frame_new();
    add(f, "a", int_col(3, v, na));
    assert_int_equal(sql_write(f, db, "t", SQL_MODE_APPEND, &e), -1);
    assert_contains(e.msg, "table 't' row 2");
    assert_contains(e.msg, "NOT NULL");
    frame *g = read_ok(db, "select count(*) from t");
    assert_int_equal(g->cols[0]->i64[0], 0);
    frame_free(g);

    /* Rows already there stay, and only them. */
    run_sql(db, "insert into t values (10)");
    assert_int_equal(sql_write(f, db, "t", SQL_MODE_APPEND, &e), -1);
    g = read_ok(db, "select a from t");
    assert_int_equal(g->nrow, 1);
    assert_int_equal(g->cols[0]->i64[0], 10);
    frame_free(g);
    frame_free(f);
}

static void test_read_missing_file(void **state) {
    (void)state;
    const char *db = tpath("nope.db");
    lab_err e = {{0}};
    assert_null(sql_read(db, "select 1", &e));
    assert_contains(e.msg, db);
    assert_contains(e.msg, "no such file");
    assert_int_equal(access(db, F_OK), -1); /* reading created nothing */

    assert_null(sql_read(tmpdir, "select 1", &e));
    assert_contains(e.msg, "is a directory");
}

static void test_read_not_a_database(void **state) {
    (void)state;
    const char *p = tpath("text.csv");
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("a,b\n1,2\n3,4\nthis is not a database at all, just some text to fill a page\n", fp);
    fclose(fp);
    lab_err e = {{0}};
    assert_null(sql_read(p, "select 1 from t", &e));
    assert_contains(e.msg, p);
    assert_contains(e.msg, "not a database");
    int64_t v[1] = {1};
    frame *f = frame_new();
    add(f, "a", int_col(1, v, NULL));
    assert_int_equal(sql_write(f, p, "t", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "not a database");
    frame_free(f);
}

static void test_bad_sql(void **state) {
    (void)state;
    const char *db = tpath("bad.db");
    run_sql(db, "create table t (a INTEGER)");
    lab_err e = {{0}};
    assert_null(sql_read(db, "select * frm t", &e));
    assert_contains(e.msg, db);
    assert_contains(e.msg, "syntax error");
    assert_contains(e.msg, "select * frm t");
    assert_contains(e.msg, "offset 9");

    assert_null(sql_read(db, "select a,\n  nope\nfrom t", &e));
    assert_contains(e.msg, "no such column: nope");
    assert_contains(e.msg, "line 2, column 3");
    assert_contains(e.msg, "select a,   nope from t"); /* one line */

    assert_null(sql_read(db, "select * from missing_table", &e));
    assert_contains(e.msg, "no such table: missing_table");

    assert_null(sql_read(db, "select 1; select 2", &e));
    assert_contains(e.msg, "more than one statement");

    assert_null(sql_read(db, "  -- nothing\n", &e));
    assert_contains(e.msg, "empty");

    /* Writes are refused: the database is open read-only. */
    assert_null(sql_read(db, "insert into t values (1) returning a", &e));
    assert_contains(e.msg, "readonly");
    frame *g = read_ok(db, "select count(*) from t");
    assert_int_equal(g->cols[0]->i64[0], 0);
    frame_free(g);
}

static void test_expression_types(void **state) {
    (void)state;
    const char *db = tpath("expr.db");
    run_sql(db, "create table t (a INTEGER)");
    frame *f = read_ok(db, "select 1 as i, 2.5 as n, 'x' as s, NULL as na, 1 = 1 as cmp");
    assert_int_equal(f->cols[0]->type, COL_INTEGER);
    assert_int_equal(f->cols[1]->type, COL_NUMBER);
    assert_int_equal(f->cols[2]->type, COL_STRING);
    assert_int_equal(f->cols[3]->type, COL_NUMBER);
    assert_true(col_is_na(f->cols[3], 0));
    assert_int_equal(f->cols[4]->type, COL_INTEGER);
    frame_free(f);

    f = read_ok(db, "select 1 as v union all select 2.5 union all select null");
    assert_int_equal(f->cols[0]->type, COL_NUMBER);
    assert_true(f->cols[0]->f64[0] == 1.0 && f->cols[0]->f64[1] == 2.5);
    assert_true(col_is_na(f->cols[0], 2));
    frame_free(f);

    f = read_ok(db, "select 1 as v union all select 'a' union all select 0.5");
    assert_int_equal(f->cols[0]->type, COL_STRING);
    assert_string_equal(col_str(f->cols[0], 0), "1");
    assert_string_equal(col_str(f->cols[0], 1), "a");
    assert_string_equal(col_str(f->cols[0], 2), "0.5");
    frame_free(f);

    /* Zero rows and no declared type: a number column of no rows. */
    f = read_ok(db, "select a + 1 as b from t");
    assert_int_equal(f->nrow, 0);
    assert_int_equal(f->cols[0]->type, COL_NUMBER);
    frame_free(f);

    /* Repeated names get a suffix. */
    f = read_ok(db, "select 1 as a, 2 as a, 3 as a_2");
    assert_string_equal(f->names[0], "a");
    assert_string_equal(f->names[1], "a_2");
    assert_string_equal(f->names[2], "a_2_2");
    frame_free(f);
}

static void test_declared_types(void **state) {
    (void)state;
    const char *db = tpath("decl.db");
    run_sql(db, "create table t (i INTEGER, big BIGINT, r REAL, d DOUBLE PRECISION, num NUMERIC,"
                " s VARCHAR(10), c CLOB, b BOOLEAN, b2 BOOL, dt DATE);"
                "insert into t values (1, 2, 3, 4, 5, 6, 'x', 1, 0, '2024-01-01');"
                "insert into t values (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2, NULL);");
    frame *f = read_ok(db, "select * from t");
    col_type want[] = {COL_INTEGER, COL_INTEGER, COL_NUMBER, COL_NUMBER, COL_NUMBER,
                       COL_STRING,  COL_STRING,  COL_BOOLEAN, COL_INTEGER, COL_STRING};
    for (int j = 0; j < f->ncol; j++)
        if (f->cols[j]->type != want[j])
            fail_msg("column '%s': expected %s, got %s", f->names[j], col_type_name(want[j]),
                     col_type_name(f->cols[j]->type));
    assert_string_equal(col_str(f->cols[5], 0), "6");
    assert_true(f->cols[7]->b[0] == 1 && col_is_na(f->cols[7], 1));
    assert_int_equal(f->cols[8]->i64[1], 2);
    frame_free(f);

    /* A text value in an INTEGER column makes a string column, never a 0. */
    run_sql(db, "create table m (i INTEGER, r REAL, b BOOLEAN);"
                "insert into m values (1, 1.5, 1); insert into m values ('abc', 'n/a', 'yes');"
                "insert into m values (3, 2, 0)");
    f = read_ok(db, "select * from m");
    for (int j = 0; j < 3; j++) assert_int_equal(f->cols[j]->type, COL_STRING);
    assert_string_equal(col_str(f->cols[0], 0), "1");
    assert_string_equal(col_str(f->cols[0], 1), "abc");
    assert_string_equal(col_str(f->cols[1], 0), "1.5");
    assert_string_equal(col_str(f->cols[1], 2), "2");
    frame_free(f);

    /* A real value in an INTEGER column makes a number column. */
    run_sql(db, "create table r (i INTEGER); insert into r values (1); insert into r values (2.5)");
    f = read_ok(db, "select i from r");
    assert_int_equal(f->cols[0]->type, COL_NUMBER);
    assert_true(f->cols[0]->f64[0] == 1.0 && f->cols[0]->f64[1] == 2.5);
    frame_free(f);
}

static void test_blob_is_an_error(void **state) {
    (void)state;
    const char *db = tpath("blob.db");
    run_sql(db, "create table t (a INTEGER)");
    lab_err e = {{0}};
    assert_null(sql_read(db, "select 1 as a, x'00ff' as payload", &e));
    assert_contains(e.msg, "column 'payload' row 1 holds a BLOB");
    frame *f = read_ok(db, "select hex(x'00ff') as payload");
    assert_string_equal(col_str(f->cols[0], 0), "00FF");
    frame_free(f);
}

static void test_params(void **state) {
    (void)state;
    const char *db = tpath("params.db");
    run_sql(db, "create table t (id INTEGER, name TEXT);"
                "insert into t values (1, 'a'), (2, 'b'), (3, 'c'), (4, 'b')");
    lab_err e = {{0}};
    sql_param p[3] = {{.index = 1, .type = SQL_VALUE_INTEGER, .i = 2},
                      {.index = 2, .type = SQL_VALUE_STRING, .s = "b", .len = 1}};
    frame *f = sql_read_params(db, "select id from t where id >= ? and name = ?", p, 2, &e);
    if (!f) fail_msg("%s", e.msg);
    assert_int_equal(f->nrow, 2);
    assert_int_equal(f->cols[0]->i64[1], 4);
    frame_free(f);

    sql_param named[2] = {{.name = "lo", .type = SQL_VALUE_NUMBER, .d = 1.5},
                          {.name = "$hi", .type = SQL_VALUE_INTEGER, .i = 3}};
    f = sql_read_params(db, "select id from t where id > :lo and id <= $hi", named, 2, &e);
    if (!f) fail_msg("%s", e.msg);
    assert_int_equal(f->nrow, 2);
    frame_free(f);

    assert_null(sql_read_params(db, "select id from t where id > :lo and id < :hi", named, 1, &e));
    assert_contains(e.msg, "no value for query parameter :hi");

    assert_null(sql_read_params(db, "select id from t where id > :lo", named, 2, &e));
    assert_contains(e.msg, "no parameter named '$hi'");

    p[2] = (sql_param){.index = 3, .type = SQL_VALUE_BOOLEAN, .i = 1};
    assert_null(sql_read_params(db, "select id from t where id >= ? and name = ?", p, 3, &e));
    assert_contains(e.msg, "the query has 2 parameters, got a value for parameter 3");

    assert_null(sql_read(db, "select id from t where id = ?", &e));
    assert_contains(e.msg, "no value for query parameter ?1");

    sql_param nul = {.index = 1, .type = SQL_VALUE_NULL};
    f = sql_read_params(db, "select ? is null as x", &nul, 1, &e);
    if (!f) fail_msg("%s", e.msg);
    assert_int_equal(f->cols[0]->i64[0], 1);
    frame_free(f);
}

static void test_write_errors(void **state) {
    (void)state;
    lab_err e = {{0}};
    int64_t v[1] = {1};
    frame *f = frame_new();
    add(f, "a", int_col(1, v, NULL));
    assert_int_equal(sql_write(f, tpath("w.db"), "", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "table name is empty");

    const char *missing = tpath("no/such/dir/w.db");
    assert_int_equal(sql_write(f, missing, "t", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, missing);

    assert_int_equal(sql_write(f, tmpdir, "t", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "is a directory");

    frame *none = frame_new();
    assert_int_equal(sql_write(none, tpath("w.db"), "t", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "no columns");
    frame_free(none);

    /* Case-insensitively equal names collide in SQLite. */
    frame *dup = frame_new();
    add(dup, "a", int_col(1, v, NULL));
    add(dup, "A", int_col(1, v, NULL));
    assert_int_equal(sql_write(dup, tpath("w.db"), "dup", SQL_MODE_FAIL, &e), -1);
    assert_contains(e.msg, "table 'dup'");
    assert_contains(e.msg, "duplicate column name");
    frame_free(dup);
    frame_free(f);

    sql_mode m;
    assert_int_equal(sql_mode_parse("append", &m), 0);
    assert_int_equal(m, SQL_MODE_APPEND);
    assert_int_equal(sql_mode_parse("Append", &m), -1);
}

/* Every bundled data set survives a write and a read. */
static void test_roundtrip_datasets(void **state) {
    (void)state;
    static const char *const sets[] = {"iris", "wine", "breast_cancer", "diabetes", "digits", "co2"};
    const char *root = getenv("LAB_ROOT") ? getenv("LAB_ROOT") : ".";
    const char *db = tpath("datasets.db");
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        char csv[512], query[128];
        snprintf(csv, sizeof csv, "%s/data/%s.csv", root, sets[k]);
        lab_err e = {{0}};
        csv_opts o;
        csv_opts_init(&o);
        frame *f = csv_read_file(csv, &o, &e);
        if (!f) fail_msg("csv_read_file(%s): %s", csv, e.msg);
        write_ok(f, db, sets[k], SQL_MODE_FAIL);
        snprintf(query, sizeof query, "select * from %s", sets[k]);
        frame *g = read_ok(db, query);
        assert_frames_equal(g, f);
        frame_free(g);
        frame_free(f);
    }
}

#if defined(__SANITIZE_ADDRESS__)
#define BIG_ROWS 200000
#else
#define BIG_ROWS 1000000
#endif

/* One million rows both ways, timed loosely (a benchmark gives the figures). */
static void test_big_roundtrip(void **state) {
    (void)state;
    const char *db = tpath("big.db");
    size_t n = BIG_ROWS;
    column *i = col_new(COL_INTEGER, n, NULL), *x = col_new(COL_NUMBER, n, NULL);
    column *b = col_new(COL_BOOLEAN, n, NULL), *s = col_new(COL_STRING, n, NULL);
    const char *words[4] = {"alpha", "beta", "gamma", "delta"};
    for (size_t k = 0; k < n; k++) {
        i->i64[k] = (int64_t)k * 7919;
        x->f64[k] = (double)k / 3.0;
        b->b[k] = (uint8_t)(k % 3 == 0);
        s->code[k] = strdict_intern(s->dict, words[k % 4], strlen(words[k % 4]));
        if (k % 1000 == 0) col_set_na(x, k);
    }
    frame *f = frame_new();
    add(f, "i", i);
    add(f, "x", x);
    add(f, "b", b);
    add(f, "s", s);
    double t0 = lab_now();
    write_ok(f, db, "big", SQL_MODE_FAIL);
    double t1 = lab_now();
    frame *g = read_ok(db, "select * from big");
    double t2 = lab_now();
    print_message("sql: %zu rows x 4 columns: write %.2f s, read %.2f s\n", n, t1 - t0, t2 - t1);
    assert_true(frame_equal(g, f));
#if !defined(__SANITIZE_ADDRESS__)
    if (t1 - t0 > 5.0 || t2 - t1 > 5.0)
        fail_msg("expected each direction under 5 s, took write %.2f s, read %.2f s", t1 - t0, t2 - t1);
#endif
    frame_free(g);
    frame_free(f);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "%s/lab_test_sql_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_mixed),
        cmocka_unit_test(test_roundtrip_infinity),
        cmocka_unit_test(test_roundtrip_empty),
        cmocka_unit_test(test_roundtrip_all_na),
        cmocka_unit_test(test_mode_fail_replace_append),
        cmocka_unit_test(test_append_checks_columns),
        cmocka_unit_test(test_write_rolls_back),
        cmocka_unit_test(test_read_missing_file),
        cmocka_unit_test(test_read_not_a_database),
        cmocka_unit_test(test_bad_sql),
        cmocka_unit_test(test_expression_types),
        cmocka_unit_test(test_declared_types),
        cmocka_unit_test(test_blob_is_an_error),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_roundtrip_datasets),
        cmocka_unit_test(test_big_roundtrip),
    };
    int failed = cmocka_run_group_tests_name("sql", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return failed ? 1 : 0;
}
