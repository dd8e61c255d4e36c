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
 * the tree; validation rows walk it on their bin codes. gbm grows its own
 * trees (below) rather than tree.c's, for speed: two threads share the
 * features of every histogram, and by halves of the rows the split of a large
 * node and the gradients of each round (the loss itself only when a callback
 * or the last round needs it). Early stopping (on by default above 10,000
 * rows, as scikit-learn's 'auto') holds out validation_fraction of the rows
 * (by class for classifiers) and stops when the validation loss has not
 * improved by more than tol on the best of the n_iter_no_change rounds
 * before.
 *
 * Tensors: "nodes", "roots" (tree t adds to score t mod K'), "baseline" (K'
 * x 1, the scores before the first round) and "importance" (split gains,
 * normalised). Figures: n_iter, train_loss, val_loss; per round "loss" (and
 * "val_loss") through the fit callback. */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "tree.h"
#include "../util/rng.h"
#include "../util/team.h"

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

/* A row's gradient and hessian, side by side (16 bytes: the gather that
 * picks a node's rows from them at random reads half the memory of a wider
 * record). Doubles: in floats the trees came out a little worse on small
 * data. */
typedef struct gpair {
    double g, h;
} gpair;

/* A histogram bin: the sums of gradients, hessians and rows as one vector of
 * four doubles (the fourth is 0); and a row as gathered for a node, {g, h, 1,
 * 0}. Filing a row into a bin is then one vector add where separate fields
 * took three read-modify-writes (built once per row in the gather, not once
 * per feature). Counts are exact in a double. The alignment is malloc's, not
 * the vector's. */
typedef double gvec __attribute__((vector_size(32), aligned(16)));
#define GV_G 0
#define GV_H 1
#define GV_C 2

/* The histogram loops are built for wider vectors too where GCC can pick
 * them at run time; every lane holds its own sum, so the results are the
 * same on all of them. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HOT __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define HOT
#endif

/* ---- losses ------------------------------------------------------------------------- */

typedef struct gb_loss {
    int K;  /* scores per row: 1, or the number of classes (> 2) */
    int clf;
} gb_loss;

/* The summed loss of rows [i0, i1) of raw scores R (n x K, column-major)
 * against y / cls (0 unless want: its logarithms cost as much as the
 * gradients), and (GH not NULL) the gradients and hessians of those rows at
 * R into GH (n x K). */
static double loss_rows(const gb_loss *L, const double *R, size_t n, size_t i0, size_t i1, const double *y,
                        const int *cls, gpair *GH, int want) {
    double s = 0;
    if (!L->clf) {
        for (size_t i = i0; i < i1; i++) {
            s += 0.5 * (y[i] - R[i]) * (y[i] - R[i]);
            if (GH) GH[i] = (gpair){R[i] - y[i], 1};
        }
    } else if (L->K == 1) {
        for (size_t i = i0; i < i1; i++) {
            double z = R[i], ez = exp(-fabs(z));
            if (want) s += (z > 0 ? z : 0) + (ez > 1e-4 ? log(1 + ez) : log1p(ez)) - (cls[i] == 1 ? z : 0);
            if (GH) {
                double pr = z >= 0 ? 1 / (1 + ez) : ez / (1 + ez);
                GH[i] = (gpair){pr - (cls[i] == 1), pr * (1 - pr)};
            }
        }
    } else {
        int K = L->K;
        double ex[K];
        for (size_t i = i0; i < i1; i++) {
            double mx = -INFINITY, sum = 0;
            for (int k = 0; k < K; k++) mx = fmax(mx, R[(size_t)k * n + i]);
            for (int k = 0; k < K; k++) sum += ex[k] = exp(R[(size_t)k * n + i] - mx);
            if (want) s += mx + log(sum) - R[(size_t)cls[i] * n + i];
            if (GH)
                for (int k = 0; k < K; k++) {
                    double pr = ex[k] / sum;
                    GH[(size_t)k * n + i] = (gpair){pr - (cls[i] == k), pr * (1 - pr)};
                }
        }
    }
    return s;
}

/* Mean loss of raw scores R (n x K, column-major) against y / cls. */
static double loss_of(const gb_loss *L, const double *R, size_t n, const double *y, const int *cls) {
    return n ? loss_rows(L, R, n, 0, n, y, cls, NULL, 1) / (double)n : 0;
}

/* ---- growing one tree ------------------------------------------------------------------ */

/* gbm grows its own trees (tree.c grows those of tree and forest): on
 * column-major bin codes, with the gradients gathered into node order, one
 * histogram per open leaf and the larger child's by subtraction, and the
 * features (not the rows) shared between two threads, each building and
 * scanning its own features' histograms; a split is kept over an earlier one
 * only when strictly better, so the tree is the same whatever the timing. */

typedef struct gsplit {
    int feat, bin;
    double gain, lg, lh;
    uint32_t lc;
} gsplit;

typedef struct gnode {
    int id, depth, open; /* open: may be split */
    uint32_t start, cnt;
    double G, H;
    gsplit best;
    gvec *hist; /* p x TREE_MAXB bins */
} gnode;

typedef struct loss_job {
    const gb_loss *L;
    const double *R, *y;
    const int *cls;
    size_t n;
    gpair *GH;
    int want;
    double part[2];
} loss_job;

static void loss_part(void *arg, int part) {
    loss_job *J = arg;
    size_t mid = J->n / 2;
    J->part[part] = loss_rows(J->L, J->R, J->n, part ? mid : 0, part ? J->n : mid, J->y, J->cls, J->GH, J->want);
}

/* The mean loss at R (NAN unless want) and (GH not NULL) the gradients and
 * hessians there, on both threads for many rows (each on a fixed half: the
 * same sums always). */
static double loss_grad(team *tm, const gb_loss *L, const double *R, size_t n, const double *y, const int *cls,
                        gpair *GH, int want) {
    loss_job J = {L, R, y, cls, n, GH, want, {0, 0}};
    if (n >= 8192) team_run(tm, loss_part, &J);
    else {
        loss_part(&J, 0);
        loss_part(&J, 1);
    }
    return !want ? NAN : n ? (J.part[0] + J.part[1]) / (double)n : 0;
}

typedef struct grower {
    int p, max_depth, max_leaves;
    uint32_t n;         /* training rows */
    const uint8_t *cm;  /* p x n column-major codes */
    const tree_bins *bins;
    const gpair *GH;    /* this tree's gradients and hessians */
    uint32_t *rows, *tmp;
    gvec *og;           /* those of the node being built as bin vectors, in its row order */
    double min_leaf, l2, min_hess;
    gvec **pool, **all; /* free histograms; every one allocated */
    int npool, nall;
    team *tm;
    tree_nodes *out;
    double *imp;
    /* the job both threads share */
    gnode *build, *sub, *scan[2];
    int nscan;
    atomic_int next;  /* the first of the next four features to take */
    gsplit *fbest[2]; /* p each: the best split of each feature, per scanned node */
} grower;

static gvec *hist_take(grower *g) {
    if (g->npool) return g->pool[--g->npool];
    gvec *h = xmalloc((size_t)g->p * TREE_MAXB * sizeof *h);
    g->all = xrealloc(g->all, (size_t)(g->nall + 1) * sizeof *g->all);
    g->pool = xrealloc(g->pool, (size_t)(g->nall + 1) * sizeof *g->pool);
    g->all[g->nall++] = h;
    return h;
}

static void hist_give(grower *g, gvec *h) { g->pool[g->npool++] = h; }

/* Histograms of features [f0, f1) of node nd over its rows (gradients in
 * g->og), four features a pass: the rows and gradients are read once for
 * the four. */
HOT static void hist_build(const grower *g, const gnode *nd, int f0, int f1) {
    const uint32_t *rows = g->rows + nd->start;
    uint32_t n = nd->cnt;
    int whole = n == g->n; /* the root: rows in order */
    const gvec *gh = g->og;
    int f = f0;
    for (; f + 4 <= f1; f += 4) {
        gvec *h0 = nd->hist + (size_t)f * TREE_MAXB, *h1 = h0 + TREE_MAXB, *h2 = h1 + TREE_MAXB, *h3 = h2 + TREE_MAXB;
        const uint8_t *c0 = g->cm + (size_t)f * g->n, *c1 = c0 + g->n, *c2 = c1 + g->n, *c3 = c2 + g->n;
        for (int q = 0; q < 4; q++) memset(h0 + q * TREE_MAXB, 0, (size_t)g->bins->nbins[f + q] * sizeof *h0);
        if (whole)
            for (uint32_t i = 0; i < n; i++) {
                gvec v = gh[i];
                h0[c0[i]] += v;
                h1[c1[i]] += v;
                h2[c2[i]] += v;
                h3[c3[i]] += v;
            }
        else
            for (uint32_t i = 0; i < n; i++) {
                uint32_t r = rows[i];
                gvec v = gh[i];
                h0[c0[r]] += v;
                h1[c1[r]] += v;
                h2[c2[r]] += v;
                h3[c3[r]] += v;
            }
    }
    for (; f < f1; f++) {
        gvec *h = nd->hist + (size_t)f * TREE_MAXB;
        const uint8_t *col = g->cm + (size_t)f * g->n;
        memset(h, 0, (size_t)g->bins->nbins[f] * sizeof *h);
        if (whole)
            for (uint32_t i = 0; i < n; i++) h[col[i]] += gh[i];
        else
            for (uint32_t i = 0; i < n; i++) h[col[rows[i]]] += gh[i];
    }
}

/* The best split of nd on feature f into *s (feat -1: none): the first of
 * the highest gains. In three passes, the second (the gains, every
 * condition folded in as -inf) over a fixed length that vectorises. */
HOT static void hist_scan(const grower *g, const gnode *nd, int f, gsplit *s) {
    double l2 = g->l2, base = nd->G * nd->G / (nd->H + l2), cnt = nd->cnt;
    double min_leaf = g->min_leaf, min_hess = g->min_hess;
    double LG[TREE_MAXB], LH[TREE_MAXB], LC[TREE_MAXB], gain[TREE_MAXB];
    const gvec *h = nd->hist + (size_t)f * TREE_MAXB;
    int nb = g->bins->nbins[f];
    /* left sums after each bin; a split after an empty bin is the one before
     * it, and none is after the last bin: count 0 marks them */
    gvec acc = {0, 0, 0, 0};
    for (int b = 0; b < TREE_MAXB; b++) {
        int use = b + 1 < nb && h[b][GV_C] != 0;
        if (use) acc += h[b];
        LG[b] = acc[GV_G];
        LH[b] = acc[GV_H];
        LC[b] = use ? acc[GV_C] : 0;
    }
    for (int b = 0; b < TREE_MAXB; b++) {
        double rg = nd->G - LG[b], rh = nd->H - LH[b], rc = cnt - LC[b];
        double v = LG[b] * LG[b] / (LH[b] + l2) + rg * rg / (rh + l2) - base;
        int ok = (LC[b] >= min_leaf) & (rc >= min_leaf) & (LH[b] >= min_hess) & (rh >= min_hess);
        gain[b] = ok ? v : -INFINITY;
    }
    double best = 1e-12 * fabs(base) + 1e-300;
    int bb = -1;
    for (int b = 0; b < TREE_MAXB; b++)
        if (gain[b] > best) {
            best = gain[b];
            bb = b;
        }
    s->feat = -1;
    if (bb >= 0) *s = (gsplit){f, bb, best, LG[bb], LH[bb], (uint32_t)LC[bb]};
}

/* The larger child's histograms of features [f0, f1): its parent's (which
 * it holds) less the smaller child's. */
HOT static void hist_sub(const grower *g, int f0, int f1) {
    for (int f = f0; f < f1; f++) {
        gvec *big = g->sub->hist + (size_t)f * TREE_MAXB;
        const gvec *sm = g->build->hist + (size_t)f * TREE_MAXB;
        for (int b = 0, nb = g->bins->nbins[f]; b < nb; b++) big[b] -= sm[b];
    }
}

/* One thread's share of the job: take four features at a time until none is left;
 * build, subtract and scan each. What a feature yields does not depend on
 * the thread that takes it. */
static void grow_part(void *arg, int part) {
    grower *g = arg;
    (void)part;
    for (;;) {
        int f0 = atomic_fetch_add(&g->next, 4), f1 = f0 + 4 < g->p ? f0 + 4 : g->p;
        if (f0 >= g->p) break;
        if (g->build) hist_build(g, g->build, f0, f1);
        if (g->sub) hist_sub(g, f0, f1);
        for (int k = 0; k < g->nscan; k++)
            for (int f = f0; f < f1; f++) hist_scan(g, g->scan[k], f, &g->fbest[k][f]);
    }
}

/* Run the job set in g on both threads (or one, for little work); the best
 * splits into the scanned nodes: over the features in order, a later one
 * only when strictly better, as one thread scanning them all would choose. */
static void grow_job(grower *g, uint32_t rows) {
    atomic_store(&g->next, 0);
    if (g->p > 2 && (double)rows * g->p + 512.0 * g->p * g->nscan > 20000) team_run(g->tm, grow_part, g);
    else grow_part(g, 0);
    for (int k = 0; k < g->nscan; k++) {
        gsplit *best = &g->fbest[k][0];
        for (int f = 1; f < g->p; f++) {
            gsplit *c = &g->fbest[k][f];
            if (c->feat >= 0 && (best->feat < 0 || c->gain > best->gain)) best = c;
        }
        g->scan[k]->best = *best;
    }
}

static int node_new(tree_nodes *t, uint32_t start, uint32_t cnt) {
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->feat = xrealloc(t->feat, t->cap * sizeof *t->feat);
        t->bin = xrealloc(t->bin, t->cap * sizeof *t->bin);
        t->left = xrealloc(t->left, t->cap * sizeof *t->left);
        t->right = xrealloc(t->right, t->cap * sizeof *t->right);
        t->thr = xrealloc(t->thr, t->cap * sizeof *t->thr);
        t->val = xrealloc(t->val, t->cap * sizeof *t->val);
        t->start = xrealloc(t->start, t->cap * sizeof *t->start);
        t->count = xrealloc(t->count, t->cap * sizeof *t->count);
    }
    size_t i = t->n++;
    t->feat[i] = -1;
    t->bin[i] = 0;
    t->left[i] = t->right[i] = -1;
    t->thr[i] = 0;
    t->val[i] = 0;
    t->start[i] = start;
    t->count[i] = cnt;
    return (int)i;
}

static int can_split(const grower *g, const gnode *nd) {
    if (g->max_depth > 0 && nd->depth >= g->max_depth) return 0;
    return nd->cnt >= 2 && (double)nd->cnt >= 2 * g->min_leaf;
}

/* Splitting a node: its rows partitioned stably by the split (left, then
 * right), the smaller child's gradients gathered into its row order. Large
 * nodes do both on two threads: each partitions half of the rows (the left
 * ones in place, the right ones into tmp) and the halves are joined, then
 * each gathers half of the rows; the result is the one-thread result. */
#define SPLIT_THREADS 8192 /* rows from which a split uses both threads */

typedef struct split_job {
    grower *g;
    uint32_t *rows; /* the node's rows */
    uint32_t n, mid;
    const uint8_t *col;
    int bin;
    uint32_t nl[2], nr[2];
} split_job;

/* Rows [a, b) of the job: the left ones to rows + a, the right ones to tmp + a. */
static void split_part(void *arg, int part) {
    split_job *J = arg;
    uint32_t a = part ? J->mid : 0, b = part ? J->n : J->mid, nl = 0, nr = 0;
    uint32_t *rows = J->rows + a, *tmp = J->g->tmp + a;
    const uint8_t *col = J->col;
    for (uint32_t i = 0; i < b - a; i++) { /* without branches: rows[nl] is never ahead of rows[i] */
        uint32_t r = rows[i], left = col[r] <= J->bin;
        rows[nl] = r;
        tmp[nr] = r;
        nl += left;
        nr += 1 - left;
    }
    J->nl[part] = nl;
    J->nr[part] = nr;
}

/* Partition the rows of nd by split s; returns the count of left rows. */
static uint32_t partition_node(grower *g, const gnode *nd, const gsplit *s) {
    split_job J = {g, g->rows + nd->start, nd->cnt, nd->cnt, g->cm + (size_t)s->feat * g->n, s->bin, {0, 0}, {0, 0}};
    if (nd->cnt >= SPLIT_THREADS) {
        J.mid = nd->cnt / 2;
        team_run(g->tm, split_part, &J);
    } else {
        split_part(&J, 0);
    }
    uint32_t *rows = J.rows, nl = J.nl[0] + J.nl[1];
    memmove(rows + J.nl[0], rows + J.mid, J.nl[1] * sizeof *rows);
    memcpy(rows + nl, g->tmp, J.nr[0] * sizeof *rows);
    memcpy(rows + nl + J.nr[0], g->tmp + J.mid, J.nr[1] * sizeof *rows);
    return nl;
}

typedef struct gather_job {
    grower *g;
    const uint32_t *rows;
    uint32_t n;
} gather_job;

static void gather_part(void *arg, int part) {
    gather_job *J = arg;
    uint32_t mid = J->n / 2, a = part ? mid : 0, b = part ? J->n : mid;
    for (uint32_t i = a; i < b; i++) {
        const gpair *q = &J->g->GH[J->rows[i]];
        J->g->og[i] = (gvec){q->g, q->h, 1, 0};
    }
}

static void gather(grower *g, const gnode *nd) {
    gather_job J = {g, g->rows + nd->start, nd->cnt};
    if (nd->cnt >= SPLIT_THREADS) team_run(g->tm, gather_part, &J);
    else {
        gather_part(&J, 0);
        gather_part(&J, 1);
    }
}

/* Grow one tree on g->GH into g->out (zeroed): best-first up to
 * max_leaves leaves, or with no limit depth-first (left before right). The
 * rows end grouped by leaf: node q holds rows[start[q] .. + count[q]). */
static void grow_tree(grower *g) {
    tree_nodes *t = g->out;
    t->V = 1;
    for (uint32_t i = 0; i < g->n; i++) g->rows[i] = i;
    gnode root = {0};
    root.id = node_new(t, 0, g->n);
    root.cnt = g->n;
    for (uint32_t i = 0; i < g->n; i++) {
        root.G += g->GH[i].g;
        root.H += g->GH[i].h;
    }
    root.hist = hist_take(g);
    root.best.feat = -1;
    gather(g, &root);
    g->build = &root;
    g->sub = NULL;
    g->nscan = can_split(g, &root);
    g->scan[0] = &root;
    grow_job(g, root.cnt);
    size_t cap = 64;
    int nopen = 0, leaves = 1, maxl = g->max_leaves;
    gnode *open = xmalloc(cap * sizeof *open);
    if (root.best.feat >= 0) open[nopen++] = root;
    else {
        t->val[root.id] = -root.G / (root.H + g->l2 + 1e-300);
        hist_give(g, root.hist);
    }
    while (nopen > 0 && (maxl == 0 || leaves < maxl)) {
        int pick = nopen - 1;
        if (maxl > 0)
            for (int i = 0, first = 1; i < nopen; i++)
                if (first || open[i].best.gain > open[pick].best.gain) {
                    pick = i;
                    first = 0;
                }
        gnode nd = open[pick];
        open[pick] = open[--nopen];
        gsplit *s = &nd.best;
        uint32_t nl = partition_node(g, &nd, s), nr = nd.cnt - nl;
        t->feat[nd.id] = s->feat;
        t->bin[nd.id] = s->bin;
        t->thr[nd.id] = g->bins->thr[(size_t)s->feat * TREE_MAXB + (size_t)s->bin];
        t->val[nd.id] = -nd.G / (nd.H + g->l2 + 1e-300);
        g->imp[s->feat] += s->gain;
        leaves++;
        gnode c[2] = {{0}, {0}};
        c[0].id = node_new(t, nd.start, nl);
        c[1].id = node_new(t, nd.start + nl, nr);
        t->left[nd.id] = c[0].id;
        t->right[nd.id] = c[1].id;
        c[0].start = nd.start;
        c[0].cnt = nl;
        c[0].G = s->lg;
        c[0].H = s->lh;
        c[1].start = nd.start + nl;
        c[1].cnt = nr;
        c[1].G = nd.G - s->lg;
        c[1].H = nd.H - s->lh;
        for (int k = 0; k < 2; k++) {
            c[k].depth = nd.depth + 1;
            c[k].best.feat = -1;
        }
        int small = nl <= nr ? 0 : 1;
        c[small].hist = hist_take(g);
        c[1 - small].hist = nd.hist;
        gather(g, &c[small]);
        g->build = &c[small];
        g->sub = &c[1 - small];
        g->nscan = 0;
        for (int k = 0; k < 2; k++)
            if (can_split(g, &c[k])) g->scan[g->nscan++] = &c[k];
        grow_job(g, c[small].cnt);
        if ((size_t)nopen + 2 > cap) {
            cap *= 2;
            open = xrealloc(open, cap * sizeof *open);
        }
        for (int q = 0; q < 2; q++) {
            int k = maxl > 0 ? q : 1 - q; /* depth-first: the left child on top */
            if (c[k].best.feat >= 0) open[nopen++] = c[k];
            else {
                t->val[c[k].id] = -c[k].G / (c[k].H + g->l2 + 1e-300);
                hist_give(g, c[k].hist);
            }
        }
    }
    for (int i = 0; i < nopen; i++) {
        t->val[open[i].id] = -open[i].G / (open[i].H + g->l2 + 1e-300);
        hist_give(g, open[i].hist);
    }
    free(open);
}

/* ---- fitting ---------------------------------------------------------------------------- */

/* Rows of X picked by idx[0..n) as a new matrix. */
static model_matrix take_rows(const model_matrix *X, const size_t *idx, size_t n) {
    model_matrix S = {n, X->p, xmalloc_big((n ? n : 1) * (size_t)X->p * sizeof(double)), NULL};
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
    if (n >= UINT32_MAX) return lab_fail(e, "gbm: %zu rows are more than gbm can fit", n);
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
    /* without a validation split the training rows are X's own, in order: no copy */
    model_matrix Xt = nv ? take_rows(X, tr, nt) : *X, Xv = take_rows(X, va, nv);
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
    uint8_t *codes = tree_bins_apply_cols(&bins, &Xt), *vcodes = tree_bins_apply(&bins, &Xv);
    if (nv) free(Xt.x);
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
    gpair *GH = xmalloc(nt * (size_t)K * sizeof *GH);
    gvec *og = xmalloc(nt * sizeof *og);
    uint32_t *rows = xmalloc(nt * sizeof *rows), *rtmp = xmalloc(nt * sizeof *rtmp);
    double *imp = xcalloc((size_t)p, sizeof *imp);
    size_t ntree = 0, cap = 0;
    tree_nodes *trees = NULL;
    double *scores = xmalloc(((size_t)max_iter + 1) * sizeof *scores); /* validation losses, before round 1 first */
    if (stop_early) scores[0] = loss_of(&L, Rv, nv, yv, cv);
    team tm;
    team_start(&tm);
    grower g = {0};
    g.p = p;
    g.max_depth = (int)model_param_num(m, "max_depth");
    g.max_leaves = max_leaves;
    g.n = (uint32_t)nt;
    g.cm = codes;
    g.bins = &bins;
    g.rows = rows;
    g.tmp = rtmp;
    g.og = og;
    g.min_leaf = model_param_num(m, "min_samples_leaf");
    g.l2 = model_param_num(m, "l2_regularization");
    g.min_hess = 1e-3;
    g.tm = &tm;
    g.imp = imp;
    g.fbest[0] = xmalloc((size_t)p * sizeof *g.fbest[0]);
    g.fbest[1] = xmalloc((size_t)p * sizeof *g.fbest[1]);
    int it = 0;
    /* the training loss only where somebody sees it: every round with a
     * callback, else after the last */
    int reports = d->hooks && d->hooks->figure;
    double train_loss = loss_grad(&tm, &L, R, nt, yt, ct, GH, 0), val_loss = NAN;
    while (it < max_iter) {
        if (lab_interrupt) {
            lab_fail(e, "fit: interrupted");
            goto done;
        }
        for (int k = 0; k < K; k++) {
            if (ntree == cap) {
                cap = cap ? 2 * cap : 64;
                trees = xrealloc(trees, cap * sizeof *trees);
            }
            tree_nodes *t = &trees[ntree++];
            memset(t, 0, sizeof *t);
            g.GH = GH + (size_t)k * nt;
            g.out = t;
            grow_tree(&g);
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
        /* the loss after this round, and the gradients for the next */
        train_loss = loss_grad(&tm, &L, R, nt, yt, ct, it < max_iter ? GH : NULL, reports || it == max_iter);
        if (reports && model_report(d, "loss", train_loss, it, e) < 0) goto done;
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
    if (isnan(train_loss)) train_loss = loss_grad(&tm, &L, R, nt, yt, ct, NULL, 1); /* stopped early */
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
    team_stop(&tm);
    for (int i = 0; i < g.nall; i++) free(g.all[i]);
    free(g.all);
    free(g.pool);
    free(g.fbest[0]);
    free(g.fbest[1]);
    free(og);
    free(rtmp);
    for (size_t t = 0; t < ntree; t++) tree_nodes_free(&trees[t]);
    free(trees);
    free(scores);
    free(imp);
    free(rows);
    free(GH);
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
