/* fuzz_idx.c - libFuzzer harness for rt_load_idx_pair (raw IDX files of any
 * rank, unsigned byte or big-endian float32 samples).
 *
 * Input layout:  byte 0      classes (0 means 256)
 *                bytes 1-2   split point s (little-endian, taken mod len+1)
 *                bytes 3..   payload: [0, s) -> images file, [s, len) -> labels
 * The seeds in corpus/fuzz_idx/ are valid and near-valid IDX pairs in this
 * layout (see tests/fuzz/mkcorpus.sh). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/data.h"
#include "fuzz_data.h"
#include "fuzz_util.h"

static char ipath[128], lpath[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_path(ipath, sizeof ipath, "idx-images");
    fz_path(lpath, sizeof lpath, "idx-labels");
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

    fz_write(ipath, p, split);
    fz_write(lpath, p + split, len - split);
    memset(&d, 0xA5, sizeof d); /* the loader must not rely on *out being zeroed */
    err[0] = 0;
    int rc = rt_load_idx_pair(ipath, lpath, classes, &d, err, sizeof err);
    fz_report(rc, err);
    fz_check_dataset(rc, &d, err, classes, 1);
    rt_dataset_free(&d);
    unlink(ipath);
    unlink(lpath);
    return 0;
}
