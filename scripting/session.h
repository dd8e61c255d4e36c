/* session.h — evaluating a chunk of typed Lua as the REPL and the workbench do.
 *
 * One implementation of lua.c's rules for both hosts: try `return <chunk>`,
 * else the chunk as statements; a syntax error at <eof> means "not finished";
 * errors come with a traceback; a trailing ';' hides the result and `_` holds
 * the last one; Ctrl-C (SIGINT) while the chunk runs stops it at its next
 * instruction and raises lab_interrupt for long engine loops. The host says
 * where results, errors and the wall time go. */
#ifndef LAB_SESSION_H
#define LAB_SESSION_H

#include "lab_lua.h"

typedef struct session_out {
    void (*result)(void *ud, const char *text); /* a pretty-printed result line(s) */
    void (*error)(void *ud, const char *msg);   /* an error with its traceback */
    void (*timing)(void *ud, double seconds);   /* after every chunk that ran */
    /* called with each chunk that ran and whether it failed (the journal) */
    void (*ran)(void *ud, const char *chunk, int failed, double seconds);
    void *ud;
    int color; /* ANSI colours in results */
} session_out;

typedef enum { SESSION_DONE, SESSION_INCOMPLETE } session_status;

/* Evaluate chunk. final: the chunk can get no more lines (report an
 * unfinished chunk as the syntax error it is). */
session_status session_eval(lua_State *L, const char *chunk, int final, const session_out *out);

/* 1 when the last chunk was stopped by Ctrl-C (cleared by the next eval). */
int session_interrupted(void);

/* The SIGINT handler a host installs while no chunk runs: it only records
 * the signal, which session_take_sigint() then reports once. */
void session_on_sigint_idle(int sig);
int session_take_sigint(void);
void session_set_sigint(void (*fn)(int));

#endif
