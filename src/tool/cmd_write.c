/*
 * `x86msr write (-c CPUS | -a) [--force] [--json] NAME|ADDRESS VALUE|FIELD=VALUE...`:
 * changes a register on the chosen CPUs, safely: read-only registers and
 * fields, reserved bits and unknown addresses are refused without --force;
 * field assignments are read-modify-write; every CPU prints old -> new.
 */
#include "command.h"
#include "cpu_select.h"
#include "diag.h"
#include "field_args.h"
#include "format.h"
#include "json.h"
#include "machine.h"
#include "msr_lookup.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_CPU, OPT_ALL, OPT_FORCE, OPT_JSON };

static const struct cli_option write_options[] = {
    [OPT_CPU] = {"cpu", 'c', "CPUS", "CPUs to write: 0,2,4-7 (this or -a is required)"},
    [OPT_ALL] = {"all", 'a', NULL, "Write every online CPU"},
    [OPT_FORCE] = {"force", 0, NULL, "Skip the safety checks (read-only, reserved bits, not in the spec)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array, one object per CPU"},
};

static const char *const write_operands[] = {"NAME|ADDRESS", "VALUE|FIELD=VALUE"};

struct plan {
    struct msr_target target;
    const struct msr_def *def; /* target.msr's record; NULL when not in the spec */
    char name[MACHINE_NAME_SIZE];
    bool force;
    bool readable;   /* read the old value first (not a write-only register) */
    bool whole;      /* VALUE rather than FIELD=VALUE... */
    uint64_t value;  /* VALUE */
    struct field_assignment *assignments;
    size_t assignment_count;
};

/* One CPU's part. */
struct cpu_write {
    unsigned cpu;
    bool has_old;
    uint64_t old;
    uint64_t value;
    bool attempted;
    int status; /* of the write */
};

static int refuse_reserved(const struct plan *p)
{
    uint64_t reserved_set = p->value & msr_def_masks(p->def)->reserved;
    char value[FORMAT_NUMBER_SIZE], mask[FORMAT_NUMBER_SIZE], ranges[FORMAT_TEXT_SIZE];

    format_value64(value, p->value);
    format_value64(mask, reserved_set);
    format_bit_ranges(ranges, reserved_set);
    return usage_error_code(ERR_REFUSED, "value %s sets reserved bits of %s: %s (%s) (--force writes it anyway)",
                            value, msr_name(p->target.msr), mask, ranges);
}

/* Everything that can be checked without the machine. */
static int make_plan(const struct cli_args *args, struct plan *p)
{
    char *const *values = args->operands + 1;
    size_t count = args->operand_count - 1, i;
    const struct msr_instance *msr;
    const struct msr_def *def;

    p->force = cli_flag(args, OPT_FORCE);
    if (!lookup_target(args->operands[0], &p->target))
        return TOOL_EXIT_USAGE;
    msr = p->target.msr;
    def = p->def = msr != NULL ? msr_def_of(msr) : NULL;
    machine_msr_name(p->name, msr, p->target.address);
    if (msr == NULL && !p->force)
        return usage_error_code(ERR_REFUSED, "%s is not in the spec: nothing can be checked (--force writes it anyway)",
                                p->name);
    if (def != NULL && def->access == MSR_ACCESS_RO && !p->force)
        return usage_error_code(ERR_REFUSED, "%s is read-only (--force writes it anyway)", msr_name(msr));
    p->readable = def == NULL || def->access != MSR_ACCESS_WO;
    p->whole = !is_assignment(values[0]);
    if (p->whole) {
        if (count > 1)
            return usage_error("unexpected argument '%s': give one VALUE or FIELD=VALUE assignments", values[1]);
        if (!parse_value_arg(values[0], &p->value))
            return TOOL_EXIT_USAGE;
        if (def != NULL && (p->value & msr_def_masks(def)->reserved) != 0 && !p->force)
            return refuse_reserved(p);
        return TOOL_EXIT_OK;
    }
    for (i = 0; i < count; i++)
        if (!is_assignment(values[i]))
            return usage_error("unexpected argument '%s': give one VALUE or FIELD=VALUE assignments", values[i]);
    if (msr == NULL)
        return usage_error_code(ERR_UNKNOWN_FIELD, "%s is not in the spec, so it has no fields: give a whole VALUE",
                                p->name);
    p->assignments = xcalloc(count, sizeof *p->assignments);
    p->assignment_count = count;
    return parse_assignments(msr, values, count, p->force ? NULL : "--force writes it anyway", p->assignments)
               ? TOOL_EXIT_OK
               : TOOL_EXIT_USAGE;
}

/* Reads the old values. A register the spec does not know may be
 * write-only: with --force (the only way to get here), an unreadable one
 * just has no old value. */
static int read_old(const struct plan *p, struct cpu_write *w, size_t count)
{
    int result = TOOL_EXIT_OK;
    size_t i;

    for (i = 0; i < count && p->readable; i++) {
        int status = msr_linux_read(machine(), w[i].cpu, p->target.address, &w[i].old);

        w[i].has_old = status == MSR_OK;
        if (status == MSR_OK || (p->target.msr == NULL && !machine_cpu_failure(status)))
            continue;
        result = machine_access_error(w[i].cpu, "read", p->target.msr, p->target.address, status);
        if (machine_cpu_failure(status))
            break;
    }
    return result;
}

/* A whole VALUE must not change read-only fields. */
static int check_read_only_fields(const struct plan *p, const struct cpu_write *w)
{
    const struct msr_def *def = p->def;
    unsigned i;

    if (p->force || def == NULL || !w->has_old)
        return TOOL_EXIT_OK;
    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t before = msr_field_extract(f, w->old), after = msr_field_extract(f, w->value);

        if (f->access == MSR_ACCESS_RO && before != after) {
            char old_hex[FORMAT_NUMBER_SIZE], new_hex[FORMAT_NUMBER_SIZE], value[FORMAT_NUMBER_SIZE];

            format_field_value(old_hex, f, before);
            format_field_value(new_hex, f, after);
            format_value64(value, w->value);
            return usage_error_code(ERR_REFUSED,
                                    "value %s changes read-only field %s of %s on cpu %u (%s -> %s) (--force writes "
                                    "it anyway)",
                                    value, msr_field_name(def, i), msr_name(p->target.msr), w->cpu, old_hex, new_hex);
        }
    }
    return TOOL_EXIT_OK;
}

/* The value to write on one CPU. */
static void compute_value(const struct plan *p, struct cpu_write *w)
{
    uint64_t clear, set, writable, w1c;

    if (p->whole) {
        w->value = p->value;
        return;
    }
    /* Read-modify-write: reserved and read-only bits as read, write-1-to-clear
     * bits as 0 unless assigned (x86msr/core.h, msr_rmw_value). A write-only
     * register cannot be read: its other fields are written as 0. */
    clear = assignments_mask(p->assignments, p->assignment_count);
    set = assignments_bits(p->assignments, p->assignment_count);
    writable = msr_def_masks(p->def)->writable | clear;
    w1c = msr_def_masks(p->def)->w1c;
    w->value = msr_rmw_value(w->has_old ? w->old : 0, clear, set, writable, w1c);
}

static void print_text(const struct plan *p, const struct cpu_write *w)
{
    char old_hex[FORMAT_NUMBER_SIZE], new_hex[FORMAT_NUMBER_SIZE];
    size_t i;

    format_value64(new_hex, w->value);
    if (w->has_old)
        format_value64(old_hex, w->old);
    printf("cpu %u: %s: %s -> %s\n", w->cpu, p->name, w->has_old ? old_hex : "(not read)", new_hex);
    for (i = 0; i < p->assignment_count; i++) {
        const struct msr_field_info *f = p->assignments[i].field;

        format_field_value(old_hex, f, msr_field_extract(f, w->old));
        format_field_value(new_hex, f, msr_field_extract(f, w->value));
        printf("  %s: %s -> %s\n", field_name(p->def, f), w->has_old ? old_hex : "?", new_hex);
    }
}

static void print_json(struct json_writer *j, const struct plan *p, const struct cpu_write *w)
{
    size_t i;

    json_begin_object(j);
    json_key(j, "cpu");
    json_uint(j, w->cpu);
    json_key(j, "name");
    json_string(j, p->target.msr ? msr_name(p->target.msr) : NULL);
    json_key(j, "address");
    json_address(j, p->target.address);
    if (w->has_old) {
        json_value_member(j, "old", w->old, 64);
    } else {
        json_key(j, "old");
        json_null(j);
    }
    json_value_member(j, "new", w->value, 64);
    if (!p->whole) {
        json_key(j, "fields");
        json_begin_array(j);
        for (i = 0; i < p->assignment_count; i++) {
            const struct msr_field_info *f = p->assignments[i].field;

            json_begin_object(j);
            json_key(j, "name");
            json_string(j, field_name(p->def, f));
            if (w->has_old) {
                json_value_member(j, "old", msr_field_extract(f, w->old), field_width(f));
            } else {
                json_key(j, "old");
                json_null(j);
            }
            json_value_member(j, "new", msr_field_extract(f, w->value), field_width(f));
            json_end_object(j);
        }
        json_end_array(j);
    }
    if (w->status != MSR_OK)
        json_write_error_member(j, machine_error_code(w->status, true), machine_explain(w->status, true));
    json_end_object(j);
}

/* Writes every CPU, printing each result as text; a CPU that fails does not
 * stop the others (but a whole-CPU failure does). JSON comes at the end: an
 * entry per CPU tried, or -- when every write failed -- nothing, so the
 * error object (diag.h) is the output. */
static int write_all(const struct plan *p, struct cpu_write *w, size_t count, bool json)
{
    int result = TOOL_EXIT_OK;
    bool any_written = false;
    size_t i;

    for (i = 0; i < count; i++) {
        w[i].attempted = true;
        w[i].status = msr_linux_write(machine(), w[i].cpu, p->target.address, w[i].value);
        if (w[i].status != MSR_OK)
            result = machine_access_error(w[i].cpu, "write", p->target.msr, p->target.address, w[i].status);
        else
            any_written = true;
        if (!json && w[i].status == MSR_OK)
            print_text(p, &w[i]);
        if (machine_cpu_failure(w[i].status))
            break;
    }
    if (json && any_written) {
        struct json_writer j;

        diag_json_result(&j, false);
        json_begin_array(&j);
        for (i = 0; i < count && w[i].attempted; i++)
            print_json(&j, p, &w[i]);
        json_end_array(&j);
        json_finish(&j);
    }
    return result;
}

static int run_write(const struct command *self, const struct cli_args *args)
{
    struct plan p;
    struct cpu_list cpus = {NULL, 0};
    struct cpu_write *w = NULL;
    int status;
    size_t i;

    (void)self;
    memset(&p, 0, sizeof p);
    status = make_plan(args, &p);
    if (status == TOOL_EXIT_OK)
        status = cpu_select_live(args->option[OPT_CPU], cli_flag(args, OPT_ALL), CPU_DEFAULT_REQUIRED, &cpus);
    if (status == TOOL_EXIT_OK) {
        w = xcalloc(cpus.count, sizeof *w);
        for (i = 0; i < cpus.count; i++)
            w[i].cpu = cpus.cpus[i];
        status = read_old(&p, w, cpus.count);
    }
    /* Every check passes on every CPU before anything is written. */
    for (i = 0; status == TOOL_EXIT_OK && i < cpus.count; i++) {
        compute_value(&p, &w[i]);
        if (p.whole)
            status = check_read_only_fields(&p, &w[i]);
    }
    if (status == TOOL_EXIT_OK)
        status = write_all(&p, w, cpus.count, cli_flag(args, OPT_JSON));
    free(w);
    free(p.assignments);
    cpu_list_free(&cpus);
    return status;
}

const struct command command_write = {
    .name = "write",
    .summary = "Write an MSR, or some of its fields, on chosen CPUs",
    .synopsis = "write (-c CPUS | -a) [--force] [--json] NAME|ADDRESS VALUE|FIELD=VALUE...",
    .description =
        "Writes VALUE (64 bits) to the register on the selected CPUs, or changes\n"
        "only the named fields: FIELD=VALUE... reads the register on each CPU,\n"
        "replaces those fields and writes the result back (reserved and read-only\n"
        "bits as read; write-1-to-clear bits as 0 unless assigned). A field value\n"
        "is a number that fits the field, or one of its value names (PA0=WB).\n"
        "Each CPU prints 'old -> new' (and each assigned field's old -> new).\n"
        "\n"
        "A CPU selection is required: there is no default CPU for a write.\n"
        "Refused, with nothing written, unless --force is given: a read-only\n"
        "register; an address the spec does not know; a read-only field named in\n"
        "an assignment; a VALUE with reserved bits set, or that changes a read-only\n"
        "field on some CPU. Every CPU is read and checked before any is written.\n"
        "A write-only register is not read: its unassigned fields are written as 0.\n"
        "\n"
        "With --json, an array with one object per CPU: cpu, name, address, old\n"
        "(null when not read), new, fields (for assignments: name, old, new) and,\n"
        "when the write failed, error {code, message}; when no CPU could be\n"
        "written, the error object alone.",
    .options = write_options,
    .option_count = sizeof write_options / sizeof write_options[0],
    .operand_names = write_operands,
    .min_operands = 2,
    .max_operands = CLI_MANY,
    .run = run_write,
};
