m4_dnl export_int8.h.m4 - the header of export --int8's NAME_model.c.
/* seqc_model«»_model.h - the trained model "seqc_model", int8-quantized and exported by
 * seqc (export --int8, calibration on seqc_q_calibration training samples): forward
 * pass only, integer arithmetic, constants inside.  Include it and link
 * seqc_model«»_model.c (C99; needs roundf and expf from math.h).
 * FLASH_BYTES: the one const object of numbers; RAM_BYTES: the one static
 * array of int8 activations (no heap; a few hundred bytes of stack). */
#ifndef seqc_MODEL«»_MODEL_H
#define seqc_MODEL«»_MODEL_H

#define seqc_MODEL«»_MODEL_IN_H      seqc_in_h
#define seqc_MODEL«»_MODEL_IN_W      seqc_in_w
#define seqc_MODEL«»_MODEL_IN_C      seqc_in_c
#define seqc_MODEL«»_MODEL_N_INPUT   seqc_n_in
#define seqc_MODEL«»_MODEL_N_OUTPUTS seqc_n_out
#define seqc_MODEL«»_MODEL_N_CLASSES seqc_n_classes  /* 0: the outputs are not one class */
#define seqc_MODEL«»_MODEL_INT8 1
#define seqc_MODEL«»_MODEL_FLASH_BYTES m4_eval(4 * (seqc_q_n32 + seqc_n_layers) + (seqc_q_n8 + 3) / 4 * 4)
#define seqc_MODEL«»_MODEL_RAM_BYTES   m4_eval(seqc_x_arena + seqc_n_in)

/* Run the model on one input, [H][W][C] floats as the trainer fed it
 * (images: pixels / 255); it is quantized to int8 first.  Writes the outputs
 * (from the dequantized last layer, as the float export gives them) to out
 * (may be NULL).  Returns m4_ifelse(seqc_task, 0, «the most probable class», seqc_task, 1, «1 if the probability is above 0.5, else 0», «0»).
 * Not reentrant: the activations live in one static buffer. */
int seqc_model«»_predict(const float input[seqc_n_in], float out[seqc_n_out]);
/* The same from 8-bit values (0..255) scaled by 1/255. */
int seqc_model«»_predict_u8(const unsigned char pixels[seqc_n_in], float out[seqc_n_out]);

#endif
