#include "json.h"

#include <stddef.h>
#include <string.h>

static void write_escaped(struct json_writer *w, const char *s);

void json_init(struct json_writer *w, FILE *out)
{
    w->out = out;
    w->compact = false;
    w->depth = 0;
    w->after_key = false;
    w->has_items[0] = false;
    w->used = 0;
}

void json_init_compact(struct json_writer *w, FILE *out)
{
    json_init(w, out);
    w->compact = true;
}

/* ---- the buffer: bytes reach `out` a buffer at a time ---- */

static void flush(struct json_writer *w)
{
    fwrite(w->buffer, 1, w->used, w->out);
    w->used = 0;
}

static void put(struct json_writer *w, const char *bytes, size_t length)
{
    if (length > sizeof w->buffer - w->used) {
        flush(w);
        if (length > sizeof w->buffer) {
            fwrite(bytes, 1, length, w->out);
            return;
        }
    }
    memcpy(w->buffer + w->used, bytes, length);
    w->used += length;
}

static void put_char(struct json_writer *w, char c)
{
    if (w->used == sizeof w->buffer)
        flush(w);
    w->buffer[w->used++] = c;
}

static void put_text(struct json_writer *w, const char *text)
{
    put(w, text, strlen(text));
}

/* `value` in decimal. (By hand, as the next: printf's format parsing was a
 * fifth of 'list --json' once the stdio calls were gone.) */
static void put_decimal(struct json_writer *w, uint64_t value)
{
    char text[20];
    size_t start = sizeof text;

    do {
        text[--start] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    put(w, text + start, sizeof text - start);
}

/* "0x..." in quotes: `value` in uppercase hex, at least `digits` digits
 * (1..16), as printf's "\"0x%0*" PRIX64 "\"". */
static void put_quoted_hex(struct json_writer *w, uint64_t value, int digits)
{
    static const char hex[] = "0123456789ABCDEF";
    char text[1 + 2 + 16 + 1];
    size_t start = sizeof text;

    text[--start] = '"';
    do {
        text[--start] = hex[value & 0xF];
        value >>= 4;
        digits--;
    } while (value != 0 || digits > 0);
    text[--start] = 'x';
    text[--start] = '0';
    text[--start] = '"';
    put(w, text + start, sizeof text - start);
}

/* ---- structure ---- */

static void newline_and_indent(struct json_writer *w)
{
    static const char indent[1 + 2 * JSON_MAX_DEPTH + 1] =
        "\n                                                                ";

    if (w->compact)
        return;
    put(w, indent, 1 + 2 * (size_t)w->depth);
}

/* Everything that starts a new item (a value in an array, a key in an
 * object, the top-level value) goes through here. */
static void start_item(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth])
            put_text(w, w->compact ? ", " : ",");
        newline_and_indent(w);
    }
    w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char bracket)
{
    start_item(w);
    put_char(w, bracket);
    /* Deeper nesting than the tool ever produces is a programming error;
     * clamp rather than write out of bounds. */
    if (w->depth < JSON_MAX_DEPTH)
        w->depth++;
    w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char bracket)
{
    bool had_items = w->has_items[w->depth];

    if (w->depth > 0)
        w->depth--;
    if (had_items)
        newline_and_indent(w);
    put_char(w, bracket);
}

void json_begin_object(struct json_writer *w)
{
    open_container(w, '{');
}

void json_end_object(struct json_writer *w)
{
    close_container(w, '}');
}

void json_begin_array(struct json_writer *w)
{
    open_container(w, '[');
}

void json_end_array(struct json_writer *w)
{
    close_container(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
    start_item(w);
    write_escaped(w, key);
    put(w, ": ", 2);
    w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
    if (s == NULL) {
        json_null(w);
        return;
    }
    start_item(w);
    write_escaped(w, s);
}

void json_uint(struct json_writer *w, uint64_t value)
{
    start_item(w);
    put_decimal(w, value);
}

void json_hex(struct json_writer *w, uint64_t value)
{
    start_item(w);
    put_quoted_hex(w, value, 1);
}

void json_hex_bits(struct json_writer *w, uint64_t value, unsigned bits)
{
    int digits = (int)((bits == 0 ? 1 : bits > 64 ? 64 : bits) + 3) / 4;

    start_item(w);
    put_quoted_hex(w, value, digits);
}

void json_address(struct json_writer *w, uint32_t address)
{
    json_hex_bits(w, address, 32);
}

void json_mask64(struct json_writer *w, uint64_t mask)
{
    json_hex_bits(w, mask, 64);
}

#define JSON_EXACT_LIMIT (UINT64_C(1) << 53)

void json_value_member(struct json_writer *w, const char *key, uint64_t value, unsigned bits)
{
    char int_key[64];

    json_key(w, key);
    json_hex_bits(w, value, bits);
    if (value < JSON_EXACT_LIMIT) {
        snprintf(int_key, sizeof int_key, "%s_int", key);
        json_key(w, int_key);
        json_uint(w, value);
    }
}

void json_double(struct json_writer *w, double value)
{
    char text[512]; /* "%.3f" of the largest double: 313 characters */
    int length;

    start_item(w);
    length = snprintf(text, sizeof text, "%.3f", value);
    if (length > 0) /* negative: an encoding error, nothing printed */
        put(w, text, (size_t)length);
}

void json_bool(struct json_writer *w, bool value)
{
    start_item(w);
    put_text(w, value ? "true" : "false");
}

void json_null(struct json_writer *w)
{
    start_item(w);
    put(w, "null", 4);
}

void json_write_error_member(struct json_writer *w, enum tool_error_code code, const char *message)
{
    json_key(w, "error");
    json_begin_object(w);
    json_key(w, "code");
    json_string(w, tool_error_code_name(code));
    json_key(w, "message");
    json_string(w, message);
    json_end_object(w);
}

void json_finish(struct json_writer *w)
{
    put_char(w, '\n');
    flush(w);
}

/* Length of the valid UTF-8 sequence starting at `p` (2..4), or 0 when it is
 * not one: bad lead byte, missing continuation, overlong form, surrogate, or
 * beyond U+10FFFF. */
static size_t utf8_sequence_length(const unsigned char *p)
{
    size_t length, i;
    uint32_t code, min;

    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        length = 2;
        code = p[0] & 0x1Fu;
        min = 0x80;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        length = 3;
        code = p[0] & 0x0Fu;
        min = 0x800;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        length = 4;
        code = p[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    for (i = 1; i < length; i++) {
        if ((p[i] & 0xC0u) != 0x80u) /* also stops at the terminating NUL */
            return 0;
        code = (code << 6) | (p[i] & 0x3Fu);
    }
    if (code < min || code > 0x10FFFFu || (code >= 0xD800u && code <= 0xDFFFu))
        return 0;
    return length;
}

/* The escape of byte `c`, which cannot stand for itself in a JSON string:
 * a quote, a backslash, a control character, or a byte of no valid UTF-8
 * sequence (U+FFFD). */
static void write_escape(struct json_writer *w, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char control[] = {'\\', 'u', '0', '0', hex[c >> 4 & 0xF], hex[c & 0xF]};

    switch (c) {
    case '"':
        put(w, "\\\"", 2);
        break;
    case '\\':
        put(w, "\\\\", 2);
        break;
    case '\n':
        put(w, "\\n", 2);
        break;
    case '\r':
        put(w, "\\r", 2);
        break;
    case '\t':
        put(w, "\\t", 2);
        break;
    case '\b':
        put(w, "\\b", 2);
        break;
    case '\f':
        put(w, "\\f", 2);
        break;
    default:
        if (c < 0x20)
            put(w, control, sizeof control);
        else
            put(w, "\\uFFFD", 6);
    }
}

/* The bytes between escapes are copied as one run (almost always the whole
 * string): writing a character at a time through fputc, each call taking the
 * stream's lock, was most of the time of 'list --json'. */
static void write_escaped(struct json_writer *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *run = p;

    put_char(w, '"');
    for (;;) {
        unsigned char c = *p;
        size_t length;

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        if (c >= 0x80 && (length = utf8_sequence_length(p)) != 0) {
            p += length;
            continue;
        }
        put(w, (const char *)run, (size_t)(p - run));
        if (c == '\0')
            break;
        write_escape(w, c);
        run = ++p;
    }
    put_char(w, '"');
}
