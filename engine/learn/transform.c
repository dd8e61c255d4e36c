/* transform.c — the preprocessing transforms (see transform.h): standardize
 * (scikit-learn's StandardScaler: population standard deviation, a constant
 * column scaled by 1), minmax (MinMaxScaler), onehot (OneHotEncoder with
 * handle_unknown="ignore": an unseen or missing category gives all zeros),
 * impute (SimpleImputer: mean, median, most_frequent with the smallest value
 * winning ties, constant) and label_encode (sorted categories to 0..K-1).
 *
 * Missing values (NA, and NaN in number columns) are left out of every
 * statistic and pass through standardize and minmax as NA, so an impute step
 * may come before or after them. Categories are compared by their text
 * (col_format), so onehot and label_encode take columns of any type; levels
 * are sorted as metrics_labels sorts (numbers numerically, strings by
 * bytes), as scikit-learn sorts its categories. */
#include "transform.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define P_COLS {"cols", MODEL_P_STRING, 0, "", 0, 0, 0, NULL, "the columns, newline-separated (empty: the default columns)"}

static const model_param_spec std_params[] = {P_COLS};
static const model_param_spec minmax_params[] = {
    P_COLS,
    {"min", MODEL_P_NUMBER, 0, NULL, -INFINITY, INFINITY, 0, NULL, "the low end of the output range"},
    {"max", MODEL_P_NUMBER, 1, NULL, -INFINITY, INFINITY, 0, NULL, "the high end of the output range"},
};
static const model_param_spec impute_params[] = {
    P_COLS,
    {"strategy", MODEL_P_STRING, 0, "mean", 0, 0, 0, "mean|median|most_frequent|constant", "what fills a missing value"},
    {"fill_value", MODEL_P_NUMBER, 0, NULL, -INFINITY, INFINITY, 0, NULL, "constant: the fill of numeric columns"},
    {"fill_string", MODEL_P_STRING, 0, "missing_value", 0, 0, 0, NULL, "constant: the fill of string columns"},
};

enum { T_STANDARDIZE, T_MINMAX, T_ONEHOT, T_IMPUTE, T_LABEL };

static int tkind(const model *t);

/* ---- checks and summaries (the kind table's functions) --------------------------- */

static int need_vec(const model *t, const char *name, lab_err *e) {
    const model_tensor *x = model_tensor_get(t, name);
    if (!x || x->rows != (size_t)t->nfeat || x->cols != 1)
        return lab_fail(e, "%s: tensor '%s' is missing or not %d x 1", t->kind->name, name, t->nfeat);
    return 0;
}

static int t_check(const model *t, lab_err *e) {
    switch (tkind(t)) {
    case T_STANDARDIZE: return need_vec(t, "mean", e) < 0 ? -1 : need_vec(t, "scale", e);
    case T_MINMAX: return need_vec(t, "min", e) < 0 ? -1 : need_vec(t, "scale", e);
    case T_IMPUTE:
        if (need_vec(t, "fill", e) < 0) return -1;
        for (int q = 0; q < t->nfeat; q++)
            if ((t->feat[q].type == COL_STRING) != (t->feat[q].nlevels == 1))
                return lab_fail(e, "impute: column '%s' has no fill value", t->feat[q].name);
        return 0;
    default:
        for (int q = 0; q < t->nfeat; q++)
            if (t->feat[q].nlevels == 0) return lab_fail(e, "%s: column '%s' has no levels", t->kind->name, t->feat[q].name);
        return 0;
    }
}

static void t_describe(const model *t, strbuf *b) {
    char line[512];
    for (int q = 0; q < t->nfeat && q < 8; q++) {
        const model_feature *f = &t->feat[q];
        switch (tkind(t)) {
        case T_STANDARDIZE:
            snprintf(line, sizeof line, "  %s: mean %.6g, scale %.6g\n", f->name, model_tensor_get(t, "mean")->data[q],
                     model_tensor_get(t, "scale")->data[q]);
            break;
        case T_MINMAX:
            snprintf(line, sizeof line, "  %s: min %.6g, scale %.6g\n", f->name, model_tensor_get(t, "min")->data[q],
                     model_tensor_get(t, "scale")->data[q]);
            break;
        case T_IMPUTE:
            if (f->type == COL_STRING) snprintf(line, sizeof line, "  %s: fill '%s'\n", f->name, f->levels[0]);
            else snprintf(line, sizeof line, "  %s: fill %.6g\n", f->name, model_tensor_get(t, "fill")->data[q]);
            break;
        default: {
            int n = snprintf(line, sizeof line, "  %s: %u levels (", f->name, f->nlevels);
            for (uint32_t k = 0; k < f->nlevels && k < 6 && n < (int)sizeof line - 80; k++)
                n += snprintf(line + n, sizeof line - (size_t)n, "%s%.40s", k ? ", " : "", f->levels[k]);
            snprintf(line + n, sizeof line - (size_t)n, "%s)\n", f->nlevels > 6 ? ", ..." : "");
        }
        }
        strbuf_adds(b, line);
    }
    if (t->nfeat > 8) {
        snprintf(line, sizeof line, "  ... and %d more columns\n", t->nfeat - 8);
        strbuf_adds(b, line);
    }
}

const model_kind transform_standardize = {"standardize", MODEL_TRANSFORMER, "standardize (x - mean) / std",
                                          std_params, 1, NULL, NULL, NULL, NULL, t_check, t_describe, 0};
const model_kind transform_minmax = {"minmax", MODEL_TRANSFORMER, "min-max scaling to [min, max]",
                                     minmax_params, 3, NULL, NULL, NULL, NULL, t_check, t_describe, 0};
const model_kind transform_onehot = {"onehot", MODEL_TRANSFORMER, "one-hot encoding (unknown categories: all zeros)",
                                     std_params, 1, NULL, NULL, NULL, NULL, t_check, t_describe, 0};
const model_kind transform_impute = {"impute", MODEL_TRANSFORMER, "impute missing values",
                                     impute_params, 4, NULL, NULL, NULL, NULL, t_check, t_describe, 0};
const model_kind transform_label = {"label_encode", MODEL_TRANSFORMER, "label encoding (sorted categories to 0..K-1)",
                                    std_params, 1, NULL, NULL, NULL, NULL, t_check, t_describe, 0};

static const model_kind *const tkinds[] = {&transform_standardize, &transform_minmax, &transform_onehot,
                                           &transform_impute, &transform_label};

static int tkind(const model *t) {
    for (int i = 0; i < 5; i++)
        if (t->kind == tkinds[i]) return i;
    return -1;
}

const model_kind *transform_kind_find(const char *name) {
    for (int i = 0; i < 5; i++)
        if (strcmp(tkinds[i]->name, name) == 0) return tkinds[i];
    return NULL;
}

const char *transform_kind_list(void) { return "standardize, minmax, onehot, impute, label_encode"; }

model *transform_new(const char *name, lab_err *e) {
    const model_kind *k = transform_kind_find(name);
    if (!k) {
        lab_fail(e, "transform: unknown kind '%s' (known: %s)", name, transform_kind_list());
        return NULL;
    }
    model *m = xcalloc(1, sizeof *m);
    m->kind = k;
    m->nparam = k->nparams;
    m->params = xcalloc((size_t)k->nparams, sizeof *m->params);
    for (int i = 0; i < k->nparams; i++) {
        const model_param_spec *s = &k->params[i];
        m->params[i].key = s->key;
        m->params[i].type = s->type;
        m->params[i].num = s->def;
        m->params[i].str = s->type == MODEL_P_STRING && s->def_str ? xstrdup(s->def_str) : NULL;
    }
    return m;
}

model *transform_clone_unfitted(const model *t) {
    lab_err e;
    model *c = transform_kind_find(t->kind->name) == t->kind ? transform_new(t->kind->name, &e) : model_new(t->kind->name, &e);
    if (!c) return NULL;
    for (int i = 0; i < t->nparam && i < c->nparam; i++) {
        c->params[i].num = t->params[i].num;
        if (t->params[i].type == MODEL_P_STRING) {
            free(c->params[i].str);
            c->params[i].str = t->params[i].str ? xstrdup(t->params[i].str) : NULL;
        }
    }
    return c;
}

void transform_set_cols(model *t, const char *const *cols, int n) {
    strbuf b = {0};
    for (int i = 0; i < n; i++) {
        if (i) strbuf_adds(&b, "\n");
        strbuf_adds(&b, cols[i]);
    }
    lab_err e;
    model_set_string(t, "cols", b.s ? b.s : "", &e);
    free(b.s);
}

/* ---- fitting ------------------------------------------------------------------------ */

static int is_numeric(col_type t) { return t == COL_NUMBER || t == COL_INTEGER || t == COL_BOOLEAN; }

static int missing(const column *c, size_t i) { return col_is_na(c, i) || (c->type == COL_NUMBER && isnan(c->f64[i])); }

/* Drop the fitted state (tensors, figures, schema) but keep the parameters. */
static void unfit(model *t) {
    for (int q = 0; q < t->nfeat; q++) {
        free(t->feat[q].name);
        for (uint32_t k = 0; k < t->feat[q].nlevels; k++) free(t->feat[q].levels[k]);
        free(t->feat[q].levels);
    }
    free(t->feat);
    t->feat = NULL;
    t->nfeat = 0;
    for (int i = 0; i < t->ntensor; i++) {
        free(t->tensor[i].name);
        free(t->tensor[i].data);
    }
    free(t->tensor);
    t->tensor = NULL;
    t->ntensor = 0;
    t->fitted = 0;
    t->n_train = 0;
}

/* The columns of f to fit on: the "cols" list, or the kind's default. */
static int pick_columns(const model *t, const frame *f, const char *skip, int *cols, lab_err *e) {
    const char *spec = model_param_get(t, "cols")->str;
    const char *strategy = tkind(t) == T_IMPUTE ? model_param_get(t, "strategy")->str : "";
    int n = 0;
    if (spec && *spec) {
        for (const char *p = spec; *p || p == spec;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            char *name = xstrndup(p, len);
            lab_err le;
            int j = frame_lookup(f, name, &le);
            free(name);
            if (j < 0) return lab_fail(e, "%s: cols: %s", t->kind->name, le.msg);
            for (int q = 0; q < n; q++)
                if (cols[q] == j) return lab_fail(e, "%s: cols: column '%s' is listed twice", t->kind->name, f->names[j]);
            if (n >= f->ncol) return lab_fail(e, "%s: cols: too many columns", t->kind->name);
            cols[n++] = j;
            if (!nl) break;
            p = nl + 1;
        }
        return n;
    }
    for (int j = 0; j < f->ncol; j++) {
        if (skip && strcmp(f->names[j], skip) == 0) continue;
        col_type ty = f->cols[j]->type;
        int take;
        switch (tkind(t)) {
        case T_STANDARDIZE:
        case T_MINMAX: take = ty == COL_NUMBER || ty == COL_INTEGER; break;
        case T_IMPUTE: take = strcmp(strategy, "mean") == 0 || strcmp(strategy, "median") == 0 ? is_numeric(ty) : 1; break;
        default: take = ty == COL_STRING;
        }
        if (take) cols[n++] = j;
    }
    return n;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The non-missing values of numeric c, sorted when sort; returns the count. */
static size_t values(const column *c, double *v, int sort) {
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!missing(c, i)) v[m++] = col_as_double(c, i);
    if (sort) qsort(v, m, sizeof *v, cmp_double);
    return m;
}

/* The sorted distinct non-missing values of c as texts; returns the count. */
static uint32_t levels_of(const column *c, char ***out) {
    size_t *idx = xmalloc((c->n ? c->n : 1) * sizeof *idx), m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!missing(c, i)) idx[m++] = i;
    column *v = col_take(c, idx, m);
    free(idx);
    column *lab = metrics_labels(v, NULL);
    col_free(v);
    char **lv = xmalloc((lab->n ? lab->n : 1) * sizeof *lv);
    for (size_t k = 0; k < lab->n; k++) {
        char buf[1024];
        if (lab->type == COL_NUMBER) lab_fmt_double(buf, lab->f64[k]);
        else col_format(lab, k, buf, sizeof buf);
        lv[k] = xstrdup(buf);
    }
    uint32_t n = (uint32_t)lab->n;
    col_free(lab);
    *out = lv;
    return n;
}

/* The text of row i of c, as levels_of writes it. */
static void cell_text(const column *c, size_t i, char *buf, size_t cap) {
    if (c->type == COL_NUMBER) lab_fmt_double(buf, c->f64[i]);
    else col_format(c, i, buf, cap);
}

/* Impute's most frequent value of c: the smallest of the most frequent
 * (numbers by value, strings by bytes). Texts for strings in *s. */
static double most_frequent(const column *c, double *v, char **s) {
    if (c->type == COL_STRING) {
        uint32_t nd = c->dict->n;
        size_t *cnt = xcalloc(nd ? nd : 1, sizeof *cnt);
        for (size_t i = 0; i < c->n; i++)
            if (!col_is_na(c, i)) cnt[c->code[i]]++;
        long best = -1;
        for (uint32_t k = 0; k < nd; k++) {
            if (!cnt[k]) continue;
            if (best < 0 || cnt[k] > cnt[best] || (cnt[k] == cnt[best] && strcmp(c->dict->str[k], c->dict->str[best]) < 0))
                best = k;
        }
        *s = xstrdup(c->dict->str[best]);
        free(cnt);
        return NAN;
    }
    size_t m = values(c, v, 1), bestn = 0;
    double best = NAN;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && v[j] == v[i]) j++;
        if (j - i > bestn) {
            bestn = j - i;
            best = v[i];
        }
        i = j;
    }
    return best;
}

/* onehot's column for level k of fitted column ft: "col=level" (new). */
static char *onehot_name(const model_feature *ft, uint32_t k) {
    size_t len = strlen(ft->name) + strlen(ft->levels[k]) + 2;
    char *name = xmalloc(len);
    snprintf(name, len, "%s=%s", ft->name, ft->levels[k]);
    return name;
}

/* onehot's output columns for frame f must all have different names: a
 * generated "col=level" may not be the name of a column of f that passes
 * through (it would silently replace it), nor one another column's levels
 * make too. Returns 0, or -1 with e naming both sources. */
static int onehot_check_names(const model *t, const frame *f, lab_err *e) {
    strdict *d = strdict_new();
    int *owner = NULL, cap = 0, rc = 0; /* per name in d: -1 a column of f, else the fitted column making it */
    for (int j = 0; j < f->ncol; j++) {
        int q = 0;
        while (q < t->nfeat && strcmp(t->feat[q].name, f->names[j]) != 0) q++;
        if (q < t->nfeat) continue; /* encoded: replaced by its own columns */
        uint32_t x = strdict_intern(d, f->names[j], strlen(f->names[j]));
        if ((int)x >= cap) {
            cap = cap ? 2 * cap : 64;
            owner = xrealloc(owner, (size_t)cap * sizeof *owner);
        }
        owner[x] = -1;
    }
    for (int q = 0; q < t->nfeat && rc == 0; q++)
        for (uint32_t k = 0; k < t->feat[q].nlevels && rc == 0; k++) {
            char *name = onehot_name(&t->feat[q], k);
            uint32_t before = d->n, x = strdict_intern(d, name, strlen(name));
            if (x < before) {
                if (owner[x] < 0)
                    rc = lab_fail(e, "onehot: column '%s' (level '%s') would make a column '%s', but the frame already has "
                                     "a column of that name; rename one of them",
                                  t->feat[q].name, t->feat[q].levels[k], name);
                else
                    rc = lab_fail(e, "onehot: columns '%s' and '%s' would both make a column '%s'; rename one of them",
                                  t->feat[owner[x]].name, t->feat[q].name, name);
            } else {
                if ((int)x >= cap) {
                    cap = cap ? 2 * cap : 64;
                    owner = xrealloc(owner, (size_t)cap * sizeof *owner);
                }
                owner[x] = q;
            }
            free(name);
        }
    free(owner);
    strdict_free(d);
    return rc;
}

int transform_fit(model *t, const frame *f, const char *skip, lab_err *e) {
    int kind = tkind(t);
    const char *kn = t->kind->name;
    unfit(t);
    if (kind < 0) return lab_fail(e, "fit: %s is not a transform", kn);
    if (f->nrow == 0) return lab_fail(e, "%s: the frame has no rows", kn);
    int *cols = xmalloc((size_t)(f->ncol ? f->ncol : 1) * sizeof *cols);
    double *v = xmalloc(f->nrow * sizeof *v);
    int n = pick_columns(t, f, skip, cols, e), rc = -1;
    const char *strategy = kind == T_IMPUTE ? model_param_get(t, "strategy")->str : "";
    if (n < 0) goto done;
    if (kind == T_MINMAX && !(model_param_num(t, "min") < model_param_num(t, "max"))) {
        lab_fail(e, "minmax: min must be below max");
        goto done;
    }
    t->nfeat = n;
    t->feat = xcalloc((size_t)(n ? n : 1), sizeof *t->feat);
    for (int q = 0; q < n; q++) {
        t->feat[q].name = xstrdup(f->names[cols[q]]);
        t->feat[q].type = f->cols[cols[q]]->type;
    }
    double *a = NULL, *b = NULL;
    if (kind == T_STANDARDIZE) {
        a = model_tensor_new(t, "mean", (size_t)n, 1);
        b = model_tensor_new(t, "scale", (size_t)n, 1);
    } else if (kind == T_MINMAX) {
        a = model_tensor_new(t, "min", (size_t)n, 1);
        b = model_tensor_new(t, "scale", (size_t)n, 1);
    } else if (kind == T_IMPUTE) {
        a = model_tensor_new(t, "fill", (size_t)n, 1);
    }
    for (int q = 0; q < n; q++) {
        const column *c = f->cols[cols[q]];
        const char *name = f->names[cols[q]];
        model_feature *ft = &t->feat[q];
        int numeric = is_numeric(c->type);
        if ((kind == T_STANDARDIZE || kind == T_MINMAX ||
             (kind == T_IMPUTE && (strcmp(strategy, "mean") == 0 || strcmp(strategy, "median") == 0))) && !numeric) {
            lab_fail(e, "%s: column '%s' is a string column; %s%s needs numbers (one-hot or label-encode it)", kn, name, kn,
                     kind == T_IMPUTE ? (strategy[1] == 'e' ? " mean" : " median") : "");
            goto done;
        }
        size_t m = numeric ? values(c, v, kind == T_IMPUTE) : 0;
        if (numeric && m == 0 && !(kind == T_IMPUTE && strcmp(strategy, "constant") == 0)) {
            lab_fail(e, "%s: column '%s' has no values to learn from (every row is missing)", kn, name);
            goto done;
        }
        switch (kind) {
        case T_STANDARDIZE: {
            double s = 0, ss = 0;
            for (size_t i = 0; i < m; i++) s += v[i];
            double mu = s / (double)m;
            for (size_t i = 0; i < m; i++) ss += (v[i] - mu) * (v[i] - mu);
            double sd = sqrt(ss / (double)m);
            a[q] = mu;
            /* scikit-learn treats a near-constant column as constant */
            b[q] = sd < 10 * 2.220446049250313e-16 * fmax(fabs(mu), 1) ? 1 : sd;
            break;
        }
        case T_MINMAX: {
            double lo = v[0], hi = v[0];
            for (size_t i = 1; i < m; i++) {
                if (v[i] < lo) lo = v[i];
                if (v[i] > hi) hi = v[i];
            }
            double range = hi - lo;
            a[q] = lo;
            b[q] = (model_param_num(t, "max") - model_param_num(t, "min")) / (range == 0 ? 1 : range);
            break;
        }
        case T_IMPUTE:
            if (strcmp(strategy, "mean") == 0) {
                double s = 0;
                for (size_t i = 0; i < m; i++) s += v[i];
                a[q] = s / (double)m;
            } else if (strcmp(strategy, "median") == 0) {
                a[q] = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
            } else if (strcmp(strategy, "constant") == 0) {
                if (numeric) a[q] = model_param_num(t, "fill_value");
                else {
                    a[q] = NAN;
                    ft->levels = xmalloc(sizeof *ft->levels);
                    ft->levels[0] = xstrdup(model_param_get(t, "fill_string")->str);
                    ft->nlevels = 1;
                }
            } else {
                if (c->type == COL_STRING && col_na_count(c) == c->n) {
                    lab_fail(e, "impute: column '%s' has no values to learn from (every row is missing)", name);
                    goto done;
                }
                char *s = NULL;
                a[q] = most_frequent(c, v, &s);
                if (s) {
                    ft->levels = xmalloc(sizeof *ft->levels);
                    ft->levels[0] = s;
                    ft->nlevels = 1;
                }
            }
            break;
        default:
            ft->nlevels = levels_of(c, &ft->levels);
            if (ft->nlevels == 0) {
                lab_fail(e, "%s: column '%s' has no values to learn from (every row is missing)", kn, name);
                goto done;
            }
        }
    }
    if (kind == T_ONEHOT && onehot_check_names(t, f, e) < 0) goto done;
    t->n_train = f->nrow;
    t->fitted = 1;
    rc = 0;
done:
    if (rc < 0) unfit(t);
    free(cols);
    free(v);
    return rc;
}

/* ---- applying ------------------------------------------------------------------------ */

/* For each row of c, the index of its level in ft (-1: missing or unseen). */
static int *level_index(const model_feature *ft, const column *c) {
    strdict *d = strdict_new();
    for (uint32_t k = 0; k < ft->nlevels; k++) strdict_intern(d, ft->levels[k], strlen(ft->levels[k]));
    int *out = xmalloc((c->n ? c->n : 1) * sizeof *out);
    if (c->type == COL_STRING) {
        uint32_t nd = c->dict->n;
        int *map = xmalloc((nd ? nd : 1) * sizeof *map);
        for (uint32_t k = 0; k < nd; k++) {
            uint32_t x = strdict_find(d, c->dict->str[k], c->dict->len[k]);
            map[k] = x == UINT32_MAX ? -1 : (int)x;
        }
        for (size_t i = 0; i < c->n; i++) out[i] = col_is_na(c, i) ? -1 : map[c->code[i]];
        free(map);
    } else {
        char buf[1024];
        for (size_t i = 0; i < c->n; i++) {
            if (missing(c, i)) {
                out[i] = -1;
                continue;
            }
            cell_text(c, i, buf, sizeof buf);
            uint32_t x = strdict_find(d, buf, strlen(buf));
            out[i] = x == UINT32_MAX ? -1 : (int)x;
        }
    }
    strdict_free(d);
    return out;
}

/* The transformed column(s) of fitted column q, added to r. */
static int apply_one(const model *t, int q, const column *c, frame *r, lab_err *e) {
    const model_feature *ft = &t->feat[q];
    size_t n = c->n;
    int kind = tkind(t);
    switch (kind) {
    case T_STANDARDIZE:
    case T_MINMAX: {
        double a = model_tensor_get(t, kind == T_STANDARDIZE ? "mean" : "min")->data[q];
        double s = model_tensor_get(t, "scale")->data[q], lo = kind == T_MINMAX ? model_param_num(t, "min") : 0;
        column *o = col_new(COL_NUMBER, n, NULL);
        for (size_t i = 0; i < n; i++) {
            if (missing(c, i)) {
                col_set_na(o, i);
                continue;
            }
            double x = col_as_double(c, i);
            o->f64[i] = kind == T_STANDARDIZE ? (x - a) / s : (x - a) * s + lo;
        }
        return frame_set_column(r, ft->name, o, e);
    }
    case T_IMPUTE: {
        if (ft->type == COL_STRING) {
            column *o = col_new(COL_STRING, n, NULL);
            uint32_t fill = strdict_intern(o->dict, ft->levels[0], strlen(ft->levels[0]));
            for (size_t i = 0; i < n; i++) {
                const char *s = col_str(c, i);
                o->code[i] = s ? strdict_intern(o->dict, s, strlen(s)) : fill;
            }
            return frame_set_column(r, ft->name, o, e);
        }
        double fill = model_tensor_get(t, "fill")->data[q];
        column *o = col_new(COL_NUMBER, n, NULL);
        for (size_t i = 0; i < n; i++) o->f64[i] = missing(c, i) ? fill : col_as_double(c, i);
        return frame_set_column(r, ft->name, o, e);
    }
    case T_ONEHOT: {
        int *lv = level_index(ft, c);
        for (uint32_t k = 0; k < ft->nlevels; k++) {
            column *o = col_new(COL_NUMBER, n, NULL);
            for (size_t i = 0; i < n; i++) o->f64[i] = lv[i] == (int)k;
            char *name = onehot_name(ft, k);
            int rc = frame_set_column(r, name, o, e);
            free(name);
            if (rc < 0) {
                free(lv);
                return -1;
            }
        }
        free(lv);
        return 0;
    }
    default: {
        int *lv = level_index(ft, c);
        column *o = col_new(COL_INTEGER, n, NULL);
        for (size_t i = 0; i < n; i++) {
            if (missing(c, i)) {
                col_set_na(o, i);
            } else if (lv[i] < 0) {
                char buf[256];
                cell_text(c, i, buf, sizeof buf);
                lab_fail(e, "label_encode: column '%s' has the value '%s' at row %zu, which was not seen at fit", ft->name,
                         buf, i + 1);
                free(lv);
                col_free(o);
                return -1;
            } else {
                o->i64[i] = lv[i];
            }
        }
        free(lv);
        return frame_set_column(r, ft->name, o, e);
    }
    }
}

frame *transform_apply(const model *t, const frame *f, lab_err *e) {
    if (tkind(t) < 0) {
        lab_fail(e, "transform: %s is not a transform", t->kind->name);
        return NULL;
    }
    if (!t->fitted) {
        lab_fail(e, "transform: the %s transform is not fitted; call fit first", t->kind->name);
        return NULL;
    }
    int *where = xmalloc((size_t)(f->ncol ? f->ncol : 1) * sizeof *where);
    for (int j = 0; j < f->ncol; j++) where[j] = -1;
    for (int q = 0; q < t->nfeat; q++) {
        const model_feature *ft = &t->feat[q];
        int j = frame_find(f, ft->name);
        if (j < 0) {
            lab_fail(e, "transform: the frame has no column '%s', which %s was fitted on", ft->name, t->kind->name);
            free(where);
            return NULL;
        }
        col_type ty = f->cols[j]->type;
        if ((ty == COL_STRING) != (ft->type == COL_STRING)) {
            lab_fail(e, "transform: column '%s' is a %s column; %s was fitted on a %s column", ft->name, col_type_name(ty),
                     t->kind->name, col_type_name(ft->type));
            free(where);
            return NULL;
        }
        where[j] = q;
    }
    /* the frame may hold other columns than at fit */
    if (tkind(t) == T_ONEHOT && onehot_check_names(t, f, e) < 0) {
        free(where);
        return NULL;
    }
    frame *r = frame_new();
    r->nrow = f->nrow;
    for (int j = 0; j < f->ncol; j++) {
        int rc = where[j] < 0 ? frame_set_column(r, f->names[j], col_ref(f->cols[j]), e)
                              : apply_one(t, where[j], f->cols[j], r, e);
        if (rc < 0) {
            frame_free(r);
            r = NULL;
            break;
        }
    }
    free(where);
    return r;
}
