/*
 * Internals shared by the files of the Linux backend (not installed).
 */
#ifndef X86MSR_LINUX_INTERNAL_H
#define X86MSR_LINUX_INTERNAL_H

#include <stdbool.h>

#include "x86msr/linux.h"

/* The status of a failed open/pread/pwrite, from its errno (EINTR is retried
 * by the callers and never reaches this). */
int msr_linux_status_from_errno(int err);

/* Why ROOT/CPU/msr does not exist (open gave ENOENT or ENOTDIR):
 * MSR_LINUX_ERR_NO_DRIVER or MSR_LINUX_ERR_NO_CPU, see x86msr/linux.h. Keeps errno. */
int msr_linux_classify_missing(const char *root, unsigned cpu);

/* "ROOT/CPU/msr" (or "ROOT/CPU" when `file` is NULL), malloc'ed; NULL when out
 * of memory. */
char *msr_linux_path(const char *root, unsigned cpu, const char *file);

/* True when `name` is a CPU number in canonical decimal (no sign, no
 * leading zero) below MSR_LINUX_MAX_CPUS; stores it in *cpu. */
bool msr_linux_parse_cpu_name(const char *name, unsigned *cpu);

/* The sysfs directory msr_linux_cpus() reads `online` from, or NULL when it
 * lists the CPU root instead. */
const char *msr_linux_sysfs_root(const struct msr_linux *h);

#endif
