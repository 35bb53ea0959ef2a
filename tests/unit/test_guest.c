/*
 * Unit tests of x86msr/guest.h: the save list of a guest from its facts, the
 * restore order (a stable topological order of the spec's constraints), the
 * comparison mask, CPU template steps and the merging of hosts' capabilities.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "x86msr/guest.h"
#include "x86msr/msr_defs.h"
#include "x86msr/msrs.h"

#define INTEL_VENDOR { 0x16, 0x756E6547, 0x6C65746E, 0x49656E69 } /* GenuineIntel */
#define KVM_SIGNATURE { 0x40000001, 0x4B4D564B, 0x564B4D56, 0x4D } /* KVMKVMKVM */

#define BIT(n) (1u << (n))

/* A KVM guest on an Intel host: TSC, MSR, APIC, MTRR, MCE/MCA, PAT, SEP,
 * x2APIC and the TSC-deadline timer; TSC_ADJUST, SPEC_CTRL and ARCH_CAPABILITIES;
 * SYSCALL, RDTSCP and long mode; kvm-clock, async PF (with interrupts), steal
 * time, PV EOI and poll control. No PMU (leaf 0AH absent), no VMX. */
static const struct msr_cpuid_entry guest_leaves[] = {
    { 0, 0, INTEL_VENDOR },
    { 1, 0, { 0x906EA, 0, BIT(21) | BIT(24) | BIT(31),
              BIT(4) | BIT(5) | BIT(7) | BIT(9) | BIT(11) | BIT(12) | BIT(14) | BIT(16) } },
    { 7, 0, { 0, BIT(1), 0, BIT(26) | BIT(29) } },
    { 0x40000000u, 0, KVM_SIGNATURE },
    { 0x40000001u, 0, { BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(12) | BIT(14), 0, 0, 0 } },
    { 0x80000000u, 0, { 0x80000008u, 0, 0, 0 } },
    { 0x80000001u, 0, { 0, 0, 0, BIT(11) | BIT(27) | BIT(29) } },
};
static const struct msr_cpuid_table guest_table = { guest_leaves, sizeof guest_leaves / sizeof guest_leaves[0] };

/* MSR values the presence conditions read: IA32_MCG_CAP (bank count) and
 * IA32_APIC_BASE (x2APIC mode, which decides the x2APIC registers). */
static uint64_t mcg_cap = 4, apic_base = UINT64_C(0xFEE00C00);
static int read_msr(void *ctx, uint32_t msr, uint64_t *value)
{
    (void)ctx;
    if (msr == MSR_IA32_MCG_CAP_ADDR) {
        *value = mcg_cap;
        return MSR_OK;
    }
    if (msr == MSR_IA32_APIC_BASE_ADDR) {
        *value = apic_base;
        return MSR_OK;
    }
    return MSR_ERR_FAULT;
}

#define CAPACITY 1024
static struct msr_guest_reg list[CAPACITY];
static size_t count;

static void make_list(bool with_msrs, unsigned flags)
{
    struct msr_cpuid_source cpuid = msr_cpuid_table_source(&guest_table);
    struct msr_facts facts = { &cpuid, with_msrs ? read_msr : NULL, NULL, 0 };

    ck_assert_int_eq(msr_guest_list(&msr_spec, &facts, flags, list, CAPACITY, &count), MSR_OK);
}

/* Position of the register at `address` in the list, or -1. */
static long position(uint32_t address)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (list[i].address == address)
            return (long)i;
    return -1;
}

START_TEST(the_list_follows_the_guests_facts)
{
    make_list(true, 0);
    /* what the guest's CPUID says it has */
    ck_assert_int_ge(position(MSR_IA32_TIME_STAMP_COUNTER_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_TSC_DEADLINE_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_TSC_ADJUST_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_PAT_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_MTRR_DEF_TYPE_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_SPEC_CTRL_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_ARCH_CAPABILITIES_ADDR), 0);
    ck_assert_int_ge(position(MSR_IA32_TSC_AUX_ADDR), 0);
    ck_assert_int_ge(position(MSR_KVM_SYSTEM_TIME_NEW_ADDR), 0);
    ck_assert_int_ge(position(MSR_KVM_ASYNC_PF_INT_ADDR), 0);
    ck_assert_int_ge(position(MSR_KVM_POLL_CONTROL_ADDR), 0);
    /* ... and not what it lacks: no PMU, no VMX, no kvm-clock of the old range */
    ck_assert_int_lt(position(MSR_IA32_PERF_GLOBAL_CTRL_ADDR), 0);
    ck_assert_int_lt(position(MSR_IA32_VMX_BASIC_ADDR), 0);
    ck_assert_int_lt(position(MSR_KVM_SYSTEM_TIME_ADDR), 0);
    ck_assert_int_lt(position(MSR_KVM_MIGRATION_CONTROL_ADDR), 0);
    /* MSR values where they matter: 4 machine-check banks, x2APIC mode */
    ck_assert_int_ge(position(MSR_IA32_MCx_STATUS_ADDR(3)), 0);
    ck_assert_int_lt(position(MSR_IA32_MCx_STATUS_ADDR(4)), 0);
    ck_assert_int_ge(position(MSR_IA32_X2APIC_LVT_TIMER_ADDR), 0);
    mcg_cap = 2;
    make_list(true, 0);
    ck_assert_int_ge(position(MSR_IA32_MCx_CTL_ADDR(1)), 0);
    ck_assert_int_lt(position(MSR_IA32_MCx_CTL_ADDR(2)), 0);
    apic_base = UINT64_C(0xFEE00800); /* xAPIC: the x2APIC registers are not MSRs */
    make_list(true, 0);
    ck_assert_int_lt(position(MSR_IA32_X2APIC_LVT_TIMER_ADDR), 0);
    mcg_cap = 4;
    apic_base = UINT64_C(0xFEE00C00);
}
END_TEST

START_TEST(carriers_and_unknown_presence)
{
    size_t i, with_facts;

    make_list(true, 0);
    ck_assert_uint_eq(list[position(MSR_IA32_EFER_ADDR)].carrier, MSR_GUEST_STATE_SREGS);
    ck_assert_uint_eq(list[position(MSR_IA32_APIC_BASE_ADDR)].carrier, MSR_GUEST_STATE_SREGS);
    ck_assert_uint_eq(list[position(MSR_IA32_MCG_CAP_ADDR)].carrier, MSR_GUEST_STATE_SETUP);
    ck_assert_uint_eq(list[position(MSR_IA32_X2APIC_LVT_TIMER_ADDR)].carrier, MSR_GUEST_STATE_LAPIC);
    ck_assert_uint_eq(list[position(MSR_IA32_ARCH_CAPABILITIES_ADDR)].carrier, MSR_GUEST_STATE_FEATURE);
    ck_assert_uint_eq(list[position(MSR_IA32_PAT_ADDR)].carrier, MSR_GUEST_STATE_MSR);
    for (i = 0; i < count; i++) {
        const struct msr_def *def = msr_spec.defs[list[i].def];
        ck_assert(def->flags & MSR_REG_F_GUEST_STATE);
        ck_assert_uint_eq(list[i].carrier, def->guest_state);
        ck_assert_uint_eq(list[i].support, MSR_SUPPORT_YES);
        ck_assert_uint_eq(list[i].address, def->address + (uint32_t)list[i].index * def->stride);
    }
    /* Without MSR values the banks cannot be counted: not listed, unless asked for, as unknown. */
    with_facts = count;
    make_list(false, 0);
    ck_assert_int_lt(position(MSR_IA32_MCx_CTL_ADDR(0)), 0);
    ck_assert_uint_lt(count, with_facts);
    make_list(false, MSR_GUEST_UNKNOWN);
    ck_assert_int_ge(position(MSR_IA32_MCx_CTL_ADDR(31)), 0);
    ck_assert_uint_eq(list[position(MSR_IA32_MCx_CTL_ADDR(31))].support, MSR_SUPPORT_UNKNOWN);
    ck_assert_uint_eq(list[position(MSR_IA32_PAT_ADDR)].support, MSR_SUPPORT_YES);
}
END_TEST

START_TEST(caller_storage_is_sized_first)
{
    struct msr_cpuid_source cpuid = msr_cpuid_table_source(&guest_table);
    struct msr_facts facts = { &cpuid, read_msr, NULL, 0 };
    struct msr_guest_reg few[4];
    size_t n = 0, again = 0;

    ck_assert_int_eq(msr_guest_list(&msr_spec, &facts, 0, NULL, 0, &n), MSR_ERR_RANGE);
    ck_assert_uint_gt(n, 50);
    ck_assert_int_eq(msr_guest_list(&msr_spec, &facts, 0, few, 4, &again), MSR_ERR_RANGE);
    ck_assert_uint_eq(again, n);
    make_list(true, 0);
    ck_assert_uint_eq(count, n);
    ck_assert_int_eq(msr_guest_list(NULL, &facts, 0, list, CAPACITY, &n), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_guest_list(&msr_spec, NULL, 0, list, CAPACITY, &n), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_guest_list(&msr_spec, &facts, 0, list, CAPACITY, NULL), MSR_ERR_INVALID);
}
END_TEST

/* Every constraint between two entries of the list holds: no entry must be
 * restored after one that comes later. */
static void assert_topological(const struct msr_guest_reg *regs, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            ck_assert_msg(!msr_guest_restores_after(&msr_spec, &regs[i], &regs[j]), "%s (0x%X) is before %s (0x%X)",
                          msr_def_name(msr_spec.defs[regs[i].def]), (unsigned)regs[i].address,
                          msr_def_name(msr_spec.defs[regs[j].def]), (unsigned)regs[j].address);
}

/* Whether the entry is neither constrained nor named by a constraint of `regs`. */
static bool unconstrained(const struct msr_guest_reg *regs, size_t n, size_t k)
{
    size_t j;

    for (j = 0; j < n; j++)
        if (j != k && regs[j].carrier == regs[k].carrier &&
            (msr_guest_restores_after(&msr_spec, &regs[j], &regs[k]) ||
             msr_guest_restores_after(&msr_spec, &regs[k], &regs[j])))
            return false;
    return true;
}

START_TEST(the_order_keeps_every_constraint_and_the_rest_in_place)
{
    static struct msr_guest_reg copy[CAPACITY], reversed[CAPACITY];
    size_t i, last = 0;
    long tsc, mtrr_def;

    make_list(true, 0);
    assert_topological(list, count);
    for (i = 1; i < count; i++)
        ck_assert_uint_le(list[i - 1].carrier, list[i].carrier);
    tsc = position(MSR_IA32_TIME_STAMP_COUNTER_ADDR);
    ck_assert_int_lt(tsc, position(MSR_IA32_TSC_DEADLINE_ADDR));
    ck_assert_int_lt(tsc, position(MSR_IA32_TSC_ADJUST_ADDR));
    ck_assert_int_lt(position(MSR_KVM_ASYNC_PF_INT_ADDR), position(MSR_KVM_ASYNC_PF_EN_ADDR));
    mtrr_def = position(MSR_IA32_MTRR_DEF_TYPE_ADDR);
    ck_assert_int_lt(position(MSR_IA32_MTRR_PHYSBASEx_ADDR(0)), mtrr_def);
    ck_assert_int_lt(position(MSR_IA32_MTRR_FIX4K_F8000_ADDR), mtrr_def);
    /* stable: the registers no constraint touches stay in address order within their carrier */
    for (i = 0; i < count; i++) {
        if (!unconstrained(list, count, i))
            continue;
        if (last != 0 && list[last - 1].carrier == list[i].carrier)
            ck_assert_uint_lt(list[last - 1].address, list[i].address);
        last = i + 1;
    }
    /* deterministic, and a topological order whatever order it is given */
    memcpy(copy, list, count * sizeof list[0]);
    ck_assert_int_eq(msr_guest_restore_order(&msr_spec, copy, count), MSR_OK);
    ck_assert_int_eq(memcmp(copy, list, count * sizeof list[0]), 0);
    for (i = 0; i < count; i++)
        reversed[i] = list[count - 1 - i];
    ck_assert_int_eq(msr_guest_restore_order(&msr_spec, reversed, count), MSR_OK);
    assert_topological(reversed, count);
    ck_assert_int_lt(position(MSR_IA32_TIME_STAMP_COUNTER_ADDR), position(MSR_IA32_TSC_DEADLINE_ADDR));
}
END_TEST

/* Two registers restored each after the other (the generator refuses such a
 * spec; an overlay's hand-made records could still say it). */
static const union msr_cell cycle_a[] = {
    { .def = { .address = 0x10, .count = 1, .id = 0, .flags = MSR_REG_F_GUEST_STATE | MSR_REG_F_RESTORE_AFTER,
               .guest_state = MSR_GUEST_STATE_MSR, .restore_after = 2, .restore_after_count = 1 } },
    { .masks = { .reserved = 0 } },
    { .addresses = { 0x11 } } };
static const union msr_cell cycle_b[] = {
    { .def = { .address = 0x11, .count = 1, .id = 1, .flags = MSR_REG_F_GUEST_STATE | MSR_REG_F_RESTORE_AFTER,
               .guest_state = MSR_GUEST_STATE_MSR, .restore_after = 2, .restore_after_count = 1 } },
    { .masks = { .reserved = 0 } },
    { .addresses = { 0x10 } } };
static const struct msr_def *const cycle_defs[] = { &cycle_a[0].def, &cycle_b[0].def };
static const struct msr_instance cycle_instances[] = { { 0x10, 0, 0 }, { 0x11, 1, 0 } };
static const struct msr_spec cycle_spec = { cycle_defs, cycle_instances, 2, 2 };

START_TEST(a_cycle_or_a_foreign_entry_is_refused)
{
    struct msr_guest_reg regs[2] = { { 0x10, 0, 0, MSR_GUEST_STATE_MSR, MSR_SUPPORT_YES },
                                     { 0x11, 1, 0, MSR_GUEST_STATE_MSR, MSR_SUPPORT_YES } };
    struct msr_guest_reg stray = { 0x12, 7, 0, MSR_GUEST_STATE_MSR, MSR_SUPPORT_YES };

    ck_assert_int_eq(msr_guest_restore_order(&cycle_spec, regs, 2), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_guest_restore_order(&cycle_spec, regs, 1), MSR_OK); /* one of them alone is fine */
    ck_assert_int_eq(msr_guest_restore_order(&cycle_spec, &stray, 1), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_guest_restore_order(&cycle_spec, regs, 0), MSR_OK);
    ck_assert_int_eq(msr_guest_restore_order(NULL, regs, 2), MSR_ERR_INVALID);
}
END_TEST

START_TEST(comparisons_leave_out_what_changes_by_itself)
{
    ck_assert_uint_eq(msr_guest_compare_mask(MSR_DEF(IA32_TIME_STAMP_COUNTER)), 0);  /* a counter */
    ck_assert_uint_eq(msr_guest_compare_mask(MSR_DEF(IA32_TSC_DEADLINE)), 0);        /* 0 once it fires */
    ck_assert_uint_eq(msr_guest_compare_mask(MSR_DEF(IA32_X2APIC_ICR)), ~UINT64_C(0xFF)); /* the vector */
    ck_assert_uint_eq(msr_guest_compare_mask(MSR_DEF(IA32_X2APIC_LVT_TIMER)), ~(UINT64_C(1) << 12));
    ck_assert_uint_eq(msr_guest_compare_mask(MSR_DEF(IA32_PAT)), ~UINT64_C(0));
    ck_assert_uint_eq(msr_guest_compare_mask(MSR_DEF(IA32_STAR)), ~UINT64_C(0));
}
END_TEST

START_TEST(template_steps_apply_in_order_to_their_register)
{
    const struct msr_template_op ops[] = {
        { MSR_IA32_ARCH_CAPABILITIES_ADDR, MSR_IA32_ARCH_CAPABILITIES_RSBA_MASK | MSR_IA32_ARCH_CAPABILITIES_MDS_NO_MASK,
          MSR_IA32_ARCH_CAPABILITIES_MDS_NO_MASK },
        { MSR_IA32_PERF_CAPABILITIES_ADDR, MSR_IA32_PERF_CAPABILITIES_LBR_FMT_MASK, 0 },
        /* a later step wins; bits outside `clear` are never set */
        { MSR_IA32_ARCH_CAPABILITIES_ADDR, MSR_IA32_ARCH_CAPABILITIES_MDS_NO_MASK, UINT64_C(1) << 40 },
    };
    uint64_t caps = MSR_IA32_ARCH_CAPABILITIES_RSBA_MASK | MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK;

    ck_assert_uint_eq(msr_template_apply(ops, 1, MSR_IA32_ARCH_CAPABILITIES_ADDR, caps),
                      MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK | MSR_IA32_ARCH_CAPABILITIES_MDS_NO_MASK);
    ck_assert_uint_eq(msr_template_apply(ops, 3, MSR_IA32_ARCH_CAPABILITIES_ADDR, caps),
                      MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK);
    ck_assert_uint_eq(msr_template_apply(ops, 3, MSR_IA32_PERF_CAPABILITIES_ADDR, 0x33C5), 0x33C0);
    ck_assert_uint_eq(msr_template_apply(ops, 3, MSR_IA32_PAT_ADDR, 0x1234), 0x1234);
    ck_assert_uint_eq(msr_template_apply(ops, 0, MSR_IA32_ARCH_CAPABILITIES_ADDR, caps), caps);
}
END_TEST

START_TEST(each_field_merges_by_its_rule)
{
    const struct msr_def *caps = MSR_DEF(IA32_ARCH_CAPABILITIES), *perf = MSR_DEF(IA32_PERF_CAPABILITIES);
    const struct msr_def *basic = MSR_DEF(IA32_VMX_BASIC), *pin = MSR_DEF(IA32_VMX_PINBASED_CTLS);
    const struct msr_def *misc = MSR_DEF(IA32_VMX_MISC);
    uint64_t merged;

    /* and: a "not affected" promise only where every host gives it; or: a warning wherever one host has it */
    merged = MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK | MSR_IA32_ARCH_CAPABILITIES_MDS_NO_MASK;
    ck_assert_uint_eq(msr_baseline_merge(caps, &merged, MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK |
                                                            MSR_IA32_ARCH_CAPABILITIES_RSBA_MASK), 0);
    ck_assert_uint_eq(merged, MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK | MSR_IA32_ARCH_CAPABILITIES_RSBA_MASK);
    /* equal_or_zero: LBR formats 5 and 4 do not mix, so LBR is off; and: full-width writes on both */
    merged = 0x33C5;
    ck_assert_uint_eq(msr_baseline_merge(perf, &merged, 0x32C4), 0);
    ck_assert_uint_eq(merged & MSR_IA32_PERF_CAPABILITIES_LBR_FMT_MASK, 0);
    ck_assert_uint_eq(merged & MSR_IA32_PERF_CAPABILITIES_PEBS_REC_FMT_MASK, 0);
    merged = 0x32C4;
    ck_assert_uint_eq(msr_baseline_merge(perf, &merged, 0x32C4 | MSR_IA32_PERF_CAPABILITIES_FW_WRITE_MASK), 0);
    ck_assert_uint_eq(merged, 0x32C4);
    /* equal: the VMCS revisions of Skylake (4) and Penryn (0DH) have no common value; max: the VMCS size */
    merged = UINT64_C(0x00DA040000000004);
    ck_assert_uint_eq(msr_baseline_merge(basic, &merged, UINT64_C(0x005A08000000000D)),
                      MSR_IA32_VMX_BASIC_REVISION_ID_MASK);
    ck_assert_uint_eq(merged & MSR_IA32_VMX_BASIC_REVISION_ID_MASK, 4); /* kept */
    ck_assert_uint_eq(MSR_GET(IA32_VMX_BASIC, VMCS_SIZE, MSR_UNCHECKED(IA32_VMX_BASIC, merged)), 0x800);
    ck_assert_uint_eq(MSR_GET(IA32_VMX_BASIC, TRUE_CONTROLS, MSR_UNCHECKED(IA32_VMX_BASIC, merged)), 0); /* Penryn has no TRUE controls */
    /* the allowed settings of a control set: must-be-1 bits OR, may-be-1 bits AND */
    merged = UINT64_C(0x0000007F00000016);
    ck_assert_uint_eq(msr_baseline_merge(pin, &merged, UINT64_C(0x0000003F00000017)), 0);
    ck_assert_uint_eq(merged, UINT64_C(0x0000003F00000017));
    /* Skylake and Penryn: min of the CR3-target counts (4); their preemption timers count at other rates
     * (TSC bit 7 and bit 0): equal, so no common value */
    merged = UINT64_C(0x000000007004C1E7);
    ck_assert_uint_eq(msr_baseline_merge(misc, &merged, UINT64_C(0x00000000000403C0)),
                      MSR_IA32_VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
    ck_assert_uint_eq(MSR_GET(IA32_VMX_MISC, CR3_TARGET_COUNT, MSR_UNCHECKED(IA32_VMX_MISC, merged)), 4);
    ck_assert_uint_eq(MSR_GET(IA32_VMX_MISC, PREEMPTION_TIMER_RATE, MSR_UNCHECKED(IA32_VMX_MISC, merged)), 7);
    /* bits no field covers must agree */
    merged = 0;
    ck_assert_uint_eq(msr_baseline_merge(caps, &merged, UINT64_C(1) << 22), UINT64_C(1) << 22);
    ck_assert_uint_eq(merged, 0);
}
END_TEST

START_TEST(what_a_host_cannot_offer)
{
    const struct msr_def *caps = MSR_DEF(IA32_ARCH_CAPABILITIES), *basic = MSR_DEF(IA32_VMX_BASIC);
    const struct msr_def *misc = MSR_DEF(IA32_VMX_MISC), *perf = MSR_DEF(IA32_PERF_CAPABILITIES);
    const uint64_t rdcl = MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK, rsba = MSR_IA32_ARCH_CAPABILITIES_RSBA_MASK;
    const uint64_t all = ~UINT64_C(0);

    ck_assert_uint_eq(msr_baseline_exceeds(caps, rdcl, rdcl, all), 0);
    ck_assert_uint_eq(msr_baseline_exceeds(caps, 0, rdcl, all), rdcl);    /* and: a promise the host cannot keep */
    ck_assert_uint_eq(msr_baseline_exceeds(caps, rsba, 0, all), rsba);    /* or: a warning it would hide */
    ck_assert_uint_eq(msr_baseline_exceeds(caps, 0, rdcl, ~rdcl), 0);     /* outside the mask: not asked */
    ck_assert_uint_eq(msr_baseline_exceeds(misc, UINT64_C(0x20000), UINT64_C(0x30000), all),
                      MSR_IA32_VMX_MISC_CR3_TARGET_COUNT_MASK);          /* min */
    ck_assert_uint_eq(msr_baseline_exceeds(basic, UINT64_C(0x80000000004), UINT64_C(0x40000000004), all),
                      MSR_IA32_VMX_BASIC_VMCS_SIZE_MASK);                /* max: a smaller VMCS */
    ck_assert_uint_eq(msr_baseline_exceeds(basic, 4, 7, all), MSR_IA32_VMX_BASIC_REVISION_ID_MASK); /* equal */
    ck_assert_uint_eq(msr_baseline_exceeds(perf, 0x33C5, 0x33C0, MSR_IA32_PERF_CAPABILITIES_LBR_FMT_MASK), 0);
    ck_assert_uint_eq(msr_baseline_exceeds(perf, 0x33C5, 0x33C4, MSR_IA32_PERF_CAPABILITIES_LBR_FMT_MASK),
                      MSR_IA32_PERF_CAPABILITIES_LBR_FMT_MASK);          /* equal_or_zero: 0 or the host's */
}
END_TEST

START_TEST(an_entry_names_its_concrete_register)
{
    struct msr_guest_reg foreign;
    size_t i;

    make_list(true, 0);
    for (i = 0; i < count; i++) {
        const struct msr_instance *inst = msr_guest_instance(&msr_spec, &list[i]);

        ck_assert_ptr_nonnull(inst);
        ck_assert_uint_eq(inst->address, list[i].address);
        ck_assert_uint_eq(inst->def, list[i].def);
        ck_assert_uint_eq(inst->index, list[i].index);
    }
    ck_assert_str_eq(msr_name(msr_guest_instance(&msr_spec, &list[position(MSR_IA32_MCx_STATUS_ADDR(3))])),
                     "IA32_MC3_STATUS");
    foreign = list[0];
    foreign.address = 0xFFFFFFFFu; /* no register of the spec */
    ck_assert_ptr_null(msr_guest_instance(&msr_spec, &foreign));
    foreign = list[position(MSR_IA32_PAT_ADDR)];
    foreign.def = list[position(MSR_IA32_EFER_ADDR)].def; /* the address of one register, the record of another */
    ck_assert_ptr_null(msr_guest_instance(&msr_spec, &foreign));
    ck_assert_ptr_null(msr_guest_instance(NULL, &list[0]));
    ck_assert_ptr_null(msr_guest_instance(&msr_spec, NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("guest");
    TCase *tc = tcase_create("guest");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, the_list_follows_the_guests_facts);
    tcase_add_test(tc, carriers_and_unknown_presence);
    tcase_add_test(tc, caller_storage_is_sized_first);
    tcase_add_test(tc, the_order_keeps_every_constraint_and_the_rest_in_place);
    tcase_add_test(tc, a_cycle_or_a_foreign_entry_is_refused);
    tcase_add_test(tc, comparisons_leave_out_what_changes_by_itself);
    tcase_add_test(tc, template_steps_apply_in_order_to_their_register);
    tcase_add_test(tc, each_field_merges_by_its_rule);
    tcase_add_test(tc, what_a_host_cannot_offer);
    tcase_add_test(tc, an_entry_names_its_concrete_register);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
