// Standalone sgemm benchmark for the fast paths' shapes, over any BLAS loaded at run time, so that
// OpenBLAS (each core type), BLIS, oneDNN and MKL run the same code in one process kind:
//
//   cc -O2 -o bench_gemm tools/bench_gemm.c -ldl -lm
//   ./bench_gemm LIBRARY [cblas|dnnl|fortran] [THREADS] [REPEAT]
//
// LIBRARY is a shared library exporting cblas_sgemm (cblas), dnnl_sgemm (dnnl, row-major
// interface) or only the Fortran sgemm_ (fortran: PyTorch's libtorch_cpu.so, which carries MKL). Threads are set through the library's own call when it has one
// (openblas_set_num_threads, bli_thread_set_num_threads, MKL_Set_Num_Threads, omp_set_num_threads)
// and through the environment by tools/bench_blas.sh. Prints one line per shape: the median of
// REPEAT runs after 3 warm-up runs, in ms and GFLOP/s, then the sums for H1's three GEMMs and
// T2's eight. Row-major throughout, the layouts FastArcFaceHead and FastMLPTrainer use.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*cblas_sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                              float *, int);
typedef void (*fortran_sgemm_t)(const char *, const char *, const int *, const int *, const int *, const float *,
                                const float *, const int *, const float *, const int *, const float *, float *,
                                const int *);
typedef int (*dnnl_sgemm_t)(char, char, int64_t, int64_t, int64_t, float, const float *, int64_t, const float *,
                            int64_t, float, float *, int64_t);
enum { RowMajor = 101, NoTrans = 111, Trans = 112 };

static cblas_sgemm_t cblas;
static dnnl_sgemm_t dnnl;
static fortran_sgemm_t fortran;

static void sgemm(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
                  float *c, int ldc) {
    if (fortran) {
        // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
        float one = 1.0f;
        fortran(tb ? "T" : "N", ta ? "T" : "N", &n, &m, &k, &one, b, &ldb, a, &lda, &beta, c, &ldc);
    } else if (dnnl)
        dnnl(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
    else
        cblas(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct { const char *name; int ta, tb, m, n, k; } Shape;

static float *buffer(size_t n) {
    float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
    for (size_t i = 0; i < n; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

static double run(const Shape *s, int repeat) {
    // op(A) is m x k, op(B) k x n; stored row-major with the transposes as given.
    int lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
    float *a = buffer((size_t)s->m * s->k), *b = buffer((size_t)s->k * s->n), *c = buffer((size_t)s->m * s->n);
    double *ts = malloc(sizeof(double) * repeat);
    for (int i = 0; i < 3; i++) sgemm(s->ta, s->tb, s->m, s->n, s->k, a, lda, b, ldb, 0, c, s->n);
    for (int i = 0; i < repeat; i++) {
        double t0 = now();
        sgemm(s->ta, s->tb, s->m, s->n, s->k, a, lda, b, ldb, 0, c, s->n);
        ts[i] = now() - t0;
    }
    qsort(ts, repeat, sizeof(double), cmp);
    double med = repeat % 2 ? ts[repeat / 2] : (ts[repeat / 2 - 1] + ts[repeat / 2]) / 2;
    free(a); free(b); free(c); free(ts);
    return med;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s LIBRARY [cblas|dnnl|fortran] [THREADS] [REPEAT]\n", argv[0]); return 2; }
    const char *kind = argc > 2 ? argv[2] : "cblas";
    int threads = argc > 3 ? atoi(argv[3]) : 1, repeat = argc > 4 ? atoi(argv[4]) : 25;
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    if (!strcmp(kind, "dnnl")) dnnl = (dnnl_sgemm_t)dlsym(lib, "dnnl_sgemm");
    else if (!strcmp(kind, "fortran")) fortran = (fortran_sgemm_t)dlsym(lib, "sgemm_");
    else cblas = (cblas_sgemm_t)dlsym(lib, "cblas_sgemm");
    if (!cblas && !dnnl && !fortran) { fprintf(stderr, "no %s sgemm in %s\n", kind, argv[1]); return 1; }
    void (*set)(int);
    if ((set = (void (*)(int))dlsym(lib, "openblas_set_num_threads"))) set(threads);
    if ((set = (void (*)(int))dlsym(lib, "bli_thread_set_num_threads"))) set(threads);
    if ((set = (void (*)(int))dlsym(lib, "MKL_Set_Num_Threads"))) set(threads);
    if ((set = (void (*)(int))dlsym(lib, "MKL_Set_Num_Threads_Local"))) set(threads);
    if ((set = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads"))) set(threads);
    const char *(*corename)(void) = (const char *(*)(void))dlsym(lib, "openblas_get_corename");
    if (corename) printf("openblas core %s\n", corename());
    const char *(*archstr)(int) = (const char *(*)(int))dlsym(lib, "bli_arch_string");
    int (*archid)(void) = (int (*)(void))dlsym(lib, "bli_arch_query_id");
    if (archstr && archid) printf("blis arch %s\n", archstr(archid()));

    // H1: B=128, E=512, C=10000 (the three GEMMs of forward+backward, as FastArcFaceHead.gemmsOnly),
    // and one block of the fused head (1024 columns); T2: batch 256, Linear(32,128),
    // Linear(128,128), head E=128, C=1000 (FastMLPTrainer.gemmsOnly's eight).
    const Shape shapes[] = {
        {"H1 emb@K        128x10000x512 NN", 0, 0, 128, 10000, 512},
        {"H1 G@K^T        128x512x10000 NT", 0, 1, 128, 512, 10000},
        {"H1 emb^T@G      512x10000x128 TN", 1, 0, 512, 10000, 128},
        {"H1blk emb@K     128x1024x512 NN", 0, 0, 128, 1024, 512},
        {"H1blk G@K^T     128x512x1024 NT", 0, 1, 128, 512, 1024},
        {"H1blk emb^T@G   512x1024x128 TN", 1, 0, 512, 1024, 128},
        {"T2 x@W1^T       256x128x32 NT", 0, 1, 256, 128, 32},
        {"T2 a@W2^T       256x128x128 NT", 0, 1, 256, 128, 128},
        {"T2 emb@K        256x1000x128 NN", 0, 0, 256, 1000, 128},
        {"T2 emb^T@G      128x1000x256 TN", 1, 0, 128, 1000, 256},
        {"T2 G@K^T        256x128x1000 NT", 0, 1, 256, 128, 1000},
        {"T2 dY^T@a       128x128x256 TN", 1, 0, 128, 128, 256},
        {"T2 dY@W2        256x128x128 NN", 0, 0, 256, 128, 128},
        {"T2 dA^T@x       128x32x256 TN", 1, 0, 128, 32, 256},
    };
    int n = sizeof shapes / sizeof *shapes;
    double h1 = 0, h1f = 0, blk = 0, blkf = 0, t2 = 0, t2f = 0;
    for (int i = 0; i < n; i++) {
        const Shape *s = &shapes[i];
        int rep = s->m * (double)s->n * s->k > 1e8 ? repeat : repeat * 8;
        double t = run(s, rep), fl = 2.0 * s->m * s->n * s->k;
        printf("%-36s %9.3f ms %7.1f GFLOP/s\n", s->name, t * 1e3, fl / t / 1e9);
        if (i < 3) { h1 += t; h1f += fl; } else if (i < 6) { blk += t; blkf += fl; } else { t2 += t; t2f += fl; }
    }
    printf("%-36s %9.3f ms %7.1f GFLOP/s\n", "H1 three GEMMs", h1 * 1e3, h1f / h1 / 1e9);
    printf("%-36s %9.3f ms %7.1f GFLOP/s\n", "H1 one block's three", blk * 1e3, blkf / blk / 1e9);
    printf("%-36s %9.3f ms %7.1f GFLOP/s  (%.0f steps/s)\n", "T2 eight GEMMs", t2 * 1e3, t2f / t2 / 1e9, 1 / t2);
    return 0;
}
