/*
 * The JSON description of an MSR and of its fields, one shape for every
 * subcommand that prints metadata (list, show):
 *
 *   {"name", "address" "0x0000003A", "category", "access", "vendors" [..],
 *    "aliases" [..], "description", "ref", "present_if" (text) and
 *    "present_if_tree" (when there is a condition), "supported" (with facts),
 *    "array" {name, index, count} (arrays only), "reserved_mask",
 *    "writable_mask", "w1c_mask" (16 hex digits), "fields" [..]}
 *   field: {"name", "lsb", "msb", "access", "description",
 *           "reset" and "reset_int" (when documented), "enum" [{name, value,
 *           description}] (when enumerated), "vendors" (when the field has
 *           its own), "present_if" and "present_if_tree" (when it has a
 *           condition), "supported" (with facts), "canonical",
 *           "undocumented", "counter" (when set)}
 *
 * With facts (a CPU: --supported, --cpuid) the masks are that CPU's
 * (msr_masks_for(), not strict: a field whose presence the facts cannot
 * decide counts as present, as `decode` judges), "supported" says yes, no or
 * unknown for the register and each field; without, the masks are the
 * spec's, every field counted.
 */
#ifndef X86MSR_TOOL_MSR_JSON_H
#define X86MSR_TOOL_MSR_JSON_H

#include "json.h"

#include <x86msr/cpuid.h>
#include <x86msr/meta.h>

/* `facts`: the CPU to judge by, or NULL for the spec's own view. */
void json_write_msr(struct json_writer *w, const struct msr_instance *msr, const struct msr_facts *facts);

#endif
