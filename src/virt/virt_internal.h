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

/* Whether RDMSR of instance `index` of `def` would succeed on that processor
 * (presence, write-only). NULL def: allowed. True = allowed; else *out says
 * why. */
bool msr_virt_read_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                            struct msr_virt_check_ *out);

/* Whether WRMSR of `value` to instance `index` of `def` would succeed on that
 * processor: presence, read-only register, reserved bits (strict masks),
 * canonical fields, strict_enum fields (PAT and MTRR memory types). NULL def:
 * allowed, every bit writable. *masks (may be NULL) receives the masks used.
 * True = allowed; else *out says why. */
bool msr_virt_write_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                             unsigned linear_bits, uint64_t value, struct msr_masks *masks,
                             struct msr_virt_check_ *out);

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
