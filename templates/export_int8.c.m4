m4_include(«lanes.m4»)m4_dnl
m4_include(«int8.m4»)m4_dnl
m4_divert(-1)
m4_dnl export_int8.c.m4 - NAME_model.c of export --int8: the int8 pass of
m4_dnl int8.m4 (the text eval --int8 runs in the trainer) over constants
m4_dnl runtime/quant_export.c wrote as m4 definitions (seqc_qLI_ARRAY with
m4_dnl its length seqc_qLI_ARRAY_n, and the scalars).  All numbers are one
m4_dnl const object and the activations one static array, so that the
m4_dnl header's FLASH and RAM figures are exactly what `size` reports.
m4_define(«_seqc_qx», «seqc_get(«seqc_qL$1_$2»)»)
m4_define(«_seqc_q32s», ««b», «m», «s», «b2», «m2», «s2»»)
m4_define(«_seqc_qfs», ««fa»»)
m4_define(«_seqc_q8s», ««w», «w2», «lut»»)
m4_define(«_seqc_qall», ««w», «w2», «lut», «b», «m», «s», «b2», «m2», «s2», «fa»»)
m4_define(«_seqc_qmem», «m4_ifelse(_seqc_qx(seqc_qi, $1_n), 0, «», «
    $2 L«»seqc_qi«»_$1[_seqc_qx(seqc_qi, $1_n)];»)»)
m4_define(«_seqc_qmem32», «_seqc_qmem(«$1», «int32_t»)»)
m4_define(«_seqc_qmem8», «_seqc_qmem(«$1», «int8_t»)»)
m4_define(«_seqc_qmemf», «_seqc_qmem(«$1», «float»)»)
m4_define(«_seqc_qinit», «m4_ifelse(_seqc_qx(seqc_qi, $1_n), 0, «», «
    {_seqc_qx(seqc_qi, $1)},»)»)
m4_define(«_seqc_qfill», «
    ql[seqc_qi].$1 = m4_ifelse(_seqc_qx(seqc_qi, $1_n), 0, «0», «qp.L«»seqc_qi«»_$1»);»)
m4_define(«_seqc_qscalars», «
    ql[seqc_qi].zin = _seqc_qx(seqc_qi, zin); ql[seqc_qi].zmid = _seqc_qx(seqc_qi, zmid); ql[seqc_qi].zacc = _seqc_qx(seqc_qi, zacc);
    ql[seqc_qi].zout = _seqc_qx(seqc_qi, zout); ql[seqc_qi].lo = _seqc_qx(seqc_qi, lo); ql[seqc_qi].hi = _seqc_qx(seqc_qi, hi);
    ql[seqc_qi].scale = qp.scale[seqc_qi];»)
m4_define(«_seqc_qeach», «seqc_forloop(«seqc_qi», 0, m4_eval(seqc_n_layers - 1), «$1»)»)
m4_define(«_seqc_qscale», «_seqc_qx(seqc_qi, scale), »)
m4_divert(0)m4_dnl
/* seqc_model«»_model.c - the trained model "seqc_model", int8-quantized and exported by
 * seqc (export --int8, calibration on seqc_q_calibration training samples); do not edit.
 * TFLite's int8 scheme: weights int8 per output channel, activations int8
 * per tensor, int32 sums requantized with a fixed-point multiplier.  Floats
 * only to quantize the input and for the output activation.
 * Flash: m4_eval(4 * (seqc_q_n32 + seqc_n_layers) + (seqc_q_n8 + 3) / 4 * 4) bytes of constants (one object); RAM: m4_eval(seqc_x_arena + seqc_n_in) bytes of
 * activations; no heap, no stdio. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "m4_ifdef(«seqc_header», «seqc_header», «seqc_model«»_model.h»)"
seqc_q_type

/* Every constant: int32 biases, multipliers and shifts, a leading
 * normalization's floats, the scales, then int8 weights and tables, layer
 * by layer (LI_: layer I). */
static const struct {_seqc_qeach(«seqc_foreach(«_seqc_qmem32», _seqc_q32s)»)_seqc_qeach(«seqc_foreach(«_seqc_qmemf», _seqc_qfs)»)
    float scale[seqc_n_layers];_seqc_qeach(«seqc_foreach(«_seqc_qmem8», _seqc_q8s)»)
} qp = {_seqc_qeach(«seqc_foreach(«_seqc_qinit», _seqc_q32s)»)_seqc_qeach(«seqc_foreach(«_seqc_qinit», _seqc_qfs)»)
    {_seqc_qeach(«_seqc_qscale»)},_seqc_qeach(«seqc_foreach(«_seqc_qinit», _seqc_q8s)»)
};

/* The int8 activations (each layer's output placed as the float export
 * places its floats), then the quantized input. */
static int8_t arena[m4_eval(seqc_x_arena + seqc_n_in)];
seqc_q_arith
seqc_q_forward
static int run(const float *input, const unsigned char *pixels, float *out)
{
    seqc_model«»_qlayer ql[seqc_n_layers];   /* views of qp: a few hundred bytes of stack */
_seqc_qeach(«seqc_foreach(«_seqc_qfill», _seqc_qall)_seqc_qscalars»)
    return q_forward(ql, arena, input, pixels, out);
}

int seqc_model«»_predict(const float input[seqc_n_in], float out[seqc_n_out])
{
    return run(input, (const unsigned char *)0, out);
}

int seqc_model«»_predict_u8(const unsigned char pixels[seqc_n_in], float out[seqc_n_out])
{
    return run((const float *)0, pixels, out);
}
