/*
 * Internal to x86msr_virt: the spec checks shared by the exit handler, the
 * MSR-list builder and the VM-entry checks.
 */
#ifndef X86MSR_VIRT_INTERNAL_H
#define X86MSR_VIRT_INTERNAL_H

#include <x86msr/virt.h>

/* The verdict of one spec check: no text of the spec (the exit path names
 * none), the field by its index. */
struct msr_virt_check_ {
    const char *reason; /* NULL: allowed */
    int field;          /* the field at fault (its index in the register), or -1 */
};

/* The register of `spec` at `msr` for the processor the facts describe, or
 * NULL (also for a NULL spec): msr_spec_find_for_cpu(), so where registers
 * share an address (two vendors, or models of one vendor told apart by family
 * and model) the one of the guest's CPU. *index = its array index (0 when
 * there is none). */
const struct msr_def *msr_virt_spec_def_(const struct msr_spec *spec, uint32_t msr, const struct msr_facts *facts,
                                         uint32_t *index);

/* The array index of `msr` in `def` (0 for a plain register). */
uint32_t msr_virt_def_index_(const struct msr_def *def, uint32_t msr);

/* Whether `def` describes `msr`: its address, or one of its array instances'. */
bool msr_virt_def_covers_(const struct msr_def *def, uint32_t msr);

/* What the exit checks of one register need on one vCPU: computed on every
 * exit by the unprepared handler, once per vCPU by a prepared one
 * (msr_virt_prepare), from the same function. */
struct msr_virt_rules_ {
    const char *read_refusal;     /* NULL: RDMSR allowed (present, not write-only) */
    const char *write_refusal;    /* NULL: WRMSR allowed before the value rules (present, not read-only) */
    struct msr_write_rules write; /* the value rules: strict masks, MAXPHYADDR, canonical, write_zero */
};

/* The rules of instance `index` of `def` for the processor the facts
 * describe (linear_bits as in struct msr_virt_vcpu). */
void msr_virt_rules_for_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                         unsigned linear_bits, struct msr_virt_rules_ *out);

/* The rules' read_refusal alone (what a read needs). */
const char *msr_virt_read_refusal_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts);

/* Whether `value` passes the value rules (msr_write_check()); else *out
 * says why. */
bool msr_virt_value_allowed_(const struct msr_def *def, const struct msr_write_rules *rules, uint64_t value,
                             struct msr_virt_check_ *out);

/* The reason for a locked register's write (msr_write_lock()'s answer), NULL
 * when it is not locked. */
const char *msr_virt_lock_reason_(int lock);

/* Whether RDMSR of instance `index` of `def` would succeed on that processor
 * (presence, write-only). NULL def: allowed. True = allowed; else *out says
 * why. */
bool msr_virt_read_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                            struct msr_virt_check_ *out);

/* Whether WRMSR of `value` to instance `index` of `def` would succeed on that
 * processor: presence, read-only register, then the value rules (reserved
 * bits of the strict masks, physical-address bits at and above MAXPHYADDR,
 * canonical fields where the vendor checks them, strict_enum fields,
 * write_zero). NULL def: allowed. True = allowed; else *out says why. */
bool msr_virt_write_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                             unsigned linear_bits, uint64_t value, struct msr_virt_check_ *out);

/* The policy's rules (virt_policy.c), shared by msr_virt_policy_check() and
 * the index builder. */

/* Resets *error; MSR_ERR_INVALID for a NULL policy or entries; else the
 * policy-wide rules (defaults, emulator, spec): MSR_OK or MSR_VIRT_ERR_POLICY. */
int msr_virt_policy_start_(const struct msr_virt_policy *policy, struct msr_virt_policy_error *error);

/* The first rule entry i breaks on its own (not counting earlier entries), or NULL. */
const char *msr_virt_entry_rule_(const struct msr_virt_policy *policy, size_t i);

/* The rule of an entry earlier ones contain entirely. */
extern const char *const msr_virt_shadowed_rule_;

/* Fills *error (may be NULL); returns MSR_VIRT_ERR_POLICY. */
int msr_virt_policy_fail_(struct msr_virt_policy_error *error, size_t entry, size_t other, const char *rule);

/* Prepared vCPUs (virt_prepare.c). */

/* Computes slot->def and its rules again (the slot is not VALID). */
void msr_virt_slot_resolve_(struct msr_virt_prepared *p, struct msr_virt_slot *slot);

/* The bit of struct msr_virt_prepared.dependency_filter that `msr` sets. */
static inline unsigned msr_virt_dependency_bit_(uint32_t msr)
{
    return (unsigned)((msr * 0x9E3779B1u) >> 26);
}

/* Where `msr` goes in struct msr_virt_prepared.recent. */
static inline unsigned msr_virt_recent_bit_(uint32_t msr)
{
    return (unsigned)((msr * 0x9E3779B1u) >> 28);
}

/* An accepted write to `msr`, which may be a dependency: the slots computed
 * from its value become invalid. */
void msr_virt_dependency_written_(struct msr_virt_prepared *p, uint32_t msr);

/* The name of field `field` of `def` (msr_virt_check_.field), NULL for -1:
 * for the descriptive failures of the VM-entry checks and the MSR lists
 * (links the text; the exit handler never calls it: inline here, so that its
 * object names no text). */
static inline const char *msr_virt_field_name_(const struct msr_def *def, int field)
{
    return def != NULL && field >= 0 ? msr_field_name(def, (unsigned)field) : NULL;
}

/* Appends one failure when there is room; always counts it. */
void msr_virt_fail_(struct msr_virt_failure *out, size_t max, size_t *count, uint32_t msr, const char *field,
                    const char *rule, uint64_t value);

#endif
