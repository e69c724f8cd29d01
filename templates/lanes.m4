m4_divert(-1)
m4_dnl lanes.m4 - the V-lane block type the layer templates compute with.
m4_dnl With GCC or Clang it is a vector-extension type, so a block is a
m4_dnl register and every lane op one instruction; elsewhere (and for V = 1)
m4_dnl a plain struct with loops, the same arithmetic in the same order.
m4_dnl Multiply-adds are fused: the struct path calls fmaf, which rounds once
m4_dnl on every machine; the vector path is fused by the compiler when built
m4_dnl with FMA and -ffp-contract=fast, as the trainer is.  So an exported
m4_dnl model (V = 1) gives the trainer's bits.
m4_define(«seqc_lanes_defs», «m4_dnl
/* A block of seqc_V lanes, one per sample. */
#if defined(__GNUC__) && seqc_V > 1 && !defined(SEQC_PORTABLE)
typedef float lanes __attribute__((vector_size(sizeof(float) * seqc_V)));
typedef float lanes_u __attribute__((vector_size(sizeof(float) * seqc_V), aligned(sizeof(float))));
#define L_LOAD(p) (*(const lanes_u *)(p))
#define L_STORE(p, v) (*(lanes_u *)(p) = (v))
#define L_SET1(x) (((lanes){0}) + (float)(x))
#define L_MADD(acc, v, x) ((acc) += (v) * (x))
#define L_VMADD(acc, v, w) ((acc) += (v) * (w))
#define L_LANE(v, s) ((v)[s])
#define L_ADDTO(p, v) L_STORE((p), L_LOAD(p) + (v))
/* Keep a loaded block in a register: otherwise the compiler folds the load
 * into every multiply-add that uses it, and load bandwidth becomes the limit.
 * Only where a block fits one register (AVX-512, 16 lanes or fewer). */
#if defined(__AVX512F__) && seqc_V <= 16
#define L_PIN(v) __asm__("" : "+v"(v))
#else
#define L_PIN(v) ((void)0)
#endif
#else
typedef struct { float s[seqc_V]; } lanes;
static inline lanes l_load(const float *p) { lanes r; memcpy(r.s, p, sizeof r.s); return r; }
static inline lanes l_set1(float x) { lanes r; for (int s = 0; s < seqc_V; s++) r.s[s] = x; return r; }
#define L_LOAD(p) l_load(p)
#define L_STORE(p, v) memcpy((p), (v).s, sizeof (v).s)
#define L_SET1(x) l_set1(x)
#define L_MADD(acc, v, x) do { for (int s_ = 0; s_ < seqc_V; s_++) (acc).s[s_] = fmaf((v).s[s_], (x), (acc).s[s_]); } while (0)
#define L_VMADD(acc, v, w) do { for (int s_ = 0; s_ < seqc_V; s_++) (acc).s[s_] = fmaf((v).s[s_], (w).s[s_], (acc).s[s_]); } while (0)
#define L_LANE(v, s) ((v).s[s])
#define L_ADDTO(p, v) do { for (int s_ = 0; s_ < seqc_V; s_++) (p)[s_] += (v).s[s_]; } while (0)
#define L_PIN(v) ((void)0)
#endif
»)

m4_dnl seqc_softmax(LOGITS, PROBS): PROBS = softmax(LOGITS) over the classes,
m4_dnl one code for the trainer and the exported model (same bits).
m4_define(«seqc_softmax», «{
        float top = $1[0], sum = 0.0f;
        for (int k = 1; k < seqc_n_out; k++)
            top = $1[k] > top ? $1[k] : top;
        for (int k = 0; k < seqc_n_out; k++)
            sum += $2[k] = expf($1[k] - top);
        for (int k = 0; k < seqc_n_out; k++)
            $2[k] /= sum;
    }»)
m4_dnl seqc_sigmoid(Z): the one sigmoid of outputs, loss metrics and export.
m4_define(«seqc_sigmoid», «(1.0f / (1.0f + expf(-($1))))»)

m4_dnl seqc_output_act(Z, OUT): OUT = the model's outputs from the last
m4_dnl layer's values Z (arrays of seqc_n_out): the softmax or sigmoid the
m4_dnl loss applies (NAME_OUT_ACT), or a copy.
m4_define(«seqc_output_act», «m4_ifelse(seqc_out_act, 1, «seqc_softmax(«$1», «$2»)»,
seqc_out_act, 2, «for (int k = 0; k < seqc_n_out; k++)
        $2[k] = seqc_sigmoid($1[k]);»,
«for (int k = 0; k < seqc_n_out; k++)
        $2[k] = $1[k];»)»)

m4_dnl seqc_decide(OUT): the class that predict() returns from the outputs:
m4_dnl argmax of a softmax, 1 when a single sigmoid is above 0.5, else 0.
m4_define(«seqc_decide», «m4_ifelse(seqc_task, 0, «{
        for (int k = 1; k < seqc_n_out; k++)
            best = $1[k] > $1[best] ? k : best;
    }», seqc_task, 1, «best = $1[0] > 0.5f;», «»)»)
m4_divert(0)m4_dnl
