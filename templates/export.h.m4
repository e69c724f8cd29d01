m4_include(«export_sizes.m4»)m4_dnl
/* seqc_model«»_model.h - the trained model "seqc_model", exported by seqc: forward
 * pass only, weights inside.  Include it and link seqc_model«»_model.c (C99; needs
 * expf from math.h).
seqc_export_sizes
 */
#ifndef seqc_MODEL«»_MODEL_H
#define seqc_MODEL«»_MODEL_H

#define seqc_MODEL«»_MODEL_IN_H      seqc_in_h
#define seqc_MODEL«»_MODEL_IN_W      seqc_in_w
#define seqc_MODEL«»_MODEL_IN_C      seqc_in_c
#define seqc_MODEL«»_MODEL_N_INPUT   seqc_n_in
#define seqc_MODEL«»_MODEL_N_CLASSES seqc_n_classes
#define seqc_MODEL«»_MODEL_FLASH_BYTES m4_eval(seqc_n_params * 4)
#define seqc_MODEL«»_MODEL_RAM_BYTES   m4_eval(seqc_x_arena * 4 + seqc_n_in * 4)

/* Classify one input, [H][W][C] floats in [0, 1] (pixels / 255).  Writes the
 * class probabilities to probs (may be NULL) and returns the most probable
 * class.  Not reentrant: the activations live in one static buffer. */
int seqc_model«»_predict(const float input[seqc_n_in], float probs[seqc_n_classes]);
/* The same from 8-bit pixels (0..255), as trainer and MNIST files hold them. */
int seqc_model«»_predict_u8(const unsigned char pixels[seqc_n_in], float probs[seqc_n_classes]);

#endif
