/* rt.h - the trainer's runtime: settings, weights files, optimizers, training
 * and evaluation around one generated model (see model.h). */
#ifndef RT_RT_H
#define RT_RT_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

typedef struct rt_config {
    const char *data_dir, *train_csv, *test_csv;
    const char *test_data;      /* --test-data DIR: the test set from DIR */
    double holdout;             /* image folders: the fraction held out for testing */
    const char *save, *log, *weights, *predictions;
    const char *checkpoint, *resume;
    int checkpoint_every;       /* batches; 0: at epoch ends only */
    int epochs, batch_size, threads;
    double lr, beta_1, beta_2, epsilon;
    unsigned long seed;
    int quiet, verbose;
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
    long correct;
} rt_position;

/* checkpoint.c: the SEQCCKP2 format (README.md, "Checkpoints"). */
int rt_checkpoint_save(const char *path, const rt_config *c, int n_train, const rt_position *pos,
                       const float *params, const rt_optim *o, char *err, size_t errlen);
int rt_checkpoint_load(const char *path, const rt_config *c, int n_train, rt_position *pos,
                       float *params, rt_optim *o, char *err, size_t errlen);

/* train.c */
typedef struct rt_metrics { double loss, accuracy; long n; } rt_metrics;
/* pred (optional, n ints) receives each image's argmax class. */
int rt_evaluate(const float *params, const rt_dataset *d, int threads, rt_metrics *out, int *pred);
int rt_train(const rt_config *c, float *params, const rt_dataset *train, const rt_dataset *test);
double rt_now(void);
int rt_chunk_size(int batch_size);
long rt_chunk_grad_bytes(int batch_size);

/* export.c: NAME_model.c and .h next to it; see `NAME export --help`. */
int rt_export(const char *weights, const char *out_c, char *err, size_t errlen);

#endif
