/*
 * The JSON description of an MSR and of its fields, one shape for every
 * subcommand that prints metadata (list, show; later read and dump):
 *
 *   {"name", "address" "0x..", "category", "access", "vendors" [..],
 *    "aliases" [..], "description", "ref", "cpuid" [{leaf, subleaf,
 *    register, bit}], "condition" (a presence condition CPUID cannot
 *    express, when there is one), "array" {name, index, count} (arrays only),
 *    "reserved_mask" "0x..", "fields" [..]}
 *   field: {"name", "lsb", "msb", "access", "description",
 *           "reset" "0x.." (when documented), "enum" [{name, value,
 *           description}] (when enumerated)}
 */
#ifndef X86MSR_TOOL_MSR_JSON_H
#define X86MSR_TOOL_MSR_JSON_H

#include "json.h"

#include <x86msr/meta.h>

void json_write_msr(struct json_writer *w, const struct msr_info *msr);
/* The same members without the enclosing braces, for callers that add their own. */
void json_write_msr_members(struct json_writer *w, const struct msr_info *msr);
void json_write_field(struct json_writer *w, const struct msr_field_info *field);

#endif
