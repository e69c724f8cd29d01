/* ir.h - the spec tree and the IR of seqc.
 *
 * One struct serves both: the front end (spec.c) fills the options a user
 * wrote, check.c enforces the cross-layer rules, lower.c resolves every
 * shape, offset and size into plain numbers, and emit.c prints them.  After
 * lowering, nothing downstream computes anything. */
#ifndef GEN_IR_H
#define GEN_IR_H

#include <stddef.h>
#include <stdio.h>

#define GEN_NAME_MAX 48         /* identifiers that reach C; see gen_valid_ident */
#define GEN_DIM_MAX 65536       /* any single dimension */
#define GEN_SIZE_MAX (1L << 28) /* floats in any buffer or in all parameters */
#define GEN_PATH_MAX 256

typedef struct gen_mark { int line, col; } gen_mark; /* 1-based */

/* Activations: the spec's names, in the order of gen_act_name().  The
 * parameterised ones (leaky_relu's slope, elu's alpha, relu's max_value and
 * threshold) read gen_layer.alpha / act_max / act_thr. */
typedef enum gen_act {
    GEN_ACT_LINEAR, GEN_ACT_RELU, GEN_ACT_SIGMOID, GEN_ACT_TANH, GEN_ACT_SOFTMAX,
    GEN_ACT_RELU6, GEN_ACT_LEAKY_RELU, GEN_ACT_ELU, GEN_ACT_SELU, GEN_ACT_GELU,
    GEN_ACT_GELU_TANH, GEN_ACT_SILU, GEN_ACT_SWISH, GEN_ACT_SOFTPLUS, GEN_ACT_SOFTSIGN,
    GEN_ACT_HARD_SIGMOID, GEN_ACT_HARD_SILU, GEN_ACT_HARD_SWISH, GEN_ACT_EXPONENTIAL,
    GEN_ACT_RELU_FULL,      /* the relu layer with max_value / negative_slope / threshold */
    GEN_ACT_COUNT
} gen_act;

/* A regularizer: l1 * sum|w| + l2 * sum w^2 (Keras L1L2). */
typedef struct gen_reg { double l1, l2; } gen_reg;

struct gen_kind;

typedef struct gen_layer {
    const struct gen_kind *kind;
    char name[GEN_NAME_MAX + 1];
    gen_mark mark;          /* the list item that declared the layer */
    gen_mark name_mark;
    int named;              /* name given by the user */
    int frozen;             /* trainable: false (Keras): weights fixed; batch norm in inference mode */

    /* options as written (Keras defaults filled in by spec.c) */
    int units;              /* filters (conv2d) or units (dense) */
    int kh, kw, sh, sw;     /* kernel/pool window and strides (1-D: kh = sh = 1) */
    int dh, dw;             /* dilation_rate */
    int strides_given;
    int same;               /* padding: same */
    int causal;             /* conv1d padding: causal */
    gen_act act;
    gen_mark act_mark;
    double alpha;           /* leaky_relu slope, elu alpha, relu negative_slope */
    double act_max, act_thr;/* relu layer: max_value (< 0: none), threshold */
    int use_bias;
    double rate;            /* dropout */
    int zp[4];              /* zero_padding2d: top, bottom, left, right */
    int rank, shape[3];     /* input; reshape: target_shape (-1 resolved by lower.c) */
    int dm;                 /* depth_multiplier */
    double momentum, eps;   /* batch_normalization */
    int center, scale;
    gen_reg reg_kernel, reg_bias, reg_point;  /* kernel (or depthwise), bias, pointwise */
    /* normalization: axis (-1 or the last axis's index; norm_all: axis None,
     * one mean and variance for every value), invert, and the spec's mean
     * and variance (n_given values each, 1 or one per feature; 0: adapt();
     * malloc'd, gen_model_free frees them) */
    int norm_axis, norm_all, invert;
    int n_given, n_given_var;
    double *given_mean, *given_var;
    gen_mark given_mark;    /* where 'mean' was written */
    long c_off;             /* ... their offset among the model's constants (n_consts) */

    /* lowered: per-sample shapes, offsets in floats.  Every tensor is
     * [h][w][c]: rank 3 images, rank 2 sequences [1][steps][c], rank 1
     * flat vectors [1][1][c]; in_rank/out_rank tell which. */
    int ih, iw, ic, oh, ow, oc;
    int in_rank, out_rank;
    int pt, pb, pl, pr;     /* padding actually applied (TF 'same' rule) */
    long in_size, out_size;
    long in_off, out_off;   /* per-sample activation arena; region scales by n */
    long mask_off;          /* dropout mask region; separable: the depthwise output */
    long din_off, dout_off; /* gradient arena (dact): the input's and the output's gradient */
    long dmid_off;          /* separable: its depthwise output's gradient */
    int relu_fused;         /* batch norm: computes the plain ReLU after it in training
                             * (templates/batch_norm.m4; lower.c relu_scratch decides) */
    int relu_scr;           /* ... and training keeps that ReLU's output in the scratch
                             * region only (lower.c relu_scratch) */
    int in_scr;             /* this layer's input is such a ReLU's output */
    long w_off, w_size, b_off, b_size;
    long p_off, p_size;     /* separable: pointwise kernel; batch norm: moving mean+variance */
    int bn;                 /* batch norm: its index among them, else -1 */
    long stat_off;          /* batch norm: its 4*oc doubles of batch statistics */
    int has_params;
    int need_din;           /* some earlier layer wants the input gradient */
    int alias;              /* output is the input buffer (flatten) */
    int act_code;           /* activation computed in C (softmax fused -> linear) */
    double keep_scale;      /* dropout: 1 / (1 - rate) */
    /* register blocking of the templates' inner loops (divisors, so no
     * remainder loops): output channels, input channels for the kernel
     * gradient, input channels for the input gradient */
    int ob, cbw, cbd;
    int obx;                /* output-channel block when V = 1 (export): the vector */
    int cbp;                /* separable: mid-channel block of the pointwise kernel gradient */
    long x_in, x_out;       /* export: offsets in the inference arena, -1 = the caller's input */
    long x_mid;             /* export: separable's depthwise output */
    int zx;                 /* fused activation whose gradient needs the pre-activation */
    long z_off;             /* ... kept here */
} gen_layer;

typedef struct gen_tensor {
    char name[GEN_NAME_MAX + 16];
    int layer;
    int rank, dims[4];
    long off, size;
    int init;               /* GEN_INIT_* */
    double limit;           /* glorot_uniform bound sqrt(6/(fan_in+fan_out)) */
    int trainable;          /* batch norm's moving statistics are not */
    gen_reg reg;            /* its regularizer (0, 0: none) */
} gen_tensor;

enum { GEN_INIT_ZEROS, GEN_INIT_GLOROT, GEN_INIT_ONES };

/* The optimizer (Keras 3 keras.optimizers.*) and its learning-rate
 * schedule (keras.optimizers.schedules.*).  The numbers are the generated
 * NAME_OPTIMIZER and NAME_LR_SCHEDULE, which runtime/rt.h's RT_OPTIM_* and
 * RT_LR_* repeat: keep the orders. */
typedef enum gen_optim_kind {
    GEN_OPTIM_SGD, GEN_OPTIM_RMSPROP, GEN_OPTIM_ADAM, GEN_OPTIM_ADAMW, GEN_OPTIM_ADAGRAD,
    GEN_OPTIM_NADAM, GEN_OPTIM_COUNT
} gen_optim_kind;
typedef enum gen_lr_kind {
    GEN_LR_CONSTANT, GEN_LR_EXPONENTIAL, GEN_LR_PIECEWISE, GEN_LR_COSINE
} gen_lr_kind;
#define GEN_LR_MAX_BOUNDARIES 32

typedef struct gen_optim {
    gen_optim_kind kind;
    double momentum, rho, init_accum;   /* sgd/rmsprop; rmsprop; adagrad */
    int nesterov, centered, amsgrad;
    double weight_decay;                /* 0: none (Keras None) */
    double clipnorm, clipvalue, global_clipnorm;   /* 0: none; at most one is set */
    gen_lr_kind schedule;
    double decay_steps, decay_rate, alpha, warmup_target, warmup_steps;
    int staircase, has_warmup_target;
    int n_boundaries;                   /* piecewise_constant_decay */
    long boundaries[GEN_LR_MAX_BOUNDARIES];
    double values[GEN_LR_MAX_BOUNDARIES + 1];
} gen_optim;

/* The loss (Keras 3 keras.losses.*; templates/loss.m4 computes it).  The
 * numbers are the generated NAME_LOSS: keep the order. */
typedef enum gen_loss_kind {
    GEN_LOSS_SPARSE_CCE, GEN_LOSS_CCE, GEN_LOSS_BCE, GEN_LOSS_MSE, GEN_LOSS_MAE, GEN_LOSS_HUBER,
    GEN_LOSS_COUNT
} gen_loss_kind;
/* What the outputs mean, for the reports (NAME_TASK): one class of K
 * (softmax), a yes/no (one sigmoid unit), K independent yes/no labels,
 * K real numbers. */
enum { GEN_TASK_CLASSES, GEN_TASK_BINARY, GEN_TASK_MULTILABEL, GEN_TASK_REGRESSION };
/* The output activation the loss applies itself, from the logits (Keras's
 * TensorFlow backend does the same): NAME_OUT_ACT. */
enum { GEN_OUT_NONE, GEN_OUT_SOFTMAX, GEN_OUT_SIGMOID };

typedef struct gen_loss {
    gen_loss_kind kind;
    int from_logits;
    double label_smoothing, delta;
    gen_mark mark;          /* the loss's name in the spec */
    gen_mark opt_mark[3];   /* where from_logits, label_smoothing, delta were given (0: not) */
} gen_loss;

/* Keras fit() options beyond batch_size and epochs (the spec's train:):
 * validation_split, class_weight and three callbacks.  The numbers are the
 * generated NAME_CB_* initializers', which runtime/rt.h's rt_callback and
 * RT_MON_* / RT_MODE_* repeat: keep the orders. */
enum { GEN_MON_LOSS, GEN_MON_METRIC, GEN_MON_VAL_LOSS, GEN_MON_VAL_METRIC };
enum { GEN_MODE_AUTO, GEN_MODE_MIN, GEN_MODE_MAX };
enum { GEN_CB_EARLY_STOPPING, GEN_CB_REDUCE_LR, GEN_CB_CHECKPOINT, GEN_CB_COUNT };
#define GEN_MAX_CLASS_WEIGHTS 64   /* spec.c allows no mapping of more keys */

typedef struct gen_callback {
    int on, monitor, mode, patience, cooldown, start_from_epoch;
    int flag;               /* restore_best_weights (early stopping), save_best_only (checkpoint) */
    int has_baseline;       /* early stopping's baseline, model_checkpoint's initial_value_threshold */
    double min_delta, baseline, factor, min_lr;
    int monitor_mae;        /* the monitor named mae (1) or accuracy (0): checked against the task */
    gen_mark mark, monitor_mark;
} gen_callback;

typedef struct gen_fit {
    double validation_split;            /* 0: none */
    int n_class_weights;
    int cw_class[GEN_MAX_CLASS_WEIGHTS];
    double cw_weight[GEN_MAX_CLASS_WEIGHTS];
    gen_mark cw_mark[GEN_MAX_CLASS_WEIGHTS], cw_at;
    gen_callback cb[GEN_CB_COUNT];
    char filepath[GEN_PATH_MAX + 1];    /* model_checkpoint's */
} gen_fit;

typedef struct gen_model {
    const char *path;       /* spec file, for messages */
    char name[GEN_NAME_MAX + 1];
    char upper[GEN_NAME_MAX + 1];
    gen_layer *layers;
    int n_layers, cap_layers;
    gen_tensor *tensors;
    int n_tensors;

    /* training settings (spec defaults; trainer flags override) */
    int batch_size, epochs;
    unsigned long seed;
    double lr, beta_1, beta_2, epsilon;   /* lr: the constant rate, or the schedule's at step 0 */
    gen_optim opt;                        /* the rest of the optimizer (spec.c sets its defaults) */
    int have_loss;
    gen_mark loss_mark, layers_mark;
    gen_loss loss;
    int targets_inputs;     /* train: {targets: inputs}: an autoencoder */
    gen_mark targets_mark;
    char data_dir[GEN_PATH_MAX + 1];
    gen_fit fit;            /* train:'s fit() options (spec.c; gen_fit_check after lowering) */

    /* lowered totals */
    long n_params, n_act, n_in;
    long n_dact;            /* floats per sample of the gradient arena (lower.c grad_slots) */
    long scr_off;           /* the activations' scratch region (lower.c relu_scratch), or -1 */
    long dscr_off;          /* the gradient arena's, where backward recomputes into, or -1 */
    long n_trainable;       /* parameters the optimizer updates */
    long n_consts;          /* floats of constants outside the parameters: the spec's normalization mean/variance */
    int n_bn;               /* batch norm layers: they split training passes into steps */
    long n_stats;           /* doubles of batch statistics, 4 per batch-norm channel */
    int has_reg;            /* some tensor has a regularizer */
    int n_out;              /* outputs per sample (the last layer's units) */
    int n_targets;          /* target floats per sample that the loss reads */
    int n_classes;          /* classes of an integer label: K, 2 for binary, 0: none */
    int task, out_act;      /* GEN_TASK_*, GEN_OUT_* (check.c decides) */
    int in_h, in_w, in_c;   /* image view of the input (flat: 1 x N x 1) */
    long act_bytes_infer;   /* inference arena: largest live input+output pair, bytes */
    long x_arena;           /* the same in floats */
    int max_oc;
} gen_model;

extern char gen_last_error[1024];  /* diag.c: the last message, for tests */
extern int gen_quiet;              /* diag.c: do not print to stderr */

/* Every error goes through here: "FILE:LINE:COL: error: MSG". */
void gen_error(const char *path, gen_mark at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

int gen_parse(const char *path, gen_model *m);   /* spec.c  */
int gen_check(gen_model *m);                     /* check.c */
int gen_lower(gen_model *m);                     /* lower.c */
int gen_emit(const gen_model *m, const char *out_path); /* emit.c */
void gen_summary(const gen_model *m, FILE *f);   /* summary.c */
void gen_model_free(gen_model *m);
int gen_build(const gen_model *m, const char *spec, const char *outdir);  /* build.c */

int gen_valid_ident(const char *s);
const char *gen_act_name(gen_act a);
const char *gen_optim_name(gen_optim_kind k);
const char *gen_loss_name(gen_loss_kind k);      /* loss.c: "binary_crossentropy", ... */
int gen_loss_word(const char *s, gen_loss_kind *k);  /* loss.c: a name or alias -> kind; -1: none */
int gen_loss_check(gen_model *m);   /* loss.c: the loss against the last activation (check.c) */
int gen_loss_shape(gen_model *m);   /* loss.c: ... and against the output size (lower.c) */     /* spec.c: "sgd", ... */
int gen_optim_slots(const gen_optim *o);         /* spec.c: state arrays of the parameters' size */
int gen_fit_check(gen_model *m);     /* spec.c: fit() options against the lowered model (lower.c) */

#endif
