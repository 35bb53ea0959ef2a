/*
 * Control adjustment: from what the hypervisor wants and what the CPU allows
 * to the value written into the VMCS, with every unsupported required bit
 * reported by set and position (names from the spec's control-set tables).
 */
#include <x86msr/vmx.h>

#include "vmx_format.h"

static bool set_in_range(enum msr_vmx_control_set_id set)
{
    return (unsigned)set < MSR_VMX_CTLS_COUNT && (size_t)set < msr_vmx_control_set_count;
}

static uint64_t width_mask(enum msr_vmx_control_set_id set)
{
    return msr_vmx_control_sets[set].width == 64 ? ~0ull : 0xFFFFFFFFull;
}

static void clear_adjusted(struct msr_vmx_adjusted *out, enum msr_vmx_control_set_id set)
{
    out->set = set;
    out->value = out->unsupported = out->dropped = out->forced = 0;
}

/* The argument checks shared by every adjustment entry point. */
static int check_request(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set, uint64_t bits)
{
    if (caps == NULL || !msr_vmx_caps_has(caps, MSR_VMX_CAP_BASIC) || !set_in_range(set))
        return MSR_ERR_INVALID;
    /* Bits above a 32-bit set's width are a caller bug (a constant of
     * another set, most likely), not a capability question. */
    if (bits & ~width_mask(set))
        return MSR_ERR_INVALID;
    return MSR_OK;
}

/* `known` is meaningful only with `sdm_defaults`: the bits whose meaning
 * the caller knows; the other flexible bits get their default setting. */
static int adjust(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set, uint64_t required,
                  uint64_t optional, uint64_t known, bool sdm_defaults, struct msr_vmx_adjusted *out)
{
    struct msr_vmx_control_caps cc;
    uint64_t wanted = required | optional;
    int status;

    if (out == NULL)
        return MSR_ERR_INVALID;
    clear_adjusted(out, set);
    status = check_request(caps, set, wanted | known);
    if (status != MSR_OK)
        return status;
    /* A set the CPU lacks reads as all-zero capabilities: every bit must be
     * 0, which is exactly how the CPU treats it. */
    status = msr_vmx_caps_control_set(caps, set, &cc);
    if (status != MSR_OK && status != MSR_VMX_ERR_UNSUPPORTED)
        return status;
    out->value = cc.allowed0 | (wanted & cc.allowed1);
    if (sdm_defaults) {
        uint64_t unknown = width_mask(set) & ~(known | wanted);
        out->value |= unknown & cc.allowed1 & cc.defaults;
    }
    out->unsupported = required & ~cc.allowed1;
    out->dropped = optional & ~required & ~cc.allowed1;
    out->forced = out->value & ~wanted;
    return out->unsupported != 0 ? MSR_VMX_ERR_UNSUPPORTED : MSR_OK;
}

int msr_vmx_adjust(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set, uint64_t required,
                   uint64_t optional, struct msr_vmx_adjusted *out)
{
    return adjust(caps, set, required, optional, 0, false, out);
}

int msr_vmx_adjust_sdm(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set, uint64_t required,
                       uint64_t optional, uint64_t known, struct msr_vmx_adjusted *out)
{
    return adjust(caps, set, required, optional, known, true, out);
}

/* ---- every set at once ---- */

/* A set that exists only through a control of another (spec: activated_by):
 * its parent set and the parent's activation bit, from msr_vmx_control_sets[]. */
static bool activation_of(enum msr_vmx_control_set_id set, enum msr_vmx_control_set_id *parent, uint64_t *bit)
{
    const struct msr_vmx_control_set_info *info = &msr_vmx_control_sets[set];

    if (info->activated_by_set < 0 || info->activated_by_set >= (int)MSR_VMX_CTLS_COUNT)
        return false;
    *parent = (enum msr_vmx_control_set_id)info->activated_by_set;
    *bit = 1ull << info->activated_by_bit;
    return true;
}

/* The worse of two statuses: invalid beats unsupported beats OK. */
static int worse(int a, int b)
{
    if (a == MSR_ERR_INVALID || b == MSR_ERR_INVALID)
        return MSR_ERR_INVALID;
    return a != MSR_OK ? a : b;
}

/* Asks the parent for the activation bit: as required when any dependent
 * bit is required, as optional when only optional bits the CPU can set are. */
static void request_activation(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set,
                               struct msr_vmx_controls_request *req)
{
    struct msr_vmx_control_caps cc;
    enum msr_vmx_control_set_id parent;
    uint64_t activation;

    if (!activation_of(set, &parent, &activation))
        return;
    if (req->required[set] != 0) {
        req->required[parent] |= activation;
        return;
    }
    (void)msr_vmx_caps_control_set(caps, set, &cc); /* zeroed when absent */
    if (req->optional[set] & cc.allowed1)
        req->optional[parent] |= activation;
}

int msr_vmx_controls_adjust(const struct msr_vmx_caps *caps, const struct msr_vmx_controls_request *request,
                            struct msr_vmx_controls *out)
{
    struct msr_vmx_controls_request req;
    int status = MSR_OK;
    unsigned i;

    if (out == NULL)
        return MSR_ERR_INVALID;
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++)
        clear_adjusted(&out->set[i], (enum msr_vmx_control_set_id)i);
    if (request == NULL)
        return MSR_ERR_INVALID;
    /* Validate everything before computing anything. */
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        int check = check_request(caps, (enum msr_vmx_control_set_id)i, request->required[i] | request->optional[i]);
        if (check != MSR_OK)
            return check;
    }
    req = *request;
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++)
        request_activation(caps, (enum msr_vmx_control_set_id)i, &req);
    /* Parents first: the sets no control activates (the spec has no chains). */
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        enum msr_vmx_control_set_id parent;
        uint64_t activation;
        if (!activation_of((enum msr_vmx_control_set_id)i, &parent, &activation))
            status = worse(status, msr_vmx_adjust(caps, (enum msr_vmx_control_set_id)i, req.required[i],
                                                  req.optional[i], &out->set[i]));
    }
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        enum msr_vmx_control_set_id parent;
        uint64_t activation;
        struct msr_vmx_adjusted *a = &out->set[i];

        if (!activation_of((enum msr_vmx_control_set_id)i, &parent, &activation))
            continue;
        if (out->set[parent].value & activation) {
            status = worse(status, msr_vmx_adjust(caps, (enum msr_vmx_control_set_id)i, req.required[i],
                                                  req.optional[i], a));
        } else {
            /* Not activated: the CPU treats the set as 0 whatever it holds. */
            a->unsupported = req.required[i];
            a->dropped = req.optional[i] & ~req.required[i];
            if (a->unsupported != 0)
                status = worse(status, MSR_VMX_ERR_UNSUPPORTED);
        }
    }
    return status;
}

/* ---- messages ---- */

static void describe_unsupported(struct msr_vmx_fmt *f, const struct msr_vmx_adjusted *a)
{
    unsigned bit;

    for (bit = 0; bit < 64; bit++) {
        const struct msr_vmx_control_bit *named;

        if (!(a->unsupported & (1ull << bit)))
            continue;
        msr_vmx_fmt_str(f, set_in_range(a->set) ? msr_vmx_control_sets[a->set].name : "unknown");
        msr_vmx_fmt_str(f, " controls: bit ");
        msr_vmx_fmt_dec(f, bit);
        named = msr_vmx_control_bit_find(a->set, bit);
        if (named != NULL) {
            msr_vmx_fmt_str(f, " '");
            msr_vmx_fmt_str(f, named->description);
            msr_vmx_fmt_str(f, "'");
        }
        msr_vmx_fmt_str(f, " is not supported\n");
    }
}

size_t msr_vmx_adjusted_describe(const struct msr_vmx_adjusted *adjusted, char *buf, size_t size)
{
    struct msr_vmx_fmt f;

    msr_vmx_fmt_init(&f, buf, size);
    if (adjusted != NULL)
        describe_unsupported(&f, adjusted);
    return msr_vmx_fmt_finish(&f);
}

size_t msr_vmx_controls_describe(const struct msr_vmx_controls *controls, char *buf, size_t size)
{
    struct msr_vmx_fmt f;
    unsigned i;

    msr_vmx_fmt_init(&f, buf, size);
    if (controls != NULL)
        for (i = 0; i < MSR_VMX_CTLS_COUNT; i++)
            describe_unsupported(&f, &controls->set[i]);
    return msr_vmx_fmt_finish(&f);
}
