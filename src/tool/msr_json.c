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
 * {"all_of": [...]}. */
static void write_condition(struct json_writer *w, const struct msr_condition *c)
{
    json_begin_object(w);
    json_key(w, "kind");
    json_string(w, msr_condition_kind_name(c->kind));
    if (c->kind == MSR_CONDITION_KIND_ANY_OF || c->kind == MSR_CONDITION_KIND_ALL_OF ||
        c->kind == MSR_CONDITION_KIND_NOT) {
        const union msr_cell *child, *end = msr_condition_cell(c) + c->size;
        json_key(w, "conditions");
        json_begin_array(w);
        for (child = msr_condition_cell(c) + 1; child < end; child += child->cond.size)
            write_condition(w, &child->cond);
        json_end_array(w);
    } else if (c->kind == MSR_CONDITION_KIND_CONTEXT) {
        json_key(w, "context");
        json_string(w, msr_context_name(c->context));
    } else if (c->kind == MSR_CONDITION_KIND_INDEX) {
        json_key(w, "index");
        json_uint(w, c->operand);
    } else if (c->kind == MSR_CONDITION_KIND_FAMILY) {
        uint16_t i;
        json_key(w, "family");
        json_hex_bits(w, c->family, 8);
        json_key(w, "models");
        json_begin_array(w);
        for (i = 0; i < c->model_count; i++)
            json_hex_bits(w, msr_condition_model(c, i), 8);
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
            json_key(w, "msr");
            /* "IA32_MCG_CAP"; "MCA{n}_CONFIG" (the instance of the same index); "MC4_MISC0" */
            json_string(w, msr_condition_msr_name(c) != NULL ? msr_condition_msr_name(c) : "?");
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

/* The named values of field `index` of `def`. */
static void write_enum(struct json_writer *w, const struct msr_def *def, unsigned index)
{
    struct msr_enum_value e;
    unsigned k;

    json_begin_array(w);
    for (k = 0; msr_field_enum_value(def, index, k, &e); k++) {
        json_begin_object(w);
        json_key(w, "name");
        json_string(w, e.name);
        json_key(w, "value");
        json_uint(w, e.value);
        json_key(w, "description");
        json_string(w, e.description);
        json_end_object(w);
    }
    json_end_array(w);
}

/* `"key": true` when `flags` has `flag`; nothing otherwise. */
static void write_flag(struct json_writer *w, const char *key, uint32_t flags, uint32_t flag)
{
    if (flags & flag) {
        json_key(w, key);
        json_bool(w, true);
    }
}

/* A presence condition of `msr` (its own or a field's): "present_if" in the
 * manuals' notation and "present_if_tree" as the spec writes it. */
static void write_present_if(struct json_writer *w, const struct msr_condition *cond, const struct msr_instance *msr)
{
    char text[FORMAT_CONDITION_SIZE];

    format_condition(text, cond, msr);
    json_key(w, "present_if");
    json_string(w, text);
    json_key(w, "present_if_tree");
    write_condition(w, cond);
}

/* Field `index` of instance `msr`; with facts, whether that CPU has it. */
static void write_field(struct json_writer *w, const struct msr_instance *msr, unsigned index,
                        const struct msr_facts *facts)
{
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_field_info *field = msr_def_field(def, index);
    const struct msr_condition *present_if = msr_def_condition(def, field->present_if);

    json_begin_object(w);
    json_key(w, "name");
    json_string(w, msr_field_name(def, index));
    json_key(w, "lsb");
    json_uint(w, field->lsb);
    json_key(w, "msb");
    json_uint(w, field->msb);
    json_key(w, "access");
    json_string(w, msr_access_name(field->access));
    json_key(w, "description");
    json_string(w, msr_field_description(def, index));
    if (field->has_reset)
        json_value_member(w, "reset", field->reset, field_width(field));
    if (field_is_enumerated(def, field)) {
        json_key(w, "enum");
        write_enum(w, def, index);
    }
    if (field->vendors != 0) {
        json_key(w, "vendors");
        write_vendors(w, field->vendors);
    }
    if (present_if != NULL)
        write_present_if(w, present_if, msr);
    if (facts != NULL) {
        json_key(w, "supported");
        json_string(w, msr_support_name(msr_field_is_supported(def, msr->index, field, facts)));
    }
    write_flag(w, "canonical", field->flags, MSR_FIELD_F_CANONICAL);
    write_flag(w, "undocumented", field->flags, MSR_FIELD_F_UNDOCUMENTED);
    write_flag(w, "counter", field->flags, MSR_FIELD_F_COUNTER);
    write_flag(w, "phys_addr", field->flags, MSR_FIELD_F_PHYS_ADDR);
    json_end_object(w);
}

void json_write_msr(struct json_writer *w, const struct msr_instance *msr, const struct msr_facts *facts)
{
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_condition *present_if = msr_def_condition(def, def->present_if);
    struct msr_masks masks = *msr_def_masks(def);
    unsigned i;

    if (facts != NULL)
        msr_masks_for(def, msr->index, facts, false, &masks);
    json_begin_object(w);
    json_key(w, "name");
    json_string(w, msr_name(msr));
    json_key(w, "address");
    json_address(w, msr->address);
    json_key(w, "category");
    json_string(w, category_name(def));
    json_key(w, "access");
    json_string(w, msr_access_name(def->access));
    json_key(w, "vendors");
    write_vendors(w, def->vendors);
    json_key(w, "aliases");
    json_begin_array(w);
    for (i = 0; i < msr_alias_count(msr); i++)
        json_string(w, msr_alias(msr, i));
    json_end_array(w);
    json_key(w, "description");
    json_string(w, msr_def_description(def));
    json_key(w, "ref");
    json_string(w, msr_def_ref(def));
    if (present_if != NULL)
        write_present_if(w, present_if, msr);
    if (facts != NULL) {
        json_key(w, "supported");
        json_string(w, msr_support_name(msr_is_supported(def, msr->index, facts)));
    }
    if (def->count > 1) {
        json_key(w, "array");
        json_begin_object(w);
        json_key(w, "name");
        json_string(w, msr_def_name(def));
        json_key(w, "index");
        json_uint(w, msr->index);
        json_key(w, "count");
        json_uint(w, def->count);
        json_end_object(w);
    }
    json_key(w, "reserved_mask");
    json_mask64(w, masks.reserved);
    json_key(w, "writable_mask");
    json_mask64(w, masks.writable);
    json_key(w, "w1c_mask");
    json_mask64(w, masks.w1c);
    json_key(w, "fields");
    json_begin_array(w);
    for (i = 0; i < def->field_count; i++)
        write_field(w, msr, i, facts);
    json_end_array(w);
    json_end_object(w);
}
