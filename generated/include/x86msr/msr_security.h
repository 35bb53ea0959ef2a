/*
 * x86msr: security MSRs (13 registers): Speculation control and other security features. Generated
 * by `python3 -m codegen` from msrs.yaml; do not edit: change the spec and rebuild. Names follow
 * docs/naming.md.
 */
#ifndef X86MSR_MSR_SECURITY_H
#define X86MSR_MSR_SECURITY_H

#if defined(MSR_GENERATED_FROM_) && MSR_GENERATED_FROM_ != 0xC8E1743167CDFE4
/* (docs/consuming.md: the overlay's include directory comes before x86msr's) */
#error "x86msr headers generated from different specs: put the overlay's include directory first"
#endif
#define MSR_GENERATED_FROM_ 0xC8E1743167CDFE4 /* msrs.yaml */

#include "x86msr/core.h"
#include "x86msr/msr_enums.h"

#ifdef __cplusplus
extern "C" {
#endif

/* IA32_SPEC_CTRL (0x48), rw, Intel and AMD; also SPEC_CTRL. Speculation control: software
 * controls of speculative-execution behaviour, per logical processor (some bits may also affect
 * the sibling thread). Zero after reset, unaffected by INIT and SIPI. AMD implements IBRS,
 * STIBP, SSBD and PSFD at the same positions. Guest state: a VMM saves and restores it
 * (x86msr/guest.h). Present if CPUID.(EAX=7H):EDX[26] = 1 or CPUID.(EAX=7H):EDX[27] = 1 or
 * CPUID.(EAX=7H):EDX[31] = 1 or CPUID.(EAX=80000008H):EBX[14] = 1 or
 * CPUID.(EAX=80000008H):EBX[15] = 1 or CPUID.(EAX=80000008H):EBX[24] = 1. Ref: SDM Vol 4 Table
 * 2-2; APM Vol 2 Appendix A. */
#define MSR_IA32_SPEC_CTRL_ADDR          0x48u
#define MSR_IA32_SPEC_CTRL_RESERVED_MASK 0xFFFFFFFFFFFFFA00ull
#define MSR_IA32_SPEC_CTRL_WRITABLE_MASK 0x00000000000005FFull
#define MSR_IA32_SPEC_CTRL_ msr_ia32_spec_ctrl_t, MSR_IA32_SPEC_CTRL_ADDR, 0, 1, \
    MSR_IA32_SPEC_CTRL_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_spec_ctrl {
    uint64_t raw;
    __extension__ struct {
        uint64_t ibrs        : 1;  /* rw: Indirect branch restricted speculation. */
        uint64_t stibp       : 1;  /* rw: Single thread indirect branch predictors */
        uint64_t ssbd        : 1;  /* rw: Speculative store bypass disable */
        uint64_t ipred_dis_u : 1;  /* rw: Intel: disable indirect-branch prediction from targets
                                      of other contexts at CPL 3 (CPUID.(EAX=07H,ECX=2):EDX[1]). */
        uint64_t ipred_dis_s : 1;  /* rw: Intel: the same restriction for CPL 0-2 */
        uint64_t rrsba_dis_u : 1;  /* rw: Intel: stop RET from using alternate predictors at CPL
                                      3 when the RSB is empty (CPUID.(EAX=07H,ECX=2):EDX[2]). */
        uint64_t rrsba_dis_s : 1;  /* rw: Intel: the same for CPL 0-2 */
        uint64_t psfd        : 1;  /* rw: Fast store forwarding predictor disable. */
        uint64_t ddpd_u      : 1;  /* rw: Intel: data dependent prefetcher disable at CPL 3 */
        uint64_t             : 1;
        uint64_t bhi_dis_s   : 1;  /* rw: Intel: branch history injection protection for CPL 0-2
                                      (CPUID.(EAX=07H,ECX=2):EDX[4]). */
        uint64_t             : 53;
    };
} msr_ia32_spec_ctrl_t;
#define MSR_IA32_SPEC_CTRL_IBRS_MASK        0x1ull
#define MSR_IA32_SPEC_CTRL_STIBP_MASK       0x2ull
#define MSR_IA32_SPEC_CTRL_SSBD_MASK        0x4ull
#define MSR_IA32_SPEC_CTRL_IPRED_DIS_U_MASK 0x8ull
#define MSR_IA32_SPEC_CTRL_IPRED_DIS_S_MASK 0x10ull
#define MSR_IA32_SPEC_CTRL_RRSBA_DIS_U_MASK 0x20ull
#define MSR_IA32_SPEC_CTRL_RRSBA_DIS_S_MASK 0x40ull
#define MSR_IA32_SPEC_CTRL_PSFD_MASK        0x80ull
#define MSR_IA32_SPEC_CTRL_DDPD_U_MASK      0x100ull
#define MSR_IA32_SPEC_CTRL_BHI_DIS_S_MASK   0x400ull
#define msr_ia32_spec_ctrl_read()             MSR_READ_(MSR_IA32_SPEC_CTRL_)
#define msr_ia32_spec_ctrl_read_safe(v)       MSR_READ_SAFE_(MSR_IA32_SPEC_CTRL_, v)
#define msr_ia32_spec_ctrl_write(v)           MSR_WRITE_(MSR_IA32_SPEC_CTRL_, v)
#define msr_ia32_spec_ctrl_write_safe(v)      MSR_WRITE_SAFE_(MSR_IA32_SPEC_CTRL_, v)
#define msr_ia32_spec_ctrl_modify(clear, set) MSR_MODIFY_(MSR_IA32_SPEC_CTRL_, clear, set)
#define msr_ia32_spec_ctrl_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_SPEC_CTRL_, clear, set, v)

/* IA32_PRED_CMD (0x49), wo, Intel and AMD; also PRED_CMD. Prediction command: writes issue
 * commands that act on the branch predictors. Present if CPUID.(EAX=7H):EDX[26] = 1 or
 * CPUID.(EAX=80000008H):EBX[12] = 1. Ref: SDM Vol 4 Table 2-2; APM Vol 2 Appendix A. */
#define MSR_IA32_PRED_CMD_ADDR          0x49u
#define MSR_IA32_PRED_CMD_RESERVED_MASK 0xFFFFFFFFFFFFFF7Eull
#define MSR_IA32_PRED_CMD_WRITABLE_MASK 0x0000000000000081ull
#define MSR_IA32_PRED_CMD_ msr_ia32_pred_cmd_t, MSR_IA32_PRED_CMD_ADDR, 0, 1, \
    MSR_IA32_PRED_CMD_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_pred_cmd {
    uint64_t raw;
    __extension__ struct {
        uint64_t ibpb : 1;  /* wo: Indirect branch prediction barrier */
        uint64_t      : 6;
        uint64_t sbpb : 1;  /* wo: AMD only: selective branch predictor barrier (a lighter IBPB). */
        uint64_t      : 56;
    };
} msr_ia32_pred_cmd_t;
#define MSR_IA32_PRED_CMD_IBPB_MASK 0x1ull
#define MSR_IA32_PRED_CMD_SBPB_MASK 0x80ull
#define msr_ia32_pred_cmd_write(v)      MSR_WRITE_(MSR_IA32_PRED_CMD_, v)
#define msr_ia32_pred_cmd_write_safe(v) MSR_WRITE_SAFE_(MSR_IA32_PRED_CMD_, v)

/* IA32_MISC_PACKAGE_CTLS (0xBC), rw, Intel. Package-scope controls enumerated by
 * IA32_ARCH_CAPABILITIES[10]. Present if CPUID.(EAX=7H):EDX[29] = 1 and
 * IA32_ARCH_CAPABILITIES[10] = 1. Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_MISC_PACKAGE_CTLS_ADDR          0xBCu
#define MSR_IA32_MISC_PACKAGE_CTLS_RESERVED_MASK 0xFFFFFFFFFFFFFFFEull
#define MSR_IA32_MISC_PACKAGE_CTLS_WRITABLE_MASK 0x0000000000000001ull
#define MSR_IA32_MISC_PACKAGE_CTLS_ msr_ia32_misc_package_ctls_t, MSR_IA32_MISC_PACKAGE_CTLS_ADDR, \
    0, 1, MSR_IA32_MISC_PACKAGE_CTLS_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_misc_package_ctls {
    uint64_t raw;
    __extension__ struct {
        uint64_t energy_filtering_enable : 1;  /* rw: Enables energy filtering of the
                                                  power-reporting interfaces (supported when
                                                  IA32_ARCH_CAPABILITIES[11] is 1). */
        uint64_t                         : 63;
    };
} msr_ia32_misc_package_ctls_t;
#define MSR_IA32_MISC_PACKAGE_CTLS_ENERGY_FILTERING_ENABLE_MASK 0x1ull
#define msr_ia32_misc_package_ctls_read()        MSR_READ_(MSR_IA32_MISC_PACKAGE_CTLS_)
#define msr_ia32_misc_package_ctls_read_safe(v)  MSR_READ_SAFE_(MSR_IA32_MISC_PACKAGE_CTLS_, v)
#define msr_ia32_misc_package_ctls_write(v)      MSR_WRITE_(MSR_IA32_MISC_PACKAGE_CTLS_, v)
#define msr_ia32_misc_package_ctls_write_safe(v) MSR_WRITE_SAFE_(MSR_IA32_MISC_PACKAGE_CTLS_, v)
#define msr_ia32_misc_package_ctls_modify(clear, set) \
    MSR_MODIFY_(MSR_IA32_MISC_PACKAGE_CTLS_, clear, set)
#define msr_ia32_misc_package_ctls_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_MISC_PACKAGE_CTLS_, clear, set, v)

/* IA32_ARCH_CAPABILITIES (0x10A), ro, Intel. Enumerates architectural features and immunity to
 * speculative-execution issues; each bit set means the feature exists or the processor is not
 * affected. Guest state: a VMM saves and restores it (x86msr/guest.h). Present if
 * CPUID.(EAX=7H):EDX[29] = 1. Ref: SDM Vol 4 Table 2-2; Intel CPUID Enumeration and
 * Architectural MSRs. */
#define MSR_IA32_ARCH_CAPABILITIES_ADDR          0x10Au
#define MSR_IA32_ARCH_CAPABILITIES_RESERVED_MASK 0x3FFFFFFE80400000ull
#define MSR_IA32_ARCH_CAPABILITIES_ msr_ia32_arch_capabilities_t, MSR_IA32_ARCH_CAPABILITIES_ADDR, \
    0, 1, 0, 0, 0, 0
typedef union msr_ia32_arch_capabilities {
    uint64_t raw;
    __extension__ struct {
        uint64_t rdcl_no                           : 1;  /* ro: Not susceptible to rogue data
                                                            cache load (Meltdown). */
        uint64_t ibrs_all                          : 1;  /* ro: Enhanced IBRS is supported. */
        uint64_t rsba                              : 1;  /* ro: RET may use alternative branch
                                                            predictors when the RSB is empty. */
        uint64_t skip_l1dfl_vmentry                : 1;  /* ro: A hypervisor need not flush the
                                                            L1D cache on VM entry. */
        uint64_t ssb_no                            : 1;  /* ro: Not susceptible to speculative
                                                            store bypass. */
        uint64_t mds_no                            : 1;  /* ro: Not susceptible to
                                                            microarchitectural data sampling. */
        uint64_t if_pschange_mc_no                 : 1;  /* ro: Not susceptible to machine checks
                                                            from changing a code page size
                                                            without TLB invalidation. */
        uint64_t tsx_ctrl                          : 1;  /* ro: IA32_TSX_CTRL exists. */
        uint64_t taa_no                            : 1;  /* ro: Not affected by TSX asynchronous
                                                            abort. */
        uint64_t mcu_control                       : 1;  /* ro: The microcode-update control MSR
                                                            (1406H, not described here) exists. */
        uint64_t misc_package_ctls                 : 1;  /* ro: IA32_MISC_PACKAGE_CTLS exists. */
        uint64_t energy_filtering_ctl              : 1;  /* ro: IA32_MISC_PACKAGE_CTLS[0] */
        uint64_t doitm                             : 1;  /* ro: Data operand independent timing
                                                            mode is supported
                                                            (IA32_UARCH_MISC_CTL[0]). */
        uint64_t sbdr_ssdp_no                      : 1;  /* ro: Not affected by shared-buffers
                                                            data read or sideband stale data
                                                            propagator. */
        uint64_t fbsdp_no                          : 1;  /* ro: Not affected by fill buffer stale
                                                            data propagator. */
        uint64_t psdp_no                           : 1;  /* ro: Not affected by primary stale
                                                            data propagator. */
        uint64_t mcu_enumeration                   : 1;  /* ro: The microcode-update enumeration
                                                            and status MSRs (7BH and 7CH, not
                                                            described here) exist. */
        uint64_t fb_clear                          : 1;  /* ro: VERW overwrites fill-buffer
                                                            values as part of MD_CLEAR. */
        uint64_t fb_clear_ctrl                     : 1;  /* ro: IA32_MCU_OPT_CTRL[3] */
        uint64_t rrsba                             : 1;  /* ro: RET may use predictors other than
                                                            the RSB (restricted with enhanced
                                                            IBRS). */
        uint64_t bhi_no                            : 1;  /* ro: Not affected by branch history
                                                            injection. */
        uint64_t xapic_disable_status              : 1;  /* ro: IA32_XAPIC_DISABLE_STATUS exists. */
        uint64_t                                   : 1;
        uint64_t overclocking_status               : 1;  /* ro: IA32_OVERCLOCKING_STATUS exists. */
        uint64_t pbrsb_no                          : 1;  /* ro: Not affected by post-barrier
                                                            return stack buffer predictions. */
        uint64_t gds_ctrl                          : 1;  /* ro: IA32_MCU_OPT_CTRL[4] and [5] */
        uint64_t gds_no                            : 1;  /* ro: Not affected by gather data
                                                            sampling. */
        uint64_t rfds_no                           : 1;  /* ro: Not affected by register file
                                                            data sampling. */
        uint64_t rfds_clear                        : 1;  /* ro: Affected by register file data
                                                            sampling, and VERW clears the
                                                            affected buffers. */
        uint64_t ign_umonitor_support              : 1;  /* ro: IA32_MCU_OPT_CTRL[6] */
        uint64_t mon_umon_mitg_support             : 1;  /* ro: IA32_MCU_OPT_CTRL[7] */
        uint64_t                                   : 1;
        uint64_t pbopt_support                     : 1;  /* ro: The PBOPT control register */
        uint64_t                                   : 29;
        uint64_t its_no                            : 1;  /* ro: Set by a hypervisor */
        uint64_t msr_virtual_enumeration_supported : 1;  /* ro: Set by a hypervisor */
    };
} msr_ia32_arch_capabilities_t;
#define MSR_IA32_ARCH_CAPABILITIES_RDCL_NO_MASK                           0x1ull
#define MSR_IA32_ARCH_CAPABILITIES_IBRS_ALL_MASK                          0x2ull
#define MSR_IA32_ARCH_CAPABILITIES_RSBA_MASK                              0x4ull
#define MSR_IA32_ARCH_CAPABILITIES_SKIP_L1DFL_VMENTRY_MASK                0x8ull
#define MSR_IA32_ARCH_CAPABILITIES_SSB_NO_MASK                            0x10ull
#define MSR_IA32_ARCH_CAPABILITIES_MDS_NO_MASK                            0x20ull
#define MSR_IA32_ARCH_CAPABILITIES_IF_PSCHANGE_MC_NO_MASK                 0x40ull
#define MSR_IA32_ARCH_CAPABILITIES_TSX_CTRL_MASK                          0x80ull
#define MSR_IA32_ARCH_CAPABILITIES_TAA_NO_MASK                            0x100ull
#define MSR_IA32_ARCH_CAPABILITIES_MCU_CONTROL_MASK                       0x200ull
#define MSR_IA32_ARCH_CAPABILITIES_MISC_PACKAGE_CTLS_MASK                 0x400ull
#define MSR_IA32_ARCH_CAPABILITIES_ENERGY_FILTERING_CTL_MASK              0x800ull
#define MSR_IA32_ARCH_CAPABILITIES_DOITM_MASK                             0x1000ull
#define MSR_IA32_ARCH_CAPABILITIES_SBDR_SSDP_NO_MASK                      0x2000ull
#define MSR_IA32_ARCH_CAPABILITIES_FBSDP_NO_MASK                          0x4000ull
#define MSR_IA32_ARCH_CAPABILITIES_PSDP_NO_MASK                           0x8000ull
#define MSR_IA32_ARCH_CAPABILITIES_MCU_ENUMERATION_MASK                   0x10000ull
#define MSR_IA32_ARCH_CAPABILITIES_FB_CLEAR_MASK                          0x20000ull
#define MSR_IA32_ARCH_CAPABILITIES_FB_CLEAR_CTRL_MASK                     0x40000ull
#define MSR_IA32_ARCH_CAPABILITIES_RRSBA_MASK                             0x80000ull
#define MSR_IA32_ARCH_CAPABILITIES_BHI_NO_MASK                            0x100000ull
#define MSR_IA32_ARCH_CAPABILITIES_XAPIC_DISABLE_STATUS_MASK              0x200000ull
#define MSR_IA32_ARCH_CAPABILITIES_OVERCLOCKING_STATUS_MASK               0x800000ull
#define MSR_IA32_ARCH_CAPABILITIES_PBRSB_NO_MASK                          0x1000000ull
#define MSR_IA32_ARCH_CAPABILITIES_GDS_CTRL_MASK                          0x2000000ull
#define MSR_IA32_ARCH_CAPABILITIES_GDS_NO_MASK                            0x4000000ull
#define MSR_IA32_ARCH_CAPABILITIES_RFDS_NO_MASK                           0x8000000ull
#define MSR_IA32_ARCH_CAPABILITIES_RFDS_CLEAR_MASK                        0x10000000ull
#define MSR_IA32_ARCH_CAPABILITIES_IGN_UMONITOR_SUPPORT_MASK              0x20000000ull
#define MSR_IA32_ARCH_CAPABILITIES_MON_UMON_MITG_SUPPORT_MASK             0x40000000ull
#define MSR_IA32_ARCH_CAPABILITIES_PBOPT_SUPPORT_MASK                     0x100000000ull
#define MSR_IA32_ARCH_CAPABILITIES_ITS_NO_MASK                            0x4000000000000000ull
#define MSR_IA32_ARCH_CAPABILITIES_MSR_VIRTUAL_ENUMERATION_SUPPORTED_MASK 0x8000000000000000ull
#define msr_ia32_arch_capabilities_read()       MSR_READ_(MSR_IA32_ARCH_CAPABILITIES_)
#define msr_ia32_arch_capabilities_read_safe(v) MSR_READ_SAFE_(MSR_IA32_ARCH_CAPABILITIES_, v)

/* IA32_FLUSH_CMD (0x10B), wo, Intel. Flush command: invalidates microarchitectural structures at
 * a finer grain than WBINVD. Present if CPUID.(EAX=7H):EDX[28] = 1. Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_FLUSH_CMD_ADDR          0x10Bu
#define MSR_IA32_FLUSH_CMD_RESERVED_MASK 0xFFFFFFFFFFFFFFFEull
#define MSR_IA32_FLUSH_CMD_WRITABLE_MASK 0x0000000000000001ull
#define MSR_IA32_FLUSH_CMD_ msr_ia32_flush_cmd_t, MSR_IA32_FLUSH_CMD_ADDR, 0, 1, \
    MSR_IA32_FLUSH_CMD_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_flush_cmd {
    uint64_t raw;
    __extension__ struct {
        uint64_t l1d_flush : 1;  /* wo: Writes back and invalidates the L1 data cache. */
        uint64_t           : 63;
    };
} msr_ia32_flush_cmd_t;
#define MSR_IA32_FLUSH_CMD_L1D_FLUSH_MASK 0x1ull
#define msr_ia32_flush_cmd_write(v)      MSR_WRITE_(MSR_IA32_FLUSH_CMD_, v)
#define msr_ia32_flush_cmd_write_safe(v) MSR_WRITE_SAFE_(MSR_IA32_FLUSH_CMD_, v)

/* IA32_TSX_FORCE_ABORT (0x10F), rw, Intel. TSX force-abort controls on processors that enumerate
 * them (RTM always aborts, TSX enumeration hidden). Present if CPUID.(EAX=7H):EDX[13] = 1. Ref:
 * SDM Vol 4 Table 2-2; Intel CPUID Enumeration and Architectural MSRs. */
#define MSR_IA32_TSX_FORCE_ABORT_ADDR          0x10Fu
#define MSR_IA32_TSX_FORCE_ABORT_RESERVED_MASK 0xFFFFFFFFFFFFFFF8ull
#define MSR_IA32_TSX_FORCE_ABORT_WRITABLE_MASK 0x0000000000000007ull
#define MSR_IA32_TSX_FORCE_ABORT_ msr_ia32_tsx_force_abort_t, MSR_IA32_TSX_FORCE_ABORT_ADDR, 0, 1, \
    MSR_IA32_TSX_FORCE_ABORT_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_tsx_force_abort {
    uint64_t raw;
    __extension__ struct {
        uint64_t rtm_force_abort : 1;  /* rw: All RTM transactions abort */
        uint64_t tsx_cpuid_clear : 1;  /* rw: CPUID reports RTM and HLE as not supported. */
        uint64_t sdv_enable_rtm  : 1;  /* rw: Development use only */
        uint64_t                 : 61;
    };
} msr_ia32_tsx_force_abort_t;
#define MSR_IA32_TSX_FORCE_ABORT_RTM_FORCE_ABORT_MASK 0x1ull
#define MSR_IA32_TSX_FORCE_ABORT_TSX_CPUID_CLEAR_MASK 0x2ull
#define MSR_IA32_TSX_FORCE_ABORT_SDV_ENABLE_RTM_MASK  0x4ull
#define msr_ia32_tsx_force_abort_read()        MSR_READ_(MSR_IA32_TSX_FORCE_ABORT_)
#define msr_ia32_tsx_force_abort_read_safe(v)  MSR_READ_SAFE_(MSR_IA32_TSX_FORCE_ABORT_, v)
#define msr_ia32_tsx_force_abort_write(v)      MSR_WRITE_(MSR_IA32_TSX_FORCE_ABORT_, v)
#define msr_ia32_tsx_force_abort_write_safe(v) MSR_WRITE_SAFE_(MSR_IA32_TSX_FORCE_ABORT_, v)
#define msr_ia32_tsx_force_abort_modify(clear, set) \
    MSR_MODIFY_(MSR_IA32_TSX_FORCE_ABORT_, clear, set)
#define msr_ia32_tsx_force_abort_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_TSX_FORCE_ABORT_, clear, set, v)

/* IA32_TSX_CTRL (0x122), rw, Intel. TSX control, present when IA32_ARCH_CAPABILITIES[7] is 1.
 * Thread scope, not architecturally serializing. Guest state: a VMM saves and restores it
 * (x86msr/guest.h). Present if CPUID.(EAX=7H):EDX[29] = 1 and IA32_ARCH_CAPABILITIES[7] = 1.
 * Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_TSX_CTRL_ADDR          0x122u
#define MSR_IA32_TSX_CTRL_RESERVED_MASK 0xFFFFFFFFFFFFFFFCull
#define MSR_IA32_TSX_CTRL_WRITABLE_MASK 0x0000000000000003ull
#define MSR_IA32_TSX_CTRL_ msr_ia32_tsx_ctrl_t, MSR_IA32_TSX_CTRL_ADDR, 0, 1, \
    MSR_IA32_TSX_CTRL_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_tsx_ctrl {
    uint64_t raw;
    __extension__ struct {
        uint64_t rtm_disable     : 1;  /* rw: XBEGIN always aborts (with EAX = 0). */
        uint64_t tsx_cpuid_clear : 1;  /* rw: CPUID.07H:EBX reports RTM (bit 11) and HLE */
        uint64_t                 : 62;
    };
} msr_ia32_tsx_ctrl_t;
#define MSR_IA32_TSX_CTRL_RTM_DISABLE_MASK     0x1ull
#define MSR_IA32_TSX_CTRL_TSX_CPUID_CLEAR_MASK 0x2ull
#define msr_ia32_tsx_ctrl_read()             MSR_READ_(MSR_IA32_TSX_CTRL_)
#define msr_ia32_tsx_ctrl_read_safe(v)       MSR_READ_SAFE_(MSR_IA32_TSX_CTRL_, v)
#define msr_ia32_tsx_ctrl_write(v)           MSR_WRITE_(MSR_IA32_TSX_CTRL_, v)
#define msr_ia32_tsx_ctrl_write_safe(v)      MSR_WRITE_SAFE_(MSR_IA32_TSX_CTRL_, v)
#define msr_ia32_tsx_ctrl_modify(clear, set) MSR_MODIFY_(MSR_IA32_TSX_CTRL_, clear, set)
#define msr_ia32_tsx_ctrl_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_TSX_CTRL_, clear, set, v)

/* IA32_MCU_OPT_CTRL (0x123), rw, Intel. Microcode update option control: disables or locks
 * individual microcode-based mitigations. Present if CPUID.(EAX=7H):EDX[9] = 1. Ref: SDM Vol 4
 * Table 2-2; Intel CPUID Enumeration and Architectural MSRs. */
#define MSR_IA32_MCU_OPT_CTRL_ADDR          0x123u
#define MSR_IA32_MCU_OPT_CTRL_RESERVED_MASK 0xFFFFFFFFFFFFFF00ull
#define MSR_IA32_MCU_OPT_CTRL_WRITABLE_MASK 0x00000000000000FBull
#define MSR_IA32_MCU_OPT_CTRL_ msr_ia32_mcu_opt_ctrl_t, MSR_IA32_MCU_OPT_CTRL_ADDR, 0, 1, \
    MSR_IA32_MCU_OPT_CTRL_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_mcu_opt_ctrl {
    uint64_t raw;
    __extension__ struct {
        uint64_t rngds_mitg_dis : 1;  /* rw: Disables the special register buffer data sampling
                                         mitigation for RDRAND and RDSEED outside SGX enclaves. */
        uint64_t rtm_allow      : 1;  /* rw: Allows RTM on processors that disable it by default
                                         (with IA32_TSX_FORCE_ABORT). */
        uint64_t rtm_locked     : 1;  /* ro: RTM_ALLOW is locked. */
        uint64_t fb_clear_dis   : 1;  /* rw: VERW no longer overwrites fill buffers */
        uint64_t gds_mitg_dis   : 1;  /* rw: Disables the gather data sampling mitigation. */
        uint64_t gds_mitg_lock  : 1;  /* rwo: Locks GDS_MITG_DIS (and itself) until reset. */
        uint64_t ign_umonitor   : 1;  /* rw: UMONITOR is ignored */
        uint64_t mon_umon_mitg  : 1;  /* rw: Enables the MONITOR/UMONITOR mitigation */
        uint64_t                : 56;
    };
} msr_ia32_mcu_opt_ctrl_t;
#define MSR_IA32_MCU_OPT_CTRL_RNGDS_MITG_DIS_MASK 0x1ull
#define MSR_IA32_MCU_OPT_CTRL_RTM_ALLOW_MASK      0x2ull
#define MSR_IA32_MCU_OPT_CTRL_RTM_LOCKED_MASK     0x4ull
#define MSR_IA32_MCU_OPT_CTRL_FB_CLEAR_DIS_MASK   0x8ull
#define MSR_IA32_MCU_OPT_CTRL_GDS_MITG_DIS_MASK   0x10ull
#define MSR_IA32_MCU_OPT_CTRL_GDS_MITG_LOCK_MASK  0x20ull
#define MSR_IA32_MCU_OPT_CTRL_IGN_UMONITOR_MASK   0x40ull
#define MSR_IA32_MCU_OPT_CTRL_MON_UMON_MITG_MASK  0x80ull
#define msr_ia32_mcu_opt_ctrl_read()             MSR_READ_(MSR_IA32_MCU_OPT_CTRL_)
#define msr_ia32_mcu_opt_ctrl_read_safe(v)       MSR_READ_SAFE_(MSR_IA32_MCU_OPT_CTRL_, v)
#define msr_ia32_mcu_opt_ctrl_write(v)           MSR_WRITE_(MSR_IA32_MCU_OPT_CTRL_, v)
#define msr_ia32_mcu_opt_ctrl_write_safe(v)      MSR_WRITE_SAFE_(MSR_IA32_MCU_OPT_CTRL_, v)
#define msr_ia32_mcu_opt_ctrl_modify(clear, set) MSR_MODIFY_(MSR_IA32_MCU_OPT_CTRL_, clear, set)
#define msr_ia32_mcu_opt_ctrl_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_MCU_OPT_CTRL_, clear, set, v)

/* IA32_COPY_STATUS (0x990), ro, Intel. Key Locker: status of the last copy between the local
 * wrapping key and its platform backup. Present if CPUID.(EAX=19H):EBX[4] = 1. Ref: SDM Vol 4
 * Table 2-2. */
#define MSR_IA32_COPY_STATUS_ADDR          0x990u
#define MSR_IA32_COPY_STATUS_RESERVED_MASK 0xFFFFFFFFFFFFFFFEull
#define MSR_IA32_COPY_STATUS_ msr_ia32_copy_status_t, MSR_IA32_COPY_STATUS_ADDR, 0, 1, 0, 0, 0, 0
typedef union msr_ia32_copy_status {
    uint64_t raw;
    __extension__ struct {
        uint64_t iwkey_copy_successful : 1;  /* ro: The last copy through
                                                IA32_COPY_LOCAL_TO_PLATFORM or
                                                IA32_COPY_PLATFORM_TO_LOCAL succeeded. */
        uint64_t                       : 63;
    };
} msr_ia32_copy_status_t;
#define MSR_IA32_COPY_STATUS_IWKEY_COPY_SUCCESSFUL_MASK 0x1ull
#define msr_ia32_copy_status_read()       MSR_READ_(MSR_IA32_COPY_STATUS_)
#define msr_ia32_copy_status_read_safe(v) MSR_READ_SAFE_(MSR_IA32_COPY_STATUS_, v)

/* IA32_IWKEYBACKUP_STATUS (0x991), ro, Intel. Key Locker: status of the platform backup of the
 * internal wrapping key. Present if CPUID.(EAX=19H):EBX[4] = 1. Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_IWKEYBACKUP_STATUS_ADDR          0x991u
#define MSR_IA32_IWKEYBACKUP_STATUS_RESERVED_MASK 0xFFFFFFFFFFFFFFFAull
#define MSR_IA32_IWKEYBACKUP_STATUS_ msr_ia32_iwkeybackup_status_t, \
    MSR_IA32_IWKEYBACKUP_STATUS_ADDR, 0, 1, 0, 0, 0, 0
typedef union msr_ia32_iwkeybackup_status {
    uint64_t raw;
    __extension__ struct {
        uint64_t backup_restore_valid        : 1;  /* ro: The backup key storage holds a valid
                                                      key. */
        uint64_t                             : 1;
        uint64_t backup_key_storage_rw_error : 1;  /* ro: A read or write of the backup key
                                                      storage failed. */
        uint64_t                             : 61;
    };
} msr_ia32_iwkeybackup_status_t;
#define MSR_IA32_IWKEYBACKUP_STATUS_BACKUP_RESTORE_VALID_MASK        0x1ull
#define MSR_IA32_IWKEYBACKUP_STATUS_BACKUP_KEY_STORAGE_RW_ERROR_MASK 0x4ull
#define msr_ia32_iwkeybackup_status_read()       MSR_READ_(MSR_IA32_IWKEYBACKUP_STATUS_)
#define msr_ia32_iwkeybackup_status_read_safe(v) MSR_READ_SAFE_(MSR_IA32_IWKEYBACKUP_STATUS_, v)

/* IA32_COPY_LOCAL_TO_PLATFORM (0xD91), wo, Intel. Key Locker: copies the local wrapping key to
 * the platform backup storage. Present if CPUID.(EAX=19H):EBX[4] = 1. Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_COPY_LOCAL_TO_PLATFORM_ADDR          0xD91u
#define MSR_IA32_COPY_LOCAL_TO_PLATFORM_RESERVED_MASK 0xFFFFFFFFFFFFFFFEull
#define MSR_IA32_COPY_LOCAL_TO_PLATFORM_WRITABLE_MASK 0x0000000000000001ull
#define MSR_IA32_COPY_LOCAL_TO_PLATFORM_ msr_ia32_copy_local_to_platform_t, \
    MSR_IA32_COPY_LOCAL_TO_PLATFORM_ADDR, 0, 1, MSR_IA32_COPY_LOCAL_TO_PLATFORM_WRITABLE_MASK, 0, \
    0, 0
typedef union msr_ia32_copy_local_to_platform {
    uint64_t raw;
    __extension__ struct {
        uint64_t iwkey_backup : 1;  /* wo: Write 1 to back up the internal wrapping key. */
        uint64_t              : 63;
    };
} msr_ia32_copy_local_to_platform_t;
#define MSR_IA32_COPY_LOCAL_TO_PLATFORM_IWKEY_BACKUP_MASK 0x1ull
#define msr_ia32_copy_local_to_platform_write(v) MSR_WRITE_(MSR_IA32_COPY_LOCAL_TO_PLATFORM_, v)
#define msr_ia32_copy_local_to_platform_write_safe(v) \
    MSR_WRITE_SAFE_(MSR_IA32_COPY_LOCAL_TO_PLATFORM_, v)

/* IA32_COPY_PLATFORM_TO_LOCAL (0xD92), wo, Intel. Key Locker: restores the local wrapping key
 * from the platform backup storage. Present if CPUID.(EAX=19H):EBX[4] = 1. Ref: SDM Vol 4 Table
 * 2-2. */
#define MSR_IA32_COPY_PLATFORM_TO_LOCAL_ADDR          0xD92u
#define MSR_IA32_COPY_PLATFORM_TO_LOCAL_RESERVED_MASK 0xFFFFFFFFFFFFFFFEull
#define MSR_IA32_COPY_PLATFORM_TO_LOCAL_WRITABLE_MASK 0x0000000000000001ull
#define MSR_IA32_COPY_PLATFORM_TO_LOCAL_ msr_ia32_copy_platform_to_local_t, \
    MSR_IA32_COPY_PLATFORM_TO_LOCAL_ADDR, 0, 1, MSR_IA32_COPY_PLATFORM_TO_LOCAL_WRITABLE_MASK, 0, \
    0, 0
typedef union msr_ia32_copy_platform_to_local {
    uint64_t raw;
    __extension__ struct {
        uint64_t iwkey_restore : 1;  /* wo: Write 1 to restore the internal wrapping key from the
                                        backup. */
        uint64_t               : 63;
    };
} msr_ia32_copy_platform_to_local_t;
#define MSR_IA32_COPY_PLATFORM_TO_LOCAL_IWKEY_RESTORE_MASK 0x1ull
#define msr_ia32_copy_platform_to_local_write(v) MSR_WRITE_(MSR_IA32_COPY_PLATFORM_TO_LOCAL_, v)
#define msr_ia32_copy_platform_to_local_write_safe(v) \
    MSR_WRITE_SAFE_(MSR_IA32_COPY_PLATFORM_TO_LOCAL_, v)

/* IA32_UARCH_MISC_CTL (0x1B01), rw, Intel. Microarchitectural behaviour controls. Present if
 * CPUID.(EAX=7H):EDX[29] = 1 and IA32_ARCH_CAPABILITIES[12] = 1. Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_UARCH_MISC_CTL_ADDR          0x1B01u
#define MSR_IA32_UARCH_MISC_CTL_RESERVED_MASK 0xFFFFFFFFFFFFFFFEull
#define MSR_IA32_UARCH_MISC_CTL_WRITABLE_MASK 0x0000000000000001ull
#define MSR_IA32_UARCH_MISC_CTL_ msr_ia32_uarch_misc_ctl_t, MSR_IA32_UARCH_MISC_CTL_ADDR, 0, 1, \
    MSR_IA32_UARCH_MISC_CTL_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_uarch_misc_ctl {
    uint64_t raw;
    __extension__ struct {
        uint64_t doitm : 1;  /* rw: Data operand independent timing mode */
        uint64_t       : 63;
    };
} msr_ia32_uarch_misc_ctl_t;
#define MSR_IA32_UARCH_MISC_CTL_DOITM_MASK 0x1ull
#define msr_ia32_uarch_misc_ctl_read()             MSR_READ_(MSR_IA32_UARCH_MISC_CTL_)
#define msr_ia32_uarch_misc_ctl_read_safe(v)       MSR_READ_SAFE_(MSR_IA32_UARCH_MISC_CTL_, v)
#define msr_ia32_uarch_misc_ctl_write(v)           MSR_WRITE_(MSR_IA32_UARCH_MISC_CTL_, v)
#define msr_ia32_uarch_misc_ctl_write_safe(v)      MSR_WRITE_SAFE_(MSR_IA32_UARCH_MISC_CTL_, v)
#define msr_ia32_uarch_misc_ctl_modify(clear, set) MSR_MODIFY_(MSR_IA32_UARCH_MISC_CTL_, clear, set)
#define msr_ia32_uarch_misc_ctl_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_UARCH_MISC_CTL_, clear, set, v)

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_MSR_SECURITY_H */
