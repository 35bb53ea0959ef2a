/* A strict JSON reader with positions (json_read.h). */
#include "json_read.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    const char *p, *end;
    unsigned line, col;
    struct json_read_error *err;
    bool failed;
};

static void fail_at(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_at(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
{
    va_list ap;

    if (r->failed)
        return;
    r->failed = true;
    r->err->line = line;
    r->err->col = col;
    va_start(ap, fmt);
    vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
    va_end(ap);
}

#define FAIL(r, ...) fail_at((r), (r)->line, (r)->col, __VA_ARGS__)

/* The character at the cursor, quoted for a message. */
static const char *quoted(const struct reader *r, char *buf, size_t size)
{
    unsigned char c;

    if (r->p >= r->end)
        return "the end of the file";
    c = (unsigned char)*r->p;
    if (c >= 0x20 && c < 0x7F)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02X", c);
    return buf;
}

static void advance(struct reader *r)
{
    if (*r->p == '\n') {
        r->line++;
        r->col = 1;
    } else {
        r->col++;
    }
    r->p++;
}

static void skip_blanks(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        advance(r);
}

static bool take(struct reader *r, char c)
{
    if (r->p < r->end && *r->p == c) {
        advance(r);
        return true;
    }
    return false;
}

/* A growing byte buffer for a decoded string. */
struct text {
    char *s;
    size_t used, size;
};

static bool put(struct reader *r, struct text *t, unsigned char c)
{
    if (t->used + 2 > t->size) {
        size_t size = t->size ? t->size * 2 : 32;
        char *s = realloc(t->s, size);
        if (s == NULL) {
            FAIL(r, "out of memory");
            return false;
        }
        t->s = s;
        t->size = size;
    }
    t->s[t->used++] = (char)c;
    t->s[t->used] = '\0';
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits after "\u"; -1 after an error. */
static long hex4(struct reader *r)
{
    long v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int d = r->p < r->end ? hex_digit(*r->p) : -1;
        if (d < 0) {
            FAIL(r, "\\u needs four hex digits");
            return -1;
        }
        v = v * 16 + d;
        advance(r);
    }
    return v;
}

static bool put_utf8(struct reader *r, struct text *t, unsigned long cp)
{
    if (cp < 0x80)
        return put(r, t, (unsigned char)cp);
    if (cp < 0x800)
        return put(r, t, (unsigned char)(0xC0 | (cp >> 6))) && put(r, t, (unsigned char)(0x80 | (cp & 0x3F)));
    if (cp < 0x10000)
        return put(r, t, (unsigned char)(0xE0 | (cp >> 12))) && put(r, t, (unsigned char)(0x80 | ((cp >> 6) & 0x3F))) &&
               put(r, t, (unsigned char)(0x80 | (cp & 0x3F)));
    return put(r, t, (unsigned char)(0xF0 | (cp >> 18))) && put(r, t, (unsigned char)(0x80 | ((cp >> 12) & 0x3F))) &&
           put(r, t, (unsigned char)(0x80 | ((cp >> 6) & 0x3F))) && put(r, t, (unsigned char)(0x80 | (cp & 0x3F)));
}

/* One escape after the backslash. */
static bool escape(struct reader *r, struct text *t)
{
    static const char plain[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
    const char *at;
    unsigned line = r->line, col = r->col - 1;
    long cp, low;

    if (r->p >= r->end) {
        FAIL(r, "unterminated string");
        return false;
    }
    at = strchr(plain, *r->p);
    if (at != NULL && *r->p != '\0') {
        advance(r);
        return put(r, t, (unsigned char)meant[at - plain]);
    }
    if (*r->p != 'u') {
        char buf[16];
        FAIL(r, "invalid escape \\%s in a string", quoted(r, buf, sizeof buf));
        return false;
    }
    advance(r);
    cp = hex4(r);
    if (cp < 0)
        return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail_at(r, line, col, "a lone low surrogate \\u%04lX", (unsigned long)cp);
        return false;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (!(take(r, '\\') && take(r, 'u'))) {
            fail_at(r, line, col, "a high surrogate \\u%04lX without its low half", (unsigned long)cp);
            return false;
        }
        low = hex4(r);
        if (low < 0)
            return false;
        if (low < 0xDC00 || low > 0xDFFF) {
            fail_at(r, line, col, "a high surrogate \\u%04lX without its low half", (unsigned long)cp);
            return false;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) {
        fail_at(r, line, col, "\\u0000 (a NUL) in a string");
        return false;
    }
    return put_utf8(r, t, (unsigned long)cp);
}

/* A string at the cursor ('"'), decoded into a new buffer; NULL after an error. */
static char *string(struct reader *r)
{
    struct text t = {NULL, 0, 0};
    unsigned line = r->line, col = r->col;

    advance(r); /* the opening quote */
    if (!put(r, &t, 'x'))
        return NULL;
    t.used = 0;
    t.s[0] = '\0';
    for (;;) {
        unsigned char c;

        if (r->p >= r->end) {
            fail_at(r, line, col, "unterminated string");
            break;
        }
        c = (unsigned char)*r->p;
        if (c == '"') {
            advance(r);
            return t.s;
        }
        if (c < 0x20) {
            FAIL(r, "a control character (0x%02X) in a string: escape it", c);
            break;
        }
        advance(r);
        if (c == '\\' ? !escape(r, &t) : !put(r, &t, c))
            break;
    }
    free(t.s);
    return NULL;
}

static bool digits(struct reader *r)
{
    bool any = false;

    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        advance(r);
        any = true;
    }
    return any;
}

static bool number(struct reader *r, struct json_value *v)
{
    const char *start = r->p;
    size_t n;

    take(r, '-');
    if (take(r, '0')) {
        if (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
            FAIL(r, "a number with a leading zero");
            return false;
        }
    } else if (!digits(r)) {
        FAIL(r, "invalid number: a digit must follow '-'");
        return false;
    }
    if (take(r, '.') && !digits(r)) {
        FAIL(r, "invalid number: a digit must follow '.'");
        return false;
    }
    if (take(r, 'e') || take(r, 'E')) {
        if (!take(r, '+'))
            take(r, '-');
        if (!digits(r)) {
            FAIL(r, "invalid number: the exponent has no digits");
            return false;
        }
    }
    n = (size_t)(r->p - start);
    v->text = malloc(n + 1);
    if (v->text == NULL) {
        FAIL(r, "out of memory");
        return false;
    }
    memcpy(v->text, start, n);
    v->text[n] = '\0';
    v->kind = JSON_NUMBER;
    return true;
}

static bool word(struct reader *r, const char *w, enum json_kind kind, struct json_value *v)
{
    size_t n = strlen(w);

    if ((size_t)(r->end - r->p) >= n && memcmp(r->p, w, n) == 0) {
        size_t i;
        for (i = 0; i < n; i++)
            advance(r);
        v->kind = kind;
        return true;
    }
    return false;
}

static bool value(struct reader *r, struct json_value *v, unsigned depth);

static bool array(struct reader *r, struct json_value *v, unsigned depth)
{
    size_t size = 0;

    advance(r);
    v->kind = JSON_ARRAY;
    skip_blanks(r);
    if (take(r, ']'))
        return true;
    for (;;) {
        char buf[16];

        if (v->count == size) {
            struct json_value *items = realloc(v->items, (size ? size * 2 : 4) * sizeof *items);
            if (items == NULL) {
                FAIL(r, "out of memory");
                return false;
            }
            v->items = items;
            size = size ? size * 2 : 4;
        }
        skip_blanks(r);
        v->count++; /* owned from here, even half-read: freed with the array */
        if (!value(r, &v->items[v->count - 1], depth + 1))
            return false;
        skip_blanks(r);
        if (take(r, ']'))
            return true;
        if (!take(r, ',')) {
            FAIL(r, "expected ',' or ']' in an array, not %s", quoted(r, buf, sizeof buf));
            return false;
        }
        skip_blanks(r);
        if (r->p < r->end && *r->p == ']') {
            FAIL(r, "a trailing ',' before ']'");
            return false;
        }
    }
}

static bool object(struct reader *r, struct json_value *v, unsigned depth)
{
    size_t size = 0, i;

    advance(r);
    v->kind = JSON_OBJECT;
    skip_blanks(r);
    if (take(r, '}'))
        return true;
    for (;;) {
        struct json_member *m;
        char buf[16];

        skip_blanks(r);
        if (r->p >= r->end || *r->p != '"') {
            if (r->p < r->end && *r->p == '}')
                FAIL(r, "a trailing ',' before '}'");
            else
                FAIL(r, "expected a key (a string in double quotes), not %s", quoted(r, buf, sizeof buf));
            return false;
        }
        if (v->count == size) {
            struct json_member *members = realloc(v->members, (size ? size * 2 : 4) * sizeof *members);
            if (members == NULL) {
                FAIL(r, "out of memory");
                return false;
            }
            v->members = members;
            size = size ? size * 2 : 4;
        }
        m = &v->members[v->count];
        memset(m, 0, sizeof *m);
        m->line = r->line;
        m->col = r->col;
        m->key = string(r);
        if (m->key == NULL)
            return false;
        v->count++; /* owned from here: freed with the object */
        for (i = 0; i + 1 < v->count; i++) {
            if (strcmp(v->members[i].key, m->key) == 0) {
                fail_at(r, m->line, m->col, "duplicate key \"%s\" (first at line %u, column %u)", m->key,
                        v->members[i].line, v->members[i].col);
                return false;
            }
        }
        skip_blanks(r);
        if (!take(r, ':')) {
            FAIL(r, "expected ':' after the key \"%s\", not %s", m->key, quoted(r, buf, sizeof buf));
            return false;
        }
        skip_blanks(r);
        if (!value(r, &m->value, depth + 1))
            return false;
        skip_blanks(r);
        if (take(r, '}'))
            return true;
        if (!take(r, ',')) {
            FAIL(r, "expected ',' or '}' in an object, not %s", quoted(r, buf, sizeof buf));
            return false;
        }
    }
}

static bool value(struct reader *r, struct json_value *v, unsigned depth)
{
    char buf[16];

    memset(v, 0, sizeof *v);
    v->line = r->line;
    v->col = r->col;
    if (depth > JSON_READ_MAX_DEPTH) {
        FAIL(r, "nested deeper than %d levels", JSON_READ_MAX_DEPTH);
        return false;
    }
    if (r->p >= r->end) {
        FAIL(r, "expected a value, not the end of the file");
        return false;
    }
    switch (*r->p) {
    case '{': return object(r, v, depth);
    case '[': return array(r, v, depth);
    case '"':
        v->kind = JSON_STRING;
        v->text = string(r);
        return v->text != NULL;
    case 't': if (word(r, "true", JSON_TRUE, v)) return true; break;
    case 'f': if (word(r, "false", JSON_FALSE, v)) return true; break;
    case 'n': if (word(r, "null", JSON_NULL, v)) return true; break;
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return number(r, v);
        break;
    }
    FAIL(r, "expected a value (an object, array, string, number, true, false or null), not %s",
         quoted(r, buf, sizeof buf));
    return false;
}

bool json_read(const char *text, size_t size, struct json_value *out, struct json_read_error *err)
{
    struct reader r = {text, text + size, 1, 1, err, false};
    char buf[16];

    memset(out, 0, sizeof *out);
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte-order mark */
        r.p += 3;
    skip_blanks(&r);
    if (value(&r, out, 1)) {
        skip_blanks(&r);
        if (r.p == r.end)
            return true;
        FAIL(&r, "more after the end of the document: %s", quoted(&r, buf, sizeof buf));
    }
    json_value_free(out);
    return false;
}

void json_value_free(struct json_value *v)
{
    size_t i;

    if (v == NULL)
        return;
    if (v->kind == JSON_ARRAY)
        for (i = 0; i < v->count; i++)
            json_value_free(&v->items[i]);
    if (v->kind == JSON_OBJECT)
        for (i = 0; i < v->count; i++) {
            free(v->members[i].key);
            json_value_free(&v->members[i].value);
        }
    free(v->text);
    free(v->items);
    free(v->members);
    memset(v, 0, sizeof *v);
}

const char *json_kind_name(enum json_kind kind)
{
    switch (kind) {
    case JSON_NULL: return "null";
    case JSON_FALSE:
    case JSON_TRUE: return "a boolean";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_ARRAY: return "an array";
    default: return "an object";
    }
}
