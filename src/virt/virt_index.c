/*
 * The policy indexed: its first-match rule flattened into disjoint intervals,
 * each with the entry that decides it, so one lookup is a binary search. The
 * builder also checks the policy, in O(N log N) whatever the order of its
 * entries: an entry that decides no interval is one earlier entries shadow.
 * Freestanding; the caller's storage holds the intervals and, while they are
 * built, the sort order and the heap (the last `count` intervals).
 */
#include "virt_internal.h"

/* Scratch in the storage's tail: scratch[k].first = the k-th entry by first
 * MSR, scratch[k].last = heap slot k, scratch[e].entry = entry e decides an
 * interval. */
struct sweep {
    const struct msr_virt_entry *entries;
    struct msr_virt_interval *scratch;
    size_t heap_size;
};

static bool starts_before(const struct msr_virt_entry *entries, uint32_t a, uint32_t b)
{
    return entries[a].first < entries[b].first || (entries[a].first == entries[b].first && a < b);
}

static void sift_down_order(const struct msr_virt_entry *entries, struct msr_virt_interval *s, size_t i, size_t n)
{
    for (;;) {
        size_t child = 2 * i + 1, big = i;
        uint32_t tmp;

        if (child < n && starts_before(entries, s[big].first, s[child].first))
            big = child;
        if (child + 1 < n && starts_before(entries, s[big].first, s[child + 1].first))
            big = child + 1;
        if (big == i)
            return;
        tmp = s[i].first;
        s[i].first = s[big].first;
        s[big].first = tmp;
        i = big;
    }
}

/* Heapsort of the entries 0..n-1 by first MSR (then index) into scratch[].first. */
static void sort_by_first(const struct msr_virt_entry *entries, struct msr_virt_interval *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        s[i].first = (uint32_t)i;
    for (i = n / 2; i-- > 0;)
        sift_down_order(entries, s, i, n);
    for (i = n; i-- > 1;) {
        uint32_t tmp = s[0].first;
        s[0].first = s[i].first;
        s[i].first = tmp;
        sift_down_order(entries, s, 0, i);
    }
}

/* The min-heap of the entries that contain the sweep's position (and some
 * that ended: removed when they reach the top), by index: its top decides. */
static void heap_push(struct sweep *w, uint32_t entry)
{
    struct msr_virt_interval *h = w->scratch;
    size_t i = w->heap_size++;

    while (i > 0 && h[(i - 1) / 2].last > entry) {
        h[i].last = h[(i - 1) / 2].last;
        i = (i - 1) / 2;
    }
    h[i].last = entry;
}

static void heap_pop(struct sweep *w)
{
    struct msr_virt_interval *h = w->scratch;
    uint32_t moved = h[--w->heap_size].last;
    size_t i = 0;

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= w->heap_size)
            break;
        if (child + 1 < w->heap_size && h[child + 1].last < h[child].last)
            child++;
        if (h[child].last >= moved)
            break;
        h[i].last = h[child].last;
        i = child;
    }
    if (w->heap_size > 0)
        h[i].last = moved;
}

/* Flattens entries 0..n-1 into out[] (at most 2n intervals); returns how many. */
static size_t flatten(struct sweep *w, size_t n, struct msr_virt_interval *out)
{
    const struct msr_virt_entry *e = w->entries;
    struct msr_virt_interval *s = w->scratch;
    size_t k = 0, count = 0;
    uint64_t at = 0; /* the sweep's position; 64 bits: it passes UINT32_MAX at the end */

    w->heap_size = 0;
    while (k < n || w->heap_size > 0) {
        uint32_t owner;
        uint64_t end;

        if (w->heap_size == 0)
            at = e[s[k].first].first;
        while (k < n && e[s[k].first].first <= at)
            heap_push(w, s[k++].first);
        while (w->heap_size > 0 && e[s[0].last].last < at)
            heap_pop(w);
        if (w->heap_size == 0)
            continue;
        owner = s[0].last;
        end = e[owner].last;
        if (k < n && (uint64_t)e[s[k].first].first - 1u < end)
            end = (uint64_t)e[s[k].first].first - 1u; /* an entry starts: it may come first */
        if (count > 0 && out[count - 1].entry == owner && (uint64_t)out[count - 1].last + 1u == at) {
            out[count - 1].last = (uint32_t)end;
        } else {
            out[count].first = (uint32_t)at;
            out[count].last = (uint32_t)end;
            out[count].entry = owner;
            count++;
        }
        s[owner].entry = 1;
        at = end + 1u;
    }
    return count;
}

const struct msr_virt_entry *msr_virt_policy_index_lookup(const struct msr_virt_policy_index *index, uint32_t msr)
{
    const struct msr_virt_interval *iv;
    size_t lo = 0, hi;

    if (index == NULL || index->policy == NULL)
        return NULL;
    iv = index->intervals;
    hi = index->count;
    while (lo < hi) { /* the first interval that ends at or after msr */
        size_t mid = lo + (hi - lo) / 2;
        if (iv[mid].last < msr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < index->count && iv[lo].first <= msr ? &index->policy->entries[iv[lo].entry] : NULL;
}

int msr_virt_policy_index_build(const struct msr_virt_policy *policy, struct msr_virt_interval *storage,
                                size_t capacity, struct msr_virt_policy_index *index,
                                struct msr_virt_policy_error *error)
{
    struct sweep w;
    struct msr_virt_policy_index built;
    size_t n, valid, i;
    const char *rule = NULL;
    int status;

    if (index != NULL) {
        index->policy = NULL;
        index->intervals = storage;
        index->count = 0;
    }
    status = msr_virt_policy_start_(policy, error);
    if (status == MSR_ERR_INVALID || index == NULL || storage == NULL)
        return MSR_ERR_INVALID;
    if (status != MSR_OK)
        return status;
    n = policy->count;
    if (n > 0xFFFFFFFFu - 1u || capacity < MSR_VIRT_POLICY_INDEX_CAPACITY(n))
        return MSR_VIRT_ERR_FULL;

    /* The entries before the first that breaks a rule of its own: the
     * shadow check of msr_virt_policy_check() reaches only those. */
    for (valid = 0; valid < n && rule == NULL; valid++)
        rule = msr_virt_entry_rule_(policy, valid);
    if (rule != NULL)
        valid--;
    w.entries = policy->entries;
    w.scratch = storage + capacity - (n > 0 ? n : 1);
    for (i = 0; i < valid; i++)
        w.scratch[i].entry = 0;
    sort_by_first(policy->entries, w.scratch, valid);
    built.policy = policy;
    built.intervals = storage;
    built.count = flatten(&w, valid, storage);

    for (i = 1; i < valid; i++)
        if (!w.scratch[i].entry) {
            const struct msr_virt_entry *by = msr_virt_policy_index_lookup(&built, policy->entries[i].first);
            return msr_virt_policy_fail_(error, i, (size_t)(by - policy->entries), msr_virt_shadowed_rule_);
        }
    if (rule != NULL)
        return msr_virt_policy_fail_(error, valid, MSR_VIRT_NO_ENTRY, rule);
    *index = built;
    return MSR_OK;
}
