/*
 * `x86msr watch NAME|ADDRESS... [-i SECONDS] [-n COUNT] [-c CPUS | -a] [--json]`:
 * registers sampled every interval, one line per register and CPU, with what
 * changed since the previous sample: for the fields the spec marks as
 * counters (`counter: true`: TSC, APERF/MPERF, PMCs, RAPL energy, ...) the
 * increase and the rate per second, wrap-around at the field's width
 * included; for other registers the fields that changed. Ends after COUNT
 * samples, or on Ctrl-C (SIGINT: the sample being printed is finished, exit
 * status 0).
 */
#define _POSIX_C_SOURCE 200809L /* sigaction, nanosleep, clock_gettime */

#include "command.h"
#include "cpu_select.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "machine.h"
#include "msr_lookup.h"
#include "number.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_INTERVAL, OPT_COUNT, OPT_CPU, OPT_ALL, OPT_JSON };

static const struct cli_option watch_options[] = {
    [OPT_INTERVAL] = {"interval", 'i', "SECONDS", "Time between samples: 1, 0.5, 0.05 (default 1)"},
    [OPT_COUNT] = {"count", 'n', "COUNT", "Stop after COUNT samples (default: until Ctrl-C)"},
    [OPT_CPU] = {"cpu", 'c', "CPUS", "CPUs to sample: 0,2,4-7 (default: the first online CPU)"},
    [OPT_ALL] = {"all", 'a', NULL, "Sample every online CPU"},
    [OPT_JSON] = {"json", 0, NULL, "One JSON object per sample and line (JSON Lines)"},
};

static const char *const watch_operands[] = {"NAME|ADDRESS"};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* SECONDS: decimal digits with an optional fraction ("0.05"); above 0, at
 * most a day. Nanoseconds in *out. */
static int parse_interval(const char *text, uint64_t *out)
{
    const char *p = text;
    uint64_t whole = 0, fraction = 0, scale = 1000000000u;
    bool digits = false;

    for (; *p >= '0' && *p <= '9'; p++, digits = true)
        if ((whole = whole * 10 + (uint64_t)(*p - '0')) > 86400)
            return usage_error_code(ERR_BAD_NUMBER, "invalid interval '%s': at most 86400 seconds", text);
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
            if (scale >= 10) {
                scale /= 10;
                fraction += (uint64_t)(*p - '0') * scale;
            }
    }
    if (!digits || *p != '\0')
        return usage_error_code(ERR_BAD_NUMBER, "invalid interval '%s': expected seconds, such as 1, 0.5 or 0.05",
                                text);
    *out = whole * 1000000000u + fraction;
    if (*out == 0)
        return usage_error_code(ERR_BAD_NUMBER, "invalid interval '%s': must be above 0", text);
    if (*out > UINT64_C(86400) * 1000000000u)
        return usage_error_code(ERR_BAD_NUMBER, "invalid interval '%s': at most 86400 seconds", text);
    return TOOL_EXIT_OK;
}

static int parse_count(const char *text, uint64_t *out)
{
    char why[128];

    if (!parse_number(text, 32, out, why, sizeof why))
        return usage_error_code(ERR_BAD_NUMBER, "invalid count '%s': %s", text, why);
    if (*out == 0)
        return usage_error_code(ERR_BAD_NUMBER, "invalid count '%s': must be at least 1", text);
    return TOOL_EXIT_OK;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps `ns` nanoseconds, or less when SIGINT arrives. */
static void pause_for(uint64_t ns)
{
    struct timespec left;

    left.tv_sec = (time_t)(ns / 1000000000u);
    left.tv_nsec = (long)(ns % 1000000000u);
    while (!interrupted && nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

struct watch {
    struct msr_target *targets;
    size_t target_count;
    struct cpu_list cpus;
    uint64_t *previous; /* [cpu index * target_count + target] */
    bool *had;          /* a previous value exists */
    bool *reported;     /* the read's failure was reported */
    struct msr_linux_request *requests; /* [cpu index * target_count + target] */
    int name_width, cpu_width;
    bool json;
    bool header_done;
};

/* The change of counter field `f` from `old` to `now`, wrap-around at the
 * field's width included. */
static uint64_t counter_delta(const struct msr_field_info *f, uint64_t old, uint64_t now)
{
    unsigned width = field_width(f);
    uint64_t mask = width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;

    return (msr_field_extract(f, now) - msr_field_extract(f, old)) & mask;
}

static bool is_counter(const struct msr_field_info *f)
{
    return (f->flags & MSR_FIELD_F_COUNTER) != 0;
}

static bool has_counter(const struct msr_def *def)
{
    unsigned i;

    for (i = 0; i < def->field_count; i++)
        if (is_counter(msr_def_field(def, i)))
            return true;
    return false;
}

/* The CHANGE column of one line ("TSC +123456 (2469120/s)", "NXE 0x1 -> 0x0"). */
static void change_text(char *buf, size_t size, const struct msr_instance *msr, uint64_t old, uint64_t now, double dt)
{
    const struct msr_def *def;
    size_t used = 0;
    unsigned i;

    buf[0] = '\0';
    if (msr == NULL) {
        if (old != now)
            snprintf(buf, size, "changed");
        return;
    }
    def = msr_def_of(msr);
    for (i = 0; i < def->field_count && used < size; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        const char *name = msr_field_name(def, i);
        int n;

        if (is_counter(f)) {
            uint64_t delta = counter_delta(f, old, now);

            n = snprintf(buf + used, size - used, "%s%s +%llu", used ? "  " : "", name, (unsigned long long)delta);
            if (n > 0 && (size_t)n < size - used && dt > 0)
                n += snprintf(buf + used + (size_t)n, size - used - (size_t)n, " (%.0f/s)", (double)delta / dt);
        } else if (msr_field_extract(f, old) != msr_field_extract(f, now)) {
            char a[FORMAT_NUMBER_SIZE], b[FORMAT_NUMBER_SIZE];

            format_field_value(a, f, msr_field_extract(f, old));
            format_field_value(b, f, msr_field_extract(f, now));
            n = snprintf(buf + used, size - used, "%s%s %s -> %s", used ? "  " : "", name, a, b);
        } else {
            continue;
        }
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (used == 0 && old != now && !has_counter(def))
        snprintf(buf, size, "reserved bits changed");
}

static void json_reading(struct json_writer *w, const struct watch *wt, size_t c, size_t t, uint64_t now, double dt)
{
    const struct msr_target *target = &wt->targets[t];
    const struct msr_def *def = target->msr != NULL ? msr_def_of(target->msr) : NULL;
    size_t k = c * wt->target_count + t;
    unsigned i;

    json_begin_object(w);
    json_key(w, "cpu");
    json_uint(w, wt->cpus.cpus[c]);
    json_key(w, "name");
    json_string(w, target->msr ? msr_name(target->msr) : NULL);
    json_key(w, "address");
    json_address(w, target->address);
    json_value_member(w, "value", now, 64);
    if (wt->had[k] && def != NULL) {
        json_key(w, "counters");
        json_begin_array(w);
        for (i = 0; i < def->field_count; i++) {
            const struct msr_field_info *f = msr_def_field(def, i);
            uint64_t delta;

            if (!is_counter(f))
                continue;
            delta = counter_delta(f, wt->previous[k], now);
            json_begin_object(w);
            json_key(w, "name");
            json_string(w, msr_field_name(def, i));
            json_value_member(w, "value", msr_field_extract(f, now), field_width(f));
            json_value_member(w, "delta", delta, field_width(f));
            json_key(w, "per_second");
            if (dt > 0)
                json_double(w, (double)delta / dt);
            else
                json_null(w);
            json_end_object(w);
        }
        json_end_array(w);
        json_key(w, "changed");
        json_begin_array(w);
        for (i = 0; i < def->field_count; i++) {
            const struct msr_field_info *f = msr_def_field(def, i);

            if (is_counter(f) || msr_field_extract(f, now) == msr_field_extract(f, wt->previous[k]))
                continue;
            json_begin_object(w);
            json_key(w, "name");
            json_string(w, msr_field_name(def, i));
            json_value_member(w, "old", msr_field_extract(f, wt->previous[k]), field_width(f));
            json_value_member(w, "new", msr_field_extract(f, now), field_width(f));
            json_end_object(w);
        }
        json_end_array(w);
    }
    json_end_object(w);
}

/* One sample of every register on every CPU: all read first, then printed,
 * so a CPU that cannot be read ends the watch before its sample is half
 * printed. Returns TOOL_EXIT_OK, or the status of that failure. */
static int sample(struct watch *wt, unsigned long number, double t, double dt, int *result)
{
    struct json_writer w;
    size_t c, i;

    for (c = 0; c < wt->cpus.count; c++) {
        unsigned cpu = wt->cpus.cpus[c];
        struct msr_linux_request *r = &wt->requests[c * wt->target_count];
        int status;

        for (i = 0; i < wt->target_count; i++)
            r[i].msr = wt->targets[i].address;
        status = msr_linux_read_batch(machine(), cpu, r, wt->target_count);
        if (status != MSR_OK)
            return machine_access_error(cpu, "read", wt->targets[0].msr, wt->targets[0].address, status);
    }
    if (wt->json) {
        diag_json_result(&w, true);
        json_begin_object(&w);
        json_key(&w, "sample");
        json_uint(&w, number);
        json_key(&w, "time");
        json_double(&w, t);
        json_key(&w, "readings");
        json_begin_array(&w);
    }
    for (c = 0; c < wt->cpus.count; c++) {
        unsigned cpu = wt->cpus.cpus[c];

        for (i = 0; i < wt->target_count; i++) {
            size_t k = c * wt->target_count + i;
            uint64_t now = wt->requests[k].value;

            if (wt->requests[k].status != MSR_OK) {
                if (!wt->reported[k])
                    *result = machine_access_error(cpu, "read", wt->targets[i].msr, wt->targets[i].address,
                                                   wt->requests[k].status);
                wt->reported[k] = true;
                continue;
            }
            if (wt->json) {
                json_reading(&w, wt, c, i, now, dt);
            } else {
                char value[FORMAT_NUMBER_SIZE], change[512], name[MACHINE_NAME_SIZE];

                if (wt->targets[i].msr != NULL)
                    snprintf(name, sizeof name, "%s", msr_name(wt->targets[i].msr));
                else
                    machine_msr_name(name, NULL, wt->targets[i].address);
                format_value64(value, now);
                if (!wt->header_done) {
                    printf("%8s  %-*s  %-*s  %-18s  %s\n", "TIME", wt->cpu_width, "CPU", wt->name_width, "REGISTER",
                           "VALUE", "CHANGE");
                    wt->header_done = true;
                }
                change[0] = '\0';
                if (wt->had[k])
                    change_text(change, sizeof change, wt->targets[i].msr, wt->previous[k], now, dt);
                printf("%8.3f  %-*u  %-*s  %s%s%s\n", t, wt->cpu_width, cpu, wt->name_width, name, value,
                       change[0] ? "  " : "", change);
            }
            wt->previous[k] = now;
            wt->had[k] = true;
        }
    }
    if (wt->json) {
        json_end_array(&w);
        json_end_object(&w);
        json_finish(&w);
    }
    fflush(stdout);
    return TOOL_EXIT_OK;
}

static int resolve(const struct cli_args *args, struct watch *wt)
{
    size_t t;

    for (t = 0; t < wt->target_count; t++) {
        struct msr_target *target = &wt->targets[t];
        int width;

        if (!lookup_target(args->operands[t], target))
            return TOOL_EXIT_USAGE;
        if (target->msr != NULL && msr_def_of(target->msr)->access == MSR_ACCESS_WO)
            return usage_error_code(ERR_REFUSED, "%s is write-only: it cannot be read", msr_name(target->msr));
        width = target->msr != NULL ? (int)strlen(msr_name(target->msr)) : (int)strlen("MSR 0x00000000");
        if (width > wt->name_width)
            wt->name_width = width;
    }
    return TOOL_EXIT_OK;
}

static int run_watch(const struct command *self, const struct cli_args *args)
{
    struct watch wt;
    struct sigaction action, old_action;
    uint64_t interval = 1000000000u, count = 0;
    unsigned long n;
    double start, last;
    int status = TOOL_EXIT_OK, result = TOOL_EXIT_OK;

    (void)self;
    memset(&wt, 0, sizeof wt);
    wt.json = cli_flag(args, OPT_JSON);
    wt.target_count = args->operand_count;
    wt.targets = xcalloc(wt.target_count, sizeof *wt.targets);
    wt.name_width = (int)strlen("REGISTER");
    if (args->option[OPT_INTERVAL] != NULL)
        status = parse_interval(args->option[OPT_INTERVAL], &interval);
    if (status == TOOL_EXIT_OK && args->option[OPT_COUNT] != NULL)
        status = parse_count(args->option[OPT_COUNT], &count);
    if (status == TOOL_EXIT_OK)
        status = resolve(args, &wt);
    if (status == TOOL_EXIT_OK)
        status = cpu_select_live(args->option[OPT_CPU], cli_flag(args, OPT_ALL), CPU_DEFAULT_FIRST, &wt.cpus);
    if (status != TOOL_EXIT_OK) {
        free(wt.targets);
        cpu_list_free(&wt.cpus);
        return status;
    }
    wt.cpu_width = 3;
    if (wt.cpus.count > 0) {
        char digits[16];
        int width = snprintf(digits, sizeof digits, "%u", wt.cpus.cpus[wt.cpus.count - 1]);
        wt.cpu_width = width > 3 ? width : 3;
    }
    wt.previous = xcalloc(wt.cpus.count * wt.target_count, sizeof *wt.previous);
    wt.had = xcalloc(wt.cpus.count * wt.target_count, sizeof *wt.had);
    wt.reported = xcalloc(wt.cpus.count * wt.target_count, sizeof *wt.reported);
    wt.requests = xcalloc(wt.cpus.count * wt.target_count, sizeof *wt.requests);

    /* Ctrl-C ends the watch after the sample being printed, with status 0. */
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART; /* reads and writes go on; nanosleep stops */
    sigaction(SIGINT, &action, &old_action);

    start = last = now_seconds();
    for (n = 1; status == TOOL_EXIT_OK; n++) {
        double t = now_seconds();

        status = sample(&wt, n, t - start, n == 1 ? 0 : t - last, &result);
        last = t;
        if (interrupted || (count != 0 && n >= count))
            break;
        pause_for(interval);
        if (interrupted)
            break;
    }
    sigaction(SIGINT, &old_action, NULL);
    free(wt.targets);
    free(wt.previous);
    free(wt.had);
    free(wt.reported);
    free(wt.requests);
    cpu_list_free(&wt.cpus);
    return status != TOOL_EXIT_OK ? status : result;
}

const struct command command_watch = {
    .name = "watch",
    .summary = "Sample registers every interval; counters as deltas and rates",
    .synopsis = "watch [-i SECONDS] [-n COUNT] [-c CPUS | -a] [--json] NAME|ADDRESS...",
    .description =
        "Reads the registers on the selected CPUs (default: the first online CPU)\n"
        "every SECONDS (default 1) and prints a line per register and CPU: the time\n"
        "since the first sample, the CPU, the register and its value (16 hex digits),\n"
        "then what changed since the previous sample. A field the spec marks as a\n"
        "counter (the TSC, APERF and MPERF, performance counters, RAPL energy\n"
        "status, C-state residencies, ...) shows its increase and the rate per\n"
        "second -- a counter that wrapped past its field's width counts on from 0,\n"
        "so the increase stays right -- and any other field that changed shows\n"
        "'old -> new'.\n"
        "\n"
        "Stops after COUNT samples (-n), or on Ctrl-C: the sample being printed is\n"
        "finished and the exit status is 0. A register the CPU cannot read is\n"
        "reported once on stderr and the others go on (exit status 1 at the end);\n"
        "a CPU that cannot be read at all ends the watch.\n"
        "\n"
        "With --json, one object per sample, each on one line (JSON Lines): sample\n"
        "(1, 2, ...), time (seconds), readings [{cpu, name, address, value,\n"
        "value_int, and from the second sample on counters [{name, value, delta,\n"
        "per_second}] and changed [{name, old, new}]}].",
    .options = watch_options,
    .option_count = sizeof watch_options / sizeof watch_options[0],
    .operand_names = watch_operands,
    .min_operands = 1,
    .max_operands = CLI_MANY,
    .run = run_watch,
};
