/* ops.c — sort, join, concat, unique, dropna, fillna, sample, split and
 * rename of frames (see ops.h).
 *
 * Two pieces of machinery carry most of it. Sorting turns each key column
 * into unsigned 64-bit keys whose order is the column's order (doubles by a
 * bit flip, strings by the rank of their dictionary entry) and runs an LSD
 * radix sort, one key column at a time from the last to the first; every pass
 * is stable, so the whole sort is, and passes over bytes that all rows share
 * are skipped. That is linear in the rows, at the cost of two extra arrays of
 * the frame's length. Join, unique and stratified split encode the rows'
 * key cells the same way (one uint64 and a missing flag per cell) and hash
 * them in open-addressing tables, trading memory for one pass over each side. */
#include "ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/rng.h"

/* ---- shared helpers ------------------------------------------------------ */

/* Missing as pandas sees it: NA in any column, NaN in a number column. */
static int cell_missing(const column *c, size_t i) {
    if (col_is_na(c, i)) return 1;
    return c->type == COL_NUMBER && isnan(c->f64[i]);
}

static int col_has_missing(const column *c) {
    if (c->valid)
        for (size_t i = 0; i < c->n; i++)
            if (col_is_na(c, i)) return 1;
    if (c->type == COL_NUMBER)
        for (size_t i = 0; i < c->n; i++)
            if (isnan(c->f64[i])) return 1;
    return 0;
}

/* Resolve names[0..k) to column indices of f; the error starts with op. */
static int lookup_all(const frame *f, const char *op, const char *side, const char *const *names,
                      int k, int *idx, lab_err *e) {
    for (int i = 0; i < k; i++) {
        lab_err le;
        if (!names[i]) return lab_fail(e, "%s: column name %d is missing", op, i + 1);
        idx[i] = frame_lookup(f, names[i], &le);
        if (idx[i] < 0) return lab_fail(e, "%s: %s%s", op, le.msg, side);
    }
    return 0;
}

static frame *take_rows(const frame *f, const size_t *idx, size_t n) {
    frame *g = frame_take(f, idx, n);
    g->nrow = n;
    return g;
}

/* ---- sort ---------------------------------------------------------------- */

typedef struct str_entry {
    const char *s;
    uint32_t len, code;
} str_entry;

static int cmp_str_entry(const void *pa, const void *pb) {
    const str_entry *a = pa, *b = pb;
    uint32_t m = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->s, b->s, m);
    if (r) return r;
    return (a->len > b->len) - (a->len < b->len);
}

/* rank[code] = position of the code's text in byte order. */
static uint32_t *dict_ranks(const strdict *d) {
    str_entry *es = xmalloc((d->n ? d->n : 1) * sizeof *es);
    for (uint32_t c = 0; c < d->n; c++) es[c] = (str_entry){d->str[c], d->len[c], c};
    qsort(es, d->n, sizeof *es, cmp_str_entry);
    uint32_t *rank = xmalloc((d->n ? d->n : 1) * sizeof *rank);
    for (uint32_t r = 0; r < d->n; r++) rank[es[r].code] = r;
    free(es);
    return rank;
}

/* Order-preserving map of a double to uint64 (-0 equals 0). */
static uint64_t double_key(double v) {
    if (v == 0) v = 0.0;
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | (1ULL << 63);
}

/* Stable LSD radix sort of (key, idx) pairs by key, 11 bits a pass (six
 * passes cover 64 bits), passes over a digit every key shares skipped. tk, ti
 * are scratch of the same length. */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)

static void radix_sort(uint64_t *key, size_t *idx, uint64_t *tk, size_t *ti, size_t n) {
    size_t (*count)[RADIX_SIZE] = xcalloc(RADIX_PASSES, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key[i];
        for (int b = 0; b < RADIX_PASSES; b++) count[b][(k >> (RADIX_BITS * b)) & (RADIX_SIZE - 1)]++;
    }
    uint64_t *sk = key, *dk = tk;
    size_t *si = idx, *di = ti;
    for (int b = 0; b < RADIX_PASSES; b++) {
        size_t *cnt = count[b];
        int shift = RADIX_BITS * b;
        if (n == 0 || cnt[(sk[0] >> shift) & (RADIX_SIZE - 1)] == n) continue;
        size_t pos = 0;
        for (unsigned v = 0; v < RADIX_SIZE; v++) {
            size_t c = cnt[v];
            cnt[v] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t p = cnt[(sk[i] >> shift) & (RADIX_SIZE - 1)]++;
            dk[p] = sk[i];
            di[p] = si[i];
        }
        uint64_t *t1 = sk;
        sk = dk;
        dk = t1;
        size_t *t2 = si;
        si = di;
        di = t2;
    }
    if (sk != key) {
        memcpy(key, sk, n * sizeof *key);
        memcpy(idx, si, n * sizeof *idx);
    }
    free(count);
}

int ops_sort_index(const frame *f, const char *const *cols, const int *desc, int k, size_t *idx,
                   lab_err *e) {
    if (k <= 0) return lab_fail(e, "sort: no column to sort by");
    int *cj = xmalloc((size_t)k * sizeof *cj);
    if (lookup_all(f, "sort", "", cols, k, cj, e) < 0) {
        free(cj);
        return -1;
    }
    size_t n = f->nrow;
    for (size_t i = 0; i < n; i++) idx[i] = i;
    uint64_t *key = xmalloc((n ? n : 1) * sizeof *key);
    uint64_t *tk = xmalloc((n ? n : 1) * sizeof *tk);
    size_t *vi = xmalloc((n ? n : 1) * sizeof *vi);
    size_t *ti = xmalloc((n ? n : 1) * sizeof *ti);
    size_t *miss = xmalloc((n ? n : 1) * sizeof *miss);
    /* Least significant key first; each pass is stable, so earlier passes
     * decide ties of later ones. */
    for (int c = k - 1; c >= 0; c--) {
        const column *col = f->cols[cj[c]];
        uint64_t flip = desc && desc[c] ? ~0ULL : 0;
        uint32_t *rank = col->type == COL_STRING ? dict_ranks(col->dict) : NULL;
        size_t m = 0, nm = 0;
        for (size_t p = 0; p < n; p++) {
            size_t i = idx[p];
            if (cell_missing(col, i)) {
                miss[nm++] = i;
                continue;
            }
            uint64_t v = 0;
            switch (col->type) {
            case COL_NUMBER: v = double_key(col->f64[i]); break;
            case COL_INTEGER: v = (uint64_t)col->i64[i] ^ (1ULL << 63); break;
            case COL_BOOLEAN: v = col->b[i]; break;
            case COL_STRING: v = rank[col->code[i]]; break;
            }
            key[m] = v ^ flip;
            vi[m] = i;
            m++;
        }
        free(rank);
        radix_sort(key, vi, tk, ti, m);
        memcpy(idx, vi, m * sizeof *idx);
        memcpy(idx + m, miss, nm * sizeof *idx);
    }
    free(key);
    free(tk);
    free(vi);
    free(ti);
    free(miss);
    free(cj);
    return 0;
}

frame *ops_sort(const frame *f, const char *const *cols, const int *desc, int k, lab_err *e) {
    size_t *idx = xmalloc((f->nrow ? f->nrow : 1) * sizeof *idx);
    frame *g = NULL;
    if (ops_sort_index(f, cols, desc, k, idx, e) == 0) g = take_rows(f, idx, f->nrow);
    free(idx);
    return g;
}

/* ---- row keys and hashing ------------------------------------------------ */

/* The key cells of n rows over k columns: v[i*k + c] and miss[i*k + c]. */
typedef struct row_keys {
    size_t n;
    int k;
    uint64_t *v;
    uint8_t *miss;
} row_keys;

static void keys_init(row_keys *K, size_t n, int k) {
    K->n = n;
    K->k = k;
    K->v = xcalloc(n * (size_t)k + 1, sizeof *K->v);
    K->miss = xcalloc(n * (size_t)k + 1, 1);
}

static void keys_free(row_keys *K) {
    free(K->v);
    free(K->miss);
}

enum {
    ENC_PLAIN,     /* the column's own values */
    ENC_AS_INTEGER /* a number column compared with integers: integral values only */
};

/* Fill key column c from col. code_map (strings only, may be NULL) maps the
 * column's codes to another dictionary's; UINT32_MAX there means the text
 * cannot match and counts as missing. */
static void keys_encode(row_keys *K, int c, const column *col, int mode, const uint32_t *code_map) {
    int k = K->k;
    for (size_t i = 0; i < K->n; i++) {
        uint64_t *v = &K->v[i * (size_t)k + (size_t)c];
        uint8_t *miss = &K->miss[i * (size_t)k + (size_t)c];
        if (cell_missing(col, i)) {
            *miss = 1;
            continue;
        }
        switch (col->type) {
        case COL_NUMBER: {
            double d = col->f64[i];
            if (mode == ENC_AS_INTEGER) {
                if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
                    *v = (uint64_t)(int64_t)d;
                else
                    *miss = 1;
            } else {
                *v = double_key(d);
            }
            break;
        }
        case COL_INTEGER: *v = (uint64_t)col->i64[i]; break;
        case COL_BOOLEAN: *v = col->b[i]; break;
        case COL_STRING:
            if (code_map) {
                uint32_t m = code_map[col->code[i]];
                if (m == UINT32_MAX) *miss = 1;
                else *v = m;
            } else {
                *v = col->code[i];
            }
            break;
        }
    }
}

static uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t keys_hash(const row_keys *K, size_t i) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    const uint64_t *v = &K->v[i * (size_t)K->k];
    const uint8_t *m = &K->miss[i * (size_t)K->k];
    for (int c = 0; c < K->k; c++) h = mix64(h ^ (m[c] ? 0x5bd1e995ULL : v[c])) + (uint64_t)c;
    return h;
}

static int keys_equal(const row_keys *A, size_t a, const row_keys *B, size_t b) {
    size_t k = (size_t)A->k;
    return memcmp(&A->v[a * k], &B->v[b * k], k * sizeof *A->v) == 0
           && memcmp(&A->miss[a * k], &B->miss[b * k], k) == 0;
}

static int keys_row_missing(const row_keys *K, size_t i) {
    for (int c = 0; c < K->k; c++)
        if (K->miss[i * (size_t)K->k + (size_t)c]) return 1;
    return 0;
}

static size_t table_size(size_t n) {
    size_t s = 16;
    while (s < 2 * n) s *= 2;
    return s;
}

/* Group id of every row (0, 1, ... in order of first appearance); missing
 * cells equal each other. Returns the number of groups. */
static size_t keys_group(const row_keys *K, size_t *gid) {
    size_t ns = table_size(K->n), mask = ns - 1, ng = 0;
    size_t *slot = xcalloc(ns, sizeof *slot); /* first row of the group + 1 */
    for (size_t i = 0; i < K->n; i++) {
        size_t h = (size_t)keys_hash(K, i) & mask;
        for (;;) {
            if (!slot[h]) {
                slot[h] = i + 1;
                gid[i] = ng++;
                break;
            }
            if (keys_equal(K, slot[h] - 1, K, i)) {
                gid[i] = gid[slot[h] - 1];
                break;
            }
            h = (h + 1) & mask;
        }
    }
    free(slot);
    return ng;
}

/* ---- join ---------------------------------------------------------------- */

typedef struct idx_buf {
    size_t *l, *r;
    size_t n, cap;
} idx_buf;

static void idx_push(idx_buf *b, size_t l, size_t r) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->l = xrealloc(b->l, b->cap * sizeof *b->l);
        b->r = xrealloc(b->r, b->cap * sizeof *b->r);
    }
    b->l[b->n] = l;
    b->r[b->n] = r;
    b->n++;
}

static int is_key(const int *kj, int k, int j) {
    for (int i = 0; i < k; i++)
        if (kj[i] == j) return 1;
    return 0;
}

/* The name column j of `self` gets in the output of a join. */
static char *join_name(const frame *self, const int *self_keys, const frame *other,
                       const int *other_keys, int k, int j, const char *suffix) {
    const char *name = self->names[j];
    if (is_key(self_keys, k, j)) return xstrdup(name);
    int o = frame_find(other, name);
    if (o < 0 || is_key(other_keys, k, o)) return xstrdup(name);
    size_t a = strlen(name), b = strlen(suffix);
    char *s = xmalloc(a + b + 1);
    memcpy(s, name, a);
    memcpy(s + a, suffix, b + 1);
    return s;
}

frame *ops_join(const frame *left, const frame *right, const char *const *on, int k, ops_how how,
                const char *suffix_x, const char *suffix_y, lab_err *e) {
    frame *out = NULL;
    int *lk = NULL, *rk = NULL;
    char **names = NULL;
    int nnames = 0;
    uint32_t **maps = NULL;
    row_keys LK = {0}, RK = {0};
    size_t *slot = NULL, *next = NULL, *tail = NULL;
    idx_buf rows = {0};
    if (!suffix_x) suffix_x = "_x";
    if (!suffix_y) suffix_y = "_y";
    if (k <= 0) {
        lab_fail(e, "join: no key column");
        goto done;
    }
    lk = xmalloc((size_t)k * sizeof *lk);
    rk = xmalloc((size_t)k * sizeof *rk);
    if (lookup_all(left, "join", " in the left frame", on, k, lk, e) < 0) goto done;
    if (lookup_all(right, "join", " in the right frame", on, k, rk, e) < 0) goto done;
    for (int c = 0; c < k; c++) {
        for (int d = 0; d < c; d++)
            if (lk[d] == lk[c]) {
                lab_fail(e, "join: key '%s' is given twice", on[c]);
                goto done;
            }
        col_type lt = left->cols[lk[c]]->type, rt = right->cols[rk[c]]->type;
        int numeric = (lt == COL_NUMBER || lt == COL_INTEGER) && (rt == COL_NUMBER || rt == COL_INTEGER);
        if (lt != rt && !numeric) {
            lab_fail(e, "join: key '%s' is %s in the left frame but %s in the right frame", on[c],
                     col_type_name(lt), col_type_name(rt));
            goto done;
        }
    }

    /* Output names first: a clash is an error before any work is done. */
    names = xcalloc((size_t)(left->ncol + right->ncol) + 1, sizeof *names);
    for (int j = 0; j < left->ncol; j++)
        names[nnames++] = join_name(left, lk, right, rk, k, j, suffix_x);
    for (int j = 0; j < right->ncol; j++)
        if (!is_key(rk, k, j)) names[nnames++] = join_name(right, rk, left, lk, k, j, suffix_y);
    for (int a = 0; a < nnames; a++)
        for (int b = 0; b < a; b++)
            if (strcmp(names[a], names[b]) == 0) {
                lab_fail(e, "join: output column '%s' would appear twice (choose other suffixes)",
                         names[a]);
                goto done;
            }

    /* Encode keys so that equal values have equal cells on both sides. */
    keys_init(&LK, left->nrow, k);
    keys_init(&RK, right->nrow, k);
    maps = xcalloc((size_t)k, sizeof *maps);
    for (int c = 0; c < k; c++) {
        const column *lc = left->cols[lk[c]], *rc = right->cols[rk[c]];
        int lmode = ENC_PLAIN, rmode = ENC_PLAIN;
        if (lc->type != rc->type) {
            if (lc->type == COL_NUMBER) lmode = ENC_AS_INTEGER;
            else rmode = ENC_AS_INTEGER;
        }
        if (lc->type == COL_STRING && lc->dict != rc->dict) {
            maps[c] = xmalloc(((size_t)rc->dict->n + 1) * sizeof *maps[c]);
            for (uint32_t code = 0; code < rc->dict->n; code++)
                maps[c][code] = strdict_find(lc->dict, rc->dict->str[code], rc->dict->len[code]);
        }
        keys_encode(&LK, c, lc, lmode, NULL);
        keys_encode(&RK, c, rc, rmode, maps[c]);
    }

    /* Right side: one slot per distinct key, its rows chained in order. */
    size_t nr = right->nrow, ns = table_size(nr), mask = ns - 1;
    slot = xcalloc(ns, sizeof *slot);
    next = xmalloc((nr ? nr : 1) * sizeof *next);
    tail = xmalloc((nr ? nr : 1) * sizeof *tail);
    for (size_t r = 0; r < nr; r++) {
        next[r] = SIZE_MAX;
        if (keys_row_missing(&RK, r)) continue;
        size_t h = (size_t)keys_hash(&RK, r) & mask;
        for (;;) {
            if (!slot[h]) {
                slot[h] = r + 1;
                tail[r] = r;
                break;
            }
            size_t first = slot[h] - 1;
            if (keys_equal(&RK, first, &RK, r)) {
                next[tail[first]] = r;
                tail[first] = r;
                break;
            }
            h = (h + 1) & mask;
        }
    }
    for (size_t l = 0; l < left->nrow; l++) {
        size_t first = SIZE_MAX;
        if (!keys_row_missing(&LK, l)) {
            size_t h = (size_t)keys_hash(&LK, l) & mask;
            while (slot[h]) {
                if (keys_equal(&RK, slot[h] - 1, &LK, l)) {
                    first = slot[h] - 1;
                    break;
                }
                h = (h + 1) & mask;
            }
        }
        if (first == SIZE_MAX) {
            if (how == OPS_LEFT) idx_push(&rows, l, SIZE_MAX);
            continue;
        }
        for (size_t r = first; r != SIZE_MAX; r = next[r]) idx_push(&rows, l, r);
    }

    out = frame_new();
    int at = 0;
    for (int j = 0; j < left->ncol; j++, at++)
        frame_set_column(out, names[at], col_take(left->cols[j], rows.l, rows.n), NULL);
    for (int j = 0; j < right->ncol; j++)
        if (!is_key(rk, k, j)) {
            frame_set_column(out, names[at], col_take(right->cols[j], rows.r, rows.n), NULL);
            at++;
        }
    out->nrow = rows.n;

done:
    if (maps)
        for (int c = 0; c < k; c++) free(maps[c]);
    free(maps);
    for (int a = 0; a < nnames; a++) free(names[a]);
    free(names);
    keys_free(&LK);
    keys_free(&RK);
    free(slot);
    free(next);
    free(tail);
    free(rows.l);
    free(rows.r);
    free(lk);
    free(rk);
    return out;
}

/* ---- concat -------------------------------------------------------------- */

frame *ops_concat(const frame *const *fs, int n, lab_err *e) {
    if (n <= 0) {
        lab_fail(e, "concat: no frames to concatenate");
        return NULL;
    }
    const frame *f0 = fs[0];
    int ncol = f0->ncol;
    int *pos = xmalloc(((size_t)n * (size_t)ncol + 1) * sizeof *pos); /* pos[i*ncol + j] */
    col_type *types = xmalloc(((size_t)ncol + 1) * sizeof *types);
    size_t total = 0;
    frame *out = NULL;
    for (int i = 0; i < n; i++) {
        const frame *f = fs[i];
        total += f->nrow;
        for (int j = 0; j < ncol; j++) {
            int p = frame_find(f, f0->names[j]);
            if (p < 0) {
                lab_fail(e, "concat: frame %d has no column '%s' (frame 1 has it)", i + 1,
                         f0->names[j]);
                goto done;
            }
            pos[(size_t)i * (size_t)ncol + (size_t)j] = p;
        }
        for (int j = 0; j < f->ncol; j++)
            if (frame_find(f0, f->names[j]) < 0) {
                lab_fail(e, "concat: frame %d has column '%s' that frame 1 lacks", i + 1,
                         f->names[j]);
                goto done;
            }
    }
    /* Frames without rows hold no values, so their types do not count
     * (an empty list makes a number column whatever it was meant to be). */
    for (int j = 0; j < ncol; j++) {
        int first = -1;
        col_type t = f0->cols[j]->type;
        for (int i = 0; i < n; i++) {
            if (fs[i]->nrow == 0) continue;
            col_type u = fs[i]->cols[pos[(size_t)i * (size_t)ncol + (size_t)j]]->type;
            if (first < 0) {
                first = i;
                t = u;
                continue;
            }
            if (u == t) continue;
            if ((t == COL_INTEGER || t == COL_NUMBER) && (u == COL_INTEGER || u == COL_NUMBER)) {
                t = COL_NUMBER;
                continue;
            }
            col_type ft = fs[first]->cols[pos[(size_t)first * (size_t)ncol + (size_t)j]]->type;
            lab_fail(e, "concat: column '%s' is %s in frame %d but %s in frame %d", f0->names[j],
                     col_type_name(ft), first + 1, col_type_name(u), i + 1);
            goto done;
        }
        types[j] = t;
    }

    out = frame_new();
    for (int j = 0; j < ncol; j++) {
        col_type t = types[j];
        strdict *shared = NULL;
        int nshared = 0, ndicts = 0;
        if (t == COL_STRING)
            for (int i = 0; i < n; i++) {
                const column *src = fs[i]->cols[pos[(size_t)i * (size_t)ncol + (size_t)j]];
                if (src->n == 0 || src->type != COL_STRING) continue;
                if (!shared) shared = src->dict;
                nshared += src->dict == shared;
                ndicts++;
            }
        if (nshared != ndicts) shared = NULL;
        column *dst = col_new(t, total, shared);
        size_t at = 0;
        for (int i = 0; i < n; i++) {
            const column *src = fs[i]->cols[pos[(size_t)i * (size_t)ncol + (size_t)j]];
            if (src->n == 0) continue;
            uint32_t *map = NULL;
            if (t == COL_STRING && !shared) {
                map = xmalloc(((size_t)src->dict->n + 1) * sizeof *map);
                memset(map, 0xff, ((size_t)src->dict->n + 1) * sizeof *map);
            }
            for (size_t r = 0; r < src->n; r++, at++) {
                if (col_is_na(src, r)) {
                    col_set_na(dst, at);
                    continue;
                }
                switch (t) {
                case COL_NUMBER: dst->f64[at] = col_as_double(src, r); break;
                case COL_INTEGER: dst->i64[at] = src->i64[r]; break;
                case COL_BOOLEAN: dst->b[at] = src->b[r]; break;
                case COL_STRING: {
                    uint32_t code = src->code[r];
                    if (map) {
                        if (map[code] == UINT32_MAX)
                            map[code] = strdict_intern(dst->dict, src->dict->str[code], src->dict->len[code]);
                        code = map[code];
                    }
                    dst->code[at] = code;
                    break;
                }
                }
            }
            free(map);
        }
        frame_set_column(out, f0->names[j], dst, NULL);
    }
    out->nrow = total;

done:
    free(pos);
    free(types);
    return out;
}

/* ---- unique, dropna, fillna ---------------------------------------------- */

/* Column indices for cols[0..k), or all columns when cols is NULL or k == 0.
 * Returns the count, or -1 with e filled. *out is the caller's to free. */
static int subset(const frame *f, const char *op, const char *const *cols, int k, int **out,
                  lab_err *e) {
    int all = !cols || k <= 0;
    int m = all ? f->ncol : k;
    int *idx = xmalloc(((size_t)m + 1) * sizeof *idx);
    if (all) {
        for (int j = 0; j < m; j++) idx[j] = j;
    } else if (lookup_all(f, op, "", cols, k, idx, e) < 0) {
        free(idx);
        return -1;
    }
    *out = idx;
    return m;
}

frame *ops_unique(const frame *f, const char *const *cols, int k, lab_err *e) {
    int *cj;
    int m = subset(f, "unique", cols, k, &cj, e);
    if (m < 0) return NULL;
    size_t n = f->nrow;
    row_keys K;
    keys_init(&K, n, m);
    for (int c = 0; c < m; c++) keys_encode(&K, c, f->cols[cj[c]], ENC_PLAIN, NULL);
    size_t *gid = xmalloc((n ? n : 1) * sizeof *gid);
    size_t ng = keys_group(&K, gid);
    size_t *rows = xmalloc((ng ? ng : 1) * sizeof *rows);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++)
        if (gid[i] == seen) rows[seen++] = i; /* a new group is numbered next */
    frame *g = take_rows(f, rows, ng);
    free(rows);
    free(gid);
    keys_free(&K);
    free(cj);
    return g;
}

frame *ops_dropna(const frame *f, const char *const *cols, int k, lab_err *e) {
    int *cj;
    int m = subset(f, "dropna", cols, k, &cj, e);
    if (m < 0) return NULL;
    size_t n = f->nrow, kept = 0;
    size_t *rows = xmalloc((n ? n : 1) * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        int miss = 0;
        for (int c = 0; c < m && !miss; c++) miss = cell_missing(f->cols[cj[c]], i);
        if (!miss) rows[kept++] = i;
    }
    frame *g = kept == n ? frame_copy(f) : take_rows(f, rows, kept);
    g->nrow = kept;
    free(rows);
    free(cj);
    return g;
}

/* Whether column type t can hold v; fills *out with v converted. */
static int value_fits(col_type t, const ops_value *v) {
    switch (t) {
    case COL_NUMBER: return v->type == COL_NUMBER || v->type == COL_INTEGER;
    case COL_INTEGER:
        if (v->type == COL_INTEGER) return 1;
        return v->type == COL_NUMBER && v->f64 == floor(v->f64) && v->f64 >= -9223372036854775808.0
               && v->f64 < 9223372036854775808.0;
    case COL_BOOLEAN: return v->type == COL_BOOLEAN;
    case COL_STRING: return v->type == COL_STRING && v->str;
    }
    return 0;
}

static void value_text(const ops_value *v, char *buf, size_t cap) {
    switch (v->type) {
    case COL_NUMBER: {
        char tmp[32];
        lab_fmt_double(tmp, v->f64);
        snprintf(buf, cap, "the number %s", tmp);
        break;
    }
    case COL_INTEGER: snprintf(buf, cap, "the integer %lld", (long long)v->i64); break;
    case COL_BOOLEAN: snprintf(buf, cap, "the boolean %s", v->b ? "true" : "false"); break;
    case COL_STRING: snprintf(buf, cap, "the string '%.60s'", v->str ? v->str : ""); break;
    }
}

/* A copy of c (which has missing cells and can hold v) with them set to v. */
static column *col_filled(const column *c, const ops_value *v) {
    strdict *dict = NULL;
    uint32_t code = 0;
    if (c->type == COL_STRING) {
        size_t len = strlen(v->str);
        code = strdict_find(c->dict, v->str, len);
        if (code == UINT32_MAX) {
            /* A new text gets a new dictionary: the shared one stays as the
             * other columns of it know it. */
            dict = strdict_new();
            for (uint32_t i = 0; i < c->dict->n; i++) strdict_intern(dict, c->dict->str[i], c->dict->len[i]);
            code = strdict_intern(dict, v->str, len);
        } else {
            dict = strdict_ref(c->dict);
        }
    }
    column *out = col_new(c->type, c->n, dict);
    strdict_free(dict);
    memcpy(out->data, c->data, c->n * col_type_width(c->type));
    for (size_t i = 0; i < c->n; i++) {
        if (!cell_missing(c, i)) continue;
        switch (c->type) {
        case COL_NUMBER: out->f64[i] = v->type == COL_INTEGER ? (double)v->i64 : v->f64; break;
        case COL_INTEGER: out->i64[i] = v->type == COL_INTEGER ? v->i64 : (int64_t)v->f64; break;
        case COL_BOOLEAN: out->b[i] = (uint8_t)(v->b != 0); break;
        case COL_STRING: out->code[i] = code; break;
        }
    }
    return out;
}

frame *ops_fillna(const frame *f, const char *const *cols, const ops_value *vals, int k,
                  lab_err *e) {
    const ops_value **per = xcalloc((size_t)f->ncol + 1, sizeof *per);
    frame *g = NULL;
    if (!cols) {
        if (k != 1) {
            lab_fail(e, "fillna: one value expected, got %d", k);
            goto done;
        }
        for (int j = 0; j < f->ncol; j++)
            if (value_fits(f->cols[j]->type, &vals[0])) per[j] = &vals[0];
    } else {
        for (int i = 0; i < k; i++) {
            lab_err le;
            int j = cols[i] ? frame_lookup(f, cols[i], &le) : -1;
            if (j < 0) {
                lab_fail(e, "fillna: %s", cols[i] ? le.msg : "column name missing");
                goto done;
            }
            if (!value_fits(f->cols[j]->type, &vals[i])) {
                char text[96];
                value_text(&vals[i], text, sizeof text);
                lab_fail(e, "fillna: column '%s' is %s and cannot hold %s", cols[i],
                         col_type_name(f->cols[j]->type), text);
                goto done;
            }
            per[j] = &vals[i];
        }
    }
    g = frame_new();
    for (int j = 0; j < f->ncol; j++) {
        column *c = f->cols[j];
        column *nc = per[j] && col_has_missing(c) ? col_filled(c, per[j]) : col_ref(c);
        frame_set_column(g, f->names[j], nc, NULL);
    }
    g->nrow = f->nrow;
done:
    free(per);
    return g;
}

/* ---- sample and split ---------------------------------------------------- */

frame *ops_sample(const frame *f, size_t n, uint64_t seed, int replace, lab_err *e) {
    size_t nrow = f->nrow;
    if (!replace && n > nrow) {
        lab_fail(e, "sample: n = %zu is more than the frame's %zu rows (use replace=true)", n, nrow);
        return NULL;
    }
    if (replace && n > 0 && nrow == 0) {
        lab_fail(e, "sample: cannot draw n = %zu rows from an empty frame", n);
        return NULL;
    }
    rng r;
    rng_seed(&r, seed);
    size_t *idx;
    if (replace) {
        idx = xmalloc((n ? n : 1) * sizeof *idx);
        for (size_t i = 0; i < n; i++) idx[i] = (size_t)rng_below(&r, nrow);
    } else {
        idx = xmalloc((nrow ? nrow : 1) * sizeof *idx);
        for (size_t i = 0; i < nrow; i++) idx[i] = i;
        for (size_t i = 0; i < n; i++) { /* the first n steps of Fisher-Yates */
            size_t j = i + (size_t)rng_below(&r, nrow - i);
            size_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
    }
    frame *g = take_rows(f, idx, n);
    free(idx);
    return g;
}

typedef struct class_share {
    size_t cls;
    double rem; /* fractional part of the class's exact share */
} class_share;

static int cmp_share(const void *pa, const void *pb) {
    const class_share *a = pa, *b = pb;
    if (a->rem != b->rem) return a->rem > b->rem ? -1 : 1;
    return (a->cls > b->cls) - (a->cls < b->cls);
}

/* How many rows of each class go to test: the classes' exact shares rounded
 * by largest remainder to sum to ntest, with each class of two or more rows
 * keeping at least one row on each side. */
static void stratify_counts(const size_t *size, size_t ncls, double test, size_t ntest, size_t *take) {
    class_share *order = xmalloc((ncls ? ncls : 1) * sizeof *order);
    size_t sum = 0;
    for (size_t c = 0; c < ncls; c++) {
        double exact = test * (double)size[c];
        size_t t = (size_t)floor(exact);
        size_t lo = size[c] >= 2 ? 1 : 0, hi = size[c] >= 2 ? size[c] - 1 : size[c];
        if (t < lo) t = lo;
        if (t > hi) t = hi;
        take[c] = t;
        sum += t;
        order[c] = (class_share){c, exact - floor(exact)};
    }
    qsort(order, ncls, sizeof *order, cmp_share);
    /* Sweep in order of remainder until the total is right or nothing moves. */
    for (int moved = 1; sum < ntest && moved;) {
        moved = 0;
        for (size_t o = 0; o < ncls && sum < ntest; o++) {
            size_t c = order[o].cls;
            size_t hi = size[c] >= 2 ? size[c] - 1 : size[c];
            if (take[c] < hi) {
                take[c]++;
                sum++;
                moved = 1;
            }
        }
    }
    for (int moved = 1; sum > ntest && moved;) {
        moved = 0;
        for (size_t o = ncls; o-- > 0 && sum > ntest;) {
            size_t c = order[o].cls;
            size_t lo = size[c] >= 2 ? 1 : 0;
            if (take[c] > lo) {
                take[c]--;
                sum--;
                moved = 1;
            }
        }
    }
    free(order);
}

int ops_split(const frame *f, double test, uint64_t seed, const char *stratify, frame **train,
              frame **test_out, lab_err *e) {
    *train = *test_out = NULL;
    if (!(test > 0 && test < 1))
        return lab_fail(e, "split: test must be a fraction between 0 and 1 (exclusive), got %g", test);
    int sj = -1;
    if (stratify) {
        lab_err le;
        sj = frame_lookup(f, stratify, &le);
        if (sj < 0) return lab_fail(e, "split: stratify: %s", le.msg);
    }
    size_t n = f->nrow;
    /* As scikit-learn: ceil(test * n) rows to test (less a rounding hair, so
     * that 0.7 * 10 gives 7). */
    size_t ntest = (size_t)ceil(test * (double)n - 1e-9);
    if (ntest > n) ntest = n;
    uint8_t *is_test = xcalloc(n ? n : 1, 1);
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    rng r;
    rng_seed(&r, seed);
    if (sj < 0) {
        for (size_t i = 0; i < n; i++) idx[i] = i;
        rng_shuffle(&r, idx, n);
        for (size_t i = 0; i < ntest; i++) is_test[idx[i]] = 1;
    } else {
        row_keys K;
        keys_init(&K, n, 1);
        keys_encode(&K, 0, f->cols[sj], ENC_PLAIN, NULL);
        size_t *gid = xmalloc((n ? n : 1) * sizeof *gid);
        size_t ncls = keys_group(&K, gid);
        keys_free(&K);
        size_t *size = xcalloc(ncls + 1, sizeof *size);
        size_t *start = xcalloc(ncls + 1, sizeof *start);
        size_t *take = xcalloc(ncls + 1, sizeof *take);
        for (size_t i = 0; i < n; i++) size[gid[i]]++;
        for (size_t c = 1; c <= ncls; c++) start[c] = start[c - 1] + size[c - 1];
        size_t *fill = xmalloc((ncls + 1) * sizeof *fill);
        memcpy(fill, start, (ncls + 1) * sizeof *fill);
        for (size_t i = 0; i < n; i++) idx[fill[gid[i]]++] = i; /* rows by class, in order */
        stratify_counts(size, ncls, test, ntest, take);
        for (size_t c = 0; c < ncls; c++) {
            rng_shuffle(&r, idx + start[c], size[c]);
            for (size_t t = 0; t < take[c]; t++) is_test[idx[start[c] + t]] = 1;
        }
        free(fill);
        free(take);
        free(start);
        free(size);
        free(gid);
    }
    size_t *tr = xmalloc((n ? n : 1) * sizeof *tr), *te = idx, ntr = 0, nte = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_test[i]) te[nte++] = i;
        else tr[ntr++] = i;
    }
    *train = take_rows(f, tr, ntr);
    *test_out = take_rows(f, te, nte);
    free(tr);
    free(idx);
    free(is_test);
    return 0;
}

/* ---- rename -------------------------------------------------------------- */

frame *ops_rename(const frame *f, const char *const *from, const char *const *to, int k,
                  lab_err *e) {
    const char **names = xmalloc(((size_t)f->ncol + 1) * sizeof *names);
    int *renamed = xcalloc((size_t)f->ncol + 1, sizeof *renamed);
    frame *g = NULL;
    for (int j = 0; j < f->ncol; j++) names[j] = f->names[j];
    for (int i = 0; i < k; i++) {
        lab_err le;
        int j = from[i] ? frame_lookup(f, from[i], &le) : -1;
        if (j < 0) {
            lab_fail(e, "rename: %s", from[i] ? le.msg : "old name missing");
            goto done;
        }
        if (renamed[j]) {
            lab_fail(e, "rename: column '%s' is renamed twice", from[i]);
            goto done;
        }
        if (!to[i] || !to[i][0]) {
            lab_fail(e, "rename: the new name of column '%s' is empty", from[i]);
            goto done;
        }
        renamed[j] = 1;
        names[j] = to[i];
    }
    for (int j = 0; j < f->ncol; j++) {
        if (!renamed[j]) continue;
        for (int o = 0; o < f->ncol; o++)
            if (o != j && strcmp(names[o], names[j]) == 0) {
                if (renamed[o])
                    lab_fail(e, "rename: columns '%s' and '%s' would both be called '%s'",
                             f->names[o < j ? o : j], f->names[o < j ? j : o], names[j]);
                else
                    lab_fail(e, "rename: new name '%s' of column '%s' clashes with an existing column",
                             names[j], f->names[j]);
                goto done;
            }
    }
    g = frame_new();
    for (int j = 0; j < f->ncol; j++) frame_set_column(g, names[j], col_ref(f->cols[j]), NULL);
    g->nrow = f->nrow;
done:
    free(names);
    free(renamed);
    return g;
}
