/*
 * `x86msr decode NAME|ADDRESS VALUE [--json]`: a value of an MSR, field by
 * field. Works offline from the spec alone; reading the register is `read`'s
 * job.
 */
#include "command.h"
#include "decoded.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "msr_lookup.h"

enum { OPT_JSON };

static const struct cli_option decode_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of a table"},
};

static const char *const decode_operands[] = {"NAME|ADDRESS", "VALUE"};

static void print_text(const struct msr_info *msr, uint64_t value)
{
    char address[FORMAT_NUMBER_SIZE], raw[FORMAT_NUMBER_SIZE];
    uint64_t reserved_set = value & msr->reserved_mask;

    format_address(address, msr->address);
    format_value64(raw, value);
    printf("%s (%s) = %s\n\n", msr->name, address, raw);
    print_decoded_fields(stdout, msr, value, NULL, "");
    if (reserved_set != 0) {
        char mask[FORMAT_NUMBER_SIZE], ranges[FORMAT_TEXT_SIZE];

        format_value64(mask, reserved_set);
        format_bit_ranges(ranges, reserved_set);
        printf("\nwarning: reserved bits set: %s (%s)\n", mask, ranges);
    }
}

static int run_decode(const struct command *self, const struct cli_args *args)
{
    const struct msr_info *msr = lookup_msr(args->operands[0]);
    uint64_t value;

    (void)self;
    if (msr == NULL || !parse_value_arg(args->operands[1], &value))
        return TOOL_EXIT_USAGE;
    if (cli_flag(args, OPT_JSON))
        print_decoded_json(msr, value);
    else
        print_text(msr, value);
    /* Reserved bits set is a warning, not a failure: the value may come
     * from a CPU newer than the spec. */
    return TOOL_EXIT_OK;
}

const struct command command_decode = {
    .name = "decode",
    .summary = "Decode a value of an MSR field by field",
    .synopsis = "decode NAME|ADDRESS VALUE [--json]",
    .description = "Decodes VALUE (64 bits) as the contents of the MSR: every field with its\n"
                   "value in hex and decimal, and the name of the value where the field has\n"
                   "named values. Reserved bits that are set are reported on a warning line;\n"
                   "the exit status stays 0.\n"
                   "\n"
                   "With --json, an object with name, address, value, reserved_bits_set (hex\n"
                   "strings; \"0x0\" when none) and fields (name, lsb, msb, access, value, and\n"
                   "enum for enumerated fields: the value's name, or null).",
    .options = decode_options,
    .option_count = sizeof decode_options / sizeof decode_options[0],
    .operand_names = decode_operands,
    .min_operands = 2,
    .max_operands = 2,
    .run = run_decode,
};
