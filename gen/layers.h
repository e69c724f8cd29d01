/* layers.h - the one table of layer kinds.
 *
 * Adding a layer kind = one row in layers.c (name, options, input rank,
 * shape rule, template stem) + templates/STEM.m4 defining seqc_STEM_forward,
 * seqc_STEM_backward, seqc_STEM_fcall and seqc_STEM_bcall + tests.  Kinds
 * that share arithmetic share a stem: conv1d is conv2d with a height of 1,
 * the 1-D pools and paddings are the 2-D ones, and the relu, leaky_relu and
 * elu layers are activation layers with options. */
#ifndef GEN_LAYERS_H
#define GEN_LAYERS_H

#include "ir.h"

enum gen_opt {
    GEN_OPT_NAME = 1u << 0, GEN_OPT_UNITS = 1u << 1, GEN_OPT_FILTERS = 1u << 2,
    GEN_OPT_KERNEL = 1u << 3, GEN_OPT_STRIDES = 1u << 4, GEN_OPT_POOL = 1u << 5,
    GEN_OPT_PADDING = 1u << 6, GEN_OPT_ACT = 1u << 7, GEN_OPT_BIAS = 1u << 8,
    GEN_OPT_RATE = 1u << 9, GEN_OPT_SHAPE = 1u << 10, GEN_OPT_DILATION = 1u << 11,
    GEN_OPT_DM = 1u << 12, GEN_OPT_MOMENTUM = 1u << 13, GEN_OPT_EPSILON = 1u << 14,
    GEN_OPT_CENTER = 1u << 15, GEN_OPT_SCALE = 1u << 16, GEN_OPT_AXIS = 1u << 17,
    GEN_OPT_TARGET = 1u << 18, GEN_OPT_MAXV = 1u << 19, GEN_OPT_SLOPE = 1u << 20,
    GEN_OPT_THRESHOLD = 1u << 21, GEN_OPT_ALPHA = 1u << 22, GEN_OPT_KREG = 1u << 23,
    GEN_OPT_BREG = 1u << 24, GEN_OPT_DREG = 1u << 25, GEN_OPT_PREG = 1u << 26,
    GEN_OPT_MEAN = 1u << 27, GEN_OPT_VARIANCE = 1u << 28, GEN_OPT_INVERT = 1u << 29
};

typedef enum gen_kind_id {
    GEN_INPUT, GEN_ZPAD, GEN_CONV2D, GEN_MAXPOOL, GEN_AVGPOOL, GEN_FLATTEN,
    GEN_DENSE, GEN_DROPOUT, GEN_ACTIVATION, GEN_BATCHNORM, GEN_DEPTHWISE,
    GEN_SEPARABLE, GEN_GAP2D, GEN_GMP2D, GEN_CONV1D, GEN_MAXPOOL1D, GEN_AVGPOOL1D,
    GEN_GAP1D, GEN_GMP1D, GEN_ZPAD1D, GEN_RESHAPE, GEN_RELU, GEN_LEAKY_RELU, GEN_ELU,
    GEN_NORMALIZATION,
    GEN_KIND_COUNT
} gen_kind_id;

typedef struct gen_kind {
    gen_kind_id id;
    const char *name;     /* the key in a spec's layer list */
    const char *keras;    /* Keras class name, for summaries */
    const char *stem;     /* templates/STEM.m4 and its seqc_STEM_* macros */
    unsigned opts;        /* options a spec may give (enum gen_opt) */
    unsigned required;    /* options a spec must give */
    int in_rank;          /* rank its input must have: 3 [h, w, c], 2 [steps, c], 1 [n]; 0 any */
    /* Shape rule: ih/iw/ic and in_rank are set; fill oh/ow/oc, out_rank,
     * padding and parameter sizes.  Returns 0, or reports at l->mark and
     * returns -1. */
    int (*shape)(const gen_model *m, gen_layer *l);
} gen_kind;

extern const gen_kind gen_kinds[];
extern const int gen_n_kinds;
const gen_kind *gen_find_kind(const char *name);

#endif
