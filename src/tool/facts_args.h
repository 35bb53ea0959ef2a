/*
 * The facts a presence question is judged by (x86msr/cpuid.h, struct
 * msr_facts), from the options that supply them: --cpuid FILE (a `cpuid -r`
 * dump; else this machine's CPUID), --from SNAPSHOT (MSR values of one CPU of
 * a snapshot file) and -c CPU (which CPU of the snapshot; default its first).
 * `list --supported` and `save-list` take them.
 */
#ifndef X86MSR_TOOL_FACTS_ARGS_H
#define X86MSR_TOOL_FACTS_ARGS_H

#include "cpuid_file.h"
#include "snapshot.h"

#include <x86msr/cpuid.h>

#include <stdbool.h>

struct tool_facts {
    struct msr_facts facts;            /* what the questions read */
    struct cpuid_file dump;            /* --cpuid FILE, when given */
    bool have_dump;
    struct msr_snapshot snapshot;          /* --from SNAPSHOT */
    const struct msr_snapshot_cpu *cpu;    /* its CPU the MSR values come from; NULL without --from */
};

/*
 * Loads the facts: `cpuid_path` (NULL: this machine's CPUID), `from` (NULL:
 * no MSR values) and `cpu_option` (-c, or NULL). Returns TOOL_EXIT_OK or the
 * status of the one error line printed. Free with tool_facts_free() in every
 * case.
 */
int tool_facts_load(struct tool_facts *out, const char *cpuid_path, const char *from, const char *cpu_option);
void tool_facts_free(struct tool_facts *facts);

/* The snapshot's CPU of -c `option` (NULL: its first); `from` names the file
 * in messages. TOOL_EXIT_OK, or the status of the error printed. */
int snapshot_cpu_of(const char *from, const char *option, const struct msr_snapshot *snapshot,
                    const struct msr_snapshot_cpu **out);

#endif
