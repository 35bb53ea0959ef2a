/*
 * The KVM differential test (kvm_host --diff TABLE guest_diff.elf): KVM's
 * answers to a guest's RDMSR/WRMSR against x86msr's exit handler.
 *
 * The vCPU's CPUID is KVM_GET_SUPPORTED_CPUID (kvm_host.c sets it). For every
 * address of the spec (left out: the registers in `left_out` below, whose
 * writes make KVM write guest memory, send IPIs, inject interrupts or stop the
 * vCPU) the host has the guest (guest_diff.c)
 *   - read it (RDMSR);
 *   - write back the value read (0 where the read raised #GP);
 *   - write each of the 64 single-bit flips of that value, restoring it after
 *     each write KVM took (a restore KVM refuses is done with KVM_SET_MSRS);
 * and puts the same accesses, just before the guest makes them (the register
 * as it then is, and as each restore leaves it), to msr_virt_rdmsr() /
 * msr_virt_wrmsr() with a pass-through policy over the spec and the
 * vCPU's facts (its CPUID as KVM_GET_CPUID2 reports it, MSR values through
 * KVM_GET_MSRS): FORWARD is "x86msr accepts", INJECT_GP is "#GP". Every
 * access falls in one class: both #GP, both accept, x86msr stricter (#GP
 * where KVM accepts), x86msr laxer (accepts where KVM raises #GP); the test
 * prints the counts per access kind.
 *
 * Each disagreement must be explained by a line of the committed table of
 * KVM's known deviations (kvm_deviations.tsv; its header says the columns):
 * where KVM departs from the manuals (read-as-zero stubs, registers it
 * emulates for every vendor, rules of its own) or x86msr's handler does not
 * apply a rule of the spec yet. A disagreement no line explains fails the
 * test. Lines of another vendor module or vCPU vendor are skipped; lines that
 * apply here and explain nothing are listed as stale (KVM versions differ,
 * so they do not fail the test).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <x86msr/meta.h>
#include <x86msr/virt.h>

#include "kvm_host.h"

enum access_kind { ACCESS_READ, ACCESS_WRITEBACK, ACCESS_FLIP, ACCESS_KINDS };
static const char *const access_names[ACCESS_KINDS] = { "read", "writeback", "flip" };

enum agreement { BOTH_GP, BOTH_ACCEPT, X86MSR_STRICTER, X86MSR_LAXER, AGREEMENTS };
static const char *const agreement_names[AGREEMENTS] = { "both #GP", "both accept", "x86msr stricter",
                                                         "x86msr laxer" };

/* Left out, and why: writes with effects outside the MSR. */
static const struct {
    const char *name, *why;
} left_out[] = {
    { "KVM_WALL_CLOCK", "KVM writes the wall clock to the guest memory it names" },
    { "KVM_WALL_CLOCK_NEW", "KVM writes the wall clock to the guest memory it names" },
    { "KVM_SYSTEM_TIME", "KVM writes the pvclock structure to guest memory" },
    { "KVM_SYSTEM_TIME_NEW", "KVM writes the pvclock structure to guest memory" },
    { "KVM_ASYNC_PF_EN", "KVM writes async page-fault reasons to guest memory" },
    { "KVM_ASYNC_PF_INT", "KVM injects async page-fault interrupts on the vector it names" },
    { "KVM_ASYNC_PF_ACK", "KVM delivers pending async page-fault interrupts" },
    { "KVM_STEAL_TIME", "KVM writes steal time to guest memory" },
    { "KVM_PV_EOI_EN", "KVM reads and writes the PV EOI flag in guest memory" },
    { "HV_X64_MSR_HYPERCALL", "KVM writes the hypercall page to guest memory" },
    { "HV_X64_MSR_REFERENCE_TSC", "KVM writes the reference TSC page to guest memory" },
    { "HV_X64_MSR_VP_ASSIST_PAGE", "KVM writes the VP assist page in guest memory" },
    { "HV_X64_MSR_SIMP", "KVM writes synthetic interrupt messages to guest memory" },
    { "HV_X64_MSR_SIEFP", "KVM writes synthetic event flags to guest memory" },
    { "HV_X64_MSR_EOM", "KVM delivers the next synthetic message (an interrupt)" },
    { "HV_X64_MSR_SINT{n}", "KVM injects synthetic interrupts on the vectors they name" },
    { "HV_X64_MSR_STIMER{n}_CONFIG", "synthetic timers inject interrupts" },
    { "HV_X64_MSR_STIMER{n}_COUNT", "synthetic timers inject interrupts" },
    { "HV_X64_MSR_ICR", "KVM sends the IPI it describes" },
    { "HV_X64_MSR_EOI", "KVM ends the interrupt in service" },
    { "HV_X64_MSR_RESET", "KVM resets the VM (KVM_EXIT_SYSTEM_EVENT)" },
    { "HV_X64_MSR_CRASH_CTL", "KVM reports a guest crash (KVM_EXIT_SYSTEM_EVENT)" },
    { "HV_X64_MSR_GUEST_IDLE", "a read halts the vCPU until an interrupt" },
    { "IA32_X2APIC_ICR", "KVM sends the IPI it describes (in x2APIC mode)" },
    { "IA32_X2APIC_SELF_IPI", "KVM sends the IPI it describes (in x2APIC mode)" },
    { "IA32_RTIT_CTL", "TraceEn makes Intel PT write trace packets to guest memory" },
};
#define LEFT_OUT_COUNT (sizeof left_out / sizeof left_out[0])

/* One line of the deviations table. */
struct deviation {
    int line;
    char *scope, *vendor, *pending, *reason, *source;
    char **registers;
    size_t register_count;
    unsigned accesses;           /* 1 << enum access_kind */
    bool all_bits;
    uint64_t bits;
    enum agreement direction;    /* X86MSR_STRICTER or X86MSR_LAXER */
    bool applies;
    unsigned long explained;     /* disagreements (a flipped bit each) it explained */
};

/* One address of the spec and what was seen there. */
struct probe {
    uint32_t msr;
    const struct msr_instance *inst; /* the register there for the vCPU */
    bool kvm_read, x86_read, kvm_writeback, x86_writeback;
    uint64_t kvm_flips, x86_flips;   /* accepted flips, bit per bit */
    uint64_t base;                   /* the value written back and flipped */
};

struct diff {
    struct msr_virt_policy policy;
    struct msr_virt_vcpu vcpu;
    struct msr_facts facts;
    struct msr_cpuid_entry *leaves;
    struct msr_cpuid_table table;
    struct msr_cpuid_source source;
    const char *module;          /* the vendor module loaded: kvm_intel, kvm_amd, kvm_pvm, ... */
    const char *vcpu_vendor;     /* "intel" or "amd" */
    struct probe *probes;
    size_t probe_count, current;
    int phase;                   /* -2 read, -1 write-back and flips, 0..63 flips from that bit */
    uint64_t base;
    struct deviation *deviations;
    size_t deviation_count;
    unsigned long counts[ACCESS_KINDS][AGREEMENTS];
    unsigned long accesses, repaired, unrepaired;
};

static char *dup_text(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        die(1, "out of memory");
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* The tab-separated columns of `line` (modified in place). */
static size_t split_tabs(char *line, char **cols, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *tab = strchr(p, '\t');
        cols[n++] = p;
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* The definition of the spec named `name` (an array by its {n} name). */
static const struct msr_def *def_named(const char *name)
{
    for (uint32_t i = 0; i < msr_spec.def_count; i++)
        if (strcmp(msr_def_name(msr_spec.defs[i]), name) == 0)
            return msr_spec.defs[i];
    return NULL;
}

static bool module_loaded(const char *name)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "/sys/module/%s", name);
    return stat(path, &st) == 0;
}

/* SCOPE: "generic" (KVM's common code, arch/x86/kvm/x86.c and friends: every
 * host) or the vendor modules whose code answers (kvm_intel, kvm_amd,
 * kvm_pvm), comma-separated: the line applies where one of them is loaded. */
static bool scope_valid(const char *scope)
{
    if (strcmp(scope, "generic") == 0)
        return true;
    for (const char *p = scope; *p;) {
        size_t w = strcspn(p, ",");
        if (w < 5 || strncmp(p, "kvm_", 4) != 0)
            return false;
        p += w + (p[w] == ',');
    }
    return *scope != '\0';
}

static bool scope_loaded(const char *scope)
{
    for (const char *p = scope; *p;) {
        size_t w = strcspn(p, ",");
        char name[32];
        if (w < sizeof name) {
            memcpy(name, p, w);
            name[w] = '\0';
            if (module_loaded(name))
                return true;
        }
        p += w + (p[w] == ',');
    }
    return false;
}

/* PENDING: "-" (KVM departs from the manuals), "exit" (x86msr's handler does
 * not apply the spec's value rule yet: the line goes when it does), "state"
 * (the rule hangs on vCPU state an MSR handler does not see), "schema" (the
 * spec cannot say it yet). */
static bool pending_valid(const char *pending)
{
    static const char *const kinds[] = { "-", "exit", "state", "schema" };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(pending, kinds[k]) == 0)
            return true;
    return false;
}

#define TABLE_COLUMNS 9 /* SCOPE VENDOR REGISTERS ACCESS BITS X86MSR PENDING REASON SOURCE */

static void load_table(struct diff *d, const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int number = 0;

    if (!f)
        die(1, "cannot open the deviations table %s: %s", path, strerror(errno));
    while ((len = getline(&line, &cap, f)) >= 0) {
        char *cols[TABLE_COLUMNS + 1];
        struct deviation *e;
        size_t n;

        number++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        n = split_tabs(line, cols, TABLE_COLUMNS + 1);
        if (n != TABLE_COLUMNS)
            die(1, "%s:%d: %zu columns, want %d (SCOPE VENDOR REGISTERS ACCESS BITS X86MSR PENDING REASON SOURCE)",
                path, number, n, TABLE_COLUMNS);
        d->deviations = realloc(d->deviations, (d->deviation_count + 1) * sizeof *d->deviations);
        if (!d->deviations)
            die(1, "out of memory");
        e = &d->deviations[d->deviation_count++];
        memset(e, 0, sizeof *e);
        e->line = number;
        e->scope = dup_text(cols[0], strlen(cols[0]));
        e->vendor = dup_text(cols[1], strlen(cols[1]));
        e->pending = dup_text(cols[6], strlen(cols[6]));
        e->reason = dup_text(cols[7], strlen(cols[7]));
        e->source = dup_text(cols[8], strlen(cols[8]));
        if (!scope_valid(e->scope))
            die(1, "%s:%d: SCOPE must be generic or vendor modules (kvm_intel, kvm_amd, kvm_pvm; comma-separated)",
                path, number);
        if (strcmp(e->vendor, "intel") != 0 && strcmp(e->vendor, "amd") != 0 && strcmp(e->vendor, "*") != 0)
            die(1, "%s:%d: VENDOR must be intel, amd or *", path, number);
        for (char *p = cols[2]; *p;) {
            size_t w = strcspn(p, ",");
            char *name = dup_text(p, w);
            if (!strpbrk(name, "*?[") && !def_named(name))
                die(1, "%s:%d: %s is no register of the spec", path, number, name);
            e->registers = realloc(e->registers, (e->register_count + 1) * sizeof *e->registers);
            if (!e->registers)
                die(1, "out of memory");
            e->registers[e->register_count++] = name;
            p += w + (p[w] == ',');
        }
        for (char *p = cols[3]; *p;) {
            size_t w = strcspn(p, ","), k;
            for (k = 0; k < ACCESS_KINDS; k++)
                if (strlen(access_names[k]) == w && strncmp(p, access_names[k], w) == 0)
                    break;
            if (k == ACCESS_KINDS)
                die(1, "%s:%d: ACCESS lists read, writeback or flip, comma-separated", path, number);
            e->accesses |= 1u << k;
            p += w + (p[w] == ',');
        }
        if (e->accesses == 0)
            die(1, "%s:%d: ACCESS must list read, writeback or flip", path, number);
        e->all_bits = strcmp(cols[4], "*") == 0;
        if (!e->all_bits) {
            char *end;
            errno = 0;
            e->bits = strtoull(cols[4], &end, 0);
            if (errno || *end || e->bits == 0)
                die(1, "%s:%d: BITS must be * or a mask of flipped bits", path, number);
        }
        if (strcmp(cols[5], "stricter") == 0)
            e->direction = X86MSR_STRICTER;
        else if (strcmp(cols[5], "laxer") == 0)
            e->direction = X86MSR_LAXER;
        else
            die(1, "%s:%d: X86MSR must be stricter or laxer", path, number);
        if (!pending_valid(e->pending))
            die(1, "%s:%d: PENDING must be exit, state, schema or -", path, number);
        if (strlen(e->reason) < 20 || strlen(e->source) < 10)
            die(1, "%s:%d: every line needs its REASON and SOURCE", path, number);
        e->applies = (strcmp(e->scope, "generic") == 0 || scope_loaded(e->scope)) &&
                     (strcmp(e->vendor, "*") == 0 || strcmp(e->vendor, d->vcpu_vendor) == 0);
    }
    free(line);
    fclose(f);
}

static bool kvm_ignores_msrs(void)
{
    FILE *f = fopen("/sys/module/kvm/parameters/ignore_msrs", "r");
    int c = f ? fgetc(f) : 'N';
    if (f)
        fclose(f);
    return c == 'Y' || c == 'y' || c == '1';
}

static int facts_read(void *ctx, uint32_t msr, uint64_t *value)
{
    return get_msr(ctx, msr, value) == 0 ? MSR_OK : MSR_ERR_FAULT;
}

static bool covers(const struct msr_def *def, uint32_t msr)
{
    if (msr == def->address)
        return true;
    return def->count > 1 && def->stride && msr > def->address && (msr - def->address) % def->stride == 0 &&
           (msr - def->address) / def->stride < def->count;
}

static bool left_out_at(uint32_t msr, const char **why)
{
    for (size_t k = 0; k < LEFT_OUT_COUNT; k++) {
        const struct msr_def *def = def_named(left_out[k].name);
        if (def && covers(def, msr)) {
            *why = left_out[k].why;
            return true;
        }
    }
    return false;
}

void diff_setup(struct vm *v, const char *table_path)
{
    static struct diff state;
    struct diff *d = &state;
    static const char *const modules[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };

    v->diff = d;
    vcpu_cpuid_table(v, &d->leaves, &d->table);
    d->source = msr_cpuid_table_source(&d->table);
    d->facts.cpuid = &d->source;
    d->facts.read_msr = facts_read;
    d->facts.msr_ctx = v;
    d->vcpu.facts = &d->facts;
    d->policy.default_read = MSR_VIRT_PASS;
    d->policy.default_write = MSR_VIRT_PASS;
    d->policy.spec = &msr_spec;
    d->vcpu_vendor = v->amd ? "amd" : "intel";
    d->module = "an unknown vendor module";
    for (size_t m = 0; m < sizeof modules / sizeof modules[0]; m++)
        if (module_loaded(modules[m]))
            d->module = modules[m];
    for (size_t k = 0; k < LEFT_OUT_COUNT; k++)
        if (!def_named(left_out[k].name))
            die(1, "the left-out register %s is not in the spec", left_out[k].name);
    if (kvm_ignores_msrs())
        die(EXIT_SKIP, "kvm.ignore_msrs=Y: KVM answers every MSR it does not know; the comparison needs ignore_msrs=N");
    load_table(d, table_path);

    d->probes = calloc(msr_spec.instance_count, sizeof *d->probes);
    if (!d->probes)
        die(1, "out of memory");
    printf("# diff: %s vCPU with KVM_GET_SUPPORTED_CPUID (%zu leaves), vendor module %s\n", v->amd ? "AMD" : "Intel",
           d->table.count, d->module);
    for (size_t i = 0; i < d->table.count && v->verbose; i++)
        printf("# diff: cpuid 0x%x 0x%x 0x%08x 0x%08x 0x%08x 0x%08x\n", d->leaves[i].leaf, d->leaves[i].subleaf,
               d->leaves[i].regs.eax, d->leaves[i].regs.ebx, d->leaves[i].regs.ecx, d->leaves[i].regs.edx);
    for (uint32_t i = 0; i < msr_spec.instance_count; i++) {
        uint32_t msr = msr_spec.instances[i].address;
        const char *why;
        if (d->probe_count && d->probes[d->probe_count - 1].msr == msr)
            continue;
        if (i && msr_spec.instances[i - 1].address == msr)
            continue; /* a left-out address shared by two registers */
        if (left_out_at(msr, &why)) {
            printf("# diff: left out %s (0x%x): %s\n", msr_name(&msr_spec.instances[i]), msr, why);
            continue;
        }
        d->probes[d->probe_count].msr = msr;
        d->probes[d->probe_count].inst = msr_spec_find_for_cpu(&msr_spec, msr, &d->facts);
        d->probe_count++;
    }
    d->phase = -2;
}

static bool x86msr_accepts_read(struct diff *d, uint32_t msr)
{
    uint64_t value;
    return msr_virt_rdmsr(&d->policy, &d->vcpu, msr, &value) == MSR_VIRT_FORWARD;
}

static bool x86msr_accepts_write(struct diff *d, uint32_t msr, uint64_t value)
{
    return msr_virt_wrmsr(&d->policy, &d->vcpu, msr, value) == MSR_VIRT_FORWARD;
}

static enum agreement classify(bool kvm, bool x86)
{
    if (kvm == x86)
        return kvm ? BOTH_ACCEPT : BOTH_GP;
    return x86 ? X86MSR_LAXER : X86MSR_STRICTER;
}

static void count(struct diff *d, enum access_kind kind, bool kvm, bool x86)
{
    d->accesses++;
    d->counts[kind][classify(kvm, x86)]++;
}

/* x86msr's verdicts on the flips of d->base from bit `first` on (the register
 * as it is now: restored after each flip KVM takes). */
static uint64_t x86msr_flips(struct diff *d, uint32_t msr, unsigned first)
{
    uint64_t accepted = 0;
    for (unsigned bit = first; bit < 64; bit++)
        if (x86msr_accepts_write(d, msr, d->base ^ (UINT64_C(1) << bit)))
            accepted |= UINT64_C(1) << bit;
    return accepted;
}

/* Records what the guest reports for the access(es) it was given. */
static void record(struct diff *d, struct vm *v, const struct kt_msg *m)
{
    struct probe *p = &d->probes[d->current];
    unsigned stop = (unsigned)m->mask;

    if (d->phase == -2) {
        p->kvm_read = m->ok != 0;
        count(d, ACCESS_READ, p->kvm_read, p->x86_read);
        d->base = p->kvm_read ? m->got : 0;
        p->base = d->base;
        d->phase = -1;
        return;
    }
    if (d->phase == -1) {
        p->kvm_writeback = m->ok != 0;
        count(d, ACCESS_WRITEBACK, p->kvm_writeback, p->x86_writeback);
        d->phase = 0;
    }
    if (stop > 64 || stop <= (unsigned)d->phase) {
        printf("# diff: the guest reported flips %d..%u of 0x%x\n", d->phase, stop, p->msr);
        stop = 64;
    }
    for (unsigned bit = (unsigned)d->phase; bit < stop; bit++) {
        uint64_t b = UINT64_C(1) << bit;
        p->kvm_flips |= m->got & b;
        count(d, ACCESS_FLIP, (m->got & b) != 0, (p->x86_flips & b) != 0);
    }
    if (m->expected) { /* KVM refused the restore of the last flip: undo it from the host */
        if (set_msr(v, p->msr, d->base) == 0)
            d->repaired++;
        else
            d->unrepaired++;
    }
    d->phase = (int)stop;
    if (stop == 64) {
        d->phase = -2;
        d->current++;
    }
}

void diff_step(struct vm *v, struct kt_msg *m)
{
    struct diff *d = v->diff;
    struct probe *p;

    if (m->reserved != KT_DIFF_DONE) /* the guest made what it was given */
        record(d, v, m);
    memset(m, 0, sizeof *m);
    if (d->current == d->probe_count) {
        m->reserved = KT_DIFF_DONE;
        return;
    }
    p = &d->probes[d->current];
    m->msr = p->msr;
    if (d->phase == -2) {
        m->reserved = KT_DIFF_READ;
        p->x86_read = x86msr_accepts_read(d, p->msr);
        return;
    }
    m->expected = d->base;
    if (d->phase == -1) {
        m->reserved = KT_DIFF_WRITEBACK_FLIPS;
        p->x86_writeback = x86msr_accepts_write(d, p->msr, d->base);
        p->x86_flips = x86msr_flips(d, p->msr, 0);
    } else {
        m->reserved = KT_DIFF_FLIPS;
        m->mask = (uint64_t)d->phase;
        p->x86_flips = (p->x86_flips & ((UINT64_C(1) << d->phase) - 1)) | x86msr_flips(d, p->msr, (unsigned)d->phase);
    }
}

static bool register_matches(const struct deviation *e, const struct probe *p)
{
    for (size_t r = 0; r < e->register_count; r++) {
        const char *pattern = e->registers[r];
        if (p->inst && (fnmatch(pattern, msr_name(p->inst), 0) == 0 ||
                        fnmatch(pattern, msr_def_name(msr_def_of(p->inst)), 0) == 0))
            return true;
    }
    return false;
}

/* The bits of `bits` (1 for a read or write-back) the table explains; counts what it used. */
static uint64_t explain(struct diff *d, const struct probe *p, enum access_kind kind, enum agreement direction,
                        uint64_t bits)
{
    uint64_t left = bits;
    for (size_t i = 0; i < d->deviation_count && left; i++) {
        struct deviation *e = &d->deviations[i];
        uint64_t covered;
        if (!e->applies || !(e->accesses & (1u << kind)) || e->direction != direction || !register_matches(e, p))
            continue;
        covered = kind != ACCESS_FLIP || e->all_bits ? left : left & e->bits;
        if (covered) {
            e->explained += (unsigned long)__builtin_popcountll(covered);
            left &= ~covered;
        }
    }
    return left;
}

static void unexplained(const struct probe *p, enum access_kind kind, enum agreement direction, uint64_t bits,
                        unsigned *failures)
{
    (*failures)++;
    printf("FAIL: %s (0x%x) %s: %s", p->inst ? msr_name(p->inst) : "?", p->msr, access_names[kind],
           agreement_names[direction]);
    if (kind == ACCESS_FLIP)
        printf(" (bits 0x%016" PRIx64 " of 0x%016" PRIx64 ")", bits, p->base);
    printf(": no line of the deviations table explains it\n");
}

static void check_access(struct diff *d, const struct probe *p, enum access_kind kind, bool kvm, bool x86,
                         unsigned *failures, unsigned long *explained)
{
    enum agreement a = classify(kvm, x86);
    if (a != X86MSR_STRICTER && a != X86MSR_LAXER)
        return;
    if (explain(d, p, kind, a, 1))
        unexplained(p, kind, a, 0, failures);
    else
        (*explained)++;
}

int diff_finish(struct vm *v, bool guest_clean)
{
    struct diff *d = v->diff;
    unsigned failures = 0, applying = 0, skipped = 0, stale = 0, pending = 0, generic_lines = 0;
    unsigned long explained = 0, total[AGREEMENTS] = { 0 }, by_generic = 0, by_module = 0, by_pending = 0;

    if (!guest_clean || d->current != d->probe_count) {
        printf("kvm: FAIL: the diff guest stopped after %zu of %zu addresses\n", d->current, d->probe_count);
        return 1;
    }
    for (size_t i = 0; i < d->probe_count; i++) {
        const struct probe *p = &d->probes[i];
        uint64_t stricter = p->kvm_flips & ~p->x86_flips, laxer = p->x86_flips & ~p->kvm_flips, left;
        check_access(d, p, ACCESS_READ, p->kvm_read, p->x86_read, &failures, &explained);
        check_access(d, p, ACCESS_WRITEBACK, p->kvm_writeback, p->x86_writeback, &failures, &explained);
        if (stricter) {
            left = explain(d, p, ACCESS_FLIP, X86MSR_STRICTER, stricter);
            explained += (unsigned long)__builtin_popcountll(stricter & ~left);
            if (left)
                unexplained(p, ACCESS_FLIP, X86MSR_STRICTER, left, &failures);
        }
        if (laxer) {
            left = explain(d, p, ACCESS_FLIP, X86MSR_LAXER, laxer);
            explained += (unsigned long)__builtin_popcountll(laxer & ~left);
            if (left)
                unexplained(p, ACCESS_FLIP, X86MSR_LAXER, left, &failures);
        }
    }
    printf("# diff: %zu addresses, %lu accesses (%zu left out); restores KVM refused, done with KVM_SET_MSRS: %lu "
           "(%lu failed)\n", d->probe_count, d->accesses, LEFT_OUT_COUNT, d->repaired, d->unrepaired);
    for (int k = 0; k < ACCESS_KINDS; k++) {
        printf("# diff: %-9s", access_names[k]);
        for (int a = 0; a < AGREEMENTS; a++) {
            printf("%s %s %lu", a ? "," : "", agreement_names[a], d->counts[k][a]);
            total[a] += d->counts[k][a];
        }
        printf("\n");
    }
    printf("kvm_diff: agreement:");
    for (int a = 0; a < AGREEMENTS; a++)
        printf("%s %s %lu", a ? "," : "", agreement_names[a], total[a]);
    printf(" (of %lu accesses)\n", d->accesses);
    for (size_t i = 0; i < d->deviation_count; i++) {
        const struct deviation *e = &d->deviations[i];
        bool generic = strcmp(e->scope, "generic") == 0;
        if (generic)
            generic_lines++;
        if (!e->applies) {
            skipped++;
            continue;
        }
        applying++;
        *(generic ? &by_generic : &by_module) += e->explained;
        if (strcmp(e->pending, "exit") == 0) {
            pending++;
            by_pending += e->explained;
        }
        if (!e->explained) {
            stale++;
            printf("# diff: stale: kvm_deviations.tsv:%d (%s, %s) explains nothing here\n", e->line, e->scope,
                   e->registers[0]);
        }
    }
    printf("kvm_diff: table of %zu lines (%u generic KVM code, %zu vendor module); %u apply here (%u skipped: "
           "another vendor module or vCPU vendor), %u stale\n", d->deviation_count, generic_lines,
           d->deviation_count - generic_lines, applying, skipped, stale);
    printf("kvm_diff: %lu disagreements explained (%lu by generic KVM code, %lu by the vendor module; %lu by %u "
           "lines waiting on the handler's value rules), %u unexplained\n", explained, by_generic, by_module,
           by_pending, pending, failures);
    if (d->unrepaired)
        printf("# diff: %lu registers kept a flipped value (KVM refused the restore both ways)\n", d->unrepaired);
    return failures ? 1 : 0;
}
