/* main.c - the trainer CLI of one generated model: train | eval.
 * Exit statuses: 0 ok, 1 input error (data, weights, numerics), 2 usage. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "image.h"
#include "model.h"
#include "report.h"
#include "rt.h"

static const char usage_train[] =
"usage: %s train [options]\n"
"Train the model from its spec's defaults, then evaluate it on the test set.\n"
"  --data DIR          MNIST-layout directory (train-images-idx3-ubyte[.gz], ...,\n"
"                      t10k-*); default: " MODEL_DATA_DIR "\n"
"  --train-csv FILE    Kaggle digit-recognizer train.csv instead of --data\n"
"  --test-csv FILE     labeled CSV to test on (default with --train-csv: the\n"
"                      last 10%% of train.csv is held out)\n"
"  --epochs N          default %d\n"
"  --batch-size N      default %d\n"
"  --learning-rate X   default %g\n"
"  --seed N            weights, shuffling and dropout; default %lu\n"
"  --threads N         default: the online cores (%ld); results do not depend on it\n"
"  --save FILE         write the trained weights (SEQCWTS1 format, see README)\n"
"  --log FILE.csv      one row per epoch: epoch,seconds,loss,accuracy,val_loss,val_accuracy\n"
"  --checkpoint FILE   save the full training state at every epoch end (atomic)\n"
"  --checkpoint-every N  ... and every N batches\n"
"  --resume FILE       continue a checkpointed run exactly where it stopped (same\n"
"                      data and settings; the weights end bit-identical)\n"
"  --verbose           also report each checkpoint\n"
"  --quiet             only the final line\n"
"Ends with: test_loss=<float> test_accuracy=<float>\n";

static const char usage_eval[] =
"usage: %s eval --weights FILE [--data DIR | --test-csv FILE] [--threads N]\n"
"               [--predictions FILE] [--quiet]\n"
"Evaluate saved weights on the test set (t10k-* of --data, or a labeled CSV):\n"
"the confusion matrix, per-class precision, recall and F1, macro averages.\n"
"  --predictions FILE  write 25 test images spread over the set with their\n"
"                      predicted and true labels, for runtime/plot/plot.sh\n"
"Ends with: test_loss=<float> test_accuracy=<float>\n";

static const char usage_export[] =
"usage: %s export --weights FILE [-o out/" MODEL_NAME "_model.c]\n"
"Write a standalone inference file and its header (.h beside it): the forward\n"
"pass for one sample from the same templates as this trainer, the weights as\n"
"exact hex-float constants, activations in a static buffer; no malloc, no\n"
"stdio.  Its header states the flash and RAM it needs.  Predictions equal\n"
"this trainer's eval, bit for bit, when compiled with the same flags.\n";

static const char usage_predict[] =
"usage: %s predict --weights FILE [--probs] INPUT...\n"
"Classify images or a Kaggle test.csv with saved weights.\n"
"  INPUT.png, INPUT.pgm  any size, colour or grey: made into a model input as\n"
"                       MNIST's digits were made (inverted if the background is\n"
"                       light, cropped to the ink, scaled to fit 20x20 of 28x28\n"
"                       keeping the aspect ratio, centred by centre of mass);\n"
"                       prints 'INPUT: LABEL'\n"
"  INPUT.csv            Kaggle test.csv (pixel0..pixel783): prints ImageId,Label rows\n"
"  --probs              also print the class probabilities\n";

static const char usage_main[] =
"usage: %s COMMAND [options]      (model \"" MODEL_NAME "\", %d parameters)\n"
"commands:\n"
"  train    train the model and evaluate it\n"
"  eval     evaluate a weights file on test data\n"
"  export   write the trained model as a standalone C file\n"
"  predict  classify PNG/PGM images or a Kaggle test.csv\n"
"Run '%s COMMAND --help' for a command's options.\n"
"Exit status: 0 ok, 1 input error, 2 usage error.\n";

static const char *prog;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run '%s --help')\n", prog);
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

static int parse_double(const char *s, double *out)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || !isfinite(v) || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static long online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* Every parallel region (Adam, gradient sums) uses the same team. */
static void use_threads(int n)
{
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

static void defaults(rt_config *c)
{
    memset(c, 0, sizeof *c);
    c->epochs = MODEL_EPOCHS;
    c->batch_size = MODEL_BATCH_SIZE;
    c->lr = MODEL_LEARNING_RATE;
    c->beta_1 = MODEL_BETA_1;
    c->beta_2 = MODEL_BETA_2;
    c->epsilon = MODEL_EPSILON;
    c->seed = MODEL_SEED;
    c->threads = (int)online_cores();
    c->data_dir = MODEL_DATA_DIR[0] ? MODEL_DATA_DIR : "out/data/mnist";
}

/* Options shared by the commands; returns argv index consumed, or -1. */
static int parse_opts(int argc, char **argv, rt_config *c, int train)
{
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(o, "--quiet")) { c->quiet = 1; continue; }
        if (!strcmp(o, "--verbose")) { c->verbose = 1; continue; }
        if (!v || strncmp(o, "--", 2))
            return usage_error(v ? "unexpected argument '%s'" : "option '%s' needs a value", o), -1;
        i++;
        if (!strcmp(o, "--data")) c->data_dir = v;
        else if (!strcmp(o, "--test-csv")) c->test_csv = v;
        else if (!strcmp(o, "--train-csv") && train) c->train_csv = v;
        else if (!strcmp(o, "--weights") && !train) c->weights = v;
        else if (!strcmp(o, "--predictions") && !train) c->predictions = v;
        else if (!strcmp(o, "--save") && train) c->save = v;
        else if (!strcmp(o, "--log") && train) c->log = v;
        else if (!strcmp(o, "--checkpoint") && train) c->checkpoint = v;
        else if (!strcmp(o, "--resume") && train) c->resume = v;
        else if (!strcmp(o, "--checkpoint-every") && train && !parse_long(v, 1, 1000000000, &n)) c->checkpoint_every = (int)n;
        else if (!strcmp(o, "--threads") && !parse_long(v, 1, 1024, &n)) c->threads = (int)n;
        else if (!strcmp(o, "--epochs") && train && !parse_long(v, 1, 1000000, &n)) c->epochs = (int)n;
        else if (!strcmp(o, "--batch-size") && train && !parse_long(v, 1, 65536, &n)) c->batch_size = (int)n;
        else if (!strcmp(o, "--seed") && train && !parse_long(v, 0, 4294967295L, &n)) c->seed = (unsigned long)n;
        else if (!strcmp(o, "--learning-rate") && train && !parse_double(v, &c->lr)) ;
        else
            return usage_error("bad option or value: '%s'", o), -1;
    }
    return 0;
}

static int check_shape(const rt_dataset *d, const char *what)
{
    if ((long)d->h * d->w * MODEL_IN_C != MODEL_N_INPUT || MODEL_IN_C != 1) {
        fprintf(stderr, "%s: error: images are %dx%d, but the model's input is [%d][%d][%d]\n",
                what, d->h, d->w, MODEL_IN_H, MODEL_IN_W, MODEL_IN_C);
        return -1;
    }
    return 0;
}

/* The training and test sets the options name. */
static int load_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train)
{
    char err[512];
    int rc = 0;
    memset(tr, 0, sizeof *tr);
    memset(te, 0, sizeof *te);
    if (train && c->train_csv)
        rc = rt_load_csv(c->train_csv, MODEL_N_CLASSES, tr, err, sizeof err);
    else if (train)
        rc = rt_load_mnist_dir(c->data_dir, 0, MODEL_N_CLASSES, tr, err, sizeof err);
    if (!rc && c->test_csv)
        rc = rt_load_csv(c->test_csv, MODEL_N_CLASSES, te, err, sizeof err);
    else if (!rc && !(train && c->train_csv))
        rc = rt_load_mnist_dir(c->data_dir, 1, MODEL_N_CLASSES, te, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (train && !tr->y) {
        fprintf(stderr, "%s: error: training data needs labels\n", c->train_csv);
        return -1;
    }
    if (c->test_csv && !te->y) {
        fprintf(stderr, "%s: error: test data needs labels (this is an unlabeled test.csv)\n", c->test_csv);
        return -1;
    }
    if (train && c->train_csv && !c->test_csv) {
        /* hold out the last 10% as the test set: a view into the same arrays */
        int keep = tr->n - tr->n / 10;
        *te = *tr;
        te->n = tr->n - keep;
        te->pix = tr->pix + (size_t)keep * tr->h * tr->w;
        te->y = tr->y + keep;
        tr->n = keep;
    }
    if ((train && check_shape(tr, "training data")) || check_shape(te, "test data"))
        return -1;
    return 0;
}

static void free_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train)
{
    int view = train && c->train_csv && !c->test_csv;
    rt_dataset_free(tr);
    if (!view)
        rt_dataset_free(te);
}

static int final_line(const float *params, const rt_dataset *te, int threads)
{
    rt_metrics m;
    if (rt_evaluate(params, te, threads, &m, NULL)) {
        fprintf(stderr, "error: out of memory\n");
        return RT_EINPUT;
    }
    printf("test_loss=%.6f test_accuracy=%.6f\n", m.loss, m.accuracy);
    return RT_OK;
}

/* 25 images spread over the test set (test sets are often sorted by class). */
static int write_grid(const char *path, const rt_dataset *te, const int *pred, char *err, size_t errlen)
{
    const int n = te->n < RT_REPORT_GRID ? te->n : RT_REPORT_GRID, size = te->h * te->w;
    unsigned char *pix = malloc((size_t)n * (size_t)size + 1);
    int p[RT_REPORT_GRID], y[RT_REPORT_GRID], rc;
    if (!pix)
        return snprintf(err, errlen, "error: out of memory"), -1;
    for (int i = 0; i < n; i++) {
        const int at = (int)((long)i * te->n / n);
        memcpy(pix + (size_t)i * (size_t)size, te->pix + (size_t)at * (size_t)size, (size_t)size);
        p[i] = pred[at], y[i] = te->y[at];
    }
    rc = rt_report_predictions(path, pix, te->h, te->w, p, y, n, err, errlen);
    free(pix);
    return rc;
}

/* eval's report: confusion matrix and per-class figures, optional grid. */
static int report(const rt_config *c, const float *params, const rt_dataset *te)
{
    rt_metrics m;
    char err[512];
    int *pred = malloc(sizeof(int) * (size_t)te->n + 1), rc = 0;
    if (!pred || rt_evaluate(params, te, c->threads, &m, pred)) {
        free(pred);
        fprintf(stderr, "error: out of memory\n");
        return -1;
    }
    if (!c->quiet)
        rt_report_classes(stdout, pred, te->y, te->n, MODEL_N_CLASSES);
    if (c->predictions && write_grid(c->predictions, te, pred, err, sizeof err))
        fprintf(stderr, "%s\n", err), rc = -1;
    free(pred);
    return rc;
}

/* model.summary(), and the bytes this run will hold. */
static void summary(const rt_config *c)
{
    char kind[96], shape[64];
    printf("Model: \"%s\"\n%-40s %-22s %10s\n", MODEL_NAME, "Layer (type)", "Output Shape", "Param #");
    printf("=========================================================================\n");
    for (int i = 0; i < MODEL_N_LAYERS; i++) {
        const model_layer *l = &model_layers[i];
        snprintf(kind, sizeof kind, "%s (%s)", l->name, l->kind);
        if (l->h == 1 && l->w == 1 && strcmp(l->kind, "Conv2D"))
            snprintf(shape, sizeof shape, "(None, %d)", l->c);
        else
            snprintf(shape, sizeof shape, "(None, %d, %d, %d)", l->h, l->w, l->c);
        printf("%-40s %-22s %10ld\n", kind, shape, l->params);
    }
    printf("=========================================================================\n");
    printf("Total params: %d\n", MODEL_N_PARAMS);
    printf("-------------------------------------------------------------------------\n");
    printf("%-44s %12ld bytes\n", "Weights (flash when exported):", 4L * MODEL_N_PARAMS);
    printf("%-44s %12ld bytes\n", "RAM, inference (largest live in+out pair):", (long)MODEL_INFER_RAM_BYTES);
    printf("%-44s %12ld bytes\n", "Training state: gradients + Adam m, v:", 12L * MODEL_N_PARAMS);
    printf("%-44s %12ld bytes\n", "Per-chunk gradient buffers (batch split):", rt_chunk_grad_bytes(c->batch_size));
    printf("%-44s %12ld bytes x %d threads\n", "Activations and their gradients, one chunk:",
           8L * MODEL_ARENA_FLOATS(rt_chunk_size(c->batch_size)), c->threads);
}

static int cmd_train(int argc, char **argv)
{
    rt_config c;
    rt_dataset tr, te;
    char err[512];
    defaults(&c);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
        return printf(usage_train, prog, c.epochs, c.batch_size, c.lr, c.seed, online_cores()), RT_OK;
    if (parse_opts(argc, argv, &c, 1))
        return RT_EUSAGE;
    use_threads(c.threads);
    if (load_sets(&c, &tr, &te, 1))
        return free_sets(&c, &tr, &te, 1), RT_EINPUT;
    if (!c.quiet)
        summary(&c);
    if (!c.quiet)
        printf("training %s (%d parameters): epochs %d, batch_size %d, learning_rate %g, "
               "seed %lu, threads %d; %d train / %d test images from %s\n",
               MODEL_NAME, MODEL_N_PARAMS, c.epochs, c.batch_size, c.lr, c.seed, c.threads,
               tr.n, te.n, c.train_csv ? c.train_csv : c.data_dir);
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    int rc = RT_EINPUT;
    if (!params)
        fprintf(stderr, "error: out of memory\n");
    else if (model_init(params, c.seed), rt_train(&c, params, &tr, &te) == 0) {   /* --resume replaces the init */
        rc = RT_OK;
        if (c.save && rt_weights_save(c.save, params, err, sizeof err))
            fprintf(stderr, "%s\n", err), rc = RT_EINPUT;
        if (rc == RT_OK)
            rc = final_line(params, &te, c.threads);
    }
    free(params);
    free_sets(&c, &tr, &te, 1);
    return rc;
}

/* A weights file into a new parameter vector, or NULL after the message. */
static float *load_weights(const char *path)
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

static int cmd_eval(int argc, char **argv)
{
    rt_config c;
    rt_dataset tr, te;
    defaults(&c);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
        return printf(usage_eval, prog), RT_OK;
    if (parse_opts(argc, argv, &c, 0))
        return RT_EUSAGE;
    use_threads(c.threads);
    if (!c.weights)
        return usage_error("%s needs --weights FILE", "eval");
    float *params = load_weights(c.weights);
    if (!params)
        return RT_EINPUT;
    int rc = RT_EINPUT;
    if (load_sets(&c, &tr, &te, 0) == 0 && report(&c, params, &te) == 0)
        rc = final_line(params, &te, c.threads);
    free_sets(&c, &tr, &te, 0);
    free(params);
    return rc;
}

static void print_probs(const float *p)
{
    for (int k = 0; k < MODEL_N_CLASSES; k++)
        printf("%s%.6f", k ? " " : "", (double)p[k]);
}

/* The image side the model reads: [H][W][1], or a square flat input. */
static int input_side(int *H, int *W)
{
    int side = 1;
    while ((long)side * side < MODEL_N_INPUT)
        side++;
    *H = MODEL_IN_H, *W = MODEL_IN_W;
    if (MODEL_IN_H == 1 && (long)side * side == MODEL_N_INPUT)
        *H = *W = side;
    return MODEL_IN_C == 1 && (long)*H * *W == MODEL_N_INPUT ? 0 : -1;
}

/* One image's class probabilities and most probable class; act is an
 * arena for one sample. */
static int classify(const float *params, const unsigned char *pix, float *act, float *p)
{
    for (int i = 0; i < MODEL_N_INPUT; i++)
        act[i] = (float)pix[i] / 255.0f;
    model_forward(params, act, 1, 0, 0);
    model_probs(act, 1, p);
    int best = 0;
    for (int k = 1; k < MODEL_N_CLASSES; k++)
        best = p[k] > p[best] ? k : best;
    return best;
}

static int predict_image(const char *path, const float *params, int probs)
{
    char err[512];
    unsigned char *pix, in[MODEL_N_INPUT];
    int w, h, H, W;
    if (input_side(&H, &W))
        return fprintf(stderr, "%s: error: the model's input is not a grey image\n", path), -1;
    if (rt_image_load(path, &pix, &w, &h, err, sizeof err))
        return fprintf(stderr, "%s\n", err), -1;
    rt_image_mnist(pix, w, h, in, H, W);
    free(pix);
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(1)), p[MODEL_N_CLASSES];
    if (!act)
        return fprintf(stderr, "error: out of memory\n"), -1;
    printf("%s: %d", path, classify(params, in, act, p));
    if (probs)
        printf(" probs "), print_probs(p);
    printf("\n");
    free(act);
    return 0;
}

/* Kaggle submission rows, ImageId counting from 1.  With --probs every
 * image goes through classify() once; without, rt_evaluate uses the
 * threads. */
static int predict_csv(const char *path, const float *params, int probs, int threads)
{
    char err[512];
    rt_dataset d;
    rt_metrics m;
    if (rt_load_csv(path, MODEL_N_CLASSES, &d, err, sizeof err))
        return fprintf(stderr, "%s\n", err), -1;
    int *pred = malloc(sizeof(int) * (size_t)d.n + 1), rc = -1;
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(1)), p[MODEL_N_CLASSES];
    if (check_shape(&d, path) == 0 && pred && act &&
        (probs || rt_evaluate(params, &d, threads, &m, pred) == 0)) {
        printf("ImageId,Label%s\n", probs ? ",probs" : "");
        for (int i = 0; i < d.n; i++) {
            if (probs)
                pred[i] = classify(params, d.pix + (long)i * MODEL_N_INPUT, act, p);
            printf("%d,%d", i + 1, pred[i]);
            if (probs)
                printf(","), print_probs(p);
            printf("\n");
        }
        rc = 0;
    }
    free(pred), free(act);
    rt_dataset_free(&d);
    return rc;
}

static int cmd_predict(int argc, char **argv)
{
    const char *weights = NULL;
    int probs = 0, first = 0, rc = RT_OK;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return printf(usage_predict, prog), RT_OK;
        if (!strcmp(argv[i], "--weights") && i + 1 < argc)
            weights = argv[++i];
        else if (!strcmp(argv[i], "--probs"))
            probs = 1;
        else if (argv[i][0] == '-')
            return usage_error("bad option: '%s'", argv[i]);
        else if (!first)
            first = i;
    }
    if (!weights || !first)
        return usage_error("%s needs --weights FILE and at least one INPUT", "predict");
    float *params = load_weights(weights);
    if (!params)
        return RT_EINPUT;
    for (int i = first; i < argc; i++) {
        if (argv[i][0] == '-' ) {
            i += !strcmp(argv[i], "--weights");
            continue;
        }
        size_t len = strlen(argv[i]);
        int csv = len > 4 && !strcmp(argv[i] + len - 4, ".csv");
        if ((csv ? predict_csv(argv[i], params, probs, (int)online_cores())
                 : predict_image(argv[i], params, probs)) != 0)
            rc = RT_EINPUT;
    }
    free(params);
    return rc;
}

static int cmd_export(int argc, char **argv)
{
    const char *weights = NULL, *out = "out/" MODEL_NAME "_model.c";
    char err[1024];
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return printf(usage_export, prog), RT_OK;
        if (!strcmp(argv[i], "--weights") && i + 1 < argc)
            weights = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else
            return usage_error("bad option or value: '%s'", argv[i]);
    }
    if (!weights)
        return usage_error("%s needs --weights FILE", "export");
    if (rt_export(weights, out, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return RT_EINPUT;
    }
    printf("wrote %s and its header: %ld bytes of weights (flash), %ld bytes of activations (RAM)\n",
           out, 4L * MODEL_N_PARAMS, (long)MODEL_INFER_RAM_BYTES);
    return RT_OK;
}

int main(int argc, char **argv)
{
    prog = argv[0];
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf(usage_main, prog, MODEL_N_PARAMS, prog);
        return argc < 2 ? RT_EUSAGE : RT_OK;
    }
    if (!strcmp(argv[1], "train"))
        return cmd_train(argc, argv);
    if (!strcmp(argv[1], "eval"))
        return cmd_eval(argc, argv);
    if (!strcmp(argv[1], "export"))
        return cmd_export(argc, argv);
    if (!strcmp(argv[1], "predict"))
        return cmd_predict(argc, argv);
    return usage_error("unknown command '%s'", argv[1]);
}
