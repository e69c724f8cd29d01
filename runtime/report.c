/* report.c - confusion matrix / per-class metrics and the predictions data
 * file for the 5x5 grid plot.  See report.h for the formats. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fsync, fchmod, fdopen */

#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* rt_report_classes                                                   */
/* ------------------------------------------------------------------ */

static int digits_of(long v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static double ratio(long num, long den)
{
    /* zero_division=0, as scikit-learn's zero_division=0: a class that was
       never predicted has precision 0 (0/0), a class with no support has
       recall 0, and F1 is 0 when its denominator is 0. */
    return den > 0 ? (double)num / (double)den : 0.0;
}

/* The metric rows use scikit-learn's layout: a 12-wide right-aligned name
   (the width of "weighted avg"), then "  %9.4f" columns and the support. */
#define NAME_W 12

static void metric_row(FILE *f, const char *name, double p, double r, double f1, long support)
{
    fprintf(f, "%*s  %9.4f %9.4f %9.4f %9ld\n", NAME_W, name, p, r, f1, support);
}

void rt_report_classes(FILE *f, const int *pred, const int *truth, int n, int classes)
{
    if (!f)
        return;
    if (classes < 1 || n < 0 || (n > 0 && (!pred || !truth))) {
        fprintf(f, "error: classification report: bad arguments (classes %d, n %d)\n", classes, n);
        return;
    }
    size_t k = (size_t)classes;
    long *cm = calloc(k * k, sizeof *cm);         /* cm[t*k + p] */
    long *col = calloc(k, sizeof *col);           /* predicted as p */
    long *row = calloc(k, sizeof *row);           /* support of t */
    if (!cm || !col || !row) {
        fprintf(f, "error: classification report: out of memory (%d classes)\n", classes);
        free(cm);
        free(col);
        free(row);
        return;
    }

    long skipped = 0, total = 0, correct = 0, maxc = 0;
    for (int i = 0; i < n; i++) {
        int p = pred[i], t = truth[i];
        if (p < 0 || p >= classes || t < 0 || t >= classes) {
            skipped++;
            continue;
        }
        long c = ++cm[(size_t)t * k + (size_t)p];
        if (c > maxc)
            maxc = c;
        col[p]++;
        row[t]++;
        total++;
        correct += p == t;
    }

    /* Confusion matrix: rows = true class, columns = predicted class. */
    int cw = digits_of(maxc);
    if (digits_of(classes - 1) > cw)
        cw = digits_of(classes - 1);
    if (cw < 4)
        cw = 4;
    const char *corner = "true\\pred";
    int lw = (int)strlen(corner);
    fprintf(f, "confusion matrix (rows: true class, columns: predicted class)\n");
    fprintf(f, "%s", corner);
    for (int p = 0; p < classes; p++)
        fprintf(f, "  %*d", cw, p);
    fputc('\n', f);
    for (int t = 0; t < classes; t++) {
        fprintf(f, "%*d", lw, t);
        for (int p = 0; p < classes; p++)
            fprintf(f, "  %*ld", cw, cm[(size_t)t * k + (size_t)p]);
        fputc('\n', f);
    }

    /* Per-class metrics, then averages, as sklearn's classification_report. */
    fprintf(f, "\n%*s  %9s %9s %9s %9s\n\n", NAME_W, "", "precision", "recall", "f1-score", "support");
    double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
    for (int c = 0; c < classes; c++) {
        long tp = cm[(size_t)c * k + (size_t)c];
        double p = ratio(tp, col[c]);
        double r = ratio(tp, row[c]);
        /* F1 = 2PR/(P+R) = 2tp/(2tp+fp+fn); 0 when tp = 0 (zero_division=0). */
        double f1 = ratio(2 * tp, col[c] + row[c]);
        char name[16];
        snprintf(name, sizeof name, "%d", c);
        metric_row(f, name, p, r, f1, row[c]);
        mp += p;
        mr += r;
        mf += f1;
        wp += p * (double)row[c];
        wr += r * (double)row[c];
        wf += f1 * (double)row[c];
    }
    double tot = total > 0 ? (double)total : 1.0;
    fputc('\n', f);
    fprintf(f, "%*s  %9s %9s %9.4f %9ld\n", NAME_W, "accuracy", "", "", ratio(correct, total), total);
    metric_row(f, "macro avg", mp / classes, mr / classes, mf / classes, total);
    metric_row(f, "weighted avg", wp / tot, wr / tot, wf / tot, total);
    if (skipped)
        fprintf(f, "note: %ld of %d samples skipped (label outside 0..%d)\n", skipped, n, classes - 1);

    free(cm);
    free(col);
    free(row);
}

/* ------------------------------------------------------------------ */
/* rt_report_predictions                                               */
/* ------------------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *path, const char *what, int errnum)
{
    if (!err || errlen == 0)
        return;
    if (errnum)
        snprintf(err, errlen, "%s: error: %s: %s", path ? path : "(null)", what, strerror(errnum));
    else
        snprintf(err, errlen, "%s: error: %s", path ? path : "(null)", what);
}

static int write_body(FILE *f, const unsigned char *pix, int h, int w,
                      const int *pred, const int *truth, int count)
{
    fprintf(f, "# seqc predictions v1\n");
    fprintf(f, "# count %d height %d width %d\n", count, h, w);
    fprintf(f, "# index 0: one row per image: image pred true   (image is 0-based)\n");
    fprintf(f, "# index k (1..count): image k-1, height rows of width pixels 0..255,\n");
    fprintf(f, "#   first row = top of the image; plot FILE index k matrix with image\n");
    for (int i = 0; i < count; i++)
        fprintf(f, "%d %d %d\n", i, pred[i], truth[i]);
    size_t hw = (size_t)h * (size_t)w;
    for (int i = 0; i < count; i++) {
        fprintf(f, "\n\n");
        const unsigned char *img = pix + (size_t)i * hw;
        for (int r = 0; r < h; r++) {
            const unsigned char *px = img + (size_t)r * (size_t)w;
            for (int c = 0; c < w; c++)
                fprintf(f, c ? " %u" : "%u", (unsigned)px[c]);
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

int rt_report_predictions(const char *path, const unsigned char *pix, int h, int w,
                          const int *pred, const int *truth, int n,
                          char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path) {
        set_err(err, errlen, path, "no output path", 0);
        return -1;
    }
    if (n < 1 || !pix || !pred || !truth) {
        set_err(err, errlen, path, "no images to write", 0);
        return -1;
    }
    if (h < 1 || w < 1 || h > 4096 || w > 4096) {
        char what[96];
        snprintf(what, sizeof what, "bad image size %dx%d", h, w);
        set_err(err, errlen, path, what, 0);
        return -1;
    }
    int count = n < RT_REPORT_GRID ? n : RT_REPORT_GRID;

    /* PATH.XXXXXX in the same directory, so rename() stays on one
       filesystem and replaces PATH atomically. */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        set_err(err, errlen, path, "out of memory", 0);
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        set_err(err, errlen, path, "cannot create a temporary file", errno);
        free(tmp);
        return -1;
    }
    (void)fchmod(fd, 0644); /* mkstemp makes it 0600 */
    FILE *f = fdopen(fd, "w");
    if (!f) {
        set_err(err, errlen, path, "cannot write", errno);
        close(fd);
        remove(tmp);
        free(tmp);
        return -1;
    }
    errno = 0;
    int bad = write_body(f, pix, h, w, pred, truth, count);
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    int first = errno; /* the first failure's cause; fclose may overwrite it */
    bad |= fclose(f) != 0;
    if (bad) {
        set_err(err, errlen, path, "cannot write", first ? first : errno);
        remove(tmp);
        free(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        set_err(err, errlen, path, "cannot rename the temporary file", errno);
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
