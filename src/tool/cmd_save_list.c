/*
 * `x86msr save-list [--cpuid FILE] [--from SNAPSHOT [-c CPU]] [--unknown]
 * [--json]`: the guest-state registers a guest with these facts has, in the
 * order a restore sets them, with where a VMM carries each and what it must
 * be restored after. Every decision is x86msr/guest.h's (msr_guest_list());
 * this file prints.
 */
#include "command.h"
#include "diag.h"
#include "facts_args.h"
#include "format.h"
#include "json.h"
#include "text_table.h"

#include <x86msr/guest.h>
#include <x86msr/meta.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_CPUID, OPT_FROM, OPT_CPU, OPT_UNKNOWN, OPT_JSON };

static const struct cli_option save_list_options[] = {
    [OPT_CPUID] = {"cpuid", 0, "FILE", "The guest's CPUID: a `cpuid -r -1` dump (default: this machine's)"},
    [OPT_FROM] = {"from", 0, "SNAPSHOT", "MSR values (a snapshot file) for presence that depends on other MSRs"},
    [OPT_CPU] = {"cpu", 'c', "CPU", "With --from: the snapshot's CPU to use (default: its first)"},
    [OPT_UNKNOWN] = {"unknown", 0, NULL, "Also list the registers whose presence the facts cannot decide"},
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON object instead of text"},
};

#define AFTER_SHOWN 2 /* names the text table's AFTER column shows before "+N" */

struct saved {
    struct msr_guest_reg *regs;
    size_t count;
};

static const struct msr_def *def_at(const struct msr_guest_reg *reg)
{
    return msr_spec.defs[reg->def];
}

/* The registers of the list `reg` must be restored after (the definitions its
 * restore_after names, each once, in the spec's order): their count, and up to
 * `max` of them in out[]. */
static size_t after_in_list(const struct saved *s, const struct msr_guest_reg *reg, const struct msr_def **out,
                            size_t max)
{
    const struct msr_def *def = def_at(reg);
    size_t n = 0, i;
    unsigned k;

    if (!(def->flags & MSR_REG_F_RESTORE_AFTER))
        return 0;
    for (k = 0; k < def->restore_after_count; k++) {
        uint32_t address = msr_def_restore_after(def, k);
        for (i = 0; i < s->count; i++) {
            if (def_at(&s->regs[i])->address == address && s->regs[i].carrier == reg->carrier) {
                if (n < max)
                    out[n] = def_at(&s->regs[i]);
                n++;
                break;
            }
        }
    }
    return n;
}

/* Whether `reg` is the first instance of its definition in the list (a
 * constraint is printed once per definition). */
static bool first_of_def(const struct saved *s, size_t at)
{
    size_t i;

    for (i = 0; i < at; i++)
        if (s->regs[i].def == s->regs[at].def)
            return false;
    return true;
}

static void print_text(const struct saved *s, const char *facts_text)
{
    static const char *const header[] = {"ORDER", "ADDRESS", "NAME", "CARRIER", "PRESENT", "AFTER"};
    struct text_table *table = text_table_new(6);
    size_t i, carriers[MSR_GUEST_STATE_COUNT] = {0};
    bool any_order = false;
    unsigned c;

    printf("# guest state of %s, in restore order\n", facts_text);
    text_table_add(table, header);
    for (i = 0; i < s->count; i++) {
        const struct msr_def *names[AFTER_SHOWN];
        char order[FORMAT_NUMBER_SIZE], address[FORMAT_NUMBER_SIZE], after[FORMAT_TEXT_SIZE] = "";
        size_t n = after_in_list(s, &s->regs[i], names, AFTER_SHOWN), k, used = 0;
        const char *row[6];

        for (k = 0; k < n && k < AFTER_SHOWN; k++)
            used += (size_t)snprintf(after + used, sizeof after - used, "%s%s", k ? ", " : "", msr_def_name(names[k]));
        if (n > AFTER_SHOWN)
            snprintf(after + used, sizeof after - used, " +%lu", (unsigned long)(n - AFTER_SHOWN));
        any_order |= n > 0;
        format_decimal(order, i + 1);
        format_address(address, s->regs[i].address);
        row[0] = order;
        row[1] = address;
        row[2] = msr_name(msr_guest_instance(&msr_spec, &s->regs[i]));
        row[3] = msr_guest_state_name(s->regs[i].carrier);
        row[4] = msr_support_name((enum msr_support)s->regs[i].support);
        row[5] = after;
        text_table_add(table, row);
        carriers[s->regs[i].carrier]++;
    }
    text_table_print(table, stdout, "");
    text_table_free(table);
    printf("\n%lu registers:", (unsigned long)s->count);
    for (c = 0; c < MSR_GUEST_STATE_COUNT; c++)
        printf("%s %lu %s", c ? "," : "", (unsigned long)carriers[c], msr_guest_state_name(c));
    printf("\n");
    if (!any_order)
        return;
    printf("\nRestore order (the spec's restore_after, for the registers listed):\n");
    for (i = 0; i < s->count; i++) {
        const struct msr_def *names[64];
        size_t n = after_in_list(s, &s->regs[i], names, 64), k;

        if (n == 0 || !first_of_def(s, i))
            continue;
        printf("  %s after ", msr_def_name(def_at(&s->regs[i])));
        for (k = 0; k < n && k < 64; k++)
            printf("%s%s", k ? ", " : "", msr_def_name(names[k]));
        printf(":\n    %s\n", msr_def_restore_reason(def_at(&s->regs[i])));
    }
}

static void print_json(const struct saved *s, const struct tool_facts *facts, const char *cpuid_path,
                       const char *from)
{
    struct json_writer w;
    size_t i, k;

    diag_json_result(&w, false);
    json_begin_object(&w);
    json_key(&w, "facts");
    json_begin_object(&w);
    json_key(&w, "cpuid");
    json_string(&w, cpuid_path ? cpuid_path : "this machine");
    json_key(&w, "msrs");
    if (from)
        json_string(&w, from);
    else
        json_null(&w);
    json_key(&w, "cpu");
    if (facts->cpu)
        json_uint(&w, facts->cpu->cpu);
    else
        json_null(&w);
    json_end_object(&w);
    json_key(&w, "registers");
    json_begin_array(&w);
    for (i = 0; i < s->count; i++) {
        const struct msr_guest_reg *r = &s->regs[i];
        const struct msr_def *def = def_at(r), *names[64];
        size_t n = after_in_list(s, r, names, 64);

        json_begin_object(&w);
        json_key(&w, "order");
        json_uint(&w, i + 1);
        json_key(&w, "name");
        json_string(&w, msr_name(msr_guest_instance(&msr_spec, r)));
        json_key(&w, "address");
        json_address(&w, r->address);
        json_key(&w, "carrier");
        json_string(&w, msr_guest_state_name(r->carrier));
        json_key(&w, "presence");
        json_string(&w, msr_support_name((enum msr_support)r->support));
        json_key(&w, "compare_mask");
        json_mask64(&w, msr_guest_compare_mask(def));
        json_key(&w, "after");
        json_begin_array(&w);
        for (k = 0; k < n && k < 64; k++)
            json_string(&w, msr_def_name(names[k]));
        json_end_array(&w);
        if (n > 0) {
            json_key(&w, "why");
            json_string(&w, msr_def_restore_reason(def));
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    json_finish(&w);
}

static int run_save_list(const struct command *self, const struct cli_args *args)
{
    const char *cpuid_path = args->option[OPT_CPUID], *from = args->option[OPT_FROM];
    unsigned flags = cli_flag(args, OPT_UNKNOWN) ? MSR_GUEST_UNKNOWN : 0;
    struct tool_facts facts;
    struct saved s = {NULL, 0};
    int status;

    (void)self;
    if (args->option[OPT_CPU] && !from)
        return usage_error("--cpu only makes sense with --from");
    status = tool_facts_load(&facts, cpuid_path, from, args->option[OPT_CPU]);
    if (status == TOOL_EXIT_OK) {
        int r = msr_guest_list(&msr_spec, &facts.facts, flags, NULL, 0, &s.count);

        s.regs = xcalloc(s.count ? s.count : 1, sizeof *s.regs);
        if (r == MSR_ERR_RANGE || r == MSR_OK)
            r = msr_guest_list(&msr_spec, &facts.facts, flags, s.regs, s.count, &s.count);
        if (r != MSR_OK) {
            status = runtime_error_code(ERR_INCONSISTENT, "the spec's restore order has a cycle (%s)",
                                        msr_strerror(r));
        } else if (cli_flag(args, OPT_JSON)) {
            print_json(&s, &facts, cpuid_path, from);
        } else {
            char text[FORMAT_TEXT_SIZE];

            snprintf(text, sizeof text, "a guest with the CPUID of %s%s%s", cpuid_path ? cpuid_path : "this machine",
                     from ? " and the MSR values of " : "", from ? from : "");
            print_text(&s, text);
        }
    }
    free(s.regs);
    tool_facts_free(&facts);
    return status;
}

const struct command command_save_list = {
    .name = "save-list",
    .summary = "The MSRs a VMM saves with a guest's vCPU, in restore order",
    .synopsis = "save-list [--cpuid FILE] [--from SNAPSHOT [-c CPU]] [--unknown] [--json]",
    .description = "Lists the registers whose values are guest state (the spec's guest_state)\n"
                   "that a guest with these facts has, in the order a restore sets them. The\n"
                   "facts are the guest's CPUID (--cpuid FILE, a `cpuid -r -1` dump; else this\n"
                   "machine's) and, for presence that depends on other MSRs (the number of\n"
                   "machine-check banks in IA32_MCG_CAP, x2APIC mode in IA32_APIC_BASE), MSR\n"
                   "values from --from SNAPSHOT.\n"
                   "\n"
                   "CARRIER says where a VMM keeps each one, in restore order: feature (the\n"
                   "vCPU's capability MSRs, set with KVM_SET_MSRS before it first runs), setup\n"
                   "(IA32_MCG_CAP: KVM_X86_SETUP_MCE), sregs (KVM_SET_SREGS: EFER, the APIC\n"
                   "base, the FS and GS bases), lapic (KVM_SET_LAPIC: the x2APIC registers),\n"
                   "msr (KVM_SET_MSRS). Within a carrier, a register comes after the ones its\n"
                   "restore_after names (AFTER; the reasons follow the table), else in address\n"
                   "order. PRESENT is 'yes', or with --unknown also 'unknown' for registers\n"
                   "the facts cannot decide (probe those with KVM_GET_MSRS).\n"
                   "\n"
                   "With --json, an object with facts and registers (order, name, address,\n"
                   "carrier, presence, compare_mask: the bits a comparison after a restore\n"
                   "checks, after: the registers it comes after, why).",
    .options = save_list_options,
    .option_count = sizeof save_list_options / sizeof save_list_options[0],
    .operand_names = NULL,
    .min_operands = 0,
    .max_operands = 0,
    .run = run_save_list,
};
