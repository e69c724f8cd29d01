/* lower.c - pass 3: shape inference and layout.  Resolves every shape,
 * padding, offset and size to a number, so that emit.c and the templates
 * only print.  Sizes are per sample; a batch of n puts region k at
 * offset k*n (see templates/model.c.m4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"

static int too_big(const gen_model *m, const gen_layer *l, const char *what, long size)
{
    if (size <= GEN_SIZE_MAX)
        return 0;
    gen_error(m->path, l->mark, "%s %s would hold %ld floats (at most %ld)",
              what, l->name, size, GEN_SIZE_MAX);
    return 1;
}

static const char *rank_name(int rank)
{
    return rank == 3 ? "an image input [height, width, channels]" :
           rank == 2 ? "a sequence input [steps, channels]" : "a flat input [features]";
}

/* Input of layer i is the output of layer i-1; check the rank it needs. */
static int connect(const gen_model *m, gen_layer *l, const gen_layer *prev)
{
    l->ih = prev->oh, l->iw = prev->ow, l->ic = prev->oc;
    l->in_rank = prev->out_rank;
    l->in_size = prev->out_size;
    l->in_off = prev->out_off;
    if (l->kind->in_rank && l->kind->in_rank != l->in_rank) {
        char have[64];
        if (l->in_rank == 3)
            snprintf(have, sizeof have, "[%d, %d, %d]", l->ih, l->iw, l->ic);
        else if (l->in_rank == 2)
            snprintf(have, sizeof have, "[%d, %d]", l->iw, l->ic);
        else
            snprintf(have, sizeof have, "[%d]", l->ic);
        gen_error(m->path, l->mark, "%s needs %s, but its input is %s%s", l->kind->name,
                  rank_name(l->kind->in_rank), have,
                  l->kind->in_rank == 1 ? "; add '- flatten:' before it" :
                  l->kind->in_rank == 3 && l->in_rank == 2 ? "; use the 1-D layers (conv1d, ...)" :
                  l->kind->in_rank == 2 && l->in_rank == 3 ? "; use the 2-D layers (conv2d, ...)" : "");
        return -1;
    }
    return 0;
}

static void input_shape(gen_model *m, gen_layer *l)
{
    l->in_rank = l->rank;
    if (l->rank == 1)
        l->ih = l->iw = 1, l->ic = l->shape[0];
    else if (l->rank == 2)
        l->ih = 1, l->iw = l->shape[0], l->ic = l->shape[1];
    else
        l->ih = l->shape[0], l->iw = l->shape[1], l->ic = l->shape[2];
    m->in_h = l->rank == 1 ? 1 : l->ih;
    m->in_w = l->rank == 1 ? l->ic : l->iw;
    m->in_c = l->rank == 1 ? 1 : l->ic;
}

static void add_tensor(gen_model *m, int layer, const char *part, int rank, const int *dims,
                       long off, long size, int init, double limit, const gen_reg *reg)
{
    gen_tensor *t = &m->tensors[m->n_tensors++];
    snprintf(t->name, sizeof t->name, "%s/%s", m->layers[layer].name, part);
    t->layer = layer;
    t->rank = rank;
    memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
    t->off = off;
    t->size = size;
    t->init = init;
    t->limit = limit;
    /* a frozen layer (trainable: false) has no trainable weights, and Keras
     * 3 regularizes trainable weights only (Layer._get_regularization_losses) */
    t->trainable = !m->layers[layer].frozen;
    if (reg && t->trainable)
        t->reg = *reg;
    m->has_reg |= t->reg.l1 > 0.0 || t->reg.l2 > 0.0;
}

/* Keras glorot_uniform: fans of a kernel of shape (..., in, out) scale by
 * the receptive field, the product of the leading dimensions. */
static double glorot_limit(long rf, long in, long out)
{
    return sqrt(6.0 / (double)(rf * in + rf * out));
}

/* Keras get_weights() order per layer: kernel (depthwise_kernel), then
 * pointwise_kernel, then bias; batch norm: gamma, beta, moving_mean,
 * moving_variance; normalization: mean, variance, count (Keras's count is
 * an int64 scalar; here one float).  The parameter vector holds them in
 * that order. */
static void layer_tensors(gen_model *m, int i)
{
    gen_layer *l = &m->layers[i];
    int one = 1, oc = l->oc;
    switch (l->kind->id) {
    case GEN_NORMALIZATION: {   /* adapted: mean, variance, count; never trained (frozen) */
        const int f = (int)(l->p_size - 1) / 2;
        add_tensor(m, i, "mean", l->norm_all ? 0 : 1, &f, l->p_off, f, GEN_INIT_ZEROS, 0.0, NULL);
        add_tensor(m, i, "variance", l->norm_all ? 0 : 1, &f, l->p_off + f, f, GEN_INIT_ONES, 0.0, NULL);
        add_tensor(m, i, "count", 0, &f, l->p_off + 2L * f, 1, GEN_INIT_ZEROS, 0.0, NULL);
        return;
    }
    case GEN_BATCHNORM:
        if (l->w_size)
            add_tensor(m, i, "gamma", 1, &oc, l->w_off, l->w_size, GEN_INIT_ONES, 0.0, NULL);
        if (l->b_size)
            add_tensor(m, i, "beta", 1, &oc, l->b_off, l->b_size, GEN_INIT_ZEROS, 0.0, NULL);
        add_tensor(m, i, "moving_mean", 1, &oc, l->p_off, oc, GEN_INIT_ZEROS, 0.0, NULL);
        add_tensor(m, i, "moving_variance", 1, &oc, l->p_off + oc, oc, GEN_INIT_ONES, 0.0, NULL);
        m->tensors[m->n_tensors - 1].trainable = m->tensors[m->n_tensors - 2].trainable = 0;
        return;
    case GEN_DEPTHWISE:
    case GEN_SEPARABLE: {
        int kd[4] = {l->kh, l->kw, l->ic, l->dm}, pd[4] = {1, 1, l->ic * l->dm, l->oc};
        add_tensor(m, i, "depthwise_kernel", 4, kd, l->w_off, l->w_size, GEN_INIT_GLOROT,
                   glorot_limit((long)l->kh * l->kw, l->ic, l->dm), &l->reg_kernel);
        if (l->kind->id == GEN_SEPARABLE)
            add_tensor(m, i, "pointwise_kernel", 4, pd, l->p_off, l->p_size, GEN_INIT_GLOROT,
                       glorot_limit(1, (long)l->ic * l->dm, l->oc), &l->reg_point);
        break;
    }
    case GEN_CONV2D:
    case GEN_CONV1D: {
        int kd[4] = {l->kh, l->kw, l->ic, l->oc}, *d = kd;
        if (l->kind->id == GEN_CONV1D)
            d = kd + 1;   /* [k][cin][cout] */
        add_tensor(m, i, "kernel", l->kind->id == GEN_CONV1D ? 3 : 4, d, l->w_off, l->w_size,
                   GEN_INIT_GLOROT, glorot_limit((long)l->kh * l->kw, l->ic, l->oc), &l->reg_kernel);
        break;
    }
    default: {
        int dd[2] = {l->ic, l->oc};
        add_tensor(m, i, "kernel", 2, dd, l->w_off, l->w_size, GEN_INIT_GLOROT,
                   glorot_limit(1, l->ic, l->oc), &l->reg_kernel);
    }
    }
    (void)one;
    if (l->b_size)
        add_tensor(m, i, "bias", 1, &oc, l->b_off, l->b_size, GEN_INIT_ZEROS, 0.0, &l->reg_bias);
}

static int params(gen_model *m, int i)
{
    gen_layer *l = &m->layers[i];
    l->w_off = m->n_params;
    if (l->kind->id == GEN_SEPARABLE) {     /* depthwise, pointwise, bias */
        l->p_off = l->w_off + l->w_size;
        l->b_off = l->p_off + l->p_size;
        m->n_params = l->b_off + l->b_size;
    } else {                                /* kernel (gamma), bias (beta), moving stats */
        l->b_off = l->w_off + l->w_size;
        l->p_off = l->b_off + l->b_size;
        m->n_params = l->p_off + l->p_size;
    }
    if (too_big(m, l, "the parameters up to", m->n_params))
        return -1;
    if (!l->frozen)
        m->n_trainable += l->w_size + l->b_size + (l->kind->id == GEN_SEPARABLE ? l->p_size : 0);
    layer_tensors(m, i);
    return 0;
}

static long mid_size(const gen_layer *l);

static int largest_divisor_upto(int n, int k)
{
    while (n % k)
        k--;
    return k;
}

/* The activation as the templates compute it: the loss applies softmax,
 * and sigmoid before binary cross-entropy, from the logits; a relu layer
 * with Keras's defaults is plain relu. */
static int act_code(const gen_model *m, const gen_layer *l)
{
    if (l->act == GEN_ACT_SOFTMAX || (l == &m->layers[m->n_layers - 1] && m->out_act == GEN_OUT_SIGMOID))
        return GEN_ACT_LINEAR;
    if (l->act == GEN_ACT_RELU_FULL && l->act_max < 0 && l->alpha == 0.0 && l->act_thr == 0.0)
        return GEN_ACT_RELU;
    return l->act;
}

/* Activations whose gradient needs the pre-activation, not only the
 * output (see templates/lib.m4). */
static int needs_x(int act)
{
    return act == GEN_ACT_GELU || act == GEN_ACT_GELU_TANH || act == GEN_ACT_SILU ||
           act == GEN_ACT_SWISH || act == GEN_ACT_HARD_SILU || act == GEN_ACT_HARD_SWISH ||
           act == GEN_ACT_RELU_FULL;
}

/* Activation regions: region 0 holds the caller's inputs; a view (flatten,
 * reshape) shares its input's region; dropout keeps its mask and separable
 * its depthwise output in a region of their own. */
static void regions(gen_model *m, gen_layer *l, int i, long size)
{
    if (i == 0) {
        l->in_off = 0;
        l->out_off = size;
        m->n_act = 2 * size;
    } else if (l->alias) {
        l->out_off = l->in_off;
    } else {
        l->out_off = m->n_act;
        m->n_act += size;
    }
    if (l->kind->id == GEN_DROPOUT) {
        l->mask_off = m->n_act;
        m->n_act += size;
        l->keep_scale = (double)(float)(1.0 / (1.0 - l->rate));
    }
    if (l->kind->id == GEN_SEPARABLE) {
        l->mask_off = m->n_act;
        m->n_act += mid_size(l);
    }
    if (l->zx) {
        l->z_off = m->n_act;
        m->n_act += size;
    }
    l->bn = -1;
    if (l->kind->id == GEN_BATCHNORM && !l->frozen) {   /* frozen: inference mode, no batch statistics */
        l->bn = m->n_bn++;
        l->stat_off = m->n_stats;
        m->n_stats += 4L * l->oc;
    }
}

static int layout(gen_model *m, int i)
{
    gen_layer *l = &m->layers[i];
    if (i == 0)
        input_shape(m, l);
    else if (connect(m, l, &m->layers[i - 1]))
        return -1;
    if (l->kind->shape(m, l))
        return -1;
    long size = (long)l->oh * l->ow * l->oc;
    if (size <= 0 || too_big(m, l, "the output of", size))
        return -1;
    l->out_size = size;
    if (i == 0)
        l->in_size = size;
    l->act_code = act_code(m, l);
    l->zx = needs_x(l->act_code) && strcmp(l->kind->stem, "activation") != 0;
    regions(m, l, i, size);
    /* Blocks sized so the accumulators of the templates' inner loops fit in
     * 32 vector registers (x86-64 AVX-512, AArch64): the kernel gradient
     * keeps cbw x ob sums plus cbw + ob loaded blocks (3 x 6 + 9 for 36
     * channels); measured on the seed, 12 sums -> 18 was 2,850 -> 3,180
     * samples/s on one thread. */
    l->ob = largest_divisor_upto(l->oc, 8);
    l->cbw = largest_divisor_upto(l->ic, 18 / l->ob > 0 ? 18 / l->ob : 1);
    l->cbd = largest_divisor_upto(l->ic, 8);
    l->obx = largest_divisor_upto(l->oc, 64);
    if (l->kind->id == GEN_DEPTHWISE || l->kind->id == GEN_SEPARABLE)   /* kernel-gradient sums */
        l->cbw = largest_divisor_upto(l->ic, 16 / l->dm > 0 ? 16 / l->dm : 1);
    l->cbp = 1;
    if (l->kind->id == GEN_SEPARABLE) {   /* the pointwise step's gradients, over ic * dm channels */
        l->cbp = largest_divisor_upto(l->ic * l->dm, 18 / l->ob > 0 ? 18 / l->ob : 1);
        l->cbd = largest_divisor_upto(l->ic * l->dm, 8);
    }
    if (l->oc > m->max_oc)
        m->max_oc = l->oc;
    if (too_big(m, l, "the activations up to", m->n_act))
        return -1;
    return l->has_params ? params(m, i) : 0;
}

/* floats of separable's depthwise output per sample */
static long mid_size(const gen_layer *l)
{
    return l->kind->id == GEN_SEPARABLE ? (long)l->oh * l->ow * l->ic * l->dm : 0;
}

/* Single-sample inference keeps only the live input/output pair of one
 * layer: each output goes to the opposite end of one arena from its input,
 * so the arena is the largest pair.  The first input is the caller's. */
static void infer_arena(gen_model *m)
{
    long P = 0, prev = -1;
    for (int i = 1; i < m->n_layers; i++) {
        const gen_layer *l = &m->layers[i];
        int from_caller = 1;
        for (int j = i - 1; j > 0 && from_caller; j--)
            from_caller = m->layers[j].alias;
        long pair = (from_caller ? 0 : l->in_size) + l->out_size + mid_size(l);
        P = pair > P ? pair : P;
    }
    for (int i = 1; i < m->n_layers; i++) {
        gen_layer *l = &m->layers[i];
        l->x_in = prev;
        l->x_out = l->alias ? prev : (prev == 0 ? P - l->out_size : 0);
        /* separable's depthwise output: between its input and output */
        l->x_mid = l->x_in == 0 ? l->in_size : l->out_size;
        prev = l->x_out;
    }
    m->layers[0].x_in = m->layers[0].x_out = -1;
    m->x_arena = P;
    m->act_bytes_infer = 4 * P;
}

/* The gradient arena (dact).  Backward walks the layers in reverse and
 * each gradient is read only by the layer just before it (batch norm fused
 * with its ReLU reads the ReLU's output gradient: two back), so three
 * slots of the largest tensor, used in turn, hold them all: a layer's
 * input and output gradients (and separable's middle one) are in
 * different slots.  A gradient written one slot per layer went to memory
 * no pass had touched since the last step, so every backward pass paid
 * for a cold write (DS-CNN: 16 MB per chunk of 16 samples, against 1.5 MB
 * now).  Where three slots (with relu_scratch's region) would not be
 * smaller than the activations, each gradient keeps its activation's
 * offset. */
static void grad_slots(gen_model *m)
{
    long S = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const gen_layer *l = &m->layers[i];
        const long big = l->in_size > l->out_size ? l->in_size : l->out_size;
        S = big > S ? big : S;
        S = mid_size(l) > S ? mid_size(l) : S;
    }
    const long scr = m->scr_off < 0 ? 0 : m->n_act - m->scr_off;   /* relu_scratch's size */
    const int slotted = 3 * S + scr < m->n_act;
    int in_slot = 0;
    for (int i = 0; i < m->n_layers; i++) {
        gen_layer *l = &m->layers[i];
        const int out_slot = l->alias ? in_slot : (in_slot + 1) % 3;
        l->din_off = slotted ? in_slot * S : l->in_off;
        l->dout_off = slotted ? out_slot * S : l->out_off;
        l->dmid_off = slotted ? (in_slot + 2) % 3 * S : l->mask_off;
        in_slot = out_slot;
    }
    m->n_dact = slotted ? 3 * S : m->n_act;
    /* backward recomputes the ReLU outputs of relu_scratch into a region of
     * its own: after the slots, or where the activations' scratch is (no
     * gradient lives there); so N_DACT stays below N_ACT either way */
    m->dscr_off = m->scr_off < 0 ? -1 : slotted ? m->n_dact : m->scr_off;
    if (slotted)
        m->n_dact += scr;
}

/* A trainable batch normalization followed by a plain ReLU computes the
 * ReLU itself in training (relu_fused; templates/batch_norm.m4 reads the
 * flag, activation.m4 leaves the ReLU no code of its own).  When the
 * layer after the ReLU only reads its output (a convolution or dense layer:
 * its forward, and its kernel gradient in backward), the training loop's
 * forward (train = 2) writes that output to one
 * scratch region shared by all such layers, and backward recomputes it
 * there from the batch norm's input just before that layer's backward.  A
 * region per ReLU kept each output from its forward to its backward: a
 * write and a read of memory long gone from the caches (the DS-CNN: seven
 * tensors of 512 KB per chunk of 16 samples; 4 to 6% of its training
 * time). */
static void relu_scratch(gen_model *m)
{
    long size = 0;
    m->scr_off = -1;
    for (int i = 1; i + 1 < m->n_layers; i++) {
        gen_layer *bn = &m->layers[i], *relu = &m->layers[i + 1];
        bn->relu_fused = bn->kind->id == GEN_BATCHNORM && !bn->frozen &&
                         !strcmp(relu->kind->stem, "activation") && relu->act_code == GEN_ACT_RELU;
        if (!bn->relu_fused || i + 2 == m->n_layers)
            continue;
        gen_layer *next = &m->layers[i + 2];
        const int k = next->kind->id;
        if (next->alias ||
            !(k == GEN_CONV2D || k == GEN_CONV1D || k == GEN_DENSE || k == GEN_DEPTHWISE || k == GEN_SEPARABLE))
            continue;
        bn->relu_scr = next->in_scr = 1;
        size = relu->out_size > size ? relu->out_size : size;
    }
    if (size) {
        m->scr_off = m->n_act;
        m->n_act += size;
    }
}

int gen_lower(gen_model *m)
{
    int seen_params = 0;
    m->tensors = calloc((size_t)4 * (size_t)m->n_layers, sizeof *m->tensors);
    if (!m->tensors)
        return -1;
    for (int i = 0; i < m->n_layers; i++)
        if (layout(m, i))
            return -1;
    for (int i = 0; i < m->n_layers; i++)   /* normalization's mean and variance from the spec */
        if (m->layers[i].kind->id == GEN_NORMALIZATION && m->layers[i].n_given) {
            m->layers[i].c_off = m->n_consts;
            m->n_consts += 2L * (m->layers[i].norm_all ? 1 : m->layers[i].ic);
        }
    /* The gradient w.r.t. a layer's input is only needed if something with
     * parameters comes before it. */
    for (int i = 1; i < m->n_layers; i++) {
        m->layers[i].need_din = seen_params;
        seen_params |= m->layers[i].has_params && !m->layers[i].frozen;
    }
    infer_arena(m);
    relu_scratch(m);
    grad_slots(m);   /* after relu_scratch: it sizes the gradient arena's scratch */
    gen_layer *last = &m->layers[m->n_layers - 1];
    if (last->out_rank != 1) {
        gen_error(m->path, last->mark, "the last layer must give a flat [units] output; "
                  "add '- flatten:' and a dense layer");
        return -1;
    }
    m->n_in = m->layers[0].out_size;
    return gen_loss_shape(m) || gen_fit_check(m) ? -1 : 0;   /* fit(): the classes are known now */
}

void gen_model_free(gen_model *m)
{
    for (int i = 0; m->layers && i < m->n_layers; i++) {
        free(m->layers[i].given_mean);
        free(m->layers[i].given_var);
    }
    free(m->layers);
    free(m->tensors);
    m->layers = NULL;
    m->tensors = NULL;
}
