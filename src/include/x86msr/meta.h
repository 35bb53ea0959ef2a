/*
 * x86msr metadata: every MSR of the spec as constant data, for tools, logs and
 * MSR-exit handlers ("guest wrote IA32_VMX_BASIC", not "guest wrote 0x480").
 *
 * The table itself is generated from spec/msrs.yaml (msr_table.c); the lookups
 * are in src/core/msr_meta.c. Array registers appear once per instance.
 */
#ifndef X86MSR_META_H
#define X86MSR_META_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Access mode of a register or a field (spec/README.md, "Access modes"). */
enum msr_access {
    MSR_ACCESS_RO = 0,
    MSR_ACCESS_RW = 1,
    MSR_ACCESS_WO = 2,
    MSR_ACCESS_RW1C = 3,
    MSR_ACCESS_RWO = 4
};

/* Vendor bits of msr_info.vendors. */
enum msr_vendor {
    MSR_VENDOR_INTEL = 1u << 0,
    MSR_VENDOR_AMD = 1u << 1
};

/* CPUID output register of a presence condition. */
enum msr_cpuid_reg {
    MSR_CPUID_EAX = 0,
    MSR_CPUID_EBX = 1,
    MSR_CPUID_ECX = 2,
    MSR_CPUID_EDX = 3
};

struct msr_enum_value {
    const char *name;
    uint64_t value;
    const char *description;
};

struct msr_field_info {
    const char *name;
    uint8_t msb;
    uint8_t lsb;
    uint8_t access;    /* enum msr_access */
    bool has_reset;
    uint64_t reset;
    const char *description;
    const struct msr_enum_value *enum_values; /* NULL when not enumerated */
    uint16_t enum_count;
};

/* "CPUID.(leaf, subleaf):reg[bit] = 1". */
struct msr_cpuid_cond {
    uint32_t leaf;
    uint32_t subleaf;
    uint8_t reg; /* enum msr_cpuid_reg */
    uint8_t bit;
};

struct msr_info {
    const char *name;          /* instance name: IA32_MTRR_PHYSBASE3 */
    uint32_t address;
    const char *category;
    uint8_t access;            /* MSR_ACCESS_RO, _RW or _WO */
    uint8_t vendors;           /* enum msr_vendor bits */
    const char *description;
    const char *ref;           /* where it is documented; "" if unknown */
    const char *const *aliases;
    uint16_t alias_count;
    const struct msr_field_info *fields;
    uint16_t field_count;
    uint64_t reserved_mask;    /* bits no field covers */
    const struct msr_cpuid_cond *cpuid; /* any one suffices; NULL = no condition */
    uint16_t cpuid_count;
    const char *condition;     /* a presence condition CPUID cannot express, or NULL */
    const char *array_name;    /* IA32_MTRR_PHYSBASE{n}, or NULL when not an array */
    uint32_t array_index;
    uint32_t array_count;
};

/* All MSRs, sorted by address (generated). */
extern const struct msr_info msr_table[];
extern const size_t msr_table_count;

/* The MSR at `address`, or NULL. Binary search. Where vendors define different
 * registers at one address, the first in table order (see the next function). */
const struct msr_info *msr_find_by_address(uint32_t address);

/* The MSR at `address` that `vendor` (enum msr_vendor bits) documents; where no
 * entry there names that vendor, the same answer as msr_find_by_address(). */
const struct msr_info *msr_find_by_address_for_vendor(uint32_t address, unsigned vendor);

/* The MSR called `name` (case-insensitive; aliases count), or NULL. */
const struct msr_info *msr_find_by_name(const char *name);

/* The field called `name` (case-insensitive) of `msr`, or NULL. */
const struct msr_field_info *msr_find_field(const struct msr_info *msr, const char *name);

/* Field value of `raw`, and `raw` with the field replaced (excess bits of
 * `value` are dropped). */
uint64_t msr_field_extract(const struct msr_field_info *field, uint64_t raw);
uint64_t msr_field_insert(const struct msr_field_info *field, uint64_t raw, uint64_t value);

/* The enum name of `value` in `field`, or NULL. */
const char *msr_field_enum_name(const struct msr_field_info *field, uint64_t value);

/* Lower-case name of an msr_access value ("rw1c"). */
const char *msr_access_name(unsigned access);

/* ---- VMX control sets (spec: vmx_control_sets) ---- */

struct msr_vmx_control_bit {
    uint8_t bit;
    const char *name;         /* USE_MSR_BITMAPS */
    const char *description;  /* "Use MSR bitmaps" */
};

struct msr_vmx_control_set_info {
    const char *name;         /* "secondary" */
    const char *description;  /* "Secondary processor-based VM-execution controls" */
    uint8_t width;            /* 32 or 64 */
    uint32_t capability;      /* IA32_VMX_PROCBASED_CTLS2 */
    uint32_t true_capability; /* 0 when the set has no TRUE_* MSR */
    const struct msr_vmx_control_bit *bits;
    uint16_t bit_count;
};

/* Indexed by the generated `enum msr_vmx_control_set_id`. */
extern const struct msr_vmx_control_set_info msr_vmx_control_sets[];
extern const size_t msr_vmx_control_set_count;

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_META_H */
