/* cli.c - what the trainer's commands share: options, defaults, loading the
 * data sets and checking them against the model, the final line. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli.h"
#include "metrics.h"
#include "model.h"
#include "rt.h"

const char *rt_prog;

int rt_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", rt_prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run '%s --help')\n", rt_prog);
    return RT_EUSAGE;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A finite number in (0, hi). */
static int parse_double(const char *s, double hi, double *out)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || !isfinite(v) || v <= 0 || v >= hi)
        return -1;
    *out = v;
    return 0;
}

long rt_online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* Every parallel region (Adam, gradient sums) uses the same team. */
void rt_use_threads(int n)
{
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

void rt_defaults(rt_config *c)
{
    memset(c, 0, sizeof *c);
    c->epochs = MODEL_EPOCHS;
    c->batch_size = MODEL_BATCH_SIZE;
    c->lr = MODEL_LEARNING_RATE;
    c->beta_1 = MODEL_BETA_1;
    c->beta_2 = MODEL_BETA_2;
    c->epsilon = MODEL_EPSILON;
    c->seed = MODEL_SEED;
    c->threads = (int)rt_online_cores();
    c->data_dir = MODEL_DATA_DIR[0] ? MODEL_DATA_DIR : "out/data/mnist";
    c->holdout = 0.2;
    rt_fit_defaults(c);   /* fit.c: validation_split, class_weight, callbacks */
}

/* Options shared by the commands; returns argv index consumed, or -1. */
int rt_parse_opts(int argc, char **argv, rt_config *c, int train)
{
    char msg[512];
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(o, "--quiet")) { c->quiet = 1; continue; }
        if (!strcmp(o, "--verbose")) { c->verbose = 1; continue; }
        if (!strcmp(o, "--qat") && train) { c->qat = 1; continue; }
        if (!v || strncmp(o, "--", 2))
            return rt_usage_error(v ? "unexpected argument '%s'" : "option '%s' needs a value", o), -1;
        i++;
        if (!strcmp(o, "--data")) c->data_dir = v;
        else if (!strcmp(o, "--test-csv")) c->test_csv = v;
        else if (!strcmp(o, "--label")) c->label = v;
        else if (!strcmp(o, "--test-data")) c->test_data = v;
        else if (!strcmp(o, "--holdout") && !parse_double(v, 1.0, &c->holdout)) ;
        else if (!strcmp(o, "--train-csv") && train) c->train_csv = v;
        else if (!strcmp(o, "--weights") && !train) c->weights = v;
        else if (!strcmp(o, "--predictions") && !train) c->predictions = v;
        else if (!strcmp(o, "--anomaly-data") && !train && MODEL_TARGETS_INPUTS) c->anomaly_data = v;
        else if (!strcmp(o, "--save") && train) c->save = v;
        else if (!strcmp(o, "--log") && train) c->log = v;
        else if (!strcmp(o, "--checkpoint") && train) c->checkpoint = v;
        else if (!strcmp(o, "--resume") && train) c->resume = v;
        else if (!strcmp(o, "--init-weights") && train) c->init_weights = v;
        else if (!strcmp(o, "--checkpoint-every") && train && !parse_long(v, 1, 1000000000, &n)) c->checkpoint_every = (int)n;
        else if (!strcmp(o, "--threads") && !parse_long(v, 1, 1024, &n)) c->threads = (int)n;
        else if (!strcmp(o, "--epochs") && train && !parse_long(v, 1, 1000000, &n)) c->epochs = (int)n;
        else if (!strcmp(o, "--batch-size") && train && !parse_long(v, 1, 65536, &n)) c->batch_size = (int)n;
        else if (!strcmp(o, "--seed") && train && !parse_long(v, 0, 4294967295L, &n)) c->seed = (unsigned long)n;
        else if (!strcmp(o, "--learning-rate") && train && MODEL_LR_SCHEDULE)
            return rt_usage_error("%s: the spec's learning_rate is a schedule, which Keras does not let "
                               "you set; change its values in the spec", o), -1;
        else if (!strcmp(o, "--learning-rate") && train && !parse_double(v, INFINITY, &c->lr)) ;
        else if (train && (n = rt_fit_flag(c, o, v, msg, sizeof msg)) != 0) {   /* fit.c: --validation-split, ... */
            if (n < 0)
                return rt_usage_error("%s", msg), -1;
        } else
            return rt_usage_error("bad option or value: '%s'", o), -1;
    }
    if (c->test_data && c->test_csv)
        return rt_usage_error("%s: give one test set", "--test-data and --test-csv"), -1;
    if (c->init_weights && c->resume)
        return rt_usage_error("%s: a checkpoint holds the weights already; give one",
                              "--init-weights and --resume"), -1;
    /* QAT's ranges come from the weights an epoch starts with: a run resumed
     * mid-epoch would not have them */
    if (c->qat && c->checkpoint_every)
        return rt_usage_error("%s: QAT's ranges are fixed at each epoch's start; checkpoint at "
                              "epoch ends", "--qat and --checkpoint-every"), -1;
    if (train && rt_fit_finish(c, msg, sizeof msg))
        return rt_usage_error("%s", msg), -1;
    return 0;
}

/* The model's input shape as the spec wrote it: [H, W, C], [steps,
 * channels] or [features]. */
static int model_shape(int *dims)
{
#ifdef MODEL_IN_RANK
    const int rank = MODEL_IN_RANK;
#else
    const int rank = MODEL_IN_H > 1 ? 3 : MODEL_IN_C > 1 ? 2 : 1;
#endif
    const int all[3] = {MODEL_IN_H, MODEL_IN_W, MODEL_IN_C};
    memcpy(dims, all + 3 - rank, sizeof(int) * (size_t)rank);
    if (rank == 1)
        dims[0] = MODEL_N_INPUT;
    return rank;
}

/* "[28, 28, 1]" */
const char *rt_model_shape_str(char *s, size_t sl)
{
    rt_dataset d = {0};
    int dims[3], rank = model_shape(dims);
    for (int i = 0; i < rank; i++)
        d.dims[i] = dims[i];
    d.rank = rank;
    return rt_dataset_shape(&d, s, sl);
}

/* Dims without those of size 1: removing them never reorders the values. */
static int squeeze(const int *dims, int rank, int *out)
{
    int n = 0;
    for (int i = 0; i < rank; i++)
        if (dims[i] != 1)
            out[n++] = dims[i];
    return n;
}

/* The samples fit the model when their shape is the model's up to
 * dimensions of size 1 ([n,49,10] for [49,10,1]).  A flat model takes any
 * sample of its size, flattened as Keras's Flatten does (MNIST's 28x28 for
 * [784]); flat_ok: CSV rows, flat by nature, fit any model of their size. */
int rt_check_shape(const rt_dataset *d, int flat_ok)
{
    int m[3], a[RT_MAX_RANK], b[3], rank = model_shape(m);
    int na = squeeze(d->dims, d->rank, a), nb = squeeze(m, rank, b);
    int ok = d->size == MODEL_N_INPUT &&
             ((flat_ok && d->rank <= 1) || rank == 1 ||
              (na == nb && !memcmp(a, b, sizeof(int) * (size_t)na)));
    char ds[64], ms[64];
    if (!ok)
        fprintf(stderr, "%s: error: samples are %s but the model's input is %s\n", d->src,
                rt_dataset_shape(d, ds, sizeof ds), rt_model_shape_str(ms, sizeof ms));
    return ok ? 0 : -1;
}

/* The model's input as an image H x W x C (a flat input of a square size
 * as a square grey image); -1 when it is not one. */
int rt_image_shape(int *H, int *W, int *C)
{
    int side = 1;
    while ((long)side * side < MODEL_N_INPUT)
        side++;
    *H = MODEL_IN_H, *W = MODEL_IN_W, *C = MODEL_IN_C;
    if (MODEL_IN_H == 1 && MODEL_IN_C == 1)
        *H = *W = (long)side * side == MODEL_N_INPUT ? side : 0;
    return *H > 0 && (*C == 1 || *C == 3 || *C == 4) ? 0 : -1;
}

/* A --data or --test-data directory's training (which 0) or test (1) set.
 * An image folder is split by holdout (0: all of it is the set asked for). */
static int load_dir(const char *dir, int which, double holdout, rt_dataset *d, char *err, size_t errlen)
{
    int layout = rt_data_layout(dir, err, errlen), H, W, C;
    char ms[64];
    if (layout == RT_LAYOUT_NPY)
        return rt_load_npy_dir(dir, which, MODEL_N_CLASSES, d, err, errlen);
    if (layout == RT_LAYOUT_IDX)
        return rt_load_mnist_dir(dir, which, MODEL_N_CLASSES, d, err, errlen);
    if (layout != RT_LAYOUT_IMAGES)
        return -1;
    if (rt_image_shape(&H, &W, &C))
        return snprintf(err, errlen, "%s: error: an image folder needs a model whose input is an "
                        "image [H, W, 1|3|4]; this one's is %s", dir, rt_model_shape_str(ms, sizeof ms)), -1;
    if (holdout == 0)
        return rt_load_imgdir(dir, MODEL_N_CLASSES, H, W, C, 0, d, NULL, err, errlen);
    return rt_load_imgdir(dir, MODEL_N_CLASSES, H, W, C, holdout, which ? NULL : d, which ? d : NULL,
                          err, errlen);
}

/* The training and test sets the options name. */
int rt_load_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train)
{
    char err[1024];
    int rc = 0, own_test = c->test_csv || c->test_data;
    memset(tr, 0, sizeof *tr);
    memset(te, 0, sizeof *te);
    if (train && c->train_csv)
        rc = rt_load_csv(c->train_csv, c->label, MODEL_N_CLASSES, tr, err, sizeof err);
    else if (train)
        rc = load_dir(c->data_dir, 0, own_test ? 0 : c->holdout, tr, err, sizeof err);
    if (!rc && c->test_csv)
        rc = rt_load_csv(c->test_csv, c->label, MODEL_N_CLASSES, te, err, sizeof err);
    else if (!rc && c->test_data)
        rc = load_dir(c->test_data, 1, 0, te, err, sizeof err);
    else if (!rc && !(train && c->train_csv))
        rc = load_dir(c->data_dir, 1, c->holdout, te, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (train && !rt_has_targets(tr)) {
        fprintf(stderr, "%s: error: training data needs labels%s\n", tr->src,
                c->train_csv ? " (no column named by --label, default 'label')" : "");
        return -1;
    }
    if (c->test_csv && !rt_has_targets(te)) {
        fprintf(stderr, "%s: error: test data needs labels (no column named by --label, default "
                "'label': an unlabeled test.csv?)\n", c->test_csv);
        return -1;
    }
    if ((train && rt_check_targets(tr, err, sizeof err)) || rt_check_targets(te, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (train && c->train_csv && !own_test) {
        /* hold out the last 10% as the test set: a view into the same arrays */
        rt_dataset_split(tr, tr->n - tr->n / 10, te);
    }
    if ((train && rt_check_shape(tr, c->train_csv != NULL)) ||
        rt_check_shape(te, c->test_csv || (train && c->train_csv && !own_test)))
        return -1;
    return 0;
}

int rt_load_anomaly(const char *dir, rt_dataset *d)
{
    char err[1024];
    size_t len = strlen(dir);
    int rc = len > 4 && !strcmp(dir + len - 4, ".csv") ? rt_load_csv(dir, NULL, 0, d, err, sizeof err)
                                                        : load_dir(dir, 1, 0, d, err, sizeof err);
    if (rc)
        return fprintf(stderr, "%s\n", err), -1;
    return rt_check_shape(d, len > 4 && !strcmp(dir + len - 4, ".csv"));
}

void rt_free_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train)
{
    int view = train && c->train_csv && !c->test_csv && !c->test_data;
    rt_dataset_free(tr);
    if (!view)
        rt_dataset_free(te);
}

int rt_eval_all(const float *params, const rt_dataset *te, int threads, rt_metrics *m,
                float **outputs, float **targets)
{
    *outputs = malloc(sizeof(float) * ((size_t)te->n * MODEL_N_OUTPUTS + 1));
    *targets = rt_has_targets(te) ? rt_targets_all(te) : NULL;
    if (*outputs && (*targets || !rt_has_targets(te)) &&
        rt_evaluate(params, te, threads, m, *outputs) == 0)
        return 0;
    free(*outputs), free(*targets);
    *outputs = *targets = NULL;
    fprintf(stderr, "error: out of memory\n");
    return -1;
}

/* The task's headline figures after the loss and Keras's metric. */
static void task_figures(const float *out, const float *t, long n)
{
    if (MODEL_TASK == RT_TASK_BINARY) {
        rt_binary_metrics b = rt_metrics_binary(out, t, n);
        printf(" test_auc=%.6f test_precision=%.6f test_recall=%.6f test_f1=%.6f", b.auc,
               b.precision, b.recall, b.f1);
    } else if (MODEL_TASK == RT_TASK_MULTILABEL) {
        rt_multilabel_metrics ml = rt_metrics_multilabel(out, t, n, MODEL_N_OUTPUTS, NULL);
        printf(" test_subset_accuracy=%.6f test_precision=%.6f test_recall=%.6f test_f1=%.6f",
               ml.subset_accuracy, ml.micro.precision, ml.micro.recall, ml.micro.f1);
    } else if (MODEL_TASK == RT_TASK_REGRESSION) {
        rt_regression_metrics r = rt_metrics_regression(out, t, n, MODEL_N_OUTPUTS, NULL);
        printf(" test_rmse=%.6f test_r2=%.6f", r.rmse, r.r2);
    }
}

void rt_print_final(const rt_metrics *m, const float *out, const float *t, long n, const char *extra)
{
    printf("test_loss=%.6f test_%s=%.6f", m->loss, rt_metric_name(), m->metric);
    if (t)
        task_figures(out, t, n);
    printf("%s\n", extra ? extra : "");
}

int rt_final_line(const float *params, const rt_dataset *te, int threads)
{
    rt_metrics m;
    float *out, *t;
    if (rt_eval_all(params, te, threads, &m, &out, &t))
        return RT_EINPUT;
    rt_print_final(&m, out, t, te->n, NULL);
    free(out), free(t);
    return RT_OK;
}

/* A weights file into a new parameter vector, or NULL after the message. */
float *rt_load_weights(const char *path)
{
    char err[512];
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    if (!params || rt_weights_load(path, params, err, sizeof err)) {
        fprintf(stderr, "%s\n", params ? err : "error: out of memory");
        free(params);
        return NULL;
    }
    return params;
}

