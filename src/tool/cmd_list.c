/*
 * `x86msr list [--supported [--cpuid FILE]] [--json]`: every MSR of the spec,
 * one per line (array registers once per instance, as in the metadata table).
 * With --supported, only the MSRs this CPU (or the CPU of a CPUID dump) may
 * implement, by the spec's presence conditions (msr_is_supported()).
 */
#include "command.h"
#include "cpuid_file.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "msr_json.h"
#include "text_table.h"

#include <x86msr/cpuid.h>
#include <x86msr/meta.h>

enum { OPT_JSON, OPT_SUPPORTED, OPT_CPUID };

static const struct cli_option list_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array of every MSR with its fields"},
    [OPT_SUPPORTED] = {"supported", 0, NULL,
                       "Only MSRs the CPU may implement (presence yes or unknown), with a SUPPORTED column"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", "With --supported: judge the CPU of this `cpuid -r -1` dump, not this one"},
};

/* NULL lists everything; otherwise the CPUID source --supported judges by. */
static bool listed(const struct msr_info *msr, const struct msr_cpuid_source *cpuid, enum msr_support *support)
{
    if (!cpuid)
        return true;
    *support = msr_is_supported(msr, cpuid);
    return *support != MSR_SUPPORT_NO;
}

static void print_text(const struct msr_cpuid_source *cpuid)
{
    static const char *const header[] = {"ADDRESS", "NAME", "CATEGORY", "ACCESS", "FIELDS", "SUPPORTED"};
    size_t columns = cpuid ? 6 : 5;
    struct text_table *table = text_table_new(columns);
    size_t i;

    text_table_add(table, header);
    for (i = 0; i < msr_table_count; i++) {
        const struct msr_info *msr = &msr_table[i];
        char address[FORMAT_NUMBER_SIZE], fields[FORMAT_NUMBER_SIZE];
        enum msr_support support = MSR_SUPPORT_UNKNOWN;
        const char *row[6];

        if (!listed(msr, cpuid, &support))
            continue;
        format_address(address, msr->address);
        format_decimal(fields, msr->field_count);
        row[0] = address;
        row[1] = msr->name;
        row[2] = msr->category;
        row[3] = msr_access_name(msr->access);
        row[4] = fields;
        row[5] = msr_support_name(support);
        text_table_add(table, row);
    }
    text_table_print(table, stdout, "");
    text_table_free(table);
}

static void print_json(const struct msr_cpuid_source *cpuid)
{
    struct json_writer w;
    size_t i;

    json_init(&w, stdout);
    json_begin_array(&w);
    for (i = 0; i < msr_table_count; i++) {
        enum msr_support support = MSR_SUPPORT_UNKNOWN;
        if (!listed(&msr_table[i], cpuid, &support))
            continue;
        json_begin_object(&w);
        json_write_msr_members(&w, &msr_table[i]);
        if (cpuid) {
            json_key(&w, "supported");
            json_string(&w, msr_support_name(support));
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    json_finish(&w);
}

static int run_list(const struct command *self, const struct cli_args *args)
{
    struct cpuid_file dump;
    const struct msr_cpuid_source *cpuid = NULL;
    const char *dump_path = args->option[OPT_CPUID];
    int status;

    (void)self;
    if (dump_path && !cli_flag(args, OPT_SUPPORTED))
        return usage_error("--cpuid FILE only makes sense with --supported");
    if (dump_path) {
        status = cpuid_file_load(dump_path, &dump);
        if (status != TOOL_EXIT_OK)
            return status;
        cpuid = &dump.source;
    } else if (cli_flag(args, OPT_SUPPORTED)) {
        cpuid = &msr_cpuid_native;
    }
    if (cli_flag(args, OPT_JSON))
        print_json(cpuid);
    else
        print_text(cpuid);
    if (dump_path)
        cpuid_file_free(&dump);
    return TOOL_EXIT_OK;
}

const struct command command_list = {
    .name = "list",
    .summary = "List every MSR of the spec (or those this CPU may have)",
    .synopsis = "list [--supported [--cpuid FILE]] [--json]",
    .description = "Lists every MSR of the spec, sorted by address: address, name, category,\n"
                   "access (ro, rw, wo) and number of fields. Array registers appear once per\n"
                   "instance (IA32_MTRR_PHYSBASE0, IA32_MTRR_PHYSBASE1, ...).\n"
                   "\n"
                   "--supported keeps the MSRs whose presence conditions (CPUID bits from the\n"
                   "manuals) do not rule them out on this CPU, and says for each whether the\n"
                   "CPU has it ('yes') or whether that cannot be told from CPUID ('unknown':\n"
                   "no condition in the manual, a condition on another MSR, or a vendor that\n"
                   "does not document it). It never says 'yes' wrongly. --cpuid FILE judges\n"
                   "the CPU of a dump made with `cpuid -r -1` instead of this one.\n"
                   "\n"
                   "With --json, an array of objects with name, address (a hex string),\n"
                   "category, access, vendors, aliases, description, ref, cpuid, condition\n"
                   "(when set), array (instances only), reserved_mask and fields (name, lsb, msb, access,\n"
                   "description, reset and enum where documented); with --supported also\n"
                   "supported (\"yes\" or \"unknown\").",
    .options = list_options,
    .option_count = sizeof list_options / sizeof list_options[0],
    .operand_names = NULL,
    .min_operands = 0,
    .max_operands = 0,
    .run = run_list,
};
