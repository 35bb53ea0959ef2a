/*
 * `x86msr list [--supported [--cpuid FILE] [--from SNAPSHOT [-c CPU]]] [--json]`:
 * every MSR of the spec, one per line (array registers once per instance, as
 * in the metadata table). With --supported, only the MSRs this CPU (or the CPU
 * of a CPUID dump) may implement, by the spec's presence conditions
 * (msr_is_supported()); a snapshot of MSR values decides the conditions that
 * depend on other MSRs.
 */
#include "command.h"
#include "cpuid_file.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "msr_json.h"
#include "snapshot.h"
#include "text_table.h"

#include <x86msr/cpuid.h>
#include <x86msr/meta.h>

#include <stdlib.h>

enum { OPT_JSON, OPT_SUPPORTED, OPT_CPUID, OPT_FROM, OPT_CPU };

static const struct cli_option list_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array of every MSR with its fields"},
    [OPT_SUPPORTED] = {"supported", 0, NULL,
                       "Only MSRs the CPU may implement (presence yes or unknown), with a SUPPORTED column"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", "With --supported: judge the CPU of this `cpuid -r -1` dump, not this one"},
    [OPT_FROM] = {"from", 0, "SNAPSHOT",
                  "With --supported: MSR values (a snapshot file) for conditions on other MSRs"},
    [OPT_CPU] = {"cpu", 'c', "CPU", "With --from: the snapshot's CPU to use (default: its first)"},
};

/* Reads MSR values from one CPU of a snapshot for the presence conditions. */
static int snapshot_fact(void *ctx, uint32_t msr, uint64_t *value)
{
    *value = 0;
    return snapshot_lookup((const struct snapshot_cpu *)ctx, msr, value) ? MSR_OK : MSR_ERR_FAULT;
}

/* NULL lists everything; otherwise the facts --supported judges by. */
static bool listed(const struct msr_info *msr, const struct msr_facts *facts, enum msr_support *support)
{
    if (!facts)
        return true;
    *support = msr_is_supported(msr, facts);
    return *support != MSR_SUPPORT_NO;
}

static void print_text(const struct msr_facts *cpuid)
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
        row[2] = category_name(msr);
        row[3] = msr_access_name(msr->access);
        row[4] = fields;
        row[5] = msr_support_name(support);
        text_table_add(table, row);
    }
    text_table_print(table, stdout, "");
    text_table_free(table);
}

static void print_json(const struct msr_facts *cpuid)
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
    struct snapshot snapshot = {NULL, 0, 0};
    struct msr_facts facts = {NULL, NULL, NULL};
    const char *dump_path = args->option[OPT_CPUID], *from = args->option[OPT_FROM];
    int status = TOOL_EXIT_OK;

    (void)self;
    if ((dump_path || from) && !cli_flag(args, OPT_SUPPORTED))
        return usage_error("--%s only makes sense with --supported", dump_path ? "cpuid FILE" : "from SNAPSHOT");
    if (args->option[OPT_CPU] && !from)
        return usage_error("--cpu only makes sense with --from");
    if (dump_path) {
        status = cpuid_file_load(dump_path, &dump);
        if (status != TOOL_EXIT_OK)
            return status;
        facts.cpuid = &dump.source;
    } else if (cli_flag(args, OPT_SUPPORTED)) {
        facts.cpuid = &msr_cpuid_native;
    }
    if (from) {
        const struct snapshot_cpu *cpu = NULL;
        status = snapshot_load(from, &snapshot);
        if (status == TOOL_EXIT_OK && snapshot.count == 0)
            status = usage_error("%s: the snapshot holds no MSR values", from);
        if (status == TOOL_EXIT_OK && args->option[OPT_CPU]) {
            unsigned long n;
            char *end;
            n = strtoul(args->option[OPT_CPU], &end, 10);
            if (*end != '\0' || end == args->option[OPT_CPU] ||
                (cpu = snapshot_find_cpu(&snapshot, (unsigned)n)) == NULL)
                status = usage_error("%s: no CPU '%s' in the snapshot", from, args->option[OPT_CPU]);
        } else if (status == TOOL_EXIT_OK) {
            cpu = &snapshot.cpus[0];
        }
        facts.read_msr = snapshot_fact;
        facts.msr_ctx = (void *)(uintptr_t)cpu;
    }
    if (status == TOOL_EXIT_OK) {
        const struct msr_facts *judge = facts.cpuid ? &facts : NULL;
        if (cli_flag(args, OPT_JSON))
            print_json(judge);
        else
            print_text(judge);
    }
    snapshot_free(&snapshot);
    if (dump_path)
        cpuid_file_free(&dump);
    return status;
}

const struct command command_list = {
    .name = "list",
    .summary = "List every MSR of the spec (or those this CPU may have)",
    .synopsis = "list [--supported [--cpuid FILE] [--from SNAPSHOT [-c CPU]]] [--json]",
    .description = "Lists every MSR of the spec, sorted by address: address, name, category,\n"
                   "access (ro, rw, wo) and number of fields. Array registers appear once per\n"
                   "instance (IA32_MTRR_PHYSBASE0, IA32_MTRR_PHYSBASE1, ...).\n"
                   "\n"
                   "--supported keeps the MSRs whose presence conditions (CPUID bits, bits of\n"
                   "other MSRs, CPU family and model, from the manuals) do not rule them out on\n"
                   "this CPU, and says for each whether the CPU has it ('yes') or whether that\n"
                   "cannot be told ('unknown': no condition in the manual, a condition on an\n"
                   "MSR whose value is not known, or a vendor that does not document it). It\n"
                   "never says 'yes' wrongly. --cpuid FILE judges the CPU of a dump made with\n"
                   "`cpuid -r -1` instead of this one; --from SNAPSHOT supplies MSR values (a\n"
                   "snapshot file, e.g. from `dump --snapshot`) for the conditions that test\n"
                   "other MSRs, such as the VMX capability MSRs that exist only when\n"
                   "IA32_VMX_BASIC or a control MSR says so.\n"
                   "\n"
                   "With --json, an array of objects with name, address (a hex string),\n"
                   "category, access, vendors, aliases, description, ref, present_if and\n"
                   "present_if_tree (when set), array (instances only), reserved_mask,\n"
                   "writable_mask, w1c_mask and fields (name, lsb, msb, access, description,\n"
                   "reset, enum, vendors and canonical where documented); with --supported also\n"
                   "supported (\"yes\" or \"unknown\").",
    .options = list_options,
    .option_count = sizeof list_options / sizeof list_options[0],
    .operand_names = NULL,
    .min_operands = 0,
    .max_operands = 0,
    .run = run_list,
};
