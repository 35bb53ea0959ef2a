#include "format.h"

#include <x86msr/cpuid.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void format_hex(char *buf, uint64_t value)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%" PRIX64, value);
}

void format_hex_bits(char *buf, uint64_t value, unsigned bits)
{
    int digits = (int)((bits == 0 ? 1 : bits > 64 ? 64 : bits) + 3) / 4;

    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%0*" PRIX64, digits, value);
}

unsigned field_width(const struct msr_field_info *field)
{
    return (unsigned)field->msb - field->lsb + 1;
}

void format_field_value(char *buf, const struct msr_field_info *field, uint64_t value)
{
    format_hex_bits(buf, value, field_width(field));
}

void format_address(char *buf, uint32_t address)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%08" PRIX32, address);
}

void format_value64(char *buf, uint64_t value)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%016" PRIX64, value);
}

void format_decimal(char *buf, uint64_t value)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "%" PRIu64, value);
}

void format_bits(char *buf, unsigned msb, unsigned lsb)
{
    if (msb == lsb)
        snprintf(buf, FORMAT_NUMBER_SIZE, "%u", lsb);
    else
        snprintf(buf, FORMAT_NUMBER_SIZE, "%u:%u", msb, lsb);
}

void format_bit_ranges(char *buf, uint64_t mask)
{
    bool single_bit = (mask & (mask - 1)) == 0;
    bool first = true;
    size_t used;
    int bit = 63;

    if (mask == 0) {
        snprintf(buf, FORMAT_TEXT_SIZE, "no bits");
        return;
    }
    used = (size_t)snprintf(buf, FORMAT_TEXT_SIZE, single_bit ? "bit " : "bits ");
    while (bit >= 0) {
        int msb;
        char range[FORMAT_NUMBER_SIZE];

        if (!(mask >> bit & 1u)) {
            bit--;
            continue;
        }
        msb = bit;
        while (bit >= 0 && (mask >> bit & 1u))
            bit--;
        format_bits(range, (unsigned)msb, (unsigned)(bit + 1));
        /* At most 32 ranges of at most 7 bytes each: never truncated. */
        used += (size_t)snprintf(buf + used, FORMAT_TEXT_SIZE - used, "%s%s", first ? "" : ", ", range);
        first = false;
    }
}

void format_vendors(char *buf, uint32_t vendors)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < msr_vendor_table_count; i++)
        if (vendors & msr_vendor_table[i].bit)
            used += (size_t)snprintf(buf + used, FORMAT_TEXT_SIZE - used, "%s%s", used ? ", " : "",
                                     msr_vendor_table[i].name);
}

void format_condition(char *buf, const struct msr_condition *cond, const struct msr_instance *msr)
{
    buf[0] = '\0';
    if (cond != NULL)
        msr_condition_describe(cond, msr->index, msr_def_of(msr)->count > 1, buf, FORMAT_CONDITION_SIZE);
}

const char *category_name(const struct msr_def *def)
{
    const char *name = msr_category_name(def->category);

    return name ? name : "?";
}

const char *field_name(const struct msr_def *def, const struct msr_field_info *field)
{
    return msr_field_name(def, msr_field_index(def, field));
}

bool field_is_enumerated(const struct msr_def *def, const struct msr_field_info *field)
{
    return msr_field_enum_count(def, msr_field_index(def, field)) > 0;
}
