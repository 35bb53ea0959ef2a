/*
 * KVM ring-0 test host: boots the freestanding x86msr test guest
 * (guest.elf, built from the project's headers with the inline-asm backend)
 * in a one-vCPU VM created directly through /dev/kvm, and turns the guest's
 * port-I/O reports into test output:
 *
 *   ok 1 - rdmsr IA32_STAR matches host value
 *   not ok 2 - ... (got 0x..., expected 0x...)
 *   kvm: N passed, M failed
 *
 * Before the guest runs, the host sets MSRs with KVM_SET_MSRS (values in
 * kvm_abi.h); when the guest asks, it checks MSR state with KVM_GET_MSRS.
 *
 * Exit status: 0 all checks passed; 1 a check failed or the guest crashed,
 * hung or stopped early; 77 (skip) /dev/kvm cannot be opened or a vCPU
 * cannot be created or run.
 *
 * Usage: kvm_host [--virt | --diff DEVIATIONS.tsv | --migrate[=drop|reverse]] GUEST.elf [-v]
 *        kvm_host --template[=wrong]
 *
 * --template: a CPU template applied to a fresh vCPU's feature MSRs
 * (kvm_template.c); no guest runs.
 *
 * --migrate: the snapshot/restore proof of x86msr/guest.h (guest_migrate.c,
 * migrate_vcpu()): the guest programs MSRs, the host saves them with the
 * save list, restores them into a new VM in its order, and the guest checks
 * them there. =drop leaves IA32_PAT out, =reverse restores the MSRs in the
 * reverse order and the local APIC after them: the deliberate mistakes
 * (docs/guest-state.md shows what each gives).
 *
 * --virt: the MSR-virtualization proof (x86msr_virt). The host installs an
 * MSR policy as KVM's MSR filter, enables KVM_CAP_X86_USER_SPACE_MSR and
 * answers the MSR exits with msr_virt_rdmsr()/msr_virt_wrmsr(), injecting #GP
 * where they say so; the guest (guest_virt.c) checks what it sees. Skips
 * (77) where KVM lacks the capabilities.
 *
 * --diff: the KVM differential test (kvm_diff.c): the guest (guest_diff.c)
 * reads every register of the spec, writes the value back and then each
 * single-bit flip of it, while the host puts the same accesses to
 * msr_virt_rdmsr()/msr_virt_wrmsr() and compares, against the committed
 * table of KVM's known deviations.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <x86msr/guest.h>
#include <x86msr/msrs.h>
#include <x86msr/virt.h>

#include "kvm_abi.h"
#include "kvm_host.h"
#include "kvm_template.h"

/* kvm_abi.h spells the MSR-exit ABI out; where <linux/kvm.h> has it, they agree. */
#ifdef KVM_CAP_X86_USER_SPACE_MSR
_Static_assert(KVM_CAP_X86_USER_SPACE_MSR == KT_KVM_CAP_X86_USER_SPACE_MSR, "cap");
_Static_assert(KVM_CAP_X86_MSR_FILTER == KT_KVM_CAP_X86_MSR_FILTER, "cap");
_Static_assert(KVM_EXIT_X86_RDMSR == KT_KVM_EXIT_X86_RDMSR, "exit");
_Static_assert(KVM_EXIT_X86_WRMSR == KT_KVM_EXIT_X86_WRMSR, "exit");
_Static_assert(KVM_MSR_EXIT_REASON_INVAL == KT_KVM_MSR_EXIT_REASON_INVAL, "reason");
_Static_assert(KVM_MSR_EXIT_REASON_UNKNOWN == KT_KVM_MSR_EXIT_REASON_UNKNOWN, "reason");
_Static_assert(KVM_MSR_EXIT_REASON_FILTER == KT_KVM_MSR_EXIT_REASON_FILTER, "reason");
_Static_assert(KVM_X86_SET_MSR_FILTER == _IOW(KT_KVMIO, KT_KVM_X86_SET_MSR_FILTER_NR, struct msr_virt_kvm_filter),
               "x86msr's struct msr_virt_kvm_filter has the size of struct kvm_msr_filter");
#endif
#define KT_KVM_X86_SET_MSR_FILTER _IOW(KT_KVMIO, KT_KVM_X86_SET_MSR_FILTER_NR, struct msr_virt_kvm_filter)

#define GUEST_TIMEOUT_S 30
#define DIFF_TIMEOUT_S 300 /* the diff mode makes some 150,000 accesses */

/* x86 architectural constants. */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define PTE_P (1u << 0)
#define PTE_W (1u << 1)
#define PTE_PS (1u << 7)

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(code == EXIT_SKIP ? "kvm: SKIP: " : "kvm: FAIL: ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    fflush(stdout);
    exit(code);
}

/* ---- MSRs through KVM ---------------------------------------------------- */

/* One-entry KVM_GET_MSRS / KVM_SET_MSRS; returns 0 on success. */
static int msr_ioctl(struct vm *v, unsigned long request, uint32_t index, uint64_t *value)
{
    struct kvm_msrs *m = calloc(1, sizeof *m + sizeof m->entries[0]);
    int rc = -1;
    if (!m)
        return -1;
    m->nmsrs = 1;
    m->entries[0].index = index;
    m->entries[0].data = *value;
    if (ioctl(v->vcpu, request, m) == 1) {
        *value = m->entries[0].data;
        rc = 0;
    }
    free(m);
    return rc;
}

int get_msr(struct vm *v, uint32_t index, uint64_t *value)
{
    *value = 0;
    return msr_ioctl(v, KVM_GET_MSRS, index, value);
}

int set_msr(struct vm *v, uint32_t index, uint64_t value)
{
    return msr_ioctl(v, KVM_SET_MSRS, index, &value);
}

/* FS_BASE/GS_BASE live in the segment registers; not every KVM backend
 * answers KVM_GET_MSRS for them. */
static int get_msr_or_sreg(struct vm *v, uint32_t index, uint64_t *value, const char **how)
{
    struct kvm_sregs s;
    *how = "KVM_GET_MSRS";
    if (get_msr(v, index, value) == 0)
        return 0;
    if (index != KT_MSR_FS_BASE && index != KT_MSR_GS_BASE)
        return -1;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        return -1;
    *how = "KVM_GET_SREGS";
    *value = index == KT_MSR_FS_BASE ? s.fs.base : s.gs.base;
    return 0;
}

/* ---- VM set-up ----------------------------------------------------------- */

static uint64_t gdt_entry(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static void build_tables(struct vm *v)
{
    uint64_t *gdt = (uint64_t *)(v->mem + KT_GDT_GPA);
    uint64_t *pml4 = (uint64_t *)(v->mem + KT_PML4_GPA);
    uint64_t *pdpt_lo = (uint64_t *)(v->mem + KT_PDPT_LO_GPA);
    uint64_t *pdpt_hi = (uint64_t *)(v->mem + KT_PDPT_HI_GPA);
    uint64_t *pd = (uint64_t *)(v->mem + KT_PD_GPA);
    uint64_t *pt = (uint64_t *)(v->mem + KT_PT_GPA);

    gdt[0] = 0;
    gdt[KT_SEL_CODE / 8] = gdt_entry(0, 0xfffff, 0x9b, 0xa); /* P, S, code RX-A; G, L */
    gdt[KT_SEL_DATA / 8] = gdt_entry(0, 0xfffff, 0x93, 0xc); /* P, S, data RW-A; G, D/B */
    gdt[KT_SEL_TSS / 8] = gdt_entry(KT_TSS_GPA, 0x67, 0x8b, 0x0); /* P, busy 64-bit TSS */
    gdt[KT_SEL_TSS / 8 + 1] = 0;                                   /* base 63:32 */

    /* Identity map [0, KT_MEM_SIZE) with page 0 left out (catches NULL), and
     * map the same memory at KT_KERNEL_VMA (PML4[511], PDPT[510]). */
    pml4[0] = KT_PDPT_LO_GPA | PTE_P | PTE_W;
    pml4[511] = KT_PDPT_HI_GPA | PTE_P | PTE_W;
    pdpt_lo[0] = KT_PD_GPA | PTE_P | PTE_W;
    pdpt_hi[510] = KT_PD_GPA | PTE_P | PTE_W;
    pd[0] = KT_PT_GPA | PTE_P | PTE_W;
    for (unsigned i = 1; i < 512; i++)
        pt[i] = ((uint64_t)i << 12) | PTE_P | PTE_W;
    for (unsigned i = 1; i < KT_MEM_SIZE >> 21; i++)
        pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
}

static uint64_t load_elf(struct vm *v, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        die(1, "cannot open guest image %s: %s", path, strerror(errno));
    if ((size_t)st.st_size < sizeof(Elf64_Ehdr))
        die(1, "%s: not an ELF file", path);
    uint8_t *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (img == MAP_FAILED)
        die(1, "cannot map %s: %s", path, strerror(errno));
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
        die(1, "%s: not an x86-64 ELF executable", path);
    if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size)
        die(1, "%s: truncated program headers", path);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
    int loaded = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        if (ph[i].p_paddr < KT_IMAGE_GPA || ph[i].p_memsz > KT_MEM_SIZE ||
            ph[i].p_paddr > KT_MEM_SIZE - ph[i].p_memsz || ph[i].p_filesz > ph[i].p_memsz ||
            ph[i].p_offset + ph[i].p_filesz > (uint64_t)st.st_size)
            die(1, "%s: segment %u (paddr 0x%" PRIx64 ", %" PRIu64 " bytes) outside guest memory",
                path, i, (uint64_t)ph[i].p_paddr, (uint64_t)ph[i].p_memsz);
        memcpy(v->mem + ph[i].p_paddr, img + ph[i].p_offset, ph[i].p_filesz);
        memset(v->mem + ph[i].p_paddr + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
        loaded++;
    }
    if (!loaded)
        die(1, "%s: no loadable segment", path);
    uint64_t entry = eh->e_entry;
    munmap(img, (size_t)st.st_size);
    return entry;
}

static struct kvm_cpuid2 *virt_adjust_cpuid(struct vm *v, struct kvm_cpuid2 *c);
static void virt_keep_cpuid(struct vm *v, const struct kvm_cpuid2 *c);

/* A CPUID list from KVM (KVM_GET_SUPPORTED_CPUID on /dev/kvm, KVM_GET_CPUID2
 * on a vCPU), grown until it fits; dies with `code` when KVM refuses. */
static struct kvm_cpuid2 *get_cpuid2(int fd, unsigned long request, const char *what, int code)
{
    uint32_t n = 64;
    struct kvm_cpuid2 *c = NULL;

    for (;;) {
        c = realloc(c, sizeof *c + (size_t)n * sizeof c->entries[0]);
        if (!c)
            die(1, "out of memory");
        memset(c, 0, sizeof *c);
        c->nent = n;
        if (ioctl(fd, request, c) == 0)
            return c;
        if (errno != E2BIG || n > 4096)
            die(code, "%s: %s", what, strerror(errno));
        n *= 2;
    }
}

static void setup_cpuid(struct vm *v)
{
    struct kvm_cpuid2 *c = get_cpuid2(v->kvm, KVM_GET_SUPPORTED_CPUID, "KVM_GET_SUPPORTED_CPUID", EXIT_SKIP);
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 0)
            v->amd = e->ebx == 0x68747541 && e->edx == 0x69746e65 && e->ecx == 0x444d4163;
    }
    if (v->virt)
        c = virt_adjust_cpuid(v, c);
    if (ioctl(v->vcpu, KVM_SET_CPUID2, c) < 0)
        die(EXIT_SKIP, "KVM_SET_CPUID2: %s", strerror(errno));
    if (v->virt)
        virt_keep_cpuid(v, c);
    free(c);
}

static void setup_vcpu(struct vm *v, uint64_t entry)
{
    struct kvm_sregs s;
    struct kvm_regs r;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        die(EXIT_SKIP, "KVM_GET_SREGS: %s", strerror(errno));

    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = KT_SEL_CODE, .type = 11,
        .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = {
        .base = 0, .limit = 0xffffffff, .selector = KT_SEL_DATA, .type = 3,
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    struct kvm_segment tss = {
        .base = KT_TSS_GPA, .limit = 0x67, .selector = KT_SEL_TSS, .type = 11,
        .present = 1, .s = 0,
    };
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = tss;
    s.ldt = (struct kvm_segment){ .selector = 0, .type = 2, .present = 0, .unusable = 1 };
    s.gdt.base = KT_GDT_GPA;
    s.gdt.limit = 5 * 8 - 1;
    s.idt.base = 0;
    s.idt.limit = 0; /* the guest installs its own IDT first thing */
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    s.cr3 = KT_PML4_GPA;
    s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s.efer = EFER_LME | EFER_LMA;
    if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
        die(EXIT_SKIP, "KVM_SET_SREGS (64-bit mode): %s", strerror(errno));

    memset(&r, 0, sizeof r);
    r.rip = entry;
    r.rflags = 0x2;
    r.rdi = KT_SHARED_GPA;
    r.rsp = 0; /* the guest loads its own stack */
    if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
        die(EXIT_SKIP, "KVM_SET_REGS: %s", strerror(errno));
}

static bool read_bool_param(const char *path)
{
    char c = 'N';
    FILE *f = fopen(path, "r");
    if (f) {
        if (fread(&c, 1, 1, f) != 1)
            c = 'N';
        fclose(f);
    }
    return c == 'Y' || c == 'y' || c == '1';
}

/* Returns false if only the optional IA32_TSC_AUX could not be set. */
static bool preset_msrs(struct vm *v)
{
    bool tsc_aux = true;
    static const struct {
        uint32_t msr;
        uint64_t value;
        const char *name;
    } presets[] = {
        { KT_MSR_STAR, KT_PRESET_STAR, "IA32_STAR" },
        { KT_MSR_LSTAR, KT_PRESET_LSTAR, "IA32_LSTAR" },
        { KT_MSR_CSTAR, KT_PRESET_CSTAR, "IA32_CSTAR" },
        { KT_MSR_FMASK, KT_PRESET_FMASK, "IA32_FMASK" },
        { KT_MSR_KERNEL_GS_BASE, KT_PRESET_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE" },
        { KT_MSR_TSC_AUX, KT_PRESET_TSC_AUX, "IA32_TSC_AUX" },
        { KT_MSR_SYSENTER_CS, KT_PRESET_SYSENTER_CS, "IA32_SYSENTER_CS" },
        { KT_MSR_SYSENTER_ESP, KT_PRESET_SYSENTER_ESP, "IA32_SYSENTER_ESP" },
        { KT_MSR_SYSENTER_EIP, KT_PRESET_SYSENTER_EIP, "IA32_SYSENTER_EIP" },
        { KT_MSR_PAT, KT_PRESET_PAT, "IA32_PAT" },
    };
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        uint64_t back;
        if (presets[i].msr == KT_MSR_TSC_AUX && set_msr(v, presets[i].msr, presets[i].value) < 0) {
            printf("# host: KVM does not support IA32_TSC_AUX (no RDTSCP/RDPID)\n");
            tsc_aux = false;
            continue;
        }
        if (set_msr(v, presets[i].msr, presets[i].value) < 0)
            die(1, "KVM_SET_MSRS %s (0x%x) = 0x%016" PRIx64 " rejected", presets[i].name,
                presets[i].msr, presets[i].value);
        if (get_msr(v, presets[i].msr, &back) < 0 || back != presets[i].value)
            die(1, "KVM_GET_MSRS %s (0x%x) does not read back 0x%016" PRIx64, presets[i].name,
                presets[i].msr, presets[i].value);
        if (v->verbose)
            printf("# host: KVM_SET_MSRS %s = 0x%016" PRIx64 "\n", presets[i].name,
                   presets[i].value);
    }
    return tsc_aux;
}

/* ---- The report protocol -------------------------------------------------- */

static void safe_text(char *out, size_t n, const struct kt_msg *m)
{
    size_t i;
    for (i = 0; i + 1 < n && i < sizeof m->text && m->text[i]; i++)
        out[i] = (m->text[i] >= 0x20 && m->text[i] < 0x7f) ? m->text[i] : '?';
    out[i] = '\0';
}

static void report(struct vm *v, bool ok, const char *text, const char *detail)
{
    v->checks++;
    if (ok)
        v->passed++;
    else
        v->failed++;
    printf("%s %d - %s", ok ? "ok" : "not ok", v->checks, text);
    if (detail && (!ok || v->verbose))
        printf(" (%s)", detail);
    putchar('\n');
    fflush(stdout);
}

static void virt_last_exit(struct vm *v, struct kt_msg *m);
static bool virt_msr_exit(struct vm *v);
static bool migrate_vcpu(struct vm *v, uint64_t table_gpa);

/* Handles one report; returns true when the guest is done. */
static bool handle_msg(struct vm *v, uint32_t gpa, bool *fatal)
{
    char text[sizeof((struct kt_msg *)0)->text + 1];
    char detail[256];
    if (gpa < 0x1000 || gpa > KT_MEM_SIZE - sizeof(struct kt_msg)) {
        printf("# guest reported a bad message address 0x%x\n", gpa);
        *fatal = true;
        return true;
    }
    struct kt_msg *m = (struct kt_msg *)(v->mem + gpa);
    safe_text(text, sizeof text, m);

    switch (m->op) {
    case KT_OP_CHECK:
        snprintf(detail, sizeof detail, "got 0x%016" PRIx64 ", expected 0x%016" PRIx64, m->got,
                 m->expected);
        report(v, m->ok != 0, text, detail);
        return false;
    case KT_OP_HOST_MSR: {
        uint64_t value = 0;
        const char *how;
        bool ok;
        if (get_msr_or_sreg(v, m->msr, &value, &how) < 0) {
            snprintf(detail, sizeof detail, "host cannot read MSR 0x%x: %s", m->msr,
                     strerror(errno));
            ok = false;
        } else {
            ok = (value & m->mask) == (m->expected & m->mask);
            snprintf(detail, sizeof detail,
                     "%s 0x%x = 0x%016" PRIx64 ", expected 0x%016" PRIx64 " under mask 0x%016" PRIx64,
                     how, m->msr, value, m->expected, m->mask);
        }
        m->got = value;
        m->ok = ok;
        report(v, ok, text, detail);
        return false;
    }
    case KT_OP_GET_MSR: {
        uint64_t value = 0;
        const char *how;
        m->ok = get_msr_or_sreg(v, m->msr, &value, &how) == 0;
        m->got = value;
        if (v->verbose)
            printf("# host: %s 0x%x = 0x%016" PRIx64 "\n", how, m->msr, value);
        return false;
    }
    case KT_OP_NOTE:
        printf("# %s\n", text);
        return false;
    case KT_OP_LAST_EXIT:
        virt_last_exit(v, m);
        return false;
    case KT_OP_DIFF_STEP:
        if (!v->diff) {
            printf("# diff step without --diff\n");
            *fatal = true;
            return true;
        }
        diff_step(v, m);
        return false;
    case KT_OP_MIGRATE:
        if (!v->migrate) {
            printf("# guest asked to migrate outside --migrate\n");
            *fatal = true;
            return true;
        }
        if (!migrate_vcpu(v, m->got)) {
            *fatal = true;
            return true;
        }
        return false;
    case KT_OP_DONE:
        if ((uint64_t)(v->checks - v->host_checks) != m->got) {
            printf("# guest says it made %" PRIu64 " checks, host saw %d\n", m->got, v->checks - v->host_checks);
            *fatal = true;
        }
        return true;
    case KT_OP_FATAL:
        printf("# guest fatal: %s\n", text);
        *fatal = true;
        return true;
    default:
        printf("# guest sent unknown op %u\n", m->op);
        *fatal = true;
        return true;
    }
}

static void dump_state(struct vm *v)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(v->vcpu, KVM_GET_REGS, &r) == 0)
        printf("# rip=0x%016llx rsp=0x%016llx rflags=0x%llx rax=0x%llx rcx=0x%llx rdx=0x%llx\n",
               r.rip, r.rsp, r.rflags, r.rax, r.rcx, r.rdx);
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) == 0)
        printf("# cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx cs=0x%x idt=0x%llx/%u\n", s.cr0,
               s.cr3, s.cr4, s.efer, s.cs.selector, s.idt.base, s.idt.limit);
}

/* Runs the guest to completion; returns true if it finished cleanly. */
static bool run_guest(struct vm *v)
{
    bool done = false, fatal = false;
    unsigned long runs = 0;
    int timeout = v->diff ? DIFF_TIMEOUT_S : GUEST_TIMEOUT_S;

    signal(SIGALRM, on_alarm);
    alarm((unsigned)timeout);
    while (!done) {
        if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR && timed_out) {
                printf("# guest did not finish within %d s\n", timeout);
                dump_state(v);
                return false;
            }
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (runs == 0)
                die(EXIT_SKIP, "this KVM cannot run a 64-bit vCPU: KVM_RUN: %s", strerror(errno));
            printf("# KVM_RUN: %s\n", strerror(errno));
            return false;
        }
        runs++;
        struct kvm_run *run = v->run;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == KT_PORT &&
                run->io.size == 4 && run->io.count == 1) {
                uint32_t gpa;
                memcpy(&gpa, (uint8_t *)run + run->io.data_offset, 4);
                done = handle_msg(v, gpa, &fatal);
            } else {
                printf("# unexpected port I/O: %s port 0x%x size %u\n",
                       run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port,
                       run->io.size);
                dump_state(v);
                return false;
            }
            break;
        case KT_KVM_EXIT_X86_RDMSR:
        case KT_KVM_EXIT_X86_WRMSR:
            if (!virt_msr_exit(v)) {
                dump_state(v);
                return false;
            }
            break;
        case KVM_EXIT_HLT:
            printf("# guest halted before reporting completion\n");
            dump_state(v);
            return false;
        case KVM_EXIT_SHUTDOWN:
            printf("# guest triple-faulted (KVM_EXIT_SHUTDOWN)\n");
            dump_state(v);
            return false;
        case KVM_EXIT_FAIL_ENTRY:
            printf("# VM entry failed, hardware reason 0x%llx\n",
                   (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            dump_state(v);
            return false;
        case KVM_EXIT_INTERNAL_ERROR:
            printf("# KVM internal error, suberror %u\n", run->internal.suberror);
            dump_state(v);
            return false;
        case KVM_EXIT_MMIO:
            printf("# guest touched unbacked memory at 0x%llx\n", run->mmio.phys_addr);
            dump_state(v);
            return false;
        default:
            printf("# unexpected exit reason %u\n", run->exit_reason);
            dump_state(v);
            return false;
        }
    }
    alarm(0);
    return !fatal;
}

/* ---- Virt mode: an x86msr_virt policy behind KVM's MSR filter -------------- */

/* The register the policy emulates with a check record written by hand (no
 * spec entry): bits 3:0 rw (CTRL), 7:4 ro (STATE), 11:8 write-1-to-clear
 * (EVENTS), 63:12 reserved. */
static const union msr_cell status_record[] = {
    { .def = { .address = KT_VIRT_MSR_STATUS, .vendors = MSR_VENDOR_ALL, .count = 1, .field_count = 3,
               .access = MSR_ACCESS_RW } },
    { .masks = { .reserved = ~UINT64_C(0xFFF), .writable = UINT64_C(0xF0F), .w1c = UINT64_C(0xF00) } },
    { .field = { .msb = 3, .lsb = 0, .access = MSR_ACCESS_RW } },
    { .field = { .msb = 7, .lsb = 4, .access = MSR_ACCESS_RO } },
    { .field = { .msb = 11, .lsb = 8, .access = MSR_ACCESS_RW1C } },
};

static enum msr_virt_result emu_read(void *ctx, uint32_t msr, uint64_t *value);
static enum msr_virt_result emu_write(void *ctx, uint32_t msr, uint64_t value);
static const struct msr_virt_emulator emulator = { emu_read, emu_write };

/*
 * The policy of the virt-mode test. First match wins; everything undeclared
 * is denied. PASS accesses never leave the kernel (the filter allows them);
 * every other access exits to msr_virt_rdmsr()/msr_virt_wrmsr().
 */
static const struct msr_virt_entry virt_entries[] = {
    /* pass-through, both directions */
    MSR_VIRT_RANGE(KT_MSR_STAR, KT_MSR_FMASK, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_RANGE(KT_MSR_FS_BASE, KT_MSR_KERNEL_GS_BASE, MSR_VIRT_PASS, MSR_VIRT_PASS),
    MSR_VIRT_RANGE(KT_MSR_SYSENTER_ESP, KT_MSR_SYSENTER_EIP, MSR_VIRT_PASS, MSR_VIRT_PASS),
    /* reads pass, writes denied */
    MSR_VIRT_ONE(KT_MSR_SYSENTER_CS, MSR_VIRT_PASS, MSR_VIRT_DENY),
    /* reads pass, writes checked against the spec, then applied with KVM_SET_MSRS */
    MSR_VIRT_ONE(KT_MSR_EFER, MSR_VIRT_PASS, MSR_VIRT_EMULATE),
    /* denied both ways (KVM would allow them) */
    MSR_VIRT_ONE(KT_MSR_TSC_AUX, MSR_VIRT_DENY, MSR_VIRT_DENY),
    /* emulated in user space */
    MSR_VIRT_ONE(KT_MSR_PAT, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_MISC_ENABLE, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_RTIT_CTL, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_REG(IA32_S_CET, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    MSR_VIRT_ONE(KT_VIRT_MSR_SCRATCH, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
    { KT_VIRT_MSR_STATUS, KT_VIRT_MSR_STATUS, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE, 0, 0, NULL,
      &status_record[0].def },
    /* a constant, and read-as-zero / write-ignored */
    MSR_VIRT_CONSTANT(MSR_IA32_PLATFORM_ID_ADDR, KT_VIRT_PLATFORM_ID),
    MSR_VIRT_REG(IA32_ENERGY_PERF_BIAS, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
    MSR_VIRT_ONE(KT_VIRT_MSR_IGNORED, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE),
    /* passed through, but KVM does not implement them for this guest: KVM
     * rejects the access, exits (reason INVAL/UNKNOWN), and the handler
     * decides */
    MSR_VIRT_REG(IA32_BNDCFGS, MSR_VIRT_PASS, MSR_VIRT_PASS),    /* no MPX */
    MSR_VIRT_ONE(KT_VIRT_MSR_UNKNOWN_PASS, MSR_VIRT_PASS, MSR_VIRT_PASS),
};

struct virt {
    struct msr_virt_policy policy;
    struct msr_virt_vcpu vcpu;
    struct msr_cpuid_entry *leaves;
    struct msr_cpuid_table table;
    struct msr_cpuid_source source;
    struct msr_facts facts;
    struct vm *v;
    /* emulated registers */
    uint64_t pat, misc_enable, rtit_ctl, s_cet, scratch, status;
    /* the last exit, for KT_OP_LAST_EXIT */
    bool have_exit, exit_write;
    uint32_t exit_msr, exit_reason;
    uint64_t exit_value;
    enum msr_virt_result exit_result;
    const char *exit_why, *exit_field;
    char exit_field_buf[32];
    /* counts */
    unsigned exits, handled, injected, forwarded, forwarded_done;
    bool pt_model; /* Intel PT only in the handler's model (KVM dropped it) */
};

/* The name of the field the handler reports (vcpu.def, vcpu.field), or NULL:
 * from the spec's text; a record made by hand has none ("field N"). */
static const char *fault_field(const struct msr_virt_vcpu *vcpu, char *buf, size_t size)
{
    const struct msr_def *def = vcpu->def;

    if (def == NULL || vcpu->field < 0)
        return NULL;
    if (def->id < msr_spec.def_count && msr_spec.defs[def->id] == def)
        return msr_field_name(def, (unsigned)vcpu->field);
    snprintf(buf, size, "field %d", vcpu->field);
    return buf;
}

static enum msr_virt_result emu_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct virt *x = ctx;
    switch (msr) {
    case KT_MSR_PAT: *value = x->pat; return MSR_VIRT_HANDLED;
    case MSR_IA32_MISC_ENABLE_ADDR: *value = x->misc_enable; return MSR_VIRT_HANDLED;
    case MSR_IA32_RTIT_CTL_ADDR: *value = x->rtit_ctl; return MSR_VIRT_HANDLED;
    case MSR_IA32_S_CET_ADDR: *value = x->s_cet; return MSR_VIRT_HANDLED;
    case KT_VIRT_MSR_SCRATCH: *value = x->scratch; return MSR_VIRT_HANDLED;
    case KT_VIRT_MSR_STATUS: *value = x->status; return MSR_VIRT_HANDLED;
    case KT_MSR_EFER: /* the current value, for the handler's read-only merge */
        return get_msr(x->v, msr, value) == 0 ? MSR_VIRT_HANDLED : MSR_VIRT_INJECT_GP;
    default: return MSR_VIRT_INJECT_GP;
    }
}

static enum msr_virt_result emu_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct virt *x = ctx;
    switch (msr) {
    case KT_MSR_PAT: x->pat = value; return MSR_VIRT_HANDLED;
    case MSR_IA32_MISC_ENABLE_ADDR: x->misc_enable = value; return MSR_VIRT_HANDLED;
    case MSR_IA32_RTIT_CTL_ADDR: x->rtit_ctl = value; return MSR_VIRT_HANDLED;
    case MSR_IA32_S_CET_ADDR: x->s_cet = value; return MSR_VIRT_HANDLED;
    case KT_VIRT_MSR_SCRATCH:
        if (value >> 63) /* the emulator's own rule */
            return MSR_VIRT_INJECT_GP;
        x->scratch = value;
        return MSR_VIRT_HANDLED;
    case KT_VIRT_MSR_STATUS: x->status = value; return MSR_VIRT_HANDLED;
    case KT_MSR_EFER: /* the value the handler checked and merged, into the vCPU */
        return set_msr(x->v, msr, value) == 0 ? MSR_VIRT_HANDLED : MSR_VIRT_INJECT_GP;
    default: return MSR_VIRT_INJECT_GP;
    }
}

static int facts_read_msr(void *ctx, uint32_t msr, uint64_t *value)
{
    return get_msr(ctx, msr, value) == 0 ? MSR_OK : MSR_ERR_FAULT;
}

/* Adds (or replaces) one CPUID entry; returns the (maybe reallocated) array. */
static struct kvm_cpuid2 *cpuid_put(struct kvm_cpuid2 *c, uint32_t fn, uint32_t index, uint32_t flags, uint32_t eax,
                                    uint32_t ebx, uint32_t ecx, uint32_t edx)
{
    uint32_t i;
    for (i = 0; i < c->nent; i++)
        if (c->entries[i].function == fn && c->entries[i].index == index)
            break;
    if (i == c->nent) {
        c = realloc(c, sizeof *c + (size_t)(c->nent + 1) * sizeof c->entries[0]);
        if (!c)
            die(1, "out of memory");
        memset(&c->entries[c->nent], 0, sizeof c->entries[0]);
        c->nent++;
    }
    c->entries[i].function = fn;
    c->entries[i].index = index;
    c->entries[i].flags = flags;
    c->entries[i].eax = eax;
    c->entries[i].ebx = ebx;
    c->entries[i].ecx = ecx;
    c->entries[i].edx = edx;
    return c;
}

/* The guest gets Intel PT with CR3 filtering and ToPA only (kvm_abi.h), so
 * IA32_RTIT_CTL has fields it may and may not set. KVM never sees that
 * register: the policy emulates it. */
static struct kvm_cpuid2 *virt_adjust_cpuid(struct vm *v, struct kvm_cpuid2 *c)
{
    uint32_t i;
    (void)v;
    for (i = 0; i < c->nent; i++) {
        if (c->entries[i].function == 0 && c->entries[i].eax < 0x14)
            c->entries[i].eax = 0x14;
        if (c->entries[i].function == 7 && c->entries[i].index == 0)
            c->entries[i].ebx |= 1u << 25;
    }
    c = cpuid_put(c, 0x14, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 1, KT_VIRT_PT_LEAF14_EBX, KT_VIRT_PT_LEAF14_ECX, 0);
    c = cpuid_put(c, 0x14, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, KT_VIRT_PT_LEAF14_1_EAX, 0, 0, 0);
    return c;
}

/* The guest's CPUID becomes the facts the handler checks against: read back
 * with KVM_GET_CPUID2, since a KVM may adjust what it was given (and the
 * facts must be what the guest sees). */
void vcpu_cpuid_table(struct vm *v, struct msr_cpuid_entry **leaves, struct msr_cpuid_table *table)
{
    struct kvm_cpuid2 *c = get_cpuid2(v->vcpu, KVM_GET_CPUID2, "KVM_GET_CPUID2", 1);

    *leaves = calloc(c->nent ? c->nent : 1, sizeof **leaves);
    if (!*leaves)
        die(1, "out of memory");
    for (uint32_t i = 0; i < c->nent; i++) {
        (*leaves)[i].leaf = c->entries[i].function;
        (*leaves)[i].subleaf = c->entries[i].index;
        (*leaves)[i].regs.eax = c->entries[i].eax;
        (*leaves)[i].regs.ebx = c->entries[i].ebx;
        (*leaves)[i].regs.ecx = c->entries[i].ecx;
        (*leaves)[i].regs.edx = c->entries[i].edx;
    }
    table->entries = *leaves;
    table->count = c->nent;
    free(c);
}

static void virt_keep_cpuid(struct vm *v, const struct kvm_cpuid2 *given)
{
    struct virt *x = v->virt;
    bool pt = false;

    (void)given;
    vcpu_cpuid_table(v, &x->leaves, &x->table);
    for (size_t i = 0; i < x->table.count; i++)
        if (x->leaves[i].leaf == 7 && x->leaves[i].subleaf == 0)
            pt = (x->leaves[i].regs.ebx >> 25) & 1u;
    if (!pt) {
        /* This KVM rebuilt the guest's CPUID and dropped Intel PT. The VMM's
         * model of its vCPU keeps it (IA32_RTIT_CTL is emulated in user space
         * anyway): overlay the PT leaves the host set, and tell the guest. */
        for (size_t i = 0; i < x->table.count; i++) {
            struct msr_cpuid_entry *e = &x->leaves[i];
            if (e->leaf == 7 && e->subleaf == 0)
                e->regs.ebx |= 1u << 25;
            if (e->leaf == 0x14 && e->subleaf == 0) {
                e->regs.eax = 1;
                e->regs.ebx = KT_VIRT_PT_LEAF14_EBX;
                e->regs.ecx = KT_VIRT_PT_LEAF14_ECX;
                e->regs.edx = 0;
            }
            if (e->leaf == 0x14 && e->subleaf == 1) {
                e->regs.eax = KT_VIRT_PT_LEAF14_1_EAX;
                e->regs.ebx = e->regs.ecx = e->regs.edx = 0;
            }
        }
        printf("# host: this KVM dropped the Intel PT bit from the guest's CPUID; the handler's vCPU model keeps "
               "Intel PT as the host set it (leaf 14H EBX 0x%x ECX 0x%x)\n", KT_VIRT_PT_LEAF14_EBX,
               KT_VIRT_PT_LEAF14_ECX);
    }
    x->pt_model = !pt;
    x->table.entries = x->leaves;
    x->source = msr_cpuid_table_source(&x->table);
    x->facts.cpuid = &x->source;
    x->facts.read_msr = facts_read_msr;
    x->facts.msr_ctx = v;
    /* The policy emulates Intel's IA32_MISC_ENABLE and Intel PT for the guest
     * whatever the host's vendor: on an AMD host those are another vendor's
     * registers, which the VMM asks to be "unknown" rather than absent. */
    x->facts.flags = MSR_FACTS_OTHER_VENDORS_UNKNOWN;
    printf("# host: the handler's facts: the guest's CPUID as KVM_GET_CPUID2 reports it (%zu leaves)\n",
           x->table.count);
}

/* Capabilities, the policy, its filter. Skips (77) where KVM cannot. */
static void virt_setup(struct vm *v)
{
    static uint8_t bitmaps[MSR_VIRT_KVM_STORAGE_BYTES];
    struct msr_virt_kvm_filter filter;
    struct msr_virt_policy_error perr;
    struct kvm_enable_cap cap;
    char text[256];
    size_t ranges = 0;
    struct virt *x = v->virt;
    int r;

    r = ioctl(v->vm, KVM_CHECK_EXTENSION, KT_KVM_CAP_X86_USER_SPACE_MSR);
    if (r <= 0)
        die(EXIT_SKIP, "KVM lacks KVM_CAP_X86_USER_SPACE_MSR (MSR exits to user space): KVM_CHECK_EXTENSION = %d", r);
    r = ioctl(v->vm, KVM_CHECK_EXTENSION, KT_KVM_CAP_X86_MSR_FILTER);
    if (r <= 0)
        die(EXIT_SKIP, "KVM lacks KVM_CAP_X86_MSR_FILTER (KVM_X86_SET_MSR_FILTER): KVM_CHECK_EXTENSION = %d", r);

    x->v = v;
    x->policy.entries = virt_entries;
    x->policy.count = sizeof virt_entries / sizeof virt_entries[0];
    x->policy.default_read = MSR_VIRT_DENY;
    x->policy.default_write = MSR_VIRT_DENY;
    x->policy.emulator = &emulator;
    x->policy.spec = &msr_spec; /* for the entries by address (ranges, KT_MSR_*) */
    if (msr_virt_policy_check(&x->policy, &perr) != MSR_OK) {
        msr_virt_policy_error_describe(&x->policy, &perr, text, sizeof text);
        die(1, "the test policy is invalid: %s", text);
    }
    x->vcpu.facts = &x->facts;
    x->vcpu.ctx = x;
    x->pat = KT_VIRT_PAT_INITIAL;
    x->misc_enable = KT_VIRT_MISC_ENABLE_INITIAL;
    x->status = KT_VIRT_STATUS_INITIAL;

    memset(&cap, 0, sizeof cap);
    cap.cap = KT_KVM_CAP_X86_USER_SPACE_MSR;
    cap.args[0] = KT_KVM_MSR_EXIT_REASON_FILTER | KT_KVM_MSR_EXIT_REASON_UNKNOWN | KT_KVM_MSR_EXIT_REASON_INVAL;
    if (ioctl(v->vm, KVM_ENABLE_CAP, &cap) < 0)
        die(EXIT_SKIP, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, FILTER|UNKNOWN|INVAL): %s", strerror(errno));

    r = msr_virt_kvm_filter_build(&x->policy, &filter, bitmaps, sizeof bitmaps, &ranges);
    if (r != MSR_OK)
        die(1, "msr_virt_kvm_filter_build: %s", msr_virt_strerror(r));
    if (ioctl(v->vm, KT_KVM_X86_SET_MSR_FILTER, &filter) < 0)
        die(1, "KVM_X86_SET_MSR_FILTER (%zu ranges from the policy): %s", ranges, strerror(errno));
    printf("# host: virt mode: %zu-entry policy, default deny; KVM MSR filter of %zu ranges (default %s)\n",
           x->policy.count, ranges, filter.flags & MSR_VIRT_KVM_FILTER_DEFAULT_DENY ? "deny" : "allow");
    for (size_t i = 0; i < ranges && v->verbose; i++)
        printf("# host:   range %zu: %s%s 0x%x..0x%x\n", i,
               filter.ranges[i].flags & MSR_VIRT_KVM_FILTER_READ ? "R" : "",
               filter.ranges[i].flags & MSR_VIRT_KVM_FILTER_WRITE ? "W" : "", filter.ranges[i].base,
               filter.ranges[i].base + filter.ranges[i].nmsrs - 1);
}

static const char *kvm_reason_name(uint32_t reason)
{
    switch (reason) {
    case KT_KVM_MSR_EXIT_REASON_FILTER: return "filter";
    case KT_KVM_MSR_EXIT_REASON_UNKNOWN: return "unknown";
    case KT_KVM_MSR_EXIT_REASON_INVAL: return "inval";
    default: return "?";
    }
}

/* One KVM_EXIT_X86_RDMSR / _WRMSR: the handler decides; kvm_run->msr.error
 * = 1 injects #GP. FORWARD (pass-through) is carried out with KVM_GET_MSRS /
 * KVM_SET_MSRS after a filter exit; after KVM itself refused the access
 * (reasons unknown / inval) there is nothing to forward to: #GP. */
static bool virt_msr_exit(struct vm *v)
{
    struct virt *x = v->virt;
    struct kvm_run *run = v->run;
    bool write = run->exit_reason == KT_KVM_EXIT_X86_WRMSR;
    uint32_t msr = run->msr.index, reason = run->msr.reason;
    enum msr_virt_result r;
    uint64_t value = 0;

    if (!x) {
        printf("# MSR exit 0x%x without --virt\n", msr);
        return false;
    }
    x->exits++;
    if (write) {
        value = run->msr.data;
        r = msr_virt_wrmsr(&x->policy, &x->vcpu, msr, value);
    } else {
        r = msr_virt_rdmsr(&x->policy, &x->vcpu, msr, &value);
    }
    run->msr.error = 0;
    switch (r) {
    case MSR_VIRT_HANDLED:
        x->handled++;
        if (!write)
            run->msr.data = value;
        break;
    case MSR_VIRT_FORWARD:
        x->forwarded++;
        if (reason == KT_KVM_MSR_EXIT_REASON_FILTER &&
            (write ? set_msr(v, msr, value) : get_msr(v, msr, &value)) == 0) {
            x->forwarded_done++;
            if (!write)
                run->msr.data = value;
        } else {
            run->msr.error = 1;
        }
        break;
    default:
        x->injected++;
        run->msr.error = 1;
        break;
    }
    x->have_exit = true;
    x->exit_write = write;
    x->exit_msr = msr;
    x->exit_reason = reason;
    x->exit_value = value;
    x->exit_result = r;
    x->exit_why = x->vcpu.reason;
    x->exit_field = fault_field(&x->vcpu, x->exit_field_buf, sizeof x->exit_field_buf);
    if (v->verbose)
        printf("# host: %s 0x%x (%s) = 0x%016" PRIx64 ": %s%s -- %s%s%s\n", write ? "WRMSR" : "RDMSR", msr,
               kvm_reason_name(reason), value, msr_virt_result_name(r), run->msr.error ? ", #GP" : "",
               x->vcpu.reason ? x->vcpu.reason : "", x->exit_field ? " field " : "",
               x->exit_field ? x->exit_field : "");
    return true;
}

static void virt_last_exit(struct vm *v, struct kt_msg *m)
{
    struct virt *x = v->virt;
    memset(m->text, 0, sizeof m->text);
    if (!x || !x->have_exit) {
        m->ok = 0;
        m->msr = 0;
        m->got = 0;
        m->expected = 0;
        return;
    }
    m->ok = 1;
    m->msr = x->exit_msr;
    m->got = x->exit_value;
    m->expected = KT_EXIT_RESULT(x->exit_result, x->exit_write, x->exit_reason);
    snprintf(m->text, sizeof m->text, "%s%s%s%s", x->exit_why ? x->exit_why : "", x->exit_field ? " [" : "",
             x->exit_field ? x->exit_field : "", x->exit_field ? "]" : "");
    x->have_exit = false;
}

/* A VM with the guest's memory and one vCPU (its kvm_run mapped); skips (77)
 * where KVM cannot. */
static void create_vm(struct vm *v)
{
    v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
    if (v->vm < 0)
        die(EXIT_SKIP, "KVM_CREATE_VM: %s", strerror(errno));

    v->mem = mmap(NULL, KT_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
    if (v->mem == MAP_FAILED)
        die(1, "cannot allocate guest memory: %s", strerror(errno));
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = KT_MEM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)v->mem,
    };
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        die(EXIT_SKIP, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));

    /* Intel without unrestricted guest needs a real-mode TSS while the vCPU
     * is reset; harmless elsewhere (QEMU sets it the same way). */
    if (ioctl(v->kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0)
        (void)ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);

    /* Migrate mode: an in-kernel local APIC, as every VMM has (KVM's
     * TSC_DEADLINE, PV_EOI and asynchronous-page-fault MSRs need one). */
    if (v->migrate && ioctl(v->vm, KVM_CREATE_IRQCHIP, 0) < 0)
        die(EXIT_SKIP, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
    v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
    if (v->vcpu < 0)
        die(EXIT_SKIP, "KVM_CREATE_VCPU: %s", strerror(errno));
    int run_size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run))
        die(EXIT_SKIP, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
    v->run_size = (size_t)run_size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED)
        die(EXIT_SKIP, "cannot map kvm_run: %s", strerror(errno));
}

/* ---- Migrate mode: save the vCPU, restore it into a new VM ---------------- */

/* One of KVM's MSR lists (KVM_GET_MSR_INDEX_LIST, _FEATURE_INDEX_LIST) on
 * the system fd; NULL where KVM lacks it. */
static struct kvm_msr_list *kvm_msr_list(struct vm *v, unsigned long request)
{
    struct kvm_msr_list probe = {0}, *l;

    if (ioctl(v->kvm, request, &probe) == 0 || errno != E2BIG)
        return NULL;
    l = calloc(1, sizeof *l + probe.nmsrs * sizeof l->indices[0]);
    if (!l)
        die(1, "out of memory");
    l->nmsrs = probe.nmsrs;
    if (ioctl(v->kvm, request, l) < 0) {
        free(l);
        return NULL;
    }
    return l;
}

static bool listed_by(const struct kvm_msr_list *l, uint32_t msr)
{
    for (uint32_t i = 0; l && i < l->nmsrs; i++)
        if (l->indices[i] == msr)
            return true;
    return false;
}

/* The save list beside what KVM itself reports (docs/guest-state.md): the
 * registers saved that neither of KVM's lists names, and the names of KVM's
 * lists not saved (with -v, each one). */
static void compare_with_kvm_lists(struct vm *v, const struct msr_guest_reg *saved, size_t n)
{
    struct kvm_msr_list *index = kvm_msr_list(v, KVM_GET_MSR_INDEX_LIST);
    struct kvm_msr_list *feature = kvm_msr_list(v, KVM_GET_MSR_FEATURE_INDEX_LIST);
    size_t only_ours = 0, only_kvm = 0, both = 0;

    for (size_t i = 0; i < n; i++) {
        bool in_kvm = listed_by(index, saved[i].address) || listed_by(feature, saved[i].address);
        both += in_kvm;
        only_ours += !in_kvm;
        if (!in_kvm && v->verbose)
            printf("# host: saved, not in KVM's lists: %s\n", msr_name(msr_guest_instance(&msr_spec, &saved[i])));
    }
    for (int k = 0; k < 2; k++) {
        const struct kvm_msr_list *l = k ? feature : index;
        for (uint32_t i = 0; l && i < l->nmsrs; i++) {
            bool in_ours = false;
            const struct msr_instance *inst = msr_find_by_address(l->indices[i]);
            for (size_t j = 0; j < n && !in_ours; j++)
                in_ours = saved[j].address == l->indices[i];
            if (in_ours || (k && listed_by(index, l->indices[i])))
                continue;
            only_kvm++;
            if (v->verbose)
                printf("# host: in %s, not saved: 0x%x %s\n", k ? "KVM_GET_MSR_FEATURE_INDEX_LIST" :
                       "KVM_GET_MSR_INDEX_LIST", l->indices[i], inst ? msr_name(inst) : "(not in the spec)");
        }
    }
    printf("# host: KVM_GET_MSR_INDEX_LIST %u, KVM_GET_MSR_FEATURE_INDEX_LIST %u MSRs; saved %zu: %zu in "
           "them, %zu not; %zu of KVM's not saved (-v names each)\n", index ? index->nmsrs : 0,
           feature ? feature->nmsrs : 0, n, both, only_ours, only_kvm);
    free(index);
    free(feature);
}


/* The vCPU's CPUID as KVM_GET_CPUID2 reports it. */
static struct kvm_cpuid2 *vcpu_cpuid(struct vm *v)
{
    uint32_t n = 256;
    struct kvm_cpuid2 *c = calloc(1, sizeof *c + (size_t)n * sizeof c->entries[0]);

    if (!c)
        die(1, "out of memory");
    c->nent = n;
    if (ioctl(v->vcpu, KVM_GET_CPUID2, c) < 0)
        die(1, "KVM_GET_CPUID2: %s", strerror(errno));
    return c;
}

static void host_report(struct vm *v, bool ok, const char *text, const char *detail)
{
    v->host_checks++;
    report(v, ok, text, detail);
}

/*
 * The guest programmed its MSRs and waits in an OUT to KT_PORT. Completes
 * that OUT (KVM_RUN with immediate_exit), saves the vCPU -- the registers of
 * the save list msr_guest_list() gives for the guest's CPUID and MSR values,
 * in its restore order, with KVM_GET_MSRS; the special and general registers
 * -- creates a new VM, copies the memory, restores in order (KVM_SET_CPUID2,
 * KVM_X86_SETUP_MCE for the setup carrier, KVM_SET_SREGS, KVM_SET_REGS,
 * KVM_SET_LAPIC for the lapic carrier, one KVM_SET_MSRS of the feature and msr carriers in list order, checking how
 * many KVM took), compares every saved register under its compare mask, and
 * swaps the new VM in: the run loop resumes the guest there.
 * v->migrate "drop" leaves IA32_PAT out of the list, "reverse" restores the
 * MSRs in the reverse order and the local APIC after them: the deliberate
 * mistakes the test must catch.
 */
static bool migrate_vcpu(struct vm *v, uint64_t table_gpa)
{
    struct kvm_cpuid2 *cpuid = vcpu_cpuid(v);
    struct msr_cpuid_entry *leaves = calloc(cpuid->nent, sizeof *leaves);
    struct msr_cpuid_table table = {leaves, cpuid->nent};
    struct msr_cpuid_source source;
    struct msr_facts facts;
    struct msr_guest_reg *list = NULL;
    struct kvm_msrs *saved = NULL;
    struct kvm_sregs sregs;
    struct kvm_regs regs;
    struct kvm_lapic_state lapic;
    struct kt_migrate *programmed;
    uint64_t mcg_cap = 0;
    bool setup_mce = false;
    size_t count = 0, n = 0, unreadable = 0;
    char detail[256];
    struct vm old = *v;
    int r;

    if (!leaves || table_gpa > KT_MEM_SIZE - sizeof *programmed)
        die(1, "bad migrate request");
    /* 1. complete the pending OUT, so the saved RIP is past it */
    v->run->immediate_exit = 1;
    if (ioctl(v->vcpu, KVM_RUN, 0) == 0 || errno != EINTR)
        die(1, "KVM_RUN with immediate_exit did not return EINTR: %s", strerror(errno));
    v->run->immediate_exit = 0;

    /* 2. the save list for the guest's facts */
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        leaves[i].leaf = cpuid->entries[i].function;
        leaves[i].subleaf = cpuid->entries[i].index;
        leaves[i].regs.eax = cpuid->entries[i].eax;
        leaves[i].regs.ebx = cpuid->entries[i].ebx;
        leaves[i].regs.ecx = cpuid->entries[i].ecx;
        leaves[i].regs.edx = cpuid->entries[i].edx;
    }
    source = msr_cpuid_table_source(&table);
    /* KVM emulates registers of other vendors for every vCPU (IA32_TSC_DEADLINE,
     * MISC_FEATURES_ENABLES on an AMD one): "unknown", so the list keeps them. */
    facts = (struct msr_facts){&source, facts_read_msr, v, MSR_FACTS_OTHER_VENDORS_UNKNOWN};
    r = msr_guest_list(&msr_spec, &facts, MSR_GUEST_UNKNOWN, NULL, 0, &count);
    list = calloc(count + 1, sizeof *list);
    if (!list || (r != MSR_OK && r != MSR_ERR_RANGE) ||
        msr_guest_list(&msr_spec, &facts, MSR_GUEST_UNKNOWN, list, count, &count) != MSR_OK)
        die(1, "msr_guest_list failed");
    saved = calloc(1, sizeof *saved + (count + 1) * sizeof saved->entries[0]);
    if (!saved)
        die(1, "out of memory");

    /* 3. save: what KVM_GET_MSRS carries, in list order; a register the
     * facts leave unknown and KVM cannot read is not this vCPU's */
    for (size_t i = 0; i < count; i++) {
        uint64_t value;
        const char *name = msr_name(msr_guest_instance(&msr_spec, &list[i]));

        if (list[i].carrier == MSR_GUEST_STATE_SETUP && list[i].address == 0x179u)
            setup_mce = get_msr(v, 0x179u, &mcg_cap) == 0;
        if (list[i].carrier != MSR_GUEST_STATE_FEATURE && list[i].carrier != MSR_GUEST_STATE_MSR)
            continue;
        if (strcmp(v->migrate, "drop") == 0 && list[i].address == 0x277u)
            continue;
        if (get_msr(v, list[i].address, &value) < 0) {
            if (list[i].support == MSR_SUPPORT_YES)
                printf("# host: the facts say the guest has %s, but KVM_GET_MSRS cannot read it: not saved\n",
                       name);
            unreadable++;
            continue;
        }
        list[n] = list[i];
        saved->entries[n].index = list[i].address;
        saved->entries[n].data = value;
        n++;
    }
    saved->nmsrs = (uint32_t)n;
    printf("# host: save list of %zu guest-state registers (facts: KVM_GET_CPUID2, KVM_GET_MSRS); %zu saved "
           "with KVM_GET_MSRS, %zu not readable here%s\n", count, n, unreadable,
           strcmp(v->migrate, "drop") == 0 ? ", IA32_PAT dropped on purpose" : "");
    compare_with_kvm_lists(v, list, n);
    if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs) < 0 || ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0 ||
        ioctl(v->vcpu, KVM_GET_LAPIC, &lapic) < 0)
        die(1, "KVM_GET_SREGS/KVM_GET_REGS/KVM_GET_LAPIC: %s", strerror(errno));

    /* 4. a new VM, the memory copied */
    create_vm(v);
    memcpy(v->mem, old.mem, KT_MEM_SIZE);
    if (ioctl(v->vcpu, KVM_SET_CPUID2, cpuid) < 0)
        die(1, "KVM_SET_CPUID2 on the new vCPU: %s", strerror(errno));

    /* 5. restore in the list's carrier order */
    if (setup_mce) {
        if (ioctl(v->kvm, KVM_CHECK_EXTENSION, KVM_CAP_MCE) > 0 && ioctl(v->vcpu, KVM_X86_SETUP_MCE, &mcg_cap) < 0)
            die(1, "KVM_X86_SETUP_MCE 0x%" PRIx64 ": %s", mcg_cap, strerror(errno));
    }
    if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
        die(1, "KVM_SET_SREGS/KVM_SET_REGS on the new vCPU: %s", strerror(errno));
    /* the lapic carrier before the msr carrier: TSC_DEADLINE is kept only
     * while the APIC timer is in TSC-deadline mode (=reverse: after) */
    if (strcmp(v->migrate, "reverse") != 0 && ioctl(v->vcpu, KVM_SET_LAPIC, &lapic) < 0)
        die(1, "KVM_SET_LAPIC on the new vCPU: %s", strerror(errno));
    if (strcmp(v->migrate, "reverse") == 0) {
        for (size_t i = 0; i < n / 2; i++) {
            struct kvm_msr_entry e = saved->entries[i];
            saved->entries[i] = saved->entries[n - 1 - i];
            saved->entries[n - 1 - i] = e;
        }
    }
    /* KVM takes a batch in order and stops at the first entry it refuses:
     * report that one and go on with the rest, so every refusal shows */
    size_t taken = 0, refused = 0;
    struct kvm_msrs *rest = calloc(1, sizeof *rest + (n + 1) * sizeof rest->entries[0]);
    if (!rest)
        die(1, "out of memory");
    while (taken + refused < n) {
        size_t at = taken + refused;
        rest->nmsrs = (uint32_t)(n - at);
        memcpy(rest->entries, &saved->entries[at], (n - at) * sizeof rest->entries[0]);
        r = ioctl(v->vcpu, KVM_SET_MSRS, rest);
        if (r < 0)
            die(1, "KVM_SET_MSRS: %s", strerror(errno));
        taken += (size_t)r;
        if (taken + refused < n) {
            printf("# host: KVM_SET_MSRS refused MSR 0x%x = 0x%016llx\n", saved->entries[taken + refused].index,
                   (unsigned long long)saved->entries[taken + refused].data);
            refused++;
        }
    }
    free(rest);
    snprintf(detail, sizeof detail, "KVM took %zu of %zu", taken, n);
    host_report(v, taken == n, "KVM_SET_MSRS on the new vCPU takes every saved register, in restore order", detail);

    if (strcmp(v->migrate, "reverse") == 0 && ioctl(v->vcpu, KVM_SET_LAPIC, &lapic) < 0)
        die(1, "KVM_SET_LAPIC on the new vCPU: %s", strerror(errno));

    /* 6. the new vCPU's registers against the saved ones, under the compare masks */
    for (size_t i = 0; i < n; i++) {
        size_t k = strcmp(v->migrate, "reverse") == 0 ? n - 1 - i : i;
        uint64_t now, mask = msr_guest_compare_mask(msr_spec.defs[list[i].def]);
        bool same = get_msr(v, saved->entries[k].index, &now) == 0 && ((now ^ saved->entries[k].data) & mask) == 0;
        char text[160];

        snprintf(text, sizeof text, "restored %s", msr_name(msr_guest_instance(&msr_spec, &list[i])));
        snprintf(detail, sizeof detail, "0x%016" PRIx64 " saved, 0x%016" PRIx64 " now, compare mask 0x%016" PRIx64,
                 (uint64_t)saved->entries[k].data, now, mask);
        host_report(v, same, text, detail);
    }

    /* 7. tell the guest (in the new VM's memory) what the list has and its masks */
    programmed = (struct kt_migrate *)(v->mem + table_gpa);
    for (uint32_t g = 0; g < programmed->count && g < KT_MIGRATE_MAX; g++) {
        struct kt_migrate_reg *reg = &programmed->regs[g];
        reg->in_list = 0;
        reg->mask = 0;
        for (size_t i = 0; i < n; i++)
            if (list[i].address == reg->msr) {
                reg->in_list = 1;
                reg->mask = msr_guest_compare_mask(msr_spec.defs[list[i].def]);
            }
    }
    programmed->migrated = 1;
    printf("# host: the vCPU resumes in a new VM (%d checks of the restore made by the host)\n", v->host_checks);

    close(old.vcpu);
    close(old.vm);
    munmap(old.run, old.run_size);
    munmap(old.mem, KT_MEM_SIZE);
    free(saved);
    free(list);
    free(leaves);
    free(cpuid);
    return true;
}

int main(int argc, char **argv)
{
    struct vm v;
    memset(&v, 0, sizeof v);
    const char *image = NULL, *table = NULL;
    static struct virt virt_state;
    bool diff = false;
    bool template = false, template_wrong = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--template") == 0 || strcmp(argv[i], "--template=wrong") == 0)
            template = true, template_wrong = argv[i][strlen("--template")] == '=';
        else if (strcmp(argv[i], "-v") == 0)
            v.verbose = true;
        else if (strcmp(argv[i], "--virt") == 0)
            v.virt = &virt_state;
        else if (strcmp(argv[i], "--diff") == 0 && i + 1 < argc)
            diff = true, table = argv[++i];
        else if (strcmp(argv[i], "--migrate") == 0)
            v.migrate = "";
        else if (strcmp(argv[i], "--migrate=drop") == 0 || strcmp(argv[i], "--migrate=reverse") == 0)
            v.migrate = argv[i] + strlen("--migrate=");
        else if (!image)
            image = argv[i];
        else
            image = NULL, i = argc;
    }
    if ((!image && !template) || (diff && v.virt) || (v.migrate && (diff || v.virt))) {
        fprintf(stderr, "usage: %s [--virt | --diff DEVIATIONS.tsv | --migrate[=drop|reverse]] GUEST.elf [-v]\n"
                "       %s --template[=wrong]\n", argv[0], argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    v.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (v.kvm < 0)
        die(EXIT_SKIP, "cannot open /dev/kvm: %s", strerror(errno));
    int api = ioctl(v.kvm, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION)
        die(EXIT_SKIP, "KVM API version %d, need %d", api, KVM_API_VERSION);
    if (template)
        return kvm_template_mode(v.kvm, template_wrong);
    create_vm(&v);

    if (v.virt)
        virt_setup(&v);
    setup_cpuid(&v);
    if (diff)
        diff_setup(&v, table);
    build_tables(&v);
    uint64_t entry = load_elf(&v, image);
    setup_vcpu(&v, entry);

    struct kt_shared *sh = (struct kt_shared *)(v.mem + KT_SHARED_GPA);
    sh->params.magic = KT_MAGIC;
    sh->params.tsc_aux_preset = preset_msrs(&v);
    sh->params.ignore_msrs = read_bool_param("/sys/module/kvm/parameters/ignore_msrs");
    if (v.virt && v.virt->pt_model) {
        sh->params.virt_pt_model = 1;
        sh->params.virt_leaf14_ebx = KT_VIRT_PT_LEAF14_EBX;
        sh->params.virt_leaf14_ecx = KT_VIRT_PT_LEAF14_ECX;
    }
    printf("# host: %s vCPU, kvm.ignore_msrs=%c, guest %s\n", v.amd ? "AMD" : "Intel",
           sh->params.ignore_msrs ? 'Y' : 'N', image);

    bool clean = run_guest(&v);
    if (v.diff)
        return diff_finish(&v, clean);
    int min_checks = v.virt ? KT_MIN_VIRT_CHECKS : v.migrate ? KT_MIN_MIGRATE_CHECKS : KT_MIN_CHECKS;
    if (clean && v.checks < min_checks) {
        printf("# only %d checks ran, need at least %d\n", v.checks, min_checks);
        clean = false;
    }
    if (v.virt)
        printf("# host: %u MSR exits to user space: %u handled, %u #GP injected, %u forwarded (%u performed)\n",
               v.virt->exits, v.virt->handled, v.virt->injected, v.virt->forwarded, v.virt->forwarded_done);
    /* An incomplete run is a failure, never a pass. */
    printf("kvm: %d passed, %d failed%s\n", v.passed, v.failed,
           clean ? "" : " (guest did not complete)");
    return clean && v.failed == 0 ? 0 : 1;
}
