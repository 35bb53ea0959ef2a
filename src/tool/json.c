#include "json.h"

#include "diag.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

void json_init(struct json_writer *w, FILE *out)
{
    w->out = out;
    w->compact = false;
    w->depth = 0;
    w->after_key = false;
    w->has_items[0] = false;
    if (out == stdout)
        diag_result_started();
}

void json_init_compact(struct json_writer *w, FILE *out)
{
    json_init(w, out);
    w->compact = true;
}

/* A newline and two spaces per level, as one write: a document such as
 * 'list --json' has a quarter of a million of them. */
static void newline_and_indent(struct json_writer *w)
{
    static const char indent[1 + 2 * JSON_MAX_DEPTH + 1] =
        "\n                                                                ";

    if (w->compact)
        return;
    fwrite(indent, 1, 1 + 2 * (size_t)w->depth, w->out);
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
            fputs(w->compact ? ", " : ",", w->out);
        newline_and_indent(w);
    }
    w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char bracket)
{
    start_item(w);
    fputc(bracket, w->out);
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
    fputc(bracket, w->out);
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
    json_write_escaped(w->out, key);
    fputs(": ", w->out);
    w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
    if (s == NULL) {
        json_null(w);
        return;
    }
    start_item(w);
    json_write_escaped(w->out, s);
}

void json_uint(struct json_writer *w, uint64_t value)
{
    start_item(w);
    fprintf(w->out, "%" PRIu64, value);
}

void json_hex(struct json_writer *w, uint64_t value)
{
    start_item(w);
    fprintf(w->out, "\"0x%" PRIX64 "\"", value);
}

void json_hex_bits(struct json_writer *w, uint64_t value, unsigned bits)
{
    int digits = (int)((bits == 0 ? 1 : bits > 64 ? 64 : bits) + 3) / 4;

    start_item(w);
    fprintf(w->out, "\"0x%0*" PRIX64 "\"", digits, value);
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
    start_item(w);
    fprintf(w->out, "%.3f", value);
}

void json_bool(struct json_writer *w, bool value)
{
    start_item(w);
    fputs(value ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
    start_item(w);
    fputs("null", w->out);
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
    fputc('\n', w->out);
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
static void write_escape(FILE *out, unsigned char c)
{
    switch (c) {
    case '"':
        fputs("\\\"", out);
        break;
    case '\\':
        fputs("\\\\", out);
        break;
    case '\n':
        fputs("\\n", out);
        break;
    case '\r':
        fputs("\\r", out);
        break;
    case '\t':
        fputs("\\t", out);
        break;
    case '\b':
        fputs("\\b", out);
        break;
    case '\f':
        fputs("\\f", out);
        break;
    default:
        if (c < 0x20)
            fprintf(out, "\\u%04X", (unsigned)c);
        else
            fputs("\\uFFFD", out);
    }
}

/* The bytes between escapes go out as one fwrite each (almost always the
 * whole string): a write per character, each taking the stream's lock, was
 * most of the time of 'list --json'. */
void json_write_escaped(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *run = p;

    fputc('"', out);
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
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), out);
        if (c == '\0')
            break;
        write_escape(out, c);
        run = ++p;
    }
    fputc('"', out);
}
