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

#include <x86msr/meta.h>

/* The MSR `arg` names, or NULL after printing the error (exit with
 * TOOL_EXIT_USAGE). */
const struct msr_info *lookup_msr(const char *arg);

/* The MSR of the spec at `address`, or NULL. Where vendors share an address
 * (Intel IA32_LER_FROM_IP and AMD LAST_INT_FROM_IP at 0x1DD), the one this
 * machine's CPU vendor documents (else the first in table order), the same
 * for every subcommand. */
const struct msr_info *spec_msr_at(uint32_t address);

/* A register named on the command line: in the spec (`msr` set) or, for
 * subcommands that access the machine, any address (`msr` NULL). */
struct msr_target {
    uint32_t address;
    const struct msr_info *msr;
};

/* Like lookup_msr(), but an address the spec does not describe is accepted
 * (msr NULL) instead of being an error. False after printing the error. */
bool lookup_target(const char *arg, struct msr_target *out);

/* Parses a register value argument (64 bits); false after printing the error. */
bool parse_value_arg(const char *arg, uint64_t *value);

#endif
