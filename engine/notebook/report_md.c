/* report_md.c — a notebook as Markdown: markdown cells as they are, code and
 * outputs in fenced blocks, plots as links to PNG files beside the report.
 *
 * Fences are made longer than any run of backticks inside the block, so code
 * that contains ``` cannot close its block early. Images stay files rather
 * than data: URIs because most Markdown viewers (GitHub among them) do not
 * show data: images. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void add_fenced(strbuf *out, const char *info, const char *s, size_t len) {
    size_t longest = 0, run = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    size_t n = longest >= 3 ? longest + 1 : 3;
    strbuf fence = {0};
    for (size_t i = 0; i < n; i++) strbuf_add(&fence, "`", 1);
    strbuf_add(out, fence.s, fence.n);
    strbuf_adds(out, info);
    strbuf_adds(out, "\n");
    text_add_utf8(out, s, len);
    if (len == 0 || s[len - 1] != '\n') strbuf_adds(out, "\n");
    strbuf_add(out, fence.s, fence.n);
    strbuf_adds(out, "\n\n");
    free(fence.s);
}

/* A link target: characters that would end or confuse it are %-escaped. */
static void add_link_target(strbuf *out, const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '(' || c == ')' || c == '<' || c == '>' || c == '%' || c == '[' || c == ']' || c == '\\' ||
            c == 0x7F) {
            char buf[4];
            snprintf(buf, sizeof buf, "%%%02X", c);
            strbuf_adds(out, buf);
        } else
            strbuf_add(out, s, 1);
    }
}

void report_markdown(const notebook *nb, const char *files_prefix, strbuf *out) {
    strbuf_adds(out, "# ");
    text_add_utf8(out, nb->name, strlen(nb->name));
    strbuf_adds(out, "\n\n");
    if (nb->params) {
        strbuf_adds(out, "params: `");
        text_add_utf8(out, nb->params, strlen(nb->params));
        strbuf_adds(out, "`\n\n");
    }
    for (size_t i = 0; i < nb->nshow && i < nb->ncell; i++) {
        const nb_cell *c = &nb->cells[i];
        int num = REPORT_CELL_NUMBER(nb, c);
        char buf[64];
        if (c->kind == NB_CELL_MARKDOWN) {
            if (c->len == 0) continue;
            text_add_utf8(out, c->src, c->len);
            strbuf_adds(out, "\n\n");
            continue;
        }
        snprintf(buf, sizeof buf, "<sub>[%d]", num);
        strbuf_adds(out, buf);
        if (c->title[0]) {
            strbuf_adds(out, " ");
            /* a title is one line of text; keep it from opening HTML */
            const char *t = c->title, *run = t;
            for (; *t; t++)
                if (*t == '<' || *t == '&') {
                    text_add_utf8(out, run, (size_t)(t - run));
                    strbuf_adds(out, *t == '<' ? "&lt;" : "&amp;");
                    run = t + 1;
                }
            text_add_utf8(out, run, (size_t)(t - run));
        }
        strbuf_adds(out, "</sub>\n\n");
        if (c->len) add_fenced(out, "lua", c->src, c->len);
        int img = 0;
        for (size_t k = 0; k < c->nout; k++) {
            const nb_output *o = &c->outs[k];
            switch (o->kind) {
            case NB_OUT_STREAM:
            case NB_OUT_RESULT: add_fenced(out, "", o->text, o->len); break;
            case NB_OUT_IMAGE:
                snprintf(buf, sizeof buf, "![plot %d of cell %d](", ++img, num);
                strbuf_adds(out, buf);
                add_link_target(out, files_prefix ? files_prefix : ".");
                snprintf(buf, sizeof buf, "/cell%d-%d.png)\n\n", num, img);
                strbuf_adds(out, buf);
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
                strbuf_adds(out, "**Error**\n\n");
                add_fenced(out, "text", e.s, e.n);
                free(e.s);
                break;
            }
            }
        }
    }
}
