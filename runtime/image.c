/* image.c - PNG/PGM loading and MNIST-style normalisation of one image. */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define RT_IMAGE_MAX 16384   /* per side: a digit photo, not a panorama */

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: error: %s", path, why);
    return -1;
}

static int load_png(FILE *f, const char *path, unsigned char **pix, int *w, int *h, char *err, size_t errlen)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_stdio(&img, f))
        return fail(err, errlen, path, img.message);
    if (img.width == 0 || img.height == 0 || img.width > RT_IMAGE_MAX || img.height > RT_IMAGE_MAX) {
        png_image_free(&img);
        return fail(err, errlen, path, "image size out of range");
    }
    img.format = PNG_FORMAT_GRAY;   /* libpng converts colour and alpha */
    *pix = malloc(PNG_IMAGE_SIZE(img));
    if (!*pix || !png_image_finish_read(&img, NULL, *pix, 0, NULL)) {
        free(*pix), *pix = NULL;
        png_image_free(&img);
        return fail(err, errlen, path, img.message[0] ? img.message : "out of memory");
    }
    *w = (int)img.width, *h = (int)img.height;
    return 0;
}

static int pgm_int(FILE *f, long *v)
{
    int c;
    while ((c = fgetc(f)) != EOF && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '#'))
        if (c == '#')
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
    if (c == EOF || c < '0' || c > '9')
        return -1;
    for (*v = 0; c >= '0' && c <= '9'; c = fgetc(f))
        if ((*v = *v * 10 + (c - '0')) > 1000000)
            return -1;
    return 0;
}

static int load_pgm(FILE *f, const char *path, int ascii, unsigned char **pix, int *w, int *h,
                    char *err, size_t errlen)
{
    long W, H, maxval, v;
    if (pgm_int(f, &W) || pgm_int(f, &H) || pgm_int(f, &maxval) || W < 1 || H < 1 ||
        W > RT_IMAGE_MAX || H > RT_IMAGE_MAX || maxval < 1 || maxval > 255)
        return fail(err, errlen, path, "bad PGM header (8-bit P2/P5 expected)");
    *pix = malloc((size_t)(W * H));
    if (!*pix)
        return fail(err, errlen, path, "out of memory");
    for (long i = 0; i < W * H; i++) {
        int c = ascii ? (pgm_int(f, &v) ? -1 : (int)v) : fgetc(f);
        if (c < 0 || c > maxval) {
            free(*pix), *pix = NULL;
            return fail(err, errlen, path, "truncated or bad PGM pixel data");
        }
        (*pix)[i] = (unsigned char)(c * 255 / maxval);
    }
    *w = (int)W, *h = (int)H;
    return 0;
}

int rt_image_load(const char *path, unsigned char **pix, int *w, int *h, char *err, size_t errlen)
{
    unsigned char magic[8] = {0};
    FILE *f = fopen(path, "rb");
    *pix = NULL;
    if (!f) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t got = fread(magic, 1, 8, f);
    int rc;
    rewind(f);
    if (got == 8 && !png_sig_cmp(magic, 0, 8))
        rc = load_png(f, path, pix, w, h, err, errlen);
    else if (got >= 2 && magic[0] == 'P' && (magic[1] == '5' || magic[1] == '2'))
        rc = (fseek(f, 2, SEEK_SET), load_pgm(f, path, magic[1] == '2', pix, w, h, err, errlen));
    else
        rc = fail(err, errlen, path, "not a PNG or PGM image");
    fclose(f);
    return rc;
}

/* Mean of the border pixels: paper is light, MNIST's background is black. */
static int light_background(const unsigned char *p, int w, int h)
{
    long sum = 0, n = 0;
    for (int x = 0; x < w; x++)
        sum += p[x] + p[(long)(h - 1) * w + x], n += 2;
    for (int y = 0; y < h; y++)
        sum += p[(long)y * w] + p[(long)y * w + w - 1], n += 2;
    return sum > 127 * n;
}

void rt_image_mnist(const unsigned char *pix, int w, int h, unsigned char *out, int H, int W)
{
    const int invert = light_background(pix, w, h);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    memset(out, 0, (size_t)H * (size_t)W);
#define INK(x, y) (invert ? 255 - pix[(long)(y) * w + (x)] : pix[(long)(y) * w + (x)])
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (INK(x, y) > 32)
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1, y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
    if (x1 < 0)
        return;
    const int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
    const double box = 20.0 / 28.0 * (H < W ? H : W), scale = box / (cw > ch ? cw : ch);
    int nw = (int)lround(cw * scale), nh = (int)lround(ch * scale);
    nw = nw < 1 ? 1 : nw, nh = nh < 1 ? 1 : nh;
    /* area average of the source footprint of each scaled pixel, sampled 4x4 */
    double *sc = calloc((size_t)nw * (size_t)nh, sizeof *sc), mass = 0, mx = 0, my = 0;
    if (!sc)
        return;
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++) {
            double sum = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    int u = x0 + (int)((x + (sx + 0.5) / 4) / scale), v = y0 + (int)((y + (sy + 0.5) / 4) / scale);
                    sum += INK(u > x1 ? x1 : u, v > y1 ? y1 : v);
                }
            sc[y * nw + x] = sum / 16;
            mass += sc[y * nw + x], mx += x * sc[y * nw + x], my += y * sc[y * nw + x];
        }
#undef INK
    if (mass <= 0) {
        free(sc);
        return;
    }
    /* shift so the centre of mass lands on the centre of the target */
    const int ox = (int)lround(W / 2.0 - 0.5 - mx / mass), oy = (int)lround(H / 2.0 - 0.5 - my / mass);
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++)
            if (y + oy >= 0 && y + oy < H && x + ox >= 0 && x + ox < W)
                out[(y + oy) * W + x + ox] = (unsigned char)lround(sc[y * nw + x]);
    free(sc);
}
