/*
 * The MSR-exit benchmark of issue 20 (tests/bench/bench_exit.sh runs it and
 * turns its lines into ratios; exit_mix.h describes the workload).
 *
 *   bench_exit time [RUNS]
 *       Each measurement RUNS times (default 11), the paths interleaved within
 *       every run (unprepared, prepared, switch, unprepared, ...), so a load
 *       change on the machine hits them alike; prints the median ns per exit:
 *         mix PATH LEAVES ns          the 100-exit mix, 12 or 63 CPUID leaves
 *         padded PATH PAD WHERE ns    the mix, PAD deny entries before/after
 *         miss PATH PAD ns            one MSR no entry contains (PAD before)
 *         setup WHAT PAD us           policy check, index build, VMX bitmap,
 *                                     preparation of one vCPU
 *   bench_exit count PATH LEAVES PAD ROUNDS
 *       ROUNDS x 100 exits of the mix on one path and nothing else timed: run
 *       under callgrind with two ROUNDS values, the difference of the
 *       instruction counts over the difference of the exits is the
 *       instructions per exit without the set-up.
 *   bench_exit count-miss PATH PAD ROUNDS
 *       ROUNDS x 100 reads of the miss MSR (as count).
 * PATH: unprepared (msr_virt_rdmsr/_wrmsr), prepared (msr_virt_prepared_*),
 * switch (the hand-written baseline).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <x86msr/vmx.h>

#include "exit_mix.h"

enum path { UNPREPARED, PREPARED, SWITCH, PATHS };
static const char *const path_names[PATHS] = { "unprepared", "prepared", "switch" };

#define MAX_PAD 2000u
#define MAX_ENTRIES (MAX_PAD + MIX_POLICY_ENTRIES)

/* One guest on one path: its registers, facts, policy and prepared vCPU. */
struct guest {
    struct mix_vcpu state;
    struct msr_cpuid_table table;
    struct msr_cpuid_source source;
    struct msr_facts facts;
    struct msr_virt_vcpu vcpu;
    struct msr_virt_policy policy;
    struct msr_virt_entry entries[MAX_ENTRIES];
    struct msr_virt_interval intervals[MSR_VIRT_POLICY_INDEX_CAPACITY(MAX_ENTRIES)];
    struct msr_virt_policy_index index;
    struct msr_virt_slot slots[64];
    struct msr_virt_prepared prepared;
};

static struct guest guests[PATHS];
static struct mix_exit exits[MIX_EXITS];
static volatile uint64_t sink;

static void die(const char *what)
{
    fprintf(stderr, "bench_exit: %s\n", what);
    exit(1);
}

static void guest_init(struct guest *g, unsigned leaves, size_t pad, int before)
{
    memset(g, 0, sizeof *g);
    mix_vcpu_reset(&g->state);
    mix_facts(&g->facts, &g->source, &g->table, leaves, &g->state);
    g->vcpu.facts = &g->facts;
    g->vcpu.ctx = &g->state;
    mix_policy_padded(&g->policy, g->entries, pad, before);
    if (msr_virt_policy_index_build(&g->policy, g->intervals, sizeof g->intervals / sizeof g->intervals[0],
                                    &g->index, NULL) != MSR_OK)
        die("the policy does not index");
    if (msr_virt_prepare(&g->prepared, &g->index, &g->vcpu, g->slots, sizeof g->slots / sizeof g->slots[0]) !=
        MSR_OK)
        die("the vCPU does not prepare");
}

static enum msr_virt_result one_exit(enum path p, struct guest *g, const struct mix_exit *x)
{
    uint64_t value = 0;
    enum msr_virt_result r;

    switch (p) {
    case UNPREPARED:
        r = x->write ? msr_virt_wrmsr(&g->policy, &g->vcpu, x->msr, x->value)
                     : msr_virt_rdmsr(&g->policy, &g->vcpu, x->msr, &value);
        break;
    case PREPARED:
        r = x->write ? msr_virt_prepared_wrmsr(&g->prepared, x->msr, x->value)
                     : msr_virt_prepared_rdmsr(&g->prepared, x->msr, &value);
        break;
    default:
        r = x->write ? mix_switch_wrmsr(&g->state, x->msr, x->value) : mix_switch_rdmsr(&g->state, x->msr, &value);
        break;
    }
    sink += value + (uint64_t)r;
    return r;
}

static void mix_rounds(enum path p, struct guest *g, unsigned rounds)
{
    unsigned r, i;
    for (r = 0; r < rounds; r++)
        for (i = 0; i < MIX_EXITS; i++)
            (void)one_exit(p, g, &exits[i]);
}

static void miss_rounds(enum path p, struct guest *g, unsigned rounds)
{
    static const struct mix_exit miss = { MIX_MISS_MSR, 0, 0 };
    unsigned r, i;
    for (r = 0; r < rounds; r++)
        for (i = 0; i < MIX_EXITS; i++)
            (void)one_exit(p, g, &miss);
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_RUNS 101u
/* Rounds per timed run: about 2-20 ms per path on a 2 GHz machine. */
#define TIMED_ROUNDS 2000u

/* The mix (or the miss) on every path, interleaved, `runs` times. */
static void time_paths(const char *label, unsigned leaves, size_t pad, int before, int miss, unsigned runs)
{
    static double samples[PATHS][MAX_RUNS];
    unsigned run, p;

    for (p = 0; p < PATHS; p++)
        guest_init(&guests[p], leaves, pad, before);
    for (run = 0; run < runs; run++)
        for (p = 0; p < PATHS; p++) {
            unsigned rounds = p == UNPREPARED && pad >= 1000 ? TIMED_ROUNDS / 20 : TIMED_ROUNDS;
            double t0 = now_ns();
            if (miss)
                miss_rounds((enum path)p, &guests[p], rounds);
            else
                mix_rounds((enum path)p, &guests[p], rounds);
            samples[p][run] = (now_ns() - t0) / ((double)rounds * MIX_EXITS);
        }
    for (p = 0; p < PATHS; p++) {
        if (miss)
            printf("miss %s %zu %.2f\n", path_names[p], pad, median(samples[p], runs));
        else if (pad == 0)
            printf("%s %s %u %.2f\n", label, path_names[p], leaves, median(samples[p], runs));
        else
            printf("%s %s %zu %s %.2f\n", label, path_names[p], pad, before ? "before" : "after",
                   median(samples[p], runs));
    }
}

/* The one-off costs at `pad` padding entries, in microseconds. */
static void time_setup(size_t pad, unsigned runs)
{
    static struct msr_vmx_msr_bitmap bitmap;
    static double samples[4][MAX_RUNS];
    static const char *const what[4] = { "policy_check", "index_build", "vmx_bitmap", "prepare" };
    struct guest *g = &guests[0];
    unsigned run, k;

    guest_init(g, 12, pad, 1);
    for (run = 0; run < runs; run++) {
        double t0 = now_ns(), t1, t2, t3, t4;
        if (msr_virt_policy_check(&g->policy, NULL) != MSR_OK)
            die("the policy does not check");
        t1 = now_ns();
        if (msr_virt_policy_index_build(&g->policy, g->intervals, sizeof g->intervals / sizeof g->intervals[0],
                                        &g->index, NULL) != MSR_OK)
            die("the policy does not index");
        t2 = now_ns();
        if (msr_virt_vmx_bitmap_build(&g->policy, &bitmap) != MSR_OK)
            die("the bitmap does not build");
        t3 = now_ns();
        if (msr_virt_prepare(&g->prepared, &g->index, &g->vcpu, g->slots, sizeof g->slots / sizeof g->slots[0]) !=
            MSR_OK)
            die("the vCPU does not prepare");
        t4 = now_ns();
        samples[0][run] = (t1 - t0) / 1e3;
        samples[1][run] = (t2 - t1) / 1e3;
        samples[2][run] = (t3 - t2) / 1e3;
        samples[3][run] = (t4 - t3) / 1e3;
    }
    for (k = 0; k < 4; k++)
        printf("setup %s %zu %.2f\n", what[k], pad, median(samples[k], runs));
}

static enum path path_of(const char *name)
{
    unsigned p;
    for (p = 0; p < PATHS; p++)
        if (strcmp(name, path_names[p]) == 0)
            return (enum path)p;
    die("PATH: unprepared, prepared or switch");
    return SWITCH;
}

static unsigned number(const char *s, unsigned max)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v > max)
        die("bad number");
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    static const size_t pads[] = { 20, 200, 2000 };
    unsigned i;

    mix_policy_init();
    mix_exits_fill(exits);
    if (argc >= 2 && strcmp(argv[1], "time") == 0) {
        unsigned runs = argc >= 3 ? number(argv[2], MAX_RUNS) : 11;
        if (runs == 0)
            die("RUNS: 1 or more");
        time_paths("mix", 12, 0, 1, 0, runs);
        time_paths("mix", 63, 0, 1, 0, runs);
        for (i = 0; i < 3; i++) {
            time_paths("padded", 12, pads[i], 1, 0, runs);
            time_paths("padded", 12, pads[i], 0, 0, runs);
        }
        time_paths("miss", 12, 0, 1, 1, runs);
        for (i = 0; i < 3; i++)
            time_paths("miss", 12, pads[i], 1, 1, runs);
        time_setup(20, runs);
        time_setup(2000, runs);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "count") == 0) {
        enum path p = path_of(argv[2]);
        guest_init(&guests[p], number(argv[3], 63), number(argv[4], MAX_PAD), 1);
        mix_rounds(p, &guests[p], number(argv[5], 1000000));
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "count-miss") == 0) {
        enum path p = path_of(argv[2]);
        guest_init(&guests[p], 12, number(argv[3], MAX_PAD), 1);
        miss_rounds(p, &guests[p], number(argv[4], 1000000));
        return 0;
    }
    fprintf(stderr, "usage: bench_exit time [RUNS] | count PATH LEAVES PAD ROUNDS | count-miss PATH PAD ROUNDS\n");
    return 2;
}
