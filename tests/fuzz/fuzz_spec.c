/* fuzz_spec.c - libFuzzer harness for the seqc front end: the input is a spec
 * file; parse + check + lower (not emit), then free.  Any input must give
 * either a model or a clean error: no crash, no leak, no UB.
 *
 * gen_parse takes a path and the model name defaults to the file's base name,
 * so the input is written to /tmp/seqc-fuzz-PID-spec/fuzzed.yaml (a valid
 * model name, so specs without 'name:' get past check.c). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../gen/ir.h"
#include "fuzz_util.h"

static char dir[128], path[192];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gen_quiet = 1;
    fz_workdir(dir, sizeof dir, "spec");
    snprintf(path, sizeof path, "%s/fuzzed.yaml", dir);
    atexit(cleanup);
    return 0;
}

/* As gen/main.c defaults(). */
static void defaults(gen_model *m, const char *p)
{
    memset(m, 0, sizeof *m);
    m->path = p;
    m->batch_size = 32;
    m->epochs = 1;
    m->lr = 0.001;
    m->beta_1 = 0.9;
    m->beta_2 = 0.999;
    m->epsilon = 1e-7;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gen_model m;

    fz_write(path, data, size);
    defaults(&m, path);
    gen_last_error[0] = 0;
    int rc = gen_parse(path, &m) || gen_check(&m) || gen_lower(&m);
    fz_report(rc, gen_last_error);
    if (!rc) {
        /* A lowered model must respect the limits emit relies on. */
        if (m.n_params < 0 || m.n_params > GEN_SIZE_MAX || m.n_layers < 1)
            abort();
    } else if (!gen_last_error[0]) {
        abort();   /* every rejection must come with a FILE:LINE:COL message */
    }
    gen_model_free(&m);
    unlink(path);
    return 0;
}
