/*
 * The MSR-exit handler: the policy's action, then the spec as it applies to
 * the guest's virtual CPU. Two ways in, one way out: msr_virt_rdmsr/_wrmsr
 * resolve the MSR on every exit (first-match lookup, the register for the
 * guest's CPU, its rules), msr_virt_prepared_rdmsr/_wrmsr find it resolved in
 * a prepared vCPU's slots; both then run the same decision code below.
 * Freestanding; reads the check records the policy leads it to (its entries'
 * defs, its spec) and no text.
 */
#include "virt_internal.h"

static const char pass_write[] = "pass-through: the VMM performs the WRMSR";

/* What one exit needs to know about its MSR. */
struct resolved {
    const struct msr_virt_entry *entry; /* the deciding entry; NULL: the defaults */
    const struct msr_def *def;          /* the register the checks apply; NULL: no checks */
    uint32_t index;                     /* its array instance */
    const char *read_refusal;           /* when def: the rules (struct msr_virt_rules_) */
    const char *write_refusal;
    const struct msr_write_rules *rules;
    bool simple;                        /* rules: nothing beyond the reserved mask */
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

static bool spec_checked(const struct msr_virt_entry *e)
{
    return e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS);
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

/* ---- the decisions, once the MSR is resolved ------------------------------ */

static enum msr_virt_result read_resolved(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu,
                                          uint32_t msr, const struct resolved *res, enum msr_virt_action action,
                                          uint64_t *value)
{
    const struct msr_virt_emulator *emu;
    enum msr_virt_result r;
    uint64_t v = 0;

    if (res->def != NULL && res->read_refusal != NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, res->read_refusal, res->def, -1);
    if (action == MSR_VIRT_PASS)
        return answer(vcpu, MSR_VIRT_FORWARD, "pass-through: the VMM performs the RDMSR", res->def, -1);
    emu = emulator_for(policy, res->entry);
    if (emu == NULL || emu->read == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "no emulator for this MSR", res->def, -1);
    r = emu->read(vcpu->ctx, msr, &v);
    if (r == MSR_VIRT_HANDLED)
        *value = v;
    return emulator_answer(vcpu, r, false, res->def);
}

/* The policy's part of a read: the answer for DENY, IGNORE, FIXED and
 * actions outside the enum; false for PASS and EMULATE (the spec's part). */
static bool read_by_policy(struct msr_virt_vcpu *vcpu, const struct msr_virt_entry *e, enum msr_virt_action action,
                           uint64_t *value, enum msr_virt_result *r)
{
    switch (action) {
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE:
        return false;
    case MSR_VIRT_IGNORE:
        *r = policy_answer(vcpu, MSR_VIRT_HANDLED, "the policy reads it as zero");
        return true;
    case MSR_VIRT_FIXED:
        *value = e != NULL ? e->value : 0;
        *r = policy_answer(vcpu, MSR_VIRT_HANDLED, "the policy gives it a fixed value");
        return true;
    default:
        *r = policy_answer(vcpu, MSR_VIRT_INJECT_GP, "the policy denies reads of this MSR");
        return true;
    }
}

static bool write_by_policy(struct msr_virt_vcpu *vcpu, const struct msr_virt_entry *e, enum msr_virt_action action,
                            uint64_t value, enum msr_virt_result *r)
{
    switch (action) {
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE:
        return false;
    case MSR_VIRT_IGNORE:
        *r = policy_answer(vcpu, MSR_VIRT_HANDLED, "the policy ignores writes to this MSR");
        return true;
    case MSR_VIRT_FIXED:
        if (e != NULL && value == e->value)
            *r = policy_answer(vcpu, MSR_VIRT_HANDLED, "fixed-value register: its own value written back");
        else
            *r = policy_answer(vcpu, MSR_VIRT_INJECT_GP, "fixed-value register: only its value may be written");
        return true;
    default:
        *r = policy_answer(vcpu, MSR_VIRT_INJECT_GP, "the policy denies writes to this MSR");
        return true;
    }
}

static enum msr_virt_result write_resolved(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu,
                                           const struct msr_facts *facts, uint32_t msr, const struct resolved *res,
                                           enum msr_virt_action action, uint64_t value)
{
    const struct msr_write_rules *rules = res->rules;
    const struct msr_virt_emulator *emu;
    uint64_t store = value, old = 0;
    int lock = -1;

    if (res->def != NULL) {
        struct msr_virt_check_ check;

        if (res->write_refusal != NULL)
            return answer(vcpu, MSR_VIRT_INJECT_GP, res->write_refusal, res->def, -1);
        if (res->simple ? (value & rules->masks.reserved) != 0
                        : !msr_virt_value_allowed_(res->def, rules, value, &check)) {
            if (res->simple)
                (void)msr_virt_value_allowed_(res->def, rules, value, &check);
            return answer(vcpu, MSR_VIRT_INJECT_GP, check.reason, res->def, check.field);
        }
    }
    if (action == MSR_VIRT_PASS) {
        /* A lock is checked against the value the facts know; without one
         * the real register decides. */
        if (res->def != NULL && (res->def->flags & MSR_REG_F_LOCKED_BY) && facts != NULL &&
            facts->read_msr != NULL && facts->read_msr(facts->msr_ctx, msr, &old) == MSR_OK)
            lock = msr_write_lock(res->def, old);
        if (lock >= 0)
            return answer(vcpu, lock == MSR_LOCK_WRITES_FAULT ? MSR_VIRT_INJECT_GP : MSR_VIRT_HANDLED,
                          msr_virt_lock_reason_(lock), res->def, -1);
        return answer(vcpu, MSR_VIRT_FORWARD, pass_write, res->def, -1);
    }

    emu = emulator_for(policy, res->entry);
    if (emu == NULL || emu->write == NULL || emu->read == NULL)
        return answer(vcpu, MSR_VIRT_INJECT_GP, "no emulator for this MSR", res->def, -1);
    if (res->def != NULL) {
        /* Bits of present fields software cannot change keep their value;
         * write-1-to-clear bits clear where 1 is written; a lock that is 1
         * faults or drops the write. */
        uint64_t read_only = ~rules->masks.reserved & ~rules->masks.writable;
        uint64_t plain = rules->masks.writable & ~rules->masks.w1c;
        bool locked_by = (res->def->flags & MSR_REG_F_LOCKED_BY) != 0;

        store = value & plain;
        if ((read_only | rules->masks.w1c) != 0 || locked_by) {
            if (emu->read(vcpu->ctx, msr, &old) != MSR_VIRT_HANDLED)
                return answer(vcpu, MSR_VIRT_INJECT_GP,
                              "the emulator could not read the current value (needed for read-only and "
                              "write-1-to-clear bits)",
                              res->def, -1);
            lock = locked_by ? msr_write_lock(res->def, old) : -1;
            if (lock >= 0)
                return answer(vcpu, lock == MSR_LOCK_WRITES_FAULT ? MSR_VIRT_INJECT_GP : MSR_VIRT_HANDLED,
                              msr_virt_lock_reason_(lock), res->def, -1);
            store |= (old & read_only) | (old & rules->masks.w1c & ~value);
        }
    }
    return emulator_answer(vcpu, emu->write(vcpu->ctx, msr, store), true, res->def);
}

/* ---- unprepared: everything on each exit --------------------------------- */

/* The register the checks of `msr` use: the entry's def (at the instance of
 * `msr`), else the policy's spec's register at `msr` for the guest's CPU;
 * none without either. */
static void resolve(const struct msr_virt_policy *policy, const struct msr_virt_entry *e, uint32_t msr,
                    const struct msr_facts *facts, struct resolved *res)
{
    res->entry = e;
    if (e != NULL && e->def != NULL) {
        res->def = e->def;
        res->index = msr_virt_def_index_(e->def, msr);
    } else {
        res->def = msr_virt_spec_def_(policy->spec, msr, facts, &res->index);
    }
    res->simple = false;
}

enum msr_virt_result msr_virt_rdmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t *value)
{
    const struct msr_virt_entry *e;
    enum msr_virt_action action;
    enum msr_virt_result r;
    struct resolved res = { NULL, NULL, 0, NULL, NULL, NULL, false };

    if (value != NULL)
        *value = 0;
    if (policy == NULL || vcpu == NULL || value == NULL)
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "invalid argument (NULL)");
    e = msr_virt_policy_lookup(policy, msr);
    action = e != NULL ? e->read : policy->default_read;
    if (read_by_policy(vcpu, e, action, value, &r))
        return r;
    res.entry = e;
    if (spec_checked(e)) {
        resolve(policy, e, msr, vcpu->facts, &res);
        if (res.def != NULL)
            res.read_refusal = msr_virt_read_refusal_(res.def, res.index, vcpu->facts);
    }
    return read_resolved(policy, vcpu, msr, &res, action, value);
}

enum msr_virt_result msr_virt_wrmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t value)
{
    const struct msr_virt_entry *e;
    enum msr_virt_action action;
    enum msr_virt_result r;
    struct resolved res = { NULL, NULL, 0, NULL, NULL, NULL, false };
    struct msr_virt_rules_ rules;

    if (policy == NULL || vcpu == NULL)
        return policy_answer(vcpu, MSR_VIRT_INJECT_GP, "invalid argument (NULL)");
    e = msr_virt_policy_lookup(policy, msr);
    action = e != NULL ? e->write : policy->default_write;
    if (write_by_policy(vcpu, e, action, value, &r))
        return r;
    res.entry = e;
    if (spec_checked(e)) {
        resolve(policy, e, msr, vcpu->facts, &res);
        if (res.def != NULL) {
            msr_virt_rules_for_(res.def, res.index, vcpu->facts, vcpu->linear_bits, &rules);
            res.write_refusal = rules.write_refusal;
            res.rules = &rules.write;
        }
    }
    return write_resolved(policy, vcpu, vcpu->facts, msr, &res, action, value);
}

/* ---- prepared: the MSR found resolved in a slot --------------------------- */

static const struct msr_virt_slot *find_slot(struct msr_virt_prepared *p, uint32_t msr)
{
    const struct msr_virt_slot *slots = p->slots;
    size_t lo = 0, hi = p->slot_count;
    uint16_t *recent = &p->recent[msr_virt_recent_bit_(msr)];

    if (*recent != 0 && slots[*recent - 1u].msr == msr)
        return &slots[*recent - 1u];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slots[mid].msr < msr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == p->slot_count || slots[lo].msr != msr)
        return NULL;
    if (lo < 0xFFFFu)
        *recent = (uint16_t)(lo + 1u);
    return &slots[lo];
}

static const struct msr_virt_entry *slot_entry(const struct msr_virt_policy *policy, const struct msr_virt_slot *slot)
{
    return slot->entry == MSR_VIRT_SLOT_DEFAULTS ? NULL : &policy->entries[slot->entry];
}

/* The entry and, where `msr`'s slot (NULL: none) has them, the register and
 * rules of `msr`. */
static const struct msr_virt_entry *resolve_prepared(struct msr_virt_prepared *p, uint32_t msr,
                                                     const struct msr_virt_slot *slot, struct resolved *res)
{
    const struct msr_virt_policy *policy = p->index->policy;

    res->def = NULL;
    res->index = 0;
    res->read_refusal = res->write_refusal = NULL;
    res->rules = NULL;
    res->simple = false;
    if (slot == NULL) {
        /* No register to check (or no checks): the policy alone decides. */
        res->entry = msr_virt_policy_index_lookup(p->index, msr);
        return res->entry;
    }
    if (!(slot->state & MSR_VIRT_SLOT_VALID))
        msr_virt_slot_resolve_(p, (struct msr_virt_slot *)(uintptr_t)slot);
    res->entry = slot_entry(policy, slot);
    res->def = slot->def;
    res->index = slot->index;
    res->read_refusal = slot->read_refusal;
    res->write_refusal = slot->write_refusal;
    res->rules = &slot->rules;
    res->simple = (slot->state & MSR_VIRT_SLOT_SIMPLE) != 0;
    return res->entry;
}

static bool prepared_usable(const struct msr_virt_prepared *p)
{
    return p != NULL && p->index != NULL && p->index->policy != NULL && p->vcpu != NULL;
}

enum msr_virt_result msr_virt_prepared_rdmsr(struct msr_virt_prepared *p, uint32_t msr, uint64_t *value)
{
    const struct msr_virt_entry *e;
    enum msr_virt_action action;
    enum msr_virt_result r;
    struct resolved res;

    if (value != NULL)
        *value = 0;
    if (!prepared_usable(p) || value == NULL)
        return policy_answer(p != NULL ? p->vcpu : NULL, MSR_VIRT_INJECT_GP, "invalid argument (NULL)");
    e = resolve_prepared(p, msr, find_slot(p, msr), &res);
    action = e != NULL ? e->read : p->index->policy->default_read;
    if (read_by_policy(p->vcpu, e, action, value, &r))
        return r;
    return read_resolved(p->index->policy, p->vcpu, msr, &res, action, value);
}

/* write_resolved() for a PLAIN slot and a value without reserved bits, the
 * common exit (the TSC deadline, the ICR): no check is left, the write is
 * the action's. False when it is not that case. */
static bool plain_write(struct msr_virt_prepared *p, const struct msr_virt_slot *slot, uint32_t msr, uint64_t value,
                        enum msr_virt_result *r)
{
    const struct msr_virt_policy *policy = p->index->policy;
    const struct msr_virt_entry *e;
    const struct msr_virt_emulator *emu;
    enum msr_virt_action action;

    if ((slot->state & (MSR_VIRT_SLOT_VALID | MSR_VIRT_SLOT_PLAIN)) != (MSR_VIRT_SLOT_VALID | MSR_VIRT_SLOT_PLAIN) ||
        (value & slot->rules.masks.reserved) != 0)
        return false;
    e = slot_entry(policy, slot);
    action = e != NULL ? e->write : policy->default_write;
    if (action == MSR_VIRT_PASS) {
        *r = answer(p->vcpu, MSR_VIRT_FORWARD, pass_write, slot->def, -1);
        return true;
    }
    emu = emulator_for(policy, e);
    if (action != MSR_VIRT_EMULATE || emu == NULL || emu->write == NULL || emu->read == NULL)
        return false;
    *r = emulator_answer(p->vcpu, emu->write(p->vcpu->ctx, msr, value & slot->rules.masks.writable), true, slot->def);
    return true;
}

enum msr_virt_result msr_virt_prepared_wrmsr(struct msr_virt_prepared *p, uint32_t msr, uint64_t value)
{
    const struct msr_virt_slot *slot;
    const struct msr_virt_entry *e;
    enum msr_virt_action action;
    enum msr_virt_result r;
    struct resolved res;

    if (!prepared_usable(p))
        return policy_answer(p != NULL ? p->vcpu : NULL, MSR_VIRT_INJECT_GP, "invalid argument (NULL)");
    slot = find_slot(p, msr);
    if (slot == NULL || !plain_write(p, slot, msr, value, &r)) {
        e = resolve_prepared(p, msr, slot, &res);
        action = e != NULL ? e->write : p->index->policy->default_write;
        if (write_by_policy(p->vcpu, e, action, value, &r))
            return r;
        r = write_resolved(p->index->policy, p->vcpu, p->has_facts ? &p->facts : NULL, msr, &res, action, value);
    }
    /* An accepted write may change what the conditions read: the slots
     * computed from this MSR's value are computed again on their next exit
     * (after the VMM has performed a forwarded write). */
    if (r != MSR_VIRT_INJECT_GP && (p->dependency_filter >> msr_virt_dependency_bit_(msr)) & 1u)
        msr_virt_dependency_written_(p, msr);
    return r;
}
