/* rt.h - the trainer's runtime: settings, weights files, Adam, training
 * and evaluation around one generated model (see model.h). */
#ifndef RT_RT_H
#define RT_RT_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

typedef struct rt_config {
    const char *data_dir, *train_csv, *test_csv;
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

/* adam.c: Adam as Keras applies it. */
typedef struct rt_adam {
    double lr, beta_1, beta_2, epsilon;
    long t, n;
    float *m, *v;
} rt_adam;
int rt_adam_init(rt_adam *a, long n, double lr, double beta_1, double beta_2, double epsilon);
void rt_adam_step(rt_adam *a, float *w, const float *g);
void rt_adam_free(rt_adam *a);

/* Where a run is: the next batch to train, and the epoch's totals so far. */
typedef struct rt_position {
    int epoch, batch;           /* 1-based epoch, 0-based next batch */
    double loss_sum, seconds;
    long correct;
} rt_position;

/* checkpoint.c: the SEQCCKP1 format (README.md, "Checkpoints"). */
int rt_checkpoint_save(const char *path, const rt_config *c, int n_train, const rt_position *pos,
                       const float *params, const rt_adam *a, char *err, size_t errlen);
int rt_checkpoint_load(const char *path, const rt_config *c, int n_train, rt_position *pos,
                       float *params, rt_adam *a, char *err, size_t errlen);

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
