/* quant.h - int8 post-training quantization, TFLite's scheme (README
 * "int8 quantization"): the numbers the int8 pass of templates/int8.m4
 * runs on, computed from float weights and calibration samples. */
#ifndef RT_QUANT_H
#define RT_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "data.h"

#define RT_QUANT_CALIBRATION 1000   /* default calibration samples */

/* One layer's arrays (owned), their lengths: nw, nw2 int8 weights; nc
 * channels of b, m, s; nc2 of b2, m2, s2; nlut 0 or 256; nfa floats. */
typedef struct rt_qarrays {
    int8_t *w, *w2, *lut;
    int32_t *b, *m, *s, *b2, *m2, *s2;
    float *fa;                          /* layer 0: the folded normalization */
    long nw, nw2, nc, nc2, nlut, nfa;
} rt_qarrays;

typedef struct rt_qmodel {
    model_qlayer ql[MODEL_N_QLAYERS];   /* what the int8 pass reads */
    rt_qarrays a[MODEL_N_QLAYERS];
    int calibration;                    /* samples the ranges came from */
} rt_qmodel;

/* TFLite's QuantizeMultiplier: m = q * 2^(shift - 31), q in [2^30, 2^31)
 * (0 for m = 0 or m < 2^-31; shift at most 30). */
void rt_quantize_multiplier(double m, int32_t *q, int32_t *shift);
/* Scale and zero point of an int8 asymmetric range [lo, hi] (made to
 * contain 0, so that 0 is exact). */
void rt_qparams(double lo, double hi, float *scale, int32_t *zp);
/* round(x / scale) + zp, clamped to [lo, hi]. */
int32_t rt_quantize(double x, double scale, int32_t zp, int32_t lo, int32_t hi);

/* Calibrate on n_calib samples of train spread evenly over it, fold batch
 * normalization, quantize every layer.  0, or -1 with err set. */
int rt_quant_build(const float *params, const rt_dataset *train, int n_calib, rt_qmodel *qm,
                   char *err, size_t errlen);
void rt_quant_free(rt_qmodel *qm);
/* The model's numbers as m4 definitions (numbers only) for
 * templates/export_int8.c.m4. */
int rt_quant_write_m4(const rt_qmodel *qm, const char *path, char *err, size_t errlen);
/* export --int8: NAME_model.c/.h from a built model. */
int rt_export_int8(const rt_qmodel *qm, const char *out_c, char *err, size_t errlen);

/* cmd_quant.c: eval --int8, export --int8 (argv as the commands get it);
 * rt_wants_int8: --int8 is there and the first option is not --help. */
int rt_wants_int8(int argc, char **argv);
int rt_cmd_eval_int8(int argc, char **argv);
int rt_cmd_export_int8(int argc, char **argv);

/* qat.c: train --qat.  qparams = params with every kernel the int8 pass
 * quantizes fake-quantized as it quantizes it (per output channel,
 * symmetric, [-127, 127]); rt_qat_ranges: calibrate (as rt_quant_build) on
 * qparams and set the output grids of the passes' fake quantization
 * (grid [MODEL_N_QLAYERS][2], which must outlive the training). */
void rt_qat_weights(const float *params, float *qparams);
int rt_qat_ranges(const float *qparams, const rt_dataset *train, int n_calib, float *grid,
                  char *err, size_t errlen);

#endif
