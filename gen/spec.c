/* spec.c - pass 1: YAML text -> gen_model, every value typed and range
 * checked at the mark where the user wrote it.
 *
 * Uses libyaml's document API so that semantic errors carry line:col too.
 * Aliases are refused outright: a node referenced twice is how "billion
 * laughs" documents blow up, and a model spec never needs one. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "layers.h"

#define SPEC_MAX_BYTES (1L << 20)   /* a spec is a few hundred bytes */
#define SPEC_MAX_LAYERS 256

typedef struct ctx {
    const char *path;
    yaml_document_t *doc;
    gen_model *m;
} ctx;

static gen_mark mark_of(const yaml_node_t *n)
{
    gen_mark k = {(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
    return k;
}

/* Spec text echoed in messages: printable ASCII only, and short. */
static const char *shown(const yaml_node_t *n)
{
    static char buf[40];
    size_t i = 0;
    if (n->type != YAML_SCALAR_NODE)
        return n->type == YAML_MAPPING_NODE ? "a mapping" : "a list";
    for (; i < n->data.scalar.length && i < sizeof buf - 4; i++) {
        unsigned char c = n->data.scalar.value[i];
        buf[i] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    if (i < n->data.scalar.length)
        buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
    buf[i] = 0;
    return buf;
}

static int fail(ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gen_error(c->path, mark_of(n), "%s", msg);
    return -1;
}

static yaml_node_t *node(ctx *c, int id) { return yaml_document_get_node(c->doc, id); }

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain (unquoted) empty or "null"/"~" scalar: "- flatten:" */
static int is_null(const yaml_node_t *n)
{
    const char *s = scalar(n);
    return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*s || !strcmp(s, "null") || !strcmp(s, "~"));
}

/* ---- typed scalars ------------------------------------------------------ */

static int get_long(ctx *c, yaml_node_t *n, const char *key, long lo, long hi, long *out)
{
    const char *s = scalar(n);
    char *end;
    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail(c, n, "'%s' must be an integer, got %s", key, s ? "a quoted string" : shown(n));
    if (strlen(s) != n->data.scalar.length)
        return fail(c, n, "'%s' contains a NUL byte", key);
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end)
        return fail(c, n, "'%s' must be an integer, got '%s'", key, shown(n));
    if (errno == ERANGE || v < lo || v > hi)
        return fail(c, n, "'%s' must be between %ld and %ld, got '%s'", key, lo, hi, shown(n));
    *out = v;
    return 0;
}

static int get_int(ctx *c, yaml_node_t *n, const char *key, int lo, int hi, int *out)
{
    long v;
    if (get_long(c, n, key, lo, hi, &v))
        return -1;
    *out = (int)v;
    return 0;
}

static int get_double(ctx *c, yaml_node_t *n, const char *key, double lo, double hi,
                      int hi_open, double *out)
{
    const char *s = scalar(n);
    char *end;
    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail(c, n, "'%s' must be a number, got %s", key, s ? "a quoted string" : shown(n));
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || strlen(s) != n->data.scalar.length)
        return fail(c, n, "'%s' must be a number, got '%s'", key, shown(n));
    if (errno == ERANGE || !isfinite(v) || v < lo || v > hi || (hi_open && v >= hi))
        return fail(c, n, "'%s' must be in [%g, %g%s, got '%s'", key, lo, hi,
                    hi_open ? ")" : "]", shown(n));
    *out = v;
    return 0;
}

static int get_word(ctx *c, yaml_node_t *n, const char *key, const char *const *words, int *out)
{
    const char *s = scalar(n);
    char list[256] = "";
    for (int i = 0; words[i]; i++) {
        if (s && !strcmp(s, words[i]) && strlen(s) == n->data.scalar.length) {
            *out = i;
            return 0;
        }
        strcat(strcat(list, i ? ", " : ""), words[i]);
    }
    return fail(c, n, "'%s' must be one of %s; got '%s'", key, list, shown(n));
}

/* An int, or a list of exactly 'count' ints (kernel_size: 5 or [5, 3]). */
static int get_ints(ctx *c, yaml_node_t *n, const char *key, int lo, int hi, int count, int *out)
{
    if (n->type == YAML_SCALAR_NODE) {
        if (get_int(c, n, key, lo, hi, &out[0]))
            return -1;
        for (int i = 1; i < count; i++)
            out[i] = out[0];
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE ||
        n->data.sequence.items.top - n->data.sequence.items.start != count)
        return fail(c, n, "'%s' must be an integer or a list of %d integers", key, count);
    for (int i = 0; i < count; i++)
        if (get_int(c, node(c, n->data.sequence.items.start[i]), key, lo, hi, &out[i]))
            return -1;
    return 0;
}

/* ---- identifiers and paths that will reach m4 and C --------------------- */

static int get_ident(ctx *c, yaml_node_t *n, const char *key, char *out)
{
    const char *s = scalar(n);
    if (!s || strlen(s) != n->data.scalar.length || !gen_valid_ident(s))
        return fail(c, n, "'%s' must match [A-Za-z][A-Za-z0-9_]* (at most %d characters, "
                    "not starting with m4_ or seqc_, not a C keyword); got '%s'",
                    key, GEN_NAME_MAX, shown(n));
    strcpy(out, s);
    return 0;
}

static int get_path(ctx *c, yaml_node_t *n, const char *key, char *out)
{
    const char *s = scalar(n);
    size_t len = s ? strlen(s) : 0;
    int ok = s && len && len == n->data.scalar.length && len <= GEN_PATH_MAX &&
             !strstr(s, "m4_") && !strstr(s, "seqc_");
    for (size_t i = 0; ok && i < len; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || strchr("_./-+", s[i]);
    if (!ok)
        return fail(c, n, "'%s' must be a path of letters, digits and _./-+ "
                    "(at most %d characters); got '%s'", key, GEN_PATH_MAX, shown(n));
    strcpy(out, s);
    return 0;
}

/* ---- mappings ---------------------------------------------------------- */

typedef int (*pair_fn)(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg);

/* Visit every key: value of a mapping; keys must be plain strings. */
static int each_pair(ctx *c, yaml_node_t *map, const char *what, pair_fn fn, void *arg)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail(c, map, "%s must be a mapping (key: value), got %s", what, shown(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
        if (!scalar(k) || strlen(scalar(k)) != k->data.scalar.length)
            return fail(c, k, "keys in %s must be plain strings", what);
        if (fn(c, scalar(k), k, v, arg))
            return -1;
    }
    return 0;
}

/* ---- layers ------------------------------------------------------------ */

/* The activation names a spec may write, in gen_act order (relu_full is
 * internal: the relu layer with options). */
static const char *const act_words[] = {
    "linear", "relu", "sigmoid", "tanh", "softmax", "relu6", "leaky_relu", "elu", "selu",
    "gelu", "gelu_tanh", "silu", "swish", "softplus", "softsign", "hard_sigmoid", "hard_silu",
    "hard_swish", "exponential", NULL};
static const char *const pad_words[] = {"valid", "same", "causal", NULL};
static const char *const bool_words[] = {"false", "true", NULL};

static const struct { const char *key; unsigned bit; } opt_keys[] = {
    {"name", GEN_OPT_NAME}, {"units", GEN_OPT_UNITS}, {"filters", GEN_OPT_FILTERS},
    {"kernel_size", GEN_OPT_KERNEL}, {"strides", GEN_OPT_STRIDES},
    {"pool_size", GEN_OPT_POOL}, {"padding", GEN_OPT_PADDING},
    {"activation", GEN_OPT_ACT}, {"use_bias", GEN_OPT_BIAS}, {"rate", GEN_OPT_RATE},
    {"shape", GEN_OPT_SHAPE}, {"dilation_rate", GEN_OPT_DILATION},
    {"depth_multiplier", GEN_OPT_DM}, {"momentum", GEN_OPT_MOMENTUM},
    {"epsilon", GEN_OPT_EPSILON}, {"center", GEN_OPT_CENTER}, {"scale", GEN_OPT_SCALE},
    {"axis", GEN_OPT_AXIS}, {"target_shape", GEN_OPT_TARGET}, {"max_value", GEN_OPT_MAXV},
    {"negative_slope", GEN_OPT_SLOPE}, {"threshold", GEN_OPT_THRESHOLD},
    {"alpha", GEN_OPT_ALPHA}, {"kernel_regularizer", GEN_OPT_KREG},
    {"bias_regularizer", GEN_OPT_BREG}, {"depthwise_regularizer", GEN_OPT_DREG},
    {"pointwise_regularizer", GEN_OPT_PREG}, {"mean", GEN_OPT_MEAN},
    {"variance", GEN_OPT_VARIANCE}, {"invert", GEN_OPT_INVERT},
};

static unsigned opt_bit(const char *key)
{
    for (size_t i = 0; i < sizeof opt_keys / sizeof opt_keys[0]; i++)
        if (!strcmp(opt_keys[i].key, key))
            return opt_keys[i].bit;
    return 0;
}

static void opt_list(unsigned opts, char *buf)
{
    *buf = 0;
    for (size_t i = 0; i < sizeof opt_keys / sizeof opt_keys[0]; i++)
        if (opts & opt_keys[i].bit)
            strcat(strcat(buf, *buf ? ", " : ""), opt_keys[i].key);
}

static int is_1d(const gen_layer *l)
{
    switch (l->kind->id) {
    case GEN_CONV1D: case GEN_MAXPOOL1D: case GEN_AVGPOOL1D: case GEN_ZPAD1D:
        return 1;
    default:
        return 0;
    }
}

/* zero_padding2d: p, [ph, pw] or [[top, bottom], [left, right]];
 * zero_padding1d: p or [left, right] */
static int get_zpad(ctx *c, yaml_node_t *v, gen_layer *l)
{
    const char *key = "padding";
    int *zp = l->zp;
    if (is_1d(l)) {
        zp[0] = zp[1] = 0;
        return get_ints(c, v, key, 0, GEN_DIM_MAX, v->type == YAML_SEQUENCE_NODE ? 2 : 1, zp + 2) ? -1 :
               (v->type == YAML_SEQUENCE_NODE ? 0 : (zp[3] = zp[2], 0));
    }
    if (v->type == YAML_SEQUENCE_NODE && v->data.sequence.items.top - v->data.sequence.items.start == 2 &&
        node(c, v->data.sequence.items.start[0])->type == YAML_SEQUENCE_NODE) {
        for (int i = 0; i < 2; i++)
            if (get_ints(c, node(c, v->data.sequence.items.start[i]), key, 0, GEN_DIM_MAX, 2, zp + 2 * i))
                return -1;
        return 0;
    }
    int hw[2];
    if (get_ints(c, v, key, 0, GEN_DIM_MAX, 2, hw))
        return -1;
    zp[0] = zp[1] = hw[0];
    zp[2] = zp[3] = hw[1];
    return 0;
}

/* input shape: [h, w, c], [steps, c] or [n]; reshape's target_shape may
 * hold one -1. */
static int get_shape(ctx *c, yaml_node_t *v, gen_layer *l, const char *key, int lo)
{
    long n = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.top - v->data.sequence.items.start : 0;
    int unknown = 0;
    if (n < 1 || n > 3)
        return fail(c, v, "'%s' must be [height, width, channels], [steps, channels] or [features]", key);
    l->rank = (int)n;
    for (int i = 0; i < n; i++) {
        if (get_int(c, node(c, v->data.sequence.items.start[i]), key, lo, GEN_DIM_MAX, &l->shape[i]))
            return -1;
        if (l->shape[i] == 0 || (l->shape[i] == -1 && unknown++))
            return fail(c, node(c, v->data.sequence.items.start[i]),
                        "'%s' allows one -1 and no zero", key);
    }
    return 0;
}

/* kernel_regularizer: l1 | l2 (0.01, as Keras 3's strings) or {l1: a, l2: b} */
static int reg_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_reg *r = arg;
    if (!strcmp(key, "l1"))
        return get_double(c, v, key, 0.0, 1e6, 0, &r->l1);
    if (!strcmp(key, "l2"))
        return get_double(c, v, key, 0.0, 1e6, 0, &r->l2);
    return fail(c, k, "a regularizer has no option '%s'; it takes: l1, l2", shown(k));
}

static int get_reg(ctx *c, yaml_node_t *v, const char *key, gen_reg *r)
{
    const char *s = scalar(v);
    r->l1 = r->l2 = 0.0;
    if (s && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(s, "l1"))
        return r->l1 = 0.01, 0;
    if (s && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(s, "l2"))
        return r->l2 = 0.01, 0;
    if (v->type != YAML_MAPPING_NODE)
        return fail(c, v, "'%s' must be l1, l2 or {l1: A, l2: B}; got '%s'", key, shown(v));
    return each_pair(c, v, key, reg_opt, r);
}

/* kernel_size, strides, pool_size, dilation_rate: [h, w] pairs; 1-D kinds
 * take one number (or a list of one) for the steps axis, height 1. */
static int get_window(ctx *c, yaml_node_t *v, gen_layer *l, const char *key, int *h, int *w)
{
    int pair[2];
    if (is_1d(l)) {
        if (get_ints(c, v, key, 1, GEN_DIM_MAX, 1, pair))
            return -1;
        *h = 1, *w = pair[0];
        return 0;
    }
    if (get_ints(c, v, key, 1, GEN_DIM_MAX, 2, pair))
        return -1;
    *h = pair[0], *w = pair[1];
    return 0;
}

/* normalization's mean / variance: a number or a flat list of numbers
 * (Keras broadcasts them to the kept axis; lower.c checks the length). */
static int get_stats(ctx *c, yaml_node_t *v, const char *key, double lo, int *n, double **out)
{
    long count = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.top - v->data.sequence.items.start : 1;
    if (v->type == YAML_MAPPING_NODE || count < 1 || count > GEN_DIM_MAX)
        return fail(c, v, "'%s' must be a number or a list of 1 to %d numbers (one per feature)",
                    key, GEN_DIM_MAX);
    free(*out);
    *n = 0;
    if (!(*out = malloc((size_t)count * sizeof **out)))
        return fail(c, v, "out of memory");
    for (long i = 0; i < count; i++) {
        yaml_node_t *e = v->type == YAML_SEQUENCE_NODE ? node(c, v->data.sequence.items.start[i]) : v;
        if (e->type == YAML_SEQUENCE_NODE)
            return fail(c, e, "'%s' must be a flat list: one value per feature of the last axis", key);
        if (get_double(c, e, key, lo, 1e30, 0, &(*out)[i]))
            return -1;
    }
    *n = (int)count;
    return 0;
}

static int set_act(ctx *c, yaml_node_t *v, gen_layer *l)
{
    int word;
    l->act_mark = mark_of(v);
    if (get_word(c, v, "activation", act_words, &word))
        return -1;
    l->act = (gen_act)word;
    /* Keras 3 keras.activations defaults: leaky_relu 0.2, elu 1.0 */
    l->alpha = l->act == GEN_ACT_LEAKY_RELU ? 0.2 : l->act == GEN_ACT_ELU ? 1.0 : 0.0;
    return 0;
}

static int layer_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_layer *l = arg;
    unsigned bit = opt_bit(key);
    int word;
    if (l->kind->id == GEN_LEAKY_RELU && !strcmp(key, "alpha"))
        bit = GEN_OPT_SLOPE;   /* Keras 2's spelling of negative_slope */
    if (!strcmp(key, "trainable")) {   /* every Keras layer takes it */
        if (get_word(c, v, key, bool_words, &word))
            return -1;
        l->frozen = !word;
        return 0;
    }
    if (!bit || !(l->kind->opts & bit)) {
        char list[512];
        opt_list(l->kind->opts, list);
        return fail(c, k, "%s has no option '%s'; it takes: %s", l->kind->name, shown(k), list);
    }
    switch (bit) {
    case GEN_OPT_NAME:
        l->named = 1;
        l->name_mark = mark_of(v);
        return get_ident(c, v, key, l->name);
    case GEN_OPT_UNITS:
    case GEN_OPT_FILTERS:
        return get_int(c, v, key, 1, GEN_DIM_MAX, &l->units);
    case GEN_OPT_KERNEL:
    case GEN_OPT_POOL:
        return get_window(c, v, l, key, &l->kh, &l->kw);
    case GEN_OPT_STRIDES:
        l->strides_given = 1;
        return get_window(c, v, l, key, &l->sh, &l->sw);
    case GEN_OPT_DILATION:
        return get_window(c, v, l, key, &l->dh, &l->dw);
    case GEN_OPT_DM:
        return get_int(c, v, key, 1, GEN_DIM_MAX, &l->dm);
    case GEN_OPT_PADDING:
        if (l->kind->id == GEN_ZPAD || l->kind->id == GEN_ZPAD1D)
            return get_zpad(c, v, l);
        if (get_word(c, v, key, pad_words, &word))
            return -1;
        if (word == 2 && l->kind->id != GEN_CONV1D)
            return fail(c, v, "padding 'causal' is only for conv1d");
        l->same = word == 1;
        l->causal = word == 2;
        return 0;
    case GEN_OPT_ACT:
        return set_act(c, v, l);
    case GEN_OPT_BIAS:
    case GEN_OPT_CENTER:
    case GEN_OPT_SCALE:
        if (get_word(c, v, key, bool_words, &word))
            return -1;
        *(bit == GEN_OPT_BIAS ? &l->use_bias : bit == GEN_OPT_CENTER ? &l->center : &l->scale) = word;
        return 0;
    case GEN_OPT_RATE:
        return get_double(c, v, key, 0.0, 1.0, 1, &l->rate);
    case GEN_OPT_SHAPE:
        return get_shape(c, v, l, key, 1);
    case GEN_OPT_TARGET:
        return get_shape(c, v, l, key, -1);
    case GEN_OPT_MOMENTUM:
        return get_double(c, v, key, 0.0, 1.0, 0, &l->momentum);
    case GEN_OPT_EPSILON:
        return get_double(c, v, key, 1e-30, 1.0, 0, &l->eps);
    case GEN_OPT_AXIS:
        if (l->kind->id == GEN_NORMALIZATION && (is_null(v) || (scalar(v) &&
            v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(scalar(v), "None"))))
            return l->norm_all = 1, 0;   /* Keras axis=None: one mean and variance for all */
        if (get_int(c, v, key, -4, 4, &word))
            return -1;
        if (l->kind->id != GEN_NORMALIZATION)
            return word == -1 ? 0 : fail(c, v, "batch_normalization supports axis -1 only (the channels)");
        if (word == 0)
            return fail(c, v, "normalization: axis 0 is the batch axis; use -1 (the last axis) or null");
        if (word < -1)
            return fail(c, v, "normalization supports axis -1 (the last axis, or its positive index) "
                        "and null only; got %d", word);
        l->norm_axis = word;   /* a positive one must be the last axis: lower.c checks */
        return 0;
    case GEN_OPT_MEAN:
        l->given_mark = mark_of(v);
        return get_stats(c, v, key, -1e30, &l->n_given, &l->given_mean);
    case GEN_OPT_VARIANCE:
        return get_stats(c, v, key, 0.0, &l->n_given_var, &l->given_var);
    case GEN_OPT_INVERT:
        if (get_word(c, v, key, bool_words, &word))
            return -1;
        l->invert = word;
        return 0;
    case GEN_OPT_MAXV:   /* null, ~ or Python's None: no maximum */
        if (is_null(v) || (scalar(v) && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                           (!strcmp(scalar(v), "None") || !strcmp(scalar(v), "none"))))
            return l->act_max = -1.0, 0;
        return get_double(c, v, key, 0.0, 1e30, 0, &l->act_max);
    case GEN_OPT_SLOPE:
        return get_double(c, v, key, 0.0, 1e6, 0, &l->alpha);
    case GEN_OPT_THRESHOLD:
        return get_double(c, v, key, 0.0, 1e30, 0, &l->act_thr);   /* Keras: >= 0 */
    case GEN_OPT_ALPHA:
        return get_double(c, v, key, 0.0, 1e6, 0, &l->alpha);
    case GEN_OPT_KREG:
    case GEN_OPT_DREG:
        return get_reg(c, v, key, &l->reg_kernel);
    case GEN_OPT_BREG:
        return get_reg(c, v, key, &l->reg_bias);
    case GEN_OPT_PREG:
        return get_reg(c, v, key, &l->reg_point);
    }
    return 0;
}

static gen_layer *new_layer(ctx *c, const gen_kind *kind, yaml_node_t *item)
{
    gen_model *m = c->m;
    if (m->n_layers == m->cap_layers) {
        int cap = m->cap_layers ? 2 * m->cap_layers : 16;
        gen_layer *p = realloc(m->layers, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        m->layers = p;
        m->cap_layers = cap;
    }
    gen_layer *l = &m->layers[m->n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->mark = mark_of(item);
    l->kh = l->kw = 2;  /* pool_size default (2, 2) */
    l->sh = l->sw = 1;
    l->dh = l->dw = 1;
    l->dm = 1;
    l->use_bias = 1;
    l->momentum = 0.99, l->eps = 1e-3, l->center = l->scale = 1;   /* BatchNormalization */
    l->act_max = -1.0;
    l->norm_axis = -1;     /* Normalization */
    if (kind->id == GEN_ZPAD1D)
        l->zp[0] = l->zp[1] = 0;
    if (is_1d(l))
        l->kh = 1;         /* pool_size default 2 */
    /* the activation layers with options (Keras 3 defaults) */
    if (kind->id == GEN_RELU)
        l->act = GEN_ACT_RELU_FULL;
    else if (kind->id == GEN_LEAKY_RELU)
        l->act = GEN_ACT_LEAKY_RELU, l->alpha = 0.3;
    else if (kind->id == GEN_ELU)
        l->act = GEN_ACT_ELU, l->alpha = 1.0;
    l->zp[0] = l->zp[1] = l->zp[2] = l->zp[3] = 1;  /* ZeroPadding2D default */
    return l;
}

static int layer_item(ctx *c, yaml_node_t *item)
{
    if (item->type != YAML_MAPPING_NODE ||
        item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
        return fail(c, item, "each layer must be a mapping with one key, the layer kind "
                    "(for example '- dense: {units: 10}')");
    yaml_node_t *k = node(c, item->data.mapping.pairs.start->key);
    yaml_node_t *v = node(c, item->data.mapping.pairs.start->value);
    const gen_kind *kind = scalar(k) ? gen_find_kind(scalar(k)) : NULL;
    if (!kind) {
        char list[1024] = "";
        for (int i = 0; i < gen_n_kinds; i++)
            strcat(strcat(list, i ? ", " : ""), gen_kinds[i].name);
        return fail(c, k, "unknown layer kind '%s'; known kinds: %s", shown(k), list);
    }
    if (c->m->n_layers >= SPEC_MAX_LAYERS)
        return fail(c, item, "too many layers (at most %d)", SPEC_MAX_LAYERS);
    gen_layer *l = new_layer(c, kind, item);
    if (!l)
        return fail(c, item, "out of memory");
    if (kind->id == GEN_ACTIVATION && v->type == YAML_SCALAR_NODE && !is_null(v))
        return set_act(c, v, l);   /* "- activation: relu" */
    if (!is_null(v) && each_pair(c, v, kind->name, layer_opt, l))
        return -1;
    unsigned given = 0;
    if (v->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
            given |= opt_bit(scalar(node(c, p->key)));
    for (size_t i = 0; i < sizeof opt_keys / sizeof opt_keys[0]; i++)
        if ((kind->required & opt_keys[i].bit) && !(given & opt_keys[i].bit))
            return fail(c, item, "%s needs '%s'", kind->name, opt_keys[i].key);
    if ((kind->id == GEN_MAXPOOL || kind->id == GEN_AVGPOOL || kind->id == GEN_MAXPOOL1D ||
         kind->id == GEN_AVGPOOL1D) && !l->strides_given)
        l->sh = l->kh, l->sw = l->kw;   /* Keras: strides default to pool_size */
    if ((l->dh > 1 || l->dw > 1) && (l->sh > 1 || l->sw > 1))
        return fail(c, item, "%s: strides > 1 cannot be combined with dilation_rate > 1 "
                    "(as in Keras)", kind->name);
    return 0;
}

static int parse_layers(ctx *c, yaml_node_t *v)
{
    c->m->layers_mark = mark_of(v);
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "'layers' must be a list");
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
        if (layer_item(c, node(c, *i)))
            return -1;
    return 0;
}

/* ---- optimizer, train, data ---------------------------------------------- */

/* Keras 3's optimizers (keras/src/optimizers/NAME.py), their options and
 * defaults.  Every optimizer takes the base optimizer's learning_rate,
 * weight_decay and one of clipnorm, clipvalue, global_clipnorm. */
static const char *const optim_words[] = {"sgd", "rmsprop", "adam", "adamw", "adagrad", "nadam", NULL};

const char *gen_optim_name(gen_optim_kind k)
{
    return k >= 0 && k < GEN_OPTIM_COUNT ? optim_words[k] : "?";
}

/* The state arrays, each the size of the parameters, that the optimizer
 * keeps (runtime/optim.c allocates the same). */
int gen_optim_slots(const gen_optim *o)
{
    switch (o->kind) {
    case GEN_OPTIM_SGD: return o->momentum != 0.0;
    case GEN_OPTIM_RMSPROP: return 1 + (o->momentum > 0.0) + o->centered;
    case GEN_OPTIM_ADAM: case GEN_OPTIM_ADAMW: return 2 + o->amsgrad;
    case GEN_OPTIM_ADAGRAD: return 1;
    case GEN_OPTIM_NADAM: return 2;
    default: return 0;
    }
}

enum {
    O_LR = 1u << 0, O_RHO = 1u << 1, O_MOMENTUM = 1u << 2, O_NESTEROV = 1u << 3,
    O_INIT_ACC = 1u << 4, O_BETA_1 = 1u << 5, O_BETA_2 = 1u << 6, O_EPSILON = 1u << 7,
    O_CENTERED = 1u << 8, O_AMSGRAD = 1u << 9, O_WD = 1u << 10, O_CLIPNORM = 1u << 11,
    O_CLIPVALUE = 1u << 12, O_GCLIPNORM = 1u << 13,
    O_BASE = O_LR | O_WD | O_CLIPNORM | O_CLIPVALUE | O_GCLIPNORM
};

static const struct { const char *key; unsigned bit; } optim_keys[] = {
    {"learning_rate", O_LR}, {"rho", O_RHO}, {"momentum", O_MOMENTUM}, {"nesterov", O_NESTEROV},
    {"initial_accumulator_value", O_INIT_ACC}, {"beta_1", O_BETA_1}, {"beta_2", O_BETA_2},
    {"epsilon", O_EPSILON}, {"centered", O_CENTERED}, {"amsgrad", O_AMSGRAD},
    {"weight_decay", O_WD}, {"clipnorm", O_CLIPNORM}, {"clipvalue", O_CLIPVALUE},
    {"global_clipnorm", O_GCLIPNORM},
};

/* the options each optimizer takes, in gen_optim_kind order */
static const unsigned optim_opts[GEN_OPTIM_COUNT] = {
    O_BASE | O_MOMENTUM | O_NESTEROV,                              /* sgd */
    O_BASE | O_RHO | O_MOMENTUM | O_EPSILON | O_CENTERED,          /* rmsprop */
    O_BASE | O_BETA_1 | O_BETA_2 | O_EPSILON | O_AMSGRAD,          /* adam */
    O_BASE | O_BETA_1 | O_BETA_2 | O_EPSILON | O_AMSGRAD,          /* adamw */
    O_BASE | O_INIT_ACC | O_EPSILON,                               /* adagrad */
    O_BASE | O_BETA_1 | O_BETA_2 | O_EPSILON,                      /* nadam */
};

/* Keras 3's defaults for optimizer k; the model's optimizer until the spec
 * says otherwise (adam). */
static void optim_defaults(gen_model *m, gen_optim_kind k)
{
    memset(&m->opt, 0, sizeof m->opt);
    m->opt.kind = k;
    m->lr = k == GEN_OPTIM_SGD ? 0.01 : 0.001;
    m->beta_1 = 0.9, m->beta_2 = 0.999, m->epsilon = 1e-7;
    m->opt.rho = 0.9;
    m->opt.init_accum = 0.1;
    m->opt.weight_decay = k == GEN_OPTIM_ADAMW ? 0.004 : 0.0;
}

/* ---- learning-rate schedules (optimizers/schedules/learning_rate_schedule.py) */

static const char *const sched_words[] = {"exponential_decay", "piecewise_constant_decay",
                                          "cosine_decay", NULL};

enum {
    S_INITIAL = 1u << 0, S_DECAY_STEPS = 1u << 1, S_DECAY_RATE = 1u << 2, S_STAIRCASE = 1u << 3,
    S_BOUNDARIES = 1u << 4, S_VALUES = 1u << 5, S_ALPHA = 1u << 6, S_WARMUP_TARGET = 1u << 7,
    S_WARMUP_STEPS = 1u << 8
};

static const struct { const char *key; unsigned bit; } sched_keys[] = {
    {"initial_learning_rate", S_INITIAL}, {"decay_steps", S_DECAY_STEPS},
    {"decay_rate", S_DECAY_RATE}, {"staircase", S_STAIRCASE}, {"boundaries", S_BOUNDARIES},
    {"values", S_VALUES}, {"alpha", S_ALPHA}, {"warmup_target", S_WARMUP_TARGET},
    {"warmup_steps", S_WARMUP_STEPS},
};

/* per schedule (sched_words order): the options it takes, those it needs */
static const unsigned sched_opts[3][2] = {
    {S_INITIAL | S_DECAY_STEPS | S_DECAY_RATE | S_STAIRCASE, S_INITIAL | S_DECAY_STEPS | S_DECAY_RATE},
    {S_BOUNDARIES | S_VALUES, S_BOUNDARIES | S_VALUES},
    {S_INITIAL | S_DECAY_STEPS | S_ALPHA | S_WARMUP_TARGET | S_WARMUP_STEPS, S_INITIAL | S_DECAY_STEPS},
};

typedef struct sched_arg {
    gen_model *m;
    int which;                 /* index into sched_words */
    unsigned given;
    double initial;
    yaml_node_t *values;       /* for the count check */
    int n_values;
} sched_arg;

static long seq_len(const yaml_node_t *n)
{
    return n->data.sequence.items.top - n->data.sequence.items.start;
}

static int sched_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    sched_arg *a = arg;
    gen_optim *o = &a->m->opt;
    unsigned bit = 0;
    int word;
    long n;
    for (size_t i = 0; i < sizeof sched_keys / sizeof sched_keys[0]; i++)
        if (!strcmp(sched_keys[i].key, key))
            bit = sched_keys[i].bit;
    if (!(bit & sched_opts[a->which][0])) {
        char list[256] = "";
        for (size_t i = 0; i < sizeof sched_keys / sizeof sched_keys[0]; i++)
            if (sched_opts[a->which][0] & sched_keys[i].bit)
                strcat(strcat(list, *list ? ", " : ""), sched_keys[i].key);
        return fail(c, k, "%s has no option '%s'; it takes: %s", sched_words[a->which], shown(k), list);
    }
    a->given |= bit;
    switch (bit) {
    case S_INITIAL:
        return get_double(c, v, key, 0.0, 1e12, 0, &a->initial);
    case S_DECAY_STEPS:
        if (get_long(c, v, key, 1, 1000000000L, &n))
            return -1;
        return o->decay_steps = (double)n, 0;
    case S_DECAY_RATE:
        return get_double(c, v, key, 1e-12, 1e6, 0, &o->decay_rate);
    case S_STAIRCASE:
        if (get_word(c, v, key, bool_words, &word))
            return -1;
        return o->staircase = word, 0;
    case S_ALPHA:
        return get_double(c, v, key, 0.0, 1.0, 0, &o->alpha);
    case S_WARMUP_TARGET:
        if (is_null(v) || (scalar(v) && !strcmp(scalar(v), "none") &&
                           v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE))
            return o->has_warmup_target = 0, 0;
        o->has_warmup_target = 1;
        return get_double(c, v, key, 0.0, 1e12, 0, &o->warmup_target);
    case S_WARMUP_STEPS:
        if (get_long(c, v, key, 0, 1000000000L, &n))
            return -1;
        return o->warmup_steps = (double)n, 0;
    case S_BOUNDARIES:
        if (v->type != YAML_SEQUENCE_NODE || seq_len(v) < 1 || seq_len(v) > GEN_LR_MAX_BOUNDARIES)
            return fail(c, v, "'boundaries' must be a list of 1 to %d steps", GEN_LR_MAX_BOUNDARIES);
        o->n_boundaries = (int)seq_len(v);
        for (int i = 0; i < o->n_boundaries; i++) {
            yaml_node_t *b = node(c, v->data.sequence.items.start[i]);
            if (get_long(c, b, key, 0, 1000000000L, &o->boundaries[i]))
                return -1;
            if (i && o->boundaries[i] <= o->boundaries[i - 1])
                return fail(c, b, "'boundaries' must be strictly increasing");
        }
        return 0;
    case S_VALUES:
        if (v->type != YAML_SEQUENCE_NODE || seq_len(v) < 2 || seq_len(v) > GEN_LR_MAX_BOUNDARIES + 1)
            return fail(c, v, "'values' must be a list of 2 to %d learning rates", GEN_LR_MAX_BOUNDARIES + 1);
        a->values = v;
        a->n_values = (int)seq_len(v);
        for (int i = 0; i < a->n_values; i++)
            if (get_double(c, node(c, v->data.sequence.items.start[i]), key, 0.0, 1e12, 0, &o->values[i]))
                return -1;
        return 0;
    }
    return 0;
}

/* learning_rate: a number, or {SCHEDULE: {options}} as Keras nests a
 * LearningRateSchedule in the optimizer. */
static int get_lr(ctx *c, yaml_node_t *v, gen_model *m)
{
    gen_optim *o = &m->opt;
    if (v->type == YAML_SCALAR_NODE) {
        o->schedule = GEN_LR_CONSTANT;
        return get_double(c, v, "learning_rate", 1e-12, 1e12, 0, &m->lr);
    }
    if (v->type != YAML_MAPPING_NODE || v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1)
        return fail(c, v, "'learning_rate' must be a number or one schedule: "
                    "{exponential_decay: {...}}, {piecewise_constant_decay: {...}} or {cosine_decay: {...}}");
    yaml_node_t *k = node(c, v->data.mapping.pairs.start->key);
    yaml_node_t *opts = node(c, v->data.mapping.pairs.start->value);
    sched_arg a = {m, -1, 0, 0.0, NULL, 0};
    for (int i = 0; sched_words[i]; i++)
        if (scalar(k) && !strcmp(scalar(k), sched_words[i]) && strlen(scalar(k)) == k->data.scalar.length)
            a.which = i;
    if (a.which < 0)
        return fail(c, k, "unknown learning-rate schedule '%s'; seqc implements: "
                    "exponential_decay, piecewise_constant_decay, cosine_decay", shown(k));
    o->schedule = (gen_lr_kind)(GEN_LR_EXPONENTIAL + a.which);
    o->decay_steps = o->decay_rate = o->alpha = o->warmup_steps = 0.0;
    o->staircase = o->has_warmup_target = o->n_boundaries = 0;
    if (is_null(opts))
        return fail(c, k, "%s needs its options", sched_words[a.which]);
    if (each_pair(c, opts, sched_words[a.which], sched_opt, &a))
        return -1;
    for (size_t i = 0; i < sizeof sched_keys / sizeof sched_keys[0]; i++)
        if ((sched_opts[a.which][1] & sched_keys[i].bit) && !(a.given & sched_keys[i].bit))
            return fail(c, opts, "%s needs '%s'", sched_words[a.which], sched_keys[i].key);
    if (o->schedule == GEN_LR_PIECEWISE) {
        if (a.n_values != o->n_boundaries + 1)
            return fail(c, a.values, "'values' must have one more entry than 'boundaries' (%d), got %d",
                        o->n_boundaries, a.n_values);
        m->lr = o->values[0];
    } else {
        m->lr = a.initial;
    }
    return 0;
}

typedef struct optim_arg {
    gen_model *m;
    yaml_node_t *clip;         /* the clipping option given, if any */
} optim_arg;

static int optim_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    optim_arg *a = arg;
    gen_model *m = a->m;
    gen_optim *o = &m->opt;
    const unsigned allowed = optim_opts[o->kind];
    unsigned bit = 0;
    int word;
    for (size_t i = 0; i < sizeof optim_keys / sizeof optim_keys[0]; i++)
        if (!strcmp(optim_keys[i].key, key))
            bit = optim_keys[i].bit;
    if (!(bit & allowed)) {
        char list[512] = "";
        for (size_t i = 0; i < sizeof optim_keys / sizeof optim_keys[0]; i++)
            if (allowed & optim_keys[i].bit)
                strcat(strcat(list, *list ? ", " : ""), optim_keys[i].key);
        return fail(c, k, "%s has no option '%s'; it takes: %s", optim_words[o->kind], shown(k), list);
    }
    if (bit & (O_CLIPNORM | O_CLIPVALUE | O_GCLIPNORM)) {
        if (a->clip)
            return fail(c, k, "only one of clipnorm, clipvalue and global_clipnorm may be set "
                        "(as in Keras); '%s' is set already", scalar(a->clip));
        a->clip = k;
    }
    switch (bit) {
    case O_LR:
        return get_lr(c, v, m);
    case O_RHO:
        return get_double(c, v, key, 0.0, 1.0, 0, &o->rho);
    case O_MOMENTUM:
        return get_double(c, v, key, 0.0, 1.0, 0, &o->momentum);
    case O_INIT_ACC:
        return get_double(c, v, key, 0.0, 1e6, 0, &o->init_accum);
    case O_BETA_1:
        return get_double(c, v, key, 0.0, 1.0, 1, &m->beta_1);
    case O_BETA_2:
        return get_double(c, v, key, 0.0, 1.0, 1, &m->beta_2);
    case O_EPSILON:
        return get_double(c, v, key, 1e-30, 1.0, 0, &m->epsilon);
    case O_WD:
        return get_double(c, v, key, 0.0, 1.0, 0, &o->weight_decay);
    case O_CLIPNORM:
        return get_double(c, v, key, 1e-12, 1e12, 0, &o->clipnorm);
    case O_CLIPVALUE:
        return get_double(c, v, key, 1e-12, 1e12, 0, &o->clipvalue);
    case O_GCLIPNORM:
        return get_double(c, v, key, 1e-12, 1e12, 0, &o->global_clipnorm);
    case O_NESTEROV: case O_CENTERED: case O_AMSGRAD:
        if (get_word(c, v, key, bool_words, &word))
            return -1;
        *(bit == O_NESTEROV ? &o->nesterov : bit == O_CENTERED ? &o->centered : &o->amsgrad) = word;
        return 0;
    }
    return 0;
}

/* optimizer: NAME | {NAME: {options}} (NAME: null keeps the defaults) */
static int parse_optimizer(ctx *c, yaml_node_t *v)
{
    static const char *const forms =
        "'optimizer' must be a name (sgd, rmsprop, adam, adamw, adagrad, nadam) "
        "or '{NAME: {learning_rate: ...}}'";
    yaml_node_t *k = v, *opts = NULL;
    if (v->type == YAML_MAPPING_NODE && v->data.mapping.pairs.top - v->data.mapping.pairs.start == 1) {
        k = node(c, v->data.mapping.pairs.start->key);
        opts = node(c, v->data.mapping.pairs.start->value);
    } else if (v->type != YAML_SCALAR_NODE || is_null(v)) {
        return fail(c, v, "%s", forms);
    }
    const char *s = scalar(k);
    int kind = -1;
    for (int i = 0; s && optim_words[i]; i++)
        if (!strcmp(s, optim_words[i]) && strlen(s) == k->data.scalar.length)
            kind = i;
    if (kind < 0)
        return fail(c, k, "unknown optimizer '%s'; seqc implements: sgd, rmsprop, adam, adamw, "
                    "adagrad, nadam", shown(k));
    optim_defaults(c->m, (gen_optim_kind)kind);
    optim_arg a = {c->m, NULL};
    return !opts || is_null(opts) ? 0 : each_pair(c, opts, optim_words[kind], optim_opt, &a);
}

/* ---- loss ---------------------------------------------------------------- */

/* The options each loss takes: from_logits, label_smoothing, delta. */
static const char *const loss_keys[3] = {"from_logits", "label_smoothing", "delta"};
static const unsigned loss_opts[GEN_LOSS_COUNT] = {1, 3, 3, 0, 0, 4};

static int loss_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_loss *L = arg;
    const unsigned allowed = loss_opts[L->kind];
    int i = 0, word;
    while (i < 3 && strcmp(key, loss_keys[i]))
        i++;
    if (i == 3 || !(allowed & (1u << i))) {
        char list[128] = "";
        for (int j = 0; j < 3; j++)
            if (allowed & (1u << j))
                strcat(strcat(list, *list ? ", " : ""), loss_keys[j]);
        return fail(c, k, "%s has no option '%s'%s%s", gen_loss_name(L->kind), shown(k),
                    *list ? "; it takes: " : " (it takes none)", list);
    }
    L->opt_mark[i] = mark_of(k);
    if (i == 0) {
        if (get_word(c, v, key, bool_words, &word))
            return -1;
        L->from_logits = word;
        return 0;
    }
    if (i == 1)
        return get_double(c, v, key, 0.0, 1.0, 0, &L->label_smoothing);
    return get_double(c, v, key, 1e-12, 1e12, 0, &L->delta);
}

/* loss: NAME | {NAME: {options}}, as the optimizer; Keras's aliases too. */
static int parse_loss(ctx *c, yaml_node_t *v)
{
    gen_model *m = c->m;
    yaml_node_t *k = v, *opts = NULL;
    if (v->type == YAML_MAPPING_NODE && v->data.mapping.pairs.top - v->data.mapping.pairs.start == 1) {
        k = node(c, v->data.mapping.pairs.start->key);
        opts = node(c, v->data.mapping.pairs.start->value);
    } else if (v->type != YAML_SCALAR_NODE || is_null(v)) {
        return fail(c, v, "'loss' must be a name (e.g. binary_crossentropy) or "
                    "'{NAME: {from_logits: true, ...}}'");
    }
    const char *s = scalar(k);
    gen_loss_kind kind;
    if (!s || strlen(s) != k->data.scalar.length || gen_loss_word(s, &kind))
        return fail(c, k, "unknown loss '%s'; seqc implements: sparse_categorical_crossentropy, "
                    "categorical_crossentropy, binary_crossentropy, mean_squared_error (mse), "
                    "mean_absolute_error (mae), huber", shown(k));
    m->have_loss = 1;
    m->loss_mark = mark_of(k);
    memset(&m->loss, 0, sizeof m->loss);
    m->loss.kind = kind;
    m->loss.delta = 1.0;   /* Keras's Huber default */
    m->loss.mark = m->loss_mark;
    return !opts || is_null(opts) ? 0 : each_pair(c, opts, gen_loss_name(kind), loss_opt, &m->loss);
}

/* ---- train: Keras fit() options ------------------------------------------
 * validation_split, class_weight and callbacks, with Keras 3's names and
 * defaults (keras/src/callbacks/early_stopping.py, reduce_lr_on_plateau.py,
 * model_checkpoint.py); templates/SEMANTICS.md ("fit() options"). */

static const char *const cb_words[] = {"early_stopping", "reduce_lr_on_plateau", "model_checkpoint", NULL};
/* the monitor words, mapped to GEN_MON_* by monitor_of */
static const char *const monitor_words[] = {"loss", "accuracy", "mae", "val_loss", "val_accuracy",
                                            "val_mae", NULL};
static const char *const mode_words[] = {"auto", "min", "max", NULL};

enum {
    C_MONITOR = 1u << 0, C_MODE = 1u << 1, C_MIN_DELTA = 1u << 2, C_PATIENCE = 1u << 3,
    C_BASELINE = 1u << 4, C_RESTORE = 1u << 5, C_START = 1u << 6, C_FACTOR = 1u << 7,
    C_COOLDOWN = 1u << 8, C_MIN_LR = 1u << 9, C_FILEPATH = 1u << 10, C_BEST_ONLY = 1u << 11,
    C_THRESHOLD = 1u << 12
};

static const struct { const char *key; unsigned bit; } cb_keys[] = {
    {"monitor", C_MONITOR}, {"mode", C_MODE}, {"min_delta", C_MIN_DELTA}, {"patience", C_PATIENCE},
    {"baseline", C_BASELINE}, {"restore_best_weights", C_RESTORE}, {"start_from_epoch", C_START},
    {"factor", C_FACTOR}, {"cooldown", C_COOLDOWN}, {"min_lr", C_MIN_LR}, {"filepath", C_FILEPATH},
    {"save_best_only", C_BEST_ONLY}, {"initial_value_threshold", C_THRESHOLD},
};

/* the options each callback takes (Keras's, less verbose), in cb_words order */
static const unsigned cb_opts[GEN_CB_COUNT] = {
    C_MONITOR | C_MODE | C_MIN_DELTA | C_PATIENCE | C_BASELINE | C_RESTORE | C_START,
    C_MONITOR | C_MODE | C_MIN_DELTA | C_PATIENCE | C_FACTOR | C_COOLDOWN | C_MIN_LR,
    C_MONITOR | C_MODE | C_FILEPATH | C_BEST_ONLY | C_THRESHOLD,
};

/* Keras 3's defaults: EarlyStopping(monitor="val_loss", min_delta=0,
 * patience=0, mode="auto", baseline=None, restore_best_weights=False,
 * start_from_epoch=0); ReduceLROnPlateau(monitor="val_loss", factor=0.1,
 * patience=10, mode="auto", min_delta=1e-4, cooldown=0, min_lr=0.0);
 * ModelCheckpoint(monitor="val_loss", mode="auto", save_best_only=False,
 * initial_value_threshold=None), whose min_delta is MonitorCallback's 0. */
static void cb_defaults(gen_callback *cb, int which, yaml_node_t *k)
{
    memset(cb, 0, sizeof *cb);
    cb->on = 1;
    cb->monitor = GEN_MON_VAL_LOSS;
    cb->mark = mark_of(k);
    if (which == GEN_CB_REDUCE_LR)
        cb->factor = 0.1, cb->patience = 10, cb->min_delta = 1e-4;
}

/* Python's None: none, None, null, ~ or nothing */
static int is_none(const yaml_node_t *n)
{
    const char *s = scalar(n);
    return is_null(n) || (s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                          (!strcmp(s, "none") || !strcmp(s, "None")));
}

static int get_monitor(ctx *c, yaml_node_t *v, gen_callback *cb)
{
    static const int mon[] = {GEN_MON_LOSS, GEN_MON_METRIC, GEN_MON_METRIC, GEN_MON_VAL_LOSS,
                              GEN_MON_VAL_METRIC, GEN_MON_VAL_METRIC};
    int word;
    cb->monitor_mark = mark_of(v);
    if (get_word(c, v, "monitor", monitor_words, &word))
        return -1;
    cb->monitor = mon[word];
    cb->monitor_mae = word == 2 || word == 5;   /* checked against the task by gen_fit_check */
    return 0;
}

typedef struct cb_arg { gen_model *m; int which; } cb_arg;

static int cb_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    cb_arg *a = arg;
    gen_callback *cb = &a->m->fit.cb[a->which];
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof cb_keys / sizeof cb_keys[0]; i++)
        if (!strcmp(cb_keys[i].key, key))
            bit = cb_keys[i].bit;
    if (!(bit & cb_opts[a->which])) {
        char list[256] = "";
        for (size_t i = 0; i < sizeof cb_keys / sizeof cb_keys[0]; i++)
            if (cb_opts[a->which] & cb_keys[i].bit)
                strcat(strcat(list, *list ? ", " : ""), cb_keys[i].key);
        return fail(c, k, "%s has no option '%s'; it takes: %s", cb_words[a->which], shown(k), list);
    }
    switch (bit) {
    case C_MONITOR:
        return get_monitor(c, v, cb);
    case C_MODE:
        return get_word(c, v, key, mode_words, &cb->mode);
    case C_MIN_DELTA:   /* MonitorCallback keeps abs(min_delta) */
        if (get_double(c, v, key, -1e30, 1e30, 0, &cb->min_delta))
            return -1;
        return cb->min_delta = fabs(cb->min_delta), 0;
    case C_PATIENCE:
        return get_int(c, v, key, 0, 1000000, &cb->patience);
    case C_START:
        return get_int(c, v, key, 0, 1000000, &cb->start_from_epoch);
    case C_COOLDOWN:
        return get_int(c, v, key, 0, 1000000, &cb->cooldown);
    case C_FACTOR:      /* ReduceLROnPlateau: factor >= 1.0 is a ValueError */
        return get_double(c, v, key, 0.0, 1.0, 1, &cb->factor);
    case C_MIN_LR:
        return get_double(c, v, key, 0.0, 1e12, 0, &cb->min_lr);
    case C_BASELINE:
    case C_THRESHOLD:
        if (is_none(v))
            return cb->has_baseline = 0, 0;
        cb->has_baseline = 1;
        return get_double(c, v, key, -1e30, 1e30, 0, &cb->baseline);
    case C_RESTORE:
    case C_BEST_ONLY:
        return get_word(c, v, key, bool_words, &cb->flag);
    case C_FILEPATH:
        return get_path(c, v, key, a->m->fit.filepath);
    }
    return 0;
}

/* callbacks: {NAME: {options}, ...}; NAME: null keeps Keras's defaults. */
static int cb_item(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_model *m = arg;
    int which = -1;
    for (int i = 0; cb_words[i]; i++)
        if (!strcmp(key, cb_words[i]))
            which = i;
    if (which < 0)
        return fail(c, k, "unknown callback '%s'; seqc implements: early_stopping, "
                    "reduce_lr_on_plateau, model_checkpoint", shown(k));
    cb_defaults(&m->fit.cb[which], which, k);
    cb_arg a = {m, which};
    if (!is_null(v) && each_pair(c, v, cb_words[which], cb_opt, &a))
        return -1;
    if (which == GEN_CB_CHECKPOINT && !m->fit.filepath[0])
        return fail(c, k, "model_checkpoint needs 'filepath': the weights file to write");
    return 0;
}

/* class_weight: {CLASS: WEIGHT, ...}; gen_fit_check holds the classes
 * against the model once lowering has counted them. */
static int cw_pair(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_fit *f = arg;
    const int n = f->n_class_weights;
    int cls;
    (void)key;
    if (n == GEN_MAX_CLASS_WEIGHTS)   /* structure() allows no more keys; kept for safety */
        return fail(c, k, "class_weight has more than %d classes", GEN_MAX_CLASS_WEIGHTS);
    if (get_int(c, k, "class", 0, GEN_DIM_MAX - 1, &cls))   /* Keras: int(key) */
        return -1;
    for (int i = 0; i < n; i++)
        if (f->cw_class[i] == cls)
            return fail(c, k, "class %d has a weight already", cls);
    f->cw_class[n] = cls;
    f->cw_mark[n] = mark_of(k);
    if (get_double(c, v, "class_weight", 0.0, 1e6, 0, &f->cw_weight[n]))
        return -1;
    f->n_class_weights = n + 1;
    return 0;
}

static int get_class_weight(ctx *c, yaml_node_t *k, yaml_node_t *v, gen_fit *f)
{
    f->cw_at = mark_of(k);
    f->n_class_weights = 0;
    if (v->type != YAML_MAPPING_NODE || v->data.mapping.pairs.top == v->data.mapping.pairs.start)
        return fail(c, v, "'class_weight' must map class indices to weights, e.g. {0: 1.0, 1: 5.0}");
    return each_pair(c, v, "class_weight", cw_pair, f);
}

/* After lowering, when the task and the classes are known. */
static int check_class_weight(gen_model *m)
{
    const gen_fit *f = &m->fit;
    if (f->n_class_weights && m->task != GEN_TASK_CLASSES && m->task != GEN_TASK_BINARY) {
        gen_error(m->path, f->cw_at, "class_weight weighs samples by their class, so it needs class "
                  "labels (sparse_categorical_crossentropy, categorical_crossentropy, or "
                  "binary_crossentropy with one output); this model's %s has %d outputs",
                  gen_loss_name(m->loss.kind), m->n_out);
        return -1;
    }
    for (int i = 0; i < f->n_class_weights; i++)
        if (f->cw_class[i] >= m->n_classes) {
            gen_error(m->path, f->cw_mark[i], "class_weight: class %d is not one of the model's "
                      "%d classes [0, %d)", f->cw_class[i], m->n_classes, m->n_classes);
            return -1;
        }
    return 0;
}

/* A monitor names the model's metric (accuracy, or mae for regression);
 * ReduceLROnPlateau sets the learning rate, which Keras refuses for an
 * optimizer built with a schedule (a TypeError at the first reduction). */
int gen_fit_check(gen_model *m)
{
    const int mae = m->task == GEN_TASK_REGRESSION;
    if (check_class_weight(m))
        return -1;
    for (int i = 0; i < GEN_CB_COUNT; i++) {
        const gen_callback *cb = &m->fit.cb[i];
        if (cb->on && (cb->monitor == GEN_MON_METRIC || cb->monitor == GEN_MON_VAL_METRIC) &&
            cb->monitor_mae != mae) {
            gen_error(m->path, cb->monitor_mark, "%s: this model's metric is %s, so monitor one of "
                      "loss, %s, val_loss, val_%s", cb_words[i], mae ? "mae" : "accuracy",
                      mae ? "mae" : "accuracy", mae ? "mae" : "accuracy");
            return -1;
        }
    }
    if (m->fit.cb[GEN_CB_REDUCE_LR].on && m->opt.schedule != GEN_LR_CONSTANT) {
        gen_error(m->path, m->fit.cb[GEN_CB_REDUCE_LR].mark, "reduce_lr_on_plateau sets the "
                  "optimizer's learning rate, which Keras does not allow when learning_rate is a "
                  "schedule (TypeError at the first reduction); give a constant learning_rate");
        return -1;
    }
    return 0;
}

static int train_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_model *m = arg;
    long seed;
    int word;
    static const char *const target_words[] = {"labels", "inputs", NULL};
    if (!strcmp(key, "targets")) {
        m->targets_mark = mark_of(v);
        if (get_word(c, v, key, target_words, &word))
            return -1;
        m->targets_inputs = word;
        return 0;
    }
    if (!strcmp(key, "batch_size"))
        return get_int(c, v, key, 1, GEN_DIM_MAX, &m->batch_size);
    if (!strcmp(key, "epochs"))
        return get_int(c, v, key, 1, 1000000, &m->epochs);
    if (!strcmp(key, "seed")) {
        if (get_long(c, v, key, 0, 4294967295L, &seed))
            return -1;
        m->seed = (unsigned long)seed;
        return 0;
    }
    if (!strcmp(key, "validation_split"))   /* Keras: a float in [0, 1); 0 is none */
        return get_double(c, v, key, 0.0, 1.0, 1, &m->fit.validation_split);
    if (!strcmp(key, "class_weight"))
        return get_class_weight(c, k, v, &m->fit);
    if (!strcmp(key, "callbacks"))
        return each_pair(c, v, "callbacks", cb_item, m);
    return fail(c, k, "train has no option '%s'; it takes: batch_size, epochs, seed, targets, "
                "validation_split, class_weight, callbacks", shown(k));
}

static int data_opt(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_model *m = arg;
    if (!strcmp(key, "dir"))
        return get_path(c, v, key, m->data_dir);
    return fail(c, k, "data has no option '%s'; it takes: dir", shown(k));
}

static int top_key(ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    gen_model *m = c->m;
    (void)arg;
    if (!strcmp(key, "name"))
        return get_ident(c, v, key, m->name);
    if (!strcmp(key, "layers"))
        return parse_layers(c, v);
    if (!strcmp(key, "loss"))
        return parse_loss(c, v);
    if (!strcmp(key, "optimizer"))
        return parse_optimizer(c, v);
    if (!strcmp(key, "train"))
        return each_pair(c, v, "train", train_opt, m);
    if (!strcmp(key, "data"))
        return each_pair(c, v, "data", data_opt, m);
    return fail(c, k, "unknown key '%s'; a spec has: name, layers, loss, optimizer, train, data", shown(k));
}

/* ---- document-wide rules: no aliases, no duplicate keys ----------------- */

static int structure(ctx *c)
{
    yaml_node_t *first = c->doc->nodes.start;
    int count = (int)(c->doc->nodes.top - first);
    unsigned char *refs = calloc((size_t)count + 1, 1);
    int rc = 0;
    if (!refs)
        return fail(c, first, "out of memory");
    refs[1] = 1;   /* the root: its parent is the document, so an alias to it is a second use */
    for (int id = 1; id <= count && !rc; id++) {
        yaml_node_t *n = node(c, id);
        if (n->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top && !rc; i++)
                if (refs[*i]++)
                    rc = fail(c, node(c, *i), "YAML aliases are not allowed in a spec");
        } else if (n->type == YAML_MAPPING_NODE) {
            /* duplicate keys are found pairwise: bound the work */
            if (n->data.mapping.pairs.top - n->data.mapping.pairs.start > 64)
                rc = fail(c, n, "mapping has more than 64 keys");
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !rc; p++) {
                if (refs[p->key]++ || refs[p->value]++)
                    rc = fail(c, node(c, refs[p->key] > 1 ? p->key : p->value),
                              "YAML aliases are not allowed in a spec");
                const char *ks = scalar(node(c, p->key));
                for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p && !rc && ks; q++) {
                    const char *qs = scalar(node(c, q->key));
                    if (qs && !strcmp(ks, qs))
                        rc = fail(c, node(c, p->key), "duplicate key '%s'", shown(node(c, p->key)));
                }
            }
        }
    }
    free(refs);
    return rc;
}

/* ---- loading ------------------------------------------------------------ */

/* libyaml's reader errors carry only a byte offset: turn it into line:col. */
static gen_mark offset_mark(const unsigned char *text, size_t len, size_t off)
{
    gen_mark k = {1, 1};
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n')
            k.line++, k.col = 1;
        else
            k.col++;
    }
    return k;
}

static void parser_error(const char *path, const yaml_parser_t *p, const unsigned char *text, size_t len)
{
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        gen_error(path, offset_mark(text, len, p->problem_offset), "%s", problem);
        return;
    }
    gen_mark at = {(int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};
    if (p->context)
        gen_error(path, at, "%s %s", problem, p->context);
    else
        gen_error(path, at, "%s", problem);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    gen_mark top = {1, 1};
    FILE *f = fopen(path, "rb");
    if (!f) {
        gen_error(path, top, "cannot open spec: %s", strerror(errno));
        return NULL;
    }
    unsigned char *buf = malloc(SPEC_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, SPEC_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > SPEC_MAX_BYTES) {
        gen_error(path, top, bad ? "cannot read spec" : "spec is larger than %ld bytes", SPEC_MAX_BYTES);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int gen_parse(const char *path, gen_model *m)
{
    gen_mark top = {1, 1};
    size_t len = 0;
    unsigned char *text = slurp(path, &len);
    if (!text)
        return -1;
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1, loaded = 0;
    memset(&doc, 0, sizeof doc);
    if (!yaml_parser_initialize(&parser)) {
        gen_error(path, top, "cannot initialise the YAML parser");
        free(text);
        return -1;
    }
    yaml_parser_set_input_string(&parser, text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        parser_error(path, &parser, text, len);
        goto done;
    }
    loaded = 1;
    ctx c = {path, &doc, m};
    optim_defaults(m, GEN_OPTIM_ADAM);   /* Keras Adam unless the spec says otherwise */
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        gen_error(path, top, "empty spec: expected a mapping with 'layers'");
        goto done;
    }
    if (structure(&c) || each_pair(&c, root, "a spec", top_key, NULL))
        goto done;
    rc = 0;
done:
    if (loaded)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
    return rc;
}
