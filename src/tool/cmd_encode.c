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

enum { OPT_BASE, OPT_ALLOW_RO, OPT_ALLOW_UNDEFINED, OPT_JSON, OPT_CPUID };

static const struct cli_option encode_options[] = {
    [OPT_BASE] = {"base", 0, "VALUE", "Start from VALUE instead of 0"},
    [OPT_ALLOW_RO] = {"allow-ro", 0, NULL, "Accept read-only fields (for a value to compare with)"},
    [OPT_ALLOW_UNDEFINED] = {"allow-undefined", 0, NULL,
                             "Accept values a field's enumeration does not define (WRMSR raises #GP on them)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object (as 'decode --json' of the result)"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", LOOKUP_CPUID_OPTION_HELP},
};

static const char *const encode_operands[] = {"NAME|ADDRESS", "FIELD=VALUE"};

/* A field the spec marks strict_enum (the memory types of the PAT and the
 * MTRRs) faults on a value its enumeration does not define: what encode
 * composes is usually written next, so such a value is refused, unless
 * --allow-undefined. (decode shows such a value as "undefined: WRMSR raises #GP".) */
static bool defined_values(const struct msr_instance *msr, uint64_t value, const struct field_assignment *assigned,
                           size_t count)
{
    const struct msr_def *def = msr_def_of(msr);
    unsigned i;

    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t x = msr_field_extract(f, value);
        char hex[FORMAT_NUMBER_SIZE];
        bool from_base = true;
        size_t k;

        if (!(f->flags & MSR_FIELD_F_STRICT_ENUM) || msr_field_value_valid(def, f, x))
            continue;
        for (k = 0; k < count; k++)
            from_base = from_base && assigned[k].field != f;
        format_field_value(hex, f, x);
        usage_error_code(ERR_REFUSED,
                         "%s.%s = %s%s is not a value its enumeration defines: WRMSR raises #GP "
                         "(--allow-undefined composes it anyway)",
                         msr_name(msr), msr_field_name(def, i), hex, from_base ? " (from --base)" : "");
        return false;
    }
    return true;
}

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
    if (ok && !cli_flag(args, OPT_ALLOW_UNDEFINED))
        ok = defined_values(msr, value, assignments, count);
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
    .synopsis = "encode NAME|ADDRESS FIELD=VALUE... [--base VALUE] [--allow-ro] [--allow-undefined] [--cpuid FILE] "
                "[--json]",
    .description = "Composes a 64-bit value of the register from field assignments, without\n"
                   "touching the machine, and prints it in hex, 16 digits (0x0000000000000D01),\n"
                   "ready for 'write' or 'decode'. Fields not assigned keep their bits of --base\n"
                   "(default 0). A field value is a number that fits the field's width, or one\n"
                   "of the field's value names (PA0=WB). A field may be assigned once. A\n"
                   "read-only field is refused, as 'write' refuses it, unless --allow-ro. A\n"
                   "value that a field's enumeration does not define where the spec says WRMSR\n"
                   "raises #GP on it (the memory types of IA32_PAT and the MTRRs: PA0=2) is\n"
                   "refused too, unless --allow-undefined; 'decode' marks such a value\n"
                   "'(undefined: WRMSR raises #GP)'.\n"
                   "\n"
                   "With --json, the object 'decode --json' prints for the result.",
    .options = encode_options,
    .option_count = sizeof encode_options / sizeof encode_options[0],
    .operand_names = encode_operands,
    .min_operands = 2,
    .max_operands = CLI_MANY,
    .run = run_encode,
};
