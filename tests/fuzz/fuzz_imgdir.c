/* fuzz_imgdir.c - libFuzzer harness for the image-folder loader's decode
 * path: one PNG in a one-class folder through rt_load_imgdir, i.e. libpng
 * with our error handler and size check (rt_image_load_rgba), the channel
 * conversion and bilinear resize (rt_image_keras) and the dataset it builds.
 *
 * Input layout:  byte 0      channels: 1, 3 or 4 (byte % 3 selects)
 *                byte 1      target height 1..64 (byte % 64 + 1)
 *                byte 2      target width  1..64
 *                bytes 3..   the file DIR/a/x.png
 * A decoded image must give one sample of [h, w, c], label 0, its values
 * bytes (no resize) or floats in [0, 1] (resized: bilinear never leaves
 * the range of its inputs).  Files: /tmp/seqc-fuzz-PID-img/a/x.png. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/data.h"
#include "fuzz_data.h"
#include "fuzz_util.h"

static char dir[128], sub[160], file[192];

static void cleanup(void)
{
    rmdir(sub);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_path(dir, sizeof dir, "img");
    snprintf(sub, sizeof sub, "%s/a", dir);
    snprintf(file, sizeof file, "%s/x.png", sub);
    if ((mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0) ||
        (mkdir(sub, 0700) != 0 && access(sub, W_OK) != 0)) {
        perror(sub);
        abort();
    }
    atexit(cleanup);
    return 0;
}

static void check_sample(const rt_dataset *d, int h, int w, int c)
{
    if (d->n != 1 || d->rank != 3 || d->dims[0] != h || d->dims[1] != w || d->dims[2] != c ||
        d->y[0] != 0)
        abort();
    for (long i = 0; d->xf && i < d->size; i++)
        if (!(d->xf[i] >= 0.0f && d->xf[i] <= 1.0f))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int channels[3] = {1, 3, 4};
    rt_dataset d;
    char err[512];

    if (size < 3)
        return 0;
    int c = channels[data[0] % 3], h = data[1] % 64 + 1, w = data[2] % 64 + 1;

    fz_write(file, data + 3, size - 3);
    memset(&d, 0xA5, sizeof d);
    err[0] = 0;
    int rc = rt_load_imgdir(dir, 1, h, w, c, 0, &d, NULL, err, sizeof err);
    fz_report(rc, err);
    fz_check_dataset(rc, &d, err, 1, 1);
    if (rc == 0)
        check_sample(&d, h, w, c);
    rt_dataset_free(&d);
    unlink(file);
    return 0;
}
