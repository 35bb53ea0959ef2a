/*
 * Snapshot files: MSR values saved by `dump --snapshot`, read back by
 * `dump --from` and `vmxcap --from`.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct snapshot_entry {
    uint32_t address;
    uint64_t value;
    unsigned long line;
};

struct snapshot_cpu {
    unsigned cpu;
    unsigned long line; /* of its "# cpu N" line; 0 when implicit */
    struct snapshot_entry *entries; /* sorted by address */
    size_t count;
    size_t capacity;
};

struct snapshot {
    struct snapshot_cpu *cpus; /* sorted by CPU number */
    size_t count;
    size_t capacity;
};

/*
 * Reads the snapshot in `path` ("-": standard input). Returns TOOL_EXIT_OK,
 * or, after printing one line, TOOL_EXIT_FAILURE (cannot read the file) or
 * TOOL_EXIT_USAGE (malformed: "FILE:LINE: ..."). Free with snapshot_free()
 * in every case.
 */
int snapshot_load(const char *path, struct snapshot *out);
void snapshot_free(struct snapshot *snapshot);

/* The CPU's values, or NULL when the snapshot has none for it. */
const struct snapshot_cpu *snapshot_find_cpu(const struct snapshot *snapshot, unsigned cpu);
/* The value of `address` on `cpu`; false when the snapshot lacks it. */
bool snapshot_lookup(const struct snapshot_cpu *cpu, uint32_t address, uint64_t *value);

/* The CPUs of the snapshot (malloc'ed list, ascending). */
void snapshot_cpu_list(const struct snapshot *snapshot, struct cpu_list *out);

/* Writing one: the header comment once, then per CPU its line and values.
 * `name` (may be NULL) becomes a trailing comment. */
void snapshot_write_header(FILE *out);
void snapshot_write_cpu(FILE *out, unsigned cpu);
void snapshot_write_entry(FILE *out, uint32_t address, uint64_t value, const char *name);

#endif
