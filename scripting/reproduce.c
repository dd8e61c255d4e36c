/* reproduce.c — `lab reproduce RUN`: re-run a recorded run's notebook on its
 * recorded data and compare every metric with the original.
 *
 * The data come first: every data set the run read is hashed again, and a
 * file that changed or went missing stops the reproduction before any cell
 * runs, naming the file (a re-run on other data would compare nothing). The
 * notebook then runs headless exactly as `lab run` runs it, in a fresh Lua
 * state, with the original's --params, into the original's experiment, as a
 * new run that records which run it reproduces. Last, a table of every
 * metric (its latest value) side by side; the exit status is 0 only when the
 * notebook ran and every metric matches, exactly or within --tol (relative). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua_track.h"
#include "notebook.h"

static const char reproduce_usage[] =
    "usage: lab reproduce RUN [--tol X]\n"
    "\n"
    "Re-run the notebook recorded with RUN (an id or a unique prefix of one, as\n"
    "`lab runs list` shows) headless in a fresh Lua state, on the data it\n"
    "recorded: each data set's sha256 is checked first and a file that changed\n"
    "is named. The result is recorded as a new run linked to RUN, and every\n"
    "metric is printed, original against reproduced.\n"
    "\n"
    "  --tol X   metrics match when |a - b| <= X * max(|a|, |b|) (default 0: exactly)\n"
    "\n"
    "Exit status: 0 when the notebook ran and every metric matches, 1 otherwise\n"
    "(changed data, a failed cell, a metric that differs), 2 for bad usage.\n";

static const store_metric_last *find_metric(const store_run *r, const char *key) {
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i].key, key) == 0) return &r->metrics[i];
    return NULL;
}

/* The value of tag key of run r, or NULL. */
static const char *tag_of(const store_run *r, const char *key) {
    for (size_t i = 0; i < r->ntags; i++)
        if (strcmp(r->tag_keys[i], key) == 0) return r->tag_values[i];
    return NULL;
}

/* The non-empty lines of text as new strings; *n gets their count. */
static char **split_lines(const char *text, int *n) {
    char **out = NULL;
    *n = 0;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len) {
            out = xrealloc(out, (size_t)(*n + 1) * sizeof *out);
            out[(*n)++] = xstrndup(line, len);
        }
        line += len + (nl ? 1 : 0);
    }
    return out;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int same(double a, double b, double tol) {
    if (a == b || (isnan(a) && isnan(b))) return 1;
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

/* Print the table; returns the number of metrics that differ. */
static int compare(const store_run *a, const store_run *b, double tol) {
    size_t n = 0;
    char **keys = xcalloc(a->nmetrics + b->nmetrics + 1, sizeof *keys);
    for (size_t i = 0; i < a->nmetrics; i++) keys[n++] = a->metrics[i].key;
    for (size_t i = 0; i < b->nmetrics; i++)
        if (!find_metric(a, b->metrics[i].key)) keys[n++] = b->metrics[i].key;
    qsort(keys, n, sizeof *keys, cmp_str);
    int w = 6;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(keys[i]) > w) w = (int)strlen(keys[i]);
    printf("\n%-*s  %-24s  %-24s  %s\n", w, "metric", "original", "reproduced", "");
    int differ = 0;
    for (size_t i = 0; i < n; i++) {
        const store_metric_last *x = find_metric(a, keys[i]), *y = find_metric(b, keys[i]);
        char bx[32] = "-", by[32] = "-";
        if (x) lab_fmt_double(bx, x->value);
        if (y) lab_fmt_double(by, y->value);
        int ok = x && y && same(x->value, y->value, tol);
        if (!ok) differ++;
        printf("%-*s  %-24s  %-24s  %s\n", w, keys[i], bx, by, ok ? "ok" : !x || !y ? "MISSING" : "DIFFERS");
    }
    if (n == 0) printf("(no metrics recorded)\n");
    free(keys);
    return differ;
}

int lab_reproduce_main(int argc, char **argv) {
    const char *ref = NULL;
    double tol = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(reproduce_usage, stdout);
            return 0;
        } else if (strcmp(a, "--tol") == 0 || strncmp(a, "--tol=", 6) == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            tol = v ? strtod(v, &end) : -1;
            if (!v || !*v || *end || !(tol >= 0) || isinf(tol)) {
                fprintf(stderr, "lab reproduce: --tol needs a number of 0 or more, got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "lab reproduce: unknown option '%s' (try lab reproduce --help)\n", a);
            return 2;
        } else if (!ref) {
            ref = a;
        } else {
            fprintf(stderr, "lab reproduce: one run at a time ('%s' is one too many)\n", a);
            return 2;
        }
    }
    if (!ref) {
        fputs(reproduce_usage, stderr);
        return 2;
    }
    lab_err e;
    int status = 1;
    store_run *orig = NULL, *now = NULL;
    char **params = NULL, **args = NULL, *sdir = NULL;
    int nparams = 0, nargs = 0;
    store *s = store_open(NULL, &e);
    if (!s) goto fail;
    orig = store_run_get(s, ref, &e);
    if (!orig) goto fail;
    char id8[9];
    snprintf(id8, sizeof id8, "%.8s", orig->id);
    if (!orig->notebook || !orig->notebook[0]) {
        lab_fail(&e, "run %s has no notebook to re-run (only runs of `lab run` and promoted sessions have one)", id8);
        goto fail;
    }
    /* where it ran: relative paths in the notebook and in its data sets mean
     * what they meant then */
    const char *cwd = tag_of(orig, "lab.cwd");
    sdir = realpath(store_dir(s), NULL); /* the same store after the chdir */
    if (!sdir) sdir = xstrdup(store_dir(s));
    if (cwd && chdir(cwd) != 0) {
        lab_fail(&e, "run %s ran in %s, which cannot be entered now: %s", id8, cwd, strerror(errno));
        goto fail;
    }
    /* the data files, before anything runs (a SQL source is checked after:
     * its fingerprint is the query's result) */
    strbuf changed = {0};
    int nchanged = 0;
    for (size_t i = 0; i < orig->ndatasets; i++) {
        const struct store_dataset_row *d = &orig->datasets[i];
        if (d->query) continue;
        char sha[65], what[300];
        lab_err he;
        if (store_file_sha256(d->path, sha, &he) != 0) snprintf(what, sizeof what, "%s is gone", d->path);
        else if (strcmp(sha, d->sha256) != 0)
            snprintf(what, sizeof what, "%s changed (sha256 %.12s... then, %.12s... now)", d->path, d->sha256, sha);
        else continue;
        if (nchanged++) strbuf_adds(&changed, "; ");
        strbuf_adds(&changed, what);
    }
    if (nchanged) {
        fprintf(stderr, "lab reproduce: not re-running run %s: %s\n", id8, changed.s);
        free(changed.s);
        goto done;
    }
    /* the original's --params and arguments */
    params = split_lines(tag_of(orig, "lab.cli_params"), &nparams);
    args = split_lines(tag_of(orig, "lab.cli_args"), &nargs);
    char source[64];
    snprintf(source, sizeof source, "reproduce %s", id8);
    printf("reproducing run %s (%s) on %zu data set%s\n", id8, orig->name ? orig->name : "", orig->ndatasets,
           orig->ndatasets == 1 ? "" : "s");
    fflush(stdout);
    store_close(s); /* the notebook's state opens its own connection */
    s = NULL;
    lab_track_opts to = {.name = orig->name, .source = source, .notebook = orig->notebook, .reproduces = orig->id,
                         .experiment = orig->experiment, .params = (const char *const *)params, .nparams = nparams,
                         .args = (const char *const *)args, .nargs = nargs, .reproducing = 1,
                         .store_dir = sdir};
    char newid[33];
    int rc = lab_run_notebook(orig->name ? orig->name : id8, orig->notebook, strlen(orig->notebook),
                              (const char *const *)params, nparams, (const char *const *)args, nargs, NULL, &to,
                              newid);
    if (!newid[0]) {
        fprintf(stderr, "lab reproduce: the re-run of %s was not recorded\n", id8);
        goto done;
    }
    s = store_open_readonly(sdir, &e);
    if (!s) goto fail;
    now = store_run_get(s, newid, &e);
    if (!now) goto fail;
    int differ = compare(orig, now, tol);
    /* SQL sources: the re-run read them again; their results must be the same */
    int sqldiff = 0;
    for (size_t i = 0; i < orig->ndatasets; i++) {
        const struct store_dataset_row *d = &orig->datasets[i];
        if (!d->query) continue;
        int same_result = 0;
        for (size_t k = 0; k < now->ndatasets; k++)
            if (now->datasets[k].query && strcmp(now->datasets[k].path, d->path) == 0 &&
                strcmp(now->datasets[k].query, d->query) == 0 && strcmp(now->datasets[k].sha256, d->sha256) == 0)
                same_result = 1;
        if (!same_result) {
            printf("data: %s gave other rows to \"%.60s\" than it did for run %s\n", d->path, d->query, id8);
            sqldiff++;
        }
    }
    printf("\nrun %.8s reproduces %s: %s\n", newid, id8,
           rc ? "the notebook failed" : sqldiff ? "a SQL source gave other data" : differ ? "metrics differ"
                                                                                     : "every metric matches");
    status = rc || differ || sqldiff ? 1 : 0;
    goto done;
fail:
    fprintf(stderr, "lab reproduce: %s\n", e.msg);
done:
    for (int i = 0; i < nparams; i++) free(params[i]);
    free(params);
    for (int i = 0; i < nargs; i++) free(args[i]);
    free(args);
    free(sdir);
    if (orig) store_runs_free(orig, 1);
    if (now) store_runs_free(now, 1);
    store_close(s);
    return status;
}
