/* A library that asks the metadata for its overlay's register. */
#include <x86msr/meta.h>
#include <x86msr/msr_nvmm.h>

#include "hv.h"

const char *hv_register_name(void)
{
    const struct msr_instance *inst = msr_find_by_address(MSR_NVMM_GUEST_CTL_ADDR);

    return inst != NULL ? msr_name(inst) : "(none)";
}
