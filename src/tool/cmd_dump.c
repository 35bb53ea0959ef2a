/*
 * `x86msr dump [-c CPUS | -a] [--snapshot | --json] [--from FILE]`: every MSR
 * of the spec that a CPU implements, as a table, a snapshot file or JSON; or
 * the values of a snapshot file read back.
 */
#include "command.h"
#include "cpu_select.h"
#include "decoded.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "machine.h"
#include "msr_lookup.h"
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_CPU, OPT_ALL, OPT_SNAPSHOT, OPT_FROM, OPT_JSON };

static const struct cli_option dump_options[] = {
    [OPT_CPU] = {"cpu", 'c', "CPUS", "CPUs to dump: 0,2,4-7 (default: the first online CPU)"},
    [OPT_ALL] = {"all", 'a', NULL, "Dump every online CPU"},
    [OPT_SNAPSHOT] = {"snapshot", 0, NULL, "Print a snapshot file (for --from) instead of a table"},
    [OPT_FROM] = {"from", 0, "FILE", "Read a snapshot file instead of the machine ('-': stdin)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array, one object per register and CPU"},
};

enum output_mode { OUTPUT_TABLE, OUTPUT_SNAPSHOT, OUTPUT_JSON };

/*
 * Where the values go; started on the first CPU, so a dump that fails
 * before any CPU is read prints nothing. The table is streamed: its column
 * widths are known beforehand (the widest CPU number selected, the longest
 * name in the spec), so a dump of every CPU holds nothing in memory.
 *
 * Speed (tests/bench/bench_dump.sh: 64 CPUs x 2,350 registers): what is the
 * same on every CPU -- the register the spec has at each address, and each
 * line's text but the CPU and the value -- is worked out once per address
 * (struct row), and a line is assembled with memcpy and a table-driven hex
 * conversion into one buffer, then written with one fwrite into a large
 * stdout buffer; printf's format parsing per line cost more than the reads.
 */
struct row {
    uint32_t address;
    const struct msr_instance *msr; /* NULL: not in the spec */
    char *before;               /* table: "0x0000003A  IA32_FEATURE_CONTROL   "; snapshot: "0x0000003A " */
    size_t before_length;
    char *after;                /* snapshot: "  # IA32_FEATURE_CONTROL\n"; table: "\n" */
    size_t after_length;
};

struct output {
    enum output_mode mode;
    bool started;
    int cpu_width;
    int name_width;
    struct json_writer json;
};

#define LINE_SIZE 512

static int decimal_width(unsigned n)
{
    int width = 1;

    while (n >= 10) {
        n /= 10;
        width++;
    }
    return width;
}

/* 16 uppercase hex digits, no terminator. */
static char *put_hex16(char *p, uint64_t value)
{
    static const char digits[] = "0123456789ABCDEF";
    int i;

    for (i = 15; i >= 0; i--) {
        p[i] = digits[value & 0xF];
        value >>= 4;
    }
    return p + 16;
}

static char *put_string(char *p, const char *s, size_t length)
{
    memcpy(p, s, length);
    return p + length;
}

static char *copy_text(const char *text, size_t *length)
{
    char *copy;

    *length = strlen(text);
    copy = xmalloc(*length + 1);
    memcpy(copy, text, *length + 1);
    return copy;
}

/* The per-address parts of each line (struct row). */
static void row_init(struct row *r, const struct output *o, uint32_t address)
{
    char address_text[FORMAT_NUMBER_SIZE], text[LINE_SIZE / 2];

    r->address = address;
    r->msr = spec_msr_at(address);
    format_address(address_text, address);
    if (o->mode == OUTPUT_TABLE) {
        snprintf(text, sizeof text, "  %-10s  %-*s  ", address_text, o->name_width, r->msr ? msr_name(r->msr) : "-");
        r->before = copy_text(text, &r->before_length);
        r->after = copy_text("\n", &r->after_length);
    } else if (o->mode == OUTPUT_SNAPSHOT) {
        snprintf(text, sizeof text, "%s ", address_text);
        r->before = copy_text(text, &r->before_length);
        if (r->msr != NULL)
            snprintf(text, sizeof text, "  # %s\n", msr_name(r->msr));
        else
            snprintf(text, sizeof text, "\n");
        r->after = copy_text(text, &r->after_length);
    } else {
        r->before = r->after = NULL;
    }
}

static void row_free(struct row *r)
{
    free(r->before);
    free(r->after);
}

static void output_init(struct output *o, enum output_mode mode, const struct cpu_list *cpus)
{
    uint32_t i;

    memset(o, 0, sizeof o[0]);
    o->mode = mode;
    o->cpu_width = (int)strlen("CPU");
    if (cpus->count > 0 && decimal_width(cpus->cpus[cpus->count - 1]) > o->cpu_width)
        o->cpu_width = decimal_width(cpus->cpus[cpus->count - 1]);
    o->name_width = (int)strlen("NAME");
    for (i = 0; i < msr_spec.instance_count; i++)
        if ((int)strlen(msr_name(&msr_spec.instances[i])) > o->name_width)
            o->name_width = (int)strlen(msr_name(&msr_spec.instances[i]));
}

static void output_cpu(struct output *o, unsigned cpu)
{
    if (!o->started) {
        o->started = true;
        if (o->mode == OUTPUT_TABLE) {
            printf("%-*s  %-10s  %-*s  VALUE\n", o->cpu_width, "CPU", "ADDRESS", o->name_width, "NAME");
        } else if (o->mode == OUTPUT_SNAPSHOT) {
            snapshot_write_header(stdout);
        } else {
            diag_json_result(&o->json, false);
            json_begin_array(&o->json);
        }
    }
    if (o->mode == OUTPUT_SNAPSHOT)
        snapshot_write_cpu(stdout, cpu);
}

/* The line of one value (text modes; the row's parts fit LINE_SIZE: names
 * are far shorter). */
static void output_row(struct output *o, unsigned cpu, const char *cpu_text, size_t cpu_length,
                       const struct row *r, uint64_t value)
{
    char line[LINE_SIZE], *p = line;

    if (o->mode == OUTPUT_JSON) {
        json_write_reading(&o->json, cpu, r->msr, r->address, value, NULL, MSR_OK);
        return;
    }
    p = put_string(p, cpu_text, cpu_length);
    p = put_string(p, r->before, r->before_length);
    p = put_string(p, "0x", 2);
    p = put_hex16(p, value);
    p = put_string(p, r->after, r->after_length);
    fwrite(line, 1, (size_t)(p - line), stdout);
}

/* The CPU column as the table spells it ("3  " left-aligned to the width);
 * nothing in a snapshot or JSON. Returns the length. */
static size_t cpu_text(const struct output *o, unsigned cpu, char *buf, size_t size)
{
    if (o->mode != OUTPUT_TABLE) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)snprintf(buf, size, "%-*u", o->cpu_width, cpu);
}

static void output_end(struct output *o)
{
    if (o->started && o->mode == OUTPUT_JSON) {
        json_end_array(&o->json);
        json_finish(&o->json);
    }
}

/* The addresses of the spec's readable registers (write-only ones cannot be
 * dumped), each once: vendors may share an address. */
static size_t spec_addresses(uint32_t **out)
{
    uint32_t *addresses = xcalloc(msr_spec.instance_count, sizeof *addresses);
    size_t n = 0;
    uint32_t i;

    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i];

        if (msr_def_of(msr)->access != MSR_ACCESS_WO && (n == 0 || addresses[n - 1] != msr->address))
            addresses[n++] = msr->address;
    }
    *out = addresses;
    return n;
}

/* Every selected CPU can be opened: a whole-CPU failure (no driver,
 * permission, no such CPU) is found before anything is printed, so --json
 * gets the error object instead of half an array. */
static int check_cpus(const struct cpu_list *cpus)
{
    size_t c;

    for (c = 0; c < cpus->count; c++) {
        int status = msr_linux_read_batch(machine(), cpus->cpus[c], NULL, 0);

        msr_linux_release(machine(), cpus->cpus[c]);
        if (status != MSR_OK)
            return machine_cpu_error(cpus->cpus[c], status);
    }
    return TOOL_EXIT_OK;
}

static int dump_machine(const struct cli_args *args, struct output *o, enum output_mode mode)
{
    struct cpu_list cpus;
    struct msr_linux_request *requests;
    struct row *rows;
    uint32_t *addresses;
    size_t count, c, i;
    int result = cpu_select_live(args->option[OPT_CPU], cli_flag(args, OPT_ALL), CPU_DEFAULT_FIRST, &cpus);

    if (result == TOOL_EXIT_OK)
        result = check_cpus(&cpus);
    if (result != TOOL_EXIT_OK) {
        cpu_list_free(&cpus);
        return result;
    }
    output_init(o, mode, &cpus);
    count = spec_addresses(&addresses);
    requests = xcalloc(count, sizeof *requests);
    rows = xcalloc(count, sizeof *rows);
    for (i = 0; i < count; i++) {
        requests[i].msr = addresses[i];
        row_init(&rows[i], o, addresses[i]);
    }
    for (c = 0; c < cpus.count; c++) {
        unsigned cpu = cpus.cpus[c];
        int status = msr_linux_read_batch(machine(), cpu, requests, count);
        char cpu_column[16];
        size_t cpu_length = cpu_text(o, cpu, cpu_column, sizeof cpu_column);

        /* One descriptor at a time, however many CPUs there are. */
        msr_linux_release(machine(), cpu);
        if (status != MSR_OK) {
            /* Opened a moment ago (check_cpus): gone since, e.g. offline. */
            result = machine_cpu_error(cpu, status);
            if (o->started && mode == OUTPUT_JSON) {
                json_begin_object(&o->json);
                json_key(&o->json, "cpu");
                json_uint(&o->json, cpu);
                json_write_error_member(&o->json, machine_error_code(status, false), machine_explain(status, false));
                json_end_object(&o->json);
            }
            break;
        }
        output_cpu(o, cpu);
        for (i = 0; i < count; i++) {
            if (requests[i].status == MSR_OK)
                output_row(o, cpu, cpu_column, cpu_length, &rows[i], requests[i].value);
            else if (requests[i].status != MSR_ERR_FAULT) /* #GP: not implemented, skipped */
                result = machine_access_error(cpu, "read", rows[i].msr, requests[i].msr, requests[i].status);
        }
    }
    for (i = 0; i < count; i++)
        row_free(&rows[i]);
    free(rows);
    free(requests);
    free(addresses);
    cpu_list_free(&cpus);
    return result;
}

static int dump_snapshot(const struct cli_args *args, struct output *o, enum output_mode mode)
{
    const char *path = args->option[OPT_FROM];
    struct msr_snapshot snapshot;
    struct cpu_list available = {NULL, 0}, cpus = {NULL, 0};
    int result = snapshot_load(path, &snapshot);
    size_t c, i;

    if (result == TOOL_EXIT_OK) {
        snapshot_cpu_list(&snapshot, &available);
        result = cpu_select_among(args->option[OPT_CPU], cli_flag(args, OPT_ALL), &available,
                                  strcmp(path, "-") == 0 ? "the snapshot on stdin" : path, &cpus);
    }
    output_init(o, mode, &cpus);
    for (c = 0; result == TOOL_EXIT_OK && c < cpus.count; c++) {
        const struct msr_snapshot_cpu *cpu = msr_snapshot_find_cpu(&snapshot, cpus.cpus[c]);
        char cpu_column[16];
        size_t cpu_length = cpu_text(o, cpu->cpu, cpu_column, sizeof cpu_column);

        output_cpu(o, cpu->cpu);
        for (i = 0; i < cpu->count; i++) {
            struct row r;

            row_init(&r, o, cpu->values[i].address);
            output_row(o, cpu->cpu, cpu_column, cpu_length, &r, cpu->values[i].value);
            row_free(&r);
        }
    }
    cpu_list_free(&cpus);
    cpu_list_free(&available);
    snapshot_free(&snapshot);
    return result;
}

static int run_dump(const struct command *self, const struct cli_args *args)
{
    enum output_mode mode = cli_flag(args, OPT_JSON)       ? OUTPUT_JSON
                            : cli_flag(args, OPT_SNAPSHOT) ? OUTPUT_SNAPSHOT
                                                           : OUTPUT_TABLE;
    struct output o;
    int status;

    static char buffer[1 << 20];

    (void)self;
    /* Nothing has been printed yet: a large buffer, so a dump of every CPU
     * is a few big writes instead of thousands of 4 KiB ones. */
    setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    memset(&o, 0, sizeof o);
    if (cli_flag(args, OPT_JSON) && cli_flag(args, OPT_SNAPSHOT))
        return usage_error("--json and --snapshot exclude each other: choose one output");
    if (args->option[OPT_FROM] != NULL)
        status = dump_snapshot(args, &o, mode);
    else
        status = dump_machine(args, &o, mode);
    output_end(&o);
    return status;
}

const struct command command_dump = {
    .name = "dump",
    .summary = "Dump every MSR of the spec a CPU implements, or a snapshot",
    .synopsis = "dump [-c CPUS | -a] [--snapshot | --json] [--from FILE]",
    .description =
        "Reads every readable register of the spec on the selected CPUs (default:\n"
        "the first online CPU) and prints the ones each CPU implements: a register\n"
        "the CPU does not have (EIO from the driver) is skipped, not an error.\n"
        "\n"
        "The table has one line per CPU and register: CPU, ADDRESS, NAME, VALUE.\n"
        "--snapshot prints a snapshot file instead: comment lines start with '#',\n"
        "'# cpu N' starts CPU N's values, and each value is a line 'ADDRESS VALUE'\n"
        "(hex; the register's name follows as a comment). Values before any\n"
        "'# cpu N' line are CPU 0's; numbers may be hex (0x) or decimal.\n"
        "\n"
        "--from FILE prints a snapshot file instead of reading the machine; -c\n"
        "picks CPUs of the file (default and -a: all of them). 'vmxcap --from'\n"
        "reads the same files.\n"
        "\n"
        "With --json, an array with one object per CPU and register, as 'read\n"
        "--json' prints them.",
    .options = dump_options,
    .option_count = sizeof dump_options / sizeof dump_options[0],
    .operand_names = NULL,
    .min_operands = 0,
    .max_operands = 0,
    .run = run_dump,
};
