/*
 * How the tool talks about failure: exit statuses, the one-line error
 * messages on stderr, and allocation that cannot return NULL.
 */
#ifndef X86MSR_TOOL_DIAG_H
#define X86MSR_TOOL_DIAG_H

#include <stddef.h>

#define TOOL_NAME "x86msr"

/* Documented exit statuses (x86msr --help). */
enum tool_exit {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_FAILURE = 1, /* runtime failure: I/O, MSR access, out of memory */
    TOOL_EXIT_USAGE = 2    /* bad usage: unknown name, malformed number, ... */
};

#if defined(__GNUC__)
#define TOOL_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define TOOL_PRINTF(fmt_index, first_arg)
#endif

/*
 * Prints "x86msr: MESSAGE" as exactly one line on stderr and returns
 * TOOL_EXIT_USAGE / TOOL_EXIT_FAILURE, so callers can `return usage_error(...)`.
 * Control characters (from user input quoted in the message) are escaped, so
 * the message can never spill onto a second line.
 */
int usage_error(const char *fmt, ...) TOOL_PRINTF(1, 2);
int runtime_error(const char *fmt, ...) TOOL_PRINTF(1, 2);

/* malloc/calloc that end the program with a runtime error instead of
 * returning NULL: running out of memory in a CLI is not worth handling. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);

#endif
