/*
 * libFuzzer harness: the MSR-exit handler (msr_virt_rdmsr / msr_virt_wrmsr)
 * and the intercept formats built from the same policy. The input is what a
 * hostile guest and a careless VMM author control between them: the policy
 * (entries, actions, flags, fixed values, emulators that refuse or forward),
 * the guest's CPUID and MSR facts, and a sequence of RDMSR/WRMSR exits.
 *
 * Oracles besides the sanitizers, each stated with public API only:
 * - msr_virt_policy_check() accepts only entries whose check record (def)
 *   describes every MSR they cover, and, without a spec, refuses exactly the
 *   PASS and EMULATE that no record would check;
 * - every answer is HANDLED, INJECT_GP or FORWARD, with a reason;
 * - the checks use the entry's record (at the instance of the MSR) or the
 *   policy's spec's register for the guest's CPU, and the vCPU names it
 *   (vcpu->def; NULL when the policy's action alone decided); a field at
 *   fault (vcpu->field) is one the broken rule is about;
 * - the answer follows the policy's action (DENY is #GP, IGNORE reads 0 and
 *   drops writes, FIXED reads its value and accepts only that value back,
 *   PASS never reaches the emulator);
 * - for PASS and EMULATE with spec checks, a write is refused exactly when
 *   the register is absent on the guest's CPU, read-only, or breaks a value
 *   rule of the spec, each stated here from the records' public metadata:
 *   a bit set outside the fields msr_masks_for(strict) leaves present, once
 *   the harness has itself removed from them the bits of phys_addr fields
 *   at and above the guest's MAXPHYADDR (CPUID.80000008H:EAX[7:0], else 36
 *   with PAE, else 32); a non-canonical address (bits 63..linear_bits-1 not
 *   all equal) in a canonical field whose canonical_vendors include the
 *   guest's vendor (or the vendor is unknown); a value a present strict_enum
 *   field's enum does not define (an invalid PAT or MTRR memory type; for
 *   IA32_PAT checked against the SDM's list too); a non-zero value in a
 *   write_zero field or register whose writable_if condition is not YES
 *   (msr_condition_eval); a register whose locked_by field is 1 in its
 *   current value (the emulator's for EMULATE, the facts' for PASS) with
 *   writes that fault -- where they are ignored the answer is HANDLED and
 *   nothing is stored or forwarded; a read exactly when absent or write-only;
 * - an emulated write stores plain writable bits from the guest's value,
 *   keeps read-only bits, clears write-1-to-clear bits the guest wrote as 1;
 * - the VMX bitmap and SVM permission map intercept exactly the non-PASS
 *   accesses inside their ranges and everything outside; KVM's filter never
 *   lets a non-PASS access stay in the kernel (x2APIC MSRs aside);
 * - answers are deterministic: the same exit twice gives the same answer;
 * - the indexed policy decides as the first-match lookup, and its builder
 *   reports msr_virt_policy_check()'s first error; a prepared vCPU
 *   (msr_virt_prepare) gives every exit the same answer, reason, register,
 *   field, value and stored value as the unprepared handler.
 */
#include "x86msr/virt.h"
#include "fuzz_oracle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the input, read as a stream (zeros once it is exhausted) ---- */

struct input {
    const uint8_t *data;
    size_t size;
};

static uint8_t take8(struct input *in)
{
    uint8_t b = 0;
    if (in->size > 0) {
        b = in->data[0];
        in->data++;
        in->size--;
    }
    return b;
}

static uint32_t take32(struct input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)take8(in) << (8 * i);
    return v;
}

static uint64_t take64(struct input *in)
{
    return take32(in) | (uint64_t)take32(in) << 32;
}

/* An MSR a guest might touch: usually one the spec describes (the handler's
 * interesting paths), sometimes next to one, sometimes anything at all. */
static uint32_t take_msr(struct input *in)
{
    uint8_t how = take8(in);
    uint32_t pick = take32(in);
    uint32_t address = msr_spec.instances[pick % msr_spec.instance_count].address;

    switch (how % 4) {
    case 0:
    case 1:
        return address;
    case 2:
        return address + (uint32_t)(how >> 2) - 32u;
    default:
        return pick;
    }
}

/* ---- the guest's virtual CPU ---- */

#define LEAVES 12
static const uint32_t leaf_ids[LEAVES] = {0x0,        0x1,        0x6,        0x7,        0xA,        0xD,
                                          0x14,       0x40000000, 0x80000000, 0x80000001, 0x80000007, 0x80000008};

struct guest {
    struct msr_cpuid_entry entries[LEAVES];
    struct msr_cpuid_table table;
    struct msr_cpuid_source cpuid;
    struct msr_facts facts;
    uint64_t msr_seed; /* MSR values the facts know: a hash of the address */
    uint8_t msr_mode;  /* 0: no MSR is known, 1: all are, 2: some fail, 3: all are, with bits 7:5
                          clear (counts in bits 7:0 that array instances' presence is near) */
    bool from_emulator; /* the known values are the emulator's registers: a write the handler
                           accepts changes what the conditions read (IA32_APIC_BASE.EXTD, ...) */
    const struct emulator_state *emu; /* whose, then */
};

struct emulator_state;
static uint64_t emulator_value(const struct emulator_state *s, uint32_t msr);

static const uint32_t vendor_ebx[] = {0x756e6547u /* Genu */, 0x68747541u /* Auth */, 0x6f677948u /* Hygo */,
                                      0x12345678u};
static const uint32_t vendor_edx[] = {0x49656e69u /* ineI */, 0x69746e65u /* enti */, 0x6e65476eu /* nGen */,
                                      0x9abcdef0u};
static const uint32_t vendor_ecx[] = {0x6c65746eu /* ntel */, 0x444d4163u /* cAMD */, 0x656e6975u /* uine */,
                                      0x0fedcba9u};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

static int guest_read_msr(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct guest *g = ctx;
    uint64_t h = mix(g->msr_seed ^ msr);

    if (g->msr_mode == 2 && (h & 1)) {
        *value = 0;
        return MSR_ERR_FAULT;
    }
    if (g->from_emulator) {
        *value = emulator_value(g->emu, msr);
        return MSR_OK;
    }
    *value = g->msr_mode == 3 ? h & ~UINT64_C(0xE0) : h;
    return MSR_OK;
}

static void guest_init(struct guest *g, struct input *in)
{
    uint8_t vendor_byte = take8(in); /* 1:0 the vendor, bit 7 MSR_FACTS_OTHER_VENDORS_UNKNOWN */
    uint8_t vendor = vendor_byte % 4;
    uint8_t present = take8(in); /* bit i: leaves beyond the first two exist */

    memset(g, 0, sizeof *g);
    g->table.entries = g->entries;
    for (size_t i = 0; i < LEAVES; i++) {
        struct msr_cpuid_entry *e = &g->entries[g->table.count];
        if (i >= 2 && !(present & (1u << ((i - 2) % 8))) && leaf_ids[i] != 0x80000000)
            continue;
        e->leaf = leaf_ids[i];
        e->regs.eax = take32(in);
        e->regs.ebx = take32(in);
        e->regs.ecx = take32(in);
        e->regs.edx = take32(in);
        if (e->leaf == 0) {
            e->regs.eax = 0x20;
            e->regs.ebx = vendor_ebx[vendor];
            e->regs.edx = vendor_edx[vendor];
            e->regs.ecx = vendor_ecx[vendor];
        } else if (e->leaf == 0x80000000) {
            e->regs.eax = 0x80000008;
        }
        g->table.count++;
    }
    g->cpuid = msr_cpuid_table_source(&g->table);
    g->msr_seed = take64(in);
    {
        uint8_t mode = take8(in);
        g->msr_mode = mode % 4;
        g->from_emulator = mode >= 252 && g->msr_mode != 0;
    }
    switch (take8(in) % 4) {
    case 0: /* nothing known: no presence checks */
        break;
    default:
        g->facts.cpuid = &g->cpuid;
        g->facts.flags = (vendor_byte & 0x80u) ? MSR_FACTS_OTHER_VENDORS_UNKNOWN : 0;
        if (g->msr_mode != 0) {
            g->facts.read_msr = guest_read_msr;
            g->facts.msr_ctx = g;
        }
    }
}

/* ---- an emulator that remembers what it stores ---- */

#define SLOTS 64
struct emulator_state {
    uint32_t msr[SLOTS];
    uint64_t value[SLOTS];
    bool used[SLOTS];
    uint8_t mood;          /* how reads and writes answer, per MSR */
    unsigned reads, writes;
    bool wrote;            /* the last call wrote */
    uint32_t wrote_msr;
    uint64_t wrote_value;
};

static size_t slot_of(const struct emulator_state *s, uint32_t msr)
{
    size_t i = (size_t)(mix(msr) % SLOTS);
    while (s->used[i] && s->msr[i] != msr)
        i = (i + 1) % SLOTS;
    return i;
}

/* What the emulator holds for `msr`: its last stored value, else a pattern. */
static uint64_t emulator_value(const struct emulator_state *s, uint32_t msr)
{
    size_t i = slot_of(s, msr);
    return s->used[i] ? s->value[i] : mix(msr);
}

/* The answer a callback gives for `msr`: mostly HANDLED, but a fuzzed mood
 * makes some MSRs refuse, forward, or answer outside the enum. */
static enum msr_virt_result mood_for(const struct emulator_state *s, uint32_t msr, bool write)
{
    uint64_t h = mix(msr ^ (write ? 0x5555u : 0u) ^ s->mood);
    if (s->mood < 192 || (h & 3) == 0)
        return MSR_VIRT_HANDLED;
    switch (h % 3) {
    case 0:
        return MSR_VIRT_INJECT_GP;
    case 1:
        return MSR_VIRT_FORWARD;
    default:
        return (enum msr_virt_result)7;
    }
}

static enum msr_virt_result emulate_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct emulator_state *s = ctx;

    s->reads++;
    *value = emulator_value(s, msr);
    return mood_for(s, msr, false);
}

static enum msr_virt_result emulate_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct emulator_state *s = ctx;
    enum msr_virt_result r = mood_for(s, msr, true);
    size_t i = slot_of(s, msr);

    s->writes++;
    s->wrote = true;
    s->wrote_msr = msr;
    s->wrote_value = value;
    if (r == MSR_VIRT_HANDLED) {
        size_t used = 0;
        for (size_t k = 0; k < SLOTS; k++)
            used += s->used[k];
        if (s->used[i] || used < SLOTS - 1) {
            s->used[i] = true;
            s->msr[i] = msr;
            s->value[i] = value;
        }
    }
    return r;
}

static const struct msr_virt_emulator emulator = {emulate_read, emulate_write};
static const struct msr_virt_emulator half_emulator = {emulate_read, NULL};

/* ---- the policy ---- */

#define MAX_ENTRIES 10

static enum msr_virt_action take_action(struct input *in)
{
    uint8_t b = take8(in);
    return b == 0xFF ? (enum msr_virt_action)MSR_VIRT_ACTION_COUNT : (enum msr_virt_action)(b % MSR_VIRT_ACTION_COUNT);
}

static void policy_init(struct msr_virt_policy *p, struct msr_virt_entry *entries, struct input *in)
{
    uint8_t count = take8(in) % (MAX_ENTRIES + 1);

    memset(p, 0, sizeof *p);
    for (uint8_t i = 0; i < count; i++) {
        struct msr_virt_entry *e = &entries[i];
        uint8_t shape = take8(in);
        uint8_t extras = take8(in);

        memset(e, 0, sizeof *e);
        e->first = take_msr(in);
        e->last = e->first;
        if (shape & 1)
            e->last = e->first + (shape & 2 ? take32(in) % 0x3000u : (uint32_t)(shape >> 2));
        if (e->last < e->first)
            e->last = UINT32_MAX;
        e->read = take_action(in);
        e->write = take_action(in);
        e->flags = extras & 0x80 ? (extras & 0x40 ? 0x2u : MSR_VIRT_NO_SPEC_CHECKS) : 0u;
        e->value = take64(in);
        if (extras & 1)
            e->emulator = extras & 2 ? &half_emulator : &emulator;
        if (extras & 4) {
            /* a record of its own: usually the right one, sometimes another register's */
            const struct msr_instance *inst = msr_find_by_address(e->first);
            e->def = inst != NULL && !(extras & 8) && !(extras & 0x20) ? msr_def_of(inst)
                                                                       : msr_spec.defs[take32(in) % msr_spec.def_count];
            for (int tries = 0; (extras & 0x20) && e->def->count == 1 && tries < 8; tries++)
                e->def = msr_spec.defs[take32(in) % msr_spec.def_count];
            if ((extras & 0x20) && e->def->count > 1) {
                /* one instance of an array, its record named */
                e->first = e->last = e->def->address + (take8(in) % e->def->count) * e->def->stride;
            } else if ((extras & 0x10) && e->def->count > 1 && e->def->stride == 1) {
                /* some instances of a stride-1 array, all of them, or one past */
                uint32_t from = take8(in) % e->def->count, n = 1u + take8(in) % (e->def->count - from + 1u);
                e->first = e->def->address + from;
                e->last = e->first + n - 1u;
            }
        }
    }
    p->entries = entries;
    p->count = count;
    p->default_read = take_action(in);
    p->default_write = take_action(in);
    uint8_t emu = take8(in) % 4;
    p->emulator = emu == 0 ? NULL : emu == 1 ? &half_emulator : &emulator;
    p->spec = take8(in) % 4 == 0 ? NULL : &msr_spec;
}

/* An MSR of an exit: one take_msr() picks, or, as often, one the policy
 * names (an entry's first or last MSR, or one between). */
static uint32_t take_exit_msr(struct input *in, const struct msr_virt_policy *p)
{
    uint8_t how = take8(in);
    const struct msr_virt_entry *e;
    uint32_t span;

    if (p->count == 0 || how < 128)
        return take_msr(in);
    e = &p->entries[how % p->count];
    if (e->last < e->first)
        return e->first;
    span = e->last - e->first;
    switch ((how >> 4) % 4) {
    case 0:
        return e->first;
    case 1:
        return e->last;
    default:
        return span == UINT32_MAX ? take32(in) : e->first + take32(in) % (span + 1u);
    }
}

/* ---- the oracles ---- */

/* FUZZ_VIRT_VERBOSE=1 ./fuzz_virt_exit crash-...: the policy and every exit, to triage a crash. */
static bool verbose(void)
{
    static int v = -1;
    if (v < 0)
        v = getenv("FUZZ_VIRT_VERBOSE") != NULL;
    return v != 0;
}


static unsigned linear_bits_of(const struct msr_virt_vcpu *vcpu)
{
    return msr_virt_linear_bits(vcpu->facts, vcpu->linear_bits);
}

/* Bits 63..linear_bits-1 all equal. */
static bool canonical(uint64_t value, unsigned bits)
{
    uint64_t high = value >> (bits - 1);
    return high == 0 || high == (UINT64_MAX >> (bits - 1));
}

static bool pat_ok(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        uint8_t type = (uint8_t)(pat >> (8 * i));
        if (type != 0 && type != 1 && type != 4 && type != 5 && type != 6 && type != 7)
            return false;
    }
    return true;
}

/* Whether field `f` of `def`, one the spec marks strict_enum, holds one of
 * its enum's values in `value`. */
static bool strict_field_ok(const struct msr_def *def, const struct msr_field_info *f, uint64_t value)
{
    uint64_t v = (value & msr_field_mask(f)) >> f->lsb;

    for (unsigned k = 0; k < f->value_count; k++)
        if (msr_field_value(def, f, k) == v)
            return true;
    return false;
}

/* Every field present on the guest's CPU that the spec marks strict_enum
 * holds one of its enum's values. */
static bool strict_fields_ok(const struct msr_def *def, const struct msr_masks *m, uint64_t value)
{
    for (unsigned i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        if ((f->flags & MSR_FIELD_F_STRICT_ENUM) && (msr_field_mask(f) & ~m->reserved) &&
            !strict_field_ok(def, f, value))
            return false;
    }
    return true;
}

/* Whether `def` describes `msr`: its address, or the address of one of its
 * array instances (address + index * stride, index < count). */
static bool def_describes(const struct msr_def *def, uint32_t msr)
{
    for (uint32_t k = 0; k < def->count; k++)
        if (msr == def->address + k * def->stride)
            return true;
    return false;
}

/* The register the checks of `msr` use, and its instance: the entry's own
 * record, else the policy's spec's register for the guest's CPU (none
 * without a spec). */
struct checked {
    const struct msr_def *def;
    uint32_t index;
};

static struct checked checked_def(const struct msr_virt_policy *p, const struct msr_virt_entry *e, uint32_t msr,
                                  const struct msr_facts *facts)
{
    struct checked c = {NULL, 0};

    if (e != NULL && e->def != NULL) {
        c.def = e->def;
        for (uint32_t k = 0; k < e->def->count; k++)
            if (msr == e->def->address + k * e->def->stride)
                c.index = k;
    } else if (p->spec != NULL) {
        const struct msr_instance *inst = msr_spec_find_for_cpu(p->spec, msr, facts);
        if (inst != NULL) {
            c.def = msr_spec_def(p->spec, inst);
            c.index = inst->index;
        }
    }
    return c;
}

static bool spec_checked(const struct msr_virt_entry *e)
{
    return e == NULL || !(e->flags & MSR_VIRT_NO_SPEC_CHECKS);
}

/* Vendor-strict presence (cpuid.h), from the record and the CPUID alone: a
 * register none of the guest's recognised vendors documents is absent, unless
 * the facts ask for "unknown". */
static bool foreign_register(const struct msr_def *def, const struct msr_facts *facts)
{
    uint32_t vendors = facts != NULL ? msr_cpu_vendors(facts->cpuid) : 0;
    return vendors != 0 && !(def->vendors & vendors) && !(facts->flags & MSR_FACTS_OTHER_VENDORS_UNKNOWN);
}

/* Whether the spec lets the guest's CPU read / write `value` to the register. */
static bool spec_allows_read(struct checked c, const struct msr_facts *facts)
{
    if (c.def == NULL)
        return true;
    REQUIRE(!foreign_register(c.def, facts) || msr_is_supported(c.def, c.index, facts) == MSR_SUPPORT_NO);
    return msr_is_supported(c.def, c.index, facts) != MSR_SUPPORT_NO && c.def->access != MSR_ACCESS_WO;
}

/* MAXPHYADDR of the guest (0: no facts), as the SDM defines it. */
static unsigned max_phys_addr(const struct msr_facts *facts)
{
    struct msr_cpuid_regs r;

    if (facts == NULL || facts->cpuid == NULL)
        return 0;
    if (facts->cpuid->query(facts->cpuid->ctx, 0x80000008u, 0, &r) && (r.eax & 0xFF) != 0)
        return (r.eax & 0xFF) > 64 ? 64 : r.eax & 0xFF;
    if (facts->cpuid->query(facts->cpuid->ctx, 1, 0, &r))
        return (r.edx & (1u << 6)) ? 36 : 32;
    return 0;
}

/* The bits of present phys_addr fields at and above MAXPHYADDR. */
static uint64_t above_maxphyaddr(struct checked c, const struct msr_facts *facts, const struct msr_masks *present)
{
    unsigned width = max_phys_addr(facts);
    uint64_t above = 0;

    if (width == 0 || width >= 64)
        return 0;
    for (unsigned i = 0; i < c.def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(c.def, i);
        if ((f->flags & MSR_FIELD_F_PHYS_ADDR) && (msr_field_mask(f) & ~present->reserved))
            above |= msr_field_mask(f) & (UINT64_MAX << width);
    }
    return above;
}

/* The bits that hold canonical addresses the guest's vendor checks. */
static uint64_t canonical_bits(struct checked c, const struct msr_facts *facts, const struct msr_masks *present)
{
    uint32_t vendors = facts != NULL ? msr_cpu_vendors(facts->cpuid) : 0;
    uint64_t bits = 0;

    for (unsigned i = 0; i < c.def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(c.def, i);
        if ((f->flags & MSR_FIELD_F_CANONICAL) && (msr_field_mask(f) & ~present->reserved) &&
            (f->canonical_vendors == 0 || vendors == 0 || (vendors & f->canonical_vendors)))
            bits |= msr_field_mask(f);
    }
    return bits;
}

static bool lifted(const struct msr_def *def, uint16_t cell, uint32_t index, const struct msr_facts *facts)
{
    return cell != MSR_NO_CELL && msr_condition_eval(msr_def_condition(def, cell), index, facts) == MSR_SUPPORT_YES;
}

/* The bits that may only be written as 0. */
static uint64_t zero_only(struct checked c, const struct msr_facts *facts)
{
    uint64_t bits = 0;

    if ((c.def->flags & MSR_REG_F_WRITE_ZERO) && !lifted(c.def, c.def->writable_if, c.index, facts))
        return UINT64_MAX;
    for (unsigned i = 0; i < c.def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(c.def, i);
        if ((f->flags & MSR_FIELD_F_WRITE_ZERO) && !lifted(c.def, f->writable_if, c.index, facts))
            bits |= msr_field_mask(f);
    }
    return bits;
}

/* Whether the record's lock field is 1 in `current`; its writes' rule in *writes. */
static bool locked(const struct msr_def *def, uint64_t current, int *writes)
{
    if (!(def->flags & MSR_REG_F_LOCKED_BY))
        return false;
    REQUIRE(def->lock_field >= 1 && def->lock_field <= def->field_count);
    REQUIRE(msr_field_mask(msr_def_field(def, def->lock_field - 1u)) != 0);
    *writes = def->lock_writes;
    return (current & msr_field_mask(msr_def_field(def, def->lock_field - 1u))) != 0;
}

static bool spec_allows_write(struct checked c, const struct msr_virt_vcpu *vcpu, uint64_t value)
{
    struct msr_masks m;
    uint64_t present, canonical_mask;

    if (c.def == NULL)
        return true;
    if (msr_is_supported(c.def, c.index, vcpu->facts) == MSR_SUPPORT_NO || c.def->access == MSR_ACCESS_RO)
        return false;
    msr_masks_for(c.def, c.index, vcpu->facts, true, &m);
    /* msr_masks_for() reserves the bits above MAXPHYADDR itself: the two statements agree */
    present = ~m.reserved;
    REQUIRE((present & above_maxphyaddr(c, vcpu->facts, &m)) == 0);
    if (value & m.reserved)
        return false;
    canonical_mask = canonical_bits(c, vcpu->facts, &m);
    REQUIRE(canonical_mask == m.canonical);
    if (canonical_mask != 0) {
        /* every canonical field reaches bit 63 or joins one that does: the
         * register's canonical bits hold one sign-extended address */
        REQUIRE(canonical_mask >> 63);
        if (!canonical(value & canonical_mask, linear_bits_of(vcpu)))
            return false;
    }
    if (!strict_fields_ok(c.def, &m, value))
        return false;
    /* the spec's rule covers the SDM's list of valid PAT memory types */
    REQUIRE(c.def->address != 0x277 || pat_ok(value));
    return (value & zero_only(c, vcpu->facts)) == 0;
}

/* What the vCPU reports beside the answer: the register whose checks ran
 * (none when the policy's action alone decided, or without checks), and a
 * field only for a #GP a rule about that field gave. */
static void check_reported(const struct msr_virt_vcpu *vcpu, enum msr_virt_result r, bool ran, struct checked c,
                           bool write, uint64_t value)
{
    REQUIRE(vcpu->def == (ran ? c.def : NULL));
    REQUIRE(vcpu->field >= -1);
    if (vcpu->field < 0)
        return;
    REQUIRE(write && r == MSR_VIRT_INJECT_GP && c.def != NULL && vcpu->field < c.def->field_count);
    {
        const struct msr_field_info *f = msr_def_field(c.def, (unsigned)vcpu->field);
        struct msr_masks m;
        msr_masks_for(c.def, c.index, vcpu->facts, true, &m);
        /* absent on the guest's CPU (or above MAXPHYADDR) and set, a
         * non-canonical address, an undefined value of a strict enumeration,
         * or a non-zero value in a write-zero field */
        REQUIRE((value & m.reserved & msr_field_mask(f)) != 0 || (f->flags & MSR_FIELD_F_CANONICAL) ||
                ((f->flags & MSR_FIELD_F_STRICT_ENUM) && !strict_field_ok(c.def, f, value)) ||
                ((f->flags & MSR_FIELD_F_WRITE_ZERO) && (value & msr_field_mask(f)) != 0));
    }
}

/* The rules on an entry's record and on the policy's spec, stated again:
 * a record describes every MSR of its entry (a range only of a stride-1
 * array); without a spec, PASS and EMULATE need a record or
 * MSR_VIRT_NO_SPEC_CHECKS, and the defaults cannot be PASS or EMULATE. */
static bool checks_on(enum msr_virt_action read, enum msr_virt_action write)
{
    return read == MSR_VIRT_PASS || read == MSR_VIRT_EMULATE || write == MSR_VIRT_PASS || write == MSR_VIRT_EMULATE;
}

static bool defs_fit(const struct msr_virt_policy *p)
{
    for (size_t i = 0; i < p->count; i++) {
        const struct msr_virt_entry *e = &p->entries[i];
        if (e->def == NULL || e->first > e->last)
            continue;
        if (e->first != e->last && e->def->stride != 1)
            return false;
        if (!def_describes(e->def, e->first) || !def_describes(e->def, e->last))
            return false;
    }
    return true;
}

static bool needs_spec(const struct msr_virt_policy *p)
{
    if (checks_on(p->default_read, p->default_write))
        return true;
    for (size_t i = 0; i < p->count; i++) {
        const struct msr_virt_entry *e = &p->entries[i];
        if (e->def == NULL && !(e->flags & MSR_VIRT_NO_SPEC_CHECKS) && checks_on(e->read, e->write))
            return true;
    }
    return false;
}

static bool valid_result(enum msr_virt_result r)
{
    return r == MSR_VIRT_HANDLED || r == MSR_VIRT_INJECT_GP || r == MSR_VIRT_FORWARD;
}

static enum msr_virt_result check_read(const struct msr_virt_policy *p, struct msr_virt_vcpu *vcpu,
                                      struct emulator_state *emu, uint32_t msr, uint64_t *delivered)
{
    const struct msr_virt_entry *e = msr_virt_policy_lookup(p, msr);
    enum msr_virt_action action = msr_virt_policy_action(p, msr, MSR_VMX_INTERCEPT_READ);
    unsigned reads_before = emu->reads;
    uint64_t value = 1, again = 2;
    enum msr_virt_result r;

    struct checked c = checked_def(p, e, msr, vcpu->facts);
    bool ran = (action == MSR_VIRT_PASS || action == MSR_VIRT_EMULATE) && spec_checked(e);

    vcpu->reason = NULL;
    r = msr_virt_rdmsr(p, vcpu, msr, &value);
    REQUIRE(valid_result(r));
    REQUIRE(vcpu->reason != NULL && vcpu->reason[0] != '\0');
    REQUIRE(r == MSR_VIRT_HANDLED || value == 0);
    if (verbose())
        fprintf(stderr, "  -> %s (%s)\n", msr_virt_result_name(r), vcpu->reason);
    check_reported(vcpu, r, ran, c, false, 0);

    switch (action) {
    case MSR_VIRT_DENY:
        REQUIRE(r == MSR_VIRT_INJECT_GP);
        break;
    case MSR_VIRT_IGNORE:
        REQUIRE(r == MSR_VIRT_HANDLED && value == 0);
        break;
    case MSR_VIRT_FIXED:
        REQUIRE(e != NULL && r == MSR_VIRT_HANDLED && value == e->value);
        break;
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE: {
        bool allowed = !spec_checked(e) || spec_allows_read(c, vcpu->facts);
        if (!allowed) {
            REQUIRE(r == MSR_VIRT_INJECT_GP && emu->reads == reads_before);
        } else if (action == MSR_VIRT_PASS) {
            REQUIRE(r == MSR_VIRT_FORWARD && emu->reads == reads_before);
        } else {
            /* the emulator decided; without a complete one, #GP */
            const struct msr_virt_emulator *em = e != NULL && e->emulator != NULL ? e->emulator : p->emulator;
            if (em == NULL)
                REQUIRE(r == MSR_VIRT_INJECT_GP);
            else
                REQUIRE(emu->reads == reads_before + 1);
        }
        break;
    }
    default:
        REQUIRE(r == MSR_VIRT_INJECT_GP); /* an action outside the enum denies */
    }

    /* the same exit again: the same answer (the emulator's state has not changed) */
    REQUIRE(msr_virt_rdmsr(p, vcpu, msr, &again) == r && again == value);
    *delivered = value;
    return r;
}

static enum msr_virt_result check_write(const struct msr_virt_policy *p, struct msr_virt_vcpu *vcpu,
                                       struct emulator_state *emu, uint32_t msr, uint64_t value)
{
    const struct msr_virt_entry *e = msr_virt_policy_lookup(p, msr);
    enum msr_virt_action action = msr_virt_policy_action(p, msr, MSR_VMX_INTERCEPT_WRITE);
    struct checked c = checked_def(p, e, msr, vcpu->facts);
    bool ran = (action == MSR_VIRT_PASS || action == MSR_VIRT_EMULATE) && spec_checked(e);
    struct msr_masks m;
    uint64_t old = 0;
    enum msr_virt_result r;
    bool had_old;

    /* the emulator's value before the write, as the handler will read it */
    {
        size_t i = slot_of(emu, msr);
        had_old = emu->used[i];
        old = had_old ? emu->value[i] : mix(msr);
    }
    emu->wrote = false;
    vcpu->reason = NULL;
    r = msr_virt_wrmsr(p, vcpu, msr, value);
    REQUIRE(valid_result(r));
    if (verbose())
        fprintf(stderr, "  -> %s (%s)\n", msr_virt_result_name(r), vcpu->reason);
    REQUIRE(vcpu->reason != NULL && vcpu->reason[0] != '\0');
    check_reported(vcpu, r, ran, c, true, value);

    switch (action) {
    case MSR_VIRT_DENY:
        REQUIRE(r == MSR_VIRT_INJECT_GP && !emu->wrote);
        break;
    case MSR_VIRT_IGNORE:
        REQUIRE(r == MSR_VIRT_HANDLED && !emu->wrote);
        break;
    case MSR_VIRT_FIXED:
        REQUIRE(e != NULL && !emu->wrote);
        REQUIRE(r == (value == e->value ? MSR_VIRT_HANDLED : MSR_VIRT_INJECT_GP));
        break;
    case MSR_VIRT_PASS:
    case MSR_VIRT_EMULATE: {
        bool checked = spec_checked(e);
        bool allowed = !checked || spec_allows_write(c, vcpu, value);
        const struct msr_virt_emulator *em = e != NULL && e->emulator != NULL ? e->emulator : p->emulator;
        uint64_t current = 0;
        int writes = -1;
        /* the current value a lock is judged by: the facts' for PASS, the
         * emulator's for EMULATE (when it can read) */
        bool have_current = action == MSR_VIRT_PASS
                                ? vcpu->facts != NULL && vcpu->facts->read_msr != NULL &&
                                      vcpu->facts->read_msr(vcpu->facts->msr_ctx, msr, &current) == MSR_OK
                                : em != NULL && em->write != NULL && mood_for(emu, msr, false) == MSR_VIRT_HANDLED;
        bool is_locked;

        if (action == MSR_VIRT_EMULATE)
            current = old;
        is_locked = checked && c.def != NULL && have_current && locked(c.def, current, &writes);
        if (!allowed) {
            REQUIRE(r == MSR_VIRT_INJECT_GP && !emu->wrote);
        } else if (is_locked) {
            REQUIRE(r == (writes == MSR_LOCK_WRITES_FAULT ? MSR_VIRT_INJECT_GP : MSR_VIRT_HANDLED) && !emu->wrote);
        } else if (action == MSR_VIRT_PASS) {
            REQUIRE(r == MSR_VIRT_FORWARD && !emu->wrote);
        } else if (emu->wrote) {
            REQUIRE(emu->wrote_msr == msr);
            if (checked && c.def != NULL) {
                /* what was stored: plain bits from the guest, read-only
                 * bits kept, write-1-to-clear bits cleared where 1 was written */
                uint64_t stored = emu->wrote_value;
                uint64_t read_only, plain;
                msr_masks_for(c.def, c.index, vcpu->facts, true, &m);
                read_only = ~m.reserved & ~m.writable;
                plain = m.writable & ~m.w1c;
                REQUIRE((stored & m.reserved) == 0);
                REQUIRE((stored & plain) == (value & plain));
                if ((read_only | m.w1c) != 0) {
                    REQUIRE((stored & read_only) == (old & read_only));
                    REQUIRE((stored & m.w1c) == (old & m.w1c & ~value));
                }
            } else {
                REQUIRE(emu->wrote_value == value);
            }
        } else {
            /* no write reached the emulator: #GP (no emulator, or it could not read) */
            REQUIRE(r == MSR_VIRT_INJECT_GP);
        }
        break;
    }
    default:
        REQUIRE(r == MSR_VIRT_INJECT_GP && !emu->wrote);
    }
    (void)had_old;
    return r;
}

/* The intercept formats agree with the policy at `msr`. */
static void check_formats(const struct msr_virt_policy *p, const struct msr_vmx_msr_bitmap *vmx,
                          const struct msr_vmx_svm_msrpm *svm, const struct msr_virt_kvm_filter *kvm, bool kvm_built,
                          uint32_t msr)
{
    unsigned vmx_int = 0, svm_int = 0;
    int vmx_rc = msr_vmx_msr_bitmap_query(vmx, msr, &vmx_int);
    int svm_rc = msr_vmx_svm_msrpm_query(svm, msr, &svm_int);

    REQUIRE(vmx_rc == MSR_OK || (vmx_rc == MSR_ERR_RANGE && vmx_int == MSR_VMX_INTERCEPT_READ_WRITE));
    REQUIRE(svm_rc == MSR_OK || (svm_rc == MSR_ERR_RANGE && svm_int == MSR_VMX_INTERCEPT_READ_WRITE));
    for (unsigned access = MSR_VMX_INTERCEPT_READ; access <= MSR_VMX_INTERCEPT_WRITE; access <<= 1) {
        bool pass = msr_virt_policy_action(p, msr, access) == MSR_VIRT_PASS;
        if (vmx_rc == MSR_OK)
            REQUIRE(!(vmx_int & access) == pass);
        if (svm_rc == MSR_OK)
            REQUIRE(!(svm_int & access) == pass);
        if (kvm_built && !pass && !(msr >= 0x800 && msr <= 0x8FF))
            REQUIRE(!msr_virt_kvm_filter_allows(kvm, msr, access));
    }
}

/* The prepared vCPU reported what the unprepared one did, and its emulator
 * holds the same registers. */
static void same_report(const struct msr_virt_vcpu *plain, const struct msr_virt_vcpu *fast,
                        const struct emulator_state *plain_emu, const struct emulator_state *fast_emu)
{
    REQUIRE(plain->reason == fast->reason && plain->def == fast->def && plain->field == fast->field);
    REQUIRE(memcmp(plain_emu->used, fast_emu->used, sizeof plain_emu->used) == 0);
    for (size_t i = 0; i < SLOTS; i++)
        REQUIRE(!plain_emu->used[i] || (plain_emu->msr[i] == fast_emu->msr[i] && plain_emu->value[i] == fast_emu->value[i]));
}

static void dump_policy(const struct msr_virt_policy *p)
{
    fprintf(stderr, "policy: defaults %s/%s, emulator %s, spec %s\n", msr_virt_action_name(p->default_read),
            msr_virt_action_name(p->default_write), p->emulator == NULL ? "none" : "set",
            p->spec == NULL ? "none" : "msr_spec");
    for (size_t i = 0; i < p->count; i++) {
        const struct msr_virt_entry *e = &p->entries[i];
        fprintf(stderr, "  [%zu] %#x..%#x read %s write %s flags %#x value %#llx def %s\n", i, e->first, e->last,
                msr_virt_action_name(e->read), msr_virt_action_name(e->write), e->flags,
                (unsigned long long)e->value, e->def != NULL ? msr_def_name(e->def) : "-");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct msr_vmx_msr_bitmap vmx;
    static struct msr_vmx_svm_msrpm svm;
    static struct msr_virt_kvm_filter kvm;
    static uint8_t kvm_storage[MSR_VIRT_KVM_STORAGE_BYTES];
    struct input in = {data, size};
    struct msr_virt_entry entries[MAX_ENTRIES];
    struct msr_virt_policy policy;
    struct msr_virt_policy_error error;
    struct emulator_state emu;
    struct guest guest;
    struct msr_virt_vcpu vcpu;
    static struct msr_virt_interval intervals[MSR_VIRT_POLICY_INDEX_CAPACITY(MAX_ENTRIES)];
    static struct msr_virt_slot slots[4096];
    static struct msr_virt_policy_index index;
    static struct msr_virt_prepared prepared;
    static struct emulator_state fast_emu;
    static struct msr_virt_vcpu fast_vcpu;
    static struct guest fast_guest;
    bool valid, kvm_built = false;
    int rc;

    guest_init(&guest, &in);
    policy_init(&policy, entries, &in);
    memset(&emu, 0, sizeof emu);
    emu.mood = take8(&in);
    memset(&vcpu, 0, sizeof vcpu);
    guest.emu = &emu;
    vcpu.facts = guest.facts.cpuid != NULL ? &guest.facts : NULL;
    vcpu.linear_bits = take8(&in) & 1 ? 57 : 0;
    vcpu.ctx = &emu;

    /* A policy is valid or says exactly why not; the builders agree. */
    rc = msr_virt_policy_check(&policy, &error);
    valid = rc == MSR_OK;
    REQUIRE(valid ? error.rule == NULL : rc == MSR_VIRT_ERR_POLICY && error.rule != NULL);
    if (!valid) {
        char text[256];
        size_t need = msr_virt_policy_error_describe(&policy, &error, text, sizeof text);
        REQUIRE(need > 0 && memchr(text, '\0', sizeof text) != NULL);
    }
    REQUIRE(!valid || defs_fit(&policy));
    if (policy.spec == NULL) {
        /* the spec changes nothing but the rule on what no record checks */
        struct msr_virt_policy with_spec = policy;
        with_spec.spec = &msr_spec;
        REQUIRE(valid == (msr_virt_policy_check(&with_spec, NULL) == MSR_OK && !needs_spec(&policy)));
    }
    /* The index checks as msr_virt_policy_check() does; a valid policy is
     * prepared for a second vCPU, which answers every exit below too. */
    {
        struct msr_virt_policy_error index_error;
        int index_rc = msr_virt_policy_index_build(&policy, intervals, sizeof intervals / sizeof intervals[0],
                                                   &index, &index_error);
        REQUIRE(index_rc == rc && index_error.entry == error.entry && index_error.other == error.other &&
                index_error.rule == error.rule);
    }
    if (valid) {
        /* its own emulator, and facts that read it where the guest's do */
        fast_guest = guest;
        fast_emu = emu; /* this input's registers: the storage is static, so not the last input's */
        fast_guest.emu = &fast_emu;
        if (fast_guest.facts.msr_ctx != NULL)
            fast_guest.facts.msr_ctx = &fast_guest;
        fast_vcpu = vcpu;
        fast_vcpu.facts = vcpu.facts != NULL ? &fast_guest.facts : NULL;
        fast_vcpu.ctx = &fast_emu;
        REQUIRE(msr_virt_prepare_slots(&index) <= sizeof slots / sizeof slots[0]);
        REQUIRE(msr_virt_prepare(&prepared, &index, &fast_vcpu, slots, sizeof slots / sizeof slots[0]) == MSR_OK);
    }
    REQUIRE(msr_virt_vmx_bitmap_build(&policy, &vmx) == (valid ? MSR_OK : MSR_VIRT_ERR_POLICY));
    REQUIRE(msr_virt_svm_msrpm_build(&policy, &svm) == (valid ? MSR_OK : MSR_VIRT_ERR_POLICY));
    rc = msr_virt_kvm_filter_build(&policy, &kvm, kvm_storage, sizeof kvm_storage, NULL);
    REQUIRE(valid ? rc == MSR_OK || rc == MSR_VIRT_ERR_FULL : rc == MSR_VIRT_ERR_POLICY);
    kvm_built = rc == MSR_OK;
    if (verbose()) {
        dump_policy(&policy);
        fprintf(stderr, "valid %d, kvm filter %s\n", valid, kvm_built ? "built" : "not built");
    }

    /* The exits. An invalid policy still gets answers (never a crash, always
     * a valid result); the oracles hold for valid ones. */
    for (int op = 0; op < 48 && in.size > 0; op++) {
        uint8_t kind = take8(&in);
        uint32_t msr = take_exit_msr(&in, &policy);
        uint64_t raw = take64(&in);

        if (verbose())
            fprintf(stderr, "%s %#x %#llx\n", kind & 1 ? "wrmsr" : "rdmsr", msr, (unsigned long long)raw);
        if (!valid) {
            uint64_t v;
            REQUIRE(valid_result(kind & 1 ? msr_virt_wrmsr(&policy, &vcpu, msr, raw)
                                          : msr_virt_rdmsr(&policy, &vcpu, msr, &v)));
            continue;
        }
        check_formats(&policy, &vmx, &svm, &kvm, kvm_built, msr);
        REQUIRE(msr_virt_policy_index_lookup(&index, msr) == msr_virt_policy_lookup(&policy, msr));
        if (!(kind & 1)) {
            struct emulator_state before = emu;
            uint64_t delivered = 0, fast_value = 3;
            enum msr_virt_result r = check_read(&policy, &vcpu, &emu, msr, &delivered);
            fast_emu = before;
            REQUIRE(msr_virt_prepared_rdmsr(&prepared, msr, &fast_value) == r && fast_value == delivered);
            same_report(&vcpu, &fast_vcpu, &emu, &fast_emu);
            continue;
        }
        /* Values a guest would write: raw; only bits some field of the
         * register covers (present on this CPU or not: the presence checks'
         * edge); or shaped to get past the reserved-bit check. */
        struct checked c = checked_def(&policy, msr_virt_policy_lookup(&policy, msr), msr, vcpu.facts);
        if (c.def != NULL && (kind & 6) == 2) {
            uint64_t fields = 0;
            for (unsigned f = 0; f < c.def->field_count; f++)
                fields |= msr_field_mask(msr_def_field(c.def, f));
            raw &= fields;
        } else if (c.def != NULL && (kind & 6) != 0) {
            struct msr_masks m;
            msr_masks_for(c.def, c.index, vcpu.facts, true, &m);
            raw &= ~m.reserved;
            if ((kind & 6) == 4 && m.canonical != 0) /* sign-extend the address */
                raw = (uint64_t)((int64_t)(raw << (64 - linear_bits_of(&vcpu))) >> (64 - linear_bits_of(&vcpu)));
            if ((kind & 6) == 6 && c.def->address == 0x277)
                raw &= UINT64_C(0x0707070707070707) & ~UINT64_C(0x0202020202020202);
        }
        {
            struct emulator_state before = emu;
            enum msr_virt_result r = check_write(&policy, &vcpu, &emu, msr, raw);
            fast_emu = before;
            REQUIRE(msr_virt_prepared_wrmsr(&prepared, msr, raw) == r);
            same_report(&vcpu, &fast_vcpu, &emu, &fast_emu);
        }
    }
    return 0;
}
