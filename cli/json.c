/* json.c — a small streaming JSON writer for the --json output of `lab runs`
 * and `lab models`.
 *
 * It writes straight to a FILE and keeps only a "first member?" flag per
 * nesting level, so a listing of 10,000 runs never builds a tree in memory.
 * The output is indented for people who read it and parsed by scripts; text
 * is escaped per RFC 8259 and repaired to valid UTF-8 (run names and
 * notebooks come from users and may hold any byte). */
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

void jw_init(jw *w, FILE *f) {
    memset(w, 0, sizeof *w);
    w->f = f;
    w->first[0] = 1;
}

static void newline(jw *w) {
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
}

/* Before a value: the comma and line break of an array member; nothing
 * after a key (the key wrote them). */
static void before_value(jw *w) {
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0) return;
    if (!w->first[w->depth]) fputc(',', w->f);
    w->first[w->depth] = 0;
    newline(w);
}

static void begin(jw *w, char c) {
    before_value(w);
    fputc(c, w->f);
    if (w->depth < (int)(sizeof w->first / sizeof w->first[0]) - 1) w->depth++;
    w->first[w->depth] = 1;
}

static void finish(jw *w, char c) {
    int empty = w->first[w->depth];
    if (w->depth > 0) w->depth--;
    if (!empty) newline(w);
    fputc(c, w->f);
}

void jw_obj(jw *w) { begin(w, '{'); }
void jw_obj_end(jw *w) { finish(w, '}'); }
void jw_arr(jw *w) { begin(w, '['); }
void jw_arr_end(jw *w) { finish(w, ']'); }

/* The length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes
 * there are not one (overlong forms, surrogates and values past U+10FFFF
 * included). */
static int utf8_len(const unsigned char *s) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] > 0x8F) return 0;
        return 4;
    }
    return 0;
}

static void put_string(FILE *f, const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            case '\b': fputs("\\b", f); break;
            case '\f': fputs("\\f", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            s++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            s++;
        } else {
            int n = utf8_len(s);
            if (n == 0) {
                fputs("\\ufffd", f);
                s++;
            } else {
                fwrite(s, 1, (size_t)n, f);
                s += n;
            }
        }
    }
    fputc('"', f);
}

void jw_key(jw *w, const char *key) {
    before_value(w);
    put_string(w->f, key);
    fputs(": ", w->f);
    w->after_key = 1;
}

void jw_str(jw *w, const char *s) {
    if (!s) {
        jw_null(w);
        return;
    }
    before_value(w);
    put_string(w->f, s);
}

void jw_num(jw *w, double v) {
    before_value(w);
    if (v != v || v - v != 0) {
        fputs("null", w->f);
        return;
    }
    char buf[32];
    lab_fmt_double(buf, v);
    fputs(buf, w->f);
}

void jw_int(jw *w, int64_t v) {
    before_value(w);
    fprintf(w->f, "%lld", (long long)v);
}

void jw_bool(jw *w, int v) {
    before_value(w);
    fputs(v ? "true" : "false", w->f);
}

void jw_null(jw *w) {
    before_value(w);
    fputs("null", w->f);
}

void jw_field_str(jw *w, const char *key, const char *s) {
    jw_key(w, key);
    jw_str(w, s);
}

void jw_field_int(jw *w, const char *key, int64_t v) {
    jw_key(w, key);
    jw_int(w, v);
}

void jw_field_num(jw *w, const char *key, double v) {
    jw_key(w, key);
    jw_num(w, v);
}

void jw_end(jw *w) { fputc('\n', w->f); }
