/*
 * Value rules (x86msr/cpuid.h): whether a WRMSR of a value would fault by the
 * spec's rules for the register's bits -- reserved and absent bits, bits of a
 * physical address at and above MAXPHYADDR, canonical addresses, the values of
 * strict enumerations, write-zero fields and lock fields. One implementation
 * for the MSR-exit handler, the VM-entry checks, the VMX MSR lists and the
 * tool's decode and encode. Freestanding.
 */
#include "x86msr/cpuid.h"

#include "core_internal.h"

#define DEFAULT_LINEAR_BITS 48u

/* Whether a write_zero rule is lifted: its writable_if condition holds. */
static bool lifted(const struct msr_def *def, uint16_t cell, uint32_t index, const struct msr_facts *facts)
{
    return cell != MSR_NO_CELL && msr_condition_eval(msr_def_condition(def, cell), index, facts) == MSR_SUPPORT_YES;
}

void msr_write_rules_for(const struct msr_def *def, uint32_t index, const struct msr_facts *facts, bool strict,
                         unsigned linear_bits, struct msr_write_rules *out)
{
    uint64_t above = msr_above_maxphyaddr_(facts);
    unsigned i;

    msr_masks_for(def, index, facts, strict, &out->masks);
    if (linear_bits == 0)
        linear_bits = facts != NULL ? msr_cpu_linear_bits(facts->cpuid) : 0;
    out->linear_bits = linear_bits != 0 ? linear_bits : DEFAULT_LINEAR_BITS;
    out->above_maxphyaddr = 0;
    out->zero_only = 0;
    out->strict_enum = false;
    if ((def->flags & MSR_REG_F_WRITE_ZERO) && !lifted(def, def->writable_if, index, facts))
        out->zero_only = ~0ull;
    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t mask = msr_field_mask(f);

        if ((mask & ~out->masks.reserved) == 0)
            continue; /* absent on this processor: its bits are reserved, no other rule applies */
        if (f->flags & MSR_FIELD_F_PHYS_ADDR)
            out->above_maxphyaddr |= mask & above;
        if (f->flags & MSR_FIELD_F_STRICT_ENUM)
            out->strict_enum = true;
        if ((f->flags & MSR_FIELD_F_WRITE_ZERO) && !lifted(def, f->writable_if, index, facts))
            out->zero_only |= mask;
    }
}

static unsigned lowest_bit(uint64_t v)
{
    unsigned b = 0;

    while (b < 63 && !((v >> b) & 1u))
        b++;
    return b;
}

static int index_of(const struct msr_def *def, const struct msr_field_info *f)
{
    return f != NULL ? (int)msr_field_index(def, f) : -1;
}

/* The field the canonical rule blames: the first canonical field with bits in
 * `canonical`, else the field at bit 63. */
static const struct msr_field_info *canonical_field(const struct msr_def *def, uint64_t canonical)
{
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        if ((f->flags & MSR_FIELD_F_CANONICAL) && (msr_field_mask(f) & canonical))
            return f;
    }
    return msr_def_field_at(def, 63);
}

/* The first present strict_enum field whose part of `value` its enumeration
 * does not define, or NULL. */
static const struct msr_field_info *undefined_value(const struct msr_def *def, const struct msr_write_rules *rules,
                                                    uint64_t value)
{
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);

        if ((f->flags & MSR_FIELD_F_STRICT_ENUM) && (msr_field_mask(f) & ~rules->masks.reserved) != 0 &&
            !msr_field_value_valid(def, f, msr_field_extract(f, value)))
            return f;
    }
    return NULL;
}

static enum msr_write_fault fault(int *field, int index, enum msr_write_fault why)
{
    if (field != NULL)
        *field = index;
    return why;
}

enum msr_write_fault msr_write_check(const struct msr_def *def, const struct msr_write_rules *rules, uint64_t value,
                                     int *field)
{
    uint64_t bad = value & rules->masks.reserved;

    if (bad != 0) {
        unsigned bit = lowest_bit(bad);
        const struct msr_field_info *f = msr_def_field_at(def, bit);

        if ((rules->above_maxphyaddr >> bit) & 1u)
            return fault(field, index_of(def, f), MSR_WRITE_ABOVE_MAXPHYADDR);
        return fault(field, index_of(def, f), f != NULL ? MSR_WRITE_ABSENT_FIELD : MSR_WRITE_RESERVED);
    }
    if (rules->masks.canonical != 0 && !msr_is_canonical(value & rules->masks.canonical, rules->linear_bits))
        return fault(field, index_of(def, canonical_field(def, rules->masks.canonical)), MSR_WRITE_NOT_CANONICAL);
    if (rules->strict_enum) {
        const struct msr_field_info *f = undefined_value(def, rules, value);
        if (f != NULL)
            return fault(field, index_of(def, f), MSR_WRITE_UNDEFINED_VALUE);
    }
    bad = value & rules->zero_only;
    if (bad != 0) {
        const struct msr_field_info *f = msr_def_field_at(def, lowest_bit(bad));
        bool field_rule = f != NULL && (f->flags & MSR_FIELD_F_WRITE_ZERO) && !(def->flags & MSR_REG_F_WRITE_ZERO);
        return fault(field, field_rule ? index_of(def, f) : -1, MSR_WRITE_NONZERO);
    }
    return fault(field, -1, MSR_WRITE_OK);
}

int msr_write_lock(const struct msr_def *def, uint64_t value_now)
{
    if (!(def->flags & MSR_REG_F_LOCKED_BY) || def->lock_field == 0 || def->lock_field > def->field_count)
        return -1;
    return (value_now & msr_field_mask(msr_def_field(def, def->lock_field - 1u))) != 0 ? (int)def->lock_writes : -1;
}
