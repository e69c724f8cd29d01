m4_divert(-1)
m4_dnl depthwise_conv2d.m4 - DepthwiseConv2D, kernel [kh][kw][cin][dm],
m4_dnl output channel c * dm + m, on blocked activations [nb][h][w][c][V].
m4_dnl The depthwise step is also the first half of SeparableConv2D
m4_dnl (separable_conv2d.m4), so it is written as bodies over named buffers:
m4_dnl x (input block), y (output block, ic * dm channels).  Per output
m4_dnl pixel and input channel, the dm sums stay in registers across the
m4_dnl unrolled taps; each lane sums its own sample in tap order, so V = 1
m4_dnl and V = 16 give the same bits.

m4_define(«_seqc_dwc», «m4_eval(seqc_ic * seqc_dm)»)
m4_define(«_seqc_dw_tap», «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int iy = oy * seqc_sh + m4_eval(seqc_ky * seqc_dh - seqc_pt), ix = ox * seqc_sw + m4_eval(seqc_kx * seqc_dw - seqc_pl);
                seqc_if(seqc_padded, «if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) »){
                    const lanes xv = L_LOAD(x + ((iy * seqc_iw + ix) * seqc_ic + c) * seqc_V);
                    for (int m = 0; m < seqc_dm; m++)
                        L_MADD(acc[m], xv, kernel[m4_eval((seqc_ky * seqc_kw + seqc_kx) * seqc_ic * seqc_dm) + c * seqc_dm + m]);
                }
            }»)

m4_dnl _seqc_dw_forward(BIAS): y = depthwise(x) [+ bias]; the caller applies
m4_dnl the activation.
m4_define(«_seqc_dw_forward», «m4_dnl
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++)
        for (int c = 0; c < seqc_ic; c++) {
            lanes acc[seqc_dm];
            for (int m = 0; m < seqc_dm; m++)
                acc[m] = L_SET1(seqc_if($1, «bias[c * seqc_dm + m]», «0.0f»));
seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_dw_tap»)»)
            float *restrict yp = y + ((oy * seqc_ow + ox) * _seqc_dwc + c * seqc_dm) * seqc_V;
            for (int m = 0; m < seqc_dm; m++)
                L_STORE(yp + m * seqc_V, acc[m]);
        }»)

m4_dnl _seqc_dw_backward(BIAS): from g (the gradient of y, [oh][ow][ic*dm]),
m4_dnl accumulate dkernel, dbias (if BIAS) and dx (if seqc_need_din).
m4_define(«_seqc_dw_backward», «m4_dnl
seqc_if($1, «seqc_dbias(«g», m4_eval(seqc_oh * seqc_ow), _seqc_dwc)»)m4_dnl
        /* dkernel: per tap, seqc_cbw channels x seqc_dm multipliers of
         * independent sums over the output pixels and lanes */
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int kx = 0; kx < seqc_kw; kx++)
        for (int cb = 0; cb < seqc_ic; cb += seqc_cbw) {
            lanes acc[seqc_cbw][seqc_dm];
            for (int i = 0; i < seqc_cbw; i++)
                for (int m = 0; m < seqc_dm; m++)
                    acc[i][m] = L_SET1(0.0f);
            for (int oy = 0; oy < seqc_oh; oy++)
            for (int ox = 0; ox < seqc_ow; ox++) {
                const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
                seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih || ix < 0 || ix >= seqc_iw)
                    continue;»)
                const float *restrict xp = x + ((iy * seqc_iw + ix) * seqc_ic + cb) * seqc_V;
                const float *restrict gp = g + ((oy * seqc_ow + ox) * _seqc_dwc + cb * seqc_dm) * seqc_V;
                for (int i = 0; i < seqc_cbw; i++) {
                    const lanes xv = L_LOAD(xp + i * seqc_V);
                    for (int m = 0; m < seqc_dm; m++)
                        L_VMADD(acc[i][m], xv, L_LOAD(gp + (i * seqc_dm + m) * seqc_V));
                }
            }
            float *restrict dw = dkernel + ((ky * seqc_kw + kx) * seqc_ic + cb) * seqc_dm;
            for (int i = 0; i < seqc_cbw; i++)
                for (int m = 0; m < seqc_dm; m++) {
                    float sum = 0.0f;
                    seqc_lanes(«sum += L_LANE(acc[i][m], s);»)
                    dw[i * seqc_dm + m] += sum;
                }
        }
seqc_if(seqc_need_din, «m4_dnl
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++)
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int kx = 0; kx < seqc_kw; kx++) {
            const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
            seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih || ix < 0 || ix >= seqc_iw)
                continue;»)
            const float *restrict gp = g + (oy * seqc_ow + ox) * m4_eval(seqc_ic * seqc_dm * seqc_V);
            const float *restrict wp = kernel + (ky * seqc_kw + kx) * _seqc_dwc;
            float *restrict dxp = dx + (iy * seqc_iw + ix) * m4_eval(seqc_ic * seqc_V);
            for (int c = 0; c < seqc_ic; c++) {
                lanes acc = L_SET1(0.0f);
                for (int m = 0; m < seqc_dm; m++)
                    L_MADD(acc, L_LOAD(gp + (c * seqc_dm + m) * seqc_V), wp[c * seqc_dm + m]);
                L_ADDTO(dxp + c * seqc_V, acc);
            }
        }»)»)

m4_dnl _seqc_dw_s1: 1 for the fast forward and backward below: depth multiplier 1,
m4_dnl stride 1, channels a multiple of 4, kernel width up to 7 (DS-CNN,
m4_dnl MobileNet's stride-1 blocks), V of 4 or more (the trainer, and its
m4_dnl tail build at 4 or 8 lanes: a third faster there than the general path).
m4_define(«_seqc_dw_s1», «m4_eval(seqc_V >= 4 && seqc_dm == 1 && seqc_sh == 1 && seqc_sw == 1 && seqc_ic % 4 == 0 &&
seqc_kw <= 7)»)
m4_dnl the kernel gradient's tile: one row of taps x _seqc_dw_ct channels of
m4_dnl sums in registers (kw x ct + ct <= 32 vector registers)
m4_define(«_seqc_dw_ct», «m4_ifelse(m4_eval(seqc_ic % 8 == 0 && (seqc_kw + 1) * 8 <= 32), 1, 8, 4)»)
m4_define(«_seqc_dw_tapsum», «
                { /* tap kx=seqc_kx */
                    const int ix = ox + m4_eval(seqc_kx * seqc_dw - seqc_pl);
                    seqc_if(seqc_padded, «if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) »){
                        const float *restrict xp = x + ((iy * seqc_iw + ix) * seqc_ic + cb) * seqc_V;
                        for (int i = 0; i < _seqc_dw_ct; i++)
                            L_VMADD(acc[seqc_kx][i], L_LOAD(xp + i * seqc_V), gv[i]);
                    }
                }»)
m4_dnl _seqc_dw_tap4(TO, FROM, OP, H, W, SRC, CHECK): one tap's term for four
m4_dnl channels, acc[i] += SRC[TOy][TOx][cb + i] * kernel[ky][kx][cb + i],
m4_dnl where TO = FROM OP (tap offset) and [TOy][TOx] lies in H x W (checked
m4_dnl if CHECK).  The forward reads x at oy + offset; din gathers dout at
m4_dnl iy - offset (the output pixel that read this input through the tap).
m4_define(«_seqc_dw_tap4», «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int $1y = $2y $3 m4_eval(seqc_ky * seqc_dh - seqc_pt), $1x = $2x $3 m4_eval(seqc_kx * seqc_dw - seqc_pl);
                seqc_if($7, «if ($1y >= 0 && $1y < $4 && $1x >= 0 && $1x < $5) »){
                    const float *restrict sp = $6 + (($1y * $5 + $1x) * seqc_ic + cb) * seqc_V;
                    const float *restrict wp = kernel + m4_eval((seqc_ky * seqc_kw + seqc_kx) * seqc_ic) + cb;
                    for (int i = 0; i < 4; i++)
                        L_MADD(acc[i], L_LOAD(sp + i * seqc_V), wp[i]);
                }
            }»)
m4_dnl _seqc_dw_forward_s1(BIAS): the forward of _seqc_dw_s1 layers, four
m4_dnl channels at a time: four independent sums per pixel instead of one
m4_dnl chain of kh x kw dependent FMAs, and the tap's bounds test and
m4_dnl addresses once per four channels.  Each sum still starts from the bias
m4_dnl and adds the taps in the same order: the same bits as _seqc_dw_forward.
m4_define(«_seqc_dw_forward_s1», «m4_dnl
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++)
        for (int cb = 0; cb < seqc_ic; cb += 4) {
            lanes acc[4];
            for (int i = 0; i < 4; i++)
                acc[i] = L_SET1(seqc_if($1, «bias[cb + i]», «0.0f»));
seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_dw_tap4(«i», «o», «+», seqc_ih, seqc_iw, «x», seqc_padded)»)»)
            for (int i = 0; i < 4; i++)
                L_STORE(y + ((oy * seqc_ow + ox) * seqc_ic + cb + i) * seqc_V, acc[i]);
        }»)
m4_dnl _seqc_dw_backward_s1(BIAS): the backward of _seqc_dw_s1 layers.
m4_dnl dkernel: a row of taps of _seqc_dw_ct channels accumulates together in
m4_dnl registers, so x and dout are read once per kernel row instead of once
m4_dnl per tap, in runs of _seqc_dw_ct channels (prefetchable).  din is
m4_dnl gathered (each input sums the taps that read it, four channels at a
m4_dnl time) and written: no zeroing pass and no read-modify-write per tap.
m4_define(«_seqc_dw_backward_s1», «m4_dnl
seqc_if($1, «seqc_dbias(«g», m4_eval(seqc_oh * seqc_ow), seqc_ic)»)m4_dnl
        for (int cb = 0; cb < seqc_ic; cb += _seqc_dw_ct)
        for (int ky = 0; ky < seqc_kh; ky++) {
            lanes acc[seqc_kw][_seqc_dw_ct];
            for (int t = 0; t < seqc_kw; t++)
                for (int i = 0; i < _seqc_dw_ct; i++)
                    acc[t][i] = L_SET1(0.0f);
            for (int oy = 0; oy < seqc_oh; oy++) {
                const int iy = oy + ky * seqc_dh - seqc_pt;
                for (int ox = 0; ox < seqc_ow; ox++) {
                    const float *restrict gp = g + ((oy * seqc_ow + ox) * seqc_ic + cb) * seqc_V;
                    lanes gv[_seqc_dw_ct];
                    for (int i = 0; i < _seqc_dw_ct; i++) {
                        gv[i] = L_LOAD(gp + i * seqc_V);
                        L_PIN(gv[i]);
                    }
seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_dw_tapsum»)
                }
            }
            for (int t = 0; t < seqc_kw; t++)
                for (int i = 0; i < _seqc_dw_ct; i++) {
                    float sum = 0.0f;
                    seqc_lanes(«sum += L_LANE(acc[t][i], s);»)
                    dkernel[(ky * seqc_kw + t) * seqc_ic + cb + i] += sum;
                }
        }
seqc_if(seqc_need_din, «m4_dnl
        for (int iy = 0; iy < seqc_ih; iy++)
        for (int ix = 0; ix < seqc_iw; ix++)
        for (int cb = 0; cb < seqc_ic; cb += 4) {
            lanes acc[4];
            for (int i = 0; i < 4; i++)
                acc[i] = L_SET1(0.0f);
seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_dw_tap4(«o», «i», «-», seqc_oh, seqc_ow, «g», 1)»)»)
            for (int i = 0; i < 4; i++)
                L_STORE(dx + ((iy * seqc_iw + ix) * seqc_ic + cb + i) * seqc_V, acc[i]);
        }»)»)

m4_define(«seqc_depthwise_conv2d_forward», «
/* seqc_name: DepthwiseConv2D seqc_kh«x»seqc_kw x seqc_dm, strides seqc_sh«x»seqc_sw, dilation seqc_dh«x»seqc_dw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right), seqc_act
 *   in     seqc_shape_in
 *   kernel [seqc_kh][seqc_kw][seqc_ic][seqc_dm]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    seqc_shape_out (channel c * seqc_dm + m) */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
seqc_if(_seqc_dw_s1, «_seqc_dw_forward_s1(seqc_bias)», «_seqc_dw_forward(seqc_bias)»)
        for (long k = 0; k < m4_eval(seqc_out_size * seqc_V); k++)
            seqc_act_store(«y», «k»)
    }
}
»)

m4_define(«seqc_depthwise_conv2d_backward», «
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
        seqc_if(seqc_need_din, «float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);»)
        seqc_if(seqc_keep_z, «const float *restrict zb = zbuf + (long)b * m4_eval(seqc_out_size * seqc_V);»)
        for (long i = 0; i < m4_eval(seqc_out_size * seqc_V); i++)
            g[i] = seqc_act_grad(«y[i]», «zb[i]», «g[i]»);
        (void)y;
seqc_if(_seqc_dw_s1, «_seqc_dw_backward_s1(seqc_bias)», «_seqc_dw_backward(seqc_bias)»)«»m4_dnl
    }
}
»)

m4_define(«seqc_depthwise_conv2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off, nb«»seqc_z_arg);»)
m4_define(«seqc_depthwise_conv2d_bcall», «seqc_if(_seqc_dw_s1, «», «seqc_zero_din»)
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_dout_ptr, seqc_din_ptr,
        params + seqc_w_off, grads + seqc_w_off, grads + seqc_b_off, nb«»seqc_z_arg);»)
m4_divert(0)m4_dnl
