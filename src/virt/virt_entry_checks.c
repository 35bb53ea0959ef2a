/*
 * Checks of the MSR fields of a VMCS (guest and host state) and of EFER in a
 * VMCB, before VM entry. Each broken rule is one struct msr_virt_failure.
 * Freestanding.
 *
 * Section numbers are those of the 2023-2025 SDM editions (27.x: "VM
 * Entries"); earlier editions number the same text 26.x.
 */
#include <x86msr/msrs.h>

#include "virt_internal.h"
#include "vmx_format.h"

#define CR0_PE (UINT64_C(1) << 0)
#define CR0_WP (UINT64_C(1) << 16)
#define CR0_PG (UINT64_C(1) << 31)
#define CR4_PAE (UINT64_C(1) << 5)
#define CR4_PCIDE (UINT64_C(1) << 17)
#define CR4_CET (UINT64_C(1) << 23)

struct sink {
    struct msr_virt_failure *out;
    size_t max, count;
    const struct msr_facts *facts;
    unsigned linear_bits;
};

static void fail(struct sink *s, uint32_t msr, const char *field, const char *rule, uint64_t value)
{
    msr_virt_fail_(s->out, s->max, &s->count, msr, field, rule, value);
}

/* Reserved bits of `msr` (msr_masks_for() of the facts, strict) must
 * be 0, except the bits of `other_rule` (a rule of its own reports them). The
 * field named is the absent field the lowest offending bit falls in, if any. */
static void reserved_but(struct sink *s, uint32_t msr, uint64_t value, uint64_t other_rule, const char *rule)
{
    uint32_t index;
    const struct msr_def *def = msr_virt_spec_def_(&msr_spec, msr, s->facts, &index);
    struct msr_masks m;
    uint64_t bad;
    unsigned i;
    const char *field = "reserved bits";

    if (def == NULL)
        return;
    msr_masks_for(def, index, s->facts, true, &m);
    bad = value & m.reserved & ~other_rule;
    if (bad == 0)
        return;
    for (i = 0; i < def->field_count; i++)
        if (msr_field_mask(msr_def_field(def, i)) & bad & (~bad + 1u)) { /* the lowest offending bit */
            field = msr_virt_field_name_(def, (int)i);
            break;
        }
    fail(s, msr, field, rule, value);
}

static void reserved(struct sink *s, uint32_t msr, uint64_t value, const char *rule)
{
    reserved_but(s, msr, value, 0, rule);
}

static void canonical(struct sink *s, uint32_t msr, const char *field, uint64_t value, const char *rule)
{
    if (!msr_is_canonical(value, msr_virt_linear_bits(s->facts, s->linear_bits)))
        fail(s, msr, field, rule, value);
}

static void s_cet(struct sink *s, uint64_t value, uint64_t isst, bool host)
{
    reserved(s, MSR_IA32_S_CET_ADDR, value,
             host ? "SDM 27.2.2: with \"load CET state\" (exit), bits reserved in IA32_S_CET must be 0"
                  : "SDM 27.3.1.1: with \"load CET state\", bits reserved in IA32_S_CET must be 0");
    canonical(s, MSR_IA32_S_CET_ADDR, NULL, value,
              host ? "SDM 27.2.2: with \"load CET state\" (exit), the IA32_S_CET field must be canonical"
                   : "SDM 27.3.1.1: with \"load CET state\", the IA32_S_CET field must be canonical");
    if ((value & MSR_IA32_S_CET_SUPPRESS_MASK) && (value & MSR_IA32_S_CET_TRACKER_MASK))
        fail(s, MSR_IA32_S_CET_ADDR, "SUPPRESS",
             host ? "SDM 27.2.2: bits 10 (SUPPRESS) and 11 (TRACKER) of IA32_S_CET cannot both be 1"
                  : "SDM 27.3.1.1: bits 10 (SUPPRESS) and 11 (TRACKER) of IA32_S_CET cannot both be 1",
             value);
    canonical(s, MSR_IA32_INTERRUPT_SSP_TABLE_ADDR_ADDR, NULL, isst,
              host ? "SDM 27.2.2: with \"load CET state\" (exit), IA32_INTERRUPT_SSP_TABLE_ADDR must be canonical"
                   : "SDM 27.3.1.1: with \"load CET state\", IA32_INTERRUPT_SSP_TABLE_ADDR must be canonical");
}

static void bases(struct sink *s, uint64_t fs_base, uint64_t gs_base, bool host)
{
    canonical(s, MSR_IA32_FS_BASE_ADDR, "BASE", fs_base,
              host ? "SDM 27.2.3: the host FS base-address field must be canonical"
                   : "SDM 27.3.1.2: the guest FS base-address field must be canonical");
    canonical(s, MSR_IA32_GS_BASE_ADDR, "BASE", gs_base,
              host ? "SDM 27.2.3: the host GS base-address field must be canonical"
                   : "SDM 27.3.1.2: the guest GS base-address field must be canonical");
}

size_t msr_virt_vmx_segment_bases_check(uint64_t fs_base, uint64_t gs_base, bool host, unsigned linear_bits,
                                        struct msr_virt_failure *out, size_t max)
{
    struct sink s = { out, max, 0, NULL, linear_bits };

    bases(&s, fs_base, gs_base, host);
    return s.count;
}

size_t msr_virt_vmx_guest_check(const struct msr_virt_vmx_guest_state *st, const struct msr_facts *facts,
                                unsigned linear_bits, struct msr_virt_failure *out, size_t max)
{
    struct sink s = { out, max, 0, facts, linear_bits };
    uint64_t ctl;
    bool ia32e;

    if (st == NULL) {
        fail(&s, 0, NULL, "no guest state (NULL)", 0);
        return s.count;
    }
    ctl = st->entry_controls;
    ia32e = (ctl & MSR_VMX_ENTRY_IA32E_MODE_GUEST) != 0;

    if (ctl & MSR_VMX_ENTRY_LOAD_DEBUG_CONTROLS)
        reserved(&s, MSR_IA32_DEBUGCTL_ADDR, st->debugctl,
                 "SDM 27.3.1.1: with \"load debug controls\", bits reserved in IA32_DEBUGCTL must be 0");
    if (ia32e) {
        if (!(st->cr0 & CR0_PG))
            fail(&s, 0, "CR0.PG", "SDM 27.3.1.1: with \"IA-32e mode guest\", CR0.PG (bit 31) must be 1", st->cr0);
        if (!(st->cr4 & CR4_PAE))
            fail(&s, 0, "CR4.PAE", "SDM 27.3.1.1: with \"IA-32e mode guest\", CR4.PAE (bit 5) must be 1", st->cr4);
    } else if (st->cr4 & CR4_PCIDE) {
        fail(&s, 0, "CR4.PCIDE", "SDM 27.3.1.1: without \"IA-32e mode guest\", CR4.PCIDE (bit 17) must be 0",
             st->cr4);
    }
    if ((st->cr4 & CR4_CET) && !(st->cr0 & CR0_WP))
        fail(&s, 0, "CR0.WP", "SDM 27.3.1.1: when CR4.CET (bit 23) is 1, CR0.WP (bit 16) must be 1", st->cr0);
    canonical(&s, MSR_IA32_SYSENTER_ESP_ADDR, NULL, st->sysenter_esp,
              "SDM 27.3.1.1: the IA32_SYSENTER_ESP field must be canonical");
    canonical(&s, MSR_IA32_SYSENTER_EIP_ADDR, NULL, st->sysenter_eip,
              "SDM 27.3.1.1: the IA32_SYSENTER_EIP field must be canonical");
    if (ctl & MSR_VMX_ENTRY_LOAD_CET_STATE)
        s_cet(&s, st->s_cet, st->interrupt_ssp_table_addr, false);
    if (ctl & MSR_VMX_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL)
        reserved(&s, MSR_IA32_PERF_GLOBAL_CTRL_ADDR, st->perf_global_ctrl,
                 "SDM 27.3.1.1: with \"load IA32_PERF_GLOBAL_CTRL\", its reserved bits must be 0");
    if ((ctl & MSR_VMX_ENTRY_LOAD_IA32_PAT) && !msr_virt_pat_valid(st->pat))
        fail(&s, MSR_IA32_PAT_ADDR, NULL,
             "SDM 27.3.1.1: with \"load IA32_PAT\", each byte must be a valid memory type (0, 1, 4, 5, 6, 7)",
             st->pat);
    if (ctl & MSR_VMX_ENTRY_LOAD_IA32_EFER) {
        bool lma = (st->efer & MSR_IA32_EFER_LMA_MASK) != 0, lme = (st->efer & MSR_IA32_EFER_LME_MASK) != 0;
        reserved(&s, MSR_IA32_EFER_ADDR, st->efer,
                 "SDM 27.3.1.1: with \"load IA32_EFER\", bits reserved in IA32_EFER must be 0");
        if (lma != ia32e)
            fail(&s, MSR_IA32_EFER_ADDR, "LMA",
                 "SDM 27.3.1.1: with \"load IA32_EFER\", LMA (bit 10) must equal the \"IA-32e mode guest\" "
                 "VM-entry control",
                 st->efer);
        if ((st->cr0 & CR0_PG) && lme != lma)
            fail(&s, MSR_IA32_EFER_ADDR, "LME",
                 "SDM 27.3.1.1: with \"load IA32_EFER\" and CR0.PG = 1, LME (bit 8) must equal LMA (bit 10)",
                 st->efer);
    }
    if (ctl & MSR_VMX_ENTRY_LOAD_IA32_BNDCFGS) {
        reserved(&s, MSR_IA32_BNDCFGS_ADDR, st->bndcfgs,
                 "SDM 27.3.1.1: with \"load IA32_BNDCFGS\", bits reserved in IA32_BNDCFGS must be 0");
        canonical(&s, MSR_IA32_BNDCFGS_ADDR, "BASE", st->bndcfgs & ~UINT64_C(0xFFF),
                  "SDM 27.3.1.1: with \"load IA32_BNDCFGS\", the linear address in bits 63:12 must be canonical");
    }
    if (ctl & MSR_VMX_ENTRY_LOAD_IA32_RTIT_CTL)
        reserved(&s, MSR_IA32_RTIT_CTL_ADDR, st->rtit_ctl,
                 "SDM 27.3.1.1: with \"load IA32_RTIT_CTL\", bits reserved in IA32_RTIT_CTL must be 0");
    if (ctl & MSR_VMX_ENTRY_LOAD_GUEST_IA32_LBR_CTL)
        reserved(&s, MSR_IA32_LBR_CTL_ADDR, st->lbr_ctl,
                 "SDM 27.3.1.1: with \"load guest IA32_LBR_CTL\", bits reserved in IA32_LBR_CTL must be 0");
    if ((ctl & MSR_VMX_ENTRY_LOAD_PKRS) && (st->pkrs >> 32) != 0)
        fail(&s, MSR_IA32_PKRS_ADDR, NULL, "SDM 27.3.1.1: with \"load PKRS\", bits 63:32 of IA32_PKRS must be 0",
             st->pkrs);
    bases(&s, st->fs_base, st->gs_base, false);
    return s.count;
}

size_t msr_virt_vmx_host_check(const struct msr_virt_vmx_host_state *st, const struct msr_facts *facts,
                               unsigned linear_bits, struct msr_virt_failure *out, size_t max)
{
    struct sink s = { out, max, 0, facts, linear_bits };
    uint64_t ctl;
    bool host64;

    if (st == NULL) {
        fail(&s, 0, NULL, "no host state (NULL)", 0);
        return s.count;
    }
    ctl = st->exit_controls;
    host64 = (ctl & MSR_VMX_EXIT_HOST_ADDRESS_SPACE_SIZE) != 0;

    canonical(&s, MSR_IA32_SYSENTER_ESP_ADDR, NULL, st->sysenter_esp,
              "SDM 27.2.2: the host IA32_SYSENTER_ESP field must be canonical");
    canonical(&s, MSR_IA32_SYSENTER_EIP_ADDR, NULL, st->sysenter_eip,
              "SDM 27.2.2: the host IA32_SYSENTER_EIP field must be canonical");
    if (ctl & MSR_VMX_EXIT_LOAD_CET_STATE)
        s_cet(&s, st->s_cet, st->interrupt_ssp_table_addr, true);
    if (ctl & MSR_VMX_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL)
        reserved(&s, MSR_IA32_PERF_GLOBAL_CTRL_ADDR, st->perf_global_ctrl,
                 "SDM 27.2.2: with \"load IA32_PERF_GLOBAL_CTRL\" (exit), its reserved bits must be 0");
    if ((ctl & MSR_VMX_EXIT_LOAD_IA32_PAT) && !msr_virt_pat_valid(st->pat))
        fail(&s, MSR_IA32_PAT_ADDR, NULL,
             "SDM 27.2.2: with \"load IA32_PAT\" (exit), each byte must be a valid memory type (0, 1, 4, 5, 6, 7)",
             st->pat);
    if (ctl & MSR_VMX_EXIT_LOAD_IA32_EFER) {
        reserved(&s, MSR_IA32_EFER_ADDR, st->efer,
                 "SDM 27.2.2: with \"load IA32_EFER\" (exit), bits reserved in IA32_EFER must be 0");
        if (((st->efer & MSR_IA32_EFER_LMA_MASK) != 0) != host64)
            fail(&s, MSR_IA32_EFER_ADDR, "LMA",
                 "SDM 27.2.2: with \"load IA32_EFER\" (exit), LMA must equal the \"host address-space size\" "
                 "VM-exit control",
                 st->efer);
        if (((st->efer & MSR_IA32_EFER_LME_MASK) != 0) != host64)
            fail(&s, MSR_IA32_EFER_ADDR, "LME",
                 "SDM 27.2.2: with \"load IA32_EFER\" (exit), LME must equal the \"host address-space size\" "
                 "VM-exit control",
                 st->efer);
    }
    if ((ctl & MSR_VMX_EXIT_LOAD_PKRS) && (st->pkrs >> 32) != 0)
        fail(&s, MSR_IA32_PKRS_ADDR, NULL, "SDM 27.2.2: with \"load PKRS\" (exit), bits 63:32 of IA32_PKRS must be 0",
             st->pkrs);
    bases(&s, st->fs_base, st->gs_base, true);
    return s.count;
}

size_t msr_virt_svm_guest_check(const struct msr_virt_svm_guest_state *st, const struct msr_facts *facts,
                                struct msr_virt_failure *out, size_t max)
{
    struct sink s = { out, max, 0, facts, 0 };
    bool lme, pg;

    if (st == NULL) {
        fail(&s, 0, NULL, "no VMCB state (NULL)", 0);
        return s.count;
    }
    lme = (st->efer & MSR_IA32_EFER_LME_MASK) != 0;
    pg = (st->cr0 & CR0_PG) != 0;
    if (!(st->efer & MSR_IA32_EFER_SVME_MASK))
        fail(&s, MSR_IA32_EFER_ADDR, "SVME", "APM 15.5.1: VMRUN fails when EFER.SVME is zero", st->efer);
    /* LME and LMA exist only with long mode (the spec's condition); the APM
     * gives that case its own rule, below, so the MBZ rule leaves them out. */
    reserved_but(&s, MSR_IA32_EFER_ADDR, st->efer, MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK,
                 "APM 15.5.1: VMRUN fails when any MBZ bit of EFER is set");
    if (st->efer & (MSR_IA32_EFER_LME_MASK | MSR_IA32_EFER_LMA_MASK)) {
        struct msr_cpuid_regs r;
        if (facts != NULL && facts->cpuid != NULL &&
            (!facts->cpuid->query(facts->cpuid->ctx, 0x80000001u, 0, &r) || !(r.edx & (1u << 29))))
            fail(&s, MSR_IA32_EFER_ADDR, "LME",
                 "APM 15.5.1: VMRUN fails when EFER.LMA or EFER.LME is set and the processor does not support "
                 "long mode",
                 st->efer);
    }
    if (lme && pg && !(st->cr4 & CR4_PAE))
        fail(&s, MSR_IA32_EFER_ADDR, "LME", "APM 15.5.1: VMRUN fails when EFER.LME and CR0.PG are set and CR4.PAE is 0",
             st->efer);
    if (lme && pg && !(st->cr0 & CR0_PE))
        fail(&s, MSR_IA32_EFER_ADDR, "LME", "APM 15.5.1: VMRUN fails when EFER.LME and CR0.PG are set and CR0.PE is 0",
             st->efer);
    if (lme && pg && (st->cr4 & CR4_PAE) && st->cs_l && st->cs_d)
        fail(&s, MSR_IA32_EFER_ADDR, "LME",
             "APM 15.5.1: VMRUN fails when EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set", st->efer);
    return s.count;
}

size_t msr_virt_failures_describe(const struct msr_virt_failure *failures, size_t count, char *buf, size_t size)
{
    struct msr_vmx_fmt f;
    size_t i;

    msr_vmx_fmt_init(&f, buf, size);
    for (i = 0; failures != NULL && i < count; i++) {
        const struct msr_virt_failure *x = &failures[i];
        const struct msr_instance *inst = x->msr != 0 ? msr_find_by_address(x->msr) : NULL;

        if (inst != NULL) {
            msr_vmx_fmt_str(&f, msr_name(inst));
        } else if (x->msr != 0) {
            msr_vmx_fmt_str(&f, "MSR ");
            msr_vmx_fmt_hex(&f, x->msr);
        }
        if (x->field != NULL) {
            if (x->msr != 0)
                msr_vmx_fmt_str(&f, ".");
            msr_vmx_fmt_str(&f, x->field);
        }
        msr_vmx_fmt_str(&f, " = ");
        msr_vmx_fmt_hex(&f, x->value);
        msr_vmx_fmt_str(&f, ": ");
        msr_vmx_fmt_str(&f, x->rule != NULL ? x->rule : "(no rule)");
        msr_vmx_fmt_str(&f, "\n");
    }
    return msr_vmx_fmt_finish(&f);
}
