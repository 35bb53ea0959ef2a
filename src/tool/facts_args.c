/* The facts of presence questions from --cpuid, --from and -c (facts_args.h). */
#include "facts_args.h"

#include "diag.h"
#include "msr_lookup.h"
#include "number.h"

#include <stdint.h>
#include <string.h>

int snapshot_cpu_of(const char *from, const char *option, const struct msr_snapshot *snapshot,
                    const struct msr_snapshot_cpu **out)
{
    char why[128];
    uint64_t n;

    if (snapshot->cpu_count == 0)
        return usage_error_code(ERR_BAD_FILE, "%s: the snapshot holds no MSR values", from);
    if (option == NULL) {
        *out = &snapshot->cpus[0];
        return TOOL_EXIT_OK;
    }
    if (!parse_number(option, 32, &n, why, sizeof why))
        return usage_error_code(ERR_BAD_NUMBER, "invalid CPU '%s': %s", option, why);
    *out = n <= UINT32_MAX ? msr_snapshot_find_cpu(snapshot, (unsigned)n) : NULL;
    if (*out == NULL)
        return usage_error_code(ERR_NO_CPU, "%s: no CPU '%s' in the snapshot", from, option);
    return TOOL_EXIT_OK;
}

int tool_facts_load(struct tool_facts *out, const char *cpuid_path, const char *from, const char *cpu_option)
{
    int status = TOOL_EXIT_OK;

    memset(out, 0, sizeof *out);
    out->facts.cpuid = &cpuid_this_machine;
    if (cpuid_path != NULL) {
        status = cpuid_file_load(cpuid_path, &out->dump);
        if (status != TOOL_EXIT_OK)
            return status;
        out->have_dump = true;
        out->facts.cpuid = &out->dump.source;
    }
    if (from != NULL) {
        status = snapshot_load(from, &out->snapshot);
        if (status == TOOL_EXIT_OK)
            status = snapshot_cpu_of(from, cpu_option, &out->snapshot, &out->cpu);
        out->facts.read_msr = msr_snapshot_read;
        out->facts.msr_ctx = (void *)(uintptr_t)out->cpu;
    }
    return status;
}

void tool_facts_free(struct tool_facts *facts)
{
    snapshot_free(&facts->snapshot);
    if (facts->have_dump)
        cpuid_file_free(&facts->dump);
    facts->have_dump = false;
}
