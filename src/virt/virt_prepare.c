/*
 * Prepared vCPUs: every MSR the policy passes or emulates with spec checks
 * and that has a register gets a slot, sorted by address, holding what the
 * exit path would otherwise work out on each exit: the register for the
 * guest's CPU and its rules (presence, access, masks, value rules). The facts
 * are prepared once (vendor, family, widths).
 *
 * What a slot was computed from can change in one way: MSR values the spec's
 * conditions read through the facts (read_msr). Each slot is computed with a
 * reader that records which MSRs it read (its dependencies); a write the
 * handler accepts to one of them, or msr_virt_prepared_invalidate(), marks
 * the slots computed from it invalid, and the next exit computes them again.
 * Freestanding.
 */
#include "virt_internal.h"

static bool checks(const struct msr_virt_entry *e, enum msr_virt_action read, enum msr_virt_action write)
{
    bool checked = read == MSR_VIRT_PASS || read == MSR_VIRT_EMULATE || write == MSR_VIRT_PASS ||
                   write == MSR_VIRT_EMULATE;
    return checked && (e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS));
}

/* Walks the MSRs that get slots, in ascending order: counts them, and fills
 * `out` when it is not NULL. */
struct walk {
    const struct msr_virt_policy_index *index;
    struct msr_virt_slot *out;
    size_t count;
};

static void add(struct walk *w, uint32_t msr, uint32_t entry)
{
    if (w->out != NULL) {
        struct msr_virt_slot *s = &w->out[w->count];
        s->msr = msr;
        s->entry = entry;
        s->def = NULL;
        s->index = 0;
        s->state = 0;
        s->depends = 0;
    }
    w->count++;
}

/* The first instance of `spec` at or above `msr`. */
static size_t first_at_or_above(const struct msr_spec *spec, uint32_t msr)
{
    size_t lo = 0, hi = spec->instance_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (spec->instances[mid].address < msr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Slots for [first, last], decided by entry `entry` (e; NULL: the defaults). */
static void walk_range(struct walk *w, uint32_t first, uint32_t last, uint32_t entry, const struct msr_virt_entry *e)
{
    const struct msr_virt_policy *policy = w->index->policy;
    const struct msr_spec *spec = policy->spec;
    uint32_t msr;
    size_t i;

    if (!checks(e, e != NULL ? e->read : policy->default_read, e != NULL ? e->write : policy->default_write))
        return;
    if (e != NULL && e->def != NULL) {
        /* its record describes every MSR of the entry (the policy check) */
        for (msr = first;; msr++) {
            add(w, msr, entry);
            if (msr == last)
                break;
        }
        return;
    }
    if (spec == NULL)
        return;
    for (i = first_at_or_above(spec, first); i < spec->instance_count && spec->instances[i].address <= last; i++)
        if (i == 0 || spec->instances[i - 1].address != spec->instances[i].address)
            add(w, spec->instances[i].address, entry); /* one slot per address; the register is the CPU's */
}

static void walk(struct walk *w)
{
    const struct msr_virt_interval *iv = w->index->intervals;
    uint64_t at = 0; /* the first MSR not walked yet */
    size_t k;

    for (k = 0; k < w->index->count; k++) {
        if (iv[k].first > at)
            walk_range(w, (uint32_t)at, iv[k].first - 1u, MSR_VIRT_SLOT_DEFAULTS, NULL);
        walk_range(w, iv[k].first, iv[k].last, iv[k].entry, &w->index->policy->entries[iv[k].entry]);
        at = (uint64_t)iv[k].last + 1u;
    }
    if (at <= 0xFFFFFFFFu)
        walk_range(w, (uint32_t)at, 0xFFFFFFFFu, MSR_VIRT_SLOT_DEFAULTS, NULL);
}

size_t msr_virt_prepare_slots(const struct msr_virt_policy_index *index)
{
    struct walk w = { index, NULL, 0 };

    if (index == NULL || index->policy == NULL)
        return 0;
    walk(&w);
    return w.count;
}

/* ---- dependencies --------------------------------------------------------- */

struct recorder {
    struct msr_virt_prepared *p;
    uint32_t depends;
    bool untracked; /* read more distinct MSRs than the table holds */
};

static int record_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct recorder *r = (struct recorder *)ctx;
    struct msr_virt_prepared *p = r->p;
    uint32_t d;

    for (d = 0; d < p->dependency_count && p->dependencies[d] != msr; d++)
        ;
    if (d == p->dependency_count && d < MSR_VIRT_MAX_DEPENDENCIES) {
        p->dependencies[d] = msr;
        p->dependency_count++;
        p->dependency_filter |= 1ull << msr_virt_dependency_bit_(msr);
    }
    if (d < MSR_VIRT_MAX_DEPENDENCIES)
        r->depends |= 1u << d;
    else
        r->untracked = true;
    return p->facts.read_msr(p->facts.msr_ctx, msr, value);
}

void msr_virt_slot_resolve_(struct msr_virt_prepared *p, struct msr_virt_slot *slot)
{
    const struct msr_virt_policy *policy = p->index->policy;
    const struct msr_virt_entry *e = slot->entry == MSR_VIRT_SLOT_DEFAULTS ? NULL : &policy->entries[slot->entry];
    struct recorder rec = { p, 0, false };
    struct msr_facts recording;
    const struct msr_facts *facts = NULL;
    struct msr_virt_rules_ rules;

    if (p->has_facts) {
        recording = p->facts;
        if (recording.read_msr != NULL) {
            recording.read_msr = record_read;
            recording.msr_ctx = &rec;
        }
        facts = &recording;
    }
    if (e != NULL && e->def != NULL) {
        slot->def = e->def;
        slot->index = msr_virt_def_index_(e->def, slot->msr);
    } else {
        /* a slot exists only where the spec has a register: never NULL */
        slot->def = msr_virt_spec_def_(policy->spec, slot->msr, facts, &slot->index);
    }
    msr_virt_rules_for_(slot->def, slot->index, facts, p->linear_bits, &rules);
    slot->read_refusal = rules.read_refusal;
    slot->write_refusal = rules.write_refusal;
    slot->rules = rules.write;
    slot->depends = rec.depends;
    slot->state = rec.untracked ? MSR_VIRT_SLOT_VOLATILE : MSR_VIRT_SLOT_VALID;
    if (rules.write.masks.canonical == 0 && !rules.write.strict_enum && rules.write.zero_only == 0) {
        const struct msr_masks *m = &rules.write.masks;
        slot->state |= MSR_VIRT_SLOT_SIMPLE;
        if (slot->write_refusal == NULL && !(slot->def->flags & MSR_REG_F_LOCKED_BY) && m->w1c == 0 &&
            (~m->reserved & ~m->writable) == 0)
            slot->state |= MSR_VIRT_SLOT_PLAIN;
    }
}

static void invalidate(struct msr_virt_prepared *p, uint32_t depends)
{
    size_t i;

    for (i = 0; i < p->slot_count; i++)
        if (p->slots[i].depends & depends)
            p->slots[i].state &= ~(uint32_t)MSR_VIRT_SLOT_VALID;
}

void msr_virt_dependency_written_(struct msr_virt_prepared *p, uint32_t msr)
{
    uint32_t d;

    for (d = 0; d < p->dependency_count; d++)
        if (p->dependencies[d] == msr) {
            invalidate(p, 1u << d);
            return;
        }
}

void msr_virt_prepared_invalidate(struct msr_virt_prepared *prepared)
{
    if (prepared != NULL && prepared->slots != NULL)
        invalidate(prepared, ~0u);
}

/* ---- preparing ------------------------------------------------------------- */

int msr_virt_prepare(struct msr_virt_prepared *prepared, const struct msr_virt_policy_index *index,
                     struct msr_virt_vcpu *vcpu, struct msr_virt_slot *slots, size_t capacity)
{
    struct walk w = { index, slots, 0 };
    size_t i, need;

    if (prepared == NULL || index == NULL || index->policy == NULL || vcpu == NULL ||
        (slots == NULL && capacity > 0))
        return MSR_ERR_INVALID;
    need = msr_virt_prepare_slots(index);
    if (capacity < need)
        return MSR_VIRT_ERR_FULL;
    prepared->index = index;
    prepared->vcpu = vcpu;
    prepared->slots = slots;
    prepared->slot_count = need;
    prepared->has_facts = vcpu->facts != NULL;
    if (prepared->has_facts) {
        prepared->facts = *vcpu->facts;
        msr_facts_prepare(&prepared->facts, &prepared->facts_cache);
    }
    prepared->linear_bits = vcpu->linear_bits;
    prepared->dependency_count = 0;
    prepared->dependency_filter = 0;
    for (i = 0; i < MSR_VIRT_RECENT_SLOTS; i++)
        prepared->recent[i] = 0;
    walk(&w);
    for (i = 0; i < need; i++)
        msr_virt_slot_resolve_(prepared, &slots[i]);
    return MSR_OK;
}
