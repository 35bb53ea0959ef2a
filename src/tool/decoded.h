/*
 * A register value taken apart field by field, in the two shapes every
 * subcommand that shows values uses (decode, encode, read, dump):
 *
 *   text:  BITS  FIELD  ACCESS  HEX  DECIMAL  MEANING    (one row per field;
 *          HEX padded to the field's width)
 *   JSON:  "value": "0x<16 digits>", "value_int" (below 2^53),
 *          "reserved_bits_set": "0x<16 digits>",
 *          "fields": [{name, lsb, msb, access, value, value_int, enum
 *                      (enumerated fields: the value's name or null)}]
 */
#ifndef X86MSR_TOOL_DECODED_H
#define X86MSR_TOOL_DECODED_H

#include "diag.h"
#include "json.h"

#include <x86msr/meta.h>

#include <stdint.h>
#include <stdio.h>

/* The name of value `x` of `field` (a field of `def`) when the field is
 * enumerated ("(not a named value)" when it has none); "" for a field without
 * named values. */
const char *field_meaning(const struct msr_def *def, const struct msr_field_info *field, uint64_t x);

/* The table of every field of `def` in `value` (only `only` when not NULL),
 * lines starting with `indent`; "no fields" for a register without any. */
void print_decoded_fields(FILE *out, const struct msr_def *def, uint64_t value, const struct msr_field_info *only,
                          const char *indent);

/* The members "value", "reserved_bits_set" and "fields" of an open object
 * (`only`: just that field). `msr` NULL (an address the spec does not know):
 * "value" and an empty "fields". */
void json_write_decoded(struct json_writer *w, const struct msr_instance *msr, uint64_t value,
                        const struct msr_field_info *only);

/* A whole JSON document on stdout: {name, address, then json_write_decoded()'s
 * members, then "wrmsr": whether a WRMSR of the value would be accepted
 * (write_verdict.h)} (decode --json, encode --json). */
void print_decoded_json(const struct msr_instance *msr, uint64_t value);

/* One register read on one CPU, as read and dump print it: {cpu, name (null
 * when not in the spec), address, then json_write_decoded()'s members}, or
 * {cpu, name, address, error: {code, message}} when `status` is not MSR_OK. */
void json_write_reading(struct json_writer *w, unsigned cpu, const struct msr_instance *msr, uint32_t address,
                        uint64_t value, const struct msr_field_info *only, int status);

#endif
