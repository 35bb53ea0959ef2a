/*
 * msr_parse_number() (x86msr/files.h): the number syntax of x86msr's files and
 * of the tool's command line. Freestanding.
 */
#include <x86msr/files.h>

/* The digit's value, or -1 when `c` is not a digit of any base accepted. */
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

static enum msr_number_status fail(struct msr_number_error *why, enum msr_number_status status, unsigned radix,
                                   char byte)
{
    if (why != NULL) {
        why->status = status;
        why->radix = (uint8_t)radix;
        why->byte = (uint8_t)byte;
    }
    return status;
}

enum msr_number_status msr_parse_number(const char *text, size_t length, unsigned bits, uint64_t *out,
                                        struct msr_number_error *why)
{
    const uint64_t max = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    unsigned radix = 10;
    size_t i = 0, digits;
    uint64_t value = 0;
    bool overflow = false;

    if (length == 0)
        return fail(why, MSR_NUMBER_EMPTY, radix, 0);
    if (text[0] == '-' || text[0] == '+')
        return fail(why, MSR_NUMBER_SIGN, radix, 0);
    if (length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        radix = 16;
        i = 2;
    } else if (length >= 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
        radix = 2;
        i = 2;
    }
    digits = i;
    if (digits == length)
        return fail(why, MSR_NUMBER_NO_DIGITS, radix, 0);
    if (radix == 10 && text[0] == '0' && length > 1)
        return fail(why, MSR_NUMBER_LEADING_ZERO, radix, 0);
    for (; i < length; i++) {
        int d;

        if (text[i] == '_') {
            /* A separator must sit between two digits. */
            if (i == digits || i + 1 == length || text[i + 1] == '_')
                return fail(why, MSR_NUMBER_SEPARATOR, radix, '_');
            continue;
        }
        d = digit_value(text[i]);
        if (d < 0 || (unsigned)d >= radix)
            return fail(why, MSR_NUMBER_BAD_DIGIT, radix, text[i]);
        /* Keep scanning after an overflow: a bad byte further on is the more
         * useful complaint. */
        if ((uint64_t)d > max || value > (max - (uint64_t)d) / radix)
            overflow = true;
        else
            value = value * radix + (uint64_t)d;
    }
    if (overflow)
        return fail(why, MSR_NUMBER_TOO_WIDE, radix, 0);
    *out = value;
    if (why != NULL)
        why->status = MSR_NUMBER_OK;
    return MSR_NUMBER_OK;
}
