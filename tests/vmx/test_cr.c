/*
 * CR0/CR4 fixed bits: the check the issue singles out (CR0 = 0 against
 * FIXED0 = 0x80000021, which a well-known hypervisor's precedence bug lets
 * through), the unrestricted-guest exception, apply, and the messages.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmx_fixture.h"

START_TEST(cr0_zero_is_rejected_against_fixed0_80000021)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_cr_check r;
    char text[128];

    vmx_fixture_caps(VMX_MEROM, &caps);
    ck_assert_uint_eq(caps.value[MSR_VMX_CAP_CR0_FIXED0], 0x80000021);
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0, false, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.value, 0);
    ck_assert_uint_eq(r.missing, 0x80000021);
    ck_assert_uint_eq(r.forbidden, 0);
    msr_vmx_cr_describe(0, &r, text, sizeof text);
    ck_assert_str_eq(text, "CR0: bit 0 (PE) must be 1\nCR0: bit 5 (NE) must be 1\nCR0: bit 31 (PG) must be 1\n");
    /* The same through the pure check. */
    ck_assert_int_eq(msr_vmx_fixed_bits_check(0, 0x80000021, 0xFFFFFFFF, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.missing, 0x80000021);
    ck_assert_int_eq(msr_vmx_fixed_bits_check(0x80000031, 0x80000021, 0xFFFFFFFF, &r), MSR_OK);
    ck_assert_int_eq(msr_vmx_fixed_bits_check(0, 0, 0, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(a_typical_host_cr0_passes)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_cr_check r;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0x80050033, false, &r), MSR_OK);
    ck_assert_uint_eq(r.missing | r.forbidden, 0);
    /* Bit 32 is outside FIXED1 (0xFFFFFFFF). */
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, UINT64_C(0x180050033), false, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.forbidden, UINT64_C(1) << 32);
}
END_TEST

START_TEST(unrestricted_guest_may_clear_pe_and_pg_but_not_pe_alone)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_cr_check r;
    uint64_t v;
    char text[64];

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0x20, true, &r), MSR_OK); /* real mode, NE */
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0, true, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.missing, 0x20); /* NE is still fixed */
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0x80000020, true, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.missing, MSR_VMX_CR0_PE); /* paging needs protection */
    msr_vmx_cr_describe(0, &r, text, sizeof text);
    ck_assert_str_eq(text, "CR0: bit 0 (PE) must be 1\n");
    ck_assert_int_eq(msr_vmx_cr0_apply(&caps, 0, true, &v), MSR_OK);
    ck_assert_uint_eq(v, 0x20);
    ck_assert_int_eq(msr_vmx_cr0_apply(&caps, 0x80000000, true, &v), MSR_OK);
    ck_assert_uint_eq(v, 0x80000021);
}
END_TEST

START_TEST(unrestricted_guest_needs_the_control)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_cr_check r;
    uint64_t v = 1;

    vmx_fixture_caps(VMX_MEROM, &caps); /* no secondary controls at all */
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0x20, true, &r), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_int_eq(msr_vmx_cr0_apply(&caps, 0x20, true, &v), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(v, 0x20);
    vmx_fixture_caps(VMX_PENRYN, &caps); /* secondary controls, no unrestricted guest */
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0x20, true, &r), MSR_VMX_ERR_UNSUPPORTED);
}
END_TEST

START_TEST(cr4_fixed_bits)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_cr_check r;
    uint64_t v;
    char text[128];

    vmx_fixture_caps(VMX_MEROM, &caps); /* CR4 FIXED0 0x2000, FIXED1 0x27FF */
    ck_assert_int_eq(msr_vmx_cr4_check(&caps, 0x26F0, &r), MSR_OK);
    ck_assert_int_eq(msr_vmx_cr4_check(&caps, 0x4006F0, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.missing, 0x2000);
    ck_assert_uint_eq(r.forbidden, 0x400000);
    msr_vmx_cr_describe(4, &r, text, sizeof text);
    ck_assert_str_eq(text, "CR4: bit 13 (VMXE) must be 1\nCR4: bit 22 (PKE) must be 0\n");
    ck_assert_int_eq(msr_vmx_cr4_apply(&caps, 0x4006F0, &v), MSR_OK);
    ck_assert_uint_eq(v, 0x26F0);
    /* A CR number without mnemonics still names the bits. */
    msr_vmx_cr_describe(3, &r, text, sizeof text);
    ck_assert_str_eq(text, "CR3: bit 13 must be 1\nCR3: bit 22 must be 0\n");
    ck_assert_uint_eq(msr_vmx_cr_describe(4, NULL, text, sizeof text), 0);
}
END_TEST

START_TEST(cr_error_paths)
{
    struct msr_vmx_caps caps, empty;
    struct msr_vmx_cr_check r;
    uint64_t v;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    memset(&empty, 0, sizeof empty);
    ck_assert_int_eq(msr_vmx_cr0_check(&caps, 0, false, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr0_check(NULL, 0, false, &r), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr0_check(&empty, 0, false, &r), MSR_ERR_INVALID);
    ck_assert_uint_eq(r.missing | r.forbidden, 0);
    ck_assert_int_eq(msr_vmx_cr4_check(&caps, 0, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr4_check(NULL, 0, &r), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr4_check(&empty, 0, &r), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr0_apply(&caps, 0, false, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr0_apply(NULL, 5, false, &v), MSR_ERR_INVALID);
    ck_assert_uint_eq(v, 5);
    ck_assert_int_eq(msr_vmx_cr0_apply(&empty, 5, false, &v), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr4_apply(&caps, 0, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr4_apply(NULL, 6, &v), MSR_ERR_INVALID);
    ck_assert_uint_eq(v, 6);
    ck_assert_int_eq(msr_vmx_cr4_apply(&empty, 6, &v), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_cr0_apply(&caps, 0, false, &v), MSR_OK);
    ck_assert_uint_eq(v, 0x80000021);
}
END_TEST

static Suite *cr_suite(void)
{
    Suite *s = suite_create("vmx_cr");
    TCase *tc = tcase_create("cr");

    tcase_add_test(tc, cr0_zero_is_rejected_against_fixed0_80000021);
    tcase_add_test(tc, a_typical_host_cr0_passes);
    tcase_add_test(tc, unrestricted_guest_may_clear_pe_and_pg_but_not_pe_alone);
    tcase_add_test(tc, unrestricted_guest_needs_the_control);
    tcase_add_test(tc, cr4_fixed_bits);
    tcase_add_test(tc, cr_error_paths);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cr_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
