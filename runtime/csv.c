/* csv.c - Kaggle digit-recognizer style CSV: a header naming the columns
 * (label,pixel0,...,pixelK-1, or pixel0,... for an unlabeled test.csv),
 * then one row of integers per sample.  Samples are flat ([K]); K comes from
 * the header, so the same reader serves 28x28 digits and any other input. */
#include "loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct csv {
    const char *path;
    const unsigned char *p, *end;     /* unread input */
    const unsigned char *line, *eol;  /* current line, without its \r\n */
    long lineno;
    int npix;                         /* pixel columns, from the header */
    char *err;
    size_t errlen;
} csv;

enum { FLD_OK, FLD_EMPTY, FLD_NOTINT, FLD_RANGE };

/* "PATH:LINE:COL: error: ..." where COL is the 1-based column of `at`. */
RT_PRINTF_LIKE(3, 4)
static void csv_err(const csv *c, const unsigned char *at, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (!c->err || c->errlen == 0)
        return;
    k = snprintf(c->err, c->errlen, "%s:%ld:%ld: error: ", c->path, c->lineno,
                 (long)(at - c->line) + 1);
    if (k < 0 || (size_t)k >= c->errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

static int next_line(csv *c)
{
    const unsigned char *nl;

    if (c->p >= c->end)
        return 0;
    nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    c->line = c->p;
    c->eol = nl ? nl : c->end;
    c->p = nl ? nl + 1 : c->end;
    if (c->eol > c->line && c->eol[-1] == '\r') /* CRLF */
        c->eol--;
    c->lineno++;
    return 1;
}

static int rest_is_blank(const unsigned char *p, const unsigned char *end)
{
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/* Copies a field for quoting in a message: bounded, one line, printable. */
static const char *field_text(const unsigned char *s, const unsigned char *e, char *buf, size_t bl)
{
    size_t i = 0;

    for (; s < e && i + 4 < bl; s++, i++)
        buf[i] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
    buf[i] = '\0';
    if (s < e)
        strcpy(buf + i, "...");
    return buf;
}

static int field_eq(const unsigned char *s, const unsigned char *e, const char *want)
{
    size_t wl = strlen(want);

    return (size_t)(e - s) == wl && memcmp(s, want, wl) == 0;
}

/* Strict decimal: digits only (no sign, space or decimal point), value <= max.
   Scans every character first so "300x" reads as not-an-integer. */
static int parse_uint(const unsigned char *s, const unsigned char *e, int max, int *v)
{
    long long acc = 0;

    if (s == e)
        return FLD_EMPTY;
    for (const unsigned char *q = s; q < e; q++)
        if (*q < '0' || *q > '9')
            return FLD_NOTINT;
    for (; s < e; s++) {
        acc = acc * 10 + (*s - '0');
        if (acc > max)
            return FLD_RANGE; /* stop early: no overflow however long the field */
    }
    *v = (int)acc;
    return FLD_OK;
}

static int count_fields(const unsigned char *s, const unsigned char *e)
{
    int n = 1;

    for (; s < e; s++)
        n += *s == ',';
    return n;
}

/* Finds field i of ncols at *s, sets [*fs,*fe), advances *s past the comma.
   Checks the column count as it goes so the error points at where the row
   went wrong: end of line for too few, the first extra field for too many. */
static int csv_field(csv *c, const unsigned char **s, int i, int ncols,
                     const unsigned char **fs, const unsigned char **fe)
{
    const unsigned char *comma = memchr(*s, ',', (size_t)(c->eol - *s));

    if (!comma && i < ncols - 1) {
        csv_err(c, c->eol, "expected %d fields, got %d", ncols, i + 1);
        return -1;
    }
    if (comma && i == ncols - 1) {
        csv_err(c, comma + 1, "expected %d fields, got %d", ncols,
                count_fields(c->line, c->eol));
        return -1;
    }
    *fs = *s;
    *fe = comma ? comma : c->eol;
    *s = comma ? comma + 1 : c->eol;
    return 0;
}

/* Checks the header exactly, sets c->npix and returns 1 for "label,pixel0,
   ...", 0 for "pixel0,...", -1 on error.  Strictness here is what
   guarantees that a missing or shifted column cannot silently misalign every
   row's pixels. */
static int csv_header(csv *c)
{
    const unsigned char *s = c->line;
    const unsigned char *comma = memchr(s, ',', (size_t)(c->eol - s));
    const unsigned char *e = comma ? comma : c->eol;
    int labeled = field_eq(s, e, "label");
    char want[24], got[32];

    /* Name the expected header first: a data row or a foreign CSV in the
       wrong place is better explained that way than by a column count. */
    if (!labeled && !field_eq(s, e, "pixel0")) {
        csv_err(c, s, "expected header 'label,pixel0,pixel1,...' or 'pixel0,pixel1,...', "
                "got '%s'", field_text(s, e, got, sizeof got));
        return -1;
    }
    for (int i = 0;; i++) {
        comma = memchr(s, ',', (size_t)(c->eol - s));
        e = comma ? comma : c->eol;
        snprintf(want, sizeof want, "pixel%d", i - labeled);
        if (i >= labeled && !field_eq(s, e, want)) {
            csv_err(c, s, "expected header field '%s', got '%s'", want,
                    field_text(s, e, got, sizeof got));
            return -1;
        }
        if (!comma) {
            c->npix = i + 1 - labeled;
            break;
        }
        s = comma + 1;
    }
    if (c->npix == 0) {
        csv_err(c, c->eol, "header 'label' names no pixel columns (pixel0,...)");
        return -1;
    }
    return labeled;
}

static void field_err(csv *c, const unsigned char *fs, const unsigned char *fe,
                      int status, const char *what, int max)
{
    char got[32];

    field_text(fs, fe, got, sizeof got);
    if (status == FLD_EMPTY)
        csv_err(c, fs, "empty %s field", what);
    else if (status == FLD_NOTINT)
        csv_err(c, fs, "%s '%s' is not an integer 0..%d", what, got, max);
    else
        csv_err(c, fs, "%s %s out of range 0..%d", what, got, max);
}

/* Parses one data row into pix[0..npix) (and *y when labeled). */
static int csv_row(csv *c, int labeled, int classes, unsigned char *pix, int *y)
{
    const unsigned char *s = c->line, *fs, *fe;
    int ncols = c->npix + labeled;
    char what[32];

    for (int i = 0; i < ncols; i++) {
        int is_label = labeled && i == 0, max = is_label ? classes - 1 : 255, v = 0, st;

        if (csv_field(c, &s, i, ncols, &fs, &fe))
            return -1;
        st = parse_uint(fs, fe, max, &v);
        if (st != FLD_OK) {
            if (is_label)
                snprintf(what, sizeof what, "label");
            else
                snprintf(what, sizeof what, "pixel%d", i - labeled);
            field_err(c, fs, fe, st, what, max);
            return -1;
        }
        if (is_label)
            *y = v;
        else
            pix[i - labeled] = (unsigned char)v;
    }
    return 0;
}

/* Parses all data rows after the header into d (pix and y preallocated for
   maxrows rows).  Blank lines are allowed only at the very end. */
static int csv_rows(csv *c, int labeled, int classes, size_t maxrows, rt_dataset *d)
{
    while (next_line(c)) {
        if (c->eol == c->line) {
            if (rest_is_blank(c->p, c->end))
                break;
            csv_err(c, c->line, "empty line before more data");
            return -1;
        }
        if ((size_t)d->n >= maxrows) { /* unreachable: maxrows is a proven bound */
            csv_err(c, c->line, "internal error: more rows than the file size allows");
            return -1;
        }
        if (csv_row(c, labeled, classes, d->pix + (size_t)d->n * (size_t)c->npix,
                    labeled ? d->y + d->n : NULL))
            return -1;
        d->n++;
    }
    return 0;
}

static int csv_parse(csv *c, int classes, rt_dataset *out)
{
    rt_dataset d = {0};
    int labeled;
    size_t maxrows;

    if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3; /* UTF-8 BOM, as written by some spreadsheet exports */
    if (rest_is_blank(c->p, c->end)) {
        rt_set_err(c->err, c->errlen, "%s: error: empty file (expected a header "
                   "'label,pixel0,pixel1,...' or 'pixel0,pixel1,...')", c->path);
        return -1;
    }
    next_line(c);
    if ((labeled = csv_header(c)) < 0)
        return -1;
    /* A valid row is at least ncols one-digit fields and ncols-1 commas, so
       the bytes left bound the row count.  Allocate from that bound rather
       than from a count read out of the file. */
    maxrows = (size_t)(c->end - c->p) / (2 * (size_t)(c->npix + labeled) - 1) + 1;
    d.pix = malloc(maxrows * (size_t)c->npix);
    d.y = labeled ? malloc(maxrows * sizeof *d.y) : NULL;
    if (!d.pix || (labeled && !d.y)) {
        rt_set_err(c->err, c->errlen, "%s: error: out of memory for %zu rows", c->path, maxrows);
        rt_dataset_free(&d);
        return -1;
    }
    if (csv_rows(c, labeled, classes, maxrows, &d)) {
        rt_dataset_free(&d);
        return -1;
    }
    if (d.n == 0) {
        rt_set_err(c->err, c->errlen, "%s: error: header only, no data rows", c->path);
        rt_dataset_free(&d);
        return -1;
    }
    rt_dataset_dims(&d, 1, &c->npix);
    if (rt_dataset_src(&d, c->path, c->err, c->errlen)) {
        rt_dataset_free(&d);
        return -1;
    }
    *out = d;
    return 0;
}

int rt_load_csv(const char *path, int classes, rt_dataset *out, char *err, size_t errlen)
{
    unsigned char *buf, *shrunk;
    size_t len;
    csv c = {0};
    int rc;

    memset(out, 0, sizeof *out);
    if (classes < 1) {
        rt_set_err(err, errlen, "%s: error: classes must be >= 1, got %d", path, classes);
        return -1;
    }
    if (rt_read_all(path, &buf, &len, err, errlen))
        return -1;
    c.path = path;
    c.p = buf;
    c.end = buf + len;
    c.err = err;
    c.errlen = errlen;
    rc = csv_parse(&c, classes, out);
    free(buf);
    if (rc == 0) { /* give back the slack of the row-count bound */
        shrunk = realloc(out->pix, (size_t)out->n * (size_t)out->size);
        out->pix = shrunk ? shrunk : out->pix;
        if (out->y) {
            int *ys = realloc(out->y, (size_t)out->n * sizeof *ys);
            out->y = ys ? ys : out->y;
        }
    }
    return rc;
}
