/* test_data.c - cmocka tests for runtime/data.c (IDX, MNIST dir, Kaggle CSV).
 *
 * Build: gcc -std=c11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -Iruntime \
 *            tests/test_data.c runtime/data.c -lcmocka -lz -o /tmp/test_data
 *
 * Every test writes its inputs into one mkdtemp directory (removed by the
 * group teardown) and checks both the return code and a fragment of the
 * error message, plus that *out is left empty on error.
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
#include <sys/stat.h>
#include <zlib.h>

#include "data.h"

/* ------------------------------------------------------------------ */
/* Temp files                                                          */
/* ------------------------------------------------------------------ */

#define MAX_PATHS 256

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
    assert_null(d->y);
    assert_int_equal(d->n, 0);
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
    size_t il = idx_images(img, 0x804, 3, 2, 3, 18), ll = idx_labels(lab, 0x801, 3, LABELS3, 3);

    (void)state;
    pair_fail("magic", img, il, lab, ll, 3,
              "magic-images: error: bad magic 0x00000804, expected 0x00000803");
    /* labels file given as images: the message suggests the swap */
    pair_fail("swap", lab, ll, img, il, 3, "bad magic 0x00000801, expected 0x00000803 "
              "(IDX images); images and labels files swapped?");
    idx_images(img, 0x803, 3, 2, 3, 18);
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
    pair_fail("count2", img, il, lab, ll, 3, "count2-images has 3 images");
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
    pair_fail("classes0", img, il, lab, ll, 0, "classes must be >= 1, got 0");
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
    assert_non_null(strstr(err, "empty/t10k-images-idx3-ubyte.gz)"));
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

    expect_fail(rt_load_csv(p, 10, &d, err, sizeof err), &d, err, frag);
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
    assert_int_equal(rt_load_csv(write_sb("good.csv", &b), 10, &d, err, sizeof err), 0);
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
    assert_int_equal(rt_load_csv(write_sb("test.csv", &b), 10, &d, err, sizeof err), 0);
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
    assert_int_equal(rt_load_csv(write_sb("crlf.csv", &b), 10, &d, err, sizeof err), 0);
    check_csv_rows(&d, 2, labels);
    rt_dataset_free(&d);
    /* blank lines (LF and CRLF) at the end, BOM at the start, gzip */
    sb_add(&b, "\xEF\xBB\xBF");
    sb_header(&b, 1, "\n");
    sb_row(&b, "3", 784, 1, -1, NULL, "\n");
    sb_row(&b, "4", 784, 2, -1, NULL, "\n\n\r\n\n");
    assert_int_equal(rt_load_csv(write_gz("tail.csv.gz", b.s, b.n), 10, &d, err, sizeof err), 0);
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
    csv_fail("nonnum.csv", &b, "nonnum.csv:3:23: error: pixel10 'x' is not an integer 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 0, "256", "\n");
    csv_fail("big.csv", &b, "big.csv:2:3: error: pixel0 256 out of range 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 783, "99999999999999999999", "\n");
    csv_fail("huge.csv", &b, "huge.csv:2:1569: error: pixel783 99999999999999999999 out of range");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 5, "-1", "\n");
    csv_fail("neg.csv", &b, "neg.csv:2:13: error: pixel5 '-1' is not an integer 0..255");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 5, "1.5", "\n");
    csv_fail("frac.csv", &b, "frac.csv:2:13: error: pixel5 '1.5' is not an integer");

    sb_header(&b, 1, "\n");
    sb_row(&b, "1", 784, -1, 2, "", "\n");
    csv_fail("emptyfield.csv", &b, "emptyfield.csv:2:7: error: empty pixel2 field");

    sb_header(&b, 1, "\n");
    sb_row(&b, "10", 784, -1, -1, NULL, "\n");
    csv_fail("label.csv", &b, "label.csv:2:1: error: label 10 out of range 0..9");

    sb_header(&b, 1, "\n");
    sb_row(&b, "a", 784, -1, -1, NULL, "\n");
    csv_fail("labelx.csv", &b, "labelx.csv:2:1: error: label 'a' is not an integer 0..9");

    /* unlabeled: pixel i is field i, column 2i+1 */
    sb_header(&b, 0, "\n");
    sb_row(&b, NULL, 784, -1, 4, " 1", "\n");
    csv_fail("space.csv", &b, "space.csv:2:9: error: pixel4 ' 1' is not an integer");
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
    sb_add(&b, "foo,bar\n1,2\n");
    csv_fail("foo.csv", &b, "foo.csv:1:1: error: expected header 'label,pixel0,...,pixel783' "
             "or 'pixel0,...,pixel783', got 'foo'");

    /* data without a header */
    sb_row(&b, "1", 784, -1, -1, NULL, "\n");
    csv_fail("nohdr.csv", &b, "nohdr.csv:1:1: error: expected header");

    /* "pixel0,...,pixel4," is 5 * 7 = 35 chars, so field 5 is at column 36 */
    sb_add(&b, "pixel0,pixel1,pixel2,pixel3,pixel4,pixel55\n");
    csv_fail("hdr5.csv", &b, "hdr5.csv:1:36: error: expected header field 'pixel5', got 'pixel55'");

    sb_add(&b, "label,foo,pixel1\n");
    csv_fail("hdr0.csv", &b, "hdr0.csv:1:7: error: expected header field 'pixel0', got 'foo'");

    sb_add(&b, "label,pixel0\n");
    csv_fail("hdrshort.csv", &b, "hdrshort.csv:1:13: error: expected 785 fields, got 2");
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
    expect_fail(rt_load_csv(p, 10, &d, err, sizeof err), &d, err,
                "nope.csv: error: No such file or directory");
    expect_fail(rt_load_csv(p, -1, &d, err, sizeof err), &d, err, "classes must be >= 1, got -1");
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
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
