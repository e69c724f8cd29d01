/* metrics.h - evaluation reports for the tasks other than single-label
 * classification (that one is report.h's rt_report_classes): binary
 * classification with a sigmoid output, multi-label classification with k
 * sigmoid outputs, and regression with k outputs.
 *
 * Every number follows scikit-learn's definition (1.2), so that a report
 * can be checked against sklearn.metrics on the same predictions:
 *
 *   ROC AUC            roc_auc_score (ties count half: Mann-Whitney U)
 *   precision, recall  precision_score / recall_score, zero_division=0
 *   F1                 f1_score = 2tp / (2tp + fp + fn), zero_division=0
 *   multi-label        classification_report: micro, macro, weighted and
 *                      samples averages; accuracy_score (subset accuracy)
 *   regression         mean_absolute_error, mean_squared_error, RMSE
 *                      (mean_squared_error(squared=False)), r2_score with
 *                      force_finite=True; multioutput='uniform_average'
 *
 * Thresholds (Keras's, which sklearn leaves to the caller): a prediction
 * is class 1 when prob > 0.5 (Keras's BinaryAccuracy, Precision and Recall
 * use `y_pred > threshold`); a truth value is class 1 when truth >= 0.5.
 * NaN probabilities are therefore predicted 0, NaN truths are class 0.
 *
 * All sums are in double; counts are long.  Nothing here allocates more
 * than one array of n (binary) or k (multi-label) elements.  Errors (n < 1,
 * a NULL pointer, k < 1, out of memory) are never fatal: the rt_metrics_*
 * functions return them in .error and the reports print one line
 * "error: <report>: <reason>".
 */
#ifndef SEQC_RUNTIME_METRICS_H
#define SEQC_RUNTIME_METRICS_H

#include <stdio.h>

/* ROC AUC of score for the samples with positive[i] != 0 against those
 * with positive[i] == 0: the probability that a random positive scores
 * higher than a random negative, ties counting 1/2 (sklearn's
 * roc_auc_score; the Mann-Whitney U statistic with average ranks, divided
 * by P*N).  O(n log n).  Returns NAN when all samples are of one class (as
 * sklearn, which raises), when a score is NaN, when n < 1 or a pointer is
 * NULL, and when memory for the n-element sort runs out. */
double rt_roc_auc(const float *score, const unsigned char *positive, long n);

/* ------------------------------------------------------------------ */
/* Binary classification: prob[i] = predicted probability of class 1.  */
/* ------------------------------------------------------------------ */

typedef struct rt_binary_metrics {
    const char *error;          /* NULL, or why nothing was computed */
    long n;                     /* samples */
    long tp, fp, fn, tn;        /* positive = class 1; support = tp+fn, tn+fp */
    double accuracy;            /* (tp + tn) / n */
    double precision;           /* tp / (tp + fp); 0 when nothing is predicted 1 */
    double recall;              /* tp / (tp + fn); 0 when no truth is 1 */
    double f1;                  /* 2tp / (2tp + fp + fn); 0 when that is 0/0 */
    double auc;                 /* rt_roc_auc of prob; NAN when truth has one class */
} rt_binary_metrics;

/* The numbers of rt_report_binary.  On error, .error is set, the counts
 * are 0 and the doubles NAN. */
rt_binary_metrics rt_metrics_binary(const float *prob, const float *truth, long n);

/* Prints to f (threshold 0.5 as above); for prob {.9 .8 .3 .6 .2 .1 .7 .4}
 * and truth {1 1 1 1 0 0 0 0}:
 *
 *   confusion matrix (rows: true class, columns: predicted class; 1 when p > 0.5)
 *   true\pred     0     1
 *           0     3     1
 *           1     1     3
 *
 *                 precision    recall  f1-score   support
 *
 *              0     0.7500    0.7500    0.7500         4
 *              1     0.7500    0.7500    0.7500         4
 *
 *       accuracy                         0.7500         8
 *        roc auc                         0.8125         8
 *
 * Row 1 holds the binary precision, recall and F1 (sklearn's default
 * pos_label=1); row 0 those of class 0, as classification_report prints
 * them.  When truth has one class only, the roc auc value is "n/a" and a
 * "note:" line says why. */
void rt_report_binary(FILE *f, const float *prob, const float *truth, long n);

/* ------------------------------------------------------------------ */
/* Multi-label classification: [n][k] row-major, k sigmoid outputs.    */
/* ------------------------------------------------------------------ */

typedef struct rt_prf {
    double precision, recall, f1;
} rt_prf;

typedef struct rt_label_metrics {
    long tp, fp, fn, tn;
    long support;               /* tp + fn: samples with this label */
    rt_prf s;                   /* zero_division=0 */
} rt_label_metrics;

typedef struct rt_multilabel_metrics {
    const char *error;          /* NULL, or why nothing was computed */
    long n;                     /* samples */
    int k;                      /* labels */
    long support;               /* true labels in all: the avg rows' support */
    rt_prf micro;               /* from the tp, fp, fn summed over labels */
    rt_prf macro;               /* mean over the k labels */
    rt_prf weighted;            /* mean weighted by support (0 if none) */
    rt_prf samples;             /* mean over samples of each sample's P, R, F1 */
    double subset_accuracy;     /* samples with every label right / n */
    double label_accuracy;      /* labels right / (n*k): Keras's binary_accuracy */
} rt_multilabel_metrics;

/* The numbers of rt_report_multilabel.  per_label, when not NULL, is an
 * array of k that receives each label's counts and scores.  On error,
 * .error is set, counts are 0, doubles NAN and per_label untouched. */
rt_multilabel_metrics rt_metrics_multilabel(const float *prob, const float *truth, long n, int k,
                                            rt_label_metrics *per_label);

/* Prints to f, in the layout of classification_report(digits=4,
 * zero_division=0) for a multi-label indicator matrix; for prob
 * {.9 .2, .8 .7, .3 .1, .6 .4} and truth {1 0, 1 1, 1 0, 0 0}:
 *
 *                 precision    recall  f1-score   support
 *
 *              0     0.6667    0.6667    0.6667         3
 *              1     1.0000    1.0000    1.0000         1
 *
 *      micro avg     0.7500    0.7500    0.7500         4
 *      macro avg     0.8333    0.8333    0.8333         4
 *   weighted avg     0.7500    0.7500    0.7500         4
 *    samples avg     0.5000    0.5000    0.5000         4
 *
 *    exact match                         0.5000         4
 *      label acc                         0.7500         8
 *
 * "exact match" is the subset accuracy (support: samples), "label acc" the
 * fraction of the n*k labels predicted right (support: n*k). */
void rt_report_multilabel(FILE *f, const float *prob, const float *truth, long n, int k);

/* ------------------------------------------------------------------ */
/* Regression: [n][k] row-major.                                       */
/* ------------------------------------------------------------------ */

typedef struct rt_regression_scores {
    double mae, mse, rmse, r2;
} rt_regression_scores;

typedef struct rt_regression_metrics {
    const char *error;          /* NULL, or why nothing was computed */
    long n;                     /* samples */
    int k;                      /* outputs */
    /* sklearn's multioutput='uniform_average': the mean over the k
     * outputs of each output's score.  So rmse is the mean of the
     * per-output RMSEs, not sqrt(mse) (they differ when k > 1). */
    double mae, mse, rmse, r2;
} rt_regression_metrics;

/* The numbers of rt_report_regression.  R^2 per output is
 * 1 - sum (t - p)^2 / sum (t - mean t)^2; for a constant truth column
 * (denominator 0) it is 1 when the predictions are exact, else 0
 * (force_finite=True); with n == 1 it is NAN (sklearn: not well-defined
 * with less than two samples).  per_output, when not NULL, is an array of
 * k that receives each output's scores.  NaN inputs propagate. */
rt_regression_metrics rt_metrics_regression(const float *pred, const float *truth, long n, int k,
                                            rt_regression_scores *per_output);

/* Prints to f one row per output when k > 1, then the average; for pred
 * {1 2, 2.5 2.5, 2 2, 4.5 1} and truth {1.5 2, 2 2, 3 2, 4 2} (output 1
 * has a constant truth, predicted with errors: R^2 0):
 *
 *                       mae       mse      rmse        r2   samples
 *
 *              0     0.6250    0.4375    0.6614    0.5254         4
 *              1     0.3750    0.3125    0.5590    0.0000         4
 *
 *        overall     0.5000    0.3750    0.6102    0.2627         4
 */
void rt_report_regression(FILE *f, const float *pred, const float *truth, long n, int k);

#endif /* SEQC_RUNTIME_METRICS_H */
