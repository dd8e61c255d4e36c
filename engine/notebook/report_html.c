/* report_html.c — a notebook as one self-contained HTML page.
 *
 * Images are embedded as base64 data: URIs and the style sheet is inline, so
 * the page can be mailed or archived as one file; the price is a third more
 * bytes per image than a PNG beside it. Markdown cells go through a small
 * Markdown subset (headings, paragraphs, lists, fenced code, inline code,
 * emphasis, links) rather than a full CommonMark parser: enough for notes
 * between cells, and every byte of input is escaped whatever the subset makes
 * of it. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

static const char css[] =
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:62rem;margin:2rem auto;"
    "padding:0 1rem;color:#1f2328;background:#fff}\n"
    "h1.nb{font-size:1.6rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\n"
    ".meta{color:#656d76;font-size:.9rem}\n"
    ".cell{margin:1.4rem 0}\n"
    ".head{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;color:#656d76;margin-bottom:.2rem}\n"
    "pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;padding:.6rem .8rem;margin:.3rem 0;"
    "overflow-x:auto;border-radius:6px;white-space:pre}\n"
    "pre.src{background:#f6f8fa;border:1px solid #d0d7de}\n"
    "pre.out{background:#fff;border-left:3px solid #d0d7de;border-radius:0}\n"
    "pre.result{background:#fff;border-left:3px solid #1a7f37;border-radius:0}\n"
    "pre.error{background:#ffebe9;border-left:3px solid #cf222e;color:#82071e;border-radius:0}\n"
    ".md pre{background:#f6f8fa}\n"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}\n"
    "img.plot{max-width:100%;display:block;margin:.4rem 0}\n";

/* ---- Markdown subset ------------------------------------------------------ */

static int is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

/* Position of `pat` (plen bytes) in s[from, len), or len. */
static size_t find(const char *s, size_t from, size_t len, const char *pat, size_t plen) {
    for (size_t i = from; i + plen <= len; i++)
        if (memcmp(s + i, pat, plen) == 0) return i;
    return len;
}

static void add_url(strbuf *out, const char *s, size_t len) {
    /* a link that runs script is not a link */
    static const char *const bad[] = {"javascript:", "vbscript:", "data:"};
    for (int k = 0; k < 3; k++) {
        size_t bl = strlen(bad[k]);
        if (len >= bl && strncasecmp(s, bad[k], bl) == 0) {
            strbuf_adds(out, "#");
            return;
        }
    }
    text_add_html(out, s, len);
}

static void inline_html(const char *s, size_t len, strbuf *out, int depth) {
    size_t i = 0, run = 0;
    /* once a closing mark is missing it stays missing further on: remember, so
     * a line of a thousand '*' is not quadratic */
    int no_tick = 0, no_star2 = 0, no_star = 0, no_under = 0, no_link = 0;
    while (i < len) {
        char c = s[i];
        size_t end = len, skip = 0, inner = 0;
        const char *open = NULL, *close = NULL;
        int nest = 0;
        if (c == '`' && !no_tick) {
            end = find(s, i + 1, len, "`", 1);
            if (end == len)
                no_tick = 1;
            else
                open = "<code>", close = "</code>", skip = 1, inner = i + 1;
        } else if (c == '*' && i + 1 < len && s[i + 1] == '*' && !no_star2 && depth < 4) {
            end = i + 2 < len ? find(s, i + 2, len, "**", 2) : len;
            if (end == len)
                no_star2 = 1;
            else if (end > i + 2)
                open = "<strong>", close = "</strong>", skip = 2, inner = i + 2, nest = 1;
        } else if ((c == '*' && !no_star) || (c == '_' && !no_under && (i == 0 || !is_word_char(s[i - 1])))) {
            end = find(s, i + 1, len, c == '*' ? "*" : "_", 1);
            if (c == '_')
                while (end < len && end + 1 < len && is_word_char(s[end + 1])) end = find(s, end + 1, len, "_", 1);
            if (end == len) {
                if (c == '*')
                    no_star = 1;
                else
                    no_under = 1;
            } else if (end > i + 1 && depth < 4)
                open = "<em>", close = "</em>", skip = 1, inner = i + 1, nest = 1;
        } else if (c == '[' && !no_link) {
            size_t mid = find(s, i + 1, len, "](", 2);
            size_t stop = mid < len ? find(s, mid + 2, len, ")", 1) : len;
            if (mid == len || stop == len)
                no_link = 1;
            else {
                text_add_html(out, s + run, i - run);
                strbuf_adds(out, "<a href=\"");
                add_url(out, s + mid + 2, stop - mid - 2);
                strbuf_adds(out, "\">");
                if (depth < 4)
                    inline_html(s + i + 1, mid - i - 1, out, depth + 1);
                else
                    text_add_html(out, s + i + 1, mid - i - 1);
                strbuf_adds(out, "</a>");
                i = run = stop + 1;
                continue;
            }
        }
        if (!open) {
            i++;
            continue;
        }
        text_add_html(out, s + run, i - run);
        strbuf_adds(out, open);
        if (nest)
            inline_html(s + inner, end - inner, out, depth + 1);
        else
            text_add_html(out, s + inner, end - inner);
        strbuf_adds(out, close);
        i = run = end + skip;
    }
    text_add_html(out, s + run, len - run);
}

typedef struct mdline {
    const char *s;
    size_t len;
} mdline;

static size_t indent_of(mdline l) {
    size_t i = 0;
    while (i < l.len && (l.s[i] == ' ' || l.s[i] == '\t')) i++;
    return i;
}

/* The text after a list marker ("- ", "* ", "+ ", "12. ", "3) "), or NULL;
 * *ordered says which kind. */
static const char *list_item(mdline l, int *ordered, size_t *rest) {
    size_t i = indent_of(l);
    if (i + 1 < l.len && (l.s[i] == '-' || l.s[i] == '*' || l.s[i] == '+') && l.s[i + 1] == ' ') {
        *ordered = 0;
        *rest = l.len - i - 2;
        return l.s + i + 2;
    }
    size_t d = i;
    while (d < l.len && d - i < 9 && l.s[d] >= '0' && l.s[d] <= '9') d++;
    if (d > i && d + 1 < l.len && (l.s[d] == '.' || l.s[d] == ')') && l.s[d + 1] == ' ') {
        *ordered = 1;
        *rest = l.len - d - 2;
        return l.s + d + 2;
    }
    return NULL;
}

static int is_fence(mdline l) {
    size_t i = indent_of(l);
    return l.len - i >= 3 && (memcmp(l.s + i, "```", 3) == 0 || memcmp(l.s + i, "~~~", 3) == 0);
}

void report_markdown_to_html(const char *s, size_t len, strbuf *out) {
    size_t n = 0, cap = 16;
    mdline *ls = xmalloc(cap * sizeof *ls);
    for (size_t i = 0, start = 0; i <= len; i++)
        if (i == len || s[i] == '\n') {
            if (n == cap) ls = xrealloc(ls, (cap *= 2) * sizeof *ls);
            ls[n].s = s + start;
            ls[n].len = i - start;
            n++;
            start = i + 1;
        }
    for (size_t i = 0; i < n;) {
        mdline l = ls[i];
        size_t ind = indent_of(l);
        int ordered;
        size_t rest;
        if (ind == l.len) {
            i++;
            continue;
        }
        if (is_fence(l)) {
            strbuf_adds(out, "<pre><code>");
            size_t j = i + 1;
            for (; j < n && !is_fence(ls[j]); j++) {
                text_add_html(out, ls[j].s, ls[j].len);
                strbuf_adds(out, "\n");
            }
            strbuf_adds(out, "</code></pre>\n");
            i = j + 1;
            continue;
        }
        size_t h = 0;
        while (ind + h < l.len && h < 7 && l.s[ind + h] == '#') h++;
        if (h >= 1 && h <= 6 && (ind + h == l.len || l.s[ind + h] == ' ')) {
            char tag[8];
            snprintf(tag, sizeof tag, "h%zu>", h);
            strbuf_adds(out, "<");
            strbuf_adds(out, tag);
            size_t a = ind + h;
            while (a < l.len && l.s[a] == ' ') a++;
            inline_html(l.s + a, l.len - a, out, 0);
            strbuf_adds(out, "</");
            strbuf_adds(out, tag);
            strbuf_adds(out, "\n");
            i++;
            continue;
        }
        const char *item = list_item(l, &ordered, &rest);
        if (item) {
            int kind = ordered;
            strbuf_adds(out, kind ? "<ol>\n" : "<ul>\n");
            while (i < n && (item = list_item(ls[i], &ordered, &rest)) && ordered == kind) {
                strbuf_adds(out, "<li>");
                inline_html(item, rest, out, 0);
                i++;
                /* indented lines continue the item */
                while (i < n && indent_of(ls[i]) > 0 && indent_of(ls[i]) < ls[i].len &&
                       !list_item(ls[i], &ordered, &rest)) {
                    strbuf_adds(out, "\n");
                    inline_html(ls[i].s + indent_of(ls[i]), ls[i].len - indent_of(ls[i]), out, 0);
                    i++;
                }
                strbuf_adds(out, "</li>\n");
            }
            strbuf_adds(out, kind ? "</ol>\n" : "</ul>\n");
            continue;
        }
        /* a paragraph: lines up to a blank line or another block */
        size_t j = i;
        while (j < n && indent_of(ls[j]) < ls[j].len && !is_fence(ls[j]) &&
               (j == i || !list_item(ls[j], &ordered, &rest)) && (j == i || ls[j].s[indent_of(ls[j])] != '#'))
            j++;
        strbuf_adds(out, "<p>");
        size_t from = (size_t)(ls[i].s - s), to = (size_t)(ls[j - 1].s - s) + ls[j - 1].len;
        inline_html(s + from, to - from, out, 0);
        strbuf_adds(out, "</p>\n");
        i = j;
    }
    free(ls);
}

/* ---- the page ------------------------------------------------------------- */

static void add_pre(strbuf *out, const char *cls, const char *s, size_t len) {
    strbuf_adds(out, "<pre class=\"");
    strbuf_adds(out, cls);
    strbuf_adds(out, "\">");
    text_add_html(out, s, len);
    strbuf_adds(out, "</pre>\n");
}

void report_html(const notebook *nb, strbuf *out) {
    strbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    text_add_html(out, nb->name, strlen(nb->name));
    strbuf_adds(out, "</title>\n<style>\n");
    strbuf_adds(out, css);
    strbuf_adds(out, "</style>\n</head>\n<body>\n<h1 class=\"nb\">");
    text_add_html(out, nb->name, strlen(nb->name));
    strbuf_adds(out, "</h1>\n");
    if (nb->params) {
        strbuf_adds(out, "<p class=\"meta\">params: <code>");
        text_add_html(out, nb->params, strlen(nb->params));
        strbuf_adds(out, "</code></p>\n");
    }
    for (size_t i = 0; i < nb->nshow && i < nb->ncell; i++) {
        const nb_cell *c = &nb->cells[i];
        int num = REPORT_CELL_NUMBER(nb, c);
        char buf[160];
        if (c->kind == NB_CELL_MARKDOWN) {
            snprintf(buf, sizeof buf, "<div class=\"cell md\" id=\"cell-%d\">\n", num);
            strbuf_adds(out, buf);
            report_markdown_to_html(c->src, c->len, out);
            strbuf_adds(out, "</div>\n");
            continue;
        }
        snprintf(buf, sizeof buf, "<div class=\"cell code\" id=\"cell-%d\">\n<div class=\"head\">[%d]", num, num);
        strbuf_adds(out, buf);
        if (c->title[0]) {
            strbuf_adds(out, " ");
            text_add_html(out, c->title, strlen(c->title));
        }
        snprintf(buf, sizeof buf, " <span class=\"line\">line %d</span></div>\n", c->first_line);
        strbuf_adds(out, buf);
        if (c->len) add_pre(out, "src", c->src, c->len);
        int img = 0;
        for (size_t k = 0; k < c->nout; k++) {
            const nb_output *o = &c->outs[k];
            switch (o->kind) {
            case NB_OUT_STREAM: add_pre(out, "out", o->text, o->len); break;
            case NB_OUT_RESULT: add_pre(out, "result", o->text, o->len); break;
            case NB_OUT_IMAGE:
                snprintf(buf, sizeof buf, "<img class=\"plot\" alt=\"plot %d of cell %d\" src=\"data:image/png;base64,",
                         ++img, num);
                strbuf_adds(out, buf);
                text_add_base64(out, (const unsigned char *)o->text, o->len);
                strbuf_adds(out, "\">\n");
                break;
            case NB_OUT_ERROR: {
                strbuf e = {0};
                strbuf_adds(&e, o->name);
                strbuf_adds(&e, ": ");
                strbuf_add(&e, o->text, o->len);
                if (o->trace) {
                    strbuf_adds(&e, "\n");
                    strbuf_adds(&e, o->trace);
                }
                add_pre(out, "error", e.s, e.n);
                free(e.s);
                break;
            }
            }
        }
        strbuf_adds(out, "</div>\n");
    }
    strbuf_adds(out, "</body>\n</html>\n");
}
