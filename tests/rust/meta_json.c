/*
 * The C library's metadata as JSON, for the comparison with the Rust crate's
 * (tests/rust/compare.py meta): every register definition of msr_spec (address,
 * instances, access, category, vendors, attributes, lock, masks, fields with
 * their bit ranges, access, attributes, vendors, reset values, conditions,
 * strict values and named values, presence conditions), every instance
 * (name, address, index, aliases), the vendors and the VMX control sets.
 * src/rust/examples/meta_json.rs prints the same document from the crate.
 *
 * Numbers are JSON integers (masks included: the comparison reads them
 * exactly); vendor sets and attribute flags are their bit sets, which both
 * sides take from codegen/schema.py's order.
 */
#include <x86msr/meta.h>
#include <x86msr/msr_schema.h>

#include <inttypes.h>
#include <stdio.h>

/* A JSON string (the spec's text is ASCII; anything else is escaped). */
static void str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7F)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* `"k":` after a comma unless it is the object's first member. */
static void key(const char *k, int first)
{
    if (!first)
        putchar(',');
    str(k);
    putchar(':');
}

static void num(const char *k, uint64_t v)
{
    key(k, 0);
    printf("%" PRIu64, v);
}

static void boolean(const char *k, int v)
{
    key(k, 0);
    printf(v ? "true" : "false");
}

static void cond(const struct msr_def *def, const struct msr_condition *c)
{
    printf("{");
    key("kind", 1);
    str(msr_condition_kind_name(c->kind));
    switch (c->kind) {
    case MSR_CONDITION_KIND_ANY_OF:
    case MSR_CONDITION_KIND_ALL_OF:
    case MSR_CONDITION_KIND_NOT: {
        const union msr_cell *child, *end = msr_condition_cell(c) + c->size;
        int first = 1;
        key("conditions", 0);
        printf("[");
        for (child = msr_condition_cell(c) + 1; child < end; child += child->cond.size) {
            if (!first)
                putchar(',');
            first = 0;
            cond(def, &child->cond);
        }
        printf("]");
        break;
    }
    case MSR_CONDITION_KIND_CONTEXT:
        key("context", 0);
        str(msr_context_name(c->context));
        break;
    case MSR_CONDITION_KIND_INDEX:
        num("index", c->operand);
        break;
    case MSR_CONDITION_KIND_FAMILY: {
        unsigned i;
        num("family", c->family);
        key("models", 0);
        printf("[");
        for (i = 0; i < c->model_count; i++)
            printf("%s%u", i ? "," : "", (unsigned)msr_condition_model(c, i));
        printf("]");
        break;
    }
    default:
        if (c->kind == MSR_CONDITION_KIND_CPUID) {
            num("leaf", c->leaf);
            num("subleaf", c->subleaf);
            key("register", 0);
            str(msr_cpuid_reg_name(c->reg));
        } else {
            num("address", c->msr);
            num("stride", c->msr_stride);
            key("def", 0);
            str(c->msr_def < msr_spec.def_count ? msr_def_name(msr_spec.defs[c->msr_def]) : "?");
        }
        num("msb", c->msb);
        num("lsb", c->lsb);
        boolean("bit_is_index", (c->flags & MSR_CONDITION_BIT_IS_INDEX) != 0);
        key("compare", 0);
        str(msr_compare_name(c->compare));
        num("operand", c->operand);
        boolean("operand_is_index", (c->flags & MSR_CONDITION_OPERAND_IS_INDEX) != 0);
        break;
    }
    printf("}");
}

static void opt_cond(const char *k, const struct msr_def *def, uint16_t cell)
{
    key(k, 0);
    if (cell == MSR_NO_CELL)
        printf("null");
    else
        cond(def, msr_def_condition(def, cell));
}

static void field(const struct msr_def *def, unsigned i)
{
    const struct msr_field_info *f = msr_def_field(def, i);
    struct msr_enum_value e;
    unsigned k;

    printf("{");
    key("name", 1);
    str(msr_field_name(def, i));
    num("msb", f->msb);
    num("lsb", f->lsb);
    key("access", 0);
    str(msr_access_name(f->access));
    num("flags", f->flags);
    num("vendors", f->vendors);
    num("canonical_vendors", f->canonical_vendors);
    key("reset", 0);
    if (f->has_reset)
        printf("%" PRIu64, f->reset);
    else
        printf("null");
    opt_cond("present_if", def, f->present_if);
    opt_cond("writable_if", def, f->writable_if);
    key("strict_values", 0);
    printf("[");
    for (k = 0; k < f->value_count; k++)
        printf("%s%" PRIu64, k ? "," : "", msr_field_value(def, f, k));
    printf("]");
    key("enum", 0);
    printf("[");
    for (k = 0; msr_field_enum_value(def, i, k, &e); k++) {
        printf("%s{", k ? "," : "");
        key("name", 1);
        str(e.name);
        num("value", e.value);
        printf("}");
    }
    printf("]}");
}

static void definition(const struct msr_def *def)
{
    const struct msr_masks *m = msr_def_masks(def);
    unsigned i;

    printf("{");
    key("name", 1);
    str(msr_def_name(def));
    num("id", def->id);
    num("address", def->address);
    num("stride", def->stride);
    num("count", def->count);
    key("access", 0);
    str(msr_access_name(def->access));
    key("category", 0);
    str(msr_category_name(def->category));
    num("vendors", def->vendors);
    num("flags", def->flags);
    key("lock", 0);
    if (def->lock_field) {
        printf("{");
        key("field", 1);
        str(msr_field_name(def, def->lock_field - 1u));
        key("writes", 0);
        str(msr_lock_writes_name(def->lock_writes));
        printf("}");
    } else {
        printf("null");
    }
    key("masks", 0);
    printf("{");
    key("reserved", 1);
    printf("%" PRIu64, m->reserved);
    num("writable", m->writable);
    num("w1c", m->w1c);
    num("canonical", m->canonical);
    printf("}");
    opt_cond("present_if", def, def->present_if);
    opt_cond("writable_if", def, def->writable_if);
    key("fields", 0);
    printf("[");
    for (i = 0; i < def->field_count; i++) {
        if (i)
            putchar(',');
        field(def, i);
    }
    printf("]}");
}

int main(void)
{
    uint32_t i;
    size_t v;

    printf("{");
    key("defs", 1);
    printf("[");
    for (i = 0; i < msr_spec.def_count; i++) {
        if (i)
            printf(",\n");
        definition(msr_spec.defs[i]);
    }
    printf("]");
    key("instances", 0);
    printf("[");
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *inst = &msr_spec.instances[i];
        unsigned a;
        printf("%s{", i ? ",\n" : "");
        key("name", 1);
        str(msr_name(inst));
        num("address", inst->address);
        key("def", 0);
        str(msr_def_name(msr_spec_def(&msr_spec, inst)));
        num("index", inst->index);
        key("aliases", 0);
        printf("[");
        for (a = 0; a < msr_alias_count(inst); a++) {
            if (a)
                putchar(',');
            str(msr_alias(inst, a));
        }
        printf("]}");
    }
    printf("]");
    key("vendors", 0);
    printf("[");
    for (v = 0; v < msr_vendor_table_count; v++) {
        printf("%s{", v ? "," : "");
        key("name", 1);
        str(msr_vendor_table[v].name);
        num("bit", msr_vendor_table[v].bit);
        printf("}");
    }
    printf("]");
    key("control_sets", 0);
    printf("[");
    for (v = 0; v < msr_vmx_control_set_count; v++) {
        const struct msr_vmx_control_set_info *s = &msr_vmx_control_sets[v];
        unsigned b;
        printf("%s{", v ? ",\n" : "");
        key("name", 1);
        str(s->name);
        num("width", s->width);
        num("capability", s->capability);
        num("true_capability", s->true_capability);
        key("activated_by", 0);
        if (s->activated_by_set >= 0) {
            printf("[");
            str(msr_vmx_control_sets[s->activated_by_set].name);
            printf(",%u]", (unsigned)s->activated_by_bit);
        } else {
            printf("null");
        }
        key("bits", 0);
        printf("[");
        for (b = 0; b < s->bit_count; b++) {
            printf("%s{", b ? "," : "");
            key("bit", 1);
            printf("%u", (unsigned)s->bits[b].bit);
            key("name", 0);
            str(s->bits[b].name);
            printf("}");
        }
        printf("]}");
    }
    printf("]}\n");
    return 0;
}
