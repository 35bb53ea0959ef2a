#define _FILE_OFFSET_BITS 64
#define _XOPEN_SOURCE 700

#include "fake_tree.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void path_of(const struct fake_tree *t, unsigned cpu, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%u/msr", t->root, cpu);
}

void fake_tree_create(struct fake_tree *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/x86msr-fake-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    ck_assert_int_eq(chmod(t->dir, 0755), 0);
    snprintf(t->root, sizeof t->root, "%s/cpu", t->dir);
    ck_assert_int_eq(mkdir(t->root, 0755), 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    chmod(path, 0700); /* a test may have made it unreadable */
    return remove(path);
}

void fake_tree_destroy(struct fake_tree *t)
{
    nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fake_tree_add_cpu_dir(const struct fake_tree *t, unsigned cpu)
{
    char path[160];

    snprintf(path, sizeof path, "%s/%u", t->root, cpu);
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

void fake_tree_add_cpu(const struct fake_tree *t, unsigned cpu, uint64_t size, unsigned mode)
{
    char path[160];
    int fd;

    fake_tree_add_cpu_dir(t, cpu);
    path_of(t, cpu, path, sizeof path);
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
    close(fd);
    ck_assert_int_eq(chmod(path, (mode_t)mode), 0);
}

static int open_msr(const struct fake_tree *t, unsigned cpu, int flags)
{
    char path[160];
    int fd;

    path_of(t, cpu, path, sizeof path);
    fd = open(path, flags);
    ck_assert_int_ge(fd, 0);
    return fd;
}

void fake_tree_set(const struct fake_tree *t, unsigned cpu, uint32_t msr, uint64_t value)
{
    int fd = open_msr(t, cpu, O_WRONLY);

    ck_assert_int_eq(pwrite(fd, &value, sizeof value, (off_t)msr), (ssize_t)sizeof value);
    close(fd);
}

uint64_t fake_tree_get(const struct fake_tree *t, unsigned cpu, uint32_t msr)
{
    int fd = open_msr(t, cpu, O_RDONLY);
    uint64_t value = 0;

    ck_assert_int_eq(pread(fd, &value, sizeof value, (off_t)msr), (ssize_t)sizeof value);
    close(fd);
    return value;
}

uint64_t fake_tree_size(const struct fake_tree *t, unsigned cpu)
{
    char path[160];
    struct stat st;

    path_of(t, cpu, path, sizeof path);
    ck_assert_int_eq(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

const char *fake_tree_sysfs(const struct fake_tree *t, const char *text)
{
    static char sysfs[96];
    char path[128];
    FILE *f;

    snprintf(sysfs, sizeof sysfs, "%s/sys", t->dir);
    mkdir(sysfs, 0755);
    snprintf(path, sizeof path, "%s/online", sysfs);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return sysfs;
}
