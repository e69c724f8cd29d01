m4_divert(-1)
m4_dnl int8.m4 - the int8 forward pass (TFLite's int8 scheme), one section
m4_dnl per layer kind.  The same text goes into the trainer (eval --int8,
m4_dnl whose numbers runtime/quant.c computes) and into the exported
m4_dnl NAME_model.c (export_int8.c.m4, the numbers as constants), so both
m4_dnl give the same bits by construction.  Integer arithmetic only, except
m4_dnl quantizing the input and the float softmax/sigmoid of the outputs.
m4_dnl
m4_dnl A sample's activations are int8, [h][w][c], in one arena of
m4_dnl seqc_x_arena + seqc_n_in bytes placed as the float export places its
m4_dnl floats (seqc_x_in / seqc_x_out / seqc_x_mid), the quantized input at
m4_dnl its end.  Each layer's numbers come in a seqc_model«»_qlayer (q):
m4_dnl   w, b, m, s    int8 weights, int32 biases (scale: input scale x
m4_dnl                 weight scale), multiplier and shift per output channel
m4_dnl   w2, b2, m2, s2  separable_conv2d's pointwise step
m4_dnl   lut           a 256-entry table after requantization (activations
m4_dnl                 other than relu/relu6, which fold into the clamp)
m4_dnl   zin, zmid, zacc, zout  zero points of the input, separable's middle,
m4_dnl                 the requantized value (the pre-activation's when a
m4_dnl                 table follows) and the output; lo, hi: the clamp
m4_dnl Weight layouts: conv [oc][kh][kw][ic] and dense [oc][ic] (each output
m4_dnl channel's weights contiguous), depthwise [kh][kw][ic * dm] (Keras's),
m4_dnl pointwise [oc][ic * dm], affine [oc].

m4_dnl ---- which int8 operation a layer is ---------------------------------
m4_define(«seqc_q_ops», ««COPY», «ZPAD», «CONV», «DW», «SEP», «DENSE», «MAXPOOL», «AVGPOOL», «GMAX», «GAVG», «AFFINE», «LUT»»)
m4_dnl _seqc_q_prev(KEY): the previous layer's KEY
m4_define(«_seqc_q_prev», «seqc_get(«seqc_L»m4_decr(seqc_idx)«_$1»)»)
m4_dnl a batch normalization right after a conv/dense/depthwise/separable
m4_dnl with a linear activation folds into it and becomes a copy
m4_dnl A normalization right after the input folds into the input's
m4_dnl quantization, in float: per-feature ranges (tabular data) would not
m4_dnl survive one per-tensor input scale.
m4_define(«seqc_q_innorm», «m4_ifelse(seqc_get(«seqc_L1_stem»), «normalization», 1, 0)»)
m4_define(«seqc_q_folds», «m4_ifelse(seqc_stem«»seqc_idx, «normalization1», 1, m4_substr(seqc_stem, 0, 10), «batch_norm», «m4_ifelse(_seqc_q_prev(«act»), «linear»,
«m4_ifelse(_seqc_q_prev(«stem»), «conv2d», 1, _seqc_q_prev(«stem»), «dense», 1, _seqc_q_prev(«stem»), «depthwise_conv2d», 1,
_seqc_q_prev(«stem»), «separable_conv2d», 1, 0)», 0)», 0)»)
m4_define(«seqc_q_op», «m4_ifelse(seqc_stem, «conv2d», «CONV», seqc_stem, «dense», «DENSE»,
seqc_stem, «depthwise_conv2d», «DW», seqc_stem, «separable_conv2d», «SEP», seqc_stem, «zero_padding2d», «ZPAD»,
seqc_stem, «pool2d», «m4_ifelse(seqc_max, 1, «MAXPOOL», «AVGPOOL»)», seqc_stem, «global_pool», «m4_ifelse(seqc_max, 1, «GMAX», «GAVG»)»,
seqc_stem, «activation», «LUT», seqc_stem, «normalization», «m4_ifelse(seqc_q_folds, 1, «COPY», «AFFINE»)»,
m4_substr(seqc_stem, 0, 10), «batch_norm», «m4_ifelse(seqc_q_folds, 1, «COPY», «AFFINE»)»,
seqc_stem, «flatten», «COPY», seqc_stem, «reshape», «COPY», seqc_stem, «dropout», «COPY», seqc_stem, «input», «COPY»,
«seqc_fatal(«int8: no mapping for layer kind »seqc_stem)»)»)
m4_dnl the fused activation: 0 linear, 1 relu, 2 relu6 (all three folded
m4_dnl into the clamp), 3 a table; layers without one: 0
m4_define(«seqc_q_actmode», «m4_ifelse(seqc_q_op, «LUT», 3, m4_index(«CONV DENSE DW SEP», seqc_q_op), -1, 0,
«m4_ifelse(seqc_act, «linear», 0, seqc_act, «relu», 1, seqc_act, «relu6», 2, 3)»)»)
m4_define(«seqc_q_lut», «m4_ifelse(seqc_q_actmode, 3, 1, 0)»)

m4_dnl ---- types and arithmetic (trainer header, export file) -------------
m4_define(«seqc_q_type», «m4_dnl
/* One layer's int8 numbers (see templates/int8.m4). */
typedef struct seqc_model«»_qlayer {
    const int8_t *w, *w2, *lut;
    const int32_t *b, *m, *s, *b2, *m2, *s2;
    const float *fa;        /* layer 0 with a normalization after it: [2][C] */
    int32_t zin, zmid, zacc, zout, lo, hi;
    float scale;            /* of the output (layer 0: of the input) */
} seqc_model«»_qlayer;»)

m4_dnl TFLite's reference requantization (tensorflow/lite/kernels/internal/
m4_dnl common.h, gemmlowp's fixedpoint.h), written out in C99.
m4_define(«seqc_q_arith», «
/* a * b / 2^31 rounded to nearest (a tie goes up: -1.5 -> -1, 1.5 -> 2;
 * gemmlowp's nudge, then C's truncating division): gemmlowp's
 * SaturatingRoundingDoublingHighMul.  INT32_MIN * INT32_MIN, the one case
 * that overflows, saturates to INT32_MAX. */
static int32_t q_srdhm(int32_t a, int32_t b)
{
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^e rounded to nearest, ties away from zero: RoundingDivideByPOT
 * (0 <= e <= 31; >> of a negative value is arithmetic on every target
 * seqc supports, as gemmlowp assumes). */
static int32_t q_rdbpot(int32_t x, int32_t e)
{
    const int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    const int32_t rem = x & mask, thr = (mask >> 1) + (x < 0);
    return (x >> e) + (rem > thr);
}

/* x * m * 2^(s - 31): MultiplyByQuantizedMultiplier (s > 0 a left shift
 * first).  The left shift saturates to int32 where TFLite's x * (1 << s)
 * would overflow (undefined there; never reached with calibrated ranges). */
static int32_t q_mbqm(int32_t x, int32_t m, int32_t s)
{
    int64_t v = (int64_t)x * ((int64_t)1 << (s > 0 ? s : 0));
    v = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
    return q_rdbpot(q_srdhm((int32_t)v, m), s > 0 ? 0 : -s);
}

#if defined(__ARM_FEATURE_DSP)
/* Cortex-M4/M7/M33 DSP extension: SXTB16 sign-extends bytes 0 and 2 (or,
 * rotated, 1 and 3) of a word into two 16-bit halves, SMLAD adds both
 * halves' products to an int32: four int8 multiply-adds in five
 * instructions.  The same exact sums as the portable loops. */
static uint32_t q_sx02(uint32_t v)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(v));
    return r;
}

static uint32_t q_sx13(uint32_t v)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

static int32_t q_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

/* 4 bytes at p as a word (memcpy: any alignment, one LDR on the M4). */
static uint32_t q_word(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
#endif

/* q_mbqm's bits in about a fifth of its instructions, for what every
 * layer has (runtime/quant.c: m >= 0, and s <= 0 unless the multiplier is
 * above 1; anything else goes to q_mbqm).  With m >= 0 the saturating case
 * cannot occur, and (ab + nudge) / 2^31 truncated is floor((ab + 2^30) /
 * 2^31) for either sign of ab: one SMLAL and two shifts.  Then q_rdbpot by
 * e = -s, its mask 2^e - 1 computed once per channel by the caller. */
static inline int32_t q_reqf(int32_t x, int32_t m, int32_t e, int32_t mask)
{
    const int32_t v = (int32_t)(((int64_t)x * m + ((int64_t)1 << 30)) >> 31);
    return (v >> e) + ((v & mask) > (mask >> 1) + (int32_t)((uint32_t)v >> 31));
}

static int32_t q_req(int32_t x, int32_t m, int32_t s)
{
    if (s > 0 || m < 0)
        return q_mbqm(x, m, s);
    return q_reqf(x, m, -s, (int32_t)((1u << -s) - 1u));
}

/* a requantized value to the output: zero point, the clamp (relu/relu6
 * folded), then the activation table if any */
static inline int8_t q_fin(int32_t v, int32_t zacc, int32_t lo, int32_t hi, const int8_t *lut)
{
    v += zacc;
    v = v < lo ? lo : v > hi ? hi : v;
    return lut ? lut[v + 128] : (int8_t)v;
}

/* acc requantized to the layer's int8 output: multiplier, zero point,
 * the clamp (relu/relu6 folded), then the activation table if any. */
static int8_t q_out(int32_t acc, int32_t m, int32_t s, const seqc_model«»_qlayer *q, int lut)
{
    return q_fin(q_req(acc, m, s), q->zacc, q->lo, q->hi, lut ? q->lut : (const int8_t *)0);
}
»)

m4_dnl ---- kernels, one section per kind --------------------------------
m4_dnl Every kernel: static void q_NAME(in, out, q) over one sample.
m4_define(«_seqc_q_head», «
/* seqc_name (seqc_keras) int8: $1 */
static void q_«»seqc_name«»(const int8_t *restrict in, int8_t *restrict out, const seqc_model«»_qlayer *q«»m4_ifelse(seqc_stem, «conv2d», «, int8_t *restrict scratch»))»)
m4_dnl the tap's input position, with the padding check when the layer pads
m4_define(«_seqc_q_iyx», «const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt;
                seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih)
                    continue;»)
                for (int kx = 0; kx < seqc_kw; kx++) {
                    const int ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
                    seqc_if(seqc_padded, «if (ix < 0 || ix >= seqc_iw)
                        continue;»)»)

m4_dnl The input's zero point: a layer without padding sums x * w and has
m4_dnl -zin * (its weights' sum) in its bias (runtime/quant.c): a pure int8
m4_dnl multiply-add in the inner loop.  With padding the skipped taps would
m4_dnl need it too, so it sums (x - zin) * w.  Both are exact, the same bits.
m4_define(«_seqc_q_zin», «seqc_if(seqc_padded, «const int32_t zin = q->zin;», «/* the zero point is in b */»)»)
m4_define(«_seqc_q_x», «seqc_if(seqc_padded, «((int32_t)$1 - zin)», «$1»)»)

m4_dnl conv2d / conv1d: per output pixel and channel one int32 sum over the
m4_dnl window; taps in the padding are skipped (TFLite pads with the input's
m4_dnl zero point, whose term is 0).
m4_dnl Output channels go in blocks of _seqc_q_ob (4, 2 or 1, dividing oc):
m4_dnl each input value loaded once feeds that many int32 accumulators,
m4_dnl which a Cortex-M keeps in registers; integer sums are exact, so the
m4_dnl blocking never changes a bit.
m4_define(«_seqc_q_ob», «m4_ifelse(m4_eval(seqc_oc % 4), 0, 4, m4_eval(seqc_oc % 2), 0, 2, 1)»)
m4_define(«_seqc_q_each», «seqc_forloop(«seqc_j», 0, m4_eval(_seqc_q_ob - 1), «$1»)»)
m4_dnl _seqc_q_dsp(X, W, I, N, STRIDE, LOOP): the sum over I < N of X[I] times
m4_dnl W[I + j STRIDE] into each acc_j: with the DSP extension four at a time
m4_dnl and the rest one by one (N >= 4, no zero point to subtract), else LOOP.
m4_define(«_seqc_q_dsp», «m4_ifelse(m4_eval($4 >= 4 && !seqc_padded), 1, «
#if defined(__ARM_FEATURE_DSP)
                    for (int $3 = 0; $3 < m4_eval($4 / 4 * 4); $3 += 4) {
                        const uint32_t xv = q_word($1 + $3), x02 = q_sx02(xv), x13 = q_sx13(xv);_seqc_q_each(«
                        { const uint32_t wv = q_word($2 + $3 + m4_eval(seqc_j * $5));
                          acc«»seqc_j = q_smlad(x13, q_sx13(wv), q_smlad(x02, q_sx02(wv), acc«»seqc_j)); }»)
                    }m4_ifelse(m4_eval($4 % 4), 0, «», «
                    for (int $3 = m4_eval($4 / 4 * 4); $3 < $4; $3++) {
                        const int32_t x = $1[$3];_seqc_q_each(«
                        acc«»seqc_j += x * $2[$3 + m4_eval(seqc_j * $5)];»)
                    }»)
#else$6
#endif», «$6»)»)
m4_dnl _seqc_q_sum(N): acc_j += the N values at xp times channel j's at wp
m4_define(«_seqc_q_sum», «_seqc_q_dsp(«xp», «wp», «c», $1, m4_eval(seqc_kh * seqc_kw * seqc_ic), «
                    for (int c = 0; c < $1; c++) {
                        const int32_t x = _seqc_q_x(«xp[c]»);_seqc_q_each(«
                        acc«»seqc_j += x * wp[c + m4_eval(seqc_j * seqc_kh * seqc_kw * seqc_ic)];»)
                    }»)»)
m4_dnl The portable loops (and every target without the DSP extension).
m4_define(«_seqc_q_conv_plain», «    for (int oy = 0; oy < seqc_oh; oy++)
    for (int ox = 0; ox < seqc_ow; ox++) {
        int8_t *restrict y = out + (oy * seqc_ow + ox) * seqc_oc;
        for (int o = 0; o < seqc_oc; o += _seqc_q_ob) {
            const int8_t *restrict wo = q->w + o * m4_eval(seqc_kh * seqc_kw * seqc_ic);
            int32_t _seqc_q_each(«acc«»seqc_j = q->b[o + seqc_j]«»m4_ifelse(seqc_j, m4_eval(_seqc_q_ob - 1), «;», «, »)»)
m4_ifelse(m4_eval(!seqc_padded && seqc_dw == 1), 1, «m4_dnl
            /* no padding, no horizontal dilation: a window row's kw * ic
             * values are contiguous, in the input as in the kernel */
            for (int ky = 0; ky < seqc_kh; ky++) {
                const int8_t *restrict xp = in + ((oy * seqc_sh + ky * seqc_dh) * seqc_iw + ox * seqc_sw) * seqc_ic;
                const int8_t *restrict wp = wo + ky * m4_eval(seqc_kw * seqc_ic);
_seqc_q_sum(m4_eval(seqc_kw * seqc_ic))
            }», «m4_dnl
            for (int ky = 0; ky < seqc_kh; ky++) {
                _seqc_q_iyx
                    const int8_t *restrict xp = in + (iy * seqc_iw + ix) * seqc_ic;
                    const int8_t *restrict wp = wo + (ky * seqc_kw + kx) * seqc_ic;
_seqc_q_sum(seqc_ic)
                }
            }»)_seqc_q_each(«
            y[o + seqc_j] = q_out(acc«»seqc_j, q->m[o + seqc_j], q->s[o + seqc_j], q, seqc_q_lut);»)
        }
    }
»)
m4_dnl
m4_dnl With the DSP extension: im2col into int16 scratch, then SMLAD.
m4_dnl The scratch is the arena's largest stretch that neither this layer's
m4_dnl input nor its output occupies (the quantized input's bytes count as
m4_dnl free once the first layer has read them), chosen here at generation
m4_dnl time; the trainer's arena has the same layout, and it costs no RAM.
m4_define(«_seqc_q_as», «m4_ifelse(seqc_x_in, -1, seqc_x_arena, seqc_x_in)»)
m4_define(«_seqc_q_ae», «m4_eval(_seqc_q_as + seqc_in_size)»)
m4_define(«_seqc_q_be», «m4_eval(seqc_x_out + seqc_out_size)»)
m4_define(«_seqc_q_ls», «m4_ifelse(m4_eval(_seqc_q_as < seqc_x_out), 1, _seqc_q_as, seqc_x_out)»)
m4_define(«_seqc_q_le», «m4_ifelse(m4_eval(_seqc_q_as < seqc_x_out), 1, _seqc_q_ae, _seqc_q_be)»)
m4_define(«_seqc_q_hs», «m4_ifelse(m4_eval(_seqc_q_as < seqc_x_out), 1, seqc_x_out, _seqc_q_as)»)
m4_define(«_seqc_q_he», «m4_ifelse(m4_eval(_seqc_q_ae > _seqc_q_be), 1, _seqc_q_ae, _seqc_q_be)»)
m4_define(«_seqc_q_g1», «_seqc_q_ls»)
m4_define(«_seqc_q_g2», «m4_eval(_seqc_q_hs - _seqc_q_le)»)
m4_define(«_seqc_q_g3», «m4_eval(seqc_x_arena + seqc_n_in - _seqc_q_he)»)
m4_dnl the stretch's start and size
m4_define(«_seqc_q_gs», «m4_ifelse(m4_eval(_seqc_q_g2 >= _seqc_q_g1 && _seqc_q_g2 >= _seqc_q_g3), 1, _seqc_q_le,
m4_eval(_seqc_q_g3 >= _seqc_q_g1), 1, _seqc_q_he, 0)»)
m4_define(«_seqc_q_gz», «m4_ifelse(m4_eval(_seqc_q_g2 >= _seqc_q_g1 && _seqc_q_g2 >= _seqc_q_g3), 1, _seqc_q_g2,
m4_eval(_seqc_q_g3 >= _seqc_q_g1), 1, _seqc_q_g3, _seqc_q_g1)»)
m4_dnl K window values, G groups of 4 (the last padded with zeros), P
m4_dnl output pixels per block (dividing oh * ow; at most 5: the loop's asm
m4_dnl names P + 7 registers; at -O0, where GCC cannot find even those,
m4_dnl the portable loops run).  Per
m4_dnl group and channel the loop costs 3 + 3 P instructions for 4 P
m4_dnl multiply-adds (seed conv2d_2, P = 5: 3.49 M instructions at P = 4,
m4_dnl 3.38 M at 5).
m4_define(«_seqc_q_K», «m4_eval(seqc_kh * seqc_kw * seqc_ic)»)
m4_define(«_seqc_q_G», «m4_eval((_seqc_q_K + 3) / 4)»)
m4_define(«_seqc_q_np», «m4_eval(seqc_oh * seqc_ow)»)
m4_define(«_seqc_q_P», «m4_ifelse(m4_eval(_seqc_q_np % 5), 0, 5, m4_eval(_seqc_q_np % 4), 0, 4,
m4_eval(_seqc_q_np % 3), 0, 3, m4_eval(_seqc_q_np % 2), 0, 2, 1)»)
m4_define(«_seqc_q_xb», «m4_eval(_seqc_q_G * _seqc_q_P * 8)»)
m4_define(«_seqc_q_wb», «m4_eval(seqc_oc * _seqc_q_G * 8)»)
m4_dnl 2: the kernel too is widened once per call into the scratch (when it
m4_dnl fits: one LDRD per group and channel instead of LDR + 2 SXTB16; seed
m4_dnl conv2d_1, 2,016 bytes); 1: kernel words widened as they are loaded
m4_dnl (K a multiple of 4: seed conv2d_2); 0: no DSP path, the portable loops
m4_define(«_seqc_q_dspmode», «m4_ifelse(m4_eval(_seqc_q_xb + _seqc_q_wb + 3 <= _seqc_q_gz), 1, 2,
m4_eval(_seqc_q_K % 4 == 0 && _seqc_q_xb + 3 <= _seqc_q_gz), 1, 1, 0)»)
m4_dnl groups per pass of the loop (unrolled: the loop's add, compare and
m4_dnl branch once per U groups): all of them up to 8, else 5, 4, 3 or 2
m4_define(«_seqc_q_U», «m4_ifelse(m4_eval(_seqc_q_G <= 8), 1, _seqc_q_G, m4_eval(_seqc_q_G % 5), 0, 5, m4_eval(_seqc_q_G % 4), 0, 4,
m4_eval(_seqc_q_G % 3), 0, 3, m4_eval(_seqc_q_G % 2), 0, 2, 1)»)
m4_define(«_seqc_q_Peach», «seqc_forloop(«seqc_j», 0, m4_eval(_seqc_q_P - 1), «$1»)»)
m4_dnl window value K's place in the scratch (in int16) and in the input
m4_define(«_seqc_q_hpos», «m4_eval(($1 >> 2) * _seqc_q_P * 4 + ($1 & 1) * 2 + (($1 >> 1) & 1))»)
m4_define(«_seqc_q_xoff», «m4_eval(($1 / (seqc_kw * seqc_ic) * seqc_dh * seqc_iw + $1 / seqc_ic % seqc_kw * seqc_dw) * seqc_ic + $1 % seqc_ic)»)
m4_dnl the window row is one contiguous run of whole words
m4_define(«_seqc_q_rowrun», «m4_eval(!seqc_padded && seqc_dw == 1 && (seqc_kw * seqc_ic) % 4 == 0)»)
m4_define(«_seqc_q_conv_dsp», «m4_dnl
    /* im2col: the windows of P = _seqc_q_P output pixels as int16 in SXTB16's
     * order (per 4 window values k..k+3, the words [x_k x_k+2] [x_k+1 x_k+3]),
     * group-major: xs[g][pixel][2].  Widened once per block instead of once
     * per output channel; then per 4 window values and output channel the
     * weights and per pixel one LDRD and two SMLAD (seed, M4F: conv2d_2 6.42 M
     * instructions -> 3.38 M, conv2d_1 4.13 M -> 1.54 M with the inline
     * requantization below). */
    uint32_t *restrict xs = (uint32_t *)(void *)(scratch + ((4u - ((uintptr_t)scratch & 3u)) & 3u));
    const int32_t zacc = q->zacc, lo = q->lo, hi = q->hi;
    const int8_t *lut = seqc_if(seqc_q_lut, «q->lut», «(const int8_t *)0»);m4_ifelse(_seqc_q_dspmode, 2, «
    /* the kernel widened the same way, once per call: ws[o][g][2] */
    uint32_t *restrict ws = xs + m4_eval(_seqc_q_G * _seqc_q_P * 2);
    for (int o = 0; o < seqc_oc; o++)
        for (int g = 0; g < _seqc_q_G; g++) {
            uint32_t v = 0;
            for (int r = 0; r < 4 && 4 * g + r < _seqc_q_K; r++)
                v |= (uint32_t)(uint8_t)q->w[o * _seqc_q_K + 4 * g + r] << (8 * r);
            ws[(o * _seqc_q_G + g) * 2] = q_sx02(v);
            ws[(o * _seqc_q_G + g) * 2 + 1] = q_sx13(v);
        }»)
    for (int p0 = 0; p0 < _seqc_q_np; p0 += _seqc_q_P) {
        for (int j = 0; j < _seqc_q_P; j++) {
            const int oy = (p0 + j) / seqc_ow, ox = (p0 + j) % seqc_ow;
            uint32_t *restrict xj = xs + 2 * j;m4_ifelse(_seqc_q_rowrun, 1, «
            for (int ky = 0; ky < seqc_kh; ky++) {
                const int8_t *restrict xp = in + ((oy * seqc_sh + ky * seqc_dh) * seqc_iw + ox * seqc_sw) * seqc_ic;
                uint32_t *restrict xg = xj + ky * m4_eval(seqc_kw * seqc_ic / 4 * _seqc_q_P * 2);
                for (int t = 0; t < m4_eval(seqc_kw * seqc_ic / 4); t++) {
                    const uint32_t v = q_word(xp + 4 * t);
                    xg[t * m4_eval(_seqc_q_P * 2)] = q_sx02(v);
                    xg[t * m4_eval(_seqc_q_P * 2) + 1] = q_sx13(v);
                }
            }», m4_eval(!seqc_padded && _seqc_q_K <= 64), 1, «
            /* a small window without padding: each value one LDRSB and one
             * STRH, at offsets known here */
            const int8_t *restrict xp = in + (oy * m4_eval(seqc_sh * seqc_iw) + ox * seqc_sw) * seqc_ic;
            uint32_t t;
            __asm__ volatile(seqc_forloop(«seqc_k», 0, m4_eval(_seqc_q_G * 4 - 1), «m4_ifelse(m4_eval(seqc_k < _seqc_q_K), 1, «
                    "ldrsb %[t], [%[x], #_seqc_q_xoff(seqc_k)]\n\tstrh %[t], [%[h], #m4_eval(2 * _seqc_q_hpos(seqc_k))]\n\t"», «
                    "strh %[z], [%[h], #m4_eval(2 * _seqc_q_hpos(seqc_k))]\n\t"»)»)
                    : [t] "=&r"(t) : [x] "r"(xp), [h] "r"(xj), [z] "r"(0) : "memory");», «
            int k = 0;
            xj[m4_eval((_seqc_q_G - 1) * _seqc_q_P * 2)] = 0;   /* lanes past K stay 0 */
            xj[m4_eval((_seqc_q_G - 1) * _seqc_q_P * 2 + 1)] = 0;
            for (int ky = 0; ky < seqc_kh; ky++)
                for (int kx = 0; kx < seqc_kw; kx++) {
                    const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
                    const int inside = seqc_if(seqc_padded, «iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw», «1»);
                    for (int c = 0; c < seqc_ic; c++, k++) {
                        const uint32_t v = inside ? (uint32_t)_seqc_q_x(«in[(iy * seqc_iw + ix) * seqc_ic + c]») & 0xffffu : 0u;
                        uint32_t *restrict d = xj + (k >> 2) * m4_eval(_seqc_q_P * 2) + (k & 1);
                        *d = (k & 2) ? (*d & 0xffffu) | v << 16 : v;
                    }
                }»)
        }
        for (int o = 0; o < seqc_oc; o++) {
            const uint32_t *xp = xs;m4_ifelse(_seqc_q_dspmode, 2, «
            const uint32_t *wp = ws + o * m4_eval(_seqc_q_G * 2);», «
            const int8_t *wp = q->w + o * _seqc_q_K;»)
            int8_t *restrict y = out + p0 * seqc_oc + o;
            const int32_t m = q->m[o], s = q->s[o], mask = (int32_t)((1u << (-s & 31)) - 1u);
            int32_t _seqc_q_Peach(«acc«»seqc_j = q->b[o]«»m4_ifelse(seqc_j, m4_eval(_seqc_q_P - 1), «;», «, »)»)
            {   /* the whole loop over the G groups, U per pass, in one asm
                 * statement: the accumulators stay in the registers it names.
                 * (With ACLE-style helpers GCC 12 hoisted the loads and spilled
                 * the accumulators: conv2d_2 took 8.0 M; one asm per group
                 * still moved registers between them: 3.85 M; this: 3.49 M.) */
                uint32_t w02, w13, x02, x13, n = m4_eval(_seqc_q_G / _seqc_q_U);
                __asm__(m4_ifelse(_seqc_q_G, _seqc_q_U, «"@ G = U: no loop\n\t"», «"1:\n\t"»)seqc_forloop(«seqc_u», 0, m4_eval(_seqc_q_U - 1), «
                        m4_ifelse(_seqc_q_dspmode, 2, «"ldrd %[a], %[b], [%[w], #m4_eval(8 * seqc_u)]\n\t"», «"ldr %[b], [%[w], #m4_eval(4 * seqc_u)]\n\tsxtb16 %[a], %[b]\n\tsxtb16 %[b], %[b], ror #8\n\t"»)_seqc_q_Peach(«
                        "ldrd %[c], %[d], [%[x], #m4_eval(8 * seqc_j + 8 * _seqc_q_P * seqc_u)]\n\tsmlad %[s«»seqc_j], %[c], %[a], %[s«»seqc_j]\n\tsmlad %[s«»seqc_j], %[d], %[b], %[s«»seqc_j]\n\t"»)»)
m4_ifelse(_seqc_q_G, _seqc_q_U, «», «
                        "add %[x], %[x], #m4_eval(8 * _seqc_q_P * _seqc_q_U)\n\tadd %[w], %[w], #m4_eval(m4_ifelse(_seqc_q_dspmode, 2, 8, 4) * _seqc_q_U)\n\tsubs %[n], %[n], #1\n\tbne 1b"»)
                        : _seqc_q_Peach(«[s«»seqc_j] "+r"(acc«»seqc_j), »)[a] "=&r"(w02), [b] "=&r"(w13), [c] "=&r"(x02), [d] "=&r"(x13),
                          [x] "+r"(xp), [w] "+r"(wp), [n] "+r"(n)
                        : : "memory", "cc");
            }
            /* the requantization inline, the channel's numbers once (about 19
             * instructions an output; through q_out's call, 42) */
            if (s <= 0 && m >= 0) {_seqc_q_Peach(«
                y[m4_eval(seqc_j * seqc_oc)] = q_fin(q_reqf(acc«»seqc_j, m, -s, mask), zacc, lo, hi, lut);»)
            } else {_seqc_q_Peach(«
                y[m4_eval(seqc_j * seqc_oc)] = q_out(acc«»seqc_j, m, s, q, seqc_q_lut);»)
            }
        }
    }»)
m4_define(«seqc_conv2d_qdef», «_seqc_q_head(«[seqc_ih][seqc_iw][seqc_ic] -> [seqc_oh][seqc_ow][seqc_oc], kernel [seqc_oc][seqc_kh][seqc_kw][seqc_ic]»)
{
    _seqc_q_zin
m4_ifelse(_seqc_q_dspmode, 0, «    (void)scratch;
_seqc_q_conv_plain», «#if defined(__ARM_FEATURE_DSP) && defined(__OPTIMIZE__)   /* -O0 cannot allocate the asm's registers */
_seqc_q_conv_dsp
#else
    (void)scratch;
_seqc_q_conv_plain«»#endif»)
}
»)
m4_dnl the generic call; conv2d also passes its scratch stretch
m4_define(«_seqc_q_call1», «
    q_«»seqc_name«»(_seqc_q_in, _seqc_q_out, &ql[seqc_idx]);»)
m4_define(«seqc_conv2d_qcall», «
    q_«»seqc_name«»(_seqc_q_in, _seqc_q_out, &ql[seqc_idx], arena + _seqc_q_gs);»)

m4_dnl depthwise_conv2d: channel c * dm + m sums input channel c's window.
m4_dnl separable_conv2d's first step is the same with no bias and no clamp.
m4_define(«_seqc_q_dw_body», «m4_dnl
    for (int oy = 0; oy < seqc_oh; oy++)
    for (int ox = 0; ox < seqc_ow; ox++)
    for (int c = 0; c < seqc_ic; c++)
    for (int mm = 0; mm < seqc_dm; mm++) {
        const int o = c * seqc_dm + mm;
        int32_t acc = $1;
        for (int ky = 0; ky < seqc_kh; ky++) {
            _seqc_q_iyx
                acc += _seqc_q_x(«in[(iy * seqc_iw + ix) * seqc_ic + c]») *
                       q->w[(ky * seqc_kw + kx) * m4_eval(seqc_ic * seqc_dm) + o];
            }
        }
        $2
    }»)
m4_define(«seqc_depthwise_conv2d_qdef», «_seqc_q_head(«[seqc_ih][seqc_iw][seqc_ic] -> [seqc_oh][seqc_ow][seqc_oc], depthwise [seqc_kh][seqc_kw][seqc_oc]»)
{
    _seqc_q_zin
_seqc_q_dw_body(«q->b[o]», «out[(oy * seqc_ow + ox) * seqc_oc + o] = q_out(acc, q->m[o], q->s[o], q, seqc_q_lut);»)
}
»)
m4_define(«seqc_depthwise_conv2d_qcall», m4_defn(«_seqc_q_call1»))

m4_define(«seqc_separable_conv2d_qdef», «
/* seqc_name (SeparableConv2D) int8: depthwise into mid [seqc_oh][seqc_ow][m4_eval(seqc_ic * seqc_dm)]
 * (its own scale), then pointwise [seqc_oc][m4_eval(seqc_ic * seqc_dm)] */
static void q_«»seqc_name«»(const int8_t *restrict in, int8_t *restrict mid, int8_t *restrict out,
    const seqc_model«»_qlayer *q)
{
    const int32_t zin = q->zin, zmid = q->zmid;
m4_pushdef(«seqc_padded», 1)_seqc_q_dw_body(«0», «{
            int32_t v = q_mbqm(acc, q->m[o], q->s[o]) + zmid;
            mid[(oy * seqc_ow + ox) * m4_eval(seqc_ic * seqc_dm) + o] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }»)«»m4_popdef(«seqc_padded»)
    for (int p = 0; p < m4_eval(seqc_oh * seqc_ow); p++) {
        const int8_t *restrict xp = mid + p * m4_eval(seqc_ic * seqc_dm);
        for (int o = 0; o < seqc_oc; o++) {
            const int8_t *restrict wp = q->w2 + o * m4_eval(seqc_ic * seqc_dm);
            int32_t acc = q->b2[o];
            for (int c = 0; c < m4_eval(seqc_ic * seqc_dm); c++)
                acc += xp[c] * wp[c];   /* zmid is in b2 */
            out[p * seqc_oc + o] = q_out(acc, q->m2[o], q->s2[o], q, seqc_q_lut);
        }
    }
}
»)
m4_define(«seqc_separable_conv2d_qcall», «
    q_«»seqc_name«»(_seqc_q_in, _seqc_q_ptr(seqc_x_mid), _seqc_q_out, &ql[seqc_idx]);»)

m4_define(«seqc_dense_qdef», «_seqc_q_head(«[seqc_ic] -> [seqc_oc], kernel [seqc_oc][seqc_ic]»)
{
    for (int o = 0; o < seqc_oc; o += _seqc_q_ob) {
        const int8_t *restrict wo = q->w + (long)o * seqc_ic;
        int32_t _seqc_q_each(«acc«»seqc_j = q->b[o + seqc_j]«»m4_ifelse(seqc_j, m4_eval(_seqc_q_ob - 1), «;», «, »)»)
m4_pushdef(«seqc_padded», 0)_seqc_q_dsp(«in», «wo», «i», seqc_ic, seqc_ic, «
        for (int i = 0; i < seqc_ic; i++) {
            const int32_t x = in[i];   /* the zero point is in b */_seqc_q_each(«
            acc«»seqc_j += x * wo[i + m4_eval(seqc_j * seqc_ic)];»)
        }»)«»m4_popdef(«seqc_padded»)_seqc_q_each(«
        out[o + seqc_j] = q_out(acc«»seqc_j, q->m[o + seqc_j], q->s[o + seqc_j], q, seqc_q_lut);»)
    }
}
»)m4_define(«seqc_dense_qcall», m4_defn(«_seqc_q_call1»))

m4_dnl pooling keeps the input's scale and zero point (as TFLite requires);
m4_dnl the average rounds half away from zero, TFLite's reference rule.
m4_define(«_seqc_q_avg», «($1 > 0 ? ($1 + $2 / 2) / $2 : ($1 - $2 / 2) / $2)»)
m4_define(«seqc_pool2d_qdef», «_seqc_q_head(«m4_ifelse(seqc_max, 1, «max», «average») seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, [seqc_ih][seqc_iw][seqc_ic] -> [seqc_oh][seqc_ow][seqc_oc]»)
{
    (void)q;
    for (int oy = 0; oy < seqc_oh; oy++)
    for (int ox = 0; ox < seqc_ow; ox++)
    for (int c = 0; c < seqc_oc; c++) {
        int32_t acc = seqc_if(seqc_max, «-128», «0»), cells = 0;
        for (int ky = 0; ky < seqc_kh; ky++) {
            m4_pushdef(«seqc_dh», 1)m4_pushdef(«seqc_dw», 1)_seqc_q_iyx«»m4_popdef(«seqc_dh»)m4_popdef(«seqc_dw»)
                const int32_t x = in[(iy * seqc_iw + ix) * seqc_ic + c];
                seqc_if(seqc_max, «acc = x > acc ? x : acc;», «acc += x;»)
                cells++;
            }
        }
        (void)cells;
        out[(oy * seqc_ow + ox) * seqc_oc + c] = (int8_t)seqc_if(seqc_max, «acc», «_seqc_q_avg(«acc», «cells»)»);
    }
}
»)
m4_define(«seqc_pool2d_qcall», m4_defn(«_seqc_q_call1»))

m4_define(«seqc_global_pool_qdef», «_seqc_q_head(«m4_ifelse(seqc_max, 1, «max», «mean») over [seqc_ih][seqc_iw] of seqc_ic channels»)
{
    (void)q;
    for (int c = 0; c < seqc_ic; c++) {
        int32_t acc = seqc_if(seqc_max, «-128», «0»);
        for (int p = 0; p < m4_eval(seqc_ih * seqc_iw); p++) {
            const int32_t x = in[p * seqc_ic + c];
            seqc_if(seqc_max, «acc = x > acc ? x : acc;», «acc += x;»)
        }
        out[c] = (int8_t)seqc_if(seqc_max, «acc», «_seqc_q_avg(«acc», «m4_eval(seqc_ih * seqc_iw)»)»);
    }
}
»)
m4_define(«seqc_global_pool_qcall», m4_defn(«_seqc_q_call1»))

m4_dnl zero padding: the border is the input's zero point (real 0).
m4_define(«seqc_zero_padding2d_qdef», «_seqc_q_head(«zero padding [seqc_ih][seqc_iw][seqc_ic] -> [seqc_oh][seqc_ow][seqc_oc]»)
{
    memset(out, (int)q->zin, seqc_out_size);
    for (int iy = 0; iy < seqc_ih; iy++)
        memcpy(out + ((iy + seqc_pt) * seqc_ow + seqc_pl) * seqc_oc, in + iy * m4_eval(seqc_iw * seqc_ic),
               m4_eval(seqc_iw * seqc_ic));
}
»)
m4_define(«seqc_zero_padding2d_qcall», m4_defn(«_seqc_q_call1»))

m4_dnl layers that move no value: a copy when the placement differs
m4_define(«_seqc_q_copy_def», «
/* seqc_name (seqc_keras) int8: the values unchanged, same scale (in and out
 * may be one place) */
static void q_«»seqc_name«»(const int8_t *in, int8_t *out, const seqc_model«»_qlayer *q)
{
    (void)q;
    if (out != in)
        memmove(out, in, seqc_out_size);
}
»)
m4_define(«seqc_flatten_qdef», m4_defn(«_seqc_q_copy_def»))
m4_define(«seqc_reshape_qdef», m4_defn(«_seqc_q_copy_def»))
m4_define(«seqc_dropout_qdef», m4_defn(«_seqc_q_copy_def»))
m4_define(«seqc_flatten_qcall», m4_defn(«_seqc_q_call1»))
m4_define(«seqc_reshape_qcall», m4_defn(«_seqc_q_call1»))
m4_define(«seqc_dropout_qcall», m4_defn(«_seqc_q_call1»))

m4_dnl activation layers (Activation, ReLU, LeakyReLU, ELU): one table
m4_dnl lookup, computed by runtime/quant.c from the float formula.
m4_define(«seqc_activation_qdef», «_seqc_q_head(«seqc_act as a 256-entry table»)
{
    for (int i = 0; i < seqc_out_size; i++)
        out[i] = q->lut[in[i] + 128];
}
»)
m4_define(«seqc_activation_qcall», m4_defn(«_seqc_q_call1»))

m4_dnl batch normalization: folded into the layer before (then a copy), or
m4_dnl else, as normalization, a per-channel affine map y = a x + b with an
m4_dnl int8 a per channel.
m4_define(«_seqc_q_affine_def», «_seqc_q_head(«per-channel affine map over [m4_eval(seqc_out_size / seqc_oc)][seqc_oc]»)
{
    const int32_t zin = q->zin;
    for (int p = 0; p < m4_eval(seqc_out_size / seqc_oc); p++)
        for (int c = 0; c < seqc_oc; c++) {
            const int32_t acc = q->b[c] + ((int32_t)in[p * seqc_oc + c] - zin) * q->w[c];
            out[p * seqc_oc + c] = q_out(acc, q->m[c], q->s[c], q, 0);
        }
}
»)
m4_define(«seqc_batch_norm_qdef», «m4_ifelse(seqc_q_folds, 1, «_seqc_q_copy_def«»», «_seqc_q_affine_def«»»)»)
m4_define(«seqc_batch_norm_frozen_qdef», m4_defn(«seqc_batch_norm_qdef»))
m4_define(«seqc_normalization_qdef», «m4_ifelse(seqc_q_folds, 1, «_seqc_q_copy_def«»», «_seqc_q_affine_def«»»)»)
m4_define(«seqc_batch_norm_qcall», m4_defn(«_seqc_q_call1»))
m4_define(«seqc_batch_norm_frozen_qcall», m4_defn(«_seqc_q_call1»))
m4_define(«seqc_normalization_qcall», m4_defn(«_seqc_q_call1»))

m4_dnl ---- the pass over one sample --------------------------------------
m4_define(«_seqc_q_ptr», «m4_ifelse(«$1», «-1», «qin», «arena + $1»)»)
m4_define(«_seqc_q_in», «_seqc_q_ptr(seqc_x_in)»)
m4_define(«_seqc_q_out», «_seqc_q_ptr(seqc_x_out)»)
m4_define(«seqc_q_last», «m4_eval(seqc_n_layers - 1)»)
m4_define(«_seqc_q_lastout», «seqc_bind(seqc_q_last)_seqc_q_out«»seqc_unbind()»)

m4_define(«_seqc_q_raw», «(px ? (float)px[i] / 255.0f : input[i])»)
m4_define(«_seqc_q_nf», «seqc_get(«seqc_L1_ic»)»)
m4_define(«seqc_q_forward», «seqc_each_layer(«qdef»)
/* The int8 pass over one sample: quantize the input (floats, or pixels
 * when px is not NULL: px / 255 as the trainer reads images; a leading
 * normalization as one fmaf per value, which no compiler contracts
 * differently), run every
 * layer, dequantize the last layer and apply the output activation in
 * float.  arena: seqc_x_arena + seqc_n_in bytes.  Returns the class. */
static int q_forward(const seqc_model«»_qlayer *ql, int8_t *restrict arena, const float *input,
    const unsigned char *px, float *out)
{
    int8_t *restrict qin = arena + seqc_x_arena;
    const float inv = 1.0f / ql[0].scale;
    float last[seqc_n_out], p[seqc_n_out];
    int best = 0;
    (void)q_out;
#if defined(__ARM_FEATURE_DSP)
    (void)q_word; (void)q_sx02; (void)q_sx13; (void)q_smlad;
#endif
    for (int i = 0; i < seqc_n_in; i++) {
        const float x = seqc_if(seqc_q_innorm, «fmaf(_seqc_q_raw, ql[0].fa[i % _seqc_q_nf], ql[0].fa[_seqc_q_nf + i % _seqc_q_nf])», «_seqc_q_raw»);
        const float r = roundf(x * inv) + (float)ql[0].zout;
        qin[i] = (int8_t)(r < -128.0f ? -128 : r > 127.0f ? 127 : (int)r);
    }seqc_each_layer(«qcall»)
    {
        const int8_t *y = _seqc_q_lastout;
        for (int k = 0; k < seqc_n_out; k++)
            last[k] = (float)((int32_t)y[k] - ql[seqc_q_last].zout) * ql[seqc_q_last].scale;
    }
    seqc_output_act(«last», «p»)
    seqc_decide(«p»)
    if (out)
        memcpy(out, p, sizeof p);
    return best;
}
»)

m4_dnl ---- the trainer's part: what runtime/quant.c needs ----------------
m4_define(«_seqc_q_enum1», «m4_define(«_seqc_q_n», m4_incr(_seqc_q_n))
#define seqc_MODEL«»_Q_$1 m4_decr(_seqc_q_n)«»»)
m4_define(«_seqc_q_genop», «
#define MODEL_Q_$1 seqc_MODEL«»_Q_$1«»»)
m4_define(«seqc_q_header», «_seqc_q_decls
#ifdef SEQC_GENERIC_NAMES«»seqc_foreach(«_seqc_q_genop», seqc_q_ops)
#define MODEL_Q_ARENA seqc_MODEL«»_Q_ARENA
#define MODEL_N_QLAYERS seqc_MODEL«»_N_QLAYERS
#define model_qlayer seqc_model«»_qlayer
#define model_qinfo seqc_model«»_qinfo
#define model_qinfos seqc_model«»_qinfos
#define model_qpredict seqc_model«»_qpredict
#define model_q_srdhm seqc_model«»_q_srdhm
#define model_q_rdbpot seqc_model«»_q_rdbpot
#define model_q_mbqm seqc_model«»_q_mbqm
#endif»)
m4_dnl the declarations, in the header and (which does not include it) the .c
m4_define(«_seqc_q_decls», «m4_define(«_seqc_q_n», 0)
/* ---- int8 (eval --int8, export --int8; templates/int8.m4) ---- */
/* What the int8 pass does with each layer. */seqc_foreach(«_seqc_q_enum1», seqc_q_ops)
#define seqc_MODEL«»_Q_ARENA m4_eval(seqc_x_arena + seqc_n_in)  /* bytes of int8 activations per sample */
#define seqc_MODEL«»_N_QLAYERS seqc_n_layers  /* layer 0 is the input */
seqc_q_type
/* What runtime/quant.c needs to know of each layer (0: the input). */
typedef struct seqc_model«»_qinfo {
    int op;                 /* seqc_MODEL«»_Q_* */
    int actmode;            /* fused activation: 0 linear, 1 relu, 2 relu6, 3 a table */
    int folded;             /* a batch normalization folded into the layer before; a
                               normalization after the input folded into its quantization */
    int padded;             /* its window reaches into padding: the kernel subtracts the zero point */
    int ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, dm, bias;
    long w_off, b_off, p_off;   /* kernel, bias, second tensor (pointwise; moving stats) */
    long out_off, mid_off;      /* float arena regions: output, separable's middle */
    int center, scale;          /* batch normalization */
    float eps;
    int norm_f, norm_invert;    /* normalization: features, invert */
    const float *norm_stats;    /* its constants, or NULL: [mean][variance] at p_off */
    float (*act)(float);        /* the activation (layers with a table), else NULL */
} seqc_model«»_qinfo;
extern const seqc_model«»_qinfo seqc_model«»_qinfos[seqc_n_layers];
/* The int8 pass over one sample (input [N_INPUT] floats), returns the class;
 * out (may be NULL) gets the outputs as outputs() would. */
int seqc_model«»_qpredict(const seqc_model«»_qlayer *ql, int8_t *arena, const float *input, float *out);
/* The requantization arithmetic itself, for tests. */
int32_t seqc_model«»_q_srdhm(int32_t a, int32_t b);
int32_t seqc_model«»_q_rdbpot(int32_t x, int32_t e);
int32_t seqc_model«»_q_mbqm(int32_t x, int32_t m, int32_t s);»)

m4_define(«_seqc_q_actfn», «m4_ifelse(seqc_q_lut, 1, «
static float qact_«»seqc_name«»(float x)
{
    return seqc_act_fwd(seqc_act, «x»);
}»)»)
m4_define(«_seqc_q_normstats», «m4_ifelse(seqc_stem, «normalization», «m4_ifelse(_seqc_norm(«fixed»), 1, «seqc_name«»_stats», «(const float *)0»)», «(const float *)0»)»)
m4_define(«_seqc_q_info_row», «seqc_bind($1)
    {seqc_MODEL«»_Q_«»seqc_q_op, seqc_q_actmode, seqc_q_folds, seqc_padded, seqc_ih, seqc_iw, seqc_ic, seqc_oh, seqc_ow, seqc_oc, seqc_kh, seqc_kw,
     seqc_sh, seqc_sw, seqc_dh, seqc_dw, seqc_pt, seqc_pl, seqc_dm, seqc_bias, seqc_w_off, seqc_b_off, seqc_p_off,
     seqc_out_off, seqc_mask_off, seqc_center, seqc_scale, seqc_eps«»f,
     m4_ifelse(seqc_stem, «normalization», «_seqc_norm(«f»), _seqc_norm(«invert»)», «0, 0»), _seqc_q_normstats,
     m4_ifelse(seqc_q_lut, 1, «qact_«»seqc_name», «(float (*)(float))0»)},seqc_unbind()»)
m4_define(«seqc_q_trainer», «
/* ---- int8: the pass eval --int8 runs and export --int8 writes out ---- */
_seqc_q_decls
seqc_q_arith
seqc_q_forward
int32_t seqc_model«»_q_srdhm(int32_t a, int32_t b) { return q_srdhm(a, b); }
int32_t seqc_model«»_q_rdbpot(int32_t x, int32_t e) { return q_rdbpot(x, e); }
int32_t seqc_model«»_q_mbqm(int32_t x, int32_t m, int32_t s) { return q_mbqm(x, m, s); }

int seqc_model«»_qpredict(const seqc_model«»_qlayer *ql, int8_t *arena, const float *input, float *out)
{
    return q_forward(ql, arena, input, (const unsigned char *)0, out);
}
seqc_forloop(«seqc_i», 0, m4_eval(seqc_n_layers - 1), «seqc_bind(seqc_i)_seqc_q_actfn«»seqc_unbind()»)

const seqc_model«»_qinfo seqc_model«»_qinfos[seqc_n_layers] = {seqc_forloop(«seqc_i», 0, m4_eval(seqc_n_layers - 1), «_seqc_q_info_row(seqc_i)»)
};
»)
m4_divert(0)m4_dnl
