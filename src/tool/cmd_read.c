/*
 * `x86msr read [-c CPUS | -a] [-f FIELD] [--json] NAME|ADDRESS...`: registers
 * of the machine, decoded; with several CPUs, what differs between them.
 */
#include "command.h"
#include "cpu_select.h"
#include "decoded.h"
#include "diag.h"
#include "field_args.h"
#include "format.h"
#include "json.h"
#include "machine.h"
#include "msr_lookup.h"
#include "text_table.h"
#include "value_groups.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_CPU, OPT_ALL, OPT_FIELD, OPT_JSON };

static const struct cli_option read_options[] = {
    [OPT_CPU] = {"cpu", 'c', "CPUS", "CPUs to read: 0,2,4-7 (default: the first online CPU)"},
    [OPT_ALL] = {"all", 'a', NULL, "Read every online CPU"},
    [OPT_FIELD] = {"field", 'f', "FIELD", "Show only this field of each register"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array, one object per register and CPU"},
};

static const char *const read_operands[] = {"NAME|ADDRESS"};

/* Everything read: registers x CPUs. */
struct readings {
    struct msr_target *targets;
    const struct msr_field_info **only; /* per target: -f's field, or NULL */
    size_t target_count;
    struct cpu_list cpus;
    uint64_t *values; /* [target * cpus.count + cpu index] */
    int *statuses;
};

static size_t at(const struct readings *r, size_t t, size_t c)
{
    return t * r->cpus.count + c;
}

/* The registers (and -f's field) named on the command line. */
static bool resolve_targets(const struct cli_args *args, struct readings *r)
{
    const char *field = args->option[OPT_FIELD];
    size_t t;

    for (t = 0; t < r->target_count; t++) {
        struct msr_target *target = &r->targets[t];
        char name[MACHINE_NAME_SIZE];

        if (!lookup_target(args->operands[t], target))
            return false;
        machine_msr_name(name, target->msr, target->address);
        if (target->msr != NULL && msr_def_of(target->msr)->access == MSR_ACCESS_WO) {
            usage_error_code(ERR_REFUSED, "%s is write-only: it cannot be read", msr_name(target->msr));
            return false;
        }
        if (field == NULL)
            continue;
        if (target->msr == NULL) {
            usage_error_code(ERR_UNKNOWN_FIELD, "%s is not in the spec, so it has no field '%s'", name, field);
            return false;
        }
        r->only[t] = lookup_field(target->msr, field);
        if (r->only[t] == NULL)
            return false;
    }
    return true;
}

/* Reads every register on every CPU; reports failures as they happen.
 * Returns TOOL_EXIT_OK, or TOOL_EXIT_FAILURE when something failed. A
 * failure of a whole CPU (no driver, permission, no such CPU) ends the
 * reading and sets *fatal: nothing is worth printing then. */
static int read_all(struct readings *r, bool *fatal)
{
    struct msr_linux_request *requests = xmalloc(r->target_count * sizeof *requests);
    int result = TOOL_EXIT_OK;
    size_t c, t;

    for (c = 0; c < r->cpus.count; c++) {
        unsigned cpu = r->cpus.cpus[c];
        int status;

        for (t = 0; t < r->target_count; t++)
            requests[t].msr = r->targets[t].address;
        status = msr_linux_read_batch(machine(), cpu, requests, r->target_count);
        for (t = 0; t < r->target_count; t++) {
            r->values[at(r, t, c)] = requests[t].value;
            r->statuses[at(r, t, c)] = requests[t].status;
        }
        if (status != MSR_OK) {
            result = machine_access_error(cpu, "read", r->targets[0].msr, r->targets[0].address, status);
            *fatal = true;
            break;
        }
        for (t = 0; t < r->target_count; t++)
            if (requests[t].status != MSR_OK)
                result = machine_access_error(cpu, "read", r->targets[t].msr, r->targets[t].address,
                                              requests[t].status);
    }
    free(requests);
    return result;
}

/* On stderr, so stdout stays the register's decoding. */
static void print_reserved_warning(const struct msr_instance *msr, uint64_t value, const char *where)
{
    uint64_t reserved_set = value & must_be_zero_mask(msr);
    char mask[FORMAT_NUMBER_SIZE], ranges[FORMAT_TEXT_SIZE];

    if (reserved_set == 0)
        return;
    format_value64(mask, reserved_set);
    format_bit_ranges(ranges, reserved_set);
    warning("%s on %s: reserved bits set: %s (%s)", msr_name(msr), where, mask, ranges);
}

/* "0x6 WB" / "0x1": a value of field `f` of `def` in a table cell. */
static void field_cell(char *buf, size_t size, const struct msr_def *def, const struct msr_field_info *f, uint64_t x)
{
    char hex[FORMAT_NUMBER_SIZE];

    format_field_value(hex, f, x);
    if (field_is_enumerated(def, f))
        snprintf(buf, size, "%s %s", hex, field_meaning(def, f, x));
    else
        snprintf(buf, size, "%s", hex);
}

/* Several values: one row per group of CPUs, one column per field that
 * differs between them. */
static void print_differences(const struct msr_instance *msr, const struct value_groups *vg)
{
    const struct msr_def *def = msr != NULL ? msr_def_of(msr) : NULL;
    uint64_t reserved_mask = def != NULL ? msr_def_masks(def)->reserved : 0;
    const struct msr_field_info **differ = xcalloc(def ? def->field_count + 1u : 1u, sizeof *differ);
    size_t n = 0, columns, g, k;
    uint64_t reserved_differ = 0;
    struct text_table *table;
    const char **row;
    unsigned i;

    for (i = 0; def != NULL && i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);

        for (g = 1; g < vg->count; g++)
            if (msr_field_extract(f, vg->groups[g].value) != msr_field_extract(f, vg->groups[0].value)) {
                differ[n++] = f;
                break;
            }
    }
    for (g = 1; g < vg->count; g++)
        reserved_differ |= (vg->groups[g].value ^ vg->groups[0].value) & reserved_mask;
    columns = 2 + n + (reserved_differ != 0);
    table = text_table_new(columns);
    row = xcalloc(columns, sizeof *row);
    row[0] = "CPUS";
    row[1] = "VALUE";
    for (k = 0; k < n; k++)
        row[2 + k] = field_name(def, differ[k]);
    if (reserved_differ != 0)
        row[columns - 1] = "RESERVED";
    text_table_add(table, row);
    for (g = 0; g < vg->count; g++) {
        char value[FORMAT_NUMBER_SIZE], reserved[FORMAT_NUMBER_SIZE];
        char(*cells)[FORMAT_TEXT_SIZE] = xcalloc(n + 1, sizeof *cells);

        format_value64(value, vg->groups[g].value);
        row[0] = vg->groups[g].list;
        row[1] = value;
        for (k = 0; k < n; k++) {
            field_cell(cells[k], sizeof cells[k], def, differ[k], msr_field_extract(differ[k], vg->groups[g].value));
            row[2 + k] = cells[k];
        }
        if (reserved_differ != 0) {
            format_value64(reserved, vg->groups[g].value & reserved_mask);
            row[columns - 1] = reserved;
        }
        text_table_add(table, row);
        free(cells);
    }
    text_table_print(table, stdout, "  ");
    text_table_free(table);
    if (def != NULL && def->field_count > 0)
        printf("  (fields not shown are the same on every CPU)\n");
    free(row);
    free(differ);
}

/* Prints register t (after a blank line when `separate`); false when no CPU
 * could read it. */
static bool print_register(const struct readings *r, size_t t, bool separate)
{
    const struct msr_target *target = &r->targets[t];
    const struct msr_instance *msr = target->msr;
    bool *ok = xmalloc(r->cpus.count * sizeof *ok);
    struct value_groups vg;
    char name[MACHINE_NAME_SIZE];
    bool printed;
    size_t c;

    for (c = 0; c < r->cpus.count; c++)
        ok[c] = r->statuses[at(r, t, c)] == MSR_OK;
    value_groups_build(&vg, r->cpus.cpus, &r->values[at(r, t, 0)], ok, r->cpus.count, UINT64_MAX);
    machine_msr_name(name, msr, target->address);
    printed = vg.count > 0;
    if (printed && separate)
        printf("\n");
    if (vg.count == 1) {
        char value[FORMAT_NUMBER_SIZE];

        format_value64(value, vg.groups[0].value);
        printf("%s = %s on %s\n", name, value, vg.groups[0].label);
        if (msr != NULL) {
            printf("\n");
            print_decoded_fields(stdout, msr_def_of(msr), vg.groups[0].value, NULL, "");
            print_reserved_warning(msr, vg.groups[0].value, vg.groups[0].label);
        }
    } else if (vg.count > 1) {
        char *all = cpu_list_label(r->cpus.cpus, r->cpus.count);

        printf("%s differs between %s:\n", name, all);
        print_differences(msr, &vg);
        free(all);
    }
    value_groups_free(&vg);
    free(ok);
    return printed;
}

/* -f: the one field, per group of CPUs that agree on it. */
static void print_field(const struct readings *r, size_t t)
{
    const struct msr_instance *msr = r->targets[t].msr;
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_field_info *f = r->only[t];
    const char *name = field_name(def, f);
    bool *ok = xmalloc(r->cpus.count * sizeof *ok);
    uint64_t *field_values = xmalloc(r->cpus.count * sizeof *field_values);
    struct value_groups vg;
    size_t c, g;

    for (c = 0; c < r->cpus.count; c++) {
        ok[c] = r->statuses[at(r, t, c)] == MSR_OK;
        field_values[c] = msr_field_extract(f, r->values[at(r, t, c)]);
    }
    value_groups_build(&vg, r->cpus.cpus, field_values, ok, r->cpus.count, UINT64_MAX);
    if (vg.count == 1) {
        char hex[FORMAT_NUMBER_SIZE], decimal[FORMAT_NUMBER_SIZE];
        const char *meaning = field_meaning(def, f, vg.groups[0].value);

        format_field_value(hex, f, vg.groups[0].value);
        format_decimal(decimal, vg.groups[0].value);
        printf("%s.%s = %s (%s%s%s) on %s\n", msr_name(msr), name, hex, decimal, meaning[0] ? ", " : "", meaning,
               vg.groups[0].label);
    } else if (vg.count > 1) {
        static const char *const header[] = {"CPUS", "HEX", "DECIMAL", "MEANING"};
        size_t columns = field_is_enumerated(def, f) ? 4 : 3;
        struct text_table *table = text_table_new(columns);
        char *all = cpu_list_label(r->cpus.cpus, r->cpus.count);

        printf("%s.%s differs between %s:\n", msr_name(msr), name, all);
        text_table_add(table, header);
        for (g = 0; g < vg.count; g++) {
            char hex[FORMAT_NUMBER_SIZE], decimal[FORMAT_NUMBER_SIZE];
            const char *row[4];

            format_field_value(hex, f, vg.groups[g].value);
            format_decimal(decimal, vg.groups[g].value);
            row[0] = vg.groups[g].list;
            row[1] = hex;
            row[2] = decimal;
            row[3] = field_meaning(def, f, vg.groups[g].value);
            text_table_add(table, row);
        }
        text_table_print(table, stdout, "  ");
        text_table_free(table);
        free(all);
    }
    value_groups_free(&vg);
    free(field_values);
    free(ok);
}

static void print_text(const struct readings *r)
{
    bool printed = false;
    size_t t;

    for (t = 0; t < r->target_count; t++) {
        if (r->only[t] != NULL)
            print_field(r, t);
        else
            printed = print_register(r, t, printed) || printed;
    }
}

static void print_json(const struct readings *r)
{
    struct json_writer w;
    size_t t, c;

    diag_json_result(&w, false);
    json_begin_array(&w);
    for (t = 0; t < r->target_count; t++) {
        for (c = 0; c < r->cpus.count; c++) {
            int status = r->statuses[at(r, t, c)];

            json_write_reading(&w, r->cpus.cpus[c], r->targets[t].msr, r->targets[t].address,
                               r->values[at(r, t, c)], r->only[t], status);
        }
    }
    json_end_array(&w);
    json_finish(&w);
}

static void readings_free(struct readings *r)
{
    free(r->targets);
    free(r->only);
    free(r->values);
    free(r->statuses);
    cpu_list_free(&r->cpus);
}

static int run_read(const struct command *self, const struct cli_args *args)
{
    struct readings r;
    bool fatal = false;
    int status;

    (void)self;
    memset(&r, 0, sizeof r);
    r.target_count = args->operand_count;
    r.targets = xcalloc(r.target_count, sizeof *r.targets);
    r.only = xcalloc(r.target_count, sizeof *r.only);
    if (!resolve_targets(args, &r)) {
        readings_free(&r);
        return TOOL_EXIT_USAGE;
    }
    status = cpu_select_live(args->option[OPT_CPU], cli_flag(args, OPT_ALL), CPU_DEFAULT_FIRST, &r.cpus);
    if (status != TOOL_EXIT_OK) {
        readings_free(&r);
        return status;
    }
    r.values = xcalloc(r.target_count * r.cpus.count, sizeof *r.values);
    r.statuses = xcalloc(r.target_count * r.cpus.count, sizeof *r.statuses);
    status = read_all(&r, &fatal);
    if (!fatal && cli_flag(args, OPT_JSON))
        print_json(&r);
    else if (!fatal)
        print_text(&r);
    readings_free(&r);
    return status;
}

const struct command command_read = {
    .name = "read",
    .summary = "Read MSRs of one, several or all CPUs, decoded",
    .synopsis = "read [-c CPUS | -a] [-f FIELD] [--json] NAME|ADDRESS...",
    .description =
        "Reads each register on the selected CPUs (default: the first online CPU)\n"
        "and prints its value with every field decoded, as 'decode' does. An\n"
        "address the spec does not describe is read and printed without fields.\n"
        "\n"
        "With several CPUs (-c 0-3, -a), a register that reads the same everywhere\n"
        "is printed once ('on cpus 0-3'); one that differs is printed as a table:\n"
        "one row per group of CPUs with the same value, and a column for each field\n"
        "(and the reserved bits) that differs. -f FIELD prints just that field.\n"
        "\n"
        "The CPUs are read through /dev/cpu/N/msr (the msr driver: 'modprobe msr';\n"
        "root or CAP_SYS_RAWIO). X86MSR_CPU_ROOT points elsewhere (a fake tree);\n"
        "X86MSR_SYSFS_ROOT replaces /sys/devices/system/cpu for -a.\n"
        "\n"
        "With --json, an array with one object per register and CPU: cpu, name\n"
        "(null when not in the spec), address, value and reserved_bits_set (hex\n"
        "strings) and fields (as 'decode --json'); or, when that read failed,\n"
        "error. A failed read is also reported on stderr and makes the exit status\n"
        "1; the other values are still printed.",
    .options = read_options,
    .option_count = sizeof read_options / sizeof read_options[0],
    .operand_names = read_operands,
    .min_operands = 1,
    .max_operands = CLI_MANY,
    .run = run_read,
};
