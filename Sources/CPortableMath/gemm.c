// Matrix products with one fixed summation order: C[i][j] = sum over p = 0, 1, ..., k-1 of
// A[i][p] B[p][j], accumulated in the element type from zero, whatever the tiling, the vector
// width the compiler picks for the lanes (each lane is one element of C) or the rows a thread takes.
// OpenBLAS sums in an order that depends on its kernel (Prescott, Haswell, SkylakeX...) and so on
// the CPU: lessons use this instead; the fast paths (ArcFaceKitFast) keep OpenBLAS.

#include <stdlib.h>
#include "cportablemath.h"

enum { MR = 4, NR = 8 };   // a 4 x 8 tile of C in registers

#define T float
#define NAME pm_sgemm
#include "gemm_body.h"
#undef T
#undef NAME

#define T double
#define NAME pm_dgemm
#include "gemm_body.h"
#undef T
#undef NAME
