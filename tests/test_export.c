/* test_export.c - the exported single-sample model (NAME_model.c, V = 1)
 * against the trainer's own code (NAME.c, V = 16, rt_evaluate): the same
 * prediction and the same probability bits for every test image.
 * Build: -DRT_MODEL_HEADER='"NAME.h"' -DEXPORT_HEADER='"NAME_model.h"'
 *        -DEXPORT_PREDICT=NAME_predict_u8; run: test_export DATA_DIR */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rt.h"
#include EXPORT_HEADER

static const char *data_dir, *weights;

static void test_bit_identical(void **state)
{
    (void)state;
    char err[512];
    rt_dataset te;
    float *params = malloc(sizeof(float) * MODEL_N_PARAMS);
    assert_int_equal(rt_weights_load(weights, params, err, sizeof err), 0);
    if (rt_data_layout(data_dir, err, sizeof err) == RT_LAYOUT_NPY)   /* float32 or uint8 */
        assert_int_equal(rt_load_npy_dir(data_dir, 1, MODEL_N_CLASSES, &te, err, sizeof err), 0);
    else
        assert_int_equal(rt_load_mnist_dir(data_dir, 1, MODEL_N_CLASSES, &te, err, sizeof err), 0);
    float *outs = malloc(sizeof(float) * (size_t)te.n * MODEL_N_OUTPUTS);
    int *pred = malloc(sizeof(int) * (size_t)te.n);
    rt_metrics m;
    assert_int_equal(rt_evaluate(params, &te, 2, &m, outs), 0);
    for (int i = 0; i < te.n; i++)
        pred[i] = rt_class_of(outs + (size_t)i * MODEL_N_OUTPUTS);
    free(outs);
    /* the trainer's probabilities, 32 images at a time as eval does */
    float *act = malloc(sizeof(float) * (size_t)MODEL_ARENA_FLOATS(32));
    float probs[32 * MODEL_N_OUTPUTS], mine[MODEL_N_OUTPUTS];
    long differ = 0, mispred = 0;
    for (int at = 0; at < te.n; at += 32) {
        int n = te.n - at < 32 ? te.n - at : 32;
        for (long i = 0; i < (long)n * MODEL_N_INPUT; i++)
            act[i] = te.xf ? te.xf[(long)at * MODEL_N_INPUT + i] : (float)te.pix[(long)at * MODEL_N_INPUT + i] / 255.0f;
        model_forward(params, act, n, 0, 0);
        model_outputs(act, n, probs);
        for (int s = 0; s < n; s++) {
            /* float samples through NAME_predict, pixels through NAME_predict_u8 */
            int k = te.xf ? EXPORT_PREDICT_F(te.xf + (long)(at + s) * MODEL_N_INPUT, mine)
                          : EXPORT_PREDICT(te.pix + (long)(at + s) * MODEL_N_INPUT, mine);
            mispred += k != pred[at + s];
            differ += memcmp(mine, probs + s * MODEL_N_OUTPUTS, sizeof mine) != 0;
        }
    }
    printf("%d images: %ld predictions and %ld probability vectors differ (accuracy %.4f)\n",
           te.n, mispred, differ, m.metric);
    assert_int_equal(mispred, 0);
    assert_int_equal(differ, 0);
    free(act), free(pred), free(params);
    rt_dataset_free(&te);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA_DIR WEIGHTS\n", argv[0]);
        return 2;
    }
    data_dir = argv[1], weights = argv[2];
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bit_identical)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
