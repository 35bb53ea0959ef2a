/* Snapshot files (snapshot.h): read whole, parsed by x86msr/files.h. */
#include "snapshot.h"

#include "diag.h"
#include "number.h"
#include "text_file.h"

#include <x86msr/linux.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The tool's words for a mistake msr_snapshot_parse() found (`word`: the word at fault). */
static int report_word(const char *path, const char *word, const struct msr_file_error *e)
{
    char why[128];

    switch (e->status) {
    case MSR_FILE_ERR_NUL:
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: NUL byte in the line (not a text file?)", path, e->line);
    case MSR_FILE_ERR_CPU_LINE:
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: malformed cpu line (expected '# cpu N')", path, e->line);
    case MSR_FILE_ERR_CPU_RANGE:
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: invalid cpu number '%s': the largest is %u", path, e->line,
                                word, MSR_LINUX_MAX_CPUS - 1);
    case MSR_FILE_ERR_CPU_TWICE:
        if (e->first_line == 0)
            return usage_error_code(ERR_BAD_FILE,
                                    "%s:%lu: cpu %" PRIu32 " appears twice (values before the first '# cpu' line "
                                    "are cpu 0's)",
                                    path, e->line, e->cpu);
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: cpu %" PRIu32 " appears twice (first at line %lu)", path,
                                e->line, e->cpu, e->first_line);
    case MSR_FILE_ERR_ONE_WORD:
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: expected 'ADDRESS VALUE', got one word", path, e->line);
    case MSR_FILE_ERR_MORE_WORDS:
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: expected 'ADDRESS VALUE', got more words", path, e->line);
    case MSR_FILE_ERR_ADDRESS_TWICE:
        return usage_error_code(ERR_BAD_FILE,
                                "%s:%lu: address 0x%08" PRIX32 " given twice for cpu %" PRIu32 " (first at line %lu)",
                                path, e->line, e->address, e->cpu, e->first_line);
    case MSR_FILE_ERR_NUMBER:
        number_why(word, e->item == MSR_FILE_ITEM_VALUE ? 64 : 32, &e->number, why, sizeof why);
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: invalid %s '%s': %s", path, e->line,
                                e->item == MSR_FILE_ITEM_CPU ? "cpu number" : msr_file_item_name(e->item), word, why);
    default:
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: unreadable snapshot", path, e->line);
    }
}

static int report(const char *path, const char *text, const struct msr_file_error *e)
{
    char *word = xmalloc(e->word_length + 1);
    int status;

    memcpy(word, text + e->word, e->word_length);
    word[e->word_length] = '\0';
    status = report_word(path, word, e);
    free(word);
    return status;
}

int snapshot_load(const char *path, struct msr_snapshot *out)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "(stdin)" : path;
    FILE *in = is_stdin ? stdin : fopen(path, "r");
    struct msr_file_error error;
    int status;
    char *text;
    size_t length;
    int read_error;

    memset(out, 0, sizeof *out);
    if (in == NULL)
        return runtime_error("cannot open snapshot '%s': %s", path, strerror(errno));
    read_error = text_file_read(in, &text, &length);
    if (!is_stdin)
        fclose(in);
    if (read_error != 0)
        return runtime_error("cannot read snapshot '%s': %s", name, strerror(read_error));
    /* Measure, then parse into that much room: up to the first mistake, which
     * the second pass (with room for what comes before it) reports. */
    out->cpu_limit = MSR_LINUX_MAX_CPUS;
    status = msr_snapshot_parse(text, length, out, &error);
    if (status == MSR_FILE_ERR_NO_ROOM || (status != MSR_OK && (out->cpu_count || out->value_count))) {
        out->cpus = xcalloc(out->cpu_count, sizeof *out->cpus);
        out->cpu_capacity = out->cpu_count;
        out->values = xcalloc(out->value_count, sizeof *out->values);
        out->value_capacity = out->value_count;
        status = msr_snapshot_parse(text, length, out, &error);
    }
    if (status != MSR_OK) {
        int result = report(name, text, &error);

        free(text);
        return result;
    }
    free(text);
    return TOOL_EXIT_OK;
}

void snapshot_free(struct msr_snapshot *snapshot)
{
    free(snapshot->cpus);
    free(snapshot->values);
    memset(snapshot, 0, sizeof *snapshot);
}

void snapshot_cpu_list(const struct msr_snapshot *snapshot, struct cpu_list *out)
{
    size_t i;

    out->count = snapshot->cpu_count;
    out->cpus = xmalloc(snapshot->cpu_count * sizeof *out->cpus);
    for (i = 0; i < snapshot->cpu_count; i++)
        out->cpus[i] = snapshot->cpus[i].cpu;
}

void snapshot_write_header(FILE *out)
{
    fputs("# x86msr snapshot: one 'ADDRESS VALUE' per line; '# cpu N' starts CPU N's values\n", out);
}

void snapshot_write_cpu(FILE *out, unsigned cpu)
{
    fprintf(out, "# cpu %u\n", cpu);
}

void snapshot_write_entry(FILE *out, uint32_t address, uint64_t value, const char *name)
{
    if (name != NULL)
        fprintf(out, "0x%08" PRIX32 " 0x%016" PRIX64 "  # %s\n", address, value, name);
    else
        fprintf(out, "0x%08" PRIX32 " 0x%016" PRIX64 "\n", address, value);
}
