/* runs.c — `lab runs`: list, show, compare and export the tracked runs.
 *
 * Everything here reads the store through store.h, opened read-only, so a
 * listing never creates a store and can run while a notebook is logging. The
 * text output is for people (short values, as many metric columns as fit 100
 * characters); --json writes the exact values for scripts. The MLflow export
 * itself is engine code (engine/track/export.c); this file only checks the
 * arguments and reports what was written. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_int.h"
#include "track/export.h"

static const char runs_usage[] = "usage: lab runs [list] [--experiment NAME] [--status S] [--where 'METRIC OP VALUE']\n"
                                 "                [--sort METRIC] [--asc] [--metrics a,b,...] [--limit N] [--json]\n"
                                 "       lab runs show RUN [--json]\n"
                                 "       lab runs compare RUN RUN ... [--diff] [--json]\n"
                                 "       lab runs export --mlflow DIR\n"
                                 "\n"
                                 "The tracked runs of the store ($LAB_HOME, else .lab). RUN is a run id or any\n"
                                 "unique prefix of it (at least 4 hex digits; listings show 8).\n"
                                 "\n"
                                 "  list       newest first: id, experiment, name, status, start, duration and\n"
                                 "             the latest value of some metrics (by default the keys most runs\n"
                                 "             have, as many as fit 100 columns)\n"
                                 "    --experiment NAME   only that experiment's runs\n"
                                 "    --status S          running, finished, failed or killed\n"
                                 "    --where 'M OP V'    only runs whose latest M compares so (OP: < <= > >= = !=)\n"
                                 "    --sort METRIC       by that metric's latest value, largest first (runs\n"
                                 "                        without it last); --asc for smallest first (with no\n"
                                 "                        --sort, --asc lists oldest first); exit 1 when no\n"
                                 "                        listed run has it\n"
                                 "    --metrics a,b       the metric columns to show\n"
                                 "    --limit N           at most N runs (N >= 1)\n"
                                 "  show       a run's details: params, metrics (last, min, max, steps), tags,\n"
                                 "             note, artifacts, datasets and its notebook\n"
                                 "  compare    runs side by side, one column per run: params and last metrics;\n"
                                 "             --diff keeps only the params and metrics whose values differ\n"
                                 "  export     write every experiment, run and registered model as an MLflow\n"
                                 "             file store in DIR (a new or empty folder, or an earlier export,\n"
                                 "             which is replaced; not the current folder); keys that cannot be\n"
                                 "             file names are left out with a warning; see docs/tracking.md\n"
                                 "  --json     (list, show, compare) the same as JSON\n"
                                 "\n"
                                 "Exit status: 0 success, 1 no such run or an unreadable store, 2 bad usage.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lab runs: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (try lab runs --help)\n", stderr);
    va_end(ap);
    return 2;
}

static int fail(const lab_err *e) {
    fprintf(stderr, "lab: %s\n", e->msg);
    return 1;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 and *val when it is that
 * option (*i moves past the value), 0 when it is not, -1 when the value is
 * missing (the usage error already printed). */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) {
        usage_error("%s needs a value", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

static int is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

/* The latest point of key in r, or NULL. */
static const store_metric_last *find_metric(const store_run *r, const char *key) {
    for (size_t k = 0; k < r->nmetrics; k++)
        if (strcmp(r->metrics[k].key, key) == 0) return &r->metrics[k];
    return NULL;
}

/* ---- list ---------------------------------------------------------------------- */

/* "accuracy > 0.9", "loss<=0.1": the metric (into name, cap bytes), the
 * operator and the value. 0, or -1 when it does not read so. */
static int parse_where(const char *s, char *name, size_t cap, const char **op, double *value) {
    const char *p = s + strcspn(s, "<>=!");
    if (!*p) return -1;
    const char *a = s, *b = p;
    while (*a == ' ') a++;
    while (b > a && b[-1] == ' ') b--;
    if (b == a || (size_t)(b - a) >= cap) return -1;
    memcpy(name, a, (size_t)(b - a));
    name[b - a] = '\0';
    static const char *ops[][2] = {{"<=", "<="}, {">=", ">="}, {"!=", "!="}, {"==", "="},
                                   {"<", "<"},   {">", ">"},   {"=", "="}};
    size_t oplen = 0;
    *op = NULL;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t n = strlen(ops[k][0]);
        if (strncmp(p, ops[k][0], n) == 0) {
            *op = ops[k][1];
            oplen = n;
            break;
        }
    }
    if (!*op) return -1;
    const char *v = p + oplen;
    while (*v == ' ') v++;
    if (!*v) return -1;
    char *end;
    errno = 0;
    *value = strtod(v, &end);
    while (*end == ' ') end++;
    if (*end || end == v) return -1;
    return 0;
}

typedef struct key_count {
    const char *key;
    size_t n;  /* runs with it */
    size_t id; /* its number in the metric_index */
} key_count;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_count(const void *a, const void *b) {
    const key_count *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return strcmp(x->key, y->key);
}

static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* The metric keys of a listing, numbered: keys[] those most runs have first
 * (then by name), and for each run's k-th metric the number of its key
 * (id[first[i] + k]), so that a metric column finds its cells without
 * comparing strings. Counted in a hash table: 10,000 runs with a few keys
 * each must not cost a sort of every key. The strings belong to the runs. */
typedef struct metric_index {
    key_count *keys;
    size_t nk;
    uint32_t *id;
    size_t *first;
} metric_index;

static void metric_index_build(metric_index *mi, const store_run *runs, size_t n) {
    size_t cap = 64, u = 0, total = 0;
    key_count *slot = xcalloc(cap, sizeof *slot);
    mi->first = xmalloc((n + 1) * sizeof *mi->first);
    for (size_t i = 0; i < n; i++) {
        mi->first[i] = total;
        total += runs[i].nmetrics;
    }
    mi->first[n] = total;
    mi->id = xmalloc((total ? total : 1) * sizeof *mi->id);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < runs[i].nmetrics; k++) {
            const char *key = runs[i].metrics[k].key;
            if (2 * (u + 1) > cap) { /* grow: rehash into twice the slots */
                key_count *old = slot;
                size_t oldcap = cap;
                cap *= 2;
                slot = xcalloc(cap, sizeof *slot);
                for (size_t j = 0; j < oldcap; j++) {
                    if (!old[j].key) continue;
                    size_t h = hash_str(old[j].key) & (cap - 1);
                    while (slot[h].key) h = (h + 1) & (cap - 1);
                    slot[h] = old[j];
                }
                free(old);
            }
            size_t h = hash_str(key) & (cap - 1);
            while (slot[h].key && strcmp(slot[h].key, key) != 0) h = (h + 1) & (cap - 1);
            if (!slot[h].key) {
                slot[h].key = key;
                slot[h].id = u++;
            }
            slot[h].n++;
            mi->id[mi->first[i] + k] = (uint32_t)slot[h].id;
        }
    }
    size_t m = 0;
    for (size_t j = 0; j < cap; j++)
        if (slot[j].key) slot[m++] = slot[j];
    qsort(slot, m, sizeof *slot, cmp_count);
    mi->keys = slot;
    mi->nk = m;
}

static void metric_index_free(metric_index *mi) {
    free(mi->keys);
    free(mi->id);
    free(mi->first);
    memset(mi, 0, sizeof *mi);
}

/* The number of key in mi, or -1 when no run has it. */
static long metric_index_find(const metric_index *mi, const char *key) {
    for (size_t k = 0; k < mi->nk; k++)
        if (strcmp(mi->keys[k].key, key) == 0) return (long)mi->keys[k].id;
    return -1;
}

/* A column of the latest values of metric key (number id in mi; -1: none). */
static void add_metric_col(table *t, const store_run *runs, size_t n, const metric_index *mi, const char *key,
                           long id) {
    size_t c = table_add_col(t, key, 1, 0);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        const store_run *r = &runs[i];
        const uint32_t *ids = mi->id + mi->first[i];
        const store_metric_last *m = NULL;
        for (size_t k = 0; id >= 0 && k < r->nmetrics; k++)
            if (ids[k] == (uint32_t)id) {
                m = &r->metrics[k];
                break;
            }
        if (m)
            table_putn(t, c, buf, strlen(fmt_metric(buf, m->value)));
        else
            table_putn(t, c, "", 0);
    }
}

static void list_json(const store_run *runs, size_t n) {
    jw w;
    jw_init(&w, stdout);
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        const store_run *r = &runs[i];
        jw_obj(&w);
        jw_field_str(&w, "id", r->id);
        jw_field_str(&w, "experiment", r->experiment);
        jw_field_str(&w, "name", r->name);
        jw_field_str(&w, "status", run_status_name(r->status));
        jw_field_int(&w, "start_ms", r->start_ms);
        jw_key(&w, "end_ms");
        if (r->end_ms > 0)
            jw_int(&w, r->end_ms);
        else
            jw_null(&w);
        jw_field_int(&w, "duration_ms", run_duration_ms(r));
        jw_field_str(&w, "source", r->source);
        jw_field_str(&w, "user", r->user);
        jw_field_str(&w, "reproduces", r->reproduces);
        jw_key(&w, "metrics");
        jw_obj(&w);
        for (size_t k = 0; k < r->nmetrics; k++) {
            jw_key(&w, r->metrics[k].key);
            jw_num(&w, r->metrics[k].value);
        }
        jw_obj_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_end(&w);
}

/* Exit 1 with a suggestion when --experiment names none of the store's. */
static int check_experiment(store *s, const char *name) {
    lab_err e;
    size_t n = 0;
    char **names = store_experiments(s, &n, &e);
    if (!names) return fail(&e);
    int found = 0;
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) found = 1;
        size_t d = lab_edit_distance(names[i], name);
        if (d < bestd) bestd = d, best = names[i];
    }
    int rc = 0;
    if (!found) {
        if (best && bestd <= 2 + strlen(name) / 4)
            fprintf(stderr, "lab: no experiment '%s' (did you mean '%s'?)\n", name, best);
        else
            fprintf(stderr, "lab: no experiment '%s'\n", name);
        rc = 1;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* Exit 1 for a --sort metric no listed run has: one line, with the closest
 * metric key of the store (all of it: the listing may be filtered), or a
 * few of its keys. all: runs is the whole store. */
static int no_sort_metric(store *s, const char *sort, const store_run *runs, size_t n, int all) {
    store_run *every = NULL;
    size_t nevery = 0;
    if (!all) {
        store_run_filter f = {0};
        f.status = -1;
        lab_err e;
        every = store_runs_list(s, &f, &nevery, &e);
        if (every) runs = every, n = nevery;
    }
    metric_index mi;
    metric_index_build(&mi, runs, n);
    size_t nk = mi.nk;
    const key_count *kc = mi.keys;
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t k = 0; k < nk; k++) {
        size_t d = lab_edit_distance(kc[k].key, sort);
        if (d < bestd) bestd = d, best = kc[k].key;
    }
    fprintf(stderr, "lab: --sort %s: no %srun has that metric", sort, all ? "" : "listed ");
    if (nk == 0) {
        fputs(" (the store has no metrics)\n", stderr);
    } else if (best && bestd <= 1 + strlen(sort) / 4) {
        fprintf(stderr, " (did you mean '%s'?)\n", best);
    } else {
        fputs(" (metrics:", stderr);
        for (size_t k = 0; k < nk && k < 8; k++) fprintf(stderr, "%s %s", k ? "," : "", kc[k].key);
        fputs(nk > 8 ? ", ...)\n" : ")\n", stderr);
    }
    metric_index_free(&mi);
    if (every) store_runs_free(every, nevery);
    return 1;
}

static int runs_list(int argc, char **argv) {
    const char *experiment = NULL, *status = NULL, *where = NULL, *sort = NULL, *metrics = NULL, *limit = NULL;
    int asc = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (is_help(a)) {
            fputs(runs_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--asc") == 0) {
            asc = 1;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            json = 1;
            continue;
        }
        if ((r = opt_value(argc, argv, &i, "--experiment", &experiment)) ||
            (r = opt_value(argc, argv, &i, "--status", &status)) ||
            (r = opt_value(argc, argv, &i, "--where", &where)) || (r = opt_value(argc, argv, &i, "--sort", &sort)) ||
            (r = opt_value(argc, argv, &i, "--metrics", &metrics)) ||
            (r = opt_value(argc, argv, &i, "--limit", &limit))) {
            if (r < 0) return 2;
            continue;
        }
        if (a[0] == '-') return usage_error("unknown option '%s'", a);
        return usage_error("unexpected argument '%s'", a);
    }
    store_run_filter f = {0};
    f.status = -1;
    f.experiment = experiment;
    if (status) {
        f.status = run_status_parse(status);
        if (f.status < 0) return usage_error("unknown status '%s' (running, finished, failed, killed)", status);
    }
    char where_key[256];
    if (where) {
        if (parse_where(where, where_key, sizeof where_key, &f.op, &f.value) != 0)
            return usage_error("--where '%s': expected METRIC OP VALUE, OP one of < <= > >= = !=", where);
        f.metric = where_key;
    }
    if (sort && !*sort) return usage_error("--sort needs a metric name");
    f.sort_metric = sort;
    f.descending = !asc;
    size_t lim = 0;
    if (limit && cli_parse_count(limit, &lim) != 0)
        return usage_error("--limit '%s': expected a whole number from 1", limit);
    /* oldest first: take them all newest first, then turn the list round */
    int reverse = asc && !sort;
    f.limit = reverse ? 0 : lim;

    lab_err e;
    int missing;
    store *s = cli_open_store("runs", &missing, &e);
    if (!s) {
        if (!missing) return fail(&e);
        if (json)
            puts("[]");
        else
            printf("%s\n", e.msg);
        return 0;
    }
    int rc = 0;
    size_t n = 0;
    store_run *runs = NULL;
    table t = {0};
    metric_index mi = {0};
    if (experiment && (rc = check_experiment(s, experiment)) != 0) goto done;
    e.msg[0] = '\0';
    runs = store_runs_list(s, &f, &n, &e);
    if (!runs && e.msg[0]) {
        rc = fail(&e);
        goto done;
    }
    if (reverse) {
        for (size_t i = 0; i < n / 2; i++) {
            store_run tmp = runs[i];
            runs[i] = runs[n - 1 - i];
            runs[n - 1 - i] = tmp;
        }
    }
    /* runs with the sort metric come first: when the first lacks it, all do */
    if (sort && n > 0 && !find_metric(&runs[0], sort)) {
        rc = no_sort_metric(s, sort, runs, n, !(experiment || status || where || lim));
        goto done;
    }
    size_t shown = lim && lim < n ? lim : n;
    if (json) {
        list_json(runs, shown);
        goto done;
    }
    if (shown == 0) {
        printf(experiment || status || where ? "no runs match\n" : "no runs yet\n");
        goto done;
    }
    t.rows = shown;
    size_t cid = table_add_col(&t, "id", 0, 0), cexp = table_add_col(&t, "experiment", 0, 20),
           cname = table_add_col(&t, "name", 0, 28), cst = table_add_col(&t, "status", 0, 0),
           cstart = table_add_col(&t, "start", 0, 0), cdur = table_add_col(&t, "duration", 1, 0);
    char buf[32];
    for (size_t i = 0; i < shown; i++) {
        const store_run *r = &runs[i];
        table_putn(&t, cid, r->id, strnlen(r->id, 8));
        table_put(&t, cexp, r->experiment);
        table_put(&t, cname, r->name);
        table_put(&t, cst, run_status_name(r->status));
        table_put(&t, cstart, fmt_time(buf, r->start_ms));
        table_put(&t, cdur, fmt_duration(buf, run_duration_ms(r)));
    }
    size_t more = 0;
    metric_index_build(&mi, runs, shown);
    if (metrics) {
        char *list = xstrdup(metrics);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            while (*tok == ' ') tok++;
            char *end = tok + strlen(tok);
            while (end > tok && end[-1] == ' ') *--end = '\0';
            if (*tok) add_metric_col(&t, runs, shown, &mi, tok, metric_index_find(&mi, tok));
        }
        free(list);
    } else {
        /* the sort and filter metrics first, then the keys most runs have,
         * while the table fits 100 columns */
        const char *first[2] = {sort, f.metric};
        for (int k = 0; k < 2; k++)
            if (first[k] && !(k == 1 && sort && strcmp(sort, first[1]) == 0))
                add_metric_col(&t, runs, shown, &mi, first[k], metric_index_find(&mi, first[k]));
        for (size_t k = 0; k < mi.nk; k++) {
            const key_count *kc = &mi.keys[k];
            if ((sort && strcmp(kc->key, sort) == 0) || (f.metric && strcmp(kc->key, f.metric) == 0)) continue;
            if (more) {
                more++;
                continue;
            }
            add_metric_col(&t, runs, shown, &mi, kc->key, (long)kc->id);
            if (table_width(&t, t.ncol) > 100) {
                table_pop(&t);
                more = 1;
            }
        }
    }
    table_print(&t, stdout, 0);
    fflush(stdout); /* the note after the table, also on a terminal */
    if (more) fprintf(stderr, "(%zu more metric%s not shown: choose with --metrics a,b)\n", more, more == 1 ? "" : "s");
done:
    metric_index_free(&mi);
    table_free(&t);
    if (runs) store_runs_free(runs, n);
    store_close(s);
    return rc;
}

/* ---- show ---------------------------------------------------------------------- */

static void show_json(const store_run *r) {
    jw w;
    jw_init(&w, stdout);
    jw_obj(&w);
    jw_field_str(&w, "id", r->id);
    jw_field_str(&w, "experiment", r->experiment);
    jw_field_str(&w, "name", r->name);
    jw_field_str(&w, "status", run_status_name(r->status));
    jw_field_int(&w, "start_ms", r->start_ms);
    jw_key(&w, "end_ms");
    if (r->end_ms > 0)
        jw_int(&w, r->end_ms);
    else
        jw_null(&w);
    jw_field_int(&w, "duration_ms", run_duration_ms(r));
    jw_field_str(&w, "source", r->source);
    jw_field_str(&w, "session", r->session);
    jw_field_str(&w, "user", r->user);
    jw_field_str(&w, "host", r->host);
    jw_field_str(&w, "lab_version", r->lab_version);
    jw_field_str(&w, "git_commit", r->git_commit);
    jw_key(&w, "git_dirty");
    if (r->git_dirty < 0)
        jw_null(&w);
    else
        jw_bool(&w, r->git_dirty);
    jw_field_str(&w, "reproduces", r->reproduces);
    jw_field_str(&w, "note", r->note);
    jw_key(&w, "params");
    jw_obj(&w);
    for (size_t k = 0; k < r->nparams; k++) jw_field_str(&w, r->param_keys[k], r->param_values[k]);
    jw_obj_end(&w);
    jw_key(&w, "metrics");
    jw_obj(&w);
    for (size_t k = 0; k < r->nmetrics; k++) {
        const store_metric_last *m = &r->metrics[k];
        jw_key(&w, m->key);
        jw_obj(&w);
        jw_field_num(&w, "last", m->value);
        jw_field_int(&w, "step", m->step);
        jw_field_num(&w, "min", m->min);
        jw_field_num(&w, "max", m->max);
        jw_field_int(&w, "count", m->count);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_key(&w, "tags");
    jw_obj(&w);
    for (size_t k = 0; k < r->ntags; k++) jw_field_str(&w, r->tag_keys[k], r->tag_values[k]);
    jw_obj_end(&w);
    jw_key(&w, "artifacts");
    jw_arr(&w);
    for (size_t k = 0; k < r->nartifacts; k++) {
        jw_obj(&w);
        jw_field_str(&w, "name", r->artifacts[k].name);
        jw_field_int(&w, "size", r->artifacts[k].size);
        jw_field_str(&w, "sha256", r->artifacts[k].sha256);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_key(&w, "datasets");
    jw_arr(&w);
    for (size_t k = 0; k < r->ndatasets; k++) {
        const struct store_dataset_row *d = &r->datasets[k];
        jw_obj(&w);
        jw_field_str(&w, "path", d->path);
        jw_field_str(&w, "sha256", d->sha256);
        jw_field_int(&w, "rows", d->rows);
        jw_field_int(&w, "cols", d->cols);
        jw_field_str(&w, "schema", d->schema);
        jw_field_str(&w, "query", d->query);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_field_str(&w, "notebook", r->notebook);
    jw_field_str(&w, "notebook_sha256", r->notebook_sha256);
    jw_obj_end(&w);
    jw_end(&w);
}

/* A short hash for tables: its first 12 hex digits. */
static const char *short_sha(char *buf, const char *sha) {
    snprintf(buf, 13, "%s", sha ? sha : "");
    return buf;
}

/* Print text indented by two spaces, line by line. */
static void print_indented(const char *text) {
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        printf("  %.*s\n", (int)n, p);
        p += n;
        if (*p) p++;
    }
}

static void show_text(const store_run *r) {
    char buf[32], buf2[32];
    table h = {0};
    size_t ck = table_add_col(&h, "run", 0, 0), cv = table_add_col(&h, r->id, 0, 0);
#define ROW(k, v)                                                                                                      \
    do {                                                                                                               \
        table_put(&h, ck, k);                                                                                          \
        table_put(&h, cv, v);                                                                                          \
    } while (0)
    ROW("name", r->name);
    ROW("experiment", r->experiment);
    ROW("status", run_status_name(r->status));
    ROW("start", fmt_time_sec(buf, r->start_ms));
    if (r->end_ms > 0) ROW("end", fmt_time_sec(buf, r->end_ms));
    ROW(r->end_ms > 0 ? "duration" : "running for", fmt_duration(buf2, run_duration_ms(r)));
    if (r->source) ROW("source", r->source);
    if (r->session) ROW("session", r->session);
    if (r->user || r->host) {
        char who[256];
        snprintf(who, sizeof who, "%s%s%s", r->user ? r->user : "", r->host ? "@" : "", r->host ? r->host : "");
        ROW("user", who);
    }
    if (r->lab_version) ROW("lab", r->lab_version);
    if (r->git_commit) {
        char git[128];
        snprintf(git, sizeof git, "%s%s", r->git_commit, r->git_dirty > 0 ? " (dirty)" : "");
        ROW("git", git);
    }
    if (r->reproduces) ROW("reproduces", r->reproduces);
#undef ROW
    table_print(&h, stdout, 0);
    table_free(&h);

    if (r->nparams) {
        table t = {0};
        size_t c0 = table_add_col(&t, "param", 0, 0), c1 = table_add_col(&t, "value", 0, 0);
        for (size_t k = 0; k < r->nparams; k++) {
            table_put(&t, c0, r->param_keys[k]);
            table_put(&t, c1, r->param_values[k]);
        }
        printf("\n");
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (r->nmetrics) {
        table t = {0};
        size_t c0 = table_add_col(&t, "metric", 0, 0), c1 = table_add_col(&t, "last", 1, 0),
               c2 = table_add_col(&t, "step", 1, 0), c3 = table_add_col(&t, "min", 1, 0),
               c4 = table_add_col(&t, "max", 1, 0), c5 = table_add_col(&t, "steps", 1, 0);
        for (size_t k = 0; k < r->nmetrics; k++) {
            const store_metric_last *m = &r->metrics[k];
            table_put(&t, c0, m->key);
            table_put(&t, c1, fmt_metric(buf, m->value));
            table_putf(&t, c2, "%lld", (long long)m->step);
            table_put(&t, c3, fmt_metric(buf, m->min));
            table_put(&t, c4, fmt_metric(buf, m->max));
            table_putf(&t, c5, "%lld", (long long)m->count);
        }
        printf("\n");
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (r->ntags) {
        table t = {0};
        size_t c0 = table_add_col(&t, "tag", 0, 0), c1 = table_add_col(&t, "value", 0, 0);
        for (size_t k = 0; k < r->ntags; k++) {
            table_put(&t, c0, r->tag_keys[k]);
            table_put(&t, c1, r->tag_values[k]);
        }
        printf("\n");
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (r->note && *r->note) {
        printf("\nnote\n");
        print_indented(r->note);
    }
    if (r->nartifacts) {
        table t = {0};
        size_t c0 = table_add_col(&t, "artifact", 0, 0), c1 = table_add_col(&t, "size", 1, 0),
               c2 = table_add_col(&t, "sha256", 0, 0);
        char sha[16];
        for (size_t k = 0; k < r->nartifacts; k++) {
            table_put(&t, c0, r->artifacts[k].name);
            table_put(&t, c1, fmt_size(buf, r->artifacts[k].size));
            table_put(&t, c2, short_sha(sha, r->artifacts[k].sha256));
        }
        printf("\n");
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (r->ndatasets) {
        table t = {0};
        size_t c0 = table_add_col(&t, "dataset", 0, 0), c1 = table_add_col(&t, "rows x cols", 1, 0),
               c2 = table_add_col(&t, "sha256", 0, 0), c3 = table_add_col(&t, "schema", 0, 40);
        char sha[16];
        for (size_t k = 0; k < r->ndatasets; k++) {
            const struct store_dataset_row *d = &r->datasets[k];
            table_put(&t, c0, d->path);
            table_putf(&t, c1, "%lld x %lld", (long long)d->rows, (long long)d->cols);
            table_put(&t, c2, short_sha(sha, d->sha256));
            table_put(&t, c3, d->schema);
        }
        printf("\n");
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (r->notebook && *r->notebook) {
        char sha[16];
        printf("\nnotebook (sha256 %s)\n", short_sha(sha, r->notebook_sha256));
        fputs(r->notebook, stdout);
        size_t n = strlen(r->notebook);
        if (r->notebook[n - 1] != '\n') fputc('\n', stdout);
    }
}

static int runs_show(int argc, char **argv) {
    const char *id = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) {
            fputs(runs_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--json") == 0)
            json = 1;
        else if (a[0] == '-')
            return usage_error("unknown option '%s'", a);
        else if (id)
            return usage_error("show takes one run (to see several: lab runs compare)");
        else
            id = a;
    }
    if (!id) return usage_error("show needs a run id (see lab runs list)");
    lab_err e;
    int missing;
    store *s = cli_open_store("runs", &missing, &e);
    if (!s) return fail(&e);
    store_run *r = store_run_get(s, id, &e);
    int rc = 0;
    if (!r) {
        rc = fail(&e);
    } else if (json) {
        show_json(r);
    } else {
        show_text(r);
    }
    if (r) store_runs_free(r, 1);
    store_close(s);
    return rc;
}

/* ---- compare ------------------------------------------------------------------- */

/* The sorted, distinct keys of one kind (params 0, metrics 1) of the runs. */
static char **union_keys(store_run **runs, size_t n, int metrics, size_t *nk) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += metrics ? runs[i]->nmetrics : runs[i]->nparams;
    char **all = xmalloc((total ? total : 1) * sizeof *all);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = metrics ? runs[i]->nmetrics : runs[i]->nparams;
        for (size_t k = 0; k < c; k++) all[m++] = metrics ? runs[i]->metrics[k].key : runs[i]->param_keys[k];
    }
    qsort(all, m, sizeof *all, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || strcmp(all[u - 1], all[i]) != 0) all[u++] = all[i];
    *nk = u;
    return all;
}

static const char *param_of(const store_run *r, const char *key) {
    for (size_t k = 0; k < r->nparams; k++)
        if (strcmp(r->param_keys[k], key) == 0) return r->param_values[k];
    return NULL;
}

/* Cell text of key in run r: the param's value or the metric's exact last
 * value; NULL when r lacks it. */
static const char *compare_cell(const store_run *r, int metric, const char *key, char buf[32]) {
    if (!metric) return param_of(r, key);
    const store_metric_last *m = find_metric(r, key);
    if (!m) return NULL;
    lab_fmt_double(buf, m->value);
    return buf;
}

/* 1 when the runs do not all have the same value for key. */
static int differs(store_run **runs, size_t n, int metric, const char *key) {
    char b0[32], b1[32];
    const char *v0 = compare_cell(runs[0], metric, key, b0);
    for (size_t i = 1; i < n; i++) {
        const char *v = compare_cell(runs[i], metric, key, b1);
        if (!v0 != !v || (v0 && strcmp(v0, v) != 0)) return 1;
    }
    return 0;
}

static void compare_json(store_run **runs, size_t n, char **pk, size_t npk, char **mk, size_t nmk, int diff) {
    jw w;
    jw_init(&w, stdout);
    jw_obj(&w);
    jw_key(&w, "runs");
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w);
        jw_field_str(&w, "id", runs[i]->id);
        jw_field_str(&w, "name", runs[i]->name);
        jw_field_str(&w, "experiment", runs[i]->experiment);
        jw_field_str(&w, "status", run_status_name(runs[i]->status));
        jw_field_int(&w, "duration_ms", run_duration_ms(runs[i]));
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_key(&w, "params");
    jw_obj(&w);
    for (size_t k = 0; k < npk; k++) {
        if (diff && !differs(runs, n, 0, pk[k])) continue;
        jw_key(&w, pk[k]);
        jw_arr(&w);
        for (size_t i = 0; i < n; i++) jw_str(&w, param_of(runs[i], pk[k]));
        jw_arr_end(&w);
    }
    jw_obj_end(&w);
    jw_key(&w, "metrics");
    jw_obj(&w);
    for (size_t k = 0; k < nmk; k++) {
        if (diff && !differs(runs, n, 1, mk[k])) continue;
        jw_key(&w, mk[k]);
        jw_arr(&w);
        for (size_t i = 0; i < n; i++) {
            const store_metric_last *m = find_metric(runs[i], mk[k]);
            if (m)
                jw_num(&w, m->value);
            else
                jw_null(&w);
        }
        jw_arr_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_end(&w);
}

static void compare_text(store_run **runs, size_t n, char **pk, size_t npk, char **mk, size_t nmk, int diff) {
    table t = {0};
    size_t ckey = table_add_col(&t, "run", 0, 40);
    size_t *cols = xmalloc(n * sizeof *cols);
    for (size_t i = 0; i < n; i++) {
        char id8[9];
        snprintf(id8, sizeof id8, "%.8s", runs[i]->id);
        cols[i] = table_add_col(&t, id8, 0, 30);
    }
    char buf[32];
    table_put(&t, ckey, "name");
    for (size_t i = 0; i < n; i++) table_put(&t, cols[i], runs[i]->name);
    table_put(&t, ckey, "experiment");
    for (size_t i = 0; i < n; i++) table_put(&t, cols[i], runs[i]->experiment);
    table_put(&t, ckey, "status");
    for (size_t i = 0; i < n; i++) table_put(&t, cols[i], run_status_name(runs[i]->status));
    table_put(&t, ckey, "start");
    for (size_t i = 0; i < n; i++) table_put(&t, cols[i], fmt_time(buf, runs[i]->start_ms));
    table_put(&t, ckey, "duration");
    for (size_t i = 0; i < n; i++) table_put(&t, cols[i], fmt_duration(buf, run_duration_ms(runs[i])));
    size_t kept = 0;
    for (int metric = 0; metric < 2; metric++) {
        char **keys = metric ? mk : pk;
        size_t nk = metric ? nmk : npk;
        for (size_t k = 0; k < nk; k++) {
            if (diff && !differs(runs, n, metric, keys[k])) continue;
            kept++;
            table_putf(&t, ckey, "%s.%s", metric ? "metrics" : "params", keys[k]);
            for (size_t i = 0; i < n; i++) {
                const char *v = compare_cell(runs[i], metric, keys[k], buf);
                table_put(&t, cols[i], v ? v : "-");
            }
        }
    }
    table_print(&t, stdout, 0);
    if (diff && kept == 0 && npk + nmk > 0) printf("(the runs' params and metrics are all the same)\n");
    table_free(&t);
    free(cols);
}

static int runs_compare(int argc, char **argv) {
    int json = 0, diff = 0;
    const char **ids = xcalloc((size_t)argc, sizeof *ids);
    size_t nid = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) {
            fputs(runs_usage, stdout);
            free(ids);
            return 0;
        }
        if (strcmp(a, "--json") == 0)
            json = 1;
        else if (strcmp(a, "--diff") == 0)
            diff = 1;
        else if (a[0] == '-') {
            free(ids);
            return usage_error("unknown option '%s'", a);
        } else
            ids[nid++] = a;
    }
    if (nid < 2) {
        free(ids);
        return usage_error("compare needs at least two runs");
    }
    lab_err e;
    int missing, rc = 0;
    store_run **runs = xcalloc(nid, sizeof *runs);
    char **pk = NULL, **mk = NULL;
    store *s = cli_open_store("runs", &missing, &e);
    if (!s) {
        rc = fail(&e);
        goto done;
    }
    for (size_t i = 0; i < nid; i++) {
        runs[i] = store_run_get(s, ids[i], &e);
        if (!runs[i]) {
            rc = fail(&e);
            goto done;
        }
    }
    size_t npk, nmk;
    pk = union_keys(runs, nid, 0, &npk);
    mk = union_keys(runs, nid, 1, &nmk);
    if (json)
        compare_json(runs, nid, pk, npk, mk, nmk, diff);
    else
        compare_text(runs, nid, pk, npk, mk, nmk, diff);
done:
    free(pk);
    free(mk);
    for (size_t i = 0; i < nid; i++)
        if (runs[i]) store_runs_free(runs[i], 1);
    free(runs);
    free(ids);
    store_close(s);
    return rc;
}

/* ---- export -------------------------------------------------------------------- */

/* A key the export leaves out: one line on stderr, before the summary. */
static void export_warn(void *ctx, const char *msg) {
    (void)ctx;
    fflush(stdout);
    fprintf(stderr, "lab: warning: %s\n", msg);
}

static int runs_export(int argc, char **argv) {
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (is_help(a)) {
            fputs(runs_usage, stdout);
            return 0;
        }
        if ((r = opt_value(argc, argv, &i, "--mlflow", &dir))) {
            if (r < 0) return 2;
            continue;
        }
        if (a[0] == '-') return usage_error("unknown option '%s'", a);
        return usage_error("unexpected argument '%s' (export --mlflow DIR)", a);
    }
    if (!dir || !*dir) return usage_error("export needs --mlflow DIR (MLflow's file store is the one format)");
    lab_err e;
    int missing;
    store *s = cli_open_store("runs", &missing, &e);
    if (!s) return fail(&e);
    store_export_stats st;
    int rc = 0;
    if (store_export_mlflow(s, dir, export_warn, NULL, &st, &e) != 0) {
        rc = fail(&e);
    } else {
#define S(n) ((n) == 1 ? "" : "s")
        printf("exported %zu experiment%s, %zu run%s (%zu metric point%s, %zu artifact%s) and "
               "%zu model%s (%zu version%s) to %s",
               st.experiments, S(st.experiments), st.runs, S(st.runs), st.points, S(st.points), st.artifacts,
               S(st.artifacts), st.models, S(st.models), st.versions, S(st.versions), dir);
        if (st.skipped) printf("; skipped %zu key%s (named above)", st.skipped, S(st.skipped));
        printf("\n");
#undef S
    }
    store_close(s);
    return rc;
}

int lab_runs_main(int argc, char **argv) {
    if (argc < 2) return runs_list(argc, argv);
    const char *sub = argv[1];
    if (is_help(sub) || strcmp(sub, "help") == 0) {
        fputs(runs_usage, stdout);
        return 0;
    }
    if (strcmp(sub, "list") == 0) return runs_list(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0) return runs_show(argc - 1, argv + 1);
    if (strcmp(sub, "compare") == 0) return runs_compare(argc - 1, argv + 1);
    if (strcmp(sub, "export") == 0) return runs_export(argc - 1, argv + 1);
    if (sub[0] == '-') return runs_list(argc, argv);
    return usage_error("unknown subcommand '%s' (list, show, compare, export)", sub);
}
