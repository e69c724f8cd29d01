/* test_gradcheck.c - the generated backward pass against finite
 * differences of the generated forward pass, for one model (built with
 * -DRT_MODEL_HEADER='"NAME.h"').  Every parameter is checked.
 *
 * The loss is computed in float, so a central difference with step h has
 * an error of about eps_float*|L|/h from rounding plus h^2 from curvature.
 * Each gradient is checked with two steps (1e-2 and 3e-3): it passes when
 * either agrees within 1e-2 relative (floor 1e-3).  A wrong backward is
 * off by O(1) relative and fails both.
 *
 * The loss is the training loss: the mean cross-entropy of forward(train =
 * 1) -- batch normalization with the batch's statistics, a function of every
 * weight -- plus model_penalty() (regularizers), and the gradient is
 * backward() plus model_penalty(params, grads).  The moving statistics take
 * no part in it: both gradients are 0 there.  (An l1 term's finite
 * difference is off by up to l1 where |w| < h, so grad specs use l1 <= 5e-4,
 * under the 1e-3 floor.) */
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

#define N 3
#define KEY 12345u

static float *act, *dact, *params, *grads;
static float targets[N * MODEL_N_TARGETS];

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

static void set_input(void)
{
    uint64_t s = 99;
    for (int i = 0; i < N * MODEL_N_INPUT; i++)
        act[i] = (float)(lcg(&s) % 1000) / 1000.0f;
}

static double loss_at(void)
{
    set_input();
    model_forward(params, act, N, 1, KEY);
    return model_loss(act, targets, NULL, N, 1.0f / N, NULL, NULL) / N + model_penalty(params, NULL);
}

static int setup(void **state)
{
    (void)state;
    act = malloc(sizeof(float) * MODEL_ARENA_FLOATS(N));
    dact = malloc(sizeof(float) * MODEL_ARENA_FLOATS(N));
    params = malloc(sizeof(float) * MODEL_N_PARAMS);
    grads = calloc(MODEL_N_PARAMS, sizeof(float));
    uint64_t s = 7;
    model_init(params, 3);
    for (int t = 0; t < MODEL_N_TENSORS; t++) {   /* non-zero biases (and betas) too */
        const model_tensor *T = &model_tensors[t];
        if (T->rank != 1 || !T->trainable)        /* moving statistics: as model_init set them */
            continue;
        const size_t len = strlen(T->name);
        const float base = len >= 6 && !strcmp(T->name + len - 6, "/gamma") ? 1.0f : 0.0f;
        for (long i = 0; i < T->size; i++)
            params[T->offset + i] = base + (float)((int)(lcg(&s) % 200) - 100) / 500.0f;
    }
    /* targets of the loss's kind: a class index (sparse), soft labels
     * summing to 1 (categorical), 0/1 labels (binary), values around 0
     * (regression: some beyond huber's delta) */
    for (int i = 0; i < N; i++) {
        float *t = targets + i * MODEL_N_TARGETS, sum = 0.0f;
        for (int k = 0; k < MODEL_N_TARGETS; k++) {
            const uint64_t r = lcg(&s);
            t[k] = MODEL_LOSS == 0 ? (float)(r % MODEL_N_CLASSES)
                 : MODEL_LOSS == 1 ? (float)(r % 100 + 1)
                 : MODEL_LOSS == 2 ? (float)(r % 2)
                 : (float)((int)(r % 4000) - 2000) / 1000.0f;
            sum += t[k];
        }
        for (int k = 0; MODEL_LOSS == 1 && k < MODEL_N_TARGETS; k++)
            t[k] /= sum;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(act), free(dact), free(params), free(grads);
    return 0;
}

static double numeric(long i, float h)
{
    const float w = params[i];
    params[i] = w + h;
    double up = loss_at();
    params[i] = w - h;
    double down = loss_at();
    params[i] = w;
    return (up - down) / ((double)(w + h) - (double)(w - h));  /* the step as stored */
}

static int close_enough(double a, double n)
{
    return fabs(a - n) <= 1e-3 + 1e-2 * fabs(n);
}

static void test_gradients(void **state)
{
    (void)state;
    set_input();
    model_forward(params, act, N, 1, KEY);
    model_loss(act, targets, NULL, N, 1.0f / N, dact, NULL);
    model_backward(params, grads, act, dact, N);
    model_penalty(params, grads);
    int bad = 0, nonzero = 0;
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *T = &model_tensors[t];
        double worst = 0.0;
        if (!T->trainable) {
            /* moving statistics, a frozen layer's weights: the optimizer
             * never reads their gradient; what passes through the layer is
             * checked upstream */
            printf("  %-28s %6ld values, not trainable: not checked\n", T->name, T->size);
            continue;
        }
        for (long i = 0; i < T->size; i++) {
            const long at = T->offset + i;
            const double a = grads[at];
            double n1 = numeric(at, 1e-2f), n2 = n1;
            if (!close_enough(a, n1))
                n2 = numeric(at, 3e-3f);
            nonzero += fabs(a) > 1e-6;
            double err = fabs(a - n2) / (1e-3 + fabs(n2));
            worst = err > worst ? err : worst;
            if (!close_enough(a, n1) && !close_enough(a, n2) && bad++ < 10)
                printf("%s[%ld]: backward %.6g, finite difference %.6g / %.6g\n",
                       T->name, i, a, n1, n2);
        }
        printf("  %-28s %6ld values, worst relative error %.2e\n", T->name, T->size, worst);
    }
    assert_int_equal(bad, 0);
    assert_true(nonzero > MODEL_N_PARAMS / 4);   /* the check saw real gradients */
}

/* The same key gives the same dropout mask; train=0 is deterministic and
 * differs from train=1 only through dropout. */
static void test_forward_deterministic(void **state)
{
    (void)state;
    double a = loss_at(), b = loss_at();
    assert_true(a == b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_deterministic),
        cmocka_unit_test(test_gradients),
    };
    printf("gradient check of %s\n", MODEL_NAME);
    return cmocka_run_group_tests(tests, setup, teardown);
}
