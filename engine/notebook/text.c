/* text.c — UTF-8 checking, JSON strings, HTML escaping and base64 for reports.
 *
 * Small and strict rather than fast: reports are a few megabytes at most, so
 * every byte goes through the UTF-8 decoder and invalid input is repaired
 * (U+FFFD) instead of being passed on for a browser or a JSON parser to
 * reject. */
#include "text.h"

#include <stdio.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

long text_utf8_decode(const char *str, size_t len, size_t *adv) {
    const unsigned char *s = (const unsigned char *)str;
    *adv = 1;
    if (s[0] < 0x80) return s[0];
    size_t n;
    long cp, min;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2, cp = s[0] & 0x1F, min = 0x80;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3, cp = s[0] & 0x0F, min = 0x800;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4, cp = s[0] & 0x07, min = 0x10000;
    else
        return -1;
    if (len < n) return -1;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    *adv = n;
    return cp;
}

void text_add_json_string(strbuf *b, const char *s, size_t len) {
    strbuf_add(b, "\"", 1);
    size_t i = 0, run = 0; /* bytes s[run..i) are copied as they are */
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t adv;
        const char *esc = NULL;
        char buf[8];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            if (text_utf8_decode(s + i, len - i, &adv) >= 0) {
                i += adv;
                continue;
            }
            esc = replacement;
        } else if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\t')
            esc = "\\t";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\b')
            esc = "\\b";
        else if (c == '\f')
            esc = "\\f";
        else {
            snprintf(buf, sizeof buf, "\\u%04x", c);
            esc = buf;
        }
        strbuf_add(b, s + run, i - run);
        strbuf_adds(b, esc);
        i++;
        run = i;
    }
    strbuf_add(b, s + run, i - run);
    strbuf_add(b, "\"", 1);
}

void text_add_html(strbuf *b, const char *s, size_t len) {
    size_t i = 0, run = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t adv;
        const char *esc = NULL;
        if (c >= 0x80) {
            if (text_utf8_decode(s + i, len - i, &adv) >= 0) {
                i += adv;
                continue;
            }
            esc = replacement;
        } else if (c == '&')
            esc = "&amp;";
        else if (c == '<')
            esc = "&lt;";
        else if (c == '>')
            esc = "&gt;";
        else if (c == '"')
            esc = "&quot;";
        else if (c == '\'')
            esc = "&#39;";
        else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            esc = replacement;
        if (!esc) {
            i++;
            continue;
        }
        strbuf_add(b, s + run, i - run);
        strbuf_adds(b, esc);
        i++;
        run = i;
    }
    strbuf_add(b, s + run, i - run);
}

void text_add_utf8(strbuf *b, const char *s, size_t len) {
    size_t i = 0, run = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t adv;
        if (c != 0 && (c < 0x80 || text_utf8_decode(s + i, len - i, &adv) >= 0)) {
            i += c < 0x80 ? 1 : adv;
            continue;
        }
        strbuf_add(b, s + run, i - run);
        strbuf_adds(b, replacement);
        i++;
        run = i;
    }
    strbuf_add(b, s + run, i - run);
}

void text_add_base64(strbuf *b, const unsigned char *s, size_t len) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];
    for (size_t i = 0; i < len; i += 3) {
        unsigned long v = (unsigned long)s[i] << 16;
        if (i + 1 < len) v |= (unsigned long)s[i + 1] << 8;
        if (i + 2 < len) v |= s[i + 2];
        out[0] = digits[(v >> 18) & 63];
        out[1] = digits[(v >> 12) & 63];
        out[2] = i + 1 < len ? digits[(v >> 6) & 63] : '=';
        out[3] = i + 2 < len ? digits[v & 63] : '=';
        strbuf_add(b, out, 4);
    }
}
