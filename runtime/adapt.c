/* adapt.c - Keras's Normalization.adapt() for the trainer: before training,
 * each normalization layer without a mean and variance in the spec gets
 * the mean and the (population) variance of its input over the training
 * set, per feature of the last axis (or of all values, axis None), as
 * Keras 3's adapt() computes them (keras/src/layers/preprocessing/
 * normalization.py), and its count, the values per feature.
 *
 * Its input is the training data as the trainer feeds it (uint8 / 255,
 * float32 as it is), through the layers before it: views (flatten,
 * reshape) are read from the data directly; other layers (pooling,
 * padding, an earlier normalization, ...) by the model's inference forward
 * pass with the parameters as they are.  gen/layers.c refuses a
 * normalization to adapt after any layer with weights, so nothing that
 * training changes comes before it.  Layers are adapted in order, so an
 * earlier one's statistics are in place when a later one's input is
 * computed.
 *
 * Arithmetic: chunks of ADAPT_CHUNK samples, each in double in two passes
 * (mean, then the sum of squared deviations), merged in chunk order with
 * Chan, Golub and LeVeque's pairwise update.  Keras does the same merge in
 * float32 per batch (or np.mean / np.var of the whole array, in float32),
 * so its results agree with these to float32 rounding (about 1e-7
 * relative); these are the exact statistics rounded once.  The chunks
 * and their merge order depend on the data only, so the result does not
 * depend on the thread count.
 *
 * The tensors come from the generated tables: model_layers (kind
 * "Normalization") and model_tensors "NAME/mean", "NAME/variance",
 * "NAME/count"; a layer whose mean and variance the spec gives has none. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rt.h"

#define ADAPT_CHUNK 64              /* samples per forward call and per exact sum */
#define ADAPT_GROUP_BYTES (64L << 20)  /* per-chunk partial statistics held at once */


/* Samples [first, first + n) as the trainer feeds them, [n][N_INPUT]. */
static void gather(const rt_dataset *d, int first, int n, float *x)
{
    const size_t size = MODEL_N_INPUT, at = (size_t)first * size;
    if (d->xf)
        memcpy(x, d->xf + at, sizeof(float) * size * (size_t)n);
    else
        for (size_t i = 0; i < size * (size_t)n; i++)
            x[i] = (float)d->pix[at + i] / 255.0f;
}

/* One chunk's statistics per feature: mean and sum of squared deviations
 * of vals [n][size], feature of element e = e % nf. */
static void chunk_stats(const float *vals, long n_vals, long nf, double *mean, double *m2)
{
    const double count = (double)(n_vals / nf);
    for (long f = 0; f < nf; f++)
        mean[f] = m2[f] = 0.0;
    for (long e = 0; e < n_vals; e++)
        mean[e % nf] += vals[e];
    for (long f = 0; f < nf; f++)
        mean[f] /= count;
    for (long e = 0; e < n_vals; e++) {
        const double dev = vals[e] - mean[e % nf];
        m2[e % nf] += dev * dev;
    }
}

/* Layer k's input for samples [first, first + n): [n][size] into vals. */
static int layer_input(const float *params, const rt_dataset *d, int k, int direct, int first, int n,
                       float *vals)
{
    if (direct) {   /* the data itself, seen through views */
        gather(d, first, n, vals);
        return 0;
    }
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(n));
    if (!act)
        return -1;
    gather(d, first, n, act);
    model_forward(params, act, n, 0, 0);
    model_layer_output(act, n, k - 1, vals);
    free(act);
    return 0;
}

static int adapt_layer(float *params, const rt_dataset *d, int k, const model_tensor *tm,
                       const model_tensor *tv, const model_tensor *tc, char *err, size_t errlen)
{
    const model_layer *l = &model_layers[k];
    const long nf = tm->size, size = k ? model_layers[k - 1].size : MODEL_N_INPUT;
    const int nc = (d->n + ADAPT_CHUNK - 1) / ADAPT_CHUNK;
    int direct = 1;
    for (int j = 0; j < k; j++)
        direct &= !strcmp(model_layers[j].kind, "Flatten") || !strcmp(model_layers[j].kind, "Reshape");
    if (d->n < 1)
        return snprintf(err, errlen, "%s: error: no training samples to adapt %s to", d->src ? d->src : "data",
                        l->name), -1;
    if (tv->size != nf || tc->size != 1 || size % nf) {
        return snprintf(err, errlen, "error: %s: the tensor table does not fit the layer (%ld features, "
                        "%ld values per sample)", l->name, nf, size), -1;
    }
    /* chunks are merged in order, a group at a time (bounded memory) */
    long group = ADAPT_GROUP_BYTES / (long)(2 * sizeof(double) * (size_t)nf);
    group = group < 1 ? 1 : group > nc ? nc : group;
    double *cm = malloc(sizeof(double) * (size_t)(group * nf)), *cv = malloc(sizeof(double) * (size_t)(group * nf));
    double *mean = calloc((size_t)nf, sizeof *mean), *m2 = calloc((size_t)nf, sizeof *m2);
    double total = 0.0;
    int failed = !cm || !cv || !mean || !m2;
    for (int g0 = 0; g0 < nc && !failed; g0 += (int)group) {
        const int g1 = g0 + (int)group < nc ? g0 + (int)group : nc;
        #pragma omp parallel for schedule(dynamic, 1)
        for (int c = g0; c < g1; c++) {
            const int first = c * ADAPT_CHUNK, n = d->n - first < ADAPT_CHUNK ? d->n - first : ADAPT_CHUNK;
            float *vals = malloc(sizeof(float) * (size_t)(n * size));
            if (!vals || layer_input(params, d, k, direct, first, n, vals)) {
                #pragma omp atomic write
                failed = 1;
            } else {
                chunk_stats(vals, n * size, nf, cm + (c - g0) * nf, cv + (c - g0) * nf);
            }
            free(vals);
        }
        for (int c = g0; c < g1 && !failed; c++) {   /* Chan et al.'s merge, in chunk order */
            const int n = d->n - c * ADAPT_CHUNK < ADAPT_CHUNK ? d->n - c * ADAPT_CHUNK : ADAPT_CHUNK;
            const double nb = (double)n * (double)(size / nf), na = total;
            total = na + nb;
            for (long f = 0; f < nf; f++) {
                const double delta = cm[(c - g0) * nf + f] - mean[f];
                mean[f] += delta * (nb / total);
                m2[f] += cv[(c - g0) * nf + f] + delta * delta * (na * nb / total);
            }
        }
    }
    for (long f = 0; f < nf && !failed; f++) {
        const double var = m2[f] / total;
        if (!isfinite(mean[f]) || !isfinite(var) || fabs(mean[f]) > 3.4e38 || var > 3.4e38) {
            snprintf(err, errlen, "%s: error: %s: the mean or variance of feature %ld is not a finite "
                     "float32 (mean %g, variance %g)", d->src ? d->src : "data", l->name, f, mean[f], var);
            free(cm), free(cv), free(mean), free(m2);
            return -1;
        }
        params[tm->offset + f] = (float)mean[f];
        params[tv->offset + f] = (float)var;
    }
    if (!failed)
        params[tc->offset] = (float)total;   /* Keras 3 leaves its count at 0; Keras 2 stored this */
    free(cm), free(cv), free(mean), free(m2);
    if (failed)
        return snprintf(err, errlen, "error: out of memory adapting %s", l->name), -1;
    return 0;
}

int rt_adapt(float *params, const rt_dataset *train, char *err, size_t errlen)
{
    if (train->size != MODEL_N_INPUT)
        return snprintf(err, errlen, "error: adapt: samples of %ld values, the model's input has %d",
                        train->size, MODEL_N_INPUT), -1;
    for (int k = 0; k < MODEL_N_LAYERS; k++) {
        const model_layer *l = &model_layers[k];
        const model_tensor *tm, *tv, *tc;
        if (strcmp(l->kind, "Normalization") || !(tm = rt_model_tensor(l->name, "mean")))
            continue;   /* another kind, or mean and variance from the spec */
        if (!(tv = rt_model_tensor(l->name, "variance")) || !(tc = rt_model_tensor(l->name, "count")))
            return snprintf(err, errlen, "error: %s has a mean but no variance or count tensor", l->name), -1;
        if (adapt_layer(params, train, k, tm, tv, tc, err, errlen))
            return -1;
    }
    return 0;
}
