m4_divert(-1)
m4_dnl dropout.m4 - inverted dropout: keep with probability 1 - rate and scale
m4_dnl by 1 / (1 - rate); identity at inference.  The mask comes from a
m4_dnl counter-based hash of (key, layer, sample, element), so it depends on
m4_dnl neither the thread that runs a sample nor the block layout.  The mask
m4_dnl is saved for backward as one byte per value (1: kept) in the first
m4_dnl quarter of its float region: a quarter of the memory traffic of a
m4_dnl float mask, and the same bits (x * (kept ? scale : 0)).

m4_define(«seqc_dropout_forward», «
/* seqc_name: Dropout rate seqc_rate (kept values scaled by seqc_keep_scale)
 *   in   seqc_shape_in
 *   mask seqc_shape_out bytes (1: kept; saved for backward)
 *   out  seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    float *restrict mask, int nb, int train, uint64_t key)
{
    if (!train) {
        memcpy(out, in, sizeof(float) * m4_eval(seqc_out_size * seqc_V) * (size_t)nb);
        return;
    }
    unsigned char *restrict kept = (unsigned char *)mask;
    key = rng_mix(key ^ UINT64_C(seqc_idx));
    for (int b = 0; b < nb; b++)
        for (long e = 0; e < seqc_out_size; e++) {
            /* the draws first, apart: with the byte stores in the same
             * loop the compiler vectorized the hash 2 lanes wide */
            float u[seqc_V];
            for (int s = 0; s < seqc_V; s++) {
                const uint64_t at = (uint64_t)(b * seqc_V + s) * seqc_out_size + (uint64_t)e;
                u[s] = (float)(rng_mix(key + at) >> 40) * 0x1p-24f;
            }
            for (int s = 0; s < seqc_V; s++) {
                const long i = ((long)b * m4_eval(seqc_out_size * seqc_V)) + e * seqc_V + s;
                const int k_ = u[s] >= seqc_rate«»f;
                kept[i] = (unsigned char)k_;
                out[i] = in[i] * (k_ ? seqc_keep_scale«»f : 0.0f);
            }
        }
}
»)

m4_define(«seqc_dropout_backward», «
/* seqc_name backward: din seqc_shape_in = dout * (kept ? scale : 0) (written: no other writer). */
static void seqc_name«»_backward(const float *restrict dout, const float *restrict mask,
    float *restrict din, int nb)
{
    const unsigned char *restrict kept = (const unsigned char *)mask;
    for (long i = 0; i < m4_eval(seqc_out_size * seqc_V)«»L * nb; i++)
        din[i] = dout[i] * (kept[i] ? seqc_keep_scale«»f : 0.0f);
}
»)

m4_define(«seqc_dropout_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_mask_ptr(act), nb, train, key);»)
m4_define(«seqc_dropout_bcall», «seqc_if(seqc_need_din, «
    seqc_name«»_backward(seqc_dout_ptr, seqc_mask_ptr(act), seqc_din_ptr, nb);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
