/* fuzz_data.h - the loaders' promises (runtime/data.h), checked after every
 * input by the IDX, gzip and CSV harnesses: on success n*h*w pixels really
 * there (ASan reads them all) and every label in [0, classes), labels
 * required unless unlabeled CSV; on error *out empty and a message written. */
#ifndef SEQC_FUZZ_DATA_H
#define SEQC_FUZZ_DATA_H

#include <stdlib.h>

#include "../../runtime/data.h"

static void fz_check_dataset(int rc, const rt_dataset *d, const char *err, int classes,
                             int need_labels)
{
    if (rc != 0) {
        if (d->n || d->pix || d->y || !err[0])
            abort();
        return;
    }
    if (d->n < 1 || d->h < 1 || d->w < 1 || !d->pix || (need_labels && !d->y))
        abort();
    size_t npix = (size_t)d->n * (size_t)d->h * (size_t)d->w;
    volatile unsigned sum = 0;
    for (size_t i = 0; i < npix; i++)
        sum += d->pix[i];
    (void)sum;
    for (int i = 0; d->y && i < d->n; i++)
        if (d->y[i] < 0 || d->y[i] >= classes)
            abort();
}

#endif
