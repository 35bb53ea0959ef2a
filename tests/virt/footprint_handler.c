/*
 * The smallest program a ring-0 hypervisor's MSR-exit path amounts to: the
 * benchmark's policy (tests/bench/exit_mix.h: 23 entries naming their
 * records, the MTRRs looked up in a spec of 14 records), indexed, one vCPU
 * prepared, its exits handled by msr_virt_prepared_rdmsr/_wrmsr and, for the
 * callers who prefer it, msr_virt_rdmsr/_wrmsr. Built freestanding and
 * static, linked with --gc-sections (tests/virt/check_footprint.sh): what it
 * links is what such a hypervisor links. Never run. Built with
 * -DFOOTPRINT_SWITCH it runs the hand-written switch instead: the baseline.
 */
#include "exit_mix.h"

/* memset, memcpy, ...: tests/freestanding_libc.c, linked beside. */

static struct mix_vcpu state;
static struct msr_cpuid_table table;
static struct msr_cpuid_source source;
static struct msr_facts facts;
static struct msr_virt_vcpu vcpu;
static struct msr_virt_interval intervals[MSR_VIRT_POLICY_INDEX_CAPACITY(MIX_POLICY_ENTRIES)];
static struct msr_virt_policy_index index_;
static struct msr_virt_slot slots[64];
static struct msr_virt_prepared prepared;
static struct mix_exit exits[MIX_EXITS];
volatile uint64_t footprint_sink;

void _start(void);
void _start(void)
{
    unsigned i;
    uint64_t value = 0;

    mix_vcpu_reset(&state);
    mix_exits_fill(exits);
#ifdef FOOTPRINT_SWITCH
    for (i = 0; i < MIX_EXITS; i++) {
        const struct mix_exit *x = &exits[i];
        footprint_sink += x->write ? mix_switch_wrmsr(&state, x->msr, x->value)
                                   : mix_switch_rdmsr(&state, x->msr, &value);
        footprint_sink += value;
    }
#else
    mix_policy_init();
    mix_facts(&facts, &source, &table, 12, &state);
    vcpu.facts = &facts;
    vcpu.ctx = &state;
    if (msr_virt_policy_index_build(&mix_policy, intervals, sizeof intervals / sizeof intervals[0], &index_, NULL) ==
            MSR_OK &&
        msr_virt_prepare(&prepared, &index_, &vcpu, slots, sizeof slots / sizeof slots[0]) == MSR_OK)
        for (i = 0; i < MIX_EXITS; i++) {
            const struct mix_exit *x = &exits[i];
            footprint_sink += x->write ? msr_virt_prepared_wrmsr(&prepared, x->msr, x->value)
                                       : msr_virt_prepared_rdmsr(&prepared, x->msr, &value);
            footprint_sink += x->write ? msr_virt_wrmsr(&mix_policy, &vcpu, x->msr, x->value)
                                       : msr_virt_rdmsr(&mix_policy, &vcpu, x->msr, &value);
            footprint_sink += value;
        }
#endif
    for (;;)
        __asm__ volatile("hlt");
}
