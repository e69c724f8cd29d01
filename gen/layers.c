/* layers.c - the one table of layer kinds and their shape rules. */
#include <string.h>

#include "layers.h"

/* Keras/TensorFlow output size and padding for one spatial axis, with the
 * dilated window k_eff = (k - 1) * d + 1.  'same' puts the odd extra cell at
 * the end (bottom/right), as TensorFlow does; 'causal' (conv1d) pads
 * k_eff - 1 cells before and none after. */
static int axis(const gen_model *m, const gen_layer *l, const char *what, int in, int k, int d,
                int s, int same, int causal, int *out, int *before, int *after)
{
    const int keff = (k - 1) * d + 1;
    if (causal) {
        *out = (in - 1) / s + 1;
        *before = keff - 1;
        *after = 0;
        return 0;
    }
    if (same) {
        int o = (in + s - 1) / s;
        int total = (o - 1) * s + keff - in;
        if (total < 0)
            total = 0;
        *out = o;
        *before = total / 2;
        *after = total - total / 2;
        return 0;
    }
    if (in < keff && d > 1) {
        gen_error(m->path, l->mark, "%s %d with dilation_rate %d spans %d, more than its input "
                  "(%d) with padding 'valid'; use padding: same or a smaller window",
                  what, k, d, keff, in);
        return -1;
    }
    if (in < keff) {
        gen_error(m->path, l->mark,
                  "%s %d is larger than its input (%d) with padding 'valid'; "
                  "use padding: same or a smaller window", what, k, in);
        return -1;
    }
    *out = (in - keff) / s + 1;
    *before = *after = 0;
    return 0;
}

static int window(const gen_model *m, gen_layer *l, const char *what)
{
    if (axis(m, l, what, l->ih, l->kh, l->dh, l->sh, l->same, 0, &l->oh, &l->pt, &l->pb) ||
        axis(m, l, what, l->iw, l->kw, l->dw, l->sw, l->same, l->causal, &l->ow, &l->pl, &l->pr))
        return -1;
    l->out_rank = l->in_rank;
    return 0;
}

static int shape_input(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = l->ih;
    l->ow = l->iw;
    l->oc = l->ic;
    l->out_rank = l->rank;
    return 0;
}

static int shape_zpad(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->pt = l->zp[0];
    l->pb = l->zp[1];
    l->pl = l->zp[2];
    l->pr = l->zp[3];
    l->oh = l->ih + l->pt + l->pb;
    l->ow = l->iw + l->pl + l->pr;
    l->oc = l->ic;
    l->out_rank = l->in_rank;
    return 0;
}

static int shape_conv(const gen_model *m, gen_layer *l)
{
    if (window(m, l, "kernel_size"))
        return -1;
    l->oc = l->units;
    l->has_params = 1;
    l->w_size = (long)l->kh * l->kw * l->ic * l->oc;
    l->b_size = l->use_bias ? l->oc : 0;
    return 0;
}

/* DepthwiseConv2D: kernel [kh][kw][cin][dm], output channel c * dm + m. */
static int shape_depthwise(const gen_model *m, gen_layer *l)
{
    if (window(m, l, "kernel_size"))
        return -1;
    l->oc = l->ic * l->dm;
    l->has_params = 1;
    l->w_size = (long)l->kh * l->kw * l->ic * l->dm;
    l->b_size = l->use_bias ? l->oc : 0;
    return 0;
}

/* SeparableConv2D: the depthwise step into a region of its own, then a 1x1
 * convolution [1][1][cin * dm][filters]; tensors depthwise, pointwise, bias. */
static int shape_separable(const gen_model *m, gen_layer *l)
{
    if (window(m, l, "kernel_size"))
        return -1;
    l->oc = l->units;
    l->has_params = 1;
    l->w_size = (long)l->kh * l->kw * l->ic * l->dm;
    l->p_size = (long)l->ic * l->dm * l->oc;
    l->b_size = l->use_bias ? l->oc : 0;
    return 0;
}

static int shape_pool(const gen_model *m, gen_layer *l)
{
    if (window(m, l, "pool_size"))
        return -1;
    l->oc = l->ic;
    return 0;
}

/* Global pooling: the whole [h][w] (or [steps]) window, to a flat [c]. */
static int shape_global(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->kh = l->ih, l->kw = l->iw, l->sh = l->sw = 1;
    l->oh = l->ow = 1;
    l->oc = l->ic;
    l->out_rank = 1;
    return 0;
}

static int shape_flatten(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = 1;
    l->ow = 1;
    l->oc = l->ih * l->iw * l->ic;
    l->alias = 1;
    l->out_rank = 1;
    return 0;
}

/* Reshape: a view like Flatten (row-major order is unchanged); one -1 in
 * target_shape takes what is left. */
static int shape_reshape(const gen_model *m, gen_layer *l)
{
    long total = (long)l->ih * l->iw * l->ic, known = 1;
    int unknown = -1;
    for (int i = 0; i < l->rank; i++) {
        if (l->shape[i] == -1)
            unknown = i;
        else
            known *= l->shape[i];
    }
    if (unknown >= 0 && total % known == 0 && total / known <= GEN_DIM_MAX)
        l->shape[unknown] = (int)(total / known), known = total;
    if (known != total) {
        gen_error(m->path, l->mark, "target_shape does not fit the input's %ld values "
                  "([%d, %d, %d])", total, l->ih, l->iw, l->ic);
        return -1;
    }
    l->oh = l->rank == 3 ? l->shape[0] : 1;
    l->ow = l->rank == 3 ? l->shape[1] : l->rank == 2 ? l->shape[0] : 1;
    l->oc = l->shape[l->rank - 1];
    l->alias = 1;
    l->out_rank = l->rank;
    return 0;
}

static int shape_dense(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = l->ow = 1;
    l->oc = l->units;
    l->has_params = 1;
    l->w_size = (long)l->ic * l->oc;
    l->b_size = l->use_bias ? l->oc : 0;
    l->out_rank = 1;
    return 0;
}

static int shape_same(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = l->ih;
    l->ow = l->iw;
    l->oc = l->ic;
    l->out_rank = l->in_rank;
    return 0;
}

/* BatchNormalization over the last axis: gamma, beta (trainable, if scale
 * and center), then moving_mean and moving_variance. */
static int shape_batchnorm(const gen_model *m, gen_layer *l)
{
    shape_same(m, l);
    l->has_params = 1;
    l->w_size = l->scale ? l->oc : 0;
    l->b_size = l->center ? l->oc : 0;
    l->p_size = 2L * l->oc;
    return 0;
}

/* Normalization (Keras 3 keras.layers.Normalization): per feature of the
 * last axis (axis None: one feature).  With mean and variance from the
 * spec it has no weights, as in Keras (they become constants); otherwise
 * adapt() sets its weights mean, variance and count (p_size: 2F + 1,
 * never trained), so the data must reach it untouched by weights. */
static int shape_normalization(const gen_model *m, gen_layer *l)
{
    const int idx = (int)(l - m->layers), f = l->norm_all ? 1 : l->ic;
    shape_same(m, l);
    if (l->norm_axis != -1 && l->norm_axis != l->in_rank) {
        gen_error(m->path, l->mark, "normalization supports axis -1 (the last axis; for this "
                  "rank-%d input also %d) or null; axis %d would need a mean per index of "
                  "another axis", l->in_rank, l->in_rank, l->norm_axis);
        return -1;
    }
    if ((l->n_given > 0) != (l->n_given_var > 0)) {
        gen_error(m->path, l->mark, "normalization: 'mean' and 'variance' must be given together "
                  "(as Keras requires), or neither to adapt them to the training data");
        return -1;
    }
    if (l->n_given) {
        if (l->n_given != l->n_given_var || (l->n_given != 1 && l->n_given != f)) {
            gen_error(m->path, l->given_mark, "normalization: 'mean' has %d values and 'variance' "
                      "%d; each must have 1 or %d (the %s)", l->n_given, l->n_given_var, f,
                      l->norm_all ? "axis is null: one value" : "features of the last axis");
            return -1;
        }
        return 0;
    }
    for (int j = 1; j < idx; j++)
        if (m->layers[j].has_params && m->layers[j].kind->id != GEN_NORMALIZATION) {
            gen_error(m->path, l->mark, "normalization without 'mean' and 'variance' is adapted to "
                      "the training data, so it must come before any layer with weights (here "
                      "%s); give it mean and variance, or move it up", m->layers[j].name);
            return -1;
        }
    l->has_params = 1;
    l->frozen = 1;           /* Keras creates its weights with trainable=False */
    l->p_size = 2L * f + 1;  /* mean [f], variance [f], count (a scalar) */
    return 0;
}

#define WIN (GEN_OPT_STRIDES | GEN_OPT_PADDING | GEN_OPT_NAME)
#define CONV (WIN | GEN_OPT_KERNEL | GEN_OPT_ACT | GEN_OPT_BIAS | GEN_OPT_DILATION | GEN_OPT_BREG)

const gen_kind gen_kinds[] = {
    {GEN_INPUT, "input", "InputLayer", "input", GEN_OPT_SHAPE | GEN_OPT_NAME,
     GEN_OPT_SHAPE, 0, shape_input},
    {GEN_ZPAD, "zero_padding2d", "ZeroPadding2D", "zero_padding2d",
     GEN_OPT_PADDING | GEN_OPT_NAME, 0, 3, shape_zpad},
    {GEN_CONV2D, "conv2d", "Conv2D", "conv2d", CONV | GEN_OPT_FILTERS | GEN_OPT_KREG,
     GEN_OPT_FILTERS | GEN_OPT_KERNEL, 3, shape_conv},
    {GEN_MAXPOOL, "max_pooling2d", "MaxPooling2D", "pool2d", WIN | GEN_OPT_POOL, 0, 3, shape_pool},
    {GEN_AVGPOOL, "average_pooling2d", "AveragePooling2D", "pool2d", WIN | GEN_OPT_POOL, 0, 3,
     shape_pool},
    {GEN_FLATTEN, "flatten", "Flatten", "flatten", GEN_OPT_NAME, 0, 0, shape_flatten},
    {GEN_DENSE, "dense", "Dense", "dense",
     GEN_OPT_UNITS | GEN_OPT_ACT | GEN_OPT_BIAS | GEN_OPT_NAME | GEN_OPT_KREG | GEN_OPT_BREG,
     GEN_OPT_UNITS, 1, shape_dense},
    {GEN_DROPOUT, "dropout", "Dropout", "dropout", GEN_OPT_RATE | GEN_OPT_NAME, GEN_OPT_RATE, 0,
     shape_same},
    {GEN_ACTIVATION, "activation", "Activation", "activation", GEN_OPT_ACT | GEN_OPT_NAME,
     GEN_OPT_ACT, 0, shape_same},
    {GEN_BATCHNORM, "batch_normalization", "BatchNormalization", "batch_norm",
     GEN_OPT_NAME | GEN_OPT_MOMENTUM | GEN_OPT_EPSILON | GEN_OPT_CENTER | GEN_OPT_SCALE |
     GEN_OPT_AXIS, 0, 0, shape_batchnorm},
    {GEN_DEPTHWISE, "depthwise_conv2d", "DepthwiseConv2D", "depthwise_conv2d",
     CONV | GEN_OPT_DM | GEN_OPT_DREG, GEN_OPT_KERNEL, 3, shape_depthwise},
    {GEN_SEPARABLE, "separable_conv2d", "SeparableConv2D", "separable_conv2d",
     CONV | GEN_OPT_FILTERS | GEN_OPT_DM | GEN_OPT_DREG | GEN_OPT_PREG,
     GEN_OPT_FILTERS | GEN_OPT_KERNEL, 3, shape_separable},
    {GEN_GAP2D, "global_average_pooling2d", "GlobalAveragePooling2D", "global_pool",
     GEN_OPT_NAME, 0, 3, shape_global},
    {GEN_GMP2D, "global_max_pooling2d", "GlobalMaxPooling2D", "global_pool", GEN_OPT_NAME, 0, 3,
     shape_global},
    {GEN_CONV1D, "conv1d", "Conv1D", "conv2d", CONV | GEN_OPT_FILTERS | GEN_OPT_KREG,
     GEN_OPT_FILTERS | GEN_OPT_KERNEL, 2, shape_conv},
    {GEN_MAXPOOL1D, "max_pooling1d", "MaxPooling1D", "pool2d", WIN | GEN_OPT_POOL, 0, 2,
     shape_pool},
    {GEN_AVGPOOL1D, "average_pooling1d", "AveragePooling1D", "pool2d", WIN | GEN_OPT_POOL, 0, 2,
     shape_pool},
    {GEN_GAP1D, "global_average_pooling1d", "GlobalAveragePooling1D", "global_pool",
     GEN_OPT_NAME, 0, 2, shape_global},
    {GEN_GMP1D, "global_max_pooling1d", "GlobalMaxPooling1D", "global_pool", GEN_OPT_NAME, 0, 2,
     shape_global},
    {GEN_ZPAD1D, "zero_padding1d", "ZeroPadding1D", "zero_padding2d",
     GEN_OPT_PADDING | GEN_OPT_NAME, 0, 2, shape_zpad},
    {GEN_RESHAPE, "reshape", "Reshape", "reshape", GEN_OPT_TARGET | GEN_OPT_NAME, GEN_OPT_TARGET,
     0, shape_reshape},
    {GEN_RELU, "relu", "ReLU", "activation",
     GEN_OPT_NAME | GEN_OPT_MAXV | GEN_OPT_SLOPE | GEN_OPT_THRESHOLD, 0, 0, shape_same},
    {GEN_LEAKY_RELU, "leaky_relu", "LeakyReLU", "activation", GEN_OPT_NAME | GEN_OPT_SLOPE, 0, 0,
     shape_same},
    {GEN_ELU, "elu", "ELU", "activation", GEN_OPT_NAME | GEN_OPT_ALPHA, 0, 0, shape_same},
    {GEN_NORMALIZATION, "normalization", "Normalization", "normalization",
     GEN_OPT_NAME | GEN_OPT_AXIS | GEN_OPT_MEAN | GEN_OPT_VARIANCE | GEN_OPT_INVERT, 0, 0,
     shape_normalization},
};
const int gen_n_kinds = (int)(sizeof gen_kinds / sizeof gen_kinds[0]);

const gen_kind *gen_find_kind(const char *name)
{
    for (int i = 0; i < gen_n_kinds; i++)
        if (strcmp(gen_kinds[i].name, name) == 0)
            return &gen_kinds[i];
    return NULL;
}

static const char *const act_names[GEN_ACT_COUNT] = {
    "linear", "relu", "sigmoid", "tanh", "softmax", "relu6", "leaky_relu", "elu", "selu",
    "gelu", "gelu_tanh", "silu", "swish", "softplus", "softsign", "hard_sigmoid", "hard_silu",
    "hard_swish", "exponential", "relu_full"};

const char *gen_act_name(gen_act a)
{
    return act_names[a];
}
