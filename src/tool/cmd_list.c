/*
 * `x86msr list [PATTERN...] [--category NAMES] [--vendor NAMES] [--access MODES]
 * [--supported [--cpuid FILE] [--from SNAPSHOT [-c CPU]]] [--json]`: the MSRs
 * of the spec, one per line (array registers once per instance, as in the
 * metadata table), those the filters keep. With --supported, only the MSRs
 * this CPU (or the CPU of a CPUID dump) may implement, by the spec's presence
 * conditions (msr_is_supported()); a snapshot of MSR values decides the
 * conditions that depend on other MSRs.
 *
 * Category and vendor names come from the generated tables
 * (msr_category_table, msr_vendor_table), access modes from
 * msr_access_name(): the tool spells none of them.
 */
#define _POSIX_C_SOURCE 200809L /* fnmatch */

#include "command.h"
#include "diag.h"
#include "facts_args.h"
#include "format.h"
#include "json.h"
#include "msr_json.h"
#include "suggest.h"
#include "text_table.h"

#include <x86msr/cpuid.h>
#include <x86msr/meta.h>

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_JSON, OPT_CATEGORY, OPT_VENDOR, OPT_ACCESS, OPT_SUPPORTED, OPT_CPUID, OPT_FROM, OPT_CPU };

static const struct cli_option list_options[] = {
    [OPT_JSON] = {"json", 0, NULL, "Print a JSON array of the MSRs with their fields"},
    [OPT_CATEGORY] = {"category", 0, "NAMES", "Only these categories (comma-separated: vmx,syscall)"},
    [OPT_VENDOR] = {"vendor", 0, "NAMES", "Only MSRs these vendors document (intel,amd)"},
    [OPT_ACCESS] = {"access", 0, "MODES", "Only these access modes (ro, rw, wo; comma-separated)"},
    [OPT_SUPPORTED] = {"supported", 0, NULL,
                       "Only MSRs the CPU may implement (presence yes or unknown), with a SUPPORTED column"},
    [OPT_CPUID] = {"cpuid", 0, "FILE", "With --supported: judge the CPU of this `cpuid -r -1` dump, not this one"},
    [OPT_FROM] = {"from", 0, "SNAPSHOT",
                  "With --supported: MSR values (a snapshot file) for conditions on other MSRs"},
    [OPT_CPU] = {"cpu", 'c', "CPU", "With --from: the snapshot's CPU to use (default: its first)"},
};

static const char *const list_operands[] = {"PATTERN"};

/* What the filters keep; an empty set (no option) keeps everything. */
struct list_filter {
    bool any_category, categories[MSR_CATEGORY_COUNT];
    bool any_access, access[MSR_ACCESS_COUNT];
    uint32_t vendors; /* 0: any */
    char *const *patterns;
    size_t pattern_count;
    const struct msr_facts *facts; /* --supported: the facts to judge by, else NULL */
};

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool same_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++)
        if (upper(*a) != upper(*b))
            return false;
    return *a == *b;
}

/* One comma-separated list of names: calls `pick` with the index of each;
 * an unknown one is a usage error naming the closest or every choice. */
static int parse_names(const char *option, const char *noun, const char *text, const char *const *names,
                       size_t count, bool *chosen)
{
    const char *item = text;

    for (;;) {
        size_t length = strcspn(item, ","), i;
        char *word = xmalloc(length + 1);
        bool found = false;

        memcpy(word, item, length);
        word[length] = '\0';
        for (i = 0; i < count && !found; i++)
            if (names[i] != NULL && same_name(word, names[i])) {
                chosen[i] = true;
                found = true;
            }
        if (!found) {
            struct suggestion s;
            size_t used = 0, size = 1;
            char *all;
            int status;

            suggestion_init(&s, word);
            for (i = 0; i < count; i++)
                if (names[i] != NULL) {
                    suggestion_offer(&s, names[i], NULL);
                    size += strlen(names[i]) + 2;
                }
            all = xmalloc(size);
            all[0] = '\0';
            for (i = 0; i < count; i++)
                if (names[i] != NULL)
                    used += (size_t)sprintf(all + used, "%s%s", used ? ", " : "", names[i]);
            if (length == 0)
                status = usage_error_code(ERR_UNKNOWN_NAME, "empty %s in '%s %s' (one of: %s)", noun, option, text,
                                          all);
            else if (s.best != NULL)
                status = usage_error_code(ERR_UNKNOWN_NAME, "unknown %s '%s'%s", noun, word, suggestion_hint(&s));
            else
                status = usage_error_code(ERR_UNKNOWN_NAME, "unknown %s '%s' (one of: %s)", noun, word, all);
            free(all);
            free(word);
            return status;
        }
        free(word);
        if (item[length] == '\0')
            return TOOL_EXIT_OK;
        item += length + 1;
    }
}

static int parse_filter(const struct cli_args *args, struct list_filter *f)
{
    const char *names[64 > MSR_CATEGORY_COUNT ? 64 : MSR_CATEGORY_COUNT];
    bool chosen[64 > MSR_CATEGORY_COUNT ? 64 : MSR_CATEGORY_COUNT];
    size_t i;
    int status = TOOL_EXIT_OK;

    f->patterns = args->operands;
    f->pattern_count = args->operand_count;
    if (args->option[OPT_CATEGORY] != NULL) {
        for (i = 0; i < MSR_CATEGORY_COUNT; i++)
            names[i] = msr_category_table[i].name;
        status = parse_names("--category", "category", args->option[OPT_CATEGORY], names, MSR_CATEGORY_COUNT,
                             f->categories);
        f->any_category = status != TOOL_EXIT_OK;
    } else {
        f->any_category = true;
    }
    if (status == TOOL_EXIT_OK && args->option[OPT_VENDOR] != NULL) {
        size_t n = msr_vendor_table_count < 64 ? msr_vendor_table_count : 64;

        for (i = 0; i < n; i++) {
            names[i] = msr_vendor_table[i].name;
            chosen[i] = false;
        }
        status = parse_names("--vendor", "vendor", args->option[OPT_VENDOR], names, n, chosen);
        for (i = 0; i < n; i++)
            if (chosen[i])
                f->vendors |= msr_vendor_table[i].bit;
    }
    if (status == TOOL_EXIT_OK && args->option[OPT_ACCESS] != NULL) {
        /* A register is read-only, read-write or write-only; the other
         * modes are fields' (rw1c, rwo). */
        for (i = 0; i < MSR_ACCESS_COUNT; i++)
            names[i] = (i == MSR_ACCESS_RO || i == MSR_ACCESS_RW || i == MSR_ACCESS_WO) ? msr_access_name((unsigned)i)
                                                                                     : NULL;
        status = parse_names("--access", "register access mode", args->option[OPT_ACCESS], names, MSR_ACCESS_COUNT,
                             f->access);
    } else {
        f->any_access = true;
    }
    return status;
}

/* Case-insensitive substring. */
static bool contains_text(const char *word, const char *text)
{
    size_t i, n = strlen(word);

    if (text == NULL)
        return false;
    for (; *text != '\0'; text++) {
        for (i = 0; i < n && text[i] != '\0' && upper(text[i]) == upper(word[i]); i++)
            ;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* Case-insensitive glob over the whole of `text`. */
static bool glob_matches(const char *pattern, const char *text)
{
    char *p, *t;
    size_t i;
    bool match;

    if (text == NULL)
        return false;
    p = xmalloc(strlen(pattern) + 1);
    t = xmalloc(strlen(text) + 1);
    for (i = 0; pattern[i] != '\0'; i++)
        p[i] = upper(pattern[i]);
    p[i] = '\0';
    for (i = 0; text[i] != '\0'; i++)
        t[i] = upper(text[i]);
    t[i] = '\0';
    match = fnmatch(p, t, 0) == 0;
    free(p);
    free(t);
    return match;
}

/* How a register matches the patterns, in the order the listing gives them:
 * a name or an alias that is the pattern (any case), a name or an alias the
 * pattern matches, the description only. */
enum match_rank { MATCH_EXACT = 0, MATCH_NAME = 1, MATCH_DESCRIPTION = 2, MATCH_NONE = 3 };
#define MATCH_RANKS 3

/* Case-insensitive equality. */
static bool same_text(const char *a, const char *b)
{
    for (; *a != '\0' && upper(*a) == upper(*b); a++, b++)
        ;
    return *a == '\0' && *b == '\0';
}

/* A pattern with *, ? or [ is a glob over a whole name, alias or
 * description; any other is a substring of one of them. Any case. */
static enum match_rank pattern_matches(const char *pattern, const struct msr_instance *msr)
{
    bool glob = strpbrk(pattern, "*?[") != NULL;
    bool (*match)(const char *, const char *) = glob ? glob_matches : contains_text;
    enum match_rank rank = MATCH_NONE;
    unsigned a;

    for (a = 0; a <= msr_alias_count(msr); a++) {
        const char *name = a == 0 ? msr_name(msr) : msr_alias(msr, a - 1);

        if (!glob && same_text(pattern, name))
            return MATCH_EXACT;
        if (match(pattern, name))
            rank = MATCH_NAME;
    }
    if (rank == MATCH_NONE && match(pattern, msr_def_description(msr_def_of(msr))))
        rank = MATCH_DESCRIPTION;
    return rank;
}

/* Whether the filters keep `msr` in the listing's pass `rank` (enum
 * match_rank: without patterns every register is in the first); with
 * --supported, *support says how sure. */
static bool listed(const struct msr_instance *msr, const struct list_filter *f, enum match_rank rank,
                   enum msr_support *support)
{
    const struct msr_def *def = msr_def_of(msr);
    enum match_rank best = f->pattern_count == 0 ? MATCH_EXACT : MATCH_NONE;
    size_t i;

    if (!f->any_category && (def->category >= MSR_CATEGORY_COUNT || !f->categories[def->category]))
        return false;
    if (!f->any_access && (def->access >= MSR_ACCESS_COUNT || !f->access[def->access]))
        return false;
    if (f->vendors != 0 && (def->vendors & f->vendors) == 0)
        return false;
    for (i = 0; i < f->pattern_count && best != MATCH_EXACT; i++) {
        enum match_rank r = pattern_matches(f->patterns[i], msr);

        if (r < best)
            best = r;
    }
    if (best != rank)
        return false;
    if (f->facts == NULL)
        return true;
    *support = msr_is_supported(def, msr->index, f->facts);
    return *support != MSR_SUPPORT_NO;
}

static void print_text(const struct list_filter *f)
{
    static const char *const header[] = {"ADDRESS", "NAME", "CATEGORY", "ACCESS", "FIELDS", "SUPPORTED"};
    size_t columns = f->facts ? 6 : 5;
    struct text_table *table = text_table_new(columns);
    uint32_t i;

    text_table_add(table, header);
    for (i = 0; i < MATCH_RANKS * msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i % msr_spec.instance_count];
        enum match_rank rank = (enum match_rank)(i / msr_spec.instance_count);
        const struct msr_def *def = msr_def_of(msr);
        char address[FORMAT_NUMBER_SIZE], fields[FORMAT_NUMBER_SIZE];
        enum msr_support support = MSR_SUPPORT_UNKNOWN;
        const char *row[6];

        if (!listed(msr, f, rank, &support))
            continue;
        format_address(address, msr->address);
        format_decimal(fields, def->field_count);
        row[0] = address;
        row[1] = msr_name(msr);
        row[2] = category_name(def);
        row[3] = msr_access_name(def->access);
        row[4] = fields;
        row[5] = msr_support_name(support);
        text_table_add(table, row);
    }
    text_table_print(table, stdout, "");
    text_table_free(table);
}

static void print_json(const struct list_filter *f)
{
    struct json_writer w;
    uint32_t i;

    diag_json_result(&w, false);
    json_begin_array(&w);
    for (i = 0; i < MATCH_RANKS * msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i % msr_spec.instance_count];
        enum match_rank rank = (enum match_rank)(i / msr_spec.instance_count);
        enum msr_support support = MSR_SUPPORT_UNKNOWN;

        if (!listed(msr, f, rank, &support))
            continue;
        json_write_msr(&w, msr, f->facts);
    }
    json_end_array(&w);
    json_finish(&w);
}

static int run_list(const struct command *self, const struct cli_args *args)
{
    struct tool_facts facts;
    struct list_filter filter;
    const char *dump_path = args->option[OPT_CPUID], *from = args->option[OPT_FROM];
    int status;

    (void)self;
    memset(&filter, 0, sizeof filter);
    if ((dump_path || from) && !cli_flag(args, OPT_SUPPORTED))
        return usage_error("--%s only makes sense with --supported", dump_path ? "cpuid FILE" : "from SNAPSHOT");
    if (args->option[OPT_CPU] && !from)
        return usage_error("--cpu only makes sense with --from");
    status = parse_filter(args, &filter);
    if (status != TOOL_EXIT_OK)
        return status;
    status = tool_facts_load(&facts, dump_path, from, args->option[OPT_CPU]);
    if (status == TOOL_EXIT_OK) {
        filter.facts = cli_flag(args, OPT_SUPPORTED) ? &facts.facts : NULL;
        if (cli_flag(args, OPT_JSON))
            print_json(&filter);
        else
            print_text(&filter);
    }
    tool_facts_free(&facts);
    return status;
}

const struct command command_list = {
    .name = "list",
    .summary = "List the MSRs of the spec, filtered, or those this CPU may have",
    .synopsis = "list [PATTERN...] [--category NAMES] [--vendor NAMES] [--access MODES] "
                "[--supported [--cpuid FILE] [--from SNAPSHOT [-c CPU]]] [--json]",
    .description = "Lists the MSRs of the spec, sorted by address: address, name, category,\n"
                   "access (ro, rw, wo) and number of fields. Array registers appear once per\n"
                   "instance (IA32_MTRR_PHYSBASE0, IA32_MTRR_PHYSBASE1, ...).\n"
                   "\n"
                   "Filters, combinable (a register must pass each one given):\n"
                   "  PATTERN...         any of them matches the name, an alias or the\n"
                   "                     description, in any case: a substring ('efer',\n"
                   "                     'thermal'), or with * ? [...] a glob over the whole\n"
                   "                     text ('IA32_MTRR*', '*_CTL'). The registers a\n"
                   "                     pattern names exactly (a name or an alias in any\n"
                   "                     case: 'efer') come first, then those it matches by\n"
                   "                     name or alias, then by description only\n"
                   "  --category NAMES   its category is one of these (comma-separated)\n"
                   "  --vendor NAMES     one of these vendors documents it\n"
                   "  --access MODES     its access mode is one of these (ro, rw, wo)\n"
                   "An unknown category, vendor or mode is an error naming the closest one.\n"
                   "\n"
                   "--supported keeps the MSRs whose presence conditions (CPUID bits, bits of\n"
                   "other MSRs, CPU family and model, from the manuals) do not rule them out on\n"
                   "this CPU and that a vendor of the CPU documents (its CPU vendor, and a\n"
                   "hypervisor's when CPUID announces one), and says for each whether the CPU\n"
                   "has it ('yes') or whether that cannot be told ('unknown': no condition in\n"
                   "the manual, a condition on an MSR whose value is not known, or a CPU whose\n"
                   "vendor the tool does not recognise). It never says 'yes' wrongly. --cpuid FILE judges the CPU of a dump made with\n"
                   "`cpuid -r -1` instead of this one; --from SNAPSHOT supplies MSR values (a\n"
                   "snapshot file, e.g. from `dump --snapshot`) for the conditions that test\n"
                   "other MSRs, such as the VMX capability MSRs that exist only when\n"
                   "IA32_VMX_BASIC or a control MSR says so.\n"
                   "\n"
                   "With --json, an array of objects with name, address, category, access,\n"
                   "vendors, aliases, description, ref, present_if and present_if_tree (when\n"
                   "set), array (instances only), reserved_mask, writable_mask, w1c_mask and\n"
                   "fields (name, lsb, msb, access, description, reset and reset_int, enum,\n"
                   "vendors, present_if and present_if_tree, canonical, undocumented and\n"
                   "counter where documented). With --supported, the register and each field\n"
                   "also say supported (\"yes\", \"unknown\"; a field also \"no\"), and the\n"
                   "masks are those of the CPU judged: the bits of fields it lacks are\n"
                   "reserved (a field that cannot be told counts as present).",
    .options = list_options,
    .option_count = sizeof list_options / sizeof list_options[0],
    .operand_names = list_operands,
    .min_operands = 0,
    .max_operands = CLI_MANY,
    .run = run_list,
};
