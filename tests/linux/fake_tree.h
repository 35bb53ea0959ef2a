/*
 * A fake /dev/cpu tree in a temporary directory, the way the Linux backend
 * documents it (x86msr/linux.h, "Fake trees"): ROOT/N/msr is a regular
 * sparse file, a value sits at offset = MSR address, and the file ends just
 * above the highest implemented MSR, so anything at or past the end is "not
 * implemented". Every helper aborts the test on failure.
 */
#ifndef X86MSR_TESTS_FAKE_TREE_H
#define X86MSR_TESTS_FAKE_TREE_H

#include <stdint.h>

struct fake_tree {
    char dir[64];  /* the temporary directory */
    char root[96]; /* DIR/cpu: the CPU root */
};

/* Creates DIR (mode 0755, so a test may drop privileges and still look in)
 * and an empty DIR/cpu. */
void fake_tree_create(struct fake_tree *t);
/* Removes everything below DIR, and DIR. */
void fake_tree_destroy(struct fake_tree *t);

/* ROOT/CPU/msr, `size` bytes long (holes read as 0), with `mode`. */
void fake_tree_add_cpu(const struct fake_tree *t, unsigned cpu, uint64_t size, unsigned mode);
/* ROOT/CPU without an msr file (what the cpuid driver alone leaves). */
void fake_tree_add_cpu_dir(const struct fake_tree *t, unsigned cpu);
/* Stores `value` at offset `msr` of ROOT/CPU/msr. */
void fake_tree_set(const struct fake_tree *t, unsigned cpu, uint32_t msr, uint64_t value);
uint64_t fake_tree_get(const struct fake_tree *t, unsigned cpu, uint32_t msr);
uint64_t fake_tree_size(const struct fake_tree *t, unsigned cpu);
/* Writes DIR/sys/online with `text`; returns DIR/sys (static storage). */
const char *fake_tree_sysfs(const struct fake_tree *t, const char *text);

#endif
