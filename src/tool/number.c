/* Numbers on the command line and in files: x86msr/files.h's msr_parse_number(),
 * its reasons in words. */
#include "number.h"

#include <stdio.h>
#include <string.h>

void number_why(const char *text, unsigned bits, const struct msr_number_error *error, char *why, size_t why_size)
{
    const char *digit_name = error->radix == 16 ? "hex" : error->radix == 2 ? "binary" : "decimal";

    switch (error->reason) {
    case MSR_NUMBER_OK:
        snprintf(why, why_size, "ok");
        break;
    case MSR_NUMBER_EMPTY:
        snprintf(why, why_size, "empty");
        break;
    case MSR_NUMBER_SIGN:
        snprintf(why, why_size, "a sign is not allowed");
        break;
    case MSR_NUMBER_NO_DIGITS:
        snprintf(why, why_size, "no digits after '%.2s'", text);
        break;
    case MSR_NUMBER_LEADING_ZERO:
        snprintf(why, why_size, "leading zero (octal is not supported: write 0x... or drop the zero)");
        break;
    case MSR_NUMBER_SEPARATOR:
        snprintf(why, why_size, "misplaced '_' (it may only separate digits)");
        break;
    case MSR_NUMBER_BAD_DIGIT:
        if (error->byte > 0x20 && error->byte < 0x7F)
            snprintf(why, why_size, "'%c' is not a %s digit", (char)error->byte, digit_name);
        else
            snprintf(why, why_size, "byte 0x%02X is not a %s digit", error->byte, digit_name);
        break;
    case MSR_NUMBER_TOO_WIDE:
        snprintf(why, why_size, "does not fit in %u bits", bits);
        break;
    }
}

bool parse_number(const char *text, unsigned bits, uint64_t *out, char *why, size_t why_size)
{
    struct msr_number_error error;

    if (msr_parse_number(text, strlen(text), bits, out, &error) == MSR_OK)
        return true;
    number_why(text, bits, &error, why, why_size);
    return false;
}
