/*
 * The MSR-exit handler: the policy's action, then the spec as it applies to
 * the guest's virtual CPU. Freestanding; reads the check records the policy
 * leads it to (its entries' defs, its spec) and no text.
 */
#include "virt_internal.h"

/* The register the checks apply to, and its instance. */
struct target {
    const struct msr_def *def; /* NULL: none (no checks) */
    uint32_t index;
};

static enum msr_virt_result answer(struct msr_virt_vcpu *vcpu, enum msr_virt_result result, const char *reason,
                                   const struct msr_def *def, int field)
{
    if (vcpu != NULL) {
        vcpu->reason = reason;
        vcpu->def = def;
        vcpu->field = field;
    }
    return result;
}

/* An answer no spec check took part in. */
static enum msr_virt_result policy_answer(struct msr_virt_vcpu *vcpu, enum msr_virt_result result,
                                          const char *reason)
{
    return answer(vcpu, result, reason, NULL, -1);
}

static const struct msr_virt_emulator *emulator_for(const struct msr_virt_policy *policy,
                                                    const struct msr_virt_entry *e)
{
    return e != NULL && e->emulator != NULL ? e->emulator : policy->emulator;
}

/* The register the checks of `msr` use: the entry's def (at the instance of
 * `msr`), else the policy's spec's register at `msr` for the guest's CPU;
 * none without either. */
static struct target target_for(const struct msr_virt_policy *policy, const struct msr_virt_entry *e, uint32_t msr,
                                const struct msr_facts *facts)
{
    struct target t;

    if (e != NULL && e->def != NULL) {
        t.def = e->def;
        t.index = msr_virt_def_index_(e->def, msr);
    } else {
        t.def = msr_virt_spec_def_(policy->spec, msr, facts, &t.index);
    }
    return t;
}

static enum msr_virt_result emulator_answer(struct msr_virt_vcpu *vcpu, enum msr_virt_result r, bool write,
                                            const struct msr_def *def)
{
    switch (r) {
    case MSR_VIRT_HANDLED:
        return answer(vcpu, r, write ? "emulated write" : "emulated read", def, -1);
    case MSR_VIRT_FORWARD:
        return answer(vcpu, r, "the emulator forwards the access to the VMM", def, -1);
    default:
        return answer(vcpu, MSR_VIRT_INJECT_GP, write ? "the emulator refused the write"
                                                      : "the emulator refused the read",
                      def, -1);
    }
}

enum msr_virt_result msr_virt_rdmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t *value)
{
    const struct msr_virt_entry *e;
    const struct msr_virt_emulator *emu;
    enum msr_virt_action action;
    enum msr_virt_result r;
    struct target t = { NULL, 0 };
    uint64_t v = 0;

    if (value != NULL)
        *value = 0;
    if (policy == NULL || vcpu == NULL || value == NULL)
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "invalid argument (NULL)");
    e = msr_virt_policy_lookup(policy, msr);
    action = e != NULL ? e->read : policy->default_read;

    switch (action) {
    case MSR_VIRT_IGNORE:
        return policy_answer(vcpu, MSR_VIRT_HANDLED, "the policy reads it as zero");
    case MSR_VIRT_FIXED:
        *value = e != NULL ? e->value : 0;
        return policy_answer(vcpu, MSR_VIRT_HANDLED, "the policy gives it a fixed value");
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE:
        break;
    default:
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "the policy denies reads of this MSR");
    }

    if (e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS)) {
        struct msr_virt_check_ check;
        t = target_for(policy, e, msr, vcpu->facts);
        if (!msr_virt_read_allowed_(t.def, t.index, vcpu->facts, &check))
            return answer(vcpu, MSR_VIRT_INJECT_GP, check.reason, t.def, check.field);
    }
    if (action == MSR_VIRT_PASS)
        return answer(vcpu, MSR_VIRT_FORWARD, "pass-through: the VMM performs the RDMSR", t.def, -1);

    emu = emulator_for(policy, e);
    if (emu == NULL || emu->read == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "no emulator for this MSR", t.def, -1);
    r = emu->read(vcpu->ctx, msr, &v);
    if (r == MSR_VIRT_HANDLED)
        *value = v;
    return emulator_answer(vcpu, r, false, t.def);
}

enum msr_virt_result msr_virt_wrmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t value)
{
    const struct msr_virt_entry *e;
    const struct msr_virt_emulator *emu;
    enum msr_virt_action action;
    struct msr_masks masks;
    struct target t = { NULL, 0 };
    uint64_t store = value;

    if (policy == NULL || vcpu == NULL)
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "invalid argument (NULL)");
    e = msr_virt_policy_lookup(policy, msr);
    action = e != NULL ? e->write : policy->default_write;

    switch (action) {
    case MSR_VIRT_IGNORE:
        return policy_answer(vcpu, MSR_VIRT_HANDLED, "the policy ignores writes to this MSR");
    case MSR_VIRT_FIXED:
        if (e != NULL && value == e->value)
            return policy_answer(vcpu, MSR_VIRT_HANDLED, "fixed-value register: its own value written back");
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "fixed-value register: only its value may be written");
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE:
        break;
    default:
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "the policy denies writes to this MSR");
    }

    masks.reserved = masks.w1c = masks.canonical = 0;
    masks.writable = ~UINT64_C(0);
    if (e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS)) {
        struct msr_virt_check_ check;
        t = target_for(policy, e, msr, vcpu->facts);
        if (!msr_virt_write_allowed_(t.def, t.index, vcpu->facts, vcpu->linear_bits, value, &masks, &check))
            return answer(vcpu, MSR_VIRT_INJECT_GP, check.reason, t.def, check.field);
    }
    if (action == MSR_VIRT_PASS)
        return answer(vcpu, MSR_VIRT_FORWARD, "pass-through: the VMM performs the WRMSR", t.def, -1);

    emu = emulator_for(policy, e);
    if (emu == NULL || emu->write == NULL || emu->read == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "no emulator for this MSR", t.def, -1);
    if (t.def != NULL) {
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
                              t.def, -1);
            store |= (old & read_only) | (old & masks.w1c & ~value);
        }
    }
    return emulator_answer(vcpu, emu->write(vcpu->ctx, msr, store), true, t.def);
}
