m4_divert(-1)
m4_dnl api.m4 - the public API of a generated model, shared by NAME.c (which
m4_dnl must compile alone) and NAME.h (for the code that uses it).

m4_define(«seqc_api», «m4_dnl
#define seqc_MODEL«»_N_INPUT    seqc_n_in    /* floats per sample: [seqc_in_h][seqc_in_w][seqc_in_c], pixels / 255 */
#define seqc_MODEL«»_IN_H       seqc_in_h
#define seqc_MODEL«»_IN_W       seqc_in_w
#define seqc_MODEL«»_IN_C       seqc_in_c
#define seqc_MODEL«»_IN_RANK    seqc_in_rank   /* 3: [IN_H][IN_W][IN_C]; 2: [IN_W steps][IN_C]; 1: [N_INPUT] */
#define seqc_MODEL«»_N_OUTPUTS  seqc_n_out   /* floats per sample that outputs() gives */
#define seqc_MODEL«»_N_TARGETS  seqc_n_targets   /* floats per sample that loss() reads */
#define seqc_MODEL«»_N_CLASSES  seqc_n_classes   /* integer labels are in [0, N_CLASSES); 0: none (multi-label, regression) */
/* the loss (Keras 3 keras.losses): 0 sparse_categorical_crossentropy,
 * 1 categorical_crossentropy, 2 binary_crossentropy, 3 mean_squared_error,
 * 4 mean_absolute_error, 5 huber */
#define seqc_MODEL«»_LOSS       seqc_loss
#define seqc_MODEL«»_LOSS_NAME  "seqc_loss_name"
#define seqc_MODEL«»_FROM_LOGITS seqc_from_logits
#define seqc_MODEL«»_LABEL_SMOOTHING seqc_label_smoothing
#define seqc_MODEL«»_HUBER_DELTA seqc_huber_delta
/* what the outputs are: 0 one class of N_OUTPUTS (softmax), 1 binary (one
 * sigmoid), 2 multi-label (N_OUTPUTS sigmoids), 3 regression */
#define seqc_MODEL«»_TASK       seqc_task
/* the activation outputs() applies to the last layer's values, which the
 * loss takes as logits: 0 none, 1 softmax, 2 sigmoid */
#define seqc_MODEL«»_OUT_ACT    seqc_out_act
#define seqc_MODEL«»_TARGETS_INPUTS seqc_targets_inputs   /* 1: an autoencoder, the targets are the inputs */
#define seqc_MODEL«»_N_PARAMS   seqc_n_params  /* floats in the parameter vector */
#define seqc_MODEL«»_N_TRAINABLE seqc_n_trainable  /* of which the optimizer updates (not batch norm's moving statistics) */
#define seqc_MODEL«»_N_TENSORS  seqc_n_tensors
#define seqc_MODEL«»_N_LAYERS   m4_eval(seqc_n_layers - 1)
#define seqc_MODEL«»_N_ACT      seqc_n_act   /* floats of activation arena per sample */
#define seqc_MODEL«»_V          seqc_V   /* samples per block in this build */
#define seqc_MODEL«»_INFER_RAM_BYTES m4_eval(seqc_x_arena * 4)  /* exported single-sample activations */
/* Batch normalization splits the training passes into steps (see
 * forward_step); N_STATS doubles hold a batch's statistics. */
#define seqc_MODEL«»_N_BN       seqc_n_bn
#define seqc_MODEL«»_N_STATS    seqc_n_stats
#define seqc_MODEL«»_FWD_STEPS  m4_eval(seqc_n_bn + 1)
#define seqc_MODEL«»_BWD_STEPS  m4_eval(seqc_n_bn + 1)
/* floats of arena (act, dact) for a batch of n: the activations, then room
 * for the batch statistics of the one-call passes */
#define seqc_MODEL«»_ARENA_FLOATS(n) ((long)(((n) + seqc_MODEL«»_V - 1) / seqc_MODEL«»_V) * seqc_MODEL«»_V * seqc_MODEL«»_N_ACT + 2 * seqc_MODEL«»_N_STATS + 2)
/* floats of the gradient arena (dact) for a batch of n: room for the few
 * gradients alive at once (N_DACT floats per sample, at most N_ACT), then
 * the same statistics room; ARENA_FLOATS(n) is enough too */
#define seqc_MODEL«»_N_DACT     seqc_n_dact
#define seqc_MODEL«»_DACT_FLOATS(n) ((long)(((n) + seqc_MODEL«»_V - 1) / seqc_MODEL«»_V) * seqc_MODEL«»_V * seqc_MODEL«»_N_DACT + 2 * seqc_MODEL«»_N_STATS + 2)
/* training defaults from the spec */
#define seqc_MODEL«»_BATCH_SIZE seqc_batch_size
#define seqc_MODEL«»_EPOCHS     seqc_epochs
#define seqc_MODEL«»_SEED       seqc_seed«»UL
/* the optimizer (Keras 3 keras.optimizers, README "Optimizers"):
 * 0 sgd, 1 rmsprop, 2 adam, 3 adamw, 4 adagrad, 5 nadam */
#define seqc_MODEL«»_OPTIMIZER  seqc_optimizer
#define seqc_MODEL«»_OPTIMIZER_NAME "seqc_optimizer_name"
#define seqc_MODEL«»_OPTIMIZER_SLOTS seqc_optim_slots  /* state arrays of N_PARAMS floats */
#define seqc_MODEL«»_LEARNING_RATE seqc_lr  /* the constant rate; with a schedule, its rate at step 0 */
#define seqc_MODEL«»_BETA_1     seqc_beta_1
#define seqc_MODEL«»_BETA_2     seqc_beta_2
#define seqc_MODEL«»_EPSILON    seqc_epsilon
#define seqc_MODEL«»_MOMENTUM   seqc_momentum
#define seqc_MODEL«»_NESTEROV   seqc_nesterov
#define seqc_MODEL«»_RHO        seqc_rho
#define seqc_MODEL«»_CENTERED   seqc_centered
#define seqc_MODEL«»_AMSGRAD    seqc_amsgrad
#define seqc_MODEL«»_INITIAL_ACCUMULATOR_VALUE seqc_init_accum
#define seqc_MODEL«»_WEIGHT_DECAY seqc_weight_decay  /* 0: none */
#define seqc_MODEL«»_CLIPNORM   seqc_clipnorm  /* 0: none; at most one of the three is set */
#define seqc_MODEL«»_CLIPVALUE  seqc_clipvalue
#define seqc_MODEL«»_GLOBAL_CLIPNORM seqc_global_clipnorm
/* the learning-rate schedule: 0 constant, 1 exponential_decay,
 * 2 piecewise_constant_decay, 3 cosine_decay; LEARNING_RATE is its
 * initial_learning_rate (piecewise: the first of VALUES) */
#define seqc_MODEL«»_LR_SCHEDULE seqc_lr_schedule
#define seqc_MODEL«»_LR_DECAY_STEPS seqc_lr_decay_steps
#define seqc_MODEL«»_LR_DECAY_RATE seqc_lr_decay_rate
#define seqc_MODEL«»_LR_STAIRCASE seqc_lr_staircase
#define seqc_MODEL«»_LR_ALPHA   seqc_lr_alpha
#define seqc_MODEL«»_LR_HAS_WARMUP_TARGET seqc_lr_has_warmup_target
#define seqc_MODEL«»_LR_WARMUP_TARGET seqc_lr_warmup_target
#define seqc_MODEL«»_LR_WARMUP_STEPS seqc_lr_warmup_steps
#define seqc_MODEL«»_LR_N_BOUNDARIES seqc_lr_n_boundaries
#define seqc_MODEL«»_LR_BOUNDARIES {seqc_lr_boundaries}  /* initializers */
#define seqc_MODEL«»_LR_VALUES  {seqc_lr_values}
#define seqc_MODEL«»_DATA_DIR   "m4_defn(«seqc_data_dir»)"
/* Keras fit() options from the spec's train: (README "Training options"):
 * the last VALIDATION_SPLIT of the training data validates (0: none);
 * class CLASS_WEIGHT_CLASSES[i] weighs CLASS_WEIGHT_VALUES[i] (others 1) */
#define seqc_MODEL«»_VALIDATION_SPLIT seqc_validation_split
#define seqc_MODEL«»_N_CLASS_WEIGHTS seqc_n_class_weights
#define seqc_MODEL«»_CLASS_WEIGHT_CLASSES {seqc_cw_classes}  /* initializers */
#define seqc_MODEL«»_CLASS_WEIGHT_VALUES {seqc_cw_values}
/* callbacks, each {on, monitor, mode, patience, cooldown, start_from_epoch,
 * flag, has_baseline, min_delta, baseline, factor, min_lr}: monitor 0 loss,
 * 1 the metric, 2 val_loss, 3 val_ the metric; mode 0 auto, 1 min, 2 max;
 * flag: restore_best_weights (EarlyStopping), save_best_only
 * (ModelCheckpoint); baseline: EarlyStopping's baseline, ModelCheckpoint's
 * initial_value_threshold */
#define seqc_MODEL«»_CB_EARLY_STOPPING {seqc_cb_es}
#define seqc_MODEL«»_CB_REDUCE_LR_ON_PLATEAU {seqc_cb_rlr}
#define seqc_MODEL«»_CB_MODEL_CHECKPOINT {seqc_cb_mc}
#define seqc_MODEL«»_CB_FILEPATH "m4_defn(«seqc_cb_filepath»)"  /* ModelCheckpoint's */

/* One parameter tensor, in Keras get_weights() order and layout. */
typedef struct seqc_model«»_tensor {
    const char *name;       /* "conv2d_1/kernel" */
    int rank, dims[4];
    long offset, size;      /* in floats, into the parameter vector */
    int trainable;          /* 0: batch norm's moving statistics, which training sets, not the optimizer */
} seqc_model«»_tensor;
extern const seqc_model«»_tensor seqc_model«»_tensors[seqc_MODEL«»_N_TENSORS];

/* One layer's output, as forward() leaves it in the arena. */
typedef struct seqc_model«»_layer {
    const char *name, *kind;  /* kind: the Keras class, "Conv2D" */
    int rank;               /* of the output: 3 [h][w][c], 2 [w = steps][c], 1 [c] */
    int h, w, c;            /* output shape per sample; rank 2 is 1 x steps x c, rank 1 is 1 x 1 x c */
    long offset, size;      /* region at offset * np floats (np = n rounded up to V); size per sample */
    long params;
} seqc_model«»_layer;
extern const seqc_model«»_layer seqc_model«»_layers[seqc_MODEL«»_N_LAYERS];

/* Keras glorot_uniform kernels and zero biases from a seed. */
void seqc_model«»_init(float *params, uint64_t seed);
/* Forward pass over n samples.  act holds ARENA_FLOATS(n) floats; the caller
 * puts the inputs, [n][N_INPUT], at act[0].  train selects dropout, whose
 * masks depend only on key and the sample's place in the batch, and batch
 * normalization's batch statistics: the n samples are one whole batch. */
void seqc_model«»_forward(const float *params, float *act, int n, int train, uint64_t key);
/* The loss (LOSS) of the n samples forward() left in act, against targets
 * [n][N_TARGETS] (sparse_categorical_crossentropy: the class index; else
 * one-hot or soft labels, 0/1 labels, or values).  weights: n per-sample
 * weights (Keras's class_weight) or NULL for 1.  Returns the summed
 * weighted loss.  Adds to *metric (if not NULL) the sum over samples of
 * the per-epoch metric: 1 for a right class (argmax; binary: p > 0.5), the
 * share of right labels (multi-label), or the mean absolute error
 * (regression).  If dact is not NULL, writes dL/d(last layer's values)
 * times weight times 'scale' (1 / real batch size) for backward(). */
double seqc_model«»_loss(const float *act, const float *targets, const float *weights, int n,
    float scale, float *dact, double *metric);
/* Backward pass: accumulates into grads (N_PARAMS floats); dact holds
 * DACT_FLOATS(n) floats, and loss() filled its logits gradient. */
void seqc_model«»_backward(const float *params, float *grads, const float *act,
    float *dact, int n);
/* After forward(train = 1) on one whole batch of n: its statistics, for
 * moving_update(params, batch_stats(act, n), n), which applies Keras's
 * update of batch normalization's moving mean and variance. */
const double *seqc_model«»_batch_stats(const float *act, int n);
void seqc_model«»_moving_update(float *params, const double *stats, int batch);
/* The regularization penalty (kernel_regularizer, ...) that Keras adds to
 * the loss once per batch; if grads is not NULL, adds its gradient. */
double seqc_model«»_penalty(const float *params, float *grads);
/* The training passes over a batch cut into chunks (threads, processes):
 * run forward steps 0..FWD_STEPS-1 in order, each on every chunk; after step
 * s each chunk has written its partial sums into partial[off, off + len)
 * (step_slice(0, s, ...)), which the caller adds over the chunks, in a fixed
 * order, into stats[off, off + len) before any chunk starts step s + 1.
 * Backward likewise (step_slice(1, s, ...)), after loss() on each chunk.
 * batch is the whole batch's sample count; stats and partial hold N_STATS
 * doubles.  forward() and backward() are these for a single chunk.  train
 * is 1, or 2 in a training loop that reads no layer_output(): then a batch
 * normalization fused with the ReLU after it writes the ReLU's output only
 * (backward recomputes its own; one store pass less). */
void seqc_model«»_forward_step(const float *params, float *act, int n, int train, uint64_t key,
    int step, int batch, const double *stats, double *partial);
void seqc_model«»_backward_step(const float *params, float *grads, const float *act, float *dact,
    int n, int step, int batch, const double *stats, double *partial);
void seqc_model«»_step_slice(int backward, int step, long *off, long *len);
/* The model's outputs [n][N_OUTPUTS] as Keras's predict() gives them: the
 * last layer's values with OUT_ACT applied (class probabilities, label
 * probabilities, or values). */
void seqc_model«»_outputs(const float *act, int n, float *out);
/* Layer 'layer' of the layers table as forward() left it: [n][size]. */
void seqc_model«»_layer_output(const float *act, int n, int layer, float *dst);
»)
m4_divert(0)m4_dnl
