/* data.h - dataset loaders for the seqc runtime: IDX (MNIST-style
 * directories, any rank), NumPy .npy directories, CSV with a header row
 * (Kaggle's digits and tabular data) and image folders laid out for Keras's
 * image_dataset_from_directory.
 *
 * One loader file per format: idx.c, npy.c, csv.c, imgdir.c; data.c holds
 * what they share (whole-file reading, directory detection).
 *
 * Every file loader reads the whole file up front (through zlib, so a file
 * may be gzip-compressed or not) and validates every size it finds in the
 * file against the bytes actually present before allocating anything, so a
 * corrupt or hostile header is reported as an error, never as a huge malloc.
 *
 * Loaders do not know the model: they return the samples with the shape the
 * file gives them, and the caller (main.c) checks that shape against the
 * model's input.  Only the image-folder loader takes a shape, because it
 * converts (as Keras does, to the image_size and color_mode it is given).
 *
 * Error reporting: loaders return 0 on success and -1 on error.  On error a
 * single line (no trailing newline) is written to err:
 *     "PATH: error: ..."            (file-level problems)
 *     "PATH:LINE:COL: error: ..."   (CSV content; LINE and COL are 1-based)
 * err may be NULL / errlen 0 when the caller does not want the message.
 * On error *out is left empty (all zero, nothing allocated).  *out need not
 * be initialised on entry; whatever it held is overwritten, not freed.
 *
 * Total decompressed file size is limited to INT_MAX bytes, so n * size
 * always fits in an int for one file's samples.
 */
#ifndef SEQC_RUNTIME_DATA_H
#define SEQC_RUNTIME_DATA_H

#include <stddef.h>

#define RT_MAX_RANK 4   /* dimensions per sample */

/* n samples of `size` values each, row-major with dims (NHWC for images:
 * h, w, c).  Exactly one of pix and xf holds the values. */
typedef struct rt_dataset {
    int n;               /* number of samples */
    int rank;            /* per-sample rank, 0..RT_MAX_RANK (0: one value) */
    int dims[RT_MAX_RANK];
    long size;           /* values per sample: the product of dims */
    int h, w;            /* the sample as a picture, for reports and plots:
                            dims[0] x dims[1] (rank >= 2); rank <= 1:
                            side x side if size is a square (784: 28x28),
                            else 1 x size */
    unsigned char *pix;  /* n*size bytes 0..255, scaled by 1/255 when used; or NULL */
    float *xf;           /* n*size floats, used as they are; or NULL */
    int *y;              /* n integer labels, or NULL (unlabeled, e.g. Kaggle's
                            test.csv, or float targets in yf) */
    float *yf;           /* n*y_dim float targets (regression, one-hot/soft or 0/1 labels), or NULL */
    int y_dim;           /* targets per sample when yf is set, else 0 */
    char **names;        /* CSV only, else NULL: the column names, features first (in
                            file order, `size` of them), then the targets (in the order
                            of the `label` list); one malloc block with the strings */
    int n_names;         /* entries in names: size + the target columns present */
    char *src;           /* the file (or folder) the samples came from, for messages */
} rt_dataset;

/* Labels: the `classes` argument of the IDX, .npy and CSV loaders (the
 * image-folder loader's is the folder count, >= 1):
 *   classes > 0: integer class labels, each in [0, classes): y.
 *   classes == 0: the caller decides.  Integer-typed label data goes to y
 *     without a range check; float-typed label data (and, for .npy,
 *     integer [n, K] with K > 1) goes to yf [n][y_dim], every value finite.
 *     For CSV, which has no types, every target column is float: yf.
 *   classes < 0: an error.
 * At most one of y and yf is set; neither for unlabeled data. */

/* An IDX samples file plus an IDX1 labels file (magic 0x00000801, dim n).
 * Samples: magic 0x0000TT0N, N = 1..4 dims (n, then the per-sample dims),
 * type TT 0x08 (unsigned byte: pix) or 0x0D (big-endian float32, finite:
 * xf).  Counts must agree.  Labels are unsigned bytes: y, each in
 * [0, classes) when classes > 0 (any byte value when classes == 0). */
int rt_load_idx_pair(const char *images_path, const char *labels_path, int classes,
                     rt_dataset *out, char *err, size_t errlen);

/* dir laid out like MNIST's distribution: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each optionally .gz (raw tried first), the images also as *-idx4-ubyte.
 * The name does not matter to the loader: the magic gives the rank.
 * which: 0 = train, 1 = test (t10k). */
int rt_load_mnist_dir(const char *dir, int which, int classes,
                      rt_dataset *out, char *err, size_t errlen);

/* NumPy .npy files, format versions 1.0, 2.0 and 3.0, C order.
 * x: dtype uint8 ('|u1': pix) or float32 ('<f4', finite: xf), shape
 *    [n, ...] with at most RT_MAX_RANK per-sample dims.
 * y: little-endian integers (u1, i1, <i2, <u2, <i4, <u4, <i8, <u8) or
 *    floats (<f4, <f8), shape [n] or [n, K].
 *    classes > 0: shape [n] or [n, 1], every value an integer in
 *      [0, classes) (float values too, if exactly integral): y.
 *    classes == 0: integers of shape [n] or [n, 1] -> y (values must fit in
 *      an int); floats (finite) of any [n] / [n, K], and integers of shape
 *      [n, K] with K > 1 (multi-label 0/1; |value| <= 2^24, so exact in
 *      float) -> yf with y_dim K (1 for [n]). */
int rt_load_npy_pair(const char *x_path, const char *y_path, int classes,
                     rt_dataset *out, char *err, size_t errlen);

/* dir with x_train.npy, y_train.npy (which 0) or x_test.npy, y_test.npy
 * (which 1), each optionally .gz. */
int rt_load_npy_dir(const char *dir, int which, int classes,
                    rt_dataset *out, char *err, size_t errlen);

/* CSV with a header row.  label: the comma-separated names of the target
 * columns (NULL or "" means "label"); every other column is a feature, in
 * file order.
 *   Header: required; names are trimmed of surrounding spaces and tabs and
 *     may be quoted ("name", no commas or quotes inside); an empty or
 *     duplicate name is an error, and so is a first line of numbers only
 *     (a missing header).
 *   Targets: none of the label columns in the header -> unlabeled (y = yf
 *     = NULL: Kaggle's test.csv, predict input); only some of them -> error.
 *     classes > 0: exactly one label column, integers in [0, classes)
 *     ("3.0" counts as 3) -> y.  classes == 0: finite numbers -> yf
 *     [n][number of label columns], in the order of the label list.
 *   Features: exactly pixel0..pixelK-1 in order (Kaggle digits) -> integers
 *     0..255 in pix; otherwise finite decimal numbers ([+-]d[.d][e[+-]d],
 *     any locale; no nan, inf or hex) -> float32 in xf.  Either way the
 *     samples are flat: rank 1, dims [K].
 *   Values: surrounding spaces and tabs are ignored; an empty field and NA,
 *     N/A, NaN, null, None, ? are reported as missing values.
 *   LF or CRLF line endings, optional final newline, trailing blank lines
 *   and a leading UTF-8 BOM are accepted; every row must have as many
 *   fields as the header.  names / n_names are set (see rt_dataset). */
int rt_load_csv(const char *path, const char *label, int classes, rt_dataset *out,
                char *err, size_t errlen);

/* An image folder as Keras's image_dataset_from_directory reads it: one
 * subfolder per class (class index = position in the byte-sorted folder
 * names, as Python's sorted()), PNG files directly inside, each converted to
 * c channels (1, 3 or 4) and resized to h x w (see rt_image_keras in
 * image.h).  There must be exactly `classes` subfolders.
 *
 * Split: of each class's files in sorted order, file i (0-based) goes to
 * *test when rt_imgdir_held_out(i, holdout), else to *train.  holdout 0
 * puts everything in *train.  Either output may be NULL (those files are
 * not decoded).  Samples are pix when no image needed resizing, else xf
 * (resized values / 255, unrounded, as Keras keeps them in float). */
int rt_load_imgdir(const char *dir, int classes, int h, int w, int c, double holdout,
                   rt_dataset *train, rt_dataset *test, char *err, size_t errlen);

/* 1 when file i of a class is held out for a fraction f in [0, 1):
 * floor((i+1) f) > floor(i f), i.e. evenly spread, every 5th for 0.2. */
int rt_imgdir_held_out(long i, double f);

/* What a --data directory holds, by the files present: x_train.npy or
 * x_test.npy (NPY), else MNIST-style IDX names (IDX), else subfolders
 * (IMAGES).  -1 with "DIR: error: ..." when none. */
enum { RT_LAYOUT_NPY = 1, RT_LAYOUT_IDX, RT_LAYOUT_IMAGES };
int rt_data_layout(const char *dir, char *err, size_t errlen);

/* "[a, b, c]" of d's per-sample dims into s. */
const char *rt_dataset_shape(const rt_dataset *d, char *s, size_t sl);

/* Cuts d after its first `keep` samples: *tail becomes a view of the rest
 * (the same arrays from sample keep on; free d only, never *tail) and d
 * keeps the first keep.  Holdouts and Keras's validation_split. */
void rt_dataset_split(rt_dataset *d, int keep, rt_dataset *tail);

/* Frees the buffers and zeroes *d; safe on a zeroed or already-freed dataset. */
void rt_dataset_free(rt_dataset *d);

#endif /* SEQC_RUNTIME_DATA_H */
