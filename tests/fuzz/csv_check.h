/* csv_check.h — the checks that the CSV fuzz target and its regression test
 * share: read one input under options taken from its first byte, then test
 * what csv.h promises about the result.
 *
 * Included (not linked) by tests/fuzz/fuzz_csv.c and tests/c/test_csv_regress.c,
 * so that libFuzzer and cmocka run the very same checks; everything here is
 * static. The trade-off: one invariant failure is reported per input (the
 * first one met), which keeps a regression case about one thing.
 *
 * The first byte of an input chooses the options; the rest is the CSV text:
 *   bits 0-1  separator: ',' ';' '\t' '|'
 *   bit  2    header off
 *   bits 3-5  type override: none, #1 number, #1 integer, #1 boolean,
 *             #1 string, #2 string, #2 integer, "#0" (a bad position)
 *   bit  6    large: the text is repeated past 2 MiB and read on 1 and on 2
 *             threads (the reader splits only bodies over 1 MiB a thread)
 *   bit  7    NA tokens {"-", "null", "NA"} instead of the default {"", "NA"}
 *
 * Invariants (csv.h and frame.h):
 *   - a failure fills a one-line message that starts with the input's name;
 *   - on success every column has nrow rows, string codes are below the
 *     dictionary size, strings are valid UTF-8, names are non-empty and unique;
 *   - reading on 2 threads gives the same result as on 1 (frame or message);
 *   - write-then-read gives back an equal frame (csv.h: "write-then-read gives
 *     back the same frame"), checked twice: re-reading with the original
 *     column types forced, and, when no type was forced on the first read,
 *     re-reading with plain default options. */
#ifndef LAB_CSV_CHECK_H
#define LAB_CSV_CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv.h"

/* Invariant failures, by kind; a caller may tolerate some kinds (a bit each). */
enum {
    CHK_OK = 0,
    CHK_MESSAGE = 1,        /* failure message empty, multi-line or unnamed */
    CHK_SHAPE = 2,          /* column length, codes, names, UTF-8 */
    CHK_THREADS = 3,        /* 2 threads differ from 1 */
    CHK_ROUNDTRIP_TYPED = 4,/* write, read with types forced: not equal */
    CHK_ROUNDTRIP = 5,      /* write, read with defaults: not equal */
    CHK_WRITE = 6,          /* the writer failed */
    CHK_ONECOL_NA = 7,      /* a round trip of one column lost its NA rows (a known gap: the
                             * writer's empty field is a blank line, which the reader skips) */
    CHK_EMPTY_FRAME = 8,    /* a frame of no columns (header off, blank text) was written
                             * but does not read back (refusing to write it is fine) */
    CHK_BOM_NAME = 9        /* a first name that starts with U+FEFF loses it on the way back
                             * (the reader strips a BOM at the start of the text) */
};

static const char *const chk_kind_name[] = {"ok", "message", "shape", "threads", "roundtrip-typed",
                                            "roundtrip", "write", "onecol-na", "empty-frame",
                                            "bom-name"};

static int chk_fail(char *why, size_t cap, int kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int chk_fail(char *why, size_t cap, int kind, const char *fmt, ...) {
    int n = snprintf(why, cap, "%s: ", chk_kind_name[kind]);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < cap) vsnprintf(why + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    return kind;
}

static int chk_utf8_ok(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned min, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) len = 2, min = 0x80;
        else if ((c & 0xf0) == 0xe0) len = 3, min = 0x800;
        else if ((c & 0xf8) == 0xf0) len = 4, min = 0x10000;
        else return 0;
        if (i + len > n) return 0;
        cp = c & (0x7fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += len;
    }
    return 1;
}

static int chk_message(const lab_err *e, const char *name, char *why, size_t cap) {
    size_t nl = strlen(name);
    if (e->msg[0] == '\0') return chk_fail(why, cap, CHK_MESSAGE, "empty error message");
    if (strncmp(e->msg, name, nl) != 0 || e->msg[nl] != ':')
        return chk_fail(why, cap, CHK_MESSAGE, "message does not start with '%s:': %s", name, e->msg);
    if (strchr(e->msg, '\n') || strchr(e->msg, '\r'))
        return chk_fail(why, cap, CHK_MESSAGE, "message is not one line: %s", e->msg);
    return CHK_OK;
}

static int chk_shape(const frame *f, char *why, size_t cap) {
    for (int j = 0; j < f->ncol; j++) {
        const column *c = f->cols[j];
        const char *nm = f->names[j];
        if (!nm || !nm[0]) return chk_fail(why, cap, CHK_SHAPE, "column %d has an empty name", j + 1);
        if (!chk_utf8_ok((const unsigned char *)nm, strlen(nm)))
            return chk_fail(why, cap, CHK_SHAPE, "name of column %d is not UTF-8", j + 1);
        for (int k = 0; k < j; k++)
            if (strcmp(f->names[k], nm) == 0)
                return chk_fail(why, cap, CHK_SHAPE, "columns %d and %d are both named '%s'", k + 1, j + 1, nm);
        if (c->n != f->nrow)
            return chk_fail(why, cap, CHK_SHAPE, "column '%s' has %zu rows, the frame %zu", nm, c->n, f->nrow);
        if (c->type != COL_STRING) continue;
        if (!c->dict) return chk_fail(why, cap, CHK_SHAPE, "string column '%s' has no dictionary", nm);
        for (size_t i = 0; i < c->n; i++) {
            if (col_is_na(c, i)) continue;
            if (c->code[i] >= c->dict->n)
                return chk_fail(why, cap, CHK_SHAPE, "column '%s' row %zu: code %u, dictionary size %u", nm,
                                i + 1, c->code[i], c->dict->n);
        }
        for (uint32_t k = 0; k < c->dict->n; k++) {
            if (strlen(c->dict->str[k]) != c->dict->len[k])
                return chk_fail(why, cap, CHK_SHAPE, "column '%s': dictionary entry %u has a wrong length", nm, k);
            if (!chk_utf8_ok((const unsigned char *)c->dict->str[k], c->dict->len[k]))
                return chk_fail(why, cap, CHK_SHAPE, "column '%s': dictionary entry %u is not UTF-8", nm, k);
        }
    }
    return CHK_OK;
}

/* Describe the first difference between frames a and b into why. The known
 * round-trip gaps get kinds of their own; a difference between threads never. */
static int chk_diff(const frame *a, const frame *b, int kind, char *why, size_t cap) {
    int rt = kind != CHK_THREADS;
    if (rt && a->ncol == 1 && b->ncol == 1 && b->nrow < a->nrow && col_na_count(a->cols[0]) > 0)
        return chk_fail(why, cap, CHK_ONECOL_NA, "(%s) %zu rows of one column became %zu", chk_kind_name[kind],
                        a->nrow, b->nrow);
    if (a->ncol != b->ncol || a->nrow != b->nrow)
        return chk_fail(why, cap, kind, "%zu rows x %d columns became %zu x %d", a->nrow, a->ncol, b->nrow, b->ncol);
    for (int j = 0; j < a->ncol; j++) {
        const column *x = a->cols[j], *y = b->cols[j];
        if (rt && strcmp(a->names[j], b->names[j]) != 0 && strncmp(a->names[j], "\xEF\xBB\xBF", 3) == 0 &&
            strcmp(a->names[j] + 3, b->names[j]) == 0)
            return chk_fail(why, cap, CHK_BOM_NAME, "(%s) column %d: name '%s' lost its leading U+FEFF",
                            chk_kind_name[kind], j + 1, a->names[j]);
        if (strcmp(a->names[j], b->names[j]) != 0)
            return chk_fail(why, cap, kind, "column %d: name '%s' became '%s'", j + 1, a->names[j], b->names[j]);
        if (x->type != y->type)
            return chk_fail(why, cap, kind, "column '%s': type %s became %s", a->names[j], col_type_name(x->type),
                            col_type_name(y->type));
        if (col_equal(x, y)) continue;
        for (size_t i = 0; i < a->nrow; i++) {
            char s1[64], s2[64];
            col_format(x, i, s1, sizeof s1);
            col_format(y, i, s2, sizeof s2);
            int na = col_is_na(x, i), nb = col_is_na(y, i);
            if (na != nb || strcmp(s1, s2) != 0 ||
                (x->type == COL_NUMBER && !na && memcmp(&x->f64[i], &y->f64[i], sizeof(double)) != 0 &&
                 x->f64[i] != y->f64[i]))
                return chk_fail(why, cap, kind, "column '%s' row %zu: '%s' became '%s'", a->names[j], i + 1, s1, s2);
        }
        return chk_fail(why, cap, kind, "column '%s' differs", a->names[j]);
    }
    return chk_fail(why, cap, kind, "frames differ");
}

/* Options from the first byte; the type override goes into tc and tv. */
static void chk_opts(unsigned flags, csv_opts *o, const char **tc, col_type *tv) {
    static const char seps[] = {',', ';', '\t', '|'};
    static const char *const alt_na[] = {"-", "null", "NA"};
    csv_opts_init(o);
    o->sep = seps[flags & 3];
    o->header = !(flags & 4);
    o->threads = 1;
    switch ((flags >> 3) & 7) {
    case 0: return;
    case 1: *tc = "#1", *tv = COL_NUMBER; break;
    case 2: *tc = "#1", *tv = COL_INTEGER; break;
    case 3: *tc = "#1", *tv = COL_BOOLEAN; break;
    case 4: *tc = "#1", *tv = COL_STRING; break;
    case 5: *tc = "#2", *tv = COL_STRING; break;
    case 6: *tc = "#2", *tv = COL_INTEGER; break;
    default: *tc = "#0", *tv = COL_NUMBER; break;
    }
    o->type_cols = tc;
    o->type_vals = tv;
    o->ntypes = 1;
    if (flags & 0x80) {
        o->na = alt_na;
        o->nna = 3;
    }
}

/* Write f to a temporary file and read it back with o (header on), into *out. */
static int chk_reread(const frame *f, char sep, const csv_opts *o, frame **out, char *why, size_t cap) {
    char path[64];
    /* /dev/shm when there is one: the writer fsyncs, and a disk makes that slow */
    snprintf(path, sizeof path, "%s/lab_csv_check_%ld.csv", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (long)getpid());
    lab_err e;
    *out = NULL;
    if (csv_write_file(f, path, sep, &e) < 0) return chk_fail(why, cap, CHK_WRITE, "%s", e.msg);
    *out = csv_read_file(path, o, &e);
    unlink(path);
    if (!*out) {
        /* name the message by the input rather than the temporary path */
        const char *m = strncmp(e.msg, path, strlen(path)) == 0 ? e.msg + strlen(path) : e.msg;
        return chk_fail(why, cap, CHK_ROUNDTRIP_TYPED, "the written file does not read back: <written>%s", m);
    }
    return CHK_OK;
}

/* Write-then-read, with the types forced and (when plain is set) with default
 * options. The plain check applies only to frames whose types the reader
 * inferred itself: a type forced by an option (a column of digits read as
 * string, an all-NA integer column) is not in the text, so no reader can get
 * it back from the text alone. */
static int chk_roundtrip(const frame *f, char sep, int plain, char *why, size_t cap) {
    if (f->ncol == 0) {
        /* no text can hold a frame of no columns: the writer may refuse it,
         * with a message naming the path; what it writes must read back */
        char path[64];
        snprintf(path, sizeof path, "/tmp/lab_csv_check_empty_%ld.csv", (long)getpid());
        lab_err e;
        if (csv_write_file(f, path, sep, &e) < 0) {
            if (strncmp(e.msg, path, strlen(path)) != 0 || strchr(e.msg, '\n'))
                return chk_fail(why, cap, CHK_MESSAGE, "writing a frame of no columns: %s", e.msg);
            return CHK_OK;
        }
        unlink(path);
    }
    csv_opts o;
    csv_opts_init(&o);
    o.sep = sep;
    o.threads = 1;
    /* the original types, forced by position */
    int n = f->ncol;
    char(*pos)[16] = xmalloc((size_t)(n ? n : 1) * sizeof *pos);
    const char **tc = xmalloc((size_t)(n ? n : 1) * sizeof *tc);
    col_type *tv = xmalloc((size_t)(n ? n : 1) * sizeof *tv);
    for (int j = 0; j < n; j++) {
        snprintf(pos[j], sizeof pos[j], "#%d", j + 1);
        tc[j] = pos[j];
        tv[j] = f->cols[j]->type;
    }
    o.type_cols = tc;
    o.type_vals = tv;
    o.ntypes = n;
    frame *g = NULL;
    int rc;
    if (f->ncol == 0) {
        /* By design the writer refuses a frame of no columns (its text would
         * be an empty file, which reads as an error): it must say so. */
        lab_err e = {{0}};
        rc = csv_write_file(f, "/nonexistent-dir/never.csv", sep, &e) == 0 || !strstr(e.msg, "no columns")
                 ? chk_fail(why, cap, CHK_EMPTY_FRAME, "a frame of no columns was not refused: %s", e.msg)
                 : CHK_OK;
        free(pos);
        free(tc);
        free(tv);
        return rc;
    }
    rc = chk_reread(f, sep, &o, &g, why, cap);
    if (rc == CHK_OK && !frame_equal(f, g)) rc = chk_diff(f, g, CHK_ROUNDTRIP_TYPED, why, cap);
    frame_free(g);
    g = NULL;
    free(pos);
    free(tc);
    free(tv);
    if (rc != CHK_OK || !plain) return rc;
    o.type_cols = NULL;
    o.type_vals = NULL;
    o.ntypes = 0;
    rc = chk_reread(f, sep, &o, &g, why, cap);
    if (rc == CHK_ROUNDTRIP_TYPED) rc = CHK_ROUNDTRIP; /* it read back once already */
    if (rc == CHK_OK && !frame_equal(f, g)) rc = chk_diff(f, g, CHK_ROUNDTRIP, why, cap);
    frame_free(g);
    return rc;
}

/* Read buf under o; check what must hold. *out gets the frame (or NULL). */
static int chk_read(const char *buf, size_t len, const csv_opts *o, frame **out, lab_err *e, char *why,
                    size_t cap) {
    *out = csv_read_buffer(buf, len, "fuzz", o, e);
    if (!*out) return chk_message(e, "fuzz", why, cap);
    return chk_shape(*out, why, cap);
}

/* The text made large: copies of text, each ended by a line break, past 2 MiB
 * plus one copy, so that a two-thread read gets two chunks. NULL when the
 * text is empty or too long to repeat cheaply. */
static char *chk_enlarge(const char *text, size_t len, size_t *out_len) {
    const size_t want = (2u << 20) + 4096;
    if (len == 0 || len > 8192) return NULL;
    size_t unit = len + 1;
    size_t copies = want / unit + 2;
    char *big = xmalloc(copies * unit);
    for (size_t k = 0; k < copies; k++) {
        memcpy(big + k * unit, text, len);
        big[k * unit + len] = '\n';
    }
    *out_len = copies * unit;
    return big;
}

/* Run every check on one input (first byte: options). Returns CHK_OK or the
 * kind of the first failed invariant, described in why. Kinds whose bit is
 * set in tolerate are passed over, so that fuzzing can go on past a known gap.
 * allow_large 0 reads the text as it is even when its large bit is set (a
 * large case costs two 2 MiB reads, slow under coverage instrumentation). */
static int csv_check_input(const uint8_t *data, size_t size, unsigned tolerate, int allow_large, char *why,
                           size_t cap) {
    why[0] = '\0';
    if (size < 1) return CHK_OK;
    unsigned flags = data[0];
    if (!allow_large) flags &= ~0x40u;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    csv_opts o;
    const char *tc = NULL;
    col_type tv = COL_NUMBER;
    chk_opts(flags, &o, &tc, &tv);
    lab_err e, e2;
    frame *f = NULL, *g = NULL;
    char *big = NULL;
    int rc;

    if (flags & 0x40) {
        size_t blen = 0;
        big = chk_enlarge(text, len, &blen);
        if (big) {
            rc = chk_read(big, blen, &o, &f, &e, why, cap);
            if (rc != CHK_OK && !(tolerate & (1u << rc))) goto done;
            o.threads = 2;
            rc = chk_read(big, blen, &o, &g, &e2, why, cap);
            if (rc != CHK_OK && !(tolerate & (1u << rc))) goto done;
            rc = CHK_OK;
            if (!f != !g)
                rc = chk_fail(why, cap, CHK_THREADS, "1 thread: %s; 2 threads: %s", f ? "a frame" : e.msg,
                              g ? "a frame" : e2.msg);
            else if (!f && strcmp(e.msg, e2.msg) != 0)
                rc = chk_fail(why, cap, CHK_THREADS, "1 thread: %s; 2 threads: %s", e.msg, e2.msg);
            else if (f && !frame_equal(f, g))
                rc = chk_diff(f, g, CHK_THREADS, why, cap);
            if (rc != CHK_OK && !(tolerate & (1u << rc))) goto done;
            rc = CHK_OK;
            goto done;
        }
    }
    rc = chk_read(text, len, &o, &f, &e, why, cap);
    if (rc != CHK_OK && !(tolerate & (1u << rc))) goto done;
    if (f) {
        rc = chk_roundtrip(f, o.sep, o.ntypes == 0, why, cap);
        if (rc != CHK_OK && (tolerate & (1u << rc))) rc = CHK_OK;
    } else rc = CHK_OK;

done:
    if (rc == CHK_OK) why[0] = '\0';
    frame_free(f);
    frame_free(g);
    free(big);
    return rc;
}

#endif
