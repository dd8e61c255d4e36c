/* logistic.c — logistic regression with an L2 penalty:
 * lab.model.logistic{C=1, max_iter=100, tol=1e-4, intercept=true}.
 *
 * Two classes use one weight vector and the sigmoid; more use one vector per
 * class and the softmax (multinomial), as scikit-learn's default lbfgs
 * solver does. The objective is scikit-learn's, divided by C n so that the
 * gradient tolerance means the same thing as theirs:
 *
 *     f(W, b) = (1/n) sum_i loss_i + ||W||^2 / (2 C n)
 *
 * (the intercept b is not penalised). It is minimised by L-BFGS from zero.
 * One evaluation of f and its gradient is one pass over the data in blocks
 * of rows: Z = X_blk W by dgemm, the losses and residuals R in place, then
 * G += X_blk' R by dgemm while the block is still in cache; large data is
 * split between two threads, each summing its own rows, and the two partial
 * sums are added in a fixed order, so results do not depend on timing.
 *
 * Tensors: "coef" (p x K', K' = 1 for two classes, else the number of
 * classes) and "intercept" (K' x 1). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "kinds.h"
#include "lbfgs.h"

static const model_param_spec params[] = {
    {"C", MODEL_P_NUMBER, 1, NULL, 0, INFINITY, 1, NULL,
     "inverse of the L2 penalty's strength (scikit-learn's C): smaller is stronger"},
    {"max_iter", MODEL_P_INTEGER, 100, NULL, 1, 1e7, 0, NULL, "L-BFGS iterations at most"},
    {"tol", MODEL_P_NUMBER, 1e-4, NULL, 0, 1, 1, NULL, "stop when the largest gradient component is at most tol"},
    {"intercept", MODEL_P_BOOLEAN, 1, NULL, 0, 1, 0, NULL, "fit an intercept (not penalised)"},
};

#define BLOCK 1024            /* rows per block: 1024 x 50 doubles stay in L2 */
#define THREAD_WORK 2000000.0 /* n p K' above which two threads share a pass */

typedef struct problem {
    const model_matrix *X;
    const int *cls;
    int K;      /* columns of W: 1 (binary) or the number of classes */
    int icpt;
    double lam; /* 1 / (C n) */
    long iter_reported;
    const model_fit_data *d;
} problem;

/* One thread's share: rows [r0, r1); loss sum and the gradient sum of the
 * data term (p K + K values, W part then b part) into G. */
typedef struct share {
    const problem *P;
    const double *v;
    size_t r0, r1;
    double loss;
    double *G;
    double *Z; /* BLOCK x K scratch */
} share;

/* log(1 + e^z) without overflow */
static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

static void *pass(void *arg) {
    share *s = arg;
    const problem *P = s->P;
    const model_matrix *X = P->X;
    int p = X->p, K = P->K, N = (int)X->n;
    const double *W = s->v, *b = s->v + (size_t)p * (size_t)K;
    double one = 1, zero = 0, loss = 0;
    memset(s->G, 0, ((size_t)p * (size_t)K + (size_t)K) * sizeof *s->G);
    double *gb = s->G + (size_t)p * (size_t)K;
    for (size_t r0 = s->r0; r0 < s->r1; r0 += BLOCK) {
        int B = (int)(s->r1 - r0 < BLOCK ? s->r1 - r0 : BLOCK);
        const double *Xb = X->x + r0;
        double *Z = s->Z; /* B x K, leading dimension B */
        dgemm_("N", "N", &B, &K, &p, &one, Xb, &N, W, &p, &zero, Z, &B, 1, 1);
        const int *y = P->cls + r0;
        if (K == 1) {
            for (int i = 0; i < B; i++) {
                double z = Z[i] + b[0];
                double t = y[i] == 1;
                loss += softplus(z) - t * z;
                double pr = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
                Z[i] = pr - t;
                gb[0] += Z[i];
            }
        } else {
            for (int i = 0; i < B; i++) {
                double mx = -INFINITY;
                for (int k = 0; k < K; k++) {
                    double z = Z[(size_t)k * (size_t)B + (size_t)i] + b[k];
                    Z[(size_t)k * (size_t)B + (size_t)i] = z;
                    if (z > mx) mx = z;
                }
                double sum = 0;
                for (int k = 0; k < K; k++) sum += exp(Z[(size_t)k * (size_t)B + (size_t)i] - mx);
                double lse = mx + log(sum);
                loss += lse - Z[(size_t)y[i] * (size_t)B + (size_t)i];
                for (int k = 0; k < K; k++) {
                    double *zk = &Z[(size_t)k * (size_t)B + (size_t)i];
                    *zk = exp(*zk - lse) - (k == y[i]);
                    gb[k] += *zk;
                }
            }
        }
        dgemm_("T", "N", &p, &K, &B, &one, Xb, &N, Z, &B, &one, s->G, &p, 1, 1);
    }
    s->loss = loss;
    return NULL;
}

/* f and gradient at v = [W (p x K), b (K)]. */
static double objective(void *ud, const double *v, double *g) {
    const problem *P = ud;
    size_t n = P->X->n;
    int p = P->X->p, K = P->K;
    size_t nv = (size_t)p * (size_t)K + (size_t)K;
    int T = (double)n * p * K > THREAD_WORK ? 2 : 1;
    share sh[2];
    double *scratch = xmalloc((size_t)T * (nv + (size_t)BLOCK * (size_t)K) * sizeof *scratch);
    size_t half = (n / 2 / BLOCK) * BLOCK;
    for (int t = 0; t < T; t++) {
        sh[t].P = P;
        sh[t].v = v;
        sh[t].r0 = T == 1 ? 0 : (t == 0 ? 0 : half);
        sh[t].r1 = T == 1 ? n : (t == 0 ? half : n);
        sh[t].G = scratch + (size_t)t * (nv + (size_t)BLOCK * (size_t)K);
        sh[t].Z = sh[t].G + nv;
    }
    pthread_t th;
    int threaded = T == 2 && pthread_create(&th, NULL, pass, &sh[1]) == 0;
    pass(&sh[0]);
    if (T == 2) {
        if (threaded) pthread_join(th, NULL);
        else pass(&sh[1]);
    }
    double loss = sh[0].loss + (T == 2 ? sh[1].loss : 0);
    for (size_t j = 0; j < nv; j++) g[j] = (sh[0].G[j] + (T == 2 ? sh[1].G[j] : 0)) / (double)n;
    free(scratch);
    double reg = 0;
    for (size_t j = 0; j < (size_t)p * (size_t)K; j++) {
        reg += v[j] * v[j];
        g[j] += P->lam * v[j];
    }
    if (!P->icpt)
        for (int k = 0; k < K; k++) g[(size_t)p * (size_t)K + (size_t)k] = 0;
    return loss / (double)n + 0.5 * P->lam * reg;
}

static int on_iter(void *ud, int k, double f, lab_err *e) {
    problem *P = ud;
    return model_report(P->d, "loss", f, k, e);
}

static int logistic_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    if (X->n > (size_t)0x7fffffff) return lab_fail(e, "fit: logistic: too many rows for BLAS (%zu)", X->n);
    problem P = {X, d->cls, d->nclass == 2 ? 1 : d->nclass, model_param_num(m, "intercept") != 0,
                 1 / (model_param_num(m, "C") * (double)X->n), 0, d};
    int p = X->p, K = P.K;
    int nv = p * K + K;
    double *v = xcalloc((size_t)nv, sizeof *v);
    lbfgs_opts o = {10, (int)model_param_num(m, "max_iter"), model_param_num(m, "tol"), 64 * 2.220446049250313e-16,
                    20, "fitting logistic"};
    lbfgs_result r;
    if (lbfgs_minimize(nv, v, objective, &P, &o, on_iter, &r, e) < 0) {
        free(v);
        return -1;
    }
    double *W = model_tensor_new(m, "coef", (size_t)p, (size_t)K);
    memcpy(W, v, (size_t)p * (size_t)K * sizeof *W);
    double *b = model_tensor_new(m, "intercept", (size_t)K, 1);
    memcpy(b, v + (size_t)p * (size_t)K, (size_t)K * sizeof *b);
    double reg = 0;
    for (int j = 0; j < p * K; j++) reg += v[j] * v[j];
    free(v);
    model_set_figure(m, "n_iter", r.iter);
    model_set_figure(m, "converged", r.converged);
    model_set_figure(m, "objective", r.f);
    model_set_figure(m, "train_log_loss", r.f - 0.5 * P.lam * reg);
    return 0;
}

static int logistic_proba(const model *m, const model_matrix *X, double *Pr, lab_err *e) {
    (void)e;
    const model_tensor *W = model_tensor_get(m, "coef");
    const double *b = model_tensor_get(m, "intercept")->data;
    size_t n = X->n;
    int K = (int)W->cols, p = X->p, N = (int)n;
    if (n == 0) return 0;
    double one = 1, zero = 0;
    /* Z into the last K columns of Pr (binary: column 1) */
    double *Z = Pr + (K == 1 ? n : 0);
    dgemm_("N", "N", &N, &K, &p, &one, X->x, &N, W->data, &p, &zero, Z, &N, 1, 1);
    if (K == 1) {
        for (size_t i = 0; i < n; i++) {
            double z = Z[i] + b[0];
            double pr = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
            Pr[n + i] = pr;
            Pr[i] = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
        }
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        double mx = -INFINITY, sum = 0;
        for (int k = 0; k < K; k++) {
            double *z = &Pr[(size_t)k * n + i];
            *z += b[k];
            if (*z > mx) mx = *z;
        }
        for (int k = 0; k < K; k++) {
            double *z = &Pr[(size_t)k * n + i];
            *z = exp(*z - mx);
            sum += *z;
        }
        for (int k = 0; k < K; k++) Pr[(size_t)k * n + i] /= sum;
    }
    return 0;
}

static int logistic_check(const model *m, lab_err *e) {
    const model_tensor *W = model_tensor_get(m, "coef"), *b = model_tensor_get(m, "intercept");
    size_t K = m->classes && m->classes->n > 2 ? m->classes->n : 1;
    if (!m->classes || m->classes->n < 2) return lab_fail(e, "logistic: fewer than two class labels");
    if (!W || W->rows != (size_t)m->nfeat || W->cols != K)
        return lab_fail(e, "logistic: tensor 'coef' is missing or is not %d x %zu", m->nfeat, K);
    if (!b || b->rows != K || b->cols != 1) return lab_fail(e, "logistic: tensor 'intercept' is missing or is not %zu x 1", K);
    return 0;
}

static void logistic_describe(const model *m, strbuf *b) {
    const model_tensor *W = model_tensor_get(m, "coef");
    char line[320];
    if (W->cols == 1) {
        col_format(m->classes, 1, line, sizeof line);
        strbuf_adds(b, "  log-odds of '");
        strbuf_adds(b, line);
        snprintf(line, sizeof line, "': intercept %.6g, coef:", model_tensor_get(m, "intercept")->data[0]);
        strbuf_adds(b, line);
        for (int j = 0; j < m->nfeat && j < 8; j++) {
            snprintf(line, sizeof line, " %s %.4g%s", m->feat[j].name, W->data[j], j + 1 < m->nfeat ? "," : "");
            strbuf_adds(b, line);
        }
        strbuf_adds(b, m->nfeat > 8 ? " ...\n" : "\n");
    } else {
        snprintf(line, sizeof line, "  multinomial: %zu x %d coefficients (m:coef())\n", W->cols, m->nfeat);
        strbuf_adds(b, line);
    }
}

const model_kind model_kind_logistic = {
    .name = "logistic",
    .task = MODEL_CLASSIFIER,
    .title = "logistic regression (L2 penalty, L-BFGS)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = logistic_fit,
    .predict = NULL,
    .predict_proba = logistic_proba,
    .check = logistic_check,
    .describe = logistic_describe,
};
