/*
 * IA32_FEATURE_CONTROL (SDM Vol. 3C 24.7, "Enabling and Entering VMX
 * Operation"): VMXON needs the lock bit and the enable bit for the current
 * SMX mode. Firmware usually sets and locks it; when it did not, the OS must,
 * and once locked only a reset changes it. The decision is a pure function
 * so that every case is testable without hardware; the wrapper only reads
 * and writes.
 */
#include <x86msr/vmx.h>

int msr_vmx_feature_control_decide(uint64_t current, bool inside_smx, bool smx_supported,
                                 struct msr_vmx_feature_control_plan *out)
{
    const uint64_t lock = MSR_IA32_FEATURE_CONTROL_LOCK_MASK;
    const uint64_t outside = MSR_IA32_FEATURE_CONTROL_ENABLE_VMX_OUTSIDE_SMX_MASK;
    const uint64_t inside = MSR_IA32_FEATURE_CONTROL_ENABLE_VMX_INSIDE_SMX_MASK;

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->write = false;
    out->value = current;
    out->vmx_outside_smx = (current & outside) != 0;
    out->vmx_inside_smx = (current & inside) != 0;
    if (current & lock)
        return out->vmx_outside_smx ? MSR_OK : MSR_VMX_ERR_DISABLED;
    /* Unlocked: keep what firmware chose (SGX, LMCE, SENTER enables), add
     * ours, lock. Setting the inside-SMX bit without SMX raises #GP, so it
     * is only added where SMX exists. */
    out->value = current | outside | lock;
    if (inside_smx && smx_supported)
        out->value |= inside;
    out->write = true;
    out->vmx_outside_smx = true;
    out->vmx_inside_smx = (out->value & inside) != 0;
    return MSR_OK;
}

int msr_vmx_feature_control_enable_with(msr_read_fn read, msr_write_fn write, void *ctx,
                                        bool inside_smx, bool smx_supported,
                                        struct msr_vmx_feature_control_plan *out)
{
    struct msr_vmx_feature_control_plan plan;
    uint64_t current = 0;
    int status;

    if (out != NULL) {
        out->write = out->vmx_outside_smx = out->vmx_inside_smx = false;
        out->value = 0;
    }
    if (read == NULL || write == NULL)
        return MSR_ERR_INVALID;
    status = read(ctx, MSR_IA32_FEATURE_CONTROL_ADDR, &current);
    if (status != MSR_OK)
        return status;
    status = msr_vmx_feature_control_decide(current, inside_smx, smx_supported, &plan);
    if (status == MSR_OK && plan.write)
        status = write(ctx, MSR_IA32_FEATURE_CONTROL_ADDR, plan.value);
    if (out != NULL)
        *out = plan;
    return status;
}
