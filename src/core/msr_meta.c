/*
 * Lookups over the generated metadata table (meta.h).
 *
 * Freestanding: kernels and hypervisors link this to name MSRs in their logs,
 * so it calls nothing from libc (no strcasecmp, no bsearch).
 */
#include <x86msr/meta.h>

/* ASCII-only folding: MSR and field names are C identifiers, so locale-aware
 * case rules would only add surprises (and a libc dependency). */
static char fold_ascii(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool names_equal_ignoring_case(const char *a, const char *b)
{
    while (*a != '\0' && fold_ascii(*a) == fold_ascii(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

const struct msr_info *msr_find_by_address(uint32_t address)
{
    size_t lo = 0, hi = msr_table_count; /* search [lo, hi) */

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t here = msr_table[mid].address;

        if (here == address) {
            /* Vendors may define different registers at one address
             * (shares_address_with): answer the first of them. */
            while (mid > 0 && msr_table[mid - 1].address == address)
                mid--;
            return &msr_table[mid];
        }
        if (here < address)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool msr_has_name(const struct msr_info *msr, const char *name)
{
    uint16_t i;

    if (names_equal_ignoring_case(msr->name, name))
        return true;
    for (i = 0; i < msr->alias_count; i++)
        if (names_equal_ignoring_case(msr->aliases[i], name))
            return true;
    return false;
}

/* A linear scan: the table is sorted by address, not name, and name lookups
 * come from people and logs, not from hot paths. */
const struct msr_info *msr_find_by_name(const char *name)
{
    size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; i < msr_table_count; i++)
        if (msr_has_name(&msr_table[i], name))
            return &msr_table[i];
    return NULL;
}

const struct msr_field_info *msr_find_field(const struct msr_info *msr, const char *name)
{
    uint16_t i;

    if (msr == NULL || name == NULL)
        return NULL;
    for (i = 0; i < msr->field_count; i++)
        if (names_equal_ignoring_case(msr->fields[i].name, name))
            return &msr->fields[i];
    return NULL;
}

/* The field's mask before shifting. A 64-bit field must not compute 1 << 64
 * (undefined behaviour), hence the explicit all-ones case; a malformed field
 * (msb < lsb or past bit 63) gets an empty mask rather than garbage. */
static uint64_t field_value_mask(const struct msr_field_info *field)
{
    unsigned width;

    if (field->msb > 63 || field->msb < field->lsb)
        return 0;
    width = (unsigned)field->msb - field->lsb + 1u;
    return width >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << width) - 1u;
}

uint64_t msr_field_extract(const struct msr_field_info *field, uint64_t raw)
{
    if (field == NULL)
        return 0;
    return (raw >> field->lsb) & field_value_mask(field);
}

uint64_t msr_field_insert(const struct msr_field_info *field, uint64_t raw, uint64_t value)
{
    uint64_t mask;

    if (field == NULL)
        return raw;
    mask = field_value_mask(field);
    /* lsb <= msb <= 63 whenever mask != 0, so these shifts are defined. */
    return (raw & ~(mask << field->lsb)) | ((value & mask) << field->lsb);
}

const char *msr_field_enum_name(const struct msr_field_info *field, uint64_t value)
{
    uint16_t i;

    if (field == NULL || field->enum_values == NULL)
        return NULL;
    for (i = 0; i < field->enum_count; i++)
        if (field->enum_values[i].value == value)
            return field->enum_values[i].name;
    return NULL;
}

uint64_t msr_field_mask(const struct msr_field_info *field)
{
    return field == NULL ? 0 : field_value_mask(field) << field->lsb;
}

const struct msr_info *msr_find_by_address_for_vendor(uint32_t address, uint32_t vendor)
{
    const struct msr_info *first = msr_find_by_address(address);
    const struct msr_info *m;

    for (m = first; m != NULL && m < msr_table + msr_table_count && m->address == address; m++)
        if (m->vendors & vendor)
            return m;
    return first;
}
