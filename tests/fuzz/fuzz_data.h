/* fuzz_data.h - the loaders' promises (runtime/data.h), checked after every
 * input by the IDX, gzip, CSV, .npy and image-folder harnesses: on success
 * a consistent shape (rank 0..RT_MAX_RANK, positive dims whose product is
 * size, the picture plane h x w dividing it), exactly one of pix and xf
 * holding n*size values that really are there (ASan reads them all), floats
 * finite, every label in [0, classes), labels required unless unlabeled
 * CSV, and the source named; on error *out empty and a message written. */
#ifndef SEQC_FUZZ_DATA_H
#define SEQC_FUZZ_DATA_H

#include <math.h>
#include <stdlib.h>

#include "../../runtime/data.h"

static void fz_check_shape(const rt_dataset *d)
{
    long size = 1;
    if (d->rank < 0 || d->rank > RT_MAX_RANK)
        abort();
    for (int i = 0; i < RT_MAX_RANK; i++) {
        if (i < d->rank && d->dims[i] < 1)
            abort();
        size *= i < d->rank ? d->dims[i] : 1;
    }
    if (size != d->size || d->size < 1 || d->h < 1 || d->w < 1 ||
        d->size % ((long)d->h * d->w) != 0)
        abort();
}

static void fz_check_dataset(int rc, const rt_dataset *d, const char *err, int classes,
                             int need_labels)
{
    if (rc != 0) {
        if (d->n || d->pix || d->xf || d->y || d->src || !err[0])
            abort();
        return;
    }
    if (d->n < 1 || !d->src || !d->pix == !d->xf || (need_labels && !d->y))
        abort();
    fz_check_shape(d);
    size_t nval = (size_t)d->n * (size_t)d->size;
    volatile unsigned sum = 0;
    for (size_t i = 0; i < nval; i++) {
        if (d->xf && !isfinite(d->xf[i]))
            abort();
        sum += d->pix ? d->pix[i] : (unsigned)(d->xf[i] != 0);
    }
    (void)sum;
    for (int i = 0; d->y && i < d->n; i++)
        if (d->y[i] < 0 || d->y[i] >= classes)
            abort();
}

#endif
