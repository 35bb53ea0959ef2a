/*
 * `x86msr baseline SNAPSHOT... [-c CPU] [--template FILE] [--json]`: from two
 * or more hosts' snapshots, the guest-visible capabilities every one of them
 * can offer -- each field of each feature register merged by its merge rule
 * (msr_baseline_merge()) -- and the CPU template that gives a guest exactly
 * those on any of the hosts.
 */
#include "command.h"
#include "diag.h"
#include "facts_args.h"
#include "format.h"
#include "json.h"
#include "snapshot.h"

#include <x86msr/cpuid.h>
#include <x86msr/guest.h>
#include <x86msr/meta.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_CPU, OPT_TEMPLATE, OPT_JSON };

static const struct cli_option baseline_options[] = {
    [OPT_CPU] = {"cpu", 'c', "CPU", "The CPU of each snapshot to use (default: each one's first)"},
    [OPT_TEMPLATE] = {"template", 't', "FILE", "Write the CPU template that yields the baseline (JSON)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of text"},
};

static const char *const baseline_operands[] = {"SNAPSHOT"};

struct host {
    const char *path;
    struct msr_snapshot snapshot;
    const struct msr_snapshot_cpu *cpu;
};

/* One register of the baseline. */
struct merged {
    const struct msr_instance *msr;
    uint64_t value;        /* merged over the hosts */
    uint64_t conflict;     /* bits of fields with no common value */
    uint64_t *host_values; /* one per host */
    size_t hosts_with;     /* how many hosts have it */
    bool ruled_out;        /* the baseline's own values say the register does not exist */
};

struct baseline {
    struct host *hosts;
    size_t host_count;
    struct merged *regs;
    size_t count;
};

static bool is_capability(const struct msr_def *def)
{
    return (def->flags & MSR_REG_F_GUEST_STATE) &&
           (def->guest_state == MSR_GUEST_STATE_FEATURE || def->guest_state == MSR_GUEST_STATE_SETUP);
}

/* The baseline's value of a register, for the presence conditions of others. */
static int baseline_fact(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct baseline *b = ctx;
    size_t i;

    for (i = 0; i < b->count; i++)
        if (b->regs[i].msr->address == msr && b->regs[i].hosts_with == b->host_count) {
            *value = b->regs[i].value;
            return MSR_OK;
        }
    *value = 0;
    return MSR_ERR_FAULT;
}

static void merge_all(struct baseline *b)
{
    uint32_t i;
    size_t h, r;
    struct msr_facts facts = {NULL, baseline_fact, b, 0};

    b->regs = xcalloc(msr_spec.instance_count, sizeof *b->regs);
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i];
        struct merged *m = &b->regs[b->count];

        /* registers sharing an address: the first one's fields (a snapshot does not say whose CPU it is) */
        if (!is_capability(msr_def_of(msr)) || (i > 0 && msr_spec.instances[i - 1].address == msr->address))
            continue;
        m->msr = msr;
        m->host_values = xcalloc(b->host_count, sizeof *m->host_values);
        for (h = 0; h < b->host_count; h++) {
            if (!msr_snapshot_lookup(b->hosts[h].cpu, msr->address, &m->host_values[h]))
                continue;
            if (m->hosts_with++ == 0)
                m->value = m->host_values[h];
            else
                m->conflict |= msr_baseline_merge(msr_def_of(msr), &m->value, m->host_values[h]);
        }
        if (m->hosts_with == 0) {
            free(m->host_values);
            continue;
        }
        b->count++;
    }
    /* A register every host has may still be gone from the baseline: the
     * TRUE control MSRs when one host lacks IA32_VMX_BASIC[55]. */
    for (r = 0; r < b->count; r++) {
        struct merged *m = &b->regs[r];
        m->ruled_out = m->hosts_with == b->host_count &&
                       msr_is_supported(msr_def_of(m->msr), m->msr->index, &facts) == MSR_SUPPORT_NO;
    }
}

/* Whether register `m` is in the baseline. */
static bool offered(const struct baseline *b, const struct merged *m)
{
    return m->hosts_with == b->host_count && !m->ruled_out;
}

/* Whether the hosts' values of `field` differ. */
static bool differs(const struct baseline *b, const struct merged *m, const struct msr_field_info *field)
{
    size_t h;

    for (h = 1; h < b->host_count; h++)
        if (msr_field_extract(field, m->host_values[h]) != msr_field_extract(field, m->host_values[0]))
            return true;
    return false;
}

static const char *rule_name(const struct msr_field_info *f)
{
    return msr_merge_name((f->flags & MSR_FIELD_F_MERGE) ? f->merge : MSR_MERGE_EQUAL);
}

/* ---- the template --------------------------------------------------------- */

static void write_template(struct json_writer *w, const struct baseline *b)
{
    char text[FORMAT_TEXT_SIZE];
    size_t r, used = 0, h;
    unsigned i;

    used += (size_t)snprintf(text, sizeof text, "Migration baseline of %lu hosts:", (unsigned long)b->host_count);
    for (h = 0; h < b->host_count && used < sizeof text; h++)
        used += (size_t)snprintf(text + used, sizeof text - used, " %s", b->hosts[h].path);
    json_begin_object(w);
    json_key(w, "description");
    json_string(w, text);
    json_key(w, "registers");
    json_begin_object(w);
    for (r = 0; r < b->count; r++) {
        const struct merged *m = &b->regs[r];
        const struct msr_def *def = msr_def_of(m->msr);

        if (!offered(b, m))
            continue;
        json_key(w, msr_name(m->msr));
        json_begin_object(w);
        for (i = 0; i < def->field_count; i++) {
            const struct msr_field_info *f = msr_def_field(def, i);
            uint64_t v = msr_field_extract(f, m->value);

            if (f->flags & MSR_FIELD_F_UNDOCUMENTED)
                continue;
            json_key(w, msr_field_name(def, i));
            if (m->conflict & msr_field_mask(f)) {
                json_string(w, "keep");
            } else if (f->msb == f->lsb) {
                json_string(w, v ? "set" : "clear");
            } else {
                format_field_value(text, f, v);
                json_string(w, text);
            }
        }
        json_end_object(w);
    }
    json_end_object(w);
    json_end_object(w);
}

static int write_template_file(const char *path, const struct baseline *b)
{
    FILE *out = fopen(path, "w");
    struct json_writer w;

    if (out == NULL)
        return runtime_error("cannot write %s: %s", path, strerror(errno));
    json_init(&w, out);
    write_template(&w, b);
    json_finish(&w);
    if (fclose(out) != 0)
        return runtime_error("cannot write %s: %s", path, strerror(errno));
    return TOOL_EXIT_OK;
}

/* ---- text ---------------------------------------------------------------- */

static void print_host_values(const struct baseline *b, const struct merged *m, const struct msr_field_info *f)
{
    char v[FORMAT_NUMBER_SIZE];
    size_t h;

    for (h = 0; h < b->host_count; h++) {
        format_field_value(v, f, msr_field_extract(f, m->host_values[h]));
        printf("%s %s", h ? "," : "", v);
    }
}

static void print_text(const struct baseline *b)
{
    size_t r, h, offered_count = 0, conflicts = 0, missing = 0;
    unsigned i;
    char address[FORMAT_NUMBER_SIZE], value[FORMAT_NUMBER_SIZE];

    printf("# migration baseline of %lu hosts:", (unsigned long)b->host_count);
    for (h = 0; h < b->host_count; h++)
        printf("%s %s (cpu %u)", h ? "," : "", b->hosts[h].path, b->hosts[h].cpu->cpu);
    printf("\n");
    for (r = 0; r < b->count; r++) {
        const struct merged *m = &b->regs[r];
        const struct msr_def *def = msr_def_of(m->msr);

        if (!offered(b, m))
            continue;
        offered_count++;
        format_address(address, m->msr->address);
        format_value64(value, m->value);
        printf("%s (%s) = %s\n", msr_name(m->msr), address, value);
        for (i = 0; i < def->field_count; i++) {
            const struct msr_field_info *f = msr_def_field(def, i);
            bool conflict = (m->conflict & msr_field_mask(f)) != 0;

            if (!differs(b, m, f))
                continue;
            format_field_value(value, f, msr_field_extract(f, m->value));
            printf("  %-32s %-13s %s  (hosts:", msr_field_name(def, i), rule_name(f),
                   conflict ? "no common value" : value);
            print_host_values(b, m, f);
            printf(")\n");
            conflicts += conflict;
        }
    }
    for (r = 0; r < b->count; r++) {
        const struct merged *m = &b->regs[r];

        if (offered(b, m))
            continue;
        format_address(address, m->msr->address);
        if (m->ruled_out) {
            printf("%s (%s): left out: the baseline's own values rule it out\n", msr_name(m->msr), address);
            continue;
        }
        printf("%s (%s): left out: missing on", msr_name(m->msr), address);
        for (h = 0; h < b->host_count; h++) {
            uint64_t v;
            if (!msr_snapshot_lookup(b->hosts[h].cpu, m->msr->address, &v))
                printf(" %s", b->hosts[h].path);
        }
        printf("\n");
        missing++;
    }
    printf("\n%lu register(s) in the baseline, %lu field(s) with no common value (the template keeps each host's), "
           "%lu register(s) not on every host\n", (unsigned long)offered_count, (unsigned long)conflicts,
           (unsigned long)missing);
}

/* ---- JSON ---------------------------------------------------------------- */

static void print_json(const struct baseline *b)
{
    struct json_writer w;
    size_t r, h;
    unsigned i;

    diag_json_result(&w, false);
    json_begin_object(&w);
    json_key(&w, "hosts");
    json_begin_array(&w);
    for (h = 0; h < b->host_count; h++) {
        json_begin_object(&w);
        json_key(&w, "file");
        json_string(&w, b->hosts[h].path);
        json_key(&w, "cpu");
        json_uint(&w, b->hosts[h].cpu->cpu);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "registers");
    json_begin_array(&w);
    for (r = 0; r < b->count; r++) {
        const struct merged *m = &b->regs[r];
        const struct msr_def *def = msr_def_of(m->msr);

        json_begin_object(&w);
        json_key(&w, "name");
        json_string(&w, msr_name(m->msr));
        json_key(&w, "address");
        json_address(&w, m->msr->address);
        json_key(&w, "offered");
        json_bool(&w, offered(b, m));
        if (!offered(b, m)) {
            json_key(&w, "why");
            json_string(&w, m->ruled_out ? "ruled out by the baseline's values" : "missing on a host");
        }
        json_key(&w, "hosts");
        json_begin_array(&w);
        for (h = 0; h < b->host_count; h++) {
            uint64_t v;
            if (msr_snapshot_lookup(b->hosts[h].cpu, m->msr->address, &v))
                json_mask64(&w, v);
            else
                json_null(&w);
        }
        json_end_array(&w);
        if (offered(b, m)) {
            json_key(&w, "value");
            json_mask64(&w, m->value);
            json_key(&w, "differing_fields");
            json_begin_array(&w);
            for (i = 0; i < def->field_count; i++) {
                const struct msr_field_info *f = msr_def_field(def, i);

                if (!differs(b, m, f))
                    continue;
                json_begin_object(&w);
                json_key(&w, "name");
                json_string(&w, msr_field_name(def, i));
                json_key(&w, "rule");
                json_string(&w, rule_name(f));
                json_key(&w, "conflict");
                json_bool(&w, (m->conflict & msr_field_mask(f)) != 0);
                json_key(&w, "value");
                json_uint(&w, msr_field_extract(f, m->value));
                json_key(&w, "hosts");
                json_begin_array(&w);
                for (h = 0; h < b->host_count; h++)
                    json_uint(&w, msr_field_extract(f, m->host_values[h]));
                json_end_array(&w);
                json_end_object(&w);
            }
            json_end_array(&w);
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "template");
    write_template(&w, b);
    json_end_object(&w);
    json_finish(&w);
}

static int run_baseline(const struct command *self, const struct cli_args *args)
{
    struct baseline b = {NULL, 0, NULL, 0};
    int status = TOOL_EXIT_OK;
    size_t h, r;

    (void)self;
    if (args->operand_count < 2)
        return usage_error("a baseline needs the snapshots of two or more hosts (got %lu)",
                           (unsigned long)args->operand_count);
    b.hosts = xcalloc(args->operand_count, sizeof *b.hosts);
    for (h = 0; h < args->operand_count && status == TOOL_EXIT_OK; h++) {
        b.hosts[h].path = args->operands[h];
        b.host_count++;
        status = snapshot_load(b.hosts[h].path, &b.hosts[h].snapshot);
        if (status == TOOL_EXIT_OK)
            status = snapshot_cpu_of(b.hosts[h].path, args->option[OPT_CPU], &b.hosts[h].snapshot, &b.hosts[h].cpu);
    }
    if (status == TOOL_EXIT_OK) {
        merge_all(&b);
        if (args->option[OPT_TEMPLATE])
            status = write_template_file(args->option[OPT_TEMPLATE], &b);
    }
    if (status == TOOL_EXIT_OK) {
        if (cli_flag(args, OPT_JSON))
            print_json(&b);
        else
            print_text(&b);
    }
    for (r = 0; r < b.count; r++)
        free(b.regs[r].host_values);
    free(b.regs);
    for (h = 0; h < b.host_count; h++)
        snapshot_free(&b.hosts[h].snapshot);
    free(b.hosts);
    return status;
}

const struct command command_baseline = {
    .name = "baseline",
    .summary = "The capabilities every host of a fleet can offer a guest, and their template",
    .synopsis = "baseline SNAPSHOT SNAPSHOT... [-c CPU] [--template FILE] [--json]",
    .description = "Merges the feature registers (the spec's guest_state feature and setup: the\n"
                   "VMX capabilities, ARCH_CAPABILITIES, PERF_CAPABILITIES, IA32_MCG_CAP, ...)\n"
                   "of two or more hosts' snapshots into what a guest that may move between\n"
                   "them can be given. Each field merges by its rule in the spec: and (a\n"
                   "feature or a 'not affected' promise: only where every host has it), or\n"
                   "(a must-be-1 setting or a 'may be affected' warning: wherever one host has\n"
                   "it), min, max, equal_or_zero (a format: the same, or 0 to turn it off),\n"
                   "equal (an identifier: the same, or no common value). A register missing on\n"
                   "a host, or ruled out by the merged values of others, is left out.\n"
                   "\n"
                   "Prints each register of the baseline with the fields whose hosts differ.\n"
                   "--template FILE writes the CPU template that gives a guest the baseline on\n"
                   "any of the hosts (x86msr template FILE --from SNAPSHOT shows it; fields\n"
                   "with no common value are kept).",
    .options = baseline_options,
    .option_count = sizeof baseline_options / sizeof baseline_options[0],
    .operand_names = baseline_operands,
    .min_operands = 1,
    .max_operands = CLI_MANY,
    .run = run_baseline,
};
