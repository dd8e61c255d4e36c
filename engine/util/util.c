/* util.c — memory, errors and number formatting shared by the engine. */
#include "util.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t lab_interrupt;

static lab_progress_fn progress_hook;

void lab_set_progress_hook(lab_progress_fn fn) { progress_hook = fn; }

void lab_progress(const char *what, double done, double total) {
    if (progress_hook) progress_hook(what, done, total);
}

static void (*oom_handler)(void);

void lab_set_oom_handler(void (*fn)(void)) { oom_handler = fn; }

int lab_make_dirs(const char *dir, lab_err *e) {
    char *p = xstrdup(dir);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0') continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            lab_fail(e, "%s: cannot create folder: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = c;
        if (!c) break;
    }
    free(p);
    return 0;
}

void lab_die(const char *msg) {
    if (oom_handler) oom_handler();
    (void)!write(2, "lab: ", 5);
    (void)!write(2, msg, strlen(msg));
    (void)!write(2, "\n", 1);
    abort();
}

static void oom(size_t n) {
    if (oom_handler) oom_handler();
    char msg[96];
    int len = snprintf(msg, sizeof msg, "lab: out of memory allocating %zu bytes\n", n);
    if (len > 0) (void)!write(2, msg, (size_t)len);
    abort();
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *xmalloc_big(size_t n) {
    const size_t huge = 2u << 20;
    if (n < 2 * huge) return xmalloc(n);
    void *p = NULL;
    if (posix_memalign(&p, huge, n) != 0 || !p) oom(n);
    madvise(p, n, MADV_HUGEPAGE);
    return p;
}

void *xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

void strbuf_add(strbuf *b, const char *s, size_t len) {
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->n + len + 1 > cap) cap *= 2;
        b->s = xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

void strbuf_adds(strbuf *b, const char *s) { strbuf_add(b, s, strlen(s)); }

char *lab_read_file(const char *path, size_t *len, lab_err *e) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        lab_fail(e, "%s: %s", path, strerror(errno));
        return NULL;
    }
    strbuf b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) strbuf_add(&b, buf, n);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(b.s);
        lab_fail(e, "%s: %s", path, strerror(err));
        return NULL;
    }
    if (len) *len = b.n;
    return b.s ? b.s : xstrdup("");
}

int lab_fail(lab_err *e, const char *fmt, ...) {
    if (e) {
        char raw[sizeof e->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        /* An error is one line: control characters quoted from the input (a
         * line break inside a name or a value) are shown escaped. */
        size_t k = 0;
        for (const char *p = raw; *p && k + 5 < sizeof e->msg; p++) {
            unsigned char c = (unsigned char)*p;
            if (c >= 0x20 && c != 0x7f) e->msg[k++] = (char)c;
            else if (c == '\n') k += (size_t)snprintf(e->msg + k, 3, "\\n");
            else if (c == '\r') k += (size_t)snprintf(e->msg + k, 3, "\\r");
            else if (c == '\t') k += (size_t)snprintf(e->msg + k, 3, "\\t");
            else k += (size_t)snprintf(e->msg + k, 5, "\\x%02x", c);
        }
        e->msg[k] = '\0';
    }
    return -1;
}

size_t lab_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return (size_t)-1; /* names that long are never close */
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int lab_fmt_double(char *buf, double v) {
    if (isnan(v)) return snprintf(buf, 32, "nan");
    if (isinf(v)) return snprintf(buf, 32, v > 0 ? "inf" : "-inf");
    /* Integers that a double holds exactly print without an exponent. */
    if (v == floor(v) && fabs(v) < 1e15) return snprintf(buf, 32, "%.0f", v);
    int n = 0;
    /* 15 digits always read back to the same normal double, so the shortest
     * text is among 15..17 (%g drops trailing zeros); a subnormal carries
     * fewer digits (5e-324), so try from 1 */
    for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        n = snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return n;
}

double lab_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
