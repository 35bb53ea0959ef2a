#include "format.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void format_hex(char *buf, uint64_t value)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%" PRIX64, value);
}

void format_address(char *buf, uint32_t address)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%08" PRIX32, address);
}

void format_value64(char *buf, uint64_t value)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "0x%016" PRIX64, value);
}

void format_decimal(char *buf, uint64_t value)
{
    snprintf(buf, FORMAT_NUMBER_SIZE, "%" PRIu64, value);
}

void format_bits(char *buf, unsigned msb, unsigned lsb)
{
    if (msb == lsb)
        snprintf(buf, FORMAT_NUMBER_SIZE, "%u", lsb);
    else
        snprintf(buf, FORMAT_NUMBER_SIZE, "%u:%u", msb, lsb);
}

void format_bit_ranges(char *buf, uint64_t mask)
{
    bool single_bit = (mask & (mask - 1)) == 0;
    bool first = true;
    size_t used;
    int bit = 63;

    if (mask == 0) {
        snprintf(buf, FORMAT_TEXT_SIZE, "no bits");
        return;
    }
    used = (size_t)snprintf(buf, FORMAT_TEXT_SIZE, single_bit ? "bit " : "bits ");
    while (bit >= 0) {
        int msb;
        char range[FORMAT_NUMBER_SIZE];

        if (!(mask >> bit & 1u)) {
            bit--;
            continue;
        }
        msb = bit;
        while (bit >= 0 && (mask >> bit & 1u))
            bit--;
        format_bits(range, (unsigned)msb, (unsigned)(bit + 1));
        /* At most 32 ranges of at most 7 bytes each: never truncated. */
        used += (size_t)snprintf(buf + used, FORMAT_TEXT_SIZE - used, "%s%s", first ? "" : ", ", range);
        first = false;
    }
}

void format_vendors(char *buf, unsigned vendors)
{
    buf[0] = '\0';
    if (vendors & MSR_VENDOR_INTEL)
        strcat(buf, "intel");
    if (vendors & MSR_VENDOR_AMD)
        strcat(buf, buf[0] ? ", amd" : "amd");
}

const char *cpuid_register_name(unsigned reg)
{
    static const char *const names[] = {"eax", "ebx", "ecx", "edx"};

    return reg < 4 ? names[reg] : "unknown";
}

void format_cpuid(char *buf, const struct msr_cpuid_cond *cond)
{
    static const char *const upper[] = {"EAX", "EBX", "ECX", "EDX"};
    const char *reg = cond->reg < 4 ? upper[cond->reg] : "?";

    if (cond->subleaf != 0)
        snprintf(buf, FORMAT_TEXT_SIZE, "CPUID.(EAX=%" PRIX32 "H,ECX=%" PRIX32 "H):%s[%u]", cond->leaf,
                 cond->subleaf, reg, (unsigned)cond->bit);
    else
        snprintf(buf, FORMAT_TEXT_SIZE, "CPUID.(EAX=%" PRIX32 "H):%s[%u]", cond->leaf, reg,
                 (unsigned)cond->bit);
}
