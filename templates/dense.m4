m4_divert(-1)
m4_dnl dense.m4 - Dense, kernel [in][out] as Keras stores it.

m4_define(«seqc_dense_forward», «
/* seqc_name: Dense seqc_oc, seqc_act
 *   in     [n][seqc_ic]
 *   kernel [seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    [n][seqc_oc] */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int n)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int s = 0; s < n; s++) {
        const float *restrict x = in + (long)s * seqc_ic;
        float *restrict y = out + (long)s * seqc_oc;
        for (int o = 0; o < seqc_oc; o++)
            y[o] = seqc_if(seqc_bias, «bias[o]», «0.0f»);
        for (int i = 0; i < seqc_ic; i++) {
            const float xv = x[i];
            const float *restrict w = kernel + (long)i * seqc_oc;
            for (int o = 0; o < seqc_oc; o++)
                y[o] += xv * w[o];
        }
        for (int o = 0; o < seqc_oc; o++)
            y[o] = seqc_act_fwd(seqc_act, «y[o]»);
    }
}
»)

m4_define(«seqc_dense_backward», «
/* seqc_name backward: dout [n][seqc_oc] becomes the pre-activation gradient in
 * place; dkernel, dbias and din accumulate. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict out,
    float *restrict dout, float *restrict din, const float *restrict kernel,
    float *restrict dkernel, float *restrict dbias, int n)
{
    seqc_if(seqc_need_din, «», «(void)din; (void)kernel;»)
    seqc_if(seqc_bias, «», «(void)dbias;»)
    for (int s = 0; s < n; s++) {
        const float *restrict x = in + (long)s * seqc_ic;
        const float *restrict y = out + (long)s * seqc_oc;
        float *restrict g = dout + (long)s * seqc_oc;
        for (int o = 0; o < seqc_oc; o++)
            g[o] = seqc_act_bwd(seqc_act, «y[o]», «g[o]»);
        (void)y;
seqc_if(seqc_bias, «        for (int o = 0; o < seqc_oc; o++)
            dbias[o] += g[o];
»)m4_dnl
        for (int i = 0; i < seqc_ic; i++) {
            const float xv = x[i];
            float *restrict dw = dkernel + (long)i * seqc_oc;
seqc_if(seqc_need_din, «            const float *restrict w = kernel + (long)i * seqc_oc;
            float sum = 0.0f;
            for (int o = 0; o < seqc_oc; o++) {
                dw[o] += xv * g[o];
                sum += w[o] * g[o];
            }
            din[(long)s * seqc_ic + i] += sum;», «            for (int o = 0; o < seqc_oc; o++)
                dw[o] += xv * g[o];»)
        }
    }
}
»)

m4_define(«seqc_dense_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off, n);»)
m4_define(«seqc_dense_bcall», «seqc_zero_din
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_out_ptr(dact), seqc_in_ptr(dact),
        params + seqc_w_off, grads + seqc_w_off, grads + seqc_b_off, n);»)
m4_divert(0)m4_dnl
