#!/usr/bin/env bash
# tests/mutate.sh - do the golden tests catch real bugs?  For each new layer
# kind and option (issue 10), one deliberate break of the C templates: copy
# templates/ to a temporary directory, apply one sed expression, build a
# golden spec against the broken copy (gen/model.mk's TEMPLATES_DIR) and run
# tests/test_golden.c on it.  The golden test must FAIL.
#
# usage: tests/mutate.sh [-k] [-j JOBS] [PATTERN]   (from anywhere; runs in the repository root)
#   PATTERN  only the mutants whose id contains it (e.g. bn_, act_)
#   -k       keep the work directory (default $OUT, out/mutate)
#   -j JOBS  mutants built and run at once (default: the online cores)
# Environment: SEQC (default out/seqc, built if missing), OUT, CC.
#
# Prints one line per mutant, "caught by golden NAME: ID (what it breaks)",
# or "SURVIVED", "NOT APPLIED" (the sed expression no longer matches the
# template: update it), "NO BUILD" (the mutant does not compile: not a
# useful mutant).  First each spec used must pass with the real templates.
# Exit status 0 when every mutant is caught, 1 otherwise, 2 on usage errors.
set -u
cd "$(dirname "$0")/.."

keep=0 jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2) pattern=
while [ $# -gt 0 ]; do
    case $1 in
    -k) keep=1 ;;
    -j) shift; jobs=${1:?-j needs a number} ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "mutate.sh: unknown option $1" >&2; exit 2 ;;
    *) pattern=$1 ;;
    esac
    shift
done

SEQC=${SEQC:-out/seqc}
OUT=${OUT:-out/mutate}
CC=${CC:-gcc}
CFLAGS="-std=c11 -O0 -fopenmp"   # -O0: half the build time; the golden batches are small

# ---- the mutants: ID TEMPLATE SPEC SED-EXPRESSION DESCRIPTION ---------------
# SPEC is a golden spec (tests/specs/golden/SPEC.yaml) that uses the kind;
# SPEC@LANES builds it with that many lanes (the tail build) instead of 16.
# The expressions are GNU sed; 0,/RE/s//X/ changes the first match only.
ids=() files=() specs=() exprs=() whats=()
mutant() { ids+=("$1") files+=("$2") specs+=("$3") exprs+=("$4") whats+=("$5"); }

# batch_normalization
mutant bn_var_unbiased batch_norm.m4 bn_conv \
    '0,/v_ = stats\[seqc_oc + c\] \/ count - m_ \* m_;/s//v_ = (stats[seqc_oc + c] - count * m_ * m_) \/ (count - 1.0);/' \
    "training normalises with the unbiased variance (divisor N - 1)"
mutant bn_moving_var_unbiased batch_norm.m4 bn_conv \
    '/_moving(float/,/v_ = /s|v_ = stats\[seqc_oc + c\] / count - m_ \* m_;|v_ = (stats[seqc_oc + c] - count * m_ * m_) / (count - 1.0);|' \
    "the moving variance is updated with the unbiased variance (Keras 2's fused path)"
mutant bn_momentum_swapped batch_norm.m4 bn_conv \
    's|moving\[c\] \* seqc_momentum«»f + mean \* (1.0f - seqc_momentum«»f)|moving[c] * (1.0f - seqc_momentum«»f) + mean * seqc_momentum«»f|' \
    "moving_mean = moving_mean * (1 - momentum) + mean * momentum"
mutant bn_padded_lanes batch_norm.m4 bn_conv \
    's|L_FIRST(m_, n - b \* seqc_V);|L_FIRST(m_, seqc_V);|' \
    "the padded lanes of the last block enter the batch statistics and get gradients"
mutant bn_infer_no_sqrt batch_norm.m4 bn_conv \
    's|invstd\[c\] = 1.0f / sqrtf(moving\[seqc_oc + c\] + seqc_eps«»f);|invstd[c] = 1.0f / (moving[seqc_oc + c] + seqc_eps«»f);|' \
    "inference divides by the moving variance instead of its square root"
mutant bn_backward_no_xhat batch_norm.m4 bn_conv \
    's|L_SUB(t_, L_MUL(_seqc_bn_xhat, L_SET1(k2\[c\])))|t_|' \
    "backward drops the variance's term (xhat * mean(dy * xhat))"
mutant bn_relu_no_mask batch_norm.m4 dscnn_block \
    's|L_MASK(L_KEEP_POS(y_, L_LOAD(dout + i)), m_)|L_MASK(L_LOAD(dout + i), m_)|' \
    "BN + ReLU fusion: batch norm's backward leaves out the ReLU's mask"
mutant bn_relu_not_rectified batch_norm.m4 dscnn_block \
    's|L_STORE(rout + i, L_KEEP_POS(y, y));|L_STORE(rout + i, y);|' \
    "BN + ReLU fusion: the ReLU's output is the batch norm's, not rectified"
mutant bn_train2_no_relu_out batch_norm.m4 dscnn_block \
    's|^                if (out)$|                if (!out) continue; else|' \
    "a trainer's loop (forward_step's train = 2) skips the ReLU's output with the batch norm's own"
mutant bn_sums_run batch_norm.m4 bn_conv \
    's|f2_ = L_ADD(f2_, e2_);|f2_ = e2_;|' \
    "backward's float run of dy * xhat keeps only its last pixel (dgamma, din)"
mutant bn_no_beta batch_norm.m4 bn_conv \
    's|seqc_if(seqc_center, «beta\[c\]», «0.0f»)|0.0f|' \
    "beta is left out (center: true)"
mutant bn_seq_momentum batch_norm.m4 conv1d \
    's|moving\[seqc_oc + c\] \* seqc_momentum«»f + var \* (1.0f - seqc_momentum«»f)|moving[seqc_oc + c] * seqc_momentum«»f + var|' \
    "moving_variance update without the (1 - momentum) factor (BN on [steps, channels])"

# depthwise_conv2d
mutant dw_no_multiplier depthwise_conv2d.m4 depthwise \
    's|+ c \* seqc_dm + m\]);|+ c * seqc_dm]);|' \
    "forward drops the depth multiplier index m of the kernel"
mutant dw_pad_swapped depthwise_conv2d.m4 depthwise \
    's|m4_eval(seqc_ky \* seqc_dh - seqc_pt)|m4_eval(seqc_ky * seqc_dh - seqc_pb)|' \
    "forward pads 'same' at the top with the bottom's padding (stride 2: 0 before, 1 after)"
mutant dw_dkernel_no_multiplier depthwise_conv2d.m4 depthwise \
    's|dw\[i \* seqc_dm + m\] += sum;|dw[i * seqc_dm] += sum;|' \
    "the kernel gradient drops the depth multiplier index"
mutant dw_s1_dkernel_tap depthwise_conv2d.m4 dscnn_block \
    's|L_VMADD(acc\[seqc_kx\]\[i\], L_LOAD(xp + i \* seqc_V), gv\[i\]);|L_VMADD(acc[0][i], L_LOAD(xp + i * seqc_V), gv[i]);|' \
    "stride 1, multiplier 1: the kernel gradient sums a row of taps into its first"
mutant dw_s1_tap_weight depthwise_conv2d.m4 dscnn_block \
    's|L_MADD(acc\[i\], L_LOAD(sp + i \* seqc_V), wp\[i\]);|L_MADD(acc[i], L_LOAD(sp + i * seqc_V), wp[0]);|' \
    "stride 1, multiplier 1: the forward and the gathered input gradient take every channel's weight from the first"
mutant dw_s1_din_unflipped depthwise_conv2d.m4 dscnn_block \
    's|_seqc_dw_tap4(«o», «i», «-»,|_seqc_dw_tap4(«o», «i», «+»,|' \
    "stride 1, multiplier 1: the gathered input gradient reads dout at iy + offset (the kernel not flipped)"
mutant dw_s1_fwd_flipped depthwise_conv2d.m4 depthwise_s1 \
    's|_seqc_dw_tap4(«i», «o», «+»,|_seqc_dw_tap4(«i», «o», «-»,|' \
    "stride 1, multiplier 1: the forward reads x at oy - offset (the kernel flipped)"
mutant dw_s1_fwd_bias depthwise_conv2d.m4 depthwise_s1@4 \
    's|«bias\[cb + i\]»|«bias[cb]»|' \
    "stride 1, multiplier 1, 4 lanes: the forward adds the first channel's bias to all four"
mutant dbias_last_lane lib.m4 depthwise_s1 \
    '/c16 sum = C16_ZERO;/{n;s|s < seqc_V;|s < seqc_V - 1;|}' \
    "the bias gradient of 16 channels at a time leaves out the last lane (sample)"
mutant pool_tiles_always pool2d.m4 pool_valid \
    '/m4_define(«_seqc_pool_tiles»/{s|m4_eval(.*|m4_eval(!seqc_max)»)|;n;s|.*||}' \
    "average pooling's backward writes din instead of adding even where windows overlap or pad"
mutant gap_grad_accumulates global_pool.m4 global_max \
    's|seqc_if(seqc_need_din, «seqc_if(seqc_max, «seqc_zero_din»)|seqc_if(seqc_need_din, «|' \
    "global max pooling's backward adds into a din it no longer clears"
# the ReLU outputs training keeps in a scratch region (gen/lower.c relu_scratch)
mutant relu_scr_no_recompute lib.m4 dscnn_block \
    's|    if (!qat_grid)   /\* seqc_name.s input: the ReLU output|    if (0)   /* seqc_name input: the ReLU output|' \
    "backward does not recompute the ReLU output the next layer's kernel gradient reads"
mutant relu_scr_recompute_from_out lib.m4 dscnn_block \
    's|act + _seqc_bn_at(«in_off»)L \* np|act + _seqc_bn_at(«out_off»)L * np|' \
    "backward recomputes the ReLU output from the batch norm's output instead of its input"
mutant relu_scr_fwd_kept lib.m4 dscnn_block \
    's|«(seqc_scratch_or(«act + seqc_in_off«»L \* np»))»|«(act + seqc_in_off«»L * np)»|' \
    "the training loop's forward reads the kept ReLU output, which the batch norm no longer writes"
# the gradient arena's slots (gen/lower.c grad_slots)
mutant grad_din_is_dout lib.m4 dscnn_block \
    's|m4_define(«seqc_din_ptr», «dact + seqc_din_off«»L \* np»)|m4_define(«seqc_din_ptr», «dact + seqc_dout_off«»L * np»)|' \
    "every layer writes its input gradient over its output gradient (one slot for both)"
mutant grad_bn_own_dout batch_norm.m4 dscnn_block \
    's|«dact», «dout_off», «out_off»|«dact», «din_off», «out_off»|' \
    "batch norm fused with its ReLU reads the ReLU's input gradient slot, not its output's"
mutant dw_din_channel depthwise_conv2d.m4 depthwise \
    's|L_MADD(acc, L_LOAD(gp + (c \* seqc_dm + m) \* seqc_V), wp\[c \* seqc_dm + m\]);|L_MADD(acc, L_LOAD(gp + (c * seqc_dm + m) * seqc_V), wp[m * seqc_ic + c]);|' \
    "the input gradient reads the kernel as [kh][kw][dm][cin]"

# separable_conv2d
mutant sep_pointwise_transposed separable_conv2d.m4 separable \
    's|pointwise\[c \* seqc_oc + ob + j\]|pointwise[(ob + j) * _seqc_dwc + c]|' \
    "forward reads the pointwise kernel transposed"
mutant sep_no_bias separable_conv2d.m4 separable \
    's|«bias\[ob + j\]»|«0.0f»|' \
    "forward leaves out the bias"
mutant sep_dpointwise_lost separable_conv2d.m4 separable \
    's|dpointwise\[(cb + i) \* seqc_oc + ob + j\] += sum;|dpointwise[(cb + i) * seqc_oc + ob + j] += 0.5f * sum;|' \
    "the pointwise kernel's gradient is halved"

# conv2d 1x1 (the pointwise kernels of conv2d.m4 and l_tr16 in lanes.m4)
mutant pw_dkernel_channel conv2d.m4 dscnn_block \
    's|C16_MADD(acc\[i\]\[j\], gv\[j\], xp\[i \* seqc_V + s\]);|C16_MADD(acc[i][j], gv[j], xp[s]);|' \
    "the pointwise kernel gradient takes the 4 input channels of a tile from the first"
mutant pw_din_weight conv2d.m4 dscnn_block \
    's|const float w = kernel\[(cb + i) \* seqc_oc + o\];|const float w = kernel[cb * seqc_oc + o];|' \
    "the pointwise input gradient reads the first input channel's weights for all"
mutant pw_transpose lanes.m4 dscnn_block \
    's|L_STORE(dst + r \* ld, v\[r\]);|L_STORE(dst + r * ld, v[15 - r]);|' \
    "the 16 x 16 transpose of dout (l_tr16) puts its rows in reverse order"
# the same layers in a narrow build (4 lanes: a trainer's tail chunk), where
# 16 channels are the vector (_seqc_conv_npw, l_trv / l_untrv)
mutant npw_no_bias conv2d.m4 pointwise@4 \
    's|C16_LOAD(bias + ob + j \* 16)|C16_ZERO|' \
    "the narrow pointwise forward leaves out the bias"
mutant npw_untranspose lanes.m4 pointwise@4 \
    's|dst\[o \* seqc_V + s\] = C16_AT(a\[s\], o);|dst[o * seqc_V + s] = C16_AT(a[0], o);|' \
    "the narrow pointwise results of lane 0 go to every lane (l_untrv)"
mutant npw_transpose lanes.m4 pointwise@4 \
    's|dst\[s \* ld + o\] = src\[o \* seqc_V + s\];|dst[s * ld + o] = src[o * seqc_V];|' \
    "the narrow builds' transpose of dout (l_trv) copies lane 0 into every lane"
mutant npw_din_kernel conv2d.m4 pointwise@4 \
    's|kt\[o\]\[c\] = kernel\[c \* seqc_oc + o\];|kt[o][c] = kernel[o];|' \
    "the narrow pointwise input gradient reads the first input channel's weights for all"

# dropout (its mask saved as bytes)
mutant dropout_grad_unscaled dropout.m4 conv \
    's|din\[i\] = dout\[i\] \* (kept\[i\] ? seqc_keep_scale«»f : 0.0f);|din[i] = dout[i] * (kept[i] ? 1.0f : 0.0f);|' \
    "dropout's backward passes kept gradients unscaled"

# conv2d dilation_rate (and conv1d, which shares conv2d.m4)
mutant dil_forward_h conv2d.m4 dilation \
    's|m4_eval(seqc_ky \* seqc_dh - seqc_pt)|m4_eval(seqc_ky - seqc_pt)|' \
    "forward ignores the vertical dilation"
mutant dil_dkernel conv2d.m4 dilation \
    '0,/const int iy = oy \* seqc_sh + ky \* seqc_dh - seqc_pt/s//const int iy = oy * seqc_sh + ky - seqc_pt/' \
    "the kernel gradient ignores the vertical dilation"
mutant dil_dkernel_row conv2d.m4 dilation \
    's|const int iy = ky \* seqc_dh + oy \* seqc_sh - seqc_pt;|const int iy = ky + oy * seqc_sh - seqc_pt;|' \
    "the kernel gradient of a layer with few input channels (a row of taps per block) ignores the vertical dilation"
mutant dil_din conv2d.m4 dilation \
    '/din: every output pixel/,/ix = ox/s/ix = ox \* seqc_sw + kx \* seqc_dw - seqc_pl;/ix = ox * seqc_sw + kx - seqc_pl;/' \
    "the input gradient ignores the horizontal dilation"

# conv1d (conv2d.m4 with a height of 1; 'causal' pads left only)
mutant c1d_pad_swapped conv2d.m4 conv1d \
    's|m4_eval(seqc_kx \* seqc_dw - seqc_pl)|m4_eval(seqc_kx * seqc_dw - seqc_pr)|' \
    "forward takes the right padding for the left (causal: pads after, not before)"
mutant c1d_dkernel_stride conv2d.m4 conv1d \
    '0,/ix = ox \* seqc_sw + kx \* seqc_dw - seqc_pl;/s//ix = ox + kx * seqc_dw - seqc_pl;/' \
    "the kernel gradient ignores the stride"

# max_pooling1d / average_pooling1d (pool2d.m4 with a height of 1)
mutant pool1d_avg_counts_padding pool2d.m4 conv1d \
    's|yp\[k\] /= cells;|yp[k] /= (float)m4_eval(seqc_kh * seqc_kw);|' \
    "average pooling 'same' divides by the whole window, padding included"
mutant pool1d_max_zero_floor pool2d.m4 conv1d \
    's|-INFINITY|0.0f|g' \
    "max pooling starts from 0 instead of -inf"
mutant pool1d_flat_avg_last_tap pool2d.m4 conv1d \
    's|s_ + _seqc_pool_tapp\[k\]|_seqc_pool_tapp[k]|' \
    "an unpadded average pooling window sums only its last tap"

# zero_padding1d (zero_padding2d.m4)
mutant zpad1d_left_right zero_padding2d.m4 conv1d \
    's|((iy + seqc_pt) \* seqc_ow + seqc_pl)|((iy + seqc_pt) * seqc_ow + seqc_pr)|' \
    "the left padding is taken from the right"

# global pooling (global_pool.m4, 2-D and 1-D)
mutant gap2d_divisor global_pool.m4 global_avg \
    's|y\[k\] /= (float)_seqc_gp_pix;|y[k] /= (float)(_seqc_gp_pix + 1);|' \
    "global average divides by one pixel too many"
mutant gap1d_grad_divisor global_pool.m4 conv1d \
    's|dx\[p \* _seqc_gp_row + k\] = g\[k\] / (float)_seqc_gp_pix;|dx[p * _seqc_gp_row + k] = g[k];|' \
    "global average pooling 1D's gradient is not divided by the steps"
mutant gmp_grad_first_pixel global_pool.m4 global_max \
    's|dx\[arg \* _seqc_gp_row + k\] += g\[k\];|dx[k] += g[k];|' \
    "global max pooling's gradient goes to the first pixel, not the maximum"
mutant gmp_min_not_max global_pool.m4 global_max \
    's|y\[k\] = x\[p \* _seqc_gp_row + k\] > y\[k\] ?|y[k] = x[p * _seqc_gp_row + k] < y[k] ?|' \
    "global max pooling takes the minimum"

# activations (lib.m4): fused and as layers
mutant act_gelu_const lib.m4 act_smooth \
    's|(0.5f \* $2 \* (1.0f + erff($2 \* 0.70710678118654752440f)))|(0.5f * $2 * (1.0f + erff($2 * 0.75f)))|' \
    "gelu forward uses erf(x * 0.75)"
mutant act_gelu_tanh_cubic lib.m4 act_smooth \
    '0,/0.044715f \* $2 \* $2 \* $2/s//0.04f * $2 * $2 * $2/' \
    "gelu_tanh forward uses 0.04 for 0.044715"
mutant act_selu_grad lib.m4 act_smooth2 \
    's|$3 \* ($2 + 1.75809934084737685994f)|$3 * ($2 + 1.67326324235437728481f)|' \
    "selu's negative-side gradient uses alpha for scale * alpha"
mutant act_softplus_grad lib.m4 act_smooth \
    's|($3 \* -expm1f(-$2))|($3 * expf(-$2))|' \
    "softplus gradient exp(-y) for 1 - exp(-y)"
mutant act_softsign_grad lib.m4 act_smooth \
    's|($3 \* (1.0f - fabsf($2)) \* (1.0f - fabsf($2)))|($3 * (1.0f - fabsf($2)))|' \
    "softsign gradient (1 - |y|) for (1 - |y|)^2"
mutant act_exponential_grad lib.m4 act_smooth2 \
    's|«$1», «exponential», «($3 \* $2)»|«$1», «exponential», «$3»|' \
    "exponential's gradient 1 for e^x"
mutant act_silu_grad lib.m4 act_smooth \
    's|((1.0f + $1 \* (1.0f - 1.0f / (1.0f + expf(-$1)))) / (1.0f + expf(-$1)))|(1.0f / (1.0f + expf(-$1)))|' \
    "silu gradient sigmoid(x) only"
mutant act_relu6_cap lib.m4 act_clip \
    's|($2 > 0.0f ? ($2 < 6.0f ? $2 : 6.0f) : 0.0f)|($2 > 0.0f ? $2 : 0.0f)|' \
    "relu6 forward without the cap at 6"
mutant act_hard_sigmoid_grad lib.m4 act_piecewise \
    's|$3 / 6.0f : 0.0f)|$3 / 5.0f : 0.0f)|' \
    "hard_sigmoid gradient 1/5 for 1/6"
mutant act_hard_sigmoid_low lib.m4 act_clip_low \
    's|«$1», «hard_sigmoid», «_seqc_hsig($2)»|«$1», «hard_sigmoid», «($2 < -3.0f ? 0.5f : _seqc_hsig($2))»|' \
    "hard_sigmoid below -3 gives 0.5"
mutant act_hard_silu_grad lib.m4 act_piecewise \
    '0,/(2.0f \* $2 + 3.0f) \/ 6.0f/s//($2 + 3.0f) \/ 6.0f/' \
    "hard_silu gradient (x + 3) / 6 for (2x + 3) / 6"
mutant act_hard_silu_high lib.m4 act_clip \
    '0,/$3 \* (2.0f \* $2 + 3.0f) \/ 6.0f : $3)/s//$3 * (2.0f * $2 + 3.0f) \/ 6.0f : 0.0f)/' \
    "hard_silu gradient 0 above 3"
mutant act_leaky_slope lib.m4 act_piecewise \
    's|«$1», «leaky_relu», «($2 > 0.0f ? $2 : seqc_alpha«»f \* $2)»|«$1», «leaky_relu», «($2 > 0.0f ? $2 : 0.3f * $2)»|' \
    "leaky_relu forward with Keras 2's slope 0.3 whatever the option"

# the relu, leaky_relu and elu layers (activation.m4 + lib.m4)
mutant relu_layer_threshold lib.m4 relu_layers \
    's|($1 > seqc_act_thr«»f ? $1 : 0.0f)|($1 > 0.0f ? $1 : 0.0f)|' \
    "the ReLU layer ignores its threshold"
mutant relu_layer_max lib.m4 relu_layers \
    's|fminf(fmaxf(_seqc_relu_above($1), 0.0f), seqc_act_max«»f)|fmaxf(_seqc_relu_above($1), 0.0f)|' \
    "the ReLU layer ignores max_value in forward"
mutant relu_layer_slope_grad lib.m4 relu_layers \
    's|($2 < seqc_act_thr«»f ? seqc_alpha«»f : 0.0f)|0.0f|' \
    "the ReLU layer's gradient ignores negative_slope"
mutant leaky_layer_grad lib.m4 relu_layers \
    's|«$1», «leaky_relu», «($2 > 0.0f ? $3 : seqc_alpha«»f \* $3)»|«$1», «leaky_relu», «($2 > 0.0f ? $3 : 0.0f)»|' \
    "the LeakyReLU layer's gradient is 0 on the negative side"
mutant elu_layer_alpha_grad lib.m4 relu_layers \
    's|($2 > 0.0f ? $3 : $3 \* ($2 + seqc_alpha«»f))|($2 > 0.0f ? $3 : $3 * ($2 + 1.0f))|' \
    "the ELU gradient assumes alpha = 1"

# regularizers (model.c.m4)
mutant reg_l2_grad model.c.m4 regularizers \
    's|2.0f \* seqc_T($1, l2)f \* w\[i\]|seqc_T($1, l2)f * w[i]|' \
    "the l2 gradient is l2 w, not 2 l2 w"
mutant reg_l1_sign_zero model.c.m4 regularizers \
    's|(float)((w\[i\] > 0.0f) - (w\[i\] < 0.0f))|(float)((w[i] >= 0.0f) - (w[i] < 0.0f))|' \
    "sign(0) = 1 in the l1 gradient (dense_1/kernel has an exact 0)"
mutant reg_no_l2_penalty model.c.m4 regularizers \
    's|total += seqc_T($1, l1) \* s1 + seqc_T($1, l2) \* s2;|total += seqc_T($1, l1) * s1;|' \
    "the penalty leaves out the l2 term"
mutant reg_conv1d_missing model.c.m4 conv1d \
    's|if (g)$|if (g \&\& 0)|' \
    "the penalty adds no gradient (conv1d's kernel_regularizer)"

# losses (templates/loss.m4): each against its golden spec
mutant cce_grad_no_smoothing loss.m4 loss_cce_smooth \
    's|dz\[k \* seqc_V\] = (expf(zs\[k \* seqc_V\] - top) / sum \* tsum - seqc_smooth(«y\[k\]», «seqc_n_out»)) \* g;|dz[k * seqc_V] = (expf(zs[k * seqc_V] - top) / sum * tsum - y[k]) * g;|' \
    "categorical cross-entropy's gradient without label smoothing (p sum(t) - t, t unsmoothed)"
mutant cce_grad_no_tsum loss.m4 loss_cce_smooth \
    's|/ sum \* tsum - seqc_smooth|/ sum - seqc_smooth|' \
    "categorical cross-entropy's gradient p - t instead of p sum(t) - t"
mutant cce_smooth_no_1_over_k loss.m4 loss_cce_smooth \
    's|+ seqc_label_smoothing«»f / $2)|+ seqc_label_smoothing«»f)|' \
    "label smoothing adds ls instead of ls / K"
mutant bce_grad_no_1_over_k loss.m4 loss_bce_multi \
    '/_seqc_loss_2/,/l \/= seqc_n_out/s|dz\[k \* seqc_V\] = (p - t) \* (g / seqc_n_out.0f);|dz[k * seqc_V] = (p - t) * g;|' \
    "binary cross-entropy's gradient without the 1/K of the mean over the units"
mutant bce_loss_no_mean loss.m4 loss_bce_multi \
    '/_seqc_loss_2/,/m \/= seqc_n_out/s|^        l /= seqc_n_out.0f;|        l /= 1.0f;|' \
    "binary cross-entropy summed over the units, not averaged"
mutant bce_smooth_half loss.m4 loss_bce_multi \
    's|seqc_smooth(«y\[k\]», «2.0f»)|seqc_smooth(«y[k]», «1.0f»)|' \
    "binary label smoothing t (1 - ls) + ls instead of + 0.5 ls"
mutant bce_logit_sign loss.m4 loss_bce \
    's|l += fmaxf(z, 0.0f) - z \* t + log1pf(expf(-fabsf(z)));|l += fmaxf(z, 0.0f) - z * t + log1pf(expf(-z));|' \
    "binary cross-entropy with log(1 + e^-z) for log(1 + e^-|z|)"
mutant mse_grad_no_2 loss.m4 loss_mse \
    's|d = 2.0f \* e;|d = e;|' \
    "mean squared error's gradient e instead of 2e"
mutant mae_grad_sign loss.m4 loss_mae \
    's|d = (float)((e > 0.0f) - (e < 0.0f));|d = (float)((e < 0.0f) - (e > 0.0f));|' \
    "mean absolute error's gradient -sign(e)"
mutant huber_linear_grad loss.m4 loss_huber \
    's|d = a <= delta ? e : delta \* (float)((e > 0.0f) - (e < 0.0f));|d = e;|' \
    "huber's gradient e beyond delta (squared error's)"
mutant huber_default_delta loss.m4 loss_sgd \
    's|const float delta = seqc_huber_delta«»f;|const float delta = 0.5f;|' \
    "huber with delta 0.5 whatever the spec says (loss_sgd: the default 1.0)"
mutant scce_logits_grad loss.m4 loss_scce_logits \
    's|(k == label ? 1.0f : 0.0f)) \* g;|(k == label ? 1.0f : 0.0f)) * g * 0.5f;|' \
    "sparse cross-entropy's gradient halved"

# ---- the run -----------------------------------------------------------------
[ -x "$SEQC" ] || make -s --no-print-directory "$SEQC" SEQC="$SEQC" >/dev/null ||
    { echo "mutate.sh: cannot build $SEQC" >&2; exit 1; }
[ -d tests/golden ] || { echo "mutate.sh: no tests/golden" >&2; exit 1; }
mkdir -p "$OUT"
work=$(mktemp -d "$OUT/run.XXXXXX")
[ $keep -eq 1 ] || trap 'rm -rf "$work"' EXIT
# private copies of seqc, the templates and the runtime, so that edits made
# while this runs (or a concurrent make) cannot mix two versions
cp "$SEQC" "$work/seqc" || exit 1
SEQC=$work/seqc
mkdir -p "$work/base" "$work/runtime"
cp templates/*.m4 "$work/base/" && cp runtime/*.c runtime/*.h "$work/runtime/" || exit 1
# the optimizer the golden test's Adam steps need (adam.c, and optim.c
# where adam.c is a wrapper of it)
rt_src="$work/runtime/adam.c"
[ -f "$work/runtime/optim.c" ] && rt_src="$rt_src $work/runtime/optim.c"
[ -f "$work/runtime/model_optim.c" ] && rt_src="$rt_src $work/runtime/model_optim.c"

# build_and_run DIR TEMPLATES SPEC[@LANES]: 0 = the golden test passed, 1 =
# it failed, 3 = the model or the test did not build.  @LANES: the model
# built with that many lanes (the tail build, NAME.tail.c) instead of 16.
build_and_run() {
    local dir=$1 tdir=$2 spec=${3%@*} stem=${3%@*} lanes=
    [[ $3 == *@* ]] && lanes=${3#*@} stem=$spec.tail
    mkdir -p "$dir"
    # a fresh directory, so no -B (which would relink seqc under the other
    # jobs' feet); -o: never remake seqc itself
    make -s --no-print-directory -o "$SEQC" "$dir/$stem.c" SPEC="tests/specs/golden/$spec.yaml" OUT="$dir" \
        SEQC="$SEQC" TEMPLATES_DIR="$tdir" ${lanes:+TAIL_V=$lanes} >"$dir/build.log" 2>&1 || return 3
    $CC $CFLAGS -I"$work/runtime" -I"$dir" -DRT_MODEL_HEADER="\"$stem.h\"" -o "$dir/golden" \
        tests/test_golden.c $rt_src "$dir/$stem.c" -lcmocka -lz -lm >>"$dir/build.log" 2>&1 || return 3
    "$dir/golden" tests/golden "$spec" >"$dir/golden.log" 2>&1 && return 0
    return 1
}

# run_mutant I: prints its line; the status word first, for the summary
run_mutant() {
    local i=$1 id=${ids[$1]} dir="$work/${ids[$1]}"
    mkdir -p "$dir/templates"
    cp "$work"/base/*.m4 "$dir/templates/"
    sed -e "${exprs[$i]}" "$work/base/${files[$i]}" >"$dir/templates/${files[$i]}"
    if cmp -s "$work/base/${files[$i]}" "$dir/templates/${files[$i]}"; then
        echo "NOT APPLIED  $id: the expression no longer matches templates/${files[$i]}"
        return
    fi
    build_and_run "$dir" "$dir/templates" "${specs[$i]}"
    case $? in
    1) local first
       first=$(grep -m1 -o 'ERROR: .*' "$dir/golden.log" | cut -c8-)
       echo "caught by golden ${specs[$i]}: $id (${whats[$i]})${first:+ -- $first}" ;;
    0) echo "SURVIVED     $id: golden ${specs[$i]} passes with ${files[$i]} broken: ${whats[$i]}" ;;
    *) echo "NO BUILD     $id: ${files[$i]} broken this way does not compile (see $dir/build.log)" ;;
    esac
}

selected=()
for i in "${!ids[@]}"; do
    [ -z "$pattern" ] || [[ ${ids[$i]} == *"$pattern"* ]] && selected+=("$i")
done
[ ${#selected[@]} -gt 0 ] || { echo "mutate.sh: no mutant matches '$pattern'" >&2; exit 2; }

# the specs must pass unbroken, or a "caught" means nothing
# (built and run $jobs at once, as the mutants are)
bad=0 base_specs=$(for i in "${selected[@]}"; do echo "${specs[$i]}"; done | sort -u)
for spec in $base_specs; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    { build_and_run "$work/base_$spec" "$work/base" "$spec"; echo $? >"$work/base_$spec.rc"; } &
done
wait
for spec in $base_specs; do
    if [ "$(cat "$work/base_$spec.rc" 2>/dev/null)" != 0 ]; then
        echo "BASELINE FAIL golden $spec fails (or does not build) with the real templates; see $work/base_$spec"
        bad=1
    fi
done
[ $bad -eq 0 ] || { keep=1; trap - EXIT; exit 1; }

results="$work/results"
: >"$results"
running=0
for i in "${selected[@]}"; do
    run_mutant "$i" >"$work/line.$i" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
for i in "${selected[@]}"; do
    cat "$work/line.$i" | tee -a "$results"
done

total=${#selected[@]}
caught=$(grep -c '^caught by golden' "$results")
echo "mutate.sh: $caught of $total mutants caught"
if [ "$caught" -ne "$total" ]; then
    [ $keep -eq 1 ] || { trap - EXIT; echo "mutate.sh: work kept in $work"; }
    exit 1
fi
exit 0
