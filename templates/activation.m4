m4_divert(-1)
m4_dnl activation.m4 - a separate Activation layer, and the ReLU, LeakyReLU
m4_dnl and ELU layers with their options.  A softmax here is the last layer:
m4_dnl it passes the logits through, and the loss applies it.  Activations
m4_dnl whose gradient needs X read it from the input.

m4_define(«seqc_activation_forward», «
/* seqc_name: seqc_keras seqc_act
 *   in  seqc_shape_in
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out, int nb)
{
    for (long i = 0; i < m4_eval(seqc_out_size * seqc_V)«»L * nb; i++)
        out[i] = seqc_act_fwd(seqc_act, «in[i]»);
}
»)

m4_dnl _seqc_act_fused: 1 for a ReLU that the batch norm before it runs in
m4_dnl training (batch_norm.m4, "BN + ReLU fusion"): then its training
m4_dnl forward and its backward are no code of their own.
m4_define(«_seqc_act_fused», «m4_ifelse(seqc_idx, 0, 0, «seqc_bn_relu_at(m4_decr(seqc_idx))»)»)

m4_define(«seqc_activation_backward», «seqc_if(_seqc_act_fused, «», «_seqc_activation_backward«»»)»)
m4_define(«_seqc_activation_backward», «
/* seqc_name backward: din seqc_shape_in is written (it has no other writer). */
static void seqc_name«»_backward(const float *restrict in, const float *restrict out,
    const float *restrict dout, float *restrict din, int nb)
{
    (void)in; (void)out;
    for (long i = 0; i < m4_eval(seqc_out_size * seqc_V)«»L * nb; i++)
        din[i] = seqc_act_grad(«out[i]», «in[i]», «dout[i]»);
}
»)

m4_define(«seqc_activation_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), nb);»)
m4_define(«seqc_activation_tcall», «seqc_if(_seqc_act_fused, «
    /* seqc_name: written by the batch norm before it */», «seqc_activation_fcall«»»)»)
m4_define(«seqc_activation_bcall», «seqc_if(_seqc_act_fused, «
    /* seqc_name: its mask is applied by the batch norm before it */», «_seqc_activation_bcall«»»)»)
m4_define(«_seqc_activation_bcall», «seqc_if(seqc_need_din, «
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_dout_ptr, seqc_din_ptr, nb);», «
    /* seqc_name: nothing before it has parameters */»)»)
m4_divert(0)m4_dnl
