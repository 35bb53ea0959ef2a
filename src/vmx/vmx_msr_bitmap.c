/*
 * Intel VMX MSR bitmap (SDM Vol. 3C 25.6.9 "MSR-Bitmap Address"): four 1-KiB
 * bitmaps, read-low at 0, read-high at 1024, write-low at 2048, write-high
 * at 3072; low = MSRs 0-1FFFH, high = C0000000H-C0001FFFH.
 */
#include <x86msr/vmx.h>

#include "vmx_intercept.h"

static const struct msr_vmx_map_layout vmx_layout = {
    .size = MSR_VMX_MSR_BITMAP_SIZE,
    .range_count = 2,
    .base = {0x00000000u, 0xC0000000u},
    .offset = {0, 1024},
    .msrs_per_range = 0x2000,
    .interleaved = false,
    .write_delta = 2048,
};

int msr_vmx_msr_bitmap_intercept_all(struct msr_vmx_msr_bitmap *bitmap)
{
    return msr_vmx_map_fill(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, true);
}

int msr_vmx_msr_bitmap_pass_all(struct msr_vmx_msr_bitmap *bitmap)
{
    return msr_vmx_map_fill(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, false);
}

int msr_vmx_msr_bitmap_set(struct msr_vmx_msr_bitmap *bitmap, uint32_t msr, unsigned access)
{
    return msr_vmx_map_change(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, msr, access, true);
}

int msr_vmx_msr_bitmap_clear(struct msr_vmx_msr_bitmap *bitmap, uint32_t msr, unsigned access)
{
    return msr_vmx_map_change(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, msr, access, false);
}

int msr_vmx_msr_bitmap_query(const struct msr_vmx_msr_bitmap *bitmap, uint32_t msr, unsigned *intercepted)
{
    return msr_vmx_map_query(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, msr, intercepted);
}

int msr_vmx_msr_bitmap_locate(uint32_t msr, unsigned access, size_t *byte, unsigned *bit)
{
    return msr_vmx_map_locate(&vmx_layout, msr, access, byte, bit);
}

static const struct msr_vmx_msr_range vmx_ranges[] = {
    {0x00000000u, 0x00001FFFu},
    {0xC0000000u, 0xC0001FFFu},
};

size_t msr_vmx_msr_bitmap_ranges(const struct msr_vmx_msr_range **ranges)
{
    if (ranges != NULL)
        *ranges = vmx_ranges;
    return sizeof vmx_ranges / sizeof vmx_ranges[0];
}

int msr_vmx_msr_bitmap_set_range(struct msr_vmx_msr_bitmap *bitmap, uint32_t first, uint32_t last, unsigned access)
{
    return msr_vmx_map_change_range(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, first, last, access, true);
}

int msr_vmx_msr_bitmap_clear_range(struct msr_vmx_msr_bitmap *bitmap, uint32_t first, uint32_t last, unsigned access)
{
    return msr_vmx_map_change_range(&vmx_layout, bitmap != NULL ? bitmap->bytes : NULL, first, last, access, false);
}
