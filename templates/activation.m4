m4_divert(-1)
m4_dnl activation.m4 - a separate Activation layer.  A softmax here is the
m4_dnl last layer: it passes the logits through, and the loss applies it.

m4_define(«seqc_activation_forward», «
/* seqc_name: Activation seqc_act
 *   in  seqc_shape_in
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int nb)
{
    for (long i = 0; i < m4_eval(seqc_out_size * seqc_V)«»L * nb; i++)
        out[i] = seqc_act_fwd(seqc_act, «in[i]»);
}
»)

m4_define(«seqc_activation_backward», «
/* seqc_name backward: din seqc_shape_in accumulates. */
static void seqc_name«»_backward(const float *restrict out, const float *restrict dout,
    float *restrict din, int nb)
{
    (void)out;
    for (long i = 0; i < m4_eval(seqc_out_size * seqc_V)«»L * nb; i++)
        din[i] += seqc_act_bwd(seqc_act, «out[i]», «dout[i]»);
}
»)

m4_define(«seqc_activation_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), nb);»)
m4_define(«seqc_activation_bcall», «seqc_if(seqc_need_din, «seqc_zero_din
    seqc_name«»_backward(seqc_out_ptr(act), seqc_out_ptr(dact), seqc_in_ptr(dact), nb);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
