/*
 * `x86msr list [--json]`: every MSR of the spec, one per line (array
 * registers once per instance, as in the metadata table).
 */
#include "command.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "msr_json.h"
#include "text_table.h"

#include <x86msr/meta.h>

enum { OPT_JSON };

static const struct cli_option list_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array of every MSR with its fields"},
};

static void print_text(void)
{
    static const char *const header[] = {"ADDRESS", "NAME", "CATEGORY", "ACCESS", "FIELDS"};
    struct text_table *table = text_table_new(5);
    size_t i;

    text_table_add(table, header);
    for (i = 0; i < msr_table_count; i++) {
        const struct msr_info *msr = &msr_table[i];
        char address[FORMAT_NUMBER_SIZE], fields[FORMAT_NUMBER_SIZE];
        const char *row[5];

        format_address(address, msr->address);
        format_decimal(fields, msr->field_count);
        row[0] = address;
        row[1] = msr->name;
        row[2] = msr->category;
        row[3] = msr_access_name(msr->access);
        row[4] = fields;
        text_table_add(table, row);
    }
    text_table_print(table, stdout, "");
    text_table_free(table);
}

static void print_json(void)
{
    struct json_writer w;
    size_t i;

    json_init(&w, stdout);
    json_begin_array(&w);
    for (i = 0; i < msr_table_count; i++)
        json_write_msr(&w, &msr_table[i]);
    json_end_array(&w);
    json_finish(&w);
}

static int run_list(const struct command *self, const struct cli_args *args)
{
    (void)self;
    if (cli_flag(args, OPT_JSON))
        print_json();
    else
        print_text();
    return TOOL_EXIT_OK;
}

const struct command command_list = {
    .name = "list",
    .summary = "List every MSR of the spec",
    .synopsis = "list [--json]",
    .description = "Lists every MSR of the spec, sorted by address: address, name, category,\n"
                   "access (ro, rw, wo) and number of fields. Array registers appear once per\n"
                   "instance (IA32_MTRR_PHYSBASE0, IA32_MTRR_PHYSBASE1, ...).\n"
                   "\n"
                   "With --json, an array of objects with name, address (a hex string),\n"
                   "category, access, vendors, aliases, description, ref, cpuid, condition\n"
                   "(when set), array (instances only), reserved_mask and fields (name, lsb, msb, access,\n"
                   "description, reset and enum where documented).",
    .options = list_options,
    .option_count = sizeof list_options / sizeof list_options[0],
    .operand_names = NULL,
    .min_operands = 0,
    .max_operands = 0,
    .run = run_list,
};
