m4_divert(-1)
m4_dnl batch_norm_frozen.m4 - a BatchNormalization layer with trainable:
m4_dnl false.  Keras 3 runs it in inference mode in training too (the moving
m4_dnl statistics; BatchNormalization.call uses the batch's only when
m4_dnl training and trainable) and never updates them, so it is a fixed
m4_dnl per-channel affine map: the inference forward of batch_norm.m4, and
m4_dnl a backward that passes dx = dy * gamma / sqrt(moving_variance + eps).

m4_define(«seqc_batch_norm_frozen_forward», «_seqc_bn_infer_fn«»»)
m4_define(«seqc_batch_norm_frozen_fcall», m4_defn(«seqc_batch_norm_fcall»))

m4_define(«seqc_batch_norm_frozen_backward», «seqc_if(seqc_need_din, «
/* seqc_name backward (frozen): din is written, 0 past n. */
static void seqc_name«»_backward(const float *restrict dout, float *restrict din,
    const float *restrict gamma, const float *restrict moving, int n, int nb)
{
    (void)gamma;
    float a[seqc_oc];
    for (int c = 0; c < seqc_oc; c++)
        a[c] = seqc_if(seqc_scale, «gamma[c] * »)(1.0f / sqrtf(moving[seqc_oc + c] + seqc_eps«»f));
    _seqc_bn_all(«din[i + s] = dout[i + s] * a[c];», «din[i + s] = 0.0f;»)
}»)»)

m4_define(«seqc_batch_norm_frozen_bcall», «seqc_if(seqc_need_din, «
    seqc_name«»_backward(seqc_dout_ptr, seqc_din_ptr, params + seqc_w_off, params + seqc_p_off,
        n, nb);»)»)
m4_divert(0)m4_dnl
