#include "field_args.h"

#include "diag.h"
#include "format.h"
#include "number.h"
#include "suggest.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const struct msr_field_info *lookup_field(const struct msr_info *msr, const char *name)
{
    const struct msr_field_info *field = msr_find_field(msr, name);
    struct suggestion s;
    uint16_t i;

    if (field != NULL)
        return field;
    if (msr->field_count == 0) {
        usage_error_code(ERR_UNKNOWN_FIELD, "%s has no fields (so no field '%s')", msr->name, name);
        return NULL;
    }
    suggestion_init(&s, name);
    for (i = 0; i < msr->field_count; i++)
        suggestion_offer(&s, msr->fields[i].name, NULL);
    usage_error_code(ERR_UNKNOWN_FIELD, "%s has no field '%s'%s", msr->name, name, suggestion_hint(&s));
    return NULL;
}

uint64_t field_mask(const struct msr_field_info *field)
{
    unsigned width = (unsigned)field->msb - field->lsb + 1;
    uint64_t ones = width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;

    return ones << field->lsb;
}

bool is_assignment(const char *arg)
{
    return strchr(arg, '=') != NULL;
}

/* An enumerated field's value by name (any case). */
static bool enum_value(const struct msr_field_info *field, const char *text, uint64_t *value)
{
    uint16_t i;
    size_t k;

    for (i = 0; i < field->enum_count; i++) {
        const char *name = field->enum_values[i].name;

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
            *value = field->enum_values[i].value;
            return true;
        }
    }
    return false;
}

/* The value of one assignment, range-checked against the field. */
static bool parse_field_value(const struct msr_info *msr, const struct msr_field_info *field, const char *text,
                              uint64_t *value)
{
    unsigned width = (unsigned)field->msb - field->lsb + 1;
    uint64_t max = field_mask(field) >> field->lsb;
    char why[128];

    if (field->enum_values != NULL && !(text[0] >= '0' && text[0] <= '9')) {
        struct suggestion s;
        uint16_t i;

        if (enum_value(field, text, value))
            return true;
        suggestion_init(&s, text);
        for (i = 0; i < field->enum_count; i++)
            suggestion_offer(&s, field->enum_values[i].name, NULL);
        usage_error_code(ERR_BAD_VALUE, "invalid value '%s' for %s.%s: not a number or a value name%s", text,
                         msr->name, field->name,
                    suggestion_hint(&s));
        return false;
    }
    if (!parse_number(text, 64, value, why, sizeof why)) {
        usage_error_code(ERR_BAD_NUMBER, "invalid value '%s' for %s.%s: %s", text, msr->name, field->name, why);
        return false;
    }
    if (*value > max) {
        char most[FORMAT_NUMBER_SIZE];

        format_field_value(most, field, max);
        usage_error_code(ERR_BAD_VALUE, "value %s does not fit field %s.%s (%u bit%s, at most %s)", text, msr->name,
                         field->name, width, width == 1 ? "" : "s", most);
        return false;
    }
    return true;
}

static bool parse_one(const struct msr_info *msr, const char *arg, const char *read_only_hint,
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
        usage_error_code(ERR_REFUSED, "field %s of %s is read-only (%s)", out->field->name, msr->name, read_only_hint);
        return false;
    }
    return parse_field_value(msr, out->field, equals + 1, &out->value);
}

bool parse_assignments(const struct msr_info *msr, char *const *args, size_t count, const char *read_only_hint,
                       struct field_assignment *out)
{
    size_t i, j;

    for (i = 0; i < count; i++) {
        if (!parse_one(msr, args[i], read_only_hint, &out[i]))
            return false;
        for (j = 0; j < i; j++) {
            if (out[j].field == out[i].field) {
                usage_error("field %s of %s assigned twice", out[i].field->name, msr->name);
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
        mask |= field_mask(a[i].field);
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
