/* train.c - the training loop and evaluation.
 *
 * Determinism: a batch is cut into at most RT_CHUNKS chunks whose size
 * depends only on the batch size.  Each chunk accumulates its own gradient
 * buffer on whatever thread runs it; the buffers are then summed in chunk
 * order.  Dropout masks and shuffles come from counter-based hashes of
 * (seed, epoch, batch, chunk).  So the weights do not depend on the number
 * of threads or their timing.
 *
 * A last chunk of at most RT_TAIL_V samples (batch 100: six chunks of 16,
 * then 4) runs on the model's narrow build (NAME.tail.c, RT_TAIL_V lanes;
 * model.h's MODEL_PASS) instead of a block of 16 lanes of which 12 would be
 * padding: it costs 0.45 of a full chunk instead of 1 (DS-CNN).  Which
 * build a chunk runs on depends on the batch size only, too.
 *
 * With MPI (mpi.c) rank r computes the chunks [r nc / N, (r+1) nc / N) of
 * the same chunking; every chunk's buffers are then gathered to every rank
 * in chunk order and summed as above, so the weights do not depend on the
 * number of processes either. */
#define _DEFAULT_SOURCE   /* madvise, MADV_HUGEPAGE under -std=c11 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mman.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#include "model.h"
#include "quant.h"
#include "rt.h"

#define RT_CHUNKS 16
#define RT_EVAL_CHUNK 32

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

double rt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A live progress line: on a terminal.  Under mpirun a rank's output is a
 * pseudo-terminal whatever mpirun's is, so never with MPI. */
static int live_output(void)
{
#ifdef RT_MPI
    return 0;
#else
    return isatty(STDOUT_FILENO);
#endif
}

static uint64_t mix(uint64_t z)
{
    z += UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Per-thread scratch: activations and their gradients for one chunk, its
 * targets and its samples' weights (class_weight). */
typedef struct rt_ws { float *act, *dact, *targets, *weights; } rt_ws;

/* An arena: 2 MiB-aligned and, on Linux, on transparent huge pages where
 * the system gives them on request (madvise mode).  A [nb][h][w][c][V]
 * buffer strides 4 KiB per pixel at 64 channels, so on 4 KiB pages nearly
 * every pixel step of a layer is a TLB miss (DS-CNN's training step: 8-16%
 * faster on huge pages). */
static void *arena_alloc(size_t bytes, int prefault)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (bytes >= huge) {
        const size_t size = (bytes + huge - 1) / huge * huge;
        void *p = aligned_alloc(huge, size);
        if (p) {
            madvise(p, size, MADV_HUGEPAGE);   /* advice only: failure changes nothing */
            /* training: fault the pages in now, at setup: zeroing ~2 MiB
             * pages on first touch cost the DS-CNN's first epoch 12% of its
             * time (an evaluation's, allocated once at its first call,
             * skip it: their memset would only repeat the kernel's zeroing) */
            if (prefault)
                memset(p, 0, size);
        }
        return p;
    }
#endif
    return malloc(bytes);
}

static void ws_free(rt_ws *w, int threads)
{
    for (int t = 0; w && t < threads; t++)
        free(w[t].act), free(w[t].dact), free(w[t].targets), free(w[t].weights);
    free(w);
}

/* qat: room after the activations for the straight-through mask of
 * train --qat (templates/qat.m4). */
static rt_ws *ws_new(int threads, int chunk, int qat, int prefault)
{
    rt_ws *w = calloc((size_t)threads, sizeof *w);
    for (int t = 0; w && t < threads; t++) {
        w[t].act = arena_alloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(chunk) * (qat ? 2 : 1), prefault);
        w[t].dact = arena_alloc(sizeof(float) * (size_t)MODEL_DACT_FLOATS(chunk), prefault);
        w[t].targets = malloc(sizeof(float) * (size_t)chunk * MODEL_N_TARGETS);
        w[t].weights = malloc(sizeof(float) * (size_t)chunk);
        if (!w[t].act || !w[t].dact || !w[t].targets || !w[t].weights)
            return ws_free(w, t + 1), NULL;
    }
    return w;
}

/* An evaluation's workspaces, kept from call to call (the test and
 * validation runs at every epoch's end): allocated per call, their huge
 * pages were cleared by the kernel every time, 4-7% of a DS-CNN run. */
static rt_ws *eval_ws;
static int eval_threads;

static rt_ws *eval_workspaces(int threads)
{
    if (eval_ws && eval_threads == threads)
        return eval_ws;
    ws_free(eval_ws, eval_threads);
    eval_ws = ws_new(threads, RT_EVAL_CHUNK, 0, 0);
    eval_threads = eval_ws ? threads : 0;
    return eval_ws;
}

/* Samples idx[0..n) as [n][N_INPUT] floats, and their targets (see
 * targets.c): uint8 data scaled to [0, 1], float32 data as it is.  main.c
 * has checked that a sample is N_INPUT values (d->size), which is all the
 * arena holds. */
static void gather(const rt_dataset *d, const int *idx, int n, float *x, float *targets)
{
    const size_t size = MODEL_N_INPUT;
    for (int s = 0; s < n; s++) {
        const size_t at = (size_t)idx[s] * size;
        float *out = x + (size_t)s * size;
        if (d->xf)
            memcpy(out, d->xf + at, sizeof(float) * size);
        else
            for (size_t i = 0; i < size; i++)
                out[i] = (float)d->pix[at + i] / 255.0f;
    }
    if (targets)
        rt_targets(d, idx, n, x, targets);
}

/* ---- evaluation ---------------------------------------------------------- */

int rt_evaluate(const float *params, const rt_dataset *d, int threads, rt_metrics *out, float *outputs)
{
    const int nc = (d->n + RT_EVAL_CHUNK - 1) / RT_EVAL_CHUNK;
    const int labeled = rt_has_targets(d);
    double *loss = calloc((size_t)nc + 1, sizeof *loss), *metric = calloc((size_t)nc + 1, sizeof *metric);
    rt_ws *ws = eval_workspaces(threads);
    if (!loss || !metric || !ws)
        return free(loss), free(metric), -1;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int c = 0; c < nc; c++) {
        rt_ws *w = &ws[thread_id()];
        int idx[RT_EVAL_CHUNK], n = d->n - c * RT_EVAL_CHUNK;
        n = n < RT_EVAL_CHUNK ? n : RT_EVAL_CHUNK;
        for (int s = 0; s < n; s++)
            idx[s] = c * RT_EVAL_CHUNK + s;
        gather(d, idx, n, w->act, w->targets);
        model_forward(params, w->act, n, 0, 0);
        if (labeled)
            loss[c] = model_loss(w->act, w->targets, NULL, n, 1.0f, NULL, &metric[c]);
        if (outputs)
            model_outputs(w->act, n, outputs + (size_t)c * RT_EVAL_CHUNK * MODEL_N_OUTPUTS);
    }
    double total = 0.0, msum = 0.0;
    for (int c = 0; c < nc; c++)
        total += loss[c], msum += metric[c];
    out->n = d->n;
    /* Keras's evaluate() adds the regularization penalty to each batch's
     * mean loss, as training does */
    out->loss = d->n ? total / d->n + (labeled ? model_penalty(params, NULL) : 0.0) : 0.0;
    out->metric = d->n ? msum / d->n : 0.0;
    free(loss), free(metric);
    return 0;
}

/* ---- training ------------------------------------------------------------ */

/* At most RT_CHUNKS chunks per batch, each a whole number of V-sample
 * blocks; the size depends on the batch size only. */
int rt_chunk_size(int batch_size)
{
    int chunk = (batch_size + RT_CHUNKS - 1) / RT_CHUNKS;
    return (chunk + MODEL_V - 1) / MODEL_V * MODEL_V;
}

/* chunks of cs samples that hold n (the last may be short) */
static int chunks_of(int n, int cs)
{
    return (n + cs - 1) / cs;
}

int rt_chunk_count(int batch_size)
{
    return chunks_of(batch_size, rt_chunk_size(batch_size));
}

long rt_chunk_grad_bytes(int batch_size)
{
    return 4L * MODEL_N_PARAMS * rt_chunk_count(batch_size);
}

typedef struct rt_state {
    const rt_config *c;
    float *params, *grad, *cgrad;   /* cgrad: RT_CHUNKS gradient buffers */
    const float *fwd;               /* what the passes run on: params, or with --qat qparams */
    float *qparams, *grid;          /* --qat: fake-quantized weights, output grids (qat.c) */
    rt_ws *ws;                      /* per thread; with batch norm, per chunk */
    double *stats, *partial;        /* batch statistics; RT_CHUNKS partial sums */
    rt_optim optim;
    int chunk;
    long bad_grad;                  /* index of a non-finite gradient */
    int n_train;
    rt_fit_state fit;               /* what the callbacks remember (fit.c) */
    float *best;                    /* EarlyStopping's best weights (restore_best_weights) */
} rt_state;

/* The chunk's per-sample weights from class_weight (Keras turns it into
 * sample weights of the training data only), or NULL: all 1. */
static const float *chunk_weights(const rt_state *st, rt_ws *w, int n)
{
    if (!st->c->class_weight)
        return NULL;
    rt_sample_weights(st->c->class_weight, w->targets, n, w->weights);
    return w->weights;
}

/* acc[i] for i in [a, b) plus chunks [lo, hi) of cg (P floats each),
 * added left to right in chunk order; first: acc starts from chunk lo
 * instead.  Every path that sums gradients (one process, MPI's chain) adds
 * through here, so the bits depend on the chunking only. */
void rt_add_chunks(float *acc, const float *cg, long P, long a, long b, int lo, int hi, int first,
                   int threads)
{
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = a; i < b; i++) {
        float sum = first ? cg[(size_t)lo * P + i] : acc[i];
        for (int c = lo + (first != 0); c < hi; c++)
            sum += cg[(size_t)c * P + i];
        acc[i] = sum;
    }
}

/* Sum the chunks' partial sums of one step into the batch statistics, in
 * chunk order: the bits depend on the chunking only. */
static void reduce_stats(rt_state *st, int backward, int step, int nc)
{
    long off, len;
    model_step_slice(backward, step, &off, &len);
    for (long i = off; i < off + len; i++) {
        double sum = st->partial[i];
        for (int c = 1; c < nc; c++)
            sum += st->partial[(size_t)c * MODEL_N_STATS + i];
        st->stats[i] = sum;
    }
}

/* Forward, loss and backward of every chunk, each chunk on whatever thread
 * runs it; its gradient goes to its own buffer. */
static void chunks_plain(rt_state *st, const rt_dataset *d, const int *idx, int B, uint64_t key,
                         double *loss, double *metric)
{
    const long P = MODEL_N_PARAMS;
    const int cs = st->chunk, nc = chunks_of(B, cs);
    int lo, hi;
    rt_mpi_range(nc, &lo, &hi);
    #pragma omp parallel for schedule(dynamic, 1) num_threads(st->c->threads)
    for (int c = lo; c < hi; c++) {
        rt_ws *w = &st->ws[thread_id()];
        const int n = B - c * cs < cs ? B - c * cs : cs;
        float *g = st->cgrad + (size_t)c * P;
        memset(g, 0, sizeof(float) * (size_t)P);
        gather(d, idx + c * cs, n, w->act, w->targets);
        MODEL_PASS(n, forward)(st->fwd, w->act, n, 1, mix(key + (uint64_t)c));
        metric[c] = 0.0;
        loss[c] = MODEL_PASS(n, loss)(w->act, w->targets, chunk_weights(st, w, n), n, 1.0f / (float)B,
                                      w->dact, &metric[c]);
        MODEL_PASS(n, backward)(st->fwd, g, w->act, w->dact, n);
    }
}

/* Which chunks of [lo, hi) a thread runs in a step: thread t of T takes
 * lo + t, lo + t + T, ... in every step, so a chunk's activations stay in
 * the caches of the core that wrote them.  (Taken one at a time by
 * whichever thread was free, chunks moved between the cores from step to
 * step, and on a 2-vCPU machine the DS-CNN then spent whole runs at 65%
 * of its speed: 4,500 samples/s against 7,100.)  Every other step takes
 * them in reverse, so that a thread starts with the chunk it finished
 * last, the likeliest still in its caches.  own_chunks: how many;
 * own_chunk: the k-th of them. */
static int own_chunks(int lo, int hi)
{
    const int t = omp_get_thread_num(), T = omp_get_num_threads();
    return hi - lo > t ? (hi - lo - t + T - 1) / T : 0;
}

static int own_chunk(int lo, int count, int k, int reverse)
{
    return lo + omp_get_thread_num() + (reverse ? count - 1 - k : k) * omp_get_num_threads();
}

/* The same in steps, when batch normalization needs the whole batch's
 * statistics: every chunk runs a step, then the partial sums are reduced,
 * then the next step.  Each chunk keeps its own activations throughout. */
static void chunks_stepped(rt_state *st, const rt_dataset *d, const int *idx, int B, uint64_t key,
                           double *loss, double *metric)
{
    const long P = MODEL_N_PARAMS;
    const int cs = st->chunk, nc = chunks_of(B, cs);
    int lo, hi;
    rt_mpi_range(nc, &lo, &hi);
    for (int step = 0; step < MODEL_FWD_STEPS; step++) {
        #pragma omp parallel num_threads(st->c->threads)
        for (int k = 0, count = own_chunks(lo, hi); k < count; k++) {
            const int c = own_chunk(lo, count, k, step & 1);
            rt_ws *w = &st->ws[c];
            const int n = B - c * cs < cs ? B - c * cs : cs;
            if (step == 0)
                gather(d, idx + c * cs, n, w->act, w->targets);
            MODEL_PASS(n, forward_step)(st->fwd, w->act, n, 2, mix(key + (uint64_t)c), step, B,
                                        st->stats, st->partial + (size_t)c * MODEL_N_STATS);
        }
        rt_mpi_gather_d(st->partial, MODEL_N_STATS, nc);
        reduce_stats(st, 0, step, nc);
    }
    for (int step = 0; step < MODEL_BWD_STEPS; step++) {
        #pragma omp parallel num_threads(st->c->threads)
        for (int k = 0, count = own_chunks(lo, hi); k < count; k++) {
            const int c = own_chunk(lo, count, k, (MODEL_FWD_STEPS + step) & 1);
            rt_ws *w = &st->ws[c];
            const int n = B - c * cs < cs ? B - c * cs : cs;
            float *g = st->cgrad + (size_t)c * P;
            if (step == 0) {
                memset(g, 0, sizeof(float) * (size_t)P);
                metric[c] = 0.0;
                loss[c] = MODEL_PASS(n, loss)(w->act, w->targets, chunk_weights(st, w, n), n,
                                              1.0f / (float)B, w->dact, &metric[c]);
            }
            MODEL_PASS(n, backward_step)(st->fwd, g, w->act, w->dact, n, step, B, st->stats,
                                         st->partial + (size_t)c * MODEL_N_STATS);
        }
        rt_mpi_gather_d(st->partial, MODEL_N_STATS, nc);
        reduce_stats(st, 1, step, nc);
    }
}

/* One optimiser step on the images idx[0..B).  Returns the summed loss,
 * with the regularization penalty counted once per sample (Keras reports
 * the batch's mean loss plus the penalty). */
static double train_batch(rt_state *st, const rt_dataset *d, const int *idx, int B,
                          uint64_t key, double *metric_sum)
{
    const long P = MODEL_N_PARAMS;
    const int cs = st->chunk, nc = chunks_of(B, cs);
    double loss[RT_CHUNKS], metric[RT_CHUNKS];
    if (st->qparams)   /* --qat: this step's fake-quantized weights */
        rt_qat_weights(st->params, st->qparams);
    if (MODEL_N_BN > 0)
        chunks_stepped(st, d, idx, B, key, loss, metric);
    else
        chunks_plain(st, d, idx, B, key, loss, metric);
    /* with MPI: every rank gets every chunk's loss and metric, and the
     * summed gradient (rt_mpi_sum_chunks); one process sums its own */
    rt_mpi_gather_d(loss, 1, nc);
    rt_mpi_gather_d(metric, 1, nc);
    float *restrict grad = st->grad;
    if (rt_mpi_size() > 1)
        rt_mpi_sum_chunks(grad, st->cgrad, P, nc, st->c->threads);
    else
        rt_add_chunks(grad, st->cgrad, P, 0, P, 0, nc, 1, st->c->threads);
    double total = (double)B * model_penalty(st->params, grad);
    long bad = P;   /* first non-finite gradient */
    for (long i = 0; i < P && bad == P; i++)
        if (!isfinite(grad[i]))
            bad = i;
    for (int c = 0; c < nc; c++)
        total += loss[c], *metric_sum += metric[c];
    if (bad < P || !isfinite(total)) {
        st->bad_grad = bad;
        return isfinite(total) ? NAN : total;   /* the weights stay as they were */
    }
    if (MODEL_N_BN > 0)
        model_moving_update(st->params, st->stats, B);
    rt_optim_step(&st->optim, st->params, st->grad);
    return total;
}

/* Name what went non-finite: the first layer whose output is, on the
 * batch's first chunk, or else the first gradient tensor that is. */
static void diagnose(rt_state *st, const rt_dataset *d, const int *idx, int B, uint64_t key,
                     char *what, size_t len)
{
    rt_ws *w = &st->ws[0];
    const int n = B < st->chunk ? B : st->chunk;
    float *out = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(n));
    gather(d, idx, n, w->act, w->targets);
    model_forward(st->fwd, w->act, n, 1, mix(key));
    for (int l = 0; out && l < MODEL_N_LAYERS; l++) {
        model_layer_output(w->act, n, l, out);
        for (long i = 0; i < (long)n * model_layers[l].size; i++)
            if (!isfinite(out[i])) {
                snprintf(what, len, "layer %s's output is the first that is not finite",
                         model_layers[l].name);
                free(out);
                return;
            }
    }
    free(out);
    for (int t = 0; t < MODEL_N_TENSORS; t++)
        if (st->bad_grad >= model_tensors[t].offset &&
            st->bad_grad < model_tensors[t].offset + model_tensors[t].size) {
            snprintf(what, len, "the gradient of %s is the first that is not finite", model_tensors[t].name);
            return;
        }
    snprintf(what, len, "the loss is not finite");
}

/* Fisher-Yates from a counter-based generator keyed by (seed, epoch). */
static void shuffle(int *order, int n, unsigned long seed, int epoch)
{
    const uint64_t key = mix(((uint64_t)seed << 20) ^ (uint64_t)epoch ^ UINT64_C(0x5eed));
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(mix(key + (uint64_t)i) % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j], order[j] = t;
    }
}

static void progress(const rt_config *c, int b, int nb, double t0, long seen, double loss, double metric)
{
    static double last;
    double now = rt_now();
    if (c->quiet || !live_output() || (now - last < 0.2 && b < nb) || seen == 0)
        return;
    last = now;
    double rate = seen / (now - t0 + 1e-9);
    printf("\r%d/%d - ETA %.0fs - loss: %.4f - %s: %.4f - %.0f samples/s\033[K",
           b, nb, (nb - b) * (now - t0) / (b ? b : 1), loss / seen, rt_metric_name(), metric / seen, rate);
    fflush(stdout);
}

static int checkpoint(rt_state *st, const rt_position *pos)
{
    char err[512];
    if (!st->c->checkpoint)
        return 0;
    if (rt_checkpoint_save(st->c->checkpoint, st->c, st->n_train, pos, st->params, &st->optim,
                           &st->fit, st->best, err, sizeof err)) {
        fprintf(stderr, "\n%s\n", err);
        return -1;
    }
    if (st->c->verbose)
        printf("\ncheckpoint: epoch %d, batch %d -> %s\n", pos->epoch, pos->batch, st->c->checkpoint);
    return 0;
}

/* Train from pos to the end of its epoch, checkpointing on the way. */
static int run_epoch(rt_state *st, const rt_dataset *tr, int *order, rt_position *pos)
{
    const rt_config *c = st->c;
    const int nb = (tr->n + c->batch_size - 1) / c->batch_size, epoch = pos->epoch;
    double t0 = rt_now() - pos->seconds;
    shuffle(order, tr->n, c->seed, epoch);
    if (st->qparams) {   /* --qat: this epoch's ranges (qat.c) */
        char err[512];
        rt_qat_weights(st->params, st->qparams);
        if (rt_qat_ranges(st->qparams, tr, tr->n < RT_QUANT_CALIBRATION ? tr->n : RT_QUANT_CALIBRATION,
                          st->grid, err, sizeof err))
            return fprintf(stderr, "%s\n", err), -1;
        for (int i = 1; c->verbose && i < MODEL_N_QLAYERS; i++)
            if (st->grid[2 * i] > 0.0f)
                printf("qat: epoch %d: %s's output fake-quantized to [%g, %g] (scale %g, zero point %g)\n",
                       epoch, model_layers[i - 1].name, (-128.0 - st->grid[2 * i + 1]) * st->grid[2 * i],
                       (127.0 - st->grid[2 * i + 1]) * st->grid[2 * i], st->grid[2 * i], st->grid[2 * i + 1]);
    }
    for (int b = pos->batch; b < nb; b++) {
        const int start = b * c->batch_size;
        const int B = tr->n - start < c->batch_size ? tr->n - start : c->batch_size;
        const uint64_t key = mix((uint64_t)c->seed ^ ((uint64_t)epoch << 32) ^ ((uint64_t)b << 8));
        double loss = train_batch(st, tr, order + start, B, key, &pos->metric);
        if (!isfinite(loss)) {
            char what[256];
            diagnose(st, tr, order + start, B, key, what, sizeof what);
            fprintf(stderr, "%serror: training diverged at epoch %d, batch %d/%d: %s (loss %g); "
                    "try a smaller --learning-rate%s%s\n", live_output() ? "\n" : "",
                    epoch, b + 1, nb, what, loss, c->checkpoint ? "; the last checkpoint is intact: " : "",
                    c->checkpoint ? c->checkpoint : "");
            return -1;
        }
        pos->loss_sum += loss;
        pos->batch = b + 1;
        pos->seconds = rt_now() - t0;
        progress(c, b + 1, nb, t0, (long)start + B, pos->loss_sum, pos->metric);
        if (c->checkpoint_every && (b + 1) % c->checkpoint_every == 0 && b + 1 < nb && checkpoint(st, pos))
            return -1;
    }
    return 0;
}

/* The spec's optimizer; --learning-rate replaces the constant rate (main.c
 * refuses it for a schedule); beta_1, beta_2 and epsilon come from the
 * settings too. */
static int optim_init(rt_optim *o, const rt_config *c)
{
    return rt_model_optim(o, c->lr, c->beta_1, c->beta_2, c->epsilon);
}

/* Workspaces: one per thread; with batch norm one per chunk of a batch,
 * since each chunk keeps its activations across the steps. */
static int ws_count(const rt_config *c)
{
    return MODEL_N_BN > 0 ? rt_chunk_count(c->batch_size) : c->threads;
}

static int state_init(rt_state *st, const rt_config *c, float *params)
{
    memset(st, 0, sizeof *st);
    st->c = c;
    st->params = params;
    st->chunk = rt_chunk_size(c->batch_size);
    st->grad = malloc(sizeof(float) * MODEL_N_PARAMS);
    st->cgrad = malloc((size_t)rt_chunk_grad_bytes(c->batch_size));
    /* with batch norm every chunk keeps its activations across the steps */
    st->ws = ws_new(ws_count(c), st->chunk, c->qat, 1);
    st->fwd = params;
    if (c->qat) {
        if (!(st->qparams = malloc(sizeof(float) * MODEL_N_PARAMS)) ||
            !(st->grid = calloc(2 * MODEL_N_QLAYERS, sizeof(float))))
            return -1;
        st->fwd = st->qparams;
    }
    st->stats = calloc((size_t)MODEL_N_STATS + 1, sizeof(double));
    st->partial = calloc((size_t)RT_CHUNKS * MODEL_N_STATS + 1, sizeof(double));
    if (c->cb[RT_CB_EARLY_STOPPING].on && c->cb[RT_CB_EARLY_STOPPING].flag &&
        !(st->best = calloc(MODEL_N_PARAMS, sizeof(float))))
        return -1;
    if (!st->grad || !st->cgrad || !st->ws || !st->stats || !st->partial ||
        optim_init(&st->optim, c))
        return -1;
    return 0;
}

static void state_free(rt_state *st)
{
    if (st->qparams)
        rt_model_qat_grid(NULL);   /* the float passes again */
    free(st->grad), free(st->cgrad), free(st->stats), free(st->partial), free(st->best);
    free(st->qparams), free(st->grid);
    ws_free(st->ws, ws_count(st->c));
    rt_optim_free(&st->optim);
}

/* The epoch line and the log row; with ReduceLROnPlateau the rate the
 * epoch trained with too, as Keras's logs["learning_rate"] has it: the
 * value of its float32 variable.  note: what the callbacks did. */
static void report_epoch(const rt_config *c, FILE *log, int epoch, double sec, const rt_metrics *tm,
                         const rt_metrics *vm, long n, float lr, const char *note)
{
    const int show_lr = c->cb[RT_CB_REDUCE_LR].on;
    if (!c->quiet) {
        if (live_output())
            printf("\r\033[K");
        const char *m = rt_metric_name();
        printf("Epoch %d/%d - %.1fs - %.0f samples/s - loss: %.4f - %s: %.4f",
               epoch, c->epochs, sec, n / sec, tm->loss, m, tm->metric);
        if (vm)
            printf(" - val_loss: %.4f - val_%s: %.4f", vm->loss, m, vm->metric);
        if (show_lr)
            printf(" - learning_rate: %.4g", (double)lr);
        printf("%s\n", note);
        fflush(stdout);
    }
    if (log) {
        fprintf(log, "%d,%.3f,%.6f,%.6f,", epoch, sec, tm->loss, tm->metric);
        if (vm)
            fprintf(log, "%.6f,%.6f", vm->loss, vm->metric);
        else
            fprintf(log, ",");
        if (show_lr)
            fprintf(log, ",%.9g", (double)lr);
        fprintf(log, "\n");
        fflush(log);
    }
}

/* Where to start: the beginning, or a checkpoint's position and state (the
 * callbacks' too, and the learning rate they may have lowered). */
static int start_at(rt_state *st, rt_position *pos)
{
    char err[8192];   /* room for two optimizer and two fit() descriptions */
    memset(pos, 0, sizeof *pos);
    pos->epoch = 1;
    rt_fit_begin(st->c, &st->fit);
    if (!st->c->resume)
        return 0;
    if (rt_checkpoint_load(st->c->resume, st->c, st->n_train, pos, st->params, &st->optim, &st->fit,
                           st->best, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    st->optim.c.lr = st->fit.lr;
    if (!st->c->quiet)
        printf("resuming from %s: epoch %d, batch %d\n", st->c->resume, pos->epoch, pos->batch);
    return 0;
}

/* An epoch's end, as Keras's fit(): validation figures, the callbacks'
 * on_epoch_end, the line, then the checkpoint of everything they changed;
 * the new learning rate applies from the next batch. */
static int end_epoch(rt_state *st, FILE *log, const rt_dataset *tr, const rt_dataset *val,
                     const rt_position *pos)
{
    const rt_config *c = st->c;
    rt_metrics tm = {pos->loss_sum / tr->n, pos->metric / tr->n, tr->n}, vm;
    char note[1024];
    const int has_val = val && rt_has_targets(val);
    const float lr = (float)st->optim.c.lr;
    if (st->qparams)   /* --qat: the val_ figures are the fake-quantized model's */
        rt_qat_weights(st->params, st->qparams);
    if (has_val && rt_evaluate(st->fwd, val, c->threads, &vm, NULL))
        return -1;
    if (rt_fit_epoch_end(c, &st->fit, pos->epoch - 1, &tm, has_val ? &vm : NULL, st->params, st->best,
                         note, sizeof note))
        return -1;
    report_epoch(c, log, pos->epoch, pos->seconds, &tm, has_val ? &vm : NULL, tr->n, lr, note);
    st->optim.c.lr = st->fit.lr;
    rt_position next = {pos->epoch + 1, 0, 0.0, 0.0, 0};
    return checkpoint(st, &next);
}

static FILE *open_log(const rt_config *c)
{
    FILE *log;
    if (!c->log)
        return NULL;
    /* a resumed run appends to its log */
    if (!(log = fopen(c->log, c->resume ? "a" : "w")))
        return fprintf(stderr, "%s: error: cannot write the log\n", c->log), NULL;
    if (!c->resume)
        fprintf(log, "epoch,seconds,loss,%s,val_loss,val_%s%s\n", rt_metric_name(), rt_metric_name(),
                c->cb[RT_CB_REDUCE_LR].on ? ",learning_rate" : "");
    return log;
}

/* val: the data the epoch line reports as val_ (the validation split, or
 * without one the test set, as seqc always has) */
int rt_train(const rt_config *c, float *params, const rt_dataset *tr, const rt_dataset *val)
{
    rt_state st = {.c = c};
    rt_position pos;
    FILE *log = NULL;
    int *order = malloc(sizeof(int) * (size_t)tr->n), rc = -1;
    double seconds = 0.0;
    long samples = 0;
    if (!order || state_init(&st, c, params)) {
        fprintf(stderr, "error: out of memory\n");
        goto done;
    }
    st.n_train = tr->n;
    if (start_at(&st, &pos) || (c->log && !(log = open_log(c))))
        goto done;
    /* EarlyStopping's stop_training ends the loop (a checkpoint keeps it) */
    for (; pos.epoch <= c->epochs && !st.fit.stop; pos.epoch++) {
        const double before = pos.seconds;
        const long from = (long)pos.batch * c->batch_size;
        if (run_epoch(&st, tr, order, &pos) || end_epoch(&st, log, tr, val, &pos))
            goto done;
        seconds += pos.seconds - before, samples += tr->n - from;
        pos.batch = 0, pos.loss_sum = 0.0, pos.seconds = 0.0, pos.metric = 0.0;
    }
    if (!c->quiet && seconds > 0)
        printf("train_samples_per_s=%.1f\n", (double)samples / seconds);
    rt_fit_end(c, &st.fit, params, st.best);
    rc = 0;
done:
    if (log)
        fclose(log);
    state_free(&st);
    free(order);
    return rc;
}
