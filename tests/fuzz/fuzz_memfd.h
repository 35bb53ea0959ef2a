/*
 * In-memory files with a path, for harnesses whose code under test opens a
 * file by name (snapshots, CPUID dumps): a memfd, reached through
 * /proc/self/fd/N, so the loader runs unchanged and nothing touches the disk.
 */
#ifndef X86MSR_FUZZ_MEMFD_H
#define X86MSR_FUZZ_MEMFD_H

#include "fuzz_oracle.h"

#include <stdio.h>
#include <sys/mman.h> /* memfd_create: needs _GNU_SOURCE before the first include */
#include <sys/types.h>
#include <unistd.h>

struct memfd_file {
    int fd;
    char path[64]; /* /proc/self/fd/N */
};

static inline void memfd_file_open(struct memfd_file *f, const char *name)
{
    f->fd = memfd_create(name, 0);
    REQUIRE(f->fd >= 0);
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* The file's whole content becomes data[0..size). */
static inline void memfd_file_put(const struct memfd_file *f, const void *data, size_t size)
{
    REQUIRE(ftruncate(f->fd, 0) == 0);
    REQUIRE(size == 0 || pwrite(f->fd, data, size, 0) == (ssize_t)size);
}

#endif
