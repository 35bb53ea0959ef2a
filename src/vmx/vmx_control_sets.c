/*
 * What the snapshot says about each control set: allowed-0/allowed-1 (from
 * TRUE_* where it exists), default settings, the per-bit state that
 * `x86msr vmxcap` prints, and the spec's names for the bits.
 */
#include <x86msr/vmx.h>

#define BIT(n) (UINT64_C(1) << (n))

static bool is_cap_msr(uint32_t msr)
{
    return msr >= MSR_IA32_VMX_BASIC_ADDR && msr - MSR_IA32_VMX_BASIC_ADDR < MSR_VMX_CAP_COUNT;
}

static bool set_in_range(enum msr_vmx_control_set_id set)
{
    return (unsigned)set < MSR_VMX_CTLS_COUNT && (size_t)set < msr_vmx_control_set_count;
}

static enum msr_vmx_cap_msr cap_index(uint32_t address)
{
    return (enum msr_vmx_cap_msr)(address - MSR_IA32_VMX_BASIC_ADDR);
}

int msr_vmx_caps_control_set(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set,
                             struct msr_vmx_control_caps *out)
{
    const struct msr_vmx_control_set_info *info;
    uint64_t raw;

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->allowed0 = out->allowed1 = out->defaults = 0;
    out->has_true = false;
    if (caps == NULL || !set_in_range(set))
        return MSR_ERR_INVALID;
    info = &msr_vmx_control_sets[set];
    if (!is_cap_msr(info->capability) || !msr_vmx_caps_has(caps, cap_index(info->capability)))
        return MSR_VMX_ERR_UNSUPPORTED;
    raw = caps->value[cap_index(info->capability)];
    if (info->width == 64) {
        out->allowed1 = raw; /* tertiary, exit2: allowed-1 bits only */
        return MSR_OK;
    }
    out->allowed0 = raw & UINT64_C(0xFFFFFFFF);
    out->allowed1 = raw >> 32;
    out->defaults = out->allowed0;
    if (info->true_capability != 0 && is_cap_msr(info->true_capability) &&
        msr_vmx_caps_has(caps, cap_index(info->true_capability))) {
        raw = caps->value[cap_index(info->true_capability)];
        out->allowed0 = raw & UINT64_C(0xFFFFFFFF);
        out->allowed1 = raw >> 32;
        out->has_true = true;
    }
    return MSR_OK;
}

enum msr_vmx_bit_state msr_vmx_control_bit_state(const struct msr_vmx_control_caps *caps, unsigned bit)
{
    uint64_t mask;

    if (caps == NULL || bit > 63)
        return MSR_VMX_BIT_NO;
    mask = BIT(bit);
    if (!(caps->allowed1 & mask))
        return MSR_VMX_BIT_NO;
    if (caps->allowed0 & mask)
        return MSR_VMX_BIT_FORCED;
    if (caps->has_true && (caps->defaults & mask))
        return MSR_VMX_BIT_DEFAULT;
    return MSR_VMX_BIT_YES;
}

const char *msr_vmx_bit_state_name(enum msr_vmx_bit_state state)
{
    switch (state) {
    case MSR_VMX_BIT_NO:
        return "no";
    case MSR_VMX_BIT_YES:
        return "yes";
    case MSR_VMX_BIT_FORCED:
        return "forced";
    case MSR_VMX_BIT_DEFAULT:
        return "default";
    }
    return "?";
}

const struct msr_vmx_control_bit *msr_vmx_control_bit_find(enum msr_vmx_control_set_id set, unsigned bit)
{
    const struct msr_vmx_control_set_info *info;
    uint16_t i;

    if (!set_in_range(set))
        return NULL;
    info = &msr_vmx_control_sets[set];
    for (i = 0; i < info->bit_count; i++)
        if (info->bits[i].bit == bit)
            return &info->bits[i];
    return NULL;
}

uint64_t msr_vmx_control_set_named_mask(enum msr_vmx_control_set_id set)
{
    const struct msr_vmx_control_set_info *info;
    uint64_t mask = 0;
    uint16_t i;

    if (!set_in_range(set))
        return 0;
    info = &msr_vmx_control_sets[set];
    for (i = 0; i < info->bit_count; i++)
        if (info->bits[i].bit < 64)
            mask |= BIT(info->bits[i].bit);
    return mask;
}
