m4_divert(-1)
m4_dnl conv2d.m4 - Conv2D, kernel HWIO [kh][kw][cin][cout], NHWC activations.
m4_dnl Windows are unrolled: one block per (ky, kx) tap with literal offsets.
m4_dnl A tap outside the input (padding 'same') contributes nothing, as
m4_dnl TensorFlow's zero padding; the check is emitted only when padded.

m4_dnl _seqc_conv_tap(BODY): BODY with xp/wp set for tap (seqc_ky, seqc_kx).
m4_define(«_seqc_conv_tap», «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int iy = oy * seqc_sh + m4_eval(seqc_ky - seqc_pt), ix = ox * seqc_sw + m4_eval(seqc_kx - seqc_pl);
seqc_if(seqc_padded, «                if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) {
», «                {
»)m4_dnl
$1
                }
            }»)

m4_define(«seqc_conv2d_forward», «
/* seqc_name: Conv2D seqc_oc@seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right), seqc_act
 *   in     seqc_shape_in
 *   kernel [seqc_kh][seqc_kw][seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int n)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int s = 0; s < n; s++) {
        const float *restrict x = in + (long)s * seqc_in_size;
        float *restrict y = out + (long)s * seqc_out_size;
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++) {
            float acc[seqc_oc];
            for (int o = 0; o < seqc_oc; o++)
                acc[o] = seqc_if(seqc_bias, «bias[o]», «0.0f»);
seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_conv_tap(«m4_dnl
                    const float *restrict xp = x + (iy * seqc_iw + ix) * seqc_ic;
                    const float *restrict wp = kernel + m4_eval((seqc_ky * seqc_kw + seqc_kx) * seqc_ic * seqc_oc);
                    for (int c = 0; c < seqc_ic; c++)
                        for (int o = 0; o < seqc_oc; o++)
                            acc[o] += xp[c] * wp[c * seqc_oc + o];»)»)»)
            float *restrict yp = y + (oy * seqc_ow + ox) * seqc_oc;
            for (int o = 0; o < seqc_oc; o++)
                yp[o] = seqc_act_fwd(seqc_act, «acc[o]»);
        }
    }
}
»)

m4_define(«seqc_conv2d_backward», «
/* seqc_name backward: dout [n][seqc_oh][seqc_ow][seqc_oc] is turned in place into
 * the gradient before the activation; dkernel, dbias and din accumulate. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict out,
    float *restrict dout, float *restrict din, const float *restrict kernel,
    float *restrict dkernel, float *restrict dbias, int n)
{
    seqc_if(seqc_need_din, «», «(void)din; (void)kernel;»)
    seqc_if(seqc_bias, «», «(void)dbias;»)
    for (int s = 0; s < n; s++) {
        const float *restrict x = in + (long)s * seqc_in_size;
        seqc_if(seqc_need_din, «float *restrict dx = din + (long)s * seqc_in_size;»)
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++) {
            const long at = (long)s * seqc_out_size + (oy * seqc_ow + ox) * seqc_oc;
            const float *restrict yp = out + at;
            float *restrict g = dout + at;
            for (int o = 0; o < seqc_oc; o++)
                g[o] = seqc_act_bwd(seqc_act, «yp[o]», «g[o]»);
            (void)yp;
seqc_if(seqc_bias, «            for (int o = 0; o < seqc_oc; o++)
                dbias[o] += g[o];
»)m4_dnl
seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_conv_tap(«m4_dnl
                    const long xo = (iy * seqc_iw + ix) * seqc_ic;
                    const long wo = m4_eval((seqc_ky * seqc_kw + seqc_kx) * seqc_ic * seqc_oc);
                    for (int c = 0; c < seqc_ic; c++) {
                        const float xv = x[xo + c];
                        float *restrict dw = dkernel + wo + c * seqc_oc;
seqc_if(seqc_need_din, «                        const float *restrict w = kernel + wo + c * seqc_oc;
                        float sum = 0.0f;
                        for (int o = 0; o < seqc_oc; o++) {
                            dw[o] += xv * g[o];
                            sum += w[o] * g[o];
                        }
                        dx[xo + c] += sum;», «                        for (int o = 0; o < seqc_oc; o++)
                            dw[o] += xv * g[o];»)
                    }»)»)»)
        }
    }
}
»)

m4_define(«seqc_conv2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off, n);»)
m4_define(«seqc_conv2d_bcall», «seqc_zero_din
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_out_ptr(dact), seqc_in_ptr(dact),
        params + seqc_w_off, grads + seqc_w_off, grads + seqc_b_off, n);»)
m4_divert(0)m4_dnl
