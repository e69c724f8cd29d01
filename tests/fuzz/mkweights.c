/* mkweights.c - writes a valid SEQCWTS1 weights file for the model it is
 * built against (the fuzz build uses tests/specs/grad/grad_conv.yaml), with
 * deterministic small parameter values, through the runtime's own writer.
 * Used once by mkcorpus.py to make corpus/fuzz_weights/ seeds:
 *   mkweights OUT.weights */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "rt.h"

int main(int argc, char **argv)
{
    char err[512];
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.weights\n", argv[0]);
        return 2;
    }
    float *w = malloc((size_t)MODEL_N_PARAMS * sizeof *w);
    if (!w)
        return 1;
    for (long i = 0; i < MODEL_N_PARAMS; i++)
        w[i] = (float)((i % 17) - 8) / 16.0f;
    int rc = rt_weights_save(argv[1], w, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    free(w);
    return rc ? 1 : 0;
}
