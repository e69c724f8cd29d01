/* test_quant.c - the int8 requantization arithmetic against cases worked
 * out by hand from TFLite's published rules (gemmlowp's fixedpoint.h:
 * SaturatingRoundingDoublingHighMul, RoundingDivideByPOT; TFLite's
 * MultiplyByQuantizedMultiplier and QuantizeMultiplier).  The three kernels
 * are the generated model's own (templates/int8.m4, through the
 * NAME_q_* wrappers), so this checks the text the int8 pass runs.
 * Build against any model: -DRT_MODEL_HEADER='"NAME.h"' out/NAME.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "model.h"
#include "quant.h"

#define MIN32 INT32_MIN
#define MAX32 INT32_MAX

/* a * b / 2^31, ties rounded up (the nudge is +2^30, or 1 - 2^30 for a
 * negative product, before a truncating division). */
static void test_srdhm(void **state)
{
    (void)state;
    assert_int_equal(model_q_srdhm(MIN32, MIN32), MAX32);              /* the one overflow: saturates */
    assert_int_equal(model_q_srdhm(1 << 30, 1 << 30), 1 << 29);        /* 2^29 + 0.5 - nudge: exact half */
    assert_int_equal(model_q_srdhm(3, 1 << 30), 2);                    /* 1.5 -> 2 */
    assert_int_equal(model_q_srdhm(-3, 1 << 30), -1);                  /* -1.5 -> -1: a tie goes up */
    assert_int_equal(model_q_srdhm(1, 1 << 30), 1);                    /* 0.5 -> 1 */
    assert_int_equal(model_q_srdhm(-1, 1 << 30), 0);                   /* -0.5 -> 0 */
    assert_int_equal(model_q_srdhm(-5, 1 << 30), -2);                  /* -2.5 -> -2 */
    assert_int_equal(model_q_srdhm(MAX32, MAX32), 2147483646);         /* 2^31 - 2 + 0.5000000005 */
    assert_int_equal(model_q_srdhm(MIN32, MAX32), -2147483647);        /* exact: -(2^31 - 1) */
    assert_int_equal(model_q_srdhm(MAX32, MIN32), -2147483647);
    assert_int_equal(model_q_srdhm(0, MIN32), 0);
    assert_int_equal(model_q_srdhm(1000, 1610612736), 750);            /* x 0.75 exactly */
}

/* x / 2^e rounded to nearest, ties away from zero. */
static void test_rdbpot(void **state)
{
    (void)state;
    assert_int_equal(model_q_rdbpot(5, 1), 3);        /* 2.5 -> 3 */
    assert_int_equal(model_q_rdbpot(-5, 1), -3);      /* -2.5 -> -3 */
    assert_int_equal(model_q_rdbpot(6, 2), 2);        /* 1.5 -> 2 */
    assert_int_equal(model_q_rdbpot(-6, 2), -2);      /* -1.5 -> -2 */
    assert_int_equal(model_q_rdbpot(-3, 2), -1);      /* -0.75 -> -1 */
    assert_int_equal(model_q_rdbpot(5, 2), 1);        /* 1.25 -> 1 */
    assert_int_equal(model_q_rdbpot(-5, 2), -1);      /* -1.25 -> -1 */
    assert_int_equal(model_q_rdbpot(123, 0), 123);
    assert_int_equal(model_q_rdbpot(-123, 0), -123);
    assert_int_equal(model_q_rdbpot(MAX32, 31), 1);   /* 0.99999 -> 1 */
    assert_int_equal(model_q_rdbpot(MIN32, 31), -1);  /* exact */
    assert_int_equal(model_q_rdbpot(MIN32, 1), -1073741824);
    assert_int_equal(model_q_rdbpot(1 << 30, 31), 1); /* 0.5 -> 1 */
    assert_int_equal(model_q_rdbpot(-(1 << 30), 31), -1);
}

/* SRDHM of x shifted left by s > 0, then a rounding right shift by -s. */
static void test_mbqm(void **state)
{
    (void)state;
    assert_int_equal(model_q_mbqm(100, 1 << 30, 0), 50);       /* x 0.5 */
    assert_int_equal(model_q_mbqm(100, 1 << 30, -1), 25);      /* x 0.25 */
    assert_int_equal(model_q_mbqm(-100, 1 << 30, -2), -13);    /* -12.5 -> -13 */
    assert_int_equal(model_q_mbqm(3, 1 << 30, -1), 1);         /* 1.5 -> 2, then 2 / 2 = 1 (two roundings) */
    assert_int_equal(model_q_mbqm(-3, 1 << 30, 0), -1);        /* -1.5 -> -1 */
    assert_int_equal(model_q_mbqm(100, 1 << 30, 2), 200);      /* left shift 2: x 2 */
    assert_int_equal(model_q_mbqm(MAX32, MAX32, 0), 2147483646);
    assert_int_equal(model_q_mbqm(MAX32, MAX32, 1), 2147483646);   /* the left shift saturates first */
    assert_int_equal(model_q_mbqm(MIN32, MIN32, 0), MAX32);
    assert_int_equal(model_q_mbqm(1 << 20, 1 << 30, -31), 0);  /* 2^20 / 2^32 */
    assert_int_equal(model_q_mbqm(0, 1610612736, -5), 0);
}

/* QuantizeMultiplier: m = q 2^(shift - 31), q in [2^30, 2^31). */
static void test_quantize_multiplier(void **state)
{
    (void)state;
    int32_t q, s;
    rt_quantize_multiplier(0.0, &q, &s);
    assert_int_equal(q, 0), assert_int_equal(s, 0);
    rt_quantize_multiplier(0.5, &q, &s);
    assert_int_equal(q, 1 << 30), assert_int_equal(s, 0);
    rt_quantize_multiplier(0.75, &q, &s);
    assert_int_equal(q, 1610612736), assert_int_equal(s, 0);
    rt_quantize_multiplier(1.0, &q, &s);                   /* >= 1: a left shift */
    assert_int_equal(q, 1 << 30), assert_int_equal(s, 1);
    rt_quantize_multiplier(3.0, &q, &s);
    assert_int_equal(q, 1610612736), assert_int_equal(s, 2);
    rt_quantize_multiplier(ldexp(1.0, -32), &q, &s);       /* 2^-32: the smallest kept */
    assert_int_equal(q, 1 << 30), assert_int_equal(s, -31);
    rt_quantize_multiplier(ldexp(1.0, -33), &q, &s);       /* below: zero, as TFLite */
    assert_int_equal(q, 0), assert_int_equal(s, 0);
    rt_quantize_multiplier(1.0 - ldexp(1.0, -40), &q, &s); /* rounds up to 2^31: halved */
    assert_int_equal(q, 1 << 30), assert_int_equal(s, 1);
    rt_quantize_multiplier(ldexp(1.0, 31), &q, &s);        /* shift capped at 30 */
    assert_int_equal(q, MAX32), assert_int_equal(s, 30);
    rt_quantize_multiplier(0.3, &q, &s);                   /* 0.3 = 0.6 x 2^-1 */
    assert_int_equal(q, 1288490189), assert_int_equal(s, -1);
    assert_int_equal(model_q_mbqm(1000, q, s), 300);
    assert_int_equal(model_q_mbqm(-1000, q, s), -300);
}

/* Scale and zero point of a range; 0 is always exact. */
static void test_qparams(void **state)
{
    (void)state;
    float sc;
    int32_t zp;
    rt_qparams(0.0, 1.0, &sc, &zp);
    assert_float_equal(sc, 1.0f / 255.0f, 1e-9), assert_int_equal(zp, -128);
    rt_qparams(-1.0, 1.0, &sc, &zp);
    assert_float_equal(sc, 2.0f / 255.0f, 1e-9), assert_int_equal(zp, -1);   /* -0.5 -> -1 */
    rt_qparams(2.0, 3.0, &sc, &zp);                 /* widened to contain 0 */
    assert_float_equal(sc, 3.0f / 255.0f, 1e-9), assert_int_equal(zp, -128);
    rt_qparams(-4.0, -1.0, &sc, &zp);
    assert_int_equal(zp, 127);
    rt_qparams(0.0, 0.0, &sc, &zp);                 /* an all-zero tensor */
    assert_float_equal(sc, 1.0f, 0), assert_int_equal(zp, -128);
    assert_int_equal(rt_quantize(0.5, 1.0, 0, -127, 127), 1);     /* round half away */
    assert_int_equal(rt_quantize(-0.5, 1.0, 0, -127, 127), -1);
    assert_int_equal(rt_quantize(-1000.0, 1.0, 0, -127, 127), -127);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srdhm),
        cmocka_unit_test(test_rdbpot),
        cmocka_unit_test(test_mbqm),
        cmocka_unit_test(test_quantize_multiplier),
        cmocka_unit_test(test_qparams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
