/*
 * Internal to x86msr_vmx: the one engine behind both MSR intercept maps.
 * Intel's VMX MSR bitmap and AMD's SVM MSR permission map differ only in
 * layout (which MSR ranges, where each range's bits start, one bit per
 * access in separate read/write halves or two adjacent bits per MSR), so
 * the layout is data and the bit arithmetic is written once.
 */
#ifndef X86MSR_VMX_INTERCEPT_H
#define X86MSR_VMX_INTERCEPT_H

#include "x86msr/core.h" /* bool, size_t, uint8_t ... (libc's or, in Linux, the kernel's) */

#define MSR_VMX_MAP_MAX_RANGES 3

struct msr_vmx_map_layout {
    size_t size;                               /* bytes in the map */
    unsigned range_count;
    uint32_t base[MSR_VMX_MAP_MAX_RANGES];     /* first MSR of each range */
    size_t offset[MSR_VMX_MAP_MAX_RANGES];     /* byte where its (read) bits start */
    uint32_t msrs_per_range;                   /* 0x2000 in both maps */
    bool interleaved;   /* AMD: two bits per MSR, read even, write odd */
    size_t write_delta; /* Intel: write bits sit this many bytes after the read bits */
};

int msr_vmx_map_locate(const struct msr_vmx_map_layout *layout, uint32_t msr, unsigned access, size_t *byte,
                       unsigned *bit);
int msr_vmx_map_fill(const struct msr_vmx_map_layout *layout, uint8_t *bytes, bool intercept);
int msr_vmx_map_change(const struct msr_vmx_map_layout *layout, uint8_t *bytes, uint32_t msr, unsigned access,
                       bool intercept);
int msr_vmx_map_change_range(const struct msr_vmx_map_layout *layout, uint8_t *bytes, uint32_t first, uint32_t last,
                             unsigned access, bool intercept);
int msr_vmx_map_query(const struct msr_vmx_map_layout *layout, const uint8_t *bytes, uint32_t msr,
                      unsigned *intercepted);

#endif
