/*
 * IA32_FEATURE_CONTROL: the pure decision for every lock/enable combination,
 * and the read-plan-write wrapper on the test backend (what it reads and
 * writes, and that a locked-off MSR is never written).
 */
#include <check.h>
#include <stdlib.h>

#include "vmx_fixture.h"

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

START_TEST(unlocked_gets_enabled_and_locked)
{
    struct msr_vmx_feature_control_plan p;

    ck_assert_int_eq(msr_vmx_feature_control_decide(0, false, false, &p), MSR_OK);
    ck_assert(p.write);
    ck_assert_uint_eq(p.value, 0x5);
    ck_assert(p.vmx_outside_smx && !p.vmx_inside_smx);
    ck_assert_int_eq(msr_vmx_feature_control_decide(0, true, true, &p), MSR_OK);
    ck_assert_uint_eq(p.value, 0x7);
    ck_assert(p.vmx_inside_smx);
    /* Inside-SMX without SMX would #GP: not added. */
    ck_assert_int_eq(msr_vmx_feature_control_decide(0, true, false, &p), MSR_OK);
    ck_assert_uint_eq(p.value, 0x5);
    ck_assert(!p.vmx_inside_smx);
    /* Firmware's other choices (LMCE, SGX) are kept. */
    ck_assert_int_eq(msr_vmx_feature_control_decide(0x140000, false, false, &p), MSR_OK);
    ck_assert_uint_eq(p.value, 0x140005);
}
END_TEST

START_TEST(locked_is_used_as_is_or_reported_disabled)
{
    struct msr_vmx_feature_control_plan p;

    ck_assert_int_eq(msr_vmx_feature_control_decide(0x5, true, true, &p), MSR_OK);
    ck_assert(!p.write);
    ck_assert_uint_eq(p.value, 0x5);
    ck_assert(p.vmx_outside_smx && !p.vmx_inside_smx);
    ck_assert_int_eq(msr_vmx_feature_control_decide(0x7, false, false, &p), MSR_OK);
    ck_assert(p.vmx_inside_smx);
    ck_assert_int_eq(msr_vmx_feature_control_decide(0x1, false, false, &p), MSR_VMX_ERR_DISABLED);
    ck_assert(!p.write);
    ck_assert_int_eq(msr_vmx_feature_control_decide(0x3, true, true, &p), MSR_VMX_ERR_DISABLED);
    ck_assert_int_eq(msr_vmx_feature_control_decide(0, false, false, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(enable_writes_once_through_the_backend)
{
    struct msr_vmx_feature_control_plan p;
    uint64_t v;

    ck_assert_int_eq(msr_test_backend_set(&tb, MSR_IA32_FEATURE_CONTROL_ADDR, 0), MSR_OK);
    ck_assert_int_eq(msr_vmx_feature_control_enable(false, false, &p), MSR_OK);
    ck_assert_uint_eq(tb.log_count, 2);
    ck_assert(!tb.log[0].is_write);
    ck_assert(tb.log[1].is_write);
    ck_assert_uint_eq(tb.log[1].value, 0x5);
    ck_assert_int_eq(msr_test_backend_get(&tb, MSR_IA32_FEATURE_CONTROL_ADDR, &v), MSR_OK);
    ck_assert_uint_eq(v, 0x5);
    /* Now locked with VMX on: a second call only reads. */
    ck_assert_int_eq(msr_vmx_feature_control_enable(false, false, NULL), MSR_OK);
    ck_assert_uint_eq(tb.log_count, 3);
}
END_TEST

START_TEST(locked_off_is_disabled_and_never_written)
{
    struct msr_vmx_feature_control_plan p;

    ck_assert_int_eq(msr_test_backend_set(&tb, MSR_IA32_FEATURE_CONTROL_ADDR, 0x1), MSR_OK);
    ck_assert_int_eq(msr_vmx_feature_control_enable(false, false, &p), MSR_VMX_ERR_DISABLED);
    ck_assert_uint_eq(tb.log_count, 1);
    ck_assert(!tb.log[0].is_write);
    ck_assert_str_eq(msr_vmx_strerror(MSR_VMX_ERR_DISABLED), "disabled and locked by firmware");
}
END_TEST

START_TEST(backend_errors_pass_through)
{
    struct msr_vmx_feature_control_plan p;

    /* Absent register: the read faults. */
    ck_assert_int_eq(msr_vmx_feature_control_enable(false, false, &p), MSR_ERR_FAULT);
    ck_assert(!p.write);
    /* The write is rejected. */
    ck_assert_int_eq(msr_test_backend_set(&tb, MSR_IA32_FEATURE_CONTROL_ADDR, 0), MSR_OK);
    ck_assert_int_eq(msr_test_backend_reject(&tb, MSR_IA32_FEATURE_CONTROL_ADDR, 0x1), MSR_OK);
    ck_assert_int_eq(msr_vmx_feature_control_enable(false, false, &p), MSR_ERR_FAULT);
    ck_assert(p.write);
    ck_assert_int_eq(msr_vmx_feature_control_enable_with(NULL, msr_vmx_core_write_, NULL, false, false, &p),
                     MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_feature_control_enable_with(msr_vmx_core_read_, NULL, NULL, false, false, NULL),
                     MSR_ERR_INVALID);
}
END_TEST

static Suite *feature_control_suite(void)
{
    Suite *s = suite_create("vmx_feature_control");
    TCase *tc = tcase_create("feature_control");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unlocked_gets_enabled_and_locked);
    tcase_add_test(tc, locked_is_used_as_is_or_reported_disabled);
    tcase_add_test(tc, enable_writes_once_through_the_backend);
    tcase_add_test(tc, locked_off_is_disabled_and_never_written);
    tcase_add_test(tc, backend_errors_pass_through);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(feature_control_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
