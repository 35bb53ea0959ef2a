/*
 * x86msr's VMX helpers and MSR-exit handler at ring 0 in Linux:
 *  - msr_vmx_caps_read() on a processor without VMX (neither CPU model has
 *    it under TCG) says so, and the pure helpers (IA32_FEATURE_CONTROL's
 *    plan, control adjustment on a recorded snapshot) decide as on any host;
 *  - a small policy's decisions for a vCPU with this processor's CPUID
 *    (the exit handler as a Linux hypervisor module would run it), and the
 *    intercept maps built from it.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include <x86msr/msrs.h>
#include <x86msr/virt.h>
#include <x86msr/vmx.h>

#include "x86msr_test.h"

static void xt_vmx_caps(struct xt_run *run)
{
	struct msr_vmx_caps caps;
	int status = msr_vmx_caps_read(&caps);

	if (boot_cpu_has(X86_FEATURE_VMX))
		xt_check(run, status == MSR_OK, "vmx.caps_read", "VMX is there: %d (%s)", status,
			 msr_vmx_strerror(status));
	else
		xt_check(run, status == MSR_VMX_ERR_UNSUPPORTED && caps.present == 0 &&
				      caps.error_msr == MSR_IA32_VMX_BASIC_ADDR,
			 "vmx.caps_read_no_vmx", "no VMX (CPUID.01H:ECX[5] = 0): %d (%s), present 0x%x",
			 status, msr_vmx_strerror(status), caps.present);
}

static void xt_vmx_pure(struct xt_run *run)
{
	/* A Core 2 X6800 (tests/vmx/snapshots/intel-core2-x6800-merom.txt): no secondary controls. */
	static const struct msr_vmx_msr_value merom[] = {
		{ 0x480, 0x001A040000000007 }, { 0x481, 0x0000001F00000016 }, { 0x482, 0x77B9FFFE0401E172 },
		{ 0x483, 0x0003EFFF00036DFF }, { 0x484, 0x00001FFF000011FF }, { 0x485, 0x00000000000403C0 },
		{ 0x486, 0x0000000080000021 }, { 0x487, 0x00000000FFFFFFFF }, { 0x488, 0x0000000000002000 },
		{ 0x489, 0x00000000000027FF }, { 0x48A, 0x000000000000002C },
	};
	const u64 lock = MSR_IA32_FEATURE_CONTROL_LOCK_MASK;
	const u64 outside = MSR_IA32_FEATURE_CONTROL_ENABLE_VMX_OUTSIDE_SMX_MASK;
	struct msr_vmx_feature_control_plan plan;
	struct msr_vmx_adjusted adjusted;
	struct msr_vmx_caps caps;
	char why[128];
	int status;

	status = msr_vmx_feature_control_decide(0, false, false, &plan);
	xt_check(run, status == MSR_OK && plan.write && plan.value == (lock | outside),
		 "vmx.feature_control_unlocked", "plan for 0: %d, write %d, value 0x%llx", status,
		 plan.write, plan.value);
	status = msr_vmx_feature_control_decide(lock, false, false, &plan);
	xt_check(run, status == MSR_VMX_ERR_DISABLED && !plan.write, "vmx.feature_control_locked_off",
		 "plan for LOCK alone: %d (%s)", status, msr_vmx_strerror(status));

	status = msr_vmx_caps_from_values(&caps, merom, ARRAY_SIZE(merom));
	if (status == MSR_OK)
		status = msr_vmx_adjust(&caps, MSR_VMX_CTLS_SECONDARY, MSR_VMX_SECONDARY_ENABLE_EPT, 0,
					&adjusted);
	msr_vmx_adjusted_describe(&adjusted, why, sizeof(why));
	strreplace(why, '\n', ' ');
	xt_check(run, status == MSR_VMX_ERR_UNSUPPORTED && adjusted.unsupported == MSR_VMX_SECONDARY_ENABLE_EPT,
		 "vmx.adjust_snapshot", "EPT on a Merom snapshot: %d, %s", status, why);
}

/* The emulated IA32_PAT of the policy below. */
static u64 xt_guest_pat = 0x0007040600070406ull;

static enum msr_virt_result xt_emu_read(void *ctx, uint32_t msr, uint64_t *value)
{
	*value = msr == MSR_IA32_PAT_ADDR ? xt_guest_pat : 0;
	return msr == MSR_IA32_PAT_ADDR ? MSR_VIRT_HANDLED : MSR_VIRT_INJECT_GP;
}

static enum msr_virt_result xt_emu_write(void *ctx, uint32_t msr, uint64_t value)
{
	if (msr != MSR_IA32_PAT_ADDR)
		return MSR_VIRT_INJECT_GP;
	xt_guest_pat = value;
	return MSR_VIRT_HANDLED;
}

static const struct msr_virt_emulator xt_emulator = { xt_emu_read, xt_emu_write };

/* Pass EFER and LSTAR through, emulate PAT, a constant MCG_CAP (no banks),
 * #GP for everything else; no spec: the entries name their registers. */
static const struct msr_virt_entry xt_entries[] = {
	MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_PASS),
	MSR_VIRT_REG(IA32_LSTAR, MSR_VIRT_PASS, MSR_VIRT_PASS),
	MSR_VIRT_REG(IA32_PAT, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE),
	MSR_VIRT_CONSTANT(MSR_IA32_MCG_CAP_ADDR, 0),
};
static const struct msr_virt_policy xt_policy = {
	xt_entries, ARRAY_SIZE(xt_entries), MSR_VIRT_DENY, MSR_VIRT_DENY, &xt_emulator, NULL,
};

static const char *xt_field(const struct msr_virt_vcpu *vcpu)
{
	return vcpu->def && vcpu->field >= 0 ? msr_field_name(vcpu->def, (unsigned int)vcpu->field) : "-";
}

/* One exit: `write` or a read of `msr`; reports the handler's decision. */
static enum msr_virt_result xt_exit(struct xt_run *run, const char *name, struct msr_virt_vcpu *vcpu,
				    bool write, u32 msr, u64 *value, enum msr_virt_result expected)
{
	enum msr_virt_result got = write ? msr_virt_wrmsr(&xt_policy, vcpu, msr, *value) :
					   msr_virt_rdmsr(&xt_policy, vcpu, msr, value);

	xt_check(run, got == expected, name, "%s 0x%x value 0x%llx: %s (expected %s); %s; field %s",
		 write ? "wrmsr" : "rdmsr", msr, *value, msr_virt_result_name(got),
		 msr_virt_result_name(expected), vcpu->reason ? vcpu->reason : "no reason", xt_field(vcpu));
	return got;
}

static void xt_exit_policy(struct xt_run *run)
{
	const struct msr_facts facts = { &msr_cpuid_native, NULL, NULL, 0 };
	struct msr_virt_vcpu vcpu = { &facts, 0, NULL, NULL, -1, NULL };
	struct msr_virt_policy_error error = { 0 };
	/* AMD's EFER.SVME exists only with SVM (an Intel guest gets #GP). */
	bool svm = boot_cpu_has(X86_FEATURE_SVM);
	u64 efer = msr_ia32_efer_read().raw;
	u64 v;
	int status = msr_virt_policy_check(&xt_policy, &error);

	xt_check(run, status == MSR_OK, "virt.policy_check", "%d: %s", status, error.rule ? error.rule : "valid");

	v = 0;
	xt_exit(run, "virt.efer_read", &vcpu, false, MSR_IA32_EFER_ADDR, &v, MSR_VIRT_FORWARD);
	v = efer;
	xt_exit(run, "virt.efer_write", &vcpu, true, MSR_IA32_EFER_ADDR, &v, MSR_VIRT_FORWARD);
	v = efer | BIT_ULL(63);
	xt_exit(run, "virt.efer_reserved_bit", &vcpu, true, MSR_IA32_EFER_ADDR, &v, MSR_VIRT_INJECT_GP);
	v = efer | MSR_IA32_EFER_SVME_MASK;
	xt_exit(run, "virt.efer_svme", &vcpu, true, MSR_IA32_EFER_ADDR, &v,
		svm ? MSR_VIRT_FORWARD : MSR_VIRT_INJECT_GP);
	v = 0xffffffff81000000ull;
	xt_exit(run, "virt.lstar_canonical", &vcpu, true, MSR_IA32_LSTAR_ADDR, &v, MSR_VIRT_FORWARD);
	v = 0x0000800000000000ull;
	xt_exit(run, "virt.lstar_not_canonical", &vcpu, true, MSR_IA32_LSTAR_ADDR, &v, MSR_VIRT_INJECT_GP);

	v = 0x0007010600070106ull; /* PA1 and PA5 write-combining */
	xt_exit(run, "virt.pat_write", &vcpu, true, MSR_IA32_PAT_ADDR, &v, MSR_VIRT_HANDLED);
	v = 0;
	if (xt_exit(run, "virt.pat_read", &vcpu, false, MSR_IA32_PAT_ADDR, &v, MSR_VIRT_HANDLED) ==
	    MSR_VIRT_HANDLED)
		xt_check(run, v == 0x0007010600070106ull, "virt.pat_emulated",
			 "the emulator holds 0x%llx after the write", v);
	v = 0x0007040600070402ull; /* PA0 = 2: a reserved memory type */
	xt_exit(run, "virt.pat_reserved_type", &vcpu, true, MSR_IA32_PAT_ADDR, &v, MSR_VIRT_INJECT_GP);
	xt_check(run, vcpu.field >= 0 && !strcmp(xt_field(&vcpu), "PA0"), "virt.pat_field_at_fault",
		 "field %s", xt_field(&vcpu));

	v = 0;
	xt_exit(run, "virt.mcg_cap_constant", &vcpu, false, MSR_IA32_MCG_CAP_ADDR, &v, MSR_VIRT_HANDLED);
	v = 1;
	xt_exit(run, "virt.mcg_cap_other_value", &vcpu, true, MSR_IA32_MCG_CAP_ADDR, &v, MSR_VIRT_INJECT_GP);
	v = 0;
	xt_exit(run, "virt.undeclared_read", &vcpu, false, MSR_IA32_TIME_STAMP_COUNTER_ADDR, &v, MSR_VIRT_INJECT_GP);
}

/* The same policy as a VMX MSR bitmap and an SVM permission map. */
static void xt_maps(struct xt_run *run)
{
	static struct msr_vmx_msr_bitmap bitmap;
	static struct msr_vmx_svm_msrpm msrpm;
	unsigned int efer_vmx = 9, pat_vmx = 9, efer_svm = 9, tsc_svm = 9;
	int status = msr_virt_vmx_bitmap_build(&xt_policy, &bitmap);

	if (status == MSR_OK)
		status = msr_virt_svm_msrpm_build(&xt_policy, &msrpm);
	if (status == MSR_OK)
		status = msr_vmx_msr_bitmap_query(&bitmap, MSR_IA32_EFER_ADDR, &efer_vmx) ||
			 msr_vmx_msr_bitmap_query(&bitmap, MSR_IA32_PAT_ADDR, &pat_vmx) ||
			 msr_vmx_svm_msrpm_query(&msrpm, MSR_IA32_EFER_ADDR, &efer_svm) ||
			 msr_vmx_svm_msrpm_query(&msrpm, MSR_IA32_TIME_STAMP_COUNTER_ADDR, &tsc_svm);
	xt_check(run, status == MSR_OK && efer_vmx == MSR_VMX_INTERCEPT_NONE &&
			      pat_vmx == MSR_VMX_INTERCEPT_READ_WRITE && efer_svm == MSR_VMX_INTERCEPT_NONE &&
			      tsc_svm == MSR_VMX_INTERCEPT_READ_WRITE,
		 "virt.intercept_maps", "%d; intercepted: VMX EFER %u, PAT %u; SVM EFER %u, TSC %u", status,
		 efer_vmx, pat_vmx, efer_svm, tsc_svm);
}

void xt_virt(struct xt_run *run)
{
	xt_vmx_caps(run);
	xt_vmx_pure(run);
	xt_exit_policy(run);
	xt_maps(run);
}
