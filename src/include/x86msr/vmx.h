/*
 * x86msr VMX bring-up helpers (library x86msr_vmx, CMake target x86msr::vmx).
 *
 * What a hypervisor needs before its first VMLAUNCH, as a few calls that
 * cannot be misused:
 *
 *   struct msr_vmx_caps caps;            capability snapshot: reads only the
 *   msr_vmx_caps_read(&caps);            MSRs whose existence is established
 *   msr_vmx_controls_adjust(&caps, ...)  legal control values; every
 *                                        unsupported required bit named
 *   msr_vmx_cr0_check(&caps, cr0, ...)   CR0/CR4 fixed bits
 *   msr_vmx_feature_control_enable(...)  IA32_FEATURE_CONTROL: enable + lock
 *   msr_vmx_msr_bitmap_* / msr_vmx_svm_msrpm_*   MSR intercept maps
 *
 * Freestanding: the library calls nothing from libc and allocates nothing;
 * messages are written into caller buffers. Every function that can fail
 * returns MSR_OK or a negative `enum msr_status` (core.h), never crashes on
 * bad input, and leaves its output in a defined state.
 *
 * Backends: the library itself never executes RDMSR/WRMSR. The functions that
 * touch the machine (msr_vmx_caps_read, msr_vmx_feature_control_enable) are
 * static inline here and go through msr_rdmsr_safe/msr_wrmsr_safe of the
 * translation unit that calls them, so one library build serves ring 0
 * (inline asm), the Linux backend and the test backend alike. The `_with`
 * variants take the access functions explicitly.
 */
#ifndef X86MSR_VMX_H
#define X86MSR_VMX_H

#include "x86msr/core.h" /* the integer and boolean types: libc's or, in Linux, the kernel's */
#include "x86msr/meta.h"
#include "x86msr/msr_feature.h"
#include "x86msr/msr_vmx.h"
#include "x86msr/msr_vmx_controls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the VMX helpers report beyond the core's access-level statuses
 * (x86msr/core.h); negative and distinct from them. */
enum msr_vmx_status {
    MSR_VMX_ERR_UNSUPPORTED = -20, /* the processor lacks the feature (VMX, a control, a set) */
    MSR_VMX_ERR_DISABLED = -21     /* disabled and locked by firmware (IA32_FEATURE_CONTROL) */
};

/* A sentence for any status the VMX helpers return (core ones included). */
const char *msr_vmx_strerror(int status);

/* ==========================================================================
 * Capability snapshot
 * ========================================================================== */

/* The VMX capability MSRs, in address order: index = address - 0x480. */
enum msr_vmx_cap_msr {
    MSR_VMX_CAP_BASIC = 0,               /* IA32_VMX_BASIC (480H) */
    MSR_VMX_CAP_PINBASED_CTLS = 1,       /* 481H */
    MSR_VMX_CAP_PROCBASED_CTLS = 2,      /* 482H */
    MSR_VMX_CAP_EXIT_CTLS = 3,           /* 483H */
    MSR_VMX_CAP_ENTRY_CTLS = 4,          /* 484H */
    MSR_VMX_CAP_MISC = 5,                /* 485H */
    MSR_VMX_CAP_CR0_FIXED0 = 6,          /* 486H */
    MSR_VMX_CAP_CR0_FIXED1 = 7,          /* 487H */
    MSR_VMX_CAP_CR4_FIXED0 = 8,          /* 488H */
    MSR_VMX_CAP_CR4_FIXED1 = 9,          /* 489H */
    MSR_VMX_CAP_VMCS_ENUM = 10,          /* 48AH */
    MSR_VMX_CAP_PROCBASED_CTLS2 = 11,    /* 48BH: primary allowed-1 bit 31 */
    MSR_VMX_CAP_EPT_VPID_CAP = 12,       /* 48CH: secondary allowed-1 bit 1 or 5 */
    MSR_VMX_CAP_TRUE_PINBASED_CTLS = 13, /* 48DH: BASIC[55] */
    MSR_VMX_CAP_TRUE_PROCBASED_CTLS = 14,/* 48EH: BASIC[55] */
    MSR_VMX_CAP_TRUE_EXIT_CTLS = 15,     /* 48FH: BASIC[55] */
    MSR_VMX_CAP_TRUE_ENTRY_CTLS = 16,    /* 490H: BASIC[55] */
    MSR_VMX_CAP_VMFUNC = 17,             /* 491H: secondary allowed-1 bit 13 */
    MSR_VMX_CAP_PROCBASED_CTLS3 = 18,    /* 492H: primary allowed-1 bit 17 */
    MSR_VMX_CAP_EXIT_CTLS2 = 19,         /* 493H: exit allowed-1 bit 31 */
    MSR_VMX_CAP_COUNT = 20
};

/*
 * Every VMX capability MSR of one logical processor. Filled only by
 * msr_vmx_caps_read*() or msr_vmx_caps_from_values(), which guarantee:
 * - an MSR is read (or taken from the list) only when the architecture says
 *   it exists, given the values read before it;
 * - value[i] is 0 where bit i of `present` is 0;
 * - every control set is self-consistent (no bit both must-be-1 and
 *   must-be-0), and CRn_FIXED0 is a subset of CRn_FIXED1;
 * - after a failure, `present` is 0 and `error_msr` names the MSR at fault.
 */
struct msr_vmx_caps {
    uint64_t value[MSR_VMX_CAP_COUNT];
    uint32_t present;   /* bit (1u << enum msr_vmx_cap_msr) */
    uint32_t error_msr; /* after a failed fill: the MSR at fault, else 0 */
};

/*
 * Fills `caps` through `read`. Reads IA32_VMX_BASIC first: if that faults
 * (MSR_ERR_FAULT, through any backend), or reports a VMCS size of 0 (an
 * emulator's or hypervisor's answer for an MSR it lacks: QEMU's TCG, KVM with
 * ignore_msrs), VMX is not there and the result is MSR_VMX_ERR_UNSUPPORTED
 * with nothing else read. Then every
 * other capability MSR whose presence condition in the spec (its `present_if`:
 * CPUID's VMX bit, IA32_VMX_BASIC[55], an allowed-1 bit of another capability
 * MSR) holds for the values read before it -- never one that could #GP.
 * Errors: MSR_ERR_INVALID (NULL argument, or values that contradict
 * themselves), the reader's error for an MSR that should exist but failed.
 */
int msr_vmx_caps_read_with(struct msr_vmx_caps *caps, msr_read_fn read, void *ctx);

/* (address, value) of one MSR: snapshot files, logs, tests. */
struct msr_vmx_msr_value {
    uint32_t msr;
    uint64_t value;
};

/*
 * Offline: fills `caps` from a list of MSR values with the same existence
 * rules as msr_vmx_caps_read. Entries for other MSRs, or for VMX MSRs that do
 * not exist given the others, are ignored. MSR_ERR_INVALID, with error_msr
 * set, when an MSR that must exist is missing, appears twice, or the values
 * contradict themselves.
 */
int msr_vmx_caps_from_values(struct msr_vmx_caps *caps, const struct msr_vmx_msr_value *values,
                             size_t count);

/* Whether the snapshot holds `which` (false for an out-of-range index). */
bool msr_vmx_caps_has(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which);

/* The value of `which`: MSR_OK, MSR_VMX_ERR_UNSUPPORTED when the CPU does not
 * have it (then *value = 0), MSR_ERR_INVALID for bad arguments. */
int msr_vmx_caps_get(const struct msr_vmx_caps *caps, enum msr_vmx_cap_msr which, uint64_t *value);

/* The address of `which` (0x480 + index), or 0 when out of range. */
uint32_t msr_vmx_cap_msr_address(enum msr_vmx_cap_msr which);

/* When `which` exists, from the spec's presence condition
 * ("IA32_VMX_BASIC[55] = 1"), for messages such as "snapshot lacks X, which
 * exists when ...". Returns the length needed, like snprintf. */
size_t msr_vmx_cap_msr_condition(enum msr_vmx_cap_msr which, char *buf, size_t size);

/* ==========================================================================
 * Control sets (spec: vmx_control_sets; names in msr_vmx_control_sets[])
 * ========================================================================== */

/* What the CPU allows for one control set. */
struct msr_vmx_control_caps {
    uint64_t allowed0; /* bits that must be 1 (from TRUE_* where it exists) */
    uint64_t allowed1; /* bits that may be 1 */
    uint64_t defaults; /* each bit's default setting (SDM A.2): the plain capability MSR's
                          allowed-0 bits; 0 for the 64-bit sets */
    bool has_true;     /* allowed0 came from the TRUE_* MSR */
};

/* The capabilities of `set`: MSR_OK; MSR_VMX_ERR_UNSUPPORTED when the set does
 * not exist on this CPU (then *out is all zero: every bit must be 0);
 * MSR_ERR_INVALID for bad arguments. */
int msr_vmx_caps_control_set(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set,
                             struct msr_vmx_control_caps *out);

/* The state of one control bit, as `x86msr vmxcap` prints it. */
enum msr_vmx_bit_state {
    MSR_VMX_BIT_NO = 0,      /* must be 0 */
    MSR_VMX_BIT_YES = 1,     /* may be 0 or 1 */
    MSR_VMX_BIT_FORCED = 2,  /* must be 1 */
    MSR_VMX_BIT_DEFAULT = 3  /* 1 in the plain MSR but clearable through TRUE_* */
};

/* The state of `bit` (MSR_VMX_BIT_NO for bit > 63 or a NULL argument). */
enum msr_vmx_bit_state msr_vmx_control_bit_state(const struct msr_vmx_control_caps *caps, unsigned bit);

/* "no", "yes", "forced", "default"; "?" for a value outside the enum. */
const char *msr_vmx_bit_state_name(enum msr_vmx_bit_state state);

/* The spec's entry for `bit` of `set` (name, description), or NULL when the
 * spec names no such bit or `set` is out of range. */
const struct msr_vmx_control_bit *msr_vmx_control_bit_find(enum msr_vmx_control_set_id set, unsigned bit);

/* All bits the spec names in `set` (0 for an out-of-range set). */
uint64_t msr_vmx_control_set_named_mask(enum msr_vmx_control_set_id set);

/* ==========================================================================
 * Control adjustment
 * ========================================================================== */

/* The outcome of adjusting one control set. */
struct msr_vmx_adjusted {
    enum msr_vmx_control_set_id set;
    uint64_t value;       /* the control value to write to the VMCS */
    uint64_t unsupported; /* required bits that cannot be 1 (the failure, if any) */
    uint64_t dropped;     /* optional bits that cannot be 1, left 0 */
    uint64_t forced;      /* bits set that were not requested: must-be-1 bits and,
                             with the SDM algorithm, default settings */
};

/*
 * value = allowed0 | ((required | optional) & allowed1), with allowed0 from
 * the TRUE_* MSR where it exists (so default-1 bits can be cleared). 64-bit
 * sets (tertiary, exit2) have allowed-1 bits only. A set the CPU lacks has
 * allowed1 = 0. Returns MSR_OK; MSR_VMX_ERR_UNSUPPORTED when a required bit
 * cannot be 1 (out->unsupported lists every such bit, out->value is still
 * the best legal value); MSR_ERR_INVALID for NULL, an unfilled snapshot, an
 * out-of-range set, or bits above the set's width.
 */
int msr_vmx_adjust(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set, uint64_t required,
                   uint64_t optional, struct msr_vmx_adjusted *out);

/*
 * The SDM's recommended algorithm ("Algorithms for Determining VMX
 * Capabilities", Vol. 3C, algorithm 3 -- section 31.5.1 in the 2016-2022
 * editions -- with the default1 class of Appendix A.2): like
 * msr_vmx_adjust for the bits in `known | required | optional`; every other
 * bit the CPU lets software choose gets its default setting (1 for the
 * default1 class, 0 otherwise), so a VMM stays correct on processors that
 * give reserved controls a meaning it does not know.
 * `known` is typically msr_vmx_control_set_named_mask(set).
 */
int msr_vmx_adjust_sdm(const struct msr_vmx_caps *caps, enum msr_vmx_control_set_id set, uint64_t required,
                       uint64_t optional, uint64_t known, struct msr_vmx_adjusted *out);

/* A request for every control set at once, indexed by msr_vmx_control_set_id. */
struct msr_vmx_controls_request {
    uint64_t required[MSR_VMX_CTLS_COUNT];
    uint64_t optional[MSR_VMX_CTLS_COUNT];
};

struct msr_vmx_controls {
    struct msr_vmx_adjusted set[MSR_VMX_CTLS_COUNT];
};

/*
 * Adjusts every set and keeps the activation bits consistent, which callers
 * otherwise get wrong: "activate secondary controls" (primary bit 31),
 * "activate tertiary controls" (primary bit 17) and "activate secondary
 * VM-exit controls" (exit bit 31) are requested (required or optional, as
 * the dependent set's bits are) whenever the dependent set is asked for
 * anything, and a dependent set whose activation bit ends up 0 gets value 0.
 * All sets are computed even after a failure, so every unsupported bit of
 * every set is reported. Same status codes as msr_vmx_adjust.
 */
int msr_vmx_controls_adjust(const struct msr_vmx_caps *caps, const struct msr_vmx_controls_request *request,
                            struct msr_vmx_controls *out);

/*
 * One line per unsupported required bit, e.g.
 * "secondary controls: bit 20 'Enable XSAVES/XRSTORS' is not supported\n",
 * written into `buf` (always NUL-terminated when size > 0, truncated if
 * short). Returns the length the whole text needs, like snprintf.
 */
size_t msr_vmx_adjusted_describe(const struct msr_vmx_adjusted *adjusted, char *buf, size_t size);
size_t msr_vmx_controls_describe(const struct msr_vmx_controls *controls, char *buf, size_t size);

/* ==========================================================================
 * CR0 / CR4 fixed bits
 * ========================================================================== */

#define MSR_VMX_CR0_PE (1ull << 0)
#define MSR_VMX_CR0_PG (1ull << 31)

struct msr_vmx_cr_check {
    uint64_t value;     /* the value checked */
    uint64_t missing;   /* bits that must be 1 but are 0 */
    uint64_t forbidden; /* bits that must be 0 but are 1 */
};

/* Pure: (value & fixed0) == fixed0 && (value & ~fixed1) == 0. MSR_OK, or
 * MSR_ERR_INVALID with the offending bits in *out (out must not be NULL). */
int msr_vmx_fixed_bits_check(uint64_t value, uint64_t fixed0, uint64_t fixed1, struct msr_vmx_cr_check *out);

/*
 * CR0 against IA32_VMX_CR0_FIXED0/1. With `unrestricted_guest` (a guest CR0
 * under the "unrestricted guest" control) PE and PG may be 0, but PG = 1
 * still needs PE = 1. MSR_OK; MSR_ERR_INVALID when the value is not allowed
 * (bits in *out) or for bad arguments (NULL, unfilled snapshot: then *out is
 * all zero); MSR_VMX_ERR_UNSUPPORTED when unrestricted guest is asked for but the
 * CPU cannot set that control.
 */
int msr_vmx_cr0_check(const struct msr_vmx_caps *caps, uint64_t cr0, bool unrestricted_guest,
                      struct msr_vmx_cr_check *out);
int msr_vmx_cr4_check(const struct msr_vmx_caps *caps, uint64_t cr4, struct msr_vmx_cr_check *out);

/* The nearest allowed value: (v | FIXED0) & FIXED1, with the same exception
 * (and PE forced on when PG is 1 under it). Errors as for the checks; on
 * error *out = value unchanged. */
int msr_vmx_cr0_apply(const struct msr_vmx_caps *caps, uint64_t cr0, bool unrestricted_guest, uint64_t *out);
int msr_vmx_cr4_apply(const struct msr_vmx_caps *caps, uint64_t cr4, uint64_t *out);

/* "CR0: bit 31 (PG) must be 1\n" per offending bit; `cr` is 0 or 4
 * (another number names the bits without mnemonics). Returns the length
 * needed, like snprintf. */
size_t msr_vmx_cr_describe(unsigned cr, const struct msr_vmx_cr_check *check, char *buf, size_t size);

/* The architectural name of bit `bit` of CR`cr` (SDM Vol. 3A 2.5: "PG",
 * "VMXE"), for `cr` 0 or 4; NULL for a bit without one, or another register. */
const char *msr_vmx_cr_bit_name(unsigned cr, unsigned bit);

/* ==========================================================================
 * IA32_FEATURE_CONTROL
 * ========================================================================== */

struct msr_vmx_feature_control_plan {
    bool write;           /* the MSR is unlocked: write `value` (it sets the lock) */
    uint64_t value;       /* the value to write, or the current value */
    bool vmx_outside_smx; /* VMXON outside SMX is allowed afterwards */
    bool vmx_inside_smx;  /* VMXON inside SMX is allowed afterwards */
};

/*
 * The decision, as a pure function of the value read (`value_read`; not
 * `current`, which Linux defines as a macro). Unlocked: enable
 * VMX outside SMX (and inside SMX when `inside_smx` and `smx_supported`),
 * keep every other bit, set the lock. Locked: nothing to write; VMX outside
 * SMX must already be enabled, else MSR_VMX_ERR_DISABLED (firmware turned VMX
 * off; only a firmware setting changes that). Inside-SMX is a wish: not
 * granted when SMX is unsupported or the lock forbids it (see the plan).
 * MSR_ERR_INVALID when out is NULL.
 */
int msr_vmx_feature_control_decide(uint64_t value_read, bool inside_smx, bool smx_supported,
                                 struct msr_vmx_feature_control_plan *out);

/* Read, plan, write: the plan's status, or the reader's/writer's error.
 * `out` may be NULL. */
int msr_vmx_feature_control_enable_with(msr_read_fn read, msr_write_fn write, void *ctx,
                                        bool inside_smx, bool smx_supported,
                                        struct msr_vmx_feature_control_plan *out);

/* ==========================================================================
 * Decoders (pure; built on the generated field getters)
 * ========================================================================== */

struct msr_vmx_basic_info {
    uint32_t revision_id;
    uint32_t vmcs_size;                                  /* bytes */
    enum msr_ia32_vmx_basic_memory_type memory_type;     /* UC (0) or WB (6) */
    bool physical_address_32bit;
    bool dual_monitor;
    bool ins_outs_info;
    bool true_controls;
    bool no_error_code_check;
    bool nested_exception;
};

struct msr_vmx_misc_info {
    unsigned preemption_timer_rate; /* the timer ticks when TSC bit X changes */
    bool store_efer_lma;
    bool activity_hlt;
    bool activity_shutdown;
    bool activity_wait_sipi;
    bool intel_pt_in_vmx;
    bool rdmsr_smbase_in_smm;
    unsigned cr3_target_count;
    uint32_t max_msr_list_entries;  /* 512 * (N + 1) */
    bool smm_monitor_ctl_b2;
    bool vmwrite_all_fields;
    bool zero_length_injection;
    uint32_t mseg_revision;
};

/* Every EPT/VPID capability as a named predicate. */
struct msr_vmx_ept_vpid_info {
    bool execute_only;
    bool page_walk_length_4;
    bool page_walk_length_5;
    bool memory_type_uc;
    bool memory_type_wb;
    bool pde_2mb;
    bool pdpte_1gb;
    bool invept;
    bool accessed_dirty;
    bool advanced_exit_info;
    bool supervisor_shadow_stack;
    bool invept_single_context;
    bool invept_all_context;
    bool invvpid;
    bool invvpid_individual_address;
    bool invvpid_single_context;
    bool invvpid_all_context;
    bool invvpid_single_context_retain_globals;
    unsigned max_hlat_prefix_size;
};

struct msr_vmx_vmfunc_info {
    uint64_t allowed;    /* allowed-1 bits of the VM-function controls */
    bool eptp_switching; /* VM function 0 */
};

struct msr_vmx_vmcs_enum_info {
    unsigned max_index; /* highest index in any VMCS field encoding */
};

/* Each returns MSR_OK, or MSR_ERR_INVALID when out is NULL. */
int msr_vmx_basic_decode(uint64_t raw, struct msr_vmx_basic_info *out);
int msr_vmx_misc_decode(uint64_t raw, struct msr_vmx_misc_info *out);
int msr_vmx_ept_vpid_decode(uint64_t raw, struct msr_vmx_ept_vpid_info *out);
int msr_vmx_vmfunc_decode(uint64_t raw, struct msr_vmx_vmfunc_info *out);
int msr_vmx_vmcs_enum_decode(uint64_t raw, struct msr_vmx_vmcs_enum_info *out);

/* ==========================================================================
 * MSR intercept maps: Intel VMX MSR bitmap, AMD SVM MSR permission map
 * ========================================================================== */

/* Which accesses; a bit set, so READ | WRITE means both. */
enum msr_vmx_intercept {
    MSR_VMX_INTERCEPT_NONE = 0,
    MSR_VMX_INTERCEPT_READ = 1,
    MSR_VMX_INTERCEPT_WRITE = 2,
    MSR_VMX_INTERCEPT_READ_WRITE = 3
};

/*
 * Intel (SDM Vol. 3C 25.6.9, "MSR-Bitmap Address"; 24.6.9 in editions before
 * 2023): 4 KiB, 4-KiB aligned physical memory. Bytes
 * 0-1023 read bitmap for MSRs 0-1FFFH, 1024-2047 read bitmap for
 * C0000000H-C0001FFFH, 2048-3071 and 3072-4095 the write bitmaps; bit n%8 of
 * byte n/8 per MSR. A set bit intercepts (VM exit). MSRs outside the ranges
 * are always intercepted.
 */
#define MSR_VMX_MSR_BITMAP_SIZE 4096u
struct msr_vmx_msr_bitmap {
    uint8_t bytes[MSR_VMX_MSR_BITMAP_SIZE];
};

/*
 * AMD (APM Vol. 2 15.11): 8 KiB. Bytes 0-7FFH MSRs 0-1FFFH, 800H-FFFH
 * C0000000H-C0001FFFH, 1000H-17FFH C0010000H-C0011FFFH, 1800H-1FFFH reserved;
 * two bits per MSR (even: read, odd: write), four MSRs per byte. A set bit
 * intercepts. MSRs outside the ranges are always intercepted.
 */
#define MSR_VMX_SVM_MSRPM_SIZE 8192u
struct msr_vmx_svm_msrpm {
    uint8_t bytes[MSR_VMX_SVM_MSRPM_SIZE];
};

/*
 * For both maps:
 * - intercept_all / pass_all: initialisers (pass_all leaves the SVM map's
 *   reserved bytes set);
 * - set / clear: start / stop intercepting the `access` (READ, WRITE or
 *   both) of `msr`;
 * - query: *intercepted = the accesses intercepted;
 * - locate: byte offset and bit of one access (READ or WRITE) of `msr`.
 * Errors: MSR_ERR_RANGE for an MSR outside the map's ranges (query then
 * reports READ_WRITE: such an MSR is always intercepted); MSR_ERR_INVALID
 * for NULL or an `access` outside READ_WRITE (NONE is invalid for set/clear;
 * locate needs exactly READ or WRITE). Nothing is written on error.
 */
int msr_vmx_msr_bitmap_intercept_all(struct msr_vmx_msr_bitmap *bitmap);
int msr_vmx_msr_bitmap_pass_all(struct msr_vmx_msr_bitmap *bitmap);
int msr_vmx_msr_bitmap_set(struct msr_vmx_msr_bitmap *bitmap, uint32_t msr, unsigned access);
int msr_vmx_msr_bitmap_clear(struct msr_vmx_msr_bitmap *bitmap, uint32_t msr, unsigned access);
int msr_vmx_msr_bitmap_query(const struct msr_vmx_msr_bitmap *bitmap, uint32_t msr, unsigned *intercepted);
int msr_vmx_msr_bitmap_locate(uint32_t msr, unsigned access, size_t *byte, unsigned *bit);

/*
 * The MSRs a map covers, as inclusive ranges (every MSR outside them is
 * always intercepted): *ranges points at a static table; returns its length.
 */
struct msr_vmx_msr_range {
    uint32_t first;
    uint32_t last;
};
size_t msr_vmx_msr_bitmap_ranges(const struct msr_vmx_msr_range **ranges);
size_t msr_vmx_svm_msrpm_ranges(const struct msr_vmx_msr_range **ranges);

/*
 * set_range / clear_range: set or clear for every MSR of [first, last] that
 * the map covers (the others are always intercepted anyway). MSR_ERR_RANGE
 * when the map covers none of them (nothing written); MSR_ERR_INVALID for
 * NULL, first > last or an `access` as for set/clear.
 */
int msr_vmx_msr_bitmap_set_range(struct msr_vmx_msr_bitmap *bitmap, uint32_t first, uint32_t last,
                                 unsigned access);
int msr_vmx_msr_bitmap_clear_range(struct msr_vmx_msr_bitmap *bitmap, uint32_t first, uint32_t last,
                                   unsigned access);
int msr_vmx_svm_msrpm_set_range(struct msr_vmx_svm_msrpm *map, uint32_t first, uint32_t last, unsigned access);
int msr_vmx_svm_msrpm_clear_range(struct msr_vmx_svm_msrpm *map, uint32_t first, uint32_t last,
                                  unsigned access);

int msr_vmx_svm_msrpm_intercept_all(struct msr_vmx_svm_msrpm *map);
int msr_vmx_svm_msrpm_pass_all(struct msr_vmx_svm_msrpm *map);
int msr_vmx_svm_msrpm_set(struct msr_vmx_svm_msrpm *map, uint32_t msr, unsigned access);
int msr_vmx_svm_msrpm_clear(struct msr_vmx_svm_msrpm *map, uint32_t msr, unsigned access);
int msr_vmx_svm_msrpm_query(const struct msr_vmx_svm_msrpm *map, uint32_t msr, unsigned *intercepted);
int msr_vmx_svm_msrpm_locate(uint32_t msr, unsigned access, size_t *byte, unsigned *bit);

/* ==========================================================================
 * Machine access through the core (the caller's backend)
 * ========================================================================== */

static inline int msr_vmx_core_read_(void *ctx, uint32_t msr, uint64_t *value)
{
    (void)ctx;
    return msr_rdmsr_safe(msr, value);
}

static inline int msr_vmx_core_write_(void *ctx, uint32_t msr, uint64_t value)
{
    (void)ctx;
    return msr_wrmsr_safe(msr, value);
}

/* msr_vmx_caps_read_with through this translation unit's backend. */
static inline int msr_vmx_caps_read(struct msr_vmx_caps *caps)
{
    return msr_vmx_caps_read_with(caps, msr_vmx_core_read_, NULL);
}

/* msr_vmx_feature_control_enable_with through this translation unit's backend. */
static inline int msr_vmx_feature_control_enable(bool inside_smx, bool smx_supported,
                                                 struct msr_vmx_feature_control_plan *out)
{
    return msr_vmx_feature_control_enable_with(msr_vmx_core_read_, msr_vmx_core_write_, NULL, inside_smx,
                                               smx_supported, out);
}

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_VMX_H */
