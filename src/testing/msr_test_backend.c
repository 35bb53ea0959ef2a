/* The in-memory test backend (x86msr/test_backend.h). */
#include "x86msr/test_backend.h"

#include <string.h>

static struct msr_test_register *find(const struct msr_test_backend *tb, uint32_t msr)
{
    size_t i;
    for (i = 0; i < tb->reg_count; i++)
        if (tb->regs[i].msr == msr)
            return (struct msr_test_register *)&tb->regs[i];
    return NULL;
}

static void record(struct msr_test_backend *tb, uint32_t msr, uint64_t value, bool is_write, int status)
{
    if (tb->log_count < MSR_TEST_BACKEND_LOG) {
        struct msr_test_access *a = &tb->log[tb->log_count];
        a->msr = msr;
        a->value = value;
        a->is_write = is_write;
        a->status = status;
    }
    tb->log_count++;
}

static int backend_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct msr_test_backend *tb = (struct msr_test_backend *)ctx;
    struct msr_test_register *reg = find(tb, msr);
    int status = reg ? MSR_OK : MSR_ERR_FAULT;
    *value = reg ? reg->value : 0;
    record(tb, msr, *value, false, status);
    return status;
}

static int backend_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct msr_test_backend *tb = (struct msr_test_backend *)ctx;
    struct msr_test_register *reg = find(tb, msr);
    int status = (reg && !(value & reg->reject_mask)) ? MSR_OK : MSR_ERR_FAULT;
    if (status == MSR_OK)
        reg->value = value;
    record(tb, msr, value, true, status);
    return status;
}

static void backend_fault(void *ctx, uint32_t msr, bool is_write, int status)
{
    struct msr_test_backend *tb = (struct msr_test_backend *)ctx;
    tb->fault_count++;
    tb->last_fault_msr = msr;
    tb->last_fault_is_write = is_write;
    tb->last_fault_status = status;
}

void msr_test_backend_init(struct msr_test_backend *tb)
{
    memset(tb, 0, sizeof(*tb));
    tb->backend.read = backend_read;
    tb->backend.write = backend_write;
    tb->backend.fault = backend_fault;
    tb->backend.ctx = tb;
}

int msr_test_backend_set(struct msr_test_backend *tb, uint32_t msr, uint64_t value)
{
    struct msr_test_register *reg = find(tb, msr);
    if (!reg) {
        if (tb->reg_count == MSR_TEST_BACKEND_REGS)
            return MSR_ERR_RANGE;
        reg = &tb->regs[tb->reg_count++];
        reg->msr = msr;
        reg->reject_mask = 0;
    }
    reg->value = value;
    return MSR_OK;
}

int msr_test_backend_reject(struct msr_test_backend *tb, uint32_t msr, uint64_t mask)
{
    struct msr_test_register *reg = find(tb, msr);
    if (!reg)
        return MSR_ERR_FAULT;
    reg->reject_mask = mask;
    return MSR_OK;
}

int msr_test_backend_get(const struct msr_test_backend *tb, uint32_t msr, uint64_t *value)
{
    const struct msr_test_register *reg = find(tb, msr);
    *value = reg ? reg->value : 0;
    return reg ? MSR_OK : MSR_ERR_FAULT;
}
