/* A kernel-style translation unit that uses x86msr's headers alone: inline
 * rdmsr/wrmsr at ring 0, no library, no libc (docs/consuming.md). */
#include <x86msr/core.h>
#include <x86msr/msrs.h>

#define EFER_NXE (UINT64_C(1) << 11) /* IA32_EFER.NXE: no-execute page protection */

uint64_t kernel_enable_nx(void);
bool kernel_msr_present(uint32_t msr);

/* Turns on no-execute pages; returns IA32_EFER as it was. */
uint64_t kernel_enable_nx(void)
{
    uint64_t efer = msr_rdmsr(MSR_IA32_EFER_ADDR);

    msr_wrmsr(MSR_IA32_EFER_ADDR, efer | EFER_NXE);
    return efer;
}

/* Whether the CPU implements `msr`: a #GP becomes MSR_ERR_FAULT through the
 * msr_extable section, which your #GP handler consults (msr_extable_fixup). */
bool kernel_msr_present(uint32_t msr)
{
    uint64_t value;

    return msr_rdmsr_safe(msr, &value) == MSR_OK;
}
