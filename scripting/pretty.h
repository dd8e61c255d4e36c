/* pretty.h — the result printer shared by the REPL and notebooks. */
#ifndef LAB_PRETTY_H
#define LAB_PRETTY_H

#include "lab_lua.h"

typedef struct pretty_opts {
    int color; /* ANSI colours */
    int depth; /* nesting shown before "{…}" (default 4) */
    int items; /* items of one table shown before "… N more" (default 40) */
} pretty_opts;

/* Push the text of the value at idx: a string prints as itself at the top
 * level and quoted inside tables; frames, columns and other lab objects as
 * their __tostring; plain tables recursively (array part in order, other keys
 * sorted, cycles and depth cut short). o may be NULL for the defaults. */
void lab_pretty(lua_State *L, int idx, const pretty_opts *o);

#endif
