#include "msr_json.h"

#include "format.h"

#include <x86msr/cpuid.h>

static void write_vendors(struct json_writer *w, uint32_t vendors)
{
    size_t i;

    json_begin_array(w);
    for (i = 0; i < msr_vendor_table_count; i++)
        if (vendors & msr_vendor_table[i].bit)
            json_string(w, msr_vendor_table[i].name);
    json_end_array(w);
}

/* A presence condition as the spec writes it, in JSON: {"cpuid": ...}, {"msr": ...},
 * {"all_of": [...]}; advances *node past the subtree. */
static void write_condition(struct json_writer *w, const struct msr_condition *c, const struct msr_info *msr)
{
    json_begin_object(w);
    json_key(w, "kind");
    json_string(w, msr_condition_kind_name(c->kind));
    if (c->kind == MSR_CONDITION_KIND_ANY_OF || c->kind == MSR_CONDITION_KIND_ALL_OF ||
        c->kind == MSR_CONDITION_KIND_NOT) {
        const struct msr_condition *child, *end = c + c->size;
        json_key(w, "conditions");
        json_begin_array(w);
        for (child = c + 1; child < end; child += child->size)
            write_condition(w, child, msr);
        json_end_array(w);
    } else if (c->kind == MSR_CONDITION_KIND_CONTEXT) {
        json_key(w, "context");
        json_string(w, msr_context_name(c->context));
    } else if (c->kind == MSR_CONDITION_KIND_FAMILY) {
        uint16_t i;
        json_key(w, "family");
        json_hex_bits(w, c->family, 8);
        json_key(w, "models");
        json_begin_array(w);
        for (i = 0; i < c->model_count; i++)
            json_hex_bits(w, c->models[i], 8);
        json_end_array(w);
    } else {
        if (c->kind == MSR_CONDITION_KIND_CPUID) {
            json_key(w, "leaf");
            json_address(w, c->leaf);
            json_key(w, "subleaf");
            json_address(w, c->subleaf);
            json_key(w, "register");
            json_string(w, msr_cpuid_reg_name(c->reg));
        } else {
            const struct msr_info *target = msr_find_by_address(c->msr);
            json_key(w, "msr");
            json_string(w, c->msr_name ? c->msr_name
                           : target ? (c->msr_stride && target->array_name ? target->array_name : target->name) : "?");
            json_key(w, "address");
            json_address(w, c->msr);
        }
        if (c->flags & MSR_CONDITION_BIT_IS_INDEX) {
            json_key(w, "bit");
            json_string(w, "n");
        } else {
            json_key(w, "msb");
            json_uint(w, c->msb);
            json_key(w, "lsb");
            json_uint(w, c->lsb);
        }
        json_key(w, "compare");
        json_string(w, msr_compare_name(c->compare));
        if (c->compare != MSR_COMPARE_NONZERO) {
            json_key(w, "operand");
            if (c->flags & MSR_CONDITION_OPERAND_IS_INDEX)
                json_string(w, "n");
            else
                json_uint(w, c->operand);
        }
    }
    json_end_object(w);
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
    if (field->has_reset)
        json_value_member(w, "reset", field->reset, (unsigned)field->msb - field->lsb + 1);
    if (field->enum_values != NULL) {
        json_key(w, "enum");
        write_enum(w, field);
    }
    if (field->vendors != 0) {
        json_key(w, "vendors");
        write_vendors(w, field->vendors);
    }
    if (field->canonical) {
        json_key(w, "canonical");
        json_bool(w, true);
    }
    if (field->undocumented) {
        json_key(w, "undocumented");
        json_bool(w, true);
    }
    if (field->counter) {
        json_key(w, "counter");
        json_bool(w, true);
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
    json_address(w, msr->address);
    json_key(w, "category");
    json_string(w, category_name(msr));
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
    if (msr->present_if != NULL) {
        char text[FORMAT_CONDITION_SIZE];

        format_condition(text, msr->present_if, msr);
        json_key(w, "present_if");
        json_string(w, text);
        json_key(w, "present_if_tree");
        write_condition(w, msr->present_if, msr);
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
    json_mask64(w, msr->reserved_mask);
    json_key(w, "writable_mask");
    json_mask64(w, msr->writable_mask);
    json_key(w, "w1c_mask");
    json_mask64(w, msr->w1c_mask);
    json_key(w, "fields");
    json_begin_array(w);
    for (i = 0; i < msr->field_count; i++)
        json_write_field(w, &msr->fields[i]);
    json_end_array(w);
}
