/*
 * The test module's line protocol (docs/linux-kernel.md), which
 * tests/linux_kernel/boot.py reads from the console:
 *
 *   x86msr-test: begin MODULE
 *   x86msr-test: ok NAME: DETAIL
 *   x86msr-test: fail NAME: DETAIL
 *   x86msr-test: skip NAME: DETAIL
 *   x86msr-test: end MODULE passed=N failed=N skipped=N
 *
 * NAME has no spaces. A DETAIL that ends in "msr=0xADDR value=0xVALUE"
 * claims a read: boot.py checks that Linux traced that very read while the
 * module was loading.
 */
#ifndef X86MSR_TEST_H
#define X86MSR_TEST_H

#include <linux/types.h>

struct xt_run {
	unsigned int passed, failed, skipped;
	bool tcg; /* QEMU's TCG: no #GP for an MSR it does not emulate */
};

enum xt_result { XT_OK, XT_FAIL, XT_SKIP };

__printf(4, 5) void xt_report(struct xt_run *run, enum xt_result result,
			      const char *name, const char *fmt, ...);

#define xt_ok(run, name, ...) xt_report(run, XT_OK, name, __VA_ARGS__)
#define xt_fail(run, name, ...) xt_report(run, XT_FAIL, name, __VA_ARGS__)
#define xt_skip(run, name, ...) xt_report(run, XT_SKIP, name, __VA_ARGS__)
/* ok when `cond` holds, else fail; the same detail either way. */
#define xt_check(run, cond, name, ...) \
	xt_report(run, (cond) ? XT_OK : XT_FAIL, name, __VA_ARGS__)

/* What the x86msr library is put through, one file each. */
void xt_access(struct xt_run *run);  /* x86msr_test_access.c: typed reads, modify, #GP */
void xt_decode(struct xt_run *run);  /* x86msr_test_decode.c: fields, records, presence */
void xt_virt(struct xt_run *run);    /* x86msr_test_virt.c: VMX helpers, exit handler */

#endif
