#include "cpu_select.h"

#include "diag.h"
#include "machine.h"
#include "number.h"

#include <x86msr/linux.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cpu_list_free(struct cpu_list *list)
{
    free(list->cpus);
    list->cpus = NULL;
    list->count = 0;
}

bool cpu_list_contains(const struct cpu_list *list, unsigned cpu)
{
    size_t i;

    for (i = 0; i < list->count; i++)
        if (list->cpus[i] == cpu)
            return true;
    return false;
}

/* One CPU number of -c's value: [start, end) of `text`. */
static bool parse_cpu(const char *text, const char *start, const char *end, unsigned *cpu)
{
    size_t length = (size_t)(end - start);
    char *number = xmalloc(length + 1);
    char why[128];
    uint64_t value;
    bool ok = false;

    memcpy(number, start, length);
    number[length] = '\0';
    if (!parse_number(number, 32, &value, why, sizeof why))
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '%s': %s", text, why);
    else if (value >= MSR_LINUX_MAX_CPUS)
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '%s': CPU %s is out of range (the largest is %u)", text,
                         number, MSR_LINUX_MAX_CPUS - 1);
    else
        ok = true;
    if (ok)
        *cpu = (unsigned)value;
    free(number);
    return ok;
}

/* One ITEM, [item, end) of `text`: marks its CPUs in `seen`. */
static bool parse_item(const char *text, const char *item, const char *end, bool *seen, size_t *count)
{
    const char *dash = memchr(item, '-', (size_t)(end - item));
    unsigned low, high, cpu;

    if (end == item) {
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '%s': empty item", text);
        return false;
    }
    if (dash != NULL && (dash == item || dash + 1 == end)) {
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '%s': a range needs a CPU on each side of '-'", text);
        return false;
    }
    if (!parse_cpu(text, item, dash ? dash : end, &low))
        return false;
    high = low;
    if (dash != NULL && !parse_cpu(text, dash + 1, end, &high))
        return false;
    if (high < low) {
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '%s': range %u-%u goes down", text, low, high);
        return false;
    }
    for (cpu = low; cpu <= high; cpu++) {
        if (seen[cpu]) {
            usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '%s': CPU %u given twice", text, cpu);
            return false;
        }
        seen[cpu] = true;
        (*count)++;
    }
    return true;
}

bool cpu_list_parse(const char *text, struct cpu_list *out)
{
    bool *seen = xcalloc(MSR_LINUX_MAX_CPUS, sizeof *seen);
    const char *item = text;
    size_t count = 0;
    bool ok = true;

    out->cpus = NULL;
    out->count = 0;
    if (text[0] == '\0') {
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU list '': empty");
        ok = false;
    }
    while (ok) {
        const char *end = item + strcspn(item, ",");

        ok = parse_item(text, item, end, seen, &count);
        if (*end == '\0')
            break;
        item = end + 1;
    }
    if (ok) {
        unsigned cpu;

        out->cpus = xmalloc(count * sizeof *out->cpus);
        for (cpu = 0; cpu < MSR_LINUX_MAX_CPUS; cpu++)
            if (seen[cpu])
                out->cpus[out->count++] = cpu;
    }
    free(seen);
    return ok;
}

char *cpu_list_format(const unsigned *cpus, size_t count)
{
    /* Each item is at most "65535-65535," */
    char *text = xmalloc(count * 12 + 1);
    size_t used = 0, i = 0;

    text[0] = '\0';
    while (i < count) {
        size_t j = i;

        while (j + 1 < count && cpus[j + 1] == cpus[j] + 1)
            j++;
        if (j == i)
            used += (size_t)sprintf(text + used, "%s%u", used ? "," : "", cpus[i]);
        else
            used += (size_t)sprintf(text + used, "%s%u-%u", used ? "," : "", cpus[i], cpus[j]);
        i = j + 1;
    }
    return text;
}

char *cpu_list_label(const unsigned *cpus, size_t count)
{
    char *list = cpu_list_format(cpus, count);
    size_t size = strlen(list) + sizeof "cpus ";
    char *label = xmalloc(size);

    snprintf(label, size, "%s %s", count == 1 ? "cpu" : "cpus", list);
    free(list);
    return label;
}

static int check_exclusive(const char *cpu_option, bool all)
{
    if (cpu_option != NULL && all)
        return usage_error("-c and -a exclude each other: give a CPU list or all CPUs");
    return TOOL_EXIT_OK;
}

int cpu_select_live(const char *cpu_option, bool all, enum cpu_default fallback, struct cpu_list *out)
{
    int status = check_exclusive(cpu_option, all);
    unsigned *online;
    size_t count;

    out->cpus = NULL;
    out->count = 0;
    if (status != TOOL_EXIT_OK)
        return status;
    if (cpu_option != NULL)
        return cpu_list_parse(cpu_option, out) ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
    if (!all && fallback == CPU_DEFAULT_REQUIRED)
        return usage_error("no CPU selected: give -c CPU[,CPU...] or -a (all CPUs)");
    status = msr_linux_cpus(machine(), &online, &count);
    if (status != MSR_OK)
        return machine_cpus_error(status);
    if (count == 0)
        return runtime_error_code(ERR_NO_CPU, "no CPUs found under %s", msr_linux_cpu_root(machine()));
    out->cpus = online;
    out->count = all ? count : 1;
    return TOOL_EXIT_OK;
}

int cpu_select_among(const char *cpu_option, bool all, const struct cpu_list *available, const char *where,
                     struct cpu_list *out)
{
    int status = check_exclusive(cpu_option, all);
    size_t i;

    out->cpus = NULL;
    out->count = 0;
    if (status != TOOL_EXIT_OK)
        return status;
    if (cpu_option == NULL) {
        out->cpus = xmalloc(available->count * sizeof *out->cpus);
        memcpy(out->cpus, available->cpus, available->count * sizeof *out->cpus);
        out->count = available->count;
        return TOOL_EXIT_OK;
    }
    if (!cpu_list_parse(cpu_option, out))
        return TOOL_EXIT_USAGE;
    for (i = 0; i < out->count; i++) {
        if (!cpu_list_contains(available, out->cpus[i])) {
            char *have = cpu_list_label(available->cpus, available->count);

            status = usage_error_code(ERR_NO_CPU, "%s has no CPU %u (it has %s)", where, out->cpus[i],
                                 available->count ? have : "no CPUs");
            free(have);
            cpu_list_free(out);
            return status;
        }
    }
    return TOOL_EXIT_OK;
}
