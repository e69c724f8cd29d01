/* idx.c - IDX files (LeCun's MNIST format) of any rank, and MNIST-style
 * directories.  An IDX file is a magic 0x0000TTNN (TT the element type, NN
 * the number of dims), NN big-endian uint32 dims, then the elements in
 * row-major order.  Samples are u8 (0x08) or big-endian float32 (0x0D) with
 * 1..4 dims (n, then each sample's); labels are u8 with one dim (n), always
 * integer class labels (y), range-checked unless classes is 0. */
#include "loader.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_U8  0x08
#define IDX_F32 0x0D
#define IDX_MAX_DIMS 4 /* n and up to 3 per sample */

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

static const char *type_name(unsigned t)
{
    switch (t) {
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0E: return "float64";
    default: return NULL;
    }
}

/* Checks the magic of a samples file (labels = 0) or a labels file; sets
   the element type and the number of dims. */
static int idx_magic(const char *path, uint32_t m, int labels, unsigned *type, int *ndims,
                     char *err, size_t errlen)
{
    unsigned t = m >> 8 & 0xFF, nd = m & 0xFF;

    if (labels && m != IDX_LABELS_MAGIC) {
        int swapped = (m >> 16) == 0 && (t == IDX_U8 || t == IDX_F32) && nd >= 2 && nd <= 4;
        rt_set_err(err, errlen, "%s: error: bad magic 0x%08lx, expected 0x%08lx (IDX labels)%s",
                   path, (unsigned long)m, (unsigned long)IDX_LABELS_MAGIC,
                   swapped ? "; images and labels files swapped?" : "");
        return -1;
    }
    if ((m >> 16) != 0 || (t != IDX_U8 && t != IDX_F32 && !type_name(t))) {
        rt_set_err(err, errlen, "%s: error: bad magic 0x%08lx: not an IDX file (expected "
                   "0x000008NN for unsigned bytes or 0x00000DNN for float32, NN = 1..4 dims)",
                   path, (unsigned long)m);
        return -1;
    }
    if (t != IDX_U8 && t != IDX_F32) {
        rt_set_err(err, errlen, "%s: error: magic 0x%08lx: IDX type 0x%02X (%s) is not "
                   "supported; samples must be 0x08 (unsigned byte) or 0x0D (float32)",
                   path, (unsigned long)m, t, type_name(t));
        return -1;
    }
    if (nd < 1 || nd > IDX_MAX_DIMS) {
        rt_set_err(err, errlen, "%s: error: magic 0x%08lx: %u dims; expected 1..%d (the count "
                   "n, then each sample's dims)", path, (unsigned long)m, nd, IDX_MAX_DIMS);
        return -1;
    }
    *type = t;
    *ndims = (int)nd;
    return 0;
}

/* Reads the dims and requires the payload after the header to be exactly
   their product times the element size.  This check, against the bytes we
   really have, is what makes every later allocation safe. */
static int idx_dims(const char *path, const unsigned char *b, size_t len, int ndims,
                    size_t esize, uint32_t *dims, char *err, size_t errlen)
{
    size_t hdr = 4 + 4 * (size_t)ndims, need = esize;
    char ds[64];

    if (len < hdr) {
        rt_set_err(err, errlen, "%s: error: truncated IDX header (%zu bytes, need %zu)",
                   path, len, hdr);
        return -1;
    }
    for (int i = 0; i < ndims; i++)
        dims[i] = be32(b + 4 + 4 * (size_t)i);
    dims_str(dims, ndims, ds, sizeof ds);
    for (int i = 0; i < ndims; i++) {
        if (dims[i] == 0) {
            rt_set_err(err, errlen, "%s: error: header dims %s contain a zero: no data", path, ds);
            return -1;
        }
        if (need > SIZE_MAX / dims[i]) {
            rt_set_err(err, errlen, "%s: error: header dims %s overflow", path, ds);
            return -1;
        }
        need *= dims[i];
    }
    if (need > len - hdr) {
        rt_set_err(err, errlen, "%s: error: truncated: header dims %s need %zu data bytes, "
                   "file has %zu", path, ds, need, len - hdr);
        return -1;
    }
    if (need < len - hdr) {
        rt_set_err(err, errlen, "%s: error: trailing garbage: %zu bytes after the %zu data "
                   "bytes of header dims %s", path, len - hdr - need, need, ds);
        return -1;
    }
    return 0;
}

/* Big-endian float32 to host floats in place; every one must be finite
   (a NaN input would only surface later as a diverged loss). */
static int idx_floats(const char *path, unsigned char *b, size_t count, char *err, size_t errlen)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t u = be32(b + 4 * i);
        float f;

        memcpy(&f, &u, sizeof f);
        if (!isfinite(f)) {
            rt_set_err(err, errlen, "%s: error: data: value %zu is not finite (%s)", path, i,
                       isnan(f) ? "nan" : "inf");
            return -1;
        }
        memcpy(b + 4 * i, &f, sizeof f);
    }
    return 0;
}

static int load_samples(const char *path, rt_dataset *d, char *err, size_t errlen)
{
    unsigned char *b, *shrunk;
    size_t len, hdr;
    uint32_t dims[IDX_MAX_DIMS];
    int sdims[IDX_MAX_DIMS], ndims;
    unsigned type;

    if (rt_read_all(path, &b, &len, err, errlen))
        return -1;
    if (len < 4) {
        rt_set_err(err, errlen, "%s: error: truncated IDX header (%zu bytes, need 4)", path, len);
        free(b);
        return -1;
    }
    if (idx_magic(path, be32(b), 0, &type, &ndims, err, errlen) ||
        idx_dims(path, b, len, ndims, type == IDX_F32 ? 4 : 1, dims, err, errlen)) {
        free(b);
        return -1;
    }
    /* Reuse the file buffer for the values: slide the payload over the
       header instead of holding two copies of a large file. */
    hdr = 4 + 4 * (size_t)ndims;
    len -= hdr;
    memmove(b, b + hdr, len);
    if (type == IDX_F32 && idx_floats(path, b, len / 4, err, errlen)) {
        free(b);
        return -1;
    }
    shrunk = realloc(b, len);
    b = shrunk ? shrunk : b;
    if (type == IDX_F32)
        d->xf = (float *)(void *)b; /* malloc'd: aligned for float */
    else
        d->pix = b;
    /* idx_dims proved the product <= len <= INT_MAX, so each dim fits. */
    d->n = (int)dims[0];
    for (int i = 1; i < ndims; i++)
        sdims[i - 1] = (int)dims[i];
    rt_dataset_dims(d, ndims - 1, sdims);
    return 0;
}

static int load_labels(const char *path, int classes, int **y, int *n, char *err, size_t errlen)
{
    unsigned char *b;
    size_t len;
    uint32_t dim;
    unsigned type;
    int *lab, nd;

    if (rt_read_all(path, &b, &len, err, errlen))
        return -1;
    if (len >= 4 && idx_magic(path, be32(b), 1, &type, &nd, err, errlen)) {
        free(b);
        return -1;
    }
    if (idx_dims(path, b, len, 1, 1, &dim, err, errlen)) {
        free(b);
        return -1;
    }
    lab = calloc(dim, sizeof *lab); /* calloc checks dim*sizeof for overflow */
    if (!lab) {
        rt_set_err(err, errlen, "%s: error: out of memory for %lu labels", path, (unsigned long)dim);
        free(b);
        return -1;
    }
    for (uint32_t i = 0; i < dim; i++) {
        lab[i] = b[8 + i];
        if (classes > 0 && lab[i] >= classes) { /* 0: the caller checks */
            rt_set_err(err, errlen, "%s: error: label %d at index %lu is out of range [0, %d)",
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
    if (classes < 0) {
        rt_set_err(err, errlen, "%s: error: classes must be >= 0, got %d", labels_path, classes);
        return -1;
    }
    if (load_samples(images_path, &d, err, errlen))
        return -1;
    if (load_labels(labels_path, classes, &y, &ny, err, errlen) ||
        rt_check_counts(labels_path, ny, images_path, d.n, err, errlen) ||
        rt_dataset_src(&d, images_path, err, errlen)) {
        free(y);
        rt_dataset_free(&d);
        return -1;
    }
    d.y = y;
    *out = d;
    return 0;
}

int rt_load_mnist_dir(const char *dir, int which, int classes,
                      rt_dataset *out, char *err, size_t errlen)
{
    static const char *const images[2][2] = {
        {"train-images-idx3-ubyte", "train-images-idx4-ubyte"},
        {"t10k-images-idx3-ubyte", "t10k-images-idx4-ubyte"}};
    static const char *const labels[2][1] = {{"train-labels-idx1-ubyte"}, {"t10k-labels-idx1-ubyte"}};
    const char *const *const ir[2] = {images[0], images[1]}, *const *const lr[2] = {labels[0], labels[1]};
    return rt_load_dir_pair(dir, which, ir, 2, lr, 1, "t10k", rt_load_idx_pair,
                            classes, out, err, errlen);
}
