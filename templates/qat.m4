m4_divert(-1)
m4_dnl qat.m4 - quantization-aware training (train --qat; runtime/qat.c
m4_dnl sets the grids): fake quantization of layer outputs in the float
m4_dnl passes of model.c, and the straight-through estimator's mask in the
m4_dnl backward pass.  With no grid set (every command but train --qat) each
m4_dnl hook is one test of a NULL pointer: the float passes keep their bits.
m4_dnl
m4_dnl seqc_qat_each(PART, MODE): PART of every layer, each followed by its
m4_dnl forward hook (MODE train: it records the mask when train is set); seqc_qat_each_reverse(PART): in reverse, each preceded
m4_dnl by its backward hook (the gradient of the layer's output is complete
m4_dnl once the layer after it has run its backward).
m4_define(«_seqc_qat_fhook», «seqc_bind($1)
    if (qat_grid) {
        qat_forward(seqc_out_ptr(act), np * seqc_out_size, $1,
            m4_ifelse(«$2», «train», «train ? qat_mask(act, n) + seqc_out_off«»L * np : »)(unsigned char *)0);
    }seqc_unbind()»)
m4_define(«_seqc_qat_bhook», «seqc_bind($1)
    if (qat_grid) {
        qat_backward(seqc_dout_ptr, np * seqc_out_size, $1, qat_mask(act, n) + seqc_out_off«»L * np);
    }seqc_unbind()»)
m4_define(«seqc_qat_each», «seqc_forloop(«seqc_i», 1, m4_eval(seqc_n_layers - 1),
«seqc_with(seqc_i, «$1»)_seqc_qat_fhook(seqc_i, «$2»)»)»)
m4_define(«seqc_qat_each_reverse», «seqc_forloop_down(«seqc_i», m4_eval(seqc_n_layers - 1), 1,
«_seqc_qat_bhook(seqc_i)seqc_with(seqc_i, «$1»)»)»)

m4_define(«seqc_qat_decl», «
/* Quantization-aware training (train --qat): grid [N_QLAYERS][2] holds the
 * scale and zero point each layer's output is fake-quantized to in the
 * passes (scale 0: that layer's is not), or NULL: off (the float passes).
 * Training forwards then keep, after the arena, one byte per arena float
 * (ARENA_FLOATS(n) more bytes suffice): the straight-through mask. */
void seqc_model«»_qat_grid(const float *grid);
#ifdef SEQC_GENERIC_NAMES
#define model_qat_grid seqc_model«»_qat_grid
#endif
»)

m4_define(«seqc_qat_defs», «
/* ---- quantization-aware training (train --qat; runtime/qat.c) ----------- */

static const float *qat_grid;   /* NULL: off; set between batches only */

void seqc_model«»_qat_grid(const float *grid)
{
    qat_grid = grid;
}

/* The straight-through mask of a training forward: one byte per arena
 * float, after the arena. */
static unsigned char *qat_mask(const float *act, int n)
{
    return (unsigned char *)(uintptr_t)(act + seqc_MODEL«»_ARENA_FLOATS(n));
}

/* Fake quantization of one layer's output, len floats, in place: onto the
 * int8 grid (x / s + z rounded to nearest, clamped to [-128, 127]), back
 * to float; mask (training) records which values were inside the range.
 * Written without branches or libm calls so that it vectorizes: the clamp
 * as arithmetic on 0/1 (exact for finite values), the rounding by adding
 * and subtracting 1.5 * 2^23 (ties to even: the float grid, not the int8
 * pass's integer arithmetic, which has its own rounding). */
static void qat_forward(float *restrict y, long len, int layer, unsigned char *restrict mask)
{
    const float s = qat_grid[2 * layer], z = qat_grid[2 * layer + 1];
    if (!(s > 0.0f))
        return;
    const float lo = (-128.0f - z) * s, hi = (127.0f - z) * s;
    if (mask)
        for (long i = 0; i < len; i++)
            mask[i] = (unsigned char)((y[i] >= lo) & (y[i] <= hi));
    for (long i = 0; i < len; i++) {
        float x = y[i] / s + z;
        const float a = (float)(x < -128.0f), b = (float)(x > 127.0f);
        x = x * (1.0f - a - b) - 128.0f * a + 127.0f * b;
        x = (x + 0x1.8p23f) - 0x1.8p23f;
        y[i] = (x - z) * s;
    }
}

/* The straight-through estimator: the gradient passes where the value was
 * inside the range, 0 outside (tf.quantization.fake_quant_with_min_max_vars). */
static void qat_backward(float *restrict dy, long len, int layer, const unsigned char *restrict mask)
{
    if (!(qat_grid[2 * layer] > 0.0f))
        return;
    for (long i = 0; i < len; i++)
        dy[i] = mask[i] ? dy[i] : 0.0f;
}
»)
m4_divert(0)m4_dnl
