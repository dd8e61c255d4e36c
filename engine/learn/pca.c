/* pca.c — principal component analysis: lab.model.pca{n=2}.
 *
 * As scikit-learn's PCA (svd_solver "full"): the features are centred by
 * their means and the centred matrix factorised by LAPACK's divide-and-
 * conquer SVD (dgesdd), A = U S V'. The components are the first n rows of
 * V', each with its sign fixed as scikit-learn 1.2 fixes it (the entry of
 * largest magnitude in the matching column of U is positive), so that the
 * same data gives the same components everywhere. The variance each explains
 * is s^2 / (rows - 1); its ratio divides by the sum over all min(rows, p)
 * components. transform(X) = (X - mean) V'[1..n]' gives the frame
 * PC1..PCn.
 *
 * Tensors: "mean" (p x 1), "components" (p x n: column c is component c),
 * "explained_variance" and "explained_variance_ratio" (n x 1). Figure:
 * explained (the sum of the kept ratios). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "kinds.h"

static const model_param_spec params[] = {
    {"n", MODEL_P_INTEGER, 2, NULL, 1, 1e6, 0, NULL, "number of components kept (at most the features and the rows)"},
};

static int pca_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p, nc = (int)model_param_num(m, "n");
    if (n > (size_t)0x7fffffff || (size_t)p * n > ((size_t)1 << 40))
        return lab_fail(e, "fit: pca: too many rows for LAPACK (%zu)", n);
    if (n < 2) return lab_fail(e, "fit: pca: needs at least 2 rows, got %zu", n);
    int mn = (size_t)p < n ? p : (int)n;
    if (nc > mn)
        return lab_fail(e, "fit: pca: hyper-parameter 'n' is %d, more than min(rows, features) = %d", nc, mn);
    if (lab_interrupt) return lab_fail(e, "fit: interrupted");
    int N = (int)n, rc = -1, info = 0, lwork = -1;
    double *mean = model_tensor_new(m, "mean", (size_t)p, 1);
    double *A = xmalloc_big(n * (size_t)p * sizeof *A);
    for (int j = 0; j < p; j++) {
        const double *x = X->x + (size_t)j * n;
        double s = 0;
        for (size_t i = 0; i < n; i++) s += x[i];
        s /= (double)n;
        mean[j] = s;
        double *a = A + (size_t)j * n;
        for (size_t i = 0; i < n; i++) a[i] = x[i] - s;
    }
    double *S = xmalloc((size_t)mn * sizeof *S), *U = xmalloc_big(n * (size_t)mn * sizeof *U);
    double *VT = xmalloc((size_t)mn * (size_t)p * sizeof *VT), q;
    int *iwork = xmalloc(8 * (size_t)mn * sizeof *iwork);
    double *work = NULL;
    dgesdd_("S", &N, &p, A, &N, S, U, &N, VT, &mn, &q, &lwork, iwork, &info, 1);
    if (info == 0) {
        lwork = (int)q;
        work = xmalloc((size_t)(lwork > 1 ? lwork : 1) * sizeof *work);
        dgesdd_("S", &N, &p, A, &N, S, U, &N, VT, &mn, work, &lwork, iwork, &info, 1);
    }
    if (info != 0) {
        lab_fail(e, "fit: pca: LAPACK dgesdd failed (info %d)", info);
        goto done;
    }
    double total = 0;
    for (int c = 0; c < mn; c++) total += S[c] * S[c] / (double)(n - 1);
    double *W = model_tensor_new(m, "components", (size_t)p, (size_t)nc);
    double *ev = model_tensor_new(m, "explained_variance", (size_t)nc, 1);
    double *evr = model_tensor_new(m, "explained_variance_ratio", (size_t)nc, 1);
    double kept = 0;
    for (int c = 0; c < nc; c++) {
        const double *u = U + (size_t)c * n;
        size_t at = 0;
        for (size_t i = 1; i < n; i++)
            if (fabs(u[i]) > fabs(u[at])) at = i;
        double sign = u[at] < 0 ? -1 : 1;
        for (int j = 0; j < p; j++) W[(size_t)c * (size_t)p + (size_t)j] = sign * VT[(size_t)j * (size_t)mn + (size_t)c];
        ev[c] = S[c] * S[c] / (double)(n - 1);
        evr[c] = total > 0 ? ev[c] / total : 0;
        kept += evr[c];
    }
    model_set_figure(m, "explained", kept);
    rc = 0;
done:
    free(A);
    free(S);
    free(U);
    free(VT);
    free(iwork);
    free(work);
    return rc;
}

static frame *pca_transform(const model *m, const model_matrix *X, lab_err *e) {
    (void)e;
    const model_tensor *W = model_tensor_get(m, "components");
    const double *mean = model_tensor_get(m, "mean")->data;
    size_t n = X->n;
    int p = X->p, nc = (int)W->cols;
    double *Y = xcalloc((n ? n : 1) * (size_t)nc, sizeof *Y);
    if (n > 0) {
        double *A = xmalloc_big(n * (size_t)p * sizeof *A);
        for (int j = 0; j < p; j++)
            for (size_t i = 0; i < n; i++) A[(size_t)j * n + i] = X->x[(size_t)j * n + i] - mean[j];
        int N = (int)n;
        double one = 1, zero = 0;
        dgemm_("N", "N", &N, &nc, &p, &one, A, &N, W->data, &p, &zero, Y, &N, 1, 1);
        free(A);
    }
    frame *r = frame_new();
    for (int c = 0; c < nc; c++) {
        char name[32];
        snprintf(name, sizeof name, "PC%d", c + 1);
        column *col = col_new(COL_NUMBER, n, NULL);
        if (n) memcpy(col->f64, Y + (size_t)c * n, n * sizeof *Y);
        frame_set_column(r, name, col, NULL);
    }
    r->nrow = n;
    free(Y);
    return r;
}

static int pca_check(const model *m, lab_err *e) {
    const model_tensor *W = model_tensor_get(m, "components"), *mu = model_tensor_get(m, "mean");
    const model_tensor *ev = model_tensor_get(m, "explained_variance"), *evr = model_tensor_get(m, "explained_variance_ratio");
    size_t nc = W ? W->cols : 0;
    if (!W || W->rows != (size_t)m->nfeat || nc < 1)
        return lab_fail(e, "pca: tensor 'components' is missing or is not %d x n", m->nfeat);
    if (!mu || mu->rows != (size_t)m->nfeat || mu->cols != 1)
        return lab_fail(e, "pca: tensor 'mean' is missing or is not %d x 1", m->nfeat);
    if (!ev || ev->rows != nc || ev->cols != 1 || !evr || evr->rows != nc || evr->cols != 1)
        return lab_fail(e, "pca: tensors 'explained_variance' and 'explained_variance_ratio' must be %zu x 1", nc);
    return 0;
}

static void pca_describe(const model *m, strbuf *b) {
    const model_tensor *evr = model_tensor_get(m, "explained_variance_ratio");
    char line[64];
    strbuf_adds(b, "  explained variance ratio:");
    for (size_t c = 0; c < evr->rows && c < 12; c++) {
        snprintf(line, sizeof line, " PC%zu %.4g%s", c + 1, evr->data[c], c + 1 < evr->rows ? "," : "");
        strbuf_adds(b, line);
    }
    strbuf_adds(b, evr->rows > 12 ? " ...\n" : "\n");
}

const model_kind model_kind_pca = {
    .name = "pca",
    .task = MODEL_TRANSFORMER,
    .title = "principal component analysis (centred, SVD)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = pca_fit,
    .transform = pca_transform,
    .check = pca_check,
    .describe = pca_describe,
};
