/* lua_model.c — models and metrics from Lua: lab.model.<kind>{...},
 * m:fit / m:predict / m:predict_proba / m:save, lab.load, and lab.metrics.
 *
 * A Model is a userdata holding one engine model (engine/learn/model.h); every
 * kind shares the same methods, and a method a kind does not have fails with
 * the engine's message. Arguments are checked before the engine allocates
 * anything; scratch arrays are Lua userdata, and the engine objects a call
 * makes are pushed (and so owned by the collector) before anything else can
 * raise. The fit callback runs Lua under lua_pcall and turns an error into
 * a stop request, so no Lua error ever unwinds through engine code. */
#include "lab_lua.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "learn/metrics.h"
#include "learn/model.h"
#include "lua_track.h"

#define LAB_MODEL "lab.Model"

typedef struct lmodel {
    model *m;
} lmodel;

static void *scratch(lua_State *L, size_t n) { return lua_newuserdatauv(L, n ? n : 1, 0); }

static model *check_model(lua_State *L, int i) {
    lmodel *u = luaL_checkudata(L, i, LAB_MODEL);
    if (!u->m) luaL_argerror(L, i, "model has been freed");
    return u->m;
}

/* A new empty Model userdata on the stack. */
static lmodel *new_lmodel(lua_State *L) {
    lmodel *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->m = NULL;
    luaL_setmetatable(L, LAB_MODEL);
    return u;
}

void lab_pushmodel(lua_State *L, model *m) {
    new_lmodel(L)->m = m;
}

model *lab_testmodel(lua_State *L, int i) {
    lmodel *u = luaL_testudata(L, i, LAB_MODEL);
    return u ? u->m : NULL;
}

static int model_gc(lua_State *L) {
    lmodel *u = luaL_checkudata(L, 1, LAB_MODEL);
    model_free(u->m);
    u->m = NULL;
    return 0;
}

static int model_tostring(lua_State *L) {
    lmodel *u = luaL_checkudata(L, 1, LAB_MODEL);
    if (!u->m) {
        lua_pushliteral(L, "model (freed)");
        return 1;
    }
    char *s = model_describe(u->m);
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n') n--;
    lua_pushlstring(L, s, n);
    free(s);
    return 1;
}

/* ---- constructors ----------------------------------------------------------------- */

/* Set the hyper-parameters in the options table at t; errors name argument t. */
static void set_params(lua_State *L, model *m, int t) {
    if (lua_isnoneornil(L, t)) return;
    luaL_checktype(L, t, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING) luaL_argerror(L, t, "hyper-parameters are given by name: {C=1, ...}");
        const char *k = lua_tostring(L, -2);
        lab_err e;
        int rc;
        switch (lua_type(L, -1)) {
        case LUA_TNUMBER: rc = model_set_number(m, k, lua_tonumber(L, -1), &e); break;
        case LUA_TBOOLEAN: rc = model_set_number(m, k, lua_toboolean(L, -1), &e); break;
        case LUA_TSTRING: rc = model_set_string(m, k, lua_tostring(L, -1), &e); break;
        default:
            rc = lab_fail(&e, "%s: hyper-parameter '%s' must be a number, boolean or string, got %s", m->kind->name, k,
                          luaL_typename(L, -1));
        }
        if (rc < 0) luaL_argerror(L, t, e.msg);
        lua_pop(L, 1);
    }
}

static int new_model(lua_State *L) {
    const char *kind = lua_tostring(L, lua_upvalueindex(1));
    lua_settop(L, 1);
    if (!lua_isnil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
    lmodel *u = new_lmodel(L);
    lab_err e;
    u->m = model_new(kind, &e);
    if (!u->m) return lab_raise(L, &e);
    set_params(L, u->m, 1);
    return 1;
}

/* ---- fit ------------------------------------------------------------------------------ */

typedef struct fit_cb {
    lua_State *L;
    track_fit *track; /* autolog into the open run (lua_track.c), or NULL */
    int fn;      /* stack index of the Lua function, 0 when there is none */
    int errored; /* the function raised: its message is left at `err` */
    int err;     /* stack index of a slot holding the message */
} fit_cb;

static int call_report(fit_cb *cb, const char *what, const char *key, int nvals) {
    lua_State *L = cb->L;
    /* stack: ... value [step] -> call fn(what, key, value [, step]) */
    lua_pushvalue(L, cb->fn);
    lua_pushstring(L, what);
    lua_pushstring(L, key);
    for (int i = 0; i < nvals; i++) lua_pushvalue(L, -3 - nvals);
    if (lua_pcall(L, 2 + nvals, 0, 0) != LUA_OK) {
        lua_replace(L, cb->err);
        cb->errored = 1;
        lua_pop(L, nvals);
        return 1;
    }
    lua_pop(L, nvals);
    return 0;
}

static int hook_param(void *ud, const model_param *p) {
    fit_cb *cb = ud;
    lua_State *L = cb->L;
    if (cb->track) {
        char num[32];
        const char *v = num;
        if (p->type == MODEL_P_STRING) v = p->str ? p->str : "";
        else if (p->type == MODEL_P_BOOLEAN) v = p->num != 0 ? "true" : "false";
        else if (p->type == MODEL_P_INTEGER) snprintf(num, sizeof num, "%.0f", p->num);
        else lab_fmt_double(num, p->num);
        lab_track_fit_param(cb->track, p->key, v);
    }
    if (!cb->fn) return 0;
    if (!lua_checkstack(L, 8)) return 1;
    switch (p->type) {
    case MODEL_P_STRING: lua_pushstring(L, p->str ? p->str : ""); break;
    case MODEL_P_BOOLEAN: lua_pushboolean(L, p->num != 0); break;
    case MODEL_P_INTEGER: lua_pushinteger(L, (lua_Integer)p->num); break;
    case MODEL_P_NUMBER: lua_pushnumber(L, p->num); break;
    }
    return call_report(cb, "param", p->key, 1);
}

static int hook_figure(void *ud, const char *key, double value, long step) {
    fit_cb *cb = ud;
    lua_State *L = cb->L;
    if (cb->track) lab_track_fit_figure(cb->track, key, value, step);
    if (!cb->fn) return 0;
    if (!lua_checkstack(L, 8)) return 1;
    lua_pushnumber(L, value);
    if (step > 0) {
        lua_pushinteger(L, step);
        return call_report(cb, "figure", key, 2);
    }
    return call_report(cb, "figure", key, 1);
}

static const char *const fit_options[] = {"target", "features", "report", NULL};

/* m:fit(df, {target=col [, features={...}] [, report=function(what, key, value [, step])]}) -> m */
static int m_fit(lua_State *L) {
    model *m = check_model(L, 1);
    frame *f = lab_checkframe(L, 2);
    lua_settop(L, 3);
    lab_check_options(L, 3, fit_options);
    const char *target = lab_optstr_field(L, 3, "target", NULL);
    const char **feats = NULL;
    int nfeat = 0;
    if (!lua_isnil(L, 3) && lua_getfield(L, 3, "features") != LUA_TNIL) {
        int fi = lua_gettop(L);
        if (lua_type(L, fi) == LUA_TSTRING) {
            feats = scratch(L, sizeof *feats);
            feats[0] = lua_tostring(L, fi);
            nfeat = 1;
        } else {
            if (lua_type(L, fi) != LUA_TTABLE)
                return luaL_argerror(L, 3, "field 'features' must be a list of column names");
            lua_Integer n = luaL_len(L, fi);
            if (n < 1 || n > 1000000) return luaL_argerror(L, 3, "field 'features' must list at least one column");
            feats = scratch(L, (size_t)n * sizeof *feats);
            for (lua_Integer k = 1; k <= n; k++) {
                if (lua_geti(L, fi, k) != LUA_TSTRING)
                    return luaL_argerror(L, 3, lua_pushfstring(L, "field 'features': item %d must be a column name, got %s",
                                                               (int)k, luaL_typename(L, -1)));
                feats[k - 1] = lua_tostring(L, -1); /* the list holds it */
                lua_pop(L, 1);
            }
            nfeat = (int)n;
        }
    }
    fit_cb cb = {L, NULL, 0, 0, 0};
    model_hooks hooks = {hook_param, hook_figure, &cb};
    int have_cb = 0;
    if (!lua_isnil(L, 3) && lua_getfield(L, 3, "report") != LUA_TNIL) {
        if (!lua_isfunction(L, -1)) return luaL_argerror(L, 3, "field 'report' must be a function");
        cb.fn = lua_gettop(L);
        lua_pushnil(L);
        cb.err = lua_gettop(L);
        have_cb = 1;
    }
    lab_err e;
    cb.track = lab_track_fit_begin(L, m->kind->name);
    int rc = model_fit(m, f, target, feats, nfeat, have_cb || cb.track ? &hooks : NULL, &e);
    lab_track_fit_end(cb.track, m, rc == 0);
    if (rc < 0) {
        if (cb.errored) { /* the callback's own error, as it raised it */
            lua_pushvalue(L, cb.err);
            return lua_error(L);
        }
        return lab_raise(L, &e);
    }
    lua_pushvalue(L, 1);
    return 1;
}

/* ---- predicting ---------------------------------------------------------------------- */

static int m_predict(lua_State *L) {
    model *m = check_model(L, 1);
    frame *f = lab_checkframe(L, 2);
    lab_err e;
    column *c = model_predict(m, f, &e);
    if (!c) return lab_raise(L, &e);
    lab_pushcolumn(L, c, m->target ? m->target : "cluster");
    return 1;
}

static int m_predict_proba(lua_State *L) {
    model *m = check_model(L, 1);
    frame *f = lab_checkframe(L, 2);
    lab_err e;
    frame *r = model_predict_proba(m, f, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

static int m_transform(lua_State *L) {
    model *m = check_model(L, 1);
    frame *f = lab_checkframe(L, 2);
    lab_err e;
    frame *r = model_transform(m, f, &e);
    if (!r) return lab_raise(L, &e);
    lab_pushframe(L, r);
    return 1;
}

/* ---- files ---------------------------------------------------------------------------- */

static int m_save(lua_State *L) {
    model *m = check_model(L, 1);
    const char *path = luaL_checkstring(L, 2);
    lab_err e;
    if (model_save(m, path, &e) < 0) return lab_raise(L, &e);
    lua_pushvalue(L, 1);
    return 1;
}

/* lab.load(path | "name" | "name@alias" | "name:N"): a file, or a registered
 * model version (when no file of that name exists). */
static int l_load(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    lab_err e;
    char *resolved = NULL;
    if (access(path, F_OK) != 0 && store_is_model_ref(path)) {
        store *s = lab_track_store(L, &e);
        if (!s) return luaL_error(L, "lab.load: %s", e.msg);
        resolved = store_model_resolve(s, path, NULL, &e);
        if (!resolved) return luaL_error(L, "lab.load: %s", e.msg);
        lua_pushstring(L, resolved);
        free(resolved);
        path = lua_tostring(L, -1);
    }
    lmodel *u = new_lmodel(L);
    u->m = model_load(path, &e);
    if (!u->m) return lab_raise(L, &e);
    return 1;
}

/* ---- reading a model ------------------------------------------------------------------- */

static const model_tensor *need_tensor(lua_State *L, const model *m, const char *name, const char *method) {
    if (!m->fitted) luaL_error(L, "%s: the %s model is not fitted; call fit first", method, m->kind->name);
    const model_tensor *t = model_tensor_get(m, name);
    if (!t) luaL_error(L, "%s: a %s model has no %s", method, m->kind->name, name);
    return t;
}

/* m:coef() -> frame {feature, coef} (one column per class for a multinomial model) */
static int m_coef(lua_State *L) {
    model *m = check_model(L, 1);
    const model_tensor *W = need_tensor(L, m, "coef", "coef");
    if (W->rows != (size_t)m->nfeat) return luaL_error(L, "coef: the model's coefficients do not match its features");
    frame *r = frame_new();
    column *names = col_new(COL_STRING, W->rows, NULL);
    for (size_t j = 0; j < W->rows; j++)
        names->code[j] = strdict_intern(names->dict, m->feat[j].name, strlen(m->feat[j].name));
    frame_set_column(r, "feature", names, NULL);
    for (size_t k = 0; k < W->cols; k++) {
        char name[256] = "coef";
        if (W->cols > 1 && m->classes && k < m->classes->n) col_format(m->classes, k, name, sizeof name);
        column *c = col_new(COL_NUMBER, W->rows, NULL);
        memcpy(c->f64, W->data + k * W->rows, W->rows * sizeof *c->f64);
        frame_set_column(r, name, c, NULL);
    }
    lab_pushframe(L, r);
    return 1;
}

/* m:intercept() -> number, or {label = number} for a multinomial model */
static int m_intercept(lua_State *L) {
    model *m = check_model(L, 1);
    const model_tensor *b = need_tensor(L, m, "intercept", "intercept");
    size_t n = b->rows * b->cols;
    if (n == 1) {
        lua_pushnumber(L, b->data[0]);
        return 1;
    }
    lua_createtable(L, 0, (int)n);
    for (size_t k = 0; k < n; k++) {
        if (m->classes && k < m->classes->n) lab_pushcell(L, m->classes, k);
        else lua_pushinteger(L, (lua_Integer)k + 1);
        lua_pushnumber(L, b->data[k]);
        lua_settable(L, -3);
    }
    return 1;
}

static int m_classes(lua_State *L) {
    model *m = check_model(L, 1);
    if (!m->classes) return luaL_error(L, "classes: %s", m->fitted ? "the model is not a classifier" : "the model is not fitted");
    lab_pushcolumn(L, col_ref(m->classes), m->target);
    return 1;
}

static void push_param(lua_State *L, const model_param *p) {
    switch (p->type) {
    case MODEL_P_STRING: lua_pushstring(L, p->str ? p->str : ""); break;
    case MODEL_P_BOOLEAN: lua_pushboolean(L, p->num != 0); break;
    case MODEL_P_INTEGER: lua_pushinteger(L, (lua_Integer)p->num); break;
    case MODEL_P_NUMBER: lua_pushnumber(L, p->num); break;
    }
}

static int m_params(lua_State *L) {
    model *m = check_model(L, 1);
    lua_createtable(L, 0, m->nparam);
    for (int i = 0; i < m->nparam; i++) {
        push_param(L, &m->params[i]);
        lua_setfield(L, -2, m->params[i].key);
    }
    return 1;
}

static int m_figures(lua_State *L) {
    model *m = check_model(L, 1);
    lua_createtable(L, 0, m->nfigure);
    for (int i = 0; i < m->nfigure; i++) {
        lua_pushnumber(L, m->figure[i].value);
        lua_setfield(L, -2, m->figure[i].key);
    }
    return 1;
}

static int m_features(lua_State *L) {
    model *m = check_model(L, 1);
    lua_createtable(L, m->nfeat, 0);
    for (int q = 0; q < m->nfeat; q++) {
        lua_pushstring(L, m->feat[q].name);
        lua_rawseti(L, -2, q + 1);
    }
    return 1;
}

static int m_kind(lua_State *L) {
    lua_pushstring(L, check_model(L, 1)->kind->name);
    return 1;
}

static int m_target(lua_State *L) {
    model *m = check_model(L, 1);
    if (m->target) lua_pushstring(L, m->target);
    else lua_pushnil(L);
    return 1;
}

static int m_hash(lua_State *L) {
    model *m = check_model(L, 1);
    if (!m->fitted) return luaL_error(L, "hash: the %s model is not fitted", m->kind->name);
    char hex[65];
    model_hash(m, hex);
    lua_pushstring(L, hex);
    return 1;
}

/* m:feature_importances() -> frame {feature, importance} (trees, forests, gbm) */
static int m_feature_importances(lua_State *L) {
    model *m = check_model(L, 1);
    const model_tensor *t = need_tensor(L, m, "importance", "feature_importances");
    if (t->rows != (size_t)m->nfeat) return luaL_error(L, "feature_importances: the importances do not match the features");
    frame *r = frame_new();
    column *names = col_new(COL_STRING, t->rows, NULL), *v = col_new(COL_NUMBER, t->rows, NULL);
    for (size_t j = 0; j < t->rows; j++) {
        names->code[j] = strdict_intern(names->dict, m->feat[j].name, strlen(m->feat[j].name));
        v->f64[j] = t->data[j];
    }
    frame_set_column(r, "feature", names, NULL);
    frame_set_column(r, "importance", v, NULL);
    lab_pushframe(L, r);
    return 1;
}

/* m:oob_score() -> number: a forest's out-of-bag accuracy (classes) or R² (numbers) */
static int m_oob_score(lua_State *L) {
    model *m = check_model(L, 1);
    if (!m->fitted) return luaL_error(L, "oob_score: the %s model is not fitted; call fit first", m->kind->name);
    double v = model_figure_get(m, "oob_score");
    if (isnan(v)) return luaL_error(L, "oob_score: a %s model has no out-of-bag score (forests with bootstrap=true have one)", m->kind->name);
    lua_pushnumber(L, v);
    return 1;
}

static int m_fitted(lua_State *L) {
    lua_pushboolean(L, check_model(L, 1)->fitted);
    return 1;
}

/* ---- kmeans and pca: reading their fit ------------------------------------------------ */

/* m:inertia() -> number: kmeans's sum of squared distances to the centres */
static int m_inertia(lua_State *L) {
    model *m = check_model(L, 1);
    need_tensor(L, m, "centers", "inertia");
    lua_pushnumber(L, model_figure_get(m, "inertia"));
    return 1;
}

/* m:centers() -> frame: one row per cluster, one column per feature */
static int m_centers(lua_State *L) {
    model *m = check_model(L, 1);
    const model_tensor *C = need_tensor(L, m, "centers", "centers");
    if (C->cols != (size_t)m->nfeat) return luaL_error(L, "centers: the model's centres do not match its features");
    frame *r = frame_new();
    for (size_t j = 0; j < C->cols; j++) {
        column *c = col_new(COL_NUMBER, C->rows, NULL);
        memcpy(c->f64, C->data + j * C->rows, C->rows * sizeof *c->f64);
        frame_set_column(r, m->feat[j].name, c, NULL);
    }
    r->nrow = C->rows;
    lab_pushframe(L, r);
    return 1;
}

/* m:explained_variance_ratio() -> list: pca's share of the variance per component */
static int m_explained_variance_ratio(lua_State *L) {
    model *m = check_model(L, 1);
    const model_tensor *v = need_tensor(L, m, "explained_variance_ratio", "explained_variance_ratio");
    lua_createtable(L, (int)v->rows, 0);
    for (size_t k = 0; k < v->rows; k++) {
        lua_pushnumber(L, v->data[k]);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

/* m:components() -> frame {feature, PC1..PCn}: pca's components as columns */
static int m_components(lua_State *L) {
    model *m = check_model(L, 1);
    const model_tensor *W = need_tensor(L, m, "components", "components");
    if (W->rows != (size_t)m->nfeat) return luaL_error(L, "components: the model's components do not match its features");
    frame *r = frame_new();
    column *names = col_new(COL_STRING, W->rows, NULL);
    for (size_t j = 0; j < W->rows; j++)
        names->code[j] = strdict_intern(names->dict, m->feat[j].name, strlen(m->feat[j].name));
    frame_set_column(r, "feature", names, NULL);
    for (size_t k = 0; k < W->cols; k++) {
        char name[32];
        snprintf(name, sizeof name, "PC%zu", k + 1);
        column *c = col_new(COL_NUMBER, W->rows, NULL);
        memcpy(c->f64, W->data + k * W->rows, W->rows * sizeof *c->f64);
        frame_set_column(r, name, c, NULL);
    }
    lab_pushframe(L, r);
    return 1;
}

/* ---- lab.metrics --------------------------------------------------------------------------- */

/* Argument i as a Column (a Column or a Lua list), pushed so the collector owns it. */
static column *arg_column(lua_State *L, int i) {
    column *c = lab_testcolumn(L, i);
    if (c) return c;
    if (lua_type(L, i) != LUA_TTABLE) luaL_argerror(L, i, lua_pushfstring(L, "expected a Column or a list, got %s", luaL_typename(L, i)));
    c = lab_tocolumn(L, i, (size_t)-1);
    lab_pushcolumn(L, c, NULL);
    lua_replace(L, i);
    return c;
}

typedef struct labels {
    int *t, *p;
    column *lab;
    size_t n;
} labels;

/* Encode arguments 1 and 2 (y_true, y_pred) into class indices; the labels
 * column is pushed (owned by the collector). */
static labels encode_args(lua_State *L, const char *op) {
    column *a = arg_column(L, 1), *b = arg_column(L, 2);
    labels r;
    r.n = a->n;
    r.t = scratch(L, a->n * sizeof *r.t);
    r.p = scratch(L, (b->n > a->n ? b->n : a->n) * sizeof *r.p);
    lab_err e;
    if (metrics_encode(a, b, "y_true", "y_pred", r.t, r.p, &r.lab, &e) < 0)
        luaL_error(L, "%s: %s", op, e.msg);
    lab_pushcolumn(L, r.lab, NULL);
    if (r.n == 0) luaL_error(L, "%s: y_true is empty", op);
    return r;
}

/* Index of a label given as a Lua value at stack index i; -1 when absent. */
static int find_label(lua_State *L, const column *lab, int i) {
    for (size_t k = 0; k < lab->n; k++) {
        switch (lab->type) {
        case COL_STRING:
            if (lua_type(L, i) == LUA_TSTRING && strcmp(col_str(lab, k), lua_tostring(L, i)) == 0) return (int)k;
            break;
        case COL_BOOLEAN:
            if (lua_type(L, i) == LUA_TBOOLEAN && lua_toboolean(L, i) == lab->b[k]) return (int)k;
            break;
        default:
            if (lua_type(L, i) == LUA_TNUMBER && lua_tonumber(L, i) == col_as_double(lab, k)) return (int)k;
        }
    }
    return -1;
}

/* The positive class for binary metrics: option pos_label, else 1 / true when
 * the labels are numbers or booleans; strings need pos_label. */
static int positive_class(lua_State *L, const labels *r, int opt, const char *op) {
    int top = lua_gettop(L);
    int pos = -1;
    if (!lua_isnoneornil(L, opt) && lua_getfield(L, opt, "pos_label") != LUA_TNIL) {
        pos = find_label(L, r->lab, lua_gettop(L));
        if (pos < 0 && r->lab->n >= 2)
            luaL_argerror(L, opt, lua_pushfstring(L, "pos_label %s is not one of the labels", luaL_tolstring(L, -1, NULL)));
    } else if (r->lab->type == COL_STRING) {
        luaL_argerror(L, opt, lua_pushfstring(L, "%s: the labels are strings: say which is positive with {pos_label=...}", op));
    } else {
        if (r->lab->type == COL_BOOLEAN) lua_pushboolean(L, 1);
        else lua_pushinteger(L, 1);
        pos = find_label(L, r->lab, lua_gettop(L));
    }
    lua_settop(L, top);
    return pos;
}

static const char *const prf_options[] = {"average", "pos_label", NULL};

static int prf(lua_State *L, int which, const char *op) {
    lua_settop(L, 3);
    lab_check_options(L, 3, prf_options);
    const char *avg_s = lab_optstr_field(L, 3, "average", "binary");
    metrics_average avg;
    if (metrics_average_parse(avg_s, &avg) < 0)
        return luaL_argerror(L, 3, lua_pushfstring(L, "average must be binary, macro, micro or weighted, got '%s'", avg_s));
    labels r = encode_args(L, op);
    int K = (int)r.lab->n, pos = -1;
    if (avg == METRICS_BINARY) {
        if (K > 2)
            return luaL_error(L, "%s: %d labels; average='binary' needs two (use average='macro', 'micro' or 'weighted')", op, K);
        pos = positive_class(L, &r, 3, op);
    }
    int64_t *M = scratch(L, (size_t)K * (size_t)K * sizeof *M);
    metrics_confusion(r.t, r.p, r.n, K, M);
    double v[3];
    metrics_prf(M, K, avg, pos, &v[0], &v[1], &v[2]);
    lua_pushnumber(L, v[which]);
    return 1;
}

static int l_precision(lua_State *L) { return prf(L, 0, "precision"); }
static int l_recall(lua_State *L) { return prf(L, 1, "recall"); }
static int l_f1(lua_State *L) { return prf(L, 2, "f1"); }

static int l_accuracy(lua_State *L) {
    labels r = encode_args(L, "accuracy");
    lua_pushnumber(L, metrics_accuracy(r.t, r.p, r.n));
    return 1;
}

/* lab.metrics.confusion(y_true, y_pred) -> frame: a column "true" with the
 * labels, then one integer column of counts per predicted label. */
static int l_confusion(lua_State *L) {
    lua_settop(L, 2);
    labels r = encode_args(L, "confusion");
    int K = (int)r.lab->n;
    int64_t *M = scratch(L, (size_t)K * (size_t)K * sizeof *M);
    metrics_confusion(r.t, r.p, r.n, K, M);
    frame *f = frame_new();
    frame_set_column(f, "true", col_ref(r.lab), NULL);
    for (int b = 0; b < K; b++) {
        char name[256];
        col_format(r.lab, (size_t)b, name, sizeof name);
        if (frame_find(f, name) >= 0) {
            size_t len = strlen(name);
            snprintf(name + len, sizeof name - len, " (pred)");
        }
        column *c = col_new(COL_INTEGER, (size_t)K, NULL);
        for (int a = 0; a < K; a++) c->i64[a] = M[(size_t)a * (size_t)K + (size_t)b];
        frame_set_column(f, name, c, NULL);
    }
    lab_pushframe(L, f);
    return 1;
}

static const char *const pos_options[] = {"pos_label", NULL};

/* lab.metrics.roc_auc(y_true, score [, {pos_label=}]) */
static int l_roc_auc(lua_State *L) {
    lua_settop(L, 3);
    lab_check_options(L, 3, pos_options);
    column *a = arg_column(L, 1), *s = arg_column(L, 2);
    if (s->type == COL_STRING) return luaL_argerror(L, 2, "scores must be numbers");
    if (s->n != a->n) return luaL_error(L, "roc_auc: y_true has %d values but the scores %d", (int)a->n, (int)s->n);
    int *y = scratch(L, a->n * sizeof *y);
    double *sc = scratch(L, a->n * sizeof *sc);
    for (size_t i = 0; i < s->n; i++) {
        if (col_is_na(s, i)) return luaL_error(L, "roc_auc: score %d is missing", (int)i + 1);
        sc[i] = col_as_double(s, i);
    }
    labels r;
    r.n = a->n;
    r.t = y;
    for (size_t i = 0; i < a->n; i++)
        if (col_is_na(a, i)) return luaL_error(L, "roc_auc: y_true has a missing value at position %d", (int)i + 1);
    r.lab = metrics_labels(a, y);
    lab_pushcolumn(L, r.lab, NULL);
    if (r.lab->n > 2) return luaL_error(L, "roc_auc: y_true has %d labels; roc_auc is for two classes", (int)r.lab->n);
    int pos = positive_class(L, &r, 3, "roc_auc");
    for (size_t i = 0; i < a->n; i++) y[i] = y[i] == pos;
    double auc;
    lab_err e;
    if (metrics_roc_auc(y, sc, a->n, &auc, &e) < 0) return lab_raise(L, &e);
    lua_pushnumber(L, auc);
    return 1;
}

/* lab.metrics.log_loss(y_true, proba): proba is a frame with one column per
 * label (named by the label's text, as predict_proba gives), or for two
 * labels a column of the probability of the second (positive) label. */
static int l_log_loss(lua_State *L) {
    lua_settop(L, 2);
    column *a = arg_column(L, 1);
    frame *pf = lab_testframe(L, 2);
    column *pc = pf ? NULL : arg_column(L, 2);
    for (size_t i = 0; i < a->n; i++)
        if (col_is_na(a, i)) return luaL_error(L, "log_loss: y_true has a missing value at position %d", (int)i + 1);
    int *t = scratch(L, a->n * sizeof *t);
    column *lab = metrics_labels(a, t);
    lab_pushcolumn(L, lab, NULL);
    size_t n = a->n;
    int K = pf ? pf->ncol : 2;
    if (pf && pf->nrow != n) return luaL_error(L, "log_loss: y_true has %d values but proba %d rows", (int)n, (int)pf->nrow);
    if (pc && pc->n != n) return luaL_error(L, "log_loss: y_true has %d values but proba %d", (int)n, (int)pc->n);
    if (K < 2) return luaL_argerror(L, 2, "proba needs a column per label");
    if (!pf && lab->n > 2) return luaL_argerror(L, 2, "more than two labels: give a frame with one column per label");
    double *P = scratch(L, n * (size_t)K * sizeof *P);
    if (pf) {
        /* the label of each column: by name */
        int *map = scratch(L, lab->n * sizeof *map);
        for (size_t k = 0; k < lab->n; k++) {
            char name[256];
            col_format(lab, k, name, sizeof name);
            map[k] = frame_find(pf, name);
            if (map[k] < 0)
                return luaL_argerror(L, 2, lua_pushfstring(L, "proba has no column '%s' for label '%s'", name, name));
        }
        for (int j = 0; j < K; j++) {
            const column *c = pf->cols[j];
            if (c->type == COL_STRING) return luaL_argerror(L, 2, lua_pushfstring(L, "column '%s' is not numeric", pf->names[j]));
            for (size_t i = 0; i < n; i++) P[(size_t)j * n + i] = col_as_double(c, i);
        }
        /* t indexes labels; re-point it at frame columns */
        for (size_t i = 0; i < n; i++) t[i] = map[t[i]];
    } else {
        if (pc->type == COL_STRING) return luaL_argerror(L, 2, "probabilities must be numbers");
        for (size_t i = 0; i < n; i++) {
            double p = col_as_double(pc, i);
            P[i] = 1 - p;
            P[n + i] = p;
        }
        if (lab->n == 1) return luaL_error(L, "log_loss: y_true holds one label; give a frame with one column per label");
    }
    double v;
    lab_err e;
    if (metrics_log_loss(t, P, n, K, &v, &e) < 0) return lab_raise(L, &e);
    lua_pushnumber(L, v);
    return 1;
}

/* Two numeric arguments as doubles (scratch), for the regression metrics. */
static size_t two_numeric(lua_State *L, const char *op, double **t, double **p) {
    column *a = arg_column(L, 1), *b = arg_column(L, 2);
    if (a->type == COL_STRING) luaL_argerror(L, 1, "y_true must be numbers");
    if (b->type == COL_STRING) luaL_argerror(L, 2, "y_pred must be numbers");
    if (a->n != b->n) luaL_error(L, "%s: y_true has %d values but y_pred %d", op, (int)a->n, (int)b->n);
    if (a->n == 0) luaL_error(L, "%s: no values", op);
    *t = scratch(L, a->n * sizeof **t);
    *p = scratch(L, a->n * sizeof **p);
    for (size_t i = 0; i < a->n; i++) {
        if (col_is_na(a, i)) luaL_error(L, "%s: y_true has a missing value at position %d", op, (int)i + 1);
        if (col_is_na(b, i)) luaL_error(L, "%s: y_pred has a missing value at position %d", op, (int)i + 1);
        (*t)[i] = col_as_double(a, i);
        (*p)[i] = col_as_double(b, i);
    }
    return a->n;
}

static int l_rmse(lua_State *L) {
    double *t, *p;
    size_t n = two_numeric(L, "rmse", &t, &p);
    lua_pushnumber(L, metrics_rmse(t, p, n));
    return 1;
}

static int l_mae(lua_State *L) {
    double *t, *p;
    size_t n = two_numeric(L, "mae", &t, &p);
    lua_pushnumber(L, metrics_mae(t, p, n));
    return 1;
}

static int l_r2(lua_State *L) {
    double *t, *p;
    size_t n = two_numeric(L, "r2", &t, &p);
    lua_pushnumber(L, metrics_r2(t, p, n));
    return 1;
}

/* ---- registration ---------------------------------------------------------------------------- */

static const luaL_Reg model_methods[] = {
    {"fit", m_fit},           {"predict", m_predict},     {"predict_proba", m_predict_proba},
    {"transform", m_transform}, {"save", m_save},         {"coef", m_coef},
    {"intercept", m_intercept}, {"classes", m_classes},   {"params", m_params},
    {"figures", m_figures},   {"features", m_features},   {"kind", m_kind},
    {"target", m_target},     {"hash", m_hash},           {"fitted", m_fitted},
    {"inertia", m_inertia},   {"centers", m_centers},
    {"explained_variance_ratio", m_explained_variance_ratio}, {"components", m_components},
    {"feature_importances", m_feature_importances}, {"oob_score", m_oob_score},
    {NULL, NULL}};

static const luaL_Reg model_meta[] = {
    {"__gc", model_gc}, {"__close", model_gc}, {"__tostring", model_tostring}, {NULL, NULL}};

static const luaL_Reg metrics_fns[] = {
    {"accuracy", l_accuracy}, {"precision", l_precision}, {"recall", l_recall}, {"f1", l_f1},
    {"roc_auc", l_roc_auc},   {"log_loss", l_log_loss},   {"confusion", l_confusion},
    {"rmse", l_rmse},         {"mae", l_mae},             {"r2", l_r2},
    {NULL, NULL}};

void lab_open_model(lua_State *L) {
    luaL_newmetatable(L, LAB_MODEL);
    luaL_setfuncs(L, model_meta, 0);
    luaL_newlib(L, model_methods);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__methods");
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    /* lab.model.<kind>: one constructor per kind, the kind's name as upvalue */
    static const char *const kinds[] = {"linear", "logistic",
        "kmeans", "pca", "knn", "knn_regressor", "naive_bayes",
        "tree", "tree_regressor", "forest", "forest_regressor", "gbm", "gbm_regressor"};
    lua_createtable(L, 0, 2);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        lua_pushstring(L, kinds[i]);
        lua_pushcclosure(L, new_model, 1);
        lua_setfield(L, -2, kinds[i]);
    }
    lua_setfield(L, -2, "model");
    luaL_newlib(L, metrics_fns);
    lua_setfield(L, -2, "metrics");
    lua_pushcfunction(L, l_load);
    lua_setfield(L, -2, "load");
}
