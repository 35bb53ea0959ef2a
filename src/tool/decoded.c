#include "decoded.h"

#include "diag.h"
#include "format.h"
#include "machine.h"
#include "msr_lookup.h"
#include "text_table.h"
#include "write_verdict.h"

const char *field_meaning(const struct msr_def *def, const struct msr_field_info *field, uint64_t x)
{
    const char *name;

    if (field->flags & MSR_FIELD_F_UNDOCUMENTED)
        return "(undocumented: implementation-specific)";
    if (!field_is_enumerated(def, field))
        return "";
    name = msr_field_enum_name(def, msr_field_index(def, field), x);
    if (name != NULL)
        return name;
    /* the spec says WRMSR faults on it (a reserved memory type) */
    return (field->flags & MSR_FIELD_F_STRICT_ENUM) ? "(undefined: WRMSR raises #GP)" : "(not a named value)";
}

void print_decoded_fields(FILE *out, const struct msr_def *def, uint64_t value, const struct msr_field_info *only,
                          const char *indent)
{
    static const char *const header[] = {"BITS", "FIELD", "ACCESS", "HEX", "DECIMAL", "MEANING"};
    struct text_table *table;
    unsigned i;

    if (def->field_count == 0) {
        fprintf(out, "%sno fields\n", indent);
        return;
    }
    table = text_table_new(6);
    text_table_add(table, header);
    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t x = msr_field_extract(f, value);
        char bits[FORMAT_NUMBER_SIZE], hex[FORMAT_NUMBER_SIZE], decimal[FORMAT_NUMBER_SIZE];
        const char *row[6];

        if (only != NULL && f != only)
            continue;
        format_bits(bits, f->msb, f->lsb);
        format_field_value(hex, f, x);
        format_decimal(decimal, x);
        row[0] = bits;
        row[1] = msr_field_name(def, i);
        row[2] = msr_access_name(f->access);
        row[3] = hex;
        row[4] = decimal;
        row[5] = field_meaning(def, f, x);
        text_table_add(table, row);
    }
    text_table_print(table, out, indent);
    text_table_free(table);
}

void json_write_decoded(struct json_writer *w, const struct msr_instance *msr, uint64_t value,
                        const struct msr_field_info *only)
{
    const struct msr_def *def = msr != NULL ? msr_def_of(msr) : NULL;
    unsigned i;

    json_value_member(w, "value", value, 64);
    if (msr != NULL) {
        json_key(w, "reserved_bits_set");
        json_mask64(w, value & must_be_zero_mask(msr));
    }
    json_key(w, "fields");
    json_begin_array(w);
    for (i = 0; def != NULL && i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t x = msr_field_extract(f, value);

        if (only != NULL && f != only)
            continue;
        json_begin_object(w);
        json_key(w, "name");
        json_string(w, msr_field_name(def, i));
        json_key(w, "lsb");
        json_uint(w, f->lsb);
        json_key(w, "msb");
        json_uint(w, f->msb);
        json_key(w, "access");
        json_string(w, msr_access_name(f->access));
        json_value_member(w, "value", x, field_width(f));
        if (f->flags & MSR_FIELD_F_UNDOCUMENTED) {
            json_key(w, "undocumented");
            json_bool(w, true);
        }
        if (field_is_enumerated(def, f)) {
            /* null: the field is enumerated but this value has no name. */
            json_key(w, "enum");
            json_string(w, msr_field_enum_name(def, i, x));
        }
        json_end_object(w);
    }
    json_end_array(w);
}

void json_write_reading(struct json_writer *w, unsigned cpu, const struct msr_instance *msr, uint32_t address,
                        uint64_t value, const struct msr_field_info *only, int status)
{
    json_begin_object(w);
    json_key(w, "cpu");
    json_uint(w, cpu);
    json_key(w, "name");
    json_string(w, msr ? msr_name(msr) : NULL);
    json_key(w, "address");
    json_address(w, address);
    if (status == MSR_OK)
        json_write_decoded(w, msr, value, only);
    else
        json_write_error_member(w, machine_error_code(status, false), machine_explain(status, false));
    json_end_object(w);
}

void print_decoded_json(const struct msr_instance *msr, uint64_t value)
{
    struct json_writer w;
    struct write_verdict verdict;

    diag_json_result(&w, false);
    json_begin_object(&w);
    json_key(&w, "name");
    json_string(&w, msr_name(msr));
    json_key(&w, "address");
    json_address(&w, msr->address);
    json_write_decoded(&w, msr, value, NULL);
    write_verdict_of(msr, value, false, &verdict);
    json_write_verdict(&w, msr, &verdict);
    json_end_object(&w);
    json_finish(&w);
}
