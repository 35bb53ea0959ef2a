#include "value_groups.h"

#include "cpu_select.h"
#include "diag.h"

#include <stdlib.h>

void value_groups_build(struct value_groups *out, const unsigned *cpus, const uint64_t *values, const bool *ok,
                        size_t n, uint64_t mask)
{
    size_t *group_of = xmalloc(n * sizeof *group_of);
    size_t i, g;

    out->groups = xcalloc(n, sizeof *out->groups);
    out->count = 0;
    for (i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        for (g = 0; g < out->count && out->groups[g].value != (values[i] & mask); g++)
            ;
        if (g == out->count)
            out->groups[out->count++].value = values[i] & mask;
        out->groups[g].count++;
        group_of[i] = g;
    }
    for (g = 0; g < out->count; g++) {
        struct value_group *group = &out->groups[g];

        group->cpus = xmalloc(group->count * sizeof *group->cpus);
        group->count = 0;
    }
    for (i = 0; i < n; i++)
        if (ok[i]) {
            struct value_group *group = &out->groups[group_of[i]];
            group->cpus[group->count++] = cpus[i];
        }
    for (g = 0; g < out->count; g++) {
        struct value_group *group = &out->groups[g];

        group->label = cpu_list_label(group->cpus, group->count);
        group->list = cpu_list_format(group->cpus, group->count);
    }
    free(group_of);
}

void value_groups_free(struct value_groups *groups)
{
    size_t g;

    for (g = 0; g < groups->count; g++) {
        free(groups->groups[g].cpus);
        free(groups->groups[g].label);
        free(groups->groups[g].list);
    }
    free(groups->groups);
    groups->groups = NULL;
    groups->count = 0;
}
