/* fuzz_gz.c - libFuzzer harness for the gzip path of the IDX loaders, through
 * rt_load_mnist_dir (which also exercises its raw-then-.gz file lookup).
 *
 * Input layout:  byte 0      mode: bit 0 images, bit 1 labels:
 *                              set   = the harness gzip-compresses that half
 *                                      (gzopen "wb", level from bits 3-4), so
 *                                      the IDX structure behind gzip is fuzzed;
 *                              clear = the half is written to the .gz file
 *                                      as is, so corrupt, truncated and
 *                                      multi-member gzip streams (and plain
 *                                      bytes in a .gz name) are fuzzed;
 *                            bit 2: 0 = train-*, 1 = t10k-* (which = 1)
 *                byte 1      classes (0 means 256)
 *                bytes 2-3   split point (little-endian, mod payload len + 1)
 *                bytes 4..   payload: [0, s) images, [s, len) labels
 * Files: /tmp/seqc-fuzz-PID-gz/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz,
 * removed after every input. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../runtime/data.h"
#include "fuzz_data.h"
#include "fuzz_util.h"

static char dir[128];

static void cleanup(void) { rmdir(dir); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_workdir(dir, sizeof dir, "gz");
    atexit(cleanup);
    return 0;
}

static void write_gz(const char *path, const uint8_t *p, size_t n, int level)
{
    static const char *const modes[4] = {"wb0", "wb1", "wb6", "wb9"};
    gzFile f = gzopen(path, modes[level & 3]);
    if (!f || (n && gzwrite(f, p, (unsigned)n) != (int)n) || gzclose(f) != Z_OK) {
        perror(path);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_dataset d;
    char err[512], ipath[256], lpath[256];

    if (size < 4)
        return 0;
    int mode = data[0], which = (mode >> 2) & 1, level = (mode >> 3) & 3;
    int classes = data[1] ? data[1] : 256;
    const uint8_t *p = data + 4;
    size_t len = size - 4, split = fz_u16(data + 2) % (len + 1);
    const char *set = which ? "t10k" : "train";

    snprintf(ipath, sizeof ipath, "%s/%s-images-idx3-ubyte.gz", dir, set);
    snprintf(lpath, sizeof lpath, "%s/%s-labels-idx1-ubyte.gz", dir, set);
    if (mode & 1)
        write_gz(ipath, p, split, level);
    else
        fz_write(ipath, p, split);
    if (mode & 2)
        write_gz(lpath, p + split, len - split, level);
    else
        fz_write(lpath, p + split, len - split);

    memset(&d, 0xA5, sizeof d);
    err[0] = 0;
    int rc = rt_load_mnist_dir(dir, which, classes, &d, err, sizeof err);
    fz_report(rc, err);
    fz_check_dataset(rc, &d, err, classes, 1);
    rt_dataset_free(&d);
    unlink(ipath);
    unlink(lpath);
    return 0;
}
