/*
 * The spec's value rules (spec/README.md, "Value rules") as the exit
 * handler, the VM-entry MSR-load list and the core's msr_write_check() apply
 * them, one rule kind at a time: write_zero (a register, a field) with and
 * without its writable_if condition, phys_addr against the guest's MAXPHYADDR,
 * canonical for the vendors that check it, and locked_by with writes that
 * fault and writes that are ignored. Each is tested on the unprepared and the
 * prepared handler.
 */
#include <string.h>

#include "virt_fixture.h"

#define BIT(n) (UINT64_C(1) << (n))

static struct test_cpu cpu;
static struct test_regs regs;
static struct msr_virt_vcpu vcpu;
static struct msr_virt_interval intervals[MSR_VIRT_POLICY_INDEX_CAPACITY(8)];
static struct msr_virt_slot slots[2600];
static struct msr_virt_policy_index index_;
static struct msr_virt_prepared prepared;

static const struct msr_virt_policy emulate_all = { NULL, 0, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, &test_emulator,
                                                    &msr_spec };
static const struct msr_virt_policy pass_all = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, &msr_spec };

static void intel(void)
{
    test_cpu_intel(&cpu); /* MAXPHYADDR 39 (CPUID.80000008H:EAX = 3027H) */
    test_regs_init(&regs);
    test_vcpu(&vcpu, &cpu, &regs);
}

static void amd(void)
{
    test_cpu_amd(&cpu); /* MAXPHYADDR 48 */
    test_regs_init(&regs);
    test_vcpu(&vcpu, &cpu, &regs);
}

/* The same write through the unprepared and a freshly prepared handler: the
 * same answer and reason (which it returns). The prepared one runs second on
 * a copy of the registers, so both see the same state. */
static enum msr_virt_result wr(const struct msr_virt_policy *p, uint32_t msr, uint64_t value, const char **reason)
{
    struct test_regs before = regs;
    struct test_regs after;
    enum msr_virt_result a, b;
    const char *why;

    a = msr_virt_wrmsr(p, &vcpu, msr, value);
    why = vcpu.reason;
    after = regs;
    regs = before;
    ck_assert_int_eq(msr_virt_policy_index_build(p, intervals, sizeof intervals / sizeof intervals[0], &index_, NULL),
                     MSR_OK);
    ck_assert_int_eq(msr_virt_prepare(&prepared, &index_, &vcpu, slots, sizeof slots / sizeof slots[0]), MSR_OK);
    b = msr_virt_prepared_wrmsr(&prepared, msr, value);
    ck_assert_int_eq(a, b);
    ck_assert_ptr_eq(why, vcpu.reason);
    ck_assert_uint_eq(test_regs_get(&after, msr), test_regs_get(&regs, msr));
    *reason = why;
    return a;
}

static const char *field_name(void)
{
    return vcpu.field >= 0 ? msr_field_name(vcpu.def, (unsigned)vcpu.field) : NULL;
}

/* ---- write_zero ---- */

START_TEST(write_zero_register)
{
    const char *why;

    intel();
    test_cpu_set_msr(&cpu, MSR_IA32_APIC_BASE_ADDR, UINT64_C(0xFEE00C00)); /* x2APIC mode */
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_X2APIC_ESR_ADDR, 0, &why), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_X2APIC_ESR_ADDR, BIT(2), &why), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(why, "only 0 may be written here (write_zero) while its writable_if condition does not hold");
    ck_assert_int_eq(vcpu.field, -1); /* the register's rule, not a field's */
}
END_TEST

/* IA32_MCi_STATUS: Intel takes only 0; AMD any value while
 * HWCR.McStatusWrEn (bit 18) is 1. */
START_TEST(write_zero_unless_writable_if)
{
    uint32_t status = MSR_IA32_MCx_STATUS_ADDR(1);
    const char *why;

    intel();
    test_cpu_set_msr(&cpu, MSR_IA32_MCG_CAP_ADDR, 10);
    ck_assert_int_eq(wr(&pass_all, status, 0, &why), MSR_VIRT_FORWARD);
    ck_assert_int_eq(wr(&pass_all, status, BIT(0), &why), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(why, "only 0 may be written here (write_zero) while its writable_if condition does not hold");

    amd();
    test_cpu_set_msr(&cpu, MSR_IA32_MCG_CAP_ADDR, 23);
    ck_assert_int_eq(wr(&pass_all, status, BIT(0), &why), MSR_VIRT_INJECT_GP); /* HWCR unknown: only 0 */
    test_cpu_set_msr(&cpu, MSR_HWCR_ADDR, 0);
    ck_assert_int_eq(wr(&pass_all, status, BIT(0), &why), MSR_VIRT_INJECT_GP);
    test_cpu_set_msr(&cpu, MSR_HWCR_ADDR, BIT(18));
    ck_assert_int_eq(wr(&pass_all, status, BIT(0), &why), MSR_VIRT_FORWARD);
}
END_TEST

/* ---- phys_addr ---- */

START_TEST(phys_addr_bounded_by_maxphyaddr)
{
    uint32_t base0 = MSR_IA32_MTRR_PHYSBASEx_ADDR(0);
    uint64_t wb = 6;
    const char *why;

    intel(); /* 39 bits */
    ck_assert_int_eq(wr(&emulate_all, base0, BIT(38) | wb, &why), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&emulate_all, base0, BIT(39) | wb, &why), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(why, "a physical-address bit at or above the guest's MAXPHYADDR (CPUID.80000008H:EAX[7:0]) is set");
    ck_assert_str_eq(field_name(), "PHYSBASE");
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_APIC_BASE_ADDR, BIT(39) | BIT(11), &why), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(field_name(), "APIC_BASE");

    amd(); /* 48 bits: the same value passes */
    ck_assert_int_eq(wr(&emulate_all, base0, BIT(39) | wb, &why), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&emulate_all, base0, BIT(48) | wb, &why), MSR_VIRT_INJECT_GP);

    /* without leaf 80000008H: 36 bits with PAE */
    intel();
    test_cpu_set(&cpu, 0x80000000, 0, 0x80000001, 0, 0, 0);
    cpu.leaves[cpu.table.count - 1].leaf = 0x1234; /* the last leaf (80000008H) gone */
    ck_assert_uint_eq(msr_cpu_max_phys_addr(cpu.facts.cpuid), 36);
    ck_assert_int_eq(wr(&emulate_all, base0, BIT(36) | wb, &why), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(wr(&emulate_all, base0, BIT(35) | wb, &why), MSR_VIRT_HANDLED);
}
END_TEST

/* ---- canonical per vendor ---- */

START_TEST(canonical_where_the_vendor_checks)
{
    uint64_t high = BIT(47); /* not canonical with 48 bits */
    const char *why;

    intel();
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_SYSENTER_ESP_ADDR, high, &why), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(why, "not a canonical linear address");
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_LSTAR_ADDR, high, &why), MSR_VIRT_INJECT_GP);

    amd(); /* AMD ignores the upper half of SYSENTER_ESP/EIP, but not of LSTAR */
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_SYSENTER_ESP_ADDR, high, &why), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_SYSENTER_EIP_ADDR, high, &why), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_LSTAR_ADDR, high, &why), MSR_VIRT_INJECT_GP);
}
END_TEST

/* ---- locked_by ---- */

START_TEST(locked_writes_fault)
{
    uint64_t lock_vmx = MSR_IA32_FEATURE_CONTROL_LOCK_MASK | MSR_IA32_FEATURE_CONTROL_ENABLE_VMX_OUTSIDE_SMX_MASK;
    const char *why;

    intel();
    test_regs_set(&regs, MSR_IA32_FEATURE_CONTROL_ADDR, 0);
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_FEATURE_CONTROL_ADDR, lock_vmx, &why), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_FEATURE_CONTROL_ADDR), lock_vmx);
    ck_assert_int_eq(wr(&emulate_all, MSR_IA32_FEATURE_CONTROL_ADDR, lock_vmx, &why), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(why, "the register is locked (its lock field is 1): WRMSR raises #GP until reset");

    /* passed through: the facts' value decides, and without one the CPU */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_FEATURE_CONTROL_ADDR, lock_vmx, &why), MSR_VIRT_FORWARD);
    test_cpu_set_msr(&cpu, MSR_IA32_FEATURE_CONTROL_ADDR, MSR_IA32_FEATURE_CONTROL_LOCK_MASK);
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_FEATURE_CONTROL_ADDR, lock_vmx, &why), MSR_VIRT_INJECT_GP);
}
END_TEST

START_TEST(locked_writes_ignored)
{
    uint64_t locked = BIT(63) | 0x1234;
    unsigned writes;
    const char *why;

    intel();
    test_regs_set(&regs, MSR_PKG_POWER_LIMIT_ADDR, locked);
    writes = regs.writes;
    ck_assert_int_eq(wr(&emulate_all, MSR_PKG_POWER_LIMIT_ADDR, 0x5678, &why), MSR_VIRT_HANDLED);
    ck_assert_str_eq(why, "the register is locked (its lock field is 1): the write is ignored");
    ck_assert_uint_eq(regs.writes, writes); /* nothing stored */
    ck_assert_uint_eq(test_regs_get(&regs, MSR_PKG_POWER_LIMIT_ADDR), locked);

    test_cpu_set_msr(&cpu, MSR_PKG_POWER_LIMIT_ADDR, locked);
    ck_assert_int_eq(wr(&pass_all, MSR_PKG_POWER_LIMIT_ADDR, 0x5678, &why), MSR_VIRT_HANDLED); /* not forwarded */
    test_cpu_set_msr(&cpu, MSR_PKG_POWER_LIMIT_ADDR, 0);
    ck_assert_int_eq(wr(&pass_all, MSR_PKG_POWER_LIMIT_ADDR, 0x5678, &why), MSR_VIRT_FORWARD);
}
END_TEST

/* ---- the same rules in the VM-entry MSR-load list ---- */

static struct msr_virt_msr_entry area[16] __attribute__((aligned(16)));

static int load(uint32_t msr, uint64_t value, struct msr_virt_failure *why)
{
    struct msr_virt_msr_list list;

    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMENTRY_LOAD, area, 16, UINT64_C(0x7004c1e7),
                                            &cpu.facts, why),
                     MSR_OK);
    return msr_virt_msr_list_add(&list, msr, value, why);
}

START_TEST(entry_load_list)
{
    struct msr_virt_failure why;

    intel();
    test_cpu_set_msr(&cpu, MSR_IA32_MCG_CAP_ADDR, 10);
    ck_assert_int_eq(load(MSR_IA32_MCx_STATUS_ADDR(0), 0, &why), MSR_OK);
    ck_assert_int_eq(load(MSR_IA32_MCx_STATUS_ADDR(0), 1, &why), MSR_VIRT_ERR_REFUSED); /* write_zero */
    ck_assert_int_eq(load(MSR_IA32_MTRR_PHYSMASKx_ADDR(2), BIT(38), &why), MSR_OK);
    ck_assert_int_eq(load(MSR_IA32_MTRR_PHYSMASKx_ADDR(2), BIT(39), &why), MSR_VIRT_ERR_REFUSED); /* phys_addr */
    ck_assert_str_eq(why.field, "PHYSMASK");
    ck_assert_int_eq(load(MSR_IA32_SYSENTER_EIP_ADDR, BIT(47), &why), MSR_VIRT_ERR_REFUSED); /* canonical */
    ck_assert_int_eq(load(MSR_IA32_FEATURE_CONTROL_ADDR, 5, &why), MSR_OK);
    test_cpu_set_msr(&cpu, MSR_IA32_FEATURE_CONTROL_ADDR, 1);
    ck_assert_int_eq(load(MSR_IA32_FEATURE_CONTROL_ADDR, 5, &why), MSR_VIRT_ERR_REFUSED); /* locked_by */
    ck_assert_ptr_nonnull(strstr(why.rule, "locked"));
    test_cpu_set_msr(&cpu, MSR_PKG_POWER_LIMIT_ADDR, BIT(63));
    ck_assert_int_eq(load(MSR_PKG_POWER_LIMIT_ADDR, 5, &why), MSR_OK); /* ignored, not a fault */
}
END_TEST

/* ---- the core's check, each rule and the field it names ---- */

START_TEST(core_write_check)
{
    const struct msr_def *base = MSR_DEF(IA32_MTRR_PHYSBASEx), *status = MSR_DEF(IA32_MCx_STATUS);
    struct msr_write_rules rules;
    int field = 99;

    intel();
    msr_write_rules_for(base, 3, &cpu.facts, true, 0, &rules);
    ck_assert_uint_eq(rules.above_maxphyaddr, MSR_IA32_MTRR_PHYSBASEx_PHYSBASE_MASK & ~(BIT(39) - 1));
    ck_assert(rules.masks.reserved & BIT(39));
    ck_assert(!(rules.masks.writable & BIT(39)));
    ck_assert_int_eq(msr_write_check(base, &rules, BIT(40) | 6, &field), MSR_WRITE_ABOVE_MAXPHYADDR);
    ck_assert_str_eq(msr_field_name(base, (unsigned)field), "PHYSBASE");
    ck_assert_int_eq(msr_write_check(base, &rules, BIT(8), &field), MSR_WRITE_RESERVED);
    ck_assert_int_eq(field, -1);
    ck_assert_int_eq(msr_write_check(base, &rules, 2, &field), MSR_WRITE_UNDEFINED_VALUE);
    ck_assert_int_eq(msr_write_check(base, &rules, 6, &field), MSR_WRITE_OK);
    ck_assert_int_eq(field, -1);

    test_cpu_set_msr(&cpu, MSR_IA32_MCG_CAP_ADDR, 10);
    msr_write_rules_for(status, 0, &cpu.facts, true, 0, &rules);
    ck_assert_uint_eq(rules.zero_only, ~UINT64_C(0));
    ck_assert_int_eq(msr_write_check(status, &rules, 4, NULL), MSR_WRITE_NONZERO);

    ck_assert_int_eq(msr_write_lock(MSR_DEF(IA32_FEATURE_CONTROL), 0), -1);
    ck_assert_int_eq(msr_write_lock(MSR_DEF(IA32_FEATURE_CONTROL), 1), MSR_LOCK_WRITES_FAULT);
    ck_assert_int_eq(msr_write_lock(MSR_DEF(PKG_POWER_LIMIT), BIT(63)), MSR_LOCK_WRITES_IGNORED);
    ck_assert_int_eq(msr_write_lock(MSR_DEF(IA32_EFER), ~UINT64_C(0)), -1);

    /* no facts: no MAXPHYADDR, no vendor: every canonical field checked */
    msr_write_rules_for(base, 3, NULL, false, 0, &rules);
    ck_assert_uint_eq(rules.above_maxphyaddr, 0);
    ck_assert_uint_eq(rules.linear_bits, 48);
    msr_write_rules_for(MSR_DEF(IA32_SYSENTER_ESP), 0, NULL, false, 57, &rules);
    ck_assert_uint_eq(rules.masks.canonical, ~UINT64_C(0));
    ck_assert_uint_eq(rules.linear_bits, 57);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite *s = suite_create("virt_value_rules");
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, write_zero_register);
    tcase_add_test(tc, write_zero_unless_writable_if);
    tcase_add_test(tc, phys_addr_bounded_by_maxphyaddr);
    tcase_add_test(tc, canonical_where_the_vendor_checks);
    tcase_add_test(tc, locked_writes_fault);
    tcase_add_test(tc, locked_writes_ignored);
    tcase_add_test(tc, entry_load_list);
    tcase_add_test(tc, core_write_check);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(rules_suite());
}
