/* lua_track.c — tracking from Lua: the state's tracker (store, current
 * experiment, open run), the lab.* tracking functions, and the automatic
 * records other bindings report (fits, data sets, plot files).
 *
 * One run at a time per state. It opens lazily — on the first param, metric,
 * artifact, fit or (when the host turned tracking on) data read — so a session
 * that only looks at data leaves no empty run behind, and ends when the host
 * says how the session or notebook ended. A run whose process died stays
 * "running" in the file; the store reads it as killed.
 *
 * Autolog names what a fit reports "<kind>.<key>" ("logistic.C",
 * "logistic.loss"). Params are immutable, so a later fit of the same kind
 * with other hyper-parameters records under "<kind>_2", "<kind>_3" ...: the
 * first prefix whose recorded params all agree with this fit. A refit with the
 * same hyper-parameters records under the same prefix (its metrics add
 * points). The fitted model is saved as the run's artifact
 * "models/<prefix>.labm" when the fit returns — a snapshot, so a model object
 * fitted again later does not change what an earlier fit recorded.
 *
 * Recording never breaks the user's work: a store failure during an automatic
 * record is one warning on stderr per state, and the work goes on. Explicit
 * calls (lab.log ...) raise. */
#include "lua_track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "learn/hash.h"
#include "learn/model.h"
#include "lua_journal.h"
#include "track/journal.h"

#define LAB_TRACKER "lab.Tracker"
#define LAB_TRACKER_KEY "lab.tracker"

typedef struct tracker {
    store *s;
    char *dir;        /* NULL: journal_store_dir() */
    char *experiment; /* NULL: "Default" */
    char run[33];     /* the open run, "" when none */
    int autolog;      /* the host turned tracking on */
    int off;          /* the host turned it off (lab run --no-track): records are dropped */
    int host_run;     /* the open run is the host's notebook run (lab.experiment moves it) */
    int notebook_run; /* the host is lab run: its run is the notebook */
    int opened_any;   /* this state opened a run (lab run leaves one behind only if not) */
    int reproducing;  /* lab reproduce: promote, register and alias change nothing */
    int warned, warned_off, warned_replay;
    int in_artifact; /* lab.artifact is writing a plot: not a plot file of the user's */
    /* the origin of the next run the host opens */
    char *name, *source, *session, *notebook, *reproduces;
    char **params; /* "key=value" */
    int nparams;
    char *args; /* lab run's arguments, one per line */
    /* the data read so far, attached to every run this state opens */
    struct tdataset { char *path, *sha, *schema, *query; int64_t rows, cols; } *data;
    size_t ndata;
} tracker;

struct track_fit {
    lua_State *L;
    tracker *t;
    char kind[64];
    char prefix[80]; /* "" until resolved */
    char **keys, **values;
    int n;
    int failed; /* a store error: stop recording this fit */
};

/* ---- the tracker ------------------------------------------------------------------- */

static void free_origin(tracker *t) {
    free(t->name);
    free(t->source);
    free(t->session);
    free(t->notebook);
    free(t->reproduces);
    t->name = t->source = t->session = t->notebook = t->reproduces = NULL;
    for (int i = 0; i < t->nparams; i++) free(t->params[i]);
    free(t->params);
    t->params = NULL;
    t->nparams = 0;
    free(t->args);
    t->args = NULL;
}

static int tracker_gc(lua_State *L) {
    tracker *t = luaL_checkudata(L, 1, LAB_TRACKER);
    /* an open run stays "running": its process is gone, so it reads as killed */
    store_close(t->s);
    t->s = NULL;
    free(t->dir);
    free(t->experiment);
    t->dir = t->experiment = NULL;
    free_origin(t);
    for (size_t i = 0; i < t->ndata; i++) {
        free(t->data[i].path);
        free(t->data[i].sha);
        free(t->data[i].schema);
        free(t->data[i].query);
    }
    free(t->data);
    t->data = NULL;
    t->ndata = 0;
    return 0;
}

static tracker *get_tracker(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, LAB_TRACKER_KEY);
    tracker *t = luaL_testudata(L, -1, LAB_TRACKER);
    lua_pop(L, 1);
    if (t) return t;
    t = lua_newuserdatauv(L, sizeof *t, 0);
    memset(t, 0, sizeof *t);
    if (luaL_newmetatable(L, LAB_TRACKER)) {
        lua_pushcfunction(L, tracker_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_TRACKER_KEY);
    return t;
}

static char *dupnull(const char *s) { return s ? xstrdup(s) : NULL; }

static store *open_store(tracker *t, lab_err *e) {
    if (!t->s) t->s = store_open(t->dir, e);
    return t->s;
}

static void warn_once(tracker *t, const lab_err *e) {
    if (t->warned) return;
    t->warned = 1;
    fprintf(stderr, "lab: tracking: %s (this session goes on without recording it)\n", e->msg);
}

static int attach_dataset(tracker *t, const struct tdataset *d, lab_err *e) {
    store_dataset sd = {d->path, d->sha, d->rows, d->cols, d->schema, d->query};
    return store_add_dataset(t->s, t->run, &sd, e);
}

/* The open run, opened now when there is none. Returns its id or NULL. */
static const char *ensure_run(tracker *t, lab_err *e) {
    if (t->run[0]) return t->run;
    if (!open_store(t, e)) return NULL;
    int64_t exp = store_experiment(t->s, t->experiment ? t->experiment : "Default", e);
    if (exp < 0) return NULL;
    run_origin o = {t->name, t->source, t->session, t->notebook, t->reproduces};
    if (store_run_start(t->s, exp, &o, t->run, e) != 0) {
        t->run[0] = '\0';
        return NULL;
    }
    t->host_run = t->notebook_run;
    t->opened_any = 1;
    /* where it ran: lab reproduce runs there again, so relative paths mean the same */
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) && store_set_tag(t->s, t->run, "lab.cwd", cwd, e) != 0) return NULL;
    if (t->args && store_set_tag(t->s, t->run, "lab.cli_args", t->args, e) != 0) return NULL;
    for (int i = 0; i < t->nparams; i++) {
        const char *eq = strchr(t->params[i], '=');
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - t->params[i]), t->params[i]);
        if (store_log_param(t->s, t->run, key, eq + 1, e) != 0) return NULL;
    }
    if (t->nparams) {
        strbuf b = {0};
        for (int i = 0; i < t->nparams; i++) {
            strbuf_adds(&b, t->params[i]);
            strbuf_adds(&b, "\n");
        }
        int rc = store_set_tag(t->s, t->run, "lab.cli_params", b.s, e);
        free(b.s);
        if (rc != 0) return NULL;
    }
    for (size_t i = 0; i < t->ndata; i++)
        if (attach_dataset(t, &t->data[i], e) != 0) return NULL;
    return t->run;
}

/* os.exit ends the process without closing the state: the wrapper ends the
 * run first (finished for a success code, failed otherwise; a session's
 * journal is closed as a quit), so its last step and its status are kept. */
static int exit_hook(lua_State *L) {
    int ok = lua_isnoneornil(L, 1) || (lua_isboolean(L, 1) ? lua_toboolean(L, 1) : lua_tointeger(L, 1) == 0);
    lab_err e;
    if (lab_journal_of(L)) lab_journal_stop(L, 1);
    if (lab_track_finish(L, ok ? RUN_FINISHED : RUN_FAILED, 1, NULL, &e) != 0) fprintf(stderr, "lab: %s\n", e.msg);
    tracker *t = get_tracker(L);
    store_close(t->s);
    t->s = NULL;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void install_exit_hook(lua_State *L) {
    if (lua_getglobal(L, "os") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_getfield(L, -1, "exit");
    lua_getfield(L, LUA_REGISTRYINDEX, "lab.os_exit_hooked");
    int hooked = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (hooked || !lua_isfunction(L, -1)) {
        lua_pop(L, 2);
        return;
    }
    lua_pushcclosure(L, exit_hook, 1);
    lua_setfield(L, -2, "exit");
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "lab.os_exit_hooked");
}

int lab_track_enable(lua_State *L, const lab_track_opts *o, int open_now, lab_err *e) {
    tracker *t = get_tracker(L);
    free_origin(t);
    free(t->dir);
    t->dir = dupnull(o->store_dir);
    if (o->experiment) {
        free(t->experiment);
        t->experiment = xstrdup(o->experiment);
    }
    t->name = dupnull(o->name);
    t->source = dupnull(o->source);
    t->session = dupnull(o->session);
    t->notebook = dupnull(o->notebook);
    t->reproduces = dupnull(o->reproduces);
    if (o->nparams > 0) {
        t->params = xcalloc((size_t)o->nparams, sizeof *t->params);
        for (int i = 0; i < o->nparams; i++) t->params[i] = xstrdup(o->params[i]);
        t->nparams = o->nparams;
    }
    if (o->nargs > 0) {
        strbuf b = {0};
        for (int i = 0; i < o->nargs; i++) {
            strbuf_adds(&b, o->args[i]);
            strbuf_adds(&b, "\n");
        }
        t->args = b.s;
    }
    t->notebook_run = o->notebook && !o->session;
    t->reproducing = o->reproducing;
    t->autolog = 1;
    install_exit_hook(L);
    if (!open_store(t, e)) return -1;
    if (open_now && !ensure_run(t, e)) return -1;
    return 0;
}

int lab_track_finish(lua_State *L, run_status st, int open_if_none, char *id_out, lab_err *e) {
    tracker *t = get_tracker(L);
    if (id_out) id_out[0] = '\0';
    if (!t->run[0] && !(open_if_none && t->autolog && !t->opened_any)) return 0;
    if (!ensure_run(t, e)) return -1;
    if (id_out) memcpy(id_out, t->run, 33);
    int rc = store_run_end(t->s, t->run, st, e);
    t->run[0] = '\0';
    t->host_run = 0;
    return rc;
}

void lab_track_disable(lua_State *L) {
    tracker *t = get_tracker(L);
    t->off = 1;
    t->autolog = 0;
}

const char *lab_track_run(lua_State *L) {
    tracker *t = get_tracker(L);
    return t->run[0] ? t->run : NULL;
}

store *lab_track_store(lua_State *L, lab_err *e) { return open_store(get_tracker(L), e); }

void lab_track_flush(lua_State *L) {
    tracker *t = get_tracker(L);
    lab_err e;
    if (t->s && store_flush(t->s, &e) != 0) warn_once(t, &e);
}

/* ---- automatic records ------------------------------------------------------------------ */

void lab_frame_sha256(const frame *f, char hex[65]) {
    sha256_ctx c;
    sha256_init(&c);
    char buf[64];
    for (int j = 0; j < f->ncol; j++) {
        const column *col = f->cols[j];
        sha256_update(&c, f->names[j], strlen(f->names[j]) + 1);
        const char *tn = col_type_name(col->type);
        sha256_update(&c, tn, strlen(tn) + 1);
        for (size_t i = 0; i < f->nrow; i++) {
            if (col_is_na(col, i)) {
                sha256_update(&c, "\x01", 2);
                continue;
            }
            const char *v = buf;
            switch (col->type) {
            case COL_NUMBER: lab_fmt_double(buf, col->f64[i]); break;
            case COL_INTEGER: snprintf(buf, sizeof buf, "%lld", (long long)col->i64[i]); break;
            case COL_BOOLEAN: v = col->b[i] ? "true" : "false"; break;
            case COL_STRING: v = col_str(col, i); break;
            }
            sha256_update(&c, v, strlen(v) + 1);
        }
    }
    uint8_t d[32];
    sha256_final(&c, d);
    for (int k = 0; k < 32; k++) snprintf(hex + 2 * k, 3, "%02x", d[k]);
}

void lab_track_dataset(lua_State *L, const char *path, const frame *f, const char *query) {
    tracker *t = get_tracker(L);
    if (t->off || (!t->autolog && !t->run[0])) return;
    lab_err e;
    struct tdataset d = {0};
    char sha[65];
    if (query) /* what the query gave, not the file: it may hold other tables, or be written to */
        lab_frame_sha256(f, sha);
    else if (store_file_sha256(path, sha, &e) != 0) {
        warn_once(t, &e);
        return;
    }
    for (size_t i = 0; i < t->ndata; i++) /* the same bytes read again: already known */
        if (strcmp(t->data[i].path, path) == 0 && strcmp(t->data[i].sha, sha) == 0 &&
            ((!query && !t->data[i].query) || (query && t->data[i].query && strcmp(query, t->data[i].query) == 0)))
            return;
    strbuf schema = {0};
    for (int j = 0; j < f->ncol; j++) {
        if (j) strbuf_adds(&schema, ",");
        strbuf_adds(&schema, f->names[j]);
        strbuf_adds(&schema, ":");
        strbuf_adds(&schema, col_type_name(f->cols[j]->type));
    }
    d.path = xstrdup(path);
    d.sha = xstrdup(sha);
    d.schema = schema.s ? schema.s : xstrdup("");
    d.query = dupnull(query);
    d.rows = (int64_t)f->nrow;
    d.cols = f->ncol;
    t->data = xrealloc(t->data, (t->ndata + 1) * sizeof *t->data);
    t->data[t->ndata++] = d;
    if (t->run[0] && attach_dataset(t, &d, &e) != 0) warn_once(t, &e);
}

/* The artifact name for a file written at path: "plots/<base name>". */
void lab_track_plot_file(lua_State *L, const char *path) {
    tracker *t = get_tracker(L);
    if (!t->run[0] || t->in_artifact) return; /* a plot alone does not open a run */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[512];
    snprintf(name, sizeof name, "plots/%s", base);
    lab_err e;
    if (store_add_artifact(t->s, t->run, name, path, &e) != 0) warn_once(t, &e);
}

#define LAB_TRACK_PLOTS "lab.track_plots" /* registry: the plots shown, oldest first */
#define MAX_SHOWN_PLOTS 50

void lab_track_plot_shown(lua_State *L, int i) {
    tracker *t = get_tracker(L);
    if (t->off || !lua_checkstack(L, 4)) return;
    i = lua_absindex(L, i);
    if (lua_getfield(L, LUA_REGISTRYINDEX, LAB_TRACK_PLOTS) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, LAB_TRACK_PLOTS);
    }
    lua_Integer n = luaL_len(L, -1);
    if (n >= MAX_SHOWN_PLOTS) { /* drop the oldest */
        for (lua_Integer k = 1; k < n; k++) {
            lua_geti(L, -1, k + 1);
            lua_seti(L, -2, k);
        }
        lua_pushnil(L);
        lua_seti(L, -2, n);
        n--;
    }
    lua_pushvalue(L, i);
    lua_seti(L, -2, n + 1);
    lua_pop(L, 1);
}

/* Attach the plots shown in this session to run as plots/shown-<k>.png. */
static int attach_shown_plots(lua_State *L, tracker *t, const char *run, lab_err *e) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, LAB_TRACK_PLOTS) != LUA_TTABLE) {
        lua_pop(L, 1);
        return 0;
    }
    int tbl = lua_gettop(L), rc = 0;
    lua_Integer n = luaL_len(L, tbl);
    char tmp[4096], name[64];
    for (lua_Integer k = 1; k <= n && rc == 0; k++) {
        lua_geti(L, tbl, k);
        if (!lab_testplot(L, -1)) { /* closed since */
            lua_pop(L, 1);
            continue;
        }
        snprintf(tmp, sizeof tmp, "%s/plot-XXXXXX.png", store_dir(t->s));
        int fd = mkstemps(tmp, 4);
        if (fd < 0) {
            rc = lab_fail(e, "cannot make a temporary file in %s: %s", store_dir(t->s), strerror(errno));
            break;
        }
        close(fd);
        lua_getfield(L, -1, "save");
        lua_pushvalue(L, -2);
        lua_pushstring(L, tmp);
        t->in_artifact = 1;
        int prc = lua_pcall(L, 2, 0, 0);
        t->in_artifact = 0;
        if (prc != LUA_OK) {
            rc = lab_fail(e, "drawing a plot of the session: %s", lua_tostring(L, -1));
        } else {
            snprintf(name, sizeof name, "plots/shown-%d.png", (int)k);
            rc = store_add_artifact(t->s, run, name, tmp, e);
        }
        unlink(tmp);
        lua_settop(L, tbl);
    }
    lua_settop(L, tbl - 1);
    return rc;
}

track_fit *lab_track_fit_begin(lua_State *L, const char *kind) {
    tracker *t = get_tracker(L);
    if (t->off || (!t->autolog && !t->run[0])) return NULL;
    lab_err e;
    if (!ensure_run(t, &e)) {
        warn_once(t, &e);
        return NULL;
    }
    track_fit *f = xcalloc(1, sizeof *f);
    f->L = L;
    f->t = t;
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    return f;
}

void lab_track_fit_param(track_fit *f, const char *key, const char *value) {
    if (!f || f->failed) return;
    f->keys = xrealloc(f->keys, (size_t)(f->n + 1) * sizeof *f->keys);
    f->values = xrealloc(f->values, (size_t)(f->n + 1) * sizeof *f->values);
    f->keys[f->n] = xstrdup(key);
    f->values[f->n] = xstrdup(value);
    f->n++;
}

/* Choose the fit's prefix (see the top of the file) and log its params. */
static int resolve_prefix(track_fit *f) {
    if (f->prefix[0]) return 0;
    tracker *t = f->t;
    char key[512];
    for (int k = 1; k < 1000; k++) {
        if (k == 1) snprintf(f->prefix, sizeof f->prefix, "%s", f->kind);
        else snprintf(f->prefix, sizeof f->prefix, "%s_%d", f->kind, k);
        int clash = 0;
        for (int i = 0; i < f->n && !clash; i++) {
            snprintf(key, sizeof key, "%s.%s", f->prefix, f->keys[i]);
            char *old = store_get_param(t->s, t->run, key);
            if (old && strcmp(old, f->values[i]) != 0) clash = 1;
            free(old);
        }
        if (!clash) break;
    }
    lab_err e;
    for (int i = 0; i < f->n; i++) {
        snprintf(key, sizeof key, "%s.%s", f->prefix, f->keys[i]);
        if (store_log_param(t->s, t->run, key, f->values[i], &e) != 0) {
            warn_once(t, &e);
            f->failed = 1;
            return -1;
        }
    }
    return 0;
}

void lab_track_fit_figure(track_fit *f, const char *key, double value, long step) {
    if (!f || f->failed || resolve_prefix(f) != 0) return;
    char k[512];
    snprintf(k, sizeof k, "%s.%s", f->prefix, key);
    lab_err e;
    if (store_log_metric(f->t->s, f->t->run, k, value, step, 0, &e) != 0) {
        warn_once(f->t, &e);
        f->failed = 1;
    }
}

/* Save the fitted model to a temporary file in the store and add it. */
static void save_model_artifact(track_fit *f, const model *m) {
    tracker *t = f->t;
    lab_err e;
    strbuf tmp = {0};
    strbuf_adds(&tmp, store_dir(t->s));
    strbuf_adds(&tmp, "/model-XXXXXX");
    int fd = mkstemp(tmp.s);
    if (fd < 0) {
        lab_fail(&e, "cannot make a temporary file in %s: %s", store_dir(t->s), strerror(errno));
        warn_once(t, &e);
        free(tmp.s);
        return;
    }
    close(fd);
    char name[128];
    snprintf(name, sizeof name, "models/%s.labm", f->prefix);
    if (model_save(m, tmp.s, &e) != 0 || store_add_artifact(t->s, t->run, name, tmp.s, &e) != 0) warn_once(t, &e);
    unlink(tmp.s);
    free(tmp.s);
}

void lab_track_fit_end(track_fit *f, const model *m, int ok) {
    if (!f) return;
    if (ok && !f->failed && resolve_prefix(f) == 0 && m && m->fitted) save_model_artifact(f, m);
    for (int i = 0; i < f->n; i++) {
        free(f->keys[i]);
        free(f->values[i]);
    }
    free(f->keys);
    free(f->values);
    free(f);
}

/* ---- lab.* -------------------------------------------------------------------------------- */

static tracker *need_store(lua_State *L, const char *fn) {
    tracker *t = get_tracker(L);
    lab_err e;
    if (!open_store(t, &e)) luaL_error(L, "%s: %s", fn, e.msg);
    return t;
}

/* The open run (opened now), or NULL when tracking is off. */
static const char *need_run(lua_State *L, tracker *t, const char *fn) {
    if (t->off) {
        if (!t->warned_off) {
            t->warned_off = 1;
            fprintf(stderr, "lab: %s: tracking is off (--no-track, or no usable store): nothing is recorded\n", fn);
        }
        return NULL;
    }
    lab_err e;
    const char *run = ensure_run(t, &e);
    if (!run) luaL_error(L, "%s: %s", fn, e.msg);
    return run;
}

/* A param or tag value as text: numbers in their shortest round-trip form. */
static const char *value_text(lua_State *L, int i, const char *fn, const char *key) {
    char buf[32];
    switch (lua_type(L, i)) {
    case LUA_TSTRING: return lua_tostring(L, i);
    case LUA_TBOOLEAN: return lua_toboolean(L, i) ? "true" : "false";
    case LUA_TNUMBER:
        if (lua_isinteger(L, i)) return lua_pushfstring(L, "%I", lua_tointeger(L, i));
        lab_fmt_double(buf, lua_tonumber(L, i));
        return lua_pushstring(L, buf);
    default:
        luaL_error(L, "%s: the value of '%s' must be a number, string or boolean, got %s", fn, key,
                   luaL_typename(L, i));
        return NULL;
    }
}

/* lab.experiment([name]) -> the current experiment's name */
static int l_experiment(lua_State *L) {
    tracker *t = get_tracker(L);
    if (lua_isnoneornil(L, 1)) {
        lua_pushstring(L, t->experiment ? t->experiment : "Default");
        return 1;
    }
    const char *name = luaL_checkstring(L, 1);
    need_store(L, "lab.experiment");
    lab_err e;
    int64_t exp = store_experiment(t->s, name, &e);
    if (exp < 0) return luaL_error(L, "lab.experiment: %s", e.msg);
    if (t->run[0] && strcmp(t->experiment ? t->experiment : "Default", name) != 0) {
        if (t->host_run) { /* the notebook is the run: it moves */
            if (store_run_set_experiment(t->s, t->run, exp, &e) != 0) return luaL_error(L, "lab.experiment: %s", e.msg);
        } else { /* a session's run ends; the next record opens one in name */
            if (store_run_end(t->s, t->run, RUN_FINISHED, &e) != 0) return luaL_error(L, "lab.experiment: %s", e.msg);
            t->run[0] = '\0';
        }
    }
    free(t->experiment);
    t->experiment = xstrdup(name);
    lua_pushstring(L, name);
    return 1;
}

/* fn(key, value) of the open run through set (a param or a tag). */
static int set_key_value(lua_State *L, const char *fn,
                         int (*set)(store *, const char *, const char *, const char *, lab_err *)) {
    const char *key = luaL_checkstring(L, 1);
    luaL_checkany(L, 2);
    tracker *t = get_tracker(L);
    const char *v = value_text(L, 2, fn, key);
    const char *run = need_run(L, t, fn);
    if (!run) return 0;
    lab_err e;
    if (set(t->s, run, key, v, &e) != 0) return luaL_error(L, "%s: %s", fn, e.msg);
    return 0;
}

/* lab.param(key, value) */
static int l_param(lua_State *L) { return set_key_value(L, "lab.param", store_log_param); }

/* lab.params{key=value, ...} (keys in sorted order, so errors are stable) */
static int l_params(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    tracker *t = get_tracker(L);
    const char *run = need_run(L, t, "lab.params");
    if (!run) return 0;
    lua_newtable(L); /* the keys, to sort */
    int keys = lua_gettop(L), n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "lab.params: keys must be strings, got %s", luaL_typename(L, -1));
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++n);
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, keys);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);
        const char *key = lua_tostring(L, -1);
        lua_gettable(L, 1);
        lua_rawgeti(L, keys, i);
        const char *v = value_text(L, -2, "lab.params", key);
        lab_err e;
        if (store_log_param(t->s, run, key, v, &e) != 0) return luaL_error(L, "lab.params: %s", e.msg);
        lua_settop(L, keys);
    }
    return 0;
}

static void log_one(lua_State *L, tracker *t, const char *run, const char *key, int vi, int has_step,
                    lua_Integer step) {
    if (lua_type(L, vi) != LUA_TNUMBER)
        luaL_error(L, "lab.log: the value of '%s' must be a number, got %s", key, luaL_typename(L, vi));
    lab_err e;
    int64_t s = has_step ? (int64_t)step : store_metric_count(t->s, run, key);
    if (store_log_metric(t->s, run, key, lua_tonumber(L, vi), s, 0, &e) != 0) luaL_error(L, "lab.log: %s", e.msg);
}

/* lab.log(key, value [, step]) or lab.log({key=value, ...} [, step]). Without
 * a step a point gets the next step of its key (0, 1, 2 ...). */
static int l_log(lua_State *L) {
    int tbl = lua_istable(L, 1);
    int si = tbl ? 2 : 3;
    int has_step = !lua_isnoneornil(L, si);
    lua_Integer step = has_step ? luaL_checkinteger(L, si) : 0;
    if (has_step && step < 0) return luaL_argerror(L, si, "the step must be 0 or more");
    if (!tbl) {
        luaL_checkstring(L, 1);
        luaL_checkany(L, 2);
    }
    tracker *t = get_tracker(L);
    const char *run = need_run(L, t, "lab.log");
    if (!run) return 0;
    if (!tbl) {
        log_one(L, t, run, lua_tostring(L, 1), 2, has_step, step);
        return 0;
    }
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            return luaL_error(L, "lab.log: keys must be strings, got %s", luaL_typename(L, -2));
        log_one(L, t, run, lua_tostring(L, -2), lua_gettop(L), has_step, step);
        lua_pop(L, 1);
    }
    return 0;
}

/* lab.tag(key, value) */
static int l_tag(lua_State *L) { return set_key_value(L, "lab.tag", store_set_tag); }

/* lab.note(text) */
static int l_note(lua_State *L) {
    const char *text = luaL_checkstring(L, 1);
    tracker *t = get_tracker(L);
    const char *run = need_run(L, t, "lab.note");
    if (!run) return 0;
    lab_err e;
    if (store_set_note(t->s, run, text, &e) != 0) return luaL_error(L, "lab.note: %s", e.msg);
    return 0;
}

static int has_ext(const char *name) {
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash : name, '.');
    return dot && dot[1];
}

/* lab.artifact(name, object_or_path) -> the artifact's path in the store.
 * A model is saved (.labm), a frame written as CSV (.csv), a plot drawn as
 * PNG (.png), a string is the path of a file to copy. A name without an
 * extension gets the one of what it holds. */
static int l_artifact(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    luaL_checkany(L, 2);
    tracker *t = get_tracker(L);
    const char *run = need_run(L, t, "lab.artifact");
    if (!run) return 0;
    lab_err e;
    const char *src = NULL, *ext = "";
    char tmp[4096] = "";
    model *m = lab_testmodel(L, 2);
    frame *f = m ? NULL : lab_testframe(L, 2);
    struct plot *p = (m || f) ? NULL : lab_testplot(L, 2);
    if (m || f || p) {
        ext = m ? ".labm" : f ? ".csv" : ".png";
        snprintf(tmp, sizeof tmp, "%s/artifact-XXXXXX%s", store_dir(t->s), ext);
        int fd = mkstemps(tmp, (int)strlen(ext));
        if (fd < 0) return luaL_error(L, "lab.artifact: cannot make a temporary file in %s: %s", store_dir(t->s), strerror(errno));
        close(fd);
        /* write it through the object's own method: m:save, df:write_csv, p:save */
        lua_getfield(L, 2, m ? "save" : f ? "write_csv" : "save");
        lua_pushvalue(L, 2);
        lua_pushstring(L, tmp);
        t->in_artifact = 1;
        int prc = lua_pcall(L, 2, 0, 0);
        t->in_artifact = 0;
        if (prc != LUA_OK) {
            unlink(tmp);
            return luaL_error(L, "lab.artifact: %s", lua_tostring(L, -1));
        }
        src = tmp;
    } else if (lua_type(L, 2) == LUA_TSTRING) {
        src = lua_tostring(L, 2);
        const char *slash = strrchr(src, '/');
        const char *dot = strrchr(slash ? slash : src, '.');
        ext = dot ? dot : "";
    } else {
        return luaL_argerror(L, 2, lua_pushfstring(L, "expected a model, frame, plot or file path, got %s",
                                                   luaL_typename(L, 2)));
    }
    const char *full = has_ext(name) ? name : lua_pushfstring(L, "%s%s", name, ext);
    int rc = store_add_artifact(t->s, run, full, src, &e);
    if (tmp[0]) unlink(tmp);
    if (rc != 0) return luaL_error(L, "lab.artifact: %s", e.msg);
    char *path = store_artifact_path(t->s, run, full, &e);
    if (!path) return luaL_error(L, "lab.artifact: %s", e.msg);
    lua_pushstring(L, path);
    free(path);
    return 1;
}

/* lab.store([dir]) -> the store folder in use; with dir, record into the
 * store in dir from now on (an open run ends first). */
static int l_store(lua_State *L) {
    tracker *t = get_tracker(L);
    if (!lua_isnoneornil(L, 1)) {
        const char *dir = luaL_checkstring(L, 1);
        if (!*dir) return luaL_argerror(L, 1, "the store folder name is empty");
        lab_err e;
        store *s = store_open(dir, &e);
        if (!s) return luaL_error(L, "lab.store: %s", e.msg);
        if (t->run[0] && store_run_end(t->s, t->run, RUN_FINISHED, &e) != 0) {
            store_close(s);
            return luaL_error(L, "lab.store: %s", e.msg);
        }
        t->run[0] = '\0';
        t->host_run = 0;
        store_close(t->s);
        t->s = s;
        free(t->dir);
        t->dir = xstrdup(dir);
    }
    lua_pushstring(L, t->s ? store_dir(t->s) : t->dir ? t->dir : journal_store_dir());
    return 1;
}

/* ---- reading runs back as frames ------------------------------------------------------------ */

static column *str_column(size_t n) { return col_new(COL_STRING, n, NULL); }

static void set_str(column *c, size_t i, const char *s) {
    if (!s) {
        col_set_na(c, i);
        return;
    }
    c->code[i] = strdict_intern(c->dict, s, strlen(s));
}

/* The column called name in f, added (all NA) when new. */
static column *named_column(frame *f, const char *name, col_type type, size_t n) {
    int j = frame_find(f, name);
    if (j >= 0) return f->cols[j];
    column *c = type == COL_STRING ? str_column(n) : col_new(type, n, NULL);
    for (size_t i = 0; i < n; i++) col_set_na(c, i);
    frame_set_column(f, name, c, NULL);
    return c;
}

/* lab.runs([{experiment=, status=}]) -> a frame: one row per run, newest
 * first, with id, experiment, name, status, start, seconds, and the columns
 * "metrics.<key>" (latest values) and "params.<key>". */
static int l_runs(lua_State *L) {
    static const char *const known[] = {"experiment", "status", NULL};
    lab_check_options(L, 1, known);
    store_run_filter flt = {0};
    flt.status = -1;
    flt.experiment = lab_optstr_field(L, 1, "experiment", NULL);
    const char *st = lab_optstr_field(L, 1, "status", NULL);
    if (st && (flt.status = run_status_parse(st)) < 0)
        return luaL_argerror(L, 1, lua_pushfstring(L, "unknown status '%s' (running, finished, failed, killed)", st));
    tracker *t = need_store(L, "lab.runs");
    lab_err e;
    if (store_flush(t->s, &e) != 0) return luaL_error(L, "lab.runs: %s", e.msg);
    if (flt.experiment) { /* a misspelt experiment is an error, not an empty frame */
        size_t ne = 0;
        char **names = store_experiments(t->s, &ne, &e);
        const char *best = NULL;
        size_t bestd = (size_t)-1;
        int found = 0;
        for (size_t i = 0; names && i < ne; i++) {
            if (strcmp(names[i], flt.experiment) == 0) found = 1;
            size_t d = lab_edit_distance(flt.experiment, names[i]);
            if (d < bestd) bestd = d, best = names[i];
        }
        if (!found) {
            lua_pushfstring(L, "lab.runs: no experiment '%s'", flt.experiment);
            if (best && bestd <= 3) lua_pushfstring(L, " (did you mean '%s'?)", best);
            else lua_pushliteral(L, "");
            lua_concat(L, 2);
        }
        for (size_t i = 0; names && i < ne; i++) free(names[i]);
        free(names);
        if (!found) return lua_error(L);
    }
    size_t n = 0;
    store_run *runs = store_runs_list(t->s, &flt, &n, &e);
    if (!runs) return luaL_error(L, "lab.runs: %s", e.msg);
    frame *f = frame_new();
    column *id = str_column(n), *exp = str_column(n), *name = str_column(n), *status = str_column(n),
           *start = str_column(n), *secs = col_new(COL_NUMBER, n, NULL);
    frame_set_column(f, "id", id, NULL);
    frame_set_column(f, "experiment", exp, NULL);
    frame_set_column(f, "name", name, NULL);
    frame_set_column(f, "status", status, NULL);
    frame_set_column(f, "start", start, NULL);
    frame_set_column(f, "seconds", secs, NULL);
    for (size_t i = 0; i < n; i++) {
        store_run *r = &runs[i];
        set_str(id, i, r->id);
        set_str(exp, i, r->experiment);
        set_str(name, i, r->name);
        set_str(status, i, run_status_name(r->status));
        char when[32];
        time_t sec = (time_t)(r->start_ms / 1000);
        struct tm tm;
        localtime_r(&sec, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        set_str(start, i, when);
        if (r->end_ms) secs->f64[i] = (double)(r->end_ms - r->start_ms) / 1000.0;
        else col_set_na(secs, i);
        char key[600];
        for (size_t k = 0; k < r->nmetrics; k++) {
            snprintf(key, sizeof key, "metrics.%s", r->metrics[k].key);
            column *c = named_column(f, key, COL_NUMBER, n);
            c->f64[i] = r->metrics[k].value;
            col_set_valid(c, i);
        }
        store_run *full = store_run_get(t->s, r->id, &e);
        if (!full) continue;
        for (size_t k = 0; k < full->nparams; k++) {
            snprintf(key, sizeof key, "params.%s", full->param_keys[k]);
            column *c = named_column(f, key, COL_STRING, n);
            set_str(c, i, full->param_values[k]);
            col_set_valid(c, i);
        }
        store_runs_free(full, 1);
    }
    store_runs_free(runs, n);
    lab_pushframe(L, f);
    return 1;
}

/* lab.metric_history(run, key) -> a frame of step, value, time (seconds
 * since 1970) in step order: the whole history of one metric. */
static int l_metric_history(lua_State *L) {
    const char *ref = luaL_checkstring(L, 1);
    const char *key = luaL_checkstring(L, 2);
    tracker *t = need_store(L, "lab.metric_history");
    lab_err e;
    char run[33];
    if (store_flush(t->s, &e) != 0 || store_run_resolve(t->s, ref, run, &e) != 0)
        return luaL_error(L, "lab.metric_history: %s", e.msg);
    int64_t *steps = NULL, *ts = NULL;
    double *values = NULL;
    long n = store_metric_history(t->s, run, key, &steps, &values, &ts, &e);
    if (n < 0) return luaL_error(L, "lab.metric_history: %s", e.msg);
    if (n == 0) { /* no such metric: say which there are */
        store_run *r = store_run_get(t->s, run, &e);
        strbuf have = {0};
        const char *best = NULL;
        size_t bestd = (size_t)-1;
        for (size_t i = 0; r && i < r->nmetrics; i++) {
            if (i) strbuf_adds(&have, ", ");
            strbuf_adds(&have, r->metrics[i].key);
            size_t d = lab_edit_distance(key, r->metrics[i].key);
            if (d < bestd) bestd = d, best = r->metrics[i].key;
        }
        char id8[9];
        snprintf(id8, sizeof id8, "%.8s", run);
        lua_pushfstring(L, "lab.metric_history: run %s has no metric '%s'", id8, key);
        if (best && bestd <= 3) lua_pushfstring(L, " (did you mean '%s'?)", best);
        else lua_pushfstring(L, " (it has: %s)", have.s ? have.s : "none");
        lua_concat(L, 2);
        free(have.s);
        store_runs_free(r, 1);
        free(steps);
        free(values);
        free(ts);
        return lua_error(L);
    }
    frame *f = frame_new();
    column *cs = col_new(COL_INTEGER, (size_t)n, NULL), *cv = col_new(COL_NUMBER, (size_t)n, NULL),
           *ct = col_new(COL_NUMBER, (size_t)n, NULL);
    for (long i = 0; i < n; i++) {
        cs->i64[i] = steps[i];
        cv->f64[i] = values[i];
        ct->f64[i] = (double)ts[i] / 1000.0;
    }
    free(steps);
    free(values);
    free(ts);
    frame_set_column(f, "step", cs, NULL);
    frame_set_column(f, "value", cv, NULL);
    frame_set_column(f, "time", ct, NULL);
    lab_pushframe(L, f);
    return 1;
}

/* lab.current_run() -> the open run's id, or nil */
static int l_current_run(lua_State *L) {
    const char *run = lab_track_run(L);
    if (run) lua_pushstring(L, run);
    else lua_pushnil(L);
    return 1;
}

/* lab.end_run([status]) -> the id of the run it ended, or nil */
static int l_end_run(lua_State *L) {
    const char *sname = luaL_optstring(L, 1, "finished");
    int st = run_status_parse(sname);
    if (st < 0 || st == RUN_RUNNING)
        return luaL_argerror(L, 1, lua_pushfstring(L, "unknown status '%s' (finished, failed or killed)", sname));
    tracker *t = get_tracker(L);
    if (!t->run[0]) {
        lua_pushnil(L);
        return 1;
    }
    char id[33];
    memcpy(id, t->run, sizeof id);
    lab_err e;
    if (store_run_end(t->s, t->run, (run_status)st, &e) != 0) return luaL_error(L, "lab.end_run: %s", e.msg);
    t->run[0] = '\0';
    t->host_run = 0;
    lua_pushstring(L, id);
    return 1;
}

/* lab.promote([{name=...}]) -> the new run's id. See docs/tracking.md. */
static int l_promote(lua_State *L) {
    static const char *const known[] = {"name", NULL};
    lab_check_options(L, 1, known);
    const char *name = lab_optstr_field(L, 1, "name", NULL);
    tracker *tr = get_tracker(L);
    journal *j = lab_journal_of(L);
    if (!j && (tr->notebook_run || tr->reproducing) && !tr->off) {
        /* a notebook run headless (a promoted one re-run, say) is its run */
        lab_err e;
        if (!ensure_run(tr, &e)) return luaL_error(L, "lab.promote: %s", e.msg);
        lua_pushstring(L, tr->run);
        return 1;
    }
    if (!j)
        return luaL_error(L, "lab.promote: this session keeps no journal (only the workbench and `lab repl` on a "
                             "terminal do); a notebook run by `lab run` is tracked already");
    tracker *t = need_store(L, "lab.promote");
    lab_err e;
    /* the notebook: the journal's successful chunks, through a temporary file */
    strbuf tmp = {0};
    strbuf_adds(&tmp, store_dir(t->s));
    strbuf_adds(&tmp, "/promote-XXXXXX");
    int fd = mkstemp(tmp.s);
    if (fd < 0) {
        free(tmp.s);
        return luaL_error(L, "lab.promote: cannot make a temporary file in %s: %s", store_dir(t->s), strerror(errno));
    }
    close(fd);
    int ncells = journal_write_notebook_as(journal_path(j), tmp.s, "lab.promote", &e);
    char *text = ncells >= 0 ? lab_read_file(tmp.s, NULL, &e) : NULL;
    unlink(tmp.s);
    free(tmp.s);
    if (!text) return luaL_error(L, "lab.promote: %s", e.msg);
    char source[64], run[33];
    snprintf(source, sizeof source, "session %s", journal_id(j));
    char defname[64];
    snprintf(defname, sizeof defname, "session %s", journal_id(j));
    run_origin o = {name ? name : defname, source, journal_id(j), text, NULL};
    int64_t exp = store_experiment(t->s, t->experiment ? t->experiment : "Default", &e);
    int rc = exp < 0 ? -1 : store_run_start(t->s, exp, &o, run, &e);
    free(text);
    if (rc != 0) return luaL_error(L, "lab.promote: %s", e.msg);
    if (t->run[0]) {
        if (store_flush(t->s, &e) != 0 || store_run_copy(t->s, t->run, run, &e) != 0) goto fail;
    } else {
        for (size_t i = 0; i < t->ndata; i++) {
            store_dataset sd = {t->data[i].path, t->data[i].sha, t->data[i].rows, t->data[i].cols,
                                t->data[i].schema, t->data[i].query};
            if (store_add_dataset(t->s, run, &sd, &e) != 0) goto fail;
        }
    }
    if (attach_shown_plots(L, t, run, &e) != 0) goto fail;
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) && store_set_tag(t->s, run, "lab.cwd", cwd, &e) != 0) goto fail;
    if (store_set_tag(t->s, run, "lab.cells", lua_pushfstring(L, "%d", ncells), &e) != 0) goto fail;
    if (store_run_end(t->s, run, RUN_FINISHED, &e) != 0) goto fail;
    lua_pushstring(L, run);
    return 1;
fail:
    store_run_end(t->s, run, RUN_FAILED, NULL);
    return luaL_error(L, "lab.promote: %s", e.msg);
}

/* In a reproduction the registry is left alone (re-running a notebook must not
 * make versions or move "production"); said once. */
static int replay_skip(lua_State *L, const char *fn) {
    tracker *t = get_tracker(L);
    if (!t->reproducing) return 0;
    if (!t->warned_replay) {
        t->warned_replay = 1;
        fprintf(stderr, "lab: %s: a reproduction leaves the model registry as it is\n", fn);
    }
    return 1;
}

/* lab.register(run_id, model_name [, artifact]) -> version */
static int l_register(lua_State *L) {
    const char *runref = luaL_checkstring(L, 1);
    const char *name = luaL_checkstring(L, 2);
    const char *artifact = luaL_optstring(L, 3, NULL);
    if (replay_skip(L, "lab.register")) return 0;
    tracker *t = need_store(L, "lab.register");
    lab_err e;
    char run[33];
    if (store_flush(t->s, &e) != 0 || store_run_resolve(t->s, runref, run, &e) != 0)
        return luaL_error(L, "lab.register: %s", e.msg);
    int v = store_register(t->s, run, name, artifact, &e);
    if (v < 0) return luaL_error(L, "lab.register: %s", e.msg);
    lua_pushinteger(L, v);
    return 1;
}

/* lab.alias(model_name, version, alias) */
static int l_alias(lua_State *L) {
    if (replay_skip(L, "lab.alias")) return 0;
    const char *name = luaL_checkstring(L, 1);
    lua_Integer v = luaL_checkinteger(L, 2);
    const char *alias = luaL_checkstring(L, 3);
    if (v < 1 || v > 1000000000) return luaL_argerror(L, 2, "a version is a number from 1");
    tracker *t = need_store(L, "lab.alias");
    lab_err e;
    if (store_set_alias(t->s, name, (int)v, alias, &e) != 0) return luaL_error(L, "lab.alias: %s", e.msg);
    return 0;
}

void lab_open_track(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"experiment", l_experiment}, {"param", l_param},     {"params", l_params},
        {"log", l_log},               {"tag", l_tag},         {"note", l_note},
        {"artifact", l_artifact},     {"promote", l_promote}, {"register", l_register},
        {"alias", l_alias},           {"current_run", l_current_run}, {"end_run", l_end_run},
        {"store", l_store},           {"runs", l_runs},       {"metric_history", l_metric_history},
        {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
