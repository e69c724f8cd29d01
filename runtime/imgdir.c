/* imgdir.c - image folders laid out as Keras's image_dataset_from_directory
 * reads them with labels='inferred': PNG files in DIR/CLASS/, one subfolder per
 * class, the class index being the folder's position in byte-sorted order
 * (Python's sorted() of the names).  Each image is decoded to RGBA, then
 * converted and resized as Keras does (rt_image_keras in image.c).
 *
 * The held-out split is deterministic and needs no seed, so that eval on
 * the same folder sees the same test images as train did: of each class's
 * files in sorted order, file i is held out when floor((i+1) f) > floor(i f)
 * (every 5th file for f = 0.2), which also keeps the classes' proportions. */
#define _POSIX_C_SOURCE 200809L /* opendir, stat under -std=c11 */
#include "loader.h"
#include "image.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct names {
    char **v;
    int n, cap;
} names;

/* The images of one side of the split: paths and labels. */
typedef struct files {
    char **path;
    int *label;
    int n, cap;
} files;

static void names_free(names *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int names_add(names *s, const char *name)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        char **v = s->cap < (1 << 28) ? realloc(s->v, sizeof *v * (size_t)cap) : NULL;
        if (!v)
            return -1;
        s->v = v, s->cap = cap;
    }
    if (!(s->v[s->n] = malloc(strlen(name) + 1)))
        return -1;
    strcpy(s->v[s->n++], name);
    return 0;
}

static void files_free(files *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->path[i]);
    free(f->path);
    free(f->label);
    memset(f, 0, sizeof *f);
}

/* Takes ownership of path (freed on failure too). */
static int files_add(files *f, char *path, int label)
{
    if (f->n == f->cap) {
        int cap = f->cap ? 2 * f->cap : 64;
        char **p = f->cap < (1 << 28) ? realloc(f->path, sizeof *p * (size_t)cap) : NULL;
        int *l = p ? realloc(f->label, sizeof *l * (size_t)cap) : NULL;
        if (p)
            f->path = p;
        if (!l) {
            free(path);
            return -1;
        }
        f->label = l, f->cap = cap;
    }
    f->path[f->n] = path, f->label[f->n++] = label;
    return 0;
}

/* strcmp compares as unsigned char: the order of Python's sorted() on the
   names' code points, since UTF-8 preserves it. */
static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);

    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++)
        if (tolower((unsigned char)name[n - e + i]) != ext[i])
            return 0;
    return 1;
}

/* The sorted names in dir of subfolders (want_dir) or regular files. */
static int list_dir(const char *dir, int want_dir, names *out, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (!d) {
        rt_set_err(err, errlen, "%s: error: %s", dir, strerror(errno));
        return -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        char *p;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (!(p = rt_join(dir, e->d_name)))
            rc = -1;
        else if (stat(p, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)))
            rc = names_add(out, e->d_name);
        free(p);
    }
    closedir(d);
    if (rc) {
        names_free(out);
        rt_set_err(err, errlen, "%s: error: out of memory listing the folder", dir);
        return -1;
    }
    if (out->n)
        qsort(out->v, (size_t)out->n, sizeof *out->v, by_bytes);
    return 0;
}

int rt_imgdir_held_out(long i, double f)
{
    /* the epsilon keeps 0.29 * 100 (28.999...) on the right side */
    return floor((double)(i + 1) * f + 1e-9) > floor((double)i * f + 1e-9);
}

/* "a, b, c" (shortened with "...") for messages. */
static const char *name_list(const names *s, char *buf, size_t bl)
{
    size_t k = 0;

    buf[0] = '\0';
    for (int i = 0; i < s->n && k + 4 < bl; i++) {
        int m = snprintf(buf + k, bl - k, "%s%s", i ? ", " : "", s->v[i]);
        k = m < 0 || (size_t)m >= bl - k ? bl : k + (size_t)m;
    }
    if (k >= bl && bl > 4)
        strcpy(buf + bl - 4, "...");
    return buf;
}

/* Class folder k's PNG files into the train and test lists.  Other image
   types Keras would read are refused rather than silently left out. */
static int add_class(const char *dir, const char *cls, int k, double holdout,
                     files *train, files *test, char *err, size_t errlen)
{
    static const char *const others[] = {".jpg", ".jpeg", ".bmp", ".gif"};
    char *cdir = rt_join(dir, cls);
    names f;
    long i = 0;
    int rc = -1;

    if (!cdir || list_dir(cdir, 0, &f, err, errlen)) {
        if (!cdir)
            rt_set_err(err, errlen, "%s: error: out of memory", dir);
        free(cdir);
        return -1;
    }
    for (int j = 0; j < f.n; j++) {
        char *p = rt_join(cdir, f.v[j]);
        int png = has_ext(f.v[j], ".png"), other = 0;

        for (int o = 0; o < 4; o++)
            other |= has_ext(f.v[j], others[o]);
        if (!p || other || !png) {
            if (other)
                rt_set_err(err, errlen, "%s: error: only PNG images are supported; convert "
                           "this one to PNG", p ? p : f.v[j]);
            else if (!p)
                rt_set_err(err, errlen, "%s: error: out of memory", cdir);
            free(p);
            if (other || !p)
                goto done;
            continue;   /* not an image: Keras ignores it too */
        }
        if (files_add(rt_imgdir_held_out(i++, holdout) ? test : train, p, k)) {
            rt_set_err(err, errlen, "%s: error: out of memory", cdir);
            goto done;
        }
    }
    rc = 0;
done:
    names_free(&f);
    free(cdir);
    return rc;
}

/* The class folders: exactly `classes` of them. */
static int list_classes(const char *dir, int classes, names *cls, char *err, size_t errlen)
{
    char buf[320];

    if (list_dir(dir, 1, cls, err, errlen))
        return -1;
    if (cls->n == classes)
        return 0;
    if (cls->n == 0)
        rt_set_err(err, errlen, "%s: error: no class subfolders (an image folder has one "
                   "subfolder of PNG images per class)", dir);
    else
        rt_set_err(err, errlen, "%s: error: %d class folders (%s) but the model has %d classes",
                   dir, cls->n, name_list(cls, buf, sizeof buf), classes);
    names_free(cls);
    return -1;
}

/* Stores one converted image as sample i; switches the set to float the
   first time an image was resized (its values are no longer integers). */
static int store(rt_dataset *d, long i, const float *v, int resized)
{
    const size_t size = (size_t)d->size, n = (size_t)d->n;

    if (resized && !d->xf) {
        if (!(d->xf = malloc(sizeof *d->xf * n * size)))
            return -1;
        for (size_t j = 0; j < (size_t)i * size; j++)
            d->xf[j] = (float)d->pix[j] / 255.0f;   /* as gather() scales pix */
        free(d->pix);
        d->pix = NULL;
    }
    for (size_t j = 0; j < size; j++)
        if (d->xf)
            d->xf[(size_t)i * size + j] = v[j] / 255.0f;
        else
            d->pix[(size_t)i * size + j] = (unsigned char)v[j];
    return 0;
}

static int decode_one(rt_dataset *d, long i, const char *path, int h, int w, int c, float *v,
                      char *err, size_t errlen)
{
    unsigned char *rgba;
    int iw, ih, rc;

    if (rt_image_load_rgba(path, &rgba, &iw, &ih, err, errlen))
        return -1;
    rc = rt_image_keras(rgba, iw, ih, h, w, c, v);
    free(rgba);
    if (rc < 0 || store(d, i, v, rc)) {
        rt_set_err(err, errlen, "%s: error: out of memory", path);
        return -1;
    }
    return 0;
}

static int decode_set(const char *dir, const files *f, int h, int w, int c, rt_dataset *d,
                      char *err, size_t errlen)
{
    const int dims[3] = {h, w, c};
    float *v;

    memset(d, 0, sizeof *d);
    d->n = f->n;
    rt_dataset_dims(d, 3, dims);
    if ((size_t)d->n > SIZE_MAX / sizeof(float) / (size_t)d->size) {
        rt_set_err(err, errlen, "%s: error: %d images of %ld values do not fit in memory",
                   dir, d->n, d->size);
        return -1;
    }
    d->pix = malloc((size_t)d->n * (size_t)d->size);
    d->y = malloc(sizeof *d->y * (size_t)d->n);
    v = malloc(sizeof *v * (size_t)d->size);
    if (!d->pix || !d->y || !v || rt_dataset_src(d, dir, err, errlen)) {
        rt_set_err(err, errlen, "%s: error: out of memory for %d images", dir, d->n);
        goto fail;
    }
    for (int i = 0; i < f->n; i++) {
        if (decode_one(d, i, f->path[i], h, w, c, v, err, errlen))
            goto fail;
        d->y[i] = f->label[i];
    }
    free(v);
    return 0;
fail:
    free(v);
    rt_dataset_free(d);
    return -1;
}

static int check_args(const char *dir, int classes, int h, int w, int c, double holdout,
                      char *err, size_t errlen)
{
    if (classes < 1)
        rt_set_err(err, errlen, "%s: error: classes must be >= 1, got %d", dir, classes);
    else if (c != 1 && c != 3 && c != 4)
        rt_set_err(err, errlen, "%s: error: images convert to 1 (grayscale), 3 (rgb) or 4 "
                   "(rgba) channels, not %d", dir, c);
    else if (h < 1 || w < 1 || (size_t)h * (size_t)w > RT_MAX_FILE_BYTES / 4 / (size_t)c)
        rt_set_err(err, errlen, "%s: error: image size %dx%d out of range", dir, h, w);
    else if (!(holdout >= 0 && holdout < 1))
        rt_set_err(err, errlen, "%s: error: the held-out fraction must be in [0, 1), got %g",
                   dir, holdout);
    else
        return 0;
    return -1;
}

/* Lists the class folders' files and splits them. */
static int index_dir(const char *dir, int classes, double holdout, files *train, files *test,
                     char *err, size_t errlen)
{
    names cls;
    char buf[320];

    if (list_classes(dir, classes, &cls, err, errlen))
        return -1;
    for (int k = 0; k < cls.n; k++)
        if (add_class(dir, cls.v[k], k, holdout, train, test, err, errlen)) {
            names_free(&cls);
            return -1;
        }
    if (train->n + test->n == 0)
        rt_set_err(err, errlen, "%s: error: no PNG images in the class folders (%s)", dir,
                   name_list(&cls, buf, sizeof buf));
    else if (holdout > 0 && test->n == 0)
        rt_set_err(err, errlen, "%s: error: holding out %g of each class's images leaves no "
                   "test images (too few files per class)", dir, holdout);
    names_free(&cls);
    return train->n + test->n == 0 || (holdout > 0 && test->n == 0) ? -1 : 0;
}

int rt_load_imgdir(const char *dir, int classes, int h, int w, int c, double holdout,
                   rt_dataset *train, rt_dataset *test, char *err, size_t errlen)
{
    files tr = {0}, te = {0};
    int rc = -1;

    if (train)
        memset(train, 0, sizeof *train);
    if (test)
        memset(test, 0, sizeof *test);
    if (check_args(dir, classes, h, w, c, holdout, err, errlen) ||
        index_dir(dir, classes, holdout, &tr, &te, err, errlen))
        goto done;
    if (train && tr.n == 0) {
        rt_set_err(err, errlen, "%s: error: no training images left after the holdout", dir);
        goto done;
    }
    if ((train && decode_set(dir, &tr, h, w, c, train, err, errlen)) ||
        (test && te.n && decode_set(dir, &te, h, w, c, test, err, errlen))) {
        if (train)
            rt_dataset_free(train);
        goto done;
    }
    rc = 0;
done:
    files_free(&tr);
    files_free(&te);
    return rc;
}
