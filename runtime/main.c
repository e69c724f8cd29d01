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

/* --data, --test-data and --holdout, shared by train and eval. */
#define USAGE_DATA \
"  --data DIR          the data (default: %s), one of\n" \
"                      - NumPy: x_train.npy, y_train.npy, x_test.npy, y_test.npy\n" \
"                        (.npy 1.0-3.0; x uint8 or float32, [n, ...input shape];\n" \
"                        y integer labels, [n] or [n, 1])\n" \
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

static const char usage_train[] =
"usage: %s train [options]\n"
"Train the model from its spec's defaults, then evaluate it on the test set.\n"
USAGE_DATA
"  --train-csv FILE    Kaggle digit-recognizer style train.csv (label,pixel0,...)\n"
"                      instead of --data; rows are flat, in NHWC order\n"
"  --test-csv FILE     labeled CSV to test on (default with --train-csv: the\n"
"                      last 10%% of train.csv is held out)\n"
"  --epochs N          default %d\n"
"  --batch-size N      default %d\n"
"  --learning-rate X   replaces the spec's constant learning rate; default %g.\n"
"                      Refused when the spec's learning_rate is a schedule (as\n"
"                      Keras refuses to set it): change the spec instead\n"
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
"usage: %s eval --weights FILE [--data DIR [--holdout F] | --test-data DIR |\n"
"               --test-csv FILE] [--threads N] [--predictions FILE] [--quiet]\n"
"Evaluate saved weights on the test set (the test files of --data, the held-out\n"
"images of an image folder, --test-data, or a labeled CSV): the confusion\n"
"matrix, per-class precision, recall and F1, macro averages.\n"
USAGE_DATA
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
"  INPUT.png, INPUT.pgm  any size, colour or grey; prints 'INPUT: LABEL'.  For a\n"
"                       28x28x1 (or flat 784) digit model: made into a model\n"
"                       input as MNIST's digits were made (inverted if the\n"
"                       background is light, cropped to the ink, scaled to fit\n"
"                       20x20 of 28x28 keeping the aspect ratio, centred by\n"
"                       centre of mass).  For any other image model: converted\n"
"                       as an image folder's images are (see train --help:\n"
"                       channels, then bilinear resize to the input's size)\n"
"  INPUT.csv            Kaggle test.csv (pixel0,...): prints ImageId,Label rows\n"
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
    c->holdout = 0.2;
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
        else if (!strcmp(o, "--test-data")) c->test_data = v;
        else if (!strcmp(o, "--holdout") && !parse_double(v, 1.0, &c->holdout)) ;
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
        else if (!strcmp(o, "--learning-rate") && train && MODEL_LR_SCHEDULE)
            return usage_error("%s: the spec's learning_rate is a schedule, which Keras does not let "
                               "you set; change its values in the spec", o), -1;
        else if (!strcmp(o, "--learning-rate") && train && !parse_double(v, INFINITY, &c->lr)) ;
        else
            return usage_error("bad option or value: '%s'", o), -1;
    }
    if (c->test_data && c->test_csv)
        return usage_error("%s: give one test set", "--test-data and --test-csv"), -1;
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
static const char *model_shape_str(char *s, size_t sl)
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
static int check_shape(const rt_dataset *d, int flat_ok)
{
    int m[3], a[RT_MAX_RANK], b[3], rank = model_shape(m);
    int na = squeeze(d->dims, d->rank, a), nb = squeeze(m, rank, b);
    int ok = d->size == MODEL_N_INPUT &&
             ((flat_ok && d->rank <= 1) || rank == 1 ||
              (na == nb && !memcmp(a, b, sizeof(int) * (size_t)na)));
    char ds[64], ms[64];
    if (!ok)
        fprintf(stderr, "%s: error: samples are %s but the model's input is %s\n", d->src,
                rt_dataset_shape(d, ds, sizeof ds), model_shape_str(ms, sizeof ms));
    return ok ? 0 : -1;
}

/* The model's input as an image H x W x C (a flat input of a square size
 * as a square grey image); -1 when it is not one. */
static int image_shape(int *H, int *W, int *C)
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
    if (image_shape(&H, &W, &C))
        return snprintf(err, errlen, "%s: error: an image folder needs a model whose input is an "
                        "image [H, W, 1|3|4]; this one's is %s", dir, model_shape_str(ms, sizeof ms)), -1;
    if (holdout == 0)
        return rt_load_imgdir(dir, MODEL_N_CLASSES, H, W, C, 0, d, NULL, err, errlen);
    return rt_load_imgdir(dir, MODEL_N_CLASSES, H, W, C, holdout, which ? NULL : d, which ? d : NULL,
                          err, errlen);
}

/* The training and test sets the options name. */
static int load_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train)
{
    char err[1024];
    int rc = 0, own_test = c->test_csv || c->test_data;
    memset(tr, 0, sizeof *tr);
    memset(te, 0, sizeof *te);
    if (train && c->train_csv)
        rc = rt_load_csv(c->train_csv, MODEL_N_CLASSES, tr, err, sizeof err);
    else if (train)
        rc = load_dir(c->data_dir, 0, own_test ? 0 : c->holdout, tr, err, sizeof err);
    if (!rc && c->test_csv)
        rc = rt_load_csv(c->test_csv, MODEL_N_CLASSES, te, err, sizeof err);
    else if (!rc && c->test_data)
        rc = load_dir(c->test_data, 1, 0, te, err, sizeof err);
    else if (!rc && !(train && c->train_csv))
        rc = load_dir(c->data_dir, 1, c->holdout, te, err, sizeof err);
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
    if (train && c->train_csv && !own_test) {
        /* hold out the last 10% as the test set: a view into the same arrays */
        int keep = tr->n - tr->n / 10;
        *te = *tr;
        te->n = tr->n - keep;
        te->pix = tr->pix + (size_t)keep * (size_t)tr->size;
        te->y = tr->y + keep;
        tr->n = keep;
    }
    if ((train && check_shape(tr, c->train_csv != NULL)) ||
        check_shape(te, c->test_csv || (train && c->train_csv && !own_test)))
        return -1;
    return 0;
}

static void free_sets(const rt_config *c, rt_dataset *tr, rt_dataset *te, int train)
{
    int view = train && c->train_csv && !c->test_csv && !c->test_data;
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
static int write_grid(const char *path, const rt_dataset *te, const int *pred, char *err, size_t errlen)
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
        if (l->rank == 1)
            snprintf(shape, sizeof shape, "(None, %d)", l->c);
        else if (l->rank == 2)
            snprintf(shape, sizeof shape, "(None, %d, %d)", l->w, l->c);
        else
            snprintf(shape, sizeof shape, "(None, %d, %d, %d)", l->h, l->w, l->c);
        printf("%-40s %-22s %10ld\n", kind, shape, l->params);
    }
    printf("=========================================================================\n");
    printf("Total params: %d\nTrainable params: %d\nNon-trainable params: %d\n", MODEL_N_PARAMS,
           MODEL_N_TRAINABLE, MODEL_N_PARAMS - MODEL_N_TRAINABLE);
    printf("-------------------------------------------------------------------------\n");
    printf("%-44s %12ld bytes\n", "Weights (flash when exported):", 4L * MODEL_N_PARAMS);
    printf("%-44s %12ld bytes\n", "RAM, inference (largest live in+out pair):", (long)MODEL_INFER_RAM_BYTES);
    char state[64];
    snprintf(state, sizeof state, "Training state: gradients + %s's %d slot%s:", MODEL_OPTIMIZER_NAME,
             MODEL_OPTIMIZER_SLOTS, MODEL_OPTIMIZER_SLOTS == 1 ? "" : "s");
    printf("%-44s %12ld bytes\n", state, 4L * (1 + MODEL_OPTIMIZER_SLOTS) * MODEL_N_PARAMS);
    printf("%-44s %12ld bytes\n", "Per-chunk gradient buffers (batch split):", rt_chunk_grad_bytes(c->batch_size));
    /* with batch norm every chunk keeps its activations across the steps */
    const int chunks = (c->batch_size + rt_chunk_size(c->batch_size) - 1) / rt_chunk_size(c->batch_size);
    printf("%-44s %12ld bytes x %d %s\n", "Activations and their gradients, one chunk:",
           8L * MODEL_ARENA_FLOATS(rt_chunk_size(c->batch_size)), MODEL_N_BN ? chunks : c->threads,
           MODEL_N_BN ? "chunks" : "threads");
}

static int cmd_train(int argc, char **argv)
{
    rt_config c;
    rt_dataset tr, te;
    char err[512], shape[64];
    defaults(&c);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
        return printf(usage_train, prog, c.data_dir, model_shape_str(shape, sizeof shape), c.epochs,
                      c.batch_size, c.lr, c.seed, online_cores()), RT_OK;
    if (parse_opts(argc, argv, &c, 1))
        return RT_EUSAGE;
    use_threads(c.threads);
    if (load_sets(&c, &tr, &te, 1))
        return free_sets(&c, &tr, &te, 1), RT_EINPUT;
    if (!c.quiet)
        summary(&c);
    if (!c.quiet)
        printf("training %s (%d parameters): epochs %d, batch_size %d, learning_rate %g, "
               "seed %lu, threads %d; %d train / %d test samples from %s\n",
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
    char shape[64];
    defaults(&c);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
        return printf(usage_eval, prog, c.data_dir, model_shape_str(shape, sizeof shape)), RT_OK;
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

/* Sample i of d as the model's input in act[0..N_INPUT), as gather() does. */
static void sample_input(const rt_dataset *d, int i, float *act)
{
    for (long k = 0; k < MODEL_N_INPUT; k++)
        act[k] = d->xf ? d->xf[(size_t)i * MODEL_N_INPUT + (size_t)k]
                       : (float)d->pix[(size_t)i * MODEL_N_INPUT + (size_t)k] / 255.0f;
}

/* The class probabilities and most probable class of the one sample in
 * act (an arena for one sample). */
static int classify(const float *params, float *act, float *p)
{
    model_forward(params, act, 1, 0, 0);
    model_probs(act, 1, p);
    int best = 0;
    for (int k = 1; k < MODEL_N_CLASSES; k++)
        best = p[k] > p[best] ? k : best;
    return best;
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
        if (image_shape(&H, &W, &C))
            return fprintf(stderr, "%s: error: the model's input %s is not an image\n", path,
                           model_shape_str(ms, sizeof ms)), -1;
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
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(1)), p[MODEL_N_CLASSES];
    if (!act)
        return fprintf(stderr, "error: out of memory\n"), -1;
    if (image_input(path, act))
        return free(act), -1;
    printf("%s: %d", path, classify(params, act, p));
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
    if (check_shape(&d, 1) == 0 && pred && act &&
        (probs || rt_evaluate(params, &d, threads, &m, pred) == 0)) {
        printf("ImageId,Label%s\n", probs ? ",probs" : "");
        for (int i = 0; i < d.n; i++) {
            if (probs)
                sample_input(&d, i, act), pred[i] = classify(params, act, p);
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
