#include "msr_lookup.h"

#include "command.h"
#include "cpuid_file.h"

#include "diag.h"
#include "number.h"
#include "suggest.h"

#include <x86msr/cpuid.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Many people type MSR names without the architectural prefix
 * ("VMX_BASIC"); measuring against the name without it finds those. */
static const char *without_ia32_prefix(const char *name)
{
    return strncmp(name, "IA32_", 5) == 0 ? name + 5 : NULL;
}

static void offer_msr_names(struct suggestion *s)
{
    uint32_t i;
    unsigned a;

    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i];
        const char *name = msr_name(msr), *short_name = without_ia32_prefix(name);

        suggestion_offer(s, name, NULL);
        if (short_name != NULL)
            suggestion_offer(s, name, short_name);
        for (a = 0; a < msr_alias_count(msr); a++)
            suggestion_offer(s, msr_alias(msr, a), NULL);
    }
}

static const struct msr_instance *find_by_address(const char *arg, struct lookup_failure *why)
{
    char number[128];
    uint64_t address;
    const struct msr_instance *msr;

    if (!parse_number(arg, 32, &address, number, sizeof number)) {
        why->code = ERR_BAD_NUMBER;
        snprintf(why->message, sizeof why->message, "invalid MSR address '%s': %s", arg, number);
        return NULL;
    }
    msr = spec_msr_at((uint32_t)address);
    if (msr == NULL) {
        why->code = ERR_UNKNOWN_MSR;
        snprintf(why->message, sizeof why->message, "no MSR at address 0x%08" PRIX64 " in the spec", address);
    }
    return msr;
}

const struct msr_instance *find_msr(const char *arg, struct lookup_failure *why)
{
    const struct msr_instance *msr;
    struct suggestion s;

    if (arg[0] >= '0' && arg[0] <= '9')
        return find_by_address(arg, why);
    msr = msr_find_by_name(arg);
    if (msr != NULL)
        return msr;
    /* The SDM writes model-specific registers MSR_PLATFORM_INFO and Linux
     * writes MSR_IA32_EFER; the spec's names drop that prefix. */
    if ((arg[0] == 'M' || arg[0] == 'm') && (arg[1] == 'S' || arg[1] == 's') && (arg[2] == 'R' || arg[2] == 'r') &&
        arg[3] == '_' && (msr = msr_find_by_name(arg + 4)) != NULL)
        return msr;
    why->code = ERR_UNKNOWN_MSR;
    if (arg[0] == '\0') {
        snprintf(why->message, sizeof why->message, "empty MSR name");
        return NULL;
    }
    suggestion_init(&s, arg);
    offer_msr_names(&s);
    snprintf(why->message, sizeof why->message, "unknown MSR '%s'%s", arg, suggestion_hint(&s));
    return NULL;
}

const struct msr_instance *lookup_msr(const char *arg)
{
    struct lookup_failure why;
    const struct msr_instance *msr = find_msr(arg, &why);

    if (msr == NULL)
        usage_error_code(why.code, "%s", why.message);
    return msr;
}

/* This machine's CPUID, each leaf asked once: under a hypervisor every
 * `cpuid` instruction is a VM exit (microseconds), and judging a shared
 * address asks for the vendor leaves again each time -- a dump of every
 * register of 64 CPUs asked 150,000 times and took half a minute. */
struct cpuid_memo {
    uint32_t leaf, subleaf;
    bool known;
    struct msr_cpuid_regs regs;
};

static struct cpuid_memo memo[64];
static size_t memo_count;

static bool cached_query(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    size_t i;

    (void)ctx;
    for (i = 0; i < memo_count; i++)
        if (memo[i].leaf == leaf && memo[i].subleaf == subleaf) {
            *out = memo[i].regs;
            return memo[i].known;
        }
    if (memo_count == sizeof memo / sizeof memo[0])
        return msr_cpuid_native.query(msr_cpuid_native.ctx, leaf, subleaf, out);
    memo[memo_count].leaf = leaf;
    memo[memo_count].subleaf = subleaf;
    memset(&memo[memo_count].regs, 0, sizeof memo[memo_count].regs);
    memo[memo_count].known = msr_cpuid_native.query(msr_cpuid_native.ctx, leaf, subleaf, &memo[memo_count].regs);
    *out = memo[memo_count].regs;
    return memo[memo_count++].known;
}

const struct msr_cpuid_source cpuid_this_machine = {cached_query, NULL};

/* Whose CPU a shared address is judged for: this machine's unless a command
 * was given --cpuid FILE. */
static struct msr_facts judged_facts = {&cpuid_this_machine, NULL, NULL, 0};
static bool judged_dump;

void lookup_use_cpuid(const struct msr_cpuid_source *cpuid)
{
    judged_facts.cpuid = cpuid;
    judged_dump = true;
}

int lookup_cpuid_option(const char *path, struct cpuid_file *dump)
{
    int status = cpuid_file_load(path, dump);

    if (status == TOOL_EXIT_OK)
        lookup_use_cpuid(&dump->source);
    return status;
}

bool lookup_judges_dump(void)
{
    return judged_dump;
}

uint64_t must_be_zero_mask(const struct msr_instance *msr)
{
    const struct msr_def *def = msr_def_of(msr);
    struct msr_masks masks;

    if (!judged_dump)
        return msr_def_masks(def)->reserved;
    msr_masks_for(def, msr->index, &judged_facts, false, &masks);
    return masks.reserved;
}

const struct msr_facts *lookup_facts(void)
{
    return &judged_facts;
}

/* Where registers share an address, the one of the judged CPU: the tool reads
 * and decodes this machine's MSRs, or those of the CPU a --cpuid dump names. */
const struct msr_instance *spec_msr_at(uint32_t address)
{
    return msr_find_by_address_for_cpu(address, &judged_facts);
}

bool lookup_target(const char *arg, struct msr_target *out)
{
    char why[128];
    uint64_t address;

    if (arg[0] >= '0' && arg[0] <= '9') {
        if (!parse_number(arg, 32, &address, why, sizeof why)) {
            usage_error_code(ERR_BAD_NUMBER, "invalid MSR address '%s': %s", arg, why);
            return false;
        }
        out->address = (uint32_t)address;
        out->msr = spec_msr_at(out->address);
        return true;
    }
    out->msr = lookup_msr(arg);
    if (out->msr == NULL)
        return false;
    out->address = out->msr->address;
    return true;
}

bool parse_value_arg(const char *arg, uint64_t *value)
{
    char why[128];

    if (parse_number(arg, 64, value, why, sizeof why))
        return true;
    usage_error_code(ERR_BAD_NUMBER, "invalid value '%s': %s", arg, why);
    return false;
}
