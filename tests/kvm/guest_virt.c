/*
 * KVM test guest, virt mode (kvm_host --virt): the guest side of the
 * x86msr_virt proof. The host runs this guest under an MSR policy
 * (kvm_host.c, virt_entries): pass-through accesses stay in KVM, everything
 * else exits to msr_virt_rdmsr()/msr_virt_wrmsr() in the host, which injects
 * #GP where the policy or the spec says so. The guest checks the values it
 * reads, catches the #GPs through its exception table (the _safe accessors),
 * asks the host what the last exit was (KT_OP_LAST_EXIT: so a #GP is known
 * to come from the user-space handler, or a pass-through access known not to
 * exit), and has the host verify pass-through writes with KVM_GET_MSRS.
 */
#include <x86msr/msrs.h>

#include "guest.h"

void guest_main(struct kt_shared *shared);
void *memset(void *dst, int c, size_t n); /* guest_rt.c */

#define BIT(n) (UINT64_C(1) << (n))
#define ALL UINT64_C(0xffffffffffffffff)
#define FAULT ((uint64_t)(int64_t)MSR_ERR_FAULT)

enum { R_HANDLED = 0, R_INJECT_GP = 1, R_FORWARD = 2 }; /* enum msr_virt_result */

struct exit_info {
    bool happened;
    uint32_t msr;
    uint64_t value;
    unsigned result, is_write, kvm_reason;
    char text[sizeof(((struct kt_msg *)0)->text)];
};

static void last_exit(struct exit_info *e)
{
    struct kt_msg *m = &guest_shared->msg;
    unsigned i;

    memset(m, 0, sizeof *m);
    m->op = KT_OP_LAST_EXIT;
    __asm__ __volatile__("outl %0, %w1" : : "a"((uint32_t)(uintptr_t)m), "Nd"(KT_PORT) : "memory");
    e->happened = m->ok != 0;
    e->msr = m->msr;
    e->value = m->got;
    e->result = (unsigned)(m->expected & 0xFFu);
    e->is_write = (unsigned)((m->expected >> 8) & 0xFFu);
    e->kvm_reason = (unsigned)(m->expected >> 16);
    for (i = 0; i + 1 < sizeof e->text && m->text[i]; i++)
        e->text[i] = m->text[i];
    e->text[i] = '\0';
}

/* Forget any exit so far: the next query reports only what follows. */
static void fresh(void)
{
    struct exit_info e;
    last_exit(&e);
}

static bool contains(const char *s, const char *sub)
{
    size_t i, j;
    for (i = 0; s[i]; i++) {
        for (j = 0; sub[j] && s[i + j] == sub[j]; j++)
            ;
        if (!sub[j])
            return true;
    }
    return !sub[0];
}

static bool cpu_has(uint32_t leaf, uint32_t sub, int reg, unsigned bit)
{
    uint32_t r[4];
    guest_cpuid(leaf & 0x80000000u, 0, r);
    if (r[0] < leaf)
        return false;
    guest_cpuid(leaf, sub, r);
    return (r[reg] >> bit) & 1;
}
#define EBX 1
#define ECX 2
#define EDX 3

/* A read that must stay in KVM (no exit) and return `want`. */
static void read_passes(uint32_t msr, uint64_t want, const char *name)
{
    struct exit_info e;
    uint64_t v = 0;
    int st;

    fresh();
    st = msr_rdmsr_safe(msr, &v);
    last_exit(&e);
    kt_check(st == MSR_OK && v == want && !e.happened, v, want,
             "pass-through RDMSR %s: value set by the host, no exit to user space", name);
}

/* A write that must stay in KVM; the host checks it with KVM_GET_MSRS. */
static void write_passes(uint32_t msr, uint64_t value, const char *name)
{
    struct exit_info e;
    int st;

    fresh();
    st = msr_wrmsr_safe(msr, value);
    last_exit(&e);
    kt_check(st == MSR_OK && !e.happened, (uint64_t)(int64_t)st, MSR_OK,
             "pass-through WRMSR %s: no #GP, no exit to user space", name);
    kt_host_msr(msr, value, ALL, "pass-through WRMSR %s: KVM_GET_MSRS sees the value", name);
}

/* An access the user-space handler must answer with #GP, for the reason `why`. */
static void expect_gp(bool write, uint32_t msr, uint64_t value, const char *why, const char *label)
{
    struct exit_info e;
    uint64_t v = 0x5a5a;
    int st;

    fresh();
    st = write ? msr_wrmsr_safe(msr, value) : msr_rdmsr_safe(msr, &v);
    last_exit(&e);
    kt_check(st == MSR_ERR_FAULT && (write || v == 0) && e.happened && e.msr == msr && e.is_write == write &&
                 e.result == R_INJECT_GP && contains(e.text, why),
             (uint64_t)(int64_t)st, FAULT, "%s: #GP from the handler (%s)", label, e.happened ? e.text : "no exit");
}

/* An access the user-space handler must handle (no #GP); *v: the value read. */
static bool expect_handled(bool write, uint32_t msr, uint64_t *v, const char *label)
{
    struct exit_info e;
    int st;

    fresh();
    st = write ? msr_wrmsr_safe(msr, *v) : msr_rdmsr_safe(msr, v);
    last_exit(&e);
    kt_check(st == MSR_OK && e.happened && e.msr == msr && e.result == R_HANDLED, (uint64_t)(int64_t)st, MSR_OK,
             "%s: handled in user space (%s)", label, e.happened ? e.text : "no exit");
    return st == MSR_OK;
}

static uint64_t read_emulated(uint32_t msr, const char *label)
{
    uint64_t v = 0;
    (void)expect_handled(false, msr, &v, label);
    return v;
}

/* ---- 1. pass-through ------------------------------------------------------ */

static void check_pass_through(bool intel)
{
    read_passes(MSR_IA32_STAR_ADDR, KT_PRESET_STAR, "IA32_STAR");
    read_passes(MSR_IA32_LSTAR_ADDR, KT_PRESET_LSTAR, "IA32_LSTAR");
    read_passes(MSR_IA32_CSTAR_ADDR, KT_PRESET_CSTAR, "IA32_CSTAR");
    read_passes(MSR_IA32_FMASK_ADDR, KT_PRESET_FMASK, "IA32_FMASK");
    read_passes(MSR_IA32_KERNEL_GS_BASE_ADDR, KT_PRESET_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE");
    read_passes(KT_MSR_SYSENTER_ESP, KT_PRESET_SYSENTER_ESP, "IA32_SYSENTER_ESP");

    write_passes(MSR_IA32_LSTAR_ADDR, UINT64_C(0xffffffff80abc000), "IA32_LSTAR");
    write_passes(MSR_IA32_FMASK_ADDR, 0x257fd5, "IA32_FMASK");
    write_passes(MSR_IA32_KERNEL_GS_BASE_ADDR, UINT64_C(0xffff888000aa0000), "IA32_KERNEL_GS_BASE");
    write_passes(KT_MSR_SYSENTER_EIP, intel ? UINT64_C(0xffffffff80001000) : UINT64_C(0x80001000),
                 "IA32_SYSENTER_EIP");

    /* A pass-through write the CPU (KVM, in the kernel) rejects: #GP without an exit. */
    {
        struct exit_info e;
        int st;
        /* KVM refuses it in the kernel; with KVM_MSR_EXIT_REASON_INVAL that
         * refusal exits (reason inval), and the handler's spec check agrees. */
        fresh();
        st = msr_wrmsr_safe(MSR_IA32_LSTAR_ADDR, UINT64_C(0xdead000000001000));
        last_exit(&e);
        kt_check(st == MSR_ERR_FAULT && e.happened && e.kvm_reason == KT_KVM_MSR_EXIT_REASON_INVAL &&
                     e.result == R_INJECT_GP && contains(e.text, "canonical"),
                 (uint64_t)(int64_t)st, FAULT,
                 "pass-through WRMSR IA32_LSTAR non-canonical: KVM refuses (exit: inval), the handler's "
                 "spec check gives #GP (%s)", e.happened ? e.text : "no exit");
        kt_host_msr(MSR_IA32_LSTAR_ADDR, UINT64_C(0xffffffff80abc000), ALL, "rejected LSTAR write: host sees LSTAR unchanged");
    }
}

/* ---- 2. denied ------------------------------------------------------------ */

static void check_denied(void)
{
    /* Reads pass, writes denied. */
    read_passes(KT_MSR_SYSENTER_CS, KT_PRESET_SYSENTER_CS, "IA32_SYSENTER_CS");
    expect_gp(true, KT_MSR_SYSENTER_CS, 0x20, "denies writes", "WRMSR IA32_SYSENTER_CS (policy: reads pass, writes deny)");
    kt_host_msr(KT_MSR_SYSENTER_CS, KT_PRESET_SYSENTER_CS, ALL, "denied SYSENTER_CS write: host sees it unchanged");

    /* Denied both ways, although KVM implements it. */
    expect_gp(false, KT_MSR_TSC_AUX, 0, "denies reads", "RDMSR IA32_TSC_AUX (policy: deny)");
    expect_gp(true, KT_MSR_TSC_AUX, 0x77, "denies writes", "WRMSR IA32_TSC_AUX (policy: deny)");
    if (guest_shared->params.tsc_aux_preset)
        kt_host_msr(KT_MSR_TSC_AUX, KT_PRESET_TSC_AUX, ALL, "denied TSC_AUX write: host sees the preset");

    /* Undeclared: the policy's default, deny. */
    expect_gp(false, 0xFE, 0, "denies reads", "RDMSR IA32_MTRRCAP (undeclared: default deny)");
    expect_gp(true, 0x1B, 0, "denies writes", "WRMSR IA32_APIC_BASE (undeclared: default deny)");
}

/* ---- 3. emulated ---------------------------------------------------------- */

static void check_emulated(void)
{
    uint64_t v, host = 0;

    /* IA32_PAT lives in user space: the guest sees the emulated value, KVM keeps its own. */
    v = read_emulated(MSR_IA32_PAT_ADDR, "RDMSR IA32_PAT (emulated)");
    kt_check_eq(v, KT_VIRT_PAT_INITIAL, "emulated IA32_PAT reads the emulator's value, not KVM's");
    kt_check(kt_host_get(MSR_IA32_PAT_ADDR, &host) && host == KT_PRESET_PAT, host, KT_PRESET_PAT,
             "KVM's own IA32_PAT is untouched by the emulation");
    v = (KT_VIRT_PAT_INITIAL & ~UINT64_C(0xFF00)) | UINT64_C(0x0100);
    if (expect_handled(true, MSR_IA32_PAT_ADDR, &v, "WRMSR IA32_PAT PA1 = WC (emulated)"))
        kt_check_eq(read_emulated(MSR_IA32_PAT_ADDR, "RDMSR IA32_PAT again"), v, "emulated IA32_PAT reads back the write");
    expect_gp(true, MSR_IA32_PAT_ADDR, (v & ~UINT64_C(0xFF)) | 0x2, "reserved memory type",
              "WRMSR IA32_PAT PA0 = 2 (reserved type)");
    expect_gp(true, MSR_IA32_PAT_ADDR, v | BIT(3), "reserved bit", "WRMSR IA32_PAT bit 3 (reserved)");
    kt_check_eq(read_emulated(MSR_IA32_PAT_ADDR, "RDMSR IA32_PAT after the #GPs"), v, "rejected PAT writes left it unchanged");

    /* IA32_MISC_ENABLE: read-only fields keep their value; reserved bits #GP. */
    kt_check_eq(read_emulated(0x1A0, "RDMSR IA32_MISC_ENABLE (emulated)"), KT_VIRT_MISC_ENABLE_INITIAL,
                "emulated IA32_MISC_ENABLE reads its first value");
    v = KT_VIRT_MISC_ENABLE_INITIAL & ~(BIT(0) | BIT(7)); /* clear FAST_STRINGS and PERF_MON_AVAILABLE (ro) */
    expect_handled(true, 0x1A0, &v, "WRMSR IA32_MISC_ENABLE clearing FAST_STRINGS and read-only PERF_MON_AVAILABLE");
    kt_check_eq(read_emulated(0x1A0, "RDMSR IA32_MISC_ENABLE again"), KT_VIRT_MISC_ENABLE_INITIAL & ~BIT(0),
                "IA32_MISC_ENABLE: FAST_STRINGS cleared, read-only PERF_MON_AVAILABLE kept");
    expect_gp(true, 0x1A0, KT_VIRT_MISC_ENABLE_INITIAL | BIT(1), "reserved bit",
              "WRMSR IA32_MISC_ENABLE bit 1 (reserved)");

    /* A register the spec does not know: the emulator alone decides. */
    v = 0x1234;
    expect_handled(true, KT_VIRT_MSR_SCRATCH, &v, "WRMSR scratch register 0x1234");
    kt_check_eq(read_emulated(KT_VIRT_MSR_SCRATCH, "RDMSR scratch register"), 0x1234, "scratch register reads back 0x1234");
    expect_gp(true, KT_VIRT_MSR_SCRATCH, BIT(63), "emulator refused", "WRMSR scratch bit 63 (the emulator's rule)");

    /* A register described by hand: read-only and write-1-to-clear bits. */
    kt_check_eq(read_emulated(KT_VIRT_MSR_STATUS, "RDMSR status register"), KT_VIRT_STATUS_INITIAL,
                "status register reads its first value");
    v = 0x02F3; /* CTRL := 3, STATE := F (read-only), EVENTS: clear bit 9 */
    expect_handled(true, KT_VIRT_MSR_STATUS, &v, "WRMSR status register 0x02F3");
    kt_check_eq(read_emulated(KT_VIRT_MSR_STATUS, "RDMSR status register again"), 0x0853,
                "status register: CTRL written, STATE kept, EVENTS bit 9 cleared by writing 1 (write-1-to-clear)");
    expect_gp(true, KT_VIRT_MSR_STATUS, BIT(12), "reserved bit", "WRMSR status register bit 12 (reserved)");
}

/* ---- 4. IA32_EFER: reads pass, writes checked then applied by the host ---- */

static void check_efer(bool intel)
{
    struct exit_info e;
    uint64_t efer = 0, host = 0, v;

    fresh();
    efer = msr_rdmsr(MSR_IA32_EFER_ADDR);
    last_exit(&e);
    kt_check(kt_host_get(MSR_IA32_EFER_ADDR, &host) && host == efer && !e.happened, efer, host,
             "RDMSR IA32_EFER passes through: the host's value, no exit");

    v = efer ^ MSR_IA32_EFER_NXE_MASK;
    expect_handled(true, MSR_IA32_EFER_ADDR, &v, "WRMSR IA32_EFER toggling NXE (checked, then KVM_SET_MSRS)");
    kt_host_msr(MSR_IA32_EFER_ADDR, v, ALL, "IA32_EFER write reached the vCPU: host sees NXE toggled");
    v ^= MSR_IA32_EFER_NXE_MASK;
    expect_handled(true, MSR_IA32_EFER_ADDR, &v, "WRMSR IA32_EFER restoring NXE");

    expect_gp(true, MSR_IA32_EFER_ADDR, efer | BIT(63), "reserved bit", "WRMSR IA32_EFER bit 63 (reserved)");
    if (intel)
        expect_gp(true, MSR_IA32_EFER_ADDR, efer | MSR_IA32_EFER_SVME_MASK, "[SVME]",
                  "WRMSR IA32_EFER.SVME on an Intel guest (spec: vendors [amd])");
    else
        kt_note("AMD guest: EFER.SVME is an AMD field; the Intel-only #GP is not checked");
    kt_host_msr(MSR_IA32_EFER_ADDR, efer, ALL, "rejected EFER writes: host sees EFER unchanged");

    /* Read-only LMA: a write clearing it keeps the current value. */
    v = efer & ~MSR_IA32_EFER_LMA_MASK;
    expect_handled(true, MSR_IA32_EFER_ADDR, &v, "WRMSR IA32_EFER with LMA clear (read-only field)");
    kt_host_msr(MSR_IA32_EFER_ADDR, efer, ALL, "EFER.LMA kept: the handler wrote back the current value");
}

/* ---- 5. IA32_RTIT_CTL: fields by CPUID leaf 14H ---------------------------- */

static void check_rtit(void)
{
    const struct kt_params *prm = &guest_shared->params;
    uint32_t ebx, ecx;
    uint64_t v;

    if (cpu_has(7, 0, EBX, 25)) {
        uint32_t r[4];
        guest_cpuid(0x14, 0, r);
        ebx = r[1];
        ecx = r[2];
    } else if (prm->virt_pt_model) {
        /* This KVM dropped Intel PT from the CPUID the guest sees; the
         * handler's model of the vCPU has it, with these leaf 14H bits. */
        kt_note("Intel PT is in the handler's vCPU model only (this KVM rebuilt the guest's CPUID without it)");
        ebx = prm->virt_leaf14_ebx;
        ecx = prm->virt_leaf14_ecx;
    } else {
        kt_note("no Intel PT: IA32_RTIT_CTL is absent (leaf 14H fields not checked here)");
        expect_gp(true, MSR_IA32_RTIT_CTL_ADDR, 0, "does not have this register",
                  "WRMSR IA32_RTIT_CTL, no Intel PT in the guest's CPUID: absent");
        return;
    }
    kt_note("Intel PT: leaf 14H EBX 0x%x ECX 0x%x", ebx, ecx);
    v = BIT(13); /* BRANCH_EN: no condition */
    if (ebx & 1u)
        v |= BIT(7); /* CR3_FILTER */
    if (ecx & 1u)
        v |= BIT(8); /* TOPA */
    expect_handled(true, MSR_IA32_RTIT_CTL_ADDR, &v, "WRMSR IA32_RTIT_CTL with enumerated fields only");
    kt_check_eq(read_emulated(MSR_IA32_RTIT_CTL_ADDR, "RDMSR IA32_RTIT_CTL"), v, "IA32_RTIT_CTL reads back");
    if (!(ebx & (1u << 3)))
        expect_gp(true, MSR_IA32_RTIT_CTL_ADDR, v | BIT(9), "[MTC_EN]", "WRMSR IA32_RTIT_CTL.MTC_EN (leaf 14H EBX[3] = 0)");
    if (!(ebx & (1u << 5)))
        expect_gp(true, MSR_IA32_RTIT_CTL_ADDR, v | BIT(4), "[PWR_EVT_EN]",
                  "WRMSR IA32_RTIT_CTL.PWR_EVT_EN (leaf 14H EBX[5] = 0)");
    if (!(ecx & (1u << 3)))
        expect_gp(true, MSR_IA32_RTIT_CTL_ADDR, v | BIT(6), "[FABRIC_EN]",
                  "WRMSR IA32_RTIT_CTL.FABRIC_EN (leaf 14H ECX[3] = 0)");
}

/* ---- 6. IA32_S_CET: present only with CET in the guest's CPUID ------------- */

static void check_cet(void)
{
    if (!cpu_has(7, 0, ECX, 7) && !cpu_has(7, 0, EDX, 20)) {
        expect_gp(false, MSR_IA32_S_CET_ADDR, 0, "does not have this register",
                  "RDMSR IA32_S_CET, no CET in the guest's CPUID: absent");
        expect_gp(true, MSR_IA32_S_CET_ADDR, 0, "does not have this register",
                  "WRMSR IA32_S_CET, no CET in the guest's CPUID: absent");
        return;
    }
    {
        uint64_t v = BIT(0) | UINT64_C(0xffff800000000000);
        expect_handled(true, MSR_IA32_S_CET_ADDR, &v, "WRMSR IA32_S_CET canonical base (CET enumerated)");
        expect_gp(true, MSR_IA32_S_CET_ADDR, UINT64_C(0x0000800000000000), "canonical",
                  "WRMSR IA32_S_CET non-canonical base");
    }
}

/* ---- 7. constant and ignored registers ------------------------------------ */

static void check_fixed_and_ignored(void)
{
    uint64_t v;

    kt_check_eq(read_emulated(0x17, "RDMSR IA32_PLATFORM_ID (fixed)"), KT_VIRT_PLATFORM_ID,
                "IA32_PLATFORM_ID reads the policy's constant");
    v = KT_VIRT_PLATFORM_ID;
    expect_handled(true, 0x17, &v, "WRMSR IA32_PLATFORM_ID of its own value (fixed: accepted, dropped)");
    expect_gp(true, 0x17, 1, "only its value", "WRMSR IA32_PLATFORM_ID of another value (fixed)");

    kt_check_eq(read_emulated(0x1B0, "RDMSR IA32_ENERGY_PERF_BIAS (ignore)"), 0, "ignored register reads as zero");
    v = 6;
    expect_handled(true, 0x1B0, &v, "WRMSR IA32_ENERGY_PERF_BIAS (ignore: dropped, no #GP)");
    kt_check_eq(read_emulated(0x1B0, "RDMSR IA32_ENERGY_PERF_BIAS again"), 0, "the ignored write left zero");
    v = ALL;
    expect_handled(true, KT_VIRT_MSR_IGNORED, &v, "WRMSR an ignored unassigned MSR");
}

/* ---- 8. passed through, yet refused ---------------------------------------- */

static void check_pass_refused(void)
{
    struct exit_info e;
    uint64_t v = 1;
    int st;

    /* The policy passes IA32_BNDCFGS, but the guest's CPUID has no MPX: KVM
     * refuses, exits (reason inval), and the handler finds the register absent. */
    if (!cpu_has(7, 0, EBX, 14)) {
        expect_gp(false, MSR_IA32_BNDCFGS_ADDR, 0, "does not have this register",
                  "RDMSR IA32_BNDCFGS passed through, no MPX: absent (#GP though the policy passes it)");
    } else {
        kt_note("the guest has MPX: IA32_BNDCFGS is present, the absent-register check is not made");
    }

    /* An MSR KVM does not know: exit (reason unknown), the handler forwards,
     * and there is nothing to forward to: #GP. */
    fresh();
    st = msr_rdmsr_safe(KT_VIRT_MSR_UNKNOWN_PASS, &v);
    last_exit(&e);
    kt_check(st == MSR_ERR_FAULT && e.happened && e.result == R_FORWARD &&
                 e.kvm_reason == KT_KVM_MSR_EXIT_REASON_UNKNOWN,
             e.result, R_FORWARD, "RDMSR of a passed MSR KVM does not know: exit (unknown), FORWARD, #GP");
}

void guest_main(struct kt_shared *shared)
{
    enum guest_vendor vendor;

    guest_init(shared);
    vendor = guest_vendor();
    kt_note("virt guest: %s CPU, MSRs under an x86msr_virt policy (KVM MSR filter + user-space handler)",
            vendor == GUEST_VENDOR_INTEL ? "Intel" : vendor == GUEST_VENDOR_AMD ? "AMD" : "unknown");

    check_pass_through(vendor == GUEST_VENDOR_INTEL);
    check_denied();
    check_emulated();
    check_efer(vendor != GUEST_VENDOR_AMD);
    check_rtit();
    check_cet();
    check_fixed_and_ignored();
    check_pass_refused();
    kt_check(guest_gp.unexpected == 0, guest_gp.unexpected, 0,
             "every #GP came through the exception table (no unexpected #GP)");
    kt_done();
}
