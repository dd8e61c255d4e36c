/* forest.c — random forests: lab.model.forest{trees=100} (classes, Gini or
 * entropy) and lab.model.forest_regressor{} (squared error), as
 * scikit-learn's RandomForest{Classifier,Regressor}.
 *
 * Each tree grows fully (by default) on a bootstrap sample of the rows, drawing
 * max_features of the features at every node (the square root of their
 * number for classes, all of them for numbers). Features are binned once for
 * the whole forest (tree.h). Tree t draws everything from its own generator,
 * seeded from the forest's seed and t, and two threads take trees from a
 * shared counter; the trees, their importances and the out-of-bag sums are
 * put together in tree order afterwards, so the forest does not depend on
 * which thread grew which tree. A classifier predicts the mean of its trees'
 * class probabilities, a regressor the mean of their predictions.
 *
 * Tensors: "nodes", "roots" (tree.h) and "importance" (p x 1). Figures:
 * oob_score (accuracy or R² on the rows each tree did not see). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "tree.h"
#include "../util/rng.h"

#define FOREST_PARAMS(MF)                                                                                        \
    {"trees", MODEL_P_INTEGER, 100, NULL, 1, 100000, 0, NULL, "trees in the forest"},                            \
        {"max_depth", MODEL_P_INTEGER, 0, NULL, 0, 1e6, 0, NULL, "depth at most (0: no limit)"},                 \
        {"min_samples_split", MODEL_P_INTEGER, 2, NULL, 2, 1e12, 0, NULL, "rows a node needs to be split"},     \
        {"min_samples_leaf", MODEL_P_INTEGER, 1, NULL, 1, 1e12, 0, NULL, "rows in every leaf, at least"},        \
        {"max_features", MODEL_P_NUMBER, MF, NULL, 0, 1, 0, NULL,                                               \
         "share of the features drawn at each node (0: the square root of their number)"},                      \
        {"bootstrap", MODEL_P_BOOLEAN, 1, NULL, 0, 1, 0, NULL, "grow each tree on a bootstrap sample"},          \
        {"max_bins", MODEL_P_INTEGER, 255, NULL, 2, 255, 0, NULL,                                               \
         "bins per feature: exact splits when a feature has no more distinct values"},                           \
        {"seed", MODEL_P_INTEGER, 0, NULL, 0, 9007199254740992.0, 0, NULL, "seed of the bootstrap and feature draws"}

static const model_param_spec clf_params[] = {
    {"criterion", MODEL_P_STRING, 0, "gini", 0, 0, 0, "gini|entropy", "split quality: gini or entropy"},
    FOREST_PARAMS(0),
};
static const model_param_spec reg_params[] = {FOREST_PARAMS(1)};

typedef struct forest_job {
    const model_fit_data *d;
    const tree_data *base;
    tree_spec spec;
    int bootstrap;
    size_t T;
    tree_nodes *trees; /* T */
    double *imp;       /* T x p */
    pthread_mutex_t mu;
    size_t next, done;
    int stop;
} forest_job;

/* The bootstrap multiplicity of every row for tree t (its generator's first n draws). */
static void draw_rows(rng *r, size_t n, int bootstrap, double *w) {
    if (!bootstrap) {
        for (size_t i = 0; i < n; i++) w[i] = 1;
        return;
    }
    memset(w, 0, n * sizeof *w);
    for (size_t i = 0; i < n; i++) w[rng_below(r, n)] += 1;
}

typedef struct worker {
    forest_job *J;
    int reports; /* the calling thread reports progress */
} worker;

static void *grow_trees(void *arg) {
    forest_job *J = ((worker *)arg)->J;
    const model_fit_data *d = J->d;
    size_t n = d->X->n;
    int p = d->X->p;
    double *w = xmalloc(n * sizeof *w), *wy = d->y ? xmalloc(n * sizeof *wy) : NULL;
    size_t *rows = xmalloc(n * sizeof *rows);
    tree_work work = {0};
    for (;;) {
        pthread_mutex_lock(&J->mu);
        size_t t = J->next++;
        int stop = J->stop || lab_interrupt;
        if (stop) J->stop = 1;
        pthread_mutex_unlock(&J->mu);
        if (stop || t >= J->T) break;
        rng r;
        uint64_t sd = tree_seed(J->spec.seed, t);
        rng_seed(&r, sd);
        draw_rows(&r, n, J->bootstrap, w);
        size_t nr = 0;
        for (size_t i = 0; i < n; i++)
            if (w[i] > 0) rows[nr++] = i;
        tree_data td = *J->base;
        if (d->y) {
            for (size_t i = 0; i < n; i++) wy[i] = w[i] * d->y[i];
            td.a = w;
            td.b = wy;
        } else {
            td.w = w;
        }
        tree_spec s = J->spec;
        s.seed = rng_next(&r);
        tree_grow_with(&s, &td, rows, nr, &J->trees[t], J->imp + t * (size_t)p, &work);
        pthread_mutex_lock(&J->mu);
        size_t done = ++J->done;
        pthread_mutex_unlock(&J->mu);
        if (((worker *)arg)->reports) lab_progress("fitting forest", (double)done, (double)J->T);
    }
    tree_work_free(&work);
    free(w);
    free(wy);
    free(rows);
    return NULL;
}

/* The out-of-bag score: each row predicted by the trees that did not draw
 * it, summed in tree order. */
static double oob_score(model *m, const model_fit_data *d, const forest_job *J) {
    size_t n = d->X->n, T = J->T;
    int V = J->trees[0].V;
    double *sum = xcalloc(n * (size_t)V, sizeof *sum), *w = xmalloc(n * sizeof *w);
    int *seen = xcalloc(n, sizeof *seen);
    size_t *leaf = xmalloc(n * sizeof *leaf);
    for (size_t t = 0; t < T; t++) {
        rng r;
        rng_seed(&r, tree_seed(J->spec.seed, t));
        draw_rows(&r, n, 1, w);
        tree_leaves(m, t, d->X, leaf);
        for (size_t i = 0; i < n; i++) {
            if (w[i] > 0) continue;
            seen[i] = 1;
            for (int c = 0; c < V; c++) sum[i * (size_t)V + (size_t)c] += tree_leaf_value(m, leaf[i], c);
        }
    }
    double score = NAN;
    size_t cnt = 0;
    if (d->cls) {
        size_t right = 0;
        for (size_t i = 0; i < n; i++) {
            if (!seen[i]) continue;
            int best = 0;
            for (int c = 1; c < V; c++)
                if (sum[i * (size_t)V + (size_t)c] > sum[i * (size_t)V + (size_t)best]) best = c;
            right += best == d->cls[i];
            cnt++;
        }
        if (cnt) score = (double)right / (double)cnt;
    } else {
        double mean = 0, ss = 0, res = 0;
        for (size_t i = 0; i < n; i++)
            if (seen[i]) {
                mean += d->y[i];
                cnt++;
            }
        if (cnt) mean /= (double)cnt;
        /* mean of the out-of-bag predictions: the sum over the trees that left the row out */
        size_t *cntr = xcalloc(n, sizeof *cntr);
        for (size_t t = 0; t < T && cnt; t++) {
            rng r;
            rng_seed(&r, tree_seed(J->spec.seed, t));
            draw_rows(&r, n, 1, w);
            for (size_t i = 0; i < n; i++) cntr[i] += w[i] == 0;
        }
        for (size_t i = 0; i < n && cnt; i++) {
            if (!seen[i]) continue;
            double pr = sum[i] / (double)cntr[i];
            res += (d->y[i] - pr) * (d->y[i] - pr);
            ss += (d->y[i] - mean) * (d->y[i] - mean);
        }
        if (cnt) score = ss > 0 ? 1 - res / ss : 0;
        free(cntr);
    }
    free(sum);
    free(w);
    free(seen);
    free(leaf);
    return score;
}

static int forest_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p, clf = d->cls != NULL, rc = -1;
    if (lab_interrupt) return lab_fail(e, "fit: interrupted");
    tree_bins bins;
    tree_bins_fit(&bins, X, (int)model_param_num(m, "max_bins"));
    uint8_t *codes = tree_bins_apply(&bins, X);
    const model_param *crit = model_param_get(m, "criterion");
    double mf = model_param_num(m, "max_features");
    int mtry = mf == 0 ? (int)floor(sqrt((double)p)) : (int)ceil(mf * p - 1e-9);
    forest_job J;
    memset(&J, 0, sizeof J);
    J.d = d;
    tree_data base = {codes, p, &bins, d->cls, NULL, NULL, NULL};
    J.base = &base;
    J.spec = (tree_spec){clf ? (crit && strcmp(crit->str, "entropy") == 0 ? TREE_ENTROPY : TREE_GINI) : TREE_MSE,
                         d->nclass,
                         (int)model_param_num(m, "max_depth"),
                         0,
                         (size_t)model_param_num(m, "min_samples_leaf"),
                         (size_t)model_param_num(m, "min_samples_split"),
                         0,
                         0,
                         mtry < 1 ? 1 : mtry,
                         (uint64_t)model_param_num(m, "seed"),
                         1};
    J.bootstrap = model_param_num(m, "bootstrap") != 0;
    J.T = (size_t)model_param_num(m, "trees");
    J.trees = xcalloc(J.T, sizeof *J.trees);
    J.imp = xcalloc(J.T * (size_t)p, sizeof *J.imp);
    pthread_mutex_init(&J.mu, NULL);
    worker w0 = {&J, 1}, w1 = {&J, 0};
    pthread_t th;
    int threaded = J.T > 1 && (double)n * p > 20000 && pthread_create(&th, NULL, grow_trees, &w1) == 0;
    rc = 0;
    grow_trees(&w0);
    if (threaded) pthread_join(th, NULL);
    pthread_mutex_destroy(&J.mu);
    if (J.stop) {
        rc = lab_fail(e, "fit: interrupted");
        goto done;
    }
    tree_nodes **tp = xmalloc(J.T * sizeof *tp);
    for (size_t t = 0; t < J.T; t++) tp[t] = &J.trees[t];
    tree_store(m, tp, J.T, J.trees[0].V);
    free(tp);
    /* importances: the mean of every tree's normalised importances */
    double *imp = xcalloc((size_t)p, sizeof *imp);
    for (size_t t = 0; t < J.T; t++) {
        double s = 0, *it = J.imp + t * (size_t)p;
        for (int j = 0; j < p; j++) s += it[j];
        if (s > 0)
            for (int j = 0; j < p; j++) imp[j] += it[j] / s;
    }
    tree_store_importance(m, imp, p);
    free(imp);
    if (J.bootstrap) model_set_figure(m, "oob_score", oob_score(m, d, &J));
    size_t nodes = 0;
    for (size_t t = 0; t < J.T; t++) nodes += J.trees[t].n;
    model_set_figure(m, "nodes", (double)nodes);
done:
    for (size_t t = 0; t < J.T; t++) tree_nodes_free(&J.trees[t]);
    free(J.trees);
    free(J.imp);
    free(codes);
    tree_bins_free(&bins);
    return rc;
}

/* Sum over trees of leaf values into acc (n x V, column-major), then divide by T. */
static void forest_mean(const model *m, const model_matrix *X, int V, double *acc) {
    size_t n = X->n, T = model_tensor_get(m, "roots")->rows;
    size_t *leaf = xmalloc((n ? n : 1) * sizeof *leaf);
    memset(acc, 0, n * (size_t)V * sizeof *acc);
    for (size_t t = 0; t < T; t++) {
        tree_leaves(m, t, X, leaf);
        for (int c = 0; c < V; c++)
            for (size_t i = 0; i < n; i++) acc[(size_t)c * n + i] += tree_leaf_value(m, leaf[i], c);
    }
    for (size_t i = 0; i < n * (size_t)V; i++) acc[i] /= (double)T;
    free(leaf);
}

static int forest_predict(const model *m, const model_matrix *X, double *out, lab_err *e) {
    (void)e;
    forest_mean(m, X, 1, out);
    return 0;
}

static int forest_proba(const model *m, const model_matrix *X, double *P, lab_err *e) {
    (void)e;
    forest_mean(m, X, (int)m->classes->n, P);
    return 0;
}

static int check_importance(const model *m, const char *kind, lab_err *e) {
    const model_tensor *t = model_tensor_get(m, "importance");
    if (!t || t->rows != (size_t)m->nfeat || t->cols != 1)
        return lab_fail(e, "%s: tensor 'importance' is missing or is not %d x 1", kind, m->nfeat);
    return 0;
}

static int forest_check_clf(const model *m, lab_err *e) {
    if (!m->classes || m->classes->n < 2) return lab_fail(e, "forest: fewer than two class labels");
    if (tree_check(m, (int)m->classes->n, "forest", e) < 0) return -1;
    return check_importance(m, "forest", e);
}

static int forest_check_reg(const model *m, lab_err *e) {
    if (tree_check(m, 1, "forest_regressor", e) < 0) return -1;
    return check_importance(m, "forest_regressor", e);
}

const model_kind model_kind_forest = {
    .name = "forest",
    .task = MODEL_CLASSIFIER,
    .title = "random forest classifier",
    .params = clf_params,
    .nparams = (int)(sizeof clf_params / sizeof clf_params[0]),
    .fit = forest_fit,
    .predict = NULL,
    .predict_proba = forest_proba,
    .check = forest_check_clf,
    .describe = tree_describe,
};

const model_kind model_kind_forest_regressor = {
    .name = "forest_regressor",
    .task = MODEL_REGRESSOR,
    .title = "random forest regressor (squared error)",
    .params = reg_params,
    .nparams = (int)(sizeof reg_params / sizeof reg_params[0]),
    .fit = forest_fit,
    .predict = forest_predict,
    .check = forest_check_reg,
    .describe = tree_describe,
};
