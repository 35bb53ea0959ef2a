#include "msr_json.h"

#include "format.h"

static void write_vendors(struct json_writer *w, unsigned vendors)
{
    json_begin_array(w);
    if (vendors & MSR_VENDOR_INTEL)
        json_string(w, "intel");
    if (vendors & MSR_VENDOR_AMD)
        json_string(w, "amd");
    json_end_array(w);
}

static void write_cpuid(struct json_writer *w, const struct msr_info *msr)
{
    uint16_t i;

    json_begin_array(w);
    for (i = 0; i < msr->cpuid_count; i++) {
        const struct msr_cpuid_cond *c = &msr->cpuid[i];

        json_begin_object(w);
        json_key(w, "leaf");
        json_uint(w, c->leaf);
        json_key(w, "subleaf");
        json_uint(w, c->subleaf);
        json_key(w, "register");
        json_string(w, cpuid_register_name(c->reg));
        json_key(w, "bit");
        json_uint(w, c->bit);
        json_end_object(w);
    }
    json_end_array(w);
}

static void write_enum(struct json_writer *w, const struct msr_field_info *field)
{
    uint16_t i;

    json_begin_array(w);
    for (i = 0; i < field->enum_count; i++) {
        json_begin_object(w);
        json_key(w, "name");
        json_string(w, field->enum_values[i].name);
        json_key(w, "value");
        json_uint(w, field->enum_values[i].value);
        json_key(w, "description");
        json_string(w, field->enum_values[i].description);
        json_end_object(w);
    }
    json_end_array(w);
}

void json_write_field(struct json_writer *w, const struct msr_field_info *field)
{
    json_begin_object(w);
    json_key(w, "name");
    json_string(w, field->name);
    json_key(w, "lsb");
    json_uint(w, field->lsb);
    json_key(w, "msb");
    json_uint(w, field->msb);
    json_key(w, "access");
    json_string(w, msr_access_name(field->access));
    json_key(w, "description");
    json_string(w, field->description);
    if (field->has_reset) {
        json_key(w, "reset");
        json_hex(w, field->reset);
    }
    if (field->enum_values != NULL) {
        json_key(w, "enum");
        write_enum(w, field);
    }
    json_end_object(w);
}

void json_write_msr(struct json_writer *w, const struct msr_info *msr)
{
    json_begin_object(w);
    json_write_msr_members(w, msr);
    json_end_object(w);
}

void json_write_msr_members(struct json_writer *w, const struct msr_info *msr)
{
    uint16_t i;

    json_key(w, "name");
    json_string(w, msr->name);
    json_key(w, "address");
    json_hex(w, msr->address);
    json_key(w, "category");
    json_string(w, msr->category);
    json_key(w, "access");
    json_string(w, msr_access_name(msr->access));
    json_key(w, "vendors");
    write_vendors(w, msr->vendors);
    json_key(w, "aliases");
    json_begin_array(w);
    for (i = 0; i < msr->alias_count; i++)
        json_string(w, msr->aliases[i]);
    json_end_array(w);
    json_key(w, "description");
    json_string(w, msr->description);
    json_key(w, "ref");
    json_string(w, msr->ref ? msr->ref : "");
    json_key(w, "cpuid");
    write_cpuid(w, msr);
    if (msr->condition != NULL) {
        json_key(w, "condition");
        json_string(w, msr->condition);
    }
    if (msr->array_name != NULL) {
        json_key(w, "array");
        json_begin_object(w);
        json_key(w, "name");
        json_string(w, msr->array_name);
        json_key(w, "index");
        json_uint(w, msr->array_index);
        json_key(w, "count");
        json_uint(w, msr->array_count);
        json_end_object(w);
    }
    json_key(w, "reserved_mask");
    json_hex(w, msr->reserved_mask);
    json_key(w, "fields");
    json_begin_array(w);
    for (i = 0; i < msr->field_count; i++)
        json_write_field(w, &msr->fields[i]);
    json_end_array(w);
}
