/*
 * x86msr: debug MSRs (2 registers): Debug control, last-branch and exception recording. Generated
 * by `python3 -m codegen` from msrs.yaml; do not edit: change the spec and rebuild. Names follow
 * docs/naming.md.
 */
#ifndef X86MSR_MSR_DEBUG_H
#define X86MSR_MSR_DEBUG_H

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

/* IA32_DEBUGCTL (0x1D9), rw, Intel and AMD; also DEBUGCTL. Debug and trace control: last-branch
 * recording, single-step on branches, branch trace messages and store, and freeze controls. AMD
 * (DebugCtl) defines bits 0 and 1 the same way and bits 2-5 as performance-monitoring pin
 * controls. The layout differs by family: NetBurst (DEBUGCTLA) and Pentium M (DEBUGCTLB) place
 * their trace and pin controls at bits 2-6, the BTS filters exist from Core 2 on, the freeze
 * bits with performance monitoring version 2, the uncore PMI enable from Nehalem on. Guest
 * state: a VMM saves and restores it (x86msr/guest.h). Ref: SDM Vol 4 Table 2-2; APM Vol 2
 * Appendix A. */
#define MSR_IA32_DEBUGCTL_ADDR          0x1D9u
#define MSR_IA32_DEBUGCTL_RESERVED_MASK 0xFFFFFFFFFFFF0000ull
#define MSR_IA32_DEBUGCTL_WRITABLE_MASK 0x000000000000FFFFull
#define MSR_IA32_DEBUGCTL_ msr_ia32_debugctl_t, MSR_IA32_DEBUGCTL_ADDR, 0, 1, \
    MSR_IA32_DEBUGCTL_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_debugctl {
    uint64_t raw;
    __extension__ struct {
        uint64_t lbr                   : 1;  /* rw: Record a running trace of the most recent
                                                branches in the LBR stack. */
        uint64_t btf                   : 1;  /* rw: Treat EFLAGS.TF as single-step on branches
                                                instead of instructions. */
        uint64_t bus_lock_detect       : 1;  /* rw: Intel: raise #DB after instructions that
                                                acquire a bus lock
                                                (CPUID.(EAX=07H,ECX=0):ECX[24]). */
        uint64_t pb1_pb3               : 3;  /* rw: AMD performance-monitor pin controls
                                                PB1..PB3: each makes its PM pin report breakpoint
                                                matches (the APM's PB0 at bit 2 became
                                                BUS_LOCK_DETECT). */
        uint64_t tr                    : 1;  /* rw: Intel: send branch trace messages */
        uint64_t bts                   : 1;  /* rw: Intel: log branch trace messages in the BTS
                                                buffer. */
        uint64_t btint                 : 1;  /* rw: Intel: interrupt when the BTS buffer is full
                                                instead of wrapping. */
        uint64_t bts_off_os            : 1;  /* rw: Intel: skip BTS/BTM while CPL = 0 */
        uint64_t bts_off_usr           : 1;  /* rw: Intel: skip BTS/BTM while CPL > 0 */
        uint64_t freeze_lbrs_on_pmi    : 1;  /* rw: Intel: freeze the LBR stack on a PMI */
        uint64_t freeze_perfmon_on_pmi : 1;  /* rw: Intel: clear the IA32_PERF_GLOBAL_CTRL
                                                enables on a PMI (CPUID.01H:ECX[15] and version 2
                                                or later). */
        uint64_t enable_uncore_pmi     : 1;  /* rw: Intel: receive and generate PMIs on behalf of
                                                the uncore (from Nehalem, 06_1AH, on; not on Core
                                                2, Atom or Silvermont). */
        uint64_t freeze_while_smm      : 1;  /* rw: Intel: freeze perfmon and trace while in SMM
                                                (IA32_PERF_CAPABILITIES[12]). */
        uint64_t rtm_debug             : 1;  /* rw: Intel: enable advanced debugging of RTM
                                                regions (CPUID.(EAX=07H,ECX=0):EBX[11]). */
        uint64_t                       : 48;
    };
} msr_ia32_debugctl_t;
#define MSR_IA32_DEBUGCTL_LBR_MASK                   0x1ull
#define MSR_IA32_DEBUGCTL_BTF_MASK                   0x2ull
#define MSR_IA32_DEBUGCTL_BUS_LOCK_DETECT_MASK       0x4ull
#define MSR_IA32_DEBUGCTL_PB1_PB3_MASK               0x38ull
#define MSR_IA32_DEBUGCTL_TR_MASK                    0x40ull
#define MSR_IA32_DEBUGCTL_BTS_MASK                   0x80ull
#define MSR_IA32_DEBUGCTL_BTINT_MASK                 0x100ull
#define MSR_IA32_DEBUGCTL_BTS_OFF_OS_MASK            0x200ull
#define MSR_IA32_DEBUGCTL_BTS_OFF_USR_MASK           0x400ull
#define MSR_IA32_DEBUGCTL_FREEZE_LBRS_ON_PMI_MASK    0x800ull
#define MSR_IA32_DEBUGCTL_FREEZE_PERFMON_ON_PMI_MASK 0x1000ull
#define MSR_IA32_DEBUGCTL_ENABLE_UNCORE_PMI_MASK     0x2000ull
#define MSR_IA32_DEBUGCTL_FREEZE_WHILE_SMM_MASK      0x4000ull
#define MSR_IA32_DEBUGCTL_RTM_DEBUG_MASK             0x8000ull
#define msr_ia32_debugctl_read()             MSR_READ_(MSR_IA32_DEBUGCTL_)
#define msr_ia32_debugctl_read_safe(v)       MSR_READ_SAFE_(MSR_IA32_DEBUGCTL_, v)
#define msr_ia32_debugctl_write(v)           MSR_WRITE_(MSR_IA32_DEBUGCTL_, v)
#define msr_ia32_debugctl_write_safe(v)      MSR_WRITE_SAFE_(MSR_IA32_DEBUGCTL_, v)
#define msr_ia32_debugctl_modify(clear, set) MSR_MODIFY_(MSR_IA32_DEBUGCTL_, clear, set)
#define msr_ia32_debugctl_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_DEBUGCTL_, clear, set, v)

/* IA32_DEBUG_INTERFACE (0xC80), rw, Intel. Silicon debug feature control. Present if
 * CPUID.(EAX=1H):ECX[11] = 1. Ref: SDM Vol 4 Table 2-2. */
#define MSR_IA32_DEBUG_INTERFACE_ADDR          0xC80u
#define MSR_IA32_DEBUG_INTERFACE_RESERVED_MASK 0xFFFFFFFF3FFFFFFEull
#define MSR_IA32_DEBUG_INTERFACE_WRITABLE_MASK 0x0000000040000001ull
#define MSR_IA32_DEBUG_INTERFACE_ msr_ia32_debug_interface_t, MSR_IA32_DEBUG_INTERFACE_ADDR, 0, 1, \
    MSR_IA32_DEBUG_INTERFACE_WRITABLE_MASK, 0, 0, 0
typedef union msr_ia32_debug_interface {
    uint64_t raw;
    __extension__ struct {
        uint64_t enable         : 1;  /* rw: BIOS sets it to enable silicon debug features. */
        uint64_t                : 29;
        uint64_t lock           : 1;  /* rwo: Locks the register until reset */
        uint64_t debug_occurred : 1;  /* ro: Sticky: ENABLE has been set since reset. */
        uint64_t                : 32;
    };
} msr_ia32_debug_interface_t;
#define MSR_IA32_DEBUG_INTERFACE_ENABLE_MASK         0x1ull
#define MSR_IA32_DEBUG_INTERFACE_LOCK_MASK           0x40000000ull
#define MSR_IA32_DEBUG_INTERFACE_DEBUG_OCCURRED_MASK 0x80000000ull
#define msr_ia32_debug_interface_read()        MSR_READ_(MSR_IA32_DEBUG_INTERFACE_)
#define msr_ia32_debug_interface_read_safe(v)  MSR_READ_SAFE_(MSR_IA32_DEBUG_INTERFACE_, v)
#define msr_ia32_debug_interface_write(v)      MSR_WRITE_(MSR_IA32_DEBUG_INTERFACE_, v)
#define msr_ia32_debug_interface_write_safe(v) MSR_WRITE_SAFE_(MSR_IA32_DEBUG_INTERFACE_, v)
#define msr_ia32_debug_interface_modify(clear, set) \
    MSR_MODIFY_(MSR_IA32_DEBUG_INTERFACE_, clear, set)
#define msr_ia32_debug_interface_modify_safe(clear, set, v) \
    MSR_MODIFY_SAFE_(MSR_IA32_DEBUG_INTERFACE_, clear, set, v)

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_MSR_DEBUG_H */
