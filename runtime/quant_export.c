/* quant_export.c - export --int8: a quantized model's numbers as m4
 * definitions (numbers only, no text from the user), then NAME_model.c/.h
 * from templates/export_int8.c.m4 and export_int8.h.m4. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "quant.h"
#include "rt.h"

#ifndef RT_TEMPLATES
#error "build with -DRT_TEMPLATES='\"/path/to/templates\"' (see the Makefile)"
#endif

/* m4_define(«seqc_qLi_NAME», «v, v, ...») and seqc_qLi_NAME_n. */
static void put8(FILE *f, int i, const char *name, const int8_t *v, long n)
{
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s_n\xc2\xbb, \xc2\xab%ld\xc2\xbb)", i, name, n);
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s\xc2\xbb, \xc2\xab", i, name);
    for (long k = 0; k < n; k++)
        fprintf(f, "%s%d%s", k ? "," : "", v[k], k % 24 == 23 ? "\n" : "");
    fputs("\xc2\xbb)\n", f);
}

static void put32(FILE *f, int i, const char *name, const int32_t *v, long n)
{
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s_n\xc2\xbb, \xc2\xab%ld\xc2\xbb)", i, name, n);
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s\xc2\xbb, \xc2\xab", i, name);
    for (long k = 0; k < n; k++)   /* INT32_MIN has no literal: write it as an expression */
        fprintf(f, "%s%s%ld%s", k ? "," : "", v[k] == INT32_MIN ? "-2147483647-" : "",
                v[k] == INT32_MIN ? 1L : (long)v[k], k % 12 == 11 ? "\n" : "");
    fputs("\xc2\xbb)\n", f);
}

static void putf(FILE *f, int i, const char *name, const float *v, long n)
{
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s_n\xc2\xbb, \xc2\xab%ld\xc2\xbb)", i, name, n);
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s\xc2\xbb, \xc2\xab", i, name);
    for (long k = 0; k < n; k++)   /* exact: hex floats */
        fprintf(f, "%s%af%s", k ? "," : "", (double)v[k], k % 6 == 5 ? "\n" : "");
    fputs("\xc2\xbb)\n", f);
}

static void put_int(FILE *f, int i, const char *name, long v)
{
    fprintf(f, "m4_define(\xc2\xabseqc_qL%d_%s\xc2\xbb, \xc2\xab%ld\xc2\xbb)", i, name, v);
}

int rt_quant_write_m4(const rt_qmodel *qm, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    long n8 = 0, n32 = 0, nf = 0;
    if (!f)
        return snprintf(err, errlen, "%s: error: cannot write: %s", path, strerror(errno)), -1;
    fputs("m4_divert(-1)\n", f);
    for (int i = 0; i < MODEL_N_QLAYERS; i++) {
        const rt_qarrays *A = &qm->a[i];
        const model_qlayer *q = &qm->ql[i];
        put8(f, i, "w", A->w, A->nw), put8(f, i, "w2", A->w2, A->nw2), put8(f, i, "lut", A->lut, A->nlut);
        put32(f, i, "b", A->b, A->b ? A->nc : 0), put32(f, i, "m", A->m, A->nc), put32(f, i, "s", A->s, A->nc);
        put32(f, i, "b2", A->b2, A->nc2), put32(f, i, "m2", A->m2, A->nc2), put32(f, i, "s2", A->s2, A->nc2);
        putf(f, i, "fa", A->fa, A->nfa);
        nf += A->nfa;
        put_int(f, i, "zin", q->zin), put_int(f, i, "zmid", q->zmid), put_int(f, i, "zacc", q->zacc);
        put_int(f, i, "zout", q->zout), put_int(f, i, "lo", q->lo), put_int(f, i, "hi", q->hi);
        fprintf(f, "m4_define(\xc2\xabseqc_qL%d_scale\xc2\xbb, \xc2\xab%af\xc2\xbb)\n", i, (double)q->scale);
        n8 += A->nw + A->nw2 + A->nlut;
        n32 += (A->b ? A->nc : 0) + 2 * A->nc + 3 * A->nc2;
    }
    fprintf(f, "m4_define(\xc2\xabseqc_q_n8\xc2\xbb, \xc2\xab%ld\xc2\xbb)", n8);
    fprintf(f, "m4_define(\xc2\xabseqc_q_n32\xc2\xbb, \xc2\xab%ld\xc2\xbb)", n32 + nf);   /* floats are 4 bytes too */
    fprintf(f, "m4_define(\xc2\xabseqc_q_calibration\xc2\xbb, \xc2\xab%d\xc2\xbb)\n", qm->calibration);
    fputs("m4_divert(0)m4_dnl\n", f);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad)
        return snprintf(err, errlen, "%s: error: cannot write", path), -1;
    return 0;
}

int rt_export_int8(const rt_qmodel *qm, const char *out_c, char *err, size_t errlen)
{
    char data[4200];
    if (strlen(out_c) > 3000)
        return snprintf(err, errlen, "error: the output name is too long"), -1;
    snprintf(data, sizeof data, "%s.int8.m4.tmp", out_c);
    int rc = rt_quant_write_m4(qm, data, err, errlen);
    if (rc == 0)
        rc = rt_export_from(data, RT_TEMPLATES "/export_int8.c.m4", RT_TEMPLATES "/export_int8.h.m4", out_c,
                            err, errlen);
    remove(data);
    return rc;
}
