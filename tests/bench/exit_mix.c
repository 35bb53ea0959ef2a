/* The MSR-exit workload of issue 20 (exit_mix.h). */
#include "exit_mix.h"

#include <x86msr/msrs.h>

#define BIT(n) (UINT64_C(1) << (n))

/* ---- the guest ---- */

/* Intel Core i7-6700K, VirtualBox's profile (CPUID leaves as recorded). */
static const struct msr_cpuid_entry leaves_63[] = {
    { 0x00000000, 0, { 0x00000016, 0x756e6547, 0x6c65746e, 0x49656e69 } },
    { 0x00000001, 0, { 0x000506e3, 0x02100800, 0x7ffafbbf, 0xbfebfbff } },
    { 0x00000002, 0, { 0x76036301, 0x00f0b5ff, 0x00000000, 0x00c30000 } },
    { 0x00000003, 0, { 0, 0, 0, 0 } },
    { 0x00000004, 0, { 0x1c004121, 0x01c0003f, 0x0000003f, 0x00000000 } },
    { 0x00000004, 1, { 0x1c004122, 0x01c0003f, 0x0000003f, 0x00000000 } },
    { 0x00000004, 2, { 0x1c004143, 0x00c0003f, 0x000003ff, 0x00000000 } },
    { 0x00000004, 3, { 0x1c03c163, 0x03c0003f, 0x00001fff, 0x00000006 } },
    { 0x00000004, 4, { 0, 0, 0, 0 } },
    { 0x00000005, 0, { 0x00000040, 0x00000040, 0x00000003, 0x00142120 } },
    { 0x00000006, 0, { 0x000027f7, 0x00000002, 0x00000009, 0x00000000 } },
    { 0x00000007, 0, { 0x00000000, 0x029c6fbf, 0x00000000, 0x00000000 } },
    { 0x00000007, 1, { 0, 0, 0, 0 } },
    { 0x00000008, 0, { 0, 0, 0, 0 } },
    { 0x00000009, 0, { 0, 0, 0, 0 } },
    { 0x0000000a, 0, { 0x07300404, 0x00000000, 0x00000000, 0x00000603 } },
    { 0x0000000b, 0, { 0x00000001, 0x00000002, 0x00000100, 0x00000002 } },
    { 0x0000000b, 1, { 0x00000004, 0x00000008, 0x00000201, 0x00000002 } },
    { 0x0000000b, 2, { 0x00000000, 0x00000000, 0x00000002, 0x00000002 } },
    { 0x0000000c, 0, { 0, 0, 0, 0 } },
    { 0x0000000d, 0, { 0x0000001f, 0x00000440, 0x00000440, 0x00000000 } },
    { 0x0000000d, 1, { 0x0000000f, 0x000003c0, 0x00000100, 0x00000000 } },
    { 0x0000000d, 2, { 0x00000100, 0x00000240, 0x00000000, 0x00000000 } },
    { 0x0000000d, 3, { 0x00000040, 0x000003c0, 0x00000000, 0x00000000 } },
    { 0x0000000d, 4, { 0x00000040, 0x00000400, 0x00000000, 0x00000000 } },
    { 0x0000000d, 5, { 0, 0, 0, 0 } },
    { 0x0000000d, 6, { 0, 0, 0, 0 } },
    { 0x0000000d, 7, { 0, 0, 0, 0 } },
    { 0x0000000d, 8, { 0x00000080, 0x00000000, 0x00000001, 0x00000000 } },
    { 0x0000000d, 9, { 0, 0, 0, 0 } },
    { 0x0000000d, 10, { 0, 0, 0, 0 } },
    { 0x0000000d, 11, { 0, 0, 0, 0 } },
    { 0x0000000d, 12, { 0, 0, 0, 0 } },
    { 0x0000000d, 13, { 0, 0, 0, 0 } },
    { 0x0000000d, 14, { 0, 0, 0, 0 } },
    { 0x0000000d, 15, { 0, 0, 0, 0 } },
    { 0x0000000d, 16, { 0, 0, 0, 0 } },
    { 0x0000000d, 17, { 0, 0, 0, 0 } },
    { 0x0000000d, 18, { 0, 0, 0, 0 } },
    { 0x0000000d, 19, { 0, 0, 0, 0 } },
    { 0x0000000d, 20, { 0, 0, 0, 0 } },
    { 0x0000000d, 21, { 0, 0, 0, 0 } },
    { 0x0000000d, 22, { 0, 0, 0, 0 } },
    { 0x0000000e, 0, { 0, 0, 0, 0 } },
    { 0x0000000f, 0, { 0, 0, 0, 0 } },
    { 0x00000010, 0, { 0, 0, 0, 0 } },
    { 0x00000011, 0, { 0, 0, 0, 0 } },
    { 0x00000012, 0, { 0, 0, 0, 0 } },
    { 0x00000013, 0, { 0, 0, 0, 0 } },
    { 0x00000014, 0, { 0x00000001, 0x0000000f, 0x00000007, 0x00000000 } },
    { 0x00000014, 1, { 0x02490002, 0x003f3fff, 0x00000000, 0x00000000 } },
    { 0x00000014, 2, { 0, 0, 0, 0 } },
    { 0x00000015, 0, { 0x00000002, 0x0000014e, 0x00000000, 0x00000000 } },
    { 0x00000016, 0, { 0x00000fa0, 0x00001068, 0x00000064, 0x00000000 } },
    { 0x80000000, 0, { 0x80000008, 0x00000000, 0x00000000, 0x00000000 } },
    { 0x80000001, 0, { 0x00000000, 0x00000000, 0x00000121, 0x2c100800 } },
    { 0x80000002, 0, { 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865 } },
    { 0x80000003, 0, { 0x37692029, 0x3037362d, 0x43204b30, 0x40205550 } },
    { 0x80000004, 0, { 0x302e3420, 0x7a484730, 0x00000000, 0x00000000 } },
    { 0x80000005, 0, { 0, 0, 0, 0 } },
    { 0x80000006, 0, { 0x00000000, 0x00000000, 0x01006040, 0x00000000 } },
    { 0x80000007, 0, { 0x00000000, 0x00000000, 0x00000000, 0x00000100 } },
    { 0x80000008, 0, { 0x00003027, 0x00000000, 0x00000000, 0x00000000 } },
};

/* The 12 of them the spec's conditions read (as tests/virt/data/vbox_msr_probes.txt). */
static const uint32_t leaves_12_ids[][2] = {
    { 0x0, 0 }, { 0x1, 0 }, { 0x6, 0 }, { 0x7, 0 }, { 0xa, 0 }, { 0xd, 0 },
    { 0xd, 1 }, { 0x14, 0 }, { 0x14, 1 }, { 0x80000000, 0 }, { 0x80000001, 0 }, { 0x80000008, 0 },
};
static struct msr_cpuid_entry leaves_12[12];

void mix_vcpu_reset(struct mix_vcpu *v)
{
    static const uint64_t var[6] = { 0xc0000000u, UINT64_C(0x7fc0000800), 0xa0000000u, UINT64_C(0x7fe0000800),
                                     0x90000000u, UINT64_C(0x7ff0000800) };
    unsigned i;

    v->misc_enable = 0x850089;
    v->apic_base = UINT64_C(0xFEE00000) | BIT(8) | BIT(10) | BIT(11); /* BSP, x2APIC, enabled */
    v->tsc_deadline = 0;
    v->pat = UINT64_C(0x0007040600070406);
    v->mtrr_def_type = 0xC06;
    v->icr = 0;
    v->icr_sent = 0;
    for (i = 0; i < 20; i++)
        v->mtrr_var[i] = i < 6 ? var[i] : 0;
    for (i = 0; i < 11; i++)
        v->mtrr_fix[i] = i == 2 ? 0 : UINT64_C(0x0606060606060606); /* A0000-BFFFF UC (video) */
}

#define MTRRCAP_VALUE 0x1d0au /* 10 variable ranges, fixed ranges, WC, SMRR */

/* The register of `v` at `msr`, NULL for none (MTRRCAP is a constant). */
static uint64_t *reg(struct mix_vcpu *v, uint32_t msr)
{
    switch (msr) {
    case MSR_IA32_MISC_ENABLE_ADDR: return &v->misc_enable;
    case MSR_IA32_APIC_BASE_ADDR: return &v->apic_base;
    case MSR_IA32_TSC_DEADLINE_ADDR: return &v->tsc_deadline;
    case MSR_IA32_PAT_ADDR: return &v->pat;
    case MSR_IA32_MTRR_DEF_TYPE_ADDR: return &v->mtrr_def_type;
    case MSR_IA32_X2APIC_ICR_ADDR: return &v->icr;
    case 0x250: return &v->mtrr_fix[0];
    case 0x258: return &v->mtrr_fix[1];
    case 0x259: return &v->mtrr_fix[2];
    default:
        if (msr >= 0x200 && msr <= 0x213)
            return &v->mtrr_var[msr - 0x200];
        if (msr >= 0x268 && msr <= 0x26F)
            return &v->mtrr_fix[3 + msr - 0x268];
        return NULL;
    }
}

static enum msr_virt_result emu_read(void *ctx, uint32_t msr, uint64_t *value)
{
    uint64_t *r = reg(ctx, msr);

    if (msr == MSR_IA32_MTRRCAP_ADDR) {
        *value = MTRRCAP_VALUE;
        return MSR_VIRT_HANDLED;
    }
    if (r == NULL)
        return MSR_VIRT_INJECT_GP;
    *value = *r;
    return MSR_VIRT_HANDLED;
}

static enum msr_virt_result emu_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct mix_vcpu *v = ctx;
    uint64_t *r = reg(v, msr);

    if (r == NULL)
        return MSR_VIRT_INJECT_GP;
    *r = value;
    if (msr == MSR_IA32_X2APIC_ICR_ADDR)
        v->icr_sent++; /* the IPI itself is the VMM's business */
    return MSR_VIRT_HANDLED;
}

const struct msr_virt_emulator mix_emulator = { emu_read, emu_write };

static int facts_read(void *ctx, uint32_t msr, uint64_t *value)
{
    return emu_read(ctx, msr, value) == MSR_VIRT_HANDLED ? MSR_OK : MSR_ERR_FAULT;
}

void mix_facts(struct msr_facts *facts, struct msr_cpuid_source *source, struct msr_cpuid_table *table,
               unsigned leaves, struct mix_vcpu *v)
{
    size_t i, k;

    for (i = 0; i < 12; i++)
        for (k = 0; k < sizeof leaves_63 / sizeof leaves_63[0]; k++)
            if (leaves_63[k].leaf == leaves_12_ids[i][0] && leaves_63[k].subleaf == leaves_12_ids[i][1])
                leaves_12[i] = leaves_63[k];
    table->entries = leaves == 12 ? leaves_12 : leaves_63;
    table->count = leaves == 12 ? 12 : sizeof leaves_63 / sizeof leaves_63[0];
    *source = msr_cpuid_table_source(table);
    facts->cpuid = source;
    facts->read_msr = facts_read;
    facts->msr_ctx = v;
}

/* ---- the policy ---- */

static const struct msr_def *mtrr_defs[14];
static struct msr_instance mtrr_instances[40];
static struct msr_spec mtrr_spec;

void mix_policy_init(void)
{
    const struct msr_def *defs[14] = {
        MSR_DEF(IA32_MTRRCAP), MSR_DEF(IA32_MTRR_PHYSBASEx), MSR_DEF(IA32_MTRR_PHYSMASKx),
        MSR_DEF(IA32_MTRR_FIX64K_00000), MSR_DEF(IA32_MTRR_FIX16K_80000), MSR_DEF(IA32_MTRR_FIX16K_A0000),
        MSR_DEF(IA32_MTRR_FIX4K_C0000), MSR_DEF(IA32_MTRR_FIX4K_C8000), MSR_DEF(IA32_MTRR_FIX4K_D0000),
        MSR_DEF(IA32_MTRR_FIX4K_D8000), MSR_DEF(IA32_MTRR_FIX4K_E0000), MSR_DEF(IA32_MTRR_FIX4K_E8000),
        MSR_DEF(IA32_MTRR_FIX4K_F0000), MSR_DEF(IA32_MTRR_FIX4K_F8000),
    };
    unsigned i;

    for (i = 0; i < 14; i++)
        mtrr_defs[i] = defs[i];
    (void)msr_spec_from_defs(&mtrr_spec, mtrr_defs, 14, mtrr_instances, 40);
}

#define PASS MSR_VIRT_PASS
#define EMULATE MSR_VIRT_EMULATE

const struct msr_virt_entry mix_entries[MIX_POLICY_ENTRIES] = {
    MSR_VIRT_REG(IA32_EFER, PASS, PASS),
    MSR_VIRT_REG(IA32_STAR, PASS, PASS),
    MSR_VIRT_REG(IA32_LSTAR, PASS, PASS),
    MSR_VIRT_REG(IA32_CSTAR, PASS, PASS),
    MSR_VIRT_REG(IA32_FMASK, PASS, PASS),
    MSR_VIRT_REG(IA32_FS_BASE, PASS, PASS),
    MSR_VIRT_REG(IA32_GS_BASE, PASS, PASS),
    MSR_VIRT_REG(IA32_KERNEL_GS_BASE, PASS, PASS),
    MSR_VIRT_REG(IA32_TSC_AUX, PASS, PASS),
    MSR_VIRT_REG(IA32_SYSENTER_CS, PASS, PASS),
    MSR_VIRT_REG(IA32_SYSENTER_ESP, PASS, PASS),
    MSR_VIRT_REG(IA32_SYSENTER_EIP, PASS, PASS),
    MSR_VIRT_REG(IA32_MISC_ENABLE, EMULATE, EMULATE),
    MSR_VIRT_REG(IA32_APIC_BASE, EMULATE, EMULATE),
    MSR_VIRT_REG(IA32_TSC_DEADLINE, EMULATE, EMULATE),
    MSR_VIRT_REG(IA32_PAT, EMULATE, EMULATE),
    MSR_VIRT_REG(IA32_MTRRCAP, EMULATE, EMULATE),
    MSR_VIRT_REG(IA32_MTRR_DEF_TYPE, EMULATE, EMULATE),
    MSR_VIRT_RANGE(0x200, 0x213, EMULATE, EMULATE),  /* PHYSBASE/PHYSMASK 0-9: the MTRR spec */
    MSR_VIRT_REG(IA32_MTRR_FIX64K_00000, EMULATE, EMULATE),
    MSR_VIRT_RANGE(0x258, 0x259, EMULATE, EMULATE),  /* FIX16K */
    MSR_VIRT_RANGE(0x268, 0x26F, EMULATE, EMULATE),  /* FIX4K */
    MSR_VIRT_REG(IA32_X2APIC_ICR, EMULATE, EMULATE),
};

struct msr_virt_policy mix_policy = { mix_entries, MIX_POLICY_ENTRIES, MSR_VIRT_DENY, MSR_VIRT_DENY, &mix_emulator,
                                      &mtrr_spec };

void mix_policy_padded(struct msr_virt_policy *policy, struct msr_virt_entry *out, size_t pad, int before)
{
    size_t i;

    for (i = 0; i < pad + MIX_POLICY_ENTRIES; i++) {
        size_t k = before ? i : (i >= MIX_POLICY_ENTRIES ? i - MIX_POLICY_ENTRIES : pad + i);
        if (k < pad) {
            struct msr_virt_entry deny = MSR_VIRT_ONE(0x50000000u + 2u * (uint32_t)k, MSR_VIRT_DENY, MSR_VIRT_DENY);
            out[i] = deny;
        } else {
            out[i] = mix_entries[k - pad];
        }
    }
    *policy = mix_policy;
    policy->entries = out;
    policy->count = pad + MIX_POLICY_ENTRIES;
}

/* ---- the exits ---- */

#define W(msr, value) { (msr), 1, (value) }
#define R(msr) { (msr), 0, 0 }

/* 54 TSC_DEADLINE writes, 16 ICR writes, 6 EFER, 4 PAT, 4 MISC_ENABLE, 8 MTRR,
 * 4 denied probes and 4 invalid writes per 100, interleaved as a guest's
 * timer and IPI traffic interleaves with the rest. */
static const struct mix_exit other[30] = {
    R(MSR_IA32_EFER_ADDR), W(MSR_IA32_EFER_ADDR, 0xD01), R(MSR_IA32_EFER_ADDR), W(MSR_IA32_EFER_ADDR, 0xD01),
    R(MSR_IA32_EFER_ADDR), W(MSR_IA32_EFER_ADDR, 0x501),
    R(MSR_IA32_PAT_ADDR), W(MSR_IA32_PAT_ADDR, UINT64_C(0x0007040600070406)), R(MSR_IA32_PAT_ADDR),
    W(MSR_IA32_PAT_ADDR, UINT64_C(0x0007010600070406)),
    R(MSR_IA32_MISC_ENABLE_ADDR), W(MSR_IA32_MISC_ENABLE_ADDR, 0x850089 | BIT(18)), R(MSR_IA32_MISC_ENABLE_ADDR),
    W(MSR_IA32_MISC_ENABLE_ADDR, 0x850089),
    R(MSR_IA32_MTRRCAP_ADDR), R(MSR_IA32_MTRR_DEF_TYPE_ADDR), W(0x202, 0xa0000006), W(0x203, UINT64_C(0x7fe0000800)),
    R(0x250), W(0x268, UINT64_C(0x0505050505050505)), R(0x259), W(MSR_IA32_MTRR_DEF_TYPE_ADDR, 0xC06),
    R(MIX_MISS_MSR), R(0x1A4), R(0xC0010114), R(0x34),
    W(MSR_IA32_EFER_ADDR, 0xD03),                       /* reserved bit 1 */
    W(MSR_IA32_PAT_ADDR, UINT64_C(0x0007040600070402)), /* memory type 2 */
    W(0x204, BIT(40) | 0x90000006),                     /* above MAXPHYADDR (39) */
    W(MSR_IA32_X2APIC_ICR_ADDR, 0xFD | BIT(13)),        /* reserved bit 13 */
};

void mix_exits_fill(struct mix_exit out[MIX_EXITS])
{
    unsigned i, tsc = 0, icr = 0, rest = 0;

    /* ten blocks of ten: slots 0-4 a timer write, slot 5 a timer write in
     * the first four blocks and an IPI in the others, slot 6 an IPI, slots
     * 7-9 the rest: 54 + 16 + 30 */
    for (i = 0; i < MIX_EXITS; i++) {
        unsigned block = i / 10, slot = i % 10;

        if (slot < 5 || (slot == 5 && block < 4)) {
            out[i].msr = MSR_IA32_TSC_DEADLINE_ADDR;
            out[i].write = 1;
            out[i].value = UINT64_C(0x12fdb64facbdf) + (uint64_t)tsc++ * 0x40000;
        } else if (slot <= 6) {
            out[i].msr = MSR_IA32_X2APIC_ICR_ADDR;
            out[i].write = 1;
            out[i].value = 0xFD | ((uint64_t)(icr++ % 4) << 32); /* fixed vector to CPU 0-3 */
        } else {
            out[i] = other[rest++];
        }
    }
}

/* ---- the hand-written switch ---- */

/* The guest's masks, as a VMM author would write them down for this CPU
 * (bits that must be 0, bits the guest may change). */
#define EFER_RSVD UINT64_C(0xfffffffffffff2fe)
#define FMASK_RSVD UINT64_C(0xffffffff00000000)
#define MISC_RSVD UINT64_C(0xffffffbbff3ae776)
#define MISC_WR UINT64_C(0x4400c50009)
#define APIC_RSVD UINT64_C(0xffffff80000002ff)
#define APIC_WR UINT64_C(0x7ffffffc00)
#define PAT_RSVD UINT64_C(0xf8f8f8f8f8f8f8f8)
#define DEF_TYPE_RSVD UINT64_C(0xfffffffffffff300)
#define PHYSBASE_RSVD UINT64_C(0xffffff8000000f00)
#define PHYSMASK_RSVD UINT64_C(0xffffff80000007ff)
#define ICR_RSVD UINT64_C(0x00000000fff33000)

static bool canonical48(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* Memory types: PAT takes 0, 1, 4-7; the MTRRs 0, 1, 4-6. */
static bool pat_ok(uint64_t v)
{
    unsigned i;
    for (i = 0; i < 64; i += 8)
        if ((0xF3u >> ((v >> i) & 7u) & 1u) == 0)
            return false;
    return true;
}

static bool mtrr_type_ok(uint64_t type)
{
    return type < 7 && ((0x73u >> type) & 1u);
}

static bool fixed_ok(uint64_t v)
{
    unsigned i;
    for (i = 0; i < 64; i += 8)
        if (!mtrr_type_ok((v >> i) & 0xFFu))
            return false;
    return true;
}

enum msr_virt_result mix_switch_rdmsr(struct mix_vcpu *v, uint32_t msr, uint64_t *value)
{
    uint64_t *r;

    *value = 0;
    switch (msr) {
    case MSR_IA32_EFER_ADDR: case MSR_IA32_STAR_ADDR: case MSR_IA32_LSTAR_ADDR: case MSR_IA32_CSTAR_ADDR:
    case MSR_IA32_FMASK_ADDR: case MSR_IA32_FS_BASE_ADDR: case MSR_IA32_GS_BASE_ADDR:
    case MSR_IA32_KERNEL_GS_BASE_ADDR: case MSR_IA32_TSC_AUX_ADDR: case MSR_IA32_SYSENTER_CS_ADDR:
    case MSR_IA32_SYSENTER_ESP_ADDR: case MSR_IA32_SYSENTER_EIP_ADDR:
        return MSR_VIRT_FORWARD;
    case MSR_IA32_MTRRCAP_ADDR:
        *value = MTRRCAP_VALUE;
        return MSR_VIRT_HANDLED;
    case MSR_IA32_X2APIC_ICR_ADDR:
        if (!(v->apic_base & BIT(10)))
            return MSR_VIRT_INJECT_GP;
        *value = v->icr;
        return MSR_VIRT_HANDLED;
    default:
        r = reg(v, msr);
        if (r == NULL)
            return MSR_VIRT_INJECT_GP;
        *value = *r;
        return MSR_VIRT_HANDLED;
    }
}

enum msr_virt_result mix_switch_wrmsr(struct mix_vcpu *v, uint32_t msr, uint64_t value)
{
    switch (msr) {
    case MSR_IA32_TSC_DEADLINE_ADDR:
        v->tsc_deadline = value;
        return MSR_VIRT_HANDLED;
    case MSR_IA32_X2APIC_ICR_ADDR:
        if (!(v->apic_base & BIT(10)) || (value & ICR_RSVD))
            return MSR_VIRT_INJECT_GP;
        v->icr = value;
        v->icr_sent++;
        return MSR_VIRT_HANDLED;
    case MSR_IA32_EFER_ADDR:
        return value & EFER_RSVD ? MSR_VIRT_INJECT_GP : MSR_VIRT_FORWARD;
    case MSR_IA32_STAR_ADDR: case MSR_IA32_SYSENTER_CS_ADDR:
        return MSR_VIRT_FORWARD;
    case MSR_IA32_FMASK_ADDR: case MSR_IA32_TSC_AUX_ADDR:
        return value & FMASK_RSVD ? MSR_VIRT_INJECT_GP : MSR_VIRT_FORWARD;
    case MSR_IA32_LSTAR_ADDR: case MSR_IA32_CSTAR_ADDR: case MSR_IA32_FS_BASE_ADDR: case MSR_IA32_GS_BASE_ADDR:
    case MSR_IA32_KERNEL_GS_BASE_ADDR: case MSR_IA32_SYSENTER_ESP_ADDR: case MSR_IA32_SYSENTER_EIP_ADDR:
        return canonical48(value) ? MSR_VIRT_FORWARD : MSR_VIRT_INJECT_GP;
    case MSR_IA32_MISC_ENABLE_ADDR:
        if (value & MISC_RSVD)
            return MSR_VIRT_INJECT_GP;
        v->misc_enable = (value & MISC_WR) | (v->misc_enable & ~MISC_RSVD & ~MISC_WR);
        return MSR_VIRT_HANDLED;
    case MSR_IA32_APIC_BASE_ADDR:
        if (value & APIC_RSVD)
            return MSR_VIRT_INJECT_GP;
        v->apic_base = (value & APIC_WR) | (v->apic_base & ~APIC_RSVD & ~APIC_WR);
        return MSR_VIRT_HANDLED;
    case MSR_IA32_PAT_ADDR:
        if ((value & PAT_RSVD) || !pat_ok(value))
            return MSR_VIRT_INJECT_GP;
        v->pat = value;
        return MSR_VIRT_HANDLED;
    case MSR_IA32_MTRRCAP_ADDR:
        return MSR_VIRT_INJECT_GP;
    case MSR_IA32_MTRR_DEF_TYPE_ADDR:
        if ((value & DEF_TYPE_RSVD) || !mtrr_type_ok(value & 0xFFu))
            return MSR_VIRT_INJECT_GP;
        v->mtrr_def_type = value;
        return MSR_VIRT_HANDLED;
    default:
        if (msr >= 0x200 && msr <= 0x213) {
            bool base = (msr & 1u) == 0;
            if ((value & (base ? PHYSBASE_RSVD : PHYSMASK_RSVD)) || (base && !mtrr_type_ok(value & 0xFFu)))
                return MSR_VIRT_INJECT_GP;
            v->mtrr_var[msr - 0x200] = value;
            return MSR_VIRT_HANDLED;
        }
        if (msr == 0x250 || msr == 0x258 || msr == 0x259 || (msr >= 0x268 && msr <= 0x26F)) {
            if (!fixed_ok(value))
                return MSR_VIRT_INJECT_GP;
            *reg(v, msr) = value;
            return MSR_VIRT_HANDLED;
        }
        return MSR_VIRT_INJECT_GP;
    }
}
