/* test_metrics.c - cmocka tests for runtime/metrics.c: ROC AUC and the
 * binary, multi-label and regression reports, against scikit-learn.
 *
 * Build: gcc -std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -Iruntime \
 *            tests/test_metrics.c runtime/metrics.c -lcmocka -lm -o /tmp/test_metrics
 *
 * Every expected number comes from scikit-learn: the block between the
 * BEGIN and END metrics_ref.py lines is the output of
 * tests/reference/metrics_ref.py, pasted as it is (the script's docstring
 * says how to regenerate and diff it).  The small inputs are in that block;
 * the larger ones are drawn from the 32-bit LCG below, which repeats the
 * script's Lcg float for float.  The printed text is compared with
 * sklearn's classification_report text where the layouts coincide.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* clang-format off */
/* BEGIN metrics_ref.py (scikit-learn 1.2.1, numpy 1.24.2) */

/* ROC AUC (roc_auc_score) */
static const float auc_small_score[10] = {
    0.100000001f, 0.400000006f, 0.349999994f, 0.800000012f, 0.400000006f, 0.400000006f,
    0.899999976f, 0.100000001f, 0.649999976f, 0.200000003f
};
static const unsigned char auc_small_pos[10] = {
    0, 0, 1, 1, 1, 0, 1, 1, 0, 0
};
#define AUC_SMALL 0.62
/* scores i/32, i = 0..19; positive: i >= 12, i < 12; every score 0.5 */
#define AUC_PERFECT 1
#define AUC_INVERTED 0
#define AUC_ALL_TIED 0.5
#define AUC_TIES_N 500
#define AUC_TIES_SEED 12345u
#define AUC_TIES 0.78832725646670332
#define AUC_CONT_N 400
#define AUC_CONT_SEED 777u
#define AUC_CONT 0.45684568456845687

/* binary: tp, fp, fn, tn, accuracy, precision, recall, f1, auc */
static const float bin_small_prob[12] = {
    0.899999976f, 0.5f, 0.200000003f, 0.699999988f, 0.5f, 0.100000001f, 0.600000024f,
    0.400000006f, 0.5f, 0.949999988f, 0.300000012f, 0.550000012f
};
static const float bin_small_truth[12] = {
    1.0f, 0.5f, 0.0f, 0.100000001f, 0.0f, 0.0f, 0.899999976f, 1.0f, 1.0f, 1.0f, 0.449999988f,
    0.0f
};
static const double bin_small_ref[9] = {
    3, 2, 3, 4, 0.58333333333333337, 0.59999999999999998, 0.5, 0.54545454545454541, 0.75
};
static const char bin_small_sklearn_text[] =
    "              precision    recall  f1-score   support\n"
    "\n"
    "           0     0.5714    0.6667    0.6154         6\n"
    "           1     0.6000    0.5000    0.5455         6\n"
    "\n"
    "    accuracy                         0.5833        12\n"
    ;
/* prob {0.1, 0.5, 0.3, 0.2}, truth {1, 0, 1, 0} */
static const double bin_nopred_ref[9] = {
    0, 0, 2, 2, 0.5, 0, 0, 0, 0.25
};
/* the same prob, truth all 0 */
static const double bin_noclass_ref[9] = {
    0, 0, 0, 4, 1, 0, 0, 0, NAN
};
#define BIN_RAND_N 300
#define BIN_RAND_SEED 4242u
static const double bin_rand_ref[9] = {
    72, 35, 18, 175, 0.82333333333333336, 0.67289719626168221, 0.80000000000000004,
    0.73096446700507622, 0.93113756613756626
};

/* multi-label: per label: precision, recall, f1, support; then micro, macro, weighted, samples:
   precision, recall, f1; then subset accuracy, 1 - hamming_loss */
static const float ml_small_prob[28] = {
    0.899999976f, 0.200000003f, 0.100000001f, 0.400000006f, 0.600000024f, 0.699999988f,
    0.800000012f, 0.300000012f, 0.300000012f, 0.899999976f, 0.200000003f, 0.5f, 0.800000012f,
    0.100000001f, 0.400000006f, 0.200000003f, 0.200000003f, 0.600000024f, 0.300000012f,
    0.100000001f, 0.100000001f, 0.200000003f, 0.300000012f, 0.400000006f, 0.699999988f,
    0.800000012f, 0.100000001f, 0.200000003f
};
static const float ml_small_truth[28] = {
    1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f,
    0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f
};
#define ML_SMALL_N 7
#define ML_SMALL_K 4
static const double ml_small_ref[30] = {
    0.75, 0.75, 0.75, 4, 1, 1, 1, 4, 0, 0, 0, 0, 0, 0, 0, 3, 0.77777777777777779,
    0.63636363636363635, 0.70000000000000007, 0.4375, 0.4375, 0.4375, 0.63636363636363635,
    0.63636363636363635, 0.63636363636363635, 0.66666666666666663, 0.47619047619047622,
    0.51904761904761909, 0.2857142857142857, 0.7857142857142857
};
static const char ml_small_sklearn_text[] =
    "              precision    recall  f1-score   support\n"
    "\n"
    "           0     0.7500    0.7500    0.7500         4\n"
    "           1     1.0000    1.0000    1.0000         4\n"
    "           2     0.0000    0.0000    0.0000         0\n"
    "           3     0.0000    0.0000    0.0000         3\n"
    "\n"
    "   micro avg     0.7778    0.6364    0.7000        11\n"
    "   macro avg     0.4375    0.4375    0.4375        11\n"
    "weighted avg     0.6364    0.6364    0.6364        11\n"
    " samples avg     0.6667    0.4762    0.5190        11\n"
    ;
/* the first 3 x 2 of ml_small_prob, every truth 0 */
static const double ml_none_ref[22] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.33333333333333337
};
#define ML_RAND_N 200
#define ML_RAND_K 5
#define ML_RAND_SEED 99u
static const float ml_rand_rates[5] = {0.5f, 0.3f, 0.1f, 0.7f, 0.02f};
static const double ml_rand_ref[34] = {
    0.78723404255319152, 0.73267326732673266, 0.75897435897435894, 101, 0.61728395061728392,
    0.74626865671641796, 0.67567567567567566, 67, 0.23636363636363636, 0.65000000000000002,
    0.34666666666666662, 20, 0.92063492063492058, 0.74838709677419357, 0.82562277580071175, 155,
    0.094339622641509441, 0.83333333333333337, 0.16949152542372883, 6, 0.63080684596577019,
    0.73925501432664753, 0.68073878627968332, 0.53117123456210835, 0.74213247083013556,
    0.5552862005082283, 0.77037359928585925, 0.73925501432664753, 0.73882089759789837,
    0.60691666666666666, 0.68583333333333341, 0.61076587301587304, 0.255, 0.75800000000000001
};

/* regression: per output: mae, mse, rmse, r2; then the uniform averages of the four */
static const float reg_small_pred[15] = {
    1.0f, 2.0f, 3.5f, 2.5f, 2.0f, 3.0f, 2.0f, 2.0f, 2.0f, 4.5f, 2.0f, 3.0f, 4.0f, 2.0f, 3.25f
};
static const float reg_small_truth[15] = {
    1.5f, 2.0f, 3.0f, 2.0f, 2.0f, 3.0f, 3.0f, 2.0f, 3.0f, 4.0f, 2.0f, 3.0f, 5.0f, 2.0f, 3.0f
};
#define REG_SMALL_N 5
#define REG_SMALL_K 3
static const double reg_small_ref[16] = {
    0.69999999999999996, 0.55000000000000004, 0.74161984870956632, 0.66463414634146345, 0, 0, 0,
    1, 0.34999999999999998, 0.26250000000000001, 0.51234753829797997, 0, 0.34999999999999992,
    0.27083333333333331, 0.41798912900251545, 0.55487804878048774
};
/* the first sample alone: R^2 NaN */
static const double reg_one_ref[16] = {
    0.5, 0.25, 0.5, NAN, 0, 0, 0, NAN, 0.5, 0.25, 0.5, NAN, 0.33333333333333331,
    0.16666666666666666, 0.33333333333333331, NAN
};
/* output 0 alone (k = 1) */
static const double reg_col0_ref[8] = {
    0.69999999999999996, 0.55000000000000004, 0.74161984870956632, 0.66463414634146345,
    0.69999999999999996, 0.55000000000000004, 0.74161984870956632, 0.66463414634146345
};
#define REG_RAND_N 300
#define REG_RAND_K 4
#define REG_RAND_SEED 2024u
static const double reg_rand_ref[20] = {
    0.11942620694637299, 0.019096393274796841, 0.1381897003209604, 0.99660659336608282,
    0.47161593755086262, 0.30318881159391564, 0.55062583629349948, 0.94506136495944937,
    1.9384127394358317, 5.1038732357042269, 2.2591753441696878, 0.0037936013498538479,
    0.24645089467366538, 0.081786456354129775, 0.2859833148177176, 0, 0.69397644465168318,
    1.3769862242317672, 0.80849354890046632, 0.48636538991884648
};
/* END metrics_ref.py */
/* clang-format on */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* metrics_ref.py's Lcg: Numerical Recipes' constants; unit() is the top 24
   bits over 2^24, exact in float. */
static uint32_t lcg_state;

static uint32_t lcg_bits24(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

static float lcg_unit(void) { return (float)lcg_bits24() / 16777216.0f; }

/* sklearn computes in double from the same float inputs; runtime/metrics.c
   too, but may sum in another order (numpy sums pairwise), so allow a few
   ulps of the sums. */
#define TOL 1e-12

static void near(double got, double want, const char *what)
{
    if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= TOL * (1 + fabs(want))))
        fail_msg("%s: got %.17g, want %.17g (scikit-learn)", what, got, want);
}

static void near_prf(rt_prf got, const double *want, const char *what)
{
    char w[64];
    snprintf(w, sizeof w, "%s precision", what);
    near(got.precision, want[0], w);
    snprintf(w, sizeof w, "%s recall", what);
    near(got.recall, want[1], w);
    snprintf(w, sizeof w, "%s f1", what);
    near(got.f1, want[2], w);
}

/* What a report function prints, as a malloc'd string. */
#define CAPTURE(buf, call)                          \
    do {                                            \
        size_t len_ = 0;                            \
        FILE *f = open_memstream(&(buf), &len_);    \
        assert_non_null(f);                         \
        call;                                       \
        assert_int_equal(fclose(f), 0);             \
        assert_non_null(buf);                       \
    } while (0)

/* ------------------------------------------------------------------ */
/* ROC AUC                                                             */
/* ------------------------------------------------------------------ */

static void test_auc_small_with_ties(void **state)
{
    (void)state;
    near(rt_roc_auc(auc_small_score, auc_small_pos, 10), AUC_SMALL, "auc, 10 with ties");
}

static void test_auc_perfect_inverted_tied(void **state)
{
    (void)state;
    float grid[20], flat[20];
    unsigned char top[20], bottom[20];
    for (int i = 0; i < 20; i++) {
        grid[i] = (float)i / 32.0f;
        flat[i] = 0.5f;
        top[i] = i >= 12;
        bottom[i] = i < 12;
    }
    near(rt_roc_auc(grid, top, 20), AUC_PERFECT, "perfect");
    near(rt_roc_auc(grid, bottom, 20), AUC_INVERTED, "inverted");
    near(rt_roc_auc(flat, top, 20), AUC_ALL_TIED, "all tied");
}

static void test_auc_random(void **state)
{
    (void)state;
    enum { N = AUC_TIES_N > AUC_CONT_N ? AUC_TIES_N : AUC_CONT_N };
    float score[N];
    unsigned char pos[N];
    /* metrics_ref.py rand_auc_ties: a 1/64 grid, positives 16/64 higher */
    lcg_state = AUC_TIES_SEED;
    for (int i = 0; i < AUC_TIES_N; i++) {
        pos[i] = lcg_unit() < 0.4f;
        score[i] = (float)((int)(lcg_unit() * 48.0f) + 16 * pos[i]) / 64.0f;
    }
    near(rt_roc_auc(score, pos, AUC_TIES_N), AUC_TIES, "auc, 500 on a grid");
    /* rand_auc_cont */
    lcg_state = AUC_CONT_SEED;
    for (int i = 0; i < AUC_CONT_N; i++) {
        pos[i] = lcg_unit() < 0.5f;
        score[i] = lcg_unit();
    }
    near(rt_roc_auc(score, pos, AUC_CONT_N), AUC_CONT, "auc, 400 continuous");
}

/* sklearn raises ValueError ("Only one class present in y_true"); NaN here.
   Also NaN for what sklearn refuses as input. */
static void test_auc_undefined(void **state)
{
    (void)state;
    const float s[4] = {0.1f, 0.9f, 0.4f, 0.4f};
    const unsigned char ones[4] = {1, 1, 1, 1}, zeros[4] = {0, 0, 0, 0}, mixed[4] = {0, 1, 0, 1};
    assert_true(isnan(rt_roc_auc(s, ones, 4)));
    assert_true(isnan(rt_roc_auc(s, zeros, 4)));
    assert_true(isnan(rt_roc_auc(s, mixed, 0)));
    assert_true(isnan(rt_roc_auc(s, mixed, -1)));
    assert_true(isnan(rt_roc_auc(NULL, mixed, 4)));
    assert_true(isnan(rt_roc_auc(s, NULL, 4)));
    const float with_nan[4] = {0.1f, NAN, 0.4f, 0.4f};
    assert_true(isnan(rt_roc_auc(with_nan, mixed, 4)));
    assert_false(isnan(rt_roc_auc(s, mixed, 4)));   /* so the NaN above is the NaN score's */
}

/* ------------------------------------------------------------------ */
/* Binary                                                              */
/* ------------------------------------------------------------------ */

/* ref: tp, fp, fn, tn, accuracy, precision, recall, f1, auc */
static void check_binary(rt_binary_metrics m, const double *ref, long n, const char *what)
{
    if (m.error)
        fail_msg("%s: error %s", what, m.error);
    assert_int_equal(m.n, n);
    assert_int_equal(m.tp, (long)ref[0]);
    assert_int_equal(m.fp, (long)ref[1]);
    assert_int_equal(m.fn, (long)ref[2]);
    assert_int_equal(m.tn, (long)ref[3]);
    near(m.accuracy, ref[4], what);
    near(m.precision, ref[5], what);
    near(m.recall, ref[6], what);
    near(m.f1, ref[7], what);
    near(m.auc, ref[8], what);
}

static void test_binary_small(void **state)
{
    (void)state;
    check_binary(rt_metrics_binary(bin_small_prob, bin_small_truth, 12), bin_small_ref, 12, "binary 12");
}

/* zero_division=0: nothing predicted 1 gives precision 0 (0/0) and F1 0;
   with no true 1 either, recall is 0/0 = 0 and AUC undefined. */
static void test_binary_zero_division(void **state)
{
    (void)state;
    const float prob[4] = {0.1f, 0.5f, 0.3f, 0.2f};
    const float truth[4] = {1, 0, 1, 0}, zeros[4] = {0, 0, 0, 0};
    check_binary(rt_metrics_binary(prob, truth, 4), bin_nopred_ref, 4, "nothing predicted 1");
    check_binary(rt_metrics_binary(prob, zeros, 4), bin_noclass_ref, 4, "no class 1 at all");
}

static void test_binary_random(void **state)
{
    (void)state;
    float prob[BIN_RAND_N], truth[BIN_RAND_N];
    lcg_state = BIN_RAND_SEED;   /* metrics_ref.py rand_binary */
    for (int i = 0; i < BIN_RAND_N; i++) {
        int t = lcg_unit() < 0.35f;
        truth[i] = (float)t;
        prob[i] = (float)((int)(lcg_unit() * 40.0f) + 24 * t) / 64.0f;
    }
    check_binary(rt_metrics_binary(prob, truth, BIN_RAND_N), bin_rand_ref, BIN_RAND_N, "binary 300");
}

/* The metric rows are sklearn's classification_report text, character for
   character; the matrix holds the counts; the AUC row its value. */
static void test_binary_report_text(void **state)
{
    (void)state;
    char *s = NULL;
    CAPTURE(s, rt_report_binary(f, bin_small_prob, bin_small_truth, 12));
    const char *want =
        "confusion matrix (rows: true class, columns: predicted class; 1 when p > 0.5)\n"
        "true\\pred     0     1\n"
        "        0     4     2\n"
        "        1     3     3\n"
        "\n";
    size_t lw = strlen(want), ls = strlen(bin_small_sklearn_text);
    if (strncmp(s, want, lw) != 0 || strncmp(s + lw, bin_small_sklearn_text, ls) != 0)
        fail_msg("got:\n%s\nwant the matrix:\n%s\nthen (sklearn):\n%s", s, want, bin_small_sklearn_text);
    /* AUC 0.75 (bin_small_ref[8]) */
    assert_string_equal(s + lw + ls, "     roc auc                         0.7500        12\n");
    free(s);
}

static void test_binary_report_one_class(void **state)
{
    (void)state;
    const float prob[4] = {0.1f, 0.5f, 0.3f, 0.9f}, ones[4] = {1, 1, 1, 1};
    char *s = NULL;
    CAPTURE(s, rt_report_binary(f, prob, ones, 4));
    assert_non_null(strstr(s, "     roc auc                            n/a         4\n"));
    assert_non_null(strstr(s, "note: ROC AUC is undefined: every sample is of class 1\n"));
    assert_null(strstr(s, "nan"));
    free(s);
}

/* ------------------------------------------------------------------ */
/* Multi-label                                                         */
/* ------------------------------------------------------------------ */

/* ref: per label p, r, f1, support; micro, macro, weighted, samples
   (p, r, f1); subset accuracy; 1 - hamming loss. */
static void check_multilabel(rt_multilabel_metrics m, const rt_label_metrics *lab, const double *ref,
                             long n, int k)
{
    if (m.error)
        fail_msg("multi-label: error %s", m.error);
    assert_int_equal(m.n, n);
    assert_int_equal(m.k, k);
    long support = 0;
    for (int j = 0; j < k; j++) {
        const double *r = ref + 4 * j;
        near_prf(lab[j].s, r, "label");
        assert_int_equal(lab[j].support, (long)r[3]);
        assert_int_equal(lab[j].tp + lab[j].fn, lab[j].support);
        assert_int_equal(lab[j].tp + lab[j].fp + lab[j].fn + lab[j].tn, n);
        support += lab[j].support;
    }
    assert_int_equal(m.support, support);
    const double *r = ref + 4 * k;
    near_prf(m.micro, r, "micro");
    near_prf(m.macro, r + 3, "macro");
    near_prf(m.weighted, r + 6, "weighted");
    near_prf(m.samples, r + 9, "samples");
    near(m.subset_accuracy, r[12], "subset accuracy");
    near(m.label_accuracy, r[13], "1 - hamming loss");
}

static void test_multilabel_small(void **state)
{
    (void)state;
    rt_label_metrics lab[ML_SMALL_K];
    rt_multilabel_metrics m = rt_metrics_multilabel(ml_small_prob, ml_small_truth, ML_SMALL_N,
                                                    ML_SMALL_K, lab);
    check_multilabel(m, lab, ml_small_ref, ML_SMALL_N, ML_SMALL_K);
    /* without per_label: the same averages */
    rt_multilabel_metrics m2 = rt_metrics_multilabel(ml_small_prob, ml_small_truth, ML_SMALL_N,
                                                     ML_SMALL_K, NULL);
    assert_null(m2.error);
    assert_memory_equal(&m2.samples, &m.samples, sizeof m.samples);
    assert_memory_equal(&m2.weighted, &m.weighted, sizeof m.weighted);
}

/* No true label anywhere: support 0, recall 0/0, weighted average 0. */
static void test_multilabel_no_true_label(void **state)
{
    (void)state;
    float prob[3][2], truth[3][2] = { { 0 } };
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            prob[i][j] = ml_small_prob[i * ML_SMALL_K + j];
    rt_label_metrics lab[2];
    check_multilabel(rt_metrics_multilabel(&prob[0][0], &truth[0][0], 3, 2, lab), lab, ml_none_ref, 3, 2);
}

static void test_multilabel_random(void **state)
{
    (void)state;
    static float prob[ML_RAND_N][ML_RAND_K], truth[ML_RAND_N][ML_RAND_K];
    lcg_state = ML_RAND_SEED;   /* metrics_ref.py rand_multilabel */
    for (int i = 0; i < ML_RAND_N; i++)
        for (int j = 0; j < ML_RAND_K; j++) {
            int t = lcg_unit() < ml_rand_rates[j];
            truth[i][j] = (float)t;
            prob[i][j] = (float)((int)(lcg_unit() * 44.0f) + 20 * t) / 64.0f;
        }
    rt_label_metrics lab[ML_RAND_K];
    rt_multilabel_metrics m = rt_metrics_multilabel(&prob[0][0], &truth[0][0], ML_RAND_N, ML_RAND_K, lab);
    check_multilabel(m, lab, ml_rand_ref, ML_RAND_N, ML_RAND_K);
}

/* sklearn's classification_report text, then the two accuracies. */
static void test_multilabel_report_text(void **state)
{
    (void)state;
    char *s = NULL;
    CAPTURE(s, rt_report_multilabel(f, ml_small_prob, ml_small_truth, ML_SMALL_N, ML_SMALL_K));
    size_t len = strlen(ml_small_sklearn_text);
    if (strncmp(s, ml_small_sklearn_text, len) != 0)
        fail_msg("got:\n%s\nwant (sklearn):\n%s", s, ml_small_sklearn_text);
    /* subset accuracy 2/7 of 7 samples, label accuracy 22/28 of 28 labels */
    assert_string_equal(s + len,
                        "\n"
                        " exact match                         0.2857         7\n"
                        "   label acc                         0.7857        28\n");
    free(s);
}

/* ------------------------------------------------------------------ */
/* Regression                                                          */
/* ------------------------------------------------------------------ */

/* ref: per output mae, mse, rmse, r2; then the uniform averages. */
static void check_regression(rt_regression_metrics m, const rt_regression_scores *out,
                             const double *ref, long n, int k)
{
    if (m.error)
        fail_msg("regression: error %s", m.error);
    assert_int_equal(m.n, n);
    assert_int_equal(m.k, k);
    for (int j = 0; j < k; j++) {
        const double *r = ref + 4 * j;
        near(out[j].mae, r[0], "mae");
        near(out[j].mse, r[1], "mse");
        near(out[j].rmse, r[2], "rmse");
        near(out[j].r2, r[3], "r2");
    }
    const double *r = ref + 4 * k;
    near(m.mae, r[0], "average mae");
    near(m.mse, r[1], "average mse");
    near(m.rmse, r[2], "average rmse");
    near(m.r2, r[3], "average r2");
}

/* Output 1 constant and exact (R^2 1), output 2 constant with errors (0). */
static void test_regression_small(void **state)
{
    (void)state;
    rt_regression_scores out[REG_SMALL_K];
    check_regression(rt_metrics_regression(reg_small_pred, reg_small_truth, REG_SMALL_N, REG_SMALL_K, out),
                     out, reg_small_ref, REG_SMALL_N, REG_SMALL_K);
    /* one sample: R^2 is not defined (NaN), the rest is */
    check_regression(rt_metrics_regression(reg_small_pred, reg_small_truth, 1, REG_SMALL_K, out),
                     out, reg_one_ref, 1, REG_SMALL_K);
    /* k = 1: output 0 alone */
    float p0[REG_SMALL_N], t0[REG_SMALL_N];
    for (int i = 0; i < REG_SMALL_N; i++) {
        p0[i] = reg_small_pred[i * REG_SMALL_K];
        t0[i] = reg_small_truth[i * REG_SMALL_K];
    }
    check_regression(rt_metrics_regression(p0, t0, REG_SMALL_N, 1, out), out, reg_col0_ref, REG_SMALL_N, 1);
}

static void test_regression_random(void **state)
{
    (void)state;
    static float pred[REG_RAND_N][REG_RAND_K], truth[REG_RAND_N][REG_RAND_K];
    const float scale[4] = {0.25f, 1.0f, 4.0f, 0.5f};
    lcg_state = REG_RAND_SEED;   /* metrics_ref.py rand_regression */
    for (int i = 0; i < REG_RAND_N; i++)
        for (int j = 0; j < REG_RAND_K; j++) {
            float t = ((float)lcg_bits24() - 8388608.0f) / 2097152.0f;
            float e = ((float)lcg_bits24() - 8388608.0f) / 8388608.0f * scale[j];
            if (j == 3)
                t = 2.5f;
            truth[i][j] = t;
            pred[i][j] = t + e;
        }
    rt_regression_scores out[REG_RAND_K];
    rt_regression_metrics m = rt_metrics_regression(&pred[0][0], &truth[0][0], REG_RAND_N, REG_RAND_K, out);
    check_regression(m, out, reg_rand_ref, REG_RAND_N, REG_RAND_K);
    /* the constant column with errors: R^2 0 (force_finite), not -inf */
    assert_true(out[3].r2 == 0.0);
    /* uniform average of RMSEs, not the root of the average MSE */
    assert_true(fabs(m.rmse - sqrt(m.mse)) > 1e-3);
}

/* Values from reg_small_ref, to 4 decimals. */
static void test_regression_report_text(void **state)
{
    (void)state;
    char *s = NULL;
    CAPTURE(s, rt_report_regression(f, reg_small_pred, reg_small_truth, REG_SMALL_N, REG_SMALL_K));
    assert_string_equal(s,
        "                    mae       mse      rmse        r2   samples\n"
        "\n"
        "           0     0.7000    0.5500    0.7416    0.6646         5\n"
        "           1     0.0000    0.0000    0.0000    1.0000         5\n"
        "           2     0.3500    0.2625    0.5123    0.0000         5\n"
        "\n"
        "     overall     0.3500    0.2708    0.4180    0.5549         5\n");
    free(s);
    /* k = 1: the overall row only */
    CAPTURE(s, rt_report_regression(f, reg_small_pred, reg_small_truth, REG_SMALL_N * REG_SMALL_K, 1));
    assert_int_equal(strncmp(s, "                    mae", 23), 0);
    assert_null(strstr(s, "           0 "));
    assert_non_null(strstr(s, "\n     overall "));
    free(s);
}

/* ------------------------------------------------------------------ */
/* Errors: one "error:" line, no crash                                 */
/* ------------------------------------------------------------------ */

static void expect_error_line(char *s, const char *want)
{
    if (strncmp(s, "error: ", 7) != 0 || !strstr(s, want) || strchr(s, '\n') != s + strlen(s) - 1)
        fail_msg("want one line 'error: ...%s...', got:\n%s", want, s);
    free(s);
}

static void test_errors(void **state)
{
    (void)state;
    const float x[4] = {0.1f, 0.7f, 0.3f, 0.9f};
    char *s = NULL;
    CAPTURE(s, rt_report_binary(f, x, x, 0));
    expect_error_line(s, "binary report: no samples");
    CAPTURE(s, rt_report_binary(f, NULL, x, 4));
    expect_error_line(s, "binary report: no data");
    CAPTURE(s, rt_report_binary(f, x, NULL, 4));
    expect_error_line(s, "no data");
    CAPTURE(s, rt_report_multilabel(f, x, x, 0, 2));
    expect_error_line(s, "multi-label report: no samples");
    CAPTURE(s, rt_report_multilabel(f, x, x, 2, 0));
    expect_error_line(s, "multi-label report: no labels");
    CAPTURE(s, rt_report_multilabel(f, NULL, x, 2, 2));
    expect_error_line(s, "no data");
    CAPTURE(s, rt_report_regression(f, x, x, -3, 1));
    expect_error_line(s, "regression report: no samples");
    CAPTURE(s, rt_report_regression(f, x, x, 4, 0));
    expect_error_line(s, "regression report: no outputs");
    CAPTURE(s, rt_report_regression(f, x, NULL, 4, 1));
    expect_error_line(s, "no data");
    /* sizes no array can have are refused before anything is read */
    CAPTURE(s, rt_report_multilabel(f, x, x, LONG_MAX / 2, 4));
    expect_error_line(s, "too many samples");
    CAPTURE(s, rt_report_regression(f, x, x, LONG_MAX, 1));
    expect_error_line(s, "too many samples");
    /* no stream: nothing happens */
    rt_report_binary(NULL, x, x, 4);
    rt_report_multilabel(NULL, x, x, 2, 2);
    rt_report_regression(NULL, x, x, 4, 1);

    /* the struct variants carry the reason and NaN values */
    rt_binary_metrics b = rt_metrics_binary(x, x, 0);
    assert_string_equal(b.error, "no samples");
    assert_true(isnan(b.accuracy) && isnan(b.auc) && b.tp == 0);
    rt_multilabel_metrics ml = rt_metrics_multilabel(NULL, x, 2, 2, NULL);
    assert_non_null(ml.error);
    assert_true(isnan(ml.micro.f1) && isnan(ml.subset_accuracy));
    rt_regression_metrics r = rt_metrics_regression(x, x, 4, -1, NULL);
    assert_non_null(r.error);
    assert_true(isnan(r.r2) && isnan(r.rmse));
}

/* LONG_MAX samples: the sort array (8 bytes a sample) has no size_t size,
   which takes the path of a failed malloc, and nothing may be read from the
   4-element arrays before that is known (ASan would stop the test).  A real
   malloc failure is not provoked: under ASan a huge request aborts unless
   allocator_may_return_null=1, and it prints warnings even then. */
static void test_binary_out_of_memory(void **state)
{
    (void)state;
    const float x[4] = {0.1f, 0.7f, 0.3f, 0.9f};
    long n = LONG_MAX;
    assert_true(isnan(rt_roc_auc(x, (const unsigned char *)x, n)));
    rt_binary_metrics b = rt_metrics_binary(x, x, n);
    assert_string_equal(b.error, "out of memory");
    char *s = NULL;
    CAPTURE(s, rt_report_binary(f, x, x, n));
    expect_error_line(s, "binary report: out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_small_with_ties),
        cmocka_unit_test(test_auc_perfect_inverted_tied),
        cmocka_unit_test(test_auc_random),
        cmocka_unit_test(test_auc_undefined),
        cmocka_unit_test(test_binary_small),
        cmocka_unit_test(test_binary_zero_division),
        cmocka_unit_test(test_binary_random),
        cmocka_unit_test(test_binary_report_text),
        cmocka_unit_test(test_binary_report_one_class),
        cmocka_unit_test(test_multilabel_small),
        cmocka_unit_test(test_multilabel_no_true_label),
        cmocka_unit_test(test_multilabel_random),
        cmocka_unit_test(test_multilabel_report_text),
        cmocka_unit_test(test_regression_small),
        cmocka_unit_test(test_regression_random),
        cmocka_unit_test(test_regression_report_text),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_binary_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
