m4_divert(-1)
m4_dnl zero_padding2d.m4 - ZeroPadding2D: top/bottom rows, left/right columns,
m4_dnl on blocked activations [nb][h][w][c][V] (a row is contiguous).

m4_define(«_seqc_zp_row», «m4_eval(seqc_iw * seqc_ic * seqc_V)»)
m4_define(«_seqc_zp_at», «(long)b * m4_eval(seqc_out_size * seqc_V) + ((iy + seqc_pt) * seqc_ow + seqc_pl) * m4_eval(seqc_oc * seqc_V)»)

m4_define(«seqc_zero_padding2d_forward», «
/* seqc_name: ZeroPadding2D top seqc_pt, bottom seqc_pb, left seqc_pl, right seqc_pr
 *   in  seqc_shape_in
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int nb)
{
    memset(out, 0, sizeof(float) * m4_eval(seqc_out_size * seqc_V) * (size_t)nb);
    for (int b = 0; b < nb; b++)
        for (int iy = 0; iy < seqc_ih; iy++)
            memcpy(out + _seqc_zp_at, in + (long)b * m4_eval(seqc_in_size * seqc_V) + iy * _seqc_zp_row,
                   sizeof(float) * _seqc_zp_row);
}
»)

m4_define(«seqc_zero_padding2d_backward», «
/* seqc_name backward: din seqc_shape_in = the interior of dout (written). */
static void seqc_name«»_backward(const float *restrict dout, float *restrict din, int nb)
{
    for (int b = 0; b < nb; b++)
        for (int iy = 0; iy < seqc_ih; iy++)
            for (int i = 0; i < _seqc_zp_row; i++)
                din[(long)b * m4_eval(seqc_in_size * seqc_V) + iy * _seqc_zp_row + i] = dout[_seqc_zp_at + i];
}
»)

m4_define(«seqc_zero_padding2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), nb);»)
m4_define(«seqc_zero_padding2d_bcall», «seqc_if(seqc_need_din, «
    seqc_name«»_backward(seqc_dout_ptr, seqc_din_ptr, nb);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
