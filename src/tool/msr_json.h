/*
 * The JSON description of an MSR and of its fields, one shape for every
 * subcommand that prints metadata (list, show):
 *
 *   {"name", "address" "0x0000003A", "category", "access", "vendors" [..],
 *    "aliases" [..], "description", "ref", "present_if" (text) and
 *    "present_if_tree" (when there is a condition), "array" {name, index,
 *    count} (arrays only), "reserved_mask", "writable_mask", "w1c_mask"
 *    (16 hex digits), "fields" [..]}
 *   field: {"name", "lsb", "msb", "access", "description",
 *           "reset" and "reset_int" (when documented), "enum" [{name, value,
 *           description}] (when enumerated), "vendors", "canonical",
 *           "undocumented", "counter" (when set)}
 */
#ifndef X86MSR_TOOL_MSR_JSON_H
#define X86MSR_TOOL_MSR_JSON_H

#include "json.h"

#include <x86msr/meta.h>

void json_write_msr(struct json_writer *w, const struct msr_instance *msr);
/* The same members without the enclosing braces, for callers that add their own. */
void json_write_msr_members(struct json_writer *w, const struct msr_instance *msr);
/* Field `index` of `def`. */
void json_write_field(struct json_writer *w, const struct msr_def *def, unsigned index);

#endif
