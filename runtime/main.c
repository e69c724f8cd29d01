/* main.c - the trainer CLI of one generated model: one command per file
 * (cmd_train.c, cmd_eval.c, cmd_predict.c, cmd_export.c), as git's
 * builtin/.  Exit statuses: 0 ok, 1 input error (data, weights, numerics),
 * 2 usage. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model.h"
#include "rt.h"

static const char usage_main[] =
"usage: %s COMMAND [options]      (model \"" MODEL_NAME "\", %d parameters)\n"
"commands:\n"
"  train    train the model and evaluate it\n"
"  eval     evaluate a weights file on test data\n"
"  export   write the trained model as a standalone C file\n"
"  predict  classify PNG/PGM images or a Kaggle test.csv\n"
"Run '%s COMMAND --help' for a command's options.\n"
"Exit status: 0 ok, 1 input error, 2 usage error.\n";


int main(int argc, char **argv)
{
    rt_prog = argv[0];
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf(usage_main, rt_prog, MODEL_N_PARAMS, rt_prog);
        return argc < 2 ? RT_EUSAGE : RT_OK;
    }
    if (!strcmp(argv[1], "train"))
        return rt_cmd_train(argc, argv);
    if (!strcmp(argv[1], "eval"))
        return rt_cmd_eval(argc, argv);
    if (!strcmp(argv[1], "export"))
        return rt_cmd_export(argc, argv);
    if (!strcmp(argv[1], "predict"))
        return rt_cmd_predict(argc, argv);
    return rt_usage_error("unknown command '%s'", argv[1]);
}

