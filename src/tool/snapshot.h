/*
 * Snapshot files: MSR values saved by `dump --snapshot`, read back by
 * `dump --from`, `vmxcap --from`, `list --from` and `diff` (the parser is
 * x86msr/files.h's, in the library).
 *
 *   # x86msr snapshot ...            a comment: '#' to the end of the line
 *   # cpu 0                          the following values are CPU 0's
 *   0x0000003A 0x0000000000000005    ADDRESS VALUE, blanks between
 *   0xC0000080 3329  # IA32_EFER     numbers as on the command line (hex
 *                                    with 0x, decimal, 0b, '_')
 *
 * A comment whose first word is `cpu` must be exactly `# cpu N`. Values
 * before the first such line belong to CPU 0, so a plain list of
 * "ADDRESS VALUE" lines is a one-CPU snapshot. Blank lines and CR LF line
 * ends are fine. A CPU may appear once, an address once per CPU. Anything
 * else is an error naming FILE:LINE.
 */
#ifndef X86MSR_TOOL_SNAPSHOT_H
#define X86MSR_TOOL_SNAPSHOT_H

#include "cpu_select.h"

#include <x86msr/files.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Reads the snapshot in `path` ("-": standard input) with x86msr/files.h's
 * msr_snapshot_parse() into storage it allocates. Returns TOOL_EXIT_OK, or,
 * after printing one line, TOOL_EXIT_FAILURE (cannot read the file) or
 * TOOL_EXIT_USAGE (malformed: "FILE:LINE: ..."). Free with snapshot_free()
 * in every case. Look values up with msr_snapshot_find_cpu() and
 * msr_snapshot_lookup().
 */
int snapshot_load(const char *path, struct msr_snapshot *out);
void snapshot_free(struct msr_snapshot *snapshot);

/* The CPUs of the snapshot (malloc'ed list, ascending). */
void snapshot_cpu_list(const struct msr_snapshot *snapshot, struct cpu_list *out);

/* Writing one: the header comment once, then per CPU its line and values.
 * `name` (may be NULL) becomes a trailing comment. */
void snapshot_write_header(FILE *out);
void snapshot_write_cpu(FILE *out, unsigned cpu);
void snapshot_write_entry(FILE *out, uint32_t address, uint64_t value, const char *name);

#endif
