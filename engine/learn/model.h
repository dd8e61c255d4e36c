/* model.h — the interface every model of lab implements, and the model object
 * that the Lua bindings, the model files, tracking and the server share.
 *
 * A model is a kind (a table of functions: linear, logistic, and later kmeans,
 * pca, tree, forest, gbm, knn, naive_bayes, transforms) plus data that is all
 * plain values: hyper-parameters (a small key -> value list), the feature
 * schema it was fitted on (names, types, category levels), the target's name
 * and type, the class labels of a classifier, training figures, and its
 * weights as named dense tensors of doubles. Because the fitted state is only
 * that, one generic writer saves every kind to a model file and one loader
 * reads it back: a kind never serializes anything itself, and a model file can
 * never carry code. The price is that a kind must keep everything it needs to
 * predict in tensors (a tree stores its nodes as columns of doubles).
 *
 * The data flow of a fit: model_fit checks the frame against the request
 * (target present, features numeric and without NA), records the schema,
 * builds a design matrix (column-major doubles: x[j*n + i] is row i of feature
 * j, the layout LAPACK and BLAS take), encodes the target (numbers for
 * regressors, class indices 0..nclass-1 into the sorted labels for
 * classifiers), then calls the kind's fit. Prediction checks the new frame
 * against the schema by name and type, builds the same matrix and calls the
 * kind. Kinds see only matrices: they never look at frames.
 *
 * Errors: functions return -1 or NULL and fill e with one line that starts
 * with the operation ("fit", "predict", "load") and names the column,
 * hyper-parameter or file at fault. Long fits check lab_interrupt (util.h)
 * between iterations and fail with "interrupted", and call lab_progress now
 * and then. */
#ifndef LAB_MODEL_H
#define LAB_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../data/frame.h"
#include "../util/util.h"

/* The version of the model file format that model_save writes; model_load
 * reads files of this version and refuses others with a clear error. */
#define MODEL_FORMAT_VERSION 1

typedef enum model_task {
    MODEL_REGRESSOR,  /* predict gives numbers */
    MODEL_CLASSIFIER, /* predict gives labels of the target's type; predict_proba */
    MODEL_CLUSTERER,  /* predict gives cluster numbers (integers from 1); no target */
    MODEL_TRANSFORMER /* transform gives a frame; no target */
} model_task;

/* ---- hyper-parameters ---------------------------------------------------- */

typedef enum model_ptype {
    MODEL_P_NUMBER,
    MODEL_P_INTEGER, /* held as a double with an integer value */
    MODEL_P_BOOLEAN, /* held as 0 or 1 */
    MODEL_P_STRING
} model_ptype;

/* One hyper-parameter a kind accepts: its default and its allowed values.
 * Numbers and integers must lie in [lo, hi] ((lo, hi] when lo_open); strings
 * must be one of `choices` ("gini|entropy"), or anything when choices is
 * NULL. */
typedef struct model_param_spec {
    const char *key;
    model_ptype type;
    double def;          /* number, integer and boolean defaults */
    const char *def_str; /* string default */
    double lo, hi;
    int lo_open;
    const char *choices;
    const char *doc; /* one line, for printing and help */
} model_param_spec;

/* A hyper-parameter's value in a model. */
typedef struct model_param {
    const char *key; /* the spec's key (static) */
    model_ptype type;
    double num;
    char *str; /* MODEL_P_STRING: owned */
} model_param;

/* ---- the feature schema --------------------------------------------------- */

/* One feature column the model was fitted on. levels: the categories of a
 * string feature, in code order, for kinds and transforms that encode them
 * (none of the first kinds does; they refuse string features). */
typedef struct model_feature {
    char *name;
    col_type type;
    uint32_t nlevels;
    char **levels;
} model_feature;

/* ---- tensors (the fitted weights) ------------------------------------------ */

/* A named dense matrix of doubles, column-major (data[c*rows + r]); a vector
 * is rows x 1. Names are the kind's own ("coef", "intercept"). */
typedef struct model_tensor {
    char *name;
    size_t rows, cols;
    double *data;
} model_tensor;

/* A training figure: "n_iter", "loss", "rank"... (plain numbers). */
typedef struct model_figure {
    char *key;
    double value;
} model_figure;

/* ---- the design matrix ------------------------------------------------------ */

/* n rows by p features, column-major: x[j*n + i]. Owned by whoever made it.
 * A kind that declares fit_columns may instead be given a view for its fit:
 * x NULL and cols[j] column j (n values; the frame's own number columns,
 * read-only and not owned by X), which saves copying the data. Read a
 * matrix of either form through model_matrix_col. */
typedef struct model_matrix {
    size_t n;
    int p;
    double *x;
    const double *const *cols;
} model_matrix;

static inline const double *model_matrix_col(const model_matrix *X, int j) {
    return X->cols ? X->cols[j] : X->x + (size_t)j * X->n;
}

void model_matrix_free(model_matrix *X);

/* ---- fit callbacks ---------------------------------------------------------- */

/* What a fit reports, for tracking (and for a Lua callback). During
 * model_fit, `param` is called once per hyper-parameter before the kind
 * fits (a pipeline's steps first, keyed "<step>.<param>": see
 * pipeline_report_params; p->key lives for the call only), then `figure`
 * with the training figures: per iteration with step >= 1
 * (such as "loss" of iteration step), and once each final figure with step 0
 * after the fit succeeded. Either function may be NULL. A function that
 * returns non-zero stops the fit, which then fails with "fit: stopped by the
 * callback". The callbacks must return normally (no longjmp): a host
 * language runs its handler protected and returns non-zero on error. */
typedef struct model_hooks {
    int (*param)(void *ud, const model_param *p);
    int (*figure)(void *ud, const char *key, double value, long step);
    void *ud;
} model_hooks;

/* ---- the model object --------------------------------------------------------- */

typedef struct model_kind model_kind;

typedef struct model {
    const model_kind *kind;
    int nparam;
    model_param *params; /* one per spec of the kind, in spec order */

    /* set by a successful fit (or a load); empty while not fitted */
    int fitted;
    int nfeat;
    model_feature *feat;
    char *target;          /* NULL for clusterers and transformers */
    col_type target_type;
    column *classes;       /* classifiers: the sorted distinct labels, the target's type */
    int ntensor;
    model_tensor *tensor;
    int nfigure;
    model_figure *figure;
    size_t n_train;        /* rows fitted on */

    /* A pipeline's preprocessing (pipeline.h): transforms fitted before the
     * kind, in order, and applied to every frame the model predicts from.
     * Not cleared by a refit or a parameter change (they are configuration
     * as much as state); nstep 0 for a plain model. */
    int nstep;
    struct model **step;
} model;

/* What the kind's fit receives. X is the design matrix; y the target for
 * regressors; cls the class index of every row (into m->classes) for
 * classifiers, with nclass classes (at least 2). */
typedef struct model_fit_data {
    const model_matrix *X;
    const double *y;
    const int *cls;
    int nclass;
    const model_hooks *hooks;
} model_fit_data;

/* A kind: what lab.model.<name> makes. Every function receives a model whose
 * parameters are valid, and (except fit) which is fitted, with tensors that
 * `check` accepted. Kinds live in their own file (linear.c, logistic.c) and
 * are listed in kinds.h / the table in model.c. */
struct model_kind {
    const char *name; /* "linear" */
    model_task task;
    const char *title; /* "linear regression (least squares)" */
    const model_param_spec *params;
    int nparams;
    /* Fit: fill tensors (model_tensor_new) and figures (model_set_figure;
     * report per-iteration ones with model_report). Return 0, or -1 with e
     * filled; model_fit clears a half-fitted state. */
    int (*fit)(model *m, const model_fit_data *d, lab_err *e);
    /* Regressors: out[i] the prediction. Classifiers: out[i] the class index
     * (may be NULL: argmax of predict_proba). Clusterers: cluster index from 0. */
    int (*predict)(const model *m, const model_matrix *X, double *out, lab_err *e);
    /* Classifiers: P[k*n + i] the probability of class k for row i. */
    int (*predict_proba)(const model *m, const model_matrix *X, double *P, lab_err *e);
    /* Transformers (and PCA): a new frame of n rows. */
    frame *(*transform)(const model *m, const model_matrix *X, lab_err *e);
    /* After a load: every tensor the kind needs is there with a consistent
     * shape (a model file is untrusted input). Return 0 or -1 with e filled. */
    int (*check)(const model *m, lab_err *e);
    /* The fitted summary for printing: lines appended to b, each "  ...\n". */
    void (*describe)(const model *m, strbuf *b);
    /* 1: fit reads X through model_matrix_col only, so model_fit may pass a
     * view of the frame's columns (see model_matrix) instead of a copy. */
    int fit_columns;
};

/* The kind called name, or NULL. */
const model_kind *model_kind_find(const char *name);
/* The names of every kind, ", "-separated, for messages: a static string. */
const char *model_kind_list(void);

/* A new unfitted model of kind `kind` with default hyper-parameters, or NULL
 * with e naming the unknown kind. The caller owns it (model_free). */
model *model_new(const char *kind, lab_err *e);
void model_free(model *m);

/* Set a hyper-parameter from a number (numbers, integers, booleans as 0/1) or
 * a string (string parameters). Returns 0, or -1 with e naming the kind and
 * the key: unknown key (listing the known ones), wrong type, out of range.
 * Setting a parameter of a fitted model makes it unfitted. */
int model_set_number(model *m, const char *key, double v, lab_err *e);
int model_set_string(model *m, const char *key, const char *v, lab_err *e);
/* The parameter called key, or NULL. */
const model_param *model_param_get(const model *m, const char *key);
/* The value of a number/integer/boolean parameter the kind declares (its
 * default when the key is unknown: kinds call it with their own keys). */
double model_param_num(const model *m, const char *key);

/* Fit m on frame f: predict column `target` (NULL for clusterers and
 * transformers) from the columns features[0..nfeat) (features NULL: every
 * column but the target, in frame order). Fails, leaving m unfitted, with e
 * naming the column when: the target is missing from f or has NA; a feature
 * is missing, is the target, appears twice, is a string column, or has NA or
 * NaN; a classifier's target has fewer than two classes; a regressor's target
 * is not numeric; there are no rows or no features. hooks may be NULL. A
 * refit replaces the previous fitted state. Returns 0 or -1. */
int model_fit(model *m, const frame *f, const char *target, const char *const *features, int nfeat,
              const model_hooks *hooks, lab_err *e);

/* The design matrix of f for fitted model m: the schema's columns, found by
 * name (in any order, other columns ignored), each of the type it had at fit
 * (number and integer may stand for each other), without NA. Returns a new
 * matrix the caller frees, or NULL with e naming the missing column, the
 * column whose type differs, or the row of the first NA. op names the
 * operation for the message ("predict"). */
model_matrix *model_design(const model *m, const frame *f, const char *op, lab_err *e);

/* Predictions for the rows of f: a new column the caller owns, or NULL with e
 * filled (see model_design; also "not fitted"). Regressors give numbers,
 * classifiers labels of the target's type, clusterers integers from 1. */
column *model_predict(const model *m, const frame *f, lab_err *e);

/* Classifiers: a new frame with one number column per class, named by the
 * label's text, rows summing to 1. NULL with e filled otherwise. */
frame *model_predict_proba(const model *m, const frame *f, lab_err *e);

/* Transformers: the kind's transform of f, a new frame. */
frame *model_transform(const model *m, const frame *f, lab_err *e);

/* Report one figure to the hooks of a fit (kinds call it per iteration with
 * step >= 1). Returns 0, or -1 with e saying the callback stopped the fit. */
int model_report(const model_fit_data *d, const char *key, double value, long step, lab_err *e);

/* Tensors: model_tensor_new makes (or replaces) the tensor called name with
 * rows x cols zeros and returns its data, owned by m. model_tensor_get
 * returns the tensor, or NULL. */
double *model_tensor_new(model *m, const char *name, size_t rows, size_t cols);
const model_tensor *model_tensor_get(const model *m, const char *name);
/* Set (or replace) the figure called key. */
void model_set_figure(model *m, const char *key, double value);
/* The figure called key, or NAN. */
double model_figure_get(const model *m, const char *key);

/* The text that printing a model shows: the kind, every hyper-parameter, and
 * when fitted the target, features, classes, figures and the kind's
 * summary. A new string the caller frees. */
char *model_describe(const model *m);

/* ---- model files (model_file.c) ---------------------------------------------- */

/* Save fitted m to path as a model file: one SQLite database holding the
 * kind, hyper-parameters, feature schema, target and class labels, figures,
 * tensors as BLOBs, the lab version, the format version and a SHA-256 content
 * hash over all of it. Written to a temporary file in the same folder, synced,
 * then renamed over path, so a crash never leaves a half-written model under
 * that name. Returns 0, or -1 with e naming the path. */
int model_save(const model *m, const char *path, lab_err *e);

/* Load a model file. The file is untrusted: it is opened read-only, must hold
 * exactly the tables lab writes (no views or triggers, and no SQL from the
 * file is ever run), a known format version, a known kind, parameters the
 * kind accepts, tensors the kind's check accepts, and a content hash equal to
 * the one recomputed from what was read. Returns a new model the caller
 * frees, or NULL with e naming the path and saying what is wrong (not a model
 * file, truncated or corrupted, altered, unknown version or kind). */
model *model_load(const char *path, lab_err *e);

/* The content hash of fitted m as 64 hex digits and a NUL into hex: SHA-256
 * over a canonical encoding of the kind, parameters, schema, target,
 * classes, figures and tensors (the lab version is not part of it, so that
 * the same model saved by two versions has the same hash). */
void model_hash(const model *m, char hex[65]);

#endif
