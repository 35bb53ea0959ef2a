/*
 * x86msr metadata: every register of the spec as constant data, in two parts.
 *
 * Checks (this header's first half; freestanding, no pointers in the records):
 * what a presence test, a mask computation or an MSR-exit handler needs. Each
 * register definition of the spec is one constant object, its *record*: an
 * array of cells (union msr_cell) holding the definition itself (cell 0), its
 * masks (cell 1), one cell per field (cells 2 ...), then the nodes of its
 * presence conditions and the values of its strict enumerations. References
 * inside a record are cell numbers, so a record needs no relocation and a
 * linker that drops unreferenced data (-fdata-sections, --gc-sections) keeps
 * exactly the records a program names: x86msr/msr_defs.h declares each one
 * (MSR_IA32_EFER_DEF). The whole spec (struct msr_spec) indexes every record
 * and every concrete register (array instances expanded), sorted by address.
 *
 * Text (the second half): names, descriptions, references, aliases and the
 * names of enumerated values, for tools, logs and docs. It lives in its own
 * generated object, linked only by the code that asks for a name.
 *
 * Both are generated from the spec (msr_table.c, msr_text.c); the lookups are
 * in src/core/msr_meta.c, presence in x86msr/cpuid.h.
 */
#ifndef X86MSR_META_H
#define X86MSR_META_H

#include "x86msr/core.h"
#include "x86msr/msr_schema.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==========================================================================
 * Checks
 * ========================================================================== */

/* A cell number inside a record; 0 (the definition's own cell) means "none". */
#define MSR_NO_CELL 0u

/* Cell 0: the register definition. */
struct msr_def {
    uint32_t address;     /* of instance 0 */
    uint32_t stride;      /* address distance between array instances; 0 for a plain register */
    uint32_t vendors;     /* MSR_VENDOR_* bits: who documents it */
    uint16_t count;       /* instances: 1 for a plain register */
    uint16_t id;          /* its index in msr_spec.defs (and in the text tables) */
    uint16_t field_count; /* fields, in cells 2 .. field_count + 1, ascending bit order */
    uint16_t present_if;  /* cell of its presence condition; MSR_NO_CELL: the spec gives none */
    uint32_t flags;       /* MSR_REG_F_*: its attributes (x86msr/msr_schema.h) */
    uint8_t access;       /* MSR_ACCESS_RO, _RW or _WO */
    uint8_t category;     /* enum msr_category */
    uint8_t lock_field;   /* locked_by: 1 + the index of its lock field; 0: no lock */
    uint8_t lock_writes;  /* locked_by: enum msr_lock_writes, what a WRMSR does once locked */
    uint16_t writable_if; /* write_zero: cell of the condition under which any value may be written */
    uint16_t restore_after; /* restore_after: cell of the addresses of the registers restored before it */
    uint8_t restore_after_count; /* ... how many (MSR_CELL_ADDRESSES per cell) */
    uint8_t guest_state;  /* guest_state: enum msr_guest_state, where a VMM carries it (x86msr/guest.h) */
};

/*
 * Cell 1: the register's masks as the spec states them for every processor.
 * (cpuid.h's msr_masks_for() gives them for one processor.) The same struct
 * is the result type of msr_masks_for().
 */
struct msr_masks {
    uint64_t reserved;  /* bits no field covers: must be zero (a field with vendors or a
                           presence condition covers bits that are reserved elsewhere) */
    uint64_t writable;  /* bits of fields software may change */
    uint64_t w1c;       /* write-1-to-clear bits */
    uint64_t canonical; /* bits of fields that hold a canonical linear address */
};

/* A field. */
struct msr_field_info {
    uint64_t reset;       /* value after reset, when has_reset */
    uint32_t flags;       /* MSR_FIELD_F_*: its attributes (x86msr/msr_schema.h) */
    uint32_t vendors;     /* MSR_VENDOR_* bits that have it; 0 = every vendor of the register */
    uint32_t canonical_vendors; /* canonical: the vendors that check it; 0 = every vendor of the field */
    uint16_t present_if;  /* cell of its presence condition; MSR_NO_CELL: wherever the register is */
    uint16_t values;      /* strict_enum: cell of its valid values (value_count of them) */
    uint16_t writable_if; /* write_zero: cell of the condition under which any value may be written */
    uint8_t msb;
    uint8_t lsb;
    uint8_t access;       /* enum msr_access */
    uint8_t value_count;
    uint8_t has_reset;
    uint8_t merge;        /* merge: enum msr_merge, how a migration baseline combines it (x86msr/guest.h) */
};

/*
 * One node of a presence condition. A condition is a tree stored in prefix
 * order: a node of kind ANY_OF, ALL_OF or NOT is followed by its children, and
 * `size` counts the cells of the subtree, itself included. Leaves test bits
 * [msb:lsb] of a CPUID register (CPUID) or of another MSR (MSR: by address, so
 * the record names no other record), compare the CPU's family and model
 * (FAMILY: the models follow in model_count bytes of the next cells), name
 * a processor state no fact shows (CONTEXT) or hold on the array instance
 * whose index is `operand` only (INDEX). x86msr/cpuid.h evaluates them.
 */
#define MSR_CONDITION_BIT_IS_INDEX 0x1u     /* the bit tested is the array index */
#define MSR_CONDITION_OPERAND_IS_INDEX 0x2u /* the operand is the array index */

struct msr_condition {
    uint64_t operand;     /* the value compared with; INDEX: the instance's index */
    uint32_t leaf;        /* CPUID */
    uint32_t subleaf;
    uint32_t msr;         /* MSR: the address (of instance 0 when msr_stride != 0) */
    uint32_t msr_stride;  /* MSR: nonzero = the instance with the array index, msr + index * stride */
    uint16_t size;        /* cells of this subtree, itself included */
    uint16_t family;      /* FAMILY: display family */
    uint16_t msr_def;     /* MSR: the id of the register it names (for its name; the test uses msr) */
    uint8_t kind;         /* enum msr_condition_kind */
    uint8_t compare;      /* enum msr_compare */
    uint8_t msb;
    uint8_t lsb;
    uint8_t reg;          /* CPUID: enum msr_cpuid_reg */
    uint8_t context;      /* CONTEXT: enum msr_context */
    uint8_t flags;        /* MSR_CONDITION_* */
    uint8_t model_count;  /* FAMILY: display models in the following cells; 0 = every model */
};

#define MSR_CELL_MODELS 40 /* family models per cell */
#define MSR_CELL_VALUES 5  /* strict-enum values per cell */
#define MSR_CELL_ADDRESSES 10 /* register addresses per cell */

union msr_cell {
    struct msr_def def;
    struct msr_masks masks;
    struct msr_field_info field;
    struct msr_condition cond;
    uint8_t models[MSR_CELL_MODELS];
    uint64_t values[MSR_CELL_VALUES];
    uint32_t addresses[MSR_CELL_ADDRESSES];
};

/* One concrete register: a plain one, or one instance of an array. */
struct msr_instance {
    uint32_t address;
    uint16_t def;   /* msr_spec.defs[def] */
    uint16_t index; /* the array index; 0 for a plain register */
};

/* A whole spec: its records by id and its registers by address. */
struct msr_spec {
    const struct msr_def *const *defs; /* by id (struct msr_def.id) */
    const struct msr_instance *instances; /* ascending address (then name); where vendors
                                             define different registers at one address, each */
    uint32_t def_count;
    uint32_t instance_count;
};

/* The spec this library was generated from (with a project's overlays, when
 * it builds its own table: docs/consuming.md). Naming it links every record. */
extern const struct msr_spec msr_spec;

/* The record of register REG (as MSR_GET names it: IA32_EFER, IA32_MCx_CTL):
 * a const struct msr_def *. Needs x86msr/msr_defs.h; links that record only. */
#define MSR_DEF(reg) (&msr_def_##reg[0].def)

/* The cells of a record (cell 0 is the definition). */
MSR_ALWAYS_INLINE const union msr_cell *msr_def_cells(const struct msr_def *def)
{
    return (const union msr_cell *)(const void *)def;
}

/* Cell 1: the masks every processor shares. */
MSR_ALWAYS_INLINE const struct msr_masks *msr_def_masks(const struct msr_def *def)
{
    return &msr_def_cells(def)[1].masks;
}

/* Field i (i < field_count), in ascending bit order. */
MSR_ALWAYS_INLINE const struct msr_field_info *msr_def_field(const struct msr_def *def, unsigned i)
{
    return &msr_def_cells(def)[2 + i].field;
}

/* The field's index in its register (the inverse of msr_def_field). */
MSR_ALWAYS_INLINE unsigned msr_field_index(const struct msr_def *def, const struct msr_field_info *field)
{
    return (unsigned)((const union msr_cell *)(const void *)field - msr_def_cells(def)) - 2u;
}

/* The condition at `cell` of the record, or NULL for MSR_NO_CELL. */
MSR_ALWAYS_INLINE const struct msr_condition *msr_def_condition(const struct msr_def *def, uint16_t cell)
{
    return cell == MSR_NO_CELL ? (const struct msr_condition *)0 : &msr_def_cells(def)[cell].cond;
}

/* The cell of a condition node, its first child (ANY_OF, ALL_OF, NOT), and
 * model i (i < model_count) of a FAMILY node. */
MSR_ALWAYS_INLINE const union msr_cell *msr_condition_cell(const struct msr_condition *cond)
{
    return (const union msr_cell *)(const void *)cond;
}

MSR_ALWAYS_INLINE const struct msr_condition *msr_condition_child(const struct msr_condition *cond)
{
    return &msr_condition_cell(cond)[1].cond;
}

MSR_ALWAYS_INLINE uint8_t msr_condition_model(const struct msr_condition *cond, unsigned i)
{
    return msr_condition_cell(cond)[1 + i / MSR_CELL_MODELS].models[i % MSR_CELL_MODELS];
}

/* Value k (k < value_count) of a strict_enum field. */
MSR_ALWAYS_INLINE uint64_t msr_field_value(const struct msr_def *def, const struct msr_field_info *field, unsigned k)
{
    return msr_def_cells(def)[field->values + k / MSR_CELL_VALUES].values[k % MSR_CELL_VALUES];
}

/* Address k (k < restore_after_count) of the registers `def` is restored after:
 * of instance 0 for an array, which stands for every instance. */
MSR_ALWAYS_INLINE uint32_t msr_def_restore_after(const struct msr_def *def, unsigned k)
{
    return msr_def_cells(def)[def->restore_after + k / MSR_CELL_ADDRESSES].addresses[k % MSR_CELL_ADDRESSES];
}

/* Field-level helpers over a record's field cells. */
uint64_t msr_field_mask(const struct msr_field_info *field);
uint64_t msr_field_extract(const struct msr_field_info *field, uint64_t raw);
uint64_t msr_field_insert(const struct msr_field_info *field, uint64_t raw, uint64_t value);

/* Whether `value` (the field's bits, shifted down) is one of a strict_enum
 * field's values; true for any other field. */
bool msr_field_value_valid(const struct msr_def *def, const struct msr_field_info *field, uint64_t value);

/* The field of `def` that holds bit `bit`, or NULL. */
const struct msr_field_info *msr_def_field_at(const struct msr_def *def, unsigned bit);

/* ---- vendor signatures --------------------------------------------------- */

/*
 * How a vendor is recognised: the CPUID leaf (0, or 40000000H for a
 * hypervisor) whose three registers, read in `registers` order, spell one of
 * its signatures ("GenuineIntel", "KVMKVMKVM\0\0\0"), each kept here as those
 * three 32-bit words. msr_cpu_vendors() (x86msr/cpuid.h) reads this table,
 * which holds no text; the vendors' names are msr_vendor_table's.
 */
struct msr_vendor_signature {
    uint32_t bit;          /* MSR_VENDOR_* */
    uint32_t leaf;
    uint32_t words[2][3];  /* signature s as the registers return it */
    uint8_t registers[3];  /* enum msr_cpuid_reg */
    uint8_t count;         /* signatures: 1 or 2 */
};

extern const struct msr_vendor_signature msr_vendor_signatures[];
extern const size_t msr_vendor_signature_count;

/* ---- lookups in a spec --------------------------------------------------- */

/* The record of a concrete register. */
MSR_ALWAYS_INLINE const struct msr_def *msr_spec_def(const struct msr_spec *spec, const struct msr_instance *inst)
{
    return spec->defs[inst->def];
}

/* The first register at `address` (binary search), or NULL. Where vendors
 * define different registers at one address, the others follow it. */
const struct msr_instance *msr_spec_find(const struct msr_spec *spec, uint32_t address);

/* The register at `address` that a vendor of `vendors` (MSR_VENDOR_* bits)
 * documents; where none does, msr_spec_find()'s answer. */
const struct msr_instance *msr_spec_find_for_vendor(const struct msr_spec *spec, uint32_t address, uint32_t vendors);

/*
 * A spec of chosen records: their instances (arrays expanded) sorted by
 * address into storage[0..capacity-1], `defs` its records (an instance's def
 * is its record's position in `defs`). For a program that needs the
 * registers of a few ranges (an MSR-exit policy that emulates the MTRRs, say)
 * without naming msr_spec, which links every record. `defs` and `storage`
 * must outlive *out. Sorting is by insertion: meant for tens of records.
 * MSR_OK; MSR_ERR_INVALID for NULL (or a NULL record); MSR_ERR_RANGE when
 * the instances do not fit.
 */
int msr_spec_from_defs(struct msr_spec *out, const struct msr_def *const *defs, uint32_t def_count,
                       struct msr_instance *storage, uint32_t capacity);

/* The same three over msr_spec. */
const struct msr_instance *msr_find_by_address(uint32_t address);
const struct msr_instance *msr_find_by_address_for_vendor(uint32_t address, uint32_t vendors);
const struct msr_def *msr_def_of(const struct msr_instance *inst);

/* ==========================================================================
 * Text (linked only when used)
 *
 * The text is msr_spec's: for an instance that is not one of
 * msr_spec.instances (another spec's, msr_spec_from_defs()) or a record that
 * is not msr_spec.defs[def->id] (one a program made), the names and
 * descriptions are NULL, counts and the spec line 0.
 * ========================================================================== */

/* The instance's name ("IA32_MTRR_PHYSBASE3"); of msr_spec's registers. */
const char *msr_name(const struct msr_instance *inst);

/* Its aliases: other manuals' names for it ("EFER"). */
unsigned msr_alias_count(const struct msr_instance *inst);
const char *msr_alias(const struct msr_instance *inst, unsigned i);

/* The register with this name or alias (case-insensitive, array instances by
 * their own names: "IA32_MC3_CTL"), or NULL. A linear scan. */
const struct msr_instance *msr_find_by_name(const char *name);

/* Of a definition: its name as the spec writes it ("IA32_MTRR_PHYSBASE{n}"),
 * what it does, where it is documented ("" if unknown), its line in the spec. */
const char *msr_def_name(const struct msr_def *def);
const char *msr_def_description(const struct msr_def *def);
const char *msr_def_ref(const struct msr_def *def);
uint32_t msr_def_spec_line(const struct msr_def *def);

/* Why `def` is restored after the registers its restore_after names ("" when
 * it names none). */
const char *msr_def_restore_reason(const struct msr_def *def);

/* Of field i of a definition: its name ("NXE"), its description. */
const char *msr_field_name(const struct msr_def *def, unsigned i);
const char *msr_field_description(const struct msr_def *def, unsigned i);

/* The field of `def` called `name` (case-insensitive), or NULL. */
const struct msr_field_info *msr_find_field(const struct msr_def *def, const char *name);

/* The named values of field i: how many, and value k's number, name and
 * description (false past the end). */
struct msr_enum_value {
    uint64_t value;
    const char *name;
    const char *description;
};
unsigned msr_field_enum_count(const struct msr_def *def, unsigned i);
bool msr_field_enum_value(const struct msr_def *def, unsigned i, unsigned k, struct msr_enum_value *out);

/* The name of `value` in field i's enumeration, or NULL. */
const char *msr_field_enum_name(const struct msr_def *def, unsigned i, uint64_t value);

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

/* ---- internal: the generated text tables (msr_text.c) and their readers ---- */

#define MSR_TEXT_ROW_ 4096 /* bytes per row of the text pool */

struct msr_def_text_ {
    uint32_t name, description, ref; /* offsets into the pool */
    uint32_t first_field;            /* its first field in msr_field_text_ */
    uint32_t spec_line;
    uint32_t restore_why;            /* restore_after's reason */
};

struct msr_field_text_ {
    uint32_t name, description;
    uint32_t first_enum;             /* its first value in msr_enum_text_ */
    uint32_t enum_count;
};

struct msr_enum_text_ {
    uint64_t value;
    uint32_t name, description;
};

struct msr_instance_text_ {
    uint32_t name;
    uint32_t first_alias;            /* in msr_alias_text_ */
    uint32_t alias_count;
};

extern const char msr_text_pool_[][MSR_TEXT_ROW_];
extern const struct msr_def_text_ msr_def_text_[];        /* by definition id */
extern const struct msr_field_text_ msr_field_text_[];
extern const struct msr_enum_text_ msr_enum_text_[];
extern const struct msr_instance_text_ msr_instance_text_[]; /* in msr_spec.instances order */
extern const uint32_t msr_alias_text_[];

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_META_H */
