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
#define seqc_MODEL«»_MODEL_N_OUTPUTS seqc_n_out
#define seqc_MODEL«»_MODEL_N_CLASSES seqc_n_classes  /* 0: the outputs are not one class */
#define seqc_MODEL«»_MODEL_FLASH_BYTES m4_eval((seqc_n_params + seqc_n_consts) * 4)
#define seqc_MODEL«»_MODEL_RAM_BYTES   m4_eval(seqc_x_arena * 4 + seqc_n_in * 4)

/* Run the model on one input, [H][W][C] floats as the trainer fed it
 * (images: pixels / 255).  Writes the outputs as Keras's predict() gives
 * them to out (may be NULL): m4_ifelse(seqc_task, 0, «the class probabilities»,
seqc_task, 1, «the probability of class 1», seqc_task, 2, «each label's probability», «the predicted values»).
 * Returns m4_ifelse(seqc_task, 0, «the most probable class», seqc_task, 1, «1 if that probability is above 0.5, else 0», «0»).
 * Not reentrant: the activations live in one static buffer. */
int seqc_model«»_predict(const float input[seqc_n_in], float out[seqc_n_out]);
/* The same from 8-bit values (0..255) scaled by 1/255, as the trainer
 * reads images. */
int seqc_model«»_predict_u8(const unsigned char pixels[seqc_n_in], float out[seqc_n_out]);

#endif
