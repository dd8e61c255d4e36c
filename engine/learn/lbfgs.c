/* lbfgs.c — L-BFGS with a backtracking Armijo line search (see lbfgs.h).
 *
 * Memory: 2 m vectors of pairs plus four work vectors, all in one block.
 * A pair whose curvature s'y is not positive is not stored (the line search
 * does not enforce the Wolfe curvature condition), which keeps the implied
 * Hessian approximation positive definite. */
#include "lbfgs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dot(int n, const double *a, const double *b) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static double absmax(int n, const double *a) {
    double m = 0;
    for (int i = 0; i < n; i++)
        if (fabs(a[i]) > m) m = fabs(a[i]);
    return m;
}

int lbfgs_minimize(int n, double *w, lbfgs_fn fn, void *ud, const lbfgs_opts *o,
                   int (*iter)(void *ud, int k, double f, lab_err *e), lbfgs_result *r, lab_err *e) {
    int M = o->m > 0 ? o->m : 10, max_ls = o->max_ls > 0 ? o->max_ls : 20;
    size_t N = (size_t)(n > 0 ? n : 1);
    double *block = xmalloc((size_t)(2 * M + 4) * N * sizeof *block);
    double *S = block, *Y = block + (size_t)M * N;
    double *g = Y + (size_t)M * N, *d = g + N, *wn = d + N, *gn = wn + N;
    double *rho = xmalloc((size_t)M * sizeof *rho), *alpha = xmalloc((size_t)M * sizeof *alpha);
    int npairs = 0, head = 0, rc = -1;
    double last_progress = lab_now();
    memset(r, 0, sizeof *r);
    double f = fn(ud, w, g);
    r->nfev = 1;
    r->gmax = absmax(n, g);
    if (!isfinite(f)) {
        lab_fail(e, "fit: the loss is not finite at the start point");
        goto done;
    }
    if (r->gmax <= o->gtol) {
        r->converged = 1;
        rc = 0;
        goto done;
    }
    for (int k = 1; k <= o->max_iter; k++) {
        if (lab_interrupt) {
            lab_fail(e, "fit: interrupted");
            goto done;
        }
        /* d = -H g by the two-loop recursion */
        for (int i = 0; i < n; i++) d[i] = -g[i];
        for (int j = 0; j < npairs; j++) {
            int q = (head - 1 - j + M) % M;
            alpha[q] = rho[q] * dot(n, S + (size_t)q * N, d);
            for (int i = 0; i < n; i++) d[i] -= alpha[q] * Y[(size_t)q * N + i];
        }
        if (npairs) {
            int q = (head - 1 + M) % M;
            double *yq = Y + (size_t)q * N;
            double gamma = dot(n, S + (size_t)q * N, yq) / dot(n, yq, yq);
            for (int i = 0; i < n; i++) d[i] *= gamma;
        }
        for (int j = npairs - 1; j >= 0; j--) {
            int q = (head - 1 - j + M) % M;
            double beta = rho[q] * dot(n, Y + (size_t)q * N, d);
            for (int i = 0; i < n; i++) d[i] += (alpha[q] - beta) * S[(size_t)q * N + i];
        }
        double gd = dot(n, g, d);
        if (!(gd < 0)) { /* not a descent direction: restart from steepest descent */
            npairs = 0;
            for (int i = 0; i < n; i++) d[i] = -g[i];
            gd = dot(n, g, d);
        }
        double step = npairs ? 1.0 : fmin(1.0, 1.0 / sqrt(-gd));
        double fn_ = f;
        int ok = 0;
        for (int ls = 0; ls < max_ls; ls++) {
            for (int i = 0; i < n; i++) wn[i] = w[i] + step * d[i];
            fn_ = fn(ud, wn, gn);
            r->nfev++;
            if (isfinite(fn_) && fn_ <= f + 1e-4 * step * gd) {
                ok = 1;
                break;
            }
            /* minimiser of the quadratic through f, f'(0) and f(step), kept in [0.1, 0.5] step */
            double t = isfinite(fn_) ? -gd * step * step / (2 * (fn_ - f - gd * step)) : 0.1 * step;
            step = fmin(fmax(t, 0.1 * step), 0.5 * step);
        }
        if (!ok) {
            r->iter = k - 1;
            if (r->gmax <= 1e3 * o->gtol) { /* as good as floating point allows */
                r->f = f;
                r->converged = 1;
                rc = 0;
            } else {
                lab_fail(e, "fit: the line search failed at iteration %d (max |gradient| %g)", k, r->gmax);
            }
            goto done;
        }
        /* the new pair */
        double *s = S + (size_t)head * N, *y = Y + (size_t)head * N;
        for (int i = 0; i < n; i++) {
            s[i] = wn[i] - w[i];
            y[i] = gn[i] - g[i];
        }
        double sy = dot(n, s, y);
        if (sy > 1e-10 * dot(n, y, y) && sy > 0) {
            rho[head] = 1 / sy;
            head = (head + 1) % M;
            if (npairs < M) npairs++;
        }
        double f_old = f;
        memcpy(w, wn, (size_t)n * sizeof *w);
        memcpy(g, gn, (size_t)n * sizeof *g);
        f = fn_;
        r->iter = k;
        r->gmax = absmax(n, g);
        if (iter && iter(ud, k, f, e)) goto done;
        if (o->what && lab_now() - last_progress > 0.05) {
            lab_progress(o->what, k, o->max_iter);
            last_progress = lab_now();
        }
        if (r->gmax <= o->gtol || (f_old - f) / fmax(fmax(fabs(f_old), fabs(f)), 1) <= o->ftol) {
            r->converged = 1;
            break;
        }
    }
    r->f = f;
    rc = 0;
done:
    free(block);
    free(rho);
    free(alpha);
    return rc;
}
