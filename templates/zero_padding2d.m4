m4_divert(-1)
m4_dnl zero_padding2d.m4 - ZeroPadding2D: top/bottom rows, left/right columns.

m4_define(«seqc_zero_padding2d_forward», «
/* seqc_name: ZeroPadding2D top seqc_pt, bottom seqc_pb, left seqc_pl, right seqc_pr
 *   in  seqc_shape_in
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int n)
{
    memset(out, 0, sizeof(float) * seqc_out_size * (size_t)n);
    for (int s = 0; s < n; s++)
        for (int iy = 0; iy < seqc_ih; iy++)
            memcpy(out + (long)s * seqc_out_size + ((iy + seqc_pt) * seqc_ow + seqc_pl) * seqc_oc,
                   in + (long)s * seqc_in_size + iy * m4_eval(seqc_iw * seqc_ic),
                   sizeof(float) * m4_eval(seqc_iw * seqc_ic));
}
»)

m4_define(«seqc_zero_padding2d_backward», «
/* seqc_name backward: din seqc_shape_in accumulates the interior of dout. */
static void seqc_name«»_backward(const float *restrict dout, float *restrict din, int n)
{
    for (int s = 0; s < n; s++)
        for (int iy = 0; iy < seqc_ih; iy++)
            for (int i = 0; i < m4_eval(seqc_iw * seqc_ic); i++)
                din[(long)s * seqc_in_size + iy * m4_eval(seqc_iw * seqc_ic) + i] +=
                    dout[(long)s * seqc_out_size + ((iy + seqc_pt) * seqc_ow + seqc_pl) * seqc_oc + i];
}
»)

m4_define(«seqc_zero_padding2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), n);»)
m4_define(«seqc_zero_padding2d_bcall», «seqc_if(seqc_need_din, «seqc_zero_din
    seqc_name«»_backward(seqc_out_ptr(dact), seqc_in_ptr(dact), n);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
