/*
 * Runs the MSR-exit handler of docs/virtualization.md ("An MSR-exit handler
 * in thirty lines"), extracted from the document at build time, as a VMM
 * would: RDMSR/WRMSR exits of an Intel guest, emulated, passed-through,
 * fixed, denied and spec-violating accesses.
 */
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

#include "doc_example.c"

static unsigned gps;
static uint64_t host_star = UINT64_C(0x0023001000000000);

static void inject_gp(struct vcpu *v)
{
    (void)v;
    gps++;
}

static int real_rdmsr(uint32_t msr, uint64_t *value)
{
    if (msr != 0xC0000081)
        return -1;
    *value = host_star;
    return 0;
}

static int real_wrmsr(uint32_t msr, uint64_t value)
{
    if (msr != 0xC0000081)
        return -1;
    host_star = value;
    return 0;
}

static struct test_cpu cpu;
static struct vcpu v;

static void setup(void)
{
    test_cpu_intel(&cpu);
    memset(&v, 0, sizeof v);
    v.msr.facts = &cpu.facts;
    v.msr.ctx = &v;
    v.misc_enable = 0x850089;
    v.inject_gp = inject_gp;
    v.real_rdmsr = real_rdmsr;
    v.real_wrmsr = real_wrmsr;
    gps = 0;
}

static void exit_rdmsr(uint32_t msr)
{
    v.rcx = msr;
    handle_msr_exit(&v, false);
}

static void exit_wrmsr(uint32_t msr, uint64_t value)
{
    v.rcx = msr;
    v.rax = (uint32_t)value;
    v.rdx = value >> 32;
    handle_msr_exit(&v, true);
}

START_TEST(doc_handler)
{
    ck_assert_int_eq(msr_virt_policy_check(&vmm_policy, NULL), MSR_OK);
    ck_assert_ptr_null(vmm_policy.spec); /* every register it checks is named by its entry */

    exit_rdmsr(0x1A0); /* emulated */
    ck_assert_uint_eq(v.rax, 0x850089);
    ck_assert_uint_eq(v.rdx, 0);
    ck_assert_uint_eq(v.rip, 2);
    exit_wrmsr(0x1A0, 0x850008); /* clear FAST_STRINGS; read-only PERF_MON_AVAILABLE kept */
    ck_assert_uint_eq(v.misc_enable, 0x850088);
    ck_assert_uint_eq(v.rip, 4);

    exit_rdmsr(0xC0000081); /* pass-through: forwarded to the VMM's own access */
    ck_assert_uint_eq(((uint64_t)v.rdx << 32) | v.rax, host_star);
    exit_wrmsr(0xC0000081, UINT64_C(0x0033002000000000));
    ck_assert_uint_eq(host_star, UINT64_C(0x0033002000000000));
    ck_assert_uint_eq(v.rip, 8);

    exit_rdmsr(0x17); /* fixed */
    ck_assert_uint_eq(v.rax, 0);
    ck_assert_uint_eq(gps, 0);

    exit_wrmsr(0xC0000080, UINT64_C(1) << 63); /* EFER reserved bit: #GP, RIP stays */
    ck_assert_uint_eq(gps, 1);
    ck_assert_uint_eq(v.rip, 10);
    ck_assert_str_eq(v.msr.reason, "a reserved bit is set");
    ck_assert_ptr_eq(v.msr.def, MSR_DEF(IA32_EFER));
    ck_assert_int_eq(v.msr.field, -1);
    exit_wrmsr(0xC0000080, UINT64_C(1) << 12); /* EFER.SVME on an Intel guest */
    ck_assert_uint_eq(gps, 2);
    ck_assert_int_ge(v.msr.field, 0);
    ck_assert_str_eq(msr_field_name(v.msr.def, (unsigned)v.msr.field), "SVME");
    exit_rdmsr(0xC0000080); /* the VMM's access fails: #GP */
    ck_assert_uint_eq(gps, 3);
    exit_rdmsr(0x10); /* undeclared: denied */
    ck_assert_uint_eq(gps, 4);
    ck_assert_uint_eq(v.rip, 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virt_doc_example");
    TCase *tc = tcase_create("doc");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, doc_handler);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
