/*
 * One CPU of a handle as the read/write pair of a struct msr_backend
 * (x86msr/core.h, MSR_BACKEND_OPS); msr_linux_backend() in x86msr/linux.h
 * assembles the struct.
 */
#include "x86msr/linux.h"

int msr_linux_cpu_read(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct msr_linux_cpu *cpu = ctx;

    return msr_linux_read(cpu->handle, cpu->cpu, msr, value);
}

int msr_linux_cpu_write(void *ctx, uint32_t msr, uint64_t value)
{
    const struct msr_linux_cpu *cpu = ctx;

    return msr_linux_write(cpu->handle, cpu->cpu, msr, value);
}
