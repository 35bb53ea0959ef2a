/*
 * The VMX capability snapshot: which capability MSRs exist, reading them in
 * an order that only ever touches an MSR whose existence the values read
 * before it establish (SDM Vol. 3D Appendix A), and the same rules applied
 * to a list of values for offline decoding.
 */
#include <x86msr/cpuid.h>
#include <x86msr/msr_defs.h>
#include <x86msr/vmx.h>

/* The capability MSRs, by enum msr_vmx_cap_msr and register. */
#define VMX_CAP_MSRS(X)                                                                                     \
    X(BASIC, IA32_VMX_BASIC)                                                                                \
    X(PINBASED_CTLS, IA32_VMX_PINBASED_CTLS)                                                                \
    X(PROCBASED_CTLS, IA32_VMX_PROCBASED_CTLS)                                                              \
    X(EXIT_CTLS, IA32_VMX_EXIT_CTLS)                                                                        \
    X(ENTRY_CTLS, IA32_VMX_ENTRY_CTLS)                                                                      \
    X(MISC, IA32_VMX_MISC)                                                                                  \
    X(CR0_FIXED0, IA32_VMX_CR0_FIXED0)                                                                      \
    X(CR0_FIXED1, IA32_VMX_CR0_FIXED1)                                                                      \
    X(CR4_FIXED0, IA32_VMX_CR4_FIXED0)                                                                      \
    X(CR4_FIXED1, IA32_VMX_CR4_FIXED1)                                                                      \
    X(VMCS_ENUM, IA32_VMX_VMCS_ENUM)                                                                        \
    X(PROCBASED_CTLS2, IA32_VMX_PROCBASED_CTLS2)                                                            \
    X(EPT_VPID_CAP, IA32_VMX_EPT_VPID_CAP)                                                                  \
    X(TRUE_PINBASED_CTLS, IA32_VMX_TRUE_PINBASED_CTLS)                                                      \
    X(TRUE_PROCBASED_CTLS, IA32_VMX_TRUE_PROCBASED_CTLS)                                                    \
    X(TRUE_EXIT_CTLS, IA32_VMX_TRUE_EXIT_CTLS)                                                              \
    X(TRUE_ENTRY_CTLS, IA32_VMX_TRUE_ENTRY_CTLS)                                                            \
    X(VMFUNC, IA32_VMX_VMFUNC)                                                                              \
    X(PROCBASED_CTLS3, IA32_VMX_PROCBASED_CTLS3)                                                            \
    X(EXIT_CTLS2, IA32_VMX_EXIT_CTLS2)

/* The capability MSRs are contiguous: 480H + enum msr_vmx_cap_msr. */
#define VMX_CAP_AT(which, reg)                                                                              \
    MSR_STATIC_ASSERT(MSR_##reg##_ADDR - MSR_IA32_VMX_BASIC_ADDR == MSR_VMX_CAP_##which, vmx_cap_##which);
VMX_CAP_MSRS(VMX_CAP_AT)
MSR_STATIC_ASSERT(MSR_VMX_CAP_EXIT_CTLS2 + 1 == MSR_VMX_CAP_COUNT, vmx_caps_all_listed);

/* Their check records: the presence conditions that order the reads. Named
 * one by one, so the library refers to these twenty records and no table. */
#define VMX_CAP_DEF(which, reg) MSR_DEF(reg),
static const struct msr_def *const cap_defs[MSR_VMX_CAP_COUNT] = { VMX_CAP_MSRS(VMX_CAP_DEF) };

uint32_t msr_vmx_cap_msr_address(enum msr_vmx_cap_msr which)
{
    if ((unsigned)which >= MSR_VMX_CAP_COUNT)
        return 0;
    return MSR_IA32_VMX_BASIC_ADDR + (uint32_t)which;
}

/* The presence condition of `which`, or NULL. */
static const struct msr_condition *cap_condition(unsigned which)
{
    return msr_def_condition(cap_defs[which], cap_defs[which]->present_if);
}

size_t msr_vmx_cap_msr_condition(enum msr_vmx_cap_msr which, char *buf, size_t size)
{
    const struct msr_condition *cond = (unsigned)which < MSR_VMX_CAP_COUNT ? cap_condition(which) : NULL;
    static const char none[] = "not a VMX capability MSR";

    if (cond == NULL) {
        size_t i;
        for (i = 0; size && i + 1 < size && none[i]; i++)
            buf[i] = none[i];
        if (size)
            buf[i] = '\0';
        return sizeof none - 1;
    }
    return msr_condition_describe(cond, 0, false, buf, size);
}

bool msr_vmx_caps_has(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which)
{
    return caps != NULL && (unsigned)which < MSR_VMX_CAP_COUNT && (caps->present & (1u << which)) != 0;
}

int msr_vmx_caps_get(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which, uint64_t *value)
{
    if (value == NULL)
        return MSR_ERR_INVALID;
    *value = 0;
    if (caps == NULL || (unsigned)which >= MSR_VMX_CAP_COUNT)
        return MSR_ERR_INVALID;
    if (!msr_vmx_caps_has(caps, which))
        return MSR_VMX_ERR_UNSUPPORTED;
    *value = caps->value[which];
    return MSR_OK;
}

static void caps_clear(struct msr_vmx_caps *caps)
{
    unsigned i;

    for (i = 0; i < MSR_VMX_CAP_COUNT; i++)
        caps->value[i] = 0;
    caps->present = 0;
    caps->error_msr = 0;
}

static int read_one(struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which, msr_read_fn read, void *ctx)
{
    uint32_t msr = msr_vmx_cap_msr_address(which);
    uint64_t value = 0;
    int status = read(ctx, msr, &value);

    if (status != MSR_OK) {
        caps->error_msr = msr;
        return status;
    }
    caps->value[which] = value;
    caps->present |= 1u << which;
    return MSR_OK;
}

/* The facts the presence conditions of the capability MSRs are evaluated
 * against while filling: the values read so far, and CPUID saying "VMX" (the
 * snapshot exists because IA32_VMX_BASIC could be read). */
struct fill_facts {
    const struct msr_vmx_caps *caps;
    uint32_t decided; /* bit per capability MSR: read, or known absent */
};

static int snapshot_read(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct fill_facts *f = (const struct fill_facts *)ctx;
    unsigned i = msr - MSR_IA32_VMX_BASIC_ADDR;

    *value = 0;
    if (msr < MSR_IA32_VMX_BASIC_ADDR || i >= MSR_VMX_CAP_COUNT || !(f->decided & (1u << i)))
        return MSR_ERR_RANGE; /* not known (yet) */
    *value = f->caps->value[i]; /* 0 for an absent one */
    return MSR_OK;
}

static const struct msr_cpuid_entry vmx_cpuid_entries[] = {
    {1, 0, {0, 0, UINT32_C(1) << 5, 0}}, /* CPUID.01H:ECX[5]: VMX */
};
static const struct msr_cpuid_table vmx_cpuid = {vmx_cpuid_entries, 1};

/*
 * The reading order is the existence proof: a capability MSR is read only
 * once the spec's presence condition (IA32_VMX_BASIC[55], an allowed-1 bit of
 * another capability MSR, ...) holds for the values read before it. Rounds
 * over the MSRs until every one is read or known absent; a condition the
 * values cannot decide is a defect of the spec or of the input.
 */
static int fill(struct msr_vmx_caps *caps, msr_read_fn read, void *ctx)
{
    struct msr_cpuid_source cpuid = msr_cpuid_table_source(&vmx_cpuid);
    struct fill_facts facts = {caps, 0};
    struct msr_facts f;
    const uint32_t all = (1u << MSR_VMX_CAP_COUNT) - 1;
    bool progress = true;
    int status = read_one(caps, MSR_VMX_CAP_BASIC, read, ctx);

    if (status != MSR_OK)
        return status;
    facts.decided = 1u << MSR_VMX_CAP_BASIC;
    f.cpuid = &cpuid;
    f.read_msr = snapshot_read;
    f.msr_ctx = &facts;
    while (facts.decided != all && progress) {
        unsigned i;
        progress = false;
        for (i = 0; i < MSR_VMX_CAP_COUNT; i++) {
            const struct msr_condition *cond;
            enum msr_support present;

            if (facts.decided & (1u << i))
                continue;
            cond = cap_condition(i);
            present = cond != NULL ? msr_condition_eval(cond, 0, &f) : MSR_SUPPORT_NO;
            if (present == MSR_SUPPORT_UNKNOWN)
                continue;
            if (present == MSR_SUPPORT_YES) {
                status = read_one(caps, (enum msr_vmx_cap_msr)i, read, ctx);
                if (status != MSR_OK)
                    return status;
            }
            facts.decided |= 1u << i;
            progress = true;
        }
    }
    if (facts.decided != all) {
        caps->error_msr = MSR_IA32_VMX_BASIC_ADDR;
        return MSR_ERR_INVALID;
    }
    return MSR_OK;
}

/*
 * Everything else in the library relies on these: a bit that must be 1 may
 * also be 1. A CPU never reports otherwise; a corrupt snapshot or a broken
 * nested hypervisor might, and adjusting against such values would produce
 * controls that fail VM entry.
 */
static int check_consistent(struct msr_vmx_caps *caps)
{
    static const enum msr_vmx_cap_msr controls32[] = {
        MSR_VMX_CAP_PINBASED_CTLS,      MSR_VMX_CAP_PROCBASED_CTLS,      MSR_VMX_CAP_EXIT_CTLS,
        MSR_VMX_CAP_ENTRY_CTLS,         MSR_VMX_CAP_PROCBASED_CTLS2,     MSR_VMX_CAP_TRUE_PINBASED_CTLS,
        MSR_VMX_CAP_TRUE_PROCBASED_CTLS, MSR_VMX_CAP_TRUE_EXIT_CTLS,     MSR_VMX_CAP_TRUE_ENTRY_CTLS,
    };
    static const enum msr_vmx_cap_msr fixed0[] = {MSR_VMX_CAP_CR0_FIXED0, MSR_VMX_CAP_CR4_FIXED0};
    unsigned i;

    for (i = 0; i < sizeof controls32 / sizeof controls32[0]; i++) {
        uint64_t v = caps->value[controls32[i]];
        if ((v & UINT64_C(0xFFFFFFFF)) & ~(v >> 32)) {
            caps->error_msr = msr_vmx_cap_msr_address(controls32[i]);
            return MSR_ERR_INVALID;
        }
    }
    /* FIXED1 directly follows its FIXED0. */
    for (i = 0; i < 2; i++) {
        if (caps->value[fixed0[i]] & ~caps->value[fixed0[i] + 1]) {
            caps->error_msr = msr_vmx_cap_msr_address(fixed0[i]);
            return MSR_ERR_INVALID;
        }
    }
    return MSR_OK;
}

static int fill_checked(struct msr_vmx_caps *caps, msr_read_fn read, void *ctx)
{
    int status;

    caps_clear(caps);
    status = fill(caps, read, ctx);
    if (status == MSR_OK)
        status = check_consistent(caps);
    if (status != MSR_OK) {
        uint32_t error_msr = caps->error_msr;
        caps_clear(caps); /* a half-filled snapshot must not be usable */
        caps->error_msr = error_msr;
    }
    return status;
}

int msr_vmx_caps_read_with(struct msr_vmx_caps *caps, msr_read_fn read, void *ctx)
{
    int status;

    if (caps == NULL)
        return MSR_ERR_INVALID;
    if (read == NULL) {
        caps_clear(caps);
        return MSR_ERR_INVALID;
    }
    status = fill_checked(caps, read, ctx);
    /* BASIC exists on every VMX processor: if reading it faults (#GP through
     * any backend), the processor has no VMX. */
    if (caps->error_msr == MSR_IA32_VMX_BASIC_ADDR && status == MSR_ERR_FAULT)
        status = MSR_VMX_ERR_UNSUPPORTED;
    return status;
}

/* ---- offline: from a list of values ---- */

struct value_list {
    const struct msr_vmx_msr_value *values;
    size_t count;
};

/* Reads from the list; an absent MSR reads like one the CPU lacks. */
static int list_read(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct value_list *list = (const struct value_list *)ctx;
    size_t i;

    for (i = 0; i < list->count; i++) {
        if (list->values[i].msr == msr) {
            *value = list->values[i].value;
            return MSR_OK;
        }
    }
    *value = 0;
    return MSR_ERR_FAULT;
}

static bool is_cap_msr(uint32_t msr)
{
    return msr >= MSR_IA32_VMX_BASIC_ADDR && msr - MSR_IA32_VMX_BASIC_ADDR < MSR_VMX_CAP_COUNT;
}

/* A VMX MSR listed twice makes the snapshot ambiguous. */
static uint32_t first_duplicate(const struct msr_vmx_msr_value *values, size_t count)
{
    size_t i, j;

    for (i = 0; i < count; i++) {
        if (!is_cap_msr(values[i].msr))
            continue;
        for (j = i + 1; j < count; j++)
            if (values[j].msr == values[i].msr)
                return values[i].msr;
    }
    return 0;
}

int msr_vmx_caps_from_values(struct msr_vmx_caps *caps, const struct msr_vmx_msr_value *values, size_t count)
{
    struct value_list list;
    uint32_t duplicate;

    if (caps == NULL)
        return MSR_ERR_INVALID;
    caps_clear(caps);
    if (values == NULL && count > 0)
        return MSR_ERR_INVALID;
    duplicate = first_duplicate(values, count);
    if (duplicate != 0) {
        caps->error_msr = duplicate;
        return MSR_ERR_INVALID;
    }
    list.values = values;
    list.count = count;
    /* Offline, every failure is a defect of the input. */
    return fill_checked(caps, list_read, &list) == MSR_OK ? MSR_OK : MSR_ERR_INVALID;
}
