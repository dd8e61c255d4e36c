/* notebook.c — cutting a percent-format Lua file into cells.
 *
 * The parser works on lines only and never looks inside Lua code: a marker is
 * a line that starts with "-- %%" followed by the end of the line or a space,
 * even inside a long string (Jupytext reads markers the same way). The
 * trade-off keeps the parser small, total and easy to fuzz; a runner that
 * needs Lua's view of the code compiles it. Lines are numbered as Lua numbers
 * them ("\n", "\r", "\r\n" and "\n\r" each end one line), so a cell's
 * first_line plus an offset is the line Lua reports. */
#include "notebook.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct line {
    const char *s;
    size_t len;
} line;

/* Split text into lines the way Lua's lexer counts them. */
static line *split_lines(const char *text, size_t len, int *nlines) {
    size_t cap = 16, n = 0;
    line *v = xmalloc(cap * sizeof *v);
    size_t i = 0, start = 0;
    for (;;) {
        if (i == len || text[i] == '\n' || text[i] == '\r') {
            if (n == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
            v[n].s = text + start;
            v[n].len = i - start;
            n++;
            if (i == len) break;
            char c = text[i++];
            if (i < len && (text[i] == '\n' || text[i] == '\r') && text[i] != c) i++;
            start = i;
        } else
            i++;
    }
    /* text ending in a line break has no extra empty line after it */
    if (n > 1 && v[n - 1].len == 0 && len > 0) n--;
    if (n > INT_MAX / 2) n = INT_MAX / 2;
    *nlines = (int)n;
    return v;
}

static int is_blank(const line *l) {
    for (size_t i = 0; i < l->len; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\f' && l->s[i] != '\v') return 0;
    return 1;
}

/* "-- %%" then the end of the line or white space. */
static int is_marker(const line *l) {
    return l->len >= 5 && memcmp(l->s, "-- %%", 5) == 0 && (l->len == 5 || l->s[5] == ' ' || l->s[5] == '\t');
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

/* Title and kind from the text after "-- %%": a "[markdown]" (or "[md]") tag
 * anywhere makes a markdown cell; the rest, trimmed, is the title. */
static char *parse_marker(const line *l, nb_cell_kind *kind) {
    const char *s = l->s + 5;
    size_t n = l->len - 5;
    strbuf t = {0};
    *kind = NB_CELL_CODE;
    for (size_t i = 0; i < n;) {
        static const char *const tags[] = {"[markdown]", "[md]"};
        int tagged = 0;
        for (int k = 0; k < 2 && *kind == NB_CELL_CODE; k++) {
            size_t tl = strlen(tags[k]);
            if (n - i >= tl && memcmp(s + i, tags[k], tl) == 0) {
                *kind = NB_CELL_MARKDOWN;
                i += tl;
                tagged = 1;
            }
        }
        if (!tagged) strbuf_add(&t, s + i++, 1);
    }
    size_t a = 0, b = t.n;
    while (a < b && is_space(t.s[a])) a++;
    while (b > a && is_space(t.s[b - 1])) b--;
    char *title = xstrndup(t.s ? t.s + a : "", b - a);
    free(t.s);
    return title;
}

/* A markdown line without its comment mark: "-- x" -> "x", "--" -> "". */
static line uncomment(line l) {
    if (l.len >= 2 && l.s[0] == '-' && l.s[1] == '-') {
        l.s += 2;
        l.len -= 2;
        if (l.len > 0 && l.s[0] == ' ') l.s++, l.len--;
    }
    return l;
}

/* Fill c from file lines [from, to) (0-based), blank lines at both ends
 * dropped; `empty_line` is the 1-based line an empty cell reports. */
static void fill_body(nb_cell *c, const line *lines, int from, int to, int empty_line) {
    while (from < to && is_blank(&lines[from])) from++;
    while (to > from && is_blank(&lines[to - 1])) to--;
    strbuf b = {0};
    for (int i = from; i < to; i++) {
        line l = c->kind == NB_CELL_MARKDOWN ? uncomment(lines[i]) : lines[i];
        if (i > from) strbuf_add(&b, "\n", 1);
        strbuf_add(&b, l.s, l.len);
    }
    c->src = b.s ? b.s : xstrdup("");
    c->len = b.n;
    c->first_line = from < to ? from + 1 : empty_line;
    c->nlines = to - from;
}

static nb_cell *add_cell(notebook *nb, size_t *cap) {
    if (nb->ncell == *cap) nb->cells = xrealloc(nb->cells, (*cap = *cap ? *cap * 2 : 8) * sizeof *nb->cells);
    nb_cell *c = &nb->cells[nb->ncell++];
    memset(c, 0, sizeof *c);
    return c;
}

notebook *notebook_parse(const char *text, size_t len, const char *name) {
    notebook *nb = xcalloc(1, sizeof *nb);
    nb->name = xstrdup(name ? name : "notebook");
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3, len -= 3;
    int n;
    line *lines = split_lines(text ? text : "", text ? len : 0, &n);
    if (n > 0 && lines[0].len > 0 && lines[0].s[0] == '#') lines[0].len = 0; /* shebang */
    nb->nlines = n;
    size_t cap = 0;
    int first_marker = n;
    for (int i = 0; i < n; i++)
        if (is_marker(&lines[i])) {
            first_marker = i;
            break;
        }
    nb->has_markers = first_marker < n;
    /* text before the first marker: a cell when it is not blank (always when
     * there is no marker at all: a plain script is one cell) */
    int blank = 1;
    for (int i = 0; i < first_marker && blank; i++) blank = is_blank(&lines[i]);
    if (!nb->has_markers || !blank) {
        nb_cell *c = add_cell(nb, &cap);
        c->kind = NB_CELL_CODE;
        c->title = xstrdup("");
        fill_body(c, lines, 0, first_marker, 1);
    }
    for (int i = first_marker; i < n;) {
        int next = i + 1;
        while (next < n && !is_marker(&lines[next])) next++;
        nb_cell *c = add_cell(nb, &cap);
        c->title = parse_marker(&lines[i], &c->kind);
        c->marker_line = i + 1;
        fill_body(c, lines, i + 1, next, i + 1);
        i = next;
    }
    nb->nshow = nb->ncell;
    free(lines);
    return nb;
}

void notebook_free(notebook *nb) {
    if (!nb) return;
    for (size_t i = 0; i < nb->ncell; i++) {
        nb_cell *c = &nb->cells[i];
        for (size_t k = 0; k < c->nout; k++) {
            free(c->outs[k].text);
            free(c->outs[k].name);
            free(c->outs[k].trace);
        }
        free(c->outs);
        free(c->title);
        free(c->src);
    }
    free(nb->cells);
    free(nb->name);
    free(nb->params);
    free(nb);
}

int notebook_cell_at(const notebook *nb, int ln) {
    int found = -1;
    for (size_t i = 0; i < nb->ncell; i++) {
        const nb_cell *c = &nb->cells[i];
        int start = c->marker_line ? c->marker_line : 1;
        if (start <= ln)
            found = (int)i;
        else
            break;
    }
    if (found >= 0 && ln > nb->nlines && nb->nlines > 0) return (int)nb->ncell - 1;
    return ln >= 1 ? found : -1;
}

void notebook_add_output(nb_cell *c, nb_out_kind kind, const char *text, size_t len, const char *name,
                         const char *trace) {
    if (!text) text = "", len = 0;
    if (kind == NB_OUT_STREAM && c->nout > 0 && c->outs[c->nout - 1].kind == NB_OUT_STREAM) {
        nb_output *o = &c->outs[c->nout - 1];
        o->text = xrealloc(o->text, o->len + len + 1);
        memcpy(o->text + o->len, text, len);
        o->len += len;
        o->text[o->len] = '\0';
        return;
    }
    if (c->nout == c->capout)
        c->outs = xrealloc(c->outs, (c->capout = c->capout ? c->capout * 2 : 4) * sizeof *c->outs);
    nb_output *o = &c->outs[c->nout++];
    o->kind = kind;
    o->text = xmalloc(len + 1);
    memcpy(o->text, text, len);
    o->text[len] = '\0';
    o->len = len;
    o->name = kind == NB_OUT_ERROR ? xstrdup(name ? name : "error") : NULL;
    o->trace = kind == NB_OUT_ERROR && trace ? xstrdup(trace) : NULL;
}

nb_format notebook_format_of(const char *path) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash) || dot == path || (slash && dot == slash + 1)) return NB_FORMAT_NONE;
    if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0) return NB_FORMAT_HTML;
    if (strcasecmp(dot, ".md") == 0) return NB_FORMAT_MARKDOWN;
    if (strcasecmp(dot, ".ipynb") == 0) return NB_FORMAT_IPYNB;
    return NB_FORMAT_NONE;
}
