m4_divert(-1)
m4_dnl conv2d.m4 - Conv2D and Conv1D (a height of 1), kernel HWIO
m4_dnl [kh][kw][cin][cout] (Conv1D: [k][cin][cout]), dilation seqc_dh x seqc_dw, blocked NHWC
m4_dnl activations [nb][h][w][c][V].  Windows are unrolled: one block per
m4_dnl (ky, kx) tap with literal offsets.  A tap outside the input (padding
m4_dnl 'same') contributes nothing, as TensorFlow's zero padding; the check is
m4_dnl emitted only when the layer pads.  Each lane sums its own sample in
m4_dnl the same order for any V, so V = 1 and V = 16 give the same bits.

m4_dnl _seqc_conv_tap(BODY): BODY with iy/ix set for tap (seqc_ky, seqc_kx).
m4_define(«_seqc_conv_tap», «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int iy = oy * seqc_sh + m4_eval(seqc_ky * seqc_dh - seqc_pt), ix = ox * seqc_sw + m4_eval(seqc_kx * seqc_dw - seqc_pl);
                seqc_if(seqc_padded, «if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) »){
$1
                }
            }»)
m4_define(«_seqc_conv_taps», «seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_conv_tap(«$1»)»)»)»)
m4_define(«_seqc_tap_w», «m4_eval((seqc_ky * seqc_kw + seqc_kx) * seqc_ic * seqc_oc)»)
m4_dnl output rows per kernel-gradient tile: about 128 KiB of dout
m4_define(«_seqc_dw_rows», «m4_eval(32768 / (seqc_ow * seqc_oc * seqc_V) + (32768 / (seqc_ow * seqc_oc * seqc_V) < 1))»)

m4_define(«seqc_conv2d_forward», «
/* seqc_name: seqc_keras seqc_oc@seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, dilation seqc_dh«x»seqc_dw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right), seqc_act
 *   in     seqc_shape_in
 *   kernel [seqc_kh][seqc_kw][seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++)
        for (int ob = 0; ob < seqc_oc; ob += seqc_OB) {
            lanes acc[seqc_OB];
            for (int j = 0; j < seqc_OB; j++)
                acc[j] = L_SET1(seqc_if(seqc_bias, «bias[ob + j]», «0.0f»));
_seqc_conv_taps(«m4_dnl
                    const float *restrict xp = x + (iy * seqc_iw + ix) * m4_eval(seqc_ic * seqc_V);
                    const float *restrict wp = kernel + _seqc_tap_w + ob;
                    for (int c = 0; c < seqc_ic; c++) {
                        const lanes xv = L_LOAD(xp + c * seqc_V);
                        for (int j = 0; j < seqc_OB; j++)
                            L_MADD(acc[j], xv, wp[c * seqc_oc + j]);
                    }»)
            float *restrict yp = y + ((oy * seqc_ow + ox) * seqc_oc + ob) * seqc_V;
            for (int j = 0; j < seqc_OB; j++)
                L_STORE(yp + j * seqc_V, acc[j]);
            for (int k = 0; k < m4_eval(seqc_OB * seqc_V); k++)
                seqc_act_store(«yp», «k»)
        }
    }
}
»)

m4_define(«seqc_conv2d_backward», «
/* seqc_name backward: dout seqc_shape_out becomes the gradient before the
 * activation, in place; dkernel, dbias and din seqc_shape_in accumulate. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict out,
    float *restrict dout, float *restrict din, const float *restrict kernel,
    float *restrict dkernel, float *restrict dbias, int nb«»seqc_z_cparam)
{
    seqc_if(seqc_need_din, «», «(void)din; (void)kernel;»)
    seqc_if(seqc_bias, «», «(void)dbias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        const float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        float *restrict g = dout + (long)b * m4_eval(seqc_out_size * seqc_V);
        seqc_if(seqc_keep_z, «const float *restrict zb = zbuf + (long)b * m4_eval(seqc_out_size * seqc_V);»)
        for (long i = 0; i < m4_eval(seqc_out_size * seqc_V); i++)
            g[i] = seqc_act_grad(«y[i]», «zb[i]», «g[i]»);
        (void)y;
seqc_if(seqc_bias, «        for (int p = 0; p < m4_eval(seqc_oh * seqc_ow); p++)
            for (int o = 0; o < seqc_oc; o++) {
                float sum = 0.0f;
                seqc_lanes(«sum += g[(p * seqc_oc + o) * seqc_V + s];»)
                dbias[o] += sum;
            }
»)m4_dnl
        /* dkernel: per tap, a block of seqc_cbw x seqc_ob sums over the output
         * pixels and lanes, _seqc_dw_rows output rows at a time so that the
         * rows of dout stay in cache across the taps (not unrolled: each tap
         * is a long loop) */
        for (int ty = 0; ty < seqc_oh; ty += _seqc_dw_rows)
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int kx = 0; kx < seqc_kw; kx++)
        for (int cb = 0; cb < seqc_ic; cb += seqc_cbw)
        for (int ob = 0; ob < seqc_oc; ob += seqc_ob) {
            lanes acc[seqc_cbw][seqc_ob];
            for (int i = 0; i < seqc_cbw; i++)
                for (int j = 0; j < seqc_ob; j++)
                    acc[i][j] = L_SET1(0.0f);
            for (int oy = ty; oy < ty + _seqc_dw_rows && oy < seqc_oh; oy++)
            for (int ox = 0; ox < seqc_ow; ox++) {
                const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
                seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih || ix < 0 || ix >= seqc_iw)
                    continue;»)
                const float *restrict xp = x + ((iy * seqc_iw + ix) * seqc_ic + cb) * seqc_V;
                const float *restrict gp = g + ((oy * seqc_ow + ox) * seqc_oc + ob) * seqc_V;
                lanes xv[seqc_cbw], gv[seqc_ob];
                for (int i = 0; i < seqc_cbw; i++) {
                    xv[i] = L_LOAD(xp + i * seqc_V);
                    L_PIN(xv[i]);
                }
                for (int j = 0; j < seqc_ob; j++) {
                    gv[j] = L_LOAD(gp + j * seqc_V);
                    L_PIN(gv[j]);
                }
                for (int i = 0; i < seqc_cbw; i++)
                    for (int j = 0; j < seqc_ob; j++)
                        L_VMADD(acc[i][j], xv[i], gv[j]);
            }
            float *restrict dw = dkernel + ((ky * seqc_kw + kx) * seqc_ic + cb) * seqc_oc + ob;
            for (int i = 0; i < seqc_cbw; i++)
                for (int j = 0; j < seqc_ob; j++) {
                    float sum = 0.0f;
                    seqc_lanes(«sum += L_LANE(acc[i][j], s);»)
                    dw[i * seqc_oc + j] += sum;
                }
        }
seqc_if(seqc_need_din, «m4_dnl
        /* din: every output pixel scatters into the inputs of its window */
        float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++)
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int kx = 0; kx < seqc_kw; kx++) {
            const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
            seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih || ix < 0 || ix >= seqc_iw)
                continue;»)
            const float *restrict gp = g + (oy * seqc_ow + ox) * m4_eval(seqc_oc * seqc_V);
            const float *restrict wp = kernel + (ky * seqc_kw + kx) * m4_eval(seqc_ic * seqc_oc);
            float *restrict dxp = dx + (iy * seqc_iw + ix) * m4_eval(seqc_ic * seqc_V);
            for (int cb = 0; cb < seqc_ic; cb += seqc_cbd) {
                lanes acc[seqc_cbd];
                for (int i = 0; i < seqc_cbd; i++)
                    acc[i] = L_SET1(0.0f);
                for (int o = 0; o < seqc_oc; o++) {
                    const lanes gv = L_LOAD(gp + o * seqc_V);
                    for (int i = 0; i < seqc_cbd; i++)
                        L_MADD(acc[i], gv, wp[(cb + i) * seqc_oc + o]);
                }
                for (int i = 0; i < seqc_cbd; i++)
                    L_ADDTO(dxp + (cb + i) * seqc_V, acc[i]);
            }
        }»)
    }
}
»)

m4_define(«seqc_conv2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off, nb«»seqc_z_arg);»)
m4_define(«seqc_conv2d_bcall», «seqc_zero_din
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_out_ptr(dact), seqc_in_ptr(dact),
        params + seqc_w_off, grads + seqc_w_off, grads + seqc_b_off, nb«»seqc_z_arg);»)
m4_divert(0)m4_dnl
