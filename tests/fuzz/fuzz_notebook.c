/* fuzz_notebook.c — libFuzzer entry point for the notebook cell parser and,
 * for small inputs, the report writers.
 *
 * Every input is a notebook. The parser must return cells whose lines are in
 * order and inside the file, with sources free of carriage returns and with as
 * many lines as they say. Inputs up to 4 KiB then get outputs made from their
 * own bytes (the cell's source as printed text, its title as a result, a few
 * bytes as an image, an error on the last code cell) and are rendered in the
 * three formats: every report must be valid UTF-8 without NUL bytes, and the
 * .ipynb must be valid JSON (checked by the small strict parser below). A
 * failed invariant aborts, so libFuzzer keeps the input as a crash; copy it
 * into tests/c/test_notebook.c as a test. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notebook/notebook.h"
#include "notebook/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, size_t at) {
    fprintf(stderr, "fuzz_notebook: %s (at byte %zu)\n", what, at);
    abort();
}

/* ---- a strict JSON checker (RFC 8259) --------------------------------------- */

typedef struct jp {
    const char *s;
    size_t n, i;
    int depth;
} jp;

static void ws(jp *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\t' || p->s[p->i] == '\r')) p->i++;
}

static int value(jp *p);

static int string(jp *p) {
    if (p->i >= p->n || p->s[p->i] != '"') return 0;
    p->i++;
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            return 1;
        }
        if (c < 0x20) return 0;
        if (c == '\\') {
            if (++p->i >= p->n) return 0;
            char e = p->s[p->i];
            if (e == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (p->i + k >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i + k]) || !p->s[p->i + k])
                        return 0;
                p->i += 5;
            } else if (strchr("\"\\/bfnrt", e) && e)
                p->i++;
            else
                return 0;
        } else
            p->i++;
    }
    return 0;
}

static int number(jp *p) {
    size_t start = p->i;
    if (p->i < p->n && p->s[p->i] == '-') p->i++;
    size_t d = p->i;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') p->i++;
    return p->i > d && p->i > start;
}

static int list(jp *p, char open, char close, int keyed) {
    if (p->s[p->i] != open || ++p->depth > 64) return 0;
    p->i++;
    ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return 1;
    }
    for (;;) {
        ws(p);
        if (keyed) {
            if (!string(p)) return 0;
            ws(p);
            if (p->i >= p->n || p->s[p->i++] != ':') return 0;
        }
        if (!value(p)) return 0;
        ws(p);
        if (p->i >= p->n) return 0;
        char c = p->s[p->i++];
        if (c == close) break;
        if (c != ',') return 0;
    }
    p->depth--;
    return 1;
}

static int value(jp *p) {
    ws(p);
    if (p->i >= p->n) return 0;
    char c = p->s[p->i];
    if (c == '{') return list(p, '{', '}', 1);
    if (c == '[') return list(p, '[', ']', 0);
    if (c == '"') return string(p);
    if (c == '-' || (c >= '0' && c <= '9')) return number(p);
    static const char *const words[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(words[k]);
        if (p->n - p->i >= l && memcmp(p->s + p->i, words[k], l) == 0) {
            p->i += l;
            return 1;
        }
    }
    return 0;
}

static void check_json(const char *s, size_t n) {
    jp p = {s, n, 0, 0};
    if (!value(&p)) fail("ipynb is not valid JSON", p.i);
    ws(&p);
    if (p.i != n) fail("ipynb has text after the JSON value", p.i);
}

static void check_utf8(const char *what, const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t adv;
        if (s[i] == '\0' || text_utf8_decode(s + i, n - i, &adv) < 0) fail(what, i);
        i += s[i] & 0x80 ? adv : 1;
    }
}

/* ---- the entry point -------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    notebook *nb = notebook_parse((const char *)data, size, "fuzz.lua");
    if (nb->ncell == 0) fail("no cells", 0);
    int prev_end = 0;
    for (size_t i = 0; i < nb->ncell; i++) {
        const nb_cell *c = &nb->cells[i];
        int start = c->marker_line ? c->marker_line : 1;
        if (start <= prev_end && i > 0) fail("cells out of order", i);
        if (c->marker_line && c->first_line < c->marker_line) fail("body before its marker", i);
        if (c->nlines > 0 && (c->first_line < 1 || c->first_line + c->nlines - 1 > nb->nlines))
            fail("cell lines outside the file", i);
        if (memchr(c->src, '\r', c->len)) fail("carriage return in a cell", i);
        int nl = 0;
        for (size_t k = 0; k < c->len; k++) nl += c->src[k] == '\n';
        if (c->nlines > 0 ? nl != c->nlines - 1 : c->len != 0) fail("line count does not match the source", i);
        if (notebook_cell_at(nb, start) != (int)i) fail("cell_at does not find the cell's first line", i);
        prev_end = c->nlines > 0 ? c->first_line + c->nlines - 1 : start;
    }
    if (size <= 4096) {
        static const char *const fmts[] = {"html report", "markdown report", "ipynb report"};
        int last_code = -1;
        for (size_t i = 0; i < nb->ncell; i++) {
            nb_cell *c = &nb->cells[i];
            if (c->kind != NB_CELL_CODE) continue;
            last_code = (int)i;
            c->exec_count = (int)i + 1;
            notebook_add_output(c, NB_OUT_STREAM, c->src, c->len, NULL, NULL);
            notebook_add_output(c, NB_OUT_RESULT, c->title, strlen(c->title), NULL, NULL);
            notebook_add_output(c, NB_OUT_IMAGE, (const char *)data, size < 16 ? size : 16, NULL, NULL);
        }
        if (last_code >= 0) {
            nb_cell *c = &nb->cells[last_code];
            notebook_add_output(c, NB_OUT_ERROR, c->src, c->len, c->title, c->title);
            nb->nshow = (size_t)last_code + 1;
        }
        nb->params = strdup(nb->ncell > 1 ? nb->cells[1].title : "x=1");
        for (int f = 0; f < 3; f++) {
            strbuf b = {0};
            notebook_render(nb, (nb_format)f, "fuzz_files", &b);
            if (!b.s) fail("empty report", 0);
            check_utf8(fmts[f], b.s, b.n);
            if (f == NB_FORMAT_IPYNB) check_json(b.s, b.n);
            if (f == NB_FORMAT_HTML && (!strstr(b.s, "</html>") || strstr(b.s, "<script")))
                fail("html report is broken", 0);
            free(b.s);
        }
    }
    notebook_free(nb);
    return 0;
}
