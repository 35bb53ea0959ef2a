/* Sentences for the VMX helpers' statuses (x86msr/vmx.h). Freestanding. */
#include <x86msr/vmx.h>

const char *msr_vmx_strerror(int status)
{
    switch (status) {
    case MSR_VMX_ERR_UNSUPPORTED:
        return "not supported by this CPU";
    case MSR_VMX_ERR_DISABLED:
        return "disabled and locked by firmware";
    default:
        return msr_strerror(status);
    }
}
