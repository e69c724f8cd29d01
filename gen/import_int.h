/* import_int.h - what the two front ends of seqc --import share: the
 * TensorFlow.js Layers one (import.c, model.json + shards) and the Keras 3
 * one (import_keras.c, a .keras zip of config.json + model.weights.h5).
 *
 * Both hand imp_run() the model's config (Keras's {"class_name":
 * "Sequential", "config": {"name", "layers"}}, as cJSON) and a source of
 * weights; imp_run maps every layer to a spec line (the one table of layer
 * kinds and options, in import.c), compiles the spec through seqc's own
 * front end, asks the source for each tensor of the lowered model, checks
 * its shape and values, and writes SPEC and SPEC.weights through temporary
 * files, renamed only when all is well. */
#ifndef GEN_IMPORT_INT_H
#define GEN_IMPORT_INT_H

#include <cjson/cJSON.h>

#include "ir.h"

typedef struct ictx {
    const char *path;               /* the file imported, for messages */
    const char *lname, *lclass;     /* the layer being read */
    int err;
} ictx;

/* "PATH: error: [layer 'NAME' (CLASS): ]MESSAGE" into gen_last_error (and
 * stderr unless gen_quiet); the first error only. */
void imp_err(ictx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* One weight as the source holds it: shape, and the values as float32
 * little-endian bytes (size of them); data may be NULL when the shape
 * already differs from the tensor's (imp_run then reports the shapes). */
typedef struct imp_tensor {
    const char *name;               /* for messages */
    int rank, dims[4];
    long size;
    const unsigned char *data;
} imp_tensor;

typedef struct imp_front {
    const char *origin;             /* "a TensorFlow.js Layers model", for the spec's first line */
    const char *train_key;          /* "training_config", "compile_config": for messages */
    const char *file_word;          /* "model.json", "the .keras file": for the spec's comments */
    const cJSON *model;             /* {"class_name": "Sequential", "config": ...} */
    const cJSON *train;             /* {"loss", "optimizer_config": {class_name, config}} or NULL */
    /* After the spec compiled: get ready to hand out m's tensors.  0 ok. */
    int (*begin)(void *self, ictx *c, const gen_model *m);
    /* m->tensors[t] into *out.  0 ok. */
    int (*tensor)(void *self, ictx *c, const gen_model *m, int t, imp_tensor *out);
    /* After the last tensor: nothing in the source left unused.  0 ok. */
    int (*end)(void *self, ictx *c);
    void *self;
} imp_front;

/* The whole import; 0 ok, 1 error (reported, nothing written). */
int imp_run(ictx *c, const imp_front *f, const char *spec_path);

/* The layer list of a Sequential config: config.layers (or a bare list,
 * Keras 2.0); NULL if neither. */
const cJSON *imp_layers(const cJSON *model);

/* The Keras 3 front end (import_keras.c). */
int gen_import_keras(const char *keras_path, const char *spec_path);

/* How the last .keras import's HDF5 reader process ended (waitpid's
 * status; -1: none ran).  Killed by SIGSEGV, SIGBUS, SIGALRM, ...: libhdf5
 * crashed or looped on a malformed file (the import fails cleanly);
 * SIGABRT: an assertion or (with abort_on_error) a sanitizer's report. */
extern int gen_keras_reader_status;
/* The reader's time limit (SIGALRM), 20 s; the fuzz harness shortens it. */
extern int gen_keras_reader_seconds;

#endif
