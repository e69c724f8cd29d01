/* rt.h - the trainer's runtime: settings, weights files, optimizers, training
 * and evaluation around one generated model (see model.h). */
#ifndef RT_RT_H
#define RT_RT_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

/* Keras's fit() callbacks (fit.c; README "Training options"): what a
 * callback watches, which way is better, and its settings.  The numbers and
 * the field order are the generated NAME_CB_* initializers' (gen/ir.h's
 * GEN_MON_*, GEN_MODE_*, GEN_CB_*): keep them. */
enum { RT_MON_LOSS, RT_MON_METRIC, RT_MON_VAL_LOSS, RT_MON_VAL_METRIC };
enum { RT_MODE_AUTO, RT_MODE_MIN, RT_MODE_MAX };
enum { RT_CB_EARLY_STOPPING, RT_CB_REDUCE_LR, RT_CB_CHECKPOINT, RT_N_CALLBACKS };

/* Plain data, saved as it is in checkpoints (no padding). */
typedef struct rt_callback {
    int32_t on, monitor, mode, patience, cooldown, start_from_epoch;
    int32_t flag;               /* restore_best_weights (EarlyStopping), save_best_only (ModelCheckpoint) */
    int32_t has_baseline;       /* EarlyStopping's baseline; ModelCheckpoint's initial_value_threshold */
    double min_delta, baseline, factor, min_lr;
} rt_callback;

typedef struct rt_config {
    const char *data_dir, *train_csv, *test_csv;
    const char *label;          /* --label: the CSV's target columns (NULL: "label") */
    const char *test_data;      /* --test-data DIR: the test set from DIR */
    const char *anomaly_data;   /* eval --anomaly-data DIR: an autoencoder's anomalies */
    double holdout;             /* image folders: the fraction held out for testing */
    const char *save, *log, *weights, *predictions;
    const char *checkpoint, *resume;
    const char *init_weights;   /* --init-weights: start from a weights file (Keras load_weights, then fit) */
    int checkpoint_every;       /* batches; 0: at epoch ends only */
    int epochs, batch_size, threads;
    double lr, beta_1, beta_2, epsilon;
    unsigned long seed;
    int quiet, verbose;
    int qat;                    /* train --qat: quantization-aware training (qat.c) */
    /* Keras fit() options (fit.c): spec defaults, then the flags */
    double validation_split;    /* the last fraction of the training data validates; 0: none */
    const float *class_weight;  /* MODEL_N_CLASSES weights, or NULL (every class 1) */
    rt_callback cb[RT_N_CALLBACKS];
    const char *save_best;      /* ModelCheckpoint's filepath (cb[RT_CB_CHECKPOINT]) */
    int monitor;                /* --monitor: RT_MON_* + 1 for every callback; 0: their own */
} rt_config;

/* Exit statuses, as documented in README.md. */
enum { RT_OK = 0, RT_EINPUT = 1, RT_EUSAGE = 2 };

/* weights.c: the SEQCWTS1 file format (README.md, "Weights file"). */
int rt_weights_save(const char *path, const float *params, char *err, size_t errlen);
int rt_weights_load(const char *path, float *params, char *err, size_t errlen);
/* Write a file atomically: temporary name, fsync, rename. */
int rt_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* optim.c: Keras 3's optimizers and learning-rate schedules (README
 * "Optimizers", templates/SEMANTICS.md).  The kinds are the generated
 * NAME_OPTIMIZER and NAME_LR_SCHEDULE numbers (gen/ir.h's order). */
enum { RT_SGD, RT_RMSPROP, RT_ADAM, RT_ADAMW, RT_ADAGRAD, RT_NADAM, RT_N_OPTIMIZERS };
enum { RT_LR_CONSTANT, RT_LR_EXPONENTIAL, RT_LR_PIECEWISE, RT_LR_COSINE };
#define RT_LR_MAX_BOUNDARIES 32
#define RT_OPTIM_MAX_SLOTS 3

/* Plain data, saved as it is in checkpoints (no padding: the int32s come
 * first, 8 of them). */
typedef struct rt_optim_config {
    int32_t kind, schedule;
    int32_t nesterov, centered, amsgrad, staircase, has_warmup_target, n_boundaries;
    double lr;                  /* the constant rate, or initial_learning_rate */
    double momentum, rho, beta_1, beta_2, epsilon, initial_accumulator_value;
    double weight_decay, clipnorm, clipvalue, global_clipnorm;   /* 0: none */
    double decay_steps, decay_rate, alpha, warmup_target, warmup_steps;
    double boundaries[RT_LR_MAX_BOUNDARIES], values[RT_LR_MAX_BOUNDARIES + 1];
} rt_optim_config;

/* A parameter tensor as the optimizer sees it: Keras updates trainable
 * variables only, and clipnorm is per tensor. */
typedef struct rt_optim_tensor { long offset, size; int trainable; } rt_optim_tensor;

typedef struct rt_optim {
    rt_optim_config c;
    long n, t;                  /* parameters; iterations done (Keras optimizer.iterations) */
    double u_product;           /* nadam: the product of its momentum schedule */
    int n_slots;
    float *slot[RT_OPTIM_MAX_SLOTS];   /* each n floats: m, v, momentums, ... */
    int n_tensors;
    rt_optim_tensor *tensors;
    float *scale;               /* scratch: each tensor's clipping scale */
} rt_optim;

/* n parameters in n_tensors tensors (tensors NULL: one trainable tensor). */
int rt_optim_init(rt_optim *o, const rt_optim_config *c, long n, const rt_optim_tensor *tensors,
                  int n_tensors);
/* One step, as Keras's apply(): clip the gradient (one of clipnorm per
 * tensor, global_clipnorm, clipvalue), decay the weights, update, t += 1.
 * Non-trainable tensors are left as they are. */
void rt_optim_step(rt_optim *o, float *w, const float *g);
/* The learning rate at iteration 'step' (the schedule's, or the constant). */
double rt_optim_lr(const rt_optim_config *c, long step);
/* Slots that c needs; bytes of state (slots) a checkpoint holds. */
int rt_optim_slots(const rt_optim_config *c);
size_t rt_optim_state_bytes(const rt_optim *o);
/* "sgd(learning_rate=0.01, momentum=0.9, ...)": every setting that changes
 * the arithmetic, numbers to 17 digits; two configs are the same iff their
 * descriptions are. */
void rt_optim_describe(const rt_optim_config *c, char *buf, size_t len);
const char *rt_optim_name(int kind);
/* model_optim.c: the spec's optimizer over this model's tensors (the
 * generated constants), with lr, beta_1, beta_2, epsilon from the caller. */
int rt_model_optim(rt_optim *o, double lr, double beta_1, double beta_2, double epsilon);
void rt_optim_free(rt_optim *o);

/* adam.c: the Adam entry points of old, thin wrappers of rt_optim (Adam
 * over n parameters, all trainable). */
typedef rt_optim rt_adam;
int rt_adam_init(rt_adam *a, long n, double lr, double beta_1, double beta_2, double epsilon);
void rt_adam_step(rt_adam *a, float *w, const float *g);
void rt_adam_free(rt_adam *a);

/* Where a run is: the next batch to train, and the epoch's totals so far. */
typedef struct rt_position {
    int epoch, batch;           /* 1-based epoch, 0-based next batch */
    double loss_sum, seconds;
    double metric;              /* the epoch's metric summed over its samples so far */
} rt_position;

/* What the callbacks remember between epochs (Keras keeps it in the
 * callback objects): plain data, saved as it is in checkpoints. */
typedef struct rt_monitor {
    double best;                /* the best value seen (when has_best; Keras's None otherwise) */
    int32_t has_best, wait, cooldown, best_epoch;   /* cooldown: ReduceLROnPlateau's counter */
} rt_monitor;
typedef struct rt_fit_state {
    rt_monitor m[RT_N_CALLBACKS];
    double lr;                  /* the learning rate now: ReduceLROnPlateau lowers it */
    int32_t stop, stopped_epoch;    /* EarlyStopping: stop_training, and the 0-based epoch */
    int32_t has_best_weights, pad;  /* EarlyStopping's best_weights is set */
} rt_fit_state;

/* checkpoint.c: the SEQCCKP4 format (README.md, "Checkpoints").  fit: the
 * callbacks' memory; best: EarlyStopping's best weights (NULL when
 * restore_best_weights is off). */
int rt_checkpoint_save(const char *path, const rt_config *c, int n_train, const rt_position *pos,
                       const float *params, const rt_optim *o, const rt_fit_state *fit,
                       const float *best, char *err, size_t errlen);
int rt_checkpoint_load(const char *path, const rt_config *c, int n_train, rt_position *pos,
                       float *params, rt_optim *o, rt_fit_state *fit, float *best,
                       char *err, size_t errlen);


/* targets.c: a data set's labels or values as the loss reads them. */
enum { RT_TASK_CLASSES, RT_TASK_BINARY, RT_TASK_MULTILABEL, RT_TASK_REGRESSION };  /* MODEL_TASK */
/* "accuracy", or "mae" for regression: what loss()'s metric sums. */
const char *rt_metric_name(void);
/* 1 when d has what the loss compares with (labels, values, or the inputs). */
int rt_has_targets(const rt_dataset *d);
/* 0, or -1 with "SRC: error: ..." when d's labels do not fit the loss. */
int rt_check_targets(const rt_dataset *d, char *err, size_t errlen);
/* Samples idx[0..n): their MODEL_N_TARGETS targets each into t; x holds
 * their inputs, [n][N_INPUT] (an autoencoder's targets). */
void rt_targets(const rt_dataset *d, const int *idx, int n, const float *x, float *t);
/* Every sample's targets, [n][MODEL_N_TARGETS] (malloc'd; NULL: out of
 * memory). */
float *rt_targets_all(const rt_dataset *d);
/* The class predict() reports from one sample's outputs: argmax, or for one
 * sigmoid 1 when above 0.5. */
int rt_class_of(const float *out);
#ifdef MODEL_N_TENSORS   /* model_tensor comes from model.h */
/* The parameter tensor "LAYER/PART" of the model's table, or NULL. */
const model_tensor *rt_model_tensor(const char *layer, const char *part);
#endif

/* train.c */
typedef struct rt_metrics {
    double loss;
    double metric;              /* rt_metric_name(): accuracy, or the mean absolute error */
    long n;
} rt_metrics;
/* outputs (optional, [n][MODEL_N_OUTPUTS]) receives the model's outputs. */
int rt_evaluate(const float *params, const rt_dataset *d, int threads, rt_metrics *out, float *outputs);
/* val: what the epoch line reports as val_ (the validation split, or else
 * the test set); NULL: nothing. */
int rt_train(const rt_config *c, float *params, const rt_dataset *train, const rt_dataset *val);
double rt_now(void);
int rt_chunk_size(int batch_size);
int rt_chunk_count(int batch_size);   /* chunks of rt_chunk_size that hold a batch */
long rt_chunk_grad_bytes(int batch_size);

/* acc[a..b) (+)= chunks [lo, hi) of cg, left to right (train.c). */
void rt_add_chunks(float *acc, const float *cg, long P, long a, long b, int lo, int hi, int first,
                   int threads);

/* mpi.c (built with MPI=1, -DRT_MPI): data-parallel training.  A batch's
 * chunks are dealt to the ranks in contiguous blocks (rt_mpi_range); each
 * rank computes its own chunks.  The gradients are summed along a chain of
 * the ranks in rank order (rt_mpi_sum_chunks), each adding its chunks to
 * the partial sum of the chunks before them, so the additions are the ones
 * one process makes; small per-chunk buffers (batch-norm partials, loss)
 * are gathered to every rank in chunk order (rt_mpi_gather_*) and summed as
 * one process would.  So the weights are bit-identical for any number of
 * ranks.  Without RT_MPI: one rank, and the gathers do nothing. */
#ifdef RT_MPI
void rt_mpi_init(int *argc, char ***argv);
void rt_mpi_finalize(void);
int rt_mpi_rank(void);
int rt_mpi_size(void);
/* buf holds nc blocks of len values; this rank's blocks [lo, hi) are sent,
 * every other block is received in place. */
void rt_mpi_gather_d(double *buf, long len, int nc);
/* grad = the sum of cgrad's nc chunk buffers of P floats, on every rank;
 * this rank has filled its own chunks' buffers. */
void rt_mpi_sum_chunks(float *grad, const float *cgrad, long P, int nc, int threads);
#else
static inline void rt_mpi_init(int *argc, char ***argv) { (void)argc, (void)argv; }
static inline void rt_mpi_finalize(void) {}
static inline int rt_mpi_rank(void) { return 0; }
static inline int rt_mpi_size(void) { return 1; }
static inline void rt_mpi_gather_d(double *buf, long len, int nc) { (void)buf, (void)len, (void)nc; }
static inline void rt_mpi_sum_chunks(float *grad, const float *cgrad, long P, int nc, int threads)
{
    rt_add_chunks(grad, cgrad, P, 0, P, 0, nc, 1, threads);
}
#endif
/* This rank's chunks of a batch of nc: [*lo, *hi) = [r nc / N, (r+1) nc / N). */
static inline void rt_mpi_range(int nc, int *lo, int *hi)
{
    const int r = rt_mpi_rank(), n = rt_mpi_size();
    *lo = (int)((long)r * nc / n), *hi = (int)((long)(r + 1) * nc / n);
}

/* fit.c: Keras's fit() options: validation_split, class_weight and the
 * callbacks EarlyStopping, ReduceLROnPlateau, ModelCheckpoint. */
void rt_fit_defaults(rt_config *c);     /* the spec's, from the generated MODEL_* */
/* A train flag: 1 taken, 0 not a fit() flag, -1 with the usage error in
 * err. */
int rt_fit_flag(rt_config *c, const char *opt, const char *val, char *err, size_t len);
/* After the flags: --monitor applied, and the settings checked together
 * (a val_ monitor needs validation data): 0, or -1 with the usage error. */
int rt_fit_finish(rt_config *c, char *err, size_t len);
/* Keras's train_validation_split: the last n - floor(n (1 - f)) samples of
 * tr become va, a view into the same arrays; -1 with a message when either
 * part would be empty. */
int rt_validation_split(rt_dataset *tr, double f, rt_dataset *va, char *err, size_t errlen);
/* Keras's class_weight_to_sample_weights: each of the n samples' weight
 * from its targets (class index, argmax of one-hot, rounded 0/1 label). */
void rt_sample_weights(const float *class_weight, const float *targets, int n, float *w);
/* "validation_split=0.1, early_stopping(monitor=val_loss, ...)": the
 * settings a resumed run must share ("" when none is set); class weights
 * are compared by the CRC-32 of all MODEL_N_CLASSES of them. */
void rt_fit_describe(double validation_split, const rt_callback *cb, char *buf, size_t len);
uint32_t rt_class_weight_crc(const rt_config *c);
void rt_fit_begin(const rt_config *c, rt_fit_state *s);
/* Every callback's on_epoch_end for the 0-based epoch, in Keras's order of
 * the list; tm: the epoch's training figures, vm: validation's (NULL when
 * none).  Appends what they did to note (for the epoch line); -1 when the
 * best weights cannot be written. */
int rt_fit_epoch_end(const rt_config *c, rt_fit_state *s, int epoch, const rt_metrics *tm,
                     const rt_metrics *vm, const float *params, float *best, char *note,
                     size_t len);
/* on_train_end: EarlyStopping restores its best weights into params. */
void rt_fit_end(const rt_config *c, const rt_fit_state *s, float *params, const float *best);

/* adapt.c: Keras's Normalization.adapt() on the training set, before
 * training: each normalization layer without a mean and variance in the
 * spec gets its input's mean, variance and count, per feature (see
 * adapt.c).  Skip it when the weights come from a file (--resume,
 * --init-weights).  0, or -1 with a message in err. */
int rt_adapt(float *params, const rt_dataset *train, char *err, size_t errlen);

/* export.c: NAME_model.c and .h next to it; see `NAME export --help`. */
int rt_export(const char *weights, const char *out_c, char *err, size_t errlen);
/* NAME_model.c/.h from templates tmpl_c/tmpl_h and data_m4, a file of m4
 * definitions (the float weights, or export --int8's numbers). */
int rt_export_from(const char *data_m4, const char *tmpl_c, const char *tmpl_h, const char *out_c,
                   char *err, size_t errlen);
/* onnx.c: the network with these weights as an ONNX model (opset 13) at
 * path: input "input" [N, ...input shape] (NHWC), output "output" (the
 * model's outputs, as predict() gives them); README "Shipping a model". */
int rt_export_onnx(const char *weights, const char *path, char *err, size_t errlen);

#endif
