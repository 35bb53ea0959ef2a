/*
 * The policy table: validation, lookup (first match wins), error text.
 * Freestanding.
 */
#include "virt_internal.h"

#include "vmx_format.h"

const struct msr_virt_entry *msr_virt_policy_lookup(const struct msr_virt_policy *policy, uint32_t msr)
{
    size_t i;

    if (policy == NULL || policy->entries == NULL)
        return NULL;
    for (i = 0; i < policy->count; i++)
        if (msr >= policy->entries[i].first && msr <= policy->entries[i].last)
            return &policy->entries[i];
    return NULL;
}

enum msr_virt_action msr_virt_policy_action(const struct msr_virt_policy *policy, uint32_t msr, unsigned access)
{
    const struct msr_virt_entry *e;

    if (policy == NULL || (access != MSR_VMX_INTERCEPT_READ && access != MSR_VMX_INTERCEPT_WRITE))
        return MSR_VIRT_DENY;
    e = msr_virt_policy_lookup(policy, msr);
    if (access == MSR_VMX_INTERCEPT_READ)
        return e != NULL ? e->read : policy->default_read;
    return e != NULL ? e->write : policy->default_write;
}

static bool valid_action(enum msr_virt_action a)
{
    return (unsigned)a < MSR_VIRT_ACTION_COUNT;
}

static bool emulator_complete(const struct msr_virt_emulator *e)
{
    return e != NULL && e->read != NULL && e->write != NULL;
}

/* Whether an access with these actions runs the spec checks (when they are
 * not turned off). */
static bool checked(enum msr_virt_action read, enum msr_virt_action write)
{
    return read == MSR_VIRT_PASS || read == MSR_VIRT_EMULATE || write == MSR_VIRT_PASS ||
           write == MSR_VIRT_EMULATE;
}

/* Whether `def` describes every MSR of `e`: a single MSR it covers (its
 * address, or an array instance's), or a range of instances of a stride-1
 * array. */
static bool def_fits(const struct msr_virt_entry *e)
{
    const struct msr_def *def = e->def;

    if (e->first == e->last)
        return msr_virt_def_covers_(def, e->first);
    return def->stride == 1 && msr_virt_def_covers_(def, e->first) && msr_virt_def_covers_(def, e->last);
}

static int fail(struct msr_virt_policy_error *error, size_t entry, size_t other, const char *rule)
{
    if (error != NULL) {
        error->entry = entry;
        error->other = other;
        error->rule = rule;
    }
    return MSR_VIRT_ERR_POLICY;
}

/* Whether entries[0..i-1] together contain all of entries[i]; *by = an
 * earlier entry that contains its first MSR. */
static bool shadowed(const struct msr_virt_entry *entries, size_t i, size_t *by)
{
    uint32_t cursor = entries[i].first;
    bool first_found = false;

    for (;;) {
        size_t j;
        bool found = false;

        for (j = 0; j < i; j++) {
            if (cursor >= entries[j].first && cursor <= entries[j].last) {
                found = true;
                if (!first_found) {
                    *by = j;
                    first_found = true;
                }
                if (entries[j].last >= entries[i].last)
                    return true;
                cursor = entries[j].last + 1u; /* no wrap: last < entries[i].last <= UINT32_MAX */
                break;
            }
        }
        if (!found)
            return false;
    }
}

int msr_virt_policy_check(const struct msr_virt_policy *policy, struct msr_virt_policy_error *error)
{
    size_t i;

    if (error != NULL) {
        error->entry = MSR_VIRT_NO_ENTRY;
        error->other = MSR_VIRT_NO_ENTRY;
        error->rule = NULL;
    }
    if (policy == NULL) {
        fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY, "no policy (NULL)");
        return MSR_ERR_INVALID;
    }
    if (policy->entries == NULL && policy->count > 0) {
        fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY, "entries is NULL but count is not 0");
        return MSR_ERR_INVALID;
    }
    if (!valid_action(policy->default_read) || !valid_action(policy->default_write))
        return fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY, "a default action is outside enum msr_virt_action");
    if (policy->default_read == MSR_VIRT_FIXED || policy->default_write == MSR_VIRT_FIXED)
        return fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY,
                    "a default cannot be FIXED (a fixed value belongs to one register: give it an entry)");
    if ((policy->default_read == MSR_VIRT_EMULATE || policy->default_write == MSR_VIRT_EMULATE) &&
        !emulator_complete(policy->emulator))
        return fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY,
                    "an EMULATE default needs the policy's emulator with read and write callbacks");
    if (policy->emulator != NULL && !emulator_complete(policy->emulator))
        return fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY,
                    "the policy's emulator lacks its read or write callback");
    if (policy->spec == NULL && checked(policy->default_read, policy->default_write))
        return fail(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY,
                    "a PASS or EMULATE default needs the policy's spec to check the MSRs it covers (spec is "
                    "NULL: set it, e.g. to &msr_spec)");

    for (i = 0; i < policy->count; i++) {
        const struct msr_virt_entry *e = &policy->entries[i];
        size_t by = MSR_VIRT_NO_ENTRY;

        if (e->first > e->last)
            return fail(error, i, MSR_VIRT_NO_ENTRY, "first is above last");
        if (!valid_action(e->read) || !valid_action(e->write))
            return fail(error, i, MSR_VIRT_NO_ENTRY, "an action is outside enum msr_virt_action");
        if (e->flags & ~MSR_VIRT_ENTRY_FLAGS)
            return fail(error, i, MSR_VIRT_NO_ENTRY, "unknown flags");
        if ((e->read == MSR_VIRT_EMULATE || e->write == MSR_VIRT_EMULATE) &&
            !emulator_complete(e->emulator != NULL ? e->emulator : policy->emulator))
            return fail(error, i, MSR_VIRT_NO_ENTRY,
                        "EMULATE needs an emulator with read and write callbacks (the entry's or the policy's)");
        if (e->emulator != NULL && !emulator_complete(e->emulator))
            return fail(error, i, MSR_VIRT_NO_ENTRY, "the entry's emulator lacks its read or write callback");
        if (e->def != NULL && !def_fits(e))
            return fail(error, i, MSR_VIRT_NO_ENTRY,
                        e->first == e->last
                            ? "def describes other MSRs: a single-MSR entry must be the register's address or "
                              "one of its array instances'"
                            : "def on a range: every MSR of the range must be an instance of def, an array of "
                              "stride 1");
        if (e->def == NULL && policy->spec == NULL && !(e->flags & MSR_VIRT_NO_SPEC_CHECKS) &&
            checked(e->read, e->write))
            return fail(error, i, MSR_VIRT_NO_ENTRY,
                        "PASS or EMULATE with nothing to check against: the entry names no register (def) and "
                        "the policy's spec is NULL (set def or the policy's spec, or MSR_VIRT_NO_SPEC_CHECKS)");
        if (i > 0 && shadowed(policy->entries, i, &by))
            return fail(error, i, by,
                        "earlier entries contain every MSR of this one (the first match wins): it can never apply");
    }
    return MSR_OK;
}

static void put_entry(struct msr_vmx_fmt *f, const struct msr_virt_policy *policy, size_t index)
{
    msr_vmx_fmt_str(f, "entry ");
    msr_vmx_fmt_dec(f, index);
    if (policy != NULL && policy->entries != NULL && index < policy->count) {
        msr_vmx_fmt_str(f, " (");
        msr_vmx_fmt_hex(f, policy->entries[index].first);
        msr_vmx_fmt_str(f, "..");
        msr_vmx_fmt_hex(f, policy->entries[index].last);
        msr_vmx_fmt_str(f, ")");
    }
}

size_t msr_virt_policy_error_describe(const struct msr_virt_policy *policy, const struct msr_virt_policy_error *error,
                                      char *buf, size_t size)
{
    struct msr_vmx_fmt f;

    msr_vmx_fmt_init(&f, buf, size);
    if (error == NULL || error->rule == NULL)
        return msr_vmx_fmt_finish(&f);
    if (error->entry == MSR_VIRT_NO_ENTRY)
        msr_vmx_fmt_str(&f, "policy");
    else
        put_entry(&f, policy, error->entry);
    msr_vmx_fmt_str(&f, ": ");
    msr_vmx_fmt_str(&f, error->rule);
    if (error->other != MSR_VIRT_NO_ENTRY) {
        msr_vmx_fmt_str(&f, "; see ");
        put_entry(&f, policy, error->other);
    }
    msr_vmx_fmt_str(&f, "\n");
    return msr_vmx_fmt_finish(&f);
}
