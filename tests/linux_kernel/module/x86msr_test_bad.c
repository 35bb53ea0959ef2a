/*
 * The negative control of tests/linux_kernel: a module that does what the
 * harness must catch, so the linux_kernel_boot_detects_faults test proves
 * boot.py reports each on a real kernel's console:
 *  - a WARN() (a "WARNING: CPU: ..." report, a call trace, taint W);
 *  - a plain wrmsrl() that faults (Linux's "unchecked MSR access error",
 *    recovered through the exception table, with a call trace) -- a write of
 *    IA32_PKRS bit 32, which every processor and QEMU's TCG reject;
 *  - a "fail" line of the line protocol (x86msr_test.h);
 *  - a read it claims that Linux never traced.
 * Never loaded by the real boots.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/printk.h>
#include <asm/msr.h>

/* IA32_PKRS; msr-index.h of 6.1 lacks it. */
#define XT_MSR_IA32_PKRS 0x6e1u

static int __init x86msr_test_bad_init(void)
{
	pr_info("x86msr-test: begin %s\n", KBUILD_MODNAME);
	pr_info("x86msr-test: ok bad.reported: the line protocol works\n");
	pr_info("x86msr-test: fail bad.deliberate: a failed check\n");
	/* No read happened: boot.py must notice the claim. */
	pr_info("x86msr-test: ok bad.untraced: msr=0x1b value=0x1\n");
	WARN(1, "x86msr_test_bad: a deliberate warning\n");
	wrmsrl(XT_MSR_IA32_PKRS, BIT_ULL(32));
	pr_info("x86msr-test: end %s passed=2 failed=1 skipped=0\n", KBUILD_MODNAME);
	return 0;
}

static void __exit x86msr_test_bad_exit(void)
{
}

module_init(x86msr_test_bad_init);
module_exit(x86msr_test_bad_exit);

MODULE_DESCRIPTION("x86msr: the negative control of the Linux-kernel test harness");
MODULE_LICENSE("GPL");
