/*
 * CPUID dumps (x86msr/files.h): `cpuid -r -1` output parsed from a buffer
 * into the caller's table. Freestanding.
 */
#include <x86msr/files.h>

struct parser {
    const char *text;
    unsigned long line;
    struct msr_file_error *error;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int fail(struct parser *p, int status, enum msr_file_item item,
                                 size_t word, size_t word_length)
{
    struct msr_file_error *e = p->error;

    if (e != NULL) {
        e->status = status;
        e->item = item;
        e->line = p->line;
        e->word = word;
        e->word_length = word_length;
    }
    return status;
}

static int number(struct parser *p, size_t at, size_t length, enum msr_file_item item,
                                   uint32_t *out)
{
    struct msr_number_error why;
    uint64_t value;

    if (msr_parse_number(p->text + at, length, 32, &value, &why) != MSR_OK) {
        if (p->error != NULL)
            p->error->number = why;
        return fail(p, MSR_FILE_ERR_NUMBER, item, at, length);
    }
    *out = (uint32_t)value;
    return MSR_OK;
}

/* "eax=VALUE" and the like. */
static int reg(struct parser *p, size_t at, size_t length, enum msr_file_item item, uint32_t *out)
{
    const char *name = msr_file_item_name(item), *t = p->text + at;

    if (length < 4 || t[0] != name[0] || t[1] != name[1] || t[2] != name[2] || t[3] != '=')
        return fail(p, MSR_FILE_ERR_REGISTER, item, at, length);
    return number(p, at + 4, length - 4, item, out);
}

/* A `CPU N:` or `CPU:` line: blanks, "CPU", then ':' or blanks, a decimal number (a sign
 * allowed) and ':'; the rest of the line does not matter. */
static bool cpu_line(const char *t, size_t at, size_t end)
{
    size_t digits;

    while (at < end && (is_blank(t[at]) || t[at] == '\v' || t[at] == '\f'))
        at++;
    if (end - at < 4 || t[at] != 'C' || t[at + 1] != 'P' || t[at + 2] != 'U')
        return false;
    at += 3;
    if (t[at] == ':')
        return true;
    while (at < end && (is_blank(t[at]) || t[at] == '\v' || t[at] == '\f'))
        at++;
    if (at < end && (t[at] == '+' || t[at] == '-'))
        at++;
    digits = at;
    while (at < end && t[at] >= '0' && t[at] <= '9')
        at++;
    return at > digits && at < end && t[at] == ':';
}

/* One "LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=.." line, [start, end). */
static int leaf_line(struct parser *p, size_t start, size_t end, struct msr_cpuid_entry *e)
{
    static const enum msr_file_item regs[4] = { MSR_FILE_ITEM_EAX, MSR_FILE_ITEM_EBX, MSR_FILE_ITEM_ECX,
                                                MSR_FILE_ITEM_EDX };
    const char *t = p->text;
    size_t words[6], lengths[6], n = 0, i = start;
    int status;
    uint32_t *out[4];

    for (;;) {
        while (i < end && is_blank(t[i]))
            i++;
        if (i == end)
            break;
        if (n == 6)
            return fail(p, MSR_FILE_ERR_LEAF_LINE, MSR_FILE_ITEM_NONE, 0, 0);
        words[n] = i;
        while (i < end && !is_blank(t[i]))
            i++;
        lengths[n] = i - words[n];
        n++;
    }
    if (n != 6)
        return fail(p, MSR_FILE_ERR_LEAF_LINE, MSR_FILE_ITEM_NONE, 0, 0);
    if ((status = number(p, words[0], lengths[0], MSR_FILE_ITEM_LEAF, &e->leaf)) != MSR_OK)
        return status;
    if (lengths[1] < 2 || t[words[1] + lengths[1] - 1] != ':')
        return fail(p, MSR_FILE_ERR_NO_COLON, MSR_FILE_ITEM_SUBLEAF, words[1], lengths[1]);
    if ((status = number(p, words[1], lengths[1] - 1, MSR_FILE_ITEM_SUBLEAF, &e->subleaf)) != MSR_OK)
        return status;
    out[0] = &e->regs.eax;
    out[1] = &e->regs.ebx;
    out[2] = &e->regs.ecx;
    out[3] = &e->regs.edx;
    for (i = 0; i < 4; i++)
        if ((status = reg(p, words[2 + i], lengths[2 + i], regs[i], out[i])) != MSR_OK)
            return status;
    return MSR_OK;
}

int msr_cpuid_dump_parse(const char *text, size_t length, struct msr_cpuid_entry *entries,
                                          size_t capacity, size_t *count, struct msr_file_error *error)
{
    struct parser p;
    size_t start = 0, n = 0;
    bool seen_cpu = false;

    if (error != NULL) {
        struct msr_file_error none = { MSR_OK, MSR_FILE_ITEM_NONE, 0, 0, 0, 0, { MSR_NUMBER_OK, 0, 0 }, 0, 0 };
        *error = none;
    }
    p.text = text;
    p.line = 0;
    p.error = error;
    *count = 0;
    while (start < length) {
        size_t end = start, first, i;
        struct msr_cpuid_entry scratch;
        int status;

        while (end < length && text[end] != '\n')
            end++;
        p.line++;
        for (i = start; i < end; i++)
            if (text[i] == '\0')
                return fail(&p, MSR_FILE_ERR_NUL, MSR_FILE_ITEM_NONE, 0, 0);
        for (first = start; first < end && is_blank(text[first]); first++)
            ;
        if (first < end && text[first] != '#') {
            if (cpu_line(text, start, end)) {
                if (seen_cpu)
                    break; /* the first CPU's leaves are enough */
                seen_cpu = true;
            } else {
                if ((status = leaf_line(&p, start, end, n < capacity ? &entries[n] : &scratch)) != MSR_OK)
                    return status;
                n++;
            }
        }
        start = end + 1;
    }
    *count = n;
    if (n == 0) {
        p.line = 0;
        return fail(&p, MSR_FILE_ERR_NO_LEAVES, MSR_FILE_ITEM_NONE, 0, 0);
    }
    if (n > capacity) {
        p.line = 0;
        return fail(&p, MSR_FILE_ERR_NO_ROOM, MSR_FILE_ITEM_NONE, 0, 0);
    }
    return MSR_OK;
}
