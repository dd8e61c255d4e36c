/* test_journal.c — the session journal (engine/track/journal.c): appending and
 * reading back chunks, that bytes are in the file before any close, a kill
 * simulated by not closing (in this process and in a child that dies), which
 * journals are offered for restore, failed chunks kept but skipped, chunk
 * lines that look like cell markers, and saving a notebook. The restore itself
 * (re-running chunks in Lua) is tested through ./lab in tests/cli/test_journal.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "notebook/notebook.h"
#include "track/journal.h"

static char store[256];

static int setup(void **state) {
    (void)state;
    snprintf(store, sizeof store, "/tmp/lab-journal-test-XXXXXX");
    if (!mkdtemp(store)) return -1;
    strcat(store, "/deep/store"); /* missing folders are made */
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    char *slash = strstr(store, "/deep/store");
    if (slash) *slash = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Remove every journal, so each test starts from an empty store. */
static void clear_sessions(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/sessions/*.lua", store);
    assert_int_equal(system(cmd), 0);
}

static journal *open_j(void) {
    lab_err e = {{0}};
    journal *j = journal_open(store, &e);
    if (!j) fail_msg("journal_open: %s", e.msg);
    return j;
}

static void append(journal *j, const char *chunk, int failed) {
    lab_err e = {{0}};
    if (journal_append(j, chunk, failed, 0.25, &e) != 0) fail_msg("journal_append: %s", e.msg);
}

static void test_open_id_and_header(void **state) {
    (void)state;
    clear_sessions();
    journal *j = open_j();
    const char *id = journal_id(j);
    assert_int_equal(strlen(id), 6);
    assert_int_equal(strspn(id, "0123456789abcdef"), 6);
    char want[512];
    snprintf(want, sizeof want, "%s/sessions/%s.lua", store, id);
    assert_string_equal(journal_path(j), want);
    struct stat st;
    assert_int_equal(stat(want, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* the header is one markdown cell */
    const char *text = slurp(want);
    notebook *nb = notebook_parse(text, strlen(text), want);
    assert_int_equal(nb->ncell, 1);
    assert_int_equal(nb->cells[0].kind, NB_CELL_MARKDOWN);
    assert_non_null(strstr(nb->cells[0].src, id));
    notebook_free(nb);
    /* ids differ */
    journal *k = open_j();
    assert_string_not_equal(journal_id(j), journal_id(k));
    journal_close(k, 1);
    journal_close(j, 1);
}

static void test_append_is_in_the_file_before_close(void **state) {
    (void)state;
    clear_sessions();
    journal *j = open_j();
    append(j, "x = 1", 0);
    append(j, "y = = 2", 1);
    append(j, "   \n\t", 0); /* blank: not recorded */
    append(j, "function f(a)\n  return a + x\nend", 0);
    /* not closed: what another process reads now is what a kill -9 leaves */
    const char *text = slurp(journal_path(j));
    assert_non_null(strstr(text, "\nx = 1\n"));
    assert_non_null(strstr(text, " failed\n-- y = = 2\n"));
    notebook *nb = notebook_parse(text, strlen(text), "j");
    assert_int_equal(nb->ncell, 4); /* header + 3 chunks */
    assert_string_equal(nb->cells[3].src, "function f(a)\n  return a + x\nend");
    assert_non_null(strstr(nb->cells[1].title, "(0.250s)"));
    notebook_free(nb);

    lab_err e;
    journal_log *log = journal_read(journal_path(j), &e);
    assert_non_null(log);
    assert_int_equal(log->n, 3);
    assert_int_equal(log->nok, 2);
    assert_false(log->closed);
    assert_string_equal(log->id, journal_id(j));
    assert_string_equal(log->entries[0].chunk, "x = 1");
    assert_false(log->entries[0].failed);
    assert_string_equal(log->entries[1].chunk, "y = = 2"); /* uncommented again */
    assert_true(log->entries[1].failed);
    assert_string_equal(log->entries[2].chunk, "function f(a)\n  return a + x\nend");
    journal_log_free(log);
    journal_close(j, 1);
}

/* Chunk lines that would read as cell markers must not cut the cell, in a
 * successful chunk and in a failed (commented) one, and must come back as
 * they were typed. */
static void test_marker_lines_inside_chunks(void **state) {
    (void)state;
    clear_sessions();
    static const char *const chunks[] = {
        "-- %% not a cell\nx = 1",
        "s = [[\n-- %%\n  -- %% indented\n-- %%%% also\n]]",
        "--%% fine\n-- %%\tx",
        "t = 1\r\n-- %% crlf\r\nu = 2",
    };
    static const char *const back[] = {
        "-- %% not a cell\nx = 1",
        "s = [[\n-- %%\n  -- %% indented\n-- %%%% also\n]]",
        "--%% fine\n-- %%\tx",
        "t = 1\n-- %% crlf\nu = 2", /* line ends become "\n", as Lua reads them */
    };
    journal *j = open_j();
    for (int i = 0; i < 4; i++) append(j, chunks[i], 0);
    append(j, "-- %% failed\nerror('x')", 1);
    const char *text = slurp(journal_path(j));
    notebook *nb = notebook_parse(text, strlen(text), "j");
    assert_int_equal(nb->ncell, 6);
    for (size_t i = 1; i < nb->ncell; i++) assert_int_equal(nb->cells[i].kind, NB_CELL_CODE);
    notebook_free(nb);
    lab_err e;
    journal_log *log = journal_read(journal_path(j), &e);
    assert_int_equal(log->n, 5);
    for (int i = 0; i < 4; i++) assert_string_equal(log->entries[i].chunk, back[i]);
    assert_string_equal(log->entries[4].chunk, "-- %% failed\nerror('x')");
    assert_true(log->entries[4].failed);
    journal_log_free(log);
    journal_close(j, 1);
}

static void test_find_unfinished(void **state) {
    (void)state;
    clear_sessions();
    assert_null(journal_find_unfinished(store));

    /* closed cleanly: never offered */
    journal *j = open_j();
    append(j, "a = 1", 0);
    journal_close(j, 1);
    assert_null(journal_find_unfinished(store));

    /* alive (locked by this open journal): not offered */
    j = open_j();
    append(j, "b = 2", 0);
    assert_null(journal_find_unfinished(store));

    /* gone without closing, as after a crash: offered */
    char *path = xstrdup(journal_path(j));
    journal_close(j, 0);
    char *found = journal_find_unfinished(store);
    assert_non_null(found);
    assert_string_equal(found, path);
    free(found);

    /* only failed chunks (or only saves): nothing to restore */
    j = open_j();
    append(j, "boom(", 1);
    append(j, "lab.save_notebook('x.lua')", 0);
    journal_close(j, 0);
    found = journal_find_unfinished(store);
    assert_string_equal(found, path);
    free(found);

    /* marked closed (restored, or the user said no): no longer offered */
    lab_err e;
    assert_int_equal(journal_mark_closed(path, "not restored", &e), 0);
    assert_null(journal_find_unfinished(store));
    journal_log *log = journal_read(path, &e);
    assert_true(log->closed);
    assert_int_equal(log->nok, 1);
    journal_log_free(log);
    free(path);
}

/* A child process writes chunks and dies by SIGKILL without closing. */
static void test_killed_process(void **state) {
    (void)state;
    clear_sessions();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        lab_err e;
        journal *j = journal_open(store, &e);
        if (!j) _exit(1);
        journal_append(j, "x = 42", 0, 0.001, &e);
        journal_append(j, "y = x + ", 1, 0, &e);
        journal_append(j, "z = x * 2", 0, 0.002, &e);
        if (write(fds[1], "k", 1) != 1) _exit(1);
        for (;;) pause(); /* killed here, the journal still open */
    }
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(fds[0]);
    close(fds[1]);
    char *found = journal_find_unfinished(store);
    assert_non_null(found);
    lab_err e;
    journal_log *log = journal_read(found, &e);
    assert_int_equal(log->n, 3);
    assert_int_equal(log->nok, 2);
    assert_string_equal(log->entries[0].chunk, "x = 42");
    assert_string_equal(log->entries[2].chunk, "z = x * 2");
    journal_log_free(log);
    char *q = journal_describe(found);
    assert_non_null(strstr(q, "2 chunks"));
    assert_non_null(strstr(q, "Restore?"));
    assert_true(strlen(q) + strlen(" [y/N] ") <= 80);
    free(q);
    free(found);
}

/* Of several dead sessions, the one written last is offered. */
static void test_latest_is_offered(void **state) {
    (void)state;
    clear_sessions();
    char *paths[3];
    for (int i = 0; i < 3; i++) {
        journal *j = open_j();
        append(j, "v = 1", 0);
        paths[i] = xstrdup(journal_path(j));
        journal_close(j, 0);
    }
    for (int i = 0; i < 3; i++) {
        struct timeval tv[2] = {{1000000 + (i == 1 ? 500 : i), 0}, {1000000 + (i == 1 ? 500 : i), 0}};
        assert_int_equal(utimes(paths[i], tv), 0);
    }
    char *found = journal_find_unfinished(store);
    assert_string_equal(found, paths[1]);
    free(found);
    for (int i = 0; i < 3; i++) free(paths[i]);
}

static void test_write_notebook(void **state) {
    (void)state;
    clear_sessions();
    journal *j = open_j();
    append(j, "x = 1", 0);
    append(j, "x = = 2", 1);
    append(j, "lab.save_notebook(\"a.lua\")", 0);
    append(j, "-- %% looks like a marker\ny = x + 1", 0);
    append(j, "y", 0);
    char out[400];
    snprintf(out, sizeof out, "%s/saved.lua", store);
    lab_err e;
    int n = journal_write_notebook(journal_path(j), out, &e);
    if (n < 0) fail_msg("%s", e.msg);
    assert_int_equal(n, 3);
    const char *text = slurp(out);
    notebook *nb = notebook_parse(text, strlen(text), out);
    assert_int_equal(nb->ncell, 4);
    assert_int_equal(nb->cells[0].kind, NB_CELL_MARKDOWN);
    assert_string_equal(nb->cells[1].src, "x = 1");
    assert_string_equal(nb->cells[2].src, " -- %% looks like a marker\ny = x + 1");
    assert_string_equal(nb->cells[3].src, "y");
    notebook_free(nb);
    assert_null(strstr(text, "a.lua"));
    assert_null(strstr(text, "x = = 2"));
    /* no temporary file is left beside it */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", store);
    assert_int_not_equal(system(cmd), 0);
    /* a folder that does not exist: the error names the path */
    snprintf(out, sizeof out, "%s/no/such/dir/x.lua", store);
    assert_int_equal(journal_write_notebook(journal_path(j), out, &e), -1);
    assert_non_null(strstr(e.msg, out));
    journal_close(j, 1);
}

static void test_chunk_is_save(void **state) {
    (void)state;
    assert_true(journal_chunk_is_save("lab.save_notebook(\"x.lua\")"));
    assert_true(journal_chunk_is_save("  lab.save_notebook 'x.lua';\n"));
    assert_true(journal_chunk_is_save("lab.save_notebook(p)"));
    assert_false(journal_chunk_is_save("lab.save_notebook(p)\nx = 1"));
    assert_true(journal_chunk_is_save("n = lab.save_notebook(p)")); /* a kept result is still only the call */
    assert_false(journal_chunk_is_save("lab.save_notebooks(p)"));
    /* promote, register and alias too, their results kept or not */
    assert_true(journal_chunk_is_save("id = lab.promote{name = \"x\"}"));
    assert_true(journal_chunk_is_save("local v, w = lab.register(id, \"iris\")"));
    assert_true(journal_chunk_is_save("lab.alias(\"iris\", v, \"production\")"));
    assert_false(journal_chunk_is_save("ok = x == lab.promote()"));
    assert_false(journal_chunk_is_save("print(lab.promote())"));
    assert_false(journal_chunk_is_save("id = lab.promote()\nprint(id)"));
}

static void test_errors_name_the_path(void **state) {
    (void)state;
    lab_err e;
    assert_null(journal_open("/proc/no-such-store", &e));
    assert_non_null(strstr(e.msg, "/proc/no-such-store"));
    assert_null(journal_read("/tmp/no-such-journal.lua", &e));
    assert_non_null(strstr(e.msg, "/tmp/no-such-journal.lua"));
    assert_int_equal(journal_mark_closed("/tmp/no-such-journal.lua", "x", &e), -1);
    assert_null(journal_describe("/tmp/no-such-journal.lua"));
    assert_null(journal_find_unfinished("/tmp/no-such-store-at-all"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_id_and_header),
        cmocka_unit_test(test_append_is_in_the_file_before_close),
        cmocka_unit_test(test_marker_lines_inside_chunks),
        cmocka_unit_test(test_find_unfinished),
        cmocka_unit_test(test_killed_process),
        cmocka_unit_test(test_latest_is_offered),
        cmocka_unit_test(test_write_notebook),
        cmocka_unit_test(test_chunk_is_save),
        cmocka_unit_test(test_errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
