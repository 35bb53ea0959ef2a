/*
 * The handle: CPU root, descriptor table (one slot per CPU, opened lazily),
 * and the 8-byte transfers at offset = MSR address.
 */
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L

#include "msr_linux_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cpu_slot {
    int rfd;      /* read-only descriptor, or -1 */
    int wfd;      /* read-write descriptor (after a first write), or -1 */
    bool regular; /* a fake tree's regular file: EOF means "not implemented" */
};

struct msr_linux {
    pthread_mutex_t lock; /* guards `slots` and `slot_count` */
    struct cpu_slot *slots;
    size_t slot_count;
    char *cpu_root;
    char *sysfs_root; /* NULL: decided by msr_linux_sysfs_root() */
};

static char *copy_string(const char *s)
{
    size_t size = strlen(s) + 1;
    char *copy = malloc(size);

    if (copy != NULL)
        memcpy(copy, s, size);
    return copy;
}

/* The option, else the environment variable when set and not empty, else
 * `fallback` (may be NULL). Trailing slashes are dropped ("/dev/cpu/"). */
static char *pick_root(const char *option, const char *env_name, const char *fallback, bool *failed)
{
    const char *chosen = option;
    char *copy;
    size_t length;

    if (chosen == NULL) {
        chosen = getenv(env_name);
        if (chosen == NULL || chosen[0] == '\0')
            chosen = fallback;
    }
    if (chosen == NULL)
        return NULL;
    copy = copy_string(chosen);
    if (copy == NULL) {
        *failed = true;
        return NULL;
    }
    length = strlen(copy);
    while (length > 1 && copy[length - 1] == '/')
        copy[--length] = '\0';
    return copy;
}

struct msr_linux *msr_linux_open(const struct msr_linux_options *options)
{
    struct msr_linux_options none = {NULL, NULL};
    struct msr_linux *h = calloc(1, sizeof *h);
    bool failed = false;

    if (options == NULL)
        options = &none;
    if (h == NULL)
        return NULL;
    h->cpu_root = pick_root(options->cpu_root, MSR_LINUX_CPU_ROOT_ENV, MSR_LINUX_DEFAULT_CPU_ROOT, &failed);
    h->sysfs_root = pick_root(options->sysfs_root, MSR_LINUX_SYSFS_ROOT_ENV, NULL, &failed);
    if (failed || h->cpu_root == NULL || pthread_mutex_init(&h->lock, NULL) != 0) {
        free(h->cpu_root);
        free(h->sysfs_root);
        free(h);
        return NULL;
    }
    return h;
}

static void close_slot(struct cpu_slot *slot)
{
    if (slot->rfd >= 0)
        close(slot->rfd);
    if (slot->wfd >= 0)
        close(slot->wfd);
    slot->rfd = slot->wfd = -1;
}

void msr_linux_close(struct msr_linux *h)
{
    size_t i;

    if (h == NULL)
        return;
    for (i = 0; i < h->slot_count; i++)
        close_slot(&h->slots[i]);
    pthread_mutex_destroy(&h->lock);
    free(h->slots);
    free(h->cpu_root);
    free(h->sysfs_root);
    free(h);
}

const char *msr_linux_cpu_root(const struct msr_linux *h)
{
    return h->cpu_root;
}

const char *msr_linux_sysfs_root(const struct msr_linux *h)
{
    if (h->sysfs_root != NULL)
        return h->sysfs_root;
    if (strcmp(h->cpu_root, MSR_LINUX_DEFAULT_CPU_ROOT) == 0)
        return MSR_LINUX_DEFAULT_SYSFS_ROOT;
    return NULL;
}

/* Makes slots[cpu] exist. Called with the lock held. */
static bool grow_slots(struct msr_linux *h, unsigned cpu)
{
    size_t count = h->slot_count ? h->slot_count : 64;
    struct cpu_slot *grown;
    size_t i;

    while (count <= cpu)
        count *= 2;
    grown = realloc(h->slots, count * sizeof *grown);
    if (grown == NULL)
        return false;
    for (i = h->slot_count; i < count; i++) {
        grown[i].rfd = grown[i].wfd = -1;
        grown[i].regular = false;
    }
    h->slots = grown;
    h->slot_count = count;
    return true;
}

/* Opens ROOT/CPU/msr; returns the descriptor or a negative msr_status. */
static int open_cpu(const struct msr_linux *h, unsigned cpu, bool write, bool *regular)
{
    char *path = msr_linux_path(h->cpu_root, cpu, "msr");
    struct stat st;
    int fd, saved;

    if (path == NULL) {
        errno = ENOMEM;
        return MSR_LINUX_ERR_IO;
    }
    do
        fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    saved = errno;
    free(path);
    if (fd < 0) {
        errno = saved;
        if (saved == ENOENT || saved == ENOTDIR)
            return msr_linux_classify_missing(h->cpu_root, cpu);
        return msr_linux_status_from_errno(saved);
    }
    *regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    return fd;
}

/*
 * The descriptor to use for CPU `cpu` (read-write when `write`), opening it
 * if needed; a negative msr_status on failure. Descriptors are only closed
 * by msr_linux_release/msr_linux_close, so using one after unlocking is safe.
 */
static int cpu_fd(struct msr_linux *h, unsigned cpu, bool write, bool *regular)
{
    struct cpu_slot *slot;
    int fd;

    if (cpu >= MSR_LINUX_MAX_CPUS) {
        errno = ENXIO;
        return MSR_LINUX_ERR_NO_CPU;
    }
    pthread_mutex_lock(&h->lock);
    if (cpu >= h->slot_count && !grow_slots(h, cpu)) {
        pthread_mutex_unlock(&h->lock);
        errno = ENOMEM;
        return MSR_LINUX_ERR_IO;
    }
    slot = &h->slots[cpu];
    fd = write ? slot->wfd : (slot->wfd >= 0 ? slot->wfd : slot->rfd);
    if (fd < 0) {
        fd = open_cpu(h, cpu, write, &slot->regular);
        if (fd >= 0) {
            if (write)
                slot->wfd = fd;
            else
                slot->rfd = fd;
        }
    }
    *regular = slot->regular;
    pthread_mutex_unlock(&h->lock);
    return fd;
}

static int read_fd(int fd, uint32_t msr, uint64_t *value)
{
    uint64_t data;
    ssize_t n;

    do
        n = pread(fd, &data, sizeof data, (off_t)msr);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof data) {
        *value = data;
        return MSR_OK;
    }
    *value = 0;
    if (n < 0)
        return msr_linux_status_from_errno(errno);
    /* The driver never returns 0 bytes; a regular file does at or after its
     * end: the fake tree's "not implemented" (see x86msr/linux.h). */
    return n == 0 ? MSR_ERR_FAULT : MSR_LINUX_ERR_SHORT;
}

static int write_fd(int fd, bool regular, uint32_t msr, uint64_t value)
{
    ssize_t n;

    if (regular) {
        /* A regular file would grow; the driver would answer EIO. */
        struct stat st;

        if (fstat(fd, &st) != 0)
            return msr_linux_status_from_errno(errno);
        if ((uint64_t)st.st_size <= msr)
            return MSR_ERR_FAULT;
        if ((uint64_t)st.st_size < (uint64_t)msr + sizeof value)
            return MSR_LINUX_ERR_SHORT;
    }
    do
        n = pwrite(fd, &value, sizeof value, (off_t)msr);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof value)
        return MSR_OK;
    return n < 0 ? msr_linux_status_from_errno(errno) : MSR_LINUX_ERR_SHORT;
}

int msr_linux_read(struct msr_linux *h, unsigned cpu, uint32_t msr, uint64_t *value)
{
    bool regular;
    int fd = cpu_fd(h, cpu, false, &regular);

    if (fd < 0) {
        *value = 0;
        return fd;
    }
    return read_fd(fd, msr, value);
}

int msr_linux_write(struct msr_linux *h, unsigned cpu, uint32_t msr, uint64_t value)
{
    bool regular;
    int fd = cpu_fd(h, cpu, true, &regular);

    return fd < 0 ? fd : write_fd(fd, regular, msr, value);
}

int msr_linux_read_batch(struct msr_linux *h, unsigned cpu, struct msr_linux_request *requests,
                         size_t count)
{
    bool regular;
    int fd = cpu_fd(h, cpu, false, &regular);
    size_t i;

    for (i = 0; i < count; i++) {
        if (fd < 0) {
            requests[i].status = fd;
            requests[i].value = 0;
        } else {
            requests[i].status = read_fd(fd, requests[i].msr, &requests[i].value);
        }
    }
    return fd < 0 ? fd : MSR_OK;
}

void msr_linux_release(struct msr_linux *h, unsigned cpu)
{
    pthread_mutex_lock(&h->lock);
    if (cpu < h->slot_count)
        close_slot(&h->slots[cpu]);
    pthread_mutex_unlock(&h->lock);
}
