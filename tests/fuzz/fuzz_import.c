/* fuzz_import.c - libFuzzer harness for seqc --import (gen/import.c): the
 * input is a TF.js model.json, then optionally the bytes "\n@@SHARD@@\n" and
 * the weight shard weights.bin (which the manifest of the seeds names).
 * Any input must give either both output files or a clean
 * "model.json: error: ..." with neither written: no crash, leak or UB.
 * Files live in /tmp/seqc-fuzz-PID-import/ and are removed after each input. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../gen/ir.h"
#include "../../gen/import.h"
#include "fuzz_util.h"

static char dir[128], json[192], shard[192], spec[192], wts[192];
static const char sep[] = "\n@@SHARD@@\n";

static void cleanup(void)
{
    unlink(json), unlink(shard), unlink(spec), unlink(wts);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gen_quiet = 1;
    fz_workdir(dir, sizeof dir, "import");
    snprintf(json, sizeof json, "%s/model.json", dir);
    snprintf(shard, sizeof shard, "%s/weights.bin", dir);
    snprintf(spec, sizeof spec, "%s/fuzzed.yaml", dir);
    snprintf(wts, sizeof wts, "%s/fuzzed.weights", dir);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t jn = size, sl = sizeof sep - 1;
    for (size_t i = 0; i + sl <= size; i++)
        if (!memcmp(data + i, sep, sl)) {
            jn = i;
            break;
        }
    fz_write(json, data, jn);
    unlink(shard);
    if (jn < size)
        fz_write(shard, data + jn + sl, size - jn - sl);
    gen_last_error[0] = 0;
    int rc = gen_import(json, spec);
    fz_report(rc, gen_last_error);
    int have_spec = access(spec, F_OK) == 0, have_w = access(wts, F_OK) == 0;
    if (rc ? have_spec || have_w || !strstr(gen_last_error, "model.json: error: ")
           : !have_spec || !have_w)
        abort();
    unlink(spec), unlink(wts);
    return 0;
}
