/*
 * Compile-matrix probe: the generated headers alone, every kind of accessor
 * expanded, under -Wall -Wextra -Werror -pedantic -Wconversion (C and C++,
 * hosted and freestanding). Nothing here runs; compiling warning-free is the
 * test.
 */
#include "x86msr/msrs.h"

#ifdef __cplusplus
extern "C" {
#endif
uint64_t probe_typed_access(void);
int probe_safe_access(void);
uint64_t probe_array_access(unsigned bank);
#ifdef __cplusplus
}
#endif

uint64_t probe_typed_access(void)
{
    msr_ia32_efer_t efer = msr_ia32_efer_read();
    msr_ia32_pat_t pat = { 0 };
    uint64_t pa0, sysret_cs;

    efer = MSR_SET(IA32_EFER, NXE, efer, 1);
    msr_ia32_efer_write(efer);
    (void)msr_ia32_efer_modify(MSR_BITS(IA32_EFER, SCE), MSR_ZERO(IA32_EFER));
    (void)msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_OR(MSR_BITS(IA32_EFER, NXE), MSR_BITS(IA32_EFER, SCE)));
    pat = MSR_SET(IA32_PAT, PA1, pat, MSR_MEMORY_TYPE_WC);
    (void)msr_ia32_pat_modify(MSR_BITS(IA32_PAT, PA2), MSR_MAKE(IA32_PAT, PA2, MSR_MEMORY_TYPE_UC_MINUS));
    /* values built by MSR_MAKE combine (MSR_MAKE's checks are no parameter of MSR_OR's) */
    (void)msr_ia32_pat_modify(MSR_OR(MSR_BITS(IA32_PAT, PA2), MSR_BITS(IA32_PAT, PA3)),
                              MSR_OR(MSR_MAKE(IA32_PAT, PA2, MSR_MEMORY_TYPE_WC),
                                     MSR_MAKE(IA32_PAT, PA3, MSR_MEMORY_TYPE_WT)));
    pa0 = MSR_GET(IA32_PAT, PA0, pat);
    sysret_cs = MSR_GET(IA32_STAR, SYSRET_CS_SS, msr_ia32_star_read());
    return efer.raw ^ pat.raw ^ msr_ia32_vmx_basic_read().raw ^ MSR_VMX_PINBASED_NMI_EXITING ^ pa0 ^
           sysret_cs ^ msr_rdmsr(MSR_IA32_TSC_AUX_ADDR) ^ (uint64_t)MSR_SHIFT(IA32_PAT, PA2) ^
           (uint64_t)MSR_WIDTH(IA32_STAR, SYSRET_CS_SS);
}

int probe_safe_access(void)
{
    msr_ia32_vmx_basic_t basic;
    msr_ia32_feature_control_t fc;
    int status = msr_ia32_vmx_basic_read_safe(&basic);
    if (status == MSR_OK) {
        msr_ia32_lstar_t lstar = { basic.raw };
        status = msr_ia32_lstar_write_safe(lstar);
    }
    if (status == MSR_OK)
        status = msr_ia32_feature_control_modify_safe(MSR_ZERO(IA32_FEATURE_CONTROL),
                                                      MSR_BITS(IA32_FEATURE_CONTROL, LOCK), &fc);
    return status < 0 ? status : msr_wrmsr_safe(MSR_IA32_TSC_AUX_ADDR, 0);
}

uint64_t probe_array_access(unsigned bank)
{
    msr_ia32_mcx_status_t status = msr_ia32_mcx_status_read(bank);
    msr_ia32_mcx_ctl_t ctl = { ~UINT64_C(0) };
    msr_ia32_mtrr_physbasex_t base;

    msr_ia32_mcx_ctl_write(bank, ctl);
    (void)msr_ia32_mcx_status_write_safe(bank, status);
    (void)msr_ia32_mtrr_physbasex_read_safe(bank, &base);
    (void)msr_ia32_mtrr_physbasex_modify(bank, MSR_BITS(IA32_MTRR_PHYSBASEx, TYPE),
                                         MSR_MAKE(IA32_MTRR_PHYSBASEx, TYPE, MSR_MTRR_MEMORY_TYPE_WB));
    return status.raw ^ base.raw ^ MSR_IA32_MCx_CTL_ADDR(bank) ^ MSR_IA32_MCx_CTL_ADDR(0) ^ MSR_IA32_MCx_CTL_COUNT;
}
