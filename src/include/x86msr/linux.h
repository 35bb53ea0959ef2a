/*
 * x86msr Linux backend: MSRs of any CPU from user space, through the kernel's
 * msr driver (/dev/cpu/N/msr). Hosted C11 + POSIX; link x86msr::linux.
 *
 *     struct msr_linux *h = msr_linux_open(NULL);   // $X86MSR_CPU_ROOT or /dev/cpu
 *     uint64_t efer;
 *     int status = msr_linux_read(h, 0, MSR_IA32_EFER, &efer);
 *     if (status != MSR_OK)
 *         fprintf(stderr, "cpu 0: %s\n", msr_linux_explain(status));
 *     msr_linux_close(h);
 *
 * Access: one descriptor per CPU, opened on first use (read-only; a second,
 * read-write one on the first write) and kept until msr_linux_close() or
 * msr_linux_release(); `pread`/`pwrite` of 8 bytes at offset = MSR address.
 *
 * Threads: every function may be called from any thread on a shared handle.
 * A mutex guards the descriptor table only; the transfers themselves run
 * unlocked (pread/pwrite do not use the file position), so threads reading
 * different CPUs, or the same one, do not wait for each other.
 *
 * Errors: MSR_ERR_FAULT (x86msr/core.h) when the CPU raised #GP (the driver's
 * EIO: MSR not implemented, or the value written was rejected) -- the same
 * status as the ring-0 accessors give -- and enum msr_linux_status for what
 * only this backend can go wrong with; errno is left as the system call set it:
 *   MSR_LINUX_ERR_NO_DRIVER   the CPU root does not exist, or CPU N's directory
 *                             exists without an `msr` file (the cpuid driver
 *                             made it), or no CPU directory of the root has
 *                             one: the msr driver is not loaded
 *   MSR_LINUX_ERR_NO_CPU      ROOT/N/msr is missing while other CPUs have theirs
 *                             (no such CPU, or offline), ENXIO, or N too large
 *   MSR_LINUX_ERR_PERMISSION  EACCES/EPERM: needs root or CAP_SYS_RAWIO; EPERM on
 *                             a write can also be kernel lockdown (msr_linux_cause
 *                             tells them apart)
 *   MSR_LINUX_ERR_SHORT       fewer than 8 bytes transferred
 *   MSR_LINUX_ERR_IO          any other system error (out of memory, an
 *                             unreadable sysfs file, an unexpected errno)
 * msr_linux_explain() turns each into a sentence that says what to do.
 *
 * Fake trees (tests, containers, offline copies): ROOT may hold regular files
 * instead of device nodes. The real driver answers EIO for an MSR the CPU
 * lacks; a regular file cannot, since a hole reads as zeros. So, on a regular
 * file, an MSR at or beyond the end of the file is "not implemented": a read
 * there transfers 0 bytes and a write there would extend the file, and both
 * return MSR_ERR_FAULT (the file is not changed). A fixture writes the values it
 * wants at their addresses and sizes the file (`truncate -s`) just above the
 * highest MSR it implements; an MSR ending past EOF (1..7 bytes readable)
 * gives MSR_LINUX_ERR_SHORT.
 *
 * Online CPUs (msr_linux_cpus): from SYSFS/online ("0-3,8-11", parsed
 * strictly) when a sysfs root is given (option or $X86MSR_SYSFS_ROOT) or the
 * CPU root is the default /dev/cpu (SYSFS = /sys/devices/system/cpu); from
 * the decimal entries of the CPU root directory otherwise, so a fake tree
 * lists its own CPUs. The kernel creates /dev/cpu/N for online CPUs only, so
 * both agree on a real machine.
 */
#ifndef X86MSR_LINUX_H
#define X86MSR_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "x86msr/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What can go wrong in this backend beyond an access the CPU refuses
 * (MSR_ERR_FAULT); negative and distinct from enum msr_status. */
enum msr_linux_status {
    MSR_LINUX_ERR_NO_DRIVER = -40,  /* /dev/cpu/N/msr missing: the msr driver is not loaded */
    MSR_LINUX_ERR_PERMISSION = -41, /* needs root / CAP_SYS_RAWIO, or kernel lockdown */
    MSR_LINUX_ERR_NO_CPU = -42,     /* no such CPU, or CPU offline */
    MSR_LINUX_ERR_SHORT = -43,      /* short read or write */
    MSR_LINUX_ERR_IO = -44          /* another system error */
};

#define MSR_LINUX_DEFAULT_CPU_ROOT "/dev/cpu"
#define MSR_LINUX_DEFAULT_SYSFS_ROOT "/sys/devices/system/cpu"
#define MSR_LINUX_CPU_ROOT_ENV "X86MSR_CPU_ROOT"
#define MSR_LINUX_SYSFS_ROOT_ENV "X86MSR_SYSFS_ROOT"
/* What msr_linux_cause() looks at (environment variables for tests and odd
 * systems; empty or unset means the default): the running kernel's module
 * tree (default /lib/modules/RELEASE, RELEASE from uname) and the lockdown
 * state file. */
#define MSR_LINUX_MODULES_DIR_ENV "X86MSR_MODULES_DIR"
#define MSR_LINUX_LOCKDOWN_FILE_ENV "X86MSR_LOCKDOWN_FILE"
#define MSR_LINUX_DEFAULT_MODULES_PARENT "/lib/modules"
#define MSR_LINUX_DEFAULT_LOCKDOWN_FILE "/sys/kernel/security/lockdown"

/* CPU numbers are below this (the kernel's NR_CPUS is at most 8192). */
#define MSR_LINUX_MAX_CPUS 65536u

struct msr_linux;

struct msr_linux_options {
    /* Directory holding N/msr. NULL: $X86MSR_CPU_ROOT when set and not
     * empty, else /dev/cpu. */
    const char *cpu_root;
    /* Directory holding `online`. NULL: $X86MSR_SYSFS_ROOT when set and not
     * empty, else see "Online CPUs" above. */
    const char *sysfs_root;
};

/*
 * A handle on the CPUs under the chosen roots (`options` may be NULL). Opens
 * nothing yet: errors show up on the first access. NULL only when out of
 * memory. The strings are copied.
 */
struct msr_linux *msr_linux_open(const struct msr_linux_options *options);

/* Closes every descriptor and frees the handle (NULL is allowed). No other
 * thread may still be using it. */
void msr_linux_close(struct msr_linux *h);

/* The CPU root in use ("/dev/cpu"), for messages. */
const char *msr_linux_cpu_root(const struct msr_linux *h);

/* One MSR of one CPU. On failure *value is 0. */
int msr_linux_read(struct msr_linux *h, unsigned cpu, uint32_t msr, uint64_t *value);
int msr_linux_write(struct msr_linux *h, unsigned cpu, uint32_t msr, uint64_t value);

/* One entry of a batch read: set `msr`; the call fills `status` and `value`
 * (0 on failure). */
struct msr_linux_request {
    uint32_t msr;
    int status;
    uint64_t value;
};

/*
 * Reads `count` MSRs of one CPU with one lookup of its descriptor. Returns
 * MSR_OK when the CPU could be opened, each entry then carrying its own
 * status (MSR_ERR_FAULT: not implemented); otherwise returns the CPU's error
 * (no driver, permission, no such CPU) and stores it in every entry.
 */
int msr_linux_read_batch(struct msr_linux *h, unsigned cpu, struct msr_linux_request *requests,
                         size_t count);

/* Closes the descriptors of one CPU (they reopen on the next access), for
 * programs that visit more CPUs than they may hold descriptors. No other
 * thread may be accessing that CPU meanwhile. */
void msr_linux_release(struct msr_linux *h, unsigned cpu);

/*
 * The online CPUs, ascending, in a malloc'ed array the caller frees
 * (*cpus is NULL when *count is 0, which is not an error). MSR_LINUX_ERR_NO_DRIVER
 * when listing a CPU root that does not exist; MSR_LINUX_ERR_IO when the sysfs
 * file cannot be read; MSR_ERR_INVALID when it is malformed.
 */
int msr_linux_cpus(const struct msr_linux *h, unsigned **cpus, size_t *count);

/*
 * Parses a kernel CPU list ("0-3,8,10-11", an optional final newline) into a
 * malloc'ed ascending array. Strict: decimal without leading zeros, ranges
 * low-high, items ascending and disjoint, every number below
 * MSR_LINUX_MAX_CPUS, nothing else. An empty text (or "\n") is the empty
 * list. MSR_ERR_INVALID when malformed (nothing allocated).
 */
int msr_linux_parse_cpulist(const char *text, unsigned **cpus, size_t *count);

/* What a status means and what to do about it, as one sentence without a
 * final period ("the msr driver is not loaded: run 'modprobe msr' as root").
 * Statuses of other layers get msr_strerror()'s text. */
const char *msr_linux_explain(int status);

/*
 * The cause of a failed access on this machine, finer than the status: who
 * runs the program, whether the kernel can load modules, whether lockdown is
 * on. For MSR_LINUX_ERR_PERMISSION: NOT_ROOT when the effective user is not
 * root; LOCKDOWN when a write failed as root while the lockdown file
 * ($X86MSR_LOCKDOWN_FILE) shows [integrity] or [confidentiality]; otherwise
 * NO_CAPABILITY (root without CAP_SYS_RAWIO: a container, a dropped
 * capability). For MSR_LINUX_ERR_NO_DRIVER: NO_MODULES when the running
 * kernel has no module tree ($X86MSR_MODULES_DIR; a container usually has
 * none), otherwise LOAD_DRIVER (root) or LOAD_DRIVER_AS_ROOT. NONE for every
 * other status: msr_linux_explain() says it all.
 */
enum msr_linux_cause {
    MSR_LINUX_CAUSE_NONE = 0,
    MSR_LINUX_CAUSE_NOT_ROOT,
    MSR_LINUX_CAUSE_NO_CAPABILITY,
    MSR_LINUX_CAUSE_LOCKDOWN,
    MSR_LINUX_CAUSE_LOAD_DRIVER,
    MSR_LINUX_CAUSE_LOAD_DRIVER_AS_ROOT,
    MSR_LINUX_CAUSE_NO_MODULES
};

/* `write`: the failed access was a write (or an open for writing). */
enum msr_linux_cause msr_linux_cause(int status, int write);

/* What to do, one sentence without a final period ("kernel lockdown blocks
 * MSR writes ..."); NULL for MSR_LINUX_CAUSE_NONE. */
const char *msr_linux_cause_text(enum msr_linux_cause cause);

/* msr_linux_cause_text() of the cause when there is one, else
 * msr_linux_explain(status): the message to show for a failed access. */
const char *msr_linux_explain_access(int status, int write);

/*
 * Adapter for the generated accessors (MSR_BACKEND_OPS builds): one CPU of a
 * handle as a struct msr_backend.
 *
 *     struct msr_linux_cpu cpu2 = {h, 2};
 *     struct msr_backend b = msr_linux_backend(&cpu2);
 *     msr_backend_install(&b);
 *     msr_ia32_efer_t efer;
 *     if (msr_ia32_efer_read_safe(&efer) == MSR_OK) ...
 *
 * The read/write functions take a `struct msr_linux_cpu *` as ctx and exist
 * in every build, so code without MSR_BACKEND_OPS can use them as callbacks.
 */
struct msr_linux_cpu {
    struct msr_linux *handle;
    unsigned cpu;
};

int msr_linux_cpu_read(void *ctx, uint32_t msr, uint64_t *value);
int msr_linux_cpu_write(void *ctx, uint32_t msr, uint64_t value);

#ifdef MSR_BACKEND_OPS
static inline struct msr_backend msr_linux_backend(struct msr_linux_cpu *cpu)
{
    struct msr_backend backend;

    backend.read = msr_linux_cpu_read;
    backend.write = msr_linux_cpu_write;
    backend.fault = NULL;
    backend.ctx = cpu;
    return backend;
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_LINUX_H */
