// A fork-join pool for the fast paths: helpers spin for a short while after each job (so that the
// next job of a training step starts within a microsecond, where waking a Dispatch worker takes
// tens of microseconds), then sleep on a condition variable. The caller runs parts too, and takes
// any part no helper has started. One job at a time: a caller that finds the pool busy (another
// thread, or a job calling in again) runs all parts itself.

#include "ckernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define PAUSE() _mm_pause()
#else
#define PAUSE() ((void)0)
#endif

enum { MAX_HELPERS = 15, SPIN_NS = 200000, CALLER_SPIN_NS = 20000 };

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;    // held by the caller running a job
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int helpers;                                          // started so far (under busy)
// The current job as one word: generation (32 bits, bumped per job) | parts (16) | next part to
// claim (16). Parts are claimed, by the caller and the helpers alike, with a compare-and-swap that
// only succeeds on the current job: on a busy machine a helper that is not running when a job
// starts leaves its part to the caller instead of stalling the step until it is scheduled. Part k
// always covers the same work, whoever runs it, so results do not depend on the claiming.
static _Atomic uint64_t job;
static _Atomic int sleepers;
static _Atomic int remaining;                                // parts not finished yet
static void (*job_fn)(void *, int);
static void *job_ctx;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t generation_of(uint64_t w) { return (uint32_t)(w >> 32); }

/// Claims and runs parts of job generation g until none is left (none at all if the job moved on).
static void run_parts(uint32_t g) {
    uint64_t w = atomic_load_explicit(&job, memory_order_acquire);
    for (;;) {
        if (generation_of(w) != g) return;
        int parts = (int)((w >> 16) & 0xffff), next = (int)(w & 0xffff);
        if (next >= parts) return;
        if (!atomic_compare_exchange_weak_explicit(&job, &w, w + 1, memory_order_acq_rel, memory_order_acquire)) continue;
        // A claimed part holds the caller (it waits for `remaining`), so job_fn and job_ctx, written
        // before the job was published, are this job's.
        job_fn(job_ctx, next);
        atomic_fetch_sub_explicit(&remaining, 1, memory_order_acq_rel);
        w = atomic_load_explicit(&job, memory_order_acquire);
    }
}

static void *helper_main(void *arg) {
    uint32_t seen = (uint32_t)(uintptr_t)arg;  // the generation current when it was created
    for (;;) {
        uint64_t start = now_ns();
        uint32_t g;
        int spins = 0;
        while ((g = generation_of(atomic_load_explicit(&job, memory_order_acquire))) == seen) {
            PAUSE();
            if (++spins % 256 == 0 && now_ns() - start > SPIN_NS) {
                pthread_mutex_lock(&sleep_lock);
                atomic_fetch_add(&sleepers, 1);
                while (generation_of(atomic_load_explicit(&job, memory_order_acquire)) == seen) pthread_cond_wait(&wake, &sleep_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&sleep_lock);
                start = now_ns();
            }
        }
        seen = g;
        run_parts(g);
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
        uintptr_t arg = (uintptr_t)generation_of(atomic_load(&job));
        if (pthread_create(&t, &attr, helper_main, (void *)arg) != 0) {
            pthread_attr_destroy(&attr);
            break;
        }
        pthread_attr_destroy(&attr);
        helpers++;
    }
    job_fn = fn;
    job_ctx = ctx;
    atomic_store_explicit(&remaining, parts, memory_order_relaxed);
    uint32_t g = generation_of(atomic_load_explicit(&job, memory_order_relaxed)) + 1;
    atomic_store_explicit(&job, ((uint64_t)g << 32) | ((uint64_t)parts << 16), memory_order_release);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_parts(g);
    // Every part is claimed; wait for those a helper runs. If one is taking long (its thread was
    // preempted on a busy machine), give the core away rather than spin against it.
    uint64_t start = 0;
    int spins = 0;
    while (atomic_load_explicit(&remaining, memory_order_acquire) > 0) {
        PAUSE();
        if (++spins % 256 == 0) {
            if (!start) start = now_ns();
            else if (now_ns() - start > CALLER_SPIN_NS) sched_yield();
        }
    }
    pthread_mutex_unlock(&busy);
}
