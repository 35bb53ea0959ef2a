/*
 * libFuzzer harness: snapshot files (snapshot.c), as `dump --from` and
 * `vmxcap --from` read them. The input is the file's bytes; the harness puts
 * them in a memfd and loads it by its /proc/self/fd path, so snapshot_load()
 * runs unchanged (fopen, getline, the line and CPU bookkeeping).
 *
 * Oracles besides the sanitizers: a loaded snapshot has strictly ascending
 * CPUs and, per CPU, strictly ascending addresses; every entry is found by
 * snapshot_find_cpu() and snapshot_lookup() with its value; the CPU list
 * matches; and what snapshot_write_*() makes of it loads back identical.
 */
#define _GNU_SOURCE /* memfd_create, open_memstream */

#include "snapshot.h"
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
    memfd_file_open(&input, "snapshot");
    memfd_file_open(&copy, "snapshot-copy");
    return 0;
}

static void check_loaded(const struct snapshot *s)
{
    struct cpu_list list;
    size_t i, j;

    snapshot_cpu_list(s, &list);
    REQUIRE(list.count == s->count);
    for (i = 0; i < s->count; i++) {
        const struct snapshot_cpu *c = &s->cpus[i];

        REQUIRE(i == 0 || s->cpus[i - 1].cpu < c->cpu);
        REQUIRE(list.cpus[i] == c->cpu);
        REQUIRE(snapshot_find_cpu(s, c->cpu) == c);
        for (j = 0; j < c->count; j++) {
            uint64_t value = ~c->entries[j].value;

            REQUIRE(j == 0 || c->entries[j - 1].address < c->entries[j].address);
            REQUIRE(snapshot_lookup(c, c->entries[j].address, &value) && value == c->entries[j].value);
        }
    }
    free(list.cpus);
}

/* Writes `s` as `dump --snapshot` would and loads it again: the same values. */
static void check_round_trip(const struct snapshot *s)
{
    char *text = NULL;
    size_t length = 0, i, j;
    FILE *out = open_memstream(&text, &length);
    struct snapshot again;

    REQUIRE(out != NULL);
    snapshot_write_header(out);
    for (i = 0; i < s->count; i++) {
        snapshot_write_cpu(out, s->cpus[i].cpu);
        for (j = 0; j < s->cpus[i].count; j++)
            snapshot_write_entry(out, s->cpus[i].entries[j].address, s->cpus[i].entries[j].value,
                                 j % 2 ? "NAME" : NULL);
    }
    REQUIRE(fclose(out) == 0);
    memfd_file_put(&copy, text, length);
    free(text);
    REQUIRE(snapshot_load(copy.path, &again) == 0);
    REQUIRE(again.count == s->count);
    for (i = 0; i < s->count; i++) {
        REQUIRE(again.cpus[i].cpu == s->cpus[i].cpu && again.cpus[i].count == s->cpus[i].count);
        for (j = 0; j < s->cpus[i].count; j++) {
            REQUIRE(again.cpus[i].entries[j].address == s->cpus[i].entries[j].address);
            REQUIRE(again.cpus[i].entries[j].value == s->cpus[i].entries[j].value);
        }
    }
    snapshot_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snapshot s;

    memfd_file_put(&input, data, size);
    if (snapshot_load(input.path, &s) == 0) {
        check_loaded(&s);
        check_round_trip(&s);
    }
    snapshot_free(&s);
    return 0;
}
