/* report.h — the report renderers, one file per format. Private to
 * engine/notebook/; notebook_render() in report.c dispatches to them. */
#ifndef LAB_NOTEBOOK_REPORT_H
#define LAB_NOTEBOOK_REPORT_H

#include "notebook.h"

/* Each appends the report of nb's first nb->nshow cells to out. */
void report_html(const notebook *nb, strbuf *out);
void report_markdown(const notebook *nb, const char *files_prefix, strbuf *out);
void report_ipynb(const notebook *nb, strbuf *out);

/* Markdown text (a markdown cell) as HTML: headings, paragraphs, lists, fenced
 * code, `code`, **strong**, *emphasis* and [links](url); everything escaped. */
void report_markdown_to_html(const char *s, size_t len, strbuf *out);

/* The number of a cell as reports show it (1-based position in the file). */
#define REPORT_CELL_NUMBER(nb, c) ((int)((c) - (nb)->cells) + 1)

#endif
