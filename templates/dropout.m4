m4_divert(-1)
m4_dnl dropout.m4 - inverted dropout: keep with probability 1 - rate and scale
m4_dnl by 1 / (1 - rate); identity at inference.  The mask comes from a
m4_dnl counter-based hash of (key, layer, sample, index), so it does not
m4_dnl depend on which thread runs which sample.

m4_define(«seqc_dropout_forward», «
/* seqc_name: Dropout rate seqc_rate (kept values scaled by seqc_keep_scale)
 *   in   seqc_shape_in
 *   mask seqc_shape_out (0 or the scale; saved for backward)
 *   out  seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    float *restrict mask, int n, int train, uint64_t key)
{
    if (!train) {
        memcpy(out, in, sizeof(float) * seqc_out_size * (size_t)n);
        return;
    }
    key = rng_mix(key ^ UINT64_C(seqc_idx));
    for (long i = 0; i < seqc_out_size«»L * n; i++) {
        const float u = (float)(rng_mix(key + (uint64_t)i) >> 40) * 0x1p-24f;
        mask[i] = u >= seqc_rate«»f ? seqc_keep_scale«»f : 0.0f;
        out[i] = in[i] * mask[i];
    }
}
»)

m4_define(«seqc_dropout_backward», «
/* seqc_name backward: din seqc_shape_in accumulates dout * mask. */
static void seqc_name«»_backward(const float *restrict dout, const float *restrict mask,
    float *restrict din, int n)
{
    for (long i = 0; i < seqc_out_size«»L * n; i++)
        din[i] += dout[i] * mask[i];
}
»)

m4_define(«seqc_dropout_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_mask_ptr(act), n, train, key);»)
m4_define(«seqc_dropout_bcall», «seqc_if(seqc_need_din, «seqc_zero_din
    seqc_name«»_backward(seqc_out_ptr(dact), seqc_mask_ptr(act), seqc_in_ptr(dact), n);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
