/* qat.c - quantization-aware training (train --qat; README "int8
 * quantization"), as TF Model Optimization does it, in a form that keeps
 * training deterministic:
 *
 *  - weights: every kernel the int8 pass quantizes (conv, dense,
 *    depthwise, separable's depthwise and pointwise) is fake-quantized
 *    before each batch exactly as quant.c quantizes it for the int8 pass:
 *    per output channel, symmetric, scale max|w| / 127, round half away
 *    from zero, narrow range [-127, 127].  Forward and backward run on those
 *    values; the gradient goes to the float weights unchanged (the
 *    straight-through estimator), so the optimizer steps the float weights.
 *  - activations: each layer output the int8 pass gives a scale of its own
 *    (conv, dense, depthwise, separable, affine and table layers, average
 *    pooling; a folded batch norm's output instead of its conv's) is
 *    fake-quantized in the passes (templates/qat.m4) to the int8 pass's grid
 *    (asymmetric, 8 bits); the gradient passes where the value was inside
 *    the range, 0 outside (fake_quant_with_min_max_vars's gradient).
 *  - ranges: TF keeps moving averages of each batch's min/max, which depend
 *    on the order chunks finish in; here they come from the PTQ's own
 *    calibration (rt_quant_build: min/max over N training samples spread
 *    evenly over the set, widened to contain 0) on the fake-quantized
 *    weights, at the start of every epoch, and stay fixed within the epoch:
 *    one sequential pass on the same data, so the same bits at any thread
 *    count and on every MPI rank. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quant.h"
#include "rt.h"

/* A kernel of oc output channels (channel = index % oc), size values. */
static void fake_quant_kernel(const float *w, float *dst, long size, int oc)
{
    double sw[oc > 0 ? oc : 1];
    for (int o = 0; o < oc; o++)
        sw[o] = 0.0;
    for (long k = 0; k < size; k++)
        sw[k % oc] = fabs((double)w[k]) > sw[k % oc] ? fabs((double)w[k]) : sw[k % oc];
    for (int o = 0; o < oc; o++)
        sw[o] = sw[o] > 0.0 ? sw[o] / 127.0 : 1.0;   /* as quant.c's channel_scales */
    for (long k = 0; k < size; k++)
        dst[k] = (float)(rt_quantize(w[k], sw[k % oc], 0, -127, 127) * sw[k % oc]);
}

void rt_qat_weights(const float *params, float *qparams)
{
    memcpy(qparams, params, sizeof(float) * MODEL_N_PARAMS);
    for (int i = 1; i < MODEL_N_QLAYERS; i++) {
        const model_qinfo *L = &model_qinfos[i];
        const long taps = (long)L->kh * L->kw;
        switch (L->op) {
        case MODEL_Q_CONV:
            fake_quant_kernel(params + L->w_off, qparams + L->w_off, taps * L->ic * L->oc, L->oc);
            break;
        case MODEL_Q_DW:
            fake_quant_kernel(params + L->w_off, qparams + L->w_off, taps * L->oc, L->oc);
            break;
        case MODEL_Q_DENSE:
            fake_quant_kernel(params + L->w_off, qparams + L->w_off, (long)L->ic * L->oc, L->oc);
            break;
        case MODEL_Q_SEP: {
            const int icdm = L->ic * L->dm;
            fake_quant_kernel(params + L->w_off, qparams + L->w_off, taps * icdm, icdm);
            fake_quant_kernel(params + L->p_off, qparams + L->p_off, (long)icdm * L->oc, L->oc);
            break;
        }
        default:
            break;
        }
    }
}

/* Whether layer i's output is a quantization point of the int8 pass with a
 * grid worth applying (max pooling, padding and copies keep their input's
 * values on its grid already; a layer whose batch norm folds into it is
 * quantized after that batch norm). */
static int quantized_output(int i)
{
    const model_qinfo *L = &model_qinfos[i];
    const int next_folds = i + 1 < MODEL_N_QLAYERS && model_qinfos[i + 1].folded;
    switch (L->op) {
    case MODEL_Q_CONV: case MODEL_Q_DW: case MODEL_Q_SEP: case MODEL_Q_DENSE:
    case MODEL_Q_AFFINE: case MODEL_Q_LUT: case MODEL_Q_AVGPOOL: case MODEL_Q_GAVG:
        return !next_folds;
    case MODEL_Q_COPY:
        return i > 1 && L->folded && L->norm_f == 0;   /* a folded batch norm */
    default:
        return 0;
    }
}

int rt_qat_ranges(const float *qparams, const rt_dataset *train, int n_calib, float *grid,
                  char *err, size_t errlen)
{
    rt_qmodel qm;
    rt_model_qat_grid(NULL);   /* calibrate the float activations */
    if (rt_quant_build(qparams, train, n_calib, &qm, err, errlen))
        return -1;
    for (int i = 0; i < MODEL_N_QLAYERS; i++) {
        const int on = i > 0 && quantized_output(i);
        grid[2 * i] = on ? qm.ql[i].scale : 0.0f;
        grid[2 * i + 1] = on ? (float)qm.ql[i].zout : 0.0f;
    }
    rt_quant_free(&qm);
    rt_model_qat_grid(grid);
    return 0;
}
