/* sql.c — frames to and from SQLite (see sql.h).
 *
 * A result's column types cannot be known before its last row: SQLite lets any
 * row of any column hold any storage class, and expressions have no declared
 * type at all. So the reader makes one pass over the rows, keeping each cell's
 * storage class and raw 8 bytes (integer, double bits, or a code into a string
 * dictionary), and only then decides each column's type and converts. That
 * costs nine bytes a cell of scratch memory, but runs the query once: running
 * it twice would double the time and could see different rows.
 *
 * The writer binds every row into one prepared INSERT inside one transaction;
 * identifiers are always double-quoted with inner quotes doubled. */
#include "sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* ---- small helpers -------------------------------------------------------- */


/* "name" with every inner double quote doubled: a valid identifier for any text. */
static void strbuf_add_ident(strbuf *b, const char *name) {
    strbuf_add(b, "\"", 1);
    for (const char *q; (q = strchr(name, '"')) != NULL; name = q + 1) {
        strbuf_add(b, name, (size_t)(q - name) + 1);
        strbuf_add(b, "\"", 1);
    }
    strbuf_adds(b, name);
    strbuf_add(b, "\"", 1);
}

/* The query on one line and at most about 160 bytes, around offset `at` when
 * the query is longer (at < 0: its start), cut on UTF-8 character boundaries. */
static void query_excerpt(char *out, size_t cap, const char *query, int at) {
    size_t len = strlen(query), start = 0, end = len;
    const size_t width = 160;
    if (len > width) {
        size_t centre = at > 0 ? (size_t)at : 0;
        start = centre > width / 3 ? centre - width / 3 : 0;
        end = start + width < len ? start + width : len;
        while (start > 0 && (query[start] & 0xC0) == 0x80) start--;
        while (end < len && (query[end] & 0xC0) == 0x80) end++;
    }
    size_t o = 0;
    if (start > 0 && o + 3 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    for (size_t i = start; i < end && o + 4 < cap; i++) {
        char ch = query[i];
        out[o++] = (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
    }
    if (end < len && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* Fill e with sqlite's message, the query and where in it the error is. */
static int fail_query(lab_err *e, const char *db_path, sqlite3 *db, const char *query) {
    if (sqlite3_errcode(db) == SQLITE_NOTADB) return lab_fail(e, "%s: file is not a database", db_path);
    int at = -1;
#if SQLITE_VERSION_NUMBER >= 3038000
    at = sqlite3_error_offset(db);
#endif
    char excerpt[200];
    query_excerpt(excerpt, sizeof excerpt, query, at);
    if (sqlite3_errcode(db) == SQLITE_READONLY)
        return lab_fail(e, "%s: %s (reads open the database read-only) in query \"%s\"", db_path,
                        sqlite3_errmsg(db), excerpt);
    if (at < 0) return lab_fail(e, "%s: %s in query \"%s\"", db_path, sqlite3_errmsg(db), excerpt);
    int line = 1, col = 1;
    for (int i = 0; i < at && query[i]; i++) {
        if (query[i] == '\n') {
            line++;
            col = 1;
        } else if ((query[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    return lab_fail(e, "%s: %s in query \"%s\" at line %d, column %d (offset %d)", db_path,
                    sqlite3_errmsg(db), excerpt, line, col, at);
}

/* SQLite says only "unable to open database file" when a new database cannot
 * be made; find the reason in the folder it would go to. Returns 1 with e
 * filled when there is one. */
static int parent_error(const char *path, lab_err *e) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    struct stat st;
    int found = 1;
    if (stat(dir, &st) != 0)
        lab_fail(e, "%s: folder %s: %s", path, dir, errno == ENOENT ? "no such folder" : strerror(errno));
    else if (!S_ISDIR(st.st_mode)) lab_fail(e, "%s: %s is not a folder", path, dir);
    else if (access(dir, W_OK) != 0) lab_fail(e, "%s: cannot create the file: %s", path, strerror(errno));
    else found = 0;
    free(dir);
    return found;
}

/* Open the database; reads never create a file, and say plainly when there is
 * none. Returns NULL with e filled on failure. */
static int stop_on_interrupt(void *ud) {
    (void)ud;
    return lab_interrupt != 0;
}

static sqlite3 *open_db(const char *path, int readonly, lab_err *e) {
    int special = path[0] == '\0' || strcmp(path, ":memory:") == 0;
    struct stat st;
    if (!special) {
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                lab_fail(e, "%s: is a directory", path);
                return NULL;
            }
        } else if (readonly || errno != ENOENT) {
            lab_fail(e, "%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
            return NULL;
        }
    }
    sqlite3 *db = NULL;
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK && !readonly && !special && parent_error(path, e)) {
        sqlite3_close(db);
        return NULL;
    }
    if (rc != SQLITE_OK) {
        lab_fail(e, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    /* The tracking store and other writers may hold a lock for a moment. */
    sqlite3_busy_timeout(db, 5000);
    /* A slow query stops on Ctrl-C like every long engine loop. */
    sqlite3_progress_handler(db, 10000, stop_on_interrupt, NULL);
    return db;
}

/* The frame type a declared SQL type names, after SQLite's own affinity rules
 * (substrings, case-insensitive) with BOOL first; -1 for none (BLOB, DATE, no
 * declared type): then the values decide. */
static int decl_type(const char *decl) {
    if (!decl || !decl[0]) return -1;
    char up[64];
    size_t n = 0;
    for (; decl[n] && n < sizeof up - 1; n++) {
        char ch = decl[n];
        up[n] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    up[n] = '\0';
    if (strstr(up, "BOOL")) return COL_BOOLEAN;
    if (strstr(up, "INT")) return COL_INTEGER;
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT")) return COL_STRING;
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB")) return COL_NUMBER;
    if (strstr(up, "NUMERIC") || strstr(up, "DECIMAL")) return COL_NUMBER;
    return -1;
}

/* ---- reading -------------------------------------------------------------- */

/* Every cell of one result column, before its type is known. */
typedef struct colbuf {
    uint8_t *cls;     /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_NULL */
    int64_t *v;       /* the integer, the double's bits, or a code into dict */
    strdict *dict;    /* text values */
    size_t has[6];    /* cells of each storage class */
    int nonbool;      /* an integer other than 0 and 1 was seen */
    int decl;         /* declared type (col_type) or -1 */
} colbuf;

/* The one type that holds every value the column has, given its declared type. */
static col_type settle_type(const colbuf *b) {
    if (b->has[SQLITE_TEXT] || b->decl == COL_STRING) return COL_STRING;
    if (b->has[SQLITE_FLOAT] || b->decl == COL_NUMBER) return COL_NUMBER;
    if (b->decl == COL_BOOLEAN) return b->nonbool ? COL_INTEGER : COL_BOOLEAN;
    if (b->decl == COL_INTEGER || b->has[SQLITE_INTEGER]) return COL_INTEGER;
    return COL_NUMBER; /* no declared type and nothing but NULL */
}

static column *settle_column(const colbuf *b, size_t n) {
    col_type t = settle_type(b);
    column *c = col_new(t, n, t == COL_STRING ? b->dict : NULL);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        int64_t v = b->v[i];
        switch (b->cls[i]) {
        case SQLITE_NULL: col_set_na(c, i); break;
        case SQLITE_INTEGER:
            if (t == COL_INTEGER) c->i64[i] = v;
            else if (t == COL_NUMBER) c->f64[i] = (double)v;
            else if (t == COL_BOOLEAN) c->b[i] = v != 0;
            else {
                int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
                c->code[i] = strdict_intern(c->dict, buf, (size_t)len);
            }
            break;
        case SQLITE_FLOAT: {
            double d;
            memcpy(&d, &v, sizeof d);
            if (t == COL_NUMBER) {
                c->f64[i] = d;
            } else {
                int len = lab_fmt_double(buf, d);
                c->code[i] = strdict_intern(c->dict, buf, (size_t)len);
            }
            break;
        }
        default: c->code[i] = (uint32_t)v; break; /* SQLITE_TEXT: t is string */
        }
    }
    return c;
}

/* A name not yet in f: name itself, else name_2, name_3, ... */
static char *unique_name(const frame *f, const char *name) {
    if (frame_find(f, name) < 0) return xstrdup(name);
    size_t len = strlen(name) + 24;
    char *s = xmalloc(len);
    for (unsigned k = 2;; k++) {
        snprintf(s, len, "%s_%u", name, k);
        if (frame_find(f, s) < 0) return s;
    }
}

static const char *param_label(sqlite3_stmt *st, int idx, char *buf, size_t cap) {
    const char *name = sqlite3_bind_parameter_name(st, idx);
    if (name) return name;
    snprintf(buf, cap, "?%d", idx);
    return buf;
}

static int bind_params(sqlite3_stmt *st, const sql_param *params, size_t np, const char *db_path,
                       lab_err *e) {
    int count = sqlite3_bind_parameter_count(st);
    uint8_t *bound = xcalloc((size_t)count + 1, 1);
    int rc = -1;
    char label[32];
    for (size_t k = 0; k < np; k++) {
        const sql_param *p = &params[k];
        int idx = 0;
        if (p->name) {
            if (strchr(":@$?", p->name[0]) && p->name[0]) {
                idx = sqlite3_bind_parameter_index(st, p->name);
            } else {
                static const char prefixes[] = ":@$";
                size_t len = strlen(p->name) + 2;
                char *full = xmalloc(len);
                for (int j = 0; j < 3 && !idx; j++) {
                    snprintf(full, len, "%c%s", prefixes[j], p->name);
                    idx = sqlite3_bind_parameter_index(st, full);
                }
                free(full);
            }
            if (!idx) {
                lab_fail(e, "%s: the query has no parameter named '%s'", db_path, p->name);
                goto done;
            }
        } else {
            idx = p->index;
            if (idx < 1 || idx > count) {
                lab_fail(e, "%s: the query has %d parameter%s, got a value for parameter %d", db_path,
                         count, count == 1 ? "" : "s", idx);
                goto done;
            }
        }
        int brc;
        switch (p->type) {
        case SQL_VALUE_INTEGER: brc = sqlite3_bind_int64(st, idx, p->i); break;
        case SQL_VALUE_BOOLEAN: brc = sqlite3_bind_int(st, idx, p->i != 0); break;
        case SQL_VALUE_NUMBER: brc = sqlite3_bind_double(st, idx, p->d); break;
        case SQL_VALUE_STRING:
            if (p->len > (size_t)0x7fffffff) {
                lab_fail(e, "%s: parameter %s: string too long", db_path,
                         param_label(st, idx, label, sizeof label));
                goto done;
            }
            brc = sqlite3_bind_text(st, idx, p->s, (int)p->len, SQLITE_TRANSIENT);
            break;
        default: brc = sqlite3_bind_null(st, idx); break;
        }
        if (brc != SQLITE_OK) {
            lab_fail(e, "%s: parameter %s: %s", db_path, param_label(st, idx, label, sizeof label),
                     sqlite3_errstr(brc));
            goto done;
        }
        bound[idx] = 1;
    }
    for (int idx = 1; idx <= count; idx++)
        if (!bound[idx]) {
            lab_fail(e, "%s: no value for query parameter %s (parameter %d of %d)", db_path,
                     param_label(st, idx, label, sizeof label), idx, count);
            goto done;
        }
    rc = 0;
done:
    free(bound);
    return rc;
}

/* Prepare exactly one statement; anything but blanks and comments after it is
 * an error rather than something silently skipped. */
static sqlite3_stmt *prepare_one(sqlite3 *db, const char *db_path, const char *query, lab_err *e) {
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, query, -1, &st, &tail) != SQLITE_OK) {
        fail_query(e, db_path, db, query);
        return NULL;
    }
    if (!st) {
        lab_fail(e, "%s: the query is empty", db_path);
        return NULL;
    }
    if (tail && *tail) {
        sqlite3_stmt *more = NULL;
        const char *rest = NULL;
        int rc = sqlite3_prepare_v2(db, tail, -1, &more, &rest);
        if (rc != SQLITE_OK || more) {
            sqlite3_finalize(more);
            int at = (int)(tail - query);
            while (query[at] == ' ' || query[at] == '\n' || query[at] == '\t' || query[at] == '\r') at++;
            char excerpt[200];
            query_excerpt(excerpt, sizeof excerpt, query, at);
            lab_fail(e, "%s: the query has more than one statement (the second starts at offset %d): \"%s\"",
                     db_path, at, excerpt);
            sqlite3_finalize(st);
            return NULL;
        }
    }
    return st;
}

frame *sql_read_params(const char *db_path, const char *query, const sql_param *params,
                       size_t nparams, lab_err *e) {
    frame *f = NULL;
    colbuf *bufs = NULL;
    int ncol = 0;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = NULL;
    sqlite3 *db = open_db(db_path, 1, e);
    if (!db) return NULL;
    st = prepare_one(db, db_path, query, e);
    if (!st) goto fail;
    ncol = sqlite3_column_count(st);
    if (ncol == 0) {
        char excerpt[200];
        query_excerpt(excerpt, sizeof excerpt, query, -1);
        lab_fail(e, "%s: the query returns no columns (read_sql runs queries that return rows): \"%s\"",
                 db_path, excerpt);
        goto fail;
    }
    if (bind_params(st, params, nparams, db_path, e) < 0) goto fail;

    bufs = xcalloc((size_t)ncol, sizeof *bufs);
    for (int j = 0; j < ncol; j++) {
        bufs[j].dict = strdict_new();
        bufs[j].decl = decl_type(sqlite3_column_decltype(st, j));
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            for (int j = 0; j < ncol; j++) {
                bufs[j].cls = xrealloc(bufs[j].cls, cap);
                bufs[j].v = xrealloc(bufs[j].v, cap * sizeof *bufs[j].v);
            }
        }
        for (int j = 0; j < ncol; j++) {
            colbuf *b = &bufs[j];
            int t = sqlite3_column_type(st, j);
            int64_t v = 0;
            switch (t) {
            case SQLITE_INTEGER:
                v = sqlite3_column_int64(st, j);
                if (v != 0 && v != 1) b->nonbool = 1;
                break;
            case SQLITE_FLOAT: {
                double d = sqlite3_column_double(st, j);
                memcpy(&v, &d, sizeof v);
                break;
            }
            case SQLITE_TEXT: {
                const char *s = (const char *)sqlite3_column_text(st, j);
                size_t len = (size_t)sqlite3_column_bytes(st, j);
                v = strdict_intern(b->dict, s ? s : "", s ? len : 0);
                break;
            }
            case SQLITE_NULL: break;
            default:
                lab_fail(e, "%s: column '%s' row %zu holds a BLOB, which no frame type holds "
                            "(select hex(x) or CAST(x AS TEXT) instead)",
                         db_path, sqlite3_column_name(st, j), n + 1);
                goto fail;
            }
            b->cls[n] = (uint8_t)t;
            b->v[n] = v;
            b->has[t]++;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        fail_query(e, db_path, db, query);
        goto fail;
    }

    f = frame_new();
    for (int j = 0; j < ncol; j++) {
        const char *name = sqlite3_column_name(st, j);
        char *uname = unique_name(f, name ? name : "");
        frame_set_column(f, uname, settle_column(&bufs[j], n), NULL);
        free(uname);
    }
    f->nrow = n;

fail:
    if (bufs)
        for (int j = 0; j < ncol; j++) {
            free(bufs[j].cls);
            free(bufs[j].v);
            strdict_free(bufs[j].dict);
        }
    free(bufs);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return f;
}

frame *sql_read(const char *db_path, const char *query, lab_err *e) {
    return sql_read_params(db_path, query, NULL, 0, e);
}

/* ---- writing -------------------------------------------------------------- */

int sql_mode_parse(const char *name, sql_mode *out) {
    if (strcmp(name, "fail") == 0) *out = SQL_MODE_FAIL;
    else if (strcmp(name, "replace") == 0) *out = SQL_MODE_REPLACE;
    else if (strcmp(name, "append") == 0) *out = SQL_MODE_APPEND;
    else return -1;
    return 0;
}

static int exec_sql(sqlite3 *db, const char *sql, const char *db_path, const char *table, lab_err *e) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    if (sqlite3_errcode(db) == SQLITE_NOTADB) lab_fail(e, "%s: file is not a database", db_path);
    else lab_fail(e, "%s: table '%s': %s", db_path, table, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

static const char *sql_type_name(col_type t) {
    switch (t) {
    case COL_NUMBER: return "REAL";
    case COL_INTEGER: return "INTEGER";
    case COL_BOOLEAN: return "BOOLEAN";
    case COL_STRING: return "TEXT";
    }
    return "";
}

/* Whether a frame column of type ft may go into a table column declared decl. */
static int type_fits(col_type ft, const char *decl) {
    int dt = decl_type(decl);
    if (dt < 0 || dt == (int)ft) return 1;
    if (dt == COL_NUMBER) return ft == COL_INTEGER || ft == COL_BOOLEAN;
    if (dt == COL_INTEGER) return ft == COL_BOOLEAN;
    return 0;
}

/* Whether the table exists (1) or not (0); with compare set, an existing
 * table's columns must also be the frame's (by name, any order, with fitting
 * types). Returns -1 with e filled when they differ or SQLite fails. */
static int check_table(sqlite3 *db, const frame *f, const char *db_path, const char *table, int compare,
                       lab_err *e) {
    sqlite3_stmt *st = NULL;
    int rc = -1, ntab = 0, cap = 0;
    char **tnames = NULL, **tdecls = NULL;
    strbuf list = {0};
    if (sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) != SQLITE_OK) {
        if (sqlite3_errcode(db) == SQLITE_NOTADB) lab_fail(e, "%s: file is not a database", db_path);
        else lab_fail(e, "%s: table '%s': %s", db_path, table, sqlite3_errmsg(db));
        goto done;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *decl = (const char *)sqlite3_column_text(st, 1);
        if (ntab == cap) {
            cap = cap ? cap * 2 : 16;
            tnames = xrealloc(tnames, (size_t)cap * sizeof *tnames);
            tdecls = xrealloc(tdecls, (size_t)cap * sizeof *tdecls);
        }
        tnames[ntab] = xstrdup(name ? name : "");
        tdecls[ntab] = xstrdup(decl ? decl : "");
        if (ntab) strbuf_adds(&list, ", ");
        strbuf_adds(&list, tnames[ntab]);
        ntab++;
    }
    if (step != SQLITE_DONE) {
        lab_fail(e, "%s: table '%s': %s", db_path, table, sqlite3_errmsg(db));
        goto done;
    }
    rc = ntab > 0;
    if (!compare || ntab == 0) goto done;
    rc = -1;
    /* The frame's columns first: a column added to the frame is the usual case. */
    for (int j = 0; j < f->ncol; j++) {
        int k = 0;
        while (k < ntab && sqlite3_stricmp(f->names[j], tnames[k]) != 0) k++;
        if (k == ntab) {
            lab_fail(e, "%s: cannot append to table '%s': it has no column '%s' (its columns: %s)", db_path,
                     table, f->names[j], list.s);
            goto done;
        }
        if (!type_fits(f->cols[j]->type, tdecls[k])) {
            lab_fail(e, "%s: cannot append to table '%s': column '%s' is %s but the table declares it %s",
                     db_path, table, f->names[j], col_type_name(f->cols[j]->type), tdecls[k]);
            goto done;
        }
    }
    for (int k = 0; k < ntab; k++) {
        int j = 0;
        while (j < f->ncol && sqlite3_stricmp(f->names[j], tnames[k]) != 0) j++;
        if (j == f->ncol) {
            lab_fail(e, "%s: cannot append to table '%s': the frame has no column '%s', which the table has",
                     db_path, table, tnames[k]);
            goto done;
        }
    }
    rc = 1;
done:
    sqlite3_finalize(st);
    for (int k = 0; k < ntab; k++) {
        free(tnames[k]);
        free(tdecls[k]);
    }
    free(tnames);
    free(tdecls);
    free(list.s);
    return rc;
}

static int insert_rows(sqlite3 *db, const frame *f, const char *db_path, const char *table, lab_err *e) {
    strbuf sql = {0};
    sqlite3_stmt *st = NULL;
    int rc = -1;
    strbuf_adds(&sql, "INSERT INTO ");
    strbuf_add_ident(&sql, table);
    strbuf_adds(&sql, " (");
    for (int j = 0; j < f->ncol; j++) {
        if (j) strbuf_adds(&sql, ", ");
        strbuf_add_ident(&sql, f->names[j]);
    }
    strbuf_adds(&sql, ") VALUES (");
    for (int j = 0; j < f->ncol; j++) strbuf_adds(&sql, j ? ", ?" : "?");
    strbuf_adds(&sql, ")");
    if (sqlite3_prepare_v2(db, sql.s, -1, &st, NULL) != SQLITE_OK) {
        lab_fail(e, "%s: table '%s': %s", db_path, table, sqlite3_errmsg(db));
        goto done;
    }
    for (size_t i = 0; i < f->nrow; i++) {
        for (int j = 0; j < f->ncol; j++) {
            const column *c = f->cols[j];
            int p = j + 1;
            if (col_is_na(c, i)) {
                sqlite3_bind_null(st, p);
                continue;
            }
            switch (c->type) {
            case COL_NUMBER: sqlite3_bind_double(st, p, c->f64[i]); break;
            case COL_INTEGER: sqlite3_bind_int64(st, p, c->i64[i]); break;
            case COL_BOOLEAN: sqlite3_bind_int(st, p, c->b[i] ? 1 : 0); break;
            case COL_STRING: {
                uint32_t code = c->code[i];
                sqlite3_bind_text(st, p, c->dict->str[code], (int)c->dict->len[code], SQLITE_STATIC);
                break;
            }
            }
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            lab_fail(e, "%s: table '%s' row %zu: %s", db_path, table, i + 1, sqlite3_errmsg(db));
            goto done;
        }
        sqlite3_reset(st);
    }
    rc = 0;
done:
    sqlite3_finalize(st);
    free(sql.s);
    return rc;
}

int sql_write(const frame *f, const char *db_path, const char *table, sql_mode mode, lab_err *e) {
    if (!table[0]) return lab_fail(e, "%s: the table name is empty", db_path);
    if (f->ncol == 0) return lab_fail(e, "%s: table '%s': the frame has no columns", db_path, table);
    if (mode != SQL_MODE_FAIL && mode != SQL_MODE_REPLACE && mode != SQL_MODE_APPEND)
        return lab_fail(e, "%s: table '%s': unknown mode %d", db_path, table, (int)mode);
    for (int j = 0; j < f->ncol; j++) /* sqlite3_bind_text takes an int length */
        if (f->cols[j]->type == COL_STRING)
            for (uint32_t k = 0; k < f->cols[j]->dict->n; k++)
                if (f->cols[j]->dict->len[k] > 0x7fffffffu)
                    return lab_fail(e, "%s: table '%s' column '%s': a string is longer than 2 GiB", db_path,
                                    table, f->names[j]);

    int rc = -1;
    strbuf sql = {0};
    sqlite3 *db = open_db(db_path, 0, e);
    if (!db) return -1;
    if (exec_sql(db, "BEGIN IMMEDIATE", db_path, table, e) < 0) goto done;

    int exists = check_table(db, f, db_path, table, mode == SQL_MODE_APPEND, e);
    if (exists < 0) goto done;
    if (exists && mode == SQL_MODE_FAIL) {
        lab_fail(e, "%s: table '%s' already exists (replace it or append to it)", db_path, table);
        goto done;
    }
    if (exists && mode == SQL_MODE_REPLACE) {
        strbuf_adds(&sql, "DROP TABLE ");
        strbuf_add_ident(&sql, table);
        if (exec_sql(db, sql.s, db_path, table, e) < 0) goto done;
        exists = 0;
    }
    if (exists == 0) {
        sql.n = 0;
        strbuf_adds(&sql, "CREATE TABLE ");
        strbuf_add_ident(&sql, table);
        strbuf_adds(&sql, " (");
        for (int j = 0; j < f->ncol; j++) {
            if (j) strbuf_adds(&sql, ", ");
            strbuf_add_ident(&sql, f->names[j]);
            strbuf_adds(&sql, " ");
            strbuf_adds(&sql, sql_type_name(f->cols[j]->type));
        }
        strbuf_adds(&sql, ")");
        if (exec_sql(db, sql.s, db_path, table, e) < 0) goto done;
    }
    if (insert_rows(db, f, db_path, table, e) < 0) goto done;
    if (exec_sql(db, "COMMIT", db_path, table, e) < 0) goto done;
    rc = 0;
done:
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    free(sql.s);
    return rc;
}
