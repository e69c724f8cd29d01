/* quant.c - int8 post-training quantization with TFLite's scheme: the
 * arithmetic that makes the numbers (multipliers, calibration, weight
 * quantization, batch-normalization folding); the int8 pass itself is
 * templates/int8.m4, the same text in the trainer and the export.
 *
 * Weights: int8 symmetric per output channel, [-127, 127].  Activations:
 * int8 asymmetric per tensor, [lo, hi] of the calibration samples (min/max,
 * as TFLite's converter; with ReLU outputs and a softmax head a percentile
 * clip would cut the largest logits, which decide the class); the input
 * range of a table activation trimmed to where its output still changes
 * (trim_range).  Biases: int32 at scale input x weight (with the input's
 * zero point folded in where the kernel sums x * w).  Requantization:
 * multiplier and shift from rt_quantize_multiplier.  Batch normalization
 * folds into the layer before it when it can, a normalization after the
 * input into the input's quantization (README "int8 quantization"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"
#include "rt.h"

void rt_quantize_multiplier(double m, int32_t *q, int32_t *shift)
{
    int e = 0;
    if (!(m > 0.0)) {
        *q = 0, *shift = 0;
        return;
    }
    long long f = llround(frexp(m, &e) * 2147483648.0);   /* frexp: [0.5, 1) */
    if (f == 2147483648LL)   /* rounded up to 1.0 */
        f /= 2, e++;
    if (e < -31)             /* below 2^-31: TFLite's zero multiplier */
        e = 0, f = 0;
    if (e > 30)              /* TFLite caps the left shift at 30 */
        e = 30, f = 2147483647LL;
    *q = (int32_t)f, *shift = e;
}

void rt_qparams(double lo, double hi, float *scale, int32_t *zp)
{
    lo = lo < 0.0 ? lo : 0.0, hi = hi > 0.0 ? hi : 0.0;
    double s = (hi - lo) / 255.0;
    if (!(s > 0.0) || !isfinite(s))
        s = 1.0;
    *scale = (float)s;
    /* the zero point from the float scale the pass uses, clamped */
    double z = -128.0 - lo / (double)*scale;
    *zp = z < -128.0 ? -128 : z > 127.0 ? 127 : (int32_t)lround(z);
}

int32_t rt_quantize(double x, double scale, int32_t zp, int32_t lo, int32_t hi)
{
    double v = round(x / scale) + zp;
    return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

/* ---- calibration ------------------------------------------------------ */

typedef struct range { double lo, hi; } range;

static void widen(range *r, double v)
{
    r->lo = v < r->lo ? v : r->lo, r->hi = v > r->hi ? v : r->hi;
}

/* Value e of sample s in a float arena region at off (blocked [nb][size][V]). */
static float at_region(const float *act, long np, long off, long size, int s, long e)
{
    return act[off * np + ((long)(s / MODEL_V) * size + e) * MODEL_V + s % MODEL_V];
}

/* The pre-activation of a layer whose activation becomes a table, from its
 * float input x (one sample) or, separable, its middle: its range. */
static void preact(const model_qinfo *L, const float *params, const float *x, const float *mid, range *r)
{
    const float *w = params + L->w_off, *b = L->bias ? params + L->b_off : NULL;
    const long icdm = (long)L->ic * L->dm;
    if (L->op == MODEL_Q_DENSE)
        for (int o = 0; o < L->oc; o++) {
            double acc = b ? b[o] : 0.0;
            for (int i = 0; i < L->ic; i++)
                acc += (double)x[i] * w[(long)i * L->oc + o];
            widen(r, acc);
        }
    else if (L->op == MODEL_Q_SEP)
        for (long p = 0; p < (long)L->oh * L->ow; p++)
            for (int o = 0; o < L->oc; o++) {
                double acc = b ? b[o] : 0.0;
                for (long c = 0; c < icdm; c++)
                    acc += (double)mid[p * icdm + c] * params[L->p_off + c * L->oc + o];
                widen(r, acc);
            }
    else   /* CONV, DW: out channel o of input channel o (conv: all) */
        for (int oy = 0; oy < L->oh; oy++)
            for (int ox = 0; ox < L->ow; ox++)
                for (int o = 0; o < L->oc; o++) {
                    double acc = b ? b[o] : 0.0;
                    for (int ky = 0; ky < L->kh; ky++)
                        for (int kx = 0; kx < L->kw; kx++) {
                            const int iy = oy * L->sh + ky * L->dh - L->pt, ix = ox * L->sw + kx * L->dw - L->pl;
                            if (iy < 0 || iy >= L->ih || ix < 0 || ix >= L->iw)
                                continue;
                            const float *xp = x + ((long)iy * L->iw + ix) * L->ic;
                            const long tap = ((long)ky * L->kw + kx) * L->ic;
                            if (L->op == MODEL_Q_DW)
                                acc += (double)xp[o / L->dm] * w[tap * L->dm + o];
                            else
                                for (int c = 0; c < L->ic; c++)
                                    acc += (double)xp[c] * w[(tap + c) * L->oc + o];
                        }
                    widen(r, acc);
                }
}

/* Ranges over the calibration samples: out[i] of every layer's output
 * (0: the input), pre[i] of pre-activations that a table follows, mid[i]
 * of separable middles. */
typedef struct ranges { range out[MODEL_N_QLAYERS], pre[MODEL_N_QLAYERS], mid[MODEL_N_QLAYERS]; } ranges;

enum { CAL_BATCH = 64 };

static long max_layer_size(void)
{
    long m = MODEL_N_INPUT;
    for (int i = 0; i < MODEL_N_LAYERS; i++)
        m = model_layers[i].size > m ? model_layers[i].size : m;
    for (int i = 0; i < MODEL_N_QLAYERS; i++)
        m = (long)model_qinfos[i].oh * model_qinfos[i].ow * model_qinfos[i].ic * model_qinfos[i].dm > m ?
            (long)model_qinfos[i].oh * model_qinfos[i].ow * model_qinfos[i].ic * model_qinfos[i].dm : m;
    return m;
}

/* One batch of n samples in act: widen the ranges. */
static void calibrate_batch(const float *params, const float *act, int n, float *cur, float *prev,
                            float *mid, ranges *R)
{
    const long np = (long)((n + MODEL_V - 1) / MODEL_V) * MODEL_V;
    for (int s = 0; s < n; s++) {
        for (long e = 0; e < MODEL_N_INPUT; e++)
            prev[e] = act[(long)s * MODEL_N_INPUT + e], widen(&R->out[0], prev[e]);
        for (int i = 1; i < MODEL_N_QLAYERS; i++) {
            const model_qinfo *L = &model_qinfos[i];
            const long size = model_layers[i - 1].size, msize = (long)L->oh * L->ow * L->ic * L->dm;
            for (long e = 0; e < size; e++)
                cur[e] = at_region(act, np, L->out_off, size, s, e), widen(&R->out[i], cur[e]);
            if (L->op == MODEL_Q_SEP)
                for (long e = 0; e < msize; e++)
                    mid[e] = at_region(act, np, L->mid_off, msize, s, e), widen(&R->mid[i], mid[e]);
            if (L->actmode == 3 && L->op != MODEL_Q_LUT)
                preact(L, params, prev, mid, &R->pre[i]);
            float *t = prev;
            prev = cur, cur = t;
        }
    }
}

static int calibrate(const float *params, const rt_dataset *d, int n_calib, ranges *R, char *err, size_t errlen)
{
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(CAL_BATCH));
    const long big = max_layer_size();
    float *buf = malloc(sizeof(float) * (size_t)(3 * big));
    if (!act || !buf)
        return free(act), free(buf), snprintf(err, errlen, "error: out of memory"), -1;
    for (int i = 0; i < MODEL_N_QLAYERS; i++)
        R->out[i] = R->pre[i] = R->mid[i] = (range){0.0, 0.0};
    for (int at = 0; at < n_calib; at += CAL_BATCH) {
        const int n = n_calib - at < CAL_BATCH ? n_calib - at : CAL_BATCH;
        for (int s = 0; s < n; s++) {
            const long k = (long)(at + s) * d->n / n_calib;   /* spread over the set */
            for (long e = 0; e < MODEL_N_INPUT; e++)
                act[(long)s * MODEL_N_INPUT + e] = d->xf ? d->xf[k * MODEL_N_INPUT + e]
                                                         : (float)d->pix[k * MODEL_N_INPUT + e] / 255.0f;
        }
        model_forward(params, act, n, 0, 0);
        calibrate_batch(params, act, n, buf, buf + big, buf + 2 * big, R);
    }
    free(act), free(buf);
    return 0;
}

/* ---- quantizing the layers ------------------------------------------- */

static void *alloc_arr(size_t each, long n, int *bad)
{
    void *p = calloc((size_t)(n > 0 ? n : 1), each);
    *bad |= !p;
    return p;
}

/* The affine map a batch normalization applies per channel: y = a x + c. */
static void bn_affine(const model_qinfo *B, const float *params, int ch, double *a, double *c)
{
    const float *mv = params + B->p_off;
    const double g = B->scale ? params[B->w_off + ch] : 1.0, be = B->center ? params[B->b_off + ch] : 0.0;
    *a = g / sqrt((double)mv[B->oc + ch] + (double)B->eps);
    *c = be - (double)mv[ch] * *a;
}

/* Float kernel W [size] whose output channel is index % oc, bias B [oc]
 * (zeros without one), with a following folded batch norm applied. */
static void folded(const model_qinfo *L, const model_qinfo *next, const float *params, long w_off,
                   long size, int oc, int has_bias, double *W, double *Bv)
{
    for (long k = 0; k < size; k++)
        W[k] = params[w_off + k];
    for (int o = 0; o < oc; o++)
        Bv[o] = has_bias ? params[L->b_off + o] : 0.0;
    if (!next || next->op != MODEL_Q_COPY || !next->folded)
        return;
    for (int o = 0; o < oc; o++) {
        double a, c;
        bn_affine(next, params, o, &a, &c);
        for (long k = o; k < size; k += oc)
            W[k] *= a;
        Bv[o] = Bv[o] * a + c;
    }
}

/* Per-channel symmetric scales of W (channel = index % oc). */
static void channel_scales(const double *W, long size, int oc, double *sw)
{
    for (int o = 0; o < oc; o++)
        sw[o] = 0.0;
    for (long k = 0; k < size; k++)
        sw[k % oc] = fabs(W[k]) > sw[k % oc] ? fabs(W[k]) : sw[k % oc];
    for (int o = 0; o < oc; o++)
        sw[o] = sw[o] > 0.0 ? sw[o] / 127.0 : 1.0;
}

/* Biases and requantization of oc channels: input scale si, weight scales
 * sw, target scale st. */
static void requant(const double *Bv, const double *sw, int oc, double si, double st,
                    int32_t *b, int32_t *m, int32_t *s)
{
    for (int o = 0; o < oc; o++) {
        if (b) {
            const double v = round(Bv[o] / (si * sw[o]));
            b[o] = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
        }
        rt_quantize_multiplier(si * sw[o] / st, &m[o], &s[o]);
    }
}

/* A layer that sums x * w (no padding) has the input's zero point in its
 * bias: b[o] -= z * (sum of channel o's int8 weights, per of them at
 * w + o * per, or every oc-th from w + o when stride is oc). */
static void fold_zero_point(int32_t *b, const int8_t *w, int oc, long per, long stride, int32_t z)
{
    for (int o = 0; o < oc; o++) {
        long long sum = 0;
        for (long k = 0; k < per; k++)
            sum += w[stride == 1 ? o * per + k : o + k * stride];
        const long long v = (long long)b[o] - (long long)z * sum;
        b[o] = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
    }
}

/* W [size] (channel = index % oc) into int8 at dst[perm(k)]. */
static int8_t q8(double w, double s)
{
    return (int8_t)rt_quantize(w, s, 0, -127, 127);
}

typedef struct qctx {
    const float *params;
    const ranges *R;
    float sc[MODEL_N_QLAYERS];     /* output scale per layer */
    int32_t zp[MODEL_N_QLAYERS];
} qctx;

/* The table of activation f from (si, zi) to (so, zo). */
static void make_lut(int8_t *lut, float (*f)(float), double si, int32_t zi, double so, int32_t zo)
{
    for (int q = -128; q < 128; q++)
        lut[q + 128] = (int8_t)rt_quantize(f((float)((q - zi) * si)), so, zo, -128, 127);
}

/* A table activation's input range [lo, hi] trimmed to where its int8
 * output (scale so, zero point zo) still changes: past that every input
 * gives the same output code (sigmoid and tanh saturate), so the 256 input
 * codes go where they matter; an input beyond clamps to the end code,
 * whose entry is that same output. */
static void trim_range(float (*f)(float), double so, int32_t zo, double *lo, double *hi)
{
    enum { STEPS = 4096 };
    const double d = (*hi - *lo) / STEPS, x0 = *lo;
    if (!(d > 0.0))
        return;
    const int32_t qlo = rt_quantize(f((float)x0), so, zo, -128, 127);
    const int32_t qhi = rt_quantize(f((float)*hi), so, zo, -128, 127);
    int a = 0, b = STEPS;
    while (a < STEPS && rt_quantize(f((float)(x0 + (a + 1) * d)), so, zo, -128, 127) == qlo)
        a++;
    while (b > a && rt_quantize(f((float)(x0 + (b - 1) * d)), so, zo, -128, 127) == qhi)
        b--;
    *lo = x0 + a * d, *hi = x0 + b * d;
}

/* The clamp and table after a weight layer's sums: acc target (st, zt). */
static int finish(const qctx *x, int i, rt_qarrays *A, model_qlayer *q, double *st, int *bad)
{
    const model_qinfo *L = &model_qinfos[i];
    *st = x->sc[i], q->zacc = x->zp[i], q->lo = -128, q->hi = 127;
    if (L->actmode == 1)
        q->lo = x->zp[i];
    else if (L->actmode == 2)
        q->lo = x->zp[i], q->hi = rt_quantize(6.0, x->sc[i], x->zp[i], -128, 127);
    else if (L->actmode == 3) {
        float s;
        double lo = x->R->pre[i].lo, hi = x->R->pre[i].hi;
        trim_range(L->act, x->sc[i], x->zp[i], &lo, &hi);
        rt_qparams(lo, hi, &s, &q->zacc);
        *st = s;
        A->nlut = 256;
        A->lut = alloc_arr(1, 256, bad);
        if (!*bad)
            make_lut(A->lut, L->act, s, q->zacc, x->sc[i], x->zp[i]);
    }
    return *bad;
}

/* conv, dense, depthwise: kernel into the int8 layout, biases, multipliers. */
static int quant_weights(const qctx *x, int i, rt_qarrays *A, model_qlayer *q)
{
    const model_qinfo *L = &model_qinfos[i], *next = i + 1 < MODEL_N_QLAYERS ? &model_qinfos[i + 1] : NULL;
    const int oc = L->oc, taps = L->kh * L->kw;
    const long size = L->op == MODEL_Q_DENSE ? (long)L->ic * oc : (long)taps * (L->op == MODEL_Q_DW ? oc : L->ic * oc);
    int bad = 0;
    double *W = alloc_arr(sizeof(double), size, &bad), *Bv = alloc_arr(sizeof(double), oc, &bad);
    double *sw = alloc_arr(sizeof(double), oc, &bad), st;
    A->nw = size, A->nc = oc;
    A->w = alloc_arr(1, size, &bad);
    A->b = alloc_arr(4, oc, &bad), A->m = alloc_arr(4, oc, &bad), A->s = alloc_arr(4, oc, &bad);
    if (!bad && !finish(x, i, A, q, &st, &bad)) {
        folded(L, next, x->params, L->w_off, size, oc, L->bias, W, Bv);
        channel_scales(W, size, oc, sw);
        const long per = size / oc;   /* weights per output channel */
        for (long k = 0; k < size; k++) {
            const int o = (int)(k % oc);
            /* conv [tap][ic][oc] and dense [ic][oc] -> [oc][tap][ic]; depthwise stays */
            const long dst = L->op == MODEL_Q_DW ? k : o * per + k / oc;
            A->w[dst] = q8(W[k], sw[o]);
        }
        requant(Bv, sw, oc, x->sc[i - 1], st, A->b, A->m, A->s);
        if (L->op == MODEL_Q_DENSE || !L->padded)   /* see int8.m4: _seqc_q_zin */
            fold_zero_point(A->b, A->w, oc, per, L->op == MODEL_Q_DW ? oc : 1, x->zp[i - 1]);
    }
    free(W), free(Bv), free(sw);
    return bad;
}

/* separable: depthwise to the middle's scale, pointwise to the output. */
static int quant_separable(const qctx *x, int i, rt_qarrays *A, model_qlayer *q)
{
    const model_qinfo *L = &model_qinfos[i], *next = i + 1 < MODEL_N_QLAYERS ? &model_qinfos[i + 1] : NULL;
    const int oc = L->oc, icdm = L->ic * L->dm;
    const long dsize = (long)L->kh * L->kw * icdm, psize = (long)icdm * oc;
    int bad = 0;
    double *W = alloc_arr(sizeof(double), dsize + psize, &bad), *Bv = alloc_arr(sizeof(double), oc + icdm, &bad);
    double *sw = alloc_arr(sizeof(double), oc + icdm, &bad), st;
    float smid;
    rt_qparams(x->R->mid[i].lo, x->R->mid[i].hi, &smid, &q->zmid);
    A->nw = dsize, A->nc = icdm, A->nw2 = psize, A->nc2 = oc;
    A->w = alloc_arr(1, dsize, &bad), A->w2 = alloc_arr(1, psize, &bad);
    A->m = alloc_arr(4, icdm, &bad), A->s = alloc_arr(4, icdm, &bad);
    A->b2 = alloc_arr(4, oc, &bad), A->m2 = alloc_arr(4, oc, &bad), A->s2 = alloc_arr(4, oc, &bad);
    if (!bad && !finish(x, i, A, q, &st, &bad)) {
        for (long k = 0; k < dsize; k++)
            W[k] = x->params[L->w_off + k];
        channel_scales(W, dsize, icdm, sw);
        for (long k = 0; k < dsize; k++)
            A->w[k] = q8(W[k], sw[k % icdm]);
        requant(NULL, sw, icdm, x->sc[i - 1], smid, NULL, A->m, A->s);
        folded(L, next, x->params, L->p_off, psize, oc, L->bias, W, Bv);
        channel_scales(W, psize, oc, sw);
        for (long k = 0; k < psize; k++)
            A->w2[(k % oc) * icdm + k / oc] = q8(W[k], sw[k % oc]);
        requant(Bv, sw, oc, smid, st, A->b2, A->m2, A->s2);
        fold_zero_point(A->b2, A->w2, oc, icdm, 1, q->zmid);
    }
    free(W), free(Bv), free(sw);
    return bad;
}

/* Normalization's map of channel ch: y = a x + c. */
static void norm_affine(const model_qinfo *L, const float *params, int ch, double *a, double *c)
{
    const float *st = L->norm_stats ? L->norm_stats : params + L->p_off;
    const int f = L->norm_f == 1 ? 0 : ch;
    const double d = fmax(sqrt((double)st[L->norm_f + f]), 1e-7);
    *a = L->norm_invert ? d : 1.0 / d;
    *c = L->norm_invert ? st[f] : -(double)st[f] / d;
}

/* A normalization right after the input: 1, and its map into fa [2][C]
 * (applied in float before the input is quantized; see int8.m4). */
static int input_norm(void)
{
    return MODEL_N_QLAYERS > 1 && model_qinfos[1].op == MODEL_Q_COPY && model_qinfos[1].folded &&
           model_qinfos[1].norm_f > 0;
}

static int quant_input(const qctx *x, rt_qarrays *A, model_qlayer *q)
{
    const model_qinfo *L = &model_qinfos[1];
    int bad = 0;
    if (!input_norm())
        return 0;
    A->nfa = 2L * L->oc;
    A->fa = alloc_arr(sizeof(float), A->nfa, &bad);
    for (int ch = 0; !bad && ch < L->oc; ch++) {
        double a, c;
        norm_affine(L, x->params, ch, &a, &c);
        A->fa[ch] = (float)a, A->fa[L->oc + ch] = (float)c;
    }
    q->fa = A->fa;
    return bad;
}

/* batch normalization that does not fold, and normalization: y = a x + c
 * per channel, a as one int8 weight per channel. */
static int quant_affine(const qctx *x, int i, rt_qarrays *A, model_qlayer *q)
{
    const model_qinfo *L = &model_qinfos[i];
    const int oc = L->oc;
    int bad = 0;
    double *a = alloc_arr(sizeof(double), oc, &bad), *c = alloc_arr(sizeof(double), oc, &bad);
    double *sw = alloc_arr(sizeof(double), oc, &bad);
    A->nw = A->nc = oc;
    A->w = alloc_arr(1, oc, &bad);
    A->b = alloc_arr(4, oc, &bad), A->m = alloc_arr(4, oc, &bad), A->s = alloc_arr(4, oc, &bad);
    q->zacc = x->zp[i], q->lo = -128, q->hi = 127;
    if (!bad) {
        for (int ch = 0; ch < oc; ch++) {
            if (L->norm_f > 0)
                norm_affine(L, x->params, ch, &a[ch], &c[ch]);
            else
                bn_affine(L, x->params, ch, &a[ch], &c[ch]);
            sw[ch] = a[ch] != 0.0 ? fabs(a[ch]) / 127.0 : 1.0;
            A->w[ch] = a[ch] > 0.0 ? 127 : a[ch] < 0.0 ? -127 : 0;
        }
        requant(c, sw, oc, x->sc[i - 1], x->sc[i], A->b, A->m, A->s);
    }
    free(a), free(c), free(sw);
    return bad;
}

/* Scale and zero point of every layer's output: pooling, padding and
 * copies keep their input's (TFLite requires it of pooling); a layer that
 * a batch norm folds into takes that batch norm's range. */
static void output_params(const ranges *R, qctx *x)
{
    /* the input: its range, or that of the normalization folded into it */
    rt_qparams(R->out[input_norm()].lo, R->out[input_norm()].hi, &x->sc[0], &x->zp[0]);
    for (int i = 1; i < MODEL_N_QLAYERS; i++) {
        const int op = model_qinfos[i].op;
        const int next_folds = i + 1 < MODEL_N_QLAYERS && model_qinfos[i + 1].folded;
        if (op == MODEL_Q_COPY || op == MODEL_Q_ZPAD || op == MODEL_Q_MAXPOOL || op == MODEL_Q_AVGPOOL ||
            op == MODEL_Q_GMAX || op == MODEL_Q_GAVG)
            x->sc[i] = x->sc[i - 1], x->zp[i] = x->zp[i - 1];
        else {
            const range r = next_folds ? R->out[i + 1] : R->out[i];
            rt_qparams(r.lo, r.hi, &x->sc[i], &x->zp[i]);
        }
    }
}

static int quant_layer(const qctx *x, int i, rt_qarrays *A, model_qlayer *q)
{
    const model_qinfo *L = &model_qinfos[i];
    int bad = 0;
    q->zin = x->zp[i > 0 ? i - 1 : 0], q->zout = q->zacc = x->zp[i], q->scale = x->sc[i];
    q->lo = -128, q->hi = 127;
    switch (L->op) {
    case MODEL_Q_CONV: case MODEL_Q_DENSE: case MODEL_Q_DW:
        return quant_weights(x, i, A, q);
    case MODEL_Q_SEP:
        return quant_separable(x, i, A, q);
    case MODEL_Q_AFFINE:
        return quant_affine(x, i, A, q);
    case MODEL_Q_COPY:
        return i == 0 ? quant_input(x, A, q) : 0;
    case MODEL_Q_LUT:
        A->nlut = 256;
        A->lut = alloc_arr(1, 256, &bad);
        if (!bad)
            make_lut(A->lut, L->act, x->sc[i - 1], x->zp[i - 1], x->sc[i], x->zp[i]);
        return bad;
    default:
        return 0;
    }
}

int rt_quant_build(const float *params, const rt_dataset *train, int n_calib, rt_qmodel *qm,
                   char *err, size_t errlen)
{
    ranges R;
    qctx x;
    memset(qm, 0, sizeof *qm);
    if (n_calib < 1 || n_calib > train->n)
        return snprintf(err, errlen, "%s: error: --calibration %d: the training data has %d samples; "
                        "give 1 to %d", train->src ? train->src : "data", n_calib, train->n, train->n), -1;
    if (train->size != MODEL_N_INPUT)
        return snprintf(err, errlen, "%s: error: calibration samples have %ld values, the model takes %d",
                        train->src ? train->src : "data", train->size, MODEL_N_INPUT), -1;
    if (calibrate(params, train, n_calib, &R, err, errlen))
        return -1;
    x.params = params, x.R = &R;
    output_params(&R, &x);
    qm->calibration = n_calib;
    for (int i = 0; i < MODEL_N_QLAYERS; i++) {
        rt_qarrays *A = &qm->a[i];
        model_qlayer *q = &qm->ql[i];
        if (quant_layer(&x, i, A, q)) {
            rt_quant_free(qm);
            return snprintf(err, errlen, "error: out of memory"), -1;
        }
        q->w = A->w, q->w2 = A->w2, q->lut = A->lut;
        q->b = A->b, q->m = A->m, q->s = A->s, q->b2 = A->b2, q->m2 = A->m2, q->s2 = A->s2, q->fa = A->fa;
    }
    return 0;
}

void rt_quant_free(rt_qmodel *qm)
{
    for (int i = 0; i < MODEL_N_QLAYERS; i++) {
        rt_qarrays *A = &qm->a[i];
        free(A->w), free(A->w2), free(A->lut), free(A->b), free(A->m), free(A->s);
        free(A->b2), free(A->m2), free(A->s2), free(A->fa);
    }
    memset(qm, 0, sizeof *qm);
}
