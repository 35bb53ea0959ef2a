/*
 * Unit tests of the Linux backend's CPU enumeration: the strict kernel
 * CPU-list parser, SYSFS/online, and the listing of a fake tree's root.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_tree.h"
#include "x86msr/linux.h"

static void expect_list(const char *text, const unsigned *expected, size_t expected_count)
{
    unsigned *cpus = NULL;
    size_t count = 99, i;

    ck_assert_msg(msr_linux_parse_cpulist(text, &cpus, &count) == MSR_OK, "'%s' rejected", text);
    ck_assert_uint_eq(count, expected_count);
    for (i = 0; i < count; i++)
        ck_assert_uint_eq(cpus[i], expected[i]);
    if (count == 0)
        ck_assert_ptr_null(cpus);
    free(cpus);
}

START_TEST(cpulist_accepts_the_kernel_format)
{
    static const unsigned one[] = {0};
    static const unsigned range[] = {0, 1, 2, 3};
    static const unsigned mixed[] = {0, 2, 3, 4, 8, 10, 11};
    static const unsigned big[] = {65534, 65535};

    expect_list("0", one, 1);
    expect_list("0\n", one, 1);
    expect_list("0-3\n", range, 4);
    expect_list("0,2-4,8,10-11\n", mixed, 7);
    expect_list("65534-65535", big, 2);
    expect_list("", NULL, 0);
    expect_list("\n", NULL, 0);
}
END_TEST

START_TEST(cpulist_rejects_everything_else)
{
    static const char *const bad[] = {
        " 0", "0 ", "0\n\n", "0,", ",0", "0,,1", "0-", "-3", "3-1", "01", "0-03", "a", "0x1", "1,0",
        "0-3,2", "0-3,3", "65536", "0-65536", "99999999999", "+1", "0;1", "0\n1", "0-1-2",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned *cpus = (unsigned *)&i;
        size_t count = 99;

        ck_assert_msg(msr_linux_parse_cpulist(bad[i], &cpus, &count) == MSR_ERR_INVALID, "'%s' accepted", bad[i]);
        ck_assert_ptr_null(cpus);
        ck_assert_uint_eq(count, 0);
    }
}
END_TEST

static struct fake_tree tree;

static void setup(void)
{
    fake_tree_create(&tree);
    unsetenv(MSR_LINUX_SYSFS_ROOT_ENV);
    unsetenv(MSR_LINUX_CPU_ROOT_ENV);
}

static void teardown(void)
{
    fake_tree_destroy(&tree);
}

static int cpus_of(const char *cpu_root, const char *sysfs_root, unsigned **cpus, size_t *count)
{
    struct msr_linux_options options = {cpu_root, sysfs_root};
    struct msr_linux *h = msr_linux_open(&options);
    int status;

    ck_assert_ptr_nonnull(h);
    status = msr_linux_cpus(h, cpus, count);
    msr_linux_close(h);
    return status;
}

START_TEST(fake_root_lists_its_cpu_directories_in_numeric_order)
{
    unsigned *cpus;
    size_t count;
    char path[160];

    fake_tree_add_cpu(&tree, 10, 0x1000, 0600);
    fake_tree_add_cpu(&tree, 9, 0x1000, 0600);
    fake_tree_add_cpu(&tree, 0, 0x1000, 0600);
    fake_tree_add_cpu_dir(&tree, 2); /* no msr file: listed, reads say "no driver" */
    snprintf(path, sizeof path, "%s/microcode", tree.root);
    ck_assert_ptr_nonnull(fopen(path, "w")); /* not a CPU (leaks one FILE; fine in a test) */
    snprintf(path, sizeof path, "%s/007", tree.root);
    ck_assert_ptr_nonnull(fopen(path, "w"));
    ck_assert_int_eq(cpus_of(tree.root, NULL, &cpus, &count), MSR_OK);
    ck_assert_uint_eq(count, 4);
    ck_assert_uint_eq(cpus[0], 0);
    ck_assert_uint_eq(cpus[1], 2);
    ck_assert_uint_eq(cpus[2], 9);
    ck_assert_uint_eq(cpus[3], 10);
    free(cpus);
}
END_TEST

START_TEST(empty_fake_root_has_no_cpus_and_a_missing_one_no_driver)
{
    unsigned *cpus = (unsigned *)&tree;
    size_t count = 5;
    char missing[160];

    ck_assert_int_eq(cpus_of(tree.root, NULL, &cpus, &count), MSR_OK);
    ck_assert_uint_eq(count, 0);
    ck_assert_ptr_null(cpus);
    snprintf(missing, sizeof missing, "%s/none", tree.dir);
    ck_assert_int_eq(cpus_of(missing, NULL, &cpus, &count), MSR_LINUX_ERR_NO_DRIVER);
    ck_assert_uint_eq(count, 0);
}
END_TEST

START_TEST(sysfs_online_wins_over_the_listing)
{
    unsigned *cpus;
    size_t count;
    const char *sysfs;

    fake_tree_add_cpu(&tree, 0, 0x1000, 0600);
    sysfs = fake_tree_sysfs(&tree, "0-2,5\n");
    ck_assert_int_eq(cpus_of(tree.root, sysfs, &cpus, &count), MSR_OK);
    ck_assert_uint_eq(count, 4);
    ck_assert_uint_eq(cpus[3], 5);
    free(cpus);
    /* the same through the environment */
    setenv(MSR_LINUX_SYSFS_ROOT_ENV, sysfs, 1);
    ck_assert_int_eq(cpus_of(tree.root, NULL, &cpus, &count), MSR_OK);
    ck_assert_uint_eq(count, 4);
    free(cpus);
}
END_TEST

START_TEST(malformed_or_missing_online_file_is_an_error)
{
    unsigned *cpus;
    size_t count;
    const char *sysfs = fake_tree_sysfs(&tree, "0-3 garbage\n");
    char missing[160];

    ck_assert_int_eq(cpus_of(tree.root, sysfs, &cpus, &count), MSR_ERR_INVALID);
    ck_assert_uint_eq(count, 0);
    snprintf(missing, sizeof missing, "%s/nosys", tree.dir);
    ck_assert_int_eq(cpus_of(tree.root, missing, &cpus, &count), MSR_LINUX_ERR_IO);
}
END_TEST

START_TEST(default_root_reads_the_real_sysfs)
{
    unsigned *cpus;
    size_t count;

    /* /dev/cpu pairs with /sys/devices/system/cpu/online, which every Linux has */
    ck_assert_int_eq(cpus_of(NULL, NULL, &cpus, &count), MSR_OK);
    ck_assert_uint_ge(count, 1);
    free(cpus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_cpus");
    TCase *parse = tcase_create("cpulist");
    TCase *listing = tcase_create("enumeration");
    SRunner *sr;
    int failed;

    tcase_add_test(parse, cpulist_accepts_the_kernel_format);
    tcase_add_test(parse, cpulist_rejects_everything_else);
    tcase_add_checked_fixture(listing, setup, teardown);
    tcase_add_test(listing, fake_root_lists_its_cpu_directories_in_numeric_order);
    tcase_add_test(listing, empty_fake_root_has_no_cpus_and_a_missing_one_no_driver);
    tcase_add_test(listing, sysfs_online_wins_over_the_listing);
    tcase_add_test(listing, malformed_or_missing_online_file_is_an_error);
    tcase_add_test(listing, default_root_reads_the_real_sysfs);
    suite_add_tcase(s, parse);
    suite_add_tcase(s, listing);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
