/*
 * Compile-fail probe: a read-only MSR has no write accessor. With
 * -DWRITE_READONLY this must fail to compile, naming the missing function;
 * without it (the control) the same file must compile.
 */
#include "x86msr/msrs.h"

void probe(void);

void probe(void)
{
#ifdef WRITE_READONLY
    msr_ia32_vmx_basic_write((msr_ia32_vmx_basic_t){ 0 });
#else
    (void)msr_ia32_vmx_basic_read();
#endif
}
