/*
 * Checks before VM entry: every rule of the guest and host MSR checks
 * (SDM) and of the VMCB's EFER (APM) fails alone when broken, a clean state
 * passes, and the failures describe themselves.
 */
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

#define BIT(n) (UINT64_C(1) << (n))
#define CR0_PE BIT(0)
#define CR0_WP BIT(16)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define CR4_PCIDE BIT(17)
#define CR4_CET BIT(23)
#define EFER_64 (MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK | MSR_IA32_EFER_SCE_MASK | MSR_IA32_EFER_NXE_MASK)

static struct test_cpu cpu;
static struct msr_virt_failure fails[16];

static void setup(void)
{
    test_cpu_intel(&cpu);
    /* CET and PKS, so their registers have fields. */
    test_cpu_set(&cpu, 0x7, 0, 0, 0x029c6fbf, (1u << 7) | (1u << 31), 1u << 20);
}

static const uint64_t all_loads = MSR_VMX_ENTRY_LOAD_DEBUG_CONTROLS | MSR_VMX_ENTRY_IA32E_MODE_GUEST |
                                  MSR_VMX_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL | MSR_VMX_ENTRY_LOAD_IA32_PAT |
                                  MSR_VMX_ENTRY_LOAD_IA32_EFER | MSR_VMX_ENTRY_LOAD_IA32_BNDCFGS |
                                  MSR_VMX_ENTRY_LOAD_IA32_RTIT_CTL | MSR_VMX_ENTRY_LOAD_CET_STATE |
                                  MSR_VMX_ENTRY_LOAD_GUEST_IA32_LBR_CTL | MSR_VMX_ENTRY_LOAD_PKRS;

static struct msr_virt_vmx_guest_state good_guest(void)
{
    struct msr_virt_vmx_guest_state g;

    memset(&g, 0, sizeof g);
    g.entry_controls = all_loads;
    g.cr0 = CR0_PE | CR0_PG | CR0_WP;
    g.cr4 = CR4_PAE | CR4_PCIDE | CR4_CET;
    g.debugctl = BIT(0) | BIT(1);
    g.sysenter_esp = UINT64_C(0xffff800000001000);
    g.sysenter_eip = UINT64_C(0x00007fffffff0000);
    g.perf_global_ctrl = 0xF | (UINT64_C(7) << 32);
    g.pat = UINT64_C(0x0007040600070406);
    g.efer = EFER_64;
    g.bndcfgs = UINT64_C(0xffff800000001003);
    g.rtit_ctl = BIT(0) | BIT(13);
    g.s_cet = BIT(0) | BIT(2) | UINT64_C(0xffff800000000000);
    g.interrupt_ssp_table_addr = UINT64_C(0xffff800000002000);
    g.lbr_ctl = BIT(0) | BIT(1);
    g.pkrs = 0x55555555u;
    g.fs_base = UINT64_C(0x00007f0000000000);
    g.gs_base = UINT64_C(0xffffffff80000000);
    return g;
}

/* Exactly one failure, on `msr`.`field`, whose rule mentions `part`. */
#define expect_one(n, msr, field, part) expect_one_at(__LINE__, n, msr, field, part)
static void expect_one_at(int line, size_t n, uint32_t msr, const char *field, const char *part)
{
    ck_assert_msg(n == 1, "line %d: %zu failures (first: %s)", line, n, n ? fails[0].rule : "-");
    ck_assert_uint_eq(fails[0].msr, msr);
    if (field == NULL)
        ck_assert_ptr_null(fails[0].field);
    else
        ck_assert_str_eq(fails[0].field, field);
    ck_assert_msg(strstr(fails[0].rule, part) != NULL, "rule '%s' lacks '%s'", fails[0].rule, part);
}

static size_t guest(const struct msr_virt_vmx_guest_state *g)
{
    memset(fails, 0, sizeof fails);
    return msr_virt_vmx_guest_check(g, &cpu.facts, 0, fails, 16);
}

START_TEST(guest_clean)
{
    struct msr_virt_vmx_guest_state g = good_guest();
    ck_assert_uint_eq(guest(&g), 0);
    /* Without the load controls, bad values of those fields are not checked. */
    g.entry_controls = MSR_VMX_ENTRY_IA32E_MODE_GUEST;
    g.debugctl = g.perf_global_ctrl = g.pat = g.efer = g.bndcfgs = g.rtit_ctl = g.lbr_ctl = g.pkrs = ~UINT64_C(0);
    g.s_cet = g.interrupt_ssp_table_addr = UINT64_C(0x0000800000000000);
    ck_assert_uint_eq(guest(&g), 0);
}
END_TEST

START_TEST(guest_rules)
{
    struct msr_virt_vmx_guest_state g;

    g = good_guest(); g.debugctl |= BIT(16);
    expect_one(guest(&g), MSR_IA32_DEBUGCTL_ADDR, "reserved bits", "load debug controls");
    /* Bits 5:3 are AMD's PB1_PB3 (vendors [amd]): reserved on this Intel CPU,
     * and the failure names the absent field. */
    g = good_guest(); g.debugctl |= BIT(3);
    expect_one(guest(&g), MSR_IA32_DEBUGCTL_ADDR, "PB1_PB3", "load debug controls");
    /* Intel-only fields of a register without a presence condition of its own
     * (IA32_DEBUGCTL) are there for an Intel CPU: BTS, FREEZE_LBRS_ON_PMI. */
    g = good_guest(); g.debugctl |= BIT(7) | BIT(11);
    ck_assert_uint_eq(guest(&g), 0);
    /* BUS_LOCK_DETECT needs CPUID.(7,0):ECX[24], which Skylake lacks. */
    g = good_guest(); g.debugctl |= BIT(2);
    expect_one(guest(&g), MSR_IA32_DEBUGCTL_ADDR, "BUS_LOCK_DETECT", "load debug controls");
    g = good_guest(); g.cr0 &= ~CR0_PG; g.efer &= ~MSR_IA32_EFER_LME_MASK;
    expect_one(guest(&g), 0, "CR0.PG", "IA-32e mode guest");
    g = good_guest(); g.cr4 &= ~CR4_PAE;
    expect_one(guest(&g), 0, "CR4.PAE", "IA-32e mode guest");
    g = good_guest(); g.entry_controls &= ~MSR_VMX_ENTRY_IA32E_MODE_GUEST; g.efer &= ~(MSR_IA32_EFER_LMA_MASK | MSR_IA32_EFER_LME_MASK);
    expect_one(guest(&g), 0, "CR4.PCIDE", "PCIDE");
    g = good_guest(); g.cr0 &= ~CR0_WP;
    expect_one(guest(&g), 0, "CR0.WP", "CR4.CET");
    g = good_guest(); g.sysenter_esp = UINT64_C(0x0000800000000000);
    expect_one(guest(&g), MSR_IA32_SYSENTER_ESP_ADDR, NULL, "canonical");
    g = good_guest(); g.sysenter_eip = UINT64_C(0x8000000000000000);
    expect_one(guest(&g), MSR_IA32_SYSENTER_EIP_ADDR, NULL, "canonical");
    g = good_guest(); g.perf_global_ctrl |= BIT(20);
    expect_one(guest(&g), MSR_IA32_PERF_GLOBAL_CTRL_ADDR, "reserved bits", "IA32_PERF_GLOBAL_CTRL");
    /* 4 general counters (CPUID.0AH:EAX[15:8] = 4) and 3 fixed ones (EDX[4:0]):
     * EN_PMC4 and EN_FIXED_CTR3 are absent, so reserved. */
    g = good_guest(); g.perf_global_ctrl |= BIT(4);
    expect_one(guest(&g), MSR_IA32_PERF_GLOBAL_CTRL_ADDR, "EN_PMC4", "IA32_PERF_GLOBAL_CTRL");
    g = good_guest(); g.perf_global_ctrl |= BIT(35);
    expect_one(guest(&g), MSR_IA32_PERF_GLOBAL_CTRL_ADDR, "EN_FIXED_CTR3", "IA32_PERF_GLOBAL_CTRL");
    g = good_guest(); g.pat = UINT64_C(0x0007040600070402);
    expect_one(guest(&g), MSR_IA32_PAT_ADDR, NULL, "valid memory type");
    g = good_guest(); g.efer |= BIT(63);
    expect_one(guest(&g), MSR_IA32_EFER_ADDR, "reserved bits", "bits reserved in IA32_EFER");
    g = good_guest(); g.efer |= MSR_IA32_EFER_SVME_MASK; /* Intel: SVME is reserved */
    expect_one(guest(&g), MSR_IA32_EFER_ADDR, "SVME", "bits reserved in IA32_EFER");
    g = good_guest(); g.efer &= ~MSR_IA32_EFER_LMA_MASK; g.cr0 &= ~CR0_PG; g.efer &= ~MSR_IA32_EFER_LME_MASK;
    g.entry_controls |= 0; /* IA-32e guest, LMA 0, PG 0: LMA rule and PG rule */
    ck_assert_uint_eq(guest(&g), 2);
    g = good_guest(); g.efer &= ~MSR_IA32_EFER_LMA_MASK;
    ck_assert_uint_eq(guest(&g), 2); /* LMA != IA-32e mode, and LME != LMA with PG */
    ck_assert_str_eq(fails[0].field, "LMA");
    ck_assert_str_eq(fails[1].field, "LME");
    g = good_guest(); g.efer &= ~MSR_IA32_EFER_LME_MASK;
    expect_one(guest(&g), MSR_IA32_EFER_ADDR, "LME", "CR0.PG = 1");
    /* Without paging LME may differ from LMA (IA-32e mode off: PCIDE off too). */
    g = good_guest(); g.entry_controls &= ~MSR_VMX_ENTRY_IA32E_MODE_GUEST; g.cr0 &= ~CR0_PG;
    g.cr4 &= ~CR4_PCIDE; g.efer = MSR_IA32_EFER_LME_MASK;
    ck_assert_uint_eq(guest(&g), 0);
    g = good_guest(); g.bndcfgs |= BIT(2);
    expect_one(guest(&g), MSR_IA32_BNDCFGS_ADDR, "reserved bits", "IA32_BNDCFGS");
    g = good_guest(); g.bndcfgs = UINT64_C(0x0000800000000001);
    expect_one(guest(&g), MSR_IA32_BNDCFGS_ADDR, "BASE", "63:12 must be canonical");
    g = good_guest(); g.rtit_ctl |= BIT(4); /* PWR_EVT_EN: leaf 14H EBX[5] = 0 */
    expect_one(guest(&g), MSR_IA32_RTIT_CTL_ADDR, "PWR_EVT_EN", "IA32_RTIT_CTL");
    g = good_guest(); g.s_cet |= BIT(7);
    expect_one(guest(&g), MSR_IA32_S_CET_ADDR, "reserved bits", "IA32_S_CET");
    g = good_guest(); g.s_cet = UINT64_C(0x0000800000000000);
    expect_one(guest(&g), MSR_IA32_S_CET_ADDR, NULL, "canonical");
    g = good_guest(); g.s_cet |= BIT(10) | BIT(11);
    expect_one(guest(&g), MSR_IA32_S_CET_ADDR, "SUPPRESS", "cannot both be 1");
    g = good_guest(); g.interrupt_ssp_table_addr = UINT64_C(0x0001000000000000);
    expect_one(guest(&g), MSR_IA32_INTERRUPT_SSP_TABLE_ADDR_ADDR, NULL, "canonical");
    g = good_guest(); g.lbr_ctl |= BIT(5);
    expect_one(guest(&g), MSR_IA32_LBR_CTL_ADDR, "reserved bits", "IA32_LBR_CTL");
    g = good_guest(); g.pkrs |= BIT(32);
    expect_one(guest(&g), MSR_IA32_PKRS_ADDR, NULL, "63:32");
    g = good_guest(); g.fs_base = UINT64_C(0x0000800000000000);
    expect_one(guest(&g), MSR_IA32_FS_BASE_ADDR, "BASE", "guest FS base");
    g = good_guest(); g.gs_base = UINT64_C(0x0000800000000000);
    expect_one(guest(&g), MSR_IA32_GS_BASE_ADDR, "BASE", "guest GS base");
}
END_TEST

START_TEST(guest_counts_beyond_max)
{
    struct msr_virt_vmx_guest_state g = good_guest();

    g.debugctl = g.perf_global_ctrl = g.efer = g.bndcfgs = g.rtit_ctl = g.lbr_ctl = g.pkrs = ~UINT64_C(0);
    g.pat = ~UINT64_C(0);
    memset(fails, 0, sizeof fails);
    ck_assert_uint_eq(msr_virt_vmx_guest_check(&g, &cpu.facts, 0, fails, 2), 8);
    ck_assert_ptr_nonnull(fails[1].rule);
    ck_assert_ptr_null(fails[2].rule);
    ck_assert_uint_eq(msr_virt_vmx_guest_check(&g, &cpu.facts, 0, NULL, 0), 8);
    ck_assert_uint_eq(msr_virt_vmx_guest_check(NULL, &cpu.facts, 0, fails, 16), 1);
    ck_assert_str_eq(fails[0].rule, "no guest state (NULL)");
    /* 57-bit linear addresses. */
    g = good_guest();
    g.fs_base = UINT64_C(0x0000800000000000);
    ck_assert_uint_eq(msr_virt_vmx_guest_check(&g, &cpu.facts, 57, fails, 16), 0);
}
END_TEST

static struct msr_virt_vmx_host_state good_host(void)
{
    struct msr_virt_vmx_host_state h;

    memset(&h, 0, sizeof h);
    h.exit_controls = MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE | MSR_VMX_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL |
                      MSR_VMX_EXIT_LOAD_IA32_PAT | MSR_VMX_EXIT_LOAD_IA32_EFER | MSR_VMX_EXIT_LOAD_CET_STATE |
                      MSR_VMX_EXIT_LOAD_PKRS;
    h.sysenter_esp = UINT64_C(0xffff800000001000);
    h.sysenter_eip = UINT64_C(0xffffffff81000000);
    h.perf_global_ctrl = 1;
    h.pat = UINT64_C(0x0007040600070406);
    h.efer = EFER_64;
    h.s_cet = BIT(0);
    h.interrupt_ssp_table_addr = UINT64_C(0xffff800000003000);
    h.pkrs = 0;
    h.fs_base = 0;
    h.gs_base = UINT64_C(0xffff888000000000);
    return h;
}

static size_t host(const struct msr_virt_vmx_host_state *h)
{
    memset(fails, 0, sizeof fails);
    return msr_virt_vmx_host_check(h, &cpu.facts, 0, fails, 16);
}

START_TEST(host_rules)
{
    struct msr_virt_vmx_host_state h = good_host();

    ck_assert_uint_eq(host(&h), 0);
    h = good_host(); h.sysenter_esp = UINT64_C(0x0000800000000000);
    expect_one(host(&h), MSR_IA32_SYSENTER_ESP_ADDR, NULL, "host IA32_SYSENTER_ESP");
    h = good_host(); h.sysenter_eip = UINT64_C(0x0000800000000000);
    expect_one(host(&h), MSR_IA32_SYSENTER_EIP_ADDR, NULL, "host IA32_SYSENTER_EIP");
    h = good_host(); h.perf_global_ctrl = BIT(40);
    expect_one(host(&h), MSR_IA32_PERF_GLOBAL_CTRL_ADDR, "reserved bits", "(exit)");
}
END_TEST

START_TEST(host_rules_more)
{
    struct msr_virt_vmx_host_state h;

    h = good_host(); h.pat = UINT64_C(0x0007040600070403);
    expect_one(host(&h), MSR_IA32_PAT_ADDR, NULL, "(exit)");
    h = good_host(); h.efer |= BIT(63);
    expect_one(host(&h), MSR_IA32_EFER_ADDR, "reserved bits", "(exit)");
    h = good_host(); h.efer &= ~MSR_IA32_EFER_LMA_MASK;
    expect_one(host(&h), MSR_IA32_EFER_ADDR, "LMA", "host address-space size");
    h = good_host(); h.efer &= ~MSR_IA32_EFER_LME_MASK;
    expect_one(host(&h), MSR_IA32_EFER_ADDR, "LME", "host address-space size");
    h = good_host(); h.exit_controls &= ~MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE;
    ck_assert_uint_eq(host(&h), 2);
    h = good_host(); h.s_cet |= BIT(10) | BIT(11);
    expect_one(host(&h), MSR_IA32_S_CET_ADDR, "SUPPRESS", "SDM 27.2.2");
    h = good_host(); h.s_cet |= BIT(8);
    expect_one(host(&h), MSR_IA32_S_CET_ADDR, "reserved bits", "(exit)");
    h = good_host(); h.s_cet = UINT64_C(0x00f0000000000000);
    expect_one(host(&h), MSR_IA32_S_CET_ADDR, NULL, "(exit)");
    h = good_host(); h.interrupt_ssp_table_addr = 1ull << 50;
    expect_one(host(&h), MSR_IA32_INTERRUPT_SSP_TABLE_ADDR_ADDR, NULL, "(exit)");
    h = good_host(); h.pkrs = BIT(40);
    expect_one(host(&h), MSR_IA32_PKRS_ADDR, NULL, "(exit)");
    h = good_host(); h.fs_base = UINT64_C(0x0000800000000000);
    expect_one(host(&h), MSR_IA32_FS_BASE_ADDR, "BASE", "host FS base");
    h = good_host(); h.gs_base = UINT64_C(0x0080000000000000);
    expect_one(host(&h), MSR_IA32_GS_BASE_ADDR, "BASE", "host GS base");
    ck_assert_uint_eq(msr_virt_vmx_host_check(NULL, &cpu.facts, 0, fails, 16), 1);
}
END_TEST

START_TEST(segment_bases_helper)
{
    ck_assert_uint_eq(msr_virt_vmx_segment_bases_check(0, UINT64_C(0xffff800000000000), false, 48, fails, 16), 0);
    ck_assert_uint_eq(msr_virt_vmx_segment_bases_check(UINT64_C(0x0000800000000000), UINT64_C(0x0000800000000000),
                                                       true, 48, fails, 16),
                      2);
    ck_assert_str_eq(fails[0].field, "BASE");
    ck_assert_uint_eq(fails[0].msr, MSR_IA32_FS_BASE_ADDR);
    ck_assert_uint_eq(fails[1].msr, MSR_IA32_GS_BASE_ADDR);
    ck_assert_uint_eq(msr_virt_vmx_segment_bases_check(UINT64_C(0x0000800000000000), 0, false, 57, fails, 16), 0);
}
END_TEST

static size_t svm(const struct msr_virt_svm_guest_state *s, const struct test_cpu *c)
{
    memset(fails, 0, sizeof fails);
    return msr_virt_svm_guest_check(s, c != NULL ? &c->facts : NULL, fails, 16);
}

START_TEST(svm_rules)
{
    struct test_cpu a;
    struct msr_virt_svm_guest_state s = { EFER_64 | MSR_IA32_EFER_SVME_MASK, CR0_PE | CR0_PG, CR4_PAE, true, false };
    struct msr_virt_svm_guest_state t;

    test_cpu_amd(&a);
    ck_assert_uint_eq(svm(&s, &a), 0);
    t = s; t.efer &= ~MSR_IA32_EFER_SVME_MASK;
    expect_one(svm(&t, &a), MSR_IA32_EFER_ADDR, "SVME", "EFER.SVME is zero");
    t = s; t.efer |= BIT(40);
    expect_one(svm(&t, &a), MSR_IA32_EFER_ADDR, "reserved bits", "MBZ");
    /* An AMD field Zen 1 lacks (MCOMMIT: CPUID.80000008H:EBX[8] = 0) is MBZ there. */
    t = s; t.efer |= MSR_IA32_EFER_MCOMMIT_MASK;
    expect_one(svm(&t, &a), MSR_IA32_EFER_ADDR, "MCOMMIT", "MBZ");
    t = s; t.cr4 = 0;
    expect_one(svm(&t, &a), MSR_IA32_EFER_ADDR, "LME", "CR4.PAE is 0");
    t = s; t.cr0 = CR0_PG;
    expect_one(svm(&t, &a), MSR_IA32_EFER_ADDR, "LME", "CR0.PE is 0");
    t = s; t.cs_d = true;
    expect_one(svm(&t, &a), MSR_IA32_EFER_ADDR, "LME", "CS.L and CS.D");
    /* No long mode on this CPU: LME and LMA are then absent (the spec's
     * condition), and the APM's own long-mode rule reports them, once. */
    test_cpu_set(&a, 0x80000001, 0, 0x00800f11, 0x20000000, 0x35c233ff, 0x2fd3fbff & ~(1u << 29));
    expect_one(svm(&s, &a), MSR_IA32_EFER_ADDR, "LME", "does not support long mode");
    /* Without facts: no long-mode answer, strict masks (SVME unknown, so reserved). */
    ck_assert_uint_ge(svm(&s, NULL), 1);
    ck_assert_uint_eq(msr_virt_svm_guest_check(NULL, NULL, fails, 16), 1);
}
END_TEST

START_TEST(describe)
{
    struct msr_virt_failure f[3] = {
        { MSR_IA32_EFER_ADDR, "LMA", "rule one", 0x500 },
        { 0, "CR0.PG", "rule two", 0x1 },
        { 0x4000F000u, NULL, NULL, 7 },
    };
    char text[512], tiny[10];
    size_t n = msr_virt_failures_describe(f, 3, text, sizeof text);

    ck_assert_str_eq(text, "IA32_EFER.LMA = 0x500: rule one\nCR0.PG = 0x1: rule two\n"
                           "MSR 0x4000F000 = 0x7: (no rule)\n");
    ck_assert_uint_eq(n, strlen(text));
    ck_assert_uint_eq(msr_virt_failures_describe(f, 3, tiny, sizeof tiny), n);
    ck_assert_str_eq(tiny, "IA32_EFER");
    ck_assert_uint_eq(msr_virt_failures_describe(NULL, 3, text, sizeof text), 0);
    ck_assert_str_eq(text, "");
}
END_TEST

static Suite *entry_suite(void)
{
    Suite *s = suite_create("virt_entry_checks");
    TCase *tc = tcase_create("checks");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, guest_clean);
    tcase_add_test(tc, guest_rules);
    tcase_add_test(tc, guest_counts_beyond_max);
    tcase_add_test(tc, host_rules);
    tcase_add_test(tc, host_rules_more);
    tcase_add_test(tc, segment_bases_helper);
    tcase_add_test(tc, svm_rules);
    tcase_add_test(tc, describe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(entry_suite());
}
