/* Snapshot-file fixtures of the VMX tests (vmx_fixture.h). */
#include "vmx_fixture.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VMX_SNAPSHOT_DIR
#error "VMX_SNAPSHOT_DIR must name tests/vmx/snapshots"
#endif

/* One number: hex with 0x or decimal, nothing after it. */
static uint64_t number(const char *word, const char *path, unsigned long line)
{
    char *end = NULL;
    unsigned long long value;

    errno = 0;
    value = strtoull(word, &end, strncmp(word, "0x", 2) == 0 || strncmp(word, "0X", 2) == 0 ? 16 : 10);
    ck_assert_msg(errno == 0 && end != word && *end == '\0', "%s:%lu: bad number '%s'", path, line, word);
    return value;
}

void vmx_fixture_load(const char *name, struct vmx_fixture *out)
{
    char path[1024], line[512];
    unsigned long number_of_line = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", VMX_SNAPSHOT_DIR, name);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    out->count = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char address[64], value[64], extra[2];
        char *comment = strchr(line, '#');
        int words;

        number_of_line++;
        if (comment != NULL)
            *comment = '\0';
        words = sscanf(line, "%63s %63s %1s", address, value, extra);
        if (words <= 0)
            continue; /* blank or comment */
        ck_assert_msg(words == 2, "%s:%lu: expected ADDRESS VALUE", path, number_of_line);
        ck_assert_msg(out->count < VMX_FIXTURE_MAX, "%s: too many values", path);
        out->values[out->count].msr = (uint32_t)number(address, path, number_of_line);
        out->values[out->count].value = number(value, path, number_of_line);
        out->count++;
    }
    fclose(f);
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
