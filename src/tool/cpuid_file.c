/* Reading `cpuid -r -1` dumps (cpuid_file.h): read whole, parsed by x86msr/files.h. */
#include "cpuid_file.h"

#include "command.h"
#include "diag.h"
#include "number.h"
#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tool's words for a mistake msr_cpuid_dump_parse() found. */
static int report(const char *path, const char *text, const struct msr_file_error *e)
{
    char *word = xmalloc(e->word_length + 1);
    char why[160];
    int status;

    memcpy(word, text + e->word, e->word_length);
    word[e->word_length] = '\0';
    switch (e->status) {
    case MSR_FILE_ERR_NO_LEAVES:
        status = usage_error_code(ERR_BAD_FILE, "%s: no CPUID leaves in the file", path);
        break;
    case MSR_FILE_ERR_NUL:
        status = usage_error_code(ERR_BAD_FILE, "%s:%lu: NUL byte in the line (not a text file?)", path, e->line);
        break;
    case MSR_FILE_ERR_LEAF_LINE:
        status = usage_error_code(ERR_BAD_FILE, "%s:%lu: expected 'LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..'", path,
                                  e->line);
        break;
    case MSR_FILE_ERR_NO_COLON:
        status = usage_error_code(ERR_BAD_FILE, "%s:%lu: expected ':' after the subleaf '%s'", path, e->line, word);
        break;
    case MSR_FILE_ERR_REGISTER:
        status = usage_error_code(ERR_BAD_FILE, "%s:%lu: expected %s=VALUE, found '%s'", path, e->line,
                                  msr_file_item_name(e->item), word);
        break;
    case MSR_FILE_ERR_NUMBER:
        number_why(word, 32, &e->number, why, sizeof why);
        status = usage_error_code(ERR_BAD_FILE, "%s:%lu: %s", path, e->line, why);
        break;
    default:
        status = usage_error_code(ERR_BAD_FILE, "%s:%lu: unreadable CPUID dump", path, e->line);
        break;
    }
    free(word);
    return status;
}

int cpuid_file_load(const char *path, struct cpuid_file *out)
{
    FILE *f = fopen(path, "r");
    struct msr_file_error error;
    int status;
    size_t length, count = 0;
    char *text;
    int read_error;

    memset(out, 0, sizeof(*out));
    if (!f)
        return runtime_error("cannot read CPUID dump '%s': %s", path, strerror(errno));
    read_error = text_file_read(f, &text, &length);
    fclose(f);
    if (read_error != 0)
        return runtime_error("cannot read CPUID dump '%s': %s", path, strerror(read_error));
    /* Measure, then parse into that much room. */
    status = msr_cpuid_dump_parse(text, length, NULL, 0, &count, &error);
    if (status == MSR_FILE_ERR_NO_ROOM) {
        out->entries = xcalloc(count, sizeof(*out->entries));
        status = msr_cpuid_dump_parse(text, length, out->entries, count, &count, &error);
    }
    if (status != MSR_OK) {
        int result = report(path, text, &error);

        free(text);
        cpuid_file_free(out);
        return result;
    }
    free(text);
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
