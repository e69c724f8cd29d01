/* image.c - PNG/PGM loading, MNIST-style normalisation of one image, and
 * the Keras conversion the image-folder loader uses. */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat under -std=c11 */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"

#define RT_IMAGE_MAX 16384   /* per side: a digit photo, not a panorama */
#define RT_PNG_CHUNK_MAX ((png_alloc_size_t)8 << 20)   /* libpng's usual default */

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
    struct stat st;
    if (pgm_int(f, &W) || pgm_int(f, &H) || pgm_int(f, &maxval) || W < 1 || H < 1 ||
        W > RT_IMAGE_MAX || H > RT_IMAGE_MAX || maxval < 1 || maxval > 255)
        return fail(err, errlen, path, "bad PGM header (8-bit P2/P5 expected)");
    /* a pixel takes a byte (P5) or at least two, digit and space (P2):
     * refuse a header the bytes left cannot back before allocating */
    if (fstat(fileno(f), &st) != 0 || ftell(f) < 0 ||
        (double)(st.st_size - ftell(f)) < (ascii ? 2.0 * W * H - 1 : (double)W * H))
        return fail(err, errlen, path, "truncated PGM: fewer bytes than the header's width x height");
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

enum { IMG_PNG = 1, IMG_PGM_BINARY, IMG_PGM_ASCII };

/* Every chunk's declared length against the bytes left in the file, before
 * libpng reads any: libpng 1.6.39 allocates an ancillary chunk at the size
 * its header claims (its limit is only a warning), so a 57-byte file with
 * a tEXt chunk claiming 1.6 GB got a 1.6 GB buffer (found by fuzz_imgdir).
 * Only seeks; a walk that ends early is left to libpng to report. */
static int png_chunks_fit(FILE *f, char *err, size_t errlen, const char *path)
{
    unsigned char h[8];
    struct stat st;
    long at = 8;
    if (fstat(fileno(f), &st) != 0 || fseek(f, 8, SEEK_SET) != 0)
        return fail(err, errlen, path, "cannot read");
    while (fread(h, 1, 8, f) == 8) {
        const unsigned long len = (unsigned long)h[0] << 24 | (unsigned long)h[1] << 16 |
                                  (unsigned long)h[2] << 8 | h[3];
        const long left = (long)st.st_size - at - 12;
        if (len > 0x7FFFFFFFul || (long)len > left) {
            snprintf(err, errlen, "%s: error: %.4s: the chunk claims %lu bytes but the file has "
                     "%ld left", path, (const char *)h + 4, len, left < 0 ? 0 : left);
            return -1;
        }
        if (!memcmp(h + 4, "IEND", 4) || fseek(f, (long)len + 4, SEEK_CUR) != 0)
            break;
        at += 12 + (long)len;
    }
    rewind(f);
    return 0;
}

/* Opens path and tells its format by the magic; rewound.  NULL after the
 * message when it cannot be opened or is neither PNG nor PGM. */
static FILE *open_image(const char *path, int *kind, char *err, size_t errlen)
{
    unsigned char magic[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t got = fread(magic, 1, 8, f);
    rewind(f);
    if (got == 8 && !png_sig_cmp(magic, 0, 8)) {
        *kind = IMG_PNG;
        if (png_chunks_fit(f, err, errlen, path))
            return fclose(f), NULL;
    } else if (got >= 2 && magic[0] == 'P' && (magic[1] == '5' || magic[1] == '2')) {
        *kind = magic[1] == '5' ? IMG_PGM_BINARY : IMG_PGM_ASCII;
    } else {
        fclose(f);
        fail(err, errlen, path, "not a PNG or PGM image");
        return NULL;
    }
    return f;
}

int rt_image_load(const char *path, unsigned char **pix, int *w, int *h, char *err, size_t errlen)
{
    int kind, rc;
    FILE *f = open_image(path, &kind, err, errlen);
    *pix = NULL;
    if (!f)
        return -1;
    if (kind == IMG_PNG)
        rc = load_png(f, path, pix, w, h, err, errlen);
    else
        rc = (fseek(f, 2, SEEK_SET), load_pgm(f, path, kind == IMG_PGM_ASCII, pix, w, h, err, errlen));
    fclose(f);
    return rc;
}

/* ---- PNG of any kind as 8-bit RGBA, through libpng's own transforms ---- */

typedef struct png_reason { char text[400], warning[160]; } png_reason;

/* libpng must not return from an error handler: keep its reason (and the
 * first warning, which often says why: "Image width exceeds user limit"
 * comes before "Invalid IHDR data"), jump back. */
static void png_on_error(png_structp png, png_const_charp msg)
{
    png_reason *r = png_get_error_ptr(png);
    snprintf(r->text, sizeof r->text, "%s%s%s", msg, r->warning[0] ? "; libpng warned: " : "",
             r->warning);
    png_longjmp(png, 1);
}

/* Warnings alone (a known incorrect sRGB profile, ...) do not stop decoding. */
static void png_on_warning(png_structp png, png_const_charp msg)
{
    png_reason *r = png_get_error_ptr(png);
    if (!r->warning[0])
        snprintf(r->warning, sizeof r->warning, "%s", msg);
}

/* Deflate expands at most 1032:1, so a header claiming more raw bytes than
 * that could come from the file's length is lying; refuse it before the
 * pixels are allocated. */
static int png_fits(png_structp png, png_infop info, FILE *f)
{
    struct stat st;
    const double raw = ((double)png_get_rowbytes(png, info) + 1) * png_get_image_height(png, info);
    return fstat(fileno(f), &st) == 0 && raw <= 1100.0 * (double)st.st_size + 65536.0;
}

/* Only IHDR, PLTE, tRNS and IDAT decide the pixels we take (no gamma,
 * background or shift transforms are asked for), so every other chunk is
 * skipped unread: libpng would buffer a text chunk whole at its declared
 * size (png_chunks_fit bounds that by the file, this avoids it), while
 * skipped chunks are discarded in fixed-size blocks. */
static void png_skip_ancillary(png_structp png)
{
    static const png_byte known[] = "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0"
                                    "pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0zTXt";
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);   /* unknown ones */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, known, (int)(sizeof known / 5));
    png_set_chunk_malloc_max(png, RT_PNG_CHUNK_MAX);   /* and bound what is left */
    png_set_chunk_cache_max(png, 128);
}

static void png_to_rgba(png_structp png, png_infop info)
{
    png_set_expand(png);            /* palette -> RGB, grey < 8 bits -> 8, tRNS -> alpha */
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

/* why belongs to the caller: a local of this function written by the error
 * handler would be indeterminate after the longjmp. */
static int png_rgba(FILE *f, const char *path, png_reason *why, unsigned char **rgba, int *w, int *h,
                    char *err, size_t errlen)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, why, png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    /* set after setjmp and freed in its branch: volatile, or they may be stale there */
    unsigned char *volatile pix = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        return fail(err, errlen, path, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {   /* setjmp alone in the condition, as C requires */
        free(pix), free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return fail(err, errlen, path, why->text);
    }
    png_set_user_limits(png, RT_IMAGE_MAX, RT_IMAGE_MAX);
    png_skip_ancillary(png);
    png_init_io(png, f);
    png_read_info(png, info);
    if (!png_fits(png, info, f))
        png_error(png, "IHDR: the image is larger than the file could hold");
    png_to_rgba(png, info);
    const png_uint_32 W = png_get_image_width(png, info), H = png_get_image_height(png, info);
    if (png_get_rowbytes(png, info) != (size_t)W * 4)
        png_error(png, "unexpected row size after the RGBA transforms");
    pix = malloc((size_t)W * H * 4);
    rows = malloc(sizeof(png_bytep) * H);
    if (!pix || !rows)
        png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < H; y++)
        rows[y] = pix + (size_t)y * W * 4;
    png_read_image(png, rows);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    *rgba = pix, *w = (int)W, *h = (int)H;
    return 0;
}

int rt_image_load_rgba(const char *path, unsigned char **rgba, int *w, int *h,
                       char *err, size_t errlen)
{
    int kind, rc;
    unsigned char *grey = NULL;
    png_reason why = {"out of memory", ""};
    FILE *f = open_image(path, &kind, err, errlen);
    *rgba = NULL;
    if (!f)
        return -1;
    if (kind == IMG_PNG)
        rc = png_rgba(f, path, &why, rgba, w, h, err, errlen);
    else
        rc = (fseek(f, 2, SEEK_SET), load_pgm(f, path, kind == IMG_PGM_ASCII, &grey, w, h, err, errlen));
    fclose(f);
    if (rc || kind == IMG_PNG)
        return rc;
    *rgba = malloc((size_t)*w * (size_t)*h * 4);
    for (size_t i = 0; *rgba && i < (size_t)*w * (size_t)*h; i++)
        memset(*rgba + 4 * i, grey[i], 3), (*rgba)[4 * i + 3] = 255;
    free(grey);
    return *rgba ? 0 : fail(err, errlen, path, "out of memory");
}

/* ---- Keras's conversion: channels, then TF's bilinear resize ---- */

/* PIL's convert('L') in its own fixed point: 299/1000 = 19595/65536 ... */
static unsigned char luminance(const unsigned char *p)
{
    return (unsigned char)((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
}

static void channels(const unsigned char *rgba, long npix, int C, unsigned char *out)
{
    for (long i = 0; i < npix; i++, rgba += 4, out += C)
        if (C == 1)
            out[0] = luminance(rgba);
        else
            memcpy(out, rgba, (size_t)C);
}

/* tf.image.resize's source positions for one axis (half-pixel centres):
 * in = (o + 0.5) * scale - 0.5, neighbours floor/ceil clamped to the
 * image, weight in - floor(in); in float, as TF's kernel computes them. */
static void axis(int in, int out, int *lo, int *hi, float *t)
{
    const float scale = (float)in / (float)out;
    for (int o = 0; o < out; o++) {
        const float at = ((float)o + 0.5f) * scale - 0.5f, f = floorf(at);
        lo[o] = f < 0 ? 0 : (int)f;
        hi[o] = (int)ceilf(at) > in - 1 ? in - 1 : (int)ceilf(at);
        hi[o] = hi[o] < 0 ? 0 : hi[o];
        t[o] = at - f;
    }
}

static void bilinear(const unsigned char *src, int w, int H, int W, int C,
                     const int *ylo, const int *yhi, const float *ty,
                     const int *xlo, const int *xhi, const float *tx, float *out)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < C; c++) {
                const float tl = src[((long)ylo[y] * w + xlo[x]) * C + c];
                const float tr = src[((long)ylo[y] * w + xhi[x]) * C + c];
                const float bl = src[((long)yhi[y] * w + xlo[x]) * C + c];
                const float br = src[((long)yhi[y] * w + xhi[x]) * C + c];
                const float top = tl + (tr - tl) * tx[x], bottom = bl + (br - bl) * tx[x];
                out[((long)y * W + x) * C + c] = top + (bottom - top) * ty[y];
            }
}

int rt_image_keras(const unsigned char *rgba, int w, int h, int H, int W, int C, float *out)
{
    const long n = (long)w * h;
    unsigned char *src = malloc((size_t)n * (size_t)C);
    int *ylo = malloc(sizeof(int) * (size_t)H * 2), *xlo = malloc(sizeof(int) * (size_t)W * 2);
    float *ty = malloc(sizeof(float) * (size_t)H), *tx = malloc(sizeof(float) * (size_t)W);
    int rc = -1;
    if (src && ylo && xlo && ty && tx) {
        channels(rgba, n, C, src);
        rc = w != W || h != H;
        if (!rc)
            for (long i = 0; i < n * C; i++)
                out[i] = src[i];
        else {
            axis(h, H, ylo, ylo + H, ty);
            axis(w, W, xlo, xlo + W, tx);
            bilinear(src, w, H, W, C, ylo, ylo + H, ty, xlo, xlo + W, tx, out);
        }
    }
    free(src), free(ylo), free(xlo), free(ty), free(tx);
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
