m4_divert(-1)
m4_changequote(«,»)
m4_changecom()
m4_dnl lib.m4 - the macro library of seqc's templates.
m4_dnl
m4_dnl Conventions: run with m4 -P; quotes are « and », which never occur in
m4_dnl generated C; comments are off so '#' reaches C untouched.  Every
m4_dnl macro starts with seqc_ (or _seqc_), and the build fails if that
m4_dnl prefix or m4_ survives into a .c file.  Template comments use m4_dnl.

m4_dnl seqc_fatal(MESSAGE): stop m4 with an error naming the template line.
m4_define(«seqc_fatal», «m4_errprint(m4___file__:m4___line__: error: $1
)m4_m4exit(1)»)

m4_dnl seqc_args(NAME, COUNT, GIVEN): check a macro's argument count.
m4_define(«seqc_args», «m4_ifelse(«$2», «$3», «», «seqc_fatal(«$1 takes $2 arguments, got $3»)»)»)

m4_dnl seqc_forloop(VAR, FROM, TO, BODY): BODY once per VAR = FROM..TO,
m4_dnl expanded with VAR as a literal (windows are unrolled with it).
m4_define(«seqc_forloop», «seqc_args(«seqc_forloop», 4, $#)m4_ifelse(m4_eval(«($2) <= ($3)»), «1»,
«m4_pushdef(«$1»)_seqc_forloop(«$1», m4_eval(«$2»), m4_eval(«$3»), «$4»)m4_popdef(«$1»)»)»)
m4_define(«_seqc_forloop», «m4_define(«$1», «$2»)$4«»m4_ifelse(«$2», «$3», «»,
«$0(«$1», m4_incr(«$2»), «$3», «$4»)»)»)

m4_dnl seqc_forloop_down(VAR, FROM, TO, BODY): the same, FROM down to TO.
m4_define(«seqc_forloop_down», «seqc_args(«seqc_forloop_down», 4, $#)m4_ifelse(m4_eval(«($2) >= ($3)»), «1»,
«m4_pushdef(«$1»)_seqc_forloop_down(«$1», m4_eval(«$2»), m4_eval(«$3»), «$4»)m4_popdef(«$1»)»)»)
m4_define(«_seqc_forloop_down», «m4_define(«$1», «$2»)$4«»m4_ifelse(«$2», «$3», «»,
«$0(«$1», m4_decr(«$2»), «$3», «$4»)»)»)

m4_dnl seqc_foreach(MACRO, A, B, ...): MACRO(A)MACRO(B)...
m4_define(«seqc_foreach», «m4_ifelse(«$#», «1», «», «$#», «2», «$1(«$2»)»,
«$1(«$2»)$0(«$1», m4_shift(m4_shift($@)))»)»)

m4_dnl seqc_get(KEY): a definition gen wrote, or a loud failure.
m4_define(«seqc_get», «m4_ifdef(«$1», «m4_indir(«$1»)», «seqc_fatal(«seqc did not define $1»)»)»)

m4_dnl ---- per-layer binding ---------------------------------------------
m4_dnl seqc_bind(I) makes layer I's numbers visible as seqc_KEY (seqc_oc,
m4_dnl seqc_kh, ...); seqc_unbind() restores the previous layer's.
m4_define(«seqc_layer_keys», ««kind», «stem», «keras», «name», «ih», «iw», «ic», «oh», «ow», «oc»,
«kh», «kw», «sh», «sw», «pt», «pb», «pl», «pr», «padded», «in_size», «out_size», «in_off»,
«out_off», «mask_off», «w_off», «w_size», «b_off», «b_size», «params», «bias», «need_din», «act»,
«max», «rate», «keep_scale», «ob», «cbw», «cbd», «obx», «x_in», «x_out», «dh», «dw», «dm», «p_off»,
«p_size», «bn», «stat_off», «momentum», «eps», «center», «scale», «alpha», «act_max», «has_max»,
«act_thr», «x_mid», «in_rank», «out_rank», «z_off», «zx», «cbp», «frozen», «din_off», «dout_off»,
«dmid_off», «relu_fused», «relu_scr», «in_scr»»)
m4_define(«_seqc_bind1», «m4_pushdef(«seqc_$1», seqc_get(«seqc_L»seqc_idx«_$1»))»)
m4_define(«_seqc_unbind1», «m4_popdef(«seqc_$1»)»)
m4_define(«seqc_bind», «m4_pushdef(«seqc_idx», «$1»)seqc_foreach(«_seqc_bind1», seqc_layer_keys)»)
m4_define(«seqc_unbind», «seqc_foreach(«_seqc_unbind1», seqc_layer_keys)m4_popdef(«seqc_idx»)»)

m4_dnl seqc_with(I, PART): expand layer I's template part (forward,
m4_dnl backward, fcall, bcall) from templates/STEM.m4.
m4_dnl Optional parts: tcall (the training forward; default fcall) and moving
m4_dnl (batch norm's moving statistics; default nothing).
m4_dnl A frozen layer (trainable: false) that no earlier layer needs the
m4_dnl input gradient of has no backward call: its weights take no step.
m4_dnl seqc_part is the part being expanded (seqc_in_ptr reads it).
m4_define(«seqc_with», «seqc_bind($1)m4_pushdef(«seqc_part», «$2»)m4_ifelse(«$2», «out_ptr_value», «seqc_out_ptr(act)»,
«$2»seqc_need_din«»seqc_frozen, «bcall01», «», «m4_ifelse(«$2»seqc_in_scr, «bcall1», «_seqc_relu_recompute()»)m4_ifdef(«seqc_»seqc_stem«_$2»,
«m4_indir(«seqc_»seqc_stem«_$2»)», «_seqc_default_part(«$2»)»)»)m4_popdef(«seqc_part»)seqc_unbind()»)
m4_define(«_seqc_default_part», «m4_ifelse(«$1», «tcall», «m4_indir(«seqc_»seqc_stem«_fcall»)», «$1», «moving», «»,
«seqc_fatal(«no template seqc_»seqc_stem«_$1»)»)»)
m4_define(«seqc_each_layer», «seqc_forloop(«seqc_i», 1, m4_eval(seqc_n_layers - 1), «seqc_with(seqc_i, «$1»)»)»)
m4_define(«seqc_each_layer_reverse», «seqc_forloop_down(«seqc_i», m4_eval(seqc_n_layers - 1), 1, «seqc_with(seqc_i, «$1»)»)»)

m4_dnl seqc_each_tensor(MACRO): MACRO(I) for each parameter tensor.
m4_define(«seqc_each_tensor», «m4_ifelse(seqc_n_tensors, «0», «», «seqc_forloop(«seqc_t», 0, m4_eval(seqc_n_tensors - 1), «$1(seqc_t)»)»)»)
m4_define(«seqc_T», «seqc_get(«seqc_T$1_$2»)»)

m4_dnl ---- buffers of the current layer ----------------------------------
m4_dnl Layout: samples are processed in blocks of seqc_V (a build-time
m4_dnl choice: -Dseqc_V=16 for the trainer, 1 for single-sample inference).
m4_dnl A layer's buffer is [nb][H][W][C][V]: the batch is the innermost
m4_dnl dimension, so every inner loop is V lanes wide whatever the channel
m4_dnl count.  A batch of n uses np = nb * V samples of space; region k of
m4_dnl the arena starts at k * np floats.
m4_ifdef(«seqc_V», «», «m4_define(«seqc_V», «1»)»)
m4_dnl seqc_file: the generated files' name without suffix, for their
m4_dnl comments: NAME (tail.m4 sets NAME.tail before it renames the model)
m4_define(«seqc_file», «seqc_model»)
m4_dnl A layer whose input is a batch-norm-fused ReLU's output that training
m4_dnl does not keep (gen/lower.c relu_scratch: seqc_in_scr) reads it from
m4_dnl the scratch region: in the training loop's forward (train = 2), and in
m4_dnl backward, where _seqc_relu_recompute has just recomputed it (with
m4_dnl quantization-aware training the kept, fake-quantized output instead).
m4_define(«seqc_in_ptr», «m4_ifelse(seqc_in_scr«/$1», «1/act», «_seqc_scr_in», «$1 + seqc_in_off«»L * np»)»)
m4_define(«_seqc_scr_in», «m4_ifelse(seqc_part, «bcall»,
«(qat_grid ? act + seqc_in_off«»L * np : dact + seqc_dscr_off«»L * np)»,
«(seqc_scratch_or(«act + seqc_in_off«»L * np»))»)»)
m4_dnl seqc_scratch_or(PTR): the activations' scratch region in the training
m4_dnl loop's forward (train = 2, no quantization-aware training), else PTR
m4_define(«seqc_scratch_or», «train == 2 && !qat_grid ? act + seqc_scr_off«»L * np : $1»)
m4_dnl the batch norm two layers back (the one fused with the ReLU before
m4_dnl this layer), recomputing the ReLU's output into dact's scratch
m4_define(«_seqc_bn_at», «seqc_get(«seqc_L»m4_eval(seqc_idx - 2)«_$1»)»)
m4_define(«_seqc_relu_recompute», «
    if (!qat_grid)   /* seqc_name's input: the ReLU output training did not keep */
        _seqc_bn_at(«name»)_forward_train(act + _seqc_bn_at(«in_off»)L * np, (float *)0,
            params + _seqc_bn_at(«w_off»), params + _seqc_bn_at(«b_off»), stats + _seqc_bn_at(«stat_off»),
            batch, nb, dact + seqc_dscr_off«»L * np);»)
m4_define(«seqc_out_ptr», «$1 + seqc_out_off«»L * np»)
m4_define(«seqc_mask_ptr», «$1 + seqc_mask_off«»L * np»)
m4_define(«seqc_mid_ptr», «$1 + seqc_mask_off«»L * np»)
m4_dnl the same tensors' gradients, in the gradient arena dact (its own
m4_dnl layout: gen/lower.c grad_slots)
m4_define(«seqc_din_ptr», «dact + seqc_din_off«»L * np»)
m4_define(«seqc_dout_ptr», «dact + seqc_dout_off«»L * np»)
m4_define(«seqc_dmid_ptr», «dact + seqc_dmid_off«»L * np»)
m4_define(«seqc_shape_in», «m4_ifelse(seqc_ih«x»seqc_iw, «1x1», «[nb][seqc_ic][seqc_V]», «[nb][seqc_ih][seqc_iw][seqc_ic][seqc_V]»)»)
m4_define(«seqc_shape_out», «m4_ifelse(seqc_oh«x»seqc_ow, «1x1», «[nb][seqc_oc][seqc_V]», «[nb][seqc_oh][seqc_ow][seqc_oc][seqc_V]»)»)
m4_dnl seqc_OB: the forward passes' output-channel block.  With V lanes the
m4_dnl lanes are the vector and a few channels are registers; with V = 1 the
m4_dnl channels must be the vector.  Either way each output sums in the same
m4_dnl order, so the choice never changes a bit.
m4_define(«seqc_OB», «m4_ifelse(seqc_V, «1», seqc_obx, seqc_ob)»)
m4_dnl seqc_lanes(BODY): BODY once per lane s of a block (a vector op).
m4_define(«seqc_lanes», «for (int s = 0; s < seqc_V; s++) $1»)

m4_dnl seqc_dbias(G, PIXELS, C): dbias[o] += the sum over G's lanes (in lane
m4_dnl order, from 0.0f) of G[p][o][lanes], for each of PIXELS pixels and C
m4_dnl channels: the bias gradient of the convolutions.  Where C is a multiple
m4_dnl of 16 (and V > 1) each pixel's [16 channels][V lanes] is transposed
m4_dnl (l_trv) so that 16 channels' sums are one vector added lane by lane:
m4_dnl the same additions in the same order (the same bits) as the scalar
m4_dnl loop, which was a chain of V dependent adds per channel and pixel.
m4_define(«seqc_dbias», «m4_ifelse(m4_eval(seqc_V > 1 && ($3) % 16 == 0), 1, «m4_dnl
        for (int p = 0; p < $2; p++)
            for (int o = 0; o < $3; o += 16) {
                float gt_[seqc_V][16];
                l_trv($1 + ((long)p * $3 + o) * seqc_V, &gt_[0][0], 16);
                c16 sum = C16_ZERO;
                for (int s = 0; s < seqc_V; s++)
                    sum = C16_ADD(sum, C16_LOAD(gt_[s]));
                C16_STORE(dbias + o, C16_ADD(C16_LOAD(dbias + o), sum));
            }
», «m4_dnl
        for (int p = 0; p < $2; p++)
            for (int o = 0; o < $3; o++) {
                float sum = 0.0f;
                seqc_lanes(«sum += $1[(p * $3 + o) * seqc_V + s];»)
                dbias[o] += sum;
            }
»)»)

m4_dnl ---- activations ----------------------------------------------------
m4_dnl Keras 3 formulas (docs/layers.md gives each with its source).  Most
m4_dnl gradients follow from the output Y; the ones that do not (gelu, silu,
m4_dnl hard_silu, the relu layer with options) read the pre-activation X,
m4_dnl which layers with such a fused activation keep in a region of their
m4_dnl own (seqc_zx, seqc_z_ptr).  At a kink the gradient is the one-sided
m4_dnl rule of the output side: relu and relu6 give 0 at 0 and at 6.
m4_dnl seqc_act_fwd(ACT, X): the activation of X (X a plain lvalue).
m4_define(«seqc_act_fwd», «m4_ifelse(«$1», «linear», «$2»,
«$1», «relu», «($2 > 0.0f ? $2 : 0.0f)»,
«$1», «sigmoid», «(1.0f / (1.0f + expf(-$2)))»,
«$1», «tanh», «tanhf($2)»,
«$1», «relu6», «($2 > 0.0f ? ($2 < 6.0f ? $2 : 6.0f) : 0.0f)»,
«$1», «leaky_relu», «($2 > 0.0f ? $2 : seqc_alpha«»f * $2)»,
«$1», «elu», «($2 > 0.0f ? $2 : seqc_alpha«»f * expm1f($2))»,
«$1», «selu», «(1.05070098735548049342f * ($2 > 0.0f ? $2 : 1.67326324235437728481f * expm1f($2)))»,
«$1», «gelu», «(0.5f * $2 * (1.0f + erff($2 * 0.70710678118654752440f)))»,
«$1», «gelu_tanh», «(0.5f * $2 * (1.0f + tanhf(0.79788456080286535588f * ($2 + 0.044715f * $2 * $2 * $2))))»,
«$1», «silu», «($2 / (1.0f + expf(-$2)))»,
«$1», «swish», «($2 / (1.0f + expf(-$2)))»,
«$1», «softplus», «($2 > 0.0f ? $2 + log1pf(expf(-$2)) : log1pf(expf($2)))»,
«$1», «softsign», «($2 / (1.0f + fabsf($2)))»,
«$1», «hard_sigmoid», «_seqc_hsig($2)»,
«$1», «hard_silu», «($2 * _seqc_hsig($2))»,
«$1», «hard_swish», «($2 * _seqc_hsig($2))»,
«$1», «exponential», «expf($2)»,
«$1», «relu_full», «(_seqc_relu_pos($2) - _seqc_relu_neg($2))»,
«seqc_fatal(«unknown activation $1»)»)»)
m4_define(«_seqc_hsig», «($1 > -3.0f ? ($1 < 3.0f ? ($1 + 3.0f) / 6.0f : 1.0f) : 0.0f)»)
m4_dnl Keras 3's ReLU(max_value, negative_slope, threshold): the part above
m4_dnl the threshold (x > threshold ? x : 0; relu when threshold is 0),
m4_dnl clipped to [0, max_value] when there is one, minus
m4_dnl negative_slope * relu(threshold - x).
m4_define(«_seqc_relu_above», «m4_ifelse(seqc_act_thr, «0.0», «($1 > 0.0f ? $1 : 0.0f)», «($1 > seqc_act_thr«»f ? $1 : 0.0f)»)»)
m4_define(«_seqc_relu_pos», «seqc_if(seqc_has_max, «fminf(fmaxf(_seqc_relu_above($1), 0.0f), seqc_act_max«»f)», «_seqc_relu_above($1)»)»)
m4_define(«_seqc_relu_neg», «m4_ifelse(seqc_alpha, «0.0», «0.0f», «(seqc_alpha«»f * (seqc_act_thr«»f - $1 > 0.0f ? seqc_act_thr«»f - $1 : 0.0f))»)»)
m4_define(«_seqc_relu_dpos», «(_seqc_relu_above($1) > 0.0f seqc_if(seqc_has_max, «&& _seqc_relu_above($1) < seqc_act_max«»f»))»)

m4_dnl seqc_act_needs_x(ACT): 1 when the gradient needs the pre-activation.
m4_define(«seqc_act_needs_x», «m4_ifelse(«$1», «gelu», 1, «$1», «gelu_tanh», 1, «$1», «silu», 1,
«$1», «swish», 1, «$1», «hard_silu», 1, «$1», «hard_swish», 1, «$1», «relu_full», 1, 0)»)
m4_dnl seqc_act_bwd(ACT, Y, DY): dL/dX from the output Y and dL/dY.
m4_define(«seqc_act_bwd», «m4_ifelse(«$1», «linear», «$3»,
«$1», «relu», «($2 > 0.0f ? $3 : 0.0f)»,
«$1», «sigmoid», «($3 * $2 * (1.0f - $2))»,
«$1», «tanh», «($3 * (1.0f - $2 * $2))»,
«$1», «relu6», «($2 > 0.0f && $2 < 6.0f ? $3 : 0.0f)»,
«$1», «leaky_relu», «($2 > 0.0f ? $3 : seqc_alpha«»f * $3)»,
«$1», «elu», «($2 > 0.0f ? $3 : $3 * ($2 + seqc_alpha«»f))»,
«$1», «selu», «($2 > 0.0f ? 1.05070098735548049342f * $3 : $3 * ($2 + 1.75809934084737685994f))»,
«$1», «softplus», «($3 * -expm1f(-$2))»,
«$1», «softsign», «($3 * (1.0f - fabsf($2)) * (1.0f - fabsf($2)))»,
«$1», «hard_sigmoid», «($2 > 0.0f && $2 < 1.0f ? $3 / 6.0f : 0.0f)»,
«$1», «exponential», «($3 * $2)»,
«seqc_fatal(«activation $1 needs seqc_act_bwdx»)»)»)
m4_dnl seqc_act_bwdx(ACT, X, DY): dL/dX from the pre-activation X.
m4_define(«seqc_act_bwdx», «m4_ifelse(«$1», «gelu», «($3 * (0.5f * (1.0f + erff($2 * 0.70710678118654752440f)) + $2 * 0.39894228040143267794f * expf(-0.5f * $2 * $2)))»,
«$1», «gelu_tanh», «($3 * _seqc_gelu_tanh_d($2))»,
«$1», «silu», «($3 * _seqc_silu_d($2))»,
«$1», «swish», «($3 * _seqc_silu_d($2))»,
«$1», «hard_silu», «($2 > -3.0f ? ($2 < 3.0f ? $3 * (2.0f * $2 + 3.0f) / 6.0f : $3) : 0.0f)»,
«$1», «hard_swish», «($2 > -3.0f ? ($2 < 3.0f ? $3 * (2.0f * $2 + 3.0f) / 6.0f : $3) : 0.0f)»,
«$1», «relu_full», «($3 * ((_seqc_relu_dpos($2) ? 1.0f : 0.0f) + m4_ifelse(seqc_alpha, «0.0», «0.0f», «($2 < seqc_act_thr«»f ? seqc_alpha«»f : 0.0f)»)))»,
«seqc_act_bwd($@)»)»)
m4_define(«_seqc_silu_d», «((1.0f + $1 * (1.0f - 1.0f / (1.0f + expf(-$1)))) / (1.0f + expf(-$1)))»)
m4_define(«_seqc_gelu_tanh_d», «(0.5f * (1.0f + tanhf(0.79788456080286535588f * ($1 + 0.044715f * $1 * $1 * $1))) + 0.5f * $1 * (1.0f - tanhf(0.79788456080286535588f * ($1 + 0.044715f * $1 * $1 * $1)) * tanhf(0.79788456080286535588f * ($1 + 0.044715f * $1 * $1 * $1))) * 0.79788456080286535588f * (1.0f + 0.134145f * $1 * $1))»)
m4_dnl seqc_act_grad(Y, Z, DY): the current layer's activation gradient,
m4_dnl from its output Y or, when it needs it, its pre-activation Z.
m4_define(«seqc_act_grad», «m4_ifelse(seqc_act_needs_x(seqc_act), 1, «seqc_act_bwdx(seqc_act, «$2», «$3»)», «seqc_act_bwd(seqc_act, «$1», «$3»)»)»)
m4_dnl The pre-activation region of layers with such a fused activation:
m4_dnl a parameter and an argument of their functions, kept only by the
m4_dnl trainer (an exported model runs forward only: seqc_inference).
m4_define(«seqc_keep_z», «m4_ifdef(«seqc_inference», 0, seqc_zx)»)
m4_define(«seqc_z_param», «seqc_if(seqc_keep_z, «, float *restrict zbuf»)»)
m4_define(«seqc_z_cparam», «seqc_if(seqc_keep_z, «, const float *restrict zbuf»)»)
m4_define(«seqc_z_arg», «seqc_if(seqc_keep_z, «, seqc_z_ptr(act)»)»)
m4_define(«seqc_z_ptr», «$1 + seqc_z_off«»L * np»)
m4_dnl seqc_act_store(Y, I): apply the activation to Y[I] in place, keeping
m4_dnl the pre-activation at zbuf + (the same offset) when needed.
m4_define(«seqc_act_store», «seqc_if(seqc_keep_z, «{ const float z_ = $1[$2]; zbuf[($1 - out) + ($2)] = z_; $1[$2] = seqc_act_fwd(seqc_act, «z_»); }», «$1[$2] = seqc_act_fwd(seqc_act, «$1[$2]»);»)»)

m4_dnl seqc_ldiv(N, K): the largest divisor of N that is at most K (block
m4_dnl sizes that split a width evenly).
m4_define(«seqc_ldiv», «m4_ifelse(m4_eval(«($1) % ($2)»), 0, «$2», «$0(«$1», m4_decr(«$2»))»)»)

m4_dnl seqc_if(COND, TEXT): TEXT when COND is 1.
m4_define(«seqc_if», «m4_ifelse(«$1», «1», «$2», «$3»)»)

m4_dnl seqc_zero_din: clear the current layer's input-gradient region before
m4_dnl its backward accumulates into it (only when someone needs it).
m4_define(«seqc_zero_din», «seqc_if(seqc_need_din, «
    memset(seqc_din_ptr, 0, sizeof(float) * seqc_in_size * (size_t)np);»)»)
