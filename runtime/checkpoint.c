/* checkpoint.c - everything a run needs to continue bit for bit:
 *   "SEQCCKP1", u32 n_params, u32 batch_size, u32 n_train, u64 seed,
 *   f64 learning_rate, beta_1, beta_2, epsilon,     (must match to resume)
 *   u32 epoch, u32 next batch, u64 adam t, f64 loss sum, u64 correct,
 *   f64 seconds,                                      (position in the run)
 *   f32 params[P], f32 m[P], f32 v[P], u32 CRC-32 of all preceding bytes.
 * Little-endian hosts only (checked at build time below), like the rest of
 * the runtime's fast paths; files are written atomically (temp, fsync,
 * rename), so a crash leaves the previous checkpoint intact. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model.h"
#include "rt.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints are written in host order, which must be little-endian"
#endif

#define MAGIC "SEQCCKP1"

typedef struct header {
    char magic[8];
    uint32_t n_params, batch_size, n_train, pad0;
    uint64_t seed;
    double lr, beta_1, beta_2, epsilon;
    uint32_t epoch, batch;
    uint64_t t;
    double loss_sum;
    uint64_t correct;
    double seconds;
} header;

int rt_checkpoint_save(const char *path, const rt_config *c, int n_train, const rt_position *pos,
                       const float *params, const rt_adam *a, char *err, size_t errlen)
{
    header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    h.n_params = MODEL_N_PARAMS, h.batch_size = (uint32_t)c->batch_size, h.n_train = (uint32_t)n_train;
    h.seed = c->seed, h.lr = c->lr, h.beta_1 = c->beta_1, h.beta_2 = c->beta_2, h.epsilon = c->epsilon;
    h.epoch = (uint32_t)pos->epoch, h.batch = (uint32_t)pos->batch, h.t = (uint64_t)a->t;
    h.loss_sum = pos->loss_sum, h.correct = (uint64_t)pos->correct, h.seconds = pos->seconds;
    const size_t P = sizeof(float) * MODEL_N_PARAMS, len = sizeof h + 3 * P + 4;
    unsigned char *buf = malloc(len);
    if (!buf)
        return snprintf(err, errlen, "%s: error: out of memory", path), -1;
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, params, P);
    memcpy(buf + sizeof h + P, a->m, P);
    memcpy(buf + sizeof h + 2 * P, a->v, P);
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
    memcpy(buf + len - 4, &crc, 4);
    int rc = rt_write_atomic(path, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* Settings that change the arithmetic must match the checkpoint's. */
static int same_settings(const header *h, const rt_config *c, int n_train, char *why, size_t len)
{
    if (h->batch_size != (uint32_t)c->batch_size)
        return snprintf(why, len, "made with --batch-size %u, this run has %d", h->batch_size, c->batch_size), 0;
    if (h->seed != c->seed)
        return snprintf(why, len, "made with --seed %llu, this run has %lu", (unsigned long long)h->seed, c->seed), 0;
    if (h->lr != c->lr || h->beta_1 != c->beta_1 || h->beta_2 != c->beta_2 || h->epsilon != c->epsilon)
        return snprintf(why, len, "made with other Adam settings (learning rate %g)", h->lr), 0;
    if (h->n_train != (uint32_t)n_train)
        return snprintf(why, len, "made on %u training images, this run has %d", h->n_train, n_train), 0;
    return 1;
}

int rt_checkpoint_load(const char *path, const rt_config *c, int n_train, rt_position *pos,
                       float *params, rt_adam *a, char *err, size_t errlen)
{
    const size_t P = sizeof(float) * MODEL_N_PARAMS, want = sizeof(header) + 3 * P + 4;
    unsigned char *buf = malloc(want + 1);
    char why[256] = "";
    FILE *f = fopen(path, "rb");
    if (!f || !buf) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, f ? "out of memory" : strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return -1;
    }
    size_t got = fread(buf, 1, want + 1, f);
    fclose(f);
    header h;
    uint32_t crc;
    if (got >= sizeof h)
        memcpy(&h, buf, sizeof h);
    if (got < sizeof h || memcmp(h.magic, MAGIC, 8))
        snprintf(why, sizeof why, "not a seqc checkpoint (magic SEQCCKP1 missing)");
    else if (h.n_params != MODEL_N_PARAMS)
        snprintf(why, sizeof why, "made for a model with %u parameters, this one has %d", h.n_params, MODEL_N_PARAMS);
    else if (got != want)
        snprintf(why, sizeof why, "%zu bytes, expected %zu: truncated or damaged", got, want);
    else if (memcpy(&crc, buf + want - 4, 4), crc != (uint32_t)crc32(0L, buf, (uInt)(want - 4)))
        snprintf(why, sizeof why, "CRC-32 mismatch: the checkpoint is damaged");
    else if (same_settings(&h, c, n_train, why, sizeof why)) {
        memcpy(params, buf + sizeof h, P);
        memcpy(a->m, buf + sizeof h + P, P);
        memcpy(a->v, buf + sizeof h + 2 * P, P);
        a->t = (long)h.t;
        pos->epoch = (int)h.epoch, pos->batch = (int)h.batch;
        pos->loss_sum = h.loss_sum, pos->correct = (long)h.correct, pos->seconds = h.seconds;
    }
    free(buf);
    if (why[0])
        return snprintf(err, errlen, "%s: error: %s", path, why), -1;
    return 0;
}
