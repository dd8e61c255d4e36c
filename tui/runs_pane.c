/* runs_pane.c — the runs pane (F5): the tracked runs of the session's
 * experiment as a table (id, name, status, start, duration, then the latest
 * value of every metric), sortable by any column; runs marked with Space are
 * compared side by side (params and last metrics, only the differences on
 * `d`) or their curves of one metric overlaid in the plot view; Enter shows
 * everything about one run; `r` registers its model and sets an alias. F9,
 * from any pane, promotes the session and shows the new run here.
 *
 * The pane reads the store itself (store_open_readonly, one short read per
 * refresh, never creating anything) but writes only through the session's
 * Lua functions (lab.promote, lab.register, lab.alias), so the workbench and
 * scripts record runs one way. A refresh happens when lab.db or lab.db-wal
 * changed (size, mtime or inode: two stat calls, once per loop turn and
 * after every chunk) and after the pane's own writes; the stamp is taken
 * after the pane's read, so the read itself never triggers another. The
 * trade-off: the list is read whole (the store lists 10,000 runs with their
 * metrics in a few ms), and a run is followed by its id, so the selection and
 * the marks survive refreshes and re-sorting. */
#include "tui.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data/print.h"
#include "lua_track.h"
#include "track/store.h"
#include "tui_int.h"

#define GAP 2
#define CELL_MAX 256
#define PLOT_RUNS_MAX 20 /* lines in one plot (the plot engine's group limit) */

/* ---- state ----------------------------------------------------------------------- */

/* The list's columns after the mark and the id, which always show. */
typedef enum col_kind {
    COLK_NAME,
    COLK_EXPERIMENT, /* only when all experiments are listed */
    COLK_STATUS,
    COLK_START,
    COLK_DURATION,
    COLK_METRIC
} col_kind;

typedef struct runs_col {
    col_kind kind;
    const char *key; /* COLK_METRIC: the metric (owned by keys) */
} runs_col;

typedef enum runs_view { VIEW_LIST, VIEW_COMPARE, VIEW_SHOW } runs_view;

/* A row of the comparison: a section heading, or a label and one value per run. */
typedef struct cmp_row {
    char *label;
    char **vals;  /* ncmp values, NULL where the run has none */
    int section;  /* a heading ("params") */
    int differs;
    char *metric; /* a metric row: its key, for `p` */
} cmp_row;

typedef struct runs_state {
    /* the list, as the store gave it (newest first) and in the order shown */
    store_run *runs;
    size_t nruns;
    int *order;
    char **keys; /* the listed runs' metric keys, sorted */
    int nkeys;
    runs_col *cols;
    int ncols;
    char *exp_pick;      /* NULL: the session's experiment; "": all; else a name */
    char exp_shown[256]; /* what the list shows ("" all) */
    int exp_is_session;
    char load_err[512];
    int loaded;
    /* the cursor: by id and by column identity, kept across refreshes */
    int sel, top;
    char sel_id[33];
    int col, left;
    col_kind col_kind_;
    char col_key[256];
    int sort_on; /* 0: the store's order (newest first) */
    col_kind sort_kind;
    char sort_key[256];
    int sort_desc;
    /* the marked runs, by id */
    char (*marks)[33];
    int nmarks;
    /* lab.db and lab.db-wal when last read */
    long long stamp[8];
    int stale;
    /* the comparison */
    runs_view view;
    char (*cmp_ids)[33];
    char **cmp_heads; /* "1a2b3c4d name" */
    int ncmp;
    cmp_row *rows;
    int nrows;
    int only_diff;
    int csel, ctop, cleft;
    /* one run shown in full */
    char **lines;
    int nlines;
    int stop;
    char show_id[33];
    char show_name[128];
    char msg[512];
    int msg_error;
} runs_state;

static runs_state *state_of(pane *p) { return p->state; }

static void set_msg(runs_state *s, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(runs_state *s, int error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    char *nl = strchr(s->msg, '\n'); /* one line: Lua messages may carry more */
    if (nl) *nl = '\0';
    s->msg_error = error;
}

static int width_of(const char *s) { return (int)text_width(s, strlen(s)); }

/* Bytes of s that take at most width cells. */
static size_t prefix_bytes(const char *s, size_t width) {
    size_t w = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (w == width) break;
            w++;
        }
    return i;
}

/* s in width cells at (y, x), elided with … when longer, right-aligned when
 * right is set, padded with spaces in attribute a. */
static void put_cell(tui *t, WINDOW *w, int y, int x, const char *s, int width, int right, attr_t a, int maxx) {
    if (width <= 0 || x >= maxx) return;
    if (x + width > maxx) width = maxx - x;
    int sw = width_of(s);
    char buf[CELL_MAX + 8];
    if (sw > width) {
        size_t keep = prefix_bytes(s, (size_t)(width - 1));
        snprintf(buf, sizeof buf, "%.*s%s", (int)keep, s, tui_utf8(t) ? "…" : "~");
        s = buf;
        sw = width;
    }
    int pad = right ? width - sw : 0;
    wattrset(w, a);
    mvwhline(w, y, x, ' ', width);
    tui_puts(w, y, x + pad, s, sw);
    wattrset(w, A_NORMAL);
}

/* ---- formatting ---------------------------------------------------------------------- */

/* Wall-clock milliseconds, as the store's times (lab_now is monotonic). */
static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fmt_value(double v, char *buf, size_t cap) {
    if (isnan(v)) snprintf(buf, cap, "nan");
    else if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, cap, "%.0f", v);
    else snprintf(buf, cap, "%.6g", v);
}

/* "05-01 12:03" (the list) or "2025-05-01 12:03:05" (full). */
static void fmt_time(int64_t ms, int full, char *buf, size_t cap) {
    if (ms <= 0) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t tt = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, cap, full ? "%Y-%m-%d %H:%M:%S" : "%m-%d %H:%M", &tm);
}

/* "0.4s", "12s", "3m05s", "2h07m"; a running run counts until now. */
static void fmt_duration(const store_run *r, char *buf, size_t cap) {
    int64_t end = r->end_ms;
    if (r->status == RUN_RUNNING || end <= 0) end = now_ms();
    double sec = (double)(end - r->start_ms) / 1000;
    if (r->start_ms <= 0 || sec < 0) snprintf(buf, cap, "-");
    else if (sec < 10) snprintf(buf, cap, "%.1fs", sec);
    else if (sec < 60) snprintf(buf, cap, "%.0fs", sec);
    else if (sec < 3600) snprintf(buf, cap, "%dm%02ds", (int)sec / 60, (int)sec % 60);
    else snprintf(buf, cap, "%dh%02dm", (int)sec / 3600, (int)sec % 3600 / 60);
}

static double duration_of(const store_run *r) {
    int64_t end = r->end_ms;
    if (r->status == RUN_RUNNING || end <= 0) end = now_ms();
    return (double)(end - r->start_ms);
}

static const store_metric_last *metric_of(const store_run *r, const char *key) {
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i].key, key) == 0) return &r->metrics[i];
    return NULL;
}

static const char *col_head(const runs_col *c) {
    switch (c->kind) {
    case COLK_NAME: return "name";
    case COLK_EXPERIMENT: return "experiment";
    case COLK_STATUS: return "status";
    case COLK_START: return "start";
    case COLK_DURATION: return "duration";
    default: return c->key;
    }
}

/* The text of column c for run r; returns 1 when it is a number (right-aligned). */
static int cell_text(const runs_col *c, const store_run *r, char *buf, size_t cap) {
    switch (c->kind) {
    case COLK_NAME: snprintf(buf, cap, "%s", r->name ? r->name : ""); return 0;
    case COLK_EXPERIMENT: snprintf(buf, cap, "%s", r->experiment ? r->experiment : ""); return 0;
    case COLK_STATUS: snprintf(buf, cap, "%s", run_status_name(r->status)); return 0;
    case COLK_START: fmt_time(r->start_ms, 0, buf, cap); return 0;
    case COLK_DURATION: fmt_duration(r, buf, cap); return 1;
    default: {
        const store_metric_last *m = metric_of(r, c->key);
        if (m) fmt_value(m->value, buf, cap);
        else snprintf(buf, cap, "-");
        return 1;
    }
    }
}

/* ---- marks -------------------------------------------------------------------------- */

static int mark_index(const runs_state *s, const char *id) {
    for (int i = 0; i < s->nmarks; i++)
        if (strcmp(s->marks[i], id) == 0) return i;
    return -1;
}

static void mark_toggle(runs_state *s, const char *id) {
    int i = mark_index(s, id);
    if (i >= 0) {
        memmove(&s->marks[i], &s->marks[i + 1], (size_t)(s->nmarks - i - 1) * sizeof s->marks[0]);
        s->nmarks--;
        return;
    }
    s->marks = xrealloc(s->marks, (size_t)(s->nmarks + 1) * sizeof s->marks[0]);
    snprintf(s->marks[s->nmarks++], 33, "%s", id);
}

/* ---- reading the store ------------------------------------------------------------------ */

static void take_stamp(tui *t, long long st[8]) {
    char path[1100];
    memset(st, 0, 8 * sizeof st[0]);
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%.1000s/lab.db%s", t->store, k ? "-wal" : "");
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        st[k * 4 + 0] = (long long)sb.st_size;
        st[k * 4 + 1] = (long long)sb.st_mtim.tv_sec;
        st[k * 4 + 2] = (long long)sb.st_mtim.tv_nsec;
        st[k * 4 + 3] = (long long)sb.st_ino;
    }
}

/* Push lab.<name> (from package.loaded, so a session that rebinds the global
 * `lab` does not change what the keys do). Returns 1 with the function on
 * the stack, or 0 with nothing pushed. */
static int push_lab_fn(lua_State *L, const char *name) {
    int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "lab") == LUA_TTABLE && lua_getfield(L, -1, name) == LUA_TFUNCTION) {
        lua_replace(L, top + 1);
        lua_settop(L, top + 1);
        return 1;
    }
    lua_settop(L, top);
    return 0;
}

/* The session's current experiment (lab.experiment()), into buf; "" when
 * it cannot be told. */
static void session_experiment(lua_State *L, char *buf, size_t cap) {
    buf[0] = '\0';
    if (!push_lab_fn(L, "experiment")) return;
    if (lua_pcall(L, 0, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING) snprintf(buf, cap, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
}

static void free_list(runs_state *s) {
    store_runs_free(s->runs, s->nruns);
    s->runs = NULL;
    s->nruns = 0;
    free(s->order);
    s->order = NULL;
    for (int i = 0; i < s->nkeys; i++) free(s->keys[i]);
    free(s->keys);
    s->keys = NULL;
    s->nkeys = 0;
    free(s->cols);
    s->cols = NULL;
    s->ncols = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The sort's context (qsort takes none; the workbench has one thread). */
static const runs_state *sorting;

static int cmp_rows(const void *pa, const void *pb) {
    const runs_state *s = sorting;
    int ia = *(const int *)pa, ib = *(const int *)pb;
    const store_run *a = &s->runs[ia], *b = &s->runs[ib];
    int c = 0;
    switch (s->sort_kind) {
    case COLK_NAME: c = strcmp(a->name ? a->name : "", b->name ? b->name : ""); break;
    case COLK_EXPERIMENT: c = strcmp(a->experiment ? a->experiment : "", b->experiment ? b->experiment : ""); break;
    case COLK_STATUS: c = strcmp(run_status_name(a->status), run_status_name(b->status)); break;
    case COLK_START: c = (a->start_ms > b->start_ms) - (a->start_ms < b->start_ms); break;
    case COLK_DURATION: {
        double da = duration_of(a), db = duration_of(b);
        c = (da > db) - (da < db);
        break;
    }
    default: {
        const store_metric_last *ma = metric_of(a, s->sort_key), *mb = metric_of(b, s->sort_key);
        int na = !ma || isnan(ma->value), nb = !mb || isnan(mb->value);
        if (na || nb) { /* missing values last, either way */
            if (na != nb) return na ? 1 : -1;
            break;
        }
        c = (ma->value > mb->value) - (ma->value < mb->value);
    }
    }
    if (s->sort_desc) c = -c;
    return c ? c : (ia > ib) - (ia < ib); /* ties keep the store's order */
}

static void apply_sort(runs_state *s) {
    for (size_t i = 0; i < s->nruns; i++) s->order[i] = (int)i;
    if (!s->sort_on || s->nruns < 2) return;
    sorting = s;
    qsort(s->order, s->nruns, sizeof *s->order, cmp_rows);
    sorting = NULL;
}

/* The row shown for run id, or -1. */
static int row_of(const runs_state *s, const char *id) {
    for (size_t i = 0; i < s->nruns; i++)
        if (strcmp(s->runs[s->order[i]].id, id) == 0) return (int)i;
    return -1;
}

static void remember_sel(runs_state *s) {
    if (s->nruns && s->sel >= 0 && (size_t)s->sel < s->nruns) memcpy(s->sel_id, s->runs[s->order[s->sel]].id, 33);
}

static void remember_col(runs_state *s) {
    if (!s->ncols) return;
    s->col_kind_ = s->cols[s->col].kind;
    snprintf(s->col_key, sizeof s->col_key, "%s", s->cols[s->col].key ? s->cols[s->col].key : "");
}

/* Read the list again: the experiment on show, its runs, their metric keys,
 * the sort, and the cursor put back on the same run and column. */
static void reload(tui *t, runs_state *s) {
    lua_State *L = tui_lua(t);
    lab_track_flush(L); /* the session's buffered metric points, so the list shows them */
    char exp[256] = "";
    s->exp_is_session = !s->exp_pick;
    if (s->exp_pick) snprintf(exp, sizeof exp, "%s", s->exp_pick);
    else session_experiment(L, exp, sizeof exp);
    snprintf(s->exp_shown, sizeof s->exp_shown, "%s", exp);
    free_list(s);
    s->load_err[0] = '\0';
    lab_err e;
    store *st = store_open_readonly(t->store, &e);
    if (!st) snprintf(s->load_err, sizeof s->load_err, "%s", e.msg);
    else {
        store_run_filter f;
        memset(&f, 0, sizeof f);
        f.experiment = exp[0] ? exp : NULL;
        f.status = -1;
        size_t n = 0;
        store_run *r = store_runs_list(st, &f, &n, &e);
        if (!r) snprintf(s->load_err, sizeof s->load_err, "%s", e.msg);
        else {
            s->runs = r;
            s->nruns = n;
        }
        store_close(st);
    }
    take_stamp(t, s->stamp);
    s->stale = 0;
    s->loaded = 1;
    /* the metric keys of every listed run */
    for (size_t i = 0; i < s->nruns; i++)
        for (size_t k = 0; k < s->runs[i].nmetrics; k++) {
            const char *key = s->runs[i].metrics[k].key;
            int seen = 0;
            for (int j = 0; j < s->nkeys && !seen; j++) seen = strcmp(s->keys[j], key) == 0;
            if (seen) continue;
            s->keys = xrealloc(s->keys, (size_t)(s->nkeys + 1) * sizeof *s->keys);
            s->keys[s->nkeys++] = xstrdup(key);
        }
    if (s->nkeys > 1) qsort(s->keys, (size_t)s->nkeys, sizeof *s->keys, cmp_str);
    s->cols = xcalloc((size_t)(5 + s->nkeys), sizeof *s->cols);
    s->cols[s->ncols++] = (runs_col){COLK_NAME, NULL};
    if (!exp[0]) s->cols[s->ncols++] = (runs_col){COLK_EXPERIMENT, NULL};
    s->cols[s->ncols++] = (runs_col){COLK_STATUS, NULL};
    s->cols[s->ncols++] = (runs_col){COLK_START, NULL};
    s->cols[s->ncols++] = (runs_col){COLK_DURATION, NULL};
    for (int j = 0; j < s->nkeys; j++) s->cols[s->ncols++] = (runs_col){COLK_METRIC, s->keys[j]};
    /* a sort by a metric no run has any more falls back to the store's order */
    if (s->sort_on && s->sort_kind == COLK_METRIC) {
        int found = 0;
        for (int j = 0; j < s->nkeys && !found; j++) found = strcmp(s->keys[j], s->sort_key) == 0;
        if (!found) s->sort_on = 0;
    }
    s->order = xcalloc(s->nruns ? s->nruns : 1, sizeof *s->order);
    apply_sort(s);
    int r = s->sel_id[0] ? row_of(s, s->sel_id) : -1;
    s->sel = r >= 0 ? r : s->sel;
    if (s->sel >= (int)s->nruns) s->sel = (int)s->nruns - 1;
    if (s->sel < 0) s->sel = 0;
    remember_sel(s);
    int c = -1;
    for (int j = 0; j < s->ncols && c < 0; j++)
        if (s->cols[j].kind == s->col_kind_ &&
            (s->col_kind_ != COLK_METRIC || strcmp(s->cols[j].key, s->col_key) == 0))
            c = j;
    if (c >= 0) s->col = c;
    else s->col = s->left = 0; /* its column is gone (another experiment): back to the name */
    if (s->col >= s->ncols) s->col = s->ncols - 1;
    if (s->col < 0) s->col = 0;
}

/* The list as it is on disk now: read again when the store changed. Not
 * while a chunk runs (a redraw from its hook): the session's store is busy
 * then, and the chunk's end redraws every pane anyway. */
static void fresh(tui *t, runs_state *s) {
    if (t->running && s->loaded) return;
    long long now[8];
    take_stamp(t, now);
    if (!s->loaded || s->stale || memcmp(now, s->stamp, sizeof now) != 0) reload(t, s);
}

void runs_pane_poll(tui *t) {
    pane *p = tui_pane(t, PANE_RUNS);
    if (!p || !p->win) return; /* read when shown */
    runs_state *s = state_of(p);
    long long now[8];
    take_stamp(t, now);
    if (memcmp(now, s->stamp, sizeof now) != 0) {
        s->stale = 1;
        tui_dirty(t, PANE_RUNS);
    }
}

/* ---- the comparison and the full view ----------------------------------------------------- */

static void free_compare(runs_state *s) {
    for (int i = 0; i < s->nrows; i++) {
        free(s->rows[i].label);
        for (int k = 0; k < s->ncmp; k++) free(s->rows[i].vals[k]);
        free(s->rows[i].vals);
        free(s->rows[i].metric);
    }
    free(s->rows);
    s->rows = NULL;
    s->nrows = 0;
    for (int k = 0; k < s->ncmp; k++) free(s->cmp_heads[k]);
    free(s->cmp_heads);
    s->cmp_heads = NULL;
    free(s->cmp_ids);
    s->cmp_ids = NULL;
    s->ncmp = 0;
}

static void free_lines(runs_state *s) {
    for (int i = 0; i < s->nlines; i++) free(s->lines[i]);
    free(s->lines);
    s->lines = NULL;
    s->nlines = 0;
}

static cmp_row *add_row(runs_state *s, const char *label, int section) {
    s->rows = xrealloc(s->rows, (size_t)(s->nrows + 1) * sizeof *s->rows);
    cmp_row *r = &s->rows[s->nrows++];
    memset(r, 0, sizeof *r);
    r->label = xstrdup(label);
    r->section = section;
    r->vals = xcalloc((size_t)(s->ncmp ? s->ncmp : 1), sizeof *r->vals);
    return r;
}

static void row_finish(runs_state *s, cmp_row *r) {
    for (int k = 1; k < s->ncmp && !r->differs; k++) {
        const char *a = r->vals[0], *b = r->vals[k];
        r->differs = (!a) != (!b) || (a && b && strcmp(a, b) != 0);
    }
}

/* Keys of one kind over the runs, sorted and without repeats. */
static char **union_keys(store_run **rs, int n, int metrics, int *count) {
    char **keys = NULL;
    int nk = 0;
    for (int k = 0; k < n; k++) {
        size_t m = metrics ? rs[k]->nmetrics : rs[k]->nparams;
        for (size_t i = 0; i < m; i++) {
            const char *key = metrics ? rs[k]->metrics[i].key : rs[k]->param_keys[i];
            int seen = 0;
            for (int j = 0; j < nk && !seen; j++) seen = strcmp(keys[j], key) == 0;
            if (seen) continue;
            keys = xrealloc(keys, (size_t)(nk + 1) * sizeof *keys);
            keys[nk++] = xstrdup(key);
        }
    }
    if (nk > 1) qsort(keys, (size_t)nk, sizeof *keys, cmp_str);
    *count = nk;
    return keys;
}

/* The runs ids[0..n) side by side: their origin, params and last metrics. */
static int build_compare(tui *t, runs_state *s, char (*ids)[33], int n) {
    lab_err e;
    store *st = store_open_readonly(t->store, &e);
    if (!st) {
        set_msg(s, 1, "%s", e.msg);
        return -1;
    }
    store_run **rs = xcalloc((size_t)n, sizeof *rs);
    int ok = 1;
    for (int k = 0; k < n && ok; k++) {
        rs[k] = store_run_get(st, ids[k], &e);
        if (!rs[k]) {
            set_msg(s, 1, "%s", e.msg);
            ok = 0;
        }
    }
    store_close(st);
    if (!ok) goto done;
    free_compare(s);
    s->ncmp = n;
    s->cmp_ids = xcalloc((size_t)n, sizeof *s->cmp_ids);
    s->cmp_heads = xcalloc((size_t)n, sizeof *s->cmp_heads);
    for (int k = 0; k < n; k++) {
        memcpy(s->cmp_ids[k], rs[k]->id, 33);
        char h[300];
        snprintf(h, sizeof h, "%.8s %s", rs[k]->id, rs[k]->name ? rs[k]->name : "");
        s->cmp_heads[k] = xstrdup(h);
    }
    char buf[CELL_MAX];
    add_row(s, "run", 1);
    static const char *const fields[] = {"name", "experiment", "status", "start", "duration", "source", "git", NULL};
    for (int f = 0; fields[f]; f++) {
        cmp_row *r = add_row(s, fields[f], 0);
        for (int k = 0; k < n; k++) {
            const store_run *x = rs[k];
            buf[0] = '\0';
            switch (f) {
            case 0: snprintf(buf, sizeof buf, "%s", x->name ? x->name : ""); break;
            case 1: snprintf(buf, sizeof buf, "%s", x->experiment ? x->experiment : ""); break;
            case 2: snprintf(buf, sizeof buf, "%s", run_status_name(x->status)); break;
            case 3: fmt_time(x->start_ms, 1, buf, sizeof buf); break;
            case 4: fmt_duration(x, buf, sizeof buf); break;
            case 5: snprintf(buf, sizeof buf, "%s", x->source ? x->source : ""); break;
            default:
                if (x->git_commit) snprintf(buf, sizeof buf, "%.10s%s", x->git_commit, x->git_dirty > 0 ? " dirty" : "");
            }
            r->vals[k] = buf[0] ? xstrdup(buf) : NULL;
        }
        /* when each run started and how long it took always differ: not a difference to show */
        if (f != 3 && f != 4) row_finish(s, r);
    }
    for (int part = 0; part < 2; part++) {
        int nk = 0;
        char **keys = union_keys(rs, n, part, &nk);
        if (nk) add_row(s, part ? "metrics (last value)" : "params", 1);
        for (int j = 0; j < nk; j++) {
            cmp_row *r = add_row(s, keys[j], 0);
            for (int k = 0; k < n; k++) {
                if (part) {
                    const store_metric_last *m = metric_of(rs[k], keys[j]);
                    if (m) {
                        lab_fmt_double(buf, m->value);
                        r->vals[k] = xstrdup(buf);
                    }
                } else
                    for (size_t i = 0; i < rs[k]->nparams; i++)
                        if (strcmp(rs[k]->param_keys[i], keys[j]) == 0) r->vals[k] = xstrdup(rs[k]->param_values[i]);
            }
            if (part) r->metric = xstrdup(keys[j]);
            row_finish(s, r);
            free(keys[j]);
        }
        free(keys);
    }
    s->csel = s->ctop = s->cleft = 0;
done:
    for (int k = 0; k < n; k++) store_runs_free(rs[k], rs[k] ? 1 : 0);
    free(rs);
    return ok ? 0 : -1;
}

static void add_line(runs_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(runs_state *s, const char *fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s->lines = xrealloc(s->lines, (size_t)(s->nlines + 1) * sizeof *s->lines);
    s->lines[s->nlines++] = xstrdup(buf);
}

static void human_bytes(int64_t b, char *out, size_t cap) {
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) snprintf(out, cap, "%lld B", (long long)b);
    else snprintf(out, cap, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* Everything about run id as lines of text, as `lab runs show` prints it. */
static int build_show(tui *t, runs_state *s, const char *id) {
    lab_err e;
    store *st = store_open_readonly(t->store, &e);
    store_run *r = st ? store_run_get(st, id, &e) : NULL;
    store_close(st);
    if (!r) {
        set_msg(s, 1, "%s", e.msg);
        return -1;
    }
    free_lines(s);
    const char *times = tui_utf8(t) ? "×" : "x";
    char a[64], b[64], d[64];
    memcpy(s->show_id, r->id, 33);
    snprintf(s->show_name, sizeof s->show_name, "%s", r->name ? r->name : "");
    add_line(s, "id          %s", r->id);
    add_line(s, "name        %s", r->name ? r->name : "");
    add_line(s, "experiment  %s", r->experiment ? r->experiment : "");
    fmt_time(r->start_ms, 1, a, sizeof a);
    fmt_time(r->end_ms, 1, b, sizeof b);
    fmt_duration(r, d, sizeof d);
    add_line(s, "status      %s", run_status_name(r->status));
    add_line(s, "start       %s   end %s   duration %s", a, r->end_ms > 0 ? b : "-", d);
    if (r->source) add_line(s, "source      %s", r->source);
    if (r->user || r->host)
        add_line(s, "user        %s@%s   lab %s", r->user ? r->user : "?", r->host ? r->host : "?",
                 r->lab_version ? r->lab_version : "?");
    if (r->git_commit) add_line(s, "git         %s%s", r->git_commit, r->git_dirty > 0 ? " (dirty)" : "");
    if (r->reproduces) add_line(s, "reproduces  %s", r->reproduces);
    if (r->note && r->note[0]) add_line(s, "note        %s", r->note);
    add_line(s, "%s", "");
    add_line(s, "Params (%zu)", r->nparams);
    for (size_t i = 0; i < r->nparams; i++) add_line(s, "  %-24s %s", r->param_keys[i], r->param_values[i]);
    add_line(s, "%s", "");
    char head[64];
    snprintf(head, sizeof head, "Metrics (%zu)", r->nmetrics);
    add_line(s, "%-26s %11s %11s %11s %6s", head, "last", "min", "max", "points");
    for (size_t i = 0; i < r->nmetrics; i++) {
        const store_metric_last *m = &r->metrics[i];
        char v1[32], v2[32], v3[32];
        fmt_value(m->value, v1, sizeof v1);
        fmt_value(m->min, v2, sizeof v2);
        fmt_value(m->max, v3, sizeof v3);
        add_line(s, "  %-24s %11s %11s %11s %6lld", m->key, v1, v2, v3, (long long)m->count);
    }
    if (r->ntags) {
        add_line(s, "%s", "");
        add_line(s, "Tags (%zu)", r->ntags);
        for (size_t i = 0; i < r->ntags; i++) add_line(s, "  %-24s %s", r->tag_keys[i], r->tag_values[i]);
    }
    add_line(s, "%s", "");
    add_line(s, "Artifacts (%zu)", r->nartifacts);
    for (size_t i = 0; i < r->nartifacts; i++) {
        human_bytes(r->artifacts[i].size, a, sizeof a);
        add_line(s, "  %-32s %10s  sha256 %.12s", r->artifacts[i].name, a,
                 r->artifacts[i].sha256 ? r->artifacts[i].sha256 : "");
    }
    add_line(s, "%s", "");
    add_line(s, "Datasets (%zu)", r->ndatasets);
    for (size_t i = 0; i < r->ndatasets; i++) {
        const struct store_dataset_row *x = &r->datasets[i];
        add_line(s, "  %-32s %lld %s %lld  sha256 %.12s", x->path, (long long)x->rows, times, (long long)x->cols,
                 x->sha256 ? x->sha256 : "");
        if (x->query) add_line(s, "    query: %s", x->query);
    }
    add_line(s, "%s", "");
    if (r->notebook && r->notebook[0]) {
        add_line(s, "Notebook (sha256 %.12s)", r->notebook_sha256 ? r->notebook_sha256 : "");
        const char *p = r->notebook;
        while (*p) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            char *ln = xstrndup(p, (size_t)len);
            /* tabs and control characters would break the screen */
            for (char *c = ln; *c; c++)
                if ((unsigned char)*c < 0x20) *c = ' ';
            add_line(s, "  %s", ln);
            free(ln);
            if (!nl) break;
            p = nl + 1;
        }
    } else
        add_line(s, "Notebook: none recorded");
    store_runs_free(r, 1);
    s->stop = 0;
    return 0;
}

/* ---- drawing ----------------------------------------------------------------------------- */

static void draw_title(tui *t, pane *p, const char *title, const char *right) {
    WINDOW *w = p->win;
    int rw = right ? width_of(right) : 0;
    if (rw > p->cols / 2 || width_of(title) + rw + 2 > p->cols) rw = 0; /* the title first */
    wattrset(w, tui_attr(t, TUI_C_TITLE) | A_BOLD);
    tui_puts(w, 0, 0, title, p->cols - rw - (rw ? 1 : 0));
    if (rw) {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        tui_puts(w, 0, p->cols - rw, right, rw);
    }
    wattrset(w, A_NORMAL);
}

/* The last line: the message of the last key, else info, and a position at the right. */
static void draw_status(tui *t, pane *p, const char *info, const char *pos) {
    runs_state *s = state_of(p);
    WINDOW *w = p->win;
    int y = p->rows - 1;
    if (y < 1) return;
    int rw = pos ? width_of(pos) : 0;
    if (rw > p->cols / 2) rw = 0;
    attr_t a = tui_attr(t, TUI_C_DIM);
    const char *left = info ? info : "";
    if (s->msg[0]) {
        left = s->msg;
        a = s->msg_error ? tui_attr(t, TUI_C_ERROR) : A_NORMAL;
    }
    wattrset(w, a);
    tui_puts(w, y, 0, left, p->cols - rw - (rw ? 1 : 0));
    if (rw) {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        tui_puts(w, y, p->cols - rw, pos, rw);
    }
    wattrset(w, A_NORMAL);
}

static int is_sorted(const runs_state *s, const runs_col *c) {
    return s->sort_on && c->kind == s->sort_kind && (c->kind != COLK_METRIC || strcmp(c->key, s->sort_key) == 0);
}

static void draw_list(tui *t, pane *p) {
    runs_state *s = state_of(p);
    WINDOW *w = p->win;
    int C = p->cols, R = p->rows;
    int focused = t->focus == PANE_RUNS;
    const char *dot = tui_utf8(t) ? "·" : "-";
    char title[700], right[96] = "";
    char sorted[300] = "";
    if (s->sort_on && s->ncols) {
        runs_col sc = {s->sort_kind, s->sort_key};
        snprintf(sorted, sizeof sorted, " %s sorted by %s %s", dot, col_head(&sc),
                 s->sort_desc ? (tui_utf8(t) ? "↓" : "desc") : (tui_utf8(t) ? "↑" : "asc"));
    }
    if (s->exp_shown[0])
        snprintf(title, sizeof title, "Runs: experiment %s%s %s %zu run%s%s", s->exp_shown,
                 s->exp_is_session ? " (the session's)" : "", dot, s->nruns, s->nruns == 1 ? "" : "s", sorted);
    else
        snprintf(title, sizeof title, "Runs: all experiments %s %zu run%s%s", dot, s->nruns, s->nruns == 1 ? "" : "s",
                 sorted);
    snprintf(right, sizeof right, "e: other experiment");
    draw_title(t, p, title, right);
    if (R < 3) return;
    if (!s->nruns) {
        wattrset(w, tui_attr(t, TUI_C_DIM));
        int y = R / 2 - 1 > 1 ? R / 2 - 1 : 1;
        if (s->load_err[0] && !strstr(s->load_err, "does not exist")) {
            wattrset(w, tui_attr(t, TUI_C_ERROR));
            tui_puts(w, y, 1, s->load_err, C - 2);
        } else {
            char line[400];
            if (s->exp_shown[0] && !s->load_err[0])
                snprintf(line, sizeof line, "No runs yet in experiment %s.", s->exp_shown);
            else snprintf(line, sizeof line, "No runs yet.");
            tui_puts(w, y, 1, line, C - 2);
            if (y + 1 < R - 1)
                tui_puts(w, y + 1, 1,
                         "lab.log(\"loss\", 0.5) at the REPL records one; F9 promotes the session; "
                         "e shows the other experiments.",
                         C - 2);
        }
        wattrset(w, A_NORMAL);
        draw_status(t, p, NULL, NULL);
        return;
    }
    int body = R - 3; /* title, header, status */
    if (body < 1) body = 1;
    if (s->sel < s->top) s->top = s->sel;
    if (s->sel >= s->top + body) s->top = s->sel - body + 1;
    if (s->top > (int)s->nruns - body) s->top = (int)s->nruns - body;
    if (s->top < 0) s->top = 0;
    int r1 = s->top + body < (int)s->nruns ? s->top + body : (int)s->nruns;
    /* widths from the rows on screen (and the heads), capped */
    int *wd = xcalloc((size_t)s->ncols, sizeof *wd);
    char buf[CELL_MAX];
    for (int j = 0; j < s->ncols; j++) {
        int cap = s->cols[j].kind == COLK_NAME ? 24 : 16;
        wd[j] = width_of(col_head(&s->cols[j])) + (is_sorted(s, &s->cols[j]) ? 2 : 0); /* room for the arrow */
        for (int i = s->top; i < r1; i++) {
            cell_text(&s->cols[j], &s->runs[s->order[i]], buf, sizeof buf);
            int cw = width_of(buf);
            if (cw > wd[j]) wd[j] = cw;
        }
        if (wd[j] > cap) wd[j] = cap;
    }
    int x0 = 2 + 8 + GAP; /* mark, space, id */
    /* scroll right until the cursor's column fits */
    if (s->left > s->col) s->left = s->col;
    for (;;) {
        int x = x0, last = s->left - 1;
        for (int j = s->left; j < s->ncols && x < C; j++) {
            if (x + wd[j] <= C) last = j;
            x += wd[j] + GAP;
        }
        if (s->col <= last || s->left >= s->col) break;
        s->left++;
    }
    attr_t head = tui_attr(t, TUI_C_TITLE) | A_BOLD, dim = tui_attr(t, TUI_C_DIM);
    put_cell(t, w, 1, 2, "id", 8, 0, head, C);
    int x = x0;
    for (int j = s->left; j < s->ncols && x < C; j++) {
        const runs_col *c = &s->cols[j];
        char h[CELL_MAX];
        int sorted_here = is_sorted(s, c);
        snprintf(h, sizeof h, "%s%s%s", col_head(c), sorted_here ? " " : "",
                 sorted_here ? (s->sort_desc ? (tui_utf8(t) ? "↓" : "v") : (tui_utf8(t) ? "↑" : "^")) : "");
        attr_t a = j == s->col && focused ? tui_attr(t, TUI_C_CURSOR) | A_BOLD : head;
        if (j == s->col && !focused) a = head | A_UNDERLINE;
        put_cell(t, w, 1, x, h, wd[j], c->kind == COLK_METRIC || c->kind == COLK_DURATION, a, C);
        x += wd[j] + GAP;
    }
    for (int i = s->top; i < r1; i++) {
        const store_run *r = &s->runs[s->order[i]];
        int y = 2 + i - s->top;
        int on = i == s->sel;
        attr_t base = on ? tui_attr(t, focused ? TUI_C_SELECT : TUI_C_CURSOR) : A_NORMAL;
        if (on && !focused && !tui_has_color(t)) base = A_UNDERLINE;
        if (on) {
            wattrset(w, base);
            mvwhline(w, y, 0, ' ', C);
        }
        int marked = mark_index(s, r->id) >= 0;
        put_cell(t, w, y, 0, marked ? (tui_utf8(t) ? "●" : "*") : " ", 1, 0, on ? base : tui_attr(t, TUI_C_NUMBER) | A_BOLD, C);
        char id8[9];
        snprintf(id8, sizeof id8, "%.8s", r->id);
        put_cell(t, w, y, 2, id8, 8, 0, on ? base : dim, C);
        x = x0;
        for (int j = s->left; j < s->ncols && x < C; j++) {
            const runs_col *c = &s->cols[j];
            int num = cell_text(c, r, buf, sizeof buf);
            attr_t a = A_NORMAL;
            if (c->kind == COLK_STATUS) {
                if (r->status == RUN_FAILED) a = tui_attr(t, TUI_C_ERROR);
                else if (r->status == RUN_RUNNING) a = tui_attr(t, TUI_C_STRING) | A_BOLD;
                else if (r->status == RUN_KILLED) a = dim;
            } else if (c->kind == COLK_METRIC) a = strcmp(buf, "-") ? tui_attr(t, TUI_C_NUMBER) : dim;
            else if (c->kind == COLK_START || c->kind == COLK_DURATION) a = dim;
            if (on && j == s->col && focused) /* without colour the row is reversed already */
                a = tui_has_color(t) ? tui_attr(t, TUI_C_CURSOR) | A_BOLD : base | A_BOLD | A_UNDERLINE;
            else if (on) a = base;
            put_cell(t, w, y, x, buf, wd[j], num, a, C);
            x += wd[j] + GAP;
        }
    }
    /* the last line: the cell under the cursor in full, and where we are */
    char info[CELL_MAX + 300] = "", pos[96];
    const store_run *r = &s->runs[s->order[s->sel]];
    const runs_col *c = &s->cols[s->col];
    if (c->kind == COLK_METRIC) {
        const store_metric_last *m = metric_of(r, c->key);
        char v[32], lo[32], hi[32];
        if (m) {
            lab_fmt_double(v, m->value);
            fmt_value(m->min, lo, sizeof lo);
            fmt_value(m->max, hi, sizeof hi);
            snprintf(info, sizeof info, "%s = %s (step %lld; min %s, max %s, %lld point%s)", c->key, v,
                     (long long)m->step, lo, hi, (long long)m->count, m->count == 1 ? "" : "s");
        } else
            snprintf(info, sizeof info, "%s: not logged by this run", c->key);
    } else {
        char full[CELL_MAX];
        if (c->kind == COLK_START) fmt_time(r->start_ms, 1, full, sizeof full);
        else cell_text(c, r, full, sizeof full);
        snprintf(info, sizeof info, "%s = %s  (id %s)", col_head(c), full, r->id);
    }
    if (s->nmarks) snprintf(pos, sizeof pos, "%d marked  run %d/%zu", s->nmarks, s->sel + 1, s->nruns);
    else snprintf(pos, sizeof pos, "run %d/%zu", s->sel + 1, s->nruns);
    draw_status(t, p, info, pos);
    free(wd);
}

/* The rows the comparison shows (all, or only those that differ and their headings). */
static int visible_rows(const runs_state *s, int *idx) {
    int n = 0;
    for (int i = 0; i < s->nrows; i++) {
        const cmp_row *r = &s->rows[i];
        if (s->only_diff && r->section) {
            int any = 0;
            for (int k = i + 1; k < s->nrows && !s->rows[k].section && !any; k++) any = s->rows[k].differs;
            if (!any) continue;
        } else if (s->only_diff && !r->differs)
            continue;
        idx[n++] = i;
    }
    return n;
}

static void draw_compare(tui *t, pane *p) {
    runs_state *s = state_of(p);
    WINDOW *w = p->win;
    int C = p->cols, R = p->rows;
    int focused = t->focus == PANE_RUNS;
    int *idx = xcalloc((size_t)(s->nrows ? s->nrows : 1), sizeof *idx);
    int n = visible_rows(s, idx);
    int ndiff = 0;
    for (int i = 0; i < s->nrows; i++) ndiff += !s->rows[i].section && s->rows[i].differs;
    char title[300];
    const char *dot = tui_utf8(t) ? "·" : "-";
    snprintf(title, sizeof title, "Compare %d runs %s %s %s %d row%s differ", s->ncmp, dot,
             s->only_diff ? "only the differences" : "all rows", dot, ndiff, ndiff == 1 ? "" : "s");
    draw_title(t, p, title, s->only_diff ? "d: all rows  q: back" : "d: only differences  q: back");
    if (R < 3) {
        free(idx);
        return;
    }
    int body = R - 3;
    if (body < 1) body = 1;
    if (s->csel >= n) s->csel = n - 1;
    if (s->csel < 0) s->csel = 0;
    if (s->csel < s->ctop) s->ctop = s->csel;
    if (s->csel >= s->ctop + body) s->ctop = s->csel - body + 1;
    if (s->ctop > n - body) s->ctop = n - body;
    if (s->ctop < 0) s->ctop = 0;
    int lw = 8;
    for (int i = 0; i < n; i++) {
        int k = width_of(s->rows[idx[i]].label) + (s->rows[idx[i]].section ? 0 : 2);
        if (k > lw) lw = k;
    }
    if (lw > 28) lw = 28;
    if (lw > C / 3) lw = C / 3 > 8 ? C / 3 : 8;
    int vw = 12;
    for (int k = 0; k < s->ncmp; k++) {
        int hw = width_of(s->cmp_heads[k]);
        if (hw > vw) vw = hw;
        for (int i = 0; i < n; i++) {
            const char *v = s->rows[idx[i]].vals[k];
            if (v && width_of(v) > vw) vw = width_of(v);
        }
    }
    if (vw > 24) vw = 24;
    int fit = (C - lw) / (vw + GAP); /* the last column needs no gap after it */
    if (fit < 1) fit = 1;
    if (s->cleft > s->ncmp - fit) s->cleft = s->ncmp - fit;
    if (s->cleft < 0) s->cleft = 0;
    attr_t head = tui_attr(t, TUI_C_TITLE) | A_BOLD, dim = tui_attr(t, TUI_C_DIM);
    int x = lw + GAP;
    for (int k = s->cleft; k < s->ncmp && k < s->cleft + fit; k++) { /* whole columns only */
        put_cell(t, w, 1, x, s->cmp_heads[k], vw, 0, head, C);
        x += vw + GAP;
    }
    const char *none = tui_utf8(t) ? "—" : "-";
    for (int i = s->ctop; i < n && i < s->ctop + body; i++) {
        const cmp_row *r = &s->rows[idx[i]];
        int y = 2 + i - s->ctop;
        int on = i == s->csel;
        attr_t base = on ? tui_attr(t, focused ? TUI_C_SELECT : TUI_C_CURSOR) : A_NORMAL;
        if (on) {
            wattrset(w, base);
            mvwhline(w, y, 0, ' ', C);
        }
        if (r->section) {
            put_cell(t, w, y, 0, r->label, lw, 0, on ? base : head, C);
            continue;
        }
        char lab[300];
        snprintf(lab, sizeof lab, "  %s", r->label);
        put_cell(t, w, y, 0, lab, lw, 0, on ? base : (r->differs ? A_BOLD : A_NORMAL), C);
        x = lw + GAP;
        for (int k = s->cleft; k < s->ncmp && k < s->cleft + fit; k++) {
            const char *v = r->vals[k];
            attr_t a = !v ? dim : r->differs ? tui_attr(t, TUI_C_NUMBER) | A_BOLD : A_NORMAL;
            put_cell(t, w, y, x, v ? v : none, vw, 0, on ? base : a, C);
            x += vw + GAP;
        }
    }
    if (n == 0) {
        wattrset(w, dim);
        tui_puts(w, 2, 1, "The runs agree on every param and metric (d shows all rows).", C - 2);
        wattrset(w, A_NORMAL);
    }
    char info[300] = "", pos[64];
    if (n > 0) {
        const cmp_row *r = &s->rows[idx[s->csel]];
        if (r->metric) snprintf(info, sizeof info, "%s %s  p: plot its curves", r->label, r->differs ? "differs" : "is the same");
        else if (!r->section) snprintf(info, sizeof info, "%s %s", r->label, r->differs ? "differs" : "is the same");
    }
    snprintf(pos, sizeof pos, "row %d/%d  runs %d-%d of %d", n ? s->csel + 1 : 0, n, s->cleft + 1,
             s->cleft + fit < s->ncmp ? s->cleft + fit : s->ncmp, s->ncmp);
    draw_status(t, p, info, pos);
    free(idx);
}

static void draw_show(tui *t, pane *p) {
    runs_state *s = state_of(p);
    WINDOW *w = p->win;
    char title[300];
    snprintf(title, sizeof title, "Run %.8s %s %s", s->show_id, tui_utf8(t) ? "·" : "-", s->show_name);
    draw_title(t, p, title, "r: register  q: back");
    int body = p->rows - 2;
    if (body < 1) return;
    if (s->stop > s->nlines - body) s->stop = s->nlines - body;
    if (s->stop < 0) s->stop = 0;
    for (int i = 0; i < body && s->stop + i < s->nlines; i++) {
        const char *ln = s->lines[s->stop + i];
        int heading = ln[0] && ln[0] != ' ' && (strncmp(ln, "Params", 6) == 0 || strncmp(ln, "Metrics", 7) == 0 ||
                                                 strncmp(ln, "Tags", 4) == 0 || strncmp(ln, "Artifacts", 9) == 0 ||
                                                 strncmp(ln, "Datasets", 8) == 0 || strncmp(ln, "Notebook", 8) == 0);
        wattrset(w, heading ? tui_attr(t, TUI_C_TITLE) | A_BOLD : A_NORMAL);
        tui_puts(w, 1 + i, 1, ln, p->cols - 2);
    }
    wattrset(w, A_NORMAL);
    char pos[64];
    snprintf(pos, sizeof pos, "lines %d-%d of %d", s->nlines ? s->stop + 1 : 0,
             s->stop + body < s->nlines ? s->stop + body : s->nlines, s->nlines);
    draw_status(t, p, "PgUp/PgDn scroll", pos);
}

static void runs_draw(tui *t, pane *p) {
    runs_state *s = state_of(p);
    werase(p->win);
    if (s->view == VIEW_LIST) fresh(t, s);
    if (s->view == VIEW_COMPARE) draw_compare(t, p);
    else if (s->view == VIEW_SHOW) draw_show(t, p);
    else draw_list(t, p);
}

static void resized(tui *t, pane *p) {
    (void)t;
    p->dirty = 1;
}

/* ---- actions ------------------------------------------------------------------------------ */

/* The list as it is now (keys can come before the pane's first draw); the
 * last key's message goes. */
static runs_state *begin(tui *t, pane *p) {
    runs_state *s = state_of(p);
    s->msg[0] = '\0';
    if (s->view == VIEW_LIST) fresh(t, s);
    return s;
}

static int page_rows(pane *p) { return p->rows > 4 ? p->rows - 4 : 1; }

static int move_cursor(tui *t, pane *p, int d, int absolute) {
    runs_state *s = begin(t, p);
    if (s->view == VIEW_LIST) {
        int to = absolute ? d : s->sel + d;
        if (to >= (int)s->nruns) to = (int)s->nruns - 1;
        if (to < 0) to = 0;
        s->sel = to;
        remember_sel(s);
    } else if (s->view == VIEW_COMPARE) {
        int *idx = xcalloc((size_t)(s->nrows ? s->nrows : 1), sizeof *idx);
        int n = visible_rows(s, idx);
        free(idx);
        int to = absolute ? d : s->csel + d;
        if (to >= n) to = n - 1;
        s->csel = to < 0 ? 0 : to;
    } else {
        int to = absolute ? (d ? s->nlines : 0) : s->stop + d;
        s->stop = to < 0 ? 0 : to;
    }
    return 1;
}

static int act_up(tui *t, pane *p) { return move_cursor(t, p, -1, 0); }
static int act_down(tui *t, pane *p) { return move_cursor(t, p, 1, 0); }
static int act_pgup(tui *t, pane *p) { return move_cursor(t, p, -page_rows(p), 0); }
static int act_pgdn(tui *t, pane *p) { return move_cursor(t, p, page_rows(p), 0); }
static int act_first(tui *t, pane *p) { return move_cursor(t, p, 0, 1); }
static int act_last(tui *t, pane *p) { return move_cursor(t, p, 1 << 28, 1); }

static int sideways(tui *t, pane *p, int d) {
    runs_state *s = begin(t, p);
    if (s->view == VIEW_LIST) {
        s->col += d;
        if (s->col >= s->ncols) s->col = s->ncols - 1;
        if (s->col < 0) s->col = 0;
        remember_col(s);
    } else if (s->view == VIEW_COMPARE) {
        s->cleft += d;
        if (s->cleft < 0) s->cleft = 0;
    }
    return 1;
}

static int act_left(tui *t, pane *p) { return sideways(t, p, -1); }
static int act_right(tui *t, pane *p) { return sideways(t, p, 1); }

static int in_list(runs_state *s, const char *what) {
    if (s->view == VIEW_LIST) return 1;
    set_msg(s, 0, "%s works in the list of runs (q goes back to it)", what);
    return 0;
}

static int sort_by(tui *t, pane *p, int desc) {
    runs_state *s = begin(t, p);
    if (!in_list(s, "sorting") || !s->ncols) return 1;
    const runs_col *c = &s->cols[s->col];
    s->sort_on = 1;
    s->sort_kind = c->kind;
    snprintf(s->sort_key, sizeof s->sort_key, "%s", c->key ? c->key : "");
    s->sort_desc = desc;
    apply_sort(s);
    int r = row_of(s, s->sel_id);
    if (r >= 0) s->sel = r;
    return 1;
}

static int act_sort_asc(tui *t, pane *p) { return sort_by(t, p, 0); }
static int act_sort_desc(tui *t, pane *p) { return sort_by(t, p, 1); }

static int act_mark(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    if (!in_list(s, "marking") || !s->nruns) return 1;
    mark_toggle(s, s->runs[s->order[s->sel]].id);
    if (s->sel + 1 < (int)s->nruns) s->sel++;
    remember_sel(s);
    return 1;
}

static int act_unmark(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    s->nmarks = 0;
    set_msg(s, 0, "no run is marked");
    return 1;
}

/* The runs a key acts on: the marked ones, in the order shown, and the
 * selected one when it is not marked. Returns the count (ids owned by the caller). */
static int chosen_runs(runs_state *s, char (**ids)[33]) {
    *ids = xcalloc((size_t)s->nmarks + 1, sizeof **ids);
    int n = 0;
    const char *sel = s->nruns ? s->runs[s->order[s->sel]].id : NULL;
    int sel_marked = sel && mark_index(s, sel) >= 0;
    for (size_t i = 0; i < s->nruns; i++) {
        const char *id = s->runs[s->order[i]].id;
        if (mark_index(s, id) >= 0 || (!sel_marked && sel && strcmp(id, sel) == 0)) memcpy((*ids)[n++], id, 33);
    }
    /* marked runs of other experiments, not on show */
    for (int k = 0; k < s->nmarks; k++)
        if (row_of(s, s->marks[k]) < 0) {
            *ids = xrealloc(*ids, (size_t)(n + 1) * sizeof **ids);
            memcpy((*ids)[n++], s->marks[k], 33);
        }
    return n;
}

static int act_compare(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    if (s->view == VIEW_COMPARE) return 1;
    if (!in_list(s, "compare") || !s->nruns) return 1;
    char(*ids)[33];
    int n = chosen_runs(s, &ids);
    if (n < 2) set_msg(s, 0, "mark runs with Space to compare them (the selected one joins them)");
    else if (build_compare(t, s, ids, n) == 0) {
        s->view = VIEW_COMPARE;
        s->csel = 0;
    }
    free(ids);
    return 1;
}

static int act_diff(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    if (s->view != VIEW_COMPARE) {
        set_msg(s, 0, "d shows only the differences in a comparison (c compares the marked runs)");
        return 1;
    }
    s->only_diff = !s->only_diff;
    s->csel = s->ctop = 0;
    return 1;
}

static int act_show(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    if (!in_list(s, "Enter") || !s->nruns) return 1;
    char id[33];
    memcpy(id, s->runs[s->order[s->sel]].id, 33);
    if (build_show(t, s, id) == 0) s->view = VIEW_SHOW;
    return 1;
}

static int act_back(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    if (s->view != VIEW_LIST) {
        s->view = VIEW_LIST;
        s->stale = 1;
        return 1;
    }
    tui_focus(t, PANE_REPL);
    return 1;
}

static int act_refresh(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    s->stale = 1;
    if (s->view == VIEW_SHOW && s->show_id[0]) {
        char id[33];
        memcpy(id, s->show_id, 33);
        int top = s->stop;
        if (build_show(t, s, id) == 0) s->stop = top;
    } else if (s->view == VIEW_COMPARE) {
        char(*ids)[33] = xcalloc((size_t)s->ncmp, sizeof *ids);
        int n = s->ncmp, sel = s->csel;
        memcpy(ids, s->cmp_ids, (size_t)n * sizeof *ids);
        if (build_compare(t, s, ids, n) == 0) s->csel = sel;
        free(ids);
    } else
        fresh(t, s);
    return 1;
}

/* e: the session's experiment, then every experiment of the store in turn,
 * then all of them together, then the session's again. */
static int act_experiment(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    s->view = VIEW_LIST;
    lab_err e;
    store *st = store_open_readonly(t->store, &e);
    if (!st) {
        set_msg(s, 0, "%s", e.msg);
        return 1;
    }
    size_t n = 0;
    char **names = store_experiments(st, &n, &e);
    store_close(st);
    if (!names) {
        set_msg(s, 1, "%s", e.msg);
        return 1;
    }
    char session[256];
    session_experiment(tui_lua(t), session, sizeof session);
    /* the cycle: session's, the others in order, "" (all), back to the session's */
    char *next = NULL;
    if (!s->exp_pick) {
        for (size_t i = 0; i < n && !next; i++)
            if (strcmp(names[i], session) != 0) next = xstrdup(names[i]);
        if (!next) next = xstrdup("");
    } else if (!s->exp_pick[0]) {
        next = NULL; /* back to the session's */
    } else {
        size_t at = n;
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], s->exp_pick) == 0) at = i;
        for (size_t i = at + 1; i < n && !next; i++)
            if (strcmp(names[i], session) != 0) next = xstrdup(names[i]);
        if (!next) next = xstrdup("");
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    free(s->exp_pick);
    s->exp_pick = next;
    s->sel_id[0] = '\0';
    s->sel = s->top = 0;
    s->left = 0;
    reload(t, s);
    if (!s->exp_shown[0]) set_msg(s, 0, "all experiments (e: the session's again)");
    else set_msg(s, 0, "experiment %s%s", s->exp_shown, s->exp_is_session ? " (the session's)" : "");
    return 1;
}

/* A sink for plots that keeps them from being shown twice: the pane hands
 * the plot to the plot view itself. */
static int quiet_sink(lua_State *L) {
    (void)L;
    return 0;
}

/* The curves of metric key of runs ids[0..n) (labels "1a2b3c4d name") as
 * one line plot, coloured by run, in the plot view. */
static void plot_metric(tui *t, runs_state *s, const char *key, char (*ids)[33], char **labels, int n) {
    lab_err e;
    store *st = store_open_readonly(t->store, &e);
    if (!st) {
        set_msg(s, 1, "%s", e.msg);
        return;
    }
    int64_t **steps = xcalloc((size_t)n, sizeof *steps);
    double **vals = xcalloc((size_t)n, sizeof *vals);
    long *cnt = xcalloc((size_t)n, sizeof *cnt);
    size_t total = 0;
    int used = 0, err = 0;
    for (int k = 0; k < n && used < PLOT_RUNS_MAX; k++) {
        int64_t *ts = NULL;
        cnt[k] = store_metric_history(st, ids[k], key, &steps[k], &vals[k], &ts, &e);
        free(ts);
        if (cnt[k] < 0) {
            set_msg(s, 1, "%s", e.msg);
            err = 1;
            break;
        }
        if (cnt[k] > 0) used++;
        total += (size_t)cnt[k];
    }
    store_close(st);
    if (err) goto done;
    if (!total) {
        set_msg(s, 0, "%s: no points logged by %s", key, n == 1 ? "this run" : "these runs");
        goto done;
    }
    frame *f = frame_new();
    column *cs = col_new(COL_NUMBER, total, NULL), *cv = col_new(COL_NUMBER, total, NULL);
    column *cr = col_new(COL_STRING, total, NULL);
    size_t at = 0;
    for (int k = 0; k < n; k++) {
        if (cnt[k] <= 0) continue;
        uint32_t code = strdict_intern(cr->dict, labels[k], strlen(labels[k]));
        for (long i = 0; i < cnt[k]; i++, at++) {
            cs->f64[at] = (double)steps[k][i];
            cv->f64[at] = vals[k][i];
            cr->code[at] = code;
        }
    }
    /* the value column is named by the metric, so the axis says what it is */
    const char *vname = strcmp(key, "step") && strcmp(key, "run") ? key : "value";
    if (frame_set_column(f, "step", cs, &e) < 0 || frame_set_column(f, vname, cv, &e) < 0 ||
        frame_set_column(f, "run", cr, &e) < 0) {
        frame_free(f);
        set_msg(s, 1, "plot: %s", e.msg);
        goto done;
    }
    lua_State *L = tui_lua(t);
    int base = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    int saved = lua_gettop(L);
    lua_pushcfunction(L, quiet_sink);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    int ok = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "lab") == LUA_TTABLE && lua_getfield(L, -1, "plot") == LUA_TTABLE &&
        lua_getfield(L, -1, "line") == LUA_TFUNCTION) {
        lab_pushframe(L, f);
        lua_pushstring(L, "step");
        lua_pushstring(L, vname);
        lua_createtable(L, 0, 2);
        lua_pushstring(L, "run");
        lua_setfield(L, -2, "color");
        lua_pushfstring(L, "%s of %d run%s", key, used, used == 1 ? "" : "s");
        lua_setfield(L, -2, "title");
        if (lua_pcall(L, 4, 1, 0) == LUA_OK) ok = 1;
        else set_msg(s, 1, "plot: %s", lua_tostring(L, -1));
    } else {
        frame_free(f);
        set_msg(s, 1, "plot: lab.plot.line is not available");
    }
    int res = lua_gettop(L);
    lua_pushvalue(L, saved);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_PLOT_SINK);
    if (ok) {
        plot_pane_push(t, L, res);
        tui_show(t, PANE_PLOT);
        if (used < n && n > PLOT_RUNS_MAX)
            tui_message(t, "plotted %s of the first %d of %d runs (F5: back to the runs)", key, PLOT_RUNS_MAX, n);
        else tui_message(t, "plotted %s of %d run%s (F5: back to the runs)", key, used, used == 1 ? "" : "s");
    }
    lua_settop(L, base);
done:
    for (int k = 0; k < n; k++) {
        free(steps[k]);
        free(vals[k]);
    }
    free(steps);
    free(vals);
    free(cnt);
}

static int act_plot(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    if (s->view == VIEW_SHOW) {
        set_msg(s, 0, "p plots a metric from the list (or a metric row of a comparison)");
        return 1;
    }
    char key[256];
    char(*ids)[33] = NULL;
    int n = 0;
    char **labels = NULL;
    if (s->view == VIEW_COMPARE) {
        int *idx = xcalloc((size_t)(s->nrows ? s->nrows : 1), sizeof *idx);
        int nv = visible_rows(s, idx);
        const cmp_row *r = nv && s->csel < nv ? &s->rows[idx[s->csel]] : NULL;
        free(idx);
        if (!r || !r->metric) {
            set_msg(s, 0, "select a metric row to plot its curves");
            return 1;
        }
        snprintf(key, sizeof key, "%s", r->metric);
        n = s->ncmp;
        ids = xcalloc((size_t)n, sizeof *ids);
        memcpy(ids, s->cmp_ids, (size_t)n * sizeof *ids);
        labels = xcalloc((size_t)n, sizeof *labels);
        for (int k = 0; k < n; k++) labels[k] = xstrdup(s->cmp_heads[k]);
    } else {
        if (!s->nruns) return 1;
        if (s->cols[s->col].kind != COLK_METRIC) {
            set_msg(s, 0, "move the column cursor (%s) to a metric to plot its curves",
                    tui_utf8(t) ? "← →" : "Left/Right");
            return 1;
        }
        snprintf(key, sizeof key, "%s", s->cols[s->col].key);
        n = chosen_runs(s, &ids);
        labels = xcalloc((size_t)n, sizeof *labels);
        for (int k = 0; k < n; k++) {
            int r = row_of(s, ids[k]);
            char h[300];
            snprintf(h, sizeof h, "%.8s %s", ids[k], r >= 0 && s->runs[s->order[r]].name ? s->runs[s->order[r]].name : "");
            labels[k] = xstrdup(h);
        }
    }
    plot_metric(t, s, key, ids, labels, n);
    for (int k = 0; k < n; k++) free(labels[k]);
    free(labels);
    free(ids);
    return 1;
}

/* Call lab.<fn> with nargs arguments on the stack (below them nothing of
 * ours) as a piece of work the status line shows; leaves one result, or
 * returns -1 with the error's first line in err. */
static int call_lab(tui *t, const char *fn, int nargs, const char *what, char *err, size_t cap) {
    lua_State *L = tui_lua(t);
    if (!push_lab_fn(L, fn)) {
        lua_pop(L, nargs);
        snprintf(err, cap, "lab.%s is not available in this lab", fn);
        return -1;
    }
    lua_insert(L, -nargs - 1);
    tui_run_begin(t, what);
    int rc = lua_pcall(L, nargs, 1, 0);
    tui_run_end(t);
    if (rc != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        snprintf(err, cap, "%s", m ? m : "(an error that is not a string)");
        char *nl = strchr(err, '\n');
        if (nl) *nl = '\0';
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* A model name from a run's name: its base name without ".lua", characters
 * other than [A-Za-z0-9_.-] as "-". */
static void default_model_name(const char *run_name, char *out, size_t cap) {
    const char *b = run_name ? strrchr(run_name, '/') : NULL;
    b = b ? b + 1 : run_name ? run_name : "";
    size_t len = strlen(b);
    if (len > 4 && strcmp(b + len - 4, ".lua") == 0) len -= 4;
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap && n < 100; i++) {
        char c = b[i];
        int okc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == '-';
        out[n++] = okc ? c : '-';
    }
    out[n] = '\0';
    if (!n) snprintf(out, cap, "model");
}

static int act_register(tui *t, pane *p) {
    runs_state *s = begin(t, p);
    char id[33], rname[256];
    if (s->view == VIEW_SHOW) {
        memcpy(id, s->show_id, 33);
        snprintf(rname, sizeof rname, "%s", s->show_name);
    } else if (s->view == VIEW_LIST && s->nruns) {
        const store_run *r = &s->runs[s->order[s->sel]];
        memcpy(id, r->id, 33);
        snprintf(rname, sizeof rname, "%s", r->name ? r->name : "");
    } else {
        set_msg(s, 0, "r registers the selected run's model: select it in the list");
        return 1;
    }
    /* which model: a run without one gets a message, not questions; a run
     * with several is asked which */
    char artifact[512] = "";
    {
        lab_err e;
        store *st = store_open_readonly(t->store, &e);
        store_run *r = st ? store_run_get(st, id, &e) : NULL;
        store_close(st);
        if (!r) {
            set_msg(s, 1, "%s", e.msg);
            return 1;
        }
        int nmodels = 0;
        strbuf names = {0};
        for (size_t i = 0; i < r->nartifacts; i++) {
            const char *an = r->artifacts[i].name;
            size_t len = strlen(an);
            if (len < 5 || strcmp(an + len - 5, ".labm") != 0) continue;
            if (nmodels++) strbuf_adds(&names, ", ");
            strbuf_adds(&names, an);
            snprintf(artifact, sizeof artifact, "%s", an);
        }
        store_runs_free(r, 1);
        if (nmodels == 0) {
            set_msg(s, 1, "run %.8s has no model artifact to register (a fit records models/<kind>.labm)", id);
            free(names.s);
            return 1;
        }
        if (nmodels > 1) {
            char q[700];
            snprintf(q, sizeof q, "which model (%.550s; Enter: %.100s):", names.s, artifact);
            char *a = tui_prompt(t, q, "");
            if (a && !*a) {
                free(a);
                a = xstrdup(artifact);
            }
            free(names.s);
            if (!a || !*a) {
                set_msg(s, 0, "nothing registered");
                free(a);
                return 1;
            }
            snprintf(artifact, sizeof artifact, "%s", a);
            free(a);
        } else {
            free(names.s);
            artifact[0] = '\0'; /* the run's only model: lab.register finds it */
        }
    }
    char def[128], q[300];
    default_model_name(rname, def, sizeof def);
    /* the default is offered, not typed in: what the user types replaces it */
    snprintf(q, sizeof q, "register the model of run %.8s as (Enter: %s):", id, def);
    char *name = tui_prompt(t, q, "");
    if (!name) return 1;
    if (!*name) {
        free(name);
        name = xstrdup(def);
    }
    char *alias = NULL;
    if (*name) alias = tui_prompt(t, "alias for the new version (Enter: none; e.g. production):", "");
    if (!*name || !alias) {
        set_msg(s, 0, "nothing registered");
        free(name);
        free(alias);
        return 1;
    }
    lua_State *L = tui_lua(t);
    int base = lua_gettop(L);
    char err[512];
    lua_pushstring(L, id);
    lua_pushstring(L, name);
    if (artifact[0]) lua_pushstring(L, artifact);
    if (call_lab(t, "register", artifact[0] ? 3 : 2, "registering", err, sizeof err) != 0) {
        set_msg(s, 1, "%s", err);
        tui_message(t, "%s", err);
    } else {
        lua_Integer version = lua_tointeger(L, -1);
        lua_settop(L, base);
        if (*alias) {
            lua_pushstring(L, name);
            lua_pushinteger(L, version);
            lua_pushstring(L, alias);
            if (call_lab(t, "alias", 3, "setting the alias", err, sizeof err) != 0) {
                set_msg(s, 1, "registered %s version %lld, but %s", name, (long long)version, err);
                tui_message(t, "registered %s version %lld from run %.8s, but %s", name, (long long)version, id, err);
            } else {
                set_msg(s, 0, "registered %s version %lld (%s@%s) from run %.8s", name, (long long)version, name, alias, id);
                tui_message(t, "registered %s version %lld (%s@%s) from run %.8s", name, (long long)version, name, alias, id);
            }
        } else {
            set_msg(s, 0, "registered %s version %lld (%s:%lld) from run %.8s", name, (long long)version, name,
                    (long long)version, id);
            tui_message(t, "registered %s version %lld from run %.8s", name, (long long)version, id);
        }
        tui_note(t, "registered %s version %lld", name, (long long)version);
    }
    lua_settop(L, base);
    s->stale = 1;
    free(name);
    free(alias);
    return 1;
}

void runs_pane_promote(tui *t) {
    pane *p = tui_pane(t, PANE_RUNS);
    if (!p) return;
    runs_state *s = state_of(p);
    s->msg[0] = '\0';
    lua_State *L = tui_lua(t);
    int base = lua_gettop(L);
    char err[512];
    if (call_lab(t, "promote", 0, "promoting the session", err, sizeof err) != 0) {
        tui_message(t, "%s", err);
        tui_note(t, "not promoted: see the REPL");
        set_msg(s, 1, "%s", err);
        lua_settop(L, base);
        return;
    }
    const char *id = lua_tostring(L, -1);
    char run[33] = "";
    if (id) snprintf(run, sizeof run, "%s", id);
    lua_settop(L, base);
    /* show the new run: in the session's experiment, where it was recorded */
    free(s->exp_pick);
    s->exp_pick = NULL;
    s->view = VIEW_LIST;
    memcpy(s->sel_id, run, 33);
    reload(t, s);
    if (run[0] && row_of(s, run) < 0) { /* not there after all: show every experiment */
        s->exp_pick = xstrdup("");
        reload(t, s);
    }
    tui_show(t, PANE_RUNS);
    tui_note(t, "promoted to run %.8s", run);
    tui_message(t, "promoted the session to run %s", run);
    set_msg(s, 0, "promoted the session to run %.8s (r registers its model)", run);
    tui_dirty(t, PANE_RUNS);
}

static const pane_action actions[] = {
    {"mark", "Mark", "mark or unmark the selected run, for compare and plot", act_mark},
    {"compare", "Compare", "the marked runs (and the selected one) side by side: params and last metrics", act_compare},
    {"plot", "Plot", "the curves of the metric under the column cursor, one line per marked run, in the plot view",
     act_plot},
    {"register", "Register", "register the selected run's model (asks its name, then an alias such as production)",
     act_register},
    {"show", "Show", "everything about the selected run: params, metrics, artifacts, datasets, notebook", act_show},
    {"experiment", "Exp", "the runs of the next experiment, then of all experiments, then the session's again",
     act_experiment},
    {"sort_asc", "Asc", "sort by the column under the cursor, ascending (missing values last)", act_sort_asc},
    {"sort_desc", "Desc", "sort by the column under the cursor, descending (missing values last)", act_sort_desc},
    {"diff", "Diff", "in a comparison: only the rows that differ, or all rows again", act_diff},
    {"back", "Back", "back to the list from a comparison or a run; from the list, to the REPL", act_back},
    {"unmark", NULL, "unmark every run", act_unmark},
    {"refresh", NULL, "read the store again", act_refresh},
    {"up", NULL, "the run (or row) above", act_up},
    {"down", NULL, "the run (or row) below", act_down},
    {"left", NULL, "the column on the left (the runs to the left in a comparison)", act_left},
    {"right", NULL, "the column on the right (the runs to the right in a comparison)", act_right},
    {"page_up", NULL, "a page up", act_pgup},
    {"page_down", NULL, "a page down", act_pgdn},
    {"first", NULL, "the first run (or row)", act_first},
    {"last", NULL, "the last run (or row)", act_last},
    {NULL, NULL, NULL, NULL}};

static const pane_binding defaults[] = {
    {"Space", "mark"},     {"c", "compare"},   {"p", "plot"},       {"r", "register"},    {"Enter", "show"},
    {"e", "experiment"},   {"[", "sort_asc"},  {"]", "sort_desc"},  {"d", "diff"},        {"q", "back"},
    {"Backspace", "back"}, {"u", "unmark"},    {"R", "refresh"},    {"Up", "up"},         {"Down", "down"},
    {"k", "up"},           {"j", "down"},      {"Left", "left"},    {"Right", "right"},   {"h", "left"},
    {"l", "right"},        {"PgUp", "page_up"}, {"PgDn", "page_down"}, {"Home", "first"}, {"End", "last"},
    {"g", "first"},        {"G", "last"},      {NULL, NULL}};

static void pane_free(pane *p) {
    runs_state *s = state_of(p);
    if (!s) return;
    free_list(s);
    free_compare(s);
    free_lines(s);
    free(s->marks);
    free(s->exp_pick);
    free(s);
    p->state = NULL;
}

pane *runs_pane_new(tui *t) {
    (void)t;
    pane *p = xcalloc(1, sizeof *p);
    p->id = PANE_RUNS;
    p->name = "runs";
    p->title = "Runs";
    p->actions = actions;
    p->defaults = defaults;
    p->draw = runs_draw;
    p->resized = resized;
    p->free = pane_free;
    runs_state *s = xcalloc(1, sizeof *s);
    s->col_kind_ = COLK_NAME;
    p->state = s;
    return p;
}
