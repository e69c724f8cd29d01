#!/usr/bin/python3
"""metrics_ref.py - scikit-learn's numbers for tests/test_metrics.c.

Prints a block of C: the fixed small inputs, the parameters of the
pseudo-random ones (a 32-bit LCG that the test regenerates bit for bit),
and what sklearn.metrics computes for each, to 17 digits.  The block is
pasted into tests/test_metrics.c between its "BEGIN metrics_ref.py" and
"END metrics_ref.py" lines; regenerate and diff with

    /usr/bin/python3 tests/reference/metrics_ref.py > /tmp/ref.c
    sed -n '/BEGIN metrics_ref.py/,/END metrics_ref.py/p' tests/test_metrics.c | diff - /tmp/ref.c

Needs Debian's python3-sklearn (apt-get install python3-sklearn); the
test itself needs no Python.  It does not use seqc's C code
(runtime/metrics.c): only the inputs and the thresholds are shared, and
the thresholds are Keras's, which sklearn leaves to the caller:
predicted 1 when p > 0.5, true 1 when t >= 0.5.

Every input is a float32 value (what the C code sees), passed to sklearn
as float64 so that sklearn's arithmetic is in double throughout, as
runtime/metrics.c's is.
"""
import sys
import textwrap
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

warnings.simplefilter("ignore")   # sklearn's UndefinedMetricWarning for n == 1


# ---- the generator the C test repeats (tests/test_metrics.c: lcg_*) ----------

class Lcg:
    """Numerical Recipes' 32-bit LCG; unit() is the top 24 bits / 2^24, an
    exact float32 in [0, 1)."""

    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFF

    def next(self):
        self.s = (self.s * 1664525 + 1013904223) & 0xFFFFFFFF
        return self.s

    def bits24(self):
        return self.next() >> 8

    def unit(self):
        return np.float32(self.bits24()) / np.float32(16777216.0)


def f32(values):
    return np.asarray(values, dtype=np.float32)


def pred1(p):
    return (np.asarray(p, dtype=np.float32) > np.float32(0.5)).astype(int)


def true1(t):
    return (np.asarray(t, dtype=np.float32) >= np.float32(0.5)).astype(int)


# ---- the random inputs (the C test builds the same arrays) -----------------

def rand_auc_ties(n, seed):
    """Scores on a grid of 1/64 (many ties), positives shifted up by 16/64."""
    g = Lcg(seed)
    pos, score = [], []
    for _ in range(n):
        p = int(g.unit() < np.float32(0.4))
        q = int(g.unit() * np.float32(48.0)) + 16 * p
        pos.append(p)
        score.append(np.float32(q) / np.float32(64.0))
    return f32(score), np.array(pos)


def rand_auc_cont(n, seed):
    g = Lcg(seed)
    pos, score = [], []
    for _ in range(n):
        pos.append(int(g.unit() < np.float32(0.5)))
        score.append(g.unit())
    return f32(score), np.array(pos)


def rand_binary(n, seed):
    """truth 0/1 with P(1) = 0.35; prob on a 1/64 grid, 0.5 included."""
    g = Lcg(seed)
    prob, truth = [], []
    for _ in range(n):
        t = int(g.unit() < np.float32(0.35))
        q = int(g.unit() * np.float32(40.0)) + 24 * t
        truth.append(np.float32(t))
        prob.append(np.float32(q) / np.float32(64.0))
    return f32(prob), f32(truth)


ML_RATES = [0.5, 0.3, 0.1, 0.7, 0.02]


def rand_multilabel(n, seed):
    """k = len(ML_RATES) labels; label j is 1 with probability ML_RATES[j]."""
    g = Lcg(seed)
    k = len(ML_RATES)
    prob = np.zeros((n, k), np.float32)
    truth = np.zeros((n, k), np.float32)
    for i in range(n):
        for j in range(k):
            t = int(g.unit() < np.float32(ML_RATES[j]))
            q = int(g.unit() * np.float32(44.0)) + 20 * t
            truth[i, j] = t
            prob[i, j] = np.float32(q) / np.float32(64.0)
    return prob, truth


REG_K = 4


def rand_regression(n, seed):
    """Outputs 0-2: truth uniform in [-4, 4), pred = truth + noise of scale
    1/4, 1, 4; output 3: truth constant 2.5, pred 2.5 + noise (R^2 0)."""
    g = Lcg(seed)
    scale = [np.float32(0.25), np.float32(1.0), np.float32(4.0), np.float32(0.5)]
    pred = np.zeros((n, REG_K), np.float32)
    truth = np.zeros((n, REG_K), np.float32)
    for i in range(n):
        for j in range(REG_K):
            t = (np.float32(g.bits24()) - np.float32(8388608.0)) / np.float32(2097152.0)
            e = (np.float32(g.bits24()) - np.float32(8388608.0)) / np.float32(8388608.0) * scale[j]
            if j == 3:
                t = np.float32(2.5)
            truth[i, j] = t
            pred[i, j] = np.float32(t + e)
    return pred, truth


# ---- the fixed small inputs ---------------------------------------------------

# AUC with ties across the classes (0.4 three times, 0.1 twice).
AUC_SCORE = f32([0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1, 0.65, 0.2])
AUC_POS = np.array([0, 0, 1, 1, 1, 0, 1, 1, 0, 0])

# Binary: three probabilities exactly 0.5 (predicted 0); truths as smoothed
# labels would have them, 0.5 among them (class 1) and 0.45 (class 0).
BIN_PROB = f32([0.9, 0.5, 0.2, 0.7, 0.5, 0.1, 0.6, 0.4, 0.5, 0.95, 0.3, 0.55])
BIN_TRUTH = f32([1, 0.5, 0, 0.1, 0, 0, 0.9, 1, 1, 1, 0.45, 0])

# Multi-label, 7 x 4: label 2 is never true, label 3 never predicted, sample
# 5 has no true and no predicted label, sample 6 is all right.
ML_PROB = f32([
    [0.9, 0.2, 0.1, 0.4],
    [0.6, 0.7, 0.8, 0.3],
    [0.3, 0.9, 0.2, 0.5],
    [0.8, 0.1, 0.4, 0.2],
    [0.2, 0.6, 0.3, 0.1],
    [0.1, 0.2, 0.3, 0.4],
    [0.7, 0.8, 0.1, 0.2],
])
ML_TRUTH = f32([
    [1, 0, 0, 1],
    [1, 1, 0, 0],
    [0, 1, 0, 1],
    [0, 0, 0, 0],
    [1, 1, 0, 1],
    [0, 0, 0, 0],
    [1, 1, 0, 0],
])

# Regression, 5 x 3: output 1 has a constant truth predicted exactly
# (R^2 1), output 2 a constant truth predicted with errors (R^2 0).
REG_PRED = f32([
    [1.0, 2.0, 3.5],
    [2.5, 2.0, 3.0],
    [2.0, 2.0, 2.0],
    [4.5, 2.0, 3.0],
    [4.0, 2.0, 3.25],
])
REG_TRUTH = f32([
    [1.5, 2.0, 3.0],
    [2.0, 2.0, 3.0],
    [3.0, 2.0, 3.0],
    [4.0, 2.0, 3.0],
    [5.0, 2.0, 3.0],
])


# ---- printing -----------------------------------------------------------------

def c_num(x):
    x = float(x)
    if np.isnan(x):
        return "NAN"
    return "%.17g" % x


def c_float(v):
    """A C float literal that reads back as exactly v (9 digits)."""
    s = "%.9g" % float(v)
    return s + ("f" if "." in s or "e" in s else ".0f")


def c_section(text):
    print("\n" + textwrap.fill("/* " + text + " */", 100, subsequent_indent="   "))


def c_array(ctype, name, items):
    print("static const %s %s[%d] = {" % (ctype, name, len(items)))
    print(textwrap.fill(", ".join(items), 96, initial_indent="    ", subsequent_indent="    "))
    print("};")


def c_floats(name, a):
    c_array("float", name, [c_float(v) for v in np.asarray(a, dtype=np.float32).ravel()])


def c_uchars(name, a):
    c_array("unsigned char", name, [str(int(v)) for v in np.asarray(a).ravel()])


def c_doubles(name, a, comment=None):
    if comment:
        print("/* %s */" % comment)
    c_array("double", name, [c_num(v) for v in a])


def c_string(name, text):
    print("static const char %s[] =" % name)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == len(lines) - 1 and line == "":
            break
        nl = "\\n" if i < len(lines) - 1 else ""
        print('    "%s%s"' % (line.replace("\\", "\\\\").replace('"', '\\"'), nl))
    print("    ;")


def auc(score, pos):
    try:
        return skm.roc_auc_score(pos, np.asarray(score, dtype=np.float64))
    except ValueError:
        return float("nan")   # sklearn: "Only one class present in y_true"


def binary_numbers(prob, truth):
    """tp fp fn tn accuracy precision recall f1 auc"""
    y, p = true1(truth), pred1(prob)
    tn, fp, fn, tp = skm.confusion_matrix(y, p, labels=[0, 1]).ravel()
    return [tp, fp, fn, tn,
            skm.accuracy_score(y, p),
            skm.precision_score(y, p, zero_division=0),
            skm.recall_score(y, p, zero_division=0),
            skm.f1_score(y, p, zero_division=0),
            auc(prob, y)]


BIN_DOC = "tp, fp, fn, tn, accuracy, precision, recall, f1, auc"


def multilabel_numbers(prob, truth):
    """per label (p, r, f1, support)..., then micro, macro, weighted, samples
    (p, r, f1), subset accuracy, 1 - hamming loss"""
    y, p = true1(truth), pred1(prob)
    out = []
    per = skm.precision_recall_fscore_support(y, p, zero_division=0)
    for j in range(y.shape[1]):
        out += [per[0][j], per[1][j], per[2][j], per[3][j]]
    for avg in ("micro", "macro", "weighted", "samples"):
        out += list(skm.precision_recall_fscore_support(y, p, average=avg, zero_division=0)[:3])
    out += [skm.accuracy_score(y, p), 1.0 - skm.hamming_loss(y, p)]
    return out


ML_DOC = ("per label: precision, recall, f1, support; then micro, macro, weighted, samples: "
          "precision, recall, f1; then subset accuracy, 1 - hamming_loss")


def regression_numbers(pred, truth):
    """per output (mae, mse, rmse, r2)..., then the uniform averages"""
    t = np.asarray(truth, dtype=np.float64)
    p = np.asarray(pred, dtype=np.float64)
    t2 = t.reshape(len(t), -1)
    p2 = p.reshape(len(p), -1)
    out = []
    for mo in ("raw_values", "uniform_average"):
        mae = np.atleast_1d(skm.mean_absolute_error(t2, p2, multioutput=mo))
        mse = np.atleast_1d(skm.mean_squared_error(t2, p2, multioutput=mo))
        rmse = np.atleast_1d(skm.mean_squared_error(t2, p2, multioutput=mo, squared=False))
        # n < 2: sklearn returns one NaN whatever multioutput is
        r2 = np.broadcast_to(skm.r2_score(t2, p2, multioutput=mo, force_finite=True), mae.shape)
        for j in range(len(mae)):
            out += [mae[j], mse[j], rmse[j], r2[j]]
    return out


REG_DOC = "per output: mae, mse, rmse, r2; then the uniform averages of the four"


def main():
    print("/* BEGIN metrics_ref.py (scikit-learn %s, numpy %s) */" % (sklearn.__version__, np.__version__))

    c_section("ROC AUC (roc_auc_score)")
    c_floats("auc_small_score", AUC_SCORE)
    c_uchars("auc_small_pos", AUC_POS)
    print("#define AUC_SMALL %s" % c_num(auc(AUC_SCORE, AUC_POS)))
    # 20 scores i/32: positives i >= 12 (perfect), i < 12 (inverted); all tied
    grid = f32([i / 32 for i in range(20)])
    top = np.array([int(i >= 12) for i in range(20)])
    print("/* scores i/32, i = 0..19; positive: i >= 12, i < 12; every score 0.5 */")
    print("#define AUC_PERFECT %s\n#define AUC_INVERTED %s\n#define AUC_ALL_TIED %s"
          % (c_num(auc(grid, top)), c_num(auc(grid, 1 - top)), c_num(auc(np.full(20, 0.5, np.float32), top))))
    s, p = rand_auc_ties(500, 12345)
    print("#define AUC_TIES_N 500\n#define AUC_TIES_SEED 12345u\n#define AUC_TIES %s" % c_num(auc(s, p)))
    s, p = rand_auc_cont(400, 777)
    print("#define AUC_CONT_N 400\n#define AUC_CONT_SEED 777u\n#define AUC_CONT %s" % c_num(auc(s, p)))

    c_section("binary: " + BIN_DOC)
    c_floats("bin_small_prob", BIN_PROB)
    c_floats("bin_small_truth", BIN_TRUTH)
    c_doubles("bin_small_ref", binary_numbers(BIN_PROB, BIN_TRUTH))
    y, pr = true1(BIN_TRUTH), pred1(BIN_PROB)
    rep = skm.classification_report(y, pr, digits=4, zero_division=0)
    # sklearn's rows 0, 1 and accuracy; rt_report_binary has no macro/weighted rows
    c_string("bin_small_sklearn_text", rep[:rep.index("   macro avg")])
    # zero division: nothing predicted 1 (precision 0/0), and no true 1 at all
    none = f32([0.1, 0.5, 0.3, 0.2])
    c_doubles("bin_nopred_ref", binary_numbers(none, f32([1, 0, 1, 0])), "prob {0.1, 0.5, 0.3, 0.2}, truth {1, 0, 1, 0}")
    c_doubles("bin_noclass_ref", binary_numbers(none, f32([0, 0, 0, 0])), "the same prob, truth all 0")
    prob, truth = rand_binary(300, 4242)
    print("#define BIN_RAND_N 300\n#define BIN_RAND_SEED 4242u")
    c_doubles("bin_rand_ref", binary_numbers(prob, truth))

    c_section("multi-label: " + ML_DOC)
    c_floats("ml_small_prob", ML_PROB)
    c_floats("ml_small_truth", ML_TRUTH)
    print("#define ML_SMALL_N %d\n#define ML_SMALL_K %d" % ML_PROB.shape)
    c_doubles("ml_small_ref", multilabel_numbers(ML_PROB, ML_TRUTH))
    c_string("ml_small_sklearn_text",
             skm.classification_report(true1(ML_TRUTH), pred1(ML_PROB), digits=4, zero_division=0))
    # no true label at all: sklearn's weighted average is zero_division (0)
    c_doubles("ml_none_ref", multilabel_numbers(ML_PROB[:3, :2], np.zeros((3, 2), np.float32)),
              "the first 3 x 2 of ml_small_prob, every truth 0")
    prob, truth = rand_multilabel(200, 99)
    print("#define ML_RAND_N 200\n#define ML_RAND_K %d\n#define ML_RAND_SEED 99u" % len(ML_RATES))
    print("static const float ml_rand_rates[%d] = {%s};" % (len(ML_RATES), ", ".join(c_float(r) for r in ML_RATES)))
    c_doubles("ml_rand_ref", multilabel_numbers(prob, truth))

    c_section("regression: " + REG_DOC)
    c_floats("reg_small_pred", REG_PRED)
    c_floats("reg_small_truth", REG_TRUTH)
    print("#define REG_SMALL_N %d\n#define REG_SMALL_K %d" % REG_PRED.shape)
    c_doubles("reg_small_ref", regression_numbers(REG_PRED, REG_TRUTH))
    c_doubles("reg_one_ref", regression_numbers(REG_PRED[:1], REG_TRUTH[:1]), "the first sample alone: R^2 NaN")
    c_doubles("reg_col0_ref", regression_numbers(REG_PRED[:, 0], REG_TRUTH[:, 0]), "output 0 alone (k = 1)")
    pred, truth = rand_regression(300, 2024)
    print("#define REG_RAND_N 300\n#define REG_RAND_K %d\n#define REG_RAND_SEED 2024u" % REG_K)
    c_doubles("reg_rand_ref", regression_numbers(pred, truth))
    print("/* END metrics_ref.py */")
    return 0


if __name__ == "__main__":
    sys.exit(main())
