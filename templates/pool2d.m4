m4_divert(-1)
m4_dnl pool2d.m4 - MaxPooling2D and AveragePooling2D (seqc_max tells which).
m4_dnl 'same' windows skip the padded cells: max ignores them, the average
m4_dnl divides by the number of real cells, as Keras does.  Max pooling's
m4_dnl gradient goes to the first maximum in window order, recomputed in
m4_dnl backward exactly as forward found it.

m4_dnl _seqc_pool_taps(BODY): BODY for every tap, xp pointing at cell (iy, ix).
m4_define(«_seqc_pool_taps», «seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int iy = oy * seqc_sh + m4_eval(seqc_ky - seqc_pt), ix = ox * seqc_sw + m4_eval(seqc_kx - seqc_pl);
                seqc_if(seqc_padded, «if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) »){
                    const long xo = (iy * seqc_iw + ix) * seqc_ic;
$1
                }
            }»)»)»)

m4_define(«seqc_pool2d_forward», «
/* seqc_name: seqc_keras seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right)
 *   in  seqc_shape_in
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int n)
{
    for (int s = 0; s < n; s++) {
        const float *restrict x = in + (long)s * seqc_in_size;
        float *restrict y = out + (long)s * seqc_out_size;
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++) {
            float *restrict yp = y + (oy * seqc_ow + ox) * seqc_oc;
seqc_if(seqc_max, «m4_dnl
            for (int c = 0; c < seqc_oc; c++)
                yp[c] = -INFINITY;
_seqc_pool_taps(«                    for (int c = 0; c < seqc_oc; c++)
                        if (x[xo + c] > yp[c])
                            yp[c] = x[xo + c];»)», «m4_dnl
            float cells = 0.0f;
            for (int c = 0; c < seqc_oc; c++)
                yp[c] = 0.0f;
_seqc_pool_taps(«                    cells += 1.0f;
                    for (int c = 0; c < seqc_oc; c++)
                        yp[c] += x[xo + c];»)
            for (int c = 0; c < seqc_oc; c++)
                yp[c] /= cells;»)
        }
    }
}
»)

m4_define(«seqc_pool2d_backward», «
/* seqc_name backward: din [n][seqc_ih][seqc_iw][seqc_ic] accumulates. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict dout,
    float *restrict din, int n)
{
    seqc_if(seqc_max, «», «(void)in;»)
    for (int s = 0; s < n; s++) {
        const float *restrict x = in + (long)s * seqc_in_size;
        float *restrict dx = din + (long)s * seqc_in_size;
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++) {
            const float *restrict g = dout + (long)s * seqc_out_size + (oy * seqc_ow + ox) * seqc_oc;
seqc_if(seqc_max, «m4_dnl
            float best[seqc_oc];
            long arg[seqc_oc];
            for (int c = 0; c < seqc_oc; c++)
                best[c] = -INFINITY, arg[c] = -1;
_seqc_pool_taps(«                    for (int c = 0; c < seqc_oc; c++)
                        if (x[xo + c] > best[c])
                            best[c] = x[xo + c], arg[c] = xo + c;»)
            for (int c = 0; c < seqc_oc; c++)
                if (arg[c] >= 0)
                    dx[arg[c]] += g[c];», «m4_dnl
            (void)x;
            float cells = 0.0f;
_seqc_pool_taps(«                    (void)xo;
                    cells += 1.0f;»)
_seqc_pool_taps(«                    for (int c = 0; c < seqc_oc; c++)
                        dx[xo + c] += g[c] / cells;»)»)
        }
    }
}
»)

m4_define(«seqc_pool2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), n);»)
m4_define(«seqc_pool2d_bcall», «seqc_if(seqc_need_din, «seqc_zero_din
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(dact), seqc_in_ptr(dact), n);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
