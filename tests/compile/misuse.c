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
    (void)msr_ia32_vmx_basic_modify(MSR_ZERO(IA32_VMX_BASIC), MSR_ZERO(IA32_VMX_BASIC));
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
#elif defined(MODIFY_BARE_INTEGER)   /* modify takes values of the register's type, not masks */
    (void)msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_IA32_EFER_NXE_MASK);
#elif defined(MODIFY_OTHER_REGISTER) /* PAT.PA1's bits are EFER.LME's: another register's value */
    (void)msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_BITS(IA32_PAT, PA1));
#elif defined(MODIFY_SAFE_OTHER_REGISTER)
    (void)msr_ia32_efer_modify_safe(MSR_BITS(IA32_PAT, PA1), MSR_ZERO(IA32_EFER), &efer);
#elif defined(SET_STRICT_ENUM)       /* memory type 2 is reserved: WRMSR would raise #GP */
    pat = MSR_SET(IA32_PAT, PA1, pat, 2);
#elif defined(MAKE_STRICT_ENUM)      /* ... and 3 is reserved too, in the MTRRs' own encoding 7 as well */
    msr_ia32_mtrr_def_type_write(MSR_MAKE(IA32_MTRR_DEF_TYPE, TYPE, 7));
#elif defined(OR_OTHER_REGISTER)     /* MSR_OR combines values of one register */
    efer = MSR_OR(efer, pat);
#else
    /* the control: every call above, used legally */
    (void)msr_ia32_vmx_basic_read();
    msr_ia32_pred_cmd_write((msr_ia32_pred_cmd_t){ 0 });
    (void)msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_BITS(IA32_EFER, NXE));
    (void)msr_ia32_efer_modify_safe(MSR_BITS(IA32_EFER, LME), MSR_ZERO(IA32_EFER), &efer);
    efer = MSR_SET(IA32_EFER, NXE, efer, 1);
    efer = MSR_OR(efer, MSR_BITS(IA32_EFER, SCE));
    pat = MSR_SET(IA32_PAT, PA1, pat, 7);
    msr_ia32_mtrr_def_type_write(MSR_MAKE(IA32_MTRR_DEF_TYPE, TYPE, MSR_MTRR_MEMORY_TYPE_WB));
    (void)MSR_GET(IA32_EFER, LMA, efer);
    msr_ia32_efer_write(efer);
    (void)msr_ia32_pat_read_safe(&pat);
#endif
    msr_ia32_efer_write(efer);
    msr_ia32_pat_write(pat);
}
