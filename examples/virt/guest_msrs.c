/*
 * What a VMM needs of x86msr::virt, in one small program: a policy for a
 * guest's MSRs, the guest's CPU from its CPUID, the VMX MSR bitmap built from
 * the policy, and the answers of the exit handler to a few RDMSR/WRMSR exits
 * (docs/consuming.md, "MSR virtualization"; docs/virtualization.md says more).
 */
#include <stdio.h>
#include <x86msr/msrs.h>
#include <x86msr/virt.h>

/* The guest may run SYSCALL code and set EFER; it reads a fixed platform ID;
 * every other MSR is a #GP. The entries name their registers: no spec needed. */
static const struct msr_virt_entry entries[] = {
    MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_STAR, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_LSTAR, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_REG(IA32_FMASK, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_CONSTANT(MSR_IA32_PLATFORM_ID_ADDR, 0),
};
static const struct msr_virt_policy policy = { entries, 5, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, NULL };

/* An Intel guest: leaf 0's vendor string is EBX, EDX, ECX ("Genu" "ineI" "ntel");
 * leaf 80000008H is not indexed, so it answers every subleaf. */
static const struct msr_cpuid_entry leaves[] = {
    { 0x0, 0, { 0xD, 0x756E6547, 0x6C65746E, 0x49656E69 } },
    { 0x1, 0, { 0x906EA, 0, 0, 0 } },
    { 0x80000001u, 0, { 0, 0, 0, (1u << 11) | (1u << 20) | (1u << 29) } }, /* SYSCALL, NX, long mode */
    { 0x80000008u, MSR_CPUID_ANY_SUBLEAF, { 0x3030, 0, 0, 0 } },          /* 48-bit addresses */
};
static const struct msr_cpuid_table table = { leaves, 4 };

static struct msr_vmx_msr_bitmap bitmap; /* in a VMM: 4 KiB aligned, its physical address in the VMCS */

static void show(const char *what, enum msr_virt_result r, const struct msr_virt_vcpu *v)
{
    if (r == MSR_VIRT_INJECT_GP)
        printf("%-34s %s: %s\n", what, msr_virt_result_name(r), v->reason); /* why, in a static sentence */
    else
        printf("%-34s %s\n", what, msr_virt_result_name(r));
}

int main(void)
{
    struct msr_cpuid_source cpuid = msr_cpuid_table_source(&table); /* lives as long as the facts */
    struct msr_facts facts = { &cpuid, NULL, NULL };
    struct msr_virt_vcpu vcpu = { &facts, 0, NULL, NULL, -1, NULL };
    unsigned intercepted = 0;
    uint64_t value = 0;

    if (msr_virt_policy_check(&policy, NULL) != MSR_OK || msr_virt_vmx_bitmap_build(&policy, &bitmap) != MSR_OK)
        return 1;
    msr_vmx_msr_bitmap_query(&bitmap, MSR_IA32_EFER_ADDR, &intercepted);
    printf("IA32_EFER exits: %s\n", intercepted ? "yes" : "no");
    msr_vmx_msr_bitmap_query(&bitmap, MSR_IA32_PLATFORM_ID_ADDR, &intercepted);
    printf("IA32_PLATFORM_ID exits: %s\n", intercepted ? "yes" : "no");

    show("rdmsr IA32_PLATFORM_ID", msr_virt_rdmsr(&policy, &vcpu, MSR_IA32_PLATFORM_ID_ADDR, &value), &vcpu);
    show("wrmsr IA32_EFER LME|NXE", msr_virt_wrmsr(&policy, &vcpu, MSR_IA32_EFER_ADDR, 0x900), &vcpu);
    show("wrmsr IA32_EFER SVME (AMD's bit)", msr_virt_wrmsr(&policy, &vcpu, MSR_IA32_EFER_ADDR, 0x1000), &vcpu);
    show("wrmsr IA32_LSTAR non-canonical", msr_virt_wrmsr(&policy, &vcpu, MSR_IA32_LSTAR_ADDR, 1ull << 47), &vcpu);
    show("rdmsr IA32_TSC_AUX (not listed)", msr_virt_rdmsr(&policy, &vcpu, MSR_IA32_TSC_AUX_ADDR, &value), &vcpu);
    return 0;
}
