/* test_spec.c - the front end: good specs pass every pass; every bad spec
 * in tests/specs/bad/ is rejected at the line:col its "# expect:" names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gen/layers.h"

static int compile(const char *path, gen_model *m)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    m->batch_size = 32, m->epochs = 1, m->lr = 0.001;
    m->beta_1 = 0.9, m->beta_2 = 0.999, m->epsilon = 1e-7;
    gen_last_error[0] = 0;
    return gen_parse(path, m) || gen_check(m) || gen_lower(m) ? -1 : 0;
}

/* "# expect: LINE:COL: fragment" on the first line of a bad spec */
static int expectation(const char *path, char *where, char *fragment)
{
    char line[512] = "";
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f))
        line[0] = 0;
    fclose(f);
    line[strcspn(line, "\n")] = 0;
    if (strncmp(line, "# expect: ", 10))
        return -1;
    const char *p = line + 10, *colon = strchr(strchr(p, ':') + 1, ':');
    memcpy(where, p, (size_t)(colon - p));
    where[colon - p] = 0;
    strcpy(fragment, colon + 2);
    return 0;
}

static void test_bad_specs(void **state)
{
    (void)state;
    DIR *d = opendir("tests/specs/bad");
    assert_non_null(d);
    int count = 0, failed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".yaml"))
            continue;
        char path[512], where[64], fragment[400], want[600];
        snprintf(path, sizeof path, "tests/specs/bad/%s", e->d_name);
        if (expectation(path, where, fragment)) {
            printf("no '# expect: LINE:COL: text' line in %s\n", path);
            failed++;
            continue;
        }
        gen_model m;
        int rc = compile(path, &m);
        gen_model_free(&m);
        snprintf(want, sizeof want, "%s:%s: error: ", path, where);
        if (rc == 0 || strncmp(gen_last_error, want, strlen(want)) || !strstr(gen_last_error, fragment)) {
            printf("%s: want '%s...%s'\n  got '%s'\n", path, want, fragment, gen_last_error);
            failed++;
        }
        count++;
    }
    closedir(d);
    printf("%d bad specs checked\n", count);
    assert_true(count >= 40);
    assert_int_equal(failed, 0);
}

static void check_good(const char *path, long params, int classes)
{
    gen_model m;
    int rc = compile(path, &m);
    if (rc)
        printf("%s\n", gen_last_error);
    assert_int_equal(rc, 0);
    assert_int_equal(m.n_params, params);
    assert_int_equal(m.n_classes, classes);
    gen_model_free(&m);
}

static void test_good_specs(void **state)
{
    (void)state;
    check_good("specs/seed.yaml", 157606, 10);      /* Keras model.summary() */
    check_good("specs/mlp.yaml", 235146, 10);
    check_good("specs/smallcnn.yaml", 15338, 10);
}

static void test_defaults(void **state)
{
    (void)state;
    gen_model m;
    assert_int_equal(compile("specs/mlp.yaml", &m), 0);
    assert_string_equal(m.layers[1].name, "dense_1");
    assert_string_equal(m.layers[3].name, "dense_2");
    assert_int_equal(m.batch_size, 64);
    assert_true(m.lr == 0.001 && m.epsilon == 1e-7);   /* Keras Adam defaults */
    assert_int_equal(m.layers[1].use_bias, 1);
    gen_model_free(&m);
    assert_int_equal(compile("specs/seed.yaml", &m), 0);
    assert_string_equal(m.name, "seed");
    assert_int_equal(m.layers[3].sh, 2);               /* pool strides = pool_size */
    assert_string_equal(m.data_dir, "out/data/mnist");
    gen_model_free(&m);
}

/* Compile a one-layer spec with this optimizer text. */
static int with_optimizer(const char *optimizer, gen_model *m)
{
    const char *path = "out/test/optim.yaml";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "layers:\n  - input: {shape: [4]}\n  - dense: {units: 3, activation: softmax}\n"
            "optimizer:%s\n", optimizer);
    fclose(f);
    int rc = compile(path, m);
    if (rc)
        printf("%s\n", gen_last_error);
    return rc;
}

/* Keras 3's defaults per optimizer, the two spec forms, the schedules. */
static void test_optimizers(void **state)
{
    (void)state;
    gen_model m;
    assert_int_equal(with_optimizer(" sgd", &m), 0);
    assert_int_equal(m.opt.kind, GEN_OPTIM_SGD);
    assert_true(m.lr == 0.01 && m.opt.momentum == 0.0 && !m.opt.nesterov && m.opt.weight_decay == 0.0);
    assert_int_equal(gen_optim_slots(&m.opt), 0);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {sgd: {momentum: 0.9, nesterov: true, clipnorm: 1.0}}", &m), 0);
    assert_true(m.lr == 0.01 && m.opt.momentum == 0.9 && m.opt.nesterov && m.opt.clipnorm == 1.0);
    assert_int_equal(gen_optim_slots(&m.opt), 1);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {rmsprop: {centered: true}}", &m), 0);
    assert_true(m.lr == 0.001 && m.opt.rho == 0.9 && m.epsilon == 1e-7 && m.opt.centered);
    assert_int_equal(gen_optim_slots(&m.opt), 2);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" adamw", &m), 0);
    assert_true(m.lr == 0.001 && m.opt.weight_decay == 0.004 && m.beta_1 == 0.9 && m.beta_2 == 0.999);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {adam: {amsgrad: true, global_clipnorm: 5}}", &m), 0);
    assert_true(m.opt.amsgrad && m.opt.global_clipnorm == 5.0 && m.opt.weight_decay == 0.0);
    assert_int_equal(gen_optim_slots(&m.opt), 3);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {adagrad: }", &m), 0);
    assert_true(m.opt.kind == GEN_OPTIM_ADAGRAD && m.opt.init_accum == 0.1 && m.lr == 0.001);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {nadam: {weight_decay: 0.01, clipvalue: 0.5}}", &m), 0);
    assert_true(m.opt.kind == GEN_OPTIM_NADAM && m.opt.weight_decay == 0.01 && m.opt.clipvalue == 0.5);
    gen_model_free(&m);
    assert_int_equal(with_optimizer("\n  sgd:\n    learning_rate:\n      exponential_decay: "
                                    "{initial_learning_rate: 0.1, decay_steps: 1000, decay_rate: 0.96, staircase: true}",
                                    &m), 0);
    assert_true(m.opt.schedule == GEN_LR_EXPONENTIAL && m.lr == 0.1 && m.opt.decay_steps == 1000 &&
                m.opt.decay_rate == 0.96 && m.opt.staircase);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {adam: {learning_rate: {piecewise_constant_decay: "
                                    "{boundaries: [100, 200], values: [0.01, 0.005, 0.001]}}}}", &m), 0);
    assert_true(m.opt.schedule == GEN_LR_PIECEWISE && m.opt.n_boundaries == 2 && m.opt.boundaries[1] == 200 &&
                m.opt.values[2] == 0.001 && m.lr == 0.01);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {adam: {learning_rate: {cosine_decay: {initial_learning_rate: 0.0, "
                                    "decay_steps: 50, warmup_target: 0.01, warmup_steps: 5}}}}", &m), 0);
    assert_true(m.opt.schedule == GEN_LR_COSINE && m.opt.has_warmup_target && m.opt.warmup_target == 0.01 &&
                m.opt.warmup_steps == 5 && m.opt.alpha == 0.0 && m.lr == 0.0);
    gen_model_free(&m);
    assert_int_equal(with_optimizer(" {adam: {learning_rate: {cosine_decay: {initial_learning_rate: 0.1, "
                                    "decay_steps: 50, warmup_target: none}}}}", &m), 0);
    assert_true(m.opt.schedule == GEN_LR_COSINE && !m.opt.has_warmup_target);
    gen_model_free(&m);
    remove("out/test/optim.yaml");
}

/* Compile a 3-class softmax spec with this train: text. */
static int with_train(const char *train, gen_model *m)
{
    const char *path = "out/test/fit.yaml";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "layers:\n  - input: {shape: [4]}\n  - dense: {units: 3, activation: softmax}\n"
            "train:%s\n", train);
    fclose(f);
    int rc = compile(path, m);
    if (rc)
        printf("%s\n", gen_last_error);
    return rc;
}

/* fit() options: what the spec says, and Keras 3's defaults for the rest. */
static void test_fit_options(void **state)
{
    (void)state;
    gen_model m;
    assert_int_equal(with_train(" {batch_size: 8}", &m), 0);
    assert_true(m.fit.validation_split == 0.0 && m.fit.n_class_weights == 0);
    for (int i = 0; i < GEN_CB_COUNT; i++)
        assert_int_equal(m.fit.cb[i].on, 0);
    gen_model_free(&m);
    /* each callback named with no options: Keras's defaults */
    assert_int_equal(with_train("\n  callbacks: {early_stopping: , reduce_lr_on_plateau: ~, "
                                "model_checkpoint: {filepath: out/best.weights}}", &m), 0);
    const gen_callback *es = &m.fit.cb[GEN_CB_EARLY_STOPPING], *rl = &m.fit.cb[GEN_CB_REDUCE_LR],
                       *mc = &m.fit.cb[GEN_CB_CHECKPOINT];
    assert_true(es->on && es->monitor == GEN_MON_VAL_LOSS && es->mode == GEN_MODE_AUTO && es->patience == 0 &&
                es->min_delta == 0.0 && !es->has_baseline && !es->flag && es->start_from_epoch == 0);
    assert_true(rl->on && rl->monitor == GEN_MON_VAL_LOSS && rl->factor == 0.1 && rl->patience == 10 &&
                rl->min_delta == 1e-4 && rl->cooldown == 0 && rl->min_lr == 0.0 && rl->mode == GEN_MODE_AUTO);
    assert_true(mc->on && mc->monitor == GEN_MON_VAL_LOSS && !mc->flag && !mc->has_baseline);
    assert_string_equal(m.fit.filepath, "out/best.weights");
    gen_model_free(&m);
    /* everything given */
    assert_int_equal(with_train("\n  validation_split: 0.2\n  class_weight: {0: 1.0, 2: 5}\n  callbacks:\n"
                                "    early_stopping: {monitor: val_accuracy, min_delta: -0.01, patience: 3, mode: max,\n"
                                "                     baseline: 0.9, restore_best_weights: true, start_from_epoch: 2}\n"
                                "    reduce_lr_on_plateau: {monitor: loss, factor: 0.5, patience: 2, min_delta: 0,\n"
                                "                           cooldown: 1, min_lr: 1.0e-5, mode: min}\n"
                                "    model_checkpoint: {filepath: b.w, monitor: accuracy, save_best_only: true,\n"
                                "                       initial_value_threshold: 0.5}", &m), 0);
    assert_true(m.fit.validation_split == 0.2 && m.fit.n_class_weights == 2);
    assert_true(m.fit.cw_class[1] == 2 && m.fit.cw_weight[1] == 5.0 && m.fit.cw_weight[0] == 1.0);
    assert_true(es->monitor == GEN_MON_VAL_METRIC && es->min_delta == 0.01 && es->patience == 3 &&
                es->mode == GEN_MODE_MAX && es->has_baseline && es->baseline == 0.9 && es->flag &&
                es->start_from_epoch == 2);
    assert_true(rl->monitor == GEN_MON_LOSS && rl->factor == 0.5 && rl->patience == 2 && rl->min_delta == 0.0 &&
                rl->cooldown == 1 && rl->min_lr == 1e-5 && rl->mode == GEN_MODE_MIN);
    assert_true(mc->monitor == GEN_MON_METRIC && mc->flag && mc->has_baseline && mc->baseline == 0.5);
    gen_model_free(&m);
    /* baseline: none is Keras's None */
    assert_int_equal(with_train(" {callbacks: {early_stopping: {baseline: none}}}", &m), 0);
    assert_int_equal(es->has_baseline, 0);
    gen_model_free(&m);
    remove("out/test/fit.yaml");
}

/* A spec larger than any model needs is refused before parsing. */
static void test_huge_file(void **state)
{
    (void)state;
    const char *path = "out/test/huge.yaml";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("layers:\n", f);
    for (int i = 0; i < 50 * 1024 * 1024 / 32; i++)
        fputs("  - dense: {units: 10}         \n", f);
    fclose(f);
    gen_model m;
    assert_int_equal(compile(path, &m), -1);
    gen_model_free(&m);
    assert_non_null(strstr(gen_last_error, "huge.yaml:1:1: error: spec is larger than"));
    remove(path);
}

int main(void)
{
    gen_quiet = 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_specs),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_optimizers),
        cmocka_unit_test(test_fit_options),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_huge_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
