/* print.c — text tables for frames and one-line vectors for columns.
 *
 * Only the rows that will show are formatted, so printing a frame of ten
 * million rows costs the same as printing one of twenty. */
#include "print.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void print_opts_init(print_opts *o) {
    o->max_rows = 20;
    o->edge_rows = 5;
    o->width = 100;
    o->max_cell = 30;
}

size_t text_width(const char *s, size_t n) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

/* Byte length of the first `width` characters of s. */
static size_t prefix_bytes(const char *s, size_t n, size_t width) {
    size_t w = 0, i = 0;
    for (; i < n; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (w == width) break;
            w++;
        }
    }
    return i;
}


static void sb_pad(strbuf *s, size_t n) {
    while (n--) strbuf_add(s, " ", 1);
}

/* Cell text for display: numbers with up to 6 significant digits. */
static void cell_text(const column *c, size_t i, char *buf, size_t cap, int max_cell) {
    if (col_is_na(c, i)) {
        snprintf(buf, cap, "NA");
        return;
    }
    switch (c->type) {
    case COL_NUMBER: {
        double v = c->f64[i];
        if (isnan(v)) snprintf(buf, cap, "NaN");
        else if (isinf(v)) snprintf(buf, cap, v > 0 ? "inf" : "-inf");
        else snprintf(buf, cap, "%.6g", v);
        break;
    }
    case COL_INTEGER: snprintf(buf, cap, "%lld", (long long)c->i64[i]); break;
    case COL_BOOLEAN: snprintf(buf, cap, "%s", c->b[i] ? "true" : "false"); break;
    case COL_STRING: {
        const char *s = c->dict->str[c->code[i]];
        size_t len = c->dict->len[c->code[i]];
        if (text_width(s, len) > (size_t)max_cell) {
            size_t keep = prefix_bytes(s, len, (size_t)max_cell - 1);
            snprintf(buf, cap, "%.*s…", (int)keep, s);
        } else snprintf(buf, cap, "%.*s", (int)len, s);
        /* control characters would break the table */
        for (char *p = buf; *p; p++)
            if ((unsigned char)*p < 0x20) *p = ' ';
        break;
    }
    }
}

char *frame_format(const frame *f, const print_opts *opts) {
    print_opts o;
    if (opts) o = *opts;
    else print_opts_init(&o);
    if (o.edge_rows * 2 > o.max_rows) o.edge_rows = o.max_rows / 2;
    size_t n = f->nrow;
    int elide = n > o.max_rows;
    size_t shown = elide ? o.edge_rows * 2 : n;
    size_t *rows = xmalloc((shown ? shown : 1) * sizeof *rows);
    for (size_t k = 0; k < shown; k++)
        rows[k] = !elide || k < o.edge_rows ? k : n - shown + k;

    strbuf s = {0};
    char head[128];
    snprintf(head, sizeof head, "frame %zu rows × %d columns\n", n, f->ncol);
    strbuf_adds(&s, head);
    if (f->ncol == 0) {
        free(rows);
        return s.s;
    }
    /* width of the row-number column */
    char tmp[64];
    int idxw = snprintf(tmp, sizeof tmp, "%zu", n ? n : 1);
    int used = idxw;
    int ncol_shown = 0;
    size_t cellcap = (size_t)o.max_cell * 4 + 8;
    char **cells = xcalloc((size_t)f->ncol * (shown + 2), sizeof *cells);
    int *widths = xcalloc((size_t)f->ncol, sizeof *widths);
    for (int j = 0; j < f->ncol; j++) {
        const column *c = f->cols[j];
        char **cc = cells + (size_t)j * (shown + 2);
        char name[256];
        size_t nl = strlen(f->names[j]);
        if (text_width(f->names[j], nl) > (size_t)o.max_cell)
            snprintf(name, sizeof name, "%.*s…", (int)prefix_bytes(f->names[j], nl, (size_t)o.max_cell - 1),
                     f->names[j]);
        else snprintf(name, sizeof name, "%s", f->names[j]);
        cc[0] = xstrdup(name);
        cc[1] = xstrdup(col_type_name(c->type));
        int w = (int)text_width(cc[0], strlen(cc[0]));
        if ((int)strlen(cc[1]) > w) w = (int)strlen(cc[1]);
        for (size_t k = 0; k < shown; k++) {
            char *buf = xmalloc(cellcap);
            cell_text(c, rows[k], buf, cellcap, o.max_cell);
            cc[k + 2] = buf;
            int cw = (int)text_width(buf, strlen(buf));
            if (cw > w) w = cw;
        }
        widths[j] = w;
        if (used + 2 + w > o.width && ncol_shown > 0) break;
        used += 2 + w;
        ncol_shown++;
    }
    for (size_t line = 0; line < shown + 2; line++) {
        if (elide && line == o.edge_rows + 2) {
            char more[96];
            snprintf(more, sizeof more, "%*s  … %zu more rows\n", idxw, "", n - shown);
            strbuf_adds(&s, more);
        }
        if (line < 2) sb_pad(&s, (size_t)idxw);
        else {
            snprintf(tmp, sizeof tmp, "%*zu", idxw, rows[line - 2] + 1);
            strbuf_adds(&s, tmp);
        }
        for (int j = 0; j < ncol_shown; j++) {
            const char *t = cells[(size_t)j * (shown + 2) + line];
            int tw = (int)text_width(t, strlen(t));
            int left = f->cols[j]->type == COL_STRING || f->cols[j]->type == COL_BOOLEAN;
            sb_pad(&s, 2);
            if (left) {
                strbuf_adds(&s, t);
                if (j + 1 < ncol_shown) sb_pad(&s, (size_t)(widths[j] - tw));
            } else {
                sb_pad(&s, (size_t)(widths[j] - tw));
                strbuf_adds(&s, t);
            }
        }
        /* no trailing blanks */
        while (s.n && s.s[s.n - 1] == ' ') s.s[--s.n] = '\0';
        strbuf_add(&s, "\n", 1);
    }
    if (ncol_shown < f->ncol) {
        snprintf(tmp, sizeof tmp, "… %d more columns:", f->ncol - ncol_shown);
        strbuf_adds(&s, tmp);
        for (int j = ncol_shown; j < f->ncol && j < ncol_shown + 12; j++) {
            strbuf_adds(&s, " ");
            strbuf_adds(&s, f->names[j]);
        }
        if (f->ncol > ncol_shown + 12) strbuf_adds(&s, " …");
        strbuf_add(&s, "\n", 1);
    }
    for (size_t k = 0; k < (size_t)f->ncol * (shown + 2); k++) free(cells[k]);
    free(cells);
    free(widths);
    free(rows);
    /* drop the final newline: the printer adds its own */
    if (s.n && s.s[s.n - 1] == '\n') s.s[--s.n] = '\0';
    return s.s;
}

char *col_format_vector(const column *c, const char *name, int width) {
    strbuf s = {0};
    char buf[160];
    snprintf(buf, sizeof buf, "%s[%zu]%s%s:", col_type_name(c->type), c->n, name && *name ? " " : "",
             name ? name : "");
    strbuf_adds(&s, buf);
    size_t na = col_na_count(c);
    /* as many values from each end as fit */
    size_t lo = 0, hi = c->n;
    int room = width - (int)s.n - 12;
    strbuf tail = {0};
    int front = 1;
    while (lo < hi && room > 0) {
        size_t i = front ? lo : hi - 1;
        cell_text(c, i, buf, sizeof buf, 20);
        char item[200];
        if (c->type == COL_STRING && !col_is_na(c, i)) snprintf(item, sizeof item, "\"%s\"", buf);
        else snprintf(item, sizeof item, "%s", buf);
        int w = (int)text_width(item, strlen(item)) + 1;
        if (w > room && lo + 1 < hi) break;
        room -= w;
        if (front) {
            strbuf_adds(&s, " ");
            strbuf_adds(&s, item);
            lo++;
        } else {
            char *old = tail.s;
            strbuf nt = {0};
            strbuf_adds(&nt, " ");
            strbuf_adds(&nt, item);
            if (old) strbuf_adds(&nt, old);
            free(old);
            tail = nt;
            hi--;
        }
        front = !front;
    }
    if (lo < hi) strbuf_adds(&s, " …");
    if (tail.s) strbuf_adds(&s, tail.s);
    free(tail.s);
    if (na) {
        snprintf(buf, sizeof buf, "  (%zu NA)", na);
        strbuf_adds(&s, buf);
    }
    if (!s.s) strbuf_adds(&s, "");
    return s.s;
}
