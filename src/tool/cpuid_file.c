/* Reading `cpuid -r -1` dumps (cpuid_file.h). */
#define _POSIX_C_SOURCE 200809L /* strtok_r, getline */
#include "cpuid_file.h"

#include "command.h"
#include "diag.h"
#include "number.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits "name=VALUE" and parses VALUE as 32 bits. */
static bool register_value(const char *word, const char *name, uint32_t *out, char *why, size_t why_size)
{
    size_t len = strlen(name);
    uint64_t value;
    if (strncmp(word, name, len) != 0 || word[len] != '=') {
        snprintf(why, why_size, "expected %s=VALUE, found '%s'", name, word);
        return false;
    }
    if (!parse_number(word + len + 1, 32, &value, why, why_size))
        return false;
    *out = (uint32_t)value;
    return true;
}

/* One "LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=.." line. */
static bool parse_line(char *line, struct msr_cpuid_entry *e, char *why, size_t why_size)
{
    char *words[6];
    size_t n = 0, sub_len;
    uint64_t number;
    char *save = NULL, *w;

    for (w = strtok_r(line, " \t\r\n", &save); w && n < 6; w = strtok_r(NULL, " \t\r\n", &save))
        words[n++] = w;
    if (n != 6 || strtok_r(NULL, " \t\r\n", &save)) {
        snprintf(why, why_size, "expected 'LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..'");
        return false;
    }
    if (!parse_number(words[0], 32, &number, why, why_size))
        return false;
    e->leaf = (uint32_t)number;
    sub_len = strlen(words[1]);
    if (sub_len < 2 || words[1][sub_len - 1] != ':') {
        snprintf(why, why_size, "expected ':' after the subleaf '%s'", words[1]);
        return false;
    }
    words[1][sub_len - 1] = '\0';
    if (!parse_number(words[1], 32, &number, why, why_size))
        return false;
    e->subleaf = (uint32_t)number;
    return register_value(words[2], "eax", &e->regs.eax, why, why_size) &&
           register_value(words[3], "ebx", &e->regs.ebx, why, why_size) &&
           register_value(words[4], "ecx", &e->regs.ecx, why, why_size) &&
           register_value(words[5], "edx", &e->regs.edx, why, why_size);
}

/* Blank lines and `#` comments carry no leaf. */
static bool blank(const char *line)
{
    char first = line[strspn(line, " \t\r\n")];
    return first == '\0' || first == '#';
}

int cpuid_file_load(const char *path, struct cpuid_file *out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, why[160];
    size_t line_size = 0, count = 0, capacity = 64, lineno = 0;
    bool seen_cpu = false;

    memset(out, 0, sizeof(*out));
    if (!f)
        return runtime_error("cannot read CPUID dump '%s': %s", path, strerror(errno));
    out->entries = xcalloc(capacity, sizeof(*out->entries));
    /* getline: a line of any length is one line (a long comment must not
     * spill into a second, parsed one). */
    while (getline(&line, &line_size, f) >= 0) {
        unsigned cpu;
        char tail;
        lineno++;
        if (blank(line))
            continue;
        if ((sscanf(line, " CPU %u%c", &cpu, &tail) == 2 && tail == ':') ||
            (sscanf(line, " CPU%c", &tail) == 1 && tail == ':')) {
            if (seen_cpu)
                break; /* the first CPU's leaves are enough */
            seen_cpu = true;
            continue;
        }
        if (count == capacity) {
            struct msr_cpuid_entry *bigger = xcalloc(capacity * 2, sizeof(*bigger));
            memcpy(bigger, out->entries, count * sizeof(*bigger));
            free(out->entries);
            out->entries = bigger;
            capacity *= 2;
        }
        if (!parse_line(line, &out->entries[count], why, sizeof why)) {
            free(line);
            fclose(f);
            cpuid_file_free(out);
            return usage_error_code(ERR_BAD_FILE, "%s:%zu: %s", path, lineno, why);
        }
        count++;
    }
    free(line);
    fclose(f);
    if (count == 0) {
        cpuid_file_free(out);
        return usage_error_code(ERR_BAD_FILE, "%s: no CPUID leaves in the file", path);
    }
    out->table.entries = out->entries;
    out->table.count = count;
    out->source = msr_cpuid_table_source(&out->table);
    return TOOL_EXIT_OK;
}

void cpuid_file_free(struct cpuid_file *file)
{
    free(file->entries);
    memset(file, 0, sizeof(*file));
}
