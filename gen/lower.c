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

/* Input of layer i is the output of layer i-1; check the rank it needs. */
static int connect(const gen_model *m, gen_layer *l, const gen_layer *prev, int flat)
{
    l->ih = prev->oh, l->iw = prev->ow, l->ic = prev->oc;
    l->in_size = prev->out_size;
    l->in_off = prev->out_off;
    if (l->kind->image_in && flat) {
        gen_error(m->path, l->mark, "%s needs an image input [height, width, channels], "
                  "but its input is flat [%d]", l->kind->name, l->ic);
        return -1;
    }
    if (l->kind->flat_in && !flat) {
        gen_error(m->path, l->mark, "%s needs a flat input, but its input is [%d, %d, %d]; "
                  "add '- flatten:' before it", l->kind->name, l->ih, l->iw, l->ic);
        return -1;
    }
    return 0;
}

static void input_shape(gen_model *m, gen_layer *l)
{
    if (l->rank == 1)
        l->ih = l->iw = 1, l->ic = l->shape[0];
    else
        l->ih = l->shape[0], l->iw = l->shape[1], l->ic = l->shape[2];
    m->in_h = l->rank == 1 ? 1 : l->ih;
    m->in_w = l->rank == 1 ? l->ic : l->iw;
    m->in_c = l->rank == 1 ? 1 : l->ic;
}

static void add_tensor(gen_model *m, int layer, const char *part, int rank, const int *dims,
                       long off, long size, int glorot, double limit)
{
    gen_tensor *t = &m->tensors[m->n_tensors++];
    snprintf(t->name, sizeof t->name, "%s/%s", m->layers[layer].name, part);
    t->layer = layer;
    t->rank = rank;
    memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
    t->off = off;
    t->size = size;
    t->glorot = glorot;
    t->limit = limit;
}

/* Keras get_weights() order: per layer, kernel then bias. */
static int params(gen_model *m, int i)
{
    gen_layer *l = &m->layers[i];
    l->w_off = m->n_params;
    l->b_off = l->w_off + l->w_size;
    m->n_params = l->b_off + l->b_size;
    if (too_big(m, l, "the parameters up to", m->n_params))
        return -1;
    int conv = l->kind->id == GEN_CONV2D;
    long rf = conv ? (long)l->kh * l->kw : 1;   /* receptive field */
    double limit = sqrt(6.0 / (double)(rf * l->ic + rf * l->oc));
    int kd[4] = {l->kh, l->kw, l->ic, l->oc}, dd[2] = {l->ic, l->oc};
    add_tensor(m, i, "kernel", conv ? 4 : 2, conv ? kd : dd, l->w_off, l->w_size, 1, limit);
    if (l->b_size)
        add_tensor(m, i, "bias", 1, &l->oc, l->b_off, l->b_size, 0, 0.0);
    return 0;
}

static int largest_divisor_upto(int n, int k)
{
    while (n % k)
        k--;
    return k;
}

static int layout(gen_model *m, int i, int *flat)
{
    gen_layer *l = &m->layers[i];
    if (i == 0)
        input_shape(m, l);
    else if (connect(m, l, &m->layers[i - 1], *flat))
        return -1;
    if (l->kind->shape(m, l))
        return -1;
    long size = (long)l->oh * l->ow * l->oc;
    if (size <= 0 || too_big(m, l, "the output of", size))
        return -1;
    l->out_size = size;
    if (l->kind->id == GEN_FLATTEN || l->kind->id == GEN_DENSE)
        *flat = 1;
    if (i == 0) {
        l->in_size = size;
        *flat = l->rank == 1;
    }
    if (i == 0) {
        /* region 0: the inputs as the caller writes them, [n][N_INPUT];
         * the input layer re-lays them out for the templates */
        l->in_off = 0;
        l->out_off = size;
        m->n_act = 2 * size;
    } else if (l->alias) {
        l->out_off = l->in_off;     /* a view of its input */
    } else {
        l->out_off = m->n_act;
        m->n_act += size;
    }
    if (l->kind->id == GEN_DROPOUT) {
        l->mask_off = m->n_act;
        m->n_act += size;
        l->keep_scale = (double)(float)(1.0 / (1.0 - l->rate));
    }
    l->act_code = l->act == GEN_ACT_SOFTMAX ? GEN_ACT_LINEAR : l->act;
    /* Blocks sized so the accumulators of the templates' inner loops fit in
     * 32 vector registers (x86-64 AVX-512, AArch64): the kernel gradient
     * keeps cbw x ob sums plus cbw + ob loaded blocks (3 x 6 + 9 for 36
     * channels); measured on the seed, 12 sums -> 18 was 2,850 -> 3,180
     * samples/s on one thread. */
    l->ob = largest_divisor_upto(l->oc, 8);
    l->cbw = largest_divisor_upto(l->ic, 18 / l->ob > 0 ? 18 / l->ob : 1);
    l->cbd = largest_divisor_upto(l->ic, 8);
    l->obx = largest_divisor_upto(l->oc, 64);
    if (l->oc > m->max_oc)
        m->max_oc = l->oc;
    if (too_big(m, l, "the activations up to", m->n_act))
        return -1;
    return l->has_params ? params(m, i) : 0;
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
        long pair = (from_caller ? 0 : l->in_size) + l->out_size;
        P = pair > P ? pair : P;
    }
    for (int i = 1; i < m->n_layers; i++) {
        gen_layer *l = &m->layers[i];
        l->x_in = prev;
        l->x_out = l->alias ? prev : (prev == 0 ? P - l->out_size : 0);
        prev = l->x_out;
    }
    m->layers[0].x_in = m->layers[0].x_out = -1;
    m->x_arena = P;
    m->act_bytes_infer = 4 * P;
}

int gen_lower(gen_model *m)
{
    int flat = 0, seen_params = 0;
    m->tensors = calloc((size_t)2 * (size_t)m->n_layers, sizeof *m->tensors);
    if (!m->tensors)
        return -1;
    for (int i = 0; i < m->n_layers; i++)
        if (layout(m, i, &flat))
            return -1;
    /* The gradient w.r.t. a layer's input is only needed if something with
     * parameters comes before it. */
    for (int i = 1; i < m->n_layers; i++) {
        m->layers[i].need_din = seen_params;
        seen_params |= m->layers[i].has_params;
    }
    infer_arena(m);
    gen_layer *last = &m->layers[m->n_layers - 1];
    if (!flat) {
        gen_error(m->path, last->mark, "the last layer must give a flat [classes] output; "
                  "add '- flatten:' and a dense layer");
        return -1;
    }
    if (last->out_size < 2) {
        gen_error(m->path, last->mark, "a classifier needs at least 2 classes, got %ld",
                  last->out_size);
        return -1;
    }
    m->n_in = m->layers[0].out_size;
    m->n_classes = (int)last->out_size;
    return 0;
}

void gen_model_free(gen_model *m)
{
    free(m->layers);
    free(m->tensors);
    m->layers = NULL;
    m->tensors = NULL;
}
