/*
 * libFuzzer harness: CPUID dump files, through both ways in: the library's
 * msr_cpuid_dump_parse() (x86msr/files.h) on the bytes, and the tool's
 * cpuid_file_load() (cpuid_file.c), which `--cpuid FILE` uses on list, show,
 * decode and encode, on a memfd holding them.
 *
 * Oracles besides the sanitizers:
 * - the library: with no room it measures, that much room is enough and one
 *   entry less is not; a mistake names a line of the input and a word inside
 *   it; an accepted dump has at least one leaf and never more leaves than the
 *   input has lines that are neither blank nor comments (one line, however
 *   long, is one leaf or none);
 * - the tool accepts exactly what the library accepts, with the same leaves;
 *   a refused file leaves nothing behind (the result is zeroed);
 * - the table's CPUID source answers every leaf with the first entry of that
 *   leaf and subleaf, and a subleaf no entry names exactly with the first
 *   entry of the leaf for every subleaf (MSR_CPUID_ANY_SUBLEAF), else not;
 * - the leaves written back in `cpuid -r -1` form load back identical.
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

static size_t all_lines(const uint8_t *data, size_t size)
{
    size_t lines = 0;

    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    return lines + (size > 0 && data[size - 1] != '\n');
}

static void check_error(const struct msr_file_error *e, int status, const uint8_t *data,
                        size_t size)
{
    REQUIRE(e->status == status);
    REQUIRE(e->line <= all_lines(data, size));
    REQUIRE(e->word <= size && e->word_length <= size - e->word);
    REQUIRE((e->line == 0) == (status == MSR_OK || status == MSR_FILE_ERR_NO_ROOM || status == MSR_FILE_ERR_NO_LEAVES));
    REQUIRE(status != MSR_FILE_ERR_NUMBER || e->number.reason != MSR_NUMBER_OK);
}

/* The library on the buffer: measure, then parse into exactly that much room. */
static int parse_with_library(const uint8_t *data, size_t size, struct msr_cpuid_entry **entries,
                                               size_t *count)
{
    const char *text = (const char *)data;
    struct msr_file_error e;
    int status;
    size_t needed = 0;

    *entries = NULL;
    *count = 0;
    status = msr_cpuid_dump_parse(text, size, NULL, 0, &needed, &e);
    check_error(&e, status, data, size);
    REQUIRE(status != MSR_OK);
    if (status != MSR_FILE_ERR_NO_ROOM)
        return status;
    REQUIRE(needed >= 1 && needed <= leaf_lines(data, size));
    *entries = calloc(needed, sizeof **entries);
    REQUIRE(*entries != NULL);
    REQUIRE(msr_cpuid_dump_parse(text, size, *entries, needed - 1, count, &e) == MSR_FILE_ERR_NO_ROOM);
    REQUIRE(*count == needed);
    status = msr_cpuid_dump_parse(text, size, *entries, needed, count, &e);
    check_error(&e, status, data, size);
    REQUIRE(status == MSR_OK && *count == needed);
    return status;
}

/* What the table source says for every leaf of the table, and for a subleaf
 * next to each: the first exact entry, else the first for every subleaf. */
static void check_source(const struct cpuid_file *file)
{
    const struct msr_cpuid_table *t = &file->table;

    for (size_t i = 0; i < t->count; i++) {
        const struct msr_cpuid_entry *e = &t->entries[i];
        uint32_t subleaves[2] = { e->subleaf, e->subleaf + 1 };

        for (size_t k = 0; k < 2; k++) {
            const struct msr_cpuid_entry *exact = NULL, *any = NULL, *want;
            struct msr_cpuid_regs regs;
            bool found;

            for (size_t j = 0; j < t->count; j++) {
                const struct msr_cpuid_entry *x = &t->entries[j];
                if (x->leaf != e->leaf)
                    continue;
                if (x->subleaf == subleaves[k] && exact == NULL)
                    exact = x;
                if (x->subleaf == MSR_CPUID_ANY_SUBLEAF && any == NULL)
                    any = x;
            }
            want = exact ? exact : any;
            found = file->source.query(file->source.ctx, e->leaf, subleaves[k], &regs);
            REQUIRE(found == (want != NULL));
            REQUIRE(!found || memcmp(&regs, &want->regs, sizeof regs) == 0);
        }
    }
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
    struct msr_cpuid_entry *entries;
    size_t count;
    int status = parse_with_library(data, size, &entries, &count);
    int loaded;

    memfd_file_put(&input, data, size);
    loaded = cpuid_file_load(input.path, &file);
    REQUIRE((loaded == 0) == (status == MSR_OK));
    if (loaded != 0) {
        REQUIRE(file.entries == NULL && file.table.count == 0);
        free(entries);
        return 0;
    }
    REQUIRE(file.table.count == count);
    REQUIRE(memcmp(file.table.entries, entries, count * sizeof *entries) == 0);
    check_source(&file);
    check_round_trip(&file);
    cpuid_file_free(&file);
    free(entries);
    return 0;
}
