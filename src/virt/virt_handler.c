/*
 * The MSR-exit handler: the policy's action, then the spec as it applies to
 * the guest's virtual CPU. Freestanding.
 */
#include "virt_internal.h"

static enum msr_virt_result answer(struct msr_virt_vcpu *vcpu, enum msr_virt_result result, const char *reason,
                                   const char *field)
{
    if (vcpu != NULL) {
        vcpu->reason = reason;
        vcpu->field = field;
    }
    return result;
}

static const struct msr_virt_emulator *emulator_for(const struct msr_virt_policy *policy,
                                                    const struct msr_virt_entry *e)
{
    return e != NULL && e->emulator != NULL ? e->emulator : policy->emulator;
}

/* The register description the checks use, NULL for none. */
static const struct msr_info *info_for(const struct msr_virt_entry *e, uint32_t msr, const struct msr_facts *facts)
{
    if (e != NULL && e->info != NULL)
        return e->info;
    return msr_virt_spec_info_(msr, facts);
}

static enum msr_virt_result emulator_answer(struct msr_virt_vcpu *vcpu, enum msr_virt_result r, bool write)
{
    switch (r) {
    case MSR_VIRT_HANDLED:
        return answer(vcpu, r, write ? "emulated write" : "emulated read", NULL);
    case MSR_VIRT_FORWARD:
        return answer(vcpu, r, "the emulator forwards the access to the VMM", NULL);
    default:
        return answer(vcpu, MSR_VIRT_INJECT_GP, write ? "the emulator refused the write"
                                                      : "the emulator refused the read",
                      NULL);
    }
}

enum msr_virt_result msr_virt_rdmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t *value)
{
    const struct msr_virt_entry *e;
    const struct msr_virt_emulator *emu;
    enum msr_virt_action action;
    enum msr_virt_result r;
    uint64_t v = 0;

    if (value != NULL)
        *value = 0;
    if (policy == NULL || vcpu == NULL || value == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "invalid argument (NULL)", NULL);
    e = msr_virt_policy_lookup(policy, msr);
    action = e != NULL ? e->read : policy->default_read;

    switch (action) {
    case MSR_VIRT_IGNORE:
        return answer(vcpu, MSR_VIRT_HANDLED, "the policy reads it as zero", NULL);
    case MSR_VIRT_FIXED:
        *value = e != NULL ? e->value : 0;
        return answer(vcpu, MSR_VIRT_HANDLED, "the policy gives it a fixed value", NULL);
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE:
        break;
    default:
        return answer(vcpu, MSR_VIRT_INJECT_GP, "the policy denies reads of this MSR", NULL);
    }

    if (e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS)) {
        struct msr_virt_check_ check;
        if (!msr_virt_read_allowed_(info_for(e, msr, vcpu->facts), vcpu->facts, &check))
            return answer(vcpu, MSR_VIRT_INJECT_GP, check.reason, check.field);
    }
    if (action == MSR_VIRT_PASS)
        return answer(vcpu, MSR_VIRT_FORWARD, "pass-through: the VMM performs the RDMSR", NULL);

    emu = emulator_for(policy, e);
    if (emu == NULL || emu->read == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "no emulator for this MSR", NULL);
    r = emu->read(vcpu->ctx, msr, &v);
    if (r == MSR_VIRT_HANDLED)
        *value = v;
    return emulator_answer(vcpu, r, false);
}

enum msr_virt_result msr_virt_wrmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t value)
{
    const struct msr_virt_entry *e;
    const struct msr_virt_emulator *emu;
    const struct msr_info *info = NULL;
    enum msr_virt_action action;
    struct msr_masks masks;
    uint64_t store = value;

    if (policy == NULL || vcpu == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "invalid argument (NULL)", NULL);
    e = msr_virt_policy_lookup(policy, msr);
    action = e != NULL ? e->write : policy->default_write;

    switch (action) {
    case MSR_VIRT_IGNORE:
        return answer(vcpu, MSR_VIRT_HANDLED, "the policy ignores writes to this MSR", NULL);
    case MSR_VIRT_FIXED:
        if (e != NULL && value == e->value)
            return answer(vcpu, MSR_VIRT_HANDLED, "fixed-value register: its own value written back", NULL);
        return answer(vcpu, MSR_VIRT_INJECT_GP, "fixed-value register: only its value may be written", NULL);
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE:
        break;
    default:
        return answer(vcpu, MSR_VIRT_INJECT_GP, "the policy denies writes to this MSR", NULL);
    }

    masks.reserved = masks.w1c = masks.canonical = 0;
    masks.writable = ~UINT64_C(0);
    if (e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS)) {
        struct msr_virt_check_ check;
        info = info_for(e, msr, vcpu->facts);
        if (!msr_virt_write_allowed_(info, vcpu->facts, vcpu->linear_bits, value, &masks, &check))
            return answer(vcpu, MSR_VIRT_INJECT_GP, check.reason, check.field);
    }
    if (action == MSR_VIRT_PASS)
        return answer(vcpu, MSR_VIRT_FORWARD, "pass-through: the VMM performs the WRMSR", NULL);

    emu = emulator_for(policy, e);
    if (emu == NULL || emu->write == NULL || emu->read == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "no emulator for this MSR", NULL);
    if (info != NULL) {
        /* Bits of present fields software cannot change keep their value;
         * write-1-to-clear bits clear where 1 is written. */
        uint64_t read_only = ~masks.reserved & ~masks.writable;
        uint64_t plain = masks.writable & ~masks.w1c;

        store = value & plain;
        if ((read_only | masks.w1c) != 0) {
            uint64_t old = 0;
            if (emu->read(vcpu->ctx, msr, &old) != MSR_VIRT_HANDLED)
                return answer(vcpu, MSR_VIRT_INJECT_GP,
                              "the emulator could not read the current value (needed for read-only and "
                              "write-1-to-clear bits)",
                              NULL);
            store |= (old & read_only) | (old & masks.w1c & ~value);
        }
    }
    return emulator_answer(vcpu, emu->write(vcpu->ctx, msr, store), true);
}
