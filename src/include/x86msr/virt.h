/*
 * x86msr MSR virtualization (library x86msr_virt, CMake target x86msr::virt).
 *
 * One policy table decides what a guest may do with each MSR; from it:
 *
 *   msr_virt_policy_check(&policy, &err)         validate (every error names the entries)
 *   msr_virt_vmx_bitmap_build(&policy, &bitmap)  Intel VMX 4 KiB MSR bitmap
 *   msr_virt_svm_msrpm_build(&policy, &msrpm)    AMD SVM 8 KiB MSR permission map
 *   msr_virt_kvm_filter_build(&policy, ...)      KVM_X86_SET_MSR_FILTER ranges
 *   msr_virt_rdmsr / msr_virt_wrmsr              the MSR-exit handler
 *
 * and, for VM entry: checks of the guest's and host's MSR fields in the VMCS
 * (and of EFER in the VMCB), and a builder for the VMX MSR load/store lists.
 *
 * The handler checks every value against the spec as it applies to the
 * guest's virtual CPU (struct msr_facts: its CPUID, so its vendor; reserved
 * bits, read-only registers and fields, write-1-to-clear bits, canonical
 * addresses, registers and fields the guest's CPUID does not enumerate), so
 * a guest sees the #GPs real hardware of that description would raise. It
 * reads only check records (x86msr/meta.h), never text, and only the records
 * the policy leads it to: those its entries name (MSR_VIRT_REG) and, for the
 * other MSRs, the policy's spec. A policy whose entries all name their
 * registers and whose spec is NULL refers to those records and no others (a
 * linker that drops unreferenced data then keeps only them: x86msr/meta.h).
 *
 * Freestanding like x86msr_vmx: nothing from libc, no allocation, messages
 * written into caller buffers; every function that can fail returns MSR_OK
 * or a negative status and leaves its output defined.
 *
 * docs/virtualization.md has a complete MSR-exit handler and the reference.
 */
#ifndef X86MSR_VIRT_H
#define X86MSR_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86msr/core.h"
#include "x86msr/cpuid.h"
#include "x86msr/meta.h"
#include "x86msr/msr_defs.h"
#include "x86msr/vmx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the virtualization helpers report beyond the core's and the VMX
 * helpers' statuses; negative and distinct from them. */
enum msr_virt_status {
    MSR_VIRT_ERR_POLICY = -60,  /* the policy is invalid: msr_virt_policy_check() says why */
    MSR_VIRT_ERR_REFUSED = -61, /* the manuals forbid this entry in this MSR list */
    MSR_VIRT_ERR_FULL = -62     /* no room: MSR list at its limit, KVM filter out of ranges or storage */
};

/* A sentence for any status these helpers return (core and VMX ones included). */
const char *msr_virt_strerror(int status);

/* ==========================================================================
 * Policy
 * ========================================================================== */

/* What happens to one kind of access (read or write) of an MSR. */
enum msr_virt_action {
    MSR_VIRT_DENY = 0,     /* #GP */
    MSR_VIRT_PASS = 1,     /* pass through: the intercept maps let the access reach the CPU (or KVM);
                              where a map cannot (outside its ranges), the exit handler answers
                              FORWARD after the spec checks: the VMM performs the real access */
    MSR_VIRT_EMULATE = 2,  /* the emulator's callbacks, after the spec checks */
    MSR_VIRT_IGNORE = 3,   /* reads return 0, writes are dropped */
    MSR_VIRT_FIXED = 4     /* reads return the entry's value; a write of that same value is
                              accepted and dropped, any other value is a #GP */
};
#define MSR_VIRT_ACTION_COUNT 5

/* The exit handler's answer. */
enum msr_virt_result {
    MSR_VIRT_HANDLED = 0,   /* done: for a read, deliver the value in EDX:EAX; advance RIP */
    MSR_VIRT_INJECT_GP = 1, /* inject #GP(0); RIP stays */
    MSR_VIRT_FORWARD = 2    /* pass-through: the VMM performs the real RDMSR/WRMSR itself */
};

/*
 * Emulation callbacks. `ctx` is the vCPU's (struct msr_virt_vcpu.ctx).
 * read stores the register's value; write stores `value`, which the handler
 * has already checked against the spec and merged (read-only bits keep their
 * current value, write-1-to-clear bits are applied). Each returns HANDLED,
 * INJECT_GP, or FORWARD (let the VMM perform the real access); any other
 * value counts as INJECT_GP.
 */
struct msr_virt_emulator {
    enum msr_virt_result (*read)(void *ctx, uint32_t msr, uint64_t *value);
    enum msr_virt_result (*write)(void *ctx, uint32_t msr, uint64_t value);
};

/* Entry flags. */
#define MSR_VIRT_NO_SPEC_CHECKS 0x1u /* PASS/EMULATE: skip every spec check (presence, access,
                                        reserved bits, canonical addresses, merging) */
#define MSR_VIRT_ENTRY_FLAGS 0x1u    /* every valid flag */

/*
 * One line of a policy: MSRs first..last (inclusive) and what their reads and
 * writes do. Where entries overlap, the FIRST entry that contains the MSR
 * decides (so an exception goes before the range it punches a hole in);
 * msr_virt_policy_check() refuses an entry that earlier ones cover entirely,
 * since it could never apply. MSRs no entry contains get the policy's
 * defaults.
 *
 * `def` names the check record (x86msr/meta.h) of the register the entry
 * covers; the PASS and EMULATE checks then use it for every MSR of the entry
 * instead of looking the address up in the policy's spec. It must describe
 * each of them: a single-MSR entry at the register's address or at any one
 * instance of an array (the checks use that instance), a range only when
 * every MSR of it is an instance of an array of stride 1. Naming the records
 * lets a program refer to only those (a policy with a NULL spec); a record made
 * by hand describes a register the spec lacks, or one differently (it has
 * no text: msr_field_name() cannot name its fields).
 */
struct msr_virt_entry {
    uint32_t first;
    uint32_t last;
    enum msr_virt_action read;
    enum msr_virt_action write;
    uint32_t flags;                            /* MSR_VIRT_* entry flags */
    uint64_t value;                            /* FIXED: the value reads return */
    const struct msr_virt_emulator *emulator;  /* EMULATE: NULL = the policy's */
    const struct msr_def *def;                 /* the register the checks use; NULL = the policy's
                                                  spec's register at the address (if any) */
};

/*
 * Initializers. By address (def NULL: the policy's spec describes the MSRs):
 * one MSR, a range, a fixed-value register. By register, as MSR_GET names it
 * (def set; the address comes from the register's header, x86msr/msrs.h or
 * its category's, the record from x86msr/msr_defs.h, which this one includes):
 *
 *   MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS)          one register
 *   MSR_VIRT_ARRAY(IA32_MCx_CTL2, MSR_VIRT_EMULATE, MSR_VIRT_DENY)  every instance of an
 *                                                                  array of stride 1
 *
 * MSR_VIRT_REG does not compile for an array (its address takes an index), nor
 * MSR_VIRT_ARRAY for a plain register or an array whose instances are apart;
 * for one instance, or another stride, give first/last and MSR_DEF(REG).
 */
#define MSR_VIRT_ONE(msr, read, write) { (msr), (msr), (read), (write), 0u, 0u, NULL, NULL }
#define MSR_VIRT_RANGE(first, last, read, write) { (first), (last), (read), (write), 0u, 0u, NULL, NULL }
#define MSR_VIRT_CONSTANT(msr, value) { (msr), (msr), MSR_VIRT_FIXED, MSR_VIRT_FIXED, 0u, (value), NULL, NULL }
#define MSR_VIRT_REG(reg, read, write)                                                                  \
    { MSR_##reg##_ADDR, MSR_##reg##_ADDR, (read), (write), 0u, 0u, NULL, MSR_DEF(reg) }
#define MSR_VIRT_ARRAY(reg, read, write)                                                                \
    { MSR_##reg##_ADDR(0) + MSR_VIRT_STRIDE_1_(reg), MSR_##reg##_ADDR(MSR_##reg##_COUNT - 1), (read),     \
      (write), 0u, 0u, NULL, MSR_DEF(reg) }
/* 0, or a compile error (naming msr_virt_array_needs_stride_1 in C) when
 * REG's instances are not consecutive. */
#ifdef __cplusplus
#define MSR_VIRT_STRIDE_1_(reg) ((uint32_t)(0u * sizeof(char[MSR_##reg##_STRIDE == 1 ? 1 : -1])))
#else
#define MSR_VIRT_STRIDE_1_(reg)                                                                         \
    ((uint32_t)(0u * sizeof(struct { int msr_virt_array_needs_stride_1 : MSR_##reg##_STRIDE == 1 ? 1 : -1; })))
#endif

struct msr_virt_policy {
    const struct msr_virt_entry *entries;
    size_t count;
    /* For every MSR no entry contains. Zero-initialised, both are DENY: an
     * undeclared MSR raises #GP. FIXED is not a valid default. */
    enum msr_virt_action default_read;
    enum msr_virt_action default_write;
    const struct msr_virt_emulator *emulator; /* for EMULATE entries without their own, and an EMULATE default */
    /* The spec the checks look an MSR up in when its entry names no register
     * (def NULL), and for the defaults: &msr_spec for this library's whole
     * spec (which links every record). NULL: no spec; then only the entries'
     * own records are checked, and msr_virt_policy_check() refuses a PASS or
     * EMULATE entry with neither def nor MSR_VIRT_NO_SPEC_CHECKS, and a PASS or
     * EMULATE default, which would go unchecked. */
    const struct msr_spec *spec;
};

/* What msr_virt_policy_check() found. `entry` and `other` are indexes into
 * the entries, or MSR_VIRT_NO_ENTRY. */
#define MSR_VIRT_NO_ENTRY ((size_t)-1)
struct msr_virt_policy_error {
    size_t entry;     /* the entry at fault (MSR_VIRT_NO_ENTRY: the policy's own fields) */
    size_t other;     /* the entry it conflicts with, if any */
    const char *rule; /* static sentence; NULL when the policy is valid */
};

/*
 * MSR_OK, or MSR_VIRT_ERR_POLICY with *error describing the first problem:
 * first > last, an action out of range, unknown flags, EMULATE without an
 * emulator that has both callbacks, a `def` that does not describe every MSR
 * of its entry (see struct msr_virt_entry), a FIXED default, PASS or EMULATE
 * that no spec would check (a default, or an entry without def and
 * MSR_VIRT_NO_SPEC_CHECKS, while the policy's spec is NULL), an entry that
 * earlier entries cover entirely (first match wins, it could never apply).
 * MSR_ERR_INVALID for a NULL policy, or entries == NULL with count > 0.
 * `error` may be NULL.
 */
int msr_virt_policy_check(const struct msr_virt_policy *policy, struct msr_virt_policy_error *error);

/* "entry 3 (0xC0000080..0xC0000080): <rule>; see entry 1 (0x0..0x1FFF)\n".
 * Returns the length the whole text needs, like snprintf. */
size_t msr_virt_policy_error_describe(const struct msr_virt_policy *policy, const struct msr_virt_policy_error *error,
                                      char *buf, size_t size);

/* The entry that decides `msr` (the first that contains it), or NULL when the
 * defaults apply. */
const struct msr_virt_entry *msr_virt_policy_lookup(const struct msr_virt_policy *policy, uint32_t msr);

/* The action for one access (MSR_VMX_INTERCEPT_READ or _WRITE) of `msr`;
 * DENY for a NULL policy or another `access`. */
enum msr_virt_action msr_virt_policy_action(const struct msr_virt_policy *policy, uint32_t msr, unsigned access);

/* "deny", "pass", "emulate", "ignore", "fixed"; "?" outside the enum. */
const char *msr_virt_action_name(enum msr_virt_action action);
/* "handled", "inject #GP", "forward"; "?" outside the enum. */
const char *msr_virt_result_name(enum msr_virt_result result);

/* ==========================================================================
 * One policy, every intercept format
 *
 * In all three a PASS access runs without an exit and every other access
 * exits to the handler. Where a format cannot express PASS (an MSR outside
 * the VMX/SVM map ranges, a KVM default that must cover reads and writes
 * alike), the access exits and the handler answers FORWARD: a format may
 * intercept more than the policy asks, never less. KVM's own exception:
 * x2APIC MSRs 800H-8FFH are never filtered (KVM handles them in its local
 * APIC whatever the filter says).
 * ========================================================================== */

/* Fill `bitmap` / `map` from the policy (intercept everything, then let PASS
 * accesses through). MSR_OK; MSR_ERR_INVALID for NULL; MSR_VIRT_ERR_POLICY
 * when msr_virt_policy_check() fails (the map is then left intercepting
 * everything). */
int msr_virt_vmx_bitmap_build(const struct msr_virt_policy *policy, struct msr_vmx_msr_bitmap *bitmap);
int msr_virt_svm_msrpm_build(const struct msr_virt_policy *policy, struct msr_vmx_svm_msrpm *map);

/*
 * KVM_X86_SET_MSR_FILTER, without Linux headers. The structures have the
 * layout of struct kvm_msr_filter_range / struct kvm_msr_filter
 * (<asm/kvm.h>), so a filled msr_virt_kvm_filter can be passed to the ioctl
 * as is. In KVM's filter a set bit ALLOWS the access in the kernel; a clear
 * bit denies it, and with KVM_CAP_X86_USER_SPACE_MSR (KVM_MSR_EXIT_REASON_FILTER)
 * the access exits to user space (KVM_EXIT_X86_RDMSR / _WRMSR).
 */
#define MSR_VIRT_KVM_FILTER_READ 0x1u          /* KVM_MSR_FILTER_READ */
#define MSR_VIRT_KVM_FILTER_WRITE 0x2u         /* KVM_MSR_FILTER_WRITE */
#define MSR_VIRT_KVM_FILTER_DEFAULT_ALLOW 0x0u /* KVM_MSR_FILTER_DEFAULT_ALLOW */
#define MSR_VIRT_KVM_FILTER_DEFAULT_DENY 0x1u  /* KVM_MSR_FILTER_DEFAULT_DENY */
#define MSR_VIRT_KVM_MAX_RANGES 16u            /* KVM_MSR_FILTER_MAX_RANGES */
#define MSR_VIRT_KVM_MAX_BITMAP_BYTES 0x600u   /* KVM_MSR_FILTER_MAX_BITMAP_SIZE */
#define MSR_VIRT_KVM_MAX_RANGE_MSRS (MSR_VIRT_KVM_MAX_BITMAP_BYTES * 8u)
/* Bitmap storage that always suffices for msr_virt_kvm_filter_build(). */
#define MSR_VIRT_KVM_STORAGE_BYTES (MSR_VIRT_KVM_MAX_RANGES * MSR_VIRT_KVM_MAX_BITMAP_BYTES)

struct msr_virt_kvm_range {
    uint32_t flags;  /* MSR_VIRT_KVM_FILTER_READ and/or _WRITE */
    uint32_t nmsrs;  /* MSRs the bitmap covers */
    uint32_t base;   /* first MSR */
    uint8_t *bitmap; /* bit n: MSR base + n; 1 = allowed in the kernel, 0 = exit */
};

struct msr_virt_kvm_filter {
    uint32_t flags; /* MSR_VIRT_KVM_FILTER_DEFAULT_ALLOW or _DENY: MSRs no range covers */
    struct msr_virt_kvm_range ranges[MSR_VIRT_KVM_MAX_RANGES]; /* unused ranges: all zero */
};

/*
 * Fills `filter` from the policy, its bitmaps in `storage` (which must stay
 * valid until the ioctl; MSR_VIRT_KVM_STORAGE_BYTES always suffice; each
 * bitmap is a whole number of 64-bit words, as KVM reads them). The default
 * is ALLOW when both policy defaults are PASS, else DENY. Ranges cover the
 * entries whose actions differ from that default, greedily, at most
 * MSR_VIRT_KVM_MAX_RANGE_MSRS MSRs each; a range serves reads and writes
 * when their bits agree, else one range per direction. *ranges_used (may be
 * NULL) = ranges filled. (KVM refuses DEFAULT_DENY with no range at all; the
 * builder then adds a one-MSR range that denies, which changes nothing.)
 * MSR_OK; MSR_ERR_INVALID for NULL arguments; MSR_VIRT_ERR_POLICY for an
 * invalid policy; MSR_VIRT_ERR_FULL when more than 16 ranges or more storage
 * would be needed (the filter is then all zero).
 */
int msr_virt_kvm_filter_build(const struct msr_virt_policy *policy, struct msr_virt_kvm_filter *filter,
                              uint8_t *storage, size_t storage_size, size_t *ranges_used);

/* What KVM does with one access (MSR_VMX_INTERCEPT_READ or _WRITE) of `msr`
 * under `filter` (the kernel's kvm_msr_allowed()): true = handled in the
 * kernel, false = denied (exit to user space). x2APIC MSRs 800H-8FFH are
 * always allowed. false for NULL or another `access`. */
bool msr_virt_kvm_filter_allows(const struct msr_virt_kvm_filter *filter, uint32_t msr, unsigned access);

/* ==========================================================================
 * The MSR-exit handler
 * ========================================================================== */

/* One guest vCPU, as the handler sees it. */
struct msr_virt_vcpu {
    const struct msr_facts *facts; /* the guest's virtual CPU: its CPUID (the vendor comes from it) and,
                                      optionally, MSR values; NULL = nothing known (no presence checks) */
    unsigned linear_bits;          /* linear-address width for canonical checks: 48, or 57 with 5-level
                                      paging; 0 = CPUID.80000008H:EAX[15:8] of the facts, else 48 */
    void *ctx;                     /* handed to the emulator callbacks */
    /* Written by every msr_virt_rdmsr/msr_virt_wrmsr call (no text of the
     * spec: name the field with msr_field_name(def, field), x86msr/meta.h): */
    const char *reason;            /* why the result (static sentence) */
    int field;                     /* the field at fault: its index in def's fields; -1 for none */
    const struct msr_def *def;     /* the register whose spec the checks applied; NULL when no spec
                                      check ran (the policy's action decided, MSR_VIRT_NO_SPEC_CHECKS,
                                      or no register of the spec at the address) */
};

/*
 * RDMSR exit, ECX = `msr`. *value receives the value for EDX:EAX (0 unless
 * HANDLED). Order of decisions:
 *   1. the policy's action for reads of `msr` (first matching entry, else the default);
 *   2. DENY -> INJECT_GP; IGNORE -> 0; FIXED -> the entry's value;
 *   3. PASS and EMULATE (unless MSR_VIRT_NO_SPEC_CHECKS), against the entry's
 *      def, else the register of the policy's spec at `msr` for the guest's
 *      CPU (msr_spec_find_for_cpu()): INJECT_GP when the guest's CPU lacks
 *      the register (msr_is_supported() == NO with the vCPU's facts) or the
 *      spec says it is write-only;
 *   4. PASS -> FORWARD; EMULATE -> the emulator's read.
 * A NULL argument gives INJECT_GP. vcpu->reason says which rule decided.
 */
enum msr_virt_result msr_virt_rdmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t *value);

/*
 * WRMSR exit, ECX = `msr`, EDX:EAX = `value`.
 *   1. the policy's action for writes;
 *   2. DENY -> INJECT_GP; IGNORE -> HANDLED (dropped); FIXED -> HANDLED when
 *      `value` equals the entry's value, else INJECT_GP;
 *   3. PASS and EMULATE (unless MSR_VIRT_NO_SPEC_CHECKS), against the spec
 *      as it applies to the guest's CPU (the register as for reads),
 *      INJECT_GP when:
 *      - the guest's CPU lacks the register (msr_is_supported() == NO);
 *      - the register is read-only;
 *      - a reserved bit is set: msr_masks_for(def, index, facts, strict = true), so
 *        a field the guest's vendor or CPUID does not enumerate counts as
 *        reserved (IA32_EFER.SVME for an Intel guest, an IA32_RTIT_CTL bit
 *        leaf 14H does not report), each field judged by its own vendors and
 *        condition; undocumented (implementation-specific) fields are not
 *        reserved;
 *      - a field the spec marks canonical does not hold a canonical address
 *        (msr_is_canonical() with the vCPU's linear-address width);
 *      - a field the spec marks strict_enum holds a value its enum does not
 *        define: a reserved memory type in IA32_PAT, IA32_MTRR_DEF_TYPE, a
 *        variable-range IA32_MTRR_PHYSBASEn or a fixed-range MTRR;
 *   4. PASS -> FORWARD (the VMM writes `value`; read-only bits are the real
 *      register's business);
 *      EMULATE -> the emulator's write with the value to store: writable
 *      bits from `value`, read-only and undocumented fields keep their
 *      current value (a write to them is dropped, not a #GP: the choice real
 *      CPUs make for most such fields), write-1-to-clear bits are old & ~value. The current value
 *      comes from the emulator's read, called first when the register has
 *      read-only or write-1-to-clear bits.
 * MSRs with no register to check against (an entry without def where the
 * policy's spec has none at the address, or the policy has no spec) get no
 * spec checks. A NULL argument gives INJECT_GP.
 */
enum msr_virt_result msr_virt_wrmsr(const struct msr_virt_policy *policy, struct msr_virt_vcpu *vcpu, uint32_t msr,
                                    uint64_t value);

/* The linear-address width the vCPU's checks use (see linear_bits). */
unsigned msr_virt_linear_bits(const struct msr_facts *facts, unsigned linear_bits);

/* Whether every entry of an IA32_PAT value is a valid memory type: 0 (UC),
 * 1 (WC), 4 (WT), 5 (WP), 6 (WB) or 7 (UC-). */
bool msr_virt_pat_valid(uint64_t pat);

/* ==========================================================================
 * Checks before VM entry
 *
 * Each check function appends one struct msr_virt_failure per broken rule
 * to out[0..max-1] and returns the number of broken rules (which may exceed
 * max: the rest are counted, not stored). 0 = every rule holds. The facts
 * describe the processor that performs the VM entry (for a nested
 * hypervisor: the virtual CPU of the guest hypervisor); reserved bits are
 * msr_masks_for(..., strict = true) of those facts. linear_bits as in
 * msr_virt_linear_bits(). These checks, and the MSR lists below, look the
 * registers up in msr_spec and name fields by their text (the failures are
 * descriptive): they link every record and the text, the exit handler does not.
 * ========================================================================== */

struct msr_virt_failure {
    uint32_t msr;      /* the register (0 for a control register or a VMCS control) */
    const char *field; /* the field or bit ("LMA", "CR0.PG"), or NULL */
    const char *rule;  /* static sentence naming the manual's rule */
    uint64_t value;    /* the value checked */
};

/* "IA32_EFER.LMA = 0x100: SDM ...: rule\n" per failure; the register's name
 * from msr_spec's text (CRn rules print their field only).
 * Returns the length the whole text needs, like snprintf. */
size_t msr_virt_failures_describe(const struct msr_virt_failure *failures, size_t count, char *buf, size_t size);

/*
 * The guest-state MSR fields of a VMCS and what decides their checks (SDM
 * Vol. 3C "Checks on Guest Control Registers, Debug Registers, and MSRs",
 * 27.3.1.1 in the 2023 editions, 26.3.1.1 before).
 */
struct msr_virt_vmx_guest_state {
    uint64_t entry_controls;  /* the VM-entry controls (MSR_VMX_ENTRY_* bits) */
    uint64_t cr0, cr4;        /* the CR0 and CR4 fields */
    uint64_t debugctl;        /* checked with "load debug controls" */
    uint64_t sysenter_esp, sysenter_eip;
    uint64_t perf_global_ctrl;/* with "load IA32_PERF_GLOBAL_CTRL" */
    uint64_t pat;             /* with "load IA32_PAT" */
    uint64_t efer;            /* with "load IA32_EFER" */
    uint64_t bndcfgs;         /* with "load IA32_BNDCFGS" */
    uint64_t rtit_ctl;        /* with "load IA32_RTIT_CTL" */
    uint64_t s_cet, interrupt_ssp_table_addr; /* with "load CET state" */
    uint64_t lbr_ctl;         /* with "load guest IA32_LBR_CTL" */
    uint64_t pkrs;            /* with "load PKRS" */
    uint64_t fs_base, gs_base;/* segment base fields (27.3.1.2) */
};

/* The host-state counterparts (SDM "Checks on Host Control Registers, MSRs,
 * and SSP" and "Checks on Host Segment and Descriptor-Table Registers"). */
struct msr_virt_vmx_host_state {
    uint64_t exit_controls;   /* the primary VM-exit controls (MSR_VMX_EXIT_* bits) */
    uint64_t sysenter_esp, sysenter_eip;
    uint64_t perf_global_ctrl;/* with "load IA32_PERF_GLOBAL_CTRL" */
    uint64_t pat;             /* with "load IA32_PAT" */
    uint64_t efer;            /* with "load IA32_EFER" */
    uint64_t s_cet, interrupt_ssp_table_addr; /* with "load CET state" */
    uint64_t pkrs;            /* with "load PKRS" */
    uint64_t fs_base, gs_base;
};

/*
 * Guest MSR fields: IA32_DEBUGCTL reserved bits; IA-32e mode guest needs
 * CR0.PG and CR4.PAE, its absence CR4.PCIDE = 0; CR4.CET needs CR0.WP;
 * IA32_SYSENTER_ESP/EIP canonical; IA32_PERF_GLOBAL_CTRL reserved bits;
 * IA32_PAT memory types; IA32_EFER reserved bits, LMA = IA-32e mode guest,
 * LME = LMA when CR0.PG = 1; IA32_BNDCFGS reserved bits and canonical base;
 * IA32_RTIT_CTL reserved bits; IA32_S_CET reserved bits, canonical, bits 10
 * and 11 not both 1, IA32_INTERRUPT_SSP_TABLE_ADDR canonical; IA32_LBR_CTL
 * reserved bits; IA32_PKRS bits 63:32 zero; FS and GS bases canonical. (The
 * CR0/CR4 fixed bits are msr_vmx_cr0_check()/msr_vmx_cr4_check().)
 */
size_t msr_virt_vmx_guest_check(const struct msr_virt_vmx_guest_state *state, const struct msr_facts *facts,
                                unsigned linear_bits, struct msr_virt_failure *out, size_t max);

/* Host MSR fields: IA32_SYSENTER_ESP/EIP canonical; with the exit controls,
 * IA32_PERF_GLOBAL_CTRL reserved bits, IA32_PAT types, IA32_EFER reserved
 * bits and LMA = LME = "host address-space size", IA32_S_CET and
 * IA32_INTERRUPT_SSP_TABLE_ADDR as for the guest, IA32_PKRS[63:32] = 0;
 * FS and GS bases canonical. */
size_t msr_virt_vmx_host_check(const struct msr_virt_vmx_host_state *state, const struct msr_facts *facts,
                               unsigned linear_bits, struct msr_virt_failure *out, size_t max);

/* The FS and GS base-address fields of a VMCS (guest or host): each must
 * hold a canonical address. */
size_t msr_virt_vmx_segment_bases_check(uint64_t fs_base, uint64_t gs_base, bool host, unsigned linear_bits,
                                        struct msr_virt_failure *out, size_t max);

/* The VMCB state VMRUN checks for EFER (AMD APM Vol. 2 15.5.1 "Basic
 * Operation", canonicalization and consistency checks). */
struct msr_virt_svm_guest_state {
    uint64_t efer, cr0, cr4;
    bool cs_l, cs_d; /* the CS attributes L and D/B */
};

/* EFER.SVME must be 1; no MBZ (reserved) bit of EFER set; LME/LMA only with
 * long mode (CPUID.80000001H:EDX[29]); EFER.LME and CR0.PG set need CR4.PAE
 * and CR0.PE; EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D not all set. */
size_t msr_virt_svm_guest_check(const struct msr_virt_svm_guest_state *state, const struct msr_facts *facts,
                                struct msr_virt_failure *out, size_t max);

/* ==========================================================================
 * VMX MSR load/store lists (SDM "VM-Entry Loading MSRs", "Saving MSRs",
 * "Loading MSRs" of VM exits)
 * ========================================================================== */

/* One entry: 16 bytes, in an area aligned on 16 bytes. */
struct msr_virt_msr_entry {
    uint32_t index;    /* the MSR */
    uint32_t reserved; /* must be 0 */
    uint64_t data;     /* the value to load, or where the value is stored */
};
MSR_STATIC_ASSERT(sizeof(struct msr_virt_msr_entry) == 16, msr_virt_msr_entry_is_16_bytes);

enum msr_virt_msr_list_kind {
    MSR_VIRT_LIST_VMENTRY_LOAD = 0, /* VM-entry MSR-load list: WRMSR on entry */
    MSR_VIRT_LIST_VMEXIT_STORE = 1, /* VM-exit MSR-store list: RDMSR on exit */
    MSR_VIRT_LIST_VMEXIT_LOAD = 2   /* VM-exit MSR-load list: WRMSR on exit */
};

struct msr_virt_msr_list {
    struct msr_virt_msr_entry *entries; /* caller storage */
    uint32_t capacity;                  /* entries in the storage */
    uint32_t count;                     /* entries added */
    uint32_t limit;                     /* 512 * (N + 1), N = IA32_VMX_MISC[27:25] */
    enum msr_virt_msr_list_kind kind;
    const struct msr_facts *facts;      /* the processor that processes the list (its WRMSR/RDMSR rules) */
    unsigned linear_bits;               /* as in msr_virt_linear_bits() */
    bool in_smm;                        /* the transition happens in SMM (SMM-only MSRs allowed) */
};

/*
 * Prepares an empty list over `storage` (16-byte aligned, `capacity` entries)
 * with the limit from IA32_VMX_MISC (`vmx_misc`, via msr_vmx_misc_decode()).
 * MSR_OK; MSR_ERR_INVALID for NULL, a bad kind, or misaligned storage (then
 * *error, when not NULL, names the rule).
 */
int msr_virt_msr_list_init(struct msr_virt_msr_list *list, enum msr_virt_msr_list_kind kind,
                           struct msr_virt_msr_entry *storage, uint32_t capacity, uint64_t vmx_misc,
                           const struct msr_facts *facts, struct msr_virt_failure *error);

/*
 * Appends (msr, data) (`data` is ignored for the store list). Refused, with
 * MSR_VIRT_ERR_REFUSED and *error naming the rule:
 *  - IA32_FS_BASE or IA32_GS_BASE in a load list;
 *  - bits 31:8 = 000008H (x2APIC MSRs) in any list;
 *  - in a load list, an MSR writable only in SMM (IA32_SMM_MONITOR_CTL) and,
 *    in the store list, one readable only in SMM (the spec's SMM context:
 *    IA32_SMBASE), unless in_smm;
 *  - IA32_BIOS_UPDT_TRIG and IA32_BIOS_SIGN_ID (SDM Vol. 4: a processor may
 *    prevent their loading and storing on VM entries and exits);
 *  - a value WRMSR would reject at CPL 0 (load lists) or an MSR RDMSR would
 *    (store list), per the spec and the facts: absent, read-only / write-only,
 *    reserved bits, non-canonical address, reserved PAT and MTRR memory types;
 *  - the same MSR twice in one list.
 * MSR_VIRT_ERR_FULL at the capacity or the recommended limit (SDM Appendix
 * A.6: more entries may cause undefined behaviour, a machine check among
 * them); MSR_ERR_INVALID for NULL. Nothing is added on error.
 */
int msr_virt_msr_list_add(struct msr_virt_msr_list *list, uint32_t msr, uint64_t data,
                          struct msr_virt_failure *error);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_VIRT_H */
