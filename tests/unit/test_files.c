/*
 * Unit tests of x86msr/files.h (numbers, snapshot files, CPUID dumps, read
 * from buffers into caller storage) and of the CPUID table source's entries
 * for every subleaf (x86msr/cpuid.h, MSR_CPUID_ANY_SUBLEAF).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86msr/cpuid.h"
#include "x86msr/files.h"

#ifndef X86MSR_SOURCE_DIR
#error "compile with -DX86MSR_SOURCE_DIR=\"...\" (the shipped snapshot and dump files)"
#endif

/* ---- numbers ---------------------------------------------------------------- */

static int number(const char *text, unsigned bits, uint64_t *out, struct msr_number_error *why)
{
    return msr_parse_number(text, strlen(text), bits, out, why);
}

START_TEST(numbers_in_every_base_with_separators)
{
    uint64_t v = 0;

    ck_assert_int_eq(number("128", 64, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, 128);
    ck_assert_int_eq(number("0", 8, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(number("0xC000_0080", 32, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, 0xC0000080u);
    ck_assert_int_eq(number("0XffFF", 16, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, 0xFFFF);
    ck_assert_int_eq(number("0b1101", 4, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, 13);
    ck_assert_int_eq(number("0xFFFFFFFFFFFFFFFF", 64, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
    /* The length counts, not a terminator: "12" of "123". */
    ck_assert_int_eq(msr_parse_number("123", 2, 64, &v, NULL), MSR_OK);
    ck_assert_uint_eq(v, 12);
}
END_TEST

START_TEST(numbers_refused_with_their_reason)
{
    static const struct {
        const char *text;
        unsigned bits;
        enum msr_number_reason reason;
        unsigned radix;
        char byte;
    } cases[] = {
        { "", 64, MSR_NUMBER_EMPTY, 10, 0 },
        { "-1", 64, MSR_NUMBER_SIGN, 10, 0 },
        { "+1", 64, MSR_NUMBER_SIGN, 10, 0 },
        { "0x", 64, MSR_NUMBER_NO_DIGITS, 16, 0 },
        { "0b", 64, MSR_NUMBER_NO_DIGITS, 2, 0 },
        { "010", 64, MSR_NUMBER_LEADING_ZERO, 10, 0 },
        { "0_1", 64, MSR_NUMBER_LEADING_ZERO, 10, 0 },
        { "_1", 64, MSR_NUMBER_SEPARATOR, 10, '_' },
        { "1_", 64, MSR_NUMBER_SEPARATOR, 10, '_' },
        { "0x1__2", 64, MSR_NUMBER_SEPARATOR, 16, '_' },
        { "0x_1", 64, MSR_NUMBER_SEPARATOR, 16, '_' },
        { "12a", 64, MSR_NUMBER_BAD_DIGIT, 10, 'a' },
        { "0xG", 64, MSR_NUMBER_BAD_DIGIT, 16, 'G' },
        { "0b102", 64, MSR_NUMBER_BAD_DIGIT, 2, '2' },
        { "1 ", 64, MSR_NUMBER_BAD_DIGIT, 10, ' ' },
        { "0x100", 8, MSR_NUMBER_TOO_WIDE, 16, 0 },
        { "18446744073709551616", 64, MSR_NUMBER_TOO_WIDE, 10, 0 },
        /* a bad byte after the overflow is the complaint */
        { "0x1FFFFFFFFFFFFFFFFZ", 64, MSR_NUMBER_BAD_DIGIT, 16, 'Z' },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct msr_number_error why = { MSR_NUMBER_OK, 0, 0 };
        uint64_t v = 77;

        ck_assert_msg(number(cases[i].text, cases[i].bits, &v, &why) == MSR_FILE_ERR_NUMBER, "%s", cases[i].text);
        ck_assert_int_eq(why.reason, cases[i].reason);
        ck_assert_uint_eq(why.radix, cases[i].radix);
        ck_assert_uint_eq(why.byte, (uint8_t)cases[i].byte);
        ck_assert_uint_eq(v, 77); /* untouched */
    }
    {
        struct msr_number_error why;
        uint64_t v;

        ck_assert_int_eq(msr_parse_number("1\0", 2, 64, &v, &why), MSR_FILE_ERR_NUMBER);
        ck_assert_int_eq(why.reason, MSR_NUMBER_BAD_DIGIT);
        ck_assert_uint_eq(why.byte, 0);
    }
}
END_TEST

/* ---- snapshots -------------------------------------------------------------- */

#define CAP 16
static struct msr_snapshot_cpu cpus[CAP];
static struct msr_snapshot_value values[64];

static struct msr_snapshot storage(size_t cpu_room, size_t value_room, uint32_t limit)
{
    struct msr_snapshot s;

    memset(&s, 0, sizeof s);
    s.cpus = cpus;
    s.cpu_capacity = cpu_room;
    s.values = values;
    s.value_capacity = value_room;
    s.cpu_limit = limit;
    return s;
}

static int parse_snapshot(const char *text, struct msr_snapshot *s, struct msr_file_error *e)
{
    return msr_snapshot_parse(text, strlen(text), s, e);
}

START_TEST(snapshot_cpus_and_values_sorted)
{
    const char *text = "# x86msr snapshot\r\n"
                       "0x10 1\n"
                       "\n"
                       "# cpu 3\n"
                       "0xC0000080 0x0D01  # IA32_EFER\r\n"
                       "0x3A\t0b101\n"
                       "#cpu 1\n"
                       "0x480 0x00DA0400_00000004\n"
                       "0x10 2"; /* no newline at the end */
    struct msr_snapshot s = storage(CAP, 64, 0);
    struct msr_file_error e;
    const struct msr_snapshot_cpu *c;
    uint64_t v = 0;

    ck_assert_int_eq(parse_snapshot(text, &s, &e), MSR_OK);
    ck_assert_int_eq(e.status, MSR_OK);
    ck_assert_uint_eq(s.cpu_count, 3);
    ck_assert_uint_eq(s.value_count, 5);
    ck_assert_uint_eq(s.cpus[0].cpu, 0);
    ck_assert_uint_eq(s.cpus[0].line, 0); /* implicit */
    ck_assert_uint_eq(s.cpus[1].cpu, 1);
    ck_assert_uint_eq(s.cpus[1].line, 7);
    ck_assert_uint_eq(s.cpus[2].cpu, 3);
    ck_assert_uint_eq(s.cpus[2].line, 4);
    c = msr_snapshot_find_cpu(&s, 3);
    ck_assert_ptr_eq(c, &s.cpus[2]);
    ck_assert_uint_eq(c->count, 2);
    ck_assert_uint_eq(c->values[0].address, 0x3A); /* ascending */
    ck_assert_uint_eq(c->values[0].value, 5);
    ck_assert_uint_eq(c->values[0].line, 6);
    ck_assert_uint_eq(c->values[1].address, 0xC0000080u);
    ck_assert(msr_snapshot_lookup(c, 0xC0000080u, &v) && v == 0xD01);
    ck_assert(!msr_snapshot_lookup(c, 0x10, &v));
    c = msr_snapshot_find_cpu(&s, 1);
    ck_assert(c != NULL && c->count == 2);
    ck_assert(msr_snapshot_lookup(c, 0x480, &v) && v == 0x00DA040000000004ull);
    ck_assert(msr_snapshot_lookup(c, 0x10, &v) && v == 2);
    ck_assert_ptr_null(msr_snapshot_find_cpu(&s, 2));
    /* as a reader */
    ck_assert_int_eq(msr_snapshot_read((void *)(uintptr_t)msr_snapshot_find_cpu(&s, 0), 0x10, &v), MSR_OK);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(msr_snapshot_read((void *)(uintptr_t)msr_snapshot_find_cpu(&s, 0), 0x11, &v), MSR_ERR_FAULT);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(msr_snapshot_read(NULL, 0x10, &v), MSR_ERR_INVALID);
}
END_TEST

START_TEST(snapshot_of_nothing_is_empty)
{
    struct msr_snapshot s = storage(0, 0, 0);

    ck_assert_int_eq(parse_snapshot("", &s, NULL), MSR_OK);
    ck_assert_int_eq(parse_snapshot("# only a comment\n\n", &s, NULL), MSR_OK);
    ck_assert_uint_eq(s.cpu_count, 0);
    ck_assert_uint_eq(s.value_count, 0);
}
END_TEST

START_TEST(snapshot_mistakes_name_their_line_and_word)
{
    static const struct {
        const char *text;
        int status;
        enum msr_file_item item;
        unsigned long line, first_line;
        const char *word; /* NULL: none */
    } cases[] = {
        { "0x10 1\n0x11 1\0\n", MSR_FILE_ERR_NUL, MSR_FILE_ITEM_NONE, 2, 0, NULL },
        { "# cpu\n", MSR_FILE_ERR_CPU_LINE, MSR_FILE_ITEM_CPU, 1, 0, NULL },
        { "# cpu 1 2\n", MSR_FILE_ERR_CPU_LINE, MSR_FILE_ITEM_CPU, 1, 0, NULL },
        { "# cpu 0x00000000000001\n", MSR_FILE_ERR_CPU_LINE, MSR_FILE_ITEM_CPU, 1, 0, NULL },
        { "\n# cpu x1\n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_CPU, 2, 0, "x1" },
        { "# cpu 64\n", MSR_FILE_ERR_CPU_RANGE, MSR_FILE_ITEM_CPU, 1, 0, "64" },
        { "# cpu 2\n# cpu 1\n#  cpu  2\n", MSR_FILE_ERR_CPU_TWICE, MSR_FILE_ITEM_CPU, 3, 1, "2" },
        { "0x10 1\n# cpu 0\n", MSR_FILE_ERR_CPU_TWICE, MSR_FILE_ITEM_CPU, 2, 0, "0" },
        { "0x10\n", MSR_FILE_ERR_ONE_WORD, MSR_FILE_ITEM_NONE, 1, 0, NULL },
        { "0x10 1 2\n", MSR_FILE_ERR_MORE_WORDS, MSR_FILE_ITEM_NONE, 1, 0, NULL },
        { "0x1_0000_0000 1\n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_ADDRESS, 1, 0, "0x1_0000_0000" },
        { "  0x10   01  \n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_VALUE, 1, 0, "01" },
        { "# cpu 1\n0x20 1\n0x10 1\n0x20 2\n# cpu 0\n0x5 1\n0x5 2\n", MSR_FILE_ERR_ADDRESS_TWICE,
          MSR_FILE_ITEM_ADDRESS, 7, 6, NULL }, /* cpu 0 before cpu 1 */
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct msr_snapshot s = storage(CAP, 64, 64);
        struct msr_file_error e;
        size_t length = strlen(cases[i].text);

        if (cases[i].status == MSR_FILE_ERR_NUL)
            length = 14;
        ck_assert_msg(msr_snapshot_parse(cases[i].text, length, &s, &e) == cases[i].status, "case %zu", i);
        ck_assert_int_eq(e.status, cases[i].status);
        ck_assert_int_eq(e.item, cases[i].item);
        ck_assert_uint_eq(e.line, cases[i].line);
        ck_assert_uint_eq(e.first_line, cases[i].first_line);
        if (cases[i].word == NULL) {
            ck_assert_uint_eq(e.word_length, 0);
        } else {
            ck_assert_uint_eq(e.word_length, strlen(cases[i].word));
            ck_assert(memcmp(cases[i].text + e.word, cases[i].word, e.word_length) == 0);
        }
    }
}
END_TEST

START_TEST(snapshot_details_of_mistakes)
{
    struct msr_snapshot s = storage(CAP, 64, 64);
    struct msr_file_error e;

    ck_assert_int_eq(parse_snapshot("0x10 0xZ\n", &s, &e), MSR_FILE_ERR_NUMBER);
    ck_assert_int_eq(e.number.reason, MSR_NUMBER_BAD_DIGIT);
    ck_assert_uint_eq(e.number.radix, 16);
    ck_assert_uint_eq(e.number.byte, 'Z');
    ck_assert_int_eq(parse_snapshot("# cpu 99\n", &s, &e), MSR_FILE_ERR_CPU_RANGE);
    ck_assert_uint_eq(e.cpu, 99);
    ck_assert_int_eq(parse_snapshot("# cpu 7\n0x3A 1\n0x3A 1\n", &s, &e), MSR_FILE_ERR_ADDRESS_TWICE);
    ck_assert_uint_eq(e.cpu, 7);
    ck_assert_uint_eq(e.address, 0x3A);
    ck_assert_uint_eq(e.line, 3);
    ck_assert_uint_eq(e.first_line, 2);
    s.cpu_limit = 0; /* no limit */
    ck_assert_int_eq(parse_snapshot("# cpu 4294967295\n0x1 1\n", &s, &e), MSR_OK);
    ck_assert_uint_eq(s.cpus[0].cpu, 4294967295u);
}
END_TEST

START_TEST(snapshot_without_room_says_how_much_it_needs)
{
    const char *text = "0x1 1\n0x2 2\n# cpu 1\n0x1 3\n# cpu 2\n";
    struct msr_snapshot s = storage(0, 0, 0);
    struct msr_file_error e;

    ck_assert_int_eq(parse_snapshot(text, &s, &e), MSR_FILE_ERR_NO_ROOM);
    ck_assert_int_eq(e.status, MSR_FILE_ERR_NO_ROOM);
    ck_assert_uint_eq(e.line, 0);
    ck_assert_uint_eq(s.cpu_count, 3);
    ck_assert_uint_eq(s.value_count, 3);
    s = storage(3, 2, 0); /* one value short */
    ck_assert_int_eq(parse_snapshot(text, &s, &e), MSR_FILE_ERR_NO_ROOM);
    ck_assert_uint_eq(s.value_count, 3);
    s = storage(2, 3, 0); /* one CPU short */
    ck_assert_int_eq(parse_snapshot(text, &s, &e), MSR_FILE_ERR_NO_ROOM);
    ck_assert_uint_eq(s.cpu_count, 3);
    s = storage(3, 3, 0);
    ck_assert_int_eq(parse_snapshot(text, &s, &e), MSR_OK);
    ck_assert_uint_eq(s.cpus[2].count, 0);
    /* A mistake earlier than the end of the room still shows. */
    s = storage(0, 0, 0);
    ck_assert_int_eq(parse_snapshot("0x1 1\n0x2\n", &s, &e), MSR_FILE_ERR_ONE_WORD);
    ck_assert_uint_eq(e.line, 2);
}
END_TEST

/* A file of the source tree, read whole. */
static char *slurp(const char *relative, size_t *length)
{
    char path[512];
    FILE *f;
    char *text;
    long size;

    snprintf(path, sizeof path, "%s/%s", X86MSR_SOURCE_DIR, relative);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    ck_assert_int_ge(size, 0);
    rewind(f);
    text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *length = (size_t)size;
    return text;
}

START_TEST(the_shipped_snapshots_parse)
{
    static const char *const files[] = { "tests/vmx/snapshots/intel-core-i7-6700k-skylake.txt",
                                         "tests/vmx/snapshots/intel-core2-x6800-merom.txt",
                                         "tests/vmx/snapshots/intel-xeon-x5482-penryn.txt" };
    size_t i;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t length;
        char *text = slurp(files[i], &length);
        struct msr_snapshot s = storage(0, 0, 0);
        const struct msr_snapshot_cpu *cpu0;
        uint64_t basic = 0;

        /* Measure, then parse into exactly that much room. */
        ck_assert_int_eq(msr_snapshot_parse(text, length, &s, NULL), MSR_FILE_ERR_NO_ROOM);
        ck_assert_uint_eq(s.cpu_count, 1);
        ck_assert_uint_le(s.value_count, 64);
        s = storage(1, s.value_count, 0);
        ck_assert_int_eq(msr_snapshot_parse(text, length, &s, NULL), MSR_OK);
        cpu0 = msr_snapshot_find_cpu(&s, 0);
        ck_assert_ptr_nonnull(cpu0);
        ck_assert_msg(msr_snapshot_lookup(cpu0, 0x480, &basic) && basic != 0, "%s: IA32_VMX_BASIC", files[i]);
        free(text);
    }
}
END_TEST

/* ---- CPUID dumps ------------------------------------------------------------ */

START_TEST(cpuid_dump_of_the_first_cpu)
{
    const char *text = "# a dump\n"
                       "CPU 0:\n"
                       "   0x00000000 0x00: eax=0x00000016 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\r\n"
                       "\n"
                       "   0x00000007 0x01: eax=1 ebx=0b10 ecx=0x3 edx=0x0000_0004\n"
                       "CPU 1:\n"
                       "   0x00000001 0x00: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\n";
    struct msr_cpuid_entry entries[4];
    struct msr_file_error e;
    size_t count = 99;

    ck_assert_int_eq(msr_cpuid_dump_parse(text, strlen(text), entries, 4, &count, &e), MSR_OK);
    ck_assert_int_eq(e.status, MSR_OK);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(entries[0].leaf, 0);
    ck_assert_uint_eq(entries[0].regs.ebx, 0x756e6547u);
    ck_assert_uint_eq(entries[0].regs.edx, 0x49656e69u);
    ck_assert_uint_eq(entries[1].leaf, 7);
    ck_assert_uint_eq(entries[1].subleaf, 1);
    ck_assert_uint_eq(entries[1].regs.eax, 1);
    ck_assert_uint_eq(entries[1].regs.ebx, 2);
    ck_assert_uint_eq(entries[1].regs.edx, 4);
    /* no CPU line at all; "CPU:" alone */
    ck_assert_int_eq(msr_cpuid_dump_parse("0x1 0x0: eax=1 ebx=2 ecx=3 edx=4", 32, entries, 4, &count, NULL),
                     MSR_OK);
    ck_assert_uint_eq(count, 1);
    text = "CPU:\n0x1 0x0: eax=1 ebx=2 ecx=3 edx=4\n CPU 12: extra\n0x2 0x0: eax=1 ebx=2 ecx=3 edx=4\n";
    ck_assert_int_eq(msr_cpuid_dump_parse(text, strlen(text), entries, 4, &count, NULL), MSR_OK);
    ck_assert_uint_eq(count, 1);
}
END_TEST

START_TEST(cpuid_dump_mistakes_name_their_line_and_word)
{
    static const struct {
        const char *text;
        int status;
        enum msr_file_item item;
        unsigned long line;
        const char *word;
    } cases[] = {
        { "CPU 0:\n0x1 0x0: eax=1 ebx=2 ecx=3\n", MSR_FILE_ERR_LEAF_LINE, MSR_FILE_ITEM_NONE, 2, NULL },
        { "0x1 0x0: eax=1 ebx=2 ecx=3 edx=4 more\n", MSR_FILE_ERR_LEAF_LINE, MSR_FILE_ITEM_NONE, 1, NULL },
        { "CPU 0 :\n", MSR_FILE_ERR_LEAF_LINE, MSR_FILE_ITEM_NONE, 1, NULL },
        { "0xG 0x0: eax=1 ebx=2 ecx=3 edx=4\n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_LEAF, 1, "0xG" },
        { "# x\n0x1 0x0 eax=1 ebx=2 ecx=3 edx=4\n", MSR_FILE_ERR_NO_COLON, MSR_FILE_ITEM_SUBLEAF, 2, "0x0" },
        { "0x1 : eax=1 ebx=2 ecx=3 edx=4\n", MSR_FILE_ERR_NO_COLON, MSR_FILE_ITEM_SUBLEAF, 1, ":" },
        { "0x1 0x1_: eax=1 ebx=2 ecx=3 edx=4\n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_SUBLEAF, 1, "0x1_" },
        { "0x1 0x0: eax=1 ebx=2 edx=3 edx=4\n", MSR_FILE_ERR_REGISTER, MSR_FILE_ITEM_ECX, 1, "edx=3" },
        { "0x1 0x0: eax=1 ebx=2 ecx=3 edx\n", MSR_FILE_ERR_REGISTER, MSR_FILE_ITEM_EDX, 1, "edx" },
        { "0x1 0x0: eax=1 ebx=0x100000000 ecx=3 edx=4\n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_EBX, 1,
          "0x100000000" },
        { "0x1 0x0: eax= ebx=2 ecx=3 edx=4\n", MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_EAX, 1, "" },
        { "# nothing\nCPU 0:\n\n", MSR_FILE_ERR_NO_LEAVES, MSR_FILE_ITEM_NONE, 0, NULL },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct msr_cpuid_entry entries[2];
        struct msr_file_error e;
        size_t count;

        ck_assert_msg(msr_cpuid_dump_parse(cases[i].text, strlen(cases[i].text), entries, 2, &count, &e) ==
                          cases[i].status,
                      "case %zu", i);
        ck_assert_int_eq(e.item, cases[i].item);
        ck_assert_uint_eq(e.line, cases[i].line);
        if (cases[i].word == NULL) {
            ck_assert_uint_eq(e.word_length, 0);
        } else {
            ck_assert_uint_eq(e.word_length, strlen(cases[i].word));
            ck_assert(memcmp(cases[i].text + e.word, cases[i].word, e.word_length) == 0);
        }
    }
}
END_TEST

START_TEST(cpuid_dump_without_room_and_nul)
{
    const char text[] = "0x1 0x0: eax=1 ebx=2 ecx=3 edx=4\n0x2 0x0: eax=1 ebx=2 ecx=3 edx=4\n0x3 0\0: x\n";
    struct msr_cpuid_entry entries[2];
    struct msr_file_error e;
    size_t count;

    ck_assert_int_eq(msr_cpuid_dump_parse(text, 66, entries, 1, &count, &e), MSR_FILE_ERR_NO_ROOM);
    ck_assert_uint_eq(count, 2);
    ck_assert_int_eq(msr_cpuid_dump_parse(text, 66, entries, 2, &count, &e), MSR_OK);
    ck_assert_uint_eq(entries[1].leaf, 2);
    ck_assert_int_eq(msr_cpuid_dump_parse(text, sizeof text - 1, entries, 2, &count, &e), MSR_FILE_ERR_NUL);
    ck_assert_uint_eq(e.line, 3);
}
END_TEST

START_TEST(the_shipped_cpuid_dumps_parse_and_answer)
{
    static const char *const files[] = { "tests/tool/data/cpuid-intel-vmx.txt", "tests/tool/data/cpuid-amd-svm.txt",
                                         "tests/tool/data/cpuid-intel-silvermont.txt" };
    size_t i;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t length, count = 0;
        char *text = slurp(files[i], &length);
        struct msr_cpuid_entry *entries;
        struct msr_cpuid_table table;
        struct msr_cpuid_source source;
        struct msr_cpuid_regs regs;

        ck_assert_int_eq(msr_cpuid_dump_parse(text, length, NULL, 0, &count, NULL), MSR_FILE_ERR_NO_ROOM);
        entries = calloc(count, sizeof *entries);
        ck_assert_ptr_nonnull(entries);
        ck_assert_int_eq(msr_cpuid_dump_parse(text, length, entries, count, &count, NULL), MSR_OK);
        table.entries = entries;
        table.count = count;
        source = msr_cpuid_table_source(&table);
        ck_assert_msg(source.query(source.ctx, 0, 0, &regs), "%s: leaf 0", files[i]);
        ck_assert_uint_ne(msr_cpu_vendors(&source), 0);
        free(entries);
        free(text);
    }
}
END_TEST

/* ---- the CPUID table source: entries for every subleaf ---------------------- */

START_TEST(table_entries_for_every_subleaf)
{
    const struct msr_cpuid_entry entries[] = {
        { 0x80000008u, MSR_CPUID_ANY_SUBLEAF, { 0x3030, 0, 0, 0 } }, /* not indexed */
        { 7, MSR_CPUID_ANY_SUBLEAF, { 0xA, 0, 0, 0 } },
        { 7, 0, { 0x1, 0, 0, 0 } },                                   /* exact: wins, though later */
        { 7, MSR_CPUID_ANY_SUBLEAF, { 0xB, 0, 0, 0 } },               /* the first of two applies */
        { 0xD, 1, { 0xD1, 0, 0, 0 } },
    };
    const struct msr_cpuid_table table = { entries, sizeof entries / sizeof entries[0] };
    struct msr_cpuid_source source = msr_cpuid_table_source(&table);
    struct msr_cpuid_regs r;

    ck_assert(source.query(source.ctx, 0x80000008u, 0, &r) && r.eax == 0x3030);
    ck_assert(source.query(source.ctx, 0x80000008u, 5, &r) && r.eax == 0x3030);
    ck_assert(source.query(source.ctx, 0x80000008u, 0xFFFFFFFFu, &r) && r.eax == 0x3030);
    ck_assert(source.query(source.ctx, 7, 0, &r) && r.eax == 0x1);
    ck_assert(source.query(source.ctx, 7, 1, &r) && r.eax == 0xA);
    /* an indexed leaf still matches exactly */
    ck_assert(source.query(source.ctx, 0xD, 1, &r) && r.eax == 0xD1);
    ck_assert(!source.query(source.ctx, 0xD, 0, &r));
    ck_assert(!source.query(source.ctx, 0x80000001u, 0, &r));
}
END_TEST

START_TEST(every_file_status_has_its_own_message)
{
    int a, b;

    for (a = MSR_FILE_ERR_NO_LEAVES; a <= MSR_FILE_ERR_NO_ROOM; a++) {
        ck_assert_ptr_nonnull(msr_file_strerror(a));
        ck_assert_str_ne(msr_file_strerror(a), msr_strerror(MSR_ERR_INVALID + 100)); /* not "unknown error" */
        for (b = MSR_FILE_ERR_NO_LEAVES; b < a; b++)
            ck_assert_str_ne(msr_file_strerror(a), msr_file_strerror(b));
    }
    /* the core's codes too */
    ck_assert_str_eq(msr_file_strerror(MSR_ERR_FAULT), msr_strerror(MSR_ERR_FAULT));
    ck_assert_str_eq(msr_file_strerror(MSR_OK), msr_strerror(MSR_OK));
}
END_TEST

/* docs/virtualization.md, "The guest's CPU": the hand-made table, as the docs write it. */
START_TEST(guest_facts_as_the_docs_build_them)
{
    static const struct msr_cpuid_entry intel_guest[] = {
        { 0x0, 0, { 0xD, 0x756E6547, 0x6C65746E, 0x49656E69 } },
        { 0x1, 0, { 0x906EA, 0, 1u << 5, 0 } },
        { 0x80000008u, MSR_CPUID_ANY_SUBLEAF, { 0x3030, 0, 0, 0 } },
    };
    static const struct msr_cpuid_table table = { intel_guest, 3 };
    struct msr_cpuid_source cpuid = msr_cpuid_table_source(&table);
    struct msr_cpuid_regs r;
    uint32_t family = 0, model = 0;

    ck_assert_uint_eq(msr_cpu_vendors(&cpuid), MSR_VENDOR_INTEL);
    ck_assert(msr_cpu_family_model(&cpuid, &family, &model));
    ck_assert_uint_eq(family, 6);
    ck_assert_uint_eq(model, 0x9E);
    ck_assert(cpuid.query(cpuid.ctx, 0x80000008u, 7, &r) && ((r.eax >> 8) & 0xFF) == 48 && (r.eax & 0xFF) == 48);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("files");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, numbers_in_every_base_with_separators);
    tcase_add_test(tc, numbers_refused_with_their_reason);
    tcase_add_test(tc, snapshot_cpus_and_values_sorted);
    tcase_add_test(tc, snapshot_of_nothing_is_empty);
    tcase_add_test(tc, snapshot_mistakes_name_their_line_and_word);
    tcase_add_test(tc, snapshot_details_of_mistakes);
    tcase_add_test(tc, snapshot_without_room_says_how_much_it_needs);
    tcase_add_test(tc, the_shipped_snapshots_parse);
    tcase_add_test(tc, cpuid_dump_of_the_first_cpu);
    tcase_add_test(tc, cpuid_dump_mistakes_name_their_line_and_word);
    tcase_add_test(tc, cpuid_dump_without_room_and_nul);
    tcase_add_test(tc, the_shipped_cpuid_dumps_parse_and_answer);
    tcase_add_test(tc, table_entries_for_every_subleaf);
    tcase_add_test(tc, guest_facts_as_the_docs_build_them);
    tcase_add_test(tc, every_file_status_has_its_own_message);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
