/*
 * x86msr presence detection: does this processor implement an MSR (or a
 * field)? The spec records each presence condition as data (meta.h:
 * struct msr_condition): CPUID bits and fields, bits of other MSRs (the VMX
 * capability MSRs, IA32_MTRRCAP, ...), CPU family and model, and processor
 * states no fact can show. msr_is_supported() evaluates it against the facts
 * the caller has: a CPUID source (the `cpuid` instruction or a dump) and,
 * optionally, a reader of MSR values (a capability snapshot, a dump, the
 * live machine).
 *
 * The answer is yes, no, or unknown; it is never a wrong "yes": a condition
 * the facts cannot decide (an MSR value with no reader, a processor state) is
 * "unknown", and so is a register the CPU's vendor does not document.
 */
#ifndef X86MSR_CPUID_H
#define X86MSR_CPUID_H

#include "x86msr/core.h"
#include "x86msr/meta.h"

#ifdef __cplusplus
extern "C" {
#endif

struct msr_cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

/* A CPUID source: fills *out and returns true, or returns false when the leaf
 * is beyond the CPU's maximum (basic, hypervisor or extended) leaf. */
struct msr_cpuid_source {
    bool (*query)(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out);
    void *ctx;
};

/* The `cpuid` instruction (leaf range checked against CPUID.0, 40000000H and 80000000H). */
extern const struct msr_cpuid_source msr_cpuid_native;

/*
 * A fixed table of CPUID results, e.g. from a dump or from what a VMM gives a
 * guest; absent leaves read as unsupported. An entry answers for its leaf
 * and subleaf, or, with subleaf MSR_CPUID_ANY_SUBLEAF, for every subleaf of
 * its leaf: a leaf that ECX does not index (KVM_GET_SUPPORTED_CPUID's entries
 * without KVM_CPUID_FLAG_SIGNIFCANT_INDEX; their `index` is 0 and means
 * nothing). An entry for the exact subleaf comes before such an entry, wherever
 * they are in the table.
 */
#define MSR_CPUID_ANY_SUBLEAF 0xFFFFFFFFu
struct msr_cpuid_entry {
    uint32_t leaf, subleaf;
    struct msr_cpuid_regs regs;
};
struct msr_cpuid_table {
    const struct msr_cpuid_entry *entries;
    size_t count;
};
/* A source backed by `table`: the query reads `table` and its entries, so
 * both must outlive the source (and any struct msr_facts that points at it). */
struct msr_cpuid_source msr_cpuid_table_source(const struct msr_cpuid_table *table);

enum msr_support {
    MSR_SUPPORT_NO = 0,
    MSR_SUPPORT_YES = 1,
    MSR_SUPPORT_UNKNOWN = 2
};

/* What is known about one logical processor. */
struct msr_facts {
    const struct msr_cpuid_source *cpuid; /* NULL: nothing is known from CPUID */
    msr_read_fn read_msr;                 /* NULL: no MSR value is known; an error from it: that one is not */
    void *msr_ctx;
};

/* The vendor set (MSR_VENDOR_* bits) of the processor behind `cpuid`: its CPU
 * vendor (Hygon counts as AMD) and, under a hypervisor that announces itself
 * at CPUID 40000000H, the hypervisor's. 0 when nothing is recognised. */
uint32_t msr_cpu_vendors(const struct msr_cpuid_source *cpuid);

/* Display family and model from CPUID.01H:EAX; false when leaf 1 is unknown. */
bool msr_cpu_family_model(const struct msr_cpuid_source *cpuid, uint32_t *family, uint32_t *model);

/* The condition `cond` (a node of a check record, x86msr/meta.h) for array
 * instance `index` (0 for other registers). */
enum msr_support msr_condition_eval(const struct msr_condition *cond, uint32_t index, const struct msr_facts *facts);

/*
 * Whether the processor the facts describe implements instance `index` of
 * register `def`:
 * - NO when its condition is false, or the processor's vendors are known and
 *   none of them documents the MSR while its condition is no help;
 * - YES when its condition is true and a vendor of the processor documents it;
 * - UNKNOWN otherwise (no condition in the spec, a condition the facts cannot
 *   decide, no CPUID facts).
 */
enum msr_support msr_is_supported(const struct msr_def *def, uint32_t index, const struct msr_facts *facts);

/* Whether `field` of `def` exists there: the register's answer, narrowed by the
 * field's own vendors and condition. */
enum msr_support msr_field_is_supported(const struct msr_def *def, uint32_t index,
                                        const struct msr_field_info *field, const struct msr_facts *facts);

/* The register of `spec` at `address` on the processor the facts describe.
 * Where several registers share the address (two vendors, or processor models
 * of one vendor whose presence conditions exclude each other by family and
 * model), the first whose presence the facts confirm; else the first that a
 * vendor of the processor documents and the facts do not rule out; else the
 * first a vendor of the processor documents; else msr_spec_find()'s answer.
 * NULL when no register of the spec is at `address`. */
const struct msr_instance *msr_spec_find_for_cpu(const struct msr_spec *spec, uint32_t address,
                                                 const struct msr_facts *facts);

/* The same over msr_spec (x86msr/meta.h). */
const struct msr_instance *msr_find_by_address_for_cpu(uint32_t address, const struct msr_facts *facts);

/* The masks of instance `index` of `def` on the processor the facts describe,
 * given that the register is there (whether it is, is msr_is_supported()'s
 * question): a field whose own vendors or presence condition rule it out
 * counts as reserved; with `strict`, so does a field whose own presence is
 * unknown. (So a register the spec gives no condition, IA32_DEBUGCTL say,
 * still has its Intel fields on an Intel processor.) Undocumented fields are
 * covered, never reserved, and not writable. */
void msr_masks_for(const struct msr_def *def, uint32_t index, const struct msr_facts *facts, bool strict,
                   struct msr_masks *out);

/* Whether `value` is a canonical linear address for a processor with
 * `linear_bits` (48, or 57 with 5-level paging) linear-address bits. */
bool msr_is_canonical(uint64_t value, unsigned linear_bits);

/* The condition in the manuals' notation ("IA32_VMX_BASIC[55] = 1", "CPUID.(EAX=0AH):EAX[15:8] > 3"),
 * with `index` for n (an index above the array's last prints as n); MSRs by the
 * names of msr_spec's text (so this links the text). Returns the length the whole
 * text needs, like snprintf; `buf` is always terminated when size > 0. */
size_t msr_condition_describe(const struct msr_condition *cond, uint32_t index, bool has_index, char *buf,
                              size_t size);

/* "yes", "no" or "unknown". */
const char *msr_support_name(enum msr_support support);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_CPUID_H */
