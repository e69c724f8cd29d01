/* test_dropout.c - the real dropout of a generated model (built against
 * specs/mlp.yaml: dense_1 -> dropout_1 rate 0.2): the share dropped, the
 * scale of the kept values, identity at inference, and masks that depend
 * on the key and on nothing else. */
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

#define N 64

static int find(const char *name)
{
    for (int i = 0; i < MODEL_N_LAYERS; i++)
        if (!strcmp(model_layers[i].name, name))
            return i;
    fail_msg("no layer %s", name);
    return -1;
}

static float *run(const float *params, int train, uint64_t key)
{
    float *act = calloc(MODEL_ARENA_FLOATS(N), sizeof(float));   /* the arena compared whole below */
    for (int i = 0; i < N * MODEL_N_INPUT; i++)
        act[i] = (float)((i * 7919) % 256) / 255.0f;
    model_forward(params, act, N, train, key);
    return act;
}

static void test_dropout_statistics(void **state)
{
    (void)state;
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    model_init(params, 5);
    const model_layer *in = &model_layers[find("dense_1")], *out = &model_layers[find("dropout_1")];
    float *a = run(params, 1, 77), *b = run(params, 1, 77), *c = run(params, 1, 78), *d = run(params, 0, 77);
    float *x = malloc(sizeof(float) * N * in->size), *y = malloc(sizeof(float) * N * out->size);
    float *yc = malloc(sizeof(float) * N * out->size), *yd = malloc(sizeof(float) * N * out->size);
    model_layer_output(a, N, (int)(in - model_layers), x);
    model_layer_output(a, N, (int)(out - model_layers), y);
    model_layer_output(c, N, (int)(out - model_layers), yc);
    model_layer_output(d, N, (int)(out - model_layers), yd);
    long total = in->size * N, dropped = 0, live = 0, differ = 0;
    for (long i = 0; i < total; i++) {
        live += x[i] != 0.0f;
        if (x[i] == 0.0f)
            continue;
        if (y[i] == 0.0f)
            dropped++;
        else
            assert_true(y[i] == x[i] * 1.25f);          /* 1 / (1 - 0.2) */
        differ += yc[i] != y[i];
        assert_true(yd[i] == x[i]);                    /* inference: identity */
    }
    double share = (double)dropped / (double)live, sigma = sqrt(0.2 * 0.8 / (double)live);
    printf("dropped %ld of %ld live values: %.4f (rate 0.2, 4 sigma = %.4f)\n", dropped, live, share, 4 * sigma);
    assert_true(live > 1000);
    assert_true(fabs(share - 0.2) < 4 * sigma);
    assert_memory_equal(a, b, sizeof(float) * MODEL_ARENA_FLOATS(N));  /* same key, same masks */
    assert_true(differ > live / 10);                                    /* new key, new masks */
    free(a), free(b), free(c), free(d), free(params), free(x), free(y), free(yc), free(yd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dropout_statistics)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
