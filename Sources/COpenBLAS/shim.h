#ifndef VITREL_COPENBLAS_SHIM_H
#define VITREL_COPENBLAS_SHIM_H
#include <cblas.h>

/* Debian's OpenBLAS is built without LAPACKE but exports the Fortran LAPACK
   symbols; declare the few routines vitrel uses (column-major, arguments by pointer). */
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, int *info);
void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv,
            double *b, const int *ldb, int *info);
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda,
             double *b, const int *ldb, double *s, const double *rcond, int *rank,
             double *work, const int *lwork, int *iwork, int *info);
#endif
