/*
 * KVM test guest, migrate mode (kvm_host --migrate): the guest side of the
 * snapshot/restore proof of issue 23. The guest programs MSRs a real kernel
 * programs (the SYSCALL and SYSENTER MSRs, PAT, MTRRs, TSC_AUX, SPEC_CTRL,
 * CPUID faulting, KVM's paravirtual MSRs), each only where its CPUID (or an
 * MSR) offers it, with values unlike any reset value; then asks the host to
 * migrate it (KT_OP_MIGRATE). The host saves the vCPU with the save list of
 * x86msr/guest.h, restores it into a new VM in the list's order and resumes
 * it there; the guest reads every register back and compares it under the
 * spec's compare mask, which the host gives it.
 */
#include <x86msr/msrs.h>

#include "guest.h"

void guest_main(struct kt_shared *shared);
void *memset(void *dst, int c, size_t n); /* guest_rt.c */

#define BIT(n) (UINT64_C(1) << (n))
#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

static struct kt_migrate table;
/* Guest memory KVM's paravirtual MSRs point at (KVM writes into it). */
static uint8_t pv_pages[4][64] __attribute__((aligned(4096)));

static uint64_t physical(const void *p)
{
    return (uint64_t)(uintptr_t)p - KT_KERNEL_VMA;
}

static bool cpu_has(uint32_t leaf, uint32_t sub, int reg, unsigned bit)
{
    uint32_t r[4];
    guest_cpuid(leaf & 0xC0000000u, 0, r);
    if (r[0] < leaf)
        return false;
    guest_cpuid(leaf, sub, r);
    return (r[reg] >> bit) & 1;
}

/* KVM's paravirtual features (CPUID 40000001H EAX), 0 without KVM's signature. */
static uint32_t kvm_features(void)
{
    uint32_t r[4];
    guest_cpuid(0x40000000u, 0, r);
    if (r[1] != 0x4b4d564bu || r[2] != 0x564b4d56u || r[3] != 0x4du || r[0] < 0x40000001u)
        return 0;
    guest_cpuid(0x40000001u, 0, r);
    return r[0];
}

/* Writes `value` and records it for the check after the migration; a #GP
 * is a failed check (the guest writes only what its CPUID offers). */
static void program(uint32_t msr, uint64_t value, const char *name)
{
    int st = msr_wrmsr_safe(msr, value);

    if (st != MSR_OK || table.count == KT_MIGRATE_MAX) {
        kt_check(false, (uint64_t)(int64_t)st, 0, "WRMSR %s (0x%x) = 0x%llx before the migration", name, msr,
                 (unsigned long long)value);
        return;
    }
    table.regs[table.count].msr = msr;
    table.regs[table.count].value = value;
    table.count++;
}

/* x2APIC mode, the APIC timer in TSC-deadline mode (masked: the guest runs
 * with interrupts off), and a deadline an hour away, which must survive the
 * migration armed: a deadline restored as 0 (before the timer mode) leaves
 * the guest without timer interrupts. Its field is volatile (it clears when
 * it fires), so the guest checks it is armed, not its value. */
static uint64_t deadline;

static void program_deadline(void)
{
    uint64_t base, now;
    uint32_t lo, hi;

    if (!cpu_has(1, 0, ECX, 24) || !cpu_has(1, 0, ECX, 21) || msr_rdmsr_safe(0x1Bu, &base) != MSR_OK)
        return; /* no TSC-deadline mode or no x2APIC */
    if (msr_wrmsr_safe(0x1Bu, base | BIT(11) | BIT(10)) != MSR_OK ||
        msr_wrmsr_safe(0x832u, BIT(18) | BIT(16) | 0xefu) != MSR_OK) { /* LVT timer: TSC-deadline, masked */
        kt_check(false, base, 0, "x2APIC mode and the TSC-deadline timer");
        return;
    }
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    now = (uint64_t)hi << 32 | lo;
    deadline = now + (UINT64_C(1) << 44);
    program(0x6E0u, deadline, "IA32_TSC_DEADLINE");
}

static void program_all(void)
{
    uint32_t features = kvm_features(), r[4];
    uint64_t v;

    program(0xC0000081u, UINT64_C(0x0033002000c0ffee), "IA32_STAR");
    program(0xC0000082u, UINT64_C(0xffffffff81a00000), "IA32_LSTAR");
    program(0xC0000083u, UINT64_C(0xffffffff81a01234), "IA32_CSTAR");
    program(0xC0000084u, UINT64_C(0x0000000000257fd5), "IA32_FMASK");
    program(0xC0000102u, UINT64_C(0xffff88807fc00000), "IA32_KERNEL_GS_BASE");
    program(0x174u, 0x10u, "IA32_SYSENTER_CS");
    program(0x175u, UINT64_C(0x00000000fffe3000), "IA32_SYSENTER_ESP"); /* AMD keeps 32 bits */
    program(0x176u, UINT64_C(0x00000000c1a00040), "IA32_SYSENTER_EIP");
    program(0x277u, UINT64_C(0x0007010600070106), "IA32_PAT");           /* WB WC UC- UC, twice */
    if (cpu_has(0x80000001u, 0, EDX, 27) || cpu_has(7, 0, ECX, 22))
        program(0xC0000103u, 0x5a3u, "IA32_TSC_AUX");
    if (cpu_has(1, 0, EDX, 12) && msr_rdmsr_safe(0xFEu, &v) == MSR_OK) { /* MTRR, IA32_MTRRCAP */
        unsigned phys = 36; /* MAXPHYADDR without CPUID 80000008H */
        guest_cpuid(0x80000000u, 0, r);
        if (r[0] >= 0x80000008u) {
            guest_cpuid(0x80000008u, 0, r);
            phys = r[0] & 0xFFu;
        }
        if ((v & 0xFFu) >= 2) {
            program(0x202u, UINT64_C(0x0000000000200006), "IA32_MTRR_PHYSBASE1"); /* 2 MiB, WB */
            program(0x203u, ((BIT(phys) - 1) & ~(BIT(21) - 1)) | BIT(11), "IA32_MTRR_PHYSMASK1");
        }
        if (v & BIT(8))
            program(0x250u, UINT64_C(0x0606060606060606), "IA32_MTRR_FIX64K_00000");
        program(0x2FFu, 0xC06u, "IA32_MTRR_DEF_TYPE"); /* enabled, fixed enabled, WB */
    }
    if (cpu_has(7, 0, EDX, 26) || cpu_has(0x80000008u, 0, EBX, 14))
        program(0x48u, 1u, "IA32_SPEC_CTRL"); /* IBRS */
    if (msr_rdmsr_safe(0xCEu, &v) == MSR_OK && (v & BIT(31)))
        program(0x140u, 1u, "MISC_FEATURES_ENABLES"); /* CPUID faulting (user mode only) */
    if (features & BIT(3)) {
        program(0x4b564d00u, physical(pv_pages[0]), "KVM_WALL_CLOCK_NEW");
        program(0x4b564d01u, physical(pv_pages[1]) | 1u, "KVM_SYSTEM_TIME_NEW");
    }
    if (features & BIT(5))
        program(0x4b564d03u, physical(pv_pages[2]) | 1u, "KVM_STEAL_TIME");
    if (features & BIT(12))
        program(0x4b564d05u, 0u, "KVM_POLL_CONTROL"); /* reset value 1 */
    if (features & BIT(6))
        program(0x4b564d04u, physical(pv_pages[0] + 32) | 1u, "KVM_PV_EOI_EN");
    if (features & BIT(14)) {
        /* the vector first: the spec's restore_after, and KVM's own rule */
        program(0x4b564d06u, 0xecu, "KVM_ASYNC_PF_INT");
        if (features & BIT(4))
            program(0x4b564d02u, physical(pv_pages[3]) | 1u | BIT(3), "KVM_ASYNC_PF_EN"); /* as interrupt */
    }
    program_deadline();
    kt_note("migrate guest: %u registers programmed (KVM paravirtual features 0x%x)", table.count, features);
}

static void migrate(void)
{
    struct kt_msg *m = &guest_shared->msg;

    memset(m, 0, sizeof *m);
    m->op = KT_OP_MIGRATE;
    m->got = physical(&table);
    __asm__ __volatile__("outl %0, %w1" : : "a"((uint32_t)(uintptr_t)m), "Nd"(KT_PORT) : "memory");
}

void guest_main(struct kt_shared *shared)
{
    unsigned i;

    guest_init(shared);
    program_all();
    migrate();
    kt_check(table.migrated == 1, table.migrated, 1, "the vCPU runs in the new VM");
    for (i = 0; i < table.count; i++) {
        const struct kt_migrate_reg *r = &table.regs[i];
        uint64_t v = 0;
        int st = msr_rdmsr_safe(r->msr, &v);

        kt_check(st == MSR_OK && r->in_list && ((v ^ r->value) & r->mask) == 0, v, r->value,
                 "MSR 0x%x after the restore: %s, value under the compare mask 0x%llx", r->msr,
                 r->in_list ? "in the save list" : "NOT in the save list", (unsigned long long)r->mask);
    }
    if (deadline != 0) {
        uint64_t v = 0;
        kt_check(msr_rdmsr_safe(0x6E0u, &v) == MSR_OK && v != 0, v, deadline,
                 "IA32_TSC_DEADLINE still armed after the restore");
    }
    kt_check(guest_gp.unexpected == 0, guest_gp.unexpected, 0, "no unexpected #GP");
    kt_done();
}
