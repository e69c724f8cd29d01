m4_divert(-1)
m4_dnl batch_norm.m4 - BatchNormalization over the channels (the last axis),
m4_dnl on blocked activations [nb][h][w][c][V].
m4_dnl
m4_dnl Inference (fcall; eval, predict, export): the moving statistics, as
m4_dnl Keras 3 computes it: a = gamma / sqrt(moving_variance + epsilon),
m4_dnl y = x * a + (beta - moving_mean * a).
m4_dnl
m4_dnl Training uses the statistics of the whole batch, which may be cut in
m4_dnl chunks that run on different threads (or ranks).  So the pass stops
m4_dnl at the layer: each chunk adds up sum(x) and sum(x^2) over its real
m4_dnl samples and pixels, in double (stats1), the caller adds the chunks'
m4_dnl sums in chunk order, then forward_train normalises with mean = S1 / N
m4_dnl and the biased variance S2 / N - mean^2 (N = batch x pixels; double
m4_dnl sums keep the difference exact to about 1e-16 mean^2, far below
m4_dnl float32 rounding of the result).  Backward stops once: sums of dy and
m4_dnl dy * xhat (which are also dbeta and dgamma), then
m4_dnl dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat)).
m4_dnl Lanes past the chunk's n samples are left out of every sum and get no
m4_dnl gradient.  The chunking depends on the batch size only, so the bits do
m4_dnl not depend on the thread count.
m4_dnl Batch statistics of this layer, doubles at stats + seqc_stat_off:
m4_dnl [S1][S2][sum dy][sum dy * xhat], seqc_oc each.

m4_dnl
m4_dnl BN + ReLU fusion (training only): when the next layer is a plain ReLU
m4_dnl activation, forward_train also writes the ReLU's output (the ReLU's
m4_dnl own pass is skipped: one read of the buffer less), and backward reads
m4_dnl the ReLU's output gradient and applies its mask itself, recomputing
m4_dnl y = x * a + sh exactly as forward_train rounds it (the ReLU's
m4_dnl backward pass, two reads and a write, is gone).  forward() still
m4_dnl writes every layer's output, so layer_output() is unchanged; a
m4_dnl trainer's loop (forward_step's train = 2, without --qat) skips the
m4_dnl store of the batch norm's own output, which nothing else reads (7% of
m4_dnl the DS-CNN's training time).  The ReLU's input gradient region (this
m4_dnl layer's dout) is left unwritten.

m4_dnl seqc_bn_relu_at(I): 1 when layer I is a trainable batch norm whose next
m4_dnl layer is a plain ReLU (gen/lower.c decides; activation.m4 asks it about
m4_dnl the layer before).
m4_define(«seqc_bn_relu_at», «seqc_get(«seqc_L$1_relu_fused»)»)
m4_define(«_seqc_bn_fused», «seqc_bn_relu_at(seqc_idx)»)
m4_dnl the next layer's region: the ReLU's output in act, or its gradient in dact
m4_define(«_seqc_bn_next_ptr», «$1 + seqc_get(«seqc_L»m4_incr(seqc_idx)«_»m4_ifelse(«$1», «dact», «dout_off», «out_off»))L * np»)
m4_dnl _seqc_bn_y(Y): lanes Y = x * a + sh at in + i, as forward_train rounds it
m4_define(«_seqc_bn_y», «lanes $1 = L_SET1(sh[c]);
                L_MADD($1, L_LOAD(in + i), a[c]);»)
m4_dnl _seqc_bn_dy: lanes x_ (the input) and dy_ (this layer's output
m4_dnl gradient) at i, dy_ behind the ReLU's mask when fused (where y > 0)
m4_dnl and 0 in the lanes past n (mask m_)
m4_define(«_seqc_bn_dy», «
                const lanes x_ = L_LOAD(in + i);seqc_if(_seqc_bn_fused, «
                lanes y_ = L_SET1(sh[c]);
                L_MADD(y_, x_, a[c]);
                const lanes dy_ = L_MASK(L_KEEP_POS(y_, L_LOAD(dout + i)), m_);», «
                const lanes dy_ = L_MASK(L_LOAD(dout + i), m_);»)»)
m4_dnl _seqc_bn_xhat: (x - mean) * invstd, lanes
m4_define(«_seqc_bn_xhat», «L_MUL(L_SUB(x_, L_SET1(mean[c])), L_SET1(invstd[c]))»)

m4_define(«_seqc_bn_pix», «m4_eval(seqc_ih * seqc_iw)»)
m4_define(«_seqc_bn_blk», «m4_eval(seqc_in_size * seqc_V)»)
m4_dnl _seqc_bn_all(BODY, PAD[, PRE]): BODY for the real samples' elements, PAD
m4_dnl for the lanes past n (so a written buffer is whole); PRE once per block
m4_dnl of V lanes before them.
m4_define(«_seqc_bn_all», «for (int b = 0; b < nb; b++) {
        const int lanes_ = n - b * seqc_V < seqc_V ? n - b * seqc_V : seqc_V;
        for (int p = 0; p < _seqc_bn_pix; p++)
            for (int c = 0; c < seqc_oc; c++) {
                const long i = (long)b * _seqc_bn_blk + ((long)p * seqc_oc + c) * seqc_V;$3
                if (lanes_ == seqc_V) {
                    for (int s = 0; s < seqc_V; s++) {
                        $1
                    }
                } else {
                    for (int s = 0; s < seqc_V; s++) {
                        if (s < lanes_) {
                            $1
                        } else {
                            $2
                        }
                    }
                }
            }
    }»)
m4_dnl _seqc_bn_vsum(ACC, ACC2, BODY, MODE): ACC[c], ACC2[c] (doubles) = sums
m4_dnl over the chunk's samples and pixels of what BODY sets from block i
m4_dnl (lanes past n masked to 0: they add nothing).  MODE 1 (the
m4_dnl statistics): of the double lanes d1_ and d1_ * d1_, every value in
m4_dnl double, as their S2 / N - mean^2 needs.  MODE 2 (backward's sums): of
m4_dnl the float lanes e1_ and e2_, added in float over each run of
m4_dnl _seqc_bn_pb pixels first.  One double sum per channel and lane,
m4_dnl each over the blocks then the pixels in order; then the lanes are
m4_dnl added in order.  The pixels go _seqc_bn_pb at a time per channel, so
m4_dnl a channel's sums stay in registers across them (one load and store
m4_dnl of the sums per _seqc_bn_pb pixels: the store port was the limit).
m4_define(«_seqc_bn_pb», «seqc_ldiv(_seqc_bn_pix, 8)»)
m4_define(«_seqc_bn_vsum», «{
        dlanes acc_[seqc_oc], acc2_[seqc_oc];
        for (int c = 0; c < seqc_oc; c++)
            acc_[c] = L_DZERO, acc2_[c] = L_DZERO;
        for (int b = 0; b < nb; b++) {
            L_FIRST(m_, n - b * seqc_V);
            for (int p0 = 0; p0 < _seqc_bn_pix; p0 += _seqc_bn_pb)
                for (int c = 0; c < seqc_oc; c++) {
                    dlanes t_ = acc_[c], t2_ = acc2_[c];m4_ifelse($4, 2, «
                    lanes f_ = L_SET1(0.0f), f2_ = L_SET1(0.0f);»)
                    for (int p = p0; p < p0 + _seqc_bn_pb; p++) {
                        const long i = (long)b * _seqc_bn_blk + ((long)p * seqc_oc + c) * seqc_V;$3
                        m4_ifelse($4, 1, «L_DADD(t_, d1_);
                        L_DSQADD(t2_, d1_);», «f_ = L_ADD(f_, e1_);
                        f2_ = L_ADD(f2_, e2_);»)
                    }m4_ifelse($4, 2, «
                    L_DADD(t_, L_CVTD(f_));
                    L_DADD(t2_, L_CVTD(f2_));»)
                    acc_[c] = t_, acc2_[c] = t2_;
                }
        }
        for (int c = 0; c < seqc_oc; c++) {
            double t_ = 0.0, t2_ = 0.0;
            for (int s = 0; s < seqc_V; s++)
                t_ += L_DLANE(acc_[c], s), t2_ += L_DLANE(acc2_[c], s);
            $1[c] = t_;
            $2[c] = t2_;
        }
    }»)
m4_dnl _seqc_bn_coef: per channel a = gamma * invstd, sh = beta - mean * a,
m4_dnl from mean[] and invstd[] (floats).  fmaf rounds once whether the
m4_dnl compiler folds it (an exported model's constant weights) or not.
m4_define(«_seqc_bn_coef», «m4_dnl
    float a[seqc_oc], sh[seqc_oc];
    for (int c = 0; c < seqc_oc; c++) {
        a[c] = seqc_if(seqc_scale, «gamma[c] * »)invstd[c];
        sh[c] = fmaf(-mean[c], a[c], seqc_if(seqc_center, «beta[c]», «0.0f»));
    }»)
m4_dnl y = x * a + sh, one fused multiply-add per value as every lane op
m4_define(«_seqc_bn_apply», «m4_dnl
    for (int b = 0; b < nb; b++)
        for (int p = 0; p < _seqc_bn_pix; p++)
            for (int c = 0; c < seqc_oc; c++) {
                const long i = (long)b * _seqc_bn_blk + ((long)p * seqc_oc + c) * seqc_V;
                lanes y = L_SET1(sh[c]);
                L_MADD(y, L_LOAD(in + i), a[c]);
                L_STORE(out + i, y);
            }»)
m4_dnl _seqc_bn_batch: mean[] and invstd[] from the batch sums
m4_define(«_seqc_bn_batch», «m4_dnl
    const double count = (double)batch * _seqc_bn_pix;
    float mean[seqc_oc], invstd[seqc_oc];
    for (int c = 0; c < seqc_oc; c++) {
        const double m_ = stats[c] / count, v_ = stats[seqc_oc + c] / count - m_ * m_;
        mean[c] = (float)m_;
        invstd[c] = (float)(1.0 / sqrt((v_ > 0.0 ? v_ : 0.0) + (double)seqc_eps«»f));
    }»)

m4_dnl the inference forward, which a frozen batch norm uses alone
m4_define(«_seqc_bn_infer_fn», «
/* seqc_name: BatchNormalization momentum seqc_momentum, epsilon seqc_eps, center seqc_center, scale seqc_scale
 *   in     seqc_shape_in
 *   gamma  [seqc_oc]seqc_if(seqc_scale, «», « (none: 1)»)
 *   beta   [seqc_oc]seqc_if(seqc_center, «», « (none: 0)»)
 *   moving [2][seqc_oc] (mean, variance; not trained)
 *   out    seqc_shape_out
 * Inference: the moving statistics. */
static void seqc_name«»_forward(const float *restrict in, float *restrict out,
    const float *restrict gamma, const float *restrict beta, const float *restrict moving, int nb)
{
    (void)gamma; (void)beta;
    float mean[seqc_oc], invstd[seqc_oc];
    for (int c = 0; c < seqc_oc; c++) {
        mean[c] = moving[c];
        invstd[c] = 1.0f / sqrtf(moving[seqc_oc + c] + seqc_eps«»f);
    }
_seqc_bn_coef
_seqc_bn_apply
}»)
m4_define(«seqc_batch_norm_forward», «_seqc_bn_infer_fn«»m4_ifdef(«seqc_inference», «», «
/* seqc_name, training, step 1: partial = [sum of x][sum of x^2] over the chunk. */
static void seqc_name«»_stats1(const float *restrict in, int n, int nb, double *restrict partial)
{
    _seqc_bn_vsum(«partial», «(partial + seqc_oc)», «
                        const dlanes d1_ = L_CVTD(L_MASK(L_LOAD(in + i), m_));», 1)
}

/* seqc_name, training, step 2: normalise with the batch's mean and variance,
 * y = x * a + sh.seqc_if(_seqc_bn_fused, «  Also rout = relu(y), the output of the ReLU layer
 * after this one (backward recomputes y for its mask); out may then be NULL:
 * y is not stored (forward_step's train = 2).») */
static void seqc_name«»_forward_train(const float *restrict in, float *restrict out,
    const float *restrict gamma, const float *restrict beta, const double *restrict stats,
    int batch, int nb«»seqc_if(_seqc_bn_fused, «, float *restrict rout»))
{
    (void)gamma; (void)beta;
_seqc_bn_batch
_seqc_bn_coef
    for (int b = 0; b < nb; b++)
        for (int p = 0; p < _seqc_bn_pix; p++)
            for (int c = 0; c < seqc_oc; c++) {
                const long i = (long)b * _seqc_bn_blk + ((long)p * seqc_oc + c) * seqc_V;
                _seqc_bn_y(«y»)seqc_if(_seqc_bn_fused, «
                if (out)
                    L_STORE(out + i, y);
                L_STORE(rout + i, L_KEEP_POS(y, y));», «
                L_STORE(out + i, y);»)
            }
}

/* Keras 3's update of the moving statistics from one batch's (biased). */
static void seqc_name«»_moving(float *restrict moving, const double *restrict stats, int batch)
{
    const double count = (double)batch * _seqc_bn_pix;
    for (int c = 0; c < seqc_oc; c++) {
        const double m_ = stats[c] / count, v_ = stats[seqc_oc + c] / count - m_ * m_;
        const float mean = (float)m_, var = (float)(v_ > 0.0 ? v_ : 0.0);
        moving[c] = moving[c] * seqc_momentum«»f + mean * (1.0f - seqc_momentum«»f);
        moving[seqc_oc + c] = moving[seqc_oc + c] * seqc_momentum«»f + var * (1.0f - seqc_momentum«»f);
    }
}
»)»)

m4_define(«seqc_batch_norm_backward», «
/* seqc_name backward, step 1: partial = [sum dy][sum dy * xhat] over the
 * chunk's real samples; they are also the chunk's dbeta and dgamma. */
static void seqc_name«»_backward_sums(const float *restrict in, const float *restrict dout,
    const float *restrict gamma, const float *restrict beta, const double *restrict stats, int batch,
    int n, int nb, double *restrict partial, float *dgamma, float *dbeta)
{
    (void)dgamma; (void)dbeta; (void)gamma; (void)beta;
_seqc_bn_batch
seqc_if(_seqc_bn_fused, «_seqc_bn_coef
»)m4_dnl
    double *restrict sdy = partial + 2 * seqc_oc, *restrict sdyx = partial + 3 * seqc_oc;
    _seqc_bn_vsum(«sdy», «sdyx», «_seqc_bn_dy
                    const lanes e1_ = dy_, e2_ = L_MASK(L_MUL(dy_, _seqc_bn_xhat), m_);», 2)
    for (int c = 0; c < seqc_oc; c++) {
        seqc_if(seqc_scale, «dgamma[c] += (float)sdyx[c];»)
        seqc_if(seqc_center, «dbeta[c] += (float)sdy[c];»)
    }
}
seqc_if(seqc_need_din, «
/* seqc_name backward, step 2: din is written (0 past n), from the batch's sums. */
static void seqc_name«»_backward(const float *restrict in, const float *restrict dout,
    float *restrict din, const float *restrict gamma, const float *restrict beta,
    const double *restrict stats, int batch, int n, int nb)
{
    (void)gamma; (void)beta;
_seqc_bn_batch
_seqc_bn_coef
    float k1[seqc_oc], k2[seqc_oc];
    for (int c = 0; c < seqc_oc; c++) {
        k1[c] = (float)(stats[2 * seqc_oc + c] / count);
        k2[c] = (float)(stats[3 * seqc_oc + c] / count);
    }
    (void)sh;
    for (int b = 0; b < nb; b++) {
        L_FIRST(m_, n - b * seqc_V);
        for (int p = 0; p < _seqc_bn_pix; p++)
            for (int c = 0; c < seqc_oc; c++) {
                const long i = (long)b * _seqc_bn_blk + ((long)p * seqc_oc + c) * seqc_V;_seqc_bn_dy
                const lanes t_ = L_SUB(dy_, L_SET1(k1[c]));
                L_STORE(din + i, L_MASK(L_MUL(L_SET1(a[c]), L_SUB(t_, L_MUL(_seqc_bn_xhat, L_SET1(k2[c])))), m_));
            }
    }
}»)»)

m4_define(«seqc_batch_norm_fcall», «
    seqc_name«»_forward(seqc_in_ptr(act), seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off,
        params + seqc_p_off, nb);»)
m4_dnl tcall: the training forward, cut into steps at this layer
m4_define(«seqc_batch_norm_tcall», «
    seqc_name«»_stats1(seqc_in_ptr(act), n, nb, partial + seqc_stat_off);
        break;
    case m4_eval(seqc_bn + 1):
    seqc_name«»_forward_train(seqc_in_ptr(act),
        seqc_if(_seqc_bn_fused, «train == 2 && !qat_grid ? (float *)0 : »)seqc_out_ptr(act), params + seqc_w_off, params + seqc_b_off,
        stats + seqc_stat_off, batch, nb«»seqc_if(_seqc_bn_fused, «,_seqc_bn_rout»));»)
m4_dnl where the fused ReLU's output goes: the scratch region in the training
m4_dnl loop when the layer after it recomputes it in backward (seqc_relu_scr)
m4_define(«_seqc_bn_rout», «seqc_if(seqc_relu_scr, «
        seqc_scratch_or(«_seqc_bn_next_ptr(act)»)», « _seqc_bn_next_ptr(act)»)»)
m4_dnl fused with the next layer's ReLU: dout is the ReLU's output gradient
m4_define(«_seqc_bn_dout», «seqc_if(_seqc_bn_fused, «_seqc_bn_next_ptr(dact)», «seqc_dout_ptr»)»)
m4_define(«seqc_batch_norm_bcall», «
    seqc_name«»_backward_sums(seqc_in_ptr(act), _seqc_bn_dout, params + seqc_w_off, params + seqc_b_off,
        stats + seqc_stat_off, batch, n, nb, partial + seqc_stat_off, grads + seqc_w_off, grads + seqc_b_off);
        break;
    case m4_eval(seqc_n_bn - seqc_bn):seqc_if(seqc_need_din, «
    seqc_name«»_backward(seqc_in_ptr(act), _seqc_bn_dout, seqc_din_ptr, params + seqc_w_off,
        params + seqc_b_off, stats + seqc_stat_off, batch, n, nb);»)»)
m4_define(«seqc_batch_norm_moving», «
    seqc_name«»_moving(params + seqc_p_off, stats + seqc_stat_off, batch);»)
m4_divert(0)m4_dnl
