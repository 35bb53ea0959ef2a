/*
 * Guest state from the spec's attributes (x86msr/guest.h): the save list of a
 * guest, its restore order, the bits a comparison after a restore checks, CPU
 * template steps and the merging of hosts' capabilities. Freestanding: no
 * libc, no allocation.
 */
#include "x86msr/guest.h"

/* ---- the save list and its order ---------------------------------------- */

static const struct msr_def *def_of(const struct msr_spec *spec, const struct msr_guest_reg *reg)
{
    return reg->def < spec->def_count ? spec->defs[reg->def] : (const struct msr_def *)0;
}

/* Whether `def`'s restore_after names the register whose instance 0 is at `address`. */
static bool names(const struct msr_def *def, uint32_t address)
{
    unsigned k;

    if (!(def->flags & MSR_REG_F_RESTORE_AFTER))
        return false;
    for (k = 0; k < def->restore_after_count; k++)
        if (msr_def_restore_after(def, k) == address)
            return true;
    return false;
}

static bool after(const struct msr_def *later_def, const struct msr_guest_reg *later, const struct msr_def *earlier_def,
                  const struct msr_guest_reg *earlier)
{
    return earlier->carrier < later->carrier ||
           (earlier->carrier == later->carrier && names(later_def, earlier_def->address));
}

const struct msr_instance *msr_guest_instance(const struct msr_spec *spec, const struct msr_guest_reg *reg)
{
    const struct msr_instance *inst = spec != NULL && reg != NULL ? msr_spec_find(spec, reg->address) : NULL;
    const struct msr_instance *end = inst != NULL ? spec->instances + spec->instance_count : NULL;

    for (; inst != NULL && inst < end && inst->address == reg->address; inst++)
        if (inst->def == reg->def)
            return inst;
    return (const struct msr_instance *)0;
}

bool msr_guest_restores_after(const struct msr_spec *spec, const struct msr_guest_reg *later,
                              const struct msr_guest_reg *earlier)
{
    const struct msr_def *l = def_of(spec, later), *e = def_of(spec, earlier);

    return l != NULL && e != NULL && after(l, later, e, earlier);
}

/*
 * Selection in place: position p gets the first entry of regs[p..] that no
 * other entry of regs[p..] must precede; the entries it passes over keep
 * their order (they shift up by one). Kept in (carrier, original) order, the
 * first ready entry is the one a stable topological sort would take: O(n^2)
 * checks when constraints are few, as they are, and no scratch storage.
 */
int msr_guest_restore_order(const struct msr_spec *spec, struct msr_guest_reg *regs, size_t count)
{
    size_t p, i, j;

    if (spec == NULL || (regs == NULL && count > 0))
        return MSR_ERR_INVALID;
    for (i = 0; i < count; i++)
        if (def_of(spec, &regs[i]) == NULL)
            return MSR_ERR_INVALID;
    /* (carrier, original) order first: an insertion sort, stable, on a list
     * msr_guest_list() already builds grouped by carrier. */
    for (i = 1; i < count; i++) {
        struct msr_guest_reg r = regs[i];
        for (j = i; j > 0 && regs[j - 1].carrier > r.carrier; j--)
            regs[j] = regs[j - 1];
        regs[j] = r;
    }
    for (p = 0; p < count; p++) {
        for (i = p; i < count; i++) {
            const struct msr_def *di = def_of(spec, &regs[i]);
            bool ready = true;
            for (j = p; j < count && ready; j++)
                if (j != i && after(di, &regs[i], def_of(spec, &regs[j]), &regs[j]))
                    ready = false;
            if (ready)
                break;
        }
        if (i == count)
            return MSR_ERR_INVALID; /* every entry left waits for another: a cycle */
        /* Entry i moves down to p by swaps: a plain shift loop is one gcc
         * turns into a memmove call, which a freestanding library lacks. */
        for (j = i; j > p; j--) {
            struct msr_guest_reg r = regs[j];
            regs[j] = regs[j - 1];
            regs[j - 1] = r;
        }
    }
    return MSR_OK;
}

int msr_guest_list(const struct msr_spec *spec, const struct msr_facts *facts, unsigned flags,
                   struct msr_guest_reg *out, size_t capacity, size_t *count)
{
    size_t n = 0, i;
    unsigned carrier;

    if (spec == NULL || facts == NULL || count == NULL)
        return MSR_ERR_INVALID;
    /* One pass per carrier: the list comes out grouped by carrier, each group
     * in address order, which the restore order keeps where it can. */
    for (carrier = 0; carrier < MSR_GUEST_STATE_COUNT; carrier++) {
        for (i = 0; i < spec->instance_count; i++) {
            const struct msr_instance *inst = &spec->instances[i];
            const struct msr_def *def = spec->defs[inst->def];
            enum msr_support support;

            if (!(def->flags & MSR_REG_F_GUEST_STATE) || def->guest_state != carrier)
                continue;
            support = msr_is_supported(def, inst->index, facts);
            if (support == MSR_SUPPORT_NO || (support == MSR_SUPPORT_UNKNOWN && !(flags & MSR_GUEST_UNKNOWN)))
                continue;
            if (n < capacity && out != NULL) {
                out[n].address = inst->address;
                out[n].def = inst->def;
                out[n].index = inst->index;
                out[n].carrier = (uint8_t)carrier;
                out[n].support = (uint8_t)support;
            }
            n++;
        }
    }
    *count = n;
    if (n > capacity || (n > 0 && out == NULL))
        return MSR_ERR_RANGE;
    return msr_guest_restore_order(spec, out, n);
}

uint64_t msr_guest_compare_mask(const struct msr_def *def)
{
    uint64_t changing = 0;
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        if (f->flags & MSR_FIELD_F_CHANGING)
            changing |= msr_field_mask(f);
    }
    return ~changing;
}

/* ---- CPU templates -------------------------------------------------------- */

uint64_t msr_template_apply(const struct msr_template_op *ops, size_t count, uint32_t address, uint64_t value)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (ops[i].address == address)
            value = (value & ~ops[i].clear) | (ops[i].set & ops[i].clear);
    return value;
}

/* ---- migration baselines --------------------------------------------------- */

static unsigned rule_of(const struct msr_field_info *f)
{
    return (f->flags & MSR_FIELD_F_MERGE) ? f->merge : (unsigned)MSR_MERGE_EQUAL;
}

/* The field's merged value, or false when the rule finds no common value. */
static bool merge_field(unsigned rule, uint64_t a, uint64_t b, uint64_t *out)
{
    switch (rule) {
    case MSR_MERGE_EQUAL_OR_ZERO: *out = a == b ? a : 0; return true;
    case MSR_MERGE_MIN: *out = a < b ? a : b; return true;
    case MSR_MERGE_MAX: *out = a > b ? a : b; return true;
    case MSR_MERGE_AND: *out = a & b; return true;
    case MSR_MERGE_OR: *out = a | b; return true;
    default: *out = a; return a == b;
    }
}

uint64_t msr_baseline_merge(const struct msr_def *def, uint64_t *merged, uint64_t value)
{
    uint64_t covered = 0, conflict = 0, result = *merged;
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t mask = msr_field_mask(f), field;

        covered |= mask;
        if (merge_field(rule_of(f), msr_field_extract(f, *merged), msr_field_extract(f, value), &field))
            result = msr_field_insert(f, result, field);
        else
            conflict |= mask;
    }
    conflict |= (*merged ^ value) & ~covered;
    *merged = result;
    return conflict;
}

uint64_t msr_baseline_exceeds(const struct msr_def *def, uint64_t host, uint64_t wanted, uint64_t mask)
{
    uint64_t exceeds = 0;
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t h = msr_field_extract(f, host), w = msr_field_extract(f, wanted);
        bool more;

        if (!(msr_field_mask(f) & mask))
            continue;
        switch (rule_of(f)) {
        case MSR_MERGE_AND: more = (w & ~h) != 0; break;
        case MSR_MERGE_OR: more = (h & ~w) != 0; break;
        case MSR_MERGE_MIN: more = w > h; break;
        case MSR_MERGE_MAX: more = w < h; break;
        case MSR_MERGE_EQUAL_OR_ZERO: more = w != h && w != 0; break;
        default: more = w != h; break;
        }
        if (more)
            exceeds |= msr_field_mask(f);
    }
    return exceeds;
}
