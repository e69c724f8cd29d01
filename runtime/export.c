/* export.c - `NAME export`: write NAME_model.c/.h, the trained model's
 * forward pass with its weights inside, from the same templates the trainer
 * was generated from (m4, V = 1).  The weights reach m4 as hex-float
 * numbers only; the one user string, the header's file name, is checked. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "rt.h"

#ifndef RT_TEMPLATES
#error "build with -DRT_TEMPLATES='\"/path/to/templates\"' (see the Makefile)"
#endif
#ifndef RT_DEFS
#error "build with -DRT_DEFS='\"/path/to/out/NAME.defs.m4\"' (see the Makefile)"
#endif

extern char **environ;

static int write_weights_m4(const char *path, const float *params, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return snprintf(err, errlen, "%s: error: cannot write: %s", path, strerror(errno)), -1;
    fputs("m4_divert(-1)m4_define(\xc2\xabseqc_weights\xc2\xbb, \xc2\xab", f);
    for (long i = 0; i < MODEL_N_PARAMS; i++)
        fprintf(f, "%s%af,%s", i % 6 ? " " : "    ", (double)params[i], i % 6 == 5 ? "\n" : "");
    fputs("\xc2\xbb)m4_divert(0)m4_dnl\n", f);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad)
        return snprintf(err, errlen, "%s: error: cannot write", path), -1;
    return 0;
}

/* m4 -P ARGS... > out; 0 if m4 exited 0. */
static int run_m4(char *const argv[], const char *out, char *err, size_t errlen)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawnp(&pid, "m4", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return snprintf(err, errlen, "error: cannot run m4: %s", strerror(rc)), -1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return snprintf(err, errlen, "error: m4 failed on %s (templates %s)", out, RT_TEMPLATES), -1;
    return 0;
}

/* Bison's check: a macro name in the output means a template bug. */
static int macro_survived(const char *path)
{
    char line[4096];
    int found = 0;
    FILE *f = fopen(path, "r");
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, "m4_") || strstr(line, "seqc_");
    if (f)
        fclose(f);
    return found || !f;
}

static int header_name_ok(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
            return 0;
    return *s && !strstr(s, "m4_") && !strstr(s, "seqc_");
}

static int generate(const char *tmpl, const char *weights_m4, const char *header, const char *out,
                    char *err, size_t errlen)
{
    char hdr[512];
    snprintf(hdr, sizeof hdr, "-Dseqc_header=%s", header);
    char *argv[] = {"m4", "-P", "-Dseqc_V=1", hdr, "-I", RT_TEMPLATES, RT_TEMPLATES "/lib.m4", RT_DEFS,
                    (char *)weights_m4, (char *)tmpl, NULL};
    if (run_m4(argv, out, err, errlen))
        return -1;
    if (macro_survived(out))
        return snprintf(err, errlen, "%s: error: m4 macro names survived into the output", out), -1;
    return 0;
}

int rt_export(const char *weights, const char *out_c, char *err, size_t errlen)
{
    char wm4[4200];
    if (strlen(out_c) > 3000)
        return snprintf(err, errlen, "%s: error: the output must be a .c file", out_c), -1;
    snprintf(wm4, sizeof wm4, "%s.weights.m4.tmp", out_c);
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    int rc = -1;
    if (!params)
        snprintf(err, errlen, "error: out of memory");
    else if (rt_weights_load(weights, params, err, errlen) == 0) {
        long bad = -1;
        for (long i = 0; i < MODEL_N_PARAMS && bad < 0; i++)
            bad = isfinite(params[i]) ? -1 : i;
        if (bad >= 0)
            snprintf(err, errlen, "%s: error: parameter %ld is not finite", weights, bad);
        else if (write_weights_m4(wm4, params, err, errlen) == 0)
            rc = rt_export_from(wm4, RT_TEMPLATES "/export.c.m4", RT_TEMPLATES "/export.h.m4", out_c, err,
                                errlen);
    }
    remove(wm4);
    free(params);
    return rc;
}

/* NAME_model.c/.h from other templates and a data file of m4 definitions
 * (export --int8): the same checks, m4 runs and atomic renames. */
int rt_export_from(const char *data_m4, const char *tmpl_c, const char *tmpl_h, const char *out_c,
                   char *err, size_t errlen)
{
    size_t len = strlen(out_c);
    if (len < 3 || len > 3000 || strcmp(out_c + len - 2, ".c"))
        return snprintf(err, errlen, "%s: error: the output must be a .c file", out_c), -1;
    const char *base = strrchr(out_c, '/') ? strrchr(out_c, '/') + 1 : out_c;
    char out_h[4096], header[512], ctmp[4200], htmp[4200];
    snprintf(out_h, sizeof out_h, "%.*s.h", (int)(len - 2), out_c);
    snprintf(header, sizeof header, "%.*s.h", (int)(strlen(base) - 2), base);
    if (!header_name_ok(header))
        return snprintf(err, errlen, "%s: error: use a file name of letters, digits and _.-", out_c), -1;
    snprintf(ctmp, sizeof ctmp, "%s.tmp", out_c);
    snprintf(htmp, sizeof htmp, "%s.tmp", out_h);
    int rc = -1;
    if (generate(tmpl_c, data_m4, header, ctmp, err, errlen) == 0 &&
        generate(tmpl_h, data_m4, header, htmp, err, errlen) == 0) {
        if (rename(htmp, out_h) || rename(ctmp, out_c))
            snprintf(err, errlen, "%s: error: cannot write: %s", out_c, strerror(errno));
        else
            rc = 0;
    }
    remove(ctmp), remove(htmp);
    return rc;
}
