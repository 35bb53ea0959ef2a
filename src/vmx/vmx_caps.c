/*
 * The VMX capability snapshot: which capability MSRs exist, reading them in
 * an order that only ever touches an MSR whose existence the values read
 * before it establish (SDM Vol. 3D Appendix A), and the same rules applied
 * to a list of values for offline decoding.
 */
#include <x86msr/vmx.h>

/* The capability MSRs are contiguous: 480H + enum msr_vmx_cap_msr. */
MSR_STATIC_ASSERT(MSR_IA32_VMX_EXIT_CTLS2 - MSR_IA32_VMX_BASIC == MSR_VMX_CAP_EXIT_CTLS2, vmx_caps_contiguous);
MSR_STATIC_ASSERT(MSR_IA32_VMX_TRUE_PINBASED_CTLS - MSR_IA32_VMX_BASIC == MSR_VMX_CAP_TRUE_PINBASED_CTLS,
                  vmx_caps_true_index);

uint32_t msr_vmx_cap_msr_address(enum msr_vmx_cap_msr which)
{
    if ((unsigned)which >= MSR_VMX_CAP_COUNT)
        return 0;
    return MSR_IA32_VMX_BASIC + (uint32_t)which;
}

const char *msr_vmx_cap_msr_condition(enum msr_vmx_cap_msr which)
{
    switch (which) {
    case MSR_VMX_CAP_BASIC:
    case MSR_VMX_CAP_PINBASED_CTLS:
    case MSR_VMX_CAP_PROCBASED_CTLS:
    case MSR_VMX_CAP_EXIT_CTLS:
    case MSR_VMX_CAP_ENTRY_CTLS:
    case MSR_VMX_CAP_MISC:
    case MSR_VMX_CAP_CR0_FIXED0:
    case MSR_VMX_CAP_CR0_FIXED1:
    case MSR_VMX_CAP_CR4_FIXED0:
    case MSR_VMX_CAP_CR4_FIXED1:
    case MSR_VMX_CAP_VMCS_ENUM:
        return "every processor with VMX has it";
    case MSR_VMX_CAP_TRUE_PINBASED_CTLS:
    case MSR_VMX_CAP_TRUE_PROCBASED_CTLS:
    case MSR_VMX_CAP_TRUE_EXIT_CTLS:
    case MSR_VMX_CAP_TRUE_ENTRY_CTLS:
        return "IA32_VMX_BASIC bit 55 (TRUE controls) is 1";
    case MSR_VMX_CAP_PROCBASED_CTLS2:
        return "primary processor-based control 31 (activate secondary controls) may be 1";
    case MSR_VMX_CAP_EPT_VPID_CAP:
        return "secondary control 1 (enable EPT) or 5 (enable VPID) may be 1";
    case MSR_VMX_CAP_VMFUNC:
        return "secondary control 13 (enable VM functions) may be 1";
    case MSR_VMX_CAP_PROCBASED_CTLS3:
        return "primary processor-based control 17 (activate tertiary controls) may be 1";
    case MSR_VMX_CAP_EXIT_CTLS2:
        return "VM-exit control 31 (activate secondary controls) may be 1";
    case MSR_VMX_CAP_COUNT:
        break;
    }
    return "not a VMX capability MSR";
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
        return MSR_ERR_UNSUPPORTED;
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

static int read_one(struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which, msr_vmx_read_fn read, void *ctx)
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

static int read_range(struct msr_vmx_caps *caps, enum msr_vmx_cap_msr first, enum msr_vmx_cap_msr last,
                      msr_vmx_read_fn read, void *ctx)
{
    unsigned i;

    for (i = (unsigned)first; i <= (unsigned)last; i++) {
        int status = read_one(caps, (enum msr_vmx_cap_msr)i, read, ctx);
        if (status != MSR_OK)
            return status;
    }
    return MSR_OK;
}

/* Allowed-1 bits of a 32-bit control capability MSR (its high half). */
static uint64_t allowed1_of(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which)
{
    return caps->value[which] >> 32;
}

/*
 * The reading order is the existence proof: each optional MSR is read only
 * after the MSR whose bit announces it. The plain (not TRUE_*) primary and
 * exit MSRs decide, since the SDM gives TRUE_* the same allowed-1 bits.
 */
static int fill(struct msr_vmx_caps *caps, msr_vmx_read_fn read, void *ctx)
{
    int status = read_one(caps, MSR_VMX_CAP_BASIC, read, ctx);
    uint64_t primary1, secondary1;

    if (status != MSR_OK)
        return status;
    status = read_range(caps, MSR_VMX_CAP_PINBASED_CTLS, MSR_VMX_CAP_VMCS_ENUM, read, ctx);
    if (status != MSR_OK)
        return status;
    if (msr_ia32_vmx_basic_true_controls_get(msr_ia32_vmx_basic_from_raw(caps->value[MSR_VMX_CAP_BASIC]))) {
        status = read_range(caps, MSR_VMX_CAP_TRUE_PINBASED_CTLS, MSR_VMX_CAP_TRUE_ENTRY_CTLS, read, ctx);
        if (status != MSR_OK)
            return status;
    }
    primary1 = allowed1_of(caps, MSR_VMX_CAP_PROCBASED_CTLS);
    if (primary1 & MSR_VMX_PRIMARY_ACTIVATE_SECONDARY_CONTROLS) {
        status = read_one(caps, MSR_VMX_CAP_PROCBASED_CTLS2, read, ctx);
        if (status != MSR_OK)
            return status;
        secondary1 = allowed1_of(caps, MSR_VMX_CAP_PROCBASED_CTLS2);
        if (secondary1 & (MSR_VMX_SECONDARY_ENABLE_EPT | MSR_VMX_SECONDARY_ENABLE_VPID)) {
            status = read_one(caps, MSR_VMX_CAP_EPT_VPID_CAP, read, ctx);
            if (status != MSR_OK)
                return status;
        }
        if (secondary1 & MSR_VMX_SECONDARY_ENABLE_VM_FUNCTIONS) {
            status = read_one(caps, MSR_VMX_CAP_VMFUNC, read, ctx);
            if (status != MSR_OK)
                return status;
        }
    }
    if (primary1 & MSR_VMX_PRIMARY_ACTIVATE_TERTIARY_CONTROLS) {
        status = read_one(caps, MSR_VMX_CAP_PROCBASED_CTLS3, read, ctx);
        if (status != MSR_OK)
            return status;
    }
    if (allowed1_of(caps, MSR_VMX_CAP_EXIT_CTLS) & MSR_VMX_EXIT_ACTIVATE_SECONDARY_CONTROLS)
        status = read_one(caps, MSR_VMX_CAP_EXIT_CTLS2, read, ctx);
    return status;
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

static int fill_checked(struct msr_vmx_caps *caps, msr_vmx_read_fn read, void *ctx)
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

int msr_vmx_caps_read_with(struct msr_vmx_caps *caps, msr_vmx_read_fn read, void *ctx)
{
    int status;

    if (caps == NULL)
        return MSR_ERR_INVALID;
    if (read == NULL) {
        caps_clear(caps);
        return MSR_ERR_INVALID;
    }
    status = fill_checked(caps, read, ctx);
    /* BASIC exists on every VMX processor: if reading it faults (#GP, or
     * EIO from the Linux driver), the processor has no VMX. */
    if (caps->error_msr == MSR_IA32_VMX_BASIC && (status == MSR_ERR_FAULT || status == MSR_ERR_IO))
        status = MSR_ERR_UNSUPPORTED;
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
    return msr >= MSR_IA32_VMX_BASIC && msr - MSR_IA32_VMX_BASIC < MSR_VMX_CAP_COUNT;
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
