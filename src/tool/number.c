#include "number.h"

#include <stdio.h>

struct base_info {
    unsigned radix;
    const char *digit_name; /* for "'G' is not a hex digit" */
};

static const struct base_info decimal = {10, "decimal"};
static const struct base_info hex = {16, "hex"};
static const struct base_info binary = {2, "binary"};

/* The digit's value, or -1 when `c` is not a digit of any base we accept. */
static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool fail_bad_char(char c, const struct base_info *base, char *why, size_t why_size)
{
    unsigned char byte = (unsigned char)c;

    if (byte > 0x20 && byte < 0x7F)
        snprintf(why, why_size, "'%c' is not a %s digit", c, base->digit_name);
    else
        snprintf(why, why_size, "byte 0x%02X is not a %s digit", byte, base->digit_name);
    return false;
}

bool parse_number(const char *text, unsigned bits, uint64_t *out, char *why, size_t why_size)
{
    const struct base_info *base = &decimal;
    const char *p = text;
    const char *digits;
    uint64_t max = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t value = 0;
    bool overflow = false;

    if (*p == '\0') {
        snprintf(why, why_size, "empty");
        return false;
    }
    if (*p == '-' || *p == '+') {
        snprintf(why, why_size, "a sign is not allowed");
        return false;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = &hex;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = &binary;
        p += 2;
    }
    digits = p;
    if (*digits == '\0') {
        snprintf(why, why_size, "no digits after '%.2s'", text);
        return false;
    }
    if (base == &decimal && digits[0] == '0' && digits[1] != '\0') {
        snprintf(why, why_size, "leading zero (octal is not supported: write 0x... or drop the zero)");
        return false;
    }
    for (; *p != '\0'; p++) {
        int d;

        if (*p == '_') {
            /* A separator must sit between two digits. */
            if (p == digits || p[1] == '_' || p[1] == '\0') {
                snprintf(why, why_size, "misplaced '_' (it may only separate digits)");
                return false;
            }
            continue;
        }
        d = digit_value(*p);
        if (d < 0 || (unsigned)d >= base->radix)
            return fail_bad_char(*p, base, why, why_size);
        /* Keep scanning after an overflow: a bad character further on is the
         * more useful complaint. */
        if ((unsigned)d > max || value > (max - (unsigned)d) / base->radix)
            overflow = true;
        else
            value = value * base->radix + (unsigned)d;
    }
    if (overflow) {
        snprintf(why, why_size, "does not fit in %u bits", bits);
        return false;
    }
    *out = value;
    return true;
}
