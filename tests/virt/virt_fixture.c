/* Fixtures of the virtualization tests (virt_fixture.h). */
#include "virt_fixture.h"

#include <stdlib.h>
#include <string.h>

static int read_msr(void *ctx, uint32_t msr, uint64_t *value)
{
    const struct test_cpu *c = ctx;
    size_t i;

    for (i = 0; i < c->msr_count; i++) {
        if (c->msrs[i].msr == msr) {
            *value = c->msrs[i].value;
            return MSR_OK;
        }
    }
    *value = 0;
    return MSR_ERR_FAULT;
}

void test_cpu_empty(struct test_cpu *c)
{
    memset(c, 0, sizeof *c);
    c->table.entries = c->leaves;
    c->table.count = 0;
    c->source = msr_cpuid_table_source(&c->table);
    c->facts.cpuid = &c->source;
    c->facts.read_msr = read_msr;
    c->facts.msr_ctx = c;
}

void test_cpu_set(struct test_cpu *c, uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx, uint32_t ecx,
                  uint32_t edx)
{
    size_t i;
    struct msr_cpuid_entry e = { leaf, subleaf, { eax, ebx, ecx, edx } };

    for (i = 0; i < c->table.count; i++) {
        if (c->leaves[i].leaf == leaf && c->leaves[i].subleaf == subleaf) {
            c->leaves[i] = e;
            return;
        }
    }
    ck_assert_uint_lt(c->table.count, VCPU_MAX_LEAVES);
    c->leaves[c->table.count++] = e;
}

/* Sets msr's value in a list of VCPU_MAX_MSRS at most, adding it if absent. */
static void msr_list_put(struct vcpu_msr_value *list, size_t *count, uint32_t msr, uint64_t value)
{
    size_t i;

    for (i = 0; i < *count; i++) {
        if (list[i].msr == msr) {
            list[i].value = value;
            return;
        }
    }
    ck_assert_uint_lt(*count, VCPU_MAX_MSRS);
    list[*count].msr = msr;
    list[*count].value = value;
    (*count)++;
}

void test_cpu_set_msr(struct test_cpu *c, uint32_t msr, uint64_t value)
{
    msr_list_put(c->msrs, &c->msr_count, msr, value);
}

void test_cpu_intel(struct test_cpu *c)
{
    test_cpu_empty(c);
    /* Intel Core i7-6700K (VirtualBox profile Intel_Core_i7_6700K.h). */
    test_cpu_set(c, 0x00000000, 0, 0x00000016, 0x756e6547, 0x6c65746e, 0x49656e69);
    test_cpu_set(c, 0x00000001, 0, 0x000506e3, 0x02100800, 0x7ffafbbf, 0xbfebfbff);
    test_cpu_set(c, 0x00000007, 0, 0x00000000, 0x029c6fbf, 0x00000000, 0x00000000);
    test_cpu_set(c, 0x0000000a, 0, 0x07300404, 0x00000000, 0x00000000, 0x00000603);
    test_cpu_set(c, 0x0000000d, 1, 0x0000000f, 0x000003c0, 0x00000100, 0x00000000);
    test_cpu_set(c, 0x00000014, 0, 0x00000001, 0x0000000f, 0x00000007, 0x00000000);
    test_cpu_set(c, 0x00000014, 1, 0x02490002, 0x003f3fff, 0x00000000, 0x00000000);
    test_cpu_set(c, 0x80000000, 0, 0x80000008, 0x00000000, 0x00000000, 0x00000000);
    test_cpu_set(c, 0x80000001, 0, 0x00000000, 0x00000000, 0x00000121, 0x2c100800);
    test_cpu_set(c, 0x80000008, 0, 0x00003027, 0x00000000, 0x00000000, 0x00000000);
}

void test_cpu_amd(struct test_cpu *c)
{
    test_cpu_empty(c);
    /* AMD Ryzen 7 1800X (VirtualBox profile AMD_Ryzen_7_1800X_Eight_Core.h). */
    test_cpu_set(c, 0x00000000, 0, 0x0000000d, 0x68747541, 0x444d4163, 0x69746e65);
    test_cpu_set(c, 0x00000001, 0, 0x00800f11, 0x02100800, 0x7ed8320b, 0x178bfbff);
    test_cpu_set(c, 0x00000007, 0, 0x00000000, 0x209c01a9, 0x00000000, 0x00000000);
    test_cpu_set(c, 0x0000000d, 1, 0x0000000f, 0x00000340, 0x00000000, 0x00000000);
    test_cpu_set(c, 0x80000000, 0, 0x8000001f, 0x68747541, 0x444d4163, 0x69746e65);
    test_cpu_set(c, 0x80000001, 0, 0x00800f11, 0x20000000, 0x35c233ff, 0x2fd3fbff);
    test_cpu_set(c, 0x80000008, 0, 0x00003030, 0x00001007, 0x0000400f, 0x00000000);
    test_cpu_set(c, 0x8000000a, 0, 0x00000001, 0x00008000, 0x00000000, 0x0001bcff);
}

static enum msr_virt_result emu_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct test_regs *r = ctx;

    r->reads++;
    *value = test_regs_get(r, msr);
    return r->read_answer;
}

static enum msr_virt_result emu_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct test_regs *r = ctx;

    r->writes++;
    r->last_write_msr = msr;
    r->last_write_value = value;
    if (r->write_answer == MSR_VIRT_HANDLED)
        test_regs_set(r, msr, value);
    return r->write_answer;
}

const struct msr_virt_emulator test_emulator = { emu_read, emu_write };

void test_regs_init(struct test_regs *r)
{
    memset(r, 0, sizeof *r);
    r->read_answer = MSR_VIRT_HANDLED;
    r->write_answer = MSR_VIRT_HANDLED;
}

void test_regs_set(struct test_regs *r, uint32_t msr, uint64_t value)
{
    msr_list_put(r->regs, &r->count, msr, value);
}

uint64_t test_regs_get(const struct test_regs *r, uint32_t msr)
{
    size_t i;

    for (i = 0; i < r->count; i++)
        if (r->regs[i].msr == msr)
            return r->regs[i].value;
    return 0;
}

void test_vcpu(struct msr_virt_vcpu *v, struct test_cpu *cpu, struct test_regs *regs)
{
    memset(v, 0, sizeof *v);
    v->facts = cpu != NULL ? &cpu->facts : NULL;
    v->ctx = regs;
}

int test_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
