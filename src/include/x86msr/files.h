/*
 * x86msr's two text formats, read from a buffer into storage the caller
 * provides: no allocation, no libc (freestanding C), one pass over the text.
 * The `x86msr` tool reads its files with these functions; a VMM can read the
 * same files (the snapshots in tests/vmx/snapshots, a `cpuid -r -1` dump) to
 * test its set-up against real processors' values.
 *
 * Snapshot files (what `x86msr dump --snapshot` writes):
 *
 *   # x86msr snapshot ...            a comment: '#' to the end of the line
 *   # cpu 0                          the following values are CPU 0's
 *   0x0000003A 0x0000000000000005    ADDRESS VALUE, blanks between
 *   0xC0000080 3329  # IA32_EFER     numbers as msr_parse_number() reads them
 *
 * A comment whose first word is `cpu` must be exactly `# cpu N`. Values
 * before the first such line belong to CPU 0, so a plain list of "ADDRESS
 * VALUE" lines is a one-CPU snapshot. Blank lines and CR LF line ends are
 * fine. A CPU may appear once, an address once per CPU.
 *
 * CPUID dumps, the raw format of the Debian `cpuid` tool (`cpuid -r -1`):
 *
 *   CPU 0:
 *      0x00000000 0x00: eax=0x00000016 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69
 *
 * Only the first CPU's block is read; a `CPU N:` or `CPU:` line is optional;
 * a line whose first non-blank character is `#` is a comment.
 *
 * Either parser stops at the first mistake and describes it in a struct
 * msr_file_error: what, on which line, the word at fault (an offset into the
 * text) and, for a number, why (struct msr_number_error).
 */
#ifndef X86MSR_FILES_H
#define X86MSR_FILES_H

#include "x86msr/core.h"
#include "x86msr/cpuid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- numbers -------------------------------------------------------------- */

/*
 * msr_parse_number() reads decimal (`128`), hex with `0x` (`0xC0000080`) and
 * binary with `0b` (`0b1101`); `_` may separate digits (`0xFFFF_0000`). It
 * refuses, each with its reason: nothing, a sign, a decimal with a leading
 * zero (C reads `010` as octal 8; x86msr does not guess), a prefix without
 * digits, a `_` that does not sit between two digits, a byte that is not a
 * digit of the base (blanks and trailing text included) and a value wider
 * than `bits`. Nothing is skipped or clamped.
 */
enum msr_number_reason {
    MSR_NUMBER_OK = 0,
    MSR_NUMBER_EMPTY,
    MSR_NUMBER_SIGN,
    MSR_NUMBER_NO_DIGITS,    /* "0x" or "0b" alone */
    MSR_NUMBER_LEADING_ZERO, /* a decimal such as 010 */
    MSR_NUMBER_SEPARATOR,    /* a misplaced '_' */
    MSR_NUMBER_BAD_DIGIT,    /* `byte` is not a digit of base `radix` */
    MSR_NUMBER_TOO_WIDE      /* does not fit in the bits allowed */
};

struct msr_number_error {
    enum msr_number_reason reason;
    uint8_t radix; /* 10, 16 or 2: the base the text asked for */
    uint8_t byte;  /* MSR_NUMBER_BAD_DIGIT: the first byte at fault */
};

/* Reads the `length` bytes at `text` as an unsigned number of at most `bits`
 * bits (1..64) into *out. MSR_OK, or MSR_FILE_ERR_NUMBER with the reason in
 * *why (when given). */
int msr_parse_number(const char *text, size_t length, unsigned bits, uint64_t *out, struct msr_number_error *why);

/* ---- errors --------------------------------------------------------------- */

/* The status codes of this header (x86msr/core.h's MSR_OK, else one of these:
 * docs/using-the-headers.md, "Status codes"). */
enum msr_file_status {
    MSR_FILE_ERR_NO_ROOM = -80,       /* the storage is too small; the counts say how much the text needs */
    MSR_FILE_ERR_NUL = -81,           /* a NUL byte in the line (not a text file?) */
    MSR_FILE_ERR_NUMBER = -82,        /* the word of `item` is not a number: `number` says why */
    MSR_FILE_ERR_CPU_LINE = -83,      /* snapshot: a '# cpu' line that is not '# cpu N' */
    MSR_FILE_ERR_CPU_RANGE = -84,     /* snapshot: a CPU number at or above the parser's limit */
    MSR_FILE_ERR_CPU_TWICE = -85,     /* snapshot: `cpu` again; first at `first_line` (0: before any '# cpu' line) */
    MSR_FILE_ERR_ONE_WORD = -86,      /* snapshot: one word where 'ADDRESS VALUE' belongs */
    MSR_FILE_ERR_MORE_WORDS = -87,    /* snapshot: more than two */
    MSR_FILE_ERR_ADDRESS_TWICE = -88, /* snapshot: `address` twice for `cpu`; first at `first_line` */
    MSR_FILE_ERR_LEAF_LINE = -89,     /* CPUID dump: not 'LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..' */
    MSR_FILE_ERR_NO_COLON = -90,      /* CPUID dump: the subleaf (the word) does not end in ':' */
    MSR_FILE_ERR_REGISTER = -91,      /* CPUID dump: the word is not `item`=VALUE */
    MSR_FILE_ERR_NO_LEAVES = -92      /* CPUID dump: not one leaf */
};

/* The code in words ("a NUL byte in the line"); the core's codes too. */
const char *msr_file_strerror(int status);

/* The part of a line an error names. */
enum msr_file_item {
    MSR_FILE_ITEM_NONE = 0,
    MSR_FILE_ITEM_CPU,
    MSR_FILE_ITEM_ADDRESS,
    MSR_FILE_ITEM_VALUE,
    MSR_FILE_ITEM_LEAF,
    MSR_FILE_ITEM_SUBLEAF,
    MSR_FILE_ITEM_EAX,
    MSR_FILE_ITEM_EBX,
    MSR_FILE_ITEM_ECX,
    MSR_FILE_ITEM_EDX
};

struct msr_file_error {
    int status;                /* MSR_OK or an MSR_FILE_ERR_ code */
    enum msr_file_item item;
    unsigned long line;        /* 1 for the first line; 0 for a mistake of the whole text */
    unsigned long first_line;  /* _TWICE: the line of the first occurrence */
    size_t word, word_length;  /* the word at fault: text + word, word_length bytes (0, 0: none) */
    struct msr_number_error number; /* MSR_FILE_ERR_NUMBER: why */
    uint32_t cpu, address;     /* _TWICE, _CPU_RANGE (cpu) */
};

/* "eax", "address", ...; "" for MSR_FILE_ITEM_NONE. */
const char *msr_file_item_name(enum msr_file_item item);

/* ---- snapshots ------------------------------------------------------------ */

struct msr_snapshot_value {
    uint64_t value;
    uint32_t address;
    unsigned long line;
};

struct msr_snapshot_cpu {
    const struct msr_snapshot_value *values; /* ascending address, in the snapshot's value storage */
    size_t count;
    uint32_t cpu;
    unsigned long line; /* of its '# cpu N' line; 0 for values before any */
};

struct msr_snapshot {
    /* Set by the caller: the storage, and the CPU numbers allowed (below
     * cpu_limit; 0 = any). */
    struct msr_snapshot_cpu *cpus;
    size_t cpu_capacity;
    struct msr_snapshot_value *values;
    size_t value_capacity;
    uint32_t cpu_limit;
    /* Set by msr_snapshot_parse(): the CPUs (ascending) and values used; after
     * MSR_FILE_ERR_NO_ROOM, how many the text needs. */
    size_t cpu_count;
    size_t value_count;
};

/*
 * Reads the snapshot in `text` (`length` bytes). MSR_OK, or the status
 * of the first mistake (also in *error, when given; with MSR_FILE_ERR_NO_ROOM the
 * counts say how much room the text needs, and a mistake that needs the
 * values to be kept, an address given twice, may only show with enough room).
 */
int msr_snapshot_parse(const char *text, size_t length, struct msr_snapshot *snapshot,
                       struct msr_file_error *error);

/* The values of `cpu`, or NULL when the snapshot has none. */
const struct msr_snapshot_cpu *msr_snapshot_find_cpu(const struct msr_snapshot *snapshot, uint32_t cpu);

/* The value of `address` on `cpu`; false when the snapshot lacks it. */
bool msr_snapshot_lookup(const struct msr_snapshot_cpu *cpu, uint32_t address, uint64_t *value);

/* A reader over one CPU's values (a msr_read_fn: ctx is a const struct
 * msr_snapshot_cpu *), for msr_vmx_caps_read_with() or struct msr_facts:
 * MSR_OK, or MSR_ERR_FAULT for an address the snapshot lacks. */
int msr_snapshot_read(void *ctx, uint32_t msr, uint64_t *value);

/* ---- CPUID dumps ---------------------------------------------------------- */

/*
 * Reads the CPUID dump in `text` (`length` bytes) into `entries` (room for
 * `capacity`), in the order of the file; *count is how many leaves it holds
 * (after MSR_FILE_ERR_NO_ROOM, how many the text needs). MSR_OK, or the
 * status of the first mistake (also in *error, when given).
 */
int msr_cpuid_dump_parse(const char *text, size_t length, struct msr_cpuid_entry *entries, size_t capacity,
                         size_t *count, struct msr_file_error *error);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_FILES_H */
