/* peak.c - single-precision FMA throughput probe.
 *
 * Measures the register-resident FMA peak of this machine: every thread runs
 * NACC independent accumulator chains  acc = acc * m + c  on the widest vector
 * type the compiler targets (16 floats with AVX-512, 8 with AVX2, 4 otherwise).
 * NACC independent chains cover the FMA latency (4 cycles x 2 pipes on Zen 4
 * needs >= 8; we use 16).  No memory traffic happens inside the timed loop.
 *
 * FLOP accounting: one FMA lane = 2 FLOP.
 *
 * Build:  gcc -O2 -march=native -fopenmp -o bench/peak bench/peak.c
 * Run:    bench/peak            -> peak_gflops_1t=<x> peak_gflops_nt=<y> threads=<n>
 * Env:    PEAK_REPEATS (default 7) timed repeats, median reported;
 *         PEAK_ITERS   (default 20000000) loop iterations per thread per repeat.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__AVX512F__)
#define VW 16
#elif defined(__AVX__)
#define VW 8
#else
#define VW 4
#endif
#define NACC 16

typedef float vf __attribute__((vector_size(VW * sizeof(float))));

/* Runs iters x NACC vector FMAs; returns a value depending on all
 * accumulators so the compiler cannot drop the work. */
static __attribute__((noinline)) float fma_kernel(long iters, float seed) {
    vf m, c;
    for (int l = 0; l < VW; l++) {
        m[l] = 0.9999999f;
        c[l] = 1e-7f * (float)(l + 1);
    }
    vf a0 = m * seed, a1 = a0 + c, a2 = a1 + c, a3 = a2 + c;
    vf a4 = a3 + c, a5 = a4 + c, a6 = a5 + c, a7 = a6 + c;
    vf a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
    vf a12 = a11 + c, a13 = a12 + c, a14 = a13 + c, a15 = a14 + c;
    for (long i = 0; i < iters; i++) {
        /* 16 independent chains; -march=native contracts each to one FMA. */
        a0 = a0 * m + c;   a1 = a1 * m + c;   a2 = a2 * m + c;   a3 = a3 * m + c;
        a4 = a4 * m + c;   a5 = a5 * m + c;   a6 = a6 * m + c;   a7 = a7 * m + c;
        a8 = a8 * m + c;   a9 = a9 * m + c;   a10 = a10 * m + c; a11 = a11 * m + c;
        a12 = a12 * m + c; a13 = a13 * m + c; a14 = a14 * m + c; a15 = a15 * m + c;
        /* Keep the loop honest: the accumulators must live in registers and
         * the compiler may not hoist or collapse the chains. */
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3),
                              "+v"(a4), "+v"(a5), "+v"(a6), "+v"(a7));
        __asm__ volatile("" : "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11),
                              "+v"(a12), "+v"(a13), "+v"(a14), "+v"(a15));
    }
    vf s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) +
           ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
    float r = 0;
    for (int l = 0; l < VW; l++) r += s[l];
    return r;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile float sink;

/* Median GFLOP/s over `repeats` timed runs with `nt` threads. */
static double measure(int nt, long iters, int repeats) {
    double *g = malloc(sizeof(double) * (size_t)repeats);
    double flop = 2.0 * VW * NACC * (double)iters * nt;
    for (int r = -1; r < repeats; r++) {       /* r == -1: warm-up, untimed */
        double t0 = 0, t1 = 0;
        float acc = 0;
#pragma omp parallel num_threads(nt) reduction(+ : acc)
        {
#pragma omp barrier
#pragma omp single
            t0 = omp_get_wtime();
            /* implicit barrier after single: all threads start together */
            acc += fma_kernel(r < 0 ? iters / 4 : iters, 1.0f + omp_get_thread_num());
        }
        t1 = omp_get_wtime();                  /* join = slowest thread done */
        sink = acc;
        if (r >= 0) g[r] = flop / (t1 - t0) * 1e-9;
    }
    qsort(g, (size_t)repeats, sizeof(double), cmp_double);
    double med = g[repeats / 2];
    free(g);
    return med;
}

int main(void) {
    const char *e;
    int repeats = (e = getenv("PEAK_REPEATS")) ? atoi(e) : 7;
    long iters = (e = getenv("PEAK_ITERS")) ? atol(e) : 20000000L;
    if (repeats < 1) repeats = 1;
    if (iters < 1000) iters = 1000;
    int nt = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1) nt = 1;
    double g1 = measure(1, iters, repeats);
    double gn = measure(nt, iters, repeats);
    printf("peak_gflops_1t=%.1f peak_gflops_nt=%.1f threads=%d\n", g1, gn, nt);
    return 0;
}
