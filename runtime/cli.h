/* cli.h - what the trainer's commands (cmd_*.c) share; cli.c. */
#ifndef RT_CLI_H
#define RT_CLI_H

#include <stddef.h>

#include "rt.h"

/* --data, --test-data and --holdout, shared by train and eval. */
#define RT_USAGE_DATA \
"  --data DIR          the data (default: %s), one of\n" \
"                      - NumPy: x_train.npy, y_train.npy, x_test.npy, y_test.npy\n" \
"                        (.npy 1.0-3.0; x uint8 or float32, [n, ...input shape];\n" \
"                        y integer labels [n] or [n, 1], or float targets [n, K]\n" \
"                        for multi-label and regression losses)\n" \
"                      - MNIST's layout: train-images-idx3-ubyte, train-labels-\n" \
"                        idx1-ubyte, t10k-*, each optionally .gz; IDX of any rank\n" \
"                        (also named *-images-idx4-ubyte), uint8 or float32\n" \
"                      - an image folder as Keras's image_dataset_from_directory\n" \
"                        reads it: one subfolder of PNG images per class (class =\n" \
"                        position in the sorted folder names); each image converted\n" \
"                        to the input's channels (1: luminance as PIL's\n" \
"                        convert('L'); 3: RGB; 4: RGBA) and, if its size differs,\n" \
"                        resized to the input's by tf.image.resize's default rule\n" \
"                        (bilinear, half-pixel centres, no antialiasing)\n" \
"                      uint8 values are scaled by 1/255, float32 ones used as is.\n" \
"                      Samples have the model's input shape, %s (dimensions of\n" \
"                      size 1 may be added or left out; a flat input takes\n" \
"                      samples of any shape with as many values, row-major)\n" \
"  --test-data DIR     the test set from DIR instead: an image folder (all of it),\n" \
"                      or the test files of a NumPy or MNIST-layout directory\n" \
"  --holdout F         image folder without --test-data: the test set is, of each\n" \
"                      class's files in sorted order, file i (from 0) when\n" \
"                      floor((i+1)F) > floor(iF): every 5th for the default 0.2\n" \
"                      (stratified and seedless, so eval sees the same split)\n"


extern const char *rt_prog;   /* argv[0] */

/* "PROG: MESSAGE\n(run 'PROG --help')"; returns RT_EUSAGE. */
int rt_usage_error(const char *fmt, const char *arg);
long rt_online_cores(void);
/* Every parallel region uses the same team of n threads. */
void rt_use_threads(int n);
/* The spec's defaults. */
void rt_defaults(rt_config *c);
/* The options of train (train = 1) or eval; 0, or -1 after a usage error. */
int rt_parse_opts(int argc, char **argv, rt_config *c, int train);
/* "[28, 28, 1]": the model's input shape as the spec wrote it. */
const char *rt_model_shape_str(char *s, size_t sl);
/* 0 when d's samples fit the model's input (message and -1 if not). */
int rt_check_shape(const rt_dataset *d, int flat_ok);
/* The model's input as an image H x W x C; -1 when it is not one. */
int rt_image_shape(int *H, int *W, int *C);
/* The training (train = 1) and test sets the options name, checked. */
int rt_load_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train);
void rt_free_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train);
/* An autoencoder's anomalies: the test files of a --data style DIR (or a
 * CSV file), labels ignored; 0, or -1 after the message. */
int rt_load_anomaly(const char *dir, rt_dataset *d);
/* "test_loss=... test_accuracy=..." (test_mae=... for regression, and the
 * task's other figures); RT_OK or RT_EINPUT. */
int rt_final_line(const float *params, const rt_dataset *te, int threads);
/* The same line from rt_eval_all's results, extra (if not NULL) at its end. */
void rt_print_final(const rt_metrics *m, const float *out, const float *t, long n, const char *extra);
/* rt_evaluate over te keeping every sample's outputs and targets
 * (malloc'd; *targets NULL when te has none); -1 after the message. */
int rt_eval_all(const float *params, const rt_dataset *te, int threads, rt_metrics *m,
                float **outputs, float **targets);
/* A weights file into a new parameter vector, or NULL after the message. */
float *rt_load_weights(const char *path);

int rt_cmd_train(int argc, char **argv);
int rt_cmd_eval(int argc, char **argv);
int rt_cmd_predict(int argc, char **argv);
int rt_cmd_export(int argc, char **argv);

#endif
