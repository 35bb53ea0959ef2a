/*
 * x86msr test module (tests/linux_kernel): loaded by the initramfs's /init in
 * Debian's kernel under QEMU; reports through the line protocol of
 * x86msr_test.h, which boot.py checks.
 *
 * This file proves the harness with Linux's own accessors only (<asm/msr.h>):
 * the reads below, the #GP recovery of rdmsrl_safe through Linux's exception
 * table, and the reporting. What the x86msr library is put through lives in
 * x86msr_test_access.c, x86msr_test_decode.c and x86msr_test_virt.c.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "x86msr_test.h"

void xt_report(struct xt_run *run, enum xt_result result, const char *name,
	       const char *fmt, ...)
{
	static const char *const words[] = { "ok", "fail", "skip" };
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("x86msr-test: %s %s: %pV\n", words[result], name, &vaf);
	va_end(args);
	if (result == XT_OK)
		run->passed++;
	else if (result == XT_FAIL)
		run->failed++;
	else
		run->skipped++;
}

/* In no range Intel, AMD, KVM or Hyper-V define. */
#define XT_ABSENT_MSR 0x12345678u
/* IA32_PKRS (protection keys for supervisor pages); msr-index.h of 6.1 lacks it. */
#define XT_MSR_IA32_PKRS 0x6e1u

/*
 * QEMU's TCG (software emulation) answers RDMSR of any MSR it does not
 * emulate with 0 and ignores such a WRMSR: no #GP, and IA32_TSC (10H) is one
 * of them. The one RDMSR/WRMSR fault it raises at CPL0 is a write of
 * IA32_PKRS (6E1H) with bits 63:32 set -- which every processor rejects, with
 * or without PKS. The checks that depend on the real behaviour are skipped
 * there, saying why; TCG announces itself at CPUID 40000000H.
 */
static bool xt_under_tcg(void)
{
	unsigned int eax, sig[3];

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	cpuid(0x40000000, &eax, &sig[0], &sig[1], &sig[2]);
	return memcmp(sig, "TCGTCGTCGTCG", sizeof(sig)) == 0;
}

/* rdmsrl_safe() of `msr`, reported as "msr=0x.. value=0x.." (boot.py finds
 * the same read in Linux's trace). */
static bool xt_read(struct xt_run *run, const char *name, u32 msr, u64 *value)
{
	int err = rdmsrl_safe(msr, value);

	if (err) {
		xt_fail(run, name, "msr=0x%x rdmsrl_safe returned %d", msr, err);
		return false;
	}
	xt_ok(run, name, "msr=0x%x value=0x%llx", msr, *value);
	return true;
}

static void xt_linux_reads(struct xt_run *run, bool tcg)
{
	u64 apic_base, efer, pat, plain, tsc, t0, t1, absent = 0;
	int err, i;

	if (xt_read(run, "read.apic_base", MSR_IA32_APICBASE, &apic_base)) {
		xt_check(run, apic_base & MSR_IA32_APICBASE_BSP, "apic_base.bsp",
			 "the boot CPU's BSP flag is %s",
			 apic_base & MSR_IA32_APICBASE_BSP ? "set" : "clear");
		xt_check(run, apic_base & MSR_IA32_APICBASE_ENABLE,
			 "apic_base.enable", "the local APIC is %s",
			 apic_base & MSR_IA32_APICBASE_ENABLE ? "enabled" : "disabled");
	}
	if (xt_read(run, "read.efer", MSR_EFER, &efer)) {
		u64 need = EFER_SCE | EFER_LME | EFER_LMA;

		xt_check(run, (efer & need) == need, "efer.long_mode",
			 "SCE, LME and LMA: 0x%llx of 0x%llx", efer & need, need);
	}
	if (xt_read(run, "read.pat", MSR_IA32_CR_PAT, &pat)) {
		bool valid = true;

		for (i = 0; i < 8; i++) {
			unsigned int type = (pat >> (8 * i)) & 0xff;

			/* 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-; 2, 3 and 8+ are reserved */
			if (type == 2 || type == 3 || type > 7)
				valid = false;
		}
		xt_check(run, valid, "pat.types", "every entry of 0x%llx is a memory type", pat);
		rdmsrl(MSR_IA32_CR_PAT, plain);
		xt_check(run, plain == pat, "pat.plain_read",
			 "rdmsrl 0x%llx, rdmsrl_safe 0x%llx", plain, pat);
	}
	t0 = rdtsc_ordered();
	if (xt_read(run, "read.tsc", MSR_IA32_TSC, &tsc)) {
		t1 = rdtsc_ordered();
		if (tcg)
			xt_skip(run, "tsc.between_rdtsc",
				"QEMU TCG reads IA32_TSC as 0x%llx (rdtsc 0x%llx)", tsc, t1);
		else
			xt_check(run, t0 <= tsc && tsc <= t1, "tsc.between_rdtsc",
				 "rdtsc 0x%llx <= rdmsr 0x%llx <= rdtsc 0x%llx", t0, tsc, t1);
	}
	/* The #GP recovery of the _safe accessors through Linux's exception
	 * table: a write no processor (and no TCG) accepts. */
	err = wrmsrl_safe(XT_MSR_IA32_PKRS, BIT_ULL(32));
	xt_check(run, err != 0, "write.pkrs_reserved",
		 "msr=0x%x bit 32: wrmsrl_safe returned %d", XT_MSR_IA32_PKRS, err);
	/* An MSR no processor has. */
	err = rdmsrl_safe(XT_ABSENT_MSR, &absent);
	if (tcg && !err)
		xt_skip(run, "read.absent",
			"msr=0x%x: QEMU TCG reads it as 0x%llx without a #GP", XT_ABSENT_MSR, absent);
	else
		xt_check(run, err != 0, "read.absent",
			 "msr=0x%x rdmsrl_safe returned %d (value 0x%llx)", XT_ABSENT_MSR, err, absent);
}

static int __init x86msr_test_init(void)
{
	struct xt_run run = { 0 };

	run.tcg = xt_under_tcg();
	pr_info("x86msr-test: begin %s\n", KBUILD_MODNAME);
	xt_linux_reads(&run, run.tcg);
	xt_access(&run);
	xt_decode(&run);
	xt_virt(&run);
	pr_info("x86msr-test: end %s passed=%u failed=%u skipped=%u\n",
		KBUILD_MODNAME, run.passed, run.failed, run.skipped);
	/* Loaded either way: boot.py judges the lines above, and a failed load
	 * stays reserved for a module that cannot load at all. */
	return 0;
}

static void __exit x86msr_test_exit(void)
{
}

module_init(x86msr_test_init);
module_exit(x86msr_test_exit);

MODULE_DESCRIPTION("x86msr: ring-0 tests inside Linux (tests/linux_kernel)");
/* The kernel's license tag for a module that uses only what every module may;
 * to be aligned with the project's licence once it has one. */
MODULE_LICENSE("GPL");
