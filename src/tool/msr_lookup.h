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

/* Parses a register value argument (64 bits); false after printing the error. */
bool parse_value_arg(const char *arg, uint64_t *value);

#endif
