/* import.h - seqc --import: a Keras Sequential model into a spec and its
 * weights, from the TensorFlow.js Layers format (import.c) or a Keras 3
 * .keras file (import_keras.c). */
#ifndef GEN_IMPORT_H
#define GEN_IMPORT_H

/* Reads MODEL.json and the weight shards its weightsManifest names, or, if
 * the path ends in .keras, the zip's config.json and model.weights.h5;
 * writes SPEC (YAML) and, beside it, SPEC's name with extension .weights
 * (SEQCWTS1).  0 ok; 1 error, reported as "MODEL: error: ..." (also in
 * gen_last_error), nothing written. */
int gen_import(const char *model_path, const char *spec_path);

#endif
