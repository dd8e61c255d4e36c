/* csv.c — the CSV reader and writer.
 *
 * Reading: the file is mapped, the header parsed, and the body cut into one
 * chunk per thread at row boundaries. A row boundary is found without parsing:
 * in RFC 4180 text a newline ends a row exactly when an even number of quote
 * characters precede it (a doubled quote inside a field adds two). Each thread
 * parses its chunk into 8-byte slots, guessing each column's kind from its
 * values and promoting it (integer -> number -> string) as values demand; the
 * chunks are then merged under the widest kind. Promotion to string needs the
 * original text, so a chunk that meets it re-parses itself once with the new
 * kinds; that is rare in practice (a column is text from its first row).
 *
 * Every chunk checks that it ended exactly where the next began; if a stray
 * quote made the quote-parity guess wrong, the whole body is parsed again on
 * one thread, which is always right.
 *
 * Numbers: a fast exact path for up to 19 digits and small exponents (the
 * product of two exactly representable doubles is correctly rounded), strtod
 * for the rest, so every value is the correctly rounded double. */
#include "csv.h"

#include <errno.h>
#include <float.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { K_EMPTY, K_BOOL, K_INT, K_NUM, K_STR };

static const char *const default_na[] = {"", "NA"};

void csv_opts_init(csv_opts *o) {
    memset(o, 0, sizeof *o);
    o->sep = ',';
    o->header = 1;
}

/* ---- scalar parsing ------------------------------------------------------ */

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if LDBL_MANT_DIG == 64 && defined(__x86_64__)
static const long double pow10_exact_ld[] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
    1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
#endif

static int is_space(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, const char **e) {
    while (*s < *e && is_space(**s)) (*s)++;
    while (*e > *s && is_space((*e)[-1])) (*e)--;
}

/* An int64 from decimal text (sign, digits, surrounding blanks). 0 when the
 * text is not an integer or does not fit. */
static int parse_int(const char *s, const char *e, int64_t *out) {
    trim(&s, &e);
    int neg = 0;
    if (s < e && (*s == '-' || *s == '+')) neg = *s++ == '-';
    if (s == e) return 0;
    while (e - s > 1 && *s == '0') s++;
    if (e - s > 19) return 0;
    uint64_t v = 0;
    for (const char *p = s; p < e; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9) return 0;
        v = v * 10 + d;
    }
    /* 19 digits fit in uint64; check the int64 range. */
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return 0;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX) return 0;
        *out = (int64_t)v;
    }
    return 1;
}

static int word_eq(const char *s, size_t n, const char *w) {
    if (strlen(w) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != w[i]) return 0;
    return 1;
}

/* Parse a double. Returns 1 for a number, 2 for the text "nan" (which the
 * reader treats as NA, as pandas does), 0 for anything else. */
static int parse_double(const char *s, const char *e, double *out) {
    trim(&s, &e);
    const char *p = s;
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    if (p == e) return 0;
    if ((*p | 0x20) == 'i' || (*p | 0x20) == 'n') {
        size_t n = (size_t)(e - p);
        if (word_eq(p, n, "inf") || word_eq(p, n, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return 1;
        }
        if (word_eq(p, n, "nan")) return 2;
        return 0;
    }
    uint64_t m = 0;
    int digits = 0, frac = 0, any = 0;
    while (p < e && (unsigned)(*p - '0') <= 9) {
        if (m || *p != '0') {
            if (digits < 19) m = m * 10 + (uint64_t)(*p - '0');
            else frac--; /* digit dropped: the slow path will handle it */
            digits++;
        }
        any = 1;
        p++;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && (unsigned)(*p - '0') <= 9) {
            if (m || *p != '0') {
                if (digits < 19) m = m * 10 + (uint64_t)(*p - '0');
                digits++;
            }
            frac++;
            any = 1;
            p++;
        }
    }
    if (!any) return 0;
    int exp = 0;
    if (p < e && (*p | 0x20) == 'e') {
        p++;
        int eneg = 0;
        if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        if (p == e) return 0;
        while (p < e && (unsigned)(*p - '0') <= 9) {
            if (exp < 100000) exp = exp * 10 + (*p - '0');
            p++;
        }
        if (eneg) exp = -exp;
    }
    if (p != e) return 0;
    int e10 = exp - frac;
    if (digits <= 19 && m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)m;
        v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
        *out = neg ? -v : v;
        return 1;
    }
#if LDBL_MANT_DIG == 64 && defined(__x86_64__)
    /* Up to 19 digits and |e10| <= 27 (10^27 is exact in the 64-bit mantissa
     * of x87's long double): one correctly rounded long double operation, then
     * a rounding to double. The two roundings give the correctly rounded
     * double unless the long double result sits exactly on a midpoint between
     * two doubles (its 11 bits below the double's 53 are 0x400): any other
     * long double is at least one of its ulps from a midpoint, farther than
     * its own error of half an ulp. Midpoints go to strtod. */
    if (digits <= 19 && e10 >= -27 && e10 <= 27) {
        long double r = (long double)m;
        r = e10 < 0 ? r / pow10_exact_ld[-e10] : r * pow10_exact_ld[e10];
        uint64_t mant;
        memcpy(&mant, &r, sizeof mant);
        if ((mant & 0x7ff) != 0x400) {
            double v = (double)r;
            *out = neg ? -v : v;
            return 1;
        }
    }
#endif
    char buf[128];
    size_t n = (size_t)(e - s);
    char *tmp = n < sizeof buf ? buf : xmalloc(n + 1);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    if (tmp != buf) free(tmp);
    return 1;
}

static int parse_bool(const char *s, const char *e, uint8_t *out) {
    trim(&s, &e);
    size_t n = (size_t)(e - s);
    if (n == 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "True", 4) == 0 || memcmp(s, "TRUE", 4) == 0)) {
        *out = 1;
        return 1;
    }
    if (n == 5 && (memcmp(s, "false", 5) == 0 || memcmp(s, "False", 5) == 0 || memcmp(s, "FALSE", 5) == 0)) {
        *out = 0;
        return 1;
    }
    return 0;
}

/* Length of the valid UTF-8 prefix of s; == n when all of it is valid. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned min;
        if ((c & 0xe0) == 0xc0) len = 2, min = 0x80;
        else if ((c & 0xf0) == 0xe0) len = 3, min = 0x800;
        else if ((c & 0xf8) == 0xf0) len = 4, min = 0x10000;
        else return i;
        if (i + len > n) return i;
        unsigned cp = c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
        i += len;
    }
    return n;
}

/* ---- the reader's state ------------------------------------------------- */

typedef union slot {
    int64_t i;
    double d;
    uint64_t u; /* string code, boolean */
} slot;

typedef struct ccol {
    int kind;
    int forced;       /* the user fixed the type: never promote */
    int quoted_empty; /* saw "" (an empty string, not NA) */
    int nan_seen;     /* saw "nan" while the kind was open: NA for numbers, text for strings */
    slot *v;
    uint8_t *na;      /* one byte a row: 1 = NA */
    strdict *dict;
} ccol;

typedef struct reader {
    const char *buf, *end; /* the whole text (after any BOM) */
    const char *name;
    size_t bom;            /* bytes skipped before buf, for columns in errors */
    const char *body;      /* first data row */
    char sep;
    const char *const *na;
    size_t *na_len;
    size_t na_maxlen;
    int fast_numbers;      /* no NA token looks like a number: parse digits directly */
    uint8_t delim[256];    /* 1 for the separator and line-break bytes */
    int nna;
    int ncol;
    char **names;
    int *forced_kind;      /* per column: -1 or a K_ kind */
    const csv_opts *o;
} reader;

typedef struct chunk {
    const reader *r;
    const char *start, *stop; /* rows starting in [start, stop) */
    const char *ended;        /* where parsing stopped */
    size_t rows, cap;
    ccol *cols;
    int *kinds_in;            /* starting kinds (after a promotion to string) */
    /* first error */
    const char *err_at;
    char err_what[200];
    int restart;              /* a column turned to string: parse again */
    char *scratch;            /* unescaped quoted text */
    size_t scratch_cap;
} chunk;

static void chunk_fail(chunk *c, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void chunk_fail(chunk *c, const char *at, const char *fmt, ...) {
    if (c->err_at) return;
    c->err_at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err_what, sizeof c->err_what, fmt, ap);
    va_end(ap);
}

/* file:line:col of the byte at p (lines and columns from 1, columns in bytes). */
static int fail_at(lab_err *e, const reader *r, const char *p, const char *what) {
    size_t line = 1;
    const char *ls = r->buf;
    for (const char *q = r->buf; q < p;) {
        const char *nl = memchr(q, '\n', (size_t)(p - q));
        if (!nl) break;
        line++;
        q = ls = nl + 1;
    }
    size_t col = (size_t)(p - ls) + 1 + (line == 1 ? r->bom : 0);
    return lab_fail(e, "%s:%zu:%zu: %s", r->name, line, col, what);
}

static void chunk_grow(chunk *c) {
    size_t cap = c->cap * 2;
    if (!c->cap) {
        /* Guess the rows from the line length of the first 64 KiB, so that
         * big chunks are allocated once instead of doubled and copied. */
        size_t len = (size_t)(c->stop - c->start), sample = len < 65536 ? len : 65536, lines = 0;
        for (const char *q = c->start; (q = memchr(q, '\n', (size_t)(c->start + sample - q))); q++) lines++;
        cap = lines ? len / (sample / lines) + len / (sample / lines) / 8 + 64 : 1024;
    }
    for (int j = 0; j < c->r->ncol; j++) {
        c->cols[j].v = c->cols[j].v ? xrealloc(c->cols[j].v, cap * sizeof(slot)) : xmalloc_big(cap * sizeof(slot));
        c->cols[j].na = xrealloc(c->cols[j].na, cap);
    }
    c->cap = cap;
}

static int is_na_token(const reader *r, const char *s, size_t n) {
    if (n > r->na_maxlen) return 0;
    for (int k = 0; k < r->nna; k++)
        if (r->na_len[k] == n && memcmp(r->na[k], s, n) == 0) return 1;
    return 0;
}

static const char *kind_name(int k) {
    switch (k) {
    case K_BOOL: return "boolean";
    case K_INT: return "integer";
    case K_NUM: return "number";
    default: return "string";
    }
}

/* Store one field into column j, row c->rows. s..e is the raw field text (for
 * a quoted field, between the quotes, still with doubled quotes when dq). */
static void store(chunk *c, int j, const char *s, const char *e, int quoted, int dq, const char *at) {
    ccol *col = &c->cols[j];
    size_t row = c->rows;
    size_t n = (size_t)(e - s);
    if (!quoted && is_na_token(c->r, s, n)) {
        col->na[row] = 1;
        return;
    }
    if (quoted && n == 0 && col->kind != K_STR) {
        col->quoted_empty = 1;
        col->na[row] = 1;
        return;
    }
    col->na[row] = 0;
    slot *v = &col->v[row];
    for (;;) {
        switch (col->kind) {
        case K_EMPTY:
            if (parse_int(s, e, &v->i)) col->kind = K_INT;
            else {
                int rc = parse_double(s, e, &v->d);
                if (rc == 2) {
                    col->na[row] = 1;
                    col->nan_seen = 1;
                    return;
                }
                if (rc == 1) col->kind = K_NUM;
                else {
                    uint8_t b;
                    if (parse_bool(s, e, &b)) {
                        col->kind = K_BOOL;
                        v->u = b;
                    } else break;
                }
            }
            /* an earlier "" that was taken for NA must become an empty string
             * if this column turns out to be text; numbers keep it NA */
            return;
        case K_INT:
            if (parse_int(s, e, &v->i)) return;
            {
                double d;
                int rc = parse_double(s, e, &d);
                if (rc && !col->forced) {
                    for (size_t i = 0; i < row; i++)
                        if (!col->na[i]) col->v[i].d = (double)col->v[i].i;
                    col->kind = K_NUM;
                    if (rc == 2) col->na[row] = 1;
                    else v->d = d;
                    return;
                }
            }
            break;
        case K_NUM: {
            int64_t iv;
            if (parse_int(s, e, &iv)) { v->d = (double)iv; return; }
            int rc = parse_double(s, e, &v->d);
            if (rc == 1) return;
            if (rc == 2) { col->na[row] = 1; return; }
            break;
        }
        case K_BOOL: {
            uint8_t b;
            if (parse_bool(s, e, &b)) { v->u = b; return; }
            break;
        }
        case K_STR: {
            if (dq) {
                /* undo doubled quotes */
                if (c->scratch_cap < n) {
                    c->scratch_cap = n * 2;
                    c->scratch = xrealloc(c->scratch, c->scratch_cap);
                }
                size_t k = 0;
                for (const char *p = s; p < e; p++) {
                    c->scratch[k++] = *p;
                    if (*p == '"') p++;
                }
                s = c->scratch;
                n = k;
            }
            uint32_t before = col->dict->n;
            uint32_t code = strdict_intern(col->dict, s, n);
            if (col->dict->n != before) {
                /* New text is checked once, however often it repeats: a NUL
                 * byte can only end up here, as no number holds one. */
                const char *nul = memchr(s, '\0', n);
                size_t ok = utf8_valid_prefix((const unsigned char *)s, n);
                if (nul)
                    chunk_fail(c, dq ? at : (quoted ? at + 1 : at) + (nul - s),
                               "NUL byte in the text (is this a binary file?)");
                else if (ok != n) {
                    /* point at the bad byte when the text is the file's own */
                    const char *bad = dq ? at : (quoted ? at + 1 : at) + ok;
                    chunk_fail(c, bad, "invalid UTF-8 in column '%s'", c->r->names[j]);
                }
            }
            v->u = code;
            return;
        }
        }
        /* The value does not fit the column's kind. */
        if (col->forced) {
            chunk_fail(c, at, "column '%s' is %s but the value is '%.*s'", c->r->names[j],
                       kind_name(col->kind), (int)(n > 40 ? 40 : n), s);
            col->na[row] = 1;
            return;
        }
        /* Promote to string: the earlier rows' text is gone, so the chunk is
         * parsed again with this column as text from the start (unless all
         * it saw so far was NA). */
        if (col->kind != K_EMPTY || col->quoted_empty || col->nan_seen) c->restart = 1;
        col->kind = K_STR;
        if (!col->dict) col->dict = strdict_new();
    }
}

/* Parse the rows that start in [c->start, c->stop). */
static void chunk_parse(chunk *c) {
    const reader *r = c->r;
    const char *p = c->start, *end = r->end;
    const char sep = r->sep;
    int ncol = r->ncol;
    size_t since_check = 0;
    c->rows = 0;
    for (int j = 0; j < ncol; j++) {
        ccol *col = &c->cols[j];
        col->kind = c->kinds_in ? c->kinds_in[j] : (r->forced_kind[j] >= 0 ? r->forced_kind[j] : K_EMPTY);
        col->forced = r->forced_kind[j] >= 0;
        col->quoted_empty = 0;
        col->nan_seen = 0;
        if (col->kind == K_STR && !col->dict) col->dict = strdict_new();
    }
    while (p < c->stop) {
        if (*p == '\n') { p++; continue; } /* blank line */
        if (*p == '\r') {
            p++;
            if (p < end && *p == '\n') p++;
            continue;
        }
        if (c->rows == c->cap) chunk_grow(c);
        if (++since_check == 65536) {
            since_check = 0;
            if (r->o->interrupt && *r->o->interrupt) {
                chunk_fail(c, p, "interrupted");
                break;
            }
            if (r->o->progress && c->start == r->body)
                r->o->progress(r->o->progress_ud, (size_t)(p - r->buf), (size_t)(end - r->buf));
        }
        int j = 0;
        for (;;) {
            const char *fs = p, *fe;
            int quoted = 0, dq = 0;
            if (p < end && *p == '"') {
                quoted = 1;
                const char *q = p + 1;
                for (;;) {
                    q = memchr(q, '"', (size_t)(end - q));
                    if (!q) break;
                    if (q + 1 < end && q[1] == '"') {
                        dq = 1;
                        q += 2;
                        continue;
                    }
                    break;
                }
                if (!q) {
                    chunk_fail(c, fs, "unterminated quoted field (opened here)");
                    c->ended = end;
                    return;
                }
                fs = p + 1;
                fe = q;
                p = q + 1;
                while (p < end && is_space(*p) && *p != sep) p++;
                if (p < end && *p != sep && *p != '\n' && *p != '\r') {
                    chunk_fail(c, p, "unexpected '%c' after a closing quote (a quote inside a field must be doubled)", *p);
                    c->ended = p;
                    return;
                }
            } else {
                if (j < ncol && r->fast_numbers && (c->cols[j].kind == K_NUM || c->cols[j].kind == K_INT)) {
                    /* The common case: plain digits, maybe a sign and a
                     * decimal point, parsed as the field is scanned. */
                    ccol *col = &c->cols[j];
                    const char *q = p;
                    int neg = 0;
                    if (q < end && *q == '-') {
                        neg = 1;
                        q++;
                    }
                    const char *ds = q;
                    uint64_t m = 0;
                    while (q < end && (unsigned)(*q - '0') <= 9 && q - ds < 15) m = m * 10 + (uint64_t)(*q++ - '0');
                    int digits = (int)(q - ds), frac = 0;
                    if (digits && col->kind == K_NUM && q < end && *q == '.') {
                        const char *f0 = ++q;
                        while (q < end && (unsigned)(*q - '0') <= 9 && digits < 15) {
                            m = m * 10 + (uint64_t)(*q++ - '0');
                            digits++;
                        }
                        frac = (int)(q - f0);
                    }
                    if (digits && (q == end || *q == sep || *q == '\n' || *q == '\r')) {
                        slot *v = &col->v[c->rows];
                        col->na[c->rows] = 0;
                        if (col->kind == K_INT) v->i = neg ? -(int64_t)m : (int64_t)m;
                        else {
                            double d = (double)m / pow10_exact[frac];
                            v->d = neg ? -d : d;
                        }
                        p = q;
                        goto field_done;
                    }
                }
                while (p < end && !r->delim[(unsigned char)*p]) p++;
                fe = p;
            }
            if (j < ncol) store(c, j, fs, fe, quoted, dq, quoted ? fs - 1 : fs);
            else {
                /* count them all for the message */
                int n = j + 1;
                const char *q = p;
                while (q < end && *q == sep) {
                    n++;
                    q++;
                    while (q < end && *q != sep && *q != '\n' && *q != '\r') q++;
                }
                chunk_fail(c, fs, "row has %d fields, the header has %d", n, ncol);
                c->ended = p;
                return;
            }
        field_done:
            j++;
            if (p < end && *p == sep) {
                p++;
                continue;
            }
            break;
        }
        if (j < ncol) {
            chunk_fail(c, p, "row has %d field%s, the header has %d", j, j == 1 ? "" : "s", ncol);
            c->ended = p;
            return;
        }
        if (p < end && *p == '\r') p++;
        if (p < end && *p == '\n') p++;
        c->rows++;
        if (c->err_at) break;
    }
    c->ended = p;
}

/* Parse one chunk, re-parsing it once if a column turned to string. */
static void chunk_run(chunk *c) {
    chunk_parse(c);
    if (c->restart && !c->err_at) {
        int ncol = c->r->ncol;
        c->kinds_in = xmalloc((size_t)ncol * sizeof(int));
        for (int j = 0; j < ncol; j++) c->kinds_in[j] = c->cols[j].kind;
        c->restart = 0;
        chunk_parse(c);
    }
}

static void *chunk_run_thread(void *arg) {
    chunk_run(arg);
    return NULL;
}

static void chunk_free(chunk *c, int ncol) {
    for (int j = 0; j < ncol; j++) {
        free(c->cols[j].v);
        free(c->cols[j].na);
        strdict_free(c->cols[j].dict);
    }
    free(c->cols);
    free(c->kinds_in);
    free(c->scratch);
}

/* ---- header -------------------------------------------------------------- */

/* Parse one row of names starting at *pp; returns the count, fills names
 * (owned) and moves *pp past the row. -1 with e on a bad quote. */
static int parse_names(reader *r, const char **pp, char ***names_out, lab_err *e) {
    const char *p = *pp, *end = r->end;
    int n = 0, cap = 16;
    char **names = xmalloc((size_t)cap * sizeof *names);
    for (;;) {
        const char *fs = p, *fe;
        char *text;
        if (p < end && *p == '"') {
            const char *q = p + 1;
            size_t k = 0;
            text = xmalloc((size_t)(end - p) + 1);
            for (;;) {
                if (q >= end) {
                    for (int i = 0; i < n; i++) free(names[i]);
                    free(names);
                    free(text);
                    return fail_at(e, r, fs, "unterminated quoted field (opened here)");
                }
                if (*q == '"') {
                    if (q + 1 < end && q[1] == '"') {
                        text[k++] = '"';
                        q += 2;
                        continue;
                    }
                    break;
                }
                text[k++] = *q++;
            }
            text[k] = '\0';
            p = q + 1;
            while (p < end && *p != r->sep && *p != '\n' && *p != '\r') p++;
        } else {
            while (p < end && *p != r->sep && *p != '\n' && *p != '\r') p++;
            fe = p;
            text = xstrndup(fs, (size_t)(fe - fs));
        }
        if (n == cap) {
            cap *= 2;
            names = xrealloc(names, (size_t)cap * sizeof *names);
        }
        names[n++] = text;
        if (p < end && *p == r->sep) {
            p++;
            continue;
        }
        break;
    }
    if (p < end && *p == '\r') p++;
    if (p < end && *p == '\n') p++;
    *pp = p;
    *names_out = names;
    return n;
}

/* Make names usable: empty ones become V<j>, repeats get ".1", ".2". */
static void fix_names(char **names, int n) {
    for (int j = 0; j < n; j++) {
        if (names[j][0] == '\0') {
            free(names[j]);
            char buf[32];
            snprintf(buf, sizeof buf, "V%d", j + 1);
            names[j] = xstrdup(buf);
        }
    }
    for (int j = 1; j < n; j++) {
        int clash = 0;
        for (int k = 0; k < j; k++) clash |= strcmp(names[k], names[j]) == 0;
        for (int s = 1; clash; s++) {
            size_t len = strlen(names[j]) + 16;
            char *cand = xmalloc(len);
            snprintf(cand, len, "%s.%d", names[j], s);
            clash = 0;
            for (int k = 0; k < n; k++) clash |= k != j && strcmp(names[k], cand) == 0;
            if (!clash) {
                free(names[j]);
                names[j] = cand;
            } else free(cand);
        }
    }
}

/* ---- merging chunks into columns ------------------------------------------ */

static col_type kind_type(int k) {
    switch (k) {
    case K_BOOL: return COL_BOOLEAN;
    case K_INT: return COL_INTEGER;
    case K_STR: return COL_STRING;
    default: return COL_NUMBER;
    }
}

static int join_kind(int a, int b) {
    if (a == K_EMPTY) return b;
    if (b == K_EMPTY || a == b) return a;
    if ((a == K_INT && b == K_NUM) || (a == K_NUM && b == K_INT)) return K_NUM;
    return K_STR;
}

/* Build column j from the chunks' slots. The values are moved, not copied,
 * where that can be done: chunk 0's slot array becomes the column's array
 * (narrowed in place for 4- and 1-byte types, grown with realloc for the other
 * chunks' rows), so a large read touches its memory about once. */
static column *merge_column(chunk *cs, int nch, int j, int kind, size_t nrow) {
    col_type t = kind_type(kind);
    size_t w = col_type_width(t);
    strdict *dict = NULL;
    if (kind == K_STR) /* chunk 0's dictionary becomes the column's; the others map into it */
        dict = cs[0].cols[j].dict ? strdict_ref(cs[0].cols[j].dict) : strdict_new();
    int any_na = 0;
    for (int k = 0; k < nch && !any_na; k++)
        any_na = cs[k].rows && memchr(cs[k].cols[j].na, 1, cs[k].rows) != NULL;
    uint8_t *valid = NULL;
    if (any_na) {
        size_t nb = (nrow + 7) / 8;
        valid = xmalloc(nb ? nb : 1);
        memset(valid, 0xff, nb ? nb : 1);
    }
    ccol *c0 = &cs[0].cols[j];
    char *data = (char *)c0->v;
    c0->v = NULL;
    if (!data) data = xmalloc(8);
    size_t at = 0;
    for (int k = 0; k < nch; k++) {
        ccol *cc = &cs[k].cols[j];
        size_t rows = cs[k].rows;
        const slot *src = k == 0 ? (const slot *)data : cc->v;
        uint32_t *map = NULL;
        if (kind == K_STR && k > 0 && cc->dict) {
            map = xmalloc((cc->dict->n ? cc->dict->n : 1) * sizeof *map);
            for (uint32_t i = 0; i < cc->dict->n; i++)
                map[i] = strdict_intern(dict, cc->dict->str[i], cc->dict->len[i]);
        }
        if (k == 1) data = xrealloc(data, (nrow ? nrow : 1) * (w > 8 ? w : 8));
        /* Narrowing or converting writes element i at or before where it is
         * read (w <= 8), so chunk 0 converts in place, front to back. */
        for (size_t i = 0; i < rows; i++, at++) {
            if (cc->na[i]) {
                valid[at >> 3] &= (uint8_t)~(1u << (at & 7));
                if (w == 8) ((int64_t *)data)[at] = 0;
                continue;
            }
            switch (kind) {
            case K_INT: ((int64_t *)data)[at] = src[i].i; break;
            case K_NUM: ((double *)data)[at] = cc->kind == K_INT ? (double)src[i].i : src[i].d; break;
            case K_BOOL: ((uint8_t *)data)[at] = (uint8_t)src[i].u; break;
            case K_STR: ((uint32_t *)data)[at] = map ? map[src[i].u] : (uint32_t)src[i].u; break;
            default: ((int64_t *)data)[at] = 0; break; /* all NA */
            }
        }
        free(map);
        /* free as we go to keep the peak low */
        if (k > 0) free(cc->v);
        cc->v = NULL;
        free(cc->na);
        cc->na = NULL;
    }
    if (nch == 1 && w < 8) data = xrealloc(data, (nrow ? nrow : 1) * w);
    column *col = col_wrap(t, nrow, data, valid, dict);
    strdict_free(dict);
    return col;
}

/* Merging on several threads: columns are independent (each has its own
 * dictionary), so thread t merges columns t, t + n, t + 2n, ... With more than
 * one chunk, merging copies every chunk after the first into fresh pages, and
 * on one thread that copy cost as much as the parse saved. */
typedef struct merge_job {
    chunk *cs;
    int nch, ncol, first, step;
    const int *kinds;
    size_t nrow;
    column **out;
} merge_job;

static void *merge_run(void *arg) {
    merge_job *m = arg;
    for (int j = m->first; j < m->ncol; j += m->step) m->out[j] = merge_column(m->cs, m->nch, j, m->kinds[j], m->nrow);
    return NULL;
}

static void merge_all(chunk *cs, int nch, int ncol, const int *kinds, size_t nrow, column **out) {
    int n = nch < ncol ? nch : ncol;
    if (n < 1) n = 1;
    merge_job jobs[8];
    pthread_t th[8];
    int started[8] = {0};
    for (int t = 0; t < n; t++) jobs[t] = (merge_job){cs, nch, ncol, t, n, kinds, nrow, out};
    for (int t = 1; t < n; t++) started[t] = pthread_create(&th[t], NULL, merge_run, &jobs[t]) == 0;
    merge_run(&jobs[0]);
    for (int t = 1; t < n; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else merge_run(&jobs[t]);
    }
}

/* Where to cut the body for n chunks: after a newline with an even count of
 * quotes before it. */
static int find_cuts(const reader *r, int n, const char **cuts) {
    const char *body = r->body, *end = r->end;
    size_t len = (size_t)(end - body);
    const char *prev = body;
    size_t quotes = 0;
    const char *counted = body;
    cuts[0] = body;
    int m = 1;
    for (int k = 1; k < n; k++) {
        const char *target = body + len / (size_t)n * (size_t)k;
        if (target <= prev) continue;
        /* count quotes up to target */
        for (const char *q = counted; q < target;) {
            q = memchr(q, '"', (size_t)(target - q));
            if (!q) break;
            quotes++;
            q++;
        }
        counted = target;
        const char *p = target;
        for (;;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) {
                p = end;
                break;
            }
            for (const char *q = p; q < nl;) {
                q = memchr(q, '"', (size_t)(nl - q));
                if (!q) break;
                quotes++;
                q++;
            }
            p = nl + 1;
            counted = p;
            if (quotes % 2 == 0) break;
        }
        if (p >= end) break;
        cuts[m++] = prev = p;
    }
    cuts[m] = end;
    return m;
}

static int cpu_count(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* Parse the body with n chunks; returns the chunk count, or 0 when the cuts
 * turned out wrong (then parse again with n = 1). */
static int parse_body(reader *r, int n, chunk **out) {
    const char *cuts[9];
    int m = find_cuts(r, n, cuts);
    chunk *cs = xcalloc((size_t)m, sizeof *cs);
    for (int k = 0; k < m; k++) {
        cs[k].r = r;
        cs[k].start = cuts[k];
        cs[k].stop = cuts[k + 1];
        cs[k].cols = xcalloc((size_t)(r->ncol ? r->ncol : 1), sizeof(ccol));
    }
    if (m == 1) chunk_run(&cs[0]);
    else {
        pthread_t th[8];
        int started[8] = {0};
        for (int k = 1; k < m; k++) started[k] = pthread_create(&th[k], NULL, chunk_run_thread, &cs[k]) == 0;
        chunk_run(&cs[0]);
        for (int k = 1; k < m; k++) {
            if (started[k]) pthread_join(th[k], NULL);
            else chunk_run(&cs[k]);
        }
    }
    /* Chunk k's start is right when every chunk before it ended cleanly where
     * the next one starts. */
    for (int k = 0; k < m; k++) {
        if (cs[k].err_at) break;
        if (k + 1 < m && cs[k].ended != cs[k + 1].start) {
            for (int i = 0; i < m; i++) chunk_free(&cs[i], r->ncol);
            free(cs);
            return 0;
        }
    }
    *out = cs;
    return m;
}

/* ---- reading -------------------------------------------------------------- */

frame *csv_read_buffer(const char *buf, size_t len, const char *name, const csv_opts *opts, lab_err *e) {
    csv_opts defaults;
    if (!opts) {
        csv_opts_init(&defaults);
        opts = &defaults;
    }
    reader r = {0};
    r.name = name ? name : "<csv>";
    r.o = opts;
    r.sep = opts->sep ? opts->sep : ',';
    r.na = opts->na ? opts->na : default_na;
    r.nna = opts->na ? opts->nna : 2;
    size_t na_len[64];
    if (r.nna > 64) return lab_fail(e, "%s: at most 64 NA tokens", r.name ? r.name : "csv"), NULL;
    r.na_len = na_len;
    r.fast_numbers = 1;
    for (int k = 0; k < r.nna; k++) {
        na_len[k] = strlen(r.na[k]);
        if (na_len[k] > r.na_maxlen) r.na_maxlen = na_len[k];
        char c0 = r.na[k][0];
        if ((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.') r.fast_numbers = 0;
    }
    r.delim[(unsigned char)r.sep] = r.delim['\n'] = r.delim['\r'] = 1;
    if (r.sep == '"' || r.sep == '\n' || r.sep == '\r')
        return lab_fail(e, "%s: the separator cannot be a quote or a line break", r.name), NULL;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
        r.bom = 3;
    }
    r.buf = buf;
    r.end = buf + len;
    frame *f = NULL;
    chunk *cs = NULL;
    int nch = 0;
    /* skip blank lines before the header */
    const char *p = buf;
    while (p < r.end && (*p == '\n' || *p == '\r')) p++;
    if (p == r.end) {
        if (opts->header) return lab_fail(e, "%s: empty file: no header row", r.name), NULL;
        return frame_new();
    }
    if (opts->header) {
        r.ncol = parse_names(&r, &p, &r.names, e);
        if (r.ncol < 0) return NULL;
        for (int j = 0; j < r.ncol; j++) {
            size_t nl = strlen(r.names[j]);
            if (utf8_valid_prefix((const unsigned char *)r.names[j], nl) != nl) {
                fail_at(e, &r, buf, "invalid UTF-8 in the header");
                goto done;
            }
        }
    } else {
        const char *q = p;
        char **tmp;
        r.ncol = parse_names(&r, &q, &tmp, e);
        if (r.ncol < 0) return NULL;
        r.names = tmp;
        for (int j = 0; j < r.ncol; j++) r.names[j][0] = '\0';
    }
    fix_names(r.names, r.ncol);
    r.body = p;
    if (opts->header) {
        const char *nul = memchr(buf, '\0', (size_t)(p - buf));
        if (nul) {
            fail_at(e, &r, nul, "NUL byte in the text (is this a binary file?)");
            goto done;
        }
    }

    r.forced_kind = xmalloc((size_t)r.ncol * sizeof(int));
    static const int kind_of[] = {[COL_NUMBER] = K_NUM, [COL_INTEGER] = K_INT, [COL_BOOLEAN] = K_BOOL,
                                  [COL_STRING] = K_STR};
    for (int j = 0; j < r.ncol; j++) r.forced_kind[j] = opts->force_all ? kind_of[opts->all_type] : -1;
    for (int t = 0; t < opts->ntypes; t++) {
        const char *cn = opts->type_cols[t];
        int j = -1;
        if (cn[0] == '#') j = atoi(cn + 1) - 1;
        else {
            frame names = {.ncol = r.ncol, .names = r.names};
            j = frame_lookup(&names, cn, e);
            if (j < 0) {
                char msg[400];
                memcpy(msg, e->msg, sizeof msg - 1);
                msg[sizeof msg - 1] = '\0';
                lab_fail(e, "%.100s: types: %s", r.name, msg);
                goto done;
            }
        }
        if (j < 0 || j >= r.ncol) {
            lab_fail(e, "%s: types: no column %s (the file has %d)", r.name, cn, r.ncol);
            goto done;
        }
        r.forced_kind[j] = kind_of[opts->type_vals[t]];
    }

    int threads = opts->threads > 0 ? opts->threads : cpu_count();
    size_t body_len = (size_t)(r.end - r.body);
    if (threads > 8) threads = 8;
    if ((size_t)threads > body_len / (1 << 20)) threads = (int)(body_len / (1 << 20));
    if (threads < 1) threads = 1;
    nch = parse_body(&r, threads, &cs);
    if (nch == 0) nch = parse_body(&r, 1, &cs);

    for (int k = 0; k < nch; k++)
        if (cs[k].err_at) {
            fail_at(e, &r, cs[k].err_at, cs[k].err_what);
            goto done;
        }

    /* Kinds over all chunks; chunks that saw a column as something narrower
     * than string while others made it string are parsed again. */
    int *kinds = xmalloc((size_t)(r.ncol ? r.ncol : 1) * sizeof(int));
    for (int j = 0; j < r.ncol; j++) {
        kinds[j] = K_EMPTY;
        int qe = 0;
        for (int k = 0; k < nch; k++) {
            kinds[j] = join_kind(kinds[j], cs[k].cols[j].kind);
            qe |= cs[k].cols[j].quoted_empty;
        }
        if (kinds[j] == K_EMPTY && qe) kinds[j] = K_STR;
    }
    for (int k = 0; k < nch; k++) {
        int again = 0;
        for (int j = 0; j < r.ncol; j++)
            if (kinds[j] == K_STR &&
                (cs[k].cols[j].kind != K_STR || cs[k].cols[j].quoted_empty || cs[k].cols[j].nan_seen))
                again = 1;
        if (!again) continue;
        free(cs[k].kinds_in);
        cs[k].kinds_in = xmalloc((size_t)r.ncol * sizeof(int));
        for (int j = 0; j < r.ncol; j++) {
            cs[k].kinds_in[j] = kinds[j] == K_STR ? K_STR : cs[k].cols[j].kind;
            if (kinds[j] == K_STR && !cs[k].cols[j].dict) cs[k].cols[j].dict = strdict_new();
        }
        chunk_parse(&cs[k]);
        if (cs[k].err_at) {
            fail_at(e, &r, cs[k].err_at, cs[k].err_what);
            free(kinds);
            goto done;
        }
    }
    size_t nrow = 0;
    for (int k = 0; k < nch; k++) nrow += cs[k].rows;
    f = frame_new();
    {
        column **merged = xcalloc((size_t)(r.ncol ? r.ncol : 1), sizeof *merged);
        merge_all(cs, nch, r.ncol, kinds, nrow, merged);
        for (int j = 0; j < r.ncol; j++) frame_set_column(f, r.names[j], merged[j], NULL);
        free(merged);
    }
    f->nrow = nrow;
    free(kinds);
    if (opts->progress) opts->progress(opts->progress_ud, len, len);

done:
    for (int k = 0; k < nch; k++) chunk_free(&cs[k], r.ncol);
    free(cs);
    for (int j = 0; j < r.ncol; j++) free(r.names[j]);
    free(r.names);
    free(r.forced_kind);
    return f;
}

frame *csv_read_file(const char *path, const csv_opts *o, lab_err *e) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return lab_fail(e, "%s: %s", path, strerror(errno)), NULL;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        lab_fail(e, "%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return lab_fail(e, "%s: is a directory", path), NULL;
    }
    frame *f;
    if (st.st_size == 0) {
        close(fd);
        return csv_read_buffer("", 0, path, o, e);
    }
    if (!S_ISREG(st.st_mode)) {
        /* a pipe or device: read it all */
        size_t cap = 1 << 16, len = 0;
        char *buf = xmalloc(cap);
        ssize_t got;
        while ((got = read(fd, buf + len, cap - len)) > 0) {
            len += (size_t)got;
            if (len == cap) buf = xrealloc(buf, cap *= 2);
        }
        close(fd);
        if (got < 0) {
            free(buf);
            return lab_fail(e, "%s: %s", path, strerror(errno)), NULL;
        }
        f = csv_read_buffer(buf, len, path, o, e);
        free(buf);
        return f;
    }
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return lab_fail(e, "%s: %s", path, strerror(errno)), NULL;
    madvise(map, len, MADV_SEQUENTIAL);
    f = csv_read_buffer(map, len, path, o, e);
    munmap(map, len);
    return f;
}

/* ---- writing -------------------------------------------------------------- */

typedef struct wbuf {
    FILE *fp;
    char *b;
    size_t n, cap;
} wbuf;

static void wflush(wbuf *w) {
    if (w->n) fwrite(w->b, 1, w->n, w->fp);
    w->n = 0;
}

static void wput(wbuf *w, const char *s, size_t n) {
    if (w->n + n > w->cap) {
        wflush(w);
        if (n > w->cap) {
            fwrite(s, 1, n, w->fp);
            return;
        }
    }
    memcpy(w->b + w->n, s, n);
    w->n += n;
}

static void wput_text(wbuf *w, const char *s, size_t n, char sep, int quote_anyway) {
    /* a leading U+FEFF would be taken for the file's byte-order mark */
    int q = quote_anyway || n == 0 || (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0);
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!q) {
        wput(w, s, n);
        return;
    }
    wput(w, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"') {
            wput(w, s + from, i + 1 - from);
            wput(w, "\"", 1);
            from = i + 1;
        }
    wput(w, s + from, n - from);
    wput(w, "\"", 1);
}

int csv_write_file(const frame *f, const char *path, char sep, lab_err *e) {
    if (!sep) sep = ',';
    if (f->ncol == 0) return lab_fail(e, "%s: a frame with no columns cannot be written as CSV", path);
    size_t plen = strlen(path);
    char *tmp = xmalloc(plen + 32);
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        int rc = lab_fail(e, "%s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    wbuf w = {fp, xmalloc(1 << 16), 0, 1 << 16};
    for (int j = 0; j < f->ncol; j++) {
        if (j) wput(&w, &sep, 1);
        wput_text(&w, f->names[j], strlen(f->names[j]), sep, 0);
    }
    wput(&w, "\n", 1);
    char num[64];
    for (size_t i = 0; i < f->nrow; i++) {
        for (int j = 0; j < f->ncol; j++) {
            const column *c = f->cols[j];
            if (j) wput(&w, &sep, 1);
            if (col_is_na(c, i)) {
                /* an empty line would be skipped as blank: say NA */
                if (f->ncol == 1) wput(&w, "NA", 2);
                continue;
            }
            int n;
            switch (c->type) {
            case COL_NUMBER:
                if (isnan(c->f64[i])) break;
                n = lab_fmt_double(num, c->f64[i]);
                /* 2.0 is written "2.0" so that it reads back as a number */
                if (!strpbrk(num, ".en")) {
                    memcpy(num + n, ".0", 3);
                    n += 2;
                }
                wput(&w, num, (size_t)n);
                break;
            case COL_INTEGER:
                n = snprintf(num, sizeof num, "%lld", (long long)c->i64[i]);
                wput(&w, num, (size_t)n);
                break;
            case COL_BOOLEAN: wput(&w, c->b[i] ? "true" : "false", c->b[i] ? 4 : 5); break;
            case COL_STRING: {
                uint32_t code = c->code[i];
                const char *s = c->dict->str[code];
                size_t len = c->dict->len[code];
                /* "NA" would read back as missing: quote it */
                wput_text(&w, s, len, sep, len == 2 && s[0] == 'N' && s[1] == 'A');
                break;
            }
            }
        }
        wput(&w, "\n", 1);
    }
    wflush(&w);
    free(w.b);
    int bad = ferror(fp);
    if (fflush(fp) != 0) bad = 1;
    if (fsync(fileno(fp)) != 0 && errno != EINVAL) bad = 1;
    if (fclose(fp) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        int rc = lab_fail(e, "%s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}
