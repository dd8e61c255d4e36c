/* keys.h — key names ("F3", "^S", "M-x", "PgDn") and per-pane key maps. */
#ifndef LAB_KEYS_H
#define LAB_KEYS_H

#include <curses.h>
#include <stddef.h>

/* Alt+key: curses gives ESC then the key; the loop folds them into one code. */
#define KEY_META(k) (0x10000 + (k))

/* The code of a key name, or -1 when the name is not a key. */
int keyname_parse(const char *name);
/* The name of a code, written into buf. */
const char *keyname_of(int code, char *buf, size_t cap);

/* Key code -> action index, for one pane. Small, so a linear scan. */
#define KEYMAP_MAX 96
typedef struct keymap {
    int n;
    int code[KEYMAP_MAX];
    int action[KEYMAP_MAX];
} keymap;

void keymap_init(keymap *m);
/* The action bound to code, or -1. */
int keymap_lookup(const keymap *m, int code);
/* Bind code to action (replacing what it did). */
void keymap_set(keymap *m, int code, int action);
/* The first key bound to action, or -1. */
int keymap_key_of(const keymap *m, int action);

#endif
