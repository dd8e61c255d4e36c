/* naive_bayes.c — Gaussian naive Bayes: lab.model.naive_bayes{var_smoothing=1e-9}.
 *
 * As scikit-learn's GaussianNB: every class has, for every feature, the mean
 * and the population variance (ddof 0) of its rows, plus epsilon =
 * var_smoothing times the largest variance of any feature over all rows (so
 * that a feature constant within a class does not divide by zero). The
 * prior of a class is its share of the rows. A row's joint log-likelihood
 * for class c is
 *
 *     log prior_c - 1/2 sum_j log(2 pi var_cj) - 1/2 sum_j (x_j - mean_cj)^2 / var_cj
 *
 * and predict_proba normalises exp of it over the classes (through the
 * log-sum-exp, so that nothing underflows to 0/0).
 *
 * Tensors: "theta" (p x K means), "var" (p x K variances, epsilon added),
 * "prior" (K x 1). Figure: epsilon. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"

static const model_param_spec params[] = {
    {"var_smoothing", MODEL_P_NUMBER, 1e-9, NULL, 0, INFINITY, 0, NULL,
     "added to every variance, as a share of the largest feature variance"},
};

static int nb_fit(model *m, const model_fit_data *d, lab_err *e) {
    (void)e;
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p, K = d->nclass;
    double *theta = model_tensor_new(m, "theta", (size_t)p, (size_t)K);
    double *var = model_tensor_new(m, "var", (size_t)p, (size_t)K);
    double *prior = model_tensor_new(m, "prior", (size_t)K, 1);
    double *cnt = xcalloc((size_t)K, sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[d->cls[i]] += 1;
    double maxvar = 0;
    for (int j = 0; j < p; j++) {
        const double *x = X->x + (size_t)j * n;
        double *th = theta + (size_t)j, *vr = var + (size_t)j;
        /* overall variance, for epsilon */
        double s = 0, ss = 0;
        for (size_t i = 0; i < n; i++) s += x[i];
        s /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (x[i] - s) * (x[i] - s);
        if (ss / (double)n > maxvar) maxvar = ss / (double)n;
        /* per class: two passes */
        for (size_t i = 0; i < n; i++) th[(size_t)d->cls[i] * (size_t)p] += x[i];
        for (int c = 0; c < K; c++) th[(size_t)c * (size_t)p] /= cnt[c];
        for (size_t i = 0; i < n; i++) {
            double t = x[i] - th[(size_t)d->cls[i] * (size_t)p];
            vr[(size_t)d->cls[i] * (size_t)p] += t * t;
        }
        for (int c = 0; c < K; c++) vr[(size_t)c * (size_t)p] /= cnt[c];
    }
    double eps = model_param_num(m, "var_smoothing") * maxvar;
    for (size_t q = 0; q < (size_t)p * (size_t)K; q++) {
        var[q] += eps;
        if (!(var[q] > 0)) var[q] = DBL_MIN; /* every feature constant: keep the division finite */
    }
    for (int c = 0; c < K; c++) prior[c] = cnt[c] / (double)n;
    free(cnt);
    model_set_figure(m, "epsilon", eps);
    return 0;
}

static int nb_proba(const model *m, const model_matrix *X, double *P, lab_err *e) {
    (void)e;
    const double *theta = model_tensor_get(m, "theta")->data, *var = model_tensor_get(m, "var")->data;
    const double *prior = model_tensor_get(m, "prior")->data;
    size_t n = X->n;
    int p = X->p, K = (int)model_tensor_get(m, "prior")->rows;
    if (n == 0) return 0;
    for (int c = 0; c < K; c++) {
        const double *th = theta + (size_t)c * (size_t)p, *vr = var + (size_t)c * (size_t)p;
        double base = log(prior[c]);
        for (int j = 0; j < p; j++) base -= 0.5 * log(2 * M_PI * vr[j]);
        double *pc = P + (size_t)c * n;
        for (size_t i = 0; i < n; i++) pc[i] = base;
        for (int j = 0; j < p; j++) {
            const double *x = X->x + (size_t)j * n;
            double mu = th[j], iv = 0.5 / vr[j];
            for (size_t i = 0; i < n; i++) {
                double t = x[i] - mu;
                pc[i] -= t * t * iv;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        double mx = -INFINITY, s = 0;
        for (int c = 0; c < K; c++)
            if (P[(size_t)c * n + i] > mx) mx = P[(size_t)c * n + i];
        if (!isfinite(mx)) { /* no class has any likelihood left: say so evenly */
            for (int c = 0; c < K; c++) P[(size_t)c * n + i] = 1.0 / K;
            continue;
        }
        for (int c = 0; c < K; c++) s += exp(P[(size_t)c * n + i] - mx);
        double lse = mx + log(s);
        for (int c = 0; c < K; c++) P[(size_t)c * n + i] = exp(P[(size_t)c * n + i] - lse);
    }
    return 0;
}

static int nb_check(const model *m, lab_err *e) {
    size_t K = m->classes ? m->classes->n : 0;
    if (K < 2) return lab_fail(e, "naive_bayes: fewer than two class labels");
    const model_tensor *th = model_tensor_get(m, "theta"), *vr = model_tensor_get(m, "var"), *pr = model_tensor_get(m, "prior");
    if (!th || th->rows != (size_t)m->nfeat || th->cols != K)
        return lab_fail(e, "naive_bayes: tensor 'theta' is missing or is not %d x %zu", m->nfeat, K);
    if (!vr || vr->rows != (size_t)m->nfeat || vr->cols != K)
        return lab_fail(e, "naive_bayes: tensor 'var' is missing or is not %d x %zu", m->nfeat, K);
    if (!pr || pr->rows != K || pr->cols != 1) return lab_fail(e, "naive_bayes: tensor 'prior' is missing or is not %zu x 1", K);
    for (size_t q = 0; q < vr->rows * vr->cols; q++)
        if (!(vr->data[q] > 0)) return lab_fail(e, "naive_bayes: tensor 'var' holds a variance that is not positive");
    for (size_t c = 0; c < K; c++)
        if (!(pr->data[c] > 0 && pr->data[c] <= 1)) return lab_fail(e, "naive_bayes: tensor 'prior' holds a value outside (0, 1]");
    return 0;
}

static void nb_describe(const model *m, strbuf *b) {
    const model_tensor *pr = model_tensor_get(m, "prior");
    char line[320];
    strbuf_adds(b, "  priors:");
    for (size_t c = 0; c < pr->rows && c < 12; c++) {
        char lab[256];
        col_format(m->classes, c, lab, sizeof lab);
        snprintf(line, sizeof line, " %s %.4g%s", lab, pr->data[c], c + 1 < pr->rows ? "," : "");
        strbuf_adds(b, line);
    }
    strbuf_adds(b, pr->rows > 12 ? " ...\n" : "\n");
}

const model_kind model_kind_naive_bayes = {
    .name = "naive_bayes",
    .task = MODEL_CLASSIFIER,
    .title = "Gaussian naive Bayes",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = nb_fit,
    .predict = NULL,
    .predict_proba = nb_proba,
    .check = nb_check,
    .describe = nb_describe,
};
