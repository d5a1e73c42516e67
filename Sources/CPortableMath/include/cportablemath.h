// Portable numerics for ArcFaceKit's composed ops: elementary functions and matrix products whose
// every bit is fixed by this source, not by the machine's libm, BLAS, CPU features or core count.
// Compiled with -ffp-contract=off (no fused multiply-add anywhere) and only basic IEEE-754 double
// operations (+ - * / sqrt, exact conversions), which give the same result on every conforming CPU.
#ifndef CPORTABLEMATH_H
#define CPORTABLEMATH_H

#ifdef __cplusplus
extern "C" {
#endif

// Double precision, about 1 ulp (measured in Tests/ArcFaceKitTests/PortableMathTests.swift).
double pm_exp(double x);
double pm_expm1(double x);
double pm_log(double x);
double pm_log1p(double x);
double pm_log2(double x);
double pm_log10(double x);
double pm_pow(double x, double y);
double pm_sin(double x);
double pm_cos(double x);
double pm_tan(double x);
double pm_asin(double x);
double pm_acos(double x);
double pm_atan(double x);
double pm_atan2(double y, double x);
double pm_sinh(double x);
double pm_cosh(double x);
double pm_tanh(double x);

// C = alpha * op(A) op(B) + beta * C for rows [row_begin, row_end) of C, row-major. Each element of
// C is one sum over k in index order (p = 0, 1, ..., k-1) started from zero, in the element type:
// vector width, tiling and the split of rows over threads cannot change a bit. beta == 0 ignores C.
void pm_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
              const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
              long row_begin, long row_end);
void pm_dgemm(int trans_a, int trans_b, long m, long n, long k, double alpha,
              const double *a, long lda, const double *b, long ldb, double beta, double *c, long ldc,
              long row_begin, long row_end);

#ifdef __cplusplus
}
#endif
#endif
