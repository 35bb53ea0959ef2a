/*
 * `x86msr encode NAME|ADDRESS FIELD=VALUE... [--base VALUE] [--json]`: a
 * register value composed from field values, offline. The reverse of
 * `decode`; its output can be given to `write`.
 */
#include "command.h"
#include "cpuid_file.h"
#include "decoded.h"
#include "diag.h"
#include "field_args.h"
#include "format.h"
#include "json.h"
#include "msr_lookup.h"

#include <stdlib.h>

enum { OPT_BASE, OPT_ALLOW_RO, OPT_JSON, OPT_CPUID };

static const struct cli_option encode_options[] = {
    [OPT_BASE] = {"base", 0, "VALUE", "Start from VALUE instead of 0"},
    [OPT_ALLOW_RO] = {"allow-ro", 0, NULL, "Accept read-only fields (for a value to compare with)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object (as 'decode --json' of the result)"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", LOOKUP_CPUID_OPTION_HELP},
};

static const char *const encode_operands[] = {"NAME|ADDRESS", "FIELD=VALUE"};

static int encode(const struct cli_args *args, const struct msr_instance *msr)
{
    char *const *values = args->operands + 1;
    size_t count = args->operand_count - 1, i;
    struct field_assignment *assignments;
    uint64_t value = 0;
    bool ok;

    if (msr == NULL)
        return TOOL_EXIT_USAGE;
    if (args->option[OPT_BASE] != NULL && !parse_value_arg(args->option[OPT_BASE], &value))
        return TOOL_EXIT_USAGE;
    for (i = 0; i < count; i++)
        if (!is_assignment(values[i]))
            return usage_error("expected FIELD=VALUE, got '%s'", values[i]);
    assignments = xcalloc(count, sizeof *assignments);
    /* What encode composes is usually written next: a read-only field is
     * refused as write refuses it, unless the value is meant for comparing. */
    ok = parse_assignments(msr, values, count, cli_flag(args, OPT_ALLOW_RO) ? NULL : "--allow-ro composes it anyway",
                           assignments);
    for (i = 0; ok && i < count; i++)
        value = msr_field_insert(assignments[i].field, value, assignments[i].value);
    free(assignments);
    if (!ok)
        return TOOL_EXIT_USAGE;
    if (cli_flag(args, OPT_JSON)) {
        print_decoded_json(msr, value);
    } else {
        char hex[FORMAT_NUMBER_SIZE];

        format_value64(hex, value);
        printf("%s\n", hex);
    }
    return TOOL_EXIT_OK;
}

static int run_encode(const struct command *self, const struct cli_args *args)
{
    struct cpuid_file dump;
    int status;

    (void)self;
    if (args->option[OPT_CPUID] == NULL)
        return encode(args, lookup_msr(args->operands[0]));
    status = lookup_cpuid_option(args->option[OPT_CPUID], &dump);
    if (status != TOOL_EXIT_OK)
        return status;
    status = encode(args, lookup_msr(args->operands[0]));
    cpuid_file_free(&dump);
    return status;
}

const struct command command_encode = {
    .name = "encode",
    .summary = "Compose a value of an MSR from field values",
    .synopsis = "encode NAME|ADDRESS FIELD=VALUE... [--base VALUE] [--allow-ro] [--cpuid FILE] [--json]",
    .description = "Composes a 64-bit value of the register from field assignments, without\n"
                   "touching the machine, and prints it in hex, 16 digits (0x0000000000000D01),\n"
                   "ready for 'write' or 'decode'. Fields not assigned keep their bits of --base\n"
                   "(default 0). A field value is a number that fits the field's width, or one\n"
                   "of the field's value names (PA0=WB). A field may be assigned once. A\n"
                   "read-only field is refused, as 'write' refuses it, unless --allow-ro.\n"
                   "\n"
                   "With --json, the object 'decode --json' prints for the result.",
    .options = encode_options,
    .option_count = sizeof encode_options / sizeof encode_options[0],
    .operand_names = encode_operands,
    .min_operands = 2,
    .max_operands = CLI_MANY,
    .run = run_encode,
};
