/* lua_transform.c — preprocessing, pipelines and evaluation from Lua:
 * lab.transform.standardize / minmax / onehot / impute / label_encode (a
 * Transform with fit, transform, fit_transform), lab.pipeline{...} (a Model),
 * lab.kfold, lab.cross_validate and lab.metrics.report.
 *
 * A Transform is a userdata holding one engine transform (a model of a
 * transform kind, engine/learn/transform.h). A pipeline is an engine model
 * with copies of the transforms as steps, pushed as an ordinary lab.Model,
 * so fit, predict, save and lab.load are the model's own. The engine
 * objects a call makes are pushed (owned by the collector) before anything
 * else can raise. */
#include "lab_lua.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/metrics.h"
#include "learn/pipeline.h"
#include "learn/transform.h"

#define LAB_TRANSFORM "lab.Transform"

typedef struct ltransform {
    model *t;
} ltransform;

static model *check_transform(lua_State *L, int i) {
    ltransform *u = luaL_checkudata(L, i, LAB_TRANSFORM);
    if (!u->t) luaL_argerror(L, i, "transform has been freed");
    return u->t;
}

static int t_gc(lua_State *L) {
    ltransform *u = luaL_checkudata(L, 1, LAB_TRANSFORM);
    model_free(u->t);
    u->t = NULL;
    return 0;
}

static int t_tostring(lua_State *L) {
    model *t = check_transform(L, 1);
    strbuf b = {0};
    strbuf_adds(&b, "transform ");
    strbuf_adds(&b, t->kind->name);
    const model_param *strategy = model_param_get(t, "strategy");
    if (strategy) {
        strbuf_adds(&b, "{strategy=\"");
        strbuf_adds(&b, strategy->str);
        strbuf_adds(&b, "\"}");
    }
    strbuf_adds(&b, ": ");
    strbuf_adds(&b, t->kind->title);
    if (!t->fitted) {
        strbuf_adds(&b, "\n  not fitted");
    } else {
        char line[96];
        snprintf(line, sizeof line, "\n  fitted on %zu rows, %d columns\n", t->n_train, t->nfeat);
        strbuf_adds(&b, line);
        t->kind->describe(t, &b);
        while (b.n && b.s[b.n - 1] == '\n') b.s[--b.n] = 0;
    }
    lua_pushstring(L, b.s);
    free(b.s);
    return 1;
}

/* ---- constructors ------------------------------------------------------------------ */

/* The column names of the constructor's argument 1: a string, the list part
 * of a table, or its field cols. */
static void set_cols(lua_State *L, model *t) {
    int top = lua_gettop(L);
    if (lua_isnoneornil(L, 1)) return;
    const char *one;
    if ((one = lua_tostring(L, 1)) && lua_type(L, 1) == LUA_TSTRING) {
        transform_set_cols(t, &one, 1);
        return;
    }
    int src = 1;
    if (lua_getfield(L, 1, "cols") != LUA_TNIL) {
        if (lua_type(L, -1) == LUA_TSTRING) {
            one = lua_tostring(L, -1);
            transform_set_cols(t, &one, 1);
            lua_settop(L, top);
            return;
        }
        if (!lua_istable(L, -1)) luaL_argerror(L, 1, "field 'cols' must be a list of column names");
        src = lua_gettop(L);
    }
    lua_Integer n = luaL_len(L, src);
    if (n < 1) {
        lua_settop(L, top);
        return;
    }
    if (n > 100000) luaL_argerror(L, 1, "too many columns");
    const char **names = lua_newuserdatauv(L, (size_t)n * sizeof *names, 0);
    for (lua_Integer k = 1; k <= n; k++) {
        if (lua_geti(L, src, k) != LUA_TSTRING)
            luaL_argerror(L, 1, lua_pushfstring(L, "cols: item %d must be a column name, got %s", (int)k, luaL_typename(L, -1)));
        names[k - 1] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    transform_set_cols(t, names, (int)n);
    lua_settop(L, top);
}

static const char *const std_options[] = {"cols", NULL};
static const char *const minmax_options[] = {"cols", "min", "max", NULL};
static const char *const impute_options[] = {"cols", "strategy", "value", NULL};

static int new_transform(lua_State *L) {
    const char *kind = lua_tostring(L, lua_upvalueindex(1));
    lua_settop(L, 1);
    if (!lua_isnil(L, 1) && lua_type(L, 1) != LUA_TSTRING) luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_istable(L, 1))
        lab_check_options(L, 1, strcmp(kind, "minmax") == 0 ? minmax_options : strcmp(kind, "impute") == 0 ? impute_options : std_options);
    ltransform *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->t = NULL;
    luaL_setmetatable(L, LAB_TRANSFORM);
    lab_err e;
    u->t = transform_new(kind, &e);
    if (!u->t) return lab_raise(L, &e);
    model *t = u->t;
    /* stack: 1 = options, 2 = the userdata */
    set_cols(L, t);
    lua_settop(L, 2);
    if (lua_istable(L, 1)) {
        lab_err pe;
        if (strcmp(kind, "minmax") == 0) {
            if (model_set_number(t, "min", lab_optnum_field(L, 1, "min", 0), &pe) < 0 ||
                model_set_number(t, "max", lab_optnum_field(L, 1, "max", 1), &pe) < 0)
                return luaL_argerror(L, 1, pe.msg);
        } else if (strcmp(kind, "impute") == 0) {
            const char *strategy = lab_optstr_field(L, 1, "strategy", "mean");
            if (model_set_string(t, "strategy", strategy, &pe) < 0) return luaL_argerror(L, 1, pe.msg);
            lua_getfield(L, 1, "value");
            int vt = lua_type(L, -1);
            if (vt != LUA_TNIL && strcmp(strategy, "constant") != 0)
                return luaL_argerror(L, 1, "field 'value' is for strategy=\"constant\"");
            int rc = 0;
            if (vt == LUA_TNUMBER) rc = model_set_number(t, "fill_value", lua_tonumber(L, -1), &pe);
            else if (vt == LUA_TSTRING) rc = model_set_string(t, "fill_string", lua_tostring(L, -1), &pe);
            else if (vt != LUA_TNIL) return luaL_argerror(L, 1, "field 'value' must be a number or a string");
            if (rc < 0) return luaL_argerror(L, 1, pe.msg);
            lua_pop(L, 1);
        }
    }
    return 1;
}

/* ---- methods --------------------------------------------------------------------- */

static int t_fit(lua_State *L) {
    model *t = check_transform(L, 1);
    frame *f = lab_checkframe(L, 2);
    lab_err e;
    if (transform_fit(t, f, NULL, &e) < 0) return lab_raise(L, &e);
    lua_settop(L, 1);
    return 1;
}

static int t_transform(lua_State *L) {
    model *t = check_transform(L, 1);
    frame *f = lab_checkframe(L, 2);
    lab_err e;
    frame *r = transform_apply(t, f, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

static int t_fit_transform(lua_State *L) {
    model *t = check_transform(L, 1);
    frame *f = lab_checkframe(L, 2);
    lab_err e;
    if (transform_fit(t, f, NULL, &e) < 0) return lab_raise(L, &e);
    frame *r = transform_apply(t, f, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

static int t_kind(lua_State *L) {
    lua_pushstring(L, check_transform(L, 1)->kind->name);
    return 1;
}

static int t_fitted(lua_State *L) {
    lua_pushboolean(L, check_transform(L, 1)->fitted);
    return 1;
}

/* t:columns() -> the fitted columns (a list) */
static int t_columns(lua_State *L) {
    model *t = check_transform(L, 1);
    if (!t->fitted) return luaL_error(L, "columns: the %s transform is not fitted; call fit first", t->kind->name);
    lua_createtable(L, t->nfeat, 0);
    for (int q = 0; q < t->nfeat; q++) {
        lua_pushstring(L, t->feat[q].name);
        lua_rawseti(L, -2, q + 1);
    }
    return 1;
}

/* ---- pipelines --------------------------------------------------------------------- */

/* lab.pipeline{t1, t2, ..., model} -> Model */
static int l_pipeline(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    if (n < 1) return luaL_argerror(L, 1, "a pipeline lists its transforms, then a model: lab.pipeline{t1, ..., model}");
    lua_geti(L, 1, n);
    model *last = lab_testmodel(L, -1);
    if (!last)
        return luaL_argerror(L, 1, lua_pushfstring(L, "the last item must be a model (lab.model.*), got %s",
                                                   luaL_testudata(L, -1, LAB_TRANSFORM) ? "a transform" : luaL_typename(L, -1)));
    for (lua_Integer k = 1; k < n; k++) {
        lua_geti(L, 1, k);
        if (!luaL_testudata(L, -1, LAB_TRANSFORM))
            return luaL_argerror(L, 1, lua_pushfstring(L, "item %d must be a transform (lab.transform.*), got %s", (int)k,
                                                       lab_testmodel(L, -1) ? "a model" : luaL_typename(L, -1)));
        lua_pop(L, 1);
    }
    model *p = model_clone_unfitted(last);
    if (!p) return luaL_error(L, "pipeline: cannot copy the %s model", last->kind->name);
    lab_pushmodel(L, p);
    for (lua_Integer k = 1; k < n; k++) {
        lua_geti(L, 1, k);
        model *s = transform_clone_unfitted(check_transform(L, -1));
        lua_pop(L, 1);
        if (s) pipeline_add_step(p, s);
    }
    return 1;
}

/* ---- evaluation ------------------------------------------------------------------------ */

static uint64_t seed_field(lua_State *L, int t) {
    if (lua_isnoneornil(L, t) || lua_getfield(L, t, "seed") == LUA_TNIL) return 0;
    if (!lua_isinteger(L, -1))
        luaL_argerror(L, t, lua_pushfstring(L, "field 'seed' must be an integer, got %s", luaL_typename(L, -1)));
    uint64_t s = (uint64_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return s;
}

static const char *const kfold_options[] = {"k", "seed", "shuffle", "stratify", NULL};

/* lab.kfold(n, {k=5, seed=0, shuffle=true, stratify=labels}) -> Column of folds 1..k */
static int l_kfold(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    lua_settop(L, 2);
    lab_check_options(L, 2, kfold_options);
    if (n < 1 || n > ((lua_Integer)1 << 40)) return luaL_argerror(L, 1, "the number of rows must be positive");
    int k = lab_optint_field(L, 2, "k", 5), shuffle = lab_optbool_field(L, 2, "shuffle", 1);
    uint64_t seed = seed_field(L, 2);
    int *strata = NULL;
    if (!lua_isnil(L, 2) && lua_getfield(L, 2, "stratify") != LUA_TNIL) {
        int si = lua_gettop(L);
        column *c = lab_testcolumn(L, si);
        if (!c) {
            if (!lua_istable(L, si)) return luaL_argerror(L, 2, "field 'stratify' must be a Column or a list of labels");
            c = lab_tocolumn_named(L, si, (size_t)n, "stratify");
            lab_pushcolumn(L, c, NULL);
        }
        if (c->n != (size_t)n)
            return luaL_argerror(L, 2, lua_pushfstring(L, "stratify has %d labels for %d rows", (int)c->n, (int)n));
        if (col_na_count(c)) return luaL_argerror(L, 2, "stratify has missing labels");
        strata = lua_newuserdatauv(L, (size_t)n * sizeof *strata, 0);
        col_free(metrics_labels(c, strata));
    }
    column *f = col_new(COL_INTEGER, (size_t)n, NULL);
    int *fold = lua_newuserdatauv(L, (size_t)n * sizeof *fold, 0);
    lab_pushcolumn(L, f, "fold");
    lab_err e;
    if (kfold_assign((size_t)n, k, seed, shuffle, strata, fold, &e) < 0) return lab_raise(L, &e);
    for (lua_Integer i = 0; i < n; i++) f->i64[i] = fold[i] + 1;
    return 1;
}

static const char *const cv_options[] = {"k", "target", "features", "metrics", "seed", "shuffle", "stratify", NULL};

/* The folds frame: fold, n_test, then one number column per metric (v is
 * row-major, nr x nc). */
static frame *score_frame(column *fold, column *ntest, const char *const *names, int nc, const double *v, size_t nr) {
    frame *f = frame_new();
    f->nrow = nr;
    frame_set_column(f, "fold", fold, NULL);
    frame_set_column(f, "n_test", ntest, NULL);
    for (int j = 0; j < nc; j++) {
        column *c = col_new(COL_NUMBER, nr, NULL);
        for (size_t i = 0; i < nr; i++) c->f64[i] = v[i * (size_t)nc + (size_t)j];
        frame_set_column(f, names[j], c, NULL);
    }
    return f;
}

/* Field `field` of the options table at t: a name or a list of names, into
 * a userdata array (left on the stack); NULL when the field is absent. */
static const char **names_field(lua_State *L, int t, const char *field, int *count) {
    *count = 0;
    if (lua_getfield(L, t, field) == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    int fi = lua_gettop(L);
    const char **names;
    if (lua_type(L, fi) == LUA_TSTRING) {
        names = lua_newuserdatauv(L, sizeof *names, 0);
        names[0] = lua_tostring(L, fi);
        *count = 1;
        return names;
    }
    if (!lua_istable(L, fi))
        luaL_argerror(L, t, lua_pushfstring(L, "field '%s' must be a column name or a list of them", field));
    lua_Integer n = luaL_len(L, fi);
    if (n < 1 || n > 1000000)
        luaL_argerror(L, t, lua_pushfstring(L, "field '%s' must list at least one column", field));
    names = lua_newuserdatauv(L, (size_t)n * sizeof *names, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, fi, i) != LUA_TSTRING)
            luaL_argerror(L, t, lua_pushfstring(L, "field '%s': item %d must be a column name, got %s", field, (int)i,
                                                luaL_typename(L, -1)));
        names[i - 1] = lua_tostring(L, -1); /* the list holds it */
        lua_pop(L, 1);
    }
    *count = (int)n;
    return names;
}

/* lab.cross_validate(model, df, {k=5, target=, features={...}, metrics={...}, seed=0, shuffle=true,
 *   stratify=true}) -> folds (fold, n_test, one column per metric), summary (metric, mean, std) */
static int l_cross_validate(lua_State *L) {
    model *m = lab_testmodel(L, 1);
    if (!m) return luaL_typeerror(L, 1, "model or pipeline");
    frame *f = lab_checkframe(L, 2);
    lua_settop(L, 3);
    luaL_checktype(L, 3, LUA_TTABLE);
    lab_check_options(L, 3, cv_options);
    const char *target = lab_optstr_field(L, 3, "target", m->target);
    if (!target) return luaL_argerror(L, 3, "give the target column: {target=...}");
    int k = lab_optint_field(L, 3, "k", 5), shuffle = lab_optbool_field(L, 3, "shuffle", 1);
    int stratify = lab_optbool_field(L, 3, "stratify", 1);
    uint64_t seed = seed_field(L, 3);
    int nfeat;
    const char **features = names_field(L, 3, "features", &nfeat);
    const char *defaults_c[] = {"accuracy"}, *defaults_r[] = {"rmse", "mae", "r2"};
    const char **metrics;
    int nmetric;
    if (lua_getfield(L, 3, "metrics") != LUA_TNIL) {
        int mi = lua_gettop(L);
        if (lua_type(L, mi) == LUA_TSTRING) {
            metrics = lua_newuserdatauv(L, sizeof *metrics, 0);
            metrics[0] = lua_tostring(L, mi);
            nmetric = 1;
        } else {
            if (!lua_istable(L, mi)) return luaL_argerror(L, 3, "field 'metrics' must be a list of metric names");
            lua_Integer n = luaL_len(L, mi);
            if (n < 1 || n > 64) return luaL_argerror(L, 3, "field 'metrics' must list 1 to 64 metrics");
            metrics = lua_newuserdatauv(L, (size_t)n * sizeof *metrics, 0);
            for (lua_Integer i = 1; i <= n; i++) {
                if (lua_geti(L, mi, i) != LUA_TSTRING)
                    return luaL_argerror(L, 3, lua_pushfstring(L, "metrics: item %d must be a metric name", (int)i));
                metrics[i - 1] = lua_tostring(L, -1);
                lua_pop(L, 1);
            }
            nmetric = (int)n;
        }
    } else if (m->kind->task == MODEL_CLASSIFIER) {
        metrics = defaults_c;
        nmetric = 1;
    } else {
        metrics = defaults_r;
        nmetric = 3;
    }
    if (k < 2 || k > 100000) return luaL_argerror(L, 3, lua_pushfstring(L, "field 'k' must be at least 2, got %d", k));
    double *scores = lua_newuserdatauv(L, (size_t)k * (size_t)nmetric * sizeof *scores, 0);
    size_t *ntest = lua_newuserdatauv(L, (size_t)k * sizeof *ntest, 0);
    lab_err e;
    int rc = cross_validate(m, f, target, features, nfeat, metrics, nmetric, k, seed, shuffle, stratify, scores, ntest, &e);
    if (rc < 0) return lab_raise(L, &e);
    column *fc = col_new(COL_INTEGER, (size_t)k, NULL);
    for (int q = 0; q < k; q++) fc->i64[q] = q + 1;
    column *nt = col_new(COL_INTEGER, (size_t)k, NULL);
    for (int q = 0; q < k; q++) nt->i64[q] = (int64_t)ntest[q];
    frame *folds = score_frame(fc, nt, metrics, nmetric, scores, (size_t)k);
    lab_pushframe(L, folds);
    /* the summary: mean and (population) standard deviation per metric */
    column *names = col_new(COL_STRING, (size_t)nmetric, NULL), *mean = col_new(COL_NUMBER, (size_t)nmetric, NULL),
           *sd = col_new(COL_NUMBER, (size_t)nmetric, NULL);
    for (int j = 0; j < nmetric; j++) {
        names->code[j] = strdict_intern(names->dict, metrics[j], strlen(metrics[j]));
        double s = 0, ss = 0;
        for (int q = 0; q < k; q++) s += scores[(size_t)q * (size_t)nmetric + (size_t)j];
        double mu = s / k;
        for (int q = 0; q < k; q++) {
            double d = scores[(size_t)q * (size_t)nmetric + (size_t)j] - mu;
            ss += d * d;
        }
        mean->f64[j] = mu;
        sd->f64[j] = sqrt(ss / k);
    }
    frame *sum = frame_new();
    sum->nrow = (size_t)nmetric;
    frame_set_column(sum, "metric", names, NULL);
    frame_set_column(sum, "mean", mean, NULL);
    frame_set_column(sum, "std", sd, NULL);
    lab_pushframe(L, sum);
    return 2;
}

/* Argument i as a Column (a Column or a Lua list), owned by the collector. */
static column *arg_labels(lua_State *L, int i) {
    column *c = lab_testcolumn(L, i);
    if (c) return c;
    if (lua_type(L, i) != LUA_TTABLE)
        luaL_argerror(L, i, lua_pushfstring(L, "expected a Column or a list, got %s", luaL_typename(L, i)));
    c = lab_tocolumn(L, i, (size_t)-1);
    lab_pushcolumn(L, c, NULL);
    lua_replace(L, i);
    return c;
}

/* lab.metrics.report(y_true, y_pred) -> frame: class, precision, recall, f1,
 * support; one row per label, then accuracy, macro avg and weighted avg, as
 * scikit-learn's classification_report. */
static int l_report(lua_State *L) {
    lua_settop(L, 2);
    column *a = arg_labels(L, 1), *b = arg_labels(L, 2);
    if (a->n == 0) return luaL_error(L, "report: y_true is empty");
    int *ia = lua_newuserdatauv(L, a->n * sizeof *ia, 0);
    int *ib = lua_newuserdatauv(L, (b->n > a->n ? b->n : a->n) * sizeof *ib, 0);
    column *lab;
    lab_err e;
    if (metrics_encode(a, b, "y_true", "y_pred", ia, ib, &lab, &e) < 0) return luaL_error(L, "report: %s", e.msg);
    lab_pushcolumn(L, lab, NULL);
    int K = (int)lab->n;
    int64_t *M = lua_newuserdatauv(L, (size_t)K * (size_t)K * sizeof *M, 0);
    metrics_confusion(ia, ib, a->n, K, M);
    size_t nr = (size_t)K + 3;
    column *cls = col_new(COL_STRING, nr, NULL), *P = col_new(COL_NUMBER, nr, NULL), *R = col_new(COL_NUMBER, nr, NULL),
           *F = col_new(COL_NUMBER, nr, NULL), *S = col_new(COL_INTEGER, nr, NULL);
    frame *r = frame_new();
    r->nrow = nr;
    frame_set_column(r, "class", cls, NULL);
    frame_set_column(r, "precision", P, NULL);
    frame_set_column(r, "recall", R, NULL);
    frame_set_column(r, "f1", F, NULL);
    frame_set_column(r, "support", S, NULL);
    lab_pushframe(L, r);
    for (int c = 0; c < K; c++) {
        int64_t tp = M[(size_t)c * K + c], pred = 0, truth = 0;
        for (int j = 0; j < K; j++) {
            pred += M[(size_t)j * K + c];
            truth += M[(size_t)c * K + j];
        }
        double p = pred ? (double)tp / (double)pred : 0, rc = truth ? (double)tp / (double)truth : 0;
        char name[256];
        col_format(lab, (size_t)c, name, sizeof name);
        cls->code[c] = strdict_intern(cls->dict, name, strlen(name));
        P->f64[c] = p;
        R->f64[c] = rc;
        F->f64[c] = p + rc > 0 ? 2 * p * rc / (p + rc) : 0;
        S->i64[c] = truth;
    }
    static const char *const tail[] = {"accuracy", "macro avg", "weighted avg"};
    for (int t = 0; t < 3; t++) {
        size_t i = (size_t)K + (size_t)t;
        cls->code[i] = strdict_intern(cls->dict, tail[t], strlen(tail[t]));
        S->i64[i] = (int64_t)a->n;
    }
    size_t ia_row = (size_t)K;
    col_set_na(P, ia_row);
    col_set_na(R, ia_row);
    F->f64[ia_row] = metrics_accuracy(ia, ib, a->n);
    metrics_prf(M, K, METRICS_MACRO, -1, &P->f64[K + 1], &R->f64[K + 1], &F->f64[K + 1]);
    metrics_prf(M, K, METRICS_WEIGHTED, -1, &P->f64[K + 2], &R->f64[K + 2], &F->f64[K + 2]);
    return 1;
}

/* ---- registration ---------------------------------------------------------------------- */

static const luaL_Reg t_methods[] = {{"fit", t_fit},   {"transform", t_transform}, {"fit_transform", t_fit_transform},
                                     {"kind", t_kind}, {"fitted", t_fitted},       {"columns", t_columns},
                                     {NULL, NULL}};

static const luaL_Reg t_meta[] = {{"__gc", t_gc}, {"__close", t_gc}, {"__tostring", t_tostring}, {NULL, NULL}};

void lab_open_transform(lua_State *L) {
    luaL_newmetatable(L, LAB_TRANSFORM);
    luaL_setfuncs(L, t_meta, 0);
    luaL_newlib(L, t_methods);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__methods");
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    static const char *const kinds[] = {"standardize", "minmax", "onehot", "impute", "label_encode"};
    lua_createtable(L, 0, 5);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        lua_pushstring(L, kinds[i]);
        lua_pushcclosure(L, new_transform, 1);
        lua_setfield(L, -2, kinds[i]);
    }
    lua_setfield(L, -2, "transform");
    lua_pushcfunction(L, l_pipeline);
    lua_setfield(L, -2, "pipeline");
    lua_pushcfunction(L, l_kfold);
    lua_setfield(L, -2, "kfold");
    lua_pushcfunction(L, l_cross_validate);
    lua_setfield(L, -2, "cross_validate");
    if (lua_getfield(L, -1, "metrics") == LUA_TTABLE) {
        lua_pushcfunction(L, l_report);
        lua_setfield(L, -2, "report");
    }
    lua_pop(L, 1);
}
