/*
 * Field helpers over a check record's field cells (x86msr/meta.h). They read
 * only the record they are given, so a program that names one record links
 * that record and no table. Freestanding.
 */
#include <x86msr/meta.h>

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

uint64_t msr_field_mask(const struct msr_field_info *field)
{
    return field == NULL ? 0 : field_value_mask(field) << field->lsb;
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

bool msr_field_value_valid(const struct msr_def *def, const struct msr_field_info *field, uint64_t value)
{
    unsigned k;

    if (!(field->flags & MSR_FIELD_F_STRICT_ENUM))
        return true;
    for (k = 0; k < field->value_count; k++)
        if (msr_field_value(def, field, k) == value)
            return true;
    return false;
}

const struct msr_field_info *msr_def_field_at(const struct msr_def *def, unsigned bit)
{
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        if (bit >= f->lsb && bit <= f->msb)
            return f;
    }
    return NULL;
}
