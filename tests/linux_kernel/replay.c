/*
 * Linux's own MSR accesses through the exit handler (tests/linux_kernel,
 * docs/linux-kernel.md). Every access of a boot's trace (msr-trace.tsv,
 * boot.py) goes through msr_virt_rdmsr()/msr_virt_wrmsr() with a policy that
 * passes everything (so the spec's checks alone decide), for a vCPU whose
 * CPUID is the boot's dump (cpuid.txt) and whose MSR values are the ones the
 * trace shows (the latest access before, else the first read: what the
 * register held). The handler must accept (FORWARD) each access QEMU
 * accepted and refuse (INJECT_GP) each one QEMU answered with #GP.
 *
 * Each disagreement must be listed in the deviations table (deviations.tsv:
 * CPU model, access, the side that refuses, why, the source); a listed one
 * whose access the trace makes without the disagreement is stale. Either
 * fails the replay (exit 1); exit 77 with --skip-missing when the boot's
 * files are not there (the boot was skipped).
 *
 *   linux_kernel_replay --cpu EPYC-Milan-v1 --cpuid DIR/cpuid.txt
 *       --trace DIR/msr-trace.tsv --deviations tests/linux_kernel/deviations.tsv
 *       [--json DIR/replay.json] [--skip-missing]
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <x86msr/msrs.h>
#include <x86msr/virt.h>

#include "cpuid_file.h"

#define SKIP 77

struct access {
    unsigned long seq;
    char phase[64];
    bool write;
    uint32_t msr;
    uint64_t value;
    bool gp; /* QEMU raised #GP */
};

/* Which side refuses the access. */
enum refuser { X86MSR_REFUSES, QEMU_REFUSES };
static const char *const refuser_names[] = { "x86msr", "qemu" };

struct deviation {
    unsigned line;
    char cpu[64];
    bool write;
    uint32_t msr;
    bool any_value;
    uint64_t value;
    enum refuser refuser;
    char reason[512];
    char source[512];
    unsigned explained; /* disagreements it explained */
    unsigned agreed;    /* its accesses on which both sides agreed */
};

struct list {
    void *items;
    size_t count, capacity, size;
};

static void *list_add(struct list *l)
{
    if (l->count == l->capacity) {
        l->capacity = l->capacity ? 2 * l->capacity : 64;
        l->items = realloc(l->items, l->capacity * l->size);
        if (!l->items) {
            perror("replay");
            exit(1);
        }
    }
    return memset((char *)l->items + l->size * l->count++, 0, l->size);
}

static _Noreturn void die(const char *path, unsigned line, const char *what)
{
    fprintf(stderr, "replay: %s:%u: %s\n", path, line, what);
    exit(1);
}

/* Splits `line` at tabs into at most `max` fields; returns their number. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = '\0';
    }
    return p ? max + 1 : n;
}

static bool hex(const char *text, uint64_t max, uint64_t *out)
{
    char *end;

    if (strncmp(text, "0x", 2) != 0 || !text[2])
        return false;
    *out = strtoull(text + 2, &end, 16);
    return *end == '\0' && *out <= max;
}

static bool op_of(const char *text, bool *write)
{
    *write = strcmp(text, "write") == 0;
    return *write || strcmp(text, "read") == 0;
}

/* Calls row() with the tab-separated fields of each line of `path` that is
 * not a comment or blank; a line of another field count is an error. */
static void read_table(const char *path, const char *what, size_t columns,
                       void (*row)(char **fields, const char *path, unsigned lineno, struct list *out),
                       struct list *out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, *fields[8];
    size_t size = 0;
    unsigned lineno = 0;

    if (!f)
        die(path, 0, what);
    while (getline(&line, &size, f) >= 0) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (split_tabs(line, fields, columns) != columns)
            fields[0] = NULL;
        row(fields, path, lineno, out);
    }
    free(line);
    fclose(f);
}

/* msr-trace.tsv: seq time phase op msr value gp unchecked. */
static void trace_row(char **field, const char *path, unsigned lineno, struct list *out)
{
    struct access *a = list_add(out);
    uint64_t msr;

    if (!field[0] || !op_of(field[3], &a->write) || !hex(field[4], UINT32_MAX, &msr) ||
        !hex(field[5], UINT64_MAX, &a->value) || (strcmp(field[6], "0") && strcmp(field[6], "1")) ||
        strlen(field[2]) >= sizeof a->phase)
        die(path, lineno, "expected: seq time phase read|write 0xMSR 0xVALUE 0|1 0|1");
    a->seq = strtoul(field[0], NULL, 10);
    a->msr = (uint32_t)msr;
    a->gp = field[6][0] == '1';
    snprintf(a->phase, sizeof a->phase, "%s", field[2]);
}

/* deviations.tsv: cpu op msr value refuser reason source. */
static void deviation_row(char **field, const char *path, unsigned lineno, struct list *out)
{
    struct deviation *d = list_add(out);
    uint64_t msr;

    d->line = lineno;
    if (!field[0] || strlen(field[0]) >= sizeof d->cpu || !op_of(field[1], &d->write) ||
        !hex(field[2], UINT32_MAX, &msr) || strlen(field[5]) >= sizeof d->reason || !field[5][0] ||
        strlen(field[6]) >= sizeof d->source || !field[6][0])
        die(path, lineno, "expected: cpu read|write 0xMSR 0xVALUE|* x86msr|qemu reason source");
    d->any_value = strcmp(field[3], "*") == 0;
    if (!d->any_value && !hex(field[3], UINT64_MAX, &d->value))
        die(path, lineno, "the value is 0xVALUE or *");
    if (strcmp(field[4], "x86msr") == 0)
        d->refuser = X86MSR_REFUSES;
    else if (strcmp(field[4], "qemu") == 0)
        d->refuser = QEMU_REFUSES;
    else
        die(path, lineno, "the refuser is x86msr or qemu");
    d->msr = (uint32_t)msr;
    snprintf(d->cpu, sizeof d->cpu, "%s", field[0]);
    snprintf(d->reason, sizeof d->reason, "%s", field[5]);
    snprintf(d->source, sizeof d->source, "%s", field[6]);
}

/* ---- the vCPU's MSR values, as the trace shows them -------------------- */

struct known {
    uint32_t msr;
    uint64_t value;
};
static struct list known = { NULL, 0, 0, sizeof(struct known) };

static struct known *known_find(uint32_t msr)
{
    size_t i;

    for (i = 0; i < known.count; i++)
        if (((struct known *)known.items)[i].msr == msr)
            return (struct known *)known.items + i;
    return NULL;
}

static void known_set(uint32_t msr, uint64_t value)
{
    struct known *k = known_find(msr);

    if (!k) {
        k = list_add(&known);
        k->msr = msr;
    }
    k->value = value;
}

static int known_read(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct known *k = known_find(msr);

    (void)ctx;
    *value = k ? k->value : 0;
    return k ? MSR_OK : MSR_ERR_FAULT;
}

/* ---- the replay ----------------------------------------------------------- */

static bool matches(const struct deviation *d, const char *cpu, const struct access *a)
{
    return strcmp(d->cpu, cpu) == 0 && d->write == a->write && d->msr == a->msr &&
           (d->any_value || d->value == a->value);
}

static const char *name_of(uint32_t msr, const struct msr_facts *facts)
{
    const struct msr_instance *inst = msr_spec_find_for_cpu(&msr_spec, msr, facts);

    return inst ? msr_name(inst) : "(not in the spec)";
}

struct figures {
    size_t accesses, reads, writes, distinct, qemu_gp, agree, x86msr_refuses, qemu_refuses, explained,
        unexplained, stale;
};

static void write_json(const char *path, const char *cpu, const struct figures *f)
{
    char tmp[4096];
    FILE *out;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    out = fopen(tmp, "w");
    if (!out)
        die(tmp, 0, "cannot write");
    fprintf(out,
            "{\"cpu\": \"%s\", \"accesses\": %zu, \"reads\": %zu, \"writes\": %zu, \"distinct_msrs\": %zu, "
            "\"qemu_gp\": %zu, \"agree\": %zu, \"x86msr_refuses\": %zu, \"qemu_refuses\": %zu, "
            "\"explained\": %zu, \"unexplained\": %zu, \"stale\": %zu}\n",
            cpu, f->accesses, f->reads, f->writes, f->distinct, f->qemu_gp, f->agree, f->x86msr_refuses,
            f->qemu_refuses, f->explained, f->unexplained, f->stale);
    if (fclose(out) != 0 || rename(tmp, path) != 0) /* whole or not at all: docs_figures reads it */
        die(path, 0, "cannot write");
}

int main(int argc, char **argv)
{
    const char *cpu = NULL, *cpuid_path = NULL, *trace_path = NULL, *deviations_path = NULL, *json = NULL;
    struct list trace = { NULL, 0, 0, sizeof(struct access) };
    struct list deviations = { NULL, 0, 0, sizeof(struct deviation) };
    const struct msr_virt_policy pass_all = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, &msr_spec };
    struct figures fig = { 0 };
    struct msr_facts facts;
    struct cpuid_file dump;
    bool skip_missing = false, usage = false;
    size_t i, j;
    int k;

    for (k = 1; k < argc && !usage; k++) {
        const char **slot = !strcmp(argv[k], "--cpu") ? &cpu : !strcmp(argv[k], "--cpuid") ? &cpuid_path :
                            !strcmp(argv[k], "--trace") ? &trace_path :
                            !strcmp(argv[k], "--deviations") ? &deviations_path :
                            !strcmp(argv[k], "--json") ? &json : NULL;
        if (!strcmp(argv[k], "--skip-missing"))
            skip_missing = true;
        else if (slot && k + 1 < argc)
            *slot = argv[++k];
        else
            usage = true;
    }
    if (usage || !cpu || !cpuid_path || !trace_path || !deviations_path) {
        fprintf(stderr, "usage: %s --cpu MODEL --cpuid FILE --trace FILE --deviations FILE [--json FILE] "
                        "[--skip-missing]\n", argv[0]);
        return 2;
    }
    if (skip_missing && (access(cpuid_path, R_OK) != 0 || access(trace_path, R_OK) != 0)) {
        printf("replay: SKIP: %s: no %s or %s (the boot did not run)\n", cpu, cpuid_path, trace_path);
        return SKIP;
    }
    if (cpuid_file_load(cpuid_path, &dump) != 0)
        return 1;
    read_table(trace_path, "cannot read the trace", 8, trace_row, &trace);
    read_table(deviations_path, "cannot read the deviations table", 7, deviation_row, &deviations);
    facts.cpuid = &dump.source;
    facts.read_msr = known_read;
    facts.msr_ctx = NULL;

    /* What each register held: its first value read. */
    for (i = trace.count; i-- > 0;) {
        const struct access *a = (const struct access *)trace.items + i;
        if (!a->write && !a->gp)
            known_set(a->msr, a->value);
    }
    for (i = 0; i < trace.count; i++) {
        const struct access *a = (const struct access *)trace.items + i;
        struct msr_virt_vcpu vcpu = { &facts, 0, NULL, NULL, -1, NULL };
        uint64_t value = 0;
        enum msr_virt_result r = a->write ? msr_virt_wrmsr(&pass_all, &vcpu, a->msr, a->value) :
                                            msr_virt_rdmsr(&pass_all, &vcpu, a->msr, &value);
        bool ours = r == MSR_VIRT_FORWARD, qemus = !a->gp;
        struct deviation *listed = NULL;

        for (j = 0; j < deviations.count && !listed; j++)
            if (matches((struct deviation *)deviations.items + j, cpu, a))
                listed = (struct deviation *)deviations.items + j;
        fig.accesses++;
        *(a->write ? &fig.writes : &fig.reads) += 1;
        fig.qemu_gp += a->gp;
        if (ours == qemus) {
            fig.agree++;
            if (listed)
                listed->agreed++;
        } else {
            enum refuser refuser = ours ? QEMU_REFUSES : X86MSR_REFUSES;
            const char *field = vcpu.def && vcpu.field >= 0 ? msr_field_name(vcpu.def, (unsigned)vcpu.field) : "-";
            bool explained = listed && listed->refuser == refuser;

            *(refuser == X86MSR_REFUSES ? &fig.x86msr_refuses : &fig.qemu_refuses) += 1;
            printf("replay: %s: #%lu %s %s 0x%" PRIx32 " %s value 0x%" PRIx64 ": %s refuses (handler: %s, "
                   "%s; field %s)\n", cpu, a->seq, a->phase, a->write ? "write" : "read", a->msr,
                   name_of(a->msr, &facts), a->value, refuser_names[refuser], msr_virt_result_name(r),
                   vcpu.reason ? vcpu.reason : "-", field);
            if (explained) {
                listed->explained++;
                fig.explained++;
                printf("replay:     listed (deviations line %u): %s [%s]\n", listed->line, listed->reason,
                       listed->source);
            } else {
                fig.unexplained++;
                printf("replay:     NEW: not in the deviations table%s\n",
                       listed ? " with this refuser (its entry names the other side)" : "");
            }
        }
        if (qemus)
            known_set(a->msr, a->value);
    }
    for (i = 0; i < trace.count; i++) {
        uint32_t msr = ((const struct access *)trace.items)[i].msr;
        for (j = 0; j < i && ((const struct access *)trace.items)[j].msr != msr; j++)
            ;
        fig.distinct += j == i;
    }
    for (j = 0; j < deviations.count; j++) {
        struct deviation *d = (struct deviation *)deviations.items + j;
        if (strcmp(d->cpu, cpu) != 0)
            continue;
        if (d->agreed && !d->explained) {
            fig.stale++;
            printf("replay: %s: STALE deviations line %u (%s 0x%" PRIx32 "): the handler and QEMU agree on "
                   "each such access now; remove the entry\n", cpu, d->line, d->write ? "write" : "read", d->msr);
        } else if (!d->explained) {
            printf("replay: %s: deviations line %u (%s 0x%" PRIx32 "): this trace has no such access\n", cpu,
                   d->line, d->write ? "write" : "read", d->msr);
        }
    }
    printf("replay: %s: %zu accesses (%zu reads, %zu writes) of %zu distinct MSRs, %zu #GP from QEMU; "
           "the handler agrees on %zu; x86msr refuses %zu QEMU accepted, accepts %zu QEMU refused; "
           "%zu listed deviations, %zu new, %zu stale\n",
           cpu, fig.accesses, fig.reads, fig.writes, fig.distinct, fig.qemu_gp, fig.agree, fig.x86msr_refuses,
           fig.qemu_refuses, fig.explained, fig.unexplained, fig.stale);
    if (json)
        write_json(json, cpu, &fig);
    cpuid_file_free(&dump);
    free(trace.items);
    free(deviations.items);
    free(known.items);
    if (fig.accesses == 0) {
        printf("replay: FAIL: %s: the trace has no access\n", cpu);
        return 1;
    }
    if (fig.unexplained || fig.stale) {
        printf("replay: FAIL: %s: %zu new disagreement(s), %zu stale entr%s (tests/linux_kernel/deviations.tsv)\n",
               cpu, fig.unexplained, fig.stale, fig.stale == 1 ? "y" : "ies");
        return 1;
    }
    printf("replay: %s: PASS\n", cpu);
    return 0;
}
