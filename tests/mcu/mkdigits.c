/* mkdigits.c - host tool of make mcu: N digits of a test set (any
 * directory rt_load_mnist_dir reads) as C source, a const array that the
 * Cortex-M images keep in flash, and their labels.  Evenly spaced over the
 * set (sample i * n / N), since a test set may be sorted by class.
 *   mkdigits DATA_DIR N OUT_DIR   writes OUT_DIR/digits.c and digits.h */
#include <stdio.h>
#include <stdlib.h>

#include "data.h"

int main(int argc, char **argv)
{
    char err[512], path[4096];
    rt_dataset te;
    if (argc != 4) {
        fprintf(stderr, "usage: mkdigits DATA_DIR N OUT_DIR\n");
        return 2;
    }
    int n = atoi(argv[2]);
    if (rt_load_mnist_dir(argv[1], 1, 256, &te, err, sizeof err)) {
        fprintf(stderr, "mkdigits: %s\n", err);
        return 1;
    }
    if (!te.pix || n < 1 || n > te.n) {
        fprintf(stderr, "mkdigits: %s has %d test samples of 8-bit pixels; asked for %d\n",
                argv[1], te.pix ? te.n : 0, n);
        return 1;
    }
    snprintf(path, sizeof path, "%s/digits.h", argv[3]);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "/* digits.h - written by tests/mcu/mkdigits from %s */\n"
               "#define MCU_N_DIGITS %d\n#define MCU_DIGIT_SIZE %ld\n"
               "extern const unsigned char mcu_digits[MCU_N_DIGITS][MCU_DIGIT_SIZE];\n"
               "extern const unsigned char mcu_labels[MCU_N_DIGITS];\n",
            argv[1], n, te.size);
    if (fclose(f))
        return 1;
    snprintf(path, sizeof path, "%s/digits.c", argv[3]);
    if (!(f = fopen(path, "w"))) {
        perror(path);
        return 1;
    }
    fprintf(f, "/* digits.c - %d test samples of %s, evenly spaced, written by tests/mcu/mkdigits */\n"
               "#include \"digits.h\"\n\nconst unsigned char mcu_digits[MCU_N_DIGITS][MCU_DIGIT_SIZE] = {\n",
            n, argv[1]);
    for (int i = 0; i < n; i++) {
        long s = (long)i * te.n / n;
        fprintf(f, "{ /* test sample %ld */\n", s);
        for (long k = 0; k < te.size; k++)
            fprintf(f, "%d,%s", te.pix[s * te.size + k], k % 28 == 27 || k == te.size - 1 ? "\n" : "");
        fputs("},\n", f);
    }
    fputs("};\n\nconst unsigned char mcu_labels[MCU_N_DIGITS] = {", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d,", i % 25 ? "" : "\n", te.y ? te.y[(long)i * te.n / n] : 0);
    fputs("\n};\n", f);
    rt_dataset_free(&te);
    return fclose(f) != 0;
}
