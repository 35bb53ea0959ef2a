/* Uses a private register the way x86msr's own are used: typed values,
 * field access, its check record and the metadata's lookups. */
#include <stdio.h>
#include <x86msr/meta.h>
#include <x86msr/msr_acme.h>
#include <x86msr/msr_defs.h>

int main(void)
{
    const struct msr_instance *ctl = msr_find_by_name("ACME_GUEST_CTL");
    msr_acme_guest_ctl_t v = { 0 };

    v = MSR_SET(ACME_GUEST_CTL, ENABLE, v, 1);
    v = MSR_SET(ACME_GUEST_CTL, MODE, v, MSR_ACME_GUEST_CTL_MODE_FAST);
    if (ctl == NULL || msr_def_of(ctl) != MSR_DEF(ACME_GUEST_CTL) || msr_find_by_name("IA32_EFER") == NULL)
        return 1;
    printf("%s 0x%08X %s 0x%llX\n", msr_name(ctl), (unsigned)ctl->address,
           msr_vendor_name(msr_def_of(ctl)->vendors), (unsigned long long)v.raw);
    return 0;
}
