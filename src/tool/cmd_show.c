/*
 * `x86msr show NAME|ADDRESS [--json]`: everything the spec says about one
 * MSR.
 */
#include "bit_diagram.h"
#include "command.h"
#include "cpuid_file.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "msr_json.h"
#include "msr_lookup.h"
#include "text_table.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_JSON, OPT_ASCII, OPT_CPUID };

static const struct cli_option show_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object (the shape of one 'list --json' entry)"},
    [OPT_ASCII] = {"ascii", 0, NULL, "Draw the bit diagram with ASCII characters only"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", LOOKUP_CPUID_OPTION_HELP},
};

static const char *const show_operands[] = {"NAME|ADDRESS"};

/* "EFER, MSR_EFER"; caller frees. */
static char *aliases_text(const struct msr_info *msr)
{
    size_t size = 1;
    uint16_t i;
    char *text;

    for (i = 0; i < msr->alias_count; i++)
        size += strlen(msr->aliases[i]) + 2;
    text = xmalloc(size);
    text[0] = '\0';
    for (i = 0; i < msr->alias_count; i++) {
        if (i > 0)
            strcat(text, ", ");
        strcat(text, msr->aliases[i]);
    }
    return text;
}

static void add_property(struct text_table *table, const char *key, const char *value)
{
    const char *row[2];

    row[0] = key;
    row[1] = value;
    text_table_add(table, row);
}

static void print_properties(const struct msr_info *msr)
{
    struct text_table *table = text_table_new(2);
    char address[FORMAT_NUMBER_SIZE], vendors[FORMAT_TEXT_SIZE], reserved[FORMAT_TEXT_SIZE * 2];

    format_address(address, msr->address);
    format_vendors(vendors, msr->vendors);
    add_property(table, "address", address);
    add_property(table, "category", category_name(msr));
    add_property(table, "access", msr_access_name(msr->access));
    add_property(table, "vendors", vendors);
    if (msr->alias_count > 0) {
        char *aliases = aliases_text(msr);
        add_property(table, "aliases", aliases);
        free(aliases);
    }
    if (msr->present_if != NULL) {
        char condition[FORMAT_CONDITION_SIZE];
        format_condition(condition, msr->present_if, msr);
        add_property(table, "present if", condition);
    }
    if (msr->ref != NULL && msr->ref[0] != '\0')
        add_property(table, "ref", msr->ref);
    if (msr->array_name != NULL) {
        char array[FORMAT_TEXT_SIZE];

        snprintf(array, sizeof array, "instance %lu of %s (%lu instances)", (unsigned long)msr->array_index,
                 msr->array_name, (unsigned long)msr->array_count);
        add_property(table, "array", array);
    }
    if (msr->reserved_mask == 0) {
        add_property(table, "reserved", "none");
    } else {
        char mask[FORMAT_NUMBER_SIZE], ranges[FORMAT_TEXT_SIZE];

        format_value64(mask, msr->reserved_mask);
        format_bit_ranges(ranges, msr->reserved_mask);
        snprintf(reserved, sizeof reserved, "%s (%s)", mask, ranges);
        add_property(table, "reserved", reserved);
    }
    text_table_print(table, stdout, "  ");
    text_table_free(table);
}

/* "UC=0, WC=1, ..."; caller frees. */
static char *enum_values_text(const struct msr_field_info *field)
{
    size_t size = sizeof "values: ";
    uint16_t i;
    char *text;

    for (i = 0; i < field->enum_count; i++)
        size += strlen(field->enum_values[i].name) + FORMAT_NUMBER_SIZE + 3;
    text = xmalloc(size);
    strcpy(text, "values: ");
    for (i = 0; i < field->enum_count; i++) {
        char value[FORMAT_NUMBER_SIZE];

        format_decimal(value, field->enum_values[i].value);
        if (i > 0)
            strcat(text, ", ");
        strcat(text, field->enum_values[i].name);
        strcat(text, "=");
        strcat(text, value);
    }
    return text;
}

static void print_fields(const struct msr_info *msr)
{
    static const char *const header[] = {"BITS", "FIELD", "ACCESS", "RESET", "DESCRIPTION"};
    struct text_table *table;
    uint16_t i;

    if (msr->field_count == 0) {
        printf("\n  no fields\n");
        return;
    }
    table = text_table_new(5);
    text_table_add(table, header);
    for (i = 0; i < msr->field_count; i++) {
        const struct msr_field_info *f = &msr->fields[i];
        char bits[FORMAT_NUMBER_SIZE], reset[FORMAT_NUMBER_SIZE];
        const char *row[5];

        format_bits(bits, f->msb, f->lsb);
        if (f->has_reset)
            format_field_value(reset, f, f->reset);
        else
            reset[0] = '\0';
        row[0] = bits;
        row[1] = f->name;
        row[2] = msr_access_name(f->access);
        row[3] = reset;
        row[4] = f->description;
        text_table_add(table, row);
        if (f->enum_values != NULL && f->enum_count > 0) {
            char *values = enum_values_text(f);
            const char *more[5] = {"", "", "", "", values};

            text_table_add(table, more);
            free(values);
        }
    }
    printf("\n");
    text_table_print(table, stdout, "  ");
    text_table_free(table);
}

static void print_text(const struct msr_info *msr, bool ascii)
{
    printf("%s\n", msr->name);
    if (msr->description != NULL && msr->description[0] != '\0') {
        /* One row so a multi-line description cannot break the layout. */
        struct text_table *table = text_table_new(1);
        const char *row[1];

        row[0] = msr->description;
        text_table_add(table, row);
        text_table_print(table, stdout, "  ");
        text_table_free(table);
    }
    printf("\n");
    print_properties(msr);
    printf("\n");
    bit_diagram_print(stdout, msr, ascii, "  ");
    print_fields(msr);
}

static int run_show(const struct command *self, const struct cli_args *args)
{
    const struct msr_info *msr;
    struct cpuid_file dump;

    (void)self;
    if (args->option[OPT_CPUID] != NULL) {
        int status = lookup_cpuid_option(args->option[OPT_CPUID], &dump);
        if (status != TOOL_EXIT_OK)
            return status;
    }
    msr = lookup_msr(args->operands[0]);
    if (msr == NULL) {
        if (args->option[OPT_CPUID] != NULL)
            cpuid_file_free(&dump);
        return TOOL_EXIT_USAGE;
    }
    if (cli_flag(args, OPT_JSON)) {
        struct json_writer w;

        json_init(&w, stdout);
        json_write_msr(&w, msr);
        json_finish(&w);
    } else {
        print_text(msr, cli_flag(args, OPT_ASCII));
    }
    if (args->option[OPT_CPUID] != NULL)
        cpuid_file_free(&dump);
    return TOOL_EXIT_OK;
}

const struct command command_show = {
    .name = "show",
    .summary = "Show one MSR: address, access, presence, reserved bits, fields",
    .synopsis = "show NAME|ADDRESS [--ascii] [--cpuid FILE] [--json]",
    .description = "Shows everything the spec says about one MSR: address, category, access,\n"
                   "vendors, aliases, presence conditions, manual reference, reserved\n"
                   "bits, a diagram of its bits (box-drawing characters; --ascii for plain\n"
                   "ASCII), and every field with its bits, access, reset value, description\n"
                   "and named values. An address shared by several registers means the one of\n"
                   "this machine's CPU, or with --cpuid FILE that of the dump's CPU.",
    .options = show_options,
    .option_count = sizeof show_options / sizeof show_options[0],
    .operand_names = show_operands,
    .min_operands = 1,
    .max_operands = 1,
    .run = run_show,
};
