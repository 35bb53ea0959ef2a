/* CPUID sources and the evaluation of presence conditions (x86msr/cpuid.h).
 * Freestanding: no libc, no allocation. */
#include "x86msr/cpuid.h"

static void cpuid_insn(uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    __asm__ __volatile__("cpuid"
                         : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
                         : "a"(leaf), "c"(subleaf));
}

#define HYPERVISOR_BASE 0x40000000u
#define HYPERVISOR_END 0x50000000u

static bool native_query(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    struct msr_cpuid_regs max;
    (void)ctx;
    /* A leaf above the maximum returns another leaf's data on Intel: check first. */
    if (leaf >= HYPERVISOR_BASE && leaf < HYPERVISOR_END) {
        /* Hypervisor leaves exist only under a hypervisor (CPUID.01H:ECX[31]),
         * in blocks of 100H whose first leaf gives the block's maximum. */
        cpuid_insn(1, 0, &max);
        if (!(max.ecx & (1u << 31)))
            return false;
        cpuid_insn(leaf & ~0xFFu, 0, &max);
        if (leaf > max.eax || max.eax - (leaf & ~0xFFu) > 0xFFu)
            return false;
    } else {
        cpuid_insn(leaf & 0x80000000u, 0, &max);
        if (leaf > max.eax)
            return false;
    }
    cpuid_insn(leaf, subleaf, out);
    return true;
}

const struct msr_cpuid_source msr_cpuid_native = { native_query, NULL };

/* The entry for leaf and subleaf; else one for every subleaf of the leaf. */
static bool table_query(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    const struct msr_cpuid_table *table = (const struct msr_cpuid_table *)ctx;
    const struct msr_cpuid_entry *any = NULL;
    size_t i;
    for (i = 0; i < table->count; i++) {
        const struct msr_cpuid_entry *e = &table->entries[i];
        if (e->leaf != leaf)
            continue;
        if (e->subleaf == subleaf) {
            *out = e->regs;
            return true;
        }
        if (e->subleaf == MSR_CPUID_ANY_SUBLEAF && any == NULL)
            any = e;
    }
    if (any == NULL)
        return false;
    *out = any->regs;
    return true;
}

struct msr_cpuid_source msr_cpuid_table_source(const struct msr_cpuid_table *table)
{
    struct msr_cpuid_source source;
    source.query = table_query;
    source.ctx = (void *)(uintptr_t)table;
    return source;
}

static uint32_t cpuid_register(const struct msr_cpuid_regs *r, unsigned reg)
{
    switch (reg) {
    case MSR_CPUID_REG_EAX: return r->eax;
    case MSR_CPUID_REG_EBX: return r->ebx;
    case MSR_CPUID_REG_ECX: return r->ecx;
    default: return r->edx;
    }
}

/* Whether the 12 bytes of `regs` in `order` spell `signature`. */
static bool spells(const struct msr_cpuid_regs *regs, const uint8_t order[3], const char *signature)
{
    unsigned i;
    for (i = 0; i < 12; i++) {
        uint32_t word = cpuid_register(regs, order[i / 4]);
        if ((char)((word >> (8 * (i % 4))) & 0xFFu) != signature[i])
            return false;
    }
    return true;
}

uint32_t msr_cpu_vendors(const struct msr_cpuid_source *cpuid)
{
    uint32_t vendors = 0;
    size_t v;
    if (!cpuid)
        return 0;
    /* The signature tables (leaf, spelling order, strings) are generated from
     * codegen/schema.py: nothing here names a vendor. */
    for (v = 0; v < msr_vendor_table_count; v++) {
        const struct msr_vendor_info *info = &msr_vendor_table[v];
        struct msr_cpuid_regs regs;
        unsigned s;
        if (!info->signatures[0] || !cpuid->query(cpuid->ctx, info->leaf, 0, &regs))
            continue;
        for (s = 0; s < 2 && info->signatures[s]; s++)
            if (spells(&regs, info->registers, info->signatures[s]))
                vendors |= info->bit;
    }
    return vendors;
}

bool msr_cpu_family_model(const struct msr_cpuid_source *cpuid, uint32_t *family, uint32_t *model)
{
    struct msr_cpuid_regs r;
    uint32_t base_family, base_model;
    if (!cpuid || !cpuid->query(cpuid->ctx, 1, 0, &r))
        return false;
    base_family = (r.eax >> 8) & 0xFu;
    base_model = (r.eax >> 4) & 0xFu;
    *family = base_family == 0xFu ? base_family + ((r.eax >> 20) & 0xFFu) : base_family;
    *model = (base_family == 0x6u || base_family == 0xFu) ? (((r.eax >> 16) & 0xFu) << 4) | base_model : base_model;
    return true;
}

static uint64_t bits_of(uint64_t value, unsigned msb, unsigned lsb)
{
    uint64_t width_mask = (msb - lsb == 63) ? ~UINT64_C(0) : ((UINT64_C(1) << (msb - lsb + 1)) - 1);
    return (value >> lsb) & width_mask;
}

static enum msr_support compare(const struct msr_condition *c, uint64_t value, uint32_t index)
{
    uint64_t tested, operand = (c->flags & MSR_CONDITION_OPERAND_IS_INDEX) ? index : c->operand;
    bool holds;
    if (c->flags & MSR_CONDITION_BIT_IS_INDEX)
        tested = index < 64 ? (value >> index) & 1u : 0;
    else
        tested = bits_of(value, c->msb, c->lsb);
    switch (c->compare) {
    case MSR_COMPARE_EQUALS: holds = tested == operand; break;
    case MSR_COMPARE_ABOVE: holds = tested > operand; break;
    case MSR_COMPARE_AT_LEAST: holds = tested >= operand; break;
    default: holds = tested != 0; break;
    }
    return holds ? MSR_SUPPORT_YES : MSR_SUPPORT_NO;
}

static enum msr_support leaf_eval(const struct msr_condition *c, uint32_t index, const struct msr_facts *facts)
{
    switch (c->kind) {
    case MSR_CONDITION_KIND_CPUID: {
        struct msr_cpuid_regs r = { 0, 0, 0, 0 };
        if (!facts || !facts->cpuid)
            return MSR_SUPPORT_UNKNOWN;
        /* A leaf beyond the maximum enumerates nothing: its registers count as 0. */
        if (!facts->cpuid->query(facts->cpuid->ctx, c->leaf, c->subleaf, &r))
            r.eax = r.ebx = r.ecx = r.edx = 0;
        return compare(c, cpuid_register(&r, c->reg), index);
    }
    case MSR_CONDITION_KIND_MSR: {
        uint64_t value;
        uint32_t address = c->msr + (c->msr_stride ? index * c->msr_stride : 0);
        if (!facts || !facts->read_msr || facts->read_msr(facts->msr_ctx, address, &value) != MSR_OK)
            return MSR_SUPPORT_UNKNOWN;
        return compare(c, value, index);
    }
    case MSR_CONDITION_KIND_FAMILY: {
        uint32_t family, model;
        unsigned i;
        if (!facts || !msr_cpu_family_model(facts->cpuid, &family, &model))
            return MSR_SUPPORT_UNKNOWN;
        if (family != c->family)
            return MSR_SUPPORT_NO;
        if (c->model_count == 0)
            return MSR_SUPPORT_YES;
        for (i = 0; i < c->model_count; i++)
            if (msr_condition_model(c, i) == model)
                return MSR_SUPPORT_YES;
        return MSR_SUPPORT_NO;
    }
    default: /* CONTEXT: a processor state no fact shows */
        return MSR_SUPPORT_UNKNOWN;
    }
}

/* Kleene logic: ALL_OF is NO if any child is NO, YES if all are YES;
 * ANY_OF is YES if any child is YES, NO if all are NO; else UNKNOWN.
 * NOT swaps YES and NO and keeps UNKNOWN. */
enum msr_support msr_condition_eval(const struct msr_condition *cond, uint32_t index, const struct msr_facts *facts)
{
    const union msr_cell *child, *end;
    bool any = cond->kind == MSR_CONDITION_KIND_ANY_OF;
    bool unknown = false;
    if (cond->kind == MSR_CONDITION_KIND_NOT) {
        enum msr_support s = msr_condition_eval(msr_condition_child(cond), index, facts);
        return s == MSR_SUPPORT_UNKNOWN ? s : (s == MSR_SUPPORT_YES ? MSR_SUPPORT_NO : MSR_SUPPORT_YES);
    }
    if (cond->kind != MSR_CONDITION_KIND_ANY_OF && cond->kind != MSR_CONDITION_KIND_ALL_OF)
        return leaf_eval(cond, index, facts);
    end = msr_condition_cell(cond) + cond->size;
    for (child = msr_condition_cell(cond) + 1; child < end; child += child->cond.size) {
        enum msr_support s = msr_condition_eval(&child->cond, index, facts);
        if (s == MSR_SUPPORT_UNKNOWN)
            unknown = true;
        else if ((s == MSR_SUPPORT_YES) == any)
            return s;
    }
    if (unknown)
        return MSR_SUPPORT_UNKNOWN;
    return any ? MSR_SUPPORT_NO : MSR_SUPPORT_YES;
}

enum msr_support msr_is_supported(const struct msr_def *def, uint32_t index, const struct msr_facts *facts)
{
    enum msr_support condition = MSR_SUPPORT_UNKNOWN;
    uint32_t vendors = facts ? msr_cpu_vendors(facts->cpuid) : 0;
    if (def->present_if)
        condition = msr_condition_eval(msr_def_condition(def, def->present_if), index, facts);
    if (condition == MSR_SUPPORT_NO)
        return MSR_SUPPORT_NO;
    if (!(def->vendors & vendors))
        return MSR_SUPPORT_UNKNOWN; /* vendor unknown, or one that does not document it */
    return condition;
}

/* Whether `field` exists given that its register does: the field's own
 * vendors and presence condition. */
static enum msr_support field_given_register(const struct msr_def *def, uint32_t index,
                                             const struct msr_field_info *field, const struct msr_facts *facts)
{
    enum msr_support own = MSR_SUPPORT_YES;

    if (field->vendors) {
        uint32_t vendors = facts ? msr_cpu_vendors(facts->cpuid) : 0;
        if (!(vendors & def->vendors))
            own = MSR_SUPPORT_UNKNOWN; /* vendor unknown, or one that does not document the register */
        else if (!(vendors & field->vendors))
            return MSR_SUPPORT_NO;
    }
    if (field->present_if) {
        enum msr_support c = msr_condition_eval(msr_def_condition(def, field->present_if), index, facts);
        if (c != MSR_SUPPORT_YES)
            return c;
    }
    return own;
}

enum msr_support msr_field_is_supported(const struct msr_def *def, uint32_t index,
                                        const struct msr_field_info *field, const struct msr_facts *facts)
{
    enum msr_support reg = msr_is_supported(def, index, facts), own;

    if (reg == MSR_SUPPORT_NO)
        return MSR_SUPPORT_NO;
    own = field_given_register(def, index, field, facts);
    if (own == MSR_SUPPORT_NO)
        return MSR_SUPPORT_NO;
    return reg == MSR_SUPPORT_YES ? own : MSR_SUPPORT_UNKNOWN;
}

const struct msr_instance *msr_spec_find_for_cpu(const struct msr_spec *spec, uint32_t address,
                                                 const struct msr_facts *facts)
{
    const struct msr_instance *first = msr_spec_find(spec, address), *end = spec->instances + spec->instance_count;
    const struct msr_instance *m, *documented = NULL, *possible = NULL;
    uint32_t vendors = facts ? msr_cpu_vendors(facts->cpuid) : 0;

    for (m = first; m != NULL && m < end && m->address == address; m++) {
        const struct msr_def *def = msr_spec_def(spec, m);
        enum msr_support s;
        if (!(def->vendors & vendors))
            continue;
        s = msr_is_supported(def, m->index, facts);
        if (s == MSR_SUPPORT_YES)
            return m;
        if (s != MSR_SUPPORT_NO && possible == NULL)
            possible = m;
        if (documented == NULL)
            documented = m;
    }
    return possible ? possible : documented ? documented : first;
}

void msr_masks_for(const struct msr_def *def, uint32_t index, const struct msr_facts *facts, bool strict,
                   struct msr_masks *out)
{
    uint64_t covered = 0;
    unsigned i;

    out->writable = out->w1c = out->canonical = 0;
    for (i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        enum msr_support here = MSR_SUPPORT_YES;
        uint64_t mask = msr_field_mask(f);

        if (f->vendors || f->present_if)
            here = field_given_register(def, index, f, facts);
        if (here == MSR_SUPPORT_NO || (strict && here == MSR_SUPPORT_UNKNOWN))
            continue;
        covered |= mask;
        if (f->flags & MSR_FIELD_F_UNDOCUMENTED)
            continue; /* implementation-specific: covered, never written through the typed API */
        if (f->access != MSR_ACCESS_RO)
            out->writable |= mask;
        if (f->access == MSR_ACCESS_RW1C)
            out->w1c |= mask;
        if (f->flags & MSR_FIELD_F_CANONICAL)
            out->canonical |= mask;
    }
    out->reserved = ~covered;
}

bool msr_is_canonical(uint64_t value, unsigned linear_bits)
{
    uint64_t top;
    if (linear_bits == 0 || linear_bits >= 64)
        return true;
    /* bits 63:linear_bits-1 all equal */
    top = value >> (linear_bits - 1);
    return top == 0 || top == (~UINT64_C(0) >> (linear_bits - 1));
}

const char *msr_support_name(enum msr_support support)
{
    switch (support) {
    case MSR_SUPPORT_NO: return "no";
    case MSR_SUPPORT_YES: return "yes";
    default: return "unknown";
    }
}

