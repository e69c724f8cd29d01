/* check_import.c - an imported TF.js model against TF.js's own predictions.
 *
 *   check_import WEIGHTS INPUTS.csv PROBS.txt TOL
 *
 * Built with one generated model (-DRT_MODEL_HEADER) and the runtime's own
 * weights loader, which checks the imported file's CRC and every tensor's
 * shape.  Runs model_forward (inference) on the CSV's rows and compares
 * model_outputs (the probabilities, as Keras's predict()) with the numbers
 * TF.js wrote; prints the largest absolute difference, exit 1 above TOL. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rt.h"

#define MAXN 64

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: check_import WEIGHTS INPUTS.csv PROBS.txt TOL\n");
        return 2;
    }
    static float params[MODEL_N_PARAMS > 0 ? MODEL_N_PARAMS : 1];
    char err[512];
    if (rt_weights_load(argv[1], params, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    FILE *fi = fopen(argv[2], "r"), *fp = fopen(argv[3], "r");
    if (!fi || !fp) {
        perror("inputs");
        return 1;
    }
    int c;
    while ((c = fgetc(fi)) != '\n' && c != EOF)   /* the header row */
        ;
    float *x = malloc(sizeof(float) * MAXN * MODEL_N_INPUT);
    int n = 0;
    for (; n < MAXN; n++) {
        int i = 0;
        for (; i < MODEL_N_INPUT; i++)
            if (fscanf(fi, " %f ,", &x[(long)n * MODEL_N_INPUT + i]) != 1)
                break;
        if (i == 0)
            break;
        if (i != MODEL_N_INPUT) {
            fprintf(stderr, "%s: row %d has %d values, the model takes %d\n", argv[2], n + 1, i,
                    MODEL_N_INPUT);
            return 1;
        }
    }
    float *act = calloc((size_t)MODEL_ARENA_FLOATS(n), sizeof *act);
    float *out = malloc(sizeof(float) * (size_t)n * MODEL_N_OUTPUTS);
    memcpy(act, x, sizeof(float) * (size_t)n * MODEL_N_INPUT);
    model_forward(params, act, n, 0, 0);
    model_outputs(act, n, out);
    double worst = 0;
    for (long i = 0; i < (long)n * MODEL_N_OUTPUTS; i++) {
        double ref;
        if (fscanf(fp, "%lf", &ref) != 1) {
            fprintf(stderr, "%s: fewer outputs than the model's %d x %d\n", argv[3], n, MODEL_N_OUTPUTS);
            return 1;
        }
        double d = fabs(ref - out[i]);
        if (!(d <= worst))
            worst = d;
    }
    double dummy;
    if (n == 0 || fscanf(fp, "%lf", &dummy) == 1) {
        fprintf(stderr, "%s: not %d x %d outputs\n", argv[3], n, MODEL_N_OUTPUTS);
        return 1;
    }
    double tol = atof(argv[4]);
    printf("%s: %d inputs x %d outputs, max |seqc - tfjs| = %.3g\n", MODEL_NAME, n, MODEL_N_OUTPUTS, worst);
    free(x), free(act), free(out);
    fclose(fi), fclose(fp);
    return worst <= tol ? 0 : 1;
}
