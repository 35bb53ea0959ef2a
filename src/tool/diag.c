#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Writes `text` to stderr with control characters shown as escapes: an error
 * message must stay one line even when it quotes an argument like "a\nb". */
static void put_one_line(const char *text)
{
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '\n')
            fputs("\\n", stderr);
        else if (*p == '\t')
            fputs("\\t", stderr);
        else if (*p < 0x20 || *p == 0x7F)
            fprintf(stderr, "\\x%02X", *p);
        else
            fputc(*p, stderr);
    }
}

static int report(int status, const char *fmt, va_list ap)
{
    va_list again;
    int length;
    char *text;

    va_copy(again, ap);
    length = vsnprintf(NULL, 0, fmt, ap);
    fputs(TOOL_NAME ": ", stderr);
    if (length < 0) {
        fputs("(unprintable message)", stderr);
    } else {
        text = xmalloc((size_t)length + 1);
        vsnprintf(text, (size_t)length + 1, fmt, again);
        put_one_line(text);
        free(text);
    }
    va_end(again);
    fputc('\n', stderr);
    return status;
}

int usage_error(const char *fmt, ...)
{
    va_list ap;
    int status;

    va_start(ap, fmt);
    status = report(TOOL_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return status;
}

int runtime_error(const char *fmt, ...)
{
    va_list ap;
    int status;

    va_start(ap, fmt);
    status = report(TOOL_EXIT_FAILURE, fmt, ap);
    va_end(ap);
    return status;
}

static void *or_die(void *p)
{
    if (p == NULL) {
        fputs(TOOL_NAME ": out of memory\n", stderr);
        exit(TOOL_EXIT_FAILURE);
    }
    return p;
}

void *xmalloc(size_t size)
{
    return or_die(malloc(size == 0 ? 1 : size));
}

void *xcalloc(size_t count, size_t size)
{
    return or_die(calloc(count == 0 ? 1 : count, size == 0 ? 1 : size));
}
