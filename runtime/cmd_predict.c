/* cmd_predict.c - `NAME predict`: images or a CSV through saved weights. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "cli.h"
#include "model.h"
#include "rt.h"

static const char usage_predict[] =
"usage: %s predict --weights FILE [--probs] [--label NAMES] INPUT...\n"
"Run saved weights on images or a CSV file.\n"
"  INPUT.png, INPUT.pgm  any size, colour or grey; prints 'INPUT: LABEL'.  For a\n"
"                       28x28x1 (or flat 784) digit model: made into a model\n"
"                       input as MNIST's digits were made (inverted if the\n"
"                       background is light, cropped to the ink, scaled to fit\n"
"                       20x20 of 28x28 keeping the aspect ratio, centred by\n"
"                       centre of mass).  For any other image model: converted\n"
"                       as an image folder's images are (see train --help:\n"
"                       channels, then bilinear resize to the input's size)\n"
"  INPUT.csv            a CSV with a header row.  Kaggle's test.csv (pixel0,...):\n"
"                       prints ImageId,Label rows.  Any other: one row per input\n"
"                       with the class (softmax; binary: 1 when p > 0.5), each\n"
"                       label's 0/1 (multi-label), or the values (regression);\n"
"                       columns named by --label, if present, are left out of\n"
"                       the inputs\n"
"  --probs              also print the outputs: class or label probabilities\n"
"  --label NAMES        the target columns, comma-separated (default: label);\n"
"                       also the header of the predicted columns\n";

/* The model's outputs, as Keras's predict() gives them. */
static void print_outputs(const float *p, const char *sep)
{
    for (int k = 0; k < MODEL_N_OUTPUTS; k++)
        printf("%s%.6g", k ? sep : "", (double)p[k]);
}

/* What predict prints for one sample: the class, the labels, or the values. */
static void print_answer(const float *p, const char *sep)
{
    if (MODEL_TASK == RT_TASK_REGRESSION)
        print_outputs(p, sep);
    else if (MODEL_TASK == RT_TASK_MULTILABEL)
        for (int k = 0; k < MODEL_N_OUTPUTS; k++)
            printf("%s%d", k ? sep : "", p[k] > 0.5f);
    else
        printf("%d", rt_class_of(p));
}

/* The outputs of the one sample in act (an arena for one sample). */
static void run_one(const float *params, float *act, float *p)
{
    model_forward(params, act, 1, 0, 0);
    model_outputs(act, 1, p);
}

/* A 28x28 grey input (or a flat 784): the digit preprocessing applies. */
static int digit_model(void)
{
    return MODEL_N_INPUT == 784 && MODEL_IN_C == 1 && (MODEL_IN_H == 28 || MODEL_IN_H == 1);
}

/* An image file as the model's input: MNIST's preprocessing for a digit
 * model, else the image folder's conversion (rt_image_keras). */
static int image_input(const char *path, float *act)
{
    char err[512], ms[64];
    unsigned char *pix;
    int w, h, H, W, C, rc = 0;
    if (digit_model()) {
        unsigned char in[MODEL_N_INPUT];
        if (rt_image_load(path, &pix, &w, &h, err, sizeof err))
            return fprintf(stderr, "%s\n", err), -1;
        rt_image_mnist(pix, w, h, in, 28, 28);
        for (int i = 0; i < MODEL_N_INPUT; i++)
            act[i] = (float)in[i] / 255.0f;
    } else {
        if (rt_image_shape(&H, &W, &C))
            return fprintf(stderr, "%s: error: the model's input %s is not an image\n", path,
                           rt_model_shape_str(ms, sizeof ms)), -1;
        if (rt_image_load_rgba(path, &pix, &w, &h, err, sizeof err))
            return fprintf(stderr, "%s\n", err), -1;
        if ((rc = rt_image_keras(pix, w, h, H, W, C, act)) < 0)
            fprintf(stderr, "%s: error: out of memory\n", path);
        for (int i = 0; rc >= 0 && i < MODEL_N_INPUT; i++)
            act[i] /= 255.0f;   /* as gather() scales the folder's pixels */
    }
    free(pix);
    return rc < 0 ? -1 : 0;
}

static int predict_image(const char *path, const float *params, int probs)
{
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(1)), p[MODEL_N_OUTPUTS];
    if (!act)
        return fprintf(stderr, "error: out of memory\n"), -1;
    if (image_input(path, act))
        return free(act), -1;
    run_one(params, act, p);
    printf("%s: ", path);
    print_answer(p, " ");
    if (probs)
        printf(" probs "), print_outputs(p, " ");
    printf("\n");
    free(act);
    return 0;
}

/* The header of a tabular CSV's predictions: the --label names (or
 * "label", numbered per output when there are several), then with --probs
 * the outputs' names. */
static void csv_header(const char *label, int probs)
{
    const int per_output = MODEL_TASK == RT_TASK_REGRESSION || MODEL_TASK == RT_TASK_MULTILABEL;
    const int named = label && strchr(label, ',');
    if (!per_output || named || MODEL_N_OUTPUTS == 1)
        printf("%s", label ? label : "label");
    else
        for (int k = 0; k < MODEL_N_OUTPUTS; k++)
            printf("%s%s_%d", k ? "," : "", label ? label : "label", k);
    if (probs && MODEL_TASK != RT_TASK_REGRESSION)
        for (int k = 0; k < MODEL_N_OUTPUTS; k++)
            printf(",prob_%d", MODEL_TASK == RT_TASK_BINARY ? 1 : k);
    printf("\n");
}

/* One row per sample: Kaggle's ImageId,Label for a digit file (pixel0,...),
 * else csv_header's columns.  rt_evaluate runs the samples on the threads. */
static int predict_csv(const char *path, const char *label, const float *params, int probs, int threads)
{
    char err[512];
    rt_dataset d;
    rt_metrics m;
    if (rt_load_csv(path, label, MODEL_N_CLASSES, &d, err, sizeof err))
        return fprintf(stderr, "%s\n", err), -1;
    float *out = malloc(sizeof(float) * ((size_t)d.n * MODEL_N_OUTPUTS + 1));
    int rc = -1;
    if (rt_check_shape(&d, 1) == 0 && out && rt_evaluate(params, &d, threads, &m, out) == 0) {
        const int kaggle = d.pix != NULL && MODEL_TASK == RT_TASK_CLASSES;
        if (kaggle)
            printf("ImageId,Label%s\n", probs ? ",probs" : "");
        else
            csv_header(label, probs);
        for (int i = 0; i < d.n; i++) {
            const float *p = out + (size_t)i * MODEL_N_OUTPUTS;
            if (kaggle)
                printf("%d,", i + 1);
            print_answer(p, ",");
            if (probs && (kaggle || MODEL_TASK != RT_TASK_REGRESSION))
                printf(","), print_outputs(p, kaggle ? " " : ",");
            printf("\n");
        }
        rc = 0;
    } else if (!out) {
        fprintf(stderr, "error: out of memory\n");
    }
    free(out);
    rt_dataset_free(&d);
    return rc;
}

int rt_cmd_predict(int argc, char **argv)
{
    const char *weights = NULL, *label = NULL;
    int probs = 0, n_in = 0, rc = RT_OK;
    const char **in = calloc((size_t)argc, sizeof *in);
    if (!in)
        return fprintf(stderr, "error: out of memory\n"), RT_EINPUT;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return free(in), printf(usage_predict, rt_prog), RT_OK;
        if (!strcmp(argv[i], "--weights") && i + 1 < argc)
            weights = argv[++i];
        else if (!strcmp(argv[i], "--label") && i + 1 < argc)
            label = argv[++i];
        else if (!strcmp(argv[i], "--probs"))
            probs = 1;
        else if (argv[i][0] == '-')
            return free(in), rt_usage_error("bad option: '%s'", argv[i]);
        else
            in[n_in++] = argv[i];
    }
    if (!weights || !n_in)
        return free(in), rt_usage_error("%s needs --weights FILE and at least one INPUT", "predict");
    float *params = rt_load_weights(weights);
    for (int i = 0; params && i < n_in; i++) {
        size_t len = strlen(in[i]);
        int csv = len > 4 && !strcmp(in[i] + len - 4, ".csv");
        if ((csv ? predict_csv(in[i], label, params, probs, (int)rt_online_cores())
                 : predict_image(in[i], params, probs)) != 0)
            rc = RT_EINPUT;
    }
    if (!params)
        rc = RT_EINPUT;
    free(in);
    free(params);
    return rc;
}
