/*
 * Compile-fail probes of the register initializers of x86msr/virt.h: each
 * misuse must not compile (tests/compile/compile_fail.sh builds this file
 * once as the control, then once per switch; the cases and the error each
 * must name are in CMakeLists.txt).
 */
#include "x86msr/msrs.h"
#include "x86msr/virt.h"

static const struct msr_virt_entry entries[] = {
#if defined(ARRAY_OF_STRIDE_4)     /* the banks' IA32_MCi_CTL are 4 apart: a range would take in other registers */
    MSR_VIRT_ARRAY(IA32_MCx_CTL, MSR_VIRT_PASS, MSR_VIRT_PASS),
#elif defined(ARRAY_OF_A_REGISTER) /* IA32_EFER has no instances */
    MSR_VIRT_ARRAY(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS),
#elif defined(REG_OF_AN_ARRAY)     /* which instance? */
    MSR_VIRT_REG(IA32_MCx_CTL2, MSR_VIRT_PASS, MSR_VIRT_PASS),
#endif
    MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_ARRAY(IA32_MCx_CTL2, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    { MSR_IA32_MCx_CTL_ADDR(2), MSR_IA32_MCx_CTL_ADDR(2), MSR_VIRT_PASS, MSR_VIRT_PASS, 0u, 0u, NULL,
      MSR_DEF(IA32_MCx_CTL) },
};

const struct msr_virt_entry *entry_misuse_probe(void);

const struct msr_virt_entry *entry_misuse_probe(void)
{
    return entries;
}
