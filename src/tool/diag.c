#include "diag.h"

#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const code_names[ERR_CODE_COUNT] = {
    [ERR_USAGE] = "usage",
    [ERR_UNKNOWN_MSR] = "unknown_msr",
    [ERR_UNKNOWN_FIELD] = "unknown_field",
    [ERR_UNKNOWN_NAME] = "unknown_name",
    [ERR_BAD_NUMBER] = "bad_number",
    [ERR_BAD_VALUE] = "bad_value",
    [ERR_REFUSED] = "refused",
    [ERR_BAD_FILE] = "bad_file",
    [ERR_NO_DRIVER] = "no_driver",
    [ERR_PERMISSION] = "permission",
    [ERR_LOCKDOWN] = "lockdown",
    [ERR_NO_CPU] = "no_cpu",
    [ERR_FAULT] = "fault",
    [ERR_NO_VMX] = "no_vmx",
    [ERR_INCONSISTENT] = "inconsistent",
    [ERR_IO] = "io",
};

const char *tool_error_code_name(enum tool_error_code code)
{
    return (unsigned)code < ERR_CODE_COUNT ? code_names[code] : "io";
}

/* The first error of the run, for the JSON error object. */
static struct {
    bool json;
    bool started;
    enum tool_error_code code;
    char *message;
} state;

/* `text` with control characters shown as escapes (malloc'ed): an error
 * message must stay one line even when it quotes an argument like "a\nb". */
static char *one_line(const char *text)
{
    char *out = xmalloc(strlen(text) * 4 + 1), *o = out;
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '\n') {
            memcpy(o, "\\n", 2);
            o += 2;
        } else if (*p == '\t') {
            memcpy(o, "\\t", 2);
            o += 2;
        } else if (*p < 0x20 || *p == 0x7F) {
            o += sprintf(o, "\\x%02X", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return out;
}

static char *format_message(const char *fmt, va_list ap)
{
    va_list again;
    int length;
    char *text, *line;

    va_copy(again, ap);
    length = vsnprintf(NULL, 0, fmt, ap);
    if (length < 0) {
        va_end(again);
        return one_line("(unprintable message)");
    }
    text = xmalloc((size_t)length + 1);
    vsnprintf(text, (size_t)length + 1, fmt, again);
    va_end(again);
    line = one_line(text);
    free(text);
    return line;
}

static int report(int status, enum tool_error_code code, const char *fmt, va_list ap)
{
    char *line = format_message(fmt, ap);

    fprintf(stderr, TOOL_NAME ": %s\n", line);
    if (state.message == NULL) {
        state.message = line;
        state.code = code;
    } else {
        free(line);
    }
    return status;
}

int usage_error_code(enum tool_error_code code, const char *fmt, ...)
{
    va_list ap;
    int status;

    va_start(ap, fmt);
    status = report(TOOL_EXIT_USAGE, code, fmt, ap);
    va_end(ap);
    return status;
}

int runtime_error_code(enum tool_error_code code, const char *fmt, ...)
{
    va_list ap;
    int status;

    va_start(ap, fmt);
    status = report(TOOL_EXIT_FAILURE, code, fmt, ap);
    va_end(ap);
    return status;
}

void warning(const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = format_message(fmt, ap);
    va_end(ap);
    fprintf(stderr, TOOL_NAME ": warning: %s\n", line);
    free(line);
}

void diag_json_errors(bool on)
{
    state.json = on;
}

void diag_json_result(struct json_writer *w, bool compact)
{
    if (compact)
        json_init_compact(w, stdout);
    else
        json_init(w, stdout);
    state.started = true;
}

int diag_finish(int status)
{
    if (status != TOOL_EXIT_OK && state.json && !state.started) {
        struct json_writer w;

        json_init(&w, stdout);
        json_begin_object(&w);
        json_key(&w, "error");
        json_begin_object(&w);
        json_key(&w, "code");
        json_string(&w, tool_error_code_name(state.message ? state.code : ERR_IO));
        json_key(&w, "message");
        json_string(&w, state.message ? state.message : "failed");
        json_end_object(&w);
        json_end_object(&w);
        json_finish(&w);
        fflush(stdout);
    }
    free(state.message);
    state.message = NULL;
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

void *xrealloc(void *p, size_t size)
{
    return or_die(realloc(p, size == 0 ? 1 : size));
}
