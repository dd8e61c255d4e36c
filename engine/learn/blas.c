/* blas.c — BLAS and LAPACK, loaded on first use.
 *
 * lab does not link its numerics library: it opens it with dlopen the first
 * time a model needs it. OpenBLAS creates its worker threads when it is
 * loaded and they spin waiting for work for about 0.1 s of CPU; linked, that
 * was paid by every `lab` command, `lab runs list` and `lab --version`
 * included, and on a 2-core machine it took a core from the command's own
 * work. Loaded here, only the work that uses it pays, and then it is busy
 * anyway.
 *
 * The library is OpenBLAS (libopenblas.so.0, what `make deps` installs) or,
 * failing that, any LAPACK reachable as liblapack.so.3 (its BLAS comes in as
 * its dependency). Missing both is an installation fault, fatal like running
 * out of memory: the message says what to install. Each forwarding function
 * resolves its routine once; the pointers are set before use under a
 * pthread_once, so threads may call in. */
#include "blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"

static void *lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *const names[] = {"libopenblas.so.0", "liblapack.so.3", NULL};
    for (int i = 0; names[i] && !lib; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
}

/* The routine called name in the library, or a fatal error. */
static void *routine(const char *name) {
    pthread_once(&once, load);
    void *fn = lib ? dlsym(lib, name) : NULL;
    if (!fn) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "cannot load the numerics library (%s: %s); install OpenBLAS (Debian: libopenblas0) or run make deps",
                 name, lib ? "routine missing" : "neither libopenblas.so.0 nor liblapack.so.3 found");
        lab_die(msg);
    }
    return fn;
}

/* Each forwarding function keeps its routine's pointer in a static; the
 * store of a pointer-sized value is atomic on the machines lab runs on, and a
 * second lookup by a racing thread finds the same pointer. */
#define RESOLVE(type, var, name)                                                                                       \
    static type var;                                                                                                   \
    if (!var) var = (type)routine(name)

typedef void (*dgemm_fn)(const char *, const char *, const int *, const int *, const int *, const double *,
                         const double *, const int *, const double *, const int *, const double *, double *,
                         const int *, flen, flen);
void lab_dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
                const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
                const int *ldc, flen la, flen lb) {
    RESOLVE(dgemm_fn, fn, "dgemm_");
    fn(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, la, lb);
}

typedef void (*dgemv_fn)(const char *, const int *, const int *, const double *, const double *, const int *,
                         const double *, const int *, const double *, double *, const int *, flen);
void lab_dgemv_(const char *t, const int *m, const int *n, const double *alpha, const double *a, const int *lda,
                const double *x, const int *incx, const double *beta, double *y, const int *incy, flen lt) {
    RESOLVE(dgemv_fn, fn, "dgemv_");
    fn(t, m, n, alpha, a, lda, x, incx, beta, y, incy, lt);
}

typedef void (*dsyrk_fn)(const char *, const char *, const int *, const int *, const double *, const double *,
                         const int *, const double *, double *, const int *, flen, flen);
void lab_dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha, const double *a,
                const int *lda, const double *beta, double *c, const int *ldc, flen lu, flen lt) {
    RESOLVE(dsyrk_fn, fn, "dsyrk_");
    fn(uplo, trans, n, k, alpha, a, lda, beta, c, ldc, lu, lt);
}

typedef void (*dpotrf_fn)(const char *, const int *, double *, const int *, int *, flen);
void lab_dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, flen lu) {
    RESOLVE(dpotrf_fn, fn, "dpotrf_");
    fn(uplo, n, a, lda, info, lu);
}

typedef void (*dpotrs_fn)(const char *, const int *, const int *, const double *, const int *, double *, const int *,
                          int *, flen);
void lab_dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
                 const int *ldb, int *info, flen lu) {
    RESOLVE(dpotrs_fn, fn, "dpotrs_");
    fn(uplo, n, nrhs, a, lda, b, ldb, info, lu);
}

typedef void (*dgelsy_fn)(const int *, const int *, const int *, double *, const int *, double *, const int *, int *,
                          const double *, int *, double *, const int *, int *);
void lab_dgelsy_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
                 int *jpvt, const double *rcond, int *rank, double *work, const int *lwork, int *info) {
    RESOLVE(dgelsy_fn, fn, "dgelsy_");
    fn(m, n, nrhs, a, lda, b, ldb, jpvt, rcond, rank, work, lwork, info);
}

typedef void (*dgesdd_fn)(const char *, const int *, const int *, double *, const int *, double *, double *,
                          const int *, double *, const int *, double *, const int *, int *, int *, flen);
void lab_dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u,
                 const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork, int *info,
                 flen lj) {
    RESOLVE(dgesdd_fn, fn, "dgesdd_");
    fn(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, lj);
}
