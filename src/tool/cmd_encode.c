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
#include "write_verdict.h"

#include <stdlib.h>

enum { OPT_BASE, OPT_ALLOW_RO, OPT_ALLOW_UNDEFINED, OPT_ALLOW_FAULT, OPT_JSON, OPT_CPUID };

static const struct cli_option encode_options[] = {
    [OPT_BASE] = {"base", 0, "VALUE", "Start from VALUE instead of 0"},
    [OPT_ALLOW_RO] = {"allow-ro", 0, NULL, "Accept read-only fields (for a value to compare with)"},
    [OPT_ALLOW_UNDEFINED] = {"allow-undefined", 0, NULL,
                             "Accept values a field's enumeration does not define (WRMSR raises #GP on them)"},
    [OPT_ALLOW_FAULT] = {"allow-fault", 0, NULL,
                         "Accept a value a WRMSR faults on by any value rule (reserved, phys_addr, canonical, ...)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object (as 'decode --json' of the result)"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", LOOKUP_CPUID_OPTION_HELP},
};

static const char *const encode_operands[] = {"NAME|ADDRESS", "FIELD=VALUE"};

/* What encode composes is usually written next: a value a WRMSR would fault
 * on by the spec's value rules for the judged CPU (write_verdict.h, the
 * core's rules, as decode reports them) is refused. A value a strict
 * enumeration does not define (the memory types of the PAT and the MTRRs)
 * is let through by --allow-undefined, every rule by --allow-fault. Whether
 * the CPU has the register, and read-only fields (--allow-ro's), are not
 * encode's to judge. */
static bool write_accepted(const struct cli_args *args, const struct msr_instance *msr, uint64_t value,
                           const struct field_assignment *assigned, size_t count)
{
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_field_info *f;
    struct write_verdict v;
    bool from_base = false;
    size_t k;

    if (cli_flag(args, OPT_ALLOW_FAULT))
        return true;
    write_verdict_of(msr, value, cli_flag(args, OPT_ALLOW_UNDEFINED), &v);
    if (v.accepted || v.fault == MSR_WRITE_OK)
        return true; /* a register rule (read_only, absent_register) */
    f = v.field >= 0 ? msr_def_field(def, (unsigned)v.field) : NULL;
    if (f != NULL) {
        from_base = true;
        for (k = 0; k < count; k++)
            from_base = from_base && assigned[k].field != f;
    }
    if (v.fault == MSR_WRITE_UNDEFINED_VALUE) {
        char hex[FORMAT_NUMBER_SIZE];

        format_field_value(hex, f, msr_field_extract(f, value));
        usage_error_code(ERR_REFUSED,
                         "%s.%s = %s%s is not a value its enumeration defines: WRMSR raises #GP "
                         "(--allow-undefined composes it anyway)",
                         msr_name(msr), msr_field_name(def, (unsigned)v.field), hex, from_base ? " (from --base)" : "");
        return false;
    }
    usage_error_code(ERR_REFUSED, "%s: WRMSR raises #GP (%s): %s%s (--allow-fault composes it anyway)", msr_name(msr),
                     v.rule, v.reason, from_base ? " (from --base)" : "");
    return false;
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
    if (ok)
        ok = write_accepted(args, msr, value, assignments, count);
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
    .synopsis = "encode NAME|ADDRESS FIELD=VALUE... [--base VALUE] [--allow-ro] [--allow-undefined] "
                "[--allow-fault] [--cpuid FILE] "
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
                   "The result is checked against the rest of the spec's value rules too, the\n"
                   "ones 'decode' reports and the MSR-exit handler applies, for the CPU of\n"
                   "--cpuid FILE (else this machine's): reserved bits and bits of fields that\n"
                   "CPU lacks, address bits at or above its MAXPHYADDR, addresses that are not\n"
                   "canonical where its vendor checks them, and nonzero values of write-zero\n"
                   "fields (IA32_MCi_STATUS). A value a WRMSR faults on is refused with the\n"
                   "rule and the field ('IA32_MC0_STATUS: WRMSR raises #GP (write_zero): ...'),\n"
                   "unless --allow-fault. Whether that CPU has the register is not checked.\n"
                   "\n"
                   "With --json, the object 'decode --json' prints for the result.",
    .options = encode_options,
    .option_count = sizeof encode_options / sizeof encode_options[0],
    .operand_names = encode_operands,
    .min_operands = 2,
    .max_operands = CLI_MANY,
    .run = run_encode,
};
