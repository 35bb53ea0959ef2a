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

const struct msr_info *msr_virt_spec_info_(uint32_t msr, const struct msr_facts *facts)
{
    return msr_find_by_address_for_cpu(msr, facts);
}

static bool deny(struct msr_virt_check_ *out, const char *reason, const char *field)
{
    out->reason = reason;
    out->field = field;
    return false;
}

bool msr_virt_read_allowed_(const struct msr_info *info, const struct msr_facts *facts, struct msr_virt_check_ *out)
{
    out->reason = NULL;
    out->field = NULL;
    if (info == NULL)
        return true;
    if (msr_is_supported(info, facts) == MSR_SUPPORT_NO)
        return deny(out, "the guest's CPU does not have this register (its presence condition is false)", NULL);
    if (info->access == MSR_ACCESS_WO)
        return deny(out, "write-only register: RDMSR raises #GP", NULL);
    return true;
}

/* The field of `info` that holds bit `bit`, or NULL. */
static const struct msr_field_info *field_at(const struct msr_info *info, unsigned bit)
{
    uint16_t i;

    for (i = 0; i < info->field_count; i++)
        if (bit >= info->fields[i].lsb && bit <= info->fields[i].msb)
            return &info->fields[i];
    return NULL;
}

/* The first field of `info` the spec marks strict_enum whose part of `value`
 * is none of its enum's values (a reserved memory type in the PAT or an
 * MTRR), or NULL. */
static const struct msr_field_info *undefined_enum_value(const struct msr_info *info, uint64_t value)
{
    uint16_t i, k;

    for (i = 0; i < info->field_count; i++) {
        const struct msr_field_info *f = &info->fields[i];
        uint64_t v = (value & msr_field_mask(f)) >> f->lsb;

        if (!f->strict_enum)
            continue;
        for (k = 0; k < f->enum_count && f->enum_values[k].value != v; k++)
            ;
        if (k == f->enum_count)
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

bool msr_virt_write_allowed_(const struct msr_info *info, const struct msr_facts *facts, unsigned linear_bits,
                             uint64_t value, struct msr_masks *masks, struct msr_virt_check_ *out)
{
    struct msr_masks m;
    uint64_t bad;

    out->reason = NULL;
    out->field = NULL;
    if (info == NULL) {
        if (masks != NULL) {
            masks->reserved = masks->w1c = masks->canonical = 0;
            masks->writable = ~UINT64_C(0);
        }
        return true;
    }
    msr_masks_for(info, facts, true, &m);
    if (masks != NULL)
        *masks = m;
    if (msr_is_supported(info, facts) == MSR_SUPPORT_NO)
        return deny(out, "the guest's CPU does not have this register (its presence condition is false)", NULL);
    if (info->access == MSR_ACCESS_RO)
        return deny(out, "read-only register: WRMSR raises #GP", NULL);
    bad = value & m.reserved;
    if (bad != 0) {
        const struct msr_field_info *f = field_at(info, lowest_bit(bad));
        if (f != NULL)
            return deny(out, "the field is absent on the guest's CPU (vendor or CPUID): its bits are reserved",
                        f->name);
        return deny(out, "a reserved bit is set", NULL);
    }
    if (m.canonical != 0 && !msr_is_canonical(value & m.canonical, msr_virt_linear_bits(facts, linear_bits))) {
        const struct msr_field_info *f = field_at(info, 63u - 0u);
        uint16_t i;
        for (i = 0; i < info->field_count; i++)
            if (info->fields[i].canonical && (msr_field_mask(&info->fields[i]) & m.canonical)) {
                f = &info->fields[i];
                break;
            }
        return deny(out, "not a canonical linear address", f != NULL ? f->name : NULL);
    }
    {
        const struct msr_field_info *f = undefined_enum_value(info, value);
        if (f != NULL)
            return deny(out, "the field holds a value its enumeration does not define (a reserved memory type): WRMSR raises #GP",
                        f->name);
    }
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
