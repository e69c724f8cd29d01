/* harness.c - runs an exported model (float or int8: the same entry
 * points) on the test digits of digits.c and prints one predicted label
 * per digit, then a "done" line with how many equal the test labels.  The same file is built for the
 * Cortex-M boards (output through semihosting) and natively for x86;
 * make mcu compares the two outputs.  mcu_mark() runs before the first
 * digit and after each one, with nothing else in between:
 * tests/mcu/icount.c counts the instructions between its calls.
 *
 * With -DMCU_PROBS (the int8 export; MCU_N_OUT outputs) it also prints
 * each digit's outputs, "prob I P0 P1 ...": tests/mcu/run compares them
 * with x86's to a relative 1e-3.  The int8 logits are integers times one
 * scale, so a kernel that changed one logit by one step moves that
 * digit's probabilities by several percent; the softmax's expf (newlib,
 * glibc) differs in the last bits only.
 *
 *   -DMODEL_HEADER='"seed_model.h"' -DPREDICT_U8=seed_predict_u8 */
#include <stdio.h>

#include MODEL_HEADER
#include "digits.h"

/* Not inlined: its address is the counting plugin's marker. */
__attribute__((noinline)) void mcu_mark(void)
{
    __asm__ volatile("" ::: "memory");
}

int main(void)
{
    static unsigned char label[MCU_N_DIGITS];
#ifdef MCU_PROBS
    static float probs[MCU_N_DIGITS][MCU_N_OUT];
#define MCU_OUTS(i) probs[i]
#else
#define MCU_OUTS(i) 0
#endif
    mcu_mark();
    for (int i = 0; i < MCU_N_DIGITS; i++) {
        label[i] = (unsigned char)PREDICT_U8(mcu_digits[i], MCU_OUTS(i));
        mcu_mark();
    }
    int right = 0;
    for (int i = 0; i < MCU_N_DIGITS; i++) {
        printf("%d %d\n", i, label[i]);
        right += label[i] == mcu_labels[i];
    }
#ifdef MCU_PROBS
    for (int i = 0; i < MCU_N_DIGITS; i++) {
        printf("prob %d", i);
        for (int k = 0; k < MCU_N_OUT; k++)
            printf(" %.6e", (double)probs[i][k]);
        printf("\n");
    }
#endif
    printf("done: %d digits, %d labelled right\n", MCU_N_DIGITS, right);
    return 0;
}
