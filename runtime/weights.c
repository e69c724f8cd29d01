/* weights.c - save and load the SEQCWTS1 weights file:
 *   "SEQCWTS1", u32 tensor count, per tensor: u32 rank, u32 dims[rank],
 *   f32 values; then u32 CRC-32 (zlib) of every preceding byte.  All
 *   little-endian; tensors in Keras get_weights() order and layout. */
#define _POSIX_C_SOURCE 200809L   /* fileno, fsync */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "model.h"
#include "rt.h"

#define MAGIC "SEQCWTS1"

typedef struct buf { unsigned char *p; size_t len, cap; } buf;

static int put(buf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

static int put_u32(buf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    return put(b, le, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int put_f32(buf *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return put_u32(b, u);
}

static int serialise(buf *b, const float *params)
{
    int rc = put(b, MAGIC, 8) | put_u32(b, MODEL_N_TENSORS);
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *T = &model_tensors[t];
        rc |= put_u32(b, (uint32_t)T->rank);
        for (int d = 0; d < T->rank; d++)
            rc |= put_u32(b, (uint32_t)T->dims[d]);
        for (long i = 0; i < T->size; i++)
            rc |= put_f32(b, params[T->offset + i]);
    }
    return rc | put_u32(b, (uint32_t)crc32(0L, b->p, (uInt)b->len));
}

/* Write to PATH.tmp, fsync, rename: a crash never leaves half a file. */
int rt_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: error: cannot write: %s", tmp, strerror(errno));
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: error: cannot write: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

int rt_weights_save(const char *path, const float *params, char *err, size_t errlen)
{
    buf b = {0};
    if (serialise(&b, params)) {
        free(b.p);
        snprintf(err, errlen, "%s: error: out of memory", path);
        return -1;
    }
    int rc = rt_write_atomic(path, b.p, b.len, err, errlen);
    free(b.p);
    return rc;
}

static unsigned char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 16 + (size_t)MODEL_N_PARAMS * 4 + (size_t)MODEL_N_TENSORS * 24;
    unsigned char *p = malloc(cap + 1);
    *len = p ? fread(p, 1, cap + 1, f) : 0;
    fclose(f);
    if (!p || *len > cap) {
        snprintf(err, errlen, "%s: error: %s", path,
                 p ? "larger than this model's weights file can be" : "out of memory");
        free(p);
        return NULL;
    }
    return p;
}

/* Check the header of tensor t at *at against the model; advance *at. */
static int check_tensor(const unsigned char *p, size_t len, size_t *at, int t, char *why, size_t whylen)
{
    const model_tensor *T = &model_tensors[t];
    if (*at + 4 * (size_t)(T->rank + 1) > len) {
        snprintf(why, whylen, "truncated in the header of tensor %d (%s)", t, T->name);
        return -1;
    }
    if (get_u32(p + *at) != (uint32_t)T->rank) {
        snprintf(why, whylen, "tensor %d (%s): rank differs from this model's %d", t, T->name, T->rank);
        return -1;
    }
    *at += 4;
    for (int d = 0; d < T->rank; d++, *at += 4)
        if (get_u32(p + *at) != (uint32_t)T->dims[d]) {
            snprintf(why, whylen, "tensor %d (%s): dimension %d differs from this model's %d",
                     t, T->name, d, T->dims[d]);
            return -1;
        }
    if (*at + 4 * (size_t)T->size > len) {
        snprintf(why, whylen, "truncated in tensor %d (%s)", t, T->name);
        return -1;
    }
    return 0;
}

static int parse(const unsigned char *p, size_t len, float *params, char *why, size_t whylen)
{
    if (len < 16 || memcmp(p, MAGIC, 8)) {
        snprintf(why, whylen, "not a seqc weights file (magic SEQCWTS1 missing)");
        return -1;
    }
    if (get_u32(p + len - 4) != (uint32_t)crc32(0L, p, (uInt)(len - 4))) {
        snprintf(why, whylen, "CRC-32 mismatch: the file is corrupt or truncated");
        return -1;
    }
    if (get_u32(p + 8) != MODEL_N_TENSORS) {
        snprintf(why, whylen, "%u tensors, but this model has %d", get_u32(p + 8), MODEL_N_TENSORS);
        return -1;
    }
    size_t at = 12, end = len - 4;
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        if (check_tensor(p, end, &at, t, why, whylen))
            return -1;
        for (long i = 0; i < model_tensors[t].size; i++, at += 4) {
            uint32_t u = get_u32(p + at);
            memcpy(&params[model_tensors[t].offset + i], &u, 4);
        }
    }
    if (at != end) {
        snprintf(why, whylen, "%zu unexpected bytes after the last tensor", end - at);
        return -1;
    }
    return 0;
}

int rt_weights_load(const char *path, float *params, char *err, size_t errlen)
{
    size_t len;
    char why[256];
    unsigned char *p = slurp(path, &len, err, errlen);
    if (!p)
        return -1;
    int rc = parse(p, len, params, why, sizeof why);
    if (rc)
        snprintf(err, errlen, "%s: error: %s", path, why);
    free(p);
    return rc;
}
