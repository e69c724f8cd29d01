/* seqc - compile a Keras-style Sequential model spec (YAML) to m4 data that
 * templates/ turn into fixed-shape C.  The passes, in order:
 *   gen_parse -> gen_check -> gen_lower -> gen_emit */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "layers.h"

static const char usage[] =
"usage: seqc [options] SPEC.yaml\n"
"       seqc --import MODEL.json|MODEL.keras [-o SPEC.yaml]\n"
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
"  --import MODEL.json|MODEL.keras\n"
"               read a Keras Sequential model saved by TensorFlow.js (Layers\n"
"               format: model.json and the weight shards its weightsManifest\n"
"               names) or by Keras 3 (a .keras zip: config.json and\n"
"               model.weights.h5) and write SPEC.yaml (default out/NAME.yaml, NAME the\n"
"               model's name) and SPEC.weights (SEQCWTS1); the layers of the\n"
"               table below with Keras class names, channels_last, float32.\n"
"               Initializers and constraints are ignored (the weights come\n"
"               from the file); L1/L2 regularizers are carried, others and\n"
"               activity regularizers refused.  The loss and optimizer come\n"
"               from training_config (compile_config in a .keras file) if\n"
"               present, else the loss follows the last activation and the\n"
"               optimizer is adam.  Errors:\n"
"               MODEL: error: layer 'NAME' (CLASS): ..., exit 1\n"
"\n"
"exit status: 0 ok, 1 error in the spec (reported as FILE:LINE:COL: error: ...),\n"
"2 usage error.\n"
"\n"
"spec format (Keras 3 names and defaults; templates/SEMANTICS.md has the formulas):\n"
"  name: seed                    # optional; default: the file name; [A-Za-z][A-Za-z0-9_]*\n"
"  layers:                       # a list; each item is '- KIND: {OPTIONS}'\n"
"    - input: {shape: [28, 28, 1]}      # first, exactly once: [h, w, c], [steps, c] or [n]\n"
"  2-D (input [h, w, c]):\n"
"    - conv2d: {filters: 36, kernel_size: 5, strides: 1, padding: valid,\n"
"               dilation_rate: 1, activation: relu, use_bias: true}\n"
"    - depthwise_conv2d: {kernel_size: 3, strides: 1, padding: same,\n"
"               depth_multiplier: 1, activation: linear, use_bias: true}\n"
"    - separable_conv2d: {filters: 64, kernel_size: 3, depth_multiplier: 1, ...}\n"
"    - max_pooling2d: {pool_size: 2, strides: 2, padding: valid}\n"
"    - average_pooling2d: {pool_size: 2, padding: same}   # 'same' excludes padding from the mean\n"
"    - global_average_pooling2d:        # also global_max_pooling2d; -> [c]\n"
"    - zero_padding2d: {padding: 2}     # p | [ph, pw] | [[top, bottom], [left, right]]; default 1\n"
"  1-D (input [steps, c]):\n"
"    - conv1d: {filters: 16, kernel_size: 5, strides: 1, padding: causal,  # valid | same | causal\n"
"               dilation_rate: 2, activation: relu}\n"
"    - max_pooling1d: {pool_size: 2}    # also average_pooling1d, global_*_pooling1d\n"
"    - zero_padding1d: {padding: [2, 1]}\n"
"  any rank:\n"
"    - batch_normalization: {momentum: 0.99, epsilon: 0.001, center: true, scale: true}\n"
"    - flatten:\n"
"    - reshape: {target_shape: [-1, 4]} # one -1 allowed\n"
"    - dropout: {rate: 0.3}\n"
"    - activation: relu                 # any activation below\n"
"    - relu: {max_value: 6.0, negative_slope: 0.0, threshold: 0.0}\n"
"    - leaky_relu: {negative_slope: 0.3}   # Keras 2: alpha\n"
"    - elu: {alpha: 1.0}\n"
"  flat (input [n]):\n"
"    - dense: {units: 128, activation: relu, use_bias: true}\n"
"  preprocessing:\n"
"    - normalization: {axis: -1}        # mean, variance adapted to the training data; or\n"
"                                       # {mean: [...], variance: [...], invert: false}\n"
"  activations: linear relu sigmoid tanh softmax relu6 leaky_relu elu selu gelu\n"
"    gelu_tanh silu swish softplus softsign hard_sigmoid hard_silu hard_swish exponential\n"
"  regularizers (conv2d, conv1d, dense: kernel_regularizer, bias_regularizer;\n"
"    depthwise_conv2d: depthwise_regularizer; separable_conv2d: also pointwise_regularizer):\n"
"    {l1: 1.0e-5, l2: 1.0e-4} or l1 / l2 (0.01); added to the loss once per batch\n"
"  loss: NAME or {NAME: {OPTIONS}}                # default sparse_categorical_crossentropy\n"
"    sparse_categorical_crossentropy: {from_logits: false}   # softmax last; labels: class index\n"
"    categorical_crossentropy: {from_logits: false, label_smoothing: 0.0}  # one-hot / soft\n"
"    binary_crossentropy: {from_logits: false, label_smoothing: 0.0}  # sigmoid last: 1 unit\n"
"                                 # (binary) or one per label (multi-label)\n"
"    mean_squared_error (mse), mean_absolute_error (mae), huber: {delta: 1.0}  # regression\n"
"    from_logits: true wants a linear last layer; other pairings are errors\n"
"  optimizer: NAME or {NAME: {OPTIONS}}           # default adam; Keras 3 defaults:\n"
"    sgd: {learning_rate: 0.01, momentum: 0.0, nesterov: false}\n"
"    rmsprop: {learning_rate: 0.001, rho: 0.9, momentum: 0.0, epsilon: 1.0e-7, centered: false}\n"
"    adam: {learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1.0e-7, amsgrad: false}\n"
"    adamw: {learning_rate: 0.001, weight_decay: 0.004, beta_1, beta_2, epsilon, amsgrad}\n"
"    adagrad: {learning_rate: 0.001, initial_accumulator_value: 0.1, epsilon: 1.0e-7}\n"
"    nadam: {learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1.0e-7}\n"
"    every one also takes weight_decay (none; w -= w * weight_decay * lr before\n"
"    each update) and one of clipnorm (per tensor), clipvalue, global_clipnorm\n"
"    learning_rate: a number, or a schedule of the optimizer's iteration count:\n"
"      {exponential_decay: {initial_learning_rate, decay_steps, decay_rate, staircase: false}}\n"
"      {piecewise_constant_decay: {boundaries: [1000, 2000], values: [0.01, 0.005, 0.001]}}\n"
"      {cosine_decay: {initial_learning_rate, decay_steps, alpha: 0.0,\n"
"                      warmup_target: none, warmup_steps: 0}}\n"
"  train: {batch_size: 32, epochs: 1, seed: 0}    # defaults; the trainer's flags override\n"
"  train: also Keras's fit() options (README \"Training options\"):\n"
"    targets: inputs              # an autoencoder (default: labels)\n"
"    validation_split: 0.1        # the last fraction of the training data validates\n"
"    class_weight: {0: 1.0, 1: 5.0}\n"
"    callbacks:                   # Keras 3 defaults; monitor loss | accuracy | mae, or val_ those\n"
"      early_stopping: {monitor: val_loss, min_delta: 0, patience: 0, mode: auto,\n"
"                       baseline: none, restore_best_weights: false, start_from_epoch: 0}\n"
"      reduce_lr_on_plateau: {monitor: val_loss, factor: 0.1, patience: 10, mode: auto,\n"
"                             min_delta: 1.0e-4, cooldown: 0, min_lr: 0}\n"
"      model_checkpoint: {filepath: FILE, monitor: val_loss, mode: auto,\n"
"                         save_best_only: false, initial_value_threshold: none}\n"
"  data: {dir: out/data/mnist}                    # default --data of the trainer\n"
"\n"
"  Every layer takes 'name: IDENT' (default KIND_N, e.g. conv2d_1) and\n"
"  'trainable: false' (weights fixed; batch norm in inference mode).  kernel_size,\n"
"  strides, pool_size and dilation_rate take an integer or [height, width]\n"
"  (1-D kinds: one integer).  Convolutions and Dense default to activation\n"
"  linear; pooling strides default to pool_size; strides > 1 and\n"
"  dilation_rate > 1 do not mix.  softmax may only be the last layer's\n"
"  activation.  Batch normalization trains on whole-batch statistics.\n";

static void defaults(gen_model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    m->batch_size = 32;     /* Keras Model.fit */
    m->epochs = 1;          /* the optimizer's defaults (Keras Adam) are spec.c's */
}

int main(int argc, char **argv)
{
    const char *spec = NULL, *out = NULL, *import = NULL;
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
        } else if (!strcmp(argv[i], "--import") && i + 1 < argc) {
            import = argv[++i];
        } else if (!strcmp(argv[i], "--build")) {
            build = 1;
        } else if (argv[i][0] == '-' || spec) {
            fprintf(stderr, "seqc: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        } else {
            spec = argv[i];
        }
    }
    if (import) {
        if (spec || summary || check_only || build) {
            fprintf(stderr, "seqc: --import takes only -o\n%s", usage);
            return 2;
        }
        return gen_import(import, out ? out : "");
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
