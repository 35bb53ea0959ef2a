/*
 * A streaming JSON writer: the caller says begin/key/value/end, the writer
 * takes care of commas, indentation and string escaping, so no subcommand
 * ever assembles JSON text by hand.
 *
 * Conventions of the tool's JSON (shared by every subcommand):
 *   - register-sized values (addresses, raw values, masks) are strings of hex
 *     digits, "0xC0000080": JSON numbers lose precision above 2^53 in many
 *     parsers;
 *   - small counts and bit positions are plain numbers;
 *   - optional members are omitted when absent.
 */
#ifndef X86MSR_TOOL_JSON_H
#define X86MSR_TOOL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
    FILE *out;
    unsigned depth;
    bool after_key;                       /* the next value completes a member */
    bool has_items[JSON_MAX_DEPTH + 1];   /* per open container: needs a comma */
};

void json_init(struct json_writer *w, FILE *out);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

/* The member name; the next call writes its value. */
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s); /* NULL writes null */
void json_uint(struct json_writer *w, uint64_t value);
void json_hex(struct json_writer *w, uint64_t value);   /* "0x1F" */
void json_bool(struct json_writer *w, bool value);
void json_null(struct json_writer *w);

/* Ends the document with a newline. */
void json_finish(struct json_writer *w);

/* Writes `s` as a quoted JSON string: escapes quotes, backslashes and control
 * characters, passes valid UTF-8 through and replaces each byte of an
 * invalid UTF-8 sequence with U+FFFD, so the output is always valid JSON. */
void json_write_escaped(FILE *out, const char *s);

#endif
