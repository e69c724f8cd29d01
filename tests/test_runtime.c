/* test_runtime.c - Adam against hand-computed values, and the weights file
 * (round trip, and every kind of damage refused).  Built against one
 * generated model, like the trainer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rt.h"

/* Keras-form Adam, lr 0.1, two weights, three steps; expected values
 * computed in double by hand (python: see the formula in adam.c). */
static void test_adam_steps(void **state)
{
    (void)state;
    rt_adam a;
    float w[2] = {1.0f, -2.0f};
    const float g[3][2] = {{0.5f, -3.0f}, {-0.25f, 0.0f}, {1.0f, 2e-4f}};
    const double want[3][2] = {{0.9000006324515321, -1.9000001054091442},
                               {0.8733670792079219, -1.832994350661099},
                               {0.8075561008769583, -1.781202971195798}};
    assert_int_equal(rt_adam_init(&a, 2, 0.1, 0.9, 0.999, 1e-7), 0);
    for (int t = 0; t < 3; t++) {
        rt_adam_step(&a, w, g[t]);
        assert_float_equal(w[0], want[t][0], 2e-6);
        assert_float_equal(w[1], want[t][1], 2e-6);
    }
    assert_int_equal(a.t, 3);
    rt_adam_free(&a);
}

static const char *path = "out/test/runtime.weights";

static float *random_params(void)
{
    float *p = malloc(sizeof(float) * MODEL_N_PARAMS);
    model_init(p, 11);
    for (long i = 0; i < MODEL_N_PARAMS; i++)
        p[i] += (float)i * 1e-6f;   /* biases too */
    return p;
}

static void test_weights_round_trip(void **state)
{
    (void)state;
    char err[512];
    float *p = random_params(), *q = calloc(MODEL_N_PARAMS, sizeof(float));
    assert_int_equal(rt_weights_save(path, p, err, sizeof err), 0);
    assert_int_equal(rt_weights_load(path, q, err, sizeof err), 0);
    assert_memory_equal(p, q, sizeof(float) * MODEL_N_PARAMS);
    free(p), free(q);
}

static unsigned char *read_all(long *len)
{
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)*len);
    assert_int_equal(fread(b, 1, (size_t)*len, f), (size_t)*len);
    fclose(f);
    return b;
}

static void write_all(const unsigned char *b, long len)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, (size_t)len, f);
    fclose(f);
}

static void expect_refused(const unsigned char *b, long len, const char *fragment)
{
    char err[512] = "";
    float *q = malloc(sizeof(float) * MODEL_N_PARAMS);
    write_all(b, len);
    assert_int_equal(rt_weights_load(path, q, err, sizeof err), -1);
    if (!strstr(err, fragment))
        printf("want '%s' in '%s'\n", fragment, err);
    assert_non_null(strstr(err, fragment));
    free(q);
}

static void test_weights_damage(void **state)
{
    (void)state;
    char err[512];
    float *p = random_params();
    assert_int_equal(rt_weights_save(path, p, err, sizeof err), 0);
    long len;
    unsigned char *good = read_all(&len), *b = malloc((size_t)len + 8);
    memcpy(b, good, (size_t)len);
    b[len / 2] ^= 0x40;                              /* a flipped bit */
    expect_refused(b, len, "CRC-32 mismatch");
    expect_refused(good, len - 3, "CRC-32 mismatch");  /* truncated */
    expect_refused(good, 5, "magic");
    memcpy(b, good, (size_t)len);
    b[0] = 'X';
    expect_refused(b, len, "magic SEQCWTS1 missing");
    expect_refused(good, 0, "magic");
    free(good), free(b), free(p);
    expect_refused((const unsigned char *)"", 0, "magic");
    assert_int_equal(rt_weights_load("out/test/no-such-file", p = malloc(4 * MODEL_N_PARAMS), err, sizeof err), -1);
    assert_non_null(strstr(err, "no-such-file: error: cannot open"));
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adam_steps),
        cmocka_unit_test(test_weights_round_trip),
        cmocka_unit_test(test_weights_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
