/*
 * One policy, every intercept format: the VMX MSR bitmap, the SVM MSR
 * permission map and KVM's MSR filter agree with the policy for every MSR of
 * the spec (msr_spec) and at every range edge (first/last MSR of each policy
 * entry, of each map's covered ranges and of each KVM range, and the MSRs
 * just outside them). Where a format cannot express PASS (outside the
 * VMX/SVM ranges; KVM with mixed defaults outside its ranges) it must
 * intercept: never less than the policy, only ever more. KVM never filters
 * x2APIC MSRs (800H-8FFH): that exception is asserted as such.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<linux/kvm.h>)
#include <linux/kvm.h>
#include <stddef.h>
#define HAVE_LINUX_KVM_H 1
#endif
#endif

#include "virt_fixture.h"

#ifdef HAVE_LINUX_KVM_H
/* The layout promise of virt.h, against the kernel's own header. */
MSR_STATIC_ASSERT(sizeof(struct msr_virt_kvm_range) == sizeof(struct kvm_msr_filter_range), kvm_range_size);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_kvm_range, flags) == offsetof(struct kvm_msr_filter_range, flags), kvm_range_flags);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_kvm_range, nmsrs) == offsetof(struct kvm_msr_filter_range, nmsrs), kvm_range_nmsrs);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_kvm_range, base) == offsetof(struct kvm_msr_filter_range, base), kvm_range_base);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_kvm_range, bitmap) == offsetof(struct kvm_msr_filter_range, bitmap), kvm_range_bitmap);
MSR_STATIC_ASSERT(sizeof(struct msr_virt_kvm_filter) == sizeof(struct kvm_msr_filter), kvm_filter_size);
MSR_STATIC_ASSERT(offsetof(struct msr_virt_kvm_filter, ranges) == offsetof(struct kvm_msr_filter, ranges), kvm_filter_ranges);
MSR_STATIC_ASSERT(MSR_VIRT_KVM_FILTER_READ == KVM_MSR_FILTER_READ, kvm_read);
MSR_STATIC_ASSERT(MSR_VIRT_KVM_FILTER_WRITE == KVM_MSR_FILTER_WRITE, kvm_write);
MSR_STATIC_ASSERT(MSR_VIRT_KVM_FILTER_DEFAULT_DENY == KVM_MSR_FILTER_DEFAULT_DENY, kvm_deny);
MSR_STATIC_ASSERT(MSR_VIRT_KVM_MAX_RANGES == KVM_MSR_FILTER_MAX_RANGES, kvm_ranges);
#ifdef KVM_MSR_FILTER_MAX_BITMAP_SIZE
MSR_STATIC_ASSERT(MSR_VIRT_KVM_MAX_BITMAP_BYTES == KVM_MSR_FILTER_MAX_BITMAP_SIZE, kvm_bitmap_size);
#endif
#endif

static const struct msr_virt_entry vmm_entries[] = {
    /* exceptions first (first match wins) */
    MSR_VIRT_ONE(0x830, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),          /* x2APIC ICR inside the x2APIC range */
    MSR_VIRT_ONE(0xC0000080, MSR_VIRT_PASS, MSR_VIRT_EMULATE),        /* EFER: reads pass, writes checked */
    MSR_VIRT_RANGE(0x800, 0x8FF, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_RANGE(0xC0000081, 0xC0000084, MSR_VIRT_PASS, MSR_VIRT_PASS), /* SYSCALL MSRs */
    MSR_VIRT_RANGE(0xC0000100, 0xC0000102, MSR_VIRT_PASS, MSR_VIRT_PASS), /* FS/GS/KERNEL_GS base */
    MSR_VIRT_ONE(0x10, MSR_VIRT_PASS, MSR_VIRT_EMULATE),              /* TSC */
    MSR_VIRT_ONE(0x1A0, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),          /* MISC_ENABLE */
    MSR_VIRT_CONSTANT(0x17, UINT64_C(0x0012000000000000)),            /* PLATFORM_ID */
    MSR_VIRT_ONE(0x277, MSR_VIRT_PASS, MSR_VIRT_PASS),                /* PAT, a hole in the MTRR range */
    MSR_VIRT_RANGE(0x200, 0x2FF, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE), /* MTRRs */
    MSR_VIRT_RANGE(0x1F00, 0x2100, MSR_VIRT_PASS, MSR_VIRT_DENY),     /* crosses the end of the low ranges */
    MSR_VIRT_RANGE(0xC0001FF0, 0xC0010010, MSR_VIRT_IGNORE, MSR_VIRT_PASS), /* crosses two map ranges */
    MSR_VIRT_RANGE(0xC0011FFE, 0xC0012001, MSR_VIRT_PASS, MSR_VIRT_PASS),   /* end of the SVM range */
    MSR_VIRT_RANGE(0x40000000, 0x400000FF, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE), /* hypervisor range */
    MSR_VIRT_ONE(0xFFFFFFFFu, MSR_VIRT_PASS, MSR_VIRT_PASS),          /* the last MSR */
};
#define N_VMM (sizeof vmm_entries / sizeof vmm_entries[0])

/* The inverse: allow by default, carve out what VMMs intercept. */
static const struct msr_virt_entry allow_entries[] = {
    MSR_VIRT_ONE(0x3A, MSR_VIRT_FIXED, MSR_VIRT_DENY),                /* FEATURE_CONTROL */
    MSR_VIRT_RANGE(0x480, 0x493, MSR_VIRT_DENY, MSR_VIRT_DENY),       /* VMX capabilities */
    MSR_VIRT_ONE(0xC0000080, MSR_VIRT_PASS, MSR_VIRT_EMULATE),
    MSR_VIRT_RANGE(0xC0010000, 0xC0010200, MSR_VIRT_EMULATE, MSR_VIRT_PASS),
    MSR_VIRT_ONE(0, MSR_VIRT_DENY, MSR_VIRT_PASS),                    /* the first MSR */
};
#define N_ALLOW (sizeof allow_entries / sizeof allow_entries[0])

struct points {
    uint32_t msr[4096];
    size_t n;
};

static void add(struct points *p, uint32_t msr)
{
    ck_assert_uint_lt(p->n, sizeof p->msr / sizeof p->msr[0]);
    p->msr[p->n++] = msr;
}

static void add_edges(struct points *p, uint32_t first, uint32_t last)
{
    add(p, first);
    add(p, last);
    add(p, first - 1u); /* wraps at 0: 0xFFFFFFFF, also an edge */
    add(p, last + 1u);
}

static void collect(struct points *p, const struct msr_virt_policy *policy, const struct msr_virt_kvm_filter *kvm)
{
    const struct msr_vmx_msr_range *r;
    size_t i, n;

    p->n = 0;
    for (i = 0; i < msr_spec.instance_count; i++)
        add(p, msr_spec.instances[i].address);
    for (i = 0; i < policy->count; i++)
        add_edges(p, policy->entries[i].first, policy->entries[i].last);
    n = msr_vmx_msr_bitmap_ranges(&r);
    for (i = 0; i < n; i++)
        add_edges(p, r[i].first, r[i].last);
    n = msr_vmx_svm_msrpm_ranges(&r);
    for (i = 0; i < n; i++)
        add_edges(p, r[i].first, r[i].last);
    for (i = 0; i < MSR_VIRT_KVM_MAX_RANGES; i++)
        if (kvm->ranges[i].nmsrs != 0)
            add_edges(p, kvm->ranges[i].base, kvm->ranges[i].base + kvm->ranges[i].nmsrs - 1u);
}

static bool in_kvm_range(const struct msr_virt_kvm_filter *kvm, uint32_t msr, uint32_t type)
{
    size_t i;

    for (i = 0; i < MSR_VIRT_KVM_MAX_RANGES; i++)
        if ((kvm->ranges[i].flags & type) && kvm->ranges[i].nmsrs != 0 && msr >= kvm->ranges[i].base &&
            msr - kvm->ranges[i].base < kvm->ranges[i].nmsrs)
            return true;
    return false;
}

static uint8_t storage[MSR_VIRT_KVM_STORAGE_BYTES];

/* Builds the three formats and checks every point; returns points checked. */
static size_t check_agreement(const struct msr_virt_policy *policy, bool expect_kvm_exact)
{
    static struct msr_vmx_msr_bitmap vmx;
    static struct msr_vmx_svm_msrpm svm;
    static struct msr_virt_kvm_filter kvm;
    static struct points pts;
    static const unsigned dirs[2] = { MSR_VMX_INTERCEPT_READ, MSR_VMX_INTERCEPT_WRITE };
    bool mixed = (policy->default_read == MSR_VIRT_PASS) != (policy->default_write == MSR_VIRT_PASS);
    size_t i, used = 0, checked = 0;

    ck_assert_int_eq(msr_virt_vmx_bitmap_build(policy, &vmx), MSR_OK);
    ck_assert_int_eq(msr_virt_svm_msrpm_build(policy, &svm), MSR_OK);
    ck_assert_int_eq(msr_virt_kvm_filter_build(policy, &kvm, storage, sizeof storage, &used), MSR_OK);
    ck_assert_uint_ge(used, 1);
    collect(&pts, policy, &kvm);

    for (i = 0; i < pts.n; i++) {
        uint32_t m = pts.msr[i];
        unsigned vmx_icpt, svm_icpt, d;
        int vmx_st = msr_vmx_msr_bitmap_query(&vmx, m, &vmx_icpt);
        int svm_st = msr_vmx_svm_msrpm_query(&svm, m, &svm_icpt);

        ck_assert(vmx_st == MSR_OK || vmx_st == MSR_ERR_RANGE);
        ck_assert(svm_st == MSR_OK || svm_st == MSR_ERR_RANGE);
        for (d = 0; d < 2; d++) {
            bool pass = msr_virt_policy_action(policy, m, dirs[d]) == MSR_VIRT_PASS;
            bool kvm_allows = msr_virt_kvm_filter_allows(&kvm, m, dirs[d]);
            uint32_t type = dirs[d] == MSR_VMX_INTERCEPT_READ ? MSR_VIRT_KVM_FILTER_READ : MSR_VIRT_KVM_FILTER_WRITE;

            /* VMX and SVM: exact inside their ranges, intercept outside. */
            if (vmx_st == MSR_OK)
                ck_assert_msg(((vmx_icpt & dirs[d]) == 0) == pass, "VMX bitmap disagrees at %#x dir %u", m, d);
            else
                ck_assert_msg((vmx_icpt & dirs[d]) != 0, "VMX passes %#x outside its ranges", m);
            if (svm_st == MSR_OK)
                ck_assert_msg(((svm_icpt & dirs[d]) == 0) == pass, "SVM map disagrees at %#x dir %u", m, d);
            else
                ck_assert_msg((svm_icpt & dirs[d]) != 0, "SVM passes %#x outside its ranges", m);

            /* KVM: x2APIC is never filtered; elsewhere exact, except with
             * mixed defaults outside the ranges, where it may only intercept. */
            if (m >= 0x800 && m <= 0x8FF)
                ck_assert(kvm_allows);
            else if (mixed && !in_kvm_range(&kvm, m, type))
                ck_assert_msg(!kvm_allows, "KVM allows %#x the policy does not pass", m);
            else
                ck_assert_msg(kvm_allows == pass, "KVM filter disagrees at %#x dir %u", m, d);
            if (expect_kvm_exact && !(m >= 0x800 && m <= 0x8FF))
                ck_assert_msg(kvm_allows == pass, "KVM filter not exact at %#x", m);
            checked++;
        }
    }
    return checked;
}

START_TEST(agree_default_deny)
{
    const struct msr_virt_policy p = { vmm_entries, N_VMM, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    size_t n = check_agreement(&p, true);
    printf("default deny: %zu (MSR, access) points agree in all three formats\n", n);
    ck_assert_uint_gt(n, 2 * msr_spec.instance_count);
}
END_TEST

START_TEST(agree_default_pass)
{
    const struct msr_virt_policy p = { allow_entries, N_ALLOW, MSR_VIRT_PASS, MSR_VIRT_PASS, &test_emulator,
                                       &msr_spec };
    size_t n = check_agreement(&p, true);
    printf("default pass: %zu (MSR, access) points agree in all three formats\n", n);
    ck_assert_uint_gt(n, 2 * msr_spec.instance_count);
}
END_TEST

START_TEST(agree_mixed_defaults)
{
    const struct msr_virt_policy p = { vmm_entries, N_VMM, MSR_VIRT_PASS, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    struct msr_virt_kvm_filter kvm;

    ck_assert_uint_gt(check_agreement(&p, false), 2 * msr_spec.instance_count);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&p, &kvm, storage, sizeof storage, NULL), MSR_OK);
    ck_assert_uint_eq(kvm.flags, MSR_VIRT_KVM_FILTER_DEFAULT_DENY);
    /* Outside every range a default-pass read exits: the handler forwards it. */
    ck_assert(!msr_virt_kvm_filter_allows(&kvm, 0x12345678, MSR_VMX_INTERCEPT_READ));
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x12345678, MSR_VMX_INTERCEPT_READ), MSR_VIRT_PASS);
}
END_TEST

START_TEST(agree_every_msr_of_the_maps)
{
    /* Exhaustive over the VMX and SVM ranges for the VMM policy. */
    const struct msr_virt_policy p = { vmm_entries, N_VMM, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };
    static struct msr_vmx_msr_bitmap vmx;
    static struct msr_vmx_svm_msrpm svm;
    static struct msr_virt_kvm_filter kvm;
    const struct msr_vmx_msr_range *r;
    size_t n = msr_vmx_svm_msrpm_ranges(&r), i;

    ck_assert_int_eq(msr_virt_vmx_bitmap_build(&p, &vmx), MSR_OK);
    ck_assert_int_eq(msr_virt_svm_msrpm_build(&p, &svm), MSR_OK);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&p, &kvm, storage, sizeof storage, NULL), MSR_OK);
    for (i = 0; i < n; i++) {
        uint32_t m;
        for (m = r[i].first; m <= r[i].last; m++) {
            unsigned want = (msr_virt_policy_action(&p, m, MSR_VMX_INTERCEPT_READ) == MSR_VIRT_PASS ? 0u : 1u) |
                            (msr_virt_policy_action(&p, m, MSR_VMX_INTERCEPT_WRITE) == MSR_VIRT_PASS ? 0u : 2u);
            unsigned got;
            ck_assert_int_eq(msr_vmx_svm_msrpm_query(&svm, m, &got), MSR_OK);
            ck_assert_uint_eq(got, want);
            if (msr_vmx_msr_bitmap_query(&vmx, m, &got) == MSR_OK)
                ck_assert_uint_eq(got, want);
            if (m < 0x800 || m > 0x8FF) {
                ck_assert_uint_eq(!msr_virt_kvm_filter_allows(&kvm, m, MSR_VMX_INTERCEPT_READ), (want & 1u) != 0);
                ck_assert_uint_eq(!msr_virt_kvm_filter_allows(&kvm, m, MSR_VMX_INTERCEPT_WRITE), (want & 2u) != 0);
            }
        }
    }
}
END_TEST

START_TEST(map_builders_errors)
{
    static const struct msr_virt_entry bad[] = { MSR_VIRT_RANGE(2, 1, MSR_VIRT_PASS, MSR_VIRT_PASS) };
    const struct msr_virt_policy p = { bad, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    const struct msr_virt_policy null_entries = { NULL, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    static struct msr_vmx_msr_bitmap vmx;
    static struct msr_vmx_svm_msrpm svm;
    size_t i;

    ck_assert_int_eq(msr_virt_vmx_bitmap_build(NULL, &vmx), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_vmx_bitmap_build(&p, NULL), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_svm_msrpm_build(NULL, &svm), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_svm_msrpm_build(&p, NULL), MSR_ERR_INVALID);
    memset(&vmx, 0, sizeof vmx);
    ck_assert_int_eq(msr_virt_vmx_bitmap_build(&p, &vmx), MSR_VIRT_ERR_POLICY);
    for (i = 0; i < sizeof vmx.bytes; i++)
        ck_assert_uint_eq(vmx.bytes[i], 0xFF); /* left intercepting everything */
    ck_assert_int_eq(msr_virt_svm_msrpm_build(&p, &svm), MSR_VIRT_ERR_POLICY);
    ck_assert_int_eq(msr_virt_vmx_bitmap_build(&null_entries, &vmx), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_svm_msrpm_build(&null_entries, &svm), MSR_ERR_INVALID);
}
END_TEST

/* ---- the KVM builder itself ------------------------------------------------ */

static void assert_zero_filter(const struct msr_virt_kvm_filter *f)
{
    size_t i;
    ck_assert_uint_eq(f->flags, 0);
    for (i = 0; i < MSR_VIRT_KVM_MAX_RANGES; i++) {
        ck_assert_uint_eq(f->ranges[i].nmsrs, 0);
        ck_assert_uint_eq(f->ranges[i].flags, 0);
        ck_assert_ptr_null(f->ranges[i].bitmap);
    }
}

START_TEST(kvm_ranges_shape)
{
    static const struct msr_virt_entry e[] = {
        MSR_VIRT_RANGE(0x100, 0x10F, MSR_VIRT_PASS, MSR_VIRT_PASS),  /* same bits: one READ|WRITE range */
        MSR_VIRT_RANGE(0x20000, 0x20000 + 20000, MSR_VIRT_PASS, MSR_VIRT_PASS), /* wider than one range */
        MSR_VIRT_ONE(0x90000000u, MSR_VIRT_PASS, MSR_VIRT_DENY),     /* directions differ: two ranges */
    };
    const struct msr_virt_policy p = { e, 3, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    struct msr_virt_kvm_filter f;
    size_t used, i;

    ck_assert_int_eq(msr_virt_kvm_filter_build(&p, &f, storage, sizeof storage, &used), MSR_OK);
    ck_assert_uint_eq(f.flags, MSR_VIRT_KVM_FILTER_DEFAULT_DENY);
    ck_assert_uint_eq(used, 5);
    ck_assert_uint_eq(f.ranges[0].base, 0x100);
    ck_assert_uint_eq(f.ranges[0].nmsrs, 16);
    ck_assert_uint_eq(f.ranges[0].flags, MSR_VIRT_KVM_FILTER_READ | MSR_VIRT_KVM_FILTER_WRITE);
    ck_assert_uint_eq(f.ranges[1].base, 0x20000);
    ck_assert_uint_eq(f.ranges[1].nmsrs, MSR_VIRT_KVM_MAX_RANGE_MSRS);
    ck_assert_uint_eq(f.ranges[2].base, 0x20000 + MSR_VIRT_KVM_MAX_RANGE_MSRS);
    ck_assert_uint_eq(f.ranges[2].nmsrs, 20001 - MSR_VIRT_KVM_MAX_RANGE_MSRS);
    ck_assert_uint_eq(f.ranges[3].flags, MSR_VIRT_KVM_FILTER_READ);
    ck_assert_uint_eq(f.ranges[4].flags, MSR_VIRT_KVM_FILTER_WRITE);
    ck_assert_uint_eq(f.ranges[3].base, 0x90000000u);
    ck_assert_uint_eq(f.ranges[3].bitmap[0], 1);
    ck_assert_uint_eq(f.ranges[4].bitmap[0], 0);
    for (i = 0; i < used; i++) {
        /* Bitmaps are whole 64-bit words inside the storage. */
        ck_assert_uint_eq(((uintptr_t)f.ranges[i].bitmap - (uintptr_t)storage) % 8u, 0);
        ck_assert_uint_le(f.ranges[i].nmsrs, MSR_VIRT_KVM_MAX_RANGE_MSRS);
    }
    ck_assert_uint_eq(f.ranges[0].bitmap[0], 0xFF);
    ck_assert_uint_eq(f.ranges[0].bitmap[1], 0xFF);
    ck_assert_uint_eq(f.ranges[0].bitmap[2], 0); /* padding of the 64-bit word */
    for (i = used; i < MSR_VIRT_KVM_MAX_RANGES; i++)
        ck_assert_uint_eq(f.ranges[i].nmsrs, 0);
    ck_assert(msr_virt_kvm_filter_allows(&f, 0x90000000u, MSR_VMX_INTERCEPT_READ));
    ck_assert(!msr_virt_kvm_filter_allows(&f, 0x90000000u, MSR_VMX_INTERCEPT_WRITE));
}
END_TEST

START_TEST(kvm_special_cases)
{
    const struct msr_virt_policy deny_all = { NULL, 0, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    const struct msr_virt_policy pass_all = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, &msr_spec };
    const struct msr_virt_policy read_only_default = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_DENY, NULL, &msr_spec };
    static const struct msr_virt_entry last[] = { MSR_VIRT_ONE(0xFFFFFFFFu, MSR_VIRT_PASS, MSR_VIRT_PASS) };
    const struct msr_virt_policy p_last = { last, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    struct msr_virt_kvm_filter f;
    size_t used;

    /* KVM refuses DEFAULT_DENY without ranges: one range that denies MSR 0. */
    ck_assert_int_eq(msr_virt_kvm_filter_build(&deny_all, &f, storage, sizeof storage, &used), MSR_OK);
    ck_assert_uint_eq(used, 1);
    ck_assert_uint_eq(f.ranges[0].nmsrs, 1);
    ck_assert(!msr_virt_kvm_filter_allows(&f, 0, MSR_VMX_INTERCEPT_READ));
    ck_assert(!msr_virt_kvm_filter_allows(&f, 1, MSR_VMX_INTERCEPT_WRITE));
    ck_assert(msr_virt_kvm_filter_allows(&f, 0x830, MSR_VMX_INTERCEPT_WRITE)); /* x2APIC */
    /* ... and needs storage for it. */
    ck_assert_int_eq(msr_virt_kvm_filter_build(&deny_all, &f, NULL, 0, &used), MSR_VIRT_ERR_FULL);
    assert_zero_filter(&f);

    /* ... and that range denies writes too when the default read passes
     * (found by fuzz_virt_exit: its bits once came from the read side). */
    ck_assert_int_eq(msr_virt_kvm_filter_build(&read_only_default, &f, storage, sizeof storage, &used), MSR_OK);
    ck_assert_uint_eq(used, 1);
    ck_assert(!msr_virt_kvm_filter_allows(&f, 0, MSR_VMX_INTERCEPT_WRITE));
    ck_assert(!msr_virt_kvm_filter_allows(&f, 0, MSR_VMX_INTERCEPT_READ)); /* more than asked: the handler forwards */

    ck_assert_int_eq(msr_virt_kvm_filter_build(&pass_all, &f, NULL, 0, &used), MSR_OK);
    ck_assert_uint_eq(used, 0);
    ck_assert_uint_eq(f.flags, MSR_VIRT_KVM_FILTER_DEFAULT_ALLOW);
    ck_assert(msr_virt_kvm_filter_allows(&f, 0x1234, MSR_VMX_INTERCEPT_WRITE));

    ck_assert_int_eq(msr_virt_kvm_filter_build(&p_last, &f, storage, sizeof storage, &used), MSR_OK);
    ck_assert_uint_eq(used, 1);
    ck_assert_uint_eq(f.ranges[0].base, 0xFFFFFFFFu);
    ck_assert(msr_virt_kvm_filter_allows(&f, 0xFFFFFFFFu, MSR_VMX_INTERCEPT_WRITE));
    ck_assert(!msr_virt_kvm_filter_allows(&f, 0xFFFFFFFEu, MSR_VMX_INTERCEPT_WRITE));
}
END_TEST

START_TEST(kvm_errors)
{
    static struct msr_virt_entry many[17];
    const struct msr_virt_policy p = { many, 17, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    static const struct msr_virt_entry bad[] = { MSR_VIRT_RANGE(2, 1, MSR_VIRT_PASS, MSR_VIRT_PASS) };
    const struct msr_virt_policy pbad = { bad, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    const struct msr_virt_policy pnull = { NULL, 3, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    struct msr_virt_kvm_filter f;
    uint8_t small[16];
    size_t used = 99, i;

    /* 17 scattered MSRs need 17 ranges. */
    for (i = 0; i < 17; i++)
        many[i] = (struct msr_virt_entry)MSR_VIRT_ONE((uint32_t)(i * 0x100000u), MSR_VIRT_PASS, MSR_VIRT_PASS);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&p, &f, storage, sizeof storage, &used), MSR_VIRT_ERR_FULL);
    ck_assert_uint_eq(used, 0);
    assert_zero_filter(&f);
    /* 16 fit. */
    {
        const struct msr_virt_policy p16 = { many, 16, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
        ck_assert_int_eq(msr_virt_kvm_filter_build(&p16, &f, storage, sizeof storage, &used), MSR_OK);
        ck_assert_uint_eq(used, 16);
        /* Storage: 16 bitmaps of 8 bytes. */
        ck_assert_int_eq(msr_virt_kvm_filter_build(&p16, &f, small, sizeof small, &used), MSR_VIRT_ERR_FULL);
        assert_zero_filter(&f);
    }
    /* Direction split needing the 17th range. */
    for (i = 0; i < 16; i++)
        many[i].write = i == 15 ? MSR_VIRT_DENY : MSR_VIRT_PASS;
    {
        const struct msr_virt_policy p16 = { many, 16, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
        ck_assert_int_eq(msr_virt_kvm_filter_build(&p16, &f, storage, sizeof storage, &used), MSR_VIRT_ERR_FULL);
    }
    ck_assert_int_eq(msr_virt_kvm_filter_build(NULL, &f, storage, sizeof storage, &used), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&p, NULL, storage, sizeof storage, &used), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&p, &f, NULL, 8, &used), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&pbad, &f, storage, sizeof storage, NULL), MSR_VIRT_ERR_POLICY);
    ck_assert_int_eq(msr_virt_kvm_filter_build(&pnull, &f, storage, sizeof storage, NULL), MSR_ERR_INVALID);

    /* allows(): bad arguments, a range without a bitmap. */
    ck_assert(!msr_virt_kvm_filter_allows(NULL, 0, MSR_VMX_INTERCEPT_READ));
    memset(&f, 0, sizeof f);
    ck_assert(!msr_virt_kvm_filter_allows(&f, 0, MSR_VMX_INTERCEPT_READ_WRITE));
    ck_assert(msr_virt_kvm_filter_allows(&f, 0, MSR_VMX_INTERCEPT_READ));
    f.ranges[0].flags = MSR_VIRT_KVM_FILTER_READ;
    f.ranges[0].nmsrs = 4;
    ck_assert(!msr_virt_kvm_filter_allows(&f, 2, MSR_VMX_INTERCEPT_READ));
    ck_assert(msr_virt_kvm_filter_allows(&f, 2, MSR_VMX_INTERCEPT_WRITE));
}
END_TEST

static Suite *formats_suite(void)
{
    Suite *s = suite_create("virt_formats");
    TCase *tc = tcase_create("formats");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, agree_default_deny);
    tcase_add_test(tc, agree_default_pass);
    tcase_add_test(tc, agree_mixed_defaults);
    tcase_add_test(tc, agree_every_msr_of_the_maps);
    tcase_add_test(tc, map_builders_errors);
    tcase_add_test(tc, kvm_ranges_shape);
    tcase_add_test(tc, kvm_special_cases);
    tcase_add_test(tc, kvm_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* the listing survives Check's fork */
    return test_run_suite(formats_suite());
}
