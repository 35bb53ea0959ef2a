/*
 * The intercept-map engine (vmx_intercept.h). Every MSR number is checked
 * against the layout's ranges before any index is computed, so an address
 * outside them can never turn into an out-of-bounds write.
 */
#include "vmx_intercept.h"

#include <x86msr/vmx.h>

/* The range holding `msr` and its index inside it; false when none does. */
static bool find_range(const struct msr_vmx_map_layout *layout, uint32_t msr, unsigned *range, uint32_t *index)
{
    unsigned r;

    for (r = 0; r < layout->range_count; r++) {
        /* Unsigned subtraction: msr < base wraps to a huge value and fails. */
        if (msr >= layout->base[r] && msr - layout->base[r] < layout->msrs_per_range) {
            *range = r;
            *index = msr - layout->base[r];
            return true;
        }
    }
    return false;
}

static bool one_access(unsigned access)
{
    return access == MSR_VMX_INTERCEPT_READ || access == MSR_VMX_INTERCEPT_WRITE;
}

static void position(const struct msr_vmx_map_layout *layout, unsigned range, uint32_t index, unsigned access,
                     size_t *byte, unsigned *bit)
{
    bool write = access == MSR_VMX_INTERCEPT_WRITE;

    if (layout->interleaved) {
        uint32_t bit_number = index * 2u + (write ? 1u : 0u);
        *byte = layout->offset[range] + bit_number / 8u;
        *bit = bit_number % 8u;
    } else {
        *byte = layout->offset[range] + index / 8u + (write ? layout->write_delta : 0);
        *bit = index % 8u;
    }
}

int msr_vmx_map_locate(const struct msr_vmx_map_layout *layout, uint32_t msr, unsigned access, size_t *byte,
                       unsigned *bit)
{
    unsigned range;
    uint32_t index;

    if (byte == NULL || bit == NULL || !one_access(access))
        return MSR_ERR_INVALID;
    *byte = 0;
    *bit = 0;
    if (!find_range(layout, msr, &range, &index))
        return MSR_ERR_RANGE;
    position(layout, range, index, access, byte, bit);
    return MSR_OK;
}

static void fill_bytes(uint8_t *bytes, size_t from, size_t count, uint8_t value)
{
    size_t i;

    for (i = 0; i < count; i++)
        bytes[from + i] = value;
}

int msr_vmx_map_fill(const struct msr_vmx_map_layout *layout, uint8_t *bytes, bool intercept)
{
    /* Bytes of one range's bits for one access (Intel) or both (AMD). */
    size_t range_bytes = layout->msrs_per_range / 8u * (layout->interleaved ? 2u : 1u);
    unsigned r;

    if (bytes == NULL)
        return MSR_ERR_INVALID;
    fill_bytes(bytes, 0, layout->size, 0xFF);
    if (intercept)
        return MSR_OK;
    /* Pass-through clears only the bits of real ranges: reserved bytes
     * (AMD's last 2 KiB) stay set. */
    for (r = 0; r < layout->range_count; r++) {
        fill_bytes(bytes, layout->offset[r], range_bytes, 0);
        if (!layout->interleaved)
            fill_bytes(bytes, layout->offset[r] + layout->write_delta, range_bytes, 0);
    }
    return MSR_OK;
}

int msr_vmx_map_change(const struct msr_vmx_map_layout *layout, uint8_t *bytes, uint32_t msr, unsigned access,
                       bool intercept)
{
    static const unsigned each[2] = {MSR_VMX_INTERCEPT_READ, MSR_VMX_INTERCEPT_WRITE};
    unsigned range, i;
    uint32_t index;

    if (bytes == NULL || access == MSR_VMX_INTERCEPT_NONE || (access & ~(unsigned)MSR_VMX_INTERCEPT_READ_WRITE))
        return MSR_ERR_INVALID;
    if (!find_range(layout, msr, &range, &index))
        return MSR_ERR_RANGE;
    for (i = 0; i < 2; i++) {
        size_t byte;
        unsigned bit;

        if (!(access & each[i]))
            continue;
        position(layout, range, index, each[i], &byte, &bit);
        if (intercept)
            bytes[byte] = (uint8_t)(bytes[byte] | (1u << bit));
        else
            bytes[byte] = (uint8_t)(bytes[byte] & ~(1u << bit));
    }
    return MSR_OK;
}

int msr_vmx_map_query(const struct msr_vmx_map_layout *layout, const uint8_t *bytes, uint32_t msr,
                      unsigned *intercepted)
{
    static const unsigned each[2] = {MSR_VMX_INTERCEPT_READ, MSR_VMX_INTERCEPT_WRITE};
    unsigned range, i;
    uint32_t index;

    if (intercepted == NULL)
        return MSR_ERR_INVALID;
    /* Whatever goes wrong, the safe answer is "intercepted". */
    *intercepted = MSR_VMX_INTERCEPT_READ_WRITE;
    if (bytes == NULL)
        return MSR_ERR_INVALID;
    if (!find_range(layout, msr, &range, &index))
        return MSR_ERR_RANGE;
    *intercepted = MSR_VMX_INTERCEPT_NONE;
    for (i = 0; i < 2; i++) {
        size_t byte;
        unsigned bit;

        position(layout, range, index, each[i], &byte, &bit);
        if (bytes[byte] & (1u << bit))
            *intercepted |= each[i];
    }
    return MSR_OK;
}

int msr_vmx_map_change_range(const struct msr_vmx_map_layout *layout, uint8_t *bytes, uint32_t first, uint32_t last,
                             unsigned access, bool intercept)
{
    unsigned r;
    bool any = false;

    if (bytes == NULL || first > last || access == MSR_VMX_INTERCEPT_NONE ||
        (access & ~(unsigned)MSR_VMX_INTERCEPT_READ_WRITE))
        return MSR_ERR_INVALID;
    for (r = 0; r < layout->range_count; r++) {
        uint32_t range_last = layout->base[r] + (layout->msrs_per_range - 1u);
        uint32_t lo = first > layout->base[r] ? first : layout->base[r];
        uint32_t hi = last < range_last ? last : range_last;
        uint32_t msr;

        if (lo > hi)
            continue;
        any = true;
        /* lo..hi lies inside one range: no wrap-around, every change succeeds. */
        for (msr = lo;; msr++) {
            (void)msr_vmx_map_change(layout, bytes, msr, access, intercept);
            if (msr == hi)
                break;
        }
    }
    return any ? MSR_OK : MSR_ERR_RANGE;
}
