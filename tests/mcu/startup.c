/* startup.c - reset and vector table for the Cortex-M boards of make mcu
 * (QEMU's MPS2 AN386 M4F, AN500 M7, AN505 M33): no vendor code, no
 * newlib crt0.  The linker script (one per board) places .vectors first
 * in flash and defines the symbols below.
 *
 * Reset: enable the FPU, copy .data from flash, clear .bss, open the
 * semihosting handles, then exit(main()).  Every fault ends the run with
 * a failing semihosting exit, so a crash fails make instead of hanging. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

int main(void);
extern void initialise_monitor_handles(void);   /* newlib's rdimon */

/* newlib's exit() runs __libc_fini_array, which wants these. */
void _init(void) {}
void _fini(void) {}

/* SYS_EXIT (0x18) with a reason other than ApplicationExit (0x20026):
 * QEMU exits with status 1.  Used where the C library may be unusable. */
static void __attribute__((noreturn)) sh_fail(void)
{
    register uint32_t op __asm__("r0") = 0x18;
    register uint32_t reason __asm__("r1") = 0x20023;   /* ADP_Stopped_RunTimeErrorUnknown */
    for (;;)
        __asm__ volatile("bkpt 0xab" : : "r"(op), "r"(reason) : "memory");
}

static void fault_handler(void)
{
    sh_fail();
}

static void __attribute__((noreturn, used)) reset_c(void)
{
    const uint32_t *src = __data_load;
    for (uint32_t *dst = __data_start; dst < __data_end; )
        *dst++ = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end; )
        *dst++ = 0;
    initialise_monitor_handles();
    exit(main());
}

/* Naked, so that no compiled code (which may use the FPU registers) runs
 * before CPACR grants CP10/CP11 full access. */
void __attribute__((naked, noreturn)) reset_handler(void)
{
    __asm__ volatile(
        "ldr r0, =0xE000ED88\n"      /* CPACR */
        "ldr r1, [r0]\n"
        "orr r1, r1, #(0xF << 20)\n" /* CP10, CP11: full access */
        "str r1, [r0]\n"
        "dsb\n"
        "isb\n"
        "b reset_c\n");
}

/* The first 16 entries of the architecture (external interrupts are never
 * enabled here): initial SP, reset, then the exceptions.  A union, so that
 * the stack pointer (an object address) needs no cast to a function
 * pointer (strict C99). */
typedef union {
    void (*fn)(void);
    const void *sp;
} vector;

__attribute__((section(".vectors"), used))
static const vector vectors[16] = {
    { .sp = __stack_top },
    { .fn = reset_handler },
    { .fn = fault_handler },   /* NMI */
    { .fn = fault_handler },   /* HardFault */
    { .fn = fault_handler },   /* MemManage */
    { .fn = fault_handler },   /* BusFault */
    { .fn = fault_handler },   /* UsageFault */
    { .fn = fault_handler },   /* SecureFault (v8-M) */
    { 0 }, { 0 }, { 0 },
    { .fn = fault_handler },   /* SVCall */
    { .fn = fault_handler },   /* DebugMonitor */
    { 0 },
    { .fn = fault_handler },   /* PendSV */
    { .fn = fault_handler },   /* SysTick */
};
