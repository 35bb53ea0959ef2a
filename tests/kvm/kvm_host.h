/*
 * What the modes of the KVM test host share (kvm_host.c): the VM, reports
 * through die(), and one-MSR KVM_GET_MSRS / KVM_SET_MSRS. The diff mode
 * (kvm_diff.c) is built on these.
 */
#ifndef X86MSR_KVM_HOST_H
#define X86MSR_KVM_HOST_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <x86msr/cpuid.h>

#include "kvm_abi.h"

#define EXIT_SKIP 77

struct virt;
struct diff;

struct vm {
    int kvm, vm, vcpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem;
    bool amd;
    int passed, failed, checks;
    bool verbose;
    struct virt *virt; /* --virt: the MSR policy and its state */
    struct diff *diff; /* --diff: the differential test's state */
    const char *migrate; /* --migrate[=drop|reverse]: "" or the deliberate mistake */
    int host_checks;     /* checks the host made itself (not the guest's) */
};

/* Prints "kvm: SKIP: ..." (code EXIT_SKIP) or "kvm: FAIL: ..." and exits with `code`. */
void die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* The vCPU's MSR through KVM_GET_MSRS / KVM_SET_MSRS (host-initiated); 0 on success. */
int get_msr(struct vm *v, uint32_t index, uint64_t *value);
int set_msr(struct vm *v, uint32_t index, uint64_t value);

/* The vCPU's CPUID as KVM_GET_CPUID2 reports it, as a table for struct msr_facts
 * (*leaves is malloc'ed; the caller keeps it). */
void vcpu_cpuid_table(struct vm *v, struct msr_cpuid_entry **leaves, struct msr_cpuid_table *table);

/* Diff mode (kvm_diff.c): after the vCPU's CPUID is set; one KT_OP_DIFF_STEP
 * message; the verdict after the guest is done (exit status of the test). */
void diff_setup(struct vm *v, const char *table_path);
void diff_step(struct vm *v, struct kt_msg *m);
int diff_finish(struct vm *v, bool guest_clean);

#endif /* X86MSR_KVM_HOST_H */
