/*
 * The policy table: validation, lookup (first match wins), error text.
 * Freestanding.
 */
#include "virt_internal.h"

/* The VMX helpers' private formatter, by a path relative to this file: the
 * same in the repository, the install tree and a Kbuild module's copy. */
#include "../vmx/vmx_format.h"

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

int msr_virt_policy_fail_(struct msr_virt_policy_error *error, size_t entry, size_t other, const char *rule)
{
    if (error != NULL) {
        error->entry = entry;
        error->other = other;
        error->rule = rule;
    }
    return MSR_VIRT_ERR_POLICY;
}

int msr_virt_policy_start_(const struct msr_virt_policy *policy, struct msr_virt_policy_error *error)
{
    const char *rule;

    if (error != NULL) {
        error->entry = MSR_VIRT_NO_ENTRY;
        error->other = MSR_VIRT_NO_ENTRY;
        error->rule = NULL;
    }
    if (policy == NULL) {
        msr_virt_policy_fail_(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY, "no policy (NULL)");
        return MSR_ERR_INVALID;
    }
    if (policy->entries == NULL && policy->count > 0) {
        msr_virt_policy_fail_(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY, "entries is NULL but count is not 0");
        return MSR_ERR_INVALID;
    }
    rule = !valid_action(policy->default_read) || !valid_action(policy->default_write)
               ? "a default action is outside enum msr_virt_action"
           : policy->default_read == MSR_VIRT_FIXED || policy->default_write == MSR_VIRT_FIXED
               ? "a default cannot be FIXED (a fixed value belongs to one register: give it an entry)"
           : (policy->default_read == MSR_VIRT_EMULATE || policy->default_write == MSR_VIRT_EMULATE) &&
                     !emulator_complete(policy->emulator)
               ? "an EMULATE default needs the policy's emulator with read and write callbacks"
           : policy->emulator != NULL && !emulator_complete(policy->emulator)
               ? "the policy's emulator lacks its read or write callback"
           : policy->spec == NULL && checked(policy->default_read, policy->default_write)
               ? "a PASS or EMULATE default needs the policy's spec to check the MSRs it covers (spec is "
                 "NULL: set it, e.g. to &msr_spec)"
               : NULL;
    return rule != NULL ? msr_virt_policy_fail_(error, MSR_VIRT_NO_ENTRY, MSR_VIRT_NO_ENTRY, rule) : MSR_OK;
}

const char *msr_virt_entry_rule_(const struct msr_virt_policy *policy, size_t i)
{
    const struct msr_virt_entry *e = &policy->entries[i];

    if (e->first > e->last)
        return "first is above last";
    if (!valid_action(e->read) || !valid_action(e->write))
        return "an action is outside enum msr_virt_action";
    if (e->flags & ~MSR_VIRT_ENTRY_FLAGS)
        return "unknown flags";
    if ((e->read == MSR_VIRT_EMULATE || e->write == MSR_VIRT_EMULATE) &&
        !emulator_complete(e->emulator != NULL ? e->emulator : policy->emulator))
        return "EMULATE needs an emulator with read and write callbacks (the entry's or the policy's)";
    if (e->emulator != NULL && !emulator_complete(e->emulator))
        return "the entry's emulator lacks its read or write callback";
    if (e->def != NULL && !def_fits(e))
        return e->first == e->last ? "def describes other MSRs: a single-MSR entry must be the register's address "
                                     "or one of its array instances'"
                                   : "def on a range: every MSR of the range must be an instance of def, an array "
                                     "of stride 1";
    if (e->def == NULL && policy->spec == NULL && !(e->flags & MSR_VIRT_NO_SPEC_CHECKS) && checked(e->read, e->write))
        return "PASS or EMULATE with nothing to check against: the entry names no register (def) and the policy's "
               "spec is NULL (set def or the policy's spec, or MSR_VIRT_NO_SPEC_CHECKS)";
    return NULL;
}

const char *const msr_virt_shadowed_rule_ =
    "earlier entries contain every MSR of this one (the first match wins): it can never apply";

/*
 * Shadowed entries. An entry can never apply when earlier ones contain all its
 * MSRs. The check keeps no table (it has no storage): it splits the entries
 * into runs, each in ascending address order with no overlap inside (a table
 * sorted by address is one run; exceptions put before a range start a new
 * one). An entry's own run holds nothing at or above its first MSR before it,
 * so only the earlier runs can cover it, and each run is searched by binary
 * search. With at most MAX_RUNS runs that is O(N log N) for N entries; more
 * runs fall back to scanning every earlier entry, O(N^2).
 * msr_virt_policy_index_build() checks any order in O(N log N) with storage.
 */
#define MAX_RUNS 32

struct runs {
    size_t start[MAX_RUNS + 1]; /* run r is entries start[r] .. start[r + 1] - 1 */
    size_t count;               /* 0: too many runs */
};

static void find_runs(const struct msr_virt_entry *entries, size_t n, struct runs *runs)
{
    size_t i;

    runs->count = 0;
    if (n == 0)
        return;
    runs->start[runs->count++] = 0;
    for (i = 1; i < n; i++) {
        if (entries[i].first > entries[i - 1].last && entries[i - 1].first <= entries[i - 1].last)
            continue;
        if (runs->count == MAX_RUNS) {
            runs->count = 0;
            return;
        }
        runs->start[runs->count++] = i;
    }
    runs->start[runs->count] = n;
}

/* The entry of run [lo, hi) that contains `msr`, or `hi` (an ascending run:
 * the last whose first MSR is at or below msr is the only candidate). */
static size_t run_find(const struct msr_virt_entry *entries, size_t lo, size_t hi, uint32_t msr)
{
    size_t a = lo, b = hi;

    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (entries[mid].first <= msr)
            a = mid + 1;
        else
            b = mid;
    }
    return a > lo && entries[a - 1].last >= msr ? a - 1 : hi;
}

/* The earlier entry of the lowest index that contains `msr` and, of those
 * containing it, the highest last MSR; false when none does. */
static bool covered_at(const struct msr_virt_entry *entries, size_t i, const struct runs *runs, uint32_t msr,
                       size_t *lowest, uint32_t *reach)
{
    bool found = false;
    size_t r, j;

    if (runs->count == 0) {
        for (j = 0; j < i; j++)
            if (msr >= entries[j].first && msr <= entries[j].last) {
                if (!found)
                    *lowest = j;
                if (!found || entries[j].last > *reach)
                    *reach = entries[j].last;
                found = true;
            }
        return found;
    }
    for (r = 0; r < runs->count && runs->start[r + 1] <= i; r++) {
        j = run_find(entries, runs->start[r], runs->start[r + 1], msr);
        if (j == runs->start[r + 1])
            continue;
        if (!found)
            *lowest = j;
        if (!found || entries[j].last > *reach)
            *reach = entries[j].last;
        found = true;
    }
    return found;
}

/* Whether entries[0..i-1] together contain all of entries[i]; *by = the
 * earlier entry of the lowest index that contains its first MSR. */
static bool shadowed(const struct msr_virt_entry *entries, size_t i, const struct runs *runs, size_t *by)
{
    uint32_t cursor = entries[i].first, reach = 0;
    size_t lowest = MSR_VIRT_NO_ENTRY;

    if (!covered_at(entries, i, runs, cursor, by, &reach))
        return false;
    for (;;) {
        if (reach >= entries[i].last)
            return true;
        cursor = reach + 1u; /* no wrap: reach < entries[i].last <= UINT32_MAX */
        if (!covered_at(entries, i, runs, cursor, &lowest, &reach))
            return false;
    }
}

int msr_virt_policy_check(const struct msr_virt_policy *policy, struct msr_virt_policy_error *error)
{
    struct runs runs;
    size_t i;
    int status = msr_virt_policy_start_(policy, error);

    if (status != MSR_OK)
        return status;
    find_runs(policy->entries, policy->count, &runs);
    for (i = 0; i < policy->count; i++) {
        const char *rule = msr_virt_entry_rule_(policy, i);
        size_t by = MSR_VIRT_NO_ENTRY;

        if (rule != NULL)
            return msr_virt_policy_fail_(error, i, MSR_VIRT_NO_ENTRY, rule);
        if (i > 0 && shadowed(policy->entries, i, &runs, &by))
            return msr_virt_policy_fail_(error, i, by, msr_virt_shadowed_rule_);
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
