/*
 * Internal to x86msr_vmx: a tiny snprintf replacement for the *_describe
 * functions. The library is freestanding (kernels, hypervisors), so it cannot
 * use libc's formatter; this one appends text and numbers to a caller
 * buffer, truncates safely and counts the length the whole text needs.
 */
#ifndef X86MSR_VMX_FORMAT_H
#define X86MSR_VMX_FORMAT_H

#include "x86msr/core.h" /* size_t, uint64_t (libc's or, in Linux, the kernel's) */

struct msr_vmx_fmt {
    char *buf;
    size_t size;   /* capacity of buf, NUL included */
    size_t length; /* length of the whole text so far (may exceed size) */
};

void msr_vmx_fmt_init(struct msr_vmx_fmt *f, char *buf, size_t size);
void msr_vmx_fmt_str(struct msr_vmx_fmt *f, const char *s);
void msr_vmx_fmt_dec(struct msr_vmx_fmt *f, uint64_t value);
void msr_vmx_fmt_hex(struct msr_vmx_fmt *f, uint64_t value); /* "0x1F" */

/* NUL-terminates (truncating if needed) and returns the full length. */
size_t msr_vmx_fmt_finish(struct msr_vmx_fmt *f);

#endif
