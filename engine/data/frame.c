/* frame.c — columns, string dictionaries and frames (see frame.h).
 *
 * The dictionary is an open-addressing hash table of codes; it only grows,
 * which keeps codes stable for every column that shares it. */
#include "frame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string dictionaries ------------------------------------------------ */

static uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

strdict *strdict_new(void) {
    strdict *d = xcalloc(1, sizeof *d);
    d->refs = 1;
    d->nslots = 64;
    d->slots = xcalloc(d->nslots, sizeof *d->slots);
    return d;
}

strdict *strdict_ref(strdict *d) {
    d->refs++;
    return d;
}

void strdict_free(strdict *d) {
    if (!d || --d->refs > 0) return;
    for (uint32_t i = 0; i < d->n; i++) free(d->str[i]);
    free(d->str);
    free(d->len);
    free(d->slots);
    free(d);
}

static void strdict_grow_index(strdict *d) {
    uint32_t ns = d->nslots * 2;
    uint32_t *slots = xcalloc(ns, sizeof *slots);
    for (uint32_t c = 0; c < d->n; c++) {
        uint32_t h = (uint32_t)hash_bytes(d->str[c], d->len[c]) & (ns - 1);
        while (slots[h]) h = (h + 1) & (ns - 1);
        slots[h] = c + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = ns;
}

uint32_t strdict_find(const strdict *d, const char *s, size_t len) {
    uint32_t h = (uint32_t)hash_bytes(s, len) & (d->nslots - 1);
    for (;;) {
        uint32_t slot = d->slots[h];
        if (!slot) return UINT32_MAX;
        uint32_t c = slot - 1;
        if (d->len[c] == len && memcmp(d->str[c], s, len) == 0) return c;
        h = (h + 1) & (d->nslots - 1);
    }
}

uint32_t strdict_intern(strdict *d, const char *s, size_t len) {
    uint32_t h = (uint32_t)hash_bytes(s, len) & (d->nslots - 1);
    for (;;) {
        uint32_t slot = d->slots[h];
        if (!slot) break;
        uint32_t c = slot - 1;
        if (d->len[c] == len && memcmp(d->str[c], s, len) == 0) return c;
        h = (h + 1) & (d->nslots - 1);
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->str = xrealloc(d->str, d->cap * sizeof *d->str);
        d->len = xrealloc(d->len, d->cap * sizeof *d->len);
    }
    uint32_t code = d->n++;
    d->str[code] = xstrndup(s, len);
    d->len[code] = (uint32_t)len;
    d->slots[h] = code + 1;
    if ((uint64_t)d->n * 2 > d->nslots) strdict_grow_index(d);
    return code;
}

/* ---- columns ------------------------------------------------------------ */

const char *col_type_name(col_type t) {
    switch (t) {
    case COL_NUMBER: return "number";
    case COL_INTEGER: return "integer";
    case COL_BOOLEAN: return "boolean";
    case COL_STRING: return "string";
    }
    return "?";
}

int col_type_parse(const char *name, col_type *out) {
    static const struct { const char *name; col_type t; } names[] = {
        {"number", COL_NUMBER},   {"double", COL_NUMBER},  {"float", COL_NUMBER},
        {"integer", COL_INTEGER}, {"int", COL_INTEGER},
        {"boolean", COL_BOOLEAN}, {"bool", COL_BOOLEAN},
        {"string", COL_STRING},   {"str", COL_STRING},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].t;
            return 0;
        }
    return -1;
}

size_t col_type_width(col_type t) {
    switch (t) {
    case COL_NUMBER: return sizeof(double);
    case COL_INTEGER: return sizeof(int64_t);
    case COL_BOOLEAN: return 1;
    case COL_STRING: return sizeof(uint32_t);
    }
    return 8;
}

column *col_new(col_type t, size_t n, strdict *dict) {
    column *c = xcalloc(1, sizeof *c);
    c->refs = 1;
    c->type = t;
    c->n = n;
    c->data = xcalloc(n ? n : 1, col_type_width(t));
    if (t == COL_STRING) c->dict = dict ? strdict_ref(dict) : strdict_new();
    return c;
}

column *col_wrap(col_type t, size_t n, void *data, uint8_t *valid, strdict *dict) {
    column *c = xcalloc(1, sizeof *c);
    c->refs = 1;
    c->type = t;
    c->n = n;
    c->data = data;
    c->valid = valid;
    if (t == COL_STRING) c->dict = dict ? strdict_ref(dict) : strdict_new();
    return c;
}

column *col_ref(column *c) {
    c->refs++;
    return c;
}

void col_free(column *c) {
    if (!c || --c->refs > 0) return;
    free(c->data);
    free(c->valid);
    strdict_free(c->dict);
    free(c);
}

void col_set_na(column *c, size_t i) {
    if (!c->valid) {
        size_t nb = (c->n + 7) / 8;
        c->valid = xmalloc(nb ? nb : 1);
        memset(c->valid, 0xff, nb ? nb : 1);
    }
    c->valid[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

void col_set_valid(column *c, size_t i) {
    if (c->valid) c->valid[i >> 3] |= (uint8_t)(1u << (i & 7));
}

size_t col_na_count(const column *c) {
    if (!c->valid) return 0;
    size_t na = 0;
    for (size_t i = 0; i < c->n; i++) na += col_is_na(c, i);
    return na;
}

size_t col_first_missing(const column *c) {
    size_t n = c->n, na = SIZE_MAX, i = 0;
    if (c->valid) {
        size_t byte = 0;
        while (byte < n / 8 && c->valid[byte] == 0xff) byte++;
        for (i = byte * 8; i < n; i++)
            if (col_is_na(c, i)) {
                na = i;
                break;
            }
    }
    if (c->type != COL_NUMBER) return na;
    /* NaN before the first NA: blocks of 64 compared two at a time (x != x
     * only for NaN), without an early exit inside a block */
    typedef double pair __attribute__((vector_size(16)));
    typedef long long pair_mask __attribute__((vector_size(16)));
    const double *x = c->f64;
    size_t end = na < n ? na : n;
    for (i = 0; i + 64 <= end; i += 64) {
        pair_mask any = {0, 0};
        for (int l = 0; l < 64; l += 2) {
            pair v;
            memcpy(&v, x + i + l, sizeof v);
            any |= v != v;
        }
        if (any[0] | any[1]) break;
    }
    for (; i < end; i++)
        if (isnan(x[i])) return i;
    return na;
}

double col_as_double(const column *c, size_t i) {
    if (col_is_na(c, i)) return NAN;
    switch (c->type) {
    case COL_NUMBER: return c->f64[i];
    case COL_INTEGER: return (double)c->i64[i];
    case COL_BOOLEAN: return c->b[i];
    case COL_STRING: return NAN;
    }
    return NAN;
}

const char *col_str(const column *c, size_t i) {
    if (c->type != COL_STRING || col_is_na(c, i)) return NULL;
    return c->dict->str[c->code[i]];
}

size_t col_bytes(const column *c) {
    return c->n * col_type_width(c->type) + (c->valid ? (c->n + 7) / 8 : 0);
}

column *col_take(const column *c, const size_t *idx, size_t n) {
    column *out = col_new(c->type, n, c->dict);
    size_t w = col_type_width(c->type);
    for (size_t k = 0; k < n; k++) {
        size_t i = idx[k];
        if (i == SIZE_MAX || col_is_na(c, i)) {
            col_set_na(out, k);
            continue;
        }
        switch (w) {
        case 8: out->i64[k] = c->i64[i]; break;
        case 4: out->code[k] = c->code[i]; break;
        default: out->b[k] = c->b[i]; break;
        }
    }
    return out;
}

column *col_to_number(const column *c) {
    column *out = col_new(COL_NUMBER, c->n, NULL);
    for (size_t i = 0; i < c->n; i++) {
        if (col_is_na(c, i)) col_set_na(out, i);
        else out->f64[i] = col_as_double(c, i);
    }
    return out;
}

int col_format(const column *c, size_t i, char *buf, size_t cap) {
    if (col_is_na(c, i)) return snprintf(buf, cap, "NA");
    switch (c->type) {
    case COL_NUMBER: {
        char tmp[32];
        lab_fmt_double(tmp, c->f64[i]);
        return snprintf(buf, cap, "%s", tmp);
    }
    case COL_INTEGER: return snprintf(buf, cap, "%lld", (long long)c->i64[i]);
    case COL_BOOLEAN: return snprintf(buf, cap, "%s", c->b[i] ? "true" : "false");
    case COL_STRING: return snprintf(buf, cap, "%s", c->dict->str[c->code[i]]);
    }
    return 0;
}

int col_equal(const column *a, const column *b) {
    if (a->type != b->type || a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        int na = col_is_na(a, i), nb = col_is_na(b, i);
        if (na || nb) {
            if (na != nb) return 0;
            continue;
        }
        switch (a->type) {
        case COL_NUMBER:
            if (!(a->f64[i] == b->f64[i] || (isnan(a->f64[i]) && isnan(b->f64[i])))) return 0;
            break;
        case COL_INTEGER: if (a->i64[i] != b->i64[i]) return 0; break;
        case COL_BOOLEAN: if (a->b[i] != b->b[i]) return 0; break;
        case COL_STRING:
            if (a->dict == b->dict ? a->code[i] != b->code[i]
                                   : strcmp(col_str(a, i), col_str(b, i)) != 0)
                return 0;
            break;
        }
    }
    return 1;
}

/* ---- frames ------------------------------------------------------------- */

frame *frame_new(void) { return xcalloc(1, sizeof(frame)); }

void frame_free(frame *f) {
    if (!f) return;
    for (int j = 0; j < f->ncol; j++) {
        free(f->names[j]);
        col_free(f->cols[j]);
    }
    free(f->names);
    free(f->cols);
    free(f);
}

frame *frame_copy(const frame *f) {
    frame *g = frame_new();
    for (int j = 0; j < f->ncol; j++)
        frame_set_column(g, f->names[j], col_ref(f->cols[j]), NULL);
    g->nrow = f->nrow;
    return g;
}

int frame_find(const frame *f, const char *name) {
    for (int j = 0; j < f->ncol; j++)
        if (strcmp(f->names[j], name) == 0) return j;
    return -1;
}

int frame_lookup(const frame *f, const char *name, lab_err *e) {
    int j = frame_find(f, name);
    if (j >= 0) return j;
    /* Suggest the closest names: within a third of the length, or a prefix. */
    const char *best[3] = {0};
    size_t bestd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    size_t len = strlen(name);
    for (int k = 0; k < f->ncol; k++) {
        size_t d = lab_edit_distance(name, f->names[k]);
        int close = d <= (len + 2) / 3 || (len >= 2 && strncmp(f->names[k], name, len) == 0)
                    || strcasecmp(f->names[k], name) == 0;
        if (!close) continue;
        for (int s = 0; s < 3; s++)
            if (d < bestd[s]) {
                for (int t = 2; t > s; t--) {
                    best[t] = best[t - 1];
                    bestd[t] = bestd[t - 1];
                }
                best[s] = f->names[k];
                bestd[s] = d;
                break;
            }
    }
    if (!best[0]) {
        char list[256] = "";
        size_t used = 0;
        for (int k = 0; k < f->ncol && used < sizeof list - 8; k++) {
            int w = snprintf(list + used, sizeof list - used, "%s'%s'", k ? ", " : "", f->names[k]);
            if (w < 0 || (size_t)w >= sizeof list - used) {
                snprintf(list + used, sizeof list - used, ", ...");
                break;
            }
            used += (size_t)w;
        }
        return lab_fail(e, "no column '%s' (columns: %s)", name, f->ncol ? list : "none");
    }
    if (!best[1]) return lab_fail(e, "no column '%s' (did you mean '%s'?)", name, best[0]);
    if (!best[2])
        return lab_fail(e, "no column '%s' (did you mean '%s' or '%s'?)", name, best[0], best[1]);
    return lab_fail(e, "no column '%s' (did you mean '%s', '%s' or '%s'?)", name, best[0], best[1],
                    best[2]);
}

int frame_set_column(frame *f, const char *name, column *c, lab_err *e) {
    if (f->ncol > 0 && c->n != f->nrow) {
        int rc = lab_fail(e, "column '%s' has %zu rows, the frame has %zu", name, c->n, f->nrow);
        col_free(c);
        return rc;
    }
    int j = frame_find(f, name);
    if (j >= 0) {
        col_free(f->cols[j]);
        f->cols[j] = c;
        if (f->ncol == 1) f->nrow = c->n;
        return 0;
    }
    if (f->ncol == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->names = xrealloc(f->names, (size_t)f->cap * sizeof *f->names);
        f->cols = xrealloc(f->cols, (size_t)f->cap * sizeof *f->cols);
    }
    f->names[f->ncol] = xstrdup(name);
    f->cols[f->ncol] = c;
    f->ncol++;
    f->nrow = c->n;
    return 0;
}

frame *frame_take(const frame *f, const size_t *idx, size_t n) {
    frame *g = frame_new();
    for (int j = 0; j < f->ncol; j++)
        frame_set_column(g, f->names[j], col_take(f->cols[j], idx, n), NULL);
    g->nrow = n;
    return g;
}

frame *frame_slice(const frame *f, size_t start, size_t n) {
    if (start > f->nrow) start = f->nrow;
    if (n > f->nrow - start) n = f->nrow - start;
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t k = 0; k < n; k++) idx[k] = start + k;
    frame *g = frame_take(f, idx, n);
    free(idx);
    return g;
}

size_t frame_bytes(const frame *f) {
    size_t total = 0;
    for (int j = 0; j < f->ncol; j++) total += col_bytes(f->cols[j]);
    return total;
}

int frame_equal(const frame *a, const frame *b) {
    if (a->ncol != b->ncol || a->nrow != b->nrow) return 0;
    for (int j = 0; j < a->ncol; j++)
        if (strcmp(a->names[j], b->names[j]) != 0 || !col_equal(a->cols[j], b->cols[j])) return 0;
    return 1;
}
