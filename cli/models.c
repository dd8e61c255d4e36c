/* models.c — `lab models`: the model registry as a table or as JSON.
 *
 * A thin reader over store_models_list: list shows one line per registered
 * model, show one line per version, newest first (in the table and in the
 * JSON alike), as a registry's user looks for the latest and for where
 * "production" points. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_int.h"

static const char models_usage[] = "usage: lab models [list] [--json]\n"
                                   "       lab models show NAME [--json]\n"
                                   "\n"
                                   "The model registry of the store ($LAB_HOME, else .lab): models registered\n"
                                   "with lab.register(run, name) and their aliases (lab.alias). A registered\n"
                                   "model is used as NAME (its latest version), NAME:N or NAME@alias wherever\n"
                                   "lab expects a model.\n"
                                   "\n"
                                   "  list       one line per model: versions, the latest, aliases, last update\n"
                                   "  show NAME  one line per version, newest first: aliases, source run, kind,\n"
                                   "             when it was registered, sha256 of the file, feature schema\n"
                                   "  --json     the same as JSON (versions newest first)\n"
                                   "\n"
                                   "Exit status: 0 success, 1 no such model or an unreadable store, 2 bad usage.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lab models: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (try lab models --help)\n", stderr);
    va_end(ap);
    return 2;
}

static int is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

/* "production, staging" (caller frees; NULL when there are none). */
static char *join_aliases(const store_model_version *v) {
    if (!v->naliases) return NULL;
    strbuf b = {0};
    for (size_t k = 0; k < v->naliases; k++) {
        if (k) strbuf_adds(&b, ", ");
        strbuf_adds(&b, v->aliases[k]);
    }
    return b.s;
}

static void version_json(jw *w, const store_model_version *v) {
    jw_obj(w);
    jw_field_int(w, "version", v->version);
    jw_key(w, "aliases");
    jw_arr(w);
    for (size_t k = 0; k < v->naliases; k++) jw_str(w, v->aliases[k]);
    jw_arr_end(w);
    jw_field_str(w, "run", v->run);
    jw_field_str(w, "kind", v->kind);
    jw_field_int(w, "created_ms", v->created_ms);
    jw_field_str(w, "sha256", v->sha256);
    jw_field_str(w, "schema", v->schema);
    jw_field_str(w, "path", v->path);
    jw_obj_end(w);
}

static void model_json(jw *w, const store_model *m) {
    jw_obj(w);
    jw_field_str(w, "name", m->name);
    jw_field_int(w, "created_ms", m->created_ms);
    jw_key(w, "versions");
    jw_arr(w);
    for (size_t k = m->nversions; k-- > 0;) version_json(w, &m->versions[k]); /* newest first, as the table */
    jw_arr_end(w);
    jw_obj_end(w);
}

/* Parse "[--json]" and at most want positional arguments into pos. */
static int parse_args(int argc, char **argv, int *json, const char **pos, int want, int *npos) {
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) {
            fputs(models_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--json") == 0)
            *json = 1;
        else if (a[0] == '-')
            return usage_error("unknown option '%s'", a);
        else if (*npos < want)
            pos[(*npos)++] = a;
        else
            return usage_error("unexpected argument '%s'", a);
    }
    return -1;
}

static int models_list(int argc, char **argv) {
    int json = 0, npos, rc = parse_args(argc, argv, &json, NULL, 0, &npos);
    if (rc >= 0) return rc;
    lab_err e;
    int missing;
    store *s = cli_open_store("models", &missing, &e);
    if (!s) {
        if (!missing) {
            fprintf(stderr, "lab: %s\n", e.msg);
            return 1;
        }
        if (json)
            puts("[]");
        else
            printf("%s\n", e.msg);
        return 0;
    }
    size_t n = 0;
    e.msg[0] = '\0';
    store_model *m = store_models_list(s, NULL, &n, &e);
    rc = 0;
    if (!m && n == 0 && e.msg[0]) {
        fprintf(stderr, "lab: %s\n", e.msg);
        rc = 1;
    } else if (json) {
        jw w;
        jw_init(&w, stdout);
        jw_arr(&w);
        for (size_t i = 0; i < n; i++) model_json(&w, &m[i]);
        jw_arr_end(&w);
        jw_end(&w);
    } else if (n == 0) {
        printf("no models yet (register one with lab.register(run, name))\n");
    } else {
        table t = {0};
        size_t cn = table_add_col(&t, "model", 0, 40), cv = table_add_col(&t, "versions", 1, 0),
               cl = table_add_col(&t, "latest", 1, 0), ca = table_add_col(&t, "aliases", 0, 40),
               cu = table_add_col(&t, "updated", 0, 0);
        char buf[32];
        for (size_t i = 0; i < n; i++) {
            table_put(&t, cn, m[i].name);
            table_putf(&t, cv, "%zu", m[i].nversions);
            strbuf al = {0};
            int64_t updated = m[i].created_ms;
            for (size_t k = 0; k < m[i].nversions; k++) {
                const store_model_version *v = &m[i].versions[k];
                for (size_t a = 0; a < v->naliases; a++) {
                    char one[160];
                    snprintf(one, sizeof one, "%s%s=%d", al.n ? ", " : "", v->aliases[a], v->version);
                    strbuf_adds(&al, one);
                }
                if (v->created_ms > updated) updated = v->created_ms;
            }
            if (m[i].nversions)
                table_putf(&t, cl, "%d", m[i].versions[m[i].nversions - 1].version);
            else
                table_put(&t, cl, "-");
            table_put(&t, ca, al.s);
            free(al.s);
            table_put(&t, cu, fmt_time(buf, updated));
        }
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (m) store_models_free(m, n);
    store_close(s);
    return rc;
}

/* "no model 'irs' (did you mean 'iris'?)" */
static void no_model(const store_model *all, size_t n, const char *name) {
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = lab_edit_distance(all[i].name, name);
        if (d < bestd) bestd = d, best = all[i].name;
    }
    if (best && bestd <= 1 + strlen(name) / 4) /* as store_model_resolve suggests */
        fprintf(stderr, "lab: no model '%s' (did you mean '%s'?)\n", name, best);
    else
        fprintf(stderr, "lab: no model '%s'%s\n", name, n ? "" : " (the registry is empty)");
}

static int models_show(int argc, char **argv) {
    int json = 0, npos;
    const char *name = NULL;
    int rc = parse_args(argc, argv, &json, &name, 1, &npos);
    if (rc >= 0) return rc;
    if (!name) return usage_error("show needs a model name (see lab models list)");
    lab_err e;
    int missing;
    store *s = cli_open_store("models", &missing, &e);
    if (!s) {
        fprintf(stderr, "lab: %s\n", e.msg);
        return 1;
    }
    /* all of them, to suggest a name when this one is not there */
    size_t n = 0;
    e.msg[0] = '\0';
    store_model *all = store_models_list(s, NULL, &n, &e), *m = NULL;
    for (size_t i = 0; i < n && !m; i++)
        if (strcmp(all[i].name, name) == 0) m = &all[i];
    rc = 0;
    if (!all && e.msg[0]) {
        fprintf(stderr, "lab: %s\n", e.msg);
        rc = 1;
    } else if (!m) {
        no_model(all, n, name);
        rc = 1;
    } else if (json) {
        jw w;
        jw_init(&w, stdout);
        model_json(&w, m);
        jw_end(&w);
    } else {
        char buf[32];
        printf("model %s: %zu version%s, created %s\n\n", m->name, m->nversions, m->nversions == 1 ? "" : "s",
               fmt_time(buf, m->created_ms));
        table t = {0};
        size_t cv = table_add_col(&t, "version", 1, 0), ca = table_add_col(&t, "aliases", 0, 30),
               cr = table_add_col(&t, "run", 0, 0), ck = table_add_col(&t, "kind", 0, 0),
               cc = table_add_col(&t, "created", 0, 0), cs = table_add_col(&t, "sha256", 0, 0),
               cf = table_add_col(&t, "schema", 0, 60);
        for (size_t k = m->nversions; k-- > 0;) {
            const store_model_version *v = &m->versions[k];
            char *al = join_aliases(v);
            table_putf(&t, cv, "%d", v->version);
            table_put(&t, ca, al);
            table_putf(&t, cr, "%.8s", v->run);
            table_put(&t, ck, v->kind);
            table_put(&t, cc, fmt_time(buf, v->created_ms));
            table_putf(&t, cs, "%.12s", v->sha256 ? v->sha256 : "");
            table_put(&t, cf, v->schema);
            free(al);
        }
        table_print(&t, stdout, 0);
        table_free(&t);
    }
    if (all) store_models_free(all, n);
    store_close(s);
    return rc;
}

int lab_models_main(int argc, char **argv) {
    if (argc < 2) return models_list(argc, argv);
    const char *sub = argv[1];
    if (is_help(sub) || strcmp(sub, "help") == 0) {
        fputs(models_usage, stdout);
        return 0;
    }
    if (strcmp(sub, "list") == 0) return models_list(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0) return models_show(argc - 1, argv + 1);
    if (sub[0] == '-') return models_list(argc, argv);
    return usage_error("unknown subcommand '%s' (list, show)", sub);
}
