/*
 * Which CPUs are online: the kernel's CPU list (SYSFS/online), or the CPU
 * directories of a fake tree. See "Online CPUs" in x86msr/linux.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "msr_linux_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cpu_array {
    unsigned *cpus;
    size_t count;
    size_t capacity;
};

static bool push(struct cpu_array *a, unsigned cpu)
{
    if (a->count == a->capacity) {
        size_t capacity = a->capacity ? 2 * a->capacity : 64;
        unsigned *grown = realloc(a->cpus, capacity * sizeof *grown);

        if (grown == NULL)
            return false;
        a->cpus = grown;
        a->capacity = capacity;
    }
    a->cpus[a->count++] = cpu;
    return true;
}

static int finish(struct cpu_array *a, int status, unsigned **cpus, size_t *count)
{
    if (status != MSR_OK || a->count == 0) {
        free(a->cpus);
        a->cpus = NULL;
        a->count = 0;
    }
    *cpus = a->cpus;
    *count = a->count;
    return status;
}

/* A CPU number at *p in canonical decimal; advances *p past it. */
static bool parse_cpu_number(const char **p, unsigned *cpu)
{
    char digits[8];
    size_t n = 0;

    while ((*p)[n] >= '0' && (*p)[n] <= '9') {
        if (n + 1 >= sizeof digits)
            return false;
        digits[n] = (*p)[n];
        n++;
    }
    if (n == 0)
        return false;
    digits[n] = '\0';
    if (!msr_linux_parse_cpu_name(digits, cpu))
        return false;
    *p += n;
    return true;
}

int msr_linux_parse_cpulist(const char *text, unsigned **cpus, size_t *count)
{
    struct cpu_array a = {NULL, 0, 0};
    const char *p = text;
    bool first = true;
    unsigned next = 0; /* every CPU of the next item must be >= next */

    while (*p != '\0' && strcmp(p, "\n") != 0) {
        unsigned low, high, cpu;

        if (!first && *p++ != ',')
            return finish(&a, MSR_ERR_INVALID, cpus, count);
        first = false;
        if (!parse_cpu_number(&p, &low))
            return finish(&a, MSR_ERR_INVALID, cpus, count);
        high = low;
        if (*p == '-') {
            p++;
            if (!parse_cpu_number(&p, &high) || high < low)
                return finish(&a, MSR_ERR_INVALID, cpus, count);
        }
        if ((a.count > 0 && low < next))
            return finish(&a, MSR_ERR_INVALID, cpus, count);
        for (cpu = low; cpu <= high; cpu++)
            if (!push(&a, cpu))
                return finish(&a, MSR_ERR_INVALID, cpus, count);
        next = high + 1;
    }
    return finish(&a, MSR_OK, cpus, count);
}

/* SYSFS/online, whole, NUL-terminated; NULL with errno set on failure. */
static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t size = 0, capacity = 256;
    char *text = malloc(capacity);
    int saved;

    if (f == NULL || text == NULL) {
        saved = errno;
        if (f != NULL)
            fclose(f);
        free(text);
        errno = saved;
        return NULL;
    }
    for (;;) {
        size += fread(text + size, 1, capacity - 1 - size, f);
        if (size < capacity - 1)
            break;
        if (capacity >= ((size_t)1 << 20)) { /* no CPU list is that long */
            fclose(f);
            free(text);
            errno = EFBIG;
            return NULL;
        }
        {
            char *grown = realloc(text, capacity * 2);
            if (grown == NULL) {
                fclose(f);
                free(text);
                errno = ENOMEM;
                return NULL;
            }
            text = grown;
            capacity *= 2;
        }
    }
    saved = ferror(f) ? EIO : 0;
    fclose(f);
    if (saved != 0 || memchr(text, '\0', size) != NULL) {
        free(text);
        errno = saved ? saved : EINVAL;
        return NULL;
    }
    text[size] = '\0';
    return text;
}

static int cpus_from_sysfs(const char *sysfs, unsigned **cpus, size_t *count)
{
    size_t size = strlen(sysfs) + sizeof "/online";
    char *path = malloc(size);
    char *text;
    int status;

    *cpus = NULL;
    *count = 0;
    if (path == NULL)
        return MSR_LINUX_ERR_IO;
    snprintf(path, size, "%s/online", sysfs);
    text = read_small_file(path);
    free(path);
    if (text == NULL)
        return MSR_LINUX_ERR_IO;
    status = msr_linux_parse_cpulist(text, cpus, count);
    free(text);
    return status;
}

static int compare_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return (x > y) - (x < y);
}

static int cpus_from_directory(const char *root, unsigned **cpus, size_t *count)
{
    struct cpu_array a = {NULL, 0, 0};
    DIR *dir = opendir(root);
    struct dirent *entry;
    int status = MSR_OK;

    if (dir == NULL) {
        int err = errno;
        status = (err == ENOENT || err == ENOTDIR) ? MSR_LINUX_ERR_NO_DRIVER : msr_linux_status_from_errno(err);
        return finish(&a, status, cpus, count);
    }
    while (status == MSR_OK && (entry = readdir(dir)) != NULL) {
        unsigned cpu;
        char *path;
        struct stat st;

        if (!msr_linux_parse_cpu_name(entry->d_name, &cpu))
            continue;
        path = msr_linux_path(root, cpu, NULL);
        if (path == NULL)
            status = MSR_LINUX_ERR_IO;
        else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && !push(&a, cpu))
            status = MSR_LINUX_ERR_IO;
        free(path);
    }
    closedir(dir);
    if (a.count > 1)
        qsort(a.cpus, a.count, sizeof *a.cpus, compare_unsigned);
    return finish(&a, status, cpus, count);
}

int msr_linux_cpus(const struct msr_linux *h, unsigned **cpus, size_t *count)
{
    const char *sysfs = msr_linux_sysfs_root(h);

    if (sysfs != NULL)
        return cpus_from_sysfs(sysfs, cpus, count);
    return cpus_from_directory(msr_linux_cpu_root(h), cpus, count);
}
