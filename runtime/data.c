/* data.c - dataset loaders: IDX pairs, MNIST-style directories, Kaggle CSV.
 *
 * Strategy: read the whole (possibly gzipped) file into memory first, then
 * validate.  Knowing the real size before looking at the header is what lets
 * us reject lying headers (e.g. "2^31 images" in a 100-byte file) without
 * ever allocating on their say-so.
 */
#include "data.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Largest decompressed file we accept.  Keeping it at INT_MAX means n*h*w
   fits in an int (see data.h), and it also bounds gzip bombs. */
#define MAX_FILE_BYTES ((size_t)INT_MAX)
#define READ_CHUNK     ((size_t)1 << 20)
#define GROW_LIMIT     (MAX_FILE_BYTES + READ_CHUNK + 1)

#define IDX_IMAGES_MAGIC 0x00000803u /* 0x08 = unsigned byte, 3 dims */
#define IDX_LABELS_MAGIC 0x00000801u /* 0x08 = unsigned byte, 1 dim */

#define CSV_SIDE   28
#define CSV_PIXELS (CSV_SIDE * CSV_SIDE)

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

PRINTF_LIKE(3, 4)
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void rt_dataset_free(rt_dataset *d)
{
    if (!d)
        return;
    free(d->pix);
    free(d->y);
    memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------------ */
/* Whole-file reading                                                  */
/* ------------------------------------------------------------------ */

/* zlib prefixes its messages with the path; we add our own prefix, so strip
   theirs to keep the message on one readable line. */
static const char *gz_msg(gzFile f, const char *path, int *errnum)
{
    const char *m = gzerror(f, errnum);
    size_t pl = strlen(path);

    if (m && strncmp(m, path, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ')
        m += pl + 2;
    return m && *m ? m : "read error";
}

/* Makes room for one more READ_CHUNK plus a NUL terminator. */
static int grow(unsigned char **b, size_t *cap, size_t used)
{
    size_t want = used + READ_CHUNK + 1, ncap = *cap ? *cap : READ_CHUNK;
    unsigned char *nb;

    if (*cap >= want)
        return 0;
    /* Clamp instead of doubling past the limit, so a 32-bit size_t cannot
       wrap (slurp stops once more than MAX_FILE_BYTES arrived, so want never
       exceeds the clamp). */
    while (ncap < want)
        ncap = ncap > GROW_LIMIT / 2 ? GROW_LIMIT : ncap * 2;
    nb = realloc(*b, ncap);
    if (!nb)
        return -1;
    *b = nb;
    *cap = ncap;
    return 0;
}

/* Pulls every decompressed byte out of f.  We count what actually comes
   out rather than trusting the gzip trailer's ISIZE field. */
static int slurp(gzFile f, const char *path, unsigned char **buf, size_t *len,
                 char *err, size_t errlen)
{
    unsigned char *b = NULL;
    size_t cap = 0, n = 0;
    int got, errnum;

    for (;;) {
        if (grow(&b, &cap, n)) {
            set_err(err, errlen, "%s: error: out of memory reading file", path);
            break;
        }
        got = gzread(f, b + n, (unsigned)READ_CHUNK);
        if (got < 0) {
            set_err(err, errlen, "%s: error: %s", path, gz_msg(f, path, &errnum));
            break;
        }
        if (got == 0) {
            *buf = b;
            *len = n;
            return 0;
        }
        n += (size_t)got;
        if (n > MAX_FILE_BYTES) {
            set_err(err, errlen, "%s: error: file larger than %zu bytes (after decompression)",
                    path, MAX_FILE_BYTES);
            break;
        }
    }
    free(b);
    return -1;
}

/* Reads path (raw or gzip) into a malloc'd, NUL-terminated buffer. */
static int read_all(const char *path, unsigned char **buf, size_t *len,
                    char *err, size_t errlen)
{
    gzFile f;
    int errnum = Z_OK;
    const char *msg;

    *buf = NULL;
    *len = 0;
    errno = 0;
    f = gzopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: error: %s", path,
                errno ? strerror(errno) : "cannot open (out of memory)");
        return -1;
    }
    if (slurp(f, path, buf, len, err, errlen)) {
        gzclose_r(f);
        return -1;
    }
    /* gzread reports a gzip stream cut short as a plain EOF; only gzerror's
       Z_BUF_ERROR tells us the file was truncated.  Format the message before
       gzclose_r frees the string. */
    msg = gz_msg(f, path, &errnum);
    if (errnum != Z_OK)
        set_err(err, errlen, "%s: error: %s", path, errnum == Z_BUF_ERROR
                ? "truncated gzip stream (unexpected end of file)" : msg);
    if (gzclose_r(f) != Z_OK && errnum == Z_OK) {
        set_err(err, errlen, "%s: error: close failed", path);
        errnum = Z_ERRNO;
    }
    if (errnum != Z_OK) {
        free(*buf);
        *buf = NULL;
        *len = 0;
        return -1;
    }
    (*buf)[*len] = '\0'; /* grow() always leaves room for it */
    return 0;
}

/* ------------------------------------------------------------------ */
/* IDX                                                                 */
/* ------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void dims_str(const uint32_t *dims, int ndims, char *s, size_t sl)
{
    int k = 0;

    s[0] = '\0';
    for (int i = 0; i < ndims && k >= 0 && (size_t)k < sl; i++)
        k += snprintf(s + k, sl - (size_t)k, "%s%lu", i ? "x" : "", (unsigned long)dims[i]);
}

static int idx_magic(const char *path, uint32_t got, uint32_t want, char *err, size_t errlen)
{
    const char *kind = want == IDX_IMAGES_MAGIC ? "images" : "labels";
    uint32_t other = want == IDX_IMAGES_MAGIC ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC;

    if (got == want)
        return 0;
    set_err(err, errlen, "%s: error: bad magic 0x%08lx, expected 0x%08lx (IDX %s)%s", path,
            (unsigned long)got, (unsigned long)want, kind,
            got == other ? "; images and labels files swapped?" : "");
    return -1;
}

/* Checks magic, reads ndims big-endian dims, and requires the payload after
   the header to be exactly the product of the dims.  This check, against the
   bytes we really have, is what makes every later allocation safe. */
static int idx_header(const char *path, const unsigned char *b, size_t len, uint32_t magic,
                      int ndims, uint32_t *dims, char *err, size_t errlen)
{
    size_t hdr = 4 + 4 * (size_t)ndims, need = 1;
    char ds[64];

    /* Magic first (when there are 4 bytes): it best explains a wrong file. */
    if (len >= 4 && idx_magic(path, be32(b), magic, err, errlen))
        return -1;
    if (len < hdr) {
        set_err(err, errlen, "%s: error: truncated IDX header (%zu bytes, need %zu)",
                path, len, hdr);
        return -1;
    }
    for (int i = 0; i < ndims; i++)
        dims[i] = be32(b + 4 + 4 * (size_t)i);
    dims_str(dims, ndims, ds, sizeof ds);
    for (int i = 0; i < ndims; i++) {
        if (dims[i] == 0) {
            set_err(err, errlen, "%s: error: header dims %s contain a zero: no data", path, ds);
            return -1;
        }
        if (need > SIZE_MAX / dims[i]) {
            set_err(err, errlen, "%s: error: header dims %s overflow", path, ds);
            return -1;
        }
        need *= dims[i];
    }
    if (need > len - hdr) {
        set_err(err, errlen, "%s: error: truncated: header dims %s need %zu data bytes, "
                "file has %zu", path, ds, need, len - hdr);
        return -1;
    }
    if (need < len - hdr) {
        set_err(err, errlen, "%s: error: trailing garbage: %zu bytes after the %zu data bytes "
                "of header dims %s", path, len - hdr - need, need, ds);
        return -1;
    }
    return 0;
}

static int load_images(const char *path, rt_dataset *d, char *err, size_t errlen)
{
    unsigned char *b, *shrunk;
    size_t len;
    uint32_t dims[3];

    if (read_all(path, &b, &len, err, errlen))
        return -1;
    if (idx_header(path, b, len, IDX_IMAGES_MAGIC, 3, dims, err, errlen)) {
        free(b);
        return -1;
    }
    /* Reuse the file buffer for the pixels: slide the payload over the
       16-byte header instead of holding two copies of a 47 MB file. */
    len -= 16;
    memmove(b, b + 16, len);
    shrunk = realloc(b, len);
    d->pix = shrunk ? shrunk : b;
    /* idx_header proved n*h*w == len <= INT_MAX, so each dim fits an int. */
    d->n = (int)dims[0];
    d->h = (int)dims[1];
    d->w = (int)dims[2];
    return 0;
}

static int load_labels(const char *path, int classes, int **y, int *n, char *err, size_t errlen)
{
    unsigned char *b;
    size_t len;
    uint32_t dim;
    int *lab;

    if (read_all(path, &b, &len, err, errlen))
        return -1;
    if (idx_header(path, b, len, IDX_LABELS_MAGIC, 1, &dim, err, errlen)) {
        free(b);
        return -1;
    }
    lab = calloc(dim, sizeof *lab); /* calloc checks dim*sizeof for overflow */
    if (!lab) {
        set_err(err, errlen, "%s: error: out of memory for %lu labels", path, (unsigned long)dim);
        free(b);
        return -1;
    }
    for (uint32_t i = 0; i < dim; i++) {
        lab[i] = b[8 + i];
        if (lab[i] >= classes) {
            set_err(err, errlen, "%s: error: label %d at index %lu is out of range [0, %d)",
                    path, lab[i], (unsigned long)i, classes);
            free(lab);
            free(b);
            return -1;
        }
    }
    free(b);
    *y = lab;
    *n = (int)dim;
    return 0;
}

int rt_load_idx_pair(const char *images_path, const char *labels_path, int classes,
                     rt_dataset *out, char *err, size_t errlen)
{
    rt_dataset d = {0};
    int *y = NULL, ny = 0;

    memset(out, 0, sizeof *out);
    if (classes < 1) {
        set_err(err, errlen, "%s: error: classes must be >= 1, got %d", labels_path, classes);
        return -1;
    }
    if (load_images(images_path, &d, err, errlen))
        return -1;
    if (load_labels(labels_path, classes, &y, &ny, err, errlen)) {
        rt_dataset_free(&d);
        return -1;
    }
    if (ny != d.n) {
        set_err(err, errlen, "%s: error: %d labels but %s has %d images",
                labels_path, ny, images_path, d.n);
        free(y);
        rt_dataset_free(&d);
        return -1;
    }
    d.y = y;
    *out = d;
    return 0;
}

/* ------------------------------------------------------------------ */
/* MNIST directory                                                     */
/* ------------------------------------------------------------------ */

/* Returns malloc'd DIR/BASE if it opens, else DIR/BASE.gz: MNIST ships
   gzipped but is often kept gunzipped, and a raw file is cheaper to read. */
static char *pick_path(const char *dir, const char *base, char *err, size_t errlen)
{
    size_t dl = strlen(dir), need = dl + 1 + strlen(base) + sizeof ".gz";
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    char *p = malloc(need);
    FILE *f;
    int raw_errno;

    if (!p) {
        set_err(err, errlen, "%s: error: out of memory", dir);
        return NULL;
    }
    snprintf(p, need, "%s%s%s", dir, sep, base);
    if ((f = fopen(p, "rb")) != NULL)
        goto found;
    raw_errno = errno;
    strcat(p, ".gz");
    if ((f = fopen(p, "rb")) != NULL)
        goto found;
    if (raw_errno == ENOENT && errno == ENOENT) {
        p[strlen(p) - 3] = '\0';
        set_err(err, errlen, "%s: error: no such file (nor %s.gz)", p, p);
    } else if (raw_errno != ENOENT) {
        p[strlen(p) - 3] = '\0';
        set_err(err, errlen, "%s: error: %s", p, strerror(raw_errno));
    } else {
        set_err(err, errlen, "%s: error: %s", p, strerror(errno));
    }
    free(p);
    return NULL;
found:
    fclose(f);
    return p;
}

int rt_load_mnist_dir(const char *dir, int which, int classes,
                      rt_dataset *out, char *err, size_t errlen)
{
    static const char *const prefix[2] = {"train", "t10k"};
    char base[64], *ip = NULL, *lp = NULL;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (which != 0 && which != 1) {
        set_err(err, errlen, "%s: error: which must be 0 (train) or 1 (t10k), got %d",
                dir, which);
        return -1;
    }
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix[which]);
    ip = pick_path(dir, base, err, errlen);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix[which]);
    lp = ip ? pick_path(dir, base, err, errlen) : NULL;
    if (ip && lp)
        rc = rt_load_idx_pair(ip, lp, classes, out, err, errlen);
    free(ip);
    free(lp);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Kaggle CSV                                                          */
/* ------------------------------------------------------------------ */

typedef struct csv {
    const char *path;
    const unsigned char *p, *end;     /* unread input */
    const unsigned char *line, *eol;  /* current line, without its \r\n */
    long lineno;
    char *err;
    size_t errlen;
} csv;

enum { FLD_OK, FLD_EMPTY, FLD_NOTINT, FLD_RANGE };

/* "PATH:LINE:COL: error: ..." where COL is the 1-based column of `at`. */
PRINTF_LIKE(3, 4)
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

/* Checks the header exactly and returns 1 for "label,pixel0,...", 0 for
   "pixel0,...", -1 on error.  Strictness here is what guarantees that a
   missing or shifted column cannot silently misalign every row's pixels. */
static int csv_header(csv *c)
{
    const unsigned char *s = c->line, *fs, *fe;
    const unsigned char *comma = memchr(s, ',', (size_t)(c->eol - s));
    const unsigned char *e0 = comma ? comma : c->eol;
    int labeled = field_eq(s, e0, "label");
    int ncols = CSV_PIXELS + labeled;
    char want[16], got[32];

    /* Name the expected header first: a data row or a foreign CSV in the
       wrong place is better explained that way than by a column count. */
    if (!labeled && !field_eq(s, e0, "pixel0")) {
        csv_err(c, s, "expected header 'label,pixel0,...,pixel%d' or 'pixel0,...,pixel%d', "
                "got '%s'", CSV_PIXELS - 1, CSV_PIXELS - 1, field_text(s, e0, got, sizeof got));
        return -1;
    }
    for (int i = 0; i < ncols; i++) {
        /* name before count: "pixel55 where pixel5 belongs" beats "too few" */
        comma = memchr(s, ',', (size_t)(c->eol - s));
        e0 = comma ? comma : c->eol;
        snprintf(want, sizeof want, "pixel%d", i - labeled);
        if (i > 0 && !field_eq(s, e0, want)) {
            csv_err(c, s, "expected header field '%s', got '%s'", want,
                    field_text(s, e0, got, sizeof got));
            return -1;
        }
        if (csv_field(c, &s, i, ncols, &fs, &fe))
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

/* Parses one data row into pix[0..783] (and *y when labeled). */
static int csv_row(csv *c, int labeled, int classes, unsigned char *pix, int *y)
{
    const unsigned char *s = c->line, *fs, *fe;
    int ncols = CSV_PIXELS + labeled;
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
        if (csv_row(c, labeled, classes, d->pix + (size_t)d->n * CSV_PIXELS,
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
        set_err(c->err, c->errlen, "%s: error: empty file (expected a header 'label,pixel0,"
                "...,pixel%d' or 'pixel0,...,pixel%d')", c->path, CSV_PIXELS - 1, CSV_PIXELS - 1);
        return -1;
    }
    next_line(c);
    if ((labeled = csv_header(c)) < 0)
        return -1;
    /* A valid row is at least ncols one-digit fields and ncols-1 commas, so
       the bytes left bound the row count.  Allocate from that bound rather
       than from a count read out of the file. */
    maxrows = (size_t)(c->end - c->p) / (2 * (size_t)(CSV_PIXELS + labeled) - 1) + 1;
    d.pix = malloc(maxrows * CSV_PIXELS);
    d.y = labeled ? malloc(maxrows * sizeof *d.y) : NULL;
    if (!d.pix || (labeled && !d.y)) {
        set_err(c->err, c->errlen, "%s: error: out of memory for %zu rows", c->path, maxrows);
        rt_dataset_free(&d);
        return -1;
    }
    if (csv_rows(c, labeled, classes, maxrows, &d)) {
        rt_dataset_free(&d);
        return -1;
    }
    if (d.n == 0) {
        set_err(c->err, c->errlen, "%s: error: header only, no data rows", c->path);
        rt_dataset_free(&d);
        return -1;
    }
    d.h = d.w = CSV_SIDE;
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
        set_err(err, errlen, "%s: error: classes must be >= 1, got %d", path, classes);
        return -1;
    }
    if (read_all(path, &buf, &len, err, errlen))
        return -1;
    c.path = path;
    c.p = buf;
    c.end = buf + len;
    c.err = err;
    c.errlen = errlen;
    rc = csv_parse(&c, classes, out);
    free(buf);
    if (rc == 0) { /* give back the slack of the row-count bound */
        shrunk = realloc(out->pix, (size_t)out->n * CSV_PIXELS);
        out->pix = shrunk ? shrunk : out->pix;
        if (out->y) {
            int *ys = realloc(out->y, (size_t)out->n * sizeof *ys);
            out->y = ys ? ys : out->y;
        }
    }
    return rc;
}
