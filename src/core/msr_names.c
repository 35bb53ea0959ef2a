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

/* The text rows are msr_spec's: an instance of another spec (msr_spec_from_defs)
 * or a record the caller made (a copy with other flags, a register the spec
 * lacks) has none, and gets NULL rather than another register's text. The
 * instance is compared as an address, since it may point into any array. */
static const struct msr_instance_text_ *instance_text(const struct msr_instance *inst)
{
    uintptr_t base = (uintptr_t)msr_spec.instances, at = (uintptr_t)inst;

    if (inst == NULL || at < base || (at - base) % sizeof *inst != 0 ||
        (at - base) / sizeof *inst >= msr_spec.instance_count)
        return NULL;
    return &msr_instance_text_[(at - base) / sizeof *inst];
}

static const struct msr_def_text_ *def_text(const struct msr_def *def)
{
    return def != NULL && def->id < msr_spec.def_count && msr_spec.defs[def->id] == def ? &msr_def_text_[def->id]
                                                                                        : NULL;
}

const char *msr_name(const struct msr_instance *inst)
{
    const struct msr_instance_text_ *t = instance_text(inst);
    return t != NULL ? text_at(t->name) : NULL;
}

unsigned msr_alias_count(const struct msr_instance *inst)
{
    const struct msr_instance_text_ *t = instance_text(inst);
    return t != NULL ? t->alias_count : 0;
}

const char *msr_alias(const struct msr_instance *inst, unsigned i)
{
    const struct msr_instance_text_ *t = instance_text(inst);
    return t != NULL && i < t->alias_count ? text_at(msr_alias_text_[t->first_alias + i]) : NULL;
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
    const struct msr_def_text_ *t = def_text(def);
    return t != NULL ? text_at(t->name) : NULL;
}

const char *msr_def_description(const struct msr_def *def)
{
    const struct msr_def_text_ *t = def_text(def);
    return t != NULL ? text_at(t->description) : NULL;
}

const char *msr_def_ref(const struct msr_def *def)
{
    const struct msr_def_text_ *t = def_text(def);
    return t != NULL ? text_at(t->ref) : NULL;
}

const char *msr_def_restore_reason(const struct msr_def *def)
{
    return text_at(msr_def_text_[def->id].restore_why);
}

uint32_t msr_def_spec_line(const struct msr_def *def)
{
    const struct msr_def_text_ *t = def_text(def);
    return t != NULL ? t->spec_line : 0;
}

/* Field i's text row, NULL past the fields or for a record without text. */
static const struct msr_field_text_ *field_text(const struct msr_def *def, unsigned i)
{
    const struct msr_def_text_ *t = def_text(def);
    return t != NULL && i < def->field_count ? &msr_field_text_[t->first_field + i] : NULL;
}

const char *msr_field_name(const struct msr_def *def, unsigned i)
{
    const struct msr_field_text_ *t = field_text(def, i);
    return t != NULL ? text_at(t->name) : NULL;
}

const char *msr_field_description(const struct msr_def *def, unsigned i)
{
    const struct msr_field_text_ *t = field_text(def, i);
    return t != NULL ? text_at(t->description) : NULL;
}

const struct msr_field_info *msr_find_field(const struct msr_def *def, const char *name)
{
    unsigned i;

    if (def == NULL || name == NULL)
        return NULL;
    for (i = 0; i < def->field_count; i++) {
        const char *field = msr_field_name(def, i);
        if (field != NULL && names_equal_ignoring_case(field, name))
            return msr_def_field(def, i);
    }
    return NULL;
}

unsigned msr_field_enum_count(const struct msr_def *def, unsigned i)
{
    const struct msr_field_text_ *t = field_text(def, i);
    return t != NULL ? t->enum_count : 0;
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
