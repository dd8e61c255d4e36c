/* blas.h — the BLAS and LAPACK routines engine/learn calls (private).
 *
 * Declared here from the reference Fortran interface instead of through
 * lapacke.h, so that any LAPACK works (OpenBLAS, the reference one, MKL)
 * without a C wrapper library. Fortran passes every argument by pointer and
 * matrices column-major; gfortran adds a hidden length argument after the
 * others for every character argument, which these prototypes declare so the
 * calls follow the real ABI. */
#ifndef LAB_BLAS_H
#define LAB_BLAS_H

#include <stddef.h>

/* The library is loaded on first use (blas.c), not linked: OpenBLAS starts
 * its threads when it is loaded, and they spin for ~0.1 s of CPU, which
 * every `lab` command would pay even when it does no numerics. The names
 * below are lab's forwarding functions; the call sites keep Fortran's. */
#define dgemm_ lab_dgemm_
#define dgemv_ lab_dgemv_
#define dsyrk_ lab_dsyrk_
#define dpotrf_ lab_dpotrf_
#define dpotrs_ lab_dpotrs_
#define dgelsy_ lab_dgelsy_
#define dgesdd_ lab_dgesdd_

typedef size_t flen; /* gfortran's hidden character length */

/* C = alpha op(A) op(B) + beta C */
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
            const int *ldc, flen, flen);
/* y = alpha op(A) x + beta y */
void dgemv_(const char *t, const int *m, const int *n, const double *alpha, const double *a, const int *lda,
            const double *x, const int *incx, const double *beta, double *y, const int *incy, flen);
/* C = alpha A^T A + beta C (trans "T"), upper or lower triangle */
void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha, const double *a,
            const int *lda, const double *beta, double *c, const int *ldc, flen, flen);
/* Cholesky factor and solve */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, flen);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
             const int *ldb, int *info, flen);
/* Least squares by QR with column pivoting (rank-revealing, minimum norm) */
void dgelsy_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
             int *jpvt, const double *rcond, int *rank, double *work, const int *lwork, int *info);
/* Singular value decomposition by divide and conquer: A = U diag(S) VT */
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u,
             const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork, int *info, flen);

#endif
