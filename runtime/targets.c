/* targets.c - what the loss compares the outputs with, per sample: the
 * generated model's loss() reads N_TARGETS floats per sample, and data sets
 * hold integer labels (y) or float targets (yf).  One rule here, used by
 * training and evaluation alike:
 *
 *   sparse_categorical_crossentropy  y[i], the class index
 *   categorical_crossentropy         yf[i] (one-hot or soft), or y[i] one-hot
 *   binary_crossentropy              yf[i] (0/1 labels); one output: y[i] too
 *   regression losses                yf[i]; one output: y[i] too
 *   targets: inputs (autoencoder)    the sample's own input values
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rt.h"

/* Keras's loss kinds, as the generated MODEL_LOSS numbers them. */
enum { LOSS_SPARSE_CCE, LOSS_CCE };

const char *rt_metric_name(void)
{
    return MODEL_TASK == RT_TASK_REGRESSION ? "mae" : "accuracy";
}

int rt_has_targets(const rt_dataset *d)
{
    return MODEL_TARGETS_INPUTS || d->y || d->yf;
}

int rt_check_targets(const rt_dataset *d, char *err, size_t errlen)
{
    if (MODEL_TARGETS_INPUTS || (!d->y && !d->yf))
        return 0;
    if (d->yf) {
        if (d->y_dim != MODEL_N_OUTPUTS || MODEL_LOSS == LOSS_SPARSE_CCE)
            return snprintf(err, errlen, "%s: error: %d target values per sample, but %s of this "
                            "model's %d outputs takes %s", d->src, d->y_dim, MODEL_LOSS_NAME, MODEL_N_OUTPUTS,
                            MODEL_LOSS == LOSS_SPARSE_CCE ? "one integer class label" : "as many"), -1;
        return 0;
    }
    if (MODEL_N_CLASSES == 0 && MODEL_N_OUTPUTS > 1)
        return snprintf(err, errlen, "%s: error: one integer label per sample, but %s of this "
                        "model's %d outputs takes %d target values per sample", d->src, MODEL_LOSS_NAME,
                        MODEL_N_OUTPUTS, MODEL_N_OUTPUTS), -1;
    for (int i = 0; MODEL_N_CLASSES > 0 && i < d->n; i++)
        if (d->y[i] < 0 || d->y[i] >= MODEL_N_CLASSES)
            return snprintf(err, errlen, "%s: error: sample %d has label %d, outside [0, %d)",
                            d->src, i, d->y[i], MODEL_N_CLASSES), -1;
    return 0;
}

void rt_targets(const rt_dataset *d, const int *idx, int n, const float *x, float *t)
{
    const long T = MODEL_N_TARGETS;
    for (int s = 0; s < n; s++) {
        float *ts = t + (long)s * T;
        const long i = idx[s];
        if (MODEL_TARGETS_INPUTS)
            memcpy(ts, x + (long)s * MODEL_N_INPUT, sizeof(float) * (size_t)T);
        else if (d->yf)
            memcpy(ts, d->yf + i * T, sizeof(float) * (size_t)T);
        else if (!d->y)
            memset(ts, 0, sizeof(float) * (size_t)T);
        else if (MODEL_LOSS == LOSS_CCE)
            for (long k = 0; k < T; k++)
                ts[k] = k == d->y[i] ? 1.0f : 0.0f;
        else
            ts[0] = (float)d->y[i];
    }
}

int rt_class_of(const float *out)
{
    int best = 0;
    if (MODEL_TASK == RT_TASK_BINARY)
        return out[0] > 0.5f;
    for (int k = 1; k < MODEL_N_OUTPUTS; k++)
        best = out[k] > out[best] ? k : best;
    return best;
}

float *rt_targets_all(const rt_dataset *d)
{
    float *t = malloc(sizeof(float) * ((size_t)d->n * MODEL_N_TARGETS + 1));
    float *x = MODEL_TARGETS_INPUTS ? malloc(sizeof(float) * MODEL_N_INPUT) : NULL;
    if (!t || (MODEL_TARGETS_INPUTS && !x))
        return free(t), free(x), NULL;
    for (int i = 0; i < d->n; i++) {
        for (long k = 0; x && k < MODEL_N_INPUT; k++)
            x[k] = d->xf ? d->xf[(size_t)i * MODEL_N_INPUT + (size_t)k]
                         : (float)d->pix[(size_t)i * MODEL_N_INPUT + (size_t)k] / 255.0f;
        rt_targets(d, &i, 1, x, t + (size_t)i * MODEL_N_TARGETS);
    }
    free(x);
    return t;
}

const model_tensor *rt_model_tensor(const char *layer, const char *part)
{
    char want[256];
    snprintf(want, sizeof want, "%s/%s", layer, part);
    for (int t = 0; t < MODEL_N_TENSORS; t++)
        if (!strcmp(model_tensors[t].name, want))
            return &model_tensors[t];
    return NULL;
}
