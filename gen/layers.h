/* layers.h - the one table of layer kinds.
 *
 * Adding a layer kind = one row in layers.c (name, options, shape rule,
 * template stem) + templates/STEM.m4 defining seqc_STEM_forward,
 * seqc_STEM_backward, seqc_STEM_fcall and seqc_STEM_bcall + tests. */
#ifndef GEN_LAYERS_H
#define GEN_LAYERS_H

#include "ir.h"

enum gen_opt {
    GEN_OPT_NAME = 1 << 0, GEN_OPT_UNITS = 1 << 1, GEN_OPT_FILTERS = 1 << 2,
    GEN_OPT_KERNEL = 1 << 3, GEN_OPT_STRIDES = 1 << 4, GEN_OPT_POOL = 1 << 5,
    GEN_OPT_PADDING = 1 << 6, GEN_OPT_ACT = 1 << 7, GEN_OPT_BIAS = 1 << 8,
    GEN_OPT_RATE = 1 << 9, GEN_OPT_SHAPE = 1 << 10
};

typedef enum gen_kind_id {
    GEN_INPUT, GEN_ZPAD, GEN_CONV2D, GEN_MAXPOOL, GEN_AVGPOOL, GEN_FLATTEN,
    GEN_DENSE, GEN_DROPOUT, GEN_ACTIVATION
} gen_kind_id;

typedef struct gen_kind {
    gen_kind_id id;
    const char *name;     /* the key in a spec's layer list */
    const char *keras;    /* Keras class name, for summaries */
    const char *stem;     /* templates/STEM.m4 and its seqc_STEM_* macros */
    unsigned opts;        /* options a spec may give (enum gen_opt) */
    unsigned required;    /* options a spec must give */
    int image_in;         /* needs an [H, W, C] input */
    int flat_in;          /* needs a flat [N] input */
    /* Shape rule: ih/iw/ic are set; fill oh/ow/oc, padding and parameter
     * sizes.  Returns 0, or reports at l->mark and returns -1. */
    int (*shape)(const gen_model *m, gen_layer *l);
} gen_kind;

extern const gen_kind gen_kinds[];
extern const int gen_n_kinds;
const gen_kind *gen_find_kind(const char *name);

#endif
