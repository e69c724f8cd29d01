/* test_fit.c - runtime/fit.c: Keras's fit() options, each rule driven with
 * constructed epochs so that the epoch where something must happen is
 * known (keras/src/callbacks/early_stopping.py, reduce_lr_on_plateau.py,
 * model_checkpoint.py, monitor_callback.py; trainers/data_adapters/
 * array_slicing.py train_validation_split and data_adapter_utils.py
 * class_weight_to_sample_weights).  Built against one generated model per
 * kind of target (tests/run): integer classes (mlp), one-hot
 * (grad_loss_cce), one 0/1 label (grad_loss_bce1), regression
 * (grad_loss_mse). */
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

/* the last usage error of a flag */
static char usage[512];

static int flag(rt_config *c, const char *opt, const char *val)
{
    usage[0] = 0;
    return rt_fit_flag(c, opt, val, usage, sizeof usage);
}

static const int classes = MODEL_TASK == RT_TASK_CLASSES || MODEL_TASK == RT_TASK_BINARY;

static void fresh(rt_config *c)
{
    memset(c, 0, sizeof *c);
    c->lr = 0.05;
    c->quiet = 1;
    rt_fit_defaults(c);
}

/* One callback on, Keras's defaults for the rest. */
static rt_callback *only(rt_config *c, int which, int monitor)
{
    rt_callback *cb = &c->cb[which];
    memset(cb, 0, sizeof *cb);
    cb->on = 1, cb->monitor = monitor;
    return cb;
}

/* Run epochs with these training losses (and metrics = losses); the
 * 0-based epoch at which stop_training was set, or -1. */
static int run(rt_config *c, rt_fit_state *s, const double *loss, int n, float *params, float *best)
{
    char note[512];
    rt_fit_begin(c, s);
    for (int e = 0; e < n; e++) {
        rt_metrics tm = {loss[e], loss[e], 1}, vm = {loss[e], loss[e], 1};
        for (int i = 0; params && i < MODEL_N_PARAMS; i++)
            params[i] = (float)e;   /* the weights of epoch e */
        assert_int_equal(rt_fit_epoch_end(c, s, e, &tm, &vm, params, best, note, sizeof note), 0);
        if (s->stop)
            return e;
    }
    return -1;
}

static void test_defaults(void **state)
{
    (void)state;
    rt_config c;
    fresh(&c);
    assert_true(c.validation_split == 0.0 && c.class_weight == NULL && c.save_best == NULL);
    for (int i = 0; i < RT_N_CALLBACKS; i++)
        assert_int_equal(c.cb[i].on, 0);
    char d[64];
    rt_fit_describe(c.validation_split, c.cb, d, sizeof d);
    assert_string_equal(d, "");
}

static void test_flags(void **state)
{
    (void)state;
    rt_config c;
    fresh(&c);
    assert_int_equal(flag(&c, "--validation-split", "0.07"), 1);
    assert_true(c.validation_split == 0.07);
    const char *bad_split[] = {"1", "-0.1", "abc", "0.5x", "nan", "inf"};
    for (size_t i = 0; i < sizeof bad_split / sizeof *bad_split; i++)
        assert_int_equal(flag(&c, "--validation-split", bad_split[i]), -1);
    assert_int_equal(flag(&c, "--batch-size", "3"), 0);   /* not a fit() flag */
    assert_int_equal(flag(&c, "--monitor", "loss"), 1);    /* but no callback to watch it */
    assert_int_equal(rt_fit_finish(&c, usage, sizeof usage), -1);
    assert_non_null(strstr(usage, "--monitor: no callback"));
    c.monitor = 0;
    /* ModelCheckpoint and EarlyStopping come on with Keras's defaults */
    assert_int_equal(flag(&c, "--early-stopping-patience", "3"), 1);
    assert_true(c.cb[RT_CB_EARLY_STOPPING].on && c.cb[RT_CB_EARLY_STOPPING].patience == 3 &&
                c.cb[RT_CB_EARLY_STOPPING].monitor == RT_MON_VAL_LOSS &&
                c.cb[RT_CB_EARLY_STOPPING].min_delta == 0.0 && !c.cb[RT_CB_EARLY_STOPPING].flag);
    assert_int_equal(flag(&c, "--early-stopping-patience", "-1"), -1);
    assert_int_equal(flag(&c, "--save-best", "out/test/b.weights"), 1);
    assert_true(c.cb[RT_CB_CHECKPOINT].on && c.cb[RT_CB_CHECKPOINT].flag && c.save_best);
    /* val_ monitors need validation data: refused without, taken with */
    c.validation_split = 0.0;
    assert_int_equal(rt_fit_finish(&c, usage, sizeof usage), -1);
    assert_non_null(strstr(usage, "early_stopping monitors val_loss, which needs validation data"));
    assert_int_equal(flag(&c, "--monitor", "loss"), 1);
    assert_int_equal(rt_fit_finish(&c, usage, sizeof usage), 0);
    assert_true(c.cb[RT_CB_EARLY_STOPPING].monitor == RT_MON_LOSS &&
                c.cb[RT_CB_CHECKPOINT].monitor == RT_MON_LOSS && !c.cb[RT_CB_REDUCE_LR].on);
    assert_int_equal(flag(&c, "--monitor", classes ? "val_accuracy" : "val_mae"), 1);
    assert_int_equal(c.monitor, RT_MON_VAL_METRIC + 1);
    assert_int_equal(flag(&c, "--monitor", classes ? "val_mae" : "accuracy"), -1);
    assert_int_equal(flag(&c, "--monitor", "val_"), -1);
}

static void test_class_weight_flag(void **state)
{
    (void)state;
    rt_config c;
    fresh(&c);
    if (!classes) {
        assert_int_equal(flag(&c, "--class-weight", "0:2"), -1);
        assert_non_null(strstr(usage, "has no classes"));
        return;
    }
    assert_int_equal(flag(&c, "--class-weight", "1:0.5,0:2"), 1);
    assert_non_null(c.class_weight);
    assert_true(c.class_weight[0] == 2.0f && c.class_weight[1] == 0.5f);
    for (int k = 2; k < MODEL_N_CLASSES; k++)
        assert_true(c.class_weight[k] == 1.0f);   /* missing classes weigh 1 */
    char top[32];
    snprintf(top, sizeof top, "%d:1", MODEL_N_CLASSES);
    const char *bad[] = {"", "0", "0:", ":1", "0:1,", "0:1,0:2", top, "0:-1", "0:nan", "0:1x", "-1:2", "0:1;1:2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(flag(&c, "--class-weight", bad[i]), -1);
        assert_non_null(strstr(usage, "--class-weight takes CLASS:WEIGHT"));
    }
}

/* n - floor(n (1 - f)) validate: rounded up, unlike int(n f). */
static void test_validation_split(void **state)
{
    (void)state;
    static const struct { int n; double f; int val; } cases[] = {
        {8000, 0.07, 561}, {8000, 0.1, 800}, {10, 0.3, 3}, {10, 0.71, 8}, {100, 0.001, 1}, {10, 0.5, 5},
    };
    int *y = malloc(sizeof(int) * 8000);
    unsigned char *pix = malloc(8000 * 2);
    for (int i = 0; i < 8000; i++)
        y[i] = i % 7, pix[2 * i] = (unsigned char)i, pix[2 * i + 1] = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rt_dataset tr = {.n = cases[i].n, .rank = 1, .dims = {2}, .size = 2, .pix = pix, .y = y, .src = "x"}, va;
        char err[256];
        assert_int_equal(rt_validation_split(&tr, cases[i].f, &va, err, sizeof err), 0);
        assert_int_equal(va.n, cases[i].val);
        assert_int_equal(tr.n, cases[i].n - cases[i].val);
        assert_ptr_equal(va.y, y + tr.n);             /* a view of the last samples */
        assert_ptr_equal(va.pix, pix + 2 * tr.n);
    }
    rt_dataset tr = {.n = 1, .size = 2, .pix = pix, .y = y, .src = "x.npy"}, va;
    char err[256];
    assert_int_equal(rt_validation_split(&tr, 0.5, &va, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.npy: error: 1 training samples are too few"));
    tr.n = 10;
    assert_int_equal(rt_validation_split(&tr, 1e-17, &va, err, sizeof err), -1);   /* none left over */
    assert_int_equal(rt_validation_split(&tr, 0.0, &va, err, sizeof err), 0);
    assert_int_equal(va.n, 0);
    assert_int_equal(tr.n, 10);
    free(y), free(pix);
}

/* class index; argmax (the first largest); or the rounded 0/1 label. */
static void test_sample_weights(void **state)
{
    (void)state;
    float cw[MODEL_N_CLASSES + 1], t[4 * MODEL_N_TARGETS], w[4];
    if (!classes)
        return;
    for (int k = 0; k < MODEL_N_CLASSES; k++)
        cw[k] = 10.0f + (float)k;
    memset(t, 0, sizeof t);
    if (MODEL_N_TARGETS > 1) {            /* one-hot or soft targets */
        t[2] = 1.0f;                                        /* class 2 */
        t[MODEL_N_TARGETS + 0] = 0.4f, t[MODEL_N_TARGETS + 1] = 0.6f;   /* soft: class 1 */
        t[2 * MODEL_N_TARGETS + 1] = t[2 * MODEL_N_TARGETS + 3] = 0.5f; /* a tie: the first, 1 */
        rt_sample_weights(cw, t, 4, w);   /* the 4th: all zero, argmax 0 */
        assert_true(w[0] == 12.0f && w[1] == 11.0f && w[2] == 11.0f && w[3] == 10.0f);
    } else if (MODEL_TASK == RT_TASK_BINARY) {   /* np.round: half to even */
        const float y[4] = {0.0f, 1.0f, 0.5f, 0.51f};
        rt_sample_weights(cw, y, 4, w);
        assert_true(w[0] == 10.0f && w[1] == 11.0f && w[2] == 10.0f && w[3] == 11.0f);
        const float out[2] = {1.5f, -0.7f};   /* classes 2 and -1: not weighed, 1 */
        rt_sample_weights(cw, out, 2, w);
        assert_true(w[0] == 1.0f && w[1] == 1.0f);
    } else {                              /* integer labels */
        const float y[3] = {3.0f, 0.0f, (float)(MODEL_N_CLASSES - 1)};
        rt_sample_weights(cw, y, 3, w);
        assert_true(w[0] == 13.0f && w[1] == 10.0f && w[2] == 10.0f + (float)(MODEL_N_CLASSES - 1));
    }
}

static void test_early_stopping(void **state)
{
    (void)state;
    rt_config c;
    rt_fit_state s;
    rt_callback *es;
    fresh(&c);
    es = only(&c, RT_CB_EARLY_STOPPING, RT_MON_LOSS);
    es->patience = 2;    /* the wait counts epochs since the best, the best's own included */
    const double a[] = {1.0, 0.9, 0.95, 0.92, 0.91};
    assert_int_equal(run(&c, &s, a, 5, NULL, NULL), 3);
    assert_int_equal(s.stopped_epoch, 3);
    assert_true(s.m[RT_CB_EARLY_STOPPING].best == 0.9 && s.m[RT_CB_EARLY_STOPPING].best_epoch == 1);
    es->patience = 0;    /* the first monitored epoch always improves (best None) */
    const double b[] = {1.0, 1.0};
    assert_int_equal(run(&c, &s, b, 2, NULL, NULL), 1);
    /* min_delta: an improvement must beat the best by more */
    es->patience = 1, es->min_delta = -0.05;   /* Keras takes abs() */
    const double d[] = {1.0, 0.94, 0.96};
    assert_int_equal(run(&c, &s, d, 3, NULL, NULL), 2);
    const double d2[] = {1.0, 0.95};            /* 0.95 + 0.05 < 1.0 is false */
    assert_int_equal(run(&c, &s, d2, 2, NULL, NULL), 1);
    /* baseline: improving on the best but not on the baseline keeps the
     * wait going, so a later bad epoch stops sooner */
    es->min_delta = 0.0, es->patience = 2;
    const double e[] = {1.0, 1.1, 1.2, 1.3};
    assert_int_equal(run(&c, &s, e, 4, NULL, NULL), 2);
    es->has_baseline = 1, es->baseline = 0.5;
    assert_int_equal(run(&c, &s, e, 4, NULL, NULL), 1);
    es->baseline = 2.0;   /* beaten: the wait restarts as without one */
    assert_int_equal(run(&c, &s, e, 4, NULL, NULL), 2);
    es->has_baseline = 0;
    /* start_from_epoch: the first epochs are not monitored at all */
    es->start_from_epoch = 2, es->patience = 0;
    const double f[] = {5.0, 6.0, 7.0, 8.0};
    assert_int_equal(run(&c, &s, f, 4, NULL, NULL), 3);
    assert_int_equal(s.m[RT_CB_EARLY_STOPPING].best_epoch, 2);
}

static void test_early_stopping_modes(void **state)
{
    (void)state;
    rt_config c;
    rt_fit_state s;
    fresh(&c);
    rt_callback *es = only(&c, RT_CB_EARLY_STOPPING, RT_MON_METRIC);
    es->patience = 1;
    /* mode auto: accuracy rises, mae falls */
    const double up[] = {0.5, 0.6, 0.55};
    assert_int_equal(run(&c, &s, up, 3, NULL, NULL), classes ? 2 : 1);
    es->mode = RT_MODE_MIN;
    assert_int_equal(run(&c, &s, up, 3, NULL, NULL), 1);
    es->mode = RT_MODE_MAX, es->monitor = RT_MON_VAL_LOSS;
    assert_int_equal(run(&c, &s, up, 3, NULL, NULL), 2);
}

/* restore_best_weights: the best epoch's weights at the end, whether it
 * stopped early or not (Keras 3). */
static void test_restore_best_weights(void **state)
{
    (void)state;
    rt_config c;
    rt_fit_state s;
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS), *best = malloc(sizeof(float) * MODEL_N_PARAMS);
    fresh(&c);
    rt_callback *es = only(&c, RT_CB_EARLY_STOPPING, RT_MON_VAL_LOSS);
    es->patience = 2, es->flag = 1;
    const double a[] = {1.0, 0.5, 0.7, 0.8, 0.9};
    assert_int_equal(run(&c, &s, a, 5, params, best), 3);
    rt_fit_end(&c, &s, params, best);
    assert_true(params[0] == 1.0f && params[MODEL_N_PARAMS - 1] == 1.0f);
    es->patience = 10;   /* never stops: restored all the same */
    assert_int_equal(run(&c, &s, a, 5, params, best), -1);
    rt_fit_end(&c, &s, params, best);
    assert_true(params[0] == 1.0f);
    es->start_from_epoch = 3;   /* the first monitored weights are the best until beaten */
    assert_int_equal(run(&c, &s, a, 5, params, best), -1);
    rt_fit_end(&c, &s, params, best);
    assert_true(params[0] == 3.0f);
    free(params), free(best);
}

/* factor, patience, cooldown and min_lr, the rate a float32 variable. */
static void test_reduce_lr(void **state)
{
    (void)state;
    rt_config c;
    rt_fit_state s;
    fresh(&c);
    rt_callback *r = only(&c, RT_CB_REDUCE_LR, RT_MON_LOSS);
    r->factor = 0.5, r->patience = 1, r->cooldown = 2, r->min_lr = 0.01, r->min_delta = 100;
    const double a[] = {1, 1, 1, 1, 1, 1, 1, 1};
    const float want[8] = {0.05f, 0.025f, 0.025f, 0.0125f, 0.0125f, 0.01f, 0.01f, 0.01f};
    char note[512];
    rt_fit_begin(&c, &s);
    for (int e = 0; e < 8; e++) {
        rt_metrics tm = {a[e], 0, 1};
        assert_int_equal(rt_fit_epoch_end(&c, &s, e, &tm, NULL, NULL, NULL, note, sizeof note), 0);
        assert_true(e == 0 ? s.lr == 0.05 : s.lr == (double)want[e]);
        assert_true(!!strstr(note, "ReduceLROnPlateau") == (e == 1 || e == 3 || e == 5));
    }
    /* Keras's default min_delta 1e-4: a smaller gain is no improvement,
     * and an improvement restarts the wait */
    r->min_delta = 1e-4, r->cooldown = 0, r->patience = 2, r->min_lr = 0.0;
    const double b[] = {1.0, 0.99995, 0.9, 0.9, 0.9};
    rt_fit_begin(&c, &s);
    for (int e = 0; e < 5; e++) {
        rt_metrics tm = {b[e], 0, 1};
        rt_fit_epoch_end(&c, &s, e, &tm, NULL, NULL, NULL, note, sizeof note);
        assert_true(e < 4 ? s.lr == 0.05 : s.lr == (double)(float)(0.05f * 0.5));
    }
}

/* The rate is a float32 variable: read as float32, compared with
 * float32(min_lr), the new one stored as float32. */
static void test_reduce_lr_float32(void **state)
{
    (void)state;
    rt_config c;
    rt_fit_state s;
    char note[512];
    fresh(&c);
    rt_callback *r = only(&c, RT_CB_REDUCE_LR, RT_MON_LOSS);
    r->patience = 1, r->min_delta = 100;
    const double lr[2] = {0.1, 0.05}, factor[2] = {0.3, 0.5}, min_lr[2] = {0.0, 0.05};
    /* 0.1: float32(0.1) * 0.3 rounds to another float than 0.1 * 0.3;
     * float32(0.05) is above 0.05 but not above float32(0.05): no reduction */
    const double want[2] = {(double)(float)((double)0.1f * 0.3), 0.05};
    for (int i = 0; i < 2; i++) {
        c.lr = lr[i], r->factor = factor[i], r->min_lr = min_lr[i];
        rt_fit_begin(&c, &s);
        for (int e = 0; e < 2; e++) {
            rt_metrics tm = {1.0, 0, 1};
            rt_fit_epoch_end(&c, &s, e, &tm, NULL, NULL, NULL, note, sizeof note);
        }
        assert_true(s.lr == want[i]);
        assert_true((double)(float)(0.1 * 0.3) != want[0]);
        assert_int_equal(!!strstr(note, "ReduceLROnPlateau"), i == 0);
    }
}

/* save_best_only: written when the monitored value improves;
 * initial_value_threshold is the first best; otherwise every epoch. */
static void test_model_checkpoint(void **state)
{
    (void)state;
    rt_config c;
    rt_fit_state s;
    char note[512], err[256];
    float *params = calloc(MODEL_N_PARAMS, sizeof(float)), *back = malloc(sizeof(float) * MODEL_N_PARAMS);
    fresh(&c);
    rt_callback *mc = only(&c, RT_CB_CHECKPOINT, RT_MON_VAL_LOSS);
    mc->flag = 1;
    c.save_best = "out/test/test_fit_best.weights";
    const double val[] = {0.5, 0.6, 0.4, 0.45};
    const int saved[] = {1, 0, 1, 0};
    for (int pass = 0; pass < 3; pass++) {
        mc->flag = pass < 2, mc->has_baseline = pass == 1, mc->baseline = 0.45;
        remove(c.save_best);
        rt_fit_begin(&c, &s);
        for (int e = 0; e < 4; e++) {
            rt_metrics tm = {9.0, 0, 1}, vm = {val[e], 0, 1};
            params[0] = (float)e;
            assert_int_equal(rt_fit_epoch_end(&c, &s, e, &tm, &vm, params, NULL, note, sizeof note), 0);
            const int want = pass == 2 || (saved[e] && !(pass == 1 && e == 0));
            assert_int_equal(!!strstr(note, "saved out/test/test_fit_best.weights"), want);
        }
        assert_int_equal(rt_weights_load(c.save_best, back, err, sizeof err), 0);
        assert_true(back[0] == (pass == 2 ? 3.0f : 2.0f));
    }
    remove(c.save_best);
    free(params), free(back);
}

static void test_describe(void **state)
{
    (void)state;
    rt_config c;
    char d[1024];
    fresh(&c);
    rt_callback *es = only(&c, RT_CB_EARLY_STOPPING, RT_MON_VAL_LOSS);
    es->patience = 3, es->flag = 1;
    rt_callback *r = only(&c, RT_CB_REDUCE_LR, RT_MON_LOSS);
    r->factor = 0.1, r->patience = 10, r->min_delta = 1e-4;
    rt_fit_describe(0.07, c.cb, d, sizeof d);
    assert_string_equal(d, "validation_split=0.07, early_stopping(monitor=val_loss, mode=auto, min_delta=0, "
                           "patience=3, baseline=none, restore_best_weights=true, start_from_epoch=0), "
                           "reduce_lr_on_plateau(monitor=loss, mode=auto, factor=0.1, patience=10, "
                           "min_delta=0.0001, cooldown=0, min_lr=0)");
    /* the class weights are compared by their CRC: all 1 is no weights */
    float ones[MODEL_N_CLASSES + 1];
    for (int k = 0; k <= MODEL_N_CLASSES; k++)
        ones[k] = 1.0f;
    const uint32_t none = rt_class_weight_crc(&c);
    c.class_weight = ones;
    assert_true(rt_class_weight_crc(&c) == none);
    if (MODEL_N_CLASSES > 0) {
        ones[0] = 2.0f;
        assert_true(rt_class_weight_crc(&c) != none);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_class_weight_flag),
        cmocka_unit_test(test_validation_split),
        cmocka_unit_test(test_sample_weights),
        cmocka_unit_test(test_early_stopping),
        cmocka_unit_test(test_early_stopping_modes),
        cmocka_unit_test(test_restore_best_weights),
        cmocka_unit_test(test_reduce_lr),
        cmocka_unit_test(test_reduce_lr_float32),
        cmocka_unit_test(test_model_checkpoint),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
