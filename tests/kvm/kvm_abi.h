/*
 * The contract between the KVM test host (kvm_host.c) and its guest
 * (guest_*.c): guest-physical memory layout, the port-I/O report protocol,
 * and the MSR values the host sets with KVM_SET_MSRS before the guest runs.
 *
 * Included by the hosted host program and by the freestanding guest, so it
 * needs nothing but <stdint.h>.
 */
#ifndef X86MSR_KVM_ABI_H
#define X86MSR_KVM_ABI_H

#include <stdint.h>

/*
 * Guest-physical layout (the guest sees the first KT_MEM_SIZE bytes
 * identity-mapped, page 0 not present, and the same memory again at
 * KT_KERNEL_VMA, where the image runs: it is linked -mcmodel=kernel like a
 * real kernel).
 */
#define KT_MEM_SIZE 0x400000u             /* 4 MiB */
#define KT_GDT_GPA 0x1000u                /* GDT, then TSS at +0x800 */
#define KT_TSS_GPA 0x1800u
#define KT_SHARED_GPA 0x2000u             /* struct kt_shared; passed in RDI */
#define KT_PML4_GPA 0x3000u
#define KT_PDPT_LO_GPA 0x4000u
#define KT_PD_GPA 0x5000u
#define KT_PT_GPA 0x6000u                 /* 4 KiB pages of the first 2 MiB */
#define KT_PDPT_HI_GPA 0x7000u
#define KT_IMAGE_GPA 0x100000u            /* lowest address an image segment may use */
#define KT_KERNEL_VMA UINT64_C(0xffffffff80000000)

#define KT_SEL_CODE 0x08u
#define KT_SEL_DATA 0x10u
#define KT_SEL_TSS 0x18u

/* The guest reports by `outl(KT_PORT, guest-physical address of a kt_msg)`. */
#define KT_PORT 0x0510u

enum kt_op {
    KT_OP_CHECK = 1,    /* guest-judged check: ok, text, got, expected */
    KT_OP_HOST_MSR = 2, /* host-judged: KVM_GET_MSRS(msr) & mask == expected & mask;
                           the host stores its verdict in ok and the value in got */
    KT_OP_GET_MSR = 3,  /* host stores KVM_GET_MSRS(msr) in got, ok = 1 if it could */
    KT_OP_NOTE = 4,     /* informational line, printed as "# text" */
    KT_OP_DONE = 5,     /* guest finished; got = number of checks it made */
    KT_OP_FATAL = 6,    /* unexpected exception etc.; text says what; test fails */
    KT_OP_LAST_EXIT = 7, /* virt mode: the last MSR exit to user space since the previous query;
                           the host sets ok = 1 if there was one, msr = its ECX, got = the value
                           (delivered or written), expected = KT_EXIT_RESULT(...), text = the
                           handler's reason (and " [FIELD]" when a field is at fault) */
    KT_OP_DIFF_STEP = 8, /* diff mode: the guest reports the access it made (none the first time)
                           and the host answers with the next one (struct kt_msg, KT_DIFF_*) */
    KT_OP_MIGRATE = 9   /* migrate mode: got = guest-physical address of a struct kt_migrate;
                           the host saves the vCPU, restores it into a new VM and resumes it
                           there (kvm_host --migrate, guest_migrate.c) */
};

/*
 * Diff mode (kvm_host --diff, guest_diff.c): the host drives, the guest
 * performs; two exits per register. Host -> guest, in the KT_OP_DIFF_STEP
 * message (field reserved):
 *   KT_DIFF_READ             RDMSR msr;
 *   KT_DIFF_WRITEBACK_FLIPS  WRMSR msr = expected, then the flips (below) from bit 0;
 *   KT_DIFF_FLIPS            for each bit b from mask up to 63: WRMSR msr = expected ^ (1 << b),
 *                            and where that completes WRMSR msr = expected (the restore); stop
 *                            after a restore that raises #GP;
 *   KT_DIFF_DONE             nothing more: report and stop.
 * Guest -> host, in the next message: ok = 1 if the RDMSR or the write-back completed (0: #GP);
 * got = the value read (READ) or the flips that completed, a bit each (FLIPS); mask = the bit
 * after the last flip made (64: all of them); expected = 1 if the guest stopped because a
 * restore raised #GP.
 */
enum kt_diff_action { KT_DIFF_DONE = 0, KT_DIFF_READ = 1, KT_DIFF_WRITEBACK_FLIPS = 2, KT_DIFF_FLIPS = 3 };

/* What the migrate-mode guest programmed: the host fills in `mask` (the
 * spec's compare mask, msr_guest_compare_mask(); 0 for a register the save
 * list does not have, which the guest then reports) and `migrated`. */
#define KT_MIGRATE_MAX 48
struct kt_migrate_reg {
    uint32_t msr;
    uint32_t in_list;   /* host: the save list has it */
    uint64_t value;     /* what the guest wrote */
    uint64_t mask;      /* host: the bits a restore must reproduce */
};
struct kt_migrate {
    uint32_t count;
    uint32_t migrated;  /* host: 1 once the vCPU runs in the new VM */
    struct kt_migrate_reg regs[KT_MIGRATE_MAX];
};
#define KT_MIN_MIGRATE_CHECKS 12

/* KT_OP_LAST_EXIT: expected = result | is_write << 8 | KVM exit reason << 16, result being
 * an enum msr_virt_result (0 handled, 1 inject #GP, 2 forward). */
#define KT_EXIT_RESULT(result, is_write, kvm_reason) \
    ((uint64_t)(result) | (uint64_t)(is_write) << 8 | (uint64_t)(kvm_reason) << 16)

struct kt_msg {
    uint32_t op;        /* enum kt_op */
    int32_t ok;         /* CHECK: guest verdict (1/0); HOST_*: host's answer */
    uint32_t msr;       /* HOST_MSR, GET_MSR */
    uint32_t reserved;
    uint64_t got;
    uint64_t expected;
    uint64_t mask;      /* HOST_MSR: bits compared */
    char text[160];     /* NUL-terminated */
};

/* Host-to-guest parameters, at the start of the shared page. */
struct kt_params {
    uint32_t magic;          /* KT_MAGIC */
    uint32_t ignore_msrs;    /* kvm.ignore_msrs is set: unknown MSRs do not #GP */
    uint32_t tsc_aux_preset; /* the host could set IA32_TSC_AUX (KT_PRESET_TSC_AUX) */
    /* virt mode: Intel PT as the handler's vCPU model has it (leaf 7 EBX[25],
     * leaf 14H EBX/ECX), also where this KVM dropped it from the CPUID the
     * guest sees (virt_pt_model = 1 then) */
    uint32_t virt_pt_model;
    uint32_t virt_leaf14_ebx, virt_leaf14_ecx;
};
#define KT_MAGIC 0x4b564d58u /* "XMVK" */

struct kt_shared {
    struct kt_params params;
    struct kt_msg msg;
};

/* The guest must make at least this many checks (the virt-mode guest: KT_MIN_VIRT_CHECKS). */
#define KT_MIN_CHECKS 25
#define KT_MIN_VIRT_CHECKS 40

/*
 * MSR values the host sets with KVM_SET_MSRS before the first KVM_RUN. Upper
 * and lower halves differ wherever the register is 64 bits wide, so a swapped
 * EAX/EDX shows. SYSENTER_ESP/EIP stay below 4 GiB: AMD CPUs (and KVM's SVM)
 * keep only 32 bits of them. PAT entries are all valid memory types and
 * keep PA0 = WB (the guest's own page-table entries use PAT index 0).
 */
#define KT_PRESET_STAR UINT64_C(0x0023001000c0ffee)           /* SYSRET 0x23, SYSCALL 0x10 */
#define KT_PRESET_LSTAR UINT64_C(0xffffffff81234560)
#define KT_PRESET_CSTAR UINT64_C(0xffffffff8abcdef0)
#define KT_PRESET_FMASK UINT64_C(0x0000000000047700)
#define KT_PRESET_KERNEL_GS_BASE UINT64_C(0xffff888012345000)
#define KT_PRESET_TSC_AUX UINT64_C(0x0000000000000a5c)
#define KT_PRESET_SYSENTER_CS UINT64_C(0x0000000000000010)
#define KT_PRESET_SYSENTER_ESP UINT64_C(0x00000000fedc1000)
#define KT_PRESET_SYSENTER_EIP UINT64_C(0x00000000c0de0040)
#define KT_PRESET_PAT UINT64_C(0x0001050400070106)            /* WB WC UC- UC WT WP WC UC */

/* Addresses, for the host (the guest uses the generated MSR_* macros). */
#define KT_MSR_SYSENTER_CS 0x174u
#define KT_MSR_SYSENTER_ESP 0x175u
#define KT_MSR_SYSENTER_EIP 0x176u
#define KT_MSR_PAT 0x277u
#define KT_MSR_EFER 0xc0000080u
#define KT_MSR_STAR 0xc0000081u
#define KT_MSR_LSTAR 0xc0000082u
#define KT_MSR_CSTAR 0xc0000083u
#define KT_MSR_FMASK 0xc0000084u
#define KT_MSR_FS_BASE 0xc0000100u
#define KT_MSR_GS_BASE 0xc0000101u
#define KT_MSR_KERNEL_GS_BASE 0xc0000102u
#define KT_MSR_TSC_AUX 0xc0000103u

/*
 * Virt mode (kvm_host --virt, guest_virt.c): the host runs the guest under an
 * MSR policy of x86msr_virt. It enables KVM_CAP_X86_USER_SPACE_MSR, installs
 * the policy's KVM_X86_SET_MSR_FILTER ranges, answers KVM_EXIT_X86_RDMSR /
 * KVM_EXIT_X86_WRMSR with msr_virt_rdmsr()/msr_virt_wrmsr() and injects #GP
 * (kvm_run->msr.error = 1) where they say so. The policy (kvm_host.c,
 * virt_entries) and the emulated registers' first values, which both sides
 * need:
 */
#define KT_VIRT_PAT_INITIAL UINT64_C(0x0007040600070406)         /* emulated IA32_PAT (KVM's: KT_PRESET_PAT) */
#define KT_VIRT_MISC_ENABLE_INITIAL UINT64_C(0x0000000000850089) /* emulated IA32_MISC_ENABLE */
#define KT_VIRT_PLATFORM_ID UINT64_C(0x0012000000000000)         /* IA32_PLATFORM_ID, a FIXED entry */
#define KT_VIRT_MSR_SCRATCH 0x2ff00010u     /* emulated, no spec entry; the emulator refuses bit 63 */
#define KT_VIRT_MSR_STATUS 0x2ff00011u      /* emulated with a hand-written description: 3:0 rw,
                                               7:4 ro, 11:8 write-1-to-clear, 15:12 reserved */
#define KT_VIRT_STATUS_INITIAL UINT64_C(0x0A5A)
#define KT_VIRT_MSR_IGNORED 0x2ff00020u     /* read as zero, writes ignored */
#define KT_VIRT_MSR_UNKNOWN_PASS 0x2ff00030u /* passed through, but unknown to KVM: exits, #GP */
/* The guest's CPUID gets Intel PT with only CR3 filtering (leaf 14H EBX[0]) and
 * ToPA output (ECX[0]), two address ranges, so IA32_RTIT_CTL (emulated) has
 * fields the guest may set and fields it may not. */
#define KT_VIRT_PT_LEAF14_EBX 0x1u
#define KT_VIRT_PT_LEAF14_ECX 0x1u
#define KT_VIRT_PT_LEAF14_1_EAX 0x2u

/*
 * The KVM ABI the virt mode uses (Linux include/uapi/linux/kvm.h and
 * arch/x86/include/uapi/asm/kvm.h), spelled out so the protocol does not
 * depend on the headers' age; kvm_host.c checks them against <linux/kvm.h>
 * where that defines them.
 */
#define KT_KVM_CAP_X86_USER_SPACE_MSR 188
#define KT_KVM_CAP_X86_MSR_FILTER 189
#define KT_KVM_EXIT_X86_RDMSR 29
#define KT_KVM_EXIT_X86_WRMSR 30
#define KT_KVM_MSR_EXIT_REASON_INVAL (1u << 0)
#define KT_KVM_MSR_EXIT_REASON_UNKNOWN (1u << 1)
#define KT_KVM_MSR_EXIT_REASON_FILTER (1u << 2)
#define KT_KVMIO 0xAEu
#define KT_KVM_X86_SET_MSR_FILTER_NR 0xc6u  /* _IOW(KVMIO, 0xc6, struct kvm_msr_filter) */

#endif /* X86MSR_KVM_ABI_H */
