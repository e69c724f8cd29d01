/* adam.c - Adam in the form Keras applies it:
 *   t += 1; alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2
 *   w -= alpha * m / (sqrt(v) + epsilon)
 * epsilon sits outside the bias correction (unlike PyTorch's Adam). */
#include <math.h>
#include <stdlib.h>

#include "rt.h"

int rt_adam_init(rt_adam *a, long n, double lr, double beta_1, double beta_2, double epsilon)
{
    a->lr = lr, a->beta_1 = beta_1, a->beta_2 = beta_2, a->epsilon = epsilon;
    a->t = 0, a->n = n;
    a->m = calloc((size_t)n, sizeof *a->m);
    a->v = calloc((size_t)n, sizeof *a->v);
    if (!a->m || !a->v) {
        rt_adam_free(a);
        return -1;
    }
    return 0;
}

void rt_adam_step(rt_adam *a, float *w, const float *g)
{
    a->t++;
    const float alpha = (float)(a->lr * sqrt(1.0 - pow(a->beta_2, (double)a->t)) /
                                (1.0 - pow(a->beta_1, (double)a->t)));
    const float b1 = (float)a->beta_1, b2 = (float)a->beta_2, eps = (float)a->epsilon;
    float *restrict m = a->m, *restrict v = a->v;
    /* elementwise, so any split across threads gives the same bits */
    #pragma omp parallel for schedule(static)
    for (long i = 0; i < a->n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        w[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}

void rt_adam_free(rt_adam *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}
