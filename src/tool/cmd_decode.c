/*
 * `x86msr decode NAME|ADDRESS VALUE [--json]`: a value of an MSR, field by
 * field. Works offline from the spec alone; reading the register is `read`'s
 * job.
 */
#include "command.h"
#include "cpuid_file.h"
#include "decoded.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "msr_lookup.h"
#include "write_verdict.h"

enum { OPT_JSON, OPT_CPUID };

static const struct cli_option decode_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of a table"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", LOOKUP_CPUID_OPTION_HELP},
};

static const char *const decode_operands[] = {"NAME|ADDRESS", "VALUE"};

static void print_text(const struct msr_instance *msr, uint64_t value)
{
    char address[FORMAT_NUMBER_SIZE], raw[FORMAT_NUMBER_SIZE];
    struct write_verdict verdict;

    format_address(address, msr->address);
    format_value64(raw, value);
    printf("%s (%s) = %s\n\n", msr_name(msr), address, raw);
    print_decoded_fields(stdout, msr_def_of(msr), value, NULL, "");
    write_verdict_of(msr, value, false, &verdict);
    putchar('\n');
    print_write_verdict(stdout, msr, &verdict);
}

/* On stderr (text and JSON alike): stdout stays the decoding. */
static void warn_reserved(const struct msr_instance *msr, uint64_t value)
{
    uint64_t reserved_set = value & must_be_zero_mask(msr);
    char mask[FORMAT_NUMBER_SIZE], ranges[FORMAT_TEXT_SIZE];

    if (reserved_set == 0)
        return;
    format_value64(mask, reserved_set);
    format_bit_ranges(ranges, reserved_set);
    warning("%s: reserved bits set: %s (%s)", msr_name(msr), mask, ranges);
}

static int run_decode(const struct command *self, const struct cli_args *args)
{
    const struct msr_instance *msr;
    struct cpuid_file dump;
    uint64_t value;
    int status = TOOL_EXIT_OK;

    (void)self;
    if (args->option[OPT_CPUID] != NULL) {
        status = lookup_cpuid_option(args->option[OPT_CPUID], &dump);
        if (status != TOOL_EXIT_OK)
            return status;
    }
    msr = lookup_msr(args->operands[0]);
    if (msr == NULL || !parse_value_arg(args->operands[1], &value))
        status = TOOL_EXIT_USAGE;
    else if (cli_flag(args, OPT_JSON))
        print_decoded_json(msr, value);
    else
        print_text(msr, value);
    /* Reserved bits set is a warning, not a failure: the value may come
     * from a CPU newer than the spec. */
    if (status == TOOL_EXIT_OK)
        warn_reserved(msr, value);
    if (args->option[OPT_CPUID] != NULL)
        cpuid_file_free(&dump);
    return status;
}

const struct command command_decode = {
    .name = "decode",
    .summary = "Decode a value of an MSR field by field",
    .synopsis = "decode NAME|ADDRESS VALUE [--cpuid FILE] [--json]",
    .description = "Decodes VALUE (64 bits) as the contents of the MSR: every field with its\n"
                   "value in hex and decimal, and the name of the value where the field has\n"
                   "named values. Reserved (must-be-zero) bits that are set are reported on a\n"
                   "warning line on stderr; the exit status stays 0. Bits the spec marks undocumented\n"
                   "(implementation-specific) are not reserved and never warned about.\n"
                   "\n"
                   "An address shared by several registers (two vendors, or processor models\n"
                   "of one vendor) means the one of this machine's CPU, or with --cpuid FILE\n"
                   "(a `cpuid -r -1` dump) the one of that CPU; with --cpuid, bits of fields\n"
                   "that CPU lacks (another vendor's, or absent by CPUID) count as reserved.\n"
                   "\n"
                   "With --json, an object with name, address, value (and value_int),\n"
                   "reserved_bits_set (hex; all zeros when none) and fields (name, lsb, msb,\n"
                   "access, value and value_int, and enum for enumerated fields: the value's\n"
                   "name, or null), and wrmsr (below).\n"
                   "\n"
                   "After the fields, whether a WRMSR of VALUE would be accepted on that CPU\n"
                   "(--cpuid FILE, else this machine's) by the spec's value rules, the ones the\n"
                   "MSR-exit handler applies: 'WRMSR: raises #GP (RULE): ...' names the rule and\n"
                   "the field: read_only, absent_register, reserved, absent_field, phys_addr (a\n"
                   "bit at or above MAXPHYADDR), canonical (on the vendors that check it),\n"
                   "strict_enum (a value the enumeration does not define) or write_zero (only 0\n"
                   "may be written while its writable_if condition does not hold; one on another\n"
                   "MSR cannot be known from CPUID, and then counts as not holding). For a\n"
                   "register with a lock field, whether VALUE sets it: WRMSRs after it fault or\n"
                   "are ignored until reset. In JSON: \"wrmsr\": {accepted, rule, field, reason\n"
                   "(null when accepted), writable_if and writable_if_holds (a write_zero fault\n"
                   "that a condition lifts), lock_set and lock_writes (fault or ignored; a\n"
                   "register with a lock field)}. The exit status stays 0.",
    .options = decode_options,
    .option_count = sizeof decode_options / sizeof decode_options[0],
    .operand_names = decode_operands,
    .min_operands = 2,
    .max_operands = 2,
    .run = run_decode,
};
