/*
 * Fields named on the command line: `-f FIELD` and FIELD=VALUE assignments
 * (write, encode), checked against the register's fields.
 *
 * VALUE is a number (number.h) or, for an enumerated field, one of its value
 * names in any case (PA0=WB). It must fit the field's width. A field may be
 * assigned once. Every failure prints one line (with the closest field name
 * when there is a plausible one) and the caller exits with TOOL_EXIT_USAGE.
 */
#ifndef X86MSR_TOOL_FIELD_ARGS_H
#define X86MSR_TOOL_FIELD_ARGS_H

#include "msr_lookup.h"

#include <x86msr/meta.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The field of `msr` called `name` (any case), or NULL after the error. */
const struct msr_field_info *lookup_field(const struct msr_instance *msr, const char *name);

/* The same without printing: NULL with *why filled in. */
const struct msr_field_info *find_field(const struct msr_instance *msr, const char *name, struct lookup_failure *why);

/* The value `text` gives `field` of `msr` (a number or a value name), which
 * must fit the field; false with *why filled in. */
bool find_field_value(const struct msr_instance *msr, const struct msr_field_info *field, const char *text,
                      uint64_t *value, struct lookup_failure *why);

struct field_assignment {
    const struct msr_field_info *field; /* a field of the register's record */
    uint64_t value;                     /* fits the field, not shifted */
};

/* True when `arg` looks like FIELD=VALUE (has an '='). */
bool is_assignment(const char *arg);

/*
 * Parses `count` FIELD=VALUE arguments for `msr` into `out` (room for
 * `count`). Unless `read_only_hint` is NULL, naming a read-only field is an
 * error ("field LMA of IA32_EFER is read-only (HINT)", the hint saying how to
 * do it anyway).
 */
bool parse_assignments(const struct msr_instance *msr, char *const *args, size_t count, const char *read_only_hint,
                       struct field_assignment *out);

/* The union of the assigned fields' masks, and those values in place. */
uint64_t assignments_mask(const struct field_assignment *a, size_t count);
uint64_t assignments_bits(const struct field_assignment *a, size_t count);

#endif
