/*
 * `x86msr diff [--common] [--json] A B`: two sets of MSR values compared
 * register by register and field by field, and -- where both have VMX
 * capability MSRs -- control by control in both directions (what a live
 * migration from one host to another needs: a control the source allows and
 * the destination does not). A and B are snapshot files or `cpu:N` (CPU N of
 * this machine, every readable register of the spec). Exit status 0 when
 * they are the same, 1 when they differ, 2 on any trouble (as diff(1)).
 */
#include "command.h"
#include "cpu_select.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "machine.h"
#include "msr_lookup.h"
#include "number.h"
#include "snapshot.h"

#include <x86msr/meta.h>
#include <x86msr/vmx.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_COMMON, OPT_JSON };

static const struct cli_option diff_options[] = {
    [OPT_COMMON] = {"common", 0, NULL, "Compare only the registers both sides have"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of text"},
};

static const char *const diff_operands[] = {"A", "B"};

/* One side: its values (a snapshot, read from a file or from a CPU) and how
 * it is called in the output. */
struct side {
    const char *operand;
    char label[256];
    struct msr_snapshot values;
};

/* ---- loading a side ---- */

/* "cpu:N": N, or -1 when `text` is not of that form. */
static long live_cpu(const char *text)
{
    char why[128];
    uint64_t n;

    if (strncmp(text, "cpu:", 4) != 0)
        return -1;
    if (!parse_number(text + 4, 32, &n, why, sizeof why)) {
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU in '%s': %s", text, why);
        return -2;
    }
    if (n >= MSR_LINUX_MAX_CPUS) {
        usage_error_code(ERR_BAD_NUMBER, "invalid CPU in '%s': the largest is %u", text, MSR_LINUX_MAX_CPUS - 1);
        return -2;
    }
    return (long)n;
}

/* Every readable register of the spec on live CPU `cpu`, as a one-CPU
 * snapshot; registers the CPU lacks (#GP) are left out. */
static int load_live(struct side *s, unsigned cpu)
{
    struct msr_linux_request *requests = xcalloc(msr_spec.instance_count, sizeof *requests);
    struct msr_snapshot_cpu *c;
    struct msr_snapshot_value *values;
    size_t i, n = 0;
    int status, result = TOOL_EXIT_OK;

    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i];

        if (msr_def_of(msr)->access != MSR_ACCESS_WO && (n == 0 || requests[n - 1].msr != msr->address))
            requests[n++].msr = msr->address;
    }
    status = msr_linux_read_batch(machine(), cpu, requests, n);
    msr_linux_release(machine(), cpu);
    if (status != MSR_OK) {
        free(requests);
        return machine_cpu_error(cpu, status);
    }
    s->values.cpus = xcalloc(1, sizeof *s->values.cpus);
    s->values.cpu_count = s->values.cpu_capacity = 1;
    s->values.values = values = xcalloc(n, sizeof *values);
    s->values.value_capacity = n;
    c = &s->values.cpus[0];
    c->cpu = cpu;
    c->values = values;
    for (i = 0; i < n; i++) {
        if (requests[i].status == MSR_OK) {
            values[c->count].address = requests[i].msr;
            values[c->count].value = requests[i].value;
            c->count++;
        } else if (requests[i].status != MSR_ERR_FAULT) {
            result = machine_access_error(cpu, "read", spec_msr_at(requests[i].msr), requests[i].msr,
                                          requests[i].status);
        }
    }
    free(requests);
    snprintf(s->label, sizeof s->label, "cpu %u of this machine", cpu);
    return result;
}

static bool is_file(const char *path)
{
    struct stat st;

    return strcmp(path, "-") == 0 || stat(path, &st) == 0;
}

/* Keeps only CPU `cpu` of the snapshot (FILE@N). */
static int keep_cpu(struct side *s, const char *path, unsigned cpu)
{
    struct msr_snapshot *v = &s->values;
    size_t i, kept = v->cpu_count;

    for (i = 0; i < v->cpu_count; i++)
        if (v->cpus[i].cpu == cpu)
            kept = i;
    if (kept == v->cpu_count) {
        struct cpu_list have;
        char *label;
        int status;

        snapshot_cpu_list(v, &have);
        label = cpu_list_label(have.cpus, have.count);
        status = usage_error_code(ERR_NO_CPU, "%s has no CPU %u (it has %s)", path, cpu,
                                  have.count ? label : "no CPUs");
        free(label);
        cpu_list_free(&have);
        return status;
    }
    if (kept != 0)
        v->cpus[0] = v->cpus[kept];
    v->cpu_count = 1;
    return TOOL_EXIT_OK;
}

/* A side named on the command line: cpu:N, FILE or FILE@N. */
static int load_side(struct side *s, const char *operand)
{
    long cpu = live_cpu(operand);
    const char *at = strrchr(operand, '@');
    int status;

    memset(&s->values, 0, sizeof s->values);
    s->operand = operand;
    if (cpu == -2)
        return TOOL_EXIT_USAGE;
    if (cpu >= 0)
        return load_live(s, (unsigned)cpu);
    if (at != NULL && at != operand && at[1] != '\0' && !is_file(operand)) {
        char *path = xmalloc((size_t)(at - operand) + 1);
        char why[128];
        uint64_t n = 0;

        memcpy(path, operand, (size_t)(at - operand));
        path[at - operand] = '\0';
        if (!parse_number(at + 1, 32, &n, why, sizeof why))
            status = usage_error_code(ERR_BAD_NUMBER, "invalid CPU after '@' in '%s': %s", operand, why);
        else if (n >= MSR_LINUX_MAX_CPUS)
            status = usage_error_code(ERR_BAD_NUMBER, "invalid CPU after '@' in '%s': the largest is %u", operand,
                                      MSR_LINUX_MAX_CPUS - 1);
        else if ((status = snapshot_load(path, &s->values)) == TOOL_EXIT_OK)
            status = keep_cpu(s, path, (unsigned)n);
        snprintf(s->label, sizeof s->label, "%s", operand);
        free(path);
        return status;
    }
    snprintf(s->label, sizeof s->label, "%s", strcmp(operand, "-") == 0 ? "(stdin)" : operand);
    return snapshot_load(operand, &s->values);
}

/* ---- comparing ---- */

/* Which CPU of A goes with which of B. */
struct pair {
    const struct msr_snapshot_cpu *a, *b; /* NULL: that CPU is on one side only */
};

static int pair_cpus(const struct side *a, const struct side *b, struct pair **out, size_t *count)
{
    size_t i = 0, j = 0, n = 0;
    struct pair *pairs;

    if (a->values.cpu_count == 0 || b->values.cpu_count == 0)
        return usage_error_code(ERR_BAD_FILE, "%s holds no MSR values", a->values.cpu_count == 0 ? a->label : b->label);
    pairs = xcalloc(a->values.cpu_count + b->values.cpu_count, sizeof *pairs);
    if (a->values.cpu_count == 1 && b->values.cpu_count == 1) {
        pairs[0].a = &a->values.cpus[0];
        pairs[0].b = &b->values.cpus[0];
        *out = pairs;
        *count = 1;
        return TOOL_EXIT_OK;
    }
    if (a->values.cpu_count == 1 || b->values.cpu_count == 1) {
        const struct side *one = a->values.cpu_count == 1 ? a : b, *many = a->values.cpu_count == 1 ? b : a;

        free(pairs);
        return usage_error("%s has one CPU and %s has %lu: name one of them with %s@N", one->label, many->label,
                           (unsigned long)many->values.cpu_count, many->operand);
    }
    /* Both have several: CPU by CPU, by number (both lists are sorted). */
    while (i < a->values.cpu_count || j < b->values.cpu_count) {
        const struct msr_snapshot_cpu *x = i < a->values.cpu_count ? &a->values.cpus[i] : NULL;
        const struct msr_snapshot_cpu *y = j < b->values.cpu_count ? &b->values.cpus[j] : NULL;

        if (x != NULL && (y == NULL || x->cpu < y->cpu)) {
            pairs[n].a = x;
            i++;
        } else if (y != NULL && (x == NULL || y->cpu < x->cpu)) {
            pairs[n].b = y;
            j++;
        } else {
            pairs[n].a = x;
            pairs[n].b = y;
            i++;
            j++;
        }
        n++;
    }
    *out = pairs;
    *count = n;
    return TOOL_EXIT_OK;
}

/* One register that differs: present on both with other values, or on one
 * side only. */
struct reg_diff {
    uint32_t address;
    const struct msr_instance *msr; /* NULL: not in the spec */
    const struct msr_def *def;      /* its record */
    bool in_a, in_b;
    uint64_t a, b;
};

/* The registers of a pair that differ, in address order. */
static size_t diff_registers(const struct msr_snapshot_cpu *a, const struct msr_snapshot_cpu *b, bool common,
                             struct reg_diff **out)
{
    struct reg_diff *d = xcalloc(a->count + b->count, sizeof *d);
    size_t i = 0, j = 0, n = 0;

    while (i < a->count || j < b->count) {
        const struct msr_snapshot_value *x = i < a->count ? &a->values[i] : NULL;
        const struct msr_snapshot_value *y = j < b->count ? &b->values[j] : NULL;
        struct reg_diff r;

        memset(&r, 0, sizeof r);
        if (x != NULL && (y == NULL || x->address < y->address)) {
            r.address = x->address;
            r.in_a = true;
            r.a = x->value;
            i++;
        } else if (y != NULL && (x == NULL || y->address < x->address)) {
            r.address = y->address;
            r.in_b = true;
            r.b = y->value;
            j++;
        } else {
            r.address = x->address;
            r.in_a = r.in_b = true;
            r.a = x->value;
            r.b = y->value;
            i++;
            j++;
            if (r.a == r.b)
                continue;
        }
        if (common && !(r.in_a && r.in_b))
            continue;
        r.msr = spec_msr_at(r.address);
        r.def = r.msr != NULL ? msr_def_of(r.msr) : NULL;
        d[n++] = r;
    }
    *out = d;
    return n;
}

/* VMX capabilities of one CPU's values: 1 when there, 0 when the values have
 * no IA32_VMX_BASIC, -1 when they contradict themselves. */
static int vmx_caps_of(const struct msr_snapshot_cpu *cpu, struct msr_vmx_caps *caps)
{
    struct msr_vmx_msr_value *values = xcalloc(cpu->count, sizeof *values);
    size_t i;
    int status;

    for (i = 0; i < cpu->count; i++) {
        values[i].msr = cpu->values[i].address;
        values[i].value = cpu->values[i].value;
    }
    status = msr_vmx_caps_from_values(caps, values, cpu->count);
    free(values);
    if (status == MSR_OK)
        return 1;
    return status == MSR_VMX_ERR_UNSUPPORTED ? 0 : -1;
}

/* One way a VMX control (or CR bit) may be set on one side and not the other. */
struct vmx_gap {
    const char *set;  /* "secondary", ..., "cr0", "cr4" */
    unsigned bit;
    const char *name; /* NULL when the spec names none */
    int may_be;       /* 1: may be 1 there, not on the other side; 0: may be 0 there */
};

struct vmx_diff {
    int a_has, b_has; /* vmx_caps_of() */
    struct vmx_gap *a_only, *b_only;
    size_t a_count, b_count;
};

/* `id`: the control set whose bits these are, or MSR_VMX_CTLS_COUNT + 0 / + 4
 * for the bits of CR0 / CR4. */
static void add_gaps(struct vmx_gap **list, size_t *count, const char *set, unsigned id, uint64_t bits, int may_be)
{
    unsigned bit;

    for (bit = 0; bit < 64; bit++) {
        if (!(bits >> bit & 1))
            continue;
        *list = realloc(*list, (*count + 1) * sizeof **list);
        if (*list == NULL) {
            runtime_error("out of memory");
            exit(TOOL_EXIT_FAILURE);
        }
        (*list)[*count].set = set;
        (*list)[*count].bit = bit;
        if (id < MSR_VMX_CTLS_COUNT) {
            const struct msr_vmx_control_bit *b = msr_vmx_control_bit_find((enum msr_vmx_control_set_id)id, bit);
            (*list)[*count].name = b != NULL ? b->name : NULL;
        } else {
            (*list)[*count].name = msr_vmx_cr_bit_name(id - MSR_VMX_CTLS_COUNT, bit);
        }
        (*list)[*count].may_be = may_be;
        (*count)++;
    }
}

static void diff_vmx(const struct msr_snapshot_cpu *a, const struct msr_snapshot_cpu *b, struct vmx_diff *out)
{
    struct msr_vmx_caps ca, cb;
    unsigned i;

    memset(out, 0, sizeof *out);
    out->a_has = vmx_caps_of(a, &ca);
    out->b_has = vmx_caps_of(b, &cb);
    if (out->a_has != 1 || out->b_has != 1)
        return;
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        const struct msr_vmx_control_set_info *set = &msr_vmx_control_sets[i];
        struct msr_vmx_control_caps x, y;
        uint64_t width = set->width >= 64 ? UINT64_MAX : (UINT64_C(1) << set->width) - 1;

        /* An absent set is all zero: every control must be 0. */
        (void)msr_vmx_caps_control_set(&ca, (enum msr_vmx_control_set_id)i, &x);
        (void)msr_vmx_caps_control_set(&cb, (enum msr_vmx_control_set_id)i, &y);
        /* "may be 1": allowed1; "may be 0": not in allowed0 (must-be-1). */
        add_gaps(&out->a_only, &out->a_count, set->name, i, x.allowed1 & ~y.allowed1 & width, 1);
        add_gaps(&out->a_only, &out->a_count, set->name, i, ~x.allowed0 & y.allowed0 & width, 0);
        add_gaps(&out->b_only, &out->b_count, set->name, i, y.allowed1 & ~x.allowed1 & width, 1);
        add_gaps(&out->b_only, &out->b_count, set->name, i, ~y.allowed0 & x.allowed0 & width, 0);
    }
    /* CR0 and CR4 in VMX operation: FIXED0 bits must be 1, FIXED1 bits may be 1. */
    for (i = 0; i < 2; i++) {
        enum msr_vmx_cap_msr fixed0 = i == 0 ? MSR_VMX_CAP_CR0_FIXED0 : MSR_VMX_CAP_CR4_FIXED0;
        const char *name = i == 0 ? "cr0" : "cr4";
        uint64_t must_a = ca.value[fixed0], may_a = ca.value[fixed0 + 1];
        uint64_t must_b = cb.value[fixed0], may_b = cb.value[fixed0 + 1];

        unsigned cr = MSR_VMX_CTLS_COUNT + (i == 0 ? 0u : 4u);

        add_gaps(&out->a_only, &out->a_count, name, cr, may_a & ~may_b, 1);
        add_gaps(&out->a_only, &out->a_count, name, cr, ~must_a & must_b, 0);
        add_gaps(&out->b_only, &out->b_count, name, cr, may_b & ~may_a, 1);
        add_gaps(&out->b_only, &out->b_count, name, cr, ~must_b & must_a, 0);
    }
}

static void vmx_diff_free(struct vmx_diff *d)
{
    free(d->a_only);
    free(d->b_only);
}

/* ---- text ---- */

static void text_register(const struct reg_diff *r, const char *indent)
{
    char name[MACHINE_NAME_SIZE], a[FORMAT_NUMBER_SIZE], b[FORMAT_NUMBER_SIZE];
    uint64_t reserved;
    unsigned i;

    machine_msr_name(name, r->msr, r->address);
    format_value64(a, r->a);
    format_value64(b, r->b);
    if (!r->in_b) {
        printf("%s%s: only in A: %s\n", indent, name, a);
        return;
    }
    if (!r->in_a) {
        printf("%s%s: only in B: %s\n", indent, name, b);
        return;
    }
    printf("%s%s: %s -> %s\n", indent, name, a, b);
    if (r->def == NULL)
        return;
    reserved = msr_def_masks(r->def)->reserved;
    for (i = 0; i < r->def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(r->def, i);
        uint64_t x = msr_field_extract(f, r->a), y = msr_field_extract(f, r->b);

        if (x != y) {
            format_field_value(a, f, x);
            format_field_value(b, f, y);
            printf("%s  %s: %s -> %s\n", indent, msr_field_name(r->def, i), a, b);
        }
    }
    if (((r->a ^ r->b) & reserved) != 0) {
        format_value64(a, r->a & reserved);
        format_value64(b, r->b & reserved);
        printf("%s  reserved bits: %s -> %s\n", indent, a, b);
    }
}

static void text_gaps(const char *title, const struct vmx_gap *gaps, size_t count, const char *here,
                      const char *there, const char *indent)
{
    size_t i;

    if (count == 0)
        return;
    printf("%s%s\n", indent, title);
    for (i = 0; i < count; i++) {
        char bit[64];

        if (gaps[i].name != NULL)
            snprintf(bit, sizeof bit, "%s (bit %u)", gaps[i].name, gaps[i].bit);
        else
            snprintf(bit, sizeof bit, "bit %u", gaps[i].bit);
        printf("%s  %-10s %s: may be %d on %s, must be %d on %s\n", indent, gaps[i].set, bit, gaps[i].may_be, here,
               !gaps[i].may_be, there);
    }
}

static void text_vmx(const struct vmx_diff *v, const char *indent)
{
    if (v->a_has == 1 && v->b_has == 1) {
        text_gaps("VMX controls A allows and B does not:", v->a_only, v->a_count, "A", "B", indent);
        text_gaps("VMX controls B allows and A does not:", v->b_only, v->b_count, "B", "A", indent);
    } else if (v->a_has != v->b_has && (v->a_has == 1 || v->b_has == 1)) {
        printf("%sVMX capabilities: %s\n", indent,
               v->a_has == 1 ? (v->b_has == 0 ? "only A has them" : "B's contradict themselves")
                             : (v->a_has == 0 ? "only B has them" : "A's contradict themselves"));
    }
}

/* ---- JSON ---- */

static void json_side(struct json_writer *w, const char *key, const struct side *s)
{
    size_t i;

    json_key(w, key);
    json_begin_object(w);
    json_key(w, "source");
    json_string(w, s->label);
    json_key(w, "cpus");
    json_begin_array(w);
    for (i = 0; i < s->values.cpu_count; i++)
        json_uint(w, s->values.cpus[i].cpu);
    json_end_array(w);
    json_end_object(w);
}

static void json_value_or_null(struct json_writer *w, const char *key, bool present, uint64_t value, unsigned bits)
{
    if (present) {
        json_value_member(w, key, value, bits);
    } else {
        json_key(w, key);
        json_null(w);
    }
}

static void json_register(struct json_writer *w, const struct reg_diff *r)
{
    bool both = r->in_a && r->in_b && r->def != NULL;
    unsigned i;

    json_begin_object(w);
    json_key(w, "name");
    json_string(w, r->msr ? msr_name(r->msr) : NULL);
    json_key(w, "address");
    json_address(w, r->address);
    json_value_or_null(w, "a", r->in_a, r->a, 64);
    json_value_or_null(w, "b", r->in_b, r->b, 64);
    json_key(w, "fields");
    json_begin_array(w);
    for (i = 0; both && i < r->def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(r->def, i);
        uint64_t x = msr_field_extract(f, r->a), y = msr_field_extract(f, r->b);

        if (x == y)
            continue;
        json_begin_object(w);
        json_key(w, "name");
        json_string(w, msr_field_name(r->def, i));
        json_key(w, "lsb");
        json_uint(w, f->lsb);
        json_key(w, "msb");
        json_uint(w, f->msb);
        json_value_member(w, "a", x, field_width(f));
        json_value_member(w, "b", y, field_width(f));
        json_end_object(w);
    }
    json_end_array(w);
    if (both) {
        json_key(w, "reserved_a");
        json_mask64(w, r->a & msr_def_masks(r->def)->reserved);
        json_key(w, "reserved_b");
        json_mask64(w, r->b & msr_def_masks(r->def)->reserved);
    }
    json_end_object(w);
}

static void json_gaps(struct json_writer *w, const char *key, const struct vmx_gap *gaps, size_t count)
{
    size_t i;

    json_key(w, key);
    json_begin_array(w);
    for (i = 0; i < count; i++) {
        json_begin_object(w);
        json_key(w, "set");
        json_string(w, gaps[i].set);
        json_key(w, "bit");
        json_uint(w, gaps[i].bit);
        json_key(w, "name");
        json_string(w, gaps[i].name);
        json_key(w, "may_be");
        json_uint(w, (uint64_t)gaps[i].may_be);
        json_end_object(w);
    }
    json_end_array(w);
}

static void json_vmx(struct json_writer *w, const struct vmx_diff *v)
{
    static const char *const states[] = {"inconsistent", "absent", "present"};

    json_key(w, "vmx");
    json_begin_object(w);
    json_key(w, "a");
    json_string(w, states[v->a_has + 1]);
    json_key(w, "b");
    json_string(w, states[v->b_has + 1]);
    json_gaps(w, "a_allows", v->a_only, v->a_count);
    json_gaps(w, "b_allows", v->b_only, v->b_count);
    json_end_object(w);
}

/* ---- the command ---- */

static int run_diff(const struct command *self, const struct cli_args *args)
{
    struct side a, b;
    struct pair *pairs = NULL;
    struct json_writer w;
    bool json = cli_flag(args, OPT_JSON), different = false, header = false;
    size_t count = 0, p;
    int status;

    (void)self;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (strcmp(args->operands[0], "-") == 0 && strcmp(args->operands[1], "-") == 0)
        status = usage_error("A and B cannot both be standard input ('-')");
    else if ((status = load_side(&a, args->operands[0])) == TOOL_EXIT_OK &&
             (status = load_side(&b, args->operands[1])) == TOOL_EXIT_OK)
        status = pair_cpus(&a, &b, &pairs, &count);
    if (status == TOOL_EXIT_OK && json) {
        diag_json_result(&w, false);
        json_begin_object(&w);
        json_side(&w, "a", &a);
        json_side(&w, "b", &b);
        json_key(&w, "pairs");
        json_begin_array(&w);
    }
    for (p = 0; status == TOOL_EXIT_OK && p < count; p++) {
        const struct pair *pr = &pairs[p];
        struct reg_diff *regs = NULL;
        struct vmx_diff vmx;
        size_t n = 0, i;
        const char *indent = count > 1 ? "  " : "";

        memset(&vmx, 0, sizeof vmx);
        if (pr->a != NULL && pr->b != NULL) {
            n = diff_registers(pr->a, pr->b, cli_flag(args, OPT_COMMON), &regs);
            diff_vmx(pr->a, pr->b, &vmx);
        }
        different = different || n > 0 || pr->a == NULL || pr->b == NULL || vmx.a_count + vmx.b_count > 0;
        if (json) {
            json_begin_object(&w);
            json_key(&w, "a_cpu");
            if (pr->a)
                json_uint(&w, pr->a->cpu);
            else
                json_null(&w);
            json_key(&w, "b_cpu");
            if (pr->b)
                json_uint(&w, pr->b->cpu);
            else
                json_null(&w);
            json_key(&w, "registers");
            json_begin_array(&w);
            for (i = 0; i < n; i++)
                json_register(&w, &regs[i]);
            json_end_array(&w);
            if (pr->a != NULL && pr->b != NULL)
                json_vmx(&w, &vmx);
            json_end_object(&w);
        } else if (pr->a == NULL || pr->b == NULL || n > 0 || vmx.a_count + vmx.b_count > 0 ||
                   (vmx.a_has != vmx.b_has && (vmx.a_has == 1 || vmx.b_has == 1))) {
            if (!header) {
                printf("--- A: %s\n+++ B: %s\n", a.label, b.label);
                header = true;
            }
            if (pr->a == NULL || pr->b == NULL) {
                printf("cpu %u: only in %s\n", pr->a ? pr->a->cpu : pr->b->cpu, pr->a ? "A" : "B");
            } else {
                if (count > 1)
                    printf("cpu %u:\n", pr->a->cpu);
                for (i = 0; i < n; i++)
                    text_register(&regs[i], indent);
                if (n > 0 && (vmx.a_count + vmx.b_count > 0 || vmx.a_has != vmx.b_has))
                    printf("\n");
                text_vmx(&vmx, indent);
            }
        }
        free(regs);
        vmx_diff_free(&vmx);
    }
    if (status == TOOL_EXIT_OK && json) {
        json_end_array(&w);
        json_key(&w, "equal");
        json_bool(&w, !different);
        json_end_object(&w);
        json_finish(&w);
    }
    free(pairs);
    snapshot_free(&a.values);
    snapshot_free(&b.values);
    /* diff(1)'s statuses: 1 means "different", so trouble of any kind is 2. */
    if (status != TOOL_EXIT_OK)
        return TOOL_EXIT_USAGE;
    return different ? TOOL_EXIT_FAILURE : TOOL_EXIT_OK;
}

const struct command command_diff = {
    .name = "diff",
    .summary = "Compare two snapshots or CPUs: registers, fields, VMX controls",
    .synopsis = "diff [--common] [--json] A B",
    .description =
        "Compares the MSR values of A and B, each a snapshot file ('dump --snapshot'\n"
        "writes them; '-' for standard input), FILE@N for CPU N of a snapshot, or\n"
        "cpu:N for CPU N of this machine (every readable register of the spec, read\n"
        "through /dev/cpu/N/msr). Two one-CPU sides are compared with each other; two\n"
        "sides of several CPUs CPU by CPU, by number (a CPU on one side only is a\n"
        "difference).\n"
        "\n"
        "Each register that differs is printed as 'A -> B' with every field that\n"
        "differs (and the reserved bits); a register on one side only as 'only in\n"
        "A' or 'only in B' (--common leaves those out). Where both sides have VMX\n"
        "capability MSRs, the controls one allows and the other does not, in both\n"
        "directions: a control that may be 1 on A and must be 0 on B, or may be 0\n"
        "on A and must be 1 on B (and the same for the CR0/CR4 bits fixed in VMX\n"
        "operation) -- what a guest set up on A may use that B cannot run.\n"
        "\n"
        "Exit status: 0 when A and B are the same, 1 when they differ, 2 on any\n"
        "trouble (bad usage, an unreadable or malformed file, a CPU that cannot be\n"
        "read), as for diff(1).\n"
        "\n"
        "With --json, an object: a and b ({source, cpus}), pairs (per pair of CPUs:\n"
        "a_cpu, b_cpu (null on one side only), registers [{name, address, a, b\n"
        "(null when absent; with a_int, b_int), fields [{name, lsb, msb, a, b}],\n"
        "reserved_a, reserved_b}], vmx {a, b (\"present\", \"absent\" or\n"
        "\"inconsistent\"), a_allows, b_allows [{set, bit, name, may_be}]}) and\n"
        "equal.",
    .options = diff_options,
    .option_count = sizeof diff_options / sizeof diff_options[0],
    .operand_names = diff_operands,
    .min_operands = 2,
    .max_operands = 2,
    .run = run_diff,
};
