/*
 * CPUs grouped by the value they gave, for "same on every CPU" / "differs"
 * output: groups in order of their first CPU, each with its CPUs ascending.
 */
#ifndef X86MSR_TOOL_VALUE_GROUPS_H
#define X86MSR_TOOL_VALUE_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct value_group {
    uint64_t value;
    unsigned *cpus;
    size_t count;
    char *label; /* "cpu 3" / "cpus 0-2" */
    char *list;  /* "3" / "0-2" */
};

struct value_groups {
    struct value_group *groups;
    size_t count;
};

/* Groups the CPUs `cpus[i]` whose `ok[i]` is true by `values[i]` (the
 * arrays hold `n` entries); `mask` selects the bits that count. */
void value_groups_build(struct value_groups *out, const unsigned *cpus, const uint64_t *values, const bool *ok,
                        size_t n, uint64_t mask);
void value_groups_free(struct value_groups *groups);

#endif
