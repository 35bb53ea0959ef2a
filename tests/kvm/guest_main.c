/*
 * KVM test guest: the checks. Runs at CPL0 in 64-bit mode with the default
 * inline-asm backend, so every accessor below executes a real rdmsr/wrmsr.
 * Values the host set beforehand are in kvm_abi.h (KT_PRESET_*); writes are
 * verified by the host with KVM_GET_MSRS (kt_host_msr).
 *
 * Where the CPUs differ the guest chooses by its CPUID vendor and features,
 * so the same image passes on Intel and AMD hosts.
 */
#include <x86msr/msrs.h>

#include "guest.h"

void guest_main(struct kt_shared *shared);

/* The exception table, as the linker script lays it out. */
extern const struct msr_extable_entry __start_msr_extable[];
extern const struct msr_extable_entry __stop_msr_extable[];

static enum guest_vendor vendor;

static const char *vendor_name(void)
{
    return vendor == GUEST_VENDOR_INTEL ? "Intel" : vendor == GUEST_VENDOR_AMD ? "AMD" : "unknown";
}

#define BIT(n) (UINT64_C(1) << (n))
#define ALL UINT64_C(0xffffffffffffffff)

/* Reserved on both vendors; the CPU must reject it. */
#define EFER_RESERVED_BIT BIT(63)
/* In no range that Intel, AMD or KVM define. */
#define UNIMPLEMENTED_MSR 0x2ff00000u
/* Not canonical with 48- or 57-bit linear addresses. */
#define NON_CANONICAL UINT64_C(0xdead000000001000)

/* CPUID feature bits the checks depend on. */
static bool cpu_has(uint32_t leaf, int reg, unsigned bit)
{
    uint32_t r[4];
    guest_cpuid(leaf & 0x80000000u, 0, r);
    if (r[0] < leaf)
        return false;
    guest_cpuid(leaf, 0, r);
    return (r[reg] >> bit) & 1;
}
#define CPUID_ECX 2
#define CPUID_EDX 3

/* Bytes of the two instructions the exception table may name. */
static bool is_msr_insn(uintptr_t addr)
{
    const volatile uint8_t *p = (const volatile uint8_t *)addr;
    return p[0] == 0x0f && (p[1] == 0x32 || p[1] == 0x30);
}

/* Plain (not _safe) accesses, kept out of line so the #GP lands in a known
 * place. Only reached with guest_gp.skip_armed set. */
static __attribute__((noinline)) uint64_t plain_rdmsr(uint32_t msr)
{
    return msr_rdmsr(msr);
}

static __attribute__((noinline)) void plain_efer_write(msr_ia32_efer_t v)
{
    msr_ia32_efer_write(v);
}

static uint64_t read_fs0(void)
{
    uint64_t x;
    __asm__ __volatile__("movq %%fs:0, %0" : "=r"(x) : : "memory");
    return x;
}

static uint64_t read_gs0(void)
{
    uint64_t x;
    __asm__ __volatile__("movq %%gs:0, %0" : "=r"(x) : : "memory");
    return x;
}

/* ---- 1. Reads of values the host set with KVM_SET_MSRS ------------------- */

static void check_preset_reads(void)
{
    /* Raw and typed reads of every preset. */
    kt_check_eq(msr_rdmsr(MSR_IA32_STAR_ADDR), KT_PRESET_STAR, "rdmsr IA32_STAR matches host value");
    msr_ia32_star_t star = msr_ia32_star_read();
    kt_check_eq(star.raw, KT_PRESET_STAR, "msr_ia32_star_read() matches host value");
    kt_check_eq(MSR_GET(IA32_STAR, SYSCALL_CS_SS, star) | MSR_GET(IA32_STAR, SYSRET_CS_SS, star) << 16,
                KT_PRESET_STAR >> 32,
                "IA32_STAR SYSCALL_CS_SS/SYSRET_CS_SS getters decode the host value");
    kt_check(star.syscall_cs_ss == MSR_GET(IA32_STAR, SYSCALL_CS_SS, star) &&
                 star.sysret_cs_ss == MSR_GET(IA32_STAR, SYSRET_CS_SS, star) &&
                 star.syscall_eip == MSR_GET(IA32_STAR, SYSCALL_EIP, star),
             star.raw, KT_PRESET_STAR, "IA32_STAR bitfield members agree with the getters");

    kt_check_eq(msr_rdmsr(MSR_IA32_LSTAR_ADDR), KT_PRESET_LSTAR, "rdmsr IA32_LSTAR matches host value");
    kt_check_eq(MSR_GET(IA32_LSTAR, TARGET_RIP, msr_ia32_lstar_read()), KT_PRESET_LSTAR,
                "msr_ia32_lstar_read() TARGET_RIP matches host value");
    kt_check_eq(msr_rdmsr(MSR_IA32_CSTAR_ADDR), KT_PRESET_CSTAR, "rdmsr IA32_CSTAR matches host value");
    kt_check_eq(msr_ia32_cstar_read().raw, KT_PRESET_CSTAR,
                "msr_ia32_cstar_read() matches host value");
    kt_check_eq(msr_rdmsr(MSR_IA32_FMASK_ADDR), KT_PRESET_FMASK, "rdmsr IA32_FMASK matches host value");
    kt_check_eq(MSR_GET(IA32_FMASK, SYSCALL_FLAG_MASK, msr_ia32_fmask_read()), KT_PRESET_FMASK,
                "msr_ia32_fmask_read() SYSCALL_FLAG_MASK matches host value");
    kt_check_eq(msr_rdmsr(MSR_IA32_KERNEL_GS_BASE_ADDR), KT_PRESET_KERNEL_GS_BASE,
                "rdmsr IA32_KERNEL_GS_BASE matches host value");
    kt_check_eq(msr_ia32_kernel_gs_base_read().raw, KT_PRESET_KERNEL_GS_BASE,
                "msr_ia32_kernel_gs_base_read() matches host value");

    /* IA32_TSC_AUX exists with RDTSCP or RDPID. */
    if ((cpu_has(0x80000001, CPUID_EDX, 27) || cpu_has(7, CPUID_ECX, 22)) &&
        guest_shared->params.tsc_aux_preset) {
        kt_check_eq(msr_rdmsr(0xC0000103), KT_PRESET_TSC_AUX,
                    "rdmsr IA32_TSC_AUX matches host value");
#ifdef MSR_IA32_TSC_AUX_ADDR
        kt_check_eq(msr_ia32_tsc_aux_read().raw, KT_PRESET_TSC_AUX,
                    "msr_ia32_tsc_aux_read() matches host value");
#endif
    } else {
        kt_note("no RDTSCP/RDPID, or the host could not set IA32_TSC_AUX: not read");
    }

    kt_check_eq(msr_rdmsr(0x174), KT_PRESET_SYSENTER_CS,
                "rdmsr IA32_SYSENTER_CS matches host value");
    kt_check_eq(msr_rdmsr(0x175), KT_PRESET_SYSENTER_ESP,
                "rdmsr IA32_SYSENTER_ESP matches host value");
    kt_check_eq(msr_rdmsr(0x176), KT_PRESET_SYSENTER_EIP,
                "rdmsr IA32_SYSENTER_EIP matches host value");
#ifdef MSR_IA32_SYSENTER_CS_ADDR
    kt_check(msr_ia32_sysenter_cs_read().raw == KT_PRESET_SYSENTER_CS &&
                 msr_ia32_sysenter_esp_read().raw == KT_PRESET_SYSENTER_ESP &&
                 msr_ia32_sysenter_eip_read().raw == KT_PRESET_SYSENTER_EIP,
             msr_ia32_sysenter_eip_read().raw, KT_PRESET_SYSENTER_EIP,
             "msr_ia32_sysenter_{cs,esp,eip}_read() match host values");
#endif

    kt_check_eq(msr_rdmsr(MSR_IA32_PAT_ADDR), KT_PRESET_PAT, "rdmsr IA32_PAT matches host value");
    msr_ia32_pat_t pat = msr_ia32_pat_read();
    /* Each entry reads as an enum msr_memory_type. */
    uint64_t decoded = (uint64_t)MSR_GET(IA32_PAT, PA0, pat) | (uint64_t)MSR_GET(IA32_PAT, PA1, pat) << 8 |
                       (uint64_t)MSR_GET(IA32_PAT, PA2, pat) << 16 | (uint64_t)MSR_GET(IA32_PAT, PA3, pat) << 24 |
                       (uint64_t)MSR_GET(IA32_PAT, PA4, pat) << 32 | (uint64_t)MSR_GET(IA32_PAT, PA5, pat) << 40 |
                       (uint64_t)MSR_GET(IA32_PAT, PA6, pat) << 48 | (uint64_t)MSR_GET(IA32_PAT, PA7, pat) << 56;
    kt_check_eq(decoded, KT_PRESET_PAT, "msr_ia32_pat_read() PA0..PA7 getters decode host value");

    /* A _safe read of a present MSR: MSR_OK, the value, and no #GP at all. */
    unsigned fixups = guest_gp.fixups, unexpected = guest_gp.unexpected;
    msr_ia32_star_t s2 = { .raw = 0 };
    int st = msr_ia32_star_read_safe(&s2);
    kt_check(st == MSR_OK && s2.raw == KT_PRESET_STAR && guest_gp.fixups == fixups &&
                 guest_gp.unexpected == unexpected,
             s2.raw, KT_PRESET_STAR, "msr_ia32_star_read_safe() of a present MSR: MSR_OK, value, no #GP");
}

/* ---- 2. Typed writes, verified by the host ------------------------------- */

static void check_efer_writes(void)
{
    uint64_t host = 0;
    msr_ia32_efer_t e0 = msr_ia32_efer_read();
    bool host_ok = kt_host_get(MSR_IA32_EFER_ADDR, &host);
    kt_check(host_ok && host == e0.raw, e0.raw, host, "msr_ia32_efer_read() matches host KVM_GET_MSRS");
    kt_check(MSR_GET(IA32_EFER, LMA, e0) == 1 && MSR_GET(IA32_EFER, LME, e0) == 1 && e0.lma && e0.lme,
             e0.raw, e0.raw | MSR_IA32_EFER_LMA_MASK | MSR_IA32_EFER_LME_MASK,
             "IA32_EFER.LMA and .LME read 1 in long mode");

    msr_ia32_efer_t e = MSR_SET(IA32_EFER, NXE, e0, 1);
    msr_ia32_efer_write(e);
    kt_host_msr(MSR_IA32_EFER_ADDR, e.raw, ALL, "MSR_SET(IA32_EFER, NXE, 1) + write: host sees EFER.NXE=1");

    int r = msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_BITS(IA32_EFER, SCE));
    msr_ia32_efer_t m = msr_ia32_efer_read();
    kt_check_eq(m.raw, e.raw | MSR_IA32_EFER_SCE_MASK, "msr_ia32_efer_modify(0, SCE) leaves old | SCE");
    kt_check_eq((uint64_t)r, e.sce ? MSR_UNCHANGED : MSR_WRITTEN, "msr_ia32_efer_modify says whether it wrote");
    kt_host_msr(MSR_IA32_EFER_ADDR, m.raw, ALL, "msr_ia32_efer_modify(0, SCE): host sees EFER.SCE=1");
    r = msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_BITS(IA32_EFER, SCE));
    kt_check_eq((uint64_t)r, MSR_UNCHANGED, "a second msr_ia32_efer_modify(0, SCE) skips the WRMSR");

    (void)msr_ia32_efer_modify(MSR_OR(MSR_BITS(IA32_EFER, NXE), MSR_BITS(IA32_EFER, SCE)),
                               MSR_SET(IA32_EFER, SCE, MSR_MAKE(IA32_EFER, NXE, MSR_GET(IA32_EFER, NXE, e0)),
                                       MSR_GET(IA32_EFER, SCE, e0)));
    kt_host_msr(MSR_IA32_EFER_ADDR, e0.raw, ALL,
                "msr_ia32_efer_modify(NXE|SCE, first value) : host sees EFER back to its first value");

    /* modify never touches reserved or read-only bits: asking for bit 63
     * (reserved) and for LMA=0 (read-only) changes nothing and cannot fault. */
    msr_ia32_efer_t out;
    int st = msr_ia32_efer_modify_safe(MSR_BITS(IA32_EFER, LMA), MSR_UNCHECKED(IA32_EFER, EFER_RESERVED_BIT), &out);
    kt_check(st == MSR_UNCHANGED && out.raw == e0.raw, out.raw, e0.raw,
             "msr_ia32_efer_modify_safe(clear LMA, set reserved bit 63) changes nothing, writes nothing");
}

static void check_syscall_writes(void)
{
    msr_ia32_star_t s = msr_ia32_star_read();
    s = MSR_SET(IA32_STAR, SYSCALL_CS_SS, s, KT_SEL_CODE);
    s = MSR_SET(IA32_STAR, SYSRET_CS_SS, s, 0x1b);
    msr_ia32_star_write(s);
    kt_host_msr(MSR_IA32_STAR_ADDR, (KT_PRESET_STAR & 0xffffffffu) | (uint64_t)KT_SEL_CODE << 32 |
                                   UINT64_C(0x1b) << 48,
                ALL, "IA32_STAR SYSCALL_CS_SS/SYSRET_CS_SS setters + write: host sees selectors");

    (void)msr_ia32_star_modify(MSR_BITS(IA32_STAR, SYSCALL_EIP), MSR_MAKE(IA32_STAR, SYSCALL_EIP, 0x1234));
    msr_ia32_star_t s2 = msr_ia32_star_read();
    kt_host_msr(MSR_IA32_STAR_ADDR, s2.raw, ALL, "msr_ia32_star_modify(SYSCALL_EIP, 0x1234): host agrees");
    kt_check_eq(s2.raw, (s.raw & ~MSR_IA32_STAR_SYSCALL_EIP_MASK) | 0x1234,
                "msr_ia32_star_modify keeps the selectors");

    const uint64_t lstar = UINT64_C(0xffffffff80abc000);
    msr_ia32_lstar_write(MSR_SET(IA32_LSTAR, TARGET_RIP, (msr_ia32_lstar_t){ 0 }, lstar));
    kt_host_msr(MSR_IA32_LSTAR_ADDR, lstar, ALL, "msr_ia32_lstar_write(TARGET_RIP): host sees new LSTAR");

    const uint64_t cstar = UINT64_C(0x00007fffdeadb000);
    msr_ia32_cstar_write((msr_ia32_cstar_t){ cstar });
    kt_host_msr(MSR_IA32_CSTAR_ADDR, cstar, ALL, "msr_ia32_cstar_write(): host sees new CSTAR");

    msr_ia32_fmask_t f = MSR_SET(IA32_FMASK, SYSCALL_FLAG_MASK, msr_ia32_fmask_read(), 0x257fd5);
    msr_ia32_fmask_write(f);
    kt_host_msr(MSR_IA32_FMASK_ADDR, 0x257fd5, ALL, "IA32_FMASK SYSCALL_FLAG_MASK setter + write: host agrees");

    /* IA32_SYSENTER_*: AMD keeps only 32 bits of ESP/EIP (and so does KVM for
     * an AMD guest); Intel keeps 64. */
    const uint64_t esp = vendor == GUEST_VENDOR_INTEL ? UINT64_C(0xffffffff80001000)
                                                      : UINT64_C(0x80001000);
    msr_wrmsr(0x174, KT_SEL_CODE);
    msr_wrmsr(0x175, esp);
    kt_host_msr(0x174, KT_SEL_CODE, ALL, "wrmsr IA32_SYSENTER_CS: host sees it");
    kt_host_msr(0x175, esp, ALL, "wrmsr IA32_SYSENTER_ESP (%s width): host sees it",
                vendor == GUEST_VENDOR_INTEL ? "Intel 64-bit" : "AMD 32-bit");
}

static uint64_t fs_probe = UINT64_C(0x5a5a0000f5f5f5f5);
static uint64_t gs_probe = UINT64_C(0x0606a5a5a5a50606);

static void check_segment_bases(void)
{
    msr_ia32_fs_base_write(MSR_SET(IA32_FS_BASE, BASE, (msr_ia32_fs_base_t){ 0 },
                                                     (uintptr_t)&fs_probe));
    kt_host_msr(MSR_IA32_FS_BASE_ADDR, (uintptr_t)&fs_probe, ALL,
                "msr_ia32_fs_base_write(): host sees FS base");
    kt_check_eq(read_fs0(), fs_probe, "after writing IA32_FS_BASE, %%fs:0 reads the variable");

    msr_ia32_gs_base_write((msr_ia32_gs_base_t){ (uintptr_t)&gs_probe });
    kt_host_msr(MSR_IA32_GS_BASE_ADDR, (uintptr_t)&gs_probe, ALL,
                "msr_ia32_gs_base_write(): host sees GS base");
    kt_check_eq(read_gs0(), gs_probe, "after writing IA32_GS_BASE, %%gs:0 reads the variable");

    /* SWAPGS exchanges GS base and IA32_KERNEL_GS_BASE. */
    const uint64_t kgs = UINT64_C(0xffff888000aa0000);
    msr_ia32_kernel_gs_base_write((msr_ia32_kernel_gs_base_t){ kgs });
    kt_host_msr(MSR_IA32_KERNEL_GS_BASE_ADDR, kgs, ALL, "msr_ia32_kernel_gs_base_write(): host agrees");
    __asm__ __volatile__("swapgs" : : : "memory");
    uint64_t gs = msr_ia32_gs_base_read().raw, kernel = msr_ia32_kernel_gs_base_read().raw;
    __asm__ __volatile__("swapgs" : : : "memory");
    kt_check(gs == kgs && kernel == (uintptr_t)&gs_probe, gs, kgs,
             "SWAPGS swaps the values read by msr_ia32_gs_base_read()/kernel_gs_base_read()");
}

static void check_pat_writes(void)
{
    msr_ia32_pat_t p = msr_ia32_pat_read();
    p = MSR_SET(IA32_PAT, PA1, p, MSR_MEMORY_TYPE_WT);
    p = MSR_SET(IA32_PAT, PA7, p, MSR_MEMORY_TYPE_WB);
    msr_ia32_pat_write(p);
    uint64_t want = (KT_PRESET_PAT & ~(UINT64_C(0xff) << 8) & ~(UINT64_C(0xff) << 56)) |
                    UINT64_C(4) << 8 | UINT64_C(6) << 56;
    kt_host_msr(MSR_IA32_PAT_ADDR, want, ALL, "IA32_PAT PA1=WT, PA7=WB setters + write: host agrees");

    (void)msr_ia32_pat_modify(MSR_BITS(IA32_PAT, PA3), MSR_MAKE(IA32_PAT, PA3, MSR_MEMORY_TYPE_WC));
    msr_ia32_pat_t m = msr_ia32_pat_read();
    kt_host_msr(MSR_IA32_PAT_ADDR, (want & ~MSR_IA32_PAT_PA3_MASK) | UINT64_C(1) << 24, ALL,
                "msr_ia32_pat_modify(PA3 := WC): host agrees");
    kt_check_eq(MSR_GET(IA32_PAT, PA3, m), MSR_MEMORY_TYPE_WC, "msr_ia32_pat_modify leaves PA3 = WC");
}

static void check_tsc_aux(void)
{
    if (!cpu_has(0x80000001, CPUID_EDX, 27)) {
        kt_note("no RDTSCP: IA32_TSC_AUX write not checked");
        return;
    }
    const uint64_t aux = 0x3c1;
#ifdef MSR_IA32_TSC_AUX_ADDR
    msr_ia32_tsc_aux_write((msr_ia32_tsc_aux_t){ aux });
#else
    msr_wrmsr(0xC0000103, aux);
#endif
    kt_host_msr(0xC0000103, aux, ALL, "write IA32_TSC_AUX: host sees it");
    uint32_t lo, hi, ecx;
    __asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(ecx));
    (void)lo;
    (void)hi;
    kt_check_eq(ecx, aux, "RDTSCP returns the IA32_TSC_AUX value written");
}

/* ---- 3. #GP-safe access --------------------------------------------------- */

static void check_safe_access(struct kt_shared *sh)
{
    unsigned fixups = guest_gp.fixups, unexpected = guest_gp.unexpected, faults = 0;
    bool has_vmx = cpu_has(1, CPUID_ECX, 5);

    /* IA32_VMX_BASIC: present on Intel with VMX; absent on AMD. */
    msr_ia32_vmx_basic_t basic;
    basic.raw = 0xdeadbeef;
    int st = msr_ia32_vmx_basic_read_safe(&basic);
    faults += st == MSR_ERR_FAULT;
    if (has_vmx) {
        uint64_t host = 0;
        bool host_ok = kt_host_get(MSR_IA32_VMX_BASIC_ADDR, &host);
        kt_check(st == MSR_OK && host_ok && basic.raw == host &&
                     MSR_GET(IA32_VMX_BASIC, REVISION_ID, basic) != 0,
                 basic.raw, host, "CPUID has VMX: msr_ia32_vmx_basic_read_safe() = host value");
    } else if (!sh->params.ignore_msrs) {
        kt_check(st == MSR_ERR_FAULT && basic.raw == 0, (uint64_t)(int64_t)st,
                 (uint64_t)(int64_t)MSR_ERR_FAULT,
                 "%s CPU, no VMX: msr_ia32_vmx_basic_read_safe() = MSR_ERR_FAULT, value 0",
                 vendor_name());
    }

    /* An MSR the CPU lacks whatever kvm.ignore_msrs says: the x2APIC ID
     * register, architecturally #GP while x2APIC mode is off (it is). */
    uint64_t v = 0x1234;
    st = msr_rdmsr_safe(0x802, &v);
    faults += st == MSR_ERR_FAULT;
    kt_check(st == MSR_ERR_FAULT && v == 0, (uint64_t)(int64_t)st, (uint64_t)(int64_t)MSR_ERR_FAULT,
             "msr_rdmsr_safe(0x802, x2APIC off) = MSR_ERR_FAULT, value 0");

    /* An address no CPU or hypervisor implements. Under kvm.ignore_msrs=Y
     * KVM reads such MSRs as 0 instead of raising #GP. */
    if (!sh->params.ignore_msrs) {
        v = 0x1234;
        st = msr_rdmsr_safe(UNIMPLEMENTED_MSR, &v);
        faults += st == MSR_ERR_FAULT;
        kt_check(st == MSR_ERR_FAULT && v == 0, (uint64_t)(int64_t)st,
                 (uint64_t)(int64_t)MSR_ERR_FAULT,
                 "msr_rdmsr_safe(0x%x, unimplemented) = MSR_ERR_FAULT, value 0", UNIMPLEMENTED_MSR);
    } else {
        kt_note("kvm.ignore_msrs=Y: unknown MSRs do not #GP; the unimplemented-address check is skipped");
    }
    kt_check(guest_gp.fixups - fixups == faults && faults >= 1 && guest_gp.unexpected == unexpected,
             guest_gp.fixups - fixups, faults,
             "each of the %u MSR_ERR_FAULT results came through msr_extable_fixup(), execution continued",
             faults);

    /* Writes the CPU rejects: error, and the MSR keeps its value. */
    msr_ia32_efer_t efer = msr_ia32_efer_read();
    msr_ia32_efer_t bad = efer;
    bad.raw |= EFER_RESERVED_BIT;
    st = msr_ia32_efer_write_safe(bad);
    kt_check_eq((uint64_t)(int64_t)st, (uint64_t)(int64_t)MSR_ERR_FAULT,
                "msr_ia32_efer_write_safe(reserved bit 63) = MSR_ERR_FAULT");
    kt_host_msr(MSR_IA32_EFER_ADDR, efer.raw, ALL, "rejected EFER write: host sees EFER unchanged");

    msr_ia32_lstar_t lstar = msr_ia32_lstar_read();
    st = msr_ia32_lstar_write_safe((msr_ia32_lstar_t){ NON_CANONICAL });
    kt_check_eq((uint64_t)(int64_t)st, (uint64_t)(int64_t)MSR_ERR_FAULT,
                "msr_ia32_lstar_write_safe(non-canonical) = MSR_ERR_FAULT");
    kt_host_msr(MSR_IA32_LSTAR_ADDR, lstar.raw, ALL, "rejected LSTAR write: host sees LSTAR unchanged");

    /* (Not a reserved PAT memory type: some hypervisors, e.g. PVM, accept it.) */

    st = msr_ia32_lstar_write_safe((msr_ia32_lstar_t){ UINT64_C(0xffffffff80cafe00) });
    kt_check_eq((uint64_t)(int64_t)st, MSR_OK, "msr_ia32_lstar_write_safe(canonical) = MSR_OK");
    kt_host_msr(MSR_IA32_LSTAR_ADDR, UINT64_C(0xffffffff80cafe00), ALL,
                "accepted _safe LSTAR write: host sees it");
}

/* ---- 4. Plain accesses that fault reach the guest's own #GP handler ------ */

static void check_plain_faults(void)
{
    unsigned fixups = guest_gp.fixups, unexpected = guest_gp.unexpected;

    guest_gp.skip_armed = true;
    uint64_t v = plain_rdmsr(0x802);
    kt_check(guest_gp.unexpected == unexpected + 1 && guest_gp.fixups == fixups &&
                 !guest_gp.skip_armed && guest_gp.last_opcode == 0x32,
             guest_gp.unexpected - unexpected, 1,
             "plain msr_rdmsr(0x802) raised #GP in the guest's handler, outside the exception table");
    kt_check(guest_gp.last_rcx == 0x802 && guest_gp.last_error == 0 && v == 0, guest_gp.last_rcx,
             0x802, "the #GP handler saw ECX = 0x802 and error code 0");

    msr_ia32_efer_t efer = msr_ia32_efer_read(), bad = efer;
    bad.raw |= EFER_RESERVED_BIT;
    guest_gp.skip_armed = true;
    plain_efer_write(bad);
    kt_check(guest_gp.unexpected == unexpected + 2 && guest_gp.last_opcode == 0x30 &&
                 guest_gp.last_rcx == MSR_IA32_EFER_ADDR,
             guest_gp.unexpected - unexpected, 2,
             "plain msr_ia32_efer_write(reserved bit) raised #GP (wrmsr, ECX = IA32_EFER)");
    kt_host_msr(MSR_IA32_EFER_ADDR, efer.raw, ALL, "faulting plain EFER write: host sees EFER unchanged");
}

/* ---- 5. The exception table itself ---------------------------------------- */

static void check_extable(void)
{
    const struct msr_extable_entry *e;
    size_t n = (size_t)(__stop_msr_extable - __start_msr_extable);
    bool all_ok = n > 0;
    for (e = __start_msr_extable; e < __stop_msr_extable; e++) {
        uintptr_t insn = (uintptr_t)&e->insn + (uintptr_t)(intptr_t)e->insn, resume = 0;
        if (!is_msr_insn(insn) || !msr_extable_fixup(insn, &resume) ||
            resume != (uintptr_t)&e->fixup + (uintptr_t)(intptr_t)e->fixup)
            all_ok = false;
    }
    kt_check(all_ok, n, n,
             "all %u exception-table entries name a rdmsr/wrmsr and msr_extable_fixup() finds them",
             (unsigned)n);

    uintptr_t resume = 0x1111;
    bool hit = msr_extable_fixup((uintptr_t)&guest_main, &resume) ||
               msr_extable_fixup(0, &resume) || msr_extable_fixup(~(uintptr_t)0, &resume);
    kt_check(!hit && resume == 0x1111, resume, 0x1111,
             "msr_extable_fixup() rejects addresses that are not x86msr accesses");
}

void guest_main(struct kt_shared *shared)
{
    guest_init(shared);
    vendor = guest_vendor();
    kt_note("guest: %s CPU, VMX %s, x86msr inline-asm backend at CPL0", vendor_name(),
            cpu_has(1, CPUID_ECX, 5) ? "yes" : "no");

    check_preset_reads();
    check_efer_writes();
    check_syscall_writes();
    check_segment_bases();
    check_pat_writes();
    check_tsc_aux();
    check_safe_access(shared);
    check_plain_faults();
    check_extable();
    guest_trace_checks();

    kt_done();
}
