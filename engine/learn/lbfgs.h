/* lbfgs.h — limited-memory BFGS minimisation of a smooth function, for the
 * models whose fit is an unconstrained convex problem (logistic regression
 * now; any smooth loss later).
 *
 * The caller gives one function that returns f(w) and fills the gradient,
 * because computing both in one pass over the data is what makes a fit fast.
 * The search direction comes from the last `m` steps (two-loop recursion);
 * the step length from a backtracking line search with the Armijo condition
 * and quadratic interpolation, which for L-BFGS directions almost always
 * accepts the first step. Stopping follows scipy's L-BFGS-B as scikit-learn
 * calls it: the largest gradient component at most gtol, or a relative
 * decrease of f at most ftol. */
#ifndef LAB_LBFGS_H
#define LAB_LBFGS_H

#include "../util/util.h"

/* f(w) for w[0..n), with the gradient into g[0..n). */
typedef double (*lbfgs_fn)(void *ud, const double *w, double *g);

typedef struct lbfgs_opts {
    int m;          /* pairs kept (10) */
    int max_iter;   /* iterations (each one or more evaluations) */
    double gtol;    /* stop when max |g_i| <= gtol */
    double ftol;    /* stop when (f_old - f) / max(|f_old|, |f|, 1) <= ftol */
    int max_ls;     /* evaluations a line search may spend (20) */
    const char *what; /* for lab_progress ("fitting logistic"); NULL: none */
} lbfgs_opts;

typedef struct lbfgs_result {
    int iter;      /* iterations done */
    int nfev;      /* function evaluations */
    double f;      /* final value */
    double gmax;   /* final max |g_i| */
    int converged; /* 1 when gtol or ftol stopped it, 0 when max_iter did */
} lbfgs_result;

/* Minimise fn from the start point w[0..n) (overwritten with the result).
 * After every iteration calls iter(ud, k, f) when given; a non-zero return
 * stops with -1 (e filled by iter's caller convention: "stopped by the
 * callback"). Checks lab_interrupt every iteration ("interrupted"). A line
 * search that cannot decrease f ends the run as converged when the gradient
 * is already small, else fails. Returns 0 (r filled) or -1 with e filled. */
int lbfgs_minimize(int n, double *w, lbfgs_fn fn, void *ud, const lbfgs_opts *o,
                   int (*iter)(void *ud, int k, double f, lab_err *e), lbfgs_result *r, lab_err *e);

#endif
