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
 * "unknown". A register (or a field) that none of the processor's vendors
 * documents is "no" once CPUID names a vendor; a caller that wants "unknown"
 * there (a VMM emulating another vendor's registers) sets
 * MSR_FACTS_OTHER_VENDORS_UNKNOWN.
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
    unsigned flags;                       /* MSR_FACTS_*; 0 (an initializer that leaves it out): none */
};

/* msr_facts.flags: a register that none of the processor's vendors documents
 * (IA32_MISC_ENABLE on AMD, a Hyper-V MSR under plain KVM) is "unknown"
 * rather than "no", as it was before x86msr knew the vendors' registers
 * apart. For a VMM that emulates another vendor's registers for its guest, or
 * a tool that must not rule out a register the manuals of the CPU's vendor
 * leave out. Fields are not affected: a field of another vendor is "no". */
#define MSR_FACTS_OTHER_VENDORS_UNKNOWN 0x1u

/* The vendor set (MSR_VENDOR_* bits) of the processor behind `cpuid`: its CPU
 * vendor (Hygon counts as AMD) and, under a hypervisor, every hypervisor
 * interface it announces at CPUID 40000000H and the blocks of 100H after it
 * (KVM's at 40000100H when Hyper-V's comes first). 0 when nothing is
 * recognised. */
uint32_t msr_cpu_vendors(const struct msr_cpuid_source *cpuid);

/* Display family and model from CPUID.01H:EAX; false when leaf 1 is unknown. */
bool msr_cpu_family_model(const struct msr_cpuid_source *cpuid, uint32_t *family, uint32_t *model);

/* MAXPHYADDR, the physical-address width: CPUID.80000008H:EAX[7:0]; without
 * that leaf, 36 when CPUID.01H:EDX.PAE[6] is 1, else 32 (SDM Vol. 3A 4.1.4);
 * 0 when unknown (no CPUID, or neither leaf). */
unsigned msr_cpu_max_phys_addr(const struct msr_cpuid_source *cpuid);

/* The linear-address width CPUID.80000008H:EAX[15:8] reports (32..64); 0 when
 * unknown. */
unsigned msr_cpu_linear_bits(const struct msr_cpuid_source *cpuid);

/*
 * Facts prepared once. Every presence test and mask computation asks for the
 * processor's vendor (five signature checks), its family and model and its
 * address widths; msr_facts_prepare() computes them once from the facts'
 * CPUID into `cache` and points facts->cpuid at cache->source, which answers
 * every other query through the original source. The functions of this
 * header give the same answers with prepared facts as without, only
 * faster; msr_cpu_vendors() and the others above read the cache when given
 * cache->source. `cache` must outlive the facts' use; prepare again (the
 * same cache will do) after the CPUID it describes changes. Facts without
 * CPUID stay as they are.
 */
struct msr_cpu_identity {
    uint32_t vendors;       /* msr_cpu_vendors() */
    uint32_t family, model; /* msr_cpu_family_model(), when has_family */
    uint8_t has_family;
    uint8_t max_phys_addr;  /* msr_cpu_max_phys_addr() */
    uint8_t linear_bits;    /* msr_cpu_linear_bits() */
};

struct msr_facts_cache {
    struct msr_cpuid_source source;           /* what facts->cpuid points to once prepared */
    const struct msr_cpuid_source *original;  /* the source it answers from */
    struct msr_cpu_identity id;
};

void msr_facts_prepare(struct msr_facts *facts, struct msr_facts_cache *cache);

/* The identity of the processor behind `cpuid`: the cache's, for prepared
 * facts' source, else computed into *scratch. NULL cpuid: all zero. */
const struct msr_cpu_identity *msr_cpu_identity_of(const struct msr_cpuid_source *cpuid,
                                                   struct msr_cpu_identity *scratch);

/* The condition `cond` (a node of a check record, x86msr/meta.h) for array
 * instance `index` (0 for other registers). */
enum msr_support msr_condition_eval(const struct msr_condition *cond, uint32_t index, const struct msr_facts *facts);

/*
 * Whether the processor the facts describe implements instance `index` of
 * register `def`:
 * - NO when its condition is false, or when the processor's vendors are known
 *   (CPUID leaf 0 and the hypervisor leaves, msr_cpu_vendors()) and none of
 *   them documents the register (unless MSR_FACTS_OTHER_VENDORS_UNKNOWN is
 *   set: then UNKNOWN);
 * - YES when its condition is true and a vendor of the processor documents it;
 * - UNKNOWN otherwise (no condition in the spec, a condition the facts cannot
 *   decide, no CPUID facts or no vendor recognised).
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
 * covered, never reserved, and not writable. The processor's widths and
 * vendor narrow them further: a phys_addr field's bits at and above its
 * MAXPHYADDR (msr_cpu_max_phys_addr(); none when unknown) are reserved, and a
 * canonical field counts in `canonical` unless the processor's vendors are
 * known and none of them is one the field names as checking it. */
void msr_masks_for(const struct msr_def *def, uint32_t index, const struct msr_facts *facts, bool strict,
                   struct msr_masks *out);

/*
 * Value rules: whether a WRMSR of a value would fault on the processor the
 * facts describe, by the spec's rules for the register's bits (spec/README.md,
 * "Value rules"), given that the register is there and writable. The rules
 * are computed once per register and processor (msr_write_rules_for()) and
 * applied to each value (msr_write_check()); the lock needs the register's
 * current value (msr_write_lock()).
 */
enum msr_write_fault {
    MSR_WRITE_OK = 0,
    MSR_WRITE_RESERVED = 1,         /* a bit no field covers */
    MSR_WRITE_ABSENT_FIELD = 2,     /* a bit of a field the processor lacks (its vendors, its condition) */
    MSR_WRITE_ABOVE_MAXPHYADDR = 3, /* phys_addr: a bit at or above MAXPHYADDR */
    MSR_WRITE_NOT_CANONICAL = 4,    /* canonical: not a canonical address (where its vendor checks it) */
    MSR_WRITE_UNDEFINED_VALUE = 5,  /* strict_enum: a value the field's enumeration does not define */
    MSR_WRITE_NONZERO = 6           /* write_zero: only 0 may be written (writable_if does not hold) */
};

struct msr_write_rules {
    struct msr_masks masks;     /* msr_masks_for() of the processor (its `strict`) */
    uint64_t above_maxphyaddr;  /* the bits of masks.reserved that are phys_addr bits >= MAXPHYADDR */
    uint64_t zero_only;         /* bits only 0 may be written to: write_zero fields, or the whole register,
                                   whose writable_if does not hold (or cannot be decided) */
    unsigned linear_bits;       /* the canonical check's width (48 or 57; see msr_write_rules_for) */
    bool strict_enum;           /* a field that can be present is strict_enum */
};

/* The rules of instance `index` of `def` on the processor the facts describe.
 * linear_bits: 0 = msr_cpu_linear_bits() of the facts, else 48. */
void msr_write_rules_for(const struct msr_def *def, uint32_t index, const struct msr_facts *facts, bool strict,
                         unsigned linear_bits, struct msr_write_rules *out);

/* The first rule (in enum order) a WRMSR of `value` breaks, or MSR_WRITE_OK.
 * *field (may be NULL): the index in `def` of the field at fault, -1 for
 * none: for the bit rules the field of the lowest bit at fault, for the
 * canonical rule the canonical field, for write_zero the field (-1 when the
 * whole register takes only 0). */
enum msr_write_fault msr_write_check(const struct msr_def *def, const struct msr_write_rules *rules, uint64_t value,
                                     int *field);

/* locked_by: what a WRMSR does while the register holds `value_now`:
 * MSR_LOCK_WRITES_FAULT or MSR_LOCK_WRITES_IGNORED when its lock field is 1,
 * else -1 (unlocked, or no lock). */
int msr_write_lock(const struct msr_def *def, uint64_t value_now);

/* Whether `value` is a canonical linear address for a processor with
 * `linear_bits` (48, or 57 with 5-level paging) linear-address bits. */
bool msr_is_canonical(uint64_t value, unsigned linear_bits);

/* The condition in the manuals' notation ("IA32_VMX_BASIC[55] = 1", "CPUID.(EAX=0AH):EAX[15:8] > 3"),
 * with `index` for n (an index above the array's last prints as n); MSRs by the
 * names of msr_spec's text (so this links the text). Returns the length the whole
 * text needs, like snprintf; `buf` is always terminated when size > 0. */
size_t msr_condition_describe(const struct msr_condition *cond, uint32_t index, bool has_index, char *buf,
                              size_t size);

/* The name of the register an MSR condition reads (links the text): for one
 * instance of an array its own name ("IA32_MC3_CTL"), else the definition's
 * ("IA32_MC{n}_CTL" when the condition reads the instance of the same index);
 * NULL for a CPUID or compound condition, or a register not in msr_spec. */
const char *msr_condition_msr_name(const struct msr_condition *cond);

/* "yes", "no" or "unknown". */
const char *msr_support_name(enum msr_support support);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_CPUID_H */
