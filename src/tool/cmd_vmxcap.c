/*
 * `x86msr vmxcap [--from FILE] [--json]`: the VMX capability report (what
 * QEMU's scripts/kvm/vmxcap prints, and more), from a snapshot file. Every
 * decision -- which MSRs exist, the state of each control bit, field values
 * -- comes from x86msr_vmx and the spec tables; this file reads the
 * snapshot and prints.
 */
#include "command.h"
#include "cpu_select.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "machine.h"
#include "snapshot.h"

#include <x86msr/meta.h>
#include <x86msr/vmx.h>

#include <stdlib.h>
#include <string.h>

enum { OPT_CPU, OPT_FROM, OPT_JSON };

static const struct cli_option vmxcap_options[] = {
    [OPT_CPU] = {"cpu", 'c', "CPU", "The CPU to report (default: the first online CPU, or the snapshot's first)"},
    [OPT_FROM] = {"from", 0, "FILE", "Read a snapshot file instead of the machine ('-': stdin)"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of text"},
};

/* The one CPU of -c; usage error (printed) for a list of several. */
static int one_cpu(const char *option, const struct cpu_list *list)
{
    if (list->count != 1)
        return usage_error("vmxcap reports one CPU at a time; '-c %s' names %lu", option,
                           (unsigned long)list->count);
    return TOOL_EXIT_OK;
}

static const char *name_at(uint32_t address)
{
    const struct msr_instance *msr = msr_find_by_address(address);
    return msr != NULL ? msr_name(msr) : "unknown MSR";
}

static enum msr_vmx_cap_msr cap_of(uint32_t address)
{
    return (enum msr_vmx_cap_msr)(address - MSR_IA32_VMX_BASIC_ADDR);
}

/* ---- from this machine ---- */

static int load_live(const char *cpu_option, struct msr_vmx_caps *caps, char *source, size_t source_size)
{
    struct cpu_list cpus = {NULL, 0};
    struct msr_linux_cpu cpu;
    int result = cpu_select_live(cpu_option, false, CPU_DEFAULT_FIRST, &cpus);
    int status;

    if (result == TOOL_EXIT_OK && cpu_option != NULL)
        result = one_cpu(cpu_option, &cpus);
    if (result != TOOL_EXIT_OK) {
        cpu_list_free(&cpus);
        return result;
    }
    cpu = machine_cpu(cpus.cpus[0]);
    cpu_list_free(&cpus);
    snprintf(source, source_size, "cpu %u", cpu.cpu);
    /* The library decides which MSRs exist and reads only those. */
    status = msr_vmx_caps_read_with(caps, msr_linux_cpu_read, &cpu);
    msr_linux_release(machine(), cpu.cpu);
    if (status == MSR_OK)
        return TOOL_EXIT_OK;
    if (status == MSR_VMX_ERR_UNSUPPORTED)
        return runtime_error_code(ERR_NO_VMX,
                                  "cpu %u: no VMX: IA32_VMX_BASIC (0x480) is not implemented (not an Intel CPU "
                                  "with VMX, or a hypervisor hides it)",
                                  cpu.cpu);
    if (status == MSR_ERR_INVALID)
        return runtime_error_code(ERR_INCONSISTENT,
                                  "cpu %u: %s (0x%X) contradicts itself: a bit that must be 1 may not be 1", cpu.cpu,
                                  name_at(caps->error_msr), (unsigned)caps->error_msr);
    return machine_access_error(cpu.cpu, "read", msr_find_by_address(caps->error_msr), caps->error_msr, status);
}

/* ---- from a snapshot file (x86msr dump --snapshot writes them) ---- */

/* Line of `address` in the CPU's values, or 0. */
static unsigned long line_of(const struct msr_snapshot_cpu *cpu, uint32_t address)
{
    size_t i;

    for (i = 0; i < cpu->count; i++)
        if (cpu->values[i].address == address)
            return cpu->values[i].line;
    return 0;
}

/* When a capability MSR exists, from the spec's presence condition. */
static const char *cap_condition(enum msr_vmx_cap_msr which)
{
    static char text[256];

    msr_vmx_cap_msr_condition(which, text, sizeof text);
    return text;
}

/* Why msr_vmx_caps_from_values rejected the values, in one line. */
static int explain_rejection(const char *path, const struct msr_snapshot_cpu *cpu, const struct msr_vmx_caps *caps)
{
    uint32_t msr = caps->error_msr;
    unsigned long line = line_of(cpu, msr);

    if (line == 0)
        return usage_error_code(ERR_BAD_FILE, "%s: cpu %u: %s (0x%X) is missing; it must be there because %s", path,
                                cpu->cpu, name_at(msr), (unsigned)msr, cap_condition(cap_of(msr)));
    return usage_error_code(ERR_BAD_FILE, "%s:%lu: %s (0x%X) contradicts itself: a bit that must be 1 may not be 1",
                            path, line, name_at(msr), (unsigned)msr);
}

static int caps_of_cpu(const char *path, const struct msr_snapshot_cpu *cpu, struct msr_vmx_caps *caps)
{
    struct msr_vmx_msr_value *values = xcalloc(cpu->count, sizeof *values);
    size_t i;
    int result = TOOL_EXIT_OK;

    for (i = 0; i < cpu->count; i++) {
        values[i].msr = cpu->values[i].address;
        values[i].value = cpu->values[i].value;
    }
    if (msr_vmx_caps_from_values(caps, values, cpu->count) != MSR_OK)
        result = explain_rejection(path, cpu, caps);
    free(values);
    return result;
}

static int load_snapshot(const char *path, const char *cpu_option, struct msr_vmx_caps *caps, char *source,
                         size_t source_size)
{
    const char *where = strcmp(path, "-") == 0 ? "the snapshot on stdin" : path;
    struct msr_snapshot snapshot;
    struct cpu_list available = {NULL, 0}, cpus = {NULL, 0};
    int result = snapshot_load(path, &snapshot);

    if (result == TOOL_EXIT_OK) {
        snapshot_cpu_list(&snapshot, &available);
        result = cpu_select_among(cpu_option, false, &available, where, &cpus);
    }
    if (result == TOOL_EXIT_OK && cpu_option != NULL)
        result = one_cpu(cpu_option, &cpus);
    if (result == TOOL_EXIT_OK && cpus.count == 0)
        result = usage_error_code(ERR_BAD_FILE, "%s holds no MSR values", where);
    if (result == TOOL_EXIT_OK) {
        /* Without -c: the snapshot's first CPU (the list is ascending). */
        const struct msr_snapshot_cpu *cpu = msr_snapshot_find_cpu(&snapshot, cpus.cpus[0]);

        snprintf(source, source_size, "%s, cpu %u", where, cpu->cpu);
        result = caps_of_cpu(where, cpu, caps);
    }
    cpu_list_free(&cpus);
    cpu_list_free(&available);
    snapshot_free(&snapshot);
    return result;
}

/* ---- shared helpers ---- */

/* The record of a capability MSR, NULL when the spec lacks it. Its fields
 * come from the spec, so a field added there shows up here without a change. */
static const struct msr_def *cap_def(uint32_t address)
{
    const struct msr_instance *msr = msr_find_by_address(address);
    return msr != NULL ? msr_def_of(msr) : NULL;
}

/* ---- text ---- */

static void text_fields(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which, const char *title)
{
    uint32_t address = msr_vmx_cap_msr_address(which);
    const struct msr_def *def = cap_def(address);
    char raw[FORMAT_NUMBER_SIZE];
    unsigned i;

    if (!msr_vmx_caps_has(caps, which)) {
        printf("\n%s: not supported (%s exists only when %s)\n", title, name_at(address),
               cap_condition(which));
        return;
    }
    format_value64(raw, caps->value[which]);
    printf("\n%s (%s = %s)\n", title, name_at(address), raw);
    for (i = 0; def != NULL && i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        const char *name = msr_field_name(def, i);
        uint64_t x = msr_field_extract(f, caps->value[which]);
        const char *named = msr_field_enum_name(def, i, x);

        if (f->msb == f->lsb)
            printf("  %-40s %s\n", name, x ? "yes" : "no");
        else if (named != NULL)
            printf("  %-40s %s (%llu)\n", name, named, (unsigned long long)x);
        else
            printf("  %-40s %llu\n", name, (unsigned long long)x);
    }
}

static void text_control_set(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id id)
{
    const struct msr_vmx_control_set_info *set = &msr_vmx_control_sets[id];
    struct msr_vmx_control_caps cc;
    bool present = msr_vmx_caps_control_set(caps, id, &cc) == MSR_OK;
    uint64_t unnamed;
    uint16_t i;
    unsigned bit;

    printf("\n%s", set->description);
    if (!present) {
        printf(": not supported (%s exists only when %s)\n", name_at(set->capability),
               cap_condition(cap_of(set->capability)));
    } else {
        char raw[FORMAT_NUMBER_SIZE];

        format_value64(raw, caps->value[cap_of(set->capability)]);
        printf(" (%s = %s", name_at(set->capability), raw);
        if (cc.has_true) {
            format_value64(raw, caps->value[cap_of(set->true_capability)]);
            printf(", %s = %s", name_at(set->true_capability), raw);
        }
        printf(")\n");
    }
    for (i = 0; i < set->bit_count; i++)
        printf("  %-48s %s\n", set->bits[i].description,
               msr_vmx_bit_state_name(msr_vmx_control_bit_state(&cc, set->bits[i].bit)));
    /* Bits the spec does not name but the CPU reports as settable or fixed:
     * new features, or reserved default1 bits. */
    unnamed = (cc.allowed1 | cc.allowed0) & ~msr_vmx_control_set_named_mask(id);
    if (unnamed != 0) {
        const char *sep = "";

        printf("  %-48s ", "(bits the spec does not name)");
        for (bit = 0; bit < 64; bit++) {
            if (unnamed & (UINT64_C(1) << bit)) {
                printf("%s%u %s", sep, bit, msr_vmx_bit_state_name(msr_vmx_control_bit_state(&cc, bit)));
                sep = ", ";
            }
        }
        printf("\n");
    }
}

static void text_cr_fixed(const struct msr_vmx_caps *caps, unsigned cr, enum msr_vmx_cap_msr fixed0)
{
    char must[FORMAT_NUMBER_SIZE], may[FORMAT_NUMBER_SIZE];

    format_value64(must, caps->value[fixed0]);
    format_value64(may, caps->value[fixed0 + 1]);
    printf("  CR%u: must be 1 %s, may be 1 %s\n", cr, must, may);
}

static void print_text(const char *source, const struct msr_vmx_caps *caps)
{
    struct msr_vmx_misc_info misc;
    unsigned i;

    printf("VMX capabilities of %s\n", source);
    text_fields(caps, MSR_VMX_CAP_BASIC, "Basic VMX information");
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++)
        text_control_set(caps, (enum msr_vmx_control_set_id)i);
    text_fields(caps, MSR_VMX_CAP_MISC, "Miscellaneous data");
    (void)msr_vmx_misc_decode(caps->value[MSR_VMX_CAP_MISC], &misc);
    printf("  %-40s %lu\n", "(MSR-list maximum: 512 * (N + 1))", (unsigned long)misc.max_msr_list_entries);
    text_fields(caps, MSR_VMX_CAP_EPT_VPID_CAP, "EPT and VPID capabilities");
    text_fields(caps, MSR_VMX_CAP_VMFUNC, "VM functions");
    text_fields(caps, MSR_VMX_CAP_VMCS_ENUM, "VMCS enumeration");
    printf("\nFixed bits in VMX operation\n");
    text_cr_fixed(caps, 0, MSR_VMX_CAP_CR0_FIXED0);
    text_cr_fixed(caps, 4, MSR_VMX_CAP_CR4_FIXED0);
}

/* ---- JSON ---- */

static void json_lowercase_key(struct json_writer *w, const char *name)
{
    char key[64];
    size_t i;

    for (i = 0; name[i] != '\0' && i + 1 < sizeof key; i++)
        key[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    key[i] = '\0';
    json_key(w, key);
}

/* One member per spec field: booleans for one-bit fields, numbers else. */
static void json_fields(struct json_writer *w, const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which,
                        const char *key)
{
    const struct msr_def *def = cap_def(msr_vmx_cap_msr_address(which));
    unsigned i;

    json_key(w, key);
    if (!msr_vmx_caps_has(caps, which)) {
        json_null(w);
        return;
    }
    json_begin_object(w);
    for (i = 0; def != NULL && i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t x = msr_field_extract(f, caps->value[which]);

        json_lowercase_key(w, msr_field_name(def, i));
        if (f->msb == f->lsb)
            json_bool(w, x != 0);
        else
            json_uint(w, x);
    }
    if (which == MSR_VMX_CAP_MISC) {
        struct msr_vmx_misc_info misc;

        (void)msr_vmx_misc_decode(caps->value[which], &misc);
        json_key(w, "max_msr_list_entries");
        json_uint(w, misc.max_msr_list_entries);
    }
    json_end_object(w);
}

static void json_control_set(struct json_writer *w, const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id id)
{
    const struct msr_vmx_control_set_info *set = &msr_vmx_control_sets[id];
    struct msr_vmx_control_caps cc;
    bool present = msr_vmx_caps_control_set(caps, id, &cc) == MSR_OK;
    uint64_t unnamed = (cc.allowed1 | cc.allowed0) & ~msr_vmx_control_set_named_mask(id);
    uint16_t i;
    unsigned bit;

    json_key(w, set->name);
    json_begin_object(w);
    json_key(w, "description");
    json_string(w, set->description);
    json_key(w, "present");
    json_bool(w, present);
    json_key(w, "capability_msr");
    json_string(w, name_at(set->capability));
    json_key(w, "true_capability_used");
    json_bool(w, cc.has_true);
    json_key(w, "allowed0");
    json_hex_bits(w, cc.allowed0, set->width);
    json_key(w, "allowed1");
    json_hex_bits(w, cc.allowed1, set->width);
    json_key(w, "bits");
    json_begin_array(w);
    for (i = 0; i < set->bit_count; i++) {
        json_begin_object(w);
        json_key(w, "bit");
        json_uint(w, set->bits[i].bit);
        json_key(w, "name");
        json_string(w, set->bits[i].name);
        json_key(w, "description");
        json_string(w, set->bits[i].description);
        json_key(w, "state");
        json_string(w, msr_vmx_bit_state_name(msr_vmx_control_bit_state(&cc, set->bits[i].bit)));
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "unnamed_bits");
    json_begin_array(w);
    for (bit = 0; bit < 64; bit++) {
        if (!(unnamed & (UINT64_C(1) << bit)))
            continue;
        json_begin_object(w);
        json_key(w, "bit");
        json_uint(w, bit);
        json_key(w, "state");
        json_string(w, msr_vmx_bit_state_name(msr_vmx_control_bit_state(&cc, bit)));
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
}

static void print_json(const char *source, const struct msr_vmx_caps *caps)
{
    struct json_writer w;
    unsigned i;

    diag_json_result(&w, false);
    json_begin_object(&w);
    json_key(&w, "source");
    json_string(&w, source);
    json_key(&w, "msrs");
    json_begin_array(&w);
    for (i = 0; i < MSR_VMX_CAP_COUNT; i++) {
        if (!msr_vmx_caps_has(caps, (enum msr_vmx_cap_msr)i))
            continue;
        json_begin_object(&w);
        json_key(&w, "name");
        json_string(&w, name_at(msr_vmx_cap_msr_address((enum msr_vmx_cap_msr)i)));
        json_key(&w, "address");
        json_address(&w, msr_vmx_cap_msr_address((enum msr_vmx_cap_msr)i));
        json_value_member(&w, "value", caps->value[i], 64);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_fields(&w, caps, MSR_VMX_CAP_BASIC, "basic");
    json_key(&w, "controls");
    json_begin_object(&w);
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++)
        json_control_set(&w, caps, (enum msr_vmx_control_set_id)i);
    json_end_object(&w);
    json_fields(&w, caps, MSR_VMX_CAP_MISC, "misc");
    json_fields(&w, caps, MSR_VMX_CAP_EPT_VPID_CAP, "ept_vpid");
    json_fields(&w, caps, MSR_VMX_CAP_VMFUNC, "vmfunc");
    json_fields(&w, caps, MSR_VMX_CAP_VMCS_ENUM, "vmcs_enum");
    json_key(&w, "cr0_fixed0");
    json_mask64(&w, caps->value[MSR_VMX_CAP_CR0_FIXED0]);
    json_key(&w, "cr0_fixed1");
    json_mask64(&w, caps->value[MSR_VMX_CAP_CR0_FIXED1]);
    json_key(&w, "cr4_fixed0");
    json_mask64(&w, caps->value[MSR_VMX_CAP_CR4_FIXED0]);
    json_key(&w, "cr4_fixed1");
    json_mask64(&w, caps->value[MSR_VMX_CAP_CR4_FIXED1]);
    json_end_object(&w);
    json_finish(&w);
}

static int run_vmxcap(const struct command *self, const struct cli_args *args)
{
    const char *path = args->option[OPT_FROM];
    const char *cpu_option = args->option[OPT_CPU];
    struct msr_vmx_caps caps;
    char source[512];
    int status;

    (void)self;
    if (path != NULL)
        status = load_snapshot(path, cpu_option, &caps, source, sizeof source);
    else
        status = load_live(cpu_option, &caps, source, sizeof source);
    if (status != TOOL_EXIT_OK)
        return status;
    if (cli_flag(args, OPT_JSON))
        print_json(source, &caps);
    else
        print_text(source, &caps);
    return TOOL_EXIT_OK;
}

const struct command command_vmxcap = {
    .name = "vmxcap",
    .summary = "Report VMX capabilities: every control bit, BASIC, MISC, EPT/VPID",
    .synopsis = "vmxcap [-c CPU] [--from FILE] [--json]",
    .description =
        "Decodes the VMX capability MSRs (480H-493H) of one CPU the way QEMU's vmxcap does,\n"
        "and more: every bit the spec names in every control set as 'yes' (may be 0 or 1),\n"
        "'no' (must be 0), 'forced' (must be 1) or 'default' (1 in the plain capability MSR\n"
        "but clearable through the TRUE_* MSR), bits the spec does not name but the CPU\n"
        "reports, and IA32_VMX_BASIC, MISC, EPT_VPID_CAP, VMFUNC and VMCS_ENUM field by\n"
        "field. An MSR is read only when the others say it exists.\n"
        "\n"
        "The values come from this machine (Linux /dev/cpu/N/msr) or, with --from FILE,\n"
        "from a snapshot: 'ADDRESS VALUE' per line, numbers hex with 0x or decimal, '#'\n"
        "starts a comment, blank lines are ignored, '# cpu N' starts CPU N's values;\n"
        "'x86msr dump --snapshot' writes one. A malformed line, a repeated address or a\n"
        "missing VMX MSR is an error (exit status 2).\n"
        "\n"
        "With --json, an object with source, msrs (name, address, value, value_int),\n"
        "basic, controls (per set: description, present, capability_msr,\n"
        "true_capability_used, allowed0, allowed1 (hex, the set's width), bits as\n"
        "{bit, name, description, state}, unnamed_bits as {bit, state}), misc,\n"
        "ept_vpid, vmfunc, vmcs_enum (field values as integers; null when absent)\n"
        "and the CR0/CR4 fixed bits.",
    .options = vmxcap_options,
    .option_count = sizeof vmxcap_options / sizeof vmxcap_options[0],
    .operand_names = NULL,
    .min_operands = 0,
    .max_operands = 0,
    .run = run_vmxcap,
};
