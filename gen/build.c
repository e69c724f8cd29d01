/* build.c - `seqc --build SPEC`: the whole pipeline from anywhere, by
 * running the same make rules as the source tree (gen/model.mk) against
 * the templates and runtime installed beside this executable. */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ir.h"

#ifndef SEQC_DATADIR
#define SEQC_DATADIR "/usr/local/share/seqc"
#endif

extern char **environ;

static int has_model_mk(const char *dir)
{
    char path[2 * PATH_MAX + 64];
    struct stat st;
    snprintf(path, sizeof path, "%s/gen/model.mk", dir);
    return stat(path, &st) == 0;
}

/* $SEQC_DATADIR, else BIN/../share/seqc (a relocatable install, DESTDIR
 * staging included), else the directory this seqc was built for. */
static int datadir(const char *self, char *out, size_t len)
{
    const char *env = getenv("SEQC_DATADIR");
    if (env && has_model_mk(env))
        return snprintf(out, len, "%s", env), 0;
    char bin[PATH_MAX];
    snprintf(bin, sizeof bin, "%s", self);
    char *slash = strrchr(bin, '/');
    if (slash) {
        *slash = 0;
        char up[PATH_MAX + 32];
        snprintf(up, sizeof up, "%s/../share/seqc", bin);
        if (has_model_mk(up) && realpath(up, out))
            return 0;
    }
    snprintf(out, len, "%s", SEQC_DATADIR);
    return has_model_mk(out) ? 0 : -1;
}

int gen_build(const gen_model *m, const char *spec, const char *outdir)
{
    gen_mark top = {1, 1};
    char self[PATH_MAX], data[PATH_MAX + 64], a[8][2 * PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        gen_error(spec, top, "cannot find the seqc executable");
        return -1;
    }
    self[n] = 0;
    if (datadir(self, data, sizeof data)) {
        gen_error(spec, top, "cannot find seqc's templates and runtime (set SEQC_DATADIR)");
        return -1;
    }
    const char *base = strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec;
    snprintf(a[0], sizeof a[0], "%s/gen/model.mk", data);
    snprintf(a[1], sizeof a[1], "SPEC=%s", spec);
    snprintf(a[2], sizeof a[2], "OUT=%s", outdir);
    snprintf(a[3], sizeof a[3], "NAME=%.*s", (int)strcspn(base, "."), base);
    snprintf(a[4], sizeof a[4], "SEQC=%s", self);
    snprintf(a[5], sizeof a[5], "TEMPLATES_DIR=%s/templates", data);
    snprintf(a[6], sizeof a[6], "RUNTIME_DIR=%s/runtime", data);
    char *argv[] = {"make", "--no-print-directory", "-f", a[0], "model", a[1], a[2], a[3], a[4],
                    a[5], a[6], NULL};
    pid_t pid;
    int status = -1;
    (void)m;
    if (posix_spawnp(&pid, "make", NULL, NULL, argv, environ) != 0 ||
        waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        gen_error(spec, top, "building the trainer failed (see above)");
        return -1;
    }
    printf("built %s/%s\n", outdir, a[3] + 5);
    return 0;
}
