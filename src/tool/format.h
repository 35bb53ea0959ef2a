/*
 * Text renderings of metadata shared by the text and JSON outputs, so every
 * subcommand spells an address, a bit range or a CPUID condition the same way.
 * Each writes into a caller buffer of at least the given size.
 */
#ifndef X86MSR_TOOL_FORMAT_H
#define X86MSR_TOOL_FORMAT_H

#include <x86msr/meta.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FORMAT_NUMBER_SIZE 24  /* "0x" + 16 digits, or 20 decimal digits, + NUL */
#define FORMAT_TEXT_SIZE 256

/*
 * One number format everywhere (docs/tool.md, "Numbers"): hex with 0x and
 * uppercase digits, zero-padded to the width of what the number holds.
 */
/* "0xC" : no padding -- only for numbers the user typed, quoted back. */
void format_hex(char *buf, uint64_t value);
/* "0x0C": padded to ceil(bits / 4) digits (bits 1..64). */
void format_hex_bits(char *buf, uint64_t value, unsigned bits);
/* "0x0000003A": an MSR address, 8 digits. */
void format_address(char *buf, uint32_t address);
/* "0x0000000000000D01": a register value or mask, 16 digits. */
void format_value64(char *buf, uint64_t value);
/* A value of `field` (not shifted), padded to the field's width: "0x1", "0x06",
 * "0x00000FEE00". */
void format_field_value(char *buf, const struct msr_field_info *field, uint64_t value);
/* The field's width in bits. */
unsigned field_width(const struct msr_field_info *field);
void format_decimal(char *buf, uint64_t value);

/* "11" for a one-bit field, "63:32" otherwise. */
void format_bits(char *buf, unsigned msb, unsigned lsb);

/* The set bits of `mask` as ranges, high to low, with the right noun:
 * "bits 63:13, 9, 7:1", "bit 63", "bits 7:4"; "no bits" for 0.
 * Needs FORMAT_TEXT_SIZE (64 bits make at most 32 ranges: fits). */
void format_bit_ranges(char *buf, uint64_t mask);

/* "intel, amd": the names of a vendor set, in msr_vendor_table order
 * (FORMAT_TEXT_SIZE). */
void format_vendors(char *buf, uint32_t vendors);

/* A presence condition of register `msr` in the manuals' notation, with its
 * array index for n ("IA32_MTRRCAP[7:0] > 3"); "" for none. Needs
 * FORMAT_CONDITION_SIZE. */
#define FORMAT_CONDITION_SIZE 1024
void format_condition(char *buf, const struct msr_condition *cond, const struct msr_instance *msr);

/* The category's name ("vmx"). */
const char *category_name(const struct msr_def *def);

/* The name of `field`, one of the fields of `def` ("NXE"). The tool hands a
 * field around as its check record (what msr_find_field() finds, what the
 * bits come from); this is where it gets its text. */
const char *field_name(const struct msr_def *def, const struct msr_field_info *field);
/* Whether `field` of `def` has named values (an enumeration). */
bool field_is_enumerated(const struct msr_def *def, const struct msr_field_info *field);

#endif
