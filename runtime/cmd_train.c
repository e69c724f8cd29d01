/* cmd_train.c - `NAME train`: train from the spec's defaults and the flags,
 * then evaluate on the test set. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "model.h"
#include "rt.h"

static const char usage_train[] =
"usage: %s train [options]\n"
"Train the model from its spec's defaults, then evaluate it on the test set.\n"
RT_USAGE_DATA
"  --train-csv FILE    a CSV with a header row instead of --data: the --label\n"
"                      columns are targets, the others input values (a Kaggle\n"
"                      digit file's pixel0.. columns are scaled by 1/255, any\n"
"                      other numbers used as they are); rows flat, NHWC order\n"
"  --test-csv FILE     labeled CSV to test on (default with --train-csv: the\n"
"                      last 10%% of train.csv is held out)\n"
"  --label NAMES       the CSV's target columns, comma-separated (default:\n"
"                      label): a class index, 0/1 per label, or values\n"
"  --epochs N          default %d\n"
"  --batch-size N      default %d\n"
"  --learning-rate X   replaces the spec's constant learning rate; default %g.\n"
"                      Refused when the spec's learning_rate is a schedule (as\n"
"                      Keras refuses to set it): change the spec instead\n"
"  --seed N            weights, shuffling and dropout; default %lu\n"
"  --threads N         default: the online cores (%ld); results do not depend on it\n"
"  --save FILE         write the trained weights (SEQCWTS1 format, see README)\n"
"  --log FILE.csv      one row per epoch: epoch,seconds,loss,METRIC,val_loss,val_METRIC\n"
"                      (METRIC: accuracy, or mae for regression)\n"
"  --checkpoint FILE   save the full training state at every epoch end (atomic)\n"
"  --checkpoint-every N  ... and every N batches\n"
"  --init-weights FILE start from these weights (SEQCWTS1, every tensor's shape as\n"
"                      this model's), as Keras's load_weights then fit(); layers\n"
"                      with 'trainable: false' in the spec keep them bit for bit\n"
"  --resume FILE       continue a checkpointed run exactly where it stopped (same\n"
"                      data and settings; the weights end bit-identical)\n"
"  --qat               quantization-aware training for the int8 export (TF Model\n"
"                      Optimization's scheme): the passes run on weights fake-\n"
"                      quantized per output channel to [-127, 127] and layer\n"
"                      outputs fake-quantized to 8 bits at the points eval --int8\n"
"                      quantizes, in ranges calibrated (as eval --int8, 1,000\n"
"                      training samples) at each epoch's start; straight-through\n"
"                      gradients (zero where an output was out of range).\n"
"                      val_ figures are the fake-quantized model's; the final\n"
"                      line the float model's: use eval/export --int8 on --save's\n"
"                      weights.  Usually with --init-weights (float-trained)\n"
"  --validation-split F  the last fraction F (0 <= F < 1) of the training data,\n"
"                      before shuffling, validates (Keras's validation_split):\n"
"                      the epoch line's val_ figures, and what val_ monitors watch\n"
"  --class-weight C:W,...  multiply the loss of class C's samples by W (others 1),\n"
"                      as Keras's class_weight; replaces the spec's\n"
"  --early-stopping-patience N  stop after N epochs without improvement (Keras's\n"
"                      EarlyStopping; the spec's callbacks: early_stopping sets\n"
"                      the rest, else Keras's defaults: monitor val_loss)\n"
"  --save-best FILE    write the weights whenever the monitored value improves\n"
"                      (Keras's ModelCheckpoint with save_best_only)\n"
"  --monitor NAME      what every callback watches: loss, val_loss, or the\n"
"                      metric (accuracy; mae for regression) with or without val_\n"
"  --verbose           also report each checkpoint\n"
"  --quiet             only the final line\n"
"Ends with: test_loss=<float> test_accuracy=<float> (regression: test_mae), then\n"
"the task's other figures on the same line (see eval --help).\n";


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
    const int cs = rt_chunk_size(c->batch_size), chunks = rt_chunk_count(c->batch_size);
    printf("%-44s %12ld bytes x %d %s\n", "Activations and their gradients, one chunk:",
           4L * (MODEL_ARENA_FLOATS(cs) + MODEL_DACT_FLOATS(cs)), MODEL_N_BN ? chunks : c->threads, MODEL_N_BN ? "chunks" : "threads");
    /* the batch split (train.c), and which build runs the last chunk */
    const int last = c->batch_size - (chunks - 1) * cs;
    char label[64], full[32] = "";
    snprintf(label, sizeof label, "A batch of %d, in chunks of samples:", c->batch_size);
    if (chunks > 1)
        snprintf(full, sizeof full, "%d x %d + ", chunks - 1, cs);
    if (RT_ON_TAIL(last))
        printf("%-44s %s1 x %d (the %d-lane tail build)\n", label, full, last, RT_TAIL_LANES);
    else if (last == cs)
        printf("%-44s %d x %d\n", label, chunks, cs);
    else
        printf("%-44s %s1 x %d (in %d lanes)\n", label, full, last, (last + MODEL_V - 1) / MODEL_V * MODEL_V);
}

/* The weights training starts from: the spec's initializers, or
 * --init-weights (Keras load_weights: every tensor's shape must match);
 * --resume replaces them with the checkpoint's. */
static int start_weights(const rt_config *c, float *params)
{
    char err[512];
    model_init(params, c->seed);
    if (!c->init_weights)
        return 0;
    if (rt_weights_load(c->init_weights, params, err, sizeof err))
        return fprintf(stderr, "%s\n", err), -1;
    if (!c->quiet)
        printf("starting from the weights in %s\n", c->init_weights);
    return 0;
}

/* The fit() options in force, once at start. */
static void fit_line(const rt_config *c, int n_val)
{
    char fit[1024];
    rt_fit_describe(c->validation_split, c->cb, fit, sizeof fit);
    if (*fit && n_val)
        printf("fit: %s; %d validation samples\n", fit, n_val);
    else if (*fit)
        printf("fit: %s\n", fit);
    if (!c->class_weight)
        return;
    printf("class_weight: {");
    for (int k = 0; k < MODEL_N_CLASSES; k++)
        printf("%s%d: %g", k ? ", " : "", k, c->class_weight[k]);
    printf("}\n");
}

static int train(int argc, char **argv)
{
    rt_config c;
    rt_dataset tr, te, va;
    char err[512], shape[64];
    rt_defaults(&c);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
        return printf(usage_train, rt_prog, c.data_dir, rt_model_shape_str(shape, sizeof shape), c.epochs,
                      c.batch_size, c.lr, c.seed, rt_online_cores()), RT_OK;
    if (rt_parse_opts(argc, argv, &c, 1))
        return RT_EUSAGE;
    /* with MPI every rank trains the same weights; rank 0 alone prints and
     * writes files (the others read --resume and --init-weights) */
    if (rt_mpi_rank() != 0) {
        if (!freopen("/dev/null", "w", stdout))
            return fprintf(stderr, "error: cannot silence rank %d\n", rt_mpi_rank()), RT_EINPUT;
        c.save = c.log = c.checkpoint = NULL;
    }
    rt_use_threads(c.threads);
    if (rt_load_sets(&c, &tr, &te, 1))
        return rt_free_sets(&c, &tr, &te, 1), RT_EINPUT;
    /* fit(validation_split=...): va is a view of tr's last samples */
    if (rt_validation_split(&tr, c.validation_split, &va, err, sizeof err))
        return fprintf(stderr, "%s\n", err), rt_free_sets(&c, &tr, &te, 1), RT_EINPUT;
    if (!c.quiet)
        summary(&c);
    if (!c.quiet)
        printf("training %s (%d parameters): epochs %d, batch_size %d, learning_rate %g, "
               "seed %lu, threads %d; %d train / %d test samples from %s\n",
               MODEL_NAME, MODEL_N_PARAMS, c.epochs, c.batch_size, c.lr, c.seed, c.threads,
               tr.n, te.n, c.train_csv ? c.train_csv : c.data_dir);
    if (!c.quiet)
        fit_line(&c, va.n);
    if (!c.quiet && rt_mpi_size() > 1)
        printf("data-parallel: %d processes (MPI), each computing its share of every batch's chunks\n",
               rt_mpi_size());
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    int rc = RT_EINPUT;
    if (!params)
        fprintf(stderr, "error: out of memory\n");
    else if (start_weights(&c, params) == 0 &&   /* normalization adapt(), unless the weights come from a file */
             (c.resume || c.init_weights || rt_adapt(params, &tr, err, sizeof err) == 0 || (fprintf(stderr, "%s\n", err), 0)) &&
             rt_train(&c, params, &tr, va.n ? &va : &te) == 0) {
        rc = RT_OK;
        if (c.save && rt_weights_save(c.save, params, err, sizeof err))
            fprintf(stderr, "%s\n", err), rc = RT_EINPUT;
        if (rc == RT_OK)
            rc = rt_final_line(params, &te, c.threads);
    }
    free(params);
    rt_free_sets(&c, &tr, &te, 1);
    return rc;
}


int rt_cmd_train(int argc, char **argv)
{
    rt_mpi_init(&argc, &argv);
    int rc = train(argc, argv);
    fflush(stdout);
    rt_mpi_finalize();
    return rc;
}
