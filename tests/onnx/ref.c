/* ref.c - seqc's side of the ONNX export test (tests/onnx/run.js compares).
 * Built against one generated model and the runtime (tests/run):
 *
 *   ref WEIGHTS DATA PREFIX [N]   the first N (default 1000) test samples of
 *       DATA (an IDX or .npy folder; "-": uniform [0, 1) values from a fixed
 *       generator) through forward() and outputs(), as eval and predict
 *       run them: writes PREFIX.in (float32 [n][N_INPUT]) and PREFIX.out
 *       (float32 [n][N_OUTPUTS]); prints "n N_INPUT N_OUTPUTS".
 *   ref --init SEED WEIGHTS       Keras's initial weights, with the biases,
 *       batch norm's statistics and adapted normalizations made non-trivial,
 *       for the specs that the test does not train. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "model.h"
#include "rt.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static float uniform(void)   /* [0, 1) */
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)(rng >> 40) / 16777216.0f;
}

static int write_f32(const char *path, const float *x, size_t n)
{
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(x, sizeof *x, n, f) != n;
    if (f)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "%s: cannot write\n", path);
    return bad;
}

static int init(unsigned long seed, const char *path)
{
    char err[512];
    float *p = malloc(sizeof(float) * MODEL_N_PARAMS);
    if (!p)
        return 1;
    model_init(p, seed);
    rng += seed;
    for (int t = 0; t < MODEL_N_TENSORS; t++) {
        const model_tensor *tt = &model_tensors[t];
        const char *what = strrchr(tt->name, '/');
        what = what ? what + 1 : tt->name;
        float *v = p + tt->offset;
        for (long i = 0; i < tt->size; i++) {
            if (!strcmp(what, "bias") || !strcmp(what, "beta") || !strcmp(what, "moving_mean") ||
                !strcmp(what, "mean"))
                v[i] = 0.2f * (uniform() - 0.5f);
            else if (!strcmp(what, "gamma"))
                v[i] = 0.5f + uniform();
            else if (!strcmp(what, "moving_variance") || !strcmp(what, "variance"))
                v[i] = 0.05f + uniform();
        }
    }
    int rc = rt_weights_save(path, p, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    free(p);
    return rc != 0;
}

int main(int argc, char **argv)
{
    char err[512];
    if (argc == 4 && !strcmp(argv[1], "--init"))
        return init(strtoul(argv[2], NULL, 10), argv[3]);
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s WEIGHTS DATA|- PREFIX [N] | --init SEED WEIGHTS\n", argv[0]);
        return 2;
    }
    int n = argc == 5 ? atoi(argv[4]) : 1000;
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    if (!params || rt_weights_load(argv[1], params, err, sizeof err))
        return fprintf(stderr, "%s\n", err), 1;
    rt_dataset d = {0};
    if (strcmp(argv[2], "-")) {
        int rc = rt_data_layout(argv[2], err, sizeof err) == RT_LAYOUT_NPY
                     ? rt_load_npy_dir(argv[2], 1, MODEL_N_CLASSES, &d, err, sizeof err)
                     : rt_load_mnist_dir(argv[2], 1, MODEL_N_CLASSES, &d, err, sizeof err);
        if (rc)
            return fprintf(stderr, "%s\n", err), 1;
        if (d.size != MODEL_N_INPUT)
            return fprintf(stderr, "%s: %ld values per sample, not %d\n", argv[2], d.size, MODEL_N_INPUT), 1;
        n = n < d.n ? n : d.n;
    }
    enum { B = 64 };
    float *in = malloc(sizeof(float) * (size_t)n * MODEL_N_INPUT);
    float *out = malloc(sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(B));
    if (!in || !out || !act)
        return fprintf(stderr, "out of memory\n"), 1;
    for (long i = 0; i < (long)n * MODEL_N_INPUT; i++)
        in[i] = d.xf ? d.xf[i] : d.pix ? (float)d.pix[i] / 255.0f : uniform();
    for (int at = 0; at < n; at += B) {
        const int m = n - at < B ? n - at : B;
        memcpy(act, in + (size_t)at * MODEL_N_INPUT, sizeof(float) * (size_t)m * MODEL_N_INPUT);
        model_forward(params, act, m, 0, 0);
        model_outputs(act, m, out + (size_t)at * MODEL_N_OUTPUTS);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s.in", argv[3]);
    int bad = write_f32(path, in, (size_t)n * MODEL_N_INPUT);
    snprintf(path, sizeof path, "%s.out", argv[3]);
    bad |= write_f32(path, out, (size_t)n * MODEL_N_OUTPUTS);
    printf("%d %d %d\n", n, MODEL_N_INPUT, MODEL_N_OUTPUTS);
    free(in), free(out), free(act), free(params);
    if (strcmp(argv[2], "-"))
        rt_dataset_free(&d);
    return bad;
}
