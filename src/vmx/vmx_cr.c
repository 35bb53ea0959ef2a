/*
 * CR0/CR4 fixed bits in VMX operation (SDM Vol. 3D A.7, A.8): a bit set in
 * FIXED0 must be 1, a bit clear in FIXED1 must be 0. The one exception: under
 * "unrestricted guest", guest CR0.PE and CR0.PG may be 0 (Vol. 3C, "Checks on
 * Guest Control Registers, Debug Registers, and MSRs"), though PG = 1 still
 * needs PE = 1.
 *
 * Written out with explicit masks and named intermediate values: the
 * one-expression form of this check is where a well-known hypervisor's
 * operator-precedence bug made it always true.
 */
#include <x86msr/vmx.h>

#include "vmx_format.h"

int msr_vmx_fixed_bits_check(uint64_t value, uint64_t fixed0, uint64_t fixed1, struct msr_vmx_cr_check *out)
{
    uint64_t missing = fixed0 & ~value;
    uint64_t forbidden = value & ~fixed1;

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->value = value;
    out->missing = missing;
    out->forbidden = forbidden;
    return (missing | forbidden) != 0 ? MSR_ERR_INVALID : MSR_OK;
}

/* FIXED0 and FIXED1 of CR0 or CR4 (`fixed0` is the FIXED0 index); absent
 * only when the snapshot was never filled. */
static int fixed_pair(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr fixed0, uint64_t *must1, uint64_t *may1)
{
    enum msr_vmx_cap_msr fixed1 = (enum msr_vmx_cap_msr)(fixed0 + 1);

    if (!msr_vmx_caps_has(caps, fixed0) || !msr_vmx_caps_has(caps, fixed1))
        return MSR_ERR_INVALID;
    *must1 = caps->value[fixed0];
    *may1 = caps->value[fixed1];
    return MSR_OK;
}

/* The CR0 bits that must be 1, given the unrestricted-guest exception. */
static int cr0_must_be_1(const struct msr_vmx_caps *caps, bool unrestricted_guest, uint64_t *must1, uint64_t *may1)
{
    struct msr_vmx_control_caps secondary;
    int status = fixed_pair(caps, MSR_VMX_CAP_CR0_FIXED0, must1, may1);

    if (status != MSR_OK || !unrestricted_guest)
        return status;
    if (msr_vmx_caps_control_set(caps, MSR_VMX_CTLS_SECONDARY, &secondary) != MSR_OK ||
        !(secondary.allowed1 & MSR_VMX_SECONDARY_UNRESTRICTED_GUEST))
        return MSR_VMX_ERR_UNSUPPORTED;
    *must1 &= ~(MSR_VMX_CR0_PE | MSR_VMX_CR0_PG);
    return MSR_OK;
}

static void clear_check(struct msr_vmx_cr_check *out, uint64_t value)
{
    out->value = value;
    out->missing = out->forbidden = 0;
}

int msr_vmx_cr0_check(const struct msr_vmx_caps *caps, uint64_t cr0, bool unrestricted_guest,
                      struct msr_vmx_cr_check *out)
{
    uint64_t must1 = 0, may1 = 0;
    int status;

    if (out == NULL)
        return MSR_ERR_INVALID;
    clear_check(out, cr0);
    if (caps == NULL)
        return MSR_ERR_INVALID;
    status = cr0_must_be_1(caps, unrestricted_guest, &must1, &may1);
    if (status != MSR_OK)
        return status;
    status = msr_vmx_fixed_bits_check(cr0, must1, may1, out);
    /* Paging without protection is never a valid CR0; FIXED0 normally
     * forces both, but not under the exception. */
    if ((cr0 & MSR_VMX_CR0_PG) && !(cr0 & MSR_VMX_CR0_PE)) {
        out->missing |= MSR_VMX_CR0_PE;
        status = MSR_ERR_INVALID;
    }
    return status;
}

int msr_vmx_cr4_check(const struct msr_vmx_caps *caps, uint64_t cr4, struct msr_vmx_cr_check *out)
{
    uint64_t must1 = 0, may1 = 0;
    int status;

    if (out == NULL)
        return MSR_ERR_INVALID;
    clear_check(out, cr4);
    if (caps == NULL)
        return MSR_ERR_INVALID;
    status = fixed_pair(caps, MSR_VMX_CAP_CR4_FIXED0, &must1, &may1);
    if (status != MSR_OK)
        return status;
    return msr_vmx_fixed_bits_check(cr4, must1, may1, out);
}

int msr_vmx_cr0_apply(const struct msr_vmx_caps *caps, uint64_t cr0, bool unrestricted_guest, uint64_t *out)
{
    uint64_t must1 = 0, may1 = 0;
    uint64_t fixed;
    int status;

    if (out == NULL)
        return MSR_ERR_INVALID;
    *out = cr0;
    if (caps == NULL)
        return MSR_ERR_INVALID;
    status = cr0_must_be_1(caps, unrestricted_guest, &must1, &may1);
    if (status != MSR_OK)
        return status;
    fixed = (cr0 | must1) & may1;
    if (fixed & MSR_VMX_CR0_PG)
        fixed |= MSR_VMX_CR0_PE & may1;
    *out = fixed;
    return MSR_OK;
}

int msr_vmx_cr4_apply(const struct msr_vmx_caps *caps, uint64_t cr4, uint64_t *out)
{
    uint64_t must1 = 0, may1 = 0;
    int status;

    if (out == NULL)
        return MSR_ERR_INVALID;
    *out = cr4;
    if (caps == NULL)
        return MSR_ERR_INVALID;
    status = fixed_pair(caps, MSR_VMX_CAP_CR4_FIXED0, &must1, &may1);
    if (status != MSR_OK)
        return status;
    *out = (cr4 | must1) & may1;
    return MSR_OK;
}

/* ---- messages ---- */

/* Architectural bit names (SDM Vol. 3A 2.5); NULL where none. */
const char *msr_vmx_cr_bit_name(unsigned cr, unsigned bit)
{
    static const char *const cr0[32] = {
        [0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE",
        [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
    };
    static const char *const cr4[32] = {
        [0] = "VME",   [1] = "PVI",    [2] = "TSD",        [3] = "DE",       [4] = "PSE",
        [5] = "PAE",   [6] = "MCE",    [7] = "PGE",        [8] = "PCE",      [9] = "OSFXSR",
        [10] = "OSXMMEXCPT", [11] = "UMIP", [12] = "LA57", [13] = "VMXE",    [14] = "SMXE",
        [16] = "FSGSBASE", [17] = "PCIDE", [18] = "OSXSAVE", [19] = "KL",    [20] = "SMEP",
        [21] = "SMAP", [22] = "PKE",    [23] = "CET",       [24] = "PKS",     [25] = "UINTR",
        [28] = "LAM_SUP",
    };

    if (bit >= 32)
        return NULL;
    if (cr == 0)
        return cr0[bit];
    if (cr == 4)
        return cr4[bit];
    return NULL;
}

static void describe_bits(struct msr_vmx_fmt *f, unsigned cr, uint64_t bits, const char *verdict)
{
    unsigned bit;

    for (bit = 0; bit < 64; bit++) {
        const char *name;

        if (!(bits & (1ull << bit)))
            continue;
        msr_vmx_fmt_str(f, "CR");
        msr_vmx_fmt_dec(f, cr);
        msr_vmx_fmt_str(f, ": bit ");
        msr_vmx_fmt_dec(f, bit);
        name = msr_vmx_cr_bit_name(cr, bit);
        if (name != NULL) {
            msr_vmx_fmt_str(f, " (");
            msr_vmx_fmt_str(f, name);
            msr_vmx_fmt_str(f, ")");
        }
        msr_vmx_fmt_str(f, verdict);
    }
}

size_t msr_vmx_cr_describe(unsigned cr, const struct msr_vmx_cr_check *check, char *buf, size_t size)
{
    struct msr_vmx_fmt f;

    msr_vmx_fmt_init(&f, buf, size);
    if (check != NULL) {
        describe_bits(&f, cr, check->missing, " must be 1\n");
        describe_bits(&f, cr, check->forbidden, " must be 0\n");
    }
    return msr_vmx_fmt_finish(&f);
}
