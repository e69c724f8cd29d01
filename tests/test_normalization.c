/* test_normalization.c - the normalization layer (Keras 3
 * keras.layers.Normalization) and runtime/adapt.c, for one model (built
 * with -DRT_MODEL_HEADER='"NAME.h"'): tests/specs/grad/grad_norm.yaml
 * (ranks 3, 2, 1, a pooling before an adapted layer, axis null) and
 * tests/specs/norm/norm_keras.yaml (Keras's own docstring examples).
 *
 * adapt() is checked against statistics computed here another way: each
 * adapted layer's input over the whole set (the data itself for the first,
 * else one forward pass of all samples), then a two-pass mean and
 * population variance in long double, rounded to float: adapt.c's chunked
 * double sums merged in order must give the same floats (1 ulp).  The
 * forward pass of each adapted layer is checked against
 * (x - mean) / max(sqrt(variance), 1e-7) (invert: mean + x * ...) in float,
 * within 1e-6 relative.  Then: uint8 data is scaled by 1/255 first, a
 * constant feature gets variance 0 and the epsilon, the result does not
 * depend on the thread count, and an empty set is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "model.h"
#include "rt.h"

#define N 300   /* 4 chunks of adapt.c's 64 and a partial one */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* N samples: float32 with a large offset on the first feature (a naive
 * float sum of squares would lose it), or uint8 with a constant feature. */
static rt_dataset make_set(int u8)
{
    rt_dataset d;
    memset(&d, 0, sizeof d);
    d.n = N;
    d.rank = 1;
    d.dims[0] = MODEL_N_INPUT;
    d.size = MODEL_N_INPUT;
    d.src = "test";
    uint64_t s = 5;
    if (u8) {
        d.pix = malloc((size_t)N * MODEL_N_INPUT);
        for (long i = 0; i < (long)N * MODEL_N_INPUT; i++)
            d.pix[i] = i % MODEL_IN_C == MODEL_IN_C - 1 ? 128 : (unsigned char)(lcg(&s) % 256);
    } else {
        d.xf = malloc(sizeof(float) * N * MODEL_N_INPUT);
        for (long i = 0; i < (long)N * MODEL_N_INPUT; i++) {
            const double u = (double)(lcg(&s) % 100000) / 100000.0;
            d.xf[i] = (float)(i % MODEL_IN_C == 0 ? 1000.0 + 0.5 * u : -3.0 + 4.0 * u * u);
        }
    }
    return d;
}

static void free_set(rt_dataset *d)
{
    free(d->pix), free(d->xf);
}

static const model_tensor *tensor_of(const char *layer, const char *part)
{
    char want[256];
    snprintf(want, sizeof want, "%s/%s", layer, part);
    for (int t = 0; t < MODEL_N_TENSORS; t++)
        if (!strcmp(model_tensors[t].name, want))
            return &model_tensors[t];
    return NULL;
}

/* The input of layer k ([n][size]) and its output, for all of d. */
static void layer_io(const float *params, const rt_dataset *d, int k, float **in, float **out, long *size)
{
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(d->n));
    for (long i = 0; i < (long)d->n * MODEL_N_INPUT; i++)
        act[i] = d->xf ? d->xf[i] : (float)d->pix[i] / 255.0f;
    *size = k ? model_layers[k - 1].size : MODEL_N_INPUT;
    *in = malloc(sizeof(float) * (size_t)(d->n * *size));
    *out = malloc(sizeof(float) * (size_t)(d->n * model_layers[k].size));
    if (k == 0)
        memcpy(*in, act, sizeof(float) * (size_t)(d->n * *size));
    model_forward(params, act, d->n, 0, 0);
    if (k > 0)
        model_layer_output(act, d->n, k - 1, *in);
    model_layer_output(act, d->n, k, *out);
    free(act);
}

static int ulp_close(float got, long double want)
{
    const float w = (float)want;
    return got == w || fabsf(got - w) <= fabsf(w) * 1.2e-7f + 1e-30f;
}

/* adapt(), then every adapted layer against the reference; returns the
 * number of adapted layers. */
static int check_adapted(const rt_dataset *d, float *params)
{
    char err[512];
    int adapted = 0;
    model_init(params, 1);
    assert_int_equal(rt_adapt(params, d, err, sizeof err), 0);
    for (int k = 0; k < MODEL_N_LAYERS; k++) {
        const model_layer *l = &model_layers[k];
        const model_tensor *tm = tensor_of(l->name, "mean"), *tv = tensor_of(l->name, "variance"),
                           *tc = tensor_of(l->name, "count");
        if (strcmp(l->kind, "Normalization") || !tm)
            continue;
        assert_non_null(tv);
        assert_non_null(tc);
        assert_false(tm->trainable || tv->trainable || tc->trainable);
        assert_int_equal(tc->rank, 0);
        adapted++;
        float *in, *out;
        long size;
        layer_io(params, d, k, &in, &out, &size);
        const long nf = tm->size, per = size / nf;
        assert_int_equal(size % nf, 0);
        assert_true(params[tc->offset] == (float)((double)d->n * per));
        for (long f = 0; f < nf; f++) {
            long double sum = 0.0L, sq = 0.0L;
            for (long e = f; e < d->n * size; e += nf)
                sum += in[e];
            const long double mean = sum / ((long double)d->n * per);
            for (long e = f; e < d->n * size; e += nf)
                sq += (in[e] - mean) * (in[e] - mean);
            const long double var = sq / ((long double)d->n * per);
            const float gm = params[tm->offset + f], gv = params[tv->offset + f];
            if (!ulp_close(gm, mean) || !ulp_close(gv, var))
                printf("%s feature %ld: adapt mean %.9g variance %.9g, reference %.9Lg %.9Lg\n",
                       l->name, f, gm, gv, mean, var);
            assert_true(ulp_close(gm, mean));
            assert_true(ulp_close(gv, var));
        }
        /* the forward pass: Keras's formula in float (invert: the tensor
         * name cannot tell, so either form must match everywhere) */
        int plain = 1, inverse = 1;
        for (long e = 0; e < d->n * size; e++) {
            const long f = e % nf;
            const float m = params[tm->offset + f], den = fmaxf(sqrtf(params[tv->offset + f]), 1e-7f);
            const float y1 = (in[e] - m) / den, y2 = fmaf(in[e], den, m);
            plain &= fabsf(out[e] - y1) <= 1e-6f * fmaxf(1.0f, fabsf(y1));
            inverse &= fabsf(out[e] - y2) <= 1e-6f * fmaxf(1.0f, fabsf(y2));
        }
        if (!plain && !inverse)
            printf("%s: the forward pass is neither (x - mean) / d nor mean + x * d\n", l->name);
        assert_true(plain || inverse);
        free(in), free(out);
    }
    return adapted;
}

static void test_adapt_float(void **state)
{
    (void)state;
    rt_dataset d = make_set(0);
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    assert_true(check_adapted(&d, params) >= 2);
    free(params);
    free_set(&d);
}

/* uint8 data is adapted to as the trainer feeds it (/ 255); the constant
 * last channel gets variance 0, and normalizes to exactly 0 through the
 * epsilon. */
static void test_adapt_u8_constant(void **state)
{
    (void)state;
    rt_dataset d = make_set(1);
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    assert_true(check_adapted(&d, params) >= 2);
    const model_tensor *tm = tensor_of(model_layers[0].name, "mean"), *tv = tensor_of(model_layers[0].name, "variance");
    if (tm && tm->size == MODEL_IN_C) {   /* the first layer, per channel */
        assert_true(params[tm->offset + MODEL_IN_C - 1] == 128.0f / 255.0f);
        assert_true(params[tv->offset + MODEL_IN_C - 1] == 0.0f);
        float *in, *out;
        long size;
        layer_io(params, &d, 0, &in, &out, &size);
        for (long e = MODEL_IN_C - 1; e < d.n * size; e += MODEL_IN_C)
            assert_true(out[e] == 0.0f);
        free(in), free(out);
        /* a value off the constant: divided by the epsilon, 1e-7 */
        d.pix[MODEL_IN_C - 1] = 129;
        layer_io(params, &d, 0, &in, &out, &size);
        assert_true(out[MODEL_IN_C - 1] == (129.0f / 255.0f - 128.0f / 255.0f) / 1e-7f);
        free(in), free(out);
    }
    free(params);
    free_set(&d);
}

/* The same bits with 1 and 4 threads; an empty set is refused. */
static void test_threads_and_errors(void **state)
{
    (void)state;
    char err[512];
    rt_dataset d = make_set(0);
    float *a = malloc(sizeof(float) * MODEL_N_PARAMS), *b = malloc(sizeof(float) * MODEL_N_PARAMS);
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    model_init(a, 1);
    assert_int_equal(rt_adapt(a, &d, err, sizeof err), 0);
#ifdef _OPENMP
    omp_set_num_threads(4);
#endif
    model_init(b, 1);
    assert_int_equal(rt_adapt(b, &d, err, sizeof err), 0);
    assert_memory_equal(a, b, sizeof(float) * MODEL_N_PARAMS);
    d.n = 0;
    assert_int_equal(rt_adapt(a, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "no training samples"));
    d.n = N;
    free(a), free(b);
    free_set(&d);
}

/* tests/specs/norm/norm_keras.yaml: the examples of Keras 3's
 * Normalization docstring, with the outputs Keras prints. */
static void test_keras_examples(void **state)
{
    (void)state;
#if MODEL_N_INPUT == 3
    static const float data[4][3] = {{0, 7, 4}, {2, 9, 6}, {0, 7, 4}, {2, 9, 6}};
    char err[512];
    rt_dataset d;
    memset(&d, 0, sizeof d);
    d.n = 4, d.rank = 1, d.dims[0] = 3, d.size = 3, d.src = "docstring";
    d.xf = malloc(sizeof data);
    memcpy(d.xf, data, sizeof data);
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    model_init(params, 1);
    assert_int_equal(rt_adapt(params, &d, err, sizeof err), 0);
    /* Normalization(axis=-1, invert=True).adapt(data): mean [1, 8, 5],
     * variance [1, 1, 1]; the spec's layer has no weights (Keras: none) */
    const model_tensor *m1 = tensor_of("normalization_1", "mean"), *v1 = tensor_of("normalization_1", "variance");
    assert_non_null(m1);
    assert_null(tensor_of("normalization_3", "mean"));
    assert_int_equal(MODEL_N_PARAMS - MODEL_N_TRAINABLE, 2 * 7);   /* 2 x (3 + 3 + 1), as Keras counts */
    static const float mean1[3] = {1, 8, 5}, ones[3] = {1, 1, 1};
    assert_memory_equal(params + m1->offset, mean1, sizeof mean1);
    assert_memory_equal(params + v1->offset, ones, sizeof ones);
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(2)), y[3];
    /* sample 0 [1, 2, 3]: layer(input) after invert = [2, 10, 8];
     * sample 1 [0, 7, 4] through both: the second layer, adapted to the
     * first's outputs (the data shifted by [1, 8, 5]), gives [-1, -1, -1] */
    static const float x[2][3] = {{1, 2, 3}, {0, 7, 4}}, want1[3] = {2, 10, 8}, want2[3] = {-1, -1, -1};
    memcpy(act, x, sizeof x);
    model_forward(params, act, 2, 0, 0);
    model_layer_output(act, 1, 0, y);
    assert_memory_equal(y, want1, sizeof y);
    float two[6];
    model_layer_output(act, 2, 1, two);
    assert_memory_equal(two + 3, want2, sizeof want2);
    /* Normalization(mean=3., variance=2.) on [[1.], [2.], [3.]]:
     * [-1.4142135, -0.70710677, 0.]; [2, 10, 8] reaches it as [1, 2, 3] */
    static const float x3[3] = {2, 10, 8}, want3[3] = {-1.4142135f, -0.70710677f, 0.0f};
    memcpy(act, x3, sizeof x3);
    model_forward(params, act, 1, 0, 0);
    model_layer_output(act, 1, 2, y);
    assert_memory_equal(y, want3, sizeof y);
    free(act), free(params), free(d.xf);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adapt_float),
        cmocka_unit_test(test_adapt_u8_constant),
        cmocka_unit_test(test_threads_and_errors),
        cmocka_unit_test(test_keras_examples),
    };
    printf("normalization of %s\n", MODEL_NAME);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
