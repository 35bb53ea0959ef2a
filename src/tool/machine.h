/*
 * The live machine: the tool's one handle on the Linux backend
 * (x86msr/linux.h), opened on first use from $X86MSR_CPU_ROOT (default
 * /dev/cpu) and $X86MSR_SYSFS_ROOT, and the one-line messages that name the
 * CPU, the MSR and the cause of a failed access.
 *
 * For subcommands that read a CPU through the generated accessors or a
 * callback (vmxcap): machine_cpu() gives a `struct msr_linux_cpu`, the ctx
 * of msr_linux_cpu_read/msr_linux_cpu_write and of msr_linux_backend().
 */
#ifndef X86MSR_TOOL_MACHINE_H
#define X86MSR_TOOL_MACHINE_H

#include "diag.h"

#include <x86msr/linux.h>
#include <x86msr/meta.h>

#include <stdbool.h>
#include <stdint.h>

/* The handle (closed at exit). Out of memory ends the program. */
struct msr_linux *machine(void);

/* CPU `cpu` of the handle, for msr_linux_cpu_read(&c, ...). */
struct msr_linux_cpu machine_cpu(unsigned cpu);

/* Statuses that concern the whole CPU rather than one MSR (no driver,
 * permission, no such CPU): a subcommand stops at the first one. */
bool machine_cpu_failure(int status);

/*
 * Prints "x86msr: cpu 3: cannot read IA32_EFER (0xC0000080): CAUSE" (the
 * cause from msr_linux_explain(); for failures of the whole CPU, "... through
 * ROOT/3/msr: CAUSE") and returns TOOL_EXIT_FAILURE. `msr` may be NULL for an address the
 * spec does not know; `verb` is "read" or "write".
 */
int machine_access_error(unsigned cpu, const char *verb, const struct msr_instance *msr, uint32_t address, int status);

/* What a failed access means here and what to do (msr_linux_explain_access:
 * "run as root ...", "load it with 'modprobe msr'", "kernel lockdown ..."). */
const char *machine_explain(int status, bool write);

/* The error code of a failed access (no_driver, permission, lockdown, no_cpu,
 * fault, io). */
enum tool_error_code machine_error_code(int status, bool write);

/* Prints "x86msr: cpu 3: cannot open ROOT/3/msr: CAUSE" for a failure of a
 * whole CPU met without one MSR in focus (dump); returns TOOL_EXIT_FAILURE. */
int machine_cpu_error(unsigned cpu, int status);

/* Prints why the online CPUs cannot be listed; returns TOOL_EXIT_FAILURE. */
int machine_cpus_error(int status);

/* "IA32_EFER (0xC0000080)" or "MSR 0x00000123" (not in the spec); caller
 * buffer of MACHINE_NAME_SIZE. */
#define MACHINE_NAME_SIZE 160
void machine_msr_name(char *buf, const struct msr_instance *msr, uint32_t address);

#endif
