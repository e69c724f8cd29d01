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
m4_ifelse(seqc_V, 1, «/* The V = 1 forward passes (conv2d.m4, dense.m4) keep blocks of outputs in
 * registers: about 64 accumulators where the compiler makes vectors of them
 * (x86-64 with AVX, AArch64), else about 24 (the 32 single-precision
 * registers of a Cortex-M FPU).  Either gives the same bits. */
#ifndef SEQC_WIDE_BLOCKS
#if defined(__AVX__) || defined(__aarch64__)
#define SEQC_WIDE_BLOCKS 1
#else
#define SEQC_WIDE_BLOCKS 0
#endif
#endif
/* With AVX-512, unpadded convolutions keep their blocks as vectors of 16
 * output channels and multiply-add with the FMA instruction itself (what
 * the compiler made of the scalar blocks mixed 8- and 4-wide vectors and a
 * broadcast per multiply-add).  The same fused operations in the same
 * order: the same bits. */
#ifndef SEQC_VEC_BLOCKS
#if defined(__AVX512F__) && !defined(SEQC_PORTABLE)
#define SEQC_VEC_BLOCKS 1
#else
#define SEQC_VEC_BLOCKS 0
#endif
#endif
#if SEQC_VEC_BLOCKS
#include <immintrin.h>
#endif
»)m4_dnl
/* A block of seqc_V lanes, one per sample. */
#ifdef __GNUC__
#define L_UNUSED __attribute__((unused))   /* helpers only some models call */
#else
#define L_UNUSED
#endif
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
/* D where Y > 0, else +0 (ReLU and its mask) as a bitwise select: the
 * compiler will not if-convert a float compare under -ftrapping-math, so
 * the scalar form stays a branch per lane. */
typedef int lanes_i __attribute__((vector_size(sizeof(int) * seqc_V)));
#define L_KEEP_POS(y, d) ((lanes)((lanes_i)(d) & ((y) > L_SET1(0.0f))))
/* Keep a loaded block in a register: otherwise the compiler folds the load
 * into every multiply-add that uses it, and load bandwidth becomes the limit.
 * Only where a block fits one register (AVX-512, 16 lanes or fewer). */
#if defined(__AVX512F__) && seqc_V <= 16
#define L_PIN(v) __asm__("" : "+v"(v))
#else
#define L_PIN(v) ((void)0)
#endif
#define L_SUB(a, b) ((a) - (b))
#define L_ADD(a, b) ((a) + (b))
#define L_MUL(a, b) ((a) * (b))
/* Masks of the first k lanes (a block's real samples) and sums in double
 * lanes (batch normalization's statistics, batch_norm.m4). */
typedef lanes_i lmask;
/* a statement: declares lmask M (a function returning it would change the ABI without -mavx512f) */
#define L_FIRST(M, k) lmask M; for (int s_ = 0; s_ < seqc_V; s_++) M[s_] = s_ < (k) ? -1 : 0
#define L_MASK(v, m) ((lanes)((lanes_i)(v) & (m)))
typedef double dlanes __attribute__((vector_size(sizeof(double) * seqc_V)));
#if defined(__clang__) || __GNUC__ >= 9
#define L_CVTD(v) __builtin_convertvector((v), dlanes)
#else
#error "seqc's trainer needs GCC 9 or later, or clang (__builtin_convertvector)"
#endif
#define L_DZERO ((dlanes){0})
#define L_DADD(acc, d) ((acc) += (d))
#define L_DSQADD(acc, d) ((acc) += (d) * (d))
#define L_DLANE(v, s) ((v)[s])
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
static inline L_UNUSED lanes l_keep_pos(lanes y, lanes d) { for (int s = 0; s < seqc_V; s++) d.s[s] = y.s[s] > 0.0f ? d.s[s] : 0.0f; return d; }
#define L_KEEP_POS(y, d) l_keep_pos((y), (d))
#define L_PIN(v) ((void)0)
static inline L_UNUSED lanes l_sub(lanes a, lanes b) { for (int s = 0; s < seqc_V; s++) a.s[s] -= b.s[s]; return a; }
static inline L_UNUSED lanes l_mul(lanes a, lanes b) { for (int s = 0; s < seqc_V; s++) a.s[s] *= b.s[s]; return a; }
#define L_SUB(a, b) l_sub((a), (b))
static inline L_UNUSED lanes l_add(lanes a, lanes b) { for (int s = 0; s < seqc_V; s++) a.s[s] += b.s[s]; return a; }
#define L_ADD(a, b) l_add((a), (b))
#define L_MUL(a, b) l_mul((a), (b))
typedef struct { int s[seqc_V]; } lmask;
#define L_FIRST(M, k) lmask M; for (int s_ = 0; s_ < seqc_V; s_++) M.s[s_] = s_ < (k)
static inline L_UNUSED lanes l_mask(lanes v, lmask m) { for (int s = 0; s < seqc_V; s++) v.s[s] = m.s[s] ? v.s[s] : 0.0f; return v; }
#define L_MASK(v, m) l_mask((v), (m))
typedef struct { double s[seqc_V]; } dlanes;
static inline L_UNUSED dlanes l_cvtd(lanes v) { dlanes d; for (int s = 0; s < seqc_V; s++) d.s[s] = v.s[s]; return d; }
#define L_CVTD(v) l_cvtd(v)
#define L_DZERO ((dlanes){{0}})
#define L_DADD(acc, d) do { const dlanes d_ = (d); for (int s_ = 0; s_ < seqc_V; s_++) (acc).s[s_] += d_.s[s_]; } while (0)
#define L_DSQADD(acc, d) do { const dlanes d_ = (d); for (int s_ = 0; s_ < seqc_V; s_++) (acc).s[s_] += d_.s[s_] * d_.s[s_]; } while (0)
#define L_DLANE(v, s) ((v).s[s])
#endif
m4_ifelse(seqc_V, 16, «
/* l_tr16: the 16 x 16 block at src (rows 16 floats apart) transposed into
 * dst (rows ld floats apart): 1x1 convolutions' kernel gradient makes the
 * channels of dout the vector with it (conv2d.m4).  Four stages of
 * two-register shuffles where the compiler has them, else a plain loop. */
#if defined(__GNUC__) && !defined(SEQC_PORTABLE) && (defined(__clang__) || __GNUC__ >= 12)
static inline L_UNUSED void l_tr16(const float *restrict src, float *restrict dst, long ld)
{
    lanes v[16];
    for (int r = 0; r < 16; r++)
        v[r] = L_LOAD(src + r * 16);
    for (int r = 0; r < 16; r++)   /* swap the off-diagonal 8 x 8 blocks */
        if (!(r & 8)) {
            const lanes a_ = v[r], b_ = v[r + 8];
            v[r] = __builtin_shufflevector(a_, b_, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
            v[r + 8] = __builtin_shufflevector(a_, b_, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
        }
    for (int r = 0; r < 16; r++)   /* swap the off-diagonal 4 x 4 blocks */
        if (!(r & 4)) {
            const lanes a_ = v[r], b_ = v[r + 4];
            v[r] = __builtin_shufflevector(a_, b_, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
            v[r + 4] = __builtin_shufflevector(a_, b_, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
        }
    for (int r = 0; r < 16; r++)   /* swap the off-diagonal 2 x 2 blocks */
        if (!(r & 2)) {
            const lanes a_ = v[r], b_ = v[r + 2];
            v[r] = __builtin_shufflevector(a_, b_, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
            v[r + 2] = __builtin_shufflevector(a_, b_, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
        }
    for (int r = 0; r < 16; r++)   /* swap the off-diagonal 1 x 1 blocks */
        if (!(r & 1)) {
            const lanes a_ = v[r], b_ = v[r + 1];
            v[r] = __builtin_shufflevector(a_, b_, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
            v[r + 1] = __builtin_shufflevector(a_, b_, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
        }
    for (int r = 0; r < 16; r++)
        L_STORE(dst + r * ld, v[r]);
}
#else
static inline L_UNUSED void l_tr16(const float *restrict src, float *restrict dst, long ld)
{
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++)
            dst[c * ld + r] = src[r * 16 + c];
}
#endif»)
m4_ifelse(seqc_V, 1, «», «
/* c16: 16 floats, one per channel.  1x1 convolutions make 16 channels the
 * vector where they can (conv2d.m4): for their kernel gradient, and in the
 * narrow builds (V = 2, 4, 8: the trainer's tail build, whose blocks are
 * only 2 to 8 floats wide) for every pass.  l_trv(src, dst, ld): the
 * pixel's [16 channels][V lanes] at src into dst[V][16] (rows ld floats
 * apart); l_untrv(a, dst): c16 a[V] (lane s's 16 channels) into the
 * [16][V] layout at dst.  Moves only: no arithmetic, so no rounding. */m4_ifelse(seqc_V, 16, «
typedef lanes c16;
#define C16_LOAD L_LOAD
#define C16_STORE L_STORE
#define C16_MADD L_MADD
#define C16_ADD L_ADD
#define C16_PIN L_PIN
#define C16_ZERO L_SET1(0.0f)
#define l_trv l_tr16», «
#if defined(__GNUC__) && !defined(SEQC_PORTABLE)
typedef float c16 __attribute__((vector_size(sizeof(float) * 16)));
typedef float c16_u __attribute__((vector_size(sizeof(float) * 16), aligned(sizeof(float))));
#define C16_LOAD(p) (*(const c16_u *)(p))
#define C16_STORE(p, v) (*(c16_u *)(p) = (v))
#define C16_MADD(acc, v, x) ((acc) += (v) * (x))
#define C16_ADD(a, b) ((a) + (b))
#define C16_AT(v, k) ((v)[k])
#define C16_ZERO ((c16){0})
#if defined(__AVX512F__)
#define C16_PIN(v) __asm__("" : "+v"(v))
#else
#define C16_PIN(v) ((void)0)
#endif
#else
typedef struct { float s[16]; } c16;
static inline L_UNUSED c16 c16_load(const float *p) { c16 r; memcpy(r.s, p, sizeof r.s); return r; }
#define C16_LOAD(p) c16_load(p)
#define C16_STORE(p, v) memcpy((p), (v).s, sizeof (v).s)
#define C16_MADD(acc, v, x) do { for (int k_ = 0; k_ < 16; k_++) (acc).s[k_] = fmaf((v).s[k_], (x), (acc).s[k_]); } while (0)
static inline L_UNUSED c16 c16_add(c16 a, c16 b) { for (int k = 0; k < 16; k++) a.s[k] += b.s[k]; return a; }
#define C16_ADD(a, b) c16_add((a), (b))
#define C16_AT(v, k) ((v).s[k])
#define C16_ZERO ((c16){{0}})
#define C16_PIN(v) ((void)0)
#endif
static inline L_UNUSED void l_trv(const float *restrict src, float *restrict dst, long ld)
{
    for (int s = 0; s < seqc_V; s++)
        for (int o = 0; o < 16; o++)
            dst[s * ld + o] = src[o * seqc_V + s];
}
static inline L_UNUSED void l_untrv(const c16 *restrict a, float *restrict dst)
{
    for (int o = 0; o < 16; o++)
        for (int s = 0; s < seqc_V; s++)
            dst[o * seqc_V + s] = C16_AT(a[s], o);
}»)»)
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
