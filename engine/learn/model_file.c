/* model_file.c — model files: one SQLite database per model (model_save,
 * model_load, model_hash in model.h).
 *
 * SQLite as an application file format: the file is readable with the sqlite3
 * shell, and lab has no parser of its own to harden. The tables hold only
 * values (see SCHEMA below); the weights are BLOBs of little-endian IEEE
 * doubles. The loader treats the file as hostile: it checks the header and
 * size itself before SQLite sees the file (a clear "truncated" instead of a
 * late "malformed"), opens it read-only with SQLite's defensive mode and
 * untrusted schema, refuses any view, trigger or unknown table, runs only
 * fixed SELECTs, and rebuilds the model through the same validating setters
 * a user's call goes through. A SHA-256 over a canonical encoding of the
 * content, stored at save and recomputed at load, tells an altered file from
 * a good one.
 *
 * Saving writes a temporary file beside the target, syncs it and renames it
 * over the target (then syncs the folder), so a reader sees the old file or
 * the new one, never half of one.
 *
 * A pipeline (pipeline.h) adds five tables for its transform steps (steps,
 * step_params, step_features, step_levels, step_tensors: the same values,
 * keyed by the step's position) and its steps to the end of the hash. A
 * plain model's file has none of them and is byte-for-byte what it was, so
 * the format version stays 1; a lab without pipelines refuses a pipeline
 * file by its unknown table "steps". */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "model.h"
#include "pipeline.h"
#include "transform.h"

#define APPLICATION_ID 0x6c61626d /* "labm" */

static const char SCHEMA[] =
    "CREATE TABLE lab_model(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE params(pos INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL, num REAL, str TEXT);"
    "CREATE TABLE features(pos INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL);"
    "CREATE TABLE levels(feature INTEGER NOT NULL, pos INTEGER NOT NULL, level TEXT NOT NULL,"
    " PRIMARY KEY(feature, pos));"
    "CREATE TABLE classes(pos INTEGER PRIMARY KEY, label TEXT NOT NULL);"
    "CREATE TABLE figures(pos INTEGER PRIMARY KEY, key TEXT NOT NULL, value REAL);"
    "CREATE TABLE tensors(pos INTEGER PRIMARY KEY, name TEXT NOT NULL, rows INTEGER NOT NULL,"
    " cols INTEGER NOT NULL, data BLOB NOT NULL);";

static const char STEPS_SCHEMA[] =
    "CREATE TABLE steps(pos INTEGER PRIMARY KEY, kind TEXT NOT NULL, n_train INTEGER NOT NULL);"
    "CREATE TABLE step_params(step INTEGER NOT NULL, pos INTEGER NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL,"
    " num REAL, str TEXT, PRIMARY KEY(step, pos));"
    "CREATE TABLE step_features(step INTEGER NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,"
    " PRIMARY KEY(step, pos));"
    "CREATE TABLE step_levels(step INTEGER NOT NULL, feature INTEGER NOT NULL, pos INTEGER NOT NULL,"
    " level TEXT NOT NULL, PRIMARY KEY(step, feature, pos));"
    "CREATE TABLE step_tensors(step INTEGER NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL,"
    " rows INTEGER NOT NULL, cols INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(step, pos));";

/* The tables every model file has, then the five of a pipeline's steps. */
static const char *const TABLES[] = {"lab_model", "params",        "features",    "levels",
                                     "classes",   "figures",       "tensors",     "steps",
                                     "step_params", "step_features", "step_levels", "step_tensors"};
#define NTABLES 7
#define NALLTABLES 12

static const char *ptype_tag(model_ptype t) {
    switch (t) {
    case MODEL_P_NUMBER: return "number";
    case MODEL_P_INTEGER: return "integer";
    case MODEL_P_BOOLEAN: return "boolean";
    case MODEL_P_STRING: return "string";
    }
    return "?";
}

/* The text of class label k (exact for numbers: shortest round trip). */
static void label_text(const column *c, size_t k, char *buf, size_t cap) {
    if (c->type == COL_NUMBER) lab_fmt_double(buf, c->f64[k]);
    else col_format(c, k, buf, cap);
}

/* ---- the content hash -------------------------------------------------------------- */

static void h_u64(sha256_ctx *h, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    sha256_update(h, b, 8);
}

static void h_str(sha256_ctx *h, const char *s) {
    size_t n = s ? strlen(s) : 0;
    h_u64(h, n);
    if (n) sha256_update(h, s, n);
}

static void h_f64(sha256_ctx *h, double v) {
    uint64_t u;
    if (isnan(v)) u = 0x7ff8000000000000ull; /* one NaN: SQLite stores NaN as NULL */
    else memcpy(&u, &v, 8);
    h_u64(h, u);
}

void model_hash(const model *m, char hex[65]) {
    sha256_ctx h;
    sha256_init(&h);
    h_str(&h, "lab model");
    h_u64(&h, MODEL_FORMAT_VERSION);
    h_str(&h, m->kind->name);
    h_u64(&h, (uint64_t)m->nparam);
    for (int i = 0; i < m->nparam; i++) {
        h_str(&h, m->params[i].key);
        h_u64(&h, m->params[i].type);
        if (m->params[i].type == MODEL_P_STRING) h_str(&h, m->params[i].str);
        else h_f64(&h, m->params[i].num);
    }
    h_u64(&h, (uint64_t)m->nfeat);
    for (int q = 0; q < m->nfeat; q++) {
        h_str(&h, m->feat[q].name);
        h_u64(&h, m->feat[q].type);
        h_u64(&h, m->feat[q].nlevels);
        for (uint32_t k = 0; k < m->feat[q].nlevels; k++) h_str(&h, m->feat[q].levels[k]);
    }
    h_str(&h, m->target);
    h_u64(&h, m->target ? m->target_type : 0);
    h_u64(&h, m->n_train);
    size_t nc = m->classes ? m->classes->n : 0;
    h_u64(&h, nc);
    for (size_t k = 0; k < nc; k++) {
        char buf[1024];
        label_text(m->classes, k, buf, sizeof buf);
        h_str(&h, buf);
    }
    h_u64(&h, (uint64_t)m->nfigure);
    for (int i = 0; i < m->nfigure; i++) {
        h_str(&h, m->figure[i].key);
        h_f64(&h, m->figure[i].value);
    }
    h_u64(&h, (uint64_t)m->ntensor);
    for (int i = 0; i < m->ntensor; i++) {
        const model_tensor *t = &m->tensor[i];
        h_str(&h, t->name);
        h_u64(&h, t->rows);
        h_u64(&h, t->cols);
        for (size_t j = 0; j < t->rows * t->cols; j++) h_f64(&h, t->data[j]);
    }
    if (m->nstep) {
        /* a pipeline's steps; absent for a plain model, whose hash is unchanged */
        h_str(&h, "steps");
        h_u64(&h, (uint64_t)m->nstep);
        for (int s = 0; s < m->nstep; s++) {
            const model *t = m->step[s];
            h_str(&h, t->kind->name);
            h_u64(&h, t->n_train);
            h_u64(&h, (uint64_t)t->nparam);
            for (int i = 0; i < t->nparam; i++) {
                h_str(&h, t->params[i].key);
                h_u64(&h, t->params[i].type);
                if (t->params[i].type == MODEL_P_STRING) h_str(&h, t->params[i].str);
                else h_f64(&h, t->params[i].num);
            }
            h_u64(&h, (uint64_t)t->nfeat);
            for (int q = 0; q < t->nfeat; q++) {
                h_str(&h, t->feat[q].name);
                h_u64(&h, t->feat[q].type);
                h_u64(&h, t->feat[q].nlevels);
                for (uint32_t k = 0; k < t->feat[q].nlevels; k++) h_str(&h, t->feat[q].levels[k]);
            }
            h_u64(&h, (uint64_t)t->ntensor);
            for (int i = 0; i < t->ntensor; i++) {
                const model_tensor *x = &t->tensor[i];
                h_str(&h, x->name);
                h_u64(&h, x->rows);
                h_u64(&h, x->cols);
                for (size_t j = 0; j < x->rows * x->cols; j++) h_f64(&h, x->data[j]);
            }
        }
    }
    uint8_t dig[32];
    sha256_final(&h, dig);
    sha256_hex(dig, hex);
}

/* ---- doubles <-> little-endian bytes ---------------------------------------------------- */

static void f64_to_le(const double *x, size_t n, uint8_t *out) {
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &x[i], 8);
        for (int b = 0; b < 8; b++) out[8 * i + (size_t)b] = (uint8_t)(u >> (8 * b));
    }
}

static void le_to_f64(const uint8_t *in, size_t n, double *x) {
    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;
        for (int b = 0; b < 8; b++) u |= (uint64_t)in[8 * i + (size_t)b] << (8 * b);
        memcpy(&x[i], &u, 8);
    }
}

/* ---- saving ------------------------------------------------------------------------------ */

static int exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

static int put_meta(sqlite3 *db, const char *key, const char *value) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO lab_model VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static void bind_f64(sqlite3_stmt *st, int i, double v) {
    if (isnan(v)) sqlite3_bind_null(st, i);
    else sqlite3_bind_double(st, i, v);
}

/* The rows of the step tables, step by step. */
static int insert_step_rows(sqlite3 *db, const model *m) {
    sqlite3_stmt *st = NULL;
    int rc = -1;
    for (int s = 0; s < m->nstep; s++) {
        const model *t = m->step[s];
        if (sqlite3_prepare_v2(db, "INSERT INTO steps VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
        sqlite3_bind_int(st, 1, s);
        sqlite3_bind_text(st, 2, t->kind->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)t->n_train);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_finalize(st);
        if (sqlite3_prepare_v2(db, "INSERT INTO step_params VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
        for (int i = 0; i < t->nparam; i++) {
            const model_param *p = &t->params[i];
            sqlite3_bind_int(st, 1, s);
            sqlite3_bind_int(st, 2, i);
            sqlite3_bind_text(st, 3, p->key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, ptype_tag(p->type), -1, SQLITE_STATIC);
            if (p->type == MODEL_P_STRING) {
                sqlite3_bind_null(st, 5);
                sqlite3_bind_text(st, 6, p->str ? p->str : "", -1, SQLITE_STATIC);
            } else {
                sqlite3_bind_double(st, 5, p->num);
                sqlite3_bind_null(st, 6);
            }
            if (sqlite3_step(st) != SQLITE_DONE) goto fail;
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        if (sqlite3_prepare_v2(db, "INSERT INTO step_features VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
        for (int q = 0; q < t->nfeat; q++) {
            sqlite3_bind_int(st, 1, s);
            sqlite3_bind_int(st, 2, q);
            sqlite3_bind_text(st, 3, t->feat[q].name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, col_type_name(t->feat[q].type), -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) goto fail;
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        if (sqlite3_prepare_v2(db, "INSERT INTO step_levels VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
        for (int q = 0; q < t->nfeat; q++)
            for (uint32_t k = 0; k < t->feat[q].nlevels; k++) {
                sqlite3_bind_int(st, 1, s);
                sqlite3_bind_int(st, 2, q);
                sqlite3_bind_int64(st, 3, k);
                sqlite3_bind_text(st, 4, t->feat[q].levels[k], -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_DONE) goto fail;
                sqlite3_reset(st);
            }
        sqlite3_finalize(st);
        if (sqlite3_prepare_v2(db, "INSERT INTO step_tensors VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
        for (int i = 0; i < t->ntensor; i++) {
            const model_tensor *x = &t->tensor[i];
            size_t nb = x->rows * x->cols * 8;
            uint8_t *bytes = xmalloc(nb ? nb : 1);
            f64_to_le(x->data, x->rows * x->cols, bytes);
            sqlite3_bind_int(st, 1, s);
            sqlite3_bind_int(st, 2, i);
            sqlite3_bind_text(st, 3, x->name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, (sqlite3_int64)x->rows);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)x->cols);
            sqlite3_bind_blob64(st, 6, bytes, nb, free);
            if (sqlite3_step(st) != SQLITE_DONE) goto fail;
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    rc = 0;
fail:
    sqlite3_finalize(st);
    return rc;
}

static int write_steps(sqlite3 *db, const model *m) {
    if (exec(db, STEPS_SCHEMA) != SQLITE_OK) return -1;
    return insert_step_rows(db, m);
}

static int write_content(sqlite3 *db, const model *m) {
    char buf[1024];
    char hex[65];
    model_hash(m, hex);
    snprintf(buf, sizeof buf, "%d", MODEL_FORMAT_VERSION);
    if (put_meta(db, "format_version", buf) || put_meta(db, "lab_version", LAB_VERSION) ||
        put_meta(db, "kind", m->kind->name) || put_meta(db, "hash", hex))
        return -1;
    snprintf(buf, sizeof buf, "%zu", m->n_train);
    if (put_meta(db, "n_train", buf)) return -1;
    if (m->target && (put_meta(db, "target", m->target) || put_meta(db, "target_type", col_type_name(m->target_type))))
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "INSERT INTO params VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
    for (int i = 0; i < m->nparam; i++) {
        const model_param *p = &m->params[i];
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, p->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ptype_tag(p->type), -1, SQLITE_STATIC);
        if (p->type == MODEL_P_STRING) {
            sqlite3_bind_null(st, 4);
            sqlite3_bind_text(st, 5, p->str ? p->str : "", -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_double(st, 4, p->num);
            sqlite3_bind_null(st, 5);
        }
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO features VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
    for (int q = 0; q < m->nfeat; q++) {
        sqlite3_bind_int(st, 1, q);
        sqlite3_bind_text(st, 2, m->feat[q].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, col_type_name(m->feat[q].type), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO levels VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
    for (int q = 0; q < m->nfeat; q++)
        for (uint32_t k = 0; k < m->feat[q].nlevels; k++) {
            sqlite3_bind_int(st, 1, q);
            sqlite3_bind_int64(st, 2, k);
            sqlite3_bind_text(st, 3, m->feat[q].levels[k], -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) goto fail;
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO classes VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
    for (size_t k = 0; m->classes && k < m->classes->n; k++) {
        label_text(m->classes, k, buf, sizeof buf);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)k);
        sqlite3_bind_text(st, 2, buf, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO figures VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
    for (int i = 0; i < m->nfigure; i++) {
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, m->figure[i].key, -1, SQLITE_STATIC);
        bind_f64(st, 3, m->figure[i].value);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO tensors VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto fail;
    for (int i = 0; i < m->ntensor; i++) {
        const model_tensor *t = &m->tensor[i];
        size_t nb = t->rows * t->cols * 8;
        uint8_t *bytes = xmalloc(nb ? nb : 1);
        f64_to_le(t->data, t->rows * t->cols, bytes);
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)t->rows);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)t->cols);
        sqlite3_bind_blob64(st, 5, bytes, nb, free);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_reset(st);
    }
    rc = m->nstep ? write_steps(db, m) : 0;
fail:
    sqlite3_finalize(st);
    return rc;
}

static void sync_path(const char *path, int dir) {
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDWR);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

int model_save(const model *m, const char *path, lab_err *e) {
    if (!m->fitted) return lab_fail(e, "save: the %s model is not fitted; fit it before saving", m->kind->name);
    size_t len = strlen(path);
    char *tmp = xmalloc(len + 32);
    snprintf(tmp, len + 32, "%s.tmp-%ld", path, (long)getpid());
    unlink(tmp);
    sqlite3 *db = NULL;
    int rc = -1;
    if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        lab_fail(e, "save: cannot write '%s': %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    char pragmas[160];
    snprintf(pragmas, sizeof pragmas, "PRAGMA application_id=%d; PRAGMA user_version=%d; PRAGMA journal_mode=OFF;",
             APPLICATION_ID, MODEL_FORMAT_VERSION);
    if (exec(db, pragmas) != SQLITE_OK || exec(db, "BEGIN") != SQLITE_OK || exec(db, SCHEMA) != SQLITE_OK ||
        write_content(db, m) < 0 || exec(db, "COMMIT") != SQLITE_OK) {
        lab_fail(e, "save: cannot write '%s': %s", path, sqlite3_errmsg(db));
        goto done;
    }
    if (sqlite3_close(db) != SQLITE_OK) {
        lab_fail(e, "save: cannot write '%s': %s", path, sqlite3_errmsg(db));
        goto done;
    }
    db = NULL;
    sync_path(tmp, 0);
    if (rename(tmp, path) != 0) {
        lab_fail(e, "save: cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    {
        /* the folder, so that the rename itself survives a crash */
        char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
        sync_path(slash ? dir : ".", 1);
        free(dir);
    }
    rc = 0;
done:
    if (db) sqlite3_close(db);
    if (rc < 0) unlink(tmp);
    free(tmp);
    return rc;
}

/* ---- loading ------------------------------------------------------------------------------- */

/* Check the SQLite header and the size it promises, before SQLite reads the
 * file: a file that is not SQLite, or that was cut short, gets its own
 * message. */
static int check_header(const char *path, lab_err *e) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return lab_fail(e, "load: cannot open '%s': %s", path, strerror(errno));
    uint8_t h[100];
    size_t got = fread(h, 1, sizeof h, fp);
    struct stat sb;
    int st = fstat(fileno(fp), &sb);
    fclose(fp);
    if (st != 0) return lab_fail(e, "load: cannot read '%s'", path);
    if (got < 16 || memcmp(h, "SQLite format 3", 16) != 0) {
        if (got == 0) return lab_fail(e, "load: '%s' is empty, not a model file", path);
        return lab_fail(e, "load: '%s' is not a model file (not an SQLite database)", path);
    }
    if (got < 100) return lab_fail(e, "load: '%s' is truncated (%zu bytes; a model file is larger)", path, got);
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1) page = 65536;
    uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    uint32_t id = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
    if (id != APPLICATION_ID) return lab_fail(e, "load: '%s' is an SQLite database but not a lab model file", path);
    if (page < 512 || (page & (page - 1))) return lab_fail(e, "load: '%s' is corrupted (bad page size %u)", path, page);
    uint64_t want = (uint64_t)page * pages;
    if ((uint64_t)sb.st_size < want)
        return lab_fail(e, "load: '%s' is truncated (%lld bytes; its header says %llu)", path, (long long)sb.st_size,
                        (unsigned long long)want);
    return 0;
}

/* Run one fixed query over each row: fn(st, m) returns 0 or -1 with e filled. */
static int each_row(sqlite3 *db, const char *sql, int (*fn)(sqlite3_stmt *, void *, lab_err *), void *ud,
                    const char *path, lab_err *e) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return lab_fail(e, "load: '%s' is not a valid model file: %s", path, sqlite3_errmsg(db));
    int rc, out = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(st, ud, e) < 0) {
            out = -1;
            break;
        }
    if (out == 0 && rc != SQLITE_DONE) out = lab_fail(e, "load: '%s' is corrupted: %s", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return out;
}

typedef struct loader {
    sqlite3 *db;
    const char *path;
    model *m;
    char *kind, *target, *target_type, *hash;
    long format;
    long long n_train;
    int have_format;
    /* classes are read as text, then typed */
    char **labels;
    size_t nlabels;
} loader;

static const char *col_text(sqlite3_stmt *st, int i) {
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : NULL;
}

static int row_meta(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    const char *k = col_text(st, 0), *v = col_text(st, 1);
    if (!k || !v) return lab_fail(e, "load: '%s' is not a valid model file (empty lab_model entry)", L->path);
    if (strcmp(k, "format_version") == 0) {
        L->format = strtol(v, NULL, 10);
        L->have_format = 1;
    } else if (strcmp(k, "kind") == 0) {
        free(L->kind);
        L->kind = xstrdup(v);
    } else if (strcmp(k, "target") == 0) {
        free(L->target);
        L->target = xstrdup(v);
    } else if (strcmp(k, "target_type") == 0) {
        free(L->target_type);
        L->target_type = xstrdup(v);
    } else if (strcmp(k, "hash") == 0) {
        free(L->hash);
        L->hash = xstrdup(v);
    } else if (strcmp(k, "n_train") == 0) {
        L->n_train = strtoll(v, NULL, 10);
    }
    return 0;
}

static int row_param(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    const char *k = col_text(st, 0);
    if (!k) return lab_fail(e, "load: '%s': a hyper-parameter without a name", L->path);
    lab_err pe;
    int rc;
    if (sqlite3_column_type(st, 1) == SQLITE_TEXT) rc = model_set_string(L->m, k, col_text(st, 1), &pe);
    else if (sqlite3_column_type(st, 2) == SQLITE_FLOAT || sqlite3_column_type(st, 2) == SQLITE_INTEGER)
        rc = model_set_number(L->m, k, sqlite3_column_double(st, 2), &pe);
    else return lab_fail(e, "load: '%s': hyper-parameter '%s' has no value", L->path, k);
    if (rc < 0) return lab_fail(e, "load: '%s': %s", L->path, pe.msg);
    return 0;
}

static int row_feature(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    model *m = L->m;
    const char *name = col_text(st, 1), *type = col_text(st, 2);
    col_type t;
    if (sqlite3_column_int64(st, 0) != m->nfeat)
        return lab_fail(e, "load: '%s' is not a valid model file (features are not numbered 0, 1, ...)", L->path);
    if (!name || !type || col_type_parse(type, &t) < 0)
        return lab_fail(e, "load: '%s': feature %d has no name or an unknown type", L->path, m->nfeat + 1);
    m->feat = xrealloc(m->feat, (size_t)(m->nfeat + 1) * sizeof *m->feat);
    m->feat[m->nfeat] = (model_feature){xstrdup(name), t, 0, NULL};
    m->nfeat++;
    return 0;
}

static int row_level(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    model *m = L->m;
    sqlite3_int64 q = sqlite3_column_int64(st, 0), pos = sqlite3_column_int64(st, 1);
    const char *s = col_text(st, 2);
    if (q < 0 || q >= m->nfeat || !s || pos != (sqlite3_int64)m->feat[q].nlevels)
        return lab_fail(e, "load: '%s' is not a valid model file (category levels out of order)", L->path);
    model_feature *f = &m->feat[q];
    f->levels = xrealloc(f->levels, (size_t)(f->nlevels + 1) * sizeof *f->levels);
    f->levels[f->nlevels++] = xstrdup(s);
    return 0;
}

static int row_class(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    const char *s = col_text(st, 1);
    if (!s || sqlite3_column_int64(st, 0) != (sqlite3_int64)L->nlabels)
        return lab_fail(e, "load: '%s' is not a valid model file (class labels out of order)", L->path);
    L->labels = xrealloc(L->labels, (L->nlabels + 1) * sizeof *L->labels);
    L->labels[L->nlabels++] = xstrdup(s);
    return 0;
}

static int row_figure(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    const char *k = col_text(st, 1);
    if (!k) return lab_fail(e, "load: '%s': a figure without a name", L->path);
    double v = sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 2);
    model_set_figure(L->m, k, v);
    return 0;
}

static int row_tensor(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    const char *name = col_text(st, 1);
    sqlite3_int64 rows = sqlite3_column_int64(st, 2), cols = sqlite3_column_int64(st, 3);
    if (!name || rows < 0 || cols < 0 || rows > ((sqlite3_int64)1 << 40) || cols > ((sqlite3_int64)1 << 40) ||
        (rows && cols > ((sqlite3_int64)1 << 40) / rows))
        return lab_fail(e, "load: '%s': tensor %s has a bad shape", L->path, name ? name : "(unnamed)");
    if (model_tensor_get(L->m, name)) return lab_fail(e, "load: '%s': tensor '%s' appears twice", L->path, name);
    const void *blob = sqlite3_column_blob(st, 4);
    size_t nb = (size_t)sqlite3_column_bytes(st, 4);
    size_t n = (size_t)rows * (size_t)cols;
    if (nb != n * 8 || (n && !blob))
        return lab_fail(e, "load: '%s': tensor '%s' holds %zu bytes, its shape %lld x %lld needs %zu", L->path, name, nb,
                        (long long)rows, (long long)cols, n * 8);
    double *x = model_tensor_new(L->m, name, (size_t)rows, (size_t)cols);
    if (n) le_to_f64(blob, n, x);
    return 0;
}

static int row_step(sqlite3_stmt *st, void *ud, lab_err *e) {
    loader *L = ud;
    model *m = L->m;
    const char *kind = col_text(st, 1);
    if (sqlite3_column_int64(st, 0) != m->nstep || !kind)
        return lab_fail(e, "load: '%s' is not a valid model file (steps are not numbered 0, 1, ...)", L->path);
    if (m->nstep >= 1000) return lab_fail(e, "load: '%s': too many pipeline steps", L->path);
    lab_err te;
    model *t = transform_new(kind, &te);
    if (!t) return lab_fail(e, "load: '%s': pipeline step %d: %s", L->path, m->nstep + 1, te.msg);
    sqlite3_int64 n = sqlite3_column_int64(st, 2);
    t->n_train = n > 0 ? (size_t)n : 0;
    pipeline_add_step(m, t);
    return 0;
}

/* The steps of a pipeline file, each read through the same row readers as
 * the model (pointed at the step) and checked by its kind. */
static int load_steps(loader *L, lab_err *e) {
    model *m = L->m;
    if (each_row(L->db, "SELECT pos, kind, n_train FROM steps ORDER BY pos", row_step, L, L->path, e) < 0) return -1;
    if (m->nstep == 0) return lab_fail(e, "load: '%s' is not a valid model file (a pipeline without steps)", L->path);
    int rc = 0;
    for (int s = 0; s < m->nstep && rc == 0; s++) {
        char sql[4][160];
        snprintf(sql[0], sizeof sql[0], "SELECT key, str, num FROM step_params WHERE step = %d ORDER BY pos", s);
        snprintf(sql[1], sizeof sql[1], "SELECT pos, name, type FROM step_features WHERE step = %d ORDER BY pos", s);
        snprintf(sql[2], sizeof sql[2], "SELECT feature, pos, level FROM step_levels WHERE step = %d ORDER BY feature, pos", s);
        snprintf(sql[3], sizeof sql[3], "SELECT pos, name, rows, cols, data FROM step_tensors WHERE step = %d ORDER BY pos", s);
        model *t = m->step[s];
        size_t n_train = t->n_train; /* setting a parameter clears it */
        L->m = t;
        lab_err ce;
        if (each_row(L->db, sql[0], row_param, L, L->path, e) < 0 || (t->n_train = n_train, 0) ||
            each_row(L->db, sql[1], row_feature, L, L->path, e) < 0 ||
            each_row(L->db, sql[2], row_level, L, L->path, e) < 0 || each_row(L->db, sql[3], row_tensor, L, L->path, e) < 0)
            rc = -1;
        else if (t->kind->check(t, &ce) < 0)
            rc = lab_fail(e, "load: '%s': pipeline step %d: %s", L->path, s + 1, ce.msg);
        else
            t->fitted = 1;
    }
    L->m = m;
    return rc;
}

/* The class labels as a column of the target's type. */
static int make_classes(loader *L, lab_err *e) {
    model *m = L->m;
    column *c = col_new(m->target_type, L->nlabels, NULL);
    for (size_t k = 0; k < L->nlabels; k++) {
        const char *s = L->labels[k];
        char *end = NULL;
        switch (c->type) {
        case COL_NUMBER: c->f64[k] = strtod(s, &end); break;
        case COL_INTEGER: c->i64[k] = strtoll(s, &end, 10); break;
        case COL_BOOLEAN:
            c->b[k] = strcmp(s, "true") == 0;
            end = (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) ? (char *)s + strlen(s) : (char *)s;
            break;
        case COL_STRING: c->code[k] = strdict_intern(c->dict, s, strlen(s)); end = (char *)s + strlen(s); break;
        }
        if (!end || end == s || *end) {
            col_free(c);
            return lab_fail(e, "load: '%s': class label '%s' is not a %s", L->path, s, col_type_name(m->target_type));
        }
    }
    m->classes = c;
    return 0;
}

/* check_objects sets *steps to 1 when the file has the step tables. */
static int check_objects(sqlite3 *db, const char *path, int *steps, lab_err *e) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
        return lab_fail(e, "load: '%s' is corrupted: %s", path, sqlite3_errmsg(db));
    int seen[NALLTABLES] = {0}, rc, out = 0;
    while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = col_text(st, 0), *name = col_text(st, 1);
        if (!type || !name) continue;
        if (strcmp(type, "index") == 0 && strncmp(name, "sqlite_autoindex_", 17) == 0) continue;
        int known = -1;
        for (int i = 0; i < NALLTABLES; i++)
            if (strcmp(name, TABLES[i]) == 0) known = i;
        if (strcmp(type, "table") != 0)
            out = lab_fail(e, "load: '%s' holds a %s '%s'; a model file holds only tables of values", path, type, name);
        else if (known < 0)
            out = lab_fail(e, "load: '%s' holds an unknown table '%s'; not a lab model file", path, name);
        else seen[known] = 1;
    }
    if (out == 0 && rc != SQLITE_DONE) out = lab_fail(e, "load: '%s' is corrupted: %s", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    for (int i = 0; out == 0 && i < NTABLES; i++)
        if (!seen[i]) out = lab_fail(e, "load: '%s' is not a lab model file (no table '%s')", path, TABLES[i]);
    *steps = seen[NTABLES];
    for (int i = NTABLES; out == 0 && i < NALLTABLES; i++)
        if (seen[i] != *steps) out = lab_fail(e, "load: '%s' is not a valid model file (pipeline table '%s' %s)", path,
                                              TABLES[i], seen[i] ? "without the others" : "missing");
    return out;
}

model *model_load(const char *path, lab_err *e) {
    if (check_header(path, e) < 0) return NULL;
    loader L = {0};
    L.path = path;
    L.format = -1;
    model *m = NULL;
    int ok = 0;
    if (sqlite3_open_v2(path, &L.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        lab_fail(e, "load: cannot open '%s': %s", path, L.db ? sqlite3_errmsg(L.db) : "out of memory");
        goto done;
    }
    sqlite3_db_config(L.db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(L.db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(L.db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    sqlite3_db_config(L.db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
    {
        sqlite3_stmt *st;
        int qc = sqlite3_prepare_v2(L.db, "PRAGMA quick_check", -1, &st, NULL);
        if (qc == SQLITE_OK) {
            qc = sqlite3_step(st);
            const char *r = qc == SQLITE_ROW ? col_text(st, 0) : NULL;
            if (!r || strcmp(r, "ok") != 0) {
                lab_fail(e, "load: '%s' is corrupted (%s)", path, r ? r : sqlite3_errmsg(L.db));
                sqlite3_finalize(st);
                goto done;
            }
            sqlite3_finalize(st);
        } else {
            lab_fail(e, "load: '%s' is corrupted: %s", path, sqlite3_errmsg(L.db));
            goto done;
        }
    }
    int has_steps = 0;
    if (check_objects(L.db, path, &has_steps, e) < 0) goto done;
    if (each_row(L.db, "SELECT key, value FROM lab_model", row_meta, &L, path, e) < 0) goto done;
    if (!L.have_format) {
        lab_fail(e, "load: '%s' is not a lab model file (no format_version)", path);
        goto done;
    }
    if (L.format != MODEL_FORMAT_VERSION) {
        lab_fail(e, "load: '%s' has model file format %ld; this lab (%s) reads format %d%s", path, L.format, LAB_VERSION,
                 MODEL_FORMAT_VERSION, L.format > MODEL_FORMAT_VERSION ? " (written by a newer lab)" : "");
        goto done;
    }
    if (!L.kind || !L.hash) {
        lab_fail(e, "load: '%s' is not a valid model file (no kind or hash)", path);
        goto done;
    }
    m = model_new(L.kind, e);
    if (!m) {
        lab_fail(e, "load: '%s' holds a model of unknown kind '%s' (this lab knows: %s)", path, L.kind, model_kind_list());
        goto done;
    }
    L.m = m;
    if (each_row(L.db, "SELECT key, str, num FROM params ORDER BY pos", row_param, &L, path, e) < 0) goto done;
    if (each_row(L.db, "SELECT pos, name, type FROM features ORDER BY pos", row_feature, &L, path, e) < 0) goto done;
    if (each_row(L.db, "SELECT feature, pos, level FROM levels ORDER BY feature, pos", row_level, &L, path, e) < 0)
        goto done;
    if (each_row(L.db, "SELECT pos, label FROM classes ORDER BY pos", row_class, &L, path, e) < 0) goto done;
    if (L.target) {
        col_type t;
        if (!L.target_type || col_type_parse(L.target_type, &t) < 0) {
            lab_fail(e, "load: '%s': the target has no known type", path);
            goto done;
        }
        m->target = xstrdup(L.target);
        m->target_type = t;
        if (L.nlabels && make_classes(&L, e) < 0) goto done;
    } else if (L.nlabels) {
        lab_fail(e, "load: '%s': class labels without a target", path);
        goto done;
    }
    m->n_train = L.n_train > 0 ? (size_t)L.n_train : 0;
    if (each_row(L.db, "SELECT pos, key, value FROM figures ORDER BY pos", row_figure, &L, path, e) < 0) goto done;
    if (each_row(L.db, "SELECT pos, name, rows, cols, data FROM tensors ORDER BY pos", row_tensor, &L, path, e) < 0)
        goto done;
    if (has_steps && load_steps(&L, e) < 0) goto done;
    char hex[65];
    model_hash(m, hex);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    /* the fuzzer cannot forge a SHA-256 but an attacker can recompute one:
     * let altered content through so the checks after this one get fuzzed */
    memcpy(hex, L.hash, strlen(L.hash) < 64 ? strlen(L.hash) + 1 : 65);
    hex[64] = 0;
#endif
    if (strcmp(hex, L.hash) != 0) {
        lab_fail(e, "load: '%s' was altered after it was saved: its content does not match its hash", path);
        goto done;
    }
    if ((m->kind->task == MODEL_CLASSIFIER) != (m->classes != NULL) || m->nfeat == 0 ||
        ((m->kind->task == MODEL_REGRESSOR || m->kind->task == MODEL_CLASSIFIER) && !m->target)) {
        lab_fail(e, "load: '%s' is not a valid %s model (target, classes or features missing)", path, m->kind->name);
        goto done;
    }
    lab_err ce;
    if (m->kind->check && m->kind->check(m, &ce) < 0) {
        lab_fail(e, "load: '%s': %s", path, ce.msg);
        goto done;
    }
    m->fitted = 1;
    ok = 1;
done:
    if (L.db) sqlite3_close(L.db);
    free(L.kind);
    free(L.target);
    free(L.target_type);
    free(L.hash);
    for (size_t k = 0; k < L.nlabels; k++) free(L.labels[k]);
    free(L.labels);
    if (!ok) {
        model_free(m);
        return NULL;
    }
    return m;
}
