/* metrics.h — how good predictions are: classification (accuracy,
 * precision, recall, F1, ROC AUC, log loss, confusion matrix) and regression
 * (RMSE, MAE, R²), with scikit-learn's definitions.
 *
 * Classification metrics work on class indices into a sorted label set,
 * which metrics_encode builds from two columns of labels of any type (the
 * union of their values, sorted as scikit-learn sorts them); so the
 * functions below are plain loops over int arrays, shared by lab.metrics
 * and by cross-validation. Where scikit-learn's result is undefined (a
 * precision with no predicted positives) it gives 0, as their default
 * zero_division does; so does this file.
 *
 * Errors: functions return -1 (or NaN where said) and fill e with one line
 * naming the argument at fault. */
#ifndef LAB_METRICS_H
#define LAB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "../data/frame.h"

/* The sorted distinct values of y (which has no NA), as a new column of y's
 * type (numbers numerically, strings by bytes, false < true); idx[i] gets the
 * index of row i's value in it. idx may be NULL. Never fails. */
column *metrics_labels(const column *y, int *idx);

/* Class indices of two label columns of the same length into their shared
 * labels: ia[i], ib[i] index *labels (a new column the caller owns). The
 * columns must both be strings, or both number / integer / boolean (then
 * compared as numbers; the labels are integer when both are integer,
 * boolean when both are boolean, else number), without NA. Returns 0, or -1
 * with e naming argument an or bn (e.g. "y_true"). */
int metrics_encode(const column *a, const column *b, const char *an, const char *bn, int *ia, int *ib,
                   column **labels, lab_err *e);

/* The fraction of i with t[i] == p[i]; NaN when n == 0. */
double metrics_accuracy(const int *t, const int *p, size_t n);

/* The K x K confusion counts: M[a*K + b] is the number of rows whose true
 * class is a and predicted class is b (rows: truth, as scikit-learn). */
void metrics_confusion(const int *t, const int *p, size_t n, int K, int64_t *M);

typedef enum metrics_average {
    METRICS_BINARY,  /* the positive class only */
    METRICS_MACRO,   /* unweighted mean over classes */
    METRICS_MICRO,   /* from the total counts (= accuracy for single labels) */
    METRICS_WEIGHTED /* mean weighted by each class's true count */
} metrics_average;

/* Parse "binary", "macro", "micro", "weighted"; -1 when unknown. */
int metrics_average_parse(const char *s, metrics_average *out);

/* Precision, recall and F1 from confusion counts M (K x K), averaged as avg;
 * pos is the positive class for METRICS_BINARY (-1: a class absent from both
 * columns, which scores 0). Any output pointer may be NULL. */
void metrics_prf(const int64_t *M, int K, metrics_average avg, int pos, double *precision, double *recall,
                 double *f1);

/* Area under the ROC curve of scores s[0..n) for the binary truth y[i] in
 * {0, 1} (1 positive), tied scores counting one half (the Mann-Whitney
 * statistic). Returns -1 with e filled when one class is absent. */
int metrics_roc_auc(const int *y, const double *s, size_t n, double *out, lab_err *e);

/* Mean negative log-likelihood of the truth t[i] under the probabilities
 * P[k*n + i] (K classes, column-major), each row rescaled to sum to 1 and
 * clipped to [1e-15, 1 - 1e-15] as scikit-learn does. Returns -1 with e
 * filled on a negative or non-finite probability or a row summing to 0. */
int metrics_log_loss(const int *t, const double *P, size_t n, int K, double *out, lab_err *e);

/* Regression, over n pairs: root mean squared error, mean absolute error,
 * and the coefficient of determination (1 - SSE/SST; when the truth is
 * constant: 1 for a perfect fit, else 0, as scikit-learn). NaN when n == 0. */
double metrics_rmse(const double *t, const double *p, size_t n);
double metrics_mae(const double *t, const double *p, size_t n);
double metrics_r2(const double *t, const double *p, size_t n);

#endif
