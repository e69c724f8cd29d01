m4_divert(-1)
m4_dnl normalization.m4 - Keras 3 keras.layers.Normalization
m4_dnl (keras/src/layers/preprocessing/normalization.py, call()):
m4_dnl   y = (x - mean) / max(sqrt(variance), epsilon)      epsilon = 1e-7
m4_dnl   invert: y = mean + x * max(sqrt(variance), epsilon)
m4_dnl in float, in that order (a subtraction then a true division, as
m4_dnl Keras; the inverse as one fmaf, so the trainer and an exported model
m4_dnl agree whatever the compiler contracts).  One mean and variance per
m4_dnl feature of the last axis (norm_f = C), or one for all (axis null,
m4_dnl norm_f = 1), on blocked activations [nb][h][w][c][V].
m4_dnl
m4_dnl Adapted (norm_fixed 0): the parameters at p_off are mean [f],
m4_dnl variance [f], count; runtime/adapt.c sets them from the training data
m4_dnl and nothing trains them (the layer is frozen).  From the spec
m4_dnl (norm_fixed 1): no parameters, as in Keras; the same [mean][variance]
m4_dnl as constants: an array of the layer in the trainer, and in an
m4_dnl exported model the tail of its one params array (seqc_consts at
m4_dnl n_params + norm_coff), so that no compiler folds them out of .rodata
m4_dnl and its flash figure stays exact.
m4_dnl Backward: the input gradient only, dx = dy / d (invert: dy * d).

m4_define(«_seqc_norm», «seqc_get(«seqc_L»seqc_idx«_norm_$1»)»)
m4_dnl the feature of channel c
m4_define(«_seqc_norm_at», «m4_ifelse(_seqc_norm(«f»), 1, 0, c)»)
m4_define(«_seqc_norm_pix», «m4_eval(seqc_ih * seqc_iw)»)
m4_dnl _seqc_norm_d: mean[] and d[] = max(sqrt(variance), epsilon) from
m4_dnl stats, [mean f][variance f]
m4_define(«_seqc_norm_d», «m4_dnl
    float mean[_seqc_norm(«f»)], d[_seqc_norm(«f»)];
    for (int f = 0; f < _seqc_norm(«f»); f++) {
        mean[f] = stats[f];
        d[f] = fmaxf(sqrtf(stats[_seqc_norm(«f») + f]), 1e-7f);
    }»)
m4_dnl the stats argument of the calls
m4_define(«_seqc_norm_stats», «seqc_if(_seqc_norm(«fixed»), «m4_ifdef(«seqc_inference»,
«params + m4_eval(seqc_n_params + _seqc_norm(«coff»))», «seqc_name«»_stats»)», «params + seqc_p_off»)»)
m4_dnl _seqc_norm_each(BODY): BODY for every value in[i + s] of channel c
m4_define(«_seqc_norm_each», «for (int b = 0; b < nb; b++)
        for (int p = 0; p < _seqc_norm_pix; p++)
            for (int c = 0; c < seqc_oc; c++) {
                const long i = (long)b * m4_eval(seqc_in_size * seqc_V) + ((long)p * seqc_oc + c) * seqc_V;
                for (int s = 0; s < seqc_V; s++) {
                    $1
                }
            }»)

m4_define(«seqc_normalization_forward», «
/* seqc_name: Normalization, m4_ifelse(_seqc_norm(«f»), 1, «one mean and variance for all values (axis None)», «per feature of the last axis (seqc_oc)»),
 *   y = seqc_if(_seqc_norm(«invert»), «mean + x * max(sqrt(variance), 1e-7)», «(x - mean) / max(sqrt(variance), 1e-7)»)
 *   in    seqc_shape_in
 *   stats [mean _seqc_norm(«f»)][variance _seqc_norm(«f»)]m4_ifelse(_seqc_norm(«fixed»), 1, « (the spec's: constants)», «[count] (adapted; not trained)»)
 *   out   seqc_shape_out */m4_ifelse(_seqc_norm(«fixed»)m4_ifdef(«seqc_inference», 1, 0), 10, «
static const float seqc_name«»_stats[m4_eval(2 * _seqc_norm(«f»))] = {_seqc_norm(«stats»)};»)
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict stats, int nb)
{
_seqc_norm_d
    _seqc_norm_each(«out[i + s] = seqc_if(_seqc_norm(«invert»), «fmaf(in[i + s], d[_seqc_norm_at], mean[_seqc_norm_at])», «(in[i + s] - mean[_seqc_norm_at]) / d[_seqc_norm_at]»);»)
}
»)

m4_define(«seqc_normalization_backward», «seqc_if(seqc_need_din, «
/* seqc_name backward: din seqc_shape_in is written (0 past n): dy seqc_if(_seqc_norm(«invert»), «*», «/») d. */
static void seqc_name«»_backward(const float *restrict dout, float *restrict din,
    const float *restrict stats, int n, int nb)
{
_seqc_norm_d
    (void)mean;
    _seqc_norm_each(«din[i + s] = b * seqc_V + s < n ? dout[i + s] seqc_if(_seqc_norm(«invert»), «*», «/») d[_seqc_norm_at] : 0.0f;»)
}»)»)

m4_define(«seqc_normalization_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), _seqc_norm_stats, nb);»)
m4_define(«seqc_normalization_bcall», «seqc_if(seqc_need_din, «
    seqc_name«»_backward(seqc_dout_ptr, seqc_din_ptr, _seqc_norm_stats, n, nb);», «
    /* seqc_name: nothing before it has trainable parameters */»)»)
m4_divert(0)m4_dnl
