/* test_shapes.c - shape inference and TensorFlow padding for each layer
 * kind, including stride-2 'same' on odd sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../gen/layers.h"

static gen_model m;

/* Compile "layers:" + body, the last layer a softmax dense. */
static int lower(const char *layers)
{
    const char *path = "out/test/shape.yaml";
    FILE *f = fopen(path, "w");
    fprintf(f, "layers:\n%s  - flatten:\n  - dense: {units: 2, activation: softmax}\n", layers);
    fclose(f);
    gen_model_free(&m);
    memset(&m, 0, sizeof m);
    m.path = path;
    return gen_parse(path, &m) || gen_check(&m) || gen_lower(&m) ? -1 : 0;
}

static void expect(int layer, int oh, int ow, int oc, int pt, int pb, int pl, int pr)
{
    const gen_layer *l = &m.layers[layer];
    int got[7] = {l->oh, l->ow, l->oc, l->pt, l->pb, l->pl, l->pr};
    int want[7] = {oh, ow, oc, pt, pb, pl, pr};
    for (int i = 0; i < 7; i++)
        if (got[i] != want[i])
            printf("%s: oh ow oc pt pb pl pr = %d %d %d %d %d %d %d\n", l->name,
                   got[0], got[1], got[2], got[3], got[4], got[5], got[6]);
    assert_memory_equal(got, want, sizeof got);
}

static void test_conv_same_stride2_odd(void **s)
{
    (void)s;
    /* TF: out = ceil(7/2) = 4; pad_total = (4-1)*2 + 3 - 7 = 2 -> 1/1 */
    assert_int_equal(lower("  - input: {shape: [7, 8, 3]}\n"
                           "  - conv2d: {filters: 5, kernel_size: 3, strides: 2, padding: same}\n"), 0);
    /* width 8: out 4, pad_total = 3*2 + 3 - 8 = 1 -> 0 left, 1 right */
    expect(1, 4, 4, 5, 1, 1, 0, 1);
    assert_int_equal(m.layers[1].w_size, 3 * 3 * 3 * 5);
    assert_int_equal(m.layers[1].b_size, 5);
}

static void test_conv_same_even_kernel(void **s)
{
    (void)s;
    /* kernel 4, stride 1, size 5: pad_total 3 -> 1 top, 2 bottom */
    assert_int_equal(lower("  - input: {shape: [5, 5, 1]}\n"
                           "  - conv2d: {filters: 2, kernel_size: 4, padding: same, use_bias: false}\n"), 0);
    expect(1, 5, 5, 2, 1, 2, 1, 2);
    assert_int_equal(m.layers[1].b_size, 0);
}

static void test_conv_valid_strided(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [28, 28, 1]}\n"
                           "  - conv2d: {filters: 8, kernel_size: [5, 3], strides: [2, 3]}\n"), 0);
    expect(1, 12, 9, 8, 0, 0, 0, 0);   /* floor((28-5)/2)+1, floor((28-3)/3)+1 */
}

static void test_pools(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [7, 5, 2]}\n"
                           "  - max_pooling2d: {pool_size: 2, padding: same}\n"
                           "  - average_pooling2d: {pool_size: 3, strides: 1, padding: same}\n"
                           "  - max_pooling2d: {pool_size: [2, 1]}\n"), 0);
    expect(1, 4, 3, 2, 0, 1, 0, 1);    /* 7 -> 4 pads bottom, 5 -> 3 pads right */
    expect(2, 4, 3, 2, 1, 1, 1, 1);
    expect(3, 2, 3, 2, 0, 0, 0, 0);
}

static void test_zero_padding(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [4, 4, 3]}\n"
                           "  - zero_padding2d: {padding: [[1, 2], [0, 3]]}\n"
                           "  - zero_padding2d: {padding: [1, 2]}\n"
                           "  - zero_padding2d:\n"), 0);
    expect(1, 7, 7, 3, 1, 2, 0, 3);
    expect(2, 9, 11, 3, 1, 1, 2, 2);
    expect(3, 11, 13, 3, 1, 1, 1, 1);   /* Keras default padding 1 */
}

static void test_flatten_dense_layout(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [3, 4, 5]}\n"
                           "  - dropout: {rate: 0.5}\n"), 0);
    const gen_layer *flat = &m.layers[2], *dense = &m.layers[3];
    assert_int_equal(flat->oc, 60);
    assert_int_equal(flat->out_off, flat->in_off);        /* a view */
    assert_int_equal(dense->w_size, 60 * 2);
    assert_int_equal(m.n_params, 122);
    assert_true(m.layers[1].keep_scale == (double)2.0f);
    /* raw input, input, dropout out + mask, dense out: 60 + 60 + 60 + 60 + 2 */
    assert_int_equal(m.n_act, 242);
}

/* The gradient arena: three slots of the largest tensor, a layer's input,
 * output and middle gradients in different ones, a view in its input's;
 * batch norm fused with its ReLU reads the ReLU's output gradient, two
 * slots on, and writes its input's: different too. */
static void test_grad_slots(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [6, 6, 4]}\n"
                           "  - conv2d: {filters: 8, kernel_size: 3, padding: same}\n"
                           "  - batch_normalization:\n"
                           "  - activation: relu\n"
                           "  - dropout: {rate: 0.25}\n"
                           "  - separable_conv2d: {filters: 4, kernel_size: 3, depth_multiplier: 3}\n"), 0);
    const long S = 4 * 4 * 8 * 3;  /* the largest tensor: separable's depthwise output */
    assert_int_equal(m.n_dact, 3 * S);
    assert_true(m.n_dact < m.n_act);
    for (int i = 0; i < m.n_layers; i++) {
        const gen_layer *l = &m.layers[i];
        assert_int_equal(l->din_off % S, 0);
        assert_int_equal(l->dout_off % S, 0);
        assert_true(l->din_off < 3 * S && l->dout_off < 3 * S && l->dmid_off < 3 * S);
        if (i > 0)   /* the chain: each input gradient is the previous layer's output's */
            assert_int_equal(l->din_off, m.layers[i - 1].dout_off);
        if (l->alias)
            assert_int_equal(l->dout_off, l->din_off);
        else
            assert_int_not_equal(l->dout_off, l->din_off);
    }
    const gen_layer *bn = &m.layers[2], *relu = &m.layers[3], *sep = &m.layers[5];
    assert_int_not_equal(relu->dout_off, bn->din_off);
    assert_int_not_equal(sep->dmid_off, sep->din_off);
    assert_int_not_equal(sep->dmid_off, sep->dout_off);

    /* too small for slots to pay: each gradient at its activation's offset */
    assert_int_equal(lower("  - input: {shape: [3]}\n"), 0);
    assert_int_equal(m.n_dact, m.n_act);
    for (int i = 0; i < m.n_layers; i++) {
        assert_int_equal(m.layers[i].din_off, m.layers[i].in_off);
        assert_int_equal(m.layers[i].dout_off, m.layers[i].out_off);
    }
}

/* A batch norm fused with a plain ReLU whose next layer reads the ReLU's
 * output only for itself (a convolution, dense) keeps that output in one
 * scratch region (end of the activations) in training, and backward
 * recomputes it into the gradient arena's (after the slots); a dropout
 * after the ReLU, or another activation, keeps it where it is. */
static void test_relu_scratch(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [6, 6, 4]}\n"
                           "  - conv2d: {filters: 8, kernel_size: 3, padding: same}\n"
                           "  - batch_normalization:\n"
                           "  - activation: relu\n"
                           "  - depthwise_conv2d: {kernel_size: 3, padding: same}\n"
                           "  - batch_normalization:\n"
                           "  - activation: relu\n"
                           "  - dropout: {rate: 0.5}\n"
                           "  - batch_normalization:\n"
                           "  - leaky_relu:\n"
                           "  - conv2d: {filters: 3, kernel_size: 1}\n"), 0);
    const long S = 6 * 6 * 8;
    assert_int_equal(m.layers[2].relu_scr, 1);
    assert_int_equal(m.layers[4].in_scr, 1);
    assert_int_equal(m.layers[5].relu_scr, 0);   /* dropout after its ReLU */
    assert_int_equal(m.layers[8].relu_scr, 0);   /* not a plain ReLU */
    assert_int_equal(m.layers[10].in_scr, 0);
    assert_int_equal(m.scr_off, m.n_act - S);
    assert_int_equal(m.dscr_off, 3 * S);
    assert_int_equal(m.n_dact, 4 * S);
    assert_true(m.n_dact < m.n_act);

    assert_int_equal(lower("  - input: {shape: [6, 6, 4]}\n"
                           "  - batch_normalization: {trainable: false}\n"
                           "  - activation: relu\n"
                           "  - conv2d: {filters: 2, kernel_size: 3}\n"), 0);
    assert_int_equal(m.layers[1].relu_scr, 0);   /* frozen: no training statistics */
    assert_int_equal(m.scr_off, -1);
    assert_int_equal(m.dscr_off, -1);
}

static void test_need_din(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [6, 6, 1]}\n"
                           "  - zero_padding2d: {padding: 1}\n"
                           "  - conv2d: {filters: 2, kernel_size: 3}\n"
                           "  - max_pooling2d: {pool_size: 2}\n"), 0);
    assert_int_equal(m.layers[1].need_din, 0);   /* nothing before it learns */
    assert_int_equal(m.layers[2].need_din, 0);
    assert_int_equal(m.layers[3].need_din, 1);
}

static void test_conv1d_causal_dilated(void **s)
{
    (void)s;
    /* [steps, channels] is [1][steps][c]; causal pads (k - 1) * d before */
    assert_int_equal(lower("  - input: {shape: [20, 3]}\n"
                           "  - conv1d: {filters: 4, kernel_size: 3, padding: causal, dilation_rate: 2}\n"
                           "  - conv1d: {filters: 5, kernel_size: 4, strides: 2, padding: same}\n"
                           "  - conv1d: {filters: 2, kernel_size: 3, dilation_rate: 3}\n"
                           "  - max_pooling1d: {padding: same}\n"
                           "  - zero_padding1d: {padding: [1, 2]}\n"), 0);
    expect(1, 1, 20, 4, 0, 0, 4, 0);
    assert_int_equal(m.layers[1].out_rank, 2);
    assert_int_equal(m.layers[1].w_size, 3 * 3 * 4);
    expect(2, 1, 10, 5, 0, 0, 1, 1);   /* out 10, pad_total = 9*2 + 4 - 20 = 2 */
    expect(3, 1, 4, 2, 0, 0, 0, 0);    /* valid, span (3-1)*3+1 = 7: 10 - 7 + 1 */
    expect(4, 1, 2, 2, 0, 0, 0, 0);
    expect(5, 1, 5, 2, 0, 0, 1, 2);
}

static void test_conv2d_dilated_same(void **s)
{
    (void)s;
    /* span (3-1)*2+1 = 5: 'same' pads 2/2 */
    assert_int_equal(lower("  - input: {shape: [9, 9, 1]}\n"
                           "  - conv2d: {filters: 2, kernel_size: 3, dilation_rate: [2, 1], padding: same}\n"), 0);
    expect(1, 9, 9, 2, 2, 2, 1, 1);
}

static void test_depthwise_separable(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [8, 8, 3]}\n"
                           "  - depthwise_conv2d: {kernel_size: 3, strides: 2, padding: same, depth_multiplier: 2}\n"
                           "  - separable_conv2d: {filters: 5, kernel_size: 3, depth_multiplier: 3}\n"), 0);
    expect(1, 4, 4, 6, 0, 1, 0, 1);
    assert_int_equal(m.layers[1].w_size, 3 * 3 * 3 * 2);
    assert_int_equal(m.layers[1].b_size, 6);
    expect(2, 2, 2, 5, 0, 0, 0, 0);
    /* Keras order: depthwise [3][3][6][3], pointwise [1][1][18][5], bias */
    assert_int_equal(m.layers[2].w_size, 3 * 3 * 6 * 3);
    assert_int_equal(m.layers[2].p_size, 18 * 5);
    assert_int_equal(m.layers[2].p_off, m.layers[2].w_off + 162);
    assert_int_equal(m.layers[2].b_off, m.layers[2].p_off + 90);
}

static void test_batchnorm_params(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [4, 4, 3]}\n"
                           "  - batch_normalization:\n"
                           "  - batch_normalization: {center: false}\n"
                           "  - global_average_pooling2d:\n"
                           "  - reshape: {target_shape: [-1, 1]}\n"), 0);
    /* gamma, beta, moving_mean, moving_variance; then gamma and the moving pair */
    assert_int_equal(m.n_params, 4 * 3 + 3 * 3 + 3 * 2 + 2);
    assert_int_equal(m.n_trainable, 2 * 3 + 3 + 3 * 2 + 2);
    assert_int_equal(m.n_bn, 2);
    assert_int_equal(m.n_stats, 2 * 4 * 3);
    assert_int_equal(m.layers[2].stat_off, 12);
    assert_int_equal(m.tensors[3].trainable, 0);          /* moving_variance */
    assert_int_equal(m.tensors[3].init, GEN_INIT_ONES);
    expect(3, 1, 1, 3, 0, 0, 0, 0);
    assert_int_equal(m.layers[3].out_rank, 1);
    expect(4, 1, 3, 1, 0, 0, 0, 0);                       /* [3, 1] */
    assert_int_equal(m.layers[4].out_rank, 2);
    assert_int_equal(m.layers[4].out_off, m.layers[4].in_off);   /* a view */
}

static void test_preactivation_region(void **s)
{
    (void)s;
    /* gelu's gradient needs x: the dense layer keeps it; relu does not */
    assert_int_equal(lower("  - input: {shape: [6]}\n"
                           "  - dense: {units: 4, activation: gelu}\n"
                           "  - dense: {units: 4, activation: relu}\n"
                           "  - activation: silu\n"), 0);
    assert_int_equal(m.layers[1].zx, 1);
    assert_int_equal(m.layers[2].zx, 0);
    assert_int_equal(m.layers[3].zx, 0);     /* an activation layer reads its input */
}

/* Normalization (Keras 3): adapted layers hold mean, variance (init 1) and
 * a scalar count, none trainable (Keras counts 2C + 1 non-trainable); with
 * the spec's mean and variance it has no weights (constants, n_consts)
 * and, after weights, passes the input gradient on. */
static void test_normalization(void **s)
{
    (void)s;
    assert_int_equal(lower("  - input: {shape: [6, 3]}\n"
                           "  - normalization:\n"
                           "  - average_pooling1d: {pool_size: 2}\n"
                           "  - normalization: {axis: 2, invert: true}\n"
                           "  - normalization: {axis: null}\n"
                           "  - conv1d: {filters: 4, kernel_size: 2}\n"
                           "  - normalization: {mean: [0.5, 1, 2, 3], variance: [2, 1, 0, 4]}\n"), 0);
    expect(1, 1, 6, 3, 0, 0, 0, 0);
    assert_int_equal(m.layers[1].p_size, 7);
    assert_int_equal(m.layers[3].invert, 1);
    assert_int_equal(m.layers[4].p_size, 3);
    assert_int_equal(m.layers[6].p_size + m.layers[6].w_size + m.layers[6].b_size, 0);
    assert_int_equal(m.layers[6].need_din, 1);
    assert_int_equal(m.layers[5].need_din, 0);        /* normalization's weights are not trained */
    assert_int_equal(m.n_params, 28 + 18 + 7 + 7 + 3);
    assert_int_equal(m.n_trainable, 28 + 18);
    assert_int_equal(m.n_consts, 8);
    const char *names[9] = {"normalization_1/mean", "normalization_1/variance", "normalization_1/count",
                            "normalization_2/mean", "normalization_2/variance", "normalization_2/count",
                            "normalization_3/mean", "normalization_3/variance", "normalization_3/count"};
    for (int t = 0; t < 9; t++) {
        assert_string_equal(m.tensors[t].name, names[t]);
        assert_int_equal(m.tensors[t].trainable, 0);
        assert_int_equal(m.tensors[t].init, t % 3 == 1 ? GEN_INIT_ONES : GEN_INIT_ZEROS);
        assert_int_equal(m.tensors[t].rank, t % 3 == 2 || t >= 6 ? 0 : 1);
        assert_int_equal(m.tensors[t].size, t % 3 == 2 ? 1 : t >= 6 ? 1 : 3);
    }
    assert_int_equal(m.tensors[1].off, m.tensors[0].off + 3);
    assert_int_equal(m.tensors[2].off, m.tensors[0].off + 6);
    assert_string_equal(m.tensors[9].name, "conv1d_1/kernel");
}

int main(void)
{
    gen_quiet = 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_same_stride2_odd),
        cmocka_unit_test(test_conv_same_even_kernel),
        cmocka_unit_test(test_conv_valid_strided),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_zero_padding),
        cmocka_unit_test(test_flatten_dense_layout),
        cmocka_unit_test(test_need_din),
        cmocka_unit_test(test_conv1d_causal_dilated),
        cmocka_unit_test(test_conv2d_dilated_same),
        cmocka_unit_test(test_depthwise_separable),
        cmocka_unit_test(test_batchnorm_params),
        cmocka_unit_test(test_preactivation_region),
        cmocka_unit_test(test_normalization),
        cmocka_unit_test(test_grad_slots),
        cmocka_unit_test(test_relu_scratch),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gen_model_free(&m);
    return rc;
}
