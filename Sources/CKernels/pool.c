// A fork-join pool for the fast paths: helpers spin for a short while after each job (so that the
// next job of a training step starts within a microsecond, where waking a Dispatch worker takes
// tens of microseconds), then sleep on a condition variable. One job at a time: a caller that finds
// the pool busy (another thread, or a job calling in again) runs all parts itself.

#include "ckernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define PAUSE() _mm_pause()
#else
#define PAUSE() ((void)0)
#endif

enum { MAX_HELPERS = 15, SPIN_NS = 200000 };

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;    // held by the caller running a job
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int helpers;                                          // started so far (under busy)
static _Atomic uint64_t generation;                          // bumped once per job
static _Atomic int sleepers;
static _Atomic int remaining;                                // helper parts not finished yet
static void (*job_fn)(void *, int);
static void *job_ctx;
static int job_parts;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *helper_main(void *arg) {
    // Runs part index + 1 of each job after the generation current when it was created (the job
    // that created it bumps the generation only after starting it, maybe before it runs).
    int index = (int)((uintptr_t)arg & 0xff);
    uint64_t seen = (uint64_t)((uintptr_t)arg >> 8);
    for (;;) {
        uint64_t start = now_ns();
        uint64_t g;
        int spins = 0;
        while ((g = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
            PAUSE();
            if (++spins % 256 == 0 && now_ns() - start > SPIN_NS) {
                pthread_mutex_lock(&sleep_lock);
                atomic_fetch_add(&sleepers, 1);
                while (atomic_load_explicit(&generation, memory_order_acquire) == seen) pthread_cond_wait(&wake, &sleep_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&sleep_lock);
                start = now_ns();
            }
        }
        seen = g;
        int parts = job_parts;
        void (*fn)(void *, int) = job_fn;
        void *ctx = job_ctx;
        // A helper that is not part of job g may read the next job's fields if the caller moved on;
        // then it must leave them to the next round (a part of job g cannot see them: the caller
        // waits for it).
        if (atomic_load_explicit(&generation, memory_order_acquire) != g) continue;
        if (index + 1 < parts) {
            fn(ctx, index + 1);
            atomic_fetch_sub_explicit(&remaining, 1, memory_order_acq_rel);
        }
    }
    return 0;
}

void afk_parallel(int parts, void (*fn)(void *ctx, int part), void *ctx) {
    if (parts <= 1) { if (parts == 1) fn(ctx, 0); return; }
    if (parts > MAX_HELPERS + 1 || pthread_mutex_trylock(&busy) != 0) {
        for (int k = 0; k < parts; k++) fn(ctx, k);
        return;
    }
    while (helpers < parts - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        uintptr_t arg = (uintptr_t)helpers | ((uintptr_t)atomic_load(&generation) << 8);
        if (pthread_create(&t, &attr, helper_main, (void *)arg) != 0) {
            pthread_attr_destroy(&attr);
            break;
        }
        pthread_attr_destroy(&attr);
        helpers++;
    }
    int used = parts - 1 < helpers ? parts : helpers + 1;
    job_fn = fn;
    job_ctx = ctx;
    job_parts = used;
    atomic_store_explicit(&remaining, used - 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&generation, 1, memory_order_release);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    fn(ctx, 0);
    for (int k = used; k < parts; k++) fn(ctx, k);  // parts the pool could not start threads for
    while (atomic_load_explicit(&remaining, memory_order_acquire) > 0) PAUSE();
    pthread_mutex_unlock(&busy);
}
