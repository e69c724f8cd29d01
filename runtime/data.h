/* data.h - dataset loaders for the seqc runtime (IDX / MNIST directory / Kaggle CSV).
 *
 * Every loader reads the whole file up front (through zlib, so a file may be
 * gzip-compressed or not) and validates every size it finds in the file
 * against the bytes actually present before allocating anything, so a
 * corrupt or hostile header is reported as an error, never as a huge malloc.
 *
 * Error reporting: loaders return 0 on success and -1 on error.  On error a
 * single line (no trailing newline) is written to err:
 *     "PATH: error: ..."            (IDX files, file-level CSV problems)
 *     "PATH:LINE:COL: error: ..."   (CSV content; LINE and COL are 1-based)
 * err may be NULL / errlen 0 when the caller does not want the message.
 * On error *out is left empty (all zero, nothing allocated).  *out need not
 * be initialised on entry; whatever it held is overwritten, not freed.
 *
 * Total decompressed file size is limited to INT_MAX bytes, so n*h*w always
 * fits in an int and callers may index pix with int arithmetic.
 */
#ifndef SEQC_RUNTIME_DATA_H
#define SEQC_RUNTIME_DATA_H

#include <stddef.h>

typedef struct rt_dataset {
    int n;               /* number of images */
    int h, w;            /* 28, 28 for MNIST; CSV: 28x28 (784 pixels) */
    unsigned char *pix;  /* n*h*w bytes, row-major, 0..255 */
    int *y;              /* n labels, or NULL when unlabeled (Kaggle test.csv) */
} rt_dataset;

/* An IDX3 images file (magic 0x00000803, dims n,h,w) plus an IDX1 labels
   file (magic 0x00000801, dim n).  Counts must agree and every label must be
   in [0, classes).  h and w are whatever the file says; checking them
   against the model's input shape is the caller's job. */
int rt_load_idx_pair(const char *images_path, const char *labels_path, int classes,
                     rt_dataset *out, char *err, size_t errlen);

/* dir laid out like MNIST's distribution: train-images-idx3-ubyte,
   train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
   each optionally with .gz (try raw first, then .gz).
   which: 0 = train, 1 = test (t10k). */
int rt_load_mnist_dir(const char *dir, int which, int classes,
                      rt_dataset *out, char *err, size_t errlen);

/* Kaggle digit-recognizer CSV: header "label,pixel0,...,pixel783" then rows
   (labeled), or header "pixel0,...,pixel783" (unlabeled test.csv; y = NULL).
   Detected by header.  Values are integers 0..255 (labels 0..classes-1).
   LF or CRLF line endings, optional final newline, trailing blank lines and
   a leading UTF-8 BOM are accepted.  h = w = 28. */
int rt_load_csv(const char *path, int classes, rt_dataset *out, char *err, size_t errlen);

/* Frees pix and y and zeroes *d; safe on a zeroed or already-freed dataset. */
void rt_dataset_free(rt_dataset *d);

#endif /* SEQC_RUNTIME_DATA_H */
