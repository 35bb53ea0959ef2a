/* The issue-21 audit's findings, asked of the library as a user asks them:
 * for a processor described by its CPUID leaves and a few MSR values, is
 * this register or field there (msr_is_supported, msr_field_is_supported)?
 * Each finding has a processor where the manuals say yes and one where they
 * say no; the sources are in tests/crosscheck/audit_notes.tsv. */

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86msr/cpuid.h"
#include "x86msr/meta.h"

#define INTEL { 0x23, 0x756E6547u, 0x6C65746Eu, 0x49656E69u } /* GenuineIntel */
#define AMD { 0x10, 0x68747541u, 0x444D4163u, 0x69746E65u }   /* AuthenticAMD */
#define HYGON { 0x0D, 0x6F677948u, 0x656E6975u, 0x6E65476Eu } /* HygonGenuine */

/* CPUID.01H:EAX of a display family and model (extended fields as the SDM
 * and APM compose them). */
#define SIG(family, model)                                                                     \
    ((((family) > 0xFu ? (family) - 0xFu : 0u) << 20) | (((model) >> 4) << 16) |                     \
     (((family) > 0xFu ? 0xFu : (unsigned)(family)) << 8) | (((model) & 0xFu) << 4))

struct cpu {
    struct msr_cpuid_regs vendor;
    uint32_t signature;                  /* CPUID.01H:EAX */
    uint32_t leaf1_ecx, leaf1_edx;
    struct msr_cpuid_entry more[3];      /* further leaves (leaf 0 ends the list) */
    struct { uint32_t msr; uint64_t value; } msrs[2]; /* known MSR values (address 0 ends) */
};

#define CPU(vendor_, signature_, ecx_, edx_) \
    .vendor = vendor_, .signature = (signature_), .leaf1_ecx = (ecx_), .leaf1_edx = (edx_)

struct finding {
    const char *reg;   /* an instance name */
    const char *field; /* NULL: the register */
    struct cpu cpu;
    enum msr_support expected;
};

static int read_known(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct cpu *c = ctx;
    unsigned i;
    for (i = 0; i < 2 && c->msrs[i].msr; i++)
        if (c->msrs[i].msr == msr) {
            *value = c->msrs[i].value;
            return 0;
        }
    return -1; /* not known: conditions on it stay unknown */
}

#define LEAF(l, s, a, b, c_, d) { (l), (s), { (a), (b), (c_), (d) } }
#define BIT(n) (1u << (n))

static const struct finding findings[] = {
    /* IA32_THERM_STATUS: bits 6-9 with TM2, 10-11 with PLN, 12-15 with HWP, readout with DTS */
    { "IA32_THERM_STATUS", "THRESHOLD1_LOG", { CPU(INTEL, SIG(6, 0x3C), 0, BIT(22)) }, MSR_SUPPORT_NO },
    { "IA32_THERM_STATUS", "THRESHOLD1_LOG", { CPU(INTEL, SIG(6, 0x3C), BIT(8), BIT(22)) }, MSR_SUPPORT_YES },
    { "IA32_THERM_STATUS", "POWER_LIMITATION_LOG",
      { CPU(INTEL, SIG(6, 0x17), 0, BIT(22)), .more = { LEAF(6, 0, BIT(0), 0, 0, 0) } }, MSR_SUPPORT_NO },
    { "IA32_THERM_STATUS", "POWER_LIMITATION_LOG",
      { CPU(INTEL, SIG(6, 0x3C), 0, BIT(22)), .more = { LEAF(6, 0, BIT(4), 0, 0, 0) } }, MSR_SUPPORT_YES },
    { "IA32_THERM_STATUS", "CURRENT_LIMIT_LOG",
      { CPU(INTEL, SIG(6, 0x2A), 0, BIT(22)), .more = { LEAF(6, 0, BIT(4), 0, 0, 0) } }, MSR_SUPPORT_NO },
    { "IA32_THERM_STATUS", "CROSS_DOMAIN_LIMIT_LOG",
      { CPU(INTEL, SIG(6, 0x4E), 0, BIT(22)), .more = { LEAF(6, 0, BIT(7), 0, 0, 0) } }, MSR_SUPPORT_YES },
    { "IA32_THERM_STATUS", "DIGITAL_READOUT",
      { CPU(INTEL, SIG(6, 0x0F), 0, BIT(22)), .more = { LEAF(6, 0, 0, 0, 0, 0) } }, MSR_SUPPORT_NO },
    /* IA32_PERF_GLOBAL_STATUS/_RESET/_SET bit 48 with IA32_PERF_CAPABILITIES[15] */
    { "IA32_PERF_GLOBAL_STATUS", "OVF_PERF_METRICS",
      { CPU(INTEL, SIG(6, 0x8C), BIT(15), 0), .more = { LEAF(0xA, 0, 0x08300805u, 0, 0, 0x603) },
        .msrs = { { 0x345, 0x4000 } } },
      MSR_SUPPORT_NO },
    { "IA32_PERF_GLOBAL_STATUS_RESET", "OVF_PERF_METRICS",
      { CPU(INTEL, SIG(6, 0x8C), BIT(15), 0), .more = { LEAF(0xA, 0, 0x08300805u, 0, 0, 0x603) },
        .msrs = { { 0x345, 0xC000 } } },
      MSR_SUPPORT_YES },
    { "IA32_PERF_GLOBAL_STATUS_SET", "OVF_PERF_METRICS",
      { CPU(INTEL, SIG(6, 0x8C), BIT(15), 0), .more = { LEAF(0xA, 0, 0x08300805u, 0, 0, 0x603) },
        .msrs = { { 0x345, 0 } } },
      MSR_SUPPORT_NO },
    /* IA32_RTIT_STATUS: PACKET_BYTE_CNT with CPUID.14H:EBX[1], PEND_PSB with EBX[6] */
    { "IA32_RTIT_STATUS", "PACKET_BYTE_CNT",
      { CPU(INTEL, SIG(6, 0x3D), 0, 0), .more = { LEAF(7, 0, 0, BIT(25), 0, 0), LEAF(0x14, 0, 0, 0, 0, 0) } },
      MSR_SUPPORT_NO },
    { "IA32_RTIT_STATUS", "PEND_PSB",
      { CPU(INTEL, SIG(6, 0x5E), 0, 0), .more = { LEAF(7, 0, 0, BIT(25), 0, 0), LEAF(0x14, 0, 0, BIT(6), 0, 0) } },
      MSR_SUPPORT_YES },
    /* LBR_SELECT.EN_CALLSTACK from Haswell on */
    { "LBR_SELECT", "EN_CALLSTACK", { CPU(INTEL, SIG(6, 0x2A), 0, 0) }, MSR_SUPPORT_NO },
    { "LBR_SELECT", "EN_CALLSTACK", { CPU(INTEL, SIG(6, 0x3C), 0, 0) }, MSR_SUPPORT_YES },
    /* IA32_PERFEVTSEL: PC reserved from Sandy Bridge on, UMASK2 with CPUID.23H:EBX[0] */
    { "IA32_PERFEVTSEL0", "PC", { CPU(INTEL, SIG(6, 0x3C), 0, 0), .more = { LEAF(0xA, 0, 0x08300803u, 0, 0, 0) } },
      MSR_SUPPORT_NO },
    { "IA32_PERFEVTSEL0", "PC", { CPU(INTEL, SIG(6, 0x17), 0, 0), .more = { LEAF(0xA, 0, 0x07280202u, 0, 0, 0) } },
      MSR_SUPPORT_YES },
    { "IA32_PERFEVTSEL1", "UMASK2",
      { CPU(INTEL, SIG(6, 0xAA), 0, 0),
        .more = { LEAF(0xA, 0, 0x08300805u, 0, 0, 0), LEAF(0x23, 0, 0, BIT(0), 0, 0) } },
      MSR_SUPPORT_YES },
    /* HWP: PACKAGE_CONTROL with CPUID.06H:EAX[11], HIGHEST_CHANGE with EAX[15], PECI with EAX[16] */
    { "IA32_HWP_REQUEST", "PACKAGE_CONTROL", { CPU(INTEL, SIG(6, 0x4E), 0, 0),
      .more = { LEAF(6, 0, BIT(7), 0, 0, 0) } },
      MSR_SUPPORT_NO },
    { "IA32_HWP_REQUEST", "PACKAGE_CONTROL",
      { CPU(INTEL, SIG(6, 0x55), 0, 0), .more = { LEAF(6, 0, BIT(7) | BIT(11), 0, 0, 0) } }, MSR_SUPPORT_YES },
    { "IA32_HWP_STATUS", "HIGHEST_CHANGE", { CPU(INTEL, SIG(6, 0x8C), 0, 0),
      .more = { LEAF(6, 0, BIT(7) | BIT(15), 0, 0, 0) } },
      MSR_SUPPORT_YES },
    { "IA32_HWP_INTERRUPT", "EN_PECI_OVERRIDE",
      { CPU(INTEL, SIG(6, 0x8C), 0, 0),
        .more = { LEAF(6, 0, BIT(7) | BIT(8) | BIT(15), 0, 0, 0) } }, MSR_SUPPORT_NO },
    /* AMD MCA: PADDRV with MCA_CONFIG[11] */
    { "MCA0_STATUS", "PADDRV",
      { CPU(AMD, SIG(0x19, 0x11), 0, BIT(14)), .more = { LEAF(0x80000007u, 0, 0, BIT(3), 0, 0) },
        .msrs = { { 0x179, 0x11c }, { 0xC0002004u, 0x1u | BIT(11) } } },
      MSR_SUPPORT_YES },
    { "MCA0_STATUS", "PADDRV",
      { CPU(AMD, SIG(0x19, 0x11), 0, BIT(14)), .more = { LEAF(0x80000007u, 0, 0, BIT(3), 0, 0) },
        .msrs = { { 0x179, 0x11c }, { 0xC0002004u, 0x1u } } },
      MSR_SUPPORT_NO },
    /* L2I_PERF_CTL: the high thread mask of families 17H/18H, not on 19H */
    { "L2I_PERF_CTL0", "THREAD_MASK_HI", { CPU(AMD, SIG(0x17, 0x31), 0, 0),
      .more = { LEAF(0x80000001u, 0, 0, 0, BIT(28), 0) } },
      MSR_SUPPORT_YES },
    { "L2I_PERF_CTL0", "THREAD_MASK_HI", { CPU(AMD, SIG(0x19, 0x21), 0, 0),
      .more = { LEAF(0x80000001u, 0, 0, 0, BIT(28), 0) } },
      MSR_SUPPORT_NO },
    /* Hygon family 18H implements the family-17H configuration registers */
    { "PATCH_LOADER", NULL, { CPU(HYGON, SIG(0x18, 0x01), 0, 0) }, MSR_SUPPORT_YES },
    { "PATCH_LEVEL", NULL, { CPU(HYGON, SIG(0x18, 0x01), 0, 0) }, MSR_SUPPORT_YES },
    { "DE_CFG", NULL, { CPU(HYGON, SIG(0x18, 0x01), 0, 0) }, MSR_SUPPORT_YES },
    { "LS_CFG", NULL, { CPU(HYGON, SIG(0x18, 0x01), 0, 0) }, MSR_SUPPORT_YES },
    /* IA32_FEATURE_CONTROL with local machine-check exceptions alone (IA32_MCG_CAP[27]) */
    { "IA32_FEATURE_CONTROL", NULL, { CPU(INTEL, SIG(6, 0x55), 0, BIT(14)), .msrs = { { 0x179, BIT(27) | 0x14 } } },
      MSR_SUPPORT_YES },
    { "IA32_FEATURE_CONTROL", NULL, { CPU(INTEL, SIG(6, 0x55), 0, BIT(14)), .msrs = { { 0x179, 0x14 } } },
      MSR_SUPPORT_NO },
    /* IA32_EFER with SYSCALL but neither NX nor long mode (AMD-K6) */
    { "IA32_EFER", NULL, { CPU(AMD, SIG(5, 0x8), 0, 0), .more = { LEAF(0x80000001u, 0, 0, 0, 0, BIT(11)) } },
      MSR_SUPPORT_YES },
    /* TEMPERATURE_TARGET: offset bits 29:28 not on Sandy/Ivy Bridge, there from Broadwell */
    { "TEMPERATURE_TARGET", "TCC_ACTIVATION_OFFSET_HI", { CPU(INTEL, SIG(6, 0x3A), 0, 0) }, MSR_SUPPORT_NO },
    { "TEMPERATURE_TARGET", "TCC_ACTIVATION_OFFSET_HI", { CPU(INTEL, SIG(6, 0x3D), 0, 0) }, MSR_SUPPORT_YES },
    /* IA32_DEBUGCTL by family: no TR on NetBurst, BTS_OFF_OS from Core 2 */
    { "IA32_DEBUGCTL", "TR", { CPU(INTEL, SIG(0xF, 0x4), 0, 0) }, MSR_SUPPORT_NO },
    { "IA32_DEBUGCTL", "BTS_OFF_OS", { CPU(INTEL, SIG(6, 0x0D), 0, 0) }, MSR_SUPPORT_NO },
    /* (IA32_DEBUGCTL itself has no presence condition: on Core 2 the field is not ruled out) */
    { "IA32_DEBUGCTL", "BTS_OFF_OS", { CPU(INTEL, SIG(6, 0x0F), 0, 0) }, MSR_SUPPORT_UNKNOWN },
    /* NB_CFG on the families Linux writes it on (amd_bus.c: family 10H and later) */
    { "NB_CFG", NULL, { CPU(AMD, SIG(0x11, 0x03), 0, 0) }, MSR_SUPPORT_YES },
    { "NB_CFG", NULL, { CPU(AMD, SIG(0x19, 0x21), 0, 0) }, MSR_SUPPORT_YES },
    { "NB_CFG", NULL, { CPU(HYGON, SIG(0x18, 0x01), 0, 0) }, MSR_SUPPORT_YES },
    /* IA32_MCG_STATUS.SEAM_NR with IA32_MCG_CAP[12] */
    { "IA32_MCG_STATUS", "SEAM_NR", { CPU(INTEL, SIG(6, 0x8F), 0, BIT(14)), .msrs = { { 0x179, BIT(12) } } },
      MSR_SUPPORT_YES },
    { "IA32_MCG_STATUS", "SEAM_NR", { CPU(INTEL, SIG(6, 0x8F), 0, BIT(14)),
      .msrs = { { 0x179, 0 } } }, MSR_SUPPORT_NO },
    /* IA32_FIXED_CTR_CTRL adaptive-record bits with IA32_PERF_CAPABILITIES[14] */
    { "IA32_FIXED_CTR_CTRL", "ADAPTIVE1",
      { CPU(INTEL, SIG(6, 0x7E), BIT(15), 0), .more = { LEAF(0xA, 0, 0x08300805u, 0, 0, 0x603) },
        .msrs = { { 0x345, BIT(14) } } },
      MSR_SUPPORT_YES },
    { "IA32_FIXED_CTR_CTRL", "ADAPTIVE3",
      { CPU(INTEL, SIG(6, 0x7E), BIT(15), 0), .more = { LEAF(0xA, 0, 0x08300805u, 0, 0, 0x603) },
        .msrs = { { 0x345, BIT(14) } } },
      MSR_SUPPORT_NO },
};

static enum msr_support ask(const struct finding *t)
{
    struct msr_cpuid_entry entries[5] = { { 0, 0, t->cpu.vendor },
                                          { 1, 0, { t->cpu.signature, 0, t->cpu.leaf1_ecx, t->cpu.leaf1_edx } } };
    size_t n = 2, i;
    const struct msr_instance *inst = msr_find_by_name(t->reg);
    const struct msr_def *def;
    struct msr_cpuid_table table;
    struct msr_cpuid_source src;
    struct msr_facts facts;

    ck_assert_msg(inst != NULL, "%s is not in the spec", t->reg);
    for (i = 0; i < 3 && t->cpu.more[i].leaf; i++)
        entries[n++] = t->cpu.more[i];
    table = (struct msr_cpuid_table){ entries, n };
    src = msr_cpuid_table_source(&table);
    facts = (struct msr_facts){ &src, read_known, (void *)&t->cpu, 0 };
    def = msr_def_of(inst);
    if (!t->field)
        return msr_is_supported(def, inst->index, &facts);
    ck_assert_msg(msr_find_field(def, t->field) != NULL, "%s has no field %s", t->reg, t->field);
    return msr_field_is_supported(def, inst->index, msr_find_field(def, t->field), &facts);
}

START_TEST(each_finding_is_answered_as_the_manuals_say)
{
    const struct finding *t = &findings[_i];
    enum msr_support got = ask(t);
    ck_assert_msg(got == t->expected, "%s%s%s (CPUID.01H:EAX %08X): %s, expected %s", t->reg, t->field ? "." : "",
                  t->field ? t->field : "", (unsigned)t->cpu.signature, msr_support_name(got),
                  msr_support_name(t->expected));
}
END_TEST

/* Layouts the audit corrected: where the fields are, not whether. */
START_TEST(corrected_layouts)
{
    const struct msr_def *dram = msr_def_of(msr_find_by_name("DRAM_POWER_LIMIT"));
    const struct msr_def *from = msr_def_of(msr_find_by_name("LAST_BRANCH_STACK_FROM_IP0"));
    const struct msr_def *to = msr_def_of(msr_find_by_name("LAST_BRANCH_STACK_TO_IP0"));
    const struct msr_def *caps = msr_def_of(msr_find_by_name("IA32_ARCH_CAPABILITIES"));
    const struct msr_def *mca = msr_def_of(msr_find_by_name("MCA0_STATUS"));
    const char *const arch_caps[] = { "MCU_CONTROL", "RFDS_CLEAR", "ITS_NO", "PBRSB_NO", "GDS_NO" };
    const char *const mca_bits[] = { "SCRUB", "UECC", "CECC", "TCC", "SYNDV", "DEFERRED", "POISON" };
    unsigned i;

    /* DRAM has no clamping bit (SDM 14.10.5): bit 16 is no field's */
    ck_assert_ptr_null(msr_def_field_at(dram, 16));
    ck_assert_ptr_nonnull(msr_def_field_at(dram, 15));
    /* the AMD LBR stack's addresses with their sign extension */
    ck_assert_int_eq(msr_find_field(from, "BRANCH_FROM_IP")->msb, 62);
    ck_assert_int_eq(msr_find_field(from, "MISPREDICT")->lsb, 63);
    ck_assert_int_eq(msr_find_field(to, "BRANCH_TO_IP")->msb, 60);
    for (i = 0; i < sizeof arch_caps / sizeof arch_caps[0]; i++)
        ck_assert_msg(msr_find_field(caps, arch_caps[i]) != NULL, "IA32_ARCH_CAPABILITIES.%s", arch_caps[i]);
    for (i = 0; i < sizeof mca_bits / sizeof mca_bits[0]; i++)
        ck_assert_msg(msr_find_field(mca, mca_bits[i]) != NULL, "MCA_STATUS.%s", mca_bits[i]);
}
END_TEST

/* The value rules of issue 21 item 2 as the records carry them (the handler,
 * the entry checks and decode read these). */
START_TEST(value_rules_are_spec_data)
{
    const struct msr_def *mc = msr_def_of(msr_find_by_name("IA32_MC0_STATUS"));
    const struct msr_def *mca = msr_def_of(msr_find_by_name("MCA0_STATUS"));
    const struct msr_def *esr = msr_def_of(msr_find_by_name("IA32_X2APIC_ESR"));
    const struct msr_def *fc = msr_def_of(msr_find_by_name("IA32_FEATURE_CONTROL"));
    const struct msr_def *apic = msr_def_of(msr_find_by_name("IA32_APIC_BASE"));
    const struct msr_def *esp = msr_def_of(msr_find_by_name("IA32_SYSENTER_ESP"));
    const struct msr_def *physbase = msr_def_of(msr_find_by_name("IA32_MTRR_PHYSBASE0"));
    const struct msr_condition *lift;
    const struct msr_instance *hwcr = msr_find_by_name("HWCR");

    /* MCi_STATUS: only 0 may be written, unless HWCR.McStatusWrEn (bit 18) */
    ck_assert_uint_ne(mc->flags & MSR_REG_F_WRITE_ZERO, 0);
    ck_assert_uint_ne(mca->flags & MSR_REG_F_WRITE_ZERO, 0);
    lift = msr_def_condition(mca, mca->writable_if);
    ck_assert_ptr_nonnull(lift);
    ck_assert_ptr_nonnull(hwcr);
    ck_assert_int_eq(lift->kind, MSR_CONDITION_KIND_MSR);
    ck_assert_uint_eq(lift->msr, hwcr->address);
    ck_assert_int_eq(lift->lsb, 18);
    /* the x2APIC ESR: only 0 (SDM 11.12.1.2: a non-zero write raises #GP) */
    ck_assert_uint_ne(esr->flags & MSR_REG_F_WRITE_ZERO, 0);
    ck_assert_uint_eq(esr->writable_if, MSR_NO_CELL);
    /* IA32_FEATURE_CONTROL: writes fault once LOCK is set */
    ck_assert_uint_ne(fc->flags & MSR_REG_F_LOCKED_BY, 0);
    ck_assert_str_eq(msr_field_name(fc, fc->lock_field - 1u), "LOCK");
    ck_assert_int_eq(fc->lock_writes, MSR_LOCK_WRITES_FAULT);
    /* physical addresses bounded by MAXPHYADDR */
    ck_assert_uint_ne(msr_find_field(apic, "APIC_BASE")->flags & MSR_FIELD_F_PHYS_ADDR, 0);
    ck_assert_uint_ne(msr_find_field(physbase, "PHYSBASE")->flags & MSR_FIELD_F_PHYS_ADDR, 0);
    /* SYSENTER_ESP is canonical on Intel only (AMD ignores the upper half) */
    ck_assert_uint_ne(msr_find_field(esp, "ESP")->flags & MSR_FIELD_F_CANONICAL, 0);
    ck_assert_uint_eq(msr_find_field(esp, "ESP")->canonical_vendors, MSR_VENDOR_INTEL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spec_findings");
    TCase *tc = tcase_create("spec_findings");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, each_finding_is_answered_as_the_manuals_say, 0,
                        (int)(sizeof findings / sizeof findings[0]));
    tcase_add_test(tc, corrected_layouts);
    tcase_add_test(tc, value_rules_are_spec_data);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
