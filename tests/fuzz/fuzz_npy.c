/* fuzz_npy.c - libFuzzer harness for rt_load_npy_pair (NumPy .npy files:
 * the header dict parser, dtypes, shapes against the bytes, labels).
 *
 * Input layout:  byte 0      classes (0 means 256)
 *                bytes 1-2   split point s (little-endian, taken mod len+1)
 *                bytes 3..   payload: [0, s) -> x.npy, [s, len) -> y.npy
 * The seeds in corpus/fuzz_npy/ are valid and near-valid pairs in this
 * layout (see tests/fuzz/mkcorpus.py). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/data.h"
#include "fuzz_data.h"
#include "fuzz_util.h"

static char xpath[128], ypath[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_path(xpath, sizeof xpath, "x.npy");
    fz_path(ypath, sizeof ypath, "y.npy");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_dataset d;
    char err[512];

    if (size < 3)
        return 0;
    int classes = data[0] ? data[0] : 256;
    const uint8_t *p = data + 3;
    size_t len = size - 3, split = fz_u16(data + 1) % (len + 1);

    fz_write(xpath, p, split);
    fz_write(ypath, p + split, len - split);
    memset(&d, 0xA5, sizeof d); /* the loader must not rely on *out being zeroed */
    err[0] = 0;
    int rc = rt_load_npy_pair(xpath, ypath, classes, &d, err, sizeof err);
    fz_report(rc, err);
    fz_check_dataset(rc, &d, err, classes, 1);
    rt_dataset_free(&d);
    unlink(xpath);
    unlink(ypath);
    return 0;
}
