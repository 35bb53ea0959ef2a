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

/* Where the values go; started on the first CPU, so a dump that fails
 * before any CPU is read prints nothing. The table is streamed: its column
 * widths are known beforehand (the widest CPU number selected, the longest
 * name in the spec), so a dump of every CPU holds nothing in memory. */
struct output {
    enum output_mode mode;
    bool started;
    int cpu_width;
    int name_width;
    struct json_writer json;
};

static int decimal_width(unsigned n)
{
    int width = 1;

    while (n >= 10) {
        n /= 10;
        width++;
    }
    return width;
}

static void output_init(struct output *o, enum output_mode mode, const struct cpu_list *cpus)
{
    size_t i;

    memset(o, 0, sizeof *o);
    o->mode = mode;
    o->cpu_width = (int)strlen("CPU");
    if (cpus->count > 0 && decimal_width(cpus->cpus[cpus->count - 1]) > o->cpu_width)
        o->cpu_width = decimal_width(cpus->cpus[cpus->count - 1]);
    o->name_width = (int)strlen("NAME");
    for (i = 0; i < msr_table_count; i++)
        if ((int)strlen(msr_table[i].name) > o->name_width)
            o->name_width = (int)strlen(msr_table[i].name);
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
            json_init(&o->json, stdout);
            json_begin_array(&o->json);
        }
    }
    if (o->mode == OUTPUT_SNAPSHOT)
        snapshot_write_cpu(stdout, cpu);
}

static void output_value(struct output *o, unsigned cpu, uint32_t address, uint64_t value)
{
    const struct msr_info *msr = spec_msr_at(address);

    if (o->mode == OUTPUT_TABLE) {
        char address_text[FORMAT_NUMBER_SIZE], value_text[FORMAT_NUMBER_SIZE];

        format_address(address_text, address);
        format_value64(value_text, value);
        printf("%-*u  %-10s  %-*s  %s\n", o->cpu_width, cpu, address_text, o->name_width, msr ? msr->name : "-",
               value_text);
    } else if (o->mode == OUTPUT_SNAPSHOT) {
        snapshot_write_entry(stdout, address, value, msr ? msr->name : NULL);
    } else {
        json_write_reading(&o->json, cpu, msr, address, value, NULL, NULL);
    }
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
static size_t spec_requests(struct msr_linux_request **out)
{
    struct msr_linux_request *requests = xcalloc(msr_table_count, sizeof *requests);
    size_t i, n = 0;

    for (i = 0; i < msr_table_count; i++)
        if (msr_table[i].access != MSR_ACCESS_WO && (n == 0 || requests[n - 1].msr != msr_table[i].address))
            requests[n++].msr = msr_table[i].address;
    *out = requests;
    return n;
}

static int dump_machine(const struct cli_args *args, struct output *o, enum output_mode mode)
{
    struct cpu_list cpus;
    struct msr_linux_request *requests;
    size_t count, c, i;
    int result = cpu_select_live(args->option[OPT_CPU], cli_flag(args, OPT_ALL), CPU_DEFAULT_FIRST, &cpus);

    if (result != TOOL_EXIT_OK)
        return result;
    output_init(o, mode, &cpus);
    count = spec_requests(&requests);
    for (c = 0; c < cpus.count; c++) {
        unsigned cpu = cpus.cpus[c];
        int status = msr_linux_read_batch(machine(), cpu, requests, count);

        /* One descriptor at a time, however many CPUs there are. */
        msr_linux_release(machine(), cpu);
        if (status != MSR_OK) {
            result = machine_cpu_error(cpu, status);
            break;
        }
        output_cpu(o, cpu);
        for (i = 0; i < count; i++) {
            if (requests[i].status == MSR_OK)
                output_value(o, cpu, requests[i].msr, requests[i].value);
            else if (requests[i].status != MSR_ERR_FAULT) /* #GP: not implemented, skipped */
                result = machine_access_error(cpu, "read", spec_msr_at(requests[i].msr), requests[i].msr,
                                              requests[i].status);
        }
    }
    free(requests);
    cpu_list_free(&cpus);
    return result;
}

static int dump_snapshot(const struct cli_args *args, struct output *o, enum output_mode mode)
{
    const char *path = args->option[OPT_FROM];
    struct snapshot snapshot;
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
        const struct snapshot_cpu *cpu = snapshot_find_cpu(&snapshot, cpus.cpus[c]);

        output_cpu(o, cpu->cpu);
        for (i = 0; i < cpu->count; i++)
            output_value(o, cpu->cpu, cpu->entries[i].address, cpu->entries[i].value);
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

    (void)self;
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
