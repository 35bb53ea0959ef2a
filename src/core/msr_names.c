/*
 * The text of x86msr/meta.h: names, descriptions, references, aliases and the
 * names of enumerated values, read from the generated text tables (msr_text.c:
 * offsets into one pool). Freestanding: no libc (no strcasecmp, no bsearch).
 */
#include <x86msr/meta.h>

static const char *text_at(uint32_t offset)
{
    return &msr_text_pool_[offset / MSR_TEXT_ROW_][offset % MSR_TEXT_ROW_];
}

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

static const struct msr_instance_text_ *instance_text(const struct msr_instance *inst)
{
    return &msr_instance_text_[inst - msr_spec.instances];
}

const char *msr_name(const struct msr_instance *inst)
{
    return text_at(instance_text(inst)->name);
}

unsigned msr_alias_count(const struct msr_instance *inst)
{
    return instance_text(inst)->alias_count;
}

const char *msr_alias(const struct msr_instance *inst, unsigned i)
{
    const struct msr_instance_text_ *t = instance_text(inst);
    return i < t->alias_count ? text_at(msr_alias_text_[t->first_alias + i]) : NULL;
}

/* A linear scan: the table is sorted by address, not name, and name lookups
 * come from people and logs, not from hot paths. */
const struct msr_instance *msr_find_by_name(const char *name)
{
    uint32_t i;
    unsigned a;

    if (name == NULL)
        return NULL;
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *inst = &msr_spec.instances[i];
        if (names_equal_ignoring_case(msr_name(inst), name))
            return inst;
        for (a = 0; a < msr_alias_count(inst); a++)
            if (names_equal_ignoring_case(msr_alias(inst, a), name))
                return inst;
    }
    return NULL;
}

const char *msr_def_name(const struct msr_def *def)
{
    return text_at(msr_def_text_[def->id].name);
}

const char *msr_def_description(const struct msr_def *def)
{
    return text_at(msr_def_text_[def->id].description);
}

const char *msr_def_ref(const struct msr_def *def)
{
    return text_at(msr_def_text_[def->id].ref);
}

const char *msr_def_restore_reason(const struct msr_def *def)
{
    return text_at(msr_def_text_[def->id].restore_why);
}

uint32_t msr_def_spec_line(const struct msr_def *def)
{
    return msr_def_text_[def->id].spec_line;
}

static const struct msr_field_text_ *field_text(const struct msr_def *def, unsigned i)
{
    return &msr_field_text_[msr_def_text_[def->id].first_field + i];
}

const char *msr_field_name(const struct msr_def *def, unsigned i)
{
    return i < def->field_count ? text_at(field_text(def, i)->name) : NULL;
}

const char *msr_field_description(const struct msr_def *def, unsigned i)
{
    return i < def->field_count ? text_at(field_text(def, i)->description) : NULL;
}

const struct msr_field_info *msr_find_field(const struct msr_def *def, const char *name)
{
    unsigned i;

    if (def == NULL || name == NULL)
        return NULL;
    for (i = 0; i < def->field_count; i++)
        if (names_equal_ignoring_case(msr_field_name(def, i), name))
            return msr_def_field(def, i);
    return NULL;
}

unsigned msr_field_enum_count(const struct msr_def *def, unsigned i)
{
    return i < def->field_count ? field_text(def, i)->enum_count : 0;
}

bool msr_field_enum_value(const struct msr_def *def, unsigned i, unsigned k, struct msr_enum_value *out)
{
    const struct msr_enum_text_ *e;

    if (k >= msr_field_enum_count(def, i))
        return false;
    e = &msr_enum_text_[field_text(def, i)->first_enum + k];
    out->value = e->value;
    out->name = text_at(e->name);
    out->description = text_at(e->description);
    return true;
}

const char *msr_field_enum_name(const struct msr_def *def, unsigned i, uint64_t value)
{
    struct msr_enum_value v;
    unsigned k;

    for (k = 0; msr_field_enum_value(def, i, k, &v); k++)
        if (v.value == value)
            return v.name;
    return NULL;
}
