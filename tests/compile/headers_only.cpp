/*
 * Compile-matrix probe: the generated headers alone, every inline function
 * instantiated, under -Wall -Wextra -Werror -pedantic (C and C++, hosted and
 * freestanding). Nothing here runs; compiling warning-free is the test.
 */
#include "x86msr/msrs.h"

#ifdef __cplusplus
extern "C" {
#endif
uint64_t probe_typed_access(void);
int probe_safe_access(void);
#ifdef __cplusplus
}
#endif

uint64_t probe_typed_access(void)
{
    msr_ia32_efer_t efer = msr_ia32_efer_read();
    msr_ia32_pat_t pat = msr_ia32_pat_from_raw(0);

    efer = msr_ia32_efer_nxe_set(efer, 1);
    msr_ia32_efer_write(efer);
    (void)msr_ia32_efer_modify(MSR_IA32_EFER_SCE_MASK, 0);
    pat = msr_ia32_pat_pa1_set(pat, MSR_MEMORY_TYPE_WC);
    return efer.raw ^ pat.raw ^ msr_ia32_vmx_basic_read().raw ^ MSR_VMX_PINBASED_NMI_EXITING;
}

int probe_safe_access(void)
{
    msr_ia32_vmx_basic_t basic;
    int status = msr_ia32_vmx_basic_read_safe(&basic);
    if (status == MSR_OK)
        status = msr_ia32_lstar_write_safe(msr_ia32_lstar_from_raw(basic.raw));
    return status;
}
