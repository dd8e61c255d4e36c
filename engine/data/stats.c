/* stats.c — summary statistics, value counts, correlation and group-by
 * (see stats.h).
 *
 * Accuracy first, then speed: every sum is a Neumaier-compensated sum and the
 * variance is the corrected two-pass formula, so results sit within a few ulps
 * of the exact value (pandas uses pairwise or Welford sums; both agree with us
 * far inside 1e-12). Quantiles use quickselect on a copy of the present values
 * instead of a full sort, so describe() is linear in the rows. Grouping turns
 * each key column into dense ids in one hashed pass (string columns reuse
 * their dictionary codes), combines several keys by hashing pairs of ids, and
 * ranks the few distinct keys instead of sorting rows. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* ---- helpers -------------------------------------------------------------- */

/* Missing: NA, or NaN in a number column (pandas makes no difference). */
static inline int missing(const column *c, size_t i) {
    return col_is_na(c, i) || (c->type == COL_NUMBER && isnan(c->f64[i]));
}

static inline double value_at(const column *c, size_t i) {
    switch (c->type) {
    case COL_NUMBER: return c->f64[i];
    case COL_INTEGER: return (double)c->i64[i];
    case COL_BOOLEAN: return c->b[i];
    default: return NAN;
    }
}

typedef struct ksum {
    double s, c;
} ksum;

static inline void ksum_add(ksum *k, double x) {
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x;
    else k->c += (x - t) + k->s;
    k->s = t;
}

/* An infinite or NaN plain sum is the answer; the correction would be NaN. */
static inline double ksum_get(const ksum *k) { return isfinite(k->s) ? k->s + k->c : k->s; }

/* The present values of c as a dense array of doubles. *owned says whether
 * the caller must free it (a number column without missing values is used in
 * place unless copy is asked for). */
static double *gather(const column *c, size_t *n_out, int copy, int *owned) {
    if (c->type == COL_NUMBER && !c->valid && !copy) {
        size_t i = 0;
        while (i < c->n && !isnan(c->f64[i])) i++;
        if (i == c->n) {
            *n_out = c->n;
            *owned = 0;
            return c->f64;
        }
    }
    double *v = xmalloc((c->n ? c->n : 1) * sizeof *v);
    size_t m = 0;
    if (!c->valid && c->type == COL_INTEGER) {
        for (size_t i = 0; i < c->n; i++) v[i] = (double)c->i64[i];
        m = c->n;
    } else {
        for (size_t i = 0; i < c->n; i++)
            if (!missing(c, i)) v[m++] = value_at(c, i);
    }
    *n_out = m;
    *owned = 1;
    return v;
}

static double sum_of(const double *v, size_t n) {
    ksum k = {0, 0};
    for (size_t i = 0; i < n; i++) ksum_add(&k, v[i]);
    return ksum_get(&k);
}

/* Corrected two-pass variance around mean: (sum d^2 - (sum d)^2 / n) / (n - ddof). */
static double var_of(const double *v, size_t n, double mean, int ddof) {
    if ((double)n <= (double)ddof || !isfinite(mean)) return NAN;
    ksum ss = {0, 0}, sd = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - mean;
        ksum_add(&ss, d * d);
        ksum_add(&sd, d);
    }
    double s = ksum_get(&sd);
    double var = (ksum_get(&ss) - s * s / (double)n) / (double)((long long)n - ddof);
    return var < 0 ? 0 : var;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reorder a[0..n) so that a[k] is the k-th smallest, smaller ones before it
 * and larger ones after it (quickselect, median-of-three pivot, Hoare
 * partition; falls back to sorting when the pivots keep being bad). */
static void select_kth(double *a, size_t n, size_t k) {
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    int budget = 16;
    for (size_t m = n; m > 1; m >>= 1) budget += 3;
    while (hi > lo) {
        if (budget-- == 0) {
            qsort(a + lo, (size_t)(hi - lo + 1), sizeof *a, cmp_double);
            return;
        }
        ptrdiff_t mid = lo + (hi - lo) / 2;
        double t;
#define SWAP(i, j) (t = a[i], a[i] = a[j], a[j] = t)
        if (a[mid] < a[lo]) SWAP(mid, lo);
        if (a[hi] < a[lo]) SWAP(hi, lo);
        if (a[hi] < a[mid]) SWAP(hi, mid);
        double p = a[mid];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) {
                SWAP(i, j);
                i++;
                j--;
            }
        }
#undef SWAP
        if (kk <= j) hi = j;
        else if (kk >= i) lo = i;
        else return;
    }
}

/* Quantiles of the n values in v (reordered in place) into out; q already
 * checked. numpy's linear method, including its two-sided lerp. */
static void quantiles_of(double *v, size_t n, const double *q, size_t nq, double *out) {
    if (n == 0) {
        for (size_t k = 0; k < nq; k++) out[k] = NAN;
        return;
    }
    /* The order statistics needed, ascending, selected left to right: once
     * a[k] is in place, the next one lies in a[k+1..n). */
    size_t *need = xmalloc(2 * nq * sizeof *need + 1);
    size_t m = 0;
    for (size_t k = 0; k < nq; k++) {
        double h = q[k] * (double)(n - 1);
        size_t j = (size_t)floor(h);
        if (j > n - 1) j = n - 1;
        need[m++] = j;
        if (j + 1 < n) need[m++] = j + 1;
    }
    for (size_t a = 1; a < m; a++) /* insertion sort: m is tiny */
        for (size_t b = a; b > 0 && need[b - 1] > need[b]; b--) {
            size_t t = need[b];
            need[b] = need[b - 1];
            need[b - 1] = t;
        }
    size_t lo = 0;
    for (size_t a = 0; a < m; a++) {
        size_t k = need[a];
        if (k < lo) continue; /* already in place */
        if (k == lo) {        /* the smallest of the rest */
            size_t best = lo;
            for (size_t i = lo + 1; i < n; i++)
                if (v[i] < v[best]) best = i;
            double t = v[lo];
            v[lo] = v[best];
            v[best] = t;
        } else {
            select_kth(v + lo, n - lo, k - lo);
        }
        lo = k + 1;
    }
    free(need);
    for (size_t k = 0; k < nq; k++) {
        double h = q[k] * (double)(n - 1);
        double fl = floor(h);
        size_t j = (size_t)fl;
        if (j >= n - 1) {
            out[k] = v[n - 1];
            continue;
        }
        double t = h - fl, lo_v = v[j], hi_v = v[j + 1], d = hi_v - lo_v;
        out[k] = t < 0.5 ? lo_v + d * t : hi_v - d * (1 - t);
        if (t == 0) out[k] = lo_v;
    }
}

/* Compare rows i and j of c (both present): strings by bytes. */
static int cmp_rows(const column *c, size_t i, size_t j) {
    switch (c->type) {
    case COL_NUMBER: return (c->f64[i] > c->f64[j]) - (c->f64[i] < c->f64[j]);
    case COL_INTEGER: return (c->i64[i] > c->i64[j]) - (c->i64[i] < c->i64[j]);
    case COL_BOOLEAN: return (c->b[i] > c->b[j]) - (c->b[i] < c->b[j]);
    case COL_STRING: {
        uint32_t a = c->code[i], b = c->code[j];
        if (a == b) return 0;
        uint32_t la = c->dict->len[a], lb = c->dict->len[b];
        int r = memcmp(c->dict->str[a], c->dict->str[b], la < lb ? la : lb);
        if (r) return r;
        return (la > lb) - (la < lb);
    }
    }
    return 0;
}

/* ---- dense ids: the distinct values of a column -------------------------- */

/* An open-addressing map from 64-bit keys to dense ids. */
typedef struct idmap {
    uint64_t *keys;
    uint32_t *ids; /* NONE: empty slot */
    size_t cap;    /* power of two */
    size_t n;
} idmap;

static void idmap_init(idmap *m, size_t hint) {
    m->cap = 64;
    while (m->cap < hint * 2 && m->cap < ((size_t)1 << 40)) m->cap <<= 1;
    m->keys = xmalloc(m->cap * sizeof *m->keys);
    m->ids = xmalloc(m->cap * sizeof *m->ids);
    memset(m->ids, 0xff, m->cap * sizeof *m->ids);
    m->n = 0;
}

static void idmap_free(idmap *m) {
    free(m->keys);
    free(m->ids);
}

static inline size_t hash64(uint64_t k, size_t mask) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & mask;
}

static void idmap_grow(idmap *m) {
    idmap g;
    g.cap = m->cap * 2;
    g.keys = xmalloc(g.cap * sizeof *g.keys);
    g.ids = xmalloc(g.cap * sizeof *g.ids);
    memset(g.ids, 0xff, g.cap * sizeof *g.ids);
    g.n = m->n;
    for (size_t s = 0; s < m->cap; s++) {
        if (m->ids[s] == NONE) continue;
        size_t h = hash64(m->keys[s], g.cap - 1);
        while (g.ids[h] != NONE) h = (h + 1) & (g.cap - 1);
        g.keys[h] = m->keys[s];
        g.ids[h] = m->ids[s];
    }
    idmap_free(m);
    *m = g;
}

/* The id of key, a new one (m->n before the call) when it is new. */
static inline uint32_t idmap_get(idmap *m, uint64_t key) {
    size_t mask = m->cap - 1, h = hash64(key, mask);
    while (m->ids[h] != NONE) {
        if (m->keys[h] == key) return m->ids[h];
        h = (h + 1) & mask;
    }
    uint32_t id = (uint32_t)m->n++;
    m->keys[h] = key;
    m->ids[h] = id;
    if (m->n * 2 > m->cap) idmap_grow(m);
    return id;
}

/* Dense ids of the present values of c in order of first appearance:
 * id[i] for every row (NONE when missing), first[k] the first row of id k
 * (grown with xrealloc; the caller frees it). Returns the number of ids. */
static size_t dense_ids(const column *c, uint32_t *id, size_t **first_out) {
    size_t cap = 16, k = 0;
    size_t *first = xmalloc(cap * sizeof *first);
#define NEW_ID(row)                                                  \
    do {                                                             \
        if (k == cap) first = xrealloc(first, (cap *= 2) * sizeof *first); \
        first[k++] = (row);                                          \
    } while (0)
    if (c->type == COL_STRING || c->type == COL_BOOLEAN) {
        size_t nv = c->type == COL_STRING ? c->dict->n : 2;
        uint32_t *of = xmalloc((nv ? nv : 1) * sizeof *of);
        memset(of, 0xff, (nv ? nv : 1) * sizeof *of);
        for (size_t i = 0; i < c->n; i++) {
            if (col_is_na(c, i)) {
                id[i] = NONE;
                continue;
            }
            uint32_t v = c->type == COL_STRING ? c->code[i] : c->b[i];
            if (of[v] == NONE) {
                of[v] = (uint32_t)k;
                NEW_ID(i);
            }
            id[i] = of[v];
        }
        free(of);
    } else {
        idmap m;
        idmap_init(&m, 1024);
        for (size_t i = 0; i < c->n; i++) {
            if (missing(c, i)) {
                id[i] = NONE;
                continue;
            }
            uint64_t key;
            if (c->type == COL_NUMBER) {
                double x = c->f64[i] == 0 ? 0.0 : c->f64[i]; /* -0 equals 0 */
                memcpy(&key, &x, sizeof key);
            } else {
                key = (uint64_t)c->i64[i];
            }
            uint32_t v = idmap_get(&m, key);
            if (v == k) NEW_ID(i);
            id[i] = v;
        }
        idmap_free(&m);
    }
#undef NEW_ID
    *first_out = first;
    return k;
}

/* ---- one column ----------------------------------------------------------- */

int stats_check_numeric(const column *c, const char *op, const char *name, lab_err *e) {
    if (c->type != COL_STRING) return 0;
    if (name && *name)
        return lab_fail(e, "%s: column '%s' is a string column; it needs a number, integer or boolean column",
                        op, name);
    return lab_fail(e, "%s: the column is a string column; it needs a number, integer or boolean column", op);
}

size_t stats_count(const column *c) {
    if (c->type != COL_NUMBER) return c->n - col_na_count(c);
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++) m += !missing(c, i);
    return m;
}

double stats_sum(const column *c) {
    if (c->type == COL_STRING) return NAN;
    size_t n;
    int owned;
    double *v = gather(c, &n, 0, &owned);
    double s = sum_of(v, n);
    if (owned) free(v);
    return s;
}

int stats_sum_int(const column *c, int64_t *out) {
    int64_t s = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (col_is_na(c, i)) continue;
        int64_t x = c->type == COL_INTEGER ? c->i64[i] : c->type == COL_BOOLEAN ? c->b[i] : 0;
        if (__builtin_add_overflow(s, x, &s)) return -1;
    }
    *out = s;
    return 0;
}

double stats_mean(const column *c) {
    if (c->type == COL_STRING) return NAN;
    size_t n;
    int owned;
    double *v = gather(c, &n, 0, &owned);
    double m = n ? sum_of(v, n) / (double)n : NAN;
    if (owned) free(v);
    return m;
}

double stats_var(const column *c, int ddof) {
    if (c->type == COL_STRING) return NAN;
    size_t n;
    int owned;
    double *v = gather(c, &n, 0, &owned);
    double var = n ? var_of(v, n, sum_of(v, n) / (double)n, ddof) : NAN;
    if (owned) free(v);
    return var;
}

double stats_std(const column *c, int ddof) { return sqrt(stats_var(c, ddof)); }

static size_t arg_best(const column *c, int sign) {
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < c->n; i++) {
        if (missing(c, i)) continue;
        if (best == SIZE_MAX || sign * cmp_rows(c, i, best) < 0) best = i;
    }
    return best;
}

size_t stats_argmin(const column *c) { return arg_best(c, 1); }
size_t stats_argmax(const column *c) { return arg_best(c, -1); }

int stats_quantiles(const column *c, const double *q, size_t nq, double *out, lab_err *e) {
    if (stats_check_numeric(c, "quantile", NULL, e) < 0) return -1;
    for (size_t k = 0; k < nq; k++)
        if (!(q[k] >= 0 && q[k] <= 1)) return lab_fail(e, "quantile: q = %g is not in [0, 1]", q[k]);
    size_t n;
    int owned;
    double *v = gather(c, &n, 1, &owned);
    quantiles_of(v, n, q, nq, out);
    free(v);
    return 0;
}

double stats_median(const column *c) {
    double q = 0.5, out = NAN;
    if (stats_quantiles(c, &q, 1, &out, NULL) < 0) return NAN;
    return out;
}

size_t stats_nunique(const column *c) {
    uint32_t *id = xmalloc((c->n ? c->n : 1) * sizeof *id);
    size_t *first;
    size_t k = dense_ids(c, id, &first);
    free(id);
    free(first);
    return k;
}

column *stats_unique(const column *c) {
    uint32_t *id = xmalloc((c->n ? c->n : 1) * sizeof *id);
    size_t *first;
    size_t k = dense_ids(c, id, &first);
    size_t na_row = SIZE_MAX;
    for (size_t i = 0; i < c->n && na_row == SIZE_MAX; i++)
        if (id[i] == NONE) na_row = i;
    free(id);
    size_t *rows = xmalloc((k + 1) * sizeof *rows);
    size_t m = 0, a = 0;
    /* first[] is increasing; the missing value slots in by its first row. */
    for (; a < k; a++) {
        if (na_row != SIZE_MAX && na_row < first[a]) {
            rows[m++] = SIZE_MAX;
            na_row = SIZE_MAX;
        }
        rows[m++] = first[a];
    }
    if (na_row != SIZE_MAX) rows[m++] = SIZE_MAX;
    column *out = col_take(c, rows, m);
    free(rows);
    free(first);
    return out;
}

typedef struct count_ctx {
    const size_t *count;
} count_ctx;

static int cmp_by_count(const void *a, const void *b, void *ctx) {
    const size_t *count = ((const count_ctx *)ctx)->count;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (count[x] != count[y]) return count[x] < count[y] ? 1 : -1;
    return (x > y) - (x < y); /* ids are in first-appearance order */
}

frame *stats_value_counts(const column *c) {
    uint32_t *id = xmalloc((c->n ? c->n : 1) * sizeof *id);
    size_t *first;
    size_t k = dense_ids(c, id, &first);
    size_t *count = xcalloc(k ? k : 1, sizeof *count);
    for (size_t i = 0; i < c->n; i++)
        if (id[i] != NONE) count[id[i]]++;
    uint32_t *order = xmalloc((k ? k : 1) * sizeof *order);
    for (size_t a = 0; a < k; a++) order[a] = (uint32_t)a;
    count_ctx ctx = {count};
    qsort_r(order, k, sizeof *order, cmp_by_count, &ctx);
    size_t *rows = xmalloc((k ? k : 1) * sizeof *rows);
    column *cnt = col_new(COL_INTEGER, k, NULL);
    for (size_t a = 0; a < k; a++) {
        rows[a] = first[order[a]];
        cnt->i64[a] = (int64_t)count[order[a]];
    }
    frame *f = frame_new();
    frame_set_column(f, "value", col_take(c, rows, k), NULL);
    frame_set_column(f, "count", cnt, NULL);
    f->nrow = k;
    free(rows);
    free(order);
    free(count);
    free(first);
    free(id);
    return f;
}

/* ---- frames ---------------------------------------------------------------- */

static int is_num_col(const column *c) { return c->type == COL_NUMBER || c->type == COL_INTEGER; }

/* Store v in row i of a number column, NA when it is NaN. */
static void put(column *c, size_t i, double v) {
    if (isnan(v)) col_set_na(c, i);
    else c->f64[i] = v;
}

frame *stats_describe(const frame *f, lab_err *e) {
    static const char *const stat[] = {"count", "mean", "std", "min", "25%", "50%", "75%", "max"};
    int any = 0;
    for (int j = 0; j < f->ncol; j++) any |= is_num_col(f->cols[j]);
    if (!any) {
        lab_fail(e, "describe: the frame has no number or integer column");
        return NULL;
    }
    for (int j = 0; j < f->ncol; j++)
        if (is_num_col(f->cols[j]) && strcmp(f->names[j], "stat") == 0) {
            lab_fail(e, "describe: column 'stat' has the name of the statistics column; rename it first");
            return NULL;
        }
    frame *out = frame_new();
    column *sc = col_new(COL_STRING, 8, NULL);
    for (size_t r = 0; r < 8; r++) sc->code[r] = strdict_intern(sc->dict, stat[r], strlen(stat[r]));
    frame_set_column(out, "stat", sc, NULL);
    for (int j = 0; j < f->ncol; j++) {
        const column *c = f->cols[j];
        if (!is_num_col(c)) continue;
        size_t n;
        int owned;
        double *v = gather(c, &n, 1, &owned);
        column *d = col_new(COL_NUMBER, 8, NULL);
        d->f64[0] = (double)n;
        if (n == 0) {
            for (size_t r = 1; r < 8; r++) col_set_na(d, r);
        } else {
            /* One pass for the sum and the extremes, one for the variance. */
            ksum k = {0, 0};
            double lo = v[0], hi = v[0];
            for (size_t i = 0; i < n; i++) {
                ksum_add(&k, v[i]);
                if (v[i] < lo) lo = v[i];
                if (v[i] > hi) hi = v[i];
            }
            double mean = ksum_get(&k) / (double)n;
            put(d, 1, mean);
            put(d, 2, sqrt(var_of(v, n, mean, 1)));
            put(d, 3, lo);
            static const double qs[3] = {0.25, 0.5, 0.75};
            double qv[3];
            quantiles_of(v, n, qs, 3, qv);
            for (int r = 0; r < 3; r++) put(d, (size_t)(4 + r), qv[r]);
            put(d, 7, hi);
        }
        free(v);
        frame_set_column(out, f->names[j], d, NULL);
    }
    out->nrow = 8;
    return out;
}

/* Correlation of x and y over rows where both are present. */
static double corr_pair(const column *x, const column *y) {
    size_t n = x->n, m = 0;
    ksum sx = {0, 0}, sy = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (missing(x, i) || missing(y, i)) continue;
        ksum_add(&sx, value_at(x, i));
        ksum_add(&sy, value_at(y, i));
        m++;
    }
    if (m < 2) return NAN;
    double mx = ksum_get(&sx) / (double)m, my = ksum_get(&sy) / (double)m;
    ksum sxx = {0, 0}, syy = {0, 0}, sxy = {0, 0}, dx_s = {0, 0}, dy_s = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (missing(x, i) || missing(y, i)) continue;
        double dx = value_at(x, i) - mx, dy = value_at(y, i) - my;
        ksum_add(&sxx, dx * dx);
        ksum_add(&syy, dy * dy);
        ksum_add(&sxy, dx * dy);
        ksum_add(&dx_s, dx);
        ksum_add(&dy_s, dy);
    }
    double cx = ksum_get(&dx_s), cy = ksum_get(&dy_s);
    double vxx = ksum_get(&sxx) - cx * cx / (double)m;
    double vyy = ksum_get(&syy) - cy * cy / (double)m;
    double vxy = ksum_get(&sxy) - cx * cy / (double)m;
    double div = sqrt(vxx * vyy);
    if (!(div > 0)) return NAN;
    double r = vxy / div;
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* Centered values of a column without missing values, and their norm. */
typedef struct centered {
    double *d;  /* NULL when the column has missing values */
    double ss;  /* sum of squares of d */
} centered;

frame *stats_corr(const frame *f, lab_err *e) {
    int m = 0;
    for (int j = 0; j < f->ncol; j++) m += is_num_col(f->cols[j]);
    if (!m) {
        lab_fail(e, "corr: the frame has no number or integer column");
        return NULL;
    }
    for (int j = 0; j < f->ncol; j++)
        if (is_num_col(f->cols[j]) && strcmp(f->names[j], "column") == 0) {
            lab_fail(e, "corr: column 'column' has the name of the names column; rename it first");
            return NULL;
        }
    int *cols = xmalloc((size_t)m * sizeof *cols);
    m = 0;
    for (int j = 0; j < f->ncol; j++)
        if (is_num_col(f->cols[j])) cols[m++] = j;
    size_t n = f->nrow;
    /* Columns without missing values are centered once; pairs of them need
     * one dot product each. */
    centered *cen = xcalloc((size_t)m, sizeof *cen);
    for (int a = 0; a < m; a++) {
        const column *c = f->cols[cols[a]];
        if (stats_count(c) != n || n < 2) continue;
        double *d = xmalloc(n * sizeof *d);
        ksum s = {0, 0};
        for (size_t i = 0; i < n; i++) ksum_add(&s, d[i] = value_at(c, i));
        double mean = ksum_get(&s) / (double)n;
        ksum ss = {0, 0}, sd = {0, 0};
        for (size_t i = 0; i < n; i++) {
            d[i] -= mean;
            ksum_add(&ss, d[i] * d[i]);
            ksum_add(&sd, d[i]);
        }
        double c1 = ksum_get(&sd) / (double)n;
        /* Remove the residual mean so that sums of products need no correction. */
        for (size_t i = 0; i < n; i++) d[i] -= c1;
        ksum s2 = {0, 0};
        for (size_t i = 0; i < n; i++) ksum_add(&s2, d[i] * d[i]);
        cen[a].d = d;
        cen[a].ss = ksum_get(&s2);
    }
    frame *out = frame_new();
    column *names = col_new(COL_STRING, (size_t)m, NULL);
    for (int a = 0; a < m; a++) {
        const char *nm = f->names[cols[a]];
        names->code[a] = strdict_intern(names->dict, nm, strlen(nm));
    }
    frame_set_column(out, "column", names, NULL);
    column **res = xmalloc((size_t)m * sizeof *res);
    for (int a = 0; a < m; a++) res[a] = col_new(COL_NUMBER, (size_t)m, NULL);
    for (int a = 0; a < m; a++)
        for (int b = 0; b <= a; b++) {
            double r;
            if (cen[a].d && cen[b].d) {
                ksum s = {0, 0};
                const double *x = cen[a].d, *y = cen[b].d;
                for (size_t i = 0; i < n; i++) ksum_add(&s, x[i] * y[i]);
                double div = sqrt(cen[a].ss * cen[b].ss);
                r = div > 0 ? ksum_get(&s) / div : NAN;
                if (r > 1) r = 1;
                if (r < -1) r = -1;
            } else {
                r = corr_pair(f->cols[cols[a]], f->cols[cols[b]]);
            }
            put(res[a], (size_t)b, r);
            put(res[b], (size_t)a, r);
        }
    for (int a = 0; a < m; a++) {
        frame_set_column(out, f->names[cols[a]], res[a], NULL);
        free(cen[a].d);
    }
    out->nrow = (size_t)m;
    free(res);
    free(cen);
    free(cols);
    return out;
}

/* ---- group-by -------------------------------------------------------------- */

static const char *const agg_names[] = {"count", "sum",    "mean",  "std",  "var",  "min",
                                        "max",   "median", "first", "last", "size", "nunique"};

int stats_agg_parse(const char *name, stats_agg *out) {
    for (size_t a = 0; a < sizeof agg_names / sizeof agg_names[0]; a++)
        if (strcmp(name, agg_names[a]) == 0) {
            *out = (stats_agg)a;
            return 0;
        }
    return -1;
}

const char *stats_agg_name(stats_agg a) {
    return (size_t)a < sizeof agg_names / sizeof agg_names[0] ? agg_names[a] : "?";
}

const char *stats_agg_list(void) {
    return "count, sum, mean, std, var, min, max, median, first, last, size, nunique";
}

int stats_agg_accepts(stats_agg a, col_type t) {
    switch (a) {
    case STATS_AGG_SUM:
    case STATS_AGG_MEAN:
    case STATS_AGG_STD:
    case STATS_AGG_VAR:
    case STATS_AGG_MEDIAN: return t != COL_STRING;
    default: return 1;
    }
}

struct stats_groups {
    frame *f;        /* shares the grouped frame's columns */
    int nkeys;
    int *keys;
    size_t ngroups;
    uint32_t *gid;   /* per row; NONE when a key is missing */
    size_t *first;   /* first row of each group */
    size_t *size;    /* rows of each group */
};

typedef struct rank_ctx {
    const column *c;
    const size_t *first;
} rank_ctx;

static int cmp_ids_by_value(const void *a, const void *b, void *ctx) {
    const rank_ctx *r = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return cmp_rows(r->c, r->first[x], r->first[y]);
}

typedef struct tuple_ctx {
    const uint32_t *rank; /* ngroups x nkeys */
    int nkeys;
} tuple_ctx;

static int cmp_tuples(const void *a, const void *b, void *ctx) {
    const tuple_ctx *t = ctx;
    const uint32_t *x = t->rank + (size_t)*(const uint32_t *)a * (size_t)t->nkeys;
    const uint32_t *y = t->rank + (size_t)*(const uint32_t *)b * (size_t)t->nkeys;
    for (int k = 0; k < t->nkeys; k++)
        if (x[k] != y[k]) return x[k] < y[k] ? -1 : 1;
    return 0;
}

/* rank[id] = the position of value id among the sorted distinct values. */
static uint32_t *rank_ids(const column *c, const size_t *first, size_t k) {
    uint32_t *order = xmalloc((k ? k : 1) * sizeof *order);
    for (size_t a = 0; a < k; a++) order[a] = (uint32_t)a;
    rank_ctx ctx = {c, first};
    qsort_r(order, k, sizeof *order, cmp_ids_by_value, &ctx);
    uint32_t *rank = xmalloc((k ? k : 1) * sizeof *rank);
    for (size_t a = 0; a < k; a++) rank[order[a]] = (uint32_t)a;
    free(order);
    return rank;
}

stats_groups *stats_groups_new(const frame *f, const int *keys, int nkeys, lab_err *e) {
    if (nkeys < 1) {
        lab_fail(e, "group_by: no key column given");
        return NULL;
    }
    for (int k = 0; k < nkeys; k++)
        if (keys[k] < 0 || keys[k] >= f->ncol) {
            lab_fail(e, "group_by: key %d is not a column index of the frame", k + 1);
            return NULL;
        }
    size_t n = f->nrow;
    stats_groups *g = xcalloc(1, sizeof *g);
    g->f = frame_copy(f);
    g->nkeys = nkeys;
    g->keys = xmalloc((size_t)nkeys * sizeof *g->keys);
    memcpy(g->keys, keys, (size_t)nkeys * sizeof *keys);
    g->gid = xmalloc((n ? n : 1) * sizeof *g->gid);

    /* Per key: dense ids and the rank of each id; combined ids by hashing
     * (previous id, this id) pairs. */
    uint32_t *kid = nkeys > 1 ? xmalloc((n ? n : 1) * sizeof *kid) : NULL;
    uint32_t **ranks = xcalloc((size_t)nkeys, sizeof *ranks);
    size_t ng = 0, *gfirst = NULL;
    for (int k = 0; k < nkeys; k++) {
        const column *c = f->cols[keys[k]];
        size_t *first;
        uint32_t *ids = k == 0 ? g->gid : kid;
        size_t nk = dense_ids(c, ids, &first);
        ranks[k] = rank_ids(c, first, nk);
        if (k == 0) {
            ng = nk;
            gfirst = first;
            continue;
        }
        free(first);
        idmap m;
        idmap_init(&m, ng * 2);
        size_t newcap = 16, nn = 0;
        size_t *nfirst = xmalloc(newcap * sizeof *nfirst);
        for (size_t i = 0; i < n; i++) {
            if (g->gid[i] == NONE || kid[i] == NONE) {
                g->gid[i] = NONE;
                continue;
            }
            uint32_t v = idmap_get(&m, ((uint64_t)g->gid[i] << 32) | kid[i]);
            if (v == nn) {
                if (nn == newcap) nfirst = xrealloc(nfirst, (newcap *= 2) * sizeof *nfirst);
                nfirst[nn++] = i;
            }
            g->gid[i] = v;
        }
        idmap_free(&m);
        free(gfirst);
        gfirst = nfirst;
        ng = nn;
    }

    /* Order groups by their tuple of key ranks. Ranks of key k are indexed by
     * that key's ids, which we recompute from the first row of each group. */
    uint32_t *order = xmalloc((ng ? ng : 1) * sizeof *order);
    for (size_t a = 0; a < ng; a++) order[a] = (uint32_t)a;
    if (nkeys == 1) {
        for (size_t a = 0; a < ng; a++) order[ranks[0][a]] = (uint32_t)a;
    } else {
        /* Ids of each key at the groups' first rows: recompute dense ids once
         * per key (cheap compared with sorting rows). */
        uint32_t *tuple = xmalloc((ng ? ng : 1) * (size_t)nkeys * sizeof *tuple);
        for (int k = 0; k < nkeys; k++) {
            size_t *first;
            dense_ids(f->cols[keys[k]], kid, &first);
            free(first);
            for (size_t a = 0; a < ng; a++) tuple[a * (size_t)nkeys + (size_t)k] = ranks[k][kid[gfirst[a]]];
        }
        tuple_ctx ctx = {tuple, nkeys};
        qsort_r(order, ng, sizeof *order, cmp_tuples, &ctx);
        free(tuple);
    }
    /* order[new] = old; renumber rows and first rows. */
    uint32_t *newid = xmalloc((ng ? ng : 1) * sizeof *newid);
    for (size_t a = 0; a < ng; a++) newid[order[a]] = (uint32_t)a;
    g->first = xmalloc((ng ? ng : 1) * sizeof *g->first);
    for (size_t a = 0; a < ng; a++) g->first[a] = gfirst[order[a]];
    g->size = xcalloc(ng ? ng : 1, sizeof *g->size);
    for (size_t i = 0; i < n; i++)
        if (g->gid[i] != NONE) {
            g->gid[i] = newid[g->gid[i]];
            g->size[g->gid[i]]++;
        }
    g->ngroups = ng;
    free(newid);
    free(order);
    free(gfirst);
    for (int k = 0; k < nkeys; k++) free(ranks[k]);
    free(ranks);
    free(kid);
    return g;
}

void stats_groups_free(stats_groups *g) {
    if (!g) return;
    frame_free(g->f);
    free(g->keys);
    free(g->gid);
    free(g->first);
    free(g->size);
    free(g);
}

size_t stats_groups_count(const stats_groups *g) { return g->ngroups; }
const frame *stats_groups_frame(const stats_groups *g) { return g->f; }
int stats_groups_nkeys(const stats_groups *g) { return g->nkeys; }
const int *stats_groups_keys(const stats_groups *g) { return g->keys; }

size_t stats_groups_bytes(const stats_groups *g) {
    return g->f->nrow * sizeof *g->gid + g->ngroups * 2 * sizeof(size_t);
}

static column *agg_count(const stats_groups *g, const column *c, int size) {
    column *out = col_new(COL_INTEGER, g->ngroups, NULL);
    for (size_t i = 0; i < c->n; i++) {
        uint32_t k = g->gid[i];
        if (k != NONE && (size || !missing(c, i))) out->i64[k]++;
    }
    return out;
}

static column *agg_nunique(const stats_groups *g, const column *c) {
    /* Distinct (group, value id) pairs. */
    uint32_t *id = xmalloc((c->n ? c->n : 1) * sizeof *id);
    size_t *first;
    dense_ids(c, id, &first);
    free(first);
    idmap m;
    idmap_init(&m, g->ngroups * 4);
    column *out = col_new(COL_INTEGER, g->ngroups, NULL);
    size_t seen = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (g->gid[i] == NONE || id[i] == NONE) continue;
        if (idmap_get(&m, ((uint64_t)g->gid[i] << 32) | id[i]) == seen) {
            seen++;
            out->i64[g->gid[i]]++;
        }
    }
    idmap_free(&m);
    free(id);
    return out;
}

/* sum, mean, var, std of a number, integer or boolean column. */
static column *agg_moments(const stats_groups *g, const column *c, stats_agg fn) {
    size_t ng = g->ngroups, n = c->n;
    if (fn == STATS_AGG_SUM && c->type != COL_NUMBER) {
        column *out = col_new(COL_INTEGER, ng, NULL);
        int overflow = 0;
        for (size_t i = 0; i < n && !overflow; i++) {
            uint32_t k = g->gid[i];
            if (k == NONE || col_is_na(c, i)) continue;
            int64_t x = c->type == COL_INTEGER ? c->i64[i] : c->b[i];
            overflow = __builtin_add_overflow(out->i64[k], x, &out->i64[k]);
        }
        if (!overflow) return out;
        col_free(out); /* too big for int64: fall through to a number sum */
    }
    ksum *s = xcalloc(ng ? ng : 1, sizeof *s);
    size_t *cnt = xcalloc(ng ? ng : 1, sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = g->gid[i];
        if (k == NONE || missing(c, i)) continue;
        ksum_add(&s[k], value_at(c, i));
        cnt[k]++;
    }
    column *out = col_new(COL_NUMBER, ng, NULL);
    if (fn == STATS_AGG_SUM) {
        for (size_t k = 0; k < ng; k++) out->f64[k] = ksum_get(&s[k]);
    } else {
        double *mean = xmalloc((ng ? ng : 1) * sizeof *mean);
        for (size_t k = 0; k < ng; k++) mean[k] = cnt[k] ? ksum_get(&s[k]) / (double)cnt[k] : NAN;
        if (fn == STATS_AGG_MEAN) {
            for (size_t k = 0; k < ng; k++) put(out, k, mean[k]);
        } else {
            ksum *ss = xcalloc(ng ? ng : 1, sizeof *ss);
            memset(s, 0, (ng ? ng : 1) * sizeof *s);
            for (size_t i = 0; i < n; i++) {
                uint32_t k = g->gid[i];
                if (k == NONE || missing(c, i)) continue;
                double d = value_at(c, i) - mean[k];
                ksum_add(&ss[k], d * d);
                ksum_add(&s[k], d);
            }
            for (size_t k = 0; k < ng; k++) {
                double var = NAN;
                if (cnt[k] > 1 && isfinite(mean[k])) {
                    double sd = ksum_get(&s[k]);
                    var = (ksum_get(&ss[k]) - sd * sd / (double)cnt[k]) / (double)(cnt[k] - 1);
                    if (var < 0) var = 0;
                }
                put(out, k, fn == STATS_AGG_STD ? sqrt(var) : var);
            }
            free(ss);
        }
        free(mean);
    }
    free(cnt);
    free(s);
    return out;
}

/* The present values of each group laid out contiguously (a counting sort
 * by group id), then a quickselect per group. */
static column *agg_median(const stats_groups *g, const column *c) {
    size_t ng = g->ngroups;
    size_t *offset = xcalloc(ng + 1, sizeof *offset);
    for (size_t i = 0; i < c->n; i++)
        if (g->gid[i] != NONE && !missing(c, i)) offset[g->gid[i] + 1]++;
    for (size_t k = 0; k < ng; k++) offset[k + 1] += offset[k];
    double *buf = xmalloc((offset[ng] ? offset[ng] : 1) * sizeof *buf);
    size_t *pos = xmalloc((ng ? ng : 1) * sizeof *pos);
    memcpy(pos, offset, (ng ? ng : 1) * sizeof *pos);
    for (size_t i = 0; i < c->n; i++)
        if (g->gid[i] != NONE && !missing(c, i)) buf[pos[g->gid[i]]++] = value_at(c, i);
    column *out = col_new(COL_NUMBER, ng, NULL);
    static const double half = 0.5;
    for (size_t k = 0; k < ng; k++) {
        double v;
        quantiles_of(buf + offset[k], offset[k + 1] - offset[k], &half, 1, &v);
        put(out, k, v);
    }
    free(pos);
    free(buf);
    free(offset);
    return out;
}

/* min, max, first, last: a row per group, then the values of those rows. */
static column *agg_pick(const stats_groups *g, const column *c, stats_agg fn) {
    size_t ng = g->ngroups;
    size_t *row = xmalloc((ng ? ng : 1) * sizeof *row);
    for (size_t k = 0; k < ng; k++) row[k] = SIZE_MAX;
    for (size_t i = 0; i < c->n; i++) {
        uint32_t k = g->gid[i];
        if (k == NONE || missing(c, i)) continue;
        size_t cur = row[k];
        if (cur == SIZE_MAX || fn == STATS_AGG_LAST || (fn == STATS_AGG_MIN && cmp_rows(c, i, cur) < 0)
            || (fn == STATS_AGG_MAX && cmp_rows(c, i, cur) > 0))
            row[k] = i;
    }
    column *out = col_take(c, row, ng);
    free(row);
    return out;
}

frame *stats_groups_agg(const stats_groups *g, const stats_agg_spec *specs, int n, lab_err *e) {
    const frame *f = g->f;
    for (int s = 0; s < n; s++) {
        if (!specs[s].out || !*specs[s].out) {
            lab_fail(e, "agg: output %d has no name", s + 1);
            return NULL;
        }
        for (int k = 0; k < g->nkeys; k++)
            if (strcmp(specs[s].out, f->names[g->keys[k]]) == 0) {
                lab_fail(e, "agg: output '%s' has the name of a key column", specs[s].out);
                return NULL;
            }
        for (int t = 0; t < s; t++)
            if (strcmp(specs[s].out, specs[t].out) == 0) {
                lab_fail(e, "agg: output '%s' appears twice", specs[s].out);
                return NULL;
            }
        if ((unsigned)specs[s].fn > STATS_AGG_NUNIQUE) {
            lab_fail(e, "agg: output '%s': unknown aggregate (known: %s)", specs[s].out, stats_agg_list());
            return NULL;
        }
        if (specs[s].fn == STATS_AGG_SIZE) continue;
        if (specs[s].col < 0 || specs[s].col >= f->ncol) {
            lab_fail(e, "agg: output '%s': column %d is not in the frame", specs[s].out, specs[s].col + 1);
            return NULL;
        }
        const column *c = f->cols[specs[s].col];
        if (!stats_agg_accepts(specs[s].fn, c->type)) {
            lab_fail(e, "agg: %s of column '%s' (output '%s'): it is a %s column; %s needs number, integer or boolean",
                     stats_agg_name(specs[s].fn), f->names[specs[s].col], specs[s].out, col_type_name(c->type),
                     stats_agg_name(specs[s].fn));
            return NULL;
        }
    }
    frame *out = frame_new();
    for (int k = 0; k < g->nkeys; k++)
        frame_set_column(out, f->names[g->keys[k]], col_take(f->cols[g->keys[k]], g->first, g->ngroups), NULL);
    for (int s = 0; s < n; s++) {
        stats_agg fn = specs[s].fn;
        const column *c = fn == STATS_AGG_SIZE ? NULL : f->cols[specs[s].col];
        column *r = NULL;
        switch (fn) {
        case STATS_AGG_SIZE: {
            r = col_new(COL_INTEGER, g->ngroups, NULL);
            for (size_t k = 0; k < g->ngroups; k++) r->i64[k] = (int64_t)g->size[k];
            break;
        }
        case STATS_AGG_COUNT: r = agg_count(g, c, 0); break;
        case STATS_AGG_NUNIQUE: r = agg_nunique(g, c); break;
        case STATS_AGG_SUM:
        case STATS_AGG_MEAN:
        case STATS_AGG_STD:
        case STATS_AGG_VAR: r = agg_moments(g, c, fn); break;
        case STATS_AGG_MEDIAN: r = agg_median(g, c); break;
        case STATS_AGG_MIN:
        case STATS_AGG_MAX:
        case STATS_AGG_FIRST:
        case STATS_AGG_LAST: r = agg_pick(g, c, fn); break;
        }
        frame_set_column(out, specs[s].out, r, NULL);
    }
    out->nrow = g->ngroups;
    return out;
}
