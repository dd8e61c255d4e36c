/* linear.c — linear regression by least squares, with an optional ridge
 * (L2) penalty: lab.model.linear{ridge=0, intercept=true}.
 *
 * As scikit-learn does, the intercept is fitted by centring the features and
 * the target, so it is never penalised. Without a penalty the centred problem
 * is solved by LAPACK's dgelsy, a QR factorisation with column pivoting: it
 * is accurate (no normal equations, whose condition number is squared) and
 * gives the minimum-norm solution when columns are collinear, reporting the
 * numerical rank. With a penalty the normal equations X'X + ridge I are
 * positive definite and a Cholesky factorisation (dpotrf) solves them in
 * O(n p^2 + p^3), the cheapest exact method; ridge's own regularisation keeps
 * the squared condition number harmless.
 *
 * Tensors: "coef" (p x 1) and "intercept" (1 x 1). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "kinds.h"

static const model_param_spec params[] = {
    {"ridge", MODEL_P_NUMBER, 0, NULL, 0, INFINITY, 0, NULL,
     "L2 penalty on the coefficients (scikit-learn's Ridge alpha); 0: ordinary least squares"},
    {"intercept", MODEL_P_BOOLEAN, 1, NULL, 0, 1, 0, NULL, "fit an intercept (not penalised)"},
};

static int linear_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p;
    double ridge = model_param_num(m, "ridge");
    int icpt = model_param_num(m, "intercept") != 0;
    if (n > (size_t)0x7fffffff || (size_t)p * n > ((size_t)1 << 40))
        return lab_fail(e, "fit: linear: too many rows for LAPACK (%zu)", n);
    if (lab_interrupt) return lab_fail(e, "fit: interrupted");
    int N = (int)n, one = 1, rc = -1;
    double *xm = xcalloc((size_t)p, sizeof *xm), ym = 0;
    double *A = xmalloc_big(n * (size_t)p * sizeof *A);
    size_t nb = n > (size_t)p ? n : (size_t)p;
    double *b = xcalloc(nb, sizeof *b);
    /* centre (means by compensation-free two-pass: the data is finite) */
    for (int j = 0; j < p; j++) {
        const double *x = X->x + (size_t)j * n;
        double s = 0;
        if (icpt) {
            for (size_t i = 0; i < n; i++) s += x[i];
            s /= (double)n;
        }
        xm[j] = s;
        double *a = A + (size_t)j * n;
        for (size_t i = 0; i < n; i++) a[i] = x[i] - s;
    }
    if (icpt) {
        for (size_t i = 0; i < n; i++) ym += d->y[i];
        ym /= (double)n;
    }
    for (size_t i = 0; i < n; i++) b[i] = d->y[i] - ym;
    double *w = model_tensor_new(m, "coef", (size_t)p, 1);
    if (ridge == 0) {
        int *jpvt = xcalloc((size_t)p, sizeof *jpvt);
        int rank = 0, info = 0, lwork = -1, ldb = (int)nb;
        double rcond = DBL_EPSILON * (double)(nb), q;
        dgelsy_(&N, &p, &one, A, &N, b, &ldb, jpvt, &rcond, &rank, &q, &lwork, &info);
        lwork = (int)q;
        double *work = xmalloc((size_t)(lwork > 1 ? lwork : 1) * sizeof *work);
        dgelsy_(&N, &p, &one, A, &N, b, &ldb, jpvt, &rcond, &rank, work, &lwork, &info);
        free(work);
        free(jpvt);
        if (info != 0) {
            lab_fail(e, "fit: linear: LAPACK dgelsy failed (info %d)", info);
            goto done;
        }
        memcpy(w, b, (size_t)p * sizeof *w);
        model_set_figure(m, "rank", rank);
    } else {
        double *G = xcalloc((size_t)p * (size_t)p, sizeof *G);
        double alpha = 1, zero = 0;
        int info = 0;
        dsyrk_("U", "T", &p, &N, &alpha, A, &N, &zero, G, &p, 1, 1);
        for (int j = 0; j < p; j++) G[(size_t)j * (size_t)p + (size_t)j] += ridge;
        dgemv_("T", &N, &p, &alpha, A, &N, b, &one, &zero, w, &one, 1);
        dpotrf_("U", &p, G, &p, &info, 1);
        if (info == 0) dpotrs_("U", &p, &one, G, &p, w, &p, &info, 1);
        free(G);
        if (info != 0) {
            lab_fail(e, "fit: linear: the penalised normal equations are not positive definite (LAPACK info %d)", info);
            goto done;
        }
    }
    double *w0 = model_tensor_new(m, "intercept", 1, 1);
    double c = ym;
    for (int j = 0; j < p; j++) c -= xm[j] * w[j];
    w0[0] = icpt ? c : 0;
    /* training figures */
    double sse = 0, sst = 0;
    for (size_t i = 0; i < n; i++) {
        double f = w0[0];
        for (int j = 0; j < p; j++) f += X->x[(size_t)j * n + i] * w[j];
        sse += (d->y[i] - f) * (d->y[i] - f);
        sst += (d->y[i] - ym) * (d->y[i] - ym);
    }
    model_set_figure(m, "train_rmse", sqrt(sse / (double)n));
    model_set_figure(m, "train_r2", sst > 0 ? 1 - sse / sst : NAN);
    rc = 0;
done:
    free(xm);
    free(A);
    free(b);
    return rc;
}

static int linear_predict(const model *m, const model_matrix *X, double *out, lab_err *e) {
    (void)e;
    const double *w = model_tensor_get(m, "coef")->data;
    double w0 = model_tensor_get(m, "intercept")->data[0];
    for (size_t i = 0; i < X->n; i++) out[i] = w0;
    if (X->n == 0) return 0;
    int N = (int)X->n, p = X->p, one = 1;
    double alpha = 1, beta = 1;
    dgemv_("N", &N, &p, &alpha, X->x, &N, w, &one, &beta, out, &one, 1);
    return 0;
}

static int linear_check(const model *m, lab_err *e) {
    const model_tensor *w = model_tensor_get(m, "coef"), *b = model_tensor_get(m, "intercept");
    if (!w || w->rows != (size_t)m->nfeat || w->cols != 1)
        return lab_fail(e, "linear: tensor 'coef' is missing or is not %d x 1", m->nfeat);
    if (!b || b->rows != 1 || b->cols != 1) return lab_fail(e, "linear: tensor 'intercept' is missing or is not 1 x 1");
    return 0;
}

static void linear_describe(const model *m, strbuf *b) {
    const double *w = model_tensor_get(m, "coef")->data;
    char line[320];
    snprintf(line, sizeof line, "  intercept %.6g\n  coef:", model_tensor_get(m, "intercept")->data[0]);
    strbuf_adds(b, line);
    for (int j = 0; j < m->nfeat && j < 12; j++) {
        snprintf(line, sizeof line, " %s %.6g%s", m->feat[j].name, w[j], j + 1 < m->nfeat ? "," : "");
        strbuf_adds(b, line);
    }
    strbuf_adds(b, m->nfeat > 12 ? " ... (m:coef() has all)\n" : "\n");
}

const model_kind model_kind_linear = {
    .name = "linear",
    .task = MODEL_REGRESSOR,
    .title = "linear regression (least squares; ridge penalty)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = linear_fit,
    .predict = linear_predict,
    .check = linear_check,
    .describe = linear_describe,
};
