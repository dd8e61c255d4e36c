/* gbm.c — gradient-boosted trees on histograms: lab.model.gbm{} (binary log
 * loss, or the softmax over more classes) and lab.model.gbm_regressor{}
 * (squared error), after scikit-learn's HistGradientBoosting{Classifier,
 * Regressor}, with its defaults and its meaning of every hyper-parameter.
 *
 * Features are binned once (at most 255 bins, tree.h). Each round computes
 * the gradient and hessian of the loss at the current raw scores and grows
 * one tree per score (one, or one per class) best-first up to max_leaf_nodes
 * leaves, each leaf worth -learning_rate * G / (H + l2_regularization). The
 * training scores are updated from the rows each leaf holds, without walking
 * the tree; validation rows walk it on their bin codes. Histograms are built
 * row-wise by two threads, each on its own half of a node's rows, and added
 * in a fixed order. Early stopping (on by default above 10,000 rows, as
 * scikit-learn's 'auto') holds out validation_fraction of the rows (by class
 * for classifiers) and stops when the validation loss has not improved by
 * more than tol on the best of the n_iter_no_change rounds before.
 *
 * Tensors: "nodes", "roots" (tree t adds to score t mod K'), "baseline" (K'
 * x 1, the scores before the first round) and "importance" (split gains,
 * normalised). Figures: n_iter, train_loss, val_loss; per round "loss" (and
 * "val_loss") through the fit callback. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "tree.h"
#include "../util/rng.h"

static const model_param_spec params[] = {
    {"learning_rate", MODEL_P_NUMBER, 0.1, NULL, 0, 1e6, 1, NULL, "shrinkage of every leaf value"},
    {"max_iter", MODEL_P_INTEGER, 100, NULL, 1, 1e6, 0, NULL, "boosting rounds at most"},
    {"max_leaf_nodes", MODEL_P_INTEGER, 31, NULL, 0, 1e6, 0, NULL, "leaves per tree at most (0: no limit)"},
    {"max_depth", MODEL_P_INTEGER, 0, NULL, 0, 1e6, 0, NULL, "depth at most (0: no limit)"},
    {"min_samples_leaf", MODEL_P_INTEGER, 20, NULL, 1, 1e12, 0, NULL, "rows in every leaf, at least"},
    {"l2_regularization", MODEL_P_NUMBER, 0, NULL, 0, INFINITY, 0, NULL, "L2 penalty on leaf values"},
    {"max_bins", MODEL_P_INTEGER, 255, NULL, 2, 255, 0, NULL, "bins per feature"},
    {"early_stopping", MODEL_P_STRING, 0, "auto", 0, 0, 0, "auto|on|off",
     "stop on a validation set: auto is on above 10,000 rows"},
    {"validation_fraction", MODEL_P_NUMBER, 0.1, NULL, 0, 1, 1, NULL, "share of the rows held out for early stopping"},
    {"n_iter_no_change", MODEL_P_INTEGER, 10, NULL, 1, 1e6, 0, NULL, "rounds without improvement before stopping"},
    {"tol", MODEL_P_NUMBER, 1e-7, NULL, 0, INFINITY, 0, NULL, "improvement of the validation loss that counts"},
    {"seed", MODEL_P_INTEGER, 0, NULL, 0, 9007199254740992.0, 0, NULL, "seed of the validation split"},
};

/* ---- losses ------------------------------------------------------------------------- */

typedef struct gb_loss {
    int K;  /* scores per row: 1, or the number of classes (> 2) */
    int clf;
} gb_loss;

/* Mean loss of raw scores R (n x K, column-major) against y / cls. */
static double loss_of(const gb_loss *L, const double *R, size_t n, const double *y, const int *cls) {
    double s = 0;
    if (!L->clf) {
        for (size_t i = 0; i < n; i++) s += 0.5 * (y[i] - R[i]) * (y[i] - R[i]);
    } else if (L->K == 1) {
        for (size_t i = 0; i < n; i++) {
            double z = R[i];
            s += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - (cls[i] == 1 ? z : 0);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double mx = -INFINITY, sum = 0;
            for (int k = 0; k < L->K; k++) mx = fmax(mx, R[(size_t)k * n + i]);
            for (int k = 0; k < L->K; k++) sum += exp(R[(size_t)k * n + i] - mx);
            s += mx + log(sum) - R[(size_t)cls[i] * n + i];
        }
    }
    return n ? s / (double)n : 0;
}

/* Gradients G and hessians H (n x K) at R. */
static void grad_of(const gb_loss *L, const double *R, size_t n, const double *y, const int *cls, double *G, double *H) {
    if (!L->clf) {
        for (size_t i = 0; i < n; i++) {
            G[i] = R[i] - y[i];
            H[i] = 1;
        }
    } else if (L->K == 1) {
        for (size_t i = 0; i < n; i++) {
            double z = R[i], pr = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
            G[i] = pr - (cls[i] == 1);
            H[i] = pr * (1 - pr);
        }
    } else {
        int K = L->K;
        for (size_t i = 0; i < n; i++) {
            double mx = -INFINITY, sum = 0;
            for (int k = 0; k < K; k++) mx = fmax(mx, R[(size_t)k * n + i]);
            for (int k = 0; k < K; k++) sum += exp(R[(size_t)k * n + i] - mx);
            for (int k = 0; k < K; k++) {
                double pr = exp(R[(size_t)k * n + i] - mx) / sum;
                G[(size_t)k * n + i] = pr - (cls[i] == k);
                H[(size_t)k * n + i] = pr * (1 - pr);
            }
        }
    }
}

/* ---- fitting ---------------------------------------------------------------------------- */

/* Rows of X picked by idx[0..n) as a new matrix. */
static model_matrix take_rows(const model_matrix *X, const size_t *idx, size_t n) {
    model_matrix S = {n, X->p, xmalloc_big((n ? n : 1) * (size_t)X->p * sizeof(double))};
    for (int j = 0; j < X->p; j++) {
        const double *src = X->x + (size_t)j * X->n;
        double *dst = S.x + (size_t)j * n;
        for (size_t i = 0; i < n; i++) dst[i] = src[idx[i]];
    }
    return S;
}

/* Split rows into training and validation rows (by class when cls is given). */
static size_t split_rows(size_t n, const int *cls, int nclass, double frac, uint64_t seed, size_t *train, size_t *val,
                         size_t *nval) {
    size_t *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    rng r;
    rng_seed(&r, seed);
    rng_shuffle(&r, idx, n);
    char *is_val = xcalloc(n, 1);
    if (cls) {
        for (int k = 0; k < nclass; k++) {
            size_t nk = 0, take, got = 0;
            for (size_t i = 0; i < n; i++) nk += cls[i] == k;
            take = (size_t)ceil(frac * (double)nk - 1e-9);
            for (size_t i = 0; i < n && got < take; i++)
                if (cls[idx[i]] == k) {
                    is_val[idx[i]] = 1;
                    got++;
                }
        }
    } else {
        size_t take = (size_t)ceil(frac * (double)n - 1e-9);
        for (size_t i = 0; i < take; i++) is_val[idx[i]] = 1;
    }
    size_t nt = 0;
    *nval = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_val[i]) val[(*nval)++] = i;
        else train[nt++] = i;
    }
    free(is_val);
    free(idx);
    return nt;
}

/* Add tree t's values (already shrunk) to the scores R of rows with bin codes. */
static void walk_codes(const tree_nodes *t, const uint8_t *codes, int p, size_t n, double *R) {
    for (size_t i = 0; i < n; i++) {
        const uint8_t *c = codes + i * (size_t)p;
        int r = 0;
        while (t->feat[r] >= 0) r = c[t->feat[r]] <= t->bin[r] ? t->left[r] : t->right[r];
        R[i] += t->val[r];
    }
}

static int gbm_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p, clf = d->cls != NULL, rc = -1;
    gb_loss L = {clf ? (d->nclass == 2 ? 1 : d->nclass) : 1, clf};
    int K = L.K;
    double lr = model_param_num(m, "learning_rate");
    int max_iter = (int)model_param_num(m, "max_iter");
    int max_leaves = (int)model_param_num(m, "max_leaf_nodes");
    if (max_leaves == 1) return lab_fail(e, "gbm: hyper-parameter 'max_leaf_nodes' must be 0 (no limit) or at least 2");
    const model_param *es = model_param_get(m, "early_stopping");
    int stop_early = strcmp(es->str, "on") == 0 || (strcmp(es->str, "auto") == 0 && n > 10000);
    int no_change = (int)model_param_num(m, "n_iter_no_change");
    double tol = model_param_num(m, "tol");
    uint64_t seed = (uint64_t)model_param_num(m, "seed");

    /* rows: training and validation */
    size_t *tr = xmalloc(n * sizeof *tr), *va = xmalloc(n * sizeof *va), nv = 0, nt = n;
    if (stop_early) nt = split_rows(n, d->cls, d->nclass, model_param_num(m, "validation_fraction"), seed, tr, va, &nv);
    else
        for (size_t i = 0; i < n; i++) tr[i] = i;
    if (stop_early && (nt < 2 || nv < 1)) {
        stop_early = 0;
        nt = n;
        nv = 0;
        for (size_t i = 0; i < n; i++) tr[i] = i;
    }
    model_matrix Xt = take_rows(X, tr, nt), Xv = take_rows(X, va, nv);
    double *yt = NULL, *yv = NULL;
    int *ct = NULL, *cv = NULL;
    if (clf) {
        ct = xmalloc(nt * sizeof *ct);
        cv = xmalloc((nv ? nv : 1) * sizeof *cv);
        for (size_t i = 0; i < nt; i++) ct[i] = d->cls[tr[i]];
        for (size_t i = 0; i < nv; i++) cv[i] = d->cls[va[i]];
    } else {
        yt = xmalloc(nt * sizeof *yt);
        yv = xmalloc((nv ? nv : 1) * sizeof *yv);
        for (size_t i = 0; i < nt; i++) yt[i] = d->y[tr[i]];
        for (size_t i = 0; i < nv; i++) yv[i] = d->y[va[i]];
    }
    tree_bins bins;
    tree_bins_fit(&bins, &Xt, (int)model_param_num(m, "max_bins"));
    uint8_t *codes = tree_bins_apply(&bins, &Xt), *vcodes = tree_bins_apply(&bins, &Xv);
    free(Xt.x);
    free(Xv.x);

    /* the baseline: the best constant score */
    double *base = model_tensor_new(m, "baseline", (size_t)K, 1);
    if (!clf) {
        double s = 0;
        for (size_t i = 0; i < nt; i++) s += yt[i];
        base[0] = s / (double)nt;
    } else {
        double *cnt = xcalloc((size_t)d->nclass, sizeof *cnt);
        for (size_t i = 0; i < nt; i++) cnt[ct[i]] += 1;
        for (int k = 0; k < d->nclass; k++) cnt[k] = fmax(cnt[k], 1e-12) / (double)nt;
        if (K == 1) base[0] = log(cnt[1] / cnt[0]);
        else
            for (int k = 0; k < K; k++) base[k] = log(cnt[k]);
        free(cnt);
    }
    double *R = xmalloc(nt * (size_t)K * sizeof *R), *Rv = xmalloc((nv ? nv : 1) * (size_t)K * sizeof *Rv);
    for (int k = 0; k < K; k++) {
        for (size_t i = 0; i < nt; i++) R[(size_t)k * nt + i] = base[k];
        for (size_t i = 0; i < nv; i++) Rv[(size_t)k * nv + i] = base[k];
    }
    double *G = xmalloc(nt * (size_t)K * sizeof *G), *H = xmalloc(nt * (size_t)K * sizeof *H);
    size_t *rows = xmalloc(nt * sizeof *rows);
    double *imp = xcalloc((size_t)p, sizeof *imp);
    size_t ntree = 0, cap = 0;
    tree_nodes *trees = NULL;
    double *scores = xmalloc(((size_t)max_iter + 1) * sizeof *scores); /* validation losses, before round 1 first */
    if (stop_early) scores[0] = loss_of(&L, Rv, nv, yv, cv);
    tree_spec s = {TREE_GRAD,
                   0,
                   (int)model_param_num(m, "max_depth"),
                   max_leaves,
                   (size_t)model_param_num(m, "min_samples_leaf"),
                   2,
                   model_param_num(m, "l2_regularization"),
                   1e-3,
                   p,
                   0,
                   2};
    tree_work work = {0};
    int it = 0;
    double train_loss = loss_of(&L, R, nt, yt, ct), val_loss = NAN;
    while (it < max_iter) {
        if (lab_interrupt) {
            lab_fail(e, "fit: interrupted");
            goto done;
        }
        grad_of(&L, R, nt, yt, ct, G, H);
        for (int k = 0; k < K; k++) {
            if (ntree == cap) {
                cap = cap ? 2 * cap : 64;
                trees = xrealloc(trees, cap * sizeof *trees);
            }
            tree_nodes *t = &trees[ntree++];
            memset(t, 0, sizeof *t);
            for (size_t i = 0; i < nt; i++) rows[i] = i;
            tree_data td = {codes, p, &bins, NULL, NULL, G + (size_t)k * nt, H + (size_t)k * nt};
            tree_grow_with(&s, &td, rows, nt, t, imp, &work);
            double *Rk = R + (size_t)k * nt;
            for (size_t q = 0; q < t->n; q++) {
                t->val[q] *= lr;
                if (t->feat[q] >= 0) continue;
                double v = t->val[q];
                for (size_t j = t->start[q]; j < t->start[q] + t->count[q]; j++) Rk[rows[j]] += v;
            }
            if (nv) walk_codes(t, vcodes, p, nv, Rv + (size_t)k * nv);
        }
        it++;
        train_loss = loss_of(&L, R, nt, yt, ct);
        if (model_report(d, "loss", train_loss, it, e) < 0) goto done;
        if (stop_early) {
            val_loss = loss_of(&L, Rv, nv, yv, cv);
            scores[it] = val_loss;
            if (model_report(d, "val_loss", val_loss, it, e) < 0) goto done;
        }
        lab_progress("fitting gbm", it, max_iter);
        if (stop_early && it >= no_change) {
            /* stop when none of the last n_iter_no_change rounds beat the one before them by tol */
            double ref = scores[it - no_change];
            int better = 0;
            for (int q = it - no_change + 1; q <= it; q++) better |= scores[q] < ref - tol;
            if (!better) break;
        }
    }
    tree_nodes **tp = xmalloc(ntree * sizeof *tp);
    for (size_t t = 0; t < ntree; t++) tp[t] = &trees[t];
    tree_store(m, tp, ntree, 1);
    free(tp);
    tree_store_importance(m, imp, p);
    model_set_figure(m, "n_iter", it);
    model_set_figure(m, "train_loss", train_loss);
    if (stop_early) model_set_figure(m, "val_loss", val_loss);
    rc = 0;
done:
    tree_work_free(&work);
    for (size_t t = 0; t < ntree; t++) tree_nodes_free(&trees[t]);
    free(trees);
    free(scores);
    free(imp);
    free(rows);
    free(G);
    free(H);
    free(R);
    free(Rv);
    free(codes);
    free(vcodes);
    tree_bins_free(&bins);
    free(yt);
    free(yv);
    free(ct);
    free(cv);
    free(tr);
    free(va);
    return rc;
}

/* ---- predicting ---------------------------------------------------------------------------- */

/* Raw scores (n x K, column-major). */
static void raw_scores(const model *m, const model_matrix *X, double *R) {
    const model_tensor *b = model_tensor_get(m, "baseline");
    size_t n = X->n, K = b->rows, T = model_tensor_get(m, "roots")->rows;
    for (size_t k = 0; k < K; k++)
        for (size_t i = 0; i < n; i++) R[k * n + i] = b->data[k];
    size_t *leaf = xmalloc((n ? n : 1) * sizeof *leaf);
    for (size_t t = 0; t < T; t++) {
        tree_leaves(m, t, X, leaf);
        double *Rk = R + (t % K) * n;
        for (size_t i = 0; i < n; i++) Rk[i] += tree_leaf_value(m, leaf[i], 0);
    }
    free(leaf);
}

static int gbm_predict(const model *m, const model_matrix *X, double *out, lab_err *e) {
    (void)e;
    raw_scores(m, X, out);
    return 0;
}

static int gbm_proba(const model *m, const model_matrix *X, double *P, lab_err *e) {
    (void)e;
    size_t n = X->n, K = m->classes->n;
    if (K == 2) {
        raw_scores(m, X, P + n);
        for (size_t i = 0; i < n; i++) {
            double z = P[n + i];
            P[n + i] = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
            P[i] = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
        }
        return 0;
    }
    raw_scores(m, X, P);
    for (size_t i = 0; i < n; i++) {
        double mx = -INFINITY, sum = 0;
        for (size_t k = 0; k < K; k++) mx = fmax(mx, P[k * n + i]);
        for (size_t k = 0; k < K; k++) {
            P[k * n + i] = exp(P[k * n + i] - mx);
            sum += P[k * n + i];
        }
        for (size_t k = 0; k < K; k++) P[k * n + i] /= sum;
    }
    return 0;
}

static int gbm_check_common(const model *m, size_t K, const char *kind, lab_err *e) {
    if (tree_check(m, 1, kind, e) < 0) return -1;
    const model_tensor *b = model_tensor_get(m, "baseline"), *t = model_tensor_get(m, "importance");
    if (!b || b->rows != K || b->cols != 1) return lab_fail(e, "%s: tensor 'baseline' is missing or is not %zu x 1", kind, K);
    if (model_tensor_get(m, "roots")->rows % K) return lab_fail(e, "%s: the trees do not come in groups of %zu", kind, K);
    if (!t || t->rows != (size_t)m->nfeat || t->cols != 1)
        return lab_fail(e, "%s: tensor 'importance' is missing or is not %d x 1", kind, m->nfeat);
    return 0;
}

static int gbm_check_clf(const model *m, lab_err *e) {
    if (!m->classes || m->classes->n < 2) return lab_fail(e, "gbm: fewer than two class labels");
    return gbm_check_common(m, m->classes->n == 2 ? 1 : m->classes->n, "gbm", e);
}

static int gbm_check_reg(const model *m, lab_err *e) { return gbm_check_common(m, 1, "gbm_regressor", e); }

static void gbm_describe(const model *m, strbuf *b) {
    tree_describe(m, b);
    char line[160];
    snprintf(line, sizeof line, "  %g boosting rounds\n", model_figure_get(m, "n_iter"));
    strbuf_adds(b, line);
}

const model_kind model_kind_gbm = {
    .name = "gbm",
    .task = MODEL_CLASSIFIER,
    .title = "gradient-boosted trees, classifier (histograms, log loss)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = gbm_fit,
    .predict = NULL,
    .predict_proba = gbm_proba,
    .check = gbm_check_clf,
    .describe = gbm_describe,
};

const model_kind model_kind_gbm_regressor = {
    .name = "gbm_regressor",
    .task = MODEL_REGRESSOR,
    .title = "gradient-boosted trees, regressor (histograms, squared error)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = gbm_fit,
    .predict = gbm_predict,
    .check = gbm_check_reg,
    .describe = gbm_describe,
};
