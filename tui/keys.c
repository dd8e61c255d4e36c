/* keys.c — key names and key tables.
 *
 * A key is a curses key code; its name is what users write in lab.bind and
 * what the bar and the help pane show: "F3", "^S", "M-x" (Alt is ESC then
 * the key), "Enter", "Up", "PgDn", "s". Names and codes convert both ways
 * through one table, so the bar never shows a key the parser would not take. */
#include "keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int code;
} named[] = {
    {"Up", KEY_UP},         {"Down", KEY_DOWN},     {"Left", KEY_LEFT},       {"Right", KEY_RIGHT},
    {"Home", KEY_HOME},     {"End", KEY_END},       {"PgUp", KEY_PPAGE},      {"PgDn", KEY_NPAGE},
    {"Enter", '\n'},        {"Tab", '\t'},          {"Esc", 27},              {"Space", ' '},
    {"Backspace", KEY_BACKSPACE}, {"Del", KEY_DC},  {"Ins", KEY_IC},          {"S-Tab", KEY_BTAB},
    {"S-Up", KEY_SR},       {"S-Down", KEY_SF},     {"S-Left", KEY_SLEFT},    {"S-Right", KEY_SRIGHT},
};

int keyname_parse(const char *name) {
    if (!name || !*name) return -1;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcasecmp(name, named[i].name) == 0) return named[i].code;
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        int n = 0;
        for (const char *p = name + 1; *p; p++) {
            if (*p < '0' || *p > '9') return -1;
            n = n * 10 + (*p - '0');
        }
        return n >= 1 && n <= 24 ? KEY_F(n) : -1;
    }
    if (name[0] == '^' && name[1] && !name[2]) {
        char c = name[1];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c >= '@' && c <= '_') return c - '@';
        return -1;
    }
    if ((name[0] == 'M' || name[0] == 'A') && name[1] == '-' && name[2]) {
        int k = keyname_parse(name + 2);
        return k >= 0 && k < 256 ? KEY_META(k) : -1;
    }
    if (!name[1] && (unsigned char)name[0] >= 0x20 && (unsigned char)name[0] < 0x7f) return name[0];
    return -1;
}

const char *keyname_of(int code, char *buf, size_t cap) {
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].code == code) {
            snprintf(buf, cap, "%s", named[i].name);
            return buf;
        }
    if (code == '\r') snprintf(buf, cap, "Enter");
    else if (code >= KEY_F(1) && code <= KEY_F(24)) snprintf(buf, cap, "F%d", code - KEY_F0);
    else if (code >= KEY_META(0) && code < KEY_META(256)) {
        char inner[32];
        snprintf(buf, cap, "M-%s", keyname_of(code - KEY_META(0), inner, sizeof inner));
    } else if (code >= 0 && code < 32) snprintf(buf, cap, "^%c", code + '@');
    else if (code >= 32 && code < 127) snprintf(buf, cap, "%c", code);
    else snprintf(buf, cap, "key %d", code);
    return buf;
}

void keymap_init(keymap *m) { memset(m, 0, sizeof *m); }

int keymap_lookup(const keymap *m, int code) {
    for (int i = 0; i < m->n; i++)
        if (m->code[i] == code) return m->action[i];
    return -1;
}

void keymap_set(keymap *m, int code, int action) {
    for (int i = 0; i < m->n; i++)
        if (m->code[i] == code) {
            m->action[i] = action;
            return;
        }
    if (m->n < KEYMAP_MAX) {
        m->code[m->n] = code;
        m->action[m->n] = action;
        m->n++;
    }
}

int keymap_key_of(const keymap *m, int action) {
    for (int i = 0; i < m->n; i++)
        if (m->action[i] == action) return m->code[i];
    return -1;
}
