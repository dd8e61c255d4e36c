/* kmeans.c — k-means clustering:
 * lab.model.kmeans{k=3, n_init=10, max_iter=300, tol=1e-4, seed=1}.
 *
 * As scikit-learn's KMeans (algorithm "lloyd"): every one of n_init runs
 * starts from greedy k-means++ centres (the first centre a uniformly chosen
 * row; each next one the best, by the potential it leaves, of 2 + ln k rows
 * drawn with probability proportional to the squared distance to the
 * nearest centre so far), then alternates Lloyd's two steps — assign every
 * row to its nearest centre, move every centre to the mean of its rows —
 * until no row changes cluster or the centres move by at most tol times the
 * mean variance of the features (in total squared distance). A cluster left
 * empty takes the row farthest from its centre. The run of least inertia
 * (the sum of squared distances of the rows to their centres) is kept.
 *
 * Distances are computed directly as sums of squared differences (not
 * through |x|^2 - 2 x.c + |c|^2), a block of rows at a time so that the
 * column-major features stream through the cache. Large data is split into
 * two fixed halves of rows, one per thread; each half sums its own partial
 * centres and inertia and the halves are added in a fixed order, so the
 * result does not depend on timing or on whether the thread could start.
 *
 * All random choices come from one rng seeded with `seed`, used in order
 * through the runs. Tensors: "centers" (k x p). Figures: inertia, n_iter
 * (Lloyd iterations of the kept run). predict gives the nearest centre. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/rng.h"
#include "kinds.h"

static const model_param_spec params[] = {
    {"k", MODEL_P_INTEGER, 3, NULL, 1, 1e6, 0, NULL, "number of clusters"},
    {"n_init", MODEL_P_INTEGER, 10, NULL, 1, 1e4, 0, NULL, "runs from different k-means++ starts; the best is kept"},
    {"max_iter", MODEL_P_INTEGER, 300, NULL, 1, 1e7, 0, NULL, "Lloyd iterations at most per run"},
    {"tol", MODEL_P_NUMBER, 1e-4, NULL, 0, 1e10, 0, NULL,
     "stop when the centres move (total squared) by at most tol x the mean feature variance"},
    {"seed", MODEL_P_INTEGER, 1, NULL, 0, 9007199254740992.0, 0, NULL, "seed of the random starts"},
};

#define BLK 256               /* rows per block */
#define THREAD_WORK 200000.0  /* n p k above which two threads share a pass */

/* The passes over the data are built for wider vectors too where GCC can
 * pick them at run time (AVX2, AVX-512 on x86-64); the result is the same
 * on all of them (the sums are taken in the same order). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HOT __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define HOT
#endif

/* d[i] += (x[i] - c)^2 over one block (a fixed trip count, so it vectorises) */
static inline void sq_acc(double *restrict d, const double *restrict x, double c) {
    for (int i = 0; i < BLK; i++) {
        double t = x[i] - c;
        d[i] += t * t;
    }
}

/* The block of rows [b0, b0 + B) of feature j: straight from x when the
 * block is whole, else copied into pad (BLK doubles, zero beyond B). */
static const double *block_of(const double *x, size_t n, int j, size_t b0, int B, double *pad) {
    const double *xj = x + (size_t)j * n + b0;
    if (B == BLK) return xj;
    memcpy(pad, xj, (size_t)B * sizeof *pad);
    memset(pad + B, 0, (size_t)(BLK - B) * sizeof *pad);
    return pad;
}

/* The data every pass reads. C holds the centres row-major (C[c*p + j]). */
typedef struct km {
    const double *x; /* column-major, n x p */
    size_t n;
    int p, k;
    const double *C;
    int *label;      /* per row; may be NULL (prediction writes out instead) */
    double *out;     /* prediction: cluster index per row, or NULL */
    double *mind;    /* per row: squared distance to its centre, or NULL */
} km;

/* One half's partial results. */
typedef struct part {
    const km *K;
    size_t r0, r1;
    double *sums;  /* k x p, row-major (then 3 more copies: scratch) */
    double *count; /* k */
    double inertia;
    size_t changed;
    double *dist;  /* BLK x k scratch */
} part;

/* Assign rows [r0, r1) to their nearest centres, summing partial centres. */
HOT static void *assign_part(void *arg) {
    part *s = arg;
    const km *K = s->K;
    size_t n = K->n;
    int p = K->p, k = K->k;
    double inertia = 0;
    size_t changed = 0;
    size_t kp = (size_t)k * (size_t)p;
    if (s->sums) {
        memset(s->sums, 0, 4 * kp * sizeof *s->sums);
        memset(s->count, 0, (size_t)k * sizeof *s->count);
    }
    int lab[BLK];
    double pad[BLK];
    for (size_t b0 = s->r0; b0 < s->r1; b0 += BLK) {
        int B = (int)(s->r1 - b0 < BLK ? s->r1 - b0 : BLK);
        memset(s->dist, 0, (size_t)k * BLK * sizeof *s->dist);
        for (int j = 0; j < p; j++) {
            const double *xj = block_of(K->x, n, j, b0, B, pad);
            for (int c = 0; c < k; c++) sq_acc(s->dist + (size_t)c * BLK, xj, K->C[(size_t)c * (size_t)p + (size_t)j]);
        }
        for (int i = 0; i < B; i++) {
            int best = 0;
            double bd = s->dist[i];
            for (int c = 1; c < k; c++) {
                double v = s->dist[(size_t)c * BLK + (size_t)i];
                if (v < bd) {
                    bd = v;
                    best = c;
                }
            }
            lab[i] = best;
            inertia += bd;
            size_t r = b0 + (size_t)i;
            if (K->label) {
                if (K->label[r] != best) changed++;
                K->label[r] = best;
            }
            if (K->out) K->out[r] = best;
            if (K->mind) K->mind[r] = bd;
        }
        if (s->sums) {
            for (int i = 0; i < B; i++) s->count[lab[i]] += 1;
            /* four interleaved sums, so that rows of one cluster do not wait on each other */
            for (int j = 0; j < p; j++) {
                const double *xj = K->x + (size_t)j * n + b0;
                for (int i = 0; i < B; i++) s->sums[(size_t)(i & 3) * kp + (size_t)lab[i] * (size_t)p + (size_t)j] += xj[i];
            }
        }
    }
    if (s->sums)
        for (size_t q = 0; q < kp; q++)
            s->sums[q] = (s->sums[q] + s->sums[kp + q]) + (s->sums[2 * kp + q] + s->sums[3 * kp + q]);
    s->inertia = inertia;
    s->changed = changed;
    return NULL;
}

/* The two halves of a pass, with their scratch; nparts is 1 or 2. */
typedef struct pass {
    km K;
    int nparts;
    part pt[2];
    double *mem;
} pass;

static void pass_init(pass *P, const double *x, size_t n, int p, int k, int sums) {
    memset(P, 0, sizeof *P);
    P->K.x = x;
    P->K.n = n;
    P->K.p = p;
    P->K.k = k;
    P->nparts = (double)n * p * k > THREAD_WORK && n >= 2 * BLK ? 2 : 1;
    size_t per = (size_t)BLK * (size_t)k + (sums ? 4 * (size_t)k * (size_t)p + (size_t)k : 0);
    P->mem = xmalloc((size_t)P->nparts * per * sizeof *P->mem);
    size_t half = (n / 2 / BLK) * BLK;
    for (int t = 0; t < P->nparts; t++) {
        part *s = &P->pt[t];
        s->K = &P->K;
        s->r0 = P->nparts == 1 ? 0 : (t == 0 ? 0 : half);
        s->r1 = P->nparts == 1 ? n : (t == 0 ? half : n);
        s->dist = P->mem + (size_t)t * per;
        s->sums = sums ? s->dist + (size_t)BLK * (size_t)k : NULL;
        s->count = sums ? s->sums + 4 * (size_t)k * (size_t)p : NULL;
    }
}

/* Run one pass over all rows with the centres in P->K.C. */
static void pass_run(pass *P) {
    pthread_t th;
    int threaded = P->nparts == 2 && pthread_create(&th, NULL, assign_part, &P->pt[1]) == 0;
    assign_part(&P->pt[0]);
    if (P->nparts == 2) {
        if (threaded) pthread_join(th, NULL);
        else assign_part(&P->pt[1]);
    }
}

static double pass_inertia(const pass *P) { return P->pt[0].inertia + (P->nparts == 2 ? P->pt[1].inertia : 0); }

/* ---- k-means++ ---------------------------------------------------------------------------- */

/* Potential of candidates: for rows [r0, r1), the sum over rows of
 * min(closest[i], |x_i - cand_t|^2) for each candidate t, each minimum
 * also written to cm[t*n + i] (cm may be closest itself when ncand is 1). */
typedef struct pp_part {
    const double *x;
    size_t n, r0, r1;
    int p, ncand;
    const double *cand; /* ncand x p, row-major */
    const double *closest;
    double *cm;
    double pot[16];
} pp_part;

HOT static void *pp_work(void *arg) {
    pp_part *s = arg;
    double d[16 * BLK], pad[BLK];
    for (int t = 0; t < s->ncand; t++) s->pot[t] = 0;
    for (size_t b0 = s->r0; b0 < s->r1; b0 += BLK) {
        int B = (int)(s->r1 - b0 < BLK ? s->r1 - b0 : BLK);
        memset(d, 0, (size_t)s->ncand * BLK * sizeof *d);
        for (int j = 0; j < s->p; j++) {
            const double *xj = block_of(s->x, s->n, j, b0, B, pad);
            for (int t = 0; t < s->ncand; t++) sq_acc(d + (size_t)t * BLK, xj, s->cand[(size_t)t * (size_t)s->p + (size_t)j]);
        }
        for (int t = 0; t < s->ncand; t++) {
            const double *dt = d + (size_t)t * BLK, *cl = s->closest + b0;
            double *out = s->cm + (size_t)t * s->n + b0, acc[8] = {0};
            int i = 0;
            for (; i + 8 <= B; i += 8)
                for (int l = 0; l < 8; l++) {
                    double v = dt[i + l] < cl[i + l] ? dt[i + l] : cl[i + l];
                    out[i + l] = v;
                    acc[l] += v;
                }
            for (; i < B; i++) {
                double v = dt[i] < cl[i] ? dt[i] : cl[i];
                out[i] = v;
                acc[0] += v;
            }
            s->pot[t] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        }
    }
    return NULL;
}

/* Sum of the potentials over both halves into pot[0..ncand). */
static void pp_run(const double *x, size_t n, int p, const double *cand, int ncand, const double *closest, double *cm,
                   double *pot) {
    int T = (double)n * p * ncand > THREAD_WORK && n >= 2 * BLK ? 2 : 1;
    size_t half = (n / 2 / BLK) * BLK;
    pp_part s[2];
    for (int t = 0; t < T; t++) {
        s[t] = (pp_part){x, n, T == 1 ? 0 : (t == 0 ? 0 : half), T == 1 ? n : (t == 0 ? half : n), p, ncand, cand,
                         closest, cm, {0}};
    }
    pthread_t th;
    int threaded = T == 2 && pthread_create(&th, NULL, pp_work, &s[1]) == 0;
    pp_work(&s[0]);
    if (T == 2) {
        if (threaded) pthread_join(th, NULL);
        else pp_work(&s[1]);
    }
    for (int t = 0; t < ncand; t++) pot[t] = s[0].pot[t] + (T == 2 ? s[1].pot[t] : 0);
}

static void row_of(const double *x, size_t n, int p, size_t r, double *out) {
    for (int j = 0; j < p; j++) out[j] = x[(size_t)j * n + r];
}

/* Greedy k-means++: k centres into C (row-major). closest and cum are n
 * scratch, cm 16 n (the candidates' distances: no second pass for the
 * chosen one). */
static void kmeanspp(const double *x, size_t n, int p, int k, rng *r, double *C, double *closest, double *cum,
                     double *cm) {
    int trials = 2 + (int)log((double)k);
    if (trials > 16) trials = 16;
    double *cand = xmalloc((size_t)trials * (size_t)p * sizeof *cand);
    size_t *ids = xmalloc((size_t)trials * sizeof *ids);
    double pot[16];
    size_t first = (size_t)rng_below(r, n);
    row_of(x, n, p, first, C);
    for (size_t i = 0; i < n; i++) closest[i] = INFINITY;
    pp_run(x, n, p, C, 1, closest, closest, pot);
    double current = pot[0];
    for (int c = 1; c < k; c++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            s += closest[i];
            cum[i] = s;
        }
        for (int t = 0; t < trials; t++) {
            double u = rng_uniform(r) * current;
            /* the first i with cum[i] >= u (numpy's searchsorted, left) */
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cum[mid] < u) lo = mid + 1;
                else hi = mid;
            }
            ids[t] = lo < n ? lo : n - 1;
            row_of(x, n, p, ids[t], cand + (size_t)t * (size_t)p);
        }
        pp_run(x, n, p, cand, trials, closest, cm, pot);
        int best = 0;
        for (int t = 1; t < trials; t++)
            if (pot[t] < pot[best]) best = t;
        memcpy(C + (size_t)c * (size_t)p, cand + (size_t)best * (size_t)p, (size_t)p * sizeof *C);
        memcpy(closest, cm + (size_t)best * n, n * sizeof *closest);
        current = pot[best];
    }
    free(cand);
    free(ids);
}

/* ---- Lloyd ------------------------------------------------------------------------------------- */

/* Give every empty cluster the row farthest from its centre (as scikit-learn). */
static void relocate_empty(pass *P, double *sums, double *count, double *mind, const int *label) {
    const km *K = &P->K;
    size_t n = K->n;
    int p = K->p, k = K->k;
    for (int c = 0; c < k; c++) {
        if (count[c] > 0) continue;
        size_t far = 0;
        double fd = -1;
        for (size_t i = 0; i < n; i++)
            if (mind[i] > fd && count[label[i]] > 1) {
                fd = mind[i];
                far = i;
            }
        if (fd < 0) continue; /* no row can move: leave the centre where it was */
        int old = label[far];
        for (int j = 0; j < p; j++) {
            double v = K->x[(size_t)j * n + far];
            sums[(size_t)old * (size_t)p + (size_t)j] -= v;
            sums[(size_t)c * (size_t)p + (size_t)j] = v;
        }
        count[old] -= 1;
        count[c] = 1;
        mind[far] = -1; /* not chosen twice */
    }
}

typedef struct run_result {
    double inertia;
    int n_iter;
} run_result;

/* One Lloyd run from the centres in C (updated in place). label is n scratch. */
static int lloyd(pass *P, double *C, int *label, double *mind, int max_iter, double tol_abs, const model_fit_data *d,
                 long *step, int run, int nrun, run_result *res, lab_err *e) {
    const km *K = &P->K;
    size_t n = K->n;
    int p = K->p, k = K->k;
    double *sums = xmalloc(((size_t)k * (size_t)p + (size_t)k) * sizeof *sums);
    double *count = sums + (size_t)k * (size_t)p;
    for (size_t i = 0; i < n; i++) label[i] = -1;
    P->K.C = C;
    P->K.label = label;
    P->K.out = NULL;
    P->K.mind = mind;
    int it, rc = 0, strict = 0;
    for (it = 1; it <= max_iter; it++) {
        if (lab_interrupt) {
            rc = lab_fail(e, "fit: interrupted");
            break;
        }
        pass_run(P);
        size_t kp = (size_t)k * (size_t)p;
        memcpy(sums, P->pt[0].sums, kp * sizeof *sums);
        memcpy(count, P->pt[0].count, (size_t)k * sizeof *count);
        size_t changed = P->pt[0].changed;
        if (P->nparts == 2) {
            for (size_t q = 0; q < kp; q++) sums[q] += P->pt[1].sums[q];
            for (int c = 0; c < k; c++) count[c] += P->pt[1].count[c];
            changed += P->pt[1].changed;
        }
        (*step)++;
        if (model_report(d, "inertia", pass_inertia(P), *step, e) < 0) {
            rc = -1;
            break;
        }
        if (changed == 0) { /* strict convergence: the centres are already the means of their rows */
            strict = 1;
            break;
        }
        relocate_empty(P, sums, count, mind, label);
        double shift = 0;
        for (int c = 0; c < k; c++) {
            if (count[c] == 0) continue;
            for (int j = 0; j < p; j++) {
                double v = sums[(size_t)c * (size_t)p + (size_t)j] / count[c];
                double t = v - C[(size_t)c * (size_t)p + (size_t)j];
                shift += t * t;
                C[(size_t)c * (size_t)p + (size_t)j] = v;
            }
        }
        if ((double)n * p * k > 1e7) lab_progress("fitting kmeans", (double)run * max_iter + it, (double)nrun * max_iter);
        if (shift <= tol_abs) break;
    }
    free(sums);
    if (rc < 0) return -1;
    /* labels and inertia of the final centres (the last pass had them when strict) */
    if (!strict) pass_run(P);
    res->inertia = pass_inertia(P);
    res->n_iter = it > max_iter ? max_iter : it;
    return 0;
}

static int kmeans_fit(model *m, const model_fit_data *d, lab_err *e) {
    const model_matrix *X = d->X;
    size_t n = X->n;
    int p = X->p;
    int k = (int)model_param_num(m, "k"), n_init = (int)model_param_num(m, "n_init");
    int max_iter = (int)model_param_num(m, "max_iter");
    if ((size_t)k > n) return lab_fail(e, "fit: kmeans: k=%d is more than the %zu rows", k, n);
    /* scikit-learn's tolerance: tol times the mean of the features' variances */
    double mv = 0;
    for (int j = 0; j < p; j++) { /* one pass, shifted by the first value (only a tolerance rides on it) */
        const double *xj = X->x + (size_t)j * n;
        double s = 0, ss = 0, x0 = xj[0];
        for (size_t i = 0; i < n; i++) {
            double t = xj[i] - x0;
            s += t;
            ss += t * t;
        }
        s /= (double)n;
        double v = ss / (double)n - s * s;
        mv += v > 0 ? v : 0;
    }
    double tol_abs = model_param_num(m, "tol") * mv / p;
    rng r;
    rng_seed(&r, (uint64_t)model_param_num(m, "seed"));
    double *C = xmalloc((size_t)k * (size_t)p * sizeof *C), *best = xmalloc((size_t)k * (size_t)p * sizeof *best);
    double *closest = xmalloc_big(n * sizeof *closest), *cum = xmalloc_big(n * sizeof *cum);
    int trials = 2 + (int)log((double)k);
    double *cm = xmalloc_big(n * (size_t)(trials < 16 ? trials : 16) * sizeof *cm);
    int *label = xmalloc_big(n * sizeof *label);
    pass P;
    pass_init(&P, X->x, n, p, k, 1);
    double best_inertia = INFINITY;
    int best_iter = 0, rc = -1;
    long step = 0;
    for (int run = 0; run < n_init; run++) {
        if (lab_interrupt) {
            lab_fail(e, "fit: interrupted");
            goto done;
        }
        kmeanspp(X->x, n, p, k, &r, C, closest, cum, cm);
        run_result res;
        if (lloyd(&P, C, label, closest, max_iter, tol_abs, d, &step, run, n_init, &res, e) < 0) goto done;
        if (res.inertia < best_inertia) {
            best_inertia = res.inertia;
            best_iter = res.n_iter;
            memcpy(best, C, (size_t)k * (size_t)p * sizeof *C);
        }
    }
    double *T = model_tensor_new(m, "centers", (size_t)k, (size_t)p);
    for (int c = 0; c < k; c++)
        for (int j = 0; j < p; j++) T[(size_t)j * (size_t)k + (size_t)c] = best[(size_t)c * (size_t)p + (size_t)j];
    model_set_figure(m, "inertia", best_inertia);
    model_set_figure(m, "n_iter", best_iter);
    rc = 0;
done:
    free(P.mem);
    free(C);
    free(best);
    free(closest);
    free(cum);
    free(cm);
    free(label);
    return rc;
}

static int kmeans_predict(const model *m, const model_matrix *X, double *out, lab_err *e) {
    (void)e;
    const model_tensor *T = model_tensor_get(m, "centers");
    int k = (int)T->rows, p = X->p;
    if (X->n == 0) return 0;
    double *C = xmalloc((size_t)k * (size_t)p * sizeof *C);
    for (int c = 0; c < k; c++)
        for (int j = 0; j < p; j++) C[(size_t)c * (size_t)p + (size_t)j] = T->data[(size_t)j * (size_t)k + (size_t)c];
    pass P;
    pass_init(&P, X->x, X->n, p, k, 0);
    P.K.C = C;
    P.K.out = out;
    pass_run(&P);
    free(P.mem);
    free(C);
    return 0;
}

static int kmeans_check(const model *m, lab_err *e) {
    const model_tensor *T = model_tensor_get(m, "centers");
    if (!T || T->rows < 1 || T->cols != (size_t)m->nfeat)
        return lab_fail(e, "kmeans: tensor 'centers' is missing or is not k x %d", m->nfeat);
    return 0;
}

static void kmeans_describe(const model *m, strbuf *b) {
    const model_tensor *T = model_tensor_get(m, "centers");
    char line[320];
    for (size_t c = 0; c < T->rows && c < 8; c++) {
        snprintf(line, sizeof line, "  centre %zu:", c + 1);
        strbuf_adds(b, line);
        for (size_t j = 0; j < T->cols && j < 8; j++) {
            snprintf(line, sizeof line, " %.4g", T->data[j * T->rows + c]);
            strbuf_adds(b, line);
        }
        strbuf_adds(b, T->cols > 8 ? " ...\n" : "\n");
    }
    if (T->rows > 8) strbuf_adds(b, "  ... (m:centers() has all)\n");
}

const model_kind model_kind_kmeans = {
    .name = "kmeans",
    .task = MODEL_CLUSTERER,
    .title = "k-means clustering (k-means++, Lloyd)",
    .params = params,
    .nparams = (int)(sizeof params / sizeof params[0]),
    .fit = kmeans_fit,
    .predict = kmeans_predict,
    .check = kmeans_check,
    .describe = kmeans_describe,
};
