/*
 * Fixtures of the virtualization tests: virtual CPUs described by CPUID
 * tables (struct msr_facts), an in-memory emulator, and a Check main.
 *
 * The base CPUID values are those of two real processors as VirtualBox's CPU
 * profiles record them (Intel Core i7-6700K, AMD Ryzen 7 1800X; see
 * data/vbox_msr_probes.txt for the source), cut to the leaves the spec's
 * conditions read.
 */
#ifndef X86MSR_TESTS_VIRT_FIXTURE_H
#define X86MSR_TESTS_VIRT_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "x86msr/msrs.h"
#include "x86msr/virt.h"

#define VCPU_MAX_LEAVES 96
#define VCPU_MAX_MSRS 64

struct vcpu_msr_value {
    uint32_t msr;
    uint64_t value;
};

/* A virtual CPU: CPUID table + optional MSR values, as struct msr_facts. */
struct test_cpu {
    struct msr_cpuid_entry leaves[VCPU_MAX_LEAVES];
    struct msr_cpuid_table table;
    struct msr_cpuid_source source;
    struct vcpu_msr_value msrs[VCPU_MAX_MSRS];
    size_t msr_count;
    struct msr_facts facts;
};

void test_cpu_empty(struct test_cpu *c);
void test_cpu_intel(struct test_cpu *c); /* Skylake, with Intel PT (leaf 14H) and MPX */
void test_cpu_amd(struct test_cpu *c);   /* Zen 1 */
/* Adds or replaces one leaf. */
void test_cpu_set(struct test_cpu *c, uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx, uint32_t ecx,
                  uint32_t edx);
/* Adds or replaces an MSR value the facts report (msr_facts.read_msr). */
void test_cpu_set_msr(struct test_cpu *c, uint32_t msr, uint64_t value);

/* An emulator over a small register file; counts calls; can be told to
 * refuse or forward. ctx: struct test_regs *. */
struct test_regs {
    struct vcpu_msr_value regs[VCPU_MAX_MSRS];
    size_t count;
    unsigned reads, writes;
    enum msr_virt_result read_answer, write_answer; /* what to answer (HANDLED by default) */
    uint32_t last_write_msr;
    uint64_t last_write_value;
};
extern const struct msr_virt_emulator test_emulator;
void test_regs_init(struct test_regs *r);
void test_regs_set(struct test_regs *r, uint32_t msr, uint64_t value);
uint64_t test_regs_get(const struct test_regs *r, uint32_t msr);

/* A vCPU over `cpu` and `regs`. */
void test_vcpu(struct msr_virt_vcpu *v, struct test_cpu *cpu, struct test_regs *regs);

/* Runs the suite; returns the process exit status. */
int test_run_suite(Suite *s);

#endif
