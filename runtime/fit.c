/* fit.c - Keras's fit() options around the training loop (README
 * "Training options", templates/SEMANTICS.md "fit() options"):
 *
 *   validation_split  keras/src/trainers/data_adapters/array_slicing.py
 *                     train_validation_split: the last n - floor(n (1 - f))
 *                     samples, before any shuffling, validate;
 *   class_weight      data_adapter_utils.py class_weight_to_sample_weights:
 *                     a weight per sample from its class, which multiplies
 *                     its loss; the batch mean still divides by the batch
 *                     size (losses/loss.py, "sum_over_batch_size");
 *   callbacks         callbacks/monitor_callback.py, early_stopping.py,
 *                     reduce_lr_on_plateau.py, model_checkpoint.py.
 *
 * The callbacks decide on the epoch's figures as train.c reports them
 * (doubles); what they remember is an rt_fit_state, which checkpoints keep,
 * so a resumed run decides exactly as an uninterrupted one. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model.h"
#include "rt.h"

static const char *const cb_names[RT_N_CALLBACKS] = {"early_stopping", "reduce_lr_on_plateau",
                                                     "model_checkpoint"};
static const char *const mode_names[] = {"auto", "min", "max"};

/* The class weights in force: the spec's or --class-weight's. */
static float class_weights[MODEL_N_CLASSES + 1];

static void weights_reset(void)
{
    for (int k = 0; k <= MODEL_N_CLASSES; k++)
        class_weights[k] = 1.0f;
}

void rt_fit_defaults(rt_config *c)
{
    static const int classes[] = MODEL_CLASS_WEIGHT_CLASSES;
    static const double values[] = MODEL_CLASS_WEIGHT_VALUES;
    static const rt_callback cb[RT_N_CALLBACKS] = {
        MODEL_CB_EARLY_STOPPING, MODEL_CB_REDUCE_LR_ON_PLATEAU, MODEL_CB_MODEL_CHECKPOINT};
    c->validation_split = MODEL_VALIDATION_SPLIT;
    memcpy(c->cb, cb, sizeof cb);
    c->save_best = MODEL_CB_FILEPATH[0] ? MODEL_CB_FILEPATH : NULL;
    weights_reset();
    for (int i = 0; i < MODEL_N_CLASS_WEIGHTS; i++)   /* seqc checked the classes */
        class_weights[classes[i]] = (float)values[i];   /* Keras: float32 sample weights */
    c->class_weight = MODEL_N_CLASS_WEIGHTS ? class_weights : NULL;
    c->monitor = 0;
}

/* ---- flags ----------------------------------------------------------------- */

/* "loss", "accuracy", "val_loss", "val_mae", ... (the model's metric only) */
static int monitor_of(const char *s)
{
    const char *m = rt_metric_name();
    const int val = !strncmp(s, "val_", 4);
    s += val ? 4 : 0;
    if (!strcmp(s, "loss"))
        return val ? RT_MON_VAL_LOSS : RT_MON_LOSS;
    if (!strcmp(s, m))
        return val ? RT_MON_VAL_METRIC : RT_MON_METRIC;
    return -1;
}

static const char *monitor_name(int monitor, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", monitor >= RT_MON_VAL_LOSS ? "val_" : "",
             monitor == RT_MON_LOSS || monitor == RT_MON_VAL_LOSS ? "loss" : rt_metric_name());
    return buf;
}

/* One "CLASS:WEIGHT" of --class-weight; p advances past it. */
static int class_weight_item(const char **p, int *seen)
{
    char *end;
    errno = 0;
    long k = strtol(*p, &end, 10);
    if (end == *p || *end != ':' || errno || k < 0 || k >= MODEL_N_CLASSES || seen[k])
        return -1;
    *p = end + 1;
    double w = strtod(*p, &end);
    if (end == *p || (*end && *end != ',') || !isfinite(w) || w < 0 || w > 1e6)
        return -1;
    seen[k] = 1;
    class_weights[k] = (float)w;
    *p = *end ? end + 1 : end;
    return 0;
}

/* --class-weight 0:1,1:5 replaces the spec's class_weight. */
static int class_weight_flag(rt_config *c, const char *v, char *err, size_t len)
{
    int *seen = calloc((size_t)MODEL_N_CLASSES + 1, sizeof *seen);
    const char *p = v;
    int bad = !seen || !*v;
    if (MODEL_TASK != RT_TASK_CLASSES && MODEL_TASK != RT_TASK_BINARY)
        return free(seen), snprintf(err, len, "--class-weight: class_weight weighs samples by their "
                                    "class label, and this model's %s has no classes", MODEL_LOSS_NAME), -1;
    weights_reset();
    while (!bad && *p)
        bad = class_weight_item(&p, seen) != 0;
    bad |= p > v && p[-1] == ',';   /* "0:1," */
    free(seen);
    if (bad)
        return snprintf(err, len, "--class-weight takes CLASS:WEIGHT,... with each class once, in "
                        "[0, %d), and weights in [0, 1e6]; not '%s'", MODEL_N_CLASSES, v), -1;
    c->class_weight = class_weights;
    return 0;
}

/* ES, ModelCheckpoint: switched on by a flag with Keras's defaults. */
static rt_callback *callback_on(rt_config *c, int which)
{
    rt_callback *cb = &c->cb[which];
    if (!cb->on) {
        memset(cb, 0, sizeof *cb);
        cb->on = 1, cb->monitor = RT_MON_VAL_LOSS;
    }
    return cb;
}

int rt_fit_flag(rt_config *c, const char *o, const char *v, char *err, size_t len)
{
    char *end;
    long n;
    if (!strcmp(o, "--validation-split")) {
        double f = strtod(v, &end);
        if (end == v || *end || !isfinite(f) || f < 0 || f >= 1)
            return snprintf(err, len, "--validation-split takes a fraction in [0, 1), not '%s'", v), -1;
        return c->validation_split = f, 1;
    }
    if (!strcmp(o, "--class-weight"))
        return class_weight_flag(c, v, err, len) ? -1 : 1;
    if (!strcmp(o, "--early-stopping-patience")) {
        errno = 0;
        n = strtol(v, &end, 10);
        if (end == v || *end || errno || n < 0 || n > 1000000)
            return snprintf(err, len, "--early-stopping-patience takes a number of epochs, not '%s'", v), -1;
        return callback_on(c, RT_CB_EARLY_STOPPING)->patience = (int32_t)n, 1;
    }
    if (!strcmp(o, "--save-best")) {
        callback_on(c, RT_CB_CHECKPOINT)->flag = 1;   /* save_best_only */
        return c->save_best = v, 1;
    }
    if (!strcmp(o, "--monitor")) {
        int m = monitor_of(v);
        if (m < 0)
            return snprintf(err, len, "--monitor: '%s' is not one of loss, val_loss, %s, val_%s", v,
                            rt_metric_name(), rt_metric_name()), -1;
        return c->monitor = m + 1, 1;
    }
    return 0;
}

int rt_fit_finish(rt_config *c, char *err, size_t len)
{
    char name[32];
    if (c->monitor && !c->cb[0].on && !c->cb[1].on && !c->cb[2].on)
        return snprintf(err, len, "--monitor: no callback watches anything; the spec's train: callbacks, "
                        "--early-stopping-patience or --save-best switch one on"), -1;
    for (int i = 0; i < RT_N_CALLBACKS; i++) {
        rt_callback *cb = &c->cb[i];
        if (cb->on && c->monitor)
            cb->monitor = c->monitor - 1;
        /* Keras only warns and skips a missing val_ quantity (ModelCheckpoint
         * then saves every epoch); seqc refuses, and never decides on the
         * test set, which would leak it into the choice of weights */
        if (cb->on && cb->monitor >= RT_MON_VAL_LOSS && c->validation_split <= 0)
            return snprintf(err, len, "%s monitors %s, which needs validation data: set validation_split "
                            "(train: in the spec, or --validation-split F), or monitor loss", cb_names[i],
                            monitor_name(cb->monitor, name, sizeof name)), -1;
    }
    return 0;
}

/* ---- data ---------------------------------------------------------------- */

int rt_validation_split(rt_dataset *tr, double f, rt_dataset *va, char *err, size_t errlen)
{
    memset(va, 0, sizeof *va);
    if (f <= 0)
        return 0;
    /* array_slicing.train_validation_split: split_at = floor(n * (1 - f)),
     * so the validation part is rounded up (8000 at 0.07: 561, not 560) */
    const int keep = (int)floor((double)tr->n * (1.0 - f));
    if (keep <= 0 || keep >= tr->n)
        return snprintf(err, errlen, "%s: error: %d training samples are too few to split off "
                        "validation_split=%g (neither part may be empty, as in Keras)",
                        tr->src, tr->n, f), -1;
    rt_dataset_split(tr, keep, va);   /* a view: the same arrays from sample 'keep' on */
    return 0;
}

/* class_weight_to_sample_weights: the class is the argmax of one-hot or
 * soft targets (the first largest, as np.argmax), else the rounded label
 * (np.round: half to even, which lrintf does in the default rounding
 * mode); a class without a weight, or no class, weighs 1. */
void rt_sample_weights(const float *cw, const float *targets, int n, float *w)
{
    for (int s = 0; s < n; s++) {
        const float *t = targets + (size_t)s * MODEL_N_TARGETS;
        long k = 0;
        if (MODEL_N_TARGETS > 1) {
            for (int j = 1; j < MODEL_N_TARGETS; j++)
                k = t[j] > t[k] ? j : k;
        } else {
            k = t[0] > -1.0f && t[0] < (float)MODEL_N_CLASSES + 1.0f ? lrintf(t[0]) : -1;
        }
        w[s] = k >= 0 && k < MODEL_N_CLASSES ? cw[k] : 1.0f;
    }
}

/* ---- settings a resumed run must share ----------------------------------- */

/* The shortest text that reads back as v: exact, and 0.07 not
 * 0.070000000000000007 (buf holds 32). */
static const char *num(double v, char *buf)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

static size_t describe_cb(int i, const rt_callback *cb, char *buf, size_t len)
{
    char name[32], base[160], b[32] = "none", d[32], f[32], lr[32];
    if (cb->has_baseline)
        num(cb->baseline, b);
    snprintf(base, sizeof base, "%s(monitor=%s, mode=%s", cb_names[i],
             monitor_name(cb->monitor, name, sizeof name), mode_names[cb->mode]);
    if (i == RT_CB_EARLY_STOPPING)
        return (size_t)snprintf(buf, len, "%s, min_delta=%s, patience=%d, baseline=%s, "
                                "restore_best_weights=%s, start_from_epoch=%d)", base, num(cb->min_delta, d),
                                cb->patience, b, cb->flag ? "true" : "false", cb->start_from_epoch);
    if (i == RT_CB_REDUCE_LR)
        return (size_t)snprintf(buf, len, "%s, factor=%s, patience=%d, min_delta=%s, cooldown=%d, "
                                "min_lr=%s)", base, num(cb->factor, f), cb->patience, num(cb->min_delta, d),
                                cb->cooldown, num(cb->min_lr, lr));
    return (size_t)snprintf(buf, len, "%s, save_best_only=%s, initial_value_threshold=%s)", base,
                            cb->flag ? "true" : "false", b);
}

void rt_fit_describe(double validation_split, const rt_callback *cb, char *buf, size_t len)
{
    size_t at = 0;
    char v[32];
    buf[0] = 0;
    if (validation_split > 0)
        at += (size_t)snprintf(buf, len, "validation_split=%s", num(validation_split, v));
    for (int i = 0; i < RT_N_CALLBACKS && at + 2 < len; i++)
        if (cb[i].on && cb[i].mode >= RT_MODE_AUTO && cb[i].mode <= RT_MODE_MAX &&
            cb[i].monitor >= RT_MON_LOSS && cb[i].monitor <= RT_MON_VAL_METRIC) {
            if (at)
                at += (size_t)snprintf(buf + at, len - at, ", ");
            at += describe_cb(i, &cb[i], buf + at, at < len ? len - at : 0);
        }
}

/* Over every class's weight as float32, 1 for no class_weight: no weights
 * and all 1 are the same arithmetic, and have the same CRC. */
uint32_t rt_class_weight_crc(const rt_config *c)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    for (int k = 0; k < MODEL_N_CLASSES; k++) {
        const float w = c->class_weight ? c->class_weight[k] : 1.0f;
        crc = crc32(crc, (const Bytef *)&w, sizeof w);
    }
    return (uint32_t)crc;
}

/* ---- the callbacks ------------------------------------------------------- */

void rt_fit_begin(const rt_config *c, rt_fit_state *s)
{
    const rt_callback *mc = &c->cb[RT_CB_CHECKPOINT];
    memset(s, 0, sizeof *s);
    s->lr = c->lr;
    /* ModelCheckpoint's initial_value_threshold is its first "best" */
    s->m[RT_CB_CHECKPOINT].has_best = mc->has_baseline;
    s->m[RT_CB_CHECKPOINT].best = mc->has_baseline ? mc->baseline : 0.0;
}

/* mode auto: Keras 3 takes the direction of the named metric (accuracy
 * rises, loss and mae fall; Keras before 3.11: "acc" in the name rises). */
static int maximize(const rt_callback *cb)
{
    if (cb->mode != RT_MODE_AUTO)
        return cb->mode == RT_MODE_MAX;
    return (cb->monitor == RT_MON_METRIC || cb->monitor == RT_MON_VAL_METRIC) &&
           MODEL_TASK != RT_TASK_REGRESSION;
}

/* MonitorCallback._is_improvement: no reference yet (None) always
 * improves; else monitor_op(current - min_delta, reference) with min_delta
 * = -|min_delta| for a falling quantity (current - -d is current + d). */
static int improves(const rt_callback *cb, double current, int has_ref, double ref)
{
    const double d = fabs(cb->min_delta);
    if (!has_ref)
        return 1;
    return maximize(cb) ? current - d > ref : current + d < ref;
}

/* EarlyStopping.on_epoch_end */
static void early_stopping(const rt_callback *cb, rt_fit_state *s, int epoch, double current,
                           const float *params, float *best)
{
    rt_monitor *m = &s->m[RT_CB_EARLY_STOPPING];
    const size_t P = sizeof(float) * MODEL_N_PARAMS;
    if (epoch < cb->start_from_epoch)
        return;
    if (cb->flag && !s->has_best_weights)   /* the first monitored weights are the best so far */
        memcpy(best, params, P), s->has_best_weights = 1, m->best_epoch = epoch;
    m->wait++;
    if (improves(cb, current, m->has_best, m->best)) {
        m->best = current, m->has_best = 1, m->best_epoch = epoch;
        if (cb->flag)
            memcpy(best, params, P);
        /* the wait restarts only when the baseline is beaten too */
        if (!cb->has_baseline || improves(cb, current, 1, cb->baseline))
            m->wait = 0;
        return;
    }
    if (m->wait >= cb->patience && epoch > 0)
        s->stop = 1, s->stopped_epoch = epoch;
}

/* ReduceLROnPlateau.on_epoch_end.  Keras's learning rate is a float32
 * variable: it reads old_lr from it, compares with float32(min_lr), and
 * the new rate max(old_lr * factor, min_lr) is stored as float32. */
static void reduce_lr(const rt_callback *cb, rt_fit_state *s, double current, char *note, size_t len)
{
    rt_monitor *m = &s->m[RT_CB_REDUCE_LR];
    if (m->cooldown > 0)
        m->cooldown--, m->wait = 0;
    if (improves(cb, current, m->has_best, m->best)) {
        m->best = current, m->has_best = 1, m->wait = 0;
        return;
    }
    if (m->cooldown > 0 || ++m->wait < cb->patience)
        return;
    const double old = (float)s->lr;
    if (!(old > (double)(float)cb->min_lr))
        return;
    const double lr = old * cb->factor;
    s->lr = (float)(lr > cb->min_lr ? lr : cb->min_lr);
    m->cooldown = cb->cooldown, m->wait = 0;
    snprintf(note + strlen(note), len - strlen(note), " - ReduceLROnPlateau: learning_rate %.6g", s->lr);
}

/* ModelCheckpoint(save_weights_only=True) at an epoch end: the weights,
 * atomically, when the monitored value improves (save_best_only) or
 * always. */
static int model_checkpoint(const rt_config *c, rt_fit_state *s, double current, const float *params,
                            char *note, size_t len)
{
    const rt_callback *cb = &c->cb[RT_CB_CHECKPOINT];
    rt_monitor *m = &s->m[RT_CB_CHECKPOINT];
    char err[512], name[32];
    const size_t at = strlen(note);
    if (cb->flag) {
        if (!improves(cb, current, m->has_best, m->best))
            return 0;
        m->best = current, m->has_best = 1;
    }
    /* with MPI rank 0 alone writes (every rank holds the same weights) */
    if (rt_mpi_rank() == 0 && rt_weights_save(c->save_best, params, err, sizeof err))
        return fprintf(stderr, "\n%s\n", err), -1;
    if (cb->flag)
        snprintf(note + at, len - at, " - %s improved to %.5f, saved %s",
                 monitor_name(cb->monitor, name, sizeof name), current, c->save_best);
    else
        snprintf(note + at, len - at, " - saved %s", c->save_best);
    return 0;
}

/* The monitored quantity from the epoch's logs; 0 when absent. */
static int monitored(int monitor, const rt_metrics *tm, const rt_metrics *vm, double *v)
{
    const rt_metrics *from = monitor >= RT_MON_VAL_LOSS ? vm : tm;
    if (!from)
        return 0;
    *v = monitor == RT_MON_LOSS || monitor == RT_MON_VAL_LOSS ? from->loss : from->metric;
    return 1;
}

int rt_fit_epoch_end(const rt_config *c, rt_fit_state *s, int epoch, const rt_metrics *tm,
                     const rt_metrics *vm, const float *params, float *best, char *note, size_t len)
{
    double v;
    note[0] = 0;
    if (c->cb[RT_CB_EARLY_STOPPING].on && monitored(c->cb[RT_CB_EARLY_STOPPING].monitor, tm, vm, &v))
        early_stopping(&c->cb[RT_CB_EARLY_STOPPING], s, epoch, v, params, best);
    if (c->cb[RT_CB_REDUCE_LR].on && monitored(c->cb[RT_CB_REDUCE_LR].monitor, tm, vm, &v))
        reduce_lr(&c->cb[RT_CB_REDUCE_LR], s, v, note, len);
    if (c->cb[RT_CB_CHECKPOINT].on && monitored(c->cb[RT_CB_CHECKPOINT].monitor, tm, vm, &v) &&
        model_checkpoint(c, s, v, params, note, len))
        return -1;
    return 0;
}

/* EarlyStopping.on_train_end: Keras 3 restores the best weights whenever
 * restore_best_weights is set and it has some, stopped early or not. */
void rt_fit_end(const rt_config *c, const rt_fit_state *s, float *params, const float *best)
{
    if (s->stop && !c->quiet)
        printf("Epoch %d: early stopping\n", s->stopped_epoch + 1);
    if (!c->cb[RT_CB_EARLY_STOPPING].on || !c->cb[RT_CB_EARLY_STOPPING].flag || !s->has_best_weights)
        return;
    memcpy(params, best, sizeof(float) * MODEL_N_PARAMS);
    if (!c->quiet)
        printf("Restoring model weights from the end of the best epoch: %d.\n",
               s->m[RT_CB_EARLY_STOPPING].best_epoch + 1);
}
