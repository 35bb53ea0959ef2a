/*
 * The C side of tests/rust/shared_table: one RDMSR through the C library's
 * #GP-safe primitive (an entry in the msr_extable section, as every C _safe
 * accessor records).
 */
#include <x86msr/core.h>

int c_rdmsr_safe(uint32_t msr, uint64_t *value);

int c_rdmsr_safe(uint32_t msr, uint64_t *value)
{
    return msr_rdmsr_safe(msr, value);
}
