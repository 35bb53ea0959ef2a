/*
 * x86msr presence detection: does this CPU implement an MSR? The spec records
 * each MSR's CPUID condition as data (meta.h: msr_info.cpuid, .condition);
 * msr_is_supported() evaluates it through a CPUID source — the real `cpuid`
 * instruction by default, or a table (tests, offline analysis of a dump).
 *
 * The answer is yes, no, or unknown; it is never a wrong "yes": when the manual's
 * condition is not expressible through CPUID (or there is none), the answer is
 * "unknown" unless CPUID already rules the MSR out.
 */
#ifndef X86MSR_CPUID_H
#define X86MSR_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86msr/meta.h"

#ifdef __cplusplus
extern "C" {
#endif

struct msr_cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

/* A CPUID source: fills *out and returns true, or returns false when the leaf
 * is beyond the CPU's maximum (basic or extended) leaf. */
struct msr_cpuid_source {
    bool (*query)(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out);
    void *ctx;
};

/* The `cpuid` instruction (leaf range checked against CPUID.0 / CPUID.80000000H). */
extern const struct msr_cpuid_source msr_cpuid_native;

/* A fixed table of CPUID results, e.g. from a dump; absent leaves read as unsupported. */
struct msr_cpuid_entry {
    uint32_t leaf, subleaf;
    struct msr_cpuid_regs regs;
};
struct msr_cpuid_table {
    const struct msr_cpuid_entry *entries;
    size_t count;
};
/* A source backed by `table` (which must outlive the source). */
struct msr_cpuid_source msr_cpuid_table_source(const struct msr_cpuid_table *table);

enum msr_support {
    MSR_SUPPORT_NO = 0,
    MSR_SUPPORT_YES = 1,
    MSR_SUPPORT_UNKNOWN = 2
};

/* The CPU's vendor (MSR_VENDOR_INTEL, MSR_VENDOR_AMD; Hygon counts as AMD), 0 if other. */
unsigned msr_cpu_vendor(const struct msr_cpuid_source *cpuid);

/*
 * Whether the CPU behind `cpuid` (NULL: msr_cpuid_native) implements `msr`:
 * - NO when the spec gives CPUID conditions and none holds;
 * - YES when one holds, the CPU's vendor documents the MSR and no further
 *   (non-CPUID) condition applies;
 * - UNKNOWN otherwise (no CPUID condition in the manual, a condition CPUID
 *   cannot express, or a vendor that does not document the MSR).
 */
enum msr_support msr_is_supported(const struct msr_info *msr, const struct msr_cpuid_source *cpuid);

/* "yes", "no" or "unknown". */
const char *msr_support_name(enum msr_support support);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_CPUID_H */
