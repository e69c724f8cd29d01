/* fuzz_import_keras.c - libFuzzer harness for seqc --import MODEL.keras
 * (gen/import_keras.c: libzip, libhdf5, then the layer table of import.c).
 *
 * An input that starts "PK\3\4" is the .keras file itself (zip mutations).
 * Any other is config.json, then optionally the bytes "\n@@H5@@\n" and
 * model.weights.h5: the harness stores them in a fresh zip (with libzip,
 * ZIP_CM_STORE, as Keras writes them), so mutations reach the JSON and the
 * HDF5 reader instead of dying at the zip's CRC.  Either way the import must
 * give both output files or a clean "model.keras: error: ..." with neither
 * written: no crash, leak or UB.  Files live in /tmp/seqc-fuzz-PID-keras/
 * and are removed after each input.  The HDF5 reader process (see
 * import_keras.c) may die of libhdf5's own crashes, which the import refuses
 * cleanly; a SIGABRT (a sanitizer's report in our code) fails the run. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include <signal.h>
#include <sys/wait.h>

#include "../../gen/ir.h"
#include "../../gen/import.h"
#include "../../gen/import_int.h"
#include "fuzz_util.h"

/* libhdf5 allocates what a malformed file says (malloc of 128 GB seen): let
 * malloc fail, as it would without ASan (HDF5 then reports an error), rather
 * than ASan end the reader; and make ASan's reports abort, so the reader's
 * SIGABRT tells them apart from libhdf5's own crashes.  FUZZ_HDF5_SUPP
 * (tests/fuzz/hdf5.supp, its absolute path from fuzz.mk) names the libhdf5
 * internals whose intercepted memcpy & co are libhdf5's own crashes. */
#ifndef FUZZ_HDF5_SUPP
#error "build with -DFUZZ_HDF5_SUPP='\"/abs/path/tests/fuzz/hdf5.supp\"' (tests/fuzz/fuzz.mk does)"
#endif
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:abort_on_error=1:suppressions=\"" FUZZ_HDF5_SUPP "\"";
}

static char dir[128], keras[192], spec[192], wts[192];
static const char sep[] = "\n@@H5@@\n";

static void cleanup(void)
{
    unlink(keras), unlink(spec), unlink(wts);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gen_quiet = 1;
    gen_keras_reader_seconds = 3;   /* libhdf5 loops on some files: 3 s, not 20, per such input */
    fz_workdir(dir, sizeof dir, "keras");
    snprintf(keras, sizeof keras, "%s/model.keras", dir);
    snprintf(spec, sizeof spec, "%s/fuzzed.yaml", dir);
    snprintf(wts, sizeof wts, "%s/fuzzed.weights", dir);
    atexit(cleanup);
    return 0;
}

/* name <- [p, p+n) in za, stored; aborts on failure (the harness's fault). */
static void add(zip_t *za, const char *name, const uint8_t *p, size_t n)
{
    zip_source_t *s = zip_source_buffer(za, n ? p : (const uint8_t *)"", n, 0);
    zip_int64_t i = s ? zip_file_add(za, name, s, ZIP_FL_OVERWRITE) : -1;
    if (i < 0 || zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0) != 0) {
        fprintf(stderr, "fuzz_import_keras: %s: %s\n", name, zip_strerror(za));
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unlink(keras);
    if (size >= 4 && !memcmp(data, "PK\3\4", 4)) {
        fz_write(keras, data, size);
    } else {
        size_t jn = size, sl = sizeof sep - 1;
        for (size_t i = 0; i + sl <= size; i++)
            if (!memcmp(data + i, sep, sl)) {
                jn = i;
                break;
            }
        int err = 0;
        zip_t *za = zip_open(keras, ZIP_CREATE | ZIP_TRUNCATE, &err);
        if (!za) {
            fprintf(stderr, "fuzz_import_keras: cannot create %s (%d)\n", keras, err);
            abort();
        }
        add(za, "config.json", data, jn);
        if (jn < size)
            add(za, "model.weights.h5", data + jn + sl, size - jn - sl);
        if (zip_close(za) != 0) {
            fprintf(stderr, "fuzz_import_keras: %s: %s\n", keras, zip_strerror(za));
            abort();
        }
    }
    gen_last_error[0] = 0;
    int rc = gen_import(keras, spec);
    fz_report(rc, gen_last_error);
    /* the HDF5 reader process: libhdf5's own crashes (SIGSEGV, ...) are
     * refused cleanly and allowed here; a sanitizer's abort is ours */
    int st = gen_keras_reader_status;
    if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT) {
        fprintf(stderr, "fuzz_import_keras: the HDF5 reader died by a sanitizer (status 0x%x): %s\n", st,
                gen_last_error);
        abort();
    }
    int have_spec = access(spec, F_OK) == 0, have_w = access(wts, F_OK) == 0;
    if (rc ? have_spec || have_w || !strstr(gen_last_error, "model.keras: error: ")
           : !have_spec || !have_w)
        abort();
    unlink(spec), unlink(wts);
    return 0;
}
