/* knn.c — k nearest neighbours: lab.model.knn{k=5, weights="uniform"} (a
 * classifier, as scikit-learn's KNeighborsClassifier) and
 * lab.model.knn_regressor{k=5, weights="uniform"} (KNeighborsRegressor).
 *
 * Two kinds rather than one because a kind's task is fixed (model.h): the
 * classifier predicts labels of the target's type (numbers included, as
 * classes), the regressor the mean of the neighbours' numbers.
 *
 * Fitting keeps the training rows: tensors "X" (n x p, the features) and
 * "y" (n x 1: class indices into the model's classes, or target values).
 * Prediction is brute force: for every query row the squared Euclidean
 * distances to all training rows, computed feature by feature so that the
 * column-major training data streams through the cache, then a partial sort
 * that keeps the k nearest in a small sorted buffer (a row enters only when
 * strictly nearer than the k-th so far, so among equal distances the
 * earlier training row wins). Weights: "uniform" counts every neighbour
 * once; "distance" weighs it by 1 / distance, and when some neighbours are
 * at distance 0 only they count (as scikit-learn). predict_proba gives the
 * normalised weight of every class; predict its argmax, the first class on
 * ties (scikit-learn's mode also takes the smallest label). Large queries
 * are split in two fixed halves, one per thread. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"

static const model_param_spec params[] = {
    {"k", MODEL_P_INTEGER, 5, NULL, 1, 1e6, 0, NULL, "number of neighbours"},
    {"weights", MODEL_P_STRING, 0, "uniform", 0, 0, 0, "uniform|distance",
     "uniform: every neighbour counts once; distance: by 1 / distance"},
};

#define THREAD_WORK 2000000.0 /* query rows x training rows x p above which two threads share */

typedef struct job {
    const model *m;
    const model_matrix *Q;
    size_t q0, q1;
    double *out;   /* regressor: prediction per query row */
    double *P;     /* classifier: P[c*nq + i] */
} job;

static void *neighbours(void *arg) {
    job *J = arg;
    const model *m = J->m;
    const model_tensor *Xt = model_tensor_get(m, "X");
    const double *y = model_tensor_get(m, "y")->data;
    size_t n = Xt->rows, nq = J->Q->n;
    int p = J->Q->p, k = (int)model_param_num(m, "k");
    if ((size_t)k > n) k = (int)n;
    const model_param *wp = model_param_get(m, "weights");
    int by_distance = wp && wp->str && strcmp(wp->str, "distance") == 0;
    int K = m->classes ? (int)m->classes->n : 0;
    double *dist = xmalloc(n * sizeof *dist), *nd = xmalloc((size_t)k * sizeof *nd);
    double *w = xmalloc((size_t)k * sizeof *w), *q = xmalloc((size_t)(p ? p : 1) * sizeof *q);
    size_t *ni = xmalloc((size_t)k * sizeof *ni);
    double *acc = xmalloc((size_t)(K ? K : 1) * sizeof *acc);
    for (size_t r = J->q0; r < J->q1; r++) {
        for (int j = 0; j < p; j++) q[j] = J->Q->x[(size_t)j * nq + r];
        for (size_t i = 0; i < n; i++) dist[i] = 0;
        for (int j = 0; j < p; j++) {
            const double *xj = Xt->data + (size_t)j * n;
            double qj = q[j];
            for (size_t i = 0; i < n; i++) {
                double t = xj[i] - qj;
                dist[i] += t * t;
            }
        }
        /* the k nearest, sorted by distance, earlier rows first among equals */
        int cnt = 0;
        for (size_t i = 0; i < n; i++) {
            double di = dist[i];
            if (cnt == k && !(di < nd[k - 1])) continue;
            int at = cnt < k ? cnt++ : k - 1;
            while (at > 0 && nd[at - 1] > di) {
                nd[at] = nd[at - 1];
                ni[at] = ni[at - 1];
                at--;
            }
            nd[at] = di;
            ni[at] = i;
        }
        /* weights */
        int zero = 0;
        for (int t = 0; t < cnt; t++) zero += nd[t] == 0;
        for (int t = 0; t < cnt; t++) {
            if (!by_distance) w[t] = 1;
            else if (zero) w[t] = nd[t] == 0;
            else w[t] = 1 / sqrt(nd[t]);
        }
        double wsum = 0;
        for (int t = 0; t < cnt; t++) wsum += w[t];
        if (K) {
            for (int c = 0; c < K; c++) acc[c] = 0;
            for (int t = 0; t < cnt; t++) acc[(int)y[ni[t]]] += w[t];
            for (int c = 0; c < K; c++) J->P[(size_t)c * nq + r] = acc[c] / wsum;
        } else {
            double s = 0;
            for (int t = 0; t < cnt; t++) s += w[t] * y[ni[t]];
            J->out[r] = s / wsum;
        }
    }
    free(dist);
    free(nd);
    free(w);
    free(q);
    free(ni);
    free(acc);
    return NULL;
}

static int run(const model *m, const model_matrix *Q, double *out, double *P, lab_err *e) {
    size_t nq = Q->n, n = model_tensor_get(m, "X")->rows;
    if (nq == 0) return 0;
    int T = (double)nq * (double)n * Q->p > THREAD_WORK && nq >= 2 ? 2 : 1;
    job J[2];
    for (int t = 0; t < T; t++)
        J[t] = (job){m, Q, T == 1 ? 0 : (t == 0 ? 0 : nq / 2), T == 1 ? nq : (t == 0 ? nq / 2 : nq), out, P};
    pthread_t th;
    int threaded = T == 2 && pthread_create(&th, NULL, neighbours, &J[1]) == 0;
    neighbours(&J[0]);
    if (T == 2) {
        if (threaded) pthread_join(th, NULL);
        else neighbours(&J[1]);
    }
    if (lab_interrupt) return lab_fail(e, "predict: interrupted");
    return 0;
}

static int knn_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int k = (int)model_param_num(m, "k");
    if ((size_t)k > n) return lab_fail(e, "fit: %s: k=%d is more than the %zu training rows", m->kind->name, k, n);
    double *x = model_tensor_new(m, "X", n, (size_t)X->p);
    memcpy(x, X->x, n * (size_t)X->p * sizeof *x);
    double *y = model_tensor_new(m, "y", n, 1);
    for (size_t i = 0; i < n; i++) y[i] = d->cls ? d->cls[i] : d->y[i];
    return 0;
}

static int knn_proba(const model *m, const model_matrix *X, double *P, lab_err *e) { return run(m, X, NULL, P, e); }

static int knn_predict_reg(const model *m, const model_matrix *X, double *out, lab_err *e) {
    return run(m, X, out, NULL, e);
}

static int knn_check(const model *m, lab_err *e) {
    const model_tensor *X = model_tensor_get(m, "X"), *y = model_tensor_get(m, "y");
    if (!X || X->cols != (size_t)m->nfeat || X->rows < 1)
        return lab_fail(e, "%s: tensor 'X' is missing or is not n x %d", m->kind->name, m->nfeat);
    if (!y || y->rows != X->rows || y->cols != 1)
        return lab_fail(e, "%s: tensor 'y' is missing or is not %zu x 1", m->kind->name, X->rows);
    if ((size_t)model_param_num(m, "k") > X->rows)
        return lab_fail(e, "%s: k is more than the %zu training rows", m->kind->name, X->rows);
    if (m->kind->task == MODEL_CLASSIFIER) {
        if (!m->classes || m->classes->n < 2) return lab_fail(e, "%s: fewer than two class labels", m->kind->name);
        for (size_t i = 0; i < y->rows; i++)
            if (!(y->data[i] >= 0 && y->data[i] < (double)m->classes->n) || y->data[i] != floor(y->data[i]))
                return lab_fail(e, "%s: tensor 'y' holds a class index out of range", m->kind->name);
    }
    return 0;
}

static void knn_describe(const model *m, strbuf *b) {
    char line[128];
    snprintf(line, sizeof line, "  keeps the %zu training rows; brute-force search\n", model_tensor_get(m, "X")->rows);
    strbuf_adds(b, line);
}

const model_kind model_kind_knn = {
    .name = "knn",
    .task = MODEL_CLASSIFIER,
    .title = "k nearest neighbours classifier (brute force)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = knn_fit,
    .predict = NULL,
    .predict_proba = knn_proba,
    .check = knn_check,
    .describe = knn_describe,
};

const model_kind model_kind_knn_regressor = {
    .name = "knn_regressor",
    .task = MODEL_REGRESSOR,
    .title = "k nearest neighbours regressor (brute force)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = knn_fit,
    .predict = knn_predict_reg,
    .check = knn_check,
    .describe = knn_describe,
};
