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

#endif
