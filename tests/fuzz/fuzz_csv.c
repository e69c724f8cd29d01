/* fuzz_csv.c - libFuzzer harness for rt_load_csv.  The input is the file as
 * is, loaded twice:
 *   - Kaggle style: label NULL ("label"), classes 10 (pixel or float
 *     features, class labels in y);
 *   - tabular: label "y,z", classes 0 (float targets in yf, 2 per row).
 * The file is /tmp/seqc-fuzz-PID-csv, removed after every input.  Run with
 * a -max_len of tens of KB: a valid Kaggle header alone is ~6 KB
 * (label,pixel0..pixel783). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/data.h"
#include "fuzz_data.h"
#include "fuzz_util.h"

static char path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_path(path, sizeof path, "csv");
    return 0;
}

/* names: one non-empty string per feature then per target; the targets
   named as asked; Kaggle pixels (pix) named pixel0.. in order. */
static void check_names(const rt_dataset *d, const char *const *labels, int nlab)
{
    char want[24];

    if (d->n_names != d->size + nlab || !d->names)
        abort();
    for (int i = 0; i < d->n_names; i++)
        if (!d->names[i] || !d->names[i][0])
            abort();
    for (int j = 0; j < nlab; j++)
        if (strcmp(d->names[d->size + j], labels[j]))
            abort();
    for (long i = 0; d->pix && i < d->size; i++) {
        snprintf(want, sizeof want, "pixel%ld", i);
        if (strcmp(d->names[i], want))
            abort();
    }
}

/* What data.h promises beyond fz_check_dataset: flat rows, targets of the
   kind classes asks for (y for classes > 0, yf [n][2] for "y,z" with
   classes 0), float targets finite, the names. */
static void check_csv(int rc, const rt_dataset *d, int classes)
{
    static const char *const kaggle[] = {"label"}, *const yz[] = {"y", "z"};
    int nlab;

    if (rc != 0) {
        if (d->yf || d->y_dim || d->names || d->n_names)
            abort();
        return;
    }
    if (d->rank != 1)   /* CSV rows are flat: [K], K from the header */
        abort();
    if (classes > 0 ? d->yf || d->y_dim : d->y || (d->yf ? d->y_dim != 2 : d->y_dim != 0))
        abort();
    for (long i = 0; d->yf && i < (long)d->n * d->y_dim; i++)
        if (!isfinite(d->yf[i]))
            abort();
    nlab = d->y ? 1 : d->yf ? 2 : 0;
    check_names(d, classes > 0 ? kaggle : yz, nlab);
}

static void load(const char *label, int classes)
{
    rt_dataset d;
    char err[512];
    int rc;

    memset(&d, 0xA5, sizeof d);
    err[0] = 0;
    rc = rt_load_csv(path, label, classes, &d, err, sizeof err);
    fz_report(rc, err);
    fz_check_dataset(rc, &d, err, classes, 0);
    check_csv(rc, &d, classes);
    rt_dataset_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_write(path, data, size);
    load(NULL, 10);
    load("y,z", 0);
    unlink(path);
    return 0;
}
