/*
 * Test fixtures of the VMX tests: the capability values of real processors,
 * loaded from the snapshot files in snapshots/ (each file records where its
 * values come from), so the numbers exist once, shared with the end-to-end
 * tool tests.
 */
#ifndef X86MSR_TESTS_VMX_FIXTURE_H
#define X86MSR_TESTS_VMX_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "x86msr/files.h"
#include "x86msr/test_backend.h"
#include "x86msr/vmx.h"

#define VMX_MEROM "intel-core2-x6800-merom.txt"        /* no TRUE, no secondary */
#define VMX_PENRYN "intel-xeon-x5482-penryn.txt"       /* no TRUE, secondary without EPT */
#define VMX_SKYLAKE "intel-core-i7-6700k-skylake.txt"  /* TRUE, EPT/VPID, VMFUNC */
#define VMX_TERTIARY "synthetic-tertiary.txt"          /* Skylake + tertiary + exit2 */

#define VMX_FIXTURE_MAX 64

struct vmx_fixture {
    struct msr_vmx_msr_value values[VMX_FIXTURE_MAX];
    size_t count;
};

/* Loads snapshots/NAME (a one-CPU snapshot, read by msr_snapshot_parse(), in
 * ascending address order); fails the test on any error. */
void vmx_fixture_load(const char *name, struct vmx_fixture *out);

/* The value of `msr` in the fixture; fails the test when absent. */
uint64_t vmx_fixture_value(const struct vmx_fixture *f, uint32_t msr);

/* Removes `msr` from the fixture (to build incomplete snapshots). */
void vmx_fixture_remove(struct vmx_fixture *f, uint32_t msr);

/* Sets or adds `msr`. */
void vmx_fixture_set(struct vmx_fixture *f, uint32_t msr, uint64_t value);

/* A snapshot filled from snapshots/NAME; fails the test unless MSR_OK. */
void vmx_fixture_caps(const char *name, struct msr_vmx_caps *caps);

/* Puts every value of the fixture into the test backend's register file. */
void vmx_fixture_to_backend(const struct vmx_fixture *f, struct msr_test_backend *tb);

#endif
