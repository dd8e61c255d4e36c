/* pipeline.c — pipelines (a model with transform steps) and k-fold
 * cross-validation (see pipeline.h).
 *
 * The steps live in the model itself so that every path that fits, predicts
 * or saves a model handles a pipeline without knowing it: model.c calls the
 * two step functions here around its own checks, model_file.c writes the
 * steps to their own tables. Cross-validation works through model.h only
 * (model_fit, model_predict, model_predict_proba), so any kind qualifies:
 * regressors are scored by rmse / mae / r2, classifiers by accuracy,
 * precision / recall / F1 and log loss. */
#include "pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "../util/rng.h"
#include "transform.h"

void pipeline_add_step(model *m, model *t) {
    m->step = xrealloc(m->step, (size_t)(m->nstep + 1) * sizeof *m->step);
    m->step[m->nstep++] = t;
    m->fitted = 0;
}

void pipeline_free_steps(model *m) {
    for (int i = 0; i < m->nstep; i++) model_free(m->step[i]);
    free(m->step);
    m->step = NULL;
    m->nstep = 0;
}

frame *pipeline_fit_steps(model *m, const frame *f, const char *target, const char *const *features, int nfeat,
                          lab_err *e) {
    frame *cur;
    if (features) {
        cur = frame_new();
        cur->nrow = f->nrow;
        for (int q = 0; q < nfeat; q++) {
            lab_err le;
            int j = frame_lookup(f, features[q], &le);
            if (j < 0) {
                frame_free(cur);
                lab_fail(e, "fit: features: %s", le.msg);
                return NULL;
            }
            frame_set_column(cur, f->names[j], col_ref(f->cols[j]), NULL);
        }
        int ty = target ? frame_find(f, target) : -1;
        if (ty >= 0) frame_set_column(cur, target, col_ref(f->cols[ty]), NULL);
    } else {
        cur = frame_copy(f);
    }
    for (int i = 0; i < m->nstep; i++) {
        lab_err se;
        frame *next = NULL;
        if (transform_fit(m->step[i], cur, target, &se) < 0 || !(next = transform_apply(m->step[i], cur, &se))) {
            lab_fail(e, "fit: step %d (%s): %s", i + 1, m->step[i]->kind->name, se.msg);
            frame_free(cur);
            return NULL;
        }
        frame_free(cur);
        cur = next;
    }
    return cur;
}

/* Step i's name in reports: its kind, numbered among the steps of that kind
 * when there are several. */
static void step_name(const model *m, int i, char *buf, size_t size) {
    const char *kind = m->step[i]->kind->name;
    int nth = 0, count = 0;
    for (int q = 0; q < m->nstep; q++)
        if (strcmp(m->step[q]->kind->name, kind) == 0) {
            count++;
            nth += q <= i;
        }
    if (count > 1) snprintf(buf, size, "%s-%d", kind, nth);
    else snprintf(buf, size, "%s", kind);
}

int pipeline_report_params(const model *m, const model_hooks *hooks, lab_err *e) {
    if (!hooks || !hooks->param) return 0;
    for (int i = 0; i < m->nstep; i++) {
        const model *s = m->step[i];
        char name[64], key[192];
        step_name(m, i, name, sizeof name);
        for (int q = 0; q < s->nparam; q++) {
            model_param p = s->params[q];
            snprintf(key, sizeof key, "%s.%s", name, p.key);
            p.key = key; /* the copy lives for the call only, as the hook's contract allows */
            if (hooks->param(hooks->ud, &p)) return lab_fail(e, "fit: stopped by the callback");
        }
    }
    return 0;
}

frame *pipeline_apply_steps(const model *m, const frame *f, const char *op, lab_err *e) {
    frame *cur = frame_copy(f);
    for (int i = 0; i < m->nstep; i++) {
        lab_err se;
        frame *next = transform_apply(m->step[i], cur, &se);
        frame_free(cur);
        if (!next) {
            lab_fail(e, "%s: step %d (%s): %s", op, i + 1, m->step[i]->kind->name, se.msg);
            return NULL;
        }
        cur = next;
    }
    return cur;
}

model *model_clone_unfitted(const model *m) {
    model *c = transform_clone_unfitted(m);
    if (!c) return NULL;
    for (int i = 0; i < m->nstep; i++) {
        model *s = transform_clone_unfitted(m->step[i]);
        if (s) pipeline_add_step(c, s);
    }
    return c;
}

/* ---- folds ------------------------------------------------------------------------- */

int kfold_assign(size_t n, int k, uint64_t seed, int shuffle, const int *strata, int *fold, lab_err *e) {
    if (k < 2) return lab_fail(e, "kfold: k must be at least 2, got %d", k);
    if ((size_t)k > n) return lab_fail(e, "kfold: k = %d folds need at least %d rows, got %zu", k, k, n);
    size_t *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    rng r;
    rng_seed(&r, seed);
    if (shuffle) rng_shuffle(&r, idx, n);
    if (!strata) {
        /* KFold: the first n % k folds get one row more */
        size_t base = n / (size_t)k, extra = n % (size_t)k, p = 0;
        for (int f = 0; f < k; f++) {
            size_t size = base + ((size_t)f < extra);
            for (size_t i = 0; i < size; i++) fold[idx[p++]] = f;
        }
    } else {
        /* deal each class round-robin, continuing the count across classes,
         * so classes and fold sizes are both balanced */
        int nclass = 0;
        for (size_t i = 0; i < n; i++)
            if (strata[i] + 1 > nclass) nclass = strata[i] + 1;
        size_t c = 0;
        for (int s = 0; s < nclass; s++)
            for (size_t p = 0; p < n; p++)
                if (strata[idx[p]] == s) fold[idx[p]] = (int)(c++ % (size_t)k);
    }
    free(idx);
    return 0;
}

static const char *const metric_names[] = {
    "accuracy",       "precision",       "recall",      "f1",           "precision_macro", "recall_macro",
    "f1_macro",       "precision_micro", "recall_micro", "f1_micro",    "precision_weighted",
    "recall_weighted", "f1_weighted",    "log_loss",    "rmse",         "mae",             "r2"};
#define NMETRICS ((int)(sizeof metric_names / sizeof metric_names[0]))

const char *cv_metric_list(void) {
    return "accuracy, precision, recall, f1 (macro averages; also _macro, _micro, _weighted), log_loss, rmse, mae, r2";
}

int cv_metric_is_classification(const char *name) {
    for (int i = 0; i < NMETRICS; i++)
        if (strcmp(metric_names[i], name) == 0) return i < 14;
    return -1;
}

/* Score metric name on the truth column t and the model's predictions. */
static int score(const model *m, const char *name, const column *t, const column *pred, const frame *test, double *out,
                 lab_err *e) {
    size_t n = t->n;
    if (cv_metric_is_classification(name) == 0) {
        double *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b);
        for (size_t i = 0; i < n; i++) {
            a[i] = col_as_double(t, i);
            b[i] = col_as_double(pred, i);
        }
        *out = name[0] == 'r' && name[1] == 'm' ? metrics_rmse(a, b, n) : name[0] == 'm' ? metrics_mae(a, b, n) : metrics_r2(a, b, n);
        free(a);
        free(b);
        return 0;
    }
    if (strcmp(name, "log_loss") == 0) {
        frame *P = model_predict_proba(m, test, e);
        if (!P) return -1;
        int K = P->ncol, *ti = xmalloc(n * sizeof *ti), rc = 0;
        double *p = xmalloc(n * (size_t)K * sizeof *p);
        for (int k = 0; k < K; k++) memcpy(p + (size_t)k * n, P->cols[k]->f64, n * sizeof *p);
        char buf[256];
        for (size_t i = 0; i < n && rc == 0; i++) {
            col_format(t, i, buf, sizeof buf);
            ti[i] = frame_find(P, buf);
            if (ti[i] < 0) rc = lab_fail(e, "log_loss: the label '%s' is not among the classes fitted on", buf);
        }
        if (rc == 0) rc = metrics_log_loss(ti, p, n, K, out, e);
        free(ti);
        free(p);
        frame_free(P);
        return rc;
    }
    int *ia = xmalloc(n * sizeof *ia), *ib = xmalloc(n * sizeof *ib);
    column *lab = NULL;
    if (metrics_encode(t, pred, "y_true", "y_pred", ia, ib, &lab, e) < 0) {
        free(ia);
        free(ib);
        return -1;
    }
    int K = (int)lab->n;
    if (strcmp(name, "accuracy") == 0) {
        *out = metrics_accuracy(ia, ib, n);
    } else {
        int64_t *M = xmalloc((size_t)K * (size_t)K * sizeof *M);
        metrics_confusion(ia, ib, n, K, M);
        metrics_average avg = METRICS_MACRO;
        const char *us = strchr(name, '_');
        if (us) metrics_average_parse(us + 1, &avg);
        double v[3];
        metrics_prf(M, K, avg, -1, &v[0], &v[1], &v[2]);
        *out = name[0] == 'p' ? v[0] : name[0] == 'r' ? v[1] : v[2];
        free(M);
    }
    col_free(lab);
    free(ia);
    free(ib);
    return 0;
}

int cross_validate(const model *m, const frame *f, const char *target, const char *const *features, int nfeat,
                   const char *const *metrics, int nmetric, int k, uint64_t seed, int shuffle, int stratify,
                   double *scores, size_t *ntest, lab_err *e) {
    model_task task = m->kind->task;
    if (task != MODEL_REGRESSOR && task != MODEL_CLASSIFIER)
        return lab_fail(e, "cross_validate: %s is not a regressor or classifier; it has nothing to score", m->kind->name);
    if (!target) return lab_fail(e, "cross_validate: give the target column (target=...)");
    lab_err le;
    int ty = frame_lookup(f, target, &le);
    if (ty < 0) return lab_fail(e, "cross_validate: target: %s", le.msg);
    const column *y = f->cols[ty];
    /* the features once here, not in every fold's fit */
    if (features && nfeat < 1) return lab_fail(e, "cross_validate: features: give at least one column");
    for (int q = 0; features && q < nfeat; q++) {
        if (frame_lookup(f, features[q], &le) < 0) return lab_fail(e, "cross_validate: features: %s", le.msg);
        if (strcmp(features[q], target) == 0)
            return lab_fail(e, "cross_validate: column '%s' is the target; it cannot be a feature too", target);
        for (int r = 0; r < q; r++)
            if (strcmp(features[r], features[q]) == 0)
                return lab_fail(e, "cross_validate: features: column '%s' is listed twice", features[q]);
    }
    for (int j = 0; j < nmetric; j++) {
        int c = cv_metric_is_classification(metrics[j]);
        if (c < 0) return lab_fail(e, "cross_validate: unknown metric '%s' (known: %s)", metrics[j], cv_metric_list());
        if (c != (task == MODEL_CLASSIFIER))
            return lab_fail(e, "cross_validate: metric '%s' is for %s; %s is a %s", metrics[j],
                            c ? "classifiers" : "regressors", m->kind->name, task == MODEL_CLASSIFIER ? "classifier" : "regressor");
    }
    size_t n = f->nrow;
    if (col_na_count(y)) return lab_fail(e, "cross_validate: target column '%s' has missing values", target);
    int *fold = xmalloc((n ? n : 1) * sizeof *fold), *strata = NULL, rc = -1;
    if (stratify && task == MODEL_CLASSIFIER) {
        strata = xmalloc((n ? n : 1) * sizeof *strata);
        col_free(metrics_labels(y, strata));
    }
    size_t *tr = xmalloc((n ? n : 1) * sizeof *tr), *te = xmalloc((n ? n : 1) * sizeof *te);
    if (kfold_assign(n, k, seed, shuffle, strata, fold, e) < 0) goto done;
    for (int q = 0; q < k; q++) {
        if (lab_interrupt) {
            lab_fail(e, "cross_validate: interrupted");
            goto done;
        }
        lab_progress("cross_validate", q, k);
        size_t ntr = 0, nte = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == q) te[nte++] = i;
            else tr[ntr++] = i;
        }
        frame *train = frame_take(f, tr, ntr), *test = frame_take(f, te, nte);
        model *c = model_clone_unfitted(m);
        lab_err fe;
        column *pred = NULL;
        int ok = c && model_fit(c, train, target, features, features ? nfeat : 0, NULL, &fe) == 0 &&
                 (pred = model_predict(c, test, &fe));
        if (!ok) lab_fail(e, "cross_validate: fold %d: %s", q + 1, c ? fe.msg : "cannot copy the model");
        for (int j = 0; ok && j < nmetric; j++)
            if (score(c, metrics[j], test->cols[ty], pred, test, &scores[(size_t)q * (size_t)nmetric + (size_t)j], &fe) < 0) {
                lab_fail(e, "cross_validate: fold %d: %s", q + 1, fe.msg);
                ok = 0;
            }
        ntest[q] = nte;
        col_free(pred);
        model_free(c);
        frame_free(train);
        frame_free(test);
        if (!ok) goto done;
    }
    lab_progress("cross_validate", k, k);
    rc = 0;
done:
    free(fold);
    free(strata);
    free(tr);
    free(te);
    return rc;
}
