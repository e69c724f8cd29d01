/* test_golden.c - one generated model against the golden fixtures that the
 * PyTorch reference (tests/reference/golden.py, float64) wrote for its spec.
 *
 * Build against ONE model (out/golden/NAME.{c,h} from
 * `make model SPEC=tests/specs/golden/NAME.yaml OUT=out/golden`):
 *   cc -std=c11 -g -fsanitize=address,undefined -Iruntime -Iout/golden \
 *      -DRT_MODEL_HEADER='"NAME.h"' tests/test_golden.c out/golden/NAME.c \
 *      runtime/adam.c runtime/optim.c -lcmocka -lm -o out/golden/test_golden_NAME
 * Run:
 *   out/golden/test_golden_NAME tests/golden NAME
 *
 * It reads FIXTURE_DIR/NAME.{fwd,grad,adam}.bin (format SEQCGLD1, see
 * golden.py), sets the weights by the golden formula (golden_weights() in
 * golden.py; their FNV-1a hashes must match the fixture's bit for bit), and
 * checks, with |ours - ref| <= 1e-6 + 1e-5 |ref|:
 *   - every layer's output of forward(train = 1, key = 1) on the fixture's
 *     real digits (dropout included: the reference reproduces the masks;
 *     batch normalization uses the batch's statistics);
 *   - the loss (the spec's loss, sum_over_batch_size, + model_penalty())
 *     against the fixture's targets record [n][N_TARGETS] (soft labels,
 *     0/1 labels or real values) or, without one, its integer labels; and
 *     the loss before each of the 3 training steps; the regularization
 *     penalty alone where the fixture has penalty/stepN records (else it
 *     must be 0);
 *   - every parameter gradient of the loss (scale = 1 / n, plus the
 *     penalty's gradient; 0 for the moving statistics);
 *   - the last layer's values of forward(train = 0) (moving statistics as
 *     initialised; the logits where the loss applies softmax or sigmoid);
 *   - which tensors are trainable (init/trainable; without it, all);
 * and, with |ours - ref| <= 1e-5, the weights after 3 training steps on
 * the same batch (records adam3/, whatever the optimizer), each:
 * forward(train = 1, key = s); loss; backward; model_penalty(w, g);
 * model_moving_update(w, model_batch_stats(act, n), n); rt_optim_step with
 * the spec's optimizer (runtime/optim.c, configured as runtime/train.c
 * does) -- the moving statistics included; then, where the fixture has
 * infer3/logits, the logits of forward(train = 0) with those weights (the
 * moving statistics after 3 updates), within 1e-5 + 1e-5 |ref| (the
 * weights they come from agree to 1e-5).  With sgd at learning rate 1 and
 * no momentum, each step must leave exactly w - g (bit for bit), and the
 * gradients of steps 2 and 3 are checked against grad2/, grad3/ as step
 * 1's are.
 *
 * Each check prints, per record, the largest absolute error, the largest
 * relative error among elements with |ref| >= 1e-4, and the share of the
 * tolerance used (1.0 = at the limit); a summary line per quantity ends the
 * run.  A failure names the record (layer or tensor), the element's index
 * and coordinates, our value and the reference's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rt.h"

#define ATOL 1e-6
#define RTOL 1e-5
#define ADAM_ATOL 1e-5
/* infer3/logits come from the weights after 3 steps, which agree only to
 * ADAM_ATOL: the same absolute tolerance, plus RTOL */
#define INFER3_ATOL ADAM_ATOL
#define REL_FLOOR 1e-4   /* relative errors are reported where |ref| >= this */
#define STEPS 3

/* ---- fixture files ------------------------------------------------------ */

enum { F32 = 0, I32 = 1 };

typedef struct record {
    char name[160];
    int dtype, rank;
    long dims[8], size;
    float *f;        /* dtype F32 */
    int32_t *i;      /* dtype I32 */
} record;

typedef struct fixture { int n; record *r; } fixture;

static const char *fixture_dir, *model_name;
static fixture files[3];   /* fwd, grad, adam */
static const char *const suffix[3] = {"fwd", "grad", "adam"};

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads and checks a whole SEQCGLD1 file; prints why on failure. */
static int load_fixture(const char *path, fixture *fx)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open (regenerate with tests/reference/make_golden.sh)\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(len > 0 ? (size_t)len : 1);
    if (!p || len < 12 || fread(p, 1, (size_t)len, f) != (size_t)len || memcmp(p, "SEQCGLD1", 8)) {
        fprintf(stderr, "%s: not a SEQCGLD1 fixture\n", path);
        fclose(f), free(p);
        return -1;
    }
    fclose(f);
    long at = 12;
    fx->n = (int)le32(p + 8);
    fx->r = calloc((size_t)fx->n + 1, sizeof *fx->r);
    for (int k = 0; k < fx->n; k++) {
        record *r = &fx->r[k];
        if (at + 4 > len)
            goto truncated;
        uint32_t nl = le32(p + at);
        if (nl >= sizeof r->name || at + 4 + (long)nl + 8 > len)
            goto truncated;
        memcpy(r->name, p + at + 4, nl);
        at += 4 + nl;
        r->dtype = (int)le32(p + at), r->rank = (int)le32(p + at + 4);
        at += 8;
        if (r->rank > 8 || at + 4L * r->rank > len)
            goto truncated;
        r->size = 1;
        for (int d = 0; d < r->rank; d++, at += 4)
            r->size *= r->dims[d] = le32(p + at);
        if (at + 4 * r->size > len)
            goto truncated;
        void *dst = malloc(4 * (size_t)r->size + 4);
        for (long i = 0; i < r->size; i++, at += 4) {
            uint32_t u = le32(p + at);
            memcpy((char *)dst + 4 * i, &u, 4);
        }
        if (r->dtype == F32)
            r->f = dst;
        else
            r->i = dst;
    }
    if (at != len) {
        fprintf(stderr, "%s: %ld bytes after the last record\n", path, len - at);
        free(p);
        return -1;
    }
    free(p);
    return 0;
truncated:
    fprintf(stderr, "%s: truncated or malformed record\n", path);
    free(p);
    return -1;
}

static const record *find(const char *name)
{
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < files[k].n; j++)
            if (!strcmp(files[k].r[j].name, name))
                return &files[k].r[j];
    return NULL;
}

static const record *need(const char *name, int dtype, long size)
{
    const record *r = find(name);
    if (!r)
        fail_msg("fixture %s/%s.*.bin has no record '%s': fixture and spec disagree "
                 "(regenerate with tests/reference/make_golden.sh)", fixture_dir, model_name, name);
    if (r->dtype != dtype || (size >= 0 && r->size != size))
        fail_msg("record '%s': %ld values of type %d, expected %ld of type %d",
                 name, r->size, r->dtype, size, dtype);
    return r;
}

/* ---- the golden weights (golden_weights() in golden.py) -------------------
 * Tensor t, flat element i: u = ((i * 40503 + t * 7919 + 12345) mod 65536) / 65536;
 * kernel: float((2u - 1) * sqrt(6 / (fan_in + fan_out))); rank 1, with
 * b = (2u - 1) * 0.05: '.../gamma' float(1 + b), '.../moving_variance'
 * float(|b| + 0.5), any other (bias, beta, moving_mean) float(b). */
static int ends_with(const char *s, const char *tail)
{
    const size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

static void golden_weights(float *params)
{
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *T = &model_tensors[t];
        double limit = 0.05;
        if (T->rank >= 2) {
            long rf = 1;
            for (int d = 0; d < T->rank - 2; d++)
                rf *= T->dims[d];
            limit = sqrt(6.0 / (double)(rf * T->dims[T->rank - 2] + rf * T->dims[T->rank - 1]));
        }
        const int gamma = T->rank == 1 && ends_with(T->name, "/gamma");
        const int mvar = T->rank == 1 && ends_with(T->name, "/moving_variance");
        for (long i = 0; i < T->size; i++) {
            const double u = (double)((i * 40503L + t * 7919L + 12345L) % 65536L) / 65536.0;
            const double v = (2.0 * u - 1.0) * limit;
            params[T->offset + i] = (float)(gamma ? 1.0 + v : mvar ? fabs(v) + 0.5 : v);
        }
    }
}

static uint32_t fnv1a32(const float *a, long n)
{
    uint32_t h = 0x811C9DC5u;
    for (long i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &a[i], 4);
        for (int b = 0; b < 4; b++)
            h = (h ^ ((u >> (8 * b)) & 0xFF)) * 0x01000193u;
    }
    return h;
}

/* ---- state shared by the tests -------------------------------------------- */

static int n;                 /* samples in the fixture's batch */
static float *targets;   /* [n][MODEL_N_TARGETS]: the fixture's labels, or its targets record */
static float *params, *grads, *act, *dact;
static double loss1;          /* our loss at step 1: mean data loss + penalty */
static double penalty1;       /* the regularization penalty at step 1 */

/* The largest errors of one quantity (forward, grad, ...), over its records. */
typedef struct stats {
    const char *what;
    double max_abs, max_rel, max_used;
    char rel_at[200], used_at[200];
    long values;
    int records, failed;
} stats;

static stats st_fwd = {.what = "forward"}, st_loss = {.what = "loss"}, st_grad = {.what = "grad"},
             st_infer = {.what = "infer"}, st_adam = {.what = "adam3"}, st_infer3 = {.what = "infer3"};

/* Writes the coordinates of flat index i in dims as "[a][b]...". */
static void coords(const long *dims, int rank, long i, char *buf, size_t len)
{
    long idx[8];
    for (int d = rank - 1; d >= 0; d--)
        idx[d] = i % dims[d], i /= dims[d];
    size_t at = 0;
    buf[0] = 0;
    for (int d = 0; d < rank && at < len; d++)
        at += (size_t)snprintf(buf + at, len - at, "[%ld]", idx[d]);
}

/* Compares ours[0..size) with the record; prints one line; returns the
 * number of elements out of tolerance (the first few are listed). */
static long compare(stats *st, const char *label, const record *ref, const float *ours,
                    const long *dims, int rank, double atol, double rtol)
{
    double max_abs = 0, max_rel = 0, max_used = 0;
    long bad = 0, worst = -1, worst_rel = -1;
    for (long i = 0; i < ref->size; i++) {
        const double r = ref->f[i], o = ours[i], d = fabs(o - r);
        const double used = d / (atol + rtol * fabs(r));
        if (!(d <= atol + rtol * fabs(r))) {   /* NaN fails too */
            if (bad < 5) {
                char at[96];
                coords(dims, rank, i, at, sizeof at);
                printf("    MISMATCH %s %s index %ld %s: ours %.9g, reference %.9g, |diff| %.3g > %.3g\n",
                       st->what, label, i, at, o, r, d, atol + rtol * fabs(r));
            }
            bad++;
        }
        if (d > max_abs || d != d)
            max_abs = d;
        if (fabs(r) >= REL_FLOOR && d / fabs(r) > max_rel)
            max_rel = d / fabs(r), worst_rel = i;
        if (used > max_used || used != used)
            max_used = used, worst = i;
    }
    printf("  %-6s %-28s %7ld values  max_abs %.3g  max_rel %.3g  tol_used %.3f%s\n",
           st->what, label, ref->size, max_abs, max_rel, max_used, bad ? "  FAIL" : "");
    if (bad > 5)
        printf("    ... %ld values out of tolerance in %s %s\n", bad, st->what, label);
    fflush(stdout);   /* before cmocka's messages on stderr */
    st->records++;
    st->values += ref->size;
    if (max_abs > st->max_abs || max_abs != max_abs)
        st->max_abs = max_abs;
    if (max_rel > st->max_rel) {
        char at[96];
        coords(dims, rank, worst_rel, at, sizeof at);
        st->max_rel = max_rel;
        snprintf(st->rel_at, sizeof st->rel_at, "%s%s", label, at);
    }
    if (max_used > st->max_used || max_used != max_used) {
        char at[96];
        coords(dims, rank, worst, at, sizeof at);
        st->max_used = max_used;
        snprintf(st->used_at, sizeof st->used_at, "%s%s", label, at);
    }
    st->failed += bad > 0;
    return bad;
}

static void compare_scalar(stats *st, const char *label, const record *ref, double ours)
{
    float o = (float)ours;
    long dims[1] = {1};
    if (compare(st, label, ref, &o, dims, 1, ATOL, RTOL))
        fail_msg("%s: %s differs from the reference (ours %.9g, reference %.9g)",
                 model_name, label, ours, (double)ref->f[0]);
}

/* ---- setup: load, weights, one training step's forward and backward ------ */

static int group_setup(void **state)
{
    (void)state;
    char path[4096];
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s.%s.bin", fixture_dir, model_name, suffix[k]);
        if (load_fixture(path, &files[k]))
            return -1;
    }
    const record *b = find("meta/batch"), *x = find("input"), *y = find("labels"), *t = find("targets");
    if (!b || !x || !(y || t) || b->dtype != I32 || x->size != (long)b->i[0] * MODEL_N_INPUT ||
        (t && (t->dtype != F32 || t->size != (long)b->i[0] * MODEL_N_TARGETS)) ||
        (!t && MODEL_N_TARGETS != 1)) {
        fprintf(stderr, "%s: fixture's batch or input does not fit model %s (%d inputs)\n",
                path, MODEL_NAME, MODEL_N_INPUT);
        return -1;
    }
    n = b->i[0];
    targets = calloc((size_t)n * MODEL_N_TARGETS, sizeof *targets);
    params = calloc(MODEL_N_PARAMS, sizeof *params);
    grads = calloc(MODEL_N_PARAMS, sizeof *grads);
    act = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *act);
    dact = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *dact);
    if (!targets || !params || !grads || !act || !dact)
        return -1;
    for (long s = 0; s < (long)n * MODEL_N_TARGETS; s++)
        targets[s] = t ? t->f[s] : (float)y->i[s];

    golden_weights(params);
    memcpy(act, x->f, sizeof(float) * (size_t)n * MODEL_N_INPUT);
    model_forward(params, act, n, 1, 1);
    penalty1 = model_penalty(params, NULL);
    loss1 = model_loss(act, targets, NULL, n, 1.0f / (float)n, dact, NULL) / n + penalty1;
    model_backward(params, grads, act, dact, n);
    model_penalty(params, grads);
    printf("golden %s: batch of %d digits, %d parameters, %d layers\n",
           MODEL_NAME, n, MODEL_N_PARAMS, MODEL_N_LAYERS);
    return 0;
}

static void print_summary(const stats *st)
{
    if (!st->records)
        return;
    printf("SUMMARY %s %-7s records %3d values %7ld  max_abs %.3g  max_rel %.3g (%s)  tol_used %.3f (%s)%s\n",
           MODEL_NAME, st->what, st->records, st->values, st->max_abs, st->max_rel,
           st->rel_at[0] ? st->rel_at : "-", st->max_used, st->used_at[0] ? st->used_at : "-",
           st->failed ? "  FAILED" : "");
}

static int group_teardown(void **state)
{
    (void)state;
    print_summary(&st_fwd);
    print_summary(&st_loss);
    print_summary(&st_grad);
    print_summary(&st_infer);
    print_summary(&st_adam);
    print_summary(&st_infer3);
    for (int k = 0; k < 3; k++) {
        for (int j = 0; j < files[k].n; j++)
            free(files[k].r[j].f), free(files[k].r[j].i);
        free(files[k].r);
    }
    free(targets), free(params), free(grads), free(act), free(dact);
    return 0;
}

/* ---- the tests ------------------------------------------------------------- */

/* The weights are the formula's, bit for bit, and the tensor table matches. */
static void test_init(void **state)
{
    (void)state;
    const record *h = need("init/fnv1a", I32, MODEL_N_TENSORS);
    const record *tr = find("init/trainable");   /* absent: every tensor is trainable */
    if (tr && (tr->dtype != I32 || tr->size != MODEL_N_TENSORS))
        fail_msg("record 'init/trainable': %ld values of type %d, expected %d of type %d",
                 tr->size, tr->dtype, MODEL_N_TENSORS, I32);
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *T = &model_tensors[t];
        char name[200];
        snprintf(name, sizeof name, "grad/%s", T->name);
        const record *g = need(name, F32, T->size);
        if (g->rank != T->rank)
            fail_msg("tensor %d (%s): rank %d here, %d in the reference", t, T->name, T->rank, g->rank);
        for (int d = 0; d < T->rank; d++)
            if (g->dims[d] != T->dims[d])
                fail_msg("tensor %d (%s): dimension %d is %d here, %ld in the reference",
                         t, T->name, d, T->dims[d], g->dims[d]);
        const int trainable = tr ? tr->i[t] != 0 : 1;
        if (!T->trainable != !trainable)
            fail_msg("tensor %d (%s): trainable is %d here, %d in the reference", t, T->name,
                     T->trainable, trainable);
        const uint32_t ours = fnv1a32(params + T->offset, T->size);
        if (ours != (uint32_t)h->i[t])
            fail_msg("tensor %d (%s): initial weights differ from golden_weights() in golden.py "
                     "(FNV-1a %08x here, %08x in the fixture)", t, T->name, ours, (uint32_t)h->i[t]);
    }
}

/* Every layer's output of the training-mode forward pass, dropout included. */
static void test_forward(void **state)
{
    (void)state;
    const char *first_bad = NULL;
    for (int i = 0; i < MODEL_N_LAYERS; i++) {
        const model_layer *L = &model_layers[i];
        char name[200];
        snprintf(name, sizeof name, "out/%s", L->name);
        const record *r = need(name, F32, (long)n * L->size);
        long dims[4] = {n, L->h, L->w, L->c};
        int rank = 4;
        if (r->rank == 2) {
            if (L->h != 1 || L->w != 1 || r->dims[1] != L->c)
                fail_msg("layer %s: reference shape [%ld][%ld], ours %dx%dx%d", L->name, r->dims[0],
                         r->dims[1], L->h, L->w, L->c);
            dims[1] = L->c, rank = 2;
        } else if (r->rank == 3) {   /* a sequence [steps][c]: ours is 1 x steps x c */
            if (L->h != 1 || r->dims[1] != L->w || r->dims[2] != L->c)
                fail_msg("layer %s: reference shape [%ld][%ld][%ld], ours %dx%dx%d", L->name,
                         r->dims[0], r->dims[1], r->dims[2], L->h, L->w, L->c);
            dims[1] = L->w, dims[2] = L->c, rank = 3;
        } else if (r->rank != 4 || r->dims[1] != L->h || r->dims[2] != L->w || r->dims[3] != L->c) {
            fail_msg("layer %s: reference shape differs from ours %dx%dx%d", L->name, L->h, L->w, L->c);
        }
        float *out = malloc(sizeof(float) * (size_t)n * (size_t)L->size);
        assert_non_null(out);
        model_layer_output(act, n, (int)(L - model_layers), out);  /* [n][size], whatever the block layout */
        if (compare(&st_fwd, L->name, r, out, dims, rank, ATOL, RTOL) && !first_bad)
            first_bad = L->name;
        free(out);
    }
    if (first_bad)
        fail_msg("%s: forward output of layer %s (the first in order) differs from the reference",
                 MODEL_NAME, first_bad);
}

/* The regularization penalty at step s: the fixture's penalty/stepS, or 0
 * when it has none (no regularizer).  Returns the number of mismatches. */
static long check_penalty(int step, double ours)
{
    char name[32];
    snprintf(name, sizeof name, "penalty/step%d", step);
    const record *r = find(name);
    if (!r) {
        if (ours == 0.0)
            return 0;
        printf("    MISMATCH penalty %s: ours %.9g, the fixture has no regularizer (0)\n", name, ours);
        return 1;
    }
    float o = (float)ours;
    long dims[1] = {1};
    return compare(&st_loss, name, need(name, F32, 1), &o, dims, 1, ATOL, RTOL);
}

static void test_loss(void **state)
{
    (void)state;
    if (check_penalty(1, penalty1))
        fail_msg("%s: the regularization penalty differs from the reference (ours %.9g)",
                 MODEL_NAME, penalty1);
    compare_scalar(&st_loss, "loss/step1", need("loss/step1", F32, 1), loss1);
}

/* Every parameter gradient of the mean loss. */
static void test_gradients(void **state)
{
    (void)state;
    const char *first_bad = NULL;
    for (int t = MODEL_N_TENSORS - 1; t >= 0; t--) {   /* backward order: the first failure is the culprit */
        const model_tensor *T = &model_tensors[t];
        char name[200];
        snprintf(name, sizeof name, "grad/%s", T->name);
        const record *r = need(name, F32, T->size);
        long dims[4];
        for (int d = 0; d < T->rank; d++)
            dims[d] = T->dims[d];
        if (compare(&st_grad, T->name, r, grads + T->offset, dims, T->rank, ATOL, RTOL) && !first_bad)
            first_bad = T->name;
    }
    if (first_bad)
        fail_msg("%s: gradient of %s differs from the reference (the first failing tensor walking "
                 "back from the output: suspect its layer's backward, or the input gradient of a "
                 "layer after it)", MODEL_NAME, first_bad);
}

/* forward(train = 0): dropout is the identity. */
static void test_inference(void **state)
{
    (void)state;
    const model_layer *last = &model_layers[MODEL_N_LAYERS - 1];
    const record *r = need("infer/logits", F32, (long)n * MODEL_N_OUTPUTS);
    float *a = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *a);
    assert_non_null(a);
    memcpy(a, find("input")->f, sizeof(float) * (size_t)n * MODEL_N_INPUT);
    model_forward(params, a, n, 0, 12345);
    long dims[2] = {n, MODEL_N_OUTPUTS};
    float *logits = malloc(sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
    assert_non_null(logits);
    model_layer_output(a, n, MODEL_N_LAYERS - 1, logits);
    long bad = compare(&st_infer, "logits", r, logits, dims, 2, ATOL, RTOL);
    (void)last;
    free(a), free(logits);
    if (bad)
        fail_msg("%s: inference logits differ from the reference", MODEL_NAME);
}

/* The spec's optimizer (rt_optim, runtime/optim.c), configured from the
 * generated MODEL_* constants as the trainer does (runtime/train.c,
 * optim_init), with its trainable flags. */
static int optim_init(rt_optim *o)
{
    return rt_model_optim(o, MODEL_LEARNING_RATE, MODEL_BETA_1, MODEL_BETA_2, MODEL_EPSILON);
}

/* SGD, learning rate 1, no momentum, clipping, weight decay or schedule:
 * each step must be w - g, exactly. */
static int exact_sgd(const rt_optim *o)
{
    const rt_optim_config *c = &o->c;
    return c->kind == RT_SGD && c->schedule == RT_LR_CONSTANT && c->lr == 1.0 && c->momentum == 0.0 &&
           c->weight_decay == 0.0 && c->clipnorm == 0.0 && c->clipvalue == 0.0 && c->global_clipnorm == 0.0;
}

/* After an exact-sgd step: every trainable weight is before - g bit for bit
 * (non-trainable ones unchanged).  Returns the mismatches (first few listed). */
static long check_exact_step(int step, const float *before, const float *w, const float *g)
{
    long bad = 0;
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *T = &model_tensors[t];
        for (long i = T->offset; i < T->offset + T->size; i++) {
            const float want = T->trainable ? before[i] - g[i] : before[i];
            if (memcmp(&want, &w[i], sizeof want)) {
                if (bad++ < 5)
                    printf("    MISMATCH sgd step %d %s index %ld: w %.9g, w - g %.9g\n", step, T->name,
                           i - T->offset, (double)w[i], (double)want);
            }
        }
    }
    printf("  sgd    step %d: weights == w - g bit for bit: %s\n", step, bad ? "NO  FAIL" : "yes");
    return bad;
}

/* The gradient of step s (2, 3) against the fixture's gradS/ records, which
 * golden.py writes for an exact-sgd spec. */
static long check_step_grads(int step, const float *g, const char **first_bad)
{
    long bad = 0;
    for (int t = MODEL_N_TENSORS - 1; t >= 0; t--) {
        const model_tensor *T = &model_tensors[t];
        char name[200];
        snprintf(name, sizeof name, "grad%d/%s", step, T->name);
        const record *r = need(name, F32, T->size);
        long dims[4];
        for (int d = 0; d < T->rank; d++)
            dims[d] = T->dims[d];
        snprintf(name, sizeof name, "step%d:%s", step, T->name);
        const long b = compare(&st_grad, name, r, g + T->offset, dims, T->rank, ATOL, RTOL);
        if (b && !*first_bad)
            *first_bad = T->name;
        bad += b;
    }
    return bad;
}

/* Three training steps on the same batch, step s with key s: the loss
 * with the penalty, backward plus the penalty's gradient, the moving
 * statistics from this forward's batch statistics, then the spec's
 * optimizer (rt_optim, runtime/optim.c; golden.py follows adam and sgd);
 * then inference with the weights they leave.  With exact sgd (learning
 * rate 1, no momentum) each step must be w - g bit for bit, and the
 * gradients of steps 2 and 3 are compared with the reference's too. */
static void test_steps(void **state)
{
    (void)state;
    float *w = malloc(sizeof(float) * MODEL_N_PARAMS), *g = malloc(sizeof(float) * MODEL_N_PARAMS);
    float *before = malloc(sizeof(float) * MODEL_N_PARAMS);
    float *a = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *a), *da = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *da);
    rt_optim opt;
    assert_true(w && g && before && a && da);
    assert_int_equal(optim_init(&opt), 0);
    const int exact = exact_sgd(&opt);
    golden_weights(w);
    int bad_loss = 0;
    long bad_exact = 0, bad_grads = 0;
    const char *first_bad_grad = NULL;
    for (int step = 1; step <= STEPS; step++) {
        memcpy(a, find("input")->f, sizeof(float) * (size_t)n * MODEL_N_INPUT);
        model_forward(w, a, n, 1, (uint64_t)step);
        const double penalty = model_penalty(w, NULL);
        double loss = model_loss(a, targets, NULL, n, 1.0f / (float)n, da, NULL) / n + penalty;
        bad_loss += check_penalty(step, penalty) > 0;
        char name[32];
        snprintf(name, sizeof name, "loss/step%d", step);
        float o = (float)loss;
        long dims[1] = {1};
        bad_loss += compare(&st_loss, name, need(name, F32, 1), &o, dims, 1, ATOL, RTOL) > 0;
        memset(g, 0, sizeof(float) * MODEL_N_PARAMS);
        model_backward(w, g, a, da, n);
        model_penalty(w, g);
        model_moving_update(w, model_batch_stats(a, n), n);
        memcpy(before, w, sizeof(float) * MODEL_N_PARAMS);
        rt_optim_step(&opt, w, g);
        if (exact) {
            bad_exact += check_exact_step(step, before, w, g);
            if (step > 1)
                bad_grads += check_step_grads(step, g, &first_bad_grad);
        }
    }
    const char *first_bad = NULL;
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *T = &model_tensors[t];
        char name[200];
        snprintf(name, sizeof name, "adam3/%s", T->name);
        long dims[4];
        for (int d = 0; d < T->rank; d++)
            dims[d] = T->dims[d];
        if (compare(&st_adam, T->name, need(name, F32, T->size), w + T->offset, dims, T->rank,
                    ADAM_ATOL, 0.0) && !first_bad)
            first_bad = T->name;
    }
    /* inference with the moving statistics the 3 steps left (batch norm) */
    long bad_infer3 = 0;
    const record *r3 = find("infer3/logits");
    if (r3) {
        float *logits = malloc(sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
        assert_non_null(logits);
        memset(a, 0, sizeof(float) * (size_t)MODEL_ARENA_FLOATS(n));
        memcpy(a, find("input")->f, sizeof(float) * (size_t)n * MODEL_N_INPUT);
        model_forward(w, a, n, 0, 12345);
        model_layer_output(a, n, MODEL_N_LAYERS - 1, logits);
        long dims[2] = {n, MODEL_N_OUTPUTS};
        bad_infer3 = compare(&st_infer3, "logits", need("infer3/logits", F32, (long)n * MODEL_N_OUTPUTS),
                             logits, dims, 2, INFER3_ATOL, RTOL);
        free(logits);
    }
    rt_optim_free(&opt);
    free(w), free(g), free(before), free(a), free(da);
    if (bad_exact)
        fail_msg("%s: an sgd step with learning rate 1 is not w - g exactly", MODEL_NAME);
    if (bad_grads)
        fail_msg("%s: the gradient of %s at step 2 or 3 differs from the reference", MODEL_NAME,
                 first_bad_grad);
    if (first_bad)
        fail_msg("%s: weights of %s after %d %s steps differ from the reference",
                 MODEL_NAME, first_bad, STEPS, MODEL_OPTIMIZER_NAME);
    if (bad_loss)
        fail_msg("%s: the loss (or penalty) before an optimizer step differs from the reference", MODEL_NAME);
    if (bad_infer3)
        fail_msg("%s: inference logits after the 3 steps (moving statistics) differ from the reference",
                 MODEL_NAME);
}

/* The trainer's passes (runtime/train.c): forward_step with train = 2,
 * which skips the outputs only layer_output() reads, then loss and
 * backward_step, over one chunk.  They must give forward(train = 1) and
 * backward()'s logits and gradients bit for bit. */
static void test_trainer_steps(void **state)
{
    (void)state;
    float *a = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *a), *da = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *da);
    float *g = calloc(MODEL_N_PARAMS, sizeof *g), *l1 = malloc(sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
    float *l2 = malloc(sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
    double *stats = calloc((size_t)MODEL_N_STATS + 1, sizeof *stats);
    assert_true(a && da && g && l1 && l2 && stats);
    model_layer_output(act, n, MODEL_N_LAYERS - 1, l1);
    memcpy(a, find("input")->f, sizeof(float) * (size_t)n * MODEL_N_INPUT);
    for (int step = 0; step < MODEL_FWD_STEPS; step++)
        model_forward_step(params, a, n, 2, 1, step, n, stats, stats);
    model_layer_output(a, n, MODEL_N_LAYERS - 1, l2);
    const double loss = model_loss(a, targets, NULL, n, 1.0f / (float)n, da, NULL) / n + model_penalty(params, NULL);
    for (int step = 0; step < MODEL_BWD_STEPS; step++)
        model_backward_step(params, g, a, da, n, step, n, stats, stats);
    model_penalty(params, g);
    const int same_logits = !memcmp(l1, l2, sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
    const int same_grads = !memcmp(g, grads, sizeof(float) * MODEL_N_PARAMS);
    free(a), free(da), free(g), free(l1), free(l2), free(stats);
    if (!same_logits || loss != loss1)
        fail_msg("%s: forward_step(train = 2) and loss differ from forward(train = 1)", MODEL_NAME);
    if (!same_grads)
        fail_msg("%s: backward_step after forward_step(train = 2) differs from backward()", MODEL_NAME);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIXTURE_DIR NAME   (reads FIXTURE_DIR/NAME.{fwd,grad,adam}.bin)\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1], model_name = argv[2];
    if (strcmp(model_name, MODEL_NAME))
        printf("note: fixture name %s, model %s\n", model_name, MODEL_NAME);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_forward),
        cmocka_unit_test(test_loss),
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_inference),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_trainer_steps),
    };
    return cmocka_run_group_tests_name(MODEL_NAME, tests, group_setup, group_teardown);
}
