/* cmd_eval.c - `NAME eval`: a weights file on test data, with the report of
 * the model's task. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "report.h"
#include "cli.h"
#include "model.h"
#include "rt.h"
#include "quant.h"

static const char usage_eval[] =
"usage: %s eval --weights FILE [--data DIR [--holdout F] | --test-data DIR |\n"
"               --test-csv FILE [--label NAMES]] [--threads N] [--predictions FILE]\n"
"               [--anomaly-data DIR] [--quiet]\n"
"Evaluate saved weights on the test set (the test files of --data, the held-out\n"
"images of an image folder, --test-data, or a labeled CSV) with the report of\n"
"the model's task: for classes the confusion matrix, per-class precision,\n"
"recall and F1, macro averages; for a binary output also ROC AUC; per-label\n"
"figures for multi-label; MAE, RMSE and R^2 for regression.\n"
RT_USAGE_DATA
"  --int8              run the int8 pass instead: post-training quantization with\n"
"                      TFLite's int8 scheme (README \"int8 quantization\"), the\n"
"                      ranges calibrated on the training set of --data; ends with\n"
"                      test_accuracy=<int8> float_test_accuracy=<float> calibration=N\n"
"  --calibration N     --int8: calibration samples, spread evenly over the training\n"
"                      set (default 1000, or all of a smaller one)\n"
"  --dump FILE         --int8: write each test sample's inputs and int8 outputs\n"
"                      as float32 (what tests compare export --int8 against)\n"
"  --predictions FILE  write 25 test images spread over the set with their\n"
"                      predicted and true labels, for runtime/plot/plot.sh\n"
"  --anomaly-data DIR  an autoencoder (spec 'targets: inputs') only: score every\n"
"                      sample by its reconstruction error (mean squared error\n"
"                      of its outputs), the test set as normal and DIR's test\n"
"                      files (or a CSV file) as anomalies, and report the ROC\n"
"                      AUC of that score (test_auc)\n"
"Ends with: test_loss=<float> test_accuracy=<float> (classification) or\n"
"test_mae=<float> (regression), then the task's other figures.\n";


/* Sample `at` of d as a grey h x w picture for the grid: the channels of
 * a pixel combined (luminance of RGB), floats stretched to 0..255 per image
 * since their range is the user's choice. */
static void grey_picture(const rt_dataset *d, int at, unsigned char *out)
{
    const long plane = (long)d->h * d->w, ch = d->size / plane;
    const size_t base = (size_t)at * (size_t)d->size;
    float lo = 0, hi = 255;
    for (long i = 0; d->xf && i < d->size; i++) {
        const float v = d->xf[base + (size_t)i];
        lo = i == 0 || v < lo ? v : lo, hi = i == 0 || v > hi ? v : hi;
    }
    for (long p = 0; p < plane; p++) {
        float v[3] = {0}, g = 0;   /* the first three channels; their mean */
        for (long k = 0; k < ch; k++) {
            const size_t i = base + (size_t)(p * ch + k);
            const float x = d->xf ? d->xf[i] : d->pix[i];
            if (k < 3)
                v[k] = x;
            g += x / (float)ch;
        }
        if (ch == 3 || ch == 4)   /* RGB(A): luminance */
            g = 0.299f * v[0] + 0.587f * v[1] + 0.114f * v[2];
        out[p] = hi > lo ? (unsigned char)lroundf(255.0f * (g - lo) / (hi - lo)) : 0;
    }
}

/* 25 images spread over the test set (test sets are often sorted by class). */
static int write_grid(const char *path, const rt_dataset *te, const int *pred, const int *truth,
                      char *err, size_t errlen)
{
    const int n = te->n < RT_REPORT_GRID ? te->n : RT_REPORT_GRID;
    const size_t size = (size_t)te->h * (size_t)te->w;
    unsigned char *pix = malloc((size_t)n * size + 1);
    int p[RT_REPORT_GRID], y[RT_REPORT_GRID], rc;
    if (!pix)
        return snprintf(err, errlen, "error: out of memory"), -1;
    for (int i = 0; i < n; i++) {
        const int at = (int)((long)i * te->n / n);
        grey_picture(te, at, pix + (size_t)i * size);
        p[i] = pred[at], y[i] = truth[at];
    }
    rc = rt_report_predictions(path, pix, te->h, te->w, p, y, n, err, errlen);
    free(pix);
    return rc;
}

/* The report of the model's task from every sample's outputs and targets:
 * confusion matrix and per-class figures (and the optional grid) for one
 * class of K; confusion, P/R/F1 and ROC AUC for binary; per-label figures
 * for multi-label; MAE, RMSE, R^2 for regression. */
static int report(const rt_config *c, const rt_dataset *te, const float *out, const float *t)
{
    char err[512];
    const long n = te->n;
    if (c->quiet)
        ;
    else if (MODEL_TASK == RT_TASK_BINARY)
        rt_report_binary(stdout, out, t, n);
    else if (MODEL_TASK == RT_TASK_MULTILABEL)
        rt_report_multilabel(stdout, out, t, n, MODEL_N_OUTPUTS);
    else if (MODEL_TASK == RT_TASK_REGRESSION && MODEL_N_OUTPUTS <= 16)
        rt_report_regression(stdout, out, t, n, MODEL_N_OUTPUTS);
    else if (MODEL_TASK == RT_TASK_REGRESSION) {   /* an autoencoder: no row per output */
        rt_regression_metrics r = rt_metrics_regression(out, t, n, MODEL_N_OUTPUTS, NULL);
        printf("%d outputs, averaged over them (scikit-learn's uniform_average): mae %.4f  "
               "mse %.4f  rmse %.4f  r2 %.4f  (%ld samples)\n", MODEL_N_OUTPUTS, r.mae, r.mse,
               r.rmse, r.r2, n);
    }
    if (MODEL_TASK != RT_TASK_CLASSES) {
        if (c->predictions)
            fprintf(stderr, "note: --predictions draws a grid of classified images; this model's "
                    "outputs are not one class, so none was written\n");
        return 0;
    }
    int *pred = malloc(sizeof(int) * (size_t)n + 1), *truth = malloc(sizeof(int) * (size_t)n + 1), rc = 0;
    if (!pred || !truth)
        return free(pred), free(truth), fprintf(stderr, "error: out of memory\n"), -1;
    for (long i = 0; i < n; i++) {
        pred[i] = rt_class_of(out + i * MODEL_N_OUTPUTS);
        /* a class index, or one-hot or soft labels: their argmax */
        truth[i] = MODEL_N_TARGETS == 1 ? (int)t[i] : rt_class_of(t + i * MODEL_N_TARGETS);
    }
    if (!c->quiet)
        rt_report_classes(stdout, pred, truth, (int)n, MODEL_N_CLASSES);
    if (c->predictions && write_grid(c->predictions, te, pred, truth, err, sizeof err))
        fprintf(stderr, "%s\n", err), rc = -1;
    free(pred), free(truth);
    return rc;
}

/* Each sample's reconstruction error: the mean squared error of its
 * outputs against its targets (an autoencoder's: its inputs). */
static double mean_of(const float *v, long n)
{
    double s = 0.0;
    for (long i = 0; i < n; i++)
        s += v[i];
    return n ? s / n : 0.0;
}

static void recon_errors(const float *out, const float *t, long n, float *score)
{
    for (long i = 0; i < n; i++) {
        double e = 0.0;
        for (long k = 0; k < MODEL_N_OUTPUTS; k++) {
            const double d = (double)out[i * MODEL_N_OUTPUTS + k] - (double)t[i * MODEL_N_TARGETS + k];
            e += d * d;
        }
        score[i] = (float)(e / MODEL_N_OUTPUTS);
    }
}

/* An autoencoder as an anomaly detector: the ROC AUC of the reconstruction
 * error, normal = the test set (scores[0..n)), anomalies = --anomaly-data. */
static int anomaly_auc(const rt_config *c, const float *params, const float *out, const float *t,
                       long n, double *auc)
{
    rt_dataset an;
    rt_metrics am;
    float *aout = NULL, *at = NULL, *score = NULL;
    unsigned char *pos = NULL;
    int rc = -1;
    memset(&an, 0, sizeof an);
    if (rt_load_anomaly(c->anomaly_data, &an) || rt_eval_all(params, &an, c->threads, &am, &aout, &at))
        goto done;
    score = malloc(sizeof(float) * (size_t)(n + an.n) + 1);
    pos = malloc((size_t)(n + an.n) + 1);
    if (!score || !pos) {
        fprintf(stderr, "error: out of memory\n");
        goto done;
    }
    recon_errors(out, t, n, score);
    recon_errors(aout, at, an.n, score + n);
    memset(pos, 0, (size_t)n);
    memset(pos + n, 1, (size_t)an.n);
    *auc = rt_roc_auc(score, pos, n + an.n);
    if (!c->quiet)
        printf("anomaly detection: score = reconstruction error (mean squared error per sample); "
               "%ld normal (test set, mean score %.6f), %d anomalies (%s, mean score %.6f): "
               "ROC AUC %.4f\n", n, mean_of(score, n), an.n,
               c->anomaly_data, mean_of(score + n, an.n), *auc);
    rc = 0;
done:
    free(aout), free(at), free(score), free(pos);
    rt_dataset_free(&an);
    return rc;
}

/* rt_eval_all, and its speed on standard error (make bench reads it). */
static int timed_eval(const float *params, const rt_config *c, const rt_dataset *te, rt_metrics *m,
                      float **out, float **t)
{
    const double t0 = rt_now();
    if (rt_eval_all(params, te, c->threads, m, out, t))
        return -1;
    const double s = rt_now() - t0;
    if (!c->quiet && s > 0.0)
        fprintf(stderr, "eval_samples_per_s=%.1f (%d samples, %d threads)\n", (double)te->n / s, te->n,
                c->threads);
    return 0;
}

int rt_cmd_eval(int argc, char **argv)
{
    rt_config c;
    rt_dataset tr, te;
    char shape[64];
    rt_defaults(&c);
    if (rt_wants_int8(argc, argv))   /* the int8 pass: cmd_quant.c */
        return rt_cmd_eval_int8(argc, argv);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
        return printf(usage_eval, rt_prog, c.data_dir, rt_model_shape_str(shape, sizeof shape)), RT_OK;
    if (rt_parse_opts(argc, argv, &c, 0))
        return RT_EUSAGE;
    rt_use_threads(c.threads);
    if (!c.weights)
        return rt_usage_error("%s needs --weights FILE", "eval");
    float *params = rt_load_weights(c.weights);
    if (!params)
        return RT_EINPUT;
    int rc = RT_EINPUT;
    rt_metrics m;
    float *out = NULL, *t = NULL;
    if (rt_load_sets(&c, &tr, &te, 0) == 0 && timed_eval(params, &c, &te, &m, &out, &t) == 0 &&
        report(&c, &te, out, t) == 0) {
        double auc = 0.0;
        char extra[64] = "";
        if (!c.anomaly_data || anomaly_auc(&c, params, out, t, te.n, &auc) == 0) {
            if (c.anomaly_data)
                snprintf(extra, sizeof extra, " test_anomaly_auc=%.6f", auc);
            rt_print_final(&m, out, t, te.n, extra);
            rc = RT_OK;
        }
    }
    free(out), free(t);
    rt_free_sets(&c, &tr, &te, 0);
    free(params);
    return rc;
}

