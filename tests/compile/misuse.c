/*
 * Compile-fail probes: each misuse of the generated API must not compile.
 * Built once without any switch (the control: the same calls, used legally)
 * and once per switch, which must fail with an error naming the cause
 * (compile_fail.sh; the cases are listed in CMakeLists.txt).
 */
#include "x86msr/msrs.h"

void probe(void);

void probe(void)
{
    msr_ia32_efer_t efer = msr_ia32_efer_read();
    msr_ia32_pat_t pat = msr_ia32_pat_read();

#if defined(WRITE_READONLY)          /* IA32_VMX_BASIC is read-only: no write accessor */
    msr_ia32_vmx_basic_write(msr_ia32_vmx_basic_read());
#elif defined(READ_WRITEONLY)        /* IA32_PRED_CMD is write-only: no read accessor */
    (void)msr_ia32_pred_cmd_read();
#elif defined(MODIFY_READONLY)       /* nor a read-modify-write of a read-only one */
    (void)msr_ia32_vmx_basic_modify(0, 1);
#elif defined(SET_READONLY_FIELD)    /* EFER.LMA is set by the CPU, not by software */
    efer = MSR_SET(IA32_EFER, LMA, efer, 1);
#elif defined(SET_TOO_WIDE)          /* PAT entries are 3 bits wide */
    pat = MSR_SET(IA32_PAT, PA1, pat, 8);
#elif defined(GET_OTHER_REGISTER)    /* a PAT value is not an EFER value */
    (void)MSR_GET(IA32_EFER, NXE, pat);
#elif defined(SET_OTHER_REGISTER)
    efer = MSR_SET(IA32_EFER, NXE, pat, 1);
#elif defined(WRITE_OTHER_REGISTER)
    msr_ia32_efer_write(pat);
#elif defined(READ_SAFE_OTHER_REGISTER)
    (void)msr_ia32_efer_read_safe(&pat);
#elif defined(UNKNOWN_FIELD)         /* EFER has no field NOPE */
    (void)MSR_GET(IA32_EFER, NOPE, efer);
#else
    /* the control: every call above, used legally */
    (void)msr_ia32_vmx_basic_read();
    msr_ia32_pred_cmd_write((msr_ia32_pred_cmd_t){ 0 });
    (void)msr_ia32_efer_modify(0, MSR_IA32_EFER_NXE_MASK);
    efer = MSR_SET(IA32_EFER, NXE, efer, 1);
    pat = MSR_SET(IA32_PAT, PA1, pat, 7);
    (void)MSR_GET(IA32_EFER, LMA, efer);
    msr_ia32_efer_write(efer);
    (void)msr_ia32_pat_read_safe(&pat);
#endif
    msr_ia32_efer_write(efer);
    msr_ia32_pat_write(pat);
}
