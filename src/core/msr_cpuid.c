/* CPUID sources and the evaluation of presence conditions (x86msr/cpuid.h).
 * Freestanding: no libc, no allocation. */
#include "x86msr/cpuid.h"

#include "core_internal.h"

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

/* Whether the registers of `regs`, read in `order`, are the three words of a signature. */
static bool spells(const struct msr_cpuid_regs *regs, const uint8_t order[3], const uint32_t words[3])
{
    unsigned i;
    for (i = 0; i < 3; i++)
        if (cpuid_register(regs, order[i]) != words[i])
            return false;
    return true;
}

/* The vendors whose signature leaf is `leaf` and whose signature `regs`
 * spell. The signature table (msr_vendor_signatures, generated from
 * codegen/schema.py) holds no text and names no vendor here. */
static uint32_t signed_by(const struct msr_cpuid_regs *regs, uint32_t leaf)
{
    uint32_t vendors = 0;
    size_t v;

    for (v = 0; v < msr_vendor_signature_count; v++) {
        const struct msr_vendor_signature *sig = &msr_vendor_signatures[v];
        unsigned s;
        if (sig->leaf != leaf)
            continue;
        for (s = 0; s < sig->count && s < 2; s++)
            if (spells(regs, sig->registers, sig->words[s]))
                vendors |= sig->bit;
    }
    return vendors;
}

/* Linux looks for a hypervisor's leaves in blocks of 100H up to 4000FF00H
 * (hypervisor_cpuid_base()): a hypervisor offering another one's interface
 * moves its own block up (KVM and Xen with Hyper-V's at 40000000H put theirs
 * at 40000100H). The blocks follow each other, so the scan ends at the first
 * block the CPU does not answer. */
#define HYPERVISOR_BLOCK 0x100u
#define HYPERVISOR_SCAN_END 0x40010000u

/* The vendors whose signatures `cpuid` spells: the processor's at leaf 0,
 * each hypervisor's at the first leaf of its block. */
static uint32_t vendors_from(const struct msr_cpuid_source *cpuid)
{
    struct msr_cpuid_regs regs;
    uint32_t vendors = 0, block;

    if (cpuid->query(cpuid->ctx, 0, 0, &regs))
        vendors |= signed_by(&regs, 0);
    for (block = HYPERVISOR_BASE; block < HYPERVISOR_SCAN_END; block += HYPERVISOR_BLOCK) {
        if (!cpuid->query(cpuid->ctx, block, 0, &regs))
            break;
        vendors |= signed_by(&regs, HYPERVISOR_BASE);
    }
    return vendors;
}

static bool family_model_from(const struct msr_cpuid_source *cpuid, uint32_t *family, uint32_t *model)
{
    struct msr_cpuid_regs r;
    uint32_t base_family, base_model;
    if (!cpuid->query(cpuid->ctx, 1, 0, &r))
        return false;
    base_family = (r.eax >> 8) & 0xFu;
    base_model = (r.eax >> 4) & 0xFu;
    *family = base_family == 0xFu ? base_family + ((r.eax >> 20) & 0xFFu) : base_family;
    *model = (base_family == 0x6u || base_family == 0xFu) ? (((r.eax >> 16) & 0xFu) << 4) | base_model : base_model;
    return true;
}

#define LEAF_ADDRESS_SIZES 0x80000008u
#define CPUID_1_EDX_PAE (1u << 6)

static unsigned max_phys_addr_from(const struct msr_cpuid_source *cpuid)
{
    struct msr_cpuid_regs r;

    if (cpuid->query(cpuid->ctx, LEAF_ADDRESS_SIZES, 0, &r) && (r.eax & 0xFFu) != 0)
        return (r.eax & 0xFFu) > 64 ? 64 : r.eax & 0xFFu;
    if (cpuid->query(cpuid->ctx, 1, 0, &r))
        return (r.edx & CPUID_1_EDX_PAE) ? 36 : 32;
    return 0;
}

static unsigned linear_bits_from(const struct msr_cpuid_source *cpuid)
{
    struct msr_cpuid_regs r;
    unsigned bits;

    if (!cpuid->query(cpuid->ctx, LEAF_ADDRESS_SIZES, 0, &r))
        return 0;
    bits = (r.eax >> 8) & 0xFFu;
    return bits >= 32 && bits <= 64 ? bits : 0;
}

static void identify(const struct msr_cpuid_source *cpuid, struct msr_cpu_identity *id)
{
    id->vendors = vendors_from(cpuid);
    id->has_family = family_model_from(cpuid, &id->family, &id->model);
    if (!id->has_family)
        id->family = id->model = 0;
    id->max_phys_addr = (uint8_t)max_phys_addr_from(cpuid);
    id->linear_bits = (uint8_t)linear_bits_from(cpuid);
}

/* ---- prepared facts: the identity computed once ---- */

static bool prepared_query(void *ctx, uint32_t leaf, uint32_t subleaf, struct msr_cpuid_regs *out)
{
    const struct msr_facts_cache *cache = (const struct msr_facts_cache *)ctx;
    return cache->original->query(cache->original->ctx, leaf, subleaf, out);
}

/* The cache behind a prepared source, or NULL. */
static const struct msr_cpu_identity *cached(const struct msr_cpuid_source *cpuid)
{
    return cpuid != NULL && cpuid->query == prepared_query ? &((const struct msr_facts_cache *)cpuid->ctx)->id
                                                           : NULL;
}

void msr_facts_prepare(struct msr_facts *facts, struct msr_facts_cache *cache)
{
    const struct msr_cpuid_source *original;

    if (facts == NULL || cache == NULL || facts->cpuid == NULL)
        return;
    original = facts->cpuid;
    if (original->query == prepared_query) /* prepared before: start again from its source */
        original = ((const struct msr_facts_cache *)original->ctx)->original;
    cache->original = original;
    cache->source.query = prepared_query;
    cache->source.ctx = cache;
    identify(original, &cache->id);
    facts->cpuid = &cache->source;
}

const struct msr_cpu_identity *msr_cpu_identity_of(const struct msr_cpuid_source *cpuid,
                                                   struct msr_cpu_identity *scratch)
{
    const struct msr_cpu_identity *id = cached(cpuid);

    if (id != NULL)
        return id;
    if (cpuid == NULL) {
        scratch->vendors = scratch->family = scratch->model = 0;
        scratch->has_family = scratch->max_phys_addr = scratch->linear_bits = 0;
    } else {
        identify(cpuid, scratch);
    }
    return scratch;
}

uint32_t msr_cpu_vendors(const struct msr_cpuid_source *cpuid)
{
    const struct msr_cpu_identity *id = cached(cpuid);
    if (id != NULL)
        return id->vendors;
    return cpuid != NULL ? vendors_from(cpuid) : 0;
}

bool msr_cpu_family_model(const struct msr_cpuid_source *cpuid, uint32_t *family, uint32_t *model)
{
    const struct msr_cpu_identity *id = cached(cpuid);

    if (id == NULL)
        return cpuid != NULL && family_model_from(cpuid, family, model);
    if (id->has_family) {
        *family = id->family;
        *model = id->model;
    }
    return id->has_family != 0;
}

unsigned msr_cpu_max_phys_addr(const struct msr_cpuid_source *cpuid)
{
    const struct msr_cpu_identity *id = cached(cpuid);
    if (id != NULL)
        return id->max_phys_addr;
    return cpuid != NULL ? max_phys_addr_from(cpuid) : 0;
}

unsigned msr_cpu_linear_bits(const struct msr_cpuid_source *cpuid)
{
    const struct msr_cpu_identity *id = cached(cpuid);
    if (id != NULL)
        return id->linear_bits;
    return cpuid != NULL ? linear_bits_from(cpuid) : 0;
}

/* The facts' vendors (0: unknown). */
static uint32_t facts_vendors(const struct msr_facts *facts)
{
    return facts != NULL ? msr_cpu_vendors(facts->cpuid) : 0;
}

static uint64_t bits_of(uint64_t value, unsigned msb, unsigned lsb)
{
    uint64_t width_mask = (msb - lsb == 63) ? ~0ull : ((1ull << (msb - lsb + 1)) - 1);
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
    case MSR_CONDITION_KIND_INDEX: /* a field of one array instance */
        return index == c->operand ? MSR_SUPPORT_YES : MSR_SUPPORT_NO;
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
    uint32_t vendors = facts_vendors(facts);
    if (def->present_if)
        condition = msr_condition_eval(msr_def_condition(def, def->present_if), index, facts);
    if (condition == MSR_SUPPORT_NO)
        return MSR_SUPPORT_NO;
    if (def->vendors & vendors)
        return condition;
    /* None of the processor's vendors documents the register: absent, as a
     * field of another vendor is, unless the vendors are unknown or the
     * caller asked for "unknown" here. */
    if (vendors != 0 && !(facts->flags & MSR_FACTS_OTHER_VENDORS_UNKNOWN))
        return MSR_SUPPORT_NO;
    return MSR_SUPPORT_UNKNOWN;
}

/* Whether `field` exists given that its register does: the field's own
 * vendors and presence condition. */
static enum msr_support field_given_register(const struct msr_def *def, uint32_t index,
                                             const struct msr_field_info *field, const struct msr_facts *facts)
{
    enum msr_support own = MSR_SUPPORT_YES;

    if (field->vendors) {
        uint32_t vendors = facts_vendors(facts);
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
    uint32_t vendors = facts_vendors(facts);

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

uint64_t msr_above_maxphyaddr_(const struct msr_facts *facts)
{
    unsigned width = facts != NULL ? msr_cpu_max_phys_addr(facts->cpuid) : 0;
    return width == 0 || width >= 64 ? 0 : ~0ull << width;
}

/* Whether the processor checks that canonical field `f` holds a canonical
 * address: unless its vendors are known and none of them is one the field
 * names (0: every vendor of the field). */
static bool checks_canonical(const struct msr_field_info *f, uint32_t vendors)
{
    return f->canonical_vendors == 0 || vendors == 0 || (vendors & f->canonical_vendors) != 0;
}

void msr_masks_for(const struct msr_def *def, uint32_t index, const struct msr_facts *facts, bool strict,
                   struct msr_masks *out)
{
    uint64_t covered = 0, above = msr_above_maxphyaddr_(facts);
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
        if (f->flags & MSR_FIELD_F_PHYS_ADDR)
            mask &= ~above; /* bits at and above MAXPHYADDR are reserved */
        covered |= mask;
        if (f->flags & MSR_FIELD_F_UNDOCUMENTED)
            continue; /* implementation-specific: covered, never written through the typed API */
        if (f->access != MSR_ACCESS_RO)
            out->writable |= mask;
        if (f->access == MSR_ACCESS_RW1C)
            out->w1c |= mask;
        if ((f->flags & MSR_FIELD_F_CANONICAL) && checks_canonical(f, facts_vendors(facts)))
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
    return top == 0 || top == (~0ull >> (linear_bits - 1));
}

const char *msr_support_name(enum msr_support support)
{
    switch (support) {
    case MSR_SUPPORT_NO: return "no";
    case MSR_SUPPORT_YES: return "yes";
    default: return "unknown";
    }
}

