/* report.h - classification reports for the seqc runtime: a confusion
 * matrix with per-class precision / recall / F1 (printed), and a data file
 * of the first test images with their labels for the 5x5 grid plot
 * (runtime/plot/predictions.gp).
 *
 * Error reporting follows data.h: 0 on success, -1 on error with one line
 * "PATH: error: ..." (no trailing newline) in err; err may be NULL when
 * errlen is 0.
 */
#ifndef SEQC_RUNTIME_REPORT_H
#define SEQC_RUNTIME_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Images written by rt_report_predictions: at most this many (a 5x5 grid). */
#define RT_REPORT_GRID 25

/* Prints to f, for n samples with predicted class pred[i] and true class
 * truth[i] in [0, classes):
 *
 *   confusion matrix (rows: true class, columns: predicted class)
 *   true\pred     0     1     2
 *           0     4     1     0
 *           1     1     2     0
 *           2     0     1     1
 *
 *                 precision    recall  f1-score   support
 *
 *              0     0.8000    0.8000    0.8000         5
 *              1     0.5000    0.6667    0.5714         3
 *              2     1.0000    0.5000    0.6667         2
 *
 *       accuracy                         0.7000        10
 *      macro avg     0.7667    0.6556    0.6794        10
 *   weighted avg     0.7500    0.7000    0.7048        10
 *
 * the layout of scikit-learn's classification_report(digits=4) with
 * labels=range(classes) and zero_division=0: a class never predicted has
 * precision 0, a class absent from truth has recall 0, and F1 is 0 when
 * both are 0.  Macro averages are over all `classes` classes; weighted
 * averages are weighted by support.  A sample whose pred or truth lies
 * outside [0, classes) is left out of everything and counted in a final
 * "note:" line.  Prints "error: ..." lines instead when classes < 1, n < 0,
 * a pointer is NULL (with n > 0) or memory runs out. */
void rt_report_classes(FILE *f, const int *pred, const int *truth, int n, int classes);

/* Writes to path (atomically: a temporary file in the same directory,
 * fsync, rename) the first min(n, RT_REPORT_GRID) images of pix (n images
 * of h*w bytes, row-major, 0..255) with their predicted and true labels,
 * in the text format below (gnuplot reads it; blocks are separated by two
 * blank lines, so gnuplot's `index` selects them):
 *
 *   # seqc predictions v1
 *   # count 25 height 28 width 28
 *   # index 0: one row per image: image pred true   (image is 0-based)
 *   # index k (1..count): image k-1, height rows of width pixels 0..255,
 *   #   first row = top of the image; plot FILE index k matrix with image
 *   0 7 7
 *   1 2 2
 *   ...
 *   24 4 4
 *   <blank>
 *   <blank>
 *   0 0 0 ... 0          (image 0, row 0: width values)
 *   ...                  (height rows)
 *   <blank>
 *   <blank>
 *   ...                  (images 1..count-1)
 *
 * Lines starting with '#' are comments (gnuplot skips them).  Labels are
 * written as given.  Requires n >= 1 and 1 <= h, w <= 4096.  Returns 0, or
 * -1 with "PATH: error: ..." in err (and no file or temporary left). */
int rt_report_predictions(const char *path, const unsigned char *pix, int h, int w,
                          const int *pred, const int *truth, int n,
                          char *err, size_t errlen);

#endif /* SEQC_RUNTIME_REPORT_H */
