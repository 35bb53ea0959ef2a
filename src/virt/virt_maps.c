/*
 * One policy, every intercept format: the VMX MSR bitmap, the SVM MSR
 * permission map (both through x86msr_vmx's range functions) and KVM's MSR
 * filter. Freestanding.
 */
#include "virt_internal.h"

static unsigned intercepts_of(enum msr_virt_action read, enum msr_virt_action write)
{
    return (read == MSR_VIRT_PASS ? 0u : (unsigned)MSR_VMX_INTERCEPT_READ) |
           (write == MSR_VIRT_PASS ? 0u : (unsigned)MSR_VMX_INTERCEPT_WRITE);
}

/* The map operations both builders share. */
struct map_ops {
    int (*set_range)(void *map, uint32_t first, uint32_t last, unsigned access);
    int (*clear_range)(void *map, uint32_t first, uint32_t last, unsigned access);
    int (*intercept_all)(void *map);
};

/* Applies one rule to [first, last]: intercepted accesses set, passed ones clear. */
static void apply(const struct map_ops *ops, void *map, uint32_t first, uint32_t last, enum msr_virt_action read,
                  enum msr_virt_action write)
{
    unsigned intercept = intercepts_of(read, write);
    unsigned pass = (unsigned)MSR_VMX_INTERCEPT_READ_WRITE & ~intercept;

    /* MSR_ERR_RANGE (no MSR of the rule inside the map) is expected. */
    if (intercept != 0)
        (void)ops->set_range(map, first, last, intercept);
    if (pass != 0)
        (void)ops->clear_range(map, first, last, pass);
}

static int build(const struct msr_virt_policy *policy, void *map, const struct map_ops *ops)
{
    size_t i;
    int status;

    if (policy == NULL || map == NULL)
        return MSR_ERR_INVALID;
    ops->intercept_all(map);
    status = msr_virt_policy_check(policy, NULL);
    if (status != MSR_OK)
        return status == MSR_ERR_INVALID ? MSR_ERR_INVALID : MSR_VIRT_ERR_POLICY;
    /* The defaults everywhere, then the entries from last to first, so the
     * first entry that contains an MSR is the one left standing. */
    apply(ops, map, 0, 0xFFFFFFFFu, policy->default_read, policy->default_write);
    for (i = policy->count; i-- > 0;) {
        const struct msr_virt_entry *e = &policy->entries[i];
        apply(ops, map, e->first, e->last, e->read, e->write);
    }
    return MSR_OK;
}

static int vmx_set(void *m, uint32_t f, uint32_t l, unsigned a)
{
    return msr_vmx_msr_bitmap_set_range((struct msr_vmx_msr_bitmap *)m, f, l, a);
}
static int vmx_clear(void *m, uint32_t f, uint32_t l, unsigned a)
{
    return msr_vmx_msr_bitmap_clear_range((struct msr_vmx_msr_bitmap *)m, f, l, a);
}
static int vmx_all(void *m)
{
    return msr_vmx_msr_bitmap_intercept_all((struct msr_vmx_msr_bitmap *)m);
}
static int svm_set(void *m, uint32_t f, uint32_t l, unsigned a)
{
    return msr_vmx_svm_msrpm_set_range((struct msr_vmx_svm_msrpm *)m, f, l, a);
}
static int svm_clear(void *m, uint32_t f, uint32_t l, unsigned a)
{
    return msr_vmx_svm_msrpm_clear_range((struct msr_vmx_svm_msrpm *)m, f, l, a);
}
static int svm_all(void *m)
{
    return msr_vmx_svm_msrpm_intercept_all((struct msr_vmx_svm_msrpm *)m);
}

int msr_virt_vmx_bitmap_build(const struct msr_virt_policy *policy, struct msr_vmx_msr_bitmap *bitmap)
{
    static const struct map_ops ops = { vmx_set, vmx_clear, vmx_all };
    return build(policy, bitmap, &ops);
}

int msr_virt_svm_msrpm_build(const struct msr_virt_policy *policy, struct msr_vmx_svm_msrpm *map)
{
    static const struct map_ops ops = { svm_set, svm_clear, svm_all };
    return build(policy, map, &ops);
}

/* ---- KVM_X86_SET_MSR_FILTER ---------------------------------------------- */

static bool passes(const struct msr_virt_policy *policy, uint32_t msr, unsigned access)
{
    return msr_virt_policy_action(policy, msr, access) == MSR_VIRT_PASS;
}

/* An entry whose actions differ from the filter's default in some direction:
 * its MSRs need a range. */
static bool interesting(const struct msr_virt_entry *e, bool default_allow)
{
    return (e->read == MSR_VIRT_PASS) != default_allow || (e->write == MSR_VIRT_PASS) != default_allow;
}

/* The lowest MSR >= from inside an interesting entry; false when none. */
static bool next_interesting(const struct msr_virt_policy *policy, bool default_allow, uint32_t from, uint32_t *msr)
{
    bool found = false;
    size_t i;

    for (i = 0; i < policy->count; i++) {
        const struct msr_virt_entry *e = &policy->entries[i];
        uint32_t candidate;

        if (!interesting(e, default_allow) || e->last < from)
            continue;
        candidate = e->first > from ? e->first : from;
        if (!found || candidate < *msr) {
            *msr = candidate;
            found = true;
        }
    }
    return found;
}

/* The highest MSR in [lo, hi] inside an interesting entry (one exists: lo is). */
static uint32_t last_interesting(const struct msr_virt_policy *policy, bool default_allow, uint32_t lo, uint32_t hi)
{
    uint32_t best = lo;
    size_t i;

    for (i = 0; i < policy->count; i++) {
        const struct msr_virt_entry *e = &policy->entries[i];
        uint32_t candidate;

        if (!interesting(e, default_allow) || e->last < lo || e->first > hi)
            continue;
        candidate = e->last < hi ? e->last : hi;
        if (candidate > best)
            best = candidate;
    }
    return best;
}

static void zero_bytes(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = 0;
}

static void zero_filter(struct msr_virt_kvm_filter *filter)
{
    unsigned r;

    filter->flags = 0;
    for (r = 0; r < MSR_VIRT_KVM_MAX_RANGES; r++) {
        filter->ranges[r].flags = 0;
        filter->ranges[r].nmsrs = 0;
        filter->ranges[r].base = 0;
        filter->ranges[r].bitmap = NULL;
    }
}

/* Bytes of a bitmap for n MSRs, rounded up to whole 64-bit words (KVM
 * copies BITS_TO_LONGS(n) longs). */
static size_t bitmap_bytes(uint32_t n)
{
    return ((size_t)n + 63u) / 64u * 8u;
}

struct kvm_builder {
    const struct msr_virt_policy *policy;
    struct msr_virt_kvm_filter *filter;
    uint8_t *storage;
    size_t storage_size, used;
    unsigned ranges;
};

/* Sets bits [from, to] of `bitmap` to `on`. */
static void paint_bits(uint8_t *bitmap, uint32_t from, uint32_t to, bool on)
{
    uint32_t k = from;

    for (; k <= to && k % 8u != 0; k++)
        bitmap[k / 8u] = (uint8_t)(on ? bitmap[k / 8u] | (1u << (k % 8u)) : bitmap[k / 8u] & ~(1u << (k % 8u)));
    for (; k + 7u <= to; k += 8u)
        bitmap[k / 8u] = on ? 0xFFu : 0u;
    for (; k <= to; k++)
        bitmap[k / 8u] = (uint8_t)(on ? bitmap[k / 8u] | (1u << (k % 8u)) : bitmap[k / 8u] & ~(1u << (k % 8u)));
}

/* Bit k of `bitmap` = whether `access` of MSR base + k passes: the default,
 * then the entries from last to first painted over it (the first entry
 * that contains an MSR paints last), each over its part of the range. */
static void paint(const struct msr_virt_policy *policy, uint8_t *bitmap, uint32_t base, uint32_t n, unsigned access)
{
    uint32_t last = base + (n - 1u);
    size_t i;

    paint_bits(bitmap, 0, n - 1u,
               (access == MSR_VMX_INTERCEPT_READ ? policy->default_read : policy->default_write) == MSR_VIRT_PASS);
    for (i = policy->count; i-- > 0;) {
        const struct msr_virt_entry *e = &policy->entries[i];
        enum msr_virt_action a = access == MSR_VMX_INTERCEPT_READ ? e->read : e->write;

        if (e->last < base || e->first > last)
            continue;
        paint_bits(bitmap, (e->first > base ? e->first : base) - base, (e->last < last ? e->last : last) - base,
                   a == MSR_VIRT_PASS);
    }
}

/* Adds a range [base, base + n) for `flags`, its bits from `access`
 * (MSR_VMX_INTERCEPT_NONE: none set). */
static int add_range(struct kvm_builder *b, uint32_t base, uint32_t n, uint32_t flags, unsigned access)
{
    size_t bytes = bitmap_bytes(n);
    uint8_t *bitmap;

    if (b->ranges >= MSR_VIRT_KVM_MAX_RANGES || b->storage_size - b->used < bytes)
        return MSR_VIRT_ERR_FULL;
    bitmap = b->storage + b->used;
    b->used += bytes;
    zero_bytes(bitmap, bytes);
    if (access != MSR_VMX_INTERCEPT_NONE)
        paint(b->policy, bitmap, base, n, access);
    b->filter->ranges[b->ranges].flags = flags;
    b->filter->ranges[b->ranges].nmsrs = n;
    b->filter->ranges[b->ranges].base = base;
    b->filter->ranges[b->ranges].bitmap = bitmap;
    b->ranges++;
    return MSR_OK;
}

/* Whether reads and writes of [base, base + n) get the same bits: both
 * painted into the free storage when it has room for two bitmaps (else MSR
 * by MSR through the first-match lookup). */
static bool directions_agree(const struct kvm_builder *b, uint32_t base, uint32_t n)
{
    size_t bytes = bitmap_bytes(n), k;
    uint32_t m;

    if (b->storage_size - b->used >= 2 * bytes) {
        uint8_t *reads = b->storage + b->used, *writes = reads + bytes;
        zero_bytes(reads, 2 * bytes);
        paint(b->policy, reads, base, n, MSR_VMX_INTERCEPT_READ);
        paint(b->policy, writes, base, n, MSR_VMX_INTERCEPT_WRITE);
        for (k = 0; k < bytes; k++)
            if (reads[k] != writes[k])
                return false;
        return true;
    }
    for (m = 0; m < n; m++)
        if (passes(b->policy, base + m, MSR_VMX_INTERCEPT_READ) != passes(b->policy, base + m, MSR_VMX_INTERCEPT_WRITE))
            return false;
    return true;
}

int msr_virt_kvm_filter_build(const struct msr_virt_policy *policy, struct msr_virt_kvm_filter *filter,
                              uint8_t *storage, size_t storage_size, size_t *ranges_used)
{
    struct kvm_builder b;
    bool default_allow;
    uint32_t cursor = 0;
    int status;

    if (ranges_used != NULL)
        *ranges_used = 0;
    if (filter == NULL)
        return MSR_ERR_INVALID;
    zero_filter(filter);
    if (policy == NULL || (storage == NULL && storage_size > 0))
        return MSR_ERR_INVALID;
    status = msr_virt_policy_check(policy, NULL);
    if (status != MSR_OK)
        return status == MSR_ERR_INVALID ? MSR_ERR_INVALID : MSR_VIRT_ERR_POLICY;

    default_allow = policy->default_read == MSR_VIRT_PASS && policy->default_write == MSR_VIRT_PASS;
    b.policy = policy;
    b.filter = filter;
    b.storage = storage;
    b.storage_size = storage != NULL ? storage_size : 0;
    b.used = 0;
    b.ranges = 0;
    filter->flags = default_allow ? MSR_VIRT_KVM_FILTER_DEFAULT_ALLOW : MSR_VIRT_KVM_FILTER_DEFAULT_DENY;

    while (next_interesting(policy, default_allow, cursor, &cursor)) {
        /* A window of at most MAX_RANGE_MSRS from the first MSR that needs
         * one, trimmed to the last MSR inside it that needs one. */
        uint32_t room = MSR_VIRT_KVM_MAX_RANGE_MSRS - 1u;
        uint32_t hi = cursor > 0xFFFFFFFFu - room ? 0xFFFFFFFFu : cursor + room;
        uint32_t last = last_interesting(policy, default_allow, cursor, hi);
        uint32_t n = last - cursor + 1u;

        if (directions_agree(&b, cursor, n)) {
            status = add_range(&b, cursor, n, MSR_VIRT_KVM_FILTER_READ | MSR_VIRT_KVM_FILTER_WRITE,
                               MSR_VMX_INTERCEPT_READ);
        } else {
            status = add_range(&b, cursor, n, MSR_VIRT_KVM_FILTER_READ, MSR_VMX_INTERCEPT_READ);
            if (status == MSR_OK)
                status = add_range(&b, cursor, n, MSR_VIRT_KVM_FILTER_WRITE, MSR_VMX_INTERCEPT_WRITE);
        }
        if (status != MSR_OK) {
            zero_filter(filter);
            return status;
        }
        if (last == 0xFFFFFFFFu)
            break;
        cursor = last + 1u;
    }

    /* KVM refuses DEFAULT_DENY with every range empty: one MSR that denies
     * both directions (access NONE: no bit set), as the default already
     * does. Its bits must not come from the policy: with a PASS default read
     * and a DENY default write, a bit from the read side would let writes
     * of MSR 0 stay in the kernel. */
    if (b.ranges == 0 && !default_allow) {
        status = add_range(&b, 0, 1, MSR_VIRT_KVM_FILTER_READ | MSR_VIRT_KVM_FILTER_WRITE, MSR_VMX_INTERCEPT_NONE);
        if (status != MSR_OK) {
            zero_filter(filter);
            return status;
        }
    }
    if (ranges_used != NULL)
        *ranges_used = b.ranges;
    return MSR_OK;
}

bool msr_virt_kvm_filter_allows(const struct msr_virt_kvm_filter *filter, uint32_t msr, unsigned access)
{
    uint32_t type;
    unsigned r;

    if (filter == NULL || (access != MSR_VMX_INTERCEPT_READ && access != MSR_VMX_INTERCEPT_WRITE))
        return false;
    /* KVM never filters the x2APIC MSRs. */
    if (msr >= 0x800u && msr <= 0x8FFu)
        return true;
    type = access == MSR_VMX_INTERCEPT_READ ? MSR_VIRT_KVM_FILTER_READ : MSR_VIRT_KVM_FILTER_WRITE;
    for (r = 0; r < MSR_VIRT_KVM_MAX_RANGES; r++) {
        const struct msr_virt_kvm_range *range = &filter->ranges[r];
        uint32_t k;

        if (!(range->flags & type) || range->nmsrs == 0 || msr < range->base || msr - range->base >= range->nmsrs)
            continue;
        if (range->bitmap == NULL)
            return false;
        k = msr - range->base;
        return (range->bitmap[k / 8u] >> (k % 8u)) & 1u;
    }
    return !(filter->flags & MSR_VIRT_KVM_FILTER_DEFAULT_DENY);
}
