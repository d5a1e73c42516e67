// Element-wise kernels of ArcFaceKit's fast paths (FastArcFaceHead, FastMLPTrainer), in C so that
// each is compiled several times, for AVX-512, AVX2+FMA and baseline x86-64 (target_clones), and
// the loader picks the best the CPU has. The Swift library itself builds for baseline x86-64 only,
// where its SIMD code runs on 4-lane SSE without FMA.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

/// row[c] *= inv[c] for c in [0, n); returns the largest new value (-inf for n = 0).
float afk_scale_max(float *row, const float *inv, ptrdiff_t n);

/// x = row[c] * inv[c] written back, ex[c] = exp(s * clamp(x, -1, 1) - shift), for c in [0, n);
/// returns the sum of ex and raises *largest to the largest ex if larger.
float afk_scale_exp_sum(float *row, const float *inv, float *ex, ptrdiff_t n, float s, float shift, float *largest);

/// ex[c] = exp(s * x - shift) for c in [0, n), where x = in[c], clamped to [-1, 1] if clamp is
/// non-zero; returns the sum of ex. Arguments below -87 give exactly 0 (as far as a sum can tell).
/// in and ex may be the same array.
float afk_exp_shift_sum(const float *in, float *ex, ptrdiff_t n, float s, float shift, int clamp);

/// For c in [0, n): g = ex[c] * scale * inv[c] where -1 < row[c] < 1, else 0; colDot[c] += g *
/// row[c]; row[c] = g.
void afk_arcface_gradients(float *row, const float *ex, const float *inv, float *colDot, ptrdiff_t n, float scale);

/// torch.optim.SGD's update (dampening 0, no Nesterov), with fused multiply-adds as ArcFaceKit's
/// SGD: g = fma(wd, p, grad); momentum == 0: p = fma(-lr, g, p); first step: buf = g; else
/// buf = fma(1, g, buf * momentum); p = fma(-lr, buf, p).
void afk_sgd(float *p, const float *grad, float *buf, ptrdiff_t n, float lr, float momentum, float wd, int first);

/// The exp of afk_exp_shift_sum on each element (for tests).
void afk_exp(const float *x, float *y, ptrdiff_t n);

/// The instruction set the kernels run with: "avx512", "avx2" or "baseline" (the best this CPU
/// has, unless afk_use_isa chose another).
const char *afk_kernel_isa(void);

/// Runs the kernels with the given instruction set ("avx512", "avx2", "baseline"; for tests of
/// every version on one machine). Returns 0, changing nothing, if this CPU lacks it.
int afk_use_isa(const char *name);

/// Runs fn(ctx, 0) ... fn(ctx, parts - 1), in parallel on the caller and parts - 1 helper threads
/// (started once, kept spinning for 0.2 ms after each job, then sleeping), and returns when all are
/// done. Each part is claimed by whichever thread comes first (the caller takes those a descheduled
/// helper has not started), so a part must not depend on the thread that runs it. One job at a time: if the pool is busy, the caller runs every part itself, in order.
void afk_parallel(int parts, void (*fn)(void *ctx, int part), void *ctx);

#endif
