/* latency.c - single-image latency of an exported model (NAME_model.c):
 * every test image once, timed one by one; prints the median and p90 in
 * microseconds.  Build: cc -O3 -march=native -ffp-contract=fast
 *   -DEXPORT_HEADER='"seed_model.h"' -DPREDICT=seed_predict_u8
 *   bench/latency.c out/seed_model.c runtime/data.c runtime/idx.c -Iruntime -Iout -lz -lm */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "data.h"
#include EXPORT_HEADER

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    char err[512];
    rt_dataset te;
    if (argc != 2 || rt_load_mnist_dir(argv[1], 1, 256, &te, err, sizeof err)) {
        fprintf(stderr, "%s\n", argc != 2 ? "usage: latency DATA_DIR" : err);
        return 1;
    }
    double *us = malloc(sizeof(double) * (size_t)te.n);
    float probs[64];
    long sink = 0;
    for (int i = 0; i < te.n && i < 50; i++)   /* warm the caches */
        sink += PREDICT(te.pix + (long)i * te.h * te.w, probs);
    for (int i = 0; i < te.n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        sink += PREDICT(te.pix + (long)i * te.h * te.w, probs);
        clock_gettime(CLOCK_MONOTONIC, &b);
        us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    }
    qsort(us, (size_t)te.n, sizeof *us, cmp);
    printf("latency_us_median=%.1f latency_us_p90=%.1f images=%d (checksum %ld)\n",
           us[te.n / 2], us[te.n * 9 / 10], te.n, sink);
    free(us);
    rt_dataset_free(&te);
    return 0;
}
