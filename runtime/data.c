/* data.c - what the dataset loaders share: whole-file reading through zlib,
 * finding a file under its raw or .gz name, and telling which layout a
 * --data directory has.  The formats live in idx.c, npy.c, csv.c, imgdir.c.
 *
 * Strategy: read the whole (possibly gzipped) file into memory first, then
 * validate.  Knowing the real size before looking at the header is what lets
 * the loaders reject lying headers (e.g. "2^31 images" in a 100-byte file)
 * without ever allocating on their say-so.
 */
#define _POSIX_C_SOURCE 200809L /* opendir, stat under -std=c11 */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define READ_CHUNK ((size_t)1 << 20)
#define GROW_LIMIT (RT_MAX_FILE_BYTES + READ_CHUNK + 1)

void rt_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void rt_dataset_free(rt_dataset *d)
{
    if (!d)
        return;
    free(d->pix);
    free(d->xf);
    free(d->y);
    free(d->yf);
    free(d->names);
    free(d->src);
    memset(d, 0, sizeof *d);
}

void rt_dataset_dims(rt_dataset *d, int rank, const int *dims)
{
    d->rank = rank;
    d->size = 1;
    for (int i = 0; i < RT_MAX_RANK; i++) {
        d->dims[i] = i < rank ? dims[i] : 0;
        d->size *= i < rank ? dims[i] : 1;
    }
    /* a flat sample of a square size (784) is shown square (28x28) */
    long side = 1;
    while (side * side < d->size)
        side++;
    d->h = rank >= 2 ? dims[0] : side * side == d->size ? (int)side : 1;
    d->w = rank >= 2 ? dims[1] : side * side == d->size ? (int)side : (int)d->size;
}

int rt_dataset_src(rt_dataset *d, const char *path, char *err, size_t errlen)
{
    size_t len = strlen(path) + 1;

    d->src = malloc(len);
    if (!d->src) {
        rt_set_err(err, errlen, "%s: error: out of memory", path);
        return -1;
    }
    memcpy(d->src, path, len);
    return 0;
}

const char *rt_dataset_shape(const rt_dataset *d, char *s, size_t sl)
{
    size_t k = 0;

    if (sl == 0)
        return s;
    snprintf(s, sl, "[");
    for (int i = 0; i < d->rank && (k = strlen(s)) < sl; i++)
        snprintf(s + k, sl - k, "%s%d", i ? ", " : "", d->dims[i]);
    k = strlen(s);
    snprintf(s + k, sl - k, "]");
    return s;
}

int rt_check_counts(const char *labels_path, int ny, const char *x_path, int nx,
                    char *err, size_t errlen)
{
    if (ny == nx)
        return 0;
    rt_set_err(err, errlen, "%s: error: %d labels but %s has %d samples", labels_path, ny,
               x_path, nx);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Whole-file reading                                                  */
/* ------------------------------------------------------------------ */

/* zlib prefixes its messages with the path; we add our own prefix, so strip
   theirs to keep the message on one readable line. */
static const char *gz_msg(gzFile f, const char *path, int *errnum)
{
    const char *m = gzerror(f, errnum);
    size_t pl = strlen(path);

    if (m && strncmp(m, path, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ')
        m += pl + 2;
    return m && *m ? m : "read error";
}

/* Makes room for one more READ_CHUNK plus a NUL terminator. */
static int grow(unsigned char **b, size_t *cap, size_t used)
{
    size_t want = used + READ_CHUNK + 1, ncap = *cap ? *cap : READ_CHUNK;
    unsigned char *nb;

    if (*cap >= want)
        return 0;
    /* Clamp instead of doubling past the limit, so a 32-bit size_t cannot
       wrap (slurp stops once more than RT_MAX_FILE_BYTES arrived, so want
       never exceeds the clamp). */
    while (ncap < want)
        ncap = ncap > GROW_LIMIT / 2 ? GROW_LIMIT : ncap * 2;
    nb = realloc(*b, ncap);
    if (!nb)
        return -1;
    *b = nb;
    *cap = ncap;
    return 0;
}

/* Pulls every decompressed byte out of f.  We count what actually comes
   out rather than trusting the gzip trailer's ISIZE field. */
static int slurp(gzFile f, const char *path, unsigned char **buf, size_t *len,
                 char *err, size_t errlen)
{
    unsigned char *b = NULL;
    size_t cap = 0, n = 0;
    int got, errnum;

    for (;;) {
        if (grow(&b, &cap, n)) {
            rt_set_err(err, errlen, "%s: error: out of memory reading file", path);
            break;
        }
        got = gzread(f, b + n, (unsigned)READ_CHUNK);
        if (got < 0) {
            rt_set_err(err, errlen, "%s: error: %s", path, gz_msg(f, path, &errnum));
            break;
        }
        if (got == 0) {
            *buf = b;
            *len = n;
            return 0;
        }
        n += (size_t)got;
        if (n > RT_MAX_FILE_BYTES) {
            rt_set_err(err, errlen, "%s: error: file larger than %zu bytes (after decompression)",
                       path, RT_MAX_FILE_BYTES);
            break;
        }
    }
    free(b);
    return -1;
}

int rt_read_all(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen)
{
    gzFile f;
    int errnum = Z_OK;
    const char *msg;
    struct stat st;

    *buf = NULL;
    *len = 0;
    /* gzopen would "read" a directory as an empty file */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rt_set_err(err, errlen, "%s: error: is a directory, not a file", path);
        return -1;
    }
    errno = 0;
    f = gzopen(path, "rb");
    if (!f) {
        rt_set_err(err, errlen, "%s: error: %s", path,
                   errno ? strerror(errno) : "cannot open (out of memory)");
        return -1;
    }
    if (slurp(f, path, buf, len, err, errlen)) {
        gzclose_r(f);
        return -1;
    }
    /* gzread reports a gzip stream cut short as a plain EOF; only gzerror's
       Z_BUF_ERROR tells us the file was truncated.  Format the message before
       gzclose_r frees the string. */
    msg = gz_msg(f, path, &errnum);
    if (errnum != Z_OK)
        rt_set_err(err, errlen, "%s: error: %s", path, errnum == Z_BUF_ERROR
                   ? "truncated gzip stream (unexpected end of file)" : msg);
    if (gzclose_r(f) != Z_OK && errnum == Z_OK) {
        rt_set_err(err, errlen, "%s: error: close failed", path);
        errnum = Z_ERRNO;
    }
    if (errnum != Z_OK) {
        free(*buf);
        *buf = NULL;
        *len = 0;
        return -1;
    }
    (*buf)[*len] = '\0'; /* grow() always leaves room for it */
    return 0;
}

/* ------------------------------------------------------------------ */
/* Finding files                                                       */
/* ------------------------------------------------------------------ */

char *rt_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), need = dl + 2 + strlen(name);
    char *p = malloc(need);

    if (p)
        snprintf(p, need, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
    return p;
}

/* DIR/BASE[.gz] into a malloc'd string (with room for ".gz"). */
static char *join(const char *dir, const char *base, int gz)
{
    size_t dl = strlen(dir), need = dl + 1 + strlen(base) + sizeof ".gz";
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    char *p = malloc(need);

    if (p)
        snprintf(p, need, "%s%s%s%s", dir, sep, base, gz ? ".gz" : "");
    return p;
}

/* 0 if path opens as a file; else errno (EISDIR for a directory). */
static int try_open(const char *path)
{
    struct stat st;
    FILE *f = fopen(path, "rb");

    if (!f)
        return errno ? errno : ENOENT;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return EISDIR;
    }
    fclose(f);
    return 0;
}

/* Raw first, then .gz: datasets ship gzipped but are often kept gunzipped,
   and a raw file is cheaper to read. */
int rt_load_dir_pair(const char *dir, int which, const char *const *const xnames[2], int nx,
                     const char *const *const ynames[2], int ny, const char *test_name,
                     rt_pair_loader load, int classes, rt_dataset *out, char *err, size_t errlen)
{
    char *xp = NULL, *yp = NULL;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (which != 0 && which != 1) {
        rt_set_err(err, errlen, "%s: error: which must be 0 (train) or 1 (%s), got %d",
                   dir, test_name, which);
        return -1;
    }
    xp = rt_find_file(dir, xnames[which], nx, err, errlen);
    yp = xp ? rt_find_file(dir, ynames[which], ny, err, errlen) : NULL;
    if (xp && yp)
        rc = load(xp, yp, classes, out, err, errlen);
    free(xp);
    free(yp);
    return rc;
}

char *rt_find_file(const char *dir, const char *const *bases, int n, char *err, size_t errlen)
{
    int first_err = 0;
    char *first = NULL;

    for (int i = 0; i < 2 * n; i++) {
        char *p = join(dir, bases[i / 2], i % 2);
        int e = p ? try_open(p) : ENOMEM;

        if (p && e == 0) {
            free(first);
            return p;
        }
        if (!first_err || (first_err == ENOENT && e != ENOENT)) {
            free(first);
            first = p, first_err = e;   /* report the most telling failure */
        } else {
            free(p);
        }
    }
    if (!first)
        rt_set_err(err, errlen, "%s: error: out of memory", dir);
    else if (first_err == ENOENT) {
        if (strlen(first) > 3 && !strcmp(first + strlen(first) - 3, ".gz"))
            first[strlen(first) - 3] = '\0';
        rt_set_err(err, errlen, "%s: error: no such file (nor %s.gz%s%s%s)", first, first,
                   n > 1 ? ", nor " : "", n > 1 ? bases[1] : "", n > 1 ? "[.gz]" : "");
    } else
        rt_set_err(err, errlen, "%s: error: %s", first, strerror(first_err));
    free(first);
    return NULL;
}

int rt_file_exists(const char *dir, const char *const *bases, int n)
{
    for (int i = 0; i < 2 * n; i++) {
        char *p = join(dir, bases[i / 2], i % 2);
        int e = p ? try_open(p) : ENOMEM;

        free(p);
        if (e == 0)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Directory layouts                                                   */
/* ------------------------------------------------------------------ */

static int has_subdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    while (d && !found && (e = readdir(d)) != NULL) {
        char *p;
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        p = join(dir, e->d_name, 0);
        found = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
        free(p);
    }
    if (d)
        closedir(d);
    return found;
}

int rt_data_layout(const char *dir, char *err, size_t errlen)
{
    static const char *const npy[] = {"x_train.npy", "x_test.npy"};
    static const char *const idx[] = {"train-images-idx3-ubyte", "train-images-idx4-ubyte",
                                      "t10k-images-idx3-ubyte", "t10k-images-idx4-ubyte"};
    struct stat st;

    if (stat(dir, &st) != 0) {
        rt_set_err(err, errlen, "%s: error: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        rt_set_err(err, errlen, "%s: error: not a directory (--data names a directory)", dir);
        return -1;
    }
    if (rt_file_exists(dir, npy, 2))
        return RT_LAYOUT_NPY;
    if (rt_file_exists(dir, idx, 4))
        return RT_LAYOUT_IDX;
    if (has_subdir(dir))
        return RT_LAYOUT_IMAGES;
    rt_set_err(err, errlen, "%s: error: no data found: expected x_train.npy (NumPy), "
               "train-images-idx3-ubyte (MNIST layout) or one subfolder of PNG images per class",
               dir);
    return -1;
}

void rt_dataset_split(rt_dataset *d, int keep, rt_dataset *tail)
{
    *tail = *d;
    tail->n = d->n - keep;
    tail->pix = d->pix ? d->pix + (size_t)keep * (size_t)d->size : NULL;
    tail->xf = d->xf ? d->xf + (size_t)keep * (size_t)d->size : NULL;
    tail->y = d->y ? d->y + keep : NULL;
    tail->yf = d->yf ? d->yf + (size_t)keep * (size_t)d->y_dim : NULL;
    d->n = keep;
}
