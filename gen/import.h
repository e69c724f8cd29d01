/* import.h - seqc --import (import.c): a Keras Sequential model in the
 * TensorFlow.js Layers format into a spec and its weights. */
#ifndef GEN_IMPORT_H
#define GEN_IMPORT_H

/* Reads MODEL.json and the weight shards its weightsManifest names, writes
 * SPEC (YAML) and, beside it, SPEC's name with extension .weights
 * (SEQCWTS1).  0 ok; 1 error, reported as "MODEL.json: error: ..." (also in
 * gen_last_error), nothing written. */
int gen_import(const char *json_path, const char *spec_path);

#endif
