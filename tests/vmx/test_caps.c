/*
 * The capability snapshot: existence rules (no MSR is ever read unless the
 * values before it say it exists), offline filling, accessors, control-set
 * views and bit states, on the real-processor snapshots.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "x86msr/cpuid.h"
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

/* Every VMX capability MSR, so that a read of one the CPU lacks would
 * succeed in the backend and be caught by the log check, not by a fault. */
static void add_all_vmx_msrs_as_bait(uint64_t value)
{
    uint32_t msr;

    for (msr = MSR_IA32_VMX_BASIC_ADDR; msr <= MSR_IA32_VMX_EXIT_CTLS2_ADDR; msr++)
        ck_assert_int_eq(msr_test_backend_set(&tb, msr, value), MSR_OK);
}

/* Asserts that the backend log is exactly the reads of `expected` (in any
 * order after BASIC, which must come first), none failing. */
static void assert_reads_exactly(const uint32_t *expected, size_t count)
{
    size_t i, j;

    ck_assert_uint_eq(tb.log_count, count);
    ck_assert_uint_eq(tb.log[0].msr, MSR_IA32_VMX_BASIC_ADDR);
    for (i = 0; i < tb.log_count; i++) {
        bool found = false;

        ck_assert(!tb.log[i].is_write);
        ck_assert_int_eq(tb.log[i].status, MSR_OK);
        for (j = 0; j < count; j++)
            found = found || expected[j] == tb.log[i].msr;
        ck_assert_msg(found, "read MSR 0x%X, which this processor does not have", (unsigned)tb.log[i].msr);
    }
}

static const uint32_t merom_msrs[] = {0x480, 0x481, 0x482, 0x483, 0x484, 0x485, 0x486, 0x487, 0x488, 0x489, 0x48A};

START_TEST(merom_reads_only_the_eleven_base_msrs_even_when_others_answer)
{
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    /* The backend holds all twenty (the bait) with Merom's real values on
     * top: TRUE_*, CTLS2, EPT, VMFUNC, CTLS3, EXIT_CTLS2 must not be read. */
    add_all_vmx_msrs_as_bait(~UINT64_C(0));
    vmx_fixture_load(VMX_MEROM, &f);
    vmx_fixture_to_backend(&f, &tb);
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_OK);
    assert_reads_exactly(merom_msrs, sizeof merom_msrs / sizeof merom_msrs[0]);
    ck_assert_uint_eq(caps.present, 0x7FF);
    ck_assert_uint_eq(caps.error_msr, 0);
    ck_assert_uint_eq(caps.value[MSR_VMX_CAP_BASIC], UINT64_C(0x001A040000000007));
    ck_assert_uint_eq(caps.value[MSR_VMX_CAP_TRUE_PINBASED_CTLS], 0);
}
END_TEST

START_TEST(penryn_reads_secondary_but_not_ept_or_vmfunc)
{
    static const uint32_t expected[] = {0x480, 0x481, 0x482, 0x483, 0x484, 0x485,
                                        0x486, 0x487, 0x488, 0x489, 0x48A, 0x48B};
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    add_all_vmx_msrs_as_bait(~UINT64_C(0));
    vmx_fixture_load(VMX_PENRYN, &f);
    vmx_fixture_to_backend(&f, &tb);
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_OK);
    assert_reads_exactly(expected, sizeof expected / sizeof expected[0]);
    ck_assert(msr_vmx_caps_has(&caps, MSR_VMX_CAP_PROCBASED_CTLS2));
    ck_assert(!msr_vmx_caps_has(&caps, MSR_VMX_CAP_EPT_VPID_CAP));
    ck_assert(!msr_vmx_caps_has(&caps, MSR_VMX_CAP_VMFUNC));
}
END_TEST

START_TEST(skylake_reads_true_ept_vmfunc_but_not_tertiary_or_exit2)
{
    static const uint32_t expected[] = {0x480, 0x481, 0x482, 0x483, 0x484, 0x485, 0x486, 0x487, 0x488, 0x489,
                                        0x48A, 0x48B, 0x48C, 0x48D, 0x48E, 0x48F, 0x490, 0x491};
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    add_all_vmx_msrs_as_bait(~UINT64_C(0));
    vmx_fixture_load(VMX_SKYLAKE, &f);
    vmx_fixture_to_backend(&f, &tb);
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_OK);
    assert_reads_exactly(expected, sizeof expected / sizeof expected[0]);
    ck_assert_uint_eq(caps.present, 0x3FFFF);
}
END_TEST

START_TEST(tertiary_snapshot_reads_all_twenty)
{
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    vmx_fixture_load(VMX_TERTIARY, &f);
    vmx_fixture_to_backend(&f, &tb); /* exactly its own MSRs: any other read would fault */
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_OK);
    ck_assert_uint_eq(tb.log_count, MSR_VMX_CAP_COUNT);
    ck_assert_uint_eq(caps.present, 0xFFFFF);
    ck_assert_uint_eq(caps.value[MSR_VMX_CAP_PROCBASED_CTLS3], UINT64_C(0x8000000000000011));
    ck_assert_uint_eq(caps.value[MSR_VMX_CAP_EXIT_CTLS2], 3);
}
END_TEST

START_TEST(each_real_snapshot_reads_without_a_single_fault)
{
    static const char *const names[] = {VMX_MEROM, VMX_PENRYN, VMX_SKYLAKE, VMX_TERTIARY};
    size_t i, j;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct vmx_fixture f;
        struct msr_vmx_caps live, offline;

        msr_test_backend_init(&tb);
        vmx_fixture_load(names[i], &f);
        vmx_fixture_to_backend(&f, &tb);
        ck_assert_int_eq(msr_vmx_caps_read(&live), MSR_OK);
        for (j = 0; j < tb.log_count; j++)
            ck_assert_int_eq(tb.log[j].status, MSR_OK);
        /* Online and offline filling agree. */
        ck_assert_int_eq(msr_vmx_caps_from_values(&offline, f.values, f.count), MSR_OK);
        ck_assert_mem_eq(&live, &offline, sizeof live);
    }
}
END_TEST

START_TEST(no_vmx_is_unsupported_after_one_read)
{
    struct msr_vmx_caps caps;

    caps.present = 123;
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(tb.log_count, 1);
    ck_assert_uint_eq(tb.log[0].msr, MSR_IA32_VMX_BASIC_ADDR);
    ck_assert_uint_eq(caps.present, 0);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_BASIC_ADDR);
}
END_TEST

static int fault_reader(void *ctx, uint32_t msr, uint64_t *value)
{
    (void)ctx;
    (void)msr;
    *value = 0;
    return MSR_ERR_FAULT; /* #GP, through any backend (the Linux one maps EIO to it) */
}

static int no_backend_reader(void *ctx, uint32_t msr, uint64_t *value)
{
    (void)ctx;
    (void)msr;
    *value = 0;
    return MSR_ERR_NO_BACKEND;
}

START_TEST(a_fault_on_basic_is_unsupported_but_other_errors_are_not)
{
    struct msr_vmx_caps caps;

    ck_assert_int_eq(msr_vmx_caps_read_with(&caps, fault_reader, NULL), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_int_eq(msr_vmx_caps_read_with(&caps, no_backend_reader, NULL), MSR_ERR_NO_BACKEND);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_BASIC_ADDR);
}
END_TEST

START_TEST(an_established_msr_that_faults_fails_the_read_and_empties_the_snapshot)
{
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    vmx_fixture_load(VMX_SKYLAKE, &f);
    vmx_fixture_remove(&f, MSR_IA32_VMX_TRUE_PINBASED_CTLS_ADDR);
    vmx_fixture_to_backend(&f, &tb);
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_ERR_FAULT);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_TRUE_PINBASED_CTLS_ADDR);
    ck_assert_uint_eq(caps.present, 0);
    ck_assert_uint_eq(caps.value[MSR_VMX_CAP_BASIC], 0);
}
END_TEST

START_TEST(contradictory_values_are_rejected)
{
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    /* Pin-based bit 0 must be 1 (allowed-0) and must be 0 (allowed-1). */
    vmx_fixture_load(VMX_SKYLAKE, &f);
    vmx_fixture_set(&f, MSR_IA32_VMX_TRUE_PINBASED_CTLS_ADDR, UINT64_C(0x0000007E00000017));
    vmx_fixture_to_backend(&f, &tb);
    ck_assert_int_eq(msr_vmx_caps_read(&caps), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_TRUE_PINBASED_CTLS_ADDR);
    ck_assert_uint_eq(caps.present, 0);
    /* CR4 FIXED0 not inside FIXED1. */
    vmx_fixture_load(VMX_MEROM, &f);
    vmx_fixture_set(&f, MSR_IA32_VMX_CR4_FIXED0_ADDR, 0x12000);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, f.values, f.count), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_CR4_FIXED0_ADDR);
}
END_TEST

START_TEST(read_with_rejects_null_arguments)
{
    struct msr_vmx_caps caps;

    ck_assert_int_eq(msr_vmx_caps_read_with(NULL, fault_reader, NULL), MSR_ERR_INVALID);
    caps.present = 7;
    ck_assert_int_eq(msr_vmx_caps_read_with(&caps, NULL, NULL), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.present, 0);
}
END_TEST

START_TEST(from_values_error_paths)
{
    struct vmx_fixture f;
    struct msr_vmx_caps caps;
    struct msr_vmx_msr_value twice[2] = {{0x480, 1}, {0x480, 1}};

    ck_assert_int_eq(msr_vmx_caps_from_values(NULL, twice, 2), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, NULL, 3), MSR_ERR_INVALID);
    /* Nothing at all: BASIC is missing. */
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, NULL, 0), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_BASIC_ADDR);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, twice, 2), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, 0x480);
    /* Skylake without its EPT/VPID MSR: secondary bit 1 says it exists. */
    vmx_fixture_load(VMX_SKYLAKE, &f);
    vmx_fixture_remove(&f, MSR_IA32_VMX_EPT_VPID_CAP_ADDR);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, f.values, f.count), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_EPT_VPID_CAP_ADDR);
    ck_assert_uint_eq(caps.present, 0);
    /* Tertiary snapshot without CTLS3 / EXIT_CTLS2. */
    vmx_fixture_load(VMX_TERTIARY, &f);
    vmx_fixture_remove(&f, MSR_IA32_VMX_PROCBASED_CTLS3_ADDR);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, f.values, f.count), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_PROCBASED_CTLS3_ADDR);
    vmx_fixture_load(VMX_TERTIARY, &f);
    vmx_fixture_remove(&f, MSR_IA32_VMX_EXIT_CTLS2_ADDR);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, f.values, f.count), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_EXIT_CTLS2_ADDR);
    vmx_fixture_load(VMX_SKYLAKE, &f);
    vmx_fixture_remove(&f, MSR_IA32_VMX_VMFUNC_ADDR);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, f.values, f.count), MSR_ERR_INVALID);
    ck_assert_uint_eq(caps.error_msr, MSR_IA32_VMX_VMFUNC_ADDR);
}
END_TEST

START_TEST(from_values_ignores_msrs_that_do_not_exist_and_other_msrs)
{
    struct vmx_fixture f;
    struct msr_vmx_caps caps;

    /* Merom with zeros for every optional MSR (a dump tool that wrote 0 for
     * unreadable registers) and an unrelated MSR. */
    vmx_fixture_load(VMX_MEROM, &f);
    vmx_fixture_set(&f, MSR_IA32_VMX_TRUE_PINBASED_CTLS_ADDR, 0);
    vmx_fixture_set(&f, MSR_IA32_VMX_PROCBASED_CTLS2_ADDR, 0);
    vmx_fixture_set(&f, MSR_IA32_VMX_PROCBASED_CTLS3_ADDR, 0);
    vmx_fixture_set(&f, 0xC0000080, 0xD01);
    ck_assert_int_eq(msr_vmx_caps_from_values(&caps, f.values, f.count), MSR_OK);
    ck_assert_uint_eq(caps.present, 0x7FF);
}
END_TEST

START_TEST(get_has_and_addresses)
{
    struct msr_vmx_caps caps;
    uint64_t value = 99;

    vmx_fixture_caps(VMX_MEROM, &caps);
    ck_assert_int_eq(msr_vmx_caps_get(&caps, MSR_VMX_CAP_MISC, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x403C0);
    ck_assert_int_eq(msr_vmx_caps_get(&caps, MSR_VMX_CAP_EPT_VPID_CAP, &value), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(value, 0);
    ck_assert_int_eq(msr_vmx_caps_get(&caps, MSR_VMX_CAP_COUNT, &value), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_caps_get(NULL, MSR_VMX_CAP_BASIC, &value), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_caps_get(&caps, MSR_VMX_CAP_BASIC, NULL), MSR_ERR_INVALID);
    ck_assert(!msr_vmx_caps_has(&caps, MSR_VMX_CAP_COUNT));
    ck_assert(!msr_vmx_caps_has(NULL, MSR_VMX_CAP_BASIC));
    ck_assert(msr_vmx_caps_has(&caps, MSR_VMX_CAP_VMCS_ENUM));
    ck_assert_uint_eq(msr_vmx_cap_msr_address(MSR_VMX_CAP_BASIC), 0x480);
    ck_assert_uint_eq(msr_vmx_cap_msr_address(MSR_VMX_CAP_EXIT_CTLS2), 0x493);
    ck_assert_uint_eq(msr_vmx_cap_msr_address(MSR_VMX_CAP_COUNT), 0);
    {
        char text[128];
        ck_assert_uint_eq(msr_vmx_cap_msr_condition(MSR_VMX_CAP_TRUE_EXIT_CTLS, text, sizeof text),
                          strlen("CPUID.(EAX=1H):ECX[5] = 1 and IA32_VMX_BASIC[55] = 1"));
        ck_assert_str_eq(text, "CPUID.(EAX=1H):ECX[5] = 1 and IA32_VMX_BASIC[55] = 1");
        msr_vmx_cap_msr_condition(MSR_VMX_CAP_PROCBASED_CTLS2, text, sizeof text);
        ck_assert_str_eq(text, "CPUID.(EAX=1H):ECX[5] = 1 and IA32_VMX_PROCBASED_CTLS[63] = 1");
        msr_vmx_cap_msr_condition(MSR_VMX_CAP_COUNT, text, sizeof text);
        ck_assert_str_eq(text, "not a VMX capability MSR");
    }
    /* The library names each capability MSR's record itself: they are the
     * spec's registers at 480H + index, the only ones there. */
    {
        char text[256], expected[256];
        unsigned i;
        for (i = 0; i < MSR_VMX_CAP_COUNT; i++) {
            uint32_t address = msr_vmx_cap_msr_address((enum msr_vmx_cap_msr)i);
            const struct msr_instance *inst = msr_find_by_address(address);
            const struct msr_def *def;

            ck_assert_ptr_nonnull(inst);
            ck_assert(inst + 1 == msr_spec.instances + msr_spec.instance_count || inst[1].address != address);
            def = msr_def_of(inst);
            ck_assert_uint_ne(def->present_if, MSR_NO_CELL);
            msr_condition_describe(msr_def_condition(def, def->present_if), 0, false, expected, sizeof expected);
            msr_vmx_cap_msr_condition((enum msr_vmx_cap_msr)i, text, sizeof text);
            ck_assert_str_eq(text, expected);
        }
    }
}
END_TEST

START_TEST(control_set_views)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_control_caps cc;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_PRIMARY, &cc), MSR_OK);
    ck_assert(cc.has_true);
    ck_assert_uint_eq(cc.allowed0, 0x04006172);  /* from TRUE_PROCBASED_CTLS */
    ck_assert_uint_eq(cc.defaults, 0x0401E172);  /* from PROCBASED_CTLS */
    ck_assert_uint_eq(cc.allowed1, 0xFFF9FFFE);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_SECONDARY, &cc), MSR_OK);
    ck_assert(!cc.has_true);
    ck_assert_uint_eq(cc.allowed1, 0x001FFCFF);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_TERTIARY, &cc), MSR_VMX_ERR_UNSUPPORTED);
    ck_assert_uint_eq(cc.allowed1 | cc.allowed0 | cc.defaults, 0);

    vmx_fixture_caps(VMX_MEROM, &caps);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_PRIMARY, &cc), MSR_OK);
    ck_assert(!cc.has_true);
    ck_assert_uint_eq(cc.allowed0, 0x0401E172);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_SECONDARY, &cc), MSR_VMX_ERR_UNSUPPORTED);

    vmx_fixture_caps(VMX_TERTIARY, &caps);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_TERTIARY, &cc), MSR_OK);
    ck_assert_uint_eq(cc.allowed0, 0);
    ck_assert_uint_eq(cc.allowed1, UINT64_C(0x8000000000000011));
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_EXIT2, &cc), MSR_OK);
    ck_assert_uint_eq(cc.allowed1, 3);

    ck_assert_int_eq(msr_vmx_caps_control_set(NULL, MSR_VMX_CTLS_PRIMARY, &cc), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_COUNT, &cc), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_PRIMARY, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(bit_states_match_qemu_vmxcap)
{
    struct msr_vmx_caps caps;
    struct msr_vmx_control_caps cc;

    vmx_fixture_caps(VMX_SKYLAKE, &caps);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_PRIMARY, &cc), MSR_OK);
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 15), MSR_VMX_BIT_DEFAULT); /* CR3-load exiting */
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 2), MSR_VMX_BIT_YES);
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 1), MSR_VMX_BIT_FORCED);  /* reserved default1 */
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 17), MSR_VMX_BIT_NO);    /* no tertiary */
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 64), MSR_VMX_BIT_NO);
    ck_assert_int_eq(msr_vmx_control_bit_state(NULL, 2), MSR_VMX_BIT_NO);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_PINBASED, &cc), MSR_OK);
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 7), MSR_VMX_BIT_NO);     /* posted interrupts */

    /* Without TRUE controls there is no "default": it is forced. */
    vmx_fixture_caps(VMX_MEROM, &caps);
    ck_assert_int_eq(msr_vmx_caps_control_set(&caps, MSR_VMX_CTLS_PRIMARY, &cc), MSR_OK);
    ck_assert_int_eq(msr_vmx_control_bit_state(&cc, 15), MSR_VMX_BIT_FORCED);

    ck_assert_str_eq(msr_vmx_bit_state_name(MSR_VMX_BIT_NO), "no");
    ck_assert_str_eq(msr_vmx_bit_state_name(MSR_VMX_BIT_YES), "yes");
    ck_assert_str_eq(msr_vmx_bit_state_name(MSR_VMX_BIT_FORCED), "forced");
    ck_assert_str_eq(msr_vmx_bit_state_name(MSR_VMX_BIT_DEFAULT), "default");
    ck_assert_str_eq(msr_vmx_bit_state_name((enum msr_vmx_bit_state)9), "?");
}
END_TEST

START_TEST(bit_names_come_from_the_spec_tables)
{
    const struct msr_vmx_control_bit *b = msr_vmx_control_bit_find(MSR_VMX_CTLS_SECONDARY, 20);

    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(b->name, "ENABLE_XSAVES_XRSTORS");
    ck_assert_ptr_null(msr_vmx_control_bit_find(MSR_VMX_CTLS_PINBASED, 1));
    ck_assert_ptr_null(msr_vmx_control_bit_find(MSR_VMX_CTLS_COUNT, 0));
    ck_assert_uint_eq(msr_vmx_control_set_named_mask(MSR_VMX_CTLS_PINBASED), 0xE9);
    ck_assert_uint_eq(msr_vmx_control_set_named_mask(MSR_VMX_CTLS_COUNT), 0);
}
END_TEST

static Suite *caps_suite(void)
{
    Suite *s = suite_create("vmx_caps");
    TCase *tc = tcase_create("caps");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, merom_reads_only_the_eleven_base_msrs_even_when_others_answer);
    tcase_add_test(tc, penryn_reads_secondary_but_not_ept_or_vmfunc);
    tcase_add_test(tc, skylake_reads_true_ept_vmfunc_but_not_tertiary_or_exit2);
    tcase_add_test(tc, tertiary_snapshot_reads_all_twenty);
    tcase_add_test(tc, each_real_snapshot_reads_without_a_single_fault);
    tcase_add_test(tc, no_vmx_is_unsupported_after_one_read);
    tcase_add_test(tc, a_fault_on_basic_is_unsupported_but_other_errors_are_not);
    tcase_add_test(tc, an_established_msr_that_faults_fails_the_read_and_empties_the_snapshot);
    tcase_add_test(tc, contradictory_values_are_rejected);
    tcase_add_test(tc, read_with_rejects_null_arguments);
    tcase_add_test(tc, from_values_error_paths);
    tcase_add_test(tc, from_values_ignores_msrs_that_do_not_exist_and_other_msrs);
    tcase_add_test(tc, get_has_and_addresses);
    tcase_add_test(tc, control_set_views);
    tcase_add_test(tc, bit_states_match_qemu_vmxcap);
    tcase_add_test(tc, bit_names_come_from_the_spec_tables);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(caps_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
