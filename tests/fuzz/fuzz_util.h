/* fuzz_util.h - shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * Every harness writes its input to files named /tmp/seqc-fuzz-PID-TAG (or
 * $SEQC_FUZZ_TMPDIR/seqc-fuzz-PID-TAG), unique per process so parallel
 * fuzzers and -fork/-jobs workers never collide, and removes them before
 * returning, so nothing accumulates however long a run lasts.  Errors writing
 * the files are the machine's fault, not the input's: abort() so they are
 * never mistaken for a clean run. */
#ifndef SEQC_FUZZ_UTIL_H
#define SEQC_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Base directory: $SEQC_FUZZ_TMPDIR if set, else /tmp. */
static void fz_path(char *out, size_t outlen, const char *tag)
{
    const char *base = getenv("SEQC_FUZZ_TMPDIR");
    snprintf(out, outlen, "%s/seqc-fuzz-%ld-%s", base && *base ? base : "/tmp",
             (long)getpid(), tag);
}

/* fz_path's directory, made (or already there and writable); aborts if
 * neither: the harness cannot run. */
static inline void fz_workdir(char *out, size_t outlen, const char *tag)
{
    fz_path(out, outlen, tag);
    if (mkdir(out, 0700) != 0 && access(out, W_OK) != 0) {
        perror(out);
        abort();
    }
}

/* Writes bytes [p, p+n) to path (truncating); aborts on I/O failure. */
static void fz_write(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* Little/big-endian helpers for the selector bytes at the front of inputs. */
static inline size_t fz_u16(const uint8_t *p) { return (size_t)p[0] | (size_t)p[1] << 8; }

/* SEQC_FUZZ_VERBOSE=1 prints each input's outcome (for reading reproducers:
   out/fuzz/fuzz_idx FILE). */
static void fz_report(int rc, const char *err)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("SEQC_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "seqc-fuzz: %s%s\n", rc ? "rejected: " : "accepted",
                rc ? (err && *err ? err : "(no message)") : "");
}

#endif
