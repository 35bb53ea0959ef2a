/*
 * libFuzzer harness: FIELD=VALUE arguments (field_args.c), as `write` and
 * `encode` take them. The input is text: the first line names the register
 * (a name or address; anything else picks one by a hash of the line), each
 * further line is one argument.
 *
 * Every argument goes to lookup_field(); those with an '=' (the callers'
 * contract, is_assignment()) go to parse_assignments(), with and without
 * read-only fields allowed. Oracles besides the sanitizers: an accepted set
 * names each field once, every value fits its field, the assembled bits lie
 * inside the assembled mask, read-only fields pass only when allowed, and
 * what passes without read-only fields also passes with them.
 */
#include "field_args.h"
#include "msr_lookup.h"
#include "fuzz_oracle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct msr_instance *pick_msr(const char *line)
{
    const struct msr_instance *msr = msr_find_by_name(line);
    uint32_t hash = 2166136261u;
    const char *p;

    if (msr != NULL)
        return msr;
    if (line[0] >= '0' && line[0] <= '9') {
        struct msr_target target;

        if (lookup_target(line, &target) && target.msr != NULL)
            return target.msr;
    }
    for (p = line; *p != '\0'; p++)
        hash = (hash ^ (unsigned char)*p) * 16777619u;
    return &msr_spec.instances[hash % msr_spec.instance_count];
}

/* Whether `f` is one of the fields of `def` (compared one by one: a pointer
 * from elsewhere is no field of it). */
static bool is_field_of(const struct msr_def *def, const struct msr_field_info *f)
{
    unsigned i;

    for (i = 0; i < def->field_count; i++)
        if (msr_def_field(def, i) == f)
            return true;
    return false;
}

static void check_accepted(const struct msr_instance *msr, const struct field_assignment *a, size_t count,
                           bool allow_read_only)
{
    uint64_t mask = assignments_mask(a, count);
    uint64_t bits = assignments_bits(a, count);
    size_t i, j;

    REQUIRE((bits & ~mask) == 0);
    for (i = 0; i < count; i++) {
        const struct msr_field_info *f = a[i].field;
        unsigned width = (unsigned)f->msb - f->lsb + 1;

        REQUIRE(is_field_of(msr_def_of(msr), f));
        REQUIRE(width == 64 || a[i].value >> width == 0);
        REQUIRE((msr_field_mask(f) & mask) == msr_field_mask(f));
        REQUIRE(msr_field_extract(f, bits) == a[i].value);
        REQUIRE(allow_read_only || f->access != MSR_ACCESS_RO);
        for (j = 0; j < i; j++)
            REQUIRE(a[j].field != f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *line, *next;
    char *args[MAX_ARGS];
    char *assignments[MAX_ARGS];
    struct field_assignment strict[MAX_ARGS], loose[MAX_ARGS];
    const struct msr_instance *msr;
    size_t n = 0, m = 0, i;

    REQUIRE(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    next = strchr(text, '\n');
    if (next != NULL)
        *next++ = '\0';
    msr = pick_msr(text);
    for (line = next; line != NULL && n < MAX_ARGS; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        args[n++] = line;
    }

    for (i = 0; i < n; i++) {
        (void)lookup_field(msr, args[i]);
        if (is_assignment(args[i]))
            assignments[m++] = args[i];
    }
    /* A hint: read-only fields are refused (as write and encode do); NULL: allowed. */
    if (parse_assignments(msr, assignments, m, "--force writes it anyway", strict)) {
        check_accepted(msr, strict, m, false);
        REQUIRE(parse_assignments(msr, assignments, m, NULL, loose));
        REQUIRE(assignments_bits(loose, m) == assignments_bits(strict, m));
    }
    if (parse_assignments(msr, assignments, m, NULL, loose))
        check_accepted(msr, loose, m, true);
    free(text);
    return 0;
}
