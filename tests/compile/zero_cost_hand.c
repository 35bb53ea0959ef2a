/* Zero-cost probe, hand-written side: rdmsr/wrmsr plus shift and mask, as a
 * kernel programmer would write them without the library (see zero_cost.sh). */
#include <stdint.h>

uint64_t read_nxe(void);
void set_nxe(void);
void set_pat1_wc(void);
uint64_t read_star_sysret_cs(void);

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

uint64_t read_nxe(void)
{
    return (rdmsr(0xC0000080u) >> 11) & 1;
}

void set_nxe(void)
{
    /* A careful kernel programmer skips the WRMSR when NXE is already set. */
    uint64_t old = rdmsr(0xC0000080u), value = old | (1u << 11);
    if (old == value)
        return;
    wrmsr(0xC0000080u, value);
}

void set_pat1_wc(void)
{
    wrmsr(0x277u, (rdmsr(0x277u) & ~(UINT64_C(7) << 8)) | (UINT64_C(1) << 8));
}

uint64_t read_star_sysret_cs(void)
{
    return rdmsr(0xC0000081u) >> 48;
}
