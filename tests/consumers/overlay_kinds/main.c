/* Prints what the metadata linked into this program says about the overlay's
 * register: by name from main, by address from the library (where there is one). */
#include <stdio.h>
#include <x86msr/meta.h>
#include <x86msr/msr_nvmm.h>

#ifdef HAVE_HV_LIBRARY
#include "hv.h"
#endif

int main(void)
{
    const struct msr_instance *inst = msr_find_by_name("NVMM_GUEST_CTL");
    msr_nvmm_guest_ctl_t v = MSR_MAKE(NVMM_GUEST_CTL, ENABLE, 1);

    if (inst == NULL) {
        printf("NVMM_GUEST_CTL: not in the linked table\n");
        return 1;
    }
    printf("%s 0x%08X %s 0x%llX", msr_name(inst), (unsigned)inst->address,
           msr_def_of(inst)->vendors == MSR_VENDOR_NVMM ? "nvmm" : "?", (unsigned long long)v.raw);
#ifdef HAVE_HV_LIBRARY
    printf(" library:%s", hv_register_name());
#endif
    printf("\n");
    return 0;
}
