/*
 * VMX MSR load/store lists: every refusal names its rule; the limit from
 * IA32_VMX_MISC[27:25]; alignment; duplicates; the entry layout.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

MSR_STATIC_ASSERT(offsetof(struct msr_virt_msr_entry, index) == 0, index_at_0);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_msr_entry, reserved) == 4, reserved_at_4);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_msr_entry, data) == 8, data_at_8);

static struct test_cpu cpu;
static struct msr_virt_msr_entry area[1100] __attribute__((aligned(16)));
static struct msr_virt_msr_list list;
static struct msr_virt_failure err;

/* Skylake's IA32_VMX_MISC (bits 27:25 = 0: 512 entries). */
#define MISC_512 UINT64_C(0x7004c1e7)
#define MISC_1024 (MISC_512 | (UINT64_C(1) << 25))

static void setup(void)
{
    test_cpu_intel(&cpu);
    memset(area, 0xAB, sizeof area);
}

static void init(enum msr_virt_msr_list_kind kind)
{
    ck_assert_int_eq(msr_virt_msr_list_init(&list, kind, area, 1100, MISC_512, &cpu.facts, &err), MSR_OK);
    ck_assert_ptr_null(err.rule);
    ck_assert_uint_eq(list.limit, 512);
}

static void refused(uint32_t msr, uint64_t data, const char *part)
{
    uint32_t before = list.count;
    ck_assert_int_eq(msr_virt_msr_list_add(&list, msr, data, &err), MSR_VIRT_ERR_REFUSED);
    ck_assert_uint_eq(err.msr, msr);
    ck_assert_ptr_nonnull(err.rule);
    ck_assert_msg(strstr(err.rule, part) != NULL, "%#x: rule '%s' lacks '%s'", msr, err.rule, part);
    ck_assert_uint_eq(list.count, before);
}

static void accepted(uint32_t msr, uint64_t data)
{
    ck_assert_msg(msr_virt_msr_list_add(&list, msr, data, &err) == MSR_OK, "%#x refused: %s", msr,
                  err.rule != NULL ? err.rule : "?");
    ck_assert_uint_eq(list.entries[list.count - 1].index, msr);
    ck_assert_uint_eq(list.entries[list.count - 1].reserved, 0);
}

START_TEST(entry_load_rules)
{
    init(MSR_VIRT_LIST_VMENTRY_LOAD);
    accepted(MSR_IA32_EFER_ADDR, MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK);
    ck_assert_uint_eq(area[0].data, MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK);
    accepted(0xC0000081, UINT64_C(0x0023001000000000)); /* STAR */
    accepted(0xC0000102, UINT64_C(0xffff888000000000)); /* KERNEL_GS_BASE */
    refused(MSR_IA32_FS_BASE_ADDR, 0, "SDM 27.4: IA32_FS_BASE and IA32_GS_BASE");
    refused(MSR_IA32_GS_BASE_ADDR, 0, "SDM 27.4: IA32_FS_BASE and IA32_GS_BASE");
    refused(0x800, 0, "000008H");
    refused(0x830, 0, "000008H");
    refused(0x8FF, 0, "000008H");
    accepted(0x7FF, 0);      /* next to the x2APIC range: spec has nothing here */
    refused(MSR_IA32_SMM_MONITOR_CTL_ADDR, 0, "only in SMM");
    refused(MSR_IA32_BIOS_UPDT_TRIG_ADDR, 0x1000, "IA32_BIOS_UPDT_TRIG");
    refused(MSR_IA32_BIOS_SIGN_ID_ADDR, 0, "IA32_BIOS_SIGN_ID");
    refused(MSR_IA32_EFER_ADDR, MSR_IA32_EFER_SVME_MASK, "WRMSR at CPL 0 would reject");
    ck_assert_str_eq(err.field, "SVME");
    refused(0xC0000082, UINT64_C(0x0000800000000000), "WRMSR at CPL 0 would reject"); /* LSTAR non-canonical */
    ck_assert_str_eq(err.field, "TARGET_RIP");
    refused(0xFE, 0, "WRMSR at CPL 0 would reject");            /* MTRRCAP: read-only */
    refused(MSR_IA32_PAT_ADDR, UINT64_C(0x0000000000000002), "WRMSR at CPL 0 would reject");
    refused(MSR_IA32_S_CET_ADDR, 0, "WRMSR");                        /* no CET on this CPU */
    refused(MSR_IA32_EFER_ADDR, 0, "once per list");
    /* In SMM (dual-monitor treatment), SMM_MONITOR_CTL is allowed. */
    list.in_smm = true;
    accepted(MSR_IA32_SMM_MONITOR_CTL_ADDR, 1);
}
END_TEST

START_TEST(exit_load_rules)
{
    init(MSR_VIRT_LIST_VMEXIT_LOAD);
    refused(MSR_IA32_FS_BASE_ADDR, 0, "SDM 28.6");
    refused(0x80B, 0, "SDM 28.6");
    refused(MSR_IA32_SMM_MONITOR_CTL_ADDR, 0, "only in SMM");
    accepted(MSR_IA32_PAT_ADDR, UINT64_C(0x0007040600070406));
}
END_TEST

START_TEST(exit_store_rules)
{
    init(MSR_VIRT_LIST_VMEXIT_STORE);
    accepted(MSR_IA32_FS_BASE_ADDR, 123); /* storing FS base is fine; data is ignored */
    ck_assert_uint_eq(area[0].data, 0);
    accepted(MSR_IA32_SMM_MONITOR_CTL_ADDR, 0); /* readable outside SMM */
    refused(0x802, 0, "SDM 28.4");
    refused(MSR_IA32_SMBASE_ADDR, 0, "readable only in SMM");
    refused(MSR_IA32_BIOS_UPDT_TRIG_ADDR, 0, "IA32_BIOS_UPDT_TRIG");
    refused(MSR_IA32_S_CET_ADDR, 0, "RDMSR at CPL 0 would reject");
    accepted(0xFE, 0); /* read-only registers can be stored */
    /* Hypervisor MSRs follow the CPUID of the processor: no Hyper-V (or KVM)
     * leaves here, so HV_X64_MSR_GUEST_OS_ID and KVM_SYSTEM_TIME_NEW are absent. */
    refused(0x40000000, 0, "RDMSR at CPL 0 would reject");
    refused(0x4b564d01, 0, "RDMSR at CPL 0 would reject");
    refused(MSR_IA32_FS_BASE_ADDR, 0, "once per list");
    list.in_smm = true;
    accepted(MSR_IA32_SMBASE_ADDR, 0);
}
END_TEST

START_TEST(limits)
{
    uint32_t i;

    /* 512 * (N + 1), N = IA32_VMX_MISC[27:25]. Addresses no register of the
     * spec uses (so no spec check refuses them). */
    init(MSR_VIRT_LIST_VMEXIT_STORE);
    for (i = 0; i < 512; i++) {
        ck_assert_ptr_null(msr_find_by_address(0x10000000u + i));
        ck_assert_int_eq(msr_virt_msr_list_add(&list, 0x10000000u + i, 0, &err), MSR_OK);
    }
    ck_assert_int_eq(msr_virt_msr_list_add(&list, 0x10001000u, 0, &err), MSR_VIRT_ERR_FULL);
    ck_assert_ptr_nonnull(strstr(err.rule, "512 * (N + 1)"));
    ck_assert_uint_eq(list.count, 512);

    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMEXIT_STORE, area, 1100, MISC_1024, &cpu.facts,
                                            &err),
                     MSR_OK);
    ck_assert_uint_eq(list.limit, 1024);
    /* Capacity below the limit. */
    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMENTRY_LOAD, area, 2, MISC_512, &cpu.facts, &err),
                     MSR_OK);
    ck_assert_int_eq(msr_virt_msr_list_add(&list, 0xC0000081, 0, &err), MSR_OK);
    ck_assert_int_eq(msr_virt_msr_list_add(&list, 0xC0000083, 0, &err), MSR_OK);
    ck_assert_int_eq(msr_virt_msr_list_add(&list, 0xC0000084, 0, &err), MSR_VIRT_ERR_FULL);
    ck_assert_ptr_nonnull(strstr(err.rule, "storage is full"));
    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMENTRY_LOAD, NULL, 0, MISC_512, NULL, &err), MSR_OK);
    ck_assert_int_eq(msr_virt_msr_list_add(&list, 0xC0000081, 0, &err), MSR_VIRT_ERR_FULL);
}
END_TEST

START_TEST(init_errors)
{
    ck_assert_int_eq(msr_virt_msr_list_init(NULL, MSR_VIRT_LIST_VMENTRY_LOAD, area, 4, 0, NULL, &err),
                     MSR_ERR_INVALID);
    ck_assert_ptr_nonnull(err.rule);
    ck_assert_int_eq(msr_virt_msr_list_init(&list, (enum msr_virt_msr_list_kind)3, area, 4, 0, NULL, &err),
                     MSR_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.rule, "kind"));
    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMENTRY_LOAD, NULL, 4, 0, NULL, &err),
                     MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMENTRY_LOAD,
                                            (struct msr_virt_msr_entry *)((char *)area + 8), 4, 0, NULL, &err),
                     MSR_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.rule, "16-byte aligned"));
    ck_assert_uint_eq(list.capacity, 0);
    ck_assert_int_eq(msr_virt_msr_list_add(NULL, 0x10, 0, &err), MSR_ERR_INVALID);
    /* error may be NULL. */
    ck_assert_int_eq(msr_virt_msr_list_init(&list, MSR_VIRT_LIST_VMENTRY_LOAD, area, 4, 0, NULL, NULL), MSR_OK);
    ck_assert_int_eq(msr_virt_msr_list_add(&list, MSR_IA32_FS_BASE_ADDR, 0, NULL), MSR_VIRT_ERR_REFUSED);
    /* A list whose storage vanished. */
    list.entries = NULL;
    ck_assert_int_eq(msr_virt_msr_list_add(&list, 0xC0000081, 0, &err), MSR_ERR_INVALID);
}
END_TEST

static Suite *list_suite(void)
{
    Suite *s = suite_create("virt_msr_list");
    TCase *tc = tcase_create("lists");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, entry_load_rules);
    tcase_add_test(tc, exit_load_rules);
    tcase_add_test(tc, exit_store_rules);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, init_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(list_suite());
}
