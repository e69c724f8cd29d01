m4_divert(-1)
m4_dnl conv2d.m4 - Conv2D and Conv1D (a height of 1), kernel HWIO
m4_dnl [kh][kw][cin][cout] (Conv1D: [k][cin][cout]), dilation seqc_dh x seqc_dw, blocked NHWC
m4_dnl activations [nb][h][w][c][V].  Windows are unrolled: one block per
m4_dnl (ky, kx) tap with literal offsets.  A tap outside the input (padding
m4_dnl 'same') contributes nothing, as TensorFlow's zero padding; the check is
m4_dnl emitted only when the layer pads.  Each lane sums its own sample in
m4_dnl the same order for any V, so V = 1 and V = 16 give the same bits.

m4_dnl _seqc_conv_tap(BODY): BODY with iy/ix set for tap (seqc_ky, seqc_kx).
m4_define(«_seqc_conv_tap», «
            { /* tap ky=seqc_ky kx=seqc_kx */
                const int iy = oy * seqc_sh + m4_eval(seqc_ky * seqc_dh - seqc_pt), ix = ox * seqc_sw + m4_eval(seqc_kx * seqc_dw - seqc_pl);
                seqc_if(seqc_padded, «if (iy >= 0 && iy < seqc_ih && ix >= 0 && ix < seqc_iw) »){
$1
                }
            }»)
m4_define(«_seqc_conv_taps», «seqc_forloop(«seqc_ky», 0, m4_eval(seqc_kh - 1), «seqc_forloop(«seqc_kx», 0, m4_eval(seqc_kw - 1), «_seqc_conv_tap(«$1»)»)»)»)
m4_define(«_seqc_tap_w», «m4_eval((seqc_ky * seqc_kw + seqc_kx) * seqc_ic * seqc_oc)»)
m4_dnl _seqc_conv_pw: 1 for a pointwise (1x1, stride 1, unpadded) layer of the
m4_dnl V = 16 trainer with channel counts that suit its kernels below
m4_define(«_seqc_conv_pw», «m4_eval(seqc_V == 16 && seqc_kh == 1 && seqc_kw == 1 && seqc_sh == 1 && seqc_sw == 1 &&
seqc_padded == 0 && seqc_oc % 16 == 0 && seqc_ic % 4 == 0 && seqc_ic % seqc_cbd == 0)»)
m4_dnl _seqc_conv_npw: 1 for a pointwise layer of a narrow build (V = 2, 4 or
m4_dnl 8: the trainer's tail build) with channel counts that are multiples of
m4_dnl 16 and a kernel that fits 64 KiB of stack transposed: its passes make
m4_dnl 16 channels the vector (c16, lanes.m4), as a block of V lanes is only
m4_dnl a 2- to 8-wide instruction (the DS-CNN's tail chunk spent half its
m4_dnl time in its 1x1 layers at 4 lanes).
m4_define(«_seqc_conv_npw», «m4_eval((seqc_V == 2 || seqc_V == 4 || seqc_V == 8) && seqc_kh == 1 && seqc_kw == 1 &&
seqc_sh == 1 && seqc_sw == 1 && seqc_padded == 0 && seqc_oc % 16 == 0 && seqc_ic % 16 == 0 && seqc_ic * seqc_oc <= 16384)»)
m4_dnl _seqc_npw_ov(CH): vectors of 16 of CH channels per block, V of each in
m4_dnl registers (at most 16)
m4_define(«_seqc_npw_ov», «m4_ifelse(m4_eval(($1) % 64 == 0 && seqc_V <= 4), 1, 4, m4_eval(($1) % 32 == 0 && seqc_V <= 8), 1, 2, 1)»)
m4_dnl _seqc_npw_block(CH, N, INIT, W, X, DST): the narrow builds' product of
m4_dnl one pixel: for each block ob of _seqc_npw_ov(CH) vectors of 16 of CH
m4_dnl channels, V lanes of sums start at INIT (a c16; j the vector), add
m4_dnl the row W (a pointer; k, ob, j) times the lane's X (k, s) for k from 0
m4_dnl to N - 1 in order, fused, and are transposed to DST (j).  The forward
m4_dnl and din below are two of these.
m4_define(«_seqc_npw_block», «m4_dnl
        for (int ob = 0; ob < $1; ob += m4_eval(16 * _seqc_npw_ov($1))) {
            c16 acc[_seqc_npw_ov($1)][seqc_V];
            for (int j = 0; j < _seqc_npw_ov($1); j++) {
                const c16 a_ = $3;
                for (int s = 0; s < seqc_V; s++)
                    acc[j][s] = a_;
            }
            for (int k = 0; k < $2; k++)
                for (int j = 0; j < _seqc_npw_ov($1); j++) {
                    c16 w_ = C16_LOAD($4);
                    C16_PIN(w_);   /* one load, V multiply-adds */
                    for (int s = 0; s < seqc_V; s++)
                        C16_MADD(acc[j][s], w_, $5);
                }
            for (int j = 0; j < _seqc_npw_ov($1); j++)
                l_untrv(acc[j], $6);
        }»)
m4_dnl their kernel gradient's tile: 4 input channels x _seqc_pw_ov vectors of
m4_dnl 16 output channels, over _seqc_pw_pt pixels of transposed dout (32 KiB)
m4_define(«_seqc_pw_ov», «m4_ifelse(m4_eval(seqc_oc % 64), 0, 4, m4_eval(seqc_oc % 32), 0, 2, 1)»)
m4_define(«_seqc_pw_pt», «m4_eval((8192 / seqc_V / seqc_oc) + (8192 / seqc_V / seqc_oc < 1))»)
m4_dnl output rows per kernel-gradient tile: about 128 KiB of dout
m4_define(«_seqc_dw_rows», «m4_eval(32768 / (seqc_ow * seqc_oc * seqc_V) + (32768 / (seqc_ow * seqc_oc * seqc_V) < 1))»)

m4_dnl ---- forward with V = 1 (the exported model: one sample at a time) -----
m4_dnl Accumulators in registers: a block of PX output pixels of one row x OB
m4_dnl output channels, written out as scalar variables (unrolled here, not
m4_dnl left to the compiler); per input channel of a tap, PX inputs and OB
m4_dnl weights are loaded once for the block's PX x OB multiply-adds, each at
m4_dnl a constant offset from one pointer.  Two block sizes, chosen by the C
m4_dnl preprocessor (SEQC_WIDE_BLOCKS, lanes.m4): about 24 accumulators for
m4_dnl the 32 single-precision registers of a Cortex-M4F/M7/M33 (the former
m4_dnl 36 per pixel spilled: 6.5 instructions per multiply-add, now under 2),
m4_dnl about 64 where the compiler makes vectors of the channels (x86-64 with
m4_dnl AVX, AArch64).  Every output still sums bias, then the taps in
m4_dnl (ky, kx) order, input channels ascending, fused (fmaf): V = 16's bits.
m4_dnl _seqc_c1_px: pixels per block, a divisor of the row from 3 to 5, else
m4_dnl 4 (the row ends with a narrower block); _seqc_c1_ob(PX, BUDGET):
m4_dnl channels per block, a divisor of the channels.
m4_define(«_seqc_c1_px», «m4_ifelse(m4_eval(seqc_ldiv(seqc_ow, 5) >= 3), 1, «seqc_ldiv(seqc_ow, 5)», «m4_ifelse(m4_eval(seqc_ow < 4), 1, seqc_ow, 4)»)»)
m4_define(«_seqc_c1_ob», «seqc_ldiv(seqc_oc, m4_eval(«($2) / ($1)»))»)
m4_dnl _seqc_c1_each(PX, OB, BODY): BODY for every pixel seqc_p and channel seqc_j.
m4_define(«_seqc_c1_each», «seqc_forloop(«seqc_p», 0, m4_eval(«$1» - 1), «seqc_forloop(«seqc_j», 0, m4_eval(«$2» - 1), «$3»)»)»)
m4_define(«_seqc_c1_acc», «a«»seqc_p«»_«»seqc_j»)
m4_dnl _seqc_c1_row(BUDGET, MODE): one output row (oy), in blocks; MODE narrow
m4_dnl (Cortex-M) or wide (vector targets).
m4_define(«_seqc_c1_row», «m4_dnl
            for (ox = 0; ox + _seqc_c1_px <= seqc_ow; ox += _seqc_c1_px)
                for (int ob = 0; ob < seqc_oc; ob += _seqc_c1_ob(_seqc_c1_px, $1)) _seqc_c1_block(_seqc_c1_px, _seqc_c1_ob(_seqc_c1_px, $1), «$2»)
m4_ifelse(m4_eval(seqc_ow % _seqc_c1_px), 0, «», «m4_dnl
            for (int ob = 0; ob < seqc_oc; ob += _seqc_c1_ob(m4_eval(seqc_ow % _seqc_c1_px), $1)) _seqc_c1_block(m4_eval(seqc_ow % _seqc_c1_px), _seqc_c1_ob(m4_eval(seqc_ow % _seqc_c1_px), $1), «$2»)
»)»)
m4_dnl _seqc_c1_block(PX, OB, MODE): the block at (oy, ox, ob).  narrow (and
m4_dnl no pre-activation to keep): the activation is applied to the registers
m4_dnl as they are stored; else in place after the stores (which GCC's x86
m4_dnl vectorizer needs: it starts from a group of plain stores).
m4_define(«_seqc_c1_block», «{
                float _seqc_c1_each(«$1», «$2», «_seqc_c1_acc = seqc_if(seqc_bias, «bias[ob + seqc_j]», «0.0f»)«»m4_ifelse(seqc_p«»_«»seqc_j, m4_decr($1)«»_«»m4_decr($2), «», «, »)»);
_seqc_c1_taps(«$1», «$2», «$3»)
                float *restrict yp = y + (oy * seqc_ow + ox) * seqc_oc + ob;
m4_ifelse(seqc_keep_z«»$3, 0narrow, «_seqc_c1_each(«$1», «$2», «                yp[m4_eval(seqc_p * seqc_oc + seqc_j)] = seqc_act_fwd(seqc_act, «_seqc_c1_acc»);
»)», «_seqc_c1_each(«$1», «$2», «                yp[m4_eval(seqc_p * seqc_oc + seqc_j)] = _seqc_c1_acc;
»)m4_dnl
                for (int p = 0; p < $1; p++)
                    for (int k = 0; k < $2; k++)
                        seqc_act_store(«yp», «p * seqc_oc + k»)
»)m4_dnl
            }»)
m4_dnl _seqc_c1_taps(PX, OB, MODE): the block's taps, (ky, kx) loops (not
m4_dnl unrolled: the scheduler would mix taps and run out of registers), each
m4_dnl over the input channels (wide: two per iteration when their count is
m4_dnl even, 10% faster on x86; on Cortex-M that spills, so narrow keeps one);
m4_dnl with padding, a block that straddles the left or
m4_dnl right edge goes pixel by pixel.  (iy and ix are spelled unlike the
m4_dnl backward's, which tests/mutate.sh finds by its first match.)
m4_define(«_seqc_c1_taps», «m4_dnl
                for (int ky = 0; ky < seqc_kh; ky++) {
                    const int iy = oy * seqc_sh - seqc_pt + ky * seqc_dh;
                    seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih)
                        continue;
                    »)for (int kx = 0; kx < seqc_kw; kx++) {
                        const int ix = ox * seqc_sw - seqc_pl + kx * seqc_dw;
                        const float *restrict wp = kernel + (ky * seqc_kw + kx) * m4_eval(seqc_ic * seqc_oc) + ob;
                        seqc_if(seqc_padded, «if (ix >= 0 && ix + m4_eval((«$1» - 1) * seqc_sw) < seqc_iw) »){
                            const float *restrict xp = x + (iy * seqc_iw + ix) * seqc_ic;
m4_ifelse(«$3»m4_eval(seqc_ic % 2), «wide0», «m4_dnl
                            for (int c = 0; c < seqc_ic; c += 2) {
_seqc_c1_step(«$1», «$2»)m4_dnl
                                xp++, wp += seqc_oc;
_seqc_c1_step(«$1», «$2»)m4_dnl
                                xp++, wp += seqc_oc;
                            }», «m4_dnl
                            for (int c = 0; c < seqc_ic; c++, xp++, wp += seqc_oc) {
_seqc_c1_step(«$1», «$2»)m4_dnl
                            }»)
                        }seqc_if(seqc_padded, « else {
seqc_forloop(«seqc_p», 0, m4_eval(«$1» - 1), «                            if (ix + m4_eval(seqc_p * seqc_sw) >= 0 && ix + m4_eval(seqc_p * seqc_sw) < seqc_iw)
                                for (int c = 0; c < seqc_ic; c++) {
                                    const float xv = x[(iy * seqc_iw + ix + m4_eval(seqc_p * seqc_sw)) * seqc_ic + c];
seqc_forloop(«seqc_j», 0, m4_eval(«$2» - 1), «                                    _seqc_c1_acc = fmaf(xv, wp[c * seqc_oc + seqc_j], _seqc_c1_acc);
»)m4_dnl
                                }
»)m4_dnl
                        }»)
                    }
                }»)
m4_dnl _seqc_c1_step(PX, OB): one input channel (at xp, its weights at wp).
m4_define(«_seqc_c1_step», «m4_dnl
                                {
                                    const float seqc_forloop(«seqc_p», 0, m4_eval(«$1» - 1), «x«»seqc_p = xp[m4_eval(seqc_p * seqc_sw * seqc_ic)]m4_ifelse(seqc_p, m4_decr($1), «», «, »)»);
seqc_forloop(«seqc_j», 0, m4_eval(«$2» - 1), «                                    {
                                        const float w = wp[seqc_j];
seqc_forloop(«seqc_p», 0, m4_eval(«$1» - 1), «                                        _seqc_c1_acc = fmaf(x«»seqc_p, w, _seqc_c1_acc);
»)m4_dnl
                                    }
»)m4_dnl
                                }
»)
m4_dnl ---- V = 1 with AVX-512 (SEQC_VEC_BLOCKS): channels as vectors ----------
m4_dnl Unpadded layers of 16 channels or more: blocks of _seqc_cv_px pixels x
m4_dnl _seqc_cv_nv vectors of 16 channels (at most 27 of the 32 registers);
m4_dnl the channels past the last whole block in one more block whose last
m4_dnl vector is masked (its weights and outputs too: nothing past the
m4_dnl arrays is touched).
m4_define(«_seqc_cv_ok», «m4_eval(seqc_padded == 0 && seqc_oc >= 16)»)
m4_define(«_seqc_cv_nv», «m4_ifelse(m4_eval(seqc_oc <= 48), 1, m4_eval((seqc_oc + 15) / 16), 2)»)
m4_define(«_seqc_cv_px», «m4_ifelse(m4_eval(seqc_ldiv(seqc_ow, 7) >= 3), 1, «seqc_ldiv(seqc_ow, 7)», «m4_ifelse(m4_eval(seqc_ow < 6), 1, seqc_ow, 6)»)»)
m4_define(«_seqc_cv_main», «m4_eval(seqc_oc / (16 * _seqc_cv_nv) * 16 * _seqc_cv_nv)»)
m4_define(«_seqc_cv_rem», «m4_eval(seqc_oc - _seqc_cv_main)»)
m4_define(«_seqc_cv_acc», «v«»seqc_p«»_«»seqc_j»)
m4_dnl _seqc_cv_each(PX, NV, BODY): BODY for every pixel seqc_p and vector seqc_j.
m4_define(«_seqc_cv_each», «seqc_forloop(«seqc_p», 0, m4_eval(«$1» - 1), «seqc_forloop(«seqc_j», 0, m4_eval(«$2» - 1), «$3»)»)»)
m4_dnl _seqc_cv_cols(PX): the blocks of PX pixels at (oy, ox), all channels
m4_define(«_seqc_cv_cols», «m4_ifelse(_seqc_cv_main, 0, «», «m4_dnl
                for (int ob = 0; ob < _seqc_cv_main; ob += m4_eval(16 * _seqc_cv_nv)) _seqc_cv_block(«$1», _seqc_cv_nv, 16)
»)m4_ifelse(_seqc_cv_rem, 0, «», «m4_dnl
                { const int ob = _seqc_cv_main; _seqc_cv_block(«$1», m4_eval((_seqc_cv_rem + 15) / 16), m4_eval(_seqc_cv_rem - (_seqc_cv_rem - 1) / 16 * 16)) }
»)»)
m4_define(«_seqc_cv_row», «m4_dnl
            for (ox = 0; ox + _seqc_cv_px <= seqc_ow; ox += _seqc_cv_px) {
_seqc_cv_cols(_seqc_cv_px)m4_dnl
            }
m4_ifelse(m4_eval(seqc_ow % _seqc_cv_px), 0, «», «m4_dnl
            {
_seqc_cv_cols(m4_eval(seqc_ow % _seqc_cv_px))m4_dnl
            }
»)»)
m4_dnl _seqc_cv_k(J, NV, LAST): the kind of vector J of a block of NV whose
m4_dnl last has LAST channels: z (16), m (16, masked to LAST), y (8) or x (4).
m4_dnl A last vector of 4 or 8 channels is a narrower register: on Zen 4 a
m4_dnl 512-bit multiply-add takes both 256-bit halves of the FMA units, so
m4_dnl 4 channels in a 128-bit one cost a quarter of a masked 512-bit one.
m4_define(«_seqc_cv_k», «m4_ifelse(m4_eval($1 == $2 - 1 && $3 < 16), 0, z, $3, 4, x, $3, 8, y, m)»)
m4_define(«_seqc_cv_T», «m4_ifelse($1, x, __m128, $1, y, __m256, __m512)»)
m4_dnl _seqc_cv_ld(KIND, LAST, PTR), _seqc_cv_st(KIND, LAST, PTR, V), _seqc_cv_zero(KIND)
m4_define(«_seqc_cv_ld», «m4_ifelse($1, x, «_mm_loadu_ps($3)», $1, y, «_mm256_loadu_ps($3)», $1, m, «_mm512_maskz_loadu_ps(m4_eval((1 << $2) - 1), $3)», «_mm512_loadu_ps($3)»)»)
m4_define(«_seqc_cv_st», «m4_ifelse($1, x, «_mm_storeu_ps($3, $4)», $1, y, «_mm256_storeu_ps($3, $4)», $1, m, «_mm512_mask_storeu_ps($3, m4_eval((1 << $2) - 1), $4)», «_mm512_storeu_ps($3, $4)»)»)
m4_define(«_seqc_cv_zero», «m4_ifelse($1, x, «_mm_setzero_ps()», $1, y, «_mm256_setzero_ps()», «_mm512_setzero_ps()»)»)
m4_dnl _seqc_cv_fma(KIND, W, ACC): ACC = xv * W + ACC, xv's low lanes for x and y
m4_define(«_seqc_cv_fma», «m4_ifelse($1, x, «_mm_fmadd_ps(_mm512_castps512_ps128(xv), $2, $3)», $1, y, «_mm256_fmadd_ps(_mm512_castps512_ps256(xv), $2, $3)», «_mm512_fmadd_ps(xv, $2, $3)»)»)
m4_define(«_seqc_cv_kj», «_seqc_cv_k(seqc_j, $1, $2)»)
m4_dnl _seqc_cv_block(PX, NV, LAST): bias, then per tap (ky, kx) and input
m4_dnl channel in order, one fused multiply-add per output: as every path.
m4_define(«_seqc_cv_block», «{
_seqc_cv_each(«$1», «$2», «                _seqc_cv_T(_seqc_cv_kj($2, $3)) _seqc_cv_acc = seqc_if(seqc_bias, «_seqc_cv_ld(_seqc_cv_kj($2, $3), $3, «bias + ob + m4_eval(seqc_j * 16)»)», «_seqc_cv_zero(_seqc_cv_kj($2, $3))»);
»)m4_dnl
                for (int ky = 0; ky < seqc_kh; ky++)
                    for (int kx = 0; kx < seqc_kw; kx++) {
                        const float *restrict xp = x + ((oy * seqc_sh + ky * seqc_dh) * seqc_iw + ox * seqc_sw + kx * seqc_dw) * seqc_ic;
                        const float *restrict wp = kernel + (ky * seqc_kw + kx) * m4_eval(seqc_ic * seqc_oc) + ob;
                        for (int c = 0; c < seqc_ic; c++, xp++, wp += seqc_oc) {
seqc_forloop(«seqc_j», 0, m4_eval(«$2» - 1), «                            const _seqc_cv_T(_seqc_cv_kj($2, $3)) w«»seqc_j = _seqc_cv_ld(_seqc_cv_kj($2, $3), $3, «wp + m4_eval(seqc_j * 16)»);
»)m4_dnl
seqc_forloop(«seqc_p», 0, m4_eval(«$1» - 1), «                            {
                                const __m512 xv = _mm512_set1_ps(xp[m4_eval(seqc_p * seqc_sw * seqc_ic)]);
seqc_forloop(«seqc_j», 0, m4_eval(«$2» - 1), «                                _seqc_cv_acc = _seqc_cv_fma(_seqc_cv_kj($2, $3), w«»seqc_j, _seqc_cv_acc);
»)m4_dnl
                            }
»)m4_dnl
                        }
                    }
                float *restrict yp = y + (oy * seqc_ow + ox) * seqc_oc + ob;
_seqc_cv_each(«$1», «$2», «                _seqc_cv_st(_seqc_cv_kj($2, $3), $3, «yp + m4_eval(seqc_p * seqc_oc + seqc_j * 16)», _seqc_cv_acc);
»)m4_dnl
                for (int p = 0; p < $1; p++)
                    for (int k = 0; k < m4_eval(16 * ($2 - 1) + $3); k++)
                        seqc_act_store(«yp», «p * seqc_oc + k»)
            }»)

m4_define(«_seqc_conv2d_forward_v1», «
/* seqc_name: seqc_keras seqc_oc@seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, dilation seqc_dh«x»seqc_dw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right), seqc_act
 *   in     seqc_shape_in
 *   kernel [seqc_kh][seqc_kw][seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    seqc_shape_out
 * Blocks of _seqc_c1_px pixels x _seqc_c1_ob(_seqc_c1_px, 24) channels (_seqc_c1_ob(_seqc_c1_px, 64) if SEQC_WIDE_BLOCKS) in registers.m4_ifelse(_seqc_cv_ok, 1, «
 * If SEQC_VEC_BLOCKS (AVX-512): _seqc_cv_px pixels x _seqc_cv_nv vectors of 16 channels; a last vector of fewer channels is narrower or masked.») */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * seqc_in_size;
        float *restrict y = out + (long)b * seqc_out_size;
        for (int oy = 0; oy < seqc_oh; oy++) {
            int ox;
m4_ifelse(_seqc_cv_ok, 1, «#if SEQC_VEC_BLOCKS
_seqc_cv_row«»#elif SEQC_WIDE_BLOCKS», «#if SEQC_WIDE_BLOCKS»)
_seqc_c1_row(64, wide)«»#else
_seqc_c1_row(24, narrow)«»#endif
        }
    }
}
»)

m4_dnl _seqc_fpx: output pixels per block of the batched forward, 2 where
m4_dnl the row splits in pairs and no tap pads (the padding test is per
m4_dnl pixel): each weight broadcast then serves two multiply-adds, and the
m4_dnl loads per multiply-add drop from 7/6 to 8/12 for 6 channels.
m4_define(«_seqc_fpx», «m4_ifelse(m4_eval(seqc_padded == 0 && seqc_ow % 2 == 0), 1, 2, 1)»)
m4_define(«seqc_conv2d_forward», «m4_ifelse(seqc_V, 1, «_seqc_conv2d_forward_v1()», _seqc_conv_npw, 1, «_seqc_npw_forward()», «
/* seqc_name: seqc_keras seqc_oc@seqc_kh«x»seqc_kw, strides seqc_sh«x»seqc_sw, dilation seqc_dh«x»seqc_dw, padding seqc_pt/seqc_pb/seqc_pl/seqc_pr (top/bottom/left/right), seqc_act
 *   in     seqc_shape_in
 *   kernel [seqc_kh][seqc_kw][seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    seqc_shape_out */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox += _seqc_fpx)
        for (int ob = 0; ob < seqc_oc; ob += seqc_OB) {
            lanes acc[_seqc_fpx][seqc_OB];
            for (int p = 0; p < _seqc_fpx; p++)
                for (int j = 0; j < seqc_OB; j++)
                    acc[p][j] = L_SET1(seqc_if(seqc_bias, «bias[ob + j]», «0.0f»));
_seqc_conv_taps(«m4_dnl
                    const float *restrict xp = x + (iy * seqc_iw + ix) * m4_eval(seqc_ic * seqc_V);
                    const float *restrict wp = kernel + _seqc_tap_w + ob;
                    for (int c = 0; c < seqc_ic; c++) {
                        lanes xv[_seqc_fpx];
                        for (int p = 0; p < _seqc_fpx; p++)
                            xv[p] = L_LOAD(xp + p * m4_eval(seqc_sw * seqc_ic * seqc_V) + c * seqc_V);
                        for (int j = 0; j < seqc_OB; j++) {
                            const float w = wp[c * seqc_oc + j];
                            for (int p = 0; p < _seqc_fpx; p++)
                                L_MADD(acc[p][j], xv[p], w);
                        }
                    }»)
            for (int p = 0; p < _seqc_fpx; p++) {
                float *restrict yp = y + ((oy * seqc_ow + ox + p) * seqc_oc + ob) * seqc_V;
                for (int j = 0; j < seqc_OB; j++)
                    L_STORE(yp + j * seqc_V, acc[p][j]);
                for (int k = 0; k < m4_eval(seqc_OB * seqc_V); k++)
                    seqc_act_store(«yp», «k»)
            }
        }
    }
}
»)»)

m4_dnl The narrow builds' pointwise forward (_seqc_conv_npw): per pixel, V
m4_dnl lanes x _seqc_npw_ov(seqc_oc) vectors of 16 output channels in
m4_dnl registers, each input value broadcast into _seqc_npw_ov multiply-adds,
m4_dnl then transposed into place.  Every output sums bias, then the input
m4_dnl channels ascending, fused: the general path's order.
m4_define(«_seqc_npw_forward», «
/* seqc_name: seqc_keras seqc_oc@1x1, strides 1, unpadded, seqc_act
 *   in     seqc_shape_in
 *   kernel [1][1][seqc_ic][seqc_oc]
 *   bias   [seqc_oc]seqc_if(seqc_bias, «», « (none)»)
 *   out    seqc_shape_out
 * 16 output channels are the vector (c16): lanes are seqc_V samples only. */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict kernel, const float *restrict bias, int nb«»seqc_z_param)
{
    seqc_if(seqc_bias, «», «(void)bias;»)
    for (long p = 0; p < m4_eval(seqc_oh * seqc_ow)«»L * nb; p++) {
        const float *restrict xp = in + p * m4_eval(seqc_ic * seqc_V);
        float *restrict yp = out + p * m4_eval(seqc_oc * seqc_V);
_seqc_npw_block(seqc_oc, seqc_ic, «seqc_if(seqc_bias, «C16_LOAD(bias + ob + j * 16)», «C16_ZERO»)»,
    «kernel + k * seqc_oc + ob + j * 16», «xp[k * seqc_V + s]», «yp + (ob + j * 16) * seqc_V»)
        for (int k = 0; k < m4_eval(seqc_oc * seqc_V); k++)
            seqc_act_store(«yp», «k»)
    }
}
»)

m4_define(«seqc_conv2d_backward», «
/* seqc_name backward: dout seqc_shape_out becomes the gradient before the
 * activation, in place; dkernel, dbias and din seqc_shape_in accumulate. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict out,
    float *restrict dout, float *restrict din, const float *restrict kernel,
    float *restrict dkernel, float *restrict dbias, int nb«»seqc_z_cparam)
{
    seqc_if(seqc_need_din, «», «(void)din; (void)kernel;»)
    seqc_if(seqc_bias, «», «(void)dbias;»)m4_ifelse(m4_eval(_seqc_conv_npw && seqc_need_din), 1, «
    float kt[seqc_oc][seqc_ic];   /* the kernel transposed, for din */
    for (int c = 0; c < seqc_ic; c++)
        for (int o = 0; o < seqc_oc; o++)
            kt[o][c] = kernel[c * seqc_oc + o];»)
    for (int b = 0; b < nb; b++) {
        const float *restrict x = in + (long)b * m4_eval(seqc_in_size * seqc_V);
        const float *restrict y = out + (long)b * m4_eval(seqc_out_size * seqc_V);
        float *restrict g = dout + (long)b * m4_eval(seqc_out_size * seqc_V);
        seqc_if(seqc_keep_z, «const float *restrict zb = zbuf + (long)b * m4_eval(seqc_out_size * seqc_V);»)
        for (long i = 0; i < m4_eval(seqc_out_size * seqc_V); i++)
            g[i] = seqc_act_grad(«y[i]», «zb[i]», «g[i]»);
        (void)y;
seqc_if(seqc_bias, «seqc_dbias(«g», m4_eval(seqc_oh * seqc_ow), seqc_oc)»)m4_dnl
m4_ifelse(_seqc_conv_pw, 1, «_seqc_pw_backward», _seqc_conv_npw, 1, «_seqc_npw_backward», «seqc_if(_seqc_conv_fewc, «_seqc_conv_dkernel_row», «_seqc_conv_dkernel»)
seqc_if(seqc_need_din, «_seqc_conv_din»)»)«»m4_dnl
    }
}
»)

m4_dnl The pointwise backward (_seqc_conv_pw, and _seqc_conv_npw's).  dkernel
m4_dnl as a GEMM over K = (pixel, lane): a tile of pixels of dout is
m4_dnl transposed to [lane][oc] (l_trv), so output channels are the vector
m4_dnl and a 4 x _seqc_pw_ov tile of kernel-gradient vectors stays in
m4_dnl registers across the tile (each x value broadcast for 16 x
m4_dnl _seqc_pw_ov multiply-adds): no per-tile lane sums, and dout is read
m4_dnl once instead of once per channel block at a 4 KiB stride.
m4_dnl _seqc_pw_dkernel(TILE): that, with TILE run after each tile's GEMM
m4_dnl (the narrow builds' din, which reads the same transposed tile; quote
m4_dnl it, so that its commas are not taken for more arguments).
m4_define(«_seqc_pw_dkernel», «m4_dnl
        for (int t = 0; t < m4_eval(seqc_oh * seqc_ow); t += _seqc_pw_pt) {
            const int pn = m4_eval(seqc_oh * seqc_ow) - t < _seqc_pw_pt ? m4_eval(seqc_oh * seqc_ow) - t : _seqc_pw_pt;
            float gt[_seqc_pw_pt][seqc_V][seqc_oc];
            for (int p = 0; p < pn; p++)
                for (int o = 0; o < seqc_oc; o += 16)
                    l_trv(g + ((long)(t + p) * seqc_oc + o) * seqc_V, &gt[p][0][o], seqc_oc);
            for (int cb = 0; cb < seqc_ic; cb += 4)
            for (int ob = 0; ob < seqc_oc; ob += m4_eval(16 * _seqc_pw_ov)) {
                c16 acc[4][_seqc_pw_ov];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < _seqc_pw_ov; j++)
                        acc[i][j] = C16_LOAD(dkernel + (cb + i) * seqc_oc + ob + j * 16);
                for (int p = 0; p < pn; p++) {
                    const float *restrict xp = x + ((long)(t + p) * seqc_ic + cb) * seqc_V;
                    for (int s = 0; s < seqc_V; s++) {
                        c16 gv[_seqc_pw_ov];
                        for (int j = 0; j < _seqc_pw_ov; j++) {
                            gv[j] = C16_LOAD(&gt[p][s][ob + j * 16]);
                            C16_PIN(gv[j]);
                        }
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < _seqc_pw_ov; j++)
                                C16_MADD(acc[i][j], gv[j], xp[i * seqc_V + s]);
                    }
                }
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < _seqc_pw_ov; j++)
                        C16_STORE(dkernel + (cb + i) * seqc_oc + ob + j * 16, acc[i][j]);
            }$1
        }»)
m4_dnl The narrow builds' din: per pixel of the tile, V lanes x
m4_dnl _seqc_npw_ov(seqc_ic) vectors of 16 input channels, each transposed
m4_dnl dout value broadcast against a row of the transposed kernel kt;
m4_dnl each input's sum runs over o in order from 0, as the general path's.
m4_define(«_seqc_npw_backward», «_seqc_pw_dkernel(«seqc_if(seqc_need_din, «
            for (int p = 0; p < pn; p++) {
                float *restrict dxp = din + ((long)b * m4_eval(seqc_oh * seqc_ow) + t + p) * m4_eval(seqc_ic * seqc_V);
_seqc_npw_block(seqc_ic, seqc_oc, «C16_ZERO», «&kt[k][ob + j * 16]», «gt[p][s][k]», «dxp + (ob + j * 16) * seqc_V»)
            }»)»)»)
m4_dnl The V = 16 pointwise backward: dkernel as above; din is written (the
m4_dnl caller skips its zeroing), two pixels at a time, so each weight
m4_dnl broadcast serves both; each input's sum runs over o in order from 0,
m4_dnl as the general path's (the same bits).
m4_define(«_seqc_pw_backward», «_seqc_pw_dkernel()
seqc_if(seqc_need_din, «m4_dnl
        float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);
        for (int p = 0; p < m4_eval(seqc_oh * seqc_ow); p += 2) {
            const int p2 = p + 1 < m4_eval(seqc_oh * seqc_ow) ? p + 1 : p;   /* an odd count's last pixel twice */
            const float *restrict g0 = g + (long)p * m4_eval(seqc_oc * seqc_V), *restrict g1 = g + (long)p2 * m4_eval(seqc_oc * seqc_V);
            for (int cb = 0; cb < seqc_ic; cb += seqc_cbd) {
                lanes acc0[seqc_cbd], acc1[seqc_cbd];
                for (int i = 0; i < seqc_cbd; i++)
                    acc0[i] = acc1[i] = L_SET1(0.0f);
                for (int o = 0; o < seqc_oc; o++) {
                    lanes gv0 = L_LOAD(g0 + o * seqc_V), gv1 = L_LOAD(g1 + o * seqc_V);
                    L_PIN(gv0);
                    L_PIN(gv1);
                    for (int i = 0; i < seqc_cbd; i++) {
                        const float w = kernel[(cb + i) * seqc_oc + o];
                        L_MADD(acc0[i], gv0, w);
                        L_MADD(acc1[i], gv1, w);
                    }
                }
                for (int i = 0; i < seqc_cbd; i++) {
                    L_STORE(dx + ((long)p * seqc_ic + cb + i) * seqc_V, acc0[i]);
                    L_STORE(dx + ((long)p2 * seqc_ic + cb + i) * seqc_V, acc1[i]);
                }
            }
        }»)»)

m4_define(«_seqc_conv_dkernel», «m4_dnl
        /* dkernel: per tap, a block of seqc_cbw x seqc_ob sums over the output
         * pixels and lanes, _seqc_dw_rows output rows at a time so that the
         * rows of dout stay in cache across the taps (not unrolled: each tap
         * is a long loop) */
        for (int ty = 0; ty < seqc_oh; ty += _seqc_dw_rows)
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int kx = 0; kx < seqc_kw; kx++)
        for (int cb = 0; cb < seqc_ic; cb += seqc_cbw)
        for (int ob = 0; ob < seqc_oc; ob += seqc_ob) {
            lanes acc[seqc_cbw][seqc_ob];
            for (int i = 0; i < seqc_cbw; i++)
                for (int j = 0; j < seqc_ob; j++)
                    acc[i][j] = L_SET1(0.0f);
            for (int oy = ty; oy < ty + _seqc_dw_rows && oy < seqc_oh; oy++)
            for (int ox = 0; ox < seqc_ow; ox++) {
                const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
                seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih || ix < 0 || ix >= seqc_iw)
                    continue;»)
                const float *restrict xp = x + ((iy * seqc_iw + ix) * seqc_ic + cb) * seqc_V;
                const float *restrict gp = g + ((oy * seqc_ow + ox) * seqc_oc + ob) * seqc_V;
                lanes xv[seqc_cbw], gv[seqc_ob];
                for (int i = 0; i < seqc_cbw; i++) {
                    xv[i] = L_LOAD(xp + i * seqc_V);
                    L_PIN(xv[i]);
                }
                for (int j = 0; j < seqc_ob; j++) {
                    gv[j] = L_LOAD(gp + j * seqc_V);
                    L_PIN(gv[j]);
                }
                for (int i = 0; i < seqc_cbw; i++)
                    for (int j = 0; j < seqc_ob; j++)
                        L_VMADD(acc[i][j], xv[i], gv[j]);
            }
            float *restrict dw = dkernel + ((ky * seqc_kw + kx) * seqc_ic + cb) * seqc_oc + ob;
            for (int i = 0; i < seqc_cbw; i++)
                for (int j = 0; j < seqc_ob; j++) {
                    float sum = 0.0f;
                    seqc_lanes(«sum += L_LANE(acc[i][j], s);»)
                    dw[i * seqc_oc + j] += sum;
                }
        }»)

m4_dnl Few input channels (a first layer on grey or RGB pixels): the general
m4_dnl block above would hold only seqc_ic x seqc_ob sums and load a dout
m4_dnl block for every multiply-add.  Here the block is a whole row of taps
m4_dnl (kx, and the input channels of each) x _seqc_fc_ob output channels,
m4_dnl so each dout block loaded serves every tap of the row.  Each sum still
m4_dnl runs over the same pixels in the same order: the same bits.
m4_define(«_seqc_fc_i», «m4_eval(seqc_kw * seqc_ic)»)
m4_define(«_seqc_conv_fewc», «m4_eval(seqc_kw > 1 && seqc_ic <= 3 && seqc_kw * seqc_ic <= 9)»)
m4_define(«_seqc_fc_ob», «seqc_ldiv(seqc_oc, m4_eval((30 - _seqc_fc_i) / (_seqc_fc_i + 1)))»)
m4_define(«_seqc_conv_dkernel_row», «m4_dnl
        /* dkernel: per row of taps, a block of seqc_kw taps x seqc_ic channels x
         * _seqc_fc_ob output channels, over _seqc_dw_rows output rows at a time */
        for (int ty = 0; ty < seqc_oh; ty += _seqc_dw_rows)
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int ob = 0; ob < seqc_oc; ob += _seqc_fc_ob) {
            lanes acc[_seqc_fc_i][_seqc_fc_ob];
            for (int i = 0; i < _seqc_fc_i; i++)
                for (int j = 0; j < _seqc_fc_ob; j++)
                    acc[i][j] = L_SET1(0.0f);
            for (int oy = ty; oy < ty + _seqc_dw_rows && oy < seqc_oh; oy++) {
                const int iy = ky * seqc_dh + oy * seqc_sh - seqc_pt;
                seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih)
                    continue;»)
                for (int ox = 0; ox < seqc_ow; ox++) {
                    const float *restrict gp = g + ((oy * seqc_ow + ox) * seqc_oc + ob) * seqc_V;
                    lanes gv[_seqc_fc_ob];
                    for (int j = 0; j < _seqc_fc_ob; j++) {
                        gv[j] = L_LOAD(gp + j * seqc_V);
                        L_PIN(gv[j]);
                    }
                    for (int kx = 0; kx < seqc_kw; kx++) {
                        const int ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
                        seqc_if(seqc_padded, «if (ix < 0 || ix >= seqc_iw)
                            continue;»)
                        for (int c = 0; c < seqc_ic; c++) {
                            lanes xv = L_LOAD(x + ((iy * seqc_iw + ix) * seqc_ic + c) * seqc_V);
                            L_PIN(xv);
                            for (int j = 0; j < _seqc_fc_ob; j++)
                                L_VMADD(acc[kx * seqc_ic + c][j], xv, gv[j]);
                        }
                    }
                }
            }
            for (int i = 0; i < _seqc_fc_i; i++) {
                float *restrict dw = dkernel + (ky * seqc_kw * seqc_ic + i) * seqc_oc + ob;
                for (int j = 0; j < _seqc_fc_ob; j++) {
                    float sum = 0.0f;
                    seqc_lanes(«sum += L_LANE(acc[i][j], s);»)
                    dw[j] += sum;
                }
            }
        }»)

m4_define(«_seqc_conv_din», «m4_dnl
        /* din: every output pixel scatters into the inputs of its window */
        float *restrict dx = din + (long)b * m4_eval(seqc_in_size * seqc_V);
        for (int oy = 0; oy < seqc_oh; oy++)
        for (int ox = 0; ox < seqc_ow; ox++)
        for (int ky = 0; ky < seqc_kh; ky++)
        for (int kx = 0; kx < seqc_kw; kx++) {
            const int iy = oy * seqc_sh + ky * seqc_dh - seqc_pt, ix = ox * seqc_sw + kx * seqc_dw - seqc_pl;
            seqc_if(seqc_padded, «if (iy < 0 || iy >= seqc_ih || ix < 0 || ix >= seqc_iw)
                continue;»)
            const float *restrict gp = g + (oy * seqc_ow + ox) * m4_eval(seqc_oc * seqc_V);
            const float *restrict wp = kernel + (ky * seqc_kw + kx) * m4_eval(seqc_ic * seqc_oc);
            float *restrict dxp = dx + (iy * seqc_iw + ix) * m4_eval(seqc_ic * seqc_V);
            for (int cb = 0; cb < seqc_ic; cb += seqc_cbd) {
                lanes acc[seqc_cbd];
                for (int i = 0; i < seqc_cbd; i++)
                    acc[i] = L_SET1(0.0f);
                for (int o = 0; o < seqc_oc; o++) {
                    const lanes gv = L_LOAD(gp + o * seqc_V);
                    for (int i = 0; i < seqc_cbd; i++)
                        L_MADD(acc[i], gv, wp[(cb + i) * seqc_oc + o]);
                }
                for (int i = 0; i < seqc_cbd; i++)
                    L_ADDTO(dxp + (cb + i) * seqc_V, acc[i]);
            }
        }»)

m4_define(«seqc_conv2d_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off, nb«»seqc_z_arg);»)
m4_define(«seqc_conv2d_bcall», «seqc_if(m4_eval(_seqc_conv_pw || _seqc_conv_npw), «», «seqc_zero_din»)
    seqc_name«»_backward(seqc_in_ptr(act), seqc_out_ptr(act), seqc_dout_ptr, seqc_din_ptr,
        params + seqc_w_off, grads + seqc_w_off, grads + seqc_b_off, nb«»seqc_z_arg);»)
m4_divert(0)m4_dnl
