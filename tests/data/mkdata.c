/* mkdata.c - synthetic data sets for tests/run's end-to-end data checks,
 * written in every layout the trainer reads:
 *
 *   mkdata OUT
 *     OUT/rgb32/npy/   x_train.npy, x_test.npy: uint8 [n, 32, 32, 3];
 *                      y_train.npy '<i8' [n], y_test.npy '|u1' [n]
 *     OUT/rgb32/idx/   the same arrays as IDX: *-images-idx4-ubyte (rank 4)
 *     OUT/rgb32/png/   0_hstripes/ 1_vstripes/ 2_disk/: every image as a
 *                      32x32 RGB PNG; the trainer's default holdout (0.2)
 *                      selects exactly the images of x_test, in its order
 *     OUT/rgb32/png40/ the same scenes drawn at 40x40 (resized on loading)
 *     OUT/kws/npy/     float32 x_train [n, 49, 10, 1], x_test [n, 49, 10];
 *                      y_train '<i8' [n], y_test '<i4' [n, 1]
 *     OUT/har/npy/     float32 x [n, 128, 3] (3-axis sensor windows of 128
 *                      steps, 6 classes), y '<i8' [n]
 *
 * Three classes of 32x32 scenes: horizontal stripes, vertical stripes, a
 * disk; random period, phase, colours, radius and +-24 noise from a fixed
 * generator, so the files are the same on every run.  Classes of kws:
 * a low band, a high band, a burst across all features, plus noise. */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PER_CLASS 250
#define CLASSES 3
#define N (PER_CLASS * CLASSES)
#define HOLDOUT 0.2

static const char *const class_dir[CLASSES] = {"0_hstripes", "1_vstripes", "2_disk"};

static uint64_t mix(uint64_t z)
{
    z += UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) from a key. */
static double unit(uint64_t key) { return (double)(mix(key) >> 11) / 9007199254740992.0; }

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void mkdirs(const char *path)
{
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
}

/* The runtime's rule (rt_imgdir_held_out): file i of a class is held out
   when floor((i+1) f) > floor(i f). */
static int held_out(long i) { return floor((i + 1) * HOLDOUT + 1e-9) > floor(i * HOLDOUT + 1e-9); }

/* Scene k of class c drawn at S x S into rgb (S*S*3). */
static void scene(int c, int k, int S, unsigned char *rgb)
{
    const uint64_t key = (uint64_t)c << 32 | (uint64_t)k << 8;
    const double period = 0.12 + 0.14 * unit(key + 1), phase = unit(key + 2);
    const double cx = 0.3 + 0.4 * unit(key + 3), cy = 0.3 + 0.4 * unit(key + 4);
    const double r = 0.18 + 0.15 * unit(key + 5);
    unsigned char fg[3], bg[3];
    for (int ch = 0; ch < 3; ch++) {
        fg[ch] = (unsigned char)(150 + 105 * unit(key + 10 + (uint64_t)ch));
        bg[ch] = (unsigned char)(90 * unit(key + 20 + (uint64_t)ch));
    }
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            const double u = (x + 0.5) / S, v = (y + 0.5) / S;
            int on;
            if (c == 0)
                on = fmod(v / period + phase, 1.0) < 0.5;
            else if (c == 1)
                on = fmod(u / period + phase, 1.0) < 0.5;
            else
                on = (u - cx) * (u - cx) + (v - cy) * (v - cy) < r * r;
            for (int ch = 0; ch < 3; ch++) {
                const uint64_t nk = key ^ (uint64_t)S << 56 ^ (uint64_t)((y * S + x) * 3 + ch) << 12;
                int val = (on ? fg[ch] : bg[ch]) + (int)(48 * unit(nk)) - 24;
                rgb[(y * S + x) * 3 + ch] = (unsigned char)(val < 0 ? 0 : val > 255 ? 255 : val);
            }
        }
}

/* Spectrogram-like sample k of class c: [49][10] floats. */
static void frames(int c, int k, float *x)
{
    const uint64_t key = (uint64_t)(c + 7) << 40 | (uint64_t)k << 8;
    const int t0 = 10 + (int)(25 * unit(key + 1));
    for (int t = 0; t < 49; t++)
        for (int f = 0; f < 10; f++) {
            double v = 0.4 * (unit(key ^ (uint64_t)(t * 10 + f) << 16) - 0.5);
            if (c == 0 && f < 4)
                v += 0.8;
            if (c == 1 && f >= 6)
                v += 0.8;
            if (c == 2 && t >= t0 && t < t0 + 6)
                v += 1.0;
            x[t * 10 + f] = (float)v;
        }
}

/* 3-axis window k of activity c: [128][3] floats.  Each class moves at its
 * own frequency on its own axes (walking-like, still, shaking...), with a
 * random phase and amplitude, gravity on one axis, and noise. */
static void window(int c, int k, float *x)
{
    const uint64_t key = (uint64_t)(c + 11) << 40 | (uint64_t)k << 8;
    const double freq[6] = {1.0, 2.0, 0.0, 4.0, 1.5, 6.0}, phase = 6.283185307 * unit(key + 1);
    const double amp = 0.6 + 0.4 * unit(key + 2);
    for (int t = 0; t < 128; t++)
        for (int a = 0; a < 3; a++) {
            double v = 0.3 * (unit(key ^ (uint64_t)(t * 3 + a) << 16) - 0.5) + (a == 2 ? 1.0 : 0.0);
            if (a == c % 3 || (c >= 3 && a == (c + 1) % 3))
                v += amp * sin(6.283185307 * freq[c] * t / 50.0 + phase);
            x[t * 3 + a] = (float)v;
        }
}

static void write_npy(const char *path, const char *descr, const char *shape, const void *data, size_t bytes);

static void har_arrays(const char *out)
{
    enum { HAR_PER_CLASS = 120, HAR_CLASSES = 6, HAR_N = HAR_PER_CLASS * HAR_CLASSES };
    static float x[HAR_N * 128 * 3];
    static int64_t y[HAR_N];
    char path[512], shape[64];
    for (int test = 0; test < 2; test++) {
        int n = 0;
        for (int k = 0; k < HAR_PER_CLASS; k++)
            for (int c = 0; c < HAR_CLASSES; c++)
                if (held_out(k) == test) {
                    window(c, k, x + (size_t)n * 384);
                    y[n++] = c;
                }
        snprintf(shape, sizeof shape, "(%d, 128, 3)", n);
        snprintf(path, sizeof path, "%s/har/npy/x_%s.npy", out, test ? "test" : "train");
        write_npy(path, "<f4", shape, x, sizeof *x * (size_t)n * 384);
        snprintf(shape, sizeof shape, "(%d,)", n);
        snprintf(path, sizeof path, "%s/har/npy/y_%s.npy", out, test ? "test" : "train");
        write_npy(path, "<i8", shape, y, sizeof *y * (size_t)n);
    }
}

/* A .npy 1.0 file: header padded with spaces to a multiple of 64 bytes. */
static void write_npy(const char *path, const char *descr, const char *shape, const void *data, size_t bytes)
{
    char hdr[256];
    int len = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                       descr, shape);
    int total = (10 + len + 1 + 63) / 64 * 64;
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    while (10 + len + 1 < total)
        hdr[len++] = ' ';
    hdr[len++] = '\n';
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(len & 0xFF, f), fputc(len >> 8, f);
    if (fwrite(hdr, 1, (size_t)len, f) != (size_t)len || fwrite(data, 1, bytes, f) != bytes || fclose(f))
        die(path);
}

/* An IDX file of unsigned bytes: magic 0x000008NN, big-endian dims. */
static void write_idx(const char *path, int ndims, const int *dims, const void *data, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    fputc(0, f), fputc(0, f), fputc(8, f), fputc(ndims, f);
    for (int i = 0; i < ndims; i++)
        for (int s = 24; s >= 0; s -= 8)
            fputc(dims[i] >> s & 0xFF, f);
    if (fwrite(data, 1, bytes, f) != bytes || fclose(f))
        die(path);
}

static void write_png(const char *path, const unsigned char *rgb, int S)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)S, img.height = (png_uint_32)S;
    img.format = PNG_FORMAT_RGB;
    if (!png_image_write_to_file(&img, path, 0, rgb, 0, NULL)) {
        fprintf(stderr, "%s: %s\n", path, img.message);
        exit(1);
    }
}

static void pngs(const char *out, const char *sub, int S)
{
    char path[512];
    unsigned char *rgb = malloc((size_t)S * S * 3);
    if (!rgb)
        die("malloc");
    for (int c = 0; c < CLASSES; c++) {
        snprintf(path, sizeof path, "%s/rgb32/%s/%s", out, sub, class_dir[c]);
        mkdirs(path);
        for (int k = 0; k < PER_CLASS; k++) {
            snprintf(path, sizeof path, "%s/rgb32/%s/%s/img%03d.png", out, sub, class_dir[c], k);
            scene(c, k, S, rgb);
            write_png(path, rgb, S);
        }
    }
    free(rgb);
}

/* x and y of the training (test = 0) or test set, in the folder loader's
   order: class by class, files in sorted order, split by held_out(). */
static int rgb_set(int test, unsigned char *x, int64_t *y)
{
    int n = 0;
    for (int c = 0; c < CLASSES; c++)
        for (int k = 0; k < PER_CLASS; k++)
            if (held_out(k) == test) {
                scene(c, k, 32, x + (size_t)n * 32 * 32 * 3);
                y[n++] = c;
            }
    return n;
}

static void rgb_arrays(const char *out)
{
    static unsigned char x[N * 32 * 32 * 3], y8[N];
    static int64_t y[N];
    char path[512], shape[64];
    for (int test = 0; test < 2; test++) {
        const char *set = test ? "test" : "train";
        int n = rgb_set(test, x, y), dims[4] = {n, 32, 32, 3};
        for (int i = 0; i < n; i++)
            y8[i] = (unsigned char)y[i];
        snprintf(shape, sizeof shape, "(%d, 32, 32, 3)", n);
        snprintf(path, sizeof path, "%s/rgb32/npy/x_%s.npy", out, set);
        write_npy(path, "|u1", shape, x, (size_t)n * 32 * 32 * 3);
        snprintf(shape, sizeof shape, "(%d,)", n);
        snprintf(path, sizeof path, "%s/rgb32/npy/y_%s.npy", out, set);
        if (test)
            write_npy(path, "|u1", shape, y8, (size_t)n);
        else
            write_npy(path, "<i8", shape, y, sizeof *y * (size_t)n);
        snprintf(path, sizeof path, "%s/rgb32/idx/%s-images-idx4-ubyte", out, test ? "t10k" : "train");
        write_idx(path, 4, dims, x, (size_t)n * 32 * 32 * 3);
        snprintf(path, sizeof path, "%s/rgb32/idx/%s-labels-idx1-ubyte", out, test ? "t10k" : "train");
        write_idx(path, 1, dims, y8, (size_t)n);
    }
}

static void kws_arrays(const char *out)
{
    static float x[N * 49 * 10];
    static int64_t y[N];
    static int32_t y32[N];
    char path[512], shape[64];
    for (int test = 0; test < 2; test++) {
        int n = 0;
        for (int k = 0; k < PER_CLASS; k++)          /* classes interleaved */
            for (int c = 0; c < CLASSES; c++)
                if (held_out(k) == test) {
                    frames(c, k, x + (size_t)n * 490);
                    y32[n] = c, y[n++] = c;
                }
        snprintf(shape, sizeof shape, test ? "(%d, 49, 10)" : "(%d, 49, 10, 1)", n);
        snprintf(path, sizeof path, "%s/kws/npy/x_%s.npy", out, test ? "test" : "train");
        write_npy(path, "<f4", shape, x, sizeof *x * (size_t)n * 490);
        snprintf(shape, sizeof shape, test ? "(%d, 1)" : "(%d,)", n);
        snprintf(path, sizeof path, "%s/kws/npy/y_%s.npy", out, test ? "test" : "train");
        if (test)
            write_npy(path, "<i4", shape, y32, sizeof *y32 * (size_t)n);
        else
            write_npy(path, "<i8", shape, y, sizeof *y * (size_t)n);
    }
}

int main(int argc, char **argv)
{
    char path[512];
    const uint16_t probe = 1;
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    if (*(const unsigned char *)&probe != 1) {
        fprintf(stderr, "%s: writes the arrays in host order, which must be little-endian\n", argv[0]);
        return 1;
    }
    const char *sub[] = {"rgb32/npy", "rgb32/idx", "kws/npy", "har/npy"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], sub[i]);
        mkdirs(path);
    }
    rgb_arrays(argv[1]);
    kws_arrays(argv[1]);
    har_arrays(argv[1]);
    pngs(argv[1], "png", 32);
    pngs(argv[1], "png40", 40);
    return 0;
}
