/* help.c — the index behind help(), ?name and lab.doc (see help.h).
 *
 * An entry is either a heading that names functions (its text runs to the
 * next heading) or a table row whose first cell names them (the row is the
 * text). Names are written as in the docs: `lab.x`, `df:x` (frame methods),
 * `c:x` (column methods), `gb:x` (group-by), `p:x` (plots). The index is built
 * on first use, so it costs nothing at start-up. */
#include "help.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *name;       /* "lab.read_csv", "df:head" */
    const char *text; /* into lab_docs_md */
    size_t len;
    const char *file;
    size_t file_len;
} entry;

static entry *entries;
static int nentries, capentries;
static int indexed;

static void add_entry(const char *name, size_t nlen, const char *text, size_t len, const char *file, size_t flen) {
    for (int i = 0; i < nentries; i++) /* a name documented twice: the first wins */
        if (strlen(entries[i].name) == nlen && memcmp(entries[i].name, name, nlen) == 0) return;
    if (nentries == capentries) {
        capentries = capentries ? capentries * 2 : 256;
        entries = xrealloc(entries, (size_t)capentries * sizeof *entries);
    }
    entries[nentries++] = (entry){xstrndup(name, nlen), text, len, file, flen};
}

static int name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == ':';
}

/* The function name at the start of s (up to len): "lab.read_csv" from
 * "lab.read_csv(path)", "df:head" from "df:head([n])". 0 when s names none. */
static size_t callable_name(const char *s, size_t len) {
    size_t n = 0;
    while (n < len && name_char(s[n])) n++;
    if (n == 0) return 0;
    int dotted = memchr(s, ':', n) != NULL || (n > 4 && memcmp(s, "lab.", 4) == 0);
    if (!dotted) return 0;
    if (s[n - 1] == '.' || s[n - 1] == ':') return 0;
    /* a name, not an expression: followed by a call, a table call, or nothing */
    if (n < len && s[n] != '(' && s[n] != '{' && s[n] != ' ' && s[n] != '`') return 0;
    return n;
}

/* Every name in a span of Markdown: backticked parts, or the whole span when
 * it has none (headings without code marks). */
static void names_in(const char *s, size_t len, const char *text, size_t tlen, const char *file, size_t flen) {
    const char *tick = memchr(s, '`', len);
    if (!tick) {
        while (len && (*s == ' ')) s++, len--;
        size_t n = callable_name(s, len);
        if (n) add_entry(s, n, text, tlen, file, flen);
        return;
    }
    const char *end = s + len;
    while ((tick = memchr(s, '`', (size_t)(end - s)))) {
        const char *close = memchr(tick + 1, '`', (size_t)(end - tick - 1));
        if (!close) break;
        size_t n = callable_name(tick + 1, (size_t)(close - tick - 1));
        if (n) add_entry(tick + 1, n, text, tlen, file, flen);
        s = close + 1;
    }
}

static void build_index(void) {
    if (indexed) return;
    indexed = 1;
    const char *p = lab_docs_md;
    const char *file = "", *heading = NULL, *heading_names = NULL;
    size_t flen = 0, hn_len = 0;
    int level = 0;
    /* heading entries are added when their section ends */
    for (;;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        int is_heading = len > 1 && p[0] == '#';
        int is_file = len > 7 && memcmp(p, "@@file ", 7) == 0;
        if ((is_heading || is_file || !*p) && heading) {
            names_in(heading_names, hn_len, heading, (size_t)(p - heading), file, flen);
            heading = NULL;
        }
        if (!*p) break;
        if (is_file) {
            file = p + 7;
            flen = len - 7;
        } else if (is_heading) {
            level = 0;
            while (level < (int)len && p[level] == '#') level++;
            heading = p;
            heading_names = p + level;
            hn_len = len - (size_t)level;
        } else if (len > 2 && p[0] == '|' && p[1] == ' ') {
            /* a table row: names in its first cell */
            const char *bar = memchr(p + 1, '|', len - 1);
            if (bar) names_in(p + 1, (size_t)(bar - p - 1), p, len, file, flen);
        }
        if (!eol) {
            if (heading) names_in(heading_names, hn_len, heading, strlen(heading), file, flen);
            break;
        }
        p = eol + 1;
    }
    (void)level;
}

/* The part of a name after its receiver: "read_csv" of "lab.read_csv". */
static const char *short_name(const char *name) {
    const char *s = name;
    for (const char *q = name; *q; q++)
        if (*q == '.' || *q == ':') s = q + 1;
    return s;
}

static void append_entry(strbuf *b, const entry *e) {
    strbuf_add(b, e->text, e->len);
    if (e->len && e->text[e->len - 1] != '\n') strbuf_add(b, "\n", 1);
    /* trim blank lines at the end */
    while (b->n >= 2 && b->s[b->n - 1] == '\n' && b->s[b->n - 2] == '\n') b->s[--b->n] = '\0';
    strbuf_adds(b, "  (");
    strbuf_add(b, e->file, e->file_len);
    strbuf_adds(b, ")\n");
}

static const char overview[] =
    "lab — help\n"
    "\n"
    "  help(lab.read_csv)   the documentation of a function (also help(df.head), help(\"describe\"))\n"
    "  ?read_csv            the same, typed at the REPL prompt\n"
    "  help(df)             what a frame offers (also help(column))\n"
    "\n"
    "Start with:\n"
    "  df = lab.read_csv(\"data/iris.csv\")   df:describe()   df.species:value_counts()\n"
    "  df:filter(df.petal_length:gt(5))    df:group_by(\"species\"):agg{m = {\"petal_length\", \"mean\"}}\n"
    "\n"
    "The pages in docs/lua/ hold all of it.\n";

char *lab_help_text(lua_State *L, const char *query) {
    (void)L;
    build_index();
    strbuf b = {0};
    while (*query == ' ') query++;
    if (!*query) {
        strbuf_adds(&b, overview);
        return b.s;
    }
    size_t qlen = strlen(query);
    while (qlen && (query[qlen - 1] == ' ' || query[qlen - 1] == '(' || query[qlen - 1] == ')')) qlen--;
    char *q = xstrndup(query, qlen);
    int found = 0;
    /* an exact name first, then every entry with that short name */
    for (int i = 0; i < nentries; i++)
        if (strcmp(entries[i].name, q) == 0) {
            append_entry(&b, &entries[i]);
            found = 1;
        }
    if (!found && short_name(q) == q) { /* "head": every receiver's head */
        const char *sq = short_name(q);
        for (int i = 0; i < nentries; i++)
            if (strcmp(short_name(entries[i].name), sq) == 0) {
                if (found) strbuf_adds(&b, "\n");
                append_entry(&b, &entries[i]);
                found = 1;
            }
    }
    if (!found) {
        /* suggest close names */
        strbuf_adds(&b, "no help for '");
        strbuf_adds(&b, q);
        strbuf_adds(&b, "'");
        int shown = 0;
        const char *sq = short_name(q);
        for (int i = 0; i < nentries && shown < 5; i++) {
            const char *sn = short_name(entries[i].name);
            size_t d = lab_edit_distance(sq, sn);
            if (d <= (strlen(sq) + 2) / 3 || (strlen(sq) >= 3 && strstr(sn, sq))) {
                strbuf_adds(&b, shown ? ", " : " (did you mean ");
                strbuf_adds(&b, entries[i].name);
                shown++;
            }
        }
        strbuf_adds(&b, shown ? "?)\n" : "; help() lists where to start)\n");
    }
    free(q);
    return b.s;
}

/* Look for the function at fi among the fields of the table on top; on a
 * match write prefix..key into buf. */
static int find_in(lua_State *L, int fi, const char *prefix, char *buf, size_t cap) {
    const void *target = lua_topointer(L, fi);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_topointer(L, -1) == target && lua_isfunction(L, -1)) {
            snprintf(buf, cap, "%s%s", prefix, lua_tostring(L, -2));
            lua_pop(L, 2);
            return 1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

int lab_help_name_of(lua_State *L, int idx, char *buf, size_t cap) {
    int fi = lua_absindex(L, idx);
    if (!lua_isfunction(L, fi)) return 0;
    int top = lua_gettop(L);
    int ok = 0;
    /* the module table: lab.x and lab.sub.x */
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "lab") == LUA_TTABLE) {
        ok = find_in(L, fi, "lab.", buf, cap);
        lua_pushnil(L);
        while (!ok && lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
                char prefix[64];
                snprintf(prefix, sizeof prefix, "lab.%s.", lua_tostring(L, -2));
                ok = find_in(L, fi, prefix, buf, cap);
            }
            lua_pop(L, 1);
        }
    }
    lua_settop(L, top);
    /* method tables of lab's types */
    static const struct { const char *meta, *prefix; } types[] = {
        {LAB_FRAME, "df:"}, {LAB_COLUMN, "c:"}, {"lab.GroupBy", "gb:"}, {"lab.Plot", "p:"}, {"lab.Model", "m:"},
        {"lab.Transform", "t:"}};
    for (size_t t = 0; !ok && t < sizeof types / sizeof types[0]; t++) {
        if (luaL_getmetatable(L, types[t].meta) == LUA_TTABLE) {
            if (lua_getfield(L, -1, "__methods") == LUA_TTABLE) ok = find_in(L, fi, types[t].prefix, buf, cap);
            lua_pop(L, 1);
            if (!ok && lua_getfield(L, -1, "__index") == LUA_TTABLE) ok = find_in(L, fi, types[t].prefix, buf, cap);
            lua_pop(L, 1);
        }
        lua_settop(L, top);
    }
    return ok;
}

/* The query for a Lua value: a string as it is, a function by its name, a
 * lab object by its type. Pushes nothing; fills buf. */
static void query_of(lua_State *L, int i, char *buf, size_t cap) {
    buf[0] = '\0';
    if (lua_isnoneornil(L, i)) return;
    if (lua_type(L, i) == LUA_TSTRING) {
        snprintf(buf, cap, "%s", lua_tostring(L, i));
        return;
    }
    if (lab_help_name_of(L, i, buf, cap)) return;
    if (lab_testframe(L, i)) snprintf(buf, cap, "frames");
    else if (lab_testcolumn(L, i)) snprintf(buf, cap, "columns");
    else if (lua_isfunction(L, i)) snprintf(buf, cap, "(a function lab does not document)");
    else snprintf(buf, cap, "(a %s)", luaL_typename(L, i));
}

/* A summary of a type's methods, for help(df) and help(column). */
static char *type_summary(const char *prefix, const char *what) {
    build_index();
    strbuf b = {0};
    strbuf_adds(&b, what);
    strbuf_adds(&b, ":");
    int col = 80;
    for (int i = 0; i < nentries; i++) {
        if (strncmp(entries[i].name, prefix, strlen(prefix)) != 0) continue;
        const char *n = entries[i].name;
        if (col + (int)strlen(n) + 2 > 78) {
            strbuf_adds(&b, "\n  ");
            col = 2;
        } else {
            strbuf_adds(&b, "  ");
            col += 2;
        }
        strbuf_adds(&b, n);
        col += (int)strlen(n);
    }
    strbuf_adds(&b, "\nhelp(\"name\") for one of them.\n");
    return b.s;
}

static char *doc_for(lua_State *L, int i) {
    char q[256];
    query_of(L, i, q, sizeof q);
    if (strcmp(q, "frames") == 0) return type_summary("df:", "A frame's methods");
    if (strcmp(q, "columns") == 0) return type_summary("c:", "A column's methods");
    return lab_help_text(L, q);
}

/* lab.doc(x) -> the help text as a string */
static int l_doc(lua_State *L) {
    char *s = doc_for(L, 1);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

/* help(x) — print the help text */
static int l_help(lua_State *L) {
    char *s = doc_for(L, 1);
    fputs(s, stdout);
    fflush(stdout);
    free(s);
    return 0;
}

/* lab.doc_names() -> every documented name (for tests and completion) */
static int l_doc_names(lua_State *L) {
    build_index();
    lua_createtable(L, nentries, 0);
    for (int i = 0; i < nentries; i++) {
        lua_pushstring(L, entries[i].name);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* lab.doc_name(fn) -> "lab.read_csv", or nil */
static int l_doc_name(lua_State *L) {
    char buf[256];
    if (lab_help_name_of(L, 1, buf, sizeof buf)) lua_pushstring(L, buf);
    else lua_pushnil(L);
    return 1;
}

void lab_open_help(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"doc", l_doc}, {"help", l_help}, {"doc_names", l_doc_names}, {"doc_name", l_doc_name}, {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
