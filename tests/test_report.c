/* test_report.c - cmocka tests for runtime/report.c (classification report
 * and the predictions data file for the 5x5 grid plot).
 *
 * Build: gcc -std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -Iruntime \
 *            tests/test_report.c runtime/report.c -lcmocka -lm -o /tmp/test_report
 *
 * The report is written to an open_memstream buffer and parsed back: every
 * per-class row and every average is compared numerically with values
 * worked out by hand (comments below), and the confusion matrix row by row.
 * The predictions file is written into a mkdtemp directory (removed by the
 * group teardown) and parsed back completely.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream, mkdtemp */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static char tmpdir[256];

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_report.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
                remove(p);
            }
        }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

/* The report of n samples as a malloc'd string. */
static char *report(const int *pred, const int *truth, int n, int classes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rt_report_classes(f, pred, truth, n, classes);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    return buf;
}

/* The line of text that starts (after leading blanks) with `name` followed
   by a blank; NULL if none.  Points into text. */
static const char *find_row(const char *text, const char *name)
{
    size_t nl = strlen(name);
    for (const char *line = text; line && *line; ) {
        const char *s = line;
        while (*s == ' ')
            s++;
        if (strncmp(s, name, nl) == 0 && s[nl] == ' ')
            return s + nl;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

/* A metric row "NAME  P R F1 SUPPORT", checked against hand values to the
   printed precision (4 decimals). */
static void check_row(const char *text, const char *name, double p, double r, double f1, long support)
{
    const char *row = find_row(text, name);
    if (!row)
        fail_msg("no row '%s' in:\n%s", name, text);
    double gp, gr, gf;
    long gs;
    if (sscanf(row, "%lf %lf %lf %ld", &gp, &gr, &gf, &gs) != 4)
        fail_msg("row '%s' unreadable: %.80s", name, row);
    if (fabs(gp - p) > 5.01e-5 || fabs(gr - r) > 5.01e-5 || fabs(gf - f1) > 5.01e-5 || gs != support)
        fail_msg("row '%s': got %.4f %.4f %.4f %ld, want %.4f %.4f %.4f %ld",
                 name, gp, gr, gf, gs, p, r, f1, support);
}

/* Confusion matrix row of true class t: the counts after the label. */
static void check_cm_row(const char *text, int t, const long *want, int classes)
{
    /* The matrix comes first; its rows are "      t  c0  c1 ...". */
    const char *cm = strstr(text, "true\\pred");
    assert_non_null(cm);
    char label[16];
    snprintf(label, sizeof label, "%d", t);
    const char *row = find_row(cm, label);
    assert_non_null(row);
    const char *p = row;
    for (int c = 0; c < classes; c++) {
        char *end;
        long v = strtol(p, &end, 10);
        assert_true(end != p);
        if (v != want[c])
            fail_msg("confusion[%d][%d] = %ld, want %ld", t, c, v, want[c]);
        p = end;
    }
    while (*p == ' ')
        p++;
    assert_true(*p == '\n');
}

/* ------------------------------------------------------------------ */
/* rt_report_classes                                                   */
/* ------------------------------------------------------------------ */

/* 3 classes, 10 samples:
 *   truth 0 0 0 0 0 1 1 1 2 2
 *   pred  0 0 0 0 1 1 1 0 2 1
 * confusion (rows true, cols pred):  [4 1 0] [1 2 0] [0 1 1]
 * predicted totals 5 4 1, support 5 3 2, correct 4+2+1 = 7
 *   class 0: P 4/5 = .8     R 4/5 = .8     F1 .8
 *   class 1: P 2/4 = .5     R 2/3 = .6667  F1 2*.5*(2/3)/(.5+2/3) = 4/7 = .5714
 *   class 2: P 1/1 = 1      R 1/2 = .5     F1 2*1*.5/1.5 = 2/3 = .6667
 *   accuracy 7/10 = .7
 *   macro    P (.8+.5+1)/3 = .7667  R (.8+2/3+.5)/3 = .6556  F1 (.8+4/7+2/3)/3 = .6794
 *   weighted P (4+1.5+2)/10 = .75   R .7 (= accuracy)         F1 (4+12/7+4/3)/10 = .7048
 */
static void test_report_hand_checked(void **state)
{
    (void)state;
    const int truth[10] = {0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
    const int pred[10] = {0, 0, 0, 0, 1, 1, 1, 0, 2, 1};
    char *s = report(pred, truth, 10, 3);

    assert_non_null(strstr(s, "confusion matrix (rows: true class, columns: predicted class)"));
    const long r0[3] = {4, 1, 0}, r1[3] = {1, 2, 0}, r2[3] = {0, 1, 1};
    check_cm_row(s, 0, r0, 3);
    check_cm_row(s, 1, r1, 3);
    check_cm_row(s, 2, r2, 3);

    assert_non_null(strstr(s, "precision    recall  f1-score   support"));
    /* find_row finds the first "0 ..." line after the header: search the
       metrics part only (the matrix also has rows "0", "1", "2"). */
    const char *m = strstr(s, "precision");
    check_row(m, "0", 0.8, 0.8, 0.8, 5);
    check_row(m, "1", 0.5, 2.0 / 3, 4.0 / 7, 3);
    check_row(m, "2", 1.0, 0.5, 2.0 / 3, 2);
    check_row(m, "macro avg", (0.8 + 0.5 + 1) / 3, (0.8 + 2.0 / 3 + 0.5) / 3,
              (0.8 + 4.0 / 7 + 2.0 / 3) / 3, 10);
    check_row(m, "weighted avg", 0.75, 0.7, (4 + 12.0 / 7 + 4.0 / 3) / 10, 10);

    const char *acc = find_row(m, "accuracy");
    assert_non_null(acc);
    double a;
    long n;
    assert_int_equal(sscanf(acc, "%lf %ld", &a, &n), 2);
    assert_true(fabs(a - 0.7) < 1e-9);
    assert_int_equal(n, 10);

    /* key strings exactly as printed */
    assert_non_null(strstr(s, "0.5714"));
    assert_non_null(strstr(s, "0.6556"));
    assert_non_null(strstr(s, "0.7048"));
    assert_null(strstr(s, "note:"));
    assert_null(strstr(s, "nan"));
    free(s);
}

/* Columns line up: every confusion-matrix line has the same length, and
   every metric row ends in the same column. */
static void test_report_aligned(void **state)
{
    (void)state;
    enum { N = 1200, C = 10 };
    int *truth = malloc(N * sizeof *truth), *pred = malloc(N * sizeof *pred);
    assert_non_null(truth);
    assert_non_null(pred);
    for (int i = 0; i < N; i++) {
        truth[i] = i % C;
        pred[i] = i % 7 ? truth[i] : (truth[i] + 3) % C;
    }
    pred[0] = 0; /* one class gets > 100 predictions, so 3-digit counts */
    char *s = report(pred, truth, N, C);
    char *save = NULL;
    size_t cm_len = 0, metric_len = 0;
    int cm_lines = 0, metric_lines = 0, in_metrics = 0;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        if (strstr(line, "precision")) {
            in_metrics = 1;
            continue;
        }
        if (strstr(line, "confusion matrix"))
            continue;
        if (!in_metrics) {
            if (cm_lines++ == 0)
                cm_len = len;
            assert_int_equal(len, cm_len);
        } else {
            if (metric_lines++ == 0)
                metric_len = len;
            assert_int_equal(len, metric_len);
        }
    }
    assert_int_equal(cm_lines, 1 + C);
    assert_int_equal(metric_lines, C + 3);
    free(s);
    free(truth);
    free(pred);
}

/* zero_division=0: class 2 is never predicted (precision 0, recall 0,
   F1 0); class 3 has neither support nor predictions (all 0, support 0).
 *   truth 0 1 2 2 | 7 (out of range: skipped)
 *   pred  0 1 1 1 | 0
 *   class 0: P 1/1 R 1/1 F1 1;   class 1: P 1/3 R 1/1 F1 .5
 *   accuracy 2/4 = .5; macro P (1+1/3)/4 = .3333, R 2/4 = .5, F1 1.5/4 = .375 */
static void test_report_zero_division(void **state)
{
    (void)state;
    const int truth[5] = {0, 1, 2, 2, 7};
    const int pred[5] = {0, 1, 1, 1, 0};
    char *s = report(pred, truth, 5, 4);
    const char *m = strstr(s, "precision");
    assert_non_null(m);
    check_row(m, "0", 1, 1, 1, 1);
    check_row(m, "1", 1.0 / 3, 1, 0.5, 1);
    check_row(m, "2", 0, 0, 0, 2);
    check_row(m, "3", 0, 0, 0, 0);
    check_row(m, "macro avg", (1 + 1.0 / 3) / 4, 0.5, 0.375, 4);
    check_row(m, "weighted avg", (1 + 1.0 / 3) / 4, 0.5, 0.375, 4);
    assert_non_null(strstr(s, "note: 1 of 5 samples skipped (label outside 0..3)"));
    assert_null(strstr(s, "nan"));
    free(s);
}

static void test_report_edge_cases(void **state)
{
    (void)state;
    char *s = report(NULL, NULL, 0, 3); /* no samples: zeros, no NaN */
    assert_non_null(strstr(s, "confusion matrix"));
    assert_null(strstr(s, "nan"));
    check_row(strstr(s, "precision"), "macro avg", 0, 0, 0, 0);
    free(s);

    s = report(NULL, NULL, 0, 0);
    assert_non_null(strstr(s, "error:"));
    free(s);

    const int one[1] = {0};
    s = report(one, NULL, 1, 2);
    assert_non_null(strstr(s, "error:"));
    free(s);

    rt_report_classes(NULL, one, one, 1, 2); /* must not crash */
}

/* ------------------------------------------------------------------ */
/* rt_report_predictions                                               */
/* ------------------------------------------------------------------ */

/* Pixel of image i, row r, column c in the synthetic set. */
static unsigned char px(int i, int r, int c)
{
    return (unsigned char)((i * 37 + r * 11 + c * 5) % 256);
}

static unsigned char *make_images(int n, int h, int w)
{
    unsigned char *p = malloc((size_t)n * h * w);
    assert_non_null(p);
    for (int i = 0; i < n; i++)
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                p[((size_t)i * h + r) * w + c] = px(i, r, c);
    return p;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* Reads one line from *p into a malloc'd string (NULL at the end). */
static char *next_line(const char **p)
{
    if (!**p)
        return NULL;
    const char *nl = strchr(*p, '\n');
    assert_non_null(nl); /* every line ends in '\n' */
    size_t len = (size_t)(nl - *p);
    char *line = malloc(len + 1);
    assert_non_null(line);
    memcpy(line, *p, len);
    line[len] = '\0';
    *p = nl + 1;
    return line;
}

/* Parses the whole file and checks it against the inputs. */
static void check_predictions_file(const char *path, int n, int h, int w,
                                   const int *pred, const int *truth)
{
    int count = n < RT_REPORT_GRID ? n : RT_REPORT_GRID;
    char *text = slurp(path);
    const char *p = text;
    char *line;

    line = next_line(&p);
    assert_string_equal(line, "# seqc predictions v1");
    free(line);
    line = next_line(&p);
    int gc, gh, gw;
    assert_int_equal(sscanf(line, "# count %d height %d width %d", &gc, &gh, &gw), 3);
    assert_int_equal(gc, count);
    assert_int_equal(gh, h);
    assert_int_equal(gw, w);
    free(line);

    /* the rest of the comment header, then index 0: "image pred true" */
    while ((line = next_line(&p)) && line[0] == '#')
        free(line);
    for (int i = 0; i < count; i++) {
        assert_non_null(line);
        int gi, gp, gt;
        char extra;
        assert_int_equal(sscanf(line, "%d %d %d %c", &gi, &gp, &gt, &extra), 3);
        assert_int_equal(gi, i);
        assert_int_equal(gp, pred[i]);
        assert_int_equal(gt, truth[i]);
        free(line);
        line = next_line(&p);
    }

    /* index 1..count: two blank lines, then h rows of w pixels */
    for (int i = 0; i < count; i++) {
        assert_non_null(line);
        assert_string_equal(line, "");
        free(line);
        line = next_line(&p);
        assert_non_null(line);
        assert_string_equal(line, "");
        free(line);
        for (int r = 0; r < h; r++) {
            line = next_line(&p);
            assert_non_null(line);
            const char *q = line;
            for (int c = 0; c < w; c++) {
                char *end;
                long v = strtol(q, &end, 10);
                assert_true(end != q);
                if (v != px(i, r, c))
                    fail_msg("image %d (%d,%d) = %ld, want %d", i, r, c, v, px(i, r, c));
                q = end;
            }
            assert_true(*q == '\0');
            free(line);
        }
        line = next_line(&p);
    }
    assert_null(line); /* nothing after the last image */
    free(text);
}

/* Only the named file in the directory: no temporary left behind. */
static void check_dir_holds_only(const char *name)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        files++;
        if (strcmp(e->d_name, name))
            fail_msg("unexpected file %s in %s", e->d_name, tmpdir);
    }
    closedir(d);
    assert_int_equal(files, name ? 1 : 0);
}

static void test_predictions_file(void **state)
{
    (void)state;
    enum { N = 40, H = 5, W = 3 }; /* not square: rows vs columns matter */
    unsigned char *pix = make_images(N, H, W);
    int pred[N], truth[N];
    for (int i = 0; i < N; i++) {
        truth[i] = i % 10;
        pred[i] = i % 6 == 3 ? (i + 4) % 10 : truth[i];
    }
    char path[512], err[256] = "x";
    snprintf(path, sizeof path, "%s/p.txt", tmpdir);
    assert_int_equal(rt_report_predictions(path, pix, H, W, pred, truth, N, err, sizeof err), 0);
    assert_string_equal(err, "");
    check_predictions_file(path, N, H, W, pred, truth);
    check_dir_holds_only("p.txt");

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* Rewriting replaces the file (fewer images this time). */
    assert_int_equal(rt_report_predictions(path, pix, H, W, pred, truth, 3, err, sizeof err), 0);
    check_predictions_file(path, 3, H, W, pred, truth);
    check_dir_holds_only("p.txt");
    remove(path);
    free(pix);
}

/* MNIST-sized images, exactly 25, pixel values up to 255. */
static void test_predictions_mnist_size(void **state)
{
    (void)state;
    unsigned char *pix = make_images(25, 28, 28);
    int pred[25], truth[25];
    for (int i = 0; i < 25; i++)
        pred[i] = truth[i] = i % 10;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/m.txt", tmpdir);
    assert_int_equal(rt_report_predictions(path, pix, 28, 28, pred, truth, 25, err, sizeof err), 0);
    check_predictions_file(path, 25, 28, 28, pred, truth);
    remove(path);
    free(pix);
}

static void test_predictions_errors(void **state)
{
    (void)state;
    unsigned char *pix = make_images(2, 2, 2);
    int lab[2] = {1, 2};
    char path[512], err[256];

    /* missing directory: error names the path, nothing created */
    snprintf(path, sizeof path, "%s/no/such/dir/p.txt", tmpdir);
    assert_int_equal(rt_report_predictions(path, pix, 2, 2, lab, lab, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, ": error: "));
    check_dir_holds_only(NULL);

    /* an existing file survives a failed call untouched */
    snprintf(path, sizeof path, "%s/keep.txt", tmpdir);
    assert_int_equal(rt_report_predictions(path, pix, 2, 2, lab, lab, 2, err, sizeof err), 0);
    char *before = slurp(path);

    assert_int_equal(rt_report_predictions(path, pix, 2, 2, lab, lab, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "no images"));
    assert_int_equal(rt_report_predictions(path, pix, 0, 2, lab, lab, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad image size 0x2"));
    assert_int_equal(rt_report_predictions(path, pix, 2, 5000, lab, lab, 2, err, sizeof err), -1);
    assert_int_equal(rt_report_predictions(path, NULL, 2, 2, lab, lab, 2, err, sizeof err), -1);
    assert_int_equal(rt_report_predictions(path, pix, 2, 2, NULL, lab, 2, NULL, 0), -1);
    assert_int_equal(rt_report_predictions(NULL, pix, 2, 2, lab, lab, 2, err, sizeof err), -1);
    assert_int_equal(rt_report_predictions("", pix, 2, 2, lab, lab, 2, err, sizeof err), -1);

    char *after = slurp(path);
    assert_string_equal(before, after);
    check_dir_holds_only("keep.txt");

    /* a directory in the way: rename fails, the temporary is removed */
    char dirpath[512];
    snprintf(dirpath, sizeof dirpath, "%s/adir", tmpdir);
    assert_int_equal(mkdir(dirpath, 0755), 0);
    assert_int_equal(rt_report_predictions(dirpath, pix, 2, 2, lab, lab, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, dirpath));
    rmdir(dirpath);
    check_dir_holds_only("keep.txt");

    remove(path);
    free(before);
    free(after);
    free(pix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_hand_checked),
        cmocka_unit_test(test_report_aligned),
        cmocka_unit_test(test_report_zero_division),
        cmocka_unit_test(test_report_edge_cases),
        cmocka_unit_test(test_predictions_file),
        cmocka_unit_test(test_predictions_mnist_size),
        cmocka_unit_test(test_predictions_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
