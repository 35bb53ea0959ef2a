/*
 * AMD SVM MSR permission map (APM Vol. 2 15.11 "MSR Intercepts"): 8 KiB,
 * two bits per MSR (even = read, odd = write), four MSRs per byte; bytes
 * 0-7FFH for MSRs 0-1FFFH, 800H-FFFH for C0000000H-C0001FFFH, 1000H-17FFH
 * for C0010000H-C0011FFFH, 1800H-1FFFH reserved.
 */
#include <x86msr/vmx.h>

#include "vmx_intercept.h"

static const struct msr_vmx_map_layout svm_layout = {
    .size = MSR_VMX_SVM_MSRPM_SIZE,
    .range_count = 3,
    .base = {0x00000000u, 0xC0000000u, 0xC0010000u},
    .offset = {0x0000, 0x0800, 0x1000},
    .msrs_per_range = 0x2000,
    .interleaved = true,
    .write_delta = 0,
};

int msr_vmx_svm_msrpm_intercept_all(struct msr_vmx_svm_msrpm *map)
{
    return msr_vmx_map_fill(&svm_layout, map != NULL ? map->bytes : NULL, true);
}

int msr_vmx_svm_msrpm_pass_all(struct msr_vmx_svm_msrpm *map)
{
    return msr_vmx_map_fill(&svm_layout, map != NULL ? map->bytes : NULL, false);
}

int msr_vmx_svm_msrpm_set(struct msr_vmx_svm_msrpm *map, uint32_t msr, unsigned access)
{
    return msr_vmx_map_change(&svm_layout, map != NULL ? map->bytes : NULL, msr, access, true);
}

int msr_vmx_svm_msrpm_clear(struct msr_vmx_svm_msrpm *map, uint32_t msr, unsigned access)
{
    return msr_vmx_map_change(&svm_layout, map != NULL ? map->bytes : NULL, msr, access, false);
}

int msr_vmx_svm_msrpm_query(const struct msr_vmx_svm_msrpm *map, uint32_t msr, unsigned *intercepted)
{
    return msr_vmx_map_query(&svm_layout, map != NULL ? map->bytes : NULL, msr, intercepted);
}

int msr_vmx_svm_msrpm_locate(uint32_t msr, unsigned access, size_t *byte, unsigned *bit)
{
    return msr_vmx_map_locate(&svm_layout, msr, access, byte, bit);
}

static const struct msr_vmx_msr_range svm_ranges[] = {
    {0x00000000u, 0x00001FFFu},
    {0xC0000000u, 0xC0001FFFu},
    {0xC0010000u, 0xC0011FFFu},
};

size_t msr_vmx_svm_msrpm_ranges(const struct msr_vmx_msr_range **ranges)
{
    if (ranges != NULL)
        *ranges = svm_ranges;
    return sizeof svm_ranges / sizeof svm_ranges[0];
}

int msr_vmx_svm_msrpm_set_range(struct msr_vmx_svm_msrpm *map, uint32_t first, uint32_t last, unsigned access)
{
    return msr_vmx_map_change_range(&svm_layout, map != NULL ? map->bytes : NULL, first, last, access, true);
}

int msr_vmx_svm_msrpm_clear_range(struct msr_vmx_svm_msrpm *map, uint32_t first, uint32_t last, unsigned access)
{
    return msr_vmx_map_change_range(&svm_layout, map != NULL ? map->bytes : NULL, first, last, access, false);
}
