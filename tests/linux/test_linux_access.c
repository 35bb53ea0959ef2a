/*
 * Unit tests of the Linux backend's accesses on a fake /dev/cpu tree: reads,
 * writes, batch reads, every error mapping, descriptor handling, the
 * msr_backend adapter and a two-thread smoke test.
 */
#define _GNU_SOURCE /* setresuid */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_tree.h"
#include "msr_linux_internal.h"
#include "x86msr/linux.h"
#include "x86msr/msrs.h"

/* Files end at 0x1000: MSRs below are implemented, 0x1000 and up are not,
 * and 0xFFC can only be read in part. */
#define FILE_SIZE UINT64_C(0x1000)

static struct fake_tree tree;
static struct msr_linux *h;

static struct msr_linux *open_root(const char *root)
{
    struct msr_linux_options options = {root, NULL};
    struct msr_linux *handle = msr_linux_open(&options);

    ck_assert_ptr_nonnull(handle);
    return handle;
}

static void setup(void)
{
    fake_tree_create(&tree);
    fake_tree_add_cpu(&tree, 0, FILE_SIZE, 0600);
    fake_tree_add_cpu(&tree, 1, FILE_SIZE, 0600);
    fake_tree_set(&tree, 0, 0x10, 0x1111222233334444);
    fake_tree_set(&tree, 1, 0x10, 0x5555666677778888);
    fake_tree_set(&tree, 0, 0x3A, 0x5);
    h = open_root(tree.root);
}

static void teardown(void)
{
    msr_linux_close(h);
    fake_tree_destroy(&tree);
}

/* Open descriptors of this process. */
static int open_fd_count(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;

    ck_assert_ptr_nonnull(dir);
    while (readdir(dir) != NULL)
        count++;
    closedir(dir);
    return count;
}

START_TEST(read_returns_the_value_at_offset_address_of_that_cpu)
{
    uint64_t value = 0;

    ck_assert_int_eq(msr_linux_read(h, 0, 0x10, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x1111222233334444);
    ck_assert_int_eq(msr_linux_read(h, 1, 0x10, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x5555666677778888);
    ck_assert_int_eq(msr_linux_read(h, 0, 0x3A, &value), MSR_OK);
    ck_assert_uint_eq(value, 5);
    /* a hole inside the file is an implemented MSR that reads 0 */
    value = 9;
    ck_assert_int_eq(msr_linux_read(h, 1, 0x3A, &value), MSR_OK);
    ck_assert_uint_eq(value, 0);
}
END_TEST

START_TEST(read_at_or_past_the_end_of_a_fake_file_is_not_implemented)
{
    uint64_t value = 7;

    ck_assert_int_eq(msr_linux_read(h, 0, (uint32_t)FILE_SIZE, &value), MSR_ERR_FAULT);
    ck_assert_uint_eq(value, 0);
    ck_assert_int_eq(msr_linux_read(h, 0, 0xC0000080, &value), MSR_ERR_FAULT);
    ck_assert_int_eq(msr_linux_read(h, 0, 0xFFFFFFFF, &value), MSR_ERR_FAULT);
}
END_TEST

START_TEST(read_of_fewer_than_eight_bytes_is_short)
{
    uint64_t value = 7;

    ck_assert_int_eq(msr_linux_read(h, 0, (uint32_t)FILE_SIZE - 4, &value), MSR_LINUX_ERR_SHORT);
    ck_assert_uint_eq(value, 0);
}
END_TEST

START_TEST(write_stores_eight_bytes_at_the_address)
{
    uint64_t value;

    ck_assert_int_eq(msr_linux_write(h, 1, 0x277, 0x0007040600070406), MSR_OK);
    ck_assert_uint_eq(fake_tree_get(&tree, 1, 0x277), 0x0007040600070406);
    ck_assert_uint_eq(fake_tree_get(&tree, 1, 0x26F), 0);
    ck_assert_uint_eq(fake_tree_get(&tree, 1, 0x27F), 0);
    /* the read descriptor opened before the write sees it, and so do later reads */
    ck_assert_int_eq(msr_linux_read(h, 1, 0x277, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x0007040600070406);
    ck_assert_uint_eq(fake_tree_get(&tree, 0, 0x277), 0);
}
END_TEST

START_TEST(write_past_the_end_is_rejected_and_leaves_the_file_alone)
{
    ck_assert_int_eq(msr_linux_write(h, 0, 0xC0000080, 0xD01), MSR_ERR_FAULT);
    ck_assert_int_eq(msr_linux_write(h, 0, (uint32_t)FILE_SIZE, 1), MSR_ERR_FAULT);
    ck_assert_int_eq(msr_linux_write(h, 0, (uint32_t)FILE_SIZE - 4, 1), MSR_LINUX_ERR_SHORT);
    ck_assert_uint_eq(fake_tree_size(&tree, 0), FILE_SIZE);
}
END_TEST

START_TEST(batch_read_gives_each_request_its_own_status)
{
    struct msr_linux_request r[4] = {
        {0x10, 1, 1}, {0x2000, 1, 1}, {0x3A, 1, 1}, {(uint32_t)FILE_SIZE - 2, 1, 1},
    };

    ck_assert_int_eq(msr_linux_read_batch(h, 0, r, 4), MSR_OK);
    ck_assert_int_eq(r[0].status, MSR_OK);
    ck_assert_uint_eq(r[0].value, 0x1111222233334444);
    ck_assert_int_eq(r[1].status, MSR_ERR_FAULT);
    ck_assert_uint_eq(r[1].value, 0);
    ck_assert_int_eq(r[2].status, MSR_OK);
    ck_assert_uint_eq(r[2].value, 5);
    ck_assert_int_eq(r[3].status, MSR_LINUX_ERR_SHORT);
    ck_assert_int_eq(msr_linux_read_batch(h, 0, r, 0), MSR_OK);
}
END_TEST

START_TEST(batch_read_of_a_missing_cpu_fails_every_request)
{
    struct msr_linux_request r[2] = {{0x10, 1, 1}, {0x3A, 1, 1}};

    ck_assert_int_eq(msr_linux_read_batch(h, 7, r, 2), MSR_LINUX_ERR_NO_CPU);
    ck_assert_int_eq(r[0].status, MSR_LINUX_ERR_NO_CPU);
    ck_assert_int_eq(r[1].status, MSR_LINUX_ERR_NO_CPU);
    ck_assert_uint_eq(r[0].value, 0);
}
END_TEST

START_TEST(missing_cpu_among_present_ones_is_no_cpu)
{
    uint64_t value;

    ck_assert_int_eq(msr_linux_read(h, 2, 0x10, &value), MSR_LINUX_ERR_NO_CPU);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(msr_linux_write(h, 2, 0x10, 0), MSR_LINUX_ERR_NO_CPU);
    ck_assert_int_eq(msr_linux_read(h, MSR_LINUX_MAX_CPUS, 0x10, &value), MSR_LINUX_ERR_NO_CPU);
    ck_assert_int_eq(msr_linux_read(h, ~0u, 0x10, &value), MSR_LINUX_ERR_NO_CPU);
}
END_TEST

START_TEST(missing_root_is_no_driver)
{
    char root[160];
    struct msr_linux *other;
    uint64_t value;

    snprintf(root, sizeof root, "%s/nothing-here", tree.dir);
    other = open_root(root);
    ck_assert_int_eq(msr_linux_read(other, 0, 0x10, &value), MSR_LINUX_ERR_NO_DRIVER);
    ck_assert_int_eq(msr_linux_write(other, 0, 0x10, 0), MSR_LINUX_ERR_NO_DRIVER);
    msr_linux_close(other);
}
END_TEST

START_TEST(root_without_any_msr_file_is_no_driver)
{
    struct fake_tree bare;
    struct msr_linux *other;
    uint64_t value;

    fake_tree_create(&bare);
    other = open_root(bare.root);
    ck_assert_int_eq(msr_linux_read(other, 0, 0x10, &value), MSR_LINUX_ERR_NO_DRIVER);
    /* CPU directories made by the cpuid driver, no msr files: still no driver */
    fake_tree_add_cpu_dir(&bare, 0);
    fake_tree_add_cpu_dir(&bare, 1);
    ck_assert_int_eq(msr_linux_read(other, 0, 0x10, &value), MSR_LINUX_ERR_NO_DRIVER);
    ck_assert_int_eq(msr_linux_read(other, 5, 0x10, &value), MSR_LINUX_ERR_NO_DRIVER);
    msr_linux_close(other);
    fake_tree_destroy(&bare);
}
END_TEST

START_TEST(cpu_directory_without_msr_file_is_no_driver)
{
    uint64_t value;

    fake_tree_add_cpu_dir(&tree, 3);
    ck_assert_int_eq(msr_linux_read(h, 3, 0x10, &value), MSR_LINUX_ERR_NO_DRIVER);
}
END_TEST

/* Runs `body` in a child process without root's privileges (as nobody when
 * the test runs as root) and returns its exit status. */
static int run_unprivileged(int (*body)(void))
{
    pid_t pid = fork();
    int status;

    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0))
            _exit(100);
        _exit(body());
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int unreadable_file_body(void)
{
    uint64_t value;
    struct msr_linux_request r = {0x10, 0, 0};

    if (msr_linux_read(h, 0, 0x10, &value) != MSR_LINUX_ERR_PERMISSION)
        return 1;
    if (errno != EACCES)
        return 2;
    if (msr_linux_write(h, 0, 0x10, 1) != MSR_LINUX_ERR_PERMISSION)
        return 3;
    if (msr_linux_read_batch(h, 0, &r, 1) != MSR_LINUX_ERR_PERMISSION || r.status != MSR_LINUX_ERR_PERMISSION)
        return 4;
    return 0;
}

START_TEST(unreadable_msr_file_is_permission)
{
    char path[160];

    snprintf(path, sizeof path, "%s/0/msr", tree.root);
    ck_assert_int_eq(chmod(path, 0), 0);
    ck_assert_int_eq(run_unprivileged(unreadable_file_body), 0);
}
END_TEST

static int read_only_file_body(void)
{
    uint64_t value;

    if (msr_linux_read(h, 1, 0x10, &value) != MSR_OK || value != 0x5555666677778888)
        return 1;
    if (msr_linux_write(h, 1, 0x10, 1) != MSR_LINUX_ERR_PERMISSION)
        return 2;
    /* the failed write did not spoil the read descriptor */
    if (msr_linux_read(h, 1, 0x10, &value) != MSR_OK)
        return 3;
    return 0;
}

START_TEST(read_only_msr_file_refuses_writes_only)
{
    char path[160];

    snprintf(path, sizeof path, "%s/1/msr", tree.root);
    ck_assert_int_eq(chmod(path, 0444), 0);
    ck_assert_int_eq(run_unprivileged(read_only_file_body), 0);
}
END_TEST

START_TEST(errno_mapping)
{
    ck_assert_int_eq(msr_linux_status_from_errno(EIO), MSR_ERR_FAULT); /* #GP: as at ring 0 */
    ck_assert_int_eq(msr_linux_status_from_errno(EACCES), MSR_LINUX_ERR_PERMISSION);
    ck_assert_int_eq(msr_linux_status_from_errno(EPERM), MSR_LINUX_ERR_PERMISSION);
    ck_assert_int_eq(msr_linux_status_from_errno(ENXIO), MSR_LINUX_ERR_NO_CPU);
    ck_assert_int_eq(msr_linux_status_from_errno(ENODEV), MSR_LINUX_ERR_NO_DRIVER);
    ck_assert_int_eq(msr_linux_status_from_errno(EBADF), MSR_LINUX_ERR_IO);
}
END_TEST

START_TEST(explanations_say_what_to_do)
{
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_LINUX_ERR_NO_DRIVER), "modprobe msr"));
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_LINUX_ERR_PERMISSION), "CAP_SYS_RAWIO"));
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_LINUX_ERR_PERMISSION), "root"));
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_LINUX_ERR_NO_CPU), "offline"));
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_ERR_FAULT), "not implemented"));
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_LINUX_ERR_IO), "unexpected"));
    ck_assert_ptr_nonnull(strstr(msr_linux_explain(MSR_LINUX_ERR_SHORT), "8 bytes"));
    ck_assert_str_eq(msr_linux_explain(MSR_ERR_RANGE), msr_strerror(MSR_ERR_RANGE));
}
END_TEST

/* The lockdown file as the kernel writes it, with `mode` active. */
static void write_lockdown(const char *path, const char *mode)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", strcmp(mode, "integrity") == 0         ? "none [integrity] confidentiality"
                       : strcmp(mode, "confidentiality") == 0 ? "none integrity [confidentiality]"
                                                              : "[none] integrity confidentiality");
    fclose(f);
}

static int not_root_body(void)
{
    if (msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 0) != MSR_LINUX_CAUSE_NOT_ROOT)
        return 1;
    if (msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 1) != MSR_LINUX_CAUSE_NOT_ROOT)
        return 2;
    if (msr_linux_cause(MSR_LINUX_ERR_NO_DRIVER, 0) != MSR_LINUX_CAUSE_LOAD_DRIVER_AS_ROOT)
        return 3;
    if (strstr(msr_linux_explain_access(MSR_LINUX_ERR_PERMISSION, 0), "run as root or with CAP_SYS_RAWIO") == NULL)
        return 4;
    return 0;
}

/* What msr_linux_cause() tells apart, with the module tree and the lockdown
 * file of the fake tree (X86MSR_MODULES_DIR, X86MSR_LOCKDOWN_FILE). */
START_TEST(causes_fit_the_machine)
{
    char modules[160], lockdown[160];

    snprintf(modules, sizeof modules, "%s/modules", tree.dir);
    snprintf(lockdown, sizeof lockdown, "%s/lockdown", tree.dir);
    ck_assert_int_eq(setenv(MSR_LINUX_MODULES_DIR_ENV, modules, 1), 0);
    ck_assert_int_eq(setenv(MSR_LINUX_LOCKDOWN_FILE_ENV, lockdown, 1), 0);
    /* no module tree: a container, whoever runs */
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_NO_DRIVER, 0), MSR_LINUX_CAUSE_NO_MODULES);
    ck_assert_ptr_nonnull(strstr(msr_linux_explain_access(MSR_LINUX_ERR_NO_DRIVER, 0), "container"));
    ck_assert_int_eq(mkdir(modules, 0755), 0);
    /* statuses that say it all have no cause */
    ck_assert_int_eq(msr_linux_cause(MSR_ERR_FAULT, 1), MSR_LINUX_CAUSE_NONE);
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_NO_CPU, 0), MSR_LINUX_CAUSE_NONE);
    ck_assert_ptr_null(msr_linux_cause_text(MSR_LINUX_CAUSE_NONE));
    ck_assert_str_eq(msr_linux_explain_access(MSR_ERR_FAULT, 0), msr_linux_explain(MSR_ERR_FAULT));
    if (geteuid() != 0) {
        ck_assert_int_eq(not_root_body(), 0);
        return;
    }
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_NO_DRIVER, 0), MSR_LINUX_CAUSE_LOAD_DRIVER);
    ck_assert_str_eq(msr_linux_explain_access(MSR_LINUX_ERR_NO_DRIVER, 0),
                     "the msr driver is not loaded: load it with 'modprobe msr'");
    /* no lockdown file, or lockdown off: root without the capability */
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 1), MSR_LINUX_CAUSE_NO_CAPABILITY);
    write_lockdown(lockdown, "none");
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 1), MSR_LINUX_CAUSE_NO_CAPABILITY);
    write_lockdown(lockdown, "integrity");
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 1), MSR_LINUX_CAUSE_LOCKDOWN);
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 0), MSR_LINUX_CAUSE_NO_CAPABILITY); /* reads */
    write_lockdown(lockdown, "confidentiality");
    ck_assert_int_eq(msr_linux_cause(MSR_LINUX_ERR_PERMISSION, 1), MSR_LINUX_CAUSE_LOCKDOWN);
    ck_assert_ptr_nonnull(strstr(msr_linux_explain_access(MSR_LINUX_ERR_PERMISSION, 1), "lockdown"));
    ck_assert_int_eq(run_unprivileged(not_root_body), 0);
    unsetenv(MSR_LINUX_MODULES_DIR_ENV);
    unsetenv(MSR_LINUX_LOCKDOWN_FILE_ENV);
}
END_TEST

START_TEST(one_descriptor_per_cpu_kept_until_release)
{
    int before = open_fd_count();
    uint64_t value;
    int i;

    for (i = 0; i < 100; i++) {
        ck_assert_int_eq(msr_linux_read(h, 0, 0x10, &value), MSR_OK);
        ck_assert_int_eq(msr_linux_read(h, 1, 0x10, &value), MSR_OK);
    }
    ck_assert_int_eq(open_fd_count(), before + 2);
    ck_assert_int_eq(msr_linux_write(h, 0, 0x10, 3), MSR_OK);
    ck_assert_int_eq(msr_linux_write(h, 0, 0x10, 4), MSR_OK);
    ck_assert_int_eq(open_fd_count(), before + 3); /* plus one read-write */
    msr_linux_release(h, 0);
    ck_assert_int_eq(open_fd_count(), before + 1);
    ck_assert_int_eq(msr_linux_read(h, 0, 0x10, &value), MSR_OK);
    ck_assert_uint_eq(value, 4);
    msr_linux_release(h, 12345); /* never opened: harmless */
}
END_TEST

START_TEST(cpu_root_comes_from_option_then_environment_then_default)
{
    struct msr_linux *other;
    uint64_t value;
    char with_slash[160];

    setenv(MSR_LINUX_CPU_ROOT_ENV, tree.root, 1);
    other = msr_linux_open(NULL);
    ck_assert_str_eq(msr_linux_cpu_root(other), tree.root);
    ck_assert_int_eq(msr_linux_read(other, 1, 0x10, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x5555666677778888);
    msr_linux_close(other);

    other = open_root("/nonexistent");
    ck_assert_str_eq(msr_linux_cpu_root(other), "/nonexistent");
    msr_linux_close(other);

    setenv(MSR_LINUX_CPU_ROOT_ENV, "", 1);
    other = msr_linux_open(NULL);
    ck_assert_str_eq(msr_linux_cpu_root(other), MSR_LINUX_DEFAULT_CPU_ROOT);
    msr_linux_close(other);
    unsetenv(MSR_LINUX_CPU_ROOT_ENV);
    other = msr_linux_open(NULL);
    ck_assert_str_eq(msr_linux_cpu_root(other), MSR_LINUX_DEFAULT_CPU_ROOT);
    msr_linux_close(other);

    snprintf(with_slash, sizeof with_slash, "%s//", tree.root);
    other = open_root(with_slash);
    ck_assert_str_eq(msr_linux_cpu_root(other), tree.root);
    msr_linux_close(other);
}
END_TEST

START_TEST(backend_adapter_runs_the_generated_accessors)
{
    struct msr_linux_cpu cpu0 = {NULL, 0}, cpu1 = {NULL, 1};
    struct msr_backend b0, b1;
    msr_ia32_feature_control_t fc;
    msr_ia32_efer_t efer;

    cpu0.handle = cpu1.handle = h;
    b0 = msr_linux_backend(&cpu0);
    b1 = msr_linux_backend(&cpu1);
    msr_backend_install(&b0);
    ck_assert_int_eq(msr_ia32_feature_control_read_safe(&fc), MSR_OK);
    ck_assert_uint_eq(fc.raw, 5);
    ck_assert_uint_eq(MSR_GET(IA32_FEATURE_CONTROL, LOCK, fc), 1);
    /* IA32_EFER is past the end of the file: not implemented */
    ck_assert_int_eq(msr_ia32_efer_read_safe(&efer), MSR_ERR_FAULT);
    msr_backend_install(&b1);
    ck_assert_int_eq(msr_ia32_pat_write_safe((msr_ia32_pat_t){ 0x0606060606060606 }), MSR_OK);
    ck_assert_uint_eq(fake_tree_get(&tree, 1, MSR_IA32_PAT_ADDR), 0x0606060606060606);
    ck_assert_uint_eq(fake_tree_get(&tree, 0, MSR_IA32_PAT_ADDR), 0);
    msr_backend_install(NULL);
}
END_TEST

#define THREAD_ROUNDS 20000

struct worker {
    struct msr_linux *h;
    unsigned first_cpu;
    int failures;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    static const uint64_t expected[4] = {0x1111222233334444, 0x5555666677778888, 0xA, 0xB};
    int i;

    for (i = 0; i < THREAD_ROUNDS; i++) {
        unsigned cpu = (w->first_cpu + (unsigned)i) % 4;
        uint64_t value;
        struct msr_linux_request r[2] = {{0x10, 0, 0}, {0x2000, 0, 0}};

        if (i % 3 == 0) {
            if (msr_linux_read_batch(w->h, cpu, r, 2) != MSR_OK || r[0].value != expected[cpu] ||
                r[1].status != MSR_ERR_FAULT)
                w->failures++;
        } else if (msr_linux_read(w->h, cpu, 0x10, &value) != MSR_OK || value != expected[cpu]) {
            w->failures++;
        }
        if (msr_linux_write(w->h, cpu, 0x100 + 8 * w->first_cpu, (uint64_t)i) != MSR_OK)
            w->failures++;
    }
    return NULL;
}

START_TEST(two_threads_share_a_handle)
{
    struct worker workers[2];
    pthread_t threads[2];
    struct msr_linux *fresh;
    int before = open_fd_count();
    int i;

    fake_tree_add_cpu(&tree, 2, FILE_SIZE, 0600);
    fake_tree_add_cpu(&tree, 3, FILE_SIZE, 0600);
    fake_tree_set(&tree, 2, 0x10, 0xA);
    fake_tree_set(&tree, 3, 0x10, 0xB);
    fresh = open_root(tree.root); /* nothing opened yet: the threads race to open */
    for (i = 0; i < 2; i++) {
        workers[i].h = fresh;
        workers[i].first_cpu = (unsigned)i;
        workers[i].failures = 0;
        ck_assert_int_eq(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    }
    for (i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
    ck_assert_int_eq(workers[0].failures, 0);
    ck_assert_int_eq(workers[1].failures, 0);
    /* each CPU opened once for reading and once for writing, no more */
    ck_assert_int_eq(open_fd_count(), before + 8);
    for (i = 0; i < 4; i++) {
        /* the last round of each thread that visited CPU i */
        ck_assert_uint_eq(fake_tree_get(&tree, (unsigned)i, 0x100), THREAD_ROUNDS - 4 + i);
        ck_assert_uint_eq(fake_tree_get(&tree, (unsigned)i, 0x108), THREAD_ROUNDS - 4 + (i + 3) % 4);
    }
    msr_linux_close(fresh);
    ck_assert_int_eq(open_fd_count(), before);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_access");
    TCase *tc = tcase_create("fake_tree");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, read_returns_the_value_at_offset_address_of_that_cpu);
    tcase_add_test(tc, read_at_or_past_the_end_of_a_fake_file_is_not_implemented);
    tcase_add_test(tc, read_of_fewer_than_eight_bytes_is_short);
    tcase_add_test(tc, write_stores_eight_bytes_at_the_address);
    tcase_add_test(tc, write_past_the_end_is_rejected_and_leaves_the_file_alone);
    tcase_add_test(tc, batch_read_gives_each_request_its_own_status);
    tcase_add_test(tc, batch_read_of_a_missing_cpu_fails_every_request);
    tcase_add_test(tc, missing_cpu_among_present_ones_is_no_cpu);
    tcase_add_test(tc, missing_root_is_no_driver);
    tcase_add_test(tc, root_without_any_msr_file_is_no_driver);
    tcase_add_test(tc, cpu_directory_without_msr_file_is_no_driver);
    tcase_add_test(tc, unreadable_msr_file_is_permission);
    tcase_add_test(tc, read_only_msr_file_refuses_writes_only);
    tcase_add_test(tc, errno_mapping);
    tcase_add_test(tc, explanations_say_what_to_do);
    tcase_add_test(tc, causes_fit_the_machine);
    tcase_add_test(tc, one_descriptor_per_cpu_kept_until_release);
    tcase_add_test(tc, cpu_root_comes_from_option_then_environment_then_default);
    tcase_add_test(tc, backend_adapter_runs_the_generated_accessors);
    tcase_add_test(tc, two_threads_share_a_handle);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
