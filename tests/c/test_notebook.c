/* test_notebook.c — the percent-format cell parser, the text encoders and the
 * report writers (engine/notebook/), on hand-written notebooks with known
 * cells. The runner is tested through ./lab in tests/cli/test_notebook.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "notebook/notebook.h"
#include "notebook/text.h"

static notebook *parse(const char *text) { return notebook_parse(text, strlen(text), "nb.lua"); }

/* Check cell i: kind, title, marker line, first line and source. */
static void check_cell(const notebook *nb, size_t i, nb_cell_kind kind, const char *title, int marker, int first,
                       const char *src) {
    assert_true(i < nb->ncell);
    const nb_cell *c = &nb->cells[i];
    if (c->kind != kind || strcmp(c->title, title) != 0 || c->marker_line != marker || c->first_line != first ||
        strcmp(c->src, src) != 0 || c->len != strlen(src)) {
        fail_msg("cell %zu: expected %s \"%s\" marker %d first %d src [%s], got %s \"%s\" marker %d first %d src [%s]",
                 i, kind == NB_CELL_CODE ? "code" : "markdown", title, marker, first, src,
                 c->kind == NB_CELL_CODE ? "code" : "markdown", c->title, c->marker_line, c->first_line, c->src);
    }
}

/* ---- the parser ------------------------------------------------------------ */

static void test_markers_titles_markdown(void **state) {
    (void)state;
    notebook *nb = parse("-- %% [markdown]\n"
                         "-- # Title\n"
                         "-- some *text*\n"
                         "--\n"
                         "-- more\n"
                         "\n"
                         "-- %% Load data\n"
                         "local x = 1\n"
                         "print(x)\n"
                         "\n"
                         "-- %%\n"
                         "x\n"
                         "-- %% Notes [markdown]\n"
                         "-- a note\n");
    assert_int_equal(nb->ncell, 4);
    assert_true(nb->has_markers);
    check_cell(nb, 0, NB_CELL_MARKDOWN, "", 1, 2, "# Title\nsome *text*\n\nmore");
    check_cell(nb, 1, NB_CELL_CODE, "Load data", 7, 8, "local x = 1\nprint(x)");
    check_cell(nb, 2, NB_CELL_CODE, "", 11, 12, "x");
    check_cell(nb, 3, NB_CELL_MARKDOWN, "Notes", 13, 14, "a note");
    assert_int_equal(nb->nshow, 4);
    notebook_free(nb);
}

static void test_no_markers_is_one_cell(void **state) {
    (void)state;
    notebook *nb = parse("local a = 1\n-- a comment\nprint(a)\n");
    assert_int_equal(nb->ncell, 1);
    assert_false(nb->has_markers);
    check_cell(nb, 0, NB_CELL_CODE, "", 0, 1, "local a = 1\n-- a comment\nprint(a)");
    notebook_free(nb);
    /* an empty file too */
    nb = notebook_parse("", 0, "empty.lua");
    assert_int_equal(nb->ncell, 1);
    check_cell(nb, 0, NB_CELL_CODE, "", 0, 1, "");
    assert_int_equal(nb->cells[0].nlines, 0);
    notebook_free(nb);
}

static void test_shebang_and_bom(void **state) {
    (void)state;
    notebook *nb = parse("#!/usr/bin/env lab run\n-- %% One\nprint(1)\n");
    assert_int_equal(nb->ncell, 1); /* the shebang line is not a cell of its own */
    check_cell(nb, 0, NB_CELL_CODE, "One", 2, 3, "print(1)");
    notebook_free(nb);
    nb = parse("#!/usr/bin/lua\nprint(2)\n");
    check_cell(nb, 0, NB_CELL_CODE, "", 0, 2, "print(2)");
    notebook_free(nb);
    nb = parse("\xEF\xBB\xBF-- %% A\nx = 1\n");
    check_cell(nb, 0, NB_CELL_CODE, "A", 1, 2, "x = 1");
    notebook_free(nb);
    /* '#' only counts on the first line */
    nb = parse("-- %%\nx = #t\n#y\n");
    check_cell(nb, 0, NB_CELL_CODE, "", 1, 2, "x = #t\n#y");
    notebook_free(nb);
}

static void test_crlf_and_cr(void **state) {
    (void)state;
    notebook *nb = parse("-- %% A\r\nx = 1\r\ny = 2\r\n-- %% [markdown]\r\n-- hi\r\n");
    assert_int_equal(nb->ncell, 2);
    check_cell(nb, 0, NB_CELL_CODE, "A", 1, 2, "x = 1\ny = 2");
    check_cell(nb, 1, NB_CELL_MARKDOWN, "", 4, 5, "hi");
    notebook_free(nb);
    /* a lone "\r" and "\n\r" end one line each, as in Lua's lexer */
    nb = parse("-- %% A\rx\n\ry\n-- %% B\nz");
    check_cell(nb, 0, NB_CELL_CODE, "A", 1, 2, "x\ny");
    check_cell(nb, 1, NB_CELL_CODE, "B", 4, 5, "z");
    assert_int_equal(nb->nlines, 5);
    notebook_free(nb);
}

static void test_empty_cells_and_blank_lines(void **state) {
    (void)state;
    notebook *nb = parse("-- %% First\n\n\n-- %% Second\n\n  \n\nx = 1\n\n\n-- %%\n");
    assert_int_equal(nb->ncell, 3);
    check_cell(nb, 0, NB_CELL_CODE, "First", 1, 1, "");
    assert_int_equal(nb->cells[0].nlines, 0);
    check_cell(nb, 1, NB_CELL_CODE, "Second", 4, 8, "x = 1");
    check_cell(nb, 2, NB_CELL_CODE, "", 11, 11, ""); /* a trailing marker: an empty last cell */
    notebook_free(nb);
}

static void test_not_markers(void **state) {
    (void)state;
    /* "--%%" without the space, "-- %%%", an indented marker and "-- %%x" are code */
    notebook *nb = parse("--%% no\n-- %%% no\n  -- %% no\n-- %%x no\n-- %%\tTabbed\ny\n");
    assert_int_equal(nb->ncell, 2);
    check_cell(nb, 0, NB_CELL_CODE, "", 0, 1, "--%% no\n-- %%% no\n  -- %% no\n-- %%x no");
    check_cell(nb, 1, NB_CELL_CODE, "Tabbed", 5, 6, "y");
    notebook_free(nb);
}

static void test_text_before_first_marker(void **state) {
    (void)state;
    notebook *nb = parse("local setup = 1\n\n-- %% Next\nsetup\n");
    assert_int_equal(nb->ncell, 2);
    check_cell(nb, 0, NB_CELL_CODE, "", 0, 1, "local setup = 1");
    check_cell(nb, 1, NB_CELL_CODE, "Next", 3, 4, "setup");
    notebook_free(nb);
    /* only blank lines before it: no cell */
    nb = parse("\n  \n-- %% Only\nx\n");
    assert_int_equal(nb->ncell, 1);
    check_cell(nb, 0, NB_CELL_CODE, "Only", 3, 4, "x");
    notebook_free(nb);
}

static void test_trailing_cell_without_newline(void **state) {
    (void)state;
    notebook *nb = parse("-- %% A\nx = 1\n-- %% B\nreturn x");
    assert_int_equal(nb->ncell, 2);
    check_cell(nb, 1, NB_CELL_CODE, "B", 3, 4, "return x");
    assert_int_equal(nb->nlines, 4);
    notebook_free(nb);
}

static void test_nul_bytes_are_kept(void **state) {
    (void)state;
    const char text[] = "-- %% A\nx = \"a\0b\"\n";
    notebook *nb = notebook_parse(text, sizeof text - 1, "nul.lua");
    assert_int_equal(nb->cells[0].len, 9);
    assert_memory_equal(nb->cells[0].src, "x = \"a\0b\"", 9);
    notebook_free(nb);
}

static void test_cell_at(void **state) {
    (void)state;
    notebook *nb = parse("pre = 1\n-- %% A\nx\n\n-- %% B\ny\n");
    assert_int_equal(notebook_cell_at(nb, 1), 0);
    assert_int_equal(notebook_cell_at(nb, 2), 1); /* a marker belongs to the cell it starts */
    assert_int_equal(notebook_cell_at(nb, 4), 1);
    assert_int_equal(notebook_cell_at(nb, 5), 2);
    assert_int_equal(notebook_cell_at(nb, 99), 2);
    assert_int_equal(notebook_cell_at(nb, 0), -1);
    notebook_free(nb);
}

/* ---- encoders --------------------------------------------------------------- */

static char *json(const char *s, size_t len) {
    strbuf b = {0};
    text_add_json_string(&b, s, len);
    return b.s;
}

static void test_json_strings(void **state) {
    (void)state;
    struct {
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"plain", 5, "\"plain\""},
        {"q\"b\\s/", 6, "\"q\\\"b\\\\s/\""},
        {"\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\""},
        {"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\""},
        {"a\0b", 3, "\"a\\u0000b\""},
        {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
        {"\xff", 1, "\"\xef\xbf\xbd\""},                                 /* not UTF-8 */
        {"\xc3", 1, "\"\xef\xbf\xbd\""},                                 /* truncated */
        {"\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},                 /* overlong */
        {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* a surrogate */
        {"", 0, "\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = json(cases[i].in, cases[i].len);
        if (strcmp(got, cases[i].want) != 0) fail_msg("case %zu: expected %s, got %s", i, cases[i].want, got);
        free(got);
    }
}

static void test_base64_and_html(void **state) {
    (void)state;
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"}; /* RFC 4648 */
    for (int i = 0; i < 7; i++) {
        strbuf b = {0};
        strbuf_adds(&b, "");
        text_add_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
        assert_string_equal(b.s, want[i]);
        free(b.s);
    }
    strbuf b = {0};
    text_add_html(&b, "<a href=\"x\">&'</a>\x01\xff", 20);
    assert_string_equal(b.s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;\xef\xbf\xbd\xef\xbf\xbd");
    free(b.s);
}

/* ---- reports ---------------------------------------------------------------- */

/* A notebook that ran: output, a result, an image, and an error in cell 4. */
static notebook *ran(void) {
    notebook *nb = parse("-- %% [markdown]\n-- # Report <title>\n-- see `x` & **y**\n"
                         "-- %% Load\nprint(\"<b>\")\n"
                         "-- %% Plot\nplot()\n"
                         "-- %% Fails\nerror(\"bad\")\n"
                         "-- %% Never\nprint(1)\n");
    static const char png[] = "\x89PNG\r\n\x1a\nfake";
    nb->cells[1].exec_count = 1;
    notebook_add_output(&nb->cells[1], NB_OUT_STREAM, "<b>\n", 4, NULL, NULL);
    notebook_add_output(&nb->cells[1], NB_OUT_STREAM, "\"quoted\" \x01\n", 11, NULL, NULL);
    notebook_add_output(&nb->cells[1], NB_OUT_RESULT, "42", 2, NULL, NULL);
    nb->cells[2].exec_count = 2;
    notebook_add_output(&nb->cells[2], NB_OUT_IMAGE, png, sizeof png - 1, NULL, NULL);
    nb->cells[3].exec_count = 3;
    notebook_add_output(&nb->cells[3], NB_OUT_ERROR, "nb.lua:9: bad", 13, "Error", "stack traceback:\n\t[C]: in ?");
    nb->nshow = 4;
    return nb;
}

static void test_merge_streams(void **state) {
    (void)state;
    notebook *nb = ran();
    assert_int_equal(nb->cells[1].nout, 2); /* two writes, one stream output */
    assert_string_equal(nb->cells[1].outs[0].text, "<b>\n\"quoted\" \x01\n");
    notebook_free(nb);
}

static void test_html_report(void **state) {
    (void)state;
    notebook *nb = ran();
    strbuf b = {0};
    notebook_render(nb, NB_FORMAT_HTML, NULL, &b);
    assert_non_null(strstr(b.s, "<!DOCTYPE html>"));
    assert_non_null(strstr(b.s, "<h1>Report &lt;title&gt;</h1>"));
    assert_non_null(strstr(b.s, "see <code>x</code> &amp; <strong>y</strong>"));
    assert_non_null(strstr(b.s, "<pre class=\"src\">print(&quot;&lt;b&gt;&quot;)</pre>"));
    assert_non_null(strstr(b.s, "<pre class=\"out\">&lt;b&gt;\n&quot;quoted&quot; \xef\xbf\xbd\n</pre>"));
    assert_non_null(strstr(b.s, "<pre class=\"result\">42</pre>"));
    assert_non_null(strstr(b.s, "src=\"data:image/png;base64,iVBORw0KGgpmYWtl\""));
    assert_non_null(strstr(b.s, "<pre class=\"error\">Error: nb.lua:9: bad"));
    assert_null(strstr(b.s, "print(1)")); /* cells after the failed one are not shown */
    assert_null(strstr(b.s, "<b>"));
    free(b.s);
    notebook_free(nb);
}

static void test_markdown_report(void **state) {
    (void)state;
    notebook *nb = ran();
    strbuf b = {0};
    notebook_render(nb, NB_FORMAT_MARKDOWN, "my report_files", &b);
    assert_non_null(strstr(b.s, "# Report <title>\nsee `x` & **y**\n"));
    assert_non_null(strstr(b.s, "```lua\nprint(\"<b>\")\n```\n"));
    assert_non_null(strstr(b.s, "```\n42\n```\n"));
    assert_non_null(strstr(b.s, "![plot 1 of cell 3](my%20report_files/cell3-1.png)"));
    assert_non_null(strstr(b.s, "Error: nb.lua:9: bad"));
    free(b.s);
    notebook_free(nb);
    /* code holding a fence gets a longer one */
    nb = parse("-- %%\ns = [[\n```\n]]\n");
    b = (strbuf){0};
    notebook_render(nb, NB_FORMAT_MARKDOWN, "x", &b);
    assert_non_null(strstr(b.s, "````lua\ns = [[\n```\n]]\n````\n"));
    free(b.s);
    notebook_free(nb);
}

static void test_ipynb_report(void **state) {
    (void)state;
    notebook *nb = ran();
    strbuf b = {0};
    notebook_render(nb, NB_FORMAT_IPYNB, NULL, &b);
    assert_non_null(strstr(b.s, "\"nbformat\": 4"));
    assert_non_null(strstr(b.s, "\"language\": \"lua\""));
    assert_non_null(strstr(b.s, "\"cell_type\": \"markdown\""));
    assert_non_null(strstr(b.s, "\"source\": [\"# Report <title>\\n\", \"see `x` & **y**\"]"));
    assert_non_null(strstr(b.s, "\"text\": [\"<b>\\n\", \"\\\"quoted\\\" \\u0001\\n\"]"));
    assert_non_null(strstr(b.s, "\"output_type\": \"execute_result\""));
    assert_non_null(strstr(b.s, "\"image/png\": \"iVBORw0KGgpmYWtl\""));
    assert_non_null(strstr(b.s, "\"ename\": \"Error\""));
    assert_non_null(strstr(b.s, "\"traceback\": [\"Error: nb.lua:9: bad\", \"stack traceback:\", \"\\t[C]: in ?\"]"));
    assert_null(strstr(b.s, "Never"));
    free(b.s);
    notebook_free(nb);
}

static void test_format_of(void **state) {
    (void)state;
    assert_int_equal(notebook_format_of("r.html"), NB_FORMAT_HTML);
    assert_int_equal(notebook_format_of("dir.x/R.HTM"), NB_FORMAT_HTML);
    assert_int_equal(notebook_format_of("a/b.md"), NB_FORMAT_MARKDOWN);
    assert_int_equal(notebook_format_of("r.ipynb"), NB_FORMAT_IPYNB);
    assert_int_equal(notebook_format_of("r.txt"), NB_FORMAT_NONE);
    assert_int_equal(notebook_format_of("report"), NB_FORMAT_NONE);
    assert_int_equal(notebook_format_of("a.md/report"), NB_FORMAT_NONE);
    assert_int_equal(notebook_format_of(".md"), NB_FORMAT_NONE);
}

static void test_write_report_files(void **state) {
    (void)state;
    char dir[] = "/tmp/test_notebook_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], img[256];
    notebook *nb = ran();
    lab_err e;
    snprintf(path, sizeof path, "%s/r.md", dir);
    assert_int_equal(notebook_write_report(nb, path, &e), 0);
    snprintf(img, sizeof img, "%s/r_files/cell3-1.png", dir);
    struct stat st;
    assert_int_equal(stat(img, &st), 0);
    assert_int_equal(st.st_size, 12);
    assert_int_equal(stat(path, &st), 0);
    /* bad paths: an unknown format, a missing folder */
    snprintf(path, sizeof path, "%s/r.txt", dir);
    assert_int_equal(notebook_write_report(nb, path, &e), -1);
    assert_non_null(strstr(e.msg, "unknown report format"));
    snprintf(path, sizeof path, "%s/no/such/r.html", dir);
    assert_int_equal(notebook_write_report(nb, path, &e), -1);
    assert_non_null(strstr(e.msg, "cannot write"));
    assert_non_null(strstr(e.msg, "no/such/r.html"));
    notebook_free(nb);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markers_titles_markdown),
        cmocka_unit_test(test_no_markers_is_one_cell),
        cmocka_unit_test(test_shebang_and_bom),
        cmocka_unit_test(test_crlf_and_cr),
        cmocka_unit_test(test_empty_cells_and_blank_lines),
        cmocka_unit_test(test_not_markers),
        cmocka_unit_test(test_text_before_first_marker),
        cmocka_unit_test(test_trailing_cell_without_newline),
        cmocka_unit_test(test_nul_bytes_are_kept),
        cmocka_unit_test(test_cell_at),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_base64_and_html),
        cmocka_unit_test(test_merge_streams),
        cmocka_unit_test(test_html_report),
        cmocka_unit_test(test_markdown_report),
        cmocka_unit_test(test_ipynb_report),
        cmocka_unit_test(test_format_of),
        cmocka_unit_test(test_write_report_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
