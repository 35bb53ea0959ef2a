/*
 * A streaming JSON writer: the caller says begin/key/value/end, the writer
 * takes care of commas, indentation and string escaping, so no subcommand
 * ever assembles JSON text by hand.
 *
 * Conventions of the tool's JSON (shared by every subcommand; docs/tool.md,
 * "Numbers"):
 *   - every hex number is padded to the width of what it holds: register
 *     values and masks 16 digits ("0x0000000000000D01"), addresses and CPUID
 *     inputs 8, a field's value ceil(width / 4);
 *   - a value (register value, field value, old/new, delta) also comes as an
 *     integer, "<key>_int", when it is below 2^53: JSON numbers lose precision
 *     above that in many parsers (JavaScript, jq 1.6), so bigger ones are
 *     left out rather than rounded; masks and addresses are hex only;
 *   - small counts, CPU numbers and bit positions are plain numbers;
 *   - optional members are omitted when absent.
 */
#ifndef X86MSR_TOOL_JSON_H
#define X86MSR_TOOL_JSON_H

#include "diag.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32
#define JSON_BUFFER_SIZE 8192

struct json_writer {
    FILE *out;
    bool compact;                         /* one line, no indentation (JSON Lines) */
    unsigned depth;
    bool after_key;                       /* the next value completes a member */
    bool has_items[JSON_MAX_DEPTH + 1];   /* per open container: needs a comma */
    size_t used;                          /* bytes in buffer, not yet written to out */
    char buffer[JSON_BUFFER_SIZE];
};

/* Starts a document on `out` (a command's result on stdout starts with
 * diag_json_result(), diag.h). json_init_compact writes it on one line. The writer collects the text in its buffer and hands it to
 * `out` a buffer at a time (a stdio call per token was most of the time of
 * 'list --json'); json_finish() hands over the rest. */
void json_init(struct json_writer *w, FILE *out);
void json_init_compact(struct json_writer *w, FILE *out);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

/* The member name; the next call writes its value. */
void json_key(struct json_writer *w, const char *key);

/* `s` as a quoted JSON string (NULL writes null): quotes, backslashes and
 * control characters escaped, valid UTF-8 passed through and each byte of an
 * invalid UTF-8 sequence replaced with U+FFFD, so the output is always valid
 * JSON. */
void json_string(struct json_writer *w, const char *s);
void json_uint(struct json_writer *w, uint64_t value);
void json_hex(struct json_writer *w, uint64_t value);   /* "0x1F" (unpadded; prefer the next ones) */
/* "0x0F": padded to ceil(bits / 4) digits (bits 1..64). */
void json_hex_bits(struct json_writer *w, uint64_t value, unsigned bits);
void json_address(struct json_writer *w, uint32_t address); /* "0xC0000080", 8 digits */
void json_mask64(struct json_writer *w, uint64_t mask);     /* 16 digits */
/* The member `key` as hex padded to `bits`, and `key`_int as an integer when
 * the value is below 2^53. */
void json_value_member(struct json_writer *w, const char *key, uint64_t value, unsigned bits);
void json_bool(struct json_writer *w, bool value);
void json_double(struct json_writer *w, double value); /* 3 decimals: 0.050 */
void json_null(struct json_writer *w);

/* The member "error": {"code": "fault", "message": "..."} of a failed entry. */
void json_write_error_member(struct json_writer *w, enum tool_error_code code, const char *message);

/* Ends the document with a newline and writes what the buffer holds to `out`.
 * Every document ends with it: until then its text may be in the buffer. */
void json_finish(struct json_writer *w);

#endif
