/* CPUID sources and MSR presence evaluation (x86msr/cpuid.h). Freestanding. */
#include "x86msr/cpuid.h"

static void cpuid_insn(uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    __asm__ __volatile__("cpuid"
                         : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
                         : "a"(leaf), "c"(subleaf));
}

static bool native_query(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    struct msr_cpuid_regs max;
    (void)ctx;
    /* A leaf above the maximum returns another leaf's data on Intel: check first. */
    cpuid_insn(leaf & 0x80000000u, 0, &max);
    if (leaf > max.eax)
        return false;
    cpuid_insn(leaf, subleaf, out);
    return true;
}

const struct msr_cpuid_source msr_cpuid_native = { native_query, NULL };

static bool table_query(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    const struct msr_cpuid_table *table = (const struct msr_cpuid_table *)ctx;
    size_t i;
    for (i = 0; i < table->count; i++) {
        if (table->entries[i].leaf == leaf && table->entries[i].subleaf == subleaf) {
            *out = table->entries[i].regs;
            return true;
        }
    }
    return false;
}

struct msr_cpuid_source msr_cpuid_table_source(const struct msr_cpuid_table *table)
{
    struct msr_cpuid_source source;
    source.query = table_query;
    source.ctx = (void *)(uintptr_t)table;
    return source;
}

/* "GenuineIntel" is EBX "Genu", EDX "ineI", ECX "ntel" (little-endian). */
unsigned msr_cpu_vendor(const struct msr_cpuid_source *cpuid)
{
    struct msr_cpuid_regs r;
    if (!cpuid)
        cpuid = &msr_cpuid_native;
    if (!cpuid->query(cpuid->ctx, 0, 0, &r))
        return 0;
    if (r.ebx == 0x756E6547u && r.edx == 0x49656E69u && r.ecx == 0x6C65746Eu)
        return MSR_VENDOR_INTEL;
    if (r.ebx == 0x68747541u && r.edx == 0x69746E65u && r.ecx == 0x444D4163u) /* AuthenticAMD */
        return MSR_VENDOR_AMD;
    if (r.ebx == 0x6F677948u && r.edx == 0x6E65476Eu && r.ecx == 0x656E6975u) /* HygonGenuine */
        return MSR_VENDOR_AMD;
    return 0;
}

static uint32_t cpuid_register(const struct msr_cpuid_regs *r, unsigned reg)
{
    switch (reg) {
    case MSR_CPUID_EAX: return r->eax;
    case MSR_CPUID_EBX: return r->ebx;
    case MSR_CPUID_ECX: return r->ecx;
    default: return r->edx;
    }
}

enum msr_support msr_is_supported(const struct msr_info *msr, const struct msr_cpuid_source *cpuid)
{
    bool any_holds = false;
    uint16_t i;
    if (!cpuid)
        cpuid = &msr_cpuid_native;
    if (msr->cpuid_count == 0)
        return MSR_SUPPORT_UNKNOWN;
    for (i = 0; i < msr->cpuid_count && !any_holds; i++) {
        const struct msr_cpuid_cond *c = &msr->cpuid[i];
        struct msr_cpuid_regs r;
        if (cpuid->query(cpuid->ctx, c->leaf, c->subleaf, &r))
            any_holds = (cpuid_register(&r, c->reg) >> c->bit) & 1u;
    }
    if (!any_holds)
        return MSR_SUPPORT_NO;
    if (msr->condition || !(msr->vendors & msr_cpu_vendor(cpuid)))
        return MSR_SUPPORT_UNKNOWN;
    return MSR_SUPPORT_YES;
}

const char *msr_support_name(enum msr_support support)
{
    switch (support) {
    case MSR_SUPPORT_NO: return "no";
    case MSR_SUPPORT_YES: return "yes";
    default: return "unknown";
    }
}
