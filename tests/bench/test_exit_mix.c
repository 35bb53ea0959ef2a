/*
 * The benchmark's baseline is honest: the hand-written switch of exit_mix.c
 * makes the decisions the handler makes and stores the values it stores --
 * on every exit of the mix (many rounds, state carried over), and on every
 * register of the policy written with each single bit, all ones and 0 --
 * and the prepared and unprepared handlers agree with it, with 12 and with
 * 63 CPUID leaves. Exit status 0 when they all agree.
 */
#include <stdio.h>
#include <string.h>

#include "exit_mix.h"

enum path { UNPREPARED, PREPARED, SWITCH, PATHS };
static const char *const path_name[PATHS] = { "msr_virt_*msr", "msr_virt_prepared_*msr", "switch" };

struct run {
    struct mix_vcpu state;
    struct msr_cpuid_table table;
    struct msr_cpuid_source source;
    struct msr_facts facts;
    struct msr_virt_vcpu vcpu;
    struct msr_virt_prepared prepared;
};

static struct run runs[PATHS];
static struct msr_virt_interval intervals[MSR_VIRT_POLICY_INDEX_CAPACITY(MIX_POLICY_ENTRIES)];
static struct msr_virt_slot slots[64];
static struct msr_virt_policy_index index_;
static unsigned failures, compared;

static enum msr_virt_result exit_on(enum path p, const struct mix_exit *x, uint64_t *value)
{
    struct run *r = &runs[p];

    *value = 0;
    switch (p) {
    case UNPREPARED:
        return x->write ? msr_virt_wrmsr(&mix_policy, &r->vcpu, x->msr, x->value)
                        : msr_virt_rdmsr(&mix_policy, &r->vcpu, x->msr, value);
    case PREPARED:
        return x->write ? msr_virt_prepared_wrmsr(&r->prepared, x->msr, x->value)
                        : msr_virt_prepared_rdmsr(&r->prepared, x->msr, value);
    default:
        return x->write ? mix_switch_wrmsr(&r->state, x->msr, x->value) : mix_switch_rdmsr(&r->state, x->msr, value);
    }
}

static void same_everywhere(const struct mix_exit *x)
{
    enum msr_virt_result result[PATHS];
    uint64_t value[PATHS];
    unsigned p;

    for (p = 0; p < PATHS; p++)
        result[p] = exit_on((enum path)p, x, &value[p]);
    compared++;
    for (p = 1; p < PATHS; p++) {
        if (result[p] == result[0] && value[p] == value[0] &&
            memcmp(&runs[p].state, &runs[0].state, sizeof runs[0].state) == 0)
            continue;
        if (failures++ < 20)
            printf("FAIL: %s %#x %#llx: %s gives %s %#llx, %s gives %s %#llx%s (%s)\n", x->write ? "wrmsr" : "rdmsr",
                   x->msr, (unsigned long long)x->value, path_name[0], msr_virt_result_name(result[0]),
                   (unsigned long long)value[0], path_name[p], msr_virt_result_name(result[p]),
                   (unsigned long long)value[p],
                   memcmp(&runs[p].state, &runs[0].state, sizeof runs[0].state) ? ", the stored state differs" : "",
                   runs[0].vcpu.reason);
    }
}

static void start(unsigned leaves)
{
    unsigned p;

    memset(runs, 0, sizeof runs);
    for (p = 0; p < PATHS; p++) {
        struct run *r = &runs[p];
        mix_vcpu_reset(&r->state);
        mix_facts(&r->facts, &r->source, &r->table, leaves, &r->state);
        r->vcpu.facts = &r->facts;
        r->vcpu.ctx = &r->state;
    }
    if (msr_virt_policy_index_build(&mix_policy, intervals, sizeof intervals / sizeof intervals[0], &index_, NULL) !=
            MSR_OK ||
        msr_virt_prepare(&runs[PREPARED].prepared, &index_, &runs[PREPARED].vcpu, slots, 64) != MSR_OK) {
        printf("FAIL: the mix's policy does not index or prepare\n");
        failures++;
    }
}

int main(void)
{
    static const unsigned leaf_counts[] = { 12, 63 };
    struct mix_exit exits[MIX_EXITS];
    unsigned l, round, i, e, bit;
    unsigned census[4] = { 0, 0, 0, 0 }; /* handled, #GP, forward, writes */

    mix_policy_init();
    mix_exits_fill(exits);
    for (l = 0; l < 2; l++) {
        start(leaf_counts[l]);
        for (round = 0; round < 3; round++)
            for (i = 0; i < MIX_EXITS; i++)
                same_everywhere(&exits[i]);
        /* every register the policy reaches (and a neighbour), every bit */
        for (e = 0; e < MIX_POLICY_ENTRIES; e++) {
            uint32_t msr;
            for (msr = mix_entries[e].first; msr <= mix_entries[e].last + 1u; msr++) {
                struct mix_exit x = { msr, 0, 0 };
                same_everywhere(&x);
                x.write = 1;
                x.value = 0;
                same_everywhere(&x);
                x.value = ~UINT64_C(0);
                same_everywhere(&x);
                for (bit = 0; bit < 64; bit++) {
                    x.value = UINT64_C(1) << bit;
                    same_everywhere(&x);
                }
                /* back to the reset values, so later registers see a sane guest */
                mix_vcpu_reset(&runs[UNPREPARED].state);
                mix_vcpu_reset(&runs[PREPARED].state);
                mix_vcpu_reset(&runs[SWITCH].state);
                msr_virt_prepared_invalidate(&runs[PREPARED].prepared);
            }
        }
    }
    for (i = 0; i < MIX_EXITS; i++) {
        uint64_t v;
        struct mix_exit *x = &exits[i];
        mix_vcpu_reset(&runs[SWITCH].state);
        census[exit_on(SWITCH, x, &v)]++;
        census[3] += x->write;
    }
    printf("the mix: %u exits (%u writes): %u handled, %u #GP, %u forwarded\n", MIX_EXITS, census[3], census[0],
           census[1], census[2]);
    printf("%u exits compared on three paths, %u disagreements\n", compared, failures);
    return failures == 0 ? 0 : 1;
}
