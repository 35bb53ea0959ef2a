/*
 * Turning a NAME|ADDRESS argument into an MSR of the spec.
 *
 * An argument starting with a digit is an address (strict number syntax,
 * 32 bits); anything else is a name, matched case-insensitively against
 * names and aliases. Failures print one line, with the closest name as a
 * suggestion when there is a plausible one.
 */
#ifndef X86MSR_TOOL_MSR_LOOKUP_H
#define X86MSR_TOOL_MSR_LOOKUP_H

#include "diag.h"

#include <x86msr/cpuid.h>
#include <x86msr/meta.h>

/* This machine's CPUID (msr_cpuid_native), each leaf asked once. */
extern const struct msr_cpuid_source cpuid_this_machine;

/* The MSR `arg` names, or NULL after printing the error (exit with
 * TOOL_EXIT_USAGE). */
const struct msr_instance *lookup_msr(const char *arg);

/* Why a name or value was not found: the error code and the message (with
 * the closest name when there is a plausible one), for callers that report
 * it themselves (a file's FILE:LINE:COL). */
struct lookup_failure {
    enum tool_error_code code;
    char message[224];
};

/* lookup_msr() without printing: NULL with *why filled in. */
const struct msr_instance *find_msr(const char *arg, struct lookup_failure *why);

/* The MSR of the spec at `address`, or NULL. Where registers share an address
 * (Intel IA32_LER_FROM_IP and AMD LAST_INT_FROM_IP at 0x1DD; Intel registers
 * of different processor models), the one of the CPU whose CPUID the tool
 * judges by (lookup_use_cpuid(); by default this machine's):
 * msr_find_by_address_for_cpu(), the same for every subcommand. */
const struct msr_instance *spec_msr_at(uint32_t address);

/* Judge shared addresses by `cpuid` (a dump given with --cpuid FILE) instead
 * of this machine's CPUID; it must outlive every later lookup. */
void lookup_use_cpuid(const struct msr_cpuid_source *cpuid);

/* The facts spec_msr_at() judges by (CPUID only). */
const struct msr_facts *lookup_facts(void);

struct cpuid_file;

/* The --cpuid FILE option of decode, encode and show: loads the dump and judges
 * by it (lookup_use_cpuid()). Returns TOOL_EXIT_OK, or the exit status after
 * printing the error; free the dump with cpuid_file_free() when done. */
int lookup_cpuid_option(const char *path, struct cpuid_file *dump);

#define LOOKUP_CPUID_OPTION_HELP \
    "Judge by the CPU of this `cpuid -r -1` dump, not this one: which register a shared address is, and which bits are reserved there"

/* True once lookup_use_cpuid() named a dump. */
bool lookup_judges_dump(void);

/* The bits of `msr` that must be zero: on the CPU of a --cpuid dump, those no
 * field present there covers (msr_masks_for(), fields of unknown presence
 * counting as present); otherwise those no field of any processor covers.
 * Undocumented (implementation-specific) fields are never must-be-zero. */
uint64_t must_be_zero_mask(const struct msr_instance *msr);

/* A register named on the command line: in the spec (`msr` set) or, for
 * subcommands that access the machine, any address (`msr` NULL). */
struct msr_target {
    uint32_t address;
    const struct msr_instance *msr;
};

/* Like lookup_msr(), but an address the spec does not describe is accepted
 * (msr NULL) instead of being an error. False after printing the error. */
bool lookup_target(const char *arg, struct msr_target *out);

/* Parses a register value argument (64 bits); false after printing the error. */
bool parse_value_arg(const char *arg, uint64_t *value);

#endif
