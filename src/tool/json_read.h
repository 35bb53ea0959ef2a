/*
 * A strict JSON reader (RFC 8259) that remembers where each value and key
 * starts, so that a file's consumer can say `FILE:LINE:COL: message`. No
 * comments, no trailing commas, no duplicate keys in an object; strings are
 * decoded (escapes, \uXXXX with surrogate pairs, to UTF-8); numbers are kept
 * as spelled, for the consumer to read at the width it needs. Nesting is
 * limited (JSON_READ_MAX_DEPTH), so no input exhausts the stack.
 */
#ifndef X86MSR_TOOL_JSON_READ_H
#define X86MSR_TOOL_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_READ_MAX_DEPTH 64

enum json_kind { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_member;

struct json_value {
    enum json_kind kind;
    unsigned line, col;            /* of its first character, from 1 */
    char *text;                    /* STRING: decoded, NUL-terminated (no NUL inside); NUMBER: as spelled */
    struct json_value *items;      /* ARRAY */
    struct json_member *members;   /* OBJECT, in file order */
    size_t count;                  /* items or members */
};

struct json_member {
    char *key;                     /* decoded */
    unsigned line, col;            /* of the key */
    struct json_value value;
};

struct json_read_error {
    unsigned line, col;
    char message[160];
};

/*
 * Parses `size` bytes at `text` into *out. Returns true, or false with *err
 * set (nothing to free then). Free a parsed value with json_value_free().
 */
bool json_read(const char *text, size_t size, struct json_value *out, struct json_read_error *err);
void json_value_free(struct json_value *value);

/* "a string", "an object", ...: how messages name a kind. */
const char *json_kind_name(enum json_kind kind);

#endif
