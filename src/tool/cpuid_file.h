/*
 * CPUID dumps for `list --supported --cpuid FILE`: the raw format of the
 * Debian `cpuid` tool (`cpuid -r -1`), so a dump taken on another machine
 * answers "which of these MSRs does that CPU have?":
 *
 *   CPU 0:
 *      0x00000000 0x00: eax=0x00000016 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69
 *
 * Only the first CPU's block is used; a `CPU N:` or `CPU:` line is optional;
 * `#` starts a comment line. The parser is x86msr/files.h's
 * msr_cpuid_dump_parse(), in the library.
 */
#ifndef X86MSR_TOOL_CPUID_FILE_H
#define X86MSR_TOOL_CPUID_FILE_H

#include <x86msr/cpuid.h>
#include <x86msr/files.h>

struct cpuid_file {
    struct msr_cpuid_entry *entries;
    struct msr_cpuid_table table;
    struct msr_cpuid_source source;
};

/* Reads `path`; returns TOOL_EXIT_OK, or the exit status after printing one
 * error line (usage error naming FILE:LINE for a malformed line, runtime
 * error for an unreadable file). */
int cpuid_file_load(const char *path, struct cpuid_file *out);
void cpuid_file_free(struct cpuid_file *file);

#endif
