// See include/ckernels.h. kernels_body.h holds the kernels once; it is included here three times,
// compiled for AVX-512, for AVX2 + FMA and for baseline x86-64, and each exported function calls
// the best version for this CPU, chosen once when the library loads. Vectors are clang's
// ext_vector_type with 16 lanes: one register under AVX-512, two or four otherwise. The C files
// build at -O2 even in debug builds (Package.swift), so tests run the code users run.

#include "ckernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float vf __attribute__((ext_vector_type(16)));
typedef int32_t vi __attribute__((ext_vector_type(16)));
#define LANES 16

#define ATTR __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi2")))
#define NAME(x) x##_avx512
#include "kernels_body.h"
#undef ATTR
#undef NAME

#define ATTR __attribute__((target("avx2,fma,bmi2")))
#define NAME(x) x##_avx2
#include "kernels_body.h"
#undef ATTR
#undef NAME

#define ATTR
#define NAME(x) x##_baseline
#include "kernels_body.h"
#undef ATTR
#undef NAME

enum { ISA_BASELINE, ISA_AVX2, ISA_AVX512 };
static int isa = -1;

static int detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
        && __builtin_cpu_supports("bmi2")) return ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) return ISA_AVX2;
#endif
    return ISA_BASELINE;
}

// Decided before any Swift code can call in; `detect` is idempotent, so a call racing the
// constructor (it cannot, but) would only repeat the same answer.
__attribute__((constructor)) static void choose(void) { isa = detect(); }

#define DISPATCH(name, ...) \
    switch (isa < 0 ? (isa = detect()) : isa) { \
    case ISA_AVX512: return name##_avx512(__VA_ARGS__); \
    case ISA_AVX2: return name##_avx2(__VA_ARGS__); \
    default: return name##_baseline(__VA_ARGS__); \
    }

float afk_scale_max(float *row, const float *inv, ptrdiff_t n) { DISPATCH(afk_scale_max, row, inv, n) }

float afk_exp_shift_sum(const float *in, float *ex, ptrdiff_t n, float s, float shift, int clamp) {
    DISPATCH(afk_exp_shift_sum, in, ex, n, s, shift, clamp)
}

float afk_scale_exp_sum(float *row, const float *inv, float *ex, ptrdiff_t n, float s, float shift, float *largest) {
    DISPATCH(afk_scale_exp_sum, row, inv, ex, n, s, shift, largest)
}

void afk_arcface_gradients(float *row, const float *ex, const float *inv, float *colDot, ptrdiff_t n, float scale) {
    DISPATCH(afk_arcface_gradients, row, ex, inv, colDot, n, scale)
}

void afk_sgd(float *p, const float *grad, float *buf, ptrdiff_t n, float lr, float momentum, float wd, int first) {
    DISPATCH(afk_sgd, p, grad, buf, n, lr, momentum, wd, first)
}

void afk_exp(const float *x, float *y, ptrdiff_t n) { DISPATCH(afk_exp, x, y, n) }

int afk_use_isa(const char *name) {
    int want = strcmp(name, "avx512") == 0 ? ISA_AVX512 : strcmp(name, "avx2") == 0 ? ISA_AVX2
        : strcmp(name, "baseline") == 0 ? ISA_BASELINE : -1;
    if (want < 0 || want > detect()) return 0;
    isa = want;
    return 1;
}

const char *afk_kernel_isa(void) {
    switch (isa < 0 ? (isa = detect()) : isa) {
    case ISA_AVX512: return "avx512";
    case ISA_AVX2: return "avx2";
    default: return "baseline";
    }
}
