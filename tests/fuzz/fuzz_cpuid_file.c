/*
 * libFuzzer harness: CPUID dump files (cpuid_file.c), as `--cpuid FILE`
 * reads them on list, show, decode and encode. The input is the file's
 * bytes, loaded through a memfd's /proc/self/fd path so cpuid_file_load()
 * runs unchanged.
 *
 * Oracles besides the sanitizers: a refused file leaves nothing behind (the
 * result is zeroed) and gives a non-zero exit status; an accepted one has at
 * least one leaf and never more leaves than the file has lines that are
 * neither blank nor comments (one line, however long, is one leaf or none); every leaf is found by the table's
 * CPUID source; and the leaves written back in `cpuid -r -1` form load back
 * identical.
 */
#define _GNU_SOURCE /* memfd_create, open_memstream */

#include "cpuid_file.h"
#include "fuzz_memfd.h"
#include "fuzz_oracle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct memfd_file input, copy; /* the input, and what the harness writes back */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memfd_file_open(&input, "cpuid");
    memfd_file_open(&copy, "cpuid-copy");
    return 0;
}

/* Lines that can hold a leaf: not blank, not a `#` comment, however long. */
static size_t leaf_lines(const uint8_t *data, size_t size)
{
    size_t lines = 0, i = 0;

    while (i < size) {
        size_t end = i;
        while (end < size && data[end] != '\n')
            end++;
        size_t first = i;
        while (first < end && (data[first] == ' ' || data[first] == '\t' || data[first] == '\r'))
            first++;
        lines += first < end && data[first] != '#';
        i = end + 1;
    }
    return lines;
}

static void check_round_trip(const struct cpuid_file *file)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    struct cpuid_file again;

    REQUIRE(out != NULL);
    fprintf(out, "CPU 0:\n");
    for (size_t i = 0; i < file->table.count; i++) {
        const struct msr_cpuid_entry *e = &file->table.entries[i];
        fprintf(out, "   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", e->leaf, e->subleaf,
                e->regs.eax, e->regs.ebx, e->regs.ecx, e->regs.edx);
    }
    REQUIRE(fclose(out) == 0);
    memfd_file_put(&copy, text, length);
    free(text);
    REQUIRE(cpuid_file_load(copy.path, &again) == 0);
    REQUIRE(again.table.count == file->table.count);
    REQUIRE(memcmp(again.table.entries, file->table.entries, file->table.count * sizeof(*again.table.entries)) == 0);
    cpuid_file_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpuid_file file;

    memfd_file_put(&input, data, size);
    if (cpuid_file_load(input.path, &file) != 0) {
        REQUIRE(file.entries == NULL && file.table.count == 0);
        return 0;
    }
    REQUIRE(file.table.count >= 1 && file.table.count <= leaf_lines(data, size));
    for (size_t i = 0; i < file.table.count; i++) {
        const struct msr_cpuid_entry *e = &file.table.entries[i];
        struct msr_cpuid_regs regs;
        REQUIRE(file.source.query(file.source.ctx, e->leaf, e->subleaf, &regs));
    }
    check_round_trip(&file);
    cpuid_file_free(&file);
    return 0;
}
