/* cmd_export.c - `NAME export`: the standalone inference file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "model.h"
#include "rt.h"
#include "quant.h"

static const char usage_export[] =
"usage: %s export --weights FILE [-o out/" MODEL_NAME "_model.c [--int8 ...] | --onnx FILE.onnx]\n"
"Write a standalone inference file and its header (.h beside it): the forward\n"
"pass for one sample from the same templates as this trainer, the weights as\n"
"exact hex-float constants, activations in a static buffer; no malloc, no\n"
"stdio.  Its header states the flash and RAM it needs.  Predictions equal\n"
"this trainer's eval, bit for bit, when compiled with the same flags.\n"
"  --int8 [--data DIR] [--calibration N]  instead, the int8-quantized model\n"
"                       (TFLite's int8 scheme, README \"int8 quantization\"):\n"
"                       integer arithmetic in every layer, the same two entry\n"
"                       points, outputs bit-identical to eval --int8 with the\n"
"                       same data and N (default 1000 calibration samples from\n"
"                       the training set of DIR, or all of a smaller one)\n"
"  --onnx FILE.onnx     instead, an ONNX model (opset 13) of the network with\n"
"                       these weights: input \"input\" [N, ...input shape] (NHWC,\n"
"                       as here), output \"output\" (as predict --probs gives)\n";


int rt_cmd_export(int argc, char **argv)
{
    const char *weights = NULL, *out = "out/" MODEL_NAME "_model.c", *onnx = NULL;
    char err[1024];
    if (rt_wants_int8(argc, argv))   /* the int8 file: cmd_quant.c */
        return rt_cmd_export_int8(argc, argv);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return printf(usage_export, rt_prog), RT_OK;
        if (!strcmp(argv[i], "--weights") && i + 1 < argc)
            weights = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--onnx") && i + 1 < argc)
            onnx = argv[++i];
        else
            return rt_usage_error("bad option or value: '%s'", argv[i]);
    }
    if (!weights)
        return rt_usage_error("%s needs --weights FILE", "export");
    if (onnx) {
        if (rt_export_onnx(weights, onnx, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return RT_EINPUT;
        }
        printf("wrote %s: ONNX opset 13, %ld weights\n", onnx, (long)MODEL_N_PARAMS);
        return RT_OK;
    }
    if (rt_export(weights, out, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return RT_EINPUT;
    }
    printf("wrote %s and its header: %ld bytes of weights (flash), %ld bytes of activations (RAM)\n",
           out, 4L * MODEL_N_PARAMS, (long)MODEL_INFER_RAM_BYTES);
    return RT_OK;
}

