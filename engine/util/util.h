/* util.h — the few things every engine file needs: memory that never returns
 * NULL, and the error value that engine functions fill instead of printing.
 *
 * Out-of-memory is fatal in exactly one place (xmalloc and friends). A host
 * that owns the terminal installs lab_set_oom_handler() to restore it first. */
#ifndef LAB_UTIL_H
#define LAB_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* An error: one line that names the input and the place (file:line:column,
 * column name, argument). Engine functions return -1 or NULL and fill it. */
typedef struct lab_err {
    char msg[512];
} lab_err;

/* Fill e (which may be NULL) from a printf format; always returns -1 so that
 * `return lab_fail(e, ...)` reads as the failure it is. */
int lab_fail(lab_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Like xmalloc, for large arrays: asks the kernel for huge pages, which cuts
 * the page faults of first touch by up to 512 times. Free with free(). */
void *xmalloc_big(size_t n);
char *xstrndup(const char *s, size_t n);

/* A growable string: zero-initialise ({0}), append, take .s (NUL-terminated,
 * NULL while empty) and free it. */
typedef struct strbuf {
    char *s;
    size_t n, cap;
} strbuf;
void strbuf_add(strbuf *b, const char *s, size_t len);
void strbuf_adds(strbuf *b, const char *s);

/* The whole file at path as a new NUL-terminated string the caller frees;
 * *len gets its length (it may hold NUL bytes). NULL with e = "path:
 * reason" when it cannot be read. */
char *lab_read_file(const char *path, size_t *len, lab_err *e);

/* mkdir -p: make dir and its missing parents. Returns 0, or -1 with e =
 * "folder: cannot create folder: reason" naming the one that failed. */
int lab_make_dirs(const char *dir, lab_err *e);

/* Called before the process dies of out-of-memory or lab_die (for example to
 * restore the terminal). It must not allocate. */
void lab_set_oom_handler(void (*fn)(void));

/* The other fatal path, for an installation fault the engine cannot work
 * around (its numerics library is missing): run the handler above, write
 * "lab: msg" to stderr, abort. */
void lab_die(const char *msg) __attribute__((noreturn));

/* Levenshtein distance, for "did you mean" suggestions. */
size_t lab_edit_distance(const char *a, const char *b);

/* Format a double with the shortest text that reads back (strtod) to the same
 * value. buf must hold at least 32 bytes. Returns the length written. NaN and
 * infinities come out as "nan", "inf" and "-inf". */
int lab_fmt_double(char *buf, double v);

/* Set (from a SIGINT handler, say) to ask long engine loops to stop: they
 * check it now and then and fail with "interrupted". The host clears it. */
extern volatile sig_atomic_t lab_interrupt;

/* Progress of long engine work, for the host to show (the workbench's status
 * line). The host installs one function; engine loops call lab_progress
 * now and then with what they do ("reading data/x.csv") and how far they are.
 * Without a host function it does nothing. Called on the calling thread. */
typedef void (*lab_progress_fn)(const char *what, double done, double total);
void lab_set_progress_hook(lab_progress_fn fn);
void lab_progress(const char *what, double done, double total);

/* Seconds since an arbitrary point, monotonic. */
double lab_now(void);

#endif
