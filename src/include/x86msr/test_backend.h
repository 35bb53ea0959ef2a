/*
 * x86msr test backend: an in-memory register file behind the MSR_BACKEND_OPS
 * switch. It holds the registers a test gives it, records every access, and
 * answers MSR_ERR_FAULT (as the CPU's #GP would) for a register it does not
 * hold or for a write that sets bits the test declared rejected.
 *
 *     static struct msr_test_backend tb;
 *     msr_test_backend_init(&tb);
 *     msr_test_backend_set(&tb, MSR_IA32_EFER, 0xD01);
 *     msr_backend_install(&tb.backend);
 *     ... msr_ia32_efer_read() ...
 */
#ifndef X86MSR_TEST_BACKEND_H
#define X86MSR_TEST_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "x86msr/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MSR_TEST_BACKEND_REGS 4096
#define MSR_TEST_BACKEND_LOG 256

struct msr_test_register {
    uint32_t msr;
    uint64_t value;
    uint64_t reject_mask; /* a write with any of these bits set faults */
};

struct msr_test_access {
    uint32_t msr;
    uint64_t value;
    bool is_write;
    int status;
};

struct msr_test_backend {
    struct msr_backend backend; /* install this: msr_backend_install(&tb.backend) */
    struct msr_test_register regs[MSR_TEST_BACKEND_REGS];
    size_t reg_count;
    struct msr_test_access log[MSR_TEST_BACKEND_LOG]; /* the first accesses, in order */
    size_t log_count;                                 /* every access, even past the log */
    size_t fault_count;                               /* plain accesses that failed */
    uint32_t last_fault_msr;                          /* the last of them: its MSR, */
    bool last_fault_is_write;                         /* whether it was a write */
    int last_fault_status;                            /* and its status (MSR_ERR_RANGE: bad array index) */
};

/* Empties the register file and the log; points backend.ctx at `tb`. */
void msr_test_backend_init(struct msr_test_backend *tb);

/* Adds register `msr` or changes its value. MSR_ERR_RANGE when full. */
int msr_test_backend_set(struct msr_test_backend *tb, uint32_t msr, uint64_t value);

/* Makes writes to `msr` that set any bit of `mask` fail. MSR_ERR_FAULT if absent. */
int msr_test_backend_reject(struct msr_test_backend *tb, uint32_t msr, uint64_t mask);

/* The value of `msr`; MSR_ERR_FAULT if the file does not hold it. */
int msr_test_backend_get(const struct msr_test_backend *tb, uint32_t msr, uint64_t *value);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_TEST_BACKEND_H */
