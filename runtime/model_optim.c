/* model_optim.c - the spec's optimizer, from the generated constants
 * (MODEL_OPTIMIZER, MODEL_LR_*, ...) and the model's tensor table, which
 * says what is trainable.  The trainer and tests/test_golden.c share it. */
#include <string.h>

#include "model.h"
#include "rt.h"

int rt_model_optim(rt_optim *o, double lr, double beta_1, double beta_2, double epsilon)
{
    static const double bounds[] = MODEL_LR_BOUNDARIES, values[] = MODEL_LR_VALUES;
    rt_optim_config oc;
    rt_optim_tensor t[MODEL_N_TENSORS];
    memset(&oc, 0, sizeof oc);
    oc.kind = MODEL_OPTIMIZER, oc.schedule = MODEL_LR_SCHEDULE;
    oc.lr = lr, oc.beta_1 = beta_1, oc.beta_2 = beta_2, oc.epsilon = epsilon;
    oc.momentum = MODEL_MOMENTUM, oc.nesterov = MODEL_NESTEROV;
    oc.rho = MODEL_RHO, oc.centered = MODEL_CENTERED, oc.amsgrad = MODEL_AMSGRAD;
    oc.initial_accumulator_value = MODEL_INITIAL_ACCUMULATOR_VALUE;
    oc.weight_decay = MODEL_WEIGHT_DECAY;
    oc.clipnorm = MODEL_CLIPNORM, oc.clipvalue = MODEL_CLIPVALUE, oc.global_clipnorm = MODEL_GLOBAL_CLIPNORM;
    oc.decay_steps = MODEL_LR_DECAY_STEPS, oc.decay_rate = MODEL_LR_DECAY_RATE;
    oc.staircase = MODEL_LR_STAIRCASE, oc.alpha = MODEL_LR_ALPHA;
    oc.has_warmup_target = MODEL_LR_HAS_WARMUP_TARGET, oc.warmup_target = MODEL_LR_WARMUP_TARGET;
    oc.warmup_steps = MODEL_LR_WARMUP_STEPS;
    oc.n_boundaries = MODEL_LR_N_BOUNDARIES;
    for (int i = 0; i < MODEL_LR_N_BOUNDARIES; i++)
        oc.boundaries[i] = bounds[i];
    for (int i = 0; i <= MODEL_LR_N_BOUNDARIES; i++)
        oc.values[i] = values[i];
    for (int i = 0; i < MODEL_N_TENSORS; i++)
        t[i] = (rt_optim_tensor){model_tensors[i].offset, model_tensors[i].size, model_tensors[i].trainable};
    return rt_optim_init(o, &oc, MODEL_N_PARAMS, t, MODEL_N_TENSORS);
}
