m4_divert(-1)
m4_dnl pool2d.m4 - MaxPooling2D and AveragePooling2D (seqc_max tells which),
m4_dnl on blocked activations [nb][h][w][c][V]: a pixel's C*V values are
m4_dnl contiguous, so each tap is one flat loop.  'same' windows skip the
m4_dnl padded cells: max ignores them, the average divides by the number of
m4_dnl real cells, as Keras does.  Max pooling's gradient goes to the first
m4_dnl maximum in window order, recomputed in backward as forward found it.

m4_define(«_seqc_pool_taps», «seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int iy = oy * seqc_sh + m4_eval(seqc_ky - seqc_pt), ix = ox * seqc_sw + m4_eval(seqc_kx - seqc_pl);
                seqc_if(seqc_padded, «if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) »){
                    const long xo = (iy * seqc_iw + ix) * m4_eval(seqc_ic * seqc_V);
$1
                }
            }»)»)»)
m4_define(«_seqc_pix», «m4_eval(seqc_oc * seqc_V)»)

m4_dnl _seqc_pool_flat: an unpadded window, every tap a pointer, each output
m4_dnl reduced in a register (the general form below stores and reloads the
m4_dnl output once per tap).  The same operations in the same order.
m4_define(«_seqc_pool_tapp», «xt«»seqc_ky«»_«»seqc_kx»)
m4_define(«_seqc_pool_each», «seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «$1»)»)»)
m4_define(«_seqc_pool_flat», «m4_dnl
_seqc_pool_each(«            const float *restrict _seqc_pool_tapp = x + ((oy * seqc_sh + seqc_ky) * seqc_iw + ox * seqc_sw + seqc_kx) * _seqc_pix;
»)m4_dnl
            for (int k = 0; k < _seqc_pix; k++) {
                float s_ = seqc_if(seqc_max, «-INFINITY», «0.0f»);
_seqc_pool_each(«                s_ = seqc_if(seqc_max, «_seqc_pool_tapp[k] > s_ ? _seqc_pool_tapp[k] : s_», «s_ + _seqc_pool_tapp[k]»);
»)m4_dnl
                yp[k] = s_«»seqc_if(seqc_max, «», « / m4_eval(seqc_kh * seqc_kw).0f»);
            }
»)
m4_define(«seqc_pool2d_forward», «
/* seqc_name: seqc_keras seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right)
 *   in  seqc_shape_in
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int nb)
{
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++) {
            float *restrict yp = y + (oy * seqc_ow + ox) * _seqc_pix;
seqc_if(m4_eval(!seqc_padded), «_seqc_pool_flat», «seqc_if(seqc_max, «m4_dnl
            for (int k = 0; k < _seqc_pix; k++)
                yp[k] = -INFINITY;
_seqc_pool_taps(«                    for (int k = 0; k < _seqc_pix; k++)
                        yp[k] = x[xo + k] > yp[k] ? x[xo + k] : yp[k];»)», «m4_dnl
            float cells = 0.0f;
            for (int k = 0; k < _seqc_pix; k++)
                yp[k] = 0.0f;
_seqc_pool_taps(«                    cells += 1.0f;
                    for (int k = 0; k < _seqc_pix; k++)
                        yp[k] += x[xo + k];»)
            for (int k = 0; k < _seqc_pix; k++)
                yp[k] /= cells;»)»)
        }
    }
}
»)

m4_dnl _seqc_pool_tiles: an average pool whose windows tile the input exactly
m4_dnl (stride = window, no padding, nothing left over): every input cell
m4_dnl gets one share, so backward writes din instead of clearing it first
m4_dnl and adding (a pass over din less).
m4_define(«_seqc_pool_tiles», «m4_eval(!seqc_max && !seqc_padded && seqc_sh == seqc_kh && seqc_sw == seqc_kw &&
seqc_oh * seqc_kh == seqc_ih && seqc_ow * seqc_kw == seqc_iw)»)

m4_define(«seqc_pool2d_backward», «
/* seqc_name backward: din seqc_shape_in seqc_if(_seqc_pool_tiles, «is written (the windows tile it)», «accumulates»). */
static void seqc_name«»_backward(const float *restrict in, const float *restrict dout,
    float *restrict din, int nb)
{
    seqc_if(seqc_max, «», «(void)in;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);
        const float *restrict gb = dout + (long)b * m4_eval(seqc_out_size * seqc_V);
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++) {
            const float *restrict g = gb + (oy * seqc_ow + ox) * _seqc_pix;
seqc_if(seqc_max, «m4_dnl
            float best[_seqc_pix];
            long arg[_seqc_pix];
            for (int k = 0; k < _seqc_pix; k++)
                best[k] = -INFINITY, arg[k] = -1;
_seqc_pool_taps(«                    for (int k = 0; k < _seqc_pix; k++)
                        if (x[xo + k] > best[k])
                            best[k] = x[xo + k], arg[k] = xo + k;»)
            for (int k = 0; k < _seqc_pix; k++)
                if (arg[k] >= 0)
                    dx[arg[k]] += g[k];», «m4_dnl
            (void)x;
            float cells = 0.0f;
_seqc_pool_taps(«                    (void)xo;
                    cells += 1.0f;»)
_seqc_pool_taps(«                    for (int k = 0; k < _seqc_pix; k++)
                        dx[xo + k] seqc_if(_seqc_pool_tiles, «=», «+=») g[k] / cells;»)»)
        }
    }
}
»)

m4_define(«seqc_pool2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), nb);»)
m4_define(«seqc_pool2d_bcall», «seqc_if(seqc_need_din, «seqc_if(_seqc_pool_tiles, «», «seqc_zero_din»)
    seqc_name«»_backward(seqc_in_ptr(act), seqc_dout_ptr, seqc_din_ptr, nb);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
