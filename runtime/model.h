/* model.h - the contract between the runtime and one generated model.
 *
 * The trainer is built from out/NAME.c plus the runtime sources; the Makefile
 * passes -DRT_MODEL_HEADER='"NAME.h"' -Iout.  The generated header maps
 * its NAME_* API onto the generic names used here (model_forward,
 * MODEL_N_PARAMS, ...) when SEQC_GENERIC_NAMES is defined. */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#define SEQC_GENERIC_NAMES
#ifndef RT_MODEL_HEADER
#error "build with -DRT_MODEL_HEADER='\"NAME.h\"' (see the Makefile)"
#endif
#include RT_MODEL_HEADER

/* RT_TAIL_V (make's TAIL_V): the trainer also links NAME.tail.c (declared
 * by RT_TAIL_HEADER), the same passes built with RT_TAIL_V lanes, for a
 * batch's last chunk of at most RT_TAIL_V samples (train.c).
 * MODEL_PASS(n, f) picks the build for a chunk of n samples (RT_ON_TAIL(n):
 * the tail build; train's summary names it, so tests can see the choice). */
#ifdef RT_TAIL_V
#undef SEQC_GENERIC_NAMES   /* the tail build's declarations only; NAME.h maps model_tail_* */
#include RT_TAIL_HEADER
#define SEQC_GENERIC_NAMES
#define RT_ON_TAIL(n) ((n) <= RT_TAIL_V)
#define RT_TAIL_LANES RT_TAIL_V
#define MODEL_PASS(n, f) (RT_ON_TAIL(n) ? model_tail_##f : model_##f)
#else
#define RT_ON_TAIL(n) 0
#define RT_TAIL_LANES 0
#define MODEL_PASS(n, f) model_##f
#endif

/* --qat's grid goes to both builds. */
static inline void rt_model_qat_grid(const float *grid)
{
    model_qat_grid(grid);
#ifdef RT_TAIL_V
    model_tail_qat_grid(grid);
#endif
}

#endif
