/* optim.c - the optimizers and learning-rate schedules of Keras 3, in the
 * order and form Keras applies them (keras/src/optimizers/: base_optimizer.py
 * apply(), then each optimizer's update_step(); schedules/
 * learning_rate_schedule.py).  templates/SEMANTICS.md ("Optimizers") has
 * every formula with its source.
 *
 * One step (Keras BaseOptimizer._backend_apply_gradients):
 *   lr = schedule(t), t = iterations done so far;
 *   clip the gradient: clipnorm (each tensor), global_clipnorm (all), or
 *   clipvalue (each element) -- Keras allows one of them;
 *   weight decay, decoupled: w -= w * weight_decay * lr;
 *   the optimizer's update with lr; t += 1.
 * Only trainable tensors take part (Keras's optimizer never sees batch
 * normalization's moving statistics): not in the norms, not decayed, not
 * updated.
 *
 * Arithmetic: elementwise in float, as Keras's float32 variables; the
 * per-step scalars (the learning rate, bias corrections, clipping scales)
 * in double, then rounded to float.  Every element is updated by itself, so
 * any split across threads gives the same bits; the norms for clipping are
 * summed in double in a fixed order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static const char *const names[RT_N_OPTIMIZERS] = {"sgd", "rmsprop", "adam", "adamw", "adagrad", "nadam"};

const char *rt_optim_name(int kind)
{
    return kind >= 0 && kind < RT_N_OPTIMIZERS ? names[kind] : "unknown";
}

int rt_optim_slots(const rt_optim_config *c)
{
    switch (c->kind) {
    case RT_SGD: return c->momentum != 0.0;                     /* momentums (if momentum) */
    case RT_RMSPROP: return 1 + (c->momentum > 0.0) + !!c->centered;  /* velocities, momentums, average_gradients */
    case RT_ADAM: case RT_ADAMW: return 2 + !!c->amsgrad;       /* momentums, velocities, velocity_hats */
    case RT_ADAGRAD: return 1;                                  /* accumulators */
    case RT_NADAM: return 2;                                    /* momentums, velocities */
    default: return 0;
    }
}

size_t rt_optim_state_bytes(const rt_optim *o)
{
    return sizeof(float) * (size_t)o->n * (size_t)o->n_slots;
}

void rt_optim_free(rt_optim *o)
{
    for (int s = 0; s < RT_OPTIM_MAX_SLOTS; s++)
        free(o->slot[s]), o->slot[s] = NULL;
    free(o->tensors), free(o->scale);
    o->tensors = NULL, o->scale = NULL;
    o->n_slots = o->n_tensors = 0;
}

int rt_optim_init(rt_optim *o, const rt_optim_config *c, long n, const rt_optim_tensor *tensors,
                  int n_tensors)
{
    memset(o, 0, sizeof *o);
    o->c = *c;
    o->n = n;
    o->u_product = 1.0;
    o->n_slots = rt_optim_slots(c);
    o->n_tensors = tensors ? n_tensors : 1;
    o->tensors = malloc(sizeof *o->tensors * (size_t)(o->n_tensors > 0 ? o->n_tensors : 1));
    o->scale = malloc(sizeof *o->scale * (size_t)(o->n_tensors > 0 ? o->n_tensors : 1));
    if (!o->tensors || !o->scale || c->kind < 0 || c->kind >= RT_N_OPTIMIZERS)
        return rt_optim_free(o), -1;
    if (tensors)
        memcpy(o->tensors, tensors, sizeof *o->tensors * (size_t)n_tensors);
    else
        o->tensors[0] = (rt_optim_tensor){0, n, 1};
    for (int s = 0; s < o->n_slots; s++)
        if (!(o->slot[s] = calloc((size_t)n + 1, sizeof(float))))
            return rt_optim_free(o), -1;
    if (c->kind == RT_ADAGRAD)   /* Keras: initializers.Constant(initial_accumulator_value) */
        for (long i = 0; i < n; i++)
            o->slot[0][i] = (float)c->initial_accumulator_value;
    return 0;
}

/* ---- learning-rate schedules -------------------------------------------- */

/* CosineDecay._decay_function */
static double cosine(double step, double decay_steps, double from, double alpha)
{
    const double decayed = (1.0 - alpha) * (0.5 * (1.0 + cos(3.14159265358979323846 * (step / decay_steps)))) + alpha;
    return from * decayed;
}

double rt_optim_lr(const rt_optim_config *c, long step)
{
    double s = (double)step, p;
    int i = 0;
    switch (c->schedule) {
    case RT_LR_EXPONENTIAL:     /* ExponentialDecay */
        p = s / c->decay_steps;
        if (c->staircase)
            p = floor(p);
        return c->lr * pow(c->decay_rate, p);
    case RT_LR_PIECEWISE:       /* PiecewiseConstantDecay: values[i] for b[i-1] < step <= b[i] */
        while (i < c->n_boundaries && s > c->boundaries[i])
            i++;
        return c->values[i];
    case RT_LR_COSINE:          /* CosineDecay, with the optional linear warmup */
        if (!c->has_warmup_target)
            return cosine(fmin(s, c->decay_steps), c->decay_steps, c->lr, c->alpha);
        s = fmin(s, c->decay_steps + c->warmup_steps);
        if (s < c->warmup_steps)
            return (c->warmup_target - c->lr) * (s / c->warmup_steps) + c->lr;
        return cosine(s - c->warmup_steps, c->decay_steps, c->warmup_target, c->alpha);
    default:
        return c->lr;
    }
}

/* ---- one step ------------------------------------------------------------ */

/* The step's scalars, shared by every element. */
typedef struct coef {
    float lr, a, b, c, d, e, eps, wd;
} coef;

static double sum_squares(const float *g, long n)
{
    double s = 0.0;
    for (long i = 0; i < n; i++)
        s += (double)g[i] * (double)g[i];
    return s;
}

/* The gradient as clipped: scale (clipnorm, global_clipnorm) then bound
 * (clipvalue); scale 1 and bound infinity leave it exactly as it is. */
#define G(i) fminf(fmaxf(g[i] * scale, -bound), bound)

/* Update elements [off, off + len) of a trainable tensor. */
static void update(rt_optim *o, const coef *k, float *restrict w, const float *restrict g,
                   long off, long len, float scale, float bound)
{
    const rt_optim_config *c = &o->c;
    float *restrict s0 = o->slot[0], *restrict s1 = o->slot[1], *restrict s2 = o->slot[2];
    const long end = off + len;
    if (k->wd != 0.0f) {
        /* BaseOptimizer._apply_weight_decay: variable - variable * wd * lr */
        #pragma omp for schedule(static) nowait
        for (long i = off; i < end; i++)
            w[i] -= w[i] * k->wd;
    }
    switch (c->kind) {
    case RT_SGD:
        if (!s0) {      /* w -= g * lr */
            #pragma omp for schedule(static) nowait
            for (long i = off; i < end; i++)
                w[i] -= G(i) * k->lr;
        } else {        /* m = m * momentum - g * lr; w += m, or nesterov: w += m * momentum - g * lr */
            const float mom = k->a;
            const int nesterov = c->nesterov;
            #pragma omp for schedule(static) nowait
            for (long i = off; i < end; i++) {
                const float gi = G(i);
                s0[i] = s0[i] * mom - gi * k->lr;
                w[i] += nesterov ? s0[i] * mom - gi * k->lr : s0[i];
            }
        }
        break;
    case RT_RMSPROP: {  /* a = rho, b = 1 - rho, c = momentum */
        float *mo = c->momentum > 0.0 ? s1 : NULL, *avg = c->centered ? (mo ? s2 : s1) : NULL;
        #pragma omp for schedule(static) nowait
        for (long i = off; i < end; i++) {
            const float gi = G(i);
            s0[i] = k->a * s0[i] + k->b * (gi * gi);
            float den;
            if (avg) {
                avg[i] = k->a * avg[i] + k->b * gi;
                den = s0[i] - avg[i] * avg[i] + k->eps;
            } else {
                den = s0[i] + k->eps;
            }
            const float inc = k->lr * gi / sqrtf(den);
            if (mo) {
                mo[i] = k->c * mo[i] + inc;
                w[i] -= mo[i];
            } else {
                w[i] -= inc;
            }
        }
        break;
    }
    case RT_ADAM: case RT_ADAMW: {  /* a = beta_1, b = beta_2, c = alpha */
        const float b1 = k->a, b2 = k->b, alpha = k->c, eps = k->eps;
        const int ams = c->amsgrad;
        if (!ams && scale == 1.0f && bound == INFINITY) {
            /* the usual case, unclipped, in a loop the compiler makes
             * vectors of (clipping's fminf/fmaxf keep the one below scalar) */
            #pragma omp for schedule(static) nowait
            for (long i = off; i < end; i++) {
                const float gi = g[i];
                s0[i] = b1 * s0[i] + (1.0f - b1) * gi;
                s1[i] = b2 * s1[i] + (1.0f - b2) * gi * gi;
                w[i] -= alpha * s0[i] / (sqrtf(s1[i]) + eps);
            }
            break;
        }
        #pragma omp for schedule(static) nowait
        for (long i = off; i < end; i++) {
            const float gi = G(i);
            s0[i] = b1 * s0[i] + (1.0f - b1) * gi;
            s1[i] = b2 * s1[i] + (1.0f - b2) * gi * gi;
            float v = s1[i];
            if (ams)
                v = s2[i] = fmaxf(s2[i], v);
            w[i] -= alpha * s0[i] / (sqrtf(v) + eps);
        }
        break;
    }
    case RT_ADAGRAD:    /* acc += g^2; w -= lr * g / sqrt(acc + eps) */
        #pragma omp for schedule(static) nowait
        for (long i = off; i < end; i++) {
            const float gi = G(i);
            s0[i] += gi * gi;
            w[i] -= k->lr * gi / sqrtf(s0[i] + k->eps);
        }
        break;
    case RT_NADAM: {    /* a = beta_1, b = beta_2, c, d: m_hat's, e: 1 / (1 - beta_2^t) */
        const float b1 = k->a, b2 = k->b;
        #pragma omp for schedule(static) nowait
        for (long i = off; i < end; i++) {
            const float gi = G(i);
            s0[i] = b1 * s0[i] + (1.0f - b1) * gi;
            s1[i] = b2 * s1[i] + (1.0f - b2) * gi * gi;
            const float m_hat = k->c * s0[i] + k->d * gi, v_hat = s1[i] * k->e;
            w[i] -= m_hat * k->lr / (sqrtf(v_hat) + k->eps);
        }
        break;
    }
    }
}
#undef G

void rt_optim_step(rt_optim *o, float *w, const float *g)
{
    const rt_optim_config *c = &o->c;
    const double lr = rt_optim_lr(c, o->t), t = (double)(o->t + 1);   /* Keras local_step */
    coef k = {(float)lr, 0, 0, 0, 0, 0, (float)c->epsilon, (float)(c->weight_decay * lr)};
    switch (c->kind) {
    case RT_SGD:
        k.a = (float)c->momentum;
        break;
    case RT_RMSPROP:
        k.a = (float)c->rho, k.b = (float)(1.0 - c->rho), k.c = (float)c->momentum;
        break;
    case RT_ADAM: case RT_ADAMW:
        k.a = (float)c->beta_1, k.b = (float)c->beta_2;
        k.c = (float)(lr * sqrt(1.0 - pow(c->beta_2, t)) / (1.0 - pow(c->beta_1, t)));
        break;
    case RT_NADAM: {
        const double u_t = c->beta_1 * (1.0 - 0.5 * pow(0.96, t));
        const double u_t1 = c->beta_1 * (1.0 - 0.5 * pow(0.96, t + 1.0));
        o->u_product *= u_t;
        const double u_product_1 = o->u_product * u_t1;
        k.a = (float)c->beta_1, k.b = (float)c->beta_2;
        k.c = (float)(u_t1 / (1.0 - u_product_1));
        k.d = (float)((1.0 - u_t) / (1.0 - o->u_product));
        k.e = (float)(1.0 / (1.0 - pow(c->beta_2, t)));
        break;
    }
    }
    /* clipping: a scale per tensor (BaseOptimizer._clip_gradients) */
    const float bound = c->clipvalue > 0.0 ? (float)c->clipvalue : INFINITY;
    double global = 1.0;
    if (c->global_clipnorm > 0.0) {   /* clip_by_global_norm */
        double ss = 0.0;
        for (int j = 0; j < o->n_tensors; j++)
            if (o->tensors[j].trainable)
                ss += sum_squares(g + o->tensors[j].offset, o->tensors[j].size);
        global = c->global_clipnorm * fmin(1.0 / sqrt(ss), 1.0 / c->global_clipnorm);
    }
    for (int j = 0; j < o->n_tensors; j++) {
        const rt_optim_tensor *T = &o->tensors[j];
        double sj = global;
        if (c->clipnorm > 0.0 && T->trainable)   /* _clip_by_norm */
            sj = c->clipnorm / fmax(sqrt(sum_squares(g + T->offset, T->size)), c->clipnorm);
        o->scale[j] = (float)sj;
    }
    #pragma omp parallel
    for (int j = 0; j < o->n_tensors; j++)
        if (o->tensors[j].trainable)
            update(o, &k, w, g, o->tensors[j].offset, o->tensors[j].size, o->scale[j], bound);
    o->t++;
}

/* ---- description, for checkpoints and messages --------------------------- */

#define ADD(...) (at += (size_t)snprintf(buf + at, at < len ? len - at : 0, __VA_ARGS__))
/* Shortest text that reads back as the same double, so that two
 * descriptions are equal exactly when the numbers are. */
typedef struct numbuf { char b[8][32]; int k; } numbuf;

static const char *num(double v, numbuf *nb)
{
    char *b = nb->b[nb->k++ & 7];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(b, 32, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    return b;
}
#define NUM(v) num(v, &nb)

void rt_optim_describe(const rt_optim_config *c, char *buf, size_t len)
{
    numbuf nb = {.k = 0};
    size_t at = 0;
    if (!len)
        return;
    buf[0] = 0;
    ADD("%s(learning_rate=", rt_optim_name(c->kind));
    switch (c->schedule) {
    case RT_LR_EXPONENTIAL:
        ADD("exponential_decay(initial_learning_rate=%s, decay_steps=%s, decay_rate=%s, "
            "staircase=%s)", NUM(c->lr), NUM(c->decay_steps), NUM(c->decay_rate), c->staircase ? "true" : "false");
        break;
    case RT_LR_PIECEWISE:
        ADD("piecewise_constant_decay(boundaries=[");
        for (int i = 0; i < c->n_boundaries; i++)
            ADD("%s%s", i ? ", " : "", NUM(c->boundaries[i]));
        ADD("], values=[");
        for (int i = 0; i <= c->n_boundaries; i++)
            ADD("%s%s", i ? ", " : "", NUM(c->values[i]));
        ADD("])");
        break;
    case RT_LR_COSINE:
        ADD("cosine_decay(initial_learning_rate=%s, decay_steps=%s, alpha=%s, ",
            NUM(c->lr), NUM(c->decay_steps), NUM(c->alpha));
        if (c->has_warmup_target)
            ADD("warmup_target=%s, ", NUM(c->warmup_target));
        else
            ADD("warmup_target=none, ");
        ADD("warmup_steps=%s)", NUM(c->warmup_steps));
        break;
    default:
        ADD("%s", NUM(c->lr));
    }
    switch (c->kind) {
    case RT_SGD:
        ADD(", momentum=%s, nesterov=%s", NUM(c->momentum), c->nesterov ? "true" : "false");
        break;
    case RT_RMSPROP:
        ADD(", rho=%s, momentum=%s, epsilon=%s, centered=%s", NUM(c->rho), NUM(c->momentum),
            NUM(c->epsilon), c->centered ? "true" : "false");
        break;
    case RT_ADAM: case RT_ADAMW:
        ADD(", beta_1=%s, beta_2=%s, epsilon=%s, amsgrad=%s", NUM(c->beta_1), NUM(c->beta_2),
            NUM(c->epsilon), c->amsgrad ? "true" : "false");
        break;
    case RT_ADAGRAD:
        ADD(", initial_accumulator_value=%s, epsilon=%s", NUM(c->initial_accumulator_value), NUM(c->epsilon));
        break;
    case RT_NADAM:
        ADD(", beta_1=%s, beta_2=%s, epsilon=%s", NUM(c->beta_1), NUM(c->beta_2), NUM(c->epsilon));
        break;
    }
    if (c->weight_decay > 0.0)
        ADD(", weight_decay=%s", NUM(c->weight_decay));
    if (c->clipnorm > 0.0)
        ADD(", clipnorm=%s", NUM(c->clipnorm));
    if (c->clipvalue > 0.0)
        ADD(", clipvalue=%s", NUM(c->clipvalue));
    if (c->global_clipnorm > 0.0)
        ADD(", global_clipnorm=%s", NUM(c->global_clipnorm));
    ADD(")");
}
