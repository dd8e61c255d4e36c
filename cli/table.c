/* table.c — aligned text tables for `lab runs` and `lab models`.
 *
 * Tables are built a column at a time, because the listing decides how many
 * metric columns fit only after measuring them; each column's cells live in
 * one growing buffer (offsets beside it), so a 10,000-run listing costs a few
 * allocations rather than one per cell. Widths count characters, not bytes
 * (run and experiment names may be UTF-8). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "data/print.h"

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
    c->width = text_width(head, strlen(head));
    return t->ncol++;
}

/* Byte length of the first w characters of s. */
static size_t prefix_bytes(const char *s, size_t w) {
    size_t i = 0, k = 0;
    while (s[i] && k < w) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80) i++;
        k++;
    }
    return i;
}

void table_put(table *t, size_t ci, const char *text) {
    table_col *c = &t->cols[ci];
    if (!text) text = "";
    size_t len = strlen(text);
    /* one line per cell: a newline or tab in a name would break the columns */
    int plain = strcspn(text, "\n\r\t") == len;
    size_t w = text_width(text, len);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->off = xrealloc(c->off, c->cap * sizeof *c->off);
    }
    c->off[c->n++] = c->text.n;
    if (c->maxw && w > c->maxw) {
        size_t keep = prefix_bytes(text, c->maxw - 1);
        strbuf_add(&c->text, text, keep);
        strbuf_adds(&c->text, "…");
        w = c->maxw;
    } else {
        strbuf_add(&c->text, text, len);
    }
    strbuf_add(&c->text, "", 1);
    if (!plain) {
        for (char *p = c->text.s + c->off[c->n - 1]; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    }
    if (w > c->width) c->width = w;
}

void table_putf(table *t, size_t c, const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    table_put(t, c, buf);
}

const char *table_cell(const table *t, size_t ci, size_t r) {
    const table_col *c = &t->cols[ci];
    return r < c->n ? c->text.s + c->off[r] : "";
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
    free(c->off);
}

static void pad(strbuf *b, size_t n) {
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        strbuf_add(b, spaces, k);
        n -= k;
    }
}

/* One line: cells of row r, or the heads when r is (size_t)-1. */
static void put_line(const table *t, strbuf *b, size_t r, int indent) {
    size_t start = b->n;
    pad(b, (size_t)indent);
    for (size_t j = 0; j < t->ncol; j++) {
        const table_col *c = &t->cols[j];
        const char *s = r == (size_t)-1 ? c->head : table_cell(t, j, r);
        size_t len = strlen(s), w = text_width(s, len);
        if (j) pad(b, 2);
        if (c->right) pad(b, c->width - w);
        strbuf_add(b, s, len);
        if (!c->right) pad(b, c->width - w);
    }
    while (b->n > start && b->s[b->n - 1] == ' ') b->n--;
    strbuf_add(b, "\n", 1);
}

void table_print(const table *t, FILE *f, int indent) {
    size_t nrow = 0;
    for (size_t j = 0; j < t->ncol; j++)
        if (t->cols[j].n > nrow) nrow = t->cols[j].n;
    strbuf b = {0};
    put_line(t, &b, (size_t)-1, indent);
    for (size_t r = 0; r < nrow; r++) {
        put_line(t, &b, r, indent);
        if (b.n > 1 << 16) {
            fwrite(b.s, 1, b.n, f);
            b.n = 0;
        }
    }
    if (b.n) fwrite(b.s, 1, b.n, f);
    free(b.s);
}

void table_free(table *t) {
    while (t->ncol) table_pop(t);
    free(t->cols);
    memset(t, 0, sizeof *t);
}
