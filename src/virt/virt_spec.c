/*
 * The spec checks shared by the exit handler, the MSR lists and the VM-entry
 * checks; status texts and names. Freestanding.
 */
#include "virt_internal.h"

const char *msr_virt_strerror(int status)
{
    switch (status) {
    case MSR_VIRT_ERR_POLICY:
        return "invalid MSR policy";
    case MSR_VIRT_ERR_REFUSED:
        return "the manuals forbid this MSR list entry";
    case MSR_VIRT_ERR_FULL:
        return "no room left (list limit, KVM filter ranges or bitmap storage)";
    default:
        return msr_vmx_strerror(status);
    }
}

const char *msr_virt_action_name(enum msr_virt_action action)
{
    switch (action) {
    case MSR_VIRT_DENY: return "deny";
    case MSR_VIRT_PASS: return "pass";
    case MSR_VIRT_EMULATE: return "emulate";
    case MSR_VIRT_IGNORE: return "ignore";
    case MSR_VIRT_FIXED: return "fixed";
    default: return "?";
    }
}

const char *msr_virt_result_name(enum msr_virt_result result)
{
    switch (result) {
    case MSR_VIRT_HANDLED: return "handled";
    case MSR_VIRT_INJECT_GP: return "inject #GP";
    case MSR_VIRT_FORWARD: return "forward";
    default: return "?";
    }
}

unsigned msr_virt_linear_bits(const struct msr_facts *facts, unsigned linear_bits)
{
    struct msr_cpuid_regs r;

    if (linear_bits != 0)
        return linear_bits;
    if (facts != NULL && facts->cpuid != NULL && facts->cpuid->query(facts->cpuid->ctx, 0x80000008u, 0, &r)) {
        unsigned bits = (r.eax >> 8) & 0xFFu;
        if (bits >= 32 && bits <= 64)
            return bits;
    }
    return 48;
}

bool msr_virt_pat_valid(uint64_t pat)
{
    unsigned i;

    for (i = 0; i < 8; i++) {
        uint64_t type = (pat >> (8 * i)) & 0xFFu;
        if (type == 2 || type == 3 || type > 7)
            return false;
    }
    return true;
}

const struct msr_def *msr_virt_spec_def_(const struct msr_spec *spec, uint32_t msr, const struct msr_facts *facts,
                                         uint32_t *index)
{
    const struct msr_instance *inst = spec != NULL ? msr_spec_find_for_cpu(spec, msr, facts) : NULL;

    *index = inst != NULL ? inst->index : 0;
    return inst != NULL ? msr_spec_def(spec, inst) : NULL;
}

uint32_t msr_virt_def_index_(const struct msr_def *def, uint32_t msr)
{
    return def->count > 1 && def->stride != 0 && msr >= def->address ? (msr - def->address) / def->stride : 0;
}

bool msr_virt_def_covers_(const struct msr_def *def, uint32_t msr)
{
    if (msr == def->address)
        return true;
    if (def->count <= 1 || def->stride == 0 || msr < def->address)
        return false;
    return (msr - def->address) % def->stride == 0 && (msr - def->address) / def->stride < def->count;
}

static bool deny(struct msr_virt_check_ *out, const char *reason, int field)
{
    out->reason = reason;
    out->field = field;
    return false;
}

/* The index of field `f` of `def` (for struct msr_virt_check_), -1 for NULL. */
static int field_number(const struct msr_def *def, const struct msr_field_info *f)
{
    return f != NULL ? (int)msr_field_index(def, f) : -1;
}

bool msr_virt_read_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                            struct msr_virt_check_ *out)
{
    out->reason = NULL;
    out->field = -1;
    if (def == NULL)
        return true;
    if (msr_is_supported(def, index, facts) == MSR_SUPPORT_NO)
        return deny(out, "the guest's CPU does not have this register (its presence condition is false)", -1);
    if (def->access == MSR_ACCESS_WO)
        return deny(out, "write-only register: RDMSR raises #GP", -1);
    return true;
}

/* The first field of `def` the spec marks strict_enum whose part of `value`
 * is none of its enum's values (a reserved memory type in the PAT or an
 * MTRR), or NULL. */
static const struct msr_field_info *undefined_enum_value(const struct msr_def *def, uint64_t value)
{
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);

        if ((f->flags & MSR_FIELD_F_STRICT_ENUM) && !msr_field_value_valid(def, f, msr_field_extract(f, value)))
            return f;
    }
    return NULL;
}

static unsigned lowest_bit(uint64_t v)
{
    unsigned b = 0;

    while (b < 63 && !((v >> b) & 1u))
        b++;
    return b;
}

/* The field the canonical check blames: the first canonical field with bits
 * in `canonical`, else the field at bit 63 (NULL if none). */
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

bool msr_virt_write_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                             unsigned linear_bits, uint64_t value, struct msr_masks *masks,
                             struct msr_virt_check_ *out)
{
    struct msr_masks m;
    uint64_t bad;
    const struct msr_field_info *f;

    out->reason = NULL;
    out->field = -1;
    if (def == NULL) {
        if (masks != NULL) {
            masks->reserved = masks->w1c = masks->canonical = 0;
            masks->writable = ~UINT64_C(0);
        }
        return true;
    }
    msr_masks_for(def, index, facts, true, &m);
    if (masks != NULL)
        *masks = m;
    if (msr_is_supported(def, index, facts) == MSR_SUPPORT_NO)
        return deny(out, "the guest's CPU does not have this register (its presence condition is false)", -1);
    if (def->access == MSR_ACCESS_RO)
        return deny(out, "read-only register: WRMSR raises #GP", -1);
    bad = value & m.reserved;
    if (bad != 0) {
        f = msr_def_field_at(def, lowest_bit(bad));
        if (f != NULL)
            return deny(out, "the field is absent on the guest's CPU (vendor or CPUID): its bits are reserved",
                        field_number(def, f));
        return deny(out, "a reserved bit is set", -1);
    }
    if (m.canonical != 0 && !msr_is_canonical(value & m.canonical, msr_virt_linear_bits(facts, linear_bits)))
        return deny(out, "not a canonical linear address", field_number(def, canonical_field(def, m.canonical)));
    f = undefined_enum_value(def, value);
    if (f != NULL)
        return deny(out, "the field holds a value its enumeration does not define (a reserved memory type): WRMSR raises #GP",
                    field_number(def, f));
    return true;
}

void msr_virt_fail_(struct msr_virt_failure *out, size_t max, size_t *count, uint32_t msr, const char *field,
                    const char *rule, uint64_t value)
{
    if (out != NULL && *count < max) {
        out[*count].msr = msr;
        out[*count].field = field;
        out[*count].rule = rule;
        out[*count].value = value;
    }
    (*count)++;
}
