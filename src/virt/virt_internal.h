/*
 * Internal to x86msr_virt: the spec checks shared by the exit handler, the
 * MSR-list builder and the VM-entry checks.
 */
#ifndef X86MSR_VIRT_INTERNAL_H
#define X86MSR_VIRT_INTERNAL_H

#include <x86msr/virt.h>

/* The verdict of one spec check. */
struct msr_virt_check_ {
    const char *reason; /* NULL: allowed */
    const char *field;  /* the field at fault, or NULL */
};

/* The register the spec describes at `msr` for the processor the facts
 * describe, or NULL: msr_find_by_address_for_cpu(), so where registers share
 * an address (two vendors, or models of one vendor told apart by family and
 * model) the one of the guest's CPU. */
const struct msr_info *msr_virt_spec_info_(uint32_t msr, const struct msr_facts *facts);

/* Whether RDMSR of `info` would succeed on that processor (presence,
 * write-only). True = allowed; else *out says why. */
bool msr_virt_read_allowed_(const struct msr_info *info, const struct msr_facts *facts, struct msr_virt_check_ *out);

/* Whether WRMSR of `value` to `info` would succeed on that processor:
 * presence, read-only register, reserved bits (strict masks), canonical
 * fields, strict_enum fields (PAT and MTRR memory types). *masks (may be NULL) receives the masks
 * used. True = allowed; else *out says why. */
bool msr_virt_write_allowed_(const struct msr_info *info, const struct msr_facts *facts, unsigned linear_bits,
                             uint64_t value, struct msr_masks *masks, struct msr_virt_check_ *out);

/* Appends one failure when there is room; always counts it. */
void msr_virt_fail_(struct msr_virt_failure *out, size_t max, size_t *count, uint32_t msr, const char *field,
                    const char *rule, uint64_t value);

#endif
