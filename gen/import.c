/* import.c - seqc --import: a Keras Sequential model in the TensorFlow.js
 * Layers format (model.json + the weight shards of its weightsManifest)
 * into a spec (YAML) and a SEQCWTS1 weights file beside it.
 *
 * The JSON is parsed with cJSON.  Every value that reaches the YAML is
 * checked here (names through gen_valid_ident, numbers range-checked,
 * strings from fixed tables only); the YAML written is then run through the
 * compiler's own front end (gen_parse, gen_check, gen_lower), whose tensor
 * list gives the Keras get_weights() order: each tensor "LAYER/PART" is
 * taken by name from the manifest, its shape compared.  Both files are
 * written to temporary names and renamed only when all is well.
 *
 * The layer table, the spec's passes and the writing (imp_run) are shared
 * with the Keras 3 .keras front end, import_keras.c (import_int.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "import.h"
#include "import_int.h"
#include "layers.h"

#define JSON_MAX (64L << 20)            /* model.json bytes */
#define SHARD_BYTES_MAX (GEN_SIZE_MAX * 4L)

typedef struct sbuf { char *p; size_t len, cap; int oom; } sbuf;

/* Room for need more bytes (and a NUL); sets oom instead when there is none. */
static int sb_grow(sbuf *b, size_t need)
{
    if (b->len + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return b->oom = 1, -1;
    b->p = p, b->cap = cap;
    return 0;
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        if (sb_grow(b, (size_t)n))
            return;
    }
}

/* The shortest %g that reads back as the same double (for the YAML). */
static const char *numstr(double v)
{
    static char ring[8][32];
    static int next;
    char *b = ring[next++ % 8];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(b, 32, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    return b;
}

void imp_err(ictx *c, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    if (c->err)
        return;     /* the first error only */
    c->err = 1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->lclass)
        snprintf(gen_last_error, sizeof gen_last_error, "%s: error: layer '%s' (%s): %s",
                 c->path, c->lname ? c->lname : "?", c->lclass, msg);
    else
        snprintf(gen_last_error, sizeof gen_last_error, "%s: error: %s", c->path, msg);
    if (!gen_quiet)
        fprintf(stderr, "%s\n", gen_last_error);
}

/* ---- reading values ---------------------------------------------------- */

static int is_int(const cJSON *v, long lo, long hi, long *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return 0;
    *out = (long)v->valuedouble;
    return 1;
}

/* An int option, or a list of n ints (Keras: kernel_size 3 or [3, 3]). */
static int get_ints(ictx *c, const cJSON *cfg, const char *key, int n, long lo, long hi, int *out,
                    int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    long x;
    if (!v || cJSON_IsNull(v)) {
        for (int i = 0; i < n; i++)
            out[i] = dflt;
        return 0;
    }
    if (is_int(v, lo, hi, &x)) {
        for (int i = 0; i < n; i++)
            out[i] = (int)x;
        return 0;
    }
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == n) {
        int i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            if (!is_int(e, lo, hi, &x))
                goto bad;
            out[i] = (int)x;
        }
        return 0;
    }
bad:
    imp_err(c, "'%s' must be an integer in [%ld, %ld] or a list of %d of them", key, lo, hi, n);
    return -1;
}

static int get_num(ictx *c, const cJSON *cfg, const char *key, double lo, double hi, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi) {
        imp_err(c, "'%s' must be a number in [%g, %g]", key, lo, hi);
        return -1;
    }
    *out = v->valuedouble;
    return 0;
}

static int get_bool(ictx *c, const cJSON *cfg, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v)
        return 0;
    if (!cJSON_IsBool(v)) {
        imp_err(c, "'%s' must be true or false", key);
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

/* A string option that must be one of a list (NULL-terminated); -1 absent. */
static int get_word(ictx *c, const cJSON *cfg, const char *key, const char *const *words, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v)
        return 0;
    if (cJSON_IsString(v))
        for (int i = 0; words[i]; i++)
            if (!strcmp(v->valuestring, words[i]))
                return *out = i, 0;
    imp_err(c, "'%s' %s%s%s is not supported", key, cJSON_IsString(v) ? "'" : "",
            cJSON_IsString(v) && strlen(v->valuestring) < 64 ? v->valuestring : "value",
            cJSON_IsString(v) ? "'" : "");
    return -1;
}

/* ---- activations --------------------------------------------------------- */

/* Keras (2 and 3) and TF.js names -> seqc's.  hard_sigmoid is refused: Keras
 * 2 and TF.js compute 0.2 x + 0.5, Keras 3 (and seqc) relu6(x + 3) / 6. */
static const struct { const char *keras, *seqc; } acts[] = {
    {"linear", "linear"}, {"relu", "relu"}, {"sigmoid", "sigmoid"}, {"tanh", "tanh"},
    {"softmax", "softmax"}, {"relu6", "relu6"}, {"elu", "elu"}, {"selu", "selu"},
    {"softplus", "softplus"}, {"softsign", "softsign"}, {"swish", "swish"}, {"silu", "silu"},
    {"gelu", "gelu"}, {"gelu_new", "gelu_tanh"}, {"exponential", "exponential"},
    {"leaky_relu", "leaky_relu"},
};

static int get_act(ictx *c, const cJSON *cfg, const char *key, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    *out = "linear";
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v))
        for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
            if (!strcmp(v->valuestring, acts[i].keras))
                return *out = acts[i].seqc, 0;
    imp_err(c, "activation %s%s%s is not supported", cJSON_IsString(v) ? "'" : "",
            cJSON_IsString(v) && strlen(v->valuestring) < 64 ? v->valuestring : "(not a name)",
            cJSON_IsString(v) ? "'" : "");
    return -1;
}

/* ---- regularizers: null, or L1 / L2 / L1L2 {l1, l2} ---------------------- */

static int put_reg(ictx *c, sbuf *y, const cJSON *cfg, const char *key, int allowed)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(v, "class_name");
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(v, "config");
    if (!allowed || !cJSON_IsString(cn) || !cJSON_IsObject(rc) ||
        (strcmp(cn->valuestring, "L1L2") && strcmp(cn->valuestring, "L1") &&
         strcmp(cn->valuestring, "L2"))) {
        imp_err(c, "'%s' is not supported (only L1, L2 or L1L2, on kernels and biases)", key);
        return -1;
    }
    double l1 = 0, l2 = 0;
    if (get_num(c, rc, "l1", 0, 1e6, &l1) || get_num(c, rc, "l2", 0, 1e6, &l2))
        return -1;
    for (const cJSON *e = rc->child; e; e = e->next)
        if (strcmp(e->string, "l1") && strcmp(e->string, "l2")) {
            imp_err(c, "'%s': option '%s' is not supported", key, e->string);
            return -1;
        }
    if (l1 > 0 || l2 > 0)
        sb_printf(y, ", %s: {l1: %s, l2: %s}", key, numstr(l1), numstr(l2));
    return 0;
}

/* ---- layers ---------------------------------------------------------------- */

/* Options that never matter here: weights come from the file. */
static int ignored_key(const char *k)
{
    size_t n = strlen(k);
    static const char *const any[] = {"name", "trainable", "dtype", "batch_input_shape",
        "batch_shape", "input_shape", "seed", "fused", "autocast", NULL};
    for (int i = 0; any[i]; i++)
        if (!strcmp(k, any[i]))
            return 1;
    return (n > 12 && !strcmp(k + n - 12, "_initializer")) ||
           (n > 11 && !strcmp(k + n - 11, "_constraint"));
}

/* The options each class reads (besides ignored_key's). */
static const struct { const char *cls; const char *keys; } known[] = {
    {"InputLayer", "sparse ragged input_dtype optional"},
    {"Dense", "units activation use_bias kernel_regularizer bias_regularizer activity_regularizer lora_rank "
              "lora_alpha quantization_config"},
    {"Conv2D", "filters kernel_size strides padding data_format dilation_rate activation use_bias groups "
               "kernel_regularizer bias_regularizer activity_regularizer lora_rank lora_alpha"},
    {"Conv1D", "filters kernel_size strides padding data_format dilation_rate activation use_bias groups "
               "kernel_regularizer bias_regularizer activity_regularizer lora_rank lora_alpha"},
    {"DepthwiseConv2D", "kernel_size strides padding data_format dilation_rate activation use_bias "
                        "depth_multiplier depthwise_regularizer bias_regularizer activity_regularizer"},
    {"SeparableConv2D", "filters kernel_size strides padding data_format dilation_rate activation use_bias "
                        "depth_multiplier depthwise_regularizer pointwise_regularizer bias_regularizer "
                        "activity_regularizer"},
    {"MaxPooling2D", "pool_size strides padding data_format"},
    {"AveragePooling2D", "pool_size strides padding data_format"},
    {"MaxPooling1D", "pool_size strides padding data_format"},
    {"AveragePooling1D", "pool_size strides padding data_format"},
    {"GlobalAveragePooling2D", "data_format keepdims"},
    {"GlobalMaxPooling2D", "data_format keepdims"},
    {"GlobalAveragePooling1D", "data_format keepdims"},
    {"GlobalMaxPooling1D", "data_format keepdims"},
    {"ZeroPadding2D", "padding data_format"},
    {"ZeroPadding1D", "padding data_format"},
    {"BatchNormalization", "axis momentum epsilon center scale beta_regularizer gamma_regularizer "
                           "renorm renorm_clipping renorm_momentum virtual_batch_size adjustment synchronized"},
    {"Flatten", "data_format"},
    {"Reshape", "target_shape"},
    {"Dropout", "rate noise_shape"},
    {"Activation", "activation"},
    {"ReLU", "max_value negative_slope threshold"},
    {"LeakyReLU", "alpha negative_slope"},
    {"ELU", "alpha"},
};

static int has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    if (n == 0 || strchr(w, ' '))
        return 0;     /* "" would match everywhere (and never advance) */
    for (const char *p = list; (p = strstr(p, w)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return 1;
    return 0;
}

/* An option present with something but its harmless value refuses the layer. */
static int must(ictx *c, const cJSON *cfg, const char *key, int ok, const char *why)
{
    if (cJSON_GetObjectItemCaseSensitive(cfg, key) && !ok) {
        imp_err(c, "option '%s' is not supported (%s)", key, why);
        return -1;
    }
    return 0;
}

static int null_or_absent(const cJSON *cfg, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    return !v || cJSON_IsNull(v);
}

static int false_or_absent(const cJSON *cfg, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    return !v || cJSON_IsFalse(v) || cJSON_IsNull(v);
}

static int dtype_ok(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return 1;
    if (cJSON_IsString(v))
        return !strcmp(v->valuestring, "float32");
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(v, "config");   /* Keras 3 DTypePolicy */
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(cf, "name");
    return cJSON_IsString(n) && !strcmp(n->valuestring, "float32");
}

/* batch_input_shape [null, d...] (Keras 2, TF.js) or batch_shape (Keras 3) */
static int input_shape(ictx *c, const cJSON *cfg, sbuf *y, int *have)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, "batch_input_shape");
    if (!v)
        v = cJSON_GetObjectItemCaseSensitive(cfg, "batch_shape");
    if (!v || cJSON_IsNull(v))
        return 0;
    int n = cJSON_GetArraySize(v);
    if (*have) {
        imp_err(c, "an input shape after the first layer");
        return -1;
    }
    if (!cJSON_IsArray(v) || n < 2 || n > 4 || !cJSON_IsNull(v->child)) {
        imp_err(c, "the input shape must be [null, d1 (, d2 (, d3))]");
        return -1;
    }
    sb_printf(y, "  - input: {shape: [");
    long x;
    for (const cJSON *e = v->child->next; e; e = e->next) {
        if (!is_int(e, 1, GEN_DIM_MAX, &x)) {
            imp_err(c, "the input shape's dimensions must be integers in [1, %d]", GEN_DIM_MAX);
            return -1;
        }
        sb_printf(y, "%ld%s", x, e->next ? ", " : "");
    }
    sb_printf(y, "]}\n");
    *have = 1;
    return 0;
}

static const char *const pads[] = {"valid", "same", "causal", NULL};

/* Writes the layer's spec line.  *bn_axis: BatchNormalization's positive
 * axis (checked against the rank after lowering), else 0. */
static int import_layer(ictx *c, const cJSON *L, sbuf *y, int *have_input, int *bn_axis)
{
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(L, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(L, "config");
    *bn_axis = 0;
    if (!cJSON_IsString(cn) || !cJSON_IsObject(cfg)) {
        imp_err(c, "a layer without class_name and config");
        return -1;
    }
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cfg, "name");
    c->lname = cJSON_IsString(nm) && strlen(nm->valuestring) < 80 ? nm->valuestring : "?";
    c->lclass = strlen(cn->valuestring) < 64 ? cn->valuestring : "?";
    const char *cls = cn->valuestring;
    const gen_kind *k = NULL;
    const char *keys = NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(cls, known[i].cls))
            keys = known[i].keys;
    for (int i = 0; keys && i < gen_n_kinds; i++)
        if (!strcmp(cls, gen_kinds[i].keras))
            k = &gen_kinds[i];
    if (!k) {
        imp_err(c, "layer class '%s' is not supported", c->lclass);
        return -1;
    }
    if (!cJSON_IsString(nm) || !gen_valid_ident(nm->valuestring)) {
        imp_err(c, "the layer name must match [A-Za-z][A-Za-z0-9_]* (at most %d characters, "
                "not a C keyword, not starting with m4_ or seqc_)", GEN_NAME_MAX);
        return -1;
    }
    for (const cJSON *e = cfg->child; e; e = e->next)
        if (!ignored_key(e->string) && !has_word(keys, e->string)) {
            imp_err(c, "option '%.64s' is not supported", e->string);
            return -1;
        }
    const cJSON *df = cJSON_GetObjectItemCaseSensitive(cfg, "data_format");
    if (must(c, cfg, "data_format", cJSON_IsString(df) && !strcmp(df->valuestring, "channels_last"),
             "only channels_last") ||
        must(c, cfg, "dtype", dtype_ok(cJSON_GetObjectItemCaseSensitive(cfg, "dtype")), "only float32") ||
        must(c, cfg, "activity_regularizer", null_or_absent(cfg, "activity_regularizer"), "only null") ||
        must(c, cfg, "lora_rank", null_or_absent(cfg, "lora_rank"), "only null") ||
        must(c, cfg, "quantization_config", null_or_absent(cfg, "quantization_config"), "only null") ||
        must(c, cfg, "optional", false_or_absent(cfg, "optional"), "only false") ||
        must(c, cfg, "sparse", false_or_absent(cfg, "sparse"), "only false") ||
        must(c, cfg, "ragged", false_or_absent(cfg, "ragged"), "only false"))
        return -1;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(cfg, "groups");
    if (must(c, cfg, "groups", !g || cJSON_IsNull(g) || (cJSON_IsNumber(g) && g->valuedouble == 1), "only 1"))
        return -1;
    int trainable = 1;
    if (get_bool(c, cfg, "trainable", &trainable))
        return -1;
    if (input_shape(c, cfg, y, have_input))
        return -1;
    if (k->id == GEN_INPUT)
        return 0;     /* its shape is the input line */
    if (!*have_input) {
        imp_err(c, "the model's input shape is not given (no InputLayer, no batch_input_shape)");
        return -1;
    }

    sbuf o = {0};     /* the options */
    sb_printf(&o, "name: %s", nm->valuestring);
    if (!trainable)
        sb_printf(&o, ", trainable: false");
    int rc = 0, one_d = k->id == GEN_CONV1D || k->id == GEN_MAXPOOL1D || k->id == GEN_AVGPOOL1D;
    int nd = one_d ? 1 : 2;
    int v[2], s[2], d[2], pad = 0, bias = 1;
    const char *act;
    switch (k->id) {
    case GEN_DENSE:
    case GEN_CONV2D:
    case GEN_CONV1D:
    case GEN_DEPTHWISE:
    case GEN_SEPARABLE:
        if (k->id == GEN_DENSE) {
            if (get_ints(c, cfg, "units", 1, 1, GEN_DIM_MAX, v, 0) || !v[0]) {
                imp_err(c, "'units' must be an integer in [1, %d]", GEN_DIM_MAX);
                goto fail;
            }
            sb_printf(&o, ", units: %d", v[0]);
        } else {
            if (k->id != GEN_DEPTHWISE) {
                if (get_ints(c, cfg, "filters", 1, 1, GEN_DIM_MAX, v, 0) || !v[0]) {
                    imp_err(c, "'filters' must be an integer in [1, %d]", GEN_DIM_MAX);
                    goto fail;
                }
                sb_printf(&o, ", filters: %d", v[0]);
            }
            if (get_ints(c, cfg, "kernel_size", nd, 1, 4096, v, 0) || !v[0]) {
                imp_err(c, "'kernel_size' must be given, integers in [1, 4096]");
                goto fail;
            }
            if (get_ints(c, cfg, "strides", nd, 1, 4096, s, 1) ||
                get_ints(c, cfg, "dilation_rate", nd, 1, 4096, d, 1) ||
                get_word(c, cfg, "padding", pads, &pad))
                goto fail;
            if (pad == 2 && k->id != GEN_CONV1D) {
                imp_err(c, "padding 'causal' is for Conv1D only");
                goto fail;
            }
            if (nd == 1)
                sb_printf(&o, ", kernel_size: %d, strides: %d, dilation_rate: %d", v[0], s[0], d[0]);
            else
                sb_printf(&o, ", kernel_size: [%d, %d], strides: [%d, %d], dilation_rate: [%d, %d]",
                          v[0], v[1], s[0], s[1], d[0], d[1]);
            sb_printf(&o, ", padding: %s", pads[pad]);
            if (k->id == GEN_DEPTHWISE || k->id == GEN_SEPARABLE) {
                if (get_ints(c, cfg, "depth_multiplier", 1, 1, GEN_DIM_MAX, v, 1))
                    goto fail;
                sb_printf(&o, ", depth_multiplier: %d", v[0]);
            }
        }
        if (get_act(c, cfg, "activation", &act) || get_bool(c, cfg, "use_bias", &bias))
            goto fail;
        sb_printf(&o, ", activation: %s, use_bias: %s", act, bias ? "true" : "false");
        rc = k->id == GEN_DEPTHWISE || k->id == GEN_SEPARABLE
                 ? put_reg(c, &o, cfg, "depthwise_regularizer", 1) |
                       put_reg(c, &o, cfg, "pointwise_regularizer", k->id == GEN_SEPARABLE)
                 : put_reg(c, &o, cfg, "kernel_regularizer", 1);
        if (rc || put_reg(c, &o, cfg, "bias_regularizer", 1))
            goto fail;
        break;
    case GEN_MAXPOOL:
    case GEN_AVGPOOL:
    case GEN_MAXPOOL1D:
    case GEN_AVGPOOL1D:
        if (get_ints(c, cfg, "pool_size", nd, 1, 4096, v, 2) || get_ints(c, cfg, "strides", nd, 1, 4096, s, 0) ||
            get_word(c, cfg, "padding", pads, &pad))
            goto fail;
        if (pad == 2) {
            imp_err(c, "padding 'causal' is for Conv1D only");
            goto fail;
        }
        if (!s[0])
            s[0] = v[0], s[1] = nd == 2 ? v[1] : 0;
        if (nd == 1)
            sb_printf(&o, ", pool_size: %d, strides: %d", v[0], s[0]);
        else
            sb_printf(&o, ", pool_size: [%d, %d], strides: [%d, %d]", v[0], v[1], s[0], s[1]);
        sb_printf(&o, ", padding: %s", pads[pad]);
        break;
    case GEN_GAP2D:
    case GEN_GMP2D:
    case GEN_GAP1D:
    case GEN_GMP1D:
        if (must(c, cfg, "keepdims", false_or_absent(cfg, "keepdims"), "only false"))
            goto fail;
        break;
    case GEN_ZPAD1D:
    case GEN_ZPAD: {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(cfg, "padding");
        int z[4] = {1, 1, 1, 1};
        long x;
        if (!p) {
        } else if (is_int(p, 0, 4096, &x)) {
            z[0] = z[1] = z[2] = z[3] = (int)x;
        } else if (cJSON_IsArray(p) && cJSON_GetArraySize(p) == 2) {
            int i = 0;
            for (const cJSON *e = p->child; e; e = e->next, i++) {
                if (is_int(e, 0, 4096, &x) && k->id == GEN_ZPAD)
                    z[2 * i] = z[2 * i + 1] = (int)x;           /* [ph, pw] */
                else if (is_int(e, 0, 4096, &x))
                    z[i] = (int)x;                              /* 1-D [left, right] */
                else if (k->id == GEN_ZPAD && cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2 &&
                         is_int(e->child, 0, 4096, &x) && (z[2 * i] = (int)x, 1) &&
                         is_int(e->child->next, 0, 4096, &x))
                    z[2 * i + 1] = (int)x;
                else
                    p = NULL;
                if (!p)
                    break;
            }
            if (!p) {
                imp_err(c, "'padding' must be integers in [0, 4096]: p, a pair or a pair of pairs");
                goto fail;
            }
        } else {
            imp_err(c, "'padding' must be integers in [0, 4096]: p, a pair or a pair of pairs");
            goto fail;
        }
        if (k->id == GEN_ZPAD)
            sb_printf(&o, ", padding: [[%d, %d], [%d, %d]]", z[0], z[1], z[2], z[3]);
        else
            sb_printf(&o, ", padding: [%d, %d]", z[0], z[1]);
        break;
    }
    case GEN_BATCHNORM: {
        const cJSON *ax = cJSON_GetObjectItemCaseSensitive(cfg, "axis");
        long a = -1;
        if (cJSON_IsArray(ax) && cJSON_GetArraySize(ax) == 1)
            ax = ax->child;
        if (ax && !is_int(ax, -1, 3, &a)) {
            imp_err(c, "option 'axis' must be -1 (the channels, last)");
            goto fail;
        }
        if (a == 0) {
            imp_err(c, "option 'axis' 0 (the batch) is not supported");
            goto fail;
        }
        *bn_axis = a > 0 ? (int)a : 0;
        double mom = 0.99, eps = 1e-3;
        int center = 1, scale = 1;
        if (get_num(c, cfg, "momentum", 0, 1, &mom) || get_num(c, cfg, "epsilon", 1e-12, 1, &eps) ||
            get_bool(c, cfg, "center", &center) || get_bool(c, cfg, "scale", &scale) ||
            must(c, cfg, "renorm", false_or_absent(cfg, "renorm"), "only false") ||
            must(c, cfg, "synchronized", false_or_absent(cfg, "synchronized"), "only false") ||
            must(c, cfg, "virtual_batch_size", null_or_absent(cfg, "virtual_batch_size"), "only null") ||
            must(c, cfg, "adjustment", null_or_absent(cfg, "adjustment"), "only null") ||
            must(c, cfg, "beta_regularizer", null_or_absent(cfg, "beta_regularizer"), "only null") ||
            must(c, cfg, "gamma_regularizer", null_or_absent(cfg, "gamma_regularizer"), "only null"))
            goto fail;
        sb_printf(&o, ", momentum: %s, epsilon: %s, center: %s, scale: %s", numstr(mom), numstr(eps),
                  center ? "true" : "false", scale ? "true" : "false");
        break;
    }
    case GEN_FLATTEN:
        break;
    case GEN_RESHAPE: {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(cfg, "target_shape");
        int n = cJSON_GetArraySize(t);
        long x;
        if (!cJSON_IsArray(t) || n < 1 || n > 3) {
            imp_err(c, "'target_shape' must be a list of 1 to 3 integers");
            goto fail;
        }
        sb_printf(&o, ", target_shape: [");
        for (const cJSON *e = t->child; e; e = e->next) {
            if (!is_int(e, -1, GEN_DIM_MAX, &x) || x == 0) {
                imp_err(c, "'target_shape' must be integers in [1, %d] or -1", GEN_DIM_MAX);
                goto fail;
            }
            sb_printf(&o, "%ld%s", x, e->next ? ", " : "");
        }
        sb_printf(&o, "]");
        break;
    }
    case GEN_DROPOUT: {
        double r = 0;
        const cJSON *rv = cJSON_GetObjectItemCaseSensitive(cfg, "rate");
        if (!rv || get_num(c, cfg, "rate", 0, 0.999999, &r) ||
            must(c, cfg, "noise_shape", null_or_absent(cfg, "noise_shape"), "only null")) {
            if (!rv)
                imp_err(c, "'rate' must be given");
            goto fail;
        }
        sb_printf(&o, ", rate: %s", numstr(r));
        break;
    }
    case GEN_ACTIVATION:
        if (get_act(c, cfg, "activation", &act))
            goto fail;
        sb_printf(&o, ", activation: %s", act);
        break;
    case GEN_RELU: {
        double mx = -1, ns = 0, th = 0;
        const cJSON *mv = cJSON_GetObjectItemCaseSensitive(cfg, "max_value");
        if ((mv && !cJSON_IsNull(mv) && get_num(c, cfg, "max_value", 0, 1e30, &mx)) ||
            get_num(c, cfg, "negative_slope", 0, 1e6, &ns) || get_num(c, cfg, "threshold", -1e30, 1e30, &th))
            goto fail;
        if (mx >= 0)
            sb_printf(&o, ", max_value: %s", numstr(mx));
        sb_printf(&o, ", negative_slope: %s, threshold: %s", numstr(ns), numstr(th));
        break;
    }
    case GEN_LEAKY_RELU: {
        double a = 0.3;   /* Keras 2 and TF.js: alpha; Keras 3: negative_slope */
        if (get_num(c, cfg, "alpha", 0, 1e6, &a) || get_num(c, cfg, "negative_slope", 0, 1e6, &a))
            goto fail;
        sb_printf(&o, ", negative_slope: %s", numstr(a));
        break;
    }
    case GEN_ELU: {
        double a = 1.0;
        if (get_num(c, cfg, "alpha", 0, 1e6, &a))
            goto fail;
        sb_printf(&o, ", alpha: %s", numstr(a));
        break;
    }
    default:
        imp_err(c, "layer class '%s' is not supported", c->lclass);
        goto fail;
    }
    if (o.oom)
        goto fail;
    sb_printf(y, "  - %s: {%s}\n", k->name, o.p);
    free(o.p);
    return 0;
fail:
    if (!c->err)
        imp_err(c, "out of memory");
    free(o.p);
    return -1;
}

/* ---- the loss and optimizer ---------------------------------------------- */

static const char *last_act(const gen_model *m)
{
    for (int i = m->n_layers - 1; i >= 0; i--) {
        const gen_layer *l = &m->layers[i];
        if (l->kind->id == GEN_DENSE || l->kind->id == GEN_CONV2D || l->kind->id == GEN_CONV1D ||
            l->kind->id == GEN_DEPTHWISE || l->kind->id == GEN_SEPARABLE || l->kind->id == GEN_ACTIVATION)
            return gen_act_name(l->act);
        if (l->kind->id != GEN_DROPOUT && l->kind->id != GEN_FLATTEN && l->kind->id != GEN_RESHAPE)
            return "linear";
    }
    return "linear";
}

/* training_config (Keras 2's and TF.js's, if the file has one; Keras 3's
 * compile_config is handed over in its shape): the loss as a name, the
 * optimizer as {class_name, config} with its learning rate.  Anything else
 * in it is ignored with a comment. */
static int training(ictx *c, const imp_front *f, sbuf *y, const char *dflt_loss)
{
    const cJSON *tc = f->train;
    const char *loss = dflt_loss, *opt = "adam";
    double lr = -1;
    if (tc) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(tc, "loss");
        gen_loss_kind lk;
        if (cJSON_IsString(l) && !gen_loss_word(l->valuestring, &lk))
            loss = gen_loss_name(lk);
        else if (l) {
            imp_err(c, "%s: the loss must be one of seqc's loss names", f->train_key);
            return -1;
        }
        const cJSON *oc = cJSON_GetObjectItemCaseSensitive(tc, "optimizer_config");
        const cJSON *on = cJSON_GetObjectItemCaseSensitive(oc, "class_name");
        const cJSON *ocfg = cJSON_GetObjectItemCaseSensitive(oc, "config");
        if (oc) {
            static const char *const names[] = {"SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Nadam",
                                                "sgd", "rmsprop", "adam", "adamw", "adagrad", "nadam", NULL};
            int i;
            for (i = 0; names[i] && !(cJSON_IsString(on) && !strcmp(on->valuestring, names[i])); i++)
                ;
            if (!names[i]) {
                imp_err(c, "%s: the optimizer must be one of seqc's", f->train_key);
                return -1;
            }
            opt = names[6 + i % 6];
            if (get_num(c, ocfg, "learning_rate", 1e-12, 1e3, &lr) || get_num(c, ocfg, "lr", 1e-12, 1e3, &lr))
                return -1;
        }
        sb_printf(y, "# from %s: the loss and the optimizer with its learning rate\n"
                     "# (its other options are not imported: Keras 3 defaults)\n", f->train_key);
    } else {
        sb_printf(y, "# %s has no %s: the loss follows the last activation\n", f->file_word, f->train_key);
        sb_printf(y, "# (softmax: sparse_categorical_crossentropy, sigmoid: binary_crossentropy,\n"
                     "# else mean_squared_error); the optimizer is seqc's default, adam\n");
    }
    sb_printf(y, "loss: %s\n", loss);
    if (lr > 0)
        sb_printf(y, "optimizer: {%s: {learning_rate: %s}}\n", opt, numstr(lr));
    else
        sb_printf(y, "optimizer: %s\n", opt);
    return 0;
}

/* ---- files ---------------------------------------------------------------- */

/* The whole file, at most max bytes; larger: NULL, reported unless
 * big_silent, which sets *len = -1 instead. */
static unsigned char *read_all(ictx *c, const char *path, long max, long *len, int big_silent)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        imp_err(c, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *p = NULL;
    long n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= max + 1)
                break;
            cap = cap ? cap * 2 : 65536;
            if (cap > max + 1)
                cap = max + 1;
            unsigned char *q = realloc(p, (size_t)cap + 1);
            if (!q) {
                imp_err(c, "%s: out of memory", path);
                goto fail;
            }
            p = q;
        }
        size_t r = fread(p + n, 1, (size_t)(cap - n), f);
        n += (long)r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        imp_err(c, "cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    if (n > max) {
        if (big_silent)
            *len = -1;
        else
            imp_err(c, "%s is larger than %ld bytes", path, max);
        goto fail;
    }
    fclose(f);
    if (!p)
        p = malloc(1);
    if (p)
        p[n] = 0;
    *len = n;
    return p;
fail:
    fclose(f);
    free(p);
    return NULL;
}

typedef struct mweight {
    const char *name;
    int rank, dims[4];
    long size;
    const unsigned char *data;  /* into the group's bytes: little-endian floats */
    int used;
} mweight;

/* A shard path from the manifest: relative, no "..", plain characters. */
static int safe_rel(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > GEN_PATH_MAX || s[0] == '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("_./-+", s[i])))
            return 0;
    for (const char *p = s; (p = strstr(p, "..")); p += 2)
        if ((p == s || p[-1] == '/') && (p[2] == '/' || p[2] == 0))
            return 0;
    return 1;
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void put_u32(sbuf *b, uint32_t v)
{
    if (sb_grow(b, 4))
        return;
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    memcpy(b->p + b->len, le, 4);
    b->len += 4;
}

static int write_tmp(ictx *c, const char *tmp, const void *p, size_t n)
{
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        imp_err(c, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    int bad = fwrite(p, 1, n, f) != n;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        imp_err(c, "cannot write %s: %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- the whole import, for either front end -------------------------------- */

const cJSON *imp_layers(const cJSON *model)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(model, "config");
    const cJSON *l = cJSON_IsArray(cfg) ? cfg : cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    return cJSON_IsArray(l) ? l : NULL;
}

int imp_run(ictx *c, const imp_front *f, const char *spec_path)
{
    sbuf y = {0}, w = {0};
    int *bn_axes = NULL, rc = -1, parsed = 0;
    char wpath[4096], stmp[4200] = "", wtmp[4200] = "", name[GEN_NAME_MAX + 1];
    gen_model m;
    memset(&m, 0, sizeof m);

    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(f->model, "class_name");
    if (!cJSON_IsString(cls) || strcmp(cls->valuestring, "Sequential")) {
        imp_err(c, "the model is %s%.64s%s, not a Sequential model", cJSON_IsString(cls) ? "a " : "",
                cJSON_IsString(cls) ? cls->valuestring : "of no class", "");
        goto out;
    }
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(f->model, "config");
    char dpath[GEN_NAME_MAX + 16];
    if (!spec_path[0]) {    /* default: out/NAME.yaml, NAME the model's */
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(cfg, "name");
        if (!cJSON_IsString(mn) || !gen_valid_ident(mn->valuestring)) {
            imp_err(c, "the model's name is not a valid seqc name: give -o NAME.yaml");
            goto out;
        }
        snprintf(dpath, sizeof dpath, "out/%s.yaml", mn->valuestring);
        spec_path = dpath;
    }
    /* the output names: SPEC (its base name, the model's name) and SPEC.weights */
    const char *base = strrchr(spec_path, '/');
    base = base ? base + 1 : spec_path;
    const char *dot = strrchr(base, '.');
    size_t bl = dot ? (size_t)(dot - base) : strlen(base);
    if (bl > GEN_NAME_MAX || (memcpy(name, base, bl), name[bl] = 0, !gen_valid_ident(name))) {
        imp_err(c, "the spec's file name '%s' must be NAME.yaml, NAME a valid model name "
                "([A-Za-z][A-Za-z0-9_]*, at most %d characters)", base, GEN_NAME_MAX);
        goto out;
    }
    size_t dl = (size_t)(base - spec_path) + bl;
    if (dl + 16 > sizeof wpath) {
        imp_err(c, "the output path is too long");
        goto out;
    }
    snprintf(wpath, sizeof wpath, "%.*s.weights", (int)dl, spec_path);
    if (!strcmp(wpath, spec_path)) {
        imp_err(c, "the spec would overwrite its weights file %s: name it NAME.yaml", wpath);
        goto out;
    }
    snprintf(stmp, sizeof stmp, "%s.tmp.%ld", spec_path, (long)getpid());
    snprintf(wtmp, sizeof wtmp, "%s.tmp.%ld", wpath, (long)getpid());

    const cJSON *layers = imp_layers(f->model);
    int nl = cJSON_GetArraySize(layers);
    if (!layers || nl < 1 || nl > 4096) {
        imp_err(c, "the Sequential model has no list of 1 to 4096 layers");
        goto out;
    }

    /* the spec */
    sb_printf(&y, "# imported by seqc --import from %s\nname: %s\nlayers:\n", f->origin, name);
    bn_axes = calloc((size_t)nl + 1, sizeof *bn_axes);
    int have_input = 0, li = 0;
    if (!bn_axes)
        goto oom;
    for (const cJSON *L = layers->child; L; L = L->next, li++)
        if (import_layer(c, L, &y, &have_input, &bn_axes[li]))
            goto out;
    c->lname = c->lclass = NULL;
    size_t loss_at = y.len;
    sb_printf(&y, "loss: mean_squared_error\n");   /* placeholder, for the first parse */
    if (y.oom)
        goto oom;
    if (write_tmp(c, stmp, y.p, y.len))
        goto out;

    /* through the compiler's own front end; with the loss that fits */
    int quiet = gen_quiet;
    for (int pass = 0; pass < 2; pass++) {
        gen_quiet = 1;
        memset(&m, 0, sizeof m);
        m.path = stmp;
        m.batch_size = 32;
        m.epochs = 1;
        parsed = 1;
        int bad = pass == 0 ? gen_parse(stmp, &m)
                            : gen_parse(stmp, &m) || gen_check(&m) || gen_lower(&m);
        gen_quiet = quiet;
        if (bad) {
            char why[1024];
            const char *msg = strstr(gen_last_error, ": error: ");
            snprintf(why, sizeof why, "%s", msg ? msg + 9 : gen_last_error);
            imp_err(c, "seqc cannot compile the model: %s", why);
            goto out;
        }
        if (pass == 1)
            break;
        const char *la = last_act(&m);
        gen_model_free(&m);
        parsed = 0;
        y.len = loss_at;
        if (training(c, f, &y, !strcmp(la, "softmax") ? "sparse_categorical_crossentropy"
                                : !strcmp(la, "sigmoid") ? "binary_crossentropy" : "mean_squared_error"))
            goto out;
        if (y.oom)
            goto oom;
        if (write_tmp(c, stmp, y.p, y.len))
            goto out;
    }
    /* BatchNormalization with a positive axis: it must be the last one */
    li = 0;
    for (const cJSON *L = layers->child; L; L = L->next, li++) {
        if (!bn_axes[li])
            continue;
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(L, "config"), "name");
        for (int i = 0; i < m.n_layers; i++)
            if (!strcmp(m.layers[i].name, nm->valuestring) && m.layers[i].in_rank != bn_axes[li]) {
                c->lname = nm->valuestring, c->lclass = "BatchNormalization";
                imp_err(c, "option 'axis' %d is not the last axis", bn_axes[li]);
                goto out;
            }
    }

    /* the weights, in the spec's order, each from the source */
    if (f->begin(f->self, c, &m))
        goto out;
    put_u32(&w, 0x43514553u), put_u32(&w, 0x31535457u);   /* "SEQC", "WTS1" */
    put_u32(&w, (uint32_t)m.n_tensors);
    for (int t = 0; t < m.n_tensors; t++) {
        const gen_tensor *T = &m.tensors[t];
        imp_tensor S;
        memset(&S, 0, sizeof S);
        if (f->tensor(f->self, c, &m, t, &S))
            goto out;
        int same = S.rank == T->rank;
        for (int d = 0; same && d < T->rank; d++)
            same = S.dims[d] == T->dims[d];
        if (!same) {
            char a[64] = "", b[64] = "";
            for (int d = 0; d < T->rank; d++)
                snprintf(a + strlen(a), sizeof a - strlen(a), "%s%d", d ? ", " : "", T->dims[d]);
            for (int d = 0; d < S.rank && d < 4; d++)
                snprintf(b + strlen(b), sizeof b - strlen(b), "%s%d", d ? ", " : "", S.dims[d]);
            imp_err(c, "weight %s has shape [%s], the layer needs [%s]", S.name, b, a);
            goto out;
        }
        if (!S.data || S.size != T->size) {
            imp_err(c, "weight %s: no values", S.name);
            goto out;
        }
        put_u32(&w, (uint32_t)T->rank);
        for (int d = 0; d < T->rank; d++)
            put_u32(&w, (uint32_t)T->dims[d]);
        const unsigned char *src = S.data;
        for (long i = 0; i < T->size; i++) {
            uint32_t u = (uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 |
                         (uint32_t)src[4 * i + 2] << 16 | (uint32_t)src[4 * i + 3] << 24;
            float v;
            memcpy(&v, &u, 4);
            if (!isfinite(v)) {
                imp_err(c, "weight %s: value %ld is not finite", S.name, i);
                goto out;
            }
            put_u32(&w, u);
        }
        if (w.oom)
            goto oom;
    }
    if (f->end(f->self, c))
        goto out;
    put_u32(&w, crc32_update(0, (const unsigned char *)w.p, w.len));
    if (w.oom)
        goto oom;
    if (write_tmp(c, wtmp, w.p, w.len))
        goto out;
    if (rename(stmp, spec_path) != 0) {
        imp_err(c, "cannot write %s: %s", spec_path, strerror(errno));
        goto out;
    }
    if (rename(wtmp, wpath) != 0) {
        imp_err(c, "cannot write %s: %s", wpath, strerror(errno));
        remove(spec_path);
        goto out;
    }
    rc = 0;
    goto out;
oom:
    imp_err(c, "out of memory");
out:
    if (rc && stmp[0]) {
        remove(stmp);
        remove(wtmp);
    }
    if (parsed)
        gen_model_free(&m);
    free(bn_axes);
    free(y.p);
    free(w.p);
    return rc ? 1 : 0;
}

/* ---- the TensorFlow.js front end: model.json and its weightsManifest -------- */

typedef struct tfjs {
    const char *json_path;
    const cJSON *root;
    mweight *mw;
    unsigned char **shards;
    int n_mw, n_groups;
    char qname[2 * GEN_NAME_MAX + 40];     /* 'NAME', for imp_run's messages */
} tfjs;

/* The manifest: groups of {paths, weights}; each group's shards concatenated. */
static int tfjs_begin(void *self, ictx *c, const gen_model *m)
{
    tfjs *s = self;
    (void)m;
    const cJSON *man = cJSON_GetObjectItemCaseSensitive(s->root, "weightsManifest");
    int ng = cJSON_GetArraySize(man);
    if (!cJSON_IsArray(man) || ng > 4096) {
        imp_err(c, "no weightsManifest list");
        return -1;
    }
    int total_w = 0;
    for (const cJSON *g = man->child; g; g = g->next) {
        const cJSON *ws = cJSON_GetObjectItemCaseSensitive(g, "weights");
        if (!cJSON_IsArray(ws) || cJSON_GetArraySize(ws) > 65536) {
            imp_err(c, "weightsManifest: a group without a list of weights");
            return -1;
        }
        total_w += cJSON_GetArraySize(ws);
    }
    if (total_w > 65536) {
        imp_err(c, "weightsManifest: too many weights");
        return -1;
    }
    s->mw = calloc((size_t)total_w + 1, sizeof *s->mw);
    s->shards = calloc((size_t)ng + 1, sizeof *s->shards);
    if (!s->mw || !s->shards)
        goto oom;
    const char *slash = strrchr(s->json_path, '/');
    int dirlen = slash ? (int)(slash - s->json_path + 1) : 0;
    for (const cJSON *g = man->child; g; g = g->next, s->n_groups++) {
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(g, "paths");
        const cJSON *ws = cJSON_GetObjectItemCaseSensitive(g, "weights");
        long need = 0;
        int first = s->n_mw;
        for (const cJSON *e = ws->child; e; e = e->next) {
            const cJSON *wn = cJSON_GetObjectItemCaseSensitive(e, "name");
            const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
            const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
            mweight *W = &s->mw[s->n_mw++];
            if (!cJSON_IsString(wn) || strlen(wn->valuestring) > 2 * GEN_NAME_MAX + 32) {
                imp_err(c, "weightsManifest: a weight without a name");
                return -1;
            }
            W->name = wn->valuestring;
            if (cJSON_GetObjectItemCaseSensitive(e, "quantization") ||
                (dt && !(cJSON_IsString(dt) && !strcmp(dt->valuestring, "float32")))) {
                imp_err(c, "weight '%s': only unquantized float32 weights are supported", W->name);
                return -1;
            }
            W->rank = cJSON_GetArraySize(sh);
            if (!cJSON_IsArray(sh) || W->rank > 4) {
                imp_err(c, "weight '%s': the shape must be a list of at most 4 integers", W->name);
                return -1;
            }
            W->size = 1;
            int i = 0;
            for (const cJSON *d = sh->child; d; d = d->next, i++) {
                long x;
                if (!is_int(d, 0, GEN_DIM_MAX, &x)) {
                    imp_err(c, "weight '%s': dimensions must be integers in [0, %d]", W->name, GEN_DIM_MAX);
                    return -1;
                }
                W->dims[i] = (int)x;
                W->size *= x;
                if (W->size > GEN_SIZE_MAX) {
                    imp_err(c, "weight '%s': more than %ld values", W->name, (long)GEN_SIZE_MAX);
                    return -1;
                }
            }
            need += W->size;
            if (need > GEN_SIZE_MAX) {
                imp_err(c, "weightsManifest: more than %ld values", (long)GEN_SIZE_MAX);
                return -1;
            }
        }
        /* the shards, concatenated */
        int np = cJSON_GetArraySize(ps);
        if (!cJSON_IsArray(ps) || np > 4096) {
            imp_err(c, "weightsManifest: a group without a list of paths");
            return -1;
        }
        unsigned char *buf = malloc((size_t)need * 4 + 1);
        long have = 0;
        if (!buf)
            goto oom;
        s->shards[s->n_groups] = buf;
        for (const cJSON *p = ps->child; p; p = p->next) {
            char full[4096 + GEN_PATH_MAX];
            if (!cJSON_IsString(p) || !safe_rel(p->valuestring)) {
                imp_err(c, "weightsManifest: a shard path must be relative, of letters, digits and _./-+, "
                        "without '..'");
                return -1;
            }
            if (dirlen > 4000) {
                imp_err(c, "the model path is too long");
                return -1;
            }
            snprintf(full, sizeof full, "%.*s%s", dirlen, s->json_path, p->valuestring);
            long sl = 0;
            unsigned char *sh = read_all(c, full, need * 4 - have, &sl, 1);
            if (!sh) {
                if (sl < 0)
                    imp_err(c, "weightsManifest group %d: the shards hold more than the %ld bytes "
                            "its weights' shapes need (at %s)", s->n_groups + 1, need * 4, p->valuestring);
                return -1;
            }
            memcpy(buf + have, sh, (size_t)sl);
            have += sl;
            free(sh);
        }
        if (have != need * 4) {
            imp_err(c, "weightsManifest group %d: the shards hold %ld bytes, its weights' shapes need %ld",
                    s->n_groups + 1, have, need * 4);
            return -1;
        }
        long off = 0;
        for (int i = first; i < s->n_mw; i++) {
            s->mw[i].data = buf + off * 4;
            off += s->mw[i].size;
        }
    }
    return 0;
oom:
    imp_err(c, "out of memory");
    return -1;
}

/* Each tensor "LAYER/PART" by name, wherever the manifest lists it. */
static int tfjs_tensor(void *self, ictx *c, const gen_model *m, int t, imp_tensor *out)
{
    tfjs *s = self;
    const gen_tensor *T = &m->tensors[t];
    mweight *W = NULL;
    for (int i = 0; i < s->n_mw; i++)
        if (!strcmp(s->mw[i].name, T->name)) {
            if (W) {
                imp_err(c, "weightsManifest: weight '%s' given twice", T->name);
                return -1;
            }
            W = &s->mw[i];
        }
    if (!W) {
        imp_err(c, "weightsManifest: no weight '%s'", T->name);
        return -1;
    }
    W->used = 1;
    snprintf(s->qname, sizeof s->qname, "'%s'", W->name);
    out->name = s->qname;
    out->rank = W->rank;
    memcpy(out->dims, W->dims, sizeof out->dims);
    out->size = W->size;
    out->data = W->data;
    return 0;
}

static int tfjs_end(void *self, ictx *c)
{
    tfjs *s = self;
    for (int i = 0; i < s->n_mw; i++)
        if (!s->mw[i].used) {
            imp_err(c, "weightsManifest: weight '%s' belongs to no layer of the model", s->mw[i].name);
            return -1;
        }
    return 0;
}

int gen_import(const char *json_path, const char *spec_path)
{
    size_t pl = strlen(json_path);
    if (pl > 6 && !strcmp(json_path + pl - 6, ".keras"))
        return gen_import_keras(json_path, spec_path);

    ictx c = {json_path, NULL, NULL, 0};
    long len = 0;
    unsigned char *text = NULL;
    cJSON *root = NULL;
    tfjs s = {json_path, NULL, NULL, NULL, 0, 0, ""};
    int rc = 1;

    if (!(text = read_all(&c, json_path, JSON_MAX, &len, 0)))
        goto out;
    root = cJSON_ParseWithLength((const char *)text, (size_t)len);
    if (!root) {
        const char *e = cJSON_GetErrorPtr();
        imp_err(&c, "not valid JSON (at byte %ld)",
                e && e >= (const char *)text && e <= (const char *)text + len ? (long)(e - (const char *)text) : 0L);
        goto out;
    }
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(root, "modelTopology");
    if (!cJSON_IsObject(topo)) {
        imp_err(&c, "no modelTopology object: not a TensorFlow.js Layers model.json");
        goto out;
    }
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(topo, "training_config");
    if (!tc)
        tc = cJSON_GetObjectItemCaseSensitive(root, "trainingConfig");
    if (cJSON_GetObjectItemCaseSensitive(topo, "model_config"))
        topo = cJSON_GetObjectItemCaseSensitive(topo, "model_config");
    if (tc && !cJSON_IsObject(tc) && !cJSON_IsNull(tc)) {
        imp_err(&c, "training_config is not an object");
        goto out;
    }
    if (cJSON_IsNull(tc))
        tc = NULL;
    s.root = root;
    imp_front f = {"a TensorFlow.js Layers model", "training_config", "model.json", topo, tc,
                   tfjs_begin, tfjs_tensor, tfjs_end, &s};
    rc = imp_run(&c, &f, spec_path);
out:
    for (int i = 0; s.shards && i < s.n_groups + 1; i++)
        free(s.shards[i]);
    free(s.shards);
    free(s.mw);
    cJSON_Delete(root);
    free(text);
    return rc ? 1 : 0;
}
