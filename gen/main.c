/* seqc - compile a Keras-style Sequential model spec (YAML) to m4 data that
 * templates/ turn into fixed-shape C.  The passes, in order:
 *   gen_parse -> gen_check -> gen_lower -> gen_emit */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"

static const char usage[] =
"usage: seqc [options] SPEC.yaml\n"
"\n"
"Compile a Keras-style Sequential model spec into m4 definitions (data only)\n"
"that `m4 -P templates/lib.m4 DEFS templates/model.c.m4` turns into C.\n"
"Usually run by `make model SPEC=specs/NAME.yaml`.\n"
"\n"
"options:\n"
"  -o FILE      write the definitions to FILE (default: out/NAME.defs.m4)\n"
"  --build      the whole pipeline: definitions, out/NAME.c and .h, and the\n"
"               trainer out/NAME, with the templates and runtime installed\n"
"               beside seqc (or $SEQC_DATADIR); -o DIR picks the directory\n"
"  --summary    print the layer table and memory report; write nothing\n"
"  --check      validate the spec only; write nothing\n"
"  -h, --help   this text\n"
"\n"
"exit status: 0 ok, 1 error in the spec (reported as FILE:LINE:COL: error: ...),\n"
"2 usage error.\n"
"\n"
"spec format (Keras names and defaults):\n"
"  name: seed                    # optional; default: the file name; [A-Za-z][A-Za-z0-9_]*\n"
"  layers:                       # a list; each item is '- KIND: {OPTIONS}'\n"
"    - input: {shape: [28, 28, 1]}      # first, exactly once; or shape: [784]\n"
"    - zero_padding2d: {padding: 2}     # p | [ph, pw] | [[top, bottom], [left, right]]; default 1\n"
"    - conv2d: {filters: 36, kernel_size: 5, strides: 1, padding: valid,\n"
"               activation: relu, use_bias: true}\n"
"    - max_pooling2d: {pool_size: 2, strides: 2, padding: valid}\n"
"    - average_pooling2d: {pool_size: 2, padding: same}   # 'same' excludes padding from the mean\n"
"    - flatten:\n"
"    - dense: {units: 128, activation: relu, use_bias: true}\n"
"    - dropout: {rate: 0.3}\n"
"    - activation: relu                 # linear | relu | sigmoid | tanh | softmax\n"
"  loss: sparse_categorical_crossentropy          # the only loss; needs a softmax last\n"
"  optimizer: {adam: {learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1.0e-7}}\n"
"  train: {batch_size: 32, epochs: 1, seed: 0}    # defaults; the trainer's flags override\n"
"  data: {dir: out/data/mnist}                    # default --data of the trainer\n"
"\n"
"  Every layer takes 'name: IDENT' (default KIND_N, e.g. conv2d_1).  kernel_size,\n"
"  strides and pool_size take an integer or [height, width].  Conv2D and Dense\n"
"  default to activation linear; pooling strides default to pool_size.\n"
"  softmax may only be the last layer's activation.\n";

static void defaults(gen_model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    m->batch_size = 32;     /* Keras Model.fit */
    m->epochs = 1;
    m->lr = 0.001;          /* Keras Adam */
    m->beta_1 = 0.9;
    m->beta_2 = 0.999;
    m->epsilon = 1e-7;
}

int main(int argc, char **argv)
{
    const char *spec = NULL, *out = NULL;
    int summary = 0, check_only = 0, build = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--summary")) {
            summary = 1;
        } else if (!strcmp(argv[i], "--check")) {
            check_only = 1;
        } else if (!strcmp(argv[i], "--build")) {
            build = 1;
        } else if (argv[i][0] == '-' || spec) {
            fprintf(stderr, "seqc: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        } else {
            spec = argv[i];
        }
    }
    if (!spec) {
        fprintf(stderr, "seqc: no spec given\n%s", usage);
        return 2;
    }
    gen_model m;
    defaults(&m, spec);
    int rc = gen_parse(spec, &m) || gen_check(&m) || gen_lower(&m);
    if (!rc && summary)
        gen_summary(&m, stdout);
    if (!rc && build)
        rc = gen_build(&m, spec, out ? out : "out");
    else if (!rc && !summary && !check_only) {
        char path[GEN_NAME_MAX + 32];
        if (!out) {
            snprintf(path, sizeof path, "out/%s.defs.m4", m.name);
            out = path;
        }
        rc = gen_emit(&m, out);
    }
    gen_model_free(&m);
    return rc ? 1 : 0;
}
