m4_divert(-1)
m4_dnl dense.m4 - Dense, kernel [in][out] as Keras stores it; activations
m4_dnl [nb][features][V].

m4_dnl ---- forward with V = 1 (the exported model: one sample at a time) -----
m4_dnl Blocks of outputs (a divisor of the width, at most 16; at most 64
m4_dnl where SEQC_WIDE_BLOCKS) summed in as many scalar accumulators, written
m4_dnl out here so that they are registers on any target (a block of 64
m4_dnl spilled on Cortex-M: every multiply-add loaded and stored its sum);
m4_dnl each input loaded once per block.  Where the compiler makes vectors
m4_dnl of them, 16 outputs were one 512-bit register, one chain of
m4_dnl dependent multiply-adds at the FMA's latency (the seed's 900 x 128
m4_dnl layer: 7.3 us); 64 are four chains.  Every output sums bias, then the
m4_dnl inputs in ascending order, fused (fmaf): V = 16's bits.
m4_define(«_seqc_d1_ob», «seqc_ldiv(seqc_oc, 16)»)
m4_define(«_seqc_d1_obw», «seqc_ldiv(seqc_oc, 64)»)
m4_dnl _seqc_d1_blocks(OB): the outputs in blocks of OB
m4_define(«_seqc_d1_blocks», «m4_dnl
        for (int ob = 0; ob < seqc_oc; ob += $1) {
            float seqc_forloop(«seqc_j», 0, m4_eval($1 - 1), «a«»seqc_j = seqc_if(seqc_bias, «bias[ob + seqc_j]», «0.0f»)«»m4_ifelse(seqc_j, m4_eval($1 - 1), «», «, »)»);
            const float *restrict wp = kernel + ob;
            for (int i = 0; i < seqc_ic; i++, wp += seqc_oc) {
                const float xv = x[i];
seqc_forloop(«seqc_j», 0, m4_eval($1 - 1), «                a«»seqc_j = fmaf(xv, wp[seqc_j], a«»seqc_j);
»)m4_dnl
            }
seqc_forloop(«seqc_j», 0, m4_eval($1 - 1), «            y[ob + seqc_j] = a«»seqc_j;
»)m4_dnl
            for (int k = 0; k < $1; k++)
                seqc_act_store(«y», «ob + k»)
        }
»)
m4_define(«_seqc_dense_forward_v1», «
/* seqc_name: Dense seqc_oc, seqc_act
 *   in     [nb][seqc_ic][1]
 *   kernel [seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    [nb][seqc_oc][1]
 * Blocks of _seqc_d1_ob outputs in registers (_seqc_d1_obw if SEQC_WIDE_BLOCKS). */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * seqc_ic;
        float *restrict y = out + (long)b * seqc_oc;
m4_ifelse(_seqc_d1_ob, _seqc_d1_obw, «_seqc_d1_blocks(_seqc_d1_ob)», «#if SEQC_WIDE_BLOCKS
_seqc_d1_blocks(_seqc_d1_obw)«»#else
_seqc_d1_blocks(_seqc_d1_ob)«»#endif
»)m4_dnl
    }
}
»)

m4_define(«seqc_dense_forward», «m4_ifelse(seqc_V, 1, «_seqc_dense_forward_v1()», «
/* seqc_name: Dense seqc_oc, seqc_act
 *   in     [nb][seqc_ic][seqc_V]
 *   kernel [seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    [nb][seqc_oc][seqc_V] */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_ic * seqc_V);
        float *restrict y = out + (long)b * m4_eval(seqc_oc * seqc_V);
        for (int ob = 0; ob < seqc_oc; ob += seqc_OB) {
            lanes acc[seqc_OB];
            for (int j = 0; j < seqc_OB; j++)
                acc[j] = L_SET1(seqc_if(seqc_bias, «bias[ob + j]», «0.0f»));
            for (int i = 0; i < seqc_ic; i++) {
                const lanes xv = L_LOAD(x + i * seqc_V);
                for (int j = 0; j < seqc_OB; j++)
                    L_MADD(acc[j], xv, kernel[(long)i * seqc_oc + ob + j]);
            }
            for (int j = 0; j < seqc_OB; j++)
                L_STORE(y + (ob + j) * seqc_V, acc[j]);
            for (int k = 0; k < m4_eval(seqc_OB * seqc_V); k++)
                seqc_act_store(«y», «ob * seqc_V + k»)
        }
    }
}
»)»)

m4_define(«seqc_dense_backward», «
/* seqc_name backward: dout [nb][seqc_oc][seqc_V] becomes the pre-activation
 * gradient in place; dkernel, dbias and din accumulate. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict out,
    float *restrict dout, float *restrict din, const float *restrict kernel,
    float *restrict dkernel, float *restrict dbias, int nb«»seqc_z_cparam)
{
    seqc_if(seqc_need_din, «», «(void)din; (void)kernel;»)
    seqc_if(seqc_bias, «», «(void)dbias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_ic * seqc_V);
        const float *restrict y = out + (long)b * m4_eval(seqc_oc * seqc_V);
        float *restrict g = dout + (long)b * m4_eval(seqc_oc * seqc_V);
        float gt[seqc_V][seqc_oc];   /* g transposed: kernel rows become vector loops */
        seqc_if(seqc_keep_z, «const float *restrict zb = zbuf + (long)b * m4_eval(seqc_oc * seqc_V);»)
        for (int o = 0; o < seqc_oc; o++)
            seqc_lanes(«gt[s][o] = g[o * seqc_V + s] = seqc_act_grad(«y[o * seqc_V + s]», «zb[o * seqc_V + s]», «g[o * seqc_V + s]»);»)
        (void)y;
seqc_if(seqc_bias, «        for (int s = 0; s < seqc_V; s++)
            for (int o = 0; o < seqc_oc; o++)
                dbias[o] += gt[s][o];
»)m4_dnl
        for (int i = 0; i < seqc_ic; i++) {
            float *restrict dw = dkernel + (long)i * seqc_oc;
            for (int s = 0; s < seqc_V; s++) {
                const float xv = x[i * seqc_V + s];
                for (int o = 0; o < seqc_oc; o++)
                    dw[o] += xv * gt[s][o];
            }
        }
seqc_if(seqc_need_din, «m4_dnl
        float *restrict dx = din + (long)b * m4_eval(seqc_ic * seqc_V);
        for (int ib = 0; ib < seqc_ic; ib += seqc_cbd) {
            lanes acc[seqc_cbd];
            for (int i = 0; i < seqc_cbd; i++)
                acc[i] = L_SET1(0.0f);
            for (int o = 0; o < seqc_oc; o++) {
                const lanes gv = L_LOAD(g + o * seqc_V);
                for (int i = 0; i < seqc_cbd; i++)
                    L_MADD(acc[i], gv, kernel[(long)(ib + i) * seqc_oc + o]);
            }
            for (int i = 0; i < seqc_cbd; i++)
                L_ADDTO(dx + (ib + i) * seqc_V, acc[i]);
        }»)
    }
}
»)

m4_define(«seqc_dense_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off, nb«»seqc_z_arg);»)
m4_define(«seqc_dense_bcall», «seqc_zero_din
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_dout_ptr, seqc_din_ptr,
        params + seqc_w_off, grads + seqc_w_off, grads + seqc_b_off, nb«»seqc_z_arg);»)
m4_divert(0)m4_dnl
