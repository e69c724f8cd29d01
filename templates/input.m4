m4_divert(-1)
m4_dnl input.m4 - the input layer: the caller writes [n][N_INPUT] at the start
m4_dnl of the arena; this re-lays the samples out in blocks of V lanes, the
m4_dnl layout of every other layer, zero-filling the lanes past n.

m4_define(«seqc_input_forward», «
/* seqc_name: Input
 *   raw [n][seqc_out_size] as the caller wrote it
 *   out seqc_shape_out */
static void seqc_name«»_forward(const float *restrict raw, float *restrict out, int n, int nb)
{
    for (int b = 0; b < nb; b++)
        for (long e = 0; e < seqc_out_size; e++)
            for (int s = 0; s < seqc_V; s++) {
                const int sample = b * seqc_V + s;
                out[((long)b * seqc_out_size + e) * seqc_V + s] =
                    sample < n ? raw[(long)sample * seqc_out_size + e] : 0.0f;
            }
}
»)
m4_define(«seqc_input_fcall», «
    seqc_name«»_forward(act, seqc_out_ptr(act), n, nb);»)
m4_divert(0)m4_dnl
