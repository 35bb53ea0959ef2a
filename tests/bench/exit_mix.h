/*
 * The MSR-exit workload of issue 20, shared by the benchmark (bench_exit.c),
 * the test that proves its baseline right (test_exit_mix.c) and the footprint
 * probe (tests/virt/footprint_handler.c):
 *
 * - a guest: an Intel Core i7-6700K as VirtualBox's CPU profile records it
 *   (tests/virt/data/vbox_msr_probes.txt names the source), its CPUID as the
 *   12 leaves the spec's conditions read or as a 63-entry table (the
 *   profile's 50 leaves and the zero sub-leaves 0DH 10..22 a dump of every
 *   sub-leaf lists), its MSR state kept by the VMM (x2APIC mode on);
 * - a policy of 23 entries: pass EFER, STAR, LSTAR, CSTAR, FMASK,
 *   FS/GS/KERNEL_GS_BASE, TSC_AUX, SYSENTER_CS/ESP/EIP; emulate MISC_ENABLE,
 *   APIC_BASE, TSC_DEADLINE, PAT, the MTRRs, the x2APIC ICR; deny the rest.
 *   Its entries name their records, the MTRR ranges are looked up in a spec
 *   of the 14 MTRR records (msr_spec_from_defs): no whole table is linked;
 * - the exits of a real guest: 54 % TSC_DEADLINE writes, 16 % ICR writes,
 *   then EFER, PAT, MISC_ENABLE, MTRRs, denied probes and invalid writes;
 * - a hand-written switch that makes the same decisions and stores the same
 *   values (test_exit_mix.c compares it with the handler on every exit).
 */
#ifndef X86MSR_BENCH_EXIT_MIX_H
#define X86MSR_BENCH_EXIT_MIX_H

#include <stddef.h>
#include <stdint.h>

#include <x86msr/virt.h>

/* The VMM's copy of the guest's emulated registers. */
struct mix_vcpu {
    uint64_t misc_enable, apic_base, tsc_deadline, pat, mtrr_def_type, icr;
    uint64_t mtrr_var[20];  /* PHYSBASE0, PHYSMASK0, ... PHYSMASK9 */
    uint64_t mtrr_fix[11];  /* 64K_00000, 16K_80000, 16K_A0000, 4K_C0000 ... 4K_F8000 */
    unsigned icr_sent;      /* IPIs the ICR writes sent */
};

/* Reset state: x2APIC on, BSP; MISC_ENABLE and the MTRRs as the profile reads them. */
void mix_vcpu_reset(struct mix_vcpu *v);

/* The emulator over struct mix_vcpu (ctx). */
extern const struct msr_virt_emulator mix_emulator;

/* The guest's facts over `v`'s registers (read_msr reads IA32_APIC_BASE,
 * IA32_MTRRCAP, ...): leaves 12 or 63. */
void mix_facts(struct msr_facts *facts, struct msr_cpuid_source *source, struct msr_cpuid_table *table,
               unsigned leaves, struct mix_vcpu *v);

/* The policy (23 entries). mix_policy_init() builds its MTRR spec once. */
#define MIX_POLICY_ENTRIES 23u
void mix_policy_init(void);
extern const struct msr_virt_entry mix_entries[MIX_POLICY_ENTRIES];
extern struct msr_virt_policy mix_policy;

/* The same policy with `pad` DENY entries (one MSR each, 50000000H + 2k,
 * an address no entry uses) before or after its own, in `out` (pad + 23). */
void mix_policy_padded(struct msr_virt_policy *policy, struct msr_virt_entry *out, size_t pad, int before);

/* One exit. */
struct mix_exit {
    uint32_t msr;
    uint8_t write;
    uint64_t value;
};
#define MIX_EXITS 100u
void mix_exits_fill(struct mix_exit out[MIX_EXITS]);
/* An MSR no entry contains (a policy miss: the defaults deny it). */
#define MIX_MISS_MSR 0x3F8u

/* The hand-written baseline: the same answers, the same stored values. */
enum msr_virt_result mix_switch_rdmsr(struct mix_vcpu *v, uint32_t msr, uint64_t *value);
enum msr_virt_result mix_switch_wrmsr(struct mix_vcpu *v, uint32_t msr, uint64_t value);

#endif
