/*
 * libFuzzer harness: the tool's number and name parsing (number.c,
 * msr_lookup.c, the -c CPU list of cpu_select.c). The input is one argument
 * as a user would type it (up to the first NUL byte).
 *
 * Oracles besides the sanitizers: a number accepted at one width is accepted
 * with the same value at every wider width and fits its width; a rejection
 * always says why; hex and decimal renderings of an accepted value parse back
 * to it; a name lookup that succeeds finds that MSR again by its own name;
 * a parsed CPU list is strictly ascending.
 *
 * The library's msr_parse_number() (x86msr/files.h), which files and the
 * command line share, also gets all the input's bytes (NULs included) and is
 * compared with a reference written here from its documented grammar: the
 * same verdict, the same reason and the same value (the reference strips the
 * separators and lets strtoull() do the arithmetic).
 */
#include "cpu_select.h"
#include "msr_lookup.h"
#include "number.h"
#include "fuzz_oracle.h"

#include <x86msr/files.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *text_of(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);

    REQUIRE(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

static void check_numbers(const char *text)
{
    static const unsigned widths[] = {1, 2, 7, 8, 16, 31, 32, 33, 48, 63, 64};
    bool accepted_before = false;
    uint64_t first_value = 0;
    size_t i;

    for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        char why[128];
        uint64_t value = 0;

        memset(why, 0, sizeof why);
        if (parse_number(text, widths[i], &value, why, sizeof why)) {
            REQUIRE(widths[i] == 64 || value >> widths[i] == 0);
            if (accepted_before)
                REQUIRE(value == first_value);
            accepted_before = true;
            first_value = value;
        } else {
            REQUIRE(!accepted_before);  /* a wider width never refuses what a narrower took */
            REQUIRE(why[0] != '\0' && memchr(why, '\0', sizeof why) != NULL);
        }
    }
    if (accepted_before) {
        char again[32], why[128];
        uint64_t value = 0;

        snprintf(again, sizeof again, "0x%" PRIX64, first_value);
        REQUIRE(parse_number(again, 64, &value, why, sizeof why) && value == first_value);
        snprintf(again, sizeof again, "%" PRIu64, first_value);
        REQUIRE(parse_number(again, 64, &value, why, sizeof why) && value == first_value);
    }
}

/* The grammar of x86msr/files.h, step by step: the reason a text is refused
 * at any width, or MSR_NUMBER_OK with its value (when it fits 64 bits; *wide
 * says whether it does not). */
static enum msr_number_reason reference_parse(const char *text, size_t length, unsigned *radix,
                                              uint64_t *value, bool *wide)
{
    char digits[4100];
    size_t i = 0, n = 0;

    *radix = 10;
    *wide = false;
    if (length == 0)
        return MSR_NUMBER_EMPTY;
    if (text[0] == '+' || text[0] == '-')
        return MSR_NUMBER_SIGN;
    if (length >= 2 && text[0] == '0' && strchr("xXbB", text[1]) != NULL && text[1] != '\0') {
        *radix = text[1] == 'x' || text[1] == 'X' ? 16 : 2;
        i = 2;
    }
    if (i == length)
        return MSR_NUMBER_NO_DIGITS;
    if (*radix == 10 && text[0] == '0' && length > 1)
        return MSR_NUMBER_LEADING_ZERO;
    for (size_t start = i; i < length; i++) {
        const char c = text[i];
        const char *set = *radix == 16 ? "0123456789abcdefABCDEF" : *radix == 2 ? "01" : "0123456789";

        if (c == '_') {
            if (i == start || i + 1 == length || text[i + 1] == '_')
                return MSR_NUMBER_SEPARATOR;
            continue;
        }
        if (c == '\0' || strchr(set, c) == NULL)
            return MSR_NUMBER_BAD_DIGIT;
        REQUIRE(n + 1 < sizeof digits);
        digits[n++] = c;
    }
    digits[n] = '\0';
    errno = 0;
    *value = strtoull(digits, NULL, (int)*radix);
    *wide = errno == ERANGE;
    return MSR_NUMBER_OK;
}

static void check_library_numbers(const uint8_t *data, size_t size)
{
    static const unsigned widths[] = {1, 8, 32, 63, 64};
    const char *text = (const char *)data;
    unsigned radix;
    uint64_t want;
    bool wide;
    enum msr_number_reason reason = reference_parse(text, size, &radix, &want, &wide);

    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        struct msr_number_error why;
        uint64_t value = 0x5A5A5A5A5A5A5A5Aull;
        int status = msr_parse_number(text, size, widths[i], &value, &why);
        bool fits = reason == MSR_NUMBER_OK && !wide && (widths[i] == 64 || want >> widths[i] == 0);

        REQUIRE((status == MSR_OK) == fits);
        REQUIRE(status == MSR_OK || status == MSR_FILE_ERR_NUMBER);
        if (status == MSR_OK) {
            REQUIRE(value == want && why.reason == MSR_NUMBER_OK && why.radix == radix);
            continue;
        }
        REQUIRE(value == 0x5A5A5A5A5A5A5A5Aull); /* a refusal leaves *out alone */
        REQUIRE(why.reason == (reason == MSR_NUMBER_OK ? MSR_NUMBER_TOO_WIDE : reason));
        REQUIRE(why.radix == radix);
        REQUIRE(why.reason != MSR_NUMBER_BAD_DIGIT || memchr(text, why.byte, size) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = text_of(data, size);
    const struct msr_instance *msr;
    struct msr_target target;
    struct cpu_list cpus;
    uint64_t value;

    check_numbers(text);
    check_library_numbers(data, size);

    /* A name goes through lookup_msr() inside lookup_target() (with the
     * suggestion search, the slow part); an address through both. */
    if (lookup_target(text, &target) && target.msr != NULL) {
        REQUIRE(target.msr->address == target.address);
        REQUIRE(msr_find_by_name(msr_name(target.msr)) != NULL);
    }
    if (text[0] >= '0' && text[0] <= '9') {
        msr = lookup_msr(text);
        REQUIRE(msr == NULL || msr_find_by_address(msr->address) != NULL);
    }
    (void)parse_value_arg(text, &value);

    memset(&cpus, 0, sizeof cpus);
    if (cpu_list_parse(text, &cpus)) {
        size_t i;
        char *formatted = cpu_list_format(cpus.cpus, cpus.count);
        struct cpu_list again;

        for (i = 1; i < cpus.count; i++)
            REQUIRE(cpus.cpus[i - 1] < cpus.cpus[i]);
        /* The tool's own rendering of the list reads back as the same list. */
        memset(&again, 0, sizeof again);
        if (cpus.count > 0) {
            REQUIRE(cpu_list_parse(formatted, &again));
            REQUIRE(again.count == cpus.count);
            REQUIRE(memcmp(again.cpus, cpus.cpus, cpus.count * sizeof *cpus.cpus) == 0);
            cpu_list_free(&again);
        }
        free(formatted);
        cpu_list_free(&cpus);
    }
    free(text);
    return 0;
}
