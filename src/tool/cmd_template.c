/*
 * `x86msr template FILE [--from SNAPSHOT [-c CPU]] [--output FILE] [--json]`:
 * checks a CPU template (template_file.h) against the spec and shows what it
 * sets; with a host's snapshot, what it changes there, field by field, and
 * which fields ask for more than the host offers (by the fields' merge
 * rules); --output writes the snapshot with the template applied.
 */
#include "command.h"
#include "diag.h"
#include "facts_args.h"
#include "format.h"
#include "json.h"
#include "snapshot.h"
#include "template_file.h"

#include <x86msr/guest.h>
#include <x86msr/meta.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { OPT_FROM, OPT_CPU, OPT_OUTPUT, OPT_JSON };

static const struct cli_option template_options[] = {
    [OPT_FROM] = {"from", 0, "SNAPSHOT", "A host's MSR values (a snapshot file): show what the template changes there"},
    [OPT_CPU] = {"cpu", 'c', "CPU", "With --from: the snapshot's CPU to show (default: its first)"},
    [OPT_OUTPUT] = {"output", 'o', "FILE", "With --from: write the snapshot with the template applied to every CPU"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of text"},
};

static const char *const template_operands[] = {"FILE"};

/* The host's view of one register of the template. */
struct host_reg {
    bool present;     /* the snapshot has it */
    uint64_t before, after;
    uint64_t exceeds; /* bits of fields asking for more than the host offers */
};

/* The register step `op` is for (as the file names it). */
static const struct msr_instance *op_msr(const struct cpu_template *t, size_t op)
{
    size_t i;

    for (i = 0; i < t->field_count; i++)
        if (t->fields[i].msr->address == t->ops[op].address)
            return t->fields[i].msr;
    return msr_find_by_address(t->ops[op].address);
}

static struct host_reg on_host(const struct cpu_template *t, size_t op, const struct msr_snapshot_cpu *cpu)
{
    const struct msr_template_op *o = &t->ops[op];
    const struct msr_def *def = msr_def_of(op_msr(t, op));
    struct host_reg h = {false, 0, 0, 0};

    if (cpu == NULL || !msr_snapshot_lookup(cpu, o->address, &h.before))
        return h;
    h.present = true;
    h.after = msr_template_apply(o, 1, o->address, h.before);
    /* A capability the VMM gives the vCPU cannot exceed the host's; a plain register's value can be anything. */
    if (def->guest_state == MSR_GUEST_STATE_FEATURE || def->guest_state == MSR_GUEST_STATE_SETUP)
        h.exceeds = msr_baseline_exceeds(def, h.before, h.after, o->clear);
    return h;
}

static void print_text(const struct cpu_template *t, const char *path, const char *from,
                       const struct msr_snapshot_cpu *cpu)
{
    size_t op, i, changed = 0, exceeding = 0, missing = 0;

    printf("# template %s%s%s", path, t->description[0] ? ": " : "", t->description);
    if (cpu != NULL)
        printf(" -- on %s, cpu %u", from, cpu->cpu);
    printf("\n");
    for (op = 0; op < t->op_count; op++) {
        const struct msr_instance *msr = op_msr(t, op);
        const struct msr_def *def = msr_def_of(msr);
        struct host_reg h = on_host(t, op, cpu);
        char address[FORMAT_NUMBER_SIZE], a[FORMAT_NUMBER_SIZE], b[FORMAT_NUMBER_SIZE];

        format_address(address, msr->address);
        if (cpu != NULL && !h.present) {
            printf("%s (%s): not in the snapshot: the host does not have it\n", msr_name(msr), address);
            missing++;
            continue;
        }
        format_value64(a, cpu != NULL ? h.before : t->ops[op].clear);
        format_value64(b, cpu != NULL ? h.after : t->ops[op].set);
        printf(cpu != NULL ? "%s (%s): %s -> %s\n" : "%s (%s): decides the bits %s, sets %s\n", msr_name(msr), address,
               a, b);
        for (i = 0; i < t->field_count; i++) {
            const struct template_field *f = &t->fields[i];
            const struct msr_field_info *field = msr_def_field(def, f->field);
            uint64_t host = msr_field_extract(field, h.before), now = msr_field_extract(field, h.after);

            if (f->msr != msr)
                continue;
            if (cpu == NULL) {
                format_field_value(a, field, f->value);
                printf("  %-32s %s\n", msr_field_name(def, f->field), f->keep ? "keep" : a);
                continue;
            }
            format_field_value(a, field, host);
            format_field_value(b, field, now);
            printf("  %-32s %s -> %s%s%s\n", msr_field_name(def, f->field), a, b,
                   f->keep ? "  (kept)" : host != now ? "  changed" : "",
                   (h.exceeds & msr_field_mask(field)) ? "; more than the host offers" : "");
            changed += !f->keep && host != now;
            exceeding += (h.exceeds & msr_field_mask(field)) != 0;
        }
    }
    if (cpu != NULL)
        printf("\n%lu field(s) changed in %lu register(s); %lu ask for more than the host offers; %lu register(s) "
               "not on the host\n", (unsigned long)changed, (unsigned long)(t->op_count - missing),
               (unsigned long)exceeding, (unsigned long)missing);
}

static void print_json(const struct cpu_template *t, const char *path, const char *from,
                       const struct msr_snapshot_cpu *cpu)
{
    struct json_writer w;
    size_t op, i;

    diag_json_result(&w, false);
    json_begin_object(&w);
    json_key(&w, "template");
    json_string(&w, path);
    json_key(&w, "description");
    json_string(&w, t->description);
    json_key(&w, "host");
    if (cpu != NULL) {
        json_begin_object(&w);
        json_key(&w, "file");
        json_string(&w, from);
        json_key(&w, "cpu");
        json_uint(&w, cpu->cpu);
        json_end_object(&w);
    } else {
        json_null(&w);
    }
    json_key(&w, "registers");
    json_begin_array(&w);
    for (op = 0; op < t->op_count; op++) {
        const struct msr_instance *msr = op_msr(t, op);
        const struct msr_def *def = msr_def_of(msr);
        struct host_reg h = on_host(t, op, cpu);

        json_begin_object(&w);
        json_key(&w, "name");
        json_string(&w, msr_name(msr));
        json_key(&w, "address");
        json_address(&w, msr->address);
        json_key(&w, "clear");
        json_mask64(&w, t->ops[op].clear);
        json_key(&w, "set");
        json_mask64(&w, t->ops[op].set);
        if (cpu != NULL) {
            json_key(&w, "on_host");
            json_bool(&w, h.present);
            if (h.present) {
                json_key(&w, "host_value");
                json_mask64(&w, h.before);
                json_key(&w, "value");
                json_mask64(&w, h.after);
            }
        }
        json_key(&w, "fields");
        json_begin_array(&w);
        for (i = 0; i < t->field_count; i++) {
            const struct template_field *f = &t->fields[i];
            const struct msr_field_info *field = msr_def_field(def, f->field);

            if (f->msr != msr)
                continue;
            json_begin_object(&w);
            json_key(&w, "name");
            json_string(&w, msr_field_name(def, f->field));
            json_key(&w, "keep");
            json_bool(&w, f->keep);
            if (!f->keep) {
                json_key(&w, "value");
                json_uint(&w, f->value);
            }
            if (cpu != NULL && h.present) {
                json_key(&w, "host");
                json_uint(&w, msr_field_extract(field, h.before));
                json_key(&w, "exceeds_host");
                json_bool(&w, (h.exceeds & msr_field_mask(field)) != 0);
            }
            json_end_object(&w);
        }
        json_end_array(&w);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    json_finish(&w);
}

/* The snapshot with the template applied to every CPU's values. */
static int write_output(const char *path, const struct cpu_template *t, const struct msr_snapshot *snapshot)
{
    FILE *out = fopen(path, "w");
    size_t c, i;

    if (out == NULL)
        return runtime_error("cannot write %s: %s", path, strerror(errno));
    snapshot_write_header(out);
    for (c = 0; c < snapshot->cpu_count; c++) {
        const struct msr_snapshot_cpu *cpu = &snapshot->cpus[c];

        snapshot_write_cpu(out, cpu->cpu);
        for (i = 0; i < cpu->count; i++) {
            const struct msr_instance *msr = msr_find_by_address(cpu->values[i].address);
            snapshot_write_entry(out, cpu->values[i].address,
                                 msr_template_apply(t->ops, t->op_count, cpu->values[i].address, cpu->values[i].value),
                                 msr != NULL ? msr_name(msr) : NULL);
        }
    }
    if (fclose(out) != 0)
        return runtime_error("cannot write %s: %s", path, strerror(errno));
    return TOOL_EXIT_OK;
}

static int run_template(const struct command *self, const struct cli_args *args)
{
    const char *path = args->operands[0], *from = args->option[OPT_FROM], *output = args->option[OPT_OUTPUT];
    struct cpu_template t;
    struct template_error err;
    struct msr_snapshot snapshot;
    const struct msr_snapshot_cpu *cpu = NULL;
    int status = TOOL_EXIT_OK;

    (void)self;
    memset(&snapshot, 0, sizeof snapshot);
    if ((args->option[OPT_CPU] || output) && !from)
        return usage_error("--%s only makes sense with --from", output ? "output" : "cpu");
    if (!template_load(path, &t, &err)) {
        if (err.line == 0)
            return err.code == ERR_IO ? runtime_error("%s: %s", path, err.message)
                                      : usage_error_code(err.code, "%s: %s", path, err.message);
        return usage_error_code(err.code, "%s:%u:%u: %s", path, err.line, err.col, err.message);
    }
    if (from) {
        status = snapshot_load(from, &snapshot);
        if (status == TOOL_EXIT_OK)
            status = snapshot_cpu_of(from, args->option[OPT_CPU], &snapshot, &cpu);
    }
    if (status == TOOL_EXIT_OK && output)
        status = write_output(output, &t, &snapshot);
    if (status == TOOL_EXIT_OK) {
        if (cli_flag(args, OPT_JSON))
            print_json(&t, path, from, cpu);
        else
            print_text(&t, path, from, cpu);
    }
    snapshot_free(&snapshot);
    template_free(&t);
    return status;
}

const struct command command_template = {
    .name = "template",
    .summary = "Check a CPU template by field name; show what it changes on a host",
    .synopsis = "template FILE [--from SNAPSHOT [-c CPU] [--output FILE]] [--json]",
    .description = "Checks the CPU template FILE against the spec and shows what it sets. A\n"
                   "template is JSON: {\"description\": ..., \"registers\": {REGISTER: {FIELD:\n"
                   "VALUE, ...}, ...}}. REGISTER is a name, an alias or an address, FIELD a\n"
                   "field name (any case); VALUE is \"set\" (all ones), \"clear\" (0), \"keep\"\n"
                   "(the host's value), a number (42, \"0x2A\", \"0b101010\") or a value name of\n"
                   "the field (\"WB\"). A register must be guest state, a field either a\n"
                   "feature bit (a documented field of a feature register: ARCH_CAPABILITIES,\n"
                   "PERF_CAPABILITIES, the VMX capabilities, ...) or writable. Every mistake\n"
                   "is an error at FILE:LINE:COL.\n"
                   "\n"
                   "With --from SNAPSHOT, the template is applied to that host's values: each\n"
                   "field's value before and after, and whether it asks for more than the\n"
                   "host offers by the field's merge rule (a feature the host lacks, a\n"
                   "'not affected' promise it cannot keep, a must-be-1 control cleared): a\n"
                   "KVM refuses such a value. --output FILE writes the snapshot with the\n"
                   "template applied to every CPU.",
    .options = template_options,
    .option_count = sizeof template_options / sizeof template_options[0],
    .operand_names = template_operands,
    .min_operands = 1,
    .max_operands = 1,
    .run = run_template,
};
