/* idx_subset.c - copies N items of an IDX file (any magic, any number of
 * dims) to OUT, rewriting the count in the header: the first N, or with
 * STRIDE every STRIDE-th (items 0, STRIDE, 2 STRIDE, ...: the default
 * digits are sorted by class, so a strided subset keeps every class):
 *   idx_subset IN N OUT [STRIDE]
 * Used by `make valgrind` and tests/run to make small MNIST-layout
 * directories. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int main(int argc, char **argv)
{
    unsigned char hdr[4 + 4 * 255];
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s IN N OUT [STRIDE]\n", argv[0]);
        return 2;
    }
    long want = strtol(argv[2], NULL, 10), stride = argc == 5 ? strtol(argv[4], NULL, 10) : 1;
    FILE *in = fopen(argv[1], "rb");
    if (!in || fread(hdr, 1, 4, in) != 4 || hdr[0] || hdr[1] || hdr[2] != 8 || !hdr[3]) {
        fprintf(stderr, "%s: not an unsigned-byte IDX file\n", argv[1]);
        return 1;
    }
    int nd = hdr[3];
    if (fread(hdr + 4, 4, (size_t)nd, in) != (size_t)nd) {
        fprintf(stderr, "%s: truncated header\n", argv[1]);
        return 1;
    }
    uint32_t n = be32(hdr + 4);
    size_t item = 1;
    for (int i = 1; i < nd; i++)
        item *= be32(hdr + 4 + 4 * i);
    if (want < 1 || stride < 1 || (want - 1) * stride >= (long)n) {
        fprintf(stderr, "%s: has %lu items, asked for %ld every %ld\n", argv[1], (unsigned long)n, want,
                stride);
        return 1;
    }
    hdr[4] = (unsigned char)(want >> 24), hdr[5] = (unsigned char)(want >> 16);
    hdr[6] = (unsigned char)(want >> 8), hdr[7] = (unsigned char)want;
    size_t bytes = item * (size_t)want;
    unsigned char *b = malloc(bytes);
    int bad = !b;
    for (long i = 0; !bad && i < want; i++)   /* item i * stride */
        bad = fseek(in, (long)(4 + 4 * nd) + (long)(item * (size_t)(i * stride)), SEEK_SET) != 0 ||
              fread(b + item * (size_t)i, 1, item, in) != item;
    FILE *out = fopen(argv[3], "wb");
    if (bad || !out ||
        fwrite(hdr, 4, (size_t)nd + 1, out) != (size_t)nd + 1 || fwrite(b, 1, bytes, out) != bytes ||
        fclose(out) != 0) {
        fprintf(stderr, "%s -> %s: copy failed\n", argv[1], argv[3]);
        return 1;
    }
    free(b);
    fclose(in);
    return 0;
}
