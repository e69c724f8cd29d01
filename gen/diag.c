/* diag.c - the one place errors are reported, "FILE:LINE:COL: error: MSG".
 * The last message is kept so tests can assert on it. */
#include <stdarg.h>
#include <stdio.h>

#include "ir.h"

char gen_last_error[1024];
int gen_quiet;

void gen_error(const char *path, gen_mark at, const char *fmt, ...)
{
    va_list ap;
    int len = snprintf(gen_last_error, sizeof gen_last_error, "%s:%d:%d: error: ", path, at.line, at.col);
    va_start(ap, fmt);
    if (len >= 0 && (size_t)len < sizeof gen_last_error)
        vsnprintf(gen_last_error + len, sizeof gen_last_error - (size_t)len, fmt, ap);
    va_end(ap);
    if (!gen_quiet)
        fprintf(stderr, "%s\n", gen_last_error);
}
