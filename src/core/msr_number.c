/*
 * The pieces x86msr/files.h's parsers share: msr_parse_number() (the number
 * syntax of x86msr's files and of the tool's command line), the names of the
 * items of a line, the status codes in words. Freestanding.
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

static int fail(struct msr_number_error *why, enum msr_number_reason reason, unsigned radix, char byte)
{
    if (why != NULL) {
        why->reason = reason;
        why->radix = (uint8_t)radix;
        why->byte = (uint8_t)byte;
    }
    return MSR_FILE_ERR_NUMBER;
}

int msr_parse_number(const char *text, size_t length, unsigned bits, uint64_t *out, struct msr_number_error *why)
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
    if (why != NULL) {
        why->reason = MSR_NUMBER_OK;
        why->radix = (uint8_t)radix;
        why->byte = 0;
    }
    return MSR_OK;
}

const char *msr_file_item_name(enum msr_file_item item)
{
    switch (item) {
    case MSR_FILE_ITEM_CPU:
        return "cpu";
    case MSR_FILE_ITEM_ADDRESS:
        return "address";
    case MSR_FILE_ITEM_VALUE:
        return "value";
    case MSR_FILE_ITEM_LEAF:
        return "leaf";
    case MSR_FILE_ITEM_SUBLEAF:
        return "subleaf";
    case MSR_FILE_ITEM_EAX:
        return "eax";
    case MSR_FILE_ITEM_EBX:
        return "ebx";
    case MSR_FILE_ITEM_ECX:
        return "ecx";
    case MSR_FILE_ITEM_EDX:
        return "edx";
    case MSR_FILE_ITEM_NONE:
    default:
        return "";
    }
}

const char *msr_file_strerror(int status)
{
    switch (status) {
    case MSR_FILE_ERR_NO_ROOM:
        return "the storage is too small for the file";
    case MSR_FILE_ERR_NUL:
        return "a NUL byte in the line (not a text file?)";
    case MSR_FILE_ERR_NUMBER:
        return "not a number";
    case MSR_FILE_ERR_CPU_LINE:
        return "malformed cpu line (expected '# cpu N')";
    case MSR_FILE_ERR_CPU_RANGE:
        return "CPU number too large";
    case MSR_FILE_ERR_CPU_TWICE:
        return "a CPU appears twice";
    case MSR_FILE_ERR_ONE_WORD:
        return "expected 'ADDRESS VALUE', got one word";
    case MSR_FILE_ERR_MORE_WORDS:
        return "expected 'ADDRESS VALUE', got more words";
    case MSR_FILE_ERR_ADDRESS_TWICE:
        return "an address given twice for one CPU";
    case MSR_FILE_ERR_LEAF_LINE:
        return "expected 'LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..'";
    case MSR_FILE_ERR_NO_COLON:
        return "expected ':' after the subleaf";
    case MSR_FILE_ERR_REGISTER:
        return "expected REGISTER=VALUE";
    case MSR_FILE_ERR_NO_LEAVES:
        return "no CPUID leaves in the file";
    default:
        return msr_strerror(status);
    }
}
