/* metrics.c - ROC AUC and the binary, multi-label and regression reports.
 * See metrics.h for the definitions (scikit-learn's) and the layouts. */
#include "metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Shared pieces                                                       */
/* ------------------------------------------------------------------ */

/* Keras's thresholds: predicted 1 when p > 0.5 (y_pred > threshold in
   BinaryAccuracy, Precision, Recall); truth 1 when t >= 0.5, so labels
   stored as 0.0f/1.0f, or smoothed ones, read as meant. */
static int predicted_one(float p) { return p > 0.5f; }
static int truly_one(float t) { return t >= 0.5f; }

static double ratio(long num, long den)
{
    /* zero_division=0, as sklearn's zero_division=0: 0/0 scores 0. */
    return den > 0 ? (double)num / (double)den : 0.0;
}

/* Precision, recall and F1 of one set of counts.  F1 is 2tp / (2tp + fp +
   fn), sklearn's 2PR / (P + R) in closed form: the same where that is
   defined, and 0 when tp = 0 (zero_division=0; sklearn >= 1.3 computes it
   this way). */
static rt_prf prf(long tp, long fp, long fn)
{
    rt_prf s = { ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn) };
    return s;
}

/* sum += w * s, and s / d: the averages of precision, recall and F1,
   divided at the end as numpy's mean and average do. */
static void add_prf(rt_prf *sum, rt_prf s, double w)
{
    sum->precision += w * s.precision;
    sum->recall += w * s.recall;
    sum->f1 += w * s.f1;
}

static rt_prf div_prf(rt_prf s, double d)
{
    rt_prf r = { s.precision / d, s.recall / d, s.f1 / d };
    return r;
}

/* The metric rows use scikit-learn's layout, as report.c: a 12-wide
   right-aligned name (the width of "weighted avg"), then "  %9.4f"
   columns and the support. */
#define NAME_W 12

static void prf_row(FILE *f, const char *name, rt_prf s, long support)
{
    fprintf(f, "%*s  %9.4f %9.4f %9.4f %9ld\n", NAME_W, name, s.precision, s.recall, s.f1, support);
}

/* A single value in the f1-score column, as sklearn's "accuracy" row. */
static void value_row(FILE *f, const char *name, double v, long support)
{
    fprintf(f, "%*s  %9s %9s %9.4f %9ld\n", NAME_W, name, "", "", v, support);
}

static void prf_header(FILE *f)
{
    fprintf(f, "%*s  %9s %9s %9s %9s\n\n", NAME_W, "", "precision", "recall", "f1-score", "support");
}

/* True when n rows of k floats cannot be indexed with size_t (such arrays
   cannot exist, so the caller's n or k is wrong). */
static int too_big(long n, int k)
{
    return (size_t)n > SIZE_MAX / sizeof(float) / (size_t)k;
}

/* ------------------------------------------------------------------ */
/* ROC AUC                                                             */
/* ------------------------------------------------------------------ */

typedef struct scored {
    float s;
    unsigned char pos;
} scored;

static int by_score(const void *a, const void *b)
{
    float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);   /* no NaN here: auc_sorted's caller refuses them */
}

/* AUC of v[0..n) sorted in place.  Walking the scores upwards one tie group
   at a time, each positive of the group beats every negative below it and
   ties (half credit) with the group's negatives: U = sum over groups of
   pos_g * (neg_below + neg_g / 2), the Mann-Whitney U with average ranks,
   which is also the area under sklearn's roc_curve (ties are its diagonal
   steps).  U is summed in double: exact while P*N < 2^53. */
static double auc_sorted(scored *v, long n)
{
    qsort(v, (size_t)n, sizeof *v, by_score);
    double u = 0;
    long neg_below = 0, pos = 0;
    for (long i = 0; i < n;) {
        long pos_g = 0, neg_g = 0, j = i;
        do {                    /* v[i] at least, so the walk ends whatever the scores */
            pos_g += v[j].pos;
            neg_g += !v[j].pos;
        } while (++j < n && v[j].s == v[i].s);
        u += (double)pos_g * ((double)neg_below + 0.5 * (double)neg_g);
        neg_below += neg_g;
        pos += pos_g;
        i = j;
    }
    if (pos == 0 || neg_below == 0)
        return NAN;             /* one class only: sklearn raises ValueError */
    return u / ((double)pos * (double)neg_below);
}

/* Fills v[0..n) from the scores and a label per sample (positive[i] != 0,
   or truth[i] >= 0.5 when positive is NULL).  Returns 1 when a score is
   NaN: it has no place in the order, and sklearn refuses it. */
static int pairs_fill(scored *v, const float *score, const unsigned char *positive,
                      const float *truth, long n)
{
    int nan_seen = 0;
    for (long i = 0; i < n; i++) {
        v[i].s = score[i];
        v[i].pos = (unsigned char)(positive ? positive[i] != 0 : truly_one(truth[i]));
        nan_seen |= isnan(score[i]) != 0;
    }
    return nan_seen;
}

/* The sort's array, allocated before any input is read, so that an n too
   large for memory is reported rather than read past the caller's arrays. */
static scored *pairs_alloc(long n)
{
    return (size_t)n > SIZE_MAX / sizeof(scored) ? NULL : malloc((size_t)n * sizeof(scored));
}

double rt_roc_auc(const float *score, const unsigned char *positive, long n)
{
    if (!score || !positive || n < 1)
        return NAN;
    scored *v = pairs_alloc(n);
    if (!v)
        return NAN;
    double auc = pairs_fill(v, score, positive, NULL, n) ? NAN : auc_sorted(v, n);
    free(v);
    return auc;
}

/* ------------------------------------------------------------------ */
/* Binary                                                              */
/* ------------------------------------------------------------------ */

static rt_binary_metrics binary_error(const char *why)
{
    rt_binary_metrics m = { .error = why, .accuracy = NAN, .precision = NAN, .recall = NAN,
                            .f1 = NAN, .auc = NAN };
    return m;
}

/* The confusion counts and the scores at threshold 0.5, from the pairs
   (v[i].s is prob[i], v[i].pos the true class). */
static void binary_counts(rt_binary_metrics *m, const scored *v, long n)
{
    for (long i = 0; i < n; i++) {
        int p = predicted_one(v[i].s), t = v[i].pos;
        m->tp += p && t;
        m->fp += p && !t;
        m->fn += !p && t;
        m->tn += !p && !t;
    }
    rt_prf s = prf(m->tp, m->fp, m->fn);
    m->accuracy = ratio(m->tp + m->tn, n);
    m->precision = s.precision;
    m->recall = s.recall;
    m->f1 = s.f1;
}

rt_binary_metrics rt_metrics_binary(const float *prob, const float *truth, long n)
{
    if (n < 1)
        return binary_error("no samples");
    if (!prob || !truth)
        return binary_error("no data (NULL pointer)");
    scored *v = pairs_alloc(n);
    if (!v)
        return binary_error("out of memory");
    int nan_seen = pairs_fill(v, prob, NULL, truth, n);
    rt_binary_metrics m = { .n = n };
    binary_counts(&m, v, n);
    m.auc = nan_seen ? NAN : auc_sorted(v, n);   /* the sort comes last: it reorders v */
    free(v);
    return m;
}

static int digits_of(long v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* The 2x2 matrix as report.c prints rt_report_classes's: columns at least
   4 wide, or as wide as the largest count. */
static void binary_matrix(FILE *f, const rt_binary_metrics *m)
{
    long cell[2][2] = { { m->tn, m->fp }, { m->fn, m->tp } };
    long big = m->tn;
    for (int i = 0; i < 4; i++)
        if (cell[i / 2][i % 2] > big)
            big = cell[i / 2][i % 2];
    int cw = digits_of(big) > 4 ? digits_of(big) : 4;
    fprintf(f, "confusion matrix (rows: true class, columns: predicted class; 1 when p > 0.5)\n");
    fprintf(f, "true\\pred  %*d  %*d\n", cw, 0, cw, 1);
    for (int t = 0; t < 2; t++)
        fprintf(f, "%9d  %*ld  %*ld\n", t, cw, cell[t][0], cw, cell[t][1]);
}

void rt_report_binary(FILE *f, const float *prob, const float *truth, long n)
{
    if (!f)
        return;
    rt_binary_metrics m = rt_metrics_binary(prob, truth, n);
    if (m.error) {
        fprintf(f, "error: binary report: %s (n %ld)\n", m.error, n);
        return;
    }
    binary_matrix(f, &m);
    fputc('\n', f);
    prf_header(f);
    /* Class 0's row is the same formulas with the roles swapped. */
    prf_row(f, "0", prf(m.tn, m.fn, m.fp), m.tn + m.fp);
    prf_row(f, "1", prf(m.tp, m.fp, m.fn), m.tp + m.fn);
    fputc('\n', f);
    value_row(f, "accuracy", m.accuracy, n);
    if (isnan(m.auc)) {
        fprintf(f, "%*s  %9s %9s %9s %9ld\n", NAME_W, "roc auc", "", "", "n/a", n);
        fprintf(f, "note: ROC AUC is undefined: %s\n",
                m.tp + m.fn == 0 ? "no sample is of class 1"
                : m.tn + m.fp == 0 ? "every sample is of class 1" : "a probability is NaN");
    } else {
        value_row(f, "roc auc", m.auc, n);
    }
}

/* ------------------------------------------------------------------ */
/* Multi-label                                                         */
/* ------------------------------------------------------------------ */

static rt_multilabel_metrics multilabel_error(const char *why, long n, int k)
{
    rt_prf nan3 = { NAN, NAN, NAN };
    rt_multilabel_metrics m = { .error = why, .n = n, .k = k, .micro = nan3, .macro = nan3,
                                .weighted = nan3, .samples = nan3,
                                .subset_accuracy = NAN, .label_accuracy = NAN };
    return m;
}

/* One sample (row) of k labels: counts into the per-label totals, and its
   own precision / recall / F1 into the sums of the samples average.
   Returns 1 when every label is right. */
static int multilabel_row(const float *p, const float *t, int k, rt_label_metrics *lab, rt_prf *sum)
{
    long tp = 0, fp = 0, fn = 0;
    for (int j = 0; j < k; j++) {
        int pj = predicted_one(p[j]), tj = truly_one(t[j]);
        tp += pj && tj;
        fp += pj && !tj;
        fn += !pj && tj;
        lab[j].tp += pj && tj;
        lab[j].fp += pj && !tj;
        lab[j].fn += !pj && tj;
        lab[j].tn += !pj && !tj;
    }
    /* sklearn's 'samples' average: a sample with no true and no predicted
       label scores 0/0 = 0 on all three (zero_division=0). */
    add_prf(sum, prf(tp, fp, fn), 1.0);
    return fp == 0 && fn == 0;
}

/* Per-label scores and the micro, macro and weighted averages from the
   per-label counts. */
static void multilabel_averages(rt_multilabel_metrics *m, rt_label_metrics *lab)
{
    long tp = 0, fp = 0, fn = 0, tn = 0;
    rt_prf mac = { 0, 0, 0 }, w = { 0, 0, 0 };
    for (int j = 0; j < m->k; j++) {
        rt_label_metrics *l = &lab[j];
        l->support = l->tp + l->fn;
        l->s = prf(l->tp, l->fp, l->fn);
        tp += l->tp;
        fp += l->fp;
        fn += l->fn;
        tn += l->tn;
        add_prf(&mac, l->s, 1.0);
        add_prf(&w, l->s, (double)l->support);
    }
    m->support = tp + fn;
    m->micro = prf(tp, fp, fn);
    m->macro = div_prf(mac, m->k);
    /* No true label at all: every weight is 0, and so is sklearn's weighted
       average (zero_division); w is all zeros then. */
    m->weighted = div_prf(w, m->support > 0 ? (double)m->support : 1.0);
    m->label_accuracy = (double)(tp + tn) / ((double)m->n * m->k);
}

static const char *multilabel_check(const float *prob, const float *truth, long n, int k)
{
    if (n < 1)
        return "no samples";
    if (k < 1)
        return "no labels";
    if (!prob || !truth)
        return "no data (NULL pointer)";
    return too_big(n, k) ? "too many samples" : NULL;
}

rt_multilabel_metrics rt_metrics_multilabel(const float *prob, const float *truth, long n, int k,
                                            rt_label_metrics *per_label)
{
    const char *why = multilabel_check(prob, truth, n, k);
    if (why)
        return multilabel_error(why, n, k);
    /* The counts go straight into per_label when the caller has one. */
    rt_label_metrics *lab = per_label ? per_label : malloc((size_t)k * sizeof *lab);
    if (!lab)
        return multilabel_error("out of memory", n, k);
    for (int j = 0; j < k; j++)
        lab[j] = (rt_label_metrics){ 0 };

    rt_multilabel_metrics m = { .n = n, .k = k };
    rt_prf sum = { 0, 0, 0 };
    long exact = 0;
    for (long i = 0; i < n; i++) {
        size_t at = (size_t)i * (size_t)k;
        exact += multilabel_row(prob + at, truth + at, k, lab, &sum);
    }
    m.samples = div_prf(sum, (double)n);
    m.subset_accuracy = ratio(exact, n);
    multilabel_averages(&m, lab);
    if (lab != per_label)
        free(lab);
    return m;
}

void rt_report_multilabel(FILE *f, const float *prob, const float *truth, long n, int k)
{
    if (!f)
        return;
    const char *why = multilabel_check(prob, truth, n, k);
    rt_label_metrics *lab = why ? NULL : malloc((size_t)k * sizeof *lab);
    if (!why && !lab)
        why = "out of memory";
    rt_multilabel_metrics m = why ? multilabel_error(why, n, k)
                                  : rt_metrics_multilabel(prob, truth, n, k, lab);
    if (m.error) {
        fprintf(f, "error: multi-label report: %s (n %ld, k %d)\n", m.error, n, k);
        free(lab);
        return;
    }
    prf_header(f);
    for (int j = 0; j < k; j++) {
        char name[16];
        snprintf(name, sizeof name, "%d", j);
        prf_row(f, name, lab[j].s, lab[j].support);
    }
    fputc('\n', f);
    prf_row(f, "micro avg", m.micro, m.support);
    prf_row(f, "macro avg", m.macro, m.support);
    prf_row(f, "weighted avg", m.weighted, m.support);
    prf_row(f, "samples avg", m.samples, m.support);
    fputc('\n', f);
    value_row(f, "exact match", m.subset_accuracy, n);
    value_row(f, "label acc", m.label_accuracy, n * k);
    free(lab);
}

/* ------------------------------------------------------------------ */
/* Regression                                                          */
/* ------------------------------------------------------------------ */

/* Scores of output column j (stride k).  Two passes, as sklearn: the mean
   of the truth, then the sums around it, so a constant column has a
   denominator of exactly 0 (the float values are exact in double and
   n * v / n == v). */
static rt_regression_scores column_scores(const float *pred, const float *truth, long n, int k, int j)
{
    double mean = 0, abs_sum = 0, sq_sum = 0, dev_sum = 0;
    for (long i = 0; i < n; i++)
        mean += truth[(size_t)i * (size_t)k + (size_t)j];
    mean /= (double)n;
    for (long i = 0; i < n; i++) {
        size_t at = (size_t)i * (size_t)k + (size_t)j;
        double t = truth[at], e = t - (double)pred[at];
        abs_sum += fabs(e);
        sq_sum += e * e;
        dev_sum += (t - mean) * (t - mean);
    }
    rt_regression_scores s = { abs_sum / (double)n, sq_sum / (double)n, sqrt(sq_sum / (double)n), 0 };
    if (n < 2)
        s.r2 = NAN;             /* sklearn: not well-defined with less than two samples */
    else if (dev_sum != 0 && sq_sum != 0)
        s.r2 = 1.0 - sq_sum / dev_sum;
    else                        /* force_finite=True */
        s.r2 = sq_sum == 0 ? 1.0 : 0.0;
    return s;
}

static rt_regression_metrics regression_error(const char *why, long n, int k)
{
    rt_regression_metrics m = { .error = why, .n = n, .k = k, .mae = NAN, .mse = NAN,
                                .rmse = NAN, .r2 = NAN };
    return m;
}

static const char *regression_check(const float *pred, const float *truth, long n, int k)
{
    if (n < 1)
        return "no samples";
    if (k < 1)
        return "no outputs";
    if (!pred || !truth)
        return "no data (NULL pointer)";
    return too_big(n, k) ? "too many samples" : NULL;
}

static void regression_row(FILE *f, const char *name, rt_regression_scores s, long n)
{
    fprintf(f, "%*s  %9.4f %9.4f %9.4f %9.4f %9ld\n", NAME_W, name, s.mae, s.mse, s.rmse, s.r2, n);
}

/* Every output's scores, into per_output (optional) and printed as rows to
   rows (optional); returns their uniform average. */
static rt_regression_metrics regression_pass(const float *pred, const float *truth, long n, int k,
                                             rt_regression_scores *per_output, FILE *rows)
{
    rt_regression_metrics m = { .n = n, .k = k };
    for (int j = 0; j < k; j++) {
        rt_regression_scores s = column_scores(pred, truth, n, k, j);
        if (per_output)
            per_output[j] = s;
        if (rows) {
            char name[16];
            snprintf(name, sizeof name, "%d", j);
            regression_row(rows, name, s, n);
        }
        /* multioutput='uniform_average': the plain mean over outputs. */
        m.mae += s.mae;
        m.mse += s.mse;
        m.rmse += s.rmse;
        m.r2 += s.r2;
    }
    m.mae /= k;
    m.mse /= k;
    m.rmse /= k;
    m.r2 /= k;
    return m;
}

rt_regression_metrics rt_metrics_regression(const float *pred, const float *truth, long n, int k,
                                            rt_regression_scores *per_output)
{
    const char *why = regression_check(pred, truth, n, k);
    return why ? regression_error(why, n, k) : regression_pass(pred, truth, n, k, per_output, NULL);
}

void rt_report_regression(FILE *f, const float *pred, const float *truth, long n, int k)
{
    if (!f)
        return;
    const char *why = regression_check(pred, truth, n, k);
    if (why) {
        fprintf(f, "error: regression report: %s (n %ld, k %d)\n", why, n, k);
        return;
    }
    fprintf(f, "%*s  %9s %9s %9s %9s %9s\n\n", NAME_W, "", "mae", "mse", "rmse", "r2", "samples");
    /* One row per output only when there is more than one. */
    rt_regression_metrics m = regression_pass(pred, truth, n, k, NULL, k > 1 ? f : NULL);
    if (k > 1)
        fputc('\n', f);
    regression_row(f, "overall", (rt_regression_scores){ m.mae, m.mse, m.rmse, m.r2 }, n);
}
