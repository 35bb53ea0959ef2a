/*
 * Strict number parsing for command-line arguments: x86msr/files.h's
 * msr_parse_number() (the rules are there), with its reasons in words.
 *
 * Accepted: decimal (`128`), hex with `0x` (`0xC0000080`), binary with `0b`
 * (`0b1101`); `_` may separate digits (`0xFFFF_0000`). Rejected, each with a
 * reason: empty text, a sign, whitespace, a decimal with a leading zero (C and
 * strtoul read `010` as octal 8; we refuse to guess), a prefix without
 * digits, any character that is not a digit of the base (trailing garbage
 * included), and values wider than the allowed number of bits.
 * Unlike strtoul, nothing is silently skipped or clamped.
 */
#ifndef X86MSR_TOOL_NUMBER_H
#define X86MSR_TOOL_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <x86msr/files.h>

/* Parses `text` as an unsigned number of at most `bits` bits (1..64).
 * On failure returns false and writes the reason ("'G' is not a hex digit")
 * into `why`. */
bool parse_number(const char *text, unsigned bits, uint64_t *out, char *why, size_t why_size);

/* The reason for `error` in words ("'G' is not a hex digit"), for the number
 * `text` (the start of its word) read as `bits` bits. */
void number_why(const char *text, unsigned bits, const struct msr_number_error *error, char *why, size_t why_size);

#endif
