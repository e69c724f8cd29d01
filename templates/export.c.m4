m4_include(«export_sizes.m4»)m4_dnl
m4_include(«lanes.m4»)m4_dnl
m4_define(«seqc_inference», 1)m4_dnl
m4_include(«layers.m4»)m4_dnl
m4_divert(-1)
m4_dnl export.c.m4 - NAME_model.c: the trained model's forward pass for one
m4_dnl sample, from the same layer templates as the trainer (with V = 1, so
m4_dnl the same arithmetic in the same order), the weights as exact hex-float
m4_dnl literals, and the activations in one static arena sized by gen.
m4_ifelse(seqc_V, «1», «», «seqc_fatal(«export.c.m4 needs -Dseqc_V=1»)»)
m4_define(«seqc_xptr», «m4_ifelse(«$1», «-1», «input», «arena + $1»)»)
m4_define(«seqc_in_ptr», «seqc_xptr(seqc_x_in)»)
m4_define(«seqc_out_ptr», «seqc_xptr(seqc_x_out)»)
m4_define(«seqc_mask_ptr», «(float *)0»)
m4_define(«seqc_mid_ptr», «seqc_xptr(seqc_x_mid)»)
m4_define(«seqc_last», «m4_eval(seqc_n_layers - 1)»)
m4_divert(0)m4_dnl
/* seqc_model«»_model.c - the trained model "seqc_model", exported by seqc from
 * its spec and a weights file; do not edit.  Forward pass only.
seqc_export_sizes
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "m4_ifdef(«seqc_header», «seqc_header», «seqc_model«»_model.h»)"

seqc_lanes_defs
/* All parameters, in Keras get_weights() order; exact float values.m4_ifelse(seqc_n_consts, 0, «», «
 * Then the normalization mean and variance the spec gives (not weights).»)*/
static const float params[m4_eval(seqc_n_params + seqc_n_consts)] = {
seqc_weights
seqc_consts};

/* The activations, each layer's output at the opposite end from its input,
 * then predict_u8's input: one object, so that the RAM figure is exact. */
static float arena[m4_eval(seqc_x_arena + seqc_n_in)];

/* Used by dropout in training only; inference never draws. */
static uint64_t rng_mix(uint64_t z)
{
    z += UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
seqc_each_layer(«forward»)
int seqc_model«»_predict(const float input[seqc_n_in], float out[seqc_n_out])
{
    const int nb = 1, train = 0;
    const uint64_t key = 0;
    float p[seqc_n_out];
    const float *last = seqc_with(seqc_last, «out_ptr_value»);
    int best = 0;
    (void)rng_mix; (void)l_load; (void)l_set1; /* unused where every layer keeps scalars (conv2d.m4, dense.m4) */
    (void)train; (void)key;seqc_each_layer(«fcall»)
    seqc_output_act(«last», «p»)
    seqc_decide(«p»)
    if (out)
        memcpy(out, p, sizeof p);
    return best;
}

int seqc_model«»_predict_u8(const unsigned char pixels[seqc_n_in], float out[seqc_n_out])
{
    float *x = arena + seqc_x_arena;
    for (int i = 0; i < seqc_n_in; i++)
        x[i] = (float)pixels[i] / 255.0f;
    return seqc_model«»_predict(x, out);
}
