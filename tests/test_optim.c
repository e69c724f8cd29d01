/* test_optim.c - runtime/optim.c against tests/golden/optim.bin, the steps
 * that tests/reference/optim_ref.py (float64 numpy, written from Keras 3's
 * optimizers and schedules) takes on fixed float32 weights and gradients.
 *
 *   cc -std=c11 -fopenmp -Iruntime tests/test_optim.c runtime/optim.c \
 *      runtime/adam.c -lcmocka -lm -o out/test/test_optim
 *   out/test/test_optim tests/golden/optim.bin
 *
 * Every case: each step's learning rate (the schedule at the iteration
 * count before the step) within 1e-12 relative; the weights after each
 * step within 1e-5 absolute (test_golden.c's tolerance for weights after
 * optimizer steps; 'exact' cases bit for bit); the non-trainable tensor
 * unchanged, bit for bit; the iteration count.  Prints each case's largest
 * error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define ATOL 1e-5
#define LR_RTOL 1e-12

static const char *fixture_path;
static unsigned char *data;
static long data_len;

/* ---- reading SEQCOPT1 (format in optim_ref.py) -------------------------- */

typedef struct reader { long at; int bad; } reader;

static const unsigned char *take(reader *r, long n)
{
    if (r->bad || n < 0 || r->at + n > data_len)
        return r->bad = 1, NULL;
    r->at += n;
    return data + r->at - n;
}

static uint32_t u32(reader *r)
{
    const unsigned char *p = take(r, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

static double f64(reader *r)
{
    const unsigned char *p = take(r, 8);
    double v = 0.0;
    if (p)
        memcpy(&v, p, 8);
    return v;
}

static void str(reader *r, char *out, size_t cap)
{
    uint32_t n = u32(r);
    const unsigned char *p = n < cap ? take(r, n) : (r->bad = 1, NULL);
    out[0] = 0;
    if (p)
        memcpy(out, p, n), out[n] = 0;
}

static void floats(reader *r, float *out, long n)
{
    const unsigned char *p = take(r, 4 * n);
    if (p)
        memcpy(out, p, 4 * (size_t)n);
}

static void doubles(reader *r, double *out, long n)
{
    const unsigned char *p = take(r, 8 * n);
    if (p)
        memcpy(out, p, 8 * (size_t)n);
}

/* A key of the fixture into the config; -1 if unknown. */
static int set_key(rt_optim_config *c, const char *key, double v, int *exact)
{
    static const struct { const char *key; size_t off; } dbl[] = {
        {"lr", offsetof(rt_optim_config, lr)}, {"momentum", offsetof(rt_optim_config, momentum)},
        {"rho", offsetof(rt_optim_config, rho)}, {"beta_1", offsetof(rt_optim_config, beta_1)},
        {"beta_2", offsetof(rt_optim_config, beta_2)}, {"epsilon", offsetof(rt_optim_config, epsilon)},
        {"initial_accumulator_value", offsetof(rt_optim_config, initial_accumulator_value)},
        {"weight_decay", offsetof(rt_optim_config, weight_decay)},
        {"clipnorm", offsetof(rt_optim_config, clipnorm)}, {"clipvalue", offsetof(rt_optim_config, clipvalue)},
        {"global_clipnorm", offsetof(rt_optim_config, global_clipnorm)},
        {"decay_steps", offsetof(rt_optim_config, decay_steps)},
        {"decay_rate", offsetof(rt_optim_config, decay_rate)}, {"alpha", offsetof(rt_optim_config, alpha)},
        {"warmup_target", offsetof(rt_optim_config, warmup_target)},
        {"warmup_steps", offsetof(rt_optim_config, warmup_steps)},
    };
    static const struct { const char *key; size_t off; } i32[] = {
        {"kind", offsetof(rt_optim_config, kind)}, {"schedule", offsetof(rt_optim_config, schedule)},
        {"nesterov", offsetof(rt_optim_config, nesterov)}, {"centered", offsetof(rt_optim_config, centered)},
        {"amsgrad", offsetof(rt_optim_config, amsgrad)}, {"staircase", offsetof(rt_optim_config, staircase)},
        {"has_warmup_target", offsetof(rt_optim_config, has_warmup_target)},
        {"n_boundaries", offsetof(rt_optim_config, n_boundaries)},
    };
    int i;
    for (size_t k = 0; k < sizeof dbl / sizeof dbl[0]; k++)
        if (!strcmp(key, dbl[k].key))
            return *(double *)((char *)c + dbl[k].off) = v, 0;
    for (size_t k = 0; k < sizeof i32 / sizeof i32[0]; k++)
        if (!strcmp(key, i32[k].key))
            return *(int32_t *)((char *)c + i32[k].off) = (int32_t)v, 0;
    if (sscanf(key, "boundary%d", &i) == 1 && i >= 0 && i < RT_LR_MAX_BOUNDARIES)
        return c->boundaries[i] = v, 0;
    if (sscanf(key, "value%d", &i) == 1 && i >= 0 && i <= RT_LR_MAX_BOUNDARIES)
        return c->values[i] = v, 0;
    if (!strcmp(key, "exact"))
        return *exact = v != 0.0, 0;
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    FILE *f = fopen(fixture_path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open (regenerate with tests/reference/make_golden.sh)\n", fixture_path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    data_len = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc(data_len > 0 ? (size_t)data_len : 1);
    int ok = data && data_len >= 12 && fread(data, 1, (size_t)data_len, f) == (size_t)data_len &&
             !memcmp(data, "SEQCOPT1", 8);
    fclose(f);
    if (!ok)
        fprintf(stderr, "%s: not a SEQCOPT1 fixture\n", fixture_path);
    return ok ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    free(data);
    return 0;
}

/* ---- the cases ------------------------------------------------------------ */

static void test_fixture_cases(void **state)
{
    (void)state;
    reader r = {8, 0};
    const uint32_t cases = u32(&r);
    int failed = 0;
    assert_true(cases >= 20);
    printf("%-28s %5s %12s %12s\n", "case", "steps", "max |err|", "max lr err");
    for (uint32_t k = 0; k < cases && !r.bad; k++) {
        char name[128], key[64];
        rt_optim_config c;
        int exact = 0;
        memset(&c, 0, sizeof c);
        str(&r, name, sizeof name);
        const uint32_t nkeys = u32(&r);
        for (uint32_t i = 0; i < nkeys && !r.bad; i++) {
            str(&r, key, sizeof key);
            const double v = f64(&r);
            if (set_key(&c, key, v, &exact))
                fail_msg("%s: unknown key '%s' in the fixture", name, key);
        }
        const long n = u32(&r);
        const int nt = (int)u32(&r);
        assert_false(r.bad);
        assert_true(n > 0 && n < 100000 && nt > 0 && nt < 64);
        rt_optim_tensor *T = calloc((size_t)nt, sizeof *T);
        for (int j = 0; j < nt; j++) {
            T[j].offset = u32(&r), T[j].size = u32(&r), T[j].trainable = (int)u32(&r);
            assert_true(T[j].offset + T[j].size <= n);
        }
        const uint32_t steps = u32(&r);
        float *w = malloc(sizeof(float) * (size_t)n), *w0 = malloc(sizeof(float) * (size_t)n);
        float *g = malloc(sizeof(float) * (size_t)n);
        double *ref = malloc(sizeof(double) * (size_t)n);
        floats(&r, w, n);
        memcpy(w0, w, sizeof(float) * (size_t)n);
        rt_optim o;
        assert_int_equal(rt_optim_init(&o, &c, n, T, nt), 0);
        assert_int_equal(rt_optim_state_bytes(&o), sizeof(float) * (size_t)n * (size_t)rt_optim_slots(&c));
        double worst = 0.0, worst_lr = 0.0;
        long where = -1;
        uint32_t worst_step = 0;
        for (uint32_t s = 0; s < steps && !r.bad; s++) {
            floats(&r, g, n);
            const double lr_ref = f64(&r);
            doubles(&r, ref, n);
            assert_false(r.bad);
            const double lr = rt_optim_lr(&c, o.t);
            const double lr_err = fabs(lr - lr_ref);
            worst_lr = fmax(worst_lr, lr_err);
            if (lr_err > LR_RTOL * fabs(lr_ref) + 1e-300) {
                printf("%s: step %u: learning rate %.17g, reference %.17g\n", name, s + 1, lr, lr_ref);
                failed++;
            }
            rt_optim_step(&o, w, g);
            for (long i = 0; i < n; i++) {
                const double e = fabs((double)w[i] - ref[i]);
                if (e > worst || isnan(e))
                    worst = isnan(e) ? INFINITY : e, where = i, worst_step = s + 1;
                if (exact && (double)w[i] != ref[i]) {
                    printf("%s: step %u, element %ld: %.9g, want exactly %.9g\n", name, s + 1, i, w[i], ref[i]);
                    failed++;
                    break;
                }
            }
        }
        for (int j = 0; j < nt; j++)
            if (!T[j].trainable && memcmp(w + T[j].offset, w0 + T[j].offset, sizeof(float) * (size_t)T[j].size)) {
                printf("%s: the non-trainable tensor %d changed\n", name, j);
                failed++;
            }
        if (o.t != (long)steps) {
            printf("%s: %ld iterations after %u steps\n", name, o.t, steps);
            failed++;
        }
        printf("%-28s %5u %12.3g %12.3g%s\n", name, steps, worst, worst_lr, exact ? "  (bit for bit)" : "");
        if (worst > ATOL) {
            printf("%s: step %u, element %ld differs by %.3g (tolerance %g)\n", name, worst_step, where, worst, ATOL);
            failed++;
        }
        rt_optim_free(&o);
        free(T), free(w), free(w0), free(g), free(ref);
    }
    assert_false(r.bad);
    assert_int_equal(r.at, data_len);
    assert_int_equal(failed, 0);
}

/* The wrappers of old are Adam over all n parameters. */
static void test_adam_wrapper(void **state)
{
    (void)state;
    rt_adam a;
    rt_optim o;
    rt_optim_config c;
    float w1[3] = {1.0f, -2.0f, 0.5f}, w2[3] = {1.0f, -2.0f, 0.5f};
    const float g[3] = {0.5f, -3.0f, 1e-3f};
    memset(&c, 0, sizeof c);
    c.kind = RT_ADAM, c.lr = 0.1, c.beta_1 = 0.9, c.beta_2 = 0.999, c.epsilon = 1e-7;
    assert_int_equal(rt_adam_init(&a, 3, 0.1, 0.9, 0.999, 1e-7), 0);
    assert_int_equal(rt_optim_init(&o, &c, 3, NULL, 0), 0);
    for (int s = 0; s < 3; s++)
        rt_adam_step(&a, w1, g), rt_optim_step(&o, w2, g);
    assert_memory_equal(w1, w2, sizeof w1);
    assert_int_equal(a.t, 3);
    rt_adam_free(&a), rt_optim_free(&o);
}

/* Descriptions tell configurations apart (checkpoints rely on it). */
static void test_describe(void **state)
{
    (void)state;
    rt_optim_config a, b;
    char da[2048], db[2048];
    memset(&a, 0, sizeof a);
    a.kind = RT_SGD, a.lr = 0.01, a.momentum = 0.9;
    b = a;
    rt_optim_describe(&a, da, sizeof da);
    rt_optim_describe(&b, db, sizeof db);
    assert_string_equal(da, "sgd(learning_rate=0.01, momentum=0.9, nesterov=false)");
    assert_string_equal(da, db);
    b.nesterov = 1;
    rt_optim_describe(&b, db, sizeof db);
    assert_string_not_equal(da, db);
    b = a, b.lr = nextafter(0.01, 1.0);
    rt_optim_describe(&b, db, sizeof db);
    assert_string_not_equal(da, db);
    b = a, b.kind = RT_NADAM;
    rt_optim_describe(&b, db, sizeof db);
    assert_string_not_equal(da, db);
    b = a, b.schedule = RT_LR_PIECEWISE, b.n_boundaries = 2;
    b.boundaries[0] = 10, b.boundaries[1] = 20, b.values[0] = 0.1, b.values[1] = 0.01, b.values[2] = 0.001;
    rt_optim_describe(&b, db, sizeof db);
    assert_non_null(strstr(db, "piecewise_constant_decay(boundaries=[10, 20], values=[0.1, 0.01, 0.001])"));
    char small[16];
    rt_optim_describe(&b, small, sizeof small);   /* truncates, terminated */
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* The schedules at the edges Keras defines: <= for piecewise boundaries,
 * the clamp after decay_steps, the warmup. */
static void test_schedule_edges(void **state)
{
    (void)state;
    rt_optim_config c;
    memset(&c, 0, sizeof c);
    c.schedule = RT_LR_PIECEWISE, c.n_boundaries = 2;
    c.boundaries[0] = 100, c.boundaries[1] = 110, c.values[0] = 1.0, c.values[1] = 0.5, c.values[2] = 0.1;
    assert_true(rt_optim_lr(&c, 100) == 1.0 && rt_optim_lr(&c, 101) == 0.5);
    assert_true(rt_optim_lr(&c, 110) == 0.5 && rt_optim_lr(&c, 111) == 0.1);
    memset(&c, 0, sizeof c);
    c.schedule = RT_LR_COSINE, c.lr = 0.1, c.decay_steps = 10, c.alpha = 0.25;
    assert_true(rt_optim_lr(&c, 0) == 0.1);
    assert_float_equal(rt_optim_lr(&c, 10), 0.025, 1e-15);
    assert_true(rt_optim_lr(&c, 1000) == rt_optim_lr(&c, 10));
    c.has_warmup_target = 1, c.warmup_target = 1.0, c.warmup_steps = 4;
    assert_float_equal(rt_optim_lr(&c, 2), 0.55, 1e-15);
    assert_float_equal(rt_optim_lr(&c, 4), 1.0, 1e-15);
    assert_float_equal(rt_optim_lr(&c, 14), 0.25, 1e-15);
    memset(&c, 0, sizeof c);
    c.schedule = RT_LR_EXPONENTIAL, c.lr = 1.0, c.decay_steps = 10, c.decay_rate = 0.5, c.staircase = 1;
    assert_true(rt_optim_lr(&c, 19) == 0.5 && rt_optim_lr(&c, 20) == 0.25);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s tests/golden/optim.bin\n", argv[0]);
        return 2;
    }
    fixture_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_cases),
        cmocka_unit_test(test_adam_wrapper),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_schedule_edges),
    };
    return cmocka_run_group_tests_name("optim", tests, group_setup, group_teardown);
}
