/* The BASIC, MISC, EPT/VPID, VMFUNC and VMCS_ENUM decoders on real values. */
#include <check.h>
#include <stdlib.h>

#include "vmx_fixture.h"

START_TEST(basic_of_skylake_and_merom)
{
    struct msr_vmx_basic_info b;

    ck_assert_int_eq(msr_vmx_basic_decode(UINT64_C(0x00DA040000000004), &b), MSR_OK);
    ck_assert_uint_eq(b.revision_id, 4);
    ck_assert_uint_eq(b.vmcs_size, 1024);
    ck_assert_int_eq(b.memory_type, MSR_IA32_VMX_BASIC_MEMORY_TYPE_WB);
    ck_assert(!b.physical_address_32bit);
    ck_assert(b.dual_monitor && b.ins_outs_info && b.true_controls);
    ck_assert(!b.no_error_code_check && !b.nested_exception);
    ck_assert_int_eq(msr_vmx_basic_decode(UINT64_C(0x001A040000000007), &b), MSR_OK);
    ck_assert_uint_eq(b.revision_id, 7);
    ck_assert(!b.true_controls && !b.ins_outs_info && b.dual_monitor);
    ck_assert_int_eq(msr_vmx_basic_decode(UINT64_C(0x0500000000000000), &b), MSR_OK);
    ck_assert(b.no_error_code_check && b.nested_exception);
    ck_assert_int_eq(msr_vmx_basic_decode(0, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(misc_of_skylake_and_merom)
{
    struct msr_vmx_misc_info m;

    ck_assert_int_eq(msr_vmx_misc_decode(UINT64_C(0x7004C1E7), &m), MSR_OK);
    ck_assert_uint_eq(m.preemption_timer_rate, 7);
    ck_assert(m.store_efer_lma && m.activity_hlt && m.activity_shutdown && m.activity_wait_sipi);
    ck_assert(m.intel_pt_in_vmx && m.rdmsr_smbase_in_smm);
    ck_assert_uint_eq(m.cr3_target_count, 4);
    ck_assert_uint_eq(m.max_msr_list_entries, 512);
    ck_assert(m.smm_monitor_ctl_b2 && m.vmwrite_all_fields && m.zero_length_injection);
    ck_assert_uint_eq(m.mseg_revision, 0);
    ck_assert_int_eq(msr_vmx_misc_decode(UINT64_C(0x403C0), &m), MSR_OK);
    ck_assert_uint_eq(m.preemption_timer_rate, 0);
    ck_assert(!m.store_efer_lma && m.activity_hlt && m.activity_shutdown && m.activity_wait_sipi);
    ck_assert(!m.vmwrite_all_fields);
    /* N = 7 in bits 27:25, an MSEG revision in 63:32. */
    ck_assert_int_eq(msr_vmx_misc_decode(UINT64_C(0x123456780E000000), &m), MSR_OK);
    ck_assert_uint_eq(m.max_msr_list_entries, 4096);
    ck_assert_uint_eq(m.mseg_revision, 0x12345678);
    ck_assert_int_eq(msr_vmx_misc_decode(0, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(ept_vpid_of_skylake)
{
    struct msr_vmx_ept_vpid_info e;

    ck_assert_int_eq(msr_vmx_ept_vpid_decode(UINT64_C(0x00000F0106334141), &e), MSR_OK);
    ck_assert(e.execute_only && e.page_walk_length_4 && !e.page_walk_length_5);
    ck_assert(e.memory_type_uc && e.memory_type_wb && e.pde_2mb && e.pdpte_1gb);
    ck_assert(e.invept && e.accessed_dirty && !e.advanced_exit_info && !e.supervisor_shadow_stack);
    ck_assert(e.invept_single_context && e.invept_all_context);
    ck_assert(e.invvpid && e.invvpid_individual_address && e.invvpid_single_context);
    ck_assert(e.invvpid_all_context && e.invvpid_single_context_retain_globals);
    ck_assert_uint_eq(e.max_hlat_prefix_size, 0);
    ck_assert_int_eq(msr_vmx_ept_vpid_decode(UINT64_C(0x0001000000C000C0), &e), MSR_OK);
    ck_assert(e.page_walk_length_5 && e.advanced_exit_info && e.supervisor_shadow_stack && !e.execute_only);
    ck_assert_uint_eq(e.max_hlat_prefix_size, 1);
    ck_assert_int_eq(msr_vmx_ept_vpid_decode(0, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(vmfunc_and_vmcs_enum)
{
    struct msr_vmx_vmfunc_info f;
    struct msr_vmx_vmcs_enum_info e;

    ck_assert_int_eq(msr_vmx_vmfunc_decode(1, &f), MSR_OK);
    ck_assert(f.eptp_switching);
    ck_assert_uint_eq(f.allowed, 1);
    ck_assert_int_eq(msr_vmx_vmfunc_decode(2, &f), MSR_OK);
    ck_assert(!f.eptp_switching);
    ck_assert_int_eq(msr_vmx_vmfunc_decode(0, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_vmcs_enum_decode(0x2E, &e), MSR_OK);
    ck_assert_uint_eq(e.max_index, 23);
    ck_assert_int_eq(msr_vmx_vmcs_enum_decode(0x2C, &e), MSR_OK);
    ck_assert_uint_eq(e.max_index, 22);
    ck_assert_int_eq(msr_vmx_vmcs_enum_decode(0, NULL), MSR_ERR_INVALID);
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("vmx_decode");
    TCase *tc = tcase_create("decode");

    tcase_add_test(tc, basic_of_skylake_and_merom);
    tcase_add_test(tc, misc_of_skylake_and_merom);
    tcase_add_test(tc, ept_vpid_of_skylake);
    tcase_add_test(tc, vmfunc_and_vmcs_enum);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(decode_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
