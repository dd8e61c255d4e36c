/* tree.h — the decision-tree machinery that tree.c, forest.c and gbm.c share
 * (private to engine/learn): binning features, growing one tree on binned
 * rows, and storing and walking trees as model tensors.
 *
 * Every tree of lab grows on binned features: each feature is cut once into
 * at most 255 bins (between consecutive distinct values when there are that
 * few, at quantiles otherwise), so a split is "x <= threshold" with the
 * threshold at a bin edge. On data with at most 255 distinct values per
 * feature (wine, digits, any integer feature) this finds the very splits an
 * exact CART finds; on larger continuous data it is the histogram method of
 * LightGBM and scikit-learn's HistGradientBoosting, traded for speed.
 *
 * Fitted trees are two tensors: "nodes" (N x (4 + V): feature, threshold,
 * left, right, then V leaf values; feature -1 marks a leaf; children are
 * absolute row numbers, always after their parent) and "roots" (T x 1). */
#ifndef LAB_TREE_H
#define LAB_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define TREE_MAXB 256 /* bins per feature, at most (255 are used) */

/* ---- binning -------------------------------------------------------------- */

typedef struct tree_bins {
    int p;
    int *nbins;  /* p */
    double *thr; /* p x TREE_MAXB: thr[j*TREE_MAXB + b] is bin b's upper edge (the last is +inf) */
} tree_bins;

/* Cut every feature of X (n x p) into at most max_bins (2..255) bins. Uses
 * both cores for many rows. The caller frees with tree_bins_free. */
void tree_bins_fit(tree_bins *b, const model_matrix *X, int max_bins);
void tree_bins_free(tree_bins *b);
/* The bin codes of X's rows, row-major: codes[i*p + j] (n x p bytes, new, the
 * caller frees). x <= thr[code] and x > thr[code - 1]. */
uint8_t *tree_bins_apply(const tree_bins *b, const model_matrix *X);
/* The same, column-major: codes[j*n + i] (n x p bytes, new, the caller
 * frees). Uses both cores for many rows. */
uint8_t *tree_bins_apply_cols(const tree_bins *b, const model_matrix *X);

/* ---- growing one tree ----------------------------------------------------------- */

typedef enum tree_crit {
    TREE_GINI,    /* classes: Gini impurity */
    TREE_ENTROPY, /* classes: entropy */
    TREE_MSE,     /* a = weight, b = weight * y: squared error */
    TREE_GRAD     /* a = gradient, b = hessian: Newton gain with an L2 penalty */
} tree_crit;

typedef struct tree_spec {
    tree_crit crit;
    int K;              /* classes (gini, entropy): leaf values are K probabilities */
    int max_depth;      /* 0: no limit */
    int max_leaves;     /* 0: no limit, grown depth-first; else best-first up to this many leaves */
    size_t min_leaf;    /* rows in a leaf, at least */
    size_t min_split;   /* rows in a node to split it, at least */
    double l2;          /* TREE_GRAD: added to the hessian sums */
    double min_hess;    /* TREE_GRAD: hessian sum of a child, at least */
    int mtry;           /* features drawn per node (p: all, in order) */
    uint64_t seed;      /* for drawing features */
    int threads;        /* 1 or 2: threads building large histograms */
} tree_spec;

/* The rows a tree learns from. codes: n x p row-major bins; cls and w
 * (gini, entropy: class index and weight) or a and b (mse, grad), indexed by
 * row number. */
typedef struct tree_data {
    const uint8_t *codes;
    int p;
    const tree_bins *bins;
    const int *cls;
    const double *w;
    const double *a, *b;
} tree_data;

/* One grown tree: node i has feature feat[i] (-1: leaf), split bin bin[i]
 * (goes left when code <= bin), threshold thr[i], children left[i] and
 * right[i] (indices in this tree), values val[i*V ..], and the rows it holds,
 * rows[start[i] .. start[i] + count[i]) of the rows array given to
 * tree_grow. */
typedef struct tree_nodes {
    size_t n, cap;
    int V;
    int *feat, *bin, *left, *right;
    double *thr, *val;
    size_t *start, *count;
} tree_nodes;

/* Scratch memory for growing many trees of the same shape in a row (the
 * histograms are large: reusing them saves the page faults of fresh ones).
 * One per thread; free with tree_work_free. */
typedef struct tree_work {
    size_t hsz, nrows;
    int nhist;
    double **hist;
    size_t *tmp;
} tree_work;
void tree_work_free(tree_work *w);

/* Grow a tree on rows[0..nrows) (permuted in place so that every node's rows
 * are contiguous) into out (zero it first; free with tree_nodes_free). The
 * gain of every split is added to imp[feature] (p values). */
void tree_grow(const tree_spec *s, const tree_data *d, size_t *rows, size_t nrows, tree_nodes *out, double *imp);
/* The same with scratch memory kept in w between calls (zero it first). */
void tree_grow_with(const tree_spec *s, const tree_data *d, size_t *rows, size_t nrows, tree_nodes *out, double *imp,
                    tree_work *w);
void tree_nodes_free(tree_nodes *t);

/* ---- trees as tensors ------------------------------------------------------------ */

/* Store trees[0..T) (each with V values per node) as m's "nodes" and "roots". */
void tree_store(model *m, tree_nodes *const *trees, size_t T, int V);
/* Check "nodes" and "roots" of a loaded model: V values per node, features
 * below p, children after their parent. Returns 0, or -1 with e filled. */
int tree_check(const model *m, int V, const char *kind, lab_err *e);
/* The leaf (a row of "nodes") that row i of X reaches in tree t, for every
 * row: leaf[i]. */
void tree_leaves(const model *m, size_t t, const model_matrix *X, size_t *leaf);
/* Put the normalised importances imp (p values, summing to 1 unless all 0) into m's tensor "importance". */
void tree_store_importance(model *m, const double *imp, int p);
/* The values of leaf row r: V doubles, column c of "nodes" is 4 + c. */
double tree_leaf_value(const model *m, size_t r, int c);
/* "  N trees, L leaves, depth D" (to b). */
void tree_describe(const model *m, strbuf *b);
/* A 64-bit seed for the t-th tree of a model seeded with seed. */
uint64_t tree_seed(uint64_t seed, uint64_t t);

#endif
