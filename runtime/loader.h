/* loader.h - what the dataset loaders (data.c, idx.c, npy.c, csv.c,
 * imgdir.c) share; not part of the runtime's interface (see data.h). */
#ifndef SEQC_RUNTIME_LOADER_H
#define SEQC_RUNTIME_LOADER_H

#include <limits.h>
#include <stddef.h>

#include "data.h"

/* Largest decompressed file we accept.  Keeping it at INT_MAX means
   n * size fits in an int (see data.h), and it also bounds gzip bombs. */
#define RT_MAX_FILE_BYTES ((size_t)INT_MAX)

#if defined(__GNUC__)
#define RT_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define RT_PRINTF_LIKE(f, a)
#endif

/* vsnprintf into err when err and errlen are given. */
RT_PRINTF_LIKE(3, 4)
void rt_set_err(char *err, size_t errlen, const char *fmt, ...);

/* Reads path (raw or gzip) into a malloc'd buffer with a NUL after the
   *len bytes; -1 with "PATH: error: ..." (nothing allocated). */
int rt_read_all(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen);

/* DIR/NAME, malloc'd (NULL when out of memory). */
char *rt_join(const char *dir, const char *name);

/* The first of DIR/BASE, DIR/BASE.gz for BASE in bases[0..n) that can be
   opened, malloc'd; else NULL with "DIR/BASES[0]: error: ..." in err. */
char *rt_find_file(const char *dir, const char *const *bases, int n, char *err, size_t errlen);

/* A directory's pair of files for split which (0 train, 1 test): the first
   of xnames[which][0..nx) and of ynames[which][0..ny) found by rt_find_file,
   loaded by load.  test_name names split 1 in the error for a bad which. */
typedef int (*rt_pair_loader)(const char *x_path, const char *y_path, int classes,
                              rt_dataset *out, char *err, size_t errlen);
int rt_load_dir_pair(const char *dir, int which, const char *const *const xnames[2], int nx,
                     const char *const *const ynames[2], int ny, const char *test_name,
                     rt_pair_loader load, int classes, rt_dataset *out, char *err, size_t errlen);

/* 1 when one of those files exists. */
int rt_file_exists(const char *dir, const char *const *bases, int n);

/* Sets rank, dims, size and the picture plane h x w of d. */
void rt_dataset_dims(rt_dataset *d, int rank, const int *dims);

/* d->src = a copy of path; -1 with "PATH: error: out of memory". */
int rt_dataset_src(rt_dataset *d, const char *path, char *err, size_t errlen);

/* Label count check shared by the pair loaders. */
int rt_check_counts(const char *labels_path, int ny, const char *x_path, int nx,
                    char *err, size_t errlen);

#endif
