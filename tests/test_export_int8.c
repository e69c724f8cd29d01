/* test_export_int8.c - export --int8's NAME_model.c against the trainer's
 * own int8 pass: `NAME eval --int8 --dump FILE` wrote each test sample's
 * inputs and outputs; NAME_predict must give the same output bits (and
 * the argmax class), and NAME_predict_u8 too when the inputs are pixels
 * (every value k / 255).
 * Build: cc -std=c99 -DEXPORT_HEADER='"NAME_model.h"' -DEXPORT_PREDICT=NAME_predict
 *        -DEXPORT_PREDICT_U8=NAME_predict_u8 -DEXPORT_N_IN=NAME_MODEL_N_INPUT
 *        -DEXPORT_N_OUT=NAME_MODEL_N_OUTPUTS -DEXPORT_N_CLASSES=NAME_MODEL_N_CLASSES
 *        test_export_int8.c NAME_model.c -lm
 * Run:   test_export_int8 DUMP_FILE [N]  (the first N samples, default all;
 *        exit 0: all equal) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include EXPORT_HEADER

enum { N_IN = EXPORT_N_IN, N_OUT = EXPORT_N_OUT, N_CLASSES = EXPORT_N_CLASSES };

/* The class the trainer's report takes: the first largest output (one
 * sigmoid: above 0.5). */
static int class_of(const float *o)
{
    int best = 0;
    if (N_OUT == 1)
        return o[0] > 0.5f;
    for (int k = 1; k < N_OUT; k++)
        best = o[k] > o[best] ? k : best;
    return best;
}

/* The inputs as pixels when each is k / 255, as the trainer scales them. */
static int as_pixels(const float *x, unsigned char *px)
{
    for (int i = 0; i < N_IN; i++) {
        const float k = roundf(x[i] * 255.0f);
        if (k < 0.0f || k > 255.0f || (float)(unsigned char)k / 255.0f != x[i])
            return 0;
        px[i] = (unsigned char)k;
    }
    return 1;
}

int main(int argc, char **argv)
{
    static float x[N_IN];
    static unsigned char px[N_IN];
    float want[N_OUT], got[N_OUT], got8[N_OUT];
    long n = 0, differ = 0, mispred = 0, u8 = 0;
    const long max = argc == 3 ? atol(argv[2]) : -1;
    FILE *f = argc == 2 || argc == 3 ? fopen(argv[1], "rb") : NULL;
    if (!f) {
        fprintf(stderr, "usage: %s DUMP_FILE [N] (from eval --int8 --dump)\n", argv[0]);
        return 2;
    }
    while (n != max && fread(x, sizeof x, 1, f) == 1 && fread(want, sizeof want, 1, f) == 1) {
        const int k = EXPORT_PREDICT(x, got);
        differ += memcmp(got, want, sizeof got) != 0;
        mispred += N_CLASSES > 0 && k != class_of(want);
        if (as_pixels(x, px)) {
            u8++;
            differ += EXPORT_PREDICT_U8(px, got8) != k || memcmp(got8, want, sizeof got8) != 0;
        }
        n++;
    }
    fclose(f);
    printf("%ld samples (%ld also as pixels): %ld output vectors and %ld classes differ from eval --int8\n",
           n, u8, differ, mispred);
    return n > 0 && differ == 0 && mispred == 0 ? 0 : 1;
}
