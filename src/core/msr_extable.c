/*
 * x86msr: the exception-table lookup behind the #GP-safe accessors.
 *
 * Every msr_rdmsr_safe()/msr_wrmsr_safe() of the inline-asm backend (and so
 * every generated *_read_safe/_write_safe/_modify_safe) records one
 * struct msr_extable_entry in the `msr_extable` section: "the rdmsr/wrmsr
 * at this address may fault; resume at that fixup, which makes the access
 * return MSR_ERR_FAULT". The linker gathers the entries of all translation
 * units into one array between __start_msr_extable and __stop_msr_extable.
 * The consumer's #GP handler calls msr_extable_fixup() with the faulting RIP
 * (README, "#GP-safe access").
 *
 * Freestanding: no libc, no global state, callable from an exception handler
 * on any CPU at any time; the table is read-only.
 */

/* This file serves the inline-asm backend whatever the including program
 * uses elsewhere (core.h declares the table only for that backend). */
#undef MSR_BACKEND_OPS
#include <x86msr/core.h>

/*
 * Defined by the linker: GNU ld and lld define __start_SEC/__stop_SEC for
 * any output section whose name is a C identifier, or the consumer's linker
 * script defines them around KEEP(*(msr_extable)). Weak, so that a program
 * without a single _safe access (no such section) still links: both are then
 * 0 and the table is empty.
 */
extern const struct msr_extable_entry __start_msr_extable[] __attribute__((weak));
extern const struct msr_extable_entry __stop_msr_extable[] __attribute__((weak));

/* Entries are self-relative: each field holds "target - &field". */
static uintptr_t msr_extable_target_(const int32_t *field)
{
    return (uintptr_t)field + (uintptr_t)(intptr_t)*field;
}

bool msr_extable_fixup(uintptr_t rip, uintptr_t *resume)
{
    const struct msr_extable_entry *e = __start_msr_extable;
    const struct msr_extable_entry *end = __stop_msr_extable;

    /* A linear scan: each _safe call site adds 8 bytes, and #GP is rare. */
    for (; e < end; e++) {
        if (msr_extable_target_(&e->insn) == rip) {
            if (resume)
                *resume = msr_extable_target_(&e->fixup);
            return true;
        }
    }
    return false;
}
