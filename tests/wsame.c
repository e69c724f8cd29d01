/* wsame.c - which tensors two SEQCWTS1 weights files hold bit-identical.
 * Prints one line per tensor, "same INDEX" or "differs INDEX", and exits
 * 0, or 1 when the files' tensor lists do not match (count, ranks, dims).
 * tests/run uses it to check that frozen layers keep their weights.
 * Usage: wsame A.weights B.weights */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *p = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0 && (*len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc((size_t)*len)) && fread(p, 1, (size_t)*len, f) != (size_t)*len)
        free(p), p = NULL;
    if (f)
        fclose(f);
    return p;
}

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
    long la = 0, lb = 0;
    unsigned char *a = argc == 3 ? slurp(argv[1], &la) : NULL, *b = argc == 3 ? slurp(argv[2], &lb) : NULL;
    if (!a || !b || la < 16 || lb < 16 || memcmp(a, "SEQCWTS1", 8) || memcmp(b, "SEQCWTS1", 8) ||
        u32(a + 8) != u32(b + 8))
        return fprintf(stderr, "usage: wsame A.weights B.weights (two SEQCWTS1 files of one model)\n"), 1;
    long at = 12;
    for (uint32_t t = 0; t < u32(a + 8); t++) {
        if (at + 4 > la || at + 4 > lb || u32(a + at) != u32(b + at) || u32(a + at) > 8)
            return fprintf(stderr, "tensor %u: ranks differ or file truncated\n", t), 1;
        const uint32_t rank = u32(a + at);
        long size = 4;
        for (uint32_t d = 0; d < rank; d++) {
            if (at + 8 + 4 * (long)d > la || u32(a + at + 4 + 4 * d) != u32(b + at + 4 + 4 * d))
                return fprintf(stderr, "tensor %u: dims differ\n", t), 1;
            size *= u32(a + at + 4 + 4 * d);
        }
        at += 4 + 4 * (long)rank;
        if (at + size > la || at + size > lb)
            return fprintf(stderr, "tensor %u: file truncated\n", t), 1;
        printf("%s %u\n", memcmp(a + at, b + at, (size_t)size) ? "differs" : "same", t);
        at += size;
    }
    free(a), free(b);
    return 0;
}
