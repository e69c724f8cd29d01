m4_divert(-1)
m4_dnl export_sizes.m4 - the memory an exported model needs, for its comments.
m4_define(«seqc_export_sizes», «m4_dnl
 * Flash: m4_eval(seqc_n_params * 4) bytes of weights (seqc_n_params floats, static const)m4_ifelse(seqc_n_consts, 0, «.», «
 *        + m4_eval(seqc_n_consts * 4) bytes of constants (normalization mean and variance from the spec).»)
 * RAM:   m4_eval(seqc_x_arena * 4) bytes of activations (the largest live input/output
 *        pair of one layer) + m4_eval(seqc_n_in * 4) bytes for seqc_model«»_predict_u8's input;
 *        no heap, no stdio; the stack holds only loop variables and small
 *        per-window accumulators.»)
m4_divert(0)m4_dnl
