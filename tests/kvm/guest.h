/*
 * KVM test guest: runtime shared by the guest's translation units
 * (guest_rt.c implements it).
 */
#ifndef X86MSR_KVM_GUEST_H
#define X86MSR_KVM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm_abi.h"

/* What the exception stubs (guest_entry.S) hand to guest_exception(). */
struct guest_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* #GP bookkeeping of the guest's handler. */
struct guest_gp_log {
    unsigned fixups;       /* #GPs resumed through msr_extable_fixup() */
    unsigned unexpected;   /* #GPs at an address the exception table does not know */
    bool skip_armed;       /* let the next unexpected #GP on rdmsr/wrmsr skip it (once) */
    uint8_t last_opcode;   /* second opcode byte there: 0x32 rdmsr, 0x30 wrmsr */
    uint64_t last_rip;     /* of the last unexpected #GP */
    uint64_t last_rcx;     /* ECX (the MSR) at the last unexpected #GP */
    uint64_t last_error;   /* its error code */
};
extern volatile struct guest_gp_log guest_gp;

extern struct kt_shared *guest_shared;

void guest_init(struct kt_shared *shared);

/* Reports. Every kt_check* / kt_host_msr call is one numbered check. */
void kt_check(bool ok, uint64_t got, uint64_t expected, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool kt_check_eq(uint64_t got, uint64_t expected, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Asks the host to compare its view of `msr` (KVM_GET_MSRS) with `expected`. */
bool kt_host_msr(uint32_t msr, uint64_t expected, uint64_t mask, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The host's view of `msr`; false if the host could not read it. */
bool kt_host_get(uint32_t msr, uint64_t *value);
void kt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kt_done(void) __attribute__((noreturn));
void kt_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
unsigned kt_checks_made(void);

/* Freestanding helpers. */
int kt_vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list ap);
void guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

enum guest_vendor { GUEST_VENDOR_OTHER, GUEST_VENDOR_INTEL, GUEST_VENDOR_AMD };
enum guest_vendor guest_vendor(void);

/* The checks, by translation unit. */
void guest_trace_checks(void); /* guest_trace.c, built with MSR_TRACE */

#endif /* X86MSR_KVM_GUEST_H */
