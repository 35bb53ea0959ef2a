/*
 * KVM test guest, diff mode (kvm_host --diff): the guest side of the KVM
 * differential test. The host decides every access (it walks the spec's
 * registers and, for each, reads it, writes the value back and writes each
 * single-bit flip of it); the guest performs them with the #GP-safe
 * accessors and reports which completed and which raised #GP: one
 * KT_OP_DIFF_STEP message for the read, one for the write-back and the 64
 * flips (kvm_abi.h). A flip that KVM took is undone at once.
 */
#include <x86msr/msrs.h>

#include "guest.h"

void guest_main(struct kt_shared *shared);
void *memset(void *dst, int c, size_t n); /* guest_rt.c */

static void step(struct kt_msg *m)
{
    m->op = KT_OP_DIFF_STEP;
    __asm__ __volatile__("outl %0, %w1" : : "a"((uint32_t)(uintptr_t)m), "Nd"(KT_PORT) : "memory");
}

/* The flips of `base` from bit `first` on; each one KVM takes is undone at once. */
static void flips(struct kt_msg *m, uint32_t msr, uint64_t base, unsigned first)
{
    uint64_t taken = 0;
    unsigned bit;

    m->expected = 0;
    for (bit = first; bit < 64; bit++) {
        if (msr_wrmsr_safe(msr, base ^ (UINT64_C(1) << bit)) != MSR_OK)
            continue;
        taken |= UINT64_C(1) << bit;
        if (msr_wrmsr_safe(msr, base) != MSR_OK) {
            m->expected = 1; /* the host restores it and goes on from the next bit */
            bit++;
            break;
        }
    }
    m->got = taken;
    m->mask = bit;
}

void guest_main(struct kt_shared *shared)
{
    struct kt_msg *m;

    guest_init(shared);
    m = &guest_shared->msg;
    memset(m, 0, sizeof *m);
    step(m); /* the first access */
    while (m->reserved != KT_DIFF_DONE) {
        uint32_t msr = m->msr;
        uint64_t value = 0, base = m->expected;
        unsigned first = (unsigned)m->mask;

        switch (m->reserved) {
        case KT_DIFF_READ:
            m->ok = msr_rdmsr_safe(msr, &value) == MSR_OK;
            m->got = value;
            break;
        case KT_DIFF_WRITEBACK_FLIPS:
            m->ok = msr_wrmsr_safe(msr, base) == MSR_OK;
            flips(m, msr, base, 0);
            break;
        default:
            flips(m, msr, base, first);
            break;
        }
        step(m);
    }
    if (guest_gp.unexpected != 0)
        kt_fatal("%u #GPs outside the exception table (last at rip 0x%llx, ECX 0x%llx)", guest_gp.unexpected,
                 (unsigned long long)guest_gp.last_rip, (unsigned long long)guest_gp.last_rcx);
    kt_done();
}
