/*
 * MSR intercept maps. Byte and bit positions are checked against values
 * computed by hand from the manuals, not from the code's own formulas:
 *   Intel (SDM 25.6.9): read-low at 0, read-high at 1024, write-low at
 *   2048, write-high at 3072; MSR n of a range -> byte n/8, bit n%8.
 *   AMD (APM 15.11): ranges at 0, 0x800, 0x1000; MSR n of a range -> byte
 *   n/4, bit 2*(n%4) for read and 2*(n%4)+1 for write.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmx_fixture.h"

struct position {
    uint32_t msr;
    size_t read_byte;
    unsigned read_bit;
    size_t write_byte;
    unsigned write_bit;
};

static const struct position vmx_positions[] = {
    {0x00000000, 0, 0, 2048, 0},
    {0x00001FFF, 1023, 7, 3071, 7},    /* 0x1FFF / 8 = 1023, 0x1FFF % 8 = 7 */
    {0x000001A0, 52, 0, 2100, 0},      /* IA32_MISC_ENABLE: 0x1A0 / 8 = 52 */
    {0xC0000000, 1024, 0, 3072, 0},
    {0xC0000080, 1040, 0, 3088, 0},    /* IA32_EFER: 1024 + 0x80 / 8 */
    {0xC0001FFF, 2047, 7, 4095, 7},
};

static const struct position svm_positions[] = {
    {0x00000000, 0x0000, 0, 0x0000, 1},
    {0x00000003, 0x0000, 6, 0x0000, 7},
    {0x00000010, 0x0004, 0, 0x0004, 1},  /* TSC: 0x10 / 4 = 4 */
    {0x00001FFF, 0x07FF, 6, 0x07FF, 7},  /* 0x1FFF / 4 = 0x7FF, 2 * 3 = 6 */
    {0xC0000000, 0x0800, 0, 0x0800, 1},
    {0xC0000080, 0x0820, 0, 0x0820, 1},  /* EFER: 0x800 + 0x80 / 4 */
    {0xC0001FFF, 0x0FFF, 6, 0x0FFF, 7},
    {0xC0010000, 0x1000, 0, 0x1000, 1},
    {0xC0010117, 0x1045, 6, 0x1045, 7},  /* VM_HSAVE_PA: 0x1000 + 0x117 / 4, 2 * 3 */
    {0xC0011FFF, 0x17FF, 6, 0x17FF, 7},
};

static const uint32_t vmx_outside[] = {0x00002000, 0xBFFFFFFF, 0xC0002000, 0xC0010000, 0xC0011FFF, 0xFFFFFFFF};
static const uint32_t svm_outside[] = {0x00002000, 0xBFFFFFFF, 0xC0002000, 0xC000FFFF, 0xC0012000, 0xFFFFFFFF};

START_TEST(vmx_bitmap_positions)
{
    size_t i, byte;
    unsigned bit;

    for (i = 0; i < sizeof vmx_positions / sizeof vmx_positions[0]; i++) {
        const struct position *p = &vmx_positions[i];

        ck_assert_int_eq(msr_vmx_msr_bitmap_locate(p->msr, MSR_VMX_INTERCEPT_READ, &byte, &bit), MSR_OK);
        ck_assert_uint_eq(byte, p->read_byte);
        ck_assert_uint_eq(bit, p->read_bit);
        ck_assert_int_eq(msr_vmx_msr_bitmap_locate(p->msr, MSR_VMX_INTERCEPT_WRITE, &byte, &bit), MSR_OK);
        ck_assert_uint_eq(byte, p->write_byte);
        ck_assert_uint_eq(bit, p->write_bit);
    }
    for (i = 0; i < sizeof vmx_outside / sizeof vmx_outside[0]; i++)
        ck_assert_int_eq(msr_vmx_msr_bitmap_locate(vmx_outside[i], MSR_VMX_INTERCEPT_READ, &byte, &bit),
                         MSR_ERR_RANGE);
}
END_TEST

START_TEST(svm_msrpm_positions)
{
    size_t i, byte;
    unsigned bit;

    for (i = 0; i < sizeof svm_positions / sizeof svm_positions[0]; i++) {
        const struct position *p = &svm_positions[i];

        ck_assert_int_eq(msr_vmx_svm_msrpm_locate(p->msr, MSR_VMX_INTERCEPT_READ, &byte, &bit), MSR_OK);
        ck_assert_uint_eq(byte, p->read_byte);
        ck_assert_uint_eq(bit, p->read_bit);
        ck_assert_int_eq(msr_vmx_svm_msrpm_locate(p->msr, MSR_VMX_INTERCEPT_WRITE, &byte, &bit), MSR_OK);
        ck_assert_uint_eq(byte, p->write_byte);
        ck_assert_uint_eq(bit, p->write_bit);
    }
    for (i = 0; i < sizeof svm_outside / sizeof svm_outside[0]; i++)
        ck_assert_int_eq(msr_vmx_svm_msrpm_locate(svm_outside[i], MSR_VMX_INTERCEPT_WRITE, &byte, &bit),
                         MSR_ERR_RANGE);
}
END_TEST

static size_t count_nonzero(const uint8_t *bytes, size_t size)
{
    size_t i, n = 0;

    for (i = 0; i < size; i++)
        n += bytes[i] != 0;
    return n;
}

START_TEST(vmx_bitmap_set_clear_query)
{
    static struct msr_vmx_msr_bitmap bm;
    unsigned which;

    ck_assert_int_eq(msr_vmx_msr_bitmap_intercept_all(&bm), MSR_OK);
    ck_assert_uint_eq(count_nonzero(bm.bytes, sizeof bm.bytes), MSR_VMX_MSR_BITMAP_SIZE);
    ck_assert_uint_eq(bm.bytes[4095], 0xFF);
    ck_assert_int_eq(msr_vmx_msr_bitmap_pass_all(&bm), MSR_OK);
    ck_assert_uint_eq(count_nonzero(bm.bytes, sizeof bm.bytes), 0);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set(&bm, 0xC0000080, MSR_VMX_INTERCEPT_WRITE), MSR_OK);
    ck_assert_uint_eq(count_nonzero(bm.bytes, sizeof bm.bytes), 1);
    ck_assert_uint_eq(bm.bytes[3088], 0x01);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&bm, 0xC0000080, &which), MSR_OK);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set(&bm, 0x1FFF, MSR_VMX_INTERCEPT_READ_WRITE), MSR_OK);
    ck_assert_uint_eq(bm.bytes[1023], 0x80);
    ck_assert_uint_eq(bm.bytes[3071], 0x80);
    ck_assert_int_eq(msr_vmx_msr_bitmap_clear(&bm, 0x1FFF, MSR_VMX_INTERCEPT_READ), MSR_OK);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&bm, 0x1FFF, &which), MSR_OK);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&bm, 0x1FFE, &which), MSR_OK);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_NONE);
    /* Outside the ranges: always intercepted, nothing written. */
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&bm, 0x2000, &which), MSR_ERR_RANGE);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_READ_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_clear(&bm, 0x2000, MSR_VMX_INTERCEPT_READ_WRITE), MSR_ERR_RANGE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set(&bm, 0xC0010000, MSR_VMX_INTERCEPT_READ), MSR_ERR_RANGE);
    ck_assert_uint_eq(count_nonzero(bm.bytes, sizeof bm.bytes), 2);
}
END_TEST

START_TEST(svm_msrpm_set_clear_query)
{
    static struct msr_vmx_svm_msrpm pm;
    unsigned which;
    size_t i;

    ck_assert_int_eq(msr_vmx_svm_msrpm_intercept_all(&pm), MSR_OK);
    ck_assert_uint_eq(count_nonzero(pm.bytes, sizeof pm.bytes), MSR_VMX_SVM_MSRPM_SIZE);
    ck_assert_int_eq(msr_vmx_svm_msrpm_pass_all(&pm), MSR_OK);
    ck_assert_uint_eq(count_nonzero(pm.bytes, 0x1800), 0);
    for (i = 0x1800; i < MSR_VMX_SVM_MSRPM_SIZE; i++)
        ck_assert_uint_eq(pm.bytes[i], 0xFF); /* reserved area stays set */
    ck_assert_int_eq(msr_vmx_svm_msrpm_set(&pm, 0xC0011FFF, MSR_VMX_INTERCEPT_READ), MSR_OK);
    ck_assert_uint_eq(pm.bytes[0x17FF], 0x40);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set(&pm, 0xC0011FFF, MSR_VMX_INTERCEPT_WRITE), MSR_OK);
    ck_assert_uint_eq(pm.bytes[0x17FF], 0xC0);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(&pm, 0xC0011FFF, &which), MSR_OK);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_READ_WRITE);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(&pm, 0xC0011FFE, &which), MSR_OK);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_NONE);
    ck_assert_int_eq(msr_vmx_svm_msrpm_clear(&pm, 0xC0011FFF, MSR_VMX_INTERCEPT_WRITE), MSR_OK);
    ck_assert_uint_eq(pm.bytes[0x17FF], 0x40);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set(&pm, 0, MSR_VMX_INTERCEPT_WRITE), MSR_OK);
    ck_assert_uint_eq(pm.bytes[0], 0x02);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(&pm, 0x2000, &which), MSR_ERR_RANGE);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_READ_WRITE);
    ck_assert_int_eq(msr_vmx_svm_msrpm_clear(&pm, 0xC0012000, MSR_VMX_INTERCEPT_READ), MSR_ERR_RANGE);
    ck_assert_uint_eq(count_nonzero(pm.bytes, 0x1800), 2);
}
END_TEST

START_TEST(map_error_paths)
{
    static struct msr_vmx_msr_bitmap bm;
    static struct msr_vmx_svm_msrpm pm;
    size_t byte = 9;
    unsigned bit = 9, which = 0;

    ck_assert_int_eq(msr_vmx_msr_bitmap_intercept_all(NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_pass_all(NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set(NULL, 0, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_clear(NULL, 0, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set(&bm, 0, MSR_VMX_INTERCEPT_NONE), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set(&bm, 0, 4), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_clear(&bm, 0, 7), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(NULL, 0, &which), MSR_ERR_INVALID);
    ck_assert_uint_eq(which, MSR_VMX_INTERCEPT_READ_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&bm, 0, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_locate(0, MSR_VMX_INTERCEPT_READ_WRITE, &byte, &bit), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_locate(0, MSR_VMX_INTERCEPT_NONE, &byte, &bit), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_locate(0, MSR_VMX_INTERCEPT_READ, NULL, &bit), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_locate(0, MSR_VMX_INTERCEPT_READ, &byte, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_locate(0x2000, MSR_VMX_INTERCEPT_READ, &byte, &bit), MSR_ERR_RANGE);
    ck_assert_uint_eq(byte, 0);
    ck_assert_uint_eq(bit, 0);

    ck_assert_int_eq(msr_vmx_svm_msrpm_intercept_all(NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_pass_all(NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set(NULL, 0, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_clear(NULL, 0, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set(&pm, 0, 8), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(NULL, 0, &which), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(&pm, 0, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_locate(0, 3, &byte, &bit), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_locate(0, MSR_VMX_INTERCEPT_READ, NULL, NULL), MSR_ERR_INVALID);
}
END_TEST

START_TEST(map_ranges)
{
    static struct msr_vmx_msr_bitmap vmx;
    static struct msr_vmx_svm_msrpm svm;
    const struct msr_vmx_msr_range *r;
    unsigned got;

    ck_assert_uint_eq(msr_vmx_msr_bitmap_ranges(&r), 2);
    ck_assert_uint_eq(r[0].first, 0);
    ck_assert_uint_eq(r[0].last, 0x1FFF);
    ck_assert_uint_eq(r[1].first, 0xC0000000u);
    ck_assert_uint_eq(r[1].last, 0xC0001FFFu);
    ck_assert_uint_eq(msr_vmx_msr_bitmap_ranges(NULL), 2);
    ck_assert_uint_eq(msr_vmx_svm_msrpm_ranges(&r), 3);
    ck_assert_uint_eq(r[2].first, 0xC0010000u);
    ck_assert_uint_eq(r[2].last, 0xC0011FFFu);

    /* A range across the end of the low range and beyond: only covered MSRs change. */
    ck_assert_int_eq(msr_vmx_msr_bitmap_intercept_all(&vmx), MSR_OK);
    ck_assert_int_eq(msr_vmx_msr_bitmap_clear_range(&vmx, 0x1FFE, 0xC0000001u, MSR_VMX_INTERCEPT_READ), MSR_OK);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&vmx, 0x1FFD, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_READ_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&vmx, 0x1FFE, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&vmx, 0xC0000001u, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&vmx, 0xC0000002u, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_READ_WRITE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set_range(&vmx, 0, 0xFFFFFFFFu, MSR_VMX_INTERCEPT_READ), MSR_OK);
    ck_assert_int_eq(msr_vmx_msr_bitmap_query(&vmx, 0x1FFE, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_READ_WRITE);

    ck_assert_int_eq(msr_vmx_svm_msrpm_intercept_all(&svm), MSR_OK);
    ck_assert_int_eq(msr_vmx_svm_msrpm_clear_range(&svm, 0xC0011FFFu, 0xFFFFFFFFu, MSR_VMX_INTERCEPT_READ_WRITE),
                     MSR_OK);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(&svm, 0xC0011FFFu, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_NONE);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set_range(&svm, 0xC0011FFFu, 0xC0011FFFu, MSR_VMX_INTERCEPT_WRITE), MSR_OK);
    ck_assert_int_eq(msr_vmx_svm_msrpm_query(&svm, 0xC0011FFFu, &got), MSR_OK);
    ck_assert_uint_eq(got, MSR_VMX_INTERCEPT_WRITE);

    /* Errors: nothing covered, NULL, first > last, bad access. */
    ck_assert_int_eq(msr_vmx_msr_bitmap_clear_range(&vmx, 0x2000, 0xBFFFFFFFu, MSR_VMX_INTERCEPT_READ), MSR_ERR_RANGE);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set_range(&svm, 0xC0012000u, 0xFFFFFFFFu, MSR_VMX_INTERCEPT_READ),
                     MSR_ERR_RANGE);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set_range(NULL, 0, 1, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_clear_range(NULL, 0, 1, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set_range(&vmx, 2, 1, MSR_VMX_INTERCEPT_READ), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_msr_bitmap_set_range(&vmx, 0, 1, MSR_VMX_INTERCEPT_NONE), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_vmx_svm_msrpm_set_range(&svm, 0, 1, 4), MSR_ERR_INVALID);
}
END_TEST

static Suite *bitmap_suite(void)
{
    Suite *s = suite_create("vmx_bitmap");
    TCase *tc = tcase_create("bitmap");

    tcase_add_test(tc, vmx_bitmap_positions);
    tcase_add_test(tc, svm_msrpm_positions);
    tcase_add_test(tc, vmx_bitmap_set_clear_query);
    tcase_add_test(tc, svm_msrpm_set_clear_query);
    tcase_add_test(tc, map_error_paths);
    tcase_add_test(tc, map_ranges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(bitmap_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
