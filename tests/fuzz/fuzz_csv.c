/* fuzz_csv.c - libFuzzer harness for rt_load_csv (Kaggle digit-recognizer
 * style CSV, any number of pixel columns).  The input is the file as is (classes = 10); the file is
 * /tmp/seqc-fuzz-PID-csv, removed after every input.  Run with a -max_len
 * of tens of KB: a valid header alone is ~6 KB (label,pixel0..pixel783). */
#define _POSIX_C_SOURCE 200809L
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_dataset d;
    char err[512];
    const int classes = 10;

    fz_write(path, data, size);
    memset(&d, 0xA5, sizeof d);
    err[0] = 0;
    int rc = rt_load_csv(path, classes, &d, err, sizeof err);
    fz_report(rc, err);
    if (rc == 0 && d.rank != 1)   /* CSV rows are flat: [K], K from the header */
        abort();
    fz_check_dataset(rc, &d, err, classes, 0);
    rt_dataset_free(&d);
    unlink(path);
    return 0;
}
