/* report_ipynb.c — a notebook as a Jupyter notebook (nbformat 4.5 JSON).
 *
 * Written by hand rather than through a JSON library: the document has a
 * fixed shape, and every string in it goes through text_add_json_string, the
 * one place that escapes. Multi-line text is a list of lines, each keeping its
 * "\n", as Jupyter itself writes it (diffs stay readable); images are one
 * base64 string under image/png, so Jupyter and GitHub show them. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* text as a JSON list of lines, each ending in "\n" but the last. */
static void add_lines(strbuf *out, const char *s, size_t len) {
    strbuf_adds(out, "[");
    size_t start = 0;
    int first = 1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || i + 1 == len) {
            if (!first) strbuf_adds(out, ", ");
            text_add_json_string(out, s + start, i + 1 - start);
            first = 0;
            start = i + 1;
        }
    strbuf_adds(out, "]");
}

static void add_key(strbuf *out, const char *indent, const char *key) {
    strbuf_adds(out, indent);
    text_add_json_string(out, key, strlen(key));
    strbuf_adds(out, ": ");
}

static void add_output(strbuf *out, const nb_output *o, int exec_count, int num, int img) {
    char buf[96];
    strbuf_adds(out, "    {\n");
    switch (o->kind) {
    case NB_OUT_STREAM:
        strbuf_adds(out, "     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n");
        add_key(out, "     ", "text");
        add_lines(out, o->text, o->len);
        strbuf_adds(out, "\n");
        break;
    case NB_OUT_RESULT:
        strbuf_adds(out, "     \"data\": {\n");
        add_key(out, "      ", "text/plain");
        add_lines(out, o->text, o->len);
        snprintf(buf, sizeof buf, "\n     },\n     \"execution_count\": %d,\n", exec_count);
        strbuf_adds(out, buf);
        strbuf_adds(out, "     \"metadata\": {},\n     \"output_type\": \"execute_result\"\n");
        break;
    case NB_OUT_IMAGE:
        strbuf_adds(out, "     \"data\": {\n      \"image/png\": \"");
        text_add_base64(out, (const unsigned char *)o->text, o->len);
        snprintf(buf, sizeof buf, "\",\n      \"text/plain\": [\"plot %d of cell %d\"]\n     },\n", img, num);
        strbuf_adds(out, buf);
        strbuf_adds(out, "     \"metadata\": {},\n     \"output_type\": \"display_data\"\n");
        break;
    case NB_OUT_ERROR:
        add_key(out, "     ", "ename");
        text_add_json_string(out, o->name, strlen(o->name));
        strbuf_adds(out, ",\n");
        add_key(out, "     ", "evalue");
        text_add_json_string(out, o->text, o->len);
        strbuf_adds(out, ",\n     \"output_type\": \"error\",\n");
        add_key(out, "     ", "traceback");
        /* Jupyter shows the traceback, not evalue: start it with the message */
        strbuf_adds(out, "[");
        strbuf e = {0};
        strbuf_adds(&e, o->name);
        strbuf_adds(&e, ": ");
        strbuf_add(&e, o->text, o->len);
        text_add_json_string(out, e.s, e.n);
        free(e.s);
        if (o->trace) {
            const char *t = o->trace;
            while (*t) {
                const char *nl = strchr(t, '\n');
                size_t n = nl ? (size_t)(nl - t) : strlen(t);
                strbuf_adds(out, ", ");
                text_add_json_string(out, t, n);
                t += n + (nl != NULL);
            }
        }
        strbuf_adds(out, "]\n");
        break;
    }
    strbuf_adds(out, "    }");
}

void report_ipynb(const notebook *nb, strbuf *out) {
    char buf[96];
    strbuf_adds(out, "{\n \"cells\": [");
    int firstcell = 1;
    for (size_t i = 0; i < nb->nshow && i < nb->ncell; i++) {
        const nb_cell *c = &nb->cells[i];
        int num = REPORT_CELL_NUMBER(nb, c);
        strbuf_adds(out, firstcell ? "\n  {\n" : ",\n  {\n");
        firstcell = 0;
        if (c->kind == NB_CELL_MARKDOWN) {
            strbuf_adds(out, "   \"cell_type\": \"markdown\",\n");
        } else {
            strbuf_adds(out, "   \"cell_type\": \"code\",\n");
            if (c->exec_count > 0)
                snprintf(buf, sizeof buf, "   \"execution_count\": %d,\n", c->exec_count);
            else
                snprintf(buf, sizeof buf, "   \"execution_count\": null,\n");
            strbuf_adds(out, buf);
        }
        snprintf(buf, sizeof buf, "   \"id\": \"cell-%d\",\n", num);
        strbuf_adds(out, buf);
        strbuf_adds(out, "   \"metadata\": {");
        if (c->title[0]) {
            strbuf_adds(out, "\n");
            add_key(out, "    ", "title");
            text_add_json_string(out, c->title, strlen(c->title));
            strbuf_adds(out, "\n   ");
        }
        strbuf_adds(out, "},\n");
        if (c->kind == NB_CELL_CODE) {
            strbuf_adds(out, "   \"outputs\": [");
            int img = 0;
            for (size_t k = 0; k < c->nout; k++) {
                strbuf_adds(out, k ? ",\n" : "\n");
                if (c->outs[k].kind == NB_OUT_IMAGE) img++;
                add_output(out, &c->outs[k], c->exec_count, num, img);
            }
            strbuf_adds(out, c->nout ? "\n   ],\n" : "],\n");
        }
        add_key(out, "   ", "source");
        add_lines(out, c->src, c->len);
        strbuf_adds(out, "\n  }");
    }
    strbuf_adds(out, firstcell ? "],\n" : "\n ],\n");
    strbuf_adds(out, " \"metadata\": {\n"
                     "  \"kernelspec\": {\n"
                     "   \"display_name\": \"Lua (lab)\",\n"
                     "   \"language\": \"lua\",\n"
                     "   \"name\": \"lab\"\n"
                     "  },\n"
                     "  \"language_info\": {\n"
                     "   \"file_extension\": \".lua\",\n"
                     "   \"mimetype\": \"text/x-lua\",\n"
                     "   \"name\": \"lua\",\n"
                     "   \"version\": \"5.4\"\n"
                     "  }");
    if (nb->params) {
        strbuf_adds(out, ",\n  \"lab\": {\n");
        add_key(out, "   ", "params");
        text_add_json_string(out, nb->params, strlen(nb->params));
        strbuf_adds(out, "\n  }");
    }
    strbuf_adds(out, "\n },\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n");
}
