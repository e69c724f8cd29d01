/* cmd_quant.c - `NAME eval --int8` and `NAME export --int8`: int8
 * post-training quantization (quant.c), the trainer running the int8 pass
 * of templates/int8.m4, and the integer-only standalone file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model.h"
#include "quant.h"
#include "rt.h"

/* The int8 options, taken out of argv (the rest go to rt_parse_opts):
 * --int8, --calibration N, --train-csv FILE (the calibration data, as
 * train takes it), for eval --dump FILE, for export -o FILE. */
typedef struct qopts {
    int calibration;
    const char *out, *dump, *train_csv;
    int argc;
    char **argv;
} qopts;

static int take_qopts(int argc, char **argv, int export, qopts *o)
{
    o->calibration = 0, o->out = "out/" MODEL_NAME "_model.c", o->dump = o->train_csv = NULL;
    o->argv = malloc(sizeof(char *) * (size_t)(argc + 1));
    if (!o->argv)
        return fprintf(stderr, "error: out of memory\n"), RT_EINPUT;
    o->argc = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (i >= 2 && !strcmp(a, "--int8"))
            continue;
        if (i >= 2 && !strcmp(a, "--calibration")) {
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || n < 1 || n > 100000000) {
                free(o->argv);
                o->argv = NULL;
                return rt_usage_error("error: --calibration needs a whole number of samples >= 1, got '%s'",
                                      v ? v : "nothing");
            }
            o->calibration = (int)n, i++;
        } else if (i >= 2 && export && !strcmp(a, "-o") && v)
            o->out = v, i++;
        else if (i >= 2 && !export && !strcmp(a, "--dump") && v)
            o->dump = v, i++;
        else if (i >= 2 && !strcmp(a, "--train-csv") && v)   /* calibration data from a CSV */
            o->train_csv = v, i++;
        else
            o->argv[o->argc++] = argv[i];
    }
    o->argv[o->argc] = NULL;
    return RT_OK;
}

int rt_wants_int8(int argc, char **argv)
{
    int int8 = 0;
    for (int i = 2; i < argc; i++)
        int8 |= !strcmp(argv[i], "--int8");
    /* help comes first, as the commands take it */
    return int8 && strcmp(argv[2], "--help") && strcmp(argv[2], "-h");
}

/* Load weights and data, calibrate and quantize; RT_OK or an exit status. */
static int prepare(int argc, char **argv, int export, rt_config *c, qopts *o, float **params,
                   rt_dataset *tr, rt_dataset *te, rt_qmodel *qm)
{
    char err[1024];
    int rc = take_qopts(argc, argv, export, o);
    *params = NULL;
    memset(tr, 0, sizeof *tr), memset(te, 0, sizeof *te);
    if (rc != RT_OK)
        return rc;
    rt_defaults(c);
    if (rt_parse_opts(o->argc, o->argv, c, 0))
        return RT_EUSAGE;
    if (o->train_csv)
        c->train_csv = o->train_csv;
    rt_use_threads(c->threads);
    if (!c->weights)
        return rt_usage_error("%s --int8 needs --weights FILE", export ? "export" : "eval");
    if (!(*params = rt_load_weights(c->weights)))
        return RT_EINPUT;
    if (rt_load_sets(c, tr, te, 1))
        return RT_EINPUT;
    if (!o->calibration)   /* the default: 1,000, or every sample of a smaller set */
        o->calibration = tr->n < RT_QUANT_CALIBRATION ? tr->n : RT_QUANT_CALIBRATION;
    if (rt_quant_build(*params, tr, o->calibration, qm, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return RT_EINPUT;
    }
    return RT_OK;
}

static void release(rt_config *c, qopts *o, float *params, rt_dataset *tr, rt_dataset *te, rt_qmodel *qm)
{
    rt_quant_free(qm);
    rt_free_sets(c, tr, te, 1);
    free(params);
    free(o->argv);
}

/* The int8 outputs of every sample of d, [n][N_OUTPUTS]; -1 out of memory. */
static int int8_outputs(const rt_qmodel *qm, const rt_dataset *d, int threads, float *out)
{
    int bad = 0;
    #pragma omp parallel num_threads(threads) reduction(| : bad)
    {
        int8_t *arena = malloc(MODEL_Q_ARENA);
        float *x = malloc(sizeof(float) * MODEL_N_INPUT);
        bad = !arena || !x;
        #pragma omp for schedule(static)
        for (int i = 0; i < d->n; i++) {
            if (bad)
                continue;
            for (long e = 0; e < MODEL_N_INPUT; e++)
                x[e] = d->xf ? d->xf[(long)i * MODEL_N_INPUT + e] : (float)d->pix[(long)i * MODEL_N_INPUT + e] / 255.0f;
            model_qpredict(qm->ql, arena, x, out + (long)i * MODEL_N_OUTPUTS);
        }
        free(arena), free(x);
    }
    return bad ? -1 : 0;
}

/* --dump FILE: per test sample its N_INPUT input floats as the pass took
 * them, then its N_OUTPUTS int8 outputs, float32 in host order (tests
 * compare an exported file against exactly this). */
static int dump(const char *path, const rt_dataset *d, const float *out)
{
    FILE *f = fopen(path, "wb");
    int bad = !f;
    float x[MODEL_N_INPUT];
    for (int i = 0; !bad && i < d->n; i++) {
        for (long e = 0; e < MODEL_N_INPUT; e++)
            x[e] = d->xf ? d->xf[(long)i * MODEL_N_INPUT + e] : (float)d->pix[(long)i * MODEL_N_INPUT + e] / 255.0f;
        bad |= fwrite(x, sizeof x, 1, f) != 1;
        bad |= fwrite(out + (long)i * MODEL_N_OUTPUTS, sizeof(float) * MODEL_N_OUTPUTS, 1, f) != 1;
    }
    if (f)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "%s: error: cannot write\n", path);
    return bad ? -1 : 0;
}

/* Keras's metric of outputs against targets: accuracy (classes, binary),
 * the share of right labels (multi-label), or the mean absolute error. */
static double metric_of(const float *out, const float *t, long n)
{
    double sum = 0.0;
    for (long i = 0; i < n; i++) {
        const float *o = out + i * MODEL_N_OUTPUTS, *y = t + i * MODEL_N_TARGETS;
        if (MODEL_TASK == RT_TASK_CLASSES)
            sum += rt_class_of(o) == (MODEL_N_TARGETS == 1 ? (int)y[0] : rt_class_of(y));
        else if (MODEL_TASK == RT_TASK_BINARY)
            sum += rt_class_of(o) == (y[0] > 0.5f);
        else
            for (int k = 0; k < MODEL_N_OUTPUTS; k++)
                sum += (MODEL_TASK == RT_TASK_MULTILABEL ? ((o[k] > 0.5f) == (y[k] > 0.5f))
                                                         : fabsf(o[k] - y[k])) / MODEL_N_OUTPUTS;
    }
    return n ? sum / (double)n : 0.0;
}

int rt_cmd_eval_int8(int argc, char **argv)
{
    rt_config c;
    qopts o;
    float *params, *fout = NULL, *qout = NULL, *t = NULL;
    rt_dataset tr, te;
    rt_qmodel qm;
    rt_metrics m;
    memset(&qm, 0, sizeof qm);
    int rc = prepare(argc, argv, 0, &c, &o, &params, &tr, &te, &qm);
    if (rc == RT_OK) {
        rc = RT_EINPUT;
        qout = malloc(sizeof(float) * ((size_t)te.n * MODEL_N_OUTPUTS + 1));
        double t0 = rt_now(), secs = 0.0;
        if (qout && int8_outputs(&qm, &te, c.threads, qout) == 0 && (secs = rt_now() - t0, 1) &&
            rt_eval_all(params, &te, c.threads, &m, &fout, &t) == 0 && t) {
            const double acc = metric_of(qout, t, te.n);
            if (o.dump && dump(o.dump, &te, qout))
                goto done;
            if (!c.quiet)
                printf("int8 post-training quantization: calibration on %d training samples; "
                       "%ld test samples, int8 %.1f samples/s (%d threads)\n", qm.calibration,
                       (long)te.n, secs > 0 ? te.n / secs : 0.0, c.threads);
            printf("test_%s=%.6f float_test_%s=%.6f calibration=%d\n", rt_metric_name(), acc,
                   rt_metric_name(), m.metric, qm.calibration);
            rc = RT_OK;
        } else if (!t)
            fprintf(stderr, "error: eval --int8 needs a labeled test set\n");
done:
        free(qout), free(fout), free(t);
    }
    release(&c, &o, params, &tr, &te, &qm);
    return rc;
}

int rt_cmd_export_int8(int argc, char **argv)
{
    rt_config c;
    qopts o;
    float *params;
    rt_dataset tr, te;
    rt_qmodel qm;
    char err[1024];
    memset(&qm, 0, sizeof qm);
    int rc = prepare(argc, argv, 1, &c, &o, &params, &tr, &te, &qm);
    if (rc == RT_OK) {
        if (rt_export_int8(&qm, o.out, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            rc = RT_EINPUT;
        } else
            printf("wrote %s and its header: int8 (calibration on %d training samples), "
                   "%d bytes of activations (RAM)\n", o.out, qm.calibration, MODEL_Q_ARENA);
    }
    release(&c, &o, params, &tr, &te, &qm);
    return rc;
}
