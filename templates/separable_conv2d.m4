m4_divert(-1)
m4_dnl separable_conv2d.m4 - SeparableConv2D: the depthwise step of
m4_dnl depthwise_conv2d.m4 (no bias, linear) into its own region mid
m4_dnl [nb][oh][ow][ic * dm][V], then a 1x1 convolution with kernel
m4_dnl [1][1][ic * dm][filters], the bias and the activation.  Tensors in
m4_dnl Keras order: depthwise_kernel, pointwise_kernel, bias.

m4_define(«_seqc_sep_mid», «m4_eval(seqc_oh * seqc_ow * seqc_ic * seqc_dm)»)

m4_define(«seqc_separable_conv2d_forward», «
/* seqc_name: SeparableConv2D seqc_oc, depthwise seqc_kh«x»seqc_kw x seqc_dm, strides seqc_sh«x»seqc_sw, dilation seqc_dh«x»seqc_dw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right), seqc_act
 *   in        seqc_shape_in
 *   depthwise [seqc_kh][seqc_kw][seqc_ic][seqc_dm]
 *   mid       [nb][seqc_oh][seqc_ow][_seqc_dwc][seqc_V] (the depthwise output)
 *   pointwise [1][1][_seqc_dwc][seqc_oc]
 *   bias      [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out       seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict mid, float *restrict out,
    const float *restrict kernel, const float *restrict pointwise, const float *restrict bias,
    int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict y = mid + (long)b * m4_eval(_seqc_sep_mid * seqc_V);
_seqc_dw_forward(0)
        const float *restrict xm = y;
        float *restrict yo = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        for (int p = 0; p < m4_eval(seqc_oh * seqc_ow); p++)
        for (int ob = 0; ob < seqc_oc; ob += seqc_OB) {
            lanes acc[seqc_OB];
            for (int j = 0; j < seqc_OB; j++)
                acc[j] = L_SET1(seqc_if(seqc_bias, «bias[ob + j]», «0.0f»));
            for (int c = 0; c < _seqc_dwc; c++) {
                const lanes xv = L_LOAD(xm + (p * _seqc_dwc + c) * seqc_V);
                for (int j = 0; j < seqc_OB; j++)
                    L_MADD(acc[j], xv, pointwise[c * seqc_oc + ob + j]);
            }
            float *restrict yp = yo + (p * seqc_oc + ob) * seqc_V;
            for (int j = 0; j < seqc_OB; j++)
                L_STORE(yp + j * seqc_V, acc[j]);
            for (int k = 0; k < m4_eval(seqc_OB * seqc_V); k++)
                seqc_act_store(«yp», «k»)
        }
    }
}
»)

m4_define(«seqc_separable_conv2d_backward», «
/* seqc_name backward: dout seqc_shape_out becomes the gradient before the
 * activation, in place; dmid is overwritten; the kernels' and bias's
 * gradients and din seqc_shape_in accumulate. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict mid,
    const float *restrict out, float *restrict dout, float *restrict dmid, float *restrict din,
    const float *restrict kernel, const float *restrict pointwise, float *restrict dkernel,
    float *restrict dpointwise, float *restrict dbias, int nb«»seqc_z_cparam)
{
    seqc_if(seqc_need_din, «», «(void)din; (void)kernel;»)
    seqc_if(seqc_bias, «», «(void)dbias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        const float *restrict xm = mid + (long)b * m4_eval(_seqc_sep_mid * seqc_V);
        const float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        float *restrict go = dout + (long)b * m4_eval(seqc_out_size * seqc_V);
        float *restrict g = dmid + (long)b * m4_eval(_seqc_sep_mid * seqc_V);
        seqc_if(seqc_need_din, «float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);»)
        seqc_if(seqc_keep_z, «const float *restrict zb = zbuf + (long)b * m4_eval(seqc_out_size * seqc_V);»)
        for (long i = 0; i < m4_eval(seqc_out_size * seqc_V); i++)
            go[i] = seqc_act_grad(«y[i]», «zb[i]», «go[i]»);
        (void)y;
seqc_if(seqc_bias, «seqc_dbias(«go», m4_eval(seqc_oh * seqc_ow), seqc_oc)»)m4_dnl
        /* pointwise kernel: dpw[c][o] += sum over pixels and lanes of mid * g,
         * seqc_cbp x seqc_ob independent sums per pass over the pixels */
        for (int cb = 0; cb < _seqc_dwc; cb += seqc_cbp)
        for (int ob = 0; ob < seqc_oc; ob += seqc_ob) {
            lanes acc[seqc_cbp][seqc_ob];
            for (int i = 0; i < seqc_cbp; i++)
                for (int j = 0; j < seqc_ob; j++)
                    acc[i][j] = L_SET1(0.0f);
            for (int p = 0; p < m4_eval(seqc_oh * seqc_ow); p++) {
                lanes xv[seqc_cbp], gv[seqc_ob];
                for (int i = 0; i < seqc_cbp; i++) {
                    xv[i] = L_LOAD(xm + (p * _seqc_dwc + cb + i) * seqc_V);
                    L_PIN(xv[i]);
                }
                for (int j = 0; j < seqc_ob; j++) {
                    gv[j] = L_LOAD(go + (p * seqc_oc + ob + j) * seqc_V);
                    L_PIN(gv[j]);
                }
                for (int i = 0; i < seqc_cbp; i++)
                    for (int j = 0; j < seqc_ob; j++)
                        L_VMADD(acc[i][j], xv[i], gv[j]);
            }
            for (int i = 0; i < seqc_cbp; i++)
                for (int j = 0; j < seqc_ob; j++) {
                    float sum = 0.0f;
                    seqc_lanes(«sum += L_LANE(acc[i][j], s);»)
                    dpointwise[(cb + i) * seqc_oc + ob + j] += sum;
                }
        }
        /* the gradient of mid: g[p][c] = sum over o of go[p][o] * pw[c][o],
         * seqc_cbd channels at a time (independent sums) */
        for (int p = 0; p < m4_eval(seqc_oh * seqc_ow); p++)
        for (int cb = 0; cb < _seqc_dwc; cb += seqc_cbd) {
            lanes acc[seqc_cbd];
            for (int i = 0; i < seqc_cbd; i++)
                acc[i] = L_SET1(0.0f);
            for (int o = 0; o < seqc_oc; o++) {
                const lanes gv = L_LOAD(go + (p * seqc_oc + o) * seqc_V);
                for (int i = 0; i < seqc_cbd; i++)
                    L_MADD(acc[i], gv, pointwise[(cb + i) * seqc_oc + o]);
            }
            for (int i = 0; i < seqc_cbd; i++)
                L_STORE(g + (p * _seqc_dwc + cb + i) * seqc_V, acc[i]);
        }
_seqc_dw_backward(0)
    }
}
»)

m4_define(«seqc_separable_conv2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_mid_ptr(act), seqc_out_ptr(act), params + seqc_w_off,
        params + seqc_p_off, params + seqc_b_off, nb«»seqc_z_arg);»)
m4_define(«seqc_separable_conv2d_bcall», «seqc_zero_din
    seqc_name«»_backward(seqc_in_ptr(act), seqc_mid_ptr(act), seqc_out_ptr(act), seqc_dout_ptr,
        seqc_dmid_ptr, seqc_din_ptr, params + seqc_w_off, params + seqc_p_off,
        grads + seqc_w_off, grads + seqc_p_off, grads + seqc_b_off, nb«»seqc_z_arg);»)
m4_divert(0)m4_dnl
