/* onnx.c - `NAME export --onnx FILE`: the trained network as an ONNX model
 * (opset 13), serialized with protobuf-c from Debian libonnx-dev's
 * onnx.proto (the C code is generated at build time, gen/model.mk).
 *
 * The layers' settings come from the model's definitions file (RT_DEFS,
 * the m4_define lines seqc wrote: kind, kernel, strides, explicit pads,
 * activation, ...), the weights from the tensor table (model_tensors, Keras
 * get_weights() layouts) and a weights file.  The graph takes "input",
 * float [N, ...the spec's input shape] (NHWC, as seqc and Keras), and gives
 * "output", the model's outputs as Keras's predict() gives them (the
 * softmax or sigmoid the loss applies, MODEL_OUT_ACT).  Convolutions,
 * pooling and batch normalization run channels-first: a Transpose goes in
 * before them and back before the layers that need Keras's channels-last
 * order (Dense, Flatten, Reshape, global pooling, Normalization).  Nodes,
 * values and initializers are named after the spec's layers:
 * "conv2d_1/kernel", the layer's output "conv2d_1". */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

#include "model.h"
#include "rt.h"

#ifndef RT_DEFS
#error "build with -DRT_DEFS='\"/path/to/out/NAME.defs.m4\"' (see the Makefile)"
#endif

#define OX_OPSET 13
#define OX_IR_VERSION 7     /* the IR version of opset 13 (ONNX 1.8) */

typedef struct ox_def { int layer; char *key, *val; } ox_def;

typedef struct ox {
    void **mem;
    size_t n_mem, cap_mem;
    Onnx__NodeProto **node;
    size_t n_node, cap_node;
    Onnx__TensorProto **init;
    size_t n_init, cap_init;
    ox_def *def;
    size_t n_def, cap_def;
    const float *params;
    int n_const;            /* numbering of scalar constants */
    char *err;
    size_t errlen;
} ox;

/* A value in the graph: its name, seqc rank (3 [h][w][c], 2 [steps][c],
 * 1 [c]) and whether it is channels-first now. */
typedef struct ox_val { const char *name; int rank, cf; } ox_val;

static void ox_oom(void)
{
    fprintf(stderr, "error: out of memory\n");
    exit(RT_EINPUT);
}

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return p;
    *cap = *cap ? 2 * *cap : 64;
    void *q = realloc(p, *cap * elem);
    if (!q)
        ox_oom();
    return q;
}

/* Zeroed memory that lives until ox_free. */
static void *ox_alloc(ox *o, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        ox_oom();
    o->mem = grow(o->mem, &o->cap_mem, o->n_mem, sizeof *o->mem);
    o->mem[o->n_mem++] = p;
    return p;
}

static char *fmt(ox *o, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = ox_alloc(o, (size_t)n + 1);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static void ox_free(ox *o)
{
    for (size_t i = 0; i < o->n_mem; i++)
        free(o->mem[i]);
    for (size_t i = 0; i < o->n_def; i++)
        free(o->def[i].key), free(o->def[i].val);
    free(o->mem), free(o->node), free(o->init), free(o->def);
}

/* ---- the definitions file: m4_define(«seqc_L<k>_<key>», «<value>») ---- */

static int read_defs(ox *o)
{
    static const char pre[] = "m4_define(\xc2\xabseqc_L", mid[] = "\xc2\xbb, \xc2\xab",
        end[] = "\xc2\xbb)";
    FILE *f = fopen(RT_DEFS, "r");
    if (!f)
        return snprintf(o->err, o->errlen, "%s: error: cannot read the model's definitions: %s",
                        RT_DEFS, strerror(errno)), -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, pre, sizeof pre - 1))
            continue;
        char *p = line + sizeof pre - 1, *us;
        long k = strtol(p, &us, 10);
        char *m = strstr(us, mid), *e = m ? strstr(m, end) : NULL;
        if (us == p || *us != '_' || !m || !e)
            continue;
        o->def = grow(o->def, &o->cap_def, o->n_def, sizeof *o->def);
        ox_def *d = &o->def[o->n_def++];
        d->layer = (int)k;
        d->key = strndup(us + 1, (size_t)(m - us - 1));
        d->val = strndup(m + sizeof mid - 1, (size_t)(e - m - (sizeof mid - 1)));
        if (!d->key || !d->val)
            ox_oom();
    }
    free(line);
    fclose(f);
    return 0;
}

static const char *def(const ox *o, int layer, const char *key)
{
    for (size_t i = 0; i < o->n_def; i++)
        if (o->def[i].layer == layer && !strcmp(o->def[i].key, key))
            return o->def[i].val;
    return "";
}
static int defi(const ox *o, int layer, const char *key) { return atoi(def(o, layer, key)); }
static float deff(const ox *o, int layer, const char *key) { return strtof(def(o, layer, key), NULL); }


/* ---- graph building ---------------------------------------------------- */

static Onnx__NodeProto *node(ox *o, const char *op, const char *name, const char *out, int nin, ...)
{
    Onnx__NodeProto *n = ox_alloc(o, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = (char *)op;
    n->name = (char *)name;
    n->n_input = (size_t)nin;
    n->input = ox_alloc(o, sizeof(char *) * (size_t)nin);
    va_list ap;
    va_start(ap, nin);
    for (int i = 0; i < nin; i++)
        n->input[i] = va_arg(ap, char *);
    va_end(ap);
    n->n_output = 1;
    n->output = ox_alloc(o, sizeof(char *));
    n->output[0] = (char *)out;
    o->node = grow(o->node, &o->cap_node, o->n_node, sizeof *o->node);
    o->node[o->n_node++] = n;
    return n;
}

static Onnx__AttributeProto *attr(ox *o, Onnx__NodeProto *n, const char *name,
                                  Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto *a = ox_alloc(o, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    a->type = type;
    Onnx__AttributeProto **v = ox_alloc(o, sizeof *v * (n->n_attribute + 1));
    if (n->n_attribute)
        memcpy(v, n->attribute, sizeof *v * n->n_attribute);
    v[n->n_attribute++] = a;
    n->attribute = v;
    return a;
}
static void attr_i(ox *o, Onnx__NodeProto *n, const char *name, long v)
{
    Onnx__AttributeProto *a = attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}
static void attr_f(ox *o, Onnx__NodeProto *n, const char *name, float v)
{
    Onnx__AttributeProto *a = attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}
static void attr_ints(ox *o, Onnx__NodeProto *n, const char *name, int k, const long *v)
{
    Onnx__AttributeProto *a = attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)k;
    a->ints = ox_alloc(o, sizeof(int64_t) * (size_t)k);
    for (int i = 0; i < k; i++)
        a->ints[i] = v[i];
}

static Onnx__TensorProto *init_tensor(ox *o, const char *name, int rank, const long *dims, int type)
{
    Onnx__TensorProto *t = ox_alloc(o, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = (char *)name;
    t->has_data_type = 1;
    t->data_type = type;
    t->n_dims = (size_t)rank;
    t->dims = ox_alloc(o, sizeof(int64_t) * (size_t)(rank ? rank : 1));
    for (int i = 0; i < rank; i++)
        t->dims[i] = dims[i];
    o->init = grow(o->init, &o->cap_init, o->n_init, sizeof *o->init);
    o->init[o->n_init++] = t;
    return t;
}

/* A float initializer of n values; returns its data to fill. */
static float *init_f(ox *o, const char *name, int rank, const long *dims)
{
    long n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    Onnx__TensorProto *t = init_tensor(o, name, rank, dims, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    t->n_float_data = (size_t)n;
    t->float_data = ox_alloc(o, sizeof(float) * (size_t)n);
    return t->float_data;
}
static void init_i64(ox *o, const char *name, int n, const long *v)
{
    long dims[1] = {n};
    Onnx__TensorProto *t = init_tensor(o, name, 1, dims, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
    t->n_int64_data = (size_t)n;
    t->int64_data = ox_alloc(o, sizeof(int64_t) * (size_t)n);
    for (int i = 0; i < n; i++)
        t->int64_data[i] = v[i];
}
/* A scalar constant of layer 'base'. */
static const char *cst(ox *o, const char *base, float v)
{
    const char *name = fmt(o, "%s/const_%d", base, o->n_const++);
    init_f(o, name, 0, NULL)[0] = v;
    return name;
}
/* A weight tensor, as it is (Dense's [in][out], biases, statistics). */
static const char *weights_as_is(ox *o, const model_tensor *t)
{
    long dims[4];
    for (int i = 0; i < t->rank; i++)
        dims[i] = t->dims[i];
    memcpy(init_f(o, t->name, t->rank, dims), o->params + t->offset, sizeof(float) * (size_t)t->size);
    return t->name;
}

/* x in the layout wanted (cf: channels-first), with a Transpose if needed. */
static ox_val layout(ox *o, ox_val x, int cf, const char *layer)
{
    if (x.rank == 1 || x.cf == cf)
        return x;
    static const long to_cf4[] = {0, 3, 1, 2}, to_cl4[] = {0, 2, 3, 1}, swap3[] = {0, 2, 1};
    const char *out = fmt(o, "%s/to_%s", layer, x.rank == 3 ? (cf ? "nchw" : "nhwc") : (cf ? "ncw" : "nwc"));
    Onnx__NodeProto *n = node(o, "Transpose", out, out, 1, x.name);
    attr_ints(o, n, "perm", x.rank + 1, x.rank == 3 ? (cf ? to_cf4 : to_cl4) : swap3);
    x.name = out;
    x.cf = cf;
    return x;
}

/* ---- activations: y = act(x), as templates/lib.m4's seqc_act_fwd ---- */

static int act_known(const char *a)
{
    static const char *const known[] = {"linear", "relu", "sigmoid", "tanh", "relu6", "leaky_relu",
        "elu", "selu", "gelu", "gelu_tanh", "silu", "swish", "softplus", "softsign", "hard_sigmoid",
        "hard_silu", "hard_swish", "exponential", "relu_full"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(a, known[i]))
            return 1;
    return 0;
}

static void activation(ox *o, int k, const char *a, const char *b, const char *x, const char *y)
{
    const char *t = fmt(o, "%s/%s", b, a);
#define TMP(s) fmt(o, "%s/%s", t, s)
    static const char *const single[][2] = {{"relu", "Relu"}, {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"},
        {"softplus", "Softplus"}, {"softsign", "Softsign"}, {"exponential", "Exp"}, {"linear", "Identity"}};
    for (size_t i = 0; i < sizeof single / sizeof *single; i++)
        if (!strcmp(a, single[i][0])) {
            node(o, single[i][1], t, y, 1, x);
            return;
        }
    if (!strcmp(a, "relu6")) {
        node(o, "Clip", t, y, 3, x, cst(o, b, 0.0f), cst(o, b, 6.0f));
    } else if (!strcmp(a, "leaky_relu")) {
        attr_f(o, node(o, "LeakyRelu", t, y, 1, x), "alpha", deff(o, k, "alpha"));
    } else if (!strcmp(a, "elu")) {
        attr_f(o, node(o, "Elu", t, y, 1, x), "alpha", deff(o, k, "alpha"));
    } else if (!strcmp(a, "selu")) {
        Onnx__NodeProto *n = node(o, "Selu", t, y, 1, x);
        attr_f(o, n, "alpha", 1.67326324235437728481f);
        attr_f(o, n, "gamma", 1.05070098735548049342f);
    } else if (!strcmp(a, "gelu")) {   /* 0.5 x (1 + erf(x / sqrt 2)) */
        node(o, "Mul", TMP("scaled"), TMP("scaled"), 2, x, cst(o, b, 0.70710678118654752440f));
        node(o, "Erf", TMP("erf"), TMP("erf"), 1, TMP("scaled"));
        node(o, "Add", TMP("one_plus"), TMP("one_plus"), 2, TMP("erf"), cst(o, b, 1.0f));
        node(o, "Mul", TMP("half_x"), TMP("half_x"), 2, x, cst(o, b, 0.5f));
        node(o, "Mul", t, y, 2, TMP("half_x"), TMP("one_plus"));
    } else if (!strcmp(a, "gelu_tanh")) {   /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
        node(o, "Mul", TMP("x2"), TMP("x2"), 2, x, x);
        node(o, "Mul", TMP("x3"), TMP("x3"), 2, TMP("x2"), x);
        node(o, "Mul", TMP("cx3"), TMP("cx3"), 2, TMP("x3"), cst(o, b, 0.044715f));
        node(o, "Add", TMP("inner"), TMP("inner"), 2, x, TMP("cx3"));
        node(o, "Mul", TMP("scaled"), TMP("scaled"), 2, TMP("inner"), cst(o, b, 0.79788456080286535588f));
        node(o, "Tanh", TMP("tanh"), TMP("tanh"), 1, TMP("scaled"));
        node(o, "Add", TMP("one_plus"), TMP("one_plus"), 2, TMP("tanh"), cst(o, b, 1.0f));
        node(o, "Mul", TMP("half_x"), TMP("half_x"), 2, x, cst(o, b, 0.5f));
        node(o, "Mul", t, y, 2, TMP("half_x"), TMP("one_plus"));
    } else if (!strcmp(a, "silu") || !strcmp(a, "swish")) {
        node(o, "Sigmoid", TMP("sigmoid"), TMP("sigmoid"), 1, x);
        node(o, "Mul", t, y, 2, x, TMP("sigmoid"));
    } else if (!strcmp(a, "hard_sigmoid") || !strcmp(a, "hard_silu") || !strcmp(a, "hard_swish")) {
        const int times_x = strcmp(a, "hard_sigmoid") != 0;   /* (x + 3) / 6 clipped to [0, 1] */
        const char *h = times_x ? TMP("hard_sigmoid") : y;
        Onnx__NodeProto *n = node(o, "HardSigmoid", times_x ? h : t, h, 1, x);
        attr_f(o, n, "alpha", 1.0f / 6.0f);
        attr_f(o, n, "beta", 0.5f);
        if (times_x)
            node(o, "Mul", t, y, 2, x, h);
    } else {   /* relu_full: Keras 3's ReLU(max_value, negative_slope, threshold) */
        const float thr = deff(o, k, "act_thr"), alpha = deff(o, k, "alpha");
        const char *pos;
        if (thr == 0.0f) {
            pos = TMP("above");
            node(o, "Relu", pos, pos, 1, x);
        } else {
            const char *zero = cst(o, b, 0.0f);
            node(o, "Greater", TMP("is_above"), TMP("is_above"), 2, x, cst(o, b, thr));
            pos = TMP("above");
            node(o, "Where", pos, pos, 3, TMP("is_above"), x, zero);
        }
        if (defi(o, k, "has_max")) {
            node(o, "Clip", TMP("clipped"), TMP("clipped"), 3, pos, cst(o, b, 0.0f),
                 cst(o, b, deff(o, k, "act_max")));
            pos = TMP("clipped");
        }
        if (alpha == 0.0f) {
            node(o, "Identity", t, y, 1, pos);
        } else {
            node(o, "Sub", TMP("below_by"), TMP("below_by"), 2, cst(o, b, thr), x);
            node(o, "Relu", TMP("below"), TMP("below"), 1, TMP("below_by"));
            node(o, "Mul", TMP("neg"), TMP("neg"), 2, TMP("below"), cst(o, b, alpha));
            node(o, "Sub", t, y, 2, pos, TMP("neg"));
        }
    }
#undef TMP
}

/* ---- layers ------------------------------------------------------------ */

/* Conv (nsp spatial dims) of x (channels-first) with W [cout][cin/group][k...]. */
static Onnx__NodeProto *conv(ox *o, int k, const char *name, const char *x, const char *w,
                             const char *bias, const char *out, int nsp, int group, int pointwise)
{
    Onnx__NodeProto *n = bias ? node(o, "Conv", name, out, 3, x, w, bias) : node(o, "Conv", name, out, 2, x, w);
    const long ks[2] = {defi(o, k, "kh"), defi(o, k, "kw")}, st[2] = {defi(o, k, "sh"), defi(o, k, "sw")},
        dl[2] = {defi(o, k, "dh"), defi(o, k, "dw")},
        pads[4] = {defi(o, k, "pt"), defi(o, k, "pl"), defi(o, k, "pb"), defi(o, k, "pr")},
        pads1[2] = {defi(o, k, "pl"), defi(o, k, "pr")}, ones[2] = {1, 1};
    if (pointwise) {
        attr_ints(o, n, "kernel_shape", nsp, ones);
        return n;
    }
    attr_ints(o, n, "kernel_shape", nsp, nsp == 2 ? ks : ks + 1);
    attr_ints(o, n, "strides", nsp, nsp == 2 ? st : st + 1);
    attr_ints(o, n, "dilations", nsp, nsp == 2 ? dl : dl + 1);
    attr_ints(o, n, "pads", 2 * nsp, nsp == 2 ? pads : pads1);
    if (group > 1)
        attr_i(o, n, "group", group);
    return n;
}

static int refuse(ox *o, int k, const char *why)
{
    return snprintf(o->err, o->errlen, "error: --onnx: layer %s (%s): %s", def(o, k, "name"),
                    def(o, k, "keras"), why), -1;
}

static const char *bias_of(ox *o, const char *name)
{
    const model_tensor *t = rt_model_tensor(name, "bias");
    return t ? weights_as_is(o, t) : NULL;
}

/* Layer k (the definitions' numbering: 0 is the input) on x. */
static int layer(ox *o, int k, ox_val *xp)
{
    ox_val x = *xp;
    const char *name = fmt(o, "%s", def(o, k, "name")), *kind = def(o, k, "kind"), *act = def(o, k, "act");
    const int in_rank = defi(o, k, "in_rank"), out_rank = defi(o, k, "out_rank");
    const int ic = defi(o, k, "ic"), oc = defi(o, k, "oc");
    const int fused = strcmp(act, "linear") != 0;
    if (!act_known(act))
        return refuse(o, k, fmt(o, "activation '%s' has no ONNX form here", act));
    const int is_act_layer = !strcmp(kind, "activation") || !strcmp(kind, "relu") ||
                             !strcmp(kind, "leaky_relu") || !strcmp(kind, "elu");
    /* the main op writes 'main'; a fused activation then writes the layer's name */
    const char *main_out = fused && !is_act_layer ? fmt(o, "%s/preact", name) : name;
    const int conv2 = !strcmp(kind, "conv2d"), conv1 = !strcmp(kind, "conv1d");
    if (x.rank != in_rank)
        return refuse(o, k, "unexpected input rank");
    if (is_act_layer) {
        activation(o, k, act, name, x.name, name);
    } else if (!strcmp(kind, "dense")) {
        x = layout(o, x, 0, name);
        const model_tensor *w = rt_model_tensor(name, "kernel");
        if (!w)
            return refuse(o, k, "no kernel tensor");
        const char *b = bias_of(o, name);
        const char *mm = b ? fmt(o, "%s/matmul", name) : main_out;
        node(o, "MatMul", b ? mm : name, mm, 2, x.name, weights_as_is(o, w));
        if (b)
            node(o, "Add", name, main_out, 2, mm, b);
    } else if (conv2 || conv1) {
        x = layout(o, x, 1, name);
        const model_tensor *t = rt_model_tensor(name, "kernel");
        const int kh = conv2 ? defi(o, k, "kh") : 1, kw = defi(o, k, "kw");
        if (!t || t->size != (long)kh * kw * ic * oc)
            return refuse(o, k, "unexpected kernel tensor");
        const long d2[4] = {oc, ic, kh, kw}, d1[3] = {oc, ic, kw};
        float *w = init_f(o, t->name, conv2 ? 4 : 3, conv2 ? d2 : d1);
        const float *K = o->params + t->offset;   /* [kh][kw][cin][cout] */
        for (int co = 0; co < oc; co++)
            for (int ci = 0; ci < ic; ci++)
                for (int y = 0; y < kh; y++)
                    for (int xx = 0; xx < kw; xx++)
                        w[(((long)co * ic + ci) * kh + y) * kw + xx] = K[(((long)y * kw + xx) * ic + ci) * oc + co];
        conv(o, k, name, x.name, t->name, bias_of(o, name), main_out, conv2 ? 2 : 1, 1, 0);
    } else if (!strcmp(kind, "depthwise_conv2d") || !strcmp(kind, "separable_conv2d")) {
        const int sep = kind[0] == 's', kh = defi(o, k, "kh"), kw = defi(o, k, "kw"), dm = defi(o, k, "dm");
        x = layout(o, x, 1, name);
        const model_tensor *t = rt_model_tensor(name, "depthwise_kernel");
        if (!t || t->size != (long)kh * kw * ic * dm)
            return refuse(o, k, "unexpected depthwise kernel tensor");
        const long d[4] = {(long)ic * dm, 1, kh, kw};
        float *w = init_f(o, t->name, 4, d);
        const float *K = o->params + t->offset;   /* [kh][kw][cin][dm] */
        for (int c = 0; c < ic; c++)
            for (int m = 0; m < dm; m++)
                for (int y = 0; y < kh; y++)
                    for (int xx = 0; xx < kw; xx++)
                        w[(((long)c * dm + m) * kh + y) * kw + xx] = K[(((long)y * kw + xx) * ic + c) * dm + m];
        if (!sep) {
            conv(o, k, name, x.name, t->name, bias_of(o, name), main_out, 2, ic, 0);
        } else {
            const char *dwo = fmt(o, "%s/depthwise", name);
            conv(o, k, dwo, x.name, t->name, NULL, dwo, 2, ic, 0);
            const model_tensor *p = rt_model_tensor(name, "pointwise_kernel");
            const long mid = (long)ic * dm;
            if (!p || p->size != mid * oc)
                return refuse(o, k, "unexpected pointwise kernel tensor");
            const long pd[4] = {oc, mid, 1, 1};
            float *pw = init_f(o, p->name, 4, pd);
            const float *P = o->params + p->offset;   /* [1][1][mid][cout] */
            for (int co = 0; co < oc; co++)
                for (long j = 0; j < mid; j++)
                    pw[co * mid + j] = P[j * oc + co];
            conv(o, k, fmt(o, "%s/pointwise", name), dwo, p->name, bias_of(o, name), main_out, 2, 1, 1);
        }
    } else if (strstr(kind, "pooling") && !strstr(kind, "global")) {
        const int nsp = strstr(kind, "1d") ? 1 : 2, mx = kind[0] == 'm';
        x = layout(o, x, 1, name);
        Onnx__NodeProto *n = node(o, mx ? "MaxPool" : "AveragePool", name, main_out, 1, x.name);
        const long ks[2] = {defi(o, k, "kh"), defi(o, k, "kw")}, st[2] = {defi(o, k, "sh"), defi(o, k, "sw")},
            pads[4] = {defi(o, k, "pt"), defi(o, k, "pl"), defi(o, k, "pb"), defi(o, k, "pr")},
            pads1[2] = {defi(o, k, "pl"), defi(o, k, "pr")};
        attr_ints(o, n, "kernel_shape", nsp, nsp == 2 ? ks : ks + 1);
        attr_ints(o, n, "strides", nsp, nsp == 2 ? st : st + 1);
        attr_ints(o, n, "pads", 2 * nsp, nsp == 2 ? pads : pads1);
        if (!mx)
            attr_i(o, n, "count_include_pad", 0);   /* Keras's 'same' averages the real cells */
    } else if (strstr(kind, "global_") == kind) {
        x = layout(o, x, 0, name);
        Onnx__NodeProto *n = node(o, strstr(kind, "max") ? "ReduceMax" : "ReduceMean", name, main_out, 1, x.name);
        const long axes[2] = {1, 2};
        attr_ints(o, n, "axes", in_rank - 1, axes);
        attr_i(o, n, "keepdims", out_rank > 1);
        x.rank = out_rank;
    } else if (!strcmp(kind, "zero_padding2d") || !strcmp(kind, "zero_padding1d")) {
        long p[8] = {0}, r = x.rank + 1;
        const int hi = x.rank == 3 ? 1 : 0;   /* the index of h, w after the batch (channels-last) */
        const int off = x.cf ? 1 : 0;
        if (x.rank == 3) {
            p[1 + off] = defi(o, k, "pt"), p[r + 1 + off] = defi(o, k, "pb");
        }
        p[1 + hi + off] = defi(o, k, "pl"), p[r + 1 + hi + off] = defi(o, k, "pr");
        const char *pn = fmt(o, "%s/pads", name);
        init_i64(o, pn, (int)(2 * r), p);
        node(o, "Pad", name, main_out, 2, x.name, pn);
    } else if (!strcmp(kind, "batch_normalization")) {
        x = layout(o, x, 1, name);
        const model_tensor *mean = rt_model_tensor(name, "moving_mean"), *var = rt_model_tensor(name, "moving_variance"),
            *g = rt_model_tensor(name, "gamma"), *bt = rt_model_tensor(name, "beta");
        if (!mean || !var)
            return refuse(o, k, "no moving statistics");
        const long d[1] = {oc};
        const char *gn = g ? weights_as_is(o, g) : fmt(o, "%s/gamma", name);
        const char *bn = bt ? weights_as_is(o, bt) : fmt(o, "%s/beta", name);
        if (!g)
            for (float *v = init_f(o, gn, 1, d), *e = v + oc; v < e; v++)
                *v = 1.0f;
        if (!bt)
            init_f(o, bn, 1, d);
        Onnx__NodeProto *n = node(o, "BatchNormalization", name, main_out, 5, x.name, gn, bn,
                                  weights_as_is(o, mean), weights_as_is(o, var));
        attr_f(o, n, "epsilon", deff(o, k, "eps"));
    } else if (!strcmp(kind, "normalization")) {
        x = layout(o, x, 0, name);
        const int f = defi(o, k, "norm_f");
        float *mv = ox_alloc(o, sizeof(float) * 2 * (size_t)f);
        if (defi(o, k, "norm_fixed")) {
            const char *s = def(o, k, "norm_stats");
            for (int i = 0; i < 2 * f; i++) {
                char *e;
                mv[i] = strtof(s, &e);
                if (e == s)
                    return refuse(o, k, "cannot read its constant mean and variance");
                s = e + strspn(e, "f, ");   /* "0.1f, 0.2f, " */
            }
        } else {
            const model_tensor *m = rt_model_tensor(name, "mean"), *v = rt_model_tensor(name, "variance");
            if (!m || !v || m->size != f || v->size != f)
                return refuse(o, k, "no adapted mean and variance");
            memcpy(mv, o->params + m->offset, sizeof(float) * (size_t)f);
            memcpy(mv + f, o->params + v->offset, sizeof(float) * (size_t)f);
        }
        const long d[1] = {f};
        const char *mn = fmt(o, "%s/mean", name), *dn = fmt(o, "%s/scale", name);
        float *mean = init_f(o, mn, 1, d), *dv = init_f(o, dn, 1, d);
        for (int i = 0; i < f; i++)
            mean[i] = mv[i], dv[i] = fmaxf(sqrtf(mv[f + i]), 1e-7f);
        if (defi(o, k, "norm_invert")) {   /* mean + x * d */
            const char *t = fmt(o, "%s/times", name);
            node(o, "Mul", t, t, 2, x.name, dn);
            node(o, "Add", name, main_out, 2, t, mn);
        } else {   /* (x - mean) / d */
            const char *t = fmt(o, "%s/centred", name);
            node(o, "Sub", t, t, 2, x.name, mn);
            node(o, "Div", name, main_out, 2, t, dn);
        }
    } else if (!strcmp(kind, "flatten")) {
        x = layout(o, x, 0, name);
        attr_i(o, node(o, "Flatten", name, main_out, 1, x.name), "axis", 1);
        x.rank = 1;
    } else if (!strcmp(kind, "reshape")) {
        x = layout(o, x, 0, name);
        long s[4] = {-1}, n = 1;
        if (out_rank == 3)
            s[n++] = defi(o, k, "oh");
        if (out_rank >= 2)
            s[n++] = defi(o, k, "ow");
        s[n++] = oc;
        const char *sn = fmt(o, "%s/shape", name);
        init_i64(o, sn, (int)n, s);
        node(o, "Reshape", name, main_out, 2, x.name, sn);
        x.rank = out_rank;
    } else if (!strcmp(kind, "dropout")) {
        node(o, "Identity", name, main_out, 1, x.name);   /* inference: no dropout */
    } else {
        return refuse(o, k, "this kind does not export to ONNX yet");
    }
    if (fused && !is_act_layer)
        activation(o, k, act, name, main_out, name);
    x.name = name;
    if (x.rank != out_rank)
        return refuse(o, k, "unexpected output rank");
    *xp = x;
    return 0;
}

static Onnx__ValueInfoProto *value_info(ox *o, const char *name, int rank, const long *dims)
{
    Onnx__ValueInfoProto *v = ox_alloc(o, sizeof *v);
    onnx__value_info_proto__init(v);
    v->name = (char *)name;
    Onnx__TypeProto *t = ox_alloc(o, sizeof *t);
    onnx__type_proto__init(t);
    Onnx__TypeProto__Tensor *tt = ox_alloc(o, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    Onnx__TensorShapeProto *s = ox_alloc(o, sizeof *s);
    onnx__tensor_shape_proto__init(s);
    s->n_dim = (size_t)rank + 1;
    s->dim = ox_alloc(o, sizeof *s->dim * s->n_dim);
    for (int i = 0; i <= rank; i++) {
        Onnx__TensorShapeProto__Dimension *d = ox_alloc(o, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        if (i == 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = "N";
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i - 1];
        }
        s->dim[i] = d;
    }
    tt->shape = s;
    t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->tensor_type = tt;
    v->type = t;
    return v;
}

/* The shape of a seqc value of rank r, channels-last, without the batch. */
static int keras_dims(int rank, int h, int w, int c, long *d)
{
    int n = 0;
    if (rank == 3)
        d[n++] = h;
    if (rank >= 2)
        d[n++] = w;
    d[n++] = c;
    return n;
}

static int build(ox *o, Onnx__GraphProto *g)
{
    if (read_defs(o))
        return -1;
    if (defi(o, 0, "in_rank") != MODEL_IN_RANK || strcmp(def(o, 0, "kind"), "input"))
        return snprintf(o->err, o->errlen, "%s: error: not this model's definitions", RT_DEFS), -1;
    ox_val x = {"input", MODEL_IN_RANK, 0};
    for (int k = 1; k <= MODEL_N_LAYERS; k++) {
        if (strcmp(def(o, k, "name"), model_layers[k - 1].name))
            return snprintf(o->err, o->errlen, "%s: error: layer %d is not %s: the definitions are "
                            "not this model's", RT_DEFS, k, model_layers[k - 1].name), -1;
        if (layer(o, k, &x))
            return -1;
    }
    const model_layer *last = &model_layers[MODEL_N_LAYERS - 1];
    x = layout(o, x, 0, last->name);
    static const char *const out_op[] = {"Identity", "Softmax", "Sigmoid"};
    Onnx__NodeProto *n = node(o, out_op[MODEL_OUT_ACT >= 0 && MODEL_OUT_ACT <= 2 ? MODEL_OUT_ACT : 0],
                              "output", "output", 1, x.name);
    if (MODEL_OUT_ACT == 1)
        attr_i(o, n, "axis", -1);
    long din[3], dout[3];
    int rin = MODEL_IN_RANK == 1 ? (din[0] = MODEL_N_INPUT, 1)
                                 : keras_dims(MODEL_IN_RANK, MODEL_IN_H, MODEL_IN_W, MODEL_IN_C, din);
    int rout = keras_dims(last->rank, last->h, last->w, last->c, dout);
    g->name = MODEL_NAME;
    g->n_input = 1;
    g->input = ox_alloc(o, sizeof *g->input);
    g->input[0] = value_info(o, "input", rin, din);
    g->n_output = 1;
    g->output = ox_alloc(o, sizeof *g->output);
    g->output[0] = value_info(o, "output", rout, dout);
    g->n_node = o->n_node;
    g->node = o->node;
    g->n_initializer = o->n_init;
    g->initializer = o->init;
    return 0;
}

int rt_export_onnx(const char *weights, const char *path, char *err, size_t errlen)
{
    ox o = {0};
    o.err = err;
    o.errlen = errlen;
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    if (!params)
        return snprintf(err, errlen, "error: out of memory"), -1;
    int rc = rt_weights_load(weights, params, err, errlen);
    o.params = params;
    Onnx__GraphProto g;
    onnx__graph_proto__init(&g);
    if (rc == 0)
        rc = build(&o, &g);
    if (rc == 0) {
        Onnx__OperatorSetIdProto opset;
        onnx__operator_set_id_proto__init(&opset);
        opset.domain = "";
        opset.has_version = 1;
        opset.version = OX_OPSET;
        Onnx__OperatorSetIdProto *opsets[1] = {&opset};
        Onnx__ModelProto m;
        onnx__model_proto__init(&m);
        m.has_ir_version = 1;
        m.ir_version = OX_IR_VERSION;
        m.producer_name = "seqc";
        m.producer_version = "1";
        m.n_opset_import = 1;
        m.opset_import = opsets;
        m.graph = &g;
        size_t len = onnx__model_proto__get_packed_size(&m);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) {
            snprintf(err, errlen, "error: out of memory");
            rc = -1;
        } else {
            onnx__model_proto__pack(&m, buf);
            rc = rt_write_atomic(path, buf, len, err, errlen);
            free(buf);
        }
    }
    ox_free(&o);
    free(params);
    return rc;
}
