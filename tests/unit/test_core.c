/*
 * Unit tests of the handwritten core: read-modify-write semantics, the
 * run-time backend switch, the test backend, metadata lookups and CPUID-based
 * presence detection.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "x86msr/cpuid.h"
#include "x86msr/meta.h"
#include "x86msr/msrs.h"
#include "x86msr/test_backend.h"

static struct msr_test_backend tb;

static void setup(void)
{
    msr_test_backend_init(&tb);
    msr_backend_install(&tb.backend);
}

static void teardown(void)
{
    msr_backend_install(NULL);
}

START_TEST(rmw_changes_only_writable_bits_and_never_clears_w1c_by_accident)
{
    const uint64_t writable = 0x00FF, w1c = 0x0F00;
    /* old: reserved 0xF000 set, w1c bits 0x0300 set, writable 0x00AA */
    const uint64_t old = 0xF3AA;
    ck_assert_uint_eq(msr_rmw_value(old, 0, 0, writable, w1c), 0xF0AA);
    ck_assert_uint_eq(msr_rmw_value(old, 0x000F, 0, writable, w1c), 0xF0A0);
    ck_assert_uint_eq(msr_rmw_value(old, 0, 0x0005, writable, w1c), 0xF0AF);
    /* clear and set outside the writable mask are ignored */
    ck_assert_uint_eq(msr_rmw_value(old, 0xF000, 0x0C00, writable, w1c), 0xF0AA);
    /* a w1c bit is written as 1 only when `set` asks and it is writable */
    ck_assert_uint_eq(msr_rmw_value(old, 0, 0x0100, writable | w1c, w1c), 0xF1AA);
}
END_TEST

START_TEST(no_backend_is_an_error_not_a_crash)
{
    uint64_t value = 1;
    msr_backend_install(NULL);
    ck_assert_int_eq(msr_rdmsr_safe(MSR_IA32_EFER, &value), MSR_ERR_NO_BACKEND);
    ck_assert_uint_eq(value, 0);
    ck_assert_int_eq(msr_wrmsr_safe(MSR_IA32_EFER, 0), MSR_ERR_NO_BACKEND);
    ck_assert_uint_eq(msr_rdmsr(MSR_IA32_EFER), 0);
}
END_TEST

START_TEST(plain_access_failure_reaches_the_fault_hook)
{
    ck_assert_uint_eq(msr_rdmsr(MSR_IA32_EFER), 0);
    msr_wrmsr(MSR_IA32_LSTAR, 5);
    ck_assert_uint_eq(tb.fault_count, 2);
    ck_assert_uint_eq(tb.log_count, 2);
    ck_assert(!tb.log[0].is_write);
    ck_assert(tb.log[1].is_write);
    ck_assert_int_eq(tb.log[1].status, MSR_ERR_FAULT);
}
END_TEST

START_TEST(rejected_write_leaves_the_register_unchanged)
{
    uint64_t value;
    ck_assert_int_eq(msr_test_backend_set(&tb, MSR_IA32_EFER, 0x501), MSR_OK);
    ck_assert_int_eq(msr_test_backend_reject(&tb, MSR_IA32_EFER, MSR_IA32_EFER_RESERVED_MASK), MSR_OK);
    ck_assert_int_eq(msr_ia32_efer_write_safe(msr_ia32_efer_from_raw(0x501 | (UINT64_C(1) << 63))), MSR_ERR_FAULT);
    ck_assert_int_eq(msr_test_backend_get(&tb, MSR_IA32_EFER, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x501);
    /* modify never sets reserved bits, so it succeeds on the same register */
    ck_assert_int_eq(msr_ia32_efer_modify_safe(0, ~UINT64_C(0), &(msr_ia32_efer_t){ .raw = 0 }), MSR_OK);
    ck_assert_int_eq(msr_test_backend_get(&tb, MSR_IA32_EFER, &value), MSR_OK);
    ck_assert_uint_eq(value & MSR_IA32_EFER_RESERVED_MASK, 0);
    ck_assert_uint_eq(value & MSR_IA32_EFER_NXE_MASK, MSR_IA32_EFER_NXE_MASK);
}
END_TEST

START_TEST(typed_pat_entries_use_memory_type_names)
{
    msr_ia32_pat_t pat = msr_ia32_pat_from_raw(UINT64_C(0x0007040600070406)); /* the reset value */
    ck_assert_uint_eq(msr_ia32_pat_pa0_get(pat), MSR_MEMORY_TYPE_WB);
    ck_assert_uint_eq(msr_ia32_pat_pa1_get(pat), MSR_MEMORY_TYPE_WT);
    ck_assert_uint_eq(msr_ia32_pat_pa2_get(pat), MSR_MEMORY_TYPE_UC_MINUS);
    ck_assert_uint_eq(msr_ia32_pat_pa3_get(pat), MSR_MEMORY_TYPE_UC);
    pat = msr_ia32_pat_pa1_set(pat, MSR_MEMORY_TYPE_WC);
    ck_assert_uint_eq(pat.raw, UINT64_C(0x0007040600070106));
    ck_assert_uint_eq(pat.pa1, MSR_MEMORY_TYPE_WC);
}
END_TEST

START_TEST(every_table_entry_is_found_by_address_and_name)
{
    size_t i;
    ck_assert_uint_gt(msr_table_count, 30);
    for (i = 0; i < msr_table_count; i++) {
        const struct msr_info *by_address = msr_find_by_address(msr_table[i].address);
        ck_assert_ptr_nonnull(by_address);
        ck_assert_uint_eq(by_address->address, msr_table[i].address);
        ck_assert_ptr_eq(msr_find_by_name(msr_table[i].name), &msr_table[i]);
        if (i > 0)
            ck_assert_uint_le(msr_table[i - 1].address, msr_table[i].address);
    }
    ck_assert_ptr_eq(msr_find_by_name("efer"), msr_find_by_address(MSR_IA32_EFER));
    ck_assert_ptr_eq(msr_find_by_name("ia32_vmx_basic"), msr_find_by_address(0x480));
    ck_assert_ptr_null(msr_find_by_address(0xDEADBEEF));
    ck_assert_ptr_null(msr_find_by_name("IA32_EFFER"));
}
END_TEST

START_TEST(field_helpers_handle_full_width_and_top_bit)
{
    const struct msr_info *lstar = msr_find_by_address(MSR_IA32_LSTAR);
    const struct msr_field_info *f;
    ck_assert_ptr_nonnull(lstar);
    ck_assert_uint_eq(lstar->field_count, 1);
    f = &lstar->fields[0];
    ck_assert_uint_eq(f->msb - f->lsb + 1, 64);
    ck_assert_uint_eq(msr_field_extract(f, ~UINT64_C(0)), ~UINT64_C(0));
    ck_assert_uint_eq(msr_field_insert(f, 0, UINT64_C(1) << 63), UINT64_C(1) << 63);
    f = msr_find_field(msr_find_by_address(MSR_IA32_EFER), "nxe");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(msr_field_insert(f, 0, 3), MSR_IA32_EFER_NXE_MASK);
    ck_assert_uint_eq(msr_field_extract(f, MSR_IA32_EFER_NXE_MASK), 1);
}
END_TEST

START_TEST(typed_helpers_at_the_edges_of_the_register)
{
    /* The three shapes where a shift goes wrong (shift by 64, a signed 1 << 63,
     * a mask of width 1 at bit 0); the sanitizer build runs this under UBSan. */
    msr_ia32_lstar_t lstar = msr_ia32_lstar_target_rip_set(msr_ia32_lstar_from_raw(0), ~UINT64_C(0));
    msr_ia32_arch_capabilities_t caps = msr_ia32_arch_capabilities_from_raw(0);
    msr_ia32_feature_control_t fc = msr_ia32_feature_control_from_raw(~UINT64_C(0));

    ck_assert_uint_eq(lstar.raw, ~UINT64_C(0));
    ck_assert_uint_eq(msr_ia32_lstar_target_rip_get(lstar), ~UINT64_C(0));
    lstar = msr_ia32_lstar_target_rip_set(lstar, UINT64_C(0xFFFFFFFF81000000));
    ck_assert_uint_eq(lstar.raw, UINT64_C(0xFFFFFFFF81000000));

    caps = msr_ia32_arch_capabilities_msr_virtual_enumeration_supported_set(caps, 1);
    ck_assert_uint_eq(caps.raw, UINT64_C(1) << 63);
    ck_assert_uint_eq(msr_ia32_arch_capabilities_msr_virtual_enumeration_supported_get(caps), 1);
    caps = msr_ia32_arch_capabilities_msr_virtual_enumeration_supported_set(caps, 2); /* too wide: truncated */
    ck_assert_uint_eq(caps.raw, 0);

    ck_assert_uint_eq(msr_ia32_feature_control_lock_get(fc), 1);
    fc = msr_ia32_feature_control_lock_set(fc, 0);
    ck_assert_uint_eq(fc.raw, ~UINT64_C(1));
    ck_assert_uint_eq(msr_ia32_feature_control_lock_get(fc), 0);
    fc = msr_ia32_feature_control_lock_set(msr_ia32_feature_control_from_raw(0), ~UINT64_C(0));
    ck_assert_uint_eq(fc.raw, 1);
}
END_TEST

START_TEST(every_status_has_its_own_message)
{
    int a, b;
    for (a = MSR_ERR_NO_BACKEND; a <= MSR_OK; a++) {
        ck_assert_ptr_nonnull(msr_strerror(a));
        for (b = MSR_ERR_NO_BACKEND; b < a; b++)
            ck_assert_str_ne(msr_strerror(a), msr_strerror(b));
    }
}
END_TEST

/* ---- presence from CPUID ---- */

#define INTEL_VENDOR { 0x16, 0x756E6547u, 0x6C65746Eu, 0x49656E69u }
#define AMD_VENDOR { 0x10, 0x68747541u, 0x444D4163u, 0x69746E65u }

static const struct msr_cpuid_cond vmx_cond[] = { { 1, 0, MSR_CPUID_ECX, 5 } };
static const struct msr_cpuid_cond two_conds[] = { { 0x80000001u, 0, MSR_CPUID_EDX, 11 },
                                                   { 0x80000001u, 0, MSR_CPUID_EDX, 29 } };

static struct msr_info fake_msr(const struct msr_cpuid_cond *conds, uint16_t count, uint8_t vendors,
                                const char *condition)
{
    struct msr_info info;
    memset(&info, 0, sizeof(info));
    info.name = "FAKE";
    info.vendors = vendors;
    info.cpuid = conds;
    info.cpuid_count = count;
    info.condition = condition;
    return info;
}

START_TEST(presence_follows_cpuid_and_never_says_a_wrong_yes)
{
    const struct msr_cpuid_entry intel_vmx[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0, 0, 1u << 5, 0 } } };
    const struct msr_cpuid_entry intel_novmx[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0, 0, 0, 0 } } };
    const struct msr_cpuid_entry amd_lm[] = { { 0, 0, AMD_VENDOR }, { 0x80000001u, 0, { 0, 0, 0, 1u << 29 } } };
    const struct msr_cpuid_table t1 = { intel_vmx, 2 }, t2 = { intel_novmx, 2 }, t3 = { amd_lm, 2 };
    struct msr_cpuid_source s1 = msr_cpuid_table_source(&t1), s2 = msr_cpuid_table_source(&t2),
                            s3 = msr_cpuid_table_source(&t3);
    struct msr_info vmx = fake_msr(vmx_cond, 1, MSR_VENDOR_INTEL, NULL);
    struct msr_info syscall = fake_msr(two_conds, 2, MSR_VENDOR_INTEL | MSR_VENDOR_AMD, NULL);
    struct msr_info conditional = fake_msr(vmx_cond, 1, MSR_VENDOR_INTEL, "IA32_VMX_BASIC[55] = 1");
    struct msr_info unconditional = fake_msr(NULL, 0, MSR_VENDOR_INTEL, NULL);
    struct msr_info amd_only = fake_msr(two_conds, 2, MSR_VENDOR_AMD, NULL);

    ck_assert_uint_eq(msr_cpu_vendor(&s1), MSR_VENDOR_INTEL);
    ck_assert_uint_eq(msr_cpu_vendor(&s3), MSR_VENDOR_AMD);
    ck_assert_int_eq(msr_is_supported(&vmx, &s1), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_is_supported(&vmx, &s2), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_is_supported(&vmx, &s3), MSR_SUPPORT_NO);      /* leaf 1 absent from the table */
    ck_assert_int_eq(msr_is_supported(&syscall, &s3), MSR_SUPPORT_YES);  /* second of any_of holds */
    ck_assert_int_eq(msr_is_supported(&syscall, &s1), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_is_supported(&conditional, &s1), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_is_supported(&conditional, &s2), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_is_supported(&unconditional, &s1), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_is_supported(&amd_only, &s3), MSR_SUPPORT_YES);
    ck_assert_str_eq(msr_support_name(MSR_SUPPORT_UNKNOWN), "unknown");
}
END_TEST

START_TEST(native_cpuid_answers_for_this_machine)
{
    /* Whatever the host is, the generated EFER condition (long mode) holds on x86-64. */
    const struct msr_info *efer = msr_find_by_address(MSR_IA32_EFER);
    ck_assert_ptr_nonnull(efer);
    ck_assert_uint_ne(msr_cpu_vendor(NULL), 0);
    ck_assert_int_eq(msr_is_supported(efer, NULL), MSR_SUPPORT_YES);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rmw_changes_only_writable_bits_and_never_clears_w1c_by_accident);
    tcase_add_test(tc, no_backend_is_an_error_not_a_crash);
    tcase_add_test(tc, plain_access_failure_reaches_the_fault_hook);
    tcase_add_test(tc, rejected_write_leaves_the_register_unchanged);
    tcase_add_test(tc, typed_pat_entries_use_memory_type_names);
    tcase_add_test(tc, every_table_entry_is_found_by_address_and_name);
    tcase_add_test(tc, field_helpers_handle_full_width_and_top_bit);
    tcase_add_test(tc, typed_helpers_at_the_edges_of_the_register);
    tcase_add_test(tc, every_status_has_its_own_message);
    tcase_add_test(tc, presence_follows_cpuid_and_never_says_a_wrong_yes);
    tcase_add_test(tc, native_cpuid_answers_for_this_machine);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
