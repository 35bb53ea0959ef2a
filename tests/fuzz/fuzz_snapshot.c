/*
 * libFuzzer harness: snapshot files, through both ways in. The input is the
 * file's bytes; the harness parses them with the library's
 * msr_snapshot_parse() (x86msr/files.h, from the buffer, into storage it
 * gives), and puts them in a memfd for the tool's snapshot_load() (snapshot.c:
 * fopen, the whole file read, the same parser, the tool's storage), as
 * `dump --from` and `vmxcap --from` read them.
 *
 * Oracles besides the sanitizers:
 * - the library: with no room it measures, and that much room is enough to
 *   parse (with one value or CPU less it is not); a mistake names a line of
 *   the input (or none) and a word inside it; a parsed snapshot has strictly
 *   ascending CPUs below the limit and, per CPU, strictly ascending
 *   addresses, each value on a line of the input; every value is found by
 *   msr_snapshot_find_cpu(), msr_snapshot_lookup() and msr_snapshot_read();
 * - each value's line, read again here (its comment cut off, split at blanks
 *   and tabs), is exactly two words that are its address and value, and each
 *   CPU's line is `# cpu N` with its number;
 * - the tool accepts exactly what the library accepts, and loads the same
 *   CPUs and values;
 * - what snapshot_write_*() makes of a loaded snapshot loads back identical.
 */
#define _GNU_SOURCE /* memfd_create, open_memstream */

#include "snapshot.h"
#include "fuzz_memfd.h"
#include "fuzz_oracle.h"

#include <x86msr/linux.h>

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

static unsigned long lines_of(const uint8_t *data, size_t size)
{
    unsigned long lines = 0;
    size_t i;

    for (i = 0; i < size; i++)
        lines += data[i] == '\n';
    return lines + (size > 0 && data[size - 1] != '\n');
}

/* Line `number` (1 for the first) of the input: *length bytes at the result,
 * without its '\n'. */
static const char *line_of(const uint8_t *data, size_t size, unsigned long number, size_t *length)
{
    size_t start = 0, end;

    while (--number > 0) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        REQUIRE(nl != NULL);
        start = (size_t)(nl - data) + 1;
    }
    for (end = start; end < size && data[end] != '\n'; end++)
        ;
    *length = end - start;
    return (const char *)data + start;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The words of the line, split at blanks, the first `max` of them in word[]
 * and word_length[]; stops at a '#' when `comment` is true. Returns how many
 * words it saw (at most max + 1, to tell "more"). */
static size_t words_of(const char *line, size_t length, bool comment, const char **word, size_t *word_length,
                       size_t max)
{
    size_t count = 0, i = 0;

    while (i < length && !(comment && line[i] == '#')) {
        size_t start;

        if (blank(line[i])) {
            i++;
            continue;
        }
        for (start = i; i < length && !blank(line[i]) && !(comment && line[i] == '#'); i++)
            ;
        if (count < max) {
            word[count] = line + start;
            word_length[count] = i - start;
        }
        if (++count > max)
            break;
    }
    return count;
}

/* The library put each value and CPU on a line that says so. */
static void check_lines(const struct msr_snapshot *s, const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < s->cpu_count; i++) {
        const struct msr_snapshot_cpu *c = &s->cpus[i];
        const char *line, *word[2];
        size_t length, word_length[2];
        uint64_t number;

        if (c->line > 0) { /* blanks, '#', then the words "cpu" and the CPU's number */
            line = line_of(data, size, c->line, &length);
            while (length > 0 && blank(*line))
                line++, length--;
            REQUIRE(length > 0 && line[0] == '#');
            REQUIRE(words_of(line + 1, length - 1, false, word, word_length, 2) == 2);
            REQUIRE(word_length[0] == 3 && memcmp(word[0], "cpu", 3) == 0);
            REQUIRE(msr_parse_number(word[1], word_length[1], 32, &number, NULL) == MSR_OK && number == c->cpu);
        }
        for (size_t j = 0; j < c->count; j++) {
            line = line_of(data, size, c->values[j].line, &length);
            REQUIRE(words_of(line, length, true, word, word_length, 2) == 2);
            REQUIRE(msr_parse_number(word[0], word_length[0], 32, &number, NULL) == MSR_OK &&
                    number == c->values[j].address);
            REQUIRE(msr_parse_number(word[1], word_length[1], 64, &number, NULL) == MSR_OK &&
                    number == c->values[j].value);
        }
    }
}

static void check_loaded(const struct msr_snapshot *s, unsigned long lines)
{
    struct cpu_list list;
    size_t i, j;

    snapshot_cpu_list(s, &list);
    REQUIRE(list.count == s->cpu_count);
    for (i = 0; i < s->cpu_count; i++) {
        const struct msr_snapshot_cpu *c = &s->cpus[i];

        REQUIRE(i == 0 || s->cpus[i - 1].cpu < c->cpu);
        REQUIRE(c->cpu < MSR_LINUX_MAX_CPUS);
        REQUIRE(c->line <= lines);
        REQUIRE(list.cpus[i] == c->cpu);
        REQUIRE(msr_snapshot_find_cpu(s, c->cpu) == c);
        REQUIRE(c->count == 0 || (c->values >= s->values && c->values + c->count <= s->values + s->value_count));
        for (j = 0; j < c->count; j++) {
            uint64_t value = ~c->values[j].value;

            REQUIRE(j == 0 || c->values[j - 1].address < c->values[j].address);
            REQUIRE(c->values[j].line >= 1 && c->values[j].line <= lines && c->values[j].line > c->line);
            REQUIRE(msr_snapshot_lookup(c, c->values[j].address, &value) && value == c->values[j].value);
            value = ~value;
            REQUIRE(msr_snapshot_read((void *)(uintptr_t)c, c->values[j].address, &value) == MSR_OK &&
                    value == c->values[j].value);
        }
    }
    free(list.cpus);
}

/* A mistake names a line of the input, or none, and a word inside the input. */
static void check_error(const struct msr_file_error *e, int status, size_t size,
                        unsigned long lines)
{
    REQUIRE(e->status == status);
    if (status == MSR_OK) {
        REQUIRE(e->line == 0 && e->word_length == 0);
        return;
    }
    REQUIRE(e->line <= lines);
    REQUIRE((e->line == 0) == (status == MSR_FILE_ERR_NO_ROOM));
    REQUIRE(e->word <= size && e->word_length <= size - e->word);
    REQUIRE(status != MSR_FILE_ERR_NUMBER || e->number.reason != MSR_NUMBER_OK);
    REQUIRE(status != MSR_FILE_ERR_CPU_TWICE && status != MSR_FILE_ERR_ADDRESS_TWICE ? 1 : e->first_line < e->line);
}

/* The library on the buffer: measure, then parse into exactly that much room.
 * Returns the final status; *out holds the snapshot (malloc'ed storage). */
static int parse_with_library(const uint8_t *data, size_t size, unsigned long lines,
                                               struct msr_snapshot *out)
{
    const char *text = (const char *)data;
    struct msr_file_error e;
    int status;

    memset(out, 0, sizeof *out);
    out->cpu_limit = MSR_LINUX_MAX_CPUS;
    status = msr_snapshot_parse(text, size, out, &e);
    check_error(&e, status, size, lines);
    if (status == MSR_OK) {
        REQUIRE(out->cpu_count == 0 && out->value_count == 0);
        return status;
    }
    if (status != MSR_FILE_ERR_NO_ROOM && out->cpu_count == 0 && out->value_count == 0)
        return status; /* a mistake before anything needed room */
    {
        size_t cpus = out->cpu_count, values = out->value_count;

        out->cpus = calloc(cpus + 1, sizeof *out->cpus);
        out->values = calloc(values + 1, sizeof *out->values);
        REQUIRE(out->cpus != NULL && out->values != NULL);
        if (status == MSR_FILE_ERR_NO_ROOM && (cpus > 0 || values > 0)) {
            /* one less of either is not enough */
            out->cpu_capacity = cpus - (cpus > 0);
            out->value_capacity = values - (cpus == 0);
            REQUIRE(msr_snapshot_parse(text, size, out, &e) != MSR_OK);
        }
        out->cpu_capacity = cpus;
        out->value_capacity = values;
        status = msr_snapshot_parse(text, size, out, &e);
        check_error(&e, status, size, lines);
        REQUIRE(status != MSR_FILE_ERR_NO_ROOM);
        if (status == MSR_OK)
            REQUIRE(out->cpu_count == cpus && out->value_count == values);
    }
    return status;
}

/* Writes `s` as `dump --snapshot` would and loads it again: the same values. */
static void check_round_trip(const struct msr_snapshot *s)
{
    char *text = NULL;
    size_t length = 0, i, j;
    FILE *out = open_memstream(&text, &length);
    struct msr_snapshot again;

    REQUIRE(out != NULL);
    snapshot_write_header(out);
    for (i = 0; i < s->cpu_count; i++) {
        snapshot_write_cpu(out, s->cpus[i].cpu);
        for (j = 0; j < s->cpus[i].count; j++)
            snapshot_write_entry(out, s->cpus[i].values[j].address, s->cpus[i].values[j].value,
                                 j % 2 ? "NAME" : NULL);
    }
    REQUIRE(fclose(out) == 0);
    memfd_file_put(&copy, text, length);
    free(text);
    REQUIRE(snapshot_load(copy.path, &again) == 0);
    REQUIRE(again.cpu_count == s->cpu_count);
    for (i = 0; i < s->cpu_count; i++) {
        REQUIRE(again.cpus[i].cpu == s->cpus[i].cpu && again.cpus[i].count == s->cpus[i].count);
        for (j = 0; j < s->cpus[i].count; j++) {
            REQUIRE(again.cpus[i].values[j].address == s->cpus[i].values[j].address);
            REQUIRE(again.cpus[i].values[j].value == s->cpus[i].values[j].value);
        }
    }
    snapshot_free(&again);
}

/* The tool and the library read the same snapshot. */
static void check_same(const struct msr_snapshot *tool, const struct msr_snapshot *library)
{
    size_t i, j;

    REQUIRE(tool->cpu_count == library->cpu_count && tool->value_count == library->value_count);
    for (i = 0; i < tool->cpu_count; i++) {
        const struct msr_snapshot_cpu *a = &tool->cpus[i], *b = &library->cpus[i];

        REQUIRE(a->cpu == b->cpu && a->line == b->line && a->count == b->count);
        for (j = 0; j < a->count; j++)
            REQUIRE(a->values[j].address == b->values[j].address && a->values[j].value == b->values[j].value &&
                    a->values[j].line == b->values[j].line);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned long lines = lines_of(data, size);
    struct msr_snapshot s, library;
    int status = parse_with_library(data, size, lines, &library);
    int loaded;

    memfd_file_put(&input, data, size);
    loaded = snapshot_load(input.path, &s);
    REQUIRE((loaded == 0) == (status == MSR_OK));
    if (loaded == 0) {
        check_loaded(&library, lines);
        check_lines(&library, data, size);
        check_loaded(&s, lines);
        check_same(&s, &library);
        check_round_trip(&s);
    }
    snapshot_free(&s);
    free(library.cpus);
    free(library.values);
    return 0;
}
