/*
 * x86msr guest state: what a VMM saves with a vCPU and restores into a new
 * one (snapshots, live migration), CPU templates, migration baselines; all
 * from the spec's attributes (spec/README.md, "Guest state"):
 *
 *   guest_state    a register's value is guest state, and where a VMM carries
 *                  it (enum msr_guest_state: feature MSRs, the vCPU's set-up,
 *                  the special registers, the local APIC, plain MSRs), in the
 *                  order a restore sets them;
 *   restore_after  the registers one must be restored after, with the reason
 *                  (msr_def_restore_after(), msr_def_restore_reason());
 *   volatile       fields that change by themselves, which a comparison after
 *                  a restore ignores (as it ignores counters);
 *   merge          how a field of a feature register combines across hosts.
 *
 * Freestanding: no libc, no allocation; every list lives in the caller's
 * storage. docs/guest-state.md walks through a snapshot and a restore.
 */
#ifndef X86MSR_GUEST_H
#define X86MSR_GUEST_H

#include "x86msr/cpuid.h"
#include "x86msr/meta.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the save list ------------------------------------------------------- */

/* One register of a guest's state. */
struct msr_guest_reg {
    uint32_t address;
    uint16_t def;     /* its record: spec->defs[def] */
    uint16_t index;   /* the array index; 0 for a plain register */
    uint8_t carrier;  /* enum msr_guest_state: where the VMM carries it */
    uint8_t support;  /* enum msr_support: YES, or UNKNOWN (listed with MSR_GUEST_UNKNOWN: probe it) */
};

/* msr_guest_list() flags. */
#define MSR_GUEST_UNKNOWN 0x1u /* also list the registers whose presence the facts cannot decide */

/*
 * The guest-state registers of `spec` that the guest the facts describe has
 * (its CPUID and, where presence depends on them, MSR values such as
 * IA32_MCG_CAP's bank count or IA32_APIC_BASE's x2APIC bit), in restore order
 * (msr_guest_restore_order()). Every carrier is listed; a VMM saving with
 * KVM_GET_MSRS takes the entries whose carrier is MSR_GUEST_STATE_FEATURE or
 * MSR_GUEST_STATE_MSR.
 *
 * *count is the number of registers. Returns MSR_OK with them in out[0 ..
 * *count - 1]; MSR_ERR_RANGE when `capacity` is smaller (nothing useful in
 * `out`: call again with *count entries; a NULL `out` with capacity 0 asks
 * for the count); MSR_ERR_INVALID for a NULL spec, facts or count.
 */
int msr_guest_list(const struct msr_spec *spec, const struct msr_facts *facts, unsigned flags,
                   struct msr_guest_reg *out, size_t capacity, size_t *count);

/*
 * Puts `regs` in restore order: carriers in enum msr_guest_state order, and
 * every register after each register of the list its restore_after names (an
 * array named stands for all of its instances); where no constraint decides,
 * the order `regs` had. Deterministic: the same list always gives the same
 * order. MSR_OK, or MSR_ERR_INVALID if the constraints of the list have a
 * cycle (the generator refuses such a spec) or an entry names no record of
 * `spec`.
 */
int msr_guest_restore_order(const struct msr_spec *spec, struct msr_guest_reg *regs, size_t count);

/* The concrete register of `spec` an entry stands for (for its name:
 * msr_name()); NULL when the entry names none of `spec`. */
const struct msr_instance *msr_guest_instance(const struct msr_spec *spec, const struct msr_guest_reg *reg);

/* Whether the restore order puts `later` after `earlier`: carriers in order,
 * or a restore_after of `later` naming `earlier`'s register. */
bool msr_guest_restores_after(const struct msr_spec *spec, const struct msr_guest_reg *later,
                              const struct msr_guest_reg *earlier);

/* The bits of a value of `def` a restore must reproduce: all but those of its
 * volatile and counter fields (MSR_FIELD_F_CHANGING). Compare (a ^ b) & mask. */
uint64_t msr_guest_compare_mask(const struct msr_def *def);

/* ---- CPU templates ------------------------------------------------------- */

/*
 * A compiled template step: the value of the register at `address` becomes
 * (value & ~clear) | set. A template file (x86msr template, docs/guest-state.md)
 * names registers and fields; its compiled form is a list of these.
 */
struct msr_template_op {
    uint32_t address;
    uint64_t clear; /* bits the template decides: cleared first */
    uint64_t set;   /* ... then these set (set is within clear) */
};

/* `value` of the register at `address` with every step for that address
 * applied, in order; `value` itself where no step names it. */
uint64_t msr_template_apply(const struct msr_template_op *ops, size_t count, uint32_t address, uint64_t value);

/* ---- migration baselines ------------------------------------------------- */

/*
 * Merges one host's `value` of `def` into `*merged` (the hosts' so far), each
 * field by its merge rule (enum msr_merge; MSR_MERGE_EQUAL for a field without
 * one, and for the bits no field covers). Returns the bits that cannot merge:
 * those of `equal` fields (and uncovered bits) that differ; they keep
 * *merged's value. 0: merged.
 */
uint64_t msr_baseline_merge(const struct msr_def *def, uint64_t *merged, uint64_t value);

/*
 * Whether a host whose value of `def` is `host` can offer `wanted` in each
 * field `mask` covers, by the field's merge rule: an `and` field's bits are a
 * subset of the host's, an `or` field's a superset, a `min` field's value is
 * at most the host's, a `max` field's at least, an `equal` field's the same,
 * an `equal_or_zero` field's the same or 0. Returns the bits of the fields
 * that ask for more than the host has (0: the host can offer it).
 */
uint64_t msr_baseline_exceeds(const struct msr_def *def, uint64_t host, uint64_t wanted, uint64_t mask);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_GUEST_H */
