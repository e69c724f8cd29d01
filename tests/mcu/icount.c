/* icount.c - a QEMU TCG plugin (API version 1, as QEMU 7.2 has it) that
 * counts executed guest instructions and reports the count whenever the
 * instruction at a marker address executes (make mcu passes the address
 * of harness.c's mcu_mark from arm-none-eabi-nm):
 *
 *   qemu-system-arm ... -plugin ./icount.so,marker=0x1234 -d plugin -D LOG
 *
 * LOG gets one line per marker execution, "mark K icount C delta D", D
 * being the instructions executed since the previous mark, and a summary
 * at exit.  Debian's QEMU loads plugins but ships no qemu-plugin.h, so the
 * few declarations needed are written out below from the API's public
 * documentation (include/qemu/qemu-plugin.h, docs/devel/tcg-plugins.rst).
 *
 * Counting: every translated block adds its instruction count to a 64-bit
 * counter inline when it starts executing; the marker's callback reads the
 * counter.  Both marks of an interval are read the same way (after the
 * marker's whole block has been added), so a difference is exact when the
 * guest runs straight through, as the harness does (no interrupts). */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the plugin API, version 1 (only what this plugin uses) ---------- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;   /* only passed through */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv);
/* ---------------------------------------------------------------------- */

static uint64_t icount;           /* instructions executed so far (one vCPU) */
static uint64_t marker;           /* the marker's address, Thumb bit cleared */
static uint64_t last, marks;      /* count at the previous mark; marks seen */
static uint64_t sum, lo = UINT64_MAX, hi;   /* over the intervals */

static void on_mark(unsigned int vcpu, void *udata)
{
    char line[128];
    (void)vcpu; (void)udata;
    if (marks) {
        uint64_t d = icount - last;
        sum += d;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        snprintf(line, sizeof line, "mark %" PRIu64 " icount %" PRIu64 " delta %" PRIu64 "\n",
                 marks, icount, d);
    } else
        snprintf(line, sizeof line, "mark 0 icount %" PRIu64 "\n", icount);
    qemu_plugin_outs(line);
    last = icount;
    marks++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &icount, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (qemu_plugin_insn_vaddr(insn) == marker)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
}

static void at_end(qemu_plugin_id_t id, void *udata)
{
    char line[256];
    (void)id; (void)udata;
    if (marks > 1)
        snprintf(line, sizeof line, "icount total %" PRIu64 " intervals %" PRIu64 " mean %" PRIu64
                 " min %" PRIu64 " max %" PRIu64 "\n", icount, marks - 1, sum / (marks - 1), lo, hi);
    else
        snprintf(line, sizeof line, "icount total %" PRIu64 " intervals 0\n", icount);
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "marker=", 7))
            marker = strtoull(argv[i] + 7, NULL, 0) & ~(uint64_t)1;
    if (!marker) {
        fprintf(stderr, "icount: needs marker=ADDRESS\n");
        return 1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, at_end, NULL);
    return 0;
}
