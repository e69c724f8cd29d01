/* checkpoint.c - everything a run needs to continue bit for bit:
 *   "SEQCCKP4", u32 n_params, u32 batch_size, u32 n_train, u32 flags (1: train
 *   --qat; 0 in files before it, which were never --qat runs), u64 seed,
 *   rt_optim_config (rt.h: the optimizer, its options and its learning-rate
 *   schedule, as configured; 8 x i32, then f64s),       (must match to resume)
 *   u32 epoch, u32 next batch, u64 optimizer iterations t, f64 loss sum,
 *   f64 metric sum, f64 seconds, f64 nadam's u_product, u32 slots k,
 *   u32 b (1: EarlyStopping's best weights follow),    (position in the run)
 *   f64 validation_split, u32 CRC-32 of the class weights, u32 0,
 *   3 x rt_callback (rt.h: EarlyStopping, ReduceLROnPlateau,
 *   ModelCheckpoint settings),                          (must match to resume)
 *   rt_fit_state (rt.h: each callback's best, wait and cooldown, the
 *   learning rate now, stop_training),                  (the callbacks' memory)
 *   f32 params[P], k x f32 slot[P] (the optimizer's state: Adam's m, v, ...),
 *   b x f32 best[P], u32 CRC-32 of all preceding bytes.
 * SEQCCKP1 (seqc before the optimizers, Adam only), SEQCCKP2 (before the
 * losses, which counted right answers where now a metric is summed) and
 * SEQCCKP3 (before the fit() options) are refused with their names.
 * Little-endian hosts only (checked at build time below), like the rest of
 * the runtime's fast paths; files are written atomically (temp, fsync,
 * rename), so a crash leaves the previous checkpoint intact. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model.h"
#include "rt.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints are written in host order, which must be little-endian"
#endif

#define MAGIC "SEQCCKP4"
#define CKP_QAT 1u   /* header flags: the run was train --qat */

typedef struct header {
    char magic[8];
    uint32_t n_params, batch_size, n_train, flags;
    uint64_t seed;
    rt_optim_config optim;
    uint32_t epoch, batch;
    uint64_t t;
    double loss_sum;
    double metric;
    double seconds;
    double u_product;
    uint32_t n_slots, has_best;
    double validation_split;
    uint32_t class_weight_crc, pad1;
    rt_callback cb[RT_N_CALLBACKS];
    rt_fit_state fit;
} header;

/* the layout README.md documents: no padding anywhere */
_Static_assert(sizeof(rt_optim_config) == 8 * 4 + 8 * (16 + RT_LR_MAX_BOUNDARIES + RT_LR_MAX_BOUNDARIES + 1),
               "rt_optim_config has padding");
_Static_assert(sizeof(rt_callback) == 8 * 4 + 4 * 8, "rt_callback has padding");
_Static_assert(sizeof(rt_fit_state) == RT_N_CALLBACKS * (8 + 4 * 4) + 8 + 4 * 4, "rt_fit_state has padding");
_Static_assert(sizeof(header) == 1072, "the SEQCCKP4 header is 1072 bytes");

static size_t file_size(const header *h)
{
    return sizeof *h + (1 + (size_t)h->n_slots + (h->has_best ? 1 : 0)) * sizeof(float) * MODEL_N_PARAMS + 4;
}

/* The header of the run as it stands.  The optimizer is the configured one
 * (its learning rate c->lr): ReduceLROnPlateau's current rate is fit->lr,
 * so a resumed run compares its settings, not where the callbacks got to. */
static void fill_header(header *h, const rt_config *c, int n_train, const rt_position *pos,
                        const rt_optim *o, const rt_fit_state *fit, const float *best)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, MAGIC, 8);
    h->n_params = MODEL_N_PARAMS, h->batch_size = (uint32_t)c->batch_size, h->n_train = (uint32_t)n_train;
    h->flags = c->qat ? CKP_QAT : 0;
    h->seed = c->seed, h->optim = o->c, h->optim.lr = c->lr;
    h->epoch = (uint32_t)pos->epoch, h->batch = (uint32_t)pos->batch, h->t = (uint64_t)o->t;
    h->loss_sum = pos->loss_sum, h->metric = pos->metric, h->seconds = pos->seconds;
    h->u_product = o->u_product, h->n_slots = (uint32_t)o->n_slots, h->has_best = best != NULL;
    h->validation_split = c->validation_split, h->class_weight_crc = rt_class_weight_crc(c);
    memcpy(h->cb, c->cb, sizeof h->cb);
    h->fit = *fit;
}

int rt_checkpoint_save(const char *path, const rt_config *c, int n_train, const rt_position *pos,
                       const float *params, const rt_optim *o, const rt_fit_state *fit,
                       const float *best, char *err, size_t errlen)
{
    header h;
    fill_header(&h, c, n_train, pos, o, fit, best);
    const size_t P = sizeof(float) * MODEL_N_PARAMS, len = file_size(&h);
    unsigned char *buf = malloc(len);
    if (!buf)
        return snprintf(err, errlen, "%s: error: out of memory", path), -1;
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, params, P);
    for (int s = 0; s < o->n_slots; s++)
        memcpy(buf + sizeof h + (1 + (size_t)s) * P, o->slot[s], P);
    if (best)
        memcpy(buf + sizeof h + (1 + (size_t)o->n_slots) * P, best, P);
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
    memcpy(buf + len - 4, &crc, 4);
    int rc = rt_write_atomic(path, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* fit()'s settings, which decide when training stops and how it weighs the
 * samples, must match too (the paths written to need not). */
static int same_fit(const header *h, const rt_config *c, char *why, size_t len)
{
    char was[1024], now[1024];
    rt_fit_describe(h->validation_split, h->cb, was, sizeof was);
    rt_fit_describe(c->validation_split, c->cb, now, sizeof now);
    if (strcmp(was, now))
        return snprintf(why, len, "made with fit options (%s), this run has (%s)", *was ? was : "none",
                        *now ? now : "none"), 0;
    if (h->class_weight_crc != rt_class_weight_crc(c))
        return snprintf(why, len, "made with other class weights than this run's"), 0;
    return 1;
}

/* Settings that change the arithmetic must match the checkpoint's. */
static int same_settings(const header *h, const rt_config *c, int n_train, const rt_optim *o,
                         char *why, size_t len)
{
    char was[2048], now[2048];
    rt_optim_config mine = o->c;
    mine.lr = c->lr;   /* as configured; ReduceLROnPlateau's rate is the checkpoint's to restore */
    if (h->batch_size != (uint32_t)c->batch_size)
        return snprintf(why, len, "made with --batch-size %u, this run has %d", h->batch_size, c->batch_size), 0;
    if (h->flags & ~CKP_QAT)
        return snprintf(why, len, "unknown flags 0x%x in the header (a newer seqc?)", (unsigned)h->flags), 0;
    if (!(h->flags & CKP_QAT) != !c->qat)   /* the fake quantization changes every step */
        return snprintf(why, len, "made %s --qat, this run has %s", c->qat ? "without" : "with",
                        c->qat ? "it" : "no --qat"), 0;
    if (h->seed != c->seed)
        return snprintf(why, len, "made with --seed %llu, this run has %lu", (unsigned long long)h->seed, c->seed), 0;
    rt_optim_describe(&h->optim, was, sizeof was);
    rt_optim_describe(&mine, now, sizeof now);
    if (strcmp(was, now))
        return snprintf(why, len, "made with optimizer %s, this run has %s", was, now), 0;
    if (!same_fit(h, c, why, len))
        return 0;
    if (h->n_train != (uint32_t)n_train)
        return snprintf(why, len, "made on %u training images, this run has %d", h->n_train, n_train), 0;
    return 1;
}

/* The callbacks' memory is plausible: counters that only ever grow by one
 * an epoch, flags, a finite rate (a file made by hand could hold anything
 * that passes the CRC). */
static int fit_state_ok(const rt_fit_state *f)
{
    const int32_t most = 1 << 30;
    for (int i = 0; i < RT_N_CALLBACKS; i++) {
        const rt_monitor *m = &f->m[i];
        if ((m->has_best & ~1) || m->wait < 0 || m->wait > most || m->cooldown < 0 || m->cooldown > most ||
            m->best_epoch < 0 || (m->has_best && !(m->best == m->best)))
            return 0;
    }
    return !(f->stop & ~1) && !(f->has_best_weights & ~1) && f->stopped_epoch >= 0 &&
           isfinite(f->lr) && f->lr >= 0;
}

/* Why buf (got bytes, h its header) cannot be resumed here; "" if it can. */
static void check_file(const unsigned char *buf, size_t got, const header *h, const rt_config *c,
                       int n_train, const rt_optim *o, const float *best, char *why, size_t len)
{
    static const char *const before[] = {"the optimizers", "the losses", "the fit() options"};
    const size_t want = got >= sizeof *h ? file_size(h) : 0;
    uint32_t crc;
    if (got >= 8 && !memcmp(buf, "SEQCCKP", 7) && buf[7] >= '1' && buf[7] <= '3')
        snprintf(why, len, "an %.8s checkpoint, from a seqc before %s (this one reads " MAGIC "): "
                 "start the run again without --resume", (const char *)buf, before[buf[7] - '1']);
    else if (got < 8 || memcmp(buf, MAGIC, 8))
        snprintf(why, len, "not a seqc checkpoint (magic " MAGIC " missing)");
    else if (got < sizeof *h)
        snprintf(why, len, "%zu bytes, less than the %zu of the header: truncated or damaged", got,
                 sizeof *h);
    else if (h->n_params != MODEL_N_PARAMS)
        snprintf(why, len, "made for a model with %u parameters, this one has %d", h->n_params, MODEL_N_PARAMS);
    else if (h->n_slots > RT_OPTIM_MAX_SLOTS || h->has_best > 1 || got != want)
        snprintf(why, len, "%zu bytes, expected %zu: truncated or damaged", got,
                 h->n_slots > RT_OPTIM_MAX_SLOTS || h->has_best > 1 ? sizeof *h : want);
    else if (memcpy(&crc, buf + want - 4, 4), crc != (uint32_t)crc32(0L, buf, (uInt)(want - 4)))
        snprintf(why, len, "CRC-32 mismatch: the checkpoint is damaged");
    else if (!same_settings(h, c, n_train, o, why, len))
        ;
    else if (h->n_slots != (uint32_t)o->n_slots || h->has_best != (best != NULL))
        snprintf(why, len, "%u optimizer slots%s, expected %d: damaged", h->n_slots,
                 h->has_best ? " and best weights" : "", o->n_slots);
    else if (!fit_state_ok(&h->fit))
        snprintf(why, len, "the callbacks' state is out of range: damaged");
}

int rt_checkpoint_load(const char *path, const rt_config *c, int n_train, rt_position *pos,
                       float *params, rt_optim *o, rt_fit_state *fit, float *best,
                       char *err, size_t errlen)
{
    const size_t P = sizeof(float) * MODEL_N_PARAMS;
    const size_t most = sizeof(header) + (2 + (size_t)RT_OPTIM_MAX_SLOTS) * P + 4;
    unsigned char *buf = malloc(most + 1);
    char why[6000] = "";
    FILE *f = fopen(path, "rb");
    if (!f || !buf) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, f ? "out of memory" : strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return -1;
    }
    size_t got = fread(buf, 1, most + 1, f);
    fclose(f);
    header h;
    memset(&h, 0, sizeof h);
    if (got >= sizeof h)
        memcpy(&h, buf, sizeof h);
    check_file(buf, got, &h, c, n_train, o, best, why, sizeof why);
    if (!why[0]) {
        memcpy(params, buf + sizeof h, P);
        for (int s = 0; s < o->n_slots; s++)
            memcpy(o->slot[s], buf + sizeof h + (1 + (size_t)s) * P, P);
        if (best)
            memcpy(best, buf + sizeof h + (1 + (size_t)o->n_slots) * P, P);
        o->t = (long)h.t;
        o->u_product = h.u_product;
        pos->epoch = (int)h.epoch, pos->batch = (int)h.batch;
        pos->loss_sum = h.loss_sum, pos->metric = h.metric, pos->seconds = h.seconds;
        *fit = h.fit;
    }
    free(buf);
    if (why[0])
        return snprintf(err, errlen, "%s: error: %s", path, why), -1;
    return 0;
}
