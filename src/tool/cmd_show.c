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
static char *aliases_text(const struct msr_instance *msr)
{
    size_t size = 1;
    unsigned i;
    char *text;

    for (i = 0; i < msr_alias_count(msr); i++)
        size += strlen(msr_alias(msr, i)) + 2;
    text = xmalloc(size);
    text[0] = '\0';
    for (i = 0; i < msr_alias_count(msr); i++) {
        if (i > 0)
            strcat(text, ", ");
        strcat(text, msr_alias(msr, i));
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

static void print_properties(const struct msr_instance *msr)
{
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_condition *present_if = msr_def_condition(def, def->present_if);
    uint64_t reserved_mask = msr_def_masks(def)->reserved;
    struct text_table *table = text_table_new(2);
    char address[FORMAT_NUMBER_SIZE], vendors[FORMAT_TEXT_SIZE], reserved[FORMAT_TEXT_SIZE * 2];

    format_address(address, msr->address);
    format_vendors(vendors, def->vendors);
    add_property(table, "address", address);
    add_property(table, "category", category_name(def));
    add_property(table, "access", msr_access_name(def->access));
    add_property(table, "vendors", vendors);
    if (msr_alias_count(msr) > 0) {
        char *aliases = aliases_text(msr);
        add_property(table, "aliases", aliases);
        free(aliases);
    }
    if (present_if != NULL) {
        char condition[FORMAT_CONDITION_SIZE];
        format_condition(condition, present_if, msr);
        add_property(table, "present if", condition);
    }
    if (msr_def_ref(def)[0] != '\0')
        add_property(table, "ref", msr_def_ref(def));
    if (def->count > 1) {
        char array[FORMAT_TEXT_SIZE];

        snprintf(array, sizeof array, "instance %lu of %s (%lu instances)", (unsigned long)msr->index,
                 msr_def_name(def), (unsigned long)def->count);
        add_property(table, "array", array);
    }
    if (reserved_mask == 0) {
        add_property(table, "reserved", "none");
    } else {
        char mask[FORMAT_NUMBER_SIZE], ranges[FORMAT_TEXT_SIZE];

        format_value64(mask, reserved_mask);
        format_bit_ranges(ranges, reserved_mask);
        snprintf(reserved, sizeof reserved, "%s (%s)", mask, ranges);
        add_property(table, "reserved", reserved);
    }
    text_table_print(table, stdout, "  ");
    text_table_free(table);
}

/* "values: UC=0, WC=1, ..." for field `index` of `def`; caller frees. */
static char *enum_values_text(const struct msr_def *def, unsigned index)
{
    size_t size = sizeof "values: ";
    struct msr_enum_value e;
    unsigned k;
    char *text;

    for (k = 0; msr_field_enum_value(def, index, k, &e); k++)
        size += strlen(e.name) + FORMAT_NUMBER_SIZE + 3;
    text = xmalloc(size);
    strcpy(text, "values: ");
    for (k = 0; msr_field_enum_value(def, index, k, &e); k++) {
        char value[FORMAT_NUMBER_SIZE];

        format_decimal(value, e.value);
        if (k > 0)
            strcat(text, ", ");
        strcat(text, e.name);
        strcat(text, "=");
        strcat(text, value);
    }
    return text;
}

/* One row of the field table; the VENDORS cell is left out when the table
 * has no such column. */
static void add_field_row(struct text_table *table, bool by_vendor, const char *bits, const char *name,
                          const char *access, const char *vendors, const char *reset, const char *description)
{
    const char *row[6];
    size_t c = 0;

    row[c++] = bits;
    row[c++] = name;
    row[c++] = access;
    if (by_vendor)
        row[c++] = vendors;
    row[c++] = reset;
    row[c++] = description;
    text_table_add(table, row);
}

/* The fields as a table. A register with a field that not every vendor of the
 * register has (IA32_EFER's AMD-only SVME) gets a VENDORS column: the field's
 * own vendors, empty for a field that belongs to all of the register's. */
static void print_fields(const struct msr_def *def)
{
    bool by_vendor = false;
    struct text_table *table;
    unsigned i;

    if (def->field_count == 0) {
        printf("\n  no fields\n");
        return;
    }
    for (i = 0; i < def->field_count; i++)
        by_vendor = by_vendor || msr_def_field(def, i)->vendors != 0;
    table = text_table_new(by_vendor ? 6 : 5);
    add_field_row(table, by_vendor, "BITS", "FIELD", "ACCESS", "VENDORS", "RESET", "DESCRIPTION");
    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        char bits[FORMAT_NUMBER_SIZE], reset[FORMAT_NUMBER_SIZE], vendors[FORMAT_TEXT_SIZE];

        format_bits(bits, f->msb, f->lsb);
        if (f->has_reset)
            format_field_value(reset, f, f->reset);
        else
            reset[0] = '\0';
        if (f->vendors != 0)
            format_vendors(vendors, f->vendors);
        else
            vendors[0] = '\0';
        add_field_row(table, by_vendor, bits, msr_field_name(def, i), msr_access_name(f->access), vendors, reset,
                      msr_field_description(def, i));
        if (field_is_enumerated(def, f)) {
            char *values = enum_values_text(def, i);

            add_field_row(table, by_vendor, "", "", "", "", "", values);
            free(values);
        }
    }
    printf("\n");
    text_table_print(table, stdout, "  ");
    text_table_free(table);
}

static void print_text(const struct msr_instance *msr, bool ascii)
{
    const struct msr_def *def = msr_def_of(msr);
    const char *description = msr_def_description(def);

    printf("%s\n", msr_name(msr));
    if (description[0] != '\0') {
        /* One row so a multi-line description cannot break the layout. */
        struct text_table *table = text_table_new(1);
        const char *row[1];

        row[0] = description;
        text_table_add(table, row);
        text_table_print(table, stdout, "  ");
        text_table_free(table);
    }
    printf("\n");
    print_properties(msr);
    printf("\n");
    bit_diagram_print(stdout, def, ascii, "  ");
    print_fields(def);
}

static int run_show(const struct command *self, const struct cli_args *args)
{
    const struct msr_instance *msr;
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

        diag_json_result(&w, false);
        json_write_msr(&w, msr, lookup_judges_dump() ? lookup_facts() : NULL);
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
                   "this machine's CPU, or with --cpuid FILE that of the dump's CPU.\n"
                   "\n"
                   "With --json, the object `list --json` prints for the register; with\n"
                   "--cpuid FILE as well, the one `list --supported --cpuid FILE --json` prints\n"
                   "(that CPU's masks, and whether it has the register and each field).",
    .options = show_options,
    .option_count = sizeof show_options / sizeof show_options[0],
    .operand_names = show_operands,
    .min_operands = 1,
    .max_operands = 1,
    .run = run_show,
};
