/* The code under test: a consumer's function that uses MSRs. Built with
 * MSR_BACKEND_OPS (from x86msr::test_backend) in the test, it runs on x86msr's
 * in-memory register file; built without, it is inline rdmsr/wrmsr. */
#include <x86msr/core.h>
#include <x86msr/msrs.h>

#include "enable_nx.h"

#define EFER_NXE (UINT64_C(1) << 11)

int enable_nx(void)
{
    uint64_t efer;

    if (msr_rdmsr_safe(MSR_IA32_EFER_ADDR, &efer) != MSR_OK)
        return -1;
    if (efer & EFER_NXE)
        return 0;
    msr_wrmsr(MSR_IA32_EFER_ADDR, efer | EFER_NXE);
    return 1;
}
