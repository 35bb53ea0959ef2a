/*
 * x86msr metadata: every MSR of the spec as constant data, for tools, logs and
 * MSR-exit handlers ("guest wrote IA32_VMX_BASIC", not "guest wrote 0x480").
 *
 * The table itself is generated from spec/msrs.yaml (msr_table.c), with the
 * enumerations of x86msr/msr_schema.h; the lookups are in src/core/msr_meta.c.
 * Array registers appear once per instance.
 */
#ifndef X86MSR_META_H
#define X86MSR_META_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "x86msr/msr_schema.h"

#ifdef __cplusplus
extern "C" {
#endif

struct msr_enum_value {
    const char *name;
    uint64_t value;
    const char *description;
};

/*
 * One node of a presence condition, stored in prefix order: a node of kind
 * ANY_OF or ALL_OF is followed by its children, `size` counts the node and
 * everything below it. Leaves test bits [msb:lsb] of a CPUID register (CPUID)
 * or of an MSR (MSR), compare a CPU family and model (FAMILY) or name a
 * processor state no fact shows (CONTEXT). See x86msr/cpuid.h for evaluation.
 */
#define MSR_CONDITION_BIT_IS_INDEX 0x1u     /* the bit tested is the array index */
#define MSR_CONDITION_OPERAND_IS_INDEX 0x2u /* the operand is the array index */

struct msr_condition {
    uint8_t kind;       /* enum msr_condition_kind */
    uint8_t compare;    /* enum msr_compare */
    uint8_t msb;
    uint8_t lsb;
    uint8_t reg;        /* CPUID: enum msr_cpuid_reg */
    uint8_t context;    /* CONTEXT: enum msr_context */
    uint8_t flags;      /* MSR_CONDITION_* */
    uint16_t size;      /* nodes in this subtree, itself included */
    uint32_t leaf;      /* CPUID */
    uint32_t subleaf;
    uint32_t msr;       /* MSR: the address (of instance 0 when msr_stride != 0) */
    uint32_t msr_stride;/* MSR: nonzero = the instance with the array index, msr + index * stride */
    uint32_t family;    /* FAMILY: display family */
    uint64_t operand;   /* the value compared with */
    const uint8_t *models; /* FAMILY: display models; none = every model */
    uint16_t model_count;
    const char *msr_name;  /* MSR: the register as the spec names it ("MCA{n}_CONFIG": the same index) */
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
    uint32_t vendors;  /* MSR_VENDOR_* bits; 0 = every vendor of the register */
    const struct msr_condition *present_if; /* NULL = wherever the register is */
    bool canonical;    /* holds a linear address that must be canonical */
    bool undocumented; /* implementation-specific bits: not reserved, never written through the typed API */
    bool counter;      /* counts (events, cycles, energy); wraps to 0 past its width */
    bool strict_enum;  /* only enum_values are valid: a WRMSR with another value here raises #GP */
};

struct msr_info {
    const char *name;          /* instance name: IA32_MTRR_PHYSBASE3 */
    uint32_t address;
    uint8_t category;          /* enum msr_category */
    uint8_t access;            /* MSR_ACCESS_RO, _RW or _WO */
    uint32_t vendors;          /* MSR_VENDOR_* bits */
    const char *description;
    const char *ref;           /* where it is documented; "" if unknown */
    const char *const *aliases;
    uint16_t alias_count;
    const struct msr_field_info *fields;
    uint16_t field_count;
    uint64_t reserved_mask;    /* bits no field covers: must be zero (on some processor, a field
                                  with vendors or present_if covers bits that are reserved elsewhere) */
    uint64_t writable_mask;    /* bits of fields software may change */
    uint64_t w1c_mask;         /* write-1-to-clear bits */
    const struct msr_condition *present_if; /* NULL: the spec gives no condition (presence unknown) */
    const char *array_name;    /* IA32_MTRR_PHYSBASE{n}, or NULL when not an array */
    uint32_t array_index;
    uint32_t array_count;
    uint32_t spec_line;        /* line of its entry in the spec */
};

/* All MSRs, sorted by address (generated). */
extern const struct msr_info msr_table[];
extern const size_t msr_table_count;

/* The MSR at `address`, or NULL. Binary search. Where vendors define different
 * registers at one address, the first in table order (see the next function). */
const struct msr_info *msr_find_by_address(uint32_t address);

/* The MSR at `address` that a vendor of `vendors` (MSR_VENDOR_* bits) documents;
 * where no entry there names one, the same answer as msr_find_by_address(). */
const struct msr_info *msr_find_by_address_for_vendor(uint32_t address, uint32_t vendors);

/* The MSR called `name` (case-insensitive; aliases count), or NULL. */
const struct msr_info *msr_find_by_name(const char *name);

/* The field called `name` (case-insensitive) of `msr`, or NULL. */
const struct msr_field_info *msr_find_field(const struct msr_info *msr, const char *name);

/* Field value of `raw`, and `raw` with the field replaced (excess bits of
 * `value` are dropped). */
uint64_t msr_field_extract(const struct msr_field_info *field, uint64_t raw);
uint64_t msr_field_insert(const struct msr_field_info *field, uint64_t raw, uint64_t value);

/* The mask of a field's bits. */
uint64_t msr_field_mask(const struct msr_field_info *field);

/* The enum name of `value` in `field`, or NULL. */
const char *msr_field_enum_name(const struct msr_field_info *field, uint64_t value);

/* ---- vendors and categories (the generated msr_schema.h enumerates them) ---- */

struct msr_vendor_info {
    const char *name;            /* "intel" */
    const char *title;           /* "Intel" */
    const char *description;
    uint32_t bit;                /* MSR_VENDOR_INTEL */
    uint32_t leaf;               /* CPUID leaf of its signature (0 or 40000000H); 0 with no signature */
    const char *signatures[2];   /* 12-character strings; NULL when unused */
    uint8_t registers[3];        /* enum msr_cpuid_reg: the order the signature is spelled in */
};

extern const struct msr_vendor_info msr_vendor_table[];
extern const size_t msr_vendor_table_count;

struct msr_category_info {
    const char *name;
    const char *description;
};

/* Indexed by enum msr_category. */
extern const struct msr_category_info msr_category_table[];

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
    int activated_by_set;     /* the set whose control turns this one on (enum msr_vmx_control_set_id), -1: always on */
    uint8_t activated_by_bit; /* that control's bit */
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
