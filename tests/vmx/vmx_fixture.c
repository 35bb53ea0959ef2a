/* Snapshot-file fixtures of the VMX tests (vmx_fixture.h). */
#include "vmx_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VMX_SNAPSHOT_DIR
#error "VMX_SNAPSHOT_DIR must name tests/vmx/snapshots"
#endif

/* Read with the library's parser (x86msr/files.h), the one VMMs are pointed at:
 * the file into memory, its one CPU's values into the fixture. */
void vmx_fixture_load(const char *name, struct vmx_fixture *out)
{
    static char text[16384];
    struct msr_snapshot_cpu cpus[1];
    struct msr_snapshot_value values[VMX_FIXTURE_MAX];
    struct msr_snapshot s;
    struct msr_file_error error;
    char path[1024];
    size_t length, i;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", VMX_SNAPSHOT_DIR, name);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    length = fread(text, 1, sizeof text, f);
    ck_assert_msg(!ferror(f) && length < sizeof text, "%s: unreadable or too long", path);
    fclose(f);
    memset(&s, 0, sizeof s);
    s.cpus = cpus;
    s.cpu_capacity = 1;
    s.values = values;
    s.value_capacity = VMX_FIXTURE_MAX;
    ck_assert_msg(msr_snapshot_parse(text, length, &s, &error) == MSR_OK, "%s:%lu: not a one-CPU snapshot (%d)",
                  path, error.line, (int)error.status);
    ck_assert_msg(s.cpu_count == 1 && cpus[0].cpu == 0, "%s: not CPU 0's values", path);
    out->count = cpus[0].count;
    for (i = 0; i < cpus[0].count; i++) {
        out->values[i].msr = cpus[0].values[i].address;
        out->values[i].value = cpus[0].values[i].value;
    }
}

uint64_t vmx_fixture_value(const struct vmx_fixture *f, uint32_t msr)
{
    size_t i;

    for (i = 0; i < f->count; i++)
        if (f->values[i].msr == msr)
            return f->values[i].value;
    ck_abort_msg("fixture has no MSR 0x%X", (unsigned)msr);
    return 0;
}

void vmx_fixture_remove(struct vmx_fixture *f, uint32_t msr)
{
    size_t i;

    for (i = 0; i < f->count; i++) {
        if (f->values[i].msr == msr) {
            f->values[i] = f->values[--f->count];
            return;
        }
    }
    ck_abort_msg("fixture has no MSR 0x%X", (unsigned)msr);
}

void vmx_fixture_set(struct vmx_fixture *f, uint32_t msr, uint64_t value)
{
    size_t i;

    for (i = 0; i < f->count; i++) {
        if (f->values[i].msr == msr) {
            f->values[i].value = value;
            return;
        }
    }
    ck_assert(f->count < VMX_FIXTURE_MAX);
    f->values[f->count].msr = msr;
    f->values[f->count].value = value;
    f->count++;
}

void vmx_fixture_caps(const char *name, struct msr_vmx_caps *caps)
{
    struct vmx_fixture f;
    int status;

    vmx_fixture_load(name, &f);
    status = msr_vmx_caps_from_values(caps, f.values, f.count);
    ck_assert_msg(status == MSR_OK, "%s: status %d, error_msr 0x%X", name, status, (unsigned)caps->error_msr);
}

void vmx_fixture_to_backend(const struct vmx_fixture *f, struct msr_test_backend *tb)
{
    size_t i;

    for (i = 0; i < f->count; i++)
        ck_assert_int_eq(msr_test_backend_set(tb, f->values[i].msr, f->values[i].value), MSR_OK);
}
