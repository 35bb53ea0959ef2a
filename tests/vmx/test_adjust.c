/*
 * Control adjustment on real capability values: the plain formula, TRUE
 * controls clearing default-1 bits, the SDM default algorithm, 64-bit sets,
 * the all-sets entry point with its activation bits, and the messages.
 * Expected values are worked out by hand from the snapshot files.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmx_fixture.h"

#define PRIMARY_REQUEST_REQUIRED (MSR_VMX_PRIMARY_USE_MSR_BITMAPS | MSR_VMX_PRIMARY_ACTIVATE_SECONDARY_CONTROLS)
#define PRIMARY_REQUEST_OPTIONAL (MSR_VMX_PRIMARY_HLT_EXITING | MSR_VMX_PRIMARY_MONITOR_TRAP_FLAG)

START_TEST(skylake_true_controls_clear_the_default1_cr3_exiting_bits)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_adjusted a;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_PRIMARY, PRIMARY_REQUEST_REQUIRED, PRIMARY_REQUEST_OPTIONAL, &a),
                     MSR_OK);
    /* TRUE allowed-0 0x04006172 | bits 31, 28, 27, 7 */
    ck_assert_uint_eq(a.value, 0x9C0061F2);
    ck_assert_uint_eq(a.set, MSR_VMX_CTLS_PRIMARY);
    ck_assert_uint_eq(a.unsupported, 0);
    ck_assert_uint_eq(a.dropped, 0);
    ck_assert_uint_eq(a.forced, 0x04006172);
    ck_assert(!(a.value & MSR_VMX_PRIMARY_CR3_LOAD_EXITING));
}
END_TEST

START_TEST(merom_reports_the_missing_secondary_activation_by_name)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_adjusted a;
    char text[256];

    vmx_fixture_caps(VMX_MEROM, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_PRIMARY, PRIMARY_REQUEST_REQUIRED, PRIMARY_REQUEST_OPTIONAL, &a),
                     MSR_VMX_ERR_UNSUPPORTED);
    /* No TRUE MSRs: CR3-load/store exiting (15, 16) stay forced. */
    ck_assert_uint_eq(a.value, 0x1401E1F2);
    ck_assert_uint_eq(a.unsupported, MSR_VMX_PRIMARY_ACTIVATE_SECONDARY_CONTROLS);
    ck_assert_uint_eq(a.dropped, MSR_VMX_PRIMARY_MONITOR_TRAP_FLAG);
    ck_assert_uint_eq(msr_vmx_adjusted_describe(&a, text, sizeof text),
                      strlen("primary controls: bit 31 'Activate secondary controls' is not supported\n"));
    ck_assert_str_eq(text, "primary controls: bit 31 'Activate secondary controls' is not supported\n");
}
END_TEST

START_TEST(every_unsupported_required_bit_is_named)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_adjusted a;
    char text[256];

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_SECONDARY,
                                    MSR_VMX_SECONDARY_ENABLE_EPT | MSR_VMX_SECONDARY_APIC_REGISTER_VIRTUALIZATION |
                                        MSR_VMX_SECONDARY_VIRTUAL_INTERRUPT_DELIVERY,
                                    0, &a),
                     MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(a.value, MSR_VMX_SECONDARY_ENABLE_EPT);
    msr_vmx_adjusted_describe(&a, text, sizeof text);
    ck_assert_str_eq(text, "secondary controls: bit 8 'APIC-register virtualization' is not supported\n"
                           "secondary controls: bit 9 'Virtual-interrupt delivery' is not supported\n");
}
END_TEST

START_TEST(a_set_the_cpu_lacks_takes_optional_bits_as_dropped)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_adjusted a;

    vmx_fixture_caps(VMX_MEROM, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_SECONDARY, 0, MSR_VMX_SECONDARY_ENABLE_EPT, &a), MSR_OK);
    ck_assert_uint_eq(a.value, 0);
    ck_assert_uint_eq(a.dropped, MSR_VMX_SECONDARY_ENABLE_EPT);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_SECONDARY, MSR_VMX_SECONDARY_ENABLE_EPT, 0, &a),
                     MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(a.unsupported, MSR_VMX_SECONDARY_ENABLE_EPT);
    /* Penryn has secondary controls, but not EPT. */
    vmx_fixture_caps(VMX_PENRYN, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_SECONDARY, MSR_VMX_SECONDARY_WBINVD_EXITING,
                                    MSR_VMX_SECONDARY_ENABLE_EPT, &a),
                     MSR_OK);
    ck_assert_uint_eq(a.value, MSR_VMX_SECONDARY_WBINVD_EXITING);
    ck_assert_uint_eq(a.dropped, MSR_VMX_SECONDARY_ENABLE_EPT);
}
END_TEST

START_TEST(sixty_four_bit_sets_use_allowed1_only)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_adjusted a;

    vmx_fixture_caps(VMX_TERTIARY, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_TERTIARY, MSR_VMX_TERTIARY_IPI_VIRTUALIZATION,
                                    (UINT64_C(1) << 63) | MSR_VMX_TERTIARY_ENABLE_HLAT, &a),
                     MSR_OK);
    ck_assert_uint_eq(a.value, UINT64_C(0x8000000000000010));
    ck_assert_uint_eq(a.dropped, MSR_VMX_TERTIARY_ENABLE_HLAT);
    ck_assert_uint_eq(a.forced, 0);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_EXIT2, MSR_VMX_EXIT2_LOAD_FRED, 0, &a), MSR_OK);
    ck_assert_uint_eq(a.value, MSR_VMX_EXIT2_LOAD_FRED);
    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_EXIT2, MSR_VMX_EXIT2_LOAD_FRED, 0, &a), MSR_VMX_ERR_UNSUPPORTED);
}
END_TEST

START_TEST(sdm_algorithm_gives_unknown_flexible_bits_their_default)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_adjusted a;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    /* Knowing every named bit: only the reserved default1 bits (all fixed
     * on Skylake) remain, so the result is the TRUE allowed-0 value. */
    ck_assert_int_eq(msr_vmx_adjust_sdm(&caps, MSR_VMX_CTLS_PRIMARY, 0, 0,
                                        msr_vmx_control_set_named_mask(MSR_VMX_CTLS_PRIMARY), &a),
                     MSR_OK);
    ck_assert_uint_eq(a.value, 0x04006172);
    /* Knowing nothing: CR3-load/store exiting are flexible default1 bits and
     * get 1, exactly the plain MSR's allowed-0 value. */
    ck_assert_int_eq(msr_vmx_adjust_sdm(&caps, MSR_VMX_CTLS_PRIMARY, 0, 0, 0, &a), MSR_OK);
    ck_assert_uint_eq(a.value, 0x0401E172);
    ck_assert_uint_eq(a.forced, 0x0401E172);
    ck_assert_int_eq(msr_vmx_adjust_sdm(&caps, MSR_VMX_CTLS_EXIT, MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE, 0, 0, &a),
                     MSR_OK);
    ck_assert_uint_eq(a.value, 0x00036DFF | MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE);
    /* Secondary controls have no default1 class. */
    ck_assert_int_eq(msr_vmx_adjust_sdm(&caps, MSR_VMX_CTLS_SECONDARY, 0, 0, 0, &a), MSR_OK);
    ck_assert_uint_eq(a.value, 0);
    /* The plain algorithm on the same request clears the flexible bits. */
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_PRIMARY, 0, 0, &a), MSR_OK);
    ck_assert_uint_eq(a.value, 0x04006172);
}
END_TEST

START_TEST(adjust_error_paths)
{
    struct msr_vmx_caps caps, empty;
    struct msr_vmx_adjusted a;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    memset(&empty, 0, sizeof empty);
    ck_assert_int_eq(msr_vmx_adjust(NULL, MSR_VMX_CTLS_PRIMARY, 0, 0, &a), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_PRIMARY, 0, 0, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust(&empty, MSR_VMX_CTLS_PRIMARY, 0, 0, &a), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_COUNT, 0, 0, &a), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust(&caps, (enum msr_vmx_control_set_id)-1, 0, 0, &a), MSR_ERR_INVALID);
    /* Bit 32 of a 32-bit set: a constant of another set, most likely. */
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_PINBASED, UINT64_C(1) << 32, 0, &a), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust(&caps, MSR_VMX_CTLS_PINBASED, 0, UINT64_C(1) << 40, &a), MSR_ERR_INVALID);
    ck_assert_uint_eq(a.value, 0);
    ck_assert_int_eq(msr_vmx_adjust_sdm(&caps, MSR_VMX_CTLS_PINBASED, 0, 0, UINT64_C(1) << 33, &a), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust_sdm(NULL, MSR_VMX_CTLS_PINBASED, 0, 0, 0, &a), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_adjust_sdm(&caps, MSR_VMX_CTLS_PINBASED, 0, 0, 0, NULL), MSR_ERR_INVALID);
}
END_TEST

static void full_request(struct msr_vmx_controls_request *r)
{
    memset(r, 0, sizeof *r);
    r->required[MSR_VMX_CTLS_PRIMARY] = MSR_VMX_PRIMARY_USE_MSR_BITMAPS;
    r->required[MSR_VMX_CTLS_SECONDARY] =
        MSR_VMX_SECONDARY_ENABLE_EPT | MSR_VMX_SECONDARY_ENABLE_VPID | MSR_VMX_SECONDARY_UNRESTRICTED_GUEST;
    r->optional[MSR_VMX_CTLS_SECONDARY] = MSR_VMX_SECONDARY_ENABLE_XSAVES_XRSTORS;
    r->required[MSR_VMX_CTLS_EXIT] = MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE;
    r->required[MSR_VMX_CTLS_ENTRY] = MSR_VMX_ENTRY_IA32E_MODE_GUEST;
}

START_TEST(controls_adjust_sets_the_activation_bits)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_controls_request r;
    struct msr_vmx_controls c;
    char text[8];

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    full_request(&r);
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, &r, &c), MSR_OK);
    ck_assert(c.set[MSR_VMX_CTLS_PRIMARY].value & MSR_VMX_PRIMARY_ACTIVATE_SECONDARY_CONTROLS);
    ck_assert(!(c.set[MSR_VMX_CTLS_PRIMARY].value & MSR_VMX_PRIMARY_ACTIVATE_TERTIARY_CONTROLS));
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_SECONDARY].value, 0x1000A2);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_PINBASED].value, 0x16);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_EXIT].value, 0x36DFB | MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_ENTRY].value, 0x11FB | MSR_VMX_ENTRY_IA32E_MODE_GUEST);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_TERTIARY].value, 0);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_EXIT2].value, 0);
    ck_assert_uint_eq(msr_vmx_controls_describe(&c, text, sizeof text), 0);
    ck_assert_str_eq(text, "");

    /* Tertiary and secondary VM-exit controls, asked for optionally. */
    vmx_fixture_caps(VMX_TERTIARY, &caps);
    memset(&r, 0, sizeof r);
    r.optional[MSR_VMX_CTLS_TERTIARY] = MSR_VMX_TERTIARY_IPI_VIRTUALIZATION;
    r.optional[MSR_VMX_CTLS_EXIT2] = MSR_VMX_EXIT2_LOAD_FRED;
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, &r, &c), MSR_OK);
    ck_assert(c.set[MSR_VMX_CTLS_PRIMARY].value & MSR_VMX_PRIMARY_ACTIVATE_TERTIARY_CONTROLS);
    ck_assert(!(c.set[MSR_VMX_CTLS_PRIMARY].value & MSR_VMX_PRIMARY_ACTIVATE_SECONDARY_CONTROLS));
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_TERTIARY].value, MSR_VMX_TERTIARY_IPI_VIRTUALIZATION);
    ck_assert(c.set[MSR_VMX_CTLS_EXIT].value & MSR_VMX_EXIT_ACTIVATE_SECONDARY_CONTROLS);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_EXIT2].value, MSR_VMX_EXIT2_LOAD_FRED);
}
END_TEST

START_TEST(controls_adjust_reports_every_unsupported_bit_of_every_set)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_controls_request r;
    struct msr_vmx_controls c;
    const char *expected = "primary controls: bit 31 'Activate secondary controls' is not supported\n"
                           "secondary controls: bit 1 'Enable EPT' is not supported\n"
                           "secondary controls: bit 5 'Enable VPID' is not supported\n"
                           "secondary controls: bit 7 'Unrestricted guest' is not supported\n";
    char text[512], small[16];

    vmx_fixture_caps(VMX_MEROM, &caps);
    full_request(&r);
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, &r, &c), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_SECONDARY].value, 0);
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_SECONDARY].dropped, MSR_VMX_SECONDARY_ENABLE_XSAVES_XRSTORS);
    ck_assert_uint_eq(msr_vmx_controls_describe(&c, text, sizeof text), strlen(expected));
    ck_assert_str_eq(text, expected);
    /* Truncation keeps the NUL and still reports the full length. */
    ck_assert_uint_eq(msr_vmx_controls_describe(&c, small, sizeof small), strlen(expected));
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_uint_eq(msr_vmx_controls_describe(&c, NULL, 0), strlen(expected));
    ck_assert_uint_eq(msr_vmx_controls_describe(NULL, small, sizeof small), 0);
    ck_assert_uint_eq(msr_vmx_adjusted_describe(NULL, small, sizeof small), 0);
    ck_assert_str_eq(small, "");

    /* Only optional secondary bits: no activation, nothing fails. */
    memset(&r, 0, sizeof r);
    r.optional[MSR_VMX_CTLS_SECONDARY] = MSR_VMX_SECONDARY_ENABLE_EPT;
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, &r, &c), MSR_OK);
    ck_assert(!(c.set[MSR_VMX_CTLS_PRIMARY].value & MSR_VMX_PRIMARY_ACTIVATE_SECONDARY_CONTROLS));
    ck_assert_uint_eq(c.set[MSR_VMX_CTLS_SECONDARY].dropped, MSR_VMX_SECONDARY_ENABLE_EPT);
}
END_TEST

START_TEST(controls_adjust_error_paths)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_controls_request r;
    struct msr_vmx_controls c;
    unsigned i;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    full_request(&r);
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, &r, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, NULL, &c), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_controls_adjust(NULL, &r, &c), MSR_ERR_INVALID);
    r.optional[MSR_VMX_CTLS_ENTRY] = UINT64_C(1) << 35;
    ck_assert_int_eq(msr_vmx_controls_adjust(&caps, &r, &c), MSR_ERR_INVALID);
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        ck_assert_uint_eq(c.set[i].value, 0);
        ck_assert_uint_eq(c.set[i].set, i);
    }
}
END_TEST

static Suite *adjust_suite(void)
{
    Suite *s = suite_create("vmx_adjust");
    TCase *tc = tcase_create("adjust");

    tcase_add_test(tc, skylake_true_controls_clear_the_default1_cr3_exiting_bits);
    tcase_add_test(tc, merom_reports_the_missing_secondary_activation_by_name);
    tcase_add_test(tc, every_unsupported_required_bit_is_named);
    tcase_add_test(tc, a_set_the_cpu_lacks_takes_optional_bits_as_dropped);
    tcase_add_test(tc, sixty_four_bit_sets_use_allowed1_only);
    tcase_add_test(tc, sdm_algorithm_gives_unknown_flexible_bits_their_default);
    tcase_add_test(tc, adjust_error_paths);
    tcase_add_test(tc, controls_adjust_sets_the_activation_bits);
    tcase_add_test(tc, controls_adjust_reports_every_unsupported_bit_of_every_set);
    tcase_add_test(tc, controls_adjust_error_paths);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(adjust_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
