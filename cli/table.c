/* table.c — aligned text tables for `lab runs` and `lab models`.
 *
 * Tables are built a column at a time, because the listing decides how many
 * metric columns fit only after measuring them. A column keeps its cells'
 * text in one growing buffer and an array of (offset, width) beside it, so a
 * 10,000-run listing costs a few allocations rather than one per cell, and a
 * cell is measured once, when it is put. Printing builds the whole table in
 * one buffer of the exact size and writes it with one fwrite: `lab runs
 * list` over 10,000 runs spends its time in SQLite, not here. Widths count
 * characters, not bytes (run and experiment names may be UTF-8). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

size_t table_add_col(table *t, const char *head, int right, size_t maxw) {
    if (t->ncol == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->cols = xrealloc(t->cols, t->cap * sizeof *t->cols);
    }
    table_col *c = &t->cols[t->ncol];
    memset(c, 0, sizeof *c);
    c->head = xstrdup(head);
    c->right = right;
    c->maxw = maxw;
    size_t w = 0;
    for (const char *p = head; *p; p++) w += ((unsigned char)*p & 0xC0) != 0x80;
    c->width = w;
    return t->ncol++;
}

/* Byte length of the first w characters of s (len bytes). */
static size_t prefix_bytes(const char *s, size_t len, size_t w) {
    size_t i = 0, k = 0;
    while (i < len && k < w) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        k++;
    }
    return i;
}

void table_putn(table *t, size_t ci, const char *text, size_t len) {
    table_col *c = &t->cols[ci];
    if (!text) text = "", len = 0;
    /* one pass: the width, and whether a newline or tab (which would break
     * the columns) is there */
    size_t w = 0;
    int plain = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        w += (ch & 0xC0) != 0x80;
        if (ch < 0x20 && (ch == '\n' || ch == '\r' || ch == '\t')) plain = 0;
    }
    const char *tail = NULL;
    if (c->maxw && w > c->maxw) {
        len = prefix_bytes(text, len, c->maxw - 1);
        tail = "…";
        w = c->maxw;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : t->rows > 64 ? t->rows + 1 : 64;
        c->cell = xrealloc(c->cell, c->cap * sizeof *c->cell);
    }
    size_t need = len + (tail ? strlen(tail) : 0) + 1;
    if (c->text.n + need + 1 > c->text.cap) {
        /* guess the whole column from its first cells */
        size_t want = c->text.n + need;
        if (t->rows > c->n) want += (t->rows - c->n) * (c->text.n + need) / (c->n + 1);
        size_t cap = c->text.cap ? c->text.cap * 2 : 256;
        while (cap < want + 1) cap *= 2;
        c->text.s = xrealloc(c->text.s, cap);
        c->text.cap = cap;
    }
    /* offsets are 32-bit: a column holds less than 4 GiB of text */
    if (c->text.n + need > UINT32_MAX) lab_die("table: a column of more than 4 GiB");
    char *dst = c->text.s + c->text.n;
    memcpy(dst, text, len);
    if (tail) memcpy(dst + len, tail, strlen(tail));
    dst[need - 1] = '\0';
    if (!plain)
        for (char *p = dst; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    c->cell[c->n++] = (table_cell){(uint32_t)c->text.n, (uint32_t)w};
    c->text.n += need;
    if (w > c->width) c->width = w;
    if (need - 1 > c->maxlen) c->maxlen = need - 1;
}

void table_put(table *t, size_t c, const char *text) { table_putn(t, c, text, text ? strlen(text) : 0); }

void table_putf(table *t, size_t c, const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    table_putn(t, c, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

size_t table_width(const table *t, size_t ncol) {
    size_t w = 0;
    for (size_t j = 0; j < ncol && j < t->ncol; j++) w += t->cols[j].width + (j ? 2 : 0);
    return w;
}

void table_pop(table *t) {
    if (!t->ncol) return;
    table_col *c = &t->cols[--t->ncol];
    free(c->head);
    free(c->text.s);
    free(c->cell);
}

/* Write one line (cells of row r, or the heads when r is (size_t)-1) at p;
 * returns the end. Trailing spaces are not written. */
static char *put_line(const table *t, char *p, size_t r, int indent) {
    char *start = p;
    memset(p, ' ', (size_t)indent);
    p += indent;
    for (size_t j = 0; j < t->ncol; j++) {
        const table_col *c = &t->cols[j];
        const char *s;
        size_t len, w;
        if (r == (size_t)-1) {
            s = c->head;
            len = strlen(s);
            w = 0;
            for (size_t i = 0; i < len; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
        } else if (r < c->n) {
            s = c->text.s + c->cell[r].off;
            len = (r + 1 < c->n ? c->cell[r + 1].off : c->text.n) - c->cell[r].off - 1;
            w = c->cell[r].w;
        } else {
            s = "", len = 0, w = 0;
        }
        size_t gap = c->width - w;
        if (j) *p++ = ' ', *p++ = ' ';
        if (c->right) memset(p, ' ', gap), p += gap;
        memcpy(p, s, len);
        p += len;
        if (!c->right) memset(p, ' ', gap), p += gap;
    }
    while (p > start && p[-1] == ' ') p--;
    *p++ = '\n';
    return p;
}

void table_print(const table *t, FILE *f, int indent) {
    /* a line is at most its padding and separators plus its cells' bytes */
    size_t nrow = 0, line = (size_t)indent + 1;
    for (size_t j = 0; j < t->ncol; j++) {
        const table_col *c = &t->cols[j];
        size_t hl = strlen(c->head);
        if (c->n > nrow) nrow = c->n;
        line += c->width + 2 + (c->maxlen > hl ? c->maxlen : hl);
    }
    /* lines are gathered in a 64 KiB buffer, reused: for a big listing,
     * touching fresh pages for the whole text cost more than the writes */
    size_t cap = line + (1u << 16);
    char *buf = xmalloc(cap), *p = buf;
    p = put_line(t, p, (size_t)-1, indent);
    for (size_t r = 0; r < nrow; r++) {
        if ((size_t)(p - buf) + line > cap) {
            fwrite(buf, 1, (size_t)(p - buf), f);
            p = buf;
        }
        p = put_line(t, p, r, indent);
    }
    fwrite(buf, 1, (size_t)(p - buf), f);
    free(buf);
}

void table_free(table *t) {
    while (t->ncol) table_pop(t);
    free(t->cols);
    memset(t, 0, sizeof *t);
}
