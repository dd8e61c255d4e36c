/* metrics.c — classification and regression metrics (see metrics.h).
 *
 * Labels are sorted once (metrics_labels) and every metric then runs on int
 * class indices; ROC AUC sorts the scores once and averages the ranks of
 * ties, which is the exact area under the step curve scikit-learn's
 * trapezoids give. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- labels ------------------------------------------------------------------------ */

static const column *sort_col; /* qsort has no context argument in C11 */

static int cmp_rows(const void *pa, const void *pb) {
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const column *c = sort_col;
    int r = 0;
    switch (c->type) {
    case COL_NUMBER: r = (c->f64[a] > c->f64[b]) - (c->f64[a] < c->f64[b]); break;
    case COL_INTEGER: r = (c->i64[a] > c->i64[b]) - (c->i64[a] < c->i64[b]); break;
    case COL_BOOLEAN: r = (int)c->b[a] - (int)c->b[b]; break;
    case COL_STRING: {
        const strdict *d = c->dict;
        uint32_t ca = c->code[a], cb = c->code[b];
        size_t la = d->len[ca], lb = d->len[cb];
        r = memcmp(d->str[ca], d->str[cb], la < lb ? la : lb);
        if (!r) r = (la > lb) - (la < lb);
        break;
    }
    }
    return r ? r : (a > b) - (a < b); /* stable */
}

static int same_value(const column *c, size_t a, size_t b) {
    switch (c->type) {
    case COL_NUMBER: return c->f64[a] == c->f64[b];
    case COL_INTEGER: return c->i64[a] == c->i64[b];
    case COL_BOOLEAN: return c->b[a] == c->b[b];
    case COL_STRING: return c->code[a] == c->code[b];
    }
    return 0;
}

/* metrics_labels for the usual target of a few classes: the distinct values
 * in one pass over the rows (each row's value, as a 64-bit key, compared
 * with the few seen so far, the last match first), then only those sorted.
 * NULL when there are more than FEW_LABELS values or a NaN (which the sort
 * orders its own way). */
#define FEW_LABELS 64

static column *labels_few(const column *y, int *cls) {
    size_t n = y->n, first[FEW_LABELS], order[FEW_LABELS];
    uint64_t seen[FEW_LABELS], *key = xmalloc((n ? n : 1) * sizeof *key);
    int k = 0, last = 0, rank[FEW_LABELS];
    switch (y->type) { /* keys equal exactly when same_value holds */
    case COL_NUMBER:
        for (size_t i = 0; i < n; i++) {
            double x = y->f64[i] == 0 ? 0 : y->f64[i]; /* -0 is 0 */
            if (isnan(x)) goto many;
            memcpy(&key[i], &x, sizeof x);
        }
        break;
    case COL_INTEGER:
        for (size_t i = 0; i < n; i++) key[i] = (uint64_t)y->i64[i];
        break;
    case COL_BOOLEAN:
        for (size_t i = 0; i < n; i++) key[i] = y->b[i];
        break;
    case COL_STRING:
        for (size_t i = 0; i < n; i++) key[i] = y->code[i];
        break;
    }
    for (size_t i = 0; i < n; i++) {
        int j = last;
        if (k == 0 || seen[j] != key[i]) {
            j = 0;
            while (j < k && seen[j] != key[i]) j++;
            if (j == k) {
                if (k == FEW_LABELS) goto many;
                seen[k] = key[i];
                first[k++] = i;
            }
        }
        last = j;
        if (cls) cls[i] = j;
    }
    free(key);
    memcpy(order, first, (size_t)k * sizeof *order);
    sort_col = y;
    qsort(order, (size_t)k, sizeof *order, cmp_rows);
    for (int r = 0; r < k; r++)
        for (int j = 0; j < k; j++)
            if (first[j] == order[r]) rank[j] = r;
    if (cls)
        for (size_t i = 0; i < n; i++) cls[i] = rank[cls[i]];
    return col_take(y, order, (size_t)k);
many:
    free(key);
    return NULL;
}

column *metrics_labels(const column *y, int *cls) {
    column *few = labels_few(y, cls);
    if (few) return few;
    size_t n = y->n;
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_col = y;
    qsort(idx, n, sizeof *idx, cmp_rows);
    size_t *first = xmalloc((n ? n : 1) * sizeof *first);
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        if (r == 0 || !same_value(y, idx[r], idx[r - 1])) first[k++] = idx[r];
        if (cls) cls[idx[r]] = (int)k - 1;
    }
    column *labels = col_take(y, first, k);
    free(idx);
    free(first);
    return labels;
}

static int numeric(col_type t) { return t == COL_NUMBER || t == COL_INTEGER || t == COL_BOOLEAN; }

int metrics_encode(const column *a, const column *b, const char *an, const char *bn, int *ia, int *ib,
                   column **labels, lab_err *e) {
    *labels = NULL;
    if (a->n != b->n) return lab_fail(e, "%s has %zu values but %s has %zu", an, a->n, bn, b->n);
    if (a->type == COL_STRING ? b->type != COL_STRING : !numeric(b->type) || !numeric(a->type))
        return lab_fail(e, "%s holds %ss but %s holds %ss; labels must be of one kind", an, col_type_name(a->type), bn,
                        col_type_name(b->type));
    size_t r = col_first_missing(a);
    if (r != SIZE_MAX) return lab_fail(e, "%s has a missing value at position %zu", an, r + 1);
    r = col_first_missing(b);
    if (r != SIZE_MAX) return lab_fail(e, "%s has a missing value at position %zu", bn, r + 1);
    size_t n = a->n;
    col_type t = a->type == b->type ? a->type : COL_NUMBER;
    column *all = col_new(t, 2 * n, NULL);
    for (int s = 0; s < 2; s++) {
        const column *c = s ? b : a;
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)s * n + i;
            switch (t) {
            case COL_NUMBER: all->f64[j] = col_as_double(c, i); break;
            case COL_INTEGER: all->i64[j] = c->i64[i]; break;
            case COL_BOOLEAN: all->b[j] = c->b[i]; break;
            case COL_STRING: {
                uint32_t code = c->code[i];
                all->code[j] = strdict_intern(all->dict, c->dict->str[code], c->dict->len[code]);
                break;
            }
            }
        }
    }
    int *idx = xmalloc((n ? 2 * n : 1) * sizeof *idx);
    *labels = metrics_labels(all, idx);
    memcpy(ia, idx, n * sizeof *ia);
    memcpy(ib, idx + n, n * sizeof *ib);
    free(idx);
    col_free(all);
    return 0;
}

/* ---- classification ------------------------------------------------------------------ */

double metrics_accuracy(const int *t, const int *p, size_t n) {
    if (n == 0) return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += t[i] == p[i];
    return (double)k / (double)n;
}

void metrics_confusion(const int *t, const int *p, size_t n, int K, int64_t *M) {
    memset(M, 0, (size_t)K * (size_t)K * sizeof *M);
    for (size_t i = 0; i < n; i++) M[(size_t)t[i] * (size_t)K + (size_t)p[i]]++;
}

int metrics_average_parse(const char *s, metrics_average *out) {
    static const char *const names[] = {"binary", "macro", "micro", "weighted"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (metrics_average)i;
            return 0;
        }
    return -1;
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }
static double fscore(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0; }

void metrics_prf(const int64_t *M, int K, metrics_average avg, int pos, double *precision, double *recall,
                 double *f1) {
    double P = 0, R = 0, F = 0;
    if (avg == METRICS_BINARY) {
        if (pos >= 0) {
            double tp = (double)M[(size_t)pos * (size_t)K + (size_t)pos], pred = 0, truth = 0;
            for (int k = 0; k < K; k++) {
                pred += (double)M[(size_t)k * (size_t)K + (size_t)pos];
                truth += (double)M[(size_t)pos * (size_t)K + (size_t)k];
            }
            P = ratio(tp, pred);
            R = ratio(tp, truth);
            F = fscore(P, R);
        }
    } else if (avg == METRICS_MICRO) {
        double tp = 0, all = 0;
        for (int k = 0; k < K; k++) tp += (double)M[(size_t)k * (size_t)K + (size_t)k];
        for (size_t j = 0; j < (size_t)K * (size_t)K; j++) all += (double)M[j];
        P = R = ratio(tp, all);
        F = fscore(P, R);
    } else {
        double wsum = 0;
        for (int c = 0; c < K; c++) {
            double tp = (double)M[(size_t)c * (size_t)K + (size_t)c], pred = 0, truth = 0;
            for (int k = 0; k < K; k++) {
                pred += (double)M[(size_t)k * (size_t)K + (size_t)c];
                truth += (double)M[(size_t)c * (size_t)K + (size_t)k];
            }
            double pc = ratio(tp, pred), rc = ratio(tp, truth), w = avg == METRICS_MACRO ? 1 : truth;
            P += w * pc;
            R += w * rc;
            F += w * fscore(pc, rc);
            wsum += w;
        }
        P = ratio(P, wsum);
        R = ratio(R, wsum);
        F = ratio(F, wsum);
    }
    if (precision) *precision = P;
    if (recall) *recall = R;
    if (f1) *f1 = F;
}

static const double *auc_scores;
static int cmp_score(const void *pa, const void *pb) {
    double a = auc_scores[*(const size_t *)pa], b = auc_scores[*(const size_t *)pb];
    return (a > b) - (a < b);
}

int metrics_roc_auc(const int *y, const double *s, size_t n, double *out, lab_err *e) {
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(s[i])) return lab_fail(e, "roc_auc: score %zu is not a finite number", i + 1);
        npos += y[i] == 1;
    }
    size_t nneg = n - npos;
    if (npos == 0 || nneg == 0)
        return lab_fail(e, "roc_auc: y_true holds only one class; the ROC AUC needs both");
    size_t *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    auc_scores = s;
    qsort(idx, n, sizeof *idx, cmp_score);
    double rank_sum = 0; /* ranks of the positives, ties averaged (ranks from 1) */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && s[idx[j + 1]] == s[idx[i]]) j++;
        double avg = ((double)i + (double)j) / 2 + 1;
        for (size_t k = i; k <= j; k++)
            if (y[idx[k]] == 1) rank_sum += avg;
        i = j + 1;
    }
    free(idx);
    *out = (rank_sum - (double)npos * ((double)npos + 1) / 2) / ((double)npos * (double)nneg);
    return 0;
}

int metrics_log_loss(const int *t, const double *P, size_t n, int K, double *out, lab_err *e) {
    if (n == 0) return lab_fail(e, "log_loss: no values");
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double rs = 0;
        for (int k = 0; k < K; k++) {
            double v = P[(size_t)k * n + i];
            if (!(v >= 0) || !isfinite(v))
                return lab_fail(e, "log_loss: probability of row %zu, class %d is not a number >= 0", i + 1, k + 1);
            rs += v;
        }
        if (!(rs > 0)) return lab_fail(e, "log_loss: the probabilities of row %zu sum to 0", i + 1);
        double pt = P[(size_t)t[i] * n + i] / rs;
        pt = fmin(fmax(pt, 1e-15), 1 - 1e-15);
        sum -= log(pt);
    }
    *out = sum / (double)n;
    return 0;
}

/* ---- regression ------------------------------------------------------------------------- */

double metrics_rmse(const double *t, const double *p, size_t n) {
    if (n == 0) return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (t[i] - p[i]) * (t[i] - p[i]);
    return sqrt(s / (double)n);
}

double metrics_mae(const double *t, const double *p, size_t n) {
    if (n == 0) return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += fabs(t[i] - p[i]);
    return s / (double)n;
}

double metrics_r2(const double *t, const double *p, size_t n) {
    if (n == 0) return NAN;
    double mean = 0, sse = 0, sst = 0;
    for (size_t i = 0; i < n; i++) mean += t[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sse += (t[i] - p[i]) * (t[i] - p[i]);
        sst += (t[i] - mean) * (t[i] - mean);
    }
    if (sst == 0) return sse == 0 ? 1 : 0;
    return 1 - sse / sst;
}
