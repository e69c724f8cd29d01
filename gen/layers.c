/* layers.c - the one table of layer kinds and their shape rules. */
#include <string.h>

#include "layers.h"

/* Keras/TensorFlow output size and padding for one spatial axis.  'same'
 * puts the odd extra cell at the end (bottom/right), as TensorFlow does. */
static int axis(const gen_model *m, const gen_layer *l, const char *what,
                int in, int k, int s, int same, int *out, int *before, int *after)
{
    if (same) {
        int o = (in + s - 1) / s;
        int total = (o - 1) * s + k - in;
        if (total < 0)
            total = 0;
        *out = o;
        *before = total / 2;
        *after = total - total / 2;
        return 0;
    }
    if (in < k) {
        gen_error(m->path, l->mark,
                  "%s %d is larger than its input (%d) with padding 'valid'; "
                  "use padding: same or a smaller window", what, k, in);
        return -1;
    }
    *out = (in - k) / s + 1;
    *before = *after = 0;
    return 0;
}

static int window(const gen_model *m, gen_layer *l, const char *what)
{
    if (axis(m, l, what, l->ih, l->kh, l->sh, l->same, &l->oh, &l->pt, &l->pb) ||
        axis(m, l, what, l->iw, l->kw, l->sw, l->same, &l->ow, &l->pl, &l->pr))
        return -1;
    return 0;
}

static int shape_input(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = l->ih;
    l->ow = l->iw;
    l->oc = l->ic;
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
    return 0;
}

static int shape_conv2d(const gen_model *m, gen_layer *l)
{
    if (window(m, l, "kernel_size"))
        return -1;
    l->oc = l->units;
    l->has_params = 1;
    l->w_size = (long)l->kh * l->kw * l->ic * l->oc;
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

static int shape_flatten(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = 1;
    l->ow = 1;
    l->oc = l->ih * l->iw * l->ic;
    l->alias = 1;
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
    return 0;
}

static int shape_same(const gen_model *m, gen_layer *l)
{
    (void)m;
    l->oh = l->ih;
    l->ow = l->iw;
    l->oc = l->ic;
    return 0;
}

#define WIN (GEN_OPT_STRIDES | GEN_OPT_PADDING | GEN_OPT_NAME)

const gen_kind gen_kinds[] = {
    {GEN_INPUT, "input", "InputLayer", "input", GEN_OPT_SHAPE | GEN_OPT_NAME,
     GEN_OPT_SHAPE, 0, 0, shape_input},
    {GEN_ZPAD, "zero_padding2d", "ZeroPadding2D", "zero_padding2d",
     GEN_OPT_PADDING | GEN_OPT_NAME, 0, 1, 0, shape_zpad},
    {GEN_CONV2D, "conv2d", "Conv2D", "conv2d",
     WIN | GEN_OPT_FILTERS | GEN_OPT_KERNEL | GEN_OPT_ACT | GEN_OPT_BIAS,
     GEN_OPT_FILTERS | GEN_OPT_KERNEL, 1, 0, shape_conv2d},
    {GEN_MAXPOOL, "max_pooling2d", "MaxPooling2D", "pool2d", WIN | GEN_OPT_POOL, 0,
     1, 0, shape_pool},
    {GEN_AVGPOOL, "average_pooling2d", "AveragePooling2D", "pool2d",
     WIN | GEN_OPT_POOL, 0, 1, 0, shape_pool},
    {GEN_FLATTEN, "flatten", "Flatten", "flatten", GEN_OPT_NAME, 0, 0, 0,
     shape_flatten},
    {GEN_DENSE, "dense", "Dense", "dense",
     GEN_OPT_UNITS | GEN_OPT_ACT | GEN_OPT_BIAS | GEN_OPT_NAME,
     GEN_OPT_UNITS, 0, 1, shape_dense},
    {GEN_DROPOUT, "dropout", "Dropout", "dropout", GEN_OPT_RATE | GEN_OPT_NAME,
     GEN_OPT_RATE, 0, 0, shape_same},
    {GEN_ACTIVATION, "activation", "Activation", "activation",
     GEN_OPT_ACT | GEN_OPT_NAME, GEN_OPT_ACT, 0, 0, shape_same},
};
const int gen_n_kinds = (int)(sizeof gen_kinds / sizeof gen_kinds[0]);

const gen_kind *gen_find_kind(const char *name)
{
    for (int i = 0; i < gen_n_kinds; i++)
        if (strcmp(gen_kinds[i].name, name) == 0)
            return &gen_kinds[i];
    return NULL;
}

const char *gen_act_name(gen_act a)
{
    static const char *const names[] = {"linear", "relu", "sigmoid", "tanh", "softmax"};
    return names[a];
}
