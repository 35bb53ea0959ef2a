/*
 * x86msr's accessors at ring 0 in Linux, against Linux's own:
 *  - typed reads (the plain form: inline rdmsr; the _safe form: through
 *    rdmsrl_safe) of the registers every x86-64 Linux has set up, compared
 *    with rdmsrl() of the same MSR;
 *  - a typed modify of IA32_TSC_AUX (Linux keeps the CPU number there for
 *    RDTSCP; nothing reads it while preemption is off) and back;
 *  - the _safe forms' #GP recovery through Linux's exception table: a write
 *    every processor (and QEMU's TCG) refuses, and a read of an MSR the CPU
 *    lacks (which TCG answers with 0 instead: skipped there);
 *  - an array index past the end: MSR_ERR_RANGE, no access.
 */
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include <x86msr/cpuid.h>
#include <x86msr/msr_defs.h>
#include <x86msr/msrs.h>

#include "x86msr_test.h"

static enum msr_support xt_presence(const struct msr_def *def)
{
	const struct msr_facts facts = { &msr_cpuid_native, NULL, NULL, 0 };

	return msr_is_supported(def, 0, &facts);
}

static void xt_typed_read(struct xt_run *run, const char *name, enum msr_support present, u32 msr,
			  u64 plain, int status, u64 safe, u64 linux_value)
{
	if (present == MSR_SUPPORT_NO) {
		xt_skip(run, name, "msr=0x%x: the CPU lacks it (x86msr's presence from CPUID)", msr);
		return;
	}
	if (status != MSR_OK) {
		xt_fail(run, name, "msr=0x%x: the _safe read returned %d (%s)", msr, status,
			msr_strerror(status));
		return;
	}
	if (plain != safe || safe != linux_value) {
		xt_fail(run, name, "msr=0x%x: typed 0x%llx, typed _safe 0x%llx, rdmsrl 0x%llx", msr, plain,
			safe, linux_value);
		return;
	}
	/* "msr=.. value=..": boot.py finds the _safe read and rdmsrl in Linux's trace. */
	xt_ok(run, name, "typed, typed _safe and rdmsrl agree: msr=0x%x value=0x%llx", msr, safe);
}

/* The three reads of REG (its accessors are msr_<reg>_*) with preemption
 * off, so that per-task registers (FS_BASE, KERNEL_GS_BASE) stay put. */
#define XT_TYPED_READ(run, REG, reg)                                                          \
	do {                                                                                  \
		msr_##reg##_t plain_, safe_;                                                  \
		enum msr_support present_ = xt_presence(MSR_DEF(REG));                        \
		int status_ = MSR_OK;                                                         \
		u64 linux_ = 0;                                                               \
		plain_ = safe_ = MSR_ZERO(REG);                                               \
		if (present_ != MSR_SUPPORT_NO) {                                             \
			preempt_disable();                                                    \
			plain_ = msr_##reg##_read();                                          \
			status_ = msr_##reg##_read_safe(&safe_);                              \
			rdmsrl(MSR_##REG##_ADDR, linux_);                                     \
			preempt_enable();                                                     \
		}                                                                             \
		xt_typed_read(run, "typed_read." #REG, present_, MSR_##REG##_ADDR, plain_.raw, \
			      status_, safe_.raw, linux_);                                    \
	} while (0)

static void xt_typed_reads(struct xt_run *run)
{
	XT_TYPED_READ(run, IA32_APIC_BASE, ia32_apic_base);
	XT_TYPED_READ(run, IA32_EFER, ia32_efer);
	XT_TYPED_READ(run, IA32_PAT, ia32_pat);
	XT_TYPED_READ(run, IA32_STAR, ia32_star);
	XT_TYPED_READ(run, IA32_LSTAR, ia32_lstar);
	XT_TYPED_READ(run, IA32_CSTAR, ia32_cstar);
	XT_TYPED_READ(run, IA32_FMASK, ia32_fmask);
	XT_TYPED_READ(run, IA32_FS_BASE, ia32_fs_base);
	XT_TYPED_READ(run, IA32_GS_BASE, ia32_gs_base);
	XT_TYPED_READ(run, IA32_KERNEL_GS_BASE, ia32_kernel_gs_base);
	XT_TYPED_READ(run, IA32_SYSENTER_CS, ia32_sysenter_cs);
	XT_TYPED_READ(run, IA32_SYSENTER_ESP, ia32_sysenter_esp);
	XT_TYPED_READ(run, IA32_SYSENTER_EIP, ia32_sysenter_eip);
	XT_TYPED_READ(run, IA32_MTRRCAP, ia32_mtrrcap);
	XT_TYPED_READ(run, IA32_MTRR_DEF_TYPE, ia32_mtrr_def_type);
	XT_TYPED_READ(run, IA32_MCG_CAP, ia32_mcg_cap);
	XT_TYPED_READ(run, IA32_TSC_AUX, ia32_tsc_aux);
	/* Intel's register, read as Linux reads it (intel.c): only on Intel.
	 * AMD documents no 1A0H; QEMU's TCG and KVM answer it for any vendor,
	 * which x86msr's presence need not follow. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
		XT_TYPED_READ(run, IA32_MISC_ENABLE, ia32_misc_enable);
	else
		xt_skip(run, "typed_read.IA32_MISC_ENABLE", "Intel's register, not read on this vendor");
}

/* A typed modify of IA32_TSC_AUX and back; Linux's rdmsrl sees each step. */
static void xt_modify(struct xt_run *run)
{
	const u64 probe = 0x5a5a;
	msr_ia32_tsc_aux_t saved, after;
	int first, again, restored;
	u64 seen, back;

	preempt_disable();
	saved = msr_ia32_tsc_aux_read();
	first = msr_ia32_tsc_aux_modify(MSR_BITS(IA32_TSC_AUX, AUX),
					MSR_MAKE(IA32_TSC_AUX, AUX, 0x5a5a));
	rdmsrl(MSR_TSC_AUX, seen);
	again = msr_ia32_tsc_aux_modify(MSR_BITS(IA32_TSC_AUX, AUX),
					MSR_MAKE(IA32_TSC_AUX, AUX, 0x5a5a));
	restored = msr_ia32_tsc_aux_modify_safe(MSR_BITS(IA32_TSC_AUX, AUX), saved, &after);
	rdmsrl(MSR_TSC_AUX, back);
	preempt_enable();

	xt_check(run, saved.raw != probe, "modify.tsc_aux_start",
		 "IA32_TSC_AUX holds 0x%llx (Linux's CPU number), not the probe 0x%llx", saved.raw, probe);
	xt_check(run, first == MSR_WRITTEN && seen == probe, "modify.tsc_aux_set",
		 "modify AUX := 0x%llx returned %d (MSR_WRITTEN is %d); rdmsrl then reads 0x%llx",
		 probe, first, MSR_WRITTEN, seen);
	xt_check(run, again == MSR_UNCHANGED, "modify.tsc_aux_unchanged",
		 "the same modify again returned %d (MSR_UNCHANGED is %d: no WRMSR)", again, MSR_UNCHANGED);
	xt_check(run, restored == MSR_WRITTEN && after.raw == saved.raw && back == saved.raw,
		 "modify.tsc_aux_restore",
		 "modify_safe back to 0x%llx returned %d, holds 0x%llx; rdmsrl reads 0x%llx", saved.raw,
		 restored, after.raw, back);
}

/* The _safe forms recover from #GP through Linux's exception table. */
static void xt_faults(struct xt_run *run)
{
	msr_ia32_vmx_basic_t basic = MSR_UNCHECKED(IA32_VMX_BASIC, 0x1);
	msr_ia32_mtrr_physbasex_t base = MSR_UNCHECKED(IA32_MTRR_PHYSBASEx, 0x1);
	int status;

	/* IA32_PKRS bits 63:32 are reserved on every processor: #GP. */
	status = msr_ia32_pkrs_write_safe(MSR_UNCHECKED(IA32_PKRS, BIT_ULL(32)));
	xt_check(run, status == MSR_ERR_FAULT, "gp.pkrs_reserved_write",
		 "msr=0x%x bit 32: typed write_safe returned %d (%s)", MSR_IA32_PKRS_ADDR, status,
		 msr_strerror(status));

	/* No VMX on either model (CPUID.01H:ECX[5] = 0): a real CPU raises #GP. */
	status = msr_ia32_vmx_basic_read_safe(&basic);
	if (xt_presence(MSR_DEF(IA32_VMX_BASIC)) != MSR_SUPPORT_NO)
		xt_skip(run, "gp.absent_read", "this CPU has VMX: IA32_VMX_BASIC is no absent MSR");
	else if (run->tcg && status == MSR_OK)
		xt_skip(run, "gp.absent_read",
			"msr=0x%x: QEMU's TCG reads it as 0x%llx without a #GP (a real CPU faults)",
			MSR_IA32_VMX_BASIC_ADDR, basic.raw);
	else
		xt_check(run, status == MSR_ERR_FAULT && basic.raw == 0, "gp.absent_read",
			 "msr=0x%x: typed read_safe returned %d, value 0x%llx", MSR_IA32_VMX_BASIC_ADDR,
			 status, basic.raw);

	/* Past the last variable-range MTRR: refused before any access. */
	status = msr_ia32_mtrr_physbasex_read_safe(MSR_IA32_MTRR_PHYSBASEx_COUNT, &base);
	xt_check(run, status == MSR_ERR_RANGE && base.raw == 0, "range.physbase_past_end",
		 "instance %d of %d: read_safe returned %d, value 0x%llx", MSR_IA32_MTRR_PHYSBASEx_COUNT,
		 MSR_IA32_MTRR_PHYSBASEx_COUNT, status, base.raw);
}

void xt_access(struct xt_run *run)
{
	xt_typed_reads(run);
	xt_modify(run);
	xt_faults(run);
}
