/* tree.c — decision trees (CART): lab.model.tree{criterion="gini"} for
 * classes and lab.model.tree_regressor{} for numbers, and the tree machinery
 * forest.c and gbm.c share (tree.h).
 *
 * A tree grows on binned features (see tree.h). A node finds its best split
 * from histograms of its rows, one per feature, built in one pass over the
 * node's rows in row-major bin codes (one cache line per row); a node of few
 * rows sorts its codes instead, so that deep nodes do not pay for 255 empty
 * bins. Without a leaf limit the tree grows depth-first; with one (gbm) it
 * grows best-first, keeping the histograms of open leaves so that the larger
 * child of a split gets its histogram by subtraction from its parent's. Ties
 * between splits go to the first feature (in the drawn order) and the lowest
 * bin, so a tree is a function of its data, parameters and seed. */
#include "tree.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "../util/rng.h"

#define SMALL_NODE 96 /* nodes with fewer rows sort their codes instead of building histograms */

/* ---- binning -------------------------------------------------------------------- */

/* Sort v[0..n) ascending (LSD radix sort on the order-preserving bit pattern). */
static void sort_doubles(double *v, size_t n, uint64_t *k1, uint64_t *k2) {
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &v[i], sizeof u);
        k1[i] = (u >> 63) ? ~u : u | 0x8000000000000000ull;
    }
    for (int sh = 0; sh < 64; sh += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++) cnt[((k1[i] >> sh) & 255) + 1]++;
        if (cnt[((k1[0] >> sh) & 255) + 1] == n) continue; /* every key has this digit */
        for (int d = 0; d < 256; d++) cnt[d + 1] += cnt[d];
        for (size_t i = 0; i < n; i++) k2[cnt[(k1[i] >> sh) & 255]++] = k1[i];
        uint64_t *t = k1;
        k1 = k2;
        k2 = t;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = k1[i];
        u = (u >> 63) ? u & 0x7fffffffffffffffull : ~u;
        memcpy(&v[i], &u, sizeof u);
    }
}

static double midpoint(double a, double b) {
    double m = a + (b - a) / 2;
    return m >= b ? a : m;
}

typedef struct bin_job {
    tree_bins *b;
    const model_matrix *X;
    int max_bins, j0, j1;
} bin_job;

static void *bin_features(void *arg) {
    bin_job *J = arg;
    size_t n = J->X->n;
    double *v = xmalloc(n * sizeof *v);
    uint64_t *k = xmalloc(2 * n * sizeof *k);
    for (int j = J->j0; j < J->j1; j++) {
        memcpy(v, J->X->x + (size_t)j * n, n * sizeof *v);
        sort_doubles(v, n, k, k + n);
        size_t u = n > 0; /* distinct values, counted up to one past max_bins */
        for (size_t i = 1; i < n && u <= (size_t)J->max_bins; i++) u += v[i] != v[i - 1];
        double *thr = J->b->thr + (size_t)j * TREE_MAXB;
        int nb = 0;
        if (u <= (size_t)J->max_bins) {
            /* few values: an edge between every two neighbours */
            for (size_t i = 1; i < n; i++)
                if (v[i] != v[i - 1]) thr[nb++] = midpoint(v[i - 1], v[i]);
        } else {
            /* quantiles of the sorted column */
            for (int q = 1; q < J->max_bins; q++) {
                size_t pos = (size_t)((double)q * (double)n / J->max_bins);
                if (pos == 0 || pos >= n) continue;
                double t = v[pos - 1] == v[pos] ? v[pos] : midpoint(v[pos - 1], v[pos]);
                if (nb == 0 || t > thr[nb - 1]) thr[nb++] = t;
            }
            if (nb && thr[nb - 1] >= v[n - 1]) nb--; /* nothing would be right of the last edge */
        }
        thr[nb++] = INFINITY;
        J->b->nbins[j] = nb;
    }
    free(v);
    free(k);
    return NULL;
}

void tree_bins_fit(tree_bins *b, const model_matrix *X, int max_bins) {
    int p = X->p;
    b->p = p;
    b->nbins = xcalloc((size_t)p, sizeof *b->nbins);
    b->thr = xmalloc((size_t)p * TREE_MAXB * sizeof *b->thr);
    if (max_bins > TREE_MAXB - 1) max_bins = TREE_MAXB - 1;
    bin_job J[2] = {{b, X, max_bins, 0, p}, {b, X, max_bins, p, p}};
    pthread_t th;
    int threaded = 0;
    if ((double)X->n * p > 200000 && p > 1) {
        J[0].j1 = J[1].j0 = p / 2;
        threaded = pthread_create(&th, NULL, bin_features, &J[1]) == 0;
    }
    bin_features(&J[0]);
    if (threaded) pthread_join(th, NULL);
    else if (J[1].j0 < J[1].j1) bin_features(&J[1]);
}

void tree_bins_free(tree_bins *b) {
    free(b->nbins);
    free(b->thr);
    b->nbins = NULL;
    b->thr = NULL;
}

static uint8_t code_of(const double *thr, int nb, double x) {
    /* the first bin whose edge is >= x (the last for NaN), without branches to mispredict */
    const double *b = thr;
    int len = nb;
    while (len > 1) {
        int half = len / 2;
        b += x <= b[half - 1] ? 0 : half;
        len -= half;
    }
    return (uint8_t)(b - thr);
}

uint8_t *tree_bins_apply(const tree_bins *b, const model_matrix *X) {
    size_t n = X->n;
    int p = X->p;
    uint8_t *codes = xmalloc_big((n ? n : 1) * (size_t)(p ? p : 1));
    for (int j = 0; j < p; j++) {
        const double *x = X->x + (size_t)j * n, *thr = b->thr + (size_t)j * TREE_MAXB;
        int nb = b->nbins[j];
        for (size_t i = 0; i < n; i++) codes[i * (size_t)p + (size_t)j] = code_of(thr, nb, x[i]);
    }
    return codes;
}

typedef struct apply_job {
    const tree_bins *b;
    const model_matrix *X;
    uint8_t *codes;
    int j0, j1;
} apply_job;

static void *apply_cols(void *arg) {
    apply_job *J = arg;
    size_t n = J->X->n;
    for (int j = J->j0; j < J->j1; j++) {
        const double *x = J->X->x + (size_t)j * n, *thr = J->b->thr + (size_t)j * TREE_MAXB;
        uint8_t *c = J->codes + (size_t)j * n;
        int nb = J->b->nbins[j];
        for (size_t i = 0; i < n; i++) c[i] = code_of(thr, nb, x[i]);
    }
    return NULL;
}

uint8_t *tree_bins_apply_cols(const tree_bins *b, const model_matrix *X) {
    size_t n = X->n;
    int p = X->p;
    uint8_t *codes = xmalloc_big((n ? n : 1) * (size_t)(p ? p : 1));
    apply_job J[2] = {{b, X, codes, 0, p}, {b, X, codes, p, p}};
    pthread_t th;
    int threaded = 0;
    if ((double)n * p > 200000 && p > 1) {
        J[0].j1 = J[1].j0 = p / 2;
        threaded = pthread_create(&th, NULL, apply_cols, &J[1]) == 0;
    }
    apply_cols(&J[0]);
    if (threaded) pthread_join(th, NULL);
    else apply_cols(&J[1]);
    return codes;
}

/* ---- growing ----------------------------------------------------------------------- */

typedef struct grower {
    const tree_spec *s;
    const tree_data *d;
    int p, S; /* features; stats per bin: rows, then K class weights or (a, b) */
    size_t *rows, *tmp;
    tree_nodes *out;
    double *imp;
    int *order; /* feature order drawn for the node */
    rng r;
    double *hbuf;   /* scratch histogram (p x TREE_MAXB x S) for depth-first growth and threads */
    double *hbuf2;
    double **pool;  /* best-first: free histograms */
    int npool;
    struct sortkey { uint8_t code; size_t row; } *keys;
} grower;

/* One open node: rows[start..start+cnt), its totals, and its best split. */
typedef struct open_node {
    int id, depth, feat, bin;
    int varied; /* some feature drawn takes two values or more in the node */
    size_t start, cnt;
    double gain;
    double *tot;  /* S */
    double *hist; /* best-first only */
} open_node;

static double score(const grower *g, const double *v) {
    const tree_spec *s = g->s;
    switch (s->crit) {
    case TREE_GINI: {
        double W = 0, q = 0;
        for (int k = 1; k < g->S; k++) {
            W += v[k];
            q += v[k] * v[k];
        }
        return W > 0 ? q / W : 0;
    }
    case TREE_ENTROPY: {
        double W = 0, q = 0;
        for (int k = 1; k < g->S; k++)
            if (v[k] > 0) {
                W += v[k];
                q += v[k] * log(v[k]);
            }
        return W > 0 ? q - W * log(W) : 0;
    }
    case TREE_MSE: return v[1] > 0 ? v[2] * v[2] / v[1] : 0;
    case TREE_GRAD: return v[1] * v[1] / (v[2] + s->l2);
    }
    return 0;
}

static void add_row(const grower *g, double *v, size_t r) {
    v[0] += 1;
    if (g->s->crit == TREE_MSE || g->s->crit == TREE_GRAD) {
        v[1] += g->d->a[r];
        v[2] += g->d->b[r];
    } else {
        v[1 + g->d->cls[r]] += g->d->w[r];
    }
}

static int pair_mode(const grower *g) { return g->s->crit == TREE_MSE || g->s->crit == TREE_GRAD; }

/* Is the split into left L and right R = tot - L allowed? */
static int valid(const grower *g, const double *L, const double *R) {
    if (L[0] < (double)g->s->min_leaf || R[0] < (double)g->s->min_leaf) return 0;
    if (g->s->crit == TREE_GRAD && (L[2] < g->s->min_hess || R[2] < g->s->min_hess)) return 0;
    return 1;
}

/* Consider splitting after each bin of feature f's histogram h (nb bins x S):
 * update the node's best split. */
static void scan_hist(const grower *g, open_node *nd, int f, const double *h, int nb, double base, double *L,
                      double *R) {
    int S = g->S;
    memset(L, 0, (size_t)S * sizeof *L);
    for (int b = 0; b + 1 < nb; b++) {
        const double *hb = h + (size_t)b * (size_t)S;
        if (hb[0] == 0) continue;
        for (int k = 0; k < S; k++) L[k] += hb[k];
        if (L[0] >= (double)nd->cnt) break;
        nd->varied = 1;
        for (int k = 0; k < S; k++) R[k] = nd->tot[k] - L[k];
        if (!valid(g, L, R)) continue;
        double gain = score(g, L) + score(g, R) - base;
        if (gain > nd->gain) {
            nd->gain = gain;
            nd->feat = f;
            nd->bin = b;
        }
    }
}

/* The same for a node of few rows: sort its codes of feature f. */
static void scan_sorted(grower *g, open_node *nd, int f, double base, double *L, double *R) {
    int S = g->S, p = g->p;
    size_t n = nd->cnt;
    struct sortkey *k = g->keys;
    for (size_t i = 0; i < n; i++) {
        size_t r = g->rows[nd->start + i];
        struct sortkey x = {g->d->codes[r * (size_t)p + (size_t)f], r};
        size_t q = i;
        while (q > 0 && k[q - 1].code > x.code) {
            k[q] = k[q - 1];
            q--;
        }
        k[q] = x;
    }
    memset(L, 0, (size_t)S * sizeof *L);
    for (size_t i = 0; i + 1 < n; i++) {
        add_row(g, L, k[i].row);
        if (k[i + 1].code == k[i].code) continue;
        nd->varied = 1;
        for (int q = 0; q < S; q++) R[q] = nd->tot[q] - L[q];
        if (!valid(g, L, R)) continue;
        double gain = score(g, L) + score(g, R) - base;
        if (gain > nd->gain) {
            nd->gain = gain;
            nd->feat = f;
            nd->bin = k[i].code;
        }
    }
}

typedef struct hist_job {
    const grower *g;
    const size_t *rows;
    size_t n;
    const int *feats;
    int nf;
    double *h;
} hist_job;

/* Histograms of features feats[0..nf) over rows[0..n) into h (cleared here). */
static void *hist_rows(void *arg) {
    hist_job *J = arg;
    const grower *g = J->g;
    int S = g->S, p = g->p;
    const uint8_t *codes = g->d->codes;
    const int *nbins = g->d->bins->nbins;
    for (int q = 0; q < J->nf; q++)
        memset(J->h + (size_t)J->feats[q] * TREE_MAXB * (size_t)S, 0, (size_t)nbins[J->feats[q]] * (size_t)S * sizeof *J->h);
    if (pair_mode(g)) {
        const double *a = g->d->a, *b = g->d->b;
        for (size_t i = 0; i < J->n; i++) {
            size_t r = J->rows[i];
            const uint8_t *c = codes + r * (size_t)p;
            double ar = a[r], br = b[r];
            for (int q = 0; q < J->nf; q++) {
                int f = J->feats[q];
                double *h = J->h + ((size_t)f * TREE_MAXB + c[f]) * 3;
                h[0] += 1;
                h[1] += ar;
                h[2] += br;
            }
        }
    } else {
        const int *cls = g->d->cls;
        const double *w = g->d->w;
        for (size_t i = 0; i < J->n; i++) {
            size_t r = J->rows[i];
            const uint8_t *c = codes + r * (size_t)p;
            double wr = w[r];
            int k = 1 + cls[r];
            for (int q = 0; q < J->nf; q++) {
                double *h = J->h + ((size_t)J->feats[q] * TREE_MAXB + c[J->feats[q]]) * (size_t)S;
                h[0] += 1;
                h[k] += wr;
            }
        }
    }
    return NULL;
}

static void build_hist(grower *g, const open_node *nd, const int *feats, int nf, double *h) {
    hist_job J0 = {g, g->rows + nd->start, nd->cnt, feats, nf, h};
    if (g->s->threads > 1 && (double)nd->cnt * nf > 400000) {
        size_t half = nd->cnt / 2;
        hist_job J1 = {g, g->rows + nd->start + half, nd->cnt - half, feats, nf, g->hbuf2};
        J0.n = half;
        pthread_t th;
        int threaded = pthread_create(&th, NULL, hist_rows, &J1) == 0;
        hist_rows(&J0);
        if (threaded) pthread_join(th, NULL);
        else hist_rows(&J1);
        int S = g->S;
        for (int q = 0; q < nf; q++) {
            size_t off = (size_t)feats[q] * TREE_MAXB * (size_t)S, len = (size_t)g->d->bins->nbins[feats[q]] * (size_t)S;
            for (size_t i = 0; i < len; i++) h[off + i] += g->hbuf2[off + i];
        }
    } else {
        hist_rows(&J0);
    }
}

static int splittable(const grower *g, const open_node *nd) {
    const tree_spec *s = g->s;
    if (s->max_depth > 0 && nd->depth >= s->max_depth) return 0;
    if (nd->cnt < s->min_split || nd->cnt < 2 * s->min_leaf) return 0;
    return 1;
}

/* Find nd's best split (gain > 0, or nd->feat = -1). hist: the node's full
 * histogram when known (best-first), else NULL (depth-first: built here for
 * the features drawn). */
static void find_split(grower *g, open_node *nd, const double *hist) {
    int S = g->S, p = g->p;
    double L[S], R[S];
    double base = score(g, nd->tot);
    nd->feat = -1;
    nd->gain = 1e-12 * fabs(base) + 1e-300;
    if (!splittable(g, nd)) return;
    if (!pair_mode(g)) { /* a pure node stays a leaf */
        double W = 0, mx = 0;
        for (int k = 1; k < S; k++) {
            W += nd->tot[k];
            mx = fmax(mx, nd->tot[k]);
        }
        if (mx >= W) return;
    }
    nd->varied = 0;
    const int *nbins = g->d->bins->nbins;
    if (hist) {
        for (int f = 0; f < p; f++)
            scan_hist(g, nd, f, hist + (size_t)f * TREE_MAXB * (size_t)S, nbins[f], base, L, R);
        return;
    }
    int mtry = g->s->mtry < p ? g->s->mtry : p;
    if (mtry < p)
        for (int q = 0; q < p; q++) {
            int t = q + (int)rng_below(&g->r, (uint64_t)(p - q)), x = g->order[q];
            g->order[q] = g->order[t];
            g->order[t] = x;
        }
    /* the drawn features first; more only while no valid split is found */
    for (int q0 = 0; q0 < p; q0 = q0 < mtry ? mtry : q0 + 1) {
        int nf = q0 < mtry ? mtry : 1;
        if (nd->cnt < SMALL_NODE) {
            for (int q = q0; q < q0 + nf; q++) scan_sorted(g, nd, g->order[q], base, L, R);
        } else {
            build_hist(g, nd, g->order + q0, nf, g->hbuf);
            for (int q = q0; q < q0 + nf; q++) {
                int f = g->order[q];
                scan_hist(g, nd, f, g->hbuf + (size_t)f * TREE_MAXB * (size_t)S, nbins[f], base, L, R);
            }
        }
        /* as scikit-learn: more features only while those drawn were constant in the node */
        if (nd->feat >= 0 || nd->varied) break;
    }
}

static int new_node(grower *g) {
    tree_nodes *t = g->out;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->feat = xrealloc(t->feat, t->cap * sizeof *t->feat);
        t->bin = xrealloc(t->bin, t->cap * sizeof *t->bin);
        t->left = xrealloc(t->left, t->cap * sizeof *t->left);
        t->right = xrealloc(t->right, t->cap * sizeof *t->right);
        t->thr = xrealloc(t->thr, t->cap * sizeof *t->thr);
        t->val = xrealloc(t->val, t->cap * (size_t)t->V * sizeof *t->val);
        t->start = xrealloc(t->start, t->cap * sizeof *t->start);
        t->count = xrealloc(t->count, t->cap * sizeof *t->count);
    }
    size_t i = t->n++;
    t->feat[i] = -1;
    t->bin[i] = 0;
    t->left[i] = t->right[i] = -1;
    t->thr[i] = 0;
    return (int)i;
}

/* Make nd a leaf: its values from its totals. */
static void finish_leaf(grower *g, const open_node *nd) {
    tree_nodes *t = g->out;
    double *v = t->val + (size_t)nd->id * (size_t)t->V;
    const double *s = nd->tot;
    switch (g->s->crit) {
    case TREE_GINI:
    case TREE_ENTROPY: {
        double W = 0;
        for (int k = 0; k < g->s->K; k++) W += s[1 + k];
        for (int k = 0; k < g->s->K; k++) v[k] = W > 0 ? s[1 + k] / W : 1.0 / g->s->K;
        break;
    }
    case TREE_MSE: v[0] = s[1] > 0 ? s[2] / s[1] : 0; break;
    case TREE_GRAD: v[0] = -s[1] / (s[2] + g->s->l2 + 1e-300); break;
    }
}

static open_node open_new(grower *g, size_t start, size_t cnt, int depth) {
    open_node nd = {0};
    nd.id = new_node(g);
    nd.depth = depth;
    nd.start = start;
    nd.cnt = cnt;
    nd.feat = -1;
    nd.tot = xcalloc((size_t)g->S, sizeof *nd.tot);
    g->out->start[nd.id] = start;
    g->out->count[nd.id] = cnt;
    return nd;
}

/* Split nd by its best split: partition its rows (left first, stably), fill
 * the children's totals. */
static void split_node(grower *g, open_node *nd, open_node *l, open_node *r) {
    int p = g->p, f = nd->feat;
    size_t *rows = g->rows + nd->start, nl = 0, nr = 0;
    uint8_t bin = (uint8_t)nd->bin;
    for (size_t i = 0; i < nd->cnt; i++) {
        size_t row = rows[i];
        if (g->d->codes[row * (size_t)p + (size_t)f] <= bin) rows[nl++] = row;
        else g->tmp[nr++] = row;
    }
    memcpy(rows + nl, g->tmp, nr * sizeof *rows);
    tree_nodes *t = g->out;
    t->feat[nd->id] = f;
    t->bin[nd->id] = nd->bin;
    t->thr[nd->id] = g->d->bins->thr[(size_t)f * TREE_MAXB + (size_t)nd->bin];
    g->imp[f] += nd->gain;
    *l = open_new(g, nd->start, nl, nd->depth + 1);
    *r = open_new(g, nd->start + nl, nr, nd->depth + 1);
    t->left[nd->id] = l->id;
    t->right[nd->id] = r->id;
    for (size_t i = 0; i < nl; i++) add_row(g, l->tot, rows[i]);
    for (int k = 0; k < g->S; k++) r->tot[k] = nd->tot[k] - l->tot[k];
    r->tot[0] = (double)nr;
    /* the node's own values too (for inspection) */
    finish_leaf(g, nd);
}

static double *hist_get(grower *g) {
    if (g->npool) return g->pool[--g->npool];
    return xmalloc((size_t)g->p * TREE_MAXB * (size_t)g->S * sizeof(double));
}

static void hist_put(grower *g, double *h) {
    if (h) g->pool[g->npool++] = h;
}

static void grow_depth_first(grower *g, open_node root) {
    size_t cap = 64, n = 0;
    open_node *stack = xmalloc(cap * sizeof *stack);
    stack[n++] = root;
    while (n) {
        open_node nd = stack[--n];
        find_split(g, &nd, NULL);
        if (nd.feat < 0) {
            finish_leaf(g, &nd);
            free(nd.tot);
            continue;
        }
        open_node l, r;
        split_node(g, &nd, &l, &r);
        free(nd.tot);
        if (n + 2 > cap) {
            cap *= 2;
            stack = xrealloc(stack, cap * sizeof *stack);
        }
        stack[n++] = r;
        stack[n++] = l;
    }
    free(stack);
}

static void grow_best_first(grower *g, open_node root) {
    int maxl = g->s->max_leaves;
    open_node *open = xmalloc((size_t)(maxl + 2) * sizeof *open);
    int nopen = 0, leaves = 1;
    int *all = xmalloc((size_t)g->p * sizeof *all);
    for (int f = 0; f < g->p; f++) all[f] = f;
    root.hist = hist_get(g);
    build_hist(g, &root, all, g->p, root.hist);
    find_split(g, &root, root.hist);
    open[nopen++] = root;
    for (;;) {
        int best = -1;
        for (int i = 0; i < nopen; i++)
            if (open[i].feat >= 0 && (best < 0 || open[i].gain > open[best].gain)) best = i;
        if (best < 0 || leaves >= maxl) break;
        open_node nd = open[best];
        open[best] = open[--nopen];
        open_node c[2];
        split_node(g, &nd, &c[0], &c[1]);
        leaves++;
        int small = c[0].cnt <= c[1].cnt ? 0 : 1;
        c[small].hist = hist_get(g);
        build_hist(g, &c[small], all, g->p, c[small].hist);
        c[1 - small].hist = nd.hist; /* parent minus the smaller child */
        const int *nbins = g->d->bins->nbins;
        for (int f = 0; f < g->p; f++) {
            size_t off = (size_t)f * TREE_MAXB * (size_t)g->S, len = (size_t)nbins[f] * (size_t)g->S;
            double *big = c[1 - small].hist + off;
            const double *sm = c[small].hist + off;
            for (size_t i = 0; i < len; i++) big[i] -= sm[i];
        }
        free(nd.tot);
        for (int k = 0; k < 2; k++) {
            find_split(g, &c[k], c[k].hist);
            if (c[k].feat < 0) {
                finish_leaf(g, &c[k]);
                hist_put(g, c[k].hist);
                free(c[k].tot);
            } else {
                open[nopen++] = c[k];
            }
        }
    }
    for (int i = 0; i < nopen; i++) {
        finish_leaf(g, &open[i]);
        hist_put(g, open[i].hist);
        free(open[i].tot);
    }
    free(open);
    free(all);
}

void tree_work_free(tree_work *w) {
    for (int i = 0; i < w->nhist; i++) free(w->hist[i]);
    free(w->hist);
    free(w->tmp);
    memset(w, 0, sizeof *w);
}

void tree_grow_with(const tree_spec *s, const tree_data *d, size_t *rows, size_t nrows, tree_nodes *out, double *imp,
                    tree_work *w) {
    grower g = {0};
    g.s = s;
    g.d = d;
    g.p = d->p;
    g.S = (s->crit == TREE_MSE || s->crit == TREE_GRAD) ? 3 : 1 + s->K;
    size_t hsz = (size_t)g.p * TREE_MAXB * (size_t)g.S * sizeof(double);
    int maxl = s->max_leaves;
    int need = 2 + (maxl > 0 ? maxl + 1 : 0); /* hbuf, hbuf2, the open leaves' */
    if (w->hsz != hsz || w->nhist < need || w->nrows < nrows) {
        tree_work_free(w);
        w->hsz = hsz;
        w->nrows = nrows;
        w->nhist = need;
        w->hist = xmalloc((size_t)need * sizeof *w->hist);
        for (int i = 0; i < need; i++) w->hist[i] = xmalloc(hsz);
        w->tmp = xmalloc((nrows ? nrows : 1) * sizeof *w->tmp);
    }
    g.rows = rows;
    g.tmp = w->tmp;
    g.out = out;
    out->V = (s->crit == TREE_GINI || s->crit == TREE_ENTROPY) ? s->K : 1;
    g.imp = imp;
    g.order = xmalloc((size_t)g.p * sizeof *g.order);
    for (int f = 0; f < g.p; f++) g.order[f] = f;
    rng_seed(&g.r, s->seed);
    g.hbuf = w->hist[0];
    g.hbuf2 = w->hist[1];
    g.keys = xmalloc(SMALL_NODE * sizeof *g.keys);
    g.pool = xmalloc((size_t)(need + 1) * sizeof *g.pool);
    for (int i = 2; i < need; i++) g.pool[g.npool++] = w->hist[i];
    open_node root = open_new(&g, 0, nrows, 0);
    for (size_t i = 0; i < nrows; i++) add_row(&g, root.tot, rows[i]);
    if (maxl > 0) grow_best_first(&g, root);
    else grow_depth_first(&g, root);
    free(g.pool);
    free(g.keys);
    free(g.order);
}

void tree_grow(const tree_spec *s, const tree_data *d, size_t *rows, size_t nrows, tree_nodes *out, double *imp) {
    tree_work w = {0};
    tree_grow_with(s, d, rows, nrows, out, imp, &w);
    tree_work_free(&w);
}

void tree_nodes_free(tree_nodes *t) {
    free(t->feat);
    free(t->bin);
    free(t->left);
    free(t->right);
    free(t->thr);
    free(t->val);
    free(t->start);
    free(t->count);
    memset(t, 0, sizeof *t);
}

/* ---- trees as tensors ------------------------------------------------------------ */

void tree_store(model *m, tree_nodes *const *trees, size_t T, int V) {
    size_t N = 0;
    for (size_t t = 0; t < T; t++) N += trees[t]->n;
    double *nd = model_tensor_new(m, "nodes", N, (size_t)(4 + V));
    double *roots = model_tensor_new(m, "roots", T, 1);
    size_t base = 0;
    for (size_t t = 0; t < T; t++) {
        const tree_nodes *tr = trees[t];
        roots[t] = (double)base;
        for (size_t i = 0; i < tr->n; i++) {
            size_t r = base + i;
            nd[r] = tr->feat[i];
            nd[N + r] = tr->feat[i] >= 0 ? tr->thr[i] : 0;
            nd[2 * N + r] = tr->feat[i] >= 0 ? (double)(base + (size_t)tr->left[i]) : -1;
            nd[3 * N + r] = tr->feat[i] >= 0 ? (double)(base + (size_t)tr->right[i]) : -1;
            for (int c = 0; c < V; c++) nd[(size_t)(4 + c) * N + r] = tr->val[i * (size_t)V + (size_t)c];
        }
        base += tr->n;
    }
}

int tree_check(const model *m, int V, const char *kind, lab_err *e) {
    const model_tensor *nd = model_tensor_get(m, "nodes"), *roots = model_tensor_get(m, "roots");
    if (!nd || nd->cols != (size_t)(4 + V) || nd->rows == 0)
        return lab_fail(e, "%s: tensor 'nodes' is missing or does not have %d columns", kind, 4 + V);
    if (!roots || roots->cols != 1 || roots->rows == 0) return lab_fail(e, "%s: tensor 'roots' is missing or empty", kind);
    size_t N = nd->rows;
    for (size_t r = 0; r < N; r++) {
        double f = nd->data[r], l = nd->data[2 * N + r], rt = nd->data[3 * N + r];
        if (f == -1) continue;
        if (!(f >= 0 && f < m->nfeat && f == floor(f)))
            return lab_fail(e, "%s: node %zu splits on feature %g, which the model does not have", kind, r, f);
        if (!(l > (double)r && l < (double)N && l == floor(l) && rt > (double)r && rt < (double)N && rt == floor(rt)))
            return lab_fail(e, "%s: node %zu has children outside the tree", kind, r);
        if (isnan(nd->data[N + r])) return lab_fail(e, "%s: node %zu has no threshold", kind, r);
    }
    for (size_t t = 0; t < roots->rows; t++) {
        double v = roots->data[t];
        if (!(v >= 0 && v < (double)N && v == floor(v))) return lab_fail(e, "%s: tree %zu has no root", kind, t);
    }
    return 0;
}

void tree_leaves(const model *m, size_t t, const model_matrix *X, size_t *leaf) {
    const model_tensor *nd = model_tensor_get(m, "nodes");
    size_t N = nd->rows, n = X->n, root = (size_t)model_tensor_get(m, "roots")->data[t];
    const double *feat = nd->data, *thr = nd->data + N, *left = nd->data + 2 * N, *right = nd->data + 3 * N;
    for (size_t i = 0; i < n; i++) {
        size_t r = root;
        while (feat[r] >= 0) {
            double x = X->x[(size_t)feat[r] * n + i];
            r = (size_t)(x <= thr[r] ? left[r] : right[r]);
        }
        leaf[i] = r;
    }
}

double tree_leaf_value(const model *m, size_t r, int c) {
    const model_tensor *nd = model_tensor_get(m, "nodes");
    return nd->data[(size_t)(4 + c) * nd->rows + r];
}

void tree_store_importance(model *m, const double *imp, int p) {
    double *v = model_tensor_new(m, "importance", (size_t)p, 1), s = 0;
    for (int j = 0; j < p; j++) s += imp[j] > 0 ? imp[j] : 0;
    for (int j = 0; j < p; j++) v[j] = s > 0 && imp[j] > 0 ? imp[j] / s : 0;
}

void tree_describe(const model *m, strbuf *b) {
    const model_tensor *nd = model_tensor_get(m, "nodes"), *roots = model_tensor_get(m, "roots");
    size_t N = nd->rows, leaves = 0, T = roots->rows;
    for (size_t r = 0; r < N; r++) leaves += nd->data[r] < 0;
    /* depth of every node: parents come first */
    int *depth = xcalloc(N, sizeof *depth), maxd = 0;
    for (size_t r = 0; r < N; r++)
        if (nd->data[r] >= 0) {
            size_t l = (size_t)nd->data[2 * N + r], rt = (size_t)nd->data[3 * N + r];
            depth[l] = depth[rt] = depth[r] + 1;
            if (depth[l] > maxd) maxd = depth[l];
        }
    free(depth);
    char line[200];
    snprintf(line, sizeof line, "  %zu tree%s, %zu leaves, depth %d (m:feature_importances())\n", T, T == 1 ? "" : "s",
             leaves, maxd);
    strbuf_adds(b, line);
}

uint64_t tree_seed(uint64_t seed, uint64_t t) {
    uint64_t z = seed * 0x9e3779b97f4a7c15ull + t * 0xbf58476d1ce4e5b9ull + 0x94d049bb133111ebull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- the tree kinds ---------------------------------------------------------------- */

#define COMMON_PARAMS                                                                                           \
    {"max_depth", MODEL_P_INTEGER, 0, NULL, 0, 1e6, 0, NULL, "depth at most (0: no limit)"},                     \
        {"min_samples_split", MODEL_P_INTEGER, 2, NULL, 2, 1e12, 0, NULL, "rows a node needs to be split"},     \
        {"min_samples_leaf", MODEL_P_INTEGER, 1, NULL, 1, 1e12, 0, NULL, "rows in every leaf, at least"},        \
        {"max_features", MODEL_P_NUMBER, 1, NULL, 0, 1, 1, NULL,                                                \
         "share of the features drawn at each node (1: all, in order)"},                                        \
        {"max_bins", MODEL_P_INTEGER, 255, NULL, 2, 255, 0, NULL,                                               \
         "bins per feature: exact splits when a feature has no more distinct values"},                           \
        {"seed", MODEL_P_INTEGER, 0, NULL, 0, 9007199254740992.0, 0, NULL, "seed for drawing features"}

static const model_param_spec clf_params[] = {
    {"criterion", MODEL_P_STRING, 0, "gini", 0, 0, 0, "gini|entropy", "split quality: gini or entropy"},
    COMMON_PARAMS,
};
static const model_param_spec reg_params[] = {COMMON_PARAMS};

static int tree_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p, clf = d->cls != NULL;
    if (lab_interrupt) return lab_fail(e, "fit: interrupted");
    tree_bins bins;
    tree_bins_fit(&bins, X, (int)model_param_num(m, "max_bins"));
    uint8_t *codes = tree_bins_apply(&bins, X);
    double *w = NULL, *a = NULL;
    if (clf) {
        w = xmalloc(n * sizeof *w);
        for (size_t i = 0; i < n; i++) w[i] = 1;
    } else {
        a = xmalloc(n * sizeof *a);
        for (size_t i = 0; i < n; i++) a[i] = 1;
    }
    const model_param *crit = model_param_get(m, "criterion");
    double mf = model_param_num(m, "max_features");
    int mtry = (int)ceil(mf * p - 1e-9);
    tree_spec s = {clf ? (crit && strcmp(crit->str, "entropy") == 0 ? TREE_ENTROPY : TREE_GINI) : TREE_MSE,
                   d->nclass,
                   (int)model_param_num(m, "max_depth"),
                   0,
                   (size_t)model_param_num(m, "min_samples_leaf"),
                   (size_t)model_param_num(m, "min_samples_split"),
                   0,
                   0,
                   mtry < 1 ? 1 : mtry,
                   tree_seed((uint64_t)model_param_num(m, "seed"), 0),
                   1};
    tree_data td = {codes, p, &bins, d->cls, w, a, d->y};
    size_t *rows = xmalloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++) rows[i] = i;
    double *imp = xcalloc((size_t)p, sizeof *imp);
    tree_nodes t = {0};
    tree_grow(&s, &td, rows, n, &t, imp);
    tree_nodes *tp = &t;
    tree_store(m, &tp, 1, t.V);
    tree_store_importance(m, imp, p);
    size_t leaves = 0;
    for (size_t i = 0; i < t.n; i++) leaves += t.feat[i] < 0;
    model_set_figure(m, "nodes", (double)t.n);
    model_set_figure(m, "leaves", (double)leaves);
    tree_nodes_free(&t);
    free(imp);
    free(rows);
    free(w);
    free(a);
    free(codes);
    tree_bins_free(&bins);
    return 0;
}

static int tree_predict(const model *m, const model_matrix *X, double *out, lab_err *e) {
    (void)e;
    size_t *leaf = xmalloc((X->n ? X->n : 1) * sizeof *leaf);
    tree_leaves(m, 0, X, leaf);
    for (size_t i = 0; i < X->n; i++) out[i] = tree_leaf_value(m, leaf[i], 0);
    free(leaf);
    return 0;
}

static int tree_proba(const model *m, const model_matrix *X, double *P, lab_err *e) {
    (void)e;
    size_t n = X->n, K = m->classes->n;
    size_t *leaf = xmalloc((n ? n : 1) * sizeof *leaf);
    tree_leaves(m, 0, X, leaf);
    for (size_t k = 0; k < K; k++)
        for (size_t i = 0; i < n; i++) P[k * n + i] = tree_leaf_value(m, leaf[i], (int)k);
    free(leaf);
    return 0;
}

static int check_importance(const model *m, const char *kind, lab_err *e) {
    const model_tensor *t = model_tensor_get(m, "importance");
    if (!t || t->rows != (size_t)m->nfeat || t->cols != 1)
        return lab_fail(e, "%s: tensor 'importance' is missing or is not %d x 1", kind, m->nfeat);
    return 0;
}

static int tree_check_clf(const model *m, lab_err *e) {
    if (!m->classes || m->classes->n < 2) return lab_fail(e, "tree: fewer than two class labels");
    if (tree_check(m, (int)m->classes->n, "tree", e) < 0) return -1;
    if (model_tensor_get(m, "roots")->rows != 1) return lab_fail(e, "tree: tensor 'roots' must hold one tree");
    return check_importance(m, "tree", e);
}

static int tree_check_reg(const model *m, lab_err *e) {
    if (tree_check(m, 1, "tree_regressor", e) < 0) return -1;
    if (model_tensor_get(m, "roots")->rows != 1) return lab_fail(e, "tree_regressor: tensor 'roots' must hold one tree");
    return check_importance(m, "tree_regressor", e);
}

const model_kind model_kind_tree = {
    .name = "tree",
    .task = MODEL_CLASSIFIER,
    .title = "decision tree classifier (CART)",
    .params = clf_params,
    .nparams = (int)(sizeof clf_params / sizeof clf_params[0]),
    .fit = tree_fit,
    .predict = NULL,
    .predict_proba = tree_proba,
    .check = tree_check_clf,
    .describe = tree_describe,
};

const model_kind model_kind_tree_regressor = {
    .name = "tree_regressor",
    .task = MODEL_REGRESSOR,
    .title = "decision tree regressor (CART, squared error)",
    .params = reg_params,
    .nparams = (int)(sizeof reg_params / sizeof reg_params[0]),
    .fit = tree_fit,
    .predict = tree_predict,
    .check = tree_check_reg,
    .describe = tree_describe,
};
