/* Zero-cost probe, typed side: the generated accessors (see zero_cost.sh). */
#include "x86msr/msrs.h"

uint64_t read_nxe(void);
void set_nxe(void);
void set_pat1_wc(void);
uint64_t read_star_sysret_cs(void);

uint64_t read_nxe(void)
{
    return MSR_GET(IA32_EFER, NXE, msr_ia32_efer_read());
}

void set_nxe(void)
{
    (void)msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_BITS(IA32_EFER, NXE));
}

void set_pat1_wc(void)
{
    msr_ia32_pat_write(MSR_SET(IA32_PAT, PA1, msr_ia32_pat_read(), MSR_MEMORY_TYPE_WC));
}

uint64_t read_star_sysret_cs(void)
{
    return MSR_GET(IA32_STAR, SYSRET_CS_SS, msr_ia32_star_read());
}
