/* adam.c - the Adam entry points of old, kept for their callers (tests):
 * thin wrappers of rt_optim (optim.c) with Keras's Adam over n parameters,
 * all trainable, no clipping, no weight decay, a constant learning rate:
 *   t += 1; alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2
 *   w -= alpha * m / (sqrt(v) + epsilon)
 * epsilon sits outside the bias correction (unlike PyTorch's Adam). */
#include <string.h>

#include "rt.h"

int rt_adam_init(rt_adam *a, long n, double lr, double beta_1, double beta_2, double epsilon)
{
    rt_optim_config c;
    memset(&c, 0, sizeof c);
    c.kind = RT_ADAM, c.schedule = RT_LR_CONSTANT;
    c.lr = lr, c.beta_1 = beta_1, c.beta_2 = beta_2, c.epsilon = epsilon;
    return rt_optim_init(a, &c, n, NULL, 0);
}

void rt_adam_step(rt_adam *a, float *w, const float *g)
{
    rt_optim_step(a, w, g);
}

void rt_adam_free(rt_adam *a)
{
    rt_optim_free(a);
}
