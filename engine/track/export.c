/* export.c — the store written out as an MLflow file store (see export.h and
 * ../shared/design/mlflow-export.md for the layout).
 *
 * Everything is written into a fresh folder beside the target and renamed
 * into place at the end, so an export that fails half way (a full disk, an
 * unreadable artifact) leaves no half layout for MLflow to misread, and
 * re-exporting replaces an earlier export whole. The YAML is written by hand
 * the way PyYAML's safe_dump writes it (block style, keys sorted, a string
 * quoted only when it would read back as something else), since MLflow
 * parses it with PyYAML; the metric files hold every point, as MLflow's do.
 * File URIs (artifact_location, artifact_uri, model sources) name the final
 * folder, percent-encoded as Python's pathlib does. */
#include "track/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct exp_row {
    int64_t id;
    char *name;
    int64_t created_ms, updated_ms;
} exp_row;

typedef struct ex {
    store *s;
    char *root;  /* the folder written into (beside the target) */
    char *final; /* the target's absolute path, for URIs */
    exp_row *exps;
    size_t nexp;
    store_export_stats st;
    store_export_warn_fn warn;
    void *warn_ctx;
    lab_err *e;
} ex;

/* ---- files ------------------------------------------------------------------ */

/* Make the folders above path. */
static int make_parent(const char *path, lab_err *e) {
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    char *dir = xstrndup(path, (size_t)(slash - path));
    int rc = lab_make_dirs(dir, e);
    free(dir);
    return rc;
}

static int write_file(const char *path, const char *data, size_t len, lab_err *e) {
    if (make_parent(path, e) != 0) return -1;
    FILE *f = fopen(path, "wb");
    if (!f) return lab_fail(e, "%s: %s", path, strerror(errno));
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) return lab_fail(e, "%s: %s", path, strerror(errno));
    return 0;
}

static int copy_file(const char *src, const char *dst, lab_err *e) {
    if (make_parent(dst, e) != 0) return -1;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return lab_fail(e, "%s: %s", src, strerror(errno));
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        int err = errno;
        close(in);
        return lab_fail(e, "%s: %s", dst, strerror(err));
    }
    char buf[1 << 16];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = lab_fail(e, "%s: %s", src, strerror(errno));
            break;
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                rc = lab_fail(e, "%s: %s", dst, strerror(errno));
                goto done;
            }
            off += w;
        }
    }
done:
    close(in);
    if (close(out) != 0 && rc == 0) rc = lab_fail(e, "%s: %s", dst, strerror(errno));
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* rm -rf path (symbolic links are removed, never followed). */
static void rm_rf(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static char *path_join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* A key (param, metric, tag) becomes a file path under a run folder; a "/"
 * in it makes sub-folders, as in MLflow. Why key cannot be one (it would
 * leave the folder or name no file), or NULL. The store refuses such keys
 * (store.c's check_key); an older store may hold them. */
static const char *key_problem(const char *key) {
    if (!*key) return "it is empty";
    if (*key == '/' || key[strlen(key) - 1] == '/') return "it starts or ends with '/'";
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0) return "it has an empty part ('//')";
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return "it has a '.' or '..' part";
        p += n;
        if (*p) p++;
    }
    return NULL;
}

/* Why folder/key cannot be written because another key took the name as
 * the other kind ("a" a file and "a/b" wanting it a folder, or the other
 * way round), into why (cap bytes); NULL when it can. */
static const char *key_clash(const char *folder, const char *key, char *why, size_t cap) {
    struct stat st;
    size_t flen = strlen(folder);
    char *path = xmalloc(flen + strlen(key) + 2);
    memcpy(path, folder, flen);
    path[flen] = '/';
    strcpy(path + flen + 1, key);
    const char *out = NULL;
    for (char *p = path + flen + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        int file = lstat(path, &st) == 0 && !S_ISDIR(st.st_mode);
        *p = '/';
        if (file) {
            snprintf(why, cap, "key '%.*s' is a file there", (int)(p - (path + flen + 1)), key);
            out = why;
            break;
        }
    }
    if (!out && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, cap, "keys under '%.200s/' make it a folder there", key);
        out = why;
    }
    free(path);
    return out;
}

/* 1 when the key cannot be written into folder: counted, reported to the
 * warn hook, and left out; 0 when it can. */
static int skip_key(ex *x, const char *folder, const char *what, const char *run, const char *key) {
    char clash[300];
    const char *why = key_problem(key);
    if (!why) why = key_clash(folder, key, clash, sizeof clash);
    if (!why) return 0;
    x->st.skipped++;
    if (x->warn) {
        char msg[640];
        snprintf(msg, sizeof msg, "run %.8s: %s key '%.200s' skipped: %s (not a file name in the MLflow layout)", run,
                 what, key, why);
        x->warn(x->warn_ctx, msg);
    }
    return 1;
}

/* ---- YAML as PyYAML's safe_dump writes it ------------------------------------ */

/* PyYAML's implicit resolvers (YAML 1.1): a plain scalar matching one of
 * these reads back as a bool, int, float, null, timestamp... not a string. */
static const char *const implicit_res[] = {
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?"
    "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
    "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
    "^(<<|=|~|null|Null|NULL)$",
    "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
    "([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
};

static int resolves_implicitly(const char *s) {
    static regex_t re[sizeof implicit_res / sizeof implicit_res[0]];
    static int compiled = 0;
    if (!compiled) {
        for (size_t k = 0; k < sizeof re / sizeof re[0]; k++)
            regcomp(&re[k], implicit_res[k], REG_EXTENDED | REG_NOSUB);
        compiled = 1;
    }
    for (size_t k = 0; k < sizeof re / sizeof re[0]; k++)
        if (regexec(&re[k], s, 0, NULL, 0) == 0) return 1;
    return 0;
}

/* 1 when s is valid UTF-8 without control characters (C0, DEL, C1). */
static int printable_utf8(const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        if (c < 0x20 || c == 0x7f) return 0;
        if (c < 0x80) {
            s++;
            continue;
        }
        int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        if (n == 0) return 0;
        for (int k = 1; k < n; k++)
            if ((s[k] & 0xC0) != 0x80) return 0;
        if (n == 2 && c == 0xC2 && s[1] < 0xA0) return 0; /* C1 controls */
        if (n == 3 && c == 0xE0 && s[1] < 0xA0) return 0;
        if (n == 3 && c == 0xED && s[1] > 0x9F) return 0;
        if (n == 4 && c == 0xF0 && s[1] < 0x90) return 0;
        if (n == 4 && c == 0xF4 && s[1] > 0x8F) return 0;
        s += n;
    }
    return 1;
}

/* A plain scalar reads back as exactly this string. */
static int plain_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':') return 0;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0])) return 0;
    if (strstr(s, ": ") || strstr(s, " #")) return 0;
    if (!printable_utf8(s)) return 0;
    return !resolves_implicitly(s);
}

/* Append s as a YAML scalar: plain when it can be, else single-quoted, else
 * (control characters, bad UTF-8) double-quoted with escapes. */
static void yaml_str(strbuf *b, const char *s) {
    if (!s) {
        strbuf_adds(b, "null");
        return;
    }
    if (plain_ok(s)) {
        strbuf_adds(b, s);
        return;
    }
    if (printable_utf8(s)) {
        strbuf_add(b, "'", 1);
        for (const char *p = s; *p; p++) {
            if (*p == '\'') strbuf_add(b, "'", 1);
            strbuf_add(b, p, 1);
        }
        strbuf_add(b, "'", 1);
        return;
    }
    strbuf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': strbuf_adds(b, "\\\""); break;
        case '\\': strbuf_adds(b, "\\\\"); break;
        case '\n': strbuf_adds(b, "\\n"); break;
        case '\t': strbuf_adds(b, "\\t"); break;
        case '\r': strbuf_adds(b, "\\r"); break;
        default:
            if (*p < 0x20 || *p == 0x7f || *p >= 0x80) {
                /* bytes of valid UTF-8 sequences pass through; stray ones become \xNN */
                const unsigned char *q = p;
                int n = *q >= 0xF0 && *q <= 0xF4 ? 4 : *q >= 0xE0 && *q <= 0xEF ? 3 : *q >= 0xC2 && *q <= 0xDF ? 2 : 0;
                int ok = n > 0;
                for (int k = 1; ok && k < n; k++) ok = (q[k] & 0xC0) == 0x80;
                if (ok) {
                    strbuf_add(b, (const char *)p, (size_t)n);
                    p += n - 1;
                } else {
                    snprintf(esc, sizeof esc, "\\x%02x", *p);
                    strbuf_adds(b, esc);
                }
            } else {
                strbuf_add(b, (const char *)p, 1);
            }
        }
    }
    strbuf_add(b, "\"", 1);
}

static void yaml_key_str(strbuf *b, const char *key, const char *v) {
    strbuf_adds(b, key);
    strbuf_adds(b, ": ");
    yaml_str(b, v);
    strbuf_add(b, "\n", 1);
}

static void yaml_key_int(strbuf *b, const char *key, int64_t v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s: %lld\n", key, (long long)v);
    strbuf_adds(b, buf);
}

static void yaml_key_raw(strbuf *b, const char *key, const char *raw) {
    strbuf_adds(b, key);
    strbuf_adds(b, ": ");
    strbuf_adds(b, raw);
    strbuf_add(b, "\n", 1);
}

/* file:// URI of an absolute path, percent-encoded as pathlib.as_uri does
 * (letters, digits, "_.-~/" kept). */
static void file_uri(strbuf *b, const char *path) {
    strbuf_adds(b, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("_.-~/", *p)) {
            strbuf_add(b, (const char *)p, 1);
        } else {
            char esc[4];
            snprintf(esc, sizeof esc, "%%%02X", *p);
            strbuf_add(b, esc, 3);
        }
    }
}

/* ---- experiments ---------------------------------------------------------------- */

static void free_exps(exp_row *x, size_t n) {
    for (size_t i = 0; i < n; i++) free(x[i].name);
    free(x);
}

/* The experiments with their ids and creation times (the store's own). */
static int load_experiments(ex *x) {
    sqlite3 *db = store_db(x->s);
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT id, name, created_ms FROM experiments ORDER BY id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return lab_fail(x->e, "store %s: cannot read experiments: %s", store_path(x->s), sqlite3_errmsg(db));
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (x->nexp == cap) {
            cap = cap ? 2 * cap : 8;
            x->exps = xrealloc(x->exps, cap * sizeof *x->exps);
        }
        exp_row *r = &x->exps[x->nexp++];
        r->id = sqlite3_column_int64(st, 0);
        r->name = xstrdup((const char *)sqlite3_column_text(st, 1));
        r->created_ms = sqlite3_column_int64(st, 2);
        r->updated_ms = r->created_ms;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return lab_fail(x->e, "store %s: cannot read experiments: %s", store_path(x->s), sqlite3_errmsg(db));
    return 0;
}

static exp_row *find_exp(ex *x, const char *name) {
    for (size_t i = 0; i < x->nexp; i++)
        if (strcmp(x->exps[i].name, name) == 0) return &x->exps[i];
    return NULL;
}

static int write_experiment(ex *x, const exp_row *r) {
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    strbuf b = {0}, loc = {0};
    char *dir = path_join(x->root, id), *fdir = path_join(x->final, id), *meta = path_join(dir, "meta.yaml");
    file_uri(&loc, fdir);
    yaml_key_str(&b, "artifact_location", loc.s);
    yaml_key_int(&b, "creation_time", r->created_ms);
    /* the id is a string of digits, so PyYAML quotes it */
    strbuf_adds(&b, "experiment_id: '");
    strbuf_adds(&b, id);
    strbuf_adds(&b, "'\n");
    yaml_key_int(&b, "last_update_time", r->updated_ms);
    yaml_key_raw(&b, "lifecycle_stage", "active");
    yaml_key_str(&b, "name", r->name);
    int rc = lab_make_dirs(dir, x->e) == 0 && write_file(meta, b.s, b.n, x->e) == 0 ? 0 : -1;
    free(b.s);
    free(loc.s);
    free(dir);
    free(fdir);
    free(meta);
    return rc;
}

/* ---- runs ------------------------------------------------------------------------ */

/* MLflow's RunStatus numbers. */
static int mlflow_status(run_status st) {
    switch (st) {
    case RUN_RUNNING: return 1;
    case RUN_FINISHED: return 3;
    case RUN_FAILED: return 4;
    case RUN_KILLED: return 5;
    }
    return 3;
}

/* Write value into folder/key (a file; "/" in key makes folders). */
static int write_kv(ex *x, const char *folder, const char *what, const char *run, const char *key, const char *value) {
    if (skip_key(x, folder, what, run, key)) return 0;
    char *path = path_join(folder, key);
    int rc = write_file(path, value ? value : "", value ? strlen(value) : 0, x->e);
    free(path);
    return rc;
}

static int write_metric(ex *x, const char *folder, const store_run *r, const char *key) {
    if (skip_key(x, folder, "metric", r->id, key)) return 0;
    int64_t *steps = NULL, *ts = NULL;
    double *values = NULL;
    long n = store_metric_history(x->s, r->id, key, &steps, &values, &ts, x->e);
    if (n < 0) return -1;
    strbuf b = {0};
    char line[96], num[32];
    for (long i = 0; i < n; i++) {
        lab_fmt_double(num, values[i]);
        int len = snprintf(line, sizeof line, "%lld %s %lld\n", (long long)ts[i], num, (long long)steps[i]);
        strbuf_add(&b, line, (size_t)len);
    }
    char *path = path_join(folder, key);
    int rc = write_file(path, b.s ? b.s : "", b.n, x->e);
    if (rc == 0) x->st.points += (size_t)n;
    free(path);
    free(b.s);
    free(steps);
    free(values);
    free(ts);
    return rc;
}

static int has_artifact(const store_run *r, const char *name) {
    for (size_t k = 0; k < r->nartifacts; k++)
        if (strcmp(r->artifacts[k].name, name) == 0) return 1;
    return 0;
}

static int write_run(ex *x, const store_run *r, const exp_row *xr) {
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)xr->id);
    int rc = -1;
    strbuf b = {0}, uri = {0}, rel = {0};
    strbuf_adds(&rel, id);
    strbuf_adds(&rel, "/");
    strbuf_adds(&rel, r->id);
    char *dir = path_join(x->root, rel.s), *fdir = path_join(x->final, rel.s);
    char *meta = path_join(dir, "meta.yaml"), *params = path_join(dir, "params"), *metrics = path_join(dir, "metrics"),
         *tags = path_join(dir, "tags"), *arts = path_join(dir, "artifacts"), *farts = path_join(fdir, "artifacts");
    if (lab_make_dirs(params, x->e) || lab_make_dirs(metrics, x->e) || lab_make_dirs(tags, x->e) || lab_make_dirs(arts, x->e))
        goto done;

    file_uri(&uri, farts);
    yaml_key_str(&b, "artifact_uri", uri.s);
    if (r->end_ms > 0)
        yaml_key_int(&b, "end_time", r->end_ms);
    else
        yaml_key_raw(&b, "end_time", "null");
    yaml_key_raw(&b, "entry_point_name", "''");
    strbuf_adds(&b, "experiment_id: '");
    strbuf_adds(&b, id);
    strbuf_adds(&b, "'\n");
    yaml_key_raw(&b, "lifecycle_stage", "active");
    yaml_key_str(&b, "run_id", r->id);
    yaml_key_str(&b, "run_name", r->name ? r->name : "");
    yaml_key_str(&b, "run_uuid", r->id);
    yaml_key_raw(&b, "source_name", "''");
    yaml_key_int(&b, "source_type", 4);
    yaml_key_raw(&b, "source_version", "''");
    yaml_key_int(&b, "start_time", r->start_ms);
    yaml_key_int(&b, "status", mlflow_status(r->status));
    yaml_key_raw(&b, "tags", "[]");
    yaml_key_str(&b, "user_id", r->user && *r->user ? r->user : "unknown");
    if (write_file(meta, b.s, b.n, x->e) != 0) goto done;

    for (size_t k = 0; k < r->nparams; k++)
        if (write_kv(x, params, "param", r->id, r->param_keys[k], r->param_values[k]) != 0) goto done;
    for (size_t k = 0; k < r->nmetrics; k++)
        if (write_metric(x, metrics, r, r->metrics[k].key) != 0) goto done;

    /* MLflow's system tags first; the run's own tags may override them */
    const char *sys[][2] = {
        {"mlflow.runName", r->name},
        {"mlflow.user", r->user},
        {"mlflow.source.name", r->source},
        {"mlflow.source.type", "LOCAL"},
        {"mlflow.note.content", r->note && *r->note ? r->note : NULL},
        {"mlflow.parentRunId", r->reproduces},
        {"mlflow.source.git.commit", r->git_commit},
        {"lab.session", r->session},
        {"lab.host", r->host},
        {"lab.version", r->lab_version},
        {"lab.git_dirty", r->git_dirty < 0 ? NULL
                          : r->git_dirty   ? "true"
                                           : "false"},
        {"lab.notebook_sha256", r->notebook_sha256},
    };
    for (size_t k = 0; k < sizeof sys / sizeof sys[0]; k++)
        if (sys[k][1] && write_kv(x, tags, "tag", r->id, sys[k][0], sys[k][1]) != 0) goto done;
    for (size_t k = 0; k < r->ntags; k++)
        if (write_kv(x, tags, "tag", r->id, r->tag_keys[k], r->tag_values[k]) != 0) goto done;

    for (size_t k = 0; k < r->nartifacts; k++) {
        char *src = store_artifact_path(x->s, r->id, r->artifacts[k].name, x->e);
        if (!src) goto done;
        char *dst = path_join(arts, r->artifacts[k].name);
        int crc = copy_file(src, dst, x->e);
        free(src);
        free(dst);
        if (crc != 0) goto done;
        x->st.artifacts++;
    }
    /* the notebook, which MLflow has no place for, as an artifact */
    if (r->notebook && *r->notebook && !has_artifact(r, "notebook.lua")) {
        char *dst = path_join(arts, "notebook.lua");
        int wrc = write_file(dst, r->notebook, strlen(r->notebook), x->e);
        free(dst);
        if (wrc != 0) goto done;
    }
    x->st.runs++;
    rc = 0;
done:
    free(b.s);
    free(uri.s);
    free(rel.s);
    free(dir);
    free(fdir);
    free(meta);
    free(params);
    free(metrics);
    free(tags);
    free(arts);
    free(farts);
    return rc;
}

/* ---- the registry -------------------------------------------------------------------- */

/* The URI a model version's source gets: the source run's artifact with the
 * registered file's hash when the run was exported with it, else a copy of
 * the registered file in the version's folder. */
static char *version_source(ex *x, const store_model *m, const store_model_version *v, const char *vdir) {
    strbuf uri = {0};
    lab_err ignore;
    store_run *r = v->run[0] ? store_run_get(x->s, v->run, &ignore) : NULL;
    if (r && v->sha256) {
        const exp_row *xr = find_exp(x, r->experiment);
        for (size_t k = 0; xr && k < r->nartifacts; k++) {
            if (!r->artifacts[k].sha256 || strcmp(r->artifacts[k].sha256, v->sha256) != 0) continue;
            char rel[400];
            snprintf(rel, sizeof rel, "%lld/%s/artifacts/%s", (long long)xr->id, r->id, r->artifacts[k].name);
            char *p = path_join(x->final, rel);
            file_uri(&uri, p);
            free(p);
            break;
        }
    }
    if (r) store_runs_free(r, 1);
    if (uri.s) return uri.s;
    /* not among the exported artifacts: carry the file itself */
    char name[64];
    snprintf(name, sizeof name, "%d.labm", v->version);
    char *dst = path_join(vdir, name);
    int rc =
        v->path ? copy_file(v->path, dst, x->e) : lab_fail(x->e, "model %s version %d: no file", m->name, v->version);
    free(dst);
    if (rc != 0) return NULL;
    char rel[600];
    snprintf(rel, sizeof rel, "models/%s/version-%d/%s", m->name, v->version, name);
    char *p = path_join(x->final, rel);
    file_uri(&uri, p);
    free(p);
    return uri.s;
}

static int write_model(ex *x, const store_model *m) {
    if (!*m->name || strcmp(m->name, ".") == 0 || strcmp(m->name, "..") == 0 || strchr(m->name, '/'))
        return lab_fail(x->e, "model '%s': the name cannot be a folder in the MLflow layout", m->name);
    int rc = -1;
    char *mdir = path_join(x->root, "models"), *dir = path_join(mdir, m->name);
    strbuf b = {0};
    int64_t updated = m->created_ms;
    if (lab_make_dirs(dir, x->e) != 0) goto done;
    for (size_t k = 0; k < m->nversions; k++) {
        const store_model_version *v = &m->versions[k];
        if (v->created_ms > updated) updated = v->created_ms;
        char vname[32];
        snprintf(vname, sizeof vname, "version-%d", v->version);
        char *vdir = path_join(dir, vname), *vmeta = path_join(vdir, "meta.yaml"), *vtags = path_join(vdir, "tags");
        char *src = NULL;
        int vrc = -1;
        if (lab_make_dirs(vdir, x->e) != 0) goto vdone;
        src = version_source(x, m, v, vdir);
        if (!src) goto vdone;
        b.n = 0;
        if (v->naliases == 0) {
            yaml_key_raw(&b, "aliases", "[]");
        } else {
            strbuf_adds(&b, "aliases:\n");
            for (size_t a = 0; a < v->naliases; a++) {
                strbuf_adds(&b, "- ");
                yaml_str(&b, v->aliases[a]);
                strbuf_add(&b, "\n", 1);
            }
        }
        yaml_key_int(&b, "creation_timestamp", v->created_ms);
        yaml_key_raw(&b, "current_stage", "None");
        yaml_key_raw(&b, "description", "null");
        yaml_key_int(&b, "last_updated_timestamp", v->created_ms);
        yaml_key_str(&b, "name", m->name);
        yaml_key_str(&b, "run_id", v->run[0] ? v->run : NULL);
        yaml_key_raw(&b, "run_link", "null");
        yaml_key_str(&b, "source", src);
        yaml_key_raw(&b, "status", "READY");
        yaml_key_raw(&b, "status_message", "null");
        yaml_key_str(&b, "storage_location", src);
        yaml_key_raw(&b, "user_id", "null");
        yaml_key_int(&b, "version", v->version);
        if (write_file(vmeta, b.s, b.n, x->e) != 0) goto vdone;
        if ((v->kind && write_kv(x, vtags, "tag", v->run, "lab.kind", v->kind) != 0) ||
            (v->sha256 && write_kv(x, vtags, "tag", v->run, "lab.sha256", v->sha256) != 0) ||
            (v->schema && *v->schema && write_kv(x, vtags, "tag", v->run, "lab.schema", v->schema) != 0))
            goto vdone;
        for (size_t a = 0; a < v->naliases; a++) {
            char num[16];
            snprintf(num, sizeof num, "%d", v->version);
            char *adir = path_join(dir, "aliases"), *apath = path_join(adir, v->aliases[a]);
            int arc = write_file(apath, num, strlen(num), x->e);
            free(adir);
            free(apath);
            if (arc != 0) goto vdone;
        }
        x->st.versions++;
        vrc = 0;
    vdone:
        free(src);
        free(vdir);
        free(vmeta);
        free(vtags);
        if (vrc != 0) goto done;
    }
    /* the model's meta.yaml, as MLflow leaves it after aliases were set:
     * aliases as alias -> version (a string, as read back from the files) */
    b.n = 0;
    size_t nal = 0;
    for (size_t k = 0; k < m->nversions; k++) nal += m->versions[k].naliases;
    if (nal == 0) {
        yaml_key_raw(&b, "aliases", "{}");
    } else {
        strbuf_adds(&b, "aliases:\n");
        /* sorted by alias, as safe_dump sorts mapping keys */
        const char **names = xmalloc(nal * sizeof *names);
        int *vers = xmalloc(nal * sizeof *vers);
        size_t u = 0;
        for (size_t k = 0; k < m->nversions; k++)
            for (size_t a = 0; a < m->versions[k].naliases; a++) {
                size_t j = u++;
                while (j > 0 && strcmp(names[j - 1], m->versions[k].aliases[a]) > 0) {
                    names[j] = names[j - 1];
                    vers[j] = vers[j - 1];
                    j--;
                }
                names[j] = m->versions[k].aliases[a];
                vers[j] = m->versions[k].version;
            }
        for (size_t j = 0; j < u; j++) {
            char num[32];
            snprintf(num, sizeof num, ": '%d'\n", vers[j]);
            strbuf_adds(&b, "  ");
            yaml_str(&b, names[j]);
            strbuf_adds(&b, num);
        }
        free(names);
        free(vers);
    }
    yaml_key_int(&b, "creation_timestamp", m->created_ms);
    yaml_key_raw(&b, "description", "null");
    yaml_key_int(&b, "last_updated_timestamp", updated);
    yaml_key_str(&b, "name", m->name);
    char *meta = path_join(dir, "meta.yaml");
    int wrc = write_file(meta, b.s, b.n, x->e);
    free(meta);
    if (wrc != 0) goto done;
    x->st.models++;
    rc = 0;
done:
    free(b.s);
    free(mdir);
    free(dir);
    return rc;
}

/* ---- the target folder ------------------------------------------------------------ */

/* 0: dir is missing or empty; 1: an earlier export; -1 with e: refused. */
static int target_state(const char *dir, lab_err *e) {
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT) return 0;
        return lab_fail(e, "%s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) return lab_fail(e, "%s: exists and is not a folder", dir);
    DIR *d = opendir(dir);
    if (!d) return lab_fail(e, "%s: %s", dir, strerror(errno));
    int empty = 1;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) empty = 0;
    closedir(d);
    if (empty) return 0;
    char *marker = path_join(dir, STORE_EXPORT_MARKER);
    int earlier = lstat(marker, &st) == 0 && S_ISREG(st.st_mode);
    free(marker);
    if (earlier) return 1;
    return lab_fail(e, "%s: not empty and not an earlier lab export (no %s in it); choose a new or empty folder", dir,
                    STORE_EXPORT_MARKER);
}

/* The absolute path dir will have (its parent must exist). */
static char *absolute_target(const char *dir, lab_err *e) {
    char *d = xstrdup(dir);
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/') d[--n] = '\0';
    char *slash = strrchr(d, '/');
    const char *base = slash ? slash + 1 : d;
    char *parent = slash ? (slash == d ? xstrdup("/") : xstrndup(d, (size_t)(slash - d))) : xstrdup(".");
    char *out = NULL;
    char buf[PATH_MAX];
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        /* "." or "x/..": resolve the folder itself */
        if (realpath(d, buf))
            out = xstrdup(buf);
        else
            lab_fail(e, "%s: %s", dir, strerror(errno));
    } else if (!realpath(parent, buf)) {
        lab_fail(e, "%s: %s", parent, strerror(errno));
    } else {
        out = path_join(strcmp(buf, "/") == 0 ? "" : buf, base);
    }
    free(parent);
    free(d);
    if (out && strcmp(out, "/") == 0) {
        free(out);
        out = NULL;
        lab_fail(e, "/: refusing to export into the root folder");
    }
    return out;
}

/* -1 with e when dir (absolute: final) is the current folder or holds it:
 * renaming the export into place would pull the folder away from under the
 * shell that ran it. */
static int around_cwd(const char *dir, const char *final, lab_err *e) {
    char cwd[PATH_MAX], real[PATH_MAX];
    if (!realpath(".", cwd) || !realpath(final, real)) return 0; /* a new folder holds nothing */
    size_t n = strlen(real);
    if (strcmp(real, cwd) == 0)
        return lab_fail(e, "%s: is the current folder; export into a new folder (such as %s%smlruns)", dir, dir,
                        dir[strlen(dir) - 1] == '/' ? "" : "/");
    if (strncmp(cwd, real, n) == 0 && (cwd[n] == '/' || strcmp(real, "/") == 0))
        return lab_fail(e, "%s: contains the current folder (%s); export into a new folder", dir, cwd);
    return 0;
}

int store_export_mlflow(store *s, const char *dir, store_export_warn_fn warn, void *ctx, store_export_stats *stats,
                        lab_err *e) {
    ex x = {.s = s, .e = e, .warn = warn, .warn_ctx = ctx};
    store_run *list = NULL;
    size_t nlist = 0;
    store_model *models = NULL;
    size_t nmodels = 0;
    int rc = -1, written = 0;
    char *old = NULL;
    x.final = absolute_target(dir, e);
    if (!x.final) return -1;
    if (around_cwd(dir, x.final, e) != 0) goto done;
    int state = target_state(x.final, e);
    if (state < 0) goto done;
    {
        size_t n = strlen(x.final) + 48;
        x.root = xmalloc(n);
        snprintf(x.root, n, "%s.lab-export-tmp-%ld", x.final, (long)getpid());
        rm_rf(x.root);
        if (mkdir(x.root, 0777) != 0) {
            lab_fail(e, "%s: cannot create folder: %s", x.root, strerror(errno));
            goto done;
        }
        written = 1;
    }
    if (load_experiments(&x) != 0) goto done;

    store_run_filter f = {0};
    f.status = -1;
    e->msg[0] = '\0';
    list = store_runs_list(s, &f, &nlist, e);
    if (!list && e->msg[0]) goto done;
    for (size_t i = 0; i < nlist; i++) {
        store_run *r = store_run_get(s, list[i].id, e);
        if (!r) goto done;
        exp_row *xr = find_exp(&x, r->experiment);
        int wrc;
        if (!xr)
            wrc = lab_fail(e, "run %.8s: its experiment '%s' is not in the store", r->id, r->experiment);
        else
            wrc = write_run(&x, r, xr);
        if (wrc == 0) {
            int64_t t = r->end_ms > r->start_ms ? r->end_ms : r->start_ms;
            if (t > xr->updated_ms) xr->updated_ms = t;
            if (xr->created_ms <= 0 || (r->start_ms > 0 && r->start_ms < xr->created_ms)) xr->created_ms = r->start_ms;
        }
        store_runs_free(r, 1);
        if (wrc != 0) goto done;
    }
    for (size_t i = 0; i < x.nexp; i++)
        if (write_experiment(&x, &x.exps[i]) != 0) goto done;
    x.st.experiments = x.nexp;

    char *models_dir = path_join(x.root, "models"), *trash = path_join(x.root, ".trash");
    int mrc = lab_make_dirs(models_dir, e) == 0 && lab_make_dirs(trash, e) == 0 ? 0 : -1;
    free(models_dir);
    free(trash);
    if (mrc != 0) goto done;
    e->msg[0] = '\0';
    models = store_models_list(s, NULL, &nmodels, e);
    if (!models && e->msg[0]) goto done;
    for (size_t i = 0; i < nmodels; i++)
        if (write_model(&x, &models[i]) != 0) goto done;

    {
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        strbuf m = {0};
        strbuf_adds(&m, "An MLflow file store written by lab " LAB_VERSION " from ");
        strbuf_adds(&m, store_path(s));
        strbuf_adds(&m, " at ");
        strbuf_adds(&m, when);
        strbuf_adds(&m, ".\nlab runs export --mlflow replaces this folder as a whole.\n");
        char *marker = path_join(x.root, STORE_EXPORT_MARKER);
        int wrc = write_file(marker, m.s, m.n, e);
        free(marker);
        free(m.s);
        if (wrc != 0) goto done;
    }

    /* into place: an empty target is replaced by rename; an earlier export
     * is moved aside first and removed once the new one is in place */
    if (state == 1) {
        size_t n = strlen(x.final) + 48;
        old = xmalloc(n);
        snprintf(old, n, "%s.lab-export-old-%ld", x.final, (long)getpid());
        rm_rf(old);
        if (rename(x.final, old) != 0) {
            lab_fail(e, "%s: cannot move the earlier export aside: %s", x.final, strerror(errno));
            goto done;
        }
    }
    if (rename(x.root, x.final) != 0) {
        lab_fail(e, "%s: %s", x.final, strerror(errno));
        if (old) rename(old, x.final);
        goto done;
    }
    written = 0;
    if (old) rm_rf(old);
    if (stats) *stats = x.st;
    rc = 0;
done:
    if (written) rm_rf(x.root);
    if (list) store_runs_free(list, nlist);
    if (models) store_models_free(models, nmodels);
    free_exps(x.exps, x.nexp);
    free(x.root);
    free(x.final);
    free(old);
    return rc;
}
