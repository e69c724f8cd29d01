/* Classify a 28x28 binary PGM (P5) with an exported model: the whole
 * program a user needs.  Build: cc -O2 classify.c seed_model.c -lm */
#include <stdio.h>

#include "seed_model.h"

int main(int argc, char **argv)
{
    unsigned char pixels[SEED_MODEL_N_INPUT];
    float probs[SEED_MODEL_N_OUTPUTS];
    int w, h, maxval;
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    if (!f) {
        fprintf(stderr, "usage: %s DIGIT.pgm   (28x28, white on black)\n", argv[0]);
        return 2;
    }
    if (fscanf(f, "P5 %d %d %d", &w, &h, &maxval) != 3 || w * h != SEED_MODEL_N_INPUT ||
        maxval != 255 || fgetc(f) == EOF || fread(pixels, 1, sizeof pixels, f) != sizeof pixels) {
        fprintf(stderr, "%s: not a 28x28 8-bit binary PGM\n", argv[1]);
        return 1;
    }
    fclose(f);
    int digit = seed_predict_u8(pixels, probs);
    printf("%d (probability %.4f)\n", digit, probs[digit]);
    return 0;
}
