/* checkpoint.c - everything a run needs to continue bit for bit:
 *   "SEQCCKP2", u32 n_params, u32 batch_size, u32 n_train, u32 0, u64 seed,
 *   rt_optim_config (rt.h: the optimizer, its options and its learning-rate
 *   schedule; 8 x i32, then f64s),                      (must match to resume)
 *   u32 epoch, u32 next batch, u64 optimizer iterations t, f64 loss sum,
 *   u64 correct, f64 seconds, f64 nadam's u_product, u32 slots k, u32 0,
 *                                                     (position in the run)
 *   f32 params[P], k x f32 slot[P] (the optimizer's state: Adam's m, v, ...),
 *   u32 CRC-32 of all preceding bytes.
 * SEQCCKP1 (seqc before the optimizers, Adam only) is refused with its
 * name.  Little-endian hosts only (checked at build time below), like the
 * rest of the runtime's fast paths; files are written atomically (temp,
 * fsync, rename), so a crash leaves the previous checkpoint intact. */
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

#define MAGIC "SEQCCKP2"

typedef struct header {
    char magic[8];
    uint32_t n_params, batch_size, n_train, pad0;
    uint64_t seed;
    rt_optim_config optim;
    uint32_t epoch, batch;
    uint64_t t;
    double loss_sum;
    uint64_t correct;
    double seconds;
    double u_product;
    uint32_t n_slots, pad1;
} header;

/* the layout README.md documents: no padding anywhere */
_Static_assert(sizeof(rt_optim_config) == 8 * 4 + 8 * (16 + RT_LR_MAX_BOUNDARIES + RT_LR_MAX_BOUNDARIES + 1),
               "rt_optim_config has padding");
_Static_assert(sizeof(header) == 768, "the SEQCCKP2 header is 768 bytes");

int rt_checkpoint_save(const char *path, const rt_config *c, int n_train, const rt_position *pos,
                       const float *params, const rt_optim *o, char *err, size_t errlen)
{
    header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    h.n_params = MODEL_N_PARAMS, h.batch_size = (uint32_t)c->batch_size, h.n_train = (uint32_t)n_train;
    h.seed = c->seed, h.optim = o->c;
    h.epoch = (uint32_t)pos->epoch, h.batch = (uint32_t)pos->batch, h.t = (uint64_t)o->t;
    h.loss_sum = pos->loss_sum, h.correct = (uint64_t)pos->correct, h.seconds = pos->seconds;
    h.u_product = o->u_product, h.n_slots = (uint32_t)o->n_slots;
    const size_t P = sizeof(float) * MODEL_N_PARAMS, len = sizeof h + (1 + (size_t)o->n_slots) * P + 4;
    unsigned char *buf = malloc(len);
    if (!buf)
        return snprintf(err, errlen, "%s: error: out of memory", path), -1;
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, params, P);
    for (int s = 0; s < o->n_slots; s++)
        memcpy(buf + sizeof h + (1 + (size_t)s) * P, o->slot[s], P);
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
    memcpy(buf + len - 4, &crc, 4);
    int rc = rt_write_atomic(path, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* Settings that change the arithmetic must match the checkpoint's. */
static int same_settings(const header *h, const rt_config *c, int n_train, const rt_optim *o,
                         char *why, size_t len)
{
    char was[2048], now[2048];
    if (h->batch_size != (uint32_t)c->batch_size)
        return snprintf(why, len, "made with --batch-size %u, this run has %d", h->batch_size, c->batch_size), 0;
    if (h->seed != c->seed)
        return snprintf(why, len, "made with --seed %llu, this run has %lu", (unsigned long long)h->seed, c->seed), 0;
    rt_optim_describe(&h->optim, was, sizeof was);
    rt_optim_describe(&o->c, now, sizeof now);
    if (strcmp(was, now))
        return snprintf(why, len, "made with optimizer %s, this run has %s", was, now), 0;
    if (h->n_train != (uint32_t)n_train)
        return snprintf(why, len, "made on %u training images, this run has %d", h->n_train, n_train), 0;
    return 1;
}

int rt_checkpoint_load(const char *path, const rt_config *c, int n_train, rt_position *pos,
                       float *params, rt_optim *o, char *err, size_t errlen)
{
    const size_t P = sizeof(float) * MODEL_N_PARAMS;
    const size_t most = sizeof(header) + (1 + (size_t)RT_OPTIM_MAX_SLOTS) * P + 4;
    unsigned char *buf = malloc(most + 1);
    char why[4400] = "";
    FILE *f = fopen(path, "rb");
    if (!f || !buf) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, f ? "out of memory" : strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return -1;
    }
    size_t got = fread(buf, 1, most + 1, f), want = 0;
    fclose(f);
    header h;
    uint32_t crc;
    if (got >= sizeof h)
        memcpy(&h, buf, sizeof h), want = sizeof h + (1 + (size_t)h.n_slots) * P + 4;
    if (got >= 8 && !memcmp(buf, "SEQCCKP1", 8))
        snprintf(why, sizeof why, "an SEQCCKP1 checkpoint, from a seqc before the optimizers "
                 "(this one reads SEQCCKP2): start the run again without --resume");
    else if (got < sizeof h || memcmp(h.magic, MAGIC, 8))
        snprintf(why, sizeof why, "not a seqc checkpoint (magic " MAGIC " missing)");
    else if (h.n_params != MODEL_N_PARAMS)
        snprintf(why, sizeof why, "made for a model with %u parameters, this one has %d", h.n_params, MODEL_N_PARAMS);
    else if (h.n_slots > RT_OPTIM_MAX_SLOTS || got != want)
        snprintf(why, sizeof why, "%zu bytes, expected %zu: truncated or damaged", got,
                 h.n_slots > RT_OPTIM_MAX_SLOTS ? sizeof h + (1 + (size_t)o->n_slots) * P + 4 : want);
    else if (memcpy(&crc, buf + want - 4, 4), crc != (uint32_t)crc32(0L, buf, (uInt)(want - 4)))
        snprintf(why, sizeof why, "CRC-32 mismatch: the checkpoint is damaged");
    else if (!same_settings(&h, c, n_train, o, why, sizeof why))
        ;
    else if (h.n_slots != (uint32_t)o->n_slots)
        snprintf(why, sizeof why, "%u optimizer slots, expected %d: damaged", h.n_slots, o->n_slots);
    else {
        memcpy(params, buf + sizeof h, P);
        for (int s = 0; s < o->n_slots; s++)
            memcpy(o->slot[s], buf + sizeof h + (1 + (size_t)s) * P, P);
        o->t = (long)h.t;
        o->u_product = h.u_product;
        pos->epoch = (int)h.epoch, pos->batch = (int)h.batch;
        pos->loss_sum = h.loss_sum, pos->correct = (long)h.correct, pos->seconds = h.seconds;
    }
    free(buf);
    if (why[0])
        return snprintf(err, errlen, "%s: error: %s", path, why), -1;
    return 0;
}
