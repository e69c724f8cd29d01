/* npy.c - NumPy .npy files (format versions 1.0, 2.0, 3.0) and directories
 * of x_train.npy, y_train.npy, x_test.npy, y_test.npy.
 *
 * A .npy file is "\x93NUMPY", a major and a minor version byte, the header
 * length (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0), the header - the repr
 * of a Python dict {'descr': '<f4', 'fortran_order': False, 'shape': (n,
 * 28, 28)}, padded with spaces and a newline - then the raw elements.
 *
 * numpy reads the header with ast.literal_eval; we parse that one fixed form
 * ourselves, strictly (a Python dict literal with exactly those three keys),
 * and check the shape against the bytes present before allocating.  Every
 * error names the file, the field ("magic", "version", "header length",
 * "header", 'descr', 'fortran_order', 'shape', "data", "labels") and why. */
#include "loader.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAGIC      "\x93NUMPY"
#define NPY_MAX_HEADER 16384              /* numpy's own default limit is 10000 */
#define NPY_MAX_DIMS   (1 + RT_MAX_RANK)  /* n, then each sample's dims */
#define NPY_STR        32                 /* longest key or descr we keep */

typedef struct npy_file {
    const char *path;
    unsigned char *buf;                   /* the whole file */
    size_t len, off;                      /* its size; where the data starts */
    char descr[NPY_STR];
    int fortran, ndims;                   /* -1 until the header sets them */
    uint64_t shape[NPY_MAX_DIMS];
    char kind;                            /* 'u', 'i' or 'f', from descr */
    int esize;                            /* bytes per element */
    size_t count;                         /* elements: the product of shape */
    char *err;
    size_t errlen;
} npy_file;

/* The header text being parsed. */
typedef struct lex {
    const char *p, *start, *end;
} lex;

RT_PRINTF_LIKE(3, 4)
static int npy_err(const npy_file *f, const char *field, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (!f->err || f->errlen == 0)
        return -1;
    k = snprintf(f->err, f->errlen, "%s: error: %s: ", f->path, field);
    if (k >= 0 && (size_t)k < f->errlen) {
        va_start(ap, fmt);
        vsnprintf(f->err + k, f->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "(n, 28, 28)" as Python prints the tuple. */
static const char *shape_str(const npy_file *f, char *s, size_t sl)
{
    size_t k = 0;

    snprintf(s, sl, "(");
    for (int i = 0; i < f->ndims && (k = strlen(s)) < sl; i++)
        snprintf(s + k, sl - k, "%s%llu", i ? ", " : "", (unsigned long long)f->shape[i]);
    k = strlen(s);
    snprintf(s + k, sl - k, "%s)", f->ndims == 1 ? "," : "");
    return s;
}

/* ------------------------------------------------------------------ */
/* The header: a Python dict literal                                   */
/* ------------------------------------------------------------------ */

static int syntax(const npy_file *f, const lex *x, const char *what)
{
    return npy_err(f, "header", "not a valid Python dict literal: expected %s at byte %ld of "
                   "the header", what, (long)(x->p - x->start));
}

static void skip_ws(lex *x)
{
    while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
        x->p++;
}

static int peek(lex *x, char c)
{
    skip_ws(x);
    return x->p < x->end && *x->p == c;
}

/* A quoted string without escapes (numpy writes none in this header). */
static int parse_string(const npy_file *f, lex *x, char *out, const char *what)
{
    const char *q;
    char quote;

    skip_ws(x);
    if (x->p >= x->end || (*x->p != '\'' && *x->p != '"'))
        return syntax(f, x, what);
    quote = *x->p++;
    for (q = x->p; q < x->end && *q != quote && *q != '\\' && *q != '\n'; q++)
        ;
    if (q < x->end && *q == '\\')
        return npy_err(f, "header", "escape sequences in strings are not supported (byte %ld)",
                       (long)(q - x->start));
    if (q >= x->end || *q != quote) {
        x->p = q;
        return syntax(f, x, "the closing quote");
    }
    if (q - x->p >= NPY_STR)
        return npy_err(f, "header", "the string at byte %ld is longer than %d characters "
                       "(no key or dtype of a .npy header is)", (long)(x->p - 1 - x->start),
                       NPY_STR - 1);
    memcpy(out, x->p, (size_t)(q - x->p));
    out[q - x->p] = '\0';
    x->p = q + 1;
    return 0;
}

static int parse_bool(npy_file *f, lex *x)
{
    skip_ws(x);
    if (x->end - x->p >= 4 && !memcmp(x->p, "True", 4))
        f->fortran = 1, x->p += 4;
    else if (x->end - x->p >= 5 && !memcmp(x->p, "False", 5))
        f->fortran = 0, x->p += 5;
    else
        return npy_err(f, "'fortran_order'", "expected True or False at byte %ld of the header",
                       (long)(x->p - x->start));
    return 0;
}

/* A non-negative Python int; Python 2's numpy wrote longs as 60000L. */
static int parse_dim(npy_file *f, lex *x, uint64_t *v)
{
    const char *s;

    skip_ws(x);
    s = x->p;
    *v = 0;
    while (x->p < x->end && *x->p >= '0' && *x->p <= '9') {
        if (*v > (UINT64_MAX - 9) / 10)
            return npy_err(f, "'shape'", "a dimension is too large");
        *v = *v * 10 + (uint64_t)(*x->p++ - '0');
    }
    if (x->p == s)
        return npy_err(f, "'shape'", "expected a non-negative int at byte %ld of the header",
                       (long)(x->p - x->start));
    if (*s == '0' && x->p - s > 1)
        return npy_err(f, "'shape'", "%.*s is not a Python int (leading zero)",
                       (int)(x->p - s), s);
    if (x->p < x->end && *x->p == 'L')
        x->p++;
    return 0;
}

/* A tuple of ints: (), (5,), (3, 4) or (3, 4,). */
static int parse_shape(npy_file *f, lex *x)
{
    int n = 0, comma = 0;

    if (!peek(x, '('))
        return npy_err(f, "'shape'", "expected a tuple such as (60000, 28, 28) at byte %ld of "
                       "the header", (long)(x->p - x->start));
    x->p++;
    while (!peek(x, ')')) {
        if (n == NPY_MAX_DIMS)
            return npy_err(f, "'shape'", "more than %d dimensions (n and at most %d per sample)",
                           NPY_MAX_DIMS, RT_MAX_RANK);
        if (parse_dim(f, x, &f->shape[n++]))
            return -1;
        comma = peek(x, ',');
        if (comma)
            x->p++;
        else if (!peek(x, ')'))
            return syntax(f, x, "',' or ')' in the shape tuple");
    }
    x->p++;
    if (n == 1 && !comma)
        return npy_err(f, "'shape'", "(%llu) is an int, not a tuple; a 1-tuple is (%llu,)",
                       (unsigned long long)f->shape[0], (unsigned long long)f->shape[0]);
    f->ndims = n;
    return 0;
}

static int parse_value(npy_file *f, lex *x, const char *key)
{
    if (!strcmp(key, "descr")) {
        if (f->descr[0])
            return npy_err(f, "header", "duplicate key 'descr'");
        if (peek(x, '[') || peek(x, '{'))
            return npy_err(f, "'descr'", "structured dtypes are not supported (expected a "
                           "string such as '<f4')");
        if (parse_string(f, x, f->descr, "a dtype string such as '<f4' for 'descr'"))
            return -1;
        return f->descr[0] ? 0 : npy_err(f, "'descr'", "empty dtype string");
    }
    if (!strcmp(key, "fortran_order")) {
        if (f->fortran >= 0)
            return npy_err(f, "header", "duplicate key 'fortran_order'");
        return parse_bool(f, x);
    }
    if (!strcmp(key, "shape")) {
        if (f->ndims >= 0)
            return npy_err(f, "header", "duplicate key 'shape'");
        return parse_shape(f, x);
    }
    return npy_err(f, "header", "unexpected key '%s' (a .npy header has exactly 'descr', "
                   "'fortran_order' and 'shape')", key);
}

static int parse_header(npy_file *f, const char *h, size_t hlen)
{
    lex x = {h, h, h + hlen};
    char key[NPY_STR];

    if (!peek(&x, '{'))
        return syntax(f, &x, "'{'");
    x.p++;
    while (!peek(&x, '}')) {
        if (parse_string(f, &x, key, "a quoted key or '}'"))
            return -1;
        if (!peek(&x, ':'))
            return syntax(f, &x, "':' after a key");
        x.p++;
        if (parse_value(f, &x, key))
            return -1;
        if (peek(&x, ','))
            x.p++;
        else if (!peek(&x, '}'))
            return syntax(f, &x, "',' or '}'");
    }
    x.p++;
    skip_ws(&x);
    if (x.p != x.end)
        return syntax(f, &x, "only spaces and a newline after the closing '}'");
    if (!f->descr[0] || f->fortran < 0 || f->ndims < 0)
        return npy_err(f, "header", "missing key '%s'", !f->descr[0] ? "descr"
                       : f->fortran < 0 ? "fortran_order" : "shape");
    return 0;
}

/* ------------------------------------------------------------------ */
/* The file                                                            */
/* ------------------------------------------------------------------ */

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Magic, version, header length and the header itself. */
static int npy_open(npy_file *f)
{
    const unsigned char *b = f->buf;
    size_t pre;
    uint64_t hlen;

    if (f->len < 6 || memcmp(b, NPY_MAGIC, 6))
        return npy_err(f, "magic", "not a .npy file (it does not start with \\x93NUMPY)%s",
                       f->len >= 4 && !memcmp(b, "PK\3\4", 4)
                       ? "; this is a .npz (zip) archive: save each array with np.save" : "");
    if (f->len < 8)
        return npy_err(f, "version", "truncated (the file has %zu bytes)", f->len);
    if ((b[6] != 1 && b[6] != 2 && b[6] != 3) || b[7] != 0)
        return npy_err(f, "version", "%d.%d is not supported (1.0, 2.0 and 3.0 are)", b[6], b[7]);
    pre = b[6] == 1 ? 10 : 12;
    if (f->len < pre)
        return npy_err(f, "header length", "truncated (the file has %zu bytes)", f->len);
    hlen = le(b + 8, (int)pre - 8);
    if (hlen > NPY_MAX_HEADER)
        return npy_err(f, "header length", "%llu bytes, more than the %d a header of "
                       "these dtypes can need", (unsigned long long)hlen, NPY_MAX_HEADER);
    if (hlen > f->len - pre)
        return npy_err(f, "header length", "%llu bytes, but only %zu follow (truncated)",
                       (unsigned long long)hlen, f->len - pre);
    f->off = pre + (size_t)hlen;
    return parse_header(f, (const char *)b + pre, (size_t)hlen);
}

/* The dtypes numpy writes as "<f4": byte order, kind, size. */
static int known_dtype(const char *d)
{
    int order, kind, size;

    if (strlen(d) != 3)
        return 0;
    order = d[0], kind = d[1], size = d[2] - '0';
    if (order != '<' && order != '>' && order != '|')
        return 0;
    if (kind == 'u' || kind == 'i')
        return size == 1 || (order != '|' && (size == 2 || size == 4 || size == 8));
    return kind == 'f' && order != '|' && (size == 2 || size == 4 || size == 8);
}

/* descr for a role: samples (uint8 or float32) or labels (integers,
   float32 or float64). */
static int check_descr(npy_file *f, int labels)
{
    const char *d = f->descr;

    if (!known_dtype(d))
        return npy_err(f, "'descr'", "dtype '%s' is not supported; %s", d, labels
                       ? "labels are integers (u1, i1, <i2, <u2, <i4, <u4, <i8, <u8) or "
                         "floats (<f4, <f8)"
                       : "samples are uint8 ('|u1') or float32 ('<f4')");
    f->kind = d[1];
    f->esize = d[2] - '0';
    if (d[0] == '>' && f->esize > 1)
        return npy_err(f, "'descr'", "'%s' is big-endian, which is not supported; convert "
                       "with %s", d, labels ? (f->kind == 'f' ? "y.astype('<f4')"
                       : "y.astype('<i8')") : "x.astype('<f4')");
    if (labels && f->kind == 'f' && f->esize == 2)
        return npy_err(f, "'descr'", "'%s' (float16) is not supported for labels; convert "
                       "with y.astype(np.float32)", d);
    if (!labels && !(f->kind == 'u' && f->esize == 1) && !(f->kind == 'f' && f->esize == 4))
        return npy_err(f, "'descr'", "'%s'%s is not supported; samples are uint8 ('|u1') or "
                       "float32 ('<f4'): convert with x.astype(np.float32)", d,
                       f->kind == 'f' && f->esize == 8 ? " (float64)" : "");
    return 0;
}

/* The shape's element count against the data bytes really there. */
static int check_size(npy_file *f)
{
    char s[160];
    size_t have = f->len - f->off, need = (size_t)f->esize;

    for (int i = 0; i < f->ndims; i++)
        if (f->shape[i] == 0)
            return npy_err(f, "'shape'", "%s contains a zero: no data",
                           shape_str(f, s, sizeof s));
    for (int i = 0; i < f->ndims; i++) {
        if (f->shape[i] > SIZE_MAX / need)
            return npy_err(f, "'shape'", "%s overflows: its byte count does not fit in %zu "
                           "bits", shape_str(f, s, sizeof s), 8 * sizeof(size_t));
        need *= (size_t)f->shape[i];
    }
    if (need != have)
        return npy_err(f, "data", "'shape' %s of '%s' needs %zu bytes, the file has %zu "
                       "(%s)", shape_str(f, s, sizeof s), f->descr, need, have,
                       need > have ? "truncated" : "trailing bytes");
    f->count = need / (size_t)f->esize;
    return 0;
}

static int check_common(npy_file *f, int labels)
{
    if (check_descr(f, labels))
        return -1;
    if (f->fortran)
        return npy_err(f, "'fortran_order'", "True (column-major) is not supported; save "
                       "np.ascontiguousarray(%s)", labels ? "y" : "x");
    return 0;
}

/* x: the samples, moved to the front of the file buffer (no second copy). */
static int npy_samples(npy_file *f, rt_dataset *d)
{
    int dims[RT_MAX_RANK];
    unsigned char *b;

    if (check_common(f, 0))
        return -1;
    if (f->ndims < 1)
        return npy_err(f, "'shape'", "() is a scalar; samples are [n, ...]");
    if (check_size(f))
        return -1;
    memmove(f->buf, f->buf + f->off, f->count * (size_t)f->esize);
    for (size_t i = 0; f->kind == 'f' && i < f->count; i++) {
        uint32_t u = (uint32_t)le(f->buf + 4 * i, 4);
        float v;

        memcpy(&v, &u, sizeof v);
        if (!isfinite(v))
            return npy_err(f, "data", "value %zu is not finite (%s)", i, isnan(v) ? "nan" : "inf");
        memcpy(f->buf + 4 * i, &v, sizeof v);
    }
    b = realloc(f->buf, f->count * (size_t)f->esize);
    f->buf = b ? b : f->buf;
    /* check_size proved count * esize <= the file's size <= INT_MAX */
    for (int i = 1; i < f->ndims; i++)
        dims[i - 1] = (int)f->shape[i];
    d->n = (int)f->shape[0];
    rt_dataset_dims(d, f->ndims - 1, dims);
    if (f->kind == 'f')
        d->xf = (float *)(void *)f->buf; /* malloc'd: aligned for float */
    else
        d->pix = f->buf;
    f->buf = NULL;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Labels                                                              */
/* ------------------------------------------------------------------ */

/* Element i of an integer label file: 1 if negative, the magnitude in *mag. */
static int int_at(const npy_file *f, size_t i, uint64_t *mag)
{
    int bits = 8 * f->esize;
    uint64_t u = le(f->buf + f->off + i * (size_t)f->esize, f->esize);
    uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    int neg = f->kind == 'i' && (u >> (bits - 1) & 1);

    *mag = neg ? (~u + 1) & mask : u;
    return neg;
}

/* Element i of a float label file (<f4 or <f8). */
static double float_at(const npy_file *f, size_t i)
{
    uint64_t u = le(f->buf + f->off + i * (size_t)f->esize, f->esize);

    if (f->esize == 4) {
        uint32_t u4 = (uint32_t)u;
        float v;

        memcpy(&v, &u4, sizeof v);
        return v;
    } else {
        double v;

        memcpy(&v, &u, sizeof v);
        return v;
    }
}

/* "at index 7" for [n] and [n, 1], "at [3, 1]" for [n, K]. */
static const char *where(const npy_file *f, size_t i, char *s, size_t sl)
{
    size_t k = f->ndims == 2 ? (size_t)f->shape[1] : 1;

    if (k == 1)
        snprintf(s, sl, "at index %zu", i);
    else
        snprintf(s, sl, "at [%zu, %zu]", i / k, i % k);
    return s;
}

/* Integer labels [n] into y: in [0, classes), or (classes 0) in int range. */
static int labels_int(const npy_file *f, int classes, int *y)
{
    char at[64];

    for (size_t i = 0; i < f->count; i++) {
        uint64_t m;
        int neg = int_at(f, i, &m);

        if (classes > 0 && (neg || m >= (uint64_t)classes))
            return npy_err(f, "labels", "label %s%llu %s is out of range [0, %d)", neg ? "-" : "",
                           (unsigned long long)m, where(f, i, at, sizeof at), classes);
        if (m > (uint64_t)INT_MAX + (uint64_t)neg)
            return npy_err(f, "labels", "label %s%llu %s does not fit in an int", neg ? "-" : "",
                           (unsigned long long)m, where(f, i, at, sizeof at));
        y[i] = neg ? (int)(-(int64_t)m) : (int)m;
    }
    return 0;
}

/* Float labels [n] into y (classes > 0): each must be a whole number in
   range, as np.float32 class indices from a pandas column are. */
static int labels_float_class(const npy_file *f, int classes, int *y)
{
    char at[64];

    for (size_t i = 0; i < f->count; i++) {
        double v = float_at(f, i);

        if (!isfinite(v) || v != floor(v))
            return npy_err(f, "labels", "label %.9g %s is not an integer (classes %d wants "
                           "class indices 0..%d)", v, where(f, i, at, sizeof at), classes,
                           classes - 1);
        if (v < 0 || v >= classes)
            return npy_err(f, "labels", "label %.9g %s is out of range [0, %d)", v,
                           where(f, i, at, sizeof at), classes);
        y[i] = (int)v;
    }
    return 0;
}

/* Targets [n] or [n, K] into yf (classes 0): floats, finite in float32,
   or integers small enough (|v| <= 2^24) for float32 to hold exactly. */
static int targets_float(const npy_file *f, float *yf)
{
    char at[64];

    for (size_t i = 0; i < f->count; i++) {
        uint64_t m = 0;
        int neg = f->kind == 'f' ? 0 : int_at(f, i, &m);
        double v = f->kind == 'f' ? float_at(f, i) : neg ? -(double)m : (double)m;

        if (f->kind != 'f' && m > (UINT64_C(1) << 24))
            return npy_err(f, "labels", "value %s%llu %s is too large for float32 to hold "
                           "exactly (|v| > 2^24)", neg ? "-" : "", (unsigned long long)m,
                           where(f, i, at, sizeof at));
        yf[i] = (float)v;
        if (!isfinite(yf[i]))
            return npy_err(f, "labels", "value %g %s is not finite%s", v, where(f, i, at,
                           sizeof at), isfinite(v) ? " in float32" : "");
    }
    return 0;
}

/* y: class labels [n] or [n, 1] (Keras's CIFAR-10 has the latter) into
   d->y, or (classes 0) targets into d->y or d->yf; see data.h. */
static int npy_labels(npy_file *f, int classes, rt_dataset *d)
{
    char s[160];
    size_t k;
    int to_float;

    if (check_common(f, 1))
        return -1;
    if (f->ndims != 1 && f->ndims != 2)
        return npy_err(f, "'shape'", "%s: labels are [n] or [n, K]", shape_str(f, s, sizeof s));
    k = f->ndims == 2 ? (size_t)f->shape[1] : 1;
    if (classes > 0 && k != 1)
        return npy_err(f, "'shape'", "%s: class labels are [n] or [n, 1] (one-hot rows "
                       "convert with y.argmax(axis=1))", shape_str(f, s, sizeof s));
    if (check_size(f))
        return -1;
    to_float = classes == 0 && (f->kind == 'f' || k > 1);
    if (to_float) {
        if (!(d->yf = malloc(f->count * sizeof *d->yf + 1)))
            return npy_err(f, "labels", "out of memory for %zu labels", f->count);
        d->y_dim = (int)k; /* check_size: count <= the file's size <= INT_MAX */
        return targets_float(f, d->yf);
    }
    if (!(d->y = malloc(f->count * sizeof *d->y + 1)))
        return npy_err(f, "labels", "out of memory for %zu labels", f->count);
    return f->kind == 'f' ? labels_float_class(f, classes, d->y) : labels_int(f, classes, d->y);
}

static int npy_read(npy_file *f, const char *path, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->path = path, f->err = err, f->errlen = errlen;
    f->fortran = f->ndims = -1;
    if (rt_read_all(path, &f->buf, &f->len, err, errlen))
        return -1;
    return npy_open(f);
}

int rt_load_npy_pair(const char *x_path, const char *y_path, int classes,
                     rt_dataset *out, char *err, size_t errlen)
{
    rt_dataset d = {0};
    npy_file fx, fy;
    int rc = -1;

    memset(out, 0, sizeof *out);
    memset(&fy, 0, sizeof fy);
    if (classes < 0) {
        rt_set_err(err, errlen, "%s: error: classes must be >= 0, got %d", y_path, classes);
        return -1;
    }
    if (npy_read(&fx, x_path, err, errlen) == 0 && npy_samples(&fx, &d) == 0 &&
        npy_read(&fy, y_path, err, errlen) == 0 && npy_labels(&fy, classes, &d) == 0) {
        if (fy.shape[0] != (uint64_t)d.n)
            npy_err(&fy, "'shape'", "%llu labels but %s has %d samples",
                    (unsigned long long)fy.shape[0], x_path, d.n);
        else if (rt_dataset_src(&d, x_path, err, errlen) == 0)
            rc = 0;
    }
    free(fx.buf);
    free(fy.buf);
    if (rc) {
        rt_dataset_free(&d);
        return -1;
    }
    *out = d;
    return 0;
}

int rt_load_npy_dir(const char *dir, int which, int classes,
                    rt_dataset *out, char *err, size_t errlen)
{
    static const char *const x[2][1] = {{"x_train.npy"}, {"x_test.npy"}};
    static const char *const y[2][1] = {{"y_train.npy"}, {"y_test.npy"}};
    const char *const *const xr[2] = {x[0], x[1]}, *const *const yr[2] = {y[0], y[1]};
    return rt_load_dir_pair(dir, which, xr, 1, yr, 1, "test", rt_load_npy_pair,
                            classes, out, err, errlen);
}
