/*
 * The policy index and prepared vCPUs: the index decides as the first-match
 * lookup and checks as msr_virt_policy_check(); a prepared vCPU gives the
 * answers, reasons and stored values of the unprepared handler on every spec
 * MSR (read, write 0, all ones, each single bit), follows the MSR values its
 * conditions read when the handler accepts a write to them, and on an explicit
 * invalidation when they change behind its back.
 */
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

#define BIT(n) (UINT64_C(1) << (n))

/* ---- an emulator whose registers are also the facts' MSR values ---- */

#define STORE_SIZE 8192u /* a power of two above the spec's registers */

struct store {
    uint32_t msr[STORE_SIZE];
    uint64_t value[STORE_SIZE];
    bool used[STORE_SIZE];
    unsigned reads, writes;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

static size_t store_slot(const struct store *s, uint32_t msr)
{
    size_t i = (size_t)(mix(msr) & (STORE_SIZE - 1u));
    while (s->used[i] && s->msr[i] != msr)
        i = (i + 1u) & (STORE_SIZE - 1u);
    return i;
}

/* A register never written reads as a pattern of its address, so merges of
 * read-only and write-1-to-clear bits have something to keep. */
static uint64_t store_get(const struct store *s, uint32_t msr)
{
    size_t i = store_slot(s, msr);
    return s->used[i] ? s->value[i] : mix(msr ^ 0x5a5a5a5au) & ~BIT(10); /* x2APIC off until written */
}

static void store_put(struct store *s, uint32_t msr, uint64_t value)
{
    size_t i = store_slot(s, msr);
    s->used[i] = true;
    s->msr[i] = msr;
    s->value[i] = value;
}

static enum msr_virt_result store_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct store *s = ctx;
    s->reads++;
    *value = store_get(s, msr);
    return MSR_VIRT_HANDLED;
}

static enum msr_virt_result store_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct store *s = ctx;
    s->writes++;
    store_put(s, msr, value);
    return MSR_VIRT_HANDLED;
}

static const struct msr_virt_emulator store_emulator = { store_read, store_write };

static int store_facts_read(void *ctx, uint32_t msr, uint64_t *value)
{
    *value = store_get(ctx, msr);
    return MSR_OK;
}

/* ---- one guest, twice: unprepared and prepared ---- */

struct side {
    struct test_cpu cpu;
    struct store store;
    struct msr_virt_vcpu vcpu;
};

static struct side plain, fast;
static struct msr_virt_interval intervals[MSR_VIRT_POLICY_INDEX_CAPACITY(64)];
static struct msr_virt_slot slots[4096];
static struct msr_virt_policy_index index_;
static struct msr_virt_prepared prepared;

enum guest { GUEST_INTEL, GUEST_AMD, GUEST_UNKNOWN };

static void side_init(struct side *s, enum guest g)
{
    memset(&s->store, 0, sizeof s->store);
    if (g == GUEST_INTEL)
        test_cpu_intel(&s->cpu);
    else if (g == GUEST_AMD)
        test_cpu_amd(&s->cpu);
    else
        test_cpu_empty(&s->cpu);
    s->cpu.facts.read_msr = store_facts_read;
    s->cpu.facts.msr_ctx = &s->store;
    memset(&s->vcpu, 0, sizeof s->vcpu);
    s->vcpu.facts = g == GUEST_UNKNOWN ? NULL : &s->cpu.facts;
    s->vcpu.ctx = &s->store;
}

static void prepare(const struct msr_virt_policy *policy, enum guest g)
{
    struct msr_virt_policy_error error;

    side_init(&plain, g);
    side_init(&fast, g);
    ck_assert_int_eq(msr_virt_policy_index_build(policy, intervals, sizeof intervals / sizeof intervals[0], &index_,
                                                 &error),
                     MSR_OK);
    ck_assert_uint_le(msr_virt_prepare_slots(&index_), sizeof slots / sizeof slots[0]);
    ck_assert_int_eq(msr_virt_prepare(&prepared, &index_, &fast.vcpu, slots, sizeof slots / sizeof slots[0]), MSR_OK);
}

/* One exit on both sides: the same answer, reason, register, field, value
 * delivered and value stored. (Plain comparisons: every Check assertion that
 * passes is a write to its pipe, and this runs a million times.) */
static void same_exit(const struct msr_virt_policy *policy, bool write, uint32_t msr, uint64_t value)
{
    uint64_t a = 1, b = 2;
    enum msr_virt_result ra, rb;

    if (write) {
        ra = msr_virt_wrmsr(policy, &plain.vcpu, msr, value);
        rb = msr_virt_prepared_wrmsr(&prepared, msr, value);
    } else {
        ra = msr_virt_rdmsr(policy, &plain.vcpu, msr, &a);
        rb = msr_virt_prepared_rdmsr(&prepared, msr, &b);
    }
    if (ra != rb || plain.vcpu.reason != fast.vcpu.reason || (!write && a != b) || plain.vcpu.def != fast.vcpu.def ||
        plain.vcpu.field != fast.vcpu.field || store_get(&plain.store, msr) != store_get(&fast.store, msr) ||
        plain.store.writes != fast.store.writes)
        ck_abort_msg("%s %#x %#llx: %s (%s) field %d value %#llx stored %#llx unprepared; "
                     "%s (%s) field %d value %#llx stored %#llx prepared",
                     write ? "wrmsr" : "rdmsr", msr, (unsigned long long)value, msr_virt_result_name(ra),
                     plain.vcpu.reason, plain.vcpu.field, (unsigned long long)a,
                     (unsigned long long)store_get(&plain.store, msr), msr_virt_result_name(rb), fast.vcpu.reason,
                     fast.vcpu.field, (unsigned long long)b, (unsigned long long)store_get(&fast.store, msr));
}

/* Every spec address and its neighbours x {read, write 0, all ones, each
 * single bit}, in address order (so a write to IA32_APIC_BASE or HWCR has
 * its effect on the registers after it). */
static void every_msr(const struct msr_virt_policy *policy)
{
    uint32_t i;

    for (i = 0; i < msr_spec.instance_count; i++) {
        uint32_t msr = msr_spec.instances[i].address, k;
        unsigned bit;

        if (i > 0 && msr_spec.instances[i - 1].address == msr)
            continue;
        for (k = 0; k < 2; k++) {
            uint32_t at = msr + k; /* the register, and the address after it (often none) */
            same_exit(policy, false, at, 0);
            same_exit(policy, true, at, 0);
            same_exit(policy, true, at, ~UINT64_C(0));
            for (bit = 0; bit < 64; bit++)
                same_exit(policy, true, at, BIT(bit));
            same_exit(policy, false, at, 0);
        }
    }
}

static const struct msr_virt_policy pass_all = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, &msr_spec };
static const struct msr_virt_policy emulate_all = { NULL, 0, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, &store_emulator,
                                                    &msr_spec };

/* The policy of issue 20's exit mix, and a few more shapes: records named,
 * ranges looked up in the spec, fixed and ignored MSRs, no spec checks. */
static const struct msr_virt_entry mixed_entries[] = {
    MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_STAR, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_LSTAR, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_FS_BASE, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_SYSENTER_ESP, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_MISC_ENABLE, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_APIC_BASE, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_FEATURE_CONTROL, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_PAT, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_RANGE(0x200, 0x2FF, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_RANGE(0x400, 0x47F, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),          /* MCi banks */
    MSR_VIRT_RANGE(0x800, 0x8FF, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),          /* x2APIC */
    { 0x10, 0x10, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, MSR_VIRT_NO_SPEC_CHECKS, 0, NULL, NULL },
    MSR_VIRT_CONSTANT(0x17, 0x1234),
    MSR_VIRT_ONE(0x8B, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
    MSR_VIRT_RANGE(0xC0010000, 0xC0010FFF, MSR_VIRT_PASS, MSR_VIRT_EMULATE),   /* AMD */
};
static const struct msr_virt_policy mixed = { mixed_entries, sizeof mixed_entries / sizeof mixed_entries[0],
                                              MSR_VIRT_DENY, MSR_VIRT_DENY, &store_emulator, &msr_spec };

START_TEST(differential_every_spec_msr)
{
    static const struct msr_virt_policy *const policies[] = { &pass_all, &emulate_all, &mixed };
    enum guest g = (enum guest)_i;
    size_t p;

    for (p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        prepare(policies[p], g);
        every_msr(policies[p]);
    }
}
END_TEST

/* ---- the index ---- */

START_TEST(index_decides_as_first_match)
{
    static const struct msr_virt_entry e[] = {
        MSR_VIRT_ONE(0x1A0, MSR_VIRT_PASS, MSR_VIRT_PASS),
        MSR_VIRT_RANGE(0x100, 0x2FF, MSR_VIRT_DENY, MSR_VIRT_DENY),
        MSR_VIRT_RANGE(0x280, 0x3FF, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
        MSR_VIRT_RANGE(0x0, 0x10, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
        MSR_VIRT_RANGE(0xFFFFFF00, 0xFFFFFFFF, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
        MSR_VIRT_RANGE(0x50, 0x150, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
    };
    const struct msr_virt_policy p = { e, sizeof e / sizeof e[0], MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    static const uint32_t probes[] = { 0x0, 0x10, 0x11, 0x4F, 0x50, 0xFF, 0x100, 0x150, 0x151, 0x19F, 0x1A0, 0x1A1,
                                       0x27F, 0x280, 0x2FF, 0x300, 0x3FF, 0x400, 0xFFFFFEFF, 0xFFFFFF00, 0xFFFFFFFF };
    size_t i;

    ck_assert_int_eq(msr_virt_policy_index_build(&p, intervals, MSR_VIRT_POLICY_INDEX_CAPACITY(6), &index_, NULL),
                     MSR_OK);
    for (i = 0; i < sizeof probes / sizeof probes[0]; i++)
        ck_assert_ptr_eq(msr_virt_policy_index_lookup(&index_, probes[i]), msr_virt_policy_lookup(&p, probes[i]));
    /* disjoint and ascending */
    for (i = 1; i < index_.count; i++)
        ck_assert_uint_gt(index_.intervals[i].first, index_.intervals[i - 1].last);
    ck_assert_int_eq(msr_virt_policy_index_build(&p, intervals, MSR_VIRT_POLICY_INDEX_CAPACITY(6) - 1, &index_, NULL),
                     MSR_VIRT_ERR_FULL);
    ck_assert_int_eq(msr_virt_policy_index_build(NULL, intervals, 1, &index_, NULL), MSR_ERR_INVALID);
}
END_TEST

/* Random policies: the index decides every probe as the linear lookup, and the
 * builder reports exactly msr_virt_policy_check()'s first error. */
START_TEST(index_agrees_with_the_check)
{
    struct msr_virt_entry e[40];
    unsigned seed = 12345, round;

    for (round = 0; round < 400; round++) {
        struct msr_virt_policy p = { e, 0, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
        struct msr_virt_policy_error a, b;
        size_t n = 1 + (size_t)(mix(++seed) % 40), i;
        int ra, rb;

        for (i = 0; i < n; i++) {
            uint64_t h = mix(seed * 977u + i);
            uint32_t first = (uint32_t)(h % 300u), span = (uint32_t)((h >> 16) % 40u);
            memset(&e[i], 0, sizeof e[i]);
            e[i].first = first;
            e[i].last = (h >> 32) % 23u == 0 ? first - 1u : first + span; /* now and then an invalid one */
            e[i].read = (enum msr_virt_action)((h >> 40) % 4u == 3 ? MSR_VIRT_IGNORE : MSR_VIRT_DENY);
            e[i].write = MSR_VIRT_DENY;
            if (round % 2 == 0 && i > 0 && (h >> 48) % 3u != 0) { /* mostly ascending: the run-based check */
                e[i].first = e[i - 1].last + 1u + (uint32_t)((h >> 50) % 3u);
                e[i].last = e[i].first + span;
            }
        }
        p.count = n;
        ra = msr_virt_policy_check(&p, &a);
        rb = msr_virt_policy_index_build(&p, intervals, MSR_VIRT_POLICY_INDEX_CAPACITY(n), &index_, &b);
        ck_assert_int_eq(ra, rb);
        ck_assert_uint_eq(a.entry, b.entry);
        ck_assert_uint_eq(a.other, b.other);
        ck_assert_ptr_eq(a.rule, b.rule);
        if (ra == MSR_OK) {
            uint32_t msr;
            for (msr = 0; msr < 420; msr++)
                if (msr_virt_policy_index_lookup(&index_, msr) != msr_virt_policy_lookup(&p, msr))
                    ck_abort_msg("round %u: the index decides MSR %#x otherwise", round, msr);
        }
    }
}
END_TEST

/* ---- preparation ---- */

START_TEST(slots_cover_what_the_checks_reach)
{
    static const struct msr_virt_entry e[] = {
        MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_DENY),
        MSR_VIRT_ARRAY(IA32_MCx_CTL2, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
        MSR_VIRT_RANGE(0x200, 0x213, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
        { 0x10, 0x10, MSR_VIRT_PASS, MSR_VIRT_PASS, MSR_VIRT_NO_SPEC_CHECKS, 0, NULL, NULL },
        MSR_VIRT_RANGE(0x0, 0xFF, MSR_VIRT_DENY, MSR_VIRT_IGNORE),
    };
    const struct msr_virt_policy p = { e, 5, MSR_VIRT_DENY, MSR_VIRT_DENY, &store_emulator, &msr_spec };
    size_t i;

    prepare(&p, GUEST_INTEL);
    /* EFER, the 32 CTL2 instances, PHYSBASE/PHYSMASK 0-9; not the unchecked
     * entry, the denied and ignored ranges, nor the denied defaults */
    ck_assert_uint_eq(prepared.slot_count, 1u + 32u + 20u);
    for (i = 1; i < prepared.slot_count; i++)
        ck_assert_uint_gt(slots[i].msr, slots[i - 1].msr);
    for (i = 0; i < prepared.slot_count; i++) {
        const struct msr_instance *inst = msr_find_by_address(slots[i].msr);
        ck_assert_ptr_nonnull(inst);
        ck_assert_ptr_eq(slots[i].def, msr_def_of(inst));
        ck_assert_uint_eq(slots[i].index, inst->index);
        ck_assert(slots[i].state & MSR_VIRT_SLOT_VALID);
    }
    ck_assert_int_eq(msr_virt_prepare(&prepared, &index_, &fast.vcpu, slots, 52), MSR_VIRT_ERR_FULL);
    ck_assert_int_eq(msr_virt_prepare(NULL, &index_, &fast.vcpu, slots, 53), MSR_ERR_INVALID);
    ck_assert_int_eq(msr_virt_prepared_wrmsr(NULL, 0x10, 0), MSR_VIRT_INJECT_GP);
}
END_TEST

/* x2APIC registers exist while IA32_APIC_BASE.EXTD is 1: the emulated write
 * that sets it makes the prepared vCPU see them, the one that clears it hides
 * them again, with no call from the VMM. */
START_TEST(accepted_write_to_a_dependency_invalidates)
{
    static const struct msr_virt_entry e[] = {
        MSR_VIRT_REG(IA32_APIC_BASE, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
        MSR_VIRT_REG(IA32_X2APIC_ICR, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    };
    const struct msr_virt_policy p = { e, 2, MSR_VIRT_DENY, MSR_VIRT_DENY, &store_emulator, NULL };
    uint64_t base = UINT64_C(0xFEE00000) | BIT(11);
    uint64_t v;

    prepare(&p, GUEST_INTEL);
    store_put(&fast.store, MSR_IA32_APIC_BASE_ADDR, base);
    msr_virt_prepared_invalidate(&prepared); /* the VMM set the initial value */
    ck_assert_int_eq(msr_virt_prepared_wrmsr(&prepared, MSR_IA32_X2APIC_ICR_ADDR, 0x30), MSR_VIRT_INJECT_GP);
    ck_assert_str_eq(fast.vcpu.reason, "the guest's CPU does not have this register (its presence condition is false)");
    ck_assert_int_eq(msr_virt_prepared_wrmsr(&prepared, MSR_IA32_APIC_BASE_ADDR, base | BIT(10)), MSR_VIRT_HANDLED);
    ck_assert_int_eq(msr_virt_prepared_wrmsr(&prepared, MSR_IA32_X2APIC_ICR_ADDR, 0x30), MSR_VIRT_HANDLED);
    ck_assert_uint_eq(store_get(&fast.store, MSR_IA32_X2APIC_ICR_ADDR), 0x30);
    ck_assert_int_eq(msr_virt_prepared_wrmsr(&prepared, MSR_IA32_APIC_BASE_ADDR, base), MSR_VIRT_HANDLED);
    ck_assert_int_eq(msr_virt_prepared_rdmsr(&prepared, MSR_IA32_X2APIC_ICR_ADDR, &v), MSR_VIRT_INJECT_GP);
    ck_assert_uint_eq(prepared.dependency_count, 1);
    ck_assert_uint_eq(prepared.dependencies[0], MSR_IA32_APIC_BASE_ADDR);
}
END_TEST

/* IA32_MCG_CAP is read-only: the bank count changes only when the VMM
 * changes its vCPU model, and then says so. */
START_TEST(explicit_invalidation)
{
    static const struct msr_virt_entry e[] = {
        MSR_VIRT_RANGE(0x400, 0x47F, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    };
    const struct msr_virt_policy p = { e, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &store_emulator, &msr_spec };
    uint32_t bank9_ctl = MSR_IA32_MCx_CTL_ADDR(9);
    uint64_t v;

    prepare(&p, GUEST_INTEL);
    store_put(&fast.store, MSR_IA32_MCG_CAP_ADDR, 10); /* banks 0-9 */
    msr_virt_prepared_invalidate(&prepared);
    ck_assert_int_eq(msr_virt_prepared_rdmsr(&prepared, bank9_ctl, &v), MSR_VIRT_HANDLED);
    store_put(&fast.store, MSR_IA32_MCG_CAP_ADDR, 9); /* behind the handler's back */
    ck_assert_int_eq(msr_virt_prepared_rdmsr(&prepared, bank9_ctl, &v), MSR_VIRT_HANDLED); /* the cached answer */
    msr_virt_prepared_invalidate(&prepared);
    ck_assert_int_eq(msr_virt_prepared_rdmsr(&prepared, bank9_ctl, &v), MSR_VIRT_INJECT_GP);
}
END_TEST

/* A prepared vCPU keeps answering like the unprepared handler when the
 * facts have no CPUID, and prepares its own copy of the facts. */
START_TEST(facts_prepared_once)
{
    struct test_cpu cpu;
    struct msr_facts facts;
    struct msr_facts_cache cache;
    uint32_t family = 0, model = 0;

    test_cpu_amd(&cpu);
    facts = cpu.facts;
    msr_facts_prepare(&facts, &cache);
    ck_assert_ptr_eq(facts.cpuid, &cache.source);
    ck_assert_uint_eq(msr_cpu_vendors(facts.cpuid), msr_cpu_vendors(cpu.facts.cpuid));
    ck_assert_uint_eq(msr_cpu_vendors(facts.cpuid), MSR_VENDOR_AMD);
    ck_assert(msr_cpu_family_model(facts.cpuid, &family, &model));
    ck_assert_uint_eq(family, 0x17);
    ck_assert_uint_eq(model, 0x1);
    ck_assert_uint_eq(msr_cpu_max_phys_addr(facts.cpuid), 48);
    ck_assert_uint_eq(msr_cpu_linear_bits(facts.cpuid), 48);
    /* the CPUID changes: prepare again, from the original source */
    test_cpu_set(&cpu, 0x80000008, 0, 0x00003928, 0, 0, 0);
    ck_assert_uint_eq(msr_cpu_max_phys_addr(facts.cpuid), 48);
    msr_facts_prepare(&facts, &cache);
    ck_assert_ptr_eq(cache.original, cpu.facts.cpuid);
    ck_assert_uint_eq(msr_cpu_max_phys_addr(facts.cpuid), 40);
    ck_assert_uint_eq(msr_cpu_linear_bits(facts.cpuid), 57);
}
END_TEST

static Suite *prepared_suite(void)
{
    Suite *s = suite_create("virt_prepared");
    TCase *tc = tcase_create("prepared");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, differential_every_spec_msr, GUEST_INTEL, GUEST_UNKNOWN + 1);
    tcase_add_test(tc, index_decides_as_first_match);
    tcase_add_test(tc, index_agrees_with_the_check);
    tcase_add_test(tc, slots_cover_what_the_checks_reach);
    tcase_add_test(tc, accepted_write_to_a_dependency_invalidates);
    tcase_add_test(tc, explicit_invalidation);
    tcase_add_test(tc, facts_prepared_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(prepared_suite());
}
