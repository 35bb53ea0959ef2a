#include "field_args.h"

#include "diag.h"
#include "format.h"
#include "number.h"
#include "suggest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct msr_field_info *find_field(const struct msr_instance *msr, const char *name, struct lookup_failure *why)
{
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_field_info *field = msr_find_field(def, name);
    struct suggestion s;
    unsigned i;

    if (field != NULL)
        return field;
    why->code = ERR_UNKNOWN_FIELD;
    if (def->field_count == 0) {
        snprintf(why->message, sizeof why->message, "%s has no fields (so no field '%s')", msr_name(msr), name);
        return NULL;
    }
    suggestion_init(&s, name);
    for (i = 0; i < def->field_count; i++)
        suggestion_offer(&s, msr_field_name(def, i), NULL);
    snprintf(why->message, sizeof why->message, "%s has no field '%s'%s", msr_name(msr), name, suggestion_hint(&s));
    return NULL;
}

const struct msr_field_info *lookup_field(const struct msr_instance *msr, const char *name)
{
    struct lookup_failure why;
    const struct msr_field_info *field = find_field(msr, name, &why);

    if (field == NULL)
        usage_error_code(why.code, "%s", why.message);
    return field;
}

bool is_assignment(const char *arg)
{
    return strchr(arg, '=') != NULL;
}

/* The value called `text` (any case) of field number `field` of `def`. */
static bool enum_value(const struct msr_def *def, unsigned field, const char *text, uint64_t *value)
{
    struct msr_enum_value e;
    unsigned i;
    size_t k;

    for (i = 0; msr_field_enum_value(def, field, i, &e); i++) {
        const char *name = e.name;

        for (k = 0; name[k] != '\0' && text[k] != '\0'; k++) {
            char a = name[k], b = text[k];

            if (a >= 'a' && a <= 'z')
                a = (char)(a - 'a' + 'A');
            if (b >= 'a' && b <= 'z')
                b = (char)(b - 'a' + 'A');
            if (a != b)
                break;
        }
        if (name[k] == '\0' && text[k] == '\0') {
            *value = e.value;
            return true;
        }
    }
    return false;
}

bool find_field_value(const struct msr_instance *msr, const struct msr_field_info *field, const char *text,
                      uint64_t *value, struct lookup_failure *why)
{
    const struct msr_def *def = msr_def_of(msr);
    unsigned index = msr_field_index(def, field), width = field_width(field);
    const char *name = msr_field_name(def, index);
    uint64_t max = msr_field_mask(field) >> field->lsb;
    char number[128];

    if (field_is_enumerated(def, field) && !(text[0] >= '0' && text[0] <= '9')) {
        struct suggestion s;
        struct msr_enum_value e;
        unsigned i;

        if (enum_value(def, index, text, value))
            return true;
        suggestion_init(&s, text);
        for (i = 0; msr_field_enum_value(def, index, i, &e); i++)
            suggestion_offer(&s, e.name, NULL);
        why->code = ERR_BAD_VALUE;
        snprintf(why->message, sizeof why->message, "invalid value '%s' for %s.%s: not a number or a value name%s",
                 text, msr_name(msr), name, suggestion_hint(&s));
        return false;
    }
    if (!parse_number(text, 64, value, number, sizeof number)) {
        why->code = ERR_BAD_NUMBER;
        snprintf(why->message, sizeof why->message, "invalid value '%s' for %s.%s: %s", text, msr_name(msr), name,
                 number);
        return false;
    }
    if (*value > max) {
        char most[FORMAT_NUMBER_SIZE];

        format_field_value(most, field, max);
        why->code = ERR_BAD_VALUE;
        snprintf(why->message, sizeof why->message, "value %s does not fit field %s.%s (%u bit%s, at most %s)", text,
                 msr_name(msr), name, width, width == 1 ? "" : "s", most);
        return false;
    }
    return true;
}

/* The value of one assignment, range-checked against the field. */
static bool parse_field_value(const struct msr_instance *msr, const struct msr_field_info *field, const char *text,
                              uint64_t *value)
{
    struct lookup_failure why;

    if (find_field_value(msr, field, text, value, &why))
        return true;
    usage_error_code(why.code, "%s", why.message);
    return false;
}

static bool parse_one(const struct msr_instance *msr, const char *arg, const char *read_only_hint,
                      struct field_assignment *out)
{
    const char *equals = strchr(arg, '=');
    size_t length = (size_t)(equals - arg);
    char *name = xmalloc(length + 1);

    memcpy(name, arg, length);
    name[length] = '\0';
    out->field = length == 0 ? NULL : lookup_field(msr, name);
    free(name);
    if (length == 0) {
        usage_error("missing field name in '%s' (expected FIELD=VALUE)", arg);
        return false;
    }
    if (out->field == NULL)
        return false;
    if (read_only_hint != NULL && out->field->access == MSR_ACCESS_RO) {
        usage_error_code(ERR_REFUSED, "field %s of %s is read-only (%s)", field_name(msr_def_of(msr), out->field),
                         msr_name(msr), read_only_hint);
        return false;
    }
    return parse_field_value(msr, out->field, equals + 1, &out->value);
}

bool parse_assignments(const struct msr_instance *msr, char *const *args, size_t count, const char *read_only_hint,
                       struct field_assignment *out)
{
    size_t i, j;

    for (i = 0; i < count; i++) {
        if (!parse_one(msr, args[i], read_only_hint, &out[i]))
            return false;
        for (j = 0; j < i; j++) {
            if (out[j].field == out[i].field) {
                usage_error("field %s of %s assigned twice", field_name(msr_def_of(msr), out[i].field), msr_name(msr));
                return false;
            }
        }
    }
    return true;
}

uint64_t assignments_mask(const struct field_assignment *a, size_t count)
{
    uint64_t mask = 0;
    size_t i;

    for (i = 0; i < count; i++)
        mask |= msr_field_mask(a[i].field);
    return mask;
}

uint64_t assignments_bits(const struct field_assignment *a, size_t count)
{
    uint64_t bits = 0;
    size_t i;

    for (i = 0; i < count; i++)
        bits = msr_field_insert(a[i].field, bits, a[i].value);
    return bits;
}
