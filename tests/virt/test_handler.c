/*
 * The MSR-exit handler: every action, every spec check, every error path.
 * The guests are the fixture's Intel (Skylake + PT + MPX) and AMD (Zen 1)
 * virtual CPUs.
 */
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

#define BIT(n) (UINT64_C(1) << (n))

static struct test_cpu intel, amd;
static struct test_regs regs;
static struct msr_virt_vcpu vcpu;

static void setup_intel(void)
{
    test_cpu_intel(&intel);
    test_regs_init(&regs);
    test_vcpu(&vcpu, &intel, &regs);
}

static void setup_amd(void)
{
    test_cpu_amd(&amd);
    test_regs_init(&regs);
    test_vcpu(&vcpu, &amd, &regs);
}

/* Everything passes through: the spec checks alone decide. */
static const struct msr_virt_policy pass_all = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, &msr_spec };
/* Everything emulated. */
static const struct msr_virt_policy emulate_all = { NULL, 0, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, &test_emulator,
                                                    &msr_spec };

static enum msr_virt_result wr(const struct msr_virt_policy *p, uint32_t msr, uint64_t v)
{
    return msr_virt_wrmsr(p, &vcpu, msr, v);
}

/* A #GP that the field `field` (by name; NULL: none) caused. The handler
 * reports the field by index in vcpu.def; the name is the caller's to find. */
static void assert_gp_field(enum msr_virt_result r, const char *field)
{
    ck_assert_int_eq(r, MSR_VIRT_INJECT_GP);
    ck_assert_ptr_nonnull(vcpu.reason);
    if (field == NULL) {
        ck_assert_int_eq(vcpu.field, -1);
    } else {
        ck_assert_ptr_nonnull(vcpu.def);
        ck_assert_int_ge(vcpu.field, 0);
        ck_assert_int_lt(vcpu.field, vcpu.def->field_count);
        ck_assert_str_eq(msr_field_name(vcpu.def, (unsigned)vcpu.field), field);
    }
}

/* The register whose spec the checks applied, by name (NULL: none). */
static void assert_def(const char *name)
{
    if (name == NULL)
        ck_assert_ptr_null(vcpu.def);
    else
        ck_assert_str_eq(msr_def_name(vcpu.def), name);
}

START_TEST(actions)
{
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_ONE(0x10, MSR_VIRT_DENY, MSR_VIRT_DENY),
        MSR_VIRT_ONE(0x11, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
        MSR_VIRT_CONSTANT(0x12, UINT64_C(0x1234)),
        MSR_VIRT_ONE(0xC0000081, MSR_VIRT_PASS, MSR_VIRT_DENY),
    };
    const struct msr_virt_policy p = { entries, 4, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    uint64_t v = 99;

    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x10, &v), MSR_VIRT_INJECT_GP);
    ck_assert_uint_eq(v, 0);
    ck_assert_str_eq(vcpu.reason, "the policy denies reads of this MSR");
    assert_def(NULL);
    ck_assert_int_eq(vcpu.field, -1);
    ck_assert_int_eq(wr(&p, 0x10, 0), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "the policy denies writes to this MSR");

    v = 99;
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x11, &v), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(wr(&p, 0x11, ~UINT64_C(0)), MSR_VIRT_HANDLED);

    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x12, &v), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(v, 0x1234);
    ck_assert_int_eq(wr(&p, 0x12, 0x1234), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&p, 0x12, 0x1235), MSR_VIRT_INJECT_GP);

    /* Pass-through reads, denied writes (IA32_STAR). */
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0xC0000081, &v), MSR_VIRT_FORWARD);
    assert_def("IA32_STAR"); /* checked against the spec's register */
    ck_assert_int_eq(vcpu.field, -1);
    ck_assert_int_eq(wr(&p, 0xC0000081, 0), MSR_VIRT_INJECT_GP);
    assert_def(NULL);

    /* Undeclared: the default (DENY). */
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0xC0000082, &v), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(wr(&p, 0xC0000082, 0), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(regs.reads + regs.writes, 0);
}
END_TEST

START_TEST(defaults_ignore_and_emulate)
{
    const struct msr_virt_policy ig = { NULL, 0, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE, NULL, &msr_spec };
    uint64_t v = 5;

    ck_assert_int_eq(msr_virt_rdmsr(&ig, &vcpu, 0x40000000, &v), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(wr(&ig, 0x40000000, 7), MSR_VIRT_HANDLED);

    /* An MSR the spec lacks: no checks, the emulator answers. */
    test_regs_set(&regs, 0x10000000, 0xabc);
    ck_assert_int_eq(msr_virt_rdmsr(&emulate_all, &vcpu, 0x10000000, &v), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(v, 0xabc);
}
END_TEST

START_TEST(hypervisor_msrs_follow_cpuid)
{
    uint64_t v = 5;

    /* KVM_WALL_CLOCK_NEW (4B564D00H): a KVM paravirtual MSR, there only when
     * the guest's CPUID announces KVM (40000000H) with KVM_FEATURE_CLOCKSOURCE2
     * (40000001H:EAX[3]). The bare Skylake guest has no hypervisor leaves. */
    test_regs_set(&regs, 0x4b564d00, 0xabc);
    ck_assert_int_eq(msr_virt_rdmsr(&emulate_all, &vcpu, 0x4b564d00, &v), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "the guest's CPU does not have this register (its presence condition is false)");
    ck_assert_int_eq(wr(&emulate_all, 0x4b564d00, 0x1000), MSR_VIRT_INJECT_GP);
    ck_assert_uint_eq(regs.reads + regs.writes, 0);

    test_cpu_set(&intel, 0x40000000, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x0000004d); /* "KVMKVMKVM\0\0\0" */
    test_cpu_set(&intel, 0x40000001, 0, 1u << 3, 0, 0, 0);
    ck_assert_int_eq(msr_virt_rdmsr(&emulate_all, &vcpu, 0x4b564d00, &v), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(v, 0xabc);
    ck_assert_int_eq(wr(&emulate_all, 0x4b564d00, 0x2000), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, 0x4b564d00), 0x2000);
    /* Without the feature bit it is gone again. */
    test_cpu_set(&intel, 0x40000001, 0, 0, 0, 0, 0);
    ck_assert_int_eq(msr_virt_rdmsr(&emulate_all, &vcpu, 0x4b564d00, &v), MSR_VIRT_INJECT_GP);
    /* A Hyper-V synthetic MSR (HV_X64_MSR_GUEST_OS_ID, 40000000H) under KVM's
     * signature: Hyper-V does not document it there, and its condition is false. */
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, 0x40000000, &v), MSR_VIRT_INJECT_GP);
}
END_TEST

START_TEST(null_arguments)
{
    uint64_t v = 7;

    ck_assert_int_eq(msr_virt_rdmsr(NULL, &vcpu, 0x10, &v), MSR_VIRT_INJECT_GP);
    ck_assert_uint_eq(v, 0);
    ck_assert_str_eq(vcpu.reason, "invalid argument (NULL)");
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, NULL, 0x10, &v), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, 0x10, NULL), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(msr_virt_wrmsr(NULL, &vcpu, 0x10, 0), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(msr_virt_wrmsr(&pass_all, NULL, 0x10, 0), MSR_VIRT_INJECT_GP);
}
END_TEST

START_TEST(pass_through_is_checked)
{
    uint64_t v;

    /* Fine writes and reads pass through. */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SCE_MASK | MSR_IA32_EFER_NXE_MASK |
                                                      MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK),
                     MSR_VIRT_FORWARD);
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, MSR_IA32_EFER_ADDR, &v), MSR_VIRT_FORWARD);

    /* Reserved bit 63 of EFER. */
    assert_gp_field(wr(&pass_all, MSR_IA32_EFER_ADDR, BIT(63)), NULL);
    ck_assert_str_eq(vcpu.reason, "a reserved bit is set");
    ck_assert_ptr_eq(vcpu.def, MSR_DEF(IA32_EFER));

    /* An Intel guest setting EFER.SVME (the spec: vendors [amd]). */
    assert_gp_field(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SVME_MASK), "SVME");

    /* Read-only register (IA32_MTRRCAP) and write-only register (IA32_BIOS_UPDT_TRIG). */
    assert_gp_field(wr(&pass_all, 0xFE, 0), NULL);
    ck_assert_str_eq(vcpu.reason, "read-only register: WRMSR raises #GP");
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, MSR_IA32_BIOS_UPDT_TRIG_ADDR, &v), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "write-only register: RDMSR raises #GP");
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_BIOS_UPDT_TRIG_ADDR, 0x1000), MSR_VIRT_FORWARD);

    /* Canonical fields, from the spec attribute: LSTAR, KERNEL_GS_BASE, BNDCFGS.BASE, RTIT_ADDR0_A. */
    assert_gp_field(wr(&pass_all, 0xC0000082, UINT64_C(0x0000800000000000)), "TARGET_RIP");
    ck_assert_int_eq(wr(&pass_all, 0xC0000082, UINT64_C(0xffff800000000000)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, 0xC0000102, UINT64_C(0xdead000000001000)), "BASE");
    assert_gp_field(wr(&pass_all, MSR_IA32_BNDCFGS_ADDR, UINT64_C(0x0000800000000001)), "BASE");
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_BNDCFGS_ADDR, UINT64_C(0x00007fff00000003)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_BNDCFGS_ADDR, BIT(2)), NULL); /* bits 11:2 reserved */
    assert_gp_field(wr(&pass_all, 0x580, UINT64_C(0x0000900000000000)), "VIRTUAL_ADDRESS");

    /* 57-bit linear addresses make 0x0000800000000000 canonical. */
    vcpu.linear_bits = 57;
    ck_assert_int_eq(wr(&pass_all, 0xC0000082, UINT64_C(0x0000800000000000)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, 0xC0000082, UINT64_C(0x0100000000000000)), "TARGET_RIP");

    /* Memory types (strict_enum fields): IA32_PAT's reserved 2 and 3 (8+
     * sets reserved bits); the MTRRs' 2, 3 and 7 (no UC- there). */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_PAT_ADDR, UINT64_C(0x0007040600070406)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_PAT_ADDR, UINT64_C(0x0007040600070402)), "PA0");
    assert_gp_field(wr(&pass_all, MSR_IA32_PAT_ADDR, UINT64_C(0x0307040600070406)), "PA7");
    assert_gp_field(wr(&pass_all, MSR_IA32_PAT_ADDR, UINT64_C(0x0807040600070406)), NULL);
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_MTRR_DEF_TYPE_ADDR, UINT64_C(0x0C06)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_MTRR_DEF_TYPE_ADDR, UINT64_C(0x0C07)), "TYPE");
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_MTRR_PHYSBASEx_ADDR(1), UINT64_C(0x80000006)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_MTRR_PHYSBASEx_ADDR(1), UINT64_C(0x80000002)), "TYPE");
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_MTRR_FIX4K_C0000_ADDR, UINT64_C(0x0505050505050505)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_MTRR_FIX4K_C0000_ADDR, UINT64_C(0x0505050505030505)), "TYPE_C2000");
}
END_TEST

START_TEST(linear_bits_from_cpuid)
{
    ck_assert_uint_eq(msr_virt_linear_bits(&intel.facts, 0), 48);
    test_cpu_set(&intel, 0x80000008, 0, 0x00003927, 0, 0, 0);
    ck_assert_uint_eq(msr_virt_linear_bits(&intel.facts, 0), 57);
    ck_assert_uint_eq(msr_virt_linear_bits(&intel.facts, 48), 48);
    ck_assert_uint_eq(msr_virt_linear_bits(NULL, 0), 48);
    test_cpu_set(&intel, 0x80000008, 0, 0x00000027, 0, 0, 0); /* implausible width: default */
    ck_assert_uint_eq(msr_virt_linear_bits(&intel.facts, 0), 48);
    /* The handler follows CPUID when linear_bits is 0. */
    test_cpu_set(&intel, 0x80000008, 0, 0x00003927, 0, 0, 0);
    ck_assert_int_eq(wr(&pass_all, 0xC0000082, UINT64_C(0x0000800000000000)), MSR_VIRT_FORWARD);
}
END_TEST

START_TEST(rtit_ctl_follows_leaf_14h)
{
    /* Leaf 14H: EBX = 0xF (CR3 filter, PSB/CYC, IP filter, MTC), ECX = 7 (ToPA...). */
    uint64_t ok = BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(13) | (UINT64_C(1) << 32);

    ck_assert_int_eq(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, ok), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, BIT(4)), "PWR_EVT_EN");   /* EBX[5] = 0 */
    assert_gp_field(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, BIT(12)), "PTW_EN");      /* EBX[4] = 0 */
    assert_gp_field(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, BIT(6)), "FABRIC_EN");    /* ECX[3] = 0 */
    assert_gp_field(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, BIT(40)), "ADDR2_CFG");   /* 2 ranges only */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, BIT(36)), MSR_VIRT_FORWARD); /* ADDR1_CFG */
    /* Without MTC in leaf 14H, MTC_EN becomes reserved. */
    test_cpu_set(&intel, 0x14, 0, 1, 0x7, 7, 0);
    assert_gp_field(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, BIT(9)), "MTC_EN");
    /* No Intel PT at all: the register is absent. */
    test_cpu_set(&intel, 0x7, 0, 0, 0x029c6fbf & ~(1u << 25), 0, 0);
    assert_gp_field(wr(&pass_all, MSR_IA32_RTIT_CTL_ADDR, 0), NULL);
    ck_assert_str_eq(vcpu.reason, "the guest's CPU does not have this register (its presence condition is false)");
}
END_TEST

START_TEST(absent_register_even_when_passed)
{
    uint64_t v;

    /* IA32_S_CET needs CET (leaf 7 ECX[7] or EDX[20]); the Skylake guest has neither. */
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, MSR_IA32_S_CET_ADDR, &v), MSR_VIRT_INJECT_GP);
    assert_gp_field(wr(&pass_all, MSR_IA32_S_CET_ADDR, 0), NULL);
    /* Emulated, too: no emulator call. */
    ck_assert_int_eq(msr_virt_rdmsr(&emulate_all, &vcpu, MSR_IA32_S_CET_ADDR, &v), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(regs.reads, 0);
    /* With CET enumerated it is there; the canonical base and the reserved bits are checked. */
    test_cpu_set(&intel, 0x7, 0, 0, 0x029c6fbf, 1u << 7, 1u << 20);
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, MSR_IA32_S_CET_ADDR, &v), MSR_VIRT_FORWARD);
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_S_CET_ADDR, BIT(0) | BIT(2) | UINT64_C(0x7fff00000000)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_S_CET_ADDR, BIT(6)), NULL);
    assert_gp_field(wr(&pass_all, MSR_IA32_S_CET_ADDR, UINT64_C(0x0000800000000000)), "EB_LEG_BITMAP_BASE");
    /* AMD: IA32_VMX_BASIC is absent (CPUID.1:ECX[5] = 0). IA32_MISC_ENABLE, an
     * Intel register with no presence condition, is unknown rather than
     * absent: it passes, and its reserved bits are still checked. */
    setup_amd();
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, 0x480, &v), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, MSR_IA32_MISC_ENABLE_ADDR, &v), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_MISC_ENABLE_ADDR, BIT(1)), NULL);
}
END_TEST

START_TEST(amd_guest_efer)
{
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SVME_MASK | MSR_IA32_EFER_FFXSR_MASK),
                     MSR_VIRT_FORWARD);
    /* MCOMMIT needs CPUID.80000008H:EBX[8], which Zen 1 lacks: reserved (the
     * spec's field condition, not a hand list, decides). */
    assert_gp_field(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_MCOMMIT_MASK), "MCOMMIT");
    test_cpu_set(&amd, 0x80000008, 0, 0x00003030, 0x00001007 | (1u << 8), 0x0000400f, 0);
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_MCOMMIT_MASK), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_EFER_ADDR, BIT(9)), NULL);
    /* Intel's TR (vendors [intel]) is reserved on AMD; AMD's PB1_PB3 is there. */
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(6)), "TR");
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(3) | BIT(5)), MSR_VIRT_FORWARD);
}
END_TEST

START_TEST(vendor_fields_of_unconditional_registers)
{
    /* IA32_DEBUGCTL has no presence condition of its own (presence unknown);
     * its Intel fields are there for an Intel guest all the same. */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(0) | BIT(6) | BIT(7) | BIT(11) | BIT(12)),
                     MSR_VIRT_FORWARD);
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(4)), "PB1_PB3");   /* AMD's */
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(2)), "BUS_LOCK_DETECT"); /* CPUID.(7,0):ECX[24] = 0 */
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(16)), NULL);
    /* FREEZE_WHILE_SMM needs IA32_PERF_CAPABILITIES[12]: unknown without the value, known with it. */
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(14)), "FREEZE_WHILE_SMM");
    test_cpu_set_msr(&intel, 0x345, 0x33c5);
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(14)), MSR_VIRT_FORWARD);
    test_cpu_set_msr(&intel, 0x345, 0x23c5);
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(14)), "FREEZE_WHILE_SMM");
}
END_TEST

START_TEST(shared_addresses_follow_the_guest_cpu)
{
    uint64_t v;

    /* 3F1H: PEBS_ENABLE of Nehalem to Skylake (this guest, family 6 model 5EH:
     * PEBS enables of PMC0-3 and the load-latency enables 35:32), else
     * IA32_PEBS_ENABLE (31:1 and 47:32 enables, bit 63 reserved). */
    ck_assert_int_eq(wr(&pass_all, 0x3F1, BIT(3) | BIT(33)), MSR_VIRT_FORWARD);
    assert_def("PEBS_ENABLE");
    assert_gp_field(wr(&pass_all, 0x3F1, BIT(4)), NULL);
    assert_gp_field(wr(&pass_all, 0x3F1, BIT(63)), "PS_EN"); /* Sandy Bridge only */
    test_cpu_set(&intel, 0x1, 0, 0x000206a7, 0x02100800, 0x7ffafbbf, 0xbfebfbff); /* Sandy Bridge, model 2AH */
    ck_assert_int_eq(wr(&pass_all, 0x3F1, BIT(63)), MSR_VIRT_FORWARD);
    /* Ice Lake (model 7EH) with PEBS baseline (IA32_PERF_CAPABILITIES[14]). */
    test_cpu_set(&intel, 0x1, 0, 0x000706e5, 0x02100800, 0x7ffafbbf, 0xbfebfbff);
    test_cpu_set_msr(&intel, 0x345, UINT64_C(1) << 14);
    test_cpu_set_msr(&intel, MSR_IA32_MISC_ENABLE_ADDR, 0x850089); /* bit 12 = 0: PEBS available */
    ck_assert_int_eq(wr(&pass_all, 0x3F1, BIT(4) | BIT(40)), MSR_VIRT_FORWARD);
    assert_def("IA32_PEBS_ENABLE");
    assert_gp_field(wr(&pass_all, 0x3F1, BIT(63)), NULL);
    /* Without PEBS baseline only PEBS_EN_PMC0 is there. */
    test_cpu_set_msr(&intel, 0x345, 0);
    assert_gp_field(wr(&pass_all, 0x3F1, BIT(4)), "PEBS_EN_GP");
    ck_assert_int_eq(wr(&pass_all, 0x3F1, BIT(0)), MSR_VIRT_FORWARD);

    /* 186H: IA32_PERFEVTSEL0, except on NetBurst (family 0FH), where it is the
     * read-only IA32_MCG_RBP. */
    test_cpu_set(&intel, 0x1, 0, 0x000506e3, 0x02100800, 0x7ffafbbf, 0xbfebfbff);
    ck_assert_int_eq(wr(&pass_all, 0x186, BIT(22) | 0x3c), MSR_VIRT_FORWARD);
    test_cpu_set(&intel, 0x1, 0, 0x00000f41, 0x02100800, 0x0000649d, 0xbfebfbff);
    test_cpu_set_msr(&intel, 0x179, UINT64_C(1) << 9); /* IA32_MCG_CAP.MCG_EXT_P */
    assert_gp_field(wr(&pass_all, 0x186, BIT(22)), NULL);
    ck_assert_str_eq(vcpu.reason, "read-only register: WRMSR raises #GP");
    assert_def("IA32_MCG_RBP");
    ck_assert_int_eq(msr_virt_rdmsr(&pass_all, &vcpu, 0x186, &v), MSR_VIRT_FORWARD);
}
END_TEST

/* ---- undocumented (implementation-specific) fields ------------------------ */

/* The number of cells of a record: its definition, masks and fields, and
 * the conditions and values they refer to. */
static size_t record_cells(const struct msr_def *def)
{
    size_t end = 2u + def->field_count;
    unsigned i;

    if (def->present_if != MSR_NO_CELL && def->present_if + msr_def_condition(def, def->present_if)->size > end)
        end = def->present_if + msr_def_condition(def, def->present_if)->size;
    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        if (f->present_if != MSR_NO_CELL && f->present_if + msr_def_condition(def, f->present_if)->size > end)
            end = f->present_if + msr_def_condition(def, f->present_if)->size;
        if (f->value_count != 0 && f->values + (f->value_count + MSR_CELL_VALUES - 1u) / MSR_CELL_VALUES > end)
            end = f->values + (f->value_count + MSR_CELL_VALUES - 1u) / MSR_CELL_VALUES;
    }
    return end;
}

START_TEST(undocumented_fields)
{
    /* IA32_SYSENTER_CS: CS_SELECTOR 15:0, and NOT_USED 63:16, undocumented
     * (the SDM: those bits can be read and written). */
    static const struct msr_virt_entry emulated[] = {
        MSR_VIRT_ONE(MSR_IA32_SYSENTER_CS_ADDR, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    };
    static const struct msr_virt_entry unchecked[] = {
        { MSR_IA32_SYSENTER_CS_ADDR, MSR_IA32_SYSENTER_CS_ADDR, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE,
          MSR_VIRT_NO_SPEC_CHECKS, 0, NULL, NULL },
    };
    const struct msr_virt_policy p = { emulated, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    const struct msr_virt_policy u = { unchecked, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    const struct msr_def *spec = MSR_DEF(IA32_SYSENTER_CS);
    union msr_cell described[16];
    struct msr_virt_entry own[1] = { MSR_VIRT_REG(IA32_SYSENTER_CS, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE) };
    const struct msr_virt_policy o = { own, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, NULL };
    size_t cells = record_cells(spec);

    ck_assert_ptr_eq(spec, msr_def_of(msr_find_by_address(MSR_IA32_SYSENTER_CS_ADDR)));
    ck_assert_uint_eq(spec->field_count, 2);
    ck_assert(msr_def_field(spec, 1)->flags & MSR_FIELD_F_UNDOCUMENTED);

    /* Not reserved: a write that sets them is no #GP, and passes through as
     * written (the real register decides, as when the map lets it through). */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0xffff0010)), MSR_VIRT_FORWARD);
    /* Not writable by the guest when emulated: they keep their value (a
     * read-modify-write works; a change is dropped, not a #GP). */
    test_regs_set(&regs, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0x12340008));
    ck_assert_int_eq(wr(&p, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0x12340010)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_SYSENTER_CS_ADDR), UINT64_C(0x12340010));
    ck_assert_int_eq(wr(&p, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0xffff0018)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_SYSENTER_CS_ADDR), UINT64_C(0x12340018));
    ck_assert_int_eq(wr(&p, MSR_IA32_SYSENTER_CS_ADDR, 0x20), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_SYSENTER_CS_ADDR), UINT64_C(0x12340020));
    /* The same from the register's own record, with no spec. */
    own[0].def = spec;
    ck_assert_int_eq(msr_virt_policy_check(&o, NULL), MSR_OK);
    ck_assert_int_eq(wr(&o, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0xffff0028)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_SYSENTER_CS_ADDR), UINT64_C(0x12340028));
    ck_assert_ptr_eq(vcpu.def, spec);

    /* The policy says otherwise: MSR_VIRT_NO_SPEC_CHECKS stores the value as written ... */
    ck_assert_int_eq(wr(&u, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0xffff0018)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_SYSENTER_CS_ADDR), UINT64_C(0xffff0018));
    ck_assert_ptr_null(vcpu.def);
    /* ... and so does an entry's own record that documents the bits (a copy
     * of the spec's; every other check still applies). */
    ck_assert_uint_le(cells, sizeof described / sizeof described[0]);
    memcpy(described, msr_def_cells(spec), cells * sizeof described[0]);
    described[2 + 1].field.flags &= ~MSR_FIELD_F_UNDOCUMENTED;
    described[1].masks.writable |= msr_field_mask(&described[2 + 1].field);
    own[0].def = &described[0].def;
    ck_assert_int_eq(msr_virt_policy_check(&o, NULL), MSR_OK);
    ck_assert_int_eq(wr(&o, MSR_IA32_SYSENTER_CS_ADDR, UINT64_C(0xabcd0008)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_SYSENTER_CS_ADDR), UINT64_C(0xabcd0008));
    ck_assert_ptr_eq(vcpu.def, &described[0].def);
    /* Its presence condition came along: without SEP (CPUID.1:EDX[11]) the register is absent. */
    test_cpu_set(&intel, 0x00000001, 0, 0x000506e3, 0x02100800, 0x7ffafbbf, 0xbfebfbff & ~(1u << 11));
    assert_gp_field(wr(&o, MSR_IA32_SYSENTER_CS_ADDR, 0x8), NULL);
    ck_assert_str_eq(vcpu.reason, "the guest's CPU does not have this register (its presence condition is false)");
}
END_TEST

START_TEST(undocumented_fields_amd)
{
    /* HWCR: Zen 1 reads 0x9000011 (bit 4 of IMPL_7_1, TSCFREQSEL, bit 27).
     * A read-modify-write through a pass-through policy is accepted (the
     * implementation-specific bits are not reserved); emulated, the guest
     * cannot change them. */
    static const struct msr_virt_entry emulated[] = {
        MSR_VIRT_ONE(0xC0010015, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    };
    const struct msr_virt_policy p = { emulated, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };

    ck_assert_int_eq(wr(&pass_all, 0xC0010015, UINT64_C(0x9000011) | BIT(30)), MSR_VIRT_FORWARD);
    test_regs_set(&regs, 0xC0010015, UINT64_C(0x9000011));
    ck_assert_int_eq(wr(&p, 0xC0010015, UINT64_C(0x9000011) | BIT(30)), MSR_VIRT_HANDLED); /* IRPERFEN */
    ck_assert_uint_eq(test_regs_get(&regs, 0xC0010015), UINT64_C(0x9000011) | BIT(30));
    ck_assert_int_eq(wr(&p, 0xC0010015, BIT(30) | BIT(1) | BIT(40)), MSR_VIRT_HANDLED); /* IMPL bits, TSCFREQSEL (ro) */
    ck_assert_uint_eq(test_regs_get(&regs, 0xC0010015), UINT64_C(0x1000010) | BIT(30));
}
END_TEST

/* ---- emulation: merging read-only and write-1-to-clear bits --------------- */

/* A register the spec lacks, described by a record made by hand: bits 3:0
 * rw (CTRL), 7:4 ro (STATE), 11:8 write-1-to-clear (EVENTS), bits 63:16 a
 * canonical address (ADDR, field 3). It has no text: its fields are known by
 * index. */
#define STATUS_ADDR_FIELD 3
static const union msr_cell status_record[] = {
    { .def = { .address = 0x4000F000u, .vendors = MSR_VENDOR_ALL, .count = 1, .field_count = 4,
               .access = MSR_ACCESS_RW } },
    { .masks = { .reserved = UINT64_C(0xF000), .writable = UINT64_C(0xFFFFFFFFFFFF0F0F), .w1c = UINT64_C(0xF00),
                 .canonical = UINT64_C(0xFFFFFFFFFFFF0000) } },
    { .field = { .msb = 3, .lsb = 0, .access = MSR_ACCESS_RW } },
    { .field = { .msb = 7, .lsb = 4, .access = MSR_ACCESS_RO } },
    { .field = { .msb = 11, .lsb = 8, .access = MSR_ACCESS_RW1C } },
    { .field = { .msb = 63, .lsb = 16, .access = MSR_ACCESS_RW, .flags = MSR_FIELD_F_CANONICAL } },
};
#define STATUS_DEF (&status_record[0].def)

START_TEST(emulated_merge)
{
    static const struct msr_virt_entry entries[] = {
        { 0x4000F000u, 0x4000F000u, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, 0, 0, &test_emulator, STATUS_DEF },
    };
    const struct msr_virt_policy p = { entries, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, NULL };
    uint64_t v;

    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    test_regs_set(&regs, 0x4000F000u, 0x0A5Au); /* STATE = 5, EVENTS = 0xA, CTRL = 0xA */
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x4000F000u, &v), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(v, 0x0A5A);

    /* CTRL := 3, try STATE := F (ignored, keeps 5), clear EVENTS bit 9 (1 written) keep bit 11. */
    ck_assert_int_eq(wr(&p, 0x4000F000u, 0x02F3), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(regs.last_write_value, 0x0853);
    ck_assert_uint_eq(test_regs_get(&regs, 0x4000F000u), 0x0853);
    /* Writing 0 to EVENTS changes nothing there; the address field. */
    ck_assert_int_eq(wr(&p, 0x4000F000u, UINT64_C(0xffff800000010000)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, 0x4000F000u), UINT64_C(0xffff800000010850));
    /* Reserved bits 15:12, non-canonical address. */
    assert_gp_field(wr(&p, 0x4000F000u, BIT(12)), NULL);
    ck_assert_ptr_eq(vcpu.def, STATUS_DEF);
    ck_assert_int_eq(wr(&p, 0x4000F000u, UINT64_C(0x0000800000000000)), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "not a canonical linear address");
    ck_assert_ptr_eq(vcpu.def, STATUS_DEF);
    ck_assert_int_eq(vcpu.field, STATUS_ADDR_FIELD);

    /* The emulator cannot read the current value: #GP, no write. */
    regs.read_answer = MSR_VIRT_INJECT_GP;
    regs.writes = 0;
    ck_assert_int_eq(wr(&p, 0x4000F000u, 1), MSR_VIRT_INJECT_GP);
    ck_assert_uint_eq(regs.writes, 0);
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x4000F000u, &v), MSR_VIRT_INJECT_GP);
    ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(emulated_spec_register)
{
    /* IA32_MISC_ENABLE emulated: its read-only bits keep their value. */
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_ONE(MSR_IA32_MISC_ENABLE_ADDR, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    };
    const struct msr_virt_policy p = { entries, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };

    test_regs_set(&regs, MSR_IA32_MISC_ENABLE_ADDR, 0x850089);
    ck_assert_int_eq(wr(&p, MSR_IA32_MISC_ENABLE_ADDR, 0x850008), MSR_VIRT_HANDLED); /* clear FAST_STRINGS and PERF_MON_AVAILABLE (ro) */
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_MISC_ENABLE_ADDR), 0x850088);
    assert_gp_field(wr(&p, MSR_IA32_MISC_ENABLE_ADDR, 0x850089 | BIT(1)), NULL);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_MISC_ENABLE_ADDR), 0x850088);
}
END_TEST

START_TEST(emulator_answers)
{
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_ONE(0x10000001, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE), /* not in the spec */
    };
    const struct msr_virt_policy p = { entries, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    uint64_t v;

    ck_assert_ptr_null(msr_find_by_address(0x10000001));
    regs.read_answer = MSR_VIRT_FORWARD;
    regs.write_answer = MSR_VIRT_FORWARD;
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x10000001, &v), MSR_VIRT_FORWARD);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(wr(&p, 0x10000001, 5), MSR_VIRT_FORWARD);
    ck_assert_str_eq(vcpu.reason, "the emulator forwards the access to the VMM");
    regs.write_answer = MSR_VIRT_INJECT_GP;
    ck_assert_int_eq(wr(&p, 0x10000001, 5), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "the emulator refused the write");
    regs.write_answer = (enum msr_virt_result)77; /* anything else counts as #GP */
    ck_assert_int_eq(wr(&p, 0x10000001, 5), MSR_VIRT_INJECT_GP);
}
END_TEST

START_TEST(unchecked_policy_without_emulator)
{
    /* msr_virt_policy_check() refuses this policy; the handler copes anyway. */
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_ONE(0x10000002, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE), /* addresses the spec lacks */
        { 0x10000003, 0x10000003, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, 0, 0, NULL, STATUS_DEF },
        MSR_VIRT_ONE(0x10000004, (enum msr_virt_action)9, (enum msr_virt_action)9),
    };
    const struct msr_virt_policy p = { entries, 3, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    uint64_t v;

    ck_assert_int_ne(msr_virt_policy_check(&p, NULL), MSR_OK);
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x10000002, &v), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "no emulator for this MSR");
    ck_assert_int_eq(wr(&p, 0x10000002, 1), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "no emulator for this MSR");
    /* An action outside the enum is a denial. */
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0x10000004, &v), MSR_VIRT_INJECT_GP);
    ck_assert_int_eq(wr(&p, 0x10000004, 1), MSR_VIRT_INJECT_GP);
    /* FIXED as a default (refused by the check) has no value: reads 0, writes #GP. */
    {
        const struct msr_virt_policy f = { NULL, 0, MSR_VIRT_FIXED, MSR_VIRT_FIXED, NULL, &msr_spec };
        ck_assert_int_ne(msr_virt_policy_check(&f, NULL), MSR_OK);
        v = 9;
        ck_assert_int_eq(msr_virt_rdmsr(&f, &vcpu, 0x10, &v), MSR_VIRT_HANDLED);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(wr(&f, 0x10, 0), MSR_VIRT_INJECT_GP);
    }
}
END_TEST

START_TEST(no_spec_checks_flag)
{
    static const struct msr_virt_entry entries[] = {
        { MSR_IA32_EFER_ADDR, MSR_IA32_EFER_ADDR, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, MSR_VIRT_NO_SPEC_CHECKS, 0, NULL, NULL },
        { 0xFE, 0xFE, MSR_VIRT_PASS, MSR_VIRT_PASS, MSR_VIRT_NO_SPEC_CHECKS, 0, NULL, NULL },
    };
    const struct msr_virt_policy p = { entries, 2, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    uint64_t v;

    ck_assert_int_eq(wr(&p, MSR_IA32_EFER_ADDR, BIT(63) | MSR_IA32_EFER_SVME_MASK), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_EFER_ADDR), BIT(63) | MSR_IA32_EFER_SVME_MASK);
    ck_assert_int_eq(wr(&p, 0xFE, 1), MSR_VIRT_FORWARD);
    ck_assert_int_eq(msr_virt_rdmsr(&p, &vcpu, 0xFE, &v), MSR_VIRT_FORWARD);
}
END_TEST

START_TEST(no_facts)
{
    /* Nothing known about the guest: no presence answers; strict masks make
     * every conditional field reserved (never a wrong yes). */
    vcpu.facts = NULL;
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_S_CET_ADDR, 0), MSR_VIRT_FORWARD);
    /* SH_STK_EN needs CPUID.(7,0):ECX[7]: unknown here, so reserved. */
    assert_gp_field(wr(&pass_all, MSR_IA32_S_CET_ADDR, BIT(0)), "SH_STK_EN");
    /* A field without vendors or condition is there wherever its register is. */
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(0) | BIT(1)), MSR_VIRT_FORWARD);
    /* One with vendors is not known to be there when the vendor is unknown. */
    assert_gp_field(wr(&pass_all, MSR_IA32_DEBUGCTL_ADDR, BIT(7)), "BTS");
    assert_gp_field(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SVME_MASK), "SVME");
    /* Every EFER field now has a CPUID condition (NXE: CPUID.80000001H:EDX[20]). */
    assert_gp_field(wr(&pass_all, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_NXE_MASK), "NXE");
    ck_assert_int_eq(wr(&pass_all, MSR_IA32_EFER_ADDR, 0), MSR_VIRT_FORWARD);
}
END_TEST

/* ---- a policy of records, no spec ---------------------------------------- */

/* Entries that name their registers' records, and a NULL spec: the checks
 * are those of the spec's registers, array instances by their own index. */
static const struct msr_virt_entry record_entries[] = {
    MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_MISC_ENABLE, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_ARRAY(IA32_MCx_CTL2, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    { MSR_IA32_MTRR_PHYSBASEx_ADDR(3), MSR_IA32_MTRR_PHYSBASEx_ADDR(3), MSR_VIRT_PASS, MSR_VIRT_PASS, 0u, 0u, NULL,
      MSR_DEF(IA32_MTRR_PHYSBASEx) },
    MSR_VIRT_CONSTANT(MSR_IA32_PLATFORM_ID_ADDR, 0),
    MSR_VIRT_RANGE(0x10000000, 0x100000FF, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
};
static const struct msr_virt_policy records_only = {
    record_entries, sizeof record_entries / sizeof record_entries[0], MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator,
    NULL
};

START_TEST(records_without_spec)
{
    uint64_t v;

    ck_assert_int_eq(msr_virt_policy_check(&records_only, NULL), MSR_OK);
    /* IA32_EFER as under the whole spec. */
    ck_assert_int_eq(wr(&records_only, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SCE_MASK | MSR_IA32_EFER_NXE_MASK |
                                                              MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK),
                     MSR_VIRT_FORWARD);
    ck_assert_ptr_eq(vcpu.def, MSR_DEF(IA32_EFER));
    assert_gp_field(wr(&records_only, MSR_IA32_EFER_ADDR, BIT(63)), NULL);
    ck_assert_str_eq(vcpu.reason, "a reserved bit is set");
    ck_assert_ptr_eq(vcpu.def, MSR_DEF(IA32_EFER));
    assert_gp_field(wr(&records_only, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SVME_MASK), "SVME");
    /* IA32_MISC_ENABLE emulated: read-only bits kept, reserved bits #GP. */
    test_regs_set(&regs, MSR_IA32_MISC_ENABLE_ADDR, 0x850089);
    ck_assert_int_eq(wr(&records_only, MSR_IA32_MISC_ENABLE_ADDR, 0x850008), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_MISC_ENABLE_ADDR), 0x850088);
    assert_gp_field(wr(&records_only, MSR_IA32_MISC_ENABLE_ADDR, 0x850089 | BIT(1)), NULL);

    /* IA32_MCi_CTL2 (stride 1): instance i is there when IA32_MCG_CAP
     * reports CMCI and more than i banks; here 4. */
    test_cpu_set_msr(&intel, 0x179, MSR_IA32_MCG_CAP_MCG_CMCI_P_MASK | 4);
    ck_assert_int_eq(wr(&records_only, MSR_IA32_MCx_CTL2_ADDR(3), BIT(30) | 5), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_MCx_CTL2_ADDR(3)), BIT(30) | 5);
    ck_assert_ptr_eq(vcpu.def, MSR_DEF(IA32_MCx_CTL2));
    ck_assert_int_eq(wr(&records_only, MSR_IA32_MCx_CTL2_ADDR(4), BIT(30)), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "the guest's CPU does not have this register (its presence condition is false)");
    ck_assert_int_eq(msr_virt_rdmsr(&records_only, &vcpu, MSR_IA32_MCx_CTL2_ADDR(31), &v), MSR_VIRT_INJECT_GP);
    ck_assert_ptr_eq(vcpu.def, MSR_DEF(IA32_MCx_CTL2));
    assert_gp_field(wr(&records_only, MSR_IA32_MCx_CTL2_ADDR(0), BIT(31)), NULL);
    test_cpu_set_msr(&intel, 0x179, MSR_IA32_MCG_CAP_MCG_CMCI_P_MASK | 32);
    ck_assert_int_eq(msr_virt_rdmsr(&records_only, &vcpu, MSR_IA32_MCx_CTL2_ADDR(31), &v), MSR_VIRT_HANDLED);

    /* IA32_MTRR_PHYSBASE3 (stride 2, one instance named): there when
     * IA32_MTRRCAP.VCNT > 3; its memory type is checked. */
    test_cpu_set_msr(&intel, MSR_IA32_MTRRCAP_ADDR, 0x508);
    ck_assert_int_eq(wr(&records_only, 0x206, UINT64_C(0x80000006)), MSR_VIRT_FORWARD);
    assert_gp_field(wr(&records_only, 0x206, UINT64_C(0x80000002)), "TYPE");
    test_cpu_set_msr(&intel, MSR_IA32_MTRRCAP_ADDR, 0x503);
    assert_gp_field(wr(&records_only, 0x206, UINT64_C(0x80000006)), NULL);
    ck_assert_str_eq(vcpu.reason, "the guest's CPU does not have this register (its presence condition is false)");
    ck_assert_ptr_eq(vcpu.def, MSR_DEF(IA32_MTRR_PHYSBASEx));

    /* What the policy decides alone, and the defaults. */
    ck_assert_int_eq(msr_virt_rdmsr(&records_only, &vcpu, MSR_IA32_PLATFORM_ID_ADDR, &v), MSR_VIRT_HANDLED);
    ck_assert_int_eq(wr(&records_only, 0x10000010, 5), MSR_VIRT_HANDLED);
    ck_assert_ptr_null(vcpu.def);
    ck_assert_int_eq(msr_virt_rdmsr(&records_only, &vcpu, 0x204, &v), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(vcpu.reason, "the policy denies reads of this MSR");
    ck_assert_ptr_null(vcpu.def);
}
END_TEST

/* A policy whose spec is NULL and whose entry names no register: the
 * handler runs no spec check (msr_virt_policy_check() refuses the policy). */
START_TEST(no_spec_no_record_no_checks)
{
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_ONE(MSR_IA32_EFER_ADDR, MSR_VIRT_PASS, MSR_VIRT_EMULATE),
    };
    const struct msr_virt_policy p = { entries, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, NULL };
    const struct msr_virt_policy d = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, NULL };
    uint64_t v;

    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_VIRT_ERR_POLICY);
    ck_assert_int_eq(msr_virt_policy_check(&d, NULL), MSR_VIRT_ERR_POLICY);
    ck_assert_int_eq(wr(&p, MSR_IA32_EFER_ADDR, BIT(63)), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(test_regs_get(&regs, MSR_IA32_EFER_ADDR), BIT(63));
    ck_assert_ptr_null(vcpu.def);
    ck_assert_int_eq(wr(&d, MSR_IA32_EFER_ADDR, BIT(63)), MSR_VIRT_FORWARD);
    ck_assert_int_eq(msr_virt_rdmsr(&d, &vcpu, MSR_IA32_BIOS_UPDT_TRIG_ADDR, &v), MSR_VIRT_FORWARD);
    ck_assert_ptr_null(vcpu.def);
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(msr_virt_result_name(MSR_VIRT_HANDLED), "handled");
    ck_assert_str_eq(msr_virt_result_name(MSR_VIRT_INJECT_GP), "inject #GP");
    ck_assert_str_eq(msr_virt_result_name(MSR_VIRT_FORWARD), "forward");
    ck_assert_str_eq(msr_virt_result_name((enum msr_virt_result)9), "?");
    ck_assert_str_eq(msr_virt_action_name(MSR_VIRT_DENY), "deny");
    ck_assert_str_eq(msr_virt_action_name(MSR_VIRT_PASS), "pass");
    ck_assert_str_eq(msr_virt_action_name(MSR_VIRT_EMULATE), "emulate");
    ck_assert_str_eq(msr_virt_action_name(MSR_VIRT_IGNORE), "ignore");
    ck_assert_str_eq(msr_virt_action_name(MSR_VIRT_FIXED), "fixed");
    ck_assert_str_eq(msr_virt_action_name((enum msr_virt_action)9), "?");
    ck_assert_str_eq(msr_virt_strerror(MSR_VIRT_ERR_POLICY), "invalid MSR policy");
    ck_assert_str_eq(msr_virt_strerror(MSR_VIRT_ERR_REFUSED), "the manuals forbid this MSR list entry");
    ck_assert_ptr_nonnull(strstr(msr_virt_strerror(MSR_VIRT_ERR_FULL), "no room"));
    ck_assert_str_eq(msr_virt_strerror(MSR_VMX_ERR_UNSUPPORTED), msr_vmx_strerror(MSR_VMX_ERR_UNSUPPORTED));
    ck_assert_str_eq(msr_virt_strerror(MSR_ERR_INVALID), msr_strerror(MSR_ERR_INVALID));
    ck_assert(msr_virt_pat_valid(UINT64_C(0x0007040600070406)));
    ck_assert(!msr_virt_pat_valid(UINT64_C(0x0800000000000000)));
}
END_TEST

static Suite *handler_suite(void)
{
    Suite *s = suite_create("virt_handler");
    TCase *ti = tcase_create("intel");
    TCase *ta = tcase_create("amd");

    tcase_add_checked_fixture(ti, setup_intel, NULL);
    tcase_add_test(ti, actions);
    tcase_add_test(ti, defaults_ignore_and_emulate);
    tcase_add_test(ti, hypervisor_msrs_follow_cpuid);
    tcase_add_test(ti, vendor_fields_of_unconditional_registers);
    tcase_add_test(ti, shared_addresses_follow_the_guest_cpu);
    tcase_add_test(ti, undocumented_fields);
    tcase_add_test(ti, null_arguments);
    tcase_add_test(ti, pass_through_is_checked);
    tcase_add_test(ti, linear_bits_from_cpuid);
    tcase_add_test(ti, rtit_ctl_follows_leaf_14h);
    tcase_add_test(ti, absent_register_even_when_passed);
    tcase_add_test(ti, emulated_merge);
    tcase_add_test(ti, emulated_spec_register);
    tcase_add_test(ti, emulator_answers);
    tcase_add_test(ti, no_spec_checks_flag);
    tcase_add_test(ti, unchecked_policy_without_emulator);
    tcase_add_test(ti, no_facts);
    tcase_add_test(ti, records_without_spec);
    tcase_add_test(ti, no_spec_no_record_no_checks);
    tcase_add_test(ti, names);
    suite_add_tcase(s, ti);
    tcase_add_checked_fixture(ta, setup_amd, NULL);
    tcase_add_test(ta, amd_guest_efer);
    tcase_add_test(ta, undocumented_fields_amd);
    suite_add_tcase(s, ta);
    return s;
}

int main(void)
{
    return test_run_suite(handler_suite());
}
