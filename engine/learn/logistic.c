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
 * of rows: Z = X_blk W, the losses and residuals R in place, then
 * G += X_blk' R while the block is still in cache. The rows are cut into
 * chunks of blocks that two threads (large data) take in turn; each chunk
 * has its own sums, added in chunk order, so results depend neither on
 * timing nor on the thread count, and a thread kept off its core by other
 * work holds up at most the chunk it is on. With more classes the products
 * are dgemm's. Two classes (W one column) take loops of our own instead,
 * since for a single column OpenBLAS's dgemm spends most of its time packing
 * the block: they read four columns a sweep and keep eight partial sums per
 * column, added in a fixed order whatever the vector width, and they read
 * the frame's own columns (model_fit's view, no copy of the data).
 *
 * Tensors: "coef" (p x K', K' = 1 for two classes, else the number of
 * classes) and "intercept" (K' x 1). */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "kinds.h"
#include "lbfgs.h"
#include "../util/team.h"

static const model_param_spec params[] = {
    {"C", MODEL_P_NUMBER, 1, NULL, 0, INFINITY, 1, NULL,
     "inverse of the L2 penalty's strength (scikit-learn's C): smaller is stronger"},
    {"max_iter", MODEL_P_INTEGER, 100, NULL, 1, 1e7, 0, NULL, "L-BFGS iterations at most"},
    {"tol", MODEL_P_NUMBER, 1e-4, NULL, 0, 1, 1, NULL, "stop when the largest gradient component is at most tol"},
    {"intercept", MODEL_P_BOOLEAN, 1, NULL, 0, 1, 0, NULL, "fit an intercept (not penalised)"},
};

#define BLOCK 1024            /* rows per block: 1024 x 50 doubles stay in L2 */
#define LANES 8               /* partial sums per column in the binary loops */
#define LOG_RUN 256           /* rows whose log(1 + e) are summed by one log (2^256 fits a double) */
#define THREAD_WORK 2000000.0 /* n p K' above which two threads share a pass */
#define CHUNK_ROWS 8192       /* rows per chunk, at least */
#define MAX_CHUNKS 64         /* chunks, at most (else larger ones) */

typedef struct problem {
    const model_matrix *X;
    const int *cls;
    int K;      /* columns of W: 1 (binary) or the number of classes */
    int icpt;
    double lam; /* 1 / (C n) */
    long iter_reported;
    const model_fit_data *d;
    team *tm;             /* the second thread, or NULL */
    size_t chunk, nchunk; /* rows per chunk (a multiple of BLOCK), chunks */
    double *sums;         /* nchunk x (nv + 1): a chunk's gradient sums (W part, b part), then its loss */
    double *Z[2];         /* BLOCK x K scratch per thread */
} problem;

/* One evaluation: the chunks go to whichever thread asks next; each chunk
 * has its own sums, added in chunk order afterwards, so the result does not
 * depend on which thread did what (nor on their number). */
typedef struct eval_job {
    const problem *P;
    const double *v;
    atomic_size_t next;
} eval_job;

/* The binary loops are built for wider vectors too where GCC can pick them
 * at run time; the sums are taken in the same order on all of them. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HOT __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define HOT
#endif

/* Z[0..B) = b + X_blk w, X_blk rows [r0, r0 + B) of X: four columns a
 * sweep over Z. */
HOT static void block_scores(const model_matrix *X, size_t r0, int B, const double *restrict w, double b,
                             double *restrict Z) {
    int p = X->p, B8 = B / LANES * LANES, j = 0;
    for (int i = 0; i < B; i++) Z[i] = b;
    for (; j + 4 <= p; j += 4) {
        const double *x0 = model_matrix_col(X, j) + r0, *x1 = model_matrix_col(X, j + 1) + r0;
        const double *x2 = model_matrix_col(X, j + 2) + r0, *x3 = model_matrix_col(X, j + 3) + r0;
        double w0 = w[j], w1 = w[j + 1], w2 = w[j + 2], w3 = w[j + 3];
        for (int i = 0; i < B8; i += LANES)
            for (int l = 0; l < LANES; l++)
                Z[i + l] += (w0 * x0[i + l] + w1 * x1[i + l]) + (w2 * x2[i + l] + w3 * x3[i + l]);
        for (int i = B8; i < B; i++) Z[i] += (w0 * x0[i] + w1 * x1[i]) + (w2 * x2[i] + w3 * x3[i]);
    }
    for (; j < p; j++) {
        const double *x0 = model_matrix_col(X, j) + r0;
        for (int i = 0; i < B; i++) Z[i] += w[j] * x0[i];
    }
}

/* G[j] += sum_i x_j[i] R[i] over the block (as block_scores): per column
 * LANES partial sums, then the rows past the last full lane group. */
HOT static void block_grad(const model_matrix *X, size_t r0, int B, const double *restrict R, double *restrict G) {
    int p = X->p, B8 = B / LANES * LANES, j = 0;
    for (; j + 2 <= p; j += 2) {
        const double *x0 = model_matrix_col(X, j) + r0, *x1 = model_matrix_col(X, j + 1) + r0;
        double a0[LANES] = {0}, a1[LANES] = {0};
        for (int i = 0; i < B8; i += LANES)
            for (int l = 0; l < LANES; l++) {
                a0[l] += x0[i + l] * R[i + l];
                a1[l] += x1[i + l] * R[i + l];
            }
        double s0 = ((a0[0] + a0[1]) + (a0[2] + a0[3])) + ((a0[4] + a0[5]) + (a0[6] + a0[7]));
        double s1 = ((a1[0] + a1[1]) + (a1[2] + a1[3])) + ((a1[4] + a1[5]) + (a1[6] + a1[7]));
        for (int i = B8; i < B; i++) {
            s0 += x0[i] * R[i];
            s1 += x1[i] * R[i];
        }
        G[j] += s0;
        G[j + 1] += s1;
    }
    for (; j < p; j++) {
        const double *x0 = model_matrix_col(X, j) + r0;
        double s0 = 0;
        for (int i = 0; i < B; i++) s0 += x0[i] * R[i];
        G[j] += s0;
    }
}

/* Chunk c of the rows at v = [W, b]: its loss sum and the gradient sums of
 * the data term into P->sums, with Z as scratch. */
static void chunk_pass(const problem *P, const double *v, size_t c, double *Z) {
    const model_matrix *X = P->X;
    int p = X->p, K = P->K, N = (int)X->n;
    size_t nv = (size_t)p * (size_t)K + (size_t)K, first = c * P->chunk;
    size_t last = first + P->chunk < X->n ? first + P->chunk : X->n;
    const double *W = v, *b = v + (size_t)p * (size_t)K;
    double one = 1, zero = 0, loss = 0;
    double *G = P->sums + c * (nv + 1), *gb = G + (size_t)p * (size_t)K;
    memset(G, 0, nv * sizeof *G);
    for (size_t r0 = first; r0 < last; r0 += BLOCK) {
        int B = (int)(last - r0 < BLOCK ? last - r0 : BLOCK); /* Z: B x K, leading dimension B */
        const int *y = P->cls + r0;
        if (K == 1) {
            block_scores(X, r0, B, W, b[0], Z);
            /* loss_i = log(1 + e^z) - t z = max(z, 0) + log(1 + e) - t z with
             * e = exp(-|z|), which gives the probability too. The logs of a
             * run of LOG_RUN rows are summed as the log of their product
             * (each factor 1 + e is in (1, 2]: no overflow), one log per run
             * instead of one a row, with the same one rounding per factor. */
            for (int i0 = 0; i0 < B; i0 += LOG_RUN) {
                int i1 = i0 + LOG_RUN < B ? i0 + LOG_RUN : B;
                double prod = 1;
                for (int i = i0; i < i1; i++) {
                    double z = Z[i], e = exp(-fabs(z)), t = y[i] == 1;
                    prod *= 1 + e;
                    loss += (z > 0 ? z : 0) - t * z;
                    double pr = z >= 0 ? 1 / (1 + e) : e / (1 + e);
                    Z[i] = pr - t;
                    gb[0] += Z[i];
                }
                loss += log(prod);
            }
            block_grad(X, r0, B, Z, G);
        } else {
            const double *Xb = X->x + r0; /* contiguous: logistic_fit sees to it */
            dgemm_("N", "N", &B, &K, &p, &one, Xb, &N, W, &p, &zero, Z, &B, 1, 1);
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
            dgemm_("T", "N", &p, &K, &B, &one, Xb, &N, Z, &B, &one, G, &p, 1, 1);
        }
    }
    G[nv] = loss;
}

static void eval_part(void *arg, int t) {
    eval_job *J = arg;
    for (size_t c; (c = atomic_fetch_add(&J->next, 1)) < J->P->nchunk;) chunk_pass(J->P, J->v, c, J->P->Z[t]);
}

/* f and gradient at v = [W (p x K), b (K)]. */
static double objective(void *ud, const double *v, double *g) {
    const problem *P = ud;
    size_t n = P->X->n;
    int p = P->X->p, K = P->K;
    size_t nv = (size_t)p * (size_t)K + (size_t)K;
    eval_job J = {P, v, 0};
    if (P->tm) team_run(P->tm, eval_part, &J);
    else eval_part(&J, 0);
    double loss = 0;
    memset(g, 0, nv * sizeof *g);
    for (size_t c = 0; c < P->nchunk; c++) {
        const double *G = P->sums + c * (nv + 1);
        for (size_t j = 0; j < nv; j++) g[j] += G[j];
        loss += G[nv];
    }
    for (size_t j = 0; j < nv; j++) g[j] /= (double)n;
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
    /* model_fit may give a view of the frame's columns: the binary loops read
     * it as it is, dgemm (more classes) needs the columns side by side */
    model_matrix C = *X;
    if (d->nclass > 2 && X->cols) {
        C.x = xmalloc_big(X->n * (size_t)X->p * sizeof *C.x);
        for (int j = 0; j < X->p; j++) memcpy(C.x + (size_t)j * X->n, X->cols[j], X->n * sizeof *C.x);
        C.cols = NULL;
    }
    problem P = {&C, d->cls, d->nclass == 2 ? 1 : d->nclass, model_param_num(m, "intercept") != 0,
                 1 / (model_param_num(m, "C") * (double)X->n), 0, d, NULL, 0, 0, NULL, {NULL, NULL}};
    int p = X->p, K = P.K;
    int nv = p * K + K;
    /* chunks: CHUNK_ROWS rows, more when that makes more than MAX_CHUNKS (a function of n only) */
    size_t per = (X->n + MAX_CHUNKS - 1) / MAX_CHUNKS;
    P.chunk = ((per > CHUNK_ROWS ? per : CHUNK_ROWS) + BLOCK - 1) / BLOCK * BLOCK;
    P.nchunk = (X->n + P.chunk - 1) / P.chunk;
    P.sums = xmalloc(P.nchunk * ((size_t)nv + 1) * sizeof *P.sums);
    P.Z[0] = xmalloc(2 * (size_t)BLOCK * (size_t)K * sizeof *P.Z[0]);
    P.Z[1] = P.Z[0] + (size_t)BLOCK * (size_t)K;
    team tm;
    if ((double)X->n * p * K > THREAD_WORK && P.nchunk > 1) {
        team_start(&tm);
        P.tm = &tm;
    }
    double *v = xcalloc((size_t)nv, sizeof *v);
    lbfgs_opts o = {10, (int)model_param_num(m, "max_iter"), model_param_num(m, "tol"), 64 * 2.220446049250313e-16,
                    20, "fitting logistic"};
    lbfgs_result r;
    int rc = lbfgs_minimize(nv, v, objective, &P, &o, on_iter, &r, e);
    if (P.tm) team_stop(P.tm);
    free(P.sums);
    free(P.Z[0]);
    if (C.x != X->x) free(C.x);
    if (rc < 0) {
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
    .fit_columns = 1,
};
