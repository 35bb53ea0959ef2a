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
    KT_OP_FATAL = 6     /* unexpected exception etc.; text says what; test fails */
};

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
};
#define KT_MAGIC 0x4b564d58u /* "XMVK" */

struct kt_shared {
    struct kt_params params;
    struct kt_msg msg;
};

/* The guest must make at least this many checks. */
#define KT_MIN_CHECKS 25

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

#endif /* X86MSR_KVM_ABI_H */
