m4_divert(-1)
m4_dnl global_pool.m4 - GlobalAveragePooling2D/1D and GlobalMaxPooling2D/1D
m4_dnl (seqc_max tells which): [nb][h][w][c][V] -> [nb][c][V].  The mean
m4_dnl sums pixels in row-major order and divides once; max's gradient goes
m4_dnl to the first maximum in that order, recomputed as forward found it.

m4_define(«_seqc_gp_pix», «m4_eval(seqc_ih * seqc_iw)»)
m4_define(«_seqc_gp_row», «m4_eval(seqc_ic * seqc_V)»)

m4_define(«seqc_global_pool_forward», «
/* seqc_name: seqc_keras over seqc_ih«x»seqc_iw
 *   in  seqc_shape_in
 *   out [nb][seqc_oc][seqc_V] */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int nb)
{
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict y = out + (long)b * _seqc_gp_row;
        for (int k = 0; k < _seqc_gp_row; k++)
            y[k] = x[k];
        for (int p = 1; p < _seqc_gp_pix; p++)
            for (int k = 0; k < _seqc_gp_row; k++)
                seqc_if(seqc_max, «y[k] = x[p * _seqc_gp_row + k] > y[k] ? x[p * _seqc_gp_row + k] : y[k];», «y[k] += x[p * _seqc_gp_row + k];»)
seqc_if(seqc_max, «», «        for (int k = 0; k < _seqc_gp_row; k++)
            y[k] /= (float)_seqc_gp_pix;
»)m4_dnl
    }
}
»)

m4_define(«seqc_global_pool_backward», «
/* seqc_name backward: din seqc_shape_in seqc_if(seqc_max, «accumulates», «is written (every pixel gets its share)»). */
static void seqc_name«»_backward(const float *restrict in, const float *restrict dout,
    float *restrict din, int nb)
{
    seqc_if(seqc_max, «», «(void)in;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict g = dout + (long)b * _seqc_gp_row;
        float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);
seqc_if(seqc_max, «m4_dnl
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        for (int k = 0; k < _seqc_gp_row; k++) {
            int arg = 0;
            for (int p = 1; p < _seqc_gp_pix; p++)
                arg = x[p * _seqc_gp_row + k] > x[arg * _seqc_gp_row + k] ? p : arg;
            dx[arg * _seqc_gp_row + k] += g[k];
        }», «m4_dnl
        for (int p = 0; p < _seqc_gp_pix; p++)
            for (int k = 0; k < _seqc_gp_row; k++)
                dx[p * _seqc_gp_row + k] = g[k] / (float)_seqc_gp_pix;»)
    }
}
»)

m4_define(«seqc_global_pool_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), nb);»)
m4_define(«seqc_global_pool_bcall», «seqc_if(seqc_need_din, «seqc_if(seqc_max, «seqc_zero_din»)
    seqc_name«»_backward(seqc_in_ptr(act), seqc_dout_ptr, seqc_din_ptr, nb);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
