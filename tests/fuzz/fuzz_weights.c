/* fuzz_weights.c - libFuzzer harness for rt_weights_load (SEQCWTS1), built
 * against the model generated from tests/specs/grad/grad_conv.yaml.
 *
 * Input layout:  byte 0 bit 0 clear: bytes 1.. are the file as is (the CRC-32
 *                                    check itself is fuzzed);
 *                             set:   bytes 1.. are the file without its CRC;
 *                                    the harness appends a valid CRC-32 (zlib)
 *                                    so the structural checks behind the CRC
 *                                    (tensor count, ranks, dims, sizes,
 *                                    trailing bytes) get fuzzed too.
 * File: /tmp/seqc-fuzz-PID-weights, removed after every input. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "model.h"
#include "rt.h"
#include "fuzz_util.h"

static char path[128];
static float *params;

static void cleanup(void) { free(params); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_path(path, sizeof path, "weights");
    params = malloc((size_t)MODEL_N_PARAMS * sizeof *params);
    if (!params)
        abort();
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];

    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t len = size - 1;

    if (data[0] & 1) {
        uint8_t *b = malloc(len + 4);
        if (!b)
            abort();
        if (len)
            memcpy(b, p, len);
        uint32_t crc = (uint32_t)crc32(0L, b, (uInt)len);
        for (int i = 0; i < 4; i++)
            b[len + (size_t)i] = (uint8_t)(crc >> (8 * i));
        fz_write(path, b, len + 4);
        free(b);
    } else {
        fz_write(path, p, len);
    }
    err[0] = 0;
    int rc = rt_weights_load(path, params, err, sizeof err);
    fz_report(rc, err);
    if (rc == 0) {
        volatile float sum = 0;   /* touch every parameter */
        for (long i = 0; i < MODEL_N_PARAMS; i++)
            sum += params[i];
        (void)sum;
    } else if (!err[0]) {
        abort();                  /* an error must come with a message */
    }
    unlink(path);
    return 0;
}
