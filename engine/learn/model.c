/* model.c — the model object: kinds, hyper-parameters, the feature schema,
 * design matrices, class labels, and the generic fit / predict around the
 * kinds' own functions (see model.h).
 *
 * Everything a frame can get wrong is checked here, once, so that every kind
 * sees a clean matrix of doubles: the kinds stay short and the error messages
 * stay the same across kinds. The cost is one copy of the features into a
 * column-major matrix per fit and per predict, which is what LAPACK and BLAS
 * want anyway. */
#include "model.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "metrics.h"
#include "pipeline.h"

static const model_kind *const kinds[] = {&model_kind_linear, &model_kind_logistic,
    &model_kind_kmeans, &model_kind_pca, &model_kind_knn, &model_kind_knn_regressor, &model_kind_naive_bayes,
    &model_kind_tree, &model_kind_tree_regressor, &model_kind_forest, &model_kind_forest_regressor,
    &model_kind_gbm, &model_kind_gbm_regressor};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

const model_kind *model_kind_find(const char *name) {
    for (int i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i]->name, name) == 0) return kinds[i];
    return NULL;
}

const char *model_kind_list(void) { return "linear, logistic, kmeans, pca, knn, knn_regressor, naive_bayes, tree, tree_regressor, forest, forest_regressor, gbm, gbm_regressor"; }

void model_matrix_free(model_matrix *X) {
    if (!X) return;
    free(X->x);
    free(X);
}

/* ---- the object ------------------------------------------------------------- */

model *model_new(const char *kind, lab_err *e) {
    const model_kind *k = model_kind_find(kind);
    if (!k) {
        lab_fail(e, "model: unknown kind '%s' (known: %s)", kind, model_kind_list());
        return NULL;
    }
    model *m = xcalloc(1, sizeof *m);
    m->kind = k;
    m->nparam = k->nparams;
    m->params = xcalloc((size_t)(k->nparams ? k->nparams : 1), sizeof *m->params);
    for (int i = 0; i < k->nparams; i++) {
        const model_param_spec *s = &k->params[i];
        m->params[i].key = s->key;
        m->params[i].type = s->type;
        m->params[i].num = s->def;
        m->params[i].str = s->type == MODEL_P_STRING && s->def_str ? xstrdup(s->def_str) : NULL;
    }
    return m;
}

/* Drop everything a fit made. */
static void clear_fitted(model *m) {
    for (int i = 0; i < m->nfeat; i++) {
        free(m->feat[i].name);
        for (uint32_t k = 0; k < m->feat[i].nlevels; k++) free(m->feat[i].levels[k]);
        free(m->feat[i].levels);
    }
    free(m->feat);
    m->feat = NULL;
    m->nfeat = 0;
    free(m->target);
    m->target = NULL;
    col_free(m->classes);
    m->classes = NULL;
    for (int i = 0; i < m->ntensor; i++) {
        free(m->tensor[i].name);
        free(m->tensor[i].data);
    }
    free(m->tensor);
    m->tensor = NULL;
    m->ntensor = 0;
    for (int i = 0; i < m->nfigure; i++) free(m->figure[i].key);
    free(m->figure);
    m->figure = NULL;
    m->nfigure = 0;
    m->n_train = 0;
    m->fitted = 0;
}

void model_free(model *m) {
    if (!m) return;
    clear_fitted(m);
    pipeline_free_steps(m);
    for (int i = 0; i < m->nparam; i++) free(m->params[i].str);
    free(m->params);
    free(m);
}

/* ---- hyper-parameters ---------------------------------------------------------- */

static const char *ptype_name(model_ptype t) {
    switch (t) {
    case MODEL_P_NUMBER: return "a number";
    case MODEL_P_INTEGER: return "an integer";
    case MODEL_P_BOOLEAN: return "a boolean";
    case MODEL_P_STRING: return "a string";
    }
    return "?";
}

static int find_param(const model *m, const char *key, lab_err *e) {
    for (int i = 0; i < m->nparam; i++)
        if (strcmp(m->params[i].key, key) == 0) return i;
    strbuf b = {0};
    for (int i = 0; i < m->nparam; i++) {
        if (i) strbuf_adds(&b, ", ");
        strbuf_adds(&b, m->params[i].key);
    }
    lab_fail(e, "%s: unknown hyper-parameter '%s' (known: %s)", m->kind->name, key, b.s ? b.s : "none");
    free(b.s);
    return -1;
}

int model_set_number(model *m, const char *key, double v, lab_err *e) {
    int i = find_param(m, key, e);
    if (i < 0) return -1;
    const model_param_spec *s = &m->kind->params[i];
    if (s->type == MODEL_P_STRING)
        return lab_fail(e, "%s: hyper-parameter '%s' must be a string (%s)", m->kind->name, key, s->choices ? s->choices : "any");
    if (s->type == MODEL_P_INTEGER && (v != floor(v) || !isfinite(v)))
        return lab_fail(e, "%s: hyper-parameter '%s' must be an integer, got %g", m->kind->name, key, v);
    if (s->type == MODEL_P_BOOLEAN && v != 0 && v != 1)
        return lab_fail(e, "%s: hyper-parameter '%s' must be a boolean", m->kind->name, key);
    if (s->type != MODEL_P_BOOLEAN && (isnan(v) || v < s->lo || v > s->hi || (s->lo_open && v == s->lo))) {
        char lo[32], hi[32];
        lab_fmt_double(lo, s->lo);
        lab_fmt_double(hi, s->hi);
        return lab_fail(e, "%s: hyper-parameter '%s' must be in %s%s, %s], got %g", m->kind->name, key,
                        s->lo_open ? "(" : "[", lo, hi, v);
    }
    m->params[i].num = v;
    clear_fitted(m);
    return 0;
}

int model_set_string(model *m, const char *key, const char *v, lab_err *e) {
    int i = find_param(m, key, e);
    if (i < 0) return -1;
    const model_param_spec *s = &m->kind->params[i];
    if (s->type != MODEL_P_STRING)
        return lab_fail(e, "%s: hyper-parameter '%s' must be %s, got a string", m->kind->name, key, ptype_name(s->type));
    if (s->choices) {
        int ok = 0;
        size_t len = strlen(v);
        for (const char *p = s->choices; *p;) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            if (n == len && memcmp(p, v, n) == 0) ok = 1;
            p += n + (bar ? 1 : 0);
        }
        if (!ok) return lab_fail(e, "%s: hyper-parameter '%s' must be one of %s, got '%s'", m->kind->name, key, s->choices, v);
    }
    free(m->params[i].str);
    m->params[i].str = xstrdup(v);
    clear_fitted(m);
    return 0;
}

const model_param *model_param_get(const model *m, const char *key) {
    for (int i = 0; i < m->nparam; i++)
        if (strcmp(m->params[i].key, key) == 0) return &m->params[i];
    return NULL;
}

double model_param_num(const model *m, const char *key) {
    const model_param *p = model_param_get(m, key);
    return p ? p->num : NAN;
}

/* ---- tensors and figures ------------------------------------------------------- */

double *model_tensor_new(model *m, const char *name, size_t rows, size_t cols) {
    model_tensor *t = NULL;
    for (int i = 0; i < m->ntensor; i++)
        if (strcmp(m->tensor[i].name, name) == 0) t = &m->tensor[i];
    if (!t) {
        m->tensor = xrealloc(m->tensor, (size_t)(m->ntensor + 1) * sizeof *m->tensor);
        t = &m->tensor[m->ntensor++];
        t->name = xstrdup(name);
    } else {
        free(t->data);
    }
    t->rows = rows;
    t->cols = cols;
    t->data = xcalloc(rows && cols ? rows * cols : 1, sizeof(double));
    return t->data;
}

const model_tensor *model_tensor_get(const model *m, const char *name) {
    for (int i = 0; i < m->ntensor; i++)
        if (strcmp(m->tensor[i].name, name) == 0) return &m->tensor[i];
    return NULL;
}

void model_set_figure(model *m, const char *key, double value) {
    for (int i = 0; i < m->nfigure; i++)
        if (strcmp(m->figure[i].key, key) == 0) {
            m->figure[i].value = value;
            return;
        }
    m->figure = xrealloc(m->figure, (size_t)(m->nfigure + 1) * sizeof *m->figure);
    m->figure[m->nfigure].key = xstrdup(key);
    m->figure[m->nfigure].value = value;
    m->nfigure++;
}

double model_figure_get(const model *m, const char *key) {
    for (int i = 0; i < m->nfigure; i++)
        if (strcmp(m->figure[i].key, key) == 0) return m->figure[i].value;
    return NAN;
}

int model_report(const model_fit_data *d, const char *key, double value, long step, lab_err *e) {
    if (d->hooks && d->hooks->figure && d->hooks->figure(d->hooks->ud, key, value, step))
        return lab_fail(e, "fit: stopped by the callback");
    return 0;
}

/* ---- fitting ------------------------------------------------------------------- */

static int is_numeric(col_type t) { return t == COL_NUMBER || t == COL_INTEGER || t == COL_BOOLEAN; }

/* Copy feature column c into x[0..n) as doubles. */
static void copy_feature(const column *c, double *x) {
    switch (c->type) {
    case COL_NUMBER: memcpy(x, c->f64, c->n * sizeof *x); break;
    case COL_INTEGER:
        for (size_t i = 0; i < c->n; i++) x[i] = (double)c->i64[i];
        break;
    case COL_BOOLEAN:
        for (size_t i = 0; i < c->n; i++) x[i] = c->b[i];
        break;
    case COL_STRING: break;
    }
}

/* Work on feature columns cols[0..ncols) of f, split by columns between two
 * threads for much data: copying them into a design matrix x (n x ncols,
 * column-major; the cost is mostly the kernel clearing the fresh pages, which
 * then happens on both cores), or finding their first missing rows. */
typedef struct column_job {
    const frame *f;
    const int *cols;
    int q0, q1;
    double *x;
    size_t *miss;
} column_job;

static void *copy_part(void *arg) {
    column_job *J = arg;
    for (int q = J->q0; q < J->q1; q++) copy_feature(J->f->cols[J->cols[q]], J->x + (size_t)q * J->f->nrow);
    return NULL;
}

/* fn(J) on two threads for many values (the columns halved between J[0]
 * and J[1]), else on this one. */
static void columns_on_two(void *(*fn)(void *), column_job *J, size_t n, int ncols) {
    pthread_t th;
    int threaded = 0;
    if ((double)n * ncols >= 1e6 && ncols > 1) {
        J[0].q1 = J[1].q0 = ncols / 2;
        threaded = pthread_create(&th, NULL, fn, &J[1]) == 0;
    }
    fn(&J[0]);
    if (threaded) pthread_join(th, NULL);
    else fn(&J[1]);
}

static void copy_features(const frame *f, const int *cols, int ncols, double *x) {
    column_job J[2] = {{f, cols, 0, ncols, x, NULL}, {f, cols, ncols, ncols, x, NULL}};
    columns_on_two(copy_part, J, f->nrow, ncols);
}

/* miss[q]: the first missing row of numeric feature column cols[q]
 * (col_first_missing; SIZE_MAX for none, and for string columns, which are
 * refused for their type first). */
static void *missing_part(void *arg) {
    column_job *J = arg;
    for (int q = J->q0; q < J->q1; q++) {
        const column *c = J->f->cols[J->cols[q]];
        J->miss[q] = c->type == COL_STRING ? SIZE_MAX : col_first_missing(c);
    }
    return NULL;
}

static void first_missing_rows(const frame *f, const int *cols, int ncols, size_t *miss) {
    column_job J[2] = {{f, cols, 0, ncols, NULL, miss}, {f, cols, ncols, ncols, NULL, miss}};
    columns_on_two(missing_part, J, f->nrow, ncols);
}

static int check_schema_names(const frame *f, const char *target, const char *const *features, int nfeat,
                              int *cols, lab_err *e) {
    for (int k = 0; k < nfeat; k++) {
        lab_err le;
        int j = frame_lookup(f, features[k], &le);
        if (j < 0) return lab_fail(e, "fit: features: %s", le.msg);
        if (target && strcmp(features[k], target) == 0)
            return lab_fail(e, "fit: column '%s' is the target; it cannot be a feature too", target);
        for (int q = 0; q < k; q++)
            if (cols[q] == j) return lab_fail(e, "fit: features: column '%s' is listed twice", features[k]);
        cols[k] = j;
    }
    return 0;
}

static int fit_kind(model *m, const frame *f, const char *target, const char *const *features, int nfeat,
                    const model_hooks *hooks, lab_err *e);

int model_fit(model *m, const frame *f, const char *target, const char *const *features, int nfeat,
              const model_hooks *hooks, lab_err *e) {
    if (!m->nstep) return fit_kind(m, f, target, features, nfeat, hooks, e);
    /* a pipeline: the steps, then the kind on their output */
    clear_fitted(m);
    if (pipeline_report_params(m, hooks, e) < 0) return -1;
    frame *g = pipeline_fit_steps(m, f, target, features, nfeat, e);
    if (!g) return -1;
    int rc = fit_kind(m, g, target, NULL, 0, hooks, e);
    frame_free(g);
    return rc;
}

static int fit_kind(model *m, const frame *f, const char *target, const char *const *features, int nfeat,
                    const model_hooks *hooks, lab_err *e) {
    const model_kind *k = m->kind;
    int supervised = k->task == MODEL_REGRESSOR || k->task == MODEL_CLASSIFIER;
    int *cols = NULL, *cls = NULL;
    double *y = NULL, *converted = NULL;
    const double **view = NULL;
    size_t *miss = NULL;
    model_matrix X = {0};
    int ty = -1, rc = -1;
    clear_fitted(m);
    if (supervised && !target) return lab_fail(e, "fit: %s needs a target column (target=...)", k->name);
    if (!supervised && target)
        return lab_fail(e, "fit: %s learns without a target; drop target='%s'", k->name, target);
    if (target) {
        lab_err le;
        ty = frame_lookup(f, target, &le);
        if (ty < 0) return lab_fail(e, "fit: target: %s", le.msg);
    }
    int ncols = features ? nfeat : f->ncol - (ty >= 0);
    cols = xmalloc((size_t)(ncols > 0 ? ncols : 1) * sizeof *cols);
    if (features) {
        if (check_schema_names(f, target, features, nfeat, cols, e) < 0) goto done;
    } else {
        int q = 0;
        for (int j = 0; j < f->ncol; j++)
            if (j != ty) cols[q++] = j;
    }
    if (ncols == 0) {
        lab_fail(e, "fit: no feature columns");
        goto done;
    }
    if (f->nrow == 0) {
        lab_fail(e, "fit: the frame has no rows");
        goto done;
    }
    miss = xmalloc((size_t)ncols * sizeof *miss);
    first_missing_rows(f, cols, ncols, miss);
    for (int q = 0; q < ncols; q++) {
        const column *c = f->cols[cols[q]];
        const char *name = f->names[cols[q]];
        if (!is_numeric(c->type)) {
            lab_fail(e, "fit: feature column '%s' is a string column; %s takes number, integer or boolean features "
                        "(encode it first, or leave it out with features={...})", name, k->name);
            goto done;
        }
        if (miss[q] != SIZE_MAX) {
            lab_fail(e, "fit: feature column '%s' has a missing value at row %zu; impute it or drop those rows "
                        "(df:dropna)", name, miss[q] + 1);
            goto done;
        }
    }
    if (ty >= 0) {
        const column *c = f->cols[ty];
        size_t r = col_first_missing(c);
        if (r != SIZE_MAX) {
            lab_fail(e, "fit: target column '%s' has a missing value at row %zu", target, r + 1);
            goto done;
        }
        if (k->task == MODEL_REGRESSOR && !is_numeric(c->type)) {
            lab_fail(e, "fit: target column '%s' is a string column; %s predicts numbers", target, k->name);
            goto done;
        }
    }
    /* the design matrix: a copy, or a view of the number columns for kinds
     * that take one (the others converted) */
    X.n = f->nrow;
    X.p = ncols;
    if (k->fit_columns) {
        view = xmalloc((size_t)ncols * sizeof *view);
        size_t nconv = 0;
        for (int q = 0; q < ncols; q++) nconv += f->cols[cols[q]]->type != COL_NUMBER;
        converted = nconv ? xmalloc(nconv * X.n * sizeof *converted) : NULL;
        for (int q = 0, c = 0; q < ncols; q++) {
            const column *col = f->cols[cols[q]];
            if (col->type == COL_NUMBER) {
                view[q] = col->f64;
            } else {
                double *x = converted + (size_t)c++ * X.n;
                copy_feature(col, x);
                view[q] = x;
            }
        }
        X.cols = view;
    } else {
        X.x = xmalloc_big(X.n * (size_t)ncols * sizeof *X.x);
        copy_features(f, cols, ncols, X.x);
    }
    model_fit_data d = {&X, NULL, NULL, 0, hooks};
    if (k->task == MODEL_REGRESSOR) {
        y = xmalloc(X.n * sizeof *y);
        copy_feature(f->cols[ty], y);
        d.y = y;
    } else if (k->task == MODEL_CLASSIFIER) {
        cls = xmalloc(X.n * sizeof *cls);
        m->classes = metrics_labels(f->cols[ty], cls);
        if (m->classes->n < 2) {
            lab_fail(e, "fit: target column '%s' has only one class; a classifier needs at least two", target);
            goto done;
        }
        d.cls = cls;
        d.nclass = (int)m->classes->n;
    }
    /* the schema */
    m->nfeat = ncols;
    m->feat = xcalloc((size_t)ncols, sizeof *m->feat);
    for (int q = 0; q < ncols; q++) {
        m->feat[q].name = xstrdup(f->names[cols[q]]);
        m->feat[q].type = f->cols[cols[q]]->type;
    }
    if (target) {
        m->target = xstrdup(target);
        m->target_type = f->cols[ty]->type;
    }
    m->n_train = X.n;
    if (hooks && hooks->param)
        for (int i = 0; i < m->nparam; i++)
            if (hooks->param(hooks->ud, &m->params[i])) {
                lab_fail(e, "fit: stopped by the callback");
                goto done;
            }
    if (k->fit(m, &d, e) < 0) goto done;
    m->fitted = 1;
    for (int i = 0; i < m->nfigure; i++)
        if (model_report(&d, m->figure[i].key, m->figure[i].value, 0, e) < 0) goto done;
    rc = 0;
done:
    if (rc < 0) clear_fitted(m);
    free(cols);
    free(cls);
    free(y);
    free(miss);
    free(view);
    free(converted);
    free(X.x);
    return rc;
}

/* ---- predicting ------------------------------------------------------------------ */

static model_matrix *design_kind(const model *m, const frame *f, const char *op, lab_err *e);

model_matrix *model_design(const model *m, const frame *f, const char *op, lab_err *e) {
    if (!m->fitted) {
        lab_fail(e, "%s: the %s model is not fitted; call fit first", op, m->kind->name);
        return NULL;
    }
    if (!m->nstep) return design_kind(m, f, op, e);
    /* a pipeline: the fitted steps first */
    frame *g = pipeline_apply_steps(m, f, op, e);
    if (!g) return NULL;
    model_matrix *X = design_kind(m, g, op, e);
    frame_free(g);
    return X;
}

static model_matrix *design_kind(const model *m, const frame *f, const char *op, lab_err *e) {
    for (int q = 0; q < m->nfeat; q++) {
        const model_feature *ft = &m->feat[q];
        int j = frame_find(f, ft->name);
        if (j < 0) {
            lab_fail(e, "%s: the frame has no column '%s', which the model was trained on (a %s column)", op, ft->name,
                     col_type_name(ft->type));
            return NULL;
        }
        col_type t = f->cols[j]->type;
        int ok = t == ft->type || ((t == COL_NUMBER || t == COL_INTEGER) && (ft->type == COL_NUMBER || ft->type == COL_INTEGER));
        if (!ok) {
            lab_fail(e, "%s: column '%s' is a %s column; the model was trained on a %s column", op, ft->name,
                     col_type_name(t), col_type_name(ft->type));
            return NULL;
        }
        size_t r = col_first_missing(f->cols[j]);
        if (r != SIZE_MAX) {
            lab_fail(e, "%s: column '%s' has a missing value at row %zu; impute it or drop those rows", op, ft->name, r + 1);
            return NULL;
        }
    }
    model_matrix *X = xmalloc(sizeof *X);
    X->n = f->nrow;
    X->p = m->nfeat;
    X->x = xmalloc_big((X->n ? X->n : 1) * (size_t)(X->p ? X->p : 1) * sizeof *X->x);
    int *cols = xmalloc((size_t)(m->nfeat ? m->nfeat : 1) * sizeof *cols);
    for (int q = 0; q < m->nfeat; q++) cols[q] = frame_find(f, m->feat[q].name);
    copy_features(f, cols, m->nfeat, X->x);
    free(cols);
    return X;
}

/* Class index of each row from the probabilities (the first class wins ties). */
static void argmax_rows(const double *P, size_t n, int K, double *out) {
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        for (int k = 1; k < K; k++)
            if (P[(size_t)k * n + i] > P[(size_t)best * n + i]) best = k;
        out[i] = best;
    }
}

column *model_predict(const model *m, const frame *f, lab_err *e) {
    const model_kind *k = m->kind;
    if (k->task == MODEL_TRANSFORMER) {
        lab_fail(e, "predict: %s is a transform; use transform", k->name);
        return NULL;
    }
    model_matrix *X = model_design(m, f, "predict", e);
    if (!X) return NULL;
    size_t n = X->n;
    double *out = xmalloc((n ? n : 1) * sizeof *out);
    column *c = NULL;
    int rc;
    if (k->task == MODEL_CLASSIFIER && !k->predict) {
        int K = (int)m->classes->n;
        double *P = xmalloc((n ? n : 1) * (size_t)K * sizeof *P);
        rc = k->predict_proba(m, X, P, e);
        if (rc == 0) argmax_rows(P, n, K, out);
        free(P);
    } else {
        rc = k->predict(m, X, out, e);
    }
    if (rc < 0) goto done;
    if (k->task == MODEL_REGRESSOR) {
        c = col_wrap(COL_NUMBER, n, out, NULL, NULL);
        out = NULL;
    } else if (k->task == MODEL_CLASSIFIER) {
        size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
        for (size_t i = 0; i < n; i++) idx[i] = (size_t)out[i];
        c = col_take(m->classes, idx, n);
        free(idx);
    } else {
        c = col_new(COL_INTEGER, n, NULL);
        for (size_t i = 0; i < n; i++) c->i64[i] = (int64_t)out[i] + 1;
    }
done:
    free(out);
    model_matrix_free(X);
    return c;
}

frame *model_predict_proba(const model *m, const frame *f, lab_err *e) {
    if (m->kind->task != MODEL_CLASSIFIER || !m->kind->predict_proba) {
        lab_fail(e, "predict_proba: %s is not a classifier", m->kind->name);
        return NULL;
    }
    model_matrix *X = model_design(m, f, "predict_proba", e);
    if (!X) return NULL;
    size_t n = X->n;
    int K = (int)m->classes->n;
    double *P = xmalloc((n ? n : 1) * (size_t)K * sizeof *P);
    frame *r = NULL;
    if (m->kind->predict_proba(m, X, P, e) == 0) {
        r = frame_new();
        for (int k = 0; k < K; k++) {
            char name[256];
            col_format(m->classes, (size_t)k, name, sizeof name);
            column *c = col_new(COL_NUMBER, n, NULL);
            memcpy(c->f64, P + (size_t)k * n, n * sizeof *P);
            frame_set_column(r, name, c, NULL);
        }
        r->nrow = n;
    }
    free(P);
    model_matrix_free(X);
    return r;
}

frame *model_transform(const model *m, const frame *f, lab_err *e) {
    if (!m->kind->transform) {
        lab_fail(e, "transform: %s has no transform", m->kind->name);
        return NULL;
    }
    model_matrix *X = model_design(m, f, "transform", e);
    if (!X) return NULL;
    frame *r = m->kind->transform(m, X, e);
    model_matrix_free(X);
    return r;
}

/* ---- printing ------------------------------------------------------------------------- */

static void add_num(strbuf *b, double v) {
    char buf[32];
    if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, sizeof buf, "%.0f", v);
    else snprintf(buf, sizeof buf, "%.6g", v);
    strbuf_adds(b, buf);
}

char *model_describe(const model *m) {
    strbuf b = {0};
    strbuf_adds(&b, "model ");
    strbuf_adds(&b, m->kind->name);
    strbuf_adds(&b, "{");
    for (int i = 0; i < m->nparam; i++) {
        const model_param *p = &m->params[i];
        if (i) strbuf_adds(&b, ", ");
        strbuf_adds(&b, p->key);
        strbuf_adds(&b, "=");
        if (p->type == MODEL_P_STRING) {
            strbuf_adds(&b, "\"");
            strbuf_adds(&b, p->str ? p->str : "");
            strbuf_adds(&b, "\"");
        } else if (p->type == MODEL_P_BOOLEAN) {
            strbuf_adds(&b, p->num ? "true" : "false");
        } else {
            add_num(&b, p->num);
        }
    }
    strbuf_adds(&b, "}: ");
    strbuf_adds(&b, m->kind->title);
    strbuf_adds(&b, "\n");
    if (m->nstep) {
        strbuf_adds(&b, "  pipeline: ");
        for (int i = 0; i < m->nstep; i++) {
            strbuf_adds(&b, m->step[i]->kind->name);
            char cnt[48];
            if (m->step[i]->fitted) snprintf(cnt, sizeof cnt, " (%d columns)", m->step[i]->nfeat);
            else cnt[0] = 0;
            strbuf_adds(&b, cnt);
            strbuf_adds(&b, " -> ");
        }
        strbuf_adds(&b, m->kind->name);
        strbuf_adds(&b, "\n");
    }
    if (!m->fitted) {
        strbuf_adds(&b, "  not fitted\n");
        return b.s;
    }
    char line[256];
    if (m->target) {
        snprintf(line, sizeof line, "  target: %s (%s), %zu training rows\n", m->target, col_type_name(m->target_type),
                 m->n_train);
    } else {
        snprintf(line, sizeof line, "  %zu training rows\n", m->n_train);
    }
    strbuf_adds(&b, line);
    snprintf(line, sizeof line, "  features (%d): ", m->nfeat);
    strbuf_adds(&b, line);
    for (int q = 0; q < m->nfeat && q < 12; q++) {
        if (q) strbuf_adds(&b, ", ");
        strbuf_adds(&b, m->feat[q].name);
    }
    if (m->nfeat > 12) strbuf_adds(&b, ", ...");
    strbuf_adds(&b, "\n");
    if (m->classes) {
        snprintf(line, sizeof line, "  classes (%zu): ", m->classes->n);
        strbuf_adds(&b, line);
        for (size_t k = 0; k < m->classes->n && k < 12; k++) {
            if (k) strbuf_adds(&b, ", ");
            col_format(m->classes, k, line, sizeof line);
            strbuf_adds(&b, line);
        }
        if (m->classes->n > 12) strbuf_adds(&b, ", ...");
        strbuf_adds(&b, "\n");
    }
    if (m->nfigure) {
        strbuf_adds(&b, "  ");
        for (int i = 0; i < m->nfigure; i++) {
            if (i) strbuf_adds(&b, ", ");
            strbuf_adds(&b, m->figure[i].key);
            strbuf_adds(&b, " ");
            add_num(&b, m->figure[i].value);
        }
        strbuf_adds(&b, "\n");
    }
    if (m->kind->describe) m->kind->describe(m, &b);
    return b.s;
}
