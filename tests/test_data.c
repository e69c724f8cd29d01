/* test_data.c - cmocka tests for the dataset loaders: IDX of any rank and
 * MNIST-style directories (idx.c), NumPy .npy files and directories (npy.c)
 * with class, float and [n, K] labels, CSV (csv.c: Kaggle digits, tabular
 * data with any targets, and the real data sets of tests/data/uci, read
 * from the repository root), image folders (imgdir.c with image.c's PNG
 * decoding and Keras conversion) and the --data layout detection (data.c).
 *
 * Build: gcc -std=c11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -Iruntime \
 *            tests/test_data.c runtime/data.c runtime/idx.c runtime/npy.c \
 *            runtime/csv.c runtime/imgdir.c runtime/image.c \
 *            -lcmocka -lpng -lz -lm -o /tmp/test_data
 *
 * Every test writes its inputs (IDX, .npy and PNG bytes made here, so no
 * Python is needed) into one mkdtemp directory (removed by the group
 * teardown) and checks both the return code and a fragment of the error
 * message - the file and the field - plus that *out is left empty on error.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, mkdir */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <png.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data.h"
#include "image.h"

/* ------------------------------------------------------------------ */
/* Temp files                                                          */
/* ------------------------------------------------------------------ */

#define MAX_PATHS 1024

static char tmpdir[] = "/tmp/seqc_test_data.XXXXXX";
static char *made[MAX_PATHS]; /* files and subdirs to remove, in creation order */
static int nmade;

static const char *track(const char *name)
{
    size_t need = strlen(tmpdir) + strlen(name) + 2;
    char *p = malloc(need);

    assert_non_null(p);
    assert_true(nmade < MAX_PATHS);
    snprintf(p, need, "%s/%s", tmpdir, name);
    made[nmade++] = p;
    return p;
}

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    /* Reverse order: files inside a subdir go before the subdir itself. */
    while (nmade > 0) {
        remove(made[--nmade]);
        free(made[nmade]);
    }
    return remove(tmpdir);
}

static const char *write_raw(const char *name, const void *data, size_t len)
{
    const char *p = track(name);
    FILE *f = fopen(p, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return p;
}

static const char *write_gz(const char *name, const void *data, size_t len)
{
    const char *p = track(name);
    gzFile f = gzopen(p, "wb");

    assert_non_null(f);
    assert_int_equal(gzwrite(f, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(f), Z_OK);
    return p;
}

static const char *make_subdir(const char *name)
{
    const char *p = track(name);

    assert_int_equal(mkdir(p, 0700), 0);
    return p;
}

/* ------------------------------------------------------------------ */
/* IDX builders                                                        */
/* ------------------------------------------------------------------ */

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static unsigned char pixel_at(size_t i)
{
    return (unsigned char)(i * 37 + 11);
}

/* Images file: header (magic, n, h, w) and `have` pixel bytes, which may
   differ from n*h*w to make truncated / trailing-garbage files. */
static size_t idx_images(unsigned char *buf, uint32_t magic, uint32_t n, uint32_t h,
                         uint32_t w, size_t have)
{
    put_be32(buf, magic);
    put_be32(buf + 4, n);
    put_be32(buf + 8, h);
    put_be32(buf + 12, w);
    for (size_t i = 0; i < have; i++)
        buf[16 + i] = pixel_at(i);
    return 16 + have;
}

static size_t idx_labels(unsigned char *buf, uint32_t magic, uint32_t n,
                         const unsigned char *lab, size_t have)
{
    put_be32(buf, magic);
    put_be32(buf + 4, n);
    memcpy(buf + 8, lab, have);
    return 8 + have;
}

static const unsigned char LABELS3[] = {2, 0, 1};

/* The standard good pair: 3 images of 2x3, labels 2, 0, 1 (classes = 3). */
static void good_pair(const char *img, const char *lab, int gz, const char **ip, const char **lp)
{
    unsigned char buf[64];
    size_t len = idx_images(buf, 0x803, 3, 2, 3, 18);

    *ip = gz ? write_gz(img, buf, len) : write_raw(img, buf, len);
    len = idx_labels(buf, 0x801, 3, LABELS3, 3);
    *lp = gz ? write_gz(lab, buf, len) : write_raw(lab, buf, len);
}

static void check_good(const rt_dataset *d)
{
    assert_int_equal(d->n, 3);
    assert_int_equal(d->h, 2);
    assert_int_equal(d->w, 3);
    for (size_t i = 0; i < 18; i++)
        assert_int_equal(d->pix[i], pixel_at(i));
    assert_non_null(d->y);
    for (int i = 0; i < 3; i++)
        assert_int_equal(d->y[i], LABELS3[i]);
}

/* Failure contract: -1, *out empty, message contains frag, one line. */
static void expect_fail(int rc, const rt_dataset *d, const char *err, const char *frag)
{
    if (!strstr(err, frag))
        print_message("error message was: \"%s\"\nexpected fragment: \"%s\"\n", err, frag);
    assert_int_equal(rc, -1);
    assert_null(d->pix);
    assert_null(d->xf);
    assert_null(d->y);
    assert_null(d->yf);
    assert_null(d->names);
    assert_null(d->src);
    assert_int_equal(d->n, 0);
    assert_int_equal(d->y_dim, 0);
    assert_int_equal(d->n_names, 0);
    assert_non_null(strstr(err, frag));
    assert_null(strchr(err, '\n'));
}

/* Loads an (images, labels) byte pair written raw; expects failure. */
static void pair_fail(const char *tag, const unsigned char *img, size_t il,
                      const unsigned char *lab, size_t ll, int classes, const char *frag)
{
    char ni[64], nl[64], err[512] = "";
    rt_dataset d;

    snprintf(ni, sizeof ni, "%s-images", tag);
    snprintf(nl, sizeof nl, "%s-labels", tag);
    const char *ip = write_raw(ni, img, il);
    const char *lp = write_raw(nl, lab, ll);
    expect_fail(rt_load_idx_pair(ip, lp, classes, &d, err, sizeof err), &d, err, frag);
}

/* ------------------------------------------------------------------ */
/* IDX tests                                                           */
/* ------------------------------------------------------------------ */

static void test_idx_good_raw(void **state)
{
    const char *ip, *lp;
    char err[256] = "";
    rt_dataset d;

    (void)state;
    good_pair("raw-img", "raw-lab", 0, &ip, &lp);
    assert_int_equal(rt_load_idx_pair(ip, lp, 3, &d, err, sizeof err), 0);
    check_good(&d);
    rt_dataset_free(&d);
    assert_null(d.pix);
    rt_dataset_free(&d); /* idempotent */
}

static void test_idx_good_gz(void **state)
{
    const char *ip, *lp;
    char err[256] = "";
    rt_dataset d;

    (void)state;
    good_pair("gz-img.gz", "gz-lab.gz", 1, &ip, &lp);
    assert_int_equal(rt_load_idx_pair(ip, lp, 3, &d, err, sizeof err), 0);
    check_good(&d);
    rt_dataset_free(&d);
}

static void test_idx_truncated_gz(void **state)
{
    unsigned char buf[64];
    size_t len = idx_images(buf, 0x803, 3, 2, 3, 18);
    const char *ip, *lp, *full;
    char err[256] = "";
    rt_dataset d;
    FILE *f;
    unsigned char gz[256];
    size_t gl;

    (void)state;
    /* Write a real .gz, then keep only its first half. */
    full = write_gz("trunc-full.gz", buf, len);
    f = fopen(full, "rb");
    assert_non_null(f);
    gl = fread(gz, 1, sizeof gz, f);
    fclose(f);
    ip = write_raw("trunc-img.gz", gz, gl / 2);
    len = idx_labels(buf, 0x801, 3, LABELS3, 3);
    lp = write_raw("trunc-lab", buf, len);
    expect_fail(rt_load_idx_pair(ip, lp, 3, &d, err, sizeof err), &d, err,
                "trunc-img.gz: error: truncated gzip stream");
}

static void test_idx_bad_magic(void **state)
{
    unsigned char img[64], lab[16];
    size_t il = idx_images(img, 0x01000803, 3, 2, 3, 18), ll = idx_labels(lab, 0x801, 3, LABELS3, 3);

    (void)state;
    pair_fail("magic", img, il, lab, ll, 3,
              "magic-images: error: bad magic 0x01000803: not an IDX file");
    put_be32(img, 0x805);
    pair_fail("magic5", img, il, lab, ll, 3,
              "magic5-images: error: magic 0x00000805: 5 dims; expected 1..4");
    put_be32(img, 0x800);
    pair_fail("magic0", img, il, lab, ll, 3, "magic0-images: error: magic 0x00000800: 0 dims");
    put_be32(img, 0xE03);
    pair_fail("f64", img, il, lab, ll, 3, "f64-images: error: magic 0x00000e03: IDX type 0x0E "
              "(float64) is not supported; samples must be 0x08 (unsigned byte) or 0x0D");
    /* files swapped: the labels load as [3] samples of rank 0, and the
       images file in the labels' place gets the hint */
    idx_images(img, 0x803, 3, 2, 3, 18);
    pair_fail("swap", lab, ll, img, il, 3, "swap-labels: error: bad magic 0x00000803, expected "
              "0x00000801 (IDX labels); images and labels files swapped?");
    put_be32(lab, 0x00000803);
    pair_fail("labmagic", img, il, lab, ll, 3,
              "labmagic-labels: error: bad magic 0x00000803, expected 0x00000801");
}

static void test_idx_truncated_images(void **state)
{
    unsigned char img[64], lab[16];
    size_t il = idx_images(img, 0x803, 3, 2, 3, 10), ll = idx_labels(lab, 0x801, 3, LABELS3, 3);

    (void)state;
    pair_fail("truncimg", img, il, lab, ll, 3,
              "truncimg-images: error: truncated: header dims 3x2x3 need 18 data bytes, "
              "file has 10");
    /* cut inside the header itself */
    pair_fail("trunchdr", img, 10, lab, ll, 3, "trunchdr-images: error: truncated IDX header "
              "(10 bytes, need 16)");
}

static void test_idx_truncated_labels(void **state)
{
    unsigned char img[64], lab[16];
    size_t il = idx_images(img, 0x803, 3, 2, 3, 18), ll = idx_labels(lab, 0x801, 3, LABELS3, 2);

    (void)state;
    pair_fail("trunclab", img, il, lab, ll, 3,
              "trunclab-labels: error: truncated: header dims 3 need 3 data bytes, file has 2");
    pair_fail("trunclabhdr", img, il, lab, 6, 3, "truncated IDX header (6 bytes, need 8)");
}

static void test_idx_count_mismatch(void **state)
{
    static const unsigned char four[] = {0, 1, 2, 0};
    unsigned char img[64], lab[16];
    size_t il = idx_images(img, 0x803, 3, 2, 3, 18), ll = idx_labels(lab, 0x801, 4, four, 4);

    (void)state;
    pair_fail("count", img, il, lab, ll, 3, "count-labels: error: 4 labels but ");
    pair_fail("count2", img, il, lab, ll, 3, "count2-images has 3 samples");
}

static void test_idx_header_too_big(void **state)
{
    unsigned char img[128], lab[16];
    size_t ll = idx_labels(lab, 0x801, 3, LABELS3, 3);

    (void)state;
    /* 2^31 images of 28x28 claimed by a 100-byte file: an error, not a malloc */
    idx_images(img, 0x803, 0x80000000u, 28, 28, 84);
    pair_fail("huge", img, 100, lab, ll, 3, "huge-images: error: truncated: header dims "
              "2147483648x28x28 need 1683627180032 data bytes, file has 84");
    /* dims whose product does not even fit in size_t */
    idx_images(img, 0x803, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 84);
    pair_fail("ovf", img, 100, lab, ll, 3,
              "ovf-images: error: header dims 4294967295x4294967295x4294967295 overflow");
    /* huge label count */
    idx_images(img, 0x803, 3, 2, 3, 18);
    put_be32(lab + 4, 0xFFFFFFFFu);
    pair_fail("hugelab", img, 34, lab, ll, 3,
              "hugelab-labels: error: truncated: header dims 4294967295 need 4294967295");
    /* zero dims: nothing to train on */
    idx_images(img, 0x803, 3, 0, 3, 0);
    put_be32(lab + 4, 3);
    pair_fail("zero", img, 16, lab, ll, 3, "zero-images: error: header dims 3x0x3 contain a zero");
}

static void test_idx_label_out_of_range(void **state)
{
    static const unsigned char bad[] = {0, 1, 7};
    unsigned char img[64], lab[16];
    size_t il = idx_images(img, 0x803, 3, 2, 3, 18), ll = idx_labels(lab, 0x801, 3, bad, 3);

    (void)state;
    pair_fail("range", img, il, lab, ll, 3,
              "range-labels: error: label 7 at index 2 is out of range [0, 3)");
    ll = idx_labels(lab, 0x801, 3, LABELS3, 3); /* label 2 with classes = 2 */
    pair_fail("range2", img, il, lab, ll, 2, "label 2 at index 0 is out of range [0, 2)");
    pair_fail("classesneg", img, il, lab, ll, -1, "classes must be >= 0, got -1");
}

static void test_idx_trailing_garbage(void **state)
{
    unsigned char img[64], lab[16];
    size_t il = idx_images(img, 0x803, 3, 2, 3, 23), ll = idx_labels(lab, 0x801, 3, LABELS3, 3);

    (void)state;
    pair_fail("trail", img, il, lab, ll, 3, "trail-images: error: trailing garbage: 5 bytes "
              "after the 18 data bytes of header dims 3x2x3");
    il = idx_images(img, 0x803, 3, 2, 3, 18);
    lab[ll++] = 0;
    pair_fail("traillab", img, il, lab, ll, 3, "traillab-labels: error: trailing garbage: 1 bytes");
}

static void test_idx_missing_file(void **state)
{
    char err[512] = "";
    rt_dataset d;
    const char *p = track("does-not-exist");

    (void)state;
    expect_fail(rt_load_idx_pair(p, p, 10, &d, err, sizeof err), &d, err,
                "does-not-exist: error: No such file or directory");
    /* err may be omitted entirely */
    assert_int_equal(rt_load_idx_pair(p, p, 10, &d, NULL, 0), -1);
    assert_null(d.pix);
}

static void test_mnist_dir(void **state)
{
    const char *ip, *lp;
    char err[512] = "";
    rt_dataset d;
    unsigned char junk[] = "not gzip, not idx";

    (void)state;
    make_subdir("mn");
    /* train raw, plus a broken .gz beside it that must be ignored: raw first */
    good_pair("mn/train-images-idx3-ubyte", "mn/train-labels-idx1-ubyte", 0, &ip, &lp);
    write_raw("mn/train-images-idx3-ubyte.gz", junk, sizeof junk);
    /* test set only as .gz */
    good_pair("mn/t10k-images-idx3-ubyte.gz", "mn/t10k-labels-idx1-ubyte.gz", 1, &ip, &lp);
    {
        char dir[512];

        snprintf(dir, sizeof dir, "%s/mn", tmpdir);
        assert_int_equal(rt_load_mnist_dir(dir, 0, 3, &d, err, sizeof err), 0);
        check_good(&d);
        rt_dataset_free(&d);
        strcat(dir, "/"); /* trailing slash is fine */
        assert_int_equal(rt_load_mnist_dir(dir, 1, 3, &d, err, sizeof err), 0);
        check_good(&d);
        rt_dataset_free(&d);
        expect_fail(rt_load_mnist_dir(dir, 2, 3, &d, err, sizeof err), &d, err,
                    "which must be 0 (train) or 1 (t10k), got 2");
    }
}

static void test_mnist_dir_missing(void **state)
{
    char dir[512], err[1024] = "";
    rt_dataset d;

    (void)state;
    make_subdir("empty");
    snprintf(dir, sizeof dir, "%s/empty", tmpdir);
    expect_fail(rt_load_mnist_dir(dir, 1, 10, &d, err, sizeof err), &d, err,
                "empty/t10k-images-idx3-ubyte: error: no such file (nor ");
    assert_non_null(strstr(err, "empty/t10k-images-idx3-ubyte.gz, nor t10k-images-idx4-ubyte[.gz])"));
}

/* ------------------------------------------------------------------ */
/* CSV builders                                                        */
/* ------------------------------------------------------------------ */

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *text)
{
    size_t tl = strlen(text);

    if (b->n + tl + 1 > b->cap) {
        b->cap = (b->n + tl + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    memcpy(b->s + b->n, text, tl + 1);
    b->n += tl;
}

static void sb_header(sbuf *b, int labeled, const char *nl)
{
    char f[16];

    if (labeled)
        sb_add(b, "label,");
    for (int i = 0; i < 784; i++) {
        snprintf(f, sizeof f, i ? ",pixel%d" : "pixel%d", i);
        sb_add(b, f);
    }
    sb_add(b, nl);
}

static int csv_pixel(int seed, int i)
{
    return seed < 0 ? 0 : (seed * 31 + i * 7) % 256;
}

/* One row: label text (NULL = unlabeled), npix pixel fields (value from
   csv_pixel; seed -1 = all "0"), pixel bad_idx replaced by bad text. */
static void sb_row(sbuf *b, const char *label, int npix, int seed, int bad_idx,
                   const char *bad, const char *nl)
{
    char f[32];

    if (label) {
        sb_add(b, label);
        sb_add(b, npix ? "," : "");
    }
    for (int i = 0; i < npix; i++) {
        if (i == bad_idx)
            snprintf(f, sizeof f, "%s%s", i ? "," : "", bad);
        else
            snprintf(f, sizeof f, "%s%d", i ? "," : "", csv_pixel(seed, i));
        sb_add(b, f);
    }
    sb_add(b, nl);
}

static const char *write_sb(const char *name, sbuf *b)
{
    const char *p = write_raw(name, b->s ? b->s : "", b->n);

    free(b->s);
    memset(b, 0, sizeof *b);
    return p;
}

static void csv_fail(const char *name, sbuf *b, const char *frag)
{
    char err[512] = "";
    rt_dataset d;
    const char *p = write_sb(name, b);

    expect_fail(rt_load_csv(p, NULL, 10, &d, err, sizeof err), &d, err, frag);
}

static void check_csv_rows(const rt_dataset *d, int n, const int *labels)
{
    assert_int_equal(d->n, n);
    assert_int_equal(d->h, 28);
    assert_int_equal(d->w, 28);
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < 784; i++)
            assert_int_equal(d->pix[r * 784 + i], csv_pixel(r + 1, i));
        if (labels)
            assert_int_equal(d->y[r], labels[r]);
    }
    if (!labels)
        assert_null(d->y);
}

/* ------------------------------------------------------------------ */
/* CSV tests                                                           */
/* ------------------------------------------------------------------ */

static void test_csv_good_labeled(void **state)
{
    static const int labels[] = {7, 0, 9};
    sbuf b = {0};
    char err[256] = "", lab[4];
    rt_dataset d;

    (void)state;
    sb_header(&b, 1, "\n");
    for (int r = 0; r < 3; r++) {
        snprintf(lab, sizeof lab, "%d", labels[r]);
        sb_row(&b, lab, 784, r + 1, -1, NULL, "\n");
    }
    assert_int_equal(rt_load_csv(write_sb("good.csv", &b), NULL, 10, &d, err, sizeof err), 0);
    check_csv_rows(&d, 3, labels);
    rt_dataset_free(&d);
}

static void test_csv_good_unlabeled(void **state)
{
    sbuf b = {0};
    char err[256] = "";
    rt_dataset d;

    (void)state;
    sb_header(&b, 0, "\n");
    sb_row(&b, NULL, 784, 1, -1, NULL, "\n");
    sb_row(&b, NULL, 784, 2, -1, NULL, "\n");
    assert_int_equal(rt_load_csv(write_sb("test.csv", &b), NULL, 10, &d, err, sizeof err), 0);
    check_csv_rows(&d, 2, NULL);
    rt_dataset_free(&d);
}

static void test_csv_crlf_and_endings(void **state)
{
    static const int labels[] = {3, 4};
    sbuf b = {0};
    char err[256] = "";
    rt_dataset d;

    (void)state;
    /* CRLF throughout, no final newline */
    sb_header(&b, 1, "\r\n");
    sb_row(&b, "3", 784, 1, -1, NULL, "\r\n");
    sb_row(&b, "4", 784, 2, -1, NULL, "");
    assert_int_equal(rt_load_csv(write_sb("crlf.csv", &b), "", 10, &d, err, sizeof err), 0);
    check_csv_rows(&d, 2, labels);
    rt_dataset_free(&d);
    /* blank lines (LF and CRLF) at the end, BOM at the start, gzip */
    sb_add(&b, "\xEF\xBB\xBF");
    sb_header(&b, 1, "\n");
    sb_row(&b, "3", 784, 1, -1, NULL, "\n");
    sb_row(&b, "4", 784, 2, -1, NULL, "\n\n\r\n\n");
    assert_int_equal(rt_load_csv(write_gz("tail.csv.gz", b.s, b.n), "label", 10, &d, err, sizeof err), 0);
    free(b.s);
    memset(&b, 0, sizeof b);
    check_csv_rows(&d, 2, labels);
    rt_dataset_free(&d);
    /* a CRLF row one field short: the column points at the end of the
       content, not at the '\r' */
    sb_header(&b, 1, "\r\n");
    sb_row(&b, "3", 783, -1, -1, NULL, "\r\n");
    csv_fail("crlf-short.csv", &b, "crlf-short.csv:2:1568: error: expected 785 fields, got 784");
}

static void test_csv_bad_field(void **state)
{
    sbuf b = {0};

    (void)state;
    /* all-zero rows: field j (0-based) starts at column 2j+1, so pixel i
       (field i+1) of a labeled row is at column 2i+3 */
    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, -1, NULL, "\n");
    sb_row(&b, "2", 784, -1, 10, "x", "\n");
    csv_fail("nonnum.csv", &b, "nonnum.csv:3:23: error: column 'pixel10': 'x' is not an integer 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 0, "256", "\n");
    csv_fail("big.csv", &b, "big.csv:2:3: error: column 'pixel0': 256 is out of range 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 783, "99999999999999999999", "\n");
    csv_fail("huge.csv", &b, "huge.csv:2:1569: error: column 'pixel783': 99999999999999999999 is out of range");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 5, "-1", "\n");
    csv_fail("neg.csv", &b, "neg.csv:2:13: error: column 'pixel5': '-1' is not an integer 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 5, "1.5", "\n");
    csv_fail("frac.csv", &b, "frac.csv:2:13: error: column 'pixel5': '1.5' is not an integer 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 2, "", "\n");
    csv_fail("emptyfield.csv", &b, "emptyfield.csv:2:7: error: column 'pixel2': missing value (empty field)");

    sb_header(&b, 1, "\n");
    sb_row(&b, "10", 784, -1, -1, NULL, "\n");
    csv_fail("label.csv", &b, "label.csv:2:1: error: column 'label': 10 is out of range 0..9");

    sb_header(&b, 1, "\n");
    sb_row(&b, "a", 784, -1, -1, NULL, "\n");
    csv_fail("labelx.csv", &b, "labelx.csv:2:1: error: column 'label': 'a' is not a number");

    /* unlabeled: pixel i is field i, column 2i+1; spaces around a value
       are ignored (test_csv_spaces), inside it not; the column is the
       value's first character */
    sb_header(&b, 0, "\n");
    sb_row(&b, NULL, 784, -1, 4, " 1 2", "\n");
    csv_fail("space.csv", &b, "space.csv:2:10: error: column 'pixel4': '1 2' is not an integer 0..255");

    sb_header(&b, 0, "\n");
    sb_row(&b, NULL, 784, -1, 783, "NA", "\n");
    csv_fail("na.csv", &b, "na.csv:2:1567: error: column 'pixel783': missing value 'NA'");
}

static void test_csv_wrong_column_count(void **state)
{
    sbuf b = {0};

    (void)state;
    /* one short: "0" + 783 * ",0" is 1567 chars, so the end is column 1568 */
    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, -1, NULL, "\n");
    sb_row(&b, "1", 783, -1, -1, NULL, "\n");
    csv_fail("short.csv", &b, "short.csv:3:1568: error: expected 785 fields, got 784");

    /* two extra: the first extra field is field 785, column 1571 */
    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 786, -1, -1, NULL, "\n");
    csv_fail("long.csv", &b, "long.csv:2:1571: error: expected 785 fields, got 787");

    /* trailing comma = an extra empty field */
    sb_header(&b, 0, "\n");
    sb_row(&b, NULL, 784, -1, -1, NULL, ",\n");
    csv_fail("comma.csv", &b, "comma.csv:2:1569: error: expected 784 fields, got 785");

    /* a labeled file's row in an unlabeled file: field 784 is at 1569 */
    sb_header(&b, 0, "\n");
    sb_row(&b, "1", 784, -1, -1, NULL, "\n");
    csv_fail("mixed.csv", &b, "mixed.csv:2:1569: error: expected 784 fields, got 785");
}

static void test_csv_bad_header(void **state)
{
    sbuf b = {0};

    (void)state;
    /* data without a header: the first line is numbers only */
    sb_row(&b, "1", 784, -1, -1, NULL, "\n");
    sb_row(&b, "2", 784, -1, -1, NULL, "\n");
    csv_fail("nohdr.csv", &b, "nohdr.csv:1:1: error: the first line is data ('1' is a number), "
             "not a header; the first line must name the columns");

    /* "pixel0,...,pixel4," is 5 * 7 = 35 chars, so field 5 is at column 36 */
    sb_add(&b, "pixel0,pixel1,pixel2,pixel3,pixel4,pixel0\n");
    csv_fail("hdr5.csv", &b, "hdr5.csv:1:36: error: duplicate column name 'pixel0' (columns 1 "
             "and 6)");

    /* the header sets the column count; data rows must follow it */
    sb_add(&b, "label,pixel0\n3,4,5\n");
    csv_fail("hdrshort.csv", &b, "hdrshort.csv:2:5: error: expected 2 fields, got 3");

    sb_add(&b, "label\n3\n");
    csv_fail("hdrlabel.csv", &b, "hdrlabel.csv:1:1: error: the header names only label columns, "
             "no feature columns");
}

static void test_csv_empty(void **state)
{
    sbuf b = {0};

    (void)state;
    csv_fail("empty.csv", &b, "empty.csv: error: empty file (expected a header");
    sb_add(&b, "\r\n\n");
    csv_fail("blank.csv", &b, "blank.csv: error: empty file");
    sb_header(&b, 1, "\n");
    csv_fail("hdronly.csv", &b, "hdronly.csv: error: header only, no data rows");
    sb_header(&b, 0, "\r\n\r\n");
    csv_fail("hdronly2.csv", &b, "hdronly2.csv: error: header only, no data rows");
}

static void test_csv_blank_line_in_middle(void **state)
{
    sbuf b = {0};

    (void)state;
    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, -1, NULL, "\n\n");
    sb_row(&b, "1", 784, -1, -1, NULL, "\n");
    csv_fail("gap.csv", &b, "gap.csv:3:1: error: empty line before more data");
}

static void test_csv_missing_and_classes(void **state)
{
    char err[512] = "";
    rt_dataset d;
    const char *p = track("nope.csv");

    (void)state;
    expect_fail(rt_load_csv(p, NULL, 10, &d, err, sizeof err), &d, err,
                "nope.csv: error: No such file or directory");
    expect_fail(rt_load_csv(p, NULL, -1, &d, err, sizeof err), &d, err, "classes must be >= 0, got -1");
}

/* ------------------------------------------------------------------ */
/* IDX of any rank, float IDX, idx4 names                              */
/* ------------------------------------------------------------------ */

/* An IDX file of any magic and dims, then `have` bytes of payload. */
static size_t idx_any(unsigned char *buf, uint32_t magic, int nd, const uint32_t *dims,
                      const void *payload, size_t have)
{
    put_be32(buf, magic);
    for (int i = 0; i < nd; i++)
        put_be32(buf + 4 + 4 * i, dims[i]);
    memcpy(buf + 4 + 4 * nd, payload, have);
    return 4 + 4 * (size_t)nd + have;
}

static void load_idx_bytes(const char *tag, const unsigned char *img, size_t il,
                           rt_dataset *d)
{
    unsigned char lab[16];
    size_t ll = idx_labels(lab, 0x801, 3, LABELS3, 3);
    char ni[64], nl[64], err[512] = "";

    snprintf(ni, sizeof ni, "%s-images", tag);
    snprintf(nl, sizeof nl, "%s-labels", tag);
    const char *ip = write_raw(ni, img, il);
    const char *lp = write_raw(nl, lab, ll);
    if (rt_load_idx_pair(ip, lp, 3, d, err, sizeof err))
        print_message("%s\n", err);
    assert_non_null(d->pix ? (void *)d->pix : (void *)d->xf);
    assert_string_equal(d->src, ip);
}

static void test_idx_any_rank(void **state)
{
    unsigned char px[36], buf[128];
    uint32_t d4[] = {3, 2, 3, 2}, d2[] = {3, 4}, d1[] = {3};
    rt_dataset d;

    (void)state;
    for (int i = 0; i < 36; i++)
        px[i] = pixel_at((size_t)i);
    /* rank 4: [3] samples of [2, 3, 2], e.g. 2x3 RGB-like pairs */
    load_idx_bytes("r4", buf, idx_any(buf, 0x804, 4, d4, px, 36), &d);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.rank, 3);
    assert_int_equal(d.dims[0], 2);
    assert_int_equal(d.dims[1], 3);
    assert_int_equal(d.dims[2], 2);
    assert_int_equal(d.size, 12);
    assert_int_equal(d.h, 2);
    assert_int_equal(d.w, 3);
    assert_memory_equal(d.pix, px, 36);
    rt_dataset_free(&d);
    /* rank 2: flat samples of 4 values, shown as a 2x2 picture */
    load_idx_bytes("r2", buf, idx_any(buf, 0x802, 2, d2, px, 12), &d);
    assert_int_equal(d.rank, 1);
    assert_int_equal(d.size, 4);
    assert_int_equal(d.h, 2);
    assert_int_equal(d.w, 2);
    rt_dataset_free(&d);
    /* rank 1: one value per sample */
    load_idx_bytes("r1", buf, idx_any(buf, 0x801, 1, d1, px, 3), &d);
    assert_int_equal(d.rank, 0);
    assert_int_equal(d.size, 1);
    assert_int_equal(d.pix[2], px[2]);
    rt_dataset_free(&d);
}

static void put_bef32(unsigned char *p, float f)
{
    uint32_t u;

    memcpy(&u, &f, sizeof u);
    put_be32(p, u);
}

static void test_idx_float(void **state)
{
    unsigned char payload[24], buf[128], lab[16];
    uint32_t dims[] = {3, 2};
    const float v[6] = {0.5f, -1.25f, 3e-3f, 1e30f, 0.0f, -0.0f};
    rt_dataset d;

    (void)state;
    for (int i = 0; i < 6; i++)
        put_bef32(payload + 4 * i, v[i]);
    load_idx_bytes("f32", buf, idx_any(buf, 0xD02, 2, dims, payload, 24), &d);
    assert_null(d.pix);
    assert_int_equal(d.size, 2);
    for (int i = 0; i < 6; i++)
        assert_memory_equal(&d.xf[i], &v[i], sizeof v[i]);
    rt_dataset_free(&d);
    /* a NaN would only surface as a diverged loss later: refused here */
    put_bef32(payload + 8, NAN);
    size_t il = idx_any(buf, 0xD02, 2, dims, payload, 24), ll = idx_labels(lab, 0x801, 3, LABELS3, 3);
    pair_fail("nan", buf, il, lab, ll, 3, "nan-images: error: data: value 2 is not finite (nan)");
    put_bef32(payload + 8, INFINITY);
    il = idx_any(buf, 0xD02, 2, dims, payload, 24);
    pair_fail("inf", buf, il, lab, ll, 3, "inf-images: error: data: value 2 is not finite (inf)");
    /* float dims are checked at 4 bytes per element */
    il = idx_any(buf, 0xD02, 2, dims, payload, 23);
    pair_fail("f32trunc", buf, il, lab, ll, 3, "f32trunc-images: error: truncated: header dims "
              "3x2 need 24 data bytes, file has 23");
}

static void test_mnist_dir_idx4(void **state)
{
    unsigned char px[36], buf[128], lab[16];
    uint32_t d4[] = {3, 2, 3, 2};
    char dir[512], err[512] = "";
    rt_dataset d;

    (void)state;
    for (int i = 0; i < 36; i++)
        px[i] = pixel_at((size_t)i);
    make_subdir("mn4");
    write_gz("mn4/t10k-images-idx4-ubyte.gz", buf, idx_any(buf, 0x804, 4, d4, px, 36));
    write_raw("mn4/t10k-labels-idx1-ubyte", lab, idx_labels(lab, 0x801, 3, LABELS3, 3));
    snprintf(dir, sizeof dir, "%s/mn4", tmpdir);
    assert_int_equal(rt_load_mnist_dir(dir, 1, 3, &d, err, sizeof err), 0);
    assert_int_equal(d.rank, 3);
    assert_int_equal(d.size, 12);
    assert_non_null(strstr(d.src, "mn4/t10k-images-idx4-ubyte.gz"));
    rt_dataset_free(&d);
}

/* ------------------------------------------------------------------ */
/* CSV of any width                                                    */
/* ------------------------------------------------------------------ */

static void test_csv_any_width(void **state)
{
    sbuf b = {0};
    char err[256] = "";
    rt_dataset d;

    (void)state;
    sb_add(&b, "label,pixel0,pixel1,pixel2,pixel3,pixel4,pixel5\n1,0,1,2,3,4,255\n0,9,8,7,6,5,4\n");
    assert_int_equal(rt_load_csv(write_sb("w6.csv", &b), NULL, 2, &d, err, sizeof err), 0);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.rank, 1);
    assert_int_equal(d.dims[0], 6);
    assert_int_equal(d.size, 6);
    assert_int_equal(d.h, 1);
    assert_int_equal(d.w, 6);
    assert_int_equal(d.pix[5], 255);
    assert_int_equal(d.pix[6], 9);
    assert_int_equal(d.y[0], 1);
    assert_non_null(strstr(d.src, "w6.csv"));
    rt_dataset_free(&d);
}

/* ------------------------------------------------------------------ */
/* NumPy .npy                                                          */
/* ------------------------------------------------------------------ */

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* A .npy file as numpy writes it: magic, version major.0, header length,
   the dict padded with spaces and a newline to a multiple of 64, data. */
static unsigned char *npy_bytes(int major, const char *dict, const void *data, size_t dlen,
                                size_t *len)
{
    size_t pre = major == 1 ? 10 : 12, hl = strlen(dict) + 1;
    unsigned char *b;

    hl = (pre + hl + 63) / 64 * 64 - pre;
    b = malloc(pre + hl + dlen + 1);
    assert_non_null(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major, b[7] = 0;
    if (major == 1)
        b[8] = (unsigned char)hl, b[9] = (unsigned char)(hl >> 8);
    else
        put_le32(b + 8, (uint32_t)hl);
    memset(b + pre, ' ', hl);
    memcpy(b + pre, dict, strlen(dict));
    b[pre + hl - 1] = '\n';
    if (dlen)
        memcpy(b + pre + hl, data, dlen);
    *len = pre + hl + dlen;
    return b;
}

static const char *write_npy(const char *name, int major, const char *dict, const void *data,
                             size_t dlen)
{
    size_t len;
    unsigned char *b = npy_bytes(major, dict, data, dlen, &len);
    const char *p = write_raw(name, b, len);

    free(b);
    return p;
}

#define NPY_DICT(descr, shape) "{'descr': '" descr "', 'fortran_order': False, 'shape': " shape ", }"

static unsigned char X12[64];   /* 3 samples of [2, 2] (and spare bytes), pixel_at() */
static const unsigned char Y3[3] = {2, 0, 1};

static void npy_init(void)
{
    for (int i = 0; i < 64; i++)
        X12[i] = pixel_at((size_t)i);
}

/* x and y files as given; expects failure with frag in the message. */
static void npy_fail(const char *tag, const char *xname_suffix, const unsigned char *x, size_t xl,
                     const unsigned char *y, size_t yl, int classes, const char *frag)
{
    char nx[64], ny[64], err[512] = "";
    rt_dataset d;

    snprintf(nx, sizeof nx, "%s-x%s.npy", tag, xname_suffix);
    snprintf(ny, sizeof ny, "%s-y.npy", tag);
    const char *xp = write_raw(nx, x, xl);
    const char *yp = write_raw(ny, y, yl);
    expect_fail(rt_load_npy_pair(xp, yp, classes, &d, err, sizeof err), &d, err, frag);
}

/* A lying x (header dict and data) against a good y. */
static void x_fail(const char *tag, int major, const char *dict, const void *data, size_t dlen,
                   const char *frag)
{
    size_t xl, yl;
    unsigned char *x = npy_bytes(major, dict, data, dlen, &xl);
    unsigned char *y = npy_bytes(1, NPY_DICT("|u1", "(3,)"), Y3, 3, &yl);

    npy_fail(tag, "", x, xl, y, yl, 3, frag);
    free(x);
    free(y);
}

/* A good x against a lying y. */
static void y_fail(const char *tag, const char *dict, const void *data, size_t dlen, int classes,
                   const char *frag)
{
    size_t xl, yl;
    unsigned char *x = npy_bytes(1, NPY_DICT("|u1", "(3, 2, 2)"), X12, 12, &xl);
    unsigned char *y = npy_bytes(1, dict, data, dlen, &yl);

    npy_fail(tag, "", x, xl, y, yl, classes, frag);
    free(x);
    free(y);
}

static void load_npy_ok(const char *tag, const char *xp, const char *yp, int classes, rt_dataset *d)
{
    char err[512] = "";
    int rc = rt_load_npy_pair(xp, yp, classes, d, err, sizeof err);

    if (rc)
        print_message("%s: %s\n", tag, err);
    assert_int_equal(rc, 0);
    assert_string_equal(d->src, xp);
}

static void test_npy_good_u8_v1(void **state)
{
    /* every label dtype, little-endian where it matters */
    static const char *const descr[] = {"|u1", "|i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8"};
    rt_dataset d;

    (void)state;
    npy_init();
    const char *xp = write_npy("u8-x.npy", 1, NPY_DICT("|u1", "(3, 2, 2)"), X12, 12);
    for (int k = 0; k < 8; k++) {
        int size = descr[k][2] - '0';
        unsigned char y[24] = {0};
        char dict[128], name[32];

        for (int i = 0; i < 3; i++)
            y[i * size] = Y3[i];
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (3,), }",
                 descr[k]);
        snprintf(name, sizeof name, "u8-y%d.npy", k);
        load_npy_ok(descr[k], xp, write_npy(name, 1, dict, y, 3 * (size_t)size), 3, &d);
        assert_int_equal(d.n, 3);
        assert_int_equal(d.rank, 2);
        assert_int_equal(d.dims[0], 2);
        assert_int_equal(d.dims[1], 2);
        assert_int_equal(d.size, 4);
        assert_null(d.xf);
        assert_memory_equal(d.pix, X12, 12);
        for (int i = 0; i < 3; i++)
            assert_int_equal(d.y[i], Y3[i]);
        rt_dataset_free(&d);
    }
}

static void test_npy_good_f32_v2(void **state)
{
    const float v[12] = {0.5f, -1.0f, 2.25f, 1e-7f, 0, 1, 2, 3, 4, 5, 6, -7.5f};
    const int64_t y[3] = {1, 2, 0};
    rt_dataset d;

    (void)state;
    /* rank 4 [3, 2, 2, 1], version 2.0; labels [n, 1] as Keras's CIFAR-10 has them */
    const char *xp = write_npy("f32-x.npy", 2, NPY_DICT("<f4", "(3, 2, 2, 1)"), v, sizeof v);
    const char *yp = write_npy("f32-y.npy", 2, NPY_DICT("<i8", "(3, 1)"), y, sizeof y);
    load_npy_ok("f32", xp, yp, 3, &d);
    assert_int_equal(d.rank, 3);
    assert_int_equal(d.dims[2], 1);
    assert_null(d.pix);
    assert_memory_equal(d.xf, v, sizeof v);
    assert_int_equal(d.y[1], 2);
    rt_dataset_free(&d);
}

static void test_npy_good_v3_forms(void **state)
{
    rt_dataset d;

    (void)state;
    npy_init();
    /* version 3.0; double quotes, keys in another order, no trailing comma,
       Python 2 longs, line breaks: all valid Python dict literals */
    const char *xp = write_npy("v3-x.npy", 3, "{\"shape\": (3L,\n 4L), \"fortran_order\":False,"
                               "\"descr\" : \"<u1\"}", X12, 12);
    const char *yp = write_npy("v3-y.npy", 3, "{'descr':'>u1','fortran_order':False,'shape':(3,)}",
                               Y3, 3);
    load_npy_ok("v3", xp, yp, 3, &d);
    assert_int_equal(d.rank, 1);
    assert_int_equal(d.dims[0], 4);
    assert_int_equal(d.h, 2);   /* a square flat sample is shown square */
    assert_int_equal(d.w, 2);
    rt_dataset_free(&d);
    /* one value per sample: x of shape (3,) */
    xp = write_npy("v3-x1.npy", 1, NPY_DICT("|u1", "(3,)"), X12, 3);
    load_npy_ok("scalar", xp, yp, 3, &d);
    assert_int_equal(d.rank, 0);
    assert_int_equal(d.size, 1);
    rt_dataset_free(&d);
}

/* magic, version and header length */
static void test_npy_bad_preamble(void **state)
{
    size_t yl, xl;
    unsigned char *y = npy_bytes(1, NPY_DICT("|u1", "(3,)"), Y3, 3, &yl);
    unsigned char *x = npy_bytes(1, NPY_DICT("|u1", "(3, 2, 2)"), X12, 12, &xl);

    (void)state;
    npy_init();
    x[5] = 'X';
    npy_fail("magic", "", x, xl, y, yl, 3, "magic-x.npy: error: magic: not a .npy file "
             "(it does not start with \\x93NUMPY)");
    npy_fail("npz", "", (const unsigned char *)"PK\3\4\24\0\0\0", 8, y, yl, 3,
             "npz-x.npy: error: magic: not a .npy file (it does not start with \\x93NUMPY); "
             "this is a .npz (zip) archive: save each array with np.save");
    npy_fail("short", "", x, 3, y, yl, 3, "short-x.npy: error: magic: not a .npy file");
    x[5] = 'Y';
    npy_fail("nover", "", x, 7, y, yl, 3, "nover-x.npy: error: version: truncated (the file "
             "has 7 bytes)");
    x[6] = 4;
    npy_fail("v4", "", x, xl, y, yl, 3, "v4-x.npy: error: version: 4.0 is not supported "
             "(1.0, 2.0 and 3.0 are)");
    x[6] = 1, x[7] = 1;
    npy_fail("v11", "", x, xl, y, yl, 3, "v11-x.npy: error: version: 1.1 is not supported");
    x[7] = 0;
    npy_fail("nolen", "", x, 9, y, yl, 3, "nolen-x.npy: error: header length: truncated "
             "(the file has 9 bytes)");
    x[8] = 0xE8, x[9] = 0x03;   /* 1000 */
    npy_fail("hlen", "", x, xl, y, yl, 3, "hlen-x.npy: error: header length: 1000 bytes, "
             "but only 130 follow (truncated)");
    free(x);
    x = npy_bytes(2, NPY_DICT("|u1", "(3, 2, 2)"), X12, 12, &xl);
    put_le32(x + 8, 0xFFFFFFF0u);
    npy_fail("hhuge", "", x, xl, y, yl, 3, "hhuge-x.npy: error: header length: 4294967280 "
             "bytes, more than the 16384 a header of these dtypes can need");
    free(x);
    free(y);
}

/* the header dict's syntax and keys */
static void test_npy_bad_header(void **state)
{
    static const struct { const char *tag, *dict, *frag; } cases[] = {
        {"list", "['descr', '|u1']", "list-x.npy: error: header: not a valid Python dict "
         "literal: expected '{' at byte 0 of the header"},
        {"colon", "{'descr' '|u1'}", "colon-x.npy: error: header: not a valid Python dict "
         "literal: expected ':' after a key at byte 9"},
        {"bare", "{descr: '|u1'}", "bare-x.npy: error: header: not a valid Python dict literal: "
         "expected a quoted key or '}' at byte 1"},
        {"sep", NPY_DICT("|u1", "(3, 2, 2)") " x", "sep-x.npy: error: header: not a valid Python "
         "dict literal: expected only spaces and a newline after the closing '}'"},
        {"nosep", "{'descr': '|u1' 'fortran_order': False}", "nosep-x.npy: error: header: not a "
         "valid Python dict literal: expected ',' or '}'"},
        {"open", "{'descr': '|u1", "open-x.npy: error: header: not a valid Python dict literal: "
         "expected the closing quote"},
        {"escape", "{'descr': '\\x7cu1'}", "escape-x.npy: error: header: escape sequences in "
         "strings are not supported"},
        {"long", "{'descr': '|u1', 'a_key_longer_than_any_real_one_is': 1}", "long-x.npy: error: "
         "header: the string at byte 17 is longer than 31 characters"},
        {"extra", "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2), 'foo': 1}",
         "extra-x.npy: error: header: unexpected key 'foo' (a .npy header has exactly 'descr', "
         "'fortran_order' and 'shape')"},
        {"dup", "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2), 'shape': (3, 4)}",
         "dup-x.npy: error: header: duplicate key 'shape'"},
        {"noshape", "{'descr': '|u1', 'fortran_order': False}",
         "noshape-x.npy: error: header: missing key 'shape'"},
        {"empty", "{}", "empty-x.npy: error: header: missing key 'descr'"},
        {"struct", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}",
         "struct-x.npy: error: 'descr': structured dtypes are not supported"},
        {"fobool", "{'descr': '|u1', 'fortran_order': 0, 'shape': (3, 2, 2)}",
         "fobool-x.npy: error: 'fortran_order': expected True or False"},
        {"notuple", NPY_DICT("|u1", "[3, 2, 2]"), "notuple-x.npy: error: 'shape': expected a tuple "
         "such as (60000, 28, 28)"},
        {"int", NPY_DICT("|u1", "(12)"), "int-x.npy: error: 'shape': (12) is an int, not a "
         "tuple; a 1-tuple is (12,)"},
        {"lead0", NPY_DICT("|u1", "(03, 2, 2)"), "lead0-x.npy: error: 'shape': 03 is not a "
         "Python int (leading zero)"},
        {"neg", NPY_DICT("|u1", "(-3, 2, 2)"), "neg-x.npy: error: 'shape': expected a "
         "non-negative int"},
        {"unclosed", "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2 2)}", "unclosed-x.npy: error: header: not a valid "
         "Python dict literal: expected ',' or ')' in the shape tuple"},
        {"rank6", NPY_DICT("|u1", "(1, 1, 1, 1, 1, 12)"), "rank6-x.npy: error: 'shape': more "
         "than 5 dimensions (n and at most 4 per sample)"},
        {"bigdim", NPY_DICT("|u1", "(99999999999999999999999, 2)"), "bigdim-x.npy: error: "
         "'shape': a dimension is too large"},
    };

    (void)state;
    npy_init();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        x_fail(cases[i].tag, 1, cases[i].dict, X12, 12, cases[i].frag);
}

/* dtype, order, shape against the data, values */
static void test_npy_bad_values(void **state)
{
    const float nan3[3] = {1.0f, NAN, 2.0f};

    (void)state;
    npy_init();
    x_fail("fo", 1, "{'descr': '|u1', 'fortran_order': True, 'shape': (3, 2, 2), }", X12, 12,
           "fo-x.npy: error: 'fortran_order': True (column-major) is not supported; save "
           "np.ascontiguousarray(x)");
    x_fail("be", 1, NPY_DICT(">f4", "(3,)"), X12, 12, "be-x.npy: error: 'descr': '>f4' is "
           "big-endian, which is not supported; convert with x.astype('<f4')");
    x_fail("f8", 1, NPY_DICT("<f8", "(3,)"), X12, 24, "f8-x.npy: error: 'descr': '<f8' (float64) "
           "is not supported; samples are uint8 ('|u1') or float32 ('<f4'): convert with "
           "x.astype(np.float32)");
    x_fail("i4", 1, NPY_DICT("<i4", "(3,)"), X12, 12, "i4-x.npy: error: 'descr': '<i4' is not "
           "supported; samples are uint8 ('|u1') or float32 ('<f4')");
    x_fail("b1", 1, NPY_DICT("|b1", "(3, 2, 2)"), X12, 12, "b1-x.npy: error: 'descr': dtype "
           "'|b1' is not supported; samples are uint8 ('|u1') or float32 ('<f4')");
    x_fail("str", 1, NPY_DICT("<U4", "(3,)"), X12, 12, "str-x.npy: error: 'descr': dtype '<U4'");
    x_fail("zero", 1, NPY_DICT("|u1", "(3, 0, 2)"), X12, 0, "zero-x.npy: error: 'shape': "
           "(3, 0, 2) contains a zero: no data");
    x_fail("scalar", 1, NPY_DICT("|u1", "()"), X12, 1, "scalar-x.npy: error: 'shape': () is a "
           "scalar; samples are [n, ...]");
    x_fail("ovf", 1, NPY_DICT("<f4", "(4294967296, 4294967296, 4294967296)"), X12, 12,
           "ovf-x.npy: error: 'shape': (4294967296, 4294967296, 4294967296) overflows");
    /* 2^31 images claimed by a 12-byte payload: an error, not a malloc */
    x_fail("huge", 1, NPY_DICT("|u1", "(2147483648, 28, 28)"), X12, 12, "huge-x.npy: error: "
           "data: 'shape' (2147483648, 28, 28) of '|u1' needs 1683627180032 bytes, the file "
           "has 12 (truncated)");
    x_fail("trunc", 1, NPY_DICT("|u1", "(3, 2, 2)"), X12, 11, "trunc-x.npy: error: data: 'shape' "
           "(3, 2, 2) of '|u1' needs 12 bytes, the file has 11 (truncated)");
    x_fail("trail", 2, NPY_DICT("|u1", "(2, 2, 2)"), X12, 12, "trail-x.npy: error: data: "
           "'shape' (2, 2, 2) of '|u1' needs 8 bytes, the file has 12 (trailing bytes)");
    x_fail("nan", 1, NPY_DICT("<f4", "(3,)"), nan3, sizeof nan3,
           "nan-x.npy: error: data: value 1 is not finite (nan)");
}

static void test_npy_bad_labels(void **state)
{
    const int16_t neg[3] = {-1, 0, 1};
    const int64_t min[3] = {0, INT64_MIN, 1};
    const uint64_t max[3] = {0, 1, UINT64_MAX};
    const float f[3] = {0, 1, 2};
    const double f8[3] = {0, 1, 2};

    (void)state;
    npy_init();
    y_fail("yrange", NPY_DICT("|u1", "(3,)"), Y3, 3, 2, "yrange-y.npy: error: labels: label 2 at "
           "index 0 is out of range [0, 2)");
    y_fail("yneg", NPY_DICT("<i2", "(3,)"), neg, sizeof neg, 3, "yneg-y.npy: error: labels: "
           "label -1 at index 0 is out of range [0, 3)");
    y_fail("ymin", NPY_DICT("<i8", "(3,)"), min, sizeof min, 3, "ymin-y.npy: error: labels: "
           "label -9223372036854775808 at index 1");
    y_fail("ymax", NPY_DICT("<u8", "(3,)"), max, sizeof max, 3, "ymax-y.npy: error: labels: "
           "label 18446744073709551615 at index 2");
    y_fail("yf2", NPY_DICT("<f2", "(3,)"), f, 6, 3, "yf2-y.npy: error: 'descr': '<f2' (float16) "
           "is not supported for labels; convert with y.astype(np.float32)");
    y_fail("ybef", NPY_DICT(">f8", "(3,)"), f8, sizeof f8, 0, "ybef-y.npy: error: 'descr': '>f8' is "
           "big-endian, which is not supported; convert with y.astype('<f4')");
    y_fail("ybe", NPY_DICT(">i4", "(3,)"), f, sizeof f, 3, "ybe-y.npy: error: 'descr': '>i4' is "
           "big-endian, which is not supported; convert with y.astype('<i8')");
    y_fail("y2d", NPY_DICT("|u1", "(3, 2)"), X12, 6, 3, "y2d-y.npy: error: 'shape': (3, 2): "
           "class labels are [n] or [n, 1] (one-hot rows convert with y.argmax(axis=1))");
    y_fail("y3d", NPY_DICT("|u1", "(3, 1, 1)"), X12, 3, 0, "y3d-y.npy: error: 'shape': "
           "(3, 1, 1): labels are [n] or [n, K]");
    y_fail("y0d", NPY_DICT("|u1", "()"), X12, 1, 0, "y0d-y.npy: error: 'shape': (): labels are "
           "[n] or [n, K]");
    y_fail("yfo", "{'descr': '|u1', 'fortran_order': True, 'shape': (3,)}", Y3, 3, 3,
           "yfo-y.npy: error: 'fortran_order': True (column-major) is not supported; save "
           "np.ascontiguousarray(y)");
    y_fail("ycount", NPY_DICT("|u1", "(2,)"), Y3, 2, 3, "ycount-y.npy: error: 'shape': 2 labels "
           "but ");
    y_fail("ycount2", NPY_DICT("|u1", "(2,)"), Y3, 2, 3, "ycount2-x.npy has 3 samples");
    y_fail("ytrunc", NPY_DICT("<i4", "(3,)"), Y3, 3, 3, "ytrunc-y.npy: error: data: 'shape' "
           "(3,) of '<i4' needs 12 bytes, the file has 3 (truncated)");
    y_fail("classes", NPY_DICT("|u1", "(3,)"), Y3, 3, -1, "classes-y.npy: error: classes must "
           "be >= 0, got -1");
}

static void test_npy_dir(void **state)
{
    char dir[512], err[512] = "";
    rt_dataset d;
    size_t len;
    unsigned char *b;

    (void)state;
    npy_init();
    make_subdir("np");
    write_npy("np/x_train.npy", 1, NPY_DICT("|u1", "(3, 2, 2)"), X12, 12);
    write_npy("np/y_train.npy", 1, NPY_DICT("|u1", "(3,)"), Y3, 3);
    b = npy_bytes(1, NPY_DICT("|u1", "(3, 4)"), X12, 12, &len);
    write_gz("np/x_test.npy.gz", b, len);   /* gzip works as for IDX */
    free(b);
    snprintf(dir, sizeof dir, "%s/np", tmpdir);
    assert_int_equal(rt_data_layout(dir, err, sizeof err), RT_LAYOUT_NPY);
    assert_int_equal(rt_load_npy_dir(dir, 0, 3, &d, err, sizeof err), 0);
    assert_int_equal(d.size, 4);
    assert_int_equal(d.rank, 2);
    rt_dataset_free(&d);
    expect_fail(rt_load_npy_dir(dir, 1, 3, &d, err, sizeof err), &d, err,
                "np/y_test.npy: error: no such file (nor ");
    write_npy("np/y_test.npy", 1, NPY_DICT("|u1", "(3,)"), Y3, 3);
    assert_int_equal(rt_load_npy_dir(dir, 1, 3, &d, err, sizeof err), 0);
    assert_int_equal(d.rank, 1);
    assert_non_null(strstr(d.src, "np/x_test.npy.gz"));
    rt_dataset_free(&d);
}

/* ------------------------------------------------------------------ */
/* --data layouts                                                      */
/* ------------------------------------------------------------------ */

static void test_data_layout(void **state)
{
    char dir[512], err[512] = "";
    unsigned char buf[64];

    (void)state;
    make_subdir("lay-idx");
    write_gz("lay-idx/t10k-images-idx4-ubyte.gz", buf, idx_images(buf, 0x803, 3, 2, 3, 18));
    snprintf(dir, sizeof dir, "%s/lay-idx", tmpdir);
    assert_int_equal(rt_data_layout(dir, err, sizeof err), RT_LAYOUT_IDX);
    make_subdir("lay-img");
    make_subdir("lay-img/cats");
    snprintf(dir, sizeof dir, "%s/lay-img", tmpdir);
    assert_int_equal(rt_data_layout(dir, err, sizeof err), RT_LAYOUT_IMAGES);
    make_subdir("lay-none");
    write_raw("lay-none/readme.txt", "hi", 2);
    snprintf(dir, sizeof dir, "%s/lay-none", tmpdir);
    assert_int_equal(rt_data_layout(dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "lay-none: error: no data found: expected x_train.npy"));
    snprintf(dir, sizeof dir, "%s/lay-missing", tmpdir);
    assert_int_equal(rt_data_layout(dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "lay-missing: error: No such file or directory"));
    snprintf(dir, sizeof dir, "%s/lay-none/readme.txt", tmpdir);
    assert_int_equal(rt_data_layout(dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "readme.txt: error: not a directory"));
}

/* ------------------------------------------------------------------ */
/* PNG decoding and Keras's conversion                                 */
/* ------------------------------------------------------------------ */

/* A PNG written with libpng's low-level API, so that every colour type,
   bit depth and interlacing can be made.  samples: w*h*channels values,
   each below 2^depth (palette indices for PALETTE). */
typedef struct png_spec {
    int w, h, color, depth, interlace;
    const uint16_t *samples;
    int npal, ntrns;
    const png_color *pal;
    const png_byte *trns;
} png_spec;

static int png_channels(int color)
{
    return color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_PALETTE ? 1
           : color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : color == PNG_COLOR_TYPE_RGB ? 3 : 4;
}

static void pack_row(const png_spec *s, int y, unsigned char *row)
{
    const int ch = png_channels(s->color), n = s->w * ch;

    memset(row, 0, ((size_t)n * (size_t)s->depth + 7) / 8);
    for (int i = 0; i < n; i++) {
        unsigned v = s->samples[y * n + i];
        if (s->depth == 16)
            row[2 * i] = (unsigned char)(v >> 8), row[2 * i + 1] = (unsigned char)v;
        else if (s->depth == 8)
            row[i] = (unsigned char)v;
        else   /* packed, most significant bits first */
            row[i * s->depth / 8] |= (unsigned char)(v << (8 - s->depth - i * s->depth % 8));
    }
}

static const char *write_png(const char *name, const png_spec *s)
{
    const char *p = track(name);
    FILE *f = fopen(p, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    unsigned char *row = malloc((size_t)s->w * 8 + 8);

    assert_non_null(f);
    assert_non_null(row);
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)s->w, (png_uint_32)s->h, s->depth, s->color,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s->npal)
        png_set_PLTE(png, info, s->pal, s->npal);
    if (s->ntrns)
        png_set_tRNS(png, info, s->trns, s->ntrns, NULL);
    png_write_info(png, info);
    for (int pass = png_set_interlace_handling(png); pass > 0; pass--)
        for (int y = 0; y < s->h; y++) {
            pack_row(s, y, row);
            png_write_row(png, row);
        }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    assert_int_equal(fclose(f), 0);
    return p;
}

/* A 2x2 RGB image of 8 bits, values base + 10*i. */
static const char *rgb_png(const char *name, int base)
{
    uint16_t v[12];

    for (int i = 0; i < 12; i++)
        v[i] = (uint16_t)(base + 10 * i);
    png_spec s = {2, 2, PNG_COLOR_TYPE_RGB, 8, 0, v, 0, 0, NULL, NULL};
    return write_png(name, &s);
}

static void decode(const char *path, unsigned char **rgba, int *w, int *h)
{
    char err[512] = "";
    int rc = rt_image_load_rgba(path, rgba, w, h, err, sizeof err);

    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
}

static void test_png_kinds(void **state)
{
    static const uint16_t grey2[] = {0, 1, 2, 3}, ga[] = {10, 20, 30, 40, 50, 60, 70, 80};
    static const uint16_t rgba16[] = {0x1234, 0xABCD, 0xFFFF, 0x00FF, 0, 0x8000, 0x7FFF, 0x0100};
    static const uint16_t idx[] = {0, 1, 1, 0}, rgb3x3[27] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                   13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};
    static const png_color pal[] = {{255, 0, 0}, {0, 0, 255}};
    static const png_byte trns[] = {128};
    unsigned char *p;
    int w, h;

    (void)state;
    png_spec g2 = {2, 2, PNG_COLOR_TYPE_GRAY, 2, 0, grey2, 0, 0, NULL, NULL};
    decode(write_png("grey2.png", &g2), &p, &w, &h);   /* 2 bits expanded: x 85 */
    assert_int_equal(p[4 * 3], 255);
    assert_int_equal(p[4 * 1 + 2], 85);
    assert_int_equal(p[4 * 1 + 3], 255);               /* opaque alpha added */
    free(p);
    png_spec s_ga = {2, 2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, ga, 0, 0, NULL, NULL};
    decode(write_png("ga.png", &s_ga), &p, &w, &h);
    assert_int_equal(p[4], 30);
    assert_int_equal(p[6], 30);
    assert_int_equal(p[7], 40);
    free(p);
    png_spec s16 = {2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, rgba16, 0, 0, NULL, NULL};
    decode(write_png("rgba16.png", &s16), &p, &w, &h); /* 16 bits: the high byte */
    assert_int_equal(p[0], 0x12);
    assert_int_equal(p[1], 0xAB);
    assert_int_equal(p[3], 0x00);
    assert_int_equal(p[5], 0x80);
    free(p);
    png_spec sp = {2, 2, PNG_COLOR_TYPE_PALETTE, 8, 0, idx, 2, 1, pal, trns};
    decode(write_png("pal.png", &sp), &p, &w, &h);     /* tRNS becomes alpha */
    assert_int_equal(p[0], 255);
    assert_int_equal(p[3], 128);
    assert_int_equal(p[4 + 2], 255);
    assert_int_equal(p[4 + 3], 255);
    free(p);
    png_spec si = {3, 3, PNG_COLOR_TYPE_RGB, 8, 1, rgb3x3, 0, 0, NULL, NULL};
    decode(write_png("adam7.png", &si), &p, &w, &h);   /* interlaced */
    assert_int_equal(w, 3);
    for (int i = 0; i < 9; i++)
        for (int c = 0; c < 3; c++)
            assert_int_equal(p[4 * i + c], rgb3x3[3 * i + c]);
    free(p);
}

static void test_keras_convert(void **state)
{
    /* 2x1 RGBA: red and a grey; PIL's convert('L') of red is 76 */
    const unsigned char px[8] = {255, 0, 0, 9, 100, 100, 100, 200};
    const unsigned char ramp[16] = {0, 0, 0, 0, 40, 40, 40, 0, 80, 80, 80, 0, 120, 120, 120, 0};
    unsigned char block[4 * 16];
    float out[16];

    (void)state;
    assert_int_equal(rt_image_keras(px, 2, 1, 1, 2, 1, out), 0);
    assert_true(out[0] == 76.0f && out[1] == 100.0f);
    assert_int_equal(rt_image_keras(px, 2, 1, 1, 2, 3, out), 0);   /* alpha dropped */
    assert_true(out[0] == 255.0f && out[2] == 0.0f && out[3] == 100.0f);
    assert_int_equal(rt_image_keras(px, 2, 1, 1, 2, 4, out), 0);
    assert_true(out[3] == 9.0f && out[7] == 200.0f);
    /* up 1x2 -> 1x4 with half-pixel centres: p0, .75 p0 + .25 p1, .25 p0 + .75 p1, p1 */
    assert_int_equal(rt_image_keras(ramp, 2, 1, 1, 4, 1, out), 1);
    assert_true(out[0] == 0.0f && out[1] == 10.0f && out[2] == 30.0f && out[3] == 40.0f);
    /* down 4x4 -> 2x2 by exactly 2: each output is its 2x2 block's mean */
    for (int i = 0; i < 16; i++)
        memset(block + 4 * i, i * 10, 4);
    assert_int_equal(rt_image_keras(block, 4, 4, 2, 2, 1, out), 1);
    assert_true(out[0] == 25.0f && out[1] == 45.0f && out[2] == 105.0f && out[3] == 125.0f);
}

static void png_fail(const char *path, const char *frag)
{
    char err[512] = "";
    unsigned char *p = (unsigned char *)"not freed";
    int w, h;

    assert_int_equal(rt_image_load_rgba(path, &p, &w, &h, err, sizeof err), -1);
    assert_null(p);
    if (!strstr(err, frag))
        print_message("error message was: \"%s\"\nexpected fragment: \"%s\"\n", err, frag);
    assert_non_null(strstr(err, frag));
}

/* A PNG signature and an IHDR chunk (with its CRC) claiming w x h RGB. */
static size_t png_header(unsigned char *b, uint32_t w, uint32_t h)
{
    memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    put_be32(b + 16, w);
    put_be32(b + 20, h);
    memcpy(b + 24, "\x08\x02\0\0\0", 5);
    put_be32(b + 29, (uint32_t)crc32(0, b + 12, 17));
    return 33;
}

static void test_png_bad(void **state)
{
    unsigned char b[256];
    FILE *f;
    size_t len;
    const char *good = rgb_png("good.png", 5);

    (void)state;
    f = fopen(good, "rb");
    assert_non_null(f);
    len = fread(b, 1, sizeof b, f);
    fclose(f);
    b[29] ^= 0xFF;   /* the IHDR's CRC */
    png_fail(write_raw("crc.png", b, len), "crc.png: error: IHDR: CRC error");
    b[29] ^= 0xFF;
    png_fail(write_raw("cut.png", b, len - 20), "cut.png: error: ");
    png_fail(write_raw("text.png", "hello", 5), "text.png: error: not a PNG or PGM image");
    /* 16000 x 16000 claimed by a 57-byte file: refused before allocating */
    len = png_header(b, 16000, 16000);
    memcpy(b + len, "\0\0\0\0IDAT\x35\xaf\x06\x1e\0\0\0\0IEND\xae\x42\x60\x82", 24);
    png_fail(write_raw("liar.png", b, len + 24),
             "liar.png: error: IHDR: the image is larger than the file could hold");
    /* the PGM reader shares the rule: 2^28 pixels claimed by 2 bytes */
    png_fail(write_raw("liar.pgm", "P5 16384 16384 255\n\0\1", 21),
             "liar.pgm: error: truncated PGM: fewer bytes than the header's width x height");
    /* a tEXt chunk claiming 1.6 GB: libpng would allocate it (its own
       limit is only a warning); chunk lengths are checked first (fuzz_imgdir) */
    len = png_header(b, 4, 4);
    memcpy(b + len, "\x61\x61\x61\x61tEXtaaaa", 12);
    png_fail(write_raw("bigtext.png", b, len + 12), "bigtext.png: error: tEXt: the chunk claims "
             "1633771873 bytes but the file has 0 left");
    len = png_header(b, 20000, 1);
    png_fail(write_raw("wide.png", b, len), "wide.png: error: Invalid IHDR data; libpng warned: "
             "Image width exceeds user limit in IHDR");
}

/* ------------------------------------------------------------------ */
/* Image folders                                                       */
/* ------------------------------------------------------------------ */

/* DIR/CLASS/imgK.png for k < n, 2x2 RGB with base 20*k + class. */
static void class_folder(const char *dir, const char *cls, int n, int cbase)
{
    char name[256];

    snprintf(name, sizeof name, "%s/%s", dir, cls);
    make_subdir(name);
    for (int k = 0; k < n; k++) {
        snprintf(name, sizeof name, "%s/%s/img%d.png", dir, cls, k);
        rgb_png(name, cbase + 20 * k);
    }
}

static void test_imgdir_good(void **state)
{
    char dir[512], err[512] = "";
    rt_dataset tr, te;

    (void)state;
    make_subdir("imgs");
    /* byte order, as Python's sorted(): "B" < "a" < "c" */
    class_folder("imgs", "a", 5, 1);
    class_folder("imgs", "B", 5, 0);
    class_folder("imgs", "c", 6, 2);
    write_raw("imgs/a/notes.txt", "not an image", 12);   /* ignored, as Keras does */
    write_raw("imgs/README", "top-level files are ignored", 27);
    snprintf(dir, sizeof dir, "%s/imgs", tmpdir);
    assert_int_equal(rt_load_imgdir(dir, 3, 2, 2, 3, 0.2, &tr, &te, err, sizeof err), 0);
    /* every 5th file of each class held out: img4 of each */
    assert_int_equal(tr.n, 13);
    assert_int_equal(te.n, 3);
    assert_int_equal(tr.rank, 3);
    assert_int_equal(tr.size, 12);
    assert_null(tr.xf);
    assert_string_equal(tr.src, dir);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(te.y[i], i);
        assert_int_equal(te.pix[12 * i], i + 80);   /* img4: base 80 + class */
    }
    assert_int_equal(tr.y[0], 0);
    assert_int_equal(tr.y[4], 1);
    assert_int_equal(tr.y[12], 2);
    assert_int_equal(tr.pix[12 * 5 + 11], 1 + 20 * 1 + 110);   /* a/img1's last value */
    rt_dataset_free(&tr);
    rt_dataset_free(&te);
    /* holdout 0: all 16 images; the test side untouched */
    assert_int_equal(rt_load_imgdir(dir, 3, 2, 2, 1, 0, &tr, NULL, err, sizeof err), 0);
    assert_int_equal(tr.n, 16);
    assert_int_equal(tr.size, 4);
    rt_dataset_free(&tr);
    /* the held-out side only (eval): nothing else decoded */
    assert_int_equal(rt_load_imgdir(dir, 3, 2, 2, 4, 0.2, NULL, &te, err, sizeof err), 0);
    assert_int_equal(te.n, 3);
    assert_int_equal(te.pix[3], 255);   /* RGBA: opaque */
    rt_dataset_free(&te);
}

static void test_imgdir_resize(void **state)
{
    char dir[512], err[512] = "";
    rt_dataset tr;
    uint16_t v[4 * 4 * 3];

    (void)state;
    make_subdir("rs");
    class_folder("rs", "x", 2, 0);   /* 2x2: no resizing */
    for (int i = 0; i < 48; i++)
        v[i] = (uint16_t)(i / 3 * 10);
    png_spec s = {4, 4, PNG_COLOR_TYPE_RGB, 8, 0, v, 0, 0, NULL, NULL};
    make_subdir("rs/y");
    write_png("rs/y/big.png", &s);   /* 4x4: resized, so the set turns float */
    snprintf(dir, sizeof dir, "%s/rs", tmpdir);
    assert_int_equal(rt_load_imgdir(dir, 2, 2, 2, 3, 0, &tr, NULL, err, sizeof err), 0);
    assert_int_equal(tr.n, 3);
    assert_null(tr.pix);
    assert_non_null(tr.xf);
    /* earlier samples converted as gather() scales uint8 */
    assert_true(tr.xf[0] == (float)0 / 255.0f && tr.xf[11] == (float)110 / 255.0f);
    assert_true(tr.xf[12 + 11] == (float)130 / 255.0f);
    /* the 4x4 image's 2x2 blocks averaged: pixel values 0,10,40,50 -> 25 */
    assert_true(tr.xf[24] == 25.0f / 255.0f);
    assert_true(tr.xf[24 + 9] == 125.0f / 255.0f);
    rt_dataset_free(&tr);
}

static void imgdir_fail(const char *sub, int classes, int c, double holdout, const char *frag)
{
    char dir[512], err[512] = "";
    rt_dataset tr, te;

    snprintf(dir, sizeof dir, "%s/%s", tmpdir, sub);
    expect_fail(rt_load_imgdir(dir, classes, 2, 2, c, holdout, &tr, &te, err, sizeof err),
                &tr, err, frag);
    assert_null(te.pix);
    assert_int_equal(te.n, 0);
}

static void test_imgdir_bad(void **state)
{
    (void)state;
    make_subdir("bad3");
    class_folder("bad3", "cat", 5, 0);
    class_folder("bad3", "dog", 5, 1);
    class_folder("bad3", "Fish", 5, 2);
    imgdir_fail("bad3", 2, 3, 0.2, "bad3: error: 3 class folders (Fish, cat, dog) but the "
                "model has 2 classes");
    imgdir_fail("bad3", 3, 2, 0.2, "bad3: error: images convert to 1 (grayscale), 3 (rgb) or "
                "4 (rgba) channels, not 2");
    imgdir_fail("bad3", 3, 3, 1.0, "bad3: error: the held-out fraction must be in [0, 1), got 1");
    imgdir_fail("bad3", 3, 3, 0.1, "bad3: error: holding out 0.1 of each class's images leaves "
                "no test images");
    make_subdir("flat");
    rgb_png("flat/a.png", 0);
    imgdir_fail("flat", 3, 3, 0.2, "flat: error: no class subfolders");
    make_subdir("empty3");
    make_subdir("empty3/a");
    make_subdir("empty3/b");
    imgdir_fail("empty3", 2, 3, 0.2, "empty3: error: no PNG images in the class folders (a, b)");
    make_subdir("jpg");
    class_folder("jpg", "a", 5, 0);
    write_raw("jpg/a/photo.JPG", "\xff\xd8\xff", 3);
    imgdir_fail("jpg", 1, 3, 0.2, "jpg/a/photo.JPG: error: only PNG images are supported");
    make_subdir("broken");
    class_folder("broken", "a", 5, 0);
    write_raw("broken/a/img2.png", "\x89PNG\r\n\x1a\n\0\0", 10);   /* replaces a good one */
    imgdir_fail("broken", 1, 3, 0.2, "broken/a/img2.png: error: ");
    imgdir_fail("missing", 1, 3, 0.2, "missing: error: No such file or directory");
}

static void test_imgdir_held_out(void **state)
{
    long held = 0;

    (void)state;
    for (long i = 0; i < 10; i++)
        assert_int_equal(rt_imgdir_held_out(i, 0.2), i == 4 || i == 9);
    for (long i = 0; i < 100; i++)
        held += rt_imgdir_held_out(i, 0.29);
    assert_int_equal(held, 29);   /* 0.29 * 100 is 28.999... in binary */
    for (long i = 0; i < 10; i++)
        assert_int_equal(rt_imgdir_held_out(i, 0), 0);
}

/* ------------------------------------------------------------------ */
/* Tabular CSV                                                         */
/* ------------------------------------------------------------------ */

/* Writes text as NAME and loads it; the test fails with the loader's message. */
static void csv_ok(const char *name, const char *text, const char *label, int classes,
                   rt_dataset *d)
{
    char err[512] = "";
    const char *p = write_raw(name, text, strlen(text));
    int rc = rt_load_csv(p, label, classes, d, err, sizeof err);

    if (rc)
        print_message("%s: %s\n", name, err);
    assert_int_equal(rc, 0);
    assert_string_equal(d->src, p);
}

static void csv_text_fail(const char *name, const char *text, const char *label, int classes,
                          const char *frag)
{
    char err[512] = "";
    rt_dataset d;
    const char *p = write_raw(name, text, strlen(text));

    expect_fail(rt_load_csv(p, label, classes, &d, err, sizeof err), &d, err, frag);
}

static void check_names(const rt_dataset *d, const char *const *want, int n)
{
    assert_int_equal(d->n_names, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(d->names[i], want[i]);
}

/* The value a float column must hold: strtod's double, rounded to float
   (what numpy's float32 of Python's float gives). */
#define F(x) ((float)(double)(x))

static void test_csv_tabular_classes(void **state)
{
    static const char *const names[] = {"a", "b", "c d", "label"};
    /* floats, signs, exponents, spaces, a quoted name, the label not last,
       "1.0" as class 1 */
    const char *text = "a, b ,label,\"c d\"\n1.5,-2,2,3e2\n-0.25,+4.,0,.5E-1\n"
                       "1e-3, 7 ,1.0,-1.25e+1\n";
    const float x[9] = {F(1.5), F(-2), F(3e2), F(-0.25), F(4.), F(.5E-1), F(1e-3), F(7),
                        F(-1.25e+1)};
    const int y[3] = {2, 0, 1};
    rt_dataset d;

    (void)state;
    csv_ok("tab.csv", text, NULL, 3, &d);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.rank, 1);
    assert_int_equal(d.dims[0], 3);
    assert_int_equal(d.size, 3);
    assert_int_equal(d.h, 1);
    assert_int_equal(d.w, 3);
    assert_null(d.pix);
    assert_null(d.yf);
    assert_int_equal(d.y_dim, 0);
    assert_memory_equal(d.xf, x, sizeof x);
    assert_memory_equal(d.y, y, sizeof y);
    check_names(&d, names, 4);
    rt_dataset_free(&d);
    assert_null(d.names);
}

static void test_csv_tabular_targets(void **state)
{
    static const char *const names[] = {"x1", "x2", "y", "z"};
    const float x[4] = {1, 2, 3, 4}, yf[4] = {-1, 0.5f, 2.5f, 10};
    rt_dataset d;

    (void)state;
    /* two targets, in the label list's order (y, z), not the file's */
    csv_ok("yz.csv", "z,x1,y,x2\n0.5,1,-1,2\n1e1,3,2.5,4\n", "y, z", 0, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.size, 2);
    assert_int_equal(d.y_dim, 2);
    assert_null(d.y);
    assert_memory_equal(d.xf, x, sizeof x);
    assert_memory_equal(d.yf, yf, sizeof yf);
    check_names(&d, names, 4);
    rt_dataset_free(&d);
    /* regression: one float target */
    csv_ok("reg.csv", "age,target\n59,151\n48,75.5\n", "target", 0, &d);
    assert_int_equal(d.y_dim, 1);
    assert_true(d.yf[0] == 151.0f && d.yf[1] == 75.5f && d.xf[1] == 48.0f);
    rt_dataset_free(&d);
    /* classes 0 on a Kaggle file: pixels stay bytes, the label is a float */
    csv_ok("kag0.csv", "label,pixel0,pixel1\n3,0,255\n", NULL, 0, &d);
    assert_non_null(d.pix);
    assert_null(d.xf);
    assert_int_equal(d.pix[1], 255);
    assert_int_equal(d.y_dim, 1);
    assert_true(d.yf[0] == 3.0f);
    rt_dataset_free(&d);
    /* a label column in the middle of a Kaggle file: still pixels */
    csv_ok("kagmid.csv", "pixel0,label,pixel1\n7,4,8\n", NULL, 10, &d);
    assert_non_null(d.pix);
    assert_int_equal(d.pix[0], 7);
    assert_int_equal(d.pix[1], 8);
    assert_int_equal(d.y[0], 4);
    rt_dataset_free(&d);
}

static void test_csv_tabular_unlabeled(void **state)
{
    static const char *const names[] = {"foo", "bar"}, *const pq[] = {"p", "q r"};
    rt_dataset d;

    (void)state;
    /* no label column: unlabeled, whatever classes says */
    csv_ok("foo.csv", "foo,bar\n1,2\n", NULL, 10, &d);
    assert_int_equal(d.n, 1);
    assert_null(d.y);
    assert_null(d.yf);
    assert_true(d.xf[0] == 1.0f && d.xf[1] == 2.0f);
    check_names(&d, names, 2);
    rt_dataset_free(&d);
    csv_ok("foo0.csv", "foo,bar\n1,2\n", "y,z", 0, &d);
    assert_null(d.yf);
    assert_int_equal(d.y_dim, 0);
    rt_dataset_free(&d);
    /* BOM, quoted names, CRLF, no final newline then trailing blank lines */
    csv_ok("pq.csv", "\xEF\xBB\xBF\"p\", \"q r\"\r\n1,2\r\n3,4\r\n\r\n\n", "", 2, &d);
    assert_int_equal(d.n, 2);
    assert_true(d.xf[3] == 4.0f);
    check_names(&d, pq, 2);
    rt_dataset_free(&d);
    /* Kaggle's test.csv, but only 2 pixels wide */
    csv_ok("kagtest.csv", "pixel0,pixel1\n1,2\n", NULL, 10, &d);
    assert_non_null(d.pix);
    assert_null(d.y);
    rt_dataset_free(&d);
}

static void test_csv_numbers(void **state)
{
    const char *text = "x\n0.1\n3.4028234663852886e38\n1e-40\n-0\n123456789\n1e-60\n"
                       "0.30000000000000004\n  -7.5e-3\t\n";
    rt_dataset d;

    (void)state;
    csv_ok("num.csv", text, NULL, 1, &d);
    assert_int_equal(d.n, 8);
    assert_true(d.xf[0] == F(0.1));
    assert_true(d.xf[1] == F(3.4028234663852886e38));   /* FLT_MAX */
    assert_true(d.xf[2] == F(1e-40) && d.xf[2] > 0);     /* subnormal */
    assert_true(d.xf[3] == 0 && signbit(d.xf[3]));
    assert_true(d.xf[4] == F(123456789));
    assert_true(d.xf[5] == 0);                          /* underflows to 0: fine */
    assert_true(d.xf[6] == F(0.30000000000000004));
    assert_true(d.xf[7] == F(-7.5e-3));
    rt_dataset_free(&d);
}

static void test_csv_spaces(void **state)
{
    sbuf b = {0};
    char err[256] = "";
    rt_dataset d;

    (void)state;
    sb_header(&b, 1, "\n");
    sb_row(&b, " 3\t", 784, -1, 4, " 1 ", "\n");
    assert_int_equal(rt_load_csv(write_sb("space-ok.csv", &b), NULL, 10, &d, err, sizeof err), 0);
    assert_int_equal(d.y[0], 3);
    assert_int_equal(d.pix[4], 1);
    assert_int_equal(d.pix[5], 0);
    rt_dataset_free(&d);
}

static void test_csv_tabular_values_bad(void **state)
{
    static const char *const notnum[] = {"abc", "0x10", "1e", ".", "1.2.3", "+", "1e+", "--1",
                                         "1,5", "\"1\"", "1 2", "e5", "1.5f", "\xff"};
    char text[128], frag[128];
    char big[400] = "a,label\n";

    (void)state;
    csv_text_fail("v1.csv", "a,b,label\n1,abc,0\n", NULL, 3,
                  "v1.csv:2:3: error: column 'b': 'abc' is not a number");
    csv_text_fail("v2.csv", "a,b,label\n1,,0\n", NULL, 3,
                  "v2.csv:2:3: error: column 'b': missing value (empty field)");
    csv_text_fail("v3.csv", "a,b,label\n1,  ,0\n", NULL, 3,
                  "v3.csv:2:3: error: column 'b': missing value (empty field)");
    csv_text_fail("v4.csv", "a,b,label\n1,2,0\nNA,2,0\n", NULL, 3,
                  "v4.csv:3:1: error: column 'a': missing value 'NA'");
    csv_text_fail("v5.csv", "a,b,label\n1, NaN,0\n", NULL, 3,
                  "v5.csv:2:4: error: column 'b': missing value 'NaN'");
    csv_text_fail("v6.csv", "a,b,label\n1,2,?\n", NULL, 3,
                  "v6.csv:2:5: error: column 'label': missing value '?'");
    csv_text_fail("v7.csv", "a,b,label\n-inf,2,0\n", NULL, 3,
                  "v7.csv:2:1: error: column 'a': '-inf' is not a finite number");
    csv_text_fail("v8.csv", "a,b,label\n1e39,2,0\n", NULL, 3,
                  "v8.csv:2:1: error: column 'a': '1e39' is out of the float32 range");
    csv_text_fail("v9.csv", "a,b,label\n1,2\n", NULL, 3,
                  "v9.csv:2:4: error: expected 3 fields, got 2");
    csv_text_fail("v10.csv", "a,b,label\n1,2,0\n1,2,0,4\n", NULL, 3,
                  "v10.csv:3:7: error: expected 3 fields, got 4");
    csv_text_fail("v11.csv", "a,b,label\n1,2,3\n", NULL, 3,
                  "v11.csv:2:5: error: column 'label': 3 is out of range 0..2");
    csv_text_fail("v12.csv", "a,b,label\n1,2,-1\n", NULL, 3,
                  "v12.csv:2:5: error: column 'label': -1 is out of range 0..2");
    csv_text_fail("v13.csv", "a,b,label\n1,2,1.5\n", NULL, 3,
                  "v13.csv:2:5: error: column 'label': '1.5' is not an integer class 0..2");
    csv_text_fail("v14.csv", "a,b,label\n1,2,cat\n", NULL, 3,
                  "v14.csv:2:5: error: column 'label': 'cat' is not a number");
    csv_text_fail("v15.csv", "x,target\n1,abc\n", "target", 0,
                  "v15.csv:2:3: error: column 'target': 'abc' is not a number");
    csv_text_fail("v16.csv", "x,target\n1,-1e300\n", "target", 0,
                  "v16.csv:2:3: error: column 'target': '-1e300' is out of the float32 range");
    csv_text_fail("v17.csv", "a,label\n1,0\n\n2,1\n", NULL, 3,
                  "v17.csv:3:1: error: empty line before more data");
    for (size_t i = 0; i < sizeof notnum / sizeof notnum[0]; i++) {
        /* "1,5" and "1 2" are not numbers either way; "1,5" is two fields */
        if (!strcmp(notnum[i], "1,5"))
            continue;
        snprintf(text, sizeof text, "a,label\n%s,0\n", notnum[i]);
        snprintf(frag, sizeof frag, "nn.csv:2:1: error: column 'a': '%s' is not a number",
                 notnum[i][0] == '\xff' ? "?" : notnum[i]);
        csv_text_fail("nn.csv", text, NULL, 3, frag);
    }
    memset(big + 8, '1', 300);
    strcpy(big + 308, ",0\n");
    csv_text_fail("long.csv", big, NULL, 3, "long.csv:2:1: error: column 'a': a number of 300 "
                  "characters is too long (at most 255)");
}

static void test_csv_tabular_header_bad(void **state)
{
    (void)state;
    csv_text_fail("h1.csv", ",a,label\n0,1,0\n", NULL, 3, "h1.csv:1:1: error: header column 1 "
                  "has an empty name (pandas writes its index so: save with index=False)");
    csv_text_fail("h2.csv", "a, ,label\n1,1,0\n", NULL, 3,
                  "h2.csv:1:3: error: header column 2 has an empty name");
    csv_text_fail("h3.csv", "a,b,a,label\n1,1,1,0\n", NULL, 3,
                  "h3.csv:1:5: error: duplicate column name 'a' (columns 1 and 3)");
    csv_text_fail("h4.csv", "\"a\",b, a ,label\n1,1,1,0\n", NULL, 3,
                  "h4.csv:1:8: error: duplicate column name 'a' (columns 1 and 3)");
    csv_text_fail("h5.csv", "label,a,label\n0,1,0\n", NULL, 3,
                  "h5.csv:1:9: error: duplicate column name 'label' (columns 1 and 3)");
    csv_text_fail("h6.csv", "a,y,b\n1,2,3\n", "y,z", 0,
                  "h6.csv:1:1: error: the header has label column 'y' but not 'z'");
    csv_text_fail("h6b.csv", "a,y,b\n1,2,3\n", "w,x,y,z", 0,   /* the first of each named */
                  "h6b.csv:1:1: error: the header has label column 'y' but not 'w'");
    csv_text_fail("h7.csv", "\"a,b\",label\n1,2,0\n", NULL, 3, "h7.csv:1:1: error: header "
                  "column 1: unterminated quote (quoted names may not contain commas)");
    csv_text_fail("h8.csv", "a\"b,label\n1,0\n", NULL, 3,
                  "h8.csv:1:2: error: header column 1: a quote in the name");
    csv_text_fail("h9.csv", "a\001,label\n1,0\n", NULL, 3,
                  "h9.csv:1:2: error: header column 1: a control character in the name");
    csv_text_fail("h10.csv", "1.5,2.5\n3,4\n", NULL, 3, "h10.csv:1:1: error: the first line is "
                  "data ('1.5' is a number), not a header");
    csv_text_fail("h11.csv", "a,b,label\n\n", NULL, 3,
                  "h11.csv: error: header only, no data rows");
    csv_text_fail("h12.csv", "y,z\n1,2\n", "y,z", 0,
                  "h12.csv:1:1: error: the header names only label columns, no feature columns");
    /* the label list itself */
    csv_text_fail("l1.csv", "a,y,z\n1,2,3\n", "y,,z", 0,
                  "l1.csv: error: label columns 'y,,z': name 2 is empty");
    csv_text_fail("l2.csv", "a,y,z\n1,2,3\n", "y, y", 0,
                  "l2.csv: error: label columns 'y, y': 'y' is named twice");
    csv_text_fail("l3.csv", "a,y,z\n1,2,3\n", "y,z", 3, "l3.csv: error: classes 3 needs exactly "
                  "one label column, got 2 ('y,z'); several target columns need classes 0");
}

/* The committed real data sets (tests/data/uci, see its README.md). */
#ifndef UCI_DIR
#define UCI_DIR "tests/data/uci/"
#endif

typedef struct uci_case {
    const char *file, *label;
    int classes, n, features, y_dim;
    const char *first;   /* the first feature's name */
} uci_case;

static void check_uci(const uci_case *u)
{
    char path[256], err[512] = "";
    rt_dataset d;
    int rc;

    snprintf(path, sizeof path, "%s%s", UCI_DIR, u->file);
    rc = rt_load_csv(path, u->label, u->classes, &d, err, sizeof err);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(d.n, u->n);
    assert_int_equal(d.size, u->features);
    assert_non_null(d.xf);
    assert_int_equal(d.y_dim, u->y_dim);
    assert_true(u->classes ? d.y != NULL && d.yf == NULL : d.y == NULL && d.yf != NULL);
    assert_int_equal(d.n_names, u->features + (u->y_dim ? u->y_dim : 1));
    assert_string_equal(d.names[0], u->first);
    for (int i = 0; u->classes && i < d.n; i++)
        assert_true(d.y[i] >= 0 && d.y[i] < u->classes);
    rt_dataset_free(&d);
}

static void test_csv_uci(void **state)
{
    static const uci_case cases[] = {
        {"breast_cancer_train.csv", NULL, 2, 456, 30, 0, "mean_radius"},
        {"breast_cancer_test.csv", "label", 2, 113, 30, 0, "mean_radius"},
        {"wine_train.csv", NULL, 3, 142, 13, 0, "alcohol"},
        {"wine_test.csv", NULL, 3, 36, 13, 0, "alcohol"},
        {"diabetes_train.csv", "target", 0, 354, 10, 1, "age"},
        {"diabetes_test.csv", "target", 0, 88, 10, 1, "age"},
        {"digits_multilabel_train.csv", "is_even,is_greater_than_4", 0, 1438, 64, 2, "pixel_0_0"},
        {"digits_multilabel_test.csv", "is_even,is_greater_than_4", 0, 359, 64, 2, "pixel_0_0"},
    };
    rt_dataset d;
    char err[512] = "";

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_uci(&cases[i]);
    /* values and names as the files have them (their first data row) */
    assert_int_equal(rt_load_csv(UCI_DIR "wine_train.csv", NULL, 3, &d, err, sizeof err), 0);
    assert_true(d.xf[0] == F(11.41) && d.xf[12] == 434.0f && d.y[0] == 1);
    assert_string_equal(d.names[11], "od280_od315_of_diluted_wines");
    assert_string_equal(d.names[13], "label");
    rt_dataset_free(&d);
    assert_int_equal(rt_load_csv(UCI_DIR "diabetes_test.csv", "target", 0, &d, err, sizeof err), 0);
    assert_true(d.xf[8] == F(4.585) && d.yf[0] == 124.0f);
    rt_dataset_free(&d);
    /* breast cancer has 2 classes: as wine's 3 the labels would fit, as 1 not */
    expect_fail(rt_load_csv(UCI_DIR "breast_cancer_test.csv", NULL, 1, &d, err, sizeof err), &d,
                err, "breast_cancer_test.csv:");
    assert_non_null(strstr(err, "column 'label': 1 is out of range 0..0"));
}

/* ------------------------------------------------------------------ */
/* Labels with classes 0 and float labels (IDX, .npy)                  */
/* ------------------------------------------------------------------ */

static void test_idx_classes0(void **state)
{
    static const unsigned char big[] = {0, 200, 255};
    unsigned char img[64], lab[16];
    char err[256] = "";
    rt_dataset d;

    (void)state;
    const char *ip = write_raw("c0-images", img, idx_images(img, 0x803, 3, 2, 3, 18));
    const char *lp = write_raw("c0-labels", lab, idx_labels(lab, 0x801, 3, big, 3));
    assert_int_equal(rt_load_idx_pair(ip, lp, 0, &d, err, sizeof err), 0);
    assert_int_equal(d.y[1], 200);
    assert_int_equal(d.y[2], 255);
    assert_null(d.yf);
    rt_dataset_free(&d);
    expect_fail(rt_load_idx_pair(ip, lp, 255, &d, err, sizeof err), &d, err,
                "c0-labels: error: label 255 at index 2 is out of range [0, 255)");
}

/* x: the standard 3 samples; y: dict and data as given. */
static void npy_y_ok(const char *tag, const char *dict, const void *y, size_t yl, int classes,
                     rt_dataset *d)
{
    char nx[64], ny[64];

    snprintf(nx, sizeof nx, "%s-x.npy", tag);
    snprintf(ny, sizeof ny, "%s-y.npy", tag);
    load_npy_ok(tag, write_npy(nx, 1, NPY_DICT("|u1", "(3, 2, 2)"), X12, 12),
                write_npy(ny, 1, dict, y, yl), classes, d);
    assert_int_equal(d->n, 3);
    assert_non_null(d->pix);
}

static void test_npy_float_labels(void **state)
{
    const float f4[3] = {0.5f, -1.0f, 2.25f}, c4[3] = {2, 0, 1};
    const double f8[6] = {1, 2, 3.5, -4, 1e-3, 0}, c8[3] = {2, 0, 1};
    const int64_t multi[6] = {0, 1, 1, 1, 0, 0}, i8[3] = {-2147483648LL, 0, 2147483647};
    const uint8_t u1[3] = {200, 0, 1};
    const int16_t i2[3] = {-5, 0, 7};
    rt_dataset d;

    (void)state;
    npy_init();
    /* classes 0: floats -> yf */
    npy_y_ok("lf4", NPY_DICT("<f4", "(3,)"), f4, sizeof f4, 0, &d);
    assert_null(d.y);
    assert_int_equal(d.y_dim, 1);
    assert_memory_equal(d.yf, f4, sizeof f4);
    rt_dataset_free(&d);
    npy_y_ok("lf8", NPY_DICT("<f8", "(3, 2)"), f8, sizeof f8, 0, &d);
    assert_int_equal(d.y_dim, 2);
    for (int i = 0; i < 6; i++)
        assert_true(d.yf[i] == (float)f8[i]);
    rt_dataset_free(&d);
    npy_y_ok("lf41", NPY_DICT("<f4", "(3, 1)"), f4, sizeof f4, 0, &d);
    assert_int_equal(d.y_dim, 1);
    rt_dataset_free(&d);
    /* classes 0: integer [n, K] (multi-label) -> yf; integer [n] -> y, unchecked */
    npy_y_ok("lmulti", NPY_DICT("<i8", "(3, 2)"), multi, sizeof multi, 0, &d);
    assert_int_equal(d.y_dim, 2);
    assert_true(d.yf[1] == 1.0f && d.yf[4] == 0.0f);
    rt_dataset_free(&d);
    npy_y_ok("lu1", NPY_DICT("|u1", "(3,)"), u1, sizeof u1, 0, &d);
    assert_null(d.yf);
    assert_int_equal(d.y_dim, 0);
    assert_int_equal(d.y[0], 200);
    rt_dataset_free(&d);
    npy_y_ok("li2", NPY_DICT("<i2", "(3, 1)"), i2, sizeof i2, 0, &d);
    assert_int_equal(d.y[0], -5);
    assert_int_equal(d.y[2], 7);
    rt_dataset_free(&d);
    npy_y_ok("li8", NPY_DICT("<i8", "(3,)"), i8, sizeof i8, 0, &d);
    assert_int_equal(d.y[0], INT32_MIN);
    assert_int_equal(d.y[2], INT32_MAX);
    rt_dataset_free(&d);
    /* classes > 0: whole floats in range are class labels */
    npy_y_ok("lc4", NPY_DICT("<f4", "(3,)"), c4, sizeof c4, 3, &d);
    assert_null(d.yf);
    assert_int_equal(d.y[0], 2);
    assert_int_equal(d.y[2], 1);
    rt_dataset_free(&d);
    npy_y_ok("lc8", NPY_DICT("<f8", "(3, 1)"), c8, sizeof c8, 3, &d);
    assert_int_equal(d.y[0], 2);
    rt_dataset_free(&d);
}

static void test_npy_float_labels_bad(void **state)
{
    const float half[3] = {0, 1.5f, 2}, three[3] = {0, 1, 3}, neg[3] = {0, -1, 2};
    const float nan4[3] = {0, NAN, 2}, f6[6] = {0, 1, 0, 1, 0, 1};
    const double huge[3] = {1e300, 0, 0};
    const int64_t big[6] = {0, 1, 1 << 25, 0, 0, 1}, wide[3] = {1LL << 40, 0, 0};
    const int64_t under[3] = {0, -2147483649LL, 0};

    (void)state;
    npy_init();
    y_fail("lhalf", NPY_DICT("<f4", "(3,)"), half, sizeof half, 3, "lhalf-y.npy: error: labels: "
           "label 1.5 at index 1 is not an integer (classes 3 wants class indices 0..2)");
    y_fail("lthree", NPY_DICT("<f4", "(3,)"), three, sizeof three, 3, "lthree-y.npy: error: "
           "labels: label 3 at index 2 is out of range [0, 3)");
    y_fail("lneg", NPY_DICT("<f4", "(3,)"), neg, sizeof neg, 3, "lneg-y.npy: error: labels: "
           "label -1 at index 1 is out of range [0, 3)");
    y_fail("lnan", NPY_DICT("<f4", "(3,)"), nan4, sizeof nan4, 3, "lnan-y.npy: error: labels: "
           "label nan at index 1 is not an integer");
    y_fail("lnan0", NPY_DICT("<f4", "(3,)"), nan4, sizeof nan4, 0, "lnan0-y.npy: error: labels: "
           "value nan at index 1 is not finite");
    y_fail("lhuge", NPY_DICT("<f8", "(3,)"), huge, sizeof huge, 0, "lhuge-y.npy: error: labels: "
           "value 1e+300 at index 0 is not finite in float32");
    y_fail("lk", NPY_DICT("<f4", "(3, 2)"), f6, sizeof f6, 3, "lk-y.npy: error: 'shape': (3, 2): "
           "class labels are [n] or [n, 1]");
    y_fail("lbig", NPY_DICT("<i8", "(3, 2)"), big, sizeof big, 0, "lbig-y.npy: error: labels: "
           "value 33554432 at [1, 0] is too large for float32 to hold exactly (|v| > 2^24)");
    y_fail("lwide", NPY_DICT("<i8", "(3,)"), wide, sizeof wide, 0, "lwide-y.npy: error: labels: "
           "label 1099511627776 at index 0 does not fit in an int");
    y_fail("lunder", NPY_DICT("<i8", "(3,)"), under, sizeof under, 0, "lunder-y.npy: error: "
           "labels: label -2147483649 at index 1 does not fit in an int");
    y_fail("lcount", NPY_DICT("<f4", "(2, 3)"), f6, sizeof f6, 0, "lcount-y.npy: error: 'shape': "
           "2 labels but ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_good_raw),
        cmocka_unit_test(test_idx_good_gz),
        cmocka_unit_test(test_idx_truncated_gz),
        cmocka_unit_test(test_idx_bad_magic),
        cmocka_unit_test(test_idx_truncated_images),
        cmocka_unit_test(test_idx_truncated_labels),
        cmocka_unit_test(test_idx_count_mismatch),
        cmocka_unit_test(test_idx_header_too_big),
        cmocka_unit_test(test_idx_label_out_of_range),
        cmocka_unit_test(test_idx_trailing_garbage),
        cmocka_unit_test(test_idx_missing_file),
        cmocka_unit_test(test_mnist_dir),
        cmocka_unit_test(test_mnist_dir_missing),
        cmocka_unit_test(test_csv_good_labeled),
        cmocka_unit_test(test_csv_good_unlabeled),
        cmocka_unit_test(test_csv_crlf_and_endings),
        cmocka_unit_test(test_csv_bad_field),
        cmocka_unit_test(test_csv_wrong_column_count),
        cmocka_unit_test(test_csv_bad_header),
        cmocka_unit_test(test_csv_empty),
        cmocka_unit_test(test_csv_blank_line_in_middle),
        cmocka_unit_test(test_csv_missing_and_classes),
        cmocka_unit_test(test_idx_any_rank),
        cmocka_unit_test(test_idx_float),
        cmocka_unit_test(test_mnist_dir_idx4),
        cmocka_unit_test(test_csv_any_width),
        cmocka_unit_test(test_npy_good_u8_v1),
        cmocka_unit_test(test_npy_good_f32_v2),
        cmocka_unit_test(test_npy_good_v3_forms),
        cmocka_unit_test(test_npy_bad_preamble),
        cmocka_unit_test(test_npy_bad_header),
        cmocka_unit_test(test_npy_bad_values),
        cmocka_unit_test(test_npy_bad_labels),
        cmocka_unit_test(test_npy_dir),
        cmocka_unit_test(test_data_layout),
        cmocka_unit_test(test_png_kinds),
        cmocka_unit_test(test_keras_convert),
        cmocka_unit_test(test_png_bad),
        cmocka_unit_test(test_imgdir_good),
        cmocka_unit_test(test_imgdir_resize),
        cmocka_unit_test(test_imgdir_bad),
        cmocka_unit_test(test_imgdir_held_out),
        cmocka_unit_test(test_csv_tabular_classes),
        cmocka_unit_test(test_csv_tabular_targets),
        cmocka_unit_test(test_csv_tabular_unlabeled),
        cmocka_unit_test(test_csv_numbers),
        cmocka_unit_test(test_csv_spaces),
        cmocka_unit_test(test_csv_tabular_values_bad),
        cmocka_unit_test(test_csv_tabular_header_bad),
        cmocka_unit_test(test_csv_uci),
        cmocka_unit_test(test_idx_classes0),
        cmocka_unit_test(test_npy_float_labels),
        cmocka_unit_test(test_npy_float_labels_bad),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
